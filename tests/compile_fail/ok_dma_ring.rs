// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. A descriptor ring as a NIC driver uses it:
// the descriptor declared with dma_descriptor!, the ring's base address
// written to a pair of 32-bit registers, descriptors filled under a lock,
// dma_wmb before the field that hands one over, the tail register written
// after; the interrupt handler reads a status field through the shared
// ring (a DescRing is IrqSafe), dma_rmb, then the rest.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use rkm::dma::{dma_rmb, dma_wmb, DescRing};
use rkm::driver;
use rkm::io::Bar;
use rkm::irq::IrqReturn;
use rkm::pci;
use rkm::prelude::*;

rkm::dma_descriptor! {
    /// A legacy receive descriptor.
    pub struct RxDesc {
        /// The buffer.
        pub addr: u64,
        pub len: u16,
        pub csum: u16,
        pub status: u8,
        pub errors: u8,
        pub special: u16,
    }
}

irq_safe! {
    pub struct Hw {
        pub bar: Bar<0x4000>,
        pub rx: DescRing<RxDesc>,
        pub last_len: AtomicU32,
    }
}

pub struct Data {
    pub tx: Mutex<DescRing<RxDesc>>,
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = Data;

    fn irq(hw: &Hw) -> IrqReturn {
        let i = hw.bar.read32::<0x2810>() as usize;
        if hw.rx.read(i, RxDesc::status) & 1 == 0 {
            return IrqReturn::None;
        }
        dma_rmb();
        let d = hw.rx.get(i);
        hw.last_len.store(u32::from(d.len), Relaxed);
        IrqReturn::Handled
    }
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x100e)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        dev.dma_mask(64)?;
        let bar = dev.iomap::<0x4000>(0)?;
        let rx = DescRing::<RxDesc>::alloc(dev, 256)?;
        let mut tx = DescRing::<RxDesc>::alloc(dev, 256)?;
        bar.write_dma_addr_lo_hi::<0x2800, 0x2804>(rx.dma_addr());
        bar.write32::<0x2808>(rx.byte_len() as u32);
        bar.write_dma_addr::<0x3800>(tx.dma_addr());
        let tail = tx.len() + 3;
        tx.set(tail, RxDesc { len: 60, ..RxDesc::default() });
        dma_wmb();
        tx.write(tail, RxDesc::status, 1);
        bar.write32::<0x3818>(tx.wrap(tail + 1) as u32);
        let data = Data { tx: new_mutex!(tx)? };
        data.tx.lock().write(0, RxDesc::errors, 0);
        Ok((Hw { bar, rx, last_len: AtomicU32::new(0) }, data))
    }
}

pub struct Driver {
    _pci: pci::Registration<Dev>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _pci: pci::Registration::register(Dev)? })
    }
}

module! {
    type: Driver,
    name: "ok_dma_ring",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
