// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: hrtimer slots (struct rkm_hrslot) for the crate's hrtimer
 * module, and a waiting cancel for timer.c's struct rkm_hrtimer.
 *
 * A slot is a CLOCK_MONOTONIC relative hrtimer a driver embeds (by handle)
 * in any of its objects, as many as it likes: one per request, per queue.
 * The Rust side keeps the value handed to the timer and decides who takes
 * it (the callback or a cancel); the glue only runs @fn(@data) at expiry,
 * never re-arms by itself, and refuses starts once @dead is set (freeing,
 * module exit). Modes: RKM_HRSLOT_SOFT (HRTIMER_MODE_REL_SOFT: softirq; on
 * PREEMPT_RT the ktimers thread) or RKM_HRSLOT_IRQ (HRTIMER_MODE_REL: hard
 * interrupt; on PREEMPT_RT the kernel makes it soft, as it is not _HARD).
 * Never _HARD, so callbacks may take spinlock_t and SpinLockIrq on RT.
 * Slots are listed until freed; leaked ones are cancelled at module exit.
 */
#ifdef RKM_GLUE_SERVICES
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "rkm_abi.h"

/**
 * struct rkm_hrslot - a one-shot hrtimer slot
 * @timer: the kernel's timer
 * @fn: the Rust callback
 * @data: the Rust owner's data, valid until rkm_hrslot_free()
 * @mode: HRTIMER_MODE_REL or HRTIMER_MODE_REL_SOFT
 * @dead: set while freeing or at module exit: no more starts
 * @node: in rkm_hrslots until freed
 */
struct rkm_hrslot {
	struct hrtimer timer;
	void (*fn)(void *data);
	void *data;
	enum hrtimer_mode mode;
	bool dead;
	struct list_head node;
};

static LIST_HEAD(rkm_hrslots);

static enum hrtimer_restart rkm_hrslot_fn(struct hrtimer *timer)
{
	struct rkm_hrslot *s = container_of(timer, struct rkm_hrslot, timer);

	s->fn(s->data);
	return HRTIMER_NORESTART;
}

struct rkm_hrslot *rkm_hrslot_new(void (*fn)(void *data), void *data, uint32_t mode, int *err)
{
	struct rkm_hrslot *s;

	if (mode != RKM_HRSLOT_SOFT && mode != RKM_HRSLOT_IRQ) {
		*err = -EINVAL;
		return NULL;
	}
	s = rkm_kzalloc(sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->mode = mode == RKM_HRSLOT_SOFT ? HRTIMER_MODE_REL_SOFT : HRTIMER_MODE_REL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(&s->timer, rkm_hrslot_fn, CLOCK_MONOTONIC, s->mode);
#else
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, s->mode);
	s->timer.function = rkm_hrslot_fn;
#endif
	s->fn = fn;
	s->data = data;
	if (!rkm_svc_list_add(&s->node, &rkm_hrslots)) {
		kfree(s);
		*err = -ENODEV;
		return NULL;
	}
	return s;
}

RKM_LEAF bool rkm_hrslot_start(struct rkm_hrslot *s, uint64_t ns)
{
	if (READ_ONCE(s->dead))
		return false;
	hrtimer_start(&s->timer, ns_to_ktime(min_t(uint64_t, ns, RKM_HRTIMER_MAX_NS)), s->mode);
	return true;
}

RKM_LEAF int rkm_hrslot_try_cancel(struct rkm_hrslot *s)
{
	return hrtimer_try_to_cancel(&s->timer);
}

int rkm_hrslot_cancel(struct rkm_hrslot *s)
{
	return hrtimer_cancel(&s->timer);
}

RKM_LEAF bool rkm_hrslot_active(struct rkm_hrslot *s)
{
	return hrtimer_active(&s->timer);
}

void rkm_hrslot_free(struct rkm_hrslot *s)
{
	WRITE_ONCE(s->dead, true);
	hrtimer_cancel(&s->timer);
	rkm_svc_list_del(&s->node);
	kfree(s);
}

/* timer.c's timer: cancel, waiting for a running callback (which may re-arm: loop). */
bool rkm_hrtimer_cancel(struct rkm_hrtimer *t)
{
	return hrtimer_cancel(&t->timer);
}

/*
 * Module exit, from rkm_services_quiesce(), once works and timers are
 * cancelled (one of them could drop a slot): none pending. Under
 * rkm_svc_lock, which a slot's callback (atomic) never takes.
 */
static void rkm_hrslots_quiesce(void)
{
	struct rkm_hrslot *s;

	mutex_lock(&rkm_svc_lock);
	list_for_each_entry(s, &rkm_hrslots, node) {
		WRITE_ONCE(s->dead, true);
		hrtimer_cancel(&s->timer);
	}
	mutex_unlock(&rkm_svc_lock);
}

/* Module exit, from rkm_services_free(): free the leaked slots' glue objects. */
static void rkm_hrslots_free(void)
{
	struct rkm_hrslot *s, *tmp;

	list_for_each_entry_safe(s, tmp, &rkm_hrslots, node) {
		pr_warn(KBUILD_MODNAME ": hrtimer slot leaked by the driver, cancelled at unload\n");
		rkm_hrslot_free(s);
	}
}
#endif /* RKM_GLUE_SERVICES */
