// SPDX-License-Identifier: GPL-2.0
/*
 * rust_scull test: every rule of scull.h, run against rust_scull and its C
 * twin c_scull (ktest_twins(): load, run, unload); the results must be the
 * ones scull.h specifies, and the twins' transcripts identical, errno by
 * errno. Paths are built from the twin's name; the transcript never names it.
 */
#include "ktest.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "scull.h"

static const char *const twins[] = { "rust_scull", "c_scull", NULL };

/* Low in the address space (static binary); more than the largest capacity. */
static unsigned char big[2 * SCULL_MAX_CAP];

static char node[SCULL_MINORS][96], ctl[96], cap_attr[160], unbind_f[160], bind_f[160];
static char pdev[64];

static void paths(void)
{
	int i;

	for (i = 0; i < SCULL_MINORS; i++)
		snprintf(node[i], sizeof(node[i]), "/dev/%s%d", ktest_twin, i);
	snprintf(ctl, sizeof(ctl), "/dev/%s_ctl", ktest_twin);
	snprintf(cap_attr, sizeof(cap_attr), "/sys/class/misc/%s_ctl/cap", ktest_twin);
	snprintf(unbind_f, sizeof(unbind_f), "/sys/bus/platform/drivers/%s/unbind", ktest_twin);
	snprintf(bind_f, sizeof(bind_f), "/sys/bus/platform/drivers/%s/bind", ktest_twin);
	snprintf(pdev, sizeof(pdev), "%s.0", ktest_twin);
}

static int open_minor(int i)
{
	return open(node[i], O_RDWR | O_CLOEXEC);
}

/* Records the attribute's text (or the read's errno). */
static void tr_cap(void)
{
	char buf[64];
	ssize_t n = read_file(cap_attr, buf, sizeof(buf));

	if (n < 0)
		tr_printf("cap: read failed: %s", ktest_errname(errno));
	else
		tr_printf("cap: \"%.*s\"", (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
}

/* Records the whole content of minor i, read from a new file. */
static void tr_content(int i)
{
	char buf[128];
	int fd = open_minor(i);
	long n;

	if (fd < 0) {
		tr_printf("minor %d: open failed: %s", i, ktest_errname(errno));
		ktest_failed = 1;
		return;
	}
	n = read(fd, buf, sizeof(buf));
	tr_printf("minor %d: %ld bytes \"%.*s\"", i, n, n > 0 ? (int)n : 0, buf);
	close(fd);
}

static void isolation(int *fd)
{
	char text[16];
	int i;

	for (i = 0; i < SCULL_MINORS; i++) {
		fd[i] = open_minor(i);
		TR_EXPECT(fd[i] >= 0);
	}
	for (i = 0; i < SCULL_MINORS; i++) {
		memset(text, 'a' + i, sizeof(text));
		TR_CALL_AS(i + 1, "write(fd[i], text, i + 1)", write(fd[i], text, i + 1));
	}
	for (i = 0; i < SCULL_MINORS; i++) {
		TR_CALL_AS(i + 1, "ioctl(fd[i], SCULL_IOC_LEN)", ioctl(fd[i], SCULL_IOC_LEN));
		tr_content(i);
	}
	TR_CALL(0, ioctl(fd[1], SCULL_IOC_CLEAR));
	TR_CALL(0, ioctl(fd[1], SCULL_IOC_LEN));
	tr_content(1);
	tr_content(2);
}

static void bad_inputs(int fd)
{
	char buf[8];

	/* A new file: position 0. */
	int f = open_minor(3);

	TR_EXPECT(f >= 0);
	TR_CALL(-EFAULT, raw_read(f, NULL, 4));
	TR_CALL(-EFAULT, raw_read(f, KTEST_KERNEL_ADDR, 4));
	TR_CALL(0, raw_read(f, NULL, 0));
	TR_CALL(0, raw_write(f, NULL, 0));
	TR_CALL(-EFAULT, raw_write(f, NULL, 4));
	TR_CALL(-EFAULT, raw_write(f, KTEST_KERNEL_ADDR, 4));
	TR_CALL(4, ioctl(f, SCULL_IOC_LEN));
	TR_CALL(-ENOTTY, ioctl(f, _IO('s', 3)));
	TR_CALL(-ENOTTY, ioctl(f, 0x12345678));
	TR_CALL(-ENOTTY, ioctl(f, _IOR('s', 1, int), buf));
	TR_LSEEK_NONE(f);
	/* Huge: as much as the capacity takes, then no room. */
	memset(big, 'z', sizeof(big));
	TR_CALL(SCULL_DEFAULT_CAP, raw_write(f, big, 1UL << 30));
	TR_CALL(-ENOSPC, raw_write(f, big, 1));
	TR_CALL(0, raw_write(f, big, 0));
	TR_CALL(KTEST_ANY, raw_write(f, big, SIZE_MAX));
	TR_CALL(SCULL_DEFAULT_CAP, ioctl(f, SCULL_IOC_LEN));
	close(f);
	f = open_minor(3);
	TR_CALL(SCULL_DEFAULT_CAP, raw_read(f, big, 1UL << 30));
	TR_CALL(0, raw_read(f, big, 1UL << 30));
	TR_CALL(0, ioctl(f, SCULL_IOC_CLEAR));
	close(f);
	(void)fd;
}

static void attributes(int fd)
{
	static const char *const bad[] = { "abc", "0", "65537", "-1", " 5", "5 ", "5\n\n", "0x10",
					   "99999999999999999999999", "1.5", "\n" };
	char label[64];
	size_t i;
	int f;

	tr_cap();
	TR_CALL(0, write_file(cap_attr, "100"));
	tr_cap();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(label, sizeof(label), "write cap bad[%zu]", i);
		TR_CALL_AS(-EINVAL, label, write_file(cap_attr, bad[i]));
	}
	tr_cap();
	/* The new capacity limits writes; data beyond it stays. */
	f = open_minor(2);
	TR_CALL(100, raw_write(f, big, 200));
	TR_CALL(-ENOSPC, raw_write(f, big, 1));
	close(f);
	TR_CALL(0, write_file(cap_attr, "65536\n"));
	tr_cap();
	TR_CALL(0, write_file(cap_attr, "4096\n"));
	tr_cap();
	(void)fd;
}

/* Unbind and bind through sysfs while files are open. */
static void rebind(int *fd)
{
	char buf[8];
	int f;

	TR_CALL(0, write_file(unbind_f, pdev));
	TR_CALL(-ENODEV, read(fd[0], buf, sizeof(buf)));
	TR_CALL(-ENODEV, write(fd[0], "x", 1));
	TR_CALL(-ENODEV, ioctl(fd[0], SCULL_IOC_LEN));
	TR_CALL(-ENOENT, access(node[0], F_OK));
	TR_CALL(-ENOENT, open_minor(1));
	TR_CALL(KTEST_ANY, write_file(unbind_f, pdev));
	/* Files stay open across the unbind: the module stays. */
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, write_file(bind_f, pdev));
	TR_CALL(KTEST_ANY, write_file(bind_f, pdev));
	TR_CALL(0, access(node[0], F_OK));
	f = open_minor(0);
	TR_EXPECT(f >= 0);
	TR_CALL(0, ioctl(f, SCULL_IOC_LEN));
	TR_CALL(3, write(f, "new", 3));
	close(f);
	tr_content(0);
	/* The old files still see the old, unbound device. */
	TR_CALL(-ENODEV, ioctl(fd[1], SCULL_IOC_LEN));
	TR_CALL(-ENODEV, read(fd[2], buf, sizeof(buf)));
	for (f = 0; f < SCULL_MINORS; f++)
		close(fd[f]);
}

static void rmmod_while_open(void)
{
	char buf[8];
	int f = open_minor(2), c;

	TR_EXPECT(f >= 0);
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	close(f);
	c = open(ctl, O_RDWR | O_CLOEXEC);
	TR_EXPECT(c >= 0);
	TR_CALL(-EINVAL, read(c, buf, sizeof(buf)));
	TR_CALL(-ENOTTY, ioctl(c, SCULL_IOC_LEN));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	close(c);
}

struct hammer {
	int minor;
	int bad;
};

/* Each thread writes and reads its own minor: never sees another's bytes. */
static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	char want[32], got[32];
	int i, f = open_minor(h->minor);

	if (f < 0) {
		h->bad++;
		return NULL;
	}
	memset(want, '0' + h->minor, sizeof(want));
	for (i = 0; i < 300; i++) {
		if (pwrite(f, want, sizeof(want), 0) != sizeof(want) ||
		    pread(f, got, sizeof(got), 0) != sizeof(got) || memcmp(want, got, sizeof(got)))
			h->bad++;
	}
	close(f);
	return NULL;
}

static void concurrent(void)
{
	struct hammer h[SCULL_MINORS];
	pthread_t t[SCULL_MINORS];
	int i, bad = 0;

	for (i = 0; i < SCULL_MINORS; i++) {
		h[i] = (struct hammer){ .minor = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_main, &h[i]));
	}
	for (i = 0; i < SCULL_MINORS; i++) {
		pthread_join(t[i], NULL);
		bad += h[i].bad;
	}
	TR_EXPECT(bad == 0);
}

static void scenario(void)
{
	int fd[SCULL_MINORS];

	paths();
	isolation(fd);
	bad_inputs(fd[0]);
	attributes(fd[0]);
	concurrent();
	rebind(fd);
	rmmod_while_open();
}

TEST(scull_twins)
{
	ktest_twins(twins, scenario);
}

/*
 * rust_scull only (the C twin has no rkm_fail_nth): every allocation of the
 * load (glue and Rust) fails with ENOMEM and leaves nothing registered; one
 * in probe leaves the device unbound, with no node, class or region.
 */
TEST(every_allocation_of_load_and_probe_fails_cleanly)
{
	char args[64], left[32];
	int n, failed_loads = 0, failed_probes = 0;

	ktest_need_module("rust_scull");
	for (n = 1; n < 1000; n++) {
		bool bound;

		snprintf(args, sizeof(args), "rkm_fail_nth=%d", n);
		errno = 0;
		if (load_module("rust_scull", args)) {
			ASSERT_EQ(ENOMEM, errno);
			ASSERT_TRUE(access("/sys/module/rust_scull", F_OK) != 0);
			ASSERT_TRUE(access("/sys/class/misc/rust_scull_ctl", F_OK) != 0);
			ASSERT_TRUE(access("/sys/bus/platform/drivers/rust_scull", F_OK) != 0);
			ASSERT_TRUE(access("/sys/bus/platform/devices/rust_scull.0", F_OK) != 0);
			ASSERT_TRUE(access("/sys/class/rust_scull", F_OK) != 0);
			failed_loads++;
			continue;
		}
		ASSERT_TRUE(read_file("/sys/module/rust_scull/parameters/rkm_fail_nth", left,
				      sizeof(left)) > 0);
		bound = access("/sys/bus/platform/drivers/rust_scull/rust_scull.0", F_OK) == 0;
		if (atoi(left) > 0) {
			/* Nothing failed: the walk is over. */
			EXPECT_TRUE(bound);
			EXPECT_EQ(0, access("/dev/rust_scull3", F_OK));
			EXPECT_EQ(0, unload_module("rust_scull"));
			break;
		}
		/* The failure hit probe: unbound, nothing half set up. */
		EXPECT_TRUE(!bound);
		EXPECT_TRUE(access("/sys/class/rust_scull", F_OK) != 0);
		EXPECT_TRUE(access("/dev/rust_scull0", F_OK) != 0);
		/* Binding again works. */
		EXPECT_EQ(0, write_file("/sys/bus/platform/drivers/rust_scull/bind", "rust_scull.0"));
		EXPECT_EQ(0, access("/dev/rust_scull3", F_OK));
		ASSERT_EQ(0, unload_module("rust_scull"));
		failed_probes++;
	}
	ASSERT_TRUE(n < 1000);
	EXPECT_TRUE(failed_loads > 0 && failed_probes > 0);
	EXPECT_TRUE(access("/sys/class/rust_scull", F_OK) != 0);
	printf("# rust_scull: %d allocation site(s) before probe, %d in probe; each failed cleanly\n",
	       failed_loads, failed_probes);
}

int main(void)
{
	return ktest_run();
}
