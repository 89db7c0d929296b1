// SPDX-License-Identifier: GPL-2.0
//! rust_echo: a scull-like bounded buffer device, /dev/rust_echo. The user
//! interface (and every errno) is specified in echo.h; c_echo/ is its C twin.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

const DEFAULT_CAP: usize = 4096;
const MAX_CAP: u64 = 1 << 20;
const VERSION: u32 = 1;
/// Size of the version-1 structs (echo.h), and the largest size accepted.
const V1_SIZE: u32 = 24;
const MAX_STRUCT: u32 = 4096;

pod! {
    /// struct echo_info
    struct EchoInfo { size: u32, version: u32, len: u64, cap: u64 }
    /// struct echo_resize
    struct EchoResize { size: u32, version: u32, cap: u64, reserved: u64 }
}

const IOC_INFO: u32 = ioctl::iowr::<EchoInfo>(b'e', 1);
const IOC_RESIZE: u32 = ioctl::iow::<EchoResize>(b'e', 2);

/// As in C: `data` is the whole capacity, zero from `len` on, so a gap
/// between the stored length and a write's position reads as zeros.
struct Buffer {
    data: KVec<u8>,
    len: usize,
}

struct Echo {
    buf: Mutex<Buffer>,
    /// Readers waiting for data, and pollers.
    readable: CondVar,
}

struct EchoFile {
    dev: Arc<Echo>,
}

/// Reads the size prefix of an ioctl struct and checks it (echo.h).
fn read_size(r: &mut UserSliceReader) -> Result<u32> {
    let size: u32 = r.read()?;
    if size < V1_SIZE {
        return Err(EINVAL);
    }
    if size > MAX_STRUCT {
        return Err(E2BIG);
    }
    Ok(size)
}

impl EchoFile {
    fn info(&self, arg: usize) -> Result<isize> {
        let (mut r, mut w) = UserSlice::new(arg, MAX_STRUCT as usize).reader_writer();
        read_size(&mut r)?;
        let b = self.dev.buf.lock();
        let info = EchoInfo {
            size: V1_SIZE,
            version: VERSION,
            len: b.len as u64,
            cap: b.data.len() as u64,
        };
        drop(b);
        w.write(&info)?;
        Ok(0)
    }

    fn resize(&self, arg: usize) -> Result<isize> {
        if !capable(CAP_SYS_ADMIN) {
            return Err(EPERM);
        }
        let mut r = UserSlice::new(arg, MAX_STRUCT as usize).reader();
        let size = read_size(&mut r)?;
        // The rest of version 1, after the size already read; never re-read.
        let version: u32 = r.read()?;
        let cap: u64 = r.read()?;
        let reserved: u64 = r.read()?;
        if !r.skip_zeroed((size - V1_SIZE) as usize)? {
            return Err(E2BIG);
        }
        if version != VERSION || reserved != 0 || cap == 0 || cap > MAX_CAP {
            return Err(EINVAL);
        }
        let cap = usize::try_from(cap)?;
        let mut data = KVec::new();
        data.try_resize(cap, 0)?;
        let mut b = self.dev.buf.lock();
        let keep = b.len.min(cap);
        if let (Some(dst), Some(src)) = (data.get_mut(..keep), b.data.get(..keep)) {
            dst.copy_from_slice(src);
        }
        let old = core::mem::replace(&mut b.data, data);
        b.len = keep;
        drop(b);
        drop(old);
        // Pollers waiting for room may have some now.
        self.dev.readable.notify_all();
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for EchoFile {
    type Device = Echo;

    fn open(dev: &Arc<Echo>, _file: &OpenFile) -> Result<Self> {
        Ok(EchoFile { dev: dev.clone() })
    }

    fn read(&self, file: &File, mut out: UserSliceWriter, pos: &mut i64) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let start = usize::try_from(*pos)?;
        let mut b = self.dev.buf.lock();
        while start >= b.len {
            if file.is_nonblocking() {
                return Err(EAGAIN);
            }
            self.dev.readable.wait(&mut b)?;
        }
        let avail = b.data.get(start..b.len).unwrap_or(&[]);
        let copied = out.write_partial(avail)?;
        *pos += copied as i64;
        Ok(copied)
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, pos: &mut i64) -> Result<usize> {
        if input.is_empty() {
            return Ok(0);
        }
        let start = usize::try_from(*pos)?;
        let mut b = self.dev.buf.lock();
        let room = match b.data.get_mut(start..) {
            Some(room) if !room.is_empty() => room,
            _ => return Err(ENOSPC),
        };
        let k = input.len().min(room.len());
        // A fault part-way leaves every byte after the copied ones as it was.
        let copied = input.read_partial_keep(room.get_mut(..k).unwrap_or(&mut []))?;
        b.len = b.len.max(start + copied);
        *pos += copied as i64;
        drop(b);
        self.dev.readable.notify_all();
        Ok(copied)
    }

    fn llseek(&self, file: &File, off: i64, whence: Whence) -> Result<i64> {
        let b = self.dev.buf.lock();
        let base = match whence {
            Whence::Set => 0,
            Whence::Cur => file.pos(),
            Whence::End => b.len as i64,
            // No holes to report: like the C twin, EINVAL.
            Whence::Data | Whence::Hole | Whence::Other(_) => return Err(EINVAL),
        };
        let new = base.checked_add(off).ok_or(EINVAL)?;
        if new < 0 || new > b.data.len() as i64 {
            return Err(EINVAL);
        }
        Ok(new)
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            IOC_INFO => self.info(arg),
            IOC_RESIZE => self.resize(arg),
            _ => Err(ENOTTY),
        }
    }

    fn poll<'a>(&'a self, file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.dev.readable);
        let b = self.dev.buf.lock();
        let pos = file.pos();
        let mut mask = PollMask::NONE;
        if (b.len as i64) > pos {
            mask |= PollMask::IN;
        }
        if pos < b.data.len() as i64 {
            mask |= PollMask::OUT;
        }
        mask
    }
}

struct RustEcho {
    _dev: MiscDevice<EchoFile>,
}

impl Module for RustEcho {
    fn init() -> Result<Self> {
        let mut data = KVec::new();
        data.try_resize(DEFAULT_CAP, 0)?;
        let echo = Arc::try_new(Echo {
            buf: new_mutex!(Buffer { data, len: 0 })?,
            readable: new_condvar!()?,
        })?;
        Ok(RustEcho { _dev: MiscDevice::register("rust_echo", 0o666, echo)? })
    }
}

module! {
    type: RustEcho,
    name: "rust_echo",
    authors: ["rkm developers"],
    description: "Rust echo sample: a bounded buffer misc device",
    license: "GPL",
}
