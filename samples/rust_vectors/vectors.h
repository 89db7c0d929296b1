/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vectors.h - the interface of rust_vectors and its C twin c_vectors:
 * several MSI-X vectors, one handler per vector, on QEMU's e1000e
 * (-device e1000e, Intel 82574L, 8086:10d3). The drivers are not network
 * drivers: they use only the interrupt logic. Probe allocates 2 to 4 MSI-X
 * vectors (MSI-X only: the device has 5), maps the four queue interrupt
 * causes (RXQ0, RXQ1, TXQ0, TXQ1) to vectors 0..3 through IVAR (cause i to
 * vector i % n), has the device clear a cause when it signals it (EIAC)
 * without masking it (CTRL_EXT.IAME), and unmasks those causes (IMS).
 * Setting cause i in ICS then makes the device send vector i % n's message;
 * each vector's handler counts it (QEMU may send a message more than once
 * per write). Remove masks every cause (IMC), then waits 10 ms before the
 * vectors are freed: QEMU 7.2's e1000e arms an interrupt throttling timer
 * (EITR, at least 128 us) with each message and aborts with an assertion
 * if it expires once MSI-X is disabled.
 *
 * sysfs, on the PCI device (/sys/bus/pci/devices/<BDF>/):
 *   vectors_info    (0444) "msix <n>\n": the vectors allocated
 *   vectors_counts  (0444) each vector's interrupt count since bind,
 *                   decimal, separated by spaces: "<c0> <c1> ...\n"
 *   vectors_fire    (0200) write a cause number, 0..3 (one trailing newline
 *                   allowed): sets that cause in ICS; anything else -> EINVAL
 */
#ifndef RKM_SAMPLES_VECTORS_H
#define RKM_SAMPLES_VECTORS_H

#define VECTORS_VENDOR 0x8086
#define VECTORS_DEVICE 0x10d3
#define VECTORS_CAUSES 4

#endif /* RKM_SAMPLES_VECTORS_H */
