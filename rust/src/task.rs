// SPDX-License-Identifier: GPL-2.0
//! The calling task: capabilities, signals, rescheduling.

use crate::abi;

/// Whether the calling task has capability `cap` (e.g. [`CAP_SYS_ADMIN`]).
///
/// ```
/// # use rkm::prelude::*;
/// if !rkm::task::capable(rkm::task::CAP_SYS_ADMIN) { return Err(EPERM); }
/// # Ok::<(), Error>(())
/// ```
pub fn capable(cap: Capability) -> bool {
    // SAFETY: no pointers; unknown values are refused by the glue.
    unsafe { abi::rkm_capable(cap.0) }
}

/// A capability, as `CAP_*` in `<linux/capability.h>`.
///
/// ```
/// # use rkm::prelude::*;
/// let admin: rkm::task::Capability = CAP_SYS_ADMIN;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capability(u32);

/// Network administration.
pub const CAP_NET_ADMIN: Capability = Capability(abi::CAP_NET_ADMIN);
/// System administration.
pub const CAP_SYS_ADMIN: Capability = Capability(abi::CAP_SYS_ADMIN);

/// Whether the calling task has a signal pending (end a long loop with
/// `EINTR`; `ERESTARTSYS` is the kernel's own, returned by the crate's
/// interruptible waits only).
///
/// ```
/// # use rkm::prelude::*;
/// if rkm::task::signal_pending() { return Err(EINTR); }
/// # Ok::<(), Error>(())
/// ```
pub fn signal_pending() -> bool {
    // SAFETY: no arguments.
    unsafe { abi::rkm_signal_pending() }
}

/// Lets the scheduler run something else if it wants to (`cond_resched`).
///
/// ```
/// # use rkm::prelude::*;
/// # fn work() {}
/// # let n = 3;
/// for _ in 0..n { work(); rkm::task::cond_resched(); }
/// ```
pub fn cond_resched() {
    // SAFETY: no arguments; process context (a file operation).
    unsafe { abi::rkm_cond_resched() }
}

/// Sleeps for `ms` milliseconds (`msleep_interruptible`); a signal ends the
/// sleep early with `EINTR`. Process context only, no lock held but a
/// [`Mutex`](crate::sync::Mutex).
///
/// ```
/// # fn f() -> rkm::Result {
/// rkm::task::msleep(10)?;
/// # Ok(()) }
/// ```
pub fn msleep(ms: u32) -> crate::Result {
    // SAFETY: no precondition (may sleep: callers are in process context).
    match unsafe { abi::rkm_msleep_interruptible(ms) } {
        0 => Ok(()),
        _ => Err(crate::error::code::EINTR),
    }
}

/// Sleeps for `ms` milliseconds (`msleep`), however many signals arrive: for
/// waits that hardware needs in full (a reset's settling time), on paths
/// that must not fail because the calling process was signalled, such as
/// `ndo_open` (where `msleep` would make `ip link set up` fail with
/// `EINTR` and an MTU change leave the device down). Process context only,
/// no lock held but a [`Mutex`](crate::sync::Mutex).
///
/// ```
/// rkm::task::delay_ms(5);
/// ```
pub fn delay_ms(ms: u32) {
    // SAFETY: no precondition (may sleep: callers are in process context).
    unsafe { abi::rkm_msleep(ms) }
}
