// SPDX-License-Identifier: GPL-2.0
/*
 * ktest.h's failure lines, checked by rkm-selftest ("ktest.h failure lines"):
 * each test fails on purpose and prints what it expects to see.
 */
#include "ktest.h"

/* A value check after an unrelated failed call: no errno in the line. */
TEST(value_check_shows_no_stale_errno)
{
	ASSERT_TRUE(open("/nonexistent/ktest", O_RDONLY) == -1 && errno == ENOENT);
	EXPECT_EQ(3, 1 + 1);
}

/* A failed call: its errno is in the line. */
TEST(failed_call_shows_its_errno)
{
	EXPECT_EQ(0, open("/nonexistent/ktest", O_RDONLY));
}

/* A call that succeeded with another value: no errno. */
TEST(successful_call_shows_no_errno)
{
	errno = EBUSY;
	EXPECT_EQ(7, getpid() > 0);
}

/* Each argument is evaluated once, even when the check fails. */
TEST(arguments_evaluated_once)
{
	int exp = 10, got = 20;

	EXPECT_EQ(exp++, got++);
	ASSERT_ERRNO(EBADF + 0 * exp++, close(-1 + 0 * got++));
	printf("# evaluations: exp %d got %d\n", exp - 10, got - 20);
}

/* ASSERT_ERRNO on a call that succeeded: no errno of the call. */
TEST(errno_check_of_a_success)
{
	errno = EBUSY;
	ASSERT_ERRNO(ENOENT, getpid() * 0);
}

int main(void)
{
	return ktest_run();
}
