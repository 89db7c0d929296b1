// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: implements include/rkm_abi.h on the real kernel API. Compiled by
 * Kbuild into every rkm module, against the target kernel's own headers.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rkm_abi.h"

const int rkm_abi_version_1 = RKM_ABI_VERSION;

static const char *const rkm_levels[] = {
	[RKM_LOG_EMERG] = KERN_EMERG,	[RKM_LOG_ALERT] = KERN_ALERT,
	[RKM_LOG_CRIT] = KERN_CRIT,	[RKM_LOG_ERR] = KERN_ERR,
	[RKM_LOG_WARNING] = KERN_WARNING, [RKM_LOG_NOTICE] = KERN_NOTICE,
	[RKM_LOG_INFO] = KERN_INFO,	[RKM_LOG_DEBUG] = KERN_DEBUG,
};

void rkm_log(int level, const char *msg, size_t len)
{
	const char *lvl = KERN_ERR;

	if (level >= 0 && level < ARRAY_SIZE(rkm_levels))
		lvl = rkm_levels[level];
	printk("%s" KBUILD_MODNAME ": %.*s\n", lvl,
	       (int)min_t(size_t, len, RKM_LOG_LINE_MAX), msg);
}

void rkm_panic(const char *msg, size_t len)
{
	pr_emerg(KBUILD_MODNAME ": rust panic: %.*s\n",
		 (int)min_t(size_t, len, RKM_LOG_LINE_MAX), msg);
	BUG();
}

static int __init rkm_module_init(void)
{
	return rkm_rust_init();
}

static void __exit rkm_module_exit(void)
{
	rkm_rust_exit();
}

module_init(rkm_module_init);
module_exit(rkm_module_exit);
