// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue, issue 16: more of the file (mode, stream_open), fasync queues,
 * and timed and exclusive condition-variable waits.
 */
#ifdef RKM_GLUE_MISC
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

static_assert(RKM_POLL_IN == POLL_IN && RKM_POLL_OUT == POLL_OUT && RKM_POLL_MSG == POLL_MSG &&
	      RKM_POLL_ERR == POLL_ERR && RKM_POLL_PRI == POLL_PRI && RKM_POLL_HUP == POLL_HUP);

RKM_LEAF uint32_t rkm_file_mode(struct rkm_file *file)
{
	fmode_t m = rkm_kfile(file)->f_mode;

	return (m & FMODE_READ ? RKM_FMODE_READ : 0) | (m & FMODE_WRITE ? RKM_FMODE_WRITE : 0);
}

/* Only from the open callback (Rust lends the file there only), as in C. */
void rkm_file_stream_open(struct rkm_file *file)
{
	stream_open(file_inode(rkm_kfile(file)), rkm_kfile(file));
}

void rkm_file_nonseekable_open(struct rkm_file *file)
{
	nonseekable_open(file_inode(rkm_kfile(file)), rkm_kfile(file));
}

struct rkm_fasync *rkm_fasync_new(void)
{
	return rkm_kzalloc(sizeof(struct rkm_fasync));
}

void rkm_fasync_free(struct rkm_fasync *q)
{
	/*
	 * Every file leaves its queue before release (rkm_fop_fasync), and the
	 * queue outlives the files that name it: an entry here is a bug, and
	 * freeing under it would let kill_fasync() touch freed memory.
	 */
	if (READ_ONCE(q->head)) {
		pr_warn(KBUILD_MODNAME ": fasync queue dropped with a file on it: leaked, not freed\n");
		return;
	}
	kfree(q);
}

RKM_LEAF void rkm_fasync_kill(struct rkm_fasync *q, int band)
{
	kill_fasync(&q->head, SIGIO, band);
}

int rkm_condvar_wait_timeout(struct rkm_condvar *cv, struct rkm_mutex *m, unsigned int subclass,
			     bool exclusive, uint64_t timeout_ms, uint64_t *left_ms)
{
	long left = MAX_SCHEDULE_TIMEOUT;
	unsigned long flags;
	DEFINE_WAIT(wait);
	bool woken;

	*left_ms = 0;
	if (timeout_ms)
		left = msecs_to_jiffies(min_t(uint64_t, timeout_ms, UINT_MAX));
	if (exclusive)
		prepare_to_wait_exclusive(&cv->wq, &wait, TASK_INTERRUPTIBLE);
	else
		prepare_to_wait(&cv->wq, &wait, TASK_INTERRUPTIBLE);
	mutex_unlock(&m->mutex);
	/* A wakeup between prepare_to_wait() and here makes schedule() return. */
	if (!signal_pending(current))
		left = schedule_timeout(left);
	__set_current_state(TASK_RUNNING);
	/*
	 * Woken (autoremove_wake_function took the entry off) is decided under
	 * the queue's lock: a waiter chosen by notify_one reports it even with a
	 * signal or the timeout also there, so an exclusive wakeup is never
	 * consumed and lost (the caller re-checks its condition, as
	 * prepare_to_wait_event() callers do).
	 */
	spin_lock_irqsave(&cv->wq.lock, flags);
	woken = list_empty(&wait.entry);
	if (!woken)
		list_del_init(&wait.entry);
	spin_unlock_irqrestore(&cv->wq.lock, flags);
	mutex_lock_nested(&m->mutex, subclass);
	if (!woken && signal_pending(current))
		return -ERESTARTSYS;
	if (!woken && timeout_ms && !left)
		return -ETIMEDOUT;
	if (timeout_ms)
		*left_ms = jiffies_to_msecs(left);
	return 0;
}

RKM_LEAF void rkm_condvar_notify_one(struct rkm_condvar *cv)
{
	wake_up(&cv->wq);
}

struct rkm_mmap_buf {
	refcount_t refs;	/* the owner's, and one per VMA */
	void *mem;		/* vmalloc_user(), @size bytes */
	size_t size;
};

static struct vm_area_struct *rkm_kvma(struct rkm_vma *vma)
{
	return (struct vm_area_struct *)vma;
}

struct rkm_mmap_buf *rkm_mmap_buf_new(size_t size)
{
	struct rkm_mmap_buf *b;

	if (!size || size > INT_MAX)
		return NULL;
	b = rkm_kzalloc(sizeof(*b));
	if (!b)
		return NULL;
	b->size = PAGE_ALIGN(size);
	b->mem = rkm_fail_injected() ? NULL : vmalloc_user(b->size);
	if (!b->mem) {
		kfree(b);
		return NULL;
	}
	refcount_set(&b->refs, 1);
	return b;
}

void rkm_mmap_buf_get(struct rkm_mmap_buf *b)
{
	refcount_inc(&b->refs);
}

void rkm_mmap_buf_put(struct rkm_mmap_buf *b)
{
	if (refcount_dec_and_test(&b->refs)) {
		vfree(b->mem);
		kfree(b);
	}
}

RKM_LEAF size_t rkm_mmap_buf_size(struct rkm_mmap_buf *b)
{
	return b->size;
}

/* Plain copies: user space may write the pages meanwhile, as with any shared memory. */
void rkm_mmap_buf_read(struct rkm_mmap_buf *b, size_t off, void *dst, size_t len)
{
	memcpy(dst, b->mem + off, len);
}

void rkm_mmap_buf_write(struct rkm_mmap_buf *b, size_t off, const void *src, size_t len)
{
	memcpy(b->mem + off, src, len);
}

/*
 * Every VMA mapping a buffer holds a reference: ->open runs for each copy
 * of the VMA (fork, split, mremap), ->close once per VMA at unmap. These
 * functions are module text: a VMA holds its struct file (vm_file), which
 * holds the module (.owner), and ->close runs before that file is put.
 */
static void rkm_mmap_vma_open(struct vm_area_struct *vma)
{
	struct rkm_mmap_buf *b = vma->vm_private_data;

	refcount_inc(&b->refs);
}

static void rkm_mmap_vma_close(struct vm_area_struct *vma)
{
	rkm_mmap_buf_put(vma->vm_private_data);
}

static const struct vm_operations_struct rkm_mmap_vm_ops = {
	.open = rkm_mmap_vma_open,
	.close = rkm_mmap_vma_close,
};

int rkm_vma_map_buf(struct rkm_vma *v, struct rkm_mmap_buf *b)
{
	struct vm_area_struct *vma = rkm_kvma(v);
	int err;

	/* -EINVAL if the VMA (at its page offset) reaches past the buffer. */
	err = remap_vmalloc_range(vma, b->mem, vma->vm_pgoff);
	if (err)
		return err;
	refcount_inc(&b->refs);
	vma->vm_private_data = b;
	vma->vm_ops = &rkm_mmap_vm_ops;
	return 0;
}

RKM_LEAF size_t rkm_vma_len(struct rkm_vma *vma)
{
	return rkm_kvma(vma)->vm_end - rkm_kvma(vma)->vm_start;
}

RKM_LEAF uint64_t rkm_vma_pgoff(struct rkm_vma *vma)
{
	return rkm_kvma(vma)->vm_pgoff;
}

RKM_LEAF uint32_t rkm_vma_flags(struct rkm_vma *vma)
{
	unsigned long f = rkm_kvma(vma)->vm_flags;

	return (f & VM_WRITE ? RKM_VMA_WRITE : 0) | (f & VM_SHARED ? RKM_VMA_SHARED : 0);
}

/* In ->mmap, with mmap_lock held for writing, as vm_flags_clear() requires. */
void rkm_vma_deny_write(struct rkm_vma *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(rkm_kvma(vma), VM_MAYWRITE);
#else
	rkm_kvma(vma)->vm_flags &= ~VM_MAYWRITE;
#endif
}
#endif /* RKM_GLUE_MISC */
