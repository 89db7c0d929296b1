// SPDX-License-Identifier: GPL-2.0
// Guarantee: set_rx_mode, called in atomic context under the device's
// address spinlock, cannot call what sleeps.
// Misuse: disable NAPI (napi_disable sleeps) from set_rx_mode.
// Refused because: set_rx_mode gets a NetDev, and only RtnlDev (process
// context callbacks) has napi_disable (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, NetDev, RtnlDev, RxMode, Skb, Tx, Xmit};
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

    fn set_rx_mode(&self, dev: &NetDev<'_>, _mode: &RxMode<'_>) {
        dev.napi_disable(); //~ ERROR E0599: no method named `napi_disable` found for reference `&NetDev<'_>`
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
    name: "net_rx_mode_cannot_sleep",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
