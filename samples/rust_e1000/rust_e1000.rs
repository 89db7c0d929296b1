// SPDX-License-Identifier: GPL-2.0
//! rust_e1000: the hardware layer of a driver for the Intel 82540EM
//! (QEMU's -device e1000), in safe Rust. It resets the MAC, reads and
//! checks the EEPROM (MAC address, checksum), forces the link up, sets up
//! the transmit and receive descriptor rings in coherent memory and the
//! receive and transmit units, and handles the (shared, INTx) interrupt.
//! No network device yet: that comes with the crate's net-device API. What
//! it found is in the kernel log and in sysfs attributes of the PCI device
//! (e1000_mac, e1000_eeprom, e1000_link, e1000_rings, e1000_irqs; and
//! e1000_ics, which raises interrupt causes, for tests).
#![no_std]
#![forbid(unsafe_code)]

pub mod hw;

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use hw::{Regs, RxDesc, TxDesc};
use rkm::dma::DescRing;
use rkm::driver;
use rkm::irq::IrqReturn;
use rkm::pci::{self, Attr, AttrBuf, Bound};
use rkm::prelude::*;

/// Descriptors a ring (the kernel's e1000 defaults: E1000_DEFAULT_TXD/RXD).
const TX_DESCS: usize = 256;
const RX_DESCS: usize = 256;
/// The 82540EM's rings are a multiple of 128 bytes long (TDLEN, RDLEN).
const _: () = assert!((TX_DESCS * 16).is_multiple_of(128) && (RX_DESCS * 16).is_multiple_of(128));
/// The 82540EM addresses 64 bits of memory.
const DMA_BITS: u32 = 64;

irq_safe! {
    /// What the interrupt handler sees.
    struct Hw {
        regs: Regs,
        /// Interrupts that were this device's.
        irqs: AtomicU64,
        /// Every cause ICR reported, or-ed.
        causes: AtomicU32,
    }
}

/// What probe found and set up.
struct Data {
    mac: [u8; 6],
    tx: DescRing<TxDesc>,
    rx: DescRing<RxDesc>,
}

struct E1000;

impl driver::Driver for E1000 {
    const NAME: &'static str = "rust_e1000";
    const ATTRS: &'static [Attr<Self>] = &[
        Attr::ro("e1000_mac", show_mac),
        Attr::ro("e1000_eeprom", show_eeprom),
        Attr::ro("e1000_link", show_link),
        Attr::ro("e1000_rings", show_rings),
        Attr::ro("e1000_irqs", show_irqs),
        Attr::wo("e1000_ics", store_ics),
    ];
    type Hw = Hw;
    type Data = Data;

    fn remove(dev: &Bound<'_, Self>) {
        // Quiet before bus mastering goes off and the rings are freed.
        let regs = &dev.hw().regs;
        regs.write32::<{ hw::IMC }>(!0);
        regs.write32::<{ hw::RCTL }>(0);
        regs.write32::<{ hw::TCTL }>(0);
        let _ = regs.read32::<{ hw::STATUS }>();
    }

    fn irq(hw: &Hw) -> IrqReturn {
        // Reading ICR acknowledges the causes; none: another device's.
        let icr = hw.regs.read32::<{ hw::ICR }>();
        if icr == 0 {
            return IrqReturn::None;
        }
        hw.causes.fetch_or(icr, Relaxed);
        hw.irqs.fetch_add(1, Relaxed);
        IrqReturn::Handled
    }
}

/// Points the device at the rings and starts both units; the rings stay
/// empty (head == tail: the device owns no descriptor) until packet
/// buffers come with the network device.
fn configure(regs: &Regs, data: &Data) {
    regs.write_dma_addr_lo_hi::<{ hw::TDBAL }, { hw::TDBAH }>(data.tx.dma_addr());
    regs.write32::<{ hw::TDLEN }>(data.tx.byte_len() as u32);
    regs.write32::<{ hw::TDH }>(0);
    regs.write32::<{ hw::TDT }>(0);
    regs.write32::<{ hw::TIPG }>(hw::tipg());
    regs.write32::<{ hw::TCTL }>(hw::tctl());

    regs.write_dma_addr_lo_hi::<{ hw::RDBAL }, { hw::RDBAH }>(data.rx.dma_addr());
    regs.write32::<{ hw::RDLEN }>(data.rx.byte_len() as u32);
    regs.write32::<{ hw::RDH }>(0);
    regs.write32::<{ hw::RDT }>(0);
    regs.write32::<{ hw::RCTL }>(hw::RCTL_EN | hw::RCTL_BAM | hw::RCTL_SZ_2048 | hw::RCTL_SECRC);
}

impl pci::Driver for E1000 {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x100e)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        dev.dma_mask(DMA_BITS)?;
        let regs = dev.iomap::<{ hw::BAR_SIZE }>(0)?;
        hw::reset(&regs)?;
        if !hw::eeprom_checksum_ok(&regs)? {
            dev_err!(dev, "The EEPROM Checksum Is Not Valid\n");
            return Err(EIO);
        }
        let mac = hw::eeprom_mac(&regs)?;
        // Zero, or a multicast address (is_valid_ether_addr).
        if mac == [0; 6] || mac[0] & 1 != 0 {
            dev_err!(dev, "Invalid MAC Address\n");
            return Err(EIO);
        }
        regs.write32::<{ hw::CTRL }>(regs.read32::<{ hw::CTRL }>() | hw::CTRL_SLU | hw::CTRL_ASDE);
        dev.set_master();
        let data =
            Data { mac, tx: DescRing::alloc(dev, TX_DESCS)?, rx: DescRing::alloc(dev, RX_DESCS)? };
        configure(&regs, &data);
        let kind = dev.irq_vector()?;
        // Unmasked with no cause pending: see store_ics.
        let _ = regs.read32::<{ hw::ICR }>();
        regs.write32::<{ hw::IMS }>(hw::IMS_ENABLE_MASK);
        let m = &data.mac;
        dev_info!(
            dev,
            "82540EM {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, EEPROM checksum ok, link {}, {:?} interrupt\n",
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
            m[5],
            if hw::link_up(&regs) { "up" } else { "down" },
            kind
        );
        Ok((Hw { regs, irqs: AtomicU64::new(0), causes: AtomicU32::new(0) }, data))
    }
}

fn show_mac(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let m = &dev.data().mac;
    writeln!(out, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5])
        .map_err(|_| EFBIG)
}

/// Probe fails on a bad checksum: a bound device's is good.
fn show_eeprom(_dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "checksum ok").map_err(|_| EFBIG)
}

fn show_link(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let up = hw::link_up(&dev.hw().regs);
    writeln!(out, "{}", if up { "up" } else { "down" }).map_err(|_| EFBIG)
}

/// Each ring: descriptors, bytes, and the device's head and tail.
fn show_rings(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let (regs, d) = (&dev.hw().regs, dev.data());
    let tx =
        (d.tx.len(), d.tx.byte_len(), regs.read32::<{ hw::TDH }>(), regs.read32::<{ hw::TDT }>());
    let rx =
        (d.rx.len(), d.rx.byte_len(), regs.read32::<{ hw::RDH }>(), regs.read32::<{ hw::RDT }>());
    writeln!(out, "tx {} {} head {} tail {}", tx.0, tx.1, tx.2, tx.3).map_err(|_| EFBIG)?;
    writeln!(out, "rx {} {} head {} tail {}", rx.0, rx.1, rx.2, rx.3).map_err(|_| EFBIG)
}

fn show_irqs(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let hw = dev.hw();
    writeln!(out, "{} causes {:#x}", hw.irqs.load(Relaxed), hw.causes.load(Relaxed))
        .map_err(|_| EFBIG)
}

/// Raises interrupt causes (ICS), as e1000_open raises the link-status
/// one to take its first interrupt: a number (kstrtou32 syntax) naming
/// enabled causes only (IMS_ENABLE_MASK), else EINVAL. Interrupts are
/// unmasked at the device in probe with none pending, since the line is
/// requested only after probe returns (one asserted before is not seen on
/// QEMU's IOAPIC).
fn store_ics(dev: &Bound<'_, E1000>, text: &[u8]) -> Result {
    let causes = u32::try_from(rkm::configfs::parse_u64(text)?).map_err(|_| EINVAL)?;
    if causes == 0 || causes & !hw::IMS_ENABLE_MASK != 0 {
        return Err(EINVAL);
    }
    dev.hw().regs.write32::<{ hw::ICS }>(causes);
    Ok(())
}

struct Driver {
    _pci: pci::Registration<E1000>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _pci: pci::Registration::register(E1000)? })
    }
}

module! {
    type: Driver,
    name: "rust_e1000",
    authors: ["rkm developers"],
    description: "Intel 82540EM (QEMU e1000): hardware layer in safe Rust",
    license: "GPL",
}
