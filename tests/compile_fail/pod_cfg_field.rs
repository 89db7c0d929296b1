// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pod! struct has no padding (so no uninitialised kernel byte
// reaches userspace) and accepts any bytes.
// Misuse: a field removed by #[cfg(any())] still counts in the size check:
// 1 + 1 + 2 == 4 == size_of::<Leak>(), yet Leak is u8, a padding byte, u16.
// write() then copies the padding byte to userspace (reading it as a u32
// first: undefined behaviour).
// This compiled until this suite found it: pod! sums the declared fields, not the struct's.
// Fixed: accept only doc attributes (`$(#[doc = $d:expr])*`) on the struct
// and its fields; the macro then has no rule for this input (no error code).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! {
    pub struct Leak {
        pub a: u8,
        #[cfg(any())] //~ ERROR: no rules expected
        pub gone: u8,
        pub b: u16,
    }
}

pub fn leak(arg: usize) -> Result {
    UserSlice::new(arg, 4).writer().write(&Leak { a: 1, b: 2 })
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pod_cfg_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
