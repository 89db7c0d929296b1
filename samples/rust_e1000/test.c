// SPDX-License-Identifier: GPL-2.0
/*
 * rust_e1000 test: the hardware layer on QEMU's e1000 (82540EM; the
 * manifest's nic line gives it MAC 52:54:00:12:34:50 on a hub port). The
 * driver must bind, read that MAC address from the EEPROM, find the EEPROM
 * checksum good, bring the link up, set up both descriptor rings (empty:
 * head == tail == 0), handle the interrupt causes raised through
 * e1000_ics (and refuse bad ones), and do it all again after an unbind and
 * a bind through sysfs, and after each reload.
 */
#include "ktest.h"

#define DRV "rust_e1000"
#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e
#define MAC "52:54:00:12:34:50"
#define ICR_LSC 0x4

static char bdf[64];
static char sysdir[128];

/* The attribute's text, its last newline dropped, or "" if unreadable. */
static const char *attr(const char *name)
{
	static char buf[256];
	char path[192];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	n = read_file(path, buf, sizeof(buf));
	if (n <= 0)
		return "";
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static int attr_write(const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return write_file(path, text);
}

/* Waits up to 2 s for the attribute to read @want. */
static bool attr_becomes(const char *name, const char *want)
{
	long long end = ktest_ms() + 2000;

	while (strcmp(attr(name), want)) {
		if (ktest_ms() > end)
			return false;
		usleep(10000);
	}
	return true;
}

/* Interrupts handled so far, and the causes seen (or-ed); false if unreadable. */
static bool irqs(unsigned long *n, unsigned long *causes)
{
	return sscanf(attr("e1000_irqs"), "%lu causes %lx", n, causes) == 2;
}

/* Waits up to 2 s for more than @n interrupts, one with the link-status cause. */
static bool irq_after(unsigned long n)
{
	long long end = ktest_ms() + 2000;
	unsigned long now, causes;

	for (;;) {
		if (irqs(&now, &causes) && now > n && (causes & ICR_LSC))
			return true;
		if (ktest_ms() > end)
			return false;
		usleep(10000);
	}
}

static void find_bound(void)
{
	ASSERT_TRUE(ktest_pci_find("/sys/bus/pci/drivers/" DRV, E1000_VENDOR, E1000_DEVICE, bdf,
				   sizeof(bdf)));
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", bdf);
}

static void check_bound(void)
{
	unsigned long n, causes;

	EXPECT_TRUE(!strcmp(attr("e1000_mac"), MAC));
	EXPECT_TRUE(!strcmp(attr("e1000_eeprom"), "checksum ok"));
	EXPECT_TRUE(attr_becomes("e1000_link", "up"));
	EXPECT_TRUE(!strcmp(attr("e1000_rings"),
			    "tx 256 4096 head 0 tail 0\nrx 256 4096 head 0 tail 0"));
	/* Nothing pending at probe: no interrupt until a cause is raised. */
	ASSERT_TRUE(irqs(&n, &causes));
	EXPECT_EQ(0, attr_write("e1000_ics", "4"));
	EXPECT_TRUE(irq_after(n));
	printf("# %s: irqs %s\n", bdf, attr("e1000_irqs"));
}

static int drv_file(const char *what)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", DRV, what);
	return write_file(path, bdf);
}

TEST(binds_reads_eeprom_and_rings)
{
	char line[512];
	int kmsg = kmsg_open();

	ASSERT_TRUE(kmsg >= 0);
	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	EXPECT_TRUE(kmsg_wait(kmsg, "82540EM " MAC ", EEPROM checksum ok", 2000, line,
			      sizeof(line)));
	printf("# %s\n", line);
	check_bound();

	/* Unbind quiesces the device and frees the rings; a bind does it all again. */
	ASSERT_EQ(0, drv_file("unbind"));
	EXPECT_TRUE(!*attr("e1000_mac"));
	ASSERT_EQ(0, drv_file("bind"));
	check_bound();
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	close(kmsg);
}

/* Only enabled causes (IMS_ENABLE_MASK 0x9d), in kstrtou32 syntax. */
TEST(ics_refuses_bad_causes)
{
	static const char *const bad[] = { "0", "0x2", "0x100", "0xffffffff", "4294967300",
					   "-4", "abc", "4x", "4\n\n" };
	unsigned long n, causes, after;
	size_t i;

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	ASSERT_TRUE(irqs(&n, &causes));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, attr_write("e1000_ics", bad[i]));
		EXPECT_EQ(EINVAL, errno);
		if (errno != EINVAL)
			printf("# e1000_ics '%s' was not refused\n", bad[i]);
	}
	ASSERT_TRUE(irqs(&after, &causes));
	EXPECT_EQ(n, after);
	EXPECT_EQ(0, attr_write("e1000_ics", "0x4\n"));
	EXPECT_TRUE(irq_after(n));
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
}

TEST(reads_eeprom_each_load)
{
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, load_module(DRV, NULL));
		find_bound();
		EXPECT_TRUE(!strcmp(attr("e1000_mac"), MAC));
		EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	}
}

int main(void)
{
	return ktest_run();
}
