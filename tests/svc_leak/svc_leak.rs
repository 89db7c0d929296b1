// SPDX-License-Identifier: GPL-2.0
//! svc_leak: a safe driver that leaks (mem::forget) a running hrtimer, a
//! jiffies timer, a self-requeueing work item on its own workqueue, a kernel
//! thread and a debugfs directory. The glue must stop them all at module
//! exit, before the module's code goes: otherwise the next expiry jumps
//! into freed memory. The leaked Rust data stays allocated (a leak, as in
//! C), so this test is not run on the kmemleak kernel.
//!
//! Two leaked threads attack the order of that clean-up: `svc_owner` owns a
//! misc device and another thread (both dropped only when it is stopped, at
//! unload: the glue must still have them registered then), and `svc_late`
//! tries, once stopped, to start a thread and register a misc device (the
//! first is refused; the second is swept with the other misc devices).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use rkm::debugfs::Dir;
use rkm::kthread::KThread;
use rkm::prelude::*;
use rkm::timer::{HrTimer, Restart, Timer, TimerCallback};
use rkm::workqueue::{Work, WorkItem, WorkRef, Workqueue, WqFlags};

type Counters = [AtomicU64; 4];

irq_safe! {
    struct Tick { c: Arc<Counters>, idx: usize }
}

impl TimerCallback for Tick {
    fn expired(&self) -> Restart {
        if let Some(c) = self.c.get(self.idx) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        Restart::After(Duration::from_millis(1))
    }
}

struct Job {
    c: Arc<Counters>,
}

impl WorkItem for Job {
    fn run(&self, work: &WorkRef<'_>) {
        self.c[2].fetch_add(1, Ordering::Relaxed);
        work.queue_delayed(Duration::from_millis(1));
    }
}

struct Nothing;

/// A misc device's file: nothing to read or write.
struct Idle;

#[rkm::vtable]
impl FileOperations for Idle {
    type Device = Nothing;

    fn open(_dev: &Arc<Nothing>, _file: &OpenFile) -> Result<Self> {
        Ok(Idle)
    }
}

fn idle_thread(name: &str) -> Result<KThread> {
    KThread::spawn(name, |t| {
        while !t.should_stop() {
            t.sleep(Duration::from_millis(10));
        }
    })
}

struct SvcLeak;

impl Module for SvcLeak {
    fn init() -> Result<Self> {
        let c: Arc<Counters> = Arc::try_new(Default::default())?;
        let mut dir = Dir::new("svc_leak", c.clone())?;
        dir.u64("hrtimer", |c| c[0].load(Ordering::Relaxed))?;
        dir.u64("timer", |c| c[1].load(Ordering::Relaxed))?;
        dir.u64("work", |c| c[2].load(Ordering::Relaxed))?;
        dir.u64("thread", |c| c[3].load(Ordering::Relaxed))?;
        let hr = HrTimer::new(Tick { c: c.clone(), idx: 0 })?;
        hr.start(Duration::ZERO);
        let t = Timer::new(Tick { c: c.clone(), idx: 1 })?;
        t.start(Duration::ZERO);
        let wq = Workqueue::new("svc_leak", WqFlags::NONE)?;
        let w = Work::new_on(&wq, Job { c: c.clone() })?;
        w.queue();
        let tc = c.clone();
        let k = KThread::spawn("svc_leak", move |t| {
            while !t.should_stop() {
                tc[3].fetch_add(1, Ordering::Relaxed);
                t.sleep(Duration::from_millis(1));
            }
        })?;
        let owned_dev =
            MiscDevice::<Idle>::register("svc_leak_owned", 0o600, Arc::try_new(Nothing)?)?;
        let owned_thread = idle_thread("svc_owned")?;
        let owner = KThread::spawn("svc_owner", move |t| {
            let _owned = (owned_dev, owned_thread);
            while !t.should_stop() {
                t.sleep(Duration::from_millis(10));
            }
        })?;
        let late = KThread::spawn("svc_late", |t| {
            while !t.should_stop() {
                t.sleep(Duration::from_millis(10));
            }
            // Stopped at unload: whatever is created now must not outlive it.
            if let Ok(k) = idle_thread("svc_late_thread") {
                core::mem::forget(k);
            }
            if let Ok(d) = Arc::try_new(Nothing) {
                if let Ok(m) = MiscDevice::<Idle>::register("svc_late", 0o600, d) {
                    core::mem::forget(m);
                }
            }
        })?;
        core::mem::forget(owner);
        core::mem::forget(late);
        core::mem::forget(dir);
        core::mem::forget(hr);
        core::mem::forget(t);
        core::mem::forget(wq);
        core::mem::forget(w);
        core::mem::forget(k);
        Ok(SvcLeak)
    }
}

module! {
    type: SvcLeak,
    name: "svc_leak",
    authors: ["rkm developers"],
    description: "Leaks running kernel-service objects: the glue stops them at unload",
    license: "GPL",
}
