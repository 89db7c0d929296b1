// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-selftest's guest-programs case (tests/guest_programs/rkm.manifest,
 * run with a scratch copy of samples/rust_minimal): the host programs the
 * manifest ships run in the guest, at the host's paths, with the host's
 * libraries; modprobe finds the shipped module by name in
 * /lib/modules/$(uname -r), and what no manifest line asked for is not there.
 */
#include "ktest.h"

#include <sys/stat.h>

/* system(3) runs /bin/sh: the host's dash, its libc and loader shipped with it. */
TEST(sh_runs_at_the_host_path)
{
	char buf[64] = "";
	int fd;

	ASSERT_EQ(0, system("echo shipped-$((6 * 7)) > /tmp/sh.out"));
	fd = open("/tmp/sh.out", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	EXPECT_EQ(0, strcmp(buf, "shipped-42\n"));
}

/* modprobe (kmod) loads the shipped module by its name; rmmod unloads it. */
TEST(modprobe_finds_the_shipped_module)
{
	ASSERT_EQ(0, system("modprobe rust_minimal"));
	EXPECT_EQ(0, access("/sys/module/rust_minimal", F_OK));
	EXPECT_EQ(0, system("rmmod rust_minimal"));
	EXPECT_TRUE(access("/sys/module/rust_minimal", F_OK) != 0);
	EXPECT_TRUE(system("modprobe rkm_no_such_module 2>/dev/null") != 0);
}

/* Only what the manifest declares: no fio, no mkfs. */
TEST(nothing_else_is_shipped)
{
	EXPECT_TRUE(system("command -v fio >/dev/null") != 0);
	EXPECT_TRUE(system("command -v mkfs.ext4 >/dev/null") != 0);
	EXPECT_TRUE(system("command -v grep >/dev/null") != 0);
}

int main(void)
{
	return ktest_run();
}
