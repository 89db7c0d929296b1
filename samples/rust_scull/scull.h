/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scull.h: the user interface of rust_scull and its C twin c_scull (NAME
 * below is the module's name). Both must behave exactly as written here.
 *
 * The module registers a platform driver NAME and creates the platform
 * device NAME.0, which the driver binds. Probing it creates a char-device
 * region of SCULL_MINORS minors, /dev/NAME0 .. /dev/NAME3 (class NAME), each
 * an independent byte buffer, empty at probe. The module also registers the
 * misc device /dev/NAME_ctl, whose sysfs attribute
 * /sys/class/misc/NAME_ctl/cap is the capacity of every buffer.
 *
 * Minor files:
 *  - read(fd, buf, n): the bytes from the file position up to the buffer's
 *    length (at most n), moving the position; 0 at or past the end, and for
 *    n == 0. EFAULT if buf is bad (nothing read).
 *  - write(fd, buf, n): stores up to n bytes at the position (a gap before
 *    it reads as zeros), at most up to the capacity; ENOSPC if the position
 *    is at or past the capacity (and n > 0); 0 for n == 0; EFAULT if buf is
 *    bad (nothing written).
 *  - ioctl SCULL_IOC_LEN: the buffer's length; SCULL_IOC_CLEAR: empties it
 *    (0); any other command: ENOTTY. No lseek (ESPIPE).
 *  - Once the device is unbound (/sys/bus/platform/drivers/NAME/unbind, or
 *    rmmod), every call on a file opened before fails with ENODEV (close
 *    works), and the nodes are gone; binding again makes new, empty buffers.
 *  - rmmod fails (EWOULDBLOCK) while any file of the module is open.
 *
 * The control device: no read, write or ioctl of its own (the VFS's EINVAL
 * and ENOTTY). Its cap attribute reads as the decimal capacity and a
 * newline (SCULL_DEFAULT_CAP at load); writing a decimal number from 1 to
 * SCULL_MAX_CAP (a trailing newline allowed) sets it; anything else fails
 * with EINVAL and changes nothing. Data already stored beyond a lowered
 * capacity stays readable.
 */
#ifndef SCULL_H
#define SCULL_H

#include <linux/ioctl.h>

#define SCULL_MINORS 4
#define SCULL_DEFAULT_CAP 4096
#define SCULL_MAX_CAP 65536

#define SCULL_IOC_LEN _IO('s', 1)
#define SCULL_IOC_CLEAR _IO('s', 2)

#endif /* SCULL_H */
