// SPDX-License-Identifier: GPL-2.0
//! rust_edu: a driver for QEMU's educational PCI device (-device edu):
//! factorials computed by the device with interrupt-driven completion and a
//! timer for timeouts, DMA to and from the device's buffer, sysfs
//! attributes, and /dev/rust_edu. The user interface (and every errno) is
//! specified in edu.h; c_edu/ is its C twin.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::SeqCst};
use rkm::dma::{CoherentBuffer, Direction, DmaAddr, Mapping, SgBuffer, SgMapping, StreamBuffer};
use rkm::driver;
use rkm::io::Bar;
use rkm::irq::IrqReturn;
use rkm::pci::{self, Attr, AttrBuf, Bound, DeviceRef, IrqKind};
use rkm::prelude::*;
use rkm::sync::MutexGuard;

// The device (edu.h, from QEMU's hw/misc/edu.c).
const BAR_SIZE: usize = 0x100000;
const REG_ID: usize = 0x00;
const REG_LIVE: usize = 0x04;
const REG_FACT: usize = 0x08;
const REG_STATUS: usize = 0x20;
const REG_IRQ_STATUS: usize = 0x24;
const REG_IRQ_ACK: usize = 0x64;
const REG_DMA_SRC: usize = 0x80;
const REG_DMA_DST: usize = 0x88;
const REG_DMA_COUNT: usize = 0x90;
const REG_DMA_CMD: usize = 0x98;
const STATUS_COMPUTING: u32 = 0x01;
const STATUS_IRQFACT: u32 = 0x80;
const IRQ_FACT: u32 = 0x001;
const IRQ_DMA: u32 = 0x100;
const DMA_START: u64 = 0x1;
const DMA_TO_RAM: u64 = 0x2;
const DMA_IRQ: u64 = 0x4;
const DEV_BUF: u64 = 0x40000;
const DMA_BITS: u32 = 28;

// The user interface (edu.h).
/// What DMA can reach of the device's 4096 bytes on QEMU <= 8.0 (edu.h).
const BUF_SIZE: usize = 4095;
const FACT_MAX: u32 = 1_000_000;
const FACT_NOIRQ: u32 = 0x1;
const TIMEOUT_MS_MAX: u32 = 60_000;
const TIMEOUT_MS_DEFAULT: u32 = 1000;
const INFO_IRQ_MSI: u32 = 1;
const INFO_IRQ_INTX: u32 = 2;

pod! {
    /// struct edu_info
    struct EduInfo { id: u32, irq: u32, facts: u64, dmas: u64, timeouts: u64 }
    /// struct edu_fact
    struct EduFact { n: u32, flags: u32, result: u32, pad: u32 }
}

const IOC_INFO: u32 = ioctl::ior::<EduInfo>(b'e', 1);
const IOC_LIVE: u32 = ioctl::iowr::<u32>(b'e', 2);
const IOC_FACT: u32 = ioctl::iowr::<EduFact>(b'e', 3);

irq_safe! {
    /// What the interrupt handler and the timer see.
    struct Hw {
        bar: Bar<BAR_SIZE>,
        /// Signalled by the interrupt, the timer and unbinding.
        done: Completion,
        /// Interrupt status bits seen since the request started.
        pending: AtomicU32,
        /// The timer expired during the request.
        timed_out: AtomicBool,
        /// Unbinding has started: waits end with ENODEV.
        gone: AtomicBool,
    }
}

/// What one request at a time uses.
struct Io {
    buf: CoherentBuffer,
    /// dma_mode 1: the streaming buffer, mapped for each transfer.
    stream: Option<StreamBuffer>,
    /// dma_mode 2: the streaming buffer mapped both ways for good.
    mapped: Option<Mapping>,
    /// dma_mode 3: the scatter-gather buffer, mapped for each transfer.
    sg: Option<SgBuffer>,
}

// dma_mode 0 (edu.h): DMA through the coherent buffer.
/// Through a streaming buffer mapped for each transfer (dma_mode 1).
const DMA_STREAM_MAP: u32 = 1;
/// Through a streaming buffer mapped once, synced for each transfer (dma_mode 2).
const DMA_STREAM_SYNC: u32 = 2;
/// Through a scatter-gather buffer mapped for each transfer (dma_mode 3).
const DMA_SG: u32 = 3;
/// dma_mode 3's chunks: a 4 KiB buffer is eight separate allocations.
const SG_CHUNK: usize = 512;

/// The streaming buffer of dma_mode 1, allocated on first use (or again
/// after a failed mapping freed it).
fn take_stream(dev: &Bound<'_, Edu>, io: &mut Io) -> Result<StreamBuffer> {
    match io.stream.take() {
        Some(buf) => Ok(buf),
        None => StreamBuffer::alloc(dev, BUF_SIZE),
    }
}

/// The standing mapping of dma_mode 2, made on first use.
fn take_mapping(dev: &Bound<'_, Edu>, io: &mut Io) -> Result<Mapping> {
    match io.mapped.take() {
        Some(m) => Ok(m),
        None => StreamBuffer::alloc(dev, BUF_SIZE)?.map(Direction::Bidirectional),
    }
}

/// The scatter-gather buffer of dma_mode 3, allocated on first use (or
/// again after a failed mapping freed it).
fn take_sg(dev: &Bound<'_, Edu>, io: &mut Io) -> Result<SgBuffer> {
    match io.sg.take() {
        Some(buf) => Ok(buf),
        None => SgBuffer::alloc(dev, BUF_SIZE, SG_CHUNK),
    }
}

/// DMA of bytes `start..start + n` between a scatter-gather mapping and
/// the device's buffer at the same offsets: one transfer for each mapped
/// segment's part of the range.
fn dma_sg(
    dev: &Bound<'_, Edu>,
    io: &Io,
    m: &SgMapping,
    start: usize,
    n: usize,
    to_ram: bool,
) -> Result {
    let end = start + n;
    for seg in m.segments() {
        let (lo, hi) = (seg.offset().max(start), (seg.offset() + seg.len()).min(end));
        if lo < hi {
            dma(dev, io, seg.dma_addr(lo - seg.offset())?, lo, hi - lo, to_ram)?;
        }
    }
    Ok(())
}

/// The process-context part of a bound device.
struct Data {
    io: Mutex<Io>,
    /// Per-binding counters (struct edu_info), read without waiting for `io`.
    facts: AtomicU64,
    dmas: AtomicU64,
    timeouts: AtomicU64,
    /// Interrupts handled, counted by the threaded half.
    irqs: Mutex<u64>,
    timeout_ms: AtomicU32,
    irq: IrqKind,
    hub: Arc<Hub>,
}

/// The device /dev/rust_edu's files attach to when opened.
struct Hub {
    current: Mutex<Option<DeviceRef<Edu>>>,
}

struct Edu {
    hub: Arc<Hub>,
}

/// Which interrupt bit ends a request, and how to tell the device is still
/// working on it (a completion may be left over from an abandoned request).
struct Op {
    bit: u32,
    busy: fn(&Hw) -> bool,
}

const FACT_OP: Op =
    Op { bit: IRQ_FACT, busy: |hw| hw.bar.read32::<REG_STATUS>() & STATUS_COMPUTING != 0 };
const DMA_OP: Op = Op { bit: IRQ_DMA, busy: |hw| hw.bar.read64::<REG_DMA_CMD>() & DMA_START != 0 };

/// Takes the request lock; a signal while waiting for it gives EINTR.
fn lock_io<'a>(dev: &'a Bound<'_, Edu>) -> Result<MutexGuard<'a, Io>> {
    dev.data().io.lock_interruptible()
}

/// Runs one request, `_held` proving the caller holds `io`: unless the
/// engine is still busy, `start` programs the device, then the timer is
/// armed; the interrupt, the timer, unbinding or a signal ends the wait.
fn request(dev: &Bound<'_, Edu>, _held: &Io, op: &Op, start: impl FnOnce(&Hw)) -> Result {
    let hw = dev.hw();
    if (op.busy)(hw) {
        // Still on a request abandoned by a signal or a timeout.
        return Err(EBUSY);
    }
    hw.done.reinit();
    hw.pending.store(0, SeqCst);
    hw.timed_out.store(false, SeqCst);
    // After reinit: an unbind that completed before it is seen here.
    if hw.gone.load(SeqCst) {
        return Err(ENODEV);
    }
    start(hw);
    dev.arm_timer(dev.data().timeout_ms.load(SeqCst));
    let r = loop {
        if hw.done.wait().is_err() {
            break Err(EINTR);
        }
        if hw.gone.load(SeqCst) {
            break Err(ENODEV);
        }
        if hw.pending.load(SeqCst) & op.bit != 0 && !(op.busy)(hw) {
            break Ok(());
        }
        if hw.timed_out.load(SeqCst) {
            dev.data().timeouts.fetch_add(1, SeqCst);
            break Err(ETIMEDOUT);
        }
    };
    dev.cancel_timer();
    r
}

fn factorial(dev: &Bound<'_, Edu>, n: u32, irq: bool) -> Result<u32> {
    let io = lock_io(dev)?;
    // Without the interrupt only the timer ends it: a late interrupt of an
    // abandoned request must not pass for this one's.
    let op = Op { bit: if irq { IRQ_FACT } else { 0 }, ..FACT_OP };
    request(dev, &io, &op, |hw| {
        hw.bar.write32::<REG_STATUS>(if irq { STATUS_IRQFACT } else { 0 });
        hw.bar.write32::<REG_FACT>(n);
    })?;
    dev.data().facts.fetch_add(1, SeqCst);
    Ok(dev.hw().bar.read32::<REG_FACT>())
}

/// Moves `n` bytes between `ram` (offset `off` of a DMA buffer) and offset
/// `off` of the device's buffer (the caller holds `io` and checked that they
/// fit both).
fn dma(
    dev: &Bound<'_, Edu>,
    io: &Io,
    ram: DmaAddr<'_>,
    off: usize,
    n: usize,
    to_ram: bool,
) -> Result {
    let devaddr = DEV_BUF + off as u64;
    let cmd = DMA_START | DMA_IRQ | if to_ram { DMA_TO_RAM } else { 0 };
    // Every register is written in `start`, after the busy check: a
    // transfer abandoned earlier must not pick up half of this one.
    request(dev, io, &DMA_OP, |hw| {
        if to_ram {
            hw.bar.write64::<REG_DMA_SRC>(devaddr);
            hw.bar.write_dma_addr::<REG_DMA_DST>(ram);
        } else {
            hw.bar.write_dma_addr::<REG_DMA_SRC>(ram);
            hw.bar.write64::<REG_DMA_DST>(devaddr);
        }
        hw.bar.write64::<REG_DMA_COUNT>(n as u64);
        hw.bar.write64::<REG_DMA_CMD>(cmd);
    })?;
    dev.data().dmas.fetch_add(1, SeqCst);
    Ok(())
}

impl driver::Driver for Edu {
    const NAME: &'static str = "rust_edu";
    const ATTRS: &'static [Attr<Self>] = &[
        Attr::ro("edu_id", show_id),
        Attr::ro("edu_irq_mode", show_irq_mode),
        Attr::ro("edu_irqs", show_irqs),
        Attr::rw("edu_timeout_ms", show_timeout, store_timeout),
    ];
    type Hw = Hw;
    type Data = Data;

    fn unbind(hw: &Hw) {
        hw.gone.store(true, SeqCst);
        hw.done.complete();
    }

    fn remove(dev: &Bound<'_, Self>) {
        let mut current = dev.data().hub.current.lock();
        if current.as_ref().is_some_and(|r| r.is(dev)) {
            *current = None;
        }
    }

    fn irq(hw: &Hw) -> IrqReturn {
        let status = hw.bar.read32::<REG_IRQ_STATUS>();
        if status == 0 {
            return IrqReturn::None;
        }
        hw.bar.write32::<REG_IRQ_ACK>(status);
        hw.pending.fetch_or(status, SeqCst);
        hw.done.complete();
        IrqReturn::WakeThread
    }

    fn irq_thread(_hw: &Hw, data: &Data) {
        *data.irqs.lock() += 1;
    }

    fn timer(hw: &Hw) {
        hw.timed_out.store(true, SeqCst);
        hw.done.complete();
    }
}

impl pci::Driver for Edu {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        let mut current = self.hub.current.lock();
        // A handle whose binding is gone (its probe failed later) is stale.
        if current.as_ref().is_some_and(|r| r.access().is_some()) {
            return Err(EBUSY);
        }
        dev.enable()?;
        dev.dma_mask(DMA_BITS)?;
        let bar = dev.iomap::<BAR_SIZE>(0)?;
        dev.set_master();
        let buf = CoherentBuffer::alloc(dev, BUF_SIZE)?;
        let irq = dev.irq_vector()?;
        let id = bar.read32::<REG_ID>();
        let hw = Hw {
            bar,
            done: Completion::try_new()?,
            pending: AtomicU32::new(0),
            timed_out: AtomicBool::new(false),
            gone: AtomicBool::new(false),
        };
        let data = Data {
            io: new_mutex!(Io { buf, stream: None, mapped: None, sg: None })?,
            facts: AtomicU64::new(0),
            dmas: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
            irqs: new_mutex!(0)?,
            timeout_ms: AtomicU32::new(TIMEOUT_MS_DEFAULT),
            irq,
            hub: self.hub.clone(),
        };
        *current = Some(dev.device_ref());
        let kind = match irq {
            IrqKind::Msi => "MSI",
            IrqKind::Intx => "INTx",
        };
        dev_info!(dev, "edu {}.{}, {kind} interrupt\n", id >> 24, (id >> 16) & 0xff);
        Ok((hw, data))
    }
}

fn show_id(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "{:#010x}", dev.hw().bar.read32::<REG_ID>()).map_err(|_| EFBIG)
}

fn show_irq_mode(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result {
    let mode = match dev.data().irq {
        IrqKind::Msi => "msi",
        IrqKind::Intx => "intx",
    };
    writeln!(out, "{mode}").map_err(|_| EFBIG)
}

fn show_irqs(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result {
    let n = *dev.data().irqs.lock();
    writeln!(out, "{n}").map_err(|_| EFBIG)
}

fn show_timeout(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "{}", dev.data().timeout_ms.load(SeqCst)).map_err(|_| EFBIG)
}

/// Decimal 1..=TIMEOUT_MS_MAX, an optional '+' and one trailing newline
/// allowed (as kstrtouint).
fn store_timeout(dev: &Bound<'_, Edu>, text: &[u8]) -> Result {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let digits = text.strip_prefix(b"+").unwrap_or(text);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(EINVAL);
    }
    let ms =
        digits.iter().try_fold(0u32, |v, &d| v.checked_mul(10)?.checked_add(u32::from(d - b'0')));
    match ms {
        Some(ms) if (1..=TIMEOUT_MS_MAX).contains(&ms) => {
            dev.data().timeout_ms.store(ms, SeqCst);
            Ok(())
        }
        _ => Err(EINVAL),
    }
}

struct EduFile {
    dev: DeviceRef<Edu>,
}

impl EduFile {
    fn info(&self, dev: &Bound<'_, Edu>, arg: usize) -> Result<isize> {
        let data = dev.data();
        let info = EduInfo {
            id: dev.hw().bar.read32::<REG_ID>(),
            irq: match dev.data().irq {
                IrqKind::Msi => INFO_IRQ_MSI,
                IrqKind::Intx => INFO_IRQ_INTX,
            },
            facts: data.facts.load(SeqCst),
            dmas: data.dmas.load(SeqCst),
            timeouts: data.timeouts.load(SeqCst),
        };
        UserSlice::new(arg, size_of::<EduInfo>()).writer().write(&info)?;
        Ok(0)
    }

    fn live(&self, dev: &Bound<'_, Edu>, arg: usize) -> Result<isize> {
        let (mut r, mut w) = UserSlice::new(arg, size_of::<u32>()).reader_writer();
        let v: u32 = r.read()?;
        let io = lock_io(dev)?;
        dev.hw().bar.write32::<REG_LIVE>(v);
        let answer = dev.hw().bar.read32::<REG_LIVE>();
        drop(io);
        w.write(&answer)?;
        Ok(0)
    }

    fn fact(&self, dev: &Bound<'_, Edu>, arg: usize) -> Result<isize> {
        let (mut r, mut w) = UserSlice::new(arg, size_of::<EduFact>()).reader_writer();
        let mut req: EduFact = r.read()?;
        if req.flags & !FACT_NOIRQ != 0 || req.pad != 0 || req.n > FACT_MAX {
            return Err(EINVAL);
        }
        req.result = factorial(dev, req.n, req.flags & FACT_NOIRQ == 0)?;
        w.write(&req)?;
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for EduFile {
    type Device = Hub;

    fn open(hub: &Arc<Hub>, _file: &OpenFile) -> Result<Self> {
        let dev = hub.current.lock().clone().ok_or(ENODEV)?;
        if dev.access().is_none() {
            return Err(ENODEV);
        }
        Ok(EduFile { dev })
    }

    /// DMA from the device's buffer at `pos`, then out to the caller.
    fn read(&self, _file: &File, mut out: UserSliceWriter, pos: &mut i64) -> Result<usize> {
        let dev = self.dev.access().ok_or(ENODEV)?;
        let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
        if out.is_empty() || start >= BUF_SIZE {
            return Ok(0);
        }
        let n = out.len().min(BUF_SIZE - start);
        let mut io = lock_io(&dev)?;
        match params::dma_mode() {
            DMA_STREAM_MAP => {
                let m = take_stream(&dev, &mut io)?.map(Direction::FromDevice)?;
                let r = dma(&dev, &io, m.dma_addr(start)?, start, n, true);
                let buf = m.unmap();
                let r = r.and_then(|()| buf.read_to_user(start, &mut out, n));
                io.stream = Some(buf);
                r?;
            }
            DMA_SG => {
                let m = take_sg(&dev, &mut io)?.map(Direction::FromDevice)?;
                let r = dma_sg(&dev, &io, &m, start, n, true);
                let buf = m.unmap();
                let r = r.and_then(|()| buf.read_to_user(start, &mut out, n));
                io.sg = Some(buf);
                r?;
            }
            DMA_STREAM_SYNC => {
                let mut m = take_mapping(&dev, &mut io)?;
                let r = dma(&dev, &io, m.dma_addr(start)?, start, n, true)
                    .and_then(|()| m.sync_for_cpu().read_to_user(start, &mut out, n));
                io.mapped = Some(m);
                r?;
            }
            _ => {
                dma(&dev, &io, io.buf.dma_addr(start)?, start, n, true)?;
                io.buf.read_to_user(start, &mut out, n)?;
            }
        }
        *pos += n as i64;
        Ok(n)
    }

    /// In from the caller (all of it, or EFAULT), then DMA to the device's
    /// buffer at `pos`.
    fn write(&self, _file: &File, mut input: UserSliceReader, pos: &mut i64) -> Result<usize> {
        let dev = self.dev.access().ok_or(ENODEV)?;
        let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
        if input.is_empty() {
            return Ok(0);
        }
        if start >= BUF_SIZE {
            return Err(ENOSPC);
        }
        let n = input.len().min(BUF_SIZE - start);
        let mut io = lock_io(&dev)?;
        match params::dma_mode() {
            DMA_STREAM_MAP => {
                let mut buf = take_stream(&dev, &mut io)?;
                if let Err(e) = buf.write_from_user(start, &mut input, n) {
                    io.stream = Some(buf);
                    return Err(e);
                }
                let m = buf.map(Direction::ToDevice)?;
                let r = dma(&dev, &io, m.dma_addr(start)?, start, n, false);
                io.stream = Some(m.unmap());
                r?;
            }
            DMA_SG => {
                let mut buf = take_sg(&dev, &mut io)?;
                if let Err(e) = buf.write_from_user(start, &mut input, n) {
                    io.sg = Some(buf);
                    return Err(e);
                }
                let m = buf.map(Direction::ToDevice)?;
                let r = dma_sg(&dev, &io, &m, start, n, false);
                io.sg = Some(m.unmap());
                r?;
            }
            DMA_STREAM_SYNC => {
                let mut m = take_mapping(&dev, &mut io)?;
                // The CPU's turn ends (sync for the device) with this statement.
                let r = m.sync_for_cpu().write_from_user(start, &mut input, n);
                let r = r.and_then(|()| dma(&dev, &io, m.dma_addr(start)?, start, n, false));
                io.mapped = Some(m);
                r?;
            }
            _ => {
                io.buf.write_from_user(start, &mut input, n)?;
                dma(&dev, &io, io.buf.dma_addr(start)?, start, n, false)?;
            }
        }
        *pos += n as i64;
        Ok(n)
    }

    /// ENODEV once unbound, whatever the whence; then the kernel's
    /// fixed-size seek: SEEK_SET, SEEK_CUR, SEEK_END (from BUF_SIZE) to
    /// [0, BUF_SIZE], EINVAL for any other whence.
    fn llseek(&self, file: &File, off: i64, whence: Whence) -> Result<i64> {
        let _dev = self.dev.access().ok_or(ENODEV)?;
        fixed_size_llseek(file, off, whence, BUF_SIZE as i64)
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let dev = self.dev.access().ok_or(ENODEV)?;
        match cmd {
            IOC_INFO => self.info(&dev, arg),
            IOC_LIVE => self.live(&dev, arg),
            IOC_FACT => self.fact(&dev, arg),
            _ => Err(ENOTTY),
        }
    }
}

struct RustEdu {
    // Dropped first: devices are unbound before the misc device goes.
    _pci: pci::Registration<Edu>,
    _misc: MiscDevice<EduFile>,
}

impl Module for RustEdu {
    fn init() -> Result<Self> {
        let hub = Arc::try_new(Hub { current: new_mutex!(None)? })?;
        let misc = MiscDevice::register("rust_edu", 0o600, hub.clone())?;
        let pci = pci::Registration::register(Edu { hub })?;
        Ok(RustEdu { _pci: pci, _misc: misc })
    }
}

module! {
    type: RustEdu,
    name: "rust_edu",
    authors: ["rkm developers"],
    description: "Rust driver for QEMU's edu PCI device: factorials, DMA, interrupts, timers",
    license: "GPL",
    alias: ["pci:v00001234d000011E8sv*sd*bc*sc*i*"],
    params: {
        dma_mode: u32 {
            default: 0,
            perm: 0o644,
            desc: "DMA buffer: 0 coherent, 1 streaming mapped per transfer, 2 streaming mapped once, 3 scatter-gather mapped per transfer",
            range: 0..=3,
        },
    },
}
