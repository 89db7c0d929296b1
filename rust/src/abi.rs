// SPDX-License-Identifier: GPL-2.0
//! Declarations of `include/rkm_abi.h`, by hand: the header is small, plain C,
//! and its version is checked at link time through `rkm_abi_version_N`.
//! `tests/abi_drift.sh` compares them with what bindgen generates from the
//! header. Names: constants lose `RKM_` (`POLLIN`), types lose `rkm_` and
//! are CamelCase (`struct rkm_file_ops` is `FileOps`, `struct rkm_mutex` is
//! the opaque `Mutex`); functions keep their C names. The functions the
//! Rust side implements (`rkm_rust_*`) are defined by `module!`.

use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

/// The ABI version this crate was written against (`RKM_ABI_VERSION`).
pub(crate) const ABI_VERSION: c_int = 10;

/// `RKM_LOG_*` (`enum rkm_log_level`), what `rkm_log` takes.
pub(crate) const LOG_EMERG: c_int = 0;
pub(crate) const LOG_ALERT: c_int = 1;
pub(crate) const LOG_CRIT: c_int = 2;
pub(crate) const LOG_ERR: c_int = 3;
pub(crate) const LOG_WARNING: c_int = 4;
pub(crate) const LOG_NOTICE: c_int = 5;
pub(crate) const LOG_INFO: c_int = 6;
pub(crate) const LOG_DEBUG: c_int = 7;
/// Longest text `rkm_log` prints in one line (`RKM_LOG_LINE_MAX`).
pub(crate) const LOG_LINE_MAX: usize = 256;
/// `RKM_ALLOC_*`: `rkm_realloc`'s flags.
pub(crate) const ALLOC_KERNEL: u32 = 0x0;
pub(crate) const ALLOC_ATOMIC: u32 = 0x1;
pub(crate) const ALLOC_NOWAIT: u32 = 0x2;
pub(crate) const ALLOC_ZERO: u32 = 0x100;
/// `RKM_LOCK_KEY_SIZE`: the static storage of a lockdep class key.
pub(crate) const LOCK_KEY_SIZE: usize = 64;
/// `RKM_LOCK_SUBCLASSES`: lockdep subclasses a lock may be taken with.
pub(crate) const LOCK_SUBCLASSES: u32 = 8;
/// `RKM_CAP_*`: what `rkm_capable` takes.
pub(crate) const CAP_NET_ADMIN: c_uint = 12;
pub(crate) const CAP_SYS_ADMIN: c_uint = 21;

unsafe extern "C" {
    /// Defined by the glue of ABI version 5 only.
    pub(crate) static rkm_abi_version_10: c_int;
    pub(crate) fn rkm_log(level: c_int, msg: *const c_char, len: usize);
    pub(crate) fn rkm_panic(msg: *const c_char, len: usize);
    pub(crate) fn rkm_debug_enabled() -> bool;
    pub(crate) fn rkm_module_name(len: *mut usize) -> *const c_char;
    pub(crate) fn rkm_realloc(
        ptr: *mut c_void,
        size: usize,
        align: usize,
        flags: u32,
    ) -> *mut c_void;
    pub(crate) fn rkm_free(ptr: *mut c_void);
    pub(crate) fn rkm_param_get(
        name: *const c_char,
        name_len: usize,
        vals: *mut i64,
        nvals: usize,
        str: *mut c_char,
        str_cap: usize,
    ) -> c_long;

    pub(crate) fn rkm_mutex_new(name: *const c_char, key: *mut LockKey) -> *mut Mutex;
    pub(crate) fn rkm_mutex_free(m: *mut Mutex);
    pub(crate) fn rkm_mutex_lock(m: *mut Mutex, subclass: c_uint);
    pub(crate) fn rkm_mutex_lock_interruptible(m: *mut Mutex) -> c_int;
    pub(crate) fn rkm_mutex_unlock(m: *mut Mutex);
    pub(crate) fn rkm_spinlock_new(name: *const c_char, key: *mut LockKey) -> *mut Spinlock;
    pub(crate) fn rkm_spinlock_free(s: *mut Spinlock);
    pub(crate) fn rkm_spin_lock(s: *mut Spinlock, subclass: c_uint);
    pub(crate) fn rkm_spin_unlock(s: *mut Spinlock);
    pub(crate) fn rkm_spin_lock_irq(s: *mut Spinlock, subclass: c_uint);
    pub(crate) fn rkm_spin_unlock_irq(s: *mut Spinlock);
    #[cfg_attr(not(rkm_ktest), allow(dead_code))] // for the crate's in-kernel tests
    pub(crate) fn rkm_irqs_disabled() -> bool;
    pub(crate) fn rkm_condvar_new(name: *const c_char, key: *mut LockKey) -> *mut Condvar;
    pub(crate) fn rkm_condvar_free(cv: *mut Condvar);
    pub(crate) fn rkm_condvar_wait_mutex(
        cv: *mut Condvar,
        m: *mut Mutex,
        subclass: c_uint,
    ) -> c_int;
    pub(crate) fn rkm_condvar_notify_all(cv: *mut Condvar);
    pub(crate) fn rkm_refcount_set(r: *mut Refcount, n: c_uint);
    pub(crate) fn rkm_refcount_inc(r: *mut Refcount);
    pub(crate) fn rkm_refcount_dec_and_test(r: *mut Refcount) -> bool;
    pub(crate) fn rkm_refcount_read(r: *mut Refcount) -> c_uint;
    pub(crate) fn rkm_signal_pending() -> bool;
    pub(crate) fn rkm_cond_resched();
    pub(crate) fn rkm_msleep_interruptible(ms: c_uint) -> c_ulong;
    pub(crate) fn rkm_msleep(ms: c_uint);
    pub(crate) fn rkm_capable(cap: c_uint) -> bool;
    pub(crate) fn rkm_copy_from_user(dst: *mut c_void, src: usize, len: usize) -> usize;
    pub(crate) fn rkm_copy_to_user(dst: usize, src: *const c_void, len: usize) -> usize;
    pub(crate) fn rkm_check_zeroed_user(src: usize, len: usize) -> c_int;
    pub(crate) fn rkm_copy_from_user_fixed(dst: *mut c_void, src: usize, len: usize) -> usize;
    pub(crate) fn rkm_copy_to_user_fixed(dst: usize, src: *const c_void, len: usize) -> usize;
    pub(crate) fn rkm_get_user_u8(src: usize, val: *mut u8) -> c_int;
    pub(crate) fn rkm_get_user_u16(src: usize, val: *mut u16) -> c_int;
    pub(crate) fn rkm_get_user_u32(src: usize, val: *mut u32) -> c_int;
    pub(crate) fn rkm_get_user_u64(src: usize, val: *mut u64) -> c_int;
    pub(crate) fn rkm_put_user_u8(dst: usize, val: u8) -> c_int;
    pub(crate) fn rkm_put_user_u16(dst: usize, val: u16) -> c_int;
    pub(crate) fn rkm_put_user_u32(dst: usize, val: u32) -> c_int;
    pub(crate) fn rkm_put_user_u64(dst: usize, val: u64) -> c_int;
    pub(crate) fn rkm_copy_from_user_keep(dst: *mut c_void, src: usize, len: usize) -> usize;
    pub(crate) fn rkm_miscdev_register(
        name: *const c_char,
        name_len: usize,
        mode: u16,
        ops: *const FileOps,
        dev: *const c_void,
        err: *mut c_int,
    ) -> *mut Miscdev;
    pub(crate) fn rkm_miscdev_deregister(misc: *mut Miscdev);
    pub(crate) fn rkm_file_state(file: *mut File) -> *mut c_void;
    pub(crate) fn rkm_file_flags(file: *mut File) -> u32;
    pub(crate) fn rkm_file_pos(file: *mut File) -> i64;
    pub(crate) fn rkm_poll_wait(file: *mut File, table: *mut PollTable, cv: *mut Condvar);
    pub(crate) fn rkm_completion_new() -> *mut Completion;
    pub(crate) fn rkm_completion_free(c: *mut Completion);
    pub(crate) fn rkm_completion_reinit(c: *mut Completion);
    pub(crate) fn rkm_completion_complete(c: *mut Completion);
    pub(crate) fn rkm_completion_wait(c: *mut Completion) -> c_int;

    pub(crate) fn rkm_binding_dma_mask(binding: *mut Binding, bits: c_uint) -> c_int;
    pub(crate) fn rkm_dma_alloc(
        binding: *mut Binding,
        size: usize,
        cpu: *mut *mut c_void,
        addr: *mut u64,
    ) -> *mut Dma;
    pub(crate) fn rkm_dma_free(dma: *mut Dma);
    pub(crate) fn rkm_binding_timer_arm(binding: *mut Binding, ms: c_uint);
    pub(crate) fn rkm_binding_timer_cancel(binding: *mut Binding);
    pub(crate) fn rkm_binding_irq_kind(binding: *mut Binding) -> c_int;
    pub(crate) fn rkm_dev_log(binding: *mut Binding, level: c_int, msg: *const c_char, len: usize);
    pub(crate) fn rkm_binding_get(binding: *mut Binding);
    pub(crate) fn rkm_binding_put(binding: *mut Binding);
    pub(crate) fn rkm_binding_enter(binding: *mut Binding) -> *mut c_void;
    pub(crate) fn rkm_binding_leave(binding: *mut Binding);

    pub(crate) fn rkm_pci_unregister(driver: *mut PciDriver);
    pub(crate) fn rkm_pci_enable(binding: *mut Binding) -> c_int;
    pub(crate) fn rkm_pci_set_master(binding: *mut Binding);
    pub(crate) fn rkm_pci_irq_vector(binding: *mut Binding) -> c_int;
    pub(crate) fn rkm_pci_iomap(
        binding: *mut Binding,
        bar: c_uint,
        min_len: usize,
        len: *mut usize,
        err: *mut c_int,
    ) -> *mut Bar;
    pub(crate) fn rkm_pci_iounmap(bar: *mut Bar);
    pub(crate) fn rkm_bar_readb(bar: *mut Bar, off: usize) -> u8;
    pub(crate) fn rkm_bar_readw(bar: *mut Bar, off: usize) -> u16;
    pub(crate) fn rkm_bar_readl(bar: *mut Bar, off: usize) -> u32;
    pub(crate) fn rkm_bar_readq(bar: *mut Bar, off: usize) -> u64;
    pub(crate) fn rkm_bar_writeb(bar: *mut Bar, off: usize, val: u8);
    pub(crate) fn rkm_bar_writew(bar: *mut Bar, off: usize, val: u16);
    pub(crate) fn rkm_bar_writel(bar: *mut Bar, off: usize, val: u32);
    pub(crate) fn rkm_bar_writeq(bar: *mut Bar, off: usize, val: u64);
}

/// `RKM_IRQ_*`: hard handler results and interrupt kinds.
pub(crate) const IRQ_NONE: c_int = 0;
pub(crate) const IRQ_HANDLED: c_int = 1;
pub(crate) const IRQ_WAKE_THREAD: c_int = 2;
pub(crate) const IRQ_MSI: c_int = 1;
pub(crate) const IRQ_INTX: c_int = 2;

/// `struct rkm_driver_ops`.
#[repr(C)]
pub(crate) struct DriverOps {
    pub(crate) probe: extern "C" fn(*const c_void, *mut Binding, *mut *mut c_void) -> c_int,
    pub(crate) unbind: extern "C" fn(*mut c_void),
    pub(crate) remove: extern "C" fn(*mut c_void),
    pub(crate) drop: extern "C" fn(*mut c_void),
    pub(crate) irq: extern "C" fn(*mut c_void) -> c_int,
    pub(crate) irq_thread: extern "C" fn(*mut c_void),
    pub(crate) timer: extern "C" fn(*mut c_void),
    pub(crate) attr_show: extern "C" fn(*mut c_void, c_uint, *mut c_char, usize) -> c_long,
    pub(crate) attr_store: extern "C" fn(*mut c_void, c_uint, *const c_char, usize) -> c_int,
}

/// `struct rkm_attr`.
#[repr(C)]
pub(crate) struct Attr {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) mode: u16,
}

/// `struct rkm_driver_desc`.
#[repr(C)]
pub(crate) struct DriverDesc {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) attrs: *const Attr,
    pub(crate) nattrs: usize,
    pub(crate) ops: *const DriverOps,
    pub(crate) drv: *const c_void,
}

/// The header's incomplete structs, the typed handles (`struct rkm_mutex` is
/// `Mutex`): zero-sized and `#[repr(C)]` as bindgen makes them, and neither
/// `Send`, `Sync` nor `Unpin`; only pointers to them are used. `pub` in this
/// private module: the device core's sealed trait names `Binding`, and
/// nothing outside the crate can.
macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub struct $name {
            _p: [u8; 0],
            _m: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
        }
    )*};
}
opaque!(LockKey, Mutex, Spinlock, Condvar, Refcount, Completion, Miscdev, File, PollTable);
opaque!(Binding, Dma, PciDriver, Bar);

/// `RKM_O_NONBLOCK`.
pub(crate) const O_NONBLOCK: u32 = 0x1;
/// `RKM_SEEK_*`.
pub(crate) const SEEK_SET: c_int = 0;
pub(crate) const SEEK_CUR: c_int = 1;
pub(crate) const SEEK_END: c_int = 2;
pub(crate) const SEEK_DATA: c_int = 3;
pub(crate) const SEEK_HOLE: c_int = 4;
/// `RKM_POLL*`.
pub(crate) const POLLIN: u32 = 0x1;
pub(crate) const POLLOUT: u32 = 0x4;
pub(crate) const POLLERR: u32 = 0x8;

/// `struct rkm_file_ops`.
#[repr(C)]
pub(crate) struct FileOps {
    pub(crate) open: Option<extern "C" fn(*const c_void, *mut File, *mut *mut c_void) -> c_int>,
    pub(crate) release: Option<extern "C" fn(*mut c_void)>,
    pub(crate) read: Option<extern "C" fn(*mut File, usize, usize, *mut i64) -> c_long>,
    pub(crate) write: Option<extern "C" fn(*mut File, usize, usize, *mut i64) -> c_long>,
    pub(crate) llseek: Option<extern "C" fn(*mut c_void, *mut File, i64, i64, c_int) -> i64>,
    pub(crate) ioctl: Option<extern "C" fn(*mut File, u32, usize) -> c_long>,
    pub(crate) poll: Option<extern "C" fn(*mut File, *mut PollTable) -> u32>,
    pub(crate) flush: Option<extern "C" fn(*mut c_void, *mut File) -> c_int>,
    pub(crate) fasync_queue: Option<extern "C" fn(*mut c_void) -> *mut Fasync>,
    pub(crate) mmap: Option<extern "C" fn(*mut c_void, *mut File, *mut Vma) -> c_int>,
}

/// Checks, at load, that the glue is the version this crate expects. The real
/// check is at link time: referencing `rkm_abi_version_10` fails modpost
/// against the glue of any other version.
pub(crate) fn abi_version() -> c_int {
    // SAFETY: a plain `const int` defined by the glue, never written.
    unsafe { rkm_abi_version_10 }
}

// --- device kinds: platform, char-device regions, misc attributes (issue 16) ---

opaque!(PlatformDriver, PlatformDevice, Chrdev);

/// `struct rkm_misc_attr_ops`.
#[repr(C)]
pub(crate) struct MiscAttrOps {
    pub(crate) show: Option<extern "C" fn(*const c_void, c_uint, *mut c_char, usize) -> c_long>,
    pub(crate) store: Option<extern "C" fn(*const c_void, c_uint, *const c_char, usize) -> c_int>,
}

unsafe extern "C" {
    pub(crate) fn rkm_platform_register(
        desc: *const DriverDesc,
        err: *mut c_int,
    ) -> *mut PlatformDriver;
    pub(crate) fn rkm_platform_unregister(driver: *mut PlatformDriver);
    pub(crate) fn rkm_platform_device_new(
        name: *const c_char,
        name_len: usize,
        id: u32,
        err: *mut c_int,
    ) -> *mut PlatformDevice;
    pub(crate) fn rkm_platform_device_free(pdev: *mut PlatformDevice);
    pub(crate) fn rkm_chrdev_register(
        name: *const c_char,
        name_len: usize,
        count: u32,
        mode: u16,
        ops: *const FileOps,
        devs: *const *const c_void,
        err: *mut c_int,
    ) -> *mut Chrdev;
    pub(crate) fn rkm_chrdev_unregister(cd: *mut Chrdev);
    pub(crate) fn rkm_miscdev_register_attrs(
        name: *const c_char,
        name_len: usize,
        mode: u16,
        ops: *const FileOps,
        dev: *const c_void,
        attrs: *const Attr,
        nattrs: usize,
        attr_ops: *const MiscAttrOps,
        err: *mut c_int,
    ) -> *mut Miscdev;
}

// --- kernel services (issue 16) ---
/// `RKM_NAME_MAX`: longest workqueue, kernel thread or debugfs name.
pub(crate) const NAME_MAX: usize = 64;
/// `RKM_DELAY_MAX_MS`: work and timer delays are capped at this.
pub(crate) const DELAY_MAX_MS: u32 = 2592000000;
/// `RKM_HRTIMER_MIN_NS`: shortest hrtimer restart period.
pub(crate) const HRTIMER_MIN_NS: u64 = 10000;
/// `RKM_HRTIMER_MAX_NS`: hrtimer start delays are capped at this.
pub(crate) const HRTIMER_MAX_NS: u64 = 2592000000000000;
/// `RKM_WQ_*`: `rkm_wq_alloc`'s flags.
pub(crate) const WQ_UNBOUND: u32 = 0x1;
pub(crate) const WQ_HIGHPRI: u32 = 0x2;

opaque!(Wq, Work, Hrtimer, Timer, Kthread, DebugfsDir);

/// `struct rkm_debugfs_ops`.
#[repr(C)]
pub(crate) struct DebugfsOps {
    pub(crate) read: Option<extern "C" fn(*mut DebugfsEntry, usize, usize, *mut i64) -> c_long>,
    pub(crate) write: Option<extern "C" fn(*mut DebugfsEntry, usize, usize, *mut i64) -> c_long>,
}

/// `struct rkm_debugfs_entry`: the head of the crate's per-file record.
#[repr(C)]
pub(crate) struct DebugfsEntry {
    pub(crate) ops: *const DebugfsOps,
}

unsafe extern "C" {
    pub(crate) fn rkm_wq_alloc(
        name: *const c_char,
        name_len: usize,
        flags: u32,
        err: *mut c_int,
    ) -> *mut Wq;
    pub(crate) fn rkm_wq_put(wq: *mut Wq);
    pub(crate) fn rkm_wq_flush(wq: *mut Wq);
    pub(crate) fn rkm_work_new(
        wq: *mut Wq,
        func: Option<extern "C" fn(*mut c_void)>,
        data: *mut c_void,
    ) -> *mut Work;
    pub(crate) fn rkm_work_queue(work: *mut Work, ms: c_uint) -> bool;
    pub(crate) fn rkm_work_mod(work: *mut Work, ms: c_uint) -> bool;
    pub(crate) fn rkm_work_pending(work: *mut Work) -> bool;
    pub(crate) fn rkm_work_cancel_sync(work: *mut Work) -> bool;
    pub(crate) fn rkm_work_flush(work: *mut Work);
    pub(crate) fn rkm_work_free(work: *mut Work);
    pub(crate) fn rkm_hrtimer_new(
        func: Option<extern "C" fn(*mut c_void) -> u64>,
        data: *mut c_void,
    ) -> *mut Hrtimer;
    pub(crate) fn rkm_hrtimer_start(timer: *mut Hrtimer, ns: u64);
    pub(crate) fn rkm_hrtimer_try_cancel(timer: *mut Hrtimer) -> c_int;
    pub(crate) fn rkm_hrtimer_active(timer: *mut Hrtimer) -> bool;
    pub(crate) fn rkm_hrtimer_free(timer: *mut Hrtimer);
    pub(crate) fn rkm_timer_new(
        func: Option<extern "C" fn(*mut c_void) -> u32>,
        data: *mut c_void,
    ) -> *mut Timer;
    pub(crate) fn rkm_timer_start(timer: *mut Timer, ms: c_uint);
    pub(crate) fn rkm_timer_cancel(timer: *mut Timer) -> bool;
    pub(crate) fn rkm_timer_pending(timer: *mut Timer) -> bool;
    pub(crate) fn rkm_timer_free(timer: *mut Timer);
    pub(crate) fn rkm_kthread_run(
        name: *const c_char,
        name_len: usize,
        func: Option<extern "C" fn(*mut Kthread, *mut c_void)>,
        data: *mut c_void,
        err: *mut c_int,
    ) -> *mut Kthread;
    pub(crate) fn rkm_kthread_wake(k: *mut Kthread);
    pub(crate) fn rkm_kthread_should_stop() -> bool;
    pub(crate) fn rkm_kthread_sleep(k: *mut Kthread, ms: c_uint) -> c_int;
    pub(crate) fn rkm_kthread_stop(k: *mut Kthread) -> bool;
    pub(crate) fn rkm_kthread_free(k: *mut Kthread);
    pub(crate) fn rkm_debugfs_dir_new(
        name: *const c_char,
        name_len: usize,
        err: *mut c_int,
    ) -> *mut DebugfsDir;
    pub(crate) fn rkm_debugfs_file_new(
        dir: *mut DebugfsDir,
        name: *const c_char,
        name_len: usize,
        mode: u16,
        entry: *mut DebugfsEntry,
    ) -> c_int;
    pub(crate) fn rkm_debugfs_dir_remove(dir: *mut DebugfsDir);
}

// --- file operations and CondVar (issue 16) ---
/// `RKM_O_APPEND`.
pub(crate) const O_APPEND: u32 = 0x2;
/// `RKM_FMODE_*`.
pub(crate) const FMODE_READ: u32 = 0x1;
pub(crate) const FMODE_WRITE: u32 = 0x2;
/// More `RKM_POLL*` (the kernel's `EPOLL*` values).
pub(crate) const POLLPRI: u32 = 0x2;
pub(crate) const POLLHUP: u32 = 0x10;
pub(crate) const POLLRDNORM: u32 = 0x40;
pub(crate) const POLLWRNORM: u32 = 0x100;
pub(crate) const POLLRDHUP: u32 = 0x2000;
/// `RKM_POLL_*`: SIGIO bands.
pub(crate) const POLL_IN: c_int = 1;
pub(crate) const POLL_OUT: c_int = 2;
pub(crate) const POLL_MSG: c_int = 3;
pub(crate) const POLL_ERR: c_int = 4;
pub(crate) const POLL_PRI: c_int = 5;
pub(crate) const POLL_HUP: c_int = 6;
opaque!(Fasync, MmapBuf, Vma);
/// `RKM_VMA_*`.
pub(crate) const VMA_WRITE: u32 = 0x1;
pub(crate) const VMA_SHARED: u32 = 0x2;

extern "C" {
    pub(crate) fn rkm_file_mode(file: *mut File) -> u32;
    pub(crate) fn rkm_file_stream_open(file: *mut File);
    pub(crate) fn rkm_file_nonseekable_open(file: *mut File);
    pub(crate) fn rkm_fasync_new() -> *mut Fasync;
    pub(crate) fn rkm_fasync_free(q: *mut Fasync);
    pub(crate) fn rkm_fasync_kill(q: *mut Fasync, band: c_int);
    pub(crate) fn rkm_condvar_wait_timeout(
        cv: *mut Condvar,
        m: *mut Mutex,
        subclass: c_uint,
        exclusive: bool,
        timeout_ms: u64,
        left_ms: *mut u64,
    ) -> c_int;
    pub(crate) fn rkm_condvar_notify_one(cv: *mut Condvar);
    pub(crate) fn rkm_mmap_buf_new(size: usize) -> *mut MmapBuf;
    pub(crate) fn rkm_mmap_buf_get(b: *mut MmapBuf);
    pub(crate) fn rkm_mmap_buf_put(b: *mut MmapBuf);
    pub(crate) fn rkm_mmap_buf_size(b: *mut MmapBuf) -> usize;
    pub(crate) fn rkm_mmap_buf_read(b: *mut MmapBuf, off: usize, dst: *mut c_void, len: usize);
    pub(crate) fn rkm_mmap_buf_write(b: *mut MmapBuf, off: usize, src: *const c_void, len: usize);
    pub(crate) fn rkm_vma_map_buf(vma: *mut Vma, b: *mut MmapBuf) -> c_int;
    pub(crate) fn rkm_vma_len(vma: *mut Vma) -> usize;
    pub(crate) fn rkm_vma_pgoff(vma: *mut Vma) -> u64;
    pub(crate) fn rkm_vma_flags(vma: *mut Vma) -> u32;
    pub(crate) fn rkm_vma_deny_write(vma: *mut Vma);
}

// --- PCI for driver authors (issue 16) ---

/// `RKM_PCI_ANY_ID`, `RKM_PCI_IDS_MAX`.
pub(crate) const PCI_ANY_ID: u32 = 0xffff_ffff;
pub(crate) const PCI_IDS_MAX: u32 = 1024;
/// `RKM_BAR_*`: what `rkm_bar_kind` returns.
pub(crate) const BAR_MEM: u32 = 1;
pub(crate) const BAR_IO: u32 = 2;

/// `RKM_PCI_IRQ_*`, `RKM_PCI_VECTORS_MAX`.
pub(crate) const PCI_IRQ_INTX: u32 = 1;
pub(crate) const PCI_IRQ_MSI: u32 = 2;
pub(crate) const PCI_IRQ_MSIX: u32 = 4;
pub(crate) const PCI_VECTORS_MAX: u32 = 32;
/// `RKM_DMA_*`: streaming DMA directions.
pub(crate) const DMA_BIDIRECTIONAL: c_int = 0;
pub(crate) const DMA_TO_DEVICE: c_int = 1;
pub(crate) const DMA_FROM_DEVICE: c_int = 2;

/// `struct rkm_pci_id`.
#[repr(C)]
pub(crate) struct PciId {
    pub(crate) vendor: u32,
    pub(crate) device: u32,
    pub(crate) subvendor: u32,
    pub(crate) subdevice: u32,
    pub(crate) class: u32,
    pub(crate) class_mask: u32,
}

unsafe extern "C" {
    pub(crate) fn rkm_pci_register_ids(
        desc: *const DriverDesc,
        ids: *const PciId,
        nids: usize,
        vector_irq: Option<extern "C" fn(*mut c_void, c_uint) -> c_int>,
        err: *mut c_int,
    ) -> *mut PciDriver;
    pub(crate) fn rkm_pci_irq_vectors(
        binding: *mut Binding,
        min: c_uint,
        max: c_uint,
        types: c_uint,
        kind: *mut c_uint,
    ) -> c_int;
    pub(crate) fn rkm_pci_id_index(binding: *mut Binding) -> c_int;
    pub(crate) fn rkm_bar_kind(bar: *mut Bar) -> c_int;
    pub(crate) fn rkm_stream_alloc(
        binding: *mut Binding,
        size: usize,
        cpu: *mut *mut c_void,
    ) -> *mut Dma;
    pub(crate) fn rkm_stream_map(dma: *mut Dma, dir: c_int, addr: *mut u64) -> c_int;
    pub(crate) fn rkm_stream_unmap(dma: *mut Dma);
    pub(crate) fn rkm_stream_sync_for_cpu(dma: *mut Dma);
    pub(crate) fn rkm_stream_sync_for_device(dma: *mut Dma);
}

// --- watchdog and PCI config space (issue 16) ---

opaque!(PciConfig, Watchdog);

/// `RKM_WDT_*`: `struct rkm_watchdog_desc`'s flags.
pub(crate) const WDT_NOWAYOUT: u32 = 0x1;
pub(crate) const WDT_STOP_ON_REBOOT: u32 = 0x2;
pub(crate) const WDT_STOP_ON_UNREGISTER: u32 = 0x4;

/// `struct rkm_watchdog_ops`.
#[repr(C)]
pub(crate) struct WatchdogOps {
    pub(crate) start: Option<extern "C" fn(*const c_void, *mut Watchdog) -> c_int>,
    pub(crate) stop: Option<extern "C" fn(*const c_void, *mut Watchdog) -> c_int>,
    pub(crate) ping: Option<extern "C" fn(*const c_void, *mut Watchdog) -> c_int>,
    pub(crate) set_timeout: Option<extern "C" fn(*const c_void, *mut Watchdog, c_uint) -> c_int>,
    pub(crate) get_timeleft: Option<extern "C" fn(*const c_void, *mut Watchdog) -> c_uint>,
}

/// `struct rkm_watchdog_desc`.
#[repr(C)]
pub(crate) struct WatchdogDesc {
    pub(crate) identity: *const c_char,
    pub(crate) identity_len: usize,
    pub(crate) options: u32,
    pub(crate) firmware_version: u32,
    pub(crate) min_timeout: c_uint,
    pub(crate) max_timeout: c_uint,
    pub(crate) timeout: c_uint,
    pub(crate) timeout_param: c_uint,
    pub(crate) bootstatus: u32,
    pub(crate) flags: u32,
}

unsafe extern "C" {
    pub(crate) fn rkm_pci_config_get(
        binding: *mut Binding,
        size: *mut usize,
        err: *mut c_int,
    ) -> *mut PciConfig;
    pub(crate) fn rkm_pci_config_put(cfg: *mut PciConfig);
    pub(crate) fn rkm_pci_config_readb(cfg: *mut PciConfig, off: usize) -> u8;
    pub(crate) fn rkm_pci_config_readw(cfg: *mut PciConfig, off: usize) -> u16;
    pub(crate) fn rkm_pci_config_readl(cfg: *mut PciConfig, off: usize) -> u32;
    pub(crate) fn rkm_pci_config_writeb(cfg: *mut PciConfig, off: usize, val: u8) -> c_int;
    pub(crate) fn rkm_pci_config_writew(cfg: *mut PciConfig, off: usize, val: u16) -> c_int;
    pub(crate) fn rkm_pci_config_writel(cfg: *mut PciConfig, off: usize, val: u32) -> c_int;

    pub(crate) fn rkm_watchdog_register(
        binding: *mut Binding,
        desc: *const WatchdogDesc,
        ops: *const WatchdogOps,
        state: *const c_void,
        err: *mut c_int,
    ) -> *mut Watchdog;
    pub(crate) fn rkm_watchdog_unregister(w: *mut Watchdog);
    pub(crate) fn rkm_watchdog_timeout(w: *mut Watchdog) -> c_uint;
    pub(crate) fn rkm_watchdog_nowayout(w: *mut Watchdog) -> c_int;
    pub(crate) fn rkm_watchdog_id(w: *mut Watchdog) -> c_int;
}

// --- scatter-gather streaming DMA (issue 16) ---

pub(crate) const SG_MAX_CHUNKS: usize = 4096;
opaque!(SgSeg);

unsafe extern "C" {
    pub(crate) fn rkm_sg_alloc(
        binding: *mut Binding,
        size: usize,
        chunk: usize,
        err: *mut c_int,
    ) -> *mut Dma;
    pub(crate) fn rkm_sg_chunk(dma: *mut Dma, i: usize) -> *mut c_void;
    pub(crate) fn rkm_sg_map(dma: *mut Dma, dir: c_int, nsegs: *mut usize) -> c_int;
    pub(crate) fn rkm_sg_seg(
        dma: *mut Dma,
        prev: *const SgSeg,
        i: usize,
        addr: *mut u64,
        len: *mut usize,
    ) -> *const SgSeg;
}

// --- block devices: blk-mq disks, requests, a sparse page store (issue 18) ---

opaque!(BlkDisk, BlkRequest, BlkStore);

/// `RKM_BLK_*`: `BlkDiskDesc::flags`.
pub(crate) const BLK_ROTATIONAL: u32 = 0x1;
pub(crate) const BLK_BLOCKING: u32 = 0x2;
pub(crate) const BLK_WRITE_CACHE: u32 = 0x4;
/// `RKM_BLK_OP_*`: `BlkRqInfo::op`.
pub(crate) const BLK_OP_READ: u32 = 0;
pub(crate) const BLK_OP_WRITE: u32 = 1;
pub(crate) const BLK_OP_FLUSH: u32 = 2;
pub(crate) const BLK_OP_DISCARD: u32 = 3;
pub(crate) const BLK_OP_WRITE_ZEROES: u32 = 4;
/// `RKM_BLK_RQ_FUA`: `BlkRqInfo::flags`.
pub(crate) const BLK_RQ_FUA: u32 = 0x1;
/// `RKM_BLK_MAX_DEPTH`: the deepest tag set.
pub(crate) const BLK_MAX_DEPTH: u32 = 10240;
/// `RKM_BLK_NAME_MAX`: the longest disk name.
pub(crate) const BLK_NAME_MAX: usize = 31;

/// `struct rkm_blk_rq_info`.
#[repr(C)]
pub(crate) struct BlkRqInfo {
    pub(crate) op: u32,
    pub(crate) flags: u32,
    pub(crate) sector: u64,
    pub(crate) bytes: u32,
    pub(crate) tag: u32,
}

/// `struct rkm_blk_ops`.
#[repr(C)]
pub(crate) struct BlkOps {
    pub(crate) queue_rq: Option<
        extern "C" fn(
            data: *const c_void,
            rq: *mut BlkRequest,
            info: *const BlkRqInfo,
            may_sleep: c_int,
        ),
    >,
}

/// `struct rkm_blk_disk_desc`.
#[repr(C)]
pub(crate) struct BlkDiskDesc {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) capacity: u64,
    pub(crate) logical_block_size: u32,
    pub(crate) physical_block_size: u32,
    pub(crate) max_discard_sectors: u32,
    pub(crate) max_write_zeroes_sectors: u32,
    pub(crate) nr_hw_queues: u32,
    pub(crate) queue_depth: u32,
    pub(crate) flags: u32,
    pub(crate) poll_queues: u32,
}

unsafe extern "C" {
    pub(crate) fn rkm_blk_disk_add(
        desc: *const BlkDiskDesc,
        ops: *const BlkOps,
        data: *const c_void,
        err: *mut c_int,
    ) -> *mut BlkDisk;
    pub(crate) fn rkm_blk_disk_del(disk: *mut BlkDisk);
    pub(crate) fn rkm_blk_disk_queues(disk: *mut BlkDisk) -> u32;
    pub(crate) fn rkm_blk_rq_end(rq: *mut BlkRequest, err: c_int);
    pub(crate) fn rkm_blk_rq_complete(rq: *mut BlkRequest, err: c_int);
    pub(crate) fn rkm_blk_rq_copy(
        rq: *mut BlkRequest,
        offset: u64,
        buf: *mut c_void,
        len: usize,
        to_rq: c_int,
    ) -> c_int;
    pub(crate) fn rkm_blk_store_new() -> *mut BlkStore;
    pub(crate) fn rkm_blk_store_free(store: *mut BlkStore);
    pub(crate) fn rkm_blk_store_rw(
        store: *mut BlkStore,
        rq: *mut BlkRequest,
        may_sleep: c_int,
    ) -> c_int;
    pub(crate) fn rkm_blk_store_discard(store: *mut BlkStore, pos: u64, len: u64);
    pub(crate) fn rkm_blk_store_pages(store: *mut BlkStore) -> u64;
}

// --- hrtimer slots and configfs (issue 18) ---

/// `RKM_HRSLOT_*`: `rkm_hrslot_new`'s modes.
pub(crate) const HRSLOT_SOFT: u32 = 0;
pub(crate) const HRSLOT_IRQ: u32 = 1;
/// `RKM_KSTR_MAX`: longest text `rkm_kstrto*` parse.
pub(crate) const KSTR_MAX: usize = 64;
/// `RKM_CFS_*`: configfs limits and attribute flags.
pub(crate) const CFS_MAX_ATTRS: usize = 64;
pub(crate) const CFS_MAX_ROOT_ATTRS: usize = 16;
pub(crate) const CFS_READ: u32 = 0x1;
pub(crate) const CFS_WRITE: u32 = 0x2;
pub(crate) const CFS_SHOW_MAX: usize = 4095;

opaque!(Hrslot, CfsSubsys);

/// `struct rkm_cfs_attr`.
#[repr(C)]
pub(crate) struct CfsAttr {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) flags: u32,
}

/// `struct rkm_cfs_ops`.
#[repr(C)]
pub(crate) struct CfsOps {
    pub(crate) make_item:
        Option<extern "C" fn(*const c_void, *const c_char, usize, *mut c_int) -> *mut c_void>,
    pub(crate) drop_item: Option<extern "C" fn(*const c_void, *mut c_void)>,
    pub(crate) release: Option<extern "C" fn(*mut c_void)>,
    pub(crate) show: Option<extern "C" fn(*const c_void, u32, *mut c_char) -> c_long>,
    pub(crate) store: Option<extern "C" fn(*const c_void, u32, *const c_char, usize) -> c_long>,
    pub(crate) root_show: Option<extern "C" fn(*const c_void, u32, *mut c_char) -> c_long>,
    pub(crate) root_store:
        Option<extern "C" fn(*const c_void, u32, *const c_char, usize) -> c_long>,
    pub(crate) release_state: Option<extern "C" fn(*mut c_void)>,
}

unsafe extern "C" {
    pub(crate) fn rkm_hrslot_new(
        func: Option<extern "C" fn(*mut c_void)>,
        data: *mut c_void,
        mode: u32,
        err: *mut c_int,
    ) -> *mut Hrslot;
    pub(crate) fn rkm_hrslot_start(slot: *mut Hrslot, ns: u64) -> bool;
    pub(crate) fn rkm_hrslot_try_cancel(slot: *mut Hrslot) -> c_int;
    pub(crate) fn rkm_hrslot_cancel(slot: *mut Hrslot) -> c_int;
    pub(crate) fn rkm_hrslot_active(slot: *mut Hrslot) -> bool;
    pub(crate) fn rkm_hrslot_free(slot: *mut Hrslot);
    pub(crate) fn rkm_hrtimer_cancel(timer: *mut Hrtimer) -> bool;

    pub(crate) fn rkm_kstrtou64(s: *const c_char, len: usize, out: *mut u64) -> c_int;
    pub(crate) fn rkm_kstrtos64(s: *const c_char, len: usize, out: *mut i64) -> c_int;
    pub(crate) fn rkm_kstrtobool(s: *const c_char, len: usize, out: *mut bool) -> c_int;

    pub(crate) fn rkm_cfs_register(
        name: *const c_char,
        name_len: usize,
        root_attrs: *const CfsAttr,
        nroot: usize,
        item_attrs: *const CfsAttr,
        nitem: usize,
        ops: *const CfsOps,
        state: *const c_void,
        err: *mut c_int,
    ) -> *mut CfsSubsys;
    pub(crate) fn rkm_cfs_unregister(subsys: *mut CfsSubsys) -> bool;
}

// Descriptor rings (glue/ring.c): on x86 the barriers are compiler barriers,
// kept in Rust (dma.rs).
unsafe extern "C" {
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    pub(crate) fn rkm_ring_dma_wmb();
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    pub(crate) fn rkm_ring_dma_rmb();
}

// --- network devices (issue 19) ---

/// `RKM_NET_*`: transmit results, receive-mode flags, limits, checksum states.
pub(crate) const NET_TX_OK: c_int = 0;
pub(crate) const NET_TX_BUSY: c_int = 1;
pub(crate) const NET_RX_PROMISC: u32 = 0x1;
pub(crate) const NET_RX_ALLMULTI: u32 = 0x2;
pub(crate) const NET_NAME_MAX: usize = 15;
pub(crate) const NET_ALEN: usize = 6;
pub(crate) const NET_GSTRING_LEN: usize = 32;
pub(crate) const NET_MAX_STATS: usize = 256;
pub(crate) const NET_CSUM_NONE: c_int = 0;
pub(crate) const NET_CSUM_UNNECESSARY: c_int = 1;
pub(crate) const NET_CSUM_OTHER: c_int = 2;
pub(crate) const NET_RX_NAPI: u32 = 1;
pub(crate) const NET_RX_CSUM_UNNECESSARY: u32 = 2;
pub(crate) const NET_F_SG: u32 = 0x1;
pub(crate) const NET_F_HW_CSUM: u32 = 0x2;
pub(crate) const NET_F_TSO: u32 = 0x4;
pub(crate) const NET_F_RXCSUM: u32 = 0x8;
pub(crate) const NET_OFFLOAD_NONE: u32 = 0;
pub(crate) const NET_OFFLOAD_CSUM: u32 = 1;
pub(crate) const NET_OFFLOAD_TSO4: u32 = 2;
pub(crate) const NET_OFFLOAD_TSO6: u32 = 3;

opaque!(Netdev, Skb, SkbFrags);

/// `struct rkm_net_stats`.
#[repr(C)]
#[derive(Default)]
pub(crate) struct NetStats {
    pub(crate) rx_packets: u64,
    pub(crate) tx_packets: u64,
    pub(crate) rx_bytes: u64,
    pub(crate) tx_bytes: u64,
    pub(crate) rx_errors: u64,
    pub(crate) tx_errors: u64,
    pub(crate) rx_dropped: u64,
    pub(crate) tx_dropped: u64,
    pub(crate) multicast: u64,
    pub(crate) collisions: u64,
    pub(crate) rx_length_errors: u64,
    pub(crate) rx_over_errors: u64,
    pub(crate) rx_crc_errors: u64,
    pub(crate) rx_frame_errors: u64,
    pub(crate) rx_fifo_errors: u64,
    pub(crate) rx_missed_errors: u64,
    pub(crate) tx_aborted_errors: u64,
    pub(crate) tx_carrier_errors: u64,
    pub(crate) tx_fifo_errors: u64,
}

/// `struct rkm_net_link_modes`.
#[repr(C)]
pub(crate) struct NetLinkModes {
    pub(crate) supported: u32,
    pub(crate) advertised: u32,
    pub(crate) autoneg: u8,
    pub(crate) phy_address: u8,
    pub(crate) mdix_auto: u8,
    pub(crate) mdix: i8,
}

/// `struct rkm_net_ring`.
#[repr(C)]
pub(crate) struct NetRing {
    pub(crate) rx_max: u32,
    pub(crate) tx_max: u32,
    pub(crate) rx: u32,
    pub(crate) tx: u32,
}

/// `struct rkm_net_ops`.
#[repr(C)]
pub(crate) struct NetOps {
    pub(crate) open: Option<extern "C" fn(*const c_void, *mut Netdev) -> c_int>,
    pub(crate) stop: Option<extern "C" fn(*const c_void, *mut Netdev)>,
    pub(crate) start_xmit: Option<extern "C" fn(*const c_void, *mut Netdev, *mut Skb) -> c_int>,
    pub(crate) get_stats64: Option<extern "C" fn(*const c_void, *mut Netdev, *mut NetStats)>,
    pub(crate) set_mac_address:
        Option<extern "C" fn(*const c_void, *mut Netdev, *const u8) -> c_int>,
    pub(crate) change_mtu: Option<extern "C" fn(*const c_void, *mut Netdev, u32) -> c_int>,
    pub(crate) tx_timeout: Option<extern "C" fn(*const c_void, *mut Netdev, u32)>,
    pub(crate) set_rx_mode:
        Option<extern "C" fn(*const c_void, *mut Netdev, u32, *const u8, usize)>,
    pub(crate) poll: Option<extern "C" fn(*const c_void, *mut Netdev, c_int) -> c_int>,
    pub(crate) get_link: Option<extern "C" fn(*const c_void, *mut Netdev) -> u32>,
    pub(crate) get_ringparam: Option<extern "C" fn(*const c_void, *mut Netdev, *mut NetRing)>,
    pub(crate) set_ringparam:
        Option<extern "C" fn(*const c_void, *mut Netdev, *const NetRing) -> c_int>,
    pub(crate) get_ethtool_stats:
        Option<extern "C" fn(*const c_void, *mut Netdev, *mut u64, usize)>,
    pub(crate) stat_name: Option<extern "C" fn(u32, *mut c_char)>,
    pub(crate) get_link_speed:
        Option<extern "C" fn(*const c_void, *mut Netdev, *mut u32, *mut bool) -> bool>,
    pub(crate) get_eeprom_len: Option<extern "C" fn(*const c_void, *mut Netdev) -> u32>,
    pub(crate) get_eeprom:
        Option<extern "C" fn(*const c_void, *mut Netdev, u32, *mut u8, usize, *mut u32) -> c_int>,
    pub(crate) get_link_modes: Option<extern "C" fn(*const c_void, *mut Netdev, *mut NetLinkModes)>,
    pub(crate) get_wol: Option<extern "C" fn(*const c_void, *mut Netdev, *mut u32, *mut u32)>,
    pub(crate) set_wol: Option<extern "C" fn(*const c_void, *mut Netdev, u32) -> c_int>,
    pub(crate) get_msglevel: Option<extern "C" fn(*const c_void, *mut Netdev) -> u32>,
    pub(crate) set_msglevel: Option<extern "C" fn(*const c_void, *mut Netdev, u32)>,
    pub(crate) nway_reset: Option<extern "C" fn(*const c_void, *mut Netdev) -> c_int>,
}

/// `struct rkm_netdev_desc`.
#[repr(C)]
pub(crate) struct NetdevDesc {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) mac: [u8; 6usize],
    pub(crate) min_mtu: u32,
    pub(crate) max_mtu: u32,
    pub(crate) mtu: u32,
    pub(crate) napi_weight: u32,
    pub(crate) n_stats: u32,
    pub(crate) tx_queue_len: u32,
    pub(crate) features: u32,
    pub(crate) hw_features: u32,
}

/// `struct rkm_skb_seg`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct SkbSeg {
    pub(crate) addr: u64,
    pub(crate) len: u32,
    pub(crate) reserved: u32,
}

/// `struct rkm_net_offload`.
#[repr(C)]
#[derive(Default)]
pub(crate) struct NetOffload {
    pub(crate) kind: u32,
    pub(crate) payload: u32,
    pub(crate) l3: u16,
    pub(crate) l3_csum: u16,
    pub(crate) l4: u16,
    pub(crate) l4_csum: u16,
    pub(crate) hdr_len: u16,
    pub(crate) mss: u16,
    pub(crate) tcp: u8,
    pub(crate) reserved: u8,
    pub(crate) segs: u16,
}

unsafe extern "C" {
    pub(crate) fn rkm_net_register(
        binding: *mut Binding,
        desc: *const NetdevDesc,
        ops: *const NetOps,
        data: *const c_void,
        err: *mut c_int,
    ) -> *mut Netdev;
    pub(crate) fn rkm_net_unregister(nd: *mut Netdev);
    pub(crate) fn rkm_net_get(nd: *mut Netdev);
    pub(crate) fn rkm_net_put(nd: *mut Netdev);
    pub(crate) fn rkm_net_carrier(nd: *mut Netdev, on: bool);
    pub(crate) fn rkm_net_carrier_ok(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_queue_stop(nd: *mut Netdev);
    pub(crate) fn rkm_net_queue_wake(nd: *mut Netdev);
    pub(crate) fn rkm_net_queue_start(nd: *mut Netdev);
    pub(crate) fn rkm_net_queue_stopped(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_tx_disable(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_sent_queue(nd: *mut Netdev, bytes: u32) -> bool;
    pub(crate) fn rkm_net_completed_queue(nd: *mut Netdev, pkts: u32, bytes: u32);
    pub(crate) fn rkm_net_reset_queue(nd: *mut Netdev);
    pub(crate) fn rkm_net_xmit_more(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_mac(nd: *mut Netdev, out: *mut u8);
    pub(crate) fn rkm_net_set_mac(nd: *mut Netdev, addr: *const u8) -> c_int;
    pub(crate) fn rkm_net_mtu(nd: *mut Netdev) -> u32;
    pub(crate) fn rkm_net_feature(nd: *mut Netdev, f: u32) -> bool;
    pub(crate) fn rkm_net_name(nd: *mut Netdev, out: *mut c_char);
    pub(crate) fn rkm_net_napi_enable(nd: *mut Netdev);
    pub(crate) fn rkm_net_napi_disable(nd: *mut Netdev);
    pub(crate) fn rkm_net_napi_complete_done(nd: *mut Netdev, work: c_int) -> bool;
    pub(crate) fn rkm_net_h_napi_schedule(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_h_queue_wake(nd: *mut Netdev);
    pub(crate) fn rkm_net_h_carrier(nd: *mut Netdev, on: bool);
    pub(crate) fn rkm_net_h_rtnl_lock(nd: *mut Netdev) -> bool;
    pub(crate) fn rkm_net_rtnl_unlock();
    // issue 19, rust_e1000: typed handles (net::OpsHandle).
    pub(crate) fn rkm_net_h_rcu_data(nd: *mut Netdev) -> *const c_void;
    pub(crate) fn rkm_net_h_rcu_unlock();
    pub(crate) fn rkm_net_h_data(nd: *mut Netdev) -> *const c_void;

    pub(crate) fn rkm_skb_alloc(nd: *mut Netdev, len: u32, in_napi: bool) -> *mut Skb;
    pub(crate) fn rkm_skb_free(skb: *mut Skb);
    pub(crate) fn rkm_skb_consume(skb: *mut Skb);
    pub(crate) fn rkm_skb_napi_consume(skb: *mut Skb, budget: c_int);
    pub(crate) fn rkm_skb_info(
        skb: *mut Skb,
        len: *mut u32,
        headlen: *mut u32,
        headroom: *mut u32,
        tailroom: *mut u32,
        nr_frags: *mut u32,
    );
    pub(crate) fn rkm_skb_data(skb: *mut Skb) -> *mut u8;
    pub(crate) fn rkm_skb_put(skb: *mut Skb, src: *const c_void, len: u32) -> c_int;
    pub(crate) fn rkm_skb_put_mapped(skb: *mut Skb, len: u32) -> c_int;
    pub(crate) fn rkm_skb_pull(skb: *mut Skb, len: u32) -> c_int;
    pub(crate) fn rkm_skb_trim(skb: *mut Skb, len: u32) -> c_int;
    pub(crate) fn rkm_skb_copy(
        skb: *mut Skb,
        off: u32,
        buf: *mut c_void,
        len: u32,
        to_skb: bool,
    ) -> c_int;
    pub(crate) fn rkm_skb_writable(skb: *mut Skb) -> c_int;
    pub(crate) fn rkm_skb_set_csum(skb: *mut Skb, csum: c_int);
    pub(crate) fn rkm_skb_csum(skb: *mut Skb) -> c_int;
    pub(crate) fn rkm_skb_protocol(skb: *mut Skb) -> u16;
    pub(crate) fn rkm_net_receive(nd: *mut Netdev, skb: *mut Skb, in_napi: bool);
    pub(crate) fn rkm_skb_map(
        nd: *mut Netdev,
        skb: *mut Skb,
        len: u32,
        dir: c_int,
        addr: *mut u64,
    ) -> c_int;
    pub(crate) fn rkm_skb_map_tx(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: *mut u64,
        len: *mut u32,
        frags: *mut *mut SkbFrags,
    ) -> c_int;
    pub(crate) fn rkm_skb_copy_rx(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: u64,
        maplen: u32,
        len: u32,
        in_napi: bool,
    ) -> *mut Skb;
    pub(crate) fn rkm_skb_receive_copy(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: u64,
        maplen: u32,
        len: u32,
        flags: u32,
    ) -> c_int;
    pub(crate) fn rkm_skb_receive_mapped(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: u64,
        maplen: u32,
        len: u32,
        flags: u32,
    ) -> c_int;
    pub(crate) fn rkm_skb_unmap(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: u64,
        len: u32,
        dir: c_int,
        frags: *mut SkbFrags,
    );
    pub(crate) fn rkm_skb_unmap_free(
        nd: *mut Netdev,
        skb: *mut Skb,
        addr: u64,
        len: u32,
        dir: c_int,
        frags: *mut SkbFrags,
    );
    pub(crate) fn rkm_skb_frags_segs(frags: *const SkbFrags, n: *mut u32) -> *const SkbSeg;
    pub(crate) fn rkm_skb_tx_offload(skb: *mut Skb, o: *mut NetOffload) -> c_int;
    pub(crate) fn rkm_skb_map_tx_offload(
        nd: *mut Netdev,
        skb: *mut Skb,
        o: *mut NetOffload,
        addr: *mut u64,
        len: *mut u32,
        frags: *mut *mut SkbFrags,
    ) -> c_int;
    pub(crate) fn rkm_skb_checksum_help(skb: *mut Skb) -> c_int;
    // Network soundness review (session 27): in-kernel test probes.
    #[cfg(rkm_ktest)]
    pub(crate) fn rkm_net_ktest_tx_sharing(nd: *mut Netdev) -> bool;
    #[cfg(rkm_ktest)]
    pub(crate) fn rkm_net_ktest_eeprom(
        nd: *mut Netdev,
        offset: u32,
        len: u32,
        buf: *mut u8,
        size: *mut u32,
        magic: *mut u32,
    ) -> c_int;
    #[cfg(rkm_ktest)]
    pub(crate) fn rkm_skb_ktest_clone(skb: *mut Skb) -> *mut Skb;
    #[cfg(rkm_ktest)]
    pub(crate) fn rkm_skb_ktest_add_frag(skb: *mut Skb, len: u32) -> c_int;
    #[cfg(rkm_ktest)]
    pub(crate) fn rkm_skb_ktest_offload(skb: *mut Skb, kind: c_int, start: u32, offset: u32);
}
