// SPDX-License-Identifier: GPL-2.0
//! Network devices: Ethernet devices ([`Registration`]) driven by
//! [`Operations`], their NAPI context ([`Poll`]), packets ([`Skb`]), the
//! streaming DMA of packets ([`SkbMapping`]) and ethtool ([`Ring`], the
//! statistics table [`Operations::STATS`]).
//!
//! A driver implements [`Operations`] on its per-device state and registers
//! an Ethernet device on a bound device ([`DeviceContext`]: a PCI or
//! platform device during probe, or its [`Bound`](crate::device::Bound)
//! state after), keeping the [`Registration`] in the binding's data: it is
//! then unregistered when the binding ends, at the latest.
//!
//! ```
//! # use rkm::prelude::*;
//! use rkm::net::{self, Registration, RtnlDev, Skb, Tx, Xmit};
//! rkm::irq_safe! { struct Port { _id: u32 } }
//! #[rkm::vtable]
//! impl net::Operations for Port {
//!     fn open(&self, dev: &RtnlDev<'_>, _: &()) -> Result {
//!         dev.carrier_on();
//!         dev.start_queue();
//!         Ok(())
//!     }
//!     fn stop(&self, dev: &RtnlDev<'_>, _: &()) {
//!         dev.stop_queue();
//!     }
//!     fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
//!         skb.consume(); // sent (nowhere)
//!         Tx::Sent
//!     }
//! }
//! # fn probe(dev: &impl rkm::device::DeviceContext) -> Result<Registration<Port>> {
//! let reg = Registration::register(dev, &net::Options::default(), Port { _id: 0 }, ())?;
//! // ... dropping `reg` unregisters the device, waiting for its callbacks.
//! # Ok(reg) }
//! ```
//!
//! # Soundness
//!
//! - The glue allocates the `net_device` (`alloc_netdev` with
//!   `ether_setup`) and keeps, in its private area, a pointer to its own
//!   handle (`struct rkm_netdev`), which holds the operations table and a
//!   pointer to the registration's boxed state. Every callback runs between
//!   `register_netdev` and the end of `unregister_netdev` (the core's
//!   guarantee: `ndo_*` and ethtool callbacks are under RTNL or RCU, which
//!   unregistration waits for; NAPI is disabled and deleted before
//!   `free_netdev`), and the state is dropped only after that, so a
//!   callback never sees freed state. [`Registration`]'s drop unregisters;
//!   a leaked one is unregistered at module exit, before the module's code
//!   goes (its state is then leaked, never dropped).
//! - Callbacks get a [`NetDev`] (or an [`RtnlDev`], or a [`Poll`]) that
//!   borrows the device for the call only: nothing that reaches the
//!   `net_device` outlives the callback. What must reach the device from
//!   elsewhere (an interrupt handler, a timer, the peer of a software pair)
//!   holds a [`Handle`]: a counted reference to the glue's handle, which
//!   outlives the `net_device`; its calls go through RCU and do nothing once
//!   unregistration has begun.
//! - Context: `open`, `stop`, `set_mac_address`, `change_mtu` and the
//!   ethtool callbacks run in process context with RTNL held and get an
//!   [`RtnlDev`] (which adds the sleeping calls: NAPI enable and disable);
//!   `start_xmit` (bottom halves off, the transmit lock held),
//!   `get_stats64`, `tx_timeout` (the watchdog timer), `set_rx_mode` (under
//!   the device's address spinlock) and `poll` (softirq) are atomic and get
//!   only a [`NetDev`], an [`Xmit`] or a [`Poll`], which have no sleeping
//!   method. The state they all see is
//!   `&Self`, so `Self` must be [`IrqSafe`]; process-only state goes in
//!   [`Operations::Data`], which only the process-context callbacks get.
//! - NAPI: the glue enables it only through [`RtnlDev::napi_enable`] and
//!   disables it idempotently (a second `napi_enable` is a BUG on 6.1, a
//!   second `napi_disable` a hang), and always after `stop`. Completion is
//!   [`Poll::complete`], which refuses to complete at or above the budget
//!   and completes at most once; the glue never reports more work than the
//!   budget.
//! - Byte queue limits: `dql_queued` and `dql_completed` are each written
//!   for one caller at a time, and `dql_completed` BUGs when more bytes
//!   complete than were queued. Bytes are queued only through [`Xmit`],
//!   which only the `start_xmit` trampoline makes: the stack calls it under
//!   the queue's transmit lock (one queue, no `LLTX`; netpoll and pktgen
//!   take the lock too), so queueing needs no lock of its own, as in C
//!   drivers. Completions and the reset are serialised by a lock in the
//!   glue, which clamps a completion to what is in flight; a completion
//!   running beside a `dql_queued` is BQL's own design (C drivers complete
//!   in NAPI, lock-free). The reset ([`RtnlDev::reset_queue`], and the
//!   glue's after `stop`) holds the transmit lock, so no `dql_queued` runs
//!   beside its `dql_reset`; where it may not wait for that lock it
//!   completes what is in flight instead.
//! - Addresses the core hands over are validated in the glue
//!   (`is_valid_ether_addr`: `EADDRNOTAVAIL`); the MTU is checked by the
//!   core against [`Options::min_mtu`]/[`Options::max_mtu`].

mod ethtool;
mod napi;
mod skb;

pub use ethtool::{LinkModes, LinkSpeed, Modes, Ring, Wake, MSG_DRV, MSG_LINK, MSG_PROBE};
pub use napi::Poll;
pub use skb::{Checksum, Layout, Skb, SkbMapping, SkbQueue, TxOffload};

use crate::abi;
use crate::alloc::KBox;
use crate::device::DeviceContext;
use crate::error::{code::*, to_result, Error, Result};
use crate::irq::{IrqDrop, IrqSafe};
use core::ffi::{c_char, c_int, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// The length of a MAC address.
pub const ETH_ALEN: usize = abi::NET_ALEN;
/// The longest interface name, in bytes (`IFNAMSIZ` - 1).
pub const MAX_NAME: usize = abi::NET_NAME_MAX;
/// The longest ethtool statistic name, in bytes (`ETH_GSTRING_LEN` - 1).
pub const MAX_STAT_NAME: usize = abi::NET_GSTRING_LEN - 1;
/// The most ethtool statistics a device may have.
pub const MAX_STATS: usize = abi::NET_MAX_STATS;

/// What `start_xmit` did with the packet.
///
/// ```
/// # use rkm::net::{Skb, Tx};
/// fn xmit(skb: Skb, room: bool) -> Tx {
///     if !room {
///         return Tx::Busy(skb);
///     }
///     skb.consume();
///     Tx::Sent
/// }
/// ```
pub enum Tx {
    /// The driver took it (queued for the device, or freed).
    Sent,
    /// No room: the packet goes back to the stack and the queue is stopped
    /// (`NETDEV_TX_BUSY`); wake it when there is room again. Stop the queue
    /// before the ring is full instead, as the kernel asks drivers to: the
    /// stack then never has to requeue.
    Busy(Skb),
}

/// Interface statistics for `get_stats64` (`rtnl_link_stats64`): fields
/// left at zero read as zero.
///
/// ```
/// let st = rkm::net::Stats { rx_packets: 1, ..Default::default() };
/// # let _ = st;
/// ```
#[derive(Default, Clone, Copy, Debug)]
#[allow(missing_docs)]
pub struct Stats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
    pub tx_aborted_errors: u64,
    pub tx_carrier_errors: u64,
    pub tx_fifo_errors: u64,
}

/// What `set_rx_mode` is asked to receive: a copy of the device's flags
/// and multicast list, lent for the call.
///
/// ```
/// # fn f(mode: &rkm::net::RxMode<'_>) -> bool {
/// mode.promiscuous() || mode.all_multicast()
/// # }
/// ```
pub struct RxMode<'a> {
    flags: u32,
    mc: &'a [[u8; ETH_ALEN]],
}

impl RxMode<'_> {
    /// Every packet (`IFF_PROMISC`).
    ///
    /// ```
    /// # fn f(mode: &rkm::net::RxMode<'_>) -> bool {
    /// mode.promiscuous()
    /// # }
    /// ```
    pub fn promiscuous(&self) -> bool {
        self.flags & abi::NET_RX_PROMISC != 0
    }

    /// Every multicast packet (`IFF_ALLMULTI`, or the glue could not copy
    /// the list).
    ///
    /// ```
    /// # fn f(mode: &rkm::net::RxMode<'_>) -> bool {
    /// mode.all_multicast()
    /// # }
    /// ```
    pub fn all_multicast(&self) -> bool {
        self.flags & abi::NET_RX_ALLMULTI != 0
    }

    /// The multicast addresses to receive.
    ///
    /// ```
    /// # fn f(mode: &rkm::net::RxMode<'_>) -> bool {
    /// mode.multicast().iter().any(|a| a[0] == 0x01)
    /// # }
    /// ```
    pub fn multicast(&self) -> &[[u8; ETH_ALEN]] {
        self.mc
    }
}

/// How a device is registered.
///
/// ```
/// let opts = rkm::net::Options { name: "pair%d", max_mtu: 9000, ..Default::default() };
/// # let _ = opts;
/// ```
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The interface name, or a pattern with one `%d` (`""`: `eth%d`).
    pub name: &'a str,
    /// The MAC address (from the device's EEPROM); `None`: a random one.
    pub mac: Option<[u8; ETH_ALEN]>,
    /// The smallest MTU (at least 46, the shortest frame's payload, as
    /// e1000's; below 68 an interface loses its IPv4 addresses).
    pub min_mtu: u32,
    /// The largest MTU (at most 65535).
    pub max_mtu: u32,
    /// The initial MTU.
    pub mtu: u32,
    /// The NAPI weight (1 to 64), or 0 for no NAPI context.
    pub napi_weight: u32,
    /// The transmit queue length (0: the default, 1000).
    pub tx_queue_len: u32,
    /// Offloads on at registration.
    pub features: Features,
    /// Offloads the user may turn on and off (`ethtool -K`).
    pub hw_features: Features,
}

/// Offloads a device offers (`NETIF_F_*`). The stack hands the driver
/// only what is on now: packets with page fragments ([`SG`](Self::SG)),
/// checksums to fill in ([`HW_CSUM`](Self::HW_CSUM)), TCP/IPv4 packets to
/// segment ([`TSO`](Self::TSO)); see [`Skb::tx_offload`] and
/// [`SkbMapping::segments`]. [`RXCSUM`](Self::RXCSUM) is the driver's
/// promise to report checksums the device verified while it is on
/// ([`NetDev::feature`]).
///
/// A driver that offers one and does not do it sends bad packets, as in
/// C; it cannot make the kernel unsafe: every packet is mapped whole,
/// whatever its shape.
///
/// ```
/// use rkm::net::Features;
/// let f = Features::SG | Features::HW_CSUM | Features::TSO;
/// assert!(f.contains(Features::TSO) && !f.contains(Features::RXCSUM));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features(u32);

impl Features {
    /// None.
    pub const NONE: Self = Features(0);
    /// Scatter-gather: packets with page fragments (`NETIF_F_SG`).
    pub const SG: Self = Features(abi::NET_F_SG);
    /// Transmit checksums of any protocol (`NETIF_F_HW_CSUM`).
    pub const HW_CSUM: Self = Features(abi::NET_F_HW_CSUM);
    /// TCP/IPv4 segmentation (`NETIF_F_TSO`); the stack turns it off
    /// without [`SG`](Self::SG) and a checksum offload.
    pub const TSO: Self = Features(abi::NET_F_TSO);
    /// Receive checksums verified by the device (`NETIF_F_RXCSUM`).
    pub const RXCSUM: Self = Features(abi::NET_F_RXCSUM);
}

/// `contains`, `union` and `|` for a set of bits `$t(u32)` with a `NONE`.
macro_rules! bit_set {
    ($t:ident) => {
        impl $t {
            #[doc = concat!("Whether every bit of `other` is in `self`.\n\n```\nuse rkm::net::",
                        stringify!($t), ";\nassert!(", stringify!($t), "::NONE.contains(",
                        stringify!($t), "::NONE));\n```")]
            pub const fn contains(self, other: $t) -> bool {
                self.0 & other.0 == other.0
            }

            #[doc = concat!("Both sets (`|`, in a `const`).\n\n```\nuse rkm::net::",
                        stringify!($t), ";\nconst S: ", stringify!($t), " = ", stringify!($t),
                        "::NONE.union(", stringify!($t), "::NONE);\nassert!(S == ",
                        stringify!($t), "::NONE);\n```")]
            pub const fn union(self, other: $t) -> $t {
                $t(self.0 | other.0)
            }
        }

        impl core::ops::BitOr for $t {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }
    };
}
pub(crate) use bit_set;

bit_set!(Features);

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            name: "",
            mac: None,
            min_mtu: 68,
            max_mtu: 1500,
            mtu: 1500,
            napi_weight: 64,
            tx_queue_len: 0,
            features: Features::NONE,
            hw_features: Features::NONE,
        }
    }
}

/// A network device's driver: the callbacks, implemented on the per-device
/// state (`&self`), with `#[rkm::vtable]` (only the callbacks defined are
/// used; the others keep the kernel's behaviour).
///
/// `Self` is seen from atomic context (see the [module](self)'s soundness
/// notes), hence [`IrqSafe`]; [`Data`](Operations::Data) only from process
/// context.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::net::{RtnlDev, Skb, Tx, Xmit};
/// rkm::irq_safe! { struct Sink { _id: u32 } }
/// #[rkm::vtable]
/// impl rkm::net::Operations for Sink {
///     fn open(&self, dev: &RtnlDev<'_>, _: &()) -> Result {
///         dev.start_queue();
///         Ok(())
///     }
///     fn stop(&self, dev: &RtnlDev<'_>, _: &()) {
///         dev.stop_queue();
///     }
///     fn start_xmit(&self, _dev: &Xmit<'_>, skb: Skb) -> Tx {
///         skb.consume();
///         Tx::Sent
///     }
/// }
/// ```
#[crate::vtable]
pub trait Operations: IrqSafe + Send + Sync + Sized + 'static {
    /// State only the process-context callbacks see (RTNL held).
    type Data: Send + Sync + 'static = ();

    /// The names of the ethtool statistics (`ethtool -S`), at most
    /// [`MAX_STATS`], each at most [`MAX_STAT_NAME`] bytes (longer ones are
    /// cut); [`get_ethtool_stats`](Operations::get_ethtool_stats) fills as
    /// many values.
    const STATS: &'static [&'static str] = &[];

    /// The interface goes up (`ip link set DEV up`): allocate rings, enable
    /// NAPI and the device, start the queue. Process context, RTNL.
    fn open(&self, dev: &RtnlDev<'_>, data: &Self::Data) -> Result;

    /// The interface goes down: stop the queue and the device, free rings.
    /// After it, the glue disables NAPI (if still enabled) and resets the
    /// queue's byte accounting. Process context, RTNL.
    fn stop(&self, dev: &RtnlDev<'_>, data: &Self::Data);

    /// Transmit `skb`: bottom halves off, the queue's lock held (atomic).
    fn start_xmit(&self, dev: &Xmit<'_>, skb: Skb) -> Tx;

    /// Fill the statistics. Atomic (may be called under RCU or a spinlock).
    fn get_stats64(&self, _dev: &NetDev<'_>, _stats: &mut Stats) {}

    /// Program a new, valid unicast MAC address (checked by the glue);
    /// the glue sets it on success. Process context, RTNL.
    fn set_mac_address(
        &self,
        _dev: &RtnlDev<'_>,
        _data: &Self::Data,
        _mac: &[u8; ETH_ALEN],
    ) -> Result {
        Ok(())
    }

    /// The MTU changes to `mtu` (within the limits: the core checked);
    /// the glue sets it on success. Process context, RTNL.
    fn change_mtu(&self, _dev: &RtnlDev<'_>, _data: &Self::Data, _mtu: u32) -> Result {
        Ok(())
    }

    /// The transmit queue has been stopped for too long (the watchdog
    /// timer: atomic): schedule a reset ([`workqueue`](crate::workqueue)).
    fn tx_timeout(&self, _dev: &NetDev<'_>, _queue: u32) {}

    /// Program the receive filters. Atomic: the device's address lock is
    /// held (a spinlock, bottom halves off): it must not sleep, and gets a
    /// [`NetDev`], which has no sleeping method.
    fn set_rx_mode(&self, _dev: &NetDev<'_>, _mode: &RxMode<'_>) {}

    /// NAPI poll (softirq): do at most [`Poll::budget`] packets of work,
    /// return how many; below the budget, [`Poll::complete`] ends polling
    /// (then re-enable the device's interrupt if it returns true).
    fn poll(&self, _napi: &mut Poll<'_>) -> u32 {
        0
    }

    /// Whether the link is up (`ethtool DEV`); default: the carrier.
    /// Process context, RTNL.
    fn get_link(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> bool {
        false
    }

    /// The ring sizes (`ethtool -g`). Process context, RTNL.
    fn get_ringparam(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> Ring {
        Ring::default()
    }

    /// New ring sizes (`ethtool -G`), at most the maxima (checked by the
    /// core). Process context, RTNL.
    fn set_ringparam(&self, _dev: &RtnlDev<'_>, _data: &Self::Data, _ring: Ring) -> Result {
        Err(EOPNOTSUPP)
    }

    /// The values of [`STATS`](Operations::STATS) (`ethtool -S`), into
    /// `vals` (as long as `STATS`, zeroed). Process context, RTNL.
    fn get_ethtool_stats(&self, _dev: &RtnlDev<'_>, _data: &Self::Data, _vals: &mut [u64]) {}

    /// The link's speed and duplex (`ethtool DEV`), asked only while the
    /// carrier is on; `None`: unknown. Not defined: ethtool gets
    /// `EOPNOTSUPP`, as before. Process context, RTNL.
    fn get_link_speed(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> Option<LinkSpeed> {
        None
    }

    /// The size in bytes of the device's EEPROM (`ethtool -e`; 0, or
    /// [`get_eeprom`](Operations::get_eeprom) not defined: none, and
    /// ethtool gets `EOPNOTSUPP`). Process context, RTNL.
    fn get_eeprom_len(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> u32 {
        0
    }

    /// Reads `buf.len()` bytes of the EEPROM from byte `offset` into `buf`
    /// (the glue has checked that they lie within
    /// [`get_eeprom_len`](Operations::get_eeprom_len), asked again just
    /// before); returns the magic value that a write (`ethtool -E`) would
    /// have to give back. Process context, RTNL.
    fn get_eeprom(
        &self,
        _dev: &RtnlDev<'_>,
        _data: &Self::Data,
        _offset: u32,
        _buf: &mut [u8],
    ) -> Result<u32> {
        Err(EOPNOTSUPP)
    }

    /// The port's link modes, auto-negotiation, PHY address and crossover
    /// (`ethtool DEV`, beside [`get_link_speed`](Operations::get_link_speed)'s
    /// speed). Process context, RTNL.
    fn get_link_modes(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> LinkModes {
        LinkModes::default()
    }

    /// Wake-on-LAN: the events the device can wake the system on, and
    /// those on (`ethtool DEV`'s "Supports Wake-on" and "Wake-on"; the glue
    /// reports only those on that are supported). Not defined: ethtool
    /// offers none. Process context, RTNL.
    fn get_wol(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> (Wake, Wake) {
        (Wake::NONE, Wake::NONE)
    }

    /// Wake on `events` from now on (`ethtool -s DEV wol ...`; the core has
    /// refused events that [`get_wol`](Operations::get_wol) does not
    /// support). `EOPNOTSUPP` where the device cannot wake. Process
    /// context, RTNL.
    fn set_wol(&self, _dev: &RtnlDev<'_>, _data: &Self::Data, _events: Wake) -> Result {
        Err(EOPNOTSUPP)
    }

    /// The message level ([`MSG_DRV`] and the other `NETIF_MSG_*` bits):
    /// which messages the driver prints (`ethtool DEV`'s "Current message
    /// level"). Not defined: ethtool offers none. Process context, RTNL.
    fn get_msglevel(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> u32 {
        0
    }

    /// Sets the message level (`ethtool -s DEV msglvl N`). Process context,
    /// RTNL.
    fn set_msglevel(&self, _dev: &RtnlDev<'_>, _data: &Self::Data, _level: u32) {}

    /// Restarts auto-negotiation (`ethtool -r DEV`). Not defined: ethtool
    /// offers none. Process context, RTNL.
    fn nway_reset(&self, _dev: &RtnlDev<'_>, _data: &Self::Data) -> Result {
        Err(EOPNOTSUPP)
    }
}

/// A registered device, seen from one of its callbacks (any context):
/// carrier, queue, byte accounting, packets.
/// ```
/// # fn f(dev: &rkm::net::NetDev<'_>) {
/// if !dev.carrier_ok() {
///     dev.stop_queue();
/// }
/// # }
/// ```
///
///
/// # Invariants
///
/// `nd` is the glue handle of a registered device whose callback is
/// running for `'a` (the device stays registered and allocated).
pub struct NetDev<'a> {
    nd: NonNull<abi::Netdev>,
    _call: PhantomData<&'a ()>,
}

/// A registered device, seen from a process-context callback with RTNL
/// held: everything [`NetDev`] has, plus what sleeps.
///
/// ```
/// # fn f(dev: &rkm::net::RtnlDev<'_>) {
/// dev.napi_enable();
/// dev.start_queue(); // NetDev's, through Deref
/// # }
/// ```
pub struct RtnlDev<'a> {
    dev: NetDev<'a>,
}

impl<'a> core::ops::Deref for RtnlDev<'a> {
    type Target = NetDev<'a>;
    fn deref(&self) -> &NetDev<'a> {
        &self.dev
    }
}

/// The device in [`Operations::start_xmit`]: a [`NetDev`] (through
/// `Deref`), plus what only the transmit path may do: count bytes for the
/// byte queue limits, and learn whether more packets follow.
///
/// ```
/// # fn f(dev: &rkm::net::Xmit<'_>, len: u32) {
/// dev.sent_queue(len);
/// if !dev.xmit_more() {
///     // move the device's tail
/// }
/// # }
/// ```
///
/// # Invariants
///
/// Made only by the `start_xmit` trampoline: the stack holds the queue's
/// transmit lock for `'a`, so at most one `Xmit` of a device exists at a
/// time.
pub struct Xmit<'a> {
    dev: NetDev<'a>,
}

impl<'a> core::ops::Deref for Xmit<'a> {
    type Target = NetDev<'a>;
    fn deref(&self) -> &NetDev<'a> {
        &self.dev
    }
}

impl Xmit<'_> {
    /// `bytes` more are on their way to the device (`netdev_sent_queue`):
    /// the byte limits may stop the queue. Returns [`xmit_more`](Self::xmit_more)
    /// as it stands then (`__netdev_tx_sent_queue`, one call for both): true
    /// if the device's tail may wait for the next packet of the batch. A
    /// driver that stops the queue itself after this moves the tail anyway.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::Xmit<'_>, skb: &rkm::net::Skb) {
    /// if !dev.sent_queue(skb.len() as u32) {
    ///     // write the device's tail register now
    /// }
    /// # }
    /// ```
    pub fn sent_queue(&self, bytes: u32) -> bool {
        // SAFETY: a registered device, in its start_xmit (type invariant):
        // the transmit lock serialises dql_queued.
        unsafe { abi::rkm_net_sent_queue(self.raw(), bytes) }
    }

    /// After [`sent_queue`](Self::sent_queue) and any
    /// [`stop_queue`](NetDev::stop_queue): whether the stack hands over
    /// another packet at once (`netdev_xmit_more`) and the queue is not
    /// stopped (by the driver or the byte queue limits), so the device's
    /// tail may be moved once, after the last packet of the batch. A driver
    /// that defers it moves it on every other way out of `start_xmit` too.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::Xmit<'_>) -> bool {
    /// !dev.xmit_more() // write the tail now
    /// # }
    /// ```
    pub fn xmit_more(&self) -> bool {
        // SAFETY: a registered device; reads this CPU's softnet state.
        unsafe { abi::rkm_net_xmit_more(self.raw()) }
    }
}

impl NetDev<'_> {
    pub(crate) fn raw(&self) -> *mut abi::Netdev {
        self.nd.as_ptr()
    }

    /// The link is up (`netif_carrier_on`).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// dev.carrier_on();
    /// # }
    /// ```
    pub fn carrier_on(&self) {
        // SAFETY: a registered device (type invariant); any context.
        unsafe { abi::rkm_net_carrier(self.raw(), true) }
    }

    /// The link is down (`netif_carrier_off`).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// dev.carrier_off();
    /// # }
    /// ```
    pub fn carrier_off(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_carrier(self.raw(), false) }
    }

    /// Whether the link is up.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> bool {
    /// dev.carrier_ok()
    /// # }
    /// ```
    pub fn carrier_ok(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_net_carrier_ok(self.raw()) }
    }

    /// Let the stack transmit (`netif_start_queue`), in `open`.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// dev.start_queue();
    /// # }
    /// ```
    pub fn start_queue(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_queue_start(self.raw()) }
    }

    /// No more transmits until woken (`netif_stop_queue`).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// dev.stop_queue();
    /// # }
    /// ```
    pub fn stop_queue(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_queue_stop(self.raw()) }
    }

    /// Transmits again, and the qdisc is run (`netif_wake_queue`).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// if dev.queue_stopped() {
    ///     dev.wake_queue();
    /// }
    /// # }
    /// ```
    pub fn wake_queue(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_queue_wake(self.raw()) }
    }

    /// Whether the queue is stopped (by the driver or by the byte limits).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> bool {
    /// dev.queue_stopped()
    /// # }
    /// ```
    pub fn queue_stopped(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_net_queue_stopped(self.raw()) }
    }

    /// The device is done with `pkts` packets of `bytes` bytes
    /// (`netdev_completed_queue`): may wake the queue. More bytes than in
    /// flight count as what is in flight.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) {
    /// dev.completed_queue(2, 3000); // two packets cleaned from the TX ring
    /// # }
    /// ```
    pub fn completed_queue(&self, pkts: u32, bytes: u32) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_completed_queue(self.raw(), pkts, bytes) }
    }

    /// The current MAC address.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> bool {
    /// dev.mac()[0] & 2 != 0 // locally administered
    /// # }
    /// ```
    pub fn mac(&self) -> [u8; ETH_ALEN] {
        let mut mac = [0; ETH_ALEN];
        // SAFETY: as above; `mac` has ETH_ALEN bytes.
        unsafe { abi::rkm_net_mac(self.raw(), mac.as_mut_ptr()) };
        mac
    }

    /// The current MTU.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> u32 {
    /// dev.mtu() + 14 // the largest frame
    /// # }
    /// ```
    pub fn mtu(&self) -> u32 {
        // SAFETY: as above.
        unsafe { abi::rkm_net_mtu(self.raw()) }
    }

    /// Whether every offload of `f` is on now (the user may turn those of
    /// [`Options::hw_features`] off and on at any time).
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> bool {
    /// dev.feature(rkm::net::Features::RXCSUM)
    /// # }
    /// ```
    pub fn feature(&self, f: Features) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_net_feature(self.raw(), f.0) }
    }

    /// A packet for receiving `len` bytes (`netdev_alloc_skb_ip_align`,
    /// `GFP_ATOMIC`: any context); `ENOMEM`, or `EINVAL` above 64 KiB. In
    /// `poll`, [`Poll::alloc_skb`] is cheaper.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> rkm::Result {
    /// let skb = dev.alloc_skb(1514)?;
    /// # drop(skb); Ok(()) }
    /// ```
    pub fn alloc_skb(&self, len: u32) -> Result<Skb> {
        // SAFETY: as above.
        Skb::from_raw(unsafe { abi::rkm_skb_alloc(self.raw(), len, false) }, len)
    }

    /// Hands a received packet to the stack (`eth_type_trans`, then
    /// `netif_rx`); it is consumed. One shorter than an Ethernet header is
    /// dropped and counted, and so is one received with interrupts off
    /// outside interrupt context (a [`SpinLockIrq`](crate::sync::SpinLockIrq)
    /// held in process context). In `poll`, use [`Poll::receive`].
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>, skb: rkm::net::Skb) {
    /// dev.receive(skb);
    /// # }
    /// ```
    pub fn receive(&self, skb: Skb) {
        // SAFETY: as above; the packet is ours and handed over.
        unsafe { abi::rkm_net_receive(self.raw(), skb.into_raw(), false) }
    }

    /// A handle for process-context work under RTNL.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> rkm::net::RtnlHandle {
    /// dev.rtnl_handle()
    /// # }
    /// ```
    pub fn rtnl_handle(&self) -> RtnlHandle {
        RtnlHandle { h: self.handle() }
    }

    /// A counted handle, for what runs outside the callbacks.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::NetDev<'_>) -> rkm::net::Handle {
    /// dev.handle()
    /// # }
    /// ```
    pub fn handle(&self) -> Handle {
        // SAFETY: a live glue handle.
        unsafe { Handle::new(self.nd) }
    }
}

impl RtnlDev<'_> {
    /// Enables NAPI (`napi_enable`), in `open`; does nothing if enabled or
    /// if the device has no NAPI context. Sleeps.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) {
    /// dev.napi_enable();
    /// # }
    /// ```
    pub fn napi_enable(&self) {
        // SAFETY: a registered device; process context (RtnlDev is made
        // for process-context callbacks only).
        unsafe { abi::rkm_net_napi_enable(self.raw()) }
    }

    /// Disables NAPI (`napi_disable`, waiting for a poll in progress);
    /// does nothing if disabled. Sleeps.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) {
    /// dev.napi_disable();
    /// # }
    /// ```
    pub fn napi_disable(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_napi_disable(self.raw()) }
    }

    /// Stops the queue and waits for a `start_xmit` in progress on another
    /// CPU (`netif_tx_disable`): once it returns `true`, no `start_xmit`
    /// runs until the queue is started or woken. A driver that writes its
    /// device's tail after releasing its ring lock calls it before taking
    /// the ring down, as `e1000_down` does. Where waiting is not allowed (a
    /// spinlock held, which `start_xmit` may be waiting for; interrupts
    /// off) it only stops the queue, as [`stop_queue`](NetDev::stop_queue),
    /// and returns `false`.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) -> bool {
    /// dev.disable_tx() // true: no transmit in progress
    /// # }
    /// ```
    pub fn disable_tx(&self) -> bool {
        // SAFETY: a registered device, RTNL held; the glue waits only
        // where it may.
        unsafe { abi::rkm_net_tx_disable(self.raw()) }
    }

    /// Nothing is in flight any more, after the transmit ring was cleared
    /// (`netdev_reset_queue`: the byte queue limits start over, as after
    /// C's e1000_down). It waits for a `start_xmit` in progress, whose byte
    /// count a reset beside it would lose; where waiting is not allowed (as
    /// [`disable_tx`](Self::disable_tx)) what was in flight counts as
    /// completed instead, and the limit the queue learnt stays.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) {
    /// dev.reset_queue();
    /// # }
    /// ```
    pub fn reset_queue(&self) {
        // SAFETY: a registered device, RTNL held; the glue waits only
        // where it may.
        unsafe { abi::rkm_net_reset_queue(self.raw()) }
    }

    /// Sets the MAC address (as read from an EEPROM after a reset);
    /// `EINVAL` unless a valid unicast address.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) -> rkm::Result {
    /// dev.set_mac(&[0x02, 0, 0, 0, 0, 1])?;
    /// # Ok(()) }
    /// ```
    pub fn set_mac(&self, mac: &[u8; ETH_ALEN]) -> Result {
        // SAFETY: a registered device, RTNL held; `mac` has ETH_ALEN bytes.
        to_result(unsafe { abi::rkm_net_set_mac(self.raw(), mac.as_ptr()) })
    }

    /// The interface name (`eth0`), into `buf`; the bytes written.
    ///
    /// ```
    /// # fn f(dev: &rkm::net::RtnlDev<'_>) -> bool {
    /// let mut buf = [0; rkm::net::MAX_NAME + 1];
    /// dev.name(&mut buf).starts_with("eth")
    /// # }
    /// ```
    pub fn name<'b>(&self, buf: &'b mut [u8; MAX_NAME + 1]) -> &'b str {
        // SAFETY: a registered device; `buf` has IFNAMSIZ bytes.
        unsafe { abi::rkm_net_name(self.raw(), buf.as_mut_ptr().cast()) };
        let n = buf.iter().position(|&b| b == 0).unwrap_or(MAX_NAME);
        core::str::from_utf8(&buf[..n]).unwrap_or("")
    }
}

/// A counted handle to a device, usable from any context (an interrupt
/// handler, a timer, another device): it may outlive the device's
/// registration, after which its calls do nothing.
/// ```
/// # fn f(h: &rkm::net::Handle) {
/// h.napi_schedule(); // from the interrupt handler
/// # }
/// ```
///
///
/// # Invariants
///
/// `nd` is a glue handle whose count includes this value.
pub struct Handle {
    nd: NonNull<abi::Netdev>,
}

// SAFETY: the glue handle may be used and dropped from any thread.
unsafe impl Send for Handle {}
// SAFETY: `&Handle` calls only RCU-guarded glue functions.
unsafe impl Sync for Handle {}
// SAFETY: every method is allowed in hard interrupt context (RCU read
// side, napi_schedule, netif_wake_queue, netif_carrier_*).
unsafe impl IrqSafe for Handle {}
// SAFETY: dropping puts a kref; the last put frees the glue handle
// (kfree) and drops a binding reference (put_device).
unsafe impl IrqDrop for Handle {}

impl Handle {
    /// # Safety
    ///
    /// `nd` is a live glue handle.
    unsafe fn new(nd: NonNull<abi::Netdev>) -> Self {
        // SAFETY: live (the caller's contract).
        unsafe { abi::rkm_net_get(nd.as_ptr()) };
        // INVARIANT: we took the reference the handle owns.
        Handle { nd }
    }

    /// Schedules the device's NAPI poll (`napi_schedule`), from the
    /// interrupt handler; false if it was already scheduled, is disabled,
    /// or the device is gone.
    ///
    /// ```
    /// # fn f(h: &rkm::net::Handle) -> bool {
    /// h.napi_schedule()
    /// # }
    /// ```
    pub fn napi_schedule(&self) -> bool {
        // SAFETY: a counted handle (type invariant).
        unsafe { abi::rkm_net_h_napi_schedule(self.nd.as_ptr()) }
    }

    /// Wakes the transmit queue (`netif_wake_queue`).
    ///
    /// ```
    /// # fn f(h: &rkm::net::Handle) {
    /// h.wake_queue();
    /// # }
    /// ```
    pub fn wake_queue(&self) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_h_queue_wake(self.nd.as_ptr()) }
    }

    /// Sets the carrier (link watch work).
    ///
    /// ```
    /// # fn f(h: &rkm::net::Handle) {
    /// h.set_carrier(true); // link watch: the PHY says up
    /// # }
    /// ```
    pub fn set_carrier(&self, on: bool) {
        // SAFETY: as above.
        unsafe { abi::rkm_net_h_carrier(self.nd.as_ptr(), on) }
    }
}

/// A counted handle for process context: runs code on the device under
/// RTNL, as its process-context callbacks run (a reset work item after
/// [`Operations::tx_timeout`]: stop, reinitialise rings, start again).
/// Not [`IrqSafe`]: taking RTNL sleeps.
///
/// ```
/// # fn f(h: &rkm::net::RtnlHandle) {
/// let mtu = h.with_rtnl(|dev| dev.mtu()); // None once unregistered
/// # let _ = mtu; }
/// ```
pub struct RtnlHandle {
    h: Handle,
}

impl RtnlHandle {
    /// Takes RTNL and, if the device is still registered, calls `f` with
    /// it (`None` otherwise, and in atomic context: an atomic callback, a
    /// spinlock held, interrupts off). Process context; never from the
    /// device's own callbacks, or with RTNL held (a deadlock).
    ///
    /// ```
    /// # fn f(h: &rkm::net::RtnlHandle) {
    /// h.with_rtnl(|dev| {
    ///     dev.napi_disable();
    ///     // ... reset the device, refill the rings ...
    ///     dev.napi_enable();
    /// });
    /// # }
    /// ```
    pub fn with_rtnl<R>(&self, f: impl FnOnce(&RtnlDev<'_>) -> R) -> Option<R> {
        // SAFETY: a counted glue handle (Handle's invariant).
        if !unsafe { abi::rkm_net_h_rtnl_lock(self.h.nd.as_ptr()) } {
            return None;
        }
        // INVARIANT: registered while RTNL is held (unregistration clears
        // `live` before it takes RTNL), process context.
        let dev = RtnlDev { dev: NetDev { nd: self.h.nd, _call: PhantomData } };
        let r = f(&dev);
        // SAFETY: we hold RTNL (taken above).
        unsafe { abi::rkm_net_rtnl_unlock() };
        Some(r)
    }
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        // SAFETY: live (our reference).
        unsafe { Handle::new(self.nd) }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the reference this value owns.
        unsafe { abi::rkm_net_put(self.nd.as_ptr()) }
    }
}

/// A counted handle that also reaches the registration's state `T`: for
/// an interrupt handler or a timer (through [`Driver::Hw`]) and, through
/// [`rtnl`](OpsHandle::rtnl), for a work item, where no callback of the
/// device gives `&T`. Made from the [`Registration`] only, so `T` is the
/// state's own type.
///
/// [`Driver::Hw`]: crate::driver::Driver::Hw
///
/// ```
/// # use rkm::net::{NetDev, OpsHandle, Operations};
/// # fn f<T: Operations>(h: &OpsHandle<T>, irq: impl Fn(&T, &NetDev<'_>) -> bool) -> bool {
/// // In the interrupt handler: None once unregistration has begun.
/// h.with(|port, dev| irq(port, dev)).unwrap_or(false)
/// # }
/// ```
///
/// # Soundness
///
/// [`with`](OpsHandle::with) holds the RCU read lock while the device is
/// still registered (the glue's `@live`); unregistration clears `@live` and
/// waits for RCU before it unregisters, and [`Registration`]'s drop frees
/// the state only after that: `&T` and the device are valid for the call.
/// `T` is [`IrqSafe`] and the closure runs under RCU: nothing it can reach
/// through `&T` or the [`NetDev`] sleeps, so `OpsHandle` is `IrqSafe`.
/// Taking RTNL sleeps: that is [`RtnlOpsHandle`], which is not.
///
/// # Invariants
///
/// `h` is a handle of a registration whose state is a `State<T>`.
pub struct OpsHandle<T: Operations> {
    h: Handle,
    _t: PhantomData<fn() -> T>,
}

// SAFETY: `&OpsHandle` gives `&T` under RCU (T: IrqSafe, never sleeping)
// and the Handle (IrqSafe); see the soundness notes.
unsafe impl<T: Operations> IrqSafe for OpsHandle<T> {}
// SAFETY: dropping drops a Handle (IrqDrop).
unsafe impl<T: Operations> IrqDrop for OpsHandle<T> {}

impl<T: Operations> OpsHandle<T> {
    /// Calls `f` with the state and the device if the device is still
    /// registered (`None` otherwise), under RCU: `f` must not sleep (it
    /// reaches nothing that does). Any context.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(h: &rkm::net::OpsHandle<T>) {
    /// let up = h.with(|_state, dev| dev.carrier_ok());
    /// # let _ = up; }
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T, &NetDev<'_>) -> R) -> Option<R> {
        // SAFETY: a counted glue handle (Handle's invariant).
        let data = unsafe { abi::rkm_net_h_rcu_data(self.h.nd.as_ptr()) };
        if data.is_null() {
            return None;
        }
        // SAFETY: the State<T> (type invariant), live while we hold the RCU
        // read lock the glue took (see the soundness notes).
        let s = unsafe { &*data.cast::<State<T>>() };
        // INVARIANT: registered until we drop the read lock.
        let dev = NetDev { nd: self.h.nd, _call: PhantomData };
        let r = f(&s.ops, &dev);
        // SAFETY: the read lock rkm_net_h_rcu_data took.
        unsafe { abi::rkm_net_h_rcu_unlock() };
        Some(r)
    }

    /// The untyped handle (NAPI scheduling, queue wake, carrier).
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(h: &rkm::net::OpsHandle<T>) {
    /// h.handle().napi_schedule();
    /// # }
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.h
    }

    /// A handle for process-context work under RTNL (any context may make
    /// one; only process context may use it).
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(h: &rkm::net::OpsHandle<T>) -> rkm::net::RtnlOpsHandle<T> {
    /// h.rtnl()
    /// # }
    /// ```
    pub fn rtnl(&self) -> RtnlOpsHandle<T> {
        // INVARIANT: the same registration's handle.
        RtnlOpsHandle { h: RtnlHandle { h: self.h.clone() }, _t: PhantomData }
    }
}

/// An [`OpsHandle`] for process context: runs code under RTNL with the
/// device, its state and its process-context data, as its process-context
/// callbacks run (a reset work item after [`Operations::tx_timeout`]).
/// Not [`IrqSafe`]: taking RTNL sleeps.
///
/// ```
/// # fn f<T: rkm::net::Operations>(h: &rkm::net::RtnlOpsHandle<T>) {
/// let r = h.with_rtnl(|dev, _state, _data| dev.mtu()); // None once unregistered
/// # let _ = r; }
/// ```
///
/// # Invariants
///
/// As [`OpsHandle`]'s.
pub struct RtnlOpsHandle<T: Operations> {
    h: RtnlHandle,
    _t: PhantomData<fn() -> T>,
}

impl<T: Operations> RtnlOpsHandle<T> {
    /// Takes RTNL and, if the device is still registered, calls `f` with
    /// it, its state and data (`None` otherwise). Process context; never
    /// from the device's own callbacks or with RTNL held (a deadlock).
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(h: &rkm::net::RtnlOpsHandle<T>) {
    /// h.with_rtnl(|dev, _state, _data| {
    ///     dev.napi_disable();
    ///     dev.napi_enable();
    /// });
    /// # }
    /// ```
    pub fn with_rtnl<R>(&self, f: impl FnOnce(&RtnlDev<'_>, &T, &T::Data) -> R) -> Option<R> {
        self.h.with_rtnl(|dev| {
            // SAFETY: registered while RTNL is held (RtnlHandle::with_rtnl:
            // unregistration clears `live` before it takes RTNL, and frees
            // the state after), so the State<T> (type invariant) is live.
            let s = unsafe { &*abi::rkm_net_h_data(dev.nd.as_ptr()).cast::<State<T>>() };
            f(dev, &s.ops, &s.data)
        })
    }
}

/// What the glue's callbacks reach: the driver's state.
struct State<T: Operations> {
    ops: T,
    data: T::Data,
}

/// A registered Ethernet device; dropping it unregisters it (closing it
/// first: `stop` runs), waiting for its callbacks, then drops the state.
/// Process context; not from the device's own callbacks (a deadlock on
/// RTNL).
/// ```
/// # fn f<T: rkm::net::Operations>(reg: rkm::net::Registration<T>) {
/// drop(reg); // unregistered
/// # }
/// ```
///
///
/// # Invariants
///
/// `nd` is the glue handle `rkm_net_register` returned for `state`, whose
/// callbacks use `*state` until `rkm_net_unregister` returns.
pub struct Registration<T: Operations> {
    nd: NonNull<abi::Netdev>,
    state: NonNull<State<T>>,
}

// SAFETY: unregistering may happen on any thread; T and T::Data are Send + Sync.
unsafe impl<T: Operations> Send for Registration<T> {}
// SAFETY: `&Registration` gives `&T`, `&T::Data` (Sync) and handles.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Allocates an Ethernet device whose parent is `dev`, with `opts`,
    /// and registers it (callbacks may run before this returns).
    /// `EINVAL` for a bad name, MAC, MTU range, NAPI weight, or too many
    /// [`Operations::STATS`]; `EEXIST` if the name is taken; `ENOMEM`.
    /// Process context.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations<Data = ()>>(
    /// #     dev: &impl rkm::device::DeviceContext,
    /// #     ops: T,
    /// # ) -> rkm::Result<rkm::net::Registration<T>> {
    /// let opts = rkm::net::Options { name: "eth%d", max_mtu: 9000, ..Default::default() };
    /// let reg = rkm::net::Registration::register(dev, &opts, ops, ())?;
    /// # Ok(reg) }
    /// ```
    pub fn register(
        dev: &impl DeviceContext,
        opts: &Options<'_>,
        ops: T,
        data: T::Data,
    ) -> Result<Self> {
        if T::STATS.len() > MAX_STATS || (opts.napi_weight != 0 && !T::HAS_POLL) {
            return Err(EINVAL);
        }
        let state = KBox::try_new(State { ops, data })?;
        let desc = abi::NetdevDesc {
            name: opts.name.as_ptr().cast(),
            name_len: opts.name.len(),
            mac: opts.mac.unwrap_or([0; ETH_ALEN]),
            min_mtu: opts.min_mtu,
            max_mtu: opts.max_mtu,
            mtu: opts.mtu,
            napi_weight: opts.napi_weight,
            n_stats: T::STATS.len() as u32,
            tx_queue_len: opts.tx_queue_len,
            features: opts.features.0,
            hw_features: opts.hw_features.0,
        };
        let state = KBox::leak(state);
        let mut err: c_int = 0;
        // SAFETY: a live binding (DeviceContext's contract); the descriptor
        // is read during the call; the ops are static and `state` lives
        // until we free it after rkm_net_unregister (or never, if leaked).
        let nd = unsafe {
            abi::rkm_net_register(
                dev.binding(),
                &desc,
                &Trampolines::<T>::OPS,
                state.as_ptr().cast::<c_void>().cast_const(),
                &mut err,
            )
        };
        let Some(nd) = NonNull::new(nd) else {
            // SAFETY: not registered: nothing else has the pointer.
            drop(unsafe { KBox::from_raw(state) });
            return Err(Error::from_kernel(err));
        };
        Ok(Registration { nd, state })
    }

    /// The driver's state.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(reg: &rkm::net::Registration<T>) {
    /// let _state: &T = reg.ops();
    /// # }
    /// ```
    pub fn ops(&self) -> &T {
        // SAFETY: live until drop (type invariant).
        unsafe { &self.state.as_ref().ops }
    }

    /// The process-context state.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(reg: &rkm::net::Registration<T>) {
    /// let _data: &T::Data = reg.data();
    /// # }
    /// ```
    pub fn data(&self) -> &T::Data {
        // SAFETY: as above.
        unsafe { &self.state.as_ref().data }
    }

    /// A counted handle to the device.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(reg: &rkm::net::Registration<T>) -> rkm::net::Handle {
    /// reg.handle()
    /// # }
    /// ```
    pub fn handle(&self) -> Handle {
        // SAFETY: our registration's live glue handle.
        unsafe { Handle::new(self.nd) }
    }
}

impl<T: Operations> Registration<T> {
    /// A counted handle that reaches the state too ([`OpsHandle`]).
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(reg: &rkm::net::Registration<T>) -> rkm::net::OpsHandle<T> {
    /// reg.ops_handle()
    /// # }
    /// ```
    pub fn ops_handle(&self) -> OpsHandle<T> {
        // INVARIANT: our registration's handle; its state is a State<T>.
        OpsHandle { h: self.handle(), _t: PhantomData }
    }

    /// A handle for process-context work under RTNL.
    ///
    /// ```
    /// # fn f<T: rkm::net::Operations>(reg: &rkm::net::Registration<T>) -> rkm::net::RtnlHandle {
    /// reg.rtnl_handle()
    /// # }
    /// ```
    pub fn rtnl_handle(&self) -> RtnlHandle {
        RtnlHandle { h: self.handle() }
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once; no callback runs
        // after this returns.
        unsafe { abi::rkm_net_unregister(self.nd.as_ptr()) };
        // SAFETY: the box `register` leaked, no longer used by the glue.
        drop(unsafe { KBox::from_raw(self.state) });
    }
}

/// The C callbacks for `T`.
struct Trampolines<T>(PhantomData<T>);

impl<T: Operations> Trampolines<T> {
    const OPS: abi::NetOps = abi::NetOps {
        open: Some(Self::open),
        stop: Some(Self::stop),
        start_xmit: Some(Self::start_xmit),
        get_stats64: if T::HAS_GET_STATS64 { Some(Self::get_stats64) } else { None },
        set_mac_address: if T::HAS_SET_MAC_ADDRESS { Some(Self::set_mac_address) } else { None },
        change_mtu: if T::HAS_CHANGE_MTU { Some(Self::change_mtu) } else { None },
        tx_timeout: if T::HAS_TX_TIMEOUT { Some(Self::tx_timeout) } else { None },
        set_rx_mode: if T::HAS_SET_RX_MODE { Some(Self::set_rx_mode) } else { None },
        poll: if T::HAS_POLL { Some(Self::poll) } else { None },
        get_link: if T::HAS_GET_LINK { Some(Self::get_link) } else { None },
        get_ringparam: if T::HAS_GET_RINGPARAM { Some(Self::get_ringparam) } else { None },
        set_ringparam: if T::HAS_SET_RINGPARAM { Some(Self::set_ringparam) } else { None },
        get_ethtool_stats: if T::HAS_GET_ETHTOOL_STATS {
            Some(Self::get_ethtool_stats)
        } else {
            None
        },
        stat_name: Some(Self::stat_name),
        get_link_speed: if T::HAS_GET_LINK_SPEED { Some(Self::get_link_speed) } else { None },
        get_eeprom_len: if T::HAS_GET_EEPROM_LEN { Some(Self::get_eeprom_len) } else { None },
        get_eeprom: if T::HAS_GET_EEPROM { Some(Self::get_eeprom) } else { None },
        get_link_modes: if T::HAS_GET_LINK_MODES { Some(Self::get_link_modes) } else { None },
        get_wol: if T::HAS_GET_WOL { Some(Self::get_wol) } else { None },
        set_wol: if T::HAS_SET_WOL { Some(Self::set_wol) } else { None },
        get_msglevel: if T::HAS_GET_MSGLEVEL { Some(Self::get_msglevel) } else { None },
        set_msglevel: if T::HAS_SET_MSGLEVEL { Some(Self::set_msglevel) } else { None },
        nway_reset: if T::HAS_NWAY_RESET { Some(Self::nway_reset) } else { None },
    };

    /// # Safety
    ///
    /// `data` is the state of a registration of `T`, and a callback of it
    /// is running.
    unsafe fn state<'a>(data: *const c_void) -> &'a State<T> {
        // SAFETY: the caller's contract: live until unregistration ends.
        unsafe { &*data.cast::<State<T>>() }
    }

    /// # Safety
    ///
    /// `nd` is the glue handle of the device whose callback is running.
    unsafe fn dev<'a>(nd: *mut abi::Netdev) -> NetDev<'a> {
        // INVARIANT: registered for the callback (the caller's contract).
        NetDev { nd: NonNull::new(nd).unwrap_or(NonNull::dangling()), _call: PhantomData }
    }

    /// # Safety
    ///
    /// As [`Self::dev`], from a process-context callback under RTNL.
    unsafe fn rtnl<'a>(nd: *mut abi::Netdev) -> RtnlDev<'a> {
        // SAFETY: the caller's contract.
        RtnlDev { dev: unsafe { Self::dev(nd) } }
    }

    extern "C" fn open(data: *const c_void, nd: *mut abi::Netdev) -> c_int {
        // SAFETY: the glue calls it for our registration, in ndo_open.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        match s.ops.open(&dev, &s.data) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn stop(data: *const c_void, nd: *mut abi::Netdev) {
        // SAFETY: as above, in ndo_stop.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        s.ops.stop(&dev, &s.data)
    }

    extern "C" fn start_xmit(
        data: *const c_void,
        nd: *mut abi::Netdev,
        skb: *mut abi::Skb,
    ) -> c_int {
        // SAFETY: as above, in ndo_start_xmit (atomic: a NetDev only).
        let (s, dev) = unsafe { (Self::state(data), Self::dev(nd)) };
        // INVARIANT: ndo_start_xmit, under the queue's transmit lock.
        let dev = Xmit { dev };
        // SAFETY: the stack hands us this packet to own.
        let given = unsafe { Skb::from_owned(skb) };
        match s.ops.start_xmit(&dev, given) {
            Tx::Sent => abi::NET_TX_OK,
            Tx::Busy(back) => {
                let back = back.into_raw();
                if back == skb {
                    // Back to the stack: it still owns it on NETDEV_TX_BUSY.
                    return abi::NET_TX_BUSY;
                }
                // Soundness: `Busy` with another packet than the one handed
                // in (one kept from an earlier call): on NETDEV_TX_BUSY the
                // stack would take back the one it gave, which the driver
                // kept (two owners). The driver took that one: sent; the
                // other, ours again, is dropped.
                // SAFETY: the packet we just took out of its Skb.
                drop(unsafe { Skb::from_owned(back) });
                abi::NET_TX_OK
            }
        }
    }

    extern "C" fn get_stats64(data: *const c_void, nd: *mut abi::Netdev, out: *mut abi::NetStats) {
        // SAFETY: as above.
        let (s, dev) = unsafe { (Self::state(data), Self::dev(nd)) };
        let mut st = Stats::default();
        s.ops.get_stats64(&dev, &mut st);
        let raw = abi::NetStats {
            rx_packets: st.rx_packets,
            tx_packets: st.tx_packets,
            rx_bytes: st.rx_bytes,
            tx_bytes: st.tx_bytes,
            rx_errors: st.rx_errors,
            tx_errors: st.tx_errors,
            rx_dropped: st.rx_dropped,
            tx_dropped: st.tx_dropped,
            multicast: st.multicast,
            collisions: st.collisions,
            rx_length_errors: st.rx_length_errors,
            rx_over_errors: st.rx_over_errors,
            rx_crc_errors: st.rx_crc_errors,
            rx_frame_errors: st.rx_frame_errors,
            rx_fifo_errors: st.rx_fifo_errors,
            rx_missed_errors: st.rx_missed_errors,
            tx_aborted_errors: st.tx_aborted_errors,
            tx_carrier_errors: st.tx_carrier_errors,
            tx_fifo_errors: st.tx_fifo_errors,
        };
        // SAFETY: the glue's live, writable struct.
        unsafe { out.write(raw) };
    }

    extern "C" fn set_mac_address(
        data: *const c_void,
        nd: *mut abi::Netdev,
        mac: *const u8,
    ) -> c_int {
        // SAFETY: as above, under RTNL; `mac` is ETH_ALEN readable bytes.
        let (s, dev, mac) =
            unsafe { (Self::state(data), Self::rtnl(nd), &*mac.cast::<[u8; ETH_ALEN]>()) };
        match s.ops.set_mac_address(&dev, &s.data, mac) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn change_mtu(data: *const c_void, nd: *mut abi::Netdev, mtu: u32) -> c_int {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        match s.ops.change_mtu(&dev, &s.data, mtu) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn tx_timeout(data: *const c_void, nd: *mut abi::Netdev, queue: u32) {
        // SAFETY: as above (atomic).
        let (s, dev) = unsafe { (Self::state(data), Self::dev(nd)) };
        s.ops.tx_timeout(&dev, queue)
    }

    extern "C" fn set_rx_mode(
        data: *const c_void,
        nd: *mut abi::Netdev,
        flags: u32,
        mc: *const u8,
        n: usize,
    ) {
        // SAFETY: as above (atomic).
        let (s, dev) = unsafe { (Self::state(data), Self::dev(nd)) };
        let mc: &[[u8; ETH_ALEN]] = if mc.is_null() || n == 0 {
            &[]
        } else {
            // SAFETY: the glue's copy of `n` addresses, live for the call.
            unsafe { core::slice::from_raw_parts(mc.cast::<[u8; ETH_ALEN]>(), n) }
        };
        s.ops.set_rx_mode(&dev, &RxMode { flags, mc })
    }

    extern "C" fn poll(data: *const c_void, nd: *mut abi::Netdev, budget: c_int) -> c_int {
        // SAFETY: as above, from the NAPI poll (softirq).
        let (s, dev) = unsafe { (Self::state(data), Self::dev(nd)) };
        let budget = budget.max(0) as u32;
        let mut napi = Poll::new(dev, budget);
        let work = s.ops.poll(&mut napi);
        // Soundness: below the budget NAPI must be completed, else it stays
        // scheduled on no poll list: never polled again, and napi_disable()
        // (close, unregistration) waits for ever. Completed here if the
        // driver did not (its interrupt stays as it left it).
        if napi.completed().is_none() && work < budget {
            napi.complete(work);
        }
        // Once completed, the work reported is the work completed with.
        napi.completed().unwrap_or(work.min(budget)) as c_int
    }

    extern "C" fn get_link(data: *const c_void, nd: *mut abi::Netdev) -> u32 {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        u32::from(s.ops.get_link(&dev, &s.data))
    }

    extern "C" fn get_ringparam(data: *const c_void, nd: *mut abi::Netdev, out: *mut abi::NetRing) {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        let r = s.ops.get_ringparam(&dev, &s.data);
        // SAFETY: the glue's live, writable struct.
        unsafe { out.write(r.raw()) };
    }

    extern "C" fn set_ringparam(
        data: *const c_void,
        nd: *mut abi::Netdev,
        r: *const abi::NetRing,
    ) -> c_int {
        // SAFETY: as above, under RTNL; `r` is the glue's live struct.
        let (s, dev, r) = unsafe { (Self::state(data), Self::rtnl(nd), &*r) };
        match s.ops.set_ringparam(&dev, &s.data, Ring::from_raw(r)) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn get_ethtool_stats(
        data: *const c_void,
        nd: *mut abi::Netdev,
        vals: *mut u64,
        n: usize,
    ) {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        if vals.is_null() {
            return;
        }
        // SAFETY: the glue's zeroed array of n (= STATS.len()) values, ours for the call.
        let vals = unsafe { core::slice::from_raw_parts_mut(vals, n) };
        s.ops.get_ethtool_stats(&dev, &s.data, vals)
    }

    extern "C" fn get_eeprom_len(data: *const c_void, nd: *mut abi::Netdev) -> u32 {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        s.ops.get_eeprom_len(&dev, &s.data)
    }

    extern "C" fn get_eeprom(
        data: *const c_void,
        nd: *mut abi::Netdev,
        offset: u32,
        buf: *mut u8,
        len: usize,
        magic: *mut u32,
    ) -> c_int {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        if buf.is_null() || magic.is_null() {
            return EINVAL.to_errno();
        }
        // SAFETY: the ethtool core's buffer of `len` bytes, ours for the
        // call (the glue checked offset and len against the size).
        let buf = unsafe { core::slice::from_raw_parts_mut(buf, len) };
        match s.ops.get_eeprom(&dev, &s.data, offset, buf) {
            Ok(m) => {
                // SAFETY: the glue's live, writable value.
                unsafe { magic.write(m) };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn get_link_modes(
        data: *const c_void,
        nd: *mut abi::Netdev,
        out: *mut abi::NetLinkModes,
    ) {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        let m = s.ops.get_link_modes(&dev, &s.data).raw();
        if !out.is_null() {
            // SAFETY: the glue's live, writable value.
            unsafe { out.write(m) };
        }
    }

    extern "C" fn get_wol(
        data: *const c_void,
        nd: *mut abi::Netdev,
        supported: *mut u32,
        enabled: *mut u32,
    ) {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        let (can, on) = s.ops.get_wol(&dev, &s.data);
        if !supported.is_null() && !enabled.is_null() {
            // SAFETY: the glue's live, writable values.
            unsafe {
                supported.write(can.0);
                enabled.write(on.0);
            }
        }
    }

    extern "C" fn set_wol(data: *const c_void, nd: *mut abi::Netdev, events: u32) -> c_int {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        match s.ops.set_wol(&dev, &s.data, Wake(events)) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn get_msglevel(data: *const c_void, nd: *mut abi::Netdev) -> u32 {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        s.ops.get_msglevel(&dev, &s.data)
    }

    extern "C" fn set_msglevel(data: *const c_void, nd: *mut abi::Netdev, level: u32) {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        s.ops.set_msglevel(&dev, &s.data, level)
    }

    extern "C" fn nway_reset(data: *const c_void, nd: *mut abi::Netdev) -> c_int {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        match s.ops.nway_reset(&dev, &s.data) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn get_link_speed(
        data: *const c_void,
        nd: *mut abi::Netdev,
        speed: *mut u32,
        full: *mut bool,
    ) -> bool {
        // SAFETY: as above, under RTNL.
        let (s, dev) = unsafe { (Self::state(data), Self::rtnl(nd)) };
        let Some(l) = s.ops.get_link_speed(&dev, &s.data) else {
            return false;
        };
        // SAFETY: the glue's live, writable values.
        unsafe {
            speed.write(l.mbps);
            full.write(l.full_duplex);
        }
        true
    }

    extern "C" fn stat_name(idx: u32, buf: *mut c_char) {
        let Some(name) = T::STATS.get(idx as usize) else {
            return;
        };
        let n = name.len().min(MAX_STAT_NAME);
        // SAFETY: the glue's zeroed ETH_GSTRING_LEN-byte slot; n < that.
        unsafe { core::ptr::copy_nonoverlapping(name.as_ptr(), buf.cast::<u8>(), n) };
    }
}

#[cfg(rkm_ktest)]
pub(crate) use skb::ktests;
#[cfg(rkm_ktest)]
pub(crate) mod hostile_ktests;
