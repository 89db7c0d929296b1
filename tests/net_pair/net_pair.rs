// SPDX-License-Identifier: GPL-2.0
//! net_pair: two Ethernet devices (npairN, npairN+1) joined by a virtual
//! cable, on a platform device the module creates: no hardware. What one
//! transmits the other receives through its NAPI poll, the way a NIC's
//! rings work: start_xmit puts the packet on the wire (byte queue limits
//! counted, the queue stopped when the wire is full) and schedules the
//! peer's NAPI; the peer's poll copies each frame into a fresh receive
//! packet within its budget, filters it (MAC, multicast, promiscuous mode,
//! MTU) and hands it to the stack, then gives the sent packet back to its
//! sender as a transmit completion, whose own poll frees it, completes the
//! byte accounting and wakes the queue. tests/net_pair/test.c drives it
//! with ip, ping, ethtool and iperf3.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use rkm::net::{
    self, Handle, NetDev, Poll, Registration, Ring, RtnlDev, RxMode, Skb, SkbQueue, Stats, Tx,
    Xmit,
};
use rkm::platform::{self, PlatformDevice};
use rkm::prelude::*;

const NAME: &str = "net_pair";
/// Packets on the wire per direction before the sender's queue stops.
const WIRE: usize = 64;
/// Queue capacity: the wire, plus as many transmit completions.
const QCAP: usize = 2 * WIRE;
/// The largest MTU (jumbo frames, as e1000's).
const MAX_MTU: u32 = 9000;
const ETH_HLEN: usize = 14;
const RING_MAX: u32 = 4096;

type Q = SpinLockIrq<SkbQueue>;

/// Queues 0 and 1: what port 0 and port 1 sent, not yet received (the
/// wire); 2 and 3: what the peer received, for the sender to complete.
fn wire(i: usize) -> usize {
    i
}
fn done(i: usize) -> usize {
    2 + i
}

rkm::irq_safe! {
    /// One end of the pair.
    struct Port {
        idx: usize,
        q: Arc<[Q; 4]>,
        peers: Arc<[SpinLockIrq<Option<Handle>>; 2]>,
        up: Arc<[AtomicBool; 2]>,
        promisc: AtomicBool,
        allmulti: AtomicBool,
        mc_count: AtomicU32,
        rx_mode_changes: AtomicU64,
        rx_ring: AtomicU32,
        tx_ring: AtomicU32,
        tx_packets: AtomicU64,
        tx_bytes: AtomicU64,
        tx_dropped: AtomicU64,
        tx_stopped: AtomicU64,
        tx_timeouts: AtomicU64,
        rx_packets: AtomicU64,
        rx_bytes: AtomicU64,
        rx_dropped: AtomicU64,
        rx_filtered: AtomicU64,
        rx_oversize: AtomicU64,
        multicast: AtomicU64,
    }
}

fn inc(c: &AtomicU64, by: u64) {
    c.fetch_add(by, Ordering::Relaxed);
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl Port {
    fn new(
        idx: usize,
        q: &Arc<[Q; 4]>,
        peers: &Arc<[SpinLockIrq<Option<Handle>>; 2]>,
        up: &Arc<[AtomicBool; 2]>,
    ) -> Self {
        Port {
            idx,
            q: q.clone(),
            peers: peers.clone(),
            up: up.clone(),
            promisc: AtomicBool::new(false),
            allmulti: AtomicBool::new(false),
            mc_count: AtomicU32::new(0),
            rx_mode_changes: AtomicU64::new(0),
            rx_ring: AtomicU32::new(256),
            tx_ring: AtomicU32::new(256),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            tx_stopped: AtomicU64::new(0),
            tx_timeouts: AtomicU64::new(0),
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            rx_dropped: AtomicU64::new(0),
            rx_filtered: AtomicU64::new(0),
            rx_oversize: AtomicU64::new(0),
            multicast: AtomicU64::new(0),
        }
    }

    fn peer(&self) -> usize {
        1 - self.idx
    }

    /// Schedules the peer's poll: it has something to receive.
    fn kick_peer(&self) {
        if let Some(h) = self.peers[self.peer()].lock().as_ref() {
            h.napi_schedule();
        }
    }

    /// Sets the peer's carrier.
    fn peer_carrier(&self, on: bool) {
        if let Some(h) = self.peers[self.peer()].lock().as_ref() {
            h.set_carrier(on);
        }
    }

    /// Whether a frame to `dst` passes this port's filter.
    fn accepts(&self, dev: &NetDev<'_>, dst: &[u8]) -> bool {
        if self.promisc.load(Ordering::Relaxed) || dst == dev.mac() {
            return true;
        }
        let multicast = dst.first().is_some_and(|b| b & 1 != 0);
        // Broadcast is a multicast address of all ones; the list filter is
        // imperfect (as a hash filter): any multicast once one is joined.
        multicast
            && (dst.iter().all(|&b| b == 0xff)
                || self.allmulti.load(Ordering::Relaxed)
                || self.mc_count.load(Ordering::Relaxed) > 0)
    }

    /// Receives one frame the peer sent: copied into a fresh packet.
    fn deliver(&self, napi: &Poll<'_>, tx: &Skb) {
        let frame = tx.data();
        if frame.len() != tx.len() || frame.len() < ETH_HLEN {
            inc(&self.rx_dropped, 1);
            return;
        }
        if frame.len() > napi.mtu() as usize + ETH_HLEN {
            inc(&self.rx_oversize, 1);
            inc(&self.rx_dropped, 1);
            return;
        }
        if !self.accepts(napi, &frame[..6]) {
            inc(&self.rx_filtered, 1);
            return;
        }
        let Ok(mut rx) = napi.alloc_skb(frame.len() as u32) else {
            inc(&self.rx_dropped, 1);
            return;
        };
        if rx.put(frame).is_err() {
            inc(&self.rx_dropped, 1);
            return;
        }
        if frame[0] & 1 != 0 {
            inc(&self.multicast, 1);
        }
        inc(&self.rx_packets, 1);
        inc(&self.rx_bytes, frame.len() as u64);
        napi.receive(rx);
    }

    /// Frees what the peer received of ours and completes its accounting;
    /// true if there was any.
    fn complete_tx(&self, napi: &Poll<'_>) -> bool {
        let (mut pkts, mut bytes) = (0u32, 0u32);
        loop {
            let Some(skb) = self.q[done(self.idx)].lock().pop() else { break };
            pkts += 1;
            bytes = bytes.saturating_add(skb.len() as u32);
            napi.consume(skb);
        }
        if pkts == 0 {
            return false;
        }
        inc(&self.tx_packets, pkts.into());
        inc(&self.tx_bytes, bytes.into());
        napi.completed_queue(pkts, bytes);
        let room = self.q[wire(self.idx)].lock().len() < WIRE;
        if room && napi.queue_stopped() && self.up[self.idx].load(Ordering::Acquire) {
            napi.wake_queue();
        }
        true
    }

    /// Frees what waits in `q` (the port goes down).
    fn drain(&self, q: usize) {
        loop {
            let Some(skb) = self.q[q].lock().pop() else { break };
            drop(skb);
        }
    }
}

#[rkm::vtable]
impl net::Operations for Port {
    const STATS: &'static [&'static str] = &[
        "tx_packets",
        "tx_bytes",
        "tx_dropped",
        "tx_queue_stopped",
        "tx_timeouts",
        "rx_packets",
        "rx_bytes",
        "rx_dropped",
        "rx_filtered",
        "rx_oversize",
        "rx_mode_changes",
    ];

    fn open(&self, dev: &RtnlDev<'_>, _: &()) -> Result {
        self.drain(done(self.idx));
        dev.napi_enable();
        self.up[self.idx].store(true, Ordering::Release);
        if self.up[self.peer()].load(Ordering::Acquire) {
            dev.carrier_on();
            self.peer_carrier(true);
        }
        dev.start_queue();
        // What the peer sent while we were down.
        if let Some(h) = self.peers[self.idx].lock().as_ref() {
            h.napi_schedule();
        }
        Ok(())
    }

    fn stop(&self, dev: &RtnlDev<'_>, _: &()) {
        self.up[self.idx].store(false, Ordering::Release);
        dev.stop_queue();
        dev.carrier_off();
        self.peer_carrier(false);
        dev.napi_disable();
        // What we had not received yet goes back to the peer as sent
        // (lost on the wire); our own packets are freed.
        loop {
            let Some(skb) = self.q[wire(self.peer())].lock().pop() else { break };
            if let Err(skb) = self.q[done(self.peer())].lock().push(skb) {
                drop(skb);
            }
        }
        if let Some(h) = self.peers[self.peer()].lock().as_ref() {
            h.napi_schedule();
        }
        self.drain(wire(self.idx));
        self.drain(done(self.idx));
    }

    fn start_xmit(&self, dev: &Xmit<'_>, skb: Skb) -> Tx {
        if !self.up[self.peer()].load(Ordering::Acquire) {
            // No one at the other end.
            inc(&self.tx_dropped, 1);
            return Tx::Sent;
        }
        let len = skb.len() as u32;
        {
            let mut w = self.q[wire(self.idx)].lock();
            if w.len() >= WIRE {
                inc(&self.tx_stopped, 1);
                return Tx::Busy(skb);
            }
            // Counted before the peer can complete it.
            dev.sent_queue(len);
            if let Err(skb) = w.push(skb) {
                drop(skb);
            }
            if w.len() >= WIRE {
                inc(&self.tx_stopped, 1);
                dev.stop_queue();
            }
        }
        self.kick_peer();
        Tx::Sent
    }

    fn get_stats64(&self, _dev: &NetDev<'_>, st: &mut Stats) {
        st.tx_packets = get(&self.tx_packets);
        st.tx_bytes = get(&self.tx_bytes);
        st.tx_dropped = get(&self.tx_dropped);
        st.rx_packets = get(&self.rx_packets);
        st.rx_bytes = get(&self.rx_bytes);
        st.rx_dropped = get(&self.rx_dropped);
        st.rx_length_errors = get(&self.rx_oversize);
        st.rx_errors = get(&self.rx_oversize);
        st.multicast = get(&self.multicast);
    }

    fn set_mac_address(&self, _dev: &RtnlDev<'_>, _: &(), _mac: &[u8; net::ETH_ALEN]) -> Result {
        // A real NIC programs its receive address register here.
        Ok(())
    }

    fn change_mtu(&self, _dev: &RtnlDev<'_>, _: &(), _mtu: u32) -> Result {
        Ok(())
    }

    fn tx_timeout(&self, _dev: &NetDev<'_>, _queue: u32) {
        inc(&self.tx_timeouts, 1);
    }

    fn set_rx_mode(&self, _dev: &NetDev<'_>, mode: &RxMode<'_>) {
        self.promisc.store(mode.promiscuous(), Ordering::Relaxed);
        self.allmulti.store(mode.all_multicast(), Ordering::Relaxed);
        self.mc_count.store(mode.multicast().len() as u32, Ordering::Relaxed);
        inc(&self.rx_mode_changes, 1);
    }

    fn poll(&self, napi: &mut Poll<'_>) -> u32 {
        let completed = self.complete_tx(napi);
        let peer = self.peer();
        let mut work = 0;
        while work < napi.budget() {
            // Room for the sender's completion first: only this poll fills it.
            if self.q[done(peer)].lock().len() >= WIRE {
                break;
            }
            let Some(skb) = self.q[wire(peer)].lock().pop() else { break };
            self.deliver(napi, &skb);
            work += 1;
            if let Err(skb) = self.q[done(peer)].lock().push(skb) {
                drop(skb);
            }
        }
        if work > 0 || completed {
            // The sender completes (and may receive what it waited room for).
            self.kick_peer();
        }
        if work < napi.budget() {
            napi.complete(work);
        }
        work
    }

    fn get_link(&self, dev: &RtnlDev<'_>, _: &()) -> bool {
        dev.carrier_ok()
    }

    fn get_ringparam(&self, _dev: &RtnlDev<'_>, _: &()) -> Ring {
        Ring {
            rx_max: RING_MAX,
            tx_max: RING_MAX,
            rx: self.rx_ring.load(Ordering::Relaxed),
            tx: self.tx_ring.load(Ordering::Relaxed),
        }
    }

    fn set_ringparam(&self, _dev: &RtnlDev<'_>, _: &(), r: Ring) -> Result {
        // As e1000: at least 80 descriptors.
        if r.rx < 80 || r.tx < 80 {
            return Err(EINVAL);
        }
        self.rx_ring.store(r.rx, Ordering::Relaxed);
        self.tx_ring.store(r.tx, Ordering::Relaxed);
        Ok(())
    }

    fn get_ethtool_stats(&self, _dev: &RtnlDev<'_>, _: &(), vals: &mut [u64]) {
        let all = [
            get(&self.tx_packets),
            get(&self.tx_bytes),
            get(&self.tx_dropped),
            get(&self.tx_stopped),
            get(&self.tx_timeouts),
            get(&self.rx_packets),
            get(&self.rx_bytes),
            get(&self.rx_dropped),
            get(&self.rx_filtered),
            get(&self.rx_oversize),
            get(&self.rx_mode_changes),
        ];
        for (v, a) in vals.iter_mut().zip(all) {
            *v = a;
        }
    }
}

/// Both ends, unregistered (in this order) when the binding ends.
struct Ports {
    _a: Registration<Port>,
    _b: Registration<Port>,
}

struct Pair;

impl rkm::driver::Driver for Pair {
    const NAME: &'static str = NAME;
    type Hw = ();
    type Data = Ports;
}

/// The four queues (out of probe's frame, as below).
#[inline(never)]
fn queues() -> Result<Arc<[Q; 4]>> {
    Arc::try_new([
        new_spinlock_irq!(SkbQueue::new(QCAP)?)?,
        new_spinlock_irq!(SkbQueue::new(QCAP)?)?,
        new_spinlock_irq!(SkbQueue::new(QCAP)?)?,
        new_spinlock_irq!(SkbQueue::new(QCAP)?)?,
    ])
}

/// Registers port `i` (a function of its own: two ports' state in probe's
/// frame is too much stack on a KASAN kernel).
#[inline(never)]
fn register_port(
    dev: &platform::Device<'_, Pair>,
    i: usize,
    q: &Arc<[Q; 4]>,
    peers: &Arc<[SpinLockIrq<Option<Handle>>; 2]>,
    up: &Arc<[AtomicBool; 2]>,
) -> Result<Registration<Port>> {
    let opts = net::Options {
        name: "npair%d",
        // Locally administered, fixed: 02:6e:70:00:00:01 and :02.
        mac: Some([0x02, 0x6e, 0x70, 0, 0, i as u8 + 1]),
        max_mtu: MAX_MTU,
        ..Default::default()
    };
    Registration::register(dev, &opts, Port::new(i, q, peers, up), ())
}

impl platform::Driver for Pair {
    fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), Ports)> {
        let q = queues()?;
        let peers = Arc::try_new([new_spinlock_irq!(None)?, new_spinlock_irq!(None)?])?;
        let up = Arc::try_new([AtomicBool::new(false), AtomicBool::new(false)])?;
        let a = register_port(dev, 0, &q, &peers, &up)?;
        let b = register_port(dev, 1, &q, &peers, &up)?;
        *peers[0].lock() = Some(a.handle());
        *peers[1].lock() = Some(b.handle());
        dev_info!(dev, "two ports, {} packets on each wire\n", WIRE);
        Ok(((), Ports { _a: a, _b: b }))
    }
}

struct NetPair {
    // Dropped first: unbinding unregisters both ports.
    _pdev: PlatformDevice,
    _drv: platform::Registration<Pair>,
}

impl Module for NetPair {
    fn init() -> Result<Self> {
        let drv = platform::Registration::register(Pair)?;
        let pdev = PlatformDevice::register(NAME, 0)?;
        Ok(NetPair { _pdev: pdev, _drv: drv })
    }
}

module! {
    type: NetPair,
    name: "net_pair",
    authors: ["rkm developers"],
    description: "Two Ethernet devices joined by a virtual cable, through NAPI (rkm::net test)",
    license: "GPL",
}
