// SPDX-License-Identifier: GPL-2.0
// Control case: must compile. The correct forms of what the file operation
// cases get wrong: per-open state that owns an Arc of the device data,
// mutation under locks, poll registering a CondVar of the device data,
// module! with parameters.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU64, Ordering};
use rkm::prelude::*;

pub struct Dev {
    log: Mutex<KVec<u8>>,
    changed: CondVar,
}

pub struct Open {
    dev: Arc<Dev>,
    reads: AtomicU64,
}

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { dev: dev.clone(), reads: AtomicU64::new(0) })
    }

    fn read(&self, file: &File, mut out: UserSliceWriter, pos: &mut i64) -> Result<usize> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let start = usize::try_from(*pos)?;
        let mut g = self.dev.log.lock();
        while g.len() <= start {
            if file.is_nonblocking() {
                return Err(EAGAIN);
            }
            self.dev.changed.wait(&mut g)?;
        }
        let n = out.write_partial(g.get(start..).unwrap_or(&[]))?;
        *pos += n as i64;
        Ok(n)
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        let b: u8 = input.read()?;
        self.dev.log.lock().try_push(b)?;
        self.dev.changed.notify_all();
        Ok(1)
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            0x7801 => {
                let n = self.reads.load(Ordering::Relaxed);
                UserSlice::new(arg, 8).writer().write(&n)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }

    fn poll<'a>(&'a self, file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.dev.changed);
        if self.dev.log.lock().len() as i64 > file.pos() { PollMask::IN } else { PollMask::NONE }
    }
}

pub struct Driver {
    _reg: MiscDevice<Open>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let dev = Arc::try_new(Dev { log: new_mutex!(KVec::new())?, changed: new_condvar!()? })?;
        let reg = MiscDevice::<Open>::register("ok_fileops", 0o600, dev)?;
        pr_info!("depth {} name {}\n", params::depth(), params::name().to_str()?);
        Ok(Driver { _reg: reg })
    }
}

module! {
    type: Driver,
    name: "ok_fileops",
    authors: ["rkm developers"],
    description: "compile-fail suite: control case",
    license: "GPL",
    params: {
        depth: u32 { default: 8, perm: 0o644, desc: "Queue depth", range: 1..=1024 },
        name: str { default: "rkm", perm: 0o444, desc: "A name", max_len: 16 },
    },
}
