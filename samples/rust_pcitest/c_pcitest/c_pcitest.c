// SPDX-License-Identifier: GPL-2.0
/* c_pcitest: the C twin of rust_pcitest, a driver for QEMU's pci-testdev (pcitest.h). */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "pcitest.h"

/* The test header (struct PCITestDevHdr in QEMU). */
#define HDR_TEST 0
#define HDR_DATA 8
#define HDR_COUNT 12
#define HDR_NAME 16
#define NAME_MAX_LEN 31
#define HITS 3

/* What the driver attaches to its id table entry. */
struct pcitest_info {
	const char *label;
	unsigned int mem_bar;
	unsigned int io_bar;
};

static const struct pcitest_info pcitest_info = {
	.label = "pci-testdev",
	.mem_bar = 0,
	.io_bar = 1,
};

/**
 * struct pcitest_dev - one bound device
 * @lock: one test at a time; protects @last and @have_last
 * @mem: the memory BAR (PCITEST_MEM_SIZE bytes at least)
 * @mem_len: its length
 * @io: the I/O-port BAR (PCITEST_IO_SIZE bytes at least)
 * @io_len: its length
 * @id: the matched id table entry
 * @last: the last value pcitest_peek read, if @have_last
 */
struct pcitest_dev {
	struct mutex lock;
	void __iomem *mem;
	size_t mem_len;
	void __iomem *io;
	size_t io_len;
	const struct pci_device_id *id;
	u64 last;
	bool have_last;
};

static const struct pcitest_info *info_of(struct pcitest_dev *p)
{
	return (const struct pcitest_info *)p->id->driver_data;
}

static ssize_t pcitest_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);
	const struct pcitest_info *info = info_of(p);

	return sysfs_emit(buf, "%04x:%04x label=%s mem_bar=%u io_bar=%u\n", p->id->vendor,
			  p->id->device, info->label, info->mem_bar, info->io_bar);
}
static DEVICE_ATTR_RO(pcitest_id);

static ssize_t pcitest_bars_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);
	struct pci_dev *pdev = to_pci_dev(dev);
	const struct pcitest_info *info = info_of(p);

	return sysfs_emit(buf, "bar%u %s %zu\nbar%u %s %zu\n", info->mem_bar,
			  pci_resource_flags(pdev, info->mem_bar) & IORESOURCE_IO ? "io" : "mem",
			  p->mem_len, info->io_bar,
			  pci_resource_flags(pdev, info->io_bar) & IORESOURCE_IO ? "io" : "mem",
			  p->io_len);
}
static DEVICE_ATTR_RO(pcitest_bars);

/* ioread/iowrite take both kinds of pci_iomap() cookie; 64 bits as two 32-bit reads on ports. */
static u64 read64(void __iomem *base, bool pio)
{
	if (pio)
		return ioread32(base) | (u64)ioread32(base + 4) << 32;
	return readq(base);
}

static ssize_t run(struct pcitest_dev *p, void __iomem *base, size_t len, bool pio, char *buf)
{
	char name[NAME_MAX_LEN + 1] = "";
	u64 hdr;
	size_t off, n;
	u8 test, width, data;
	u32 hits;
	int i, err;

	err = mutex_lock_interruptible(&p->lock);
	if (err)
		return err;
	iowrite8(0, base + HDR_TEST);
	hdr = read64(base + HDR_TEST, pio);
	test = hdr;
	width = hdr >> 8;
	off = hdr >> 32;
	data = ioread8(base + HDR_DATA);
	for (n = 0; n < NAME_MAX_LEN; n++) {
		u8 c = ioread8(base + HDR_NAME + n);

		if (!c)
			break;
		name[n] = c;
	}
	name[n] = '\0';
	if (off >= len) {
		mutex_unlock(&p->lock);
		return -EINVAL;
	}
	for (i = 0; i < HITS; i++)
		iowrite8(data, base + off);
	iowrite8(~data, base + off);
	hits = ioread32(base + HDR_COUNT);
	mutex_unlock(&p->lock);
	return sysfs_emit(buf, "%s test=%u width=%u offset=0x%zx data=0x%x hits=%u\n", name, test,
			  width, off, data, hits);
}

static ssize_t pcitest_mem_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);

	return run(p, p->mem, p->mem_len, false, buf);
}
static DEVICE_ATTR_RO(pcitest_mem);

static ssize_t pcitest_io_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);

	return run(p, p->io, p->io_len, true, buf);
}
static DEVICE_ATTR_RO(pcitest_io);

static ssize_t pcitest_peek_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);
	bool have;
	u64 v;
	int err;

	err = mutex_lock_interruptible(&p->lock);
	if (err)
		return err;
	have = p->have_last;
	v = p->last;
	mutex_unlock(&p->lock);
	return have ? sysfs_emit(buf, "0x%llx\n", v) : sysfs_emit(buf, "none\n");
}

/* Decimal digits only, no sign, fitting in a size_t. */
static int parse_dec(const char *s, size_t *out)
{
	const char *c;
	unsigned long v;

	if (!*s)
		return -EINVAL;
	for (c = s; *c; c++)
		if (!isdigit(*c))
			return -EINVAL;
	if (kstrtoul(s, 10, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

static ssize_t pcitest_peek_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct pcitest_dev *p = dev_get_drvdata(dev);
	char text[64], *rest, *kind, *offs, *widths;
	void __iomem *base;
	size_t len, off, width;
	bool pio;
	u64 v;
	int err;

	len = count;
	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	rest = text;
	kind = strsep(&rest, " ");
	offs = strsep(&rest, " ");
	widths = strsep(&rest, " ");
	if (!offs || !widths || rest)
		return -EINVAL;
	if (parse_dec(offs, &off) || parse_dec(widths, &width))
		return -EINVAL;
	err = mutex_lock_interruptible(&p->lock);
	if (err)
		return err;
	err = -EINVAL;
	if (!strcmp(kind, "mem")) {
		base = p->mem;
		len = p->mem_len;
		pio = false;
	} else if (!strcmp(kind, "io")) {
		base = p->io;
		len = p->io_len;
		pio = true;
	} else {
		goto out;
	}
	if ((width != 1 && width != 2 && width != 4 && width != 8) || off % width ||
	    off > len || len - off < width)
		goto out;
	switch (width) {
	case 1:
		v = ioread8(base + off);
		break;
	case 2:
		v = ioread16(base + off);
		break;
	case 4:
		v = ioread32(base + off);
		break;
	default:
		v = read64(base + off, pio);
	}
	p->last = v;
	p->have_last = true;
	err = count;
out:
	mutex_unlock(&p->lock);
	return err;
}
static DEVICE_ATTR_RW(pcitest_peek);

static struct attribute *pcitest_attrs[] = {
	&dev_attr_pcitest_id.attr,
	&dev_attr_pcitest_bars.attr,
	&dev_attr_pcitest_mem.attr,
	&dev_attr_pcitest_io.attr,
	&dev_attr_pcitest_peek.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pcitest);

static int pcitest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	const struct pcitest_info *info = (const struct pcitest_info *)id->driver_data;
	struct pcitest_dev *p;
	int err;

	p = devm_kzalloc(&pdev->dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mutex_init(&p->lock);
	p->id = id;
	err = pcim_enable_device(pdev);
	if (err)
		return err;
	if (!(pci_resource_flags(pdev, info->mem_bar) & (IORESOURCE_MEM | IORESOURCE_IO)) ||
	    pci_resource_len(pdev, info->mem_bar) < PCITEST_MEM_SIZE ||
	    !(pci_resource_flags(pdev, info->io_bar) & (IORESOURCE_MEM | IORESOURCE_IO)) ||
	    pci_resource_len(pdev, info->io_bar) < PCITEST_IO_SIZE)
		return -EINVAL;
	if (!(pci_resource_flags(pdev, info->mem_bar) & IORESOURCE_MEM) ||
	    !(pci_resource_flags(pdev, info->io_bar) & IORESOURCE_IO))
		return -ENODEV;
	err = pcim_iomap_regions(pdev, BIT(info->mem_bar) | BIT(info->io_bar), "c_pcitest");
	if (err)
		return err;
	p->mem = pcim_iomap_table(pdev)[info->mem_bar];
	p->io = pcim_iomap_table(pdev)[info->io_bar];
	p->mem_len = pci_resource_len(pdev, info->mem_bar);
	p->io_len = pci_resource_len(pdev, info->io_bar);
	pci_set_drvdata(pdev, p);
	dev_info(&pdev->dev, "%s: %zu bytes of memory, %zu ports\n", info->label, p->mem_len,
		 p->io_len);
	return 0;
}

static const struct pci_device_id pcitest_ids[] = {
	{ PCI_DEVICE(PCITEST_VENDOR, PCITEST_DEVICE), .driver_data = (kernel_ulong_t)&pcitest_info },
	{ }
};
MODULE_DEVICE_TABLE(pci, pcitest_ids);

static struct pci_driver pcitest_driver = {
	.name = "c_pcitest",
	.id_table = pcitest_ids,
	.probe = pcitest_probe,
	.dev_groups = pcitest_groups,
};
module_pci_driver(pcitest_driver);

MODULE_DESCRIPTION("C twin of rust_pcitest: QEMU's pci-testdev");
MODULE_LICENSE("GPL");
