// SPDX-License-Identifier: GPL-2.0
// Guarantee: a slice of a packet's data does not outlive the packet.
// Misuse: borrow the data, free the packet, read the slice.
// Refused because: data() borrows the Skb; drop moves it: E0505.
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
        let d = skb.data();
        drop(skb); //~ ERROR E0505: cannot move out of `skb` because it is borrowed
        core::hint::black_box(d.len());
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
    name: "net_skb_data_outlives_skb",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
