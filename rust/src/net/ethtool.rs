// SPDX-License-Identifier: GPL-2.0
//! ethtool's ring parameters (`ethtool -g`/`-G`). Driver information
//! (`ethtool -i`) is the glue's: the module's name, the kernel release and
//! the parent device's name; statistics are [`Operations::STATS`](super::Operations::STATS).

use crate::abi;

/// Ring sizes: the maxima, and the current sizes (at most the maxima: the
/// glue caps what it reports, and the core refuses more on a set).
///
/// ```
/// let r = rkm::net::Ring { rx_max: 4096, tx_max: 4096, rx: 256, tx: 256 };
/// # let _ = r;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    /// The largest receive ring.
    pub rx_max: u32,
    /// The largest transmit ring.
    pub tx_max: u32,
    /// The receive ring's size.
    pub rx: u32,
    /// The transmit ring's size.
    pub tx: u32,
}

impl Ring {
    pub(crate) fn raw(self) -> abi::NetRing {
        abi::NetRing { rx_max: self.rx_max, tx_max: self.tx_max, rx: self.rx, tx: self.tx }
    }

    pub(crate) fn from_raw(r: &abi::NetRing) -> Self {
        Ring { rx_max: r.rx_max, tx_max: r.tx_max, rx: r.rx, tx: r.tx }
    }
}

/// The link's speed and duplex (`ethtool DEV`), from
/// [`Operations::get_link_speed`](super::Operations::get_link_speed).
///
/// ```
/// let l = rkm::net::LinkSpeed { mbps: 1000, full_duplex: true };
/// # let _ = l;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkSpeed {
    /// Mb/s.
    pub mbps: u32,
    /// Full duplex (else half).
    pub full_duplex: bool,
}

/// Link modes: ethtool's legacy `SUPPORTED_*`/`ADVERTISED_*` bits (uapi),
/// for [`LinkModes`].
///
/// ```
/// use rkm::net::Modes;
/// let m = Modes::M100_FULL | Modes::AUTONEG | Modes::TP;
/// assert!(m.contains(Modes::TP));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modes(pub(crate) u32);

impl Modes {
    /// 10BASE-T, half duplex.
    pub const M10_HALF: Modes = Modes(1 << 0);
    /// 10BASE-T, full duplex.
    pub const M10_FULL: Modes = Modes(1 << 1);
    /// 100BASE-T, half duplex.
    pub const M100_HALF: Modes = Modes(1 << 2);
    /// 100BASE-T, full duplex.
    pub const M100_FULL: Modes = Modes(1 << 3);
    /// 1000BASE-T, half duplex.
    pub const M1000_HALF: Modes = Modes(1 << 4);
    /// 1000BASE-T, full duplex.
    pub const M1000_FULL: Modes = Modes(1 << 5);
    /// Auto-negotiation.
    pub const AUTONEG: Modes = Modes(1 << 6);
    /// A twisted-pair port.
    pub const TP: Modes = Modes(1 << 7);
    /// A fibre port.
    pub const FIBRE: Modes = Modes(1 << 10);
    /// No mode.
    pub const NONE: Modes = Modes(0);
}

super::bit_set!(Modes);

/// The port as `ethtool DEV` shows it, from
/// [`Operations::get_link_modes`](super::Operations::get_link_modes).
///
/// ```
/// use rkm::net::{LinkModes, Modes};
/// let all = Modes::M100_FULL | Modes::M1000_FULL | Modes::AUTONEG | Modes::TP;
/// let m = LinkModes {
///     supported: all,
///     advertised: all,
///     autoneg: true,
///     phy_address: 0,
///     mdix: Some(false),
///     mdix_auto: true,
/// };
/// # let _ = m;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkModes {
    /// What the port can do (a fibre port: [`Modes::FIBRE`]; else twisted
    /// pair).
    pub supported: Modes,
    /// What it offers its link partner.
    pub advertised: Modes,
    /// Auto-negotiation is on.
    pub autoneg: bool,
    /// The PHY's MDIO address (PHYAD).
    pub phy_address: u8,
    /// The crossover in use (MDI-X: `true`), if known; shown only while
    /// the carrier is on.
    pub mdix: Option<bool>,
    /// The crossover is chosen automatically.
    pub mdix_auto: bool,
}

impl LinkModes {
    pub(crate) fn raw(self) -> abi::NetLinkModes {
        abi::NetLinkModes {
            supported: self.supported.0,
            advertised: self.advertised.0,
            autoneg: self.autoneg.into(),
            phy_address: self.phy_address,
            mdix_auto: self.mdix_auto.into(),
            mdix: self.mdix.map_or(-1, i8::from),
        }
    }
}

/// Wake-on-LAN events: ethtool's `WAKE_*` bits (uapi), for
/// [`Operations::get_wol`](super::Operations::get_wol).
///
/// ```
/// use rkm::net::Wake;
/// let w = Wake::MAGIC | Wake::UNICAST;
/// assert!(w.contains(Wake::MAGIC) && w != Wake::NONE);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wake(pub(crate) u32);

impl Wake {
    /// A frame to the device's unicast address.
    pub const UNICAST: Wake = Wake(1 << 1);
    /// A multicast frame.
    pub const MULTICAST: Wake = Wake(1 << 2);
    /// A broadcast frame.
    pub const BROADCAST: Wake = Wake(1 << 3);
    /// A magic packet.
    pub const MAGIC: Wake = Wake(1 << 5);
    /// No event.
    pub const NONE: Wake = Wake(0);
}

super::bit_set!(Wake);

/// Message-level bits (`NETIF_MSG_*`, uapi-stable): a driver's messages
/// about itself, its probe, and its link, as
/// [`Operations::get_msglevel`](super::Operations::get_msglevel) reports
/// them.
///
/// ```
/// let level = rkm::net::MSG_DRV | rkm::net::MSG_PROBE | rkm::net::MSG_LINK;
/// assert_eq!(level, 7);
/// ```
pub const MSG_DRV: u32 = 1 << 0;
/// Probe messages (see [`MSG_DRV`]).
pub const MSG_PROBE: u32 = 1 << 1;
/// Link messages (see [`MSG_DRV`]).
pub const MSG_LINK: u32 = 1 << 2;
