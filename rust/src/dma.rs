// SPDX-License-Identifier: GPL-2.0
//! Coherent DMA buffers.
//!
//! A [`CoherentBuffer`] is memory both the CPU and the device see
//! (`dma_alloc_coherent`). The CPU reaches it only through copies, never
//! through a Rust reference (the device may write it at any time), and
//! writes need `&mut self`, so two CPU threads never race on it. Its device
//! address is a [`DmaAddr`] that borrows the buffer and can only be written
//! to a device register ([`Bar::write_dma_addr`](crate::io::Bar::write_dma_addr)),
//! so neither view can outlive the buffer. Dropping a buffer while its
//! device may still master the bus (before unbind turns bus mastering off)
//! only hands it back to the binding, which frees it once the device cannot
//! reach it: the device never writes a buffer after it is freed. What a
//! driver writes into the device's registers is trusted: a wrong address
//! sends the device elsewhere, as in C.

use crate::abi;
use crate::device::DeviceContext;
use crate::error::{code::*, Result};
use crate::user::{UserSliceReader, UserSliceWriter};
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A coherent DMA buffer of a fixed length.
///
/// ```
/// # use rkm::dma::CoherentBuffer;
/// # fn f(dev: &impl rkm::device::DeviceContext, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
/// let mut buf = CoherentBuffer::alloc(dev, 4096)?;
/// buf.write(0, b"hello")?;
/// bar.write_dma_addr::<0x80>(buf.dma_addr(0)?);
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `handle` is a glue DMA allocation owned by this value; `cpu` points to
/// its `len` bytes of kernel memory, mapped for the device at `addr`. The
/// glue frees it only after the device's bus mastering is off (deferred to
/// the bus's quiesce while bound), so the device never writes freed memory.
/// Process context: `alloc`, the user copies and drop may sleep.
pub struct CoherentBuffer {
    handle: NonNull<abi::Dma>,
    cpu: NonNull<u8>,
    addr: u64,
    len: usize,
}

// SAFETY: the memory may be used from any thread; mutation needs &mut.
unsafe impl Send for CoherentBuffer {}
// SAFETY: `&self` only reads (by copy).
unsafe impl Sync for CoherentBuffer {}

/// A device (bus) address inside a [`CoherentBuffer`], borrowing it.
///
/// ```
/// # use rkm::dma::{CoherentBuffer, DmaAddr};
/// # fn f(buf: &CoherentBuffer) -> rkm::Result {
/// let a: DmaAddr<'_> = buf.dma_addr(512)?;
/// # let _ = a; Ok(()) }
/// ```
///
/// # Invariants
///
/// `addr` lies inside the buffer borrowed for `'a`: it cannot outlive it.
#[derive(Clone, Copy)]
pub struct DmaAddr<'a> {
    addr: u64,
    _buf: PhantomData<&'a CoherentBuffer>,
}

impl DmaAddr<'_> {
    pub(crate) fn value(self) -> u64 {
        self.addr
    }
}

impl CoherentBuffer {
    /// Allocates `len` bytes (not 0) of coherent memory for the device
    /// (`ENOMEM` if that fails, `EINVAL` for 0). Sleeps.
    ///
    /// ```
    /// # use rkm::dma::CoherentBuffer;
    /// # fn f(dev: &impl rkm::device::DeviceContext) -> rkm::Result {
    /// let buf = CoherentBuffer::alloc(dev, 4096)?;
    /// # drop(buf); Ok(()) }
    /// ```
    pub fn alloc(dev: &impl DeviceContext, len: usize) -> Result<Self> {
        if len == 0 {
            return Err(EINVAL);
        }
        let (mut cpu, mut addr): (*mut c_void, u64) = (core::ptr::null_mut(), 0);
        // SAFETY: a live binding (DeviceContext's contract); valid out-pointers.
        let h = unsafe { abi::rkm_dma_alloc(dev.binding(), len, &mut cpu, &mut addr) };
        let handle = NonNull::new(h).ok_or(ENOMEM)?;
        let cpu = NonNull::new(cpu.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: cpu..cpu+len is ours until the handle is freed.
        Ok(CoherentBuffer { handle, cpu, addr, len })
    }

    /// The length in bytes.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::CoherentBuffer) {
    /// let n = buf.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a buffer has at least one byte); for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::CoherentBuffer) {
    /// assert!(!buf.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The device address of byte `off` (`EINVAL` if `off >= len`).
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::CoherentBuffer, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
    /// bar.write_dma_addr::<0x80>(buf.dma_addr(0)?);
    /// # Ok(()) }
    /// ```
    pub fn dma_addr(&self, off: usize) -> Result<DmaAddr<'_>> {
        if off >= self.len {
            return Err(EINVAL);
        }
        Ok(DmaAddr { addr: self.addr + off as u64, _buf: PhantomData })
    }

    fn range(&self, off: usize, n: usize) -> Result<*mut u8> {
        match off.checked_add(n) {
            // SAFETY: off <= len: inside the allocation or one past its end.
            Some(end) if end <= self.len => Ok(unsafe { self.cpu.as_ptr().add(off) }),
            _ => Err(EINVAL),
        }
    }

    /// Copies `out.len()` bytes from offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::CoherentBuffer) -> rkm::Result {
    /// let mut header = [0u8; 16];
    /// buf.read(0, &mut header)?;
    /// # Ok(()) }
    /// ```
    pub fn read(&self, off: usize, out: &mut [u8]) -> Result {
        let src = self.range(off, out.len())?;
        // SAFETY: src..src+len is inside the buffer (checked); a raw copy,
        // so a concurrent device write is no Rust-level aliasing violation.
        unsafe { core::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Copies `data` to offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(buf: &mut rkm::dma::CoherentBuffer) -> rkm::Result {
    /// buf.write(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        let dst = self.range(off, data.len())?;
        // SAFETY: inside the buffer (checked), exclusively ours (&mut self).
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len()) };
        Ok(())
    }

    /// Fills `n` bytes at offset `off` from user memory, all or nothing:
    /// `EFAULT` if any byte is unreadable (or `r` is shorter), `EINVAL` past
    /// the end.
    ///
    /// ```
    /// # use rkm::user::UserSliceReader;
    /// # fn f(buf: &mut rkm::dma::CoherentBuffer, reader: &mut UserSliceReader, n: usize) -> rkm::Result {
    /// buf.write_from_user(0, reader, n)?;
    /// # Ok(()) }
    /// ```
    pub fn write_from_user(&mut self, off: usize, r: &mut UserSliceReader, n: usize) -> Result {
        let dst = self.range(off, n)?;
        // SAFETY: dst..dst+n is inside the buffer and exclusively ours.
        unsafe { r.read_raw(dst, n) }
    }

    /// Copies `n` bytes at offset `off` to user memory, all or nothing:
    /// `EFAULT` if any byte is unwritable (or `w` is shorter), `EINVAL` past
    /// the end.
    ///
    /// ```
    /// # use rkm::user::UserSliceWriter;
    /// # fn f(buf: &rkm::dma::CoherentBuffer, writer: &mut UserSliceWriter, n: usize) -> rkm::Result {
    /// buf.read_to_user(0, writer, n)?;
    /// # Ok(()) }
    /// ```
    pub fn read_to_user(&self, off: usize, w: &mut UserSliceWriter, n: usize) -> Result {
        let src = self.range(off, n)?;
        // SAFETY: src..src+n is inside the buffer.
        unsafe { w.write_raw(src, n) }
    }
}

impl Drop for CoherentBuffer {
    fn drop(&mut self) {
        // SAFETY: our handle, freed once; no DmaAddr can outlive the borrow
        // it came from, and nothing else points into the buffer.
        unsafe { abi::rkm_dma_free(self.handle.as_ptr()) };
    }
}
