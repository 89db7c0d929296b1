// SPDX-License-Identifier: GPL-2.0
//! What every driver of a bound device has, whatever its bus: a name, the
//! per-device state in two parts, sysfs attributes, and the hooks of the
//! binding's life.
//!
//! A bus module (`pci`) adds its own trait on top of [`Driver`] (its match
//! table and `probe`, which gets the bus's probe-time device) and its own
//! `Registration`; everything after probe is the device core's: the state
//! lives in the binding ([`device`](crate::device)), unbinding calls
//! [`Driver::unbind`] (end waits), closes the gate, calls
//! [`Driver::remove`], frees the interrupt, stops the timer, has the bus
//! stop the device mastering the bus, then drops the state.
//!
//! The per-device state comes in two parts:
//!
//! - `Hw`, [`IrqSafe`]: what the hard interrupt handler ([`Driver::irq`])
//!   and the timer callback ([`Driver::timer`]) see, in atomic context;
//! - `Data`: everything else, for process context, including the threaded
//!   half of the interrupt handler ([`Driver::irq_thread`]).
//!
//! ```
//! # use rkm::prelude::*;
//! # use rkm::{driver, pci};
//! struct MyDev;
//! impl driver::Driver for MyDev {
//!     const NAME: &'static str = "my_dev";
//!     type Hw = ();
//!     type Data = ();
//! }
//! impl pci::Driver for MyDev {
//!     const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x5678)];
//!     fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
//!         dev.enable()?;
//!         Ok(((), ()))
//!     }
//! }
//! ```

use crate::abi;
use crate::alloc::{KBox, KVec};
use crate::device::Bound;
use crate::error::{code::*, Result};
use crate::irq::{IrqReturn, IrqSafe};
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};
use core::fmt::{self, Write};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A driver of bound devices: the part every bus shares.
///
/// ```
/// # use rkm::driver;
/// struct Dev;
/// impl driver::Driver for Dev {
///     const NAME: &'static str = "dev";
///     type Hw = ();
///     type Data = ();
/// }
/// ```
pub trait Driver: Sized + Send + Sync + 'static {
    /// The driver's name (`/sys/bus/<bus>/drivers/<NAME>`).
    const NAME: &'static str;
    /// Sysfs attributes of each bound device.
    const ATTRS: &'static [Attr<Self>] = &[];
    /// The per-device state the interrupt handler and timer see.
    type Hw: IrqSafe + Send + Sync + 'static;
    /// The rest of the per-device state.
    type Data: Send + Sync + 'static;

    /// Unbinding has started and [`DeviceRef::access`](crate::device::DeviceRef::access)
    /// now fails: wake whatever waits holding an
    /// [`Access`](crate::device::Access), since unbinding waits for them.
    fn unbind(_hw: &Self::Hw) {}

    /// The device is being unbound and no [`Access`](crate::device::Access)
    /// is held: quiesce it. The interrupt and timer are still live.
    fn remove(_dev: &Bound<'_, Self>) {}

    /// The hard interrupt handler, in atomic context.
    fn irq(_hw: &Self::Hw) -> IrqReturn {
        IrqReturn::None
    }

    /// The threaded half, in process context, after [`IrqReturn::WakeThread`].
    fn irq_thread(_hw: &Self::Hw, _data: &Self::Data) {}

    /// The device's timer ([`Bound::arm_timer`]) expired; atomic context.
    fn timer(_hw: &Self::Hw) {}
}

/// A sysfs attribute file created on every bound device
/// (`/sys/bus/<bus>/devices/<device>/<name>`).
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::driver::{self, Attr, AttrBuf};
/// # use rkm::device::Bound;
/// # use core::fmt::Write;
/// # struct MyDev;
/// # impl driver::Driver for MyDev { const NAME: &'static str = "e"; type Hw = (); type Data = ();
/// const ATTRS: &'static [Attr<Self>] = &[Attr::ro("id", show_id)];
/// # }
/// fn show_id(_dev: &Bound<'_, MyDev>, out: &mut AttrBuf<'_>) -> Result {
///     writeln!(out, "{}", 42).map_err(|_| EFBIG)
/// }
/// ```
pub struct Attr<D: Driver> {
    name: &'static str,
    mode: u16,
    show: Option<ShowFn<D>>,
    store: Option<StoreFn<D>>,
}

/// A show callback: writes the file's text (less than a page: see
/// [`AttrBuf`]) to the buffer.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
/// # use core::fmt::Write;
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
/// # const ATTRS: &'static [Attr<Self>] = &[];
/// # }
/// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
/// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
/// const SHOW: rkm::driver::ShowFn<Dev> = show;
/// ```
pub type ShowFn<D> = fn(&Bound<'_, D>, &mut AttrBuf<'_>) -> Result;
/// A store callback: gets the written bytes (a trailing newline included).
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
/// # use core::fmt::Write;
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
/// # const ATTRS: &'static [Attr<Self>] = &[];
/// # }
/// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
/// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
/// const STORE: rkm::driver::StoreFn<Dev> = store;
/// ```
pub type StoreFn<D> = fn(&Bound<'_, D>, &[u8]) -> Result;

impl<D: Driver> Attr<D> {
    /// Readable by everyone (0444).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
    /// # use core::fmt::Write;
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
    /// # const ATTRS: &'static [Attr<Self>] = &[];
    /// # }
    /// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
    /// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
    /// const ID: Attr<Dev> = Attr::ro("id", show);
    /// ```
    pub const fn ro(name: &'static str, show: ShowFn<D>) -> Self {
        Attr { name, mode: 0o444, show: Some(show), store: None }
    }

    /// Readable by everyone, writable by root (0644).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
    /// # use core::fmt::Write;
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
    /// # const ATTRS: &'static [Attr<Self>] = &[];
    /// # }
    /// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
    /// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
    /// const TIMEOUT: Attr<Dev> = Attr::rw("timeout_ms", show, store);
    /// ```
    pub const fn rw(name: &'static str, show: ShowFn<D>, store: StoreFn<D>) -> Self {
        Attr { name, mode: 0o644, show: Some(show), store: Some(store) }
    }

    /// Writable by root only (0200).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
    /// # use core::fmt::Write;
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
    /// # const ATTRS: &'static [Attr<Self>] = &[];
    /// # }
    /// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
    /// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
    /// const RESET: Attr<Dev> = Attr::wo("reset", store);
    /// ```
    pub const fn wo(name: &'static str, store: StoreFn<D>) -> Self {
        Attr { name, mode: 0o200, show: None, store: Some(store) }
    }
}

/// The page a show callback writes to; `write!` into it. Text longer than
/// a page less one byte (4095 bytes with 4 KiB pages) makes the read fail
/// with `EFBIG`, never cut.
///
/// # Guarantees
///
/// The text fits sysfs as it is: `sysfs_kf_seq_show` (fs/sysfs/file.c, 6.1
/// and 6.12 alike) takes a count of `PAGE_SIZE` or more as "bad", logs
/// `fill_read_buffer: ... returned bad count` and keeps `PAGE_SIZE - 1`
/// bytes, silently dropping the last one; `sysfs_emit` likewise writes at
/// most `PAGE_SIZE - 1`. So the buffer offers one byte less than the page,
/// and a show that needs the whole page gets a clean `EFBIG` instead.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::Bound, driver::{self, Attr, AttrBuf}};
/// # use core::fmt::Write;
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = ();
/// # const ATTRS: &'static [Attr<Self>] = &[];
/// # }
/// # fn show(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result { writeln!(out, "1").map_err(|_| EFBIG) }
/// # fn store(_: &Bound<'_, Dev>, _: &[u8]) -> Result { Ok(()) }
/// fn show_count(_: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result {
///     writeln!(out, "{}", 42).map_err(|_| EFBIG)
/// }
/// ```
pub struct AttrBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> AttrBuf<'a> {
    /// The buffer over a sysfs page: all of it but the last byte (see the
    /// type's guarantees).
    pub(crate) fn page(page: &'a mut [u8]) -> Self {
        let room = page.len().saturating_sub(1);
        AttrBuf { buf: page.get_mut(..room).unwrap_or(&mut []), len: 0, overflow: false }
    }

    /// What the show returns to sysfs: the count (below the page size), or
    /// a negative errno (`EFBIG` if the text did not fit).
    pub(crate) fn finish(&self, r: Result) -> c_long {
        match r {
            Ok(()) if self.overflow => c_long::from(EFBIG.to_errno()),
            // The count is at most `buf.len()`, below the page size.
            Ok(()) => c_long::try_from(self.len).unwrap_or(c_long::from(EFBIG.to_errno())),
            Err(e) => e.to_errno().into(),
        }
    }
}

impl Write for AttrBuf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).filter(|&e| e <= self.buf.len());
        match end.and_then(|e| self.buf.get_mut(self.len..e)) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len += s.len();
                Ok(())
            }
            None => {
                self.overflow = true;
                Err(fmt::Error)
            }
        }
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        self.write_str(crate::print::encode_char(c, &mut [0; 4]))
    }
}

/// The binding's per-device state: what probe returned, and the binding.
///
/// # Invariants
///
/// Made only by [`Trampolines::probe`] and owned by the glue's binding
/// `binding` (as its data) until the binding's `drop` callback: `binding`
/// is live for as long as the `Inner` is.
pub(crate) struct Inner<D: Driver> {
    binding: NonNull<abi::Binding>,
    hw: D::Hw,
    data: D::Data,
}

impl<D: Driver> Inner<D> {
    pub(crate) fn binding(&self) -> NonNull<abi::Binding> {
        self.binding
    }

    pub(crate) fn hw(&self) -> &D::Hw {
        &self.hw
    }

    pub(crate) fn data(&self) -> &D::Data {
        &self.data
    }
}

/// What a bus's register call passes on for any driver: the name, the
/// attribute table and the callbacks, `probe` being the bus's.
pub(crate) struct Desc<D: Driver> {
    attrs: KVec<abi::Attr>,
    ops: &'static abi::DriverOps,
    drv: *const D,
}

impl<D: Driver> Desc<D> {
    /// The descriptor of `drv` with the bus's callback table `ops`.
    ///
    /// # Safety
    ///
    /// `drv` outlives the registration made with this descriptor (the bus
    /// keeps it boxed until it has unregistered): the glue passes its
    /// address to `ops.probe`.
    pub(crate) unsafe fn new(ops: &'static abi::DriverOps, drv: &KBox<D>) -> Result<Self> {
        let mut attrs: KVec<abi::Attr> = KVec::new();
        for a in D::ATTRS {
            attrs.try_push(abi::Attr {
                name: a.name.as_ptr().cast(),
                name_len: a.name.len(),
                mode: a.mode,
            })?;
        }
        Ok(Desc { attrs, ops, drv: &**drv })
    }

    /// The C view, valid while `self` lives (the glue copies what it keeps).
    pub(crate) fn raw(&self) -> abi::DriverDesc {
        abi::DriverDesc {
            name: D::NAME.as_ptr().cast(),
            name_len: D::NAME.len(),
            attrs: self.attrs.as_ptr(),
            nattrs: self.attrs.len(),
            ops: self.ops,
            drv: self.drv.cast(),
        }
    }
}

/// A bus's probe step (implemented by the bus's marker type, once for all
/// its drivers): gets the driver and a binding, gives the per-device state.
pub(crate) trait Probe<D: Driver> {
    /// # Safety
    ///
    /// `binding` is a binding of this bus, being probed for `drv`'s
    /// registration: live until this returns.
    unsafe fn probe(drv: &D, binding: NonNull<abi::Binding>) -> Result<(D::Hw, D::Data)>;
}

/// The C callback table of driver `D` on bus `B`.
pub(crate) struct Trampolines<D, B>(PhantomData<(D, B)>);

impl<D: Driver, B: Probe<D>> Trampolines<D, B> {
    pub(crate) const OPS: abi::DriverOps = abi::DriverOps {
        probe: Self::probe,
        unbind: Self::unbind,
        remove: Self::remove,
        drop: Self::drop,
        irq: Self::irq,
        irq_thread: Self::irq_thread,
        timer: Self::timer,
        attr_show: Self::attr_show,
        attr_store: Self::attr_store,
    };

    /// # Safety
    ///
    /// `p` is probe's live KBox<Inner<D>>, not yet dropped.
    unsafe fn inner<'a>(p: *mut c_void) -> &'a Inner<D> {
        // SAFETY: the caller's contract; shared (Inner is never mutated).
        unsafe { &*p.cast::<Inner<D>>() }
    }

    extern "C" fn probe(
        drv: *const c_void,
        binding: *mut abi::Binding,
        out: *mut *mut c_void,
    ) -> c_int {
        // SAFETY: the registration's boxed D (Desc::new), alive until it unregisters.
        let drv = unsafe { &*drv.cast::<D>() };
        let Some(binding) = NonNull::new(binding) else {
            return EINVAL.to_errno();
        };
        // SAFETY: the glue calls probe with a binding of the bus `ops` was
        // registered on, live until it returns.
        let r = unsafe { B::probe(drv, binding) }
            // INVARIANT: the glue owns it as the binding's data from here
            // on, until `drop`.
            .and_then(|(hw, data)| KBox::try_new(Inner::<D> { binding, hw, data }));
        match r {
            Ok(b) => {
                // SAFETY: the glue passes a valid out-pointer.
                unsafe { *out = KBox::leak(b).as_ptr().cast() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn unbind(p: *mut c_void) {
        // SAFETY: the glue calls the ops with the live data only.
        D::unbind(unsafe { Self::inner(p) }.hw())
    }

    extern "C" fn remove(p: *mut c_void) {
        // SAFETY: as above.
        D::remove(&Bound::new(unsafe { Self::inner(p) }))
    }

    extern "C" fn drop(p: *mut c_void) {
        // SAFETY: from probe's KBox::leak; the glue drops it once, after the
        // gate closed, the interrupt was freed and the timer stopped, so no
        // reference to it remains.
        drop(unsafe { KBox::<Inner<D>>::from_raw(NonNull::new_unchecked(p.cast())) });
    }

    extern "C" fn irq(p: *mut c_void) -> c_int {
        // SAFETY: as in unbind (the interrupt is freed before drop).
        match D::irq(unsafe { Self::inner(p) }.hw()) {
            IrqReturn::None => abi::IRQ_NONE,
            IrqReturn::Handled => abi::IRQ_HANDLED,
            IrqReturn::WakeThread => abi::IRQ_WAKE_THREAD,
        }
    }

    extern "C" fn irq_thread(p: *mut c_void) {
        // SAFETY: as above.
        let inner = unsafe { Self::inner(p) };
        D::irq_thread(inner.hw(), inner.data())
    }

    extern "C" fn timer(p: *mut c_void) {
        // SAFETY: as above (the timer is stopped before drop).
        D::timer(unsafe { Self::inner(p) }.hw())
    }

    extern "C" fn attr_show(p: *mut c_void, idx: c_uint, buf: *mut c_char, cap: usize) -> c_long {
        let Some(show) = D::ATTRS.get(idx as usize).and_then(|a| a.show) else {
            return EIO.to_errno().into();
        };
        // SAFETY: sysfs gives a page of `cap` bytes, ours until we return.
        let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        let mut out = AttrBuf::page(page);
        // SAFETY: as in unbind (the files are removed before remove).
        let bound = Bound::new(unsafe { Self::inner(p) });
        let r = show(&bound, &mut out);
        out.finish(r)
    }

    extern "C" fn attr_store(p: *mut c_void, idx: c_uint, buf: *const c_char, len: usize) -> c_int {
        let Some(store) = D::ATTRS.get(idx as usize).and_then(|a| a.store) else {
            return EIO.to_errno();
        };
        // SAFETY: sysfs gives the written bytes, valid until we return.
        let text = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        // SAFETY: as in attr_show.
        let bound = Bound::new(unsafe { Self::inner(p) });
        match store(&bound, text) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("attr_buf_refuses_overflow", attr_buf_refuses_overflow),
        ("attr_show_never_fills_the_page", attr_show_never_fills_the_page),
    ];

    fn attr_buf_refuses_overflow() -> Result {
        let mut page = [0u8; 8];
        let mut out = AttrBuf { buf: &mut page, len: 0, overflow: false };
        kassert!(write!(out, "{}", 1234567).is_ok() && out.len == 7 && !out.overflow);
        kassert!(write!(out, "89").is_err() && out.overflow && out.len == 7);
        kassert!(page.get(..7) == Some(&b"1234567"[..]));
        Ok(())
    }

    // A show writing exactly a page (which sysfs would cut to PAGE_SIZE - 1)
    // fails with EFBIG; one byte less goes through whole.
    fn attr_show_never_fills_the_page() -> Result {
        const PAGE: usize = 4096;
        let mut page = crate::KVec::new();
        page.try_resize(PAGE, 0xaau8)?;
        let line = [b'x'; 64];
        let line = core::str::from_utf8(&line).map_err(|_| EINVAL)?;

        let mut out = AttrBuf::page(&mut page);
        let mut r = Ok(());
        for _ in 0..PAGE / 64 {
            r = r.and(write!(out, "{line}").map_err(|_| EFBIG));
        }
        kassert!(out.overflow && out.len == PAGE - 64);
        kassert!(out.finish(r) == c_long::from(EFBIG.to_errno()));
        // The show ignored the error: still EFBIG, not a cut text.
        kassert!(out.finish(Ok(())) == c_long::from(EFBIG.to_errno()));

        let mut out = AttrBuf::page(&mut page);
        for _ in 0..PAGE / 64 - 1 {
            kassert!(write!(out, "{line}").is_ok());
        }
        kassert!(write!(out, "{}", &line[..63]).is_ok() && !out.overflow);
        kassert!(out.finish(Ok(())) == (PAGE - 1) as c_long);
        kassert!(write!(out, "y").is_err() && out.overflow);
        kassert!(out.finish(Ok(())) == c_long::from(EFBIG.to_errno()));
        kassert!(page.get(PAGE - 1) == Some(&0xaa));

        kassert!(AttrBuf::page(&mut []).buf.is_empty());
        Ok(())
    }
}
