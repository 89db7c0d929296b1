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
    (
        $($name:ident = $num:literal, $doc:literal;)*
        @crate_only $($cname:ident = $cnum:literal, $cdoc:literal;)*
    ) => {
        /// Named errno constants, as in `include/uapi/asm-generic/errno-base.h`.
        pub mod code {
            use super::Error;
            $(#[doc = $doc] pub const $name: Error = Error($num);)*
            $(#[doc = $cdoc] pub(crate) const $cname: Error = Error($cnum);)*
        }

        impl Error {
            fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($num => Some(stringify!($name)),)*
                    $($cnum => Some(stringify!($cname)),)*
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
    EOPNOTSUPP = 95, "Operation not supported.";
    ETIMEDOUT = 110, "Connection timed out (a device did not answer in time).";
    // Kernel-internal (include/linux/errno.h): the crate's interruptible
    // waits return it (with a signal pending); a driver cannot name it.
    @crate_only
    ERESTARTSYS = 512, "Restart the system call (interrupted by a signal).";
}

/// The first errno of the kernel's own block (`include/linux/errno.h`:
/// `ERESTARTSYS` 512 up to `ENOGRACE` 531 today, "never seen by user
/// programs"). Every errno userspace may see is below it on the
/// architectures rkm builds for (asm-generic's last is `EHWPOISON`, 133).
const KERNEL_INTERNAL_FIRST: i32 = code::ERESTARTSYS.0;

/// `ERESTARTSYS`, `ERESTARTNOINTR`, `ERESTARTNOHAND`: the syscall exit path
/// turns them into `EINTR` or a restart, but only when a signal is pending.
/// (`ERESTART_RESTARTBLOCK`, 516, needs a restart block: never from rkm.)
const RESTART_CODES: core::ops::RangeInclusive<i32> = code::ERESTARTSYS.0..=514;

impl Error {
    /// Makes an `Error` from a negative errno, one that userspace may see:
    /// `-511..=-1`. Anything else becomes `EINVAL`: 0 and positive values
    /// (not failures), and the kernel's internal codes, `-4095..=-512`
    /// (`ERESTARTSYS`, `ENOIOCTLCMD`, `EPROBE_DEFER`, `EIOCBQUEUED`, ...,
    /// `include/linux/errno.h`), which have meanings of their own inside the
    /// kernel and must never reach userspace.
    ///
    /// # Guarantees
    ///
    /// A driver cannot make an `Error` holding a kernel-internal code: this
    /// is the only public constructor (the field is private, and `code` has
    /// no public constant at or above 512). Such codes come only from the
    /// kernel, through the crate's own calls into the glue (an interrupted
    /// wait's `ERESTARTSYS`), and [`to_errno`](Self::to_errno) lets a
    /// restart code out only while a signal is pending.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(Error::from_errno(-12), ENOMEM);
    /// assert_eq!(Error::from_errno(-512), EINVAL); // ERESTARTSYS: the kernel's own
    /// ```
    pub fn from_errno(errno: i32) -> Error {
        if (-(KERNEL_INTERNAL_FIRST - 1)..=-1).contains(&errno) {
            Error(-errno)
        } else {
            code::EINVAL
        }
    }

    /// An errno returned by the kernel through the glue, kept as it is even
    /// in the kernel-internal range (`ERESTARTSYS` from an interrupted wait,
    /// `EPROBE_DEFER` from a bus call during probe): the kernel chose it
    /// and gives it its meaning. Outside `-4095..=-1`, `EINVAL`.
    pub(crate) fn from_kernel(errno: i32) -> Error {
        if (-4095..=-1).contains(&errno) {
            Error(-errno)
        } else {
            code::EINVAL
        }
    }

    /// The negative errno the kernel expects back.
    ///
    /// # Guarantees
    ///
    /// A restart code (`ERESTARTSYS`, `ERESTARTNOINTR`, `ERESTARTNOHAND`)
    /// comes out as itself only while the calling task has a signal pending,
    /// which is the kernel's rule for returning one (the syscall exit path
    /// then turns it into `EINTR` or a restart); otherwise as `-EINTR`. So
    /// an `ERESTARTSYS` a driver kept from an earlier interrupted wait and
    /// returns later never reaches userspace as errno 512.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(ENOTTY.to_errno(), -25);
    /// ```
    pub fn to_errno(self) -> i32 {
        if RESTART_CODES.contains(&self.0) && !crate::task::signal_pending() {
            return code::EINTR.to_errno();
        }
        -self.0
    }
}

/// A glue status (0 or more, or a negative errno) as a `Result`; a
/// kernel-internal errno stays as the kernel returned it
/// ([`Error::from_kernel`]).
pub(crate) fn to_result(status: i32) -> Result {
    if status < 0 {
        Err(Error::from_kernel(status))
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
        ("kernel_internal_errno_is_einval", kernel_internal_errno_is_einval),
        ("glue_status_keeps_kernel_codes", glue_status_keeps_kernel_codes),
        ("restart_code_needs_a_signal", restart_code_needs_a_signal),
    ];

    fn errno_round_trip() -> Result {
        kassert!(Error::from_errno(-12) == ENOMEM);
        kassert!(ENOMEM.to_errno() == -12);
        kassert!(Error::from_errno(-511).to_errno() == -511);
        kassert!(Error::from_kernel(-4095).to_errno() == -4095);
        Ok(())
    }

    fn out_of_range_errno_is_einval() -> Result {
        for e in [0, 1, 12, -4096, i32::MIN, i32::MAX] {
            kassert!(Error::from_errno(e) == EINVAL);
            kassert!(Error::from_kernel(e) == EINVAL);
        }
        Ok(())
    }

    // ERESTARTSYS ... ENOGRACE (512..=531, include/linux/errno.h of 6.1 and
    // 6.12) and anything above, up to MAX_ERRNO: never from a driver.
    fn kernel_internal_errno_is_einval() -> Result {
        for e in (512..=531).chain([532, 1000, 4095]) {
            kassert!(Error::from_errno(-e) == EINVAL);
            kassert!(Error::from_errno(-e).to_errno() == -22);
        }
        kassert!(Error::from_errno(-511) != EINVAL);
        kassert!(Error::from_errno(-133).to_errno() == -133); // EHWPOISON
        Ok(())
    }

    // The crate's own calls into the glue keep the kernel's code.
    fn glue_status_keeps_kernel_codes() -> Result {
        kassert!(super::to_result(0) == Ok(()) && super::to_result(5) == Ok(()));
        kassert!(super::to_result(-512) == Err(ERESTARTSYS));
        kassert!(super::to_result(-517) == Err(Error::from_kernel(-517)));
        let s = KString::try_fmt(format_args!("{:?}", ERESTARTSYS))?;
        kassert!(s.as_str() == "ERESTARTSYS");
        Ok(())
    }

    // The test runs in insmod's context with no signal pending: a restart
    // code leaves Rust as EINTR (as one a driver kept from an earlier
    // interrupted wait would); other internal codes as they are.
    fn restart_code_needs_a_signal() -> Result {
        kassert!(!crate::task::signal_pending());
        for e in [512, 513, 514] {
            kassert!(Error::from_kernel(-e).to_errno() == EINTR.to_errno());
        }
        kassert!(Error::from_kernel(-516).to_errno() == -516);
        kassert!(Error::from_kernel(-517).to_errno() == -517);
        kassert!(EINTR.to_errno() == -4);
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
