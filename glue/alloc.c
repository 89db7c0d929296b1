// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: kernel memory for the crate's KBox, KVec and KString, and the
 * allocation-failure injection that tests use to walk every allocation.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "rkm_abi.h"

/*
 * rkm_fail_nth=N makes the N-th allocation from now on fail, once, as
 * /proc/self/fail-nth does with the kernel's fault injection (which stock
 * kernels lack). Reads back 0 once the failure has been injected.
 */
static atomic_t rkm_fail_countdown = ATOMIC_INIT(0);

static int rkm_fail_nth_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	/* The countdown is an atomic_t: 2^31 and more would read back negative. */
	if (n > INT_MAX)
		return -ERANGE;
	atomic_set(&rkm_fail_countdown, n);
	return 0;
}

static int rkm_fail_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&rkm_fail_countdown));
}

static const struct kernel_param_ops rkm_fail_nth_ops = {
	.set = rkm_fail_nth_set,
	.get = rkm_fail_nth_get,
};
module_param_cb(rkm_fail_nth, &rkm_fail_nth_ops, NULL, 0600);
MODULE_PARM_DESC(rkm_fail_nth, "test only: fail the N-th allocation from now on");

static bool rkm_fail_injected(void)
{
	return atomic_read(&rkm_fail_countdown) > 0 &&
	       atomic_dec_and_test(&rkm_fail_countdown);
}

static gfp_t rkm_gfp(u32 flags)
{
	gfp_t gfp;

	switch (flags & ~RKM_ALLOC_ZERO) {
	case RKM_ALLOC_KERNEL:
		gfp = GFP_KERNEL;
		break;
	case RKM_ALLOC_ATOMIC:
		gfp = GFP_ATOMIC;
		break;
	case RKM_ALLOC_NOWAIT:
		gfp = GFP_NOWAIT;
		break;
	default:
		return 0;
	}
	return gfp | (flags & RKM_ALLOC_ZERO ? __GFP_ZERO : 0);
}

void *rkm_realloc(void *ptr, size_t size, size_t align, u32 flags)
{
	gfp_t gfp = rkm_gfp(flags);

	if (!gfp || !size || !is_power_of_2(align) || size > KMALLOC_MAX_SIZE)
		return NULL;
	/* kmalloc aligns power-of-two sizes naturally, others to MINALIGN. */
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(max(size, align));
	if (size > KMALLOC_MAX_SIZE || rkm_fail_injected())
		return NULL;
	return krealloc(ptr, size, gfp | __GFP_NOWARN);
}

/* kmalloc() for the glue's own objects (locks, devices), with the injection. */
static void *rkm_kzalloc(size_t size)
{
	if (rkm_fail_injected())
		return NULL;
	return kzalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

void rkm_free(void *ptr)
{
	kfree(ptr);
}
