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
