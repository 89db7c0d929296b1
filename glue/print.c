// SPDX-License-Identifier: GPL-2.0
/* rkm glue: printing to the kernel log and Rust panics. */
#include <linux/bug.h>
#include <linux/dynamic_debug.h>
#include <linux/kernel.h>
#include <linux/printk.h>

#include "rkm_abi.h"

static const char *const rkm_levels[] = {
	[RKM_LOG_EMERG] = KERN_EMERG,	[RKM_LOG_ALERT] = KERN_ALERT,
	[RKM_LOG_CRIT] = KERN_CRIT,	[RKM_LOG_ERR] = KERN_ERR,
	[RKM_LOG_WARNING] = KERN_WARNING, [RKM_LOG_NOTICE] = KERN_NOTICE,
	[RKM_LOG_INFO] = KERN_INFO,	[RKM_LOG_DEBUG] = KERN_DEBUG,
};

#if defined(CONFIG_DYNAMIC_DEBUG) || \
	(defined(CONFIG_DYNAMIC_DEBUG_CORE) && defined(DYNAMIC_DEBUG_MODULE))
/*
 * The module's one dynamic debug call site: every pr_debug! of the module
 * goes through it, so dynamic debug switches them per module. With msg NULL
 * it only tells whether the site is enabled.
 */
static bool rkm_debug(const char *msg, int len)
{
	DEFINE_DYNAMIC_DEBUG_METADATA(site, "%.*s\n");

	if (!DYNAMIC_DEBUG_BRANCH(site))
		return false;
	if (msg)
		__dynamic_pr_debug(&site, KBUILD_MODNAME ": %.*s\n", len, msg);
	return true;
}
#else
static bool rkm_debug(const char *msg, int len)
{
	if (!IS_ENABLED(DEBUG))
		return false;
	if (msg)
		printk(KERN_DEBUG KBUILD_MODNAME ": %.*s\n", len, msg);
	return true;
}
#endif

bool rkm_debug_enabled(void)
{
	return rkm_debug(NULL, 0);
}

void rkm_log(int level, const char *msg, size_t len)
{
	int n = (int)min_t(size_t, len, RKM_LOG_LINE_MAX);

	if (level == RKM_LOG_DEBUG) {
		rkm_debug(msg, n);
		return;
	}
	if (level < 0 || level >= ARRAY_SIZE(rkm_levels))
		level = RKM_LOG_ERR;
	printk("%s" KBUILD_MODNAME ": %.*s\n", rkm_levels[level], n, msg);
}

void rkm_panic(const char *msg, size_t len)
{
	pr_emerg(KBUILD_MODNAME ": rust panic: %.*s\n",
		 (int)min_t(size_t, len, RKM_LOG_LINE_MAX), msg);
	BUG();
}
