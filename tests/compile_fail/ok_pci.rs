// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The correct forms of what the pci_, irq_ and
// dma_ cases get wrong: an irq_safe! Hw (a BAR, a Completion, atomics, a
// SpinLockIrq of plain data), a Data with a Mutex and a DMA buffer, MMIO at
// constant offsets and at run-time offsets (checked), a device address
// written to a register while its buffer is borrowed, sysfs attributes, a
// DeviceRef entered for one operation from a file, every callback, the
// registration in the module state.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use rkm::dma::CoherentBuffer;
use rkm::driver;
use rkm::io::Bar;
use rkm::irq::IrqReturn;
use rkm::pci::{self, Attr, AttrBuf, Bound, DeviceRef, IrqKind};
use rkm::prelude::*;

fn need_send<T: Send>(_: T) {}

irq_safe! {
    /// What the interrupt handler and the timer see.
    pub struct Hw {
        bar: Bar<0x100>,
        done: Completion,
        status: AtomicU32,
        gone: AtomicBool,
        /// Interrupts counted under a lock the handler may take.
        irqs: SpinLockIrq<u32>,
        last: Option<[u8; 4]>,
    }
}

pub struct Data {
    buf: Mutex<CoherentBuffer>,
    irq: IrqKind,
    threaded: Mutex<u64>,
}

pub struct Hub {
    current: Mutex<Option<DeviceRef<OkPci>>>,
}

pub struct OkPci {
    hub: Arc<Hub>,
}

fn show_status(dev: &Bound<'_, OkPci>, out: &mut AttrBuf<'_>) -> Result {
    let irqs = *dev.hw().irqs.lock();
    writeln!(out, "{:#x} {irqs}", dev.hw().bar.read32::<0x20>()).map_err(|_| EFBIG)
}

fn show_reg(dev: &Bound<'_, OkPci>, out: &mut AttrBuf<'_>) -> Result {
    writeln!(out, "{}", dev.hw().bar.try_read32(0x40)?).map_err(|_| EFBIG)
}

fn store_reg(dev: &Bound<'_, OkPci>, text: &[u8]) -> Result {
    let v = u32::from(*text.first().ok_or(EINVAL)?);
    dev.hw().bar.try_write32(0x40, v)
}

/// One DMA request: the buffer stays borrowed (and locked) while its
/// address is handed to the device.
fn start_dma(dev: &Bound<'_, OkPci>, data: &[u8]) -> Result {
    let mut buf = dev.data().buf.lock();
    buf.write(0, data)?;
    let hw = dev.hw();
    hw.done.reinit();
    hw.bar.write_dma_addr::<0x80>(buf.dma_addr(0)?);
    hw.bar.write64::<0x90>(data.len() as u64);
    dev.arm_timer(100);
    hw.done.wait()?;
    dev.cancel_timer();
    let mut back = [0u8; 4];
    buf.read(0, &mut back)?;
    Ok(())
}

impl driver::Driver for OkPci {
    const NAME: &'static str = "ok_pci";
    const ATTRS: &'static [Attr<Self>] =
        &[Attr::ro("ok_status", show_status), Attr::rw("ok_reg", show_reg, store_reg)];
    type Hw = Hw;
    type Data = Data;

    fn unbind(hw: &Hw) {
        hw.gone.store(true, SeqCst);
        hw.done.complete();
    }

    fn remove(dev: &Bound<'_, Self>) {
        dev.cancel_timer();
        dev_info!(dev, "{:?} {:?}\n", dev.irq_kind(), dev.data().irq);
        *dev.data().threaded.lock() += 1;
    }

    fn irq(hw: &Hw) -> IrqReturn {
        let status = hw.bar.read32::<0x24>();
        if status == 0 {
            return IrqReturn::None;
        }
        hw.bar.write32::<0x64>(status);
        hw.status.fetch_or(status, SeqCst);
        *hw.irqs.lock() += 1;
        hw.done.complete();
        IrqReturn::WakeThread
    }

    fn irq_thread(hw: &Hw, data: &Data) {
        *data.threaded.lock() += u64::from(hw.status.load(SeqCst));
    }

    fn timer(hw: &Hw) {
        hw.done.complete();
    }
}

impl pci::Driver for OkPci {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        dev.dma_mask(32)?;
        let bar = dev.iomap::<0x100>(0)?;
        dev.set_master();
        let irq = dev.irq_vector()?;
        let buf = CoherentBuffer::alloc(dev, 4096)?;
        let id = bar.read32::<0x00>();
        bar.write32::<0x04>(!id);
        let hw = Hw {
            bar,
            done: Completion::try_new()?,
            status: AtomicU32::new(0),
            gone: AtomicBool::new(false),
            irqs: new_spinlock_irq!(0)?,
            last: None,
        };
        let data = Data { buf: new_mutex!(buf)?, irq, threaded: new_mutex!(0)? };
        *self.hub.current.lock() = Some(dev.device_ref());
        dev_info!(dev, "id {id:#x}, {:?} interrupt\n", irq);
        Ok((hw, data))
    }
}

pub struct OkFile {
    dev: DeviceRef<OkPci>,
}

#[rkm::vtable]
impl FileOperations for OkFile {
    type Device = Hub;

    fn open(hub: &Arc<Hub>, _file: &OpenFile) -> Result<Self> {
        let dev = hub.current.lock().clone().ok_or(ENODEV)?;
        need_send(dev.clone());
        Ok(OkFile { dev })
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        let dev = self.dev.access().ok_or(ENODEV)?;
        let b: [u8; 4] = input.read()?;
        start_dma(&dev, &b)?;
        Ok(4)
    }
}

pub struct Driver {
    _pci: pci::Registration<OkPci>,
    _misc: MiscDevice<OkFile>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let hub = Arc::try_new(Hub { current: new_mutex!(None)? })?;
        let misc = MiscDevice::register("ok_pci", 0o600, hub.clone())?;
        let pci = pci::Registration::register(OkPci { hub })?;
        Ok(Driver { _pci: pci, _misc: misc })
    }
}

module! {
    type: Driver,
    name: "ok_pci",
    authors: ["rkm developers"],
    description: "compile-fail suite: control case",
    license: "GPL",
}
