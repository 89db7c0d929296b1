// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the device core every bus shares. A registered driver's common
 * part (name, sysfs attributes, the Rust callbacks) and, per bound device, a
 * "binding": a reference-counted object holding the struct device, the Rust
 * data (from probe until drop), the interrupt, one timer, the resources that
 * must not outlive the binding, and a gate (an rw_semaphore) that callers
 * outside the driver core pass through to reach the data; DMA on it is
 * dma.c's. A bus (pci.c, platform.c) finds and matches devices, calls
 * rkm_binding_probe() and rkm_binding_unbind(), and gives the binding its
 * interrupt line and its quiesce/undo hooks; a device class (net.c) adds
 * its own step to every unbind with rkm_class_hooks_add().
 *
 * Unbinding runs, in this order: ops->unbind (end waits), close the gate
 * (wait for callers inside), ops->remove, free the interrupt, stop the
 * timer, bus->quiesce (the bus makes sure the device can no longer master
 * the bus), free the DMA buffers dropped before (dma.c), each device
 * class's quiesced hook (struct rkm_class_hooks), ops->drop (Rust frees its
 * data), revoke the resources kept elsewhere, bus->undo. So the handlers
 * never run without the data, and the device can no longer DMA into a
 * buffer by the time it is freed.
 *
 * The drivers of every bus are on one list, so that module exit unregisters
 * those whose Rust owner leaked (rkm_drivers_free()).
 */
#ifdef RKM_GLUE_DEVICE
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timer.h>

#include "rkm_abi.h"

/** struct rkm_dev_attr - one sysfs attribute: @idx is its index for Rust */
struct rkm_dev_attr {
	struct device_attribute da;
	struct rkm_driver *d;
	unsigned int idx;
};

/**
 * struct rkm_driver - what every bus's registered driver has
 * @node: in rkm_drivers while registered with its bus
 * @unloading: being unregistered by rkm_drivers_free() (its Rust owner leaked)
 * @unregister: the bus's unregistration of this driver (for module exit)
 * @name: the driver's name (NUL-terminated copy)
 * @ops: the Rust callbacks
 * @drv: the Rust driver value, for @ops->probe
 * @attrs: the sysfs attributes (@group, @groups), @nattrs of them
 */
struct rkm_driver {
	struct list_head node;
	bool unloading;
	void (*unregister)(struct rkm_driver *d);
	char *name;
	const struct rkm_driver_ops *ops;
	const void *drv;
	struct rkm_dev_attr *attrs;
	size_t nattrs;
	struct attribute **attr_list;
	struct attribute_group group;
	const struct attribute_group *groups[2];
};

struct rkm_binding;

/**
 * struct rkm_bus_hooks - what a bus adds to the generic unbind sequence
 * @quiesce: make sure the device cannot master the bus any more, for good:
 *           the "DMA is stopped" point; DMA buffers (dma.c) and what the
 *           classes kept (struct rkm_class_hooks) are freed right after
 *           (required)
 * @undo: undo what probe set up on the bus (vectors, enable), last
 */
struct rkm_bus_hooks {
	void (*quiesce)(struct rkm_binding *b);
	void (*undo)(struct rkm_binding *b);
};

/**
 * struct rkm_resource - a resource a Rust value owns that must not outlive
 * its binding (a BAR mapping): revoked at unbind if the owner still has it
 * @node: in the binding's resources while live
 * @revoke: make accessors see it gone (RCU); an RCU grace period follows
 * @release: give it back to the kernel (res_lock held; the core unlinks @node)
 */
struct rkm_resource {
	struct list_head node;
	void (*revoke)(struct rkm_resource *r);
	void (*release)(struct rkm_resource *r);
};

/**
 * struct rkm_binding - a bound device (see rkm_abi.h)
 * @ref: references: the bound state holds one, each Rust handle one
 * @gate: taken for reading by rkm_binding_enter(), for writing to close it
 * @live: whether the gate lets callers in (under @gate)
 * @dev: the device (referenced until the last put)
 * @d: the driver, while bound
 * @bus: the bus's hooks
 * @data: the Rust data, from probe until ops->drop
 * @timer: the binding's timer, calling ops->timer
 * @irq: the interrupt line the bus allocated (rkm_binding_set_irq), or 0
 * @irq_kind: RKM_IRQ_MSI or RKM_IRQ_INTX once @irq is set
 * @irq_on: the interrupt is requested
 * @res_lock: protects @resources, @dmas_deferred and @quiesced
 * @resources: resources not yet released
 * @dmas_deferred: DMA buffers Rust dropped while the device could still
 *                 master the bus: freed once it cannot
 * @quiesced: bus mastering is off for good: buffers are freed at once
 * @bus_flags: the bus's own state of this binding (RKM_PCI_*), changed
 *             during probe only, which runs once per binding
 */
struct rkm_binding {
	struct kref ref;
	struct rw_semaphore gate;
	bool live;
	struct device *dev;
	struct rkm_driver *d;
	const struct rkm_bus_hooks *bus;
	void *data;
	struct timer_list timer;
	unsigned int irq;
	int irq_kind;
	bool irq_on;
	struct mutex res_lock;
	struct list_head resources;
	struct list_head dmas_deferred;
	bool quiesced;
	unsigned long bus_flags;
};

static void rkm_binding_release(struct kref *ref)
{
	struct rkm_binding *b = container_of(ref, struct rkm_binding, ref);

	put_device(b->dev);
	kfree(b);
}

RKM_LEAF void rkm_binding_get(struct rkm_binding *b)
{
	kref_get(&b->ref);
}

void rkm_binding_put(struct rkm_binding *b)
{
	kref_put(&b->ref, rkm_binding_release);
}

void *rkm_binding_enter(struct rkm_binding *b)
{
	down_read(&b->gate);
	if (b->live)
		return b->data;
	up_read(&b->gate);
	return NULL;
}

RKM_LEAF void rkm_binding_leave(struct rkm_binding *b)
{
	up_read(&b->gate);
}

static irqreturn_t rkm_binding_hardirq(int irq, void *binding)
{
	struct rkm_binding *b = binding;

	switch (b->d->ops->irq(b->data)) {
	case RKM_IRQ_HANDLED:
		return IRQ_HANDLED;
	case RKM_IRQ_WAKE_THREAD:
		return IRQ_WAKE_THREAD;
	default:
		return IRQ_NONE;
	}
}

static irqreturn_t rkm_binding_thread(int irq, void *binding)
{
	struct rkm_binding *b = binding;

	b->d->ops->irq_thread(b->data);
	return IRQ_HANDLED;
}

static void rkm_binding_timer_fn(struct timer_list *t)
{
	struct rkm_binding *b = from_timer(b, t, timer);

	b->d->ops->timer(b->data);
}

RKM_LEAF void rkm_binding_timer_arm(struct rkm_binding *b, unsigned int ms)
{
	mod_timer(&b->timer, jiffies + msecs_to_jiffies(ms));
}

void rkm_binding_timer_cancel(struct rkm_binding *b)
{
	del_timer_sync(&b->timer);
}

RKM_LEAF int rkm_binding_irq_kind(struct rkm_binding *b)
{
	return b->irq_kind;
}

void rkm_dev_log(struct rkm_binding *b, int level, const char *msg, size_t len)
{
	/* rkm_log()'s level table (print.c); debug lines are not dynamic-debug sites here. */
	if (level < 0 || level >= ARRAY_SIZE(rkm_levels))
		level = RKM_LOG_ERR;
	dev_printk(rkm_levels[level], b->dev, "%.*s\n",
		   (int)min_t(size_t, len, RKM_LOG_LINE_MAX), msg);
}

/* For the bus, during probe: the line the glue requests once probe succeeded. */
static void rkm_binding_set_irq(struct rkm_binding *b, unsigned int irq, int kind)
{
	b->irq = irq;
	b->irq_kind = kind;
}

/* For the bus, during probe: a resource to revoke at unbind if still held. */
static void rkm_binding_track(struct rkm_binding *b, struct rkm_resource *r)
{
	WARN_ON_ONCE(b->quiesced);
	kref_get(&b->ref);
	mutex_lock(&b->res_lock);
	list_add(&r->node, &b->resources);
	mutex_unlock(&b->res_lock);
}

/*
 * Its owner gives a tracked resource back, unless unbind revoked it already,
 * then drops the binding reference rkm_binding_track() took.
 */
static void rkm_binding_untrack(struct rkm_binding *b, struct rkm_resource *r)
{
	mutex_lock(&b->res_lock);
	if (!list_empty(&r->node)) {
		r->release(r);
		list_del_init(&r->node);
	}
	mutex_unlock(&b->res_lock);
	rkm_binding_put(b);
}

/* At unbind, after the driver's data is gone: revoke the resources kept elsewhere. */
static void rkm_binding_revoke(struct rkm_binding *b)
{
	struct rkm_resource *r, *tmp;
	int n = 0;

	mutex_lock(&b->res_lock);
	list_for_each_entry(r, &b->resources, node) {
		r->revoke(r);
		n++;
	}
	if (n) {
		dev_warn(b->dev, "%d resource(s) outlived the driver's data: revoked\n", n);
		synchronize_rcu();
		list_for_each_entry_safe(r, tmp, &b->resources, node) {
			r->release(r);
			list_del_init(&r->node);
		}
	}
	mutex_unlock(&b->res_lock);
}

/**
 * struct rkm_class_hooks - what a device class (a network device: net.c)
 * adds to the unbind of every binding, whatever its bus; the class adds it
 * once with rkm_class_hooks_add(), before it keeps anything for a binding
 * @node: in rkm_classes once added (static, never removed: module lifetime)
 * @quiesced: @b can no longer master the bus, for good, and its DMA buffers
 *            are freed: release what the class kept waiting for that (mapped
 *            packets dropped early). Process context.
 */
struct rkm_class_hooks {
	struct list_head node;
	void (*quiesced)(struct rkm_binding *b);
};

static LIST_HEAD(rkm_classes);
static DEFINE_MUTEX(rkm_classes_lock);

/* For a class, in process context; @h->node is LIST_HEAD_INIT()ed. Idempotent. */
static __maybe_unused void rkm_class_hooks_add(struct rkm_class_hooks *h)
{
	mutex_lock(&rkm_classes_lock);
	if (list_empty(&h->node))
		list_add_tail(&h->node, &rkm_classes);
	mutex_unlock(&rkm_classes_lock);
}

/* dma.c: frees the buffers of a dmas_deferred list. */
static void rkm_dmas_release(struct list_head *deferred);

/*
 * Bus mastering off for good (the bus's quiesce): free the buffers dropped
 * before, and any later at once; then each class's part.
 */
static void rkm_binding_quiesce(struct rkm_binding *b)
{
	struct rkm_class_hooks *h;
	LIST_HEAD(deferred);

	b->bus->quiesce(b);
	mutex_lock(&b->res_lock);
	WRITE_ONCE(b->quiesced, true);	/* rkm_stream_gone() reads it unlocked */
	list_splice_init(&b->dmas_deferred, &deferred);
	mutex_unlock(&b->res_lock);
	rkm_dmas_release(&deferred);
	mutex_lock(&rkm_classes_lock);
	list_for_each_entry(h, &rkm_classes, node)
		h->quiesced(b);
	mutex_unlock(&rkm_classes_lock);
}

/* A new binding of @dev to @d, the device's drvdata; NULL if out of memory. */
static struct rkm_binding *rkm_binding_new(struct device *dev, struct rkm_driver *d,
					   const struct rkm_bus_hooks *bus)
{
	struct rkm_binding *b = rkm_kzalloc(sizeof(*b));

	if (!b)
		return NULL;
	kref_init(&b->ref);
	init_rwsem(&b->gate);
	mutex_init(&b->res_lock);
	INIT_LIST_HEAD(&b->resources);
	INIT_LIST_HEAD(&b->dmas_deferred);
	timer_setup(&b->timer, rkm_binding_timer_fn, 0);
	b->dev = get_device(dev);
	b->d = d;
	b->bus = bus;
	dev_set_drvdata(dev, b);
	return b;
}

/* The end of an unbind, or of a failed probe: from the interrupt on. */
static void rkm_binding_teardown(struct rkm_binding *b)
{
	if (b->irq_on)
		free_irq(b->irq, b);
	b->irq_on = false;
	timer_shutdown_sync(&b->timer);
	rkm_binding_quiesce(b);
	if (b->data)
		b->d->ops->drop(b->data);
	b->data = NULL;
	rkm_binding_revoke(b);
	b->bus->undo(b);
	dev_set_drvdata(b->dev, NULL);
	rkm_binding_put(b);
}

/*
 * Probe @dev for @d: the Rust probe, then its interrupt, then the gate
 * opens. Undoes everything and drops the binding on failure.
 */
/*
 * The driver core adds the driver's attributes (dev_groups) after probe; one
 * named like a file the device already has (the bus's "vendor", the core's
 * "driver", ...) would fail there with a sysfs duplicate-name stack dump.
 * Refuse it before the driver runs.
 */
static int rkm_attrs_clash(struct device *dev, struct rkm_driver *d)
{
	size_t i;

	for (i = 0; i < d->nattrs; i++) {
		const char *name = d->attrs[i].da.attr.name;
		struct kernfs_node *kn = sysfs_get_dirent(dev->kobj.sd, name);

		if (kn) {
			sysfs_put(kn);
			dev_err(dev, "%s: attribute '%s' is already a sysfs file of the device: not bound\n",
				d->name, name);
			return -EEXIST;
		}
	}
	return 0;
}

static int rkm_binding_probe(struct device *dev, struct rkm_driver *d,
			     const struct rkm_bus_hooks *bus)
{
	struct rkm_binding *b;
	void *data = NULL;
	int err = rkm_attrs_clash(dev, d);

	if (err)
		return err;
	b = rkm_binding_new(dev, d, bus);
	if (!b)
		return -ENOMEM;
	err = d->ops->probe(d->drv, b, &data);
	if (err)
		goto undo;
	b->data = data;
	if (b->irq_kind) {
		err = request_threaded_irq(b->irq, rkm_binding_hardirq, rkm_binding_thread,
					   b->irq_kind == RKM_IRQ_INTX ? IRQF_SHARED : 0,
					   d->name, b);
		if (err)
			goto undo;
		b->irq_on = true;
	}
	down_write(&b->gate);
	b->live = true;
	up_write(&b->gate);
	return 0;
undo:
	/* Only probe's own code has seen the data: there is no gate to close. */
	if (b->data)
		d->ops->remove(b->data);
	rkm_binding_teardown(b);
	return err;
}

static void rkm_binding_unbind(struct device *dev)
{
	struct rkm_binding *b = dev_get_drvdata(dev);

	b->d->ops->unbind(b->data);
	down_write(&b->gate);
	b->live = false;
	up_write(&b->gate);
	b->d->ops->remove(b->data);
	rkm_binding_teardown(b);
}

static ssize_t rkm_dev_attr_show(struct device *dev, struct device_attribute *da, char *buf)
{
	struct rkm_dev_attr *a = container_of(da, struct rkm_dev_attr, da);
	struct rkm_binding *b = dev_get_drvdata(dev);

	/* The driver core adds the files after probe and removes them before remove. */
	return a->d->ops->attr_show(b->data, a->idx, buf, PAGE_SIZE);
}

static ssize_t rkm_dev_attr_store(struct device *dev, struct device_attribute *da,
				  const char *buf, size_t count)
{
	struct rkm_dev_attr *a = container_of(da, struct rkm_dev_attr, da);
	struct rkm_binding *b = dev_get_drvdata(dev);
	int err = a->d->ops->attr_store(b->data, a->idx, buf, count);

	return err ? err : count;
}

static LIST_HEAD(rkm_drivers);
static DEFINE_MUTEX(rkm_drivers_lock);

/*
 * A bus puts its driver on the list before registering it with the kernel
 * (probe may run inside) and takes it off after unregistering it.
 */
static void rkm_driver_listed(struct rkm_driver *d, bool on)
{
	mutex_lock(&rkm_drivers_lock);
	if (on)
		list_add(&d->node, &rkm_drivers);
	else
		list_del(&d->node);
	mutex_unlock(&rkm_drivers_lock);
}

/*
 * A bus's unregistration of @d, as its Rust Registration's drop asks. A
 * leaked registration's Rust owner can be dropped by the driver's own
 * remove, under the unregistration rkm_drivers_free() started (an Arc cycle
 * through the device data): that one finishes the job. The Rust driver
 * value the caller then frees serves only probe, and a bus probes no more
 * once unregistration has begun.
 */
static void rkm_driver_unregister(struct rkm_driver *d)
{
	if (!d->unloading)
		d->unregister(d);
}

/*
 * At module exit, after the driver's exit, or after a failed init: a driver
 * whose Rust owner was leaked is still registered, and its callbacks are
 * about to go.
 */
static void rkm_drivers_free(void)
{
	struct rkm_driver *d;

	/*
	 * One at a time, oldest first, no cursor kept across the call: an
	 * unbind drops device data that may own a later registration, which
	 * then unregisters itself and leaves the list.
	 */
	for (;;) {
		mutex_lock(&rkm_drivers_lock);
		d = list_empty(&rkm_drivers) ? NULL :
		    list_last_entry(&rkm_drivers, struct rkm_driver, node);
		mutex_unlock(&rkm_drivers_lock);
		if (!d)
			break;
		pr_warn(KBUILD_MODNAME ": driver %s leaked by the driver, unregistered at unload\n",
			d->name);
		d->unloading = true;
		d->unregister(d);
	}
}

static void rkm_driver_destroy(struct rkm_driver *d)
{
	size_t i;

	for (i = 0; i < d->nattrs; i++)
		kfree(d->attrs[i].da.attr.name);
	kfree(d->attrs);
	kfree(d->attr_list);
	kfree(d->name);
}

/*
 * The common part of a bus's driver registration: copies the name and
 * builds the attribute group (the bus points its driver's dev_groups at
 * d->groups when d->nattrs). 0 or -errno; rkm_driver_destroy() undoes it,
 * also after a failure.
 */
static int rkm_driver_init(struct rkm_driver *d, const struct rkm_driver_desc *desc)
{
	size_t i;

	if (!desc->name_len || desc->nattrs > 64)
		return -EINVAL;
	for (i = 0; i < desc->nattrs; i++)
		if (!rkm_attr_name_ok(desc->attrs, i) || !rkm_attr_mode_ok(desc->attrs[i].mode))
			return -EINVAL;
	d->name = kmemdup_nul(desc->name, desc->name_len, GFP_KERNEL);
	d->attrs = kcalloc(desc->nattrs, sizeof(*d->attrs), GFP_KERNEL);
	d->attr_list = kcalloc(desc->nattrs + 1, sizeof(*d->attr_list), GFP_KERNEL);
	if (!d->name || (desc->nattrs && !d->attrs) || !d->attr_list)
		return -ENOMEM;
	for (i = 0; i < desc->nattrs; i++) {
		const struct rkm_attr *src = &desc->attrs[i];
		struct rkm_dev_attr *a = &d->attrs[i];

		a->da.attr.name = kmemdup_nul(src->name, src->name_len, GFP_KERNEL);
		if (!a->da.attr.name)
			return -ENOMEM;
		d->nattrs = i + 1;
		sysfs_attr_init(&a->da.attr);
		a->da.attr.mode = src->mode;
		if (src->mode & 0444)
			a->da.show = rkm_dev_attr_show;
		if (src->mode & 0222)
			a->da.store = rkm_dev_attr_store;
		a->d = d;
		a->idx = i;
		d->attr_list[i] = &a->da.attr;
	}
	d->group.attrs = d->attr_list;
	d->groups[0] = &d->group;
	d->ops = desc->ops;
	d->drv = desc->drv;
	return 0;
}
#else
static void rkm_drivers_free(void)
{
}
#endif /* RKM_GLUE_DEVICE */
