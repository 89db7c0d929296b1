// SPDX-License-Identifier: GPL-2.0
/*
 * pci_escape test: a safe Rust driver keeps its BAR beyond the binding and
 * drops a DMA buffer while the device is still writing it (pci_escape.rs).
 * Checks that rkm makes both harmless:
 *  - the buffer stays allocated until unbind (DMA-API debug's allocation
 *    list, on kernels with CONFIG_DMA_API_DEBUG: the debug kernel), and no
 *    "pending DMA allocations" report at unbind;
 *  - the kept BAR reads the device while bound, all ones after unbind (it
 *    was revoked, nothing faults), and the next bind can map it again (its
 *    region was released);
 *  - config-space writes through kept handles reach only the device's own
 *    registers: the header (ids, command, BAR 0), edu's MSI capability, the
 *    e1000e's PCI Express capability and its extended space are EPERM and
 *    stay as they were (read back through sysfs); a byte outside every
 *    capability is written; after unbind every write is ENODEV.
 * Kernel reports fail the run through rkm-init's kernel-log check.
 */
#include "ktest.h"

#include <dirent.h>
#include <linux/pci_regs.h>
#include <sys/ioctl.h>

#define NAME "pci_escape"
#define DRV "/sys/bus/pci/drivers/" NAME
#define NIC_DRV "/sys/bus/pci/drivers/" NAME "_nic"

/* pci_escape.rs's CfgWrite: dev 0 is edu, 1 the e1000e. */
struct cfg_write {
	__u32 dev, off, width, val;
};
#define IOC_CFG_WRITE _IOW('x', 1, struct cfg_write)
enum { EDU, NIC };

static char bdf[64];

static int driver_bdf(const char *drv, char *out, size_t len)
{
	DIR *d = opendir(drv);
	struct dirent *e;

	out[0] = '\0';
	while (d && (e = readdir(d)))
		if (strchr(e->d_name, ':') && strlen(e->d_name) < len)
			strcpy(out, e->d_name);
	if (d)
		closedir(d);
	return out[0] ? 0 : -1;
}

static int bound_bdf(void)
{
	return driver_bdf(DRV, bdf, sizeof(bdf));
}

/* A config-space write through the driver's kept handle: 0 or -errno. */
static int cfg_write(int fd, int dev, unsigned int off, unsigned int width, unsigned int val)
{
	struct cfg_write w = { dev, off, width, val };

	return ioctl(fd, IOC_CFG_WRITE, &w) ? -errno : 0;
}

/* The device's config space as the kernel reads it (sysfs), up to 4096 bytes. */
static ssize_t cfg_dump(const char *dev, unsigned char *buf)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, PCI_CFG_SPACE_EXP_SIZE, 0);
	close(fd);
	return n;
}

static unsigned int cfg_le(const unsigned char *c, unsigned int off, unsigned int width)
{
	unsigned int v = 0;

	while (width--)
		v = v << 8 | c[off + width];
	return v;
}

/* A standard capability's offset, walked as the kernel does (at most 48); 0 if none. */
static unsigned int find_cap(const unsigned char *c, unsigned int id)
{
	unsigned int pos = c[PCI_CAPABILITY_LIST], ttl = 48;

	if (!(cfg_le(c, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	while (ttl-- && pos >= PCI_STD_HEADER_SIZEOF && pos < PCI_CFG_SPACE_SIZE) {
		pos &= ~3u;
		if (c[pos] == id)
			return pos;
		pos = c[pos + PCI_CAP_LIST_NEXT];
	}
	return 0;
}

/*
 * Each write at (off, width) is refused with EPERM and the register reads
 * as before (all ones of the width flipped: a value that differs).
 */
static void expect_refused(int fd, int dev, const char *bdf, unsigned int off, unsigned int width)
{
	static unsigned char before[PCI_CFG_SPACE_EXP_SIZE], after[PCI_CFG_SPACE_EXP_SIZE];
	unsigned int mask = width == 4 ? ~0u : (1u << 8 * width) - 1;
	ssize_t n = cfg_dump(bdf, before);

	ASSERT_TRUE(n >= (ssize_t)(off + width));
	printf("# %s: write of %u bytes at %#x\n", bdf, width, off);
	EXPECT_EQ(-EPERM, cfg_write(fd, dev, off, width, ~cfg_le(before, off, width) & mask));
	ASSERT_EQ(n, cfg_dump(bdf, after));
	EXPECT_EQ(cfg_le(before, off, width), cfg_le(after, off, width));
}

static long long read_id(int fd)
{
	__u32 id = 0;

	return ioctl(fd, 0, &id) ? -errno : (long long)id;
}

/* Coherent allocations DMA-API debug tracks for the device; -1 without it. */
static int dma_allocations(void)
{
	FILE *f = fopen("/sys/kernel/debug/dma-api/dump", "r");
	char line[512], needle[96];
	int n = 0;

	if (!f)
		return -1;
	snprintf(needle, sizeof(needle), " %s coherent ", bdf);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

TEST(escaped_bar_and_early_dropped_dma_buffer)
{
	int fd, before;

	ASSERT_EQ(0, load_module(NAME, ""));
	ASSERT_EQ(0, bound_bdf());
	fd = open("/dev/" NAME, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(0x010000ed, read_id(fd));

	/* The transfer into the dropped buffer ends 100 ms after probe. */
	usleep(300 * 1000);
	before = dma_allocations();
	printf("# coherent allocations of %s after the buffer was dropped: %d%s\n", bdf, before,
	       before < 0 ? " (no DMA-API debug in this kernel)" : "");
	if (before >= 0)
		EXPECT_EQ(1, before);

	ASSERT_EQ(0, write_file(DRV "/unbind", bdf));
	EXPECT_EQ(0xffffffffLL, read_id(fd));
	if (before >= 0)
		EXPECT_EQ(0, dma_allocations());

	/* The region was released: the next bind maps it again. */
	ASSERT_EQ(0, write_file(DRV "/bind", bdf));
	EXPECT_EQ(0x010000ed, read_id(fd));
	close(fd);
	EXPECT_EQ(0, unload_module(NAME));
}

TEST(config_writes_reach_only_the_device_s_own_registers)
{
	unsigned char c[PCI_CFG_SPACE_EXP_SIZE];
	unsigned int msi, free_off = 0xfc;
	int fd;

	ASSERT_EQ(0, load_module(NAME, ""));
	ASSERT_EQ(0, bound_bdf());
	fd = open("/dev/" NAME, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(cfg_dump(bdf, c) >= PCI_CFG_SPACE_SIZE);

	/* The header: the ids, the command register, BAR 0. */
	expect_refused(fd, EDU, bdf, PCI_VENDOR_ID, 4);
	expect_refused(fd, EDU, bdf, PCI_COMMAND, 2);
	expect_refused(fd, EDU, bdf, PCI_BASE_ADDRESS_0, 4);
	expect_refused(fd, EDU, bdf, PCI_INTERRUPT_LINE, 1);
	/* Memory decoding still on: the BAR still answers. */
	EXPECT_EQ(0x010000ed, read_id(fd));

	/* edu's MSI capability: its next byte, the message address and data. */
	msi = find_cap(c, PCI_CAP_ID_MSI);
	ASSERT_TRUE(msi != 0);
	expect_refused(fd, EDU, bdf, msi + PCI_CAP_LIST_NEXT, 1);
	expect_refused(fd, EDU, bdf, msi + PCI_MSI_ADDRESS_LO, 4);
	expect_refused(fd, EDU, bdf, msi + PCI_MSI_FLAGS, 2);
	expect_refused(fd, EDU, bdf, msi + PCI_MSI_ADDRESS_HI, 4);
	expect_refused(fd, EDU, bdf, msi + PCI_MSI_DATA_64, 2);

	/* The last dword is outside every capability (MSI is edu's only one): the device's. */
	ASSERT_TRUE(msi + PCI_MSI_DATA_64 + 2 <= free_off);
	EXPECT_EQ(0, find_cap(c, PCI_CAP_ID_PM));
	EXPECT_EQ(0, cfg_write(fd, EDU, free_off, 4, 0x5a5a5a5a));
	EXPECT_EQ(0, cfg_write(fd, EDU, free_off + 3, 1, 0x5a));
	EXPECT_EQ(-EINVAL, cfg_write(fd, EDU, free_off + 2, 4, 0));
	EXPECT_EQ(-EINVAL, cfg_write(fd, EDU, PCI_CFG_SPACE_SIZE, 1, 0));

	/* After unbind, the kept handle is revoked: every write is ENODEV. */
	ASSERT_EQ(0, write_file(DRV "/unbind", bdf));
	EXPECT_EQ(-ENODEV, cfg_write(fd, EDU, free_off, 4, 0));
	EXPECT_EQ(-EPERM, cfg_write(fd, EDU, PCI_COMMAND, 2, 0));
	ASSERT_EQ(0, write_file(DRV "/bind", bdf));
	EXPECT_EQ(0, cfg_write(fd, EDU, free_off, 4, 0));
	close(fd);
	EXPECT_EQ(0, unload_module(NAME));
}

TEST(pci_express_and_extended_capabilities_are_the_kernel_s)
{
	unsigned char c[PCI_CFG_SPACE_EXP_SIZE];
	unsigned int exp, msix, pm;
	char nic[64];
	ssize_t size;
	int fd;

	ASSERT_EQ(0, load_module(NAME, ""));
	ASSERT_EQ(0, driver_bdf(NIC_DRV, nic, sizeof(nic)));
	fd = open("/dev/" NAME, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	size = cfg_dump(nic, c);
	ASSERT_TRUE(size >= PCI_CFG_SPACE_SIZE);

	/* Device control (FLR, payload sizes), link control (ASPM), MSI-X control, PM state. */
	exp = find_cap(c, PCI_CAP_ID_EXP);
	ASSERT_TRUE(exp != 0);
	expect_refused(fd, NIC, nic, exp + PCI_EXP_DEVCTL, 2);
	expect_refused(fd, NIC, nic, exp + PCI_EXP_LNKCTL, 2);
	msix = find_cap(c, PCI_CAP_ID_MSIX);
	ASSERT_TRUE(msix != 0);
	expect_refused(fd, NIC, nic, msix + PCI_MSIX_FLAGS, 2);
	pm = find_cap(c, PCI_CAP_ID_PM);
	ASSERT_TRUE(pm != 0);
	expect_refused(fd, NIC, nic, pm + PCI_PM_CTRL, 2);

	/*
	 * The extended space (AER at 0x100 on the e1000e), where the machine
	 * reaches it: QEMU's default i440fx has no ECAM, so the kernel sees
	 * 256 bytes and 0x100 is outside (EINVAL).
	 */
	if (size == PCI_CFG_SPACE_EXP_SIZE) {
		expect_refused(fd, NIC, nic, PCI_CFG_SPACE_SIZE, 4);
		expect_refused(fd, NIC, nic, PCI_CFG_SPACE_SIZE + 8, 4);
	} else {
		printf("# %s: %zd bytes of config space: no extended space to write\n", nic, size);
		EXPECT_EQ(-EINVAL, cfg_write(fd, NIC, PCI_CFG_SPACE_SIZE, 4, 0));
	}
	close(fd);
	EXPECT_EQ(0, unload_module(NAME));
}

int main(void)
{
	return ktest_run();
}
