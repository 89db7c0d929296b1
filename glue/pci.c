// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: PCI drivers (registration, probe/remove, the per-device binding
 * with its gate, interrupt and timer, sysfs attributes), BAR mappings, MMIO,
 * coherent DMA buffers and completions, for the crate's pci and dma modules.
 *
 * Unbinding a device runs, in this order: ops->unbind (end waits), close the
 * gate (wait for callers inside), ops->remove, free the interrupt, stop the
 * timer, clear bus mastering, ops->drop (Rust frees its data: BAR mappings,
 * DMA buffers), free the vector, disable the device. So the handlers never
 * run without the data, and the device can no longer DMA into a buffer by
 * the time it is freed.
 */
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timer.h>

#include "rkm_abi.h"

/**
 * struct rkm_pci_drv - a registered driver
 * @pdrv: the kernel's driver; its name, id table and groups point below
 * @ops: the Rust callbacks
 * @drv: the Rust driver value, for @ops->probe
 * @node: in rkm_pci_drvs, until unregistered
 * @ids: the id table, zero-terminated
 * @attrs: the sysfs attributes (@group, @groups)
 * @nattrs: their number
 */
struct rkm_pci_drv {
	struct pci_driver pdrv;
	const struct rkm_pci_ops *ops;
	const void *drv;
	struct list_head node;
	struct pci_device_id *ids;
	struct rkm_pci_dev_attr *attrs;
	size_t nattrs;
	struct attribute **attr_list;
	struct attribute_group group;
	const struct attribute_group *groups[2];
};

/** struct rkm_pci_dev_attr - one attribute: @idx is its index for Rust */
struct rkm_pci_dev_attr {
	struct device_attribute da;
	struct rkm_pci_drv *d;
	unsigned int idx;
};

/**
 * struct rkm_pci_binding - a bound device (see rkm_abi.h)
 * @ref: references: the bound state holds one, each Rust handle one
 * @gate: taken for reading by rkm_pci_enter(), for writing to close it
 * @live: whether the gate lets callers in (under @gate)
 * @pdev: the device (referenced until the last put)
 * @d: the driver, while bound
 * @data: the Rust data, from probe until ops->drop
 * @timer: the binding's timer, calling ops->timer
 * @irq_kind: RKM_IRQ_MSI or RKM_IRQ_INTX once a vector is allocated
 * @irq_on: the interrupt is requested
 * @enabled: pci_enable_device() succeeded
 * @res_lock: protects @bars, @dmas_deferred and @quiesced
 * @bars: BAR mappings not yet unmapped
 * @dmas_deferred: DMA buffers Rust dropped while the device could still
 *                 master the bus: freed once it cannot
 * @quiesced: bus mastering is off for good: buffers are freed at once
 */
struct rkm_pci_binding {
	struct kref ref;
	struct rw_semaphore gate;
	bool live;
	struct pci_dev *pdev;
	struct rkm_pci_drv *d;
	void *data;
	struct timer_list timer;
	int irq_kind;
	bool irq_on;
	bool enabled;
	struct mutex res_lock;
	struct list_head bars;
	struct list_head dmas_deferred;
	bool quiesced;
};

static LIST_HEAD(rkm_pci_drvs);
static DEFINE_MUTEX(rkm_pci_drvs_lock);

static void rkm_pci_release(struct kref *ref)
{
	struct rkm_pci_binding *b = container_of(ref, struct rkm_pci_binding, ref);

	pci_dev_put(b->pdev);
	kfree(b);
}

RKM_LEAF void rkm_pci_get(void *binding)
{
	struct rkm_pci_binding *b = binding;

	kref_get(&b->ref);
}

void rkm_pci_put(void *binding)
{
	struct rkm_pci_binding *b = binding;

	kref_put(&b->ref, rkm_pci_release);
}

void *rkm_pci_enter(void *binding)
{
	struct rkm_pci_binding *b = binding;

	down_read(&b->gate);
	if (b->live)
		return b->data;
	up_read(&b->gate);
	return NULL;
}

RKM_LEAF void rkm_pci_leave(void *binding)
{
	struct rkm_pci_binding *b = binding;

	up_read(&b->gate);
}

static irqreturn_t rkm_pci_hardirq(int irq, void *binding)
{
	struct rkm_pci_binding *b = binding;

	switch (b->d->ops->irq(b->data)) {
	case RKM_IRQ_HANDLED:
		return IRQ_HANDLED;
	case RKM_IRQ_WAKE_THREAD:
		return IRQ_WAKE_THREAD;
	default:
		return IRQ_NONE;
	}
}

static irqreturn_t rkm_pci_thread(int irq, void *binding)
{
	struct rkm_pci_binding *b = binding;

	b->d->ops->irq_thread(b->data);
	return IRQ_HANDLED;
}

static void rkm_pci_timer_fn(struct timer_list *t)
{
	struct rkm_pci_binding *b = from_timer(b, t, timer);

	b->d->ops->timer(b->data);
}

RKM_LEAF void rkm_pci_timer_arm(void *binding, unsigned int ms)
{
	struct rkm_pci_binding *b = binding;

	mod_timer(&b->timer, jiffies + msecs_to_jiffies(ms));
}

void rkm_pci_timer_cancel(void *binding)
{
	struct rkm_pci_binding *b = binding;

	del_timer_sync(&b->timer);
}

RKM_LEAF int rkm_pci_irq_kind(void *binding)
{
	struct rkm_pci_binding *b = binding;

	return b->irq_kind;
}

int rkm_pci_enable(void *binding)
{
	struct rkm_pci_binding *b = binding;
	int err;

	if (b->enabled)
		return 0;
	err = pci_enable_device(b->pdev);
	b->enabled = !err;
	return err;
}

void rkm_pci_set_master(void *binding)
{
	struct rkm_pci_binding *b = binding;

	pci_set_master(b->pdev);
}

int rkm_pci_dma_mask(void *binding, unsigned int bits)
{
	struct rkm_pci_binding *b = binding;

	if (bits < 12 || bits > 64)
		return -EINVAL;
	return dma_set_mask_and_coherent(&b->pdev->dev, DMA_BIT_MASK(bits));
}

int rkm_pci_irq_vector(void *binding)
{
	struct rkm_pci_binding *b = binding;
#ifdef PCI_IRQ_INTX
	const unsigned int intx = PCI_IRQ_INTX;
#else
	const unsigned int intx = PCI_IRQ_LEGACY;
#endif
	int n;

	if (b->irq_kind)
		return -EBUSY;
	n = pci_alloc_irq_vectors(b->pdev, 1, 1, PCI_IRQ_MSI | intx);
	if (n < 0)
		return n;
	b->irq_kind = b->pdev->msi_enabled ? RKM_IRQ_MSI : RKM_IRQ_INTX;
	return b->irq_kind;
}

/**
 * struct rkm_bar - a BAR mapping, owned by a Rust Bar
 * @node: in the binding's bars while mapped
 * @b: the binding (referenced)
 * @base: what accessors use: the mapping, NULL once revoked (RCU)
 * @mapping: the mapping until unmapped (under the binding's res_lock)
 * @bar: the BAR's number
 *
 * A Bar normally drops with the driver's data, before unbind ends; one kept
 * elsewhere (module state) is revoked at unbind: unmapped and its region
 * released, so it cannot reach a range the kernel may give to another
 * device. Reads then give all ones and writes are dropped, as for a device
 * that is gone.
 */
struct rkm_bar {
	struct list_head node;
	struct rkm_pci_binding *b;
	void __iomem __rcu *base;
	void __iomem *mapping;
	unsigned int bar;
};

void *rkm_pci_iomap(void *binding, unsigned int bar, size_t min_len, size_t *len, int *err)
{
	struct rkm_pci_binding *b = binding;
	void __iomem *base;
	struct rkm_bar *m;

	*err = -EINVAL;
	if (bar >= PCI_STD_NUM_BARS || !(pci_resource_flags(b->pdev, bar) & IORESOURCE_MEM) ||
	    pci_resource_len(b->pdev, bar) < min_len)
		return NULL;
	*err = -ENOMEM;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	*err = pci_request_region(b->pdev, bar, b->d->pdrv.name);
	if (*err)
		goto free;
	*err = -ENOMEM;
	base = pci_iomap(b->pdev, bar, 0);
	if (!base)
		goto release;
	RCU_INIT_POINTER(m->base, base);
	m->mapping = base;
	m->bar = bar;
	m->b = b;
	kref_get(&b->ref);
	mutex_lock(&b->res_lock);
	list_add(&m->node, &b->bars);
	mutex_unlock(&b->res_lock);
	*len = pci_resource_len(b->pdev, bar);
	*err = 0;
	return m;
release:
	pci_release_region(b->pdev, bar);
free:
	kfree(m);
	return NULL;
}

/* Unmaps and releases a mapped BAR (res_lock held); no accessor may be left. */
static void rkm_bar_unmap(struct rkm_bar *m)
{
	RCU_INIT_POINTER(m->base, NULL);
	pci_iounmap(m->b->pdev, m->mapping);
	pci_release_region(m->b->pdev, m->bar);
	m->mapping = NULL;
	list_del(&m->node);
}

void rkm_pci_iounmap(void *handle)
{
	struct rkm_bar *m = handle;
	struct rkm_pci_binding *b = m->b;

	/* The owner is dropping it: nobody else can be accessing it. */
	mutex_lock(&b->res_lock);
	if (m->mapping)
		rkm_bar_unmap(m);
	mutex_unlock(&b->res_lock);
	kfree(m);
	rkm_pci_put(b);
}

/* At unbind, after the driver's data is gone: revoke the BARs kept elsewhere. */
static void rkm_bars_revoke(struct rkm_pci_binding *b)
{
	struct rkm_bar *m, *tmp;
	int n = 0;

	mutex_lock(&b->res_lock);
	list_for_each_entry(m, &b->bars, node) {
		rcu_assign_pointer(m->base, NULL);
		n++;
	}
	if (n) {
		pci_warn(b->pdev, "%d BAR mapping(s) outlived the driver's data: revoked\n", n);
		synchronize_rcu();
		list_for_each_entry_safe(m, tmp, &b->bars, node)
			rkm_bar_unmap(m);
	}
	mutex_unlock(&b->res_lock);
}

#define RKM_BAR_ACCESS(sfx, type, rd, wr)						\
RKM_LEAF type rkm_bar_read##sfx(void *handle, size_t off)				\
{											\
	struct rkm_bar *m = handle;							\
	void __iomem *base;								\
	type v = (type)~0ull;								\
											\
	rcu_read_lock();								\
	base = rcu_dereference(m->base);						\
	if (base)									\
		v = rd(base + off);							\
	rcu_read_unlock();								\
	return v;									\
}											\
RKM_LEAF void rkm_bar_write##sfx(void *handle, size_t off, type val)			\
{											\
	struct rkm_bar *m = handle;							\
	void __iomem *base;								\
											\
	rcu_read_lock();								\
	base = rcu_dereference(m->base);						\
	if (base)									\
		wr(val, base + off);							\
	rcu_read_unlock();								\
}
RKM_BAR_ACCESS(b, uint8_t, readb, writeb)
RKM_BAR_ACCESS(w, uint16_t, readw, writew)
RKM_BAR_ACCESS(l, uint32_t, readl, writel)
RKM_BAR_ACCESS(q, uint64_t, readq, writeq)

/**
 * struct rkm_dma - a coherent buffer, owned by a Rust CoherentBuffer
 * @node: in the binding's dmas_deferred once Rust dropped it early
 * @b: the binding (referenced)
 * @size: its size
 * @cpu: the CPU address
 * @addr: the device address
 */
struct rkm_dma {
	struct list_head node;
	struct rkm_pci_binding *b;
	size_t size;
	void *cpu;
	dma_addr_t addr;
};

void *rkm_dma_alloc(void *binding, size_t size, void **cpu, uint64_t *addr)
{
	struct rkm_pci_binding *b = binding;
	struct rkm_dma *m;

	if (!size)
		return NULL;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	/* The buffer itself is an allocation site of rkm_fail_nth too. */
	m->cpu = rkm_fail_injected() ? NULL :
		 dma_alloc_coherent(&b->pdev->dev, size, &m->addr, GFP_KERNEL);
	if (!m->cpu) {
		kfree(m);
		return NULL;
	}
	kref_get(&b->ref);
	m->b = b;
	m->size = size;
	*cpu = m->cpu;
	*addr = m->addr;
	return m;
}

static void rkm_dma_release(struct rkm_dma *m)
{
	struct rkm_pci_binding *b = m->b;

	dma_free_coherent(&b->pdev->dev, m->size, m->cpu, m->addr);
	kfree(m);
	rkm_pci_put(b);
}

/*
 * The device may have been given the buffer's address: until bus mastering
 * is off for good (unbind), it could still write there. Keep it until then.
 */
void rkm_dma_free(void *handle)
{
	struct rkm_dma *m = handle;
	struct rkm_pci_binding *b = m->b;

	mutex_lock(&b->res_lock);
	if (!b->quiesced) {
		list_add(&m->node, &b->dmas_deferred);
		mutex_unlock(&b->res_lock);
		return;
	}
	mutex_unlock(&b->res_lock);
	rkm_dma_release(m);
}

/* Bus mastering off for good: free the buffers dropped before, and any later at once. */
static void rkm_pci_quiesce(struct rkm_pci_binding *b)
{
	struct rkm_dma *m, *tmp;
	LIST_HEAD(deferred);

	if (b->enabled)
		pci_clear_master(b->pdev);
	mutex_lock(&b->res_lock);
	b->quiesced = true;
	list_splice_init(&b->dmas_deferred, &deferred);
	mutex_unlock(&b->res_lock);
	list_for_each_entry_safe(m, tmp, &deferred, node)
		rkm_dma_release(m);
}

void rkm_dev_log(void *binding, int level, const char *msg, size_t len)
{
	struct rkm_pci_binding *b = binding;

	/* rkm_log()'s level table (print.c); debug lines are not dynamic-debug sites here. */
	if (level < 0 || level >= ARRAY_SIZE(rkm_levels))
		level = RKM_LOG_ERR;
	dev_printk(rkm_levels[level], &b->pdev->dev, "%.*s\n",
		   (int)min_t(size_t, len, RKM_LOG_LINE_MAX), msg);
}

static struct rkm_pci_drv *rkm_pci_drv_of(struct pci_dev *pdev)
{
	return container_of(to_pci_driver(pdev->dev.driver), struct rkm_pci_drv, pdrv);
}

/* What probe set up, undone when it fails and at the end of remove. */
static void rkm_pci_undo(struct rkm_pci_binding *b)
{
	if (b->irq_kind)
		pci_free_irq_vectors(b->pdev);
	if (b->enabled)
		pci_disable_device(b->pdev);
	pci_set_drvdata(b->pdev, NULL);
	kref_put(&b->ref, rkm_pci_release);
}

static int rkm_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rkm_pci_drv *d = rkm_pci_drv_of(pdev);
	struct rkm_pci_binding *b;
	void *data = NULL;
	int err;

	b = rkm_kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	kref_init(&b->ref);
	init_rwsem(&b->gate);
	mutex_init(&b->res_lock);
	INIT_LIST_HEAD(&b->bars);
	INIT_LIST_HEAD(&b->dmas_deferred);
	timer_setup(&b->timer, rkm_pci_timer_fn, 0);
	b->pdev = pci_dev_get(pdev);
	b->d = d;
	pci_set_drvdata(pdev, b);

	err = d->ops->probe(d->drv, b, &data);
	if (err)
		goto undo;
	b->data = data;
	if (b->irq_kind) {
		err = request_threaded_irq(pci_irq_vector(pdev, 0), rkm_pci_hardirq,
					   rkm_pci_thread,
					   b->irq_kind == RKM_IRQ_INTX ? IRQF_SHARED : 0,
					   d->pdrv.name, b);
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
	timer_shutdown_sync(&b->timer);
	rkm_pci_quiesce(b);
	if (b->data)
		d->ops->drop(b->data);
	b->data = NULL;
	rkm_bars_revoke(b);
	rkm_pci_undo(b);
	return err;
}

static void rkm_pci_remove(struct pci_dev *pdev)
{
	struct rkm_pci_binding *b = pci_get_drvdata(pdev);
	struct rkm_pci_drv *d = b->d;

	d->ops->unbind(b->data);
	down_write(&b->gate);
	b->live = false;
	up_write(&b->gate);
	d->ops->remove(b->data);
	if (b->irq_on)
		free_irq(pci_irq_vector(pdev, 0), b);
	b->irq_on = false;
	timer_shutdown_sync(&b->timer);
	rkm_pci_quiesce(b);
	d->ops->drop(b->data);
	b->data = NULL;
	rkm_bars_revoke(b);
	rkm_pci_undo(b);
}

static ssize_t rkm_pci_attr_show(struct device *dev, struct device_attribute *da, char *buf)
{
	struct rkm_pci_dev_attr *a = container_of(da, struct rkm_pci_dev_attr, da);
	struct rkm_pci_binding *b = dev_get_drvdata(dev);

	/* The driver core adds the files after probe and removes them before remove. */
	return a->d->ops->attr_show(b->data, a->idx, buf, PAGE_SIZE);
}

static ssize_t rkm_pci_attr_store(struct device *dev, struct device_attribute *da,
				  const char *buf, size_t count)
{
	struct rkm_pci_dev_attr *a = container_of(da, struct rkm_pci_dev_attr, da);
	struct rkm_pci_binding *b = dev_get_drvdata(dev);
	int err = a->d->ops->attr_store(b->data, a->idx, buf, count);

	return err ? err : count;
}

static void rkm_pci_drv_free(struct rkm_pci_drv *d)
{
	size_t i;

	for (i = 0; i < d->nattrs; i++)
		kfree(d->attrs[i].da.attr.name);
	kfree(d->attrs);
	kfree(d->attr_list);
	kfree(d->ids);
	kfree(d->pdrv.name);
	kfree(d);
}

static bool rkm_pci_mode_ok(uint16_t mode)
{
	return mode == 0444 || mode == 0644 || mode == 0400 || mode == 0600 || mode == 0200;
}

void *rkm_pci_register(const char *name, size_t name_len, const uint16_t *ids, size_t nids,
		       const struct rkm_pci_attr *attrs, size_t nattrs,
		       const struct rkm_pci_ops *ops, const void *drv, int *err)
{
	struct rkm_pci_drv *d;
	size_t i;

	*err = -EINVAL;
	if (!name_len || !nids || nattrs > 64)
		return NULL;
	for (i = 0; i < nattrs; i++)
		if (!attrs[i].name_len || !rkm_pci_mode_ok(attrs[i].mode))
			return NULL;
	*err = -ENOMEM;
	d = rkm_kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->pdrv.name = kmemdup_nul(name, name_len, GFP_KERNEL);
	d->ids = kcalloc(nids + 1, sizeof(*d->ids), GFP_KERNEL);
	d->attrs = kcalloc(nattrs, sizeof(*d->attrs), GFP_KERNEL);
	d->attr_list = kcalloc(nattrs + 1, sizeof(*d->attr_list), GFP_KERNEL);
	if (!d->pdrv.name || !d->ids || (nattrs && !d->attrs) || !d->attr_list)
		goto free;
	for (i = 0; i < nids; i++) {
		d->ids[i].vendor = ids[2 * i];
		d->ids[i].device = ids[2 * i + 1];
		d->ids[i].subvendor = PCI_ANY_ID;
		d->ids[i].subdevice = PCI_ANY_ID;
	}
	for (i = 0; i < nattrs; i++) {
		struct rkm_pci_dev_attr *a = &d->attrs[i];

		d->nattrs = i;
		a->da.attr.name = kmemdup_nul(attrs[i].name, attrs[i].name_len, GFP_KERNEL);
		if (!a->da.attr.name)
			goto free;
		sysfs_attr_init(&a->da.attr);
		a->da.attr.mode = attrs[i].mode;
		if (attrs[i].mode & 0444)
			a->da.show = rkm_pci_attr_show;
		if (attrs[i].mode & 0222)
			a->da.store = rkm_pci_attr_store;
		a->d = d;
		a->idx = i;
		d->attr_list[i] = &a->da.attr;
	}
	d->nattrs = nattrs;
	d->group.attrs = d->attr_list;
	d->groups[0] = &d->group;
	d->pdrv.id_table = d->ids;
	d->pdrv.probe = rkm_pci_probe;
	d->pdrv.remove = rkm_pci_remove;
	d->pdrv.dev_groups = nattrs ? d->groups : NULL;
	d->ops = ops;
	d->drv = drv;
	/* Probe may run inside: the driver is on the list before. */
	mutex_lock(&rkm_pci_drvs_lock);
	list_add(&d->node, &rkm_pci_drvs);
	mutex_unlock(&rkm_pci_drvs_lock);
	*err = pci_register_driver(&d->pdrv);
	if (*err) {
		mutex_lock(&rkm_pci_drvs_lock);
		list_del(&d->node);
		mutex_unlock(&rkm_pci_drvs_lock);
		goto free;
	}
	return d;
free:
	rkm_pci_drv_free(d);
	return NULL;
}

void rkm_pci_unregister(void *handle)
{
	struct rkm_pci_drv *d = handle;

	pci_unregister_driver(&d->pdrv);
	mutex_lock(&rkm_pci_drvs_lock);
	list_del(&d->node);
	mutex_unlock(&rkm_pci_drvs_lock);
	rkm_pci_drv_free(d);
}

/*
 * At module exit, after the driver's exit: a driver whose Rust owner was
 * leaked is still registered, and its callbacks are about to go.
 */
static void rkm_pci_drvs_free(void)
{
	struct rkm_pci_drv *d, *tmp;

	list_for_each_entry_safe(d, tmp, &rkm_pci_drvs, node) {
		pr_warn(KBUILD_MODNAME ": PCI driver %s leaked by the driver, unregistered at unload\n",
			d->pdrv.name);
		rkm_pci_unregister(d);
	}
}

void *rkm_completion_new(void)
{
	struct completion *c = rkm_kzalloc(sizeof(*c));

	if (c)
		init_completion(c);
	return c;
}

void rkm_completion_free(void *c)
{
	kfree(c);
}

RKM_LEAF void rkm_completion_reinit(void *c)
{
	reinit_completion(c);
}

RKM_LEAF void rkm_completion_complete(void *c)
{
	complete(c);
}

int rkm_completion_wait(void *c)
{
	return wait_for_completion_interruptible(c);
}
