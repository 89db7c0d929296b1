// SPDX-License-Identifier: GPL-2.0
// Guarantee: the CPU does not touch a packet mapped for the device.
// Misuse: map a packet, then read it through the old handle.
// Refused because: map_tx takes the Skb by value: E0382.
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

    fn start_xmit(&self, dev: &Xmit<'_>, skb: Skb) -> Tx {
        let m = skb.map_tx(dev);
        core::hint::black_box(skb.data()); //~ ERROR E0382: borrow of moved value: `skb`
        drop(m);
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
    name: "net_mapped_skb_original_used",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
