// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet handed to the stack is not touched by the driver again.
// Misuse: receive a packet, then read its length.
// Refused because: NetDev::receive takes the Skb by value: E0382.
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

    fn start_xmit(&self, dev: &Xmit<'_>, skb: Skb) -> Tx {
        dev.receive(skb);
        let n = skb.len(); //~ ERROR E0382: borrow of moved value: `skb`
        self.n.checked_add(n as u32).map_or(Tx::Sent, |_| Tx::Sent)
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
    name: "net_skb_used_after_receive",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
