/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rkm glue: module parameters declared in Rust. kbuild/rkm-params.sh writes
 * the module's rkm-params.c from the Rust object: one struct rkm_param and one
 * module_param_cb() per parameter, and the NULL-terminated rkm_params[].
 */
#ifndef RKM_GLUE_PARAM_H
#define RKM_GLUE_PARAM_H

#include <linux/moduleparam.h>
#include <linux/types.h>

#include "rkm_abi.h"

/* A parameter's type: from the type field of its .rkm_params record. */
enum rkm_param_type {
	RKM_PARAM_BOOL = 0,
	RKM_PARAM_I32 = 1,
	RKM_PARAM_U32 = 2,
	RKM_PARAM_I64 = 3,
	RKM_PARAM_U64 = 4,
	RKM_PARAM_STR = 5,
};

struct rkm_param {
	const char *name;
	enum rkm_param_type type;
	bool is_array;
	bool has_range;
	s64 min, max;		/* if has_range; compared as u64 for unsigned types */
	u64 val;		/* scalar value */
	char *str;		/* string: buffer of maxlen + 1 bytes */
	u64 *arr;		/* array: maxlen elements */
	unsigned int len;	/* array: elements in use */
	unsigned int maxlen;	/* string bytes or array elements */
};

/* Scalars (bool and integers), strings, arrays: rkm-params.sh picks one. */
extern const struct kernel_param_ops rkm_param_ops, rkm_param_str_ops, rkm_param_array_ops;
extern struct rkm_param *const rkm_params[];

#endif
