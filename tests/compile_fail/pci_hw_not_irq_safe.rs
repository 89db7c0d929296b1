// SPDX-License-Identifier: GPL-2.0
// Guarantee: what a PCI driver's interrupt handler and timer callback get
// (its Hw) was checked to be usable in atomic context.
// Misuse: a Driver whose Hw is a plain struct (only atomics, but not
// declared with irq_safe!).
// Refused because: pci::Driver::Hw requires IrqSafe, which only irq_safe!
// (or the crate) implements.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU32, Ordering};
use rkm::driver;
use rkm::irq::IrqReturn;
use rkm::pci;
use rkm::prelude::*;

pub struct Hw {
    status: AtomicU32,
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw; //~ ERROR E0277: the trait bound `Hw: IrqSafe` is not satisfied
    type Data = ();

    fn irq(hw: &Hw) -> IrqReturn {
        hw.status.fetch_add(1, Ordering::Relaxed);
        IrqReturn::Handled
    }
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        Ok((Hw { status: AtomicU32::new(0) }, ()))
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
    name: "pci_hw_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
