// SPDX-License-Identifier: GPL-2.0
//! Bound devices, whatever their bus: the binding's state after probe, the
//! counted handle that outlives it, the gate that unbinding closes, the
//! per-device timer, and `dev_*!` logging.
//!
//! The glue keeps one binding per bound device. Code outside the driver core
//! (file operations) reaches a device through a [`DeviceRef`], a counted
//! handle that outlives the binding: its [`access`](DeviceRef::access)
//! returns `None` once unbinding has started, and unbinding waits until no
//! [`Access`] is held. So no state of an unbound device is reachable
//! through the binding. Sysfs attributes ([`Attr`](crate::driver::Attr))
//! are removed by the driver core before remove and reach the state
//! directly. Resources moved out of the state are harmless too: a
//! [`Bar`](crate::io::Bar) kept elsewhere is revoked at unbind (reads give
//! all ones), and a DMA buffer dropped early is freed only once bus
//! mastering is off (`tests/pci_escape` checks both).
//!
//! Unbinding waits for every [`Access`]: do not keep one across a wait that
//! only unbinding would end (make such waits end in
//! [`Driver::unbind`]), do not take a second
//! one of the same device while holding one (an unbind waiting in between
//! deadlocks both), and never `mem::forget` one. A bus's `Registration`
//! must not be dropped from its own driver's callbacks.

use crate::abi;
use crate::driver::{Driver, Inner};
use crate::error::{to_result, Result};
use crate::irq::IrqKind;
use crate::print::{Level, Message};
use core::ffi::c_int;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// Something that proves a device is bound: a bus's probe-time device
/// (`pci::Device`) during probe, [`Bound`] after. Allocating DMA buffers and
/// logging take one. Sealed: only the crate's types hold a live binding.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::device::DeviceContext;
/// fn hello(dev: &impl DeviceContext) {
///     dev_info!(dev, "hello\n");
/// }
/// ```
pub trait DeviceContext: sealed::Sealed {
    /// Prints through `dev_printk` ("my_dev 0000:00:04.0: ..."); used by
    /// [`dev_info!`](crate::dev_info!) and friends.
    fn dev_log(&self, level: Level, args: fmt::Arguments<'_>) {
        // SAFETY: `binding()` stays live while `self` is borrowed (the
        // trait's contract), that is for the whole call.
        unsafe { dev_log(self.binding(), level, args) }
    }

    /// The `dev_*!` macros' printer: `msg` is `format_args!`'s or
    /// `print::Parts` (see the `print` module).
    #[doc(hidden)]
    fn dev_log_msg(&self, level: Level, msg: impl Message)
    where
        Self: Sized,
    {
        // SAFETY: as dev_log's.
        unsafe { dev_log(self.binding(), level, msg) }
    }
}

/// The body of `dev_log` and `dev_log_msg`: one copy per kind of message,
/// not one per device type.
///
/// # Safety
///
/// `b` is a live glue binding for the whole call.
#[inline(never)]
unsafe fn dev_log(b: *mut abi::Binding, level: Level, msg: impl Message) {
    msg.lines(&mut |line: &[u8]| {
        // SAFETY: `b` is live (the function's contract); `line` is a live
        // slice the glue only reads.
        unsafe { abi::rkm_dev_log(b, level as c_int, line.as_ptr().cast(), line.len()) }
    });
}

/// A bus's probe-time device (`pci::Device`, `platform::Device`): what probe
/// may set up on a device of any bus before using it. Sealed like
/// [`DeviceContext`]; implemented only by types that exist inside their
/// binding's probe, in process context.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::device::ProbeDevice;
/// fn setup(dev: &mut impl ProbeDevice) -> Result {
///     dev.dma_mask(32)?;
///     dev_info!(dev, "32-bit DMA\n");
///     Ok(())
/// }
/// ```
pub trait ProbeDevice: DeviceContext {
    /// Sets the DMA mask (streaming and coherent) to `bits` bits, 12 to 64
    /// (`EINVAL` otherwise; `EIO` if the platform cannot address that
    /// little). Sleeps. Set it before allocating DMA buffers: they are
    /// placed where the mask lets the device reach them.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::ProbeDevice, driver, platform};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl platform::Driver for Dev {
    /// # fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
    /// dev.dma_mask(32)?;
    /// # Ok(((), ())) } }
    /// ```
    fn dma_mask(&mut self, bits: u32) -> Result {
        // SAFETY: `binding()` is live while `self` is borrowed (Sealed's
        // contract), and a ProbeDevice exists only in its probe, in process
        // context (the trait's contract), where the glue may sleep.
        to_result(unsafe { abi::rkm_binding_dma_mask(self.binding(), bits) })
    }
}

pub(crate) mod sealed {
    /// Held only by the crate's types that prove a live binding.
    ///
    /// # Safety
    ///
    /// `binding()` returns a glue binding that stays live while `self` is
    /// borrowed: `CoherentBuffer::alloc` and `dev_log` hand it to the glue.
    #[doc(hidden)]
    pub unsafe trait Sealed {
        /// The glue's binding, live while `self` is.
        fn binding(&self) -> *mut crate::abi::Binding;
    }
}
use sealed::Sealed as _;

/// A bound device's state, in process context: during remove, in sysfs
/// callbacks, and through an [`Access`].
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::Bound, driver};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = (); }
/// fn remove(dev: &Bound<'_, Dev>) {
///     dev.cancel_timer();
///     dev_info!(dev, "hw {}\n", dev.hw());
/// }
/// ```
pub struct Bound<'a, D: Driver> {
    inner: &'a Inner<D>,
}

// SAFETY: the Inner's binding is live while the Inner is (its invariant),
// and the Inner outlives `self`.
unsafe impl<D: Driver> sealed::Sealed for Bound<'_, D> {
    fn binding(&self) -> *mut abi::Binding {
        self.inner.binding().as_ptr()
    }
}
impl<D: Driver> DeviceContext for Bound<'_, D> {}

impl<'a, D: Driver> Bound<'a, D> {
    pub(crate) fn new(inner: &'a Inner<D>) -> Self {
        Bound { inner }
    }

    // Borrowed from `self`, not for 'a: through an Access, 'a is the
    // DeviceRef's borrow, which outlives the pass through the gate.

    /// The part the interrupt handler sees.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(dev: &Bound<'_, Dev>) -> Result {
    /// let status: &u32 = dev.hw();
    /// # let _ = status;
    /// # Ok(()) }
    /// ```
    pub fn hw(&self) -> &D::Hw {
        self.inner.hw()
    }

    /// The rest.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(dev: &Bound<'_, Dev>) -> Result {
    /// *dev.data().lock() += 1;
    /// # Ok(()) }
    /// ```
    pub fn data(&self) -> &D::Data {
        self.inner.data()
    }

    /// (Re)arms the device's timer to call [`Driver::timer`] in `ms`
    /// milliseconds.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(dev: &Bound<'_, Dev>) -> Result {
    /// dev.arm_timer(1000);
    /// # Ok(()) }
    /// ```
    pub fn arm_timer(&self, ms: u32) {
        // SAFETY: the binding lives as long as its state (`inner`).
        unsafe { abi::rkm_binding_timer_arm(self.binding(), ms) }
    }

    /// Stops the timer, waiting for a running callback to finish.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(dev: &Bound<'_, Dev>) -> Result {
    /// dev.cancel_timer();
    /// # Ok(()) }
    /// ```
    pub fn cancel_timer(&self) {
        // SAFETY: as above; process context (a Bound exists only there).
        unsafe { abi::rkm_binding_timer_cancel(self.binding()) }
    }

    /// The interrupt the bus allocated at probe, if any.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(dev: &Bound<'_, Dev>) -> Result {
    /// let shared = dev.irq_kind() == Some(rkm::irq::IrqKind::Intx);
    /// # let _ = shared;
    /// # Ok(()) }
    /// ```
    pub fn irq_kind(&self) -> Option<IrqKind> {
        // SAFETY: as above.
        IrqKind::from_raw(unsafe { abi::rkm_binding_irq_kind(self.binding()) })
    }
}

/// A counted handle to a device binding, which may be unbound at any time.
///
/// # Invariants
///
/// `binding` is a glue binding of driver `D` whose count includes this handle.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::DeviceRef, driver};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = (); }
/// fn status(dev: &DeviceRef<Dev>) -> Result<u32> {
///     let dev = dev.access().ok_or(ENODEV)?;
///     Ok(*dev.hw())
/// }
/// ```
pub struct DeviceRef<D: Driver> {
    binding: NonNull<abi::Binding>,
    _driver: PhantomData<D>,
}

// SAFETY: the glue's binding may be used from any thread; what it leads to
// (Inner<D>) is Send + Sync.
unsafe impl<D: Driver> Send for DeviceRef<D> {}
// SAFETY: as above.
unsafe impl<D: Driver> Sync for DeviceRef<D> {}

impl<D: Driver> DeviceRef<D> {
    /// A new counted handle to a binding of `D`.
    ///
    /// # Safety
    ///
    /// `binding` is live for the call (the caller holds a counted
    /// reference, or is inside the binding's probe), and it was made by a
    /// registration of `D`: whatever data its gate ever publishes is an
    /// `Inner<D>`. It need not be bound (yet, or still).
    pub(crate) unsafe fn new(binding: NonNull<abi::Binding>) -> Self {
        // SAFETY: live (the caller's contract).
        unsafe { abi::rkm_binding_get(binding.as_ptr()) };
        // INVARIANT: we took the reference the handle owns.
        DeviceRef { binding, _driver: PhantomData }
    }

    /// Enters the device: `None` if it is unbound (or unbinding, or probe
    /// has not finished). Sleeps. Unbinding waits until the [`Access`]
    /// drops: hold it for one operation, and make waits under it end on
    /// [`Driver::unbind`].
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// # fn f(r: &DeviceRef<Dev>) -> Result {
    /// let dev = r.access().ok_or(ENODEV)?;
    /// let v = *dev.hw();
    /// # let _ = v;
    /// # Ok(()) }
    /// ```
    pub fn access(&self) -> Option<Access<'_, D>> {
        // SAFETY: a counted, so live, binding (type invariant).
        let p = unsafe { abi::rkm_binding_enter(self.binding.as_ptr()) };
        // SAFETY: while the gate is passed, the data pointer is probe's live
        // KBox<Inner<D>> (D: the binding was made by a registration of D),
        // and is not dropped before rkm_binding_leave.
        let inner = unsafe { p.cast::<Inner<D>>().as_ref() }?;
        Some(Access { bound: Bound { inner }, binding: self.binding, _not_send: PhantomData })
    }

    /// Whether this is a handle to `dev`'s binding.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
    /// fn forget(current: &mut Option<DeviceRef<Dev>>, dev: &Bound<'_, Dev>) {
    ///     if current.as_ref().is_some_and(|r| r.is(dev)) {
    ///         *current = None;
    ///     }
    /// }
    /// ```
    pub fn is(&self, dev: &Bound<'_, D>) -> bool {
        self.binding == dev.inner.binding()
    }
}

impl<D: Driver> Clone for DeviceRef<D> {
    fn clone(&self) -> Self {
        // SAFETY: live (our counted reference, the type invariant) and of D.
        unsafe { DeviceRef::new(self.binding) }
    }
}

impl<D: Driver> Drop for DeviceRef<D> {
    fn drop(&mut self) {
        // SAFETY: drops the reference this handle owns.
        unsafe { abi::rkm_binding_put(self.binding.as_ptr()) };
    }
}

/// A pass through a device's gate: the device stays bound while it lives.
/// Derefs to [`Bound`].
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{device::{Access, Bound, DeviceRef}, driver};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = u32; type Data = Mutex<u32>; }
/// fn read(r: &DeviceRef<Dev>) -> Result<u32> {
///     let dev: Access<'_, Dev> = r.access().ok_or(ENODEV)?;
///     Ok(*dev.hw())
/// }
/// ```
pub struct Access<'a, D: Driver> {
    bound: Bound<'a, D>,
    binding: NonNull<abi::Binding>,
    // The rw_semaphore is released by the task that took it.
    _not_send: PhantomData<*mut ()>,
}

impl<'a, D: Driver> core::ops::Deref for Access<'a, D> {
    type Target = Bound<'a, D>;
    fn deref(&self) -> &Bound<'a, D> {
        &self.bound
    }
}

impl<D: Driver> Drop for Access<'_, D> {
    fn drop(&mut self) {
        // SAFETY: we passed the gate in `access`, on this task.
        unsafe { abi::rkm_binding_leave(self.binding.as_ptr()) };
    }
}

/// Prints at `KERN_INFO` through `dev_printk` (prefix "driver device: ").
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(dev: &impl rkm::device::DeviceContext) {
/// dev_info!(dev, "irq {}\n", 11);
/// # }
/// ```
#[macro_export]
macro_rules! dev_info {
    ($dev:expr, $($arg:tt)*) => {{
        // Method syntax: `$dev` may be a probe-time device, a Bound or an Access.
        use $crate::device::DeviceContext as _;
        let __rkm_dev = &($dev);
        $crate::__private::print_parts!($crate, __rkm_msg, {
            __rkm_dev.dev_log_msg($crate::print::Level::Info, __rkm_msg)
        }, $($arg)*)
    }};
}

/// Prints at `KERN_WARNING` through `dev_printk`.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(dev: &impl rkm::device::DeviceContext) {
/// dev_warn!(dev, "slow\n");
/// # }
/// ```
#[macro_export]
macro_rules! dev_warn {
    ($dev:expr, $($arg:tt)*) => {{
        // Method syntax: `$dev` may be a probe-time device, a Bound or an Access.
        use $crate::device::DeviceContext as _;
        let __rkm_dev = &($dev);
        $crate::__private::print_parts!($crate, __rkm_msg, {
            __rkm_dev.dev_log_msg($crate::print::Level::Warning, __rkm_msg)
        }, $($arg)*)
    }};
}

/// Prints at `KERN_ERR` through `dev_printk`.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(dev: &impl rkm::device::DeviceContext) {
/// dev_err!(dev, "no interrupt\n");
/// # }
/// ```
#[macro_export]
macro_rules! dev_err {
    ($dev:expr, $($arg:tt)*) => {{
        // Method syntax: `$dev` may be a probe-time device, a Bound or an Access.
        use $crate::device::DeviceContext as _;
        let __rkm_dev = &($dev);
        $crate::__private::print_parts!($crate, __rkm_msg, {
            __rkm_dev.dev_log_msg($crate::print::Level::Err, __rkm_msg)
        }, $($arg)*)
    }};
}
