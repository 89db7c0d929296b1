// SPDX-License-Identifier: GPL-2.0
//! rust_sync: exercises Mutex, SpinLock, SpinLockIrq and Arc from every
//! thread that calls it, and reports whether their invariants held.
//! Interface: sync.h; C twin in c_sync/.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU64, Ordering};
use rkm::prelude::*;

const MAX_ITERATIONS: u32 = 1_000_000;

pod! {
    /// struct sync_run
    struct SyncRun { version: u32, iterations: u32 }
    /// struct sync_stats
    struct SyncStats { mutex_count: u64, spin_count: u64, irq_count: u64, arc_gets: u64, refs: u64, violations: u64, runs: u64 }
}

const IOC_RUN: u32 = ioctl::iow::<SyncRun>(b'y', 1);
const IOC_STATS: u32 = ioctl::ior::<SyncStats>(b'y', 2);

/// Two counters that are always equal when the lock is free.
#[derive(Default)]
struct Pair {
    a: u64,
    b: u64,
}

impl Pair {
    /// Checks the invariant and advances both; returns 1 on a violation.
    fn step(&mut self) -> u64 {
        let bad = u64::from(self.a != self.b);
        self.a += 1;
        self.b += 1;
        bad
    }
}

struct Shared {
    arc_gets: AtomicU64,
}

struct SyncDev {
    mutex: Mutex<Pair>,
    spin: SpinLock<Pair>,
    irq: SpinLockIrq<Pair>,
    shared: Arc<Shared>,
    violations: AtomicU64,
    runs: AtomicU64,
}

struct SyncFile {
    dev: Arc<SyncDev>,
}

impl SyncFile {
    fn run(&self, arg: usize) -> Result<isize> {
        let req: SyncRun = UserSlice::new(arg, core::mem::size_of::<SyncRun>()).reader().read()?;
        if req.version != 1 || req.iterations > MAX_ITERATIONS {
            return Err(EINVAL);
        }
        let d = &self.dev;
        let mut result = Ok(0);
        for _ in 0..req.iterations {
            if rkm::task::signal_pending() {
                result = Err(EINTR);
                break;
            }
            let mut bad = d.mutex.lock().step();
            bad += d.spin.lock().step();
            bad += d.irq.lock().step();
            let extra = d.shared.clone();
            extra.arc_gets.fetch_add(1, Ordering::Relaxed);
            drop(extra);
            if bad != 0 {
                d.violations.fetch_add(bad, Ordering::Relaxed);
            }
            rkm::task::cond_resched();
        }
        d.runs.fetch_add(1, Ordering::Relaxed);
        result
    }

    fn stats(&self, arg: usize) -> Result<isize> {
        let d = &self.dev;
        let stats = SyncStats {
            mutex_count: d.mutex.lock().a,
            spin_count: d.spin.lock().a,
            irq_count: d.irq.lock().a,
            arc_gets: d.shared.arc_gets.load(Ordering::Relaxed),
            refs: u64::from(Arc::count(&d.shared)),
            violations: d.violations.load(Ordering::Relaxed),
            runs: d.runs.load(Ordering::Relaxed),
        };
        UserSlice::new(arg, core::mem::size_of::<SyncStats>()).writer().write(&stats)?;
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for SyncFile {
    type Device = SyncDev;

    fn open(dev: &Arc<SyncDev>, _file: &OpenFile) -> Result<Self> {
        Ok(SyncFile { dev: dev.clone() })
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            IOC_RUN => self.run(arg),
            IOC_STATS => self.stats(arg),
            _ => Err(ENOTTY),
        }
    }
}

struct RustSync {
    _dev: MiscDevice<SyncFile>,
}

impl Module for RustSync {
    fn init() -> Result<Self> {
        let dev = Arc::try_new(SyncDev {
            mutex: new_mutex!(Pair::default())?,
            spin: new_spinlock!(Pair::default())?,
            irq: new_spinlock_irq!(Pair::default())?,
            shared: Arc::try_new(Shared { arc_gets: AtomicU64::new(0) })?,
            violations: AtomicU64::new(0),
            runs: AtomicU64::new(0),
        })?;
        Ok(RustSync { _dev: MiscDevice::register("rust_sync", 0o600, dev)? })
    }
}

module! {
    type: RustSync,
    name: "rust_sync",
    authors: ["rkm developers"],
    description: "Rust sync sample: every lock kind and Arc under concurrency",
    license: "GPL",
}
