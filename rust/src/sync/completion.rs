// SPDX-License-Identifier: GPL-2.0
//! Completions: wait until another context signals that something finished.

use crate::abi;
use crate::error::{code::ENOMEM, Result};
use core::ptr::NonNull;

/// A completion (`struct completion`): one side waits until the other
/// signals that something finished, typically an interrupt handler. The
/// kernel object is owned by the glue.
///
/// ```
/// # use rkm::prelude::*;
/// # fn start_device() {}
/// # fn f(done: &Completion) -> Result {
/// done.reinit();
/// start_device();
/// done.wait()?; // ERESTARTSYS on a signal
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue `struct completion` owned by this value. `complete` and
/// `reinit` may be called from any context (`IrqSafe`, `IrqDrop`: freed with
/// `kfree`); `wait` sleeps: process context.
pub struct Completion {
    raw: NonNull<abi::Completion>,
}

// SAFETY: the kernel object may be used from any thread and does its own
// synchronisation.
unsafe impl Send for Completion {}
// SAFETY: as above.
unsafe impl Sync for Completion {}

impl Completion {
    /// A new completion, not done.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let done = Completion::try_new()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new() -> Result<Self> {
        // SAFETY: no arguments.
        let p = unsafe { abi::rkm_completion_new() };
        NonNull::new(p).map(|raw| Completion { raw }).ok_or(ENOMEM)
    }

    /// Marks it not done (`reinit_completion`): before starting the work
    /// that will [`complete`](Self::complete) it.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(done: &Completion) {
    /// done.reinit();
    /// # }
    /// ```
    pub fn reinit(&self) {
        // SAFETY: a live completion (owned by self).
        unsafe { abi::rkm_completion_reinit(self.raw.as_ptr()) };
    }

    /// Signals it (`complete`): wakes one waiter, or lets the next wait
    /// return at once. Never sleeps: usable from interrupt handlers.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(done: &Completion) {
    /// done.complete();
    /// # }
    /// ```
    pub fn complete(&self) {
        // SAFETY: a live completion.
        unsafe { abi::rkm_completion_complete(self.raw.as_ptr()) };
    }

    /// Sleeps until it is signalled (`wait_for_completion_interruptible`);
    /// `ERESTARTSYS` if a signal arrives first. Process context only.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(done: &Completion) -> Result {
    /// done.wait()?;
    /// # Ok(()) }
    /// ```
    pub fn wait(&self) -> Result {
        // SAFETY: a live completion.
        crate::error::to_result(unsafe { abi::rkm_completion_wait(self.raw.as_ptr()) })
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        // SAFETY: owned; `&mut self` proves nobody waits on it or signals it.
        unsafe { abi::rkm_completion_free(self.raw.as_ptr()) };
    }
}
