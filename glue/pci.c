// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the PCI bus on the device core (device.c): driver registration
 * with a vendor/device id table, probe and remove through the generic
 * binding, enabling the device and bus mastering, the interrupt vector, BAR
 * mappings and MMIO.
 */
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "rkm_abi.h"

/**
 * struct rkm_pci_driver - a registered PCI driver
 * @core: what every bus's driver has (name, attributes, callbacks)
 * @pdrv: the kernel's driver; its name, id table and groups point into @core
 * @ids: the id table, zero-terminated
 */
struct rkm_pci_driver {
	struct rkm_driver core;
	struct pci_driver pdrv;
	struct pci_device_id *ids;
};

static struct pci_dev *rkm_binding_pdev(struct rkm_binding *b)
{
	return to_pci_dev(b->dev);
}

/* In the binding's bus_flags: this binding's pci_enable_device() succeeded, */
#define RKM_PCI_ENABLED BIT(0)
/* and it set bus mastering (which pci_set_master() does even if not enabled). */
#define RKM_PCI_MASTER BIT(1)

static bool rkm_pci_enabled(struct rkm_binding *b)
{
	return b->bus_flags & RKM_PCI_ENABLED;
}

int rkm_pci_enable(struct rkm_binding *b)
{
	int err;

	if (rkm_pci_enabled(b))
		return 0;
	err = pci_enable_device(rkm_binding_pdev(b));
	if (!err)
		b->bus_flags |= RKM_PCI_ENABLED;
	return err;
}

void rkm_pci_set_master(struct rkm_binding *b)
{
	b->bus_flags |= RKM_PCI_MASTER;
	pci_set_master(rkm_binding_pdev(b));
}

int rkm_pci_irq_vector(struct rkm_binding *b)
{
	struct pci_dev *pdev = rkm_binding_pdev(b);
#ifdef PCI_IRQ_INTX
	const unsigned int intx = PCI_IRQ_INTX;
#else
	const unsigned int intx = PCI_IRQ_LEGACY;
#endif
	int n;

	if (b->irq_kind)
		return -EBUSY;
	n = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | intx);
	if (n < 0)
		return n;
	rkm_binding_set_irq(b, pci_irq_vector(pdev, 0),
			    pdev->msi_enabled ? RKM_IRQ_MSI : RKM_IRQ_INTX);
	return b->irq_kind;
}

static void rkm_pci_quiesce(struct rkm_binding *b)
{
	if (b->bus_flags & (RKM_PCI_ENABLED | RKM_PCI_MASTER))
		pci_clear_master(rkm_binding_pdev(b));
}

static void rkm_pci_undo(struct rkm_binding *b)
{
	struct pci_dev *pdev = rkm_binding_pdev(b);

	if (b->irq_kind)
		pci_free_irq_vectors(pdev);
	if (rkm_pci_enabled(b))
		pci_disable_device(pdev);
}

static const struct rkm_bus_hooks rkm_pci_hooks = {
	.quiesce = rkm_pci_quiesce,
	.undo = rkm_pci_undo,
};

/**
 * struct rkm_bar - a BAR mapping, owned by a Rust Bar
 * @res: tracked by the binding until unmapped
 * @b: the binding (referenced through @res)
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
	struct rkm_resource res;
	struct rkm_binding *b;
	void __iomem __rcu *base;
	void __iomem *mapping;
	unsigned int bar;
};

static void rkm_bar_revoke(struct rkm_resource *r)
{
	struct rkm_bar *m = container_of(r, struct rkm_bar, res);

	rcu_assign_pointer(m->base, NULL);
}

/* Unmaps and releases a mapped BAR (res_lock held); no accessor may be left. */
static void rkm_bar_release(struct rkm_resource *r)
{
	struct rkm_bar *m = container_of(r, struct rkm_bar, res);
	struct pci_dev *pdev = rkm_binding_pdev(m->b);

	RCU_INIT_POINTER(m->base, NULL);
	pci_iounmap(pdev, m->mapping);
	pci_release_region(pdev, m->bar);
	m->mapping = NULL;
}

struct rkm_bar *rkm_pci_iomap(struct rkm_binding *b, unsigned int bar, size_t min_len,
			      size_t *len, int *err)
{
	struct pci_dev *pdev = rkm_binding_pdev(b);
	void __iomem *base;
	struct rkm_bar *m;

	*err = -EINVAL;
	if (bar >= PCI_STD_NUM_BARS || !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, bar) < min_len)
		return NULL;
	*err = -ENOMEM;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	*err = pci_request_region(pdev, bar, b->d->name);
	if (*err)
		goto free;
	*err = -ENOMEM;
	base = pci_iomap(pdev, bar, 0);
	if (!base)
		goto release;
	RCU_INIT_POINTER(m->base, base);
	m->mapping = base;
	m->bar = bar;
	m->b = b;
	m->res.revoke = rkm_bar_revoke;
	m->res.release = rkm_bar_release;
	rkm_binding_track(b, &m->res);
	*len = pci_resource_len(pdev, bar);
	*err = 0;
	return m;
release:
	pci_release_region(pdev, bar);
free:
	kfree(m);
	return NULL;
}

void rkm_pci_iounmap(struct rkm_bar *m)
{
	/* The owner is dropping it: nobody else can be accessing it. */
	rkm_binding_untrack(m->b, &m->res);
	kfree(m);
}

#define RKM_BAR_ACCESS(sfx, type, rd, wr)						\
RKM_LEAF type rkm_bar_read##sfx(struct rkm_bar *m, size_t off)				\
{											\
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
RKM_LEAF void rkm_bar_write##sfx(struct rkm_bar *m, size_t off, type val)		\
{											\
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

static int rkm_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rkm_pci_driver *d = container_of(to_pci_driver(pdev->dev.driver),
						struct rkm_pci_driver, pdrv);

	return rkm_binding_probe(&pdev->dev, &d->core, &rkm_pci_hooks);
}

static void rkm_pci_remove(struct pci_dev *pdev)
{
	rkm_binding_unbind(&pdev->dev);
}

static void rkm_pci_driver_free(struct rkm_pci_driver *d)
{
	rkm_driver_destroy(&d->core);
	kfree(d->ids);
	kfree(d);
}

static void rkm_pci_driver_unregister(struct rkm_driver *core)
{
	struct rkm_pci_driver *d = container_of(core, struct rkm_pci_driver, core);

	pci_unregister_driver(&d->pdrv);
	rkm_driver_listed(&d->core, false);
	rkm_pci_driver_free(d);
}

struct rkm_pci_driver *rkm_pci_register(const struct rkm_driver_desc *desc, const uint16_t *ids,
					size_t nids, int *err)
{
	struct rkm_pci_driver *d;
	size_t i;

	*err = -EINVAL;
	if (!nids)
		return NULL;
	*err = -ENOMEM;
	d = rkm_kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	*err = rkm_driver_init(&d->core, desc);
	if (*err)
		goto free;
	*err = -ENOMEM;
	d->ids = kcalloc(nids + 1, sizeof(*d->ids), GFP_KERNEL);
	if (!d->ids)
		goto free;
	for (i = 0; i < nids; i++) {
		d->ids[i].vendor = ids[2 * i];
		d->ids[i].device = ids[2 * i + 1];
		d->ids[i].subvendor = PCI_ANY_ID;
		d->ids[i].subdevice = PCI_ANY_ID;
	}
	d->pdrv.name = d->core.name;
	d->pdrv.id_table = d->ids;
	d->pdrv.probe = rkm_pci_probe;
	d->pdrv.remove = rkm_pci_remove;
	d->pdrv.dev_groups = d->core.nattrs ? d->core.groups : NULL;
	d->core.unregister = rkm_pci_driver_unregister;
	rkm_driver_listed(&d->core, true);
	*err = pci_register_driver(&d->pdrv);
	if (*err) {
		rkm_driver_listed(&d->core, false);
		goto free;
	}
	return d;
free:
	rkm_pci_driver_free(d);
	return NULL;
}

void rkm_pci_unregister(struct rkm_pci_driver *d)
{
	rkm_driver_unregister(&d->core);
}

/* --- PCI config space (issue 16) --- */

/**
 * struct rkm_pci_config - a config-space handle, owned by a Rust pci::Config
 * @res: tracked by the binding until put
 * @pdev: what accessors use: the device, NULL once revoked (RCU)
 * @b: the binding (referenced through @res)
 *
 * Revoked at unbind like a BAR (struct rkm_bar): a handle kept past its
 * binding reads all ones and drops writes, as for a device that is gone.
 */
struct rkm_pci_config {
	struct rkm_resource res;
	struct pci_dev __rcu *pdev;
	struct rkm_binding *b;
};

static void rkm_pci_config_revoke(struct rkm_resource *r)
{
	rcu_assign_pointer(container_of(r, struct rkm_pci_config, res)->pdev, NULL);
}

static void rkm_pci_config_release(struct rkm_resource *r)
{
	RCU_INIT_POINTER(container_of(r, struct rkm_pci_config, res)->pdev, NULL);
}

struct rkm_pci_config *rkm_pci_config_get(struct rkm_binding *b, size_t *size, int *err)
{
	struct rkm_pci_config *c = rkm_kzalloc(sizeof(*c));

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	RCU_INIT_POINTER(c->pdev, rkm_binding_pdev(b));
	c->b = b;
	c->res.revoke = rkm_pci_config_revoke;
	c->res.release = rkm_pci_config_release;
	rkm_binding_track(b, &c->res);
	*size = rkm_binding_pdev(b)->cfg_size;
	*err = 0;
	return c;
}

void rkm_pci_config_put(struct rkm_pci_config *c)
{
	rkm_binding_untrack(c->b, &c->res);
	kfree(c);
}

/* pci_{read,write}_config_*() take the raw pci_lock: fine under RCU, any context. */
#define RKM_PCI_CONFIG_ACCESS(sfx, type, word)						\
type rkm_pci_config_read##sfx(struct rkm_pci_config *c, size_t off)			\
{											\
	struct pci_dev *pdev;								\
	type v = (type)~0u;								\
											\
	rcu_read_lock();								\
	pdev = rcu_dereference(c->pdev);						\
	if (pdev && pci_read_config_##word(pdev, off, &v))				\
		v = (type)~0u;								\
	rcu_read_unlock();								\
	return v;									\
}											\
void rkm_pci_config_write##sfx(struct rkm_pci_config *c, size_t off, type val)		\
{											\
	struct pci_dev *pdev;								\
											\
	rcu_read_lock();								\
	pdev = rcu_dereference(c->pdev);						\
	if (pdev)									\
		pci_write_config_##word(pdev, off, val);				\
	rcu_read_unlock();								\
}
RKM_PCI_CONFIG_ACCESS(b, u8, byte)
RKM_PCI_CONFIG_ACCESS(w, u16, word)
RKM_PCI_CONFIG_ACCESS(l, u32, dword)
