// SPDX-License-Identifier: GPL-2.0
//! rkm_ktest: runs the rkm crate's unit tests inside the kernel at load and
//! prints KTAP to the kernel log. Build with RKM_KTEST=1.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct RkmKtest;

impl Module for RkmKtest {
    fn init() -> Result<Self> {
        if params::kasan_probe() {
            pr_info!(
                "kasan_probe: read a byte past an allocation: {}\n",
                rkm::ktest::kasan_probe()
            );
            return Err(EINVAL);
        }
        let failed = rkm::ktest::run_all();
        pr_info!("# ktest done: {} failed\n", failed);
        Ok(RkmKtest)
    }
}

module! {
    type: RkmKtest,
    name: "rkm_ktest",
    authors: ["rkm developers"],
    description: "In-kernel unit tests of the rkm crate",
    license: "GPL",
    params: {
        kasan_probe: bool { default: false, perm: 0o444, desc: "Read out of bounds instead (KASAN self-test)" },
    },
}
