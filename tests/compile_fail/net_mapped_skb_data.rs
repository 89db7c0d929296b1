// SPDX-License-Identifier: GPL-2.0
// Guarantee: the CPU does not touch a packet mapped for the device.
// Misuse: read the data of the mapping of a packet.
// Refused because: SkbMapping has no data accessor (E0599); the Skb itself
// was moved into it.
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
        match skb.map_tx(dev) {
            Ok(m) => {
                core::hint::black_box(m.data()); //~ ERROR E0599: no method named `data` found for struct `SkbMapping`
                m.unmap().consume();
            }
            Err((skb, _)) => drop(skb),
        }
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
    name: "net_mapped_skb_data",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
