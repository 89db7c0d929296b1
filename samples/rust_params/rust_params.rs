// SPDX-License-Identifier: GPL-2.0
//! rust_params: every parameter type rkm offers; logs their values at load
//! and at unload (after sysfs writes). Its C twin, `c_params/`, declares the
//! same parameters with the kernel's own `param_ops_*`; `test.c` requires both
//! to take, refuse and show every value alike. Where rkm is stricter (a range
//! checked at each occurrence, with ERANGE; a string's one trailing newline
//! dropped; arrays set all or nothing) the twin does the same: see
//! `rkm::param`.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct RustParams;

fn log_params(when: &str) -> Result {
    pr_info!(
        "{}: enable={} level={} count={} offset={} big={} name={} ids={:?} masks={:?}\n",
        when,
        params::enable(),
        params::level(),
        params::count(),
        params::offset(),
        params::big(),
        params::name().to_str()?,
        params::ids().as_slice(),
        params::masks().as_slice(),
    );
    Ok(())
}

impl Module for RustParams {
    fn init() -> Result<Self> {
        log_params("init")?;
        Ok(RustParams)
    }
}

impl Drop for RustParams {
    fn drop(&mut self) {
        // A non-UTF-8 name written through sysfs is reported, not trusted.
        if log_params("exit").is_err() {
            pr_warn!("exit: name is not valid UTF-8\n");
        }
    }
}

module! {
    type: RustParams,
    name: "rust_params",
    authors: ["rkm developers"],
    description: "Rust parameters sample: every parameter type",
    license: "GPL",
    alias: ["rkm-params-sample"],
    params: {
        enable: bool { default: true, perm: 0o644, desc: "A switch" },
        level: i32 { default: -3, perm: 0o644, desc: "A signed level", range: -10..=10 },
        count: u32 { default: 8, perm: 0o644, desc: "A count" },
        offset: i64 { default: -5000000000, perm: 0o444, desc: "A read-only 64-bit offset" },
        big: u64 { default: 18446744073709551615, perm: 0o644, desc: "A 64-bit unsigned value" },
        name: str { default: "rkm", perm: 0o644, desc: "A short name", max_len: 16 },
        ids: [i32; 4] { default: [1, -2, 3], perm: 0o644, desc: "Up to four ids" },
        masks: [u64; 2] { default: [], perm: 0o600, desc: "Up to two masks", range: 0..=255 },
    },
}
