// SPDX-License-Identifier: GPL-2.0
//! rust_e1000: a network driver for the Intel 82540EM (QEMU's -device
//! e1000), in safe Rust, the twin of the kernel's own e1000.
//!
//! Probe resets the MAC, checks the EEPROM and reads the MAC address from
//! it, allocates both descriptor rings in coherent memory (at their
//! largest: `ethtool -G` then uses a part) and registers an Ethernet
//! device. Open fills the receive ring with mapped packets, starts both
//! units and unmasks the interrupts; the (shared, INTx) interrupt handler
//! acknowledges the causes, follows the link (carrier) and schedules NAPI,
//! whose poll reclaims sent packets (byte queue limits, queue wake),
//! receives up to its budget (short frames copied out of a buffer that
//! stays, as e1000's copybreak; receive checksums), refills, and adapts the
//! interrupt rate (e1000_set_itr). Transmit maps the packet whole (head
//! and page fragments) onto data descriptors of at most 4 KiB, after a
//! context descriptor for a checksum or TCP segmentation (e1000's
//! offloads), and moves the tail once a batch (xmit_more). A watchdog
//! work item (every 2 s, as e1000's) resets the device after a transmit
//! timeout and raises an interrupt whose poll refills a receive ring that
//! failed allocations left short. MTU 46..16110 (jumbo frames in one
//! receive buffer of up to 16 KiB), MAC address changes, promiscuous mode
//! and the multicast hash filter, ethtool (driver, link, speed and link
//! modes, rings, offloads, statistics, the EEPROM, Wake-on-LAN, the
//! message level, `ethtool -r`: `ethtool DEV` and `ethtool -e` print what
//! e1000's do). What probe found is also in sysfs attributes of the PCI
//! device: e1000_mac (the EEPROM's address), e1000_eeprom, e1000_link,
//! e1000_rings (descriptors in use and the device's head and tail),
//! e1000_irqs; e1000_ics raises interrupt causes, for tests.
#![no_std]
#![forbid(unsafe_code)]

pub mod hw;

use core::fmt::Write;
use core::sync::atomic::{
    fence, AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed, Ordering::SeqCst,
};
use core::time::Duration;
use hw::{Regs, RxDesc, TxDesc};
use rkm::dma::{dma_rmb, dma_wmb, DescRing, Exclusive, SplitRing};
use rkm::driver;
use rkm::irq::IrqReturn;
use rkm::net::{
    self, Checksum, Features, LinkModes, LinkSpeed, Modes, NetDev, OpsHandle, Poll, Registration,
    Ring, RtnlDev, RtnlOpsHandle, RxMode, Skb, SkbMapping, Stats, Tx, TxOffload, Wake, Xmit,
};
use rkm::pci::{self, Attr, AttrBuf, Bound};
use rkm::prelude::*;
use rkm::workqueue::{Work, WorkItem, WorkRef};

/// The 82540EM's PCI vendor and device (QEMU's `-device e1000`).
const VENDOR: u16 = 0x8086;
const DEVICE: u16 = 0x100e;

/// Descriptors a ring by default (E1000_DEFAULT_TXD/RXD), the most
/// (E1000_MAX_82544_TXD/RXD), the fewest (E1000_MIN_TXD/RXD), and the
/// multiple a size is rounded up to (REQ_*_DESCRIPTORS_MULTIPLE).
const DEFAULT_DESCS: u32 = 256;
const MAX_DESCS: u32 = 4096;
const MIN_DESCS: u32 = 80;
const DESCS_MULTIPLE: u32 = 8;
/// The rings' memory: the most descriptors, a power of two, and TDLEN and
/// RDLEN are multiples of 128 bytes for any multiple of 8 descriptors.
const RING_DESCS: usize = MAX_DESCS as usize;
const _: () = assert!(RING_DESCS.is_power_of_two() && (DESCS_MULTIPLE * 16).is_multiple_of(128));
/// The 82540EM addresses 64 bits of memory.
const DMA_BITS: u32 = 64;
/// e1000's MTU range: the shortest frame's payload up to the 82540EM's
/// longest frame (MAX_JUMBO_FRAME_SIZE, 0x3F00) less header and FCS.
const MIN_MTU: u32 = 60 - 14;
const MAX_MTU: u32 = 0x3F00 - 14 - 4;
/// Wake the queue with this many descriptors free (E1000_TX_WEIGHT-ish:
/// e1000's TX_WAKE_THRESHOLD is 32).
const TX_WAKE: usize = 32;
/// Stop the queue after a packet unless this many descriptors are free
/// (e1000's MAX_SKB_FRAGS + 7); a longer packet finds out exactly.
const TX_STOP: usize = 17 + 7;
/// e1000's transmit offloads on the 82540EM: scatter-gather, checksums,
/// TCP segmentation.
const OFFLOADS: Features = Features::SG.union(Features::HW_CSUM).union(Features::TSO);
/// e1000's latency classes (enum latency_range) and first rate (its
/// InterruptThrottleRate default, in interrupts a second).
const LOWEST_LATENCY: u32 = 0;
const LOW_LATENCY: u32 = 1;
const BULK_LATENCY: u32 = 2;
const ITR_START: u32 = 20000;

/// The next latency class after a round of polls that moved `packets`
/// frames of `bytes` in all (e1000_update_itr, 82540 and later).
fn itr_class(class: u32, packets: u32, bytes: u32) -> u32 {
    if packets == 0 {
        return class;
    }
    let per = bytes / packets;
    match class {
        LOWEST_LATENCY if per > 8000 => BULK_LATENCY,
        LOWEST_LATENCY if packets < 5 && bytes > 512 => LOW_LATENCY,
        LOW_LATENCY if bytes > 10000 => {
            if per > 8000 || packets < 10 || per > 1200 {
                BULK_LATENCY
            } else if packets > 35 {
                LOWEST_LATENCY
            } else {
                class
            }
        }
        LOW_LATENCY if per > 2000 => BULK_LATENCY,
        LOW_LATENCY if packets <= 2 && bytes < 512 => LOWEST_LATENCY,
        BULK_LATENCY if bytes > 25000 && packets > 35 => LOW_LATENCY,
        BULK_LATENCY if bytes < 6000 => LOW_LATENCY,
        _ => class,
    }
}

/// Frames up to this long (with the FCS) are copied into a new packet and
/// their buffer kept (e1000's copybreak parameter, 256 by default).
const COPYBREAK: u32 = 256;
/// Receive buffers go back to the device every this many frames (e1000's
/// E1000_RX_BUFFER_WRITE: "one at a time is too slow").
const RX_BUFFER_WRITE: u32 = 16;
/// The watchdog's period (e1000_watchdog: 2 s).
const WATCHDOG: Duration = Duration::from_secs(2);

/// What a packet asks of the device.
struct Offload {
    /// Its context descriptor, if it needs one.
    ctx: Option<hw::Context>,
    /// The context as one word (hw::Context::key), 0 for none or one that
    /// cannot be kept: computed where the context's fields are known
    /// constants, not read back from it.
    key: u64,
    /// The data descriptors' command and packet options.
    cmd: u8,
    popts: u8,
    /// The frames it makes.
    segs: u32,
}

/// A packet without offload: no context, one frame.
const PLAIN: Offload = Offload { ctx: None, key: 0, cmd: 0, popts: 0, segs: 1 };

/// An offload the device cannot take as asked.
enum Refit {
    /// The checksum is summed in software instead.
    Software,
    /// The packet is dropped.
    Drop,
}

/// A packet on the transmit ring, and what it counts for once sent: the
/// frames the device makes of it and their bytes (e1000's segs and
/// bytecount). A tuple: what the crate knows may be dropped in a handler.
type Sent = (SkbMapping, [u32; 2]);

rkm::irq_safe! {
    /// Statistics, counted as the kernel's e1000 shows them.
    struct Counters {
        rx_packets: AtomicU64,
        rx_bytes: AtomicU64,
        rx_errors: AtomicU64,
        rx_dropped: AtomicU64,
        rx_length_errors: AtomicU64,
        tx_packets: AtomicU64,
        tx_bytes: AtomicU64,
        tx_dropped: AtomicU64,
        tx_busy: AtomicU64,
        tx_restart_queue: AtomicU64,
        tx_timeouts: AtomicU64,
        alloc_rx_buff_failed: AtomicU64,
        resets: AtomicU64,
        csum_good: AtomicU64,
        csum_err: AtomicU64,
    }
}

/// A poll's receive counts, added to the statistics once at its end.
#[derive(Default)]
struct RxCounts {
    packets: u64,
    bytes: u64,
    csum_good: u64,
}

fn inc(c: &AtomicU64, by: u64) {
    c.fetch_add(by, Relaxed);
}

rkm::irq_safe! {
    /// The network device's state: the registers, both rings, the filters.
    struct Port {
        regs: Regs,
        mac: [u8; 6],
        /// The rings, each split between its producer and its consumer
        /// (transmit: start_xmit and the poll; receive: the refill and the
        /// poll), which run at once with no lock, as e1000's.
        tx: SplitRing<TxDesc, Sent>,
        rx: SplitRing<RxDesc, SkbMapping>,
        /// The receive buffers' length (for the MTU), and whether the
        /// rest of a frame that spread over descriptors is being dropped.
        rx_buf_len: AtomicU32,
        discarding: AtomicBool,
        /// The last refill stopped short (an allocation failed).
        rx_short: AtomicBool,
        /// The checksum context the device last got (hw::Context::key; 0:
        /// none since the reset, or a TSO one), which it keeps until the
        /// next: a packet asking for the same offsets needs none of its
        /// own. start_xmit's alone, as the ring's producer.
        tx_ctx: AtomicU64,
        /// Ring sizes for the next open (ethtool -G).
        tx_count: AtomicU32,
        rx_count: AtomicU32,
        /// Open, and not being torn down.
        up: AtomicBool,
        /// Unbound (remove ran): the interrupt is never unmasked again.
        gone: AtomicBool,
        reset_pending: AtomicBool,
        /// RCTL while up, without the filter bits; and the filter bits.
        rctl: AtomicU32,
        filter: AtomicU32,
        /// The multicast filters, as hw::FILTER_WORDS register words (an
        /// Arc: out of probe's stack frame).
        filters: Arc<[AtomicU32; hw::FILTER_WORDS]>,
        irqs: AtomicU64,
        causes: AtomicU32,
        /// The link is at 1000 Mb/s (as last seen up).
        gigabit: AtomicBool,
        /// Adaptive interrupt moderation (e1000_set_itr): the rate in
        /// interrupts a second, each direction's latency class, and the
        /// frames and bytes since the interrupt that scheduled the poll.
        itr: AtomicU32,
        itr_class: [AtomicU32; 2],
        itr_work: [AtomicU32; 4],
        /// The message level (ethtool msglvl; e1000's msg_enable).
        msg: AtomicU32,
        st: Counters,
        /// The statistics registers, summed (hw::STAT_REGS).
        hw_st: [AtomicU64; hw::STAT_REGS.len()],
    }
}

/// Both sides of a ring, which the caller's state guarantees free (the
/// queue and NAPI disabled, or never enabled); None (reported) if not.
fn exclusive<'a, T: rkm::dma::Descriptor, B>(
    ring: &'a SplitRing<T, B>,
    what: &str,
) -> Option<Exclusive<'a, T, B>> {
    let all = ring.exclusive();
    if all.is_none() {
        pr_err!("rust_e1000: the {} ring is in use\n", what);
    }
    all
}

impl Port {
    /// Brings the device up (e1000_up): reset, link, address, filters,
    /// both rings, receive buffers, units on, NAPI, interrupts, queue.
    /// Nothing here fails (an allocation that fails does not fail it, no
    /// wait is cut short by a signal), so a reopen (MTU, rings, reset) never
    /// leaves the interface up with the device down.
    fn up(&self, dev: &RtnlDev<'_>, mtu: u32) {
        let regs = &self.regs;
        hw::reset(regs);
        regs.write32::<{ hw::CTRL }>(regs.read32::<{ hw::CTRL }>() | hw::CTRL_SLU | hw::CTRL_ASDE);
        hw::set_rar(regs, &dev.mac());
        self.write_filters();
        let (tx_n, rx_n) =
            (self.tx_count.load(Relaxed) as usize, self.rx_count.load(Relaxed) as usize);
        if let Some(mut all) = exclusive(&self.tx, "transmit") {
            for i in 0..tx_n {
                all.set(i, TxDesc::default());
            }
            let _ = all.reset(tx_n); // MIN_DESCS..=MAX_DESCS
        }
        // The reset above forgot the last context.
        self.tx_ctx.store(0, Relaxed);
        regs.write_dma_addr_lo_hi::<{ hw::TDBAL }, { hw::TDBAH }>(self.tx.dma_addr());
        regs.write32::<{ hw::TDLEN }>((tx_n * 16) as u32);
        regs.write32::<{ hw::TDH }>(0);
        regs.write32::<{ hw::TDT }>(0);
        regs.write32::<{ hw::TIPG }>(hw::tipg());
        regs.write32::<{ hw::TIDV }>(hw::TIDV_DEFAULT);
        regs.write32::<{ hw::TADV }>(hw::TADV_DEFAULT);
        regs.write32::<{ hw::TCTL }>(hw::tctl());

        let (buf_len, rctl_size) = hw::rx_buffer(mtu);
        if let Some(mut all) = exclusive(&self.rx, "receive") {
            for i in 0..rx_n {
                all.set(i, RxDesc::default());
            }
            let _ = all.reset(rx_n);
        }
        self.rx_buf_len.store(buf_len, Relaxed);
        self.discarding.store(false, Relaxed);
        regs.write_dma_addr_lo_hi::<{ hw::RDBAL }, { hw::RDBAH }>(self.rx.dma_addr());
        regs.write32::<{ hw::RDLEN }>((rx_n * 16) as u32);
        regs.write32::<{ hw::RDH }>(0);
        regs.write32::<{ hw::RDT }>(0);
        regs.write32::<{ hw::RDTR }>(0);
        regs.write32::<{ hw::RADV }>(hw::RADV_DEFAULT);
        regs.write32::<{ hw::ITR }>(hw::itr(self.itr.load(Relaxed)));
        // Checksums verified always; reported while rx-checksumming is on.
        regs.write32::<{ hw::RXCSUM }>(regs.read32::<{ hw::RXCSUM }>() | hw::RXCSUM_TUOFL);
        // As e1000_configure: the buffers there are memory for, none being
        // no error (alloc_rx_buff_failed counts the failure; every poll
        // refills the ring, and the watchdog raises one). So an allocation
        // failure never leaves an interface up without a working device,
        // here or in the reopen of an MTU or ring change, or of a reset.
        self.refill(dev, None);
        let rctl = hw::RCTL_EN | hw::RCTL_BAM | hw::RCTL_SECRC | rctl_size;
        self.rctl.store(rctl, Relaxed);
        regs.write32::<{ hw::RCTL }>(rctl | self.filter.load(Relaxed));
        self.up.store(true, Relaxed);
        dev.napi_enable();
        let _ = regs.read32::<{ hw::ICR }>();
        regs.write32::<{ hw::IMS }>(hw::IMS_ENABLE_MASK);
        if hw::link_up(regs) {
            self.gigabit.store(hw::speed(regs).0 == 1000, Relaxed);
            dev.carrier_on();
        }
        dev.start_queue();
    }

    /// Takes the device down (e1000_down): queue, NAPI, interrupts, units
    /// (a reset: no more DMA), then every buffer unmapped and freed.
    fn down(&self, dev: &RtnlDev<'_>) {
        self.up.store(false, Relaxed);
        // No start_xmit left running: it is the transmit ring's producer,
        // and moves the tail.
        // (Process context, no lock held: it waits.)
        dev.disable_tx();
        dev.carrier_off();
        dev.napi_disable();
        let regs = &self.regs;
        regs.write32::<{ hw::IMC }>(!0);
        regs.write32::<{ hw::RCTL }>(0);
        regs.write32::<{ hw::TCTL }>(0);
        let _ = regs.read32::<{ hw::STATUS }>();
        // The reset waits out any DMA in flight (as e1000_down's msleep).
        hw::reset(regs);
        self.release();
        // The packets released were never completed: without this, their
        // bytes would stay in flight for the byte queue limits, which stop
        // the queue for good after a few reopens (MTU, rings, reset) with
        // packets in the ring (e1000_clean_tx_ring's netdev_reset_queue).
        dev.reset_queue();
    }

    /// Frees every buffer on both rings (the device no longer uses them).
    fn release(&self) {
        if let Some(mut all) = exclusive(&self.tx, "transmit") {
            // Unmapped now (the device is reset): a mapping merely dropped
            // would wait for the unbind to be freed.
            all.slots().for_each(|b| drop(b.take().map(|(m, _)| m.unmap())));
            let _ = all.reset(all.count());
        }
        if let Some(mut all) = exclusive(&self.rx, "receive") {
            all.slots().for_each(|b| drop(b.take().map(SkbMapping::unmap)));
            let _ = all.reset(all.count());
        }
    }

    /// Gives the device receive buffers up to the ring's size less one
    /// (e1000_alloc_rx_buffers) and moves its tail: from up() before NAPI
    /// runs, then from the poll alone (`napi`: its packets come from the
    /// NAPI cache, as e1000's napi_alloc_frag), so the producer is always
    /// free.
    fn refill(&self, dev: &NetDev<'_>, napi: Option<&Poll<'_>>) {
        let Some(mut p) = self.rx.producer() else { return };
        let len = self.rx_buf_len.load(Relaxed);
        let room = p.room();
        let n = p.fill(|slot| {
            // A buffer copybreak kept is given again as it is.
            let addr = match slot {
                Some(m) => m.dma_addr_u64(),
                None => {
                    let skb = match napi {
                        Some(napi) => napi.alloc_skb(len),
                        None => dev.alloc_skb(len),
                    };
                    let Ok(skb) = skb else {
                        inc(&self.st.alloc_rx_buff_failed, 1);
                        return None;
                    };
                    let m = match skb.map_rx(dev, len) {
                        Ok(m) => m,
                        Err((skb, _)) => {
                            drop(skb);
                            inc(&self.st.alloc_rx_buff_failed, 1);
                            return None;
                        }
                    };
                    slot.insert(m).dma_addr_u64()
                }
            };
            Some(RxDesc { buffer_addr: addr, ..RxDesc::default() })
        });
        self.rx_short.store(n < room, Relaxed);
        if n > 0 && p.advance(n).is_ok() {
            // The descriptors before the tail that hands them over.
            dma_wmb();
            self.regs.write32::<{ hw::RDT }>(p.next() as u32);
        }
    }

    /// Reclaims sent packets (e1000_clean_tx_irq); wakes the queue once
    /// there is room.
    #[inline(never)] // a frame of its own (a KASAN kernel's stack limit)
    fn clean_tx(&self, napi: &Poll<'_>) {
        let (mut pkts, mut bytes, mut segs, mut seg_bytes) = (0u32, 0u32, 0u64, 0u64);
        // The poll is the ring's one consumer (NAPI runs it once at a time).
        let Some(mut c) = self.tx.consumer() else { return };
        // Every descriptor has RS, so the device marks each done; a packet
        // is on the last of its own.
        while c.read(TxDesc::status).is_some_and(|s| s & hw::TXD_STAT_DD != 0) {
            dma_rmb();
            let sent = c.slot().and_then(Option::take);
            c.advance();
            if let Some((m, [n, b])) = sent {
                pkts += 1;
                // The mapping is the whole packet: its length without
                // asking the packet.
                bytes = bytes.saturating_add(m.len() as u32);
                segs += u64::from(n);
                seg_bytes += u64::from(b);
                napi.consume(m.unmap());
            }
        }
        if pkts == 0 {
            return;
        }
        inc(&self.st.tx_packets, segs);
        inc(&self.st.tx_bytes, seg_bytes);
        self.itr_count(0, segs as u32, seg_bytes as u32);
        napi.completed_queue(pkts, bytes);
        // As e1000_clean_tx_irq: the room published before the test of the
        // queue, with start_xmit's stop before its second look at the room
        // (a full barrier each): one of the two sees the other, so a
        // stopped queue with room is always woken.
        fence(SeqCst);
        if c.room() >= TX_WAKE && napi.queue_stopped() && self.up.load(Relaxed) {
            inc(&self.st.tx_restart_queue, 1);
            napi.wake_queue();
        }
    }

    /// Receives up to `budget` frames (e1000_clean_rx_irq); how many.
    #[inline(never)] // as clean_tx
    fn clean_rx(&self, napi: &Poll<'_>, budget: u32) -> u32 {
        let mut done = 0;
        let mut st = RxCounts::default();
        let rx_csum = napi.feature(Features::RXCSUM);
        // The poll is the ring's one consumer (NAPI runs it once at a time).
        if let Some(mut c) = self.rx.consumer() {
            let mut discarding = self.discarding.load(Relaxed);
            while done < budget {
                // Status, length and errors, all that the device writes
                // back, share the descriptor's second 64-bit word, which
                // get() reads with one load: seen together or not at all,
                // with no barrier between status and the rest (the buffer
                // address in the first word is the driver's own).
                let Some(d) = c.get() else { break };
                let status = d.status;
                if status & hw::RXD_STAT_DD == 0 {
                    break;
                }
                // A frame longer than one buffer (the device spread it over
                // descriptors): every part up to the one with EOP dropped,
                // as e1000's e1000_clean_rx_irq does ("discarding"), and
                // counted nowhere as there. One buffer holds the longest
                // frame the device lets in (hw::rx_buffer), so only a
                // device that ignores RCTL gets here.
                let split = discarding || status & hw::RXD_STAT_EOP == 0;
                discarding = status & hw::RXD_STAT_EOP == 0;
                done += 1;
                if let Some(buf) = c.slot() {
                    self.frame(napi, buf, &d, split, rx_csum, &mut st);
                }
                c.advance();
                if done % RX_BUFFER_WRITE == 0 {
                    self.refill(napi, Some(napi));
                }
            }
            self.discarding.store(discarding, Relaxed);
        }
        // Every poll gives buffers back (a zero budget's too).
        self.refill(napi, Some(napi));
        if st.packets > 0 {
            inc(&self.st.rx_packets, st.packets);
            inc(&self.st.rx_bytes, st.bytes);
            inc(&self.st.csum_good, st.csum_good);
            self.itr_count(2, st.packets as u32, st.bytes as u32);
        }
        done
    }

    /// The frame the device wrote into the buffer in slot `buf`
    /// (descriptor `d`) to the stack, or dropped (counted as e1000 does:
    /// `st`, the poll's counts). A short frame is copied and its buffer
    /// stays in the slot (e1000_copybreak), as does the buffer of a bad
    /// frame: refill gives them again; a longer one goes up in its buffer,
    /// which refill replaces.
    fn frame(
        &self,
        napi: &Poll<'_>,
        buf: &mut Option<SkbMapping>,
        d: &RxDesc,
        split: bool,
        rx_csum: bool,
        st: &mut RxCounts,
    ) {
        if split || d.errors & hw::RXD_ERR_FRAME_ERR_MASK != 0 {
            if !split {
                inc(&self.st.rx_errors, 1);
            }
            return;
        }
        let len = u32::from(d.length);
        // e1000_rx_checksum: a TCP or UDP checksum the device found good.
        let (mut csum, mut csum_err) = (Checksum::None, false);
        if rx_csum && d.status & hw::RXD_STAT_IXSM == 0 {
            if d.errors & hw::RXD_ERR_TCPE != 0 {
                csum_err = true;
            } else if d.status & hw::RXD_STAT_TCPCS != 0 {
                csum = Checksum::Unnecessary;
            }
        }
        let copied = len + 4 <= COPYBREAK
            && buf.as_ref().is_some_and(|m| m.receive_copy(napi, len, csum).is_ok());
        if !copied {
            match buf.take().map(|m| m.receive(napi, len, csum)) {
                Some(Ok(())) => {}
                Some(Err(_)) => {
                    inc(&self.st.rx_length_errors, 1);
                    inc(&self.st.rx_errors, 1);
                    return;
                }
                None => return,
            }
        }
        st.packets += 1;
        st.bytes += u64::from(len);
        st.csum_good += u64::from(csum == Checksum::Unnecessary);
        if csum_err {
            inc(&self.st.csum_err, 1);
        }
    }

    /// Counts frames and bytes of a direction (0: transmit, 2: receive)
    /// for set_itr.
    fn itr_count(&self, dir: usize, packets: u32, bytes: u32) {
        if let (Some(p), Some(b)) = (self.itr_work.get(dir), self.itr_work.get(dir + 1)) {
            p.fetch_add(packets, Relaxed);
            b.fetch_add(bytes, Relaxed);
        }
    }

    /// Adaptive interrupt moderation, as e1000_set_itr in its default
    /// (conservative) mode: each direction's latency class from the frames
    /// and bytes of the round of polls that ends, the rate from the higher
    /// class, raised gradually and lowered at once; 4000 a second below
    /// 1000 Mb/s.
    fn set_itr(&self) {
        let w = |i: usize| self.itr_work.get(i).map_or(0, |a| a.load(Relaxed));
        let class = |i: usize, packets: u32, bytes: u32| {
            let c = self.itr_class.get(i).map_or(LOW_LATENCY, |a| a.load(Relaxed));
            let c = itr_class(c, packets, bytes).max(LOW_LATENCY);
            if let Some(a) = self.itr_class.get(i) {
                a.store(c, Relaxed);
            }
            c
        };
        let old = self.itr.load(Relaxed);
        let new = if !self.gigabit.load(Relaxed) {
            4000
        } else {
            match class(0, w(0), w(1)).max(class(1, w(2), w(3))) {
                BULK_LATENCY => 4000,
                _ => 20000,
            }
        };
        if new != old {
            let new = if new > old { (old + (new >> 2)).min(new) } else { new };
            self.itr.store(new, Relaxed);
            self.regs.write32::<{ hw::ITR }>(hw::itr(new));
        }
    }

    /// Moves the transmit tail to `next`: the descriptors of packets sent
    /// with the tail deferred (xmit_more) go now, on a way out of
    /// start_xmit without a packet of its own.
    fn flush_tail(&self, next: usize) {
        dma_wmb();
        self.regs.write32::<{ hw::TDT }>(next as u32);
    }

    /// The packet mapped whole, and what it asks of the device (e1000_tso,
    /// e1000_tx_csum): the context descriptor, the data descriptors' command
    /// and packet options, and the frames it makes. None to drop it
    /// (headers that cannot be prepared or do not fit a context descriptor,
    /// or no mapping).
    fn prepare(dev: &NetDev<'_>, skb: Skb) -> Option<(SkbMapping, Offload)> {
        let (m, asked) = skb.map_tx_offload(dev).ok()?;
        match Self::offload(asked) {
            Ok(o) => Some((m, o)),
            Err(Refit::Software) => {
                // Checksum offsets past a context's bytes: summed here
                // instead, on the packet unmapped.
                let mut skb = m.unmap();
                skb.checksum_help().ok()?;
                Some((skb.map_tx(dev).ok()?, PLAIN))
            }
            Err(Refit::Drop) => {
                drop(m.unmap());
                None
            }
        }
    }

    /// The device's part of an offload: see prepare.
    fn offload(asked: TxOffload) -> core::result::Result<Offload, Refit> {
        let byte = |v: u16| u8::try_from(v).map_err(|_| Refit::Drop);
        Ok(match asked {
            TxOffload::None => PLAIN,
            TxOffload::Checksum { start, at, tcp, .. } => {
                let (Ok(tucss), Ok(tucso)) = (byte(start), byte(at)) else {
                    return Err(Refit::Software);
                };
                let cmd = if tcp { hw::TXD_CMD_TCP } else { 0 };
                let c = hw::Context {
                    ipcss: 0,
                    ipcso: 0,
                    ipcse: 0,
                    tucss,
                    tucso,
                    tucse: 0,
                    cmd,
                    paylen: 0,
                    hdr_len: 0,
                    mss: 0,
                };
                let key = c.key();
                Offload {
                    ctx: Some(c),
                    key,
                    cmd: hw::TXD_CMD_DEXT,
                    popts: hw::TXD_POPTS_TXSM,
                    segs: 1,
                }
            }
            TxOffload::Tso { ipv4, l3, l3_check, l4, l4_check, hdr_len, mss, payload, segs } => {
                let c = hw::Context {
                    ipcss: byte(l3)?,
                    ipcso: byte(l3_check)?,
                    // IPv4: the IP checksum ends before TCP; IPv6 has none.
                    ipcse: if ipv4 { l4.saturating_sub(1) } else { 0 },
                    tucss: byte(l4)?,
                    tucso: byte(l4_check)?,
                    tucse: 0,
                    cmd: hw::TXD_CMD_TSE | hw::TXD_CMD_TCP | if ipv4 { hw::TXD_CMD_IP } else { 0 },
                    paylen: payload,
                    hdr_len: byte(hdr_len)?,
                    mss,
                };
                let key = c.key(); // 0: its payload length differs from packet to packet
                Offload {
                    ctx: Some(c),
                    key,
                    cmd: hw::TXD_CMD_DEXT | hw::TXD_CMD_TSE,
                    popts: hw::TXD_POPTS_TXSM | if ipv4 { hw::TXD_POPTS_IXSM } else { 0 },
                    segs: u32::from(segs.max(1)),
                }
            }
        })
    }

    /// The interrupt: acknowledge (ICR), follow the link, mask until the
    /// poll is done; whether it was ours and NAPI is to be scheduled.
    fn irq(&self, dev: &NetDev<'_>) -> Irq {
        let icr = self.regs.read32::<{ hw::ICR }>();
        if icr == 0 {
            return Irq::NotOurs;
        }
        self.causes.fetch_or(icr, Relaxed);
        self.irqs.fetch_add(1, Relaxed);
        if !self.up.load(Relaxed) {
            return Irq::Handled;
        }
        if icr & hw::ICR_LSC != 0 {
            if hw::link_up(&self.regs) {
                self.gigabit.store(hw::speed(&self.regs).0 == 1000, Relaxed);
                dev.carrier_on();
            } else {
                dev.carrier_off();
            }
        }
        self.regs.write32::<{ hw::IMC }>(!0);
        // A new round of polls: its work decides the next rate (e1000_intr).
        for w in &self.itr_work {
            w.store(0, Relaxed);
        }
        Irq::Poll
    }

    fn stat(&self, dev_stats: &mut Stats) {
        use hw::stat::*;
        let g = |c: &AtomicU64| c.load(Relaxed);
        let h = |i: usize| self.hw_st.get(i).map_or(0, g);
        let s = &self.st;
        // As e1000_update_stats: packets and bytes counted by the driver,
        // errors, misses, multicast and collisions by the device.
        dev_stats.rx_packets = g(&s.rx_packets);
        dev_stats.rx_bytes = g(&s.rx_bytes);
        dev_stats.rx_errors =
            g(&s.rx_errors) + h(RXERRC) + h(CRCERRS) + h(ALGNERRC) + h(RUC) + h(ROC) + h(CEXTERR);
        dev_stats.rx_dropped = g(&s.rx_dropped);
        dev_stats.rx_length_errors = g(&s.rx_length_errors) + h(RUC) + h(ROC);
        dev_stats.rx_crc_errors = h(CRCERRS);
        dev_stats.rx_frame_errors = h(ALGNERRC);
        dev_stats.rx_missed_errors = h(MPC);
        dev_stats.multicast = h(MPRC);
        dev_stats.collisions = h(COLC);
        dev_stats.tx_packets = g(&s.tx_packets);
        dev_stats.tx_bytes = g(&s.tx_bytes);
        dev_stats.tx_dropped = g(&s.tx_dropped);
        dev_stats.tx_errors = h(ECOL) + h(LATECOL);
        dev_stats.tx_aborted_errors = h(ECOL);
        dev_stats.tx_carrier_errors = h(TNCRS);
    }

    /// Adds the statistics registers (cleared by the read) to their sums.
    fn update_stats(&self) {
        for (sum, &reg) in self.hw_st.iter().zip(hw::STAT_REGS.iter()) {
            if let Ok(v) = self.regs.try_read32(reg) {
                inc(sum, v.into());
            }
        }
    }

    /// The saved multicast filters into the registers.
    fn write_filters(&self) {
        for (i, w) in self.filters.iter().enumerate() {
            let _ = self.regs.try_write32(hw::filter_reg(i), w.load(Relaxed));
        }
    }

    /// Writes RCTL's filter bits, if up.
    fn write_rctl(&self) {
        if self.up.load(Relaxed) {
            self.regs.write32::<{ hw::RCTL }>(self.rctl.load(Relaxed) | self.filter.load(Relaxed));
        }
    }
}

#[rkm::vtable]
impl net::Operations for Port {
    const STATS: &'static [&'static str] = &[
        "rx_packets",
        "tx_packets",
        "rx_bytes",
        "tx_bytes",
        "rx_errors",
        "rx_dropped",
        "rx_length_errors",
        "multicast",
        "tx_dropped",
        "tx_busy",
        "tx_restart_queue",
        "tx_timeout_count",
        "alloc_rx_buff_failed",
        "resets",
        "rx_missed_errors",
        "rx_csum_offload_good",
        "rx_csum_offload_errors",
    ];

    fn open(&self, dev: &RtnlDev<'_>, _: &()) -> Result {
        self.up(dev, dev.mtu());
        Ok(())
    }

    fn stop(&self, dev: &RtnlDev<'_>, _: &()) {
        self.down(dev);
    }

    fn start_xmit(&self, dev: &Xmit<'_>, skb: Skb) -> Tx {
        // Mapped and its offload read in one call, before the ring is
        // touched.
        let Some((m, Offload { ctx, key, cmd, popts, segs })) = Self::prepare(dev, skb) else {
            inc(&self.st.tx_dropped, 1);
            self.flush_tail(self.tx.produced());
            return Tx::Sent;
        };
        // start_xmit is the ring's one producer: the stack calls it under
        // the queue's transmit lock, and down() waits for it (disable_tx)
        // before it takes the whole ring.
        let Some(mut p) = self.tx.producer() else {
            inc(&self.st.tx_dropped, 1);
            drop(m.unmap());
            return Tx::Sent;
        };
        // The descriptors it takes: a context, and each part split at
        // MAX_PER_TXD (a linear packet: its head only).
        let (len, head_len) = (m.len(), m.head_len());
        let parts = |n: usize| n.div_ceil(hw::MAX_PER_TXD);
        // A context descriptor only where the offsets differ from the
        // last one the device got, which it keeps until the next (the
        // 8254x manual's TCP/IP context descriptor): a run of packets alike
        // takes one descriptor each, not two (e1000 writes a context for
        // every one; a TSO packet's differs in its payload length).
        let ctx = ctx.filter(|_| key == 0 || key != self.tx_ctx.load(Relaxed));
        let need = usize::from(ctx.is_some())
            + if head_len == len {
                parts(len)
            } else {
                m.segments().map(|(_, n)| parts(n as usize)).sum()
            };
        // e1000_maybe_stop_tx(count + 2), on the room read as the producer
        // was taken: stopped, then the room read again after a full barrier
        // (a poll may have cleaned in between and seen the queue still
        // running: see clean_tx); busy only if still short. The packet goes
        // back unmapped.
        if p.last_room() < need + 2 || !self.up.load(Relaxed) {
            dev.stop_queue();
            fence(SeqCst);
            if p.room() < need + 2 || !self.up.load(Relaxed) {
                inc(&self.st.tx_busy, 1);
                let next = p.next();
                drop(p);
                self.flush_tail(next);
                return Tx::Busy(m.unmap());
            }
            dev.start_queue();
            inc(&self.st.tx_restart_queue, 1);
        }
        // Offsets from the ring's head, all below the room just checked.
        let mut k = 0;
        if let Some(c) = &ctx {
            let _ = p.set(k, c.desc());
            k += 1;
        }
        let data = |addr: u64, n: usize, eop: u8| TxDesc {
            buffer_addr: addr,
            length: n as u16,
            cso: if cmd & hw::TXD_CMD_DEXT != 0 { hw::TXD_DTYP_D } else { 0 },
            cmd: cmd | hw::TXD_CMD_IFCS | hw::TXD_CMD_RS | hw::TXD_CMD_IDE | eop,
            css: popts,
            ..TxDesc::default()
        };
        let last = if head_len == len && len <= hw::MAX_PER_TXD {
            // Linear and short, the common packet: one data descriptor.
            let _ = p.set(k, data(m.dma_addr_u64(), len, hw::TXD_CMD_EOP));
            k += 1;
            k - 1
        } else {
            // Each descriptor written once its successor is known, so that
            // the last gets EOP.
            let mut last: Option<(usize, u64, usize)> = None;
            for (mut addr, left) in m.segments() {
                let mut left = left as usize;
                while left > 0 {
                    let n = left.min(hw::MAX_PER_TXD);
                    if let Some((j, a, n)) = last.take() {
                        let _ = p.set(j, data(a, n, 0));
                    }
                    last = Some((k, addr, n));
                    k += 1;
                    addr += n as u64;
                    left -= n;
                }
            }
            let Some((j, a, n)) = last else {
                // Nothing to send (map_tx refuses an empty packet).
                let next = p.next();
                drop(p);
                drop(m.unmap());
                self.flush_tail(next);
                return Tx::Sent;
            };
            let _ = p.set(j, data(a, n, hw::TXD_CMD_EOP));
            j
        };
        let bytes = (segs - 1) * head_len as u32 + len as u32;
        if let Some(slot) = p.slot(last) {
            *slot = Some((m, [segs, bytes]));
        }
        let _ = p.advance(k); // k <= need <= room
        if ctx.is_some() {
            self.tx_ctx.store(key, Relaxed);
        }
        // Once for a batch the stack hands over (e1000's xmit_more), the
        // descriptors before it; every packet, while the queue is stopped.
        let mut more = dev.sent_queue(len as u32);
        // Room for the next packet (what is left of the room read above,
        // else the consumer's tail read again), or stop now
        // (e1000_maybe_stop_tx), and look again as above.
        if p.last_room() < TX_STOP && p.room() < TX_STOP {
            dev.stop_queue();
            more = false;
            fence(SeqCst);
            if p.room() >= TX_STOP {
                dev.start_queue();
                inc(&self.st.tx_restart_queue, 1);
            }
        }
        if !more {
            self.flush_tail(p.next());
        }
        Tx::Sent
    }

    fn get_stats64(&self, _dev: &NetDev<'_>, st: &mut Stats) {
        self.stat(st);
    }

    fn set_mac_address(&self, _dev: &RtnlDev<'_>, _: &(), mac: &[u8; net::ETH_ALEN]) -> Result {
        hw::set_rar(&self.regs, mac);
        Ok(())
    }

    fn change_mtu(&self, dev: &RtnlDev<'_>, _: &(), mtu: u32) -> Result {
        // e1000_change_mtu: reinitialised with the new buffer size if up.
        if self.up.load(Relaxed) {
            self.down(dev);
            self.up(dev, mtu);
        }
        Ok(())
    }

    fn nway_reset(&self, dev: &RtnlDev<'_>, _: &()) -> Result {
        // e1000_nway_reset: reinitialised if up (the link negotiates anew).
        if self.up.load(Relaxed) {
            self.down(dev);
            self.up(dev, dev.mtu());
        }
        Ok(())
    }

    fn get_link_modes(&self, _dev: &RtnlDev<'_>, _: &()) -> LinkModes {
        // e1000_get_link_ksettings for its copper parts: every speed but
        // 1000 half, all advertised (AUTONEG_ADVERTISE_SPEED_DEFAULT); the
        // crossover from the PHY's status, chosen automatically (hw->mdix
        // 0); PHYAD as e1000 reports it (hw->phy_addr, set only for the
        // CE4100: the PHY answers at hw::PHY_ADDR).
        let speeds = Modes::M10_HALF
            | Modes::M10_FULL
            | Modes::M100_HALF
            | Modes::M100_FULL
            | Modes::M1000_FULL;
        LinkModes {
            supported: speeds | Modes::AUTONEG | Modes::TP,
            advertised: speeds | Modes::AUTONEG | Modes::TP,
            autoneg: true,
            phy_address: 0,
            mdix: hw::phy_read(&self.regs, hw::M88_PHY_SPEC_STATUS)
                .ok()
                .map(|v| v & hw::M88_PSSR_MDIX != 0),
            mdix_auto: true,
        }
    }

    fn get_wol(&self, _dev: &RtnlDev<'_>, _: &()) -> (Wake, Wake) {
        // e1000_get_wol: the 82540EM could wake on these; none is on, as
        // e1000 has it for a device that cannot wake the system (no PCI
        // power management wake-up here, and no suspend in rust_e1000).
        let can = Wake::UNICAST | Wake::MULTICAST | Wake::BROADCAST | Wake::MAGIC;
        (can, Wake::NONE)
    }

    fn set_wol(&self, _dev: &RtnlDev<'_>, _: &(), events: Wake) -> Result {
        // e1000_set_wol on such a device: only "none" is taken.
        if events == Wake::NONE {
            Ok(())
        } else {
            Err(EOPNOTSUPP)
        }
    }

    fn get_msglevel(&self, _dev: &RtnlDev<'_>, _: &()) -> u32 {
        self.msg.load(Relaxed)
    }

    fn set_msglevel(&self, _dev: &RtnlDev<'_>, _: &(), level: u32) {
        self.msg.store(level, Relaxed);
    }

    fn tx_timeout(&self, _dev: &NetDev<'_>, _queue: u32) {
        inc(&self.st.tx_timeouts, 1);
        self.reset_pending.store(true, Relaxed);
    }

    fn set_rx_mode(&self, _dev: &NetDev<'_>, mode: &RxMode<'_>) {
        // e1000_set_rx_mode: promiscuous; all multicast; else the hash table.
        let filter = if mode.promiscuous() {
            hw::RCTL_UPE | hw::RCTL_MPE
        } else if mode.all_multicast() {
            hw::RCTL_MPE
        } else {
            0
        };
        // As e1000_set_rx_mode: the first 14 groups in the exact filters
        // 1..14, the rest in the hash table (which admits every group
        // sharing the hashed bits).
        let mut words = [0u32; hw::FILTER_WORDS];
        for (k, a) in mode.multicast().iter().enumerate() {
            if let Some(rar) = words.get_mut(hw::MTA_REGS + 2 * k..hw::MTA_REGS + 2 * k + 2) {
                rar.copy_from_slice(&hw::rar_words(a));
            } else if let Some(w) = words.get_mut(hw::mta_bit(a).0) {
                *w |= 1 << hw::mta_bit(a).1;
            }
        }
        for (saved, v) in self.filters.iter().zip(words) {
            saved.store(v, Relaxed);
        }
        self.write_filters();
        self.filter.store(filter, Relaxed);
        self.write_rctl();
    }

    fn poll(&self, napi: &mut Poll<'_>) -> u32 {
        self.clean_tx(napi);
        // Refills too (every batch).
        let done = self.clean_rx(napi, napi.budget());
        if done < napi.budget() && napi.complete(done) {
            self.set_itr();
            if self.up.load(Relaxed) && !self.gone.load(Relaxed) {
                self.regs.write32::<{ hw::IMS }>(hw::IMS_ENABLE_MASK);
            }
        }
        done
    }

    fn get_link(&self, dev: &RtnlDev<'_>, _: &()) -> bool {
        dev.carrier_ok()
    }

    fn get_link_speed(&self, _dev: &RtnlDev<'_>, _: &()) -> Option<LinkSpeed> {
        let (mbps, full_duplex) = hw::speed(&self.regs);
        Some(LinkSpeed { mbps, full_duplex })
    }

    fn get_eeprom_len(&self, _dev: &RtnlDev<'_>, _: &()) -> u32 {
        hw::eeprom_words(&self.regs) * 2
    }

    fn get_eeprom(&self, _dev: &RtnlDev<'_>, _: &(), offset: u32, buf: &mut [u8]) -> Result<u32> {
        // e1000_get_eeprom: the magic is the PCI vendor and device.
        hw::eeprom_bytes(&self.regs, offset, buf)?;
        Ok(u32::from(VENDOR) | u32::from(DEVICE) << 16)
    }

    fn get_ringparam(&self, _dev: &RtnlDev<'_>, _: &()) -> Ring {
        Ring {
            rx_max: MAX_DESCS,
            tx_max: MAX_DESCS,
            rx: self.rx_count.load(Relaxed),
            tx: self.tx_count.load(Relaxed),
        }
    }

    fn set_ringparam(&self, dev: &RtnlDev<'_>, _: &(), r: Ring) -> Result {
        // e1000_set_ringparam: at least the minimum, a multiple of 8.
        let size = |n: u32| match n {
            ..MIN_DESCS => MIN_DESCS,
            MAX_DESCS.. => MAX_DESCS,
            n => n.next_multiple_of(DESCS_MULTIPLE),
        };
        self.rx_count.store(size(r.rx), Relaxed);
        self.tx_count.store(size(r.tx), Relaxed);
        if self.up.load(Relaxed) {
            self.down(dev);
            self.up(dev, dev.mtu());
        }
        Ok(())
    }

    fn get_ethtool_stats(&self, _dev: &RtnlDev<'_>, _: &(), vals: &mut [u64]) {
        let mut st = Stats::default();
        self.stat(&mut st);
        let g = |c: &AtomicU64| c.load(Relaxed);
        let s = &self.st;
        let all = [
            st.rx_packets,
            st.tx_packets,
            st.rx_bytes,
            st.tx_bytes,
            st.rx_errors,
            st.rx_dropped,
            st.rx_length_errors,
            st.multicast,
            st.tx_dropped,
            g(&s.tx_busy),
            g(&s.tx_restart_queue),
            g(&s.tx_timeouts),
            g(&s.alloc_rx_buff_failed),
            g(&s.resets),
            st.rx_missed_errors,
            g(&s.csum_good),
            g(&s.csum_err),
        ];
        for (v, a) in vals.iter_mut().zip(all) {
            *v = a;
        }
    }
}

/// The watchdog (e1000_watchdog, every 2 s): the reset a transmit timeout
/// asked for (e1000_reset_task), the carrier if an interrupt was missed, and
/// a poll for the receive buffers a failed allocation left out.
struct Watchdog {
    port: RtnlOpsHandle<Port>,
}

impl WorkItem for Watchdog {
    fn run(&self, work: &WorkRef<'_>) {
        let alive = self.port.with_rtnl(|dev, port, _| {
            if port.gone.load(Relaxed) || !port.up.load(Relaxed) {
                return;
            }
            if port.reset_pending.swap(false, Relaxed) {
                inc(&port.st.resets, 1);
                let mut name = [0; net::MAX_NAME + 1];
                if port.msg.load(Relaxed) & net::MSG_DRV != 0 {
                    pr_info!("{}: Reset adapter\n", dev.name(&mut name)); // as e1000_reset_task
                }
                port.down(dev);
                port.up(dev, dev.mtu());
                return;
            }
            port.update_stats();
            // Buffers an allocation failure left out: an empty receive ring
            // gets no interrupt that would poll and refill it, so one is
            // raised (as e1000_watchdog's ICS write, which e1000 makes every
            // time), and the poll, the ring's one producer while up,
            // refills.
            if port.rx_short.load(Relaxed) {
                port.regs.write32::<{ hw::ICS }>(hw::ICR_RXDMT0);
            }
            let link = hw::link_up(&port.regs);
            if link != dev.carrier_ok() {
                if link {
                    dev.carrier_on();
                } else {
                    dev.carrier_off();
                }
            }
        });
        if alive.is_some() {
            work.queue_delayed(WATCHDOG);
        }
    }
}

/// What [`Port::irq`] found: not this device's interrupt, handled, or
/// handled with the causes masked and NAPI to be scheduled.
enum Irq {
    NotOurs,
    Handled,
    Poll,
}

rkm::irq_safe! {
    /// What the interrupt handler sees: the network device's state.
    struct Hw {
        port: OpsHandle<Port>,
    }
}

/// The binding's data: the watchdog first (cancelled before the device is
/// unregistered), then the device.
struct Data {
    _watchdog: Work<Watchdog>,
    reg: Registration<Port>,
}

struct E1000;

impl driver::Driver for E1000 {
    const NAME: &'static str = "rust_e1000";
    const ATTRS: &'static [Attr<Self>] = &[
        Attr::ro("e1000_mac", show_mac),
        Attr::ro("e1000_eeprom", show_eeprom),
        Attr::ro("e1000_link", show_link),
        Attr::ro("e1000_rings", show_rings),
        Attr::ro("e1000_irqs", show_irqs),
        Attr::wo("e1000_ics", store_ics),
    ];
    type Hw = Hw;
    type Data = Data;

    fn remove(dev: &Bound<'_, Self>) {
        // Quiet before the interrupt is freed (the line may be shared) and
        // bus mastering goes off; the device is unregistered after.
        dev.data().reg.ops_handle().rtnl().with_rtnl(|dev, port, _| {
            port.gone.store(true, Relaxed);
            dev.napi_disable();
            let regs = &port.regs;
            regs.write32::<{ hw::IMC }>(!0);
            regs.write32::<{ hw::RCTL }>(0);
            regs.write32::<{ hw::TCTL }>(0);
            let _ = regs.read32::<{ hw::STATUS }>();
        });
    }

    fn irq(hw: &Hw) -> IrqReturn {
        match hw.port.with(|port, dev| port.irq(dev)) {
            Some(Irq::Poll) => {
                hw.port.handle().napi_schedule();
                IrqReturn::Handled
            }
            Some(Irq::Handled) => IrqReturn::Handled,
            Some(Irq::NotOurs) | None => IrqReturn::None,
        }
    }
}

impl pci::Driver for E1000 {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(VENDOR, DEVICE)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        dev.dma_mask(DMA_BITS)?;
        let regs = dev.iomap::<{ hw::BAR_SIZE }>(0)?;
        hw::reset(&regs);
        if !hw::eeprom_checksum_ok(&regs)? {
            dev_err!(dev, "The EEPROM Checksum Is Not Valid\n");
            return Err(EIO);
        }
        let mac = hw::eeprom_mac(&regs)?;
        // Zero, or a multicast address (is_valid_ether_addr).
        if mac == [0; 6] || mac[0] & 1 != 0 {
            dev_err!(dev, "Invalid MAC Address\n");
            return Err(EIO);
        }
        regs.write32::<{ hw::CTRL }>(regs.read32::<{ hw::CTRL }>() | hw::CTRL_SLU | hw::CTRL_ASDE);
        dev.set_master();
        let link = hw::link_up(&regs);
        let port = new_port(dev, regs, mac)?;
        let opts = net::Options {
            name: "eth%d",
            mac: Some(mac),
            min_mtu: MIN_MTU,
            max_mtu: MAX_MTU,
            features: OFFLOADS | Features::RXCSUM,
            hw_features: OFFLOADS | Features::RXCSUM,
            ..Default::default()
        };
        let reg = Registration::register(dev, &opts, port, ())?;
        let kind = dev.irq_vector()?;
        let watchdog = Work::new(Watchdog { port: reg.ops_handle().rtnl() })?;
        watchdog.queue_delayed(WATCHDOG);
        let m = &mac;
        dev_info!(
            dev,
            "82540EM {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, EEPROM checksum ok, link {}, {:?} interrupt\n",
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
            m[5],
            if link { "up" } else { "down" },
            kind
        );
        Ok((Hw { port: reg.ops_handle() }, Data { _watchdog: watchdog, reg }))
    }
}

/// The device's state, both rings at their largest (out of probe's frame).
#[inline(never)]
fn new_port(dev: &pci::Device<'_, E1000>, regs: Regs, mac: [u8; 6]) -> Result<Port> {
    let tx = ring(dev)?;
    let rx = ring(dev)?;
    Ok(Port {
        regs,
        mac,
        tx,
        rx,
        rx_buf_len: AtomicU32::new(hw::MAX_VLAN_FRAME),
        discarding: AtomicBool::new(false),
        rx_short: AtomicBool::new(false),
        tx_ctx: AtomicU64::new(0),
        tx_count: AtomicU32::new(DEFAULT_DESCS),
        rx_count: AtomicU32::new(DEFAULT_DESCS),
        up: AtomicBool::new(false),
        gone: AtomicBool::new(false),
        reset_pending: AtomicBool::new(false),
        rctl: AtomicU32::new(0),
        filter: AtomicU32::new(0),
        filters: Arc::try_new([const { AtomicU32::new(0) }; hw::FILTER_WORDS])?,
        irqs: AtomicU64::new(0),
        causes: AtomicU32::new(0),
        gigabit: AtomicBool::new(false),
        itr: AtomicU32::new(ITR_START),
        msg: AtomicU32::new(net::MSG_DRV | net::MSG_PROBE | net::MSG_LINK),
        itr_class: [const { AtomicU32::new(LOWEST_LATENCY) }; 2],
        itr_work: [const { AtomicU32::new(0) }; 4],
        hw_st: [const { AtomicU64::new(0) }; hw::STAT_REGS.len()],
        st: Counters {
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            rx_errors: AtomicU64::new(0),
            rx_dropped: AtomicU64::new(0),
            rx_length_errors: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            tx_busy: AtomicU64::new(0),
            tx_restart_queue: AtomicU64::new(0),
            tx_timeouts: AtomicU64::new(0),
            alloc_rx_buff_failed: AtomicU64::new(0),
            resets: AtomicU64::new(0),
            csum_good: AtomicU64::new(0),
            csum_err: AtomicU64::new(0),
        },
    })
}

/// A ring at its largest, `DEFAULT_DESCS` in use, and its slots (a frame
/// of its own: a KASAN kernel's stack limit).
#[inline(never)]
fn ring<T: rkm::dma::Descriptor, S>(dev: &pci::Device<'_, E1000>) -> Result<SplitRing<T, S>> {
    let ring = SplitRing::new(DescRing::alloc(dev, RING_DESCS)?)?;
    if let Some(mut all) = ring.exclusive() {
        all.reset(DEFAULT_DESCS as usize)?;
    }
    Ok(ring)
}

fn port<'a>(dev: &'a Bound<'_, E1000>) -> &'a Port {
    dev.data().reg.ops()
}

fn show_mac(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let m = &port(dev).mac;
    writeln!(out, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5])
        .map_err(|_| EFBIG)
}

/// Probe fails on a bad checksum: a bound device's is good.
fn show_eeprom(_dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "checksum ok").map_err(|_| EFBIG)
}

fn show_link(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let up = hw::link_up(&port(dev).regs);
    writeln!(out, "{}", if up { "up" } else { "down" }).map_err(|_| EFBIG)
}

/// Each ring: descriptors in use, their bytes, and the device's head and tail.
fn show_rings(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let p = port(dev);
    let regs = &p.regs;
    let (tx, rx) = (p.tx_count.load(Relaxed), p.rx_count.load(Relaxed));
    let t = (tx, tx * 16, regs.read32::<{ hw::TDH }>(), regs.read32::<{ hw::TDT }>());
    let r = (rx, rx * 16, regs.read32::<{ hw::RDH }>(), regs.read32::<{ hw::RDT }>());
    writeln!(out, "tx {} {} head {} tail {}", t.0, t.1, t.2, t.3).map_err(|_| EFBIG)?;
    writeln!(out, "rx {} {} head {} tail {}", r.0, r.1, r.2, r.3).map_err(|_| EFBIG)
}

fn show_irqs(dev: &Bound<'_, E1000>, out: &mut AttrBuf<'_>) -> Result {
    let p = port(dev);
    writeln!(out, "{} causes {:#x}", p.irqs.load(Relaxed), p.causes.load(Relaxed))
        .map_err(|_| EFBIG)
}

/// Raises interrupt causes (ICS), as e1000_open raises the link-status
/// one: a number (kstrtou32 syntax) naming enabled causes only
/// (IMS_ENABLE_MASK), else EINVAL. The interrupt is unmasked only while
/// the interface is up (open), so a cause raised while down is seen at
/// the next open.
fn store_ics(dev: &Bound<'_, E1000>, text: &[u8]) -> Result {
    let causes = u32::try_from(rkm::configfs::parse_u64(text)?).map_err(|_| EINVAL)?;
    if causes == 0 || causes & !hw::IMS_ENABLE_MASK != 0 {
        return Err(EINVAL);
    }
    port(dev).regs.write32::<{ hw::ICS }>(causes);
    Ok(())
}

struct Driver {
    _pci: pci::Registration<E1000>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _pci: pci::Registration::register(E1000)? })
    }
}

module! {
    type: Driver,
    name: "rust_e1000",
    authors: ["rkm developers"],
    description: "Intel 82540EM (QEMU e1000) network driver in safe Rust",
    license: "GPL",
}
