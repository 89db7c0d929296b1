// SPDX-License-Identifier: GPL-2.0
/* rust_minimal test: loads, checks the log lines of init and exit, unloads. */
#include "ktest.h"

TEST(load_logs_init_and_unload_logs_exit)
{
	char line[512];
	int fd = kmsg_open();

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, load_module("rust_minimal", NULL));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: Rust minimal sample (init)", 2000, line, sizeof(line)));
	printf("# log: %s\n", line);
	ASSERT_EQ(0, unload_module("rust_minimal"));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: Rust minimal sample (exit), answer 42", 2000,
			      line, sizeof(line)));
	printf("# log: %s\n", line);
}

TEST(teardown_runs_in_reverse_order_of_setup)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_minimal", NULL));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: setting up first", 2000, NULL, 0));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: setting up second", 2000, NULL, 0));
	ASSERT_EQ(0, unload_module("rust_minimal"));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: Rust minimal sample (exit)", 2000, NULL, 0));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: tearing down second", 2000, NULL, 0));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: tearing down first", 2000, NULL, 0));
}

TEST(failing_init_returns_its_errno_and_leaves_nothing)
{
	int fd = kmsg_open();

	ASSERT_ERRNO(ENODEV, load_module("rust_minimal", "fail_with=19"));
	EXPECT_TRUE(access("/sys/module/rust_minimal", F_OK) != 0);
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: setting up first", 2000, NULL, 0));
	ASSERT_TRUE(kmsg_wait(fd, "rust_minimal: tearing down first", 2000, NULL, 0));
	ASSERT_ERRNO(EPERM, load_module("rust_minimal", "fail_with=1"));
	ASSERT_ERRNO(ERANGE, load_module("rust_minimal", "fail_with=4096"));
	/*
	 * Kernel-internal codes never reach userspace: Error::from_errno maps
	 * 512 (ERESTARTSYS, which finit_module would hand back as errno 512
	 * with no signal pending) and 517 (EPROBE_DEFER) to EINVAL.
	 */
	ASSERT_ERRNO(EINVAL, load_module("rust_minimal", "fail_with=512"));
	ASSERT_ERRNO(EINVAL, load_module("rust_minimal", "fail_with=517"));
	/* And it still loads normally afterwards. */
	ASSERT_EQ(0, load_module("rust_minimal", NULL));
	ASSERT_EQ(0, unload_module("rust_minimal"));
}

TEST(modinfo_is_in_the_module)
{
	char buf[256] = "";
	int fd;

	ASSERT_EQ(0, load_module("rust_minimal", NULL));
	fd = open("/sys/module/rust_minimal/initstate", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	EXPECT_EQ(0, strcmp(buf, "live\n"));
	ASSERT_EQ(0, unload_module("rust_minimal"));
}

TEST(second_load_is_refused_with_eexist)
{
	ASSERT_EQ(0, load_module("rust_minimal", NULL));
	ASSERT_ERRNO(EEXIST, load_module("rust_minimal", NULL));
	ASSERT_EQ(0, unload_module("rust_minimal"));
	ASSERT_ERRNO(ENOENT, unload_module("rust_minimal"));
}

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_minimal", NULL);
}

int main(void)
{
	return ktest_run();
}
