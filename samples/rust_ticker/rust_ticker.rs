// SPDX-License-Identifier: GPL-2.0
//! rust_ticker: an hrtimer, a delayed work item and a kernel thread counting
//! into debugfs files, and a byte ring behind a misc device.
//! Interface: ticker.h; C twin in c_ticker/.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use core::time::Duration;
use rkm::debugfs::{self, Dir};
use rkm::kthread::KThread;
use rkm::prelude::*;
use rkm::ring::Ring;
use rkm::timer::{HrTimer, Restart, TimerCallback};
use rkm::workqueue::{Work, WorkItem, WorkRef};

const RING_SIZE: usize = 256;
const PERIOD_MAX: u32 = 1000;
const WRITE_MAX: usize = 16;

/// Counters shared with the hrtimer: plain atomics (IrqSafe and IrqDrop).
const HR_TICKS: usize = 0;
const WORK_RUNS: usize = 1;
const THREAD_WAKES: usize = 2;
type Counters = [AtomicU64; 3];

type ByteRing = Arc<Mutex<Ring<u8, RING_SIZE>>>;

// The hrtimer's data: counts every 1 ms (every field checked IrqSafe).
rkm::irq_safe! {
    /// What the hrtimer callback sees.
    struct HrData { c: Arc<Counters> }
}

impl TimerCallback for HrData {
    fn expired(&self) -> Restart {
        self.c[HR_TICKS].fetch_add(1, Ordering::Relaxed);
        Restart::After(Duration::from_millis(1))
    }
}

/// The work item's data: counts, wakes the thread, runs again.
struct WorkTick {
    c: Arc<Counters>,
    period_ms: Arc<AtomicU32>,
    thread: KThread,
}

impl WorkItem for WorkTick {
    fn run(&self, work: &WorkRef<'_>) {
        self.c[WORK_RUNS].fetch_add(1, Ordering::Relaxed);
        self.thread.wake();
        let ms = self.period_ms.load(Ordering::Relaxed);
        work.queue_delayed(Duration::from_millis(u64::from(ms)));
    }
}

struct Dev {
    c: Arc<Counters>,
    ring: ByteRing,
    period_ms: Arc<AtomicU32>,
    fill: Arc<AtomicBool>,
    _work: Work<WorkTick>,
}

struct TickerFile {
    dev: Arc<Dev>,
}

#[rkm::vtable]
impl FileOperations for TickerFile {
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(TickerFile { dev: dev.clone() })
    }

    fn read(&self, _file: &File, mut out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut ring = self.dev.ring.lock();
        if ring.is_empty() {
            return Err(EAGAIN);
        }
        ring.to_user(&mut out)
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        if input.is_empty() {
            return Ok(0);
        }
        let mut ring = self.dev.ring.lock();
        if ring.is_full() {
            return Err(EAGAIN);
        }
        ring.from_user(&mut input)
    }
}

/// Reads a short decimal write ("17", "17\n") into a number.
fn parse_u32(input: &mut UserSliceReader) -> Result<(u32, usize)> {
    let n = input.len();
    if n == 0 || n > WRITE_MAX {
        return Err(EINVAL);
    }
    let mut buf = [0u8; WRITE_MAX];
    input.read_slice(&mut buf[..n])?;
    let text = match &buf[..n] {
        [t @ .., b'\n'] => t,
        t => t,
    };
    if text.is_empty() {
        return Err(EINVAL);
    }
    let mut v: u32 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return Err(EINVAL);
        }
        v = v.checked_mul(10).and_then(|v| v.checked_add(u32::from(b - b'0'))).ok_or(EINVAL)?;
    }
    Ok((v, n))
}

fn show_u32(v: u32, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
    let s = KString::try_fmt(format_args!("{}\n", v))?;
    debugfs::read_from_buffer(out, pos, s.as_str().as_bytes())
}

fn period_show(d: &Dev, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
    show_u32(d.period_ms.load(Ordering::Relaxed), out, pos)
}

fn period_store(d: &Dev, input: &mut UserSliceReader, _pos: &mut i64) -> Result<usize> {
    let (v, n) = parse_u32(input)?;
    if v == 0 || v > PERIOD_MAX {
        return Err(EINVAL);
    }
    d.period_ms.store(v, Ordering::Relaxed);
    Ok(n)
}

fn fill_show(d: &Dev, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
    show_u32(u32::from(d.fill.load(Ordering::Relaxed)), out, pos)
}

fn fill_store(d: &Dev, input: &mut UserSliceReader, _pos: &mut i64) -> Result<usize> {
    let (v, n) = parse_u32(input)?;
    if v > 1 {
        return Err(EINVAL);
    }
    d.fill.store(v == 1, Ordering::Relaxed);
    Ok(n)
}

struct RustTicker {
    // Dropped in this order: debugfs first (waits for readers), then the
    // device (its Dev owns the work, which owns the thread), the hrtimer.
    _dir: Option<Dir<Dev>>,
    _misc: MiscDevice<TickerFile>,
    _hr: HrTimer<HrData>,
}

fn make_dir(dev: &Arc<Dev>) -> Result<Dir<Dev>> {
    let mut dir = Dir::new("rust_ticker", dev.clone())?;
    dir.u64("hrtimer_ticks", |d| d.c[HR_TICKS].load(Ordering::Relaxed))?;
    dir.u64("work_runs", |d| d.c[WORK_RUNS].load(Ordering::Relaxed))?;
    dir.u64("thread_wakes", |d| d.c[THREAD_WAKES].load(Ordering::Relaxed))?;
    dir.u64("ring_len", |d| d.ring.lock().len() as u64)?;
    dir.file("period_ms", 0o644, period_show, Some(period_store))?;
    dir.file("fill", 0o644, fill_show, Some(fill_store))?;
    Ok(dir)
}

impl Module for RustTicker {
    fn init() -> Result<Self> {
        let c: Arc<Counters> =
            Arc::try_new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)])?;
        let ring: ByteRing = Arc::try_new(new_mutex!(Ring::new())?)?;
        let fill = Arc::try_new(AtomicBool::new(true))?;
        let period_ms = Arc::try_new(AtomicU32::new(10))?;
        let thread = {
            let c = c.clone();
            let ring = ring.clone();
            let fill = fill.clone();
            KThread::spawn("rust_ticker", move |t| {
                while !t.should_stop() {
                    if !t.sleep(Duration::from_secs(1)) {
                        continue;
                    }
                    let n = c[THREAD_WAKES].fetch_add(1, Ordering::Relaxed) + 1;
                    if fill.load(Ordering::Relaxed) {
                        let _ = ring.lock().push(b'0' + (n % 10) as u8);
                    }
                }
            })?
        };
        let work = Work::new(WorkTick { c: c.clone(), period_ms: period_ms.clone(), thread })?;
        work.queue();
        let dev = Arc::try_new(Dev { c: c.clone(), ring, period_ms, fill, _work: work })?;
        // debugfs is optional: without it the rest still works.
        let dir = match make_dir(&dev) {
            Ok(d) => Some(d),
            Err(e) if e == ENODEV || e == EPERM => None,
            Err(e) => return Err(e),
        };
        let misc = MiscDevice::register("rust_ticker", 0o600, dev)?;
        let hr = HrTimer::new(HrData { c })?;
        hr.start(Duration::from_millis(1));
        Ok(RustTicker { _dir: dir, _misc: misc, _hr: hr })
    }
}

module! {
    type: RustTicker,
    name: "rust_ticker",
    authors: ["rkm developers"],
    description: "Rust kernel services sample: hrtimer, delayed work, kthread, debugfs, ring",
    license: "GPL",
}
