// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the kernel's watchdog core (watchdog_register_device), its
 * /dev/watchdogN ABI (ioctls, magic close, nowayout) kept entirely. Compiled
 * only into a module whose Rust object calls rkm_watchdog_* (kbuild/rkm.mk
 * defines RKM_GLUE_WATCHDOG then): the core is a module (watchdog.ko) on the
 * stock kernels, and every other module must not depend on it.
 */
#ifdef RKM_GLUE_WATCHDOG
#include <linux/string.h>
#include <linux/watchdog.h>

#include "rkm_abi.h"

/**
 * struct rkm_watchdog - a registered watchdog device
 * @wdd: the kernel's; its info and ops point at @info and @ops
 * @info: identity, options, firmware version
 * @ops: the trampolines the driver has callbacks for; owner THIS_MODULE, so
 *	an open /dev/watchdogN pins the module
 * @rops: the Rust callbacks
 * @state: their first argument, owned by the Rust Registration
 */
struct rkm_watchdog {
	struct watchdog_device wdd;
	struct watchdog_info info;
	struct watchdog_ops ops;
	const struct rkm_watchdog_ops *rops;
	const void *state;
};

static struct rkm_watchdog *rkm_wdt(struct watchdog_device *wdd)
{
	return container_of(wdd, struct rkm_watchdog, wdd);
}

static int rkm_wdt_start(struct watchdog_device *wdd)
{
	struct rkm_watchdog *w = rkm_wdt(wdd);

	/* The core's open starts it: none before init succeeded (as misc opens). */
	if (!smp_load_acquire(&rkm_module_live))
		return -ENODEV;
	return w->rops->start(w->state, w);
}

static int rkm_wdt_stop(struct watchdog_device *wdd)
{
	struct rkm_watchdog *w = rkm_wdt(wdd);

	return w->rops->stop(w->state, w);
}

static int rkm_wdt_ping(struct watchdog_device *wdd)
{
	struct rkm_watchdog *w = rkm_wdt(wdd);

	return w->rops->ping(w->state, w);
}

static int rkm_wdt_set_timeout(struct watchdog_device *wdd, unsigned int t)
{
	struct rkm_watchdog *w = rkm_wdt(wdd);
	int err = w->rops->set_timeout(w->state, w, t);

	if (!err)
		wdd->timeout = t;
	return err;
}

static unsigned int rkm_wdt_get_timeleft(struct watchdog_device *wdd)
{
	struct rkm_watchdog *w = rkm_wdt(wdd);

	return w->rops->get_timeleft(w->state, w);
}

struct rkm_watchdog *rkm_watchdog_register(struct rkm_binding *b,
					   const struct rkm_watchdog_desc *desc,
					   const struct rkm_watchdog_ops *ops, const void *state,
					   int *err)
{
	struct rkm_watchdog *w;

	*err = -EINVAL;
	if (!ops->start || !ops->stop || !desc->identity_len ||
	    desc->identity_len >= sizeof(w->info.identity) || !desc->min_timeout ||
	    desc->min_timeout > desc->max_timeout || desc->timeout < desc->min_timeout ||
	    desc->timeout > desc->max_timeout)
		return NULL;
	*err = -ENOMEM;
	w = rkm_kzalloc(sizeof(*w));
	if (!w)
		return NULL;
	memcpy(w->info.identity, desc->identity, desc->identity_len);
	w->info.options = desc->options;
	w->info.firmware_version = desc->firmware_version;
	w->ops.owner = THIS_MODULE;
	w->ops.start = rkm_wdt_start;
	w->ops.stop = rkm_wdt_stop;
	w->ops.ping = ops->ping ? rkm_wdt_ping : NULL;
	w->ops.set_timeout = ops->set_timeout ? rkm_wdt_set_timeout : NULL;
	w->ops.get_timeleft = ops->get_timeleft ? rkm_wdt_get_timeleft : NULL;
	w->rops = ops;
	w->state = state;
	w->wdd.info = &w->info;
	w->wdd.ops = &w->ops;
	w->wdd.parent = b->dev;
	w->wdd.min_timeout = desc->min_timeout;
	w->wdd.max_timeout = desc->max_timeout;
	w->wdd.timeout = desc->timeout;
	w->wdd.bootstatus = desc->bootstatus;
	/* Out of range: the core says so and the default stays (as i6300esb.c). */
	watchdog_init_timeout(&w->wdd, desc->timeout_param, NULL);
	watchdog_set_nowayout(&w->wdd, desc->flags & RKM_WDT_NOWAYOUT);
	if (desc->flags & RKM_WDT_STOP_ON_REBOOT)
		watchdog_stop_on_reboot(&w->wdd);
	if (desc->flags & RKM_WDT_STOP_ON_UNREGISTER)
		watchdog_stop_on_unregister(&w->wdd);
	/* The hardware gets the initial timeout before userspace can open it. */
	*err = ops->set_timeout ? rkm_wdt_set_timeout(&w->wdd, w->wdd.timeout) : 0;
	if (!*err)
		*err = watchdog_register_device(&w->wdd);
	if (*err) {
		kfree(w);
		return NULL;
	}
	return w;
}

void rkm_watchdog_unregister(struct rkm_watchdog *w)
{
	/* Takes the core's lock: no callback runs once it returns. */
	watchdog_unregister_device(&w->wdd);
	kfree(w);
}

unsigned int rkm_watchdog_timeout(struct rkm_watchdog *w)
{
	return READ_ONCE(w->wdd.timeout);
}

int rkm_watchdog_nowayout(struct rkm_watchdog *w)
{
	return test_bit(WDOG_NO_WAY_OUT, &w->wdd.status);
}

int rkm_watchdog_id(struct rkm_watchdog *w)
{
	return w->wdd.id;
}
#endif /* RKM_GLUE_WATCHDOG */
