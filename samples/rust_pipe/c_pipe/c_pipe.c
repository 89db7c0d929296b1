// SPDX-License-Identifier: GPL-2.0
/* c_pipe: the C twin of rust_pipe, an LDD3-style pipe (scull pipe) (pipe.h). */

#include <linux/build_bug.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/refcount.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "pipe.h"

static_assert(sizeof(struct pipe_info) == 24);

/*
 * The statistics page: vmalloc_user() memory with a reference for the
 * device and one per VMA mapping it (vm_ops open/close), freed at the last.
 */
struct pipe_stats_page {
	refcount_t refs;
	struct pipe_stats *mem;
};

static struct pipe_stats_page *stats_new(void)
{
	struct pipe_stats_page *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->mem = vmalloc_user(PIPE_STATS_SIZE);
	if (!s->mem) {
		kfree(s);
		return NULL;
	}
	refcount_set(&s->refs, 1);
	return s;
}

static void stats_put(struct pipe_stats_page *s)
{
	if (refcount_dec_and_test(&s->refs)) {
		vfree(s->mem);
		kfree(s);
	}
}

static void stats_vma_open(struct vm_area_struct *vma)
{
	struct pipe_stats_page *s = vma->vm_private_data;

	refcount_inc(&s->refs);
}

static void stats_vma_close(struct vm_area_struct *vma)
{
	stats_put(vma->vm_private_data);
}

static const struct vm_operations_struct stats_vm_ops = {
	.open = stats_vma_open,
	.close = stats_vma_close,
};

/**
 * struct pipe_dev - the pipe shared by every opener of /dev/c_pipe
 * @lock: protects everything below it
 * @readable: readers waiting for data (or for the last writer to go), pollers
 * @writable: writers waiting for room, exclusively (one per read), pollers
 * @async_queue: O_ASYNC owners
 * @buf: PIPE_CAP bytes; the pipe's are @buf[@head..] then @buf[..], @len of them
 */
struct pipe_dev {
	struct mutex lock;
	wait_queue_head_t readable;
	wait_queue_head_t writable;
	struct fasync_struct *async_queue;
	u8 *buf;
	size_t head;
	size_t len;
	u32 readers;
	u32 writers;
	u32 timeout_ms;
	u32 flushes;
	u64 generation, written, read;
	struct mutex stats_lock;	/* after @lock; mmap takes it under mmap_lock */
	struct pipe_stats_page *stats;
};

/* Under @lock. */
static void pipe_publish(struct pipe_dev *p)
{
	mutex_lock(&p->stats_lock);
	p->stats->mem->generation = p->generation;
	p->stats->mem->bytes_written = p->written;
	p->stats->mem->bytes_read = p->read;
	mutex_unlock(&p->stats_lock);
}

static struct pipe_dev *pipe;

static int pipe_open(struct inode *inode, struct file *file)
{
	struct pipe_dev *p = pipe;

	stream_open(inode, file);
	mutex_lock(&p->lock);
	p->readers += !!(file->f_mode & FMODE_READ);
	p->writers += !!(file->f_mode & FMODE_WRITE);
	mutex_unlock(&p->lock);
	file->private_data = p;
	return 0;
}

static int pipe_release(struct inode *inode, struct file *file)
{
	struct pipe_dev *p = file->private_data;
	bool reads = file->f_mode & FMODE_READ, writes = file->f_mode & FMODE_WRITE;
	bool no_readers, no_writers;

	mutex_lock(&p->lock);
	p->readers -= reads;
	p->writers -= writes;
	no_readers = !p->readers;
	no_writers = !p->writers;
	mutex_unlock(&p->lock);
	if (writes && no_writers)
		wake_up_all(&p->readable);
	if (reads && no_readers)
		wake_up_all(&p->writable);
	return 0;
}

static bool pipe_read_ready(struct pipe_dev *p)
{
	return READ_ONCE(p->len) || !READ_ONCE(p->writers);
}

static bool pipe_write_ready(struct pipe_dev *p)
{
	return READ_ONCE(p->len) < PIPE_CAP || !READ_ONCE(p->readers);
}

static ssize_t pipe_read(struct file *file, char __user *ubuf, size_t n, loff_t *ppos)
{
	struct pipe_dev *p = file->private_data;
	size_t first, copied;
	long left;
	bool timed;

	if (!n)
		return 0;
	mutex_lock(&p->lock);
	left = msecs_to_jiffies(p->timeout_ms);
	timed = p->timeout_ms;
	while (!p->len) {
		if (!p->writers) {
			mutex_unlock(&p->lock);
			return 0;
		}
		if (file->f_flags & O_NONBLOCK) {
			mutex_unlock(&p->lock);
			return -EAGAIN;
		}
		mutex_unlock(&p->lock);
		if (timed) {
			left = wait_event_interruptible_timeout(p->readable, pipe_read_ready(p), left);
			if (left < 0)
				return -ERESTARTSYS;
			if (!left)
				return -ETIMEDOUT;
		} else if (wait_event_interruptible(p->readable, pipe_read_ready(p))) {
			return -ERESTARTSYS;
		}
		mutex_lock(&p->lock);
	}
	n = min(n, p->len);
	first = min(n, PIPE_CAP - p->head);
	copied = first - copy_to_user(ubuf, p->buf + p->head, first);
	if (!copied) {
		mutex_unlock(&p->lock);
		return -EFAULT;
	}
	if (copied == first && n > first)
		copied += (n - first) - copy_to_user(ubuf + first, p->buf, n - first);
	p->head = (p->head + copied) % PIPE_CAP;
	p->len -= copied;
	p->read += copied;
	pipe_publish(p);
	mutex_unlock(&p->lock);
	wake_up(&p->writable);
	kill_fasync(&p->async_queue, SIGIO, POLL_OUT);
	return copied;
}

static ssize_t pipe_write(struct file *file, const char __user *ubuf, size_t n, loff_t *ppos)
{
	struct pipe_dev *p = file->private_data;
	size_t tail, first, copied;
	bool room;

	if (!n)
		return 0;
	mutex_lock(&p->lock);
	for (;;) {
		if (!p->readers) {
			mutex_unlock(&p->lock);
			return -EPIPE;
		}
		if (p->len < PIPE_CAP)
			break;
		if (file->f_flags & O_NONBLOCK) {
			mutex_unlock(&p->lock);
			return -EAGAIN;
		}
		mutex_unlock(&p->lock);
		if (wait_event_interruptible_exclusive(p->writable, pipe_write_ready(p)))
			return -ERESTARTSYS;
		mutex_lock(&p->lock);
	}
	n = min(n, PIPE_CAP - p->len);
	tail = (p->head + p->len) % PIPE_CAP;
	first = min(n, PIPE_CAP - tail);
	copied = first - copy_from_user(p->buf + tail, ubuf, first);
	if (!copied) {
		mutex_unlock(&p->lock);
		return -EFAULT;
	}
	if (copied == first && n > first)
		copied += (n - first) - copy_from_user(p->buf, ubuf + first, n - first);
	p->len += copied;
	p->written += copied;
	pipe_publish(p);
	room = p->len < PIPE_CAP;
	mutex_unlock(&p->lock);
	wake_up_all(&p->readable);
	kill_fasync(&p->async_queue, SIGIO, POLL_IN);
	if (room)
		wake_up(&p->writable);	/* pass the room on to the next blocked writer */
	return copied;
}

static long pipe_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pipe_dev *p = file->private_data;
	struct pipe_info info = { .cap = PIPE_CAP };
	struct pipe_stats_page *fresh, *old;
	u32 ms;

	switch (cmd) {
	case PIPE_IOC_INFO:
		mutex_lock(&p->lock);
		info.len = p->len;
		info.readers = p->readers;
		info.writers = p->writers;
		info.timeout_ms = p->timeout_ms;
		info.flushes = p->flushes;
		mutex_unlock(&p->lock);
		return copy_to_user((void __user *)arg, &info, sizeof(info)) ? -EFAULT : 0;
	case PIPE_IOC_SET_TIMEOUT:
		if (get_user(ms, (u32 __user *)arg))
			return -EFAULT;
		if (ms > PIPE_MAX_TIMEOUT_MS)
			return -EINVAL;
		mutex_lock(&p->lock);
		p->timeout_ms = ms;
		mutex_unlock(&p->lock);
		return 0;
	case PIPE_IOC_NEW_STATS:
		fresh = stats_new();
		if (!fresh)
			return -ENOMEM;
		mutex_lock(&p->lock);
		p->generation++;
		p->written = 0;
		p->read = 0;
		mutex_lock(&p->stats_lock);
		old = p->stats;
		p->stats = fresh;
		mutex_unlock(&p->stats_lock);
		pipe_publish(p);
		mutex_unlock(&p->lock);
		stats_put(old);	/* mappings of the old page keep it */
		return 0;
	default:
		return -ENOTTY;
	}
}

static __poll_t pipe_poll(struct file *file, struct poll_table_struct *wait)
{
	struct pipe_dev *p = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &p->readable, wait);
	poll_wait(file, &p->writable, wait);
	mutex_lock(&p->lock);
	if (file->f_mode & FMODE_READ) {
		if (p->len)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!p->writers)
			mask |= EPOLLHUP | EPOLLRDHUP;
	}
	if (file->f_mode & FMODE_WRITE) {
		if (p->len < PIPE_CAP)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (!p->readers)
			mask |= EPOLLERR;
	}
	mutex_unlock(&p->lock);
	return mask;
}

static int pipe_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pipe_dev *p = file->private_data;
	int err;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PIPE_STATS_SIZE)
		return -EINVAL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);	/* mprotect(PROT_WRITE): EACCES */
#else
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
	mutex_lock(&p->stats_lock);
	err = remap_vmalloc_range(vma, p->stats->mem, 0);
	if (!err) {
		refcount_inc(&p->stats->refs);
		vma->vm_private_data = p->stats;
		vma->vm_ops = &stats_vm_ops;
	}
	mutex_unlock(&p->stats_lock);
	return err;
}

static int pipe_flush(struct file *file, fl_owner_t id)
{
	struct pipe_dev *p = file->private_data;

	mutex_lock(&p->lock);
	p->flushes++;
	mutex_unlock(&p->lock);
	return 0;
}

static int pipe_fasync(int fd, struct file *file, int on)
{
	struct pipe_dev *p = file->private_data;

	return fasync_helper(fd, file, on, &p->async_queue);
}

static const struct file_operations pipe_fops = {
	.owner = THIS_MODULE,
	.open = pipe_open,
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
	.unlocked_ioctl = pipe_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = pipe_poll,
	.flush = pipe_flush,
	.mmap = pipe_mmap,
	.fasync = pipe_fasync,
};

static struct miscdevice pipe_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_pipe",
	.fops = &pipe_fops,
	.mode = 0666,
};

static int __init pipe_init(void)
{
	int err;

	pipe = kzalloc(sizeof(*pipe), GFP_KERNEL);
	if (!pipe)
		return -ENOMEM;
	pipe->buf = kzalloc(PIPE_CAP, GFP_KERNEL);
	if (!pipe->buf) {
		kfree(pipe);
		return -ENOMEM;
	}
	pipe->stats = stats_new();
	if (!pipe->stats) {
		kfree(pipe->buf);
		kfree(pipe);
		return -ENOMEM;
	}
	pipe->generation = 1;
	mutex_init(&pipe->lock);
	mutex_init(&pipe->stats_lock);
	pipe_publish(pipe);
	init_waitqueue_head(&pipe->readable);
	init_waitqueue_head(&pipe->writable);
	err = misc_register(&pipe_misc);
	if (err) {
		stats_put(pipe->stats);
		kfree(pipe->buf);
		kfree(pipe);
	}
	return err;
}

static void __exit pipe_exit(void)
{
	misc_deregister(&pipe_misc);
	stats_put(pipe->stats);
	kfree(pipe->buf);
	kfree(pipe);
}

module_init(pipe_init);
module_exit(pipe_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_pipe: an LDD3-style pipe");
MODULE_AUTHOR("rkm developers");
