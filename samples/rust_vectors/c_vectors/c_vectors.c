// SPDX-License-Identifier: GPL-2.0
/* c_vectors: the C twin of rust_vectors, several MSI-X vectors on QEMU's e1000e (vectors.h). */

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vectors.h"

#define BAR_SIZE 0x20000
#define REG_CTRL_EXT 0x18
#define REG_ICS 0xc8
#define REG_IMS 0xd0
#define REG_IMC 0xd8
#define REG_EIAC 0xdc
#define REG_IAM 0xe0
#define REG_IVAR 0xe4
#define CTRL_EXT_IAME BIT(27)
#define CAUSE_SHIFT 20
#define CAUSE_MASK (0xfu << CAUSE_SHIFT)
#define IVAR_VALID 0x8
#define VECTORS_MAX 4

struct vectors_dev;

/* One vector's request: its handler's dev_id. */
struct vectors_vec {
	struct vectors_dev *d;
	unsigned int idx;
};

/**
 * struct vectors_dev - one bound device
 * @bar: BAR 0
 * @n: vectors allocated (and requested)
 * @vec: each vector's dev_id
 * @count: each vector's interrupts since bind
 */
struct vectors_dev {
	void __iomem *bar;
	unsigned int n;
	struct vectors_vec vec[VECTORS_MAX];
	atomic64_t count[VECTORS_MAX];
};

static irqreturn_t vectors_irq(int irq, void *data)
{
	struct vectors_vec *v = data;

	atomic64_inc(&v->d->count[v->idx]);
	return IRQ_HANDLED;
}

static ssize_t vectors_info_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vectors_dev *d = dev_get_drvdata(dev);

	return sysfs_emit(buf, "msix %u\n", d->n);
}
static DEVICE_ATTR_RO(vectors_info);

static ssize_t vectors_counts_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vectors_dev *d = dev_get_drvdata(dev);
	unsigned int i;
	int len = 0;

	for (i = 0; i < d->n; i++)
		len += sysfs_emit_at(buf, len, "%s%lld", i ? " " : "",
				     (long long)atomic64_read(&d->count[i]));
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(vectors_counts);

static ssize_t vectors_fire_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct vectors_dev *d = dev_get_drvdata(dev);
	size_t len = count;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len != 1 || buf[0] < '0' || buf[0] > '3')
		return -EINVAL;
	writel(BIT(CAUSE_SHIFT + (buf[0] - '0')), d->bar + REG_ICS);
	return count;
}
static DEVICE_ATTR_WO(vectors_fire);

static struct attribute *vectors_attrs[] = {
	&dev_attr_vectors_info.attr,
	&dev_attr_vectors_counts.attr,
	&dev_attr_vectors_fire.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vectors);

static void vectors_free(struct pci_dev *pdev, struct vectors_dev *d, unsigned int requested)
{
	while (requested-- > 0)
		free_irq(pci_irq_vector(pdev, requested), &d->vec[requested]);
}

static int vectors_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vectors_dev *d;
	unsigned int i, ivar = 0;
	int n, err;

	d = devm_kzalloc(&pdev->dev, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = pcim_enable_device(pdev);
	if (err)
		return err;
	pci_set_master(pdev);
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) || pci_resource_len(pdev, 0) < BAR_SIZE)
		return -EINVAL;
	err = pcim_iomap_regions(pdev, BIT(0), "c_vectors");
	if (err)
		return err;
	d->bar = pcim_iomap_table(pdev)[0];
	n = pci_alloc_irq_vectors(pdev, 2, VECTORS_MAX, PCI_IRQ_MSIX);
	if (n < 0)
		return n;
	d->n = n;
	writel(~0u, d->bar + REG_IMC);
	for (i = 0; i < VECTORS_CAUSES; i++)
		ivar |= ((i % n) | IVAR_VALID) << (4 * i);
	writel(ivar, d->bar + REG_IVAR);
	writel(0, d->bar + REG_IAM);
	writel(CAUSE_MASK, d->bar + REG_EIAC);
	writel(readl(d->bar + REG_CTRL_EXT) | CTRL_EXT_IAME, d->bar + REG_CTRL_EXT);
	writel(CAUSE_MASK, d->bar + REG_IMS);
	pci_set_drvdata(pdev, d);
	for (i = 0; i < n; i++) {
		d->vec[i].d = d;
		d->vec[i].idx = i;
		err = request_irq(pci_irq_vector(pdev, i), vectors_irq, 0, "c_vectors", &d->vec[i]);
		if (err) {
			writel(~0u, d->bar + REG_IMC);
			vectors_free(pdev, d, i);
			pci_free_irq_vectors(pdev);
			return err;
		}
	}
	dev_info(&pdev->dev, "%d MSI-X vectors\n", n);
	return 0;
}

static void vectors_remove(struct pci_dev *pdev)
{
	struct vectors_dev *d = pci_get_drvdata(pdev);

	writel(~0u, d->bar + REG_IMC);
	/* QEMU 7.2's throttling timer must expire while MSI-X is on (vectors.h). */
	msleep(10);
	vectors_free(pdev, d, d->n);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id vectors_ids[] = {
	{ PCI_DEVICE(VECTORS_VENDOR, VECTORS_DEVICE) },
	{ }
};

static struct pci_driver vectors_driver = {
	.name = "c_vectors",
	.id_table = vectors_ids,
	.probe = vectors_probe,
	.remove = vectors_remove,
	.dev_groups = vectors_groups,
};
module_pci_driver(vectors_driver);

MODULE_DESCRIPTION("C twin of rust_vectors: several MSI-X vectors on QEMU's e1000e");
MODULE_LICENSE("GPL");
