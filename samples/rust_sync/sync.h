/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync.h - the user interface of rust_sync and its C twin c_sync
 * (/dev/rust_sync, /dev/c_sync, mode 0600): exercises every lock kind and
 * reference counting from as many threads as call it, and reports whether
 * the invariants held.
 *
 * SYNC_IOC_RUN (struct sync_run, fixed size, copied in whole; EFAULT if
 *   unreadable): version != 1 or iterations > 1000000 -> EINVAL. Runs
 *   `iterations` rounds; each round, in this order:
 *   - under the mutex: checks a == b of a pair (violations += 1 if not),
 *     a += 1, then b += 1 (mutex_count is a);
 *   - under the spinlock: the same with its own pair (spin_count);
 *   - under the IRQ-saving spinlock: the same (irq_count);
 *   - takes a reference to the shared object and drops it (arc_gets += 1,
 *     counted atomically).
 *   Returns 0. A pending signal between rounds ends the run early with
 *   EINTR (rounds done so far stay counted).
 * SYNC_IOC_STATS (struct sync_stats, fixed size, copied out whole; EFAULT
 *   if unwritable): the counters, and refs: the shared object's reference
 *   count now (1 when no run is in progress).
 * Any other command -> ENOTTY. read/write are not implemented: EINVAL.
 * lseek is not implemented: ESPIPE for whence up to SEEK_MAX (above it the
 * VFS answers EINVAL first). poll is not implemented: the kernel's default,
 * always POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM.
 */
#ifndef RKM_SAMPLES_SYNC_H
#define RKM_SAMPLES_SYNC_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct sync_run {
	__u32 version;		/* 1 */
	__u32 iterations;	/* rounds, <= 1000000 */
};

struct sync_stats {
	__u64 mutex_count;
	__u64 spin_count;
	__u64 irq_count;
	__u64 arc_gets;
	__u64 refs;
	__u64 violations;
	__u64 runs;		/* SYNC_IOC_RUN calls completed or interrupted */
};

#define SYNC_IOC_MAGIC 'y'
#define SYNC_IOC_RUN _IOW(SYNC_IOC_MAGIC, 1, struct sync_run)
#define SYNC_IOC_STATS _IOR(SYNC_IOC_MAGIC, 2, struct sync_stats)

#endif
