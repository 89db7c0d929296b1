// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: high-resolution timers (struct hrtimer) and jiffies timers
 * (struct timer_list) for the crate's timer module.
 *
 * The kernel objects live here so that Rust never moves them. A callback
 * returns whether (and when) to run again, and the glue re-arms the timer,
 * so freeing (dead set first, then a synchronous cancel) also stops a timer
 * that restarts itself. hrtimers use HRTIMER_MODE_REL, not _HARD: their
 * callbacks run in hard interrupt context, on PREEMPT_RT in the timer
 * softirq thread; timer_list callbacks run in softirq context. Both are
 * atomic: the Rust side allows them only IrqSafe data. Timers are listed
 * until freed; leaked ones are cancelled at module exit (rkm_services_free()).
 */
#ifdef RKM_GLUE_SERVICES
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include "rkm_abi.h"

/**
 * struct rkm_hrtimer - a high-resolution timer
 * @timer: the kernel's timer
 * @fn: the Rust callback: 0, or the ns until the next expiry
 * @data: the Rust owner's data, valid until rkm_hrtimer_free()
 * @dead: set while freeing or at module exit: no more (re)starts
 * @node: in rkm_hrtimers until freed
 */
struct rkm_hrtimer {
	struct hrtimer timer;
	uint64_t (*fn)(void *data);
	void *data;
	bool dead;
	struct list_head node;
};

/**
 * struct rkm_timer - a jiffies timer
 * @timer: the kernel's timer
 * @fn: the Rust callback: 0, or the ms until the next expiry
 * @data, @dead, @node: as in struct rkm_hrtimer
 */
struct rkm_timer {
	struct timer_list timer;
	uint32_t (*fn)(void *data);
	void *data;
	bool dead;
	struct list_head node;
};

static LIST_HEAD(rkm_hrtimers);
static LIST_HEAD(rkm_timers);

/* False once the module's exit sweep has begun: the caller undoes and fails. */
static bool rkm_svc_list_add(struct list_head *node, struct list_head *head)
{
	bool ok;

	mutex_lock(&rkm_svc_lock);
	ok = !rkm_svc_exiting;
	if (ok)
		list_add(node, head);
	mutex_unlock(&rkm_svc_lock);
	return ok;
}

static void rkm_svc_list_del(struct list_head *node)
{
	mutex_lock(&rkm_svc_lock);
	list_del(node);
	mutex_unlock(&rkm_svc_lock);
}

static enum hrtimer_restart rkm_hrtimer_fn(struct hrtimer *timer)
{
	struct rkm_hrtimer *t = container_of(timer, struct rkm_hrtimer, timer);
	uint64_t ns = t->fn(t->data);

	if (!ns || READ_ONCE(t->dead))
		return HRTIMER_NORESTART;
	/*
	 * Re-armed through hrtimer_start(), under the base lock: a start() from
	 * another CPU may have enqueued the timer meanwhile, and forwarding an
	 * enqueued timer (HRTIMER_RESTART) would WARN and break the queue's order.
	 */
	hrtimer_start(timer, ns_to_ktime(clamp_t(uint64_t, ns, RKM_HRTIMER_MIN_NS, RKM_HRTIMER_MAX_NS)),
		      HRTIMER_MODE_REL);
	return HRTIMER_NORESTART;
}

struct rkm_hrtimer *rkm_hrtimer_new(uint64_t (*fn)(void *data), void *data)
{
	struct rkm_hrtimer *t = rkm_kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	t->timer.function = rkm_hrtimer_fn;
	t->fn = fn;
	t->data = data;
	if (!rkm_svc_list_add(&t->node, &rkm_hrtimers)) {
		kfree(t);
		return NULL;
	}
	return t;
}

RKM_LEAF void rkm_hrtimer_start(struct rkm_hrtimer *t, uint64_t ns)
{
	if (READ_ONCE(t->dead))
		return;
	hrtimer_start(&t->timer, ns_to_ktime(min_t(uint64_t, ns, RKM_HRTIMER_MAX_NS)),
		      HRTIMER_MODE_REL);
}

RKM_LEAF int rkm_hrtimer_try_cancel(struct rkm_hrtimer *t)
{
	return hrtimer_try_to_cancel(&t->timer);
}

RKM_LEAF bool rkm_hrtimer_active(struct rkm_hrtimer *t)
{
	return hrtimer_active(&t->timer);
}

void rkm_hrtimer_free(struct rkm_hrtimer *t)
{
	WRITE_ONCE(t->dead, true);
	hrtimer_cancel(&t->timer);
	rkm_svc_list_del(&t->node);
	kfree(t);
}

static void rkm_timer_fn(struct timer_list *timer)
{
	struct rkm_timer *t = container_of(timer, struct rkm_timer, timer);
	uint32_t ms = t->fn(t->data);

	if (ms && !READ_ONCE(t->dead))
		mod_timer(&t->timer, jiffies + rkm_ms_to_jiffies(ms));
}

struct rkm_timer *rkm_timer_new(uint32_t (*fn)(void *data), void *data)
{
	struct rkm_timer *t = rkm_kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	timer_setup(&t->timer, rkm_timer_fn, 0);
	t->fn = fn;
	t->data = data;
	if (!rkm_svc_list_add(&t->node, &rkm_timers)) {
		kfree(t);
		return NULL;
	}
	return t;
}

RKM_LEAF void rkm_timer_start(struct rkm_timer *t, unsigned int ms)
{
	if (READ_ONCE(t->dead))
		return;
	mod_timer(&t->timer, jiffies + rkm_ms_to_jiffies(ms));
}

RKM_LEAF bool rkm_timer_cancel(struct rkm_timer *t)
{
	return del_timer(&t->timer);
}

RKM_LEAF bool rkm_timer_pending(struct rkm_timer *t)
{
	return timer_pending(&t->timer);
}

void rkm_timer_free(struct rkm_timer *t)
{
	WRITE_ONCE(t->dead, true);
	/* Waits for a running callback, which sees @dead and does not re-arm. */
	del_timer_sync(&t->timer);
	rkm_svc_list_del(&t->node);
	kfree(t);
}
#endif /* RKM_GLUE_SERVICES */
