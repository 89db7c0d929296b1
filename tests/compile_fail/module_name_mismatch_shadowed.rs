// SPDX-License-Identifier: GPL-2.0
// Guarantee: the name in module! is the module's file name, even in a driver
// that shadows the names module!'s check used.
// Misuse: the driver's own `option_env!` (always `None`) and `assert!`
// (`()`), then module! naming another module: the check used to call both
// by their plain names, and this case compiled.
// Refused because: module! reaches `option_env!`, `assert!` and
// `Option::{Some, None}` through `$crate::__private`.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[allow(unused_macros)] // used by module! before the fix
macro_rules! option_env {
    ($($t:tt)*) => {
        ::core::option::Option::None::<&str>
    };
}
#[allow(unused_macros)]
macro_rules! assert {
    ($($t:tt)*) => {
        ()
    };
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! { //~ ERROR E0080: module! name differs from the module's file name
    type: Driver,
    name: "some_other_module",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
