// SPDX-License-Identifier: GPL-2.0
/* c_sync: the C twin of rust_sync, every lock kind and a reference count under load (sync.h). */

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "sync.h"

#define SYNC_RUN_VERSION 1
#define SYNC_MAX_ITERATIONS 1000000

static_assert(sizeof(struct sync_run) == 8);
static_assert(sizeof(struct sync_stats) == 56);

/**
 * struct sync_pair - two counters that a round increments one after the other
 * @a: incremented first; the count of rounds done under the pair's lock
 * @b: incremented second; equal to @a whenever the lock is free
 */
struct sync_pair {
	u64 a;
	u64 b;
};

/**
 * struct sync_shared - the object every round takes a reference to
 * @ref: the reference count; the device holds one reference for its lifetime
 */
struct sync_shared {
	struct kref ref;
};

/**
 * struct sync_dev - the state shared by every opener of /dev/c_sync
 * @mutex: protects @mutex_pair
 * @mutex_pair: the pair under the mutex
 * @spin: protects @spin_pair (spin_lock)
 * @spin_pair: the pair under the spinlock
 * @irq: protects @irq_pair (spin_lock_irqsave)
 * @irq_pair: the pair under the IRQ-saving spinlock
 * @shared: the reference-counted object
 * @arc_gets: references taken to @shared
 * @violations: times a pair was found with a != b under its lock
 * @runs: SYNC_IOC_RUN calls completed or interrupted
 */
struct sync_dev {
	struct mutex mutex;
	struct sync_pair mutex_pair;
	spinlock_t spin;
	struct sync_pair spin_pair;
	spinlock_t irq;
	struct sync_pair irq_pair;
	struct sync_shared *shared;
	atomic64_t arc_gets;
	atomic64_t violations;
	atomic64_t runs;
};

static struct sync_dev *sync_dev;

static void sync_shared_release(struct kref *ref)
{
	kfree(container_of(ref, struct sync_shared, ref));
}

static int sync_open(struct inode *inode, struct file *file)
{
	file->private_data = sync_dev;
	return 0;
}

static int sync_release(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

/* One step on a pair, under its lock: check a == b, then a += 1, b += 1. */
static void sync_pair_step(struct sync_dev *d, struct sync_pair *p)
{
	if (p->a != p->b)
		atomic64_inc(&d->violations);
	p->a++;
	p->b++;
}

/**
 * sync_round() - one round: each pair under its lock, then a reference taken
 * to the shared object and dropped.
 * @d: the device
 */
static void sync_round(struct sync_dev *d)
{
	unsigned long flags;

	mutex_lock(&d->mutex);
	sync_pair_step(d, &d->mutex_pair);
	mutex_unlock(&d->mutex);

	spin_lock(&d->spin);
	sync_pair_step(d, &d->spin_pair);
	spin_unlock(&d->spin);

	spin_lock_irqsave(&d->irq, flags);
	sync_pair_step(d, &d->irq_pair);
	spin_unlock_irqrestore(&d->irq, flags);

	kref_get(&d->shared->ref);
	atomic64_inc(&d->arc_gets);
	/* Never the last reference: the device keeps its own until exit. */
	kref_put(&d->shared->ref, sync_shared_release);
}

/**
 * sync_ioctl_run() - SYNC_IOC_RUN: run the rounds a struct sync_run asks for.
 * @d: the device
 * @uarg: the caller's struct sync_run, copied in whole
 *
 * A signal pending before a round ends the run; after each round the
 * scheduler gets a chance to run something else. A run that starts, whether
 * it completes or is interrupted, counts in runs.
 *
 * Return: 0, -EFAULT if @uarg is unreadable, -EINVAL for a version other than
 * 1 or more than SYNC_MAX_ITERATIONS rounds, -EINTR if a signal ended the run.
 */
static long sync_ioctl_run(struct sync_dev *d, const void __user *uarg)
{
	struct sync_run run;
	long ret = 0;
	u32 i;

	if (copy_from_user(&run, uarg, sizeof(run)))
		return -EFAULT;
	if (run.version != SYNC_RUN_VERSION || run.iterations > SYNC_MAX_ITERATIONS)
		return -EINVAL;

	for (i = 0; i < run.iterations; i++) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		sync_round(d);
		cond_resched();
	}
	atomic64_inc(&d->runs);
	return ret;
}

/**
 * sync_ioctl_stats() - SYNC_IOC_STATS: write struct sync_stats in whole.
 * @d: the device
 * @uarg: the caller's struct sync_stats
 *
 * Each pair's count is read under its lock; refs is the shared object's
 * reference count now.
 *
 * Return: 0, or -EFAULT if @uarg is unwritable.
 */
static long sync_ioctl_stats(struct sync_dev *d, void __user *uarg)
{
	struct sync_stats st = { };
	unsigned long flags;

	mutex_lock(&d->mutex);
	st.mutex_count = d->mutex_pair.a;
	mutex_unlock(&d->mutex);

	spin_lock(&d->spin);
	st.spin_count = d->spin_pair.a;
	spin_unlock(&d->spin);

	spin_lock_irqsave(&d->irq, flags);
	st.irq_count = d->irq_pair.a;
	spin_unlock_irqrestore(&d->irq, flags);

	st.arc_gets = atomic64_read(&d->arc_gets);
	st.refs = kref_read(&d->shared->ref);
	st.violations = atomic64_read(&d->violations);
	st.runs = atomic64_read(&d->runs);

	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static long sync_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sync_dev *d = file->private_data;

	switch (cmd) {
	case SYNC_IOC_RUN:
		return sync_ioctl_run(d, (const void __user *)arg);
	case SYNC_IOC_STATS:
		return sync_ioctl_stats(d, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sync_fops = {
	.owner = THIS_MODULE,
	.open = sync_open,
	.release = sync_release,
	.unlocked_ioctl = sync_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice sync_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_sync",
	.fops = &sync_fops,
	.mode = 0600,
};

static int __init sync_init(void)
{
	int ret;

	sync_dev = kzalloc(sizeof(*sync_dev), GFP_KERNEL);
	if (!sync_dev)
		return -ENOMEM;
	sync_dev->shared = kzalloc(sizeof(*sync_dev->shared), GFP_KERNEL);
	if (!sync_dev->shared) {
		ret = -ENOMEM;
		goto out_free_dev;
	}
	kref_init(&sync_dev->shared->ref);
	mutex_init(&sync_dev->mutex);
	spin_lock_init(&sync_dev->spin);
	spin_lock_init(&sync_dev->irq);
	atomic64_set(&sync_dev->arc_gets, 0);
	atomic64_set(&sync_dev->violations, 0);
	atomic64_set(&sync_dev->runs, 0);

	ret = misc_register(&sync_misc);
	if (ret)
		goto out_put_shared;
	return 0;

out_put_shared:
	mutex_destroy(&sync_dev->mutex);
	kref_put(&sync_dev->shared->ref, sync_shared_release);
out_free_dev:
	kfree(sync_dev);
	sync_dev = NULL;
	return ret;
}

static void __exit sync_exit(void)
{
	misc_deregister(&sync_misc);
	mutex_destroy(&sync_dev->mutex);
	kref_put(&sync_dev->shared->ref, sync_shared_release);
	kfree(sync_dev);
}

module_init(sync_init);
module_exit(sync_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_sync: every lock kind and a reference count under load");
MODULE_AUTHOR("rkm developers");
