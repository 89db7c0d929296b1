// SPDX-License-Identifier: GPL-2.0
//! Kernel error codes as a Rust type.

use core::fmt;

/// A kernel errno, always in `1..=4095`.
///
/// # Examples
///
/// ```
/// use rkm::prelude::*;
/// fn check(len: usize) -> Result<()> {
///     if len == 0 { return Err(EINVAL); }
///     Ok(())
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(i32);

/// `core::result::Result` with [`Error`] as the error type.
///
/// ```
/// # use rkm::prelude::*;
/// fn open_count() -> Result<u32> { Ok(1) }
/// fn reset() -> Result { Ok(()) }
/// ```
pub type Result<T = ()> = core::result::Result<T, Error>;

macro_rules! declare_errors {
    ($($name:ident = $num:literal, $doc:literal;)*) => {
        /// Named errno constants, as in `include/uapi/asm-generic/errno-base.h`.
        pub mod code {
            use super::Error;
            $(#[doc = $doc] pub const $name: Error = Error($num);)*
        }

        impl Error {
            fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($num => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

declare_errors! {
    EPERM = 1, "Operation not permitted.";
    ENOENT = 2, "No such file or directory.";
    EINTR = 4, "Interrupted system call.";
    EIO = 5, "I/O error.";
    ENXIO = 6, "No such device or address.";
    E2BIG = 7, "Argument list too long.";
    EAGAIN = 11, "Try again.";
    ENOMEM = 12, "Out of memory.";
    EACCES = 13, "Permission denied.";
    EFAULT = 14, "Bad address.";
    EBUSY = 16, "Device or resource busy.";
    EEXIST = 17, "File exists.";
    ENODEV = 19, "No such device.";
    EINVAL = 22, "Invalid argument.";
    EFBIG = 27, "File too large.";
    ENOSPC = 28, "No space left on device.";
    ESPIPE = 29, "Illegal seek.";
    ERANGE = 34, "Math result not representable.";
    ENOTTY = 25, "Not a typewriter (unknown ioctl).";
    EOVERFLOW = 75, "Value too large for defined data type.";
    ETIMEDOUT = 110, "Connection timed out (a device did not answer in time).";
    ERESTARTSYS = 512, "Restart the system call (interrupted by a signal).";
}

impl Error {
    /// Makes an `Error` from a negative errno as returned by kernel functions;
    /// anything outside `-4095..=-1` becomes `EINVAL`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(Error::from_errno(-12), ENOMEM);
    /// ```
    pub fn from_errno(errno: i32) -> Error {
        if (-4095..=-1).contains(&errno) {
            Error(-errno)
        } else {
            code::EINVAL
        }
    }

    /// The negative errno the kernel expects back.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(ENOTTY.to_errno(), -25);
    /// ```
    pub fn to_errno(self) -> i32 {
        -self.0
    }
}

/// A glue status (0 or more, or a negative errno) as a `Result`.
pub(crate) fn to_result(status: i32) -> Result {
    if status < 0 {
        Err(Error::from_errno(status))
    } else {
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Error({})", self.0),
        }
    }
}

impl From<core::num::TryFromIntError> for Error {
    fn from(_: core::num::TryFromIntError) -> Error {
        code::ERANGE
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::{code::*, Error, Result};
    use crate::ktest::{kassert, Case};
    use crate::KString;

    pub(crate) const CASES: &[Case] = &[
        ("errno_round_trip", errno_round_trip),
        ("out_of_range_errno_is_einval", out_of_range_errno_is_einval),
        ("debug_shows_names", debug_shows_names),
        ("question_mark_converts", question_mark_converts),
    ];

    fn errno_round_trip() -> Result {
        kassert!(Error::from_errno(-12) == ENOMEM);
        kassert!(ENOMEM.to_errno() == -12);
        kassert!(Error::from_errno(-4095).to_errno() == -4095);
        kassert!(ERESTARTSYS.to_errno() == -512);
        Ok(())
    }

    fn out_of_range_errno_is_einval() -> Result {
        for e in [0, 1, 12, -4096, i32::MIN, i32::MAX] {
            kassert!(Error::from_errno(e) == EINVAL);
        }
        Ok(())
    }

    fn debug_shows_names() -> Result {
        let s = KString::try_fmt(format_args!(
            "{:?} {:?} {:?}",
            ENOMEM,
            ENOTTY,
            Error::from_errno(-200)
        ))?;
        kassert!(s.as_str() == "ENOMEM ENOTTY Error(200)");
        Ok(())
    }

    fn question_mark_converts() -> Result {
        fn narrow(x: u64) -> Result<u8> {
            Ok(u8::try_from(x)?)
        }
        kassert!(narrow(255) == Ok(255));
        kassert!(narrow(256) == Err(ERANGE));
        Ok(())
    }
}
