// SPDX-License-Identifier: GPL-2.0
/*
 * Broken on purpose: every load allocates 64 bytes that nothing frees. The
 * load/unload cycle test must report it: the kmalloc-64 cache grows by one
 * object per cycle, and on the debug kernel kmemleak finds the objects.
 */
#include <linux/module.h>
#include <linux/slab.h>

static void *lost;

static int __init rkm_leak_init(void)
{
	lost = kmalloc(64, GFP_KERNEL);
	return lost ? 0 : -ENOMEM;
}

static void __exit rkm_leak_exit(void)
{
}

module_init(rkm_leak_init);
module_exit(rkm_leak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rkm harness self-test: a module that leaks at every load");
