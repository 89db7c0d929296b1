// SPDX-License-Identifier: GPL-2.0
/* c_semaphore: the C twin of rust_semaphore, a shared counting semaphore (semaphore.h). */

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "semaphore.h"

/* Largest size-prefixed struct SEM_IOC_STATS accepts. */
#define SEM_USER_SIZE_MAX 4096

static_assert(sizeof(struct sem_stats) == 40);

/**
 * struct sem_dev - one semaphore, shared by every opener of its device
 * @misc: its misc device, /dev/c_semaphore or /dev/c_semaphoreN
 * @name: the device name
 * @lock: protects the counters
 * @wq: readers waiting for a unit (exclusive waits), and pollers
 * @count: units available; written under @lock, read locklessly by sleepers
 * @reads: reads completed (units taken)
 * @writes: writes completed (units given)
 * @waiters: readers asleep now
 */
struct sem_dev {
	struct miscdevice misc;
	char name[24];
	struct mutex lock;
	wait_queue_head_t wq;
	u64 count;
	u64 reads;
	u64 writes;
	u64 waiters;
};

static struct sem_dev *sems[4];

static unsigned int instances = 1;

/*
 * instances is range-checked at each .set, as rkm's glue checks a declared
 * range (and param_set_uint_minmax() does, with EINVAL): every occurrence on
 * the command line is parsed in order, the last one wins, and one out of
 * range fails the load even if a later one is in range.
 */
static int instances_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	if (n < 1 || n > ARRAY_SIZE(sems)) {
		pr_err("c_semaphore: parameter instances: '%s' is out of range [1, 4]\n", val);
		return -ERANGE;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops instances_ops = {
	.set = instances_set,
	.get = param_get_uint,
};
module_param_cb(instances, &instances_ops, &instances, 0444);
MODULE_PARM_DESC(instances, "Devices to create: NAME, NAME1, ... (1..4)");

static int sem_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice in private_data. */
	file->private_data = container_of(file->private_data, struct sem_dev, misc);
	return 0;
}

static int sem_release(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

/* The wakeup condition of a reader; checked without the lock. */
static bool sem_available(struct sem_dev *s)
{
	return READ_ONCE(s->count) > 0;
}

/**
 * sem_read() - take one unit, waiting for one if there is none.
 * @file: the open file
 * @ubuf: never touched
 * @n: ignored, may be 0
 * @ppos: ignored
 *
 * Counted in waiters while asleep.
 *
 * Return: 0 once a unit is taken, -EAGAIN if none is available and the file
 * is O_NONBLOCK, -ERESTARTSYS if a signal came while waiting.
 */
static ssize_t sem_read(struct file *file, char __user *ubuf, size_t n, loff_t *ppos)
{
	struct sem_dev *s = file->private_data;
	int ret;

	mutex_lock(&s->lock);
	while (!s->count) {
		if (file->f_flags & O_NONBLOCK) {
			mutex_unlock(&s->lock);
			return -EAGAIN;
		}
		s->waiters++;
		mutex_unlock(&s->lock);
		ret = wait_event_interruptible_exclusive(s->wq, sem_available(s));
		mutex_lock(&s->lock);
		s->waiters--;
		if (ret) {
			mutex_unlock(&s->lock);
			return -ERESTARTSYS;
		}
	}
	WRITE_ONCE(s->count, s->count - 1);
	s->reads++;
	mutex_unlock(&s->lock);
	return 0;
}

/**
 * sem_write() - give one unit and wake one waiting reader and the pollers.
 * @file: the open file
 * @ubuf: never read
 * @n: the size of the write; 0 gives nothing
 * @ppos: ignored
 *
 * Return: @n.
 */
static ssize_t sem_write(struct file *file, const char __user *ubuf, size_t n,
			 loff_t *ppos)
{
	struct sem_dev *s = file->private_data;

	if (!n)
		return 0;

	mutex_lock(&s->lock);
	WRITE_ONCE(s->count, s->count + 1);
	s->writes++;
	mutex_unlock(&s->lock);
	/* Wakes every poller and one exclusive waiter (a reader). */
	wake_up_interruptible(&s->wq);
	return n;
}

static __poll_t sem_poll(struct file *file, poll_table *wait)
{
	struct sem_dev *s = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &s->wq, wait);
	mutex_lock(&s->lock);
	if (s->count)
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&s->lock);
	return mask;
}

/**
 * sem_ioctl_stats() - SEM_IOC_STATS: write the 40-byte struct sem_stats.
 * @s: the device
 * @uarg: the caller's size-prefixed struct; bytes past the first 40 are left
 *        alone
 *
 * Return: 0, -EFAULT if the size is unreadable or the struct unwritable,
 * -EINVAL if the size is below 40, -E2BIG if above SEM_USER_SIZE_MAX.
 */
static long sem_ioctl_stats(struct sem_dev *s, void __user *uarg)
{
	struct sem_stats st = {
		.size = sizeof(st),
		.version = SEM_VERSION,
	};
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < sizeof(st))
		return -EINVAL;
	if (size > SEM_USER_SIZE_MAX)
		return -E2BIG;

	mutex_lock(&s->lock);
	st.count = s->count;
	st.reads = s->reads;
	st.writes = s->writes;
	st.waiters = s->waiters;
	mutex_unlock(&s->lock);

	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

/**
 * sem_ioctl_reset() - SEM_IOC_RESET: count = reads = writes = 0.
 * @s: the device
 *
 * Return: 0, or -EPERM without CAP_SYS_ADMIN.
 */
static long sem_ioctl_reset(struct sem_dev *s)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	mutex_lock(&s->lock);
	WRITE_ONCE(s->count, 0);
	s->reads = 0;
	s->writes = 0;
	mutex_unlock(&s->lock);
	return 0;
}

static long sem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sem_dev *s = file->private_data;

	switch (cmd) {
	case SEM_IOC_STATS:
		return sem_ioctl_stats(s, (void __user *)arg);
	case SEM_IOC_RESET:
		return sem_ioctl_reset(s);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sem_fops = {
	.owner = THIS_MODULE,
	.open = sem_open,
	.release = sem_release,
	.read = sem_read,
	.write = sem_write,
	.poll = sem_poll,
	.unlocked_ioctl = sem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static void sem_destroy(struct sem_dev *s)
{
	misc_deregister(&s->misc);
	mutex_destroy(&s->lock);
	kfree(s);
}

static int __init sem_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < instances; i++) {
		struct sem_dev *s = kzalloc(sizeof(*s), GFP_KERNEL);

		ret = -ENOMEM;
		if (!s)
			goto out_destroy;
		mutex_init(&s->lock);
		init_waitqueue_head(&s->wq);
		if (i)
			snprintf(s->name, sizeof(s->name), "c_semaphore%u", i);
		else
			strscpy(s->name, "c_semaphore", sizeof(s->name));
		s->misc.minor = MISC_DYNAMIC_MINOR;
		s->misc.name = s->name;
		s->misc.fops = &sem_fops;
		s->misc.mode = 0600;
		ret = misc_register(&s->misc);
		if (ret) {
			mutex_destroy(&s->lock);
			kfree(s);
			goto out_destroy;
		}
		sems[i] = s;
	}
	return 0;

out_destroy:
	while (i--)
		sem_destroy(sems[i]);
	return ret;
}

static void __exit sem_exit(void)
{
	unsigned int i = instances;

	while (i--)
		sem_destroy(sems[i]);
}

module_init(sem_init);
module_exit(sem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_semaphore: a counting semaphore shared by every opener");
MODULE_AUTHOR("rkm developers");
