// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: mutexes, spinlocks, wait queues and reference counts for the
 * crate's Mutex, SpinLock, SpinLockIrq, CondVar and Arc. The lock objects
 * live here, in kmalloc'ed memory, so that Rust never moves them.
 */
#include <linux/build_bug.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "rkm_abi.h"

/* Rust's per-site key storage must hold the kernel's key, whatever the config. */
static_assert(sizeof(struct lock_class_key) <= RKM_LOCK_KEY_SIZE);
static_assert(__alignof__(struct lock_class_key) <= 8);
static_assert(sizeof(refcount_t) == 4);

void *rkm_mutex_new(const char *name, void *key)
{
	struct mutex *m = rkm_kzalloc(sizeof(*m));

	if (m)
		__mutex_init(m, name, key);
	return m;
}

void rkm_mutex_free(void *m)
{
	mutex_destroy(m);
	kfree(m);
}

RKM_LEAF void rkm_mutex_lock(void *m)
{
	mutex_lock(m);
}

int rkm_mutex_lock_interruptible(void *m)
{
	return mutex_lock_interruptible(m);
}

RKM_LEAF void rkm_mutex_unlock(void *m)
{
	mutex_unlock(m);
}

/* What spin_lock_init() does for each configuration, with our key and name. */
static void rkm_spin_lock_init_key(spinlock_t *s, const char *name, void *key)
{
#if defined(CONFIG_PREEMPT_RT)
	rt_mutex_base_init(&s->lock);
	__rt_spin_lock_init(s, name, key, false);
#elif defined(CONFIG_DEBUG_SPINLOCK)
	__raw_spin_lock_init(spinlock_check(s), name, key, LD_WAIT_CONFIG);
#else
	spin_lock_init(s);
#endif
}

void *rkm_spinlock_new(const char *name, void *key)
{
	spinlock_t *s = rkm_kzalloc(sizeof(*s));

	if (s)
		rkm_spin_lock_init_key(s, name, key);
	return s;
}

void rkm_spinlock_free(void *s)
{
	kfree(s);
}

RKM_LEAF void rkm_spin_lock(void *s)
{
	spin_lock(s);
}

RKM_LEAF void rkm_spin_unlock(void *s)
{
	spin_unlock(s);
}

RKM_LEAF unsigned long rkm_spin_lock_irqsave(void *s)
{
	unsigned long flags;

	spin_lock_irqsave((spinlock_t *)s, flags);
	return flags;
}

RKM_LEAF void rkm_spin_unlock_irqrestore(void *s, unsigned long flags)
{
	spin_unlock_irqrestore(s, flags);
}

void *rkm_condvar_new(const char *name, void *key)
{
	struct wait_queue_head *wq = rkm_kzalloc(sizeof(*wq));

	if (wq)
		__init_waitqueue_head(wq, name, key);
	return wq;
}

void rkm_condvar_free(void *cv)
{
	/*
	 * Rust ties registered poll entries to the per-open state, so none
	 * should remain; if one does, tell epoll the queue is going away and
	 * let RCU readers of the queue finish, as wake_up_pollfree() requires.
	 */
	if (waitqueue_active((struct wait_queue_head *)cv)) {
		wake_up_pollfree((struct wait_queue_head *)cv);
		synchronize_rcu();
	}
	kfree(cv);
}

int rkm_condvar_wait_mutex(void *cv, void *m)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	prepare_to_wait(cv, &wait, TASK_INTERRUPTIBLE);
	mutex_unlock(m);
	/* A wakeup between prepare_to_wait() and here makes schedule() return. */
	if (!signal_pending(current))
		schedule();
	if (signal_pending(current))
		ret = -ERESTARTSYS;
	finish_wait(cv, &wait);
	mutex_lock(m);
	return ret;
}

RKM_LEAF void rkm_condvar_notify_all(void *cv)
{
	wake_up_all((struct wait_queue_head *)cv);
}

void rkm_refcount_set(void *ref, unsigned int n)
{
	refcount_set(ref, n);
}

RKM_LEAF void rkm_refcount_inc(void *ref)
{
	refcount_inc(ref);
}

RKM_LEAF bool rkm_refcount_dec_and_test(void *ref)
{
	return refcount_dec_and_test(ref);
}

unsigned int rkm_refcount_read(void *ref)
{
	return refcount_read(ref);
}

bool rkm_signal_pending(void)
{
	return signal_pending(current);
}

void rkm_cond_resched(void)
{
	cond_resched();
}
