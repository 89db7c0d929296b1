// SPDX-License-Identifier: GPL-2.0
/* Broken on purpose: WARNs at load. The harness must report FAIL. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init rkm_warn_init(void)
{
	WARN(1, "rkm_warn: deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit rkm_warn_exit(void)
{
}

module_init(rkm_warn_init);
module_exit(rkm_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rkm harness self-test: a module that WARNs");
