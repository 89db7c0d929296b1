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
