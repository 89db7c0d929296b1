// SPDX-License-Identifier: GPL-2.0
//! configfs_demo: a configfs subsystem (named by the `subsys` parameter)
//! whose items userspace makes with mkdir; each has a number, a flag and a
//! label, as a block driver's devices would. tests/configfs_demo/test.c
//! drives it from the guest.
#![no_std]

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use rkm::configfs::{self, Attribute, Page, Registration, Subsystem};
use rkm::prelude::*;

/// Largest `size` accepted (1 TiB).
const SIZE_MAX: u64 = 1 << 40;
/// Longest label.
const LABEL_MAX: usize = 32;

/// One directory.
struct Dev {
    index: u64,
    size: AtomicU64,
    power: AtomicBool,
    label: Mutex<KString>,
}

fn index_show(d: &Dev, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", d.index);
    Ok(())
}

fn size_show(d: &Dev, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", d.size.load(Ordering::Relaxed));
    Ok(())
}

fn size_store(d: &Dev, text: &[u8]) -> Result {
    let v = configfs::parse_u64(text)?;
    if v > SIZE_MAX {
        return Err(EINVAL);
    }
    // As null_blk: the size is fixed while the device is powered.
    if d.power.load(Ordering::Relaxed) {
        return Err(EBUSY);
    }
    d.size.store(v, Ordering::Relaxed);
    Ok(())
}

fn power_show(d: &Dev, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", u8::from(d.power.load(Ordering::Relaxed)));
    Ok(())
}

fn power_store(d: &Dev, text: &[u8]) -> Result {
    d.power.store(configfs::parse_bool(text)?, Ordering::Relaxed);
    Ok(())
}

fn label_show(d: &Dev, page: &mut Page<'_>) -> Result {
    let label = d.label.lock();
    let _ = writeln!(page, "{}", label.as_str());
    Ok(())
}

fn label_store(d: &Dev, text: &[u8]) -> Result {
    let s = configfs::as_str(text)?;
    if s.len() > LABEL_MAX || s.contains('\n') {
        return Err(EINVAL);
    }
    let new = KString::try_from_str(s)?;
    *d.label.lock() = new;
    Ok(())
}

/// The subsystem.
struct Devs {
    made: AtomicU64,
    live: AtomicU64,
}

fn features_show(_: &Devs, page: &mut Page<'_>) -> Result {
    page.write_bytes(b"size,power,label\n")
}

fn live_show(s: &Devs, page: &mut Page<'_>) -> Result {
    let _ = writeln!(page, "{}", s.live.load(Ordering::Relaxed));
    Ok(())
}

impl Subsystem for Devs {
    type Item = Dev;
    const ROOT_ATTRS: &'static [Attribute<Self>] =
        &[Attribute::ro("features", features_show), Attribute::ro("live", live_show)];
    const ITEM_ATTRS: &'static [Attribute<Dev>] = &[
        Attribute::ro("index", index_show),
        Attribute::rw("size", size_show, size_store),
        Attribute::rw("power", power_show, power_store),
        Attribute::rw("label", label_show, label_store),
    ];

    fn make_item(&self, name: &str) -> Result<Dev> {
        // Names the driver refuses, to test mkdir's errno.
        if name.starts_with("bad") {
            return Err(EINVAL);
        }
        let label = KString::try_from_str(name)?;
        let dev = Dev {
            index: self.made.fetch_add(1, Ordering::Relaxed),
            size: AtomicU64::new(0),
            power: AtomicBool::new(false),
            label: new_mutex!(label)?,
        };
        self.live.fetch_add(1, Ordering::Relaxed);
        Ok(dev)
    }

    fn drop_item(&self, _dev: &Dev) {
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

struct ConfigfsDemo {
    _reg: Registration<Devs>,
}

impl Module for ConfigfsDemo {
    fn init() -> Result<Self> {
        let name = params::subsys();
        let reg = Registration::new(
            name.to_str()?,
            Devs { made: AtomicU64::new(0), live: AtomicU64::new(0) },
        )?;
        Ok(ConfigfsDemo { _reg: reg })
    }
}

module! {
    type: ConfigfsDemo,
    name: "configfs_demo",
    authors: ["rkm developers"],
    description: "rkm::configfs test driver",
    license: "GPL",
    params: {
        subsys: str { default: "configfs_demo", perm: 0o444, desc: "configfs subsystem name", max_len: 80 },
    },
}
