// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet has one owner, which frees or hands it on once.
// Misuse: clone the Skb, which would free the sk_buff twice.
// Refused because: Skb implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, RtnlDev, Skb, Tx, Xmit};
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
        let other = skb.clone(); //~ ERROR E0599: no method named `clone` found for struct `Skb`
        drop(other);
        Tx::Sent
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "net_skb_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
