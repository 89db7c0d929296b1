// SPDX-License-Identifier: GPL-2.0
//! PCI drivers, on the device core.
//!
//! A PCI driver implements [`driver::Driver`] (name, per-device state,
//! sysfs attributes, the binding's hooks: what every bus shares) and
//! [`Driver`] (the id table and `probe`), and registers with
//! [`Registration`]. For each matching device, [`Driver::probe`] gets a
//! [`Device`] (enable the device and bus mastering, set the DMA mask, map
//! BARs, allocate an interrupt, allocate DMA buffers) and returns the
//! per-device state; from then on the device core
//! ([`device`](crate::device)) owns it: [`Bound`], [`DeviceRef`] and
//! [`Access`] reach it, and unbinding (sysfs unbind, driver unregistration)
//! tears it down in the core's order, the PCI part (bus mastering off,
//! vectors freed, device disabled) included.
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
//!         dev_info!(dev, "probed\n");
//!         Ok(((), ()))
//!     }
//! }
//! struct M {
//!     _pci: pci::Registration<MyDev>,
//! }
//! fn init() -> Result<M> {
//!     Ok(M { _pci: pci::Registration::register(MyDev)? })
//! }
//! ```

use crate::abi;
use crate::alloc::{KBox, KVec};
use crate::device::{sealed, DeviceContext, ProbeDevice};
use crate::driver::{self, Desc, Trampolines};
use crate::error::{code::*, to_result, Error, Result};
use crate::io::Bar;
pub use crate::io::BarKind;
use core::ffi::{c_int, c_uint, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;

pub use crate::device::{Access, Bound, DeviceRef};
pub use crate::driver::{Attr, AttrBuf, ShowFn, StoreFn};
pub use crate::irq::{IrqKind, IrqReturn};

/// One entry of a driver's id table: which devices it binds to, and the
/// data of type `T` the driver attached to the entry ([`Device::id`] gives
/// probe the entry the device matched).
///
/// ```
/// # use rkm::pci::DeviceId;
/// struct Info {
///     label: &'static str,
///     fifo: usize,
/// }
/// const IDS: &[DeviceId<Info>] = &[
///     DeviceId::new(0x1234, 0x5678).data(Info { label: "model A", fifo: 16 }),
///     DeviceId::new(0x1234, 0x5679).subsystem(0x1af4, 0x1100).data(Info { label: "B", fifo: 64 }),
///     DeviceId::class(0x0c0330, 0xffffff).data(Info { label: "any xHCI", fifo: 0 }),
/// ];
/// ```
///
/// # Invariants
///
/// Not all of `vendor`, `subvendor` and `class_mask` are 0 (the kernel's
/// table terminator): every constructor sets `vendor` or `class_mask`, or
/// `subvendor` to [`ANY_ID`] (the glue refuses such a table with `EINVAL`
/// anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceId<T: 'static = ()> {
    vendor: u32,
    device: u32,
    subvendor: u32,
    subdevice: u32,
    class: u32,
    class_mask: u32,
    data: T,
}

/// Matches any value of a [`DeviceId`] field (the kernel's `PCI_ANY_ID`).
pub const ANY_ID: u32 = abi::PCI_ANY_ID;

impl DeviceId {
    /// Matches `vendor:device` with any subsystem ids and class.
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// const ID: DeviceId = DeviceId::new(0x8086, 0x100e);
    /// ```
    pub const fn new(vendor: u16, device: u16) -> Self {
        DeviceId {
            vendor: vendor as u32,
            device: device as u32,
            subvendor: ANY_ID,
            subdevice: ANY_ID,
            class: 0,
            class_mask: 0,
            data: (),
        }
    }

    /// Matches any device of class `class` (24 bits: base class,
    /// subclass, programming interface) in the bits of `mask`.
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// const NVME: DeviceId = DeviceId::class(0x010802, 0xffffff);
    /// ```
    pub const fn class(class: u32, mask: u32) -> Self {
        DeviceId {
            vendor: ANY_ID,
            device: ANY_ID,
            subvendor: ANY_ID,
            subdevice: ANY_ID,
            class,
            class_mask: mask,
            data: (),
        }
    }

    /// Attaches `data` to the entry; [`Device::id`] gives it back typed.
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// const ID: DeviceId<u32> = DeviceId::new(0x8086, 0x100e).data(8192);
    /// ```
    pub const fn data<U>(self, data: U) -> DeviceId<U> {
        let DeviceId { vendor, device, subvendor, subdevice, class, class_mask, data: () } = self;
        DeviceId { vendor, device, subvendor, subdevice, class, class_mask, data }
    }
}

impl<T> DeviceId<T> {
    /// Restricts the entry to subsystem `subvendor:subdevice`.
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// const ID: DeviceId = DeviceId::new(0x1af4, 0x1000).subsystem(0x1af4, 0x0001);
    /// ```
    pub const fn subsystem(mut self, subvendor: u16, subdevice: u16) -> Self {
        self.subvendor = subvendor as u32;
        self.subdevice = subdevice as u32;
        self
    }

    /// The vendor id it matches, or [`ANY_ID`].
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// assert_eq!(DeviceId::new(0x8086, 0x100e).vendor(), 0x8086);
    /// ```
    pub const fn vendor(&self) -> u32 {
        self.vendor
    }

    /// The device id it matches, or [`ANY_ID`].
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// assert_eq!(DeviceId::new(0x8086, 0x100e).device(), 0x100e);
    /// ```
    pub const fn device(&self) -> u32 {
        self.device
    }

    /// The class and the mask of its bits it matches (mask 0: any class).
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// assert_eq!(DeviceId::class(0x010802, 0xffff00).class_match(), (0x010802, 0xffff00));
    /// ```
    pub const fn class_match(&self) -> (u32, u32) {
        (self.class, self.class_mask)
    }

    /// The data the driver attached to the entry.
    ///
    /// ```
    /// # use rkm::pci::DeviceId;
    /// const ID: DeviceId<&str> = DeviceId::new(0x8086, 0x100e).data("e1000");
    /// assert_eq!(*ID.driver_data(), "e1000");
    /// ```
    pub const fn driver_data(&self) -> &T {
        &self.data
    }
}

/// A PCI driver: the id table and probe, on top of [`driver::Driver`].
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, pci};
/// # struct Nic;
/// # impl driver::Driver for Nic { const NAME: &'static str = "nic"; type Hw = (); type Data = (); }
/// impl pci::Driver for Nic {
///     const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x100e)];
///     fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
///         dev.enable()?;
///         Ok(((), ()))
///     }
/// }
/// ```
pub trait Driver: driver::Driver {
    /// What the driver attaches to each id table entry
    /// ([`DeviceId::data`]); `()` unless given.
    type IdInfo: Sync + 'static = ();

    /// The devices it binds to (1 to 1024 entries: `EINVAL` at
    /// registration otherwise).
    const IDS: &'static [DeviceId<Self::IdInfo>];

    /// Sets a device up. Returning an error undoes everything (the device
    /// is left disabled, resources taken through `dev` are released).
    fn probe(&self, dev: &mut Device<'_, Self>) -> Result<(Self::Hw, Self::Data)>;

    /// The hard handler of vector `vector` of those [`Device::irq_vectors`]
    /// allocated (atomic context; there is no threaded half: `WakeThread`
    /// counts as `Handled`). Not called for [`Device::irq_vector`]'s
    /// interrupt, which goes to [`driver::Driver::irq`].
    fn irq_vector(_hw: &Self::Hw, _vector: u32) -> IrqReturn {
        IrqReturn::None
    }
}

/// Which interrupt types [`Device::irq_vectors`] may use, combined with
/// `|`; it tries MSI-X first, then MSI, then INTx.
///
/// ```
/// # use rkm::pci::IrqTypes;
/// let t = IrqTypes::MSIX | IrqTypes::MSI;
/// # let _ = t;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqTypes(u32);

impl IrqTypes {
    /// MSI-X: one message per vector, each with its own address.
    pub const MSIX: IrqTypes = IrqTypes(abi::PCI_IRQ_MSIX);
    /// MSI: up to 32 vectors in one block.
    pub const MSI: IrqTypes = IrqTypes(abi::PCI_IRQ_MSI);
    /// The legacy line: one vector, possibly shared.
    pub const INTX: IrqTypes = IrqTypes(abi::PCI_IRQ_INTX);
    /// Whatever the device has.
    pub const ALL: IrqTypes = IrqTypes(abi::PCI_IRQ_MSIX | abi::PCI_IRQ_MSI | abi::PCI_IRQ_INTX);
}

impl core::ops::BitOr for IrqTypes {
    type Output = IrqTypes;
    fn bitor(self, rhs: IrqTypes) -> IrqTypes {
        IrqTypes(self.0 | rhs.0)
    }
}

/// The interrupt type [`Device::irq_vectors`] got.
///
/// ```
/// # use rkm::pci::VectorKind;
/// fn shared(k: VectorKind) -> bool {
///     k == VectorKind::Intx
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorKind {
    /// MSI-X.
    MsiX,
    /// MSI.
    Msi,
    /// The legacy line (one vector; the handler must return
    /// [`IrqReturn::None`] when its device did not interrupt).
    Intx,
}

/// The handler the glue calls for each vector of [`Device::irq_vectors`].
extern "C" fn vector_irq<D: Driver>(p: *mut c_void, vector: c_uint) -> c_int {
    // SAFETY: the glue calls it with the binding's live data, an Inner<D>
    // made by the device core's probe trampoline of Registration<D>; the
    // vectors are freed before that data is dropped.
    let inner = unsafe { &*p.cast::<driver::Inner<D>>() };
    match D::irq_vector(inner.hw(), vector) {
        IrqReturn::None => abi::IRQ_NONE,
        IrqReturn::Handled | IrqReturn::WakeThread => abi::IRQ_HANDLED,
    }
}

/// A device being probed.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, pci, io::Bar};
/// # struct Dev;
/// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
/// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
/// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
/// dev.enable()?;
/// let bar: Bar<0x100> = dev.iomap(0)?;
/// # let _ = bar;
/// # Ok(((), ())) } }
/// ```
///
/// # Invariants
///
/// `binding` is the binding under probe: live, and not yet visible to
/// anything but this probe call, for `'a`; `id` is the entry of `D::IDS`
/// the device matched (the glue's index, bounds-checked). Process context.
pub struct Device<'a, D: Driver> {
    binding: NonNull<abi::Binding>,
    id: &'static DeviceId<D::IdInfo>,
    _probe: PhantomData<(&'a mut (), D)>,
}

// SAFETY: a Device exists only inside its binding's probe (PciBus::probe),
// during which the binding is live, and borrows nothing that outlives it.
unsafe impl<D: Driver> sealed::Sealed for Device<'_, D> {
    fn binding(&self) -> *mut abi::Binding {
        self.binding.as_ptr()
    }
}
impl<D: Driver> DeviceContext for Device<'_, D> {}
impl<D: Driver> ProbeDevice for Device<'_, D> {}

impl<D: Driver> Device<'_, D> {
    /// The entry of [`Driver::IDS`] this device matched (the first that
    /// matches, as the PCI core picks it; for a device added through the
    /// driver's `new_id` sysfs file, the entry whose index + 1 was given as
    /// its driver_data, which the kernel requires), with the driver's data.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = u32; }
    /// impl pci::Driver for Dev {
    ///     type IdInfo = u32;
    ///     const IDS: &'static [pci::DeviceId<u32>] = &[
    ///         pci::DeviceId::new(0x1234, 0x0001).data(16),
    ///         pci::DeviceId::new(0x1234, 0x0002).data(64),
    ///     ];
    ///     fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), u32)> {
    ///         let fifo: u32 = *dev.id().driver_data();
    ///         Ok(((), fifo))
    ///     }
    /// }
    /// ```
    pub fn id(&self) -> &'static DeviceId<D::IdInfo> {
        self.id
    }

    /// Enables the device (`pci_enable_device`); disabled again at unbind.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// dev.enable()?;
    /// # Ok(((), ())) } }
    /// ```
    pub fn enable(&mut self) -> Result {
        // SAFETY: the binding is live during probe.
        to_result(unsafe { abi::rkm_pci_enable(self.binding.as_ptr()) })
    }

    /// Lets the device master the bus (DMA); turned off at unbind before
    /// the per-device state is dropped.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// dev.set_master();
    /// # Ok(((), ())) } }
    /// ```
    pub fn set_master(&mut self) {
        // SAFETY: as above.
        unsafe { abi::rkm_pci_set_master(self.binding.as_ptr()) }
    }

    /// Sets the DMA mask (streaming and coherent) to `bits` bits: the
    /// generic [`ProbeDevice::dma_mask`],
    /// here without importing the trait.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// dev.dma_mask(32)?;
    /// # Ok(((), ())) } }
    /// ```
    pub fn dma_mask(&mut self, bits: u32) -> Result {
        ProbeDevice::dma_mask(self, bits)
    }

    /// Requests and maps BAR `bar`, memory or I/O ports
    /// ([`Bar::kind`]), which must be at least `SIZE` bytes (`EINVAL`
    /// otherwise, for a BAR number above 5 or an unimplemented BAR; `EBUSY`
    /// if another driver holds its region). The same checked accessors serve
    /// both kinds.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// let bar: Bar<0x1000> = dev.iomap(0)?;
    /// # let _ = bar;
    /// # Ok(((), ())) } }
    /// ```
    pub fn iomap<const SIZE: usize>(&mut self, bar: u32) -> Result<Bar<SIZE>> {
        // SAFETY: a Device exists only while its PCI binding is probed.
        unsafe { Bar::map(self.binding.as_ptr(), bar) }
    }

    /// Allocates the device's interrupt: MSI if it has it, INTx otherwise.
    /// It is requested (with [`driver::Driver::irq`] as handler) once probe
    /// has succeeded, and freed at unbind.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// let kind = dev.irq_vector()?;
    /// dev_info!(dev, "{kind:?} interrupt\n");
    /// # Ok(((), ())) } }
    /// ```
    pub fn irq_vector(&mut self) -> Result<IrqKind> {
        // SAFETY: as above.
        let r = unsafe { abi::rkm_pci_irq_vector(self.binding.as_ptr()) };
        match IrqKind::from_raw(r) {
            Some(kind) => Ok(kind),
            None if r < 0 => Err(Error::from_kernel(r)),
            None => Err(EIO),
        }
    }

    /// Allocates `min..=max` interrupt vectors (1 to 32) of the `types`
    /// given: how many it got, and their type. Each is requested with
    /// [`Driver::irq_vector`] as its hard handler (given its index) once
    /// probe has succeeded, and freed at unbind, after
    /// [`driver::Driver::remove`] and before the data is dropped. `EINVAL`
    /// for bad bounds, `EBUSY` if this or [`irq_vector`](Self::irq_vector)
    /// already allocated, `ENOSPC` if the device has fewer than `min`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// let (n, kind) = dev.irq_vectors(2, 5, pci::IrqTypes::MSIX | pci::IrqTypes::MSI)?;
    /// dev_info!(dev, "{n} {kind:?} vectors\n");
    /// # Ok(((), ())) } }
    /// ```
    pub fn irq_vectors(
        &mut self,
        min: u32,
        max: u32,
        types: IrqTypes,
    ) -> Result<(u32, VectorKind)> {
        if min == 0 || min > max || max > abi::PCI_VECTORS_MAX {
            return Err(EINVAL);
        }
        let mut kind: c_uint = 0;
        // SAFETY: the binding is live during probe; a valid out-pointer.
        let n = unsafe {
            abi::rkm_pci_irq_vectors(self.binding.as_ptr(), min, max, types.0, &mut kind)
        };
        let n = u32::try_from(n).map_err(|_| Error::from_kernel(n))?;
        let kind = match kind {
            abi::PCI_IRQ_MSIX => VectorKind::MsiX,
            abi::PCI_IRQ_MSI => VectorKind::Msi,
            _ => VectorKind::Intx,
        };
        Ok((n, kind))
    }

    /// A counted handle to this binding, for file operations; its
    /// [`access`](DeviceRef::access) succeeds once probe has returned `Ok`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci, io::Bar};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// let r: pci::DeviceRef<Self> = dev.device_ref();
    /// # let _ = r;
    /// # Ok(((), ())) } }
    /// ```
    pub fn device_ref(&self) -> DeviceRef<D> {
        // SAFETY: we are inside the binding's probe, so it is live, and it
        // was made by Registration<D>, whose data is an Inner<D>.
        unsafe { DeviceRef::new(self.binding) }
    }
}

/// PCI's probe step for the device core.
struct PciBus;

impl<D: Driver> driver::Probe<D> for PciBus {
    unsafe fn probe(drv: &D, binding: NonNull<abi::Binding>) -> Result<(D::Hw, D::Data)> {
        // SAFETY: the binding is being probed (the caller's contract).
        let idx = unsafe { abi::rkm_pci_id_index(binding.as_ptr()) };
        let idx = usize::try_from(idx).map_err(|_| Error::from_kernel(idx))?;
        let id = D::IDS.get(idx).ok_or(EINVAL)?;
        // INVARIANT: the Device lives only for this call, while the binding
        // is being probed (the caller's contract); `id` is checked above.
        drv.probe(&mut Device { binding, id, _probe: PhantomData })
    }
}

/// A registered PCI driver; dropping it unbinds every device and
/// unregisters the driver.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver, pci};
/// # struct Nic;
/// # impl driver::Driver for Nic { const NAME: &'static str = "nic"; type Hw = (); type Data = (); }
/// # impl pci::Driver for Nic { const IDS: &'static [pci::DeviceId] = &[]; fn probe(&self, _: &mut pci::Device<'_, Self>) -> Result<((), ())> { Ok(((), ())) } }
/// struct Module {
///     _pci: pci::Registration<Nic>,
/// }
/// ```
///
/// # Invariants
///
/// `handle` is a registered glue PCI driver whose probe uses `*_drv`; it is
/// unregistered exactly once (by drop, or at module exit if leaked, which
/// also covers a drop nested inside that unregistration) before `_drv` is
/// freed. Process context.
pub struct Registration<D: Driver> {
    handle: NonNull<abi::PciDriver>,
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
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci};
    /// # struct Nic;
    /// # impl driver::Driver for Nic { const NAME: &'static str = "nic"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Nic { const IDS: &'static [pci::DeviceId] = &[]; fn probe(&self, _: &mut pci::Device<'_, Self>) -> Result<((), ())> { Ok(((), ())) } }
    /// let reg = pci::Registration::register(Nic)?;
    /// # drop(reg);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register(drv: D) -> Result<Self> {
        let drv = KBox::try_new(drv)?;
        if D::IDS.is_empty() || D::IDS.len() > abi::PCI_IDS_MAX as usize {
            return Err(EINVAL);
        }
        let mut ids: KVec<abi::PciId> = KVec::new();
        for id in D::IDS {
            ids.try_push(abi::PciId {
                vendor: id.vendor,
                device: id.device,
                subvendor: id.subvendor,
                subdevice: id.subdevice,
                class: id.class,
                class_mask: id.class_mask,
            })?;
        }
        // SAFETY: `drv` stays boxed in the Registration, dropped only after
        // rkm_pci_unregister.
        let desc = unsafe { Desc::new(&Trampolines::<D, PciBus>::OPS, &drv)? };
        let mut err: c_int = 0;
        // SAFETY: the descriptor's name and attributes and the ids are valid
        // for their lengths and copied by the glue; the ops are static;
        // `drv` is boxed and outlives the registration (dropped after
        // unregistering).
        let h = unsafe {
            abi::rkm_pci_register_ids(
                &desc.raw(),
                ids.as_ptr(),
                ids.len(),
                Some(vector_irq::<D>),
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
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

// --- PCI config space (issue 16) ---

/// The standard configuration space every PCI device has: what constant
/// offsets are checked against at compile time.
pub const CONFIG_SPACE_SIZE: usize = 256;

/// The end of the standard header (`PCI_STD_HEADER_SIZEOF`): the bytes
/// below belong to the PCI core, so writes there are refused (at compile
/// time for a constant offset).
pub const CONFIG_HEADER_SIZE: usize = 0x40;

impl<D: Driver> Device<'_, D> {
    /// A handle on the device's configuration space, for probe and for
    /// later (kept in the per-device state): see [`Config`]. Maps the
    /// device's capability lists (which bytes are the kernel's): process
    /// context, as probe is.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver, pci};
    /// # struct Dev;
    /// # impl driver::Driver for Dev { const NAME: &'static str = "d"; type Hw = (); type Data = (); }
    /// # impl pci::Driver for Dev { const IDS: &'static [pci::DeviceId] = &[];
    /// # fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
    /// let cfg = dev.config()?;
    /// let vendor = cfg.read16::<0x00>();
    /// cfg.write8::<0x68>(0)?;
    /// # let _ = vendor;
    /// # Ok(((), ())) } }
    /// ```
    pub fn config(&mut self) -> Result<Config> {
        let (mut size, mut err): (usize, c_int) = (0, 0);
        // SAFETY: the binding is live during probe (process context); the
        // out-pointers are valid.
        let h = unsafe { abi::rkm_pci_config_get(self.binding.as_ptr(), &mut size, &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        // INVARIANT: a handle on a device whose config space has `size`
        // bytes; the glue mapped its protected bytes before returning it.
        Ok(Config { handle, size })
    }
}

/// A PCI device's configuration space: every register can be read, and
/// the device's own registers written.
///
/// Accesses at a constant offset (`read8::<0x68>()`) are checked at compile
/// time against the standard 256 bytes and the access's alignment; at a
/// run-time offset (`try_read8(off)`) against the device's real size (256,
/// or 4096 for PCI Express) and the alignment, failing with `EINVAL`.
///
/// Writes that would take a register from the kernel fail with `EPERM`
/// and write nothing (docs/pci.md has the table):
///
/// - the standard header, `0x00..0x40` (command, BARs, expansion ROM,
///   interrupt line: [`Device::enable`], [`Device::set_master`],
///   [`Device::iomap`], [`Device::irq_vectors`] are the ways to them). A
///   constant offset there does not compile;
/// - in `0x40..0x100`, every capability's id and next bytes, and the whole
///   of the capabilities the kernel owns: power management, MSI (an
///   address the device would write to), MSI-X, PCI Express (device and
///   link control: FLR, ASPM, payload sizes), VPD, AF, PCI-X, SSVID, and
///   any other up to the next capability. A vendor-specific capability is
///   the driver's past its id, next and length bytes;
/// - the extended space, `0x100..0x1000`, except the bodies of
///   vendor-specific extended capabilities (VSEC past its 8-byte header,
///   DVSEC past its 10 bytes): AER, SR-IOV, ATS, resizable BARs ... are the
///   core's.
///
/// Like a [`Bar`], a `Config` kept past unbind (in module state) is
/// revoked: reads give all ones, writes fail with `ENODEV`. A failed read
/// (the device gone) also gives all ones.
///
/// ```
/// # fn f(cfg: &rkm::pci::Config) -> rkm::Result {
/// let lock = cfg.read8::<0x68>();
/// cfg.write8::<0x68>(lock & !0x2)?;
/// let ext = cfg.try_read32(0x100)?; // EINVAL on a conventional PCI device
/// assert_eq!(cfg.try_write16(0x04, 0), Err(rkm::prelude::EPERM)); // the command register
/// # let _ = ext; Ok(()) }
/// ```
///
/// # Invariants
///
/// `handle` is a glue config handle owned by this value until drop, on a
/// device whose config space is `size` bytes. The glue made the map of
/// protected bytes once, at get (process context), and only reads it
/// after: the capability list it followed cannot be rewritten through the
/// handle, since every capability header is protected. Each access is one
/// `pci_{read,write}_config_*` under RCU in the glue, which takes only a
/// raw spinlock, after a test of the map for writes: any context
/// (`IrqSafe`). Drop takes a mutex: process context.
///
/// What this keeps from safe code: a BAR or the ROM moved under the
/// kernel's mapping, an MSI message turned into a device write to any
/// physical address, the device reset, powered down or its link retrained
/// behind the PCI core's back.
pub struct Config {
    handle: NonNull<abi::PciConfig>,
    size: usize,
}

// SAFETY: config accesses may be made from any thread; the handle is only freed by drop.
unsafe impl Send for Config {}
// SAFETY: every access is one locked config access in the glue; the map is read-only.
unsafe impl Sync for Config {}
// SAFETY: config accesses never sleep.
unsafe impl crate::irq::IrqSafe for Config {}

macro_rules! config_accessors {
    ($($t:ty: $read:ident, $write:ident, $try_read:ident, $try_write:ident, $glue_r:ident, $glue_w:ident;)*) => {
        $(
            #[doc = concat!("Reads a `", stringify!($t), "` at constant offset `OFF` (checked at compile time).")]
            ///
            /// ```
            /// # fn f(cfg: &rkm::pci::Config) {
            /// let id = cfg.read16::<0x02>();
            /// # let _ = id; }
            /// ```
            #[inline]
            pub fn $read<const OFF: usize>(&self) -> $t {
                const {
                    assert!(OFF % size_of::<$t>() == 0, "misaligned config-space offset");
                    assert!(OFF + size_of::<$t>() <= CONFIG_SPACE_SIZE, "offset outside the config space");
                };
                // SAFETY: our handle; inside the 256 bytes every device has, aligned.
                unsafe { abi::$glue_r(self.handle.as_ptr(), OFF) }
            }

            #[doc = concat!("Writes a `", stringify!($t), "` at constant offset `OFF`, past the standard header (checked at compile time): `EPERM` inside a capability the kernel owns, `ENODEV` after unbind (see [`Config`]).")]
            ///
            /// ```
            /// # fn f(cfg: &rkm::pci::Config) -> rkm::Result {
            /// cfg.write16::<0x60>(0x0003)?;
            /// # Ok(()) }
            /// ```
            #[inline]
            pub fn $write<const OFF: usize>(&self, val: $t) -> Result {
                const {
                    assert!(OFF % size_of::<$t>() == 0, "misaligned config-space offset");
                    assert!(OFF + size_of::<$t>() <= CONFIG_SPACE_SIZE, "offset outside the config space");
                    assert!(
                        OFF >= CONFIG_HEADER_SIZE,
                        "the config-space header (0x00..0x40) belongs to the PCI core: use pci::Device's enable, set_master, iomap, irq_vectors"
                    );
                };
                // SAFETY: as in the read.
                to_result(unsafe { abi::$glue_w(self.handle.as_ptr(), OFF, val) })
            }

            #[doc = concat!("Reads a `", stringify!($t), "` at run-time offset `off`: `EINVAL` outside the config space or misaligned.")]
            ///
            /// ```
            /// # fn f(cfg: &rkm::pci::Config, off: usize) -> rkm::Result {
            /// let v = cfg.try_read16(off)?;
            /// # let _ = v; Ok(()) }
            /// ```
            pub fn $try_read(&self, off: usize) -> Result<$t> {
                let off = self.check(off, size_of::<$t>())?;
                // SAFETY: our handle; inside the config space and aligned (checked).
                Ok(unsafe { abi::$glue_r(self.handle.as_ptr(), off) })
            }

            #[doc = concat!("Writes a `", stringify!($t), "` at run-time offset `off`: `EINVAL` outside the config space or misaligned, `EPERM` on a register the kernel owns, `ENODEV` after unbind (see [`Config`]).")]
            ///
            /// ```
            /// # fn f(cfg: &rkm::pci::Config, off: usize) -> rkm::Result {
            /// cfg.try_write16(off, 0)?;
            /// # Ok(()) }
            /// ```
            pub fn $try_write(&self, off: usize, val: $t) -> Result {
                let off = self.check(off, size_of::<$t>())?;
                // SAFETY: our handle; inside the config space and aligned (checked).
                to_result(unsafe { abi::$glue_w(self.handle.as_ptr(), off, val) })
            }
        )*
    };
}

impl Config {
    /// The config space's size: 256, or 4096 for PCI Express.
    ///
    /// ```
    /// # fn f(cfg: &rkm::pci::Config) {
    /// assert!(cfg.size() >= rkm::pci::CONFIG_SPACE_SIZE);
    /// # }
    /// ```
    pub fn size(&self) -> usize {
        self.size
    }

    fn check(&self, off: usize, width: usize) -> Result<usize> {
        match off.checked_add(width) {
            Some(end) if end <= self.size && off.is_multiple_of(width) => Ok(off),
            _ => Err(EINVAL),
        }
    }

    config_accessors! {
        u8: read8, write8, try_read8, try_write8, rkm_pci_config_readb, rkm_pci_config_writeb;
        u16: read16, write16, try_read16, try_write16, rkm_pci_config_readw, rkm_pci_config_writew;
        u32: read32, write32, try_read32, try_write32, rkm_pci_config_readl, rkm_pci_config_writel;
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: our handle, put once; no access can follow (&mut self).
        unsafe { abi::rkm_pci_config_put(self.handle.as_ptr()) };
    }
}
