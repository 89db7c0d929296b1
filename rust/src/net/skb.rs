// SPDX-License-Identifier: GPL-2.0
//! Packets (`struct sk_buff`), owned; their streaming DMA mappings; a
//! fixed-size queue of them.
//!
//! # Soundness
//!
//! - An [`Skb`] is the only handle to its `sk_buff`: made by an allocation
//!   or handed over by the stack (`start_xmit`), never `Clone`. Every way
//!   out consumes it: handing it to the stack ([`NetDev::receive`],
//!   [`Poll::receive`](super::Poll::receive)), freeing it
//!   ([`consume`](Skb::consume), drop), giving it back from `start_xmit`
//!   ([`Tx::Busy`](super::Tx::Busy)) or mapping it for the device
//!   ([`map_tx`](Skb::map_tx), [`map_rx`](Skb::map_rx)); a use after any
//!   of them is a use of a moved value, refused by the compiler.
//! - Drop frees with `dev_kfree_skb_any` (counted as a drop), allowed in
//!   every context including hard interrupts: an `Skb` is [`IrqSafe`] and
//!   [`IrqDrop`]. [`consume`](Skb::consume) is the same for a packet sent
//!   successfully (`dev_consume_skb_any`); in NAPI poll,
//!   [`Poll::consume`](super::Poll::consume) uses the NAPI cache.
//! - Data: [`data`](Skb::data) borrows the linear part (`headlen` bytes)
//!   for as long as the `Skb` is borrowed; the data of a packet the stack
//!   hands over may be shared with clones, which never write it (the
//!   kernel's rule: writers unclone first), so reading is sound. Writing
//!   takes `&mut Skb` and first makes the data private and linear
//!   (`skb_ensure_writable`), so no clone sees it; [`put`](Skb::put) only
//!   grows a private, linear packet. Copies ([`read`](Skb::read),
//!   [`write`](Skb::write)) are bounds-checked by the glue
//!   (`skb_copy_bits`, `skb_store_bits`) and reach fragments too.
//! - DMA: mapping moves the `Skb` into an [`SkbMapping`], which has no data
//!   accessor: the CPU cannot touch the bytes the device owns, and the
//!   packet cannot be freed while mapped. A packet with page fragments
//!   (scatter-gather) is mapped whole, head and every fragment, and
//!   unmapped whole; the glue owns the table of the fragments' addresses
//!   ([`SkbMapping::segments`] reads it while the mapping is borrowed).
//!   Its device address is a [`DmaAddr`] borrowing the mapping, so it
//!   cannot outlive it;
//!   [`SkbMapping::unmap`] gives the `Skb` back. A mapping dropped while
//!   the parent device may still master the bus is unmapped and freed only
//!   once it cannot (the device core's quiesce at unbind), from any
//!   context; mapping is refused (`ENODEV`) after that quiesce. A mapping
//!   holds a reference to the device's glue handle, so it may outlive the
//!   registration.
//! - Offloads: [`Skb::tx_offload`] writes headers (TCP segmentation), so it
//!   takes `&mut Skb`, and the glue makes the headers private first
//!   (`skb_cow_head`); its offsets are numbers for descriptors, checked by
//!   the glue against the packet: a driver that gets them wrong sends bad
//!   frames, as in C, but never touches memory through them.

use super::NetDev;
use crate::abi;
use crate::alloc::{KSlice, KVec};
use crate::dma::DmaAddr;
use crate::error::{code::*, to_result, Error, Result};
use crate::irq::{IrqDrop, IrqSafe};
use core::ffi::c_int;
use core::ptr::{null_mut, NonNull};

/// Whether the stack must verify the packet's checksum.
///
/// ```
/// let c = rkm::net::Checksum::Unnecessary;
/// # let _ = c;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// Not verified: the stack checks it (`CHECKSUM_NONE`).
    None,
    /// Verified by the device (`CHECKSUM_UNNECESSARY`).
    Unnecessary,
    /// Another state the stack set (`CHECKSUM_PARTIAL`, `CHECKSUM_COMPLETE`).
    Other,
}

/// A packet's length, head length and page fragments ([`Skb::layout`]).
///
/// ```
/// # fn f(skb: &rkm::net::Skb) -> usize {
/// let rkm::net::Layout { len, head_len, frags } = skb.layout();
/// # let _ = frags;
/// len - head_len // in page fragments
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Bytes in all.
    pub len: usize,
    /// Bytes in the head (linear part).
    pub head_len: usize,
    /// Page fragments.
    pub frags: usize,
}

/// What the stack asks of the device for a packet it sends
/// ([`Skb::tx_offload`]); offsets are from the start of the data.
///
/// ```
/// # fn f(o: rkm::net::TxOffload) -> bool {
/// matches!(o, rkm::net::TxOffload::Tso { ipv4: true, .. })
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxOffload {
    /// Send it as it is.
    None,
    /// Fill in a checksum (`CHECKSUM_PARTIAL`): the Internet checksum from
    /// `start` to the end, stored at `at`; `l3` is the IP header, `tcp`
    /// tells TCP from other protocols.
    Checksum {
        /// The network header.
        l3: u16,
        /// Where the sum starts.
        start: u16,
        /// Where it goes.
        at: u16,
        /// The transport protocol is TCP.
        tcp: bool,
    },
    /// Cut the TCP payload into segments of `mss` bytes, each sent with a
    /// copy of the first `hdr_len` bytes, lengths, sequence numbers and
    /// checksums fixed up (the headers are prepared: IPv4 total length and
    /// checksum zero, the TCP checksum seeded with the pseudo-header).
    Tso {
        /// IPv4 (else IPv6).
        ipv4: bool,
        /// The IP header and (IPv4) its checksum field.
        l3: u16,
        /// The IPv4 header's checksum field (0 for IPv6).
        l3_check: u16,
        /// The TCP header and its checksum field.
        l4: u16,
        /// The TCP checksum field.
        l4_check: u16,
        /// Every header's bytes.
        hdr_len: u16,
        /// Payload bytes per segment.
        mss: u16,
        /// Payload bytes in all.
        payload: u32,
        /// The segments that makes (`gso_segs`).
        segs: u16,
    },
}

impl TxOffload {
    /// The glue's answer as a value; `EINVAL` for a kind it never gives.
    fn from_abi(o: &abi::NetOffload) -> Result<TxOffload> {
        Ok(match o.kind {
            abi::NET_OFFLOAD_NONE => TxOffload::None,
            abi::NET_OFFLOAD_CSUM => {
                TxOffload::Checksum { l3: o.l3, start: o.l4, at: o.l4_csum, tcp: o.tcp != 0 }
            }
            abi::NET_OFFLOAD_TSO4 | abi::NET_OFFLOAD_TSO6 => TxOffload::Tso {
                ipv4: o.kind == abi::NET_OFFLOAD_TSO4,
                l3: o.l3,
                l3_check: o.l3_csum,
                l4: o.l4,
                l4_check: o.l4_csum,
                hdr_len: o.hdr_len,
                mss: o.mss,
                payload: o.payload,
                segs: o.segs,
            },
            _ => return Err(EINVAL),
        })
    }
}

/// An owned packet.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(dev: &rkm::net::NetDev<'_>) -> Result {
/// let mut skb = dev.alloc_skb(64)?;
/// skb.put(&[0xff; 6])?; // destination
/// skb.put_zeroed(58)?;
/// assert_eq!(skb.len(), 64);
/// dev.receive(skb); // consumed
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `ptr` is an `sk_buff` this value owns alone (it frees it exactly once,
/// or hands it over).
pub struct Skb {
    ptr: NonNull<abi::Skb>,
}

// SAFETY: an sk_buff may be used and freed on any CPU.
unsafe impl Send for Skb {}
// SAFETY: `&Skb` only reads its (unshared-for-writing) data and fields.
unsafe impl Sync for Skb {}
// SAFETY: every method works in any context (GFP_ATOMIC, memcpy).
unsafe impl IrqSafe for Skb {}
// SAFETY: dropping calls dev_kfree_skb_any, allowed in any context.
unsafe impl IrqDrop for Skb {}

struct Info {
    len: u32,
    headlen: u32,
    headroom: u32,
    tailroom: u32,
    nr_frags: u32,
}

impl Skb {
    /// An allocation's result: `ENOMEM` if null (`EINVAL` for a length
    /// above what the glue allocates).
    pub(crate) fn from_raw(p: *mut abi::Skb, len: u32) -> Result<Self> {
        if len > 65536 {
            return Err(EINVAL);
        }
        // INVARIANT: a fresh allocation, ours.
        NonNull::new(p).map(|ptr| Skb { ptr }).ok_or(ENOMEM)
    }

    /// # Safety
    ///
    /// `p` is a non-null sk_buff the caller hands over.
    pub(crate) unsafe fn from_owned(p: *mut abi::Skb) -> Self {
        // INVARIANT: the caller's contract.
        Skb { ptr: NonNull::new(p).unwrap_or(NonNull::dangling()) }
    }

    /// The sk_buff, still ours (for the crate's in-kernel tests' probes).
    #[cfg(rkm_ktest)]
    pub(crate) fn as_raw(&self) -> *mut abi::Skb {
        self.ptr.as_ptr()
    }

    /// Gives up ownership (to the glue, which frees or hands it on).
    pub(crate) fn into_raw(self) -> *mut abi::Skb {
        let p = self.ptr.as_ptr();
        core::mem::forget(self);
        p
    }

    fn info(&self) -> Info {
        let mut i = Info { len: 0, headlen: 0, headroom: 0, tailroom: 0, nr_frags: 0 };
        // SAFETY: our sk_buff; valid out-pointers.
        unsafe {
            abi::rkm_skb_info(
                self.ptr.as_ptr(),
                &mut i.len,
                &mut i.headlen,
                &mut i.headroom,
                &mut i.tailroom,
                &mut i.nr_frags,
            )
        };
        i
    }

    /// The length of the packet's data, in bytes.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> usize {
    /// skb.len()
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.info().len as usize
    }

    /// Whether it has no data.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// skb.is_empty()
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The packet's shape in one call: its length, the bytes in its head
    /// (the rest are in page fragments) and how many fragments.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// let l = skb.layout();
    /// l.frags == 0 && l.head_len == l.len // linear
    /// # }
    /// ```
    pub fn layout(&self) -> Layout {
        let i = self.info();
        Layout { len: i.len as usize, head_len: i.headlen as usize, frags: i.nr_frags as usize }
    }

    /// Free bytes before the data.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// skb.headroom() >= 2
    /// # }
    /// ```
    pub fn headroom(&self) -> usize {
        self.info().headroom as usize
    }

    /// Free bytes after the data, for [`put`](Skb::put) (0 if the packet
    /// has fragments).
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// skb.tailroom() >= 1514
    /// # }
    /// ```
    pub fn tailroom(&self) -> usize {
        self.info().tailroom as usize
    }

    /// The linear part of the data (all of it unless the packet has
    /// fragments), borrowed.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> Option<u8> {
    /// let first = skb.data().first().copied();
    /// # first }
    /// ```
    pub fn data(&self) -> &[u8] {
        let n = self.info().headlen as usize;
        // SAFETY: our sk_buff's head holds headlen bytes at data, which no
        // one writes while we own it and hold `&self` (see the module's
        // soundness notes).
        unsafe { core::slice::from_raw_parts(abi::rkm_skb_data(self.ptr.as_ptr()), n) }
    }

    /// The data, writable: made private and linear first (`ENOMEM` if
    /// that needs memory it cannot get).
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) -> rkm::Result {
    /// if let Some(b) = skb.data_mut()?.first_mut() {
    ///     *b = 0xff;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn data_mut(&mut self) -> Result<&mut [u8]> {
        // SAFETY: our sk_buff.
        to_result(unsafe { abi::rkm_skb_writable(self.ptr.as_ptr()) })?;
        let n = self.info().headlen as usize;
        // SAFETY: private and linear now, borrowed mutably with `self`.
        Ok(unsafe { core::slice::from_raw_parts_mut(abi::rkm_skb_data(self.ptr.as_ptr()), n) })
    }

    /// Copies `out.len()` bytes at offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> rkm::Result {
    /// let mut dst = [0u8; 6];
    /// skb.read(0, &mut dst)?;
    /// # Ok(()) }
    /// ```
    pub fn read(&self, off: usize, out: &mut [u8]) -> Result {
        let (off, n) = (
            u32::try_from(off).map_err(|_| EINVAL)?,
            u32::try_from(out.len()).map_err(|_| EINVAL)?,
        );
        // SAFETY: our sk_buff; `out` is writable for n bytes; the glue
        // checks the range.
        to_result(unsafe {
            abi::rkm_skb_copy(self.ptr.as_ptr(), off, out.as_mut_ptr().cast(), n, false)
        })
    }

    /// Overwrites `data.len()` bytes at offset `off` (`EINVAL` past the
    /// end, `ENOMEM`).
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) -> rkm::Result {
    /// skb.write(6, &[0x02, 0, 0, 0, 0, 1])?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        let (off, n) = (
            u32::try_from(off).map_err(|_| EINVAL)?,
            u32::try_from(data.len()).map_err(|_| EINVAL)?,
        );
        // SAFETY: as above; the glue only reads `data`.
        to_result(unsafe {
            abi::rkm_skb_copy(self.ptr.as_ptr(), off, data.as_ptr().cast_mut().cast(), n, true)
        })
    }

    /// Appends `data` (`skb_put_data`); `ENOSPC` without the tailroom.
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb, frame: &[u8]) -> rkm::Result {
    /// skb.put(frame)?;
    /// # Ok(()) }
    /// ```
    pub fn put(&mut self, data: &[u8]) -> Result {
        let n = u32::try_from(data.len()).map_err(|_| ENOSPC)?;
        if n == 0 {
            return Ok(());
        }
        // SAFETY: our sk_buff; `data` readable for n bytes.
        to_result(unsafe { abi::rkm_skb_put(self.ptr.as_ptr(), data.as_ptr().cast(), n) })
    }

    /// Appends `n` zero bytes; `ENOSPC` without the tailroom.
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) -> rkm::Result {
    /// let pad = 60usize.saturating_sub(skb.len());
    /// skb.put_zeroed(pad)?; // to the Ethernet minimum
    /// # Ok(()) }
    /// ```
    pub fn put_zeroed(&mut self, n: usize) -> Result {
        let n = u32::try_from(n).map_err(|_| ENOSPC)?;
        // SAFETY: our sk_buff; a null source means zeroes.
        to_result(unsafe { abi::rkm_skb_put(self.ptr.as_ptr(), core::ptr::null(), n) })
    }

    /// Removes `n` bytes from the start (`skb_pull`); `EINVAL` beyond the
    /// linear part.
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) -> rkm::Result {
    /// skb.pull(4)?; // a vendor header
    /// # Ok(()) }
    /// ```
    pub fn pull(&mut self, n: usize) -> Result {
        let n = u32::try_from(n).map_err(|_| EINVAL)?;
        // SAFETY: our sk_buff; the glue checks the length.
        to_result(unsafe { abi::rkm_skb_pull(self.ptr.as_ptr(), n) })
    }

    /// Cuts the packet to `len` bytes (`pskb_trim`); `EINVAL` if longer.
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) -> rkm::Result {
    /// let len = skb.len();
    /// skb.trim(len.saturating_sub(4))?; // the FCS
    /// # Ok(()) }
    /// ```
    pub fn trim(&mut self, len: usize) -> Result {
        let len = u32::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: our sk_buff; the glue checks the length.
        to_result(unsafe { abi::rkm_skb_trim(self.ptr.as_ptr(), len) })
    }

    /// The checksum state (`ip_summed`).
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// skb.checksum() == rkm::net::Checksum::Unnecessary
    /// # }
    /// ```
    pub fn checksum(&self) -> Checksum {
        // SAFETY: our sk_buff.
        match unsafe { abi::rkm_skb_csum(self.ptr.as_ptr()) } {
            abi::NET_CSUM_NONE => Checksum::None,
            abi::NET_CSUM_UNNECESSARY => Checksum::Unnecessary,
            abi::NET_CSUM_OTHER => Checksum::Other,
            _ => Checksum::Other,
        }
    }

    /// Says whether the device verified the checksum of a received packet
    /// ([`Checksum::Other`] is taken as [`Checksum::None`]).
    ///
    /// ```
    /// # fn f(skb: &mut rkm::net::Skb) {
    /// skb.set_checksum(rkm::net::Checksum::Unnecessary); // the device checked it
    /// # }
    /// ```
    pub fn set_checksum(&mut self, c: Checksum) {
        let raw =
            if c == Checksum::Unnecessary { abi::NET_CSUM_UNNECESSARY } else { abi::NET_CSUM_NONE };
        // SAFETY: our sk_buff.
        unsafe { abi::rkm_skb_set_csum(self.ptr.as_ptr(), raw) }
    }

    /// The protocol (`skb->protocol`, an EtherType, host order): set by
    /// the stack on transmit, by `receive` on receive.
    ///
    /// ```
    /// # fn f(skb: &rkm::net::Skb) -> bool {
    /// skb.protocol() == 0x0800 // IPv4
    /// # }
    /// ```
    pub fn protocol(&self) -> u16 {
        // SAFETY: our sk_buff.
        unsafe { abi::rkm_skb_protocol(self.ptr.as_ptr()) }
    }

    /// Frees a packet that was sent successfully (`dev_consume_skb_any`:
    /// not counted as a drop). Any context.
    ///
    /// ```
    /// # fn f(skb: rkm::net::Skb) {
    /// skb.consume();
    /// # }
    /// ```
    pub fn consume(self) {
        // SAFETY: ours, handed over.
        unsafe { abi::rkm_skb_consume(self.into_raw()) }
    }

    /// What the device is to do to this packet: nothing, fill in a
    /// checksum, or segment it (TCP). For segmentation the headers are made
    /// private and prepared (see [`TxOffload::Tso`]), so a driver asks
    /// after it knows it has room to send, and drops the packet on error
    /// (`ENOMEM`; `EINVAL`: headers the device could not find). Asking again
    /// gives the same answer. Any context.
    ///
    /// ```
    /// # fn f(mut skb: rkm::net::Skb) -> rkm::Result {
    /// match skb.tx_offload()? {
    ///     rkm::net::TxOffload::None => {}
    ///     rkm::net::TxOffload::Checksum { start, at, .. } => { let _ = (start, at); }
    ///     rkm::net::TxOffload::Tso { mss, hdr_len, .. } => { let _ = (mss, hdr_len); }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tx_offload(&mut self) -> Result<TxOffload> {
        let mut o = abi::NetOffload::default();
        // SAFETY: our sk_buff, borrowed mutably (no data borrow lives); the
        // glue writes headers only after making them private.
        to_result(unsafe { abi::rkm_skb_tx_offload(self.ptr.as_ptr(), &mut o) })?;
        TxOffload::from_abi(&o)
    }

    /// [`tx_offload`](Skb::tx_offload) then [`map_tx`](Skb::map_tx), in one
    /// call into the glue (a transmit path's hot pair): what the stack asks
    /// of the device, and the packet mapped whole. On error nothing is
    /// mapped and the packet comes back (errors of either; TCP segmentation
    /// headers may be prepared already, which preparing again leaves as
    /// they are). Any context.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>, skb: rkm::net::Skb) -> Option<rkm::net::SkbMapping> {
    /// let (m, offload) = skb.map_tx_offload(dev).ok()?;
    /// let _ = offload; // a context descriptor, then m.segments()
    /// Some(m)
    /// # }
    /// ```
    pub fn map_tx_offload(
        self,
        dev: &NetDev<'_>,
    ) -> core::result::Result<(SkbMapping, TxOffload), (Skb, Error)> {
        let mut o = abi::NetOffload::default();
        let (mut addr, mut len, mut frags) = (0, 0, null_mut());
        // SAFETY: as tx_offload and map_tx: our sk_buff (no data borrow
        // lives: `self` is moved in), a registered device, out-pointers.
        let r = unsafe {
            abi::rkm_skb_map_tx_offload(
                dev.raw(),
                self.ptr.as_ptr(),
                &mut o,
                &mut addr,
                &mut len,
                &mut frags,
            )
        };
        if r != 0 {
            return Err((self, Error::from_kernel(r)));
        }
        let m = self.mapped_tx(dev, addr, len, frags);
        match TxOffload::from_abi(&o) {
            Ok(t) => Ok((m, t)),
            Err(e) => Err((m.unmap(), e)),
        }
    }

    /// Fills in a checksum the stack left to the device, in software
    /// (`skb_checksum_help`): for a packet whose offsets the device cannot
    /// take. `ENOMEM`, `EINVAL`. Any context.
    ///
    /// ```
    /// # fn f(mut skb: rkm::net::Skb) -> rkm::Result {
    /// skb.checksum_help()?; // then sent with TxOffload::None
    /// # Ok(()) }
    /// ```
    pub fn checksum_help(&mut self) -> Result {
        // SAFETY: our sk_buff, borrowed mutably; the helper unclones first.
        to_result(unsafe { abi::rkm_skb_checksum_help(self.ptr.as_ptr()) })
    }

    fn into_raw_nonnull(self) -> NonNull<abi::Skb> {
        let p = self.ptr;
        core::mem::forget(self);
        p
    }

    /// Maps the whole packet for the device to read (`DMA_TO_DEVICE`): its
    /// head and each page fragment, the [`segments`](SkbMapping::segments)
    /// to put in descriptors. On error (`ENOMEM`; `ENODEV` once the parent
    /// was unbound; `EINVAL` for an empty packet) the packet comes back.
    /// Any context.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>, skb: rkm::net::Skb) -> Option<rkm::net::SkbMapping> {
    /// match skb.map_tx(dev) {
    ///     Ok(m) => Some(m),
    ///     Err((skb, _e)) => {
    ///         drop(skb); // counted as tx_dropped
    ///         None
    ///     }
    /// }
    /// # }
    /// ```
    pub fn map_tx(self, dev: &NetDev<'_>) -> core::result::Result<SkbMapping, (Skb, Error)> {
        let (mut addr, mut len, mut frags) = (0, 0, null_mut());
        // SAFETY: a registered device (NetDev's invariant) and our sk_buff;
        // valid out-pointers.
        let r = unsafe {
            abi::rkm_skb_map_tx(dev.raw(), self.ptr.as_ptr(), &mut addr, &mut len, &mut frags)
        };
        if r != 0 {
            return Err((self, Error::from_kernel(r)));
        }
        Ok(self.mapped_tx(dev, addr, len, frags))
    }

    /// The mapping `rkm_skb_map_tx` (alone or after the offload) made of
    /// this packet for `dev`: its head at `addr` for `len` bytes, `frags`.
    fn mapped_tx(
        self,
        dev: &NetDev<'_>,
        addr: u64,
        len: u32,
        frags: *mut abi::SkbFrags,
    ) -> SkbMapping {
        // INVARIANT: mapped whole (frags: the glue's table, or null), with
        // a reference on the glue handle taken by the glue.
        let nd = NonNull::new(dev.raw()).unwrap_or(NonNull::dangling());
        let dir = abi::DMA_TO_DEVICE;
        SkbMapping { skb: self.into_raw_nonnull(), nd, addr, len, dir, frags }
    }

    /// Maps `len` bytes from the start of the data, into the tailroom, for
    /// the device to write a received frame (`DMA_FROM_DEVICE`): a
    /// receive buffer from [`NetDev::alloc_skb`]`(len)`. Errors as
    /// [`map_tx`](Skb::map_tx), `EINVAL` past the tailroom.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> rkm::Result<rkm::net::SkbMapping> {
    /// let skb = dev.alloc_skb(2048)?;
    /// let m = skb.map_rx(dev, 2048).map_err(|(_, e)| e)?;
    /// # Ok(m) }
    /// ```
    pub fn map_rx(
        self,
        dev: &NetDev<'_>,
        len: u32,
    ) -> core::result::Result<SkbMapping, (Skb, Error)> {
        let (mut addr, dir) = (0, abi::DMA_FROM_DEVICE);
        // SAFETY: a registered device (NetDev's invariant) and our sk_buff;
        // the glue checks the length against the buffer.
        let r = unsafe { abi::rkm_skb_map(dev.raw(), self.ptr.as_ptr(), len, dir, &mut addr) };
        if r != 0 {
            return Err((self, Error::from_kernel(r)));
        }
        // INVARIANT: mapped, with a reference on the glue handle taken by the glue.
        let nd = NonNull::new(dev.raw()).unwrap_or(NonNull::dangling());
        Ok(SkbMapping { skb: self.into_raw_nonnull(), nd, addr, len, dir, frags: null_mut() })
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: ours, freed once.
        unsafe { abi::rkm_skb_free(self.ptr.as_ptr()) }
    }
}

/// A packet mapped for its device: no CPU access, no freeing, until
/// [`unmap`](SkbMapping::unmap) or [`unmap_rx`](SkbMapping::unmap_rx).
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(dev: &rkm::net::NetDev<'_>, skb: rkm::net::Skb) -> Result {
/// let m = skb.map_tx(dev).map_err(|(_, e)| e)?;
/// let addr = m.dma_addr(); // into the TX descriptor
/// # let _ = addr;
/// // ... the device reports it sent ...
/// m.unmap().consume();
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `skb` is an sk_buff this value owns, its head mapped at `addr` for `len`
/// bytes (none if 0) in direction `dir` for `nd`'s parent, and its
/// fragments as `frags` says (null: none), a table of the glue's that lives
/// until the unmap; `nd` is counted by this value.
pub struct SkbMapping {
    skb: NonNull<abi::Skb>,
    nd: NonNull<abi::Netdev>,
    addr: u64,
    len: u32,
    dir: c_int,
    frags: *mut abi::SkbFrags,
}

// SAFETY: unmapping and freeing work on any CPU.
unsafe impl Send for SkbMapping {}
// SAFETY: `&SkbMapping` gives only the address and length.
unsafe impl Sync for SkbMapping {}
// SAFETY: as Sync: plain values.
unsafe impl IrqSafe for SkbMapping {}
// SAFETY: dropping defers or frees under a spinlock (rkm_skb_unmap_free,
// any context).
unsafe impl IrqDrop for SkbMapping {}

impl SkbMapping {
    /// The device address of the head's mapped bytes (of a receive buffer:
    /// all of it), borrowing the mapping.
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping, bar: &rkm::io::Bar<0x100>) {
    /// bar.write_dma_addr::<0x80>(m.dma_addr());
    /// # }
    /// ```
    pub fn dma_addr(&self) -> DmaAddr<'_> {
        // SAFETY: mapped while `self` is borrowed (type invariant).
        unsafe { DmaAddr::from_mapping(self.addr) }
    }

    /// The device address as a number, for a descriptor field. What the
    /// driver writes into its device is trusted, as in C.
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping) -> u64 {
    /// m.dma_addr_u64() // a descriptor's buffer address
    /// # }
    /// ```
    pub fn dma_addr_u64(&self) -> u64 {
        self.addr
    }

    /// The mapped parts in order, each a device address and a length: the
    /// head (if the packet has one), then each page fragment. A driver puts
    /// each in descriptors; the packet is these bytes end to end.
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping) -> usize {
    /// m.segments().map(|(_addr, len)| len as usize).sum() // m.len()
    /// # }
    /// ```
    pub fn segments(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let head = (self.len != 0).then_some((self.addr, self.len));
        head.into_iter().chain(self.frags().iter().map(|s| (s.addr, s.len)))
    }

    fn frags(&self) -> &[abi::SkbSeg] {
        if self.frags.is_null() {
            return &[];
        }
        let mut n = 0;
        // SAFETY: the glue's table (type invariant), alive until the unmap,
        // which consumes `self`; never written after the map.
        let p = unsafe { abi::rkm_skb_frags_segs(self.frags, &mut n) };
        if p.is_null() {
            return &[];
        }
        // SAFETY: `n` segments at `p`, as long as the table (above).
        unsafe { core::slice::from_raw_parts(p, n as usize) }
    }

    /// How many bytes are mapped, in all segments.
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping) -> usize {
    /// m.len()
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.frags().iter().fold(self.len as usize, |n, s| n + s.len as usize)
    }

    /// How many bytes of the head are mapped: the first of the
    /// [`segments`](Self::segments) if not 0 (`skb_headlen`; a receive
    /// buffer: all of it).
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping) -> usize {
    /// m.head_len()
    /// # }
    /// ```
    pub fn head_len(&self) -> usize {
        self.len as usize
    }

    /// Never true (an empty mapping is refused).
    ///
    /// ```
    /// # fn f(m: &rkm::net::SkbMapping) -> bool {
    /// m.is_empty()
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// For a receive buffer the device wrote `len` bytes into (its done bit
    /// seen): a copy of them in a new packet, while the buffer stays mapped
    /// for the device to write again (e1000's copybreak: cheaper than a new
    /// buffer for a short frame). Synced for the CPU, copied by the glue,
    /// synced back. `EINVAL` for a transmit mapping or `len` 0 or past the
    /// mapping; `ENOMEM`. In the poll (a zero budget: any context).
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, m: &rkm::net::SkbMapping) -> rkm::Result {
    /// let skb = m.copy_rx(napi, 60)?; // m goes back on the ring
    /// napi.receive(skb);
    /// # Ok(()) }
    /// ```
    pub fn copy_rx(&self, napi: &super::Poll<'_>, len: u32) -> Result<Skb> {
        if self.dir != abi::DMA_FROM_DEVICE || len == 0 || len > self.len {
            return Err(EINVAL);
        }
        // NAPI's allocation cache only in this device's own poll with a
        // budget (as Poll::alloc_skb); else the any-context one.
        let in_napi = napi.budget() > 0 && napi.raw() == self.nd.as_ptr();
        // SAFETY: mapped for `nd`'s parent (type invariant), synced for it;
        // the glue checks the length again and copies from the kernel
        // buffer (no Rust reference to it).
        let p = unsafe {
            abi::rkm_skb_copy_rx(
                self.nd.as_ptr(),
                self.skb.as_ptr(),
                self.addr,
                self.len,
                len,
                in_napi,
            )
        };
        Skb::from_raw(p, len)
    }

    /// [`copy_rx`](Self::copy_rx), its checksum status set
    /// ([`Skb::set_checksum`]) and [`Poll::receive`](super::Poll::receive),
    /// in one call: a poll's short frame to the stack, its buffer kept
    /// (e1000's copybreak). `EINVAL` as `copy_rx`, and for a mapping of
    /// another device than the poll's; `ENOMEM` (nothing received, the
    /// buffer as it was).
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, m: &rkm::net::SkbMapping) -> rkm::Result {
    /// m.receive_copy(napi, 60, rkm::net::Checksum::None)?; // m goes back on the ring
    /// # Ok(()) }
    /// ```
    pub fn receive_copy(&self, napi: &super::Poll<'_>, len: u32, csum: Checksum) -> Result {
        if self.dir != abi::DMA_FROM_DEVICE || napi.raw() != self.nd.as_ptr() {
            return Err(EINVAL);
        }
        // SAFETY: mapped for `nd`'s parent (type invariant), synced for it;
        // the glue checks the length against the mapping (EINVAL), copies
        // from the kernel buffer (no Rust reference to it) and hands the
        // new packet to `nd`'s stack, in `nd`'s own poll (checked above).
        let r = unsafe {
            abi::rkm_skb_receive_copy(
                self.nd.as_ptr(),
                self.skb.as_ptr(),
                self.addr,
                self.len,
                len,
                rx_flags(napi, csum),
            )
        };
        // The glue's -EINVAL (the length) or -ENOMEM.
        to_result(r)
    }

    /// [`unmap_rx`](Self::unmap_rx), its checksum status set
    /// ([`Skb::set_checksum`]) and [`Poll::receive`](super::Poll::receive),
    /// in one call: a poll's frame to the stack in the buffer the device
    /// wrote it into. `EINVAL` (the packet freed) as `unmap_rx`. Any
    /// mapping; one of the poll's own device for receive takes the one
    /// call, any other the three.
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, m: rkm::net::SkbMapping) -> rkm::Result {
    /// m.receive(napi, 1514, rkm::net::Checksum::Unnecessary)?; // a new buffer on the ring
    /// # Ok(()) }
    /// ```
    pub fn receive(self, napi: &super::Poll<'_>, len: u32, csum: Checksum) -> Result {
        if self.dir != abi::DMA_FROM_DEVICE || napi.raw() != self.nd.as_ptr() {
            let mut skb = self.unmap_rx(len)?;
            skb.set_checksum(csum);
            napi.receive(skb);
            return Ok(());
        }
        // SAFETY: mapped by us for `nd`'s device to write (type invariant),
        // unmapped once (consumed below); the glue checks the length
        // against the mapping and the buffer, then hands the packet (ours)
        // to `nd`'s stack, in `nd`'s own poll (checked above), and drops
        // the mapping's reference on the glue handle.
        let r = unsafe {
            abi::rkm_skb_receive_mapped(
                self.nd.as_ptr(),
                self.skb.as_ptr(),
                self.addr,
                self.len,
                len,
                rx_flags(napi, csum),
            )
        };
        core::mem::forget(self);
        // The glue's -EINVAL (a length past the buffer).
        to_result(r)
    }

    fn unmap_raw(self) -> Skb {
        // SAFETY: mapped by us, unmapped once (consumed); drops the
        // reference on the glue handle.
        unsafe {
            abi::rkm_skb_unmap(
                self.nd.as_ptr(),
                self.skb.as_ptr(),
                self.addr,
                self.len,
                self.dir,
                self.frags,
            )
        };
        let skb = Skb { ptr: self.skb };
        core::mem::forget(self);
        skb
    }

    /// The device is done: unmaps every segment, the CPU owns the
    /// packet again. That the device is done is the driver's protocol (a
    /// descriptor's done bit), as in C. Any context.
    ///
    /// ```
    /// # fn f(m: rkm::net::SkbMapping) {
    /// m.unmap().consume(); // transmitted
    /// # }
    /// ```
    pub fn unmap(self) -> Skb {
        self.unmap_raw()
    }

    /// For a receive buffer: unmaps, and the `received` bytes the device
    /// wrote become the packet's data (`skb_put`). `EINVAL` (the packet is
    /// freed) if that is more than was mapped. Any context.
    ///
    /// ```
    /// # fn f(napi: &rkm::net::Poll<'_>, m: rkm::net::SkbMapping, len: u32) -> rkm::Result {
    /// let skb = m.unmap_rx(len)?;
    /// napi.receive(skb);
    /// # Ok(()) }
    /// ```
    pub fn unmap_rx(self, received: u32) -> Result<Skb> {
        let room = self.len;
        let mut skb = self.unmap_raw();
        let have = skb.info().len;
        if received > room.saturating_sub(have) {
            return Err(EINVAL);
        }
        // SAFETY: our sk_buff; the glue checks the tailroom.
        to_result(unsafe { abi::rkm_skb_put_mapped(skb.ptr.as_ptr(), received) })?;
        skb.set_checksum(Checksum::None);
        Ok(skb)
    }
}

/// How the glue hands a poll's frame to the stack, as [`Poll::receive`]
/// does (NAPI's cache and GRO with a budget), and its checksum status.
///
/// [`Poll::receive`]: super::Poll::receive
fn rx_flags(napi: &super::Poll<'_>, csum: Checksum) -> u32 {
    let napi_flag = if napi.budget() > 0 { abi::NET_RX_NAPI } else { 0 };
    let csum_flag = if csum == Checksum::Unnecessary { abi::NET_RX_CSUM_UNNECESSARY } else { 0 };
    napi_flag | csum_flag
}

impl Drop for SkbMapping {
    fn drop(&mut self) {
        // SAFETY: ours; the glue frees it once the device cannot reach it.
        unsafe {
            abi::rkm_skb_unmap_free(
                self.nd.as_ptr(),
                self.skb.as_ptr(),
                self.addr,
                self.len,
                self.dir,
                self.frags,
            )
        }
    }
}

/// A first-in first-out queue of a fixed number of packets, for software
/// devices and backlogs; put it in a [`SpinLockIrq`](crate::sync::SpinLockIrq)
/// to share it with atomic context ([`IrqSafe`] and [`IrqDrop`]).
///
/// ```
/// # use rkm::net::{Skb, SkbQueue};
/// # fn f() -> rkm::Result {
/// let q = rkm::new_spinlock_irq!(SkbQueue::new(64)?)?;
/// # let _ = q; Ok(()) }
/// fn backlog(q: &mut SkbQueue, skb: Skb) -> Result<(), Skb> {
///     q.push(skb)
/// }
/// ```
pub struct SkbQueue {
    slots: KSlice<Option<Skb>>,
    head: usize,
    len: usize,
}

// SAFETY: KSlice<Option<Skb>> is IrqSafe; the queue adds index arithmetic only.
unsafe impl IrqSafe for SkbQueue {}
// SAFETY: dropping drops the packets (IrqDrop) and kfree()s the slots.
unsafe impl IrqDrop for SkbQueue {}

impl SkbQueue {
    /// An empty queue of `cap` packets (`EINVAL` for 0, `ENOMEM`).
    /// Sleeps (`GFP_KERNEL`).
    ///
    /// ```
    /// let q = rkm::net::SkbQueue::new(64)?;
    /// # drop(q);
    /// # Ok::<(), rkm::Error>(())
    /// ```
    pub fn new(cap: usize) -> Result<Self> {
        if cap == 0 {
            return Err(EINVAL);
        }
        let mut v = KVec::try_with_capacity(cap)?;
        for _ in 0..cap {
            v.try_push(None)?;
        }
        Ok(SkbQueue { slots: KSlice::from(v), head: 0, len: 0 })
    }

    /// Adds at the tail; gives the packet back if full.
    ///
    /// ```
    /// # fn f(q: &mut rkm::net::SkbQueue, skb: rkm::net::Skb) {
    /// if let Err(skb) = q.push(skb) {
    ///     drop(skb); // full
    /// }
    /// # }
    /// ```
    pub fn push(&mut self, skb: Skb) -> core::result::Result<(), Skb> {
        let cap = self.slots.len();
        if self.len >= cap {
            return Err(skb);
        }
        match self.slots.get_mut((self.head + self.len) % cap) {
            Some(slot) => *slot = Some(skb),
            None => return Err(skb),
        }
        self.len += 1;
        Ok(())
    }

    /// Takes from the head.
    ///
    /// ```
    /// # fn f(q: &mut rkm::net::SkbQueue) {
    /// while let Some(skb) = q.pop() {
    ///     skb.consume();
    /// }
    /// # }
    /// ```
    pub fn pop(&mut self) -> Option<Skb> {
        if self.len == 0 {
            return None;
        }
        let skb = self.slots.get_mut(self.head)?.take();
        self.head = (self.head + 1) % self.slots.len();
        self.len -= 1;
        skb
    }

    /// How many packets it holds.
    ///
    /// ```
    /// # fn f(q: &rkm::net::SkbQueue) -> usize {
    /// q.len()
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    ///
    /// ```
    /// # fn f(q: &rkm::net::SkbQueue) -> bool {
    /// q.is_empty()
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether it is full.
    ///
    /// ```
    /// # fn f(q: &rkm::net::SkbQueue) -> bool {
    /// q.is_full()
    /// # }
    /// ```
    pub fn is_full(&self) -> bool {
        self.len >= self.slots.len()
    }

    /// How many packets it can hold.
    ///
    /// ```
    /// # fn f(q: &rkm::net::SkbQueue) -> usize {
    /// q.capacity()
    /// # }
    /// ```
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::super::{Operations, Options, Registration, RtnlDev, Tx, Xmit};
    use super::*;
    use crate::ktest::{kassert, Case};
    use crate::platform;
    use crate::sync::{Arc, Mutex};

    pub(crate) const CASES: &[Case] = &[("skb_bounds_and_contexts", skb_bounds_and_contexts)];

    crate::irq_safe! {
        struct Kt { _id: u32 }
    }

    #[crate::vtable]
    impl Operations for Kt {
        fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
            Ok(())
        }
        fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}
        fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
            Tx::Busy(skb)
        }
    }

    /// The checks run inside a probe, with a registered device to allocate on.
    struct KtDrv {
        result: Arc<Mutex<Option<Result>>>,
        handle: Arc<Mutex<Option<super::super::RtnlHandle>>>,
        ops: Arc<Mutex<Option<super::super::OpsHandle<Kt>>>>,
    }

    impl crate::driver::Driver for KtDrv {
        const NAME: &'static str = "rkm_ktest_net";
        type Hw = ();
        type Data = Registration<Kt>;
    }

    impl platform::Driver for KtDrv {
        fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), Registration<Kt>)> {
            let (bad_ok, mtu_ok, mac_ok, napi_ok) = refusals(dev);
            // Below the shortest frame's payload (46, e1000's minimum).
            let mtu_ok = mtu_ok
                && refused(dev, &Options { min_mtu: 45, napi_weight: 0, ..Default::default() });
            let opts = Options { name: "rkmkt%d", napi_weight: 0, ..Default::default() };
            let reg = Registration::register(dev, &opts, Kt { _id: 7 }, ())?;
            let r = if bad_ok && mtu_ok && mac_ok && napi_ok {
                checks(&reg)
            } else {
                crate::pr_err!(
                    "    # registration checks: {} {} {} {}\n",
                    bad_ok,
                    mtu_ok,
                    mac_ok,
                    napi_ok
                );
                Err(EINVAL)
            };
            *self.result.lock() = Some(r);
            *self.handle.lock() = Some(reg.rtnl_handle());
            *self.ops.lock() = Some(reg.ops_handle());
            Ok(((), reg))
        }
    }

    /// Bad options are refused (each refusal in its own frame: a KASAN
    /// kernel's stack limit).
    #[inline(never)]
    fn refused(dev: &platform::Device<'_, KtDrv>, opts: &Options<'_>) -> bool {
        Registration::register(dev, opts, Kt { _id: 0 }, ()).err() == Some(EINVAL)
    }

    #[inline(never)]
    fn refusals(dev: &platform::Device<'_, KtDrv>) -> (bool, bool, bool, bool) {
        (
            refused(dev, &Options { name: "a/b", ..Default::default() }),
            refused(dev, &Options { min_mtu: 10, ..Default::default() }),
            refused(dev, &Options { mac: Some([1, 0, 0, 0, 0, 1]), ..Default::default() }),
            // A NAPI weight but no poll.
            refused(dev, &Options::default()),
        )
    }

    fn checks(reg: &Registration<Kt>) -> Result {
        // A NetDev as the callbacks get one: the device is registered.
        let dev = NetDev { nd: reg.nd, _call: core::marker::PhantomData };
        let mut skb = dev.alloc_skb(128)?;
        kassert!(skb.is_empty() && skb.tailroom() >= 128);
        kassert!(skb.put(&[1, 2, 3, 4]).is_ok());
        kassert!(skb.len() == 4 && skb.data() == [1, 2, 3, 4]);
        kassert!(skb.put_zeroed(skb.tailroom() + 1) == Err(ENOSPC));
        kassert!(skb.put_zeroed(10).is_ok() && skb.len() == 14);
        let mut out = [0u8; 4];
        kassert!(skb.read(0, &mut out).is_ok() && out == [1, 2, 3, 4]);
        kassert!(skb.read(11, &mut out) == Err(EINVAL));
        kassert!(skb.read(usize::MAX, &mut out) == Err(EINVAL));
        kassert!(skb.write(12, &[9, 9]).is_ok() && skb.data()[12..] == [9, 9]);
        kassert!(skb.write(13, &[9, 9]) == Err(EINVAL));
        kassert!(skb.pull(15) == Err(EINVAL));
        kassert!(skb.pull(2).is_ok() && skb.data()[..2] == [3, 4] && skb.len() == 12);
        kassert!(skb.trim(13) == Err(EINVAL));
        kassert!(skb.trim(2).is_ok() && skb.len() == 2);
        skb.data_mut()?[0] = 7;
        kassert!(skb.data() == [7, 4]);
        skb.set_checksum(Checksum::Unnecessary);
        kassert!(skb.checksum() == Checksum::Unnecessary);
        kassert!(dev.alloc_skb(65537).err() == Some(EINVAL));
        // Freeing: drop in process context, consume, and drop with
        // interrupts off (a SpinLockIrq, below).
        drop(skb);
        mappings(&dev)?;
        dev.alloc_skb(16)?.consume();
        let q = crate::new_spinlock_irq!(SkbQueue::new(2)?)?;
        kassert!(SkbQueue::new(0).err() == Some(EINVAL));
        let empty = SkbQueue::new(1)?;
        {
            let mut g = q.lock();
            kassert!(g.push(dev.alloc_skb(1)?).is_ok());
            kassert!(g.push(dev.alloc_skb(1)?).is_ok());
            let third = dev.alloc_skb(1)?;
            let back = g.push(third);
            kassert!(back.is_err() && g.is_full());
            drop(back);
            kassert!(g.pop().is_some() && g.len() == 1);
            *g = empty; // the old one's packets freed with interrupts off
        }
        Ok(())
    }

    /// Streaming DMA of packets, on the platform device (32-bit mask, direct
    /// mapping); DMA_API_DEBUG on the debug kernel checks every unmap.
    /// In two frames: a KASAN kernel's stack limit.
    fn mappings(dev: &NetDev<'_>) -> Result {
        tx_mappings(dev)?;
        rx_mappings(dev)
    }

    #[inline(never)]
    fn tx_mappings(dev: &NetDev<'_>) -> Result {
        let mut skb = dev.alloc_skb(64)?;
        skb.put(&[1; 60])?;
        let m = skb.map_tx(dev).map_err(|(_, e)| e)?;
        kassert!(m.len() == 60);
        let skb = m.unmap();
        kassert!(skb.len() == 60 && skb.data()[59] == 1);
        // An empty packet has nothing to map; it comes back.
        let (back, e) = dev.alloc_skb(64)?.map_tx(dev).err().ok_or(EINVAL)?;
        kassert!(e == EINVAL && back.is_empty());
        drop(skb);
        Ok(())
    }

    #[inline(never)]
    fn rx_mappings(dev: &NetDev<'_>) -> Result {
        // Receive: map the tailroom, get back what the "device" wrote.
        let rx = dev.alloc_skb(256)?;
        kassert!(rx.map_rx(dev, 100_000).err().map(|(_, e)| e) == Some(EINVAL));
        let m = dev.alloc_skb(256)?.map_rx(dev, 256).map_err(|(_, e)| e)?;
        let rx = m.unmap_rx(100)?;
        kassert!(rx.len() == 100);
        let m = dev.alloc_skb(64)?.map_rx(dev, 64).map_err(|(_, e)| e)?;
        kassert!(m.unmap_rx(65).err() == Some(EINVAL));
        // Dropped while the device may master the bus: parked until the
        // unbind's quiesce, from process context and with interrupts off.
        drop(dev.alloc_skb(64)?.map_rx(dev, 64).map_err(|(_, e)| e)?);
        let parked = crate::new_spinlock_irq!(None)?;
        *parked.lock() = Some(dev.alloc_skb(64)?.map_rx(dev, 64).map_err(|(_, e)| e)?);
        let _ = parked.lock().take();
        drop(rx);
        Ok(())
    }

    fn skb_bounds_and_contexts() -> Result {
        let result = Arc::try_new(crate::new_mutex!(None)?)?;
        let handle = Arc::try_new(crate::new_mutex!(None)?)?;
        let ops = Arc::try_new(crate::new_mutex!(None)?)?;
        let drv = platform::Registration::register(KtDrv {
            result: result.clone(),
            handle: handle.clone(),
            ops: ops.clone(),
        })?;
        let dev = platform::PlatformDevice::register("rkm_ktest_net", 0)?;
        let r = result.lock().take();
        // Under RTNL while registered, nothing once unregistered.
        let h: Option<super::super::RtnlHandle> = handle.lock().take();
        let h = h.ok_or(ENODEV)?;
        kassert!(h.with_rtnl(|d| d.mtu()) == Some(1500));
        // The state through typed handles: under RCU (with interrupts off
        // too) and under RTNL while registered, never after.
        let o: Option<super::super::OpsHandle<Kt>> = ops.lock().take();
        let o = o.ok_or(ENODEV)?;
        let ro = o.rtnl();
        kassert!(o.with(|k, d| (k._id, d.mtu())) == Some((7, 1500)));
        let irq_off = crate::new_spinlock_irq!(0u32)?;
        {
            let _g = irq_off.lock();
            kassert!(o.with(|k, _| k._id) == Some(7));
        }
        kassert!(ro.with_rtnl(|d, k, _| (k._id, d.mtu())) == Some((7, 1500)));
        drop((dev, drv));
        kassert!(h.with_rtnl(|d| d.mtu()).is_none());
        kassert!(o.with(|k, _| k._id).is_none());
        kassert!(ro.with_rtnl(|_, k, _| k._id).is_none());
        r.unwrap_or(Err(ENODEV))
    }
}
