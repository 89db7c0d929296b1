// SPDX-License-Identifier: GPL-2.0
//! Module parameters, declared in [`module!`](crate::module!).
//!
//! ```
//! # use rkm::prelude::*;
//! # struct MyDriver;
//! # impl Module for MyDriver { fn init() -> Result<Self> { Ok(MyDriver) } }
//! module! {
//!     type: MyDriver,
//!     name: "my_driver",
//!     authors: ["A. Developer"],
//!     description: "Example",
//!     license: "GPL",
//!     params: {
//!         debug: bool { default: false, perm: 0o644, desc: "Log more" },
//!         depth: u32 { default: 8, perm: 0o644, desc: "Queue depth", range: 1..=1024 },
//!         label: str { default: "rkm", perm: 0o444, desc: "A name", max_len: 32 },
//!         ids: [i32; 8] { default: [1, 2], perm: 0o644, desc: "Some ids" },
//!     },
//! }
//! // Then, anywhere in the driver: params::depth(), params::label().to_str()?, ...
//! # Ok::<(), Error>(())
//! ```
//!
//! Types: `bool`, `i32`, `u32`, `i64`, `u64`, `str` (with `max_len`), and
//! arrays `[T; N]` of the integer types (N <= 64). Integers may declare an
//! inclusive `range`. Values are parsed, range-checked and shown under
//! `/sys/module/NAME/parameters/` by the glue; a bad value given to `insmod`
//! makes the load fail with `EINVAL` (or `ERANGE`, `ENOSPC`) and a log line
//! saying why.
//!
//! # Parsing: as a C module's `param_ops_*`
//!
//! The glue parses values as the kernel's own parameter ops do
//! (`kernel/params.c`), so a driver takes what its C equivalent takes
//! (`samples/rust_params/c_params` is that equivalent; its test compares them):
//!
//! - Integers: `kstrto*` with base 0: `0x10`, `010` (octal), a leading `+`,
//!   one trailing newline (`echo 5 >`); no other whitespace; `-` only for
//!   signed types (`-1` for `u32` is `EINVAL`); too large for the type is
//!   `ERANGE`. `bool`: the running kernel's `kstrtobool` (`y`/`n`/`1`/`0`/`on`/
//!   `off`, `t`/`f`, ...: only the first one or two characters count). Shown
//!   as a decimal number or `Y`/`N`, then a newline.
//! - Each occurrence of a parameter on the command line is parsed in order
//!   and the last one wins (`level=5 level=2` gives 2).
//! - A bare `name` (no `=`) sets a `bool` to true; for every other type it is
//!   `EINVAL`. `name=` is an empty string, and an invalid (empty) integer.
//! - Arrays: elements split at `,` only, each parsed whole by the rule of its
//!   type, of any length; an empty element is `EINVAL` (so `ids=` is, and an
//!   array once set cannot be emptied); more than N is `EINVAL`. Shown as
//!   `1,-2,3` and a newline, an empty array as nothing at all.
//! - A sysfs write holding a NUL ends at the NUL (`5\0junk` sets 5), for
//!   every type.
//!
//! Where rkm is deliberately stricter or different (and the C twin does the
//! same, see its header):
//!
//! - A declared `range` is checked at each occurrence, as
//!   `param_set_uint_minmax()` does, but refused with `ERANGE` (that one says
//!   `EINVAL`): `level=11 level=2` fails the load even though the last value
//!   is in range. A C module that checks the final value in its init would
//!   load; rkm cannot, since the value must already be valid when sysfs
//!   shows it.
//! - A string drops one trailing newline (`echo`'s); `param_set_copystring()`
//!   keeps it. Anything else, other newlines included, is kept. Longer than
//!   `max_len` is `ENOSPC`.
//! - An array is set all or nothing: a bad element leaves the old value,
//!   where `param_array_set()` keeps the elements before the bad one.

use crate::abi;
use crate::error::{code::EINVAL, Result};
use core::ptr;

/// Integer types a parameter can have: `i32`, `u32`, `i64`, `u64`.
///
/// ```
/// # use rkm::prelude::*;
/// let depth: u32 = rkm::param::read_scalar("depth");
/// ```
pub trait ParamInt: Copy + Default {
    /// Converts the glue's 64-bit two's complement bits (range-checked there).
    fn from_bits(bits: i64) -> Self;
}

macro_rules! param_int {
    ($($t:ty),*) => {
        $(impl ParamInt for $t {
            fn from_bits(bits: i64) -> Self {
                bits as $t
            }
        })*
    };
}
param_int!(i32, u32, i64, u64);

fn get(name: &str, vals: &mut [i64], buf: &mut [u8]) -> usize {
    // SAFETY: every pointer comes with its length from a live slice; the glue
    // writes at most that many elements or bytes and keeps no pointer.
    let n = unsafe {
        abi::rkm_param_get(
            name.as_ptr().cast(),
            name.len(),
            if vals.is_empty() { ptr::null_mut() } else { vals.as_mut_ptr() },
            vals.len(),
            if buf.is_empty() { ptr::null_mut() } else { buf.as_mut_ptr().cast() },
            buf.len(),
        )
    };
    // The build generates the glue's table from these very declarations, so
    // the name is always there (n >= 0).
    usize::try_from(n).unwrap_or(0)
}

/// The current value of scalar parameter `name` (used by the accessors
/// `module!` generates).
#[doc(hidden)]
pub fn read_scalar<T: ParamInt>(name: &str) -> T {
    let mut v = [0i64; 1];
    get(name, &mut v, &mut []);
    T::from_bits(v[0])
}

/// The current value of bool parameter `name`.
#[doc(hidden)]
pub fn read_bool(name: &str) -> bool {
    read_scalar::<i64>(name) != 0
}

/// A string parameter's value, copied out of the glue.
///
/// ```
/// # use rkm::prelude::*;
/// # mod params {
/// #     pub fn label() -> rkm::param::ParamStr<32> { rkm::param::ParamStr::read("label") }
/// #     pub fn ids() -> rkm::param::ParamArray<i32, 8> { rkm::param::ParamArray::read("ids") }
/// # }
/// let label = params::label();
/// pr_info!("label {}\n", label.to_str()?);
/// # Ok::<(), Error>(())
/// ```
pub struct ParamStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> ParamStr<N> {
    #[doc(hidden)]
    pub fn read(name: &str) -> Self {
        let mut s = ParamStr { buf: [0; N], len: 0 };
        s.len = get(name, &mut [], &mut s.buf).min(N);
        s
    }

    /// The raw bytes (sysfs writers can store any bytes).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # mod params {
    /// #     pub fn label() -> rkm::param::ParamStr<32> { rkm::param::ParamStr::read("label") }
    /// #     pub fn ids() -> rkm::param::ParamArray<i32, 8> { rkm::param::ParamArray::read("ids") }
    /// # }
    /// let n = params::label().as_bytes().len();
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// The value as text, or `EINVAL` if it is not UTF-8.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # mod params {
    /// #     pub fn label() -> rkm::param::ParamStr<32> { rkm::param::ParamStr::read("label") }
    /// #     pub fn ids() -> rkm::param::ParamArray<i32, 8> { rkm::param::ParamArray::read("ids") }
    /// # }
    /// let s = params::label();
    /// let text: &str = s.to_str()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_str(&self) -> Result<&str> {
        core::str::from_utf8(self.as_bytes()).map_err(|_| EINVAL)
    }
}

/// An array parameter's elements, copied out of the glue.
///
/// ```
/// # use rkm::prelude::*;
/// # mod params {
/// #     pub fn label() -> rkm::param::ParamStr<32> { rkm::param::ParamStr::read("label") }
/// #     pub fn ids() -> rkm::param::ParamArray<i32, 8> { rkm::param::ParamArray::read("ids") }
/// # }
/// for id in params::ids().as_slice() { pr_info!("id {}\n", id); }
/// ```
pub struct ParamArray<T: ParamInt, const N: usize> {
    vals: [T; N],
    len: usize,
}

impl<T: ParamInt, const N: usize> ParamArray<T, N> {
    #[doc(hidden)]
    pub fn read(name: &str) -> Self {
        let mut bits = [0i64; N];
        let len = get(name, &mut bits, &mut []).min(N);
        let mut vals = [T::default(); N];
        for (v, b) in vals.iter_mut().zip(bits.iter()) {
            *v = T::from_bits(*b);
        }
        ParamArray { vals, len }
    }

    /// The elements set.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # mod params {
    /// #     pub fn label() -> rkm::param::ParamStr<32> { rkm::param::ParamStr::read("label") }
    /// #     pub fn ids() -> rkm::param::ParamArray<i32, 8> { rkm::param::ParamArray::read("ids") }
    /// # }
    /// let n = params::ids().as_slice().len();
    /// ```
    pub fn as_slice(&self) -> &[T] {
        self.vals.get(..self.len).unwrap_or(&[])
    }
}

/// Total length of `parts`, each followed by a NUL (parameter descriptors).
#[doc(hidden)]
pub const fn fields_len(parts: &[&str]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len() + 1;
        i += 1;
    }
    n
}

/// `parts`, each followed by a NUL, as bytes; no part may hold a NUL or a
/// newline (checked at compile time).
#[doc(hidden)]
pub const fn fields<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut o = 0;
    let mut i = 0;
    while i < parts.len() {
        let b = parts[i].as_bytes();
        let mut j = 0;
        while j < b.len() {
            assert!(b[j] != 0 && b[j] != b'\n', "parameter text may not hold NUL or newline");
            out[o] = b[j];
            o += 1;
            j += 1;
        }
        o += 1;
        i += 1;
    }
    out
}

/// Declares one parameter: its descriptor for the build, compile-time checks
/// of its default, and its accessor. Used by `module!`.
///
/// It expands inside the driver's `mod params`, where the driver's own
/// `macro_rules!` are still in scope: every name it uses goes through
/// `$crate::__private`, so a driver's `assert!` or `stringify!` cannot lift
/// the world-writable check or make an accessor read another parameter.
/// Only the tokens the driver writes (the type, the values) are its own.
#[doc(hidden)]
#[macro_export]
#[allow_internal_unsafe]
macro_rules! __param {
    (@desc $name:ident, $ty:expr, $perm:literal, $def:expr, $min:expr, $max:expr, $maxlen:expr, $desc:literal) => {
        const _: () = {
            $crate::__private::assert!($perm & 0o002 == 0, "a parameter may not be world-writable");
            const PARTS: &[&$crate::__private::str] = &[
                $crate::__private::stringify!($name), $ty, $crate::__private::stringify!($perm),
                $def, $min, $max, $maxlen, $desc,
            ];
            #[unsafe(link_section = ".rkm_params")]
            #[used(compiler)]
            static DESC: [$crate::__private::u8; $crate::param::fields_len(PARTS)] =
                $crate::param::fields(PARTS);
        };
    };
    ($name:ident, bool, default: $def:literal, perm: $perm:literal, desc: $desc:literal $(,)?) => {
        $crate::__param!(@desc $name, "bool", $perm, $crate::__private::stringify!($def),
            "", "", "0", $desc);
        const _: $crate::__private::bool = $def;
        #[doc = $desc]
        pub fn $name() -> $crate::__private::bool {
            $crate::param::read_bool($crate::__private::stringify!($name))
        }
    };
    ($name:ident, str, default: $def:literal, perm: $perm:literal, desc: $desc:literal,
     max_len: $maxlen:literal $(,)?) => {
        $crate::__param!(@desc $name, "str", $perm, $def, "", "",
            $crate::__private::stringify!($maxlen), $desc);
        const _: () =
            $crate::__private::assert!($def.len() <= $maxlen, "default longer than max_len");
        // The value is copied out on the stack.
        const _: () = $crate::__private::assert!($maxlen <= 1024, "max_len is at most 1024");
        #[doc = $desc]
        pub fn $name() -> $crate::param::ParamStr<$maxlen> {
            $crate::param::ParamStr::read($crate::__private::stringify!($name))
        }
    };
    ($name:ident, [$elem:ident; $n:literal], default: [$($def:literal),* $(,)?], perm: $perm:literal,
     desc: $desc:literal $(, range: $min:literal ..= $max:literal)? $(,)?) => {
        $crate::__param!(@desc $name,
            $crate::__private::concat!($crate::__private::stringify!($elem), "[]"), $perm,
            $crate::__private::stringify!($($def),*),
            $crate::__param!(@opt $($min)?), $crate::__param!(@opt $($max)?),
            $crate::__private::stringify!($n), $desc);
        const _: () = {
            const DEFAULT: &[$elem] = &[$($def),*];
            $crate::__private::assert!(
                $n <= 64 && DEFAULT.len() <= $n,
                "at most 64 elements, default within N"
            );
        };
        $(const _: () = $crate::__private::assert!($min <= $max);)?
        #[doc = $desc]
        pub fn $name() -> $crate::param::ParamArray<$elem, $n> {
            $crate::param::ParamArray::read($crate::__private::stringify!($name))
        }
    };
    ($name:ident, $ty:ident, default: $def:literal, perm: $perm:literal, desc: $desc:literal
     $(, range: $min:literal ..= $max:literal)? $(,)?) => {
        $crate::__param!(@desc $name, $crate::__private::stringify!($ty), $perm,
            $crate::__private::stringify!($def),
            $crate::__param!(@opt $($min)?), $crate::__param!(@opt $($max)?), "0", $desc);
        const _: $ty = $def;
        $(const _: () = $crate::__private::assert!(
            ($min as $ty) <= $def && $def <= ($max as $ty),
            "default outside range"
        );)?
        #[doc = $desc]
        pub fn $name() -> $ty {
            $crate::param::read_scalar::<$ty>($crate::__private::stringify!($name))
        }
    };
    (@opt) => { "" };
    (@opt $v:literal) => { $crate::__private::stringify!($v) };
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("descriptor_fields", descriptor_fields),
        ("bits_to_integers", bits_to_integers),
        ("string_value_must_be_utf8", string_value_must_be_utf8),
        ("array_value_slice", array_value_slice),
    ];

    fn descriptor_fields() -> Result {
        const PARTS: &[&str] = &["n", "u32", "0o644", "8", "", "", "0", "d"];
        const D: [u8; fields_len(PARTS)] = fields(PARTS);
        kassert!(&D == b"n\0u32\00o644\08\0\0\00\0d\0");
        Ok(())
    }

    fn bits_to_integers() -> Result {
        kassert!(i32::from_bits(-1) == -1);
        kassert!(u32::from_bits(0xffff_ffff) == u32::MAX);
        kassert!(u64::from_bits(-1) == u64::MAX);
        kassert!(i64::from_bits(i64::MIN) == i64::MIN);
        Ok(())
    }

    fn string_value_must_be_utf8() -> Result {
        let ok = ParamStr::<8> { buf: *b"abc\0\0\0\0\0", len: 3 };
        kassert!(ok.to_str() == Ok("abc"));
        let bad = ParamStr::<8> { buf: [0xff, 0xfe, 0, 0, 0, 0, 0, 0], len: 2 };
        kassert!(bad.to_str() == Err(EINVAL));
        kassert!(bad.as_bytes() == [0xff, 0xfe]);
        Ok(())
    }

    fn array_value_slice() -> Result {
        let a = ParamArray::<i32, 4> { vals: [1, -2, 3, 0], len: 3 };
        kassert!(a.as_slice() == [1, -2, 3]);
        Ok(())
    }
}
