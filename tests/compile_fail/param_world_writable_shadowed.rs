// SPDX-License-Identifier: GPL-2.0
// Guarantee: no module parameter is world-writable, even in a driver with a
// macro of its own named like one module! uses.
// Misuse: the driver's own `assert!` (it expands to `()`), then a parameter
// with mode 0o666. The parameter declarations expand inside `mod params`,
// where the driver's macro_rules! are still in scope: they used to call a
// plain `assert!`, so this case compiled (only the kernel's BUILD_BUG_ON in
// the generated C, one stage later, still stood in the way).
// Refused because: module! and its parameter declarations reach every name
// through `$crate::__private`. (ok_shadowed_names shadows the others.)
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[allow(unused_macros)] // used by module! before the fix
macro_rules! assert {
    ($($t:tt)*) => {
        ()
    };
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        pr_info!("depth {}\n", params::depth());
        Ok(Driver)
    }
}

module! { //~ ERROR E0080: a parameter may not be world-writable
    type: Driver,
    name: "param_world_writable_shadowed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
    params: {
        depth: u32 { default: 8, perm: 0o666, desc: "Queue depth" },
    },
}
