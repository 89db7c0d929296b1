// SPDX-License-Identifier: GPL-2.0
/*
 * rust_sync test: every rule of sync.h, run against rust_sync and its C twin
 * c_sync. Each scenario runs once per twin (ktest_twins(): load, run on
 * /dev/NAME, unload); the results must be the ones sync.h specifies, and the
 * twins' transcripts must be identical.
 */
#include "ktest.h"

#include <sys/ioctl.h>

#include "sync.h"

static const char *const twins[] = { "rust_sync", "c_sync", NULL };

#define THREADS 4
#define ITERATIONS 20000
#define MAX_ITERATIONS 1000000

_Static_assert(sizeof(struct sync_run) == 8, "sync.h: an 8-byte struct sync_run");
_Static_assert(sizeof(struct sync_stats) == 56, "sync.h: a 56-byte struct sync_stats");

static unsigned char big[2 * KTEST_PAGE] __attribute__((aligned(KTEST_PAGE)));

static int dev_open(int flags)
{
	return open(ktest_dev, flags | O_CLOEXEC);
}

static long run(int fd, __u32 version, __u32 iterations)
{
	struct sync_run r = { .version = version, .iterations = iterations };

	return ioctl(fd, SYNC_IOC_RUN, &r);
}

static int get_stats(int fd, struct sync_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	return ioctl(fd, SYNC_IOC_STATS, st);
}

static const char *fmt_stats(const struct sync_stats *st)
{
	static char buf[200];

	snprintf(buf, sizeof(buf), "mutex=%llu spin=%llu irq=%llu arc_gets=%llu refs=%llu violations=%llu runs=%llu",
		  (unsigned long long)st->mutex_count, (unsigned long long)st->spin_count,
		  (unsigned long long)st->irq_count, (unsigned long long)st->arc_gets,
		  (unsigned long long)st->refs, (unsigned long long)st->violations,
		  (unsigned long long)st->runs);
	return buf;
}

static void show(const char *what, const struct sync_stats *st)
{
	tr_printf("%s: %s", what, fmt_stats(st));
}

/*
 * Every counter is `rounds`, refs 1, no violation, `runs` runs. The values go
 * into the transcript unless they depend on timing (`timed`).
 */
static void expect_stats_(int line, int fd, unsigned long long rounds, unsigned long long runs,
			  bool timed)
{
	struct sync_stats st;
	long r;
	int e;

	errno = 0;
	r = get_stats(fd, &st);
	e = errno;
	if (!ktest_tr_check(__FILE__, line, "ioctl(fd, SYNC_IOC_STATS, &st)", 0, r, e))
		return;
	if (timed)
		tr_printf("stats: every counter at the rounds counted so far, refs 1, no violation");
	else
		show("stats", &st);
	if (st.mutex_count != rounds || st.spin_count != rounds || st.irq_count != rounds ||
	    st.arc_gets != rounds || st.refs != 1 || st.violations != 0 || st.runs != runs) {
		printf("# %s:%d: %s: stats mutex=%llu spin=%llu irq=%llu arc_gets=%llu refs=%llu "
		       "violations=%llu runs=%llu, expected %llu x4, refs 1, violations 0, runs %llu\n",
		       __FILE__, line, ktest_twin, (unsigned long long)st.mutex_count,
		       (unsigned long long)st.spin_count, (unsigned long long)st.irq_count,
		       (unsigned long long)st.arc_gets, (unsigned long long)st.refs,
		       (unsigned long long)st.violations, (unsigned long long)st.runs, rounds, runs);
		ktest_failed = 1;
	}
}
#define expect_stats(fd, rounds, runs) expect_stats_(__LINE__, fd, rounds, runs, false)

struct runner {
	int fd;
	__u32 iterations;
	pthread_barrier_t *start;
};

static long long bg_run(void *p)
{
	struct runner *r = p;

	if (r->start)
		pthread_barrier_wait(r->start);
	return run(r->fd, 1, r->iterations);
}

/* ---- scenarios ---- */

static void four_threads(void)
{
	struct ktest_bg b[THREADS];
	struct runner r[THREADS];
	pthread_barrier_t start;
	long long t0;
	int i, fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	expect_stats(fd, 0, 0);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, THREADS));
	for (i = 0; i < THREADS; i++) {
		r[i] = (struct runner){ .fd = dev_open(O_RDWR), .iterations = ITERATIONS, .start = &start };
		ASSERT_TRUE(r[i].fd >= 0);
	}
	t0 = ktest_ms();
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, ktest_bg_start(&b[i], bg_run, &r[i]));
	for (i = 0; i < THREADS; i++) {
		char label[64];

		TR_EXPECT(ktest_bg_join(&b[i], 15000));
		snprintf(label, sizeof(label), "thread %d: SYNC_IOC_RUN %d iterations", i, ITERATIONS);
		TR_CHECK(0, label, b[i].ret, b[i].err);
	}
	printf("# %s: %d threads x %d rounds in %lld ms\n", ktest_twin, THREADS, ITERATIONS,
	       ktest_ms() - t0);
	expect_stats(fd, THREADS * ITERATIONS, THREADS);
	for (i = 0; i < THREADS; i++)
		TR_CALL(0, close(r[i].fd));
	TR_CALL(0, close(fd));
}

static void run_arguments(void)
{
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(-EINVAL, run(fd, 0, 1));
	TR_CALL(-EINVAL, run(fd, 2, 1));
	TR_CALL(-EINVAL, run(fd, ~0u, 1));
	TR_CALL(-EINVAL, run(fd, 1, MAX_ITERATIONS + 1));
	TR_CALL(-EINVAL, run(fd, 1, ~0u));
	TR_CALL(-EINVAL, run(fd, 2, MAX_ITERATIONS + 1));
	TR_CALL(-EINVAL, run(fd, 0, 0));
	expect_stats(fd, 0, 0);				/* refused runs are not runs */
	TR_CALL(0, run(fd, 1, 0));
	expect_stats(fd, 0, 1);
	TR_CALL(0, run(fd, 1, 1));
	expect_stats(fd, 1, 2);
	TR_CALL(0, run(fd, 1, 1000));
	expect_stats(fd, 1001, 3);
	TR_CALL(0, close(fd));
}

static void bad_pointers(void)
{
	int fd = dev_open(O_RDWR);
	char *p = ktest_page_before_hole();
	unsigned char *ro = ktest_page(PROT_READ | PROT_WRITE);
	struct sync_stats *st;
	struct sync_run *r;

	ASSERT_TRUE(fd >= 0 && p && ro);
	/* RUN copies the 8-byte struct in whole. */
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_RUN, NULL));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_RUN, ktest_page(PROT_NONE)));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_RUN, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_RUN, KTEST_KERNEL_ADDR));
	*(__u32 *)(p + KTEST_PAGE - 4) = 1;		/* version readable, iterations not */
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_RUN, p + KTEST_PAGE - 4));
	r = (struct sync_run *)(p + KTEST_PAGE - sizeof(*r));
	*r = (struct sync_run){ .version = 1, .iterations = 3 };
	TR_CALL(0, ioctl(fd, SYNC_IOC_RUN, r));		/* just fits */
	/* Read-only memory is fine for RUN. */
	*(struct sync_run *)ro = (struct sync_run){ .version = 1, .iterations = 2 };
	ASSERT_EQ(0, mprotect(ro, KTEST_PAGE, PROT_READ));
	TR_CALL(0, ioctl(fd, SYNC_IOC_RUN, ro));
	expect_stats(fd, 5, 2);
	/* STATS copies the 56-byte struct out in whole. */
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, NULL));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, ktest_page(PROT_NONE)));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, ktest_hole()));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, KTEST_KERNEL_ADDR));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, ro));
	TR_CALL(-EFAULT, ioctl(fd, SYNC_IOC_STATS, p + KTEST_PAGE - 48));
	st = (struct sync_stats *)(p + KTEST_PAGE - sizeof(*st));
	TR_CALL(0, ioctl(fd, SYNC_IOC_STATS, st));		/* just fits */
	show("stats at the end of a page", st);
	TR_EXPECT(st->mutex_count == 5 && st->runs == 2 && st->refs == 1);
	/* STATS writes 56 bytes, no more. */
	memset(big, 0xa5, sizeof(big));
	TR_CALL(0, ioctl(fd, SYNC_IOC_STATS, big));
	TR_EXPECT(big[56] == 0xa5 && big[KTEST_PAGE] == 0xa5);
	expect_stats(fd, 5, 2);
	TR_CALL(0, close(fd));
}

static void read_write_einval(void)
{
	char buf[16] = "abc";
	int fd = dev_open(O_RDWR), nb = dev_open(O_RDWR | O_NONBLOCK);

	ASSERT_TRUE(fd >= 0 && nb >= 0);
	TR_CALL(-EINVAL, read(fd, buf, sizeof(buf)));
	TR_CALL(-EINVAL, read(fd, buf, 0));
	TR_CALL(-EINVAL, read(nb, buf, 1));
	TR_CALL(-EINVAL, write(fd, buf, 3));
	TR_CALL(-EINVAL, write(fd, buf, 0));
	TR_CALL(-EINVAL, write(nb, buf, 1));
	TR_CALL(-EINVAL, pread(fd, buf, 1, 0));
	TR_CALL(-EINVAL, pwrite(fd, buf, 1, 0));
	/* No llseek: ESPIPE for every whence the VFS passes on, EINVAL above. */
	TR_LSEEK_NONE(fd);
	/* No poll: the kernel's default mask. */
	TR_CALL(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
		poll_revents(fd, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLPRI, 0));
	expect_stats(fd, 0, 0);
	TR_CALL(0, close(fd));
	TR_CALL(0, close(nb));
}

static void unknown_ioctls(void)
{
	static const unsigned long cmds[] = {
		0, _IO('y', 0), _IO('y', 1), _IO('y', 2), _IO('y', 3),
		_IOR('y', 1, struct sync_run), _IOWR('y', 1, struct sync_run), _IOW('y', 1, char[16]),
		_IOW('y', 1, char[4]), _IOW('y', 2, struct sync_stats), _IOWR('y', 2, struct sync_stats),
		_IOR('y', 2, char[48]), _IOR('y', 2, char[64]), _IOW('Y', 1, struct sync_run),
		_IOW('y', 0x81, struct sync_run), TCGETS, FIONREAD, 0xffffffffu,
	};
	int fd = dev_open(O_RDWR);
	char label[96];
	size_t k;

	ASSERT_TRUE(fd >= 0);
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		/* A valid RUN struct, so that a lax decoder would have run. */
		memset(big, 0, 64);
		*(struct sync_run *)big = (struct sync_run){ .version = 1, .iterations = 1 };
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, valid RUN struct)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], big));
		snprintf(label, sizeof(label), "ioctl(fd, %#lx, NULL)", cmds[k]);
		TR_CALL_AS(-ENOTTY, label, ioctl(fd, cmds[k], NULL));
	}
	expect_stats(fd, 0, 0);
	TR_CALL(0, close(fd));
}

/* Waits up to 5 s for a run in progress to take mutex_count past `after`. */
static bool wait_rounds(int fd, unsigned long long after)
{
	long long end = ktest_ms() + 5000;
	struct sync_stats st;

	while (ktest_ms() < end) {
		if (get_stats(fd, &st) == 0 && st.mutex_count > after)
			return true;
		usleep(1000);
	}
	return false;
}

static void interrupted_run(int fd, bool restart, unsigned long long runs_before,
			    unsigned long long *rounds)
{
	struct runner r = { .fd = fd, .iterations = MAX_ITERATIONS };
	struct ktest_bg b;
	struct sync_stats st;
	unsigned long long before = *rounds;

	ASSERT_EQ(0, ktest_catch(SIGUSR1, restart));
	ASSERT_EQ(0, ktest_bg_start(&b, bg_run, &r));
	TR_EXPECT(wait_rounds(fd, before));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 15000));
	TR_CHECK(-EINTR, restart ? "RUN 1000000, SIGUSR1 with SA_RESTART" :
		 "RUN 1000000, SIGUSR1 without SA_RESTART", b.ret, b.err);
	TR_CALL(0, get_stats(fd, &st));
	*rounds = st.mutex_count;
	printf("# %s: interrupted after %llu rounds: %s\n", ktest_twin, *rounds - before, fmt_stats(&st));
	/* The rounds done stay counted, every counter alike; the run counts. */
	TR_EXPECT(st.mutex_count > before && st.mutex_count < before + MAX_ITERATIONS);
	TR_EXPECT(st.spin_count == st.mutex_count && st.irq_count == st.mutex_count &&
		  st.arc_gets == st.mutex_count);
	TR_EXPECT(st.refs == 1 && st.violations == 0 && st.runs == runs_before + 1);
}

static void signals(void)
{
	int fd = dev_open(O_RDWR);
	unsigned long long rounds = 0;
	sigset_t set;

	ASSERT_TRUE(fd >= 0);
	interrupted_run(fd, false, 0, &rounds);
	TR_EXPECT(ktest_signals == 1);
	/* sync.h: EINTR, with or without SA_RESTART (no restart of the run). */
	interrupted_run(fd, true, 1, &rounds);
	TR_EXPECT(ktest_signals == 2);
	/* A blocked signal is not pending for the run: it completes. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &set, NULL));
	TR_CALL(0, raise(SIGUSR1));
	TR_CALL(0, run(fd, 1, 100));
	TR_EXPECT(ktest_signals == 2);
	ASSERT_EQ(0, pthread_sigmask(SIG_UNBLOCK, &set, NULL));
	TR_EXPECT(ktest_signals == 3);
	expect_stats_(__LINE__, fd, rounds + 100, 3, true);
	TR_CALL(0, close(fd));
}

static void as_nobody(void *arg)
{
	int kept = *(int *)arg;

	ASSERT_EQ(0, ktest_become_nobody());
	TR_CALL(-EACCES, open(ktest_dev, O_RDWR));
	TR_CALL(-EACCES, open(ktest_dev, O_RDONLY));
	TR_CALL(-EACCES, open(ktest_dev, O_WRONLY));
	/* sync.h asks no privilege of a file already open. */
	TR_CALL(0, run(kept, 1, 10));
	expect_stats(kept, 10, 1);
}

static void unprivileged(void)
{
	struct stat st;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, stat(ktest_dev, &st));
	tr_printf("mode %o uid %u gid %u", st.st_mode, st.st_uid, st.st_gid);
	TR_EXPECT(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_uid == 0);
	TR_EXPECT(ktest_in_child(as_nobody, &fd) == 0);
	expect_stats(fd, 10, 1);
	TR_CALL(0, close(fd));
}

static void unload_while_open(void)
{
	char sys[128];
	struct runner r;
	struct ktest_bg b;
	int fd = dev_open(O_RDWR);

	ASSERT_TRUE(fd >= 0);
	snprintf(sys, sizeof(sys), "/sys/module/%s", ktest_twin);
	/* delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK (== EAGAIN). */
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_CALL(0, access(sys, F_OK));
	/* And while a run is in progress (then ended by a signal). */
	ASSERT_EQ(0, ktest_catch(SIGUSR1, false));
	r = (struct runner){ .fd = fd, .iterations = MAX_ITERATIONS };
	ASSERT_EQ(0, ktest_bg_start(&b, bg_run, &r));
	TR_EXPECT(wait_rounds(fd, 0));
	TR_CALL(-EWOULDBLOCK, unload_module(ktest_twin));
	TR_EXPECT(!ktest_bg_done(&b));
	TR_CALL(0, pthread_kill(b.thread, SIGUSR1));
	TR_EXPECT(ktest_bg_join(&b, 15000));
	TR_CHECK(-EINTR, "RUN during an unload attempt, then a signal", b.ret, b.err);
	TR_CALL(0, close(fd));
	TR_CALL(0, unload_module(ktest_twin));
	TR_CALL(-ENOENT, access(sys, F_OK));
	TR_CALL(-ENOENT, open(ktest_dev, O_RDWR));
}

TEST(four_threads_run_at_once) { ktest_twins(twins, four_threads); }
TEST(run_arguments) { ktest_twins(twins, run_arguments); }
TEST(bad_pointers_are_efault) { ktest_twins(twins, bad_pointers); }
TEST(read_and_write_are_einval) { ktest_twins(twins, read_write_einval); }
TEST(unknown_ioctls_are_enotty) { ktest_twins(twins, unknown_ioctls); }
TEST(signal_ends_a_run_early) { ktest_twins(twins, signals); }
TEST(unprivileged_caller) { ktest_twins(twins, unprivileged); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_sync", NULL);
}

TEST(every_allocation_of_open_fails_cleanly)
{
	expect_open_walk("rust_sync", "/dev/rust_sync");
}

int main(void)
{
	return ktest_run();
}
