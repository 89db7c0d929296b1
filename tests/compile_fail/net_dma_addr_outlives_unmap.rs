// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet's device address is not used after it is unmapped.
// Misuse: take a mapping's address, unmap, then use the address.
// Refused because: the DmaAddr borrows the SkbMapping; unmap moves it: E0505.
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
        if let Ok(m) = skb.map_tx(dev) {
            let addr = m.dma_addr();
            let skb = m.unmap(); //~ ERROR E0505: cannot move out of `m` because it is borrowed
            core::hint::black_box(addr);
            skb.consume();
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
    name: "net_dma_addr_outlives_unmap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
