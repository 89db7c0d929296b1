// SPDX-License-Identifier: GPL-2.0
// Guarantee: a Registration is dropped (unregister_netdev: sleeps, takes
// RTNL) only in process context, never from an atomic callback, a NAPI
// poll or an interrupt handler.
// Misuse: keep another device's Registration in the state the atomic
// callbacks see, to drop it from start_xmit.
// Refused because: Registration is not IrqSafe (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, Registration, RtnlDev, Skb, Tx, Xmit};
use rkm::prelude::*;

irq_safe! {
    pub struct Inner {
        pub n: u32,
    }
}

#[vtable]
impl net::Operations for Inner {
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }

    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}

    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        skb.consume();
        Tx::Sent
    }
}

irq_safe! {
    pub struct Port {
        pub other: Option<Registration<Inner>>, //~ ERROR E0277: the trait bound `rkm::net::Registration<Inner>: IrqSafe` is not satisfied
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
    name: "net_registration_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
