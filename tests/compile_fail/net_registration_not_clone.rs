// SPDX-License-Identifier: GPL-2.0
// Guarantee: a device is unregistered once, by its one Registration.
// Misuse: clone the Registration (two drops: two unregistrations).
// Refused because: Registration is not Clone (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, Registration, RtnlDev, Skb, Tx, Xmit};
use rkm::prelude::*;

irq_safe! {
    pub struct Port {
        pub n: u32,
    }
}

#[vtable]
impl net::Operations for Port {
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }

    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}

    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        skb.consume();
        Tx::Sent
    }
}

pub fn twice(reg: Registration<Port>) -> (Registration<Port>, Registration<Port>) {
    (reg.clone(), reg) //~ ERROR E0599: no method named `clone` found
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "net_registration_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
