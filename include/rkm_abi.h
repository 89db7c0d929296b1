/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rkm_abi.h - the contract between the C glue and Rust code built with rkm.
 *
 * Plain C types, opaque handles and rkm-owned constants only: no kernel struct
 * layout and no kernel constant whose value drifts between versions crosses
 * this line, so one Rust object can link against the glue of any kernel.
 * Functions named rkm_rust_* are implemented by the Rust side and called by
 * the glue; every other function is implemented by the glue.
 */
#ifndef RKM_ABI_H
#define RKM_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/*
 * Bumped on every incompatible change. The glue defines the symbol
 * rkm_abi_version_<N>; the rkm crate of the same version references it, so a
 * Rust object built for another version leaves that symbol undefined and
 * modpost stops the build, naming it.
 */
#define RKM_ABI_VERSION 1

extern const int rkm_abi_version_1;

/* Log levels, in kernel order; mapped to KERN_* strings by the glue. */
enum rkm_log_level {
	RKM_LOG_EMERG = 0,
	RKM_LOG_ALERT = 1,
	RKM_LOG_CRIT = 2,
	RKM_LOG_ERR = 3,
	RKM_LOG_WARNING = 4,
	RKM_LOG_NOTICE = 5,
	RKM_LOG_INFO = 6,
	RKM_LOG_DEBUG = 7,
};

/**
 * rkm_log() - print one line to the kernel log, prefixed "<modname>: ".
 * @level: an enum rkm_log_level; out-of-range values print at KERN_ERR.
 * @msg: the text, not NUL-terminated, without trailing newline.
 * @len: its length in bytes; the glue prints at most RKM_LOG_LINE_MAX of it.
 */
void rkm_log(int level, const char *msg, size_t len);

/* Longest text rkm_log() prints in one line; the crate splits longer ones. */
#define RKM_LOG_LINE_MAX 256

/**
 * rkm_panic() - report a Rust panic and BUG().
 * @msg: the formatted panic message and location, not NUL-terminated.
 * @len: its length in bytes.
 *
 * Does not return; declared returning so callers follow it with a trap.
 */
void rkm_panic(const char *msg, size_t len);

/**
 * rkm_rust_init() - the module's Rust init, called once from module_init.
 *
 * Return: 0, or a negative errno that fails the module load.
 */
int rkm_rust_init(void);

/**
 * rkm_rust_exit() - the module's Rust exit, called once from module_exit
 * after a successful rkm_rust_init().
 */
void rkm_rust_exit(void);

#endif /* RKM_ABI_H */
