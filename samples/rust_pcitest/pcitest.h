/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcitest.h - the interface of rust_pcitest and its C twin c_pcitest,
 * drivers for QEMU's PCI test device (-device pci-testdev, 1b36:0005;
 * QEMU's hw/misc/pci-testdev.c). The device has a 4096-byte memory BAR
 * (BAR 0) and a 256-byte I/O-port BAR (BAR 1), which both drivers map: the
 * id table entry's driver data names the two BARs and a label. Every access
 * to the device's registers goes through the bounds- and alignment-checked
 * BAR accessors; each BAR runs the device's "no-eventfd" test: selecting it
 * (writing 0 at offset 0) gives a header (test number, access width, the
 * offset to write to, the byte to write, a hit count, a name), and each
 * 1-byte write of that byte at that offset counts one hit.
 *
 * sysfs, on the PCI device (/sys/bus/pci/devices/<BDF>/):
 *   pcitest_id      (0444) the matched id table entry and its data:
 *                   "1b36:0005 label=pci-testdev mem_bar=0 io_bar=1\n"
 *   pcitest_bars    (0444) each mapped BAR's number, kind and length:
 *                   "bar0 mem 4096\nbar1 io 256\n"
 *   pcitest_mem     (0444) runs the test on the memory BAR: selects it,
 *   pcitest_io      (0444) reads the header (the first 8 bytes in one
 *                   64-bit access, the name byte by byte, at most 31), writes
 *                   the byte 3 times and its complement once, reads the
 *                   count: "<name> test=<n> width=<w> offset=0x<off>
 *                   data=0x<byte> hits=<count>\n" (hits=3). The two share a
 *                   lock: one test at a time per device.
 *   pcitest_peek    (0644) write "<mem|io> <offset> <width>" (decimal offset,
 *                   width 1, 2, 4 or 8, one trailing newline allowed): reads
 *                   that register; anything else, an offset outside the BAR
 *                   or not a multiple of the width -> EINVAL. Read: the last
 *                   value read, "0x<hex>\n", or "none\n" before any.
 */
#ifndef RKM_SAMPLES_PCITEST_H
#define RKM_SAMPLES_PCITEST_H

#define PCITEST_VENDOR 0x1b36
#define PCITEST_DEVICE 0x0005
#define PCITEST_MEM_SIZE 4096
#define PCITEST_IO_SIZE 256

#endif /* RKM_SAMPLES_PCITEST_H */
