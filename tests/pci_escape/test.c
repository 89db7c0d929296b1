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
 *    region was released).
 * Kernel reports fail the run through rkm-init's kernel-log check.
 */
#include "ktest.h"

#include <dirent.h>
#include <sys/ioctl.h>

#define NAME "pci_escape"
#define DRV "/sys/bus/pci/drivers/" NAME

static char bdf[64];

static int bound_bdf(void)
{
	DIR *d = opendir(DRV);
	struct dirent *e;

	bdf[0] = '\0';
	while (d && (e = readdir(d)))
		if (strchr(e->d_name, ':') && strlen(e->d_name) < sizeof(bdf))
			strcpy(bdf, e->d_name);
	if (d)
		closedir(d);
	return bdf[0] ? 0 : -1;
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

int main(void)
{
	return ktest_run();
}
