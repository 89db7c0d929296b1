// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: workqueues and work items for the crate's workqueue module.
 *
 * Every work item is a struct delayed_work (a plain queue is a delay of 0),
 * allocated here so that Rust never moves it. A work item holds a reference
 * to the workqueue it runs on, so a workqueue is destroyed (and drained)
 * only after its last work item is freed. Work items and workqueues are
 * listed until freed: the ones a driver leaked (mem::forget) are cancelled
 * and destroyed at module exit (rkm_services_free(), glue/kthread.c), so no
 * callback runs once the module's code is gone.
 */
#ifdef RKM_GLUE_SERVICES
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "rkm_abi.h"

/* Every live object of this file, timer.c and kthread.c (the leak list). */
static DEFINE_MUTEX(rkm_svc_lock);
/*
 * Set (under rkm_svc_lock) when module exit or a failed init starts stopping
 * what the driver leaked: no work, workqueue, timer, thread or debugfs
 * directory is created after it, so none can outlive the sweep.
 */
static bool rkm_svc_exiting;

/**
 * struct rkm_wq - a workqueue from alloc_workqueue()
 * @wq: the kernel's workqueue
 * @refs: the Rust owner's reference and one per work item on it
 * @node: in rkm_wqs until destroyed
 */
struct rkm_wq {
	struct workqueue_struct *wq;
	struct kref refs;
	struct list_head node;
};

/**
 * struct rkm_work - a work item
 * @dw: the kernel's delayed work (delay 0 for an immediate queue)
 * @wq: the workqueue it is queued on, with a reference; NULL: system_wq
 * @fn: the Rust callback, run in process context with @data
 * @data: the Rust owner's data, valid until rkm_work_free()
 * @dead: set once it is being freed or at module exit: queueing is refused
 * @node: in rkm_works until freed
 */
struct rkm_work {
	struct delayed_work dw;
	struct rkm_wq *wq;
	void (*fn)(void *data);
	void *data;
	bool dead;
	struct list_head node;
};

static LIST_HEAD(rkm_wqs);
static LIST_HEAD(rkm_works);

struct rkm_wq *rkm_wq_alloc(const char *name, size_t name_len, uint32_t flags, int *err)
{
	unsigned int wq_flags = 0;
	struct rkm_wq *q;

	*err = -EINVAL;
	if (!name_len || name_len > RKM_NAME_MAX || (flags & ~(RKM_WQ_UNBOUND | RKM_WQ_HIGHPRI)))
		return NULL;
	if (flags & RKM_WQ_UNBOUND)
		wq_flags |= WQ_UNBOUND;
	if (flags & RKM_WQ_HIGHPRI)
		wq_flags |= WQ_HIGHPRI;
	*err = -ENOMEM;
	q = rkm_kzalloc(sizeof(*q));
	if (!q)
		return NULL;
	q->wq = alloc_workqueue("%.*s", wq_flags, 0, (int)name_len, name);
	if (!q->wq) {
		kfree(q);
		return NULL;
	}
	kref_init(&q->refs);
	mutex_lock(&rkm_svc_lock);
	if (rkm_svc_exiting) {
		mutex_unlock(&rkm_svc_lock);
		destroy_workqueue(q->wq);
		kfree(q);
		*err = -ENODEV;
		return NULL;
	}
	list_add(&q->node, &rkm_wqs);
	mutex_unlock(&rkm_svc_lock);
	*err = 0;
	return q;
}

static void rkm_kref_noop(struct kref *kref)
{
}

/*
 * Drops a reference; the last one destroys the workqueue (draining it)
 * outside rkm_svc_lock, which work callbacks may take (creating work).
 */
void rkm_wq_put(struct rkm_wq *q)
{
	bool last;

	mutex_lock(&rkm_svc_lock);
	last = kref_put(&q->refs, rkm_kref_noop);
	if (last)
		list_del(&q->node);
	mutex_unlock(&rkm_svc_lock);
	if (last) {
		destroy_workqueue(q->wq);
		kfree(q);
	}
}

void rkm_wq_flush(struct rkm_wq *q)
{
	flush_workqueue(q->wq);
}

static void rkm_work_fn(struct work_struct *work)
{
	struct rkm_work *w = container_of(to_delayed_work(work), struct rkm_work, dw);

	w->fn(w->data);
}

struct rkm_work *rkm_work_new(struct rkm_wq *q, void (*fn)(void *data), void *data)
{
	struct rkm_work *w = rkm_kzalloc(sizeof(*w));

	if (!w)
		return NULL;
	INIT_DELAYED_WORK(&w->dw, rkm_work_fn);
	w->fn = fn;
	w->data = data;
	w->wq = q;
	mutex_lock(&rkm_svc_lock);
	if (rkm_svc_exiting) {
		mutex_unlock(&rkm_svc_lock);
		kfree(w);
		return NULL;
	}
	if (q)
		kref_get(&q->refs);
	list_add(&w->node, &rkm_works);
	mutex_unlock(&rkm_svc_lock);
	return w;
}

static struct workqueue_struct *rkm_work_wq(struct rkm_work *w)
{
	return w->wq ? w->wq->wq : system_wq;
}

/* Delays are capped (a month) so that msecs_to_jiffies() stays in range. */
static unsigned long rkm_ms_to_jiffies(unsigned int ms)
{
	return msecs_to_jiffies(min_t(unsigned int, ms, RKM_DELAY_MAX_MS));
}

RKM_LEAF bool rkm_work_queue(struct rkm_work *w, unsigned int ms)
{
	if (READ_ONCE(w->dead))
		return false;
	return queue_delayed_work(rkm_work_wq(w), &w->dw, rkm_ms_to_jiffies(ms));
}

RKM_LEAF bool rkm_work_mod(struct rkm_work *w, unsigned int ms)
{
	if (READ_ONCE(w->dead))
		return false;
	return mod_delayed_work(rkm_work_wq(w), &w->dw, rkm_ms_to_jiffies(ms));
}

RKM_LEAF bool rkm_work_pending(struct rkm_work *w)
{
	return delayed_work_pending(&w->dw);
}

bool rkm_work_cancel_sync(struct rkm_work *w)
{
	return cancel_delayed_work_sync(&w->dw);
}

void rkm_work_flush(struct rkm_work *w)
{
	flush_delayed_work(&w->dw);
}

void rkm_work_free(struct rkm_work *w)
{
	WRITE_ONCE(w->dead, true);
	/* Also stops a callback that queues itself again. */
	cancel_delayed_work_sync(&w->dw);
	mutex_lock(&rkm_svc_lock);
	list_del(&w->node);
	mutex_unlock(&rkm_svc_lock);
	if (w->wq)
		rkm_wq_put(w->wq);
	kfree(w);
}
#endif /* RKM_GLUE_SERVICES */
