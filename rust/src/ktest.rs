// SPDX-License-Identifier: GPL-2.0
//! Unit tests of the crate that run inside the kernel, reported as KTAP.
//!
//! Tests live next to the code, in a `ktests` module compiled only with
//! `--cfg rkm_ktest` (`RKM_KTEST=1` at build time); `tests/rkm_ktest` is the
//! module that runs them all at load and prints KTAP to the kernel log.
//!
//! This module exists only in those builds (never in `rkm doc`'s), and
//! `kassert!` is the crate's own, so the shape of a suite is shown here as
//! text; `tests/rkm_ktest` compiles every real one. A file of the crate ends
//! with
//!
//! ```text
//! #[cfg(rkm_ktest)]
//! pub(crate) mod ktests {
//!     use crate::ktest::{kassert, Case};
//!     pub(crate) const CASES: &[Case] = &[("adds", adds)];
//!     fn adds() -> crate::Result { kassert!(1 + 1 == 2); Ok(()) }
//! }
//! ```
//!
//! and its `CASES` are listed in `SUITES` below.

use crate::error::Result;

/// One test: its name and its body, a plain `fn() -> Result` (a named
/// function, as in the module's example above); an `Err` fails it.
pub(crate) type Case = (&'static str, fn() -> Result);

/// Fails the enclosing test (returns `EINVAL`) if `cond` is false, logging
/// the condition and where it is.
macro_rules! kassert {
    ($cond:expr) => {
        if !$cond {
            $crate::pr_err!("    # {}:{}: failed: {}\n", file!(), line!(), stringify!($cond));
            return Err($crate::error::code::EINVAL);
        }
    };
}
pub(crate) use kassert;

/// Every suite of the crate.
const SUITES: &[(&str, &[Case])] = &[
    ("alloc", crate::alloc::ktests::CASES),
    ("error", crate::error::ktests::CASES),
    ("print", crate::print::ktests::CASES),
    ("param", crate::param::ktests::CASES),
    ("driver", crate::driver::ktests::CASES),
    ("miscdev", crate::miscdev::ktests::CASES),
    ("sync", crate::sync::ktests::CASES),
    ("user", crate::user::ktests::CASES),
    ("platform", crate::platform::ktests::CASES),
    ("chrdev", crate::chrdev::ktests::CASES),
    ("workqueue", crate::workqueue::ktests::CASES),
    ("timer", crate::timer::ktests::CASES),
    ("kthread", crate::kthread::ktests::CASES),
    ("debugfs", crate::debugfs::ktests::CASES),
    ("ring", crate::ring::ktests::CASES),
    ("condvar", crate::sync::condvar::ktests::CASES),
    ("hrtimer", crate::hrtimer::ktests::CASES),
    ("configfs", crate::configfs::ktests::CASES),
    ("dma", crate::dma::ktests::CASES),
    ("net", crate::net::ktests::CASES),
    ("net_hostile", crate::net::hostile_ktests::CASES),
];

/// Runs every suite, printing KTAP (one subtest per suite); returns the
/// number of failed cases. `tests/rkm_ktest` calls it from its module init;
/// no driver does (hidden from the documentation: no example to give).
#[doc(hidden)]
pub fn run_all() -> usize {
    let mut failed = 0;
    crate::pr_info!("KTAP version 1\n");
    crate::pr_info!("1..{}\n", SUITES.len());
    for (i, (suite, cases)) in SUITES.iter().enumerate() {
        let mut suite_failed = 0;
        crate::pr_info!("    KTAP version 1\n");
        crate::pr_info!("    1..{}\n", cases.len());
        for (j, (name, case)) in cases.iter().enumerate() {
            match case() {
                Ok(()) => crate::pr_info!("    ok {} {}\n", j + 1, name),
                Err(e) => {
                    crate::pr_info!("    not ok {} {} # {:?}\n", j + 1, name, e);
                    suite_failed += 1;
                }
            }
        }
        let verdict = if suite_failed == 0 { "ok" } else { "not ok" };
        crate::pr_info!("{} {} {}\n", verdict, i + 1, suite);
        failed += suite_failed;
    }
    failed
}

/// Reads one byte past the end of a 17-byte heap allocation: undefined
/// behaviour on purpose, which only a test build can reach. On a KASAN
/// kernel rkm builds the Rust code instrumented, so this must draw a
/// "KASAN: slab-out-of-bounds" report naming this function; the suite checks
/// that it does (a Rust object built without instrumentation would read the
/// byte silently). Returns the byte read. `tests/rkm_ktest` calls it when
/// loaded with `kasan_probe=1`; no driver does (hidden from the
/// documentation: no example to give).
#[doc(hidden)]
pub fn kasan_probe() -> u8 {
    let Ok(buf) = crate::alloc::KBox::try_new([0u8; 17]) else {
        return 0;
    };
    let p = (&*buf as *const [u8; 17]).cast::<u8>();
    // SAFETY: not sound, deliberately: the read is one byte out of bounds of
    // a live allocation, for the sanitizer to catch. Only `--cfg rkm_ktest`
    // builds have this function and only the `kasan_probe` parameter of
    // tests/rkm_ktest calls it.
    let byte = unsafe { core::ptr::read_volatile(p.add(17)) };
    drop(buf);
    byte
}
