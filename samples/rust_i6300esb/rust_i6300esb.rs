// SPDX-License-Identifier: GPL-2.0
//! rust_i6300esb: the Intel 6300ESB watchdog (QEMU's `-device i6300esb`) in
//! safe Rust, register for register what the kernel's own C driver,
//! drivers/watchdog/i6300esb.c, does: the same PCI config-space setup
//! (0x60: reboot on timeout, 1 kHz clock, no interrupt; 0x68: watchdog
//! mode, enable and lock bits), the same unlock sequence before each write
//! of the memory-mapped timers, the same module parameters (`heartbeat`,
//! `nowayout`) and the same `struct watchdog_info`. `/dev/watchdogN` is the
//! kernel's watchdog core: `test.c` runs one program against this driver
//! and against the stock i6300esb.ko.
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver;
use rkm::io::Bar;
use rkm::pci::{self, Config};
use rkm::prelude::*;
use rkm::watchdog::{self, Context, Options, Watchdog};

// PCI configuration registers.
const ESB_CONFIG_REG: usize = 0x60;
const ESB_LOCK_REG: usize = 0x68;
// Memory-mapped registers (BAR 0).
const BAR_SIZE: usize = 0x10;
const ESB_TIMER1_REG: usize = 0x00;
const ESB_TIMER2_REG: usize = 0x04;
const ESB_RELOAD_REG: usize = 0x0c;
// Lock register bits.
const ESB_WDT_ENABLE: u8 = 1 << 1;
const ESB_WDT_LOCK: u8 = 1 << 0;
// Reload register bits.
const ESB_WDT_TIMEOUT: u16 = 1 << 9;
const ESB_WDT_RELOAD: u16 = 1 << 8;
// Unlock sequence.
const ESB_UNLOCK1: u16 = 0x80;
const ESB_UNLOCK2: u16 = 0x86;

const ESB_HEARTBEAT_MIN: u32 = 1;
const ESB_HEARTBEAT_MAX: u32 = 2046;
const ESB_HEARTBEAT_DEFAULT: u32 = 30;

/// The hardware the watchdog callbacks drive.
struct Esb {
    bar: Bar<BAR_SIZE>,
    cfg: Config,
}

impl Esb {
    /// Unlocks the registers for one write (0x80 then 0x86 to the reload register).
    fn unlock(&self) {
        self.bar.write16::<ESB_RELOAD_REG>(ESB_UNLOCK1);
        self.bar.write16::<ESB_RELOAD_REG>(ESB_UNLOCK2);
    }

    fn reload(&self) {
        self.unlock();
        self.bar.write16::<ESB_RELOAD_REG>(ESB_WDT_RELOAD);
    }
}

#[rkm::vtable]
impl Watchdog for Esb {
    const IDENTITY: &'static str = "i6300ESB timer";
    const OPTIONS: u32 =
        watchdog::WDIOF_SETTIMEOUT | watchdog::WDIOF_KEEPALIVEPING | watchdog::WDIOF_MAGICCLOSE;

    fn start(&self, ctx: &Context<'_>) -> Result {
        self.reload();
        let lock = if ctx.nowayout() { ESB_WDT_LOCK } else { 0 };
        self.cfg.write8::<ESB_LOCK_REG>(ESB_WDT_ENABLE | lock)?;
        Ok(())
    }

    fn stop(&self, _ctx: &Context<'_>) -> Result {
        // Reset the timers first, as the documentation suggests; then disable.
        self.reload();
        self.cfg.write8::<ESB_LOCK_REG>(0)?;
        if self.cfg.read8::<ESB_LOCK_REG>() & ESB_WDT_ENABLE != 0 {
            // Locked (nowayout set in hardware): it keeps running.
            return Err(EBUSY);
        }
        Ok(())
    }

    fn ping(&self, _ctx: &Context<'_>) -> Result {
        self.reload();
        Ok(())
    }

    fn set_timeout(&self, _ctx: &Context<'_>, secs: u32) -> Result {
        // Each of the two stages counts `secs << 9` ticks of the 1 kHz clock.
        let val = secs << 9;
        self.unlock();
        self.bar.write32::<ESB_TIMER1_REG>(val);
        self.unlock();
        self.bar.write32::<ESB_TIMER2_REG>(val);
        self.reload();
        Ok(())
    }
}

struct EsbDriver;

impl driver::Driver for EsbDriver {
    const NAME: &'static str = "rust_i6300esb";
    type Hw = ();
    type Data = watchdog::Registration<Esb>;
}

impl pci::Driver for EsbDriver {
    // PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_ESB_9.
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x25ab)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), Self::Data)> {
        dev.enable()?;
        let bar = dev.iomap::<BAR_SIZE>(0)?;
        let cfg = dev.config()?;
        // Reboot on timeout (bit 5 clear), the 1 kHz clock (bit 2 clear), no
        // interrupt on the first stage (bits 1:0 = 11).
        cfg.write16::<ESB_CONFIG_REG>(0x0003)?;
        if cfg.read8::<ESB_LOCK_REG>() & ESB_WDT_LOCK != 0 {
            dev_warn!(dev, "nowayout already set\n");
        }
        // Watchdog mode, disabled for now.
        cfg.write8::<ESB_LOCK_REG>(0)?;
        let esb = Esb { bar, cfg };
        // Did it fire before this boot? Then clear the flag and the timers.
        esb.unlock();
        let fired = esb.bar.read16::<ESB_RELOAD_REG>() & ESB_WDT_TIMEOUT != 0;
        esb.unlock();
        esb.bar.write16::<ESB_RELOAD_REG>(ESB_WDT_TIMEOUT | ESB_WDT_RELOAD);
        let nowayout = params::nowayout();
        let opts = Options {
            min_timeout: ESB_HEARTBEAT_MIN,
            max_timeout: ESB_HEARTBEAT_MAX,
            timeout: ESB_HEARTBEAT_DEFAULT,
            // An int given to an unsigned int, as in C: negative is out of range.
            timeout_param: params::heartbeat() as u32,
            nowayout,
            bootstatus: if fired { watchdog::WDIOF_CARDRESET } else { 0 },
            stop_on_reboot: true,
            stop_on_unregister: true,
        };
        let reg = watchdog::Registration::register(dev, esb, &opts)?;
        dev_info!(
            dev,
            "initialized. heartbeat={} sec (nowayout={})\n",
            reg.timeout(),
            u32::from(nowayout)
        );
        Ok(((), reg))
    }
}

struct Module {
    _pci: pci::Registration<EsbDriver>,
}

impl rkm::Module for Module {
    fn init() -> Result<Self> {
        Ok(Module { _pci: pci::Registration::register(EsbDriver)? })
    }
}

module! {
    type: Module,
    name: "rust_i6300esb",
    authors: ["rkm developers"],
    description: "Watchdog driver for Intel 6300ESB chipsets, in safe Rust",
    license: "GPL",
    params: {
        heartbeat: i32 { default: 0, perm: 0, desc: "Watchdog heartbeat in seconds. (1<heartbeat<2046, default=30)" },
        nowayout: bool { default: false, perm: 0, desc: "Watchdog cannot be stopped once started (default=0)" },
    },
}
