// SPDX-License-Identifier: GPL-2.0
// Must compile: a platform driver whose probe makes a char-device region
// whose minors reach the binding through a DeviceRef, a module-created
// platform device, and a misc device with sysfs attributes (rust_scull's shape).
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use rkm::driver::{self, AttrBuf};
use rkm::miscdev::{MiscAttr, MiscAttributes};
use rkm::platform::{self, DeviceRef, PlatformDevice};
use rkm::prelude::*;
use rkm::chrdev;

pub struct Ctl {
    pub level: Mutex<u32>,
}

fn show(ctl: &Ctl, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "{}", *ctl.level.lock()).map_err(|_| EFBIG)
}

fn store(ctl: &Ctl, text: &[u8]) -> Result {
    *ctl.level.lock() = text.len() as u32;
    Ok(())
}

impl MiscAttributes for Ctl {
    const ATTRS: &'static [MiscAttr<Self>] = &[MiscAttr::rw("level", show, store)];
}

pub struct CtlOpen;

#[rkm::vtable]
impl FileOperations for CtlOpen {
    type Device = Ctl;
    fn open(_dev: &Arc<Ctl>, _file: &OpenFile) -> Result<Self> {
        Ok(CtlOpen)
    }
}

pub struct Minor {
    pub dev: DeviceRef<Dev>,
}

pub struct MinorOpen {
    pub minor: Arc<Minor>,
}

#[rkm::vtable]
impl FileOperations for MinorOpen {
    type Device = Minor;
    fn open(dev: &Arc<Minor>, _file: &OpenFile) -> Result<Self> {
        let _bound = dev.dev.access().ok_or(ENODEV)?;
        Ok(MinorOpen { minor: dev.clone() })
    }
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = ();
    type Data = chrdev::Registration<MinorOpen>;
}

impl platform::Driver for Dev {
    fn probe(
        &self,
        dev: &mut platform::Device<'_, Self>,
    ) -> Result<((), chrdev::Registration<MinorOpen>)> {
        let reg = chrdev::Registration::register("cf_dev", 2, 0o600, |_| {
            Arc::try_new(Minor { dev: dev.device_ref() })
        })?;
        dev_info!(dev, "probed\n");
        Ok(((), reg))
    }
}

pub struct Driver {
    _pdev: PlatformDevice,
    _drv: platform::Registration<Dev>,
    _ctl: MiscDevice<CtlOpen>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let ctl = Arc::try_new(Ctl { level: new_mutex!(0)? })?;
        let ctl = MiscDevice::<CtlOpen>::register_with_attrs("cf_ctl", 0o600, ctl)?;
        let drv = platform::Registration::register(Dev)?;
        Ok(Driver { _pdev: PlatformDevice::register("cf_dev", 0)?, _drv: drv, _ctl: ctl })
    }
}

module! {
    type: Driver,
    name: "ok_device_kinds",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
