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

/* Parses one scalar of p's type into *out, checking type and declared range. */
static int rkm_param_parse_one(const struct rkm_param *p, const char *val, u64 *out)
{
	s64 s;
	u64 u;
	bool b;
	int err;

	if (!val && p->type != RKM_PARAM_BOOL) {
		pr_err(KBUILD_MODNAME ": parameter %s needs a value\n", p->name);
		return -EINVAL;
	}
	switch (p->type) {
	case RKM_PARAM_BOOL:
		/* A bare "name" on the command line means true. */
		err = val ? kstrtobool(val, &b) : (b = true, 0);
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
		       val ?: "", rkm_param_type_names[p->type]);
	return err;
}

static int rkm_param_set(const char *val, const struct kernel_param *kp)
{
	struct rkm_param *p = kp->arg;
	u64 vals[64];
	unsigned int n = 0;
	size_t len;
	int err;

	if (p->type == RKM_PARAM_STR) {
		len = strcspn(val ?: "", "\n");	/* sysfs writes end with a newline */
		if (len > p->maxlen) {
			pr_err(KBUILD_MODNAME ": parameter %s: %zu bytes is longer than its maximum, %u\n",
			       p->name, len, p->maxlen);
			return -ENOSPC;
		}
		memcpy(p->str, val, len);
		p->str[len] = '\0';
		return 0;
	}
	if (!p->is_array) {
		err = rkm_param_parse_one(p, val, &vals[0]);
		if (!err)
			WRITE_ONCE(p->val, vals[0]);
		return err;
	}
	/* An array: comma-separated, all elements valid or nothing changes. */
	while (val && *val && *val != '\n') {
		char elem[32];
		size_t l = strcspn(val, ",\n");

		if (n == p->maxlen || n == ARRAY_SIZE(vals)) {
			pr_err(KBUILD_MODNAME ": parameter %s: more than %u elements\n",
			       p->name, p->maxlen);
			return -EINVAL;
		}
		if (l >= sizeof(elem)) {
			pr_err(KBUILD_MODNAME ": parameter %s: element too long\n", p->name);
			return -EINVAL;
		}
		memcpy(elem, val, l);
		elem[l] = '\0';
		err = rkm_param_parse_one(p, elem, &vals[n++]);
		if (err)
			return err;
		val += l;
		if (*val == ',')
			val++;
	}
	memcpy(p->arr, vals, n * sizeof(vals[0]));
	p->len = n;
	return 0;
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
	unsigned int i;
	int n = 0;

	if (p->type == RKM_PARAM_STR)
		return sysfs_emit(buf, "%s\n", p->str);
	if (!p->is_array)
		n = rkm_param_emit_one(p, READ_ONCE(p->val), buf, 0);
	for (i = 0; p->is_array && i < p->len; i++) {
		if (i)
			n += sysfs_emit_at(buf, n, ",");
		n += rkm_param_emit_one(p, p->arr[i], buf, n);
	}
	return n + sysfs_emit_at(buf, n, "\n");
}

const struct kernel_param_ops rkm_param_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = rkm_param_set,
	.get = rkm_param_show,
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
