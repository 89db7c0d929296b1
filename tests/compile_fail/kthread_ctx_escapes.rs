// SPDX-License-Identifier: GPL-2.0
// Guarantee: should_stop() and sleep() are called only by the thread they
// belong to (kthread_should_stop() reads the current task).
// Misuse: send the thread's context to another thread.
// Refused because: ThreadCtx is !Send (it holds a PhantomData<*mut ()>).
#![no_std]
#![forbid(unsafe_code)]

use rkm::kthread::{KThread, ThreadCtx};
use rkm::prelude::*;

fn need_send<T: Send>(_: T) {}

pub fn run() -> Result<KThread> {
    KThread::spawn("escape", |t: &ThreadCtx| {
        need_send(t); //~ ERROR E0277: cannot be shared between threads safely
    })
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "kthread_ctx_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
