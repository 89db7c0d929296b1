// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The correct forms of what the user memory,
// pod!, ioctl and allocation cases get wrong: one reader (or reader_writer)
// per buffer, Pod structs without padding, fallible allocation with `?`.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! {
    /// A request: no padding, every field Pod.
    pub struct Req { pub size: u32, pub version: u32, pub len: u64 }
    /// An array of Pod is Pod.
    pub struct Table { pub ids: [u16; 4], pub count: u64 }
}

pub const IOC_REQ: u32 = ioctl::iowr::<Req>(b'x', 1);
pub const IOC_TABLE: u32 = ioctl::ior::<Table>(b'x', 2);
pub const IOC_RESET: u32 = ioctl::io(b'x', 3);

pub fn request(arg: usize) -> Result<isize> {
    let (mut r, mut w) = UserSlice::new(arg, core::mem::size_of::<Req>()).reader_writer();
    let mut req: Req = r.read()?;
    if req.size as usize != core::mem::size_of::<Req>() || req.version != 1 {
        return Err(EINVAL);
    }
    req.len = 4096;
    w.write(&req)?;
    Ok(0)
}

pub fn copy_in(mut input: UserSliceReader) -> Result<KVec<u8>> {
    let mut data = KVec::new();
    data.try_resize(input.len().min(4096), 0)?;
    let n = input.read_partial(&mut data)?;
    data.truncate(n);
    let b = KBox::try_new(n)?;
    pr_info!("{} bytes, {:?}\n", *b, KString::try_fmt(format_args!("{:?}", Table::default()))?);
    Ok(data)
}

pub fn errno(e: i32) -> Error {
    Error::from_errno(e)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "ok_user",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
