// SPDX-License-Identifier: GPL-2.0
/*
 * Broken on purpose: uses an allocation without checking it, the bug class
 * failslab exists to find. Loads fine; the failslab walk must make its
 * init dereference NULL, and the harness must report the Oops.
 */
#include <linux/module.h>
#include <linux/slab.h>

static int *value;

static int __init rkm_nocheck_init(void)
{
	value = kmalloc(sizeof(*value), GFP_KERNEL);
	*value = 42;
	return 0;
}

static void __exit rkm_nocheck_exit(void)
{
	kfree(value);
}

module_init(rkm_nocheck_init);
module_exit(rkm_nocheck_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rkm harness self-test: a module that does not check an allocation");
