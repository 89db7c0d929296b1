// SPDX-License-Identifier: GPL-2.0
// Guarantee: once unmapped, a packet's device address is gone: the device
// must not be given it again.
// Misuse: unmap the mapping, then read its device address.
// Refused because: unmap consumes the SkbMapping (E0382).
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
        let m = match skb.map_tx(dev) {
            Ok(m) => m,
            Err((skb, _)) => return Tx::Busy(skb),
        };
        let skb = m.unmap();
        core::hint::black_box(m.dma_addr_u64()); //~ ERROR E0382: borrow of moved value: `m`
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
    name: "net_skb_mapping_used_after_unmap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
