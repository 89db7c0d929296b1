// SPDX-License-Identifier: GPL-2.0
// Guarantee: the module state is built once by module init and dropped once
// by module exit (ModuleSlot::init and exit are unsafe for that reason).
// Misuse: call the entry points module! generates from driver code: the
// state is dropped now and again at rmmod (double free), or overwritten.
// This compiled until this suite found it: they are the glue's entry points, not driver
// API. module! defines them as safe `extern "C" fn` items in the driver's
// crate root, so any code may call them. Fixed: define them inside
// `const _: () = { ... };` (still exported, no longer nameable); the error
// is then E0425.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Driver {
    buf: KVec<u8>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let mut buf = KVec::new();
        buf.try_push(1)?;
        Ok(Driver { buf })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        pr_info!("{}\n", self.buf.len());
    }
}

pub fn unload_now() {
    rkm_rust_exit(); //~ ERROR E0425: cannot find function `rkm_rust_exit`
}


module! {
    type: Driver,
    name: "module_entry_callable",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
