// SPDX-License-Identifier: GPL-2.0
/*
 * rust_params test: every parameter type through insmod arguments and sysfs,
 * and the refusal of bad values with a clear errno and log line.
 */
#include "ktest.h"

#define P "/sys/module/rust_params/parameters/"

static void expect_param(const char *name, const char *want)
{
	char path[128], buf[256];

	snprintf(path, sizeof(path), P "%s", name);
	ASSERT_TRUE(read_file(path, buf, sizeof(buf)) >= 0);
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, want))
		printf("# %s is '%s', expected '%s'\n", name, buf, want);
	EXPECT_EQ(0, strcmp(buf, want));
}

TEST(defaults_show_in_sysfs_and_reach_rust)
{
	int fd = kmsg_open();
	char line[512];

	ASSERT_EQ(0, load_module("rust_params", NULL));
	expect_param("enable", "Y");
	expect_param("level", "-3");
	expect_param("count", "8");
	expect_param("offset", "-5000000000");
	expect_param("big", "18446744073709551615");
	expect_param("name", "rkm");
	expect_param("ids", "1,-2,3");
	expect_param("masks", "");
	ASSERT_TRUE(kmsg_wait(fd, "rust_params: init: enable=true level=-3 count=8 offset=-5000000000 "
			      "big=18446744073709551615 name=rkm ids=[1, -2, 3] masks=[]", 2000, line, sizeof(line)));
	printf("# log: %s\n", line);
	ASSERT_EQ(0, unload_module("rust_params"));
}

TEST(insmod_arguments_set_every_type)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_params", "enable=0 level=-10 count=4294967295 offset=1 big=0 "
				 "name=abc ids=7 masks=255,0"));
	expect_param("enable", "N");
	expect_param("level", "-10");
	expect_param("count", "4294967295");
	expect_param("offset", "1");
	expect_param("big", "0");
	expect_param("name", "abc");
	expect_param("ids", "7");
	expect_param("masks", "255,0");
	EXPECT_TRUE(kmsg_wait(fd, "init: enable=false level=-10 count=4294967295 offset=1 big=0 name=abc "
			      "ids=[7] masks=[255, 0]", 2000, NULL, 0));
	ASSERT_EQ(0, unload_module("rust_params"));
}

TEST(sysfs_writes_reach_rust_and_bad_writes_change_nothing)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_params", NULL));
	ASSERT_EQ(0, write_file(P "level", "7\n"));
	ASSERT_EQ(0, write_file(P "enable", "n\n"));
	ASSERT_EQ(0, write_file(P "name", "hello\n"));
	ASSERT_EQ(0, write_file(P "ids", "4,5,-6,7\n"));
	ASSERT_ERRNO(ERANGE, write_file(P "level", "11"));
	ASSERT_ERRNO(EINVAL, write_file(P "count", "-1"));
	ASSERT_ERRNO(ENOSPC, write_file(P "name", "0123456789abcdefX"));
	ASSERT_ERRNO(EINVAL, write_file(P "ids", "1,2,3,4,5"));
	ASSERT_ERRNO(ERANGE, write_file(P "masks", "1,256"));
	/* Read-only for everybody, root included: no store method. */
	ASSERT_ERRNO(EACCES, write_file(P "offset", "2"));
	expect_param("level", "7");
	expect_param("name", "hello");
	expect_param("ids", "4,5,-6,7");
	expect_param("masks", "");
	ASSERT_EQ(0, unload_module("rust_params"));
	EXPECT_TRUE(kmsg_wait(fd, "exit: enable=false level=7 count=8 offset=-5000000000 "
			      "big=18446744073709551615 name=hello ids=[4, 5, -6, 7] masks=[]", 2000, NULL, 0));
}

static void expect_refused(const char *args, int err, const char *why)
{
	int fd = kmsg_open();
	char line[512];

	errno = 0;
	EXPECT_EQ(-1, load_module("rust_params", args));
	EXPECT_EQ(err, errno);
	EXPECT_TRUE(access("/sys/module/rust_params", F_OK) != 0);
	if (!kmsg_wait(fd, why, 2000, line, sizeof(line))) {
		printf("# no log line containing \"%s\" for %s\n", why, args);
		EXPECT_TRUE(false);
	} else {
		printf("# %s -> %s; log: %s\n", args, strerror(err), line);
	}
}

TEST(bad_insmod_arguments_are_refused_with_a_reason)
{
	expect_refused("level=11", ERANGE, "parameter level: '11' is out of range [-10, 10]");
	expect_refused("level=-2147483649", ERANGE, "parameter level: '-2147483649' is out of range [-10, 10]");
	expect_refused("count=4294967296", ERANGE, "parameter count: '4294967296' is not a valid u32");
	expect_refused("count=abc", EINVAL, "parameter count: 'abc' is not a valid u32");
	expect_refused("big=-1", EINVAL, "parameter big: '-1' is not a valid u64");
	expect_refused("enable=maybe", EINVAL, "parameter enable: 'maybe' is not a valid bool");
	expect_refused("name=0123456789abcdefX", ENOSPC, "parameter name: 17 bytes is longer than its maximum, 16");
	expect_refused("ids=1,2,3,4,5", EINVAL, "parameter ids: more than 4 elements");
	expect_refused("ids=1,x", EINVAL, "parameter ids: 'x' is not a valid i32");
	expect_refused("count", EINVAL, "parameter count needs a value");
}

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_params", NULL);
}

int main(void)
{
	return ktest_run();
}
