// SPDX-License-Identifier: GPL-2.0
//! rust_nullb: the kernel's `null_blk` in safe Rust. Disks that complete
//! every request at once, through softirq (the default) or after
//! `completion_nsec` on an hrtimer (irqmode 2), optionally keeping the data in memory
//! (`memory_backed`, with `discard`). Module parameters are `null_blk`'s,
//! checked as `null_blk` 6.12 checks them; its twin is `null_blk` itself.
#![no_std]
#![forbid(unsafe_code)]

use core::time::Duration;
use rkm::alloc::KSlice;
use rkm::block::{mq, PageStore, Status};
use rkm::hrtimer::{Mode, OneShot, OneShotCallback};
use rkm::prelude::*;

/// The disks' name prefix: `null_blk`'s when built as `null_blk` (a drop-in
/// replacement), else the module's own.
const DISK_PREFIX: &str = match option_env!("RKM_MODNAME") {
    Some(name) if rkm::module::str_eq(name, "null_blk") => "nullb",
    _ => "rust_nullb",
};

const IRQ_NONE: i32 = 0;
const IRQ_SOFTIRQ: i32 = 1;
const IRQ_TIMER: i32 = 2;

rkm::irq_safe! {
    /// irqmode 2: ends the request a timer slot was given, in softirq
    /// context (as null_blk's `HRTIMER_MODE_REL` callback ends it).
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
            if let Err((rq, status)) =
                slot.start(Duration::from_nanos(q.delay_ns), (rq, status))
            {
                rq.end(status);
            }
        } else if q.softirq {
            rq.complete(status);
        } else {
            rq.end(status);
        }
    }
}

/// The checked parameters every disk is made from.
struct Config {
    opts: mq::DiskOptions,
    irqmode: i32,
    completion_nsec: u64,
    memory_backed: bool,
}

impl Config {
    /// `null_blk`'s checks (6.12): a block size over the page size becomes
    /// the page size, with a warning; 0 the default (512); anything else
    /// not a power of two from 512 is refused. Submission queues: at least
    /// one (the glue clamps to the CPUs); a depth over blk-mq's maximum is
    /// reduced to it. `irqmode` outside 0..=2 is refused.
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
        let memory_backed = params::memory_backed();
        let discard = params::discard() && memory_backed;
        if params::discard() && !memory_backed {
            pr_info!("discard option is ignored without memory backing\n");
        }
        Ok(Config {
            opts: mq::DiskOptions {
                capacity_sectors: gb as u64 * 1024 * 2048,
                logical_block_size: bs,
                physical_block_size: bs,
                max_discard_sectors: if discard { u32::MAX >> 9 } else { 0 },
                nr_hw_queues: params::submit_queues().max(1) as u32,
                queue_depth: depth,
                // It allocates pages: queue_rq may sleep (as null_blk's).
                blocking: memory_backed,
                ..Default::default()
            },
            irqmode,
            completion_nsec: params::completion_nsec(),
            memory_backed,
        })
    }

    fn add_disk(&self, index: u32) -> Result<mq::Disk<NullOps>> {
        let mut timers = KVec::new();
        if self.irqmode == IRQ_TIMER {
            let n = self.opts.nr_hw_queues as usize * self.opts.queue_depth as usize;
            timers.try_reserve(n)?;
            for _ in 0..n {
                timers.try_push(OneShot::new(Ender {}, Mode::Soft)?)?;
            }
        }
        let queue = NullQueue {
            softirq: self.irqmode == IRQ_SOFTIRQ,
            timers: KSlice::from(timers),
            delay_ns: self.completion_nsec,
            store: if self.memory_backed { Some(PageStore::new()?) } else { None },
        };
        let disk = mq::Disk::add(format_args!("{}{}", DISK_PREFIX, index), &self.opts, queue)?;
        pr_info!("disk {}{} created\n", DISK_PREFIX, index);
        Ok(disk)
    }
}

struct RustNullb {
    _disks: KVec<mq::Disk<NullOps>>,
}

impl Module for RustNullb {
    fn init() -> Result<Self> {
        let config = Config::from_params()?;
        let mut disks = KVec::try_with_capacity(params::nr_devices() as usize)?;
        for i in 0..params::nr_devices() {
            disks.try_push(config.add_disk(i)?)?;
        }
        pr_info!("module loaded\n");
        Ok(RustNullb { _disks: disks })
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
    },
}
