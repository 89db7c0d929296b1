// SPDX-License-Identifier: GPL-2.0
/*
 * rust_echo test: every rule of echo.h, run against rust_echo and its C twin
 * c_echo. Each scenario runs once per twin (ktest_twins(): load, run on
 * /dev/NAME, unload); the results must be the ones echo.h specifies, and the
 * two twins' transcripts must be identical, errno by errno.
 */
#include "ktest.h"

#include <stdint.h>
#include <sys/ioctl.h>

#include "echo.h"

static const char *const twins[] = { "rust_echo", "c_echo", NULL };

#define CAP ECHO_DEFAULT_CAP
#define POLL_ALL (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLPRI | POLLRDBAND | POLLWRBAND)
#define P_IN (POLLIN | POLLRDNORM)
#define P_OUT (POLLOUT | POLLWRNORM)

/* Low in the address space (static binary): buf + 2^40 still passes access_ok. */
static unsigned char big[4 * KTEST_PAGE] __attribute__((aligned(KTEST_PAGE)));
static unsigned char want[4 * KTEST_PAGE];

static int dev_open(int flags)
{
	return open(ktest_dev, flags | O_CLOEXEC);
}

static void expect_info_(int line, int fd, unsigned long long len, unsigned long long cap)
{
	struct echo_info i;
	long r;
	int e;

	memset(&i, 0xa5, sizeof(i));
	i.size = sizeof(i);
	errno = 0;
	r = ioctl(fd, ECHO_IOC_INFO, &i);
	e = errno;
	if (!ktest_tr_check(__FILE__, line, "ioctl(fd, ECHO_IOC_INFO, &info)", 0, r, e))
		return;
	tr_printf("info: size=%u version=%u len=%llu cap=%llu", i.size, i.version,
		  (unsigned long long)i.len, (unsigned long long)i.cap);
	if (i.size != 24 || i.version != ECHO_VERSION || i.len != len || i.cap != cap) {
		printf("# %s:%d: %s: info size=%u version=%u len=%llu cap=%llu, expected 24 1 %llu %llu\n",
		       __FILE__, line, ktest_twin, i.size, i.version, (unsigned long long)i.len,
		       (unsigned long long)i.cap, len, cap);
		ktest_failed = 1;
	}
}
#define expect_info(fd, len, cap) expect_info_(__LINE__, fd, len, cap)

_Static_assert(sizeof(struct echo_resize) == 24, "echo.h: a 24-byte struct echo_resize");

/* A version-1 RESIZE. */
static long resize(int fd, unsigned long long cap)
{
	struct echo_resize r = { .size = sizeof(r), .version = ECHO_VERSION, .cap = cap };

	return ioctl(fd, ECHO_IOC_RESIZE, &r);
}

/* RESIZE with the 24-byte struct written at `at`, the bytes after it as they are. */
static long resize_at(int fd, void *at, __u32 size, __u32 version, __u64 cap)
{
	struct echo_resize r = { .size = size, .version = version, .cap = cap };

	memcpy(at, &r, sizeof(r));
	return ioctl(fd, ECHO_IOC_RESIZE, at);
}

/* A background read (bg_read()). */
struct rd {
	int fd;
	void *buf;
	size_t n;
};

static long long bg_read(void *p)
{
	struct rd *r = p;

	return read(r->fd, r->buf, r->n);
}

/* ---- scenarios ---- */

static void round_trip(void)
{
	char buf[256];
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);

	ASSERT_TRUE(fd >= 0 && fd2 >= 0 && nb >= 0);
	expect_info(fd, 0, CAP);
	TR_CALL(12, write(fd, "hello, world", 12));
	TR_CALL(12, lseek(fd, 0, SEEK_CUR));
	expect_info(fd, 12, CAP);
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	TR_CALL(12, read(fd, buf, sizeof(buf)));
	expect_bytes("read back", buf, "hello, world", 13);
	TR_CALL(12, lseek(fd, 0, SEEK_CUR));

	/* One buffer for every opener, a position per open file. */
	TR_CALL(5, read(fd2, buf, 5));
	expect_bytes("second opener", buf, "hello", 5);
	TR_CALL(7, lseek(fd2, 7, SEEK_SET));
	TR_CALL(5, write(fd2, "WORLD", 5));
	expect_info(fd, 12, CAP);
	memset(buf, 0, sizeof(buf));
	TR_CALL(12, pread(fd, buf, sizeof(buf), 0));
	expect_bytes("overwritten", buf, "hello, WORLD", 13);
	TR_CALL(12, lseek(fd, 0, SEEK_CUR));

	/* lseek: SEEK_SET, SEEK_CUR, SEEK_END; results in 0..cap. */
	TR_CALL(12, lseek(fd, 0, SEEK_END));
	TR_CALL(10, lseek(fd, -2, SEEK_END));
	TR_CALL(11, lseek(fd, 1, SEEK_CUR));
	TR_CALL(0, lseek(fd, -11, SEEK_CUR));
	TR_CALL(CAP, lseek(fd, CAP - 12, SEEK_END));
	TR_CALL(-EINVAL, lseek(fd, CAP - 11, SEEK_END));
	TR_CALL(CAP, lseek(fd, CAP, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, CAP + 1, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, -1, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_SET));
	TR_CALL(10, lseek(fd, 10, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, -11, SEEK_CUR));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_CUR));	/* overflows */
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_CUR));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MAX, SEEK_END));	/* overflows */
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_END));
	TR_CALL(-EINVAL, lseek(fd, -13, SEEK_END));
	/* SEEK_DATA, SEEK_HOLE: the driver's EINVAL, before and after the data. */
	TR_CALL(-EINVAL, lseek(fd, 0, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, 11, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, 12, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, -1, SEEK_DATA));
	TR_CALL(-EINVAL, lseek(fd, 0, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, 12, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, CAP, SEEK_HOLE));
	TR_CALL(-EINVAL, lseek(fd, LLONG_MIN, SEEK_HOLE));
	/* Above SEEK_MAX (whence is unsigned to lseek(2)): the VFS's EINVAL. */
	TR_LSEEK_ABOVE_SEEK_MAX(fd);
	TR_CALL(10, lseek(fd, 0, SEEK_CUR));	/* the failures moved nothing */

	/* pread/pwrite: the same rules at an explicit position, which stays put. */
	TR_CALL(2, pwrite(fd, "xy", 2, 20));
	expect_info(fd, 22, CAP);
	memset(buf, 0x55, sizeof(buf));
	TR_CALL(22, pread(fd, buf, sizeof(buf), 0));
	expect_bytes("gap before pwrite", buf, "hello, WORLD\0\0\0\0\0\0\0\0xy", 22);
	TR_CALL(10, lseek(fd, 0, SEEK_CUR));
	TR_CALL(2, pwrite(fd, "abcd", 4, CAP - 2));
	TR_CALL(-ENOSPC, pwrite(fd, "abcd", 4, CAP));
	TR_CALL(-ENOSPC, pwrite(fd, "abcd", 4, 1 << 30));
	TR_CALL(0, pwrite(fd, "abcd", 0, CAP));
	TR_CALL(-EINVAL, pwrite(fd, "abcd", 4, -1));
	TR_CALL(-EAGAIN, pread(nb, buf, 4, CAP));
	TR_CALL(2, pread(nb, buf, 4, CAP - 2));
	expect_bytes("pread at the end", buf, "ab", 2);
	expect_info(fd, CAP, CAP);

	/* write: short at the end of the room, ENOSPC at the capacity. */
	TR_CALL(CAP - 6, lseek(fd, CAP - 6, SEEK_SET));
	TR_CALL(6, write(fd, "0123456789", 10));
	TR_CALL(CAP, lseek(fd, 0, SEEK_CUR));
	TR_CALL(-ENOSPC, write(fd, "0", 1));
	TR_CALL(CAP, lseek(fd, 0, SEEK_CUR));
	TR_CALL(CAP - 6, lseek(nb, -6, SEEK_END));
	TR_CALL(6, read(nb, buf, sizeof(buf)));
	expect_bytes("short write", buf, "012345", 6);
	TR_CALL(-EAGAIN, read(nb, buf, sizeof(buf)));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(fd2));
	TR_CALL(0, close(nb));
}

static void gap(void)
{
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(2, write(fd, "AB", 2));
	TR_CALL(100, lseek(fd, 100, SEEK_SET));
	TR_CALL(2, write(fd, "CD", 2));
	expect_info(fd, 102, CAP);
	memset(big, 0x55, 200);
	TR_CALL(102, pread(fd, big, 200, 0));
	memset(want, 0, sizeof(want));
	memcpy(want, "AB", 2);
	memcpy(want + 100, "CD", 2);
	expect_bytes("gap reads as zeros", big, want, 102);

	/* Bytes a shrink dropped are gone: growing again shows zeros there. */
	TR_CALL(0, resize(fd, 50));
	expect_info(fd, 50, 50);
	TR_CALL(0, resize(fd, 200));
	expect_info(fd, 50, 200);
	TR_CALL(2, pwrite(fd, "EF", 2, 150));
	expect_info(fd, 152, 200);
	memset(big, 0x55, 200);
	TR_CALL(152, pread(fd, big, 200, 0));
	memset(want, 0, sizeof(want));
	memcpy(want, "AB", 2);
	memcpy(want + 150, "EF", 2);
	expect_bytes("dropped bytes read as zeros", big, want, 152);
	/* A write inside the stored bytes leaves the length alone. */
	TR_CALL(1, pwrite(fd, "Z", 1, 10));
	expect_info(fd, 152, 200);
	TR_CALL(0, close(fd));
}

static void nonblocking_and_zero_lengths(void)
{
	char buf[16];
	int fd = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);

	ASSERT_TRUE(fd >= 0 && nb >= 0);
	TR_CALL(-EAGAIN, read(nb, buf, sizeof(buf)));
	TR_CALL(-EAGAIN, read(nb, buf, 1));
	TR_CALL(0, read(nb, buf, 0));
	TR_CALL(0, read(nb, NULL, 0));
	/* n == 0 comes first: no sleep on an empty device (an alarm ends a wrong one). */
	ASSERT_EQ(0, ktest_catch(SIGALRM, false));
	alarm(5);
	TR_CALL(0, read(fd, buf, 0));
	TR_CALL(0, read(fd, NULL, 0));
	TR_CALL(0, read(fd, ktest_hole(), 0));
	TR_CALL(0, write(fd, NULL, 0));
	TR_CALL(0, write(fd, ktest_hole(), 0));
	alarm(0);
	/* A kernel address fails the VFS's access_ok even for 0 bytes. */
	TR_CALL(-EFAULT, read(fd, KTEST_KERNEL_ADDR, 0));
	TR_CALL(-EFAULT, write(fd, KTEST_KERNEL_ADDR, 0));
	expect_info(fd, 0, CAP);
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));

	TR_CALL(3, write(fd, "abc", 3));
	TR_CALL(3, read(nb, buf, sizeof(buf)));
	TR_CALL(-EAGAIN, read(nb, buf, sizeof(buf)));	/* pos == len */
	TR_CALL(0, read(nb, buf, 0));
	TR_CALL(10, lseek(nb, 10, SEEK_SET));		/* pos > len */
	TR_CALL(-EAGAIN, read(nb, buf, sizeof(buf)));
	/* A zero-length write at the capacity is 0, not ENOSPC. */
	TR_CALL(CAP, lseek(fd, CAP, SEEK_SET));
	TR_CALL(0, write(fd, buf, 0));
	TR_CALL(-ENOSPC, write(fd, buf, 1));
	expect_info(fd, 3, CAP);
	/* O_NONBLOCK set later with fcntl counts too. */
	TR_CALL(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	TR_CALL(3, lseek(fd, 3, SEEK_SET));
	TR_CALL(-EAGAIN, read(fd, buf, sizeof(buf)));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(nb));
}

static void blocking_read(void)
{
	char rbuf[100], rbuf2[100];
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR), fd3 = dev_open(O_RDWR);
	struct rd r = { fd, rbuf, sizeof(rbuf) }, r2 = { fd3, rbuf2, sizeof(rbuf2) };
	struct ktest_bg b, b2;

	ASSERT_TRUE(fd >= 0 && w >= 0 && fd3 >= 0);
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(7, write(w, "wake up", 7));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(7, "blocked read(fd, buf, 100)", b.ret, b.err);
	expect_bytes("woken reader", rbuf, "wake up", 8);

	/* A write below the reader's position does not end its wait. */
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(3, pwrite(w, "xyz", 3, 0));
	usleep(200000);
	TR_EXPECT(!ktest_bg_done(&b));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(4, write(w, "more", 4));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(4, "blocked read(fd, buf, 100) at 7", b.ret, b.err);
	expect_bytes("second wait", rbuf, "more", 5);

	/* One write wakes every reader. */
	TR_CALL(11, lseek(fd3, 11, SEEK_SET));
	memset(rbuf, 0, sizeof(rbuf));
	memset(rbuf2, 0, sizeof(rbuf2));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	ASSERT_EQ(0, ktest_bg_start(&b2, bg_read, &r2));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_EXPECT(ktest_bg_sleeping(&b2, SYS_read, 5000));
	TR_CALL(3, write(w, "end", 3));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_EXPECT(ktest_bg_join(&b2, 5000));
	TR_CHECK(3, "reader 1", b.ret, b.err);
	TR_CHECK(3, "reader 2", b2.ret, b2.err);
	expect_bytes("reader 1", rbuf, "end", 4);
	expect_bytes("reader 2", rbuf2, "end", 4);
	expect_info(w, 14, CAP);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(w));
	TR_CALL(0, close(fd3));
}

static void poll_in_out(void)
{
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR);
	struct pl q = { .fd = fd, .events = P_IN, .timeout = 10000 };
	struct ktest_bg b;

	ASSERT_TRUE(fd >= 0 && w >= 0);
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, poll_revents(fd, P_IN, 0));
	TR_CALL(1, write(w, "x", 1));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(POLLIN, poll_revents(fd, POLLIN, 0));
	TR_CALL(1, lseek(fd, 1, SEEK_SET));
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));

	/* A poll waiting for input is woken by a write. */
	ASSERT_EQ(0, ktest_bg_start(&b, bg_poll, &q));
	TR_EXPECT(ktest_bg_sleeping(&b, -1, 5000));
	TR_CALL(1, write(w, "y", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(P_IN, "blocked poll(fd, POLLIN|POLLRDNORM)", b.ret, b.err);

	/* At the capacity: no room; with everything read, nothing at all. */
	TR_CALL(CAP - 2, pwrite(w, big, CAP - 2, 2));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(CAP - 1, lseek(fd, CAP - 1, SEEK_SET));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(CAP, lseek(fd, CAP, SEEK_SET));
	TR_CALL(0, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, resize(w, 2 * CAP));
	TR_CALL(P_OUT, poll_revents(fd, POLL_ALL, 0));
	/* A position beyond a shrunk capacity: neither. */
	TR_CALL(0, resize(w, 100));
	TR_CALL(0, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(99, lseek(fd, 99, SEEK_SET));
	TR_CALL(P_IN | P_OUT, poll_revents(fd, POLL_ALL, 0));
	TR_CALL(0, close(fd));
	TR_CALL(0, close(w));
}

static void bad_buffers(void)
{
	int fd = dev_open(O_RDWR);
	void *none = ktest_page(PROT_NONE), *hole = ktest_hole();
	unsigned char *ro = ktest_page(PROT_READ);

	ASSERT_TRUE(fd >= 0 && none && hole && ro);
	/* Huge counts: the VFS caps them at MAX_RW_COUNT, the room decides. */
	memset(big, 'A', CAP);
	TR_CALL(CAP, raw_write(fd, big, (size_t)1 << 40));
	expect_info(fd, CAP, CAP);
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	memset(big, 0, CAP);
	TR_CALL(CAP, raw_read(fd, big, (size_t)1 << 40));
	memset(want, 'A', CAP);
	expect_bytes("huge read", big, want, CAP);
	TR_CALL(CAP - 96, lseek(fd, CAP - 96, SEEK_SET));
	TR_CALL(96, raw_read(fd, big, (size_t)1 << 40));
	TR_CALL(-ENOSPC, raw_write(fd, big, (size_t)1 << 40));
	/* Counts whose end is not a user address: EFAULT from the VFS. */
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	TR_CALL(-EFAULT, raw_write(fd, big, SIZE_MAX / 2));
	TR_CALL(-EFAULT, raw_read(fd, big, SIZE_MAX / 2));
	TR_CALL(-EFAULT, raw_write(fd, big, SIZE_MAX));
	TR_CALL(-EFAULT, raw_read(fd, big, SIZE_MAX));

	/* Bad buffers: EFAULT (a fault on the first byte), nothing changes. */
	TR_CALL(-EFAULT, raw_write(fd, NULL, 10));
	TR_CALL(-EFAULT, raw_read(fd, NULL, 10));
	TR_CALL(-EFAULT, write(fd, none, 10));
	TR_CALL(-EFAULT, read(fd, none, 10));
	TR_CALL(-EFAULT, write(fd, hole, 10));
	TR_CALL(-EFAULT, read(fd, hole, 10));
	TR_CALL(-EFAULT, write(fd, KTEST_KERNEL_ADDR, 10));
	TR_CALL(-EFAULT, read(fd, KTEST_KERNEL_ADDR, 10));
	TR_CALL(-EFAULT, write(fd, (void *)(1UL << 47), 10));
	TR_CALL(-EFAULT, read(fd, (void *)(1UL << 47), 10));
	TR_CALL(-EFAULT, read(fd, ro, 10));		/* read-only: cannot be written */
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));
	memset(big, 0, CAP);
	TR_CALL(CAP, pread(fd, big, CAP, 0));
	expect_bytes("nothing changed", big, want, CAP);
	TR_CALL(10, write(fd, ro, 10));			/* but it can be read */
	TR_CALL(10, lseek(fd, 0, SEEK_CUR));
	TR_CALL(CAP, pread(fd, big, CAP, 0));
	memset(want, 0, 10);
	expect_bytes("written from read-only", big, want, CAP);
	TR_EXPECT(ro[0] == 0 && ro[9] == 0);
	expect_info(fd, CAP, CAP);
	TR_CALL(0, close(fd));
}

static void short_copies(void)
{
	int fd = dev_open(O_RDWR);
	char *p = ktest_page_before_hole(), *edge;
	long long n;

	ASSERT_TRUE(fd >= 0 && p);
	edge = p + KTEST_PAGE - 100;		/* 100 bytes, then the hole */
	memset(big, 'A', 300);
	TR_CALL(300, write(fd, big, 300));
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	memset(edge, 'B', 100);
	n = TR_SHORT(100, write(fd, edge, 200));
	TR_CALL(n, lseek(fd, 0, SEEK_CUR));
	expect_info(fd, 300, CAP);
	TR_CALL(300, pread(fd, big, 300, 0));
	memset(want, 'B', n);
	memset(want + n, 'A', 300 - n);
	expect_bytes("short write changes only what it counts", big, want, 300);

	/* A short read. */
	memset(edge, 0, 100);
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	n = TR_SHORT(100, read(fd, edge, 200));
	expect_bytes("short read", edge, want, n);
	TR_CALL(n, lseek(fd, 0, SEEK_CUR));
	TR_SHORT(1, read(fd, p + KTEST_PAGE - 1, 5));
	TR_CALL(n + 1, lseek(fd, 0, SEEK_CUR));

	/* A short write past the stored bytes: the length grows by what was copied. */
	TR_CALL(400, lseek(fd, 400, SEEK_SET));
	memset(edge, 'C', 100);
	n = TR_SHORT(100, write(fd, edge, 200));
	expect_info(fd, 400 + n, CAP);
	memset(big, 0x55, 600);
	TR_CALL(400 + n, pread(fd, big, 600, 0));
	memset(want + 300, 0, 100);
	memset(want + 400, 'C', n);
	expect_bytes("short write past the end", big, want, 400 + n);

	/* The room can end before the readable part does. */
	TR_CALL(CAP - 46, lseek(fd, CAP - 46, SEEK_SET));
	TR_CALL(46, write(fd, edge, 200));
	expect_info(fd, CAP, CAP);
	/* One readable byte; none. */
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	TR_CALL(1, write(fd, p + KTEST_PAGE - 1, 2));
	TR_CALL(-EFAULT, write(fd, p + KTEST_PAGE, 2));
	TR_CALL(-EFAULT, read(fd, p + KTEST_PAGE, 2));
	TR_CALL(1, lseek(fd, 0, SEEK_CUR));
	TR_CALL(0, close(fd));
}

static void info_sizes(void)
{
	static const __u32 good[] = { 24, 25, 100, 4095, 4096 };
	static const unsigned int small[] = { 0, 1, 16, 23 };
	static const unsigned int large[] = { 4097, 8192, 0x80000000u, 0xffffffffu };
	int fd = dev_open(O_RDWR);
	unsigned char *p = (unsigned char *)ktest_page_before_hole(), *ro = ktest_page(PROT_READ | PROT_WRITE);
	struct echo_info *i = (struct echo_info *)big;
	char label[64];
	size_t k;

	ASSERT_TRUE(fd >= 0 && p && ro);
	TR_CALL(5, write(fd, "12345", 5));
	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		snprintf(label, sizeof(label), "INFO with size %u", good[k]);
		memset(big, 0xa5, sizeof(big));
		i->size = good[k];
		TR_CALL_AS(0, label, ioctl(fd, ECHO_IOC_INFO, big));
		tr_printf("info: size=%u version=%u len=%llu cap=%llu", i->size, i->version,
			  (unsigned long long)i->len, (unsigned long long)i->cap);
		TR_EXPECT(i->size == 24 && i->version == 1 && i->len == 5 && i->cap == CAP);
		memset(want, 0xa5, sizeof(big));
		expect_bytes("bytes beyond 24 left alone", big + 24, want, sizeof(big) - 24);
	}
	tr_size_refused(fd, ECHO_IOC_INFO, "INFO", small, sizeof(small) / sizeof(small[0]), EINVAL, big,
			sizeof(big));
	tr_size_refused(fd, ECHO_IOC_INFO, "INFO", large, sizeof(large) / sizeof(large[0]), E2BIG, big,
			sizeof(big));
	/* Exactly 24 bytes before a hole: only those are touched, whatever the size. */
	i = (struct echo_info *)(p + KTEST_PAGE - 24);
	i->size = 24;
	TR_CALL(0, ioctl(fd, ECHO_IOC_INFO, i));
	TR_EXPECT(i->size == 24 && i->len == 5 && i->cap == CAP);
	i->size = 4096;
	TR_CALL(0, ioctl(fd, ECHO_IOC_INFO, i));
	TR_EXPECT(i->size == 24 && i->len == 5 && i->cap == CAP);
	/* The size itself unreadable; the struct unwritable. */
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, NULL));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, ktest_page(PROT_NONE)));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, p + KTEST_PAGE - 2));
	*(__u32 *)(p + KTEST_PAGE - 8) = 24;
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, p + KTEST_PAGE - 8));
	*(__u32 *)ro = 24;
	ASSERT_EQ(0, mprotect(ro, KTEST_PAGE, PROT_READ));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_INFO, ro));
	TR_EXPECT(*(__u32 *)ro == 24);
	TR_CALL(0, close(fd));
}

static void resizes(void)
{
	unsigned char *blk = big, *p = (unsigned char *)ktest_page_before_hole();
	unsigned char *ro = ktest_page(PROT_READ | PROT_WRITE);
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);
	int k;

	ASSERT_TRUE(fd >= 0 && fd2 >= 0 && nb >= 0 && p && ro);
	for (k = 0; k < 100; k++)
		want[k] = (unsigned char)(k * 7 + 1);
	TR_CALL(100, write(fd, want, 100));
	TR_CALL(100, lseek(fd2, 100, SEEK_SET));
	TR_CALL(100, lseek(nb, 100, SEEK_SET));

	/* Shrink: the bytes beyond the new capacity are dropped. */
	TR_CALL(0, resize(fd, 50));
	expect_info(fd, 50, 50);
	memset(big, 0, 200);
	TR_CALL(50, pread(fd, big, 200, 0));
	expect_bytes("kept by the shrink", big, want, 50);
	TR_CALL(-EINVAL, lseek(fd2, 0, SEEK_CUR));	/* pos 100 > cap */
	TR_CALL(-ENOSPC, write(fd2, "x", 1));
	TR_CALL(-EAGAIN, read(nb, big, 10));
	TR_CALL(50, lseek(fd2, 50, SEEK_SET));
	TR_CALL(-ENOSPC, write(fd2, "x", 1));
	TR_CALL(-EINVAL, lseek(fd2, 51, SEEK_SET));

	/* Grow: the stored bytes stay, the new room reads as zeros once written past. */
	TR_CALL(0, resize(fd, 8192));
	expect_info(fd, 50, 8192);
	TR_CALL(5, pwrite(fd, "grown", 5, 8000));
	expect_info(fd, 8005, 8192);
	memset(big, 0x55, sizeof(big));
	TR_CALL(8005, pread(fd, big, sizeof(big), 0));
	memset(want + 50, 0, 8000 - 50);
	memcpy(want + 8000, "grown", 5);
	expect_bytes("grown", big, want, 8005);
	TR_CALL(8192, lseek(fd, 8192, SEEK_SET));
	TR_CALL(-EINVAL, lseek(fd, 8193, SEEK_SET));
	TR_CALL(0, resize(fd, ECHO_MAX_CAP));
	expect_info(fd, 8005, ECHO_MAX_CAP);
	TR_CALL(1, pwrite(fd, "z", 1, ECHO_MAX_CAP - 1));
	TR_CALL(-ENOSPC, pwrite(fd, "z", 1, ECHO_MAX_CAP));
	TR_CALL(ECHO_MAX_CAP, lseek(fd, 0, SEEK_END));
	TR_CALL(-EINVAL, lseek(fd, ECHO_MAX_CAP + 1, SEEK_SET));
	expect_info(fd, ECHO_MAX_CAP, ECHO_MAX_CAP);
	TR_CALL(0, resize(fd, 1));
	expect_info(fd, 1, 1);
	TR_CALL(1, pread(fd, big, 10, 0));
	TR_CALL(0, resize(fd, CAP));
	expect_info(fd, 1, CAP);

	/* Bad values: EINVAL; nothing changes. */
	memset(blk, 0, 2 * KTEST_PAGE);
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 1, 0));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 1, ECHO_MAX_CAP + 1));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 1, (1ULL << 32) + CAP));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 1, ~0ULL));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 0, CAP));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, 2, CAP));
	TR_CALL(-EINVAL, resize_at(fd, blk, 24, ~0u, CAP));
	for (k = 16; k < 24; k++) {
		char label[64];

		resize_at(-1, blk, 24, 1, CAP);
		blk[k] = k == 23 ? 0x80 : 1;
		snprintf(label, sizeof(label), "RESIZE with reserved byte %d set", k - 16);
		TR_CALL_AS(-EINVAL, label, ioctl(fd, ECHO_IOC_RESIZE, blk));
	}
	memset(blk, 0, 2 * KTEST_PAGE);
	/* Sizes. */
	TR_CALL(-EINVAL, resize_at(fd, blk, 0, 1, 64));
	TR_CALL(-EINVAL, resize_at(fd, blk, 16, 1, 64));	/* below the 24-byte minimum */
	TR_CALL(-EINVAL, resize_at(fd, blk, 23, 1, 64));
	TR_CALL(-E2BIG, resize_at(fd, blk, 4097, 1, 64));
	TR_CALL(-E2BIG, resize_at(fd, blk, ~0u, 1, 64));
	expect_info(fd, 1, CAP);
	TR_CALL(0, resize_at(fd, blk, 4096, 1, 64));
	expect_info(fd, 1, 64);
	/* Bytes beyond 24 (up to the size) must be zero. */
	blk[24] = 1;
	TR_CALL(-E2BIG, resize_at(fd, blk, 25, 1, 65));
	TR_CALL(0, resize_at(fd, blk, 24, 1, 66));	/* byte 24 is not in a 24-byte struct */
	blk[24] = 0;
	blk[4095] = 0x80;
	TR_CALL(-E2BIG, resize_at(fd, blk, 4096, 1, 67));
	TR_CALL(0, resize_at(fd, blk, 4095, 1, 68));
	blk[4095] = 0;
	blk[99] = 2;
	TR_CALL(-E2BIG, resize_at(fd, blk, 100, 1, 69));
	/* Listed order: size, then trailing bytes (E2BIG), then version and cap (EINVAL). */
	TR_CALL(-E2BIG, resize_at(fd, blk, 100, 2, 0));
	TR_CALL(-E2BIG, resize_at(fd, blk, 4097, 2, 0));
	TR_CALL(-EINVAL, resize_at(fd, blk, 23, 2, 0));
	blk[99] = 0;
	resize_at(-1, blk, 100, 1, CAP);
	blk[16] = 1;					/* reserved */
	blk[50] = 1;
	TR_CALL(-E2BIG, ioctl(fd, ECHO_IOC_RESIZE, blk));
	memset(blk, 0, 2 * KTEST_PAGE);
	expect_info(fd, 1, 68);
	/* Unreadable: EFAULT. */
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, NULL));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, ktest_page(PROT_NONE)));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, p + KTEST_PAGE - 2));
	memset(p, 0, KTEST_PAGE);
	TR_CALL(-EFAULT, resize_at(fd, p + KTEST_PAGE - 24, 48, 1, 70));	/* trailing bytes */
	memcpy(p + KTEST_PAGE - 16, &(struct echo_resize){ .size = 24, .version = 1, .cap = 71 }, 16);
	TR_CALL(-EFAULT, ioctl(fd, ECHO_IOC_RESIZE, p + KTEST_PAGE - 16));	/* reserved */
	TR_CALL(0, resize_at(fd, p + KTEST_PAGE - 24, 24, 1, 72));		/* just fits */
	expect_info(fd, 1, 72);
	/* RESIZE only reads its argument: read-only memory is fine. */
	memcpy(ro, &(struct echo_resize){ .size = 24, .version = 1, .cap = CAP }, 16);
	ASSERT_EQ(0, mprotect(ro, KTEST_PAGE, PROT_READ));
	TR_CALL(0, ioctl(fd, ECHO_IOC_RESIZE, ro));
	expect_info(fd, 1, CAP);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(fd2));
	TR_CALL(0, close(nb));
}

static void unknown_ioctls(void)
{
	static const unsigned long cmds[] = {
		0, _IO('e', 0), _IO('e', 1), _IO('e', 2), _IO('e', 3),
		_IOWR('e', 1, char[16]), _IOWR('e', 1, char[32]), _IOWR('e', 1, char[4096]),
		_IOR('e', 1, struct echo_info), _IOW('e', 1, struct echo_info),
		_IOW('e', 2, char[16]), _IOW('e', 2, char[32]), _IOWR('e', 2, struct echo_resize),
		_IOR('e', 2, struct echo_resize), _IOW('E', 2, struct echo_resize),
		_IOWR('f', 1, struct echo_info), _IOWR('e', 0x81, struct echo_info),
		TCGETS, FIONREAD, 0xffffffffu,
	};
	struct echo_info *i = (struct echo_info *)big;
	int fd = dev_open(O_RDWR);
	char label[96];
	size_t k;

	ASSERT_TRUE(fd >= 0);
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		/* A valid struct, so that a lax decoder would have succeeded. */
		memset(big, 0, 64);
		i->size = 24;
		i->version = 1;
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, valid INFO struct)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], big));
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, NULL)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], NULL));
	}
	expect_info(fd, 0, CAP);
	TR_CALL(0, close(fd));
}

static void signals(void)
{
	char rbuf[32];
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR);
	struct rd r = { fd, rbuf, sizeof(rbuf) };
	struct ktest_bg b;
	long long end;

	ASSERT_TRUE(fd >= 0 && w >= 0);
	/* Without SA_RESTART: EINTR, nothing moved. */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(-EINTR, "blocked read, SIGUSR1 without SA_RESTART", b.ret, b.err);
	TR_EXPECT(ktest_signals == 1);
	TR_CALL(0, lseek(fd, 0, SEEK_CUR));
	expect_info(fd, 0, CAP);

	/* With SA_RESTART: the read starts again and gets the data written later. */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, true));
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	end = ktest_ms() + 5000;
	while (ktest_signals < 2 && ktest_ms() < end)
		usleep(1000);
	TR_EXPECT(ktest_signals == 2);
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(7, write(w, "restart", 7));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(7, "blocked read, SIGUSR1 with SA_RESTART", b.ret, b.err);
	expect_bytes("restarted read", rbuf, "restart", 8);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(w));
}

static void close_while_reading(void)
{
	char rbuf[32];
	int fd = dev_open(O_RDWR), w = dev_open(O_RDWR), fd3;
	struct rd r = { fd, rbuf, sizeof(rbuf) };
	struct ktest_bg b;

	ASSERT_TRUE(fd >= 0 && w >= 0);
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, close(fd));
	TR_CALL(-EBADF, read(fd, rbuf, 1));
	usleep(100000);
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(11, write(w, "after close", 11));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(11, "read blocked on a closed fd, then a write", b.ret, b.err);
	expect_bytes("read after close", rbuf, "after close", 12);

	/* The same, woken by a signal instead. */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	fd3 = dev_open(O_RDWR);
	ASSERT_TRUE(fd3 >= 0);
	TR_CALL(11, lseek(fd3, 11, SEEK_SET));
	r.fd = fd3;
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, close(fd3));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(-EINTR, "read blocked on a closed fd, then a signal", b.ret, b.err);
	expect_info(w, 11, CAP);
	TR_CALL(0, close(w));
}

static void unload_while_open(void)
{
	char sys[128], rbuf[8];
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR);
	struct rd r = { fd2, rbuf, sizeof(rbuf) };
	struct ktest_bg b;

	ASSERT_TRUE(fd >= 0 && fd2 >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	/* delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK (== EAGAIN). */
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, access(sys, F_OK));
	TR_CALL(3, write(fd, "abc", 3));
	TR_CALL(3, lseek(fd2, 3, SEEK_SET));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &r));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(1, write(fd, "d", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(1, "read blocked during an unload attempt", b.ret, b.err);
	TR_CALL(0, close(fd));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, close(fd2));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
	TR_CALL(-ENOENT, open(ktest_dev, O_RDWR));
}

static void as_nobody(void *arg)
{
	int inherited = *(int *)arg, fd;
	char buf[8];

	ASSERT_EQ(0, ktest_become_nobody());
	fd = dev_open(O_RDWR);
	TR_EXPECT(fd >= 0);
	if (fd < 0)
		return;
	TR_CALL(4, read(fd, buf, 4));
	expect_bytes("read by nobody", buf, "root", 4);
	TR_CALL(3, write(fd, "bob", 3));
	expect_info(fd, 7, CAP);
	TR_CALL(-EPERM, resize(fd, 100));
	TR_CALL(-EPERM, resize(fd, 0));
	TR_CALL(-EPERM, resize_at(fd, big, 0, 1, 100));
	TR_CALL(-EPERM, resize_at(fd, big, 5000, 2, 100));
	TR_CALL(-EPERM, ioctl(fd, ECHO_IOC_RESIZE, NULL));
	TR_CALL(-EPERM, ioctl(fd, ECHO_IOC_RESIZE, KTEST_KERNEL_ADDR));
	TR_CALL(-EPERM, resize(inherited, 100));	/* opened by root: the caller counts */
	TR_CALL(-ENOTTY, ioctl(fd, _IO('e', 3), NULL));
	TR_CALL(0, close(fd));
}

static void unprivileged(void)
{
	struct stat st;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, stat(ktest_dev, &st));
	tr_printf("mode %o uid %u gid %u", st.st_mode, st.st_uid, st.st_gid);
	TR_EXPECT(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0666 && st.st_uid == 0);
	TR_CALL(4, write(fd, "root", 4));
	TR_EXPECT(ktest_in_child(as_nobody, &fd) == 0);
	expect_info(fd, 7, CAP);
	TR_CALL(0, resize(fd, 100));		/* and root may */
	expect_info(fd, 7, 100);
	TR_CALL(0, close(fd));
}

#define HAMMER_THREADS 4
#define HAMMER_ITERS 4000

struct hammer {
	const char *dev;
	unsigned int seed;
	int bad;
	char why[160];
	pthread_t thread;
};

static unsigned int rnd(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *hammer_main(void *arg)
{
	static const unsigned long long caps[] = { 512, 1024, CAP, 8192 };
	struct hammer *h = arg;
	unsigned char buf[512];
	int fd = open(h->dev, O_RDWR | O_NONBLOCK | O_CLOEXEC), i;

	memset(buf, 'h', sizeof(buf));
	for (i = 0; i < HAMMER_ITERS && !h->bad && fd >= 0; i++) {
		unsigned int op = rnd(&h->seed) % 9, n = rnd(&h->seed) % 300;
		long long off = rnd(&h->seed) % 9000;
		struct echo_info info = { .size = sizeof(info) };
		long long r;

		errno = 0;
		switch (op) {
		case 0:
			r = write(fd, buf, n + 1);
			if (!(r > 0 && r <= n + 1) && !(r == -1 && errno == ENOSPC))
				h->bad = snprintf(h->why, sizeof(h->why), "write %u -> %lld %s", n + 1, r,
						  ktest_errname(errno));
			break;
		case 1:
			r = read(fd, buf, n);
			if (!(r > 0 && r <= n) && !(n == 0 && r == 0) && !(r == -1 && errno == EAGAIN))
				h->bad = snprintf(h->why, sizeof(h->why), "read %u -> %lld %s", n, r,
						  ktest_errname(errno));
			break;
		case 2:
			r = lseek(fd, off, SEEK_SET);
			if (r != off && !(r == -1 && errno == EINVAL && off > 512))
				h->bad = snprintf(h->why, sizeof(h->why), "lseek %lld -> %lld %s", off, r,
						  ktest_errname(errno));
			break;
		case 3:
			r = ioctl(fd, ECHO_IOC_INFO, &info);
			if (r || info.size != 24 || info.version != 1 || info.len > info.cap ||
			    (info.cap != 512 && info.cap != 1024 && info.cap != CAP && info.cap != 8192))
				h->bad = snprintf(h->why, sizeof(h->why), "info -> %lld %s len %llu cap %llu",
						  r, ktest_errname(errno), (unsigned long long)info.len,
						  (unsigned long long)info.cap);
			break;
		case 4:
			r = resize(fd, caps[n % 4]);
			if (r)
				h->bad = snprintf(h->why, sizeof(h->why), "resize -> %lld %s", r,
						  ktest_errname(errno));
			break;
		case 5:
			r = poll_revents(fd, POLL_ALL, 0);
			if (r < 0 || (r & ~(P_IN | P_OUT)))
				h->bad = snprintf(h->why, sizeof(h->why), "poll -> %lld %s", r,
						  ktest_errname(errno));
			break;
		case 6:
			r = pwrite(fd, buf, n + 1, off);
			if (!(r > 0 && r <= n + 1) && !(r == -1 && errno == ENOSPC && off >= 512))
				h->bad = snprintf(h->why, sizeof(h->why), "pwrite %u at %lld -> %lld %s", n + 1,
						  off, r, ktest_errname(errno));
			break;
		case 7:
			r = pread(fd, buf, n + 1, off);
			if (!(r > 0 && r <= n + 1) && !(r == -1 && errno == EAGAIN))
				h->bad = snprintf(h->why, sizeof(h->why), "pread %u at %lld -> %lld %s", n + 1,
						  off, r, ktest_errname(errno));
			break;
		default:
			close(fd);
			fd = open(h->dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			break;
		}
	}
	if (fd < 0 && !h->bad)
		h->bad = snprintf(h->why, sizeof(h->why), "open: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void hammer(void)
{
	struct hammer h[HAMMER_THREADS];
	char buf[16];
	int i, fd, bad = 0;

	for (i = 0; i < HAMMER_THREADS; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].dev = ktest_dev;
		h[i].seed = 0x9e3779b9u * (i + 1);
		ASSERT_EQ(0, pthread_create(&h[i].thread, NULL, hammer_main, &h[i]));
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		pthread_join(h[i].thread, NULL);
		if (h[i].bad) {
			printf("# %s: thread %d: %s\n", ktest_twin, i, h[i].why);
			bad++;
		}
	}
	tr_printf("%d threads x %d operations", HAMMER_THREADS, HAMMER_ITERS);
	TR_EXPECT(bad == 0);
	/* The device still works. */
	fd = dev_open(O_RDWR);
	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, resize(fd, CAP));
	TR_CALL(0, resize(fd, 1));
	TR_CALL(0, resize(fd, CAP));
	expect_info(fd, 1, CAP);
	TR_CALL(1, lseek(fd, 1, SEEK_SET));
	TR_CALL(11, write(fd, "still works", 11));
	TR_CALL(11, pread(fd, buf, sizeof(buf), 1));
	expect_bytes("after the hammering", buf, "still works", 11);
	TR_CALL(0, close(fd));
}

TEST(read_write_lseek_round_trip) { ktest_twins(twins, round_trip); }
TEST(gap_and_dropped_bytes_read_as_zeros) { ktest_twins(twins, gap); }
TEST(nonblocking_read_and_zero_lengths) { ktest_twins(twins, nonblocking_and_zero_lengths); }
TEST(blocking_read_woken_by_writers) { ktest_twins(twins, blocking_read); }
TEST(poll_in_and_out) { ktest_twins(twins, poll_in_out); }
TEST(huge_counts_and_bad_buffers) { ktest_twins(twins, bad_buffers); }
TEST(faults_after_the_first_byte_are_short_copies) { ktest_twins(twins, short_copies); }
TEST(ioctl_info_sizes_and_faults) { ktest_twins(twins, info_sizes); }
TEST(ioctl_resize) { ktest_twins(twins, resizes); }
TEST(unknown_ioctls_are_enotty) { ktest_twins(twins, unknown_ioctls); }
TEST(signal_interrupts_or_restarts_a_blocking_read) { ktest_twins(twins, signals); }
TEST(close_while_another_thread_reads) { ktest_twins(twins, close_while_reading); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }
TEST(unprivileged_caller) { ktest_twins(twins, unprivileged); }
TEST(four_threads_hammer_one_device) { ktest_twins(twins, hammer); }

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_echo", NULL);
}

static int resize_to(void *cap)
{
	struct echo_resize r = { .size = sizeof(r), .version = 1, .cap = *(__u64 *)cap };
	int fd = open("/dev/rust_echo", O_RDWR), ret, e;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, ECHO_IOC_RESIZE, &r);
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

TEST(every_allocation_of_open_and_resize_fails_cleanly)
{
	struct echo_info info = { .size = sizeof(info) };
	__u64 big = 65536, small = ECHO_DEFAULT_CAP;
	int fd, opens, resizes;

	ktest_need_module("rust_echo");
	ASSERT_EQ(0, load_module("rust_echo", NULL));
	opens = fail_nth_walk_op("rust_echo", open_close, "/dev/rust_echo");
	resizes = fail_nth_walk_op("rust_echo", resize_to, &big);
	/* The last, successful resize took effect; a failed one changed nothing. */
	fd = open("/dev/rust_echo", O_RDWR);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, ioctl(fd, ECHO_IOC_INFO, &info));
	close(fd);
	EXPECT_EQ(65536, info.cap);
	EXPECT_EQ(0, resize_to(&small));
	EXPECT_EQ(0, unload_module("rust_echo"));
	ASSERT_TRUE(opens >= 1 && resizes >= 1);
	printf("# rust_echo: open %d, resize %d allocation site(s), each failed with ENOMEM\n",
	       opens, resizes);
}

int main(void)
{
	return ktest_run();
}
