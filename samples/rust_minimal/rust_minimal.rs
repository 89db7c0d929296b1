// SPDX-License-Identifier: GPL-2.0
//! rust_minimal: logs on load and unload; shows that a failing init returns
//! its errno to insmod, and that teardown runs in reverse order of setup.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

/// A piece of module state that logs when it is set up and torn down.
struct Part(&'static str);

impl Part {
    fn new(name: &'static str) -> Result<Self> {
        pr_info!("setting up {}\n", name);
        Ok(Part(name))
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        pr_info!("tearing down {}\n", self.0);
    }
}

// Rust drops fields in declaration order: declare them in the reverse of the
// order init builds them, as a C exit function undoes init backwards. The
// parts are held only for their teardown, hence the leading underscores.
struct RustMinimal {
    _second: Part,
    _first: Part,
    answer: u32,
}

impl Module for RustMinimal {
    fn init() -> Result<Self> {
        pr_info!("Rust minimal sample (init)\n");
        let first = Part::new("first")?;
        let errno = params::fail_with();
        if errno != 0 {
            // `first` is torn down on the way out: nothing stays registered.
            return Err(Error::from_errno(-errno));
        }
        let second = Part::new("second")?;
        Ok(RustMinimal { _second: second, _first: first, answer: 42 })
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
    params: {
        fail_with: i32 { default: 0, perm: 0o444, desc: "Fail init with this errno (test)", range: 0..=4095 },
    },
}
