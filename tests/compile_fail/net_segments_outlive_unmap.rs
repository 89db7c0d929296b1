// SPDX-License-Identifier: GPL-2.0
// Guarantee: a packet's mapped segments are not read after it is unmapped
// (the glue frees their table at the unmap).
// Misuse: keep the segments iterator across the unmap.
// Refused because: segments() borrows the SkbMapping; unmap moves it: E0505.
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
            let mut segs = m.segments();
            let skb = m.unmap(); //~ ERROR E0505: cannot move out of `m` because it is borrowed
            core::hint::black_box(segs.next());
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
    name: "net_segments_outlive_unmap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
