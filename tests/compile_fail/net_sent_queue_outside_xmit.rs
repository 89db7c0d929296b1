// SPDX-License-Identifier: GPL-2.0
// Guarantee: bytes are queued for the byte queue limits only in start_xmit,
// under the queue's transmit lock, which serialises dql_queued() (the glue
// takes no lock of its own there, as C drivers take none).
// Misuse: queue bytes from another atomic callback, beside a start_xmit.
// Refused because: sent_queue is a method of Xmit, which only start_xmit
// gets, not of NetDev: E0599.
#![no_std]
#![forbid(unsafe_code)]

use rkm::net::{self, NetDev, RtnlDev, Skb, Stats, Tx, Xmit};
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
        dev.sent_queue(skb.len() as u32);
        skb.consume();
        Tx::Sent
    }

    fn get_stats64(&self, dev: &NetDev<'_>, _stats: &mut Stats) {
        dev.sent_queue(64); //~ ERROR E0599: no method named `sent_queue`
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
    name: "net_sent_queue_outside_xmit",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
