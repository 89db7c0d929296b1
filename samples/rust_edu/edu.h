/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu.h - the user interface of rust_edu and its C twin c_edu, drivers for
 * QEMU's educational PCI device (-device edu, 1234:11e8; QEMU's
 * docs/specs/edu.rst). Both bind to the device and register a misc device
 * (/dev/rust_edu, /dev/c_edu, mode 0600). One edu device per driver: a
 * second one is refused at probe (EBUSY).
 *
 * open() attaches the file to the device bound at that moment (ENODEV if
 * none). After that device is unbound (rmmod is refused while a file is
 * open; sysfs unbind is not), every call on the file that reaches the driver
 * fails with ENODEV (close works; what the VFS refuses first still fails as
 * it says: EINVAL for a negative pread/pwrite offset or a whence above
 * SEEK_MAX); a request in flight at unbind ends with ENODEV or its result. A
 * file opened after a new bind uses the new binding.
 *
 * Every request runs alone on the device (a mutex; a signal while waiting
 * for it gives EINTR) and completes by the
 * device's interrupt (MSI if available, INTx otherwise); a timer ends one
 * that gets no interrupt within edu_timeout_ms with ETIMEDOUT. A signal
 * while waiting ends it with EINTR (the device finishes on its own). A
 * request that finds the device still working on an abandoned one (after
 * EINTR or ETIMEDOUT) fails with EBUSY, without touching it.
 *
 * Errors of an ioctl come in this order: ENODEV (unbound), EFAULT copying
 * the argument in, EINVAL, EINTR waiting for the mutex, EBUSY, then the
 * request's own (ENODEV if unbinding starts, ETIMEDOUT, EINTR). read and
 * write check ENODEV, then the position (read: 0, write: ENOSPC), then take
 * the mutex (EINTR); write copies its bytes in only then (EFAULT after
 * EINTR, before EBUSY), read copies out after the transfer.
 * The counters count what the device did, even if copying the result out
 * then fails with EFAULT.
 *
 * EDU_IOC_INFO (struct edu_info, copied out whole; EFAULT if unwritable).
 * EDU_IOC_LIVE (__u32 in/out): writes the value to the liveness register
 *   and returns what the device answers (its bitwise inverse).
 * EDU_IOC_FACT (struct edu_fact in/out, copied whole): flags other than
 *   EDU_FACT_NOIRQ, pad != 0 or n > EDU_FACT_MAX -> EINVAL. The device
 *   computes n! in 32 bits (wrapping: 13! reads 1932053504) into result.
 *   With EDU_FACT_NOIRQ the device is asked not to interrupt, so the request
 *   ends with ETIMEDOUT (the timer's test), unless a signal, EBUSY or an
 *   unbind ends it first.
 * Any other command -> ENOTTY.
 *
 * read/write/pread/pwrite move bytes between the caller and the device's
 * EDU_BUF_SIZE-byte buffer by DMA, through a coherent buffer, at the file
 * position (the offset in the device buffer):
 *   - write: pos >= EDU_BUF_SIZE -> ENOSPC; otherwise min(len, size - pos)
 *     bytes are copied in (EFAULT if any is unreadable: nothing is sent) and
 *     sent to the device;
 *   - read: pos >= EDU_BUF_SIZE -> 0 (end of file); otherwise
 *     min(len, size - pos) bytes are fetched and copied out (EFAULT if any
 *     is unwritable);
 *   - len 0 returns 0 without touching the device.
 * lseek (the kernel's fixed_size_llseek() with size EDU_BUF_SIZE, after the
 *   ENODEV check): SEEK_SET off, SEEK_CUR pos + off, SEEK_END
 *   EDU_BUF_SIZE + off; an overflow or a result outside [0, EDU_BUF_SIZE]
 *   -> EINVAL; SEEK_DATA, SEEK_HOLE -> EINVAL; a failure leaves pos alone.
 *   Once unbound every whence up to SEEK_MAX gives ENODEV; a whence above
 *   SEEK_MAX (as unsigned) is refused by the VFS with EINVAL before the
 *   driver runs, bound or not.
 *
 * Module parameter dma_mode (0644, 0..3: a larger number -> ERANGE, not a
 *   number -> EINVAL), read at
 *   each transfer: which buffer the DMA goes through; the results are the
 *   same in every mode, only the memory differs:
 *   0 (default) a coherent buffer (dma_alloc_coherent);
 *   1 a streaming buffer mapped for each transfer (dma_map_single, to or
 *     from the device, unmapped when it ends);
 *   2 a streaming buffer mapped both ways once (at its first transfer, until
 *     unbind), synced for the CPU around each copy (dma_sync_single_*);
 *   3 a scatter-gather buffer of EDU_SG_CHUNK-byte chunks, each a separate
 *     allocation, mapped for each transfer (dma_map_sgtable); the device
 *     moves each mapped segment's part of the range with its own transfer,
 *     so struct edu_info's dmas counts one per segment touched.
 *   A streaming buffer is allocated at its first transfer: ENOMEM then (or
 *   if mapping fails) comes after EINTR and, for write in modes 1 and 3,
 *   before EFAULT.
 *
 * poll is not implemented: the kernel's default, always POLLIN | POLLRDNORM |
 *   POLLOUT | POLLWRNORM, bound or not.
 *
 * sysfs, on the PCI device (/sys/bus/pci/devices/<BDF>/):
 *   edu_id          (0444) the identification register, "0x010000ed\n"
 *   edu_irq_mode    (0444) "msi\n" or "intx\n"
 *   edu_irqs        (0444) runs of the threaded half of the interrupt
 *                   handler since bind (wake-ups can merge, so at most the
 *                   number of interrupts), decimal
 *   edu_timeout_ms  (0644) the request timeout, decimal, 1..60000, parsed as
 *                   kstrtouint(): an optional '+', leading zeros and one
 *                   trailing newline are accepted; other text -> EINVAL
 *                   (an empty write never reaches the driver); 1000 at bind
 */
#ifndef RKM_SAMPLES_EDU_H
#define RKM_SAMPLES_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
/*
 * The device's buffer is 4096 bytes, but QEMU up to 8.0 refuses (and stops
 * the whole VM on) a transfer that ends at its last byte (an off-by-one in
 * edu_check_range()): the drivers expose the 4095 bytes DMA can reach.
 */
#define EDU_BUF_SIZE 4095
/* dma_mode 3's chunk size: EDU_BUF_SIZE bytes are eight separate allocations. */
#define EDU_SG_CHUNK 512
#define EDU_FACT_MAX 1000000
#define EDU_TIMEOUT_MS_MAX 60000

/* edu_info.irq */
#define EDU_IRQ_MSI 1
#define EDU_IRQ_INTX 2

struct edu_info {
	__u32 id;		/* the identification register: 0x010000ed */
	__u32 irq;		/* EDU_IRQ_MSI or EDU_IRQ_INTX */
	__u64 facts;		/* factorials completed since bind */
	__u64 dmas;		/* DMA transfers completed since bind */
	__u64 timeouts;		/* requests ended by the timer since bind */
};

#define EDU_FACT_NOIRQ 0x1

struct edu_fact {
	__u32 n;		/* in: <= EDU_FACT_MAX */
	__u32 flags;		/* in: 0 or EDU_FACT_NOIRQ */
	__u32 result;		/* out: n! mod 2^32 */
	__u32 pad;		/* in: 0 */
};

#define EDU_IOC_MAGIC 'e'
#define EDU_IOC_INFO _IOR(EDU_IOC_MAGIC, 1, struct edu_info)
#define EDU_IOC_LIVE _IOWR(EDU_IOC_MAGIC, 2, __u32)
#define EDU_IOC_FACT _IOWR(EDU_IOC_MAGIC, 3, struct edu_fact)

/* The device's registers (BAR 0, 1 MiB), from QEMU's edu.c. */
#define EDU_REG_ID 0x00
#define EDU_REG_LIVE 0x04
#define EDU_REG_FACT 0x08
#define EDU_REG_STATUS 0x20		/* bit 0: computing; bit 7: IRQ when done */
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_RAISE 0x60
#define EDU_REG_IRQ_ACK 0x64
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98		/* 1 start, 2 device-to-RAM, 4 IRQ when done */
#define EDU_BAR_SIZE 0x100000
#define EDU_DEV_BUF 0x40000		/* the buffer, in the device's address space */
#define EDU_STATUS_COMPUTING 0x01
#define EDU_STATUS_IRQFACT 0x80
#define EDU_IRQ_FACT 0x001
#define EDU_IRQ_DMA 0x100
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_DMA_IRQ 0x4
#define EDU_DMA_BITS 28			/* the device's DMA mask */

#endif
