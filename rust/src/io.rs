// SPDX-License-Identifier: GPL-2.0
//! Device registers: a mapped PCI BAR (memory or I/O ports) and accessors
//! that stay inside it.
//!
//! A [`Bar<SIZE>`] is a mapping of at least `SIZE` bytes (checked when it is
//! mapped). Accesses at a constant offset, `read32::<OFF>()`, are checked at
//! compile time against `SIZE` and the access's alignment; accesses at an
//! offset known only at run time, `try_read32(off)`, are checked against the
//! BAR's real length and fail with `EINVAL`. Nothing can reach outside the
//! mapping. The mapping is unmapped and its region released when the `Bar`
//! drops, normally with the driver's per-device data at unbind; a `Bar` kept
//! elsewhere (in module state) is revoked at unbind instead: from then on
//! reads give all ones and writes are dropped, as for a device that is gone,
//! and the address range it covered is never touched again.
//!
//! A BAR is either memory-mapped or a range of I/O ports ([`BarKind`]); the
//! same accessors serve both (the glue uses `readX`/`writeX` for memory and
//! `ioreadX`/`iowriteX`, i.e. `inX`/`outX`, for ports; a 64-bit port access
//! is two 32-bit ones, low half first), with the same bounds and alignment
//! checks.

use crate::abi;
use crate::error::{code::*, Error, Result};
use core::ffi::c_int;
use core::ptr::NonNull;

/// What a BAR maps: memory or I/O ports.
///
/// ```
/// # fn f(bar: &rkm::io::Bar<0x80>) {
/// use rkm::io::BarKind;
/// if bar.kind() == BarKind::Io {
///     // port I/O: each access is an inX/outX instruction
/// }
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarKind {
    /// Memory-mapped registers.
    Memory,
    /// I/O ports.
    Io,
}

/// A mapped BAR (memory or I/O ports) of at least `SIZE` bytes.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, io::Bar, pci};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
/// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
/// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
/// let bar: Bar<0x100> = dev.iomap(0)?;
/// let id = bar.read32::<0x00>();
/// bar.write32::<0x04>(!id);
/// # Ok(((), ())) } }
/// ```
///
/// # Invariants
///
/// `handle` is a glue mapping of `len >= SIZE` bytes of kind `kind`, owned
/// by this value until drop. Every access is one `readX`/`writeX` the glue does under RCU
/// after checking the mapping is not revoked (unbind revokes it, so a `Bar`
/// kept past its binding touches nothing). Accesses never sleep and may be
/// made from any context (`IrqSafe`); drop unmaps, which sleeps: process
/// context only (not `IrqDrop`).
pub struct Bar<const SIZE: usize> {
    handle: NonNull<abi::Bar>,
    len: usize,
    kind: BarKind,
}

// SAFETY: MMIO may be done from any thread; the handle is only freed by drop.
unsafe impl<const SIZE: usize> Send for Bar<SIZE> {}
// SAFETY: every access is a single readX/writeX under RCU in the glue.
unsafe impl<const SIZE: usize> Sync for Bar<SIZE> {}
// SAFETY: readX/writeX never sleep.
unsafe impl<const SIZE: usize> crate::irq::IrqSafe for Bar<SIZE> {}

macro_rules! accessors {
    ($($t:ty: $read:ident, $write:ident, $try_read:ident, $try_write:ident, $glue_r:ident, $glue_w:ident;)*) => {
        $(
            #[doc = concat!("Reads a `", stringify!($t), "` at constant offset `OFF` (checked at compile time).")]
            ///
            /// ```
            /// # fn f(bar: &rkm::io::Bar<0x100>) {
            /// let v = bar.read32::<0x20>();
            /// # let _ = v; }
            /// ```
            #[inline]
            pub fn $read<const OFF: usize>(&self) -> $t {
                const {
                    assert!(OFF % size_of::<$t>() == 0, "misaligned MMIO offset");
                    assert!(OFF + size_of::<$t>() <= SIZE, "MMIO offset outside the BAR");
                };
                // SAFETY: our handle; inside the mapping (SIZE <= len,
                // checked at map time) and aligned, checked at compile time.
                unsafe { abi::$glue_r(self.handle.as_ptr(), OFF) }
            }

            #[doc = concat!("Writes a `", stringify!($t), "` at constant offset `OFF` (checked at compile time).")]
            ///
            /// ```
            /// # fn f(bar: &rkm::io::Bar<0x100>, status: u32) {
            /// bar.write32::<0x64>(status);
            /// # }
            /// ```
            #[inline]
            pub fn $write<const OFF: usize>(&self, val: $t) {
                const {
                    assert!(OFF % size_of::<$t>() == 0, "misaligned MMIO offset");
                    assert!(OFF + size_of::<$t>() <= SIZE, "MMIO offset outside the BAR");
                };
                // SAFETY: as in the read.
                unsafe { abi::$glue_w(self.handle.as_ptr(), OFF, val) }
            }

            #[doc = concat!("Reads a `", stringify!($t), "` at run-time offset `off`: `EINVAL` outside the BAR or misaligned.")]
            ///
            /// ```
            /// # fn f(bar: &rkm::io::Bar<0x100>, reg: usize) -> rkm::Result {
            /// let v = bar.try_read32(reg)?;
            /// # let _ = v; Ok(()) }
            /// ```
            pub fn $try_read(&self, off: usize) -> Result<$t> {
                let off = self.check(off, size_of::<$t>())?;
                // SAFETY: our handle; inside the mapping and aligned (checked).
                Ok(unsafe { abi::$glue_r(self.handle.as_ptr(), off) })
            }

            #[doc = concat!("Writes a `", stringify!($t), "` at run-time offset `off`: `EINVAL` outside the BAR or misaligned.")]
            ///
            /// ```
            /// # fn f(bar: &rkm::io::Bar<0x100>, reg: usize) -> rkm::Result {
            /// bar.try_write32(reg, 1)?;
            /// # Ok(()) }
            /// ```
            pub fn $try_write(&self, off: usize, val: $t) -> Result {
                let off = self.check(off, size_of::<$t>())?;
                // SAFETY: our handle; inside the mapping and aligned (checked).
                unsafe { abi::$glue_w(self.handle.as_ptr(), off, val) };
                Ok(())
            }
        )*
    };
}

impl<const SIZE: usize> Bar<SIZE> {
    /// Requests and maps BAR `bar` of a binding; `EINVAL` if it is not a
    /// memory or I/O BAR of at least `SIZE` bytes.
    ///
    /// # Safety
    ///
    /// `binding` is a PCI binding being probed (live for the call).
    pub(crate) unsafe fn map(binding: *mut abi::Binding, bar: u32) -> Result<Self> {
        let (mut len, mut err): (usize, c_int) = (0, 0);
        // SAFETY: a live PCI binding (the caller's contract); the
        // out-pointers are valid.
        let h = unsafe { abi::rkm_pci_iomap(binding, bar, SIZE, &mut len, &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_errno(err))?;
        // SAFETY: our live handle.
        let kind = match unsafe { abi::rkm_bar_kind(handle.as_ptr()) } as u32 {
            abi::BAR_IO => BarKind::Io,
            k => {
                debug_assert_eq!(k, abi::BAR_MEM);
                BarKind::Memory
            }
        };
        // INVARIANT: the handle maps len >= SIZE bytes (or is revoked) until dropped.
        Ok(Bar { handle, len, kind })
    }

    /// Whether it maps memory or I/O ports.
    ///
    /// ```
    /// # fn f(bar: &rkm::io::Bar<0x100>) {
    /// let k = bar.kind();
    /// # let _ = k; }
    /// ```
    pub fn kind(&self) -> BarKind {
        self.kind
    }

    /// The BAR's real length (at least `SIZE`).
    ///
    /// ```
    /// # fn f(bar: &rkm::io::Bar<0x100>) {
    /// let n = bar.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a BAR has at least one byte); for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(bar: &rkm::io::Bar<0x100>) {
    /// assert!(!bar.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, off: usize, width: usize) -> Result<usize> {
        match off.checked_add(width) {
            Some(end) if end <= self.len && off.is_multiple_of(width) => Ok(off),
            _ => Err(EINVAL),
        }
    }

    accessors! {
        u8: read8, write8, try_read8, try_write8, rkm_bar_readb, rkm_bar_writeb;
        u16: read16, write16, try_read16, try_write16, rkm_bar_readw, rkm_bar_writew;
        u32: read32, write32, try_read32, try_write32, rkm_bar_readl, rkm_bar_writel;
        u64: read64, write64, try_read64, try_write64, rkm_bar_readq, rkm_bar_writeq;
    }

    /// Writes a DMA buffer's device address at constant offset `OFF` (a
    /// 64-bit register): the only way a device address leaves its buffer.
    ///
    /// ```
    /// # fn f(bar: &rkm::io::Bar<0x100>, buf: &rkm::dma::CoherentBuffer) -> rkm::Result {
    /// bar.write_dma_addr::<0x80>(buf.dma_addr(0)?);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn write_dma_addr<const OFF: usize>(&self, addr: crate::dma::DmaAddr<'_>) {
        self.write64::<OFF>(addr.value());
    }
}

impl<const SIZE: usize> Drop for Bar<SIZE> {
    fn drop(&mut self) {
        // SAFETY: our handle, unmapped once; no access can follow (&mut self).
        unsafe { abi::rkm_pci_iounmap(self.handle.as_ptr()) };
    }
}
