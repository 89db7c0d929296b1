// SPDX-License-Identifier: GPL-2.0
//! Broken on purpose, never loaded: every kind of panic `rkm lint --panics`
//! reports, one a line (the selftest names the lines: keep them in place).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct RkmPanics(u32);

impl Module for RkmPanics {
    fn init() -> Result<Self> {
        let (m, i, base) = (params::mode(), params::index() as usize, params::base());
        let t = [1u32, 2, 3, 4];
        let mut r = 0u32;
        if m == 1 {
            r = t[i]; // line 17: index out of bounds
        }
        if m == 2 {
            r = t[i..].len() as u32; // line 20: slice range
        }
        if m == 3 {
            r = base + 7; // line 23: overflow check (RKM_DEBUG=1 only)
        }
        if m == 4 {
            r = 100 / base; // line 26: division by zero
        }
        if m == 5 {
            r = t.get(i).copied().unwrap(); // line 29: unwrap on None
        }
        if m == 6 {
            r = t.get(i).copied().expect("in range"); // line 32: expect on None
        }
        if m == 7 {
            panic!("mode {}", m); // line 35: explicit panic!
        }
        if m == 8 {
            unreachable!(); // line 38: unreachable!
        }
        if m == 9 {
            assert!(i < 4); // line 41: assert!
        }
        if m == 10 {
            let x: core::result::Result<u32, u32> = if i < 4 { Ok(1) } else { Err(2) };
            r = x.unwrap(); // line 45: unwrap on Err
        }
        Ok(RkmPanics(r))
    }
}

impl Drop for RkmPanics {
    fn drop(&mut self) {
        pr_info!("{}\n", self.0);
    }
}

module! {
    type: RkmPanics,
    name: "rkm_panics",
    authors: ["rkm developers"],
    description: "rkm lint --panics self-test: a driver with every kind of panic",
    license: "GPL",
    params: {
        mode: u32 { default: 0, perm: 0o444, desc: "Which panic" },
        index: u32 { default: 0, perm: 0o444, desc: "An index" },
        base: u32 { default: 1, perm: 0o444, desc: "A divisor" },
    },
}
