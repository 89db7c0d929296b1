// SPDX-License-Identifier: GPL-2.0
//! PCI drivers.
//!
//! A driver implements [`Driver`] and registers with [`Registration`]. For
//! each matching device, [`Driver::probe`] gets a [`Device`] (enable the
//! device and bus mastering, set the DMA mask, map BARs, allocate an
//! interrupt, allocate DMA buffers) and returns the per-device state in two
//! parts:
//!
//! - `Hw`, [`IrqSafe`]: what the hard interrupt handler ([`Driver::irq`])
//!   and the timer callback ([`Driver::timer`]) see, in atomic context;
//! - `Data`: everything else, for process context, including the threaded
//!   half of the interrupt handler ([`Driver::irq_thread`]).
//!
//! The binding owns both and drops them when the device is unbound (sysfs
//! unbind, driver unregistration), after [`Driver::unbind`] (end waits) and
//! [`Driver::remove`], once the interrupt is freed, the timer stopped and bus
//! mastering turned off.
//!
//! Code outside the driver core (file operations) reaches a device through a
//! [`DeviceRef`], a counted handle that outlives the binding: its
//! [`access`](DeviceRef::access) returns `None` once unbinding has started,
//! and unbinding waits until no [`Access`] is held. So no state of an
//! unbound device is reachable through the binding. Sysfs attributes
//! ([`Attr`]) are removed by the driver core before remove and reach the
//! state directly. Resources moved out of the state are harmless too: a
//! [`Bar`] kept elsewhere is revoked at unbind (reads give all ones), and a
//! DMA buffer dropped early is freed only once bus mastering is off
//! (`tests/pci_escape` checks both).
//!
//! Unbinding waits for every [`Access`]: do not keep one across a wait that
//! only unbinding would end (make such waits end in [`Driver::unbind`]), do
//! not take a second one of the same device while holding one (an unbind
//! waiting in between deadlocks both), and never `mem::forget` one. A
//! [`Registration`] must not be dropped from its own driver's callbacks.
//!
//! ```ignore
//! impl pci::Driver for Edu {
//!     const NAME: &'static str = "rust_edu";
//!     const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];
//!     type Hw = Hw;
//!     type Data = Data;
//!     fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> { ... }
//! }
//! ```

use crate::abi;
use crate::alloc::{KBox, KVec};
use crate::error::{code::*, Error, Result};
use crate::io::Bar;
use crate::irq::{IrqReturn, IrqSafe};
use crate::print::{Level, LineWriter};
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};
use core::fmt::{self, Write};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A (vendor, device) pair the driver binds to.
///
/// ```ignore
/// const IDS: &[DeviceId] = &[DeviceId::new(0x1234, 0x11e8)];
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceId {
    vendor: u16,
    device: u16,
}

impl DeviceId {
    /// Matches any subsystem ids and class.
    ///
    /// ```ignore
    /// const EDU: DeviceId = DeviceId::new(0x1234, 0x11e8);
    /// ```
    pub const fn new(vendor: u16, device: u16) -> Self {
        DeviceId { vendor, device }
    }
}

/// Which interrupt [`Device::irq_vector`] allocated.
///
/// ```ignore
/// if dev.irq_kind() == Some(IrqKind::Intx) { /* shared line */ }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqKind {
    /// A message-signalled interrupt, not shared.
    Msi,
    /// The legacy INTx line, possibly shared: the handler must return
    /// [`IrqReturn::None`] when its device did not interrupt.
    Intx,
}

/// A sysfs attribute file created on every bound device
/// (`/sys/bus/pci/devices/<BDF>/<name>`).
///
/// ```ignore
/// const ATTRS: &'static [Attr<Self>] = &[Attr::ro("edu_id", show_id)];
/// ```
pub struct Attr<D: Driver> {
    name: &'static str,
    mode: u16,
    show: Option<ShowFn<D>>,
    store: Option<StoreFn<D>>,
}

/// A show callback: writes the file's text (at most a page) to the buffer.
///
/// ```ignore
/// fn show_id(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result { Ok(()) }
/// ```
pub type ShowFn<D> = fn(&Bound<'_, D>, &mut AttrBuf<'_>) -> Result;
/// A store callback: gets the written bytes (a trailing newline included).
///
/// ```ignore
/// fn store_ms(dev: &Bound<'_, Edu>, text: &[u8]) -> Result { Ok(()) }
/// ```
pub type StoreFn<D> = fn(&Bound<'_, D>, &[u8]) -> Result;

impl<D: Driver> Attr<D> {
    /// Readable by everyone (0444).
    ///
    /// ```ignore
    /// Attr::ro("edu_id", show_id)
    /// ```
    pub const fn ro(name: &'static str, show: ShowFn<D>) -> Self {
        Attr { name, mode: 0o444, show: Some(show), store: None }
    }

    /// Readable by everyone, writable by root (0644).
    ///
    /// ```ignore
    /// Attr::rw("edu_timeout_ms", show_timeout, store_timeout)
    /// ```
    pub const fn rw(name: &'static str, show: ShowFn<D>, store: StoreFn<D>) -> Self {
        Attr { name, mode: 0o644, show: Some(show), store: Some(store) }
    }

    /// Writable by root only (0200).
    ///
    /// ```ignore
    /// Attr::wo("reset", store_reset)
    /// ```
    pub const fn wo(name: &'static str, store: StoreFn<D>) -> Self {
        Attr { name, mode: 0o200, show: None, store: Some(store) }
    }
}

/// The page a show callback writes to; `write!` into it. Text longer than
/// a page makes the read fail with `EFBIG`, never cut.
///
/// ```ignore
/// writeln!(out, "{}", 42).map_err(|_| EFBIG)
/// ```
pub struct AttrBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
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
}

/// A PCI driver.
///
/// ```ignore
/// impl pci::Driver for Edu { /* NAME, IDS, Hw, Data, probe */ }
/// ```
pub trait Driver: Sized + Send + Sync + 'static {
    /// The driver's name (`/sys/bus/pci/drivers/<NAME>`).
    const NAME: &'static str;
    /// The devices it binds to.
    const IDS: &'static [DeviceId];
    /// Sysfs attributes of each bound device.
    const ATTRS: &'static [Attr<Self>] = &[];
    /// The per-device state the interrupt handler and timer see.
    type Hw: IrqSafe + Send + Sync + 'static;
    /// The rest of the per-device state.
    type Data: Send + Sync + 'static;

    /// Sets a device up. Returning an error undoes everything (the device
    /// is left disabled, resources taken through `dev` are released).
    fn probe(&self, dev: &mut Device<'_, Self>) -> Result<(Self::Hw, Self::Data)>;

    /// Unbinding has started and [`DeviceRef::access`] now fails: wake
    /// whatever waits holding an [`Access`], since unbinding waits for them.
    fn unbind(_hw: &Self::Hw) {}

    /// The device is being unbound and no [`Access`] is held: quiesce it.
    /// The interrupt and timer are still live.
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

/// The binding's per-device state: what probe returned, and the binding.
struct Inner<D: Driver> {
    binding: NonNull<c_void>,
    hw: D::Hw,
    data: D::Data,
}

/// Something that proves a device is bound: [`Device`] during probe,
/// [`Bound`] after. Allocating DMA buffers and logging take one.
///
/// ```ignore
/// let buf = CoherentBuffer::alloc(dev, 4096)?;
/// ```
pub trait DeviceContext: sealed::Sealed {
    /// The glue's binding.
    #[doc(hidden)]
    fn binding(&self) -> *mut c_void;

    /// Prints through `dev_printk` ("rust_edu 0000:00:04.0: ..."); used by
    /// [`dev_info!`](crate::dev_info!) and friends.
    fn dev_log(&self, level: Level, args: fmt::Arguments<'_>) {
        let b = self.binding();
        let mut w = LineWriter::new(|line: &[u8]| {
            // SAFETY: a live binding (the trait's contract); `line` is a
            // live slice the glue only reads.
            unsafe { abi::rkm_dev_log(b, level as c_int, line.as_ptr().cast(), line.len()) }
        });
        let _ = w.write_fmt(args);
        w.finish();
    }
}

mod sealed {
    #[doc(hidden)]
    pub trait Sealed {}
}

/// A device being probed.
///
/// ```ignore
/// dev.enable()?;
/// let bar: Bar<0x1000> = dev.iomap(0)?;
/// ```
pub struct Device<'a, D: Driver> {
    binding: NonNull<c_void>,
    _probe: PhantomData<(&'a mut (), D)>,
}

impl<D: Driver> sealed::Sealed for Device<'_, D> {}
impl<D: Driver> DeviceContext for Device<'_, D> {
    fn binding(&self) -> *mut c_void {
        self.binding.as_ptr()
    }
}

fn errno(r: c_int) -> Result {
    if r < 0 {
        Err(Error::from_errno(r))
    } else {
        Ok(())
    }
}

impl<D: Driver> Device<'_, D> {
    /// Enables the device (`pci_enable_device`); disabled again at unbind.
    ///
    /// ```ignore
    /// dev.enable()?;
    /// ```
    pub fn enable(&mut self) -> Result {
        // SAFETY: the binding is live during probe.
        errno(unsafe { abi::rkm_pci_enable(self.binding.as_ptr()) })
    }

    /// Lets the device master the bus (DMA); turned off at unbind before
    /// the per-device state is dropped.
    ///
    /// ```ignore
    /// dev.set_master();
    /// ```
    pub fn set_master(&mut self) {
        // SAFETY: as above.
        unsafe { abi::rkm_pci_set_master(self.binding.as_ptr()) }
    }

    /// Sets the DMA mask (streaming and coherent) to `bits` bits.
    ///
    /// ```ignore
    /// dev.dma_mask(28)?;
    /// ```
    pub fn dma_mask(&mut self, bits: u32) -> Result {
        // SAFETY: as above.
        errno(unsafe { abi::rkm_pci_dma_mask(self.binding.as_ptr(), bits) })
    }

    /// Requests and maps memory BAR `bar`, which must be at least `SIZE`
    /// bytes (`EINVAL` otherwise, or if it is not a memory BAR).
    ///
    /// ```ignore
    /// let bar: Bar<0x100000> = dev.iomap(0)?;
    /// ```
    pub fn iomap<const SIZE: usize>(&mut self, bar: u32) -> Result<Bar<SIZE>> {
        Bar::map(self.binding.as_ptr(), bar)
    }

    /// Allocates the device's interrupt: MSI if it has it, INTx otherwise.
    /// It is requested (with [`Driver::irq`] as handler) once probe has
    /// succeeded, and freed at unbind.
    ///
    /// ```ignore
    /// let kind = dev.irq_vector()?;
    /// ```
    pub fn irq_vector(&mut self) -> Result<IrqKind> {
        // SAFETY: as above.
        match unsafe { abi::rkm_pci_irq_vector(self.binding.as_ptr()) } {
            abi::IRQ_MSI => Ok(IrqKind::Msi),
            abi::IRQ_INTX => Ok(IrqKind::Intx),
            r if r < 0 => Err(Error::from_errno(r)),
            _ => Err(EIO),
        }
    }

    /// A counted handle to this binding, for file operations; its
    /// [`access`](DeviceRef::access) succeeds once probe has returned `Ok`.
    ///
    /// ```ignore
    /// *hub.current.lock() = Some(dev.device_ref());
    /// ```
    pub fn device_ref(&self) -> DeviceRef<D> {
        // SAFETY: as above.
        unsafe { abi::rkm_pci_get(self.binding.as_ptr()) };
        // INVARIANT: we took the reference the handle owns.
        DeviceRef { binding: self.binding, _driver: PhantomData }
    }
}

/// A bound device's state, in process context: during remove, in sysfs
/// callbacks, and through an [`Access`].
///
/// ```ignore
/// fn show(dev: &Bound<'_, Edu>, out: &mut AttrBuf<'_>) -> Result { Ok(()) }
/// ```
pub struct Bound<'a, D: Driver> {
    inner: &'a Inner<D>,
}

impl<D: Driver> sealed::Sealed for Bound<'_, D> {}
impl<D: Driver> DeviceContext for Bound<'_, D> {
    fn binding(&self) -> *mut c_void {
        self.inner.binding.as_ptr()
    }
}

impl<D: Driver> Bound<'_, D> {
    // Borrowed from `self`, not for 'a: through an Access, 'a is the
    // DeviceRef's borrow, which outlives the pass through the gate.

    /// The part the interrupt handler sees.
    ///
    /// ```ignore
    /// let id = dev.hw().bar.read32::<0x00>();
    /// ```
    pub fn hw(&self) -> &D::Hw {
        &self.inner.hw
    }

    /// The rest.
    ///
    /// ```ignore
    /// let io = dev.data().io.lock();
    /// ```
    pub fn data(&self) -> &D::Data {
        &self.inner.data
    }

    /// (Re)arms the device's timer to call [`Driver::timer`] in `ms`
    /// milliseconds.
    ///
    /// ```ignore
    /// dev.arm_timer(1000);
    /// ```
    pub fn arm_timer(&self, ms: u32) {
        // SAFETY: the binding lives as long as its state (`inner`).
        unsafe { abi::rkm_pci_timer_arm(self.binding(), ms) }
    }

    /// Stops the timer, waiting for a running callback to finish.
    ///
    /// ```ignore
    /// dev.cancel_timer();
    /// ```
    pub fn cancel_timer(&self) {
        // SAFETY: as above; process context (a Bound exists only there).
        unsafe { abi::rkm_pci_timer_cancel(self.binding()) }
    }

    /// The interrupt [`Device::irq_vector`] allocated, if any.
    ///
    /// ```ignore
    /// let msi = dev.irq_kind() == Some(IrqKind::Msi);
    /// ```
    pub fn irq_kind(&self) -> Option<IrqKind> {
        // SAFETY: as above.
        match unsafe { abi::rkm_pci_irq_kind(self.binding()) } {
            abi::IRQ_MSI => Some(IrqKind::Msi),
            abi::IRQ_INTX => Some(IrqKind::Intx),
            _ => None,
        }
    }
}

/// A counted handle to a device binding, which may be unbound at any time.
///
/// # Invariants
///
/// `binding` is a glue binding of driver `D` whose count includes this handle.
///
/// ```ignore
/// let dev = self.dev.access().ok_or(ENODEV)?;
/// ```
pub struct DeviceRef<D: Driver> {
    binding: NonNull<c_void>,
    _driver: PhantomData<D>,
}

// SAFETY: the glue's binding may be used from any thread; what it leads to
// (Inner<D>) is Send + Sync.
unsafe impl<D: Driver> Send for DeviceRef<D> {}
// SAFETY: as above.
unsafe impl<D: Driver> Sync for DeviceRef<D> {}

impl<D: Driver> DeviceRef<D> {
    /// Enters the device: `None` if it is unbound (or unbinding, or probe
    /// has not finished). Sleeps. Unbinding waits until the [`Access`]
    /// drops: hold it for one operation, and make waits under it end on
    /// [`Driver::unbind`].
    ///
    /// ```ignore
    /// let dev = self.dev.access().ok_or(ENODEV)?;
    /// ```
    pub fn access(&self) -> Option<Access<'_, D>> {
        // SAFETY: a counted, so live, binding (type invariant).
        let p = unsafe { abi::rkm_pci_enter(self.binding.as_ptr()) };
        // SAFETY: while the gate is passed, the data pointer is probe's live
        // KBox<Inner<D>> (D: the binding was made by Registration<D>), and
        // is not dropped before rkm_pci_leave.
        let inner = unsafe { p.cast::<Inner<D>>().as_ref() }?;
        Some(Access { bound: Bound { inner }, binding: self.binding, _not_send: PhantomData })
    }

    /// Whether this is a handle to `dev`'s binding.
    ///
    /// ```ignore
    /// if current.as_ref().is_some_and(|r| r.is(dev)) { *current = None; }
    /// ```
    pub fn is(&self, dev: &Bound<'_, D>) -> bool {
        self.binding == dev.inner.binding
    }
}

impl<D: Driver> Clone for DeviceRef<D> {
    fn clone(&self) -> Self {
        // SAFETY: live (type invariant).
        unsafe { abi::rkm_pci_get(self.binding.as_ptr()) };
        DeviceRef { binding: self.binding, _driver: PhantomData }
    }
}

impl<D: Driver> Drop for DeviceRef<D> {
    fn drop(&mut self) {
        // SAFETY: drops the reference this handle owns.
        unsafe { abi::rkm_pci_put(self.binding.as_ptr()) };
    }
}

/// A pass through a device's gate: the device stays bound while it lives.
/// Derefs to [`Bound`].
///
/// ```ignore
/// let dev = r.access().ok_or(ENODEV)?; let hw = dev.hw();
/// ```
pub struct Access<'a, D: Driver> {
    bound: Bound<'a, D>,
    binding: NonNull<c_void>,
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
        unsafe { abi::rkm_pci_leave(self.binding.as_ptr()) };
    }
}

/// A registered PCI driver; dropping it unbinds every device and
/// unregisters the driver.
///
/// ```ignore
/// struct M { _pci: pci::Registration<Edu> }
/// ```
pub struct Registration<D: Driver> {
    handle: NonNull<c_void>,
    // Boxed: the glue keeps its address for probe.
    _drv: KBox<D>,
}

// SAFETY: the handle is only used to unregister; D is Send + Sync.
unsafe impl<D: Driver> Send for Registration<D> {}
// SAFETY: `&Registration` exposes nothing.
unsafe impl<D: Driver> Sync for Registration<D> {}

impl<D: Driver> Registration<D> {
    /// Registers `drv`; probe may run (for devices present) before this returns.
    ///
    /// ```ignore
    /// let reg = pci::Registration::register(Edu { hub })?;
    /// ```
    pub fn register(drv: D) -> Result<Self> {
        let drv = KBox::try_new(drv)?;
        let mut ids: KVec<u16> = KVec::new();
        for id in D::IDS {
            ids.try_push(id.vendor)?;
            ids.try_push(id.device)?;
        }
        let mut attrs: KVec<abi::PciAttr> = KVec::new();
        for a in D::ATTRS {
            attrs.try_push(abi::PciAttr {
                name: a.name.as_ptr().cast(),
                name_len: a.name.len(),
                mode: a.mode,
            })?;
        }
        let ops: &'static abi::PciOps = &Trampolines::<D>::OPS;
        let mut err: c_int = 0;
        // SAFETY: name, ids and attrs are valid for their lengths and copied
        // by the glue; ops is static; `drv` is boxed and outlives the
        // registration (dropped after unregistering).
        let h = unsafe {
            abi::rkm_pci_register(
                D::NAME.as_ptr().cast(),
                D::NAME.len(),
                ids.as_ptr(),
                D::IDS.len(),
                attrs.as_ptr(),
                attrs.len(),
                ops,
                (&*drv as *const D).cast(),
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_errno(err))?;
        Ok(Registration { handle, _drv: drv })
    }
}

impl<D: Driver> Drop for Registration<D> {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once; every device is
        // unbound (its state dropped) before this returns.
        unsafe { abi::rkm_pci_unregister(self.handle.as_ptr()) };
    }
}

struct Trampolines<D>(PhantomData<D>);

impl<D: Driver> Trampolines<D> {
    const OPS: abi::PciOps = abi::PciOps {
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

    extern "C" fn probe(drv: *const c_void, binding: *mut c_void, out: *mut *mut c_void) -> c_int {
        // SAFETY: the registration's boxed D, alive until it unregisters.
        let drv = unsafe { &*drv.cast::<D>() };
        let Some(binding) = NonNull::new(binding) else {
            return EINVAL.to_errno();
        };
        let mut dev = Device { binding, _probe: PhantomData };
        let r = drv
            .probe(&mut dev)
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
        D::unbind(&unsafe { Self::inner(p) }.hw)
    }

    extern "C" fn remove(p: *mut c_void) {
        // SAFETY: as above.
        D::remove(&Bound { inner: unsafe { Self::inner(p) } })
    }

    extern "C" fn drop(p: *mut c_void) {
        // SAFETY: from probe's KBox::leak; the glue drops it once, after the
        // gate closed, the interrupt was freed and the timer stopped, so no
        // reference to it remains.
        drop(unsafe { KBox::<Inner<D>>::from_raw(NonNull::new_unchecked(p.cast())) });
    }

    extern "C" fn irq(p: *mut c_void) -> c_int {
        // SAFETY: as in unbind (the interrupt is freed before drop).
        match D::irq(&unsafe { Self::inner(p) }.hw) {
            IrqReturn::None => abi::IRQ_NONE,
            IrqReturn::Handled => abi::IRQ_HANDLED,
            IrqReturn::WakeThread => abi::IRQ_WAKE_THREAD,
        }
    }

    extern "C" fn irq_thread(p: *mut c_void) {
        // SAFETY: as above.
        let inner = unsafe { Self::inner(p) };
        D::irq_thread(&inner.hw, &inner.data)
    }

    extern "C" fn timer(p: *mut c_void) {
        // SAFETY: as above (the timer is stopped before drop).
        D::timer(&unsafe { Self::inner(p) }.hw)
    }

    extern "C" fn attr_show(p: *mut c_void, idx: c_uint, buf: *mut c_char, cap: usize) -> c_long {
        let Some(show) = D::ATTRS.get(idx as usize).and_then(|a| a.show) else {
            return EIO.to_errno().into();
        };
        // SAFETY: sysfs gives a page of `cap` bytes, ours until we return.
        let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        let mut out = AttrBuf { buf: page, len: 0, overflow: false };
        // SAFETY: as in unbind (the files are removed before remove).
        let bound = Bound { inner: unsafe { Self::inner(p) } };
        match show(&bound, &mut out) {
            Ok(()) if out.overflow => c_long::from(crate::error::code::EFBIG.to_errno()),
            Ok(()) => out.len as c_long,
            Err(e) => e.to_errno().into(),
        }
    }

    extern "C" fn attr_store(p: *mut c_void, idx: c_uint, buf: *const c_char, len: usize) -> c_int {
        let Some(store) = D::ATTRS.get(idx as usize).and_then(|a| a.store) else {
            return EIO.to_errno();
        };
        // SAFETY: sysfs gives the written bytes, valid until we return.
        let text = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        // SAFETY: as in attr_show.
        let bound = Bound { inner: unsafe { Self::inner(p) } };
        match store(&bound, text) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

/// Prints at `KERN_INFO` through `dev_printk` (prefix "driver BDF: ").
///
/// ```ignore
/// dev_info!(dev, "irq {:?}\n", kind);
/// ```
#[macro_export]
macro_rules! dev_info {
    ($dev:expr, $($arg:tt)*) => {{
        use $crate::pci::DeviceContext as _;
        ($dev).dev_log($crate::print::Level::Info, format_args!($($arg)*))
    }};
}

/// Prints at `KERN_WARNING` through `dev_printk`.
///
/// ```ignore
/// dev_warn!(dev, "slow\n");
/// ```
#[macro_export]
macro_rules! dev_warn {
    ($dev:expr, $($arg:tt)*) => {{
        use $crate::pci::DeviceContext as _;
        ($dev).dev_log($crate::print::Level::Warning, format_args!($($arg)*))
    }};
}

/// Prints at `KERN_ERR` through `dev_printk`.
///
/// ```ignore
/// dev_err!(dev, "no interrupt\n");
/// ```
#[macro_export]
macro_rules! dev_err {
    ($dev:expr, $($arg:tt)*) => {{
        use $crate::pci::DeviceContext as _;
        ($dev).dev_log($crate::print::Level::Err, format_args!($($arg)*))
    }};
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[("attr_buf_refuses_overflow", attr_buf_refuses_overflow)];

    fn attr_buf_refuses_overflow() -> Result {
        let mut page = [0u8; 8];
        let mut out = AttrBuf { buf: &mut page, len: 0, overflow: false };
        kassert!(write!(out, "{}", 1234567).is_ok() && out.len == 7 && !out.overflow);
        kassert!(write!(out, "89").is_err() && out.overflow && out.len == 7);
        kassert!(page.get(..7) == Some(&b"1234567"[..]));
        Ok(())
    }
}
