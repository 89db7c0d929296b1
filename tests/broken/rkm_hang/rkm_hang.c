// SPDX-License-Identifier: GPL-2.0
/*
 * Broken on purpose: its init never returns on its own. The guest watchdog
 * must end it (SIGKILL wakes the killable sleep) and report FAIL.
 */
#include <linux/module.h>
#include <linux/sched.h>

static int __init rkm_hang_init(void)
{
	schedule_timeout_killable(MAX_SCHEDULE_TIMEOUT);
	return -EINTR;
}

static void __exit rkm_hang_exit(void)
{
}

module_init(rkm_hang_init);
module_exit(rkm_hang_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rkm harness self-test: a module whose init hangs");
