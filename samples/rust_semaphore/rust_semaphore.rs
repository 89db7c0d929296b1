// SPDX-License-Identifier: GPL-2.0
//! rust_semaphore: a counting semaphore device, /dev/rust_semaphore, as in the
//! 2021 Rust-for-Linux RFC. Interface and errnos: semaphore.h; C twin in
//! c_semaphore/.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

const VERSION: u32 = 1;
const STATS_SIZE: u32 = 40;
const MAX_STRUCT: u32 = 4096;

pod! {
    /// struct sem_stats
    struct SemStats { size: u32, version: u32, count: u64, reads: u64, writes: u64, waiters: u64 }
}

const IOC_STATS: u32 = ioctl::iowr::<SemStats>(b's', 1);
const IOC_RESET: u32 = ioctl::io(b's', 2);

#[derive(Default)]
struct Counts {
    count: u64,
    reads: u64,
    writes: u64,
    waiters: u64,
}

struct Semaphore {
    counts: Mutex<Counts>,
    changed: CondVar,
}

struct SemFile {
    sem: Arc<Semaphore>,
}

impl SemFile {
    fn stats(&self, arg: usize) -> Result<isize> {
        let (mut r, mut w) = UserSlice::new(arg, MAX_STRUCT as usize).reader_writer();
        let size: u32 = r.read()?;
        if size < STATS_SIZE {
            return Err(EINVAL);
        }
        if size > MAX_STRUCT {
            return Err(E2BIG);
        }
        let c = self.sem.counts.lock();
        let stats = SemStats {
            size: STATS_SIZE,
            version: VERSION,
            count: c.count,
            reads: c.reads,
            writes: c.writes,
            waiters: c.waiters,
        };
        drop(c);
        w.write(&stats)?;
        Ok(0)
    }
}

#[rkm::vtable]
impl FileOperations for SemFile {
    type Device = Semaphore;

    fn open(sem: &Arc<Semaphore>, _file: &OpenFile) -> Result<Self> {
        Ok(SemFile { sem: sem.clone() })
    }

    /// Takes one unit, sleeping until there is one; transfers no data.
    fn read(&self, file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        let mut c = self.sem.counts.lock();
        while c.count == 0 {
            if file.is_nonblocking() {
                return Err(EAGAIN);
            }
            c.waiters += 1;
            let r = self.sem.changed.wait(&mut c);
            c.waiters -= 1;
            r?;
        }
        c.count -= 1;
        c.reads += 1;
        Ok(0)
    }

    /// Gives one unit per non-empty write; the data is not read.
    fn write(&self, _file: &File, input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        if input.is_empty() {
            return Ok(0);
        }
        let mut c = self.sem.counts.lock();
        c.count += 1;
        c.writes += 1;
        drop(c);
        self.sem.changed.notify_all();
        Ok(input.len())
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            IOC_STATS => self.stats(arg),
            IOC_RESET => {
                if !capable(CAP_SYS_ADMIN) {
                    return Err(EPERM);
                }
                let mut c = self.sem.counts.lock();
                c.count = 0;
                c.reads = 0;
                c.writes = 0;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }

    fn poll<'a>(&'a self, _file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.sem.changed);
        let readable = self.sem.counts.lock().count > 0;
        (if readable { PollMask::IN } else { PollMask::NONE }) | PollMask::OUT
    }
}

struct RustSemaphore {
    _devs: KVec<MiscDevice<SemFile>>,
}

impl Module for RustSemaphore {
    fn init() -> Result<Self> {
        let mut devs = KVec::new();
        for i in 0..params::instances() {
            let name = match i {
                0 => KString::try_from_str("rust_semaphore")?,
                _ => KString::try_fmt(format_args!("rust_semaphore{}", i))?,
            };
            let sem = Arc::try_new(Semaphore {
                counts: new_mutex!(Counts::default())?,
                changed: new_condvar!()?,
            })?;
            devs.try_push(MiscDevice::register(&name, 0o600, sem)?)?;
        }
        Ok(RustSemaphore { _devs: devs })
    }
}

module! {
    type: RustSemaphore,
    name: "rust_semaphore",
    authors: ["rkm developers"],
    description: "Rust semaphore sample: a counting semaphore misc device",
    license: "GPL",
    params: {
        instances: u32 { default: 1, perm: 0o444, desc: "Devices to create: NAME, NAME1, ...", range: 1..=4 },
    },
}
