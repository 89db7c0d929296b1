/* SPDX-License-Identifier: GPL-2.0 */
/*
 * echo.h - the user interface of rust_echo and its C twin c_echo
 * (/dev/rust_echo, /dev/c_echo, mode 0666): a scull-like bounded buffer
 * shared by every opener.
 *
 * write(fd, buf, n) at the file position pos:
 *   n == 0 -> 0, buf untouched. pos >= cap -> ENOSPC. Otherwise copies
 *   k = min(n, cap - pos) bytes into the buffer at pos (a gap between the
 *   stored length and pos reads as zeros), len = max(len, pos + copied),
 *   pos += copied, wakes readers and pollers, returns copied. A fault after
 *   some bytes is a short write; a fault on the first byte is EFAULT.
 * read(fd, buf, n) at pos:
 *   n == 0 -> 0. While pos >= len: O_NONBLOCK -> EAGAIN, else sleep
 *   interruptibly (a signal -> EINTR, or a restart with SA_RESTART). Then
 *   copies k = min(n, len - pos) bytes, pos += copied, returns copied; faults
 *   as for write.
 * lseek(fd, off, whence): SEEK_SET off, SEEK_CUR pos + off, SEEK_END len + off;
 *   overflow, a result < 0 or > cap -> EINVAL; SEEK_DATA, SEEK_HOLE -> EINVAL
 *   (the driver's answer); a whence above SEEK_MAX (as unsigned) -> EINVAL
 *   from the VFS before the driver runs. A failure leaves pos alone.
 * poll: POLLIN | POLLRDNORM if len > pos; POLLOUT | POLLWRNORM if pos < cap.
 * ioctl: the commands below, anything else -> ENOTTY. Both take a
 *   size-prefixed struct: the kernel reads the leading __u32 size (EFAULT if
 *   unreadable); size < 24 -> EINVAL; size > 4096 -> E2BIG.
 *   ECHO_IOC_INFO writes the 24-byte struct echo_info (size = 24) at arg,
 *     leaving bytes beyond 24 alone.
 *   ECHO_IOC_RESIZE needs CAP_SYS_ADMIN (checked first: EPERM); reads the
 *     24-byte struct echo_resize; bytes beyond 24 must be zero (else E2BIG);
 *     version != 1, reserved != 0 or cap outside 1..ECHO_MAX_CAP -> EINVAL;
 *     no memory for the new buffer -> ENOMEM (nothing changes);
 *     data beyond the new cap is dropped (len = min(len, cap)).
 */
#ifndef RKM_SAMPLES_ECHO_H
#define RKM_SAMPLES_ECHO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ECHO_DEFAULT_CAP 4096
#define ECHO_MAX_CAP (1 << 20)
#define ECHO_VERSION 1

struct echo_info {
	__u32 size;	/* in: size of the caller's struct; out: 24 */
	__u32 version;	/* out: ECHO_VERSION */
	__u64 len;	/* out: bytes stored */
	__u64 cap;	/* out: capacity */
};

struct echo_resize {
	__u32 size;	/* size of the caller's struct, >= 24 */
	__u32 version;	/* 1 */
	__u64 cap;	/* new capacity, 1..ECHO_MAX_CAP */
	__u64 reserved;	/* 0 */
};

#define ECHO_IOC_MAGIC 'e'
#define ECHO_IOC_INFO _IOWR(ECHO_IOC_MAGIC, 1, struct echo_info)
#define ECHO_IOC_RESIZE _IOW(ECHO_IOC_MAGIC, 2, struct echo_resize)

#endif
