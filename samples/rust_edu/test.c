// SPDX-License-Identifier: GPL-2.0
/*
 * rust_edu test: every rule of edu.h, run against rust_edu and its C twin
 * c_edu on QEMU's edu device (rkm boots every guest with -device edu). Each
 * scenario runs once per twin (ktest_twins(): load, run on /dev/NAME,
 * unload); the results must be the ones edu.h specifies, and the twins'
 * transcripts must be identical. Values that depend on timing (interrupt
 * counts, durations) stay out of the transcripts.
 *
 * The device's DMA engine takes 100 ms per transfer: the scenarios keep to
 * a few dozen transfers each.
 */
#include "ktest.h"

#include <sys/ioctl.h>

#include "edu.h"

/* Whether the kernel command line has the word @w. */
static bool booted_with(const char *w)
{
	char line[4096], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");
	bool found = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		for (tok = strtok_r(line, " \n", &save); tok && !found; tok = strtok_r(NULL, " \n", &save))
			found = !strcmp(tok, w);
	fclose(f);
	return found;
}

/* Build with -DEDU_ONLY_C to test the C twin alone (while rust_edu does not build). */
#ifdef EDU_ONLY_C
static const char *const twins[] = { "c_edu", NULL };
#else
static const char *const twins[] = { "rust_edu", "c_edu", NULL };
#endif

#define SIZE EDU_BUF_SIZE
/* What poll gives on a file without a poll operation (DEFAULT_POLLMASK). */
#define POLL_DEFAULT (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)
#define EDU_ID 0x010000ed

_Static_assert(sizeof(struct edu_info) == 32, "edu.h: a 32-byte struct edu_info");
_Static_assert(sizeof(struct edu_fact) == 16, "edu.h: a 16-byte struct edu_fact");

static char bdf[64];		/* the address of the edu device the twin bound */
static char sysdir[128];	/* /sys/bus/pci/devices/BDF */

/* Low in the address space (static binary): buf + 2^40 still passes access_ok. */
static unsigned char big[2 * SIZE] __attribute__((aligned(KTEST_PAGE)));
static unsigned char want[SIZE];

static int dev_open(int flags)
{
	return open(ktest_dev, flags | O_CLOEXEC);
}

/* ---- sysfs ---- */

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

/* The attribute as text, its newline dropped, for the transcript. */
static const char *attr_text(const char *name)
{
	static char buf[64];

	if (attr_read(name, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "(%s)", ktest_errname(errno));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static unsigned long long irqs_now(void)
{
	char buf[32];

	return attr_read("edu_irqs", buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 10) : 0;
}

/* Writes the device's address to the twin's driver's bind or unbind file. */
static int driver_file(const char *what)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", ktest_twin, what);
	return write_file(path, bdf);
}
#define unbind() driver_file("unbind")
#define bind() driver_file("bind")

/* ---- requests ---- */

static long fact(int fd, __u32 n, __u32 flags, __u32 *result)
{
	struct edu_fact f = { .n = n, .flags = flags, .result = 0xa5a5a5a5 };
	long r = ioctl(fd, EDU_IOC_FACT, &f);

	if (result)
		*result = f.result;
	return r;
}

/* n! mod 2^32; from 34! on, 2^32 divides it. */
static __u32 ref_fact(__u32 n)
{
	__u32 r = 1;

	while (n > 1 && r)
		r *= n--;
	return r;
}

/* A factorial that must succeed with the right result; recorded. */
static void expect_fact_(int line, int fd, __u32 n)
{
	char label[64];
	__u32 r = 0;

	snprintf(label, sizeof(label), "FACT %u", n);
	errno = 0;
	if (!ktest_tr_check(__FILE__, line, label, 0, fact(fd, n, 0, &r), errno))
		return;
	tr_printf("%u! = %u", n, r);
	if (r != ref_fact(n)) {
		printf("# %s:%d: %s: %u! = %u, expected %u\n", __FILE__, line, ktest_twin, n, r,
		       ref_fact(n));
		ktest_failed = 1;
	}
}
#define expect_fact(fd, n) expect_fact_(__LINE__, fd, n)

static int get_info(int fd, struct edu_info *i)
{
	memset(i, 0xa5, sizeof(*i));
	return ioctl(fd, EDU_IOC_INFO, i);
}

/* INFO: the id, the interrupt mode and the counters, all recorded. */
static void expect_info_(int line, int fd, unsigned long long facts, unsigned long long dmas,
			 unsigned long long timeouts)
{
	struct edu_info i;
	long r;
	int e;

	errno = 0;
	r = get_info(fd, &i);
	e = errno;
	if (!ktest_tr_check(__FILE__, line, "ioctl(fd, EDU_IOC_INFO, &info)", 0, r, e))
		return;
	tr_printf("info: id=%#010x irq=%u facts=%llu dmas=%llu timeouts=%llu", i.id, i.irq,
		  (unsigned long long)i.facts, (unsigned long long)i.dmas,
		  (unsigned long long)i.timeouts);
	if (i.id != EDU_ID || (i.irq != EDU_IRQ_MSI && i.irq != EDU_IRQ_INTX) || i.facts != facts ||
	    i.dmas != dmas || i.timeouts != timeouts) {
		printf("# %s:%d: %s: info id=%#x irq=%u facts=%llu dmas=%llu timeouts=%llu, expected "
		       "%#x, 1 or 2, %llu %llu %llu\n", __FILE__, line, ktest_twin, i.id, i.irq,
		       (unsigned long long)i.facts, (unsigned long long)i.dmas,
		       (unsigned long long)i.timeouts, EDU_ID, facts, dmas, timeouts);
		ktest_failed = 1;
	}
}
#define expect_info(fd, facts, dmas, timeouts) expect_info_(__LINE__, fd, facts, dmas, timeouts)

static void pattern(unsigned char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed * 97 + i * 7 + (i >> 8) + 1);
}

/* A background factorial (bg_fact()). */
struct fc {
	int fd;
	__u32 n;
	__u32 flags;
};

static long long bg_fact(void *p)
{
	struct fc *c = p;

	return fact(c->fd, c->n, c->flags, NULL);
}

/* A background pread (bg_pread()). */
struct rd {
	int fd;
	void *buf;
	size_t n;
	off_t pos;
};

static long long bg_pread(void *p)
{
	struct rd *r = p;

	return pread(r->fd, r->buf, r->n, r->pos);
}

/*
 * After a transfer abandoned at t0 + something (its request ended by the
 * timer or a signal), the DMA engine stays busy for the rest of the
 * transfer's 100 ms: a request on it fails with EBUSY without touching the
 * device, until it is done; then transfers work again. EBUSY is required
 * only when it is early enough to be sure the transfer still runs (timing:
 * the outcome is printed, not recorded).
 */
static void expect_busy_then_idle(int fd, long long t0, bool abandoned, unsigned int seed)
{
	long long t = ktest_ms() - t0, end;
	long r;
	int e, tries = 1;

	pattern(want, 64, seed);
	errno = 0;
	r = pwrite(fd, want, 64, 0);
	e = errno;
	printf("# %s: a transfer %lld ms after one was started%s: %ld %s\n", ktest_twin, t,
	       abandoned ? " and abandoned" : "", r, r < 0 ? ktest_errname(e) : "");
	TR_EXPECT(!abandoned || t >= 80 || (r == -1 && e == EBUSY));
	end = ktest_ms() + 2000;
	while (r == -1 && e == EBUSY && ktest_ms() < end) {
		usleep(5000);
		errno = 0;
		r = pwrite(fd, want, 64, 0);
		e = errno;
		tries++;
	}
	printf("# %s: %d tries\n", ktest_twin, tries);
	TR_CHECK(64, "pwrite(fd, pattern, 64, 0) once the engine is idle", r, e);
	memset(big, 0, 64);
	TR_CALL(64, pread(fd, big, 64, 0));
	expect_bytes("written once the engine is idle", big, want, 64);
}

/* ---- scenarios ---- */

static void info(void)
{
	static const char *const attrs[] = { "edu_id", "edu_irq_mode", "edu_irqs", "edu_timeout_ms" };
	struct edu_info i;
	char path[192], mode[16];
	struct stat st;
	size_t k;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, stat(ktest_dev, &st));
	tr_printf("mode %o uid %u gid %u", st.st_mode, st.st_uid, st.st_gid);
	TR_EXPECT(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_uid == 0);
	expect_info(fd, 0, 0, 0);
	TR_CALL(0, get_info(fd, &i));

	/* sysfs: the same id and mode as INFO. */
	for (k = 0; k < sizeof(attrs) / sizeof(attrs[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", sysdir, attrs[k]);
		TR_CALL_AS(0, attrs[k], stat(path, &st));
		tr_printf("%s: mode %o", attrs[k], st.st_mode & 07777);
	}
	tr_printf("edu_id: %s", attr_text("edu_id"));
	TR_EXPECT(!strcmp(attr_text("edu_id"), "0x010000ed"));
	TR_CALL(11, attr_read("edu_id", path, sizeof(path)));
	snprintf(mode, sizeof(mode), "%s", attr_text("edu_irq_mode"));
	tr_printf("edu_irq_mode: %s", mode);
	printf("# %s: irq mode %s\n", ktest_twin, mode);
	TR_EXPECT(i.irq == (strcmp(mode, "msi") ? EDU_IRQ_INTX : EDU_IRQ_MSI));
	/* MSI, unless booted with pci=nomsi (rkm.manifest's variant intx). */
	TR_EXPECT(!strcmp(mode, booted_with("pci=nomsi") ? "intx" : "msi"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(5, attr_read("edu_timeout_ms", path, sizeof(path)));
	/* Read-only attributes refuse writes. */
	TR_CALL(-EACCES, attr_write("edu_id", "1"));
	TR_CALL(-EACCES, attr_write("edu_irqs", "0"));

	/* INFO writes its 32 bytes and no more. */
	memset(big, 0xa5, 64);
	TR_CALL(0, ioctl(fd, EDU_IOC_INFO, big));
	TR_EXPECT(((struct edu_info *)big)->id == EDU_ID && big[32] == 0xa5 && big[63] == 0xa5);
	TR_CALL(0, close(fd));
}

static void liveness(void)
{
	static const __u32 vals[] = { 0, 1, 0xffffffffu, 0x12345678u, 0x80000000u, 0xdeadbeefu };
	char label[64];
	size_t k;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	for (k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		__u32 v = vals[k];

		snprintf(label, sizeof(label), "LIVE %#x", vals[k]);
		TR_CALL_AS(0, label, ioctl(fd, EDU_IOC_LIVE, &v));
		tr_printf("LIVE %#x -> %#x", vals[k], v);
		TR_EXPECT(v == ~vals[k]);
	}
	expect_info(fd, 0, 0, 0);
	TR_CALL(0, close(fd));
}

static void factorials(void)
{
	static const __u32 more[] = { 33, 34, 100, 1000, 65536, EDU_FACT_MAX };
	struct edu_fact f = { .n = 13, .result = 1 };
	unsigned long long before = irqs_now(), facts = 0;
	long long end;
	__u32 n, r;
	size_t k;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	for (n = 0; n <= 20; n++, facts++)
		expect_fact(fd, n);
	for (k = 0; k < sizeof(more) / sizeof(more[0]); k++, facts++)
		expect_fact(fd, more[k]);
	/* 13! = 6227020800 wraps around. */
	TR_CALL(0, fact(fd, 13, 0, &r));
	TR_EXPECT(r == 1932053504u);
	/* The struct comes back whole: the input fields as they were. */
	TR_CALL(0, ioctl(fd, EDU_IOC_FACT, &f));
	TR_EXPECT(f.n == 13 && f.flags == 0 && f.result == 1932053504u && f.pad == 0);
	facts += 2;
	expect_info(fd, facts, 0, 0);
	/* Each completed by an interrupt, counted by the threaded handler (soon). */
	end = ktest_ms() + 2000;
	while (irqs_now() <= before && ktest_ms() < end)
		usleep(1000);
	TR_EXPECT(irqs_now() > before);
	TR_CALL(0, close(fd));
}

static void fact_bad_input(void)
{
	static const unsigned long cmds[] = {
		0, _IO('e', 0), _IO('e', 1), _IO('e', 2), _IO('e', 3), _IO('e', 4),
		_IOW('e', 1, struct edu_info), _IOWR('e', 1, struct edu_info),
		_IOR('e', 1, char[16]), _IOR('e', 1, char[64]),
		_IOR('e', 2, __u32), _IOW('e', 2, __u32), _IOWR('e', 2, __u64),
		_IOR('e', 3, struct edu_fact), _IOW('e', 3, struct edu_fact),
		_IOWR('e', 3, char[8]), _IOWR('e', 3, char[32]), _IOWR('e', 4, struct edu_fact),
		_IOWR('E', 3, struct edu_fact), _IOWR('f', 3, struct edu_fact),
		_IOWR('e', 0x83, struct edu_fact), TCGETS, FIONREAD, 0xffffffffu,
	};
	char *p = ktest_page_before_hole(), label[96];
	unsigned char *ro = ktest_page(PROT_READ | PROT_WRITE);
	struct edu_fact f;
	struct edu_info *i;
	size_t k;
	__u32 *v;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0 && p && ro);
	/* Values: EINVAL, and the device is not asked. */
	TR_CALL(-EINVAL, fact(fd, EDU_FACT_MAX + 1, 0, NULL));
	TR_CALL(-EINVAL, fact(fd, 0xffffffffu, 0, NULL));
	TR_CALL(-EINVAL, fact(fd, 5, 2, NULL));
	TR_CALL(-EINVAL, fact(fd, 5, EDU_FACT_NOIRQ | 2, NULL));
	TR_CALL(-EINVAL, fact(fd, 5, 0x80000000u, NULL));
	f = (struct edu_fact){ .n = 5, .pad = 1 };
	TR_CALL(-EINVAL, ioctl(fd, EDU_IOC_FACT, &f));
	f = (struct edu_fact){ .n = 5, .pad = 0x80000000u };
	TR_CALL(-EINVAL, ioctl(fd, EDU_IOC_FACT, &f));
	f = (struct edu_fact){ .n = EDU_FACT_MAX + 1, .flags = 2, .pad = 1 };
	TR_CALL(-EINVAL, ioctl(fd, EDU_IOC_FACT, &f));
	TR_EXPECT(f.result == 0);
	expect_info(fd, 0, 0, 0);

	/* FACT copies its 16 bytes in, then out, whole. */
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, NULL));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, ktest_page(PROT_NONE)));
	memcpy(p + KTEST_PAGE - 12, &(struct edu_fact){ .n = 5 }, 12);
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, p + KTEST_PAGE - 12));
	expect_info(fd, 0, 0, 0);
	memcpy(p + KTEST_PAGE - 16, &(struct edu_fact){ .n = 5 }, 16);
	TR_CALL(0, ioctl(fd, EDU_IOC_FACT, p + KTEST_PAGE - 16));	/* just fits */
	TR_EXPECT(((struct edu_fact *)(p + KTEST_PAGE - 16))->result == 120);
	/* Read-only: read in and checked (EINVAL first), computed, then EFAULT. */
	memcpy(ro, &(struct edu_fact){ .n = 6 }, 16);
	memcpy(ro + 16, &(struct edu_fact){ .n = 6, .pad = 1 }, 16);
	ASSERT_EQ(0, mprotect(ro, KTEST_PAGE, PROT_READ));
	TR_CALL(-EINVAL, ioctl(fd, EDU_IOC_FACT, ro + 16));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_FACT, ro));
	TR_EXPECT(((struct edu_fact *)ro)->result == 0);
	expect_info(fd, 2, 0, 0);

	/* INFO copies 32 bytes out, LIVE 4 in and out. */
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_INFO, NULL));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_INFO, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_INFO, ro));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_INFO, p + KTEST_PAGE - 16));
	i = (struct edu_info *)(p + KTEST_PAGE - sizeof(*i));
	TR_CALL(0, ioctl(fd, EDU_IOC_INFO, i));
	TR_EXPECT(i->id == EDU_ID && i->facts == 2);
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_LIVE, NULL));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_LIVE, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_LIVE, ro));
	TR_CALL(-EFAULT, ioctl(fd, EDU_IOC_LIVE, p + KTEST_PAGE - 2));
	v = (__u32 *)(p + KTEST_PAGE - 4);
	*v = 0x0f0f0f0f;
	TR_CALL(0, ioctl(fd, EDU_IOC_LIVE, v));
	TR_EXPECT(*v == 0xf0f0f0f0);

	/* Other commands: ENOTTY, whatever the argument. */
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		/* A valid FACT struct, so that a lax decoder would have computed. */
		memset(big, 0, 64);
		((struct edu_fact *)big)->n = 3;
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, valid FACT struct)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], big));
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, NULL)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], NULL));
	}
	expect_info(fd, 2, 0, 0);
	TR_CALL(0, close(fd));
}

static void timeouts(void)
{
	static const char *const bad[] = {
		"0", "60001", "abc", "-1", "\n", " 5", "5x", "0x10", "1.5", "5\n\n", "++5",
		"4294967297", "99999999999",
	};
	char label[64];
	long long t0, t;
	long r;
	size_t k;
	int e, fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(0, attr_write("edu_timeout_ms", "50"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));

	/* No interrupt: the timer ends the request. */
	t0 = ktest_ms();
	TR_CALL(-ETIMEDOUT, fact(fd, 10, EDU_FACT_NOIRQ, NULL));
	t = ktest_ms() - t0;
	printf("# %s: a NOIRQ factorial timed out after %lld ms (timeout 50)\n", ktest_twin, t);
	TR_EXPECT(t >= 40);
	expect_info(fd, 0, 0, 1);
	expect_fact(fd, 10);
	TR_CALL(-ETIMEDOUT, fact(fd, EDU_FACT_MAX, EDU_FACT_NOIRQ, NULL));
	expect_fact(fd, 12);
	expect_info(fd, 2, 0, 2);

	/* The value: decimal, 1..60000; anything else is refused and changes nothing. */
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		snprintf(label, sizeof(label), "edu_timeout_ms <- \"%s\"", bad[k]);
		TR_CALL_AS(-EINVAL, label, attr_write("edu_timeout_ms", bad[k]));
	}
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	/* Accepted as kstrtouint() does: one trailing newline, a leading '+'. */
	TR_CALL(0, attr_write("edu_timeout_ms", "60000"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(0, attr_write("edu_timeout_ms", "1\n"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(0, attr_write("edu_timeout_ms", "+77"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(0, attr_write("edu_timeout_ms", "0050"));
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));

	/* A transfer takes the device 100 ms: the timer ends the request first. */
	TR_CALL(0, attr_write("edu_timeout_ms", "1"));
	pattern(big, 64, 1);
	t0 = ktest_ms();
	errno = 0;
	r = pwrite(fd, big, 64, 0);
	e = errno;
	printf("# %s: a transfer with a 1 ms timeout: %ld %s\n", ktest_twin, r,
	       r < 0 ? ktest_errname(e) : "");
	TR_EXPECT((r == -1 && e == ETIMEDOUT) || ktest_ms() - t0 >= 80);
	TR_CALL(0, attr_write("edu_timeout_ms", "1000"));
	expect_busy_then_idle(fd, t0, r == -1 && e == ETIMEDOUT, 2);
	TR_CALL(0, close(fd));
}

static void dma_round_trips(void)
{
	static const struct {
		size_t len;
		off_t pos;
	} trips[] = {
		{ 1, 0 }, { 1, SIZE - 1 }, { 7, 100 }, { 64, SIZE - 64 }, { 512, 1000 },
		{ SIZE - 1, 1 }, { SIZE, 0 },
	};
	unsigned long long dmas = 0;
	char label[96], buf[16];
	size_t k;
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDONLY);

	ASSERT_TRUE(fd >= 0 && fd2 >= 0);
	for (k = 0; k < sizeof(trips) / sizeof(trips[0]); k++, dmas += 2) {
		size_t len = trips[k].len;
		long long pos = trips[k].pos;

		pattern(want, len, k + 1);
		snprintf(label, sizeof(label), "pwrite(fd, pattern %zu, %zu, %lld)", k + 1, len, pos);
		TR_CALL_AS((long long)len, label, pwrite(fd, want, len, pos));
		memset(big, 0, SIZE);
		snprintf(label, sizeof(label), "pread(fd, zeroed, %zu, %lld)", len, pos);
		TR_CALL_AS((long long)len, label, pread(fd, big, len, pos));
		snprintf(label, sizeof(label), "%zu bytes at %lld", len, pos);
		expect_bytes(label, big, want, len);
		TR_EXPECT(big[len] == 0);
	}
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));		/* pread/pwrite leave it */

	/* Writes land where they are asked, and only there. */
	TR_CALL(7, pwrite(fd, "ABCDEFG", 7, 100));
	TR_CALL(1, pwrite(fd, "Z", 1, SIZE - 1));
	memcpy(want + 100, "ABCDEFG", 7);
	want[SIZE - 1] = 'Z';
	memset(big, 0, SIZE);
	TR_CALL(SIZE, pread(fd2, big, SIZE, 0));	/* another file, the same device buffer */
	expect_bytes("the whole buffer", big, want, SIZE);
	dmas += 3;

	/* read and write at the file position. */
	TR_CALL(10, lseek(fd, 10, SEEK_SET));
	TR_CALL(5, write(fd, "hello", 5));
	TR_CALL(15, lseek(fd, 0, SEEK_CUR));
	TR_CALL(10, lseek(fd, -5, SEEK_CUR));
	memset(buf, 0, sizeof(buf));
	TR_CALL(5, read(fd, buf, 5));
	expect_bytes("read at the position", buf, "hello", 6);
	TR_CALL(15, lseek(fd, 0, SEEK_CUR));
	TR_CALL(SIZE - 3, lseek(fd, -3, SEEK_END));
	TR_CALL(3, write(fd, "0123456789", 10));	/* clamped at the end */
	TR_CALL(SIZE, lseek(fd, 0, SEEK_CUR));
	TR_CALL(-ENOSPC, write(fd, "x", 1));
	TR_CALL(0, read(fd, buf, sizeof(buf)));		/* end of file */
	TR_CALL(SIZE, lseek(fd, 0, SEEK_CUR));
	memset(buf, 0, sizeof(buf));
	TR_CALL(3, pread(fd2, buf, sizeof(buf), SIZE - 3));
	expect_bytes("clamped write", buf, "012", 4);
	dmas += 4;
	TR_CALL(0, lseek(fd2, 0, SEEK_CUR));
	expect_info(fd, 0, dmas, 0);
	TR_CALL(-EBADF, write(fd2, "x", 1));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(fd2));
}

static void dma_bad_input(void)
{
	char *p = ktest_page_before_hole();
	void *none = ktest_page(PROT_NONE), *hole = ktest_hole();
	unsigned char *ro = ktest_page(PROT_READ);
	unsigned long long dmas = 0;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0 && p && none && hole && ro);
	pattern(want, SIZE, 9);
	TR_CALL(SIZE, pwrite(fd, want, SIZE, 0));
	dmas++;

	/* At or past the end: ENOSPC to write, end of file to read. */
	TR_CALL(-ENOSPC, pwrite(fd, big, 1, SIZE));
	TR_CALL(-ENOSPC, pwrite(fd, big, SIZE, 1LL << 40));
	TR_CALL(0, pread(fd, big, 1, SIZE));
	TR_CALL(0, pread(fd, big, SIZE, 1LL << 40));
	TR_CALL(-EINVAL, pwrite(fd, big, 1, -1));		/* the VFS */
	TR_CALL(-EINVAL, pread(fd, big, 1, -1));

	/* Straddling the end: clamped. */
	TR_CALL(6, pwrite(fd, "abcdefghij", 10, SIZE - 6));
	memcpy(want + SIZE - 6, "abcdef", 6);
	memset(big, 0, 16);
	TR_CALL(6, pread(fd, big, 10, SIZE - 6));
	expect_bytes("straddling write", big, "abcdef\0\0\0", 10);
	/* A huge count: the VFS caps it, the room decides. */
	memset(big, 0, SIZE);
	TR_CALL(96, syscall(SYS_pread64, fd, big, (size_t)1 << 40, SIZE - 96));
	expect_bytes("huge count", big, want + SIZE - 96, 96);
	dmas += 3;

	/* Zero lengths: 0, without a transfer, wherever and whatever the buffer. */
	TR_CALL(0, write(fd, big, 0));
	TR_CALL(0, read(fd, big, 0));
	TR_CALL(0, pwrite(fd, big, 0, SIZE));
	TR_CALL(0, pread(fd, big, 0, SIZE));
	TR_CALL(0, raw_read(fd, NULL, 0));
	TR_CALL(0, raw_write(fd, hole, 0));
	TR_CALL(-EFAULT, raw_read(fd, KTEST_KERNEL_ADDR, 0));	/* the VFS's access_ok */
	expect_info(fd, 0, dmas, 0);

	/* Writes from bad buffers: EFAULT, nothing sent. */
	TR_CALL(-EFAULT, raw_write(fd, NULL, 10));
	TR_CALL(-EFAULT, raw_write(fd, hole, 10));
	TR_CALL(-EFAULT, raw_write(fd, none, 10));
	TR_CALL(-EFAULT, raw_write(fd, KTEST_KERNEL_ADDR, 10));
	memset(p + KTEST_PAGE - 100, 'X', 100);
	TR_CALL(-EFAULT, pwrite(fd, p + KTEST_PAGE - 100, 200, 0));	/* the last 100 unreadable */
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));
	expect_info(fd, 0, dmas, 0);
	/* Reads into bad buffers: the transfer is done, the copy out fails. */
	TR_CALL(-EFAULT, raw_read(fd, NULL, 10));
	TR_CALL(-EFAULT, raw_read(fd, hole, 10));
	TR_CALL(-EFAULT, raw_read(fd, ro, 10));
	TR_CALL(-EFAULT, pread(fd, p + KTEST_PAGE - 100, 200, 0));
	TR_CALL(-EFAULT, raw_read(fd, KTEST_KERNEL_ADDR, 10));	/* the VFS */
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));
	dmas += 4;
	/* The device buffer is as it was. */
	memset(big, 0, SIZE);
	TR_CALL(SIZE, pread(fd, big, SIZE, 0));
	expect_bytes("after the refused writes", big, want, SIZE);
	dmas++;
	/* A read-only buffer can be written from. */
	TR_CALL(10, pwrite(fd, ro, 10, 0));
	memset(want, 0, 10);
	TR_CALL(SIZE, pread(fd, big, SIZE, 0));
	expect_bytes("written from read-only memory", big, want, SIZE);
	dmas += 2;
	expect_info(fd, 0, dmas, 0);

	/* lseek: SEEK_SET, SEEK_CUR, SEEK_END; results in [0, EDU_BUF_SIZE]. */
	TR_CALL(SIZE, lseek(fd, 0, SEEK_END));
	TR_CALL(SIZE - 96, lseek(fd, -96, SEEK_END));
	TR_CALL(0, lseek(fd, -SIZE, SEEK_END));
	TR_CALL(-EINVAL, lseek(fd, 1, SEEK_END));
	TR_CALL(-EINVAL, lseek(fd, -SIZE - 1, SEEK_END));
	TR_CALL(SIZE, lseek(fd, SIZE, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, SIZE + 1, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, -1, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_SET));
	TR_CALL(100, lseek(fd, 100, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, SIZE - 99, SEEK_CUR));
	TR_CALL(-EINVAL, lseek(fd, -101, SEEK_CUR));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_CUR));	/* overflows */
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_CUR));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_END));	/* overflows */
	/* SEEK_DATA, SEEK_HOLE: the driver's EINVAL (fixed_size_llseek's). */
	TR_CALL(-EINVAL, lseek(fd, 0, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, 100, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, SIZE, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, -1, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, 0, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, 100, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, SIZE, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_HOLE));
	/* Above SEEK_MAX (whence is unsigned to lseek(2)): the VFS's EINVAL. */
	TR_LSEEK_ABOVE_SEEK_MAX(fd);
	TR_CALL(100, lseek(fd, 0, SEEK_CUR));
	TR_CALL(0, lseek(fd, -100, SEEK_CUR));
	/* poll is not implemented: the kernel's default mask. */
	TR_CALL(POLL_DEFAULT, poll_revents(fd, POLL_DEFAULT | POLLPRI, 0));
	TR_CALL(100, lseek(fd, 100, SEEK_CUR));
	TR_CALL(100, lseek(fd, 0, SEEK_CUR));	/* the failures moved nothing */
	TR_CALL(0, close(fd));
}

#define FACT_THREADS 4
#define FACT_ITERS 200
#define DMA_THREADS 2
#define DMA_TRIPS 3
#define DMA_LEN 256

struct worker {
	int fd;
	int idx;
	pthread_barrier_t *start;
	int bad;
	char why[160];
	pthread_t thread;
};

static void *fact_worker(void *arg)
{
	struct worker *w = arg;
	int i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < FACT_ITERS && !w->bad; i++) {
		__u32 n = i % 50 == 49 ? 1000u * (w->idx + 1) + i : (__u32)(w->idx * 7 + i) % 40, r = 0;
		long ret = fact(w->fd, n, 0, &r);

		if (ret || r != ref_fact(n))
			w->bad = snprintf(w->why, sizeof(w->why), "FACT %u -> %ld %s, result %u, expected %u",
					  n, ret, ret ? ktest_errname(errno) : "", r, ref_fact(n));
	}
	return NULL;
}

static void *dma_worker(void *arg)
{
	struct worker *w = arg;
	unsigned char out[DMA_LEN], in[DMA_LEN];
	off_t pos = w->idx * (SIZE / DMA_THREADS);
	int t;

	pthread_barrier_wait(w->start);
	for (t = 0; t < DMA_TRIPS && !w->bad; t++) {
		long wr, rd;

		pattern(out, sizeof(out), 16 * w->idx + t);
		memset(in, 0, sizeof(in));
		wr = pwrite(w->fd, out, sizeof(out), pos);
		rd = wr == DMA_LEN ? pread(w->fd, in, sizeof(in), pos) : -1;
		if (rd != DMA_LEN || memcmp(in, out, sizeof(in)))
			w->bad = snprintf(w->why, sizeof(w->why), "round trip %d at %lld: %ld %ld %s", t,
					  (long long)pos, wr, rd, ktest_errname(errno));
	}
	return NULL;
}

static void concurrent(void)
{
	struct worker w[FACT_THREADS + DMA_THREADS];
	pthread_barrier_t start;
	long long t0;
	int i, bad = 0, fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, FACT_THREADS + DMA_THREADS));
	for (i = 0; i < FACT_THREADS + DMA_THREADS; i++) {
		bool dma = i >= FACT_THREADS;

		memset(&w[i], 0, sizeof(w[i]));
		/* Two factorial threads share the test's file; the others open their own. */
		w[i].fd = i < 2 ? fd : dev_open(O_RDWR);
		w[i].idx = dma ? i - FACT_THREADS : i;
		w[i].start = &start;
		ASSERT_TRUE(w[i].fd >= 0);
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, dma ? dma_worker : fact_worker, &w[i]));
	}
	t0 = ktest_ms();
	for (i = 0; i < FACT_THREADS + DMA_THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].bad) {
			printf("# %s: thread %d: %s\n", ktest_twin, i, w[i].why);
			bad++;
		}
	}
	printf("# %s: %d x %d factorials and %d x %d DMA round trips in %lld ms\n", ktest_twin,
	       FACT_THREADS, FACT_ITERS, DMA_THREADS, DMA_TRIPS, ktest_ms() - t0);
	tr_printf("%d threads x %d factorials, %d threads x %d DMA round trips of %d bytes",
		  FACT_THREADS, FACT_ITERS, DMA_THREADS, DMA_TRIPS, DMA_LEN);
	TR_EXPECT(bad == 0);
	expect_info(fd, FACT_THREADS * FACT_ITERS, DMA_THREADS * DMA_TRIPS * 2, 0);
	for (i = 2; i < FACT_THREADS + DMA_THREADS; i++)
		TR_CALL(0, close(w[i].fd));
	TR_CALL(0, close(fd));
}

/* Factorials until one fails (bg_fact_loop()); each result checked. */
struct fact_loop {
	int fd;
	int count;
	int bad;
};

static long long bg_fact_loop(void *p)
{
	struct fact_loop *l = p;
	unsigned int i;

	for (i = 0;; i++) {
		__u32 n = i % 30, r;
		long ret = fact(l->fd, n, 0, &r);

		if (ret)
			return ret;
		if (r != ref_fact(n))
			l->bad++;
		__atomic_add_fetch(&l->count, 1, __ATOMIC_SEQ_CST);
	}
}

/* Every call on a file whose device was unbound: ENODEV. */
static void expect_dead(int fd)
{
	struct edu_fact f = { .n = 3 };
	struct edu_info i;
	__u32 v = 1;
	char buf[16];

	TR_CALL(-ENODEV, read(fd, buf, sizeof(buf)));
	TR_CALL(-ENODEV, read(fd, buf, 0));
	TR_CALL(-ENODEV, write(fd, "x", 1));
	TR_CALL(-ENODEV, write(fd, "x", 0));
	TR_CALL(-ENODEV, pread(fd, buf, sizeof(buf), 0));
	TR_CALL(-ENODEV, pwrite(fd, "x", 1, SIZE));
	TR_CALL(-ENODEV, lseek(fd, 0, SEEK_SET));
	TR_CALL(-ENODEV, lseek(fd, 0, SEEK_CUR));
	TR_CALL(-ENODEV, lseek(fd, -1, SEEK_SET));
	TR_CALL(-ENODEV, lseek(fd, 0, SEEK_END));
	TR_CALL(-ENODEV, lseek(fd, 1, SEEK_END));
	/* Every whence the driver sees, even one it would refuse bound. */
	TR_CALL(-ENODEV, lseek(fd, 0, SEEK_DATA));
	TR_CALL(-ENODEV, lseek(fd, 0, SEEK_HOLE));
	TR_CALL(-ENODEV, lseek(fd, -1, SEEK_HOLE));
	/* Above SEEK_MAX the VFS answers EINVAL before any driver runs. */
	TR_LSEEK_ABOVE_SEEK_MAX(fd);
	/* The VFS's own refusal, and poll (not implemented: the default mask). */
	TR_CALL(-EINVAL, pread(fd, buf, 1, -1));
	TR_CALL(POLL_DEFAULT, poll_revents(fd, POLL_DEFAULT | POLLPRI, 0));
	TR_CALL(-ENODEV, ioctl(fd, EDU_IOC_INFO, &i));
	TR_CALL(-ENODEV, ioctl(fd, EDU_IOC_LIVE, &v));
	TR_CALL(-ENODEV, ioctl(fd, EDU_IOC_FACT, &f));
	TR_CALL(-ENODEV, ioctl(fd, EDU_IOC_FACT, NULL));
	TR_CALL(-ENODEV, ioctl(fd, _IO('e', 9), NULL));
}

static void unbind_rebind(void)
{
	struct fact_loop loop = { 0 };
	struct fc nc = { .n = 7, .flags = EDU_FACT_NOIRQ }, pc = { .n = 8 };
	struct ktest_bg b, b2;
	char path[192];
	long long end, t0, t;
	int fd = dev_open(O_RDWR), fd2;

	ASSERT_TRUE(fd >= 0);
	expect_fact(fd, 5);
	pattern(want, 64, 3);
	TR_CALL(64, pwrite(fd, want, 64, 0));
	TR_CALL(64, lseek(fd, 64, SEEK_SET));

	/* Unbind under a loop of factorials: right results, then ENODEV. */
	loop.fd = fd;
	ASSERT_EQ(0, ktest_bg_start(&b, bg_fact_loop, &loop));
	end = ktest_ms() + 5000;
	while (__atomic_load_n(&loop.count, __ATOMIC_SEQ_CST) < 20 && ktest_ms() < end)
		usleep(1000);
	TR_EXPECT(loop.count >= 20);
	TR_CALL(0, unbind());
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(-ENODEV, "factorial loop during unbind", b.ret, b.err);
	printf("# %s: %d factorials before the unbind\n", ktest_twin, loop.count);
	TR_EXPECT(loop.bad == 0);

	/* Unbound: the file is dead, nothing to open, the attributes gone. */
	expect_dead(fd);
	TR_CALL(-ENODEV, open(ktest_dev, O_RDWR));
	snprintf(path, sizeof(path), "%s/edu_timeout_ms", sysdir);
	TR_CALL(-ENOENT, access(path, F_OK));
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", ktest_twin, bdf);
	TR_CALL(-ENOENT, access(path, F_OK));
	TR_CALL(-ENODEV, unbind());

	/* Bound again: a new binding, with fresh counters and timeout; the old file stays dead. */
	TR_CALL(0, bind());
	TR_CALL(0, access(path, F_OK));
	expect_dead(fd);
	fd2 = dev_open(O_RDWR);
	TR_EXPECT(fd2 >= 0);
	expect_info(fd2, 0, 0, 0);
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	expect_fact(fd2, 12);
	pattern(want, 64, 4);
	TR_CALL(64, pwrite(fd2, want, 64, 32));
	memset(big, 0, 64);
	TR_CALL(64, pread(fd2, big, 64, 32));
	expect_bytes("after the new bind", big, want, 64);
	expect_info(fd2, 1, 2, 0);
	TR_CALL(0, close(fd));

	/*
	 * Unbind while a request waits for the device (no interrupt will
	 * come: only the timer, 5 s, would end it), with another waiting
	 * for its turn: both end with ENODEV, promptly.
	 */
	TR_CALL(0, attr_write("edu_timeout_ms", "5000"));
	nc.fd = pc.fd = fd2;
	ASSERT_EQ(0, ktest_bg_start(&b, bg_fact, &nc));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_ioctl, 5000));
	ASSERT_EQ(0, ktest_bg_start(&b2, bg_fact, &pc));
	usleep(50000);
	TR_EXPECT(!ktest_bg_done(&b) && !ktest_bg_done(&b2));
	t0 = ktest_ms();
	TR_CALL(0, unbind());
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_EXPECT(ktest_bg_join(&b2, 5000));
	t = ktest_ms() - t0;
	printf("# %s: the waits ended %lld ms after the unbind began\n", ktest_twin, t);
	TR_CHECK(-ENODEV, "NOIRQ factorial in flight at unbind", b.ret, b.err);
	TR_CHECK(-ENODEV, "factorial waiting for its turn at unbind", b2.ret, b2.err);
	TR_EXPECT(t < 2500);
	expect_dead(fd2);
	TR_CALL(0, bind());
	TR_CALL(0, close(fd2));
	fd = dev_open(O_RDWR);
	TR_EXPECT(fd >= 0);
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	expect_fact(fd, 6);
	expect_info(fd, 1, 0, 0);
	TR_CALL(0, close(fd));
}

static void unload_while_open(void)
{
	char sys[128], drv[128];
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", ktest_twin);
	/* delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK (== EAGAIN). */
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, access(sys, F_OK));
	expect_fact(fd, 4);
	/* Also once the device is unbound: the file still holds the module. */
	TR_CALL(0, unbind());
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(-ENODEV, ioctl(fd, EDU_IOC_FACT, NULL));
	TR_CALL(0, close(fd));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
	TR_CALL(-ENOENT, access(drv, F_OK));
	TR_CALL(-ENOENT, open(ktest_dev, O_RDWR));
	/* Loaded again, it binds the device again. */
	TR_CALL(0, load_module(ktest_twin, NULL));
	fd = dev_open(O_RDWR);
	TR_EXPECT(fd >= 0);
	expect_fact(fd, 3);
	TR_CALL(0, close(fd));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
}

static void as_nobody(void *arg)
{
	int kept = *(int *)arg;

	ASSERT_EQ(0, ktest_become_nobody());
	TR_CALL(-EACCES, open(ktest_dev, O_RDWR));
	TR_CALL(-EACCES, open(ktest_dev, O_RDONLY));
	TR_CALL(-EACCES, open(ktest_dev, O_WRONLY));
	TR_CALL(-EACCES, attr_write("edu_timeout_ms", "100"));
	tr_printf("edu_id: %s", attr_text("edu_id"));
	/* edu.h asks no privilege of a file already open. */
	expect_fact(kept, 7);
}

static void unprivileged(void)
{
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_EXPECT(ktest_in_child(as_nobody, &fd) == 0);
	expect_info(fd, 1, 0, 0);
	tr_printf("edu_timeout_ms: %s", attr_text("edu_timeout_ms"));
	TR_CALL(0, close(fd));
}

static void signals(void)
{
	struct fc nc = { .n = 9, .flags = EDU_FACT_NOIRQ };
	struct rd r = { .buf = big, .n = SIZE, .pos = 0 };
	struct ktest_bg b;
	long long t0;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	nc.fd = r.fd = fd;
	TR_CALL(0, attr_write("edu_timeout_ms", "5000"));
	/* A signal ends a wait with EINTR, with or without SA_RESTART. */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_fact, &nc));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_ioctl, 5000));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 2000));
	TR_CHECK(-EINTR, "NOIRQ factorial, SIGUSR1 without SA_RESTART", b.ret, b.err);
	ASSERT_EQ(0, ktest_catch(SIGUSR1, true));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_fact, &nc));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_ioctl, 5000));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 2000));
	TR_CHECK(-EINTR, "NOIRQ factorial, SIGUSR1 with SA_RESTART", b.ret, b.err);
	TR_EXPECT(ktest_signals == 2);
	expect_fact(fd, 11);
	expect_info(fd, 1, 0, 0);

	/* A transfer interrupted (within its 100 ms, usually) goes on in the device. */
	TR_CALL(0, attr_write("edu_timeout_ms", "1000"));
	t0 = ktest_ms();
	ASSERT_EQ(0, ktest_bg_start(&b, bg_pread, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_pread64, 5000) || ktest_bg_done(&b));
	pthread_kill(b.thread, SIGUSR1);
	TR_EXPECT(ktest_bg_join(&b, 2000));
	printf("# %s: a transfer, SIGUSR1: %lld %s\n", ktest_twin, b.ret,
	       b.ret < 0 ? ktest_errname(b.err) : "");
	TR_EXPECT(b.ret == SIZE || (b.ret == -1 && b.err == EINTR));
	expect_busy_then_idle(fd, t0, b.ret == -1 && b.err == EINTR, 3);
	TR_CALL(0, close(fd));
}

/* Sets the twin's dma_mode parameter (edu.h): 0 or -1 with errno. */
static int set_dma_mode(const char *mode)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/dma_mode", ktest_twin);
	return write_file(path, mode);
}

/*
 * Streaming DMA (dma_mode 1: mapped per transfer, 2: mapped once and synced,
 * 3: scatter-gather mapped per transfer): the same bytes reach the device's
 * buffer and come back as with the coherent buffer; a transfer in one mode
 * is read back in the others (one device buffer); EFAULT as in mode 0.
 * Out-of-range modes are refused. Mode 3 moves each segment's part with its
 * own transfer: the dmas counter shows how many segments a range touched.
 */
static void dma_streaming(void)
{
	static const struct {
		size_t len;
		off_t pos;
	} trips[] = { { 100, SIZE - 100 }, { SIZE, 0 } };
	static const char *const modes[] = { "1", "2", "3" };
	const size_t nmodes = sizeof(modes) / sizeof(modes[0]);
	char label[96], path[192], cur[16];
	struct edu_info before, after;
	size_t k, m;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/dma_mode", ktest_twin);
	TR_CALL(2, read_file(path, cur, sizeof(cur)));
	tr_printf("dma_mode at load: %s", cur);
	TR_CALL(-ERANGE, set_dma_mode("4"));
	TR_CALL(-EINVAL, set_dma_mode("-1"));
	for (m = 0; m < nmodes; m++) {
		TR_CALL_AS(0, modes[m], set_dma_mode(modes[m]));
		for (k = 0; k < sizeof(trips) / sizeof(trips[0]); k++) {
			size_t len = trips[k].len;
			long long pos = trips[k].pos;

			pattern(want, len, 10 * m + k + 1);
			snprintf(label, sizeof(label), "mode %s: pwrite(fd, pattern, %zu, %lld)",
				 modes[m], len, pos);
			TR_CALL_AS((long long)len, label, pwrite(fd, want, len, pos));
			memset(big, 0, SIZE);
			snprintf(label, sizeof(label), "mode %s: pread(fd, zeroed, %zu, %lld)",
				 modes[m], len, pos);
			TR_CALL_AS((long long)len, label, pread(fd, big, len, pos));
			snprintf(label, sizeof(label), "mode %s: %zu bytes at %lld", modes[m], len, pos);
			expect_bytes(label, big, want, len);
		}
		/* Bad user memory: nothing sent on write; the transfer done, then EFAULT, on read. */
		snprintf(label, sizeof(label), "mode %s: pwrite(fd, hole, 16, 0)", modes[m]);
		TR_CALL_AS(-EFAULT, label, pwrite(fd, ktest_hole(), 16, 0));
		snprintf(label, sizeof(label), "mode %s: pread(fd, hole, 16, 0)", modes[m]);
		TR_CALL_AS(-EFAULT, label, pread(fd, ktest_hole(), 16, 0));
	}
	/*
	 * Mode 3: 600 bytes at 500 span chunks 0 (500..511), 1 and 2 (1024..1099):
	 * three transfers each way, and the bytes land where the other modes see them.
	 */
	TR_CALL(0, set_dma_mode("3"));
	pattern(want, 600, 33);
	TR_CALL(0, get_info(fd, &before));
	TR_CALL(600, pwrite(fd, want, 600, 500));
	TR_CALL(0, get_info(fd, &after));
	TR_EXPECT(after.dmas - before.dmas == 3);
	TR_CALL(0, set_dma_mode("0"));
	memset(big, 0, SIZE);
	TR_CALL(600, pread(fd, big, 600, 500));
	expect_bytes("mode 3 to mode 0", big, want, 600);
	TR_CALL(0, set_dma_mode("3"));
	memset(big, 0, SIZE);
	TR_CALL(0, get_info(fd, &before));
	TR_CALL(600, pread(fd, big, 600, 500));
	TR_CALL(0, get_info(fd, &after));
	TR_EXPECT(after.dmas - before.dmas == 3);
	expect_bytes("mode 3 read back", big, want, 600);
	/* Written in mode 2, read back in mode 1 and through the coherent buffer. */
	TR_CALL(0, set_dma_mode("2"));
	pattern(want, SIZE, 77);
	TR_CALL(SIZE, pwrite(fd, want, SIZE, 0));
	TR_CALL(0, set_dma_mode("1"));
	memset(big, 0, SIZE);
	TR_CALL(SIZE, pread(fd, big, SIZE, 0));
	expect_bytes("mode 2 to mode 1", big, want, SIZE);
	TR_CALL(0, set_dma_mode("0"));
	memset(big, 0, SIZE);
	TR_CALL(SIZE, pread(fd, big, SIZE, 0));
	expect_bytes("mode 1 to mode 0", big, want, SIZE);
	TR_CALL(0, close(fd));
}

/* The first edu device in dir (the bus's devices, or a driver's): its address, or false. */
static bool find_edu(const char *dir, char *out, size_t len)
{
	return ktest_pci_find(dir, EDU_VENDOR, EDU_DEVICE, out, len);
}

static void (*scenario_fn)(void);

/* Runs the scenario on the device the twin bound (with two edu devices, each twin binds one). */
static void on_bound_device(void)
{
	char drv[128];

	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", ktest_twin);
	ASSERT_TRUE(find_edu(drv, bdf, sizeof(bdf)));
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", bdf);
	scenario_fn();
}

/* Every scenario needs the device: without it, the whole program is SKIP. */
#define EDU_TEST(name, scenario)					\
	TEST(name)							\
	{								\
		if (!find_edu("/sys/bus/pci/devices", bdf, sizeof(bdf)))	\
			SKIP("no edu device (1234:11e8): QEMU runs without -device edu"); \
		scenario_fn = scenario;					\
		ktest_twins(twins, on_bound_device);			\
	}

EDU_TEST(info_and_sysfs_attributes, info)
EDU_TEST(liveness_register, liveness)
EDU_TEST(factorials_wrap_at_32_bits, factorials)
EDU_TEST(bad_ioctl_arguments, fact_bad_input)
EDU_TEST(timer_ends_requests_without_interrupt, timeouts)
EDU_TEST(dma_round_trips, dma_round_trips)
EDU_TEST(dma_bad_positions_and_buffers, dma_bad_input)
EDU_TEST(concurrent_factorials_and_dma, concurrent)
EDU_TEST(unbind_and_bind_while_in_use, unbind_rebind)
EDU_TEST(unload_while_open_is_refused, unload_while_open)
EDU_TEST(unprivileged_caller, unprivileged)
EDU_TEST(signal_ends_a_wait_with_eintr, signals)
EDU_TEST(dma_streaming_modes, dma_streaming)

/*
 * Every allocation of rust_edu's load, its probe included, fails cleanly
 * (the glue's rkm_fail_nth: Rust's allocations and the glue's own, the
 * coherent buffer among them). A failure before the driver is registered
 * fails the load with ENOMEM and leaves nothing; one in probe leaves the
 * module loaded with the device unbound and /dev/rust_edu answering
 * ENODEV. The walk ends when a load consumes no failure: the device is
 * then bound. Kernel reports and leaks are judged by rkm-init (KASAN,
 * lockdep and kmemleak on the debug kernel).
 */

TEST(every_allocation_of_load_and_probe_fails_cleanly)
{
	char args[64], left[32], dev[128];
	int n, failed_loads = 0, failed_probes = 0;

	ktest_need_module("rust_edu");
	if (!find_edu("/sys/bus/pci/devices", bdf, sizeof(bdf)))
		SKIP("no edu device (1234:11e8): QEMU runs without -device edu");
	for (n = 1; n < 1000; n++) {
		bool bound;
		int fd, e;

		snprintf(args, sizeof(args), "rkm_fail_nth=%d", n);
		errno = 0;
		if (load_module("rust_edu", args)) {
			ASSERT_EQ(ENOMEM, errno);
			ASSERT_TRUE(access("/sys/module/rust_edu", F_OK) != 0);
			failed_loads++;
			continue;
		}
		ASSERT_TRUE(read_file("/sys/module/rust_edu/parameters/rkm_fail_nth", left,
				      sizeof(left)) > 0);
		bound = find_edu("/sys/bus/pci/drivers/rust_edu", dev, sizeof(dev));
		if (atoi(left) > 0) {
			/* Nothing failed: the walk is over. */
			EXPECT_TRUE(bound);
			EXPECT_EQ(0, unload_module("rust_edu"));
			break;
		}
		/* The failure hit probe: the device stays unbound, nothing half-set-up. */
		EXPECT_TRUE(!bound);
		errno = 0;
		fd = open("/dev/rust_edu", O_RDWR | O_CLOEXEC);
		e = errno;
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(ENODEV, e);
		if (fd >= 0)
			close(fd);
		ASSERT_EQ(0, unload_module("rust_edu"));
		failed_probes++;
	}
	ASSERT_TRUE(n < 1000);
	EXPECT_TRUE(failed_probes > 0);
	printf("# rust_edu: %d allocation site(s) before registering the driver, %d in probe; "
	       "each failed cleanly\n", failed_loads, failed_probes);
}

int main(void)
{
	/* The DMA scenarios take a few seconds per twin, more on the debug kernel. */
	ktest_twin_timeout_s = 30;
	return ktest_run();
}
