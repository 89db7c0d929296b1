// SPDX-License-Identifier: GPL-2.0
/*
 * rust_i6300esb test: one program for the Rust driver and for the kernel's
 * own i6300esb.ko (shipped from the target kernel's module tree, manifest
 * 'kernel-module'), both on QEMU's -device i6300esb. Each scenario runs once
 * per driver (ktest_twins(): load, run on /dev/watchdog0, unload); the two
 * transcripts must be identical, errno by errno: the /dev/watchdog ABI is the
 * kernel's watchdog core, and what the drivers add (identity, options,
 * timeout bounds and defaults, parameters) must match.
 *
 * With arguments "reset DRIVER" (manifest 'reset-test', a boot of its own):
 * DRIVER with nowayout=1 heartbeat=2 is kept alive, cannot be stopped,
 * then the test announces "# rkm-expect-reset N" and stops pinging: the
 * host must see QEMU's watchdog reset the guest within N s.
 */
#include "ktest.h"

#include <linux/watchdog.h>
#include <sys/ioctl.h>

static const char *const twins[] = { "rust_i6300esb", "i6300esb", NULL };

#define DEV "/dev/watchdog0"
#define HEARTBEAT_DEFAULT 30

static int wdt_open(void)
{
	return open(DEV, O_RDWR | O_CLOEXEC);
}

/* Magic close: 'V', then close; the watchdog stops. */
static void magic_close(int fd)
{
	TR_CALL(1, write(fd, "V", 1));
	TR_CALL(0, close(fd));
}

static void support_and_status(void)
{
	struct watchdog_info info;
	int fd, v;

	/* The first open starts it; a second opener is refused. */
	fd = wdt_open();
	TR_EXPECT(fd >= 0);
	if (fd < 0)
		return;
	TR_CALL(-EBUSY, wdt_open());
	memset(&info, 0xa5, sizeof(info));
	TR_CALL(0, ioctl(fd, WDIOC_GETSUPPORT, &info));
	tr_printf("identity \"%.32s\" options %#x firmware %u", info.identity, info.options,
		  info.firmware_version);
	printf("# %s: identity \"%.32s\" options %#x firmware %u\n", ktest_twin, info.identity,
	       info.options, info.firmware_version);
	v = -1;
	TR_CALL(0, ioctl(fd, WDIOC_GETSTATUS, &v));
	tr_printf("status %#x", v);
	v = -1;
	TR_CALL(0, ioctl(fd, WDIOC_GETBOOTSTATUS, &v));
	tr_printf("bootstatus %#x", v);
	v = -1;
	TR_CALL(0, ioctl(fd, WDIOC_GETTIMEOUT, &v));
	tr_printf("timeout %d", v);
	TR_EXPECT(v == HEARTBEAT_DEFAULT);
	TR_CALL(-EOPNOTSUPP, ioctl(fd, WDIOC_GETTIMELEFT, &v));
	TR_CALL(0, ioctl(fd, WDIOC_KEEPALIVE, 0));
	v = -1;
	TR_CALL(0, ioctl(fd, WDIOC_GETSTATUS, &v));
	tr_printf("status after a keepalive %#x", v);
	TR_CALL(0, ioctl(fd, WDIOC_GETSTATUS, &v));
	tr_printf("status again %#x", v);
	TR_CALL(3, write(fd, "abc", 3));
	TR_CALL(0, write(fd, "", 0));
	printf("# %s: status, boot status, timeout %d s, keepalive: as the transcript shows\n",
	       ktest_twin, HEARTBEAT_DEFAULT);
	magic_close(fd);
}

static void timeouts(void)
{
	int fd = wdt_open(), v;
	static const int bad[] = { 0, 2047, 100000, -1, INT_MIN };
	char label[64];
	size_t i;

	TR_EXPECT(fd >= 0);
	if (fd < 0)
		return;
	/* Stopped, so that a short timeout cannot fire. */
	v = WDIOS_DISABLECARD;
	TR_CALL(0, ioctl(fd, WDIOC_SETOPTIONS, &v));
	for (i = 0; i < 2; i++) {
		int t = i ? 2046 : 1;

		snprintf(label, sizeof(label), "WDIOC_SETTIMEOUT %d", t);
		TR_CALL_AS(0, label, ioctl(fd, WDIOC_SETTIMEOUT, &t));
		tr_printf("  -> timeout %d", t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int t = bad[i];

		snprintf(label, sizeof(label), "WDIOC_SETTIMEOUT %d", t);
		TR_CALL_AS(-EINVAL, label, ioctl(fd, WDIOC_SETTIMEOUT, &t));
	}
	v = 10;
	TR_CALL(0, ioctl(fd, WDIOC_SETTIMEOUT, &v));
	v = -1;
	TR_CALL(0, ioctl(fd, WDIOC_GETTIMEOUT, &v));
	tr_printf("timeout %d", v);
	TR_EXPECT(v == 10);
	v = WDIOS_ENABLECARD;
	TR_CALL(0, ioctl(fd, WDIOC_SETOPTIONS, &v));
	magic_close(fd);
	/* The heartbeat parameter: taken in range, ignored (default) out of it. */
	for (i = 0; i < 3; i++) {
		static const char *const p[] = { "heartbeat=7", "heartbeat=5000", "heartbeat=-3" };
		static const int want[] = { 7, HEARTBEAT_DEFAULT, HEARTBEAT_DEFAULT };

		if (!ktest_twin_reload(p[i]))
			return;
		fd = wdt_open();
		TR_EXPECT(fd >= 0);
		if (fd < 0)
			return;
		v = -1;
		TR_CALL(0, ioctl(fd, WDIOC_GETTIMEOUT, &v));
		tr_printf("%s: timeout %d", p[i], v);
		printf("# %s: %s: timeout %d s\n", ktest_twin, p[i], v);
		TR_EXPECT(v == want[i]);
		magic_close(fd);
	}
}

static void magic_close_and_options(void)
{
	int kfd = kmsg_open(), fd, v;
	char line[256];

	/* Written 'V', then something else: the 'V' no longer counts. */
	fd = wdt_open();
	TR_EXPECT(fd >= 0);
	TR_CALL(1, write(fd, "V", 1));
	TR_CALL(0, ioctl(fd, WDIOC_GETSTATUS, &v));
	tr_printf("status after 'V' %#x", v);
	TR_EXPECT(v & WDIOF_MAGICCLOSE);
	TR_CALL(2, write(fd, "xy", 2));
	TR_CALL(0, ioctl(fd, WDIOC_GETSTATUS, &v));
	tr_printf("status after \"xy\" %#x", v);
	TR_CALL(0, close(fd));
	/* Closed without the magic character: the kernel says so, the timer runs on. */
	TR_EXPECT(kmsg_wait(kfd, "watchdog did not stop!", 3000, line, sizeof(line)));
	fd = wdt_open();
	TR_EXPECT(fd >= 0);
	v = WDIOS_DISABLECARD;
	TR_CALL(0, ioctl(fd, WDIOC_SETOPTIONS, &v));
	v = WDIOS_ENABLECARD;
	TR_CALL(0, ioctl(fd, WDIOC_SETOPTIONS, &v));
	v = WDIOS_DISABLECARD | WDIOS_ENABLECARD;
	TR_CALL(0, ioctl(fd, WDIOC_SETOPTIONS, &v));
	v = 0;
	TR_CALL(KTEST_ANY, ioctl(fd, WDIOC_SETOPTIONS, &v));
	v = WDIOS_TEMPPANIC;
	TR_CALL(KTEST_ANY, ioctl(fd, WDIOC_SETOPTIONS, &v));
	magic_close(fd);
	close(kfd);
}

static void bad_inputs(void)
{
	void *hole = ktest_hole();
	int fd = wdt_open(), v = 5;
	char c;

	TR_EXPECT(fd >= 0);
	if (fd < 0)
		return;
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETSUPPORT, NULL));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETSUPPORT, hole));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETSUPPORT, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETSTATUS, NULL));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETBOOTSTATUS, hole));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_GETTIMEOUT, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_SETTIMEOUT, NULL));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_SETTIMEOUT, hole));
	TR_CALL(-EFAULT, ioctl(fd, WDIOC_SETOPTIONS, NULL));
	TR_CALL(-EOPNOTSUPP, ioctl(fd, WDIOC_GETTIMELEFT, NULL));
	TR_CALL(-EFAULT, raw_write(fd, NULL, 1));
	TR_CALL(-EFAULT, raw_write(fd, hole, 4));
	TR_CALL(-EFAULT, raw_write(fd, KTEST_KERNEL_ADDR, 1));
	/* Unknown ioctls. */
	TR_CALL(-ENOTTY, ioctl(fd, _IOR(WATCHDOG_IOCTL_BASE, 99, int), &v));
	TR_CALL(-ENOTTY, ioctl(fd, _IOWR('x', 1, int), &v));
	TR_CALL(-ENOTTY, ioctl(fd, 0, &v));
	TR_CALL(-ENOTTY, ioctl(fd, 0xffffffffu, &v));
	/* Neither read nor seek. */
	TR_CALL(KTEST_ANY, raw_read(fd, &c, 1));
	TR_CALL(KTEST_ANY, lseek(fd, 0, SEEK_SET));
	/* Still alive and keeping its timeout after all that. */
	TR_CALL(0, ioctl(fd, WDIOC_GETTIMEOUT, &v));
	tr_printf("timeout %d", v);
	magic_close(fd);
}

static void unload_while_open(void)
{
	int fd = wdt_open();

	TR_EXPECT(fd >= 0);
	if (fd < 0)
		return;
	/* The open file pins the module (the core's try_module_get on its ops' owner). */
	TR_CALL(-EAGAIN, unload_module(ktest_twin));
	TR_CALL(0, ioctl(fd, WDIOC_KEEPALIVE, 0));
	magic_close(fd);
	/* Closed: it unloads, and /dev/watchdog0 goes with it. */
	TR_CALL(0, ktest_unload_wait(ktest_twin, 5000));
	TR_CALL(-ENOENT, wdt_open());
	TR_CALL(0, load_module(ktest_twin, NULL));
}

TEST(support_status_timeout_keepalive) { ktest_twins(twins, support_and_status); }
TEST(timeout_bounds_and_heartbeat_parameter) { ktest_twins(twins, timeouts); }
TEST(magic_close_and_setoptions) { ktest_twins(twins, magic_close_and_options); }
TEST(bad_pointers_and_unknown_ioctls) { ktest_twins(twins, bad_inputs); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }

/*
 * "reset DRIVER": a missed keepalive must reset the guest. Prints KTAP
 * comments and, on a failure, a "not ok" line the host's verdict counts.
 */
static int reset_test(const char *drv)
{
	struct watchdog_info info = { 0 };
	int fd, v = -1, i;

#define FAIL(...) do { printf("not ok 1 - " __VA_ARGS__); printf("\n"); return 1; } while (0)
	if (load_module(drv, "nowayout=1 heartbeat=2"))
		FAIL("%s: load with nowayout=1 heartbeat=2: %s", drv, strerror(errno));
	fd = wdt_open();
	if (fd < 0)
		FAIL("%s: open %s: %s", drv, DEV, strerror(errno));
	if (ioctl(fd, WDIOC_GETSUPPORT, &info) || ioctl(fd, WDIOC_GETTIMEOUT, &v) || v != 2)
		FAIL("%s: GETSUPPORT/GETTIMEOUT: %s, timeout %d", drv, strerror(errno), v);
	printf("# %s: \"%.32s\", nowayout=1, timeout %d s; keepalive every 0.5 s for 4 s\n", drv,
	       info.identity, v);
	for (i = 0; i < 8; i++) {
		if (ioctl(fd, WDIOC_KEEPALIVE, 0))
			FAIL("%s: WDIOC_KEEPALIVE: %s", drv, strerror(errno));
		usleep(500000);
	}
	printf("# %s: alive after 4 s of keepalives (2 timeouts)\n", drv);
	v = WDIOS_DISABLECARD;
	errno = 0;
	if (ioctl(fd, WDIOC_SETOPTIONS, &v) != -1 || errno != EBUSY)
		FAIL("%s: WDIOS_DISABLECARD under nowayout: %s, expected EBUSY", drv,
		     strerror(errno));
	printf("# %s: WDIOS_DISABLECARD -> EBUSY (nowayout)\n", drv);
	/* Magic close does not stop it either. */
	if (write(fd, "V", 1) != 1 || close(fd))
		FAIL("%s: magic close: %s", drv, strerror(errno));
	printf("# %s: magic close under nowayout: still running; no more keepalives\n", drv);
	printf("# rkm-expect-reset %d\n", 2);
	fflush(stdout);
	sleep(40);
	FAIL("%s: still running 40 s after the last keepalive", drv);
#undef FAIL
}

int main(int argc, char **argv)
{
	/* Both drivers sit on the watchdog core, a module on the stock kernels. */
	if (load_module("watchdog", NULL) && errno != EEXIST && errno != ENOENT)
		printf("# load watchdog: %s\n", strerror(errno));
	if (argc == 3 && !strcmp(argv[1], "reset"))
		return reset_test(argv[2]);
	return ktest_run();
}
