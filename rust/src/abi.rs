// SPDX-License-Identifier: GPL-2.0
//! Declarations of `include/rkm_abi.h`, by hand: the header is small, plain C,
//! and its version is checked at link time through `rkm_abi_version_N`.

use core::ffi::{c_char, c_int, c_long, c_void};

/// The ABI version this crate was written against (`RKM_ABI_VERSION`).
pub(crate) const ABI_VERSION: c_int = 1;

unsafe extern "C" {
    /// Defined by the glue of ABI version 1 only.
    pub(crate) static rkm_abi_version_1: c_int;
    pub(crate) fn rkm_log(level: c_int, msg: *const c_char, len: usize);
    pub(crate) fn rkm_panic(msg: *const c_char, len: usize);
    pub(crate) fn rkm_debug_enabled() -> bool;
    pub(crate) fn rkm_realloc(ptr: *mut c_void, size: usize, align: usize, flags: u32) -> *mut c_void;
    pub(crate) fn rkm_free(ptr: *mut c_void);
    pub(crate) fn rkm_param_get(
        name: *const c_char,
        name_len: usize,
        vals: *mut i64,
        nvals: usize,
        str: *mut c_char,
        str_cap: usize,
    ) -> c_long;
}

/// Longest text `rkm_log` prints in one line (`RKM_LOG_LINE_MAX`).
pub(crate) const LOG_LINE_MAX: usize = 256;

/// Checks, at load, that the glue is the version this crate expects. The real
/// check is at link time: referencing `rkm_abi_version_1` fails modpost
/// against the glue of any other version.
pub(crate) fn abi_version() -> c_int {
    // SAFETY: a plain `const int` defined by the glue, never written.
    unsafe { rkm_abi_version_1 }
}
