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
//! An [`SgBuffer`] is the same for memory in separate chunks (a
//! scatter-gather list, `dma_map_sgtable`): [`SgBuffer::map`] moves it into
//! an [`SgMapping`], whose [`segments`](SgMapping::segments) give the
//! device address and length of each mapped segment, borrowed from it.
//!
//! [`map`]: StreamBuffer::map

use crate::abi;
use crate::device::DeviceContext;
use crate::error::{code::*, Result};
use crate::user::{UserSliceReader, UserSliceWriter};
use core::ffi::c_void;
use core::marker::PhantomData;
use core::num::NonZeroUsize;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

// --- for rkm::net (issue 19): a mapped packet's address is a DmaAddr too ---
impl<'a> DmaAddr<'a> {
    /// The address `addr` of a mapping that stays mapped for `'a`.
    ///
    /// # Safety
    ///
    /// `addr` is mapped for the device for as long as `'a` lasts (the
    /// caller borrows its mapping for `'a`).
    pub(crate) unsafe fn from_mapping(addr: u64) -> Self {
        // INVARIANT: the caller's contract.
        DmaAddr { addr, _buf: PhantomData }
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

impl Direction {
    fn raw(self) -> core::ffi::c_int {
        match self {
            Direction::ToDevice => abi::DMA_TO_DEVICE,
            Direction::FromDevice => abi::DMA_FROM_DEVICE,
            Direction::Bidirectional => abi::DMA_BIDIRECTIONAL,
        }
    }
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
    /// ([`dma_mask`](crate::device::ProbeDevice::dma_mask), set before) is under 32
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
        let mut addr = 0;
        // SAFETY: our unmapped handle (the type invariant); a valid out-pointer.
        crate::error::to_result(unsafe {
            abi::rkm_stream_map(self.handle.as_ptr(), dir.raw(), &mut addr)
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

/// A scatter-gather buffer for streaming DMA: `len` bytes of kernel memory
/// in separate chunks of `chunk` bytes (the last one shorter if `chunk`
/// does not divide `len`), owned by the CPU: read and written by copies at
/// byte offsets (which may span chunks), then [`map`](SgBuffer::map)ped for
/// the device as a scatter-gather list.
///
/// ```
/// # use rkm::dma::{Direction, SgBuffer};
/// # fn f(dev: &impl rkm::device::DeviceContext, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
/// let mut buf = SgBuffer::alloc(dev, 4096, 512)?; // 8 chunks
/// buf.write(500, b"across two chunks")?;
/// let mapping = buf.map(Direction::ToDevice)?; // the device owns it now
/// for seg in mapping.segments() {
///     bar.write_dma_addr::<0x80>(seg.dma_addr(0)?);
///     // ... the device reads seg.len() bytes, the buffer's from seg.offset() ...
/// }
/// let buf = mapping.unmap(); // the CPU owns it again
/// # drop(buf); Ok(()) }
/// ```
///
/// # Invariants
///
/// `handle` is a glue scatter-gather buffer (a `struct rkm_dma` with `sg`)
/// owned by this value, not mapped while the value is an `SgBuffer`, with
/// `len` zero-initialised bytes in chunks of `chunk` (not 0) bytes, chunk
/// `i` at `rkm_sg_chunk(handle, i)`. Freed as a [`StreamBuffer`] is: at
/// drop, or, if the device was ever given it, once bus mastering is off for
/// good. `alloc` and drop sleep (process context); the copies never do.
pub struct SgBuffer {
    handle: NonNull<abi::Dma>,
    len: usize,
    chunk: NonZeroUsize,
}

// SAFETY: the memory may be used from any thread; mutation needs &mut.
unsafe impl Send for SgBuffer {}
// SAFETY: `&self` only reads (by copy).
unsafe impl Sync for SgBuffer {}

impl SgBuffer {
    /// The most chunks a buffer may have (`RKM_SG_MAX_CHUNKS`).
    pub const MAX_CHUNKS: usize = abi::SG_MAX_CHUNKS;

    /// Allocates `len` zeroed bytes in chunks of `chunk` bytes, each a
    /// separate allocation, where the device can reach them (as
    /// [`StreamBuffer::alloc`]). `EINVAL` for a zero `len` or `chunk`, or
    /// more than [`MAX_CHUNKS`](Self::MAX_CHUNKS) chunks; `ENOMEM` if an
    /// allocation fails (a chunk above what kmalloc gives included). Sleeps.
    ///
    /// ```
    /// # use rkm::dma::SgBuffer;
    /// # fn f(dev: &impl rkm::device::DeviceContext) -> rkm::Result {
    /// let buf = SgBuffer::alloc(dev, 64 * 1024, 4096)?;
    /// assert_eq!(buf.chunks(), 16);
    /// # Ok(()) }
    /// ```
    pub fn alloc(dev: &impl DeviceContext, len: usize, chunk: usize) -> Result<Self> {
        let mut err = 0;
        // SAFETY: a live binding (DeviceContext's contract); a valid out-pointer.
        let h = unsafe { abi::rkm_sg_alloc(dev.binding(), len, chunk, &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| crate::error::Error::from_kernel(err))?;
        // The glue refused a zero chunk; a handle without one is freed by drop.
        let buf =
            SgBuffer { handle, len, chunk: NonZeroUsize::new(chunk).unwrap_or(NonZeroUsize::MIN) };
        // INVARIANT: the glue checked len and chunk (not 0) and made the chunks.
        Ok(buf)
    }

    /// The length in bytes.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::SgBuffer) {
    /// let n = buf.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a buffer has at least one byte); for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::SgBuffer) {
    /// assert!(!buf.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many chunks it has.
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::SgBuffer) {
    /// let n = buf.chunks();
    /// # let _ = n; }
    /// ```
    pub fn chunks(&self) -> usize {
        self.len / self.chunk + usize::from(self.len % self.chunk != 0)
    }

    /// Calls `f` with the address and length of each chunk's part of
    /// `off..off + n`, in order (`EINVAL` past the end), stopping at its
    /// first error.
    fn each_part(
        &self,
        off: usize,
        n: usize,
        mut f: impl FnMut(*mut u8, usize) -> Result,
    ) -> Result {
        let end = match off.checked_add(n) {
            Some(end) if end <= self.len => end,
            _ => return Err(EINVAL),
        };
        let mut pos = off;
        while pos < end {
            let (i, at) = (pos / self.chunk, pos % self.chunk);
            let take = (self.chunk.get() - at).min(end - pos);
            // SAFETY: our handle; i is below the chunk count (pos < len).
            let base = unsafe { abi::rkm_sg_chunk(self.handle.as_ptr(), i) }.cast::<u8>();
            if base.is_null() {
                return Err(EINVAL);
            }
            // SAFETY: at < chunk: inside chunk i, which has at least at + take bytes.
            f(unsafe { base.add(at) }, take)?;
            pos += take;
        }
        Ok(())
    }

    /// Copies `out.len()` bytes from offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(buf: &rkm::dma::SgBuffer) -> rkm::Result {
    /// let mut header = [0u8; 16];
    /// buf.read(0, &mut header)?;
    /// # Ok(()) }
    /// ```
    pub fn read(&self, off: usize, out: &mut [u8]) -> Result {
        let mut done = 0;
        self.each_part(off, out.len(), |src, n| {
            let dst = out.get_mut(done..).and_then(|o| o.get_mut(..n)).ok_or(EINVAL)?;
            // SAFETY: src is valid for n bytes (each_part); a raw copy, so
            // even a late device write is no Rust-level aliasing violation.
            unsafe { core::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), n) };
            done += n;
            Ok(())
        })
    }

    /// Copies `data` to offset `off` (`EINVAL` past the end).
    ///
    /// ```
    /// # fn f(buf: &mut rkm::dma::SgBuffer) -> rkm::Result {
    /// buf.write(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        let mut done = 0;
        self.each_part(off, data.len(), |dst, n| {
            let src = data.get(done..).and_then(|d| d.get(..n)).ok_or(EINVAL)?;
            // SAFETY: dst is valid for n bytes (each_part), exclusively ours (&mut self).
            unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst, n) };
            done += n;
            Ok(())
        })
    }

    /// Fills `n` bytes at offset `off` from user memory: `EINVAL` past the
    /// end, `EFAULT` if `r` is shorter (nothing copied) or a byte is
    /// unreadable (the chunks before it are written then).
    ///
    /// ```
    /// # use rkm::user::UserSliceReader;
    /// # fn f(buf: &mut rkm::dma::SgBuffer, r: &mut UserSliceReader, n: usize) -> rkm::Result {
    /// buf.write_from_user(0, r, n)?;
    /// # Ok(()) }
    /// ```
    pub fn write_from_user(&mut self, off: usize, r: &mut UserSliceReader, n: usize) -> Result {
        if n > r.len() {
            return Err(EFAULT);
        }
        // SAFETY: each part is inside a chunk and exclusively ours (&mut self).
        self.each_part(off, n, |dst, n| unsafe { r.read_raw(dst, n) })
    }

    /// Copies `n` bytes at offset `off` to user memory: `EINVAL` past the
    /// end, `EFAULT` if `w` is shorter (nothing copied) or a byte is
    /// unwritable.
    ///
    /// ```
    /// # use rkm::user::UserSliceWriter;
    /// # fn f(buf: &rkm::dma::SgBuffer, w: &mut UserSliceWriter, n: usize) -> rkm::Result {
    /// buf.read_to_user(0, w, n)?;
    /// # Ok(()) }
    /// ```
    pub fn read_to_user(&self, off: usize, w: &mut UserSliceWriter, n: usize) -> Result {
        if n > w.len() {
            return Err(EFAULT);
        }
        // SAFETY: each part is inside a chunk.
        self.each_part(off, n, |src, n| unsafe { w.write_raw(src, n) })
    }

    /// Hands the buffer to the device as a scatter-gather list
    /// (`dma_map_sgtable` in direction `dir`): the CPU gets it back from
    /// [`SgMapping::unmap`]. If mapping fails (`ENOMEM`; `ENODEV` once the
    /// device is unbound) the buffer is freed. Never sleeps.
    ///
    /// ```
    /// # use rkm::dma::{Direction, SgBuffer};
    /// # fn f(buf: SgBuffer) -> rkm::Result {
    /// let mapping = buf.map(Direction::FromDevice)?;
    /// # drop(mapping); Ok(()) }
    /// ```
    pub fn map(self, dir: Direction) -> Result<SgMapping> {
        let mut nsegs = 0;
        // SAFETY: our unmapped handle (the type invariant); a valid out-pointer.
        crate::error::to_result(unsafe {
            abi::rkm_sg_map(self.handle.as_ptr(), dir.raw(), &mut nsegs)
        })?;
        // INVARIANT: mapped in `nsegs` segments until unmap or drop.
        Ok(SgMapping { buf: self, nsegs, dir })
    }
}

impl Drop for SgBuffer {
    fn drop(&mut self) {
        // SAFETY: our handle, freed once (unmapped first by the glue if an
        // SgMapping is being dropped); nothing else points into the chunks.
        unsafe { abi::rkm_dma_free(self.handle.as_ptr()) };
    }
}

/// An [`SgBuffer`] mapped for the device: no CPU access to its bytes but
/// through [`sync_for_cpu`](SgMapping::sync_for_cpu); its segments' device
/// addresses borrow it.
///
/// ```
/// # use rkm::dma::{Direction, SgBuffer};
/// # fn f(buf: SgBuffer) -> rkm::Result {
/// let mut m = buf.map(Direction::FromDevice)?;
/// let total: usize = m.segments().map(|seg| seg.len()).sum();
/// assert_eq!(total, m.len());
/// let mut status = [0u8; 4];
/// m.sync_for_cpu().read(0, &mut status)?; // back to the device after this line
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `buf`'s handle is mapped in direction `dir` as `nsegs` device segments
/// (the glue's `mapped`) for as long as this value exists; dropping it
/// drops `buf`, whose glue free unmaps it. Never sleeps but at drop
/// (process context).
pub struct SgMapping {
    buf: SgBuffer,
    nsegs: usize,
    dir: Direction,
}

impl SgMapping {
    /// The mapped segments in buffer order: at most one per chunk, fewer
    /// where an IOMMU merged neighbours, so a driver must use what this
    /// gives, not the chunks. Each segment's address borrows the mapping.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::SgMapping, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
    /// for seg in m.segments() {
    ///     bar.write_dma_addr::<0x80>(seg.dma_addr(0)?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn segments(&self) -> Segments<'_> {
        Segments { m: self, prev: core::ptr::null(), i: 0, offset: 0 }
    }

    /// How many segments [`segments`](Self::segments) gives.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::SgMapping) {
    /// assert!(m.segment_count() >= 1);
    /// # }
    /// ```
    pub fn segment_count(&self) -> usize {
        self.nsegs
    }

    /// The length in bytes.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::SgMapping) {
    /// let n = m.len();
    /// # let _ = n; }
    /// ```
    pub fn len(&self) -> usize {
        self.buf.len
    }

    /// Never true; for clippy's `len` rule.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::SgMapping) {
    /// assert!(!m.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.buf.len == 0
    }

    /// The direction it was mapped in.
    ///
    /// ```
    /// # fn f(m: &rkm::dma::SgMapping) {
    /// let d = m.direction();
    /// # let _ = d; }
    /// ```
    pub fn direction(&self) -> Direction {
        self.dir
    }

    /// Lends the buffer to the CPU (`dma_sync_sgtable_for_cpu`) until the
    /// guard drops (`dma_sync_sgtable_for_device`), as
    /// [`Mapping::sync_for_cpu`]. Never sleeps.
    ///
    /// ```
    /// # fn f(m: &mut rkm::dma::SgMapping) -> rkm::Result {
    /// let mut head = [0u8; 8];
    /// m.sync_for_cpu().read(0, &mut head)?;
    /// # Ok(()) }
    /// ```
    pub fn sync_for_cpu(&mut self) -> SgCpuAccess<'_> {
        // SAFETY: our mapped handle.
        unsafe { abi::rkm_stream_sync_for_cpu(self.buf.handle.as_ptr()) };
        SgCpuAccess { m: self }
    }

    /// Takes the buffer back from the device (`dma_unmap_sgtable`): the
    /// CPU owns it again. Never sleeps.
    ///
    /// ```
    /// # fn f(m: rkm::dma::SgMapping) -> rkm::Result {
    /// let buf = m.unmap();
    /// let mut out = [0u8; 4];
    /// buf.read(0, &mut out)?;
    /// # Ok(()) }
    /// ```
    pub fn unmap(self) -> SgBuffer {
        // SAFETY: our mapped handle; unmapped once (the value is consumed).
        unsafe { abi::rkm_stream_unmap(self.buf.handle.as_ptr()) };
        // INVARIANT: the SgBuffer is unmapped again.
        self.buf
    }
}

/// The segments of an [`SgMapping`], in order ([`SgMapping::segments`]).
///
/// ```
/// # fn f(m: &rkm::dma::SgMapping) {
/// let mut segs = m.segments();
/// let first = segs.next();
/// # let _ = first; }
/// ```
///
/// # Invariants
///
/// `prev` is what the glue gave for segment `i - 1` of `m` (null for 0),
/// and `offset` the buffer offset where segment `i` starts.
pub struct Segments<'a> {
    m: &'a SgMapping,
    prev: *const abi::SgSeg,
    i: usize,
    offset: usize,
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let (mut addr, mut len) = (0u64, 0usize);
        // SAFETY: the mapped handle borrowed for 'a; prev and i agree (the
        // type invariant); valid out-pointers.
        let seg = unsafe {
            abi::rkm_sg_seg(self.m.buf.handle.as_ptr(), self.prev, self.i, &mut addr, &mut len)
        };
        if seg.is_null() {
            return None;
        }
        let item = Segment { addr: DmaAddr { addr, _buf: PhantomData }, len, offset: self.offset };
        // INVARIANT: seg is segment i's cursor; the next one starts len bytes on.
        self.prev = seg;
        self.i += 1;
        self.offset = self.offset.saturating_add(len);
        Some(item)
    }
}

/// One mapped segment of an [`SgMapping`]: device address, length, and
/// where it starts in the buffer.
///
/// ```
/// # fn f(m: &rkm::dma::SgMapping) {
/// for seg in m.segments() {
///     let (at, n) = (seg.offset(), seg.len());
///     # let _ = (at, n);
/// }
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    addr: DmaAddr<'a>,
    len: usize,
    offset: usize,
}

impl<'a> Segment<'a> {
    /// The device address of its byte `off` (`EINVAL` if `off >= len`),
    /// borrowing the mapping.
    ///
    /// ```
    /// # fn f(seg: rkm::dma::Segment<'_>, bar: &rkm::io::Bar<0x100>) -> rkm::Result {
    /// bar.write_dma_addr::<0x80>(seg.dma_addr(0)?);
    /// # Ok(()) }
    /// ```
    pub fn dma_addr(&self, off: usize) -> Result<DmaAddr<'a>> {
        if off >= self.len {
            return Err(EINVAL);
        }
        Ok(DmaAddr { addr: self.addr.addr + off as u64, _buf: PhantomData })
    }

    /// Its length in bytes (never 0).
    ///
    /// ```
    /// # fn f(seg: rkm::dma::Segment<'_>) {
    /// assert!(seg.len() > 0);
    /// # }
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// The buffer offset of its first byte.
    ///
    /// ```
    /// # fn f(seg: rkm::dma::Segment<'_>) {
    /// let at = seg.offset();
    /// # let _ = at; }
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// The CPU's turn on an [`SgMapping`] ([`SgMapping::sync_for_cpu`]): the
/// buffer's copies, then `sync_for_device` at drop. It derefs to the
/// buffer for reads only, as [`CpuAccess`].
///
/// ```
/// # fn f(m: &mut rkm::dma::SgMapping) -> rkm::Result {
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
pub struct SgCpuAccess<'a> {
    m: &'a mut SgMapping,
}

impl core::ops::Deref for SgCpuAccess<'_> {
    type Target = SgBuffer;
    fn deref(&self) -> &SgBuffer {
        &self.m.buf
    }
}

impl SgCpuAccess<'_> {
    /// [`SgBuffer::write`] on the lent buffer.
    ///
    /// ```
    /// # fn f(m: &mut rkm::dma::SgMapping) -> rkm::Result {
    /// m.sync_for_cpu().write(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn write(&mut self, off: usize, data: &[u8]) -> Result {
        self.m.buf.write(off, data)
    }

    /// [`SgBuffer::write_from_user`] on the lent buffer.
    ///
    /// ```
    /// # use rkm::user::UserSliceReader;
    /// # fn f(m: &mut rkm::dma::SgMapping, r: &mut UserSliceReader, n: usize) -> rkm::Result {
    /// m.sync_for_cpu().write_from_user(0, r, n)?;
    /// # Ok(()) }
    /// ```
    pub fn write_from_user(&mut self, off: usize, r: &mut UserSliceReader, n: usize) -> Result {
        self.m.buf.write_from_user(off, r, n)
    }
}

impl Drop for SgCpuAccess<'_> {
    fn drop(&mut self) {
        // SAFETY: the mapping's handle, still mapped (borrowed).
        unsafe { abi::rkm_stream_sync_for_device(self.m.buf.handle.as_ptr()) };
    }
}

// ---------------------------------------------------------------------------
// Descriptor rings (issue 19): typed descriptors in coherent memory.
// ---------------------------------------------------------------------------

/// An integer a [`Descriptor`] field may hold: any bit pattern is a valid
/// value, there is no padding and no pointer.
///
/// Sealed: implemented for `u8`, `u16`, `u32`, `u64` and the signed ones.
/// They are stored in the CPU's byte order, which is little-endian, as PCI
/// devices read descriptors (a big-endian target would not compile).
///
/// ```
/// fn f<V: rkm::dma::DescValue>(_: V) {}
/// f(0u16);
/// ```
pub trait DescValue: Copy + desc_sealed::Sealed {}

// Descriptors are the device's little-endian layout, as the CPU's.
const _: () = assert!(cfg!(target_endian = "little"), "descriptor rings need a little-endian CPU");

pub(crate) mod desc_sealed {
    /// Held only by the integer types of [`DescValue`](super::DescValue).
    #[doc(hidden)]
    pub trait Sealed {}
}

macro_rules! impl_desc_value {
    ($($t:ty),*) => {
        $(
            impl desc_sealed::Sealed for $t {}
            impl DescValue for $t {}
        )*
    };
}
impl_desc_value!(u8, u16, u32, u64, i8, i16, i32, i64);

/// A descriptor type of a [`DescRing`]: a `#[repr(C)]` struct of
/// [`DescValue`] fields without padding, declared with
/// [`dma_descriptor!`](crate::dma_descriptor!), which checks all of it.
///
/// # Safety
///
/// `Self` is `#[repr(C)]`, at least one byte long, its fields are all
/// [`DescValue`]s and its size is the sum of theirs (no padding), so any
/// bytes make a valid value and no byte of it is uninitialised.
///
/// ```
/// rkm::dma_descriptor! { pub struct Desc { pub addr: u64, pub len: u32, pub flags: u32 } }
/// fn f<T: rkm::dma::Descriptor>() {}
/// f::<Desc>();
/// ```
pub unsafe trait Descriptor: Copy + 'static {}

/// One field of descriptor type `T`, of type `V`: what [`DescRing::read`]
/// and [`DescRing::write`] take to reach that field of one descriptor.
/// [`dma_descriptor!`](crate::dma_descriptor!) makes one per field, as an
/// associated constant named like the field (`TxDesc::status`).
///
/// ```
/// rkm::dma_descriptor! { pub struct Desc { pub addr: u64, pub status: u32, pub len: u32 } }
/// let f: rkm::dma::Field<Desc, u32> = Desc::status;
/// # let _ = f;
/// ```
///
/// # Invariants
///
/// `off` is the offset of a field of type `V` in `T`: `off + size_of::<V>()
/// <= size_of::<T>()` and `off` is a multiple of `align_of::<V>()`. (No
/// bounds on the type: [`DescRing`]'s accessors have them, and a wrong
/// field type is reported once, by `dma_descriptor!`'s own check.)
pub struct Field<T, V> {
    off: usize,
    _t: PhantomData<fn(T) -> V>,
}

impl<T, V> Clone for Field<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, V> Copy for Field<T, V> {}

impl<T, V> Field<T, V> {
    /// For [`dma_descriptor!`](crate::dma_descriptor!) only.
    ///
    /// # Safety
    ///
    /// `off` is `core::mem::offset_of!(T, f)` for a field `f: V` of `T`.
    #[doc(hidden)]
    pub const unsafe fn __new(off: usize) -> Self {
        // INVARIANT: the caller's contract.
        Field { off, _t: PhantomData }
    }
}

/// Declares descriptor structs for a [`DescRing`]: each a `#[repr(C)]`
/// struct of integer fields, refused at compile time if it has padding or
/// any field that is not an integer (a reference, a pointer, a `bool`, a
/// nested struct), with one [`Field`] constant per field, named like it,
/// for per-field access to a descriptor on a ring. The struct itself is a
/// plain value for whole-descriptor reads and writes
/// ([`DescRing::get`], [`DescRing::set`]). Only doc comments are accepted
/// as attributes (a `#[cfg]` would defeat the padding check).
///
/// ```
/// rkm::dma_descriptor! {
///     /// Legacy transmit descriptor (82540EM).
///     pub struct TxDesc {
///         pub buffer_addr: u64,
///         pub length: u16,
///         pub cso: u8,
///         pub cmd: u8,
///         pub status: u8,
///         pub css: u8,
///         pub special: u16,
///     }
/// }
/// # fn f(ring: &rkm::dma::DescRing<TxDesc>) {
/// let done = ring.read(0, TxDesc::status) & 1 != 0;
/// # let _ = done; }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! dma_descriptor {
    ($($(#[doc = $m:expr])* $vis:vis struct $name:ident { $($(#[doc = $fm:expr])* $fvis:vis $field:ident : $ty:ty),+ $(,)? })*) => {
        $(
            $(#[doc = $m])*
            #[repr(C)]
            #[derive(
                $crate::__private::Clone,
                $crate::__private::Copy,
                $crate::__private::Default,
                $crate::__private::Debug,
                $crate::__private::PartialEq,
                $crate::__private::Eq
            )]
            $vis struct $name { $($(#[doc = $fm])* $fvis $field: $ty),+ }

            // Every name is reached through `$crate` (see `rkm::__private`).
            const _: () = {
                const fn field_is_desc_value<T: $crate::dma::DescValue>() {}
                $(field_is_desc_value::<$ty>();)+
                $crate::__private::assert!(
                    $crate::__private::size_of::<$name>() == 0 $(+ $crate::__private::size_of::<$ty>())+,
                    "a descriptor may not have padding"
                );
            };

            // SAFETY: repr(C), every field is a DescValue and the size is the
            // sum of the fields' (both checked above; at least one field).
            unsafe impl $crate::dma::Descriptor for $name {}

            #[allow(non_upper_case_globals, dead_code)]
            impl $name {
                $(
                    $(#[doc = $fm])*
                    // SAFETY: the offset of field `$field`, of type `$ty`.
                    $fvis const $field: $crate::dma::Field<$name, $ty> = unsafe {
                        $crate::dma::Field::__new($crate::__private::offset_of!($name, $field))
                    };
                )+
            }
        )*
    };
}

/// The largest ring in bytes: no device needs more, and bigger coherent
/// allocations are high-order page allocations that may fail or warn.
pub const DESC_RING_MAX_BYTES: usize = 1 << 20;

/// A ring of `len()` descriptors of type `T` in coherent DMA memory
/// (`dma_alloc_coherent`, zeroed), for devices that fetch descriptors from
/// a ring base address and a head/tail register pair.
///
/// ```
/// # use rkm::dma::DescRing;
/// rkm::dma_descriptor! { pub struct RxDesc { pub addr: u64, pub len: u16, pub csum: u16,
///     pub status: u8, pub errors: u8, pub special: u16 } }
/// # fn f(dev: &impl rkm::device::DeviceContext, bar: &rkm::io::Bar<0x4000>) -> rkm::Result {
/// let mut ring = DescRing::<RxDesc>::alloc(dev, 256)?;
/// bar.write_dma_addr_lo_hi::<0x2800, 0x2804>(ring.dma_addr());
/// bar.write32::<0x2808>(ring.byte_len() as u32);
/// // The device wrote descriptor `i` back: status first, then the rest.
/// let i = 5;
/// if ring.read(i, RxDesc::status) & 1 != 0 {
///     rkm::dma::dma_rmb();
///     let len = ring.read(i, RxDesc::len);
///     ring.write(i, RxDesc::status, 0);
///     # let _ = len;
/// }
/// # Ok(()) }
/// ```
///
/// Indexes are positions on the ring: every method takes an index modulo
/// `len()` (a power of two, so a mask), so `i` and `i + len()` name the
/// same descriptor and no index, even one read back from a device register
/// (all ones from a device that is gone), reaches outside the ring.
///
/// # Invariants
///
/// `buf` holds `len * size_of::<T>()` bytes (at most
/// [`DESC_RING_MAX_BYTES`]), its CPU address aligned for `T` (and for `u64`
/// when `size_of::<T>()` is a multiple of 8); `len` is a power of two.
/// Every CPU access to it is a volatile read or write of one field, one
/// whole descriptor, or one 64-bit word of a descriptor that is a multiple
/// of 8 bytes long (so that one stays 8-byte aligned), inside the buffer (the index is masked,
/// the field offset is a [`Field`]'s), and no Rust reference to the memory
/// is ever made: the device may write any descriptor at any time, and any
/// bytes are a valid `T` (`Descriptor`'s contract), so a torn read gives a
/// meaningless value, never undefined behaviour. Writes take `&mut self`
/// (or, inside a [`SplitRing`], come from the one side that owns the
/// descriptor), so two CPUs never race on a descriptor. The buffer's
/// lifetime is a [`CoherentBuffer`]'s: freed only once the device cannot
/// master the bus.
/// Reads never sleep (the ring is `IrqSafe`); `alloc` and drop sleep.
pub struct DescRing<T: Descriptor> {
    buf: CoherentBuffer,
    len: usize,
    _t: PhantomData<T>,
}

// SAFETY: `&DescRing` only reads (volatile, never sleeping) and gives
// borrowed device addresses; nothing through it sleeps or locks.
unsafe impl<T: Descriptor> crate::irq::IrqSafe for DescRing<T> {}

impl<T: Descriptor> DescRing<T> {
    /// Allocates a ring of `len` zeroed descriptors: `len` a power of two,
    /// at most [`DESC_RING_MAX_BYTES`] in all (`EINVAL` otherwise; `ENOMEM`
    /// if the allocation fails). Sleeps.
    ///
    /// ```
    /// # use rkm::dma::DescRing;
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub cmd: u64 } }
    /// # fn f(dev: &impl rkm::device::DeviceContext) -> rkm::Result {
    /// let ring = DescRing::<D>::alloc(dev, 64)?;
    /// # drop(ring); Ok(()) }
    /// ```
    pub fn alloc(dev: &impl DeviceContext, len: usize) -> Result<Self> {
        let bytes = len.checked_mul(core::mem::size_of::<T>()).ok_or(EINVAL)?;
        if !len.is_power_of_two() || bytes > DESC_RING_MAX_BYTES {
            return Err(EINVAL);
        }
        let buf = CoherentBuffer::alloc(dev, bytes)?;
        // dma_alloc_coherent gives at least page alignment; checked anyway
        // (for T, and for the 64-bit words whole descriptors move as).
        let cpu = buf.cpu.as_ptr();
        if !cpu.cast::<T>().is_aligned() || (Self::BY_WORDS && !cpu.cast::<u64>().is_aligned()) {
            return Err(EINVAL);
        }
        // INVARIANT: len * size_of::<T>() aligned bytes, len a power of two.
        Ok(DescRing { buf, len, _t: PhantomData })
    }

    /// How many descriptors (a power of two).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>) {
    /// let next = |i: usize| (i + 1) % ring.len();
    /// # let _ = next(0); }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a ring has at least one descriptor); for clippy's `len` rule.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>) {
    /// assert!(!ring.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ring's length in bytes (`len() * size_of::<T>()`), what a
    /// device's ring length register takes.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>, bar: &rkm::io::Bar<0x4000>) {
    /// bar.write32::<0x2808>(ring.byte_len() as u32);
    /// # }
    /// ```
    pub fn byte_len(&self) -> usize {
        self.buf.len
    }

    /// `i` as a position on the ring: `i % len()`.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>) {
    /// assert_eq!(ring.wrap(ring.len() + 3), 3);
    /// # }
    /// ```
    pub fn wrap(&self, i: usize) -> usize {
        i & (self.len - 1)
    }

    /// The device address of the ring's first descriptor (the ring base
    /// registers), borrowing the ring.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>, bar: &rkm::io::Bar<0x4000>) {
    /// bar.write_dma_addr_lo_hi::<0x3800, 0x3804>(ring.dma_addr());
    /// # }
    /// ```
    pub fn dma_addr(&self) -> DmaAddr<'_> {
        DmaAddr { addr: self.buf.addr, _buf: PhantomData }
    }

    /// A pointer to byte `off` (`< size_of::<T>()`) of descriptor `i % len()`.
    fn at(&self, i: usize, off: usize) -> *mut u8 {
        let at = self.wrap(i) * core::mem::size_of::<T>() + off;
        // SAFETY: wrap(i) < len and off < size_of::<T>() (callers pass a
        // Field's offset or 0): inside the buffer (the type invariant).
        unsafe { self.buf.cpu.as_ptr().add(at) }
    }

    /// Reads field `f` of descriptor `i % len()` (one volatile load).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u32, pub len: u32 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>) {
    /// let done = ring.read(3, D::status) & 1 != 0;
    /// # let _ = done; }
    /// ```
    #[inline]
    pub fn read<V: DescValue>(&self, i: usize, f: Field<T, V>) -> V {
        let p = self.at(i, f.off).cast::<V>();
        // SAFETY: a V inside the ring, aligned (base aligned for T, T's size a
        // multiple of its alignment, the field at its offset: Field's
        // invariant); volatile, through no reference; any bits are a V.
        unsafe { core::ptr::read_volatile(p) }
    }

    /// Writes field `f` of descriptor `i % len()` (one volatile store).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u32, pub len: u32 } }
    /// # fn f(ring: &mut rkm::dma::DescRing<D>) {
    /// ring.write(3, D::status, 0);
    /// # }
    /// ```
    #[inline]
    pub fn write<V: DescValue>(&mut self, i: usize, f: Field<T, V>, v: V) {
        let p = self.at(i, f.off).cast::<V>();
        // SAFETY: as in read; &mut self: no other CPU access at the same time.
        unsafe { core::ptr::write_volatile(p, v) }
    }

    /// Reads the whole descriptor `i % len()` (volatile; its fields in no
    /// set order: read a status field first with [`read`](Self::read), then
    /// [`dma_rmb`], then this). A descriptor whose size is a multiple of 8
    /// is read as 64-bit words, one load each (aligned: single-copy atomic),
    /// so fields that share a word are seen together: where the status and
    /// all the device writes with it share one, this alone will do.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u32, pub len: u32 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>) {
    /// let d: D = ring.get(7);
    /// # let _ = d; }
    /// ```
    #[inline]
    pub fn get(&self, i: usize) -> T {
        let p = self.at(i, 0);
        if Self::BY_WORDS {
            let mut d = core::mem::MaybeUninit::<T>::uninit();
            let to = d.as_mut_ptr().cast::<u8>();
            for k in 0..core::mem::size_of::<T>() / 8 {
                // SAFETY: word k of the descriptor, inside the ring and
                // 8-byte aligned (BY_WORDS), read volatile through no
                // reference; written into word k of `d` (unaligned: `d`
                // is only T-aligned).
                unsafe {
                    let w = core::ptr::read_volatile(p.add(8 * k).cast::<u64>());
                    core::ptr::write_unaligned(to.add(8 * k).cast::<u64>(), w);
                }
            }
            // SAFETY: every byte written above; any bytes are a T
            // (Descriptor's contract).
            return unsafe { d.assume_init() };
        }
        // SAFETY: a T inside the ring, aligned; any bytes are a T
        // (Descriptor's contract); volatile, through no reference.
        unsafe { core::ptr::read_volatile(p.cast::<T>()) }
    }

    /// Whole descriptors move as 64-bit words, as C drivers write them
    /// (a volatile struct access is one access per field): for a size that
    /// is a multiple of 8, every descriptor is 8-byte aligned (the buffer
    /// is page-aligned).
    const BY_WORDS: bool = core::mem::size_of::<T>().is_multiple_of(8);

    /// Writes the whole descriptor `i % len()` (volatile; its fields in no
    /// set order: write the field that hands it to the device last, with
    /// [`write`](Self::write) after [`dma_wmb`], if the device polls it).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u32, pub len: u32 } }
    /// # fn f(ring: &mut rkm::dma::DescRing<D>) {
    /// ring.set(7, D { len: 60, ..D::default() });
    /// # }
    /// ```
    #[inline]
    pub fn set(&mut self, i: usize, d: T) {
        // SAFETY: &mut self: no other CPU access at the same time.
        unsafe { self.set_shared(i, d) }
    }

    /// [`set`](Self::set) through `&self`, for a [`SplitRing`].
    ///
    /// # Safety
    ///
    /// No other CPU accesses descriptor `i % len()` until this returns.
    #[inline]
    unsafe fn set_shared(&self, i: usize, d: T) {
        let p = self.at(i, 0);
        if Self::BY_WORDS {
            let from = (&raw const d).cast::<u8>();
            for k in 0..core::mem::size_of::<T>() / 8 {
                // SAFETY: as in get, the other way; `d` has no padding
                // (Descriptor's contract): every byte is initialised; no
                // other CPU access at the same time (the caller's promise).
                unsafe {
                    let w = core::ptr::read_unaligned(from.add(8 * k).cast::<u64>());
                    core::ptr::write_volatile(p.add(8 * k).cast::<u64>(), w);
                }
            }
            return;
        }
        // SAFETY: as in get; no other CPU access at the same time (the
        // caller's promise).
        unsafe { core::ptr::write_volatile(p.cast::<T>(), d) }
    }
}

/// Orders the CPU's writes to coherent memory before its later ones, as
/// the device sees them (`dma_wmb()`): fill a descriptor, `dma_wmb()`,
/// then set the field that hands it to the device. A register write
/// through a [`Bar`](crate::io::Bar) (`writel`) is already ordered after
/// every earlier write to memory: "write descriptors, write the tail
/// register" needs no barrier of its own (as the kernel's e1000 shows,
/// which still puts a `dma_wmb()` there for old weakly ordered machines).
/// Never sleeps.
///
/// ```
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub cmd: u32, pub own: u32 } }
/// # fn f(ring: &mut rkm::dma::DescRing<D>) {
/// ring.write(0, D::cmd, 0x9);
/// rkm::dma::dma_wmb();
/// ring.write(0, D::own, 1);
/// # }
/// ```
#[inline]
pub fn dma_wmb() {
    // x86's dma_wmb() is barrier(): stores reach coherent memory in order
    // (arch/x86/include/asm/barrier.h); the compiler must not reorder them.
    #[cfg(target_arch = "x86_64")]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: no precondition.
    unsafe {
        abi::rkm_ring_dma_wmb()
    }
}

/// Orders the CPU's reads of coherent memory after its earlier ones
/// (`dma_rmb()`): read a descriptor's done bit, `dma_rmb()`, then read the
/// rest, which the device wrote before the done bit. Never sleeps.
///
/// ```
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub len: u32, pub status: u32 } }
/// # fn f(ring: &rkm::dma::DescRing<D>) -> Option<u32> {
/// if ring.read(0, D::status) & 1 == 0 {
///     return None;
/// }
/// rkm::dma::dma_rmb();
/// Some(ring.read(0, D::len))
/// # }
/// ```
#[inline]
pub fn dma_rmb() {
    // As dma_wmb: barrier() on x86, whose loads are not reordered with
    // older loads.
    #[cfg(target_arch = "x86_64")]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: no precondition.
    unsafe {
        abi::rkm_ring_dma_rmb()
    }
}

// --- issue 19, rust_e1000: a ring shared with atomic context ---

/// A [`DescRing`] and a slot per descriptor for what the driver keeps of
/// it (`B`: the packet a descriptor carries), split between the side that
/// hands descriptors to the device, the [`Producer`] (a network driver's
/// `start_xmit`, its receive refill), and the side that takes them back,
/// the [`Consumer`] (its NAPI poll). The two run at the same time on
/// different CPUs, in any context, with no lock and interrupts on, as a C
/// driver's ring (e1000's `next_to_use` and `next_to_clean`).
///
/// The first `count()` descriptors are in use. The consumer owns those
/// from its tail up to the producer's head (handed to the device, not yet
/// taken back); the producer owns the others but one, which keeps a full
/// ring apart from an empty one. Each side moves only its own index, and
/// sees the other's with acquire/release ordering, so a slot the producer
/// filled is the consumer's once the head has passed it, and back.
///
/// There is at most one `Producer` and one `Consumer` at a time: taking
/// one is a *try* (an atomic flag, never a wait), which gives `None` while
/// another of that side exists. Callers the kernel serialises never see `None`
/// (`start_xmit` under the queue's transmit lock, a NAPI poll); a driver
/// that takes a side from two places at once gets `None` in one of them,
/// never two writers of a slot or descriptor. [`exclusive`](Self::exclusive)
/// takes both, for what changes the whole ring (its size, its indices,
/// every slot: a driver's open and close, once its queue and NAPI are
/// disabled).
///
/// ```
/// # use rkm::dma::{DescRing, SplitRing};
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u64 } }
/// # fn f(ring: DescRing<D>) -> rkm::Result {
/// let tx = SplitRing::<D, u32>::new(ring)?;
/// if let Some(mut p) = tx.producer() {
///     p.set(0, D { addr: 0x1000, status: 0 })?;
///     *p.slot(0).ok_or(rkm::error::code::ENOSPC)? = Some(60);
///     p.advance(1)?; // the device's now: write its tail register
/// }
/// if let Some(mut c) = tx.consumer() {
///     while c.read(D::status).is_some_and(|s| s & 1 != 0) {
///         let _len = c.slot().and_then(Option::take);
///         c.advance();
///     }
/// }
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `slots.len() == ring.len()`; `2 <= count <= ring.len()`; `head` and
/// `tail` are below `count`. `producing` is set while a [`Producer`] or
/// [`Exclusive`] exists, `consuming` while a [`Consumer`] or `Exclusive`
/// does. Only a `Producer` or `Exclusive` writes `head`, only a `Consumer`
/// or `Exclusive` writes `tail`, only an `Exclusive` writes `count`. A
/// `Producer` touches (slot, descriptor write) only positions `head + k`
/// with `k < count - 1 - (head - tail)` for a `tail` it loaded (the
/// consumer has released them), a `Consumer` only its `tail` when that
/// differs from a `head` it loaded (the producer has released it). So no
/// slot and no descriptor is accessed from two sides at once.
pub struct SplitRing<T: Descriptor, B> {
    ring: DescRing<T>,
    slots: crate::alloc::KSlice<core::cell::UnsafeCell<Option<B>>>,
    count: AtomicUsize,
    head: AtomicUsize,
    tail: AtomicUsize,
    producing: AtomicBool,
    consuming: AtomicBool,
}

// SAFETY: a slot's value is accessed from one side at a time (the type
// invariant) and may move between CPUs with it: B: Send.
unsafe impl<T: Descriptor, B: Send> Sync for SplitRing<T, B> {}

// SAFETY: through `&SplitRing` only atomic flags and indices, volatile
// descriptor accesses and slots by `&mut Option<B>` are reachable: none
// sleeps, and a value replaced in a slot is dropped wherever the caller is
// (B: IrqDrop). No `&mut DescRing` is given out, so the ring is freed only
// with the SplitRing, which is not IrqDrop.
unsafe impl<T: Descriptor, B: crate::irq::IrqSafe + crate::irq::IrqDrop + Send> crate::irq::IrqSafe
    for SplitRing<T, B>
{
}

/// `i + n` on a ring of `count` (`i < count`, `n <= count`).
#[inline]
fn ring_add(i: usize, n: usize, count: usize) -> usize {
    let j = i + n;
    if j >= count {
        j - count
    } else {
        j
    }
}

/// Positions from `from` up to `to` on a ring of `count`.
#[inline]
fn ring_distance(from: usize, to: usize, count: usize) -> usize {
    if to >= from {
        to - from
    } else {
        to + count - from
    }
}

impl<T: Descriptor, B> SplitRing<T, B> {
    /// `ring` with an empty slot per descriptor, all of them in use, empty
    /// (`ENOMEM`; `EINVAL` for a ring of one). Sleeps.
    ///
    /// ```
    /// # use rkm::dma::{DescRing, SplitRing};
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub cmd: u64 } }
    /// # fn f(ring: DescRing<D>) -> rkm::Result<SplitRing<D, u32>> {
    /// SplitRing::new(ring)
    /// # }
    /// ```
    pub fn new(ring: DescRing<T>) -> Result<Self> {
        let n = ring.len();
        if n < 2 {
            return Err(EINVAL);
        }
        let mut slots = crate::alloc::KVec::try_with_capacity(n)?;
        for _ in 0..n {
            slots.try_push(core::cell::UnsafeCell::new(None))?;
        }
        // INVARIANT: a slot per descriptor; count = len >= 2; both indices 0.
        Ok(SplitRing {
            ring,
            slots: slots.into(),
            count: AtomicUsize::new(n),
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            producing: AtomicBool::new(false),
            consuming: AtomicBool::new(false),
        })
    }

    /// How many descriptors the ring has (in use or not: a power of two).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>) -> usize {
    /// tx.len()
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Never: a ring has at least two descriptors.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>) { assert!(!tx.is_empty()); }
    /// ```
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The ring's device address, for its base address registers.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>, bar: &rkm::io::Bar<0x4000>) {
    /// bar.write_dma_addr_lo_hi::<0x3800, 0x3804>(tx.dma_addr());
    /// # }
    /// ```
    pub fn dma_addr(&self) -> DmaAddr<'_> {
        self.ring.dma_addr()
    }

    /// The producer's head as last published: the position after the last
    /// descriptor handed over (a tail register's value).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>, bar: &rkm::io::Bar<0x4000>) {
    /// bar.write32::<0x3818>(tx.produced() as u32);
    /// # }
    /// ```
    pub fn produced(&self) -> usize {
        self.head.load(Ordering::Acquire)
    }

    /// The producer side, unless one is in use (or an [`Exclusive`]).
    /// Never waits; any context.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>) {
    /// let p = tx.producer();
    /// assert!(p.is_none() || tx.producer().is_none());
    /// # }
    /// ```
    #[inline]
    pub fn producer(&self) -> Option<Producer<'_, T, B>> {
        if self.producing.swap(true, Ordering::Acquire) {
            return None;
        }
        // INVARIANT: the flag is ours until the Producer drops.
        let (head, count) = (self.head.load(Ordering::Relaxed), self.count.load(Ordering::Relaxed));
        let mut p = Producer { r: self, head, count, free: 0 };
        p.room();
        Some(p)
    }

    /// The consumer side, unless one is in use (or an [`Exclusive`]).
    /// Never waits; any context.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>) {
    /// let c = tx.consumer();
    /// assert!(c.is_none() || tx.consumer().is_none());
    /// # }
    /// ```
    #[inline]
    pub fn consumer(&self) -> Option<Consumer<'_, T, B>> {
        if self.consuming.swap(true, Ordering::Acquire) {
            return None;
        }
        // INVARIANT: the flag is ours until the Consumer drops.
        let (tail, count) = (self.tail.load(Ordering::Relaxed), self.count.load(Ordering::Relaxed));
        Some(Consumer { r: self, tail, count, avail: 0 })
    }

    /// Both sides at once, unless either is in use. Never waits; any
    /// context.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(tx: &rkm::dma::SplitRing<D, ()>) {
    /// if let Some(all) = tx.exclusive() {
    ///     assert!(tx.producer().is_none() && tx.consumer().is_none());
    ///     drop(all);
    /// }
    /// # }
    /// ```
    pub fn exclusive(&self) -> Option<Exclusive<'_, T, B>> {
        if self.producing.swap(true, Ordering::Acquire) {
            return None;
        }
        if self.consuming.swap(true, Ordering::Acquire) {
            self.producing.store(false, Ordering::Release);
            return None;
        }
        // INVARIANT: both flags are ours until the Exclusive drops.
        Some(Exclusive { r: self })
    }

    /// Slot `i` (`i < len()`).
    ///
    /// # Safety
    ///
    /// The caller's side owns position `i` (the type invariant), and holds
    /// `&mut` of its handle for the reference's lifetime.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    unsafe fn slot_at(&self, i: usize) -> Option<&mut Option<B>> {
        // SAFETY: only the side that owns position i reaches its slot, and
        // only one handle of a side exists (the caller's promise).
        self.slots.get(i).map(|c| unsafe { &mut *c.get() })
    }
}

/// The producer side of a [`SplitRing`]: fills descriptors and slots from
/// its head on, then [`advance`](Self::advance)s the head over them, which
/// hands them to the consumer (write the device's tail register after).
///
/// Positions are offsets from the head: `k` names `next() + k` on the ring.
///
/// ```
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub len: u64 } }
/// # fn f(rx: &rkm::dma::SplitRing<D, u32>) -> usize {
/// let Some(mut p) = rx.producer() else { return 0 };
/// let room = p.room();
/// for k in 0..room {
///     let _ = p.set(k, D { addr: 0x1000 * k as u64, len: 2048 });
/// }
/// let _ = p.advance(room);
/// p.next() // the device's new tail
/// # }
/// ```
pub struct Producer<'a, T: Descriptor, B> {
    r: &'a SplitRing<T, B>,
    head: usize,
    count: usize,
    /// Positions from head on that the consumer has released (room()).
    free: usize,
}

impl<T: Descriptor, B> Producer<'_, T, B> {
    /// The position of offset 0 (the head).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &rkm::dma::Producer<'_, D, ()>) -> usize {
    /// p.next()
    /// # }
    /// ```
    #[inline]
    pub fn next(&self) -> usize {
        self.head
    }

    /// Descriptors in use (the ring's size for the device).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &rkm::dma::Producer<'_, D, ()>) -> usize {
    /// p.count()
    /// # }
    /// ```
    #[inline]
    pub fn count(&self) -> usize {
        self.count
    }

    /// How many positions from the head on the producer may fill now (the
    /// consumer's tail read again: it only grows).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &mut rkm::dma::Producer<'_, D, ()>) -> bool {
    /// p.room() >= 2
    /// # }
    /// ```
    #[inline]
    pub fn room(&mut self) -> usize {
        let tail = self.r.tail.load(Ordering::Acquire);
        self.free = self.count - 1 - ring_distance(tail, self.head, self.count);
        self.free
    }

    /// The room as last read (when the handle was taken, or by
    /// [`room`](Self::room)) less what [`advance`](Self::advance) handed
    /// over since: no read of the consumer's tail, so possibly less than
    /// [`room`](Self::room) would say now, never more. The cheap first
    /// look of a transmit path; read `room()` again before giving up.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &mut rkm::dma::Producer<'_, D, ()>) -> bool {
    /// p.last_room() >= 2 || p.room() >= 2
    /// # }
    /// ```
    #[inline]
    pub fn last_room(&self) -> usize {
        self.free
    }

    /// Writes the descriptor at offset `k` (`ENOSPC` unless `k < room()`).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &mut rkm::dma::Producer<'_, D, ()>) -> rkm::Result {
    /// p.set(0, D { a: 0x1000, b: 60 })
    /// # }
    /// ```
    #[inline]
    pub fn set(&mut self, k: usize, d: T) -> Result {
        if k >= self.free {
            return Err(ENOSPC);
        }
        // SAFETY: head + k is the producer's (k < free), and this is the one
        // Producer: no other CPU accesses that descriptor.
        unsafe { self.r.ring.set_shared(ring_add(self.head, k, self.count), d) };
        Ok(())
    }

    /// The slot at offset `k` (None unless `k < room()`).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &mut rkm::dma::Producer<'_, D, u32>) {
    /// if let Some(s) = p.slot(0) {
    ///     *s = Some(60);
    /// }
    /// # }
    /// ```
    #[inline]
    pub fn slot(&mut self, k: usize) -> Option<&mut Option<B>> {
        if k >= self.free {
            return None;
        }
        // SAFETY: head + k is the producer's (k < free); &mut self for the
        // reference's lifetime, so it cannot outlive an advance over it.
        unsafe { self.r.slot_at(ring_add(self.head, k, self.count)) }
    }

    /// Fills positions from offset 0 on, in order, up to the room: `f`
    /// gets each one's slot and returns its descriptor, which is written
    /// there, or `None` to stop (nothing written at that position). How
    /// many it filled; [`advance`](Self::advance) hands them over. One walk
    /// of the ring, not a position computed per [`slot`](Self::slot) and
    /// [`set`](Self::set): a receive ring's refill.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub len: u64 } }
    /// # fn f(rx: &rkm::dma::SplitRing<D, u64>) {
    /// let Some(mut p) = rx.producer() else { return };
    /// let n = p.fill(|slot| {
    ///     let addr = *slot.get_or_insert(0x1000);
    ///     Some(D { addr, len: 2048 })
    /// });
    /// let _ = p.advance(n);
    /// # }
    /// ```
    #[inline]
    pub fn fill(&mut self, mut f: impl FnMut(&mut Option<B>) -> Option<T>) -> usize {
        let mut i = self.head;
        for k in 0..self.free {
            // SAFETY: head + k is the producer's (k < free); the reference
            // ends before the next position's (the closure's argument).
            let Some(slot) = (unsafe { self.r.slot_at(i) }) else { return k };
            let Some(d) = f(slot) else { return k };
            // SAFETY: as in set: position i is the producer's.
            unsafe { self.r.ring.set_shared(i, d) };
            i += 1;
            if i == self.count {
                i = 0;
            }
        }
        self.free
    }

    /// Hands the `n` positions from the head on to the consumer
    /// (`ENOSPC` unless `n <= room()`): the head moves, and the slots and
    /// descriptors written before are the consumer's to see.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(p: &mut rkm::dma::Producer<'_, D, ()>, bar: &rkm::io::Bar<0x4000>) -> rkm::Result {
    /// p.advance(1)?;
    /// bar.write32::<0x3818>(p.next() as u32);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn advance(&mut self, n: usize) -> Result {
        if n > self.free {
            return Err(ENOSPC);
        }
        self.head = ring_add(self.head, n, self.count);
        self.free -= n;
        self.r.head.store(self.head, Ordering::Release);
        Ok(())
    }
}

impl<T: Descriptor, B> Drop for Producer<'_, T, B> {
    #[inline]
    fn drop(&mut self) {
        self.r.producing.store(false, Ordering::Release);
    }
}

/// The consumer side of a [`SplitRing`]: reads the descriptor at its tail
/// and takes what its slot holds, then [`advance`](Self::advance)s the
/// tail, which gives the position back to the producer.
///
/// ```
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u64 } }
/// # fn f(tx: &rkm::dma::SplitRing<D, u32>) -> u32 {
/// let mut sent = 0;
/// if let Some(mut c) = tx.consumer() {
///     while c.read(D::status).is_some_and(|s| s & 1 != 0) {
///         sent += c.slot().and_then(Option::take).unwrap_or(0);
///         c.advance();
///     }
/// }
/// sent
/// # }
/// ```
pub struct Consumer<'a, T: Descriptor, B> {
    r: &'a SplitRing<T, B>,
    tail: usize,
    count: usize,
    /// Positions from tail on the producer has handed over (as last seen).
    avail: usize,
}

impl<T: Descriptor, B> Consumer<'_, T, B> {
    /// Whether the tail holds something (the producer's head read again
    /// when what was seen is used up).
    #[inline]
    fn ready(&mut self) -> bool {
        if self.avail == 0 {
            let head = self.r.head.load(Ordering::Acquire);
            self.avail = ring_distance(self.tail, head, self.count);
        }
        self.avail != 0
    }

    /// The tail's position, if the producer handed it over.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(c: &mut rkm::dma::Consumer<'_, D, ()>) -> bool {
    /// c.peek().is_none() // empty
    /// # }
    /// ```
    #[inline]
    pub fn peek(&mut self) -> Option<usize> {
        self.ready().then_some(self.tail)
    }

    /// Field `f` of the tail's descriptor (None if empty).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub status: u64 } }
    /// # fn f(c: &mut rkm::dma::Consumer<'_, D, ()>) -> bool {
    /// c.read(D::status).is_some_and(|s| s & 1 != 0)
    /// # }
    /// ```
    #[inline]
    pub fn read<V: DescValue>(&mut self, f: Field<T, V>) -> Option<V> {
        self.ready().then(|| self.r.ring.read(self.tail, f))
    }

    /// The tail's whole descriptor (None if empty), as
    /// [`DescRing::get`]: read its status with [`read`](Self::read) first,
    /// then [`dma_rmb`], then this, unless the status and what the device
    /// writes with it share a 64-bit word.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub status: u64 } }
    /// # fn f(c: &mut rkm::dma::Consumer<'_, D, ()>) -> Option<D> {
    /// c.get()
    /// # }
    /// ```
    #[inline]
    pub fn get(&mut self) -> Option<T> {
        self.ready().then(|| self.r.ring.get(self.tail))
    }

    /// The tail's slot (None if empty): take what it holds, or leave it
    /// for the producer to find there again.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(c: &mut rkm::dma::Consumer<'_, D, u32>) -> Option<u32> {
    /// c.slot().and_then(Option::take)
    /// # }
    /// ```
    #[inline]
    pub fn slot(&mut self) -> Option<&mut Option<B>> {
        if !self.ready() {
            return None;
        }
        // SAFETY: the tail is the consumer's (handed over: avail > 0);
        // &mut self for the reference's lifetime, so it cannot outlive the
        // advance that gives it back.
        unsafe { self.r.slot_at(self.tail) }
    }

    /// Gives the tail's position back to the producer (false if empty).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(c: &mut rkm::dma::Consumer<'_, D, ()>) {
    /// while c.advance() {}
    /// # }
    /// ```
    #[inline]
    pub fn advance(&mut self) -> bool {
        if !self.ready() {
            return false;
        }
        self.tail = ring_add(self.tail, 1, self.count);
        self.avail -= 1;
        self.r.tail.store(self.tail, Ordering::Release);
        true
    }

    /// The producer's room as the consumer sees it (for a queue's wake-up
    /// test).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(c: &rkm::dma::Consumer<'_, D, ()>) -> bool {
    /// c.room() >= 32
    /// # }
    /// ```
    #[inline]
    pub fn room(&self) -> usize {
        let head = self.r.head.load(Ordering::Acquire);
        self.count - 1 - ring_distance(self.tail, head, self.count)
    }
}

impl<T: Descriptor, B> Drop for Consumer<'_, T, B> {
    #[inline]
    fn drop(&mut self) {
        self.r.consuming.store(false, Ordering::Release);
    }
}

/// Both sides of a [`SplitRing`]: every descriptor and slot, its size and
/// indices.
///
/// ```
/// # rkm::dma_descriptor! { pub struct D { pub addr: u64, pub status: u64 } }
/// # fn f(tx: &rkm::dma::SplitRing<D, u32>) -> rkm::Result {
/// let mut all = tx.exclusive().ok_or(rkm::error::code::EBUSY)?;
/// all.slots().for_each(|s| *s = None);
/// all.reset(all.count())
/// # }
/// ```
pub struct Exclusive<'a, T: Descriptor, B> {
    r: &'a SplitRing<T, B>,
}

impl<T: Descriptor, B> Exclusive<'_, T, B> {
    /// Uses the first `count` descriptors (`EINVAL` unless `2 <= count <=
    /// len()`), empty: head and tail at 0. The slots keep what they hold.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(all: &mut rkm::dma::Exclusive<'_, D, ()>) -> rkm::Result {
    /// all.reset(256)
    /// # }
    /// ```
    pub fn reset(&mut self, count: usize) -> Result {
        if count < 2 || count > self.r.ring.len() {
            return Err(EINVAL);
        }
        self.r.count.store(count, Ordering::Relaxed);
        self.r.head.store(0, Ordering::Relaxed);
        self.r.tail.store(0, Ordering::Relaxed);
        Ok(())
    }

    /// Descriptors in use.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(all: &rkm::dma::Exclusive<'_, D, ()>) -> usize {
    /// all.count()
    /// # }
    /// ```
    pub fn count(&self) -> usize {
        self.r.count.load(Ordering::Relaxed)
    }

    /// Writes descriptor `i % len()`.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(all: &mut rkm::dma::Exclusive<'_, D, ()>) {
    /// for i in 0..all.count() {
    ///     all.set(i, D::default());
    /// }
    /// # }
    /// ```
    pub fn set(&mut self, i: usize, d: T) {
        // SAFETY: both sides are ours: no other CPU accesses a descriptor.
        unsafe { self.r.ring.set_shared(i, d) }
    }

    /// Every slot (to empty them once the device is stopped).
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(all: &mut rkm::dma::Exclusive<'_, D, u32>) {
    /// all.slots().for_each(|s| *s = None);
    /// # }
    /// ```
    pub fn slots(&mut self) -> impl Iterator<Item = &mut Option<B>> + '_ {
        // SAFETY: both sides are ours, and &mut self for the iterator's
        // lifetime: every slot is this handle's alone.
        (0..self.r.slots.len()).filter_map(|i| unsafe { self.r.slot_at(i) })
    }
}

impl<T: Descriptor, B> Drop for Exclusive<'_, T, B> {
    fn drop(&mut self) {
        self.r.consuming.store(false, Ordering::Release);
        self.r.producing.store(false, Ordering::Release);
    }
}

impl<const SIZE: usize> crate::io::Bar<SIZE> {
    /// Writes a device address to a pair of 32-bit registers, the low half
    /// at `LO` then the high half at `HI` (`lo_hi_writeq`), for devices
    /// whose base address registers are two 32-bit ones (e1000's
    /// RDBAL/RDBAH). Like [`write_dma_addr`](Self::write_dma_addr), the one
    /// way for such an address to leave its buffer. Never sleeps.
    ///
    /// ```
    /// # rkm::dma_descriptor! { pub struct D { pub a: u64, pub b: u64 } }
    /// # fn f(ring: &rkm::dma::DescRing<D>, bar: &rkm::io::Bar<0x4000>) {
    /// bar.write_dma_addr_lo_hi::<0x3800, 0x3804>(ring.dma_addr());
    /// # }
    /// ```
    #[inline]
    pub fn write_dma_addr_lo_hi<const LO: usize, const HI: usize>(&self, addr: DmaAddr<'_>) {
        self.write32::<LO>(addr.addr as u32);
        self.write32::<HI>((addr.addr >> 32) as u32);
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use crate::platform::{self, Device, PlatformDevice, Registration};
    use crate::sync::{Arc, Mutex};
    use core::mem::size_of;

    pub(crate) const CASES: &[Case] = &[
        ("ring_refuses_bad_sizes", || on_device(refuses_bad_sizes)),
        ("ring_field_layout", ring_field_layout),
        ("ring_fields_round_trip", || on_device(fields_round_trip)),
        ("ring_index_wraps", || on_device(index_wraps)),
        ("ring_base_address", || on_device(base_address)),
        ("split_ring_one_side_each", || on_device(split_one_side_each)),
        ("split_ring_wraps_and_resets", || on_device(split_wraps_and_resets)),
        ("split_ring_fill", || on_device(split_fill)),
        ("split_ring_concurrent_fifo", || on_device(split_concurrent_fifo)),
    ];

    crate::dma_descriptor! {
        /// The 82540EM's legacy transmit descriptor.
        struct TxDesc { addr: u64, length: u16, cso: u8, cmd: u8, status: u8, css: u8, special: u16 }
        /// One of every width, widest last.
        struct Mixed { a: u8, b: i8, c: u16, d: u32, e: u64 }
    }

    type Body = fn(&mut Device<'_, RingDrv>) -> Result;

    /// Runs its body in the probe of a platform device (which has a DMA
    /// mask, so coherent memory), and keeps what it returned.
    struct RingDrv {
        body: Body,
        out: Arc<Mutex<Option<Result>>>,
    }

    impl driver::Driver for RingDrv {
        const NAME: &'static str = "rkm_ktest_ring";
        type Hw = ();
        type Data = ();
    }

    impl platform::Driver for RingDrv {
        fn probe(&self, dev: &mut Device<'_, Self>) -> Result<((), ())> {
            *self.out.lock() = Some((self.body)(dev));
            Ok(((), ()))
        }
    }

    use crate::driver;

    fn on_device(body: Body) -> Result {
        let out = Arc::try_new(crate::new_mutex!(None)?)?;
        let drv = Registration::register(RingDrv { body, out: out.clone() })?;
        let dev = PlatformDevice::register("rkm_ktest_ring", 0)?;
        // Unbind: the rings dropped in probe are freed now, not before.
        drop((dev, drv));
        let r = *out.lock();
        r.unwrap_or(Err(ENODEV))
    }

    fn refuses_bad_sizes(dev: &mut Device<'_, RingDrv>) -> Result {
        for bad in [0, 3, 6, 100, usize::MAX, usize::MAX / 2 + 1] {
            kassert!(DescRing::<TxDesc>::alloc(dev, bad).err() == Some(EINVAL));
        }
        let most = DESC_RING_MAX_BYTES / size_of::<TxDesc>();
        kassert!(DescRing::<TxDesc>::alloc(dev, most * 2).err() == Some(EINVAL));
        let big = DescRing::<TxDesc>::alloc(dev, most)?;
        kassert!(big.len() == most && big.byte_len() == DESC_RING_MAX_BYTES);
        let one = DescRing::<TxDesc>::alloc(dev, 1)?;
        kassert!(one.len() == 1 && one.byte_len() == 16 && one.wrap(12345) == 0);
        Ok(())
    }

    // The layout is C's (e1000_hw.h's struct e1000_tx_desc): no padding,
    // each field at its offset.
    fn ring_field_layout() -> Result {
        kassert!(size_of::<TxDesc>() == 16 && size_of::<Mixed>() == 16);
        let offs = [
            TxDesc::addr.off,
            TxDesc::length.off,
            TxDesc::cso.off,
            TxDesc::cmd.off,
            TxDesc::status.off,
            TxDesc::css.off,
            TxDesc::special.off,
        ];
        kassert!(offs == [0, 8, 10, 11, 12, 13, 14]);
        kassert!(
            [Mixed::a.off, Mixed::b.off, Mixed::c.off, Mixed::d.off, Mixed::e.off]
                == [0, 1, 2, 4, 8]
        );
        Ok(())
    }

    fn fields_round_trip(dev: &mut Device<'_, RingDrv>) -> Result {
        let mut ring = DescRing::<Mixed>::alloc(dev, 8)?;
        // Zeroed.
        for i in 0..8 {
            kassert!(ring.get(i) == Mixed::default());
        }
        ring.write(3, Mixed::a, 0xa5);
        ring.write(3, Mixed::b, -2);
        ring.write(3, Mixed::c, 0xbeef);
        ring.write(3, Mixed::d, 0xdead_beef);
        ring.write(3, Mixed::e, 0x0123_4567_89ab_cdef);
        let want = Mixed { a: 0xa5, b: -2, c: 0xbeef, d: 0xdead_beef, e: 0x0123_4567_89ab_cdef };
        kassert!(ring.get(3) == want);
        kassert!(ring.read(3, Mixed::c) == 0xbeef && ring.read(3, Mixed::b) == -2);
        // Neighbours untouched.
        kassert!(ring.get(2) == Mixed::default() && ring.get(4) == Mixed::default());
        // One field written leaves the others of its descriptor.
        ring.write(3, Mixed::c, 1);
        kassert!(ring.get(3) == Mixed { c: 1, ..want });
        // Whole descriptors, then fields of them; the last one too.
        let d = Mixed { a: 1, b: 2, c: 3, d: 4, e: 5 };
        ring.set(7, d);
        kassert!(ring.get(7) == d && ring.read(7, Mixed::e) == 5 && ring.read(7, Mixed::a) == 1);
        kassert!(ring.get(6) == Mixed::default() && ring.get(0) == Mixed::default());
        dma_wmb();
        dma_rmb();
        Ok(())
    }

    fn index_wraps(dev: &mut Device<'_, RingDrv>) -> Result {
        let mut ring = DescRing::<TxDesc>::alloc(dev, 16)?;
        kassert!(ring.wrap(16) == 0 && ring.wrap(17) == 1 && ring.wrap(usize::MAX) == 15);
        ring.write(16 + 5, TxDesc::length, 60);
        kassert!(ring.read(5, TxDesc::length) == 60);
        ring.write(usize::MAX, TxDesc::status, 1);
        kassert!(ring.read(15, TxDesc::status) == 1);
        // A tail register value read from a device that is gone.
        kassert!(ring.read(0xffff_ffff, TxDesc::status) == 1);
        ring.set(32, TxDesc { addr: 0x1000, length: 42, ..TxDesc::default() });
        kassert!(ring.read(0, TxDesc::addr) == 0x1000 && ring.read(0, TxDesc::length) == 42);
        // Walking past the end comes back to the start.
        for i in 0..48 {
            ring.write(i, TxDesc::special, i as u16);
        }
        for i in 0..16 {
            kassert!(ring.read(i, TxDesc::special) == (32 + i) as u16);
        }
        Ok(())
    }

    fn base_address(dev: &mut Device<'_, RingDrv>) -> Result {
        let a = DescRing::<TxDesc>::alloc(dev, 8)?;
        let b = DescRing::<TxDesc>::alloc(dev, 8)?;
        let (pa, pb) = (a.dma_addr().value(), b.dma_addr().value());
        // dma_alloc_coherent aligns to the page (e1000 needs 16 bytes).
        kassert!(pa != 0 && pa % 4096 == 0 && pb % 4096 == 0 && pa != pb);
        kassert!(a.byte_len() == 128 && a.byte_len() % 128 == 0);
        Ok(())
    }

    // SplitRing: one producer and one consumer at a time, each only on the
    // positions the other released, every misuse refused (None, ENOSPC,
    // EINVAL) rather than reaching a slot the other side owns.
    fn split_one_side_each(dev: &mut Device<'_, RingDrv>) -> Result {
        kassert!(SplitRing::<TxDesc, u32>::new(DescRing::alloc(dev, 1)?).err() == Some(EINVAL));
        let r = SplitRing::<TxDesc, u32>::new(DescRing::alloc(dev, 8)?)?;
        kassert!(r.len() == 8 && r.produced() == 0);
        let mut p = r.producer().ok_or(EINVAL)?;
        // A second producer, or both sides, while one exists: refused.
        kassert!(r.producer().is_none() && r.exclusive().is_none());
        let mut c = r.consumer().ok_or(EINVAL)?;
        kassert!(r.consumer().is_none() && r.exclusive().is_none());
        // Empty: the consumer has nothing, the producer all but one.
        kassert!(c.peek().is_none() && c.read(TxDesc::status).is_none() && c.get().is_none());
        kassert!(c.slot().is_none() && !c.advance() && c.room() == 7);
        kassert!(p.room() == 7 && p.next() == 0 && p.count() == 8);
        // Past the room: refused, nothing written.
        kassert!(p.set(7, TxDesc::default()) == Err(ENOSPC) && p.slot(7).is_none());
        kassert!(p.advance(8) == Err(ENOSPC) && r.produced() == 0);
        // Written, then handed over: the consumer sees descriptor and slot.
        p.set(0, TxDesc { addr: 0xa0, status: 1, ..TxDesc::default() })?;
        *p.slot(0).ok_or(EINVAL)? = Some(10);
        kassert!(c.peek().is_none()); // not yet handed over
        p.advance(1)?;
        kassert!(p.next() == 1 && r.produced() == 1 && p.room() == 6);
        kassert!(c.peek() == Some(0) && c.read(TxDesc::status) == Some(1));
        kassert!(c.get().map(|d| d.addr) == Some(0xa0));
        kassert!(c.slot().and_then(Option::take) == Some(10));
        kassert!(c.advance() && !c.advance() && c.peek().is_none());
        // The position is the producer's again (its room read afresh).
        kassert!(p.room() == 7 && c.room() == 7);
        // Full: seven handed over, no room, the eighth refused.
        for k in 0..7 {
            p.set(k, TxDesc { addr: k as u64, ..TxDesc::default() })?;
            *p.slot(k).ok_or(EINVAL)? = Some(k as u32);
        }
        p.advance(7)?;
        kassert!(p.room() == 0 && p.set(0, TxDesc::default()) == Err(ENOSPC));
        kassert!(p.slot(0).is_none() && p.advance(1) == Err(ENOSPC) && c.room() == 0);
        // Taken back in order, across the end of the ring.
        for k in 0..7u32 {
            kassert!(c.get().map(|d| d.addr) == Some(u64::from(k)));
            kassert!(c.slot().and_then(Option::take) == Some(k) && c.advance());
        }
        kassert!(!c.advance() && p.room() == 7 && p.next() == 0);
        drop((p, c));
        // Each side again once the other dropped; both at once when neither.
        kassert!(r.producer().is_some() && r.consumer().is_some());
        let all = r.exclusive().ok_or(EINVAL)?;
        kassert!(r.producer().is_none() && r.consumer().is_none() && r.exclusive().is_none());
        drop(all);
        // A failed exclusive (a consumer held) keeps nothing.
        let c = r.consumer().ok_or(EINVAL)?;
        kassert!(r.exclusive().is_none());
        kassert!(r.producer().is_some());
        drop(c);
        kassert!(r.exclusive().is_some());
        Ok(())
    }

    fn split_wraps_and_resets(dev: &mut Device<'_, RingDrv>) -> Result {
        let r = SplitRing::<TxDesc, u32>::new(DescRing::alloc(dev, 16)?)?;
        {
            let mut all = r.exclusive().ok_or(EINVAL)?;
            kassert!(all.count() == 16);
            kassert!(all.reset(0) == Err(EINVAL) && all.reset(1) == Err(EINVAL));
            kassert!(all.reset(17) == Err(EINVAL) && all.count() == 16);
            all.reset(5)?;
            kassert!(all.count() == 5);
            for i in 0..5 {
                all.set(i, TxDesc::default());
            }
        }
        // Five in use: four at a time, positions wrap at five, not sixteen.
        let mut seen = [0usize; 12];
        for (round, at) in seen.iter_mut().enumerate() {
            let mut p = r.producer().ok_or(EINVAL)?;
            kassert!(p.room() == 4);
            p.set(0, TxDesc { addr: round as u64, ..TxDesc::default() })?;
            *p.slot(0).ok_or(EINVAL)? = Some(round as u32);
            p.advance(1)?;
            drop(p);
            let mut c = r.consumer().ok_or(EINVAL)?;
            *at = c.peek().ok_or(EINVAL)?;
            kassert!(c.get().map(|d| d.addr) == Some(round as u64));
            // Left in its slot: the producer finds it there next time round.
            kassert!(c.slot().map(|s| *s) == Some(Some(round as u32)));
            kassert!(c.advance());
        }
        kassert!(seen == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
        kassert!(r.produced() == 2);
        {
            let mut p = r.producer().ok_or(EINVAL)?;
            // Slot 2 still holds round 7's value (left by the consumer).
            kassert!(p.slot(0).map(|s| *s) == Some(Some(7)));
        }
        // Reset: indices back to 0, the slots keep what they hold, and
        // slots() reaches every one of the sixteen.
        let mut all = r.exclusive().ok_or(EINVAL)?;
        all.reset(16)?;
        kassert!(all.slots().count() == 16);
        kassert!(all.slots().filter(|s| s.is_some()).count() == 5);
        all.slots().for_each(|s| *s = None);
        kassert!(all.slots().all(|s| s.is_none()));
        drop(all);
        kassert!(r.produced() == 0 && r.producer().map(|mut p| p.room()) == Some(15));
        Ok(())
    }

    /// Producer::fill: positions in order from the head, wrapping at the
    /// count in use, at most the room, stopping where the closure says;
    /// last_room as the handle last read it, less what advance took.
    fn split_fill(dev: &mut Device<'_, RingDrv>) -> Result {
        let r = SplitRing::<TxDesc, u32>::new(DescRing::alloc(dev, 8)?)?;
        r.exclusive().ok_or(EINVAL)?.reset(6)?;
        // Move the head to 4, so that a fill of the room (5) wraps.
        for _ in 0..4 {
            let mut p = r.producer().ok_or(EINVAL)?;
            p.advance(1)?;
            drop(p);
            kassert!(r.consumer().ok_or(EINVAL)?.advance());
        }
        let mut p = r.producer().ok_or(EINVAL)?;
        kassert!(p.last_room() == 5 && p.next() == 4);
        // Stopped by the closure: nothing written at the third position.
        let mut calls = 0;
        kassert!(
            p.fill(|_| {
                calls += 1;
                (calls < 3).then(TxDesc::default)
            }) == 2
        );
        kassert!(calls == 3);
        // Then every position of the room, written again.
        let mut k = 0u32;
        kassert!(
            p.fill(|s| {
                k += 1;
                *s = Some(k);
                Some(TxDesc { addr: k.into(), ..TxDesc::default() })
            }) == 5
        );
        p.advance(5)?;
        kassert!(p.last_room() == 0 && p.next() == 3);
        kassert!(p.fill(|_| Some(TxDesc::default())) == 0);
        drop(p);
        let mut c = r.consumer().ok_or(EINVAL)?;
        for want in 1..=5u32 {
            kassert!(c.get().map(|d| d.addr) == Some(want.into()));
            kassert!(c.slot().and_then(Option::take) == Some(want));
            kassert!(c.advance());
        }
        kassert!(c.peek().is_none());
        drop(c);
        // The room read again: last_room only grows through room().
        let mut p = r.producer().ok_or(EINVAL)?;
        kassert!(p.last_room() == 5 && p.room() == 5);
        Ok(())
    }

    struct Spsc {
        r: SplitRing<TxDesc, u32>,
        done: AtomicBool,
        /// Values the consumer took, values out of order, its refusals.
        got: AtomicUsize,
        bad: AtomicUsize,
        refused: AtomicUsize,
    }

    const SPSC_N: u32 = 20000;

    /// The consumer thread: takes values in order until the producer is
    /// done and the ring empty.
    fn spsc_consume(s: &Spsc) {
        let mut want = 0u32;
        loop {
            let done = s.done.load(Ordering::Acquire);
            match s.r.consumer() {
                Some(mut c) => {
                    while let Some(d) = c.get() {
                        let v = c.slot().and_then(Option::take);
                        if v != Some(want) || d.addr != u64::from(want) {
                            s.bad.fetch_add(1, Ordering::Relaxed);
                        }
                        want = want.wrapping_add(1);
                        c.advance();
                    }
                }
                None => {
                    s.refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            s.got.store(want as usize, Ordering::Release);
            if done && s.r.consumer().is_some_and(|mut c| c.peek().is_none()) {
                return;
            }
            crate::task::cond_resched();
        }
    }

    /// A producer in the probe and a consumer thread on the other CPU, no
    /// lock: every value arrives once, in order, with its descriptor; a
    /// third party asking for either side meanwhile gets none.
    fn split_concurrent_fifo(dev: &mut Device<'_, RingDrv>) -> Result {
        let s = Arc::try_new(Spsc {
            r: SplitRing::new(DescRing::alloc(dev, 64)?)?,
            done: AtomicBool::new(false),
            got: AtomicUsize::new(0),
            bad: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        })?;
        let s2 = s.clone();
        let t = crate::kthread::KThread::spawn("rkm-ktest-spsc", move |_| spsc_consume(&s2))?;
        let (mut next, mut busy) = (0u32, 0u32);
        while next < SPSC_N {
            let Some(mut p) = s.r.producer() else {
                busy += 1;
                continue;
            };
            // A third party now: neither a producer nor both sides.
            if s.r.producer().is_some() || s.r.exclusive().is_some() {
                s.bad.fetch_add(1, Ordering::Relaxed);
            }
            let n = p.room().min((SPSC_N - next) as usize).min(7);
            for k in 0..n {
                let v = next + k as u32;
                p.set(k, TxDesc { addr: u64::from(v), ..TxDesc::default() })?;
                *p.slot(k).ok_or(EINVAL)? = Some(v);
            }
            p.advance(n)?;
            next += n as u32;
            drop(p);
            crate::task::cond_resched();
        }
        s.done.store(true, Ordering::Release);
        for _ in 0..1000 {
            if s.got.load(Ordering::Acquire) == SPSC_N as usize {
                break;
            }
            crate::task::msleep(2)?;
        }
        drop(t);
        crate::pr_info!(
            "split_ring_concurrent_fifo: {} values, consumer refused {} times, producer {}\n",
            s.got.load(Ordering::Relaxed),
            s.refused.load(Ordering::Relaxed),
            busy
        );
        kassert!(s.got.load(Ordering::Relaxed) == SPSC_N as usize);
        kassert!(s.bad.load(Ordering::Relaxed) == 0 && busy == 0);
        Ok(())
    }
}
