// SPDX-License-Identifier: GPL-2.0
//! Broken on purpose: panics at load. mode=0: an explicit panic; mode=1: an
//! integer overflow, which panics only when built with RKM_DEBUG=1.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct RustPanic;

impl Module for RustPanic {
    fn init() -> Result<Self> {
        let mode = params::mode();
        if mode == 0 {
            panic!("deliberate panic for the harness self-test, mode {}", mode);
        }
        let sum = params::base() + u32::MAX;
        pr_info!("no overflow check: u32::MAX + {} = {}\n", params::base(), sum);
        Ok(RustPanic)
    }
}

module! {
    type: RustPanic,
    name: "rust_panic",
    authors: ["rkm developers"],
    description: "rkm harness self-test: a Rust module that panics",
    license: "GPL",
    params: {
        mode: u32 { default: 0, perm: 0o444, desc: "0: panic!, 1: overflow" },
        base: u32 { default: 1, perm: 0o444, desc: "Added to u32::MAX" },
    },
}
