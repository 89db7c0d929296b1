// SPDX-License-Identifier: GPL-2.0
//! The 82540EM's registers, bits and legacy descriptors that rust_e1000
//! uses, named as in the kernel's drivers/net/ethernet/intel/e1000/e1000_hw.h
//! (`E1000_` dropped), and the few register sequences around them.

use rkm::io::Bar;
use rkm::prelude::*;

/// BAR 0: the memory-mapped registers (128 KiB).
pub const BAR_SIZE: usize = 0x20000;

// Registers.
pub const CTRL: usize = 0x00000;
pub const STATUS: usize = 0x00008;
pub const EECD: usize = 0x00010;
pub const EERD: usize = 0x00014;
pub const MDIC: usize = 0x00020;
pub const ICR: usize = 0x000C0;
pub const ICS: usize = 0x000C8;
pub const IMS: usize = 0x000D0;
pub const IMC: usize = 0x000D8;
pub const RCTL: usize = 0x00100;
pub const TCTL: usize = 0x00400;
pub const TIPG: usize = 0x00410;
pub const RDBAL: usize = 0x02800;
pub const RDBAH: usize = 0x02804;
pub const RDLEN: usize = 0x02808;
pub const RDH: usize = 0x02810;
pub const RDT: usize = 0x02818;
pub const TDBAL: usize = 0x03800;
pub const TDBAH: usize = 0x03804;
pub const TDLEN: usize = 0x03808;
pub const TDH: usize = 0x03810;
pub const TDT: usize = 0x03818;
pub const ITR: usize = 0x000C4;
pub const RDTR: usize = 0x02820;
pub const RADV: usize = 0x0282C;
pub const TIDV: usize = 0x03820;
pub const TADV: usize = 0x0382C;
/// The multicast table array: 128 registers of 32 hash bits.
pub const RXCSUM: usize = 0x05000;
pub const MTA: usize = 0x05200;
pub const MTA_REGS: usize = 128;
/// Receive address 0: low and high halves (E1000_RA).
pub const RAL0: usize = 0x05400;
pub const RAH0: usize = 0x05404;
pub const RAH_AV: u32 = 0x8000_0000;

/// The statistics registers (clear on read) e1000_update_stats folds
/// into the device's counters, indexed by the constants of [`stat`].
pub const STAT_REGS: [usize; 12] = [
    0x04000, // CRCERRS
    0x04004, // ALGNERRC
    0x0400C, // RXERRC
    0x040A4, // RUC: undersize
    0x040AC, // ROC: oversize
    0x0403C, // CEXTERR
    0x04010, // MPC: missed, no receive buffer
    0x0407C, // MPRC: multicast received
    0x04028, // COLC
    0x04018, // ECOL
    0x04020, // LATECOL
    0x04034, // TNCRS
];

/// Indices into [`STAT_REGS`].
pub mod stat {
    pub const CRCERRS: usize = 0;
    pub const ALGNERRC: usize = 1;
    pub const RXERRC: usize = 2;
    pub const RUC: usize = 3;
    pub const ROC: usize = 4;
    pub const CEXTERR: usize = 5;
    pub const MPC: usize = 6;
    pub const MPRC: usize = 7;
    pub const COLC: usize = 8;
    pub const ECOL: usize = 9;
    pub const LATECOL: usize = 10;
    pub const TNCRS: usize = 11;
}

// CTRL and STATUS.
pub const CTRL_ASDE: u32 = 0x0000_0020;
pub const CTRL_SLU: u32 = 0x0000_0040;
pub const CTRL_RST: u32 = 0x0400_0000;
pub const STATUS_FD: u32 = 0x0000_0001;
pub const STATUS_LU: u32 = 0x0000_0002;
pub const STATUS_SPEED_MASK: u32 = 0x0000_00C0;
pub const STATUS_SPEED_10: u32 = 0x0000_0000;
pub const STATUS_SPEED_100: u32 = 0x0000_0040;

// EERD, the 82540EM's layout (E1000_EERD_*, not the later parts'
// E1000_EEPROM_RW_REG_*): start bit 0, done bit 4, word address in bits
// 15:8, data in bits 31:16.
pub const EERD_START: u32 = 0x0000_0001;
pub const EERD_DONE: u32 = 0x0000_0010;
pub const EERD_ADDR_SHIFT: u32 = 8;
pub const EERD_DATA_SHIFT: u32 = 16;

// EECD: a Microwire EEPROM of 256 words rather than 64 (the 82540's
// e1000_init_eeprom_params).
pub const EECD_SIZE: u32 = 0x0000_0200;

// The EEPROM's words.
pub const EEPROM_NODE_ADDRESS_BYTE_0: u8 = 0;
pub const EEPROM_CHECKSUM_REG: u8 = 0x3F;
/// What words 0..=EEPROM_CHECKSUM_REG add up to in a valid EEPROM.
pub const EEPROM_SUM: u16 = 0xBABA;

// Interrupt causes (ICR, ICS, IMS, IMC share them).
pub const ICR_TXDW: u32 = 0x0000_0001;
pub const ICR_LSC: u32 = 0x0000_0004;
pub const ICR_RXSEQ: u32 = 0x0000_0008;
pub const ICR_RXDMT0: u32 = 0x0000_0010;
pub const ICR_RXT0: u32 = 0x0000_0080;
/// The causes the kernel's e1000 enables (`IMS_ENABLE_MASK`).
pub const IMS_ENABLE_MASK: u32 = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC;

// RCTL: receive on, broadcasts accepted, 2048-byte buffers, CRC stripped.
pub const RCTL_EN: u32 = 0x0000_0002;
/// Unicast and multicast promiscuous; long packets (jumbo frames).
pub const RCTL_UPE: u32 = 0x0000_0008;
pub const RCTL_MPE: u32 = 0x0000_0010;
pub const RCTL_LPE: u32 = 0x0000_0020;
pub const RCTL_BAM: u32 = 0x0000_8000;
/// Buffer sizes: SZ_* alone, or with BSEX (x16) for the large ones.
pub const RCTL_SZ_2048: u32 = 0x0000_0000;
pub const RCTL_SZ_16384: u32 = 0x0001_0000;
pub const RCTL_BSEX: u32 = 0x0200_0000;
pub const RCTL_SECRC: u32 = 0x0400_0000;
/// ITR's value (256 ns units between interrupts) for a rate in interrupts a second.
pub const fn itr(rate: u32) -> u32 {
    match 1_000_000_000u32.checked_div(rate.saturating_mul(256)) {
        Some(v) => v,
        None => 0,
    }
}
/// e1000's default delays (E1000_DEFAULT_RADV, _TIDV, _TADV), 1.024 µs units.
pub const RADV_DEFAULT: u32 = 8;
pub const TIDV_DEFAULT: u32 = 8;
pub const TADV_DEFAULT: u32 = 32;

// TCTL and TIPG (full duplex copper, as e1000_configure_tx).
pub const TCTL_EN: u32 = 0x0000_0002;
pub const TCTL_PSP: u32 = 0x0000_0008;
pub const TCTL_RTLC: u32 = 0x0100_0000;
pub const CT_SHIFT: u32 = 4;
pub const COLD_SHIFT: u32 = 12;
pub const COLLISION_THRESHOLD: u32 = 15;
pub const FDX_COLLISION_DISTANCE: u32 = 63;
pub const DEFAULT_82543_TIPG_IPGT_COPPER: u32 = 8;
pub const DEFAULT_82543_TIPG_IPGR1: u32 = 8;
pub const DEFAULT_82543_TIPG_IPGR2: u32 = 6;
pub const TIPG_IPGR1_SHIFT: u32 = 10;
pub const TIPG_IPGR2_SHIFT: u32 = 20;

/// RXCSUM: TCP/UDP checksums verified on receive (E1000_RXCSUM_TUOFL).
pub const RXCSUM_TUOFL: u32 = 0x0000_0200;

// Descriptor bits: a transmit descriptor's command byte (its bits 24-31)
// and, extended, its type (bits 16-23) and packet options (bits 40-47).
pub const TXD_CMD_EOP: u8 = 0x01;
pub const TXD_CMD_IFCS: u8 = 0x02;
pub const TXD_CMD_RS: u8 = 0x08;
/// Data or context descriptor (not legacy); TCP segmentation; interrupt delay.
pub const TXD_CMD_DEXT: u8 = 0x20;
pub const TXD_CMD_TSE: u8 = 0x04;
pub const TXD_CMD_IDE: u8 = 0x80;
/// A context descriptor's: IPv4 (its checksum too), TCP (else UDP).
pub const TXD_CMD_IP: u8 = 0x02;
pub const TXD_CMD_TCP: u8 = 0x01;
/// The data descriptor type (E1000_TXD_DTYP_D >> 16); a context's is 0.
pub const TXD_DTYP_D: u8 = 0x10;
/// Packet options: insert the IP checksum, the TCP/UDP checksum.
pub const TXD_POPTS_IXSM: u8 = 0x01;
pub const TXD_POPTS_TXSM: u8 = 0x02;
/// The most bytes one descriptor sends (E1000_MAX_DATA_PER_TXD).
pub const MAX_PER_TXD: usize = 1 << 12;
pub const TXD_STAT_DD: u8 = 0x01;
pub const RXD_STAT_DD: u8 = 0x01;
pub const RXD_STAT_EOP: u8 = 0x02;
/// Checksum not looked at; TCP/UDP checksum looked at; it was wrong.
pub const RXD_STAT_IXSM: u8 = 0x04;
pub const RXD_STAT_TCPCS: u8 = 0x20;
pub const RXD_ERR_TCPE: u8 = 0x20;
/// CRC, symbol, sequence, carrier extension and RX data errors (E1000_RXD_ERR_FRAME_ERR_MASK).
pub const RXD_ERR_FRAME_ERR_MASK: u8 = 0x97;

rkm::dma_descriptor! {
    /// Legacy transmit descriptor (`struct e1000_tx_desc`: its `lower` and
    /// `upper` unions as their byte fields).
    pub struct TxDesc {
        /// Address of the data buffer.
        pub buffer_addr: u64,
        /// Data buffer length.
        pub length: u16,
        /// Checksum offset.
        pub cso: u8,
        /// Descriptor control (`TXD_CMD_*`).
        pub cmd: u8,
        /// Descriptor status (`TXD_STAT_*`), written back by the device.
        pub status: u8,
        /// Checksum start.
        pub css: u8,
        pub special: u16,
    }
    /// Legacy receive descriptor (`struct e1000_rx_desc`).
    pub struct RxDesc {
        /// Address of the data buffer.
        pub buffer_addr: u64,
        /// Length of the data DMAed into the buffer.
        pub length: u16,
        /// Packet checksum.
        pub csum: u16,
        /// Descriptor status (`RXD_STAT_*`).
        pub status: u8,
        /// Descriptor errors.
        pub errors: u8,
        pub special: u16,
    }
}

/// TCTL for full duplex, as e1000_configure_tx (enabled, short packets
/// padded, retransmit on late collision).
pub const fn tctl() -> u32 {
    TCTL_EN
        | TCTL_PSP
        | TCTL_RTLC
        | (COLLISION_THRESHOLD << CT_SHIFT)
        | (FDX_COLLISION_DISTANCE << COLD_SHIFT)
}

/// TIPG for copper, as e1000_configure_tx.
pub const fn tipg() -> u32 {
    DEFAULT_82543_TIPG_IPGT_COPPER
        | (DEFAULT_82543_TIPG_IPGR1 << TIPG_IPGR1_SHIFT)
        | (DEFAULT_82543_TIPG_IPGR2 << TIPG_IPGR2_SHIFT)
}

/// The registers.
pub type Regs = Bar<BAR_SIZE>;

/// What a TCP/IP context descriptor (`struct e1000_context_desc`) sets up.
pub struct Context {
    /// IP checksum: start, where it goes, end (0: the packet's end).
    pub ipcss: u8,
    pub ipcso: u8,
    pub ipcse: u16,
    /// TCP/UDP checksum: start, where it goes, end.
    pub tucss: u8,
    pub tucso: u8,
    pub tucse: u16,
    /// TXD_CMD_* of the context (DEXT and RS added by desc()).
    pub cmd: u8,
    /// TSO: payload length (20 bits), header length, segment size.
    pub paylen: u32,
    pub hdr_len: u8,
    pub mss: u16,
}

impl Context {
    /// The context as one word, never 0, to tell a checksum context from
    /// the last one; 0 for any with a field the word leaves out (a TSO
    /// context: its payload length differs from packet to packet).
    pub fn key(&self) -> u64 {
        if self.cmd & TXD_CMD_TSE != 0
            || self.ipcse != 0
            || self.paylen != 0
            || self.hdr_len != 0
            || self.mss != 0
        {
            return 0;
        }
        1 << 63
            | u64::from(self.tucss)
            | u64::from(self.tucso) << 8
            | u64::from(self.tucse) << 16
            | u64::from(self.cmd) << 32
            | u64::from(self.ipcss) << 40
            | u64::from(self.ipcso) << 48
    }

    /// The descriptor, laid over the legacy layout (the same 16 bytes:
    /// lower_setup and upper_setup in the address, cmd_and_length in
    /// length/cso/cmd, tcp_seg_setup in status/css/special). With RS: the
    /// driver reclaims every descriptor by its done bit, this one too.
    /// Out of line: written only when the context changes, it is not
    /// worth its instructions in every packet's path.
    #[inline(never)]
    pub fn desc(&self) -> TxDesc {
        let b = |v: u8, shift: u32| u64::from(v) << shift;
        TxDesc {
            buffer_addr: b(self.ipcss, 0)
                | b(self.ipcso, 8)
                | u64::from(self.ipcse) << 16
                | b(self.tucss, 32)
                | b(self.tucso, 40)
                | u64::from(self.tucse) << 48,
            length: self.paylen as u16,
            cso: (self.paylen >> 16) as u8 & 0x0f,
            cmd: self.cmd | TXD_CMD_DEXT | TXD_CMD_RS,
            status: 0,
            css: self.hdr_len,
            special: self.mss,
        }
    }
}

/// Masks every interrupt, stops receive and transmit, resets the MAC
/// (CTRL.RST) and waits the 5 ms the EEPROM reload takes (e1000_reset_hw);
/// then clears the causes latched before and empties both rings (head and
/// tail 0). Process context.
pub fn reset(regs: &Regs) {
    regs.write32::<IMC>(!0);
    regs.write32::<RCTL>(0);
    regs.write32::<TCTL>(0);
    let _ = regs.read32::<STATUS>(); // flush the posted writes
    regs.write32::<CTRL>(regs.read32::<CTRL>() | CTRL_RST);
    rkm::task::delay_ms(5); // uninterruptible: a signal must not fail an open
    regs.write32::<IMC>(!0);
    let _ = regs.read32::<ICR>();
    // The rings' registers survive the reset (QEMU): both rings empty.
    regs.write32::<TDH>(0);
    regs.write32::<TDT>(0);
    regs.write32::<RDH>(0);
    regs.write32::<RDT>(0);
}

/// Writes command `cmd` to register `R` (EERD, MDIC), then polls it until
/// `done` is set: its value (a few milliseconds at most; `ETIMEDOUT` past
/// them, `EIO` once `error` is set). Process context.
fn command<const R: usize>(regs: &Regs, cmd: u32, done: u32, error: u32) -> Result<u32> {
    regs.write32::<R>(cmd);
    for _ in 0..10 {
        let v = regs.read32::<R>();
        if v & error != 0 {
            return Err(EIO);
        }
        if v & done != 0 {
            return Ok(v);
        }
        rkm::task::delay_ms(1);
    }
    Err(ETIMEDOUT)
}

/// Reads EEPROM word `word` through EERD. Process context.
pub fn eeprom_read(regs: &Regs, word: u8) -> Result<u16> {
    let cmd = EERD_START | (u32::from(word) << EERD_ADDR_SHIFT);
    command::<EERD>(regs, cmd, EERD_DONE, 0).map(|v| (v >> EERD_DATA_SHIFT) as u16)
}

// MDIC: a PHY register read (E1000_MDIC_*); the internal PHY's MDIO
// address (e1000_read_phy_reg_ex's for every part but the CE4100); the
// M88 PHY's specific status register and its crossover bit
// (M88E1000_PHY_SPEC_STATUS, M88E1000_PSSR_MDIX).
pub const MDIC_REG_SHIFT: u32 = 16;
pub const MDIC_PHY_SHIFT: u32 = 21;
pub const MDIC_OP_READ: u32 = 0x0800_0000;
pub const MDIC_READY: u32 = 0x1000_0000;
pub const MDIC_ERROR: u32 = 0x4000_0000;
pub const PHY_ADDR: u32 = 1;
pub const M88_PHY_SPEC_STATUS: u32 = 17;
pub const M88_PSSR_MDIX: u16 = 0x0040;

/// Reads PHY register `reg` through MDIC, as e1000_read_phy_reg_ex.
/// Process context.
pub fn phy_read(regs: &Regs, reg: u32) -> Result<u16> {
    let cmd = (reg << MDIC_REG_SHIFT) | (PHY_ADDR << MDIC_PHY_SHIFT) | MDIC_OP_READ;
    command::<MDIC>(regs, cmd, MDIC_READY, MDIC_ERROR).map(|v| v as u16)
}

/// The EEPROM's size in 16-bit words, as EECD gives it.
pub fn eeprom_words(regs: &Regs) -> u32 {
    if regs.read32::<EECD>() & EECD_SIZE != 0 {
        256
    } else {
        64
    }
}

/// Reads `buf.len()` bytes from byte `offset` (within eeprom_words' size)
/// into `buf`: the EEPROM's words little-endian, as e1000_get_eeprom gives
/// them. Process context.
pub fn eeprom_bytes(regs: &Regs, offset: u32, buf: &mut [u8]) -> Result {
    let mut word: Option<(usize, [u8; 2])> = None; // each word read once
    for (i, b) in buf.iter_mut().enumerate() {
        let at = offset as usize + i;
        let bytes = match word {
            Some((w, bytes)) if w == at / 2 => bytes,
            _ => {
                let w = u8::try_from(at / 2).map_err(|_| EINVAL)?;
                let bytes = eeprom_read(regs, w)?.to_le_bytes();
                word = Some((at / 2, bytes));
                bytes
            }
        };
        *b = bytes[at % 2];
    }
    Ok(())
}

/// Whether words 0..=EEPROM_CHECKSUM_REG add up to EEPROM_SUM
/// (e1000_validate_eeprom_checksum).
pub fn eeprom_checksum_ok(regs: &Regs) -> Result<bool> {
    let mut sum = 0u16;
    for word in 0..=EEPROM_CHECKSUM_REG {
        sum = sum.wrapping_add(eeprom_read(regs, word)?);
    }
    Ok(sum == EEPROM_SUM)
}

/// The MAC address, little-endian in EEPROM words 0..3 (e1000_read_mac_addr).
pub fn eeprom_mac(regs: &Regs) -> Result<[u8; 6]> {
    let mut mac = [0u8; 6];
    for (i, pair) in mac.chunks_exact_mut(2).enumerate() {
        let w = eeprom_read(regs, EEPROM_NODE_ADDRESS_BYTE_0 + i as u8)?;
        pair.copy_from_slice(&w.to_le_bytes());
    }
    Ok(mac)
}

/// Whether the link is up (STATUS.LU).
pub fn link_up(regs: &Regs) -> bool {
    regs.read32::<STATUS>() & STATUS_LU != 0
}

/// Receive address registers: 0 is the station's, 1..15 exact filters
/// for multicast groups (E1000_RAR_ENTRIES).
pub const RAR_ENTRIES: usize = 15;

/// The receive filters as register words: the multicast hash table, then
/// receive addresses 1..RAR_ENTRIES (low and high word each).
pub const FILTER_WORDS: usize = MTA_REGS + 2 * (RAR_ENTRIES - 1);

/// The register of filter word `i` (< FILTER_WORDS).
pub fn filter_reg(i: usize) -> usize {
    if i < MTA_REGS {
        MTA + 4 * i
    } else {
        RAL0 + 8 + 4 * (i - MTA_REGS)
    }
}

/// The low and high words of a valid receive address `mac`.
pub fn rar_words(mac: &[u8; 6]) -> [u32; 2] {
    [
        u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]),
        u32::from(u16::from_le_bytes([mac[4], mac[5]])) | RAH_AV,
    ]
}

/// Points receive address 0 at `mac`, valid (e1000_rar_set).
pub fn set_rar(regs: &Regs, mac: &[u8; 6]) {
    let [lo, hi] = rar_words(mac);
    regs.write32::<RAL0>(lo);
    regs.write32::<RAH0>(hi);
}

/// The MTA bit of a multicast address: e1000_hash_mc_addr with filter
/// type 0 (bits 47:36 of the address): (register, bit).
pub fn mta_bit(mac: &[u8; 6]) -> (usize, u32) {
    let hash = ((u32::from(mac[4]) >> 4) | (u32::from(mac[5]) << 4)) & 0xFFF;
    (((hash >> 5) & 0x7F) as usize, hash & 0x1F)
}

/// The longest frame with long packets off: 1518 and a VLAN tag.
pub const MAX_VLAN_FRAME: u32 = 1522;

/// The receive buffer size for `mtu` and its RCTL bits (e1000_change_mtu,
/// e1000_setup_rctl): up to a standard frame, long packets off, so the
/// device takes no frame longer than a VLAN-tagged one with its FCS
/// (MAXIMUM_ETHERNET_VLAN_SIZE, 1522 bytes): a buffer of that, with RCTL's
/// 2048-byte size, as e1000 (a packet's memory, and so its socket's
/// accounting, the same as the twin's); above it long packets on, and
/// 16384 bytes: e1000's jumbo path chains pages into frames of any length
/// the device accepts (up to 16 KiB), so one buffer a frame must hold as
/// much.
pub fn rx_buffer(mtu: u32) -> (u32, u32) {
    if mtu <= 1500 {
        (MAX_VLAN_FRAME, RCTL_SZ_2048)
    } else {
        (16384, RCTL_BSEX | RCTL_SZ_16384 | RCTL_LPE)
    }
}

/// The link speed in Mb/s and full duplex, from STATUS.
pub fn speed(regs: &Regs) -> (u32, bool) {
    let st = regs.read32::<STATUS>();
    let mbps = match st & STATUS_SPEED_MASK {
        STATUS_SPEED_10 => 10,
        STATUS_SPEED_100 => 100,
        _ => 1000,
    };
    (mbps, st & STATUS_FD != 0)
}
