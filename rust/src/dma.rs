// SPDX-License-Identifier: GPL-2.0
//! DMA buffers: coherent, and streaming.
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
//!
//! A [`StreamBuffer`] is ordinary kernel memory the CPU owns; [`map`]ping
//! it (`dma_map_single`) *moves* it into a [`Mapping`], which the device
//! owns: the CPU can no longer touch its bytes, and the buffer cannot be
//! freed, until [`Mapping::unmap`] gives it back (or until
//! [`Mapping::sync_for_cpu`] lends it to the CPU for the guard's lifetime,
//! handing it back to the device with `sync_for_device` when the guard
//! drops). Only a `Mapping` has a device address, borrowed from it, so the
//! address cannot outlive the mapping. Dropping a `Mapping` (or a buffer
//! that was once mapped) frees it only once the device can no longer
//! master the bus, as for coherent buffers.
//!
//! [`map`]: StreamBuffer::map

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

/// A device (bus) address inside a [`CoherentBuffer`] or a [`Mapping`],
/// borrowing it.
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
    _buf: PhantomData<&'a ()>,
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

/// Which way the data of a streaming mapping moves.
///
/// ```
/// # use rkm::dma::Direction;
/// let d = Direction::ToDevice;
/// # let _ = d;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The device reads the buffer (`DMA_TO_DEVICE`).
    ToDevice,
    /// The device writes the buffer (`DMA_FROM_DEVICE`).
    FromDevice,
    /// Both (`DMA_BIDIRECTIONAL`).
    Bidirectional,
}

/// A buffer of kernel memory for streaming DMA, owned by the CPU: read and
/// written by copies, then [`map`](StreamBuffer::map)ped for the device.
///
/// ```
/// # use rkm::dma::{Direction, StreamBuffer};
/// # fn f(dev: &impl rkm::device::DeviceContext, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
/// let mut buf = StreamBuffer::alloc(dev, 4096)?;
/// buf.write(0, b"hello")?;
/// let mapping = buf.map(Direction::ToDevice)?; // the device owns it now
/// bar.write_dma_addr::<0x80>(mapping.dma_addr(0)?);
/// // ... the device has read it ...
/// let buf = mapping.unmap(); // the CPU owns it again
/// # drop(buf); Ok(()) }
/// ```
///
/// # Invariants
///
/// `handle` is a glue streaming buffer (a `struct rkm_dma` with `stream`)
/// owned by this value, not mapped while the value is a `StreamBuffer`;
/// `cpu` points to its `len` zero-initialised bytes of kernel memory. The
/// glue frees it at drop, or, if the device was ever given it, once bus
/// mastering is off for good (the device never writes freed memory).
/// `alloc` and drop sleep (process context); the copies never do.
pub struct StreamBuffer {
    handle: NonNull<abi::Dma>,
    cpu: NonNull<u8>,
    len: usize,
}

// SAFETY: the memory may be used from any thread; mutation needs &mut.
unsafe impl Send for StreamBuffer {}
// SAFETY: `&self` only reads (by copy).
unsafe impl Sync for StreamBuffer {}

impl StreamBuffer {
    /// Allocates `len` zeroed bytes (not 0: `EINVAL`; `ENOMEM` if that
    /// fails, or above what kmalloc gives), where the device can reach
    /// them: from `ZONE_DMA` (the first 16 MiB) if its DMA mask
    /// ([`dma_mask`](crate::pci::Device::dma_mask), set before) is under 32
    /// bits, since there is no bounce buffer for such masks. Sleeps.
    ///
    /// ```
    /// # use rkm::dma::StreamBuffer;
    /// # fn f(dev: &impl rkm::device::DeviceContext) -> rkm::Result {
    /// let buf = StreamBuffer::alloc(dev, 4096)?;
    /// # drop(buf); Ok(()) }
    /// ```
    pub fn alloc(dev: &impl DeviceContext, len: usize) -> Result<Self> {
        if len == 0 {
            return Err(EINVAL);
        }
        let mut cpu: *mut c_void = core::ptr::null_mut();
        // SAFETY: a live binding (DeviceContext's contract); a valid out-pointer.
        let h = unsafe { abi::rkm_stream_alloc(dev.binding(), len, &mut cpu) };
        let handle = NonNull::new(h).ok_or(ENOMEM)?;
        let cpu = NonNull::new(cpu.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: cpu..cpu+len is ours, unmapped, until the handle is freed.
        Ok(StreamBuffer { handle, cpu, len })
    }

    /// The length in bytes.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::StreamBuffer) {
    /// let n = buf.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a buffer has at least one byte); for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::StreamBuffer) {
    /// assert!(!buf.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
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
    /// # fn f(buf: &rkm::dma::StreamBuffer) -> rkm::Result {
    /// let mut header = [0u8; 16];
    /// buf.read(0, &mut header)?;
    /// # Ok(()) }
    /// ```
    pub fn read(&self, off: usize, out: &mut [u8]) -> Result {
        let src = self.range(off, out.len())?;
        // SAFETY: inside the buffer (checked); a raw copy, so even a late
        // device write is no Rust-level aliasing violation.
        unsafe { core::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Copies `data` to offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(buf: &mut rkm::dma::StreamBuffer) -> rkm::Result {
    /// buf.write(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        let dst = self.range(off, data.len())?;
        // SAFETY: inside the buffer (checked), exclusively ours (&mut self).
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len()) };
        Ok(())
    }

    /// Fills `n` bytes at offset `off` from user memory, all or nothing
    /// (`EFAULT`; `EINVAL` past the end).
    ///
    /// ```
    /// # use rkm::user::UserSliceReader;
    /// # fn f(buf: &mut rkm::dma::StreamBuffer, r: &mut UserSliceReader, n: usize) -> rkm::Result {
    /// buf.write_from_user(0, r, n)?;
    /// # Ok(()) }
    /// ```
    pub fn write_from_user(&mut self, off: usize, r: &mut UserSliceReader, n: usize) -> Result {
        let dst = self.range(off, n)?;
        // SAFETY: dst..dst+n is inside the buffer and exclusively ours.
        unsafe { r.read_raw(dst, n) }
    }

    /// Copies `n` bytes at offset `off` to user memory, all or nothing
    /// (`EFAULT`; `EINVAL` past the end).
    ///
    /// ```
    /// # use rkm::user::UserSliceWriter;
    /// # fn f(buf: &rkm::dma::StreamBuffer, w: &mut UserSliceWriter, n: usize) -> rkm::Result {
    /// buf.read_to_user(0, w, n)?;
    /// # Ok(()) }
    /// ```
    pub fn read_to_user(&self, off: usize, w: &mut UserSliceWriter, n: usize) -> Result {
        let src = self.range(off, n)?;
        // SAFETY: src..src+n is inside the buffer.
        unsafe { w.write_raw(src, n) }
    }

    /// Hands the buffer to the device (`dma_map_single` in direction
    /// `dir`): the CPU gets it back from [`Mapping::unmap`]. If mapping
    /// fails (`ENOMEM`: no room in the IOMMU or bounce buffers) the buffer
    /// is freed. Never sleeps.
    ///
    /// ```
    /// # use rkm::dma::{Direction, StreamBuffer};
    /// # fn f(buf: StreamBuffer) -> rkm::Result {
    /// let mapping = buf.map(Direction::FromDevice)?;
    /// # drop(mapping); Ok(()) }
    /// ```
    pub fn map(self, dir: Direction) -> Result<Mapping> {
        let raw = match dir {
            Direction::ToDevice => abi::DMA_TO_DEVICE,
            Direction::FromDevice => abi::DMA_FROM_DEVICE,
            Direction::Bidirectional => abi::DMA_BIDIRECTIONAL,
        };
        let mut addr = 0;
        // SAFETY: our unmapped handle (the type invariant); a valid out-pointer.
        crate::error::to_result(unsafe {
            abi::rkm_stream_map(self.handle.as_ptr(), raw, &mut addr)
        })?;
        // INVARIANT: mapped at `addr` until unmap or drop.
        Ok(Mapping { buf: self, addr, dir })
    }
}

impl Drop for StreamBuffer {
    fn drop(&mut self) {
        // SAFETY: our handle, freed once (unmapped first by the glue if a
        // Mapping is being dropped); nothing else points into the buffer.
        unsafe { abi::rkm_dma_free(self.handle.as_ptr()) };
    }
}

/// A [`StreamBuffer`] mapped for the device: no CPU access to its bytes
/// but through [`sync_for_cpu`](Mapping::sync_for_cpu); its device address
/// borrows it.
///
/// ```
/// # use rkm::dma::{Direction, StreamBuffer};
/// # fn f(buf: StreamBuffer, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
/// let mut m = buf.map(Direction::FromDevice)?;
/// bar.write_dma_addr::<0x80>(m.dma_addr(0)?);
/// // ... the device has written it ...
/// let mut status = [0u8; 4];
/// m.sync_for_cpu().read(0, &mut status)?; // back to the device after this line
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `buf`'s handle is mapped at `addr` in direction `dir` (the glue's
/// `mapped`) for as long as this value exists; dropping it drops `buf`,
/// whose glue free unmaps it. Never sleeps but at drop (process context).
pub struct Mapping {
    buf: StreamBuffer,
    addr: u64,
    dir: Direction,
}

impl Mapping {
    /// The device address of byte `off` (`EINVAL` if `off >= len`).
    ///
    /// ```
    /// # fn f(m: &rkm::dma::Mapping, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
    /// bar.write_dma_addr::<0x80>(m.dma_addr(0)?);
    /// # Ok(()) }
    /// ```
    pub fn dma_addr(&self, off: usize) -> Result<DmaAddr<'_>> {
        if off >= self.buf.len {
            return Err(EINVAL);
        }
        Ok(DmaAddr { addr: self.addr + off as u64, _buf: PhantomData })
    }

    /// The length in bytes.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::Mapping) {
    /// let n = m.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.buf.len
    }

    /// Never true; for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::Mapping) {
    /// assert!(!m.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.buf.len == 0
    }

    /// The direction it was mapped in.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::Mapping) {
    /// let d = m.direction();
    /// # let _ = d; }
    /// ```
    pub fn direction(&self) -> Direction {
        self.dir
    }

    /// Lends the buffer to the CPU (`dma_sync_single_for_cpu`) until the
    /// guard drops (`dma_sync_single_for_device`). While the guard lives
    /// the mapping is borrowed: no device address can be taken. That the
    /// device has finished with the buffer is the driver's protocol, as in
    /// C. Never sleeps.
    ///
    /// ```
    /// # fn f(m: &mut rkm::dma::Mapping) -> rkm::Result {
    /// let cpu = m.sync_for_cpu();
    /// let mut head = [0u8; 8];
    /// cpu.read(0, &mut head)?;
    /// # Ok(()) }
    /// ```
    pub fn sync_for_cpu(&mut self) -> CpuAccess<'_> {
        // SAFETY: our mapped handle.
        unsafe { abi::rkm_stream_sync_for_cpu(self.buf.handle.as_ptr()) };
        CpuAccess { m: self }
    }

    /// Takes the buffer back from the device (`dma_unmap_single`): the CPU
    /// owns it again. Never sleeps.
    ///
    /// ```
    /// # fn f(m: rkm::dma::Mapping) -> rkm::Result {
    /// let buf = m.unmap();
    /// let mut out = [0u8; 4];
    /// buf.read(0, &mut out)?;
    /// # Ok(()) }
    /// ```
    pub fn unmap(self) -> StreamBuffer {
        // SAFETY: our mapped handle; unmapped once (the value is consumed).
        unsafe { abi::rkm_stream_unmap(self.buf.handle.as_ptr()) };
        // INVARIANT: the StreamBuffer is unmapped again.
        self.buf
    }
}

/// The CPU's turn on a [`Mapping`] ([`Mapping::sync_for_cpu`]): the
/// buffer's copies, then `sync_for_device` at drop. It derefs to the
/// buffer for reads only (`&StreamBuffer`): a `&mut StreamBuffer` could be
/// swapped out of the mapping.
///
/// ```
/// # fn f(m: &mut rkm::dma::Mapping) -> rkm::Result {
/// let mut cpu = m.sync_for_cpu();
/// cpu.write(0, &[0; 4])?;
/// drop(cpu); // the device's again
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// The mapping was synced for the CPU when this was made and is borrowed
/// exclusively until drop, which syncs it for the device.
pub struct CpuAccess<'a> {
    m: &'a mut Mapping,
}

impl core::ops::Deref for CpuAccess<'_> {
    type Target = StreamBuffer;
    fn deref(&self) -> &StreamBuffer {
        &self.m.buf
    }
}

impl CpuAccess<'_> {
    /// [`StreamBuffer::write`] on the lent buffer.
    ///
    /// ```
    /// # fn f(m: &mut rkm::dma::Mapping) -> rkm::Result {
    /// m.sync_for_cpu().write(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        self.m.buf.write(off, data)
    }

    /// [`StreamBuffer::write_from_user`] on the lent buffer.
    ///
    /// ```
    /// # use rkm::user::UserSliceReader;
    /// # fn f(m: &mut rkm::dma::Mapping, r: &mut UserSliceReader, n: usize) -> rkm::Result {
    /// m.sync_for_cpu().write_from_user(0, r, n)?;
    /// # Ok(()) }
    /// ```
    pub fn write_from_user(&mut self, off: usize, r: &mut UserSliceReader, n: usize) -> Result {
        self.m.buf.write_from_user(off, r, n)
    }
}

impl Drop for CpuAccess<'_> {
    fn drop(&mut self) {
        // SAFETY: the mapping's handle, still mapped (borrowed).
        unsafe { abi::rkm_stream_sync_for_device(self.m.buf.handle.as_ptr()) };
    }
}
