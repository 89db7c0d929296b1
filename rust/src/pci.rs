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
use crate::device::{sealed, DeviceContext};
use crate::driver::{self, Desc, Trampolines};
use crate::error::{code::*, to_result, Error, Result};
use crate::io::Bar;
pub use crate::io::BarKind;
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr::NonNull;

pub use crate::device::{Access, Bound, DeviceRef};
pub use crate::driver::{Attr, AttrBuf, ShowFn, StoreFn};
pub use crate::irq::IrqKind;

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

    /// Sets the DMA mask (streaming and coherent) to `bits` bits.
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
        // SAFETY: as above.
        to_result(unsafe { abi::rkm_binding_dma_mask(self.binding.as_ptr(), bits) })
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
        let h =
            unsafe { abi::rkm_pci_register_ids(&desc.raw(), ids.as_ptr(), ids.len(), &mut err) };
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
