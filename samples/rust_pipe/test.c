// SPDX-License-Identifier: GPL-2.0
/*
 * rust_pipe test: every rule of pipe.h, run against rust_pipe and its C twin
 * c_pipe (ktest_twins(): load, run on /dev/NAME, unload); the two twins'
 * transcripts must be identical, errno by errno.
 */
#include "ktest.h"

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>

#include "pipe.h"

static const char *const twins[] = { "rust_pipe", "c_pipe", NULL };

#define CAP PIPE_CAP
#define P_IN (POLLIN | POLLRDNORM)
#define P_OUT (POLLOUT | POLLWRNORM)
#define POLL_ALL (P_IN | P_OUT | POLLPRI | POLLRDHUP)

/* Low in the address space (static binary): buf + 2^40 still passes access_ok. */
static unsigned char big[4 * KTEST_PAGE] __attribute__((aligned(KTEST_PAGE)));

static int dev_open(int flags)
{
	return open(ktest_dev, flags | O_CLOEXEC);
}

static void expect_info_(int line, int fd, unsigned len, unsigned readers, unsigned writers,
			 unsigned timeout_ms)
{
	struct pipe_info i;
	long r;
	int e;

	memset(&i, 0xa5, sizeof(i));
	errno = 0;
	r = ioctl(fd, PIPE_IOC_INFO, &i);
	e = errno;
	if (!ktest_tr_check(__FILE__, line, "ioctl(fd, PIPE_IOC_INFO, &info)", 0, r, e))
		return;
	tr_printf("info: len=%u cap=%u readers=%u writers=%u timeout=%u", i.len, i.cap, i.readers,
		  i.writers, i.timeout_ms);
	if (i.len != len || i.cap != CAP || i.readers != readers || i.writers != writers ||
	    i.timeout_ms != timeout_ms) {
		printf("# %s:%d: %s: info len=%u readers=%u writers=%u timeout=%u, expected %u %u %u %u\n",
		       __FILE__, line, ktest_twin, i.len, i.readers, i.writers, i.timeout_ms, len,
		       readers, writers, timeout_ms);
		ktest_failed = 1;
	}
}
#define expect_info(fd, len, r, w, t) expect_info_(__LINE__, fd, len, r, w, t)

static unsigned flushes(int fd)
{
	struct pipe_info i = { 0 };

	return ioctl(fd, PIPE_IOC_INFO, &i) ? ~0u : i.flushes;
}

static long set_timeout(int fd, __u32 ms)
{
	return ioctl(fd, PIPE_IOC_SET_TIMEOUT, &ms);
}

struct io {
	int fd;
	void *buf;
	size_t n;
};

static long long bg_read(void *p)
{
	struct io *r = p;

	return read(r->fd, r->buf, r->n);
}

static long long bg_write(void *p)
{
	struct io *w = p;

	return write(w->fd, w->buf, w->n);
}

/* ---- scenarios ---- */

static void stream_and_roles(void)
{
	char buf[64];
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY), rw;

	ASSERT_TRUE(r >= 0 && w >= 0);
	expect_info(r, 0, 1, 1, 0);
	TR_CALL(5, write(w, "hello", 5));
	/* stream_open: no position at all. */
	TR_CALL(-ESPIPE, pread(r, buf, 5, 0));
	TR_CALL(-ESPIPE, pwrite(w, "x", 1, 0));
	TR_CALL(-ESPIPE, lseek(r, 0, SEEK_CUR));
	TR_CALL(-ESPIPE, lseek(w, 0, SEEK_SET));
	/* Access modes: a reader cannot write, a writer cannot read (the VFS). */
	TR_CALL(-EBADF, write(r, "x", 1));
	TR_CALL(-EBADF, read(w, buf, 1));
	memset(buf, 0, sizeof(buf));
	TR_CALL(3, read(r, buf, 3));
	expect_bytes("first three", buf, "hel", 3);
	rw = dev_open(O_RDWR);
	ASSERT_TRUE(rw >= 0);
	expect_info(r, 2, 2, 2, 0);
	TR_CALL(2, read(rw, buf, sizeof(buf)));
	expect_bytes("the rest, FIFO order", buf, "lo", 2);
	TR_CALL(0, close(rw));
	expect_info(r, 0, 1, 1, 0);
	TR_CALL(3, write(w, "end", 3));
	TR_CALL(0, close(w));
	expect_info(r, 3, 1, 0, 0);
	/* No writer: what is left, then end of file (blocking or not). */
	TR_CALL(3, read(r, buf, sizeof(buf)));
	TR_CALL(0, read(r, buf, sizeof(buf)));
	TR_CALL(0, fcntl(r, F_SETFL, O_NONBLOCK));
	TR_CALL(0, read(r, buf, sizeof(buf)));
	TR_CALL(0, close(r));
	/* A writer without a reader: EPIPE (no SIGPIPE: the process goes on). */
	w = dev_open(O_WRONLY | O_NONBLOCK);
	ASSERT_TRUE(w >= 0);
	TR_CALL(-EPIPE, write(w, "x", 1));
	TR_CALL(0, write(w, "x", 0));
	expect_info(w, 0, 0, 1, 0);
	TR_CALL(0, close(w));
}

static void nonblocking_wrap_and_lengths(void)
{
	unsigned char *in = big, *out = big + 2 * KTEST_PAGE;
	int r = dev_open(O_RDONLY | O_NONBLOCK), w = dev_open(O_WRONLY | O_NONBLOCK), i, bad = 0;

	ASSERT_TRUE(r >= 0 && w >= 0);
	TR_CALL(-EAGAIN, read(r, out, 1));
	TR_CALL(0, read(r, out, 0));
	TR_CALL(0, read(r, NULL, 0));
	TR_CALL(0, write(w, NULL, 0));
	TR_CALL(0, write(w, ktest_hole(), 0));
	TR_CALL(-EFAULT, read(r, KTEST_KERNEL_ADDR, 0));
	for (i = 0; i < 2 * KTEST_PAGE; i++)
		in[i] = (unsigned char)(i * 7 + 1);
	/* A write larger than the room is short; a full pipe is EAGAIN. */
	TR_CALL(CAP, write(w, in, CAP + 100));
	TR_CALL(-EAGAIN, write(w, in, 1));
	expect_info(r, CAP, 1, 1, 0);
	TR_CALL(1000, read(r, out, 1000));
	TR_CALL(1000, write(w, in + CAP, 5000));	/* wraps around the end */
	TR_CALL(CAP, read(r, out + 1000, CAP + 100));	/* across the wrap */
	for (i = 0; i < CAP + 1000; i++)
		bad += out[i] != in[i];
	TR_EXPECT(bad == 0);
	/* Huge lengths: as much as there is (or room), nothing more. */
	TR_CALL(10, write(w, in, 10));
	TR_CALL(10, raw_read(r, out, (size_t)1 << 40));
	TR_CALL(CAP, raw_write(w, in, (size_t)1 << 40));
	TR_CALL(-EFAULT, raw_read(r, out, SIZE_MAX));
	TR_CALL(-EFAULT, raw_write(w, in, SIZE_MAX));
	expect_info(r, CAP, 1, 1, 0);
	TR_CALL(0, close(r));
	TR_CALL(0, close(w));
}

static void bad_buffers(void)
{
	char *page = ktest_page_before_hole(), buf[16];
	int r = dev_open(O_RDONLY | O_NONBLOCK), w = dev_open(O_WRONLY | O_NONBLOCK);
	long long n, m;

	ASSERT_TRUE(page && r >= 0 && w >= 0);
	TR_CALL(-EFAULT, raw_write(w, NULL, 10));
	TR_CALL(-EFAULT, write(w, KTEST_KERNEL_ADDR, 10));
	TR_CALL(-EFAULT, write(w, page + KTEST_PAGE, 10));
	expect_info(r, 0, 1, 1, 0);
	/* A fault after the first byte: a short write (n bytes, "abcd" on x86). */
	memcpy(page + KTEST_PAGE - 4, "abcd", 4);
	n = TR_SHORT(4, write(w, page + KTEST_PAGE - 4, 10));
	/* A fault on the first byte of a read takes nothing... */
	TR_CALL(-EFAULT, raw_read(r, NULL, 4));
	TR_CALL(-EFAULT, read(r, KTEST_KERNEL_ADDR, 4));
	expect_info(r, n, 1, 1, 0);
	/* ...after some, a short read (where n > 2): the rest stays. */
	m = n > 2 ? TR_SHORT(2, read(r, page + KTEST_PAGE - 2, 4)) :
		    TR_CALL(n, read(r, page + KTEST_PAGE - 2, 4));
	expect_bytes("short read", page + KTEST_PAGE - 2, "ab", m);
	TR_CALL(n > m ? n - m : -EAGAIN, read(r, buf, sizeof(buf)));
	expect_bytes("the rest", buf, "abcd" + m, n - m);
	/* ioctl arguments. */
	TR_CALL(-EFAULT, ioctl(r, PIPE_IOC_INFO, NULL));
	TR_CALL(-EFAULT, ioctl(r, PIPE_IOC_INFO, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(r, PIPE_IOC_SET_TIMEOUT, NULL));
	TR_CALL(-EFAULT, ioctl(r, PIPE_IOC_SET_TIMEOUT, page + KTEST_PAGE));
	TR_CALL(-EINVAL, set_timeout(r, PIPE_MAX_TIMEOUT_MS + 1));
	TR_CALL(-EINVAL, set_timeout(r, UINT32_MAX));
	TR_CALL(0, set_timeout(r, PIPE_MAX_TIMEOUT_MS));
	expect_info(r, 0, 1, 1, PIPE_MAX_TIMEOUT_MS);
	TR_CALL(0, set_timeout(r, 0));
	TR_CALL(0, close(r));
	TR_CALL(0, close(w));
}

static void unknown_ioctls(void)
{
	static const unsigned long cmds[] = {
		0, _IO('p', 0), _IO('p', 1), _IO('p', 2), _IO('p', 4), _IOR('p', 3, __u32),
		_IOR('p', 1, char[16]), _IOW('p', 1, struct pipe_info),
		_IOWR('p', 1, struct pipe_info), _IOR('p', 2, __u32), _IOW('p', 2, __u64),
		_IOR('q', 1, struct pipe_info), TCGETS, FIONREAD, 0xffffffffu,
	};
	int fd = dev_open(O_RDWR);
	char label[96];
	size_t k;

	ASSERT_TRUE(fd >= 0);
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		memset(big, 0, 64);
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, buf)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], big));
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, NULL)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], NULL));
	}
	expect_info(fd, 0, 1, 1, 0);
	TR_CALL(0, close(fd));
}

static void blocking_read(void)
{
	char rbuf[100];
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY), w2 = dev_open(O_WRONLY);
	struct io io = { r, rbuf, sizeof(rbuf) };
	struct ktest_bg b;

	ASSERT_TRUE(r >= 0 && w >= 0 && w2 >= 0);
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &io));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(7, write(w, "wake up", 7));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(7, "blocked read(r, buf, 100)", b.ret, b.err);
	expect_bytes("woken reader", rbuf, "wake up", 8);
	/* The last writer's close ends the wait: end of file. */
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &io));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, close(w));
	usleep(100000);
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));	/* w2 still writes */
	TR_CALL(0, close(w2));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(0, "blocked read, last writer closed", b.ret, b.err);
	TR_CALL(0, close(r));
}

static void read_timeout(void)
{
	char rbuf[16];
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY);
	struct io io = { r, rbuf, sizeof(rbuf) };
	struct ktest_bg b;
	long long t0, dt;

	ASSERT_TRUE(r >= 0 && w >= 0);
	TR_CALL(0, set_timeout(w, 200));
	expect_info(r, 0, 1, 1, 200);
	t0 = ktest_ms();
	TR_CALL(-ETIMEDOUT, read(r, rbuf, sizeof(rbuf)));
	dt = ktest_ms() - t0;
	tr_printf("timed out after 200 ms or more: %s", dt >= 190 ? "yes" : "NO");
	TR_EXPECT(dt >= 190 && dt < 3000);
	/* O_NONBLOCK still answers at once; data before the timeout ends it. */
	TR_CALL(0, set_timeout(w, 5000));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &io));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(2, write(w, "ok", 2));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(2, "timed read woken by a write", b.ret, b.err);
	/* A signal during a timed wait: EINTR. */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &io));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(-EINTR, "timed read, SIGUSR1", b.ret, b.err);
	TR_CALL(0, set_timeout(w, 0));
	TR_CALL(0, close(r));
	TR_CALL(0, close(w));
}

static void writers_one_at_a_time(void)
{
	char rbuf[200];
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY);
	struct io io = { w, big, 100 };
	struct ktest_bg b1, b2;
	int done;

	ASSERT_TRUE(r >= 0 && w >= 0);
	TR_CALL(CAP, write(w, big, CAP));
	ASSERT_EQ(0, ktest_bg_start(&b1, bg_write, &io));
	ASSERT_EQ(0, ktest_bg_start(&b2, bg_write, &io));
	TR_EXPECT(ktest_bg_sleeping(&b1, SYS_write, 5000));
	TR_EXPECT(ktest_bg_sleeping(&b2, SYS_write, 5000));
	/* Room for one: one writer woken (notify_one), the other sleeps on. */
	TR_CALL(100, read(r, rbuf, 100));
	usleep(200000);
	done = ktest_bg_done(&b1) + ktest_bg_done(&b2);
	tr_printf("writers done after one read: %d", done);
	TR_EXPECT(done == 1);
	expect_info(r, CAP, 1, 1, 0);
	TR_CALL(100, read(r, rbuf, 100));
	TR_EXPECT(ktest_bg_join(&b1, 5000));
	TR_EXPECT(ktest_bg_join(&b2, 5000));
	TR_CHECK(100, "writer 1", b1.ret, b1.err);
	TR_CHECK(100, "writer 2", b2.ret, b2.err);
	/* The last reader's close: a blocked writer gets EPIPE. */
	ASSERT_EQ(0, ktest_bg_start(&b1, bg_write, &io));
	TR_EXPECT(ktest_bg_sleeping(&b1, SYS_write, 5000));
	TR_CALL(0, close(r));
	TR_EXPECT(ktest_bg_join(&b1, 5000));
	TR_CHECK(-EPIPE, "blocked write, last reader closed", b1.ret, b1.err);
	/* A signal: EINTR. */
	r = dev_open(O_RDONLY);
	ASSERT_TRUE(r >= 0);
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	ASSERT_EQ(0, ktest_bg_start(&b1, bg_write, &io));
	TR_EXPECT(ktest_bg_sleeping(&b1, SYS_write, 5000));
	TR_CALL(0, pthread_kill(b1.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b1, 5000));
	TR_CHECK(-EINTR, "blocked write, SIGUSR1", b1.ret, b1.err);
	expect_info(r, CAP, 1, 1, 0);
	TR_CALL(0, close(r));
	TR_CALL(0, close(w));
}

static void poll_hup_err(void)
{
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY), rw = dev_open(O_RDWR);
	struct pl q = { .fd = r, .events = P_IN, .timeout = 10000 };
	struct ktest_bg b;

	ASSERT_TRUE(r >= 0 && w >= 0 && rw >= 0);
	TR_CALL(0, poll_revents(r, POLL_ALL, 0));
	TR_CALL(P_OUT, poll_revents(w, POLL_ALL, 0));
	TR_CALL(P_OUT, poll_revents(rw, POLL_ALL, 0));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_poll, &q));
	TR_EXPECT(ktest_bg_sleeping(&b, -1, 5000));
	TR_CALL(1, write(w, "x", 1));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(P_IN, "blocked poll(r, POLLIN)", b.ret, b.err);
	TR_CALL(P_IN | P_OUT, poll_revents(rw, POLL_ALL, 0));
	TR_CALL(CAP - 1, write(w, big, CAP));
	TR_CALL(0, poll_revents(w, POLL_ALL, 0));
	TR_CALL(P_IN, poll_revents(rw, POLL_ALL, 0));
	/* Writers gone (rw is one): no HUP while rw is open. */
	TR_CALL(0, close(w));
	TR_CALL(P_IN, poll_revents(r, POLL_ALL, 0));
	TR_CALL(0, close(rw));
	/* No writer: HUP always, RDHUP when asked, IN while data remains. */
	TR_CALL(P_IN | POLLHUP | POLLRDHUP, poll_revents(r, POLL_ALL, 0));
	TR_CALL(POLLHUP, poll_revents(r, POLLOUT, 0));
	TR_CALL(CAP, read(r, big, CAP));
	TR_CALL(POLLHUP | POLLRDHUP, poll_revents(r, POLL_ALL, 0));
	/* A poller woken by the last writer's close. */
	w = dev_open(O_WRONLY);
	ASSERT_TRUE(w >= 0);
	q.events = POLLRDHUP;
	ASSERT_EQ(0, ktest_bg_start(&b, bg_poll, &q));
	TR_EXPECT(ktest_bg_sleeping(&b, -1, 5000));
	TR_CALL(0, close(w));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(POLLHUP | POLLRDHUP, "blocked poll(r, POLLRDHUP), writer closed", b.ret, b.err);
	/* No reader: a writer polls ERR (and OUT: a write would not block). */
	w = dev_open(O_WRONLY);
	ASSERT_TRUE(w >= 0);
	TR_CALL(0, close(r));
	TR_CALL(P_OUT | POLLERR, poll_revents(w, POLL_ALL, 0));
	TR_CALL(POLLERR, poll_revents(w, POLLIN, 0));
	TR_CALL(0, close(w));
}

static void sigio(void)
{
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY), on = 1;
	char buf[8];

	ASSERT_TRUE(r >= 0 && w >= 0);
	ASSERT_EQ(0, ktest_catch(SIGIO, true));
	TR_CALL(0, fcntl(r, F_SETOWN, getpid()));
	TR_CALL(0, fcntl(r, F_SETFL, O_ASYNC));
	TR_CALL(1, write(w, "a", 1));
	usleep(50000);
	tr_printf("SIGIO after a write: %d", (int)ktest_signals);
	TR_EXPECT(ktest_signals == 1);
	TR_CALL(1, read(r, buf, 1));
	usleep(50000);
	tr_printf("SIGIO after a read: %d", (int)ktest_signals);
	TR_EXPECT(ktest_signals == 2);
	/* Off: no more. FIOASYNC on again, on the writer too. */
	TR_CALL(0, fcntl(r, F_SETFL, 0));
	TR_CALL(1, write(w, "b", 1));
	usleep(50000);
	TR_EXPECT(ktest_signals == 2);
	TR_CALL(0, fcntl(w, F_SETOWN, getpid()));
	TR_CALL(0, ioctl(w, FIOASYNC, &on));
	TR_CALL(0, ioctl(r, FIOASYNC, &on));
	TR_CALL(1, write(w, "c", 1));
	usleep(50000);
	/* Both sent in the write, to this process: one pending SIGIO (not queued). */
	tr_printf("SIGIO with two async files: %d", (int)ktest_signals);
	TR_EXPECT(ktest_signals == 3);
	/* Closed while async: off the queue (a later signal would touch a freed file). */
	TR_CALL(0, close(w));
	w = dev_open(O_WRONLY);
	ASSERT_TRUE(w >= 0);
	TR_CALL(1, write(w, "d", 1));
	usleep(50000);
	TR_EXPECT(ktest_signals == 4);
	TR_CALL(0, close(r));
	r = dev_open(O_RDONLY);
	ASSERT_TRUE(r >= 0);
	TR_CALL(3, read(r, buf, sizeof(buf)));
	TR_CALL(1, write(w, "e", 1));
	usleep(50000);
	TR_EXPECT(ktest_signals == 4);
	TR_CALL(0, close(r));
	TR_CALL(0, close(w));
}

static void flush_per_close(void)
{
	int r = dev_open(O_RDONLY), d;
	unsigned f0;

	ASSERT_TRUE(r >= 0);
	f0 = flushes(r);
	d = dup(r);
	ASSERT_TRUE(d >= 0);
	TR_CALL(0, close(d));
	TR_EXPECT(flushes(r) == f0 + 1);
	expect_info(r, 0, 1, 0, 0);	/* still a reader: the file is open */
	d = dup(r);
	TR_CALL(0, close(r));
	TR_EXPECT(flushes(d) == f0 + 2);
	expect_info(d, 0, 1, 0, 0);
	TR_CALL(0, close(d));
	d = dev_open(O_WRONLY);
	ASSERT_TRUE(d >= 0);
	expect_info(d, 0, 0, 1, 0);	/* the last close ended the reader */
	TR_EXPECT(flushes(d) == f0 + 3);
	TR_CALL(0, close(d));
}

static void unload_while_open(void)
{
	char sys[128], rbuf[8];
	int r = dev_open(O_RDONLY), w = dev_open(O_WRONLY);
	struct io io = { r, rbuf, sizeof(rbuf) };
	struct ktest_bg b;

	ASSERT_TRUE(r >= 0 && w >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_read, &io));
	TR_EXPECT(ktest_bg_sleeping(&b, SYS_read, 5000));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(3, write(w, "abc", 3));
	TR_EXPECT(ktest_bg_join(&b, 5000));
	TR_CHECK(3, "read blocked during an unload attempt", b.ret, b.err);
	TR_CALL(0, close(w));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, close(r));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
	TR_CALL(-ENOENT, open(ktest_dev, O_RDWR));
}

/* Two writers of 'A' and 'B', two readers, until end of file. */
#define STREAM_BYTES 50000
struct side {
	pthread_t thread;
	int fd;
	unsigned char tag;
	long long moved, a, b, errors;
};

static void *writer_main(void *p)
{
	struct side *s = p;
	unsigned char buf[777];

	memset(buf, s->tag, sizeof(buf));
	while (s->moved < STREAM_BYTES) {
		long long n = STREAM_BYTES - s->moved, k;

		k = write(s->fd, buf, n < (long long)sizeof(buf) ? n : (long long)sizeof(buf));
		if (k <= 0) {
			s->errors++;
			break;
		}
		s->moved += k;
	}
	close(s->fd);
	return NULL;
}

static void *reader_main(void *p)
{
	struct side *s = p;
	unsigned char buf[1000];
	long long k, i;

	while ((k = read(s->fd, buf, sizeof(buf))) != 0) {
		if (k < 0) {
			s->errors++;
			break;
		}
		for (i = 0; i < k; i++) {
			s->a += buf[i] == 'A';
			s->b += buf[i] == 'B';
		}
		s->moved += k;
	}
	return NULL;
}

static void concurrent(void)
{
	struct side s[4];
	long long a = 0, b = 0, errors = 0;
	int i;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 4; i++) {
		s[i].fd = dev_open(i < 2 ? O_RDONLY : O_WRONLY);
		s[i].tag = i == 2 ? 'A' : 'B';
		ASSERT_TRUE(s[i].fd >= 0);
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, i < 2 ? reader_main : writer_main,
					    &s[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(s[i].thread, NULL);
		errors += s[i].errors;
		a += s[i].a;
		b += s[i].b;
	}
	tr_printf("read %lld A and %lld B, %lld errors", a, b, errors);
	TR_EXPECT(a == STREAM_BYTES && b == STREAM_BYTES && errors == 0);
	expect_info(s[0].fd, 0, 2, 0, 0);
	TR_CALL(0, close(s[0].fd));
	TR_CALL(0, close(s[1].fd));
}

static void expect_stats_(int line, const char *what, const volatile struct pipe_stats *s,
			  unsigned long long gen, unsigned long long w, unsigned long long r)
{
	tr_printf("%s: generation=%llu written=%llu read=%llu", what,
		  (unsigned long long)s->generation, (unsigned long long)s->bytes_written,
		  (unsigned long long)s->bytes_read);
	if (s->generation != gen || s->bytes_written != w || s->bytes_read != r) {
		printf("# %s:%d: %s: %s: expected %llu %llu %llu\n", __FILE__, line, ktest_twin, what,
		       gen, w, r);
		ktest_failed = 1;
	}
}
#define expect_stats(what, s, gen, w, r) expect_stats_(__LINE__, what, s, gen, w, r)

/* mmap of the statistics page: 0 (the mapping in *at) or -1 with errno. */
static long long map_stats(int fd, size_t len, int prot, int flags, off_t off, void **at)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	if (at)
		*at = p;
	else
		munmap(p, len);
	return 0;
}

static void mmap_stats(void)
{
	int fd = dev_open(O_RDWR), status = -1;
	struct pipe_stats *old, *cur;
	char sys[128], buf[8];
	void *m = NULL;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	/* Refused mappings. */
	TR_CALL(-EPERM, map_stats(fd, PIPE_STATS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0, NULL));
	TR_CALL(-EPERM, map_stats(fd, PIPE_STATS_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, NULL));
	TR_CALL(-EINVAL, map_stats(fd, 2 * PIPE_STATS_SIZE, PROT_READ, MAP_SHARED, 0, NULL));
	TR_CALL(-EINVAL, map_stats(fd, PIPE_STATS_SIZE, PROT_READ, MAP_SHARED, PIPE_STATS_SIZE, NULL));
	TR_CALL(0, map_stats(fd, 100, PROT_READ, MAP_SHARED, 0, NULL));	/* part of the page */
	/* The page follows every read and write. */
	TR_CALL(0, map_stats(fd, PIPE_STATS_SIZE, PROT_READ, MAP_SHARED, 0, &m));
	ASSERT_TRUE(m != NULL);
	old = m;
	expect_stats("fresh", old, 1, 0, 0);
	TR_CALL(5, write(fd, "hello", 5));
	TR_CALL(3, read(fd, buf, 3));
	expect_stats("after write 5, read 3", old, 1, 5, 3);
	TR_CALL(-EACCES, mprotect(old, PIPE_STATS_SIZE, PROT_READ | PROT_WRITE));
	/* A child's copy of the mapping (the VMA's open) sees it too. */
	pid = fork();
	if (pid == 0)
		_exit(old->bytes_written == 5 ? 0 : 1);
	TR_EXPECT(waitpid(pid, &status, 0) == pid);
	TR_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* A new page: the old mapping keeps the old one, no longer updated. */
	TR_CALL(0, ioctl(fd, PIPE_IOC_NEW_STATS));
	m = NULL;
	TR_CALL(0, map_stats(fd, PIPE_STATS_SIZE, PROT_READ, MAP_PRIVATE, 0, &m));
	ASSERT_TRUE(m != NULL);
	cur = m;
	TR_CALL(2, read(fd, buf, sizeof(buf)));
	expect_stats("new page", cur, 2, 0, 2);
	expect_stats("old page, dropped by the driver", old, 1, 5, 3);
	/* Close the file: the mappings stay, and hold the module. */
	TR_CALL(0, close(fd));
	expect_stats("old page after close", old, 1, 5, 3);
	TR_CALL(0, munmap(old, PIPE_STATS_SIZE));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, access(sys, F_OK));
	expect_stats("new page after close and an unload attempt", cur, 2, 0, 2);
	TR_CALL(0, munmap(cur, PIPE_STATS_SIZE));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
}

TEST(stream_open_and_reader_writer_roles) { ktest_twins(twins, stream_and_roles); }
TEST(nonblocking_wraparound_and_lengths) { ktest_twins(twins, nonblocking_wrap_and_lengths); }
TEST(bad_buffers_and_ioctl_arguments) { ktest_twins(twins, bad_buffers); }
TEST(unknown_ioctls_are_enotty) { ktest_twins(twins, unknown_ioctls); }
TEST(blocking_read_woken_by_write_and_last_close) { ktest_twins(twins, blocking_read); }
TEST(read_timeout) { ktest_twins(twins, read_timeout); }
TEST(blocked_writers_woken_one_at_a_time) { ktest_twins(twins, writers_one_at_a_time); }
TEST(poll_in_out_hup_rdhup_err) { ktest_twins(twins, poll_hup_err); }
TEST(sigio_on_data_and_room) { ktest_twins(twins, sigio); }
TEST(flush_at_every_close) { ktest_twins(twins, flush_per_close); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }
TEST(two_readers_two_writers_until_eof) { ktest_twins(twins, concurrent); }
TEST(mmap_stats_page_outlives_driver_and_file) { ktest_twins(twins, mmap_stats); }

int main(void)
{
	return ktest_run();
}
