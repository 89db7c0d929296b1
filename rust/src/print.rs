// SPDX-License-Identifier: GPL-2.0
//! Printing to the kernel log: `pr_info!` and friends.
//!
//! Messages are formatted into a small stack buffer and sent to the kernel one
//! line at a time; a line longer than the buffer is split into several log
//! lines, never cut. A message whose placeholders are all plain (`{}`,
//! `{0}`, `{name}`) is written part by part (the crate's procedural macro
//! `print_parts!` splits it at compile time): strings, integers, `char` and
//! `bool` by the printer itself, any other value through its `Display`; so a
//! driver that prints only those carries none of `core::fmt`'s code (about
//! 2.8 KB for a string and a `u32`). Any other message goes through
//! `core::fmt`. The output is the same either way.

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

    /// A message in parts (see the module's documentation) to `emit`, a
    /// line at a time. Not inlined: one copy for every message.
    #[inline(never)]
    pub(crate) fn print_parts(emit: &mut dyn FnMut(&[u8]), pieces: &[Piece], args: &[Part<'_>]) {
        let mut w = LineWriter::new(emit);
        for piece in pieces {
            let part = match *piece {
                Piece::Text(s) => {
                    w.put(s.as_bytes());
                    continue;
                }
                Piece::Num(n) => {
                    w.put(decimal(n, &mut [0; 20]));
                    continue;
                }
                Piece::Arg(i) => args.get(i),
            };
            let Some(part) = part else { continue };
            match *part {
                Part::Str(s) => w.put(s.as_bytes()),
                Part::U64(n) => w.put(decimal(n, &mut [0; 20])),
                Part::I64(n) => {
                    if n < 0 {
                        w.put(b"-");
                    }
                    w.put(decimal(n.unsigned_abs(), &mut [0; 20]));
                }
                Part::Char(c) => w.put(encode_char(c, &mut [0; 4]).as_bytes()),
                Part::Bool(b) => w.put(if b { b"true" } else { b"false" }),
                Part::Fmt(v) => v.put(&mut |bytes: &[u8]| w.put(bytes)),
            }
        }
        w.finish();
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

/// Prints `args` at `level`, as the `pr_*!` macros do.
///
/// ```
/// # use rkm::prelude::*;
/// rkm::print::log(rkm::print::Level::Info, format_args!("{} ok\n", 1));
/// ```
pub fn log(level: Level, args: fmt::Arguments<'_>) {
    log_msg(level, args);
}

/// The `pr_*!` macros' printer: `msg` is `format_args!`'s or [`Parts`].
/// Not inlined: its closure stays out of the caller's frame.
#[doc(hidden)]
#[inline(never)]
pub fn log_msg(level: Level, msg: impl Message) {
    msg.lines(&mut |line| emit(level, line));
}

/// A message the printers take: `format_args!`'s, or [`Parts`]. Sealed by
/// being hidden: the macros' expansion names it, a driver does not.
#[doc(hidden)]
pub trait Message {
    /// The message's text to `emit`, a line at a time.
    fn lines(self, emit: &mut dyn FnMut(&[u8]));
}

impl Message for fmt::Arguments<'_> {
    #[inline]
    fn lines(self, emit: &mut dyn FnMut(&[u8])) {
        LineWriter::print(emit, self);
    }
}

/// A message split at compile time by `print_parts!`: its pieces in
/// order (a constant: the text, and where each argument goes), and its `N`
/// arguments. Two thin references: passed in registers, not through a copy
/// on the caller's stack (KASAN pads every such copy).
#[doc(hidden)]
pub struct Parts<'a, const N: usize>(pub &'static &'static [Piece], pub &'a [Part<'a>; N]);

impl<const N: usize> Message for Parts<'_, N> {
    #[inline]
    fn lines(self, emit: &mut dyn FnMut(&[u8])) {
        LineWriter::print_parts(emit, self.0, self.1);
    }
}

/// A piece of a [`Parts`] message: its text, an argument that is a
/// constant (a literal, `file!()`, `line!()`...), or the argument at an
/// index.
#[doc(hidden)]
pub enum Piece {
    Text(&'static str),
    Num(u64),
    Arg(usize),
}

/// An argument of a [`Parts`] message, as the printer
/// writes it (`{}` of an integer, a string, a `char`, a `bool`: the same
/// text as `core::fmt`'s), or any other value through its `Display`.
#[doc(hidden)]
pub enum Part<'a> {
    Str(&'a str),
    U64(u64),
    I64(i64),
    Char(char),
    Bool(bool),
    Fmt(&'a dyn FmtPart),
}

/// A value printed through `core::fmt` (its `Display`), only where a
/// message has one: the formatting code is linked in by the `ViaFmt`
/// implementation a message instantiates, not by the printer.
#[doc(hidden)]
pub trait FmtPart {
    /// The value's `Display` text to `out`, in pieces.
    fn put(&self, out: &mut dyn FnMut(&[u8]));
}

/// An argument of a [`Parts`] message, borrowed; the macro's expansion
/// calls `(&&Wrap(arg)).rkm_part()`, which finds [`ViaFast`] (implemented
/// for `&&Wrap` of the types the printer writes) before [`ViaFmt`] (for
/// `&Wrap` of anything `Display`): autoref specialisation, decided by the
/// argument's type at compile time.
#[doc(hidden)]
pub struct Wrap<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Display + ?Sized> FmtPart for Wrap<'_, T> {
    fn put(&self, out: &mut dyn FnMut(&[u8])) {
        struct Out<'b>(&'b mut dyn FnMut(&[u8]));
        impl Write for Out<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                (self.0)(s.as_bytes());
                Ok(())
            }
            fn write_char(&mut self, c: char) -> fmt::Result {
                (self.0)(encode_char(c, &mut [0; 4]).as_bytes());
                Ok(())
            }
        }
        // Out never fails; a Display impl that does just ends the text early.
        let _ = fmt::write(&mut Out(out), format_args!("{}", self.0));
    }
}

/// The integers the printer writes itself.
#[doc(hidden)]
pub trait FastInt: Copy {
    fn to_part(self) -> Part<'static>;
}

macro_rules! fast_ints {
    ($($t:ty => $part:ident as $wide:ty),*) => {
        $(impl FastInt for $t {
            #[inline]
            fn to_part(self) -> Part<'static> {
                // Widening: exact.
                Part::$part(self as $wide)
            }
        })*
    };
}
fast_ints!(u8 => U64 as u64, u16 => U64 as u64, u32 => U64 as u64, u64 => U64 as u64,
           usize => U64 as u64, i8 => I64 as i64, i16 => I64 as i64, i32 => I64 as i64,
           i64 => I64 as i64, isize => I64 as i64);

/// A reference to one, as `{}` prints it: the value.
impl<T: FastInt> FastInt for &T {
    #[inline]
    fn to_part(self) -> Part<'static> {
        (*self).to_part()
    }
}

/// A message argument the printer writes itself (see [`Wrap`]).
#[doc(hidden)]
pub trait ViaFast<'a> {
    fn rkm_part(self) -> Part<'a>;
}

impl<'a, T: FastInt> ViaFast<'a> for &&'a Wrap<'a, T> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        (*self.0).to_part()
    }
}

impl<'a> ViaFast<'a> for &&'a Wrap<'a, str> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        Part::Str(self.0)
    }
}

impl<'a> ViaFast<'a> for &&'a Wrap<'a, &str> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        Part::Str(self.0)
    }
}

impl<'a> ViaFast<'a> for &&'a Wrap<'a, char> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        Part::Char(*self.0)
    }
}

impl<'a> ViaFast<'a> for &&'a Wrap<'a, bool> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        Part::Bool(*self.0)
    }
}

/// A message argument printed through its `Display` (see [`Wrap`]).
#[doc(hidden)]
pub trait ViaFmt<'a> {
    fn rkm_part(self) -> Part<'a>;
}

impl<'a, T: fmt::Display + ?Sized> ViaFmt<'a> for &'a Wrap<'a, T> {
    #[inline]
    fn rkm_part(self) -> Part<'a> {
        Part::Fmt(self)
    }
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
        trap()
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
    let (mut line, mut column) = ([0; 20], [0; 20]);
    let at = info.location().map(|loc| {
        [
            b" at ",
            loc.file().as_bytes(),
            b":",
            decimal(loc.line().into(), &mut line),
            b":",
            decimal(loc.column().into(), &mut column),
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
    trap()
}

/// After rkm_panic, which is declared as returning: a trap, so that no
/// path falls through into the next function (which objtool checks on
/// x86). The kernel's own BUG() instruction: `ud2`, arm64's `brk #0x800`.
#[inline(always)]
fn trap() -> ! {
    // SAFETY: the instruction only traps.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!("ud2", options(noreturn))
    }
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        core::arch::asm!("brk #0x800", options(noreturn))
    }
}

/// `n` in decimal, at the end of `buf` (a `u64` has at most 20 digits).
/// Not inlined: the printer and the panic path share one copy.
#[inline(never)]
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Emerg, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Alert, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Crit, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Err, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Warning, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Notice, __rkm_msg)
        }, $($arg)*)
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
        $crate::__private::print_parts!($crate, __rkm_msg, {
            $crate::print::log_msg($crate::print::Level::Info, __rkm_msg)
        }, $($arg)*)
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
            $crate::__private::print_parts!($crate, __rkm_msg, {
                $crate::print::log_msg($crate::print::Level::Debug, __rkm_msg)
            }, $($arg)*)
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
        ("parts_as_core_fmt", parts_as_core_fmt),
        ("panic_location_numbers", panic_location_numbers),
    ];

    fn panic_location_numbers() -> Result {
        kassert!(decimal(0, &mut [0; 20]) == b"0");
        kassert!(decimal(7, &mut [0; 20]) == b"7");
        kassert!(decimal(1230, &mut [0; 20]) == b"1230");
        kassert!(decimal(u32::MAX.into(), &mut [0; 20]) == b"4294967295");
        kassert!(decimal(u64::MAX, &mut [0; 20]) == b"18446744073709551615");
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

    /// The text a message makes, whole (each line ended with a newline).
    /// Not inlined: the test's frame stays small (KASAN pads each buffer).
    #[inline(never)]
    fn text(msg: impl Message) -> Result<crate::KVec<u8>> {
        let mut out = crate::KVec::new();
        let mut err = Ok(());
        msg.lines(&mut |l: &[u8]| {
            if err.is_ok() {
                err = out.try_extend_from_slice(l).and_then(|_| out.try_push(b'\n'));
            }
        });
        err.map(|_| out)
    }

    /// print_parts! writes the same text as format_args! for every type it
    /// writes itself (integers at their limits, a string, `char`, `bool`),
    /// for a `Display` value and a reference to an integer, with `{{`,
    /// `}}`, escapes, positional, repeated, named and captured arguments;
    /// and a format spec takes the format_args! form.
    fn parts_as_core_fmt() -> Result {
        struct Shown;
        impl fmt::Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("shown")
            }
        }
        let (s, r, c, t) = ("str", &7u32, 'c', true);
        let mut calls = 0;
        let mut next = || {
            calls += 1;
            calls
        };
        // Each comparison in a frame of its own (apart: KASAN pads every
        // message's buffers, and the debug kernel's frame limit is 2 KiB).
        #[inline(never)]
        fn apart(f: impl FnOnce() -> Result) -> Result {
            f()
        }
        macro_rules! same {
            ($($arg:tt)*) => {
                apart(|| {
                    let parts = crate::__private::print_parts!(crate, m, { text(m) }, $($arg)*)?;
                    let fmt = text(format_args!($($arg)*))?;
                    kassert!(parts[..] == fmt[..]);
                    Ok(())
                })?
            };
        }
        same!("{} {} {} {} {}\n", i8::MIN, i16::MIN, i32::MIN, i64::MIN, isize::MIN);
        same!("{} {} {} {} {}\n", u8::MAX, u16::MAX, u32::MAX, u64::MAX, usize::MAX);
        same!("{} {} {} {} {}", 0, -1, s, c, t);
        same!("{} {} {{{}}} \"q\" \\ \t {1} {0}", Shown, r, 42);
        same!("{a}-{b}-{a} {s} {c}", a = 1u8, b = "x");
        same!("{:>5}|{:x}", 3, 255);
        same!("{}:{} {} {} {}\n", file!(), line!(), stringify!(a + b), "lit", 42);
        same!("no args\n");
        same!("");
        // Each argument evaluated once, in order, as by format_args!.
        let parts =
            crate::__private::print_parts!(crate, m, { text(m) }, "{1} {0} {1}", next(), next())?;
        kassert!(parts[..] == b"2 1 2\n"[..] && calls == 2);
        Ok(())
    }
}
