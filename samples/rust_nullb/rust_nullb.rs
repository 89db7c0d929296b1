// SPDX-License-Identifier: GPL-2.0
//! rust_nullb: the kernel's `null_blk` in safe Rust. Disks that complete
//! every request at once, through softirq (the default) or after
//! `completion_nsec` on an hrtimer (irqmode 2), optionally keeping the data
//! in memory (`memory_backed`, with `discard`). Disks come from the module
//! parameters (`nr_devices`) and from configfs, as `null_blk`'s: `mkdir
//! /sys/kernel/config/rust_nullb/X`, attributes, `power`, `rmdir`. Module
//! parameters and attributes are `null_blk`'s, checked as `null_blk` 6.12
//! checks them; its twin is `null_blk` itself.
//!
//! Built under the name `null_blk` (manifest `build-as`), it is a drop-in
//! replacement: configfs `nullb`, disks `nullbN`. The configfs name can
//! also be chosen at load (`configfs=`).
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::time::Duration;
use rkm::alloc::KSlice;
use rkm::block::{mq, PageStore, Status};
use rkm::configfs::{self, Attribute, Page, Registration, Subsystem};
use rkm::hrtimer::{Mode, OneShot, OneShotCallback};
use rkm::prelude::*;
use rkm::sync::Arc;

/// The disks' name prefix, and the default configfs subsystem: `null_blk`'s
/// when built as `null_blk` (a drop-in replacement), else the module's.
fn personality() -> &'static str {
    match rkm::module::name() {
        "null_blk" => "nullb",
        name => name,
    }
}

const IRQ_NONE: i32 = 0;
const IRQ_SOFTIRQ: i32 = 1;
const IRQ_TIMER: i32 = 2;

rkm::irq_safe! {
    /// irqmode 2: ends the request a timer slot was given, in hard
    /// interrupt context (as null_blk's `HRTIMER_MODE_REL` callback ends it;
    /// a thread on PREEMPT_RT).
    struct Ender {}
}

impl OneShotCallback for Ender {
    type Value = (mq::Request, Status);
    fn fire(&self, (rq, status): (mq::Request, Status)) {
        rq.end(status);
    }
}

rkm::irq_safe! {
    /// What every request of a disk sees.
    struct NullQueue {
        /// End requests through the softirq completion, not inline.
        softirq: bool,
        /// irqmode 2: one timer slot per request in flight (by tag), and
        /// the delay; empty in the other modes.
        timers: KSlice<OneShot<Ender>>,
        delay_ns: u64,
        /// The data, if memory-backed.
        store: Option<PageStore>,
    }
}

struct NullOps;

impl mq::Operations for NullOps {
    type QueueData = NullQueue;

    fn queue_rq(q: &NullQueue, mut rq: mq::Request, ctx: &mq::QueueContext<'_>) {
        let status = match (&q.store, rq.op()) {
            (None, _) | (Some(_), mq::Op::Flush) => Status::Ok,
            (Some(store), mq::Op::Read | mq::Op::Write) => store.transfer(&mut rq, ctx).into(),
            (Some(store), mq::Op::Discard | mq::Op::WriteZeroes) => {
                store.discard(rq.sector(), rq.bytes() as u64);
                Status::Ok
            }
        };
        if let Some(slot) = q.timers.get(rq.tag() as usize) {
            // A slot still holding a value cannot happen (one per tag); if
            // it did, the request ends now rather than never.
            if let Err((rq, status)) = slot.start(Duration::from_nanos(q.delay_ns), (rq, status)) {
                rq.end(status);
            }
        } else if q.softirq {
            rq.complete(status);
        } else {
            rq.end(status);
        }
    }
}

/// A disk's settings: `null_blk`'s names and units (size in MiB).
#[derive(Clone, Copy)]
struct DevCfg {
    size_mb: u64,
    blocksize: u32,
    irqmode: u32,
    completion_nsec: u64,
    submit_queues: u32,
    poll_queues: u32,
    hw_queue_depth: u32,
    memory_backed: bool,
    discard: bool,
}

impl DevCfg {
    /// The module parameters, checked as `null_blk` (6.12) checks them at
    /// load: a block size over the page size becomes the page size, with a
    /// warning; 0 the default (512); anything else not a power of two from
    /// 512 is refused. `irqmode` outside 0..=2 is refused, a zero depth
    /// too; a depth over blk-mq's maximum is reduced to it.
    fn from_params() -> Result<Self> {
        let irqmode = params::irqmode();
        if !(IRQ_NONE..=IRQ_TIMER).contains(&irqmode) {
            pr_err!("invalid irqmode {}\n", irqmode);
            return Err(EINVAL);
        }
        // As null_blk's `g_bs > PAGE_SIZE` (an int against an unsigned
        // long): a negative size is over it too.
        let mut bs = params::bs() as u32;
        if bs > 4096 {
            pr_warn!("invalid block size\n");
            pr_warn!("defaults block size to 4096\n");
            bs = 4096;
        }
        if bs == 0 {
            bs = 512;
        }
        if bs < 512 || !bs.is_power_of_two() {
            pr_warn!("Invalid logical block size ({})\n", bs);
            return Err(EINVAL);
        }
        let gb = params::gb();
        if gb < 0 {
            pr_err!("invalid size {} GB\n", gb);
            return Err(EINVAL);
        }
        let mut depth = params::hw_queue_depth() as u32;
        if depth == 0 {
            return Err(EINVAL);
        }
        if depth > mq::MAX_DEPTH {
            pr_info!("blk-mq: reduced tag depth to {}\n", mq::MAX_DEPTH);
            depth = mq::MAX_DEPTH;
        }
        Ok(DevCfg {
            size_mb: gb as u64 * 1024,
            blocksize: bs,
            irqmode: irqmode as u32,
            completion_nsec: params::completion_nsec(),
            submit_queues: params::submit_queues().max(1) as u32,
            // As null_blk: a negative count is none.
            poll_queues: params::poll_queues().max(0) as u32,
            hw_queue_depth: depth,
            memory_backed: params::memory_backed(),
            // As null_blk's `dev->discard = g_discard`: a configfs device
            // starts with it even when not memory-backed; its power-on
            // clears it then (`validate`).
            discard: params::discard(),
        })
    }

    /// A configfs device's power-on check, in `null_blk`'s order (its
    /// `null_add_dev()`): `irqmode` above 2 becomes 2, `submit_queues` 0
    /// one, `poll_queues` at most the module parameter's
    /// (`null_validate_conf()`); a depth of 0 is refused (`EINVAL`, from
    /// its tag set); `discard` goes off without memory backing
    /// (`null_config_discard()`: it then reads 0); a block size not a power
    /// of two from 512 to the page size is refused (`EINVAL`, from its
    /// queue limits). What it adjusted stays adjusted when it refuses, as
    /// `null_blk`'s. 6.1's `null_blk` checks the block size first, before
    /// adjusting anything; this is 6.12's order, on every kernel (a driver
    /// is not told the kernel's version).
    fn validate(&mut self) -> Result {
        self.irqmode = self.irqmode.min(IRQ_TIMER as u32);
        self.submit_queues = self.submit_queues.max(1);
        self.poll_queues = self.poll_queues.min(params::poll_queues().max(0) as u32);
        if self.hw_queue_depth == 0 {
            return Err(EINVAL);
        }
        if self.discard && !self.memory_backed {
            pr_info!("discard option is ignored without memory backing\n");
            self.discard = false;
        }
        if !(512..=4096).contains(&self.blocksize) || !self.blocksize.is_power_of_two() {
            return Err(EINVAL);
        }
        Ok(())
    }

    /// A disk named after its index (`nullb0`, `rust_nullb0`).
    fn add_disk(&self, index: u32) -> Result<mq::Disk<NullOps>> {
        self.add_named(format_args!("{}{}", personality(), index))
    }

    fn add_named(&self, name: core::fmt::Arguments<'_>) -> Result<mq::Disk<NullOps>> {
        let discard = self.discard && self.memory_backed;
        if self.discard && !self.memory_backed {
            // null_blk's message, per disk (null_config_discard()).
            pr_info!("discard option is ignored without memory backing\n");
        }
        let opts = mq::DiskOptions {
            capacity_sectors: self.size_mb.saturating_mul(2048),
            logical_block_size: self.blocksize,
            physical_block_size: self.blocksize,
            max_discard_sectors: if discard { u32::MAX >> 9 } else { 0 },
            nr_hw_queues: self.submit_queues,
            poll_queues: self.poll_queues,
            queue_depth: self.hw_queue_depth.min(mq::MAX_DEPTH),
            // It allocates pages: queue_rq may sleep. As null_blk's:
            // null_validate_conf() sets `blocking` for every memory-backed
            // device ("Do memory allocation, so set blocking"), whatever
            // its `blocking` parameter says.
            blocking: self.memory_backed,
            ..Default::default()
        };
        let mut timers = KVec::new();
        if self.irqmode == IRQ_TIMER as u32 {
            let queues = opts.nr_hw_queues as usize + opts.poll_queues as usize;
            let n = queues * opts.queue_depth as usize;
            timers.try_reserve(n)?;
            for _ in 0..n {
                // Hard interrupt context, as null_blk's HRTIMER_MODE_REL
                // (soft would add a softirq round per request).
                timers.try_push(OneShot::new(Ender {}, Mode::Irq)?)?;
            }
        }
        let queue = NullQueue {
            softirq: self.irqmode == IRQ_SOFTIRQ as u32,
            timers: KSlice::from(timers),
            delay_ns: self.completion_nsec,
            store: if self.memory_backed { Some(PageStore::new()?) } else { None },
        };
        let disk = mq::Disk::add(name, &opts, queue)?;
        pr_info!("disk {} created\n", name);
        Ok(disk)
    }
}

/// Disk indexes, lowest free first, shared by the parameters' disks and
/// configfs's (as `null_blk`'s IDA).
struct Indexes {
    used: Mutex<KVec<bool>>,
}

impl Indexes {
    fn get(&self) -> Result<u32> {
        let mut used = self.used.lock();
        if let Some((i, u)) = used.iter_mut().enumerate().find(|(_, u)| !**u) {
            *u = true;
            return Ok(i as u32);
        }
        used.try_push(true)?;
        Ok(used.len() as u32 - 1)
    }

    fn put(&self, i: u32) {
        if let Some(u) = self.used.lock().get_mut(i as usize) {
            *u = false;
        }
    }
}

/// A disk and the index it holds.
struct Powered {
    disk: mq::Disk<NullOps>,
    index: u32,
}

/// A configfs device: `mkdir <configfs>/NAME`; its disk is `/dev/NAME`
/// (cut to the longest disk name), as `null_blk`'s.
struct NullbDev {
    name: KString,
    indexes: Arc<Indexes>,
    state: Mutex<DevState>,
}

struct DevState {
    cfg: DevCfg,
    /// The disk, while powered.
    on: Option<Powered>,
}

impl NullbDev {
    /// Writes one setting: a value of the attribute's type (`EINVAL`, or
    /// `ERANGE` past it, as `kstrtouint`/`kstrtoul`), refused while
    /// powered (`EBUSY`).
    fn set(&self, f: impl FnOnce(&mut DevCfg)) -> Result {
        let mut st = self.state.lock();
        if st.on.is_some() {
            return Err(EBUSY);
        }
        f(&mut st.cfg);
        Ok(())
    }

    fn show(&self, page: &mut Page<'_>, f: impl FnOnce(&DevCfg) -> u64) -> Result {
        let v = f(&self.state.lock().cfg);
        let _ = writeln!(page, "{}", v);
        Ok(())
    }

    fn power(&self, on: bool) -> Result {
        let mut st = self.state.lock();
        match (st.on.is_some(), on) {
            (false, true) => {
                st.cfg.validate()?;
                let index = self.indexes.get()?;
                let name = self.name.as_str();
                let name = name.get(..name.len().min(mq::MAX_NAME)).unwrap_or(name);
                match st.cfg.add_named(format_args!("{}", name)) {
                    Ok(disk) => {
                        st.cfg.submit_queues = disk.nr_hw_queues();
                        st.on = Some(Powered { disk, index });
                    }
                    Err(e) => {
                        self.indexes.put(index);
                        return Err(e);
                    }
                }
            }
            (true, false) => self.power_off(&mut st),
            _ => {}
        }
        Ok(())
    }

    /// Removes the disk (waiting for its requests in flight).
    fn power_off(&self, st: &mut DevState) {
        if let Some(Powered { disk, index }) = st.on.take() {
            drop(disk);
            self.indexes.put(index);
        }
    }
}

fn uint(text: &[u8]) -> Result<u32> {
    u32::try_from(configfs::parse_u64(text)?).map_err(|_| ERANGE)
}

/// `null_blk`'s attributes: a show and a store function each.
macro_rules! attrs {
    ($($field:ident: $show:ident, $store:ident, $parse:expr;)*) => {
        $(
            fn $show(d: &NullbDev, page: &mut Page<'_>) -> Result {
                d.show(page, |c| c.$field as u64)
            }
            fn $store(d: &NullbDev, text: &[u8]) -> Result {
                let v = $parse(text)?;
                d.set(|c| c.$field = v)
            }
        )*
    };
}

attrs! {
    size_mb: size_show, size_store, configfs::parse_u64;
    blocksize: blocksize_show, blocksize_store, uint;
    irqmode: irqmode_show, irqmode_store, uint;
    completion_nsec: completion_nsec_show, completion_nsec_store, configfs::parse_u64;
    submit_queues: submit_queues_show, submit_queues_store, uint;
    poll_queues: poll_queues_show, poll_queues_store, uint;
    hw_queue_depth: hw_queue_depth_show, hw_queue_depth_store, uint;
    memory_backed: memory_backed_show, memory_backed_store, configfs::parse_bool;
    discard: discard_show, discard_store, configfs::parse_bool;
}

fn power_show(d: &NullbDev, page: &mut Page<'_>) -> Result {
    let on = d.state.lock().on.is_some();
    let _ = writeln!(page, "{}", u8::from(on));
    Ok(())
}

fn power_store(d: &NullbDev, text: &[u8]) -> Result {
    d.power(configfs::parse_bool(text)?)
}

/// The disk's index (0 until first powered on, as `null_blk`'s).
fn index_show(d: &NullbDev, page: &mut Page<'_>) -> Result {
    let st = d.state.lock();
    let _ = writeln!(page, "{}", st.on.as_ref().map_or(0, |p| p.index));
    Ok(())
}

/// The configfs subsystem: one directory per device.
struct Devices {
    indexes: Arc<Indexes>,
    defaults: DevCfg,
}

/// What this driver's devices support: the attribute names, as
/// `null_blk`'s `features` file lists its own.
fn features_show(_: &Devices, page: &mut Page<'_>) -> Result {
    page.write_bytes(
        b"blocksize,completion_nsec,discard,hw_queue_depth,index,irqmode,memory_backed,poll_queues,power,size,submit_queues\n",
    )
}

impl Subsystem for Devices {
    type Item = NullbDev;
    const ROOT_ATTRS: &'static [Attribute<Self>] = &[Attribute::ro("features", features_show)];
    const ITEM_ATTRS: &'static [Attribute<NullbDev>] = &[
        Attribute::rw("size", size_show, size_store),
        Attribute::rw("blocksize", blocksize_show, blocksize_store),
        Attribute::rw("irqmode", irqmode_show, irqmode_store),
        Attribute::rw("completion_nsec", completion_nsec_show, completion_nsec_store),
        Attribute::rw("submit_queues", submit_queues_show, submit_queues_store),
        Attribute::rw("poll_queues", poll_queues_show, poll_queues_store),
        Attribute::rw("hw_queue_depth", hw_queue_depth_show, hw_queue_depth_store),
        Attribute::rw("memory_backed", memory_backed_show, memory_backed_store),
        Attribute::rw("discard", discard_show, discard_store),
        Attribute::rw("power", power_show, power_store),
        Attribute::ro("index", index_show),
    ];

    /// A new device with the module parameters' settings, as `null_blk`'s.
    fn make_item(&self, name: &str) -> Result<NullbDev> {
        Ok(NullbDev {
            name: KString::try_from_str(name)?,
            indexes: self.indexes.clone(),
            state: new_mutex!(DevState { cfg: self.defaults, on: None })?,
        })
    }

    /// `rmdir`: a powered device's disk is removed first.
    fn drop_item(&self, dev: &NullbDev) {
        dev.power_off(&mut dev.state.lock());
    }
}

struct RustNullb {
    /// First out at unload: configfs has no items then (they pin the module).
    _configfs: Registration<Devices>,
    _disks: KVec<Powered>,
}

impl Module for RustNullb {
    fn init() -> Result<Self> {
        let cfg = DevCfg::from_params()?;
        let name = params::configfs();
        let name = match name.to_str() {
            Ok("") => personality(),
            Ok(name) => name,
            Err(e) => {
                pr_err!("configfs=: not UTF-8\n");
                return Err(e);
            }
        };
        // Refused before any disk exists, with configfs's rule said (its
        // length is max_len's: the parameter refuses a longer one).
        if name.contains('/') || name == "." || name == ".." {
            pr_err!("configfs={}: not a directory name (no '/', not . or ..)\n", name);
            return Err(EINVAL);
        }
        let indexes = Arc::try_new(Indexes { used: new_mutex!(KVec::new())? })?;
        let mut disks = KVec::try_with_capacity(params::nr_devices() as usize)?;
        for _ in 0..params::nr_devices() {
            let index = indexes.get()?;
            disks.try_push(Powered { disk: cfg.add_disk(index)?, index })?;
        }
        let configfs = Registration::new(name, Devices { indexes, defaults: cfg })?;
        pr_info!("module loaded\n");
        Ok(RustNullb { _configfs: configfs, _disks: disks })
    }
}

module! {
    type: RustNullb,
    name: "rust_nullb",
    authors: ["rkm developers"],
    description: "Rust null block device: null_blk in safe Rust",
    license: "GPL",
    params: {
        nr_devices: u32 { default: 1, perm: 0o444, desc: "Number of devices to register" },
        gb: i32 { default: 250, perm: 0o444, desc: "Size in GB" },
        bs: i32 { default: 512, perm: 0o444, desc: "Block size (in bytes)" },
        irqmode: i32 {
            default: 1,
            perm: 0o444,
            desc: "IRQ completion handler. 0-none, 1-softirq, 2-timer"
        },
        completion_nsec: u64 {
            default: 10000,
            perm: 0o444,
            desc: "Time in ns to complete a request in hardware. Default: 10,000ns"
        },
        submit_queues: i32 { default: 1, perm: 0o444, desc: "Number of submission queues" },
        poll_queues: i32 { default: 1, perm: 0o444, desc: "Number of IOPOLL submission queues" },
        hw_queue_depth: i32 {
            default: 64,
            perm: 0o444,
            desc: "Queue depth for each hardware queue. Default: 64"
        },
        memory_backed: bool {
            default: false,
            perm: 0o444,
            desc: "Create a memory-backed block device. Default: false"
        },
        discard: bool {
            default: false,
            perm: 0o444,
            desc: "Support discard operations (requires memory-backed null_blk device). Default: false"
        },
        configfs: str {
            default: "",
            perm: 0o444,
            desc: "configfs subsystem name (default: nullb built as null_blk, else the module name)",
            max_len: 63
        },
    },
}
