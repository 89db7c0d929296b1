// SPDX-License-Identifier: GPL-2.0
/*
 * c_params: the C twin of rust_params. The same parameters with the kernel's
 * own param_ops_* (kernel/params.c), so that rust_params/test.c can check
 * that rkm's glue parses, refuses and shows them as a C module does.
 *
 * Where rkm keeps a rule of its own (see rust/src/param.rs), this twin does
 * the same thing with a few lines on top of the kernel's ops:
 * - a declared range is checked at each .set and refused with ERANGE, as
 *   param_set_uint_minmax() checks it (but that one says EINVAL): every
 *   occurrence on the command line is parsed in order, the last one wins,
 *   and one out of range fails the load even if a later one is in range;
 * - a string drops one trailing newline (echo's); param_set_copystring()
 *   would keep it;
 * - an array is set all or nothing: a bad element leaves the old value,
 *   where param_array_set() would keep the elements before it.
 */
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

static bool enable = true;
module_param(enable, bool, 0644);
MODULE_PARM_DESC(enable, "A switch");

static int level = -3;
static unsigned int count = 8;
module_param(count, uint, 0644);
MODULE_PARM_DESC(count, "A count");

static long offset = -5000000000L;
module_param(offset, long, 0444);
MODULE_PARM_DESC(offset, "A read-only 64-bit offset");

static unsigned long long big = ULLONG_MAX;
module_param(big, ullong, 0644);
MODULE_PARM_DESC(big, "A 64-bit unsigned value");

static char name[16 + 1] = "rkm";
static int ids[4] = { 1, -2, 3 };
static unsigned int ids_num = 3;
static unsigned long long masks[2];
static unsigned int masks_num;

/* level: an int in -10..10, ERANGE outside. */
static int level_set(const char *val, const struct kernel_param *kp)
{
	int v, err = kstrtoint(val, 0, &v);

	if (err)
		return err;
	if (v < -10 || v > 10)
		return -ERANGE;
	*(int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops level_ops = {
	.set = level_set,
	.get = param_get_int,
};
module_param_cb(level, &level_ops, &level, 0644);
MODULE_PARM_DESC(level, "A signed level");

/* name: at most 16 bytes, one trailing newline dropped. */
static int name_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strlen(val);

	if (len && val[len - 1] == '\n')
		len--;
	if (len >= sizeof(name))
		return -ENOSPC;
	memcpy(name, val, len);
	name[len] = '\0';
	return 0;
}

static int name_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", name);
}

static const struct kernel_param_ops name_ops = {
	.set = name_set,
	.get = name_get,
};
module_param_cb(name, &name_ops, NULL, 0644);
MODULE_PARM_DESC(name, "A short name");

/* A masks element: an unsigned long long in 0..255, ERANGE outside. */
static int mask_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long v;
	int err = kstrtoull(val, 0, &v);

	if (err)
		return err;
	if (v > 255)
		return -ERANGE;
	*(unsigned long long *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops mask_ops = {
	.set = mask_set,
	.get = param_get_ullong,
};

/* Arrays: the kernel's param_array_ops on a copy, kept only if all is valid. */
static int array_set(const char *val, const struct kernel_param *kp)
{
	const struct kparam_array *arr = kp->arr;
	unsigned long long tmp[4];
	struct kparam_array copy = *arr;
	struct kernel_param p = *kp;
	unsigned int num = 0;
	int err;

	if (arr->max * arr->elemsize > sizeof(tmp))
		return -EINVAL;
	copy.elem = tmp;
	copy.num = &num;
	p.arr = &copy;
	err = param_array_ops.set(val, &p);
	if (err)
		return err;
	memcpy(arr->elem, tmp, num * arr->elemsize);
	*arr->num = num;
	return 0;
}

static int array_get(char *buf, const struct kernel_param *kp)
{
	return param_array_ops.get(buf, kp);
}

static const struct kernel_param_ops array_ops = {
	.set = array_set,
	.get = array_get,
};

static const struct kparam_array ids_arr = {
	.max = ARRAY_SIZE(ids), .elemsize = sizeof(ids[0]), .num = &ids_num,
	.ops = &param_ops_int, .elem = ids,
};
__module_param_call(MODULE_PARAM_PREFIX, ids, &array_ops, .arr = &ids_arr, 0644, -1, 0);
__MODULE_PARM_TYPE(ids, "array of int");
MODULE_PARM_DESC(ids, "Up to four ids");

static const struct kparam_array masks_arr = {
	.max = ARRAY_SIZE(masks), .elemsize = sizeof(masks[0]), .num = &masks_num,
	.ops = &mask_ops, .elem = masks,
};
__module_param_call(MODULE_PARAM_PREFIX, masks, &array_ops, .arr = &masks_arr, 0600, -1, 0);
__MODULE_PARM_TYPE(masks, "array of ullong");
MODULE_PARM_DESC(masks, "Up to two masks");

static int __init c_params_init(void)
{
	pr_info("c_params: init: enable=%d level=%d count=%u offset=%ld big=%llu name=%s ids=%u masks=%u\n",
		enable, level, count, offset, big, name, ids_num, masks_num);
	return 0;
}

static void __exit c_params_exit(void)
{
}

module_init(c_params_init);
module_exit(c_params_exit);
MODULE_AUTHOR("rkm developers");
MODULE_DESCRIPTION("C twin of rust_params: the kernel's own parameter ops");
MODULE_LICENSE("GPL");
