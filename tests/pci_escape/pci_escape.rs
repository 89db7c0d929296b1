// SPDX-License-Identifier: GPL-2.0
//! pci_escape: a driver for QEMU's edu device that misuses the PCI API in
//! every way safe Rust allows, for tests/pci_escape/test.c: it keeps its BAR
//! mapping in module state, beyond the binding, and in probe it starts a DMA
//! transfer into a coherent buffer that it drops at once (the device writes
//! it 100 ms later). rkm must keep both harmless: the buffer is freed only
//! once unbind has turned bus mastering off, and the escaped BAR is revoked
//! at unbind (reads give all ones) with its region released for the next
//! bind.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::CoherentBuffer;
use rkm::driver;
use rkm::io::Bar;
use rkm::pci::{self, Config};
use rkm::prelude::*;

const BAR_SIZE: usize = 0x100000;
const REG_ID: usize = 0x00;
const REG_DMA_SRC: usize = 0x80;
const REG_DMA_DST: usize = 0x88;
const REG_DMA_COUNT: usize = 0x90;
const REG_DMA_CMD: usize = 0x98;
const DEV_BUF: u64 = 0x40000;
const SCRATCH: usize = 4095;
/// The config-space handles kept: edu's, then the e1000e's.
const EDU: usize = 0;
const NIC: usize = 1;

pod! {
    /// struct cfg_write (test.c): one write through a kept config handle.
    struct CfgWrite { dev: u32, off: u32, width: u32, val: u32 }
}

const IOC_CFG_WRITE: u32 = ioctl::iow::<CfgWrite>(b'x', 1);

irq_safe! {
    /// Nothing: this driver takes no interrupt.
    struct Hw { _unused: u32 }
}

/// Where the BAR and config handles escape to: module state, shared with
/// the misc device.
struct Hub {
    bar: Mutex<Option<Bar<BAR_SIZE>>>,
    cfg: Mutex<[Option<Config>; 2]>,
}

struct Escape {
    hub: Arc<Hub>,
}

impl driver::Driver for Escape {
    const NAME: &'static str = "pci_escape";
    type Hw = Hw;
    type Data = ();
}

impl pci::Driver for Escape {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        dev.enable()?;
        dev.dma_mask(28)?;
        let bar = dev.iomap::<BAR_SIZE>(0)?;
        dev.set_master();
        // Device-to-RAM into a buffer dropped right after: the device writes
        // it when its 100 ms DMA timer fires.
        let scratch = CoherentBuffer::alloc(dev, SCRATCH)?;
        bar.write64::<REG_DMA_SRC>(DEV_BUF);
        bar.write_dma_addr::<REG_DMA_DST>(scratch.dma_addr(0)?);
        bar.write64::<REG_DMA_COUNT>(SCRATCH as u64);
        bar.write64::<REG_DMA_CMD>(0x1 | 0x2);
        drop(scratch);
        *self.hub.bar.lock() = Some(bar);
        self.hub.cfg.lock()[EDU] = Some(dev.config()?);
        dev_info!(dev, "BAR kept in module state, scratch DMA buffer dropped mid-transfer\n");
        Ok((Hw { _unused: 0 }, ()))
    }
}

/// An e1000e (82574L): a PCI Express device, for its capabilities.
struct Nic {
    hub: Arc<Hub>,
}

impl driver::Driver for Nic {
    const NAME: &'static str = "pci_escape_nic";
    type Hw = ();
    type Data = ();
}

impl pci::Driver for Nic {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x10d3)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
        self.hub.cfg.lock()[NIC] = Some(dev.config()?);
        Ok(((), ()))
    }
}

struct EscapeFile {
    hub: Arc<Hub>,
}

#[rkm::vtable]
impl FileOperations for EscapeFile {
    type Device = Hub;

    fn open(hub: &Arc<Hub>, _file: &OpenFile) -> Result<Self> {
        Ok(EscapeFile { hub: hub.clone() })
    }

    /// `IOC_CFG_WRITE`: a config-space write through a kept handle, its
    /// result as the ioctl's. Any other command: the identification
    /// register, read through the kept BAR.
    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        if cmd == IOC_CFG_WRITE {
            let w: CfgWrite = UserSlice::new(arg, size_of::<CfgWrite>()).reader().read()?;
            let cfgs = self.hub.cfg.lock();
            let cfg = cfgs.get(w.dev as usize).and_then(Option::as_ref).ok_or(ENXIO)?;
            let off = w.off as usize;
            match w.width {
                1 => cfg.try_write8(off, u8::try_from(w.val).map_err(|_| EINVAL)?)?,
                2 => cfg.try_write16(off, u16::try_from(w.val).map_err(|_| EINVAL)?)?,
                4 => cfg.try_write32(off, w.val)?,
                _ => return Err(EINVAL),
            }
            return Ok(0);
        }
        let id = self.hub.bar.lock().as_ref().map(|bar| bar.read32::<REG_ID>()).ok_or(ENODEV)?;
        UserSlice::new(arg, 4).writer().write(&id)?;
        Ok(0)
    }
}

struct PciEscape {
    _pci: pci::Registration<Escape>,
    _nic: pci::Registration<Nic>,
    _misc: MiscDevice<EscapeFile>,
}

impl Module for PciEscape {
    fn init() -> Result<Self> {
        let hub = Arc::try_new(Hub { bar: new_mutex!(None)?, cfg: new_mutex!([None, None])? })?;
        let misc = MiscDevice::register("pci_escape", 0o600, hub.clone())?;
        let nic = pci::Registration::register(Nic { hub: hub.clone() })?;
        Ok(PciEscape { _pci: pci::Registration::register(Escape { hub })?, _nic: nic, _misc: misc })
    }
}

module! {
    type: PciEscape,
    name: "pci_escape",
    authors: ["rkm developers"],
    description: "safe misuse of the PCI API, made harmless by rkm (tests)",
    license: "GPL",
}
