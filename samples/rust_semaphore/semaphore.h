/* SPDX-License-Identifier: GPL-2.0 */
/*
 * semaphore.h - the user interface of rust_semaphore and its C twin
 * c_semaphore (/dev/rust_semaphore, /dev/c_semaphore, mode 0600): a counting
 * semaphore, as in the 2021 Rust-for-Linux RFC sample.
 *
 * write(fd, buf, n): n == 0 -> 0, nothing changes. Otherwise count += 1,
 *   writes += 1, wakes the pollers and a waiting reader (one reader takes
 *   the unit); returns n (the VFS clamps n to MAX_RW_COUNT first). buf is
 *   never read.
 * read(fd, buf, n): while count == 0: O_NONBLOCK -> EAGAIN, else sleep
 *   interruptibly (waiters += 1 while asleep; a signal -> EINTR, or a restart
 *   with SA_RESTART). Then count -= 1, reads += 1, returns 0. buf is never
 *   written; n may be 0.
 * poll: POLLIN | POLLRDNORM if count > 0; always POLLOUT | POLLWRNORM.
 * ioctl: anything but these -> ENOTTY.
 *   SEM_IOC_STATS: size-prefixed as in echo.h (size < 40 -> EINVAL,
 *     > 4096 -> E2BIG, unreadable -> EFAULT); writes the 40-byte struct.
 *   SEM_IOC_RESET: needs CAP_SYS_ADMIN (EPERM); count = reads = writes = 0.
 * lseek: not implemented: ESPIPE for whence up to SEEK_MAX (above it the VFS
 *   answers EINVAL first).
 * Module parameter instances (1..4, default 1): that many independent
 *   semaphores, /dev/NAME, /dev/NAME1, ... (the benchmark's ping-pong uses 2).
 *   Out of range (0, 5) the load fails with ERANGE; not an unsigned number
 *   (-1) with EINVAL.
 */
#ifndef RKM_SAMPLES_SEMAPHORE_H
#define RKM_SAMPLES_SEMAPHORE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SEM_VERSION 1

struct sem_stats {
	__u32 size;	/* in: size of the caller's struct; out: 40 */
	__u32 version;	/* out: SEM_VERSION */
	__u64 count;	/* units available */
	__u64 reads;	/* reads completed (units taken) */
	__u64 writes;	/* writes completed (units given) */
	__u64 waiters;	/* readers asleep now */
};

#define SEM_IOC_MAGIC 's'
#define SEM_IOC_STATS _IOWR(SEM_IOC_MAGIC, 1, struct sem_stats)
#define SEM_IOC_RESET _IO(SEM_IOC_MAGIC, 2)

#endif
