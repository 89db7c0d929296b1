// SPDX-License-Identifier: GPL-2.0
// Guarantee: module! only accepts a state type that implements Module (its
// init builds the state, its Drop is the exit).
// Misuse: module! with a type that is not a Module.
// Refused because: the static slot requires T: Module (its new, init and
// exit are not there for other types).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

module! { //~ ERROR E0277: `u32: rkm::Module` is not satisfied
    //~^ ERROR E0277: `u32: rkm::Module` is not satisfied
    //~^^ ERROR E0277: `u32: rkm::Module` is not satisfied
    type: u32,
    name: "module_type_not_module",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
