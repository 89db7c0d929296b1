// SPDX-License-Identifier: GPL-2.0
/*
 * Broken on purpose: taints the kernel (TAINT_USER, 'U') without printing
 * any report, so only the harness's taint check can catch it.
 */
#include <linux/module.h>
#include <linux/panic.h>

static int __init rkm_taint_init(void)
{
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return 0;
}

static void __exit rkm_taint_exit(void)
{
}

module_init(rkm_taint_init);
module_exit(rkm_taint_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rkm harness self-test: a module that taints the kernel");
