// SPDX-License-Identifier: GPL-2.0
/*
 * c_ticker: the C twin of rust_ticker (interface: ticker.h), with the
 * kernel's own APIs: hrtimer, delayed_work, kthread, debugfs, kfifo and a
 * misc device.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kfifo.h>
#include <linux/kthread.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "ticker.h"

static atomic64_t hr_ticks, work_runs, thread_wakes;
static atomic_t period_ms = ATOMIC_INIT(10);
static atomic_t fill = ATOMIC_INIT(1);
static atomic_t woken;
static DEFINE_MUTEX(ring_lock);
static DEFINE_KFIFO(ring, u8, TICKER_RING_SIZE);
static struct hrtimer hr;
static struct delayed_work work;
static struct task_struct *thread;
static struct dentry *dir;
static bool stopping;

static enum hrtimer_restart hr_fn(struct hrtimer *t)
{
	atomic64_inc(&hr_ticks);
	hrtimer_forward_now(t, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

static void work_fn(struct work_struct *w)
{
	atomic64_inc(&work_runs);
	atomic_set(&woken, 1);
	wake_up_process(thread);
	if (!READ_ONCE(stopping))
		schedule_delayed_work(&work, msecs_to_jiffies(atomic_read(&period_ms)));
}

static int thread_fn(void *arg)
{
	while (!kthread_should_stop()) {
		long left = HZ;
		bool got = false;

		for (;;) {
			set_current_state(TASK_INTERRUPTIBLE);
			if (atomic_xchg(&woken, 0)) {
				got = true;
				break;
			}
			if (kthread_should_stop() || !left)
				break;
			left = schedule_timeout(left);
		}
		__set_current_state(TASK_RUNNING);
		if (got) {
			u64 n = atomic64_inc_return(&thread_wakes);
			u8 b = '0' + n % 10;

			if (atomic_read(&fill)) {
				mutex_lock(&ring_lock);
				kfifo_put(&ring, b);
				mutex_unlock(&ring_lock);
			}
		}
	}
	return 0;
}

static ssize_t dev_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	unsigned int copied;
	int err;

	if (!len)
		return 0;
	mutex_lock(&ring_lock);
	if (kfifo_is_empty(&ring)) {
		mutex_unlock(&ring_lock);
		return -EAGAIN;
	}
	err = kfifo_to_user(&ring, buf, len, &copied);
	mutex_unlock(&ring_lock);
	return copied ? (ssize_t)copied : err;
}

static ssize_t dev_write(struct file *f, const char __user *buf, size_t len, loff_t *pos)
{
	unsigned int copied;
	int err;

	if (!len)
		return 0;
	mutex_lock(&ring_lock);
	if (kfifo_is_full(&ring)) {
		mutex_unlock(&ring_lock);
		return -EAGAIN;
	}
	err = kfifo_from_user(&ring, buf, len, &copied);
	mutex_unlock(&ring_lock);
	return copied ? (ssize_t)copied : err;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.read = dev_read,
	.write = dev_write,
};

static struct miscdevice misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_ticker",
	.fops = &dev_fops,
	.mode = 0600,
};

/* Read-only numbers: no write operation (a write fails with EINVAL, as in rust_ticker). */
static ssize_t u64_show(u64 v, char __user *buf, size_t len, loff_t *pos)
{
	char tmp[24];
	int n = scnprintf(tmp, sizeof(tmp), "%llu\n", v);

	return simple_read_from_buffer(buf, len, pos, tmp, n);
}

static ssize_t counter_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	atomic64_t *c = f->private_data;

	return u64_show(atomic64_read(c), buf, len, pos);
}

static ssize_t ring_len_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	u64 n;

	mutex_lock(&ring_lock);
	n = kfifo_len(&ring);
	mutex_unlock(&ring_lock);
	return u64_show(n, buf, len, pos);
}

static const struct file_operations counter_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = counter_read,
	.llseek = default_llseek,
};

static const struct file_operations ring_len_fops = {
	.owner = THIS_MODULE,
	.read = ring_len_read,
	.llseek = default_llseek,
};

/* A short decimal write, as rust_ticker's parse_u32. */
static int parse_u32(const char __user *ubuf, size_t len, u32 *v)
{
	char buf[TICKER_WRITE_MAX + 1];
	size_t n = len;
	u64 val = 0;
	size_t i;

	if (!len || len > TICKER_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[n - 1] == '\n')
		n--;
	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		val = val * 10 + (buf[i] - '0');
		if (val > U32_MAX)
			return -EINVAL;
	}
	*v = val;
	return 0;
}

static ssize_t u32_show(atomic_t *a, char __user *buf, size_t len, loff_t *pos)
{
	char tmp[16];
	int n = scnprintf(tmp, sizeof(tmp), "%u\n", atomic_read(a));

	return simple_read_from_buffer(buf, len, pos, tmp, n);
}

static ssize_t period_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	return u32_show(&period_ms, buf, len, pos);
}

static ssize_t period_write(struct file *f, const char __user *buf, size_t len, loff_t *pos)
{
	u32 v;
	int err = parse_u32(buf, len, &v);

	if (err)
		return err;
	if (!v || v > TICKER_PERIOD_MAX)
		return -EINVAL;
	atomic_set(&period_ms, v);
	return len;
}

static ssize_t fill_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	return u32_show(&fill, buf, len, pos);
}

static ssize_t fill_write(struct file *f, const char __user *buf, size_t len, loff_t *pos)
{
	u32 v;
	int err = parse_u32(buf, len, &v);

	if (err)
		return err;
	if (v > 1)
		return -EINVAL;
	atomic_set(&fill, v);
	return len;
}

static const struct file_operations period_fops = {
	.owner = THIS_MODULE,
	.read = period_read,
	.write = period_write,
	.llseek = default_llseek,
};

static const struct file_operations fill_fops = {
	.owner = THIS_MODULE,
	.read = fill_read,
	.write = fill_write,
	.llseek = default_llseek,
};

static void make_dir(void)
{
	dir = debugfs_create_dir("c_ticker", NULL);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("hrtimer_ticks", 0444, dir, &hr_ticks, &counter_fops);
	debugfs_create_file("work_runs", 0444, dir, &work_runs, &counter_fops);
	debugfs_create_file("thread_wakes", 0444, dir, &thread_wakes, &counter_fops);
	debugfs_create_file("ring_len", 0444, dir, NULL, &ring_len_fops);
	debugfs_create_file("period_ms", 0644, dir, NULL, &period_fops);
	debugfs_create_file("fill", 0644, dir, NULL, &fill_fops);
}

static int __init c_ticker_init(void)
{
	int err;

	thread = kthread_run(thread_fn, NULL, "c_ticker");
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	get_task_struct(thread);
	INIT_DELAYED_WORK(&work, work_fn);
	schedule_delayed_work(&work, 0);
	make_dir();
	err = misc_register(&misc);
	if (err)
		goto undo;
	hrtimer_init(&hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	hr.function = hr_fn;
	hrtimer_start(&hr, ms_to_ktime(1), HRTIMER_MODE_REL);
	return 0;
undo:
	debugfs_remove(dir);
	WRITE_ONCE(stopping, true);
	cancel_delayed_work_sync(&work);
	kthread_stop(thread);
	put_task_struct(thread);
	return err;
}

static void __exit c_ticker_exit(void)
{
	debugfs_remove(dir);
	misc_deregister(&misc);
	WRITE_ONCE(stopping, true);
	cancel_delayed_work_sync(&work);
	kthread_stop(thread);
	put_task_struct(thread);
	hrtimer_cancel(&hr);
}

module_init(c_ticker_init);
module_exit(c_ticker_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_ticker: hrtimer, delayed work, kthread, debugfs, kfifo");
