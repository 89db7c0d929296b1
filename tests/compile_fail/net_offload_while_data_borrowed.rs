// SPDX-License-Identifier: GPL-2.0
// Guarantee: no slice of a packet's data sees the headers change under it.
// Misuse: hold the data, prepare the offloads (which writes headers), read on.
// Refused because: tx_offload takes &mut Skb while data() borrows it: E0502.
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

    fn start_xmit(&self, _dev: &Xmit<'_>, mut skb: Skb) -> Tx {
        let d = skb.data();
        let _ = skb.tx_offload(); //~ ERROR E0502: cannot borrow `skb` as mutable because it is also borrowed as immutable
        core::hint::black_box(d);
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
    name: "net_offload_while_data_borrowed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
