// SPDX-License-Identifier: GPL-2.0
// Guarantee: Pod is only implemented where rkm checked it: for integers and
// arrays by the crate, for structs by pod! (fields Pod, no padding).
// Misuse: implement Pod by hand for a struct with padding.
// Refused because: Pod is an unsafe trait, and the driver forbids unsafe
// code (the unsafe_code lint).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Hdr {
    pub kind: u8,
    pub len: u32,
}

unsafe impl rkm::user::Pod for Hdr {} //~ ERROR unsafe_code: implementation of an `unsafe` trait

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pod_manual_impl",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
