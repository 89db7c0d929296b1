// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet given back to the stack (NETDEV_TX_BUSY) is the
// stack's again.
// Misuse: return it as Busy and keep using it.
// Refused because: Tx::Busy moves the Skb: E0382.
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
        let t = Tx::Busy(skb);
        let _n = skb.len(); //~ ERROR E0382: borrow of moved value: `skb`
        t
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
    name: "net_skb_used_after_busy",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
