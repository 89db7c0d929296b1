// SPDX-License-Identifier: GPL-2.0
// Must compile: the PCI driver author's kit used as intended (issue 16): an
// id table with class and subsystem entries and typed data, a memory and an
// I/O-port BAR, streaming DMA mapped, synced and unmapped.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{Direction, StreamBuffer};
use rkm::driver;
use rkm::io::{Bar, BarKind};
use rkm::pci;
use rkm::prelude::*;

pub struct Info {
    pub fifo: u32,
    pub io_bar: u32,
}

irq_safe! {
    pub struct Hw {
        pub mem: Bar<0x100>,
        pub io: Bar<0x20>,
    }
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "ok_pci_kit";
    type Hw = Hw;
    type Data = u32;
}

impl pci::Driver for Dev {
    type IdInfo = Info;
    const IDS: &'static [pci::DeviceId<Info>] = &[
        pci::DeviceId::new(0x1b36, 0x0005).data(Info { fifo: 16, io_bar: 1 }),
        pci::DeviceId::new(0x1af4, 0x1000).subsystem(0x1af4, 1).data(Info { fifo: 64, io_bar: 0 }),
        pci::DeviceId::class(0xff0000, 0xff0000).data(Info { fifo: 0, io_bar: 2 }),
    ];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, u32)> {
        let id = dev.id();
        let info: &'static Info = id.driver_data();
        let (_class, _mask) = id.class_match();
        let _ = (id.vendor(), id.device());
        dev.enable()?;
        dev.set_master();
        dev.dma_mask(32)?;
        let mem = dev.iomap::<0x100>(0)?;
        let io = dev.iomap::<0x20>(info.io_bar)?;
        if io.kind() != BarKind::Io {
            return Err(ENODEV);
        }
        let v = io.read32::<0x10>();
        io.write64::<0x18>(u64::from(v));
        io.try_write8(io.len() - 1, 0)?;

        let mut buf = StreamBuffer::alloc(dev, 4096)?;
        buf.write(0, b"to the device")?;
        let m = buf.map(Direction::ToDevice)?;
        mem.write_dma_addr::<0x80>(m.dma_addr(0)?);
        let buf = m.unmap();
        let mut m = buf.map(Direction::Bidirectional)?;
        mem.write_dma_addr::<0x80>(m.dma_addr(16)?);
        {
            let mut cpu = m.sync_for_cpu();
            let mut head = [0u8; 4];
            cpu.read(0, &mut head)?;
            cpu.write(4, &head)?;
        }
        mem.write_dma_addr::<0x88>(m.dma_addr(0)?);
        drop(m);
        Ok((Hw { mem, io }, info.fifo))
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
    name: "ok_pci_kit",
    authors: ["rkm developers"],
    description: "compile-fail suite: must compile",
    license: "GPL",
}
