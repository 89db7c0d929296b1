// SPDX-License-Identifier: GPL-2.0
//! Empty `compiler_builtins`: rustc injects it into every no_std crate. The
//! kernel provides what is really needed (memcpy, memset, thunks); anything
//! else shows up as an undefined symbol at modpost time.
#![allow(internal_features)]
#![feature(compiler_builtins)]
#![compiler_builtins]
#![no_builtins]
#![no_std]
