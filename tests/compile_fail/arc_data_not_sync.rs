// SPDX-License-Identifier: GPL-2.0
// Guarantee: an Arc moves to another thread only if its data may be shared
// (T: Sync + Send), so unsynchronised interior mutability is not shared.
// Misuse: send an Arc<Cell<u64>> to another thread.
// Refused because: Arc<T>: Send needs T: Sync + Send; Cell is not Sync.
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::prelude::*;

fn need_send<T: Send>(_: T) {}

pub fn share() -> Result {
    let counter = Arc::try_new(Cell::new(0u64))?;
    need_send(counter.clone()); //~ ERROR E0277: cannot be shared between threads safely
    counter.set(1);
    Ok(())
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "arc_data_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
