// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pod! struct has no padding, so writing it to userspace never
// leaks uninitialised kernel stack bytes, whatever the driver calls `assert`.
// Misuse: the driver defines its own `assert!` that expands to nothing, then
// declares a pod! struct with 3 bytes of padding (u8 then u32) and writes it
// to userspace. pod! used to expand to a plain `assert!`, resolved in the
// driver's scope: the check vanished and this case compiled (module! comes
// first so that only pod! sees the driver's macro).
// Refused because: pod! names its check `$crate::__private::assert!`, which
// no item or macro of the driver can shadow.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pod_padding_shadowed_assert",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}

#[allow(unused_macros)] // used by pod! before the fix
macro_rules! assert {
    ($($t:tt)*) => {};
}

pod! { //~ ERROR E0080: a Pod struct may not have padding
    pub struct Hdr { pub kind: u8, pub len: u32 }
}

pub fn leak(arg: usize) -> Result {
    UserSlice::new(arg, 8).writer().write(&Hdr { kind: 1, len: 2 })
}
