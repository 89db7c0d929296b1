// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot hide unsafe code in a macro of its own, as the
// rkm crate's macros do for the code they generate.
// Misuse: enable the allow_internal_unsafe feature (RUSTC_BOOTSTRAP=1 is set
// for every rustc call) and define a macro that wraps its argument in an
// unsafe block.
// Refused because: -Zallow-features=used_with_arg (kbuild/rkm.mk) admits no
// other feature (E0725), so the attribute stays gated (E0658); declaring it
// is unsafe code too (-Funsafe_code).
#![no_std]
#![allow(internal_features)]
#![feature(allow_internal_unsafe)] //~ ERROR E0725: the feature `allow_internal_unsafe` is not in the list of allowed features

use rkm::prelude::*;

#[allow_internal_unsafe] //~ ERROR E0658 //~ ERROR unsafe_code: `allow_internal_unsafe` allows defining macros
macro_rules! unchecked {
    ($e:expr) => {
        unsafe { $e }
    };
}

pub fn read_at(addr: usize) -> u8 {
    unchecked!(core::ptr::read_volatile(addr as *const u8))
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "allow_internal_unsafe_smuggled",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
