// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock guard cannot leave the thread that took the lock (the
// kernel requires the owner to unlock a mutex).
// Misuse: hand a MutexGuard to something that may run on another thread.
// Refused because: Guard holds a PhantomData<*mut ()>, so it is !Send.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

/// What a work queue or kthread API would require of its payload.
fn need_send<T: Send>(_: T) {}

pub fn hand_off(m: &Mutex<u32>) {
    need_send(m.lock()); //~ ERROR E0277: cannot be sent between threads safely
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "guard_not_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
