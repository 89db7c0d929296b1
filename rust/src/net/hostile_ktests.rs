// SPDX-License-Identifier: GPL-2.0
//! In-kernel tests of the network abstractions' refusals (the hostile
//! soundness review of session 27): each case is what a careless or
//! malicious safe driver can do, and checks the glue or the trampolines
//! turn it into an error or a no-op instead of a crash, a hang, a double
//! owner or a write to shared data. Each runs inside the probe of a
//! platform device, with an Ethernet device registered on it.

use super::{
    Layout, Operations, Options, Poll, Registration, RtnlDev, Skb, SkbMapping, Trampolines, Tx,
    TxOffload, Xmit, MAX_STATS, MAX_STAT_NAME,
};
use crate::abi;
use crate::error::{code::*, Result};
use crate::ktest::{kassert, Case};
use crate::platform::{self, Device, PlatformDevice};
use crate::sync::{Arc, Mutex, SpinLockIrq};
use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};

pub(crate) const CASES: &[Case] = &[
    ("with_rtnl_refused_in_atomic", || on_device(with_rtnl_refused_in_atomic)),
    ("disable_tx_waits_only_where_allowed", || on_device(disable_tx_waits_only_where_allowed)),
    ("tx_skbs_never_shared", || on_device(tx_skbs_never_shared)),
    ("map_rx_unclones_first", || on_device(map_rx_unclones_first)),
    ("receive_copy_checked", || on_device(receive_copy_checked)),
    ("receive_checked", || on_device(receive_checked)),
    ("busy_with_another_skb", || on_device(busy_with_another_skb)),
    ("poll_below_budget_without_complete", || on_device(poll_below_budget_without_complete)),
    ("poll_budget_zero_and_over", || on_device(poll_budget_zero_and_over)),
    ("receive_with_irqs_off", || on_device(receive_with_irqs_off)),
    ("set_mac_refuses_invalid", || on_device(set_mac_refuses_invalid)),
    ("ethtool_stats_bounds", || on_device(ethtool_stats_bounds)),
    ("ethtool_eeprom_bounds", || on_device(ethtool_eeprom_bounds)),
    ("skb_length_extremes", || on_device(skb_length_extremes)),
    ("bql_more_completed_than_sent", || on_device(bql_more_completed_than_sent)),
    ("fragments_mapped_whole", || on_device(fragments_mapped_whole)),
    ("offloads_checked_and_private", || on_device(offloads_checked_and_private)),
];

crate::irq_safe! {
    /// A careless driver: its poll never completes NAPI; its start_xmit
    /// keeps each packet and gives back the one it kept before (mode 0),
    /// or gives the packet back (mode 1).
    struct Hx {
        polls: AtomicU32,
        mode: AtomicU32,
        kept: SpinLockIrq<Option<Skb>>,
    }
}

#[crate::vtable]
impl Operations for Hx {
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }
    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}
    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        if self.mode.load(SeqCst) == 1 {
            return Tx::Busy(skb);
        }
        match self.kept.lock().replace(skb) {
            Some(old) => Tx::Busy(old),
            None => Tx::Sent,
        }
    }
    fn poll(&self, _napi: &mut Poll<'_>) -> u32 {
        // Below the budget, and no `complete`: the NAPI contract broken.
        self.polls.fetch_add(1, SeqCst);
        0
    }
}

fn hx() -> Result<Hx> {
    Ok(Hx {
        polls: AtomicU32::new(0),
        mode: AtomicU32::new(0),
        kept: crate::new_spinlock_irq!(None)?,
    })
}

fn register(dev: &Device<'_, HostileDrv>, napi_weight: u32) -> Result<Registration<Hx>> {
    let opts = Options { name: "rkmhx%d", napi_weight, ..Default::default() };
    Registration::register(dev, &opts, hx()?, ())
}

type Body = fn(&mut Device<'_, HostileDrv>) -> Result;

struct HostileDrv {
    body: Body,
    out: Arc<Mutex<Option<Result>>>,
}

impl crate::driver::Driver for HostileDrv {
    const NAME: &'static str = "rkm_ktest_nethx";
    type Hw = ();
    type Data = ();
}

impl platform::Driver for HostileDrv {
    fn probe(&self, dev: &mut Device<'_, Self>) -> Result<((), ())> {
        *self.out.lock() = Some((self.body)(dev));
        Ok(((), ()))
    }
}

fn on_device(body: Body) -> Result {
    let out = Arc::try_new(crate::new_mutex!(None)?)?;
    let drv = platform::Registration::register(HostileDrv { body, out: out.clone() })?;
    let dev = PlatformDevice::register("rkm_ktest_nethx", 0)?;
    drop((dev, drv));
    let r = *out.lock();
    r.unwrap_or(Err(ENODEV))
}

/// An atomic callback can make an `RtnlHandle` (`NetDev::rtnl_handle`);
/// `with_rtnl` there would sleep in atomic context (and `napi_disable` in
/// the device's own poll would wait for itself): refused, `None`.
fn with_rtnl_refused_in_atomic(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let h = reg.rtnl_handle();
    kassert!(h.with_rtnl(|d| d.mtu()) == Some(1500));
    let irq = crate::new_spinlock_irq!(0u32)?;
    {
        let _g = irq.lock();
        kassert!(h.with_rtnl(|d| d.mtu()).is_none());
    }
    let plain = crate::new_spinlock!(0u32)?;
    {
        let _g = plain.lock();
        kassert!(h.with_rtnl(|d| d.mtu()).is_none());
    }
    // Process context again: allowed.
    kassert!(h.with_rtnl(|d| d.mtu()) == Some(1500));
    Ok(())
}

/// `disable_tx` waits for a `start_xmit` in progress (`netif_tx_disable`):
/// with a spinlock held that `start_xmit` may be waiting for it would
/// deadlock (a `SpinLock`; on PREEMPT_RT a `SpinLockIrq` too, which leaves
/// interrupts on there), and with interrupts off the transmit lock's
/// `local_bh_enable` would turn them on (lockdep warns, on the debug
/// kernel). There it only stops the queue and says it did not wait;
/// elsewhere it stops and waits. The queue is stopped every time.
fn disable_tx_waits_only_where_allowed(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let h = reg.rtnl_handle();
    let irq = crate::new_spinlock_irq!(0u32)?;
    let plain = crate::new_spinlock!(0u32)?;
    let seen = h.with_rtnl(|d| {
        d.start_queue();
        let free = (d.disable_tx(), d.queue_stopped());
        d.start_queue();
        let irqs_off = {
            let _g = irq.lock();
            d.disable_tx()
        };
        let irqs_off = (irqs_off, d.queue_stopped());
        d.start_queue();
        let spinning = {
            let _g = plain.lock();
            d.disable_tx()
        };
        [free, irqs_off, (spinning, d.queue_stopped())]
    });
    kassert!(seen == Some([(true, true), (false, true), (false, true)]));
    Ok(())
}

/// `ether_setup` lets pktgen hand the device one skb several times at once
/// (`IFF_TX_SKB_SHARING`, `clone_skb`/`burst`): an `Skb` would not be the
/// only owner of its `sk_buff`. The glue clears the flag.
fn tx_skbs_never_shared(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    // SAFETY: a registered device's glue handle.
    kassert!(!unsafe { abi::rkm_net_ktest_tx_sharing(reg.nd.as_ptr()) });
    Ok(())
}

/// A packet the stack hands over may share its data with clones (TCP's
/// retransmit queue): mapping it for the device to write must not let the
/// device write the clones' bytes.
fn map_rx_unclones_first(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let mut skb = nd.alloc_skb(256)?;
    skb.put(&[7; 64])?;
    let p = skb.into_raw();
    // SAFETY: our sk_buff, taken back at once; the clone is a new one we own.
    let (skb, clone) = unsafe { (Skb::from_owned(p), abi::rkm_skb_ktest_clone(p)) };
    let clone = Skb::from_raw(clone, 0)?;
    kassert!(clone.data().as_ptr() == skb.data().as_ptr());
    let m = skb.map_rx(&nd, 128).map_err(|(_, e)| e)?;
    let skb = m.unmap();
    // The device wrote (could have written) a private copy only.
    kassert!(skb.data().as_ptr() != clone.data().as_ptr());
    kassert!(clone.data() == [7; 64] && skb.data() == [7; 64]);
    // Reading it (map_tx) may share.
    drop(skb);
    Ok(())
}

/// `SkbMapping::receive_copy` hands a copy to the stack of the poll's own
/// device only, from a receive mapping, within what is mapped: a mapping
/// of another device (its DMA synced for the wrong parent, its packet
/// counted on the wrong interface), a transmit mapping (the device does
/// not write it), a zero length or one past the buffer are `EINVAL`, and
/// the mapping stays usable after each.
fn receive_copy_checked(dev: &mut Device<'_, HostileDrv>) -> Result {
    let a = register(dev, 16)?;
    let b = register(dev, 16)?;
    let nd = |r: &Registration<Hx>| super::NetDev { nd: r.nd, _call: core::marker::PhantomData };
    let m = nd(&a).alloc_skb(256)?.map_rx(&nd(&a), 128).map_err(|(_, e)| e)?;
    let napi_b = Poll::new(nd(&b), 4);
    kassert!(m.receive_copy(&napi_b, 60, super::Checksum::None) == Err(EINVAL));
    let napi = Poll::new(nd(&a), 4);
    for bad in [0, 129, u32::MAX] {
        kassert!(m.receive_copy(&napi, bad, super::Checksum::None) == Err(EINVAL));
    }
    // Within the mapping: handed over, twice, the buffer still mapped
    // (a zero budget, as netpoll's: netif_rx, allowed here in process
    // context; NAPI's own path runs in rust_e1000's polls).
    let any = Poll::new(nd(&a), 0);
    kassert!(m.receive_copy(&any, 60, super::Checksum::Unnecessary).is_ok());
    kassert!(m.receive_copy(&any, 128, super::Checksum::None).is_ok());
    drop(m.unmap());
    let mut skb = nd(&a).alloc_skb(128)?;
    skb.put(&[0x5a; 64])?;
    let t = skb.map_tx(&nd(&a)).map_err(|(_, e)| e)?;
    kassert!(t.receive_copy(&napi, 60, super::Checksum::None) == Err(EINVAL));
    drop(t.unmap());
    Ok(())
}

/// `SkbMapping::receive` (the buffer itself up): past the mapping,
/// `EINVAL` and the packet freed (kmemleak sees none left on the debug
/// kernel); within it, handed over in one call, or, for another device's
/// poll, the general way (unmap_rx and receive).
fn receive_checked(dev: &mut Device<'_, HostileDrv>) -> Result {
    let a = register(dev, 16)?;
    let b = register(dev, 16)?;
    let nd = |r: &Registration<Hx>| super::NetDev { nd: r.nd, _call: core::marker::PhantomData };
    let any = Poll::new(nd(&a), 0);
    let rx = |len: u32| -> Result<SkbMapping> {
        nd(&a).alloc_skb(len)?.map_rx(&nd(&a), len).map_err(|(_, e)| e)
    };
    kassert!(rx(128)?.receive(&any, 129, super::Checksum::None) == Err(EINVAL));
    kassert!(rx(128)?.receive(&any, u32::MAX, super::Checksum::None) == Err(EINVAL));
    kassert!(rx(128)?.receive(&any, 60, super::Checksum::Unnecessary).is_ok());
    kassert!(rx(128)?.receive(&Poll::new(nd(&b), 0), 60, super::Checksum::None).is_ok());
    kassert!(rx(128)?.receive(&Poll::new(nd(&b), 0), 200, super::Checksum::None) == Err(EINVAL));
    Ok(())
}

/// `Tx::Busy` with another packet than the one handed in: the stack takes
/// back the one it gave, which the driver also kept (two owners), and the
/// other leaks. The trampoline frees the other and reports the one handed
/// in as taken.
fn busy_with_another_skb(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let data = reg.state.as_ptr().cast::<c_void>().cast_const();
    let xmit = |skb: Skb| Trampolines::<Hx>::start_xmit(data, reg.nd.as_ptr(), skb.into_raw());
    kassert!(xmit(nd.alloc_skb(64)?) == abi::NET_TX_OK);
    let second = nd.alloc_skb(64)?;
    let second_data = second.data().as_ptr();
    kassert!(xmit(second) == abi::NET_TX_OK);
    // The driver keeps the second; the first was freed by the trampoline.
    kassert!(reg.ops().kept.lock().as_ref().map(|s| s.data().as_ptr()) == Some(second_data));
    // Busy with the packet handed in: still Busy, and the stack's again.
    reg.ops().mode.store(1, SeqCst);
    let third = nd.alloc_skb(64)?.into_raw();
    kassert!(Trampolines::<Hx>::start_xmit(data, reg.nd.as_ptr(), third) == abi::NET_TX_BUSY);
    // As the stack: it owns the third again.
    // SAFETY: given back with NETDEV_TX_BUSY: ours.
    drop(unsafe { Skb::from_owned(third) });
    Ok(())
}

/// A poll that does less than its budget and does not complete leaves NAPI
/// scheduled on no list: never polled again, and `napi_disable` at
/// unregistration waits for ever. The trampoline completes it.
fn poll_below_budget_without_complete(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 16)?;
    let h = reg.handle();
    kassert!(reg.rtnl_handle().with_rtnl(|d| d.napi_enable()).is_some());
    for want in 1..=2 {
        kassert!(h.napi_schedule());
        let mut waited = 0;
        while reg.ops().polls.load(SeqCst) < want && waited < 1000 {
            crate::task::msleep(1)?;
            waited += 1;
        }
        kassert!(reg.ops().polls.load(SeqCst) == want);
    }
    // Unregistration disables NAPI: it returns (the case would hang here).
    drop(reg);
    Ok(())
}

/// netpoll polls with a zero budget, interrupts off: allocation then is not
/// from the NAPI caches (bottom halves only; lockdep asserts it on the debug
/// kernel), and nothing completes. At or above the budget, `complete`
/// refuses without reaching NAPI.
fn poll_budget_zero_and_over(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 16)?;
    let nd = || super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let irq = crate::new_spinlock_irq!(0u32)?;
    {
        let _g = irq.lock();
        let mut napi = Poll::new(nd(), 0);
        let skb = napi.alloc_skb(64)?;
        kassert!(skb.tailroom() >= 64);
        napi.consume(skb);
        kassert!(!napi.complete(0) && napi.completed().is_none());
    }
    let mut napi = Poll::new(nd(), 4);
    kassert!(!napi.complete(4) && !napi.complete(u32::MAX) && napi.completed().is_none());
    Ok(())
}

/// `netif_rx` out of interrupt context enables bottom halves again and
/// runs the softirqs, which turn interrupts on: a packet received while a
/// `SpinLockIrq` is held in process context (a callback with an
/// `RtnlDev`, a work item's `with_rtnl`) would open the critical section to
/// interrupts. Dropped (and counted) instead; interrupts stay as they were.
fn receive_with_irqs_off(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let frame = |nd: &super::NetDev<'_>| -> Result<Skb> {
        let mut skb = nd.alloc_skb(60)?;
        skb.put(&[0xff; 6])?;
        skb.put(&nd.mac())?;
        skb.put(&[0x88, 0xb5])?; // local experimental EtherType: no handler
        skb.put_zeroed(46)?;
        Ok(skb)
    };
    let irq = crate::new_spinlock_irq!(0u32)?;
    {
        let _g = irq.lock();
        // Off, but on PREEMPT_RT, where a SpinLockIrq is a sleeping lock.
        // SAFETY: no precondition.
        let off = unsafe { abi::rkm_irqs_disabled() };
        nd.receive(frame(&nd)?);
        // SAFETY: as above.
        kassert!(unsafe { abi::rkm_irqs_disabled() } == off);
        nd.receive(nd.alloc_skb(4)?);
        // SAFETY: as above.
        kassert!(unsafe { abi::rkm_irqs_disabled() } == off);
    }
    // Process context, interrupts on: handed to the stack.
    nd.receive(frame(&nd)?);
    Ok(())
}

/// Invalid addresses (multicast, zero) are refused by `set_mac`; a valid
/// one is taken.
fn set_mac_refuses_invalid(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let h = reg.rtnl_handle();
    for bad in [[1, 0, 0, 0, 0, 1], [0; 6], [0xff; 6]] {
        kassert!(h.with_rtnl(|d| d.set_mac(&bad)) == Some(Err(EINVAL)));
    }
    let good = [0x02, 0, 0, 0, 0x27, 1];
    kassert!(h.with_rtnl(|d| d.set_mac(&good).map(|()| d.mac())) == Some(Ok(good)));
    Ok(())
}

crate::irq_safe! { struct Long { _id: u32 } }

const LONG_NAME: &str = "a_statistic_name_longer_than_thirty_one_bytes";

#[crate::vtable]
impl Operations for Long {
    const STATS: &'static [&'static str] = &[LONG_NAME];
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }
    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}
    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        Tx::Busy(skb)
    }
}

crate::irq_safe! { struct Many { _id: u32 } }

#[crate::vtable]
impl Operations for Many {
    const STATS: &'static [&'static str] = &["s"; MAX_STATS + 1];
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }
    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}
    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        Tx::Busy(skb)
    }
}

crate::irq_safe! {
    /// An EEPROM of `size` bytes, byte `i` holding `i`; `calls` counts reads.
    struct Eeprom { size: AtomicU32, calls: AtomicU32 }
}

const EEPROM_MAGIC: u32 = 0x100e_8086;

#[crate::vtable]
impl Operations for Eeprom {
    fn open(&self, _dev: &RtnlDev<'_>, _: &()) -> Result {
        Ok(())
    }
    fn stop(&self, _dev: &RtnlDev<'_>, _: &()) {}
    fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
        Tx::Busy(skb)
    }
    fn get_eeprom_len(&self, _dev: &RtnlDev<'_>, _: &()) -> u32 {
        self.size.load(SeqCst)
    }
    fn get_eeprom(&self, _dev: &RtnlDev<'_>, _: &(), offset: u32, buf: &mut [u8]) -> Result<u32> {
        self.calls.fetch_add(1, SeqCst);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (offset as usize + i) as u8;
        }
        Ok(EEPROM_MAGIC)
    }
}

/// An EEPROM read reaches the driver only within the size it gives, asked
/// again at the read (a driver whose EEPROM shrank since the core checked),
/// with a buffer of exactly the length asked; a device without one has
/// size 0 and no EEPROM operations in its ethtool table (`EOPNOTSUPP`).
fn ethtool_eeprom_bounds(dev: &mut Device<'_, HostileDrv>) -> Result {
    let opts = Options { name: "rkmhx%d", napi_weight: 0, ..Default::default() };
    let ops = Eeprom { size: AtomicU32::new(16), calls: AtomicU32::new(0) };
    let reg = Registration::register(dev, &opts, ops, ())?;
    let read = |offset: u32, len: u32, buf: &mut [u8; 32]| {
        let (mut size, mut magic) = (0, 0);
        // SAFETY: a registered device; buf holds 32 >= len bytes (asked
        // below: never more).
        let r = unsafe {
            abi::rkm_net_ktest_eeprom(
                reg.nd.as_ptr(),
                offset,
                len,
                buf.as_mut_ptr(),
                &mut size,
                &mut magic,
            )
        };
        (r, size, magic)
    };
    let mut buf = [0xaau8; 32];
    kassert!(read(0, 16, &mut buf) == (0, 16, EEPROM_MAGIC));
    kassert!(buf[..16].iter().enumerate().all(|(i, &b)| b == i as u8) && buf[16] == 0xaa);
    buf = [0xaa; 32];
    kassert!(read(5, 3, &mut buf) == (0, 16, EEPROM_MAGIC));
    kassert!(buf[..3] == [5, 6, 7] && buf[3] == 0xaa);
    let calls = reg.ops().calls.load(SeqCst);
    for (offset, len) in [(16, 1), (15, 2), (0, 17), (u32::MAX, 2), (2, u32::MAX)] {
        kassert!(read(offset, len, &mut buf).0 == EINVAL.to_errno());
    }
    reg.ops().size.store(8, SeqCst);
    kassert!(read(4, 8, &mut buf) == (EINVAL.to_errno(), 8, 0));
    reg.ops().size.store(0, SeqCst);
    kassert!(read(0, 1, &mut buf) == (EINVAL.to_errno(), 0, 0));
    kassert!(reg.ops().calls.load(SeqCst) == calls);
    drop(reg);
    let hx = register(dev, 0)?;
    kassert!(eeprom_size(&hx) == 0);
    Ok(())
}

/// The EEPROM size of a device without `get_eeprom` (Hx), if its ethtool
/// table offers no EEPROM.
fn eeprom_size(reg: &Registration<Hx>) -> u32 {
    let (mut size, mut magic, mut b) = (1, 0, [0u8; 1]);
    // SAFETY: a registered device; one byte asked of a one-byte buffer.
    let r = unsafe {
        abi::rkm_net_ktest_eeprom(reg.nd.as_ptr(), 0, 1, b.as_mut_ptr(), &mut size, &mut magic)
    };
    if r == EOPNOTSUPP.to_errno() {
        size
    } else {
        u32::MAX
    }
}

/// More statistics than `MAX_STATS` are refused; a name longer than an
/// ethtool string is cut and stays NUL-terminated; an index past the
/// table writes nothing.
fn ethtool_stats_bounds(dev: &mut Device<'_, HostileDrv>) -> Result {
    let opts = Options { name: "rkmhx%d", napi_weight: 0, ..Default::default() };
    kassert!(Registration::register(dev, &opts, Many { _id: 0 }, ()).err() == Some(EINVAL));
    let reg = Registration::register(dev, &opts, Long { _id: 0 }, ())?;
    let mut buf = [0u8; abi::NET_GSTRING_LEN + 8];
    Trampolines::<Long>::stat_name(0, buf.as_mut_ptr().cast());
    kassert!(buf[..MAX_STAT_NAME] == LONG_NAME.as_bytes()[..MAX_STAT_NAME]);
    kassert!(buf[MAX_STAT_NAME..].iter().all(|&b| b == 0));
    let mut past = [0xaau8; abi::NET_GSTRING_LEN];
    Trampolines::<Long>::stat_name(1, past.as_mut_ptr().cast());
    Trampolines::<Long>::stat_name(u32::MAX, past.as_mut_ptr().cast());
    kassert!(past.iter().all(|&b| b == 0xaa));
    drop(reg);
    Ok(())
}

/// Zero and huge lengths and offsets, at every bounds-checked call.
fn skb_length_extremes(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let mut skb = nd.alloc_skb(0)?;
    kassert!(skb.is_empty() && skb.data().is_empty());
    kassert!(skb.put(&[]).is_ok() && skb.put_zeroed(0).is_ok() && skb.is_empty());
    kassert!(skb.pull(0).is_ok() && skb.trim(0).is_ok());
    kassert!(skb.put_zeroed(usize::MAX) == Err(ENOSPC));
    kassert!(skb.put_zeroed(u32::MAX as usize) == Err(ENOSPC));
    kassert!(skb.pull(usize::MAX) == Err(EINVAL) && skb.pull(1) == Err(EINVAL));
    kassert!(skb.trim(usize::MAX) == Err(EINVAL) && skb.trim(1) == Err(EINVAL));
    let mut one = [0u8; 1];
    kassert!(skb.read(0, &mut one) == Err(EINVAL));
    kassert!(skb.read(u32::MAX as usize, &mut []) == Err(EINVAL));
    kassert!(skb.write(u32::MAX as usize, &[1]) == Err(EINVAL));
    kassert!(skb.read(0, &mut []).is_ok() && skb.write(0, &[]).is_ok());
    // Nothing to map for either direction.
    let (skb, e) = skb.map_rx(&nd, 0).err().ok_or(EINVAL)?;
    kassert!(e == EINVAL);
    let (skb, e) = skb.map_tx(&nd).err().ok_or(EINVAL)?;
    kassert!(e == EINVAL);
    let (skb, e) = skb.map_rx(&nd, u32::MAX).err().ok_or(EINVAL)?;
    kassert!(e == EINVAL);
    drop(skb);
    kassert!(nd.alloc_skb(u32::MAX).err() == Some(EINVAL));
    kassert!(nd.alloc_skb(65537).err() == Some(EINVAL));
    let big = nd.alloc_skb(65536)?;
    kassert!(big.tailroom() >= 65536);
    // A received length past the mapping, and past an almost full packet.
    let m = big.map_rx(&nd, 65536).map_err(|(_, e)| e)?;
    kassert!(m.unmap_rx(u32::MAX).err() == Some(EINVAL));
    let mut part = nd.alloc_skb(64)?;
    part.put_zeroed(60)?;
    let m = part.map_rx(&nd, 64).map_err(|(_, e)| e)?;
    kassert!(m.unmap_rx(5).err() == Some(EINVAL));
    Ok(())
}

/// `dql_completed` BUGs on more bytes completed than queued, `dql_queued`
/// above `DQL_MAX_OBJECT`: the glue clamps and refuses. The reset waits
/// for the transmit lock in process context, and under a spinlock (where
/// it may not) completes what is in flight instead.
fn bql_more_completed_than_sent(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    // INVARIANT: the device is down: no start_xmit, no other Xmit.
    let xmit = Xmit { dev: super::NetDev { nd: reg.nd, _call: core::marker::PhantomData } };
    nd.completed_queue(10, 1_000_000);
    nd.completed_queue(u32::MAX, u32::MAX);
    xmit.sent_queue(u32::MAX);
    xmit.sent_queue(100);
    nd.completed_queue(1, 1000);
    nd.completed_queue(1, 1);
    let h = reg.rtnl_handle();
    let irq = crate::new_spinlock_irq!(0u32)?;
    let done = h.with_rtnl(|d| {
        d.reset_queue();
        xmit.sent_queue(100);
        {
            let _g = irq.lock();
            d.reset_queue();
        }
        d.completed_queue(1, 1);
        d.reset_queue();
    });
    kassert!(done.is_some());
    Ok(())
}

/// A packet with page fragments (scatter-gather) is mapped whole: the head
/// and every fragment, in order, and unmapped whole, also when the mapping
/// is merely dropped (freed at the unbind: kmemleak and DMA_API_DEBUG see
/// any part left).
fn fragments_mapped_whole(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    let frags = |len: usize| -> Result<Skb> {
        let mut skb = nd.alloc_skb(128)?;
        skb.put(&[1; 100])?;
        for n in [1000, 3000] {
            // SAFETY: our sk_buff; the probe adds a page of its own.
            crate::error::to_result(unsafe { abi::rkm_skb_ktest_add_frag(skb.as_raw(), n) })?;
        }
        kassert!(skb.layout() == Layout { len, head_len: 100, frags: 2 });
        Ok(skb)
    };
    let m = frags(4100)?.map_tx(&nd).map_err(|(_, e)| e)?;
    {
        let mut segs = m.segments().map(|(_, len)| len);
        kassert!(segs.next() == Some(100) && segs.next() == Some(1000));
        kassert!(segs.next() == Some(3000) && segs.next().is_none() && m.len() == 4100);
    }
    let skb = m.unmap();
    kassert!(skb.len() == 4100);
    drop(skb);
    drop(frags(4100)?.map_tx(&nd).map_err(|(_, e)| e)?);
    Ok(())
}

/// What the stack asks of the device, checked before anything is written:
/// offsets past the packet and segmentation the device does not offer are
/// refused; TCP segmentation writes the headers of a private copy only
/// (TCP's retransmit queue holds clones of every packet it sends).
fn offloads_checked_and_private(dev: &mut Device<'_, HostileDrv>) -> Result {
    let reg = register(dev, 0)?;
    let nd = super::NetDev { nd: reg.nd, _call: core::marker::PhantomData };
    // Ethernet, IPv4 (length 1000 + 40, checksum 0x1234), TCP (doff 5).
    let mut hdr = [0u8; 54];
    hdr[14] = 0x45;
    hdr[16..18].copy_from_slice(&1040u16.to_be_bytes());
    hdr[23] = 6;
    hdr[24..26].copy_from_slice(&[0x12, 0x34]);
    hdr[46] = 5 << 4;
    let mark = |skb: &mut Skb, kind: i32, start: u32, offset: u32| {
        // SAFETY: our sk_buff; the probe sets offsets and flags only.
        unsafe { abi::rkm_skb_ktest_offload(skb.as_raw(), kind, start, offset) }
    };
    let mut skb = nd.alloc_skb(2048)?;
    skb.put(&hdr)?;
    skb.put_zeroed(1000)?;
    kassert!(skb.tx_offload() == Ok(TxOffload::None));
    mark(&mut skb, 0, 34, 6);
    let want = TxOffload::Checksum { l3: 14, start: 34, at: 40, tcp: false };
    kassert!(skb.tx_offload() == Ok(want));
    // Asked and mapped in one call: the same answer, the packet mapped whole.
    let (m, o) = skb.map_tx_offload(&nd).map_err(|(_, e)| e)?;
    kassert!(o == want && m.len() == 1054 && m.head_len() == 1054);
    let mut skb = m.unmap();
    mark(&mut skb, 0, 34, 1030);
    kassert!(skb.tx_offload() == Err(EINVAL));
    // Refused: nothing mapped (DMA_API_DEBUG would see a mapping left at
    // the unbind), the packet back as it was.
    let Err((mut skb, e)) = skb.map_tx_offload(&nd) else { return Err(EINVAL) };
    kassert!(e == EINVAL && skb.len() == 1054);
    mark(&mut skb, 2, 34, 0);
    kassert!(skb.tx_offload() == Err(EINVAL));
    // The TCP header past the head: refused before it is read.
    mark(&mut skb, 1, 1040, 0);
    kassert!(skb.tx_offload() == Err(EINVAL));
    mark(&mut skb, 1, 34, 0);
    let p = skb.into_raw();
    // SAFETY: our sk_buff, taken back at once; the clone is a new one we own.
    let (mut skb, clone) = unsafe { (Skb::from_owned(p), abi::rkm_skb_ktest_clone(p)) };
    let clone = Skb::from_raw(clone, 0)?;
    let tso = skb.tx_offload()?;
    kassert!(
        tso == TxOffload::Tso {
            ipv4: true,
            l3: 14,
            l3_check: 24,
            l4: 34,
            l4_check: 50,
            hdr_len: 54,
            mss: 1000,
            payload: 1000,
            segs: 1,
        }
    );
    // Length and checksum zeroed in the copy the device reads; the clone's as they were.
    kassert!(skb.data()[16..18] == [0, 0] && skb.data()[24..26] == [0, 0]);
    kassert!(clone.data()[16..18] == hdr[16..18] && clone.data()[24..26] == hdr[24..26]);
    // Asked again: the same answer.
    kassert!(skb.tx_offload() == Ok(tso));
    Ok(())
}
