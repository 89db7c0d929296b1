// SPDX-License-Identifier: GPL-2.0
// Guarantee: only plain data is Pod, so no reference is read from userspace.
// Misuse: the struct pod! declares is removed by #[cfg(any())], so its
// checks measure the declared fields (a u64) while `unsafe impl Pod for Ptr`
// lands on another Ptr: a Copy wrapper of a &'static u64. Reading a Ptr
// from userspace then dereferences any kernel address userspace names.
// This compiled until this suite found it: pod! must implement Pod only for the struct it
// checked. Fixed: accept only doc attributes (`$(#[doc = $d:expr])*`); the
// macro then has no rule for this input (no error code).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[derive(Clone, Copy)]
pub struct Ptr(pub &'static u64);

pod! {
    #[cfg(any())] //~ ERROR: no rules expected
    pub struct Ptr { pub addr: u64 }
}

pub fn peek(arg: usize) -> Result<u64> {
    let p: Ptr = UserSlice::new(arg, 8).reader().read()?;
    Ok(*p.0)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pod_cfg_struct",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
