// SPDX-License-Identifier: GPL-2.0
/*
 * rust_ticker test: every rule of ticker.h, run against rust_ticker and its
 * C twin c_ticker (identical transcripts), then unloading with files open,
 * load/unload cycles and (Rust) every allocation of init failing.
 */
#include "ktest.h"

#include <dirent.h>

#include "ticker.h"

static const char *const twins[] = { "rust_ticker", "c_ticker", NULL };
static char dbg[160];	/* /sys/kernel/debug/NAME */

static void set_dbg(const char *name)
{
	snprintf(dbg, sizeof(dbg), "/sys/kernel/debug/%s", name);
}

static int dbg_open(const char *file, int flags)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dbg, file);
	return open(path, flags | O_CLOEXEC);
}

/* A debugfs number, or -1. */
static long long dbg_num(const char *file)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dbg, file);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Writes text to a debugfs file in one write(): its result. */
static long dbg_write(const char *file, const char *text, size_t len)
{
	int fd = dbg_open(file, O_WRONLY);
	long r;
	int e;

	if (fd < 0)
		return -1;
	r = raw_write(fd, text, len);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* The text of a debugfs file, into the transcript. */
static void tr_file(const char *file)
{
	char path[256], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dbg, file);
	n = read_file(path, buf, sizeof(buf));
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	tr_printf("%s: %s", file, n < 0 ? strerror(errno) : buf);
}

static bool thread_running(const char *name)
{
	struct dirent *d;
	bool found = false;
	DIR *proc = opendir("/proc");

	if (!proc)
		return false;
	while (!found && (d = readdir(proc))) {
		char path[300], comm[64];

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (read_file(path, comm, sizeof(comm)) > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			found = !strcmp(comm, name);
		}
	}
	closedir(proc);
	return found;
}

static void scenario(void)
{
	long long hr0, work0, wakes0, n, m;
	char buf[512], big[400], ring[8];
	char *page, *hole;
	int fd, i;

	set_dbg(ktest_twin);
	if (access(dbg, F_OK)) {
		tr_printf("no debugfs: the device only");
		printf("# %s: no debugfs here\n", ktest_twin);
	}
	TR_EXPECT(thread_running(ktest_twin));

	/* Everything counts. */
	hr0 = dbg_num("hrtimer_ticks");
	work0 = dbg_num("work_runs");
	wakes0 = dbg_num("thread_wakes");
	usleep(300 * 1000);
	printf("# %s: in 300 ms: %lld hrtimer ticks, %lld work runs, %lld thread wakeups\n",
	       ktest_twin, dbg_num("hrtimer_ticks") - hr0, dbg_num("work_runs") - work0,
	       dbg_num("thread_wakes") - wakes0);
	TR_EXPECT(dbg_num("hrtimer_ticks") >= hr0 + 20);
	TR_EXPECT(dbg_num("work_runs") >= work0 + 5);
	TR_EXPECT(dbg_num("thread_wakes") >= wakes0 + 5);

	/* period_ms: decimal 1..1000, at most 16 bytes. */
	tr_file("period_ms");
	TR_CALL(-EINVAL, dbg_write("period_ms", "0", 1));
	TR_CALL(-EINVAL, dbg_write("period_ms", "1001", 4));
	TR_CALL(-EINVAL, dbg_write("period_ms", "abc", 3));
	TR_CALL(-EINVAL, dbg_write("period_ms", "\n", 1));
	TR_CALL(-EINVAL, dbg_write("period_ms", "", 0));
	TR_CALL(-EINVAL, dbg_write("period_ms", "-5", 2));
	TR_CALL(-EINVAL, dbg_write("period_ms", "99999999999", 11));
	TR_CALL(-EINVAL, dbg_write("period_ms", "00000000000000001", 17));
	TR_CALL(-EFAULT, dbg_write("period_ms", NULL, 2));
	tr_file("period_ms");
	TR_CALL(3, dbg_write("period_ms", "20\n", 3));
	tr_file("period_ms");
	TR_CALL(4, dbg_write("period_ms", "0010", 4));
	tr_file("period_ms");
	/* Read-only numbers: no write operation. */
	fd = dbg_open("work_runs", O_WRONLY);
	TR_EXPECT(fd >= 0);
	TR_CALL(-EINVAL, raw_write(fd, "1", 1));
	close(fd);
	/* Reads at a position, and with a bad buffer. */
	fd = dbg_open("period_ms", O_RDONLY);
	TR_CALL(-EFAULT, raw_read(fd, NULL, 8));
	TR_CALL(1, raw_read(fd, buf, 1));
	TR_CALL(2, raw_read(fd, buf, 8));
	TR_CALL(0, raw_read(fd, buf, 8));
	TR_CALL(0, lseek(fd, 0, SEEK_SET));
	TR_CALL(3, raw_read(fd, buf, 8));
	close(fd);

	/* fill off, then drain the ring. */
	TR_CALL(-EINVAL, dbg_write("fill", "2", 1));
	TR_CALL(2, dbg_write("fill", "0\n", 2));
	tr_file("fill");
	usleep(50 * 1000);
	fd = open(ktest_dev, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	for (i = 0; i < 10 && raw_read(fd, buf, sizeof(buf)) > 0; i++)
		;
	tr_file("ring_len");
	TR_CALL(-EAGAIN, raw_read(fd, buf, sizeof(buf)));
	TR_CALL(0, raw_read(fd, buf, 0));
	TR_CALL(0, raw_write(fd, buf, 0));
	TR_CALL(5, raw_write(fd, "hello", 5));
	tr_file("ring_len");
	TR_CALL(-EFAULT, raw_read(fd, NULL, 5));
	TR_CALL(-EFAULT, raw_read(fd, KTEST_KERNEL_ADDR, 5));
	tr_file("ring_len");
	TR_CALL(2, raw_read(fd, buf, 2));
	TR_EXPECT(!memcmp(buf, "he", 2));
	TR_CALL(3, raw_read(fd, buf, 100));
	TR_EXPECT(!memcmp(buf, "llo", 3));
	TR_CALL(-EAGAIN, raw_read(fd, buf, 1));
	TR_CALL(-EFAULT, raw_write(fd, NULL, 5));
	TR_CALL(-EFAULT, raw_write(fd, KTEST_KERNEL_ADDR, 5));
	tr_file("ring_len");

	/* Full: short write, then EAGAIN; wrapping keeps the order. */
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = 'a' + i % 26;
	TR_CALL(100, raw_write(fd, big, 100));
	TR_CALL(60, raw_read(fd, buf, 60));
	TR_CALL(TICKER_RING_SIZE - 40, raw_write(fd, big + 100, 300));
	TR_CALL(-EAGAIN, raw_write(fd, "x", 1));
	tr_file("ring_len");
	TR_CALL(TICKER_RING_SIZE, raw_read(fd, buf, sizeof(buf)));
	TR_EXPECT(!memcmp(buf, big + 60, TICKER_RING_SIZE));

	/* Faults part-way: exactly the bytes before the hole move. */
	page = ktest_page_before_hole();
	ASSERT_TRUE(page != NULL);
	hole = page + KTEST_PAGE;
	memcpy(hole - 4, "wxyz", 4);
	n = TR_SHORT(4, raw_write(fd, hole - 4, 8));
	tr_file("ring_len");
	TR_CALL(2, raw_write(fd, "12", 2));
	/* The ring holds n bytes of "wxyz" and "12": a short read if more than 4. */
	memcpy(ring, "wxyz", n);
	memcpy(ring + n, "12", 2);
	m = n + 2 > 4 ? TR_SHORT(4, raw_read(fd, hole - 4, 8)) : TR_CALL(n + 2, raw_read(fd, hole - 4, 8));
	TR_EXPECT(!memcmp(hole - 4, ring, m));
	tr_file("ring_len");
	TR_CALL(n + 2 > m ? n + 2 - m : -EAGAIN, raw_read(fd, buf, 8));
	TR_EXPECT(!memcmp(buf, ring + m, n + 2 - m));

	/* fill on: the thread's digits come back. */
	TR_CALL(1, dbg_write("fill", "1", 1));
	usleep(100 * 1000);
	TR_EXPECT(raw_read(fd, buf, sizeof(buf)) > 0 && buf[0] >= '0' && buf[0] <= '9');
	close(fd);
}

TEST(ticker_twins)
{
	ktest_twins(twins, scenario);
}

/* Unloading is refused while a debugfs file (or the device) is open, then stops everything. */
static void open_file_then_unload(const char *name)
{
	char buf[64], dev[80];
	int fd;

	printf("# %s\n", name);
	set_dbg(name);
	ASSERT_EQ(0, load_module(name, NULL));
	fd = dbg_open("hrtimer_ticks", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_ERRNO(EWOULDBLOCK, unload_module(name));
	EXPECT_TRUE(read(fd, buf, sizeof(buf)) > 0);
	close(fd);
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_ERRNO(EWOULDBLOCK, unload_module(name));
	close(fd);
	ASSERT_EQ(0, unload_module(name));
	EXPECT_TRUE(access(dbg, F_OK) != 0);
	for (int i = 0; i < 100 && thread_running(name); i++)
		usleep(10000);
	EXPECT_TRUE(!thread_running(name));
}

TEST(unload_with_files_open)
{
	for (int i = 0; twins[i]; i++) {
		ktest_need_module(twins[i]);
		open_file_then_unload(twins[i]);
	}
}

/* Quick cycles: the thread may be stopped before it ever runs. */
TEST(load_unload_cycles)
{
	for (int t = 0; twins[t]; t++) {
		ktest_need_module(twins[t]);
		for (int i = 0; i < 5; i++) {
			ASSERT_EQ(0, load_module(twins[t], NULL));
			ASSERT_EQ(0, unload_module(twins[t]));
		}
	}
}

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_ticker", NULL);
	set_dbg("rust_ticker");
	EXPECT_TRUE(access(dbg, F_OK) != 0);
	EXPECT_TRUE(!thread_running("rust_ticker"));
}

int main(void)
{
	return ktest_run();
}
