// SPDX-License-Identifier: GPL-2.0
//! rust_vectors: several MSI-X vectors, one handler per vector, on QEMU's
//! e1000e, whose interrupt causes software can set (ICS) and route to
//! vectors (IVAR). The interface (sysfs) is specified in vectors.h;
//! c_vectors/ is its C twin.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rkm::driver;
use rkm::io::Bar;
use rkm::pci::{self, Attr, AttrBuf, Bound, IrqReturn, IrqTypes, VectorKind};
use rkm::prelude::*;

// The 82574L's registers (BAR 0, 128 KiB).
const BAR_SIZE: usize = 0x20000;
const REG_CTRL_EXT: usize = 0x18;
const REG_ICS: usize = 0xc8;
const REG_IMS: usize = 0xd0;
const REG_IMC: usize = 0xd8;
const REG_EIAC: usize = 0xdc;
const REG_IAM: usize = 0xe0;
const REG_IVAR: usize = 0xe4;
const CTRL_EXT_IAME: u32 = 1 << 27;
/// RXQ0, RXQ1, TXQ0, TXQ1 in ICR/ICS/IMS: bits 20..23.
const CAUSE_SHIFT: u32 = 20;
const CAUSES: u32 = 4;
const CAUSE_MASK: u32 = 0xf << CAUSE_SHIFT;
/// An IVAR entry: 3 bits of vector, then a valid bit; one per cause.
const IVAR_VALID: u32 = 0x8;
const VECTORS_MAX: u32 = 4;

irq_safe! {
    struct Hw {
        bar: Bar<BAR_SIZE>,
        c0: AtomicU64,
        c1: AtomicU64,
        c2: AtomicU64,
        c3: AtomicU64,
    }
}

impl Hw {
    fn count(&self, v: u32) -> Option<&AtomicU64> {
        match v {
            0 => Some(&self.c0),
            1 => Some(&self.c1),
            2 => Some(&self.c2),
            3 => Some(&self.c3),
            _ => None,
        }
    }
}

struct Data {
    vectors: u32,
}

struct Vectors;

impl driver::Driver for Vectors {
    const NAME: &'static str = "rust_vectors";
    const ATTRS: &'static [Attr<Self>] = &[
        Attr::ro("vectors_info", show_info),
        Attr::ro("vectors_counts", show_counts),
        Attr::wo("vectors_fire", store_fire),
    ];
    type Hw = Hw;
    type Data = Data;

    fn remove(dev: &Bound<'_, Self>) {
        // Mask every cause before the vectors are freed, then let QEMU's
        // interrupt throttling timer (armed by each message, 128 us) expire
        // while MSI-X is still on: QEMU 7.2's e1000e asserts otherwise
        // (vectors.h). A signal only shortens the wait.
        dev.hw().bar.write32::<REG_IMC>(!0);
        let _ = rkm::task::msleep(10);
    }
}

impl pci::Driver for Vectors {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x10d3)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        // MSI-X messages are memory writes by the device.
        dev.set_master();
        let bar = dev.iomap::<BAR_SIZE>(0)?;
        let (n, kind) = dev.irq_vectors(2, VECTORS_MAX, IrqTypes::MSIX)?;
        if kind != VectorKind::MsiX {
            return Err(ENODEV);
        }
        bar.write32::<REG_IMC>(!0);
        let ivar = (0..CAUSES).fold(0, |ivar, c| ivar | ((c % n.max(1)) | IVAR_VALID) << (4 * c));
        bar.write32::<REG_IVAR>(ivar);
        bar.write32::<REG_IAM>(0);
        bar.write32::<REG_EIAC>(CAUSE_MASK);
        bar.write32::<REG_CTRL_EXT>(bar.read32::<REG_CTRL_EXT>() | CTRL_EXT_IAME);
        bar.write32::<REG_IMS>(CAUSE_MASK);
        dev_info!(dev, "{n} MSI-X vectors\n");
        let z = || AtomicU64::new(0);
        Ok((Hw { bar, c0: z(), c1: z(), c2: z(), c3: z() }, Data { vectors: n }))
    }

    fn irq_vector(hw: &Hw, vector: u32) -> IrqReturn {
        match hw.count(vector) {
            Some(c) => {
                c.fetch_add(1, SeqCst);
                IrqReturn::Handled
            }
            None => IrqReturn::None,
        }
    }
}

fn show_info(dev: &Bound<'_, Vectors>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "msix {}", dev.data().vectors).map_err(|_| EFBIG)
}

fn show_counts(dev: &Bound<'_, Vectors>, out: &mut AttrBuf<'_>) -> Result {
    for v in 0..dev.data().vectors {
        let c = dev.hw().count(v).ok_or(EIO)?.load(SeqCst);
        write!(out, "{}{c}", if v > 0 { " " } else { "" }).map_err(|_| EFBIG)?;
    }
    writeln!(out).map_err(|_| EFBIG)
}

fn store_fire(dev: &Bound<'_, Vectors>, text: &[u8]) -> Result {
    let cause = match text.strip_suffix(b"\n").unwrap_or(text) {
        [d @ b'0'..=b'3'] => u32::from(d - b'0'),
        _ => return Err(EINVAL),
    };
    dev.hw().bar.write32::<REG_ICS>(1 << (CAUSE_SHIFT + cause));
    Ok(())
}

struct RustVectors {
    _pci: pci::Registration<Vectors>,
}

impl Module for RustVectors {
    fn init() -> Result<Self> {
        Ok(RustVectors { _pci: pci::Registration::register(Vectors)? })
    }
}

module! {
    type: RustVectors,
    name: "rust_vectors",
    authors: ["rkm developers"],
    description: "Rust sample: several MSI-X vectors, one handler each (QEMU's e1000e)",
    license: "GPL",
}
