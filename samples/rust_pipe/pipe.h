/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pipe.h - the user interface of rust_pipe and its C twin c_pipe
 * (/dev/rust_pipe, /dev/c_pipe, mode 0666): an LDD3-style pipe (scull pipe),
 * one FIFO byte stream of PIPE_CAP bytes shared by every opener.
 *
 * open: never blocks. A file opened with read access (O_RDONLY, O_RDWR) is
 *   a reader, one with write access (O_WRONLY, O_RDWR) a writer, for its
 *   whole life (counted at open, uncounted at the last close). The device is
 *   a stream (stream_open): pread, pwrite and lseek -> ESPIPE.
 * read(fd, buf, n): n == 0 -> 0, buf untouched. While the pipe is empty:
 *   no writer -> 0 (end of file); O_NONBLOCK -> EAGAIN; else sleep
 *   interruptibly (a signal -> EINTR, or a restart with SA_RESTART) for at
 *   most the read timeout (PIPE_IOC_SET_TIMEOUT; 0: none) -> ETIMEDOUT.
 *   Then takes k = min(n, len) bytes from the front, wakes one blocked
 *   writer, pollers, and O_ASYNC owners (SIGIO, POLL_OUT); returns k. A fault
 *   after some bytes is a short read (the rest stays in the pipe); a fault on
 *   the first byte is EFAULT, nothing taken.
 * write(fd, buf, n): n == 0 -> 0. No reader -> EPIPE (no SIGPIPE). While
 *   the pipe is full: O_NONBLOCK -> EAGAIN; else sleep interruptibly, one
 *   writer woken per read (exclusive wait), EPIPE if the last reader goes.
 *   Then appends k = min(n, room) bytes (not atomic: a short write), wakes
 *   readers, pollers, O_ASYNC owners (SIGIO, POLL_IN), and another blocked
 *   writer if room remains; returns k. Faults as for read.
 * poll: a reader file: POLLIN | POLLRDNORM if len > 0; POLLHUP | POLLRDHUP
 *   if there is no writer. A writer file: POLLOUT | POLLWRNORM if len < cap;
 *   POLLERR if there is no reader. (An O_RDWR file is both, so never HUP
 *   or ERR.)
 * close: every close(2) of a descriptor (dup's too) counts one flush
 *   (PIPE_IOC_INFO); the last one of a file ends its reader/writer role and
 *   wakes the other side (readers see EOF / POLLHUP, writers EPIPE / POLLERR).
 * O_ASYNC / FIOASYNC: SIGIO to the owner on data (POLL_IN) and room (POLL_OUT).
 * mmap(NULL, n, prot, flags, fd, off): the statistics page, struct
 *   pipe_stats at its start, updated by every read and write (MAP_SHARED or
 *   MAP_PRIVATE), read-only for good (mprotect(PROT_WRITE) -> EACCES).
 *   PROT_WRITE -> EPERM; n > PIPE_STATS_SIZE or off != 0 ->
 *   EINVAL. A mapping keeps its page until unmapped: after close, after
 *   PIPE_IOC_NEW_STATS (then it is no longer updated).
 * ioctl: the commands below, anything else -> ENOTTY.
 *   PIPE_IOC_INFO writes struct pipe_info at arg (EFAULT if unwritable).
 *   PIPE_IOC_SET_TIMEOUT reads a __u32 read timeout in ms at arg (EFAULT);
 *     above PIPE_MAX_TIMEOUT_MS -> EINVAL.
 *   PIPE_IOC_NEW_STATS: later mmaps get a new statistics page (generation
 *     + 1, counters 0); ENOMEM without memory (nothing changes).
 */
#ifndef RKM_SAMPLES_PIPE_H
#define RKM_SAMPLES_PIPE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PIPE_CAP 4096
#define PIPE_MAX_TIMEOUT_MS 60000

struct pipe_info {
	__u32 len;		/* bytes in the pipe */
	__u32 cap;		/* PIPE_CAP */
	__u32 readers;		/* open files with read access */
	__u32 writers;		/* open files with write access */
	__u32 timeout_ms;	/* the read timeout, 0: none */
	__u32 flushes;		/* close(2) calls so far */
};

/* The statistics page (mmap). */
#define PIPE_STATS_SIZE 4096
struct pipe_stats {
	__u64 generation;	/* 1, then + 1 per PIPE_IOC_NEW_STATS */
	__u64 bytes_written;	/* since this page's generation began */
	__u64 bytes_read;
};

#define PIPE_IOC_MAGIC 'p'
#define PIPE_IOC_INFO _IOR(PIPE_IOC_MAGIC, 1, struct pipe_info)
#define PIPE_IOC_SET_TIMEOUT _IOW(PIPE_IOC_MAGIC, 2, __u32)
#define PIPE_IOC_NEW_STATS _IO(PIPE_IOC_MAGIC, 3)

#endif /* RKM_SAMPLES_PIPE_H */
