// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The crate's macros keep working in a driver
// that shadows every name their expansions could pick up from the driver's
// scope: its own `assert!`, `concat!`, `stringify!`, `option_env!`,
// `format_args!`, `file!`, `line!` (each a compile_error!, so any use by a
// crate macro fails this case), `core` rebound to rkm at the crate root and
// to a local module in `inner`, `Some`, `None`, `Option`, `Ok`, `Err`,
// `Result`, derive names, and the primitive types `u8`, `str`, `bool`;
// and lock macro arguments named `NAME` and `KEY` (the driver's items, not
// the lock site's own).
// The refusing side: pod_padding_shadowed_assert, param_world_writable_shadowed,
// module_name_mismatch_shadowed.
#![no_std]
#![forbid(unsafe_code)]
#![allow(unused_macros, unused_imports, dead_code, non_camel_case_types)]

extern crate rkm as core;

use rkm::prelude::*;

macro_rules! assert {
    ($($t:tt)*) => {
        compile_error!("the driver's assert! was used")
    };
}
macro_rules! concat {
    ($($t:tt)*) => {
        compile_error!("the driver's concat! was used")
    };
}
macro_rules! stringify {
    ($($t:tt)*) => {
        compile_error!("the driver's stringify! was used")
    };
}
macro_rules! option_env {
    ($($t:tt)*) => {
        compile_error!("the driver's option_env! was used")
    };
}
macro_rules! format_args {
    ($($t:tt)*) => {
        compile_error!("the driver's format_args! was used")
    };
}
macro_rules! file {
    ($($t:tt)*) => {
        compile_error!("the driver's file! was used")
    };
}
macro_rules! line {
    ($($t:tt)*) => {
        compile_error!("the driver's line! was used")
    };
}

struct Some;
struct None;
enum Option {}
struct Ok;
struct Err;
enum Result {}
struct u8;
struct str;
struct bool;
struct size_of;
struct c_int;
use rkm::pr_info as Clone;
use rkm::pr_warn as Debug;

mod inner {
    #![allow(non_camel_case_types)]
    use rkm::prelude::{
        ioctl, irq_safe, new_condvar, new_mutex, new_spinlock, new_spinlock_irq, pod, pr_alert,
        pr_crit, pr_debug, pr_emerg, pr_err, pr_info, pr_notice, pr_warn, Completion, UserSlice,
    };

    /// A local `core` whose `size_of` would hide any padding.
    mod core {
        pub mod mem {
            pub const fn size_of<T>() -> usize {
                8
            }
        }
        pub mod ffi {
            pub type c_int = i64;
        }
        pub mod option {
            pub enum Option {}
        }
    }

    struct usize;
    struct Some;
    struct None;
    struct Copy;
    struct Default;

    pod! {
        /// No padding: 4 + 4 + 8.
        pub struct Req { pub size: u32, pub version: u32, pub len: u64 }
    }

    rkm::dma_descriptor! {
        /// No padding: 8 + 2 + 1 + 1 + 4.
        pub struct Desc { pub addr: u64, pub len: u16, pub cmd: u8, pub status: u8, pub special: u32 }
    }

    irq_safe! {
        /// What an interrupt handler would see.
        pub struct Hw { pub done: Completion, pub count: rkm::sync::SpinLockIrq<u32> }
    }

    pub const IOC_REQ: u32 = ioctl::iowr::<Req>(b'x', 1);
    pub const IOC_SET: u32 = ioctl::iow::<u64>(b'x', 2);
    pub const IOC_GET: u32 = ioctl::ior::<Req>(b'x', 3);
    pub const IOC_RESET: u32 = ioctl::io(b'x', 4);

    pub fn request(arg: u64) -> rkm::Result<u32> {
        // `::core` is rkm here (see the top): the size is spelled out.
        let mut r = UserSlice::new(arg as _, 16).reader();
        let req: Req = r.read()?;
        rkm::Result::Ok(req.size)
    }

    const NAME: u32 = 5;
    static KEY: u32 = 6;

    pub fn locks() -> rkm::Result<u32> {
        let m = new_mutex!(1u32)?;
        let s = new_spinlock!(2u32)?;
        let i = new_spinlock_irq!(3u32)?;
        let _cv = new_condvar!()?;
        // The lock macros' own key and name are out of the argument's reach:
        // `NAME` and `KEY` here are the driver's.
        let n = new_mutex!(NAME)?;
        let k = new_spinlock!(&KEY)?;
        let _: u32 = *n.lock() + **k.lock();
        let v = *m.lock() + *s.lock() + *i.lock();
        pr_emerg!("{}\n", v);
        pr_alert!("{}\n", v);
        pr_crit!("{}\n", v);
        pr_err!("{}\n", v);
        pr_warn!("{}\n", v);
        pr_notice!("{}\n", v);
        pr_info!("{v} {:?}\n", Req::default());
        pr_debug!("{}\n", v);
        rkm::Result::Ok(v)
    }

    pub fn log(dev: &impl rkm::device::DeviceContext) {
        rkm::dev_info!(dev, "{}\n", 1);
        rkm::dev_warn!(dev, "{}\n", 2);
        rkm::dev_err!(dev, "{}\n", 3);
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> rkm::Result<Self> {
        inner::locks()?;
        pr_info!("{} {} {}\n", params::flag(), params::depth(), params::ids().as_slice().len());
        pr_info!("{}\n", params::label().as_bytes().len());
        rkm::Result::Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "ok_shadowed_names",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
    alias: ["rkm-shadowed"],
    params: {
        flag: bool { default: false, perm: 0o644, desc: "A flag" },
        depth: u32 { default: 8, perm: 0o644, desc: "Queue depth", range: 1..=64 },
        label: str { default: "rkm", perm: 0o444, desc: "A name", max_len: 16 },
        ids: [i32; 4] { default: [1, 2], perm: 0o644, desc: "Some ids", range: 0..=9 },
    },
}
