// SPDX-License-Identifier: GPL-2.0
// Guarantee: what the atomic callbacks see (the driver's &Self) cannot
// take RTNL, which sleeps.
// Misuse: keep an RtnlHandle in the state every callback sees.
// Refused because: RtnlHandle is not IrqSafe (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, RtnlDev, RtnlHandle, Skb, Tx, Xmit};
use rkm::prelude::*;

irq_safe! {
    pub struct Port {
        pub reset: RtnlHandle, //~ ERROR E0277: the trait bound `RtnlHandle: IrqSafe` is not satisfied
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

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "net_rtnl_handle_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
