// SPDX-License-Identifier: GPL-2.0
// Guarantee: the CPU does not write the headers of a packet mapped for the
// device (a write after dma_map is lost with a bounce buffer).
// Misuse: prepare the offloads (which writes headers) after mapping.
// Refused because: SkbMapping has no tx_offload (E0599); the Skb itself was
// moved into it.
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
        if let Ok(mut m) = skb.map_tx(dev) {
            let _ = m.tx_offload(); //~ ERROR E0599: no method named `tx_offload` found for struct `SkbMapping`
            m.unmap().consume();
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
    name: "net_offload_on_mapped_skb",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
