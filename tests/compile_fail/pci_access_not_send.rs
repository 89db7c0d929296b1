// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pass through a device's gate is left by the task that
// entered it (the gate is a rw_semaphore, whose owner must release it).
// Misuse: hand an Access to something that may run on another thread.
// Refused because: Access holds a PhantomData<*mut ()>, so it is !Send
// (its raw binding pointer, and the Bound it holds, a
// reference to the binding's !Sync state, make it !Send as well: one error
// each).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci::{self, DeviceRef};
use rkm::prelude::*;

/// What a work queue or kthread API would require of its payload.
fn need_send<T: Send>(_: T) {}

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
    }
}

pub struct Data {
    pub count: Mutex<u64>,
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        Ok((Hw { status: AtomicU32::new(0) }, Data { count: new_mutex!(0)? }))
    }
}

pub fn hand_off(r: &DeviceRef<Dev>) {
    need_send(r.access());
    //~^ ERROR E0277: `*mut ()` cannot be sent between threads safely
    //~^^ ERROR E0277: `NonNull<rkm::abi::Binding>` cannot be sent between threads safely
    //~^^^ ERROR E0277: `NonNull<rkm::abi::Binding>` cannot be shared between threads safely
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
    name: "pci_access_not_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
