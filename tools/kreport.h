/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kreport.h: is a kernel log message a report (a WARN, BUG, Oops, KASAN,
 * UBSAN, KFENCE, lockdep or kmemleak finding)? Matches the kernel's own
 * formats, not any line with "WARNING" in it (some CPU models print a
 * harmless "Speculative Return Stack Overflow: WARNING: ..." at boot), nor
 * the checkers' start-up lines ("RCU lockdep checking is enabled", "kmemleak:
 * Kernel memory leak detector initialized"). Used by the guest's init and by
 * the in-guest test programs.
 */
#ifndef RKM_KREPORT_H
#define RKM_KREPORT_H

#include <stdbool.h>
#include <string.h>

static inline bool kernel_report(const char *msg)
{
	static const char *const starts[] = {
		"------------[ cut here ]------------", "WARNING:", "BUG:", "BUG ",
		"kernel BUG at", "Oops", "general protection fault", "invalid opcode:",
		"KASAN:", "UBSAN:", "KFENCE:", "Call Trace:", "INFO: task ",
		"unreferenced object", "Kernel panic",
	};
	static const char *const contains[] = {
		"possible circular locking", "possible recursive locking",
		"inconsistent lock state", "lockdep is turned off",
		"sleeping function called from invalid context", "list_add corruption",
		"list_del corruption", "detected stall", "detected expedited stall", "soft lockup", "hard LOCKUP",
		"stack-protector", "refcount_t:", "suspected memory leak",
		"memory leak detector disabled", "rust panic:",
	};
	size_t i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strncmp(msg, starts[i], strlen(starts[i])))
			return true;
	for (i = 0; i < sizeof(contains) / sizeof(contains[0]); i++)
		if (strstr(msg, contains[i]))
			return true;
	return false;
}

#endif
