// SPDX-License-Identifier: GPL-2.0
// Guarantee: nothing that reaches the net_device outlives the callback
// that was lent it (a NetDev, a Poll): unregistration frees the device once
// no callback runs.
// Misuse: keep the start_xmit's NetDev and the poll's Poll for later.
// Refused because: both borrow the device for the call only ('_), and the
// keeper wants them for 'static: borrowed data escapes (E0521).
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, NetDev, Poll, RtnlDev, Skb, Tx, Xmit};
use rkm::prelude::*;

fn keep_dev(_dev: &'static NetDev<'static>) {}
fn keep_poll(_napi: &'static mut Poll<'static>) {}

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
        keep_dev(dev); //~ ERROR E0521: borrowed data escapes outside of method
        skb.consume();
        Tx::Sent
    }

    fn poll(&self, napi: &mut Poll<'_>) -> u32 {
        keep_poll(napi); //~ ERROR E0521: borrowed data escapes outside of method
        0
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
    name: "net_dev_outlives_callback",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
