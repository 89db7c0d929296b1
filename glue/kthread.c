// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: kernel threads for the crate's kthread module, and the module
 * exit clean-up of every service object (workqueue.c, timer.c, here) that a
 * driver leaked.
 *
 * A thread is created and woken at once; the glue keeps a reference to its
 * task so that kthread_stop() works even after the thread function has
 * returned. kthread() skips the thread function if a stop comes first: the
 * glue records whether it ran, so that the Rust side frees the closure the
 * thread never took.
 */
#ifdef RKM_GLUE_SERVICES
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "rkm_abi.h"

/**
 * struct rkm_kthread - a kernel thread
 * @task: the thread, referenced until freed
 * @fn: the Rust thread function
 * @data: its argument (the boxed closure), taken by @fn if it runs
 * @ran: @fn was called
 * @wake: a wakeup is pending (rkm_kthread_wake() since the last sleep)
 * @stop_lock: serialises stopping (its owner's drop and the exit sweep)
 * @stopped: kthread_stop() was called (it must be called once only)
 * @swept: the exit sweep has stopped it (under rkm_svc_lock)
 * @node: in rkm_kthreads until freed
 */
struct rkm_kthread {
	struct task_struct *task;
	void (*fn)(struct rkm_kthread *k, void *data);
	void *data;
	bool ran;
	atomic_t wake;
	struct mutex stop_lock;
	bool stopped;
	bool swept;
	struct list_head node;
};

static LIST_HEAD(rkm_kthreads);

static int rkm_kthread_fn(void *arg)
{
	struct rkm_kthread *k = arg;

	WRITE_ONCE(k->ran, true);
	k->fn(k, k->data);
	/* kthread_stop() must find the thread: wait for it. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		schedule();
	}
	return 0;
}

struct rkm_kthread *rkm_kthread_run(const char *name, size_t name_len,
				    void (*fn)(struct rkm_kthread *k, void *data), void *data,
				    int *err)
{
	struct task_struct *task;
	struct rkm_kthread *k;

	*err = -EINVAL;
	if (!name_len || name_len > RKM_NAME_MAX)
		return NULL;
	*err = -ENOMEM;
	k = rkm_kzalloc(sizeof(*k));
	if (!k)
		return NULL;
	k->fn = fn;
	k->data = data;
	atomic_set(&k->wake, 0);
	mutex_init(&k->stop_lock);
	task = kthread_create(rkm_kthread_fn, k, "%.*s", (int)name_len, name);
	if (IS_ERR(task)) {
		*err = PTR_ERR(task);
		kfree(k);
		return NULL;
	}
	get_task_struct(task);
	k->task = task;
	if (!rkm_svc_list_add(&k->node, &rkm_kthreads)) {
		/* Never woken: kthread() sees the stop and skips rkm_kthread_fn. */
		kthread_stop(task);
		put_task_struct(task);
		kfree(k);
		*err = -ENODEV;
		return NULL;
	}
	wake_up_process(task);
	*err = 0;
	return k;
}

RKM_LEAF void rkm_kthread_wake(struct rkm_kthread *k)
{
	atomic_set(&k->wake, 1);
	wake_up_process(k->task);
}

bool rkm_kthread_should_stop(void)
{
	return kthread_should_stop();
}

int rkm_kthread_sleep(struct rkm_kthread *k, unsigned int ms)
{
	long left = rkm_ms_to_jiffies(ms);

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (atomic_xchg(&k->wake, 0)) {
			__set_current_state(TASK_RUNNING);
			return 1;
		}
		if (kthread_should_stop() || !left) {
			__set_current_state(TASK_RUNNING);
			return 0;
		}
		left = schedule_timeout(left);
	}
}

/* Once only: the exit sweep may have stopped a thread its owner now drops. */
static void rkm_kthread_stop_locked(struct rkm_kthread *k)
{
	if (!k->stopped) {
		kthread_stop(k->task);
		k->stopped = true;
	}
	mutex_unlock(&k->stop_lock);
}

bool rkm_kthread_stop(struct rkm_kthread *k)
{
	mutex_lock(&k->stop_lock);
	rkm_kthread_stop_locked(k);
	return READ_ONCE(k->ran);
}

void rkm_kthread_free(struct rkm_kthread *k)
{
	rkm_svc_list_del(&k->node);
	/* An exit sweep that found @k before it left the list is done with it after this. */
	mutex_lock(&k->stop_lock);
	mutex_unlock(&k->stop_lock);
	mutex_destroy(&k->stop_lock);
	put_task_struct(k->task);
	kfree(k);
}

/*
 * Module exit (after the driver's exit) and failed init, in two steps around
 * the other sweeps (module.c). What is still listed then was leaked by the
 * driver, or is owned by something leaked (a leaked thread's closure, a
 * leaked device's data): its memory stays allocated, so callbacks stay valid.
 *
 * rkm_services_quiesce(), first: refuse every new object (rkm_svc_exiting)
 * and every re-arm (@dead), stop the threads, cancel timers and work. A
 * stopped thread's closure ends and drops what it owns: registrations are
 * still intact to be dropped, and other service objects leave the lists
 * under rkm_svc_lock, so the lists are walked one entry at a time under it.
 */
static void rkm_services_quiesce(void)
{
	struct rkm_hrtimer *h;
	struct rkm_timer *t;
	struct rkm_work *w;
	struct rkm_kthread *k, *found;
	int round;

	mutex_lock(&rkm_svc_lock);
	rkm_svc_exiting = true;
	list_for_each_entry(h, &rkm_hrtimers, node)
		WRITE_ONCE(h->dead, true);
	list_for_each_entry(t, &rkm_timers, node)
		WRITE_ONCE(t->dead, true);
	list_for_each_entry(w, &rkm_works, node)
		WRITE_ONCE(w->dead, true);
	mutex_unlock(&rkm_svc_lock);
	for (;;) {
		found = NULL;
		mutex_lock(&rkm_svc_lock);
		list_for_each_entry(k, &rkm_kthreads, node) {
			if (!k->swept) {
				k->swept = true;
				found = k;
				/* Held across the stop: rkm_kthread_free() waits for it. */
				mutex_lock(&k->stop_lock);
				break;
			}
		}
		mutex_unlock(&rkm_svc_lock);
		if (!found)
			break;
		pr_warn(KBUILD_MODNAME ": kthread leaked by the driver, stopped at unload\n");
		rkm_kthread_stop_locked(found);
	}
	/* Twice: a callback that passed its @dead check may re-arm another object. */
	for (round = 0; round < 2; round++) {
		list_for_each_entry(h, &rkm_hrtimers, node)
			hrtimer_cancel(&h->timer);
		list_for_each_entry(t, &rkm_timers, node)
			del_timer_sync(&t->timer);
		list_for_each_entry(w, &rkm_works, node)
			cancel_delayed_work_sync(&w->dw);
	}
	/* After the works: one of them could have dropped (freed) a slot. */
	rkm_hrslots_quiesce();
}

/*
 * rkm_services_free(), last, once no driver, device or file of the module is
 * left: free what is still listed (nothing runs that could own it now).
 * Leaked workqueues go last (drained by destroy_workqueue()).
 */
static void rkm_services_free(void)
{
	struct rkm_hrtimer *h, *htmp;
	struct rkm_timer *t, *ttmp;
	struct rkm_work *w, *wtmp;
	struct rkm_kthread *k, *ktmp;
	struct rkm_wq *q, *qtmp;

	list_for_each_entry_safe(k, ktmp, &rkm_kthreads, node) {
		rkm_kthread_stop(k);
		rkm_kthread_free(k);
	}
	list_for_each_entry_safe(h, htmp, &rkm_hrtimers, node) {
		pr_warn(KBUILD_MODNAME ": hrtimer leaked by the driver, cancelled at unload\n");
		rkm_hrtimer_free(h);
	}
	rkm_hrslots_free();
	list_for_each_entry_safe(t, ttmp, &rkm_timers, node) {
		pr_warn(KBUILD_MODNAME ": timer leaked by the driver, cancelled at unload\n");
		rkm_timer_free(t);
	}
	list_for_each_entry_safe(w, wtmp, &rkm_works, node) {
		pr_warn(KBUILD_MODNAME ": work item leaked by the driver, cancelled at unload\n");
		rkm_work_free(w);
	}
	list_for_each_entry_safe(q, qtmp, &rkm_wqs, node) {
		pr_warn(KBUILD_MODNAME ": workqueue leaked by the driver, destroyed at unload\n");
		/* Its remaining references belonged to leaked owners. */
		list_del(&q->node);
		destroy_workqueue(q->wq);
		kfree(q);
	}
}
#else
static void rkm_services_quiesce(void)
{
}

static void rkm_services_free(void)
{
}
#endif /* RKM_GLUE_SERVICES */
