// SPDX-License-Identifier: GPL-2.0
// Guarantee: the unsafe impl that irq_safe! writes for the driver (allowed
// by #[allow_internal_unsafe]) lends no permission to the driver's own
// tokens passed through the macro.
// Misuse: an unsafe block hidden in a field type's array length, inside
// irq_safe!.
// Refused because: the unsafe_code lint checks the block's span, which is
// the driver's, not the macro's: #![forbid(unsafe_code)] still applies.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub regs: [u32; unsafe { core::mem::transmute::<u64, usize>(4) }], //~ ERROR unsafe_code: usage of an `unsafe` block
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "irq_safe_unsafe_in_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
