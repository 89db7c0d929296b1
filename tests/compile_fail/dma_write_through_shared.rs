// SPDX-License-Identifier: GPL-2.0
// Guarantee: two CPU threads never write a DMA buffer at the same time
// (nor one write while another reads): CPU writes need exclusive access.
// Misuse: write the coherent buffer through the shared per-device Data,
// which every file operation and the threaded interrupt handler can reach
// at once; fill it from user memory through a shared reference.
// Refused because: CoherentBuffer::write and write_from_user take
// &mut self: E0596 (the buffer must be put behind a Mutex, as a driver sharing it does).
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::CoherentBuffer;
use rkm::driver;
use rkm::io::Bar;
use rkm::pci::{self, Bound};
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub bar: Bar<0x100>,
    }
}

pub struct Data {
    pub buf: CoherentBuffer,
}

pub fn fill(dev: &Bound<'_, Dev>, bytes: &[u8]) -> Result {
    dev.data().buf.write(0, bytes) //~ ERROR E0596: cannot borrow data in a `&` reference as mutable
}

pub fn fill_from_user(buf: &CoherentBuffer, r: &mut UserSliceReader, n: usize) -> Result {
    buf.write_from_user(0, r, n) //~ ERROR E0596: cannot borrow `*buf` as mutable, as it is behind a `&` reference
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        let bar = dev.iomap::<0x100>(0)?;
        let buf = CoherentBuffer::alloc(dev, 4096)?;
        Ok((Hw { bar }, Data { buf }))
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
    name: "dma_write_through_shared",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
