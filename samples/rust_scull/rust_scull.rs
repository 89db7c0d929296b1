// SPDX-License-Identifier: GPL-2.0
//! rust_scull: a platform driver whose probe creates a char-device region of
//! four independent buffer devices, /dev/rust_scull0..3, plus a misc control
//! device /dev/rust_scull_ctl whose sysfs attribute `cap` is the buffers'
//! capacity. The module creates the platform device itself. The user
//! interface (and every errno) is specified in scull.h; c_scull/ is its C
//! twin.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use rkm::chrdev;
use rkm::driver::{self, AttrBuf};
use rkm::miscdev::{MiscAttr, MiscAttributes};
use rkm::platform::{self, DeviceRef, PlatformDevice};
use rkm::prelude::*;

const NAME: &str = "rust_scull";
const MINORS: u32 = 4;
const DEFAULT_CAP: usize = 4096;
const MAX_CAP: usize = 65536;

const IOC_LEN: u32 = ioctl::io(b's', 1);
const IOC_CLEAR: u32 = ioctl::io(b's', 2);

/// The control device's data: the capacity of every buffer.
struct Ctl {
    cap: Mutex<usize>,
}

impl MiscAttributes for Ctl {
    const ATTRS: &'static [MiscAttr<Self>] = &[MiscAttr::rw("cap", show_cap, store_cap)];
}

fn show_cap(ctl: &Ctl, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "{}", *ctl.cap.lock()).map_err(|_| EFBIG)
}

fn store_cap(ctl: &Ctl, text: &[u8]) -> Result {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let s = core::str::from_utf8(text).map_err(|_| EINVAL)?;
    // Digits only: no sign, no spaces (as kstrtoul in the C twin).
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EINVAL);
    }
    let cap: usize = s.parse().map_err(|_| EINVAL)?;
    if cap == 0 || cap > MAX_CAP {
        return Err(EINVAL);
    }
    *ctl.cap.lock() = cap;
    Ok(())
}

/// The control device's files: nothing but open and close.
struct CtlFile;

#[rkm::vtable]
impl FileOperations for CtlFile {
    type Device = Ctl;
    fn open(_dev: &Arc<Ctl>, _file: &OpenFile) -> Result<Self> {
        Ok(CtlFile)
    }
}

/// The platform driver; its value lives as long as the registration.
struct Scull {
    ctl: Arc<Ctl>,
}

/// Per bound device: the buffers, and the region whose minors reach them.
struct ScullData {
    bufs: KVec<Mutex<KVec<u8>>>,
    // Dropped at unbind, after the gate closed: the nodes go, open files
    // keep their Minor and get ENODEV from `access`.
    _nodes: chrdev::Registration<MinorFile>,
}

impl driver::Driver for Scull {
    const NAME: &'static str = NAME;
    type Hw = ();
    type Data = ScullData;
}

impl platform::Driver for Scull {
    fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ScullData)> {
        let mut bufs = KVec::new();
        for _ in 0..MINORS {
            bufs.try_push(new_mutex!(KVec::new())?)?;
        }
        let nodes = chrdev::Registration::register(NAME, MINORS, 0o666, |idx| {
            Arc::try_new(Minor { idx: idx as usize, dev: dev.device_ref(), ctl: self.ctl.clone() })
        })?;
        dev_info!(dev, "{} minors\n", MINORS);
        Ok(((), ScullData { bufs, _nodes: nodes }))
    }
}

/// One minor's device data.
struct Minor {
    idx: usize,
    dev: DeviceRef<Scull>,
    ctl: Arc<Ctl>,
}

struct MinorFile {
    minor: Arc<Minor>,
}

impl MinorFile {
    /// Runs `f` on this minor's buffer while the device is bound.
    fn with_buf<R>(&self, f: impl FnOnce(&mut KVec<u8>) -> Result<R>) -> Result<R> {
        let dev = self.minor.dev.access().ok_or(ENODEV)?;
        let buf = dev.data().bufs.get(self.minor.idx).ok_or(ENODEV)?;
        let mut b = buf.lock();
        f(&mut b)
    }
}

#[rkm::vtable]
impl FileOperations for MinorFile {
    type Device = Minor;

    fn open(dev: &Arc<Minor>, _file: &OpenFile) -> Result<Self> {
        Ok(MinorFile { minor: dev.clone() })
    }

    fn read(&self, _file: &File, mut out: UserSliceWriter, pos: &mut i64) -> Result<usize> {
        self.with_buf(|b| {
            if out.is_empty() {
                return Ok(0);
            }
            let start = usize::try_from(*pos)?;
            let avail = b.get(start..).unwrap_or(&[]);
            if avail.is_empty() {
                return Ok(0);
            }
            let n = out.write_partial(avail)?;
            *pos += n as i64;
            Ok(n)
        })
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, pos: &mut i64) -> Result<usize> {
        let cap = *self.minor.ctl.cap.lock();
        self.with_buf(|b| {
            if input.is_empty() {
                return Ok(0);
            }
            let start = usize::try_from(*pos)?;
            if start >= cap {
                return Err(ENOSPC);
            }
            let k = input.len().min(cap - start);
            let mut chunk = KVec::new();
            chunk.try_resize(k, 0u8)?;
            let n = input.read_partial(&mut chunk)?;
            let end = start + n;
            if b.len() < end {
                b.try_resize(end, 0)?;
            }
            if let (Some(dst), Some(src)) = (b.get_mut(start..end), chunk.get(..n)) {
                dst.copy_from_slice(src);
            }
            *pos += n as i64;
            Ok(n)
        })
    }

    fn ioctl(&self, _file: &File, cmd: u32, _arg: usize) -> Result<isize> {
        self.with_buf(|b| match cmd {
            IOC_LEN => Ok(b.len() as isize),
            IOC_CLEAR => {
                b.clear();
                Ok(0)
            }
            _ => Err(ENOTTY),
        })
    }
}

struct RustScull {
    // Dropped in this order: the device (unbinding it), the driver, the control.
    _pdev: PlatformDevice,
    _drv: platform::Registration<Scull>,
    _ctl: MiscDevice<CtlFile>,
}

impl Module for RustScull {
    fn init() -> Result<Self> {
        let ctl = Arc::try_new(Ctl { cap: new_mutex!(DEFAULT_CAP)? })?;
        let ctl_dev =
            MiscDevice::<CtlFile>::register_with_attrs("rust_scull_ctl", 0o666, ctl.clone())?;
        let drv = platform::Registration::register(Scull { ctl })?;
        let pdev = PlatformDevice::register(NAME, 0)?;
        Ok(RustScull { _pdev: pdev, _drv: drv, _ctl: ctl_dev })
    }
}

module! {
    type: RustScull,
    name: "rust_scull",
    authors: ["rkm developers"],
    description: "Rust scull sample: a platform driver with a char-device region and a misc control device",
    license: "GPL",
}
