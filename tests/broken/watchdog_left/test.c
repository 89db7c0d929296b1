// SPDX-License-Identifier: GPL-2.0
/*
 * Leaves the i6300esb running (closed without the magic character) with a
 * 1 s heartbeat, then waits well past both of its stages: QEMU's watchdog
 * fires. The test itself passes; rkm must fail the boot for it.
 */
#include "ktest.h"

TEST(watchdog_left_running)
{
	int fd;

	ASSERT_TRUE(load_module("watchdog", NULL) == 0 || errno == EEXIST);
	ASSERT_EQ(0, load_module("i6300esb", "heartbeat=1"));
	fd = open("/dev/watchdog0", O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	/* No 'V': "watchdog did not stop!", and the timer runs on. */
	close(fd);
	printf("# left running with a 1 s heartbeat; waiting 6 s\n");
	sleep(6);
}

int main(void)
{
	return ktest_run();
}
