// SPDX-License-Identifier: GPL-2.0
//! Watchdog devices, on the kernel's watchdog core.
//!
//! A driver implements [`Watchdog`] on the state its callbacks need (a
//! [`Bar`](crate::io::Bar), a [`pci::Config`](crate::pci::Config)) and
//! registers it with [`Registration::register`] from probe, keeping the
//! [`Registration`] in its per-device data: unbinding drops it, which
//! unregisters the device (stopping the timer if [`Options::stop_on_unregister`])
//! before the state is dropped. `/dev/watchdogN` and its whole user ABI —
//! `WDIOC_*` ioctls, the timeout bounds (`EINVAL`), magic close (`'V'`),
//! `nowayout`, one opener at a time (`EBUSY`), the module pinned while it is
//! open — are the kernel's own: the driver only drives the hardware.
//!
//! ```
//! # use rkm::prelude::*;
//! # use rkm::watchdog::{self, Context, Options, Watchdog};
//! struct Soft;
//! #[rkm::vtable]
//! impl Watchdog for Soft {
//!     const IDENTITY: &'static str = "soft";
//!     const OPTIONS: u32 = watchdog::WDIOF_SETTIMEOUT | watchdog::WDIOF_MAGICCLOSE;
//!     fn start(&self, _: &Context<'_>) -> Result { Ok(()) }
//!     fn stop(&self, _: &Context<'_>) -> Result { Ok(()) }
//! }
//! # fn f(dev: &rkm::pci::Device<'_, impl rkm::pci::Driver>) -> Result {
//! let opts = Options { min_timeout: 1, max_timeout: 60, timeout: 30, ..Options::default() };
//! let reg = watchdog::Registration::register(dev, Soft, &opts)?;
//! dev_info!(dev, "watchdog{} timeout {} s\n", reg.id(), reg.timeout());
//! # Ok(()) }
//! ```

use crate::abi;
use crate::alloc::KBox;
use crate::device::DeviceContext;
use crate::error::{code::EOPNOTSUPP, Error, Result};
use core::ffi::{c_int, c_uint, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// `WDIOF_SETTIMEOUT`: the timeout can be set (`WDIOC_SETTIMEOUT`).
pub const WDIOF_SETTIMEOUT: u32 = 0x0080;
/// `WDIOF_MAGICCLOSE`: closing stops it only after a `'V'` was written.
pub const WDIOF_MAGICCLOSE: u32 = 0x0100;
/// `WDIOF_KEEPALIVEPING`: it is kept alive by pings.
pub const WDIOF_KEEPALIVEPING: u32 = 0x8000;
/// `WDIOF_CARDRESET`: the last reboot was caused by this watchdog (boot status).
pub const WDIOF_CARDRESET: u32 = 0x0020;

/// What a callback can ask the core about the device.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::watchdog::Context;
/// fn start(ctx: &Context<'_>) -> Result {
///     pr_info!("start: timeout {} s, nowayout {}\n", ctx.timeout(), ctx.nowayout());
///     Ok(())
/// }
/// ```
///
/// # Invariants
///
/// `handle` is a registered glue watchdog, live for `'a` (the callback).
pub struct Context<'a> {
    handle: NonNull<abi::Watchdog>,
    _cb: PhantomData<&'a ()>,
}

impl Context<'_> {
    /// Whether the watchdog cannot be stopped once started (`nowayout`).
    ///
    /// ```
    /// # fn f(ctx: &rkm::watchdog::Context<'_>) {
    /// let lock = ctx.nowayout();
    /// # let _ = lock; }
    /// ```
    pub fn nowayout(&self) -> bool {
        // SAFETY: live for the callback (type invariant).
        unsafe { abi::rkm_watchdog_nowayout(self.handle.as_ptr()) != 0 }
    }

    /// The current timeout, in seconds.
    ///
    /// ```
    /// # fn f(ctx: &rkm::watchdog::Context<'_>) {
    /// let secs = ctx.timeout();
    /// # let _ = secs; }
    /// ```
    pub fn timeout(&self) -> u32 {
        // SAFETY: as above.
        unsafe { abi::rkm_watchdog_timeout(self.handle.as_ptr()) }
    }
}

/// A watchdog's hardware operations.
///
/// The core calls them in process context, one at a time per device (under
/// its lock); they may sleep. The implementation carries `#[rkm::vtable]`,
/// which tells the core which optional operations it defines: without
/// `ping` the core calls `start` to ping, without `set_timeout` it only
/// records the new timeout, without `get_timeleft` `WDIOC_GETTIMELEFT` fails
/// with `EOPNOTSUPP`.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::io::Bar;
/// use rkm::watchdog::{self, Context, Watchdog};
/// struct Hw {
///     bar: Bar<0x10>,
/// }
/// #[rkm::vtable]
/// impl Watchdog for Hw {
///     const IDENTITY: &'static str = "my timer";
///     const OPTIONS: u32 = watchdog::WDIOF_SETTIMEOUT | watchdog::WDIOF_KEEPALIVEPING;
///     fn start(&self, _: &Context<'_>) -> Result {
///         self.bar.write32::<0x0>(1);
///         Ok(())
///     }
///     fn stop(&self, _: &Context<'_>) -> Result {
///         self.bar.write32::<0x0>(0);
///         Ok(())
///     }
///     fn ping(&self, _: &Context<'_>) -> Result {
///         self.bar.write32::<0x4>(1);
///         Ok(())
///     }
///     fn set_timeout(&self, _: &Context<'_>, secs: u32) -> Result {
///         self.bar.write32::<0x8>(secs);
///         Ok(())
///     }
/// }
/// ```
#[crate::vtable]
pub trait Watchdog: Send + Sync + Sized + 'static {
    /// `struct watchdog_info`'s identity (1 to 31 bytes).
    const IDENTITY: &'static str;
    /// The `WDIOF_*` bits it supports (`WDIOC_GETSUPPORT`).
    const OPTIONS: u32;
    /// `struct watchdog_info`'s firmware version.
    const FIRMWARE_VERSION: u32 = 0;

    /// Starts the timer.
    fn start(&self, ctx: &Context<'_>) -> Result;
    /// Stops the timer.
    fn stop(&self, ctx: &Context<'_>) -> Result;
    /// Reloads the timer.
    fn ping(&self, _ctx: &Context<'_>) -> Result {
        Err(EOPNOTSUPP)
    }
    /// Programs a timeout (the core checked it is within the bounds).
    fn set_timeout(&self, _ctx: &Context<'_>, _secs: u32) -> Result {
        Err(EOPNOTSUPP)
    }
    /// Seconds until the timer expires.
    fn get_timeleft(&self, _ctx: &Context<'_>) -> u32 {
        0
    }
}

/// How a watchdog is registered.
///
/// ```
/// let opts = rkm::watchdog::Options { min_timeout: 1, max_timeout: 2046, timeout: 30,
///     nowayout: true, ..Default::default() };
/// # let _ = opts;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The smallest timeout, in seconds (at least 1).
    pub min_timeout: u32,
    /// The largest timeout, in seconds.
    pub max_timeout: u32,
    /// The default timeout, within the bounds.
    pub timeout: u32,
    /// A timeout from a module parameter, used if within the bounds (0: none;
    /// out of range: the core logs it and `timeout` stays).
    pub timeout_param: u32,
    /// It cannot be stopped once started.
    pub nowayout: bool,
    /// `WDIOC_GETBOOTSTATUS`'s `WDIOF_*` bits.
    pub bootstatus: u32,
    /// Stopped on reboot.
    pub stop_on_reboot: bool,
    /// Stopped when unregistered.
    pub stop_on_unregister: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_timeout: 1,
            max_timeout: 60,
            timeout: 30,
            timeout_param: 0,
            nowayout: false,
            bootstatus: 0,
            stop_on_reboot: true,
            stop_on_unregister: true,
        }
    }
}

struct Trampolines<W>(PhantomData<W>);

impl<W: Watchdog> Trampolines<W> {
    const OPS: abi::WatchdogOps = abi::WatchdogOps {
        start: Some(Self::start),
        stop: Some(Self::stop),
        ping: if W::HAS_PING { Some(Self::ping) } else { None },
        set_timeout: if W::HAS_SET_TIMEOUT { Some(Self::set_timeout) } else { None },
        get_timeleft: if W::HAS_GET_TIMELEFT { Some(Self::get_timeleft) } else { None },
    };

    /// # Safety
    ///
    /// `state` is the registration's boxed `W` and `w` its live glue
    /// watchdog, both valid for the callback (the glue calls the ops only
    /// between registration and unregistration, and the box outlives both).
    unsafe fn args<'a>(state: *const c_void, w: *mut abi::Watchdog) -> (&'a W, Context<'a>) {
        // SAFETY: the caller's contract.
        let s = unsafe { &*state.cast::<W>() };
        // INVARIANT: live for the callback (the caller's contract); the glue never passes NULL.
        let handle = NonNull::new(w).expect("watchdog callback without a device");
        (s, Context { handle, _cb: PhantomData })
    }

    fn errno(r: Result) -> c_int {
        match r {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn start(state: *const c_void, w: *mut abi::Watchdog) -> c_int {
        // SAFETY: called by the glue's ops with the registration's state.
        let (s, ctx) = unsafe { Self::args(state, w) };
        Self::errno(s.start(&ctx))
    }

    extern "C" fn stop(state: *const c_void, w: *mut abi::Watchdog) -> c_int {
        // SAFETY: as above.
        let (s, ctx) = unsafe { Self::args(state, w) };
        Self::errno(s.stop(&ctx))
    }

    extern "C" fn ping(state: *const c_void, w: *mut abi::Watchdog) -> c_int {
        // SAFETY: as above.
        let (s, ctx) = unsafe { Self::args(state, w) };
        Self::errno(s.ping(&ctx))
    }

    extern "C" fn set_timeout(state: *const c_void, w: *mut abi::Watchdog, t: c_uint) -> c_int {
        // SAFETY: as above.
        let (s, ctx) = unsafe { Self::args(state, w) };
        Self::errno(s.set_timeout(&ctx, t))
    }

    extern "C" fn get_timeleft(state: *const c_void, w: *mut abi::Watchdog) -> c_uint {
        // SAFETY: as above.
        let (s, ctx) = unsafe { Self::args(state, w) };
        s.get_timeleft(&ctx)
    }
}

/// A registered watchdog device; dropping it unregisters it (waiting for a
/// running callback; stopping the timer if [`Options::stop_on_unregister`]),
/// then drops the state.
///
/// Keep it in the per-device data: a registration kept past unbind (in
/// module state) stays memory-safe (the core holds the parent device, and
/// the state's [`Bar`](crate::io::Bar) and [`Config`](crate::pci::Config)
/// are revoked) but drives nothing.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, pci};
/// # use rkm::watchdog::{self, Context, Options, Watchdog};
/// # struct Soft;
/// # #[rkm::vtable] impl Watchdog for Soft {
/// #     const IDENTITY: &'static str = "soft"; const OPTIONS: u32 = 0;
/// #     fn start(&self, _: &Context<'_>) -> Result { Ok(()) }
/// #     fn stop(&self, _: &Context<'_>) -> Result { Ok(()) }
/// # }
/// struct Dev;
/// impl driver::Driver for Dev {
///     const NAME: &'static str = "dev";
///     type Hw = ();
///     // Unbinding drops it: unregistered before the device goes.
///     type Data = watchdog::Registration<Soft>;
/// }
/// impl pci::Driver for Dev {
///     const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x25ab)];
///     fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), Self::Data)> {
///         Ok(((), watchdog::Registration::register(dev, Soft, &Options::default())?))
///     }
/// }
/// ```
///
/// # Invariants
///
/// `handle` is a glue watchdog registered with `*state` and
/// `Trampolines::<W>::OPS`, unregistered once, by drop, before `state` is
/// freed. Process context.
pub struct Registration<W: Watchdog> {
    handle: NonNull<abi::Watchdog>,
    state: KBox<W>,
}

// SAFETY: the handle is only used to read the id and timeout and to
// unregister; W is Send + Sync.
unsafe impl<W: Watchdog> Send for Registration<W> {}
// SAFETY: `&Registration` only reads (the id, the timeout) and gives `&W`.
unsafe impl<W: Watchdog> Sync for Registration<W> {}

impl<W: Watchdog> Registration<W> {
    /// Registers `state` as a watchdog whose parent is `dev`'s device;
    /// programs the initial timeout through [`Watchdog::set_timeout`] (if
    /// the driver has it) first. `EINVAL`: an identity of 0 or more than 31
    /// bytes, a minimum of 0, or bounds that exclude the default timeout.
    /// Process context.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::watchdog::{self, Context, Options, Watchdog};
    /// # struct Soft;
    /// # #[rkm::vtable] impl Watchdog for Soft {
    /// #     const IDENTITY: &'static str = "soft"; const OPTIONS: u32 = 0;
    /// #     fn start(&self, _: &Context<'_>) -> Result { Ok(()) }
    /// #     fn stop(&self, _: &Context<'_>) -> Result { Ok(()) }
    /// # }
    /// # fn f(dev: &rkm::pci::Device<'_, impl rkm::pci::Driver>) -> Result {
    /// let reg = watchdog::Registration::register(dev, Soft, &Options::default())?;
    /// # drop(reg); Ok(()) }
    /// ```
    pub fn register(dev: &impl DeviceContext, state: W, opts: &Options) -> Result<Self> {
        let state = KBox::try_new(state)?;
        let mut flags = 0;
        if opts.nowayout {
            flags |= abi::WDT_NOWAYOUT;
        }
        if opts.stop_on_reboot {
            flags |= abi::WDT_STOP_ON_REBOOT;
        }
        if opts.stop_on_unregister {
            flags |= abi::WDT_STOP_ON_UNREGISTER;
        }
        let desc = abi::WatchdogDesc {
            identity: W::IDENTITY.as_ptr().cast(),
            identity_len: W::IDENTITY.len(),
            options: W::OPTIONS,
            firmware_version: W::FIRMWARE_VERSION,
            min_timeout: opts.min_timeout,
            max_timeout: opts.max_timeout,
            timeout: opts.timeout,
            timeout_param: opts.timeout_param,
            bootstatus: opts.bootstatus,
            flags,
        };
        let mut err: c_int = 0;
        let ptr: *const W = &*state;
        // SAFETY: `dev` is a live binding (DeviceContext); the descriptor is
        // copied; the ops are static; the boxed state outlives the
        // registration (dropped after unregistering, type invariant).
        let h = unsafe {
            abi::rkm_watchdog_register(
                dev.binding(),
                &desc,
                &Trampolines::<W>::OPS,
                ptr.cast(),
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        Ok(Registration { handle, state })
    }

    /// N of `/dev/watchdogN`.
    ///
    /// ```
    /// # fn f<W: rkm::watchdog::Watchdog>(reg: &rkm::watchdog::Registration<W>) {
    /// let n = reg.id();
    /// # let _ = n; }
    /// ```
    pub fn id(&self) -> u32 {
        // SAFETY: registered until drop (type invariant).
        unsafe { abi::rkm_watchdog_id(self.handle.as_ptr()) as u32 }
    }

    /// The current timeout, in seconds.
    ///
    /// ```
    /// # fn f<W: rkm::watchdog::Watchdog>(reg: &rkm::watchdog::Registration<W>) {
    /// let secs = reg.timeout();
    /// # let _ = secs; }
    /// ```
    pub fn timeout(&self) -> u32 {
        // SAFETY: as above.
        unsafe { abi::rkm_watchdog_timeout(self.handle.as_ptr()) }
    }

    /// The state the callbacks get.
    ///
    /// ```
    /// # fn f<W: rkm::watchdog::Watchdog>(reg: &rkm::watchdog::Registration<W>) {
    /// let state: &W = reg.state();
    /// # let _ = state; }
    /// ```
    pub fn state(&self) -> &W {
        &self.state
    }
}

impl<W: Watchdog> Drop for Registration<W> {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once; no callback runs
        // after this returns, so the state may then be dropped.
        unsafe { abi::rkm_watchdog_unregister(self.handle.as_ptr()) };
    }
}
