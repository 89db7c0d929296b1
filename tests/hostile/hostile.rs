// SPDX-License-Identifier: GPL-2.0
//! hostile: what a `#![forbid(unsafe_code)]` driver can try against the
//! kernel through rkm's safe API, one parameter per attempt, for
//! tests/hostile/test.c. rkm must make each one harmless:
//!
//! - `hold_ms`, `fail_init`: init registers `/dev/hostile`, sleeps, then
//!   fails. An open during init would hold a file of a module the kernel
//!   frees when init fails: opens are refused (`ENODEV`) until init is done.
//! - `second`: init registers a second misc device of that name, taken (its
//!   own, or one of the kernel's) or invalid (`a/b`, `..`): `EEXIST` /
//!   `EINVAL`, before the kernel prints a stack dump.
//! - `vendor_attr`: a PCI driver for QEMU's edu device with a sysfs
//!   attribute named `vendor`, a file the PCI core already gives every
//!   device: the device is not bound (`EEXIST`), with no stack dump.
//! - `cycle`: a PCI driver whose registration is kept in an `Arc` that the
//!   device data also holds: the registration leaks, and at unload its
//!   owner is dropped by the driver's own remove, inside the glue's
//!   unregistration of the leaked driver, which must still complete (the
//!   PCI driver gone, nothing leaked: kmemleak on the debug kernel).
//! - `sg_limits`: a PCI driver for edu whose probe asks for scatter-gather
//!   buffers of zero, huge and too finely chunked sizes (each refused with
//!   its errno, nothing allocated) and checks the largest legal one (one
//!   byte per chunk, `SgBuffer::MAX_CHUNKS` chunks) end to end: copies that
//!   span chunks, a mapping whose segments cover it in order. It prints
//!   each result and binds only if all were as expected.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use rkm::dma::{Direction, SgBuffer};
use rkm::driver::{self, Attr, AttrBuf};
use rkm::pci::{self, Bound};
use rkm::prelude::*;

struct Nothing;

#[rkm::vtable]
impl FileOperations for Nothing {
    type Device = ();

    fn open(_: &Arc<()>, _file: &OpenFile) -> Result<Self> {
        Ok(Nothing)
    }

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        Ok(0)
    }
}

irq_safe! {
    /// Nothing: these drivers take no interrupt.
    struct Hw { _unused: u32 }
}

const EDU: &[pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

/// A driver with an attribute named like one of the PCI core's.
struct Vendor;

fn show_vendor(_: &Bound<'_, Vendor>, out: &mut AttrBuf<'_>) -> Result {
    out.write_str("0x0000\n").map_err(|_| EFBIG)
}

impl driver::Driver for Vendor {
    const NAME: &'static str = "hostile_vendor";
    const ATTRS: &'static [Attr<Self>] = &[Attr::ro("vendor", show_vendor)];
    type Hw = Hw;
    type Data = ();
}

impl pci::Driver for Vendor {
    const IDS: &'static [pci::DeviceId] = EDU;

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        pr_err!("hostile: probe ran although an attribute clashes\n");
        Ok((Hw { _unused: 0 }, ()))
    }
}

/// A driver whose registration is reachable from its own device data: the
/// hub it holds moves into the first device's data at probe, so that only
/// the device data keeps the hub (and so the registration) alive.
struct Cycle {
    hub: Mutex<Option<Arc<Hub>>>,
}

struct Hub {
    reg: Mutex<Option<pci::Registration<Cycle>>>,
}

impl driver::Driver for Cycle {
    const NAME: &'static str = "hostile_cycle";
    type Hw = Hw;
    type Data = Arc<Hub>;
}

impl pci::Driver for Cycle {
    const IDS: &'static [pci::DeviceId] = EDU;

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Arc<Hub>)> {
        let hub = self.hub.lock().take().ok_or(EBUSY)?;
        Ok((Hw { _unused: 0 }, hub))
    }
}

/// A driver that checks `SgBuffer`'s refusals and limits in its probe.
struct SgLimits;

impl driver::Driver for SgLimits {
    const NAME: &'static str = "hostile_sg";
    type Hw = Hw;
    type Data = ();
}

/// Prints one check's outcome: whether `got` is what was `want`ed.
#[inline(never)]
fn sg_check(what: &str, got: Result<()>, want: Result<()>) -> bool {
    let ok = got == want;
    pr_info!("hostile_sg: {}: {:?} ({})\n", what, got, if ok { "as expected" } else { "WRONG" });
    ok
}

/// The largest buffer the chunk limit allows, one byte per chunk.
#[inline(never)]
fn sg_finest(dev: &pci::Device<'_, SgLimits>) -> Result<()> {
    let n = SgBuffer::MAX_CHUNKS;
    let mut buf = SgBuffer::alloc(dev, n, 1)?;
    if buf.chunks() != n {
        return Err(EIO);
    }
    let mut data = [0u8; 64];
    for (i, b) in data.iter_mut().enumerate() {
        *b = i as u8 ^ 0x5a;
    }
    buf.write(n - 64, &data)?;
    let m = buf.map(Direction::ToDevice)?;
    // Segments in order, each starting where the last ended, covering it all.
    let mut end = 0;
    for seg in m.segments() {
        if seg.offset() != end || seg.len() == 0 {
            return Err(EIO);
        }
        end += seg.len();
    }
    if end != n || m.segment_count() == 0 || m.segment_count() > n {
        return Err(EIO);
    }
    let buf = m.unmap();
    let mut back = [0u8; 64];
    buf.read(n - 64, &mut back)?;
    if back != data {
        return Err(EIO);
    }
    // One past the end: refused.
    match buf.read(n - 63, &mut back) {
        Err(e) if e == EINVAL => Ok(()),
        Err(e) => Err(e),
        Ok(()) => Err(EIO),
    }
}

impl pci::Driver for SgLimits {
    const IDS: &'static [pci::DeviceId] = EDU;

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        dev.dma_mask(28)?;
        let max = SgBuffer::MAX_CHUNKS;
        let mut ok = sg_check("len 0", SgBuffer::alloc(dev, 0, 512).map(drop), Err(EINVAL));
        ok &= sg_check("chunk 0", SgBuffer::alloc(dev, 4096, 0).map(drop), Err(EINVAL));
        ok &=
            sg_check("one chunk too many", SgBuffer::alloc(dev, max + 1, 1).map(drop), Err(EINVAL));
        ok &=
            sg_check("len usize::MAX", SgBuffer::alloc(dev, usize::MAX, 1).map(drop), Err(EINVAL));
        ok &= sg_check(
            "a chunk above what kmalloc gives",
            SgBuffer::alloc(dev, usize::MAX, usize::MAX).map(drop),
            Err(ENOMEM),
        );
        ok &= sg_check("the finest buffer, end to end", sg_finest(dev), Ok(()));
        if !ok {
            return Err(EIO);
        }
        pr_info!("hostile_sg: all checks passed\n");
        Ok((Hw { _unused: 0 }, ()))
    }
}

struct Hostile {
    _misc: Option<MiscDevice<Nothing>>,
    _vendor: Option<pci::Registration<Vendor>>,
    _hub: Option<Arc<Hub>>,
    _sg: Option<pci::Registration<SgLimits>>,
}

impl Module for Hostile {
    fn init() -> Result<Self> {
        let mut m = Hostile { _misc: None, _vendor: None, _hub: None, _sg: None };
        if params::sg_limits() {
            m._sg = Some(pci::Registration::register(SgLimits)?);
        }
        if params::vendor_attr() {
            m._vendor = Some(pci::Registration::register(Vendor)?);
        }
        if params::cycle() {
            let hub = Arc::try_new(Hub { reg: new_mutex!(None)? })?;
            let reg = pci::Registration::register(Cycle { hub: new_mutex!(Some(hub.clone()))? })?;
            *hub.reg.lock() = Some(reg);
            m._hub = Some(hub);
        }
        let second = params::second();
        let second = second.to_str()?;
        if params::hold_ms() == 0 && second.is_empty() {
            return Ok(m);
        }
        m._misc = Some(MiscDevice::register("hostile", 0o666, Arc::try_new(())?)?);
        if !second.is_empty() {
            MiscDevice::<Nothing>::register(second, 0o600, Arc::try_new(())?)?;
            pr_err!("hostile: misc device '{}' registered although it must not be\n", second);
        }
        if params::hold_ms() > 0 {
            pr_info!("hostile: /dev/hostile registered, init holds for {} ms\n", params::hold_ms());
            // A signal (the test's timeout) ends the wait as a failure.
            rkm::task::msleep(params::hold_ms())?;
        }
        if params::fail_init() {
            pr_info!("hostile: init fails now\n");
            return Err(ENXIO);
        }
        Ok(m)
    }
}

module! {
    type: Hostile,
    name: "hostile",
    authors: ["rkm developers"],
    description: "safe misuse of rkm's API, made harmless (tests)",
    license: "GPL",
    params: {
        hold_ms: u32 { default: 0, perm: 0o444, desc: "Sleep this long in init after registering /dev/hostile", range: 0..=60000 },
        fail_init: bool { default: false, perm: 0o444, desc: "Fail init at its end" },
        second: str { default: "", perm: 0o444, desc: "Register a second misc device of this name", max_len: 64 },
        vendor_attr: bool { default: false, perm: 0o444, desc: "Register a PCI driver with a 'vendor' attribute" },
        cycle: bool { default: false, perm: 0o444, desc: "Keep the PCI registration in an Arc the device data holds" },
        sg_limits: bool { default: false, perm: 0o444, desc: "Check scatter-gather buffer limits in a PCI probe" },
    },
}
