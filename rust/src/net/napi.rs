// SPDX-License-Identifier: GPL-2.0
//! NAPI: the poll callback's view of its device.
//!
//! # Soundness
//!
//! A [`Poll`] exists only inside the glue's NAPI poll (softirq, the
//! device's NAPI context scheduled and owned by this poll), for that call.
//! `napi_complete_done` is legal once per poll and only when less than the
//! budget was done (otherwise the core, which still owns the context,
//! reschedules it): [`Poll::complete`] refuses anything else, and the
//! trampoline reports the completed work to the core. `napi_alloc_skb`,
//! `napi_gro_receive` and `napi_consume_skb` with a non-zero budget are
//! only legal in the poll: they are methods of `Poll` only.

use super::{NetDev, Skb};
use crate::abi;
use crate::error::Result;
use core::ffi::c_int;

/// The device's NAPI context inside its poll, with the budget. Derefs to
/// the device ([`NetDev`]): queue wake, byte accounting, carrier.
///
/// ```
/// # use rkm::net::{Poll, Skb};
/// fn poll(napi: &mut Poll<'_>, mut rx: impl FnMut() -> Option<Skb>) -> u32 {
///     let mut done = 0;
///     while done < napi.budget() {
///         let Some(skb) = rx() else { break };
///         napi.receive(skb);
///         done += 1;
///     }
///     if done < napi.budget() && napi.complete(done) {
///         // re-enable the device's receive interrupt here
///     }
///     done
/// }
/// ```
pub struct Poll<'a> {
    dev: NetDev<'a>,
    budget: u32,
    completed: Option<u32>,
}

impl<'a> core::ops::Deref for Poll<'a> {
    type Target = NetDev<'a>;
    fn deref(&self) -> &NetDev<'a> {
        &self.dev
    }
}

impl<'a> Poll<'a> {
    pub(crate) fn new(dev: NetDev<'a>, budget: u32) -> Self {
        Poll { dev, budget, completed: None }
    }

    pub(crate) fn completed(&self) -> Option<u32> {
        self.completed
    }

    /// The most packets this poll may receive (0: transmit cleanup only,
    /// as netpoll asks).
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>) -> u32 {
    /// napi.budget()
    /// # }
    /// ```
    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// Ends polling with `work` done (`napi_complete_done`): true if the
    /// device's interrupt may be re-enabled, false if polling goes on
    /// (busy polling) or if `work` is not below the budget, or if already
    /// completed — then nothing is done.
    ///
    /// ```
    /// # fn f(napi: &mut rkm::net::Poll<'_>, done: u32) {
    /// if done < napi.budget() && napi.complete(done) {
    ///     // unmask the device's interrupt
    /// }
    /// # }
    /// ```
    pub fn complete(&mut self, work: u32) -> bool {
        if work >= self.budget || self.completed.is_some() {
            return false;
        }
        self.completed = Some(work);
        // SAFETY: in our poll (type invariant), once, below the budget.
        unsafe { abi::rkm_net_napi_complete_done(self.dev.raw(), work as c_int) }
    }

    /// A packet for receiving `len` bytes from the NAPI cache
    /// (`napi_alloc_skb`; with a zero budget, netpoll's, as
    /// [`NetDev::alloc_skb`]); `ENOMEM`, `EINVAL` above 64 KiB.
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>) -> rkm::Result {
    /// let skb = napi.alloc_skb(1514)?;
    /// # drop(skb); Ok(()) }
    /// ```
    pub fn alloc_skb(&self, len: u32) -> Result<Skb> {
        // Soundness: a zero budget is netpoll's call (netconsole), made with
        // interrupts off from any context, where the per-CPU NAPI caches of
        // napi_alloc_skb (bottom halves only) may be in use below us: the
        // any-context allocation then.
        // SAFETY: in the device's poll, where napi_alloc_skb is allowed with
        // a budget.
        Skb::from_raw(unsafe { abi::rkm_skb_alloc(self.dev.raw(), len, self.budget > 0) }, len)
    }

    /// Hands a received packet to the stack through GRO
    /// (`eth_type_trans`, `napi_gro_receive`); consumed. With a zero
    /// budget (netpoll, which wants no receive) it goes through
    /// `netif_rx` instead.
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, skb: rkm::net::Skb) {
    /// napi.receive(skb);
    /// # }
    /// ```
    pub fn receive(&self, skb: Skb) {
        // SAFETY: in the poll; the packet is ours and handed over.
        unsafe { abi::rkm_net_receive(self.dev.raw(), skb.into_raw(), self.budget > 0) }
    }

    /// Frees a transmitted packet as consumed, through the NAPI cache
    /// (`napi_consume_skb` with the budget).
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, skb: rkm::net::Skb) {
    /// napi.consume(skb); // transmitted
    /// # }
    /// ```
    pub fn consume(&self, skb: Skb) {
        // SAFETY: in the poll; the packet is ours.
        unsafe { abi::rkm_skb_napi_consume(skb.into_raw(), self.budget as c_int) }
    }
}
