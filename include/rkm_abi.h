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
#include <stdbool.h>
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
 * rkm_debug_enabled() - whether this module's debug messages are printed.
 *
 * True when dynamic debug has enabled the module's one debug call site
 * (echo 'module NAME +p' > <debugfs>/dynamic_debug/control), or when the
 * kernel has no dynamic debug and the glue was built with DEBUG.
 */
bool rkm_debug_enabled(void);

/* Allocation flags: rkm's own values, mapped to GFP_* by the glue. */
#define RKM_ALLOC_KERNEL 0x0u	/* may sleep: GFP_KERNEL */
#define RKM_ALLOC_ATOMIC 0x1u	/* never sleeps, may use reserves: GFP_ATOMIC */
#define RKM_ALLOC_NOWAIT 0x2u	/* never sleeps, no reserves: GFP_NOWAIT */
#define RKM_ALLOC_ZERO 0x100u	/* zero the memory: __GFP_ZERO */

/**
 * rkm_realloc() - allocate, grow or shrink a block of kernel memory.
 * @ptr: NULL to allocate, or a block from rkm_realloc() to resize.
 * @size: the new size in bytes, not 0.
 * @align: the alignment needed, a power of two.
 * @flags: RKM_ALLOC_* values; unknown bits fail the call.
 *
 * Return: the block, or NULL on failure (too large, no memory, an injected
 * failure), in which case @ptr is left untouched. Never warns.
 */
void *rkm_realloc(void *ptr, size_t size, size_t align, uint32_t flags);

/**
 * rkm_free() - free a block from rkm_realloc(); NULL is ignored.
 * @ptr: the block.
 */
void rkm_free(void *ptr);

/*
 * Module parameters. A Rust driver declares them in module!; the build turns
 * the declarations (section .rkm_params of the Rust object: per parameter, 8
 * NUL-terminated fields: name, type, permissions, default, min, max, maximum
 * length, description) into C that registers them with the kernel. Values
 * live in the glue; Rust reads them by name.
 */
enum rkm_param_type {
	RKM_PARAM_BOOL = 0,
	RKM_PARAM_I32 = 1,
	RKM_PARAM_U32 = 2,
	RKM_PARAM_I64 = 3,
	RKM_PARAM_U64 = 4,
	RKM_PARAM_STR = 5,
};

/**
 * rkm_param_get() - read a parameter's current value.
 * @name: the parameter's name, not NUL-terminated.
 * @name_len: its length.
 * @vals: where the value goes: a scalar in vals[0] (bool 0/1; integers as
 *        their 64-bit two's complement bits), array elements in order.
 * @nvals: room in @vals (in elements).
 * @str: for a string parameter, where its bytes go (not NUL-terminated).
 * @str_cap: room in @str.
 *
 * Return: the number of elements (1 for a scalar) or string bytes copied,
 * or -ENOENT if the module has no such parameter.
 */
long rkm_param_get(const char *name, size_t name_len, int64_t *vals, size_t nvals,
		   char *str, size_t str_cap);

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
