// SPDX-License-Identifier: GPL-2.0
//! Platform drivers, on the device core, and platform devices a module
//! creates itself.
//!
//! A platform driver implements [`driver::Driver`] (name, per-device state,
//! sysfs attributes, the binding's hooks: what every bus shares) and
//! [`Driver`] (`probe`), and registers with [`Registration`]. It binds the
//! platform devices whose name is [`driver::Driver::NAME`]. Hardware
//! described by firmware comes with its platform devices; for a software
//! device (or QEMU, which describes none of yours), the module creates one
//! with [`PlatformDevice::register`], which the driver
//! then binds. After probe, everything is the device core's
//! ([`device`](crate::device)): [`Bound`], [`DeviceRef`], [`Access`], and
//! unbinding (`/sys/bus/platform/drivers/NAME/unbind`, unregistering the
//! driver or the device) tears the state down in the core's order.
//!
//! ```
//! # use rkm::prelude::*;
//! # use rkm::{driver, platform};
//! struct MyDev;
//! impl driver::Driver for MyDev {
//!     const NAME: &'static str = "my_dev";
//!     type Hw = ();
//!     type Data = ();
//! }
//! impl platform::Driver for MyDev {
//!     fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
//!         dev_info!(dev, "probed\n");
//!         Ok(((), ()))
//!     }
//! }
//! // Fields drop in order: the device goes (unbinding) before the driver.
//! struct M {
//!     _dev: platform::PlatformDevice,
//!     _drv: platform::Registration<MyDev>,
//! }
//! fn init() -> Result<M> {
//!     let drv = platform::Registration::register(MyDev)?;
//!     Ok(M { _dev: platform::PlatformDevice::register("my_dev", 0)?, _drv: drv })
//! }
//! ```

use crate::abi;
use crate::alloc::KBox;
use crate::device::{sealed, DeviceContext, ProbeDevice};
use crate::driver::{self, Desc, Trampolines};
use crate::error::{Error, Result};
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr::NonNull;

pub use crate::device::{Access, Bound, DeviceRef};
pub use crate::driver::{Attr, AttrBuf, ShowFn, StoreFn};

/// A platform driver: `probe`, on top of [`driver::Driver`]; it binds the
/// platform devices named [`driver::Driver::NAME`].
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, platform};
/// # struct Gpio;
/// # impl driver::Driver for Gpio { const NAME: &'static str = "gpio"; type Hw = (); type Data = (); }
/// impl platform::Driver for Gpio {
///     fn probe(&self, _dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
///         Ok(((), ()))
///     }
/// }
/// ```
pub trait Driver: driver::Driver {
    /// Sets a device up; an error leaves it unbound (resources taken
    /// through `dev` released). Process context, may sleep; the device's
    /// lock is held: do not register or drop a [`PlatformDevice`] or a
    /// [`Registration`] here.
    fn probe(&self, dev: &mut Device<'_, Self>) -> Result<(Self::Hw, Self::Data)>;
}

/// A platform device being probed.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, platform};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
/// # impl platform::Driver for Dev {
/// fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
///     let _handle: platform::DeviceRef<Self> = dev.device_ref();
///     Ok(((), ()))
/// }
/// # }
/// ```
///
/// # Invariants
///
/// `binding` is the binding under probe: live, and not yet visible to
/// anything but this probe call, for `'a`. Process context.
pub struct Device<'a, D: Driver> {
    binding: NonNull<abi::Binding>,
    _probe: PhantomData<(&'a mut (), D)>,
}

// SAFETY: a Device exists only inside its binding's probe (PlatformBus::probe),
// during which the binding is live, and borrows nothing that outlives it.
unsafe impl<D: Driver> sealed::Sealed for Device<'_, D> {
    fn binding(&self) -> *mut abi::Binding {
        self.binding.as_ptr()
    }
}
impl<D: Driver> DeviceContext for Device<'_, D> {}
impl<D: Driver> ProbeDevice for Device<'_, D> {}

impl<D: Driver> Device<'_, D> {
    /// A counted handle to this binding, for file operations; its
    /// [`access`](DeviceRef::access) succeeds once probe has returned `Ok`,
    /// and fails again from the start of unbinding on.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, platform};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl platform::Driver for Dev {
    /// # fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
    /// let r: platform::DeviceRef<Self> = dev.device_ref();
    /// # let _ = r;
    /// # Ok(((), ())) } }
    /// ```
    pub fn device_ref(&self) -> DeviceRef<D> {
        // SAFETY: we are inside the binding's probe, so it is live, and it
        // was made by Registration<D>, whose data is an Inner<D>.
        unsafe { DeviceRef::new(self.binding) }
    }
}

/// The platform bus's probe step for the device core.
struct PlatformBus;

impl<D: Driver> driver::Probe<D> for PlatformBus {
    unsafe fn probe(drv: &D, binding: NonNull<abi::Binding>) -> Result<(D::Hw, D::Data)> {
        // INVARIANT: the Device lives only for this call, while the binding
        // is being probed (the caller's contract).
        drv.probe(&mut Device { binding, _probe: PhantomData })
    }
}

/// A registered platform driver; dropping it unbinds every device and
/// unregisters the driver.
///
/// `EEXIST` if a platform driver of that name exists; `EINVAL` for a name
/// that is not a sysfs file name; attribute errors as for any driver.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, platform};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
/// # impl platform::Driver for Dev { fn probe(&self, _: &mut platform::Device<'_, Self>) -> Result<((), ())> { Ok(((), ())) } }
/// let reg = platform::Registration::register(Dev)?;
/// # drop(reg);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `handle` is a registered glue platform driver whose probe uses `*_drv`;
/// it is unregistered exactly once (by drop, or at module exit if leaked,
/// which also covers a drop nested inside that unregistration) before
/// `_drv` is freed. Process context; must not be dropped from its own
/// driver's callbacks.
pub struct Registration<D: Driver> {
    handle: NonNull<abi::PlatformDriver>,
    // Boxed: the glue keeps its address for probe.
    _drv: KBox<D>,
}

// SAFETY: the handle is only used to unregister; D is Send + Sync.
unsafe impl<D: Driver> Send for Registration<D> {}
// SAFETY: `&Registration` exposes nothing.
unsafe impl<D: Driver> Sync for Registration<D> {}

impl<D: Driver> Registration<D> {
    /// Registers `drv`; probe may run (for devices present) before this
    /// returns. Process context.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, platform};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl platform::Driver for Dev { fn probe(&self, _: &mut platform::Device<'_, Self>) -> Result<((), ())> { Ok(((), ())) } }
    /// let reg = platform::Registration::register(Dev)?;
    /// # drop(reg);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register(drv: D) -> Result<Self> {
        let drv = KBox::try_new(drv)?;
        // SAFETY: `drv` stays boxed in the Registration, dropped only after
        // rkm_platform_unregister.
        let desc = unsafe { Desc::new(&Trampolines::<D, PlatformBus>::OPS, &drv)? };
        let mut err: c_int = 0;
        // SAFETY: the descriptor's name and attributes are valid for their
        // lengths and copied by the glue; the ops are static; `drv` is boxed
        // and outlives the registration (dropped after unregistering).
        let h = unsafe { abi::rkm_platform_register(&desc.raw(), &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        Ok(Registration { handle, _drv: drv })
    }
}

impl<D: Driver> Drop for Registration<D> {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once; every device is
        // unbound (its state dropped) before this returns.
        unsafe { abi::rkm_platform_unregister(self.handle.as_ptr()) };
    }
}

/// A platform device the module created (`/sys/bus/platform/devices/NAME.ID`,
/// no resources); the driver named `NAME` binds it. Dropping it unbinds
/// that driver from it and unregisters it.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::platform::PlatformDevice;
/// let dev = PlatformDevice::register("my_dev", 0)?;
/// # drop(dev);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `handle` is a registered glue platform device, unregistered exactly once
/// (by drop, or at module exit if leaked). Process context; it must not be
/// dropped from the callbacks of the driver bound to it (the unbind would
/// wait for itself).
pub struct PlatformDevice {
    handle: NonNull<abi::PlatformDevice>,
}

// SAFETY: the handle is only used to unregister, from any thread.
unsafe impl Send for PlatformDevice {}
// SAFETY: `&PlatformDevice` exposes nothing.
unsafe impl Sync for PlatformDevice {}

impl PlatformDevice {
    /// Registers the platform device `NAME.ID` (`platform_device_register_simple`);
    /// a registered driver of that name is probed before this returns.
    /// `EINVAL` for a name that is not a sysfs file name or has 32 bytes or
    /// more, or an id above `i32::MAX`; `EEXIST` if the device exists.
    /// Process context.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::platform::PlatformDevice;
    /// let dev = PlatformDevice::register("my_dev", 1)?;
    /// # drop(dev);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register(name: &str, id: u32) -> Result<Self> {
        let mut err: c_int = 0;
        // SAFETY: `name` is valid for its length and copied by the glue.
        let h =
            unsafe { abi::rkm_platform_device_new(name.as_ptr().cast(), name.len(), id, &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        Ok(PlatformDevice { handle })
    }
}

impl Drop for PlatformDevice {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once.
        unsafe { abi::rkm_platform_device_free(self.handle.as_ptr()) };
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::error::code::*;
    use crate::ktest::{kassert, Case};
    use crate::sync::{Arc, Mutex};

    pub(crate) const CASES: &[Case] = &[
        ("device_name_checks", device_name_checks),
        ("driver_binds_own_device", driver_binds_own_device),
        ("driver_name_checks", driver_name_checks),
    ];

    fn device_name_checks() -> Result {
        for bad in ["", "a/b", ".", "..", "nul\0", "0123456789abcdef0123456789abcdef"] {
            kassert!(PlatformDevice::register(bad, 0).err() == Some(EINVAL));
        }
        kassert!(PlatformDevice::register("rkm_ktest_pd", 1 << 31).err() == Some(EINVAL));
        let d = PlatformDevice::register("rkm_ktest_pd", 7)?;
        kassert!(PlatformDevice::register("rkm_ktest_pd", 7).err() == Some(EEXIST));
        let other = PlatformDevice::register("rkm_ktest_pd", 8)?;
        drop(d);
        let again = PlatformDevice::register("rkm_ktest_pd", 7)?;
        drop((again, other));
        Ok(())
    }

    /// Counts probes and drops of the per-device data.
    struct Counts {
        probes: u32,
        drops: u32,
    }

    struct KtDrv {
        counts: Arc<Mutex<Counts>>,
        fail: bool,
    }

    // A DMA buffer too: platform devices have a (32-bit) mask by default.
    struct KtData(Arc<Mutex<Counts>>, #[allow(dead_code)] crate::dma::CoherentBuffer);

    impl Drop for KtData {
        fn drop(&mut self) {
            self.0.lock().drops += 1;
        }
    }

    impl driver::Driver for KtDrv {
        const NAME: &'static str = "rkm_ktest_pdrv";
        type Hw = ();
        type Data = KtData;
    }

    impl Driver for KtDrv {
        fn probe(&self, dev: &mut Device<'_, Self>) -> Result<((), KtData)> {
            self.counts.lock().probes += 1;
            if self.fail {
                return Err(ENXIO);
            }
            let buf = crate::dma::CoherentBuffer::alloc(dev, 64)?;
            Ok(((), KtData(self.counts.clone(), buf)))
        }
    }

    fn counts(c: &Arc<Mutex<Counts>>) -> (u32, u32) {
        let c = c.lock();
        (c.probes, c.drops)
    }

    // The driver binds a device of its name, whichever comes first; the data
    // drops when either goes; a failed probe leaves nothing bound.
    fn driver_binds_own_device() -> Result {
        let c = Arc::try_new(crate::new_mutex!(Counts { probes: 0, drops: 0 })?)?;
        let drv = Registration::register(KtDrv { counts: c.clone(), fail: false })?;
        kassert!(counts(&c) == (0, 0));
        let other = PlatformDevice::register("rkm_ktest_other", 0)?;
        let dev = PlatformDevice::register("rkm_ktest_pdrv", 0)?;
        kassert!(counts(&c) == (1, 0));
        drop(dev);
        kassert!(counts(&c) == (1, 1));
        let dev = PlatformDevice::register("rkm_ktest_pdrv", 1)?;
        kassert!(counts(&c) == (2, 1));
        drop(drv);
        kassert!(counts(&c) == (2, 2));
        let drv = Registration::register(KtDrv { counts: c.clone(), fail: false })?;
        kassert!(counts(&c) == (3, 2));
        drop((dev, drv, other));
        kassert!(counts(&c) == (3, 3));

        let f = Arc::try_new(crate::new_mutex!(Counts { probes: 0, drops: 0 })?)?;
        let drv = Registration::register(KtDrv { counts: f.clone(), fail: true })?;
        let dev = PlatformDevice::register("rkm_ktest_pdrv", 0)?;
        kassert!(counts(&f) == (1, 0));
        drop((dev, drv));
        kassert!(counts(&f) == (1, 0));
        Ok(())
    }

    struct Dup;
    impl driver::Driver for Dup {
        const NAME: &'static str = "rkm_ktest_pdrv";
        type Hw = ();
        type Data = ();
    }
    impl Driver for Dup {
        fn probe(&self, _dev: &mut Device<'_, Self>) -> Result<((), ())> {
            Ok(((), ()))
        }
    }

    struct BadName;
    impl driver::Driver for BadName {
        const NAME: &'static str = "a/b";
        type Hw = ();
        type Data = ();
    }
    impl Driver for BadName {
        fn probe(&self, _dev: &mut Device<'_, Self>) -> Result<((), ())> {
            Ok(((), ()))
        }
    }

    fn driver_name_checks() -> Result {
        let c = Arc::try_new(crate::new_mutex!(Counts { probes: 0, drops: 0 })?)?;
        let drv = Registration::register(KtDrv { counts: c, fail: false })?;
        kassert!(Registration::register(Dup).err() == Some(EEXIST));
        drop(drv);
        let dup = Registration::register(Dup)?;
        drop(dup);
        kassert!(Registration::register(BadName).err() == Some(EINVAL));
        Ok(())
    }
}
