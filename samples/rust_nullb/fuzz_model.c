// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-fuzz's model of a null_blk disk (tests/fuzz/fuzz_model.h): the block
 * layer's ioctls (block/ioctl.c) and read/write/lseek of a block device, and
 * null_blk's configfs interface. Both the kernel's null_blk and rust_nullb
 * implement it:
 *
 *   fuzz null_blk nullb nullb0 configfs=nullb
 *   fuzz rust_nullb nullb rust_nullb0 configfs=rust_nullb
 *
 * The errnos are what 6.1 and 6.12 give; where their order depends on the
 * fd's mode or the kernel (discard: EBADF, EOPNOTSUPP, EPERM, EINVAL) the
 * model allows the set, and says the result where it does not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/blkzoned.h>
#include <linux/blkpg.h>
#include <linux/blktrace_api.h>
#include <linux/fs.h>
#include <linux/hdreg.h>
#include <linux/pr.h>

#include "fuzz_model.h"

#define RO M(EFAULT)		/* a query: only the copy out can fail */
#define ADM M(EACCES)		/* capable(CAP_SYS_ADMIN) or EACCES */
/*
 * Discard and zero-out drop the range from the page cache first
 * (truncate_bdev_range): while another fd holds the disk exclusively, they
 * invalidate instead, and a page in use gives EBUSY. Root's BLKBSZSET holds
 * it so for a moment (6.1: blkdev_get_by_dev with FMODE_EXCL; 6.12:
 * bdev_file_open_by_dev with a holder; then set_blocksize): a rare race.
 */
#define RANGE (M(EFAULT) | M(EINVAL) | M(EBADF) | M(EPERM) | M(EOPNOTSUPP) | M(EIO) | M(EINTR) | \
	       M(EBUSY))
#define ZONE (M(ENOTTY) | M(EINVAL) | M(EFAULT) | M(EBADF) | M(EOPNOTSUPP) | M(EIO) | M(ENOMEM))
#define TRACE (ADM | M(EPERM) | M(EINVAL) | M(EFAULT) | M(ENOENT) | M(EBUSY) | M(ENOMEM) |	\
	       M(ENXIO) | M(EIO) | M(ENOTTY) | M(EEXIST))
#define PR (M(EPERM) | M(EOPNOTSUPP) | M(EFAULT) | M(EINVAL) | M(EBADF) | M(ENOTTY))

static const struct fuzz_cmd nullb_cmds[] = {
	{ BLKGETSIZE64, false, RO, 8 },
	{ BLKGETSIZE, false, RO | M(EFBIG), 8 },
	{ BLKSSZGET, false, RO, 4 },
	{ BLKPBSZGET, false, RO, 4 },
	{ BLKBSZGET, false, RO, 4 },
	{ BLKIOMIN, false, RO, 4 },
	{ BLKIOOPT, false, RO, 4 },
	{ BLKALIGNOFF, false, RO, 4 },
	{ BLKDISCARDZEROES, false, RO, 4 },
	{ BLKSECTGET, false, RO, 2 },
	{ BLKROTATIONAL, false, RO, 2 },
	{ BLKGETDISKSEQ, false, RO, 8 },
	{ BLKROGET, false, RO, 4 },
	{ BLKRAGET, false, RO | M(EINVAL), 8 },
	{ BLKFRAGET, false, RO | M(EINVAL), 8 },
	{ BLKGETZONESZ, false, RO, 4 },
	{ BLKGETNRZONES, false, RO, 4 },
	{ BLKROSET, false, ADM | M(EFAULT), 0 },
	{ BLKBSZSET, false, ADM | M(EFAULT) | M(EINVAL) | M(EBUSY), 0 },
	{ BLKFLSBUF, false, ADM | M(EIO), 0 },
	{ BLKRASET, false, ADM, 0 },
	{ BLKFRASET, false, ADM, 0 },
	{ BLKRRPART, false, ADM | M(EINVAL) | M(EBUSY) | M(ENOMEM) | M(EIO) | M(ENXIO), 0 },
	{ BLKDISCARD, false, RANGE, 0 },
	{ BLKSECDISCARD, false, RANGE, 0 },
	{ BLKZEROOUT, false, RANGE, 0 },
	{ BLKPG, false, ADM | M(EFAULT) | M(EINVAL) | M(ENXIO) | M(EBUSY) | M(ENOMEM), 0 },
	{ HDIO_GETGEO, false, M(EFAULT) | M(EINVAL) | M(ENOTTY), sizeof(struct hd_geometry) },
	{ BLKREPORTZONE, false, ZONE, 0 },
	{ BLKRESETZONE, false, ZONE, 0 },
	{ BLKOPENZONE, false, ZONE, 0 },
	{ BLKCLOSEZONE, false, ZONE, 0 },
	{ BLKFINISHZONE, false, ZONE, 0 },
	{ BLKTRACESETUP, false, TRACE, 0 },
	{ BLKTRACESTART, false, TRACE, 0 },
	{ BLKTRACESTOP, false, TRACE, 0 },
	{ BLKTRACETEARDOWN, false, TRACE, 0 },
	{ IOC_PR_REGISTER, false, PR, 0 },
	{ IOC_PR_RESERVE, false, PR, 0 },
	{ IOC_PR_RELEASE, false, PR, 0 },
	{ IOC_PR_PREEMPT, false, PR, 0 },
	{ IOC_PR_PREEMPT_ABORT, false, PR, 0 },
	{ IOC_PR_CLEAR, false, PR, 0 },
	{ FIONREAD, false, M(ENOTTY), 4 },	/* not a block device's: the VFS passes it on */
};
#define NCMDS ((int)(sizeof(nullb_cmds) / sizeof(nullb_cmds[0])))

/* A byte range: mostly sectors inside the disk, else misaligned, past its end, overflowing. */
static void make_range(struct fuzz_worker *w, uint64_t r[2])
{
	uint64_t size = (uint64_t)fuzz_disk_size();

	r[0] = 512 * fuzz_rnd(w, 4096);
	r[1] = 512 * (1 + fuzz_rnd(w, 256));
	switch (fuzz_rnd(w, 8)) {
	case 0: r[0] += 1 + fuzz_rnd(w, 511); break;
	case 1: r[1] += 1 + fuzz_rnd(w, 511); break;
	case 2: r[0] = size - 512 * fuzz_rnd(w, 4); break;
	case 3: r[0] = ~0ULL - 511; break;
	case 4: r[1] = 0; break;
	default: break;
	}
}

/* The queries every block device answers (not HDIO_GETGEO: a driver's getgeo, if any). */
static bool query(unsigned int c)
{
	int i;

	for (i = 0; i < NCMDS; i++)
		if (nullb_cmds[i].nr == c)
			return nullb_cmds[i].errs == RO || c == BLKRAGET || c == BLKFRAGET ||
			       c == BLKGETSIZE;
	return false;
}

static int nullb_make_arg(struct fuzz_worker *w, unsigned int c, char *s, size_t *len)
{
	bool root = fuzz_root(w);
	uint64_t v;
	int n;

	switch (c) {
	case BLKROSET:	/* read-only rarely: writes then give EPERM until the check */
		n = fuzz_chance(w, 3);
		memcpy(s, &n, *len = sizeof(n));
		return root ? 0 : EACCES;
	case BLKBSZSET: {
		static const int sizes[] = { 512, 1024, 2048, 4096, 8192, 511, 0, -1, 3000 };

		n = sizes[fuzz_rnd(w, 9)];
		memcpy(s, &n, *len = sizeof(n));
		return root ? -1 : EACCES;	/* 6.12: EBUSY (exclusive open) before EINVAL */
	}
	case BLKRASET:
	case BLKFRASET:	/* a value: readahead up to 1 MiB */
		v = fuzz_rnd(w, 2049);
		memcpy(s, &v, *len = sizeof(v));
		return root ? 0 : EACCES;
	case BLKFLSBUF:
		*len = 0;
		return root ? -1 : EACCES;
	case BLKDISCARD:
	case BLKSECDISCARD:
	case BLKZEROOUT: {
		uint64_t r[2];

		make_range(w, r);
		memcpy(s, r, *len = sizeof(r));
		return -1;
	}
	case BLKTRACESETUP: {
		/*
		 * Never a trace: a zero buffer size is refused (EINVAL), so
		 * that BLKTRACESTART finds none. A trace started by a root
		 * pass live-patches the block layer's tracepoints, which on
		 * 6.12 in QEMU oopsed (int3 in blk_update_request) while
		 * another thread's O_DIRECT read ran: not the driver's.
		 */
		struct blk_user_trace_setup b = { .buf_size = 0, .buf_nr = 2 };

		memcpy(s, &b, *len = sizeof(b));
		return -1;
	}
	default:	/* a query answers, on any block device */
		*len = 0;
		return query(c) ? 0 : -1;
	}
}

static bool nullb_by_value(unsigned int c)
{
	return c == BLKRASET || c == BLKFRASET;
}

static bool pow2_in(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi && !(v & (v - 1));
}

/* The queries' answers, from the disk's size and a block device's limits. */
static bool nullb_reply_ok(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			   const char *tail, size_t tail_len)
{
	uint64_t size = (uint64_t)fuzz_disk_size(), u64 = 0;
	unsigned int u = 0;
	int i;

	/* Only the reply's bytes: p may end a page before the end of user space. */
	for (i = 0; i < NCMDS && nullb_cmds[i].nr != c; i++)
		;
	if (i == NCMDS || !nullb_cmds[i].reply)
		return true;
	memcpy(&u64, p, nullb_cmds[i].reply < 8 ? nullb_cmds[i].reply : 8);
	memcpy(&u, p, nullb_cmds[i].reply < 4 ? nullb_cmds[i].reply : 4);
	switch (c) {
	case BLKGETSIZE64: return u64 == size;
	case BLKGETSIZE: return u64 == size / 512;
	case BLKSSZGET: case BLKPBSZGET: return pow2_in(u, 512, 65536);
	case BLKBSZGET: return pow2_in(u, 512, 65536);
	case BLKROGET: return u <= 1;
	case BLKDISCARDZEROES: return u == 0;
	default: return true;
	}
}

/*
 * EINTR only from a fatal signal; EPERM: BLKROSET made the disk read-only;
 * ENOMEM anywhere memory is taken.
 */
static bool nullb_transient(unsigned int c, int want, int e, bool quiet)
{
	return e == ENOMEM || (c == BLKROSET && want == 0 && e == EFAULT);
}

/*
 * Reads: at most to the end of the disk, 0 past it; writes past the end:
 * ENOSPC. O_DIRECT with a misaligned buffer, count or position: EINVAL.
 */
static bool nullb_rw_ok(struct fuzz_worker *w, bool is_write, long long off, size_t n,
			long long r, int e, errmask mask)
{
	long long size = fuzz_disk_size();

	if (r < 0)
		return r == -1 && fuzz_errno_in(mask, e);
	if ((unsigned long long)r > n)
		return false;
	if (off < 0)	/* at the fd's position */
		return r <= size;
	if (off >= size)
		return n == 0 ? r == 0 : !is_write && r == 0;
	return r <= size - off;
}

/* fixed_size_llseek(size): SEEK_SET, SEEK_CUR and SEEK_END within [0, size]. */
static bool nullb_lseek_ok(long long off, int whence, long long r, int e)
{
	__int128 size = fuzz_disk_size(), to;

	if (r < 0 && r != -1)
		return false;
	switch (whence) {
	case SEEK_SET:
		return off < 0 || off > size ? r == -1 && e == EINVAL : r == off;
	case SEEK_CUR:
		return r == -1 ? e == EINVAL : r >= 0 && r <= size;
	case SEEK_END:
		to = size + off;
		return to < 0 || to > size ? r == -1 && e == EINVAL : r == to;
	default:	/* SEEK_DATA, SEEK_HOLE: not fixed_size_llseek's */
		return r == -1 && e == EINVAL;
	}
}

/* A root pass leaves the disk writable again (BLKROSET 0), its size unchanged. */
static void nullb_check(void *device, const char *name, int fd, const char *who, long ops)
{
	uint64_t size = 0;
	int ro = 0;

	FUZZ_EXPECT(ioctl(fd, BLKROSET, &ro) == 0);
	FUZZ_EXPECT(ioctl(fd, BLKROGET, &ro) == 0 && ro == 0);
	FUZZ_EXPECT(ioctl(fd, BLKGETSIZE64, &size) == 0 && size == (uint64_t)fuzz_disk_size());
	printf("# %s after %s: %llu bytes\n", name, who, (unsigned long long)size);
}

static const char *const nullb_needs[] = { "configfs", NULL };

/* The data-check disk: 64 MiB in memory, 512-byte sectors, discard on. */
static const char *const nullb_io_setup[] = {
	"size=64", "blocksize=512", "memory_backed=1", "discard=1", "completion_nsec=0",
	"power=1", NULL,
};

/*
 * Written before each power on, so that every request ends soon (a timer
 * mode completion of hours, a 1 MB/s throttle, a depth of millions would
 * leave the pass waiting, not find a bug).
 */
static const struct fuzz_cap nullb_caps[] = {
	{ "completion_nsec", 0, 100000, false },
	{ "mbps", 0, 0, false },
	{ "hw_queue_depth", 1, 256, false },
	{ "submit_queues", 1, 4, false },
	{ "size", 1, 4096, false },
	/*
	 * null_blk (6.12) takes any home_node from configfs and allocates on
	 * it: an absent node oopses in __kmalloc_cache_node (found by this
	 * pass). rust_nullb must refuse one (EINVAL) or ignore it.
	 */
	{ "home_node", 0, 0, false },
	/* null_blk passes max_sectors 1..7 on: WARN_ON_ONCE in blk_validate_limits (6.12). */
	{ "max_sectors", 8, 2560, false },
	/*
	 * 6.1's null_blk: poll_queues written to a powered disk remaps
	 * its queues and divides by zero (blk_mq_map_queues): only 0.
	 */
	{ "poll_queues", 0, 0, true },
	/*
	 * 6.1's null_blk: submit_queues or poll_queues written to a powered
	 * disk of the shared tag set dereferences NULL (6.12 refuses it).
	 */
	{ "shared_tags", 0, 0, true },
};

static const struct fuzz_cfs nullb_cfs = {
	.io_setup = nullb_io_setup,
	.caps = nullb_caps,
	.ncaps = sizeof(nullb_caps) / sizeof(nullb_caps[0]),
	.discard_zeroes = true,
};

static const struct fuzz_model nullb_model = {
	.name = "nullb",
	.spec = "block/ioctl.c, null_blk",
	.cmds = nullb_cmds,
	.ncmds = NCMDS,
	/* EAGAIN: O_NONBLOCK|O_DIRECT (IOCB_NOWAIT); EIO: an I/O error */
	.read_errs = M(EFAULT) | M(EINVAL) | M(EAGAIN) | M(EIO) | M(EINTR),
	.write_errs = M(EFAULT) | M(EINVAL) | M(EAGAIN) | M(EIO) | M(EINTR) | M(ENOSPC) |
		      M(EPERM) | M(EOPNOTSUPP),
	.len_edge = 1 << 20,
	.block = true,
	.needs = nullb_needs,
	.cfs = &nullb_cfs,
	.make_arg = nullb_make_arg,
	.by_value = nullb_by_value,
	.reply_ok = nullb_reply_ok,
	.transient = nullb_transient,
	.rw_ok = nullb_rw_ok,
	.lseek_ok = nullb_lseek_ok,
	.check = nullb_check,
};
FUZZ_MODEL(nullb_model)
