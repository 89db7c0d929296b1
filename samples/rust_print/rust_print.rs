// SPDX-License-Identifier: GPL-2.0
//! rust_print: every log level, and Rust formatting of integers, strings,
//! slices, structs and errors, in the kernel log.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

// Read only through Debug, which the dead-code lint does not count.
#[allow(dead_code)]
#[derive(Debug)]
struct Point {
    x: i32,
    y: i32,
}

#[allow(dead_code)]
#[derive(Debug)]
enum Shape {
    Circle { center: Point, radius: u32 },
}

struct RustPrint;

impl Module for RustPrint {
    fn init() -> Result<Self> {
        pr_emerg!("emerg level\n");
        pr_alert!("alert level\n");
        pr_crit!("crit level\n");
        pr_err!("err level\n");
        pr_warn!("warning level\n");
        pr_notice!("notice level\n");
        pr_info!("info level\n");
        pr_debug!("debug level, {} formatted only when enabled\n", "arguments");

        pr_info!("ints: {} {} {} {} {}\n", 42u8, -7i16, i32::MIN, i64::MIN, u64::MAX);
        pr_info!("radix: {:x} {:#X} {:o} {:#b}\n", 255, 255, 8, 5);
        pr_info!("width: [{:>6}] [{:<6}] [{:^6}] [{:06}] [{:+}]\n", 42, 42, 42, -42, 42);
        pr_info!("strings: {} {:?} [{:>8}] {}\n", "plain", "quoted\t", "right", "ünïcødé");
        pr_info!("slices: {:?} {:?} {:x?}\n", &[1u8, 2, 3][..], [-1i32, 0, 1], &[0xabu8, 0xcd]);
        let p = Point { x: 3, y: -4 };
        pr_info!("struct: {:?}\n", p);
        pr_info!("pretty: {:#?}\n", Shape::Circle { center: p, radius: 5 });
        pr_info!("errors: {:?} {:?} {:?}\n", ENOMEM, EINVAL, Error::from_errno(-200));

        let mut v = KVec::new();
        for i in 0..5u32 {
            v.try_push(i * i)?;
        }
        let s = KString::try_fmt(format_args!("squares {:?}", &v[..]))?;
        pr_info!("kstring: {}\n", s);

        // Longer than one log line (256 bytes): split, nothing cut.
        let mut long = KString::new();
        for i in 0..60u32 {
            long.try_push_str(if i % 10 == 9 { "9|" } else { "........" })?;
        }
        pr_info!("long: {}END\n", long);
        Ok(RustPrint)
    }
}

module! {
    type: RustPrint,
    name: "rust_print",
    authors: ["rkm developers"],
    description: "Rust printing sample: levels and formatting",
    license: "GPL",
}
