// SPDX-License-Identifier: GPL-2.0
/*
 * rust_nullb test: one program for the Rust driver and the kernel's own
 * null_blk (manifest 'kernel-module'). Each scenario runs once per driver
 * (ktest_twins()), reloading it with the parameters it needs; the
 * transcripts must be identical, errno by errno. Disks are /dev/rust_nullbN
 * and /dev/nullbN.
 */
#include "ktest.h"

#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>

static const char *const twins[] = { "rust_nullb", "null_blk", NULL };

#define MIB (1024 * 1024)

/* /dev/<prefix>N of the twin being run. */
static const char *disk(int n)
{
	static char path[64];

	snprintf(path, sizeof(path), "/dev/%s%d",
		 strcmp(ktest_twin, "null_blk") ? "rust_nullb" : "nullb", n);
	return path;
}

/* Reloads the twin with params; the result goes into the transcript. */
static long long reload(const char *params)
{
	char label[160];

	TR_CALL(0, ktest_unload_wait(ktest_twin, 5000));
	snprintf(label, sizeof(label), "load(%s)", params);
	return TR_CALL_AS(KTEST_ANY, label, load_module(ktest_twin, params));
}

static void *page_buf(size_t n, int fill)
{
	void *p = NULL;

	ASSERT_EQ(0, posix_memalign(&p, 4096, n));
	memset(p, fill, n);
	return p;
}

/* Writes, reads back, reads holes, past the end, unaligned, flush, zeroout. */
static void memory_backed_io(void)
{
	unsigned char *w = page_buf(64 * 1024, 0), *r = page_buf(64 * 1024, 0xee);
	unsigned char *zero = page_buf(64 * 1024, 0);
	uint64_t size = 0, range[2];
	int fd, i, bs = 0;

	for (i = 0; i < 64 * 1024; i++)
		w[i] = (unsigned char)(i * 7 + 3);
	reload("memory_backed=1 gb=1 irqmode=0");
	fd = TR_CALL(KTEST_ANY, open(disk(0), O_RDWR | O_DIRECT | O_CLOEXEC));
	ASSERT_TRUE(fd >= 0);
	TR_CALL(0, ioctl(fd, BLKGETSIZE64, &size));
	TR_EXPECT(size == 1ULL << 30);
	TR_CALL(0, ioctl(fd, BLKSSZGET, &bs));
	TR_EXPECT(bs == 512);
	/* Never written: zeroes. */
	TR_CALL(4096, pread(fd, r, 4096, 5 * MIB));
	expect_bytes("hole", r, zero, 4096);
	TR_CALL(64 * 1024, pwrite(fd, w, 64 * 1024, MIB - 512));
	TR_CALL(64 * 1024, pread(fd, r, 64 * 1024, MIB - 512));
	expect_bytes("written back", r, w, 64 * 1024);
	TR_CALL(512, pwrite(fd, w, 512, size - 512));
	TR_CALL(512, pread(fd, r, 512, size - 512));
	expect_bytes("last sector", r, w, 512);
	/* Past the end: nothing read, writes refused. */
	TR_CALL(0, pread(fd, r, 4096, size));
	TR_CALL(-ENOSPC, pwrite(fd, w, 4096, size));
	/* O_DIRECT needs logical-block alignment. */
	TR_CALL(-EINVAL, pread(fd, r, 4096, 100));
	TR_CALL(-EINVAL, pwrite(fd, w + 1, 512, 0));
	TR_CALL(0, fsync(fd));
	TR_CALL(0, fdatasync(fd));
	/* Without the discard parameter null_blk has no discard. */
	range[0] = MIB;
	range[1] = 4096;
	TR_CALL(-EOPNOTSUPP, ioctl(fd, BLKDISCARD, range));
	/* Zeroout works either way (the block layer writes zeroes). */
	TR_CALL(0, ioctl(fd, BLKZEROOUT, range));
	TR_CALL(8192, pread(fd, r, 8192, MIB));
	expect_bytes("zeroed", r, zero, 4096);
	expect_bytes("after the zeroed range", r + 4096, w + 512 + 4096, 4096);
	range[1] = 1000;
	TR_CALL(-EINVAL, ioctl(fd, BLKZEROOUT, range));
	TR_CALL(0, close(fd));
	free(w);
	free(r);
	free(zero);
}

/* discard=1: a discarded range reads as zeroes, the rest stays. */
static void discard(void)
{
	unsigned char *w = page_buf(4 * 4096, 0x5a), *r = page_buf(4 * 4096, 0);
	unsigned char *zero = page_buf(4 * 4096, 0);
	uint64_t range[2] = { 4096 + 512, 2 * 4096 };
	int fd;

	reload("memory_backed=1 discard=1 gb=1");
	fd = TR_CALL(KTEST_ANY, open(disk(0), O_RDWR | O_DIRECT | O_CLOEXEC));
	ASSERT_TRUE(fd >= 0);
	TR_CALL(4 * 4096, pwrite(fd, w, 4 * 4096, 0));
	TR_CALL(0, ioctl(fd, BLKDISCARD, range));
	TR_CALL(4 * 4096, pread(fd, r, 4 * 4096, 0));
	expect_bytes("before", r, w, 4096 + 512);
	expect_bytes("discarded", r + 4096 + 512, zero, 2 * 4096);
	expect_bytes("after", r + 3 * 4096 + 512, w, 4096 - 512);
	range[0] = 100;
	TR_CALL(-EINVAL, ioctl(fd, BLKDISCARD, range));
	TR_CALL(0, close(fd));
	free(w);
	free(r);
	free(zero);
}

/* Module parameters: taken, adjusted or refused as null_blk does. */
static void parameters(void)
{
	uint64_t size = 0;
	int fd, bs = 0;

	if (reload("bs=4096 gb=2") == 0) {
		fd = TR_CALL(KTEST_ANY, open(disk(0), O_RDONLY | O_CLOEXEC));
		TR_CALL(0, ioctl(fd, BLKSSZGET, &bs));
		TR_CALL(0, ioctl(fd, BLKGETSIZE64, &size));
		TR_EXPECT(bs == 4096 && size == 2ULL << 30);
		close(fd);
	}
	/* Over the page size: the page size. */
	if (reload("bs=8192") == 0) {
		fd = TR_CALL(KTEST_ANY, open(disk(0), O_RDONLY | O_CLOEXEC));
		TR_CALL(0, ioctl(fd, BLKSSZGET, &bs));
		TR_EXPECT(bs == 4096);
		close(fd);
	}
	reload("bs=1000");
	reload("bs=256");
	reload("irqmode=3");
	reload("irqmode=-1");
	reload("hw_queue_depth=0");
	reload("gb=abc");
	reload("submit_queues=0");
	reload("nr_devices=3");
	TR_CALL(0, access(disk(2), F_OK));
	TR_CALL(-ENOENT, access(disk(3), F_OK));
	reload("nr_devices=0");
	TR_CALL(-ENOENT, access(disk(0), F_OK));
	reload("");
}

/* The module cannot go while a disk is open; I/O works up to the close. */
static void unload_while_open(void)
{
	unsigned char *b = page_buf(4096, 1);
	int fd;

	reload("irqmode=1");
	fd = TR_CALL(KTEST_ANY, open(disk(0), O_RDWR | O_DIRECT | O_CLOEXEC));
	TR_CALL(-EAGAIN, unload_module(ktest_twin));
	TR_CALL(4096, pwrite(fd, b, 4096, 0));
	TR_CALL(4096, pread(fd, b, 4096, 0));
	TR_CALL(0, close(fd));
	TR_CALL(0, ktest_unload_wait(ktest_twin, 5000));
	TR_CALL(-ENOENT, access(disk(0), F_OK));
	TR_CALL(0, load_module(ktest_twin, NULL));
	free(b);
}

TEST(memory_backed_read_write_flush_zeroout) { ktest_twins(twins, memory_backed_io); }
TEST(discard_reads_back_zeroes) { ktest_twins(twins, discard); }
TEST(module_parameters_as_null_blk) { ktest_twins(twins, parameters); }
TEST(unload_while_open_is_refused) { ktest_twins(twins, unload_while_open); }

/* irqmode 2: each request ends completion_nsec after queue_rq, on an hrtimer. */
TEST(irqmode_timer_delays_each_request)
{
	unsigned char *buf = page_buf(4096, 0);
	long long t0;
	int fd, i;

	ktest_need_module("rust_nullb");
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "irqmode=2 completion_nsec=20000000 hw_queue_depth=2"));
	fd = open("/dev/rust_nullb0", O_RDONLY | O_DIRECT);
	ASSERT_TRUE(fd >= 0);
	t0 = ktest_ms();
	for (i = 0; i < 5; i++)
		EXPECT_EQ(4096, pread(fd, buf, 4096, (off_t)i * 4096));
	EXPECT_TRUE(ktest_ms() - t0 >= 100);
	close(fd);
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_ERRNO(EINVAL, load_module("rust_nullb", "gb=-1"));
}

/*
 * A page the store cannot allocate (rkm_fail_nth: the glue fails that
 * allocation) ends the write with ENOSPC, as null_blk's; data written
 * before stays.
 */
TEST(store_allocation_failure_is_enospc_and_loses_nothing)
{
	unsigned char *w = page_buf(8192, 0x3c), *r = page_buf(8192, 0);
	int fd, nth;

	ktest_need_module("rust_nullb");
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "memory_backed=1 gb=1"));
	fd = open("/dev/rust_nullb0", O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(4096, pwrite(fd, w, 4096, 0));
	nth = open("/sys/module/rust_nullb/parameters/rkm_fail_nth", O_WRONLY | O_CLOEXEC);
	ASSERT_TRUE(nth >= 0);
	ASSERT_EQ(1, write(nth, "1", 1));
	close(nth);
	/* Page 0 exists; page 1 is the first allocation, which fails. */
	ASSERT_ERRNO(ENOSPC, pwrite(fd, w, 8192, 0));
	ASSERT_EQ(8192, pwrite(fd, w, 8192, 0));
	ASSERT_EQ(8192, pread(fd, r, 8192, 0));
	EXPECT_EQ(0, memcmp(r, w, 8192));
	close(fd);
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", NULL));
	free(w);
	free(r);
}

int main(void)
{
	/* null_blk needs configfs (shipped beside it; built in on some kernels). */
	if (load_module("configfs", NULL) && errno != EEXIST && errno != ENOENT)
		printf("# load configfs: %s\n", strerror(errno));
	return ktest_run();
}
