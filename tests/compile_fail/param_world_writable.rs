// SPDX-License-Identifier: GPL-2.0
// Guarantee: no module parameter is world-writable (any user could change
// driver behaviour through sysfs); the kernel itself BUILD_BUG()s on it.
// Misuse: a parameter with mode 0o666.
// Refused because: module!'s parameter declaration asserts it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        pr_info!("depth {}\n", params::depth());
        Ok(Driver)
    }
}

module! { //~ ERROR E0080: a parameter may not be world-writable
    type: Driver,
    name: "param_world_writable",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
    params: {
        depth: u32 { default: 8, perm: 0o666, desc: "Queue depth" },
    },
}
