// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: mutexes, spinlocks, wait queues, completions and reference
 * counts for the crate's Mutex, SpinLock, SpinLockIrq, CondVar, Completion
 * and Arc. The kernel objects live here, in kmalloc'ed memory, so that Rust
 * never moves them.
 */
#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/delay.h>
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

/* The ABI's handles: each one the kernel object alone. */
struct rkm_lock_key {
	struct lock_class_key key;	/* in RKM_LOCK_KEY_SIZE bytes of Rust static storage */
};

struct rkm_mutex {
	struct mutex mutex;
};

struct rkm_spinlock {
	spinlock_t lock;
};

struct rkm_condvar {
	struct wait_queue_head wq;
};

struct rkm_refcount {
	refcount_t refs;	/* 4 bytes of Rust memory */
};

struct rkm_completion {
	struct completion done;
};

/* Rust's per-site key storage must hold the kernel's key, whatever the config. */
static_assert(sizeof(struct rkm_lock_key) <= RKM_LOCK_KEY_SIZE);
static_assert(__alignof__(struct rkm_lock_key) <= 8);
static_assert(sizeof(struct rkm_refcount) == 4 && __alignof__(struct rkm_refcount) <= 4);

struct rkm_mutex *rkm_mutex_new(const char *name, struct rkm_lock_key *key)
{
	struct rkm_mutex *m = rkm_kzalloc(sizeof(*m));

	if (m)
		__mutex_init(&m->mutex, name, &key->key);
	return m;
}

/*
 * Safe Rust can mem::forget a guard and then drop the lock: the lock stays
 * held for good (a deadlock for the next taker, as a missing unlock in C,
 * which lockdep reports), but its memory must not be reused under it, so a
 * held lock is leaked, with a warning, rather than freed.
 */
static bool rkm_lock_still_held(bool held, const char *what)
{
	if (held)
		pr_warn(KBUILD_MODNAME ": %s dropped while held (a guard was forgotten): leaked, not freed\n",
			what);
	return held;
}

void rkm_mutex_free(struct rkm_mutex *m)
{
	if (rkm_lock_still_held(mutex_is_locked(&m->mutex), "mutex"))
		return;
	mutex_destroy(&m->mutex);
	kfree(m);
}

/* Without lockdep, mutex_lock_nested() and spin_lock_nested() ignore the subclass. */
static_assert(RKM_LOCK_SUBCLASSES <= MAX_LOCKDEP_SUBCLASSES);

RKM_LEAF void rkm_mutex_lock(struct rkm_mutex *m, unsigned int subclass)
{
	mutex_lock_nested(&m->mutex, subclass);
}

int rkm_mutex_lock_interruptible(struct rkm_mutex *m)
{
	return mutex_lock_interruptible(&m->mutex);
}

RKM_LEAF void rkm_mutex_unlock(struct rkm_mutex *m)
{
	mutex_unlock(&m->mutex);
}

/* What spin_lock_init() does for each configuration, with our key and name. */
static void rkm_spin_lock_init_key(spinlock_t *s, const char *name, struct lock_class_key *key)
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

struct rkm_spinlock *rkm_spinlock_new(const char *name, struct rkm_lock_key *key)
{
	struct rkm_spinlock *s = rkm_kzalloc(sizeof(*s));

	if (s)
		rkm_spin_lock_init_key(&s->lock, name, &key->key);
	return s;
}

void rkm_spinlock_free(struct rkm_spinlock *s)
{
	if (rkm_lock_still_held(spin_is_locked(&s->lock), "spinlock"))
		return;
	kfree(s);
}

RKM_LEAF void rkm_spin_lock(struct rkm_spinlock *s, unsigned int subclass)
{
	spin_lock_nested(&s->lock, subclass);
}

RKM_LEAF void rkm_spin_unlock(struct rkm_spinlock *s)
{
	spin_unlock(&s->lock);
}

/*
 * Interrupts off for SpinLockIrq, counted per CPU rather than saved per
 * guard: Rust may drop two guards in the order it took them, and a pair of
 * spin_lock_irqsave()/spin_unlock_irqrestore() would then turn interrupts
 * back on while the second lock is held, and leave them off once both are
 * free. The first lock taken on a CPU saves the flags, the last one released
 * restores them, whatever the order in between (the design of upstream's
 * local_interrupt_disable()). While the count is non-zero interrupts are off,
 * so the CPU cannot change and no handler on it can interleave. On
 * PREEMPT_RT spin_lock_irqsave() leaves interrupts on (the lock sleeps and
 * handlers run in threads): there is nothing to count.
 */
#ifndef CONFIG_PREEMPT_RT
static DEFINE_PER_CPU(unsigned int, rkm_irq_off_depth);
static DEFINE_PER_CPU(unsigned long, rkm_irq_off_flags);
#endif

RKM_LEAF void rkm_spin_lock_irq(struct rkm_spinlock *s, unsigned int subclass)
{
#ifndef CONFIG_PREEMPT_RT
	unsigned long flags;

	local_irq_save(flags);
	if (this_cpu_inc_return(rkm_irq_off_depth) == 1)
		this_cpu_write(rkm_irq_off_flags, flags);
#endif
	spin_lock_nested(&s->lock, subclass);
}

RKM_LEAF void rkm_spin_unlock_irq(struct rkm_spinlock *s)
{
	spin_unlock(&s->lock);
#ifndef CONFIG_PREEMPT_RT
	if (this_cpu_dec_return(rkm_irq_off_depth) == 0)
		local_irq_restore(this_cpu_read(rkm_irq_off_flags));
#endif
}

bool rkm_irqs_disabled(void)
{
	return irqs_disabled();
}

struct rkm_condvar *rkm_condvar_new(const char *name, struct rkm_lock_key *key)
{
	struct rkm_condvar *cv = rkm_kzalloc(sizeof(*cv));

	if (cv)
		__init_waitqueue_head(&cv->wq, name, &key->key);
	return cv;
}

void rkm_condvar_free(struct rkm_condvar *cv)
{
	/*
	 * Rust ties registered poll entries to the per-open state, so none
	 * should remain; if one does, tell epoll the queue is going away and
	 * let RCU readers of the queue finish, as wake_up_pollfree() requires.
	 */
	if (waitqueue_active(&cv->wq)) {
		wake_up_pollfree(&cv->wq);
		synchronize_rcu();
	}
	kfree(cv);
}

int rkm_condvar_wait_mutex(struct rkm_condvar *cv, struct rkm_mutex *m, unsigned int subclass)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	prepare_to_wait(&cv->wq, &wait, TASK_INTERRUPTIBLE);
	mutex_unlock(&m->mutex);
	/* A wakeup between prepare_to_wait() and here makes schedule() return. */
	if (!signal_pending(current))
		schedule();
	if (signal_pending(current))
		ret = -ERESTARTSYS;
	finish_wait(&cv->wq, &wait);
	mutex_lock_nested(&m->mutex, subclass);
	return ret;
}

RKM_LEAF void rkm_condvar_notify_all(struct rkm_condvar *cv)
{
	wake_up_all(&cv->wq);
}

void rkm_refcount_set(struct rkm_refcount *ref, unsigned int n)
{
	refcount_set(&ref->refs, n);
}

RKM_LEAF void rkm_refcount_inc(struct rkm_refcount *ref)
{
	refcount_inc(&ref->refs);
}

RKM_LEAF bool rkm_refcount_dec_and_test(struct rkm_refcount *ref)
{
	return refcount_dec_and_test(&ref->refs);
}

unsigned int rkm_refcount_read(struct rkm_refcount *ref)
{
	return refcount_read(&ref->refs);
}

bool rkm_signal_pending(void)
{
	return signal_pending(current);
}

void rkm_cond_resched(void)
{
	cond_resched();
}

unsigned long rkm_msleep_interruptible(unsigned int ms)
{
	return msleep_interruptible(ms);
}

void rkm_msleep(unsigned int ms)
{
	msleep(ms);
}

struct rkm_completion *rkm_completion_new(void)
{
	struct rkm_completion *c = rkm_kzalloc(sizeof(*c));

	if (c)
		init_completion(&c->done);
	return c;
}

void rkm_completion_free(struct rkm_completion *c)
{
	kfree(c);
}

RKM_LEAF void rkm_completion_reinit(struct rkm_completion *c)
{
	reinit_completion(&c->done);
}

RKM_LEAF void rkm_completion_complete(struct rkm_completion *c)
{
	complete(&c->done);
}

int rkm_completion_wait(struct rkm_completion *c)
{
	return wait_for_completion_interruptible(&c->done);
}
