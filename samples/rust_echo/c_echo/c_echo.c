// SPDX-License-Identifier: GPL-2.0
/* c_echo: the C twin of rust_echo, a bounded buffer shared by every opener (echo.h). */

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "echo.h"

/* Sizes the ioctls accept for their size-prefixed structs (version 1: 24). */
#define ECHO_USER_SIZE_MIN 24
#define ECHO_USER_SIZE_MAX 4096
/* Bytes copied from user memory at a time on write (see echo_copy_in()). */
#define ECHO_BOUNCE_SIZE 256

static_assert(sizeof(struct echo_info) == ECHO_USER_SIZE_MIN);
static_assert(sizeof(struct echo_resize) == ECHO_USER_SIZE_MIN);

/**
 * struct echo_dev - the buffer shared by every opener of /dev/c_echo
 * @lock: protects @buf, @len and @cap
 * @wq: readers waiting for data, and pollers
 * @buf: @cap bytes; those from @len on are always zero, so a gap between
 *       the stored length and a write's position reads as zeros
 * @len: bytes stored; written under @lock, read locklessly by sleepers
 * @cap: capacity, 1..ECHO_MAX_CAP
 */
struct echo_dev {
	struct mutex lock;
	wait_queue_head_t wq;
	u8 *buf;
	size_t len;
	size_t cap;
};

static struct echo_dev *echo;

static int echo_open(struct inode *inode, struct file *file)
{
	file->private_data = echo;
	return 0;
}

static int echo_release(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

/* The wakeup condition of a reader at @pos; checked without the lock. */
static bool echo_readable(struct echo_dev *d, loff_t pos)
{
	return (loff_t)READ_ONCE(d->len) > pos;
}

/**
 * echo_read() - read stored bytes at *@ppos, waiting for some if there are none.
 * @file: the open file
 * @ubuf: the user buffer
 * @n: its size
 * @ppos: the position to read at, advanced by the bytes copied
 *
 * Return: the bytes copied (short if a fault stopped the copy), 0 if @n is 0,
 * -EAGAIN if nothing is stored at *@ppos and the file is O_NONBLOCK,
 * -ERESTARTSYS if a signal came while waiting, -EFAULT if no byte could be
 * copied.
 */
static ssize_t echo_read(struct file *file, char __user *ubuf, size_t n, loff_t *ppos)
{
	struct echo_dev *d = file->private_data;
	loff_t pos = *ppos;
	size_t k, left;
	ssize_t ret;

	if (!n)
		return 0;

	mutex_lock(&d->lock);
	while (pos >= (loff_t)d->len) {
		mutex_unlock(&d->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(d->wq, echo_readable(d, pos)))
			return -ERESTARTSYS;
		mutex_lock(&d->lock);
	}

	k = min_t(size_t, n, d->len - pos);
	left = copy_to_user(ubuf, d->buf + pos, k);
	if (left == k) {
		ret = -EFAULT;
		goto out_unlock;
	}
	ret = k - left;
	*ppos = pos + ret;
out_unlock:
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * echo_copy_in() - copy bytes from user memory, stopping at the first fault.
 * @dst: the destination in the buffer
 * @src: the user source
 * @n: the bytes to copy
 *
 * copy_from_user() zeroes the part of its destination it could not fill,
 * which here would erase stored bytes past a fault that the write does not
 * report as written. Going through a small bounce buffer keeps them: a short
 * write changes exactly the bytes it counts.
 *
 * Return: the bytes copied to @dst, from the first one up to the first fault.
 */
static size_t echo_copy_in(u8 *dst, const char __user *src, size_t n)
{
	u8 bounce[ECHO_BOUNCE_SIZE];
	size_t done = 0;

	while (done < n) {
		size_t chunk = min_t(size_t, n - done, sizeof(bounce));
		size_t got = chunk - copy_from_user(bounce, src + done, chunk);

		memcpy(dst + done, bounce, got);
		done += got;
		if (got < chunk)
			break;
	}
	return done;
}

/**
 * echo_write() - store bytes at *@ppos and wake readers and pollers.
 * @file: the open file
 * @ubuf: the user buffer
 * @n: its size
 * @ppos: the position to write at, advanced by the bytes copied
 *
 * Return: the bytes copied (at most the room left before the capacity; short
 * if a fault stopped the copy), 0 if @n is 0, -ENOSPC if *@ppos is at or past
 * the capacity, -EFAULT if no byte could be copied.
 */
static ssize_t echo_write(struct file *file, const char __user *ubuf, size_t n,
			  loff_t *ppos)
{
	struct echo_dev *d = file->private_data;
	loff_t pos = *ppos;
	size_t k, copied;
	ssize_t ret;

	if (!n)
		return 0;

	mutex_lock(&d->lock);
	if (pos >= (loff_t)d->cap) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	k = min_t(size_t, n, d->cap - pos);
	copied = echo_copy_in(d->buf + pos, ubuf, k);
	if (!copied) {
		ret = -EFAULT;
		goto out_unlock;
	}
	if (pos + copied > d->len)
		WRITE_ONCE(d->len, pos + copied);
	*ppos = pos + copied;
	ret = copied;
	mutex_unlock(&d->lock);
	wake_up_interruptible(&d->wq);
	return ret;

out_unlock:
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * echo_llseek() - move the file position.
 * @file: the open file
 * @off: the offset
 * @whence: SEEK_SET (from 0), SEEK_CUR (from the position) or SEEK_END
 *          (from the stored length)
 *
 * Return: the new position, or -EINVAL for another @whence (SEEK_DATA,
 * SEEK_HOLE...), an overflow, or a result below 0 or above the capacity.
 */
static loff_t echo_llseek(struct file *file, loff_t off, int whence)
{
	struct echo_dev *d = file->private_data;
	loff_t base, pos;

	mutex_lock(&d->lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = file->f_pos;
		break;
	case SEEK_END:
		base = d->len;
		break;
	default:
		pos = -EINVAL;
		goto out_unlock;
	}
	if (check_add_overflow(base, off, &pos) || pos < 0 || pos > (loff_t)d->cap) {
		pos = -EINVAL;
		goto out_unlock;
	}
	file->f_pos = pos;
out_unlock:
	mutex_unlock(&d->lock);
	return pos;
}

static __poll_t echo_poll(struct file *file, poll_table *wait)
{
	struct echo_dev *d = file->private_data;
	loff_t pos = file->f_pos;
	__poll_t mask = 0;

	poll_wait(file, &d->wq, wait);
	mutex_lock(&d->lock);
	if ((loff_t)d->len > pos)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (pos < (loff_t)d->cap)
		mask |= EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&d->lock);
	return mask;
}

/**
 * echo_user_size() - read and check the size prefix of an ioctl's struct.
 * @uarg: the struct in user memory
 * @size: where the size goes
 *
 * Return: 0, -EFAULT if unreadable, -EINVAL if smaller than the 24-byte
 * struct, -E2BIG if larger than ECHO_USER_SIZE_MAX.
 */
static int echo_user_size(const void __user *uarg, u32 *size)
{
	if (get_user(*size, (const u32 __user *)uarg))
		return -EFAULT;
	if (*size < ECHO_USER_SIZE_MIN)
		return -EINVAL;
	if (*size > ECHO_USER_SIZE_MAX)
		return -E2BIG;
	return 0;
}

/**
 * echo_ioctl_info() - ECHO_IOC_INFO: write the 24-byte struct echo_info.
 * @d: the device
 * @uarg: the caller's struct; bytes past the first 24 are left alone
 *
 * Return: 0 or a negative errno (see echo_user_size(), -EFAULT).
 */
static long echo_ioctl_info(struct echo_dev *d, void __user *uarg)
{
	struct echo_info info = {
		.size = sizeof(info),
		.version = ECHO_VERSION,
	};
	u32 size;
	int ret;

	ret = echo_user_size(uarg, &size);
	if (ret)
		return ret;

	mutex_lock(&d->lock);
	info.len = d->len;
	info.cap = d->cap;
	mutex_unlock(&d->lock);

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/**
 * echo_ioctl_resize() - ECHO_IOC_RESIZE: change the capacity.
 * @d: the device
 * @uarg: the caller's struct echo_resize; bytes past the first 24 must be zero
 *
 * Stored bytes past the new capacity are dropped. Wakes pollers, for whom
 * room to write may have appeared.
 *
 * Checked in this order: CAP_SYS_ADMIN (-EPERM); the size (echo_user_size());
 * the 24-byte struct (-EFAULT); the bytes past it, which must read as zero
 * (-EFAULT, -E2BIG); version 1, reserved 0 and a capacity in
 * 1..ECHO_MAX_CAP (-EINVAL); the new buffer (-ENOMEM).
 *
 * Return: 0 or the negative errno of the first check that failed.
 */
static long echo_ioctl_resize(struct echo_dev *d, void __user *uarg)
{
	struct echo_resize req;
	u8 *buf, *old;
	size_t len;
	u32 size;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = echo_user_size(uarg, &size);
	if (ret)
		return ret;
	/* The size field is read again here, and ignored: size stays as checked. */
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = check_zeroed_user(uarg + sizeof(req), size - sizeof(req));
	if (ret < 0)
		return ret;
	if (!ret)
		return -E2BIG;
	if (req.version != ECHO_VERSION || req.reserved || req.cap < 1 || req.cap > ECHO_MAX_CAP)
		return -EINVAL;

	buf = kvzalloc(req.cap, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		return -ENOMEM;

	mutex_lock(&d->lock);
	len = min_t(size_t, d->len, req.cap);
	memcpy(buf, d->buf, len);
	old = d->buf;
	d->buf = buf;
	d->cap = req.cap;
	WRITE_ONCE(d->len, len);
	mutex_unlock(&d->lock);

	kvfree(old);
	wake_up_interruptible(&d->wq);
	return 0;
}

static long echo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct echo_dev *d = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case ECHO_IOC_INFO:
		return echo_ioctl_info(d, uarg);
	case ECHO_IOC_RESIZE:
		return echo_ioctl_resize(d, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations echo_fops = {
	.owner = THIS_MODULE,
	.open = echo_open,
	.release = echo_release,
	.read = echo_read,
	.write = echo_write,
	.llseek = echo_llseek,
	.poll = echo_poll,
	.unlocked_ioctl = echo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice echo_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_echo",
	.fops = &echo_fops,
	.mode = 0666,
};

static int __init echo_init(void)
{
	int ret;

	echo = kzalloc(sizeof(*echo), GFP_KERNEL);
	if (!echo)
		return -ENOMEM;
	echo->buf = kvzalloc(ECHO_DEFAULT_CAP, GFP_KERNEL);
	if (!echo->buf) {
		ret = -ENOMEM;
		goto out_free_echo;
	}
	echo->cap = ECHO_DEFAULT_CAP;
	mutex_init(&echo->lock);
	init_waitqueue_head(&echo->wq);

	ret = misc_register(&echo_misc);
	if (ret)
		goto out_free_buf;
	return 0;

out_free_buf:
	mutex_destroy(&echo->lock);
	kvfree(echo->buf);
out_free_echo:
	kfree(echo);
	echo = NULL;
	return ret;
}

static void __exit echo_exit(void)
{
	misc_deregister(&echo_misc);
	mutex_destroy(&echo->lock);
	kvfree(echo->buf);
	kfree(echo);
}

module_init(echo_init);
module_exit(echo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_echo: a bounded buffer shared by every opener");
MODULE_AUTHOR("rkm developers");
