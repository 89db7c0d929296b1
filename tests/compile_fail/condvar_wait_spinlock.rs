// SPDX-License-Identifier: GPL-2.0
// Guarantee: a task sleeps on a condition variable only with a Mutex held,
// never a spinlock (sleeping in atomic context).
// Misuse: wait on a CondVar with a SpinLock guard.
// Refused because: CondVar::wait takes &mut MutexGuard only.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn wait_ready(s: &SpinLock<bool>, cv: &CondVar) -> Result {
    let mut g = s.lock();
    while !*g {
        cv.wait(&mut g)?; //~ ERROR E0308: mismatched types
    }
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
    name: "condvar_wait_spinlock",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
