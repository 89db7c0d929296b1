// SPDX-License-Identifier: GPL-2.0
/*
 * rust_pcitest test: every rule of pcitest.h, run against rust_pcitest and
 * its C twin c_pcitest on QEMU's pci-testdev (the manifest's qemu line adds
 * it to every boot that ships the driver). Each scenario runs once per twin
 * (ktest_twins()); the results must be the ones pcitest.h specifies, and the
 * twins' transcripts must be identical.
 */
#include "ktest.h"

#include <sys/wait.h>

#include "pcitest.h"

static const char *const twins[] = { "rust_pcitest", "c_pcitest", NULL };

static char bdf[64];		/* the address of the device the twin bound */
static char sysdir[128];	/* /sys/bus/pci/devices/BDF */

static ssize_t attr_read(const char *name, char *buf, size_t len)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return read_file(path, buf, len);
}

static int attr_write(const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return write_file(path, text);
}

/* The attribute as text (newlines shown as '|'), or "(ERRNO)", for the transcript. */
static const char *attr_text(const char *name)
{
	static char buf[256];
	char *c;

	if (attr_read(name, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "(%s)", ktest_errname(errno));
	for (c = buf; *c; c++)
		if (*c == '\n')
			*c = '|';
	return buf;
}

/* The first pci-testdev in dir (the bus's devices, or a driver's): its address, or false. */
static bool find_testdev(const char *dir, char *out, size_t len)
{
	return ktest_pci_find(dir, PCITEST_VENDOR, PCITEST_DEVICE, out, len);
}

static int driver_file(const char *what)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", ktest_twin, what);
	return write_file(path, bdf);
}

#define MEM_LINE "mmio-no-eventfd test=0 width=1 offset=0x800 data=0xfa hits=3|"
#define IO_LINE "portio-no-eventfd test=3 width=1 offset=0x83 data=0xfa hits=3|"

/* The id entry's data, the BARs' kinds and sizes, and the device's test on each BAR. */
static void identity_and_bars(void)
{
	static const char *const ro[] = { "pcitest_id", "pcitest_bars", "pcitest_mem", "pcitest_io" };
	char path[192];
	struct stat st;
	size_t k;

	for (k = 0; k < sizeof(ro) / sizeof(ro[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", sysdir, ro[k]);
		TR_CALL_AS(0, ro[k], stat(path, &st));
		tr_printf("%s: mode %o", ro[k], st.st_mode & 07777);
		TR_EXPECT((st.st_mode & 07777) == 0444);
		TR_CALL_AS(-EACCES, ro[k], attr_write(ro[k], "1"));
	}
	tr_printf("pcitest_id: %s", attr_text("pcitest_id"));
	TR_EXPECT(!strcmp(attr_text("pcitest_id"), "1b36:0005 label=pci-testdev mem_bar=0 io_bar=1|"));
	tr_printf("pcitest_bars: %s", attr_text("pcitest_bars"));
	TR_EXPECT(!strcmp(attr_text("pcitest_bars"), "bar0 mem 4096|bar1 io 256|"));
	for (k = 0; k < 3; k++) {
		tr_printf("pcitest_mem: %s", attr_text("pcitest_mem"));
		TR_EXPECT(!strcmp(attr_text("pcitest_mem"), MEM_LINE));
		tr_printf("pcitest_io: %s", attr_text("pcitest_io"));
		TR_EXPECT(!strcmp(attr_text("pcitest_io"), IO_LINE));
	}
}

/* Run-time offsets: the same bounds and alignment checks on both kinds of BAR. */
static void peek(void)
{
	static const struct {
		const char *text;
		int err;
	} cases[] = {
		{ "mem 0 1", 0 }, { "mem 0 8", 0 }, { "mem 4 4", 0 }, { "mem 16 2", 0 },
		{ "mem 4095 1", 0 }, { "mem 4094 2", 0 }, { "mem 4092 4", 0 }, { "mem 4088 8", 0 },
		{ "io 0 1", 0 }, { "io 0 8", 0 }, { "io 4 4", 0 }, { "io 16 1\n", 0 },
		{ "io 255 1", 0 }, { "io 254 2", 0 }, { "io 252 4", 0 }, { "io 248 8", 0 },
		/* outside the BAR */
		{ "mem 4096 1", EINVAL }, { "mem 4095 2", EINVAL }, { "mem 4093 4", EINVAL },
		{ "mem 4092 8", EINVAL }, { "io 256 1", EINVAL }, { "io 255 2", EINVAL },
		{ "io 256 8", EINVAL }, { "io 4096 1", EINVAL },
		{ "mem 18446744073709551615 1", EINVAL }, { "io 99999999999999999999999 1", EINVAL },
		/* misaligned */
		{ "mem 1 2", EINVAL }, { "mem 2 4", EINVAL }, { "mem 4 8", EINVAL },
		{ "io 1 2", EINVAL }, { "io 131 4", EINVAL }, { "io 252 8", EINVAL },
		/* malformed */
		{ "mem 0 3", EINVAL }, { "mem 0 0", EINVAL }, { "mem 0 16", EINVAL },
		{ "disk 0 1", EINVAL }, { "MEM 0 1", EINVAL }, { "mem -1 1", EINVAL },
		{ "mem +1 1", EINVAL }, { "mem 0x10 1", EINVAL }, { "mem  0 1", EINVAL },
		{ "mem 0 1 ", EINVAL }, { "mem 0 1 1", EINVAL }, { "mem 0", EINVAL },
		{ "mem", EINVAL }, { "\n", EINVAL }, { "mem 0 1\n\n", EINVAL },
	};
	char label[96];
	size_t k;

	tr_printf("pcitest_peek before any: %s", attr_text("pcitest_peek"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "none|"));
	/* The device's current test is the last selected: run the port test first. */
	TR_EXPECT(!strcmp(attr_text("pcitest_io"), IO_LINE));
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(label, sizeof(label), "peek \"%s\"", cases[k].text);
		TR_CALL_AS(cases[k].err ? -cases[k].err : 0, label, attr_write("pcitest_peek", cases[k].text));
		tr_printf("  -> %s", attr_text("pcitest_peek"));
	}
	/* Known values: the header of the selected test (portio-no-eventfd, test 3). */
	TR_CALL(0, attr_write("pcitest_peek", "io 0 8"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "0x8300000103|"));
	TR_CALL(0, attr_write("pcitest_peek", "mem 4 4"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "0x83|"));
	TR_CALL(0, attr_write("pcitest_peek", "mem 8 1"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "0xfa|"));
	TR_CALL(0, attr_write("pcitest_peek", "io 16 4"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "0x74726f70|"));	/* "port" */
	/* A refused peek leaves the last value alone. */
	TR_CALL(-EINVAL, attr_write("pcitest_peek", "io 256 1"));
	TR_EXPECT(!strcmp(attr_text("pcitest_peek"), "0x74726f70|"));
}

/* Both tests from two processes at once: each run sees its own, whole (the lock). */
static void concurrent(void)
{
	pid_t pid[2];
	int i, status, bad = 0;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_TRUE(pid[i] >= 0);
		if (pid[i] == 0) {
			const char *name = i ? "pcitest_io" : "pcitest_mem";
			const char *want = i ? IO_LINE : MEM_LINE;
			int n, wrong = 0;

			for (n = 0; n < 40; n++)
				wrong += !!strcmp(attr_text(name), want);
			_exit(wrong ? 1 : 0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(waitpid(pid[i], &status, 0) == pid[i]);
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	tr_printf("concurrent runs, processes with a wrong result: %d", bad);
	TR_EXPECT(bad == 0);
}

/* sysfs unbind releases both BARs' regions; bind maps them again. */
static void unbind_rebind(void)
{
	char path[192], drv[128];
	int k;

	for (k = 0; k < 3; k++) {
		TR_CALL(0, driver_file("unbind"));
		snprintf(path, sizeof(path), "%s/pcitest_io", sysdir);
		TR_CALL(-ENOENT, access(path, F_OK));
		TR_CALL(0, driver_file("bind"));
		TR_EXPECT(!strcmp(attr_text("pcitest_io"), IO_LINE));
		TR_EXPECT(!strcmp(attr_text("pcitest_mem"), MEM_LINE));
	}
	TR_CALL(-EBUSY, driver_file("bind"));
	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", ktest_twin);
	TR_EXPECT(find_testdev(drv, path, sizeof(path)));
}

static void (*scenario_fn)(void);

static void on_bound_device(void)
{
	char drv[128];

	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", ktest_twin);
	ASSERT_TRUE(find_testdev(drv, bdf, sizeof(bdf)));
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", bdf);
	scenario_fn();
}

#define PCITEST_TEST(name, scenario)					\
	TEST(name)							\
	{								\
		if (!find_testdev("/sys/bus/pci/devices", bdf, sizeof(bdf)))	\
			SKIP("no pci-testdev (1b36:0005): QEMU runs without -device pci-testdev"); \
		scenario_fn = scenario;					\
		ktest_twins(twins, on_bound_device);			\
	}

PCITEST_TEST(id_entry_data_and_both_bar_kinds, identity_and_bars)
PCITEST_TEST(peek_bounds_and_alignment_on_both_bars, peek)
PCITEST_TEST(concurrent_tests_are_serialised, concurrent)
PCITEST_TEST(unbind_and_bind_release_and_remap, unbind_rebind)

int main(void)
{
	return ktest_run();
}
