// SPDX-License-Identifier: GPL-2.0
/*
 * rust_semaphore test: every rule of semaphore.h, run against rust_semaphore
 * and its C twin c_semaphore. Each scenario runs once per twin
 * (ktest_twins(): load, run on /dev/NAME, unload); the results must be the
 * ones semaphore.h specifies, and the twins' transcripts must be identical.
 */
#include "ktest.h"

#include <stdint.h>
#include <sys/ioctl.h>

#include "semaphore.h"

static const char *const twins[] = { "rust_semaphore", "c_semaphore", NULL };

#define P_IN (POLLIN | POLLRDNORM)
#define P_OUT (POLLOUT | POLLWRNORM)
#define POLL_ALL (P_IN | P_OUT | POLLPRI | POLLRDBAND | POLLWRBAND)
/* What the VFS passes on of a huge count: MAX_RW_COUNT. */
#define MAX_RW_COUNT (INT_MAX & ~(KTEST_PAGE - 1))

static unsigned char big[2 * KTEST_PAGE] __attribute__((aligned(KTEST_PAGE)));
static unsigned char want[2 * KTEST_PAGE];

_Static_assert(sizeof(struct sem_stats) == 40, "semaphore.h: a 40-byte struct sem_stats");

static int dev_open(int flags)
{
	return open(ktest_dev, flags | O_CLOEXEC);
}

/* /dev/NAME for instance 0, /dev/NAMEi for the others. */
static int inst_open(int i, int flags)
{
	char path[160];

	if (i)
		snprintf(path, sizeof(path), "%s%d", ktest_dev, i);
	else
		snprintf(path, sizeof(path), "%s", ktest_dev);
	return open(path, flags | O_CLOEXEC);
}

static int get_stats(int fd, struct sem_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, SEM_IOC_STATS, st);
}

static void expect_stats_(int line, int fd, unsigned long long count, unsigned long long reads,
			  unsigned long long writes, unsigned long long waiters)
{
	struct sem_stats st;
	long r;
	int e;

	errno = 0;
	r = get_stats(fd, &st);
	e = errno;
	if (!ktest_tr_check(__FILE__, line, "ioctl(fd, SEM_IOC_STATS, &st)", 0, r, e))
		return;
	tr_printf("stats: size=%u version=%u count=%llu reads=%llu writes=%llu waiters=%llu", st.size,
		  st.version, (unsigned long long)st.count, (unsigned long long)st.reads,
		  (unsigned long long)st.writes, (unsigned long long)st.waiters);
	if (st.size != 40 || st.version != SEM_VERSION || st.count != count || st.reads != reads ||
	    st.writes != writes || st.waiters != waiters) {
		printf("# %s:%d: %s: stats size=%u version=%u count=%llu reads=%llu writes=%llu waiters=%llu, "
		       "expected 40 1 %llu %llu %llu %llu\n", __FILE__, line, ktest_twin, st.size, st.version,
		       (unsigned long long)st.count, (unsigned long long)st.reads,
		       (unsigned long long)st.writes, (unsigned long long)st.waiters, count, reads, writes,
		       waiters);
		ktest_failed = 1;
	}
}
#define expect_stats(fd, c, r, w, z) expect_stats_(__LINE__, fd, c, r, w, z)

/* Waits up to 5 s for the number of sleeping readers to be n. */
static bool wait_waiters(int fd, unsigned long long n)
{
	long long end = ktest_ms() + 5000;
	struct sem_stats st;

	while (ktest_ms() < end) {
		if (get_stats(fd, &st) == 0 && st.waiters == n)
			return true;
		usleep(2000);
	}
	printf("# %s: waiters never became %llu\n", ktest_twin, n);
	return false;
}

/* A background read (bg_read()); times: how often, for the stress test. */
struct rd {
	int fd;
	void *buf;
	size_t n;
	int times;
};

static long long bg_read(void *p)
{
	struct rd *r = p;

	return read(r->fd, r->buf, r->n);
}

/* ---- scenarios ---- */

static void write_gives_read_takes(void)
{
	char buf[16];
	int fd = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);

	ASSERT_TRUE(fd >= 0 && nb >= 0);
	expect_stats(fd, 0, 0, 0, 0);
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(5, write(fd, "hello", 5));
	TR_CALL(0, write(fd, "hello", 0));		/* nothing changes */
	expect_stats(fd, 2, 0, 2, 0);
	TR_CALL(0, read(fd, buf, sizeof(buf)));
	TR_CALL(0, read(nb, buf, 0));			/* n may be 0 */
	expect_stats(fd, 0, 2, 2, 0);
	TR_CALL(-EAGAIN, read(nb, buf, sizeof(buf)));
	TR_CALL(-EAGAIN, read(nb, buf, 0));
	TR_CALL(-EAGAIN, read(nb, NULL, 0));
	expect_stats(fd, 0, 2, 2, 0);
	/* Every opener shares the semaphore. */
	TR_CALL(3, write(nb, "abc", 3));
	TR_CALL(0, read(fd, buf, 1));
	TR_CALL(-EAGAIN, read(nb, buf, 0));
	expect_stats(fd, 0, 3, 3, 0);
	/* A huge count: the VFS caps it at MAX_RW_COUNT, and write returns it. */
	TR_CALL(MAX_RW_COUNT, raw_write(fd, NULL, (size_t)1 << 40));
	TR_CALL(0, raw_read(fd, NULL, (size_t)1 << 40));
	expect_stats(fd, 0, 4, 4, 0);
	/* O_NONBLOCK set later with fcntl counts too. */
	TR_CALL(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	TR_CALL(-EAGAIN, read(fd, buf, 1));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(nb));
}

static void buffers_never_touched(void)
{
	int fd = dev_open(O_RDWR);
	void *none = ktest_page(PROT_NONE), *hole = ktest_hole();
	unsigned char *ro = ktest_page(PROT_READ);
	char *edge = ktest_page_before_hole();

	ASSERT_TRUE(fd >= 0 && none && hole && ro && edge);
	/* write never reads buf. */
	TR_CALL(3, raw_write(fd, NULL, 3));
	TR_CALL(3, write(fd, none, 3));
	TR_CALL(3, write(fd, hole, 3));
	TR_CALL(3, write(fd, edge + KTEST_PAGE - 1, 3));
	TR_CALL(5, write(fd, ro, 5));
	expect_stats(fd, 5, 0, 5, 0);
	/* read never writes it. */
	TR_CALL(0, raw_read(fd, NULL, 3));
	TR_CALL(0, read(fd, none, 3));
	TR_CALL(0, read(fd, hole, 3));
	TR_CALL(0, read(fd, ro, 5));
	memset(big, 0x5a, sizeof(big));
	memset(want, 0x5a, sizeof(want));
	TR_CALL(0, read(fd, big, sizeof(big)));
	expect_bytes("read buffer untouched", big, want, sizeof(big));
	expect_stats(fd, 0, 5, 5, 0);
	/* What the VFS refuses before the driver sees it: EFAULT, nothing counted. */
	TR_CALL(-EFAULT, write(fd, KTEST_KERNEL_ADDR, 3));
	TR_CALL(-EFAULT, raw_write(fd, big, SIZE_MAX / 2));
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(-EFAULT, read(fd, KTEST_KERNEL_ADDR, 3));
	TR_CALL(-EFAULT, raw_read(fd, big, SIZE_MAX / 2));
	expect_stats(fd, 1, 5, 6, 0);
	/* No llseek: ESPIPE for every whence the VFS passes on, EINVAL above. */
	TR_LSEEK_NONE(fd);
	TR_CALL(0, close(fd));
}

static void blocking_reads(void)
{
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR), w = dev_open(O_RDWR);
	struct rd r = { .fd = fd, .buf = big, .n = 8 }, r2 = { .fd = fd2, .buf = NULL, .n = 0 };
	struct ktest_bg b, b2;
	struct ktest_bg *first, *second;

	ASSERT_TRUE(fd >= 0 && fd2 >= 0 && w >= 0);
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(wait_waiters(w, 1));
	expect_stats(w, 0, 0, 0, 1);
	TR_CALL(1, write(w, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "blocked read(fd, buf, 8)", b.ret, b.err);
	expect_stats(w, 0, 1, 1, 0);

	/* Two readers asleep: one write wakes one of them, the other sleeps on. */
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	ASSERT_EQ(0, ktest_bg_start(&b2, bg_read, &r2));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(ktest_bg_sleeping(&b2, SYS_read, 5000));
	TR_EXPECT(wait_waiters(w, 2));
	expect_stats(w, 0, 1, 1, 2);
	TR_CALL(1, write(w, "x", 1));
	{
		long long end = ktest_ms() + 5000;

		while (!ktest_bg_done(&b) && !ktest_bg_done(&b2) && ktest_ms() < end)
			usleep(1000);
	}
	first = ktest_bg_done(&b) ? &b : &b2;
	second = first == &b ? &b2 : &b;
	TR_EXPECT(ktest_bg_join(first, 5000));
	TR_CHECK(0, "the first reader", first->ret, first->err);
	usleep(200000);
	TR_EXPECT(!ktest_bg_done(second));
	TR_EXPECT(wait_waiters(w, 1));
	expect_stats(w, 0, 2, 2, 1);
	TR_CALL(1, write(w, "x", 1));
	TR_EXPECT(ktest_bg_join(second, 5000));
	TR_CHECK(0, "the second reader", second->ret, second->err);
	expect_stats(w, 0, 3, 3, 0);

	/* Units written before a read are there for it: no sleep. */
	TR_CALL(1, write(w, "x", 1));
	TR_CALL(1, write(w, "x", 1));
	TR_CALL(0, read(fd, big, 1));
	TR_CALL(0, read(fd2, big, 1));
	expect_stats(w, 0, 5, 5, 0);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(fd2));
	TR_CALL(0, close(w));
}

static void poll_in_out(void)
{
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR);
	struct pl q = { .fd = fd, .events = P_IN, .timeout = 10000 };
	struct ktest_bg b;
	char buf[4];

	ASSERT_TRUE(fd >= 0 && w >= 0);
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, poll_revents(fd, P_IN, 0));
	TR_CALL(1, write(w, "x", 1));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(POLLIN, poll_revents(fd, POLLIN, 0));
	TR_CALL(1, write(w, "x", 1));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, read(fd, buf, 1));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, read(fd, buf, 1));
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));
	/* A poll waiting for a unit is woken by a write. */
	ASSERT_EQ(0, ktest_bg_start(&b, bg_poll, &q));
	TR_EXPECT(ktest_bg_sleeping(&b, -1, 5000));
	TR_CALL(1, write(w, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(P_IN, "blocked poll(fd, POLLIN|POLLRDNORM)", b.ret, b.err);
	/* Polling takes nothing. */
	expect_stats(fd, 1, 2, 3, 0);
	TR_CALL(0, ioctl(fd, SEM_IOC_RESET));
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(w));
}

static void stats_sizes(void)
{
	static const __u32 good[] = { 40, 41, 100, 4095, 4096 };
	static const unsigned int small[] = { 0, 1, 24, 39 };
	static const unsigned int large[] = { 4097, 8192, 0x80000000u, 0xffffffffu };
	int fd = dev_open(O_RDWR);
	unsigned char *p = (unsigned char *)ktest_page_before_hole(), *ro = ktest_page(PROT_READ | PROT_WRITE);
	struct sem_stats *st = (struct sem_stats *)big;
	char label[64];
	size_t k;

	ASSERT_TRUE(fd >= 0 && p && ro);
	TR_CALL(1, write(fd, "x", 1));
	memset(want, 0xa5, sizeof(want));
	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		snprintf(label, sizeof(label), "STATS with size %u", good[k]);
		memset(big, 0xa5, sizeof(big));
		st->size = good[k];
		TR_CALL_AS(0, label, ioctl(fd, SEM_IOC_STATS, big));
		TR_EXPECT(st->size == 40 && st->version == 1 && st->count == 1 && st->writes == 1 &&
			  st->reads == 0 && st->waiters == 0);
		expect_bytes("bytes beyond 40 left alone", big + 40, want, sizeof(big) - 40);
	}
	tr_size_refused(fd, SEM_IOC_STATS, "STATS", small, sizeof(small) / sizeof(small[0]), EINVAL, big,
			sizeof(big));
	tr_size_refused(fd, SEM_IOC_STATS, "STATS", large, sizeof(large) / sizeof(large[0]), E2BIG, big,
			sizeof(big));
	/* Exactly 40 bytes before a hole: only those are touched, whatever the size. */
	st = (struct sem_stats *)(p + KTEST_PAGE - 40);
	st->size = 40;
	TR_CALL(0, ioctl(fd, SEM_IOC_STATS, st));
	TR_EXPECT(st->size == 40 && st->count == 1);
	st->size = 4096;
	TR_CALL(0, ioctl(fd, SEM_IOC_STATS, st));
	TR_EXPECT(st->size == 40 && st->count == 1);
	/* Unreadable size; unwritable struct. */
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, NULL));
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, ktest_page(PROT_NONE)));
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, p + KTEST_PAGE - 2));
	*(__u32 *)(p + KTEST_PAGE - 16) = 40;
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, p + KTEST_PAGE - 16));
	*(__u32 *)ro = 40;
	ASSERT_EQ(0, mprotect(ro, KTEST_PAGE, PROT_READ));
	TR_CALL(-EFAULT, ioctl(fd, SEM_IOC_STATS, ro));
	TR_EXPECT(*(__u32 *)ro == 40);
	expect_stats(fd, 1, 0, 1, 0);
	TR_CALL(0, close(fd));
}

static void reset(void)
{
	int fd = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);
	struct rd r = { .fd = fd, .buf = big, .n = 1 };
	struct ktest_bg b;
	char buf[4];

	ASSERT_TRUE(fd >= 0 && nb >= 0);
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(0, read(fd, buf, 1));
	expect_stats(fd, 2, 1, 3, 0);
	TR_CALL(0, ioctl(fd, SEM_IOC_RESET));
	expect_stats(fd, 0, 0, 0, 0);
	TR_CALL(-EAGAIN, read(nb, buf, 1));
	TR_CALL(0, ioctl(fd, SEM_IOC_RESET, KTEST_KERNEL_ADDR));	/* _IO: no argument */
	/* A sleeping reader: RESET leaves waiters alone, the reader sleeps on. */
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(wait_waiters(nb, 1));
	TR_CALL(0, ioctl(nb, SEM_IOC_RESET));
	expect_stats(nb, 0, 0, 0, 1);
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(1, write(nb, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "reader after a reset", b.ret, b.err);
	expect_stats(nb, 0, 1, 1, 0);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(nb));
}

static void as_nobody(void *arg)
{
	int kept = *(int *)arg;
	char buf[4];

	ASSERT_EQ(0, ktest_become_nobody());
	TR_CALL(-EACCES, open(ktest_dev, O_RDWR));
	TR_CALL(-EACCES, open(ktest_dev, O_RDONLY));
	TR_CALL(-EACCES, open(ktest_dev, O_WRONLY));
	/* A file root opened: usable, but RESET needs CAP_SYS_ADMIN now. */
	TR_CALL(-EPERM, ioctl(kept, SEM_IOC_RESET));
	expect_stats(kept, 2, 0, 2, 0);
	TR_CALL(1, write(kept, "x", 1));
	TR_CALL(0, read(kept, buf, 1));
	expect_stats(kept, 2, 1, 3, 0);
	TR_CALL(-ENOTTY, ioctl(kept, _IO('s', 3)));
}

static void unprivileged(void)
{
	struct stat st;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, stat(ktest_dev, &st));
	tr_printf("mode %o uid %u gid %u", st.st_mode, st.st_uid, st.st_gid);
	TR_EXPECT(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_uid == 0);
	TR_CALL(1, write(fd, "x", 1));
	TR_CALL(1, write(fd, "x", 1));
	TR_EXPECT(ktest_in_child(as_nobody, &fd) == 0);
	expect_stats(fd, 2, 1, 3, 0);
	TR_CALL(0, ioctl(fd, SEM_IOC_RESET));		/* root may */
	expect_stats(fd, 0, 0, 0, 0);
	TR_CALL(0, close(fd));
}

static void signals(void)
{
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR);
	struct rd r = { .fd = fd, .buf = big, .n = 1 };
	struct ktest_bg b;
	long long end;

	ASSERT_TRUE(fd >= 0 && w >= 0);
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(wait_waiters(w, 1));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(-EINTR, "blocked read, SIGUSR1 without SA_RESTART", b.ret, b.err);
	TR_EXPECT(ktest_signals == 1);
	expect_stats(w, 0, 0, 0, 0);

	ASSERT_EQ(0, ktest_catch(SIGUSR1, true));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(wait_waiters(w, 1));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	end = ktest_ms() + 5000;
	while (ktest_signals < 2 && ktest_ms() < end)
		usleep(1000);
	TR_EXPECT(ktest_signals == 2);
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(wait_waiters(w, 1));
	expect_stats(w, 0, 0, 0, 1);
	TR_CALL(1, write(w, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "blocked read, SIGUSR1 with SA_RESTART", b.ret, b.err);
	expect_stats(w, 0, 1, 1, 0);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(w));
}

static void unknown_ioctls(void)
{
	static const unsigned long cmds[] = {
		0, _IO('s', 0), _IO('s', 1), _IO('s', 3),
		_IOWR('s', 1, char[24]), _IOWR('s', 1, char[48]), _IOR('s', 1, struct sem_stats),
		_IOW('s', 1, struct sem_stats), _IOW('s', 2, int), _IOR('s', 2, int),
		_IOWR('s', 2, struct sem_stats), _IOWR('S', 1, struct sem_stats),
		_IO('S', 2), _IOWR('e', 1, char[24]), TCGETS, FIONREAD, 0xffffffffu,
	};
	struct sem_stats *st = (struct sem_stats *)big;
	int fd = dev_open(O_RDWR);
	char label[96];
	size_t k;

	ASSERT_TRUE(fd >= 0);
	TR_CALL(1, write(fd, "x", 1));
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		memset(big, 0, 64);
		st->size = 40;
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, valid STATS struct)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], big));
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, NULL)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], NULL));
	}
	expect_stats(fd, 1, 0, 1, 0);			/* no RESET slipped through */
	TR_CALL(0, close(fd));
}

#define RW_THREADS 4
#define RW_TIMES 4000

static long long bg_reads(void *p)
{
	struct rd *r = p;
	int i;

	for (i = 0; i < r->times; i++)
		if (read(r->fd, r->buf, r->n))
			return -1;
	return i;
}

static long long bg_writes(void *p)
{
	struct rd *r = p;
	int i;

	for (i = 0; i < r->times; i++)
		if (write(r->fd, "x", 1) != 1)
			return -1;
	return i;
}

static void readers_and_writers(void)
{
	struct ktest_bg rb[RW_THREADS], wb[RW_THREADS];
	struct rd rr[RW_THREADS], wr[RW_THREADS];
	int i, fd = dev_open(O_RDWR);
	struct sem_stats st;
	bool all = true;
	long long t0 = ktest_ms();

	ASSERT_TRUE(fd >= 0);
	for (i = 0; i < RW_THREADS; i++) {
		rr[i] = (struct rd){ .fd = dev_open(O_RDWR), .buf = NULL, .n = (size_t)i, .times = RW_TIMES };
		wr[i] = (struct rd){ .fd = dev_open(O_RDWR), .times = RW_TIMES };
		ASSERT_TRUE(rr[i].fd >= 0 && wr[i].fd >= 0);
	}
	for (i = 0; i < RW_THREADS; i++) {
		ASSERT_EQ(0, ktest_bg_start(&rb[i], bg_reads, &rr[i]));
		ASSERT_EQ(0, ktest_bg_start(&wb[i], bg_writes, &wr[i]));
	}
	for (i = 0; i < RW_THREADS; i++) {
		all &= ktest_bg_join(&wb[i], 15000) && wb[i].ret == RW_TIMES;
		all &= ktest_bg_join(&rb[i], 15000) && rb[i].ret == RW_TIMES;
	}
	if (!all) {
		get_stats(fd, &st);
		printf("# %s: stuck or failed: count=%llu reads=%llu writes=%llu waiters=%llu\n", ktest_twin,
		       (unsigned long long)st.count, (unsigned long long)st.reads,
		       (unsigned long long)st.writes, (unsigned long long)st.waiters);
	}
	printf("# %s: %d readers and %d writers x %d in %lld ms\n", ktest_twin, RW_THREADS, RW_THREADS,
	       RW_TIMES, ktest_ms() - t0);
	tr_printf("%d readers x %d reads, %d writers x %d writes", RW_THREADS, RW_TIMES, RW_THREADS,
		  RW_TIMES);
	TR_EXPECT(all);
	expect_stats(fd, 0, RW_THREADS * RW_TIMES, RW_THREADS * RW_TIMES, 0);
	TR_CALL(0, close(fd));
}

static void unload_while_open(void)
{
	char sys[128];
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR);
	struct rd r = { .fd = fd2, .buf = big, .n = 1 };
	struct ktest_bg b;

	ASSERT_TRUE(fd >= 0 && fd2 >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	/* delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK (== EAGAIN). */
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, access(sys, F_OK));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(1, write(fd, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "read blocked during an unload attempt", b.ret, b.err);
	TR_CALL(0, close(fd));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, close(fd2));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
	TR_CALL(-ENOENT, open(ktest_dev, O_RDWR));
}

static void instances(void)
{
	char path[200], buf[32];
	struct stat st;
	int fds[4], i;
	struct rd r;
	struct ktest_bg b;

	/* Default: one device. */
	snprintf(path, sizeof(path), "%s1", ktest_dev);
	TR_CALL(0, access(ktest_dev, F_OK));
	TR_CALL(-ENOENT, access(path, F_OK));
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/instances", ktest_twin);
	TR_CALL(2, read_file(path, buf, sizeof(buf)));
	tr_printf("instances: %s", buf);
	TR_EXPECT(!strcmp(buf, "1\n"));
	TR_CALL(0, unload_module(ktest_twin));
	/* Out of range: refused with semaphore.h's errnos, nothing left behind. */
	snprintf(path, sizeof(path), "/sys/module/%s", ktest_twin);
	TR_CALL(-ERANGE, load_module(ktest_twin, "instances=0"));
	TR_CALL(-ENOENT, access(path, F_OK));
	TR_CALL(-ENOENT, access(ktest_dev, F_OK));
	TR_CALL(-ERANGE, load_module(ktest_twin, "instances=5"));
	TR_CALL(-ENOENT, access(path, F_OK));
	TR_CALL(-EINVAL, load_module(ktest_twin, "instances=-1"));
	TR_CALL(-ENOENT, access(path, F_OK));
	/* Each occurrence is checked in order (the last one wins if all are in range). */
	TR_CALL(-ERANGE, load_module(ktest_twin, "instances=9 instances=2"));
	TR_CALL(-ENOENT, access(path, F_OK));
	TR_CALL(0, load_module(ktest_twin, "instances=3 instances=2"));
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/instances", ktest_twin);
	TR_CALL(2, read_file(path, buf, sizeof(buf)));
	TR_EXPECT(!strcmp(buf, "2\n"));
	TR_CALL(0, unload_module(ktest_twin));

	/* Four independent semaphores. */
	TR_CALL(0, load_module(ktest_twin, "instances=4"));
	for (i = 0; i < 4; i++) {
		fds[i] = inst_open(i, O_RDWR | O_NONBLOCK);
		TR_EXPECT(fds[i] >= 0);
		if (fds[i] < 0)
			return;
		snprintf(path, sizeof(path), "%s%.0d", ktest_dev, i);
		TR_CALL(0, stat(path, &st));
		TR_EXPECT(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600);
	}
	TR_CALL(-ENOENT, inst_open(4, O_RDWR));
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/instances", ktest_twin);
	TR_CALL(2, read_file(path, buf, sizeof(buf)));
	TR_EXPECT(!strcmp(buf, "4\n"));
	TR_CALL(1, write(fds[2], "x", 1));
	TR_CALL(1, write(fds[2], "x", 1));
	TR_CALL(1, write(fds[3], "x", 1));
	expect_stats(fds[0], 0, 0, 0, 0);
	expect_stats(fds[1], 0, 0, 0, 0);
	expect_stats(fds[2], 2, 0, 2, 0);
	expect_stats(fds[3], 1, 0, 1, 0);
	TR_CALL(-EAGAIN, read(fds[0], buf, 1));
	TR_CALL(-EAGAIN, read(fds[1], buf, 1));
	TR_CALL(0, read(fds[2], buf, 1));
	TR_CALL(0, ioctl(fds[3], SEM_IOC_RESET));
	expect_stats(fds[2], 1, 1, 2, 0);
	expect_stats(fds[3], 0, 0, 0, 0);
	/* A reader asleep on one is woken by a write to it, not to another. */
	r = (struct rd){ .fd = inst_open(1, O_RDWR), .buf = big, .n = 1 };
	ASSERT_TRUE(r.fd >= 0);
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(1, write(fds[0], "x", 1));
	TR_CALL(1, write(fds[3], "x", 1));
	usleep(200000);
	TR_EXPECT(!ktest_bg_done(&b));
	TR_CALL(1, write(fds[1], "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "reader on instance 1", b.ret, b.err);
	expect_stats(fds[0], 1, 0, 1, 0);
	expect_stats(fds[1], 0, 1, 1, 0);
	TR_CALL(0, close(r.fd));
	for (i = 0; i < 4; i++)
		TR_CALL(0, close(fds[i]));
}

TEST(write_gives_a_unit_read_takes_one) { ktest_twins(twins, write_gives_read_takes); }
TEST(buffers_are_never_touched) { ktest_twins(twins, buffers_never_touched); }
TEST(blocking_reads_woken_one_per_write) { ktest_twins(twins, blocking_reads); }
TEST(poll_in_and_out) { ktest_twins(twins, poll_in_out); }
TEST(ioctl_stats_sizes_and_faults) { ktest_twins(twins, stats_sizes); }
TEST(ioctl_reset) { ktest_twins(twins, reset); }
TEST(unprivileged_caller) { ktest_twins(twins, unprivileged); }
TEST(signal_interrupts_or_restarts_a_blocking_read) { ktest_twins(twins, signals); }
TEST(unknown_ioctls_are_enotty) { ktest_twins(twins, unknown_ioctls); }
TEST(many_readers_and_writers) { ktest_twins(twins, readers_and_writers); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }
TEST(instances_parameter) { ktest_twins(twins, instances); }

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_semaphore", NULL);
	expect_init_walk("rust_semaphore", "instances=4");
}

TEST(every_allocation_of_open_fails_cleanly)
{
	expect_open_walk("rust_semaphore", "/dev/rust_semaphore");
}

int main(void)
{
	return ktest_run();
}
