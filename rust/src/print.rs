// SPDX-License-Identifier: GPL-2.0
//! Printing to the kernel log: `pr_info!` and friends.
//!
//! Messages are formatted with `core::fmt` into a small stack buffer and sent
//! to the kernel one line at a time; a line longer than the buffer is split
//! into several log lines, never cut.

use crate::abi;
use core::fmt::{self, Write};

/// Kernel log levels, as `KERN_EMERG` .. `KERN_DEBUG`.
///
/// ```
/// # use rkm::prelude::*;
/// rkm::print::log(rkm::print::Level::Notice, format_args!("link up\n"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    /// System is unusable.
    Emerg = abi::LOG_EMERG,
    /// Action must be taken immediately.
    Alert = abi::LOG_ALERT,
    /// Critical conditions.
    Crit = abi::LOG_CRIT,
    /// Error conditions.
    Err = abi::LOG_ERR,
    /// Warning conditions.
    Warning = abi::LOG_WARNING,
    /// Normal but significant condition.
    Notice = abi::LOG_NOTICE,
    /// Informational.
    Info = abi::LOG_INFO,
    /// Debug-level messages.
    Debug = abi::LOG_DEBUG,
}

/// Collects formatted text and hands it to `emit` one line at a time: at
/// each newline, and whenever a line fills the buffer (it is split, not cut).
///
/// Not generic: the kernel log, `dev_printk` and the panic message share one
/// copy of its code (and of `core::fmt`'s calls into it), whatever the sink.
pub(crate) struct LineWriter<'a> {
    emit: &'a mut dyn FnMut(&[u8]),
    buf: [u8; abi::LOG_LINE_MAX],
    len: usize,
}

impl<'a> LineWriter<'a> {
    fn new(emit: &'a mut dyn FnMut(&[u8])) -> Self {
        LineWriter { emit, buf: [0; abi::LOG_LINE_MAX], len: 0 }
    }

    fn flush(&mut self) {
        (self.emit)(self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
    }

    /// Writes `args` through a new writer to `emit`, then emits what is
    /// left of the last line, if anything. A message without arguments
    /// (`pr_info!("up\n")`) is written as the string it is, without
    /// `core::fmt`.
    pub(crate) fn print(emit: &mut dyn FnMut(&[u8]), args: fmt::Arguments<'_>) {
        LineWriter::print_then(emit, args, &[]);
    }

    /// `print`, with `tail` written after `args`. Not inlined: a caller
    /// only passes its sink and message.
    #[inline(never)]
    pub(crate) fn print_then(
        emit: &mut dyn FnMut(&[u8]),
        args: fmt::Arguments<'_>,
        tail: &[&[u8]],
    ) {
        let mut w = LineWriter::new(emit);
        match args.as_str() {
            Some(s) => w.put(s.as_bytes()),
            // LineWriter never fails; a Display impl that does just ends the text early.
            None => {
                let _ = fmt::write(&mut w, args);
            }
        }
        for part in tail {
            w.put(part);
        }
        w.finish();
    }

    fn finish(mut self) {
        if self.len > 0 {
            self.flush();
        }
    }

    #[inline(never)]
    fn put(&mut self, s: &[u8]) {
        for &b in s {
            if b == b'\n' {
                self.flush();
                continue;
            }
            if self.len == self.buf.len() {
                self.flush();
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }
}

impl Write for LineWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put(s.as_bytes());
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        self.put(encode_char(c, &mut [0; 4]).as_bytes());
        Ok(())
    }
}

/// `c` in UTF-8, in `buf`: the one copy of the encoder behind every
/// `fmt::Write::write_char` of the crate (core's default would inline it into
/// each writer). `Formatter` calls `write_char` for padding and `{:?}`.
#[inline(never)]
pub(crate) fn encode_char(c: char, buf: &mut [u8; 4]) -> &str {
    c.encode_utf8(buf)
}

fn emit(level: Level, line: &[u8]) {
    // SAFETY: `line` is a live slice; `rkm_log` reads at most `len` bytes of
    // it and keeps no pointer.
    unsafe { abi::rkm_log(level as i32, line.as_ptr().cast(), line.len()) };
}

/// Whether `pr_debug!` prints: dynamic debug has enabled this module's
/// debug messages (`echo 'module NAME +p' > .../dynamic_debug/control`).
///
/// ```
/// # use rkm::prelude::*;
/// if rkm::print::debug_enabled() { /* compute something only for the log */ }
/// ```
pub fn debug_enabled() -> bool {
    // SAFETY: no arguments, no preconditions.
    unsafe { abi::rkm_debug_enabled() }
}

/// Prints `args` at `level`; used by the `pr_*!` macros.
///
/// ```
/// # use rkm::prelude::*;
/// rkm::print::log(rkm::print::Level::Info, format_args!("{} ok\n", 1));
/// ```
pub fn log(level: Level, args: fmt::Arguments<'_>) {
    LineWriter::print(&mut |line| emit(level, line), args);
}

pub(crate) fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::sync::atomic::{AtomicBool, Ordering};
    static PANICKING: AtomicBool = AtomicBool::new(false);
    if PANICKING.swap(true, Ordering::Relaxed) {
        // A panic while formatting a panic (a Display impl that panics):
        // no more formatting, or the stack overflows.
        const MSG: &[u8] = b"panic while panicking";
        // SAFETY: a static message; rkm_panic BUG()s and does not return.
        unsafe { abi::rkm_panic(MSG.as_ptr().cast(), MSG.len()) };
        // SAFETY: `ud2` only traps, after a call declared as returning.
        unsafe { core::arch::asm!("ud2", options(noreturn)) }
    }
    // One buffer, one call: the glue prints it and BUG()s.
    let mut msg = [0u8; abi::LOG_LINE_MAX];
    let mut len = 0;
    let mut join = |line: &[u8]| {
        // Lines of a multi-line message are joined with spaces, up to the
        // buffer's size; no indexing that could panic again.
        for &b in line.iter().chain(core::iter::once(&b' ')) {
            if let Some(slot) = msg.get_mut(len) {
                *slot = b;
                len += 1;
            }
        }
    };
    // " at FILE:LINE:COLUMN" without core::fmt: a driver that formats no
    // string and no number carries none of their code for its panics.
    let (mut line, mut column) = ([0; 10], [0; 10]);
    let at = info.location().map(|loc| {
        [
            b" at ",
            loc.file().as_bytes(),
            b":",
            decimal(loc.line(), &mut line),
            b":",
            decimal(loc.column(), &mut column),
        ]
    });
    LineWriter::print_then(
        &mut join,
        format_args!("{}", info.message()),
        at.as_ref().map_or(&[], |a| &a[..]),
    );
    // SAFETY: `msg[..len]` is initialised (minus the last space); rkm_panic
    // BUG()s and does not return.
    unsafe { abi::rkm_panic(msg.as_ptr().cast(), len.saturating_sub(1)) };
    // SAFETY: `ud2` only traps. It follows a call declared as returning, so
    // objtool sees no fall-through into the next function.
    unsafe { core::arch::asm!("ud2", options(noreturn)) }
}

/// `n` in decimal, at the end of `buf` (a `u32` has at most 10 digits).
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut start = buf.len();
    for (i, slot) in buf.iter_mut().enumerate().rev() {
        // A digit: below 10, the cast is exact.
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start = i;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or(&[])
}

/// Prints at `KERN_EMERG` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_emerg!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_emerg {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Emerg,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_ALERT` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_alert!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_alert {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Alert,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_CRIT` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_crit!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_crit {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Crit,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_ERR` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_err!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Err,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_WARNING` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_warn!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Warning,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_NOTICE` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_notice!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_notice {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Notice,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_INFO` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_info!("{} items\n", 3);
/// ```
#[macro_export]
macro_rules! pr_info {
    ($($arg:tt)*) => {
        $crate::print::log(
            $crate::print::Level::Info,
            $crate::__private::format_args!($($arg)*),
        )
    };
}

/// Prints at `KERN_DEBUG` with Rust formatting, prefixed with the module name.
///
/// ```
/// # use rkm::prelude::*;
/// pr_debug!("{} items\n", 3);
/// ```
///
/// Follows dynamic debug: off unless enabled for the module, and then the
/// arguments are not even formatted.
#[macro_export]
macro_rules! pr_debug {
    ($($arg:tt)*) => {
        if $crate::print::debug_enabled() {
            $crate::print::log(
                $crate::print::Level::Debug,
                $crate::__private::format_args!($($arg)*),
            )
        }
    };
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::error::Result;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("short_line_is_one_line", short_line_is_one_line),
        ("newlines_split_lines", newlines_split_lines),
        ("long_line_is_split_not_cut", long_line_is_split_not_cut),
        ("formatting", formatting),
        ("panic_location_numbers", panic_location_numbers),
    ];

    fn panic_location_numbers() -> Result {
        kassert!(decimal(0, &mut [0; 10]) == b"0");
        kassert!(decimal(7, &mut [0; 10]) == b"7");
        kassert!(decimal(1230, &mut [0; 10]) == b"1230");
        kassert!(decimal(u32::MAX, &mut [0; 10]) == b"4294967295");
        Ok(())
    }

    /// Lines a LineWriter emits for `args`: (count, total bytes, longest).
    fn lines(args: fmt::Arguments<'_>) -> (usize, usize, usize) {
        let (mut n, mut total, mut longest) = (0, 0, 0);
        LineWriter::print(
            &mut |l: &[u8]| {
                n += 1;
                total += l.len();
                longest = longest.max(l.len());
            },
            args,
        );
        (n, total, longest)
    }

    fn short_line_is_one_line() -> Result {
        kassert!(lines(format_args!("hello {}\n", 1)) == (1, 7, 7));
        kassert!(lines(format_args!("no newline")) == (1, 10, 10));
        Ok(())
    }

    fn newlines_split_lines() -> Result {
        kassert!(lines(format_args!("a\nbb\nccc\n")) == (3, 6, 3));
        // The same through core::fmt (an argument), not the plain-string path.
        kassert!(lines(format_args!("a\n{}\nccc\n", "bb")) == (3, 6, 3));
        Ok(())
    }

    fn long_line_is_split_not_cut() -> Result {
        let s = crate::KString::try_fmt(format_args!("{:0>600}", 7))?;
        kassert!(lines(format_args!("{}\n", s)) == (3, 600, abi::LOG_LINE_MAX));
        Ok(())
    }

    fn formatting() -> Result {
        let s = crate::KString::try_fmt(format_args!(
            "{} {:x} {:>4}|{:<4}| {:?} {:?}",
            -5i8,
            255u8,
            1,
            2,
            "q\"",
            &[1u16, 2][..]
        ))?;
        kassert!(s.as_str() == "-5 ff    1|2   | \"q\\\"\" [1, 2]");
        Ok(())
    }
}
