// SPDX-License-Identifier: GPL-2.0
// Guarantee: set_rx_mode's multicast list is the glue's copy, freed when
// the call returns: it cannot be kept.
// Misuse: keep the list for later.
// Refused because: RxMode lends the list for the call only (E0521).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, NetDev, RtnlDev, RxMode, Skb, Tx, Xmit, ETH_ALEN};
use rkm::prelude::*;

fn keep_list(_mc: &'static [[u8; ETH_ALEN]]) {}

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

    fn set_rx_mode(&self, _dev: &NetDev<'_>, mode: &RxMode<'_>) {
        keep_list(mode.multicast()); //~ ERROR E0521: borrowed data escapes outside of method
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
    name: "net_rx_mode_list_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
