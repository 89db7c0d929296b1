// SPDX-License-Identifier: GPL-2.0
// Guarantee: the state the atomic callbacks (start_xmit, poll, set_rx_mode)
// see never sleeps.
// Misuse: implement the operations on a struct holding a Mutex.
// Refused because: Operations requires IrqSafe (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, RtnlDev, Skb, Tx, Xmit};
use rkm::prelude::*;

pub struct Port {
    pub m: Mutex<u32>,
}

#[vtable]
impl net::Operations for Port {
    //~^ ERROR E0277: the trait bound `Port: IrqSafe` is not satisfied
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }

    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}

    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        let _g = self.m.lock();
        skb.consume();
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
    name: "net_ops_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
