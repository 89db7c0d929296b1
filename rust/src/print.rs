// SPDX-License-Identifier: GPL-2.0
//! Printing to the kernel log: `pr_info!` and friends.
//!
//! Messages are formatted with `core::fmt` into a small stack buffer and sent
//! to the kernel one line at a time; a line longer than the buffer is split
//! into several log lines, never cut.

use crate::abi;
use core::fmt::{self, Write};

/// Kernel log levels, as `KERN_EMERG` .. `KERN_DEBUG`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    /// System is unusable.
    Emerg = 0,
    /// Action must be taken immediately.
    Alert = 1,
    /// Critical conditions.
    Crit = 2,
    /// Error conditions.
    Err = 3,
    /// Warning conditions.
    Warning = 4,
    /// Normal but significant condition.
    Notice = 5,
    /// Informational.
    Info = 6,
    /// Debug-level messages.
    Debug = 7,
}

/// Collects formatted text and emits it line by line.
struct LineWriter {
    level: Level,
    buf: [u8; abi::LOG_LINE_MAX],
    len: usize,
}

impl LineWriter {
    fn flush(&mut self) {
        // SAFETY: `buf[..len]` is initialised memory that outlives the call;
        // `rkm_log` reads at most `len` bytes and keeps no pointer.
        unsafe { abi::rkm_log(self.level as i32, self.buf.as_ptr().cast(), self.len) };
        self.len = 0;
    }
}

impl Write for LineWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if b == b'\n' {
                self.flush();
                continue;
            }
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// Whether `pr_debug!` prints: dynamic debug has enabled this module's
/// debug messages (`echo 'module NAME +p' > .../dynamic_debug/control`).
///
/// ```ignore
/// if rkm::print::debug_enabled() { /* compute something only for the log */ }
/// ```
pub fn debug_enabled() -> bool {
    // SAFETY: no arguments, no preconditions.
    unsafe { abi::rkm_debug_enabled() }
}

/// Prints `args` at `level`; used by the `pr_*!` macros.
pub fn log(level: Level, args: fmt::Arguments<'_>) {
    let mut w = LineWriter { level, buf: [0; abi::LOG_LINE_MAX], len: 0 };
    // LineWriter never fails; a Display impl that does just ends the text early.
    let _ = w.write_fmt(args);
    if w.len > 0 {
        w.flush();
    }
}

pub(crate) fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut w = LineWriter { level: Level::Emerg, buf: [0; abi::LOG_LINE_MAX], len: 0 };
    let _ = match info.location() {
        Some(loc) => write!(w, "{} at {}:{}:{}", info.message(), loc.file(), loc.line(), loc.column()),
        None => write!(w, "{}", info.message()),
    };
    // SAFETY: as in `flush`; rkm_panic BUG()s and does not come back.
    unsafe { abi::rkm_panic(w.buf.as_ptr().cast(), w.len) };
    // SAFETY: `ud2` only traps. It follows a call declared as returning, so
    // objtool sees no fall-through into the next function.
    unsafe { core::arch::asm!("ud2", options(noreturn)) }
}

/// Prints at `KERN_EMERG` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_emerg!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_emerg {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Emerg, format_args!($($arg)*))
    };
}

/// Prints at `KERN_ALERT` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_alert!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_alert {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Alert, format_args!($($arg)*))
    };
}

/// Prints at `KERN_CRIT` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_crit!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_crit {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Crit, format_args!($($arg)*))
    };
}

/// Prints at `KERN_ERR` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_err!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Err, format_args!($($arg)*))
    };
}

/// Prints at `KERN_WARNING` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_warn!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Warning, format_args!($($arg)*))
    };
}

/// Prints at `KERN_NOTICE` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_notice!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_notice {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Notice, format_args!($($arg)*))
    };
}

/// Prints at `KERN_INFO` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_info!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_info {
    ($($arg:tt)*) => {
        $crate::print::log($crate::print::Level::Info, format_args!($($arg)*))
    };
}

/// Prints at `KERN_DEBUG` with Rust formatting, prefixed with the module name.
///
/// ```ignore
/// pr_debug!("{} items\n", 3);
/// ```
///
/// Follows dynamic debug: off unless enabled for the module, and then the
/// arguments are not even formatted.
#[macro_export]
macro_rules! pr_debug {
    ($($arg:tt)*) => {
        if $crate::print::debug_enabled() {
            $crate::print::log($crate::print::Level::Debug, format_args!($($arg)*))
        }
    };
}
