// SPDX-License-Identifier: GPL-2.0
// Guarantee: a parameter's default lies within its declared range (the
// range the glue enforces on values set at load time or through sysfs).
// Misuse: default 0 for a parameter of range 1..=1024.
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

module! { //~ ERROR E0080: default outside range
    type: Driver,
    name: "param_default_out_of_range",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
    params: {
        depth: u32 { default: 0, perm: 0o644, desc: "Queue depth", range: 1..=1024 },
    },
}
