// SPDX-License-Identifier: GPL-2.0
// Guarantee: no reference into locked data survives a CondVar::wait, which
// releases the mutex while it sleeps (others may change or free the data).
// Misuse: borrow an element, wait, then use the borrow.
// Refused because: wait takes the guard by &mut, which ends shared borrows.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn first_after_wait(m: &Mutex<KVec<u8>>, cv: &CondVar) -> Result<u8> {
    let mut g = m.lock();
    let first = &g[0];
    cv.wait(&mut g)?; //~ ERROR E0502: cannot borrow `g` as mutable
    Ok(*first)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "condvar_wait_keeps_borrow",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
