// SPDX-License-Identifier: GPL-2.0
// Guarantee: per-open state stays valid until release(), which may come long
// after the registration is dropped ("files still open keep their state").
// Misuse: a device whose per-open state borrows data of one ioctl call
// (Sub<'a> holds &'a Mutex<u32>); a file opened on it while the ioctl runs
// keeps the reference after the ioctl returns and the caller's file is
// closed (use after free in Sub::read).
// This compiled until this suite found it: FileOperations has no 'static bound, so
// MiscDevice<Sub<'a>> registers a state type that may dangle. Fix:
// `trait FileOperations: Sized + Send + Sync + 'static` (and
// `type Device: Send + Sync + 'static`); the errors are then E0478, E0803
// and E0477 on the impl, E0521 on the registration.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Main {
    inner: Mutex<u32>,
}

pub struct MainFile {
    dev: Arc<Main>,
}

pub struct Sub<'a> {
    inner: &'a Mutex<u32>,
}

#[rkm::vtable]
impl<'a> FileOperations for Sub<'a> { //~ ERROR E0478: lifetime bound not satisfied //~ ERROR E0803
    type Device = &'a Mutex<u32>; //~ ERROR E0477: does not fulfill the required lifetime

    fn open(dev: &Arc<&'a Mutex<u32>>, _file: &OpenFile) -> Result<Self> {
        Ok(Sub { inner: **dev })
    }

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        *self.inner.lock() += 1;
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for MainFile {
    type Device = Main;

    fn open(dev: &Arc<Main>, _file: &OpenFile) -> Result<Self> {
        Ok(MainFile { dev: dev.clone() })
    }

    fn ioctl(&self, _file: &File, _cmd: u32, _arg: usize) -> Result<isize> {
        let dev = Arc::try_new(&self.dev.inner)?;
        let reg = MiscDevice::<Sub<'_>>::register("cf_sub", 0o666, dev)?; //~ ERROR E0521
        drop(reg);
        Ok(0)
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
    name: "file_state_borrows_caller",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
