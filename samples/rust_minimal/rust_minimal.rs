// SPDX-License-Identifier: GPL-2.0
//! rust_minimal: logs on load and unload.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct RustMinimal {
    answer: u32,
}

impl Module for RustMinimal {
    fn init() -> Result<Self> {
        pr_info!("Rust minimal sample (init)\n");
        Ok(RustMinimal { answer: 42 })
    }
}

impl Drop for RustMinimal {
    fn drop(&mut self) {
        pr_info!("Rust minimal sample (exit), answer {}\n", self.answer);
    }
}

module! {
    type: RustMinimal,
    name: "rust_minimal",
    authors: ["rkm developers"],
    description: "Rust minimal sample: logs on load and unload",
    license: "GPL",
}
