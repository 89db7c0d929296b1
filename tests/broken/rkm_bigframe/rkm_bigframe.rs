// SPDX-License-Identifier: GPL-2.0
//! Broken on purpose: `write` copies into a 16 KiB buffer on the stack, which
//! would run into the kernel stack's guard page. The build must refuse it, as
//! -Wframe-larger-than refuses such a C function: rkm-stack-check names the
//! function and the kernel's CONFIG_FRAME_WARN.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

const BIG: usize = 16 * 1024;

struct Device;

struct Big;

impl Big {
    /// The whole write lands on the stack; its checksum goes to the log, so
    /// the optimiser cannot drop the buffer.
    #[inline(never)]
    fn sum_on_stack(input: &mut UserSliceReader) -> Result<u32> {
        let mut buf = [0u8; BIG];
        let n = input.len().min(BIG);
        input.read_slice(&mut buf[..n])?;
        Ok(buf.iter().fold(0u32, |s, &b| s.rotate_left(5) ^ u32::from(b)))
    }
}

#[rkm::vtable]
impl FileOperations for Big {
    type Device = Device;

    fn open(_dev: &Arc<Device>, _file: &OpenFile) -> Result<Self> {
        Ok(Big)
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        let n = input.len();
        pr_info!("checksum {}\n", Big::sum_on_stack(&mut input)?);
        Ok(n)
    }
}

struct Driver {
    _dev: MiscDevice<Big>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _dev: MiscDevice::register("rkm_bigframe", 0o666, Arc::try_new(Device)?)? })
    }
}

module! {
    type: Driver,
    name: "rkm_bigframe",
    authors: ["rkm developers"],
    description: "rkm harness self-test: a Rust function with a 16 KiB stack frame",
    license: "GPL",
}
