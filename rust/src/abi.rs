// SPDX-License-Identifier: GPL-2.0
//! Declarations of `include/rkm_abi.h`, by hand: the header is small, plain C,
//! and its version is checked at link time through `rkm_abi_version_N`.

use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

/// The ABI version this crate was written against (`RKM_ABI_VERSION`).
pub(crate) const ABI_VERSION: c_int = 3;

unsafe extern "C" {
    /// Defined by the glue of ABI version 3 only.
    pub(crate) static rkm_abi_version_3: c_int;
    pub(crate) fn rkm_log(level: c_int, msg: *const c_char, len: usize);
    pub(crate) fn rkm_panic(msg: *const c_char, len: usize);
    pub(crate) fn rkm_debug_enabled() -> bool;
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

    pub(crate) fn rkm_mutex_new(name: *const c_char, key: *mut c_void) -> *mut c_void;
    pub(crate) fn rkm_mutex_free(m: *mut c_void);
    pub(crate) fn rkm_mutex_lock(m: *mut c_void);
    pub(crate) fn rkm_mutex_lock_interruptible(m: *mut c_void) -> c_int;
    pub(crate) fn rkm_mutex_unlock(m: *mut c_void);
    pub(crate) fn rkm_spinlock_new(name: *const c_char, key: *mut c_void) -> *mut c_void;
    pub(crate) fn rkm_spinlock_free(s: *mut c_void);
    pub(crate) fn rkm_spin_lock(s: *mut c_void);
    pub(crate) fn rkm_spin_unlock(s: *mut c_void);
    pub(crate) fn rkm_spin_lock_irqsave(s: *mut c_void) -> c_ulong;
    pub(crate) fn rkm_spin_unlock_irqrestore(s: *mut c_void, flags: c_ulong);
    pub(crate) fn rkm_condvar_new(name: *const c_char, key: *mut c_void) -> *mut c_void;
    pub(crate) fn rkm_condvar_free(cv: *mut c_void);
    pub(crate) fn rkm_condvar_wait_mutex(cv: *mut c_void, m: *mut c_void) -> c_int;
    pub(crate) fn rkm_condvar_notify_all(cv: *mut c_void);
    pub(crate) fn rkm_refcount_set(r: *mut c_void, n: c_uint);
    pub(crate) fn rkm_refcount_inc(r: *mut c_void);
    pub(crate) fn rkm_refcount_dec_and_test(r: *mut c_void) -> bool;
    pub(crate) fn rkm_refcount_read(r: *mut c_void) -> c_uint;
    pub(crate) fn rkm_signal_pending() -> bool;
    pub(crate) fn rkm_cond_resched();
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
    ) -> *mut c_void;
    pub(crate) fn rkm_miscdev_deregister(handle: *mut c_void);
    pub(crate) fn rkm_file_state(file: *mut c_void) -> *mut c_void;
    pub(crate) fn rkm_file_flags(file: *mut c_void) -> u32;
    pub(crate) fn rkm_file_pos(file: *mut c_void) -> i64;
    pub(crate) fn rkm_poll_wait(file: *mut c_void, table: *mut c_void, cv: *mut c_void);
    pub(crate) fn rkm_completion_new() -> *mut c_void;
    pub(crate) fn rkm_completion_free(c: *mut c_void);
    pub(crate) fn rkm_completion_reinit(c: *mut c_void);
    pub(crate) fn rkm_completion_complete(c: *mut c_void);
    pub(crate) fn rkm_completion_wait(c: *mut c_void) -> c_int;

    pub(crate) fn rkm_pci_register(
        name: *const c_char,
        name_len: usize,
        ids: *const u16,
        nids: usize,
        attrs: *const PciAttr,
        nattrs: usize,
        ops: *const PciOps,
        drv: *const c_void,
        err: *mut c_int,
    ) -> *mut c_void;
    pub(crate) fn rkm_pci_unregister(handle: *mut c_void);
    pub(crate) fn rkm_pci_enable(binding: *mut c_void) -> c_int;
    pub(crate) fn rkm_pci_set_master(binding: *mut c_void);
    pub(crate) fn rkm_pci_dma_mask(binding: *mut c_void, bits: c_uint) -> c_int;
    pub(crate) fn rkm_pci_irq_vector(binding: *mut c_void) -> c_int;
    pub(crate) fn rkm_pci_iomap(
        binding: *mut c_void,
        bar: c_uint,
        min_len: usize,
        len: *mut usize,
        err: *mut c_int,
    ) -> *mut c_void;
    pub(crate) fn rkm_pci_iounmap(handle: *mut c_void);
    pub(crate) fn rkm_dma_alloc(
        binding: *mut c_void,
        size: usize,
        cpu: *mut *mut c_void,
        addr: *mut u64,
    ) -> *mut c_void;
    pub(crate) fn rkm_dma_free(handle: *mut c_void);
    pub(crate) fn rkm_pci_timer_arm(binding: *mut c_void, ms: c_uint);
    pub(crate) fn rkm_pci_timer_cancel(binding: *mut c_void);
    pub(crate) fn rkm_pci_irq_kind(binding: *mut c_void) -> c_int;
    pub(crate) fn rkm_dev_log(binding: *mut c_void, level: c_int, msg: *const c_char, len: usize);
    pub(crate) fn rkm_pci_get(binding: *mut c_void);
    pub(crate) fn rkm_pci_put(binding: *mut c_void);
    pub(crate) fn rkm_pci_enter(binding: *mut c_void) -> *mut c_void;
    pub(crate) fn rkm_pci_leave(binding: *mut c_void);
    pub(crate) fn rkm_bar_readb(bar: *mut c_void, off: usize) -> u8;
    pub(crate) fn rkm_bar_readw(bar: *mut c_void, off: usize) -> u16;
    pub(crate) fn rkm_bar_readl(bar: *mut c_void, off: usize) -> u32;
    pub(crate) fn rkm_bar_readq(bar: *mut c_void, off: usize) -> u64;
    pub(crate) fn rkm_bar_writeb(bar: *mut c_void, off: usize, val: u8);
    pub(crate) fn rkm_bar_writew(bar: *mut c_void, off: usize, val: u16);
    pub(crate) fn rkm_bar_writel(bar: *mut c_void, off: usize, val: u32);
    pub(crate) fn rkm_bar_writeq(bar: *mut c_void, off: usize, val: u64);
}

/// `RKM_IRQ_*`: hard handler results and interrupt kinds.
pub(crate) const IRQ_NONE: c_int = 0;
pub(crate) const IRQ_HANDLED: c_int = 1;
pub(crate) const IRQ_WAKE_THREAD: c_int = 2;
pub(crate) const IRQ_MSI: c_int = 1;
pub(crate) const IRQ_INTX: c_int = 2;

/// `struct rkm_pci_ops`.
#[repr(C)]
pub(crate) struct PciOps {
    pub(crate) probe: extern "C" fn(*const c_void, *mut c_void, *mut *mut c_void) -> c_int,
    pub(crate) unbind: extern "C" fn(*mut c_void),
    pub(crate) remove: extern "C" fn(*mut c_void),
    pub(crate) drop: extern "C" fn(*mut c_void),
    pub(crate) irq: extern "C" fn(*mut c_void) -> c_int,
    pub(crate) irq_thread: extern "C" fn(*mut c_void),
    pub(crate) timer: extern "C" fn(*mut c_void),
    pub(crate) attr_show: extern "C" fn(*mut c_void, c_uint, *mut c_char, usize) -> c_long,
    pub(crate) attr_store: extern "C" fn(*mut c_void, c_uint, *const c_char, usize) -> c_int,
}

/// `struct rkm_pci_attr`.
#[repr(C)]
pub(crate) struct PciAttr {
    pub(crate) name: *const c_char,
    pub(crate) name_len: usize,
    pub(crate) mode: u16,
}

// SAFETY: the names are static strings, never written.
unsafe impl Sync for PciAttr {}

/// `RKM_O_NONBLOCK`.
pub(crate) const O_NONBLOCK: u32 = 0x1;
/// `RKM_SEEK_*`.
pub(crate) const SEEK_SET: c_int = 0;
pub(crate) const SEEK_CUR: c_int = 1;
pub(crate) const SEEK_END: c_int = 2;
/// `RKM_POLL*`.
pub(crate) const POLLIN: u32 = 0x1;
pub(crate) const POLLOUT: u32 = 0x4;
pub(crate) const POLLERR: u32 = 0x8;

/// `struct rkm_file_ops`.
#[repr(C)]
pub(crate) struct FileOps {
    pub(crate) open: Option<extern "C" fn(*const c_void, *mut *mut c_void) -> c_int>,
    pub(crate) release: Option<extern "C" fn(*mut c_void)>,
    pub(crate) read: Option<extern "C" fn(*mut c_void, usize, usize, *mut i64) -> c_long>,
    pub(crate) write: Option<extern "C" fn(*mut c_void, usize, usize, *mut i64) -> c_long>,
    pub(crate) llseek: Option<extern "C" fn(*mut c_void, *mut c_void, i64, i64, c_int) -> i64>,
    pub(crate) ioctl: Option<extern "C" fn(*mut c_void, u32, usize) -> c_long>,
    pub(crate) poll: Option<extern "C" fn(*mut c_void, *mut c_void, *mut c_void, i64) -> u32>,
}

/// Longest text `rkm_log` prints in one line (`RKM_LOG_LINE_MAX`).
pub(crate) const LOG_LINE_MAX: usize = 256;

/// Checks, at load, that the glue is the version this crate expects. The real
/// check is at link time: referencing `rkm_abi_version_3` fails modpost
/// against the glue of any other version.
pub(crate) fn abi_version() -> c_int {
    // SAFETY: a plain `const int` defined by the glue, never written.
    unsafe { rkm_abi_version_3 }
}
