// SPDX-License-Identifier: GPL-2.0
// Guarantee: a DeviceRef enters only a binding of the driver it names: its
// Access reinterprets the binding's state as that driver's Hw and Data.
// Misuse: keep a handle to a device bound to driver A where driver B's
// handle is expected, so B's code would read A's state as B's types.
// Refused because: DeviceRef is generic over the driver, and device_ref()
// of a Device<A> is a DeviceRef<A> (E0308).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci::{self, DeviceRef};
use rkm::prelude::*;

irq_safe! {
    pub struct HwA {
        pub status: AtomicU32,
    }
    pub struct HwB {
        pub count: [u64; 4],
    }
}

/// Shared by both drivers.
pub struct Hub {
    pub b: Mutex<Option<DeviceRef<B>>>,
}

pub struct A {
    hub: Arc<Hub>,
}

impl driver::Driver for A {
    const NAME: &'static str = "cf_a";
    type Hw = HwA;
    type Data = ();
}

impl pci::Driver for A {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(HwA, ())> {
        *self.hub.b.lock() = Some(dev.device_ref()); //~ ERROR E0308: expected `DeviceRef<B>`, found `DeviceRef<A>`
        Ok((HwA { status: AtomicU32::new(0) }, ()))
    }
}

pub struct B;

impl driver::Driver for B {
    const NAME: &'static str = "cf_b";
    type Hw = HwB;
    type Data = ();
}

impl pci::Driver for B {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e9)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(HwB, ())> {
        Ok((HwB { count: [0; 4] }, ()))
    }
}

pub struct Driver {
    _a: pci::Registration<A>,
    _b: pci::Registration<B>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let hub = Arc::try_new(Hub { b: new_mutex!(None)? })?;
        let a = pci::Registration::register(A { hub })?;
        Ok(Driver { _a: a, _b: pci::Registration::register(B)? })
    }
}

module! {
    type: Driver,
    name: "pci_device_ref_wrong_driver",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
