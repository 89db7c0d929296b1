// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue, issue 16: more of the file (mode, stream_open), fasync queues,
 * and timed and exclusive condition-variable waits.
 */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
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

struct rkm_kthread {
	struct completion done;
	void (*fn)(void *arg);
	void *arg;
};

static int rkm_kthread_fn(void *p)
{
	struct rkm_kthread *t = p;

	t->fn(t->arg);
	/* Leaves module text before the joiner can return (and rmmod follow). */
	kthread_complete_and_exit(&t->done, 0);
}

struct rkm_kthread *rkm_kthread_run(void (*fn)(void *arg), void *arg)
{
	struct rkm_kthread *t = rkm_kzalloc(sizeof(*t));
	struct task_struct *task;

	if (!t)
		return NULL;
	init_completion(&t->done);
	t->fn = fn;
	t->arg = arg;
	task = kthread_run(rkm_kthread_fn, t, KBUILD_MODNAME "-test");
	if (IS_ERR(task)) {
		kfree(t);
		return NULL;
	}
	return t;
}

void rkm_kthread_join(struct rkm_kthread *t)
{
	wait_for_completion(&t->done);
	kfree(t);
}
