// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet is freed once.
// Misuse: consume the packet, then drop it too.
// Refused because: consume takes the Skb by value (E0382).
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
        skb.consume();
        drop(skb); //~ ERROR E0382: use of moved value: `skb`
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
    name: "net_skb_consumed_twice",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
