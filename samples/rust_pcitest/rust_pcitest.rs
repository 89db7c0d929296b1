// SPDX-License-Identifier: GPL-2.0
//! rust_pcitest: a driver for QEMU's PCI test device (-device pci-testdev):
//! a memory BAR and an I/O-port BAR mapped and driven through the same
//! checked accessors, the BAR numbers taken from the data attached to the
//! matched id table entry. The interface (sysfs) is specified in
//! pcitest.h; c_pcitest/ is its C twin.
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use rkm::driver;
use rkm::io::{Bar, BarKind};
use rkm::pci::{self, Attr, AttrBuf, Bound};
use rkm::prelude::*;

const MEM_SIZE: usize = 4096;
const IO_SIZE: usize = 256;
// The test header (struct PCITestDevHdr).
const HDR_TEST: usize = 0;
const HDR_DATA: usize = 8;
const HDR_COUNT: usize = 12;
const HDR_NAME: usize = 16;
const NAME_MAX: usize = 31;
const HITS: u32 = 3;

/// What the driver attaches to its id table entry.
struct Info {
    label: &'static str,
    mem_bar: u32,
    io_bar: u32,
}

irq_safe! {
    struct Hw {
        mem: Bar<MEM_SIZE>,
        io: Bar<IO_SIZE>,
    }
}

struct Data {
    /// One test at a time; the last value pcitest_peek read.
    lock: Mutex<Option<u64>>,
    id: &'static pci::DeviceId<Info>,
}

struct PciTest;

impl driver::Driver for PciTest {
    const NAME: &'static str = "rust_pcitest";
    const ATTRS: &'static [Attr<Self>] = &[
        Attr::ro("pcitest_id", show_id),
        Attr::ro("pcitest_bars", show_bars),
        Attr::ro("pcitest_mem", show_mem),
        Attr::ro("pcitest_io", show_io),
        Attr::rw("pcitest_peek", show_peek, store_peek),
    ];
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for PciTest {
    type IdInfo = Info;
    const IDS: &'static [pci::DeviceId<Info>] = &[pci::DeviceId::new(0x1b36, 0x0005).data(Info {
        label: "pci-testdev",
        mem_bar: 0,
        io_bar: 1,
    })];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        let id = dev.id();
        let info = id.driver_data();
        dev.enable()?;
        let mem = dev.iomap::<MEM_SIZE>(info.mem_bar)?;
        let io = dev.iomap::<IO_SIZE>(info.io_bar)?;
        if mem.kind() != BarKind::Memory || io.kind() != BarKind::Io {
            return Err(ENODEV);
        }
        dev_info!(dev, "{}: {} bytes of memory, {} ports\n", info.label, mem.len(), io.len());
        Ok((Hw { mem, io }, Data { lock: new_mutex!(None)?, id }))
    }
}

fn show_id(dev: &Bound<'_, PciTest>, out: &mut AttrBuf<'_>) -> Result {
    let id = dev.data().id;
    let info = id.driver_data();
    writeln!(
        out,
        "{:04x}:{:04x} label={} mem_bar={} io_bar={}",
        id.vendor(),
        id.device(),
        info.label,
        info.mem_bar,
        info.io_bar
    )
    .map_err(|_| EFBIG)
}

fn kind_name(k: BarKind) -> &'static str {
    match k {
        BarKind::Memory => "mem",
        BarKind::Io => "io",
    }
}

fn show_bars(dev: &Bound<'_, PciTest>, out: &mut AttrBuf<'_>) -> Result {
    let (hw, info) = (dev.hw(), dev.data().id.driver_data());
    writeln!(out, "bar{} {} {}", info.mem_bar, kind_name(hw.mem.kind()), hw.mem.len())
        .and_then(|_| {
            writeln!(out, "bar{} {} {}", info.io_bar, kind_name(hw.io.kind()), hw.io.len())
        })
        .map_err(|_| EFBIG)
}

/// The device's no-eventfd test on one BAR (the caller holds the lock).
fn run<const S: usize>(bar: &Bar<S>, out: &mut AttrBuf<'_>) -> Result {
    bar.write8::<HDR_TEST>(0);
    let hdr = bar.read64::<HDR_TEST>();
    let (test, width, off) = (hdr as u8, (hdr >> 8) as u8, (hdr >> 32) as usize);
    let data = bar.read8::<HDR_DATA>();
    let mut name = [0u8; NAME_MAX];
    let mut n = 0;
    while n < NAME_MAX {
        match bar.try_read8(HDR_NAME + n)? {
            0 => break,
            b => name[n] = b,
        }
        n += 1;
    }
    let name = core::str::from_utf8(&name[..n]).map_err(|_| EIO)?;
    for _ in 0..HITS {
        bar.try_write8(off, data)?;
    }
    bar.try_write8(off, !data)?;
    let hits = bar.read32::<HDR_COUNT>();
    writeln!(out, "{name} test={test} width={width} offset={off:#x} data={data:#x} hits={hits}")
        .map_err(|_| EFBIG)
}

fn show_mem(dev: &Bound<'_, PciTest>, out: &mut AttrBuf<'_>) -> Result {
    let _held = dev.data().lock.lock_interruptible()?;
    run(&dev.hw().mem, out)
}

fn show_io(dev: &Bound<'_, PciTest>, out: &mut AttrBuf<'_>) -> Result {
    let _held = dev.data().lock.lock_interruptible()?;
    run(&dev.hw().io, out)
}

fn show_peek(dev: &Bound<'_, PciTest>, out: &mut AttrBuf<'_>) -> Result {
    match *dev.data().lock.lock_interruptible()? {
        Some(v) => writeln!(out, "{v:#x}"),
        None => writeln!(out, "none"),
    }
    .map_err(|_| EFBIG)
}

/// Decimal digits only, no sign, fitting in a usize.
fn parse_dec(s: &[u8]) -> Result<usize> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(EINVAL);
    }
    s.iter()
        .try_fold(0usize, |v, &d| v.checked_mul(10)?.checked_add(usize::from(d - b'0')))
        .ok_or(EINVAL)
}

fn peek<const S: usize>(bar: &Bar<S>, off: usize, width: usize) -> Result<u64> {
    Ok(match width {
        1 => bar.try_read8(off)?.into(),
        2 => bar.try_read16(off)?.into(),
        4 => bar.try_read32(off)?.into(),
        8 => bar.try_read64(off)?,
        _ => return Err(EINVAL),
    })
}

fn store_peek(dev: &Bound<'_, PciTest>, text: &[u8]) -> Result {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut words = text.split(|&c| c == b' ');
    let (kind, off, width) = match (words.next(), words.next(), words.next(), words.next()) {
        (Some(k), Some(o), Some(w), None) => (k, parse_dec(o)?, parse_dec(w)?),
        _ => return Err(EINVAL),
    };
    let mut last = dev.data().lock.lock_interruptible()?;
    let v = match kind {
        b"mem" => peek(&dev.hw().mem, off, width)?,
        b"io" => peek(&dev.hw().io, off, width)?,
        _ => return Err(EINVAL),
    };
    *last = Some(v);
    Ok(())
}

struct RustPciTest {
    _pci: pci::Registration<PciTest>,
}

impl Module for RustPciTest {
    fn init() -> Result<Self> {
        Ok(RustPciTest { _pci: pci::Registration::register(PciTest)? })
    }
}

module! {
    type: RustPciTest,
    name: "rust_pcitest",
    authors: ["rkm developers"],
    description: "Rust driver for QEMU's pci-testdev: memory and I/O-port BARs, id table data",
    license: "GPL",
    alias: ["pci:v00001B36d00000005sv*sd*bc*sc*i*"],
}
