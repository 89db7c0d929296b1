// SPDX-License-Identifier: GPL-2.0
// Guarantee: the module's state, which init and exit may touch on different
// tasks and which lives in a static, is Send + Sync.
// Misuse: module state with an unsynchronised Cell.
// Refused because: Module requires Sized + Send + Sync (and module! keeps
// the state in a static, which must be Sync).
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::prelude::*;

pub struct State {
    pub loads: Cell<u32>,
}

impl Module for State { //~ ERROR E0277: cannot be shared between threads safely
    fn init() -> Result<Self> {
        Ok(State { loads: Cell::new(1) })
    }
}

module! { //~ ERROR E0277: shared static variables must have a type that implements `Sync`
    type: State,
    name: "module_state_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
