// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The correct forms of what the lock cases get
// wrong: data reached through guards, guards scoped and dropped before the
// lock, a condition variable waited on with a Mutex guard (also one taken
// with a lockdep subclass), nested locks of one class, SpinLockIrq guards
// dropped in either order, locks and Arc shared between threads.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

fn need_send<T: Send>(_: T) {}
fn need_sync<T: Sync>(_: &T) {}

#[derive(Default)]
pub struct Pair {
    a: u64,
    b: u64,
}

pub struct Shared {
    pair: Mutex<Pair>,
    log: SpinLock<KVec<u8>>,
    irq: SpinLockIrq<u32>,
    changed: CondVar,
}

pub fn step(s: &Shared) -> Result<u64> {
    let mut g = s.pair.lock();
    g.a += 1;
    g.b += 1;
    while g.a != g.b {
        s.changed.wait(&mut g)?;
    }
    let a = g.a;
    drop(g);
    s.log.lock().try_push(1)?;
    *s.irq.lock() += 1;
    s.changed.notify_all();
    Ok(a)
}

pub fn nested(parent: &Mutex<Pair>, child: &Mutex<Pair>, cv: &CondVar) -> Result<u64> {
    let p = parent.lock();
    let mut c = child.lock_nested::<{ Mutex::<Pair>::SUBCLASSES - 1 }>();
    while c.a == 0 {
        cv.wait(&mut c)?;
    }
    Ok(p.a + c.a)
}

pub fn either_order(x: &SpinLockIrq<u32>, y: &SpinLockIrq<u32>) {
    let gx = x.lock();
    let gy = y.lock();
    drop(gx);
    drop(gy);
}

pub struct Driver {
    shared: Arc<Shared>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let shared = Arc::try_new(Shared {
            pair: new_mutex!(Pair::default())?,
            log: new_spinlock!(KVec::new())?,
            irq: new_spinlock_irq!(0)?,
            changed: new_condvar!()?,
        })?;
        step(&shared)?;
        need_sync(&shared.pair.lock());
        need_send(shared.clone());
        let n = {
            let g = shared.pair.lock();
            g.a
        };
        pr_info!("{} {}\n", n, Arc::count(&shared));
        Ok(Driver { shared })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        pr_info!("{}\n", self.shared.pair.lock().b);
    }
}

module! {
    type: Driver,
    name: "ok_locks",
    authors: ["rkm developers"],
    description: "compile-fail suite: control case",
    license: "GPL",
}
