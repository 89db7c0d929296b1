// SPDX-License-Identifier: GPL-2.0
// Guarantee: a configfs attribute uses nothing but the item (or subsystem)
// it is given, so it cannot reach memory that outlives neither.
// Misuse: make an attribute of a closure capturing a local.
// Refused because: attributes are plain fn pointers, and a capturing
// closure does not coerce to one.
#![no_std]
#![forbid(unsafe_code)]

use rkm::configfs::{Attribute, Page};
use rkm::prelude::*;

pub fn table(limit: &u64) -> Attribute<u64> {
    Attribute::ro("limit", |v: &u64, _p: &mut Page<'_>| if v > limit { Err(EINVAL) } else { Ok(()) }) //~ ERROR E0308: mismatched types
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "configfs_attr_closure_captures",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
