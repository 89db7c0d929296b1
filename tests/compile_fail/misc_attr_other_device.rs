// SPDX-License-Identifier: GPL-2.0
// Guarantee: a misc device's attribute callbacks get that device's data,
// never another type's (the glue passes the registration's data pointer).
// Misuse: list an attribute declared for another device type.
// Refused because: ATTRS is a slice of MiscAttr<Self> (E0308).
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver::AttrBuf;
use rkm::miscdev::{MiscAttr, MiscAttributes};
use rkm::prelude::*;

pub struct Ctl {
    pub level: u32,
}

pub struct Other;

fn show_other(_: &Other, _: &mut AttrBuf<'_>) -> Result {
    Ok(())
}

const OTHER_ATTR: MiscAttr<Other> = MiscAttr::ro("level", show_other);

impl MiscAttributes for Ctl {
    const ATTRS: &'static [MiscAttr<Self>] = &[OTHER_ATTR]; //~ ERROR E0308
}

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Ctl;
    fn open(_dev: &Arc<Ctl>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }
}

pub struct Driver {
    _a: MiscDevice<Open>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let dev = Arc::try_new(Ctl { level: 0 })?;
        Ok(Driver { _a: MiscDevice::<Open>::register_with_attrs("cf_dev", 0o600, dev)? })
    }
}

module! {
    type: Driver,
    name: "misc_attr_other_device",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
