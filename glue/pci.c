// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the PCI bus on the device core (device.c): driver registration
 * with a vendor/device id table, probe and remove through the generic
 * binding, enabling the device and bus mastering, the interrupt vector, BAR
 * mappings and MMIO.
 */
#ifdef RKM_GLUE_DEVICE
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
 * @ids: the id table, zero-terminated; entry i has driver_data i + 1
 * @nids: its entries (without the terminator)
 * @probing_lock: protects @probing
 * @probing: the rkm_pci_probing of each probe in progress (rkm_pci_id_index())
 * @vector_irq: the Rust handler of rkm_pci_irq_vectors()'s vectors
 * @vectors: the rkm_pci_vectors of each binding that allocated some (under
 *           @probing_lock)
 */
struct rkm_pci_driver {
	struct rkm_driver core;
	struct pci_driver pdrv;
	struct pci_device_id *ids;
	size_t nids;
	spinlock_t probing_lock;
	struct list_head probing;
	int (*vector_irq)(void *data, unsigned int vector);
	struct list_head vectors;
};

static struct pci_dev *rkm_binding_pdev(struct rkm_binding *b)
{
	return to_pci_dev(b->dev);
}

/* In the binding's bus_flags: this binding's pci_enable_device() succeeded, */
#define RKM_PCI_ENABLED BIT(0)
/* and it set bus mastering (which pci_set_master() does even if not enabled), */
#define RKM_PCI_MASTER BIT(1)
/* and it allocated vectors with rkm_pci_irq_vectors(). */
#define RKM_PCI_VECTORS BIT(2)

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

	if (b->irq_kind || (b->bus_flags & RKM_PCI_VECTORS))
		return -EBUSY;
	n = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | intx);
	if (n < 0)
		return n;
	rkm_binding_set_irq(b, pci_irq_vector(pdev, 0),
			    pdev->msi_enabled ? RKM_IRQ_MSI : RKM_IRQ_INTX);
	return b->irq_kind;
}

static void rkm_pci_vectors_free(struct rkm_binding *b);

static void rkm_pci_quiesce(struct rkm_binding *b)
{
	/* The handlers use the driver's data, dropped next. */
	if (b->bus_flags & RKM_PCI_VECTORS)
		rkm_pci_vectors_free(b);
	/* Whatever the driver set, also through its config space. */
	pci_clear_master(rkm_binding_pdev(b));
}

static void rkm_pci_undo(struct rkm_binding *b)
{
	struct pci_dev *pdev = rkm_binding_pdev(b);

	if (b->irq_kind || (b->bus_flags & RKM_PCI_VECTORS))
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
 * @base: what accessors use: the mapping, NULL once revoked (RCU, read with
 *        preemption off: synchronize_rcu() waits that out too since v5.0,
 *        and it is a few inline instructions where rcu_read_lock() and
 *        rcu_read_unlock() are two calls on a preemptible kernel, in every
 *        register access of a driver's hot path)
 * @mapping: the mapping until unmapped (under the binding's res_lock)
 * @bar: the BAR's number
 * @kind: RKM_BAR_MEM or RKM_BAR_IO (a port range: @mapping is a pci_iomap()
 *        cookie that only ioreadX()/iowriteX() take)
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
	int kind;
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
	unsigned long flags;

	*err = -EINVAL;
	if (bar >= PCI_STD_NUM_BARS)
		return NULL;
	flags = pci_resource_flags(pdev, bar);
	if (!(flags & (IORESOURCE_MEM | IORESOURCE_IO)) || pci_resource_len(pdev, bar) < min_len)
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
	m->kind = flags & IORESOURCE_IO ? RKM_BAR_IO : RKM_BAR_MEM;
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

/*
 * A memory BAR is read with readX() (one access, 64-bit included); a port
 * BAR with ioreadX(), a 64-bit access as two 32-bit ones, low half first.
 */
static inline uint64_t rkm_ioread64_lo_hi(void __iomem *p)
{
	return ioread32(p) | (uint64_t)ioread32(p + 4) << 32;
}

static inline void rkm_iowrite64_lo_hi(uint64_t v, void __iomem *p)
{
	iowrite32((uint32_t)v, p);
	iowrite32((uint32_t)(v >> 32), p + 4);
}

#define RKM_BAR_ACCESS(sfx, type, rd, wr, iord, iowr)					\
RKM_LEAF type rkm_bar_read##sfx(struct rkm_bar *m, size_t off)				\
{											\
	void __iomem *base;								\
	type v = (type)~0ull;								\
											\
	preempt_disable();								\
	base = rcu_dereference_sched(m->base);						\
	if (base)									\
		v = m->kind == RKM_BAR_IO ? iord(base + off) : rd(base + off);		\
	preempt_enable();								\
	return v;									\
}											\
RKM_LEAF void rkm_bar_write##sfx(struct rkm_bar *m, size_t off, type val)		\
{											\
	void __iomem *base;								\
											\
	preempt_disable();								\
	base = rcu_dereference_sched(m->base);						\
	if (base) {									\
		if (m->kind == RKM_BAR_IO)						\
			iowr(val, base + off);						\
		else									\
			wr(val, base + off);						\
	}										\
	preempt_enable();								\
}
RKM_BAR_ACCESS(b, uint8_t, readb, writeb, ioread8, iowrite8)
RKM_BAR_ACCESS(w, uint16_t, readw, writew, ioread16, iowrite16)
RKM_BAR_ACCESS(l, uint32_t, readl, writel, ioread32, iowrite32)
RKM_BAR_ACCESS(q, uint64_t, readq, writeq, rkm_ioread64_lo_hi, rkm_iowrite64_lo_hi)

/**
 * struct rkm_pci_probing - a probe in progress, for rkm_pci_id_index()
 * @node: in the driver's @probing list during the probe
 * @pdev: the device being probed (its device lock is held: one probe a device)
 * @idx: the index of the id table entry it matched
 */
struct rkm_pci_probing {
	struct list_head node;
	struct pci_dev *pdev;
	unsigned int idx;
};

static int rkm_pci_vectors_request(struct pci_dev *pdev);

static int rkm_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rkm_pci_driver *d = container_of(to_pci_driver(pdev->dev.driver),
						struct rkm_pci_driver, pdrv);
	struct rkm_pci_probing p = { .pdev = pdev };
	int err;

	/*
	 * A static entry carries its index + 1; so does a new_id one, whose
	 * driver_data the PCI core accepts only if an entry of the table has
	 * it (and, not given, 0 matches none: such new_ids are refused).
	 */
	if (!id->driver_data || id->driver_data > d->nids)
		return -EINVAL;
	p.idx = id->driver_data - 1;
	spin_lock(&d->probing_lock);
	list_add(&p.node, &d->probing);
	spin_unlock(&d->probing_lock);
	err = rkm_binding_probe(&pdev->dev, &d->core, &rkm_pci_hooks);
	spin_lock(&d->probing_lock);
	list_del(&p.node);
	spin_unlock(&d->probing_lock);
	if (!err)
		err = rkm_pci_vectors_request(pdev);
	return err;
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

struct rkm_pci_driver *rkm_pci_register_ids(const struct rkm_driver_desc *desc,
					    const struct rkm_pci_id *ids, size_t nids,
					    int (*vector_irq)(void *data, unsigned int vector),
					    int *err)
{
	struct rkm_pci_driver *d;
	size_t i;

	*err = -EINVAL;
	if (!nids || nids > RKM_PCI_IDS_MAX)
		return NULL;
	for (i = 0; i < nids; i++)
		/* The table's terminator is all zeros: no entry may look like it. */
		if (!ids[i].vendor && !ids[i].subvendor && !ids[i].class_mask)
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
	d->nids = nids;
	spin_lock_init(&d->probing_lock);
	INIT_LIST_HEAD(&d->probing);
	INIT_LIST_HEAD(&d->vectors);
	d->vector_irq = vector_irq;
	for (i = 0; i < nids; i++) {
		d->ids[i].vendor = ids[i].vendor;
		d->ids[i].device = ids[i].device;
		d->ids[i].subvendor = ids[i].subvendor;
		d->ids[i].subdevice = ids[i].subdevice;
		d->ids[i].class = ids[i].class;
		d->ids[i].class_mask = ids[i].class_mask;
		d->ids[i].driver_data = i + 1;
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

/* --- PCI for driver authors (issue 16) --- */

int rkm_pci_id_index(struct rkm_binding *b)
{
	struct rkm_pci_driver *d = container_of(b->d, struct rkm_pci_driver, core);
	struct pci_dev *pdev = rkm_binding_pdev(b);
	struct rkm_pci_probing *p;
	int idx = -ENOENT;

	spin_lock(&d->probing_lock);
	list_for_each_entry(p, &d->probing, node) {
		if (p->pdev == pdev) {
			idx = p->idx;
			break;
		}
	}
	spin_unlock(&d->probing_lock);
	return idx;
}

RKM_LEAF int rkm_bar_kind(struct rkm_bar *m)
{
	return m->kind;
}

/*
 * Several interrupt vectors (rkm_pci_irq_vectors()): allocated in probe,
 * requested once probe succeeded (the handlers need the driver's data),
 * each with its index; freed at the bus's quiesce (before the data is
 * dropped), the vectors themselves at undo.
 */

/**
 * struct rkm_pci_vector - one vector's request: the dev_id of its handler
 * @vs: the set it belongs to
 * @idx: its index, passed to the Rust handler
 * @on: requested
 */
struct rkm_pci_vector {
	struct rkm_pci_vectors *vs;
	unsigned int idx;
	bool on;
};

/**
 * struct rkm_pci_vectors - the vectors of one binding
 * @node: in the driver's @vectors
 * @b: the binding
 * @n: how many
 * @v: each one's request
 */
struct rkm_pci_vectors {
	struct list_head node;
	struct rkm_binding *b;
	unsigned int n;
	struct rkm_pci_vector v[];
};

static struct rkm_pci_driver *rkm_pci_driver_of(struct rkm_binding *b)
{
	return container_of(b->d, struct rkm_pci_driver, core);
}

/* The binding's vector set, unlinked from the driver's list if @take. */
static struct rkm_pci_vectors *rkm_pci_vectors_find(struct rkm_binding *b, bool take)
{
	struct rkm_pci_driver *d = rkm_pci_driver_of(b);
	struct rkm_pci_vectors *vs, *found = NULL;

	spin_lock(&d->probing_lock);
	list_for_each_entry(vs, &d->vectors, node) {
		if (vs->b == b) {
			found = vs;
			if (take)
				list_del(&vs->node);
			break;
		}
	}
	spin_unlock(&d->probing_lock);
	return found;
}

int rkm_pci_irq_vectors(struct rkm_binding *b, unsigned int min, unsigned int max,
			unsigned int types, unsigned int *kind)
{
	struct rkm_pci_driver *d = rkm_pci_driver_of(b);
	struct pci_dev *pdev = rkm_binding_pdev(b);
#ifdef PCI_IRQ_INTX
	const unsigned int intx = PCI_IRQ_INTX;
#else
	const unsigned int intx = PCI_IRQ_LEGACY;
#endif
	unsigned int flags = 0, i;
	struct rkm_pci_vectors *vs;
	int n;

	if (!min || min > max || max > RKM_PCI_VECTORS_MAX || !types ||
	    (types & ~(RKM_PCI_IRQ_MSIX | RKM_PCI_IRQ_MSI | RKM_PCI_IRQ_INTX)))
		return -EINVAL;
	if (b->irq_kind || (b->bus_flags & RKM_PCI_VECTORS))
		return -EBUSY;
	if (types & RKM_PCI_IRQ_MSIX)
		flags |= PCI_IRQ_MSIX;
	if (types & RKM_PCI_IRQ_MSI)
		flags |= PCI_IRQ_MSI;
	if (types & RKM_PCI_IRQ_INTX)
		flags |= intx;
	vs = rkm_kzalloc(struct_size(vs, v, max));
	if (!vs)
		return -ENOMEM;
	n = pci_alloc_irq_vectors(pdev, min, max, flags);
	if (n < 0) {
		kfree(vs);
		return n;
	}
	vs->b = b;
	vs->n = n;
	for (i = 0; i < n; i++) {
		vs->v[i].vs = vs;
		vs->v[i].idx = i;
	}
	b->bus_flags |= RKM_PCI_VECTORS;
	spin_lock(&d->probing_lock);
	list_add(&vs->node, &d->vectors);
	spin_unlock(&d->probing_lock);
	*kind = pdev->msix_enabled ? RKM_PCI_IRQ_MSIX :
		pdev->msi_enabled ? RKM_PCI_IRQ_MSI : RKM_PCI_IRQ_INTX;
	return n;
}

static irqreturn_t rkm_pci_vector_irq(int irq, void *dev_id)
{
	struct rkm_pci_vector *v = dev_id;
	struct rkm_binding *b = v->vs->b;

	switch (rkm_pci_driver_of(b)->vector_irq(b->data, v->idx)) {
	case RKM_IRQ_HANDLED:
		return IRQ_HANDLED;
	default:
		return IRQ_NONE;
	}
}

/* Frees the requested vectors (process context), then the set. */
static void rkm_pci_vectors_free(struct rkm_binding *b)
{
	struct rkm_pci_vectors *vs = rkm_pci_vectors_find(b, true);
	struct pci_dev *pdev = rkm_binding_pdev(b);
	unsigned int i;

	if (!vs)
		return;
	for (i = vs->n; i-- > 0;)
		if (vs->v[i].on)
			free_irq(pci_irq_vector(pdev, i), &vs->v[i]);
	kfree(vs);
}

/* After a successful probe: request each vector, or unbind again. */
static int rkm_pci_vectors_request(struct pci_dev *pdev)
{
	struct rkm_binding *b = dev_get_drvdata(&pdev->dev);
	struct rkm_pci_vectors *vs;
	unsigned int i;
	int err = 0;

	if (!(b->bus_flags & RKM_PCI_VECTORS))
		return 0;
	vs = rkm_pci_vectors_find(b, false);
	for (i = 0; vs && i < vs->n && !err; i++) {
		err = request_irq(pci_irq_vector(pdev, i), rkm_pci_vector_irq,
				  pdev->msi_enabled || pdev->msix_enabled ? 0 : IRQF_SHARED,
				  b->d->name, &vs->v[i]);
		vs->v[i].on = !err;
	}
	if (err)
		/* As if probe had failed: the whole binding goes (the vectors at quiesce). */
		rkm_binding_unbind(&pdev->dev);
	return err;
}

/* --- PCI config space (issue 16) --- */

/**
 * struct rkm_pci_config - a config-space handle, owned by a Rust pci::Config
 * @res: tracked by the binding until put
 * @pdev: what accessors use: the device, NULL once revoked (RCU)
 * @b: the binding (referenced through @res)
 * @protected: the bytes the PCI core, the interrupt layer and the PM core
 *             own (rkm_pci_config_protect()); set once at get, read-only after
 *
 * Revoked at unbind like a BAR (struct rkm_bar): a handle kept past its
 * binding reads all ones and refuses writes, as for a device that is gone.
 */
struct rkm_pci_config {
	struct rkm_resource res;
	struct pci_dev __rcu *pdev;
	struct rkm_binding *b;
	DECLARE_BITMAP(protected, PCI_CFG_SPACE_EXP_SIZE);
};

/* The whole v2 PCI Express capability, root port and slot registers included. */
#define RKM_PCI_EXP_SIZEOF	(PCI_EXP_SLTSTA2 + 2)
/* As __pci_find_next_cap_ttl(): at most 48 capabilities, so a loop ends. */
#define RKM_PCI_CAP_TTL		48
#define RKM_PCI_EXT_CAP_TTL	((PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8)

static void rkm_pci_config_set(struct rkm_pci_config *c, unsigned int pos, unsigned int len)
{
	if (pos < PCI_CFG_SPACE_EXP_SIZE)
		bitmap_set(c->protected, pos, min(len, PCI_CFG_SPACE_EXP_SIZE - pos));
}

/* The size of a standard capability the kernel owns, 0 if unknown or variable. */
static unsigned int rkm_pci_cap_size(struct pci_dev *pdev, u8 id, u8 pos)
{
	u16 flags;

	switch (id) {
	case PCI_CAP_ID_PM:
		return PCI_PM_SIZEOF;
	case PCI_CAP_ID_MSI:
		pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			return (flags & PCI_MSI_FLAGS_64BIT ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32) + 4;
		return (flags & PCI_MSI_FLAGS_64BIT ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32) + 2;
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_EXP:
		return RKM_PCI_EXP_SIZEOF;
	case PCI_CAP_ID_VPD:
		return PCI_CAP_VPD_SIZEOF;
	case PCI_CAP_ID_AF:
		return PCI_CAP_AF_SIZEOF;
	case PCI_CAP_ID_PCIX:
		return PCI_CAP_PCIX_SIZEOF_V2;
	case PCI_CAP_ID_SSVID:
		return PCI_SSVID_DEVICE_ID + 2;
	}
	return 0;
}

/*
 * The standard capabilities (0x40-0xff): every header (id, next); the whole
 * structure of those the kernel owns, by its size or, when that is variable
 * or unknown, up to the next capability in address order. A vendor-specific
 * capability is the driver's, past its id, next and length bytes.
 */
static void rkm_pci_config_protect_caps(struct rkm_pci_config *c, struct pci_dev *pdev)
{
	u8 pos[RKM_PCI_CAP_TTL], ids[RKM_PCI_CAP_TTL];
	int n = 0, i, j;
	u16 status, ent;
	u8 p;

	pci_read_config_word(pdev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST))
		return;
	pci_read_config_byte(pdev, pdev->hdr_type == PCI_HEADER_TYPE_CARDBUS ?
			     PCI_CB_CAPABILITY_LIST : PCI_CAPABILITY_LIST, &p);
	while (n < RKM_PCI_CAP_TTL && p >= PCI_STD_HEADER_SIZEOF) {
		p &= ~3;
		if (pci_read_config_word(pdev, p, &ent) || (ent & 0xff) == 0xff)
			break;
		pos[n] = p;
		ids[n++] = ent & 0xff;
		p = ent >> 8;
	}
	for (i = 0; i < n; i++) {
		unsigned int size = rkm_pci_cap_size(pdev, ids[i], pos[i]);

		if (ids[i] == PCI_CAP_ID_VNDR) {
			size = 3;
		} else if (!size) {
			size = PCI_CFG_SPACE_SIZE - pos[i];
			for (j = 0; j < n; j++)
				if (pos[j] > pos[i])
					size = min_t(unsigned int, size, pos[j] - pos[i]);
		}
		rkm_pci_config_set(c, pos[i], max(size, 2u));
	}
}

/*
 * Extended space (0x100-0xfff): all of it but the bodies of vendor-specific
 * capabilities (VSEC after its 8-byte header, DVSEC after its 10 bytes).
 * Every capability header is protected again afterwards, so a vendor length
 * that overlaps the next capability cannot open the list.
 */
static void rkm_pci_config_protect_ext(struct rkm_pci_config *c, struct pci_dev *pdev)
{
	int pass;

	rkm_pci_config_set(c, PCI_CFG_SPACE_SIZE, PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE);
	if (pdev->cfg_size <= PCI_CFG_SPACE_SIZE)
		return;
	for (pass = 0; pass < 2; pass++) {
		unsigned int pos = PCI_CFG_SPACE_SIZE, ttl = RKM_PCI_EXT_CAP_TTL;
		u32 hdr, vhdr;

		while (ttl-- && pos >= PCI_CFG_SPACE_SIZE &&
		       !pci_read_config_dword(pdev, pos, &hdr) && hdr && hdr != ~0u) {
			unsigned int skip = 0, len = 0;

			if (PCI_EXT_CAP_ID(hdr) == PCI_EXT_CAP_ID_VNDR ||
			    PCI_EXT_CAP_ID(hdr) == PCI_EXT_CAP_ID_DVSEC) {
				/* PCI_VSEC_HDR and PCI_DVSEC_HEADER1 are the same dword. */
				pci_read_config_dword(pdev, pos + PCI_VSEC_HDR, &vhdr);
				len = vhdr >> PCI_VSEC_HDR_LEN_SHIFT;
				skip = PCI_EXT_CAP_ID(hdr) == PCI_EXT_CAP_ID_VNDR ? 8 : 10;
			}
			if (pass)
				rkm_pci_config_set(c, pos, skip ? skip : 4);
			else if (len > skip && pos + skip < PCI_CFG_SPACE_EXP_SIZE)
				bitmap_clear(c->protected, pos + skip,
					     min(len, PCI_CFG_SPACE_EXP_SIZE - pos) - skip);
			pos = PCI_EXT_CAP_NEXT(hdr);
		}
	}
}

/*
 * Computed once, in process context, at get: the capability list cannot
 * change afterwards through this handle (its headers are protected), and
 * each access then only tests bits (any context).
 */
static void rkm_pci_config_protect(struct rkm_pci_config *c, struct pci_dev *pdev)
{
	/* The standard header: BARs, command, ROM, interrupt line are the core's. */
	rkm_pci_config_set(c, 0, PCI_STD_HEADER_SIZEOF);
	rkm_pci_config_protect_caps(c, pdev);
	rkm_pci_config_protect_ext(c, pdev);
}

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
	struct pci_dev *pdev = rkm_binding_pdev(b);

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	rkm_pci_config_protect(c, pdev);
	RCU_INIT_POINTER(c->pdev, pdev);
	c->b = b;
	c->res.revoke = rkm_pci_config_revoke;
	c->res.release = rkm_pci_config_release;
	rkm_binding_track(b, &c->res);
	*size = pdev->cfg_size;
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
int rkm_pci_config_write##sfx(struct rkm_pci_config *c, size_t off, type val)		\
{											\
	struct pci_dev *pdev;								\
	int err = 0;									\
											\
	if (off > PCI_CFG_SPACE_EXP_SIZE - sizeof(type) ||				\
	    find_next_bit(c->protected, off + sizeof(type), off) < off + sizeof(type))	\
		return -EPERM;								\
	rcu_read_lock();								\
	pdev = rcu_dereference(c->pdev);						\
	if (pdev)									\
		pci_write_config_##word(pdev, off, val);				\
	else										\
		err = -ENODEV;								\
	rcu_read_unlock();								\
	return err;									\
}
RKM_PCI_CONFIG_ACCESS(b, u8, byte)
RKM_PCI_CONFIG_ACCESS(w, u16, word)
RKM_PCI_CONFIG_ACCESS(l, u32, dword)
#endif /* RKM_GLUE_DEVICE */
