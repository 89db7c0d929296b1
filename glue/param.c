// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: parsing, range checks and sysfs formatting of the parameters a
 * Rust driver declares, and reading them from Rust (rkm_param_get()).
 */
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "param.h"

static const char *const rkm_param_type_names[] = {
	[RKM_PARAM_BOOL] = "bool", [RKM_PARAM_I32] = "i32", [RKM_PARAM_U32] = "u32",
	[RKM_PARAM_I64] = "i64",   [RKM_PARAM_U64] = "u64", [RKM_PARAM_STR] = "string",
};

static bool rkm_param_signed(const struct rkm_param *p)
{
	return p->type == RKM_PARAM_I32 || p->type == RKM_PARAM_I64;
}

/*
 * Parses one scalar of p's type into *out, checking type and declared range.
 * The parsing is the kernel's own param_ops_* one (kernel/params.c): kstrto*
 * with base 0 (so "0x10", "010", a leading '+' and one trailing newline are
 * accepted), kstrtobool for bool (whatever the running kernel's kstrtobool
 * takes: y/n/1/0/on/off..., and t/f on newer kernels). The range check is
 * made here, at each .set, as param_set_uint_minmax() does: every occurrence
 * of a parameter on the command line is parsed in order (the last one wins),
 * and one outside the range fails the load even if a later one is inside.
 */
static int rkm_param_parse_one(const struct rkm_param *p, const char *val, u64 *out)
{
	s64 s;
	u64 u;
	bool b;
	int err;

	switch (p->type) {
	case RKM_PARAM_BOOL:
		err = kstrtobool(val, &b);
		*out = b;
		break;
	case RKM_PARAM_I32:
	case RKM_PARAM_I64:
		err = kstrtos64(val, 0, &s);
		if (!err && p->type == RKM_PARAM_I32 && (s < S32_MIN || s > S32_MAX))
			err = -ERANGE;
		if (!err && p->has_range && (s < p->min || s > p->max))
			err = -ERANGE;
		*out = (u64)s;
		break;
	case RKM_PARAM_U32:
	case RKM_PARAM_U64:
		err = kstrtou64(val, 0, &u);
		if (!err && p->type == RKM_PARAM_U32 && u > U32_MAX)
			err = -ERANGE;
		if (!err && p->has_range && (u < (u64)p->min || u > (u64)p->max))
			err = -ERANGE;
		*out = u;
		break;
	default:
		err = -EINVAL;
	}
	if (err == -ERANGE && p->has_range)
		pr_err(KBUILD_MODNAME ": parameter %s: '%s' is out of range [%lld, %lld]\n",
		       p->name, val, p->min, p->max);
	else if (err)
		pr_err(KBUILD_MODNAME ": parameter %s: '%s' is not a valid %s\n", p->name,
		       val, rkm_param_type_names[p->type]);
	return err;
}

/*
 * An array, as the kernel's param_array() parses it: elements separated by
 * ',' (and nothing else), each parsed whole by the element type's rule, of
 * any length; "" is one empty, invalid element, so an array cannot be
 * emptied once set. The element is NUL-terminated in place, as param_array()
 * does (the buffer is the module's argument copy or sysfs' write buffer),
 * and the byte restored. Unlike param_array(), a bad element changes nothing
 * (the kernel keeps the elements before it): all elements valid or none set.
 */
static int rkm_param_set_array(struct rkm_param *p, const char *val)
{
	u64 vals[64];
	unsigned int n = 0;
	char save;
	int err;

	do {
		char *end = (char *)val + strcspn(val, ",");

		if (n == p->maxlen || n == ARRAY_SIZE(vals)) {
			pr_err(KBUILD_MODNAME ": parameter %s: more than %u elements\n",
			       p->name, p->maxlen);
			return -EINVAL;
		}
		save = *end;
		*end = '\0';
		err = rkm_param_parse_one(p, val, &vals[n++]);
		*end = save;
		if (err)
			return err;
		val = end + 1;
	} while (save == ',');
	memcpy(p->arr, vals, n * sizeof(vals[0]));
	p->len = n;
	return 0;
}

/*
 * A bare "name" (no '='): true for a bool, as param_set_bool(); every other
 * kind needs a value, as parse_one() decides for param_ops without
 * KERNEL_PARAM_OPS_FL_NOARG (int, uint, string, array, ...). NULL if none.
 */
static const char *rkm_param_value(const struct rkm_param *p, const char *val)
{
	if (!val && p->type == RKM_PARAM_BOOL)
		return "1";
	if (!val)
		pr_err(KBUILD_MODNAME ": parameter %s needs a value\n", p->name);
	return val;
}

static int rkm_param_set(const char *val, const struct kernel_param *kp)
{
	struct rkm_param *p = kp->arg;
	u64 v;
	int err;

	val = rkm_param_value(p, val);
	if (!val)
		return -EINVAL;
	err = rkm_param_parse_one(p, val, &v);
	if (!err)
		WRITE_ONCE(p->val, v);
	return err;
}

/* A sysfs write with a NUL in it ends at the NUL here, as for C. */
static int rkm_param_set_str(const char *val, const struct kernel_param *kp)
{
	struct rkm_param *p = kp->arg;
	size_t len;

	val = rkm_param_value(p, val);
	if (!val)
		return -EINVAL;
	/*
	 * Stricter than param_set_copystring() on one point: one trailing
	 * newline (echo's) is not part of the value.
	 */
	len = strlen(val);
	if (len && val[len - 1] == '\n')
		len--;
	if (len > p->maxlen) {
		pr_err(KBUILD_MODNAME ": parameter %s: %zu bytes is longer than its maximum, %u\n",
		       p->name, len, p->maxlen);
		return -ENOSPC;
	}
	memcpy(p->str, val, len);
	p->str[len] = '\0';
	return 0;
}

static int rkm_param_set_arr(const char *val, const struct kernel_param *kp)
{
	struct rkm_param *p = kp->arg;

	val = rkm_param_value(p, val);
	if (!val)
		return -EINVAL;
	return rkm_param_set_array(p, val);
}

static int rkm_param_emit_one(const struct rkm_param *p, u64 v, char *buf, int at)
{
	if (p->type == RKM_PARAM_BOOL)
		return sysfs_emit_at(buf, at, "%c", v ? 'Y' : 'N');
	if (rkm_param_signed(p))
		return sysfs_emit_at(buf, at, "%lld", (s64)v);
	return sysfs_emit_at(buf, at, "%llu", v);
}

static int rkm_param_show(char *buf, const struct kernel_param *kp)
{
	const struct rkm_param *p = kp->arg;
	int n = rkm_param_emit_one(p, READ_ONCE(p->val), buf, 0);

	return n + sysfs_emit_at(buf, n, "\n");
}

static int rkm_param_show_str(char *buf, const struct kernel_param *kp)
{
	const struct rkm_param *p = kp->arg;

	return sysfs_emit(buf, "%s\n", p->str);
}

static int rkm_param_show_arr(char *buf, const struct kernel_param *kp)
{
	const struct rkm_param *p = kp->arg;
	unsigned int i;
	int n = 0;

	/* An empty array reads as nothing, not "\n", as param_array_get(). */
	if (!p->len)
		return 0;
	for (i = 0; i < p->len; i++) {
		if (i)
			n += sysfs_emit_at(buf, n, ",");
		n += rkm_param_emit_one(p, p->arr[i], buf, n);
	}
	return n + sysfs_emit_at(buf, n, "\n");
}

/*
 * One kernel_param_ops per kind: rkm-params.c names those its parameters
 * use, so a module without strings or arrays carries no code for them
 * (kbuild/glue.mk compiles the glue with -fwhole-program).
 */
const struct kernel_param_ops rkm_param_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = rkm_param_set,
	.get = rkm_param_show,
};

const struct kernel_param_ops rkm_param_str_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = rkm_param_set_str,
	.get = rkm_param_show_str,
};

const struct kernel_param_ops rkm_param_array_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = rkm_param_set_arr,
	.get = rkm_param_show_arr,
};

long rkm_param_get(const char *name, size_t name_len, int64_t *vals, size_t nvals,
		   char *str, size_t str_cap)
{
	struct rkm_param *const *pp;
	long n = -ENOENT;

	for (pp = rkm_params; *pp; pp++) {
		struct rkm_param *p = *pp;

		if (strlen(p->name) != name_len || memcmp(p->name, name, name_len))
			continue;
		if (!p->is_array && p->type != RKM_PARAM_STR) {
			if (nvals)
				vals[0] = READ_ONCE(p->val);
			return nvals ? 1 : 0;
		}
		/* Strings and arrays change under this lock from sysfs. */
		kernel_param_lock(THIS_MODULE);
		if (p->type == RKM_PARAM_STR) {
			n = min(strlen(p->str), str_cap);
			memcpy(str, p->str, n);
		} else {
			n = min_t(size_t, p->len, nvals);
			memcpy(vals, p->arr, n * sizeof(*vals));
		}
		kernel_param_unlock(THIS_MODULE);
		return n;
	}
	return n;
}
