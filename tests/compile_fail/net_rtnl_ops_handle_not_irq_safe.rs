// SPDX-License-Identifier: GPL-2.0
// Guarantee: an interrupt handler reaches a net device's state only
// through RCU (net::OpsHandle::with), never by taking RTNL, which sleeps.
// Misuse: an RtnlOpsHandle in Hw: the handler would call with_rtnl.
// Refused because: RtnlOpsHandle is not IrqSafe (OpsHandle is): E0277.
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, RtnlDev, RtnlOpsHandle, Skb, Tx, Xmit};
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

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub port: RtnlOpsHandle<Port>, //~ ERROR E0277: RtnlOpsHandle<Port>: IrqSafe` is not satisfied
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
    name: "net_rtnl_ops_handle_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
