// SPDX-License-Identifier: GPL-2.0
//! rust_pipe: an LDD3-style pipe (scull pipe), /dev/rust_pipe. The user
//! interface (and every errno) is specified in pipe.h; c_pipe/ is its C twin.
//!
//! Readers and writers are counted from how each file was opened; readers
//! wait (with an optional timeout) on `readable`, writers wait exclusively on
//! `writable`, one woken per read; O_ASYNC owners get SIGIO.
#![no_std]
#![forbid(unsafe_code)]

use core::time::Duration;
use rkm::prelude::*;

const CAP: usize = 4096;
const MAX_TIMEOUT_MS: u32 = 60000;

pod! {
    /// struct pipe_info
    struct PipeInfo { len: u32, cap: u32, readers: u32, writers: u32, timeout_ms: u32, flushes: u32 }
}

const IOC_INFO: u32 = ioctl::ior::<PipeInfo>(b'p', 1);
const IOC_SET_TIMEOUT: u32 = ioctl::iow::<u32>(b'p', 2);
const IOC_NEW_STATS: u32 = ioctl::io(b'p', 3);
const STATS_SIZE: usize = 4096;

/// The bytes in the pipe are `buf[head..]` then `buf[..]`, `len` of them.
struct Ring {
    buf: KVec<u8>,
    head: usize,
    len: usize,
    readers: u32,
    writers: u32,
    timeout_ms: u32,
    flushes: u32,
    /// struct pipe_stats, as published on the statistics page.
    generation: u64,
    written: u64,
    read: u64,
}

impl Ring {
    /// Copies the counters to the page user space maps (ring, then stats:
    /// never the other way round).
    fn publish(&self, stats: &Mutex<MmapBuffer>) {
        let mut bytes = [0u8; 24];
        for (dst, v) in bytes.chunks_exact_mut(8).zip([self.generation, self.written, self.read]) {
            dst.copy_from_slice(&v.to_ne_bytes());
        }
        // In bounds of a whole page: cannot fail.
        let _ = stats.lock().write(0, &bytes);
    }
}

struct Pipe {
    ring: Mutex<Ring>,
    /// Readers waiting for data (or for the last writer to go), and pollers.
    readable: CondVar,
    /// Writers waiting for room, exclusively (one per read), and pollers.
    writable: CondVar,
    /// O_ASYNC owners.
    async_queue: FasyncQueue,
    /// The statistics page later mmaps get. Its own lock: mmap runs under
    /// mmap_lock, which a user copy under `ring` may take.
    stats: Mutex<MmapBuffer>,
}

struct PipeFile {
    dev: Arc<Pipe>,
    reads: bool,
    writes: bool,
}

impl PipeFile {
    fn info(&self, arg: usize) -> Result<isize> {
        let r = self.dev.ring.lock();
        let info = PipeInfo {
            len: r.len as u32,
            cap: CAP as u32,
            readers: r.readers,
            writers: r.writers,
            timeout_ms: r.timeout_ms,
            flushes: r.flushes,
        };
        drop(r);
        UserSlice::new(arg, core::mem::size_of::<PipeInfo>()).writer().write(&info)?;
        Ok(0)
    }

    fn set_timeout(&self, arg: usize) -> Result<isize> {
        let ms: u32 = UserSlice::new(arg, 4).reader().read()?;
        if ms > MAX_TIMEOUT_MS {
            return Err(EINVAL);
        }
        self.dev.ring.lock().timeout_ms = ms;
        Ok(0)
    }

    fn new_stats(&self) -> Result<isize> {
        let fresh = MmapBuffer::try_new(STATS_SIZE)?;
        let mut r = self.dev.ring.lock();
        r.generation += 1;
        r.written = 0;
        r.read = 0;
        let old = core::mem::replace(&mut *self.dev.stats.lock(), fresh);
        r.publish(&self.dev.stats);
        drop(r);
        // Mappings of the old page keep it until they are unmapped.
        drop(old);
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for PipeFile {
    type Device = Pipe;

    fn open(dev: &Arc<Pipe>, file: &OpenFile) -> Result<Self> {
        file.stream_open();
        let (reads, writes) = (file.is_readable(), file.is_writable());
        let mut r = dev.ring.lock();
        r.readers += reads as u32;
        r.writers += writes as u32;
        drop(r);
        // Dropped (uncounted) if anything fails from here on.
        Ok(PipeFile { dev: dev.clone(), reads, writes })
    }

    fn read(&self, file: &File, mut out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let d = &*self.dev;
        let mut r = d.ring.lock();
        let mut left = Duration::from_millis(r.timeout_ms.into());
        let timed = r.timeout_ms != 0;
        while r.len == 0 {
            if r.writers == 0 {
                return Ok(0);
            }
            if file.is_nonblocking() {
                return Err(EAGAIN);
            }
            if !timed {
                d.readable.wait(&mut r)?;
                continue;
            }
            match d.readable.wait_timeout(&mut r, left)? {
                WaitTimeout::Notified { remaining } => left = remaining,
                WaitTimeout::TimedOut => return Err(ETIMEDOUT),
            }
        }
        let n = out.len().min(r.len);
        let first = n.min(CAP - r.head);
        let (head, len) = (r.head, r.len);
        let mut copied = out.write_partial(r.buf.get(head..head + first).unwrap_or(&[]))?;
        if copied == first && n > first {
            // A fault here is a short read of the first part.
            copied += out.write_partial(r.buf.get(..n - first).unwrap_or(&[])).unwrap_or(0);
        }
        r.head = (head + copied) % CAP;
        r.len = len - copied;
        r.read += copied as u64;
        r.publish(&d.stats);
        drop(r);
        d.writable.notify_one();
        d.async_queue.kill(SigioBand::Out);
        Ok(copied)
    }

    fn write(&self, file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        if input.is_empty() {
            return Ok(0);
        }
        let d = &*self.dev;
        let mut r = d.ring.lock();
        loop {
            if r.readers == 0 {
                return Err(EPIPE);
            }
            if r.len < CAP {
                break;
            }
            if file.is_nonblocking() {
                return Err(EAGAIN);
            }
            d.writable.wait_exclusive(&mut r)?;
        }
        let n = input.len().min(CAP - r.len);
        let tail = (r.head + r.len) % CAP;
        let first = n.min(CAP - tail);
        let mut copied =
            input.read_partial(r.buf.get_mut(tail..tail + first).unwrap_or(&mut []))?;
        if copied == first && n > first {
            copied +=
                input.read_partial(r.buf.get_mut(..n - first).unwrap_or(&mut [])).unwrap_or(0);
        }
        r.len += copied;
        r.written += copied as u64;
        r.publish(&d.stats);
        let room = r.len < CAP;
        drop(r);
        d.readable.notify_all();
        d.async_queue.kill(SigioBand::In);
        if room {
            // Pass the room on to the next blocked writer.
            d.writable.notify_one();
        }
        Ok(copied)
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            IOC_INFO => self.info(arg),
            IOC_SET_TIMEOUT => self.set_timeout(arg),
            IOC_NEW_STATS => self.new_stats(),
            _ => Err(ENOTTY),
        }
    }

    fn poll<'a>(&'a self, _file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.dev.readable);
        table.register(&self.dev.writable);
        let r = self.dev.ring.lock();
        let mut mask = PollMask::NONE;
        if self.reads {
            if r.len > 0 {
                mask |= PollMask::IN;
            }
            if r.writers == 0 {
                mask |= PollMask::HUP | PollMask::RDHUP;
            }
        }
        if self.writes {
            if r.len < CAP {
                mask |= PollMask::OUT;
            }
            if r.readers == 0 {
                mask |= PollMask::ERR;
            }
        }
        mask
    }

    fn mmap(&self, _file: &File, vma: &Vma) -> Result<MmapBuffer> {
        if vma.is_writable() {
            return Err(EPERM);
        }
        if vma.page_offset() != 0 || vma.len() > STATS_SIZE {
            return Err(EINVAL);
        }
        vma.deny_write();
        Ok(self.dev.stats.lock().clone())
    }

    fn flush(&self, _file: &File) -> Result {
        let mut r = self.dev.ring.lock();
        r.flushes = r.flushes.wrapping_add(1);
        Ok(())
    }

    fn fasync_queue(&self) -> Option<&FasyncQueue> {
        Some(&self.dev.async_queue)
    }
}

/// Release: the file's roles end, and the other side learns it.
impl Drop for PipeFile {
    fn drop(&mut self) {
        let mut r = self.dev.ring.lock();
        r.readers -= self.reads as u32;
        r.writers -= self.writes as u32;
        let (no_readers, no_writers) = (r.readers == 0, r.writers == 0);
        drop(r);
        if self.writes && no_writers {
            self.dev.readable.notify_all();
        }
        if self.reads && no_readers {
            self.dev.writable.notify_all();
        }
    }
}

struct RustPipe {
    _dev: MiscDevice<PipeFile>,
}

impl Module for RustPipe {
    fn init() -> Result<Self> {
        let mut buf = KVec::new();
        buf.try_resize(CAP, 0)?;
        let ring = Ring {
            buf,
            head: 0,
            len: 0,
            readers: 0,
            writers: 0,
            timeout_ms: 0,
            flushes: 0,
            generation: 1,
            written: 0,
            read: 0,
        };
        let stats = new_mutex!(MmapBuffer::try_new(STATS_SIZE)?)?;
        ring.publish(&stats);
        let pipe = Arc::try_new(Pipe {
            ring: new_mutex!(ring)?,
            readable: new_condvar!()?,
            writable: new_condvar!()?,
            async_queue: FasyncQueue::try_new()?,
            stats,
        })?;
        Ok(RustPipe { _dev: MiscDevice::register("rust_pipe", 0o666, pipe)? })
    }
}

module! {
    type: RustPipe,
    name: "rust_pipe",
    authors: ["rkm developers"],
    description: "Rust pipe sample: an LDD3-style pipe misc device",
    license: "GPL",
}
