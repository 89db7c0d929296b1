// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The pr_*! and dev_*! macros take everything
// format_args! takes, whichever form print_parts! gives them (parts, or
// format_args! itself): positional, repeated, named and captured arguments,
// `{{` and `}}`, escapes, a spec, a trailing comma, an argument that borrows
// mutably, a turbofish with a comma, a closure, a comparison, values that are
// Display but not written by the printer itself, references to integers,
// and a device expression evaluated once.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

struct Shown;

impl core::fmt::Display for Shown {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("shown")
    }
}

fn pick<A, B>(a: A, _b: B) -> A {
    a
}

fn name(buf: &mut [u8; 4]) -> &str {
    buf[0] = b'x';
    "name"
}

pub fn all(x: u32, r: &u64, s: &str, dev: &impl rkm::device::DeviceContext) {
    let mut buf = [0u8; 4];
    let (c, t, i) = ('c', true, -3i64);
    pr_info!("{} {} {} {} {} {}\n", x, r, s, c, t, i);
    pr_info!("{0} {1} {0} {{literal}} \"q\" \\ \t\n", x, s);
    pr_info!("{a} {b} {x} {s}\n", a = 1u8, b = Shown);
    pr_info!("{:>8} {:#x}\n", x, x,);
    pr_info!("{}\n", name(&mut buf));
    pr_info!("{} {}\n", pick::<u32, u8>(x, 1), x < 3);
    pr_info!("{}\n", (|a: u32, b: u32| a + b)(x, 1));
    pr_warn!("no args\n");
    pr_err!("{}", Shown);
    pr_debug!("{x}\n");
    dev_info!(dev, "{} {}\n", x, s);
    dev_warn!(dev, "{x:?}\n");
    dev_err!(dev, "plain\n");
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "ok_print",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
