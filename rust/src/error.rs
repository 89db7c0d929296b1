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
        @alias $($aname:ident = $target:ident, $adoc:literal;)*
        @crate_only $($cname:ident = $cnum:literal, $cdoc:literal;)*
    ) => {
        /// Named errno constants: every code of the kernel's
        /// `include/uapi/asm-generic/errno-base.h` and `errno.h`, by the
        /// same name and value (`tests/errno_names.sh` checks them against
        /// the headers of every kernel of the matrix).
        pub mod code {
            use super::Error;
            $(#[doc = $doc] pub const $name: Error = Error($num);)*
            $(#[doc = $adoc] pub const $aname: Error = $target;)*
            $(#[doc = $cdoc] #[allow(dead_code)] pub(crate) const $cname: Error = Error($cnum);)*
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
    ESRCH = 3, "No such process.";
    EINTR = 4, "Interrupted system call.";
    EIO = 5, "I/O error.";
    ENXIO = 6, "No such device or address.";
    E2BIG = 7, "Argument list too long.";
    ENOEXEC = 8, "Exec format error.";
    EBADF = 9, "Bad file number.";
    ECHILD = 10, "No child processes.";
    EAGAIN = 11, "Try again.";
    ENOMEM = 12, "Out of memory.";
    EACCES = 13, "Permission denied.";
    EFAULT = 14, "Bad address.";
    ENOTBLK = 15, "Block device required.";
    EBUSY = 16, "Device or resource busy.";
    EEXIST = 17, "File exists.";
    EXDEV = 18, "Cross-device link.";
    ENODEV = 19, "No such device.";
    ENOTDIR = 20, "Not a directory.";
    EISDIR = 21, "Is a directory.";
    EINVAL = 22, "Invalid argument.";
    ENFILE = 23, "File table overflow.";
    EMFILE = 24, "Too many open files.";
    ENOTTY = 25, "Not a typewriter (unknown ioctl).";
    ETXTBSY = 26, "Text file busy.";
    EFBIG = 27, "File too large.";
    ENOSPC = 28, "No space left on device.";
    ESPIPE = 29, "Illegal seek.";
    EROFS = 30, "Read-only file system.";
    EMLINK = 31, "Too many links.";
    EPIPE = 32, "Broken pipe.";
    EDOM = 33, "Math argument out of domain of func.";
    ERANGE = 34, "Math result not representable.";
    EDEADLK = 35, "Resource deadlock would occur.";
    ENAMETOOLONG = 36, "File name too long.";
    ENOLCK = 37, "No record locks available.";
    ENOSYS = 38, "Invalid system call number.";
    ENOTEMPTY = 39, "Directory not empty.";
    ELOOP = 40, "Too many symbolic links encountered.";
    ENOMSG = 42, "No message of desired type.";
    EIDRM = 43, "Identifier removed.";
    ECHRNG = 44, "Channel number out of range.";
    EL2NSYNC = 45, "Level 2 not synchronized.";
    EL3HLT = 46, "Level 3 halted.";
    EL3RST = 47, "Level 3 reset.";
    ELNRNG = 48, "Link number out of range.";
    EUNATCH = 49, "Protocol driver not attached.";
    ENOCSI = 50, "No CSI structure available.";
    EL2HLT = 51, "Level 2 halted.";
    EBADE = 52, "Invalid exchange.";
    EBADR = 53, "Invalid request descriptor.";
    EXFULL = 54, "Exchange full.";
    ENOANO = 55, "No anode.";
    EBADRQC = 56, "Invalid request code.";
    EBADSLT = 57, "Invalid slot.";
    EBFONT = 59, "Bad font file format.";
    ENOSTR = 60, "Device not a stream.";
    ENODATA = 61, "No data available.";
    ETIME = 62, "Timer expired.";
    ENOSR = 63, "Out of streams resources.";
    ENONET = 64, "Machine is not on the network.";
    ENOPKG = 65, "Package not installed.";
    EREMOTE = 66, "Object is remote.";
    ENOLINK = 67, "Link has been severed.";
    EADV = 68, "Advertise error.";
    ESRMNT = 69, "Srmount error.";
    ECOMM = 70, "Communication error on send.";
    EPROTO = 71, "Protocol error.";
    EMULTIHOP = 72, "Multihop attempted.";
    EDOTDOT = 73, "RFS specific error.";
    EBADMSG = 74, "Not a data message.";
    EOVERFLOW = 75, "Value too large for defined data type.";
    ENOTUNIQ = 76, "Name not unique on network.";
    EBADFD = 77, "File descriptor in bad state.";
    EREMCHG = 78, "Remote address changed.";
    ELIBACC = 79, "Can not access a needed shared library.";
    ELIBBAD = 80, "Accessing a corrupted shared library.";
    ELIBSCN = 81, ".lib section in a.out corrupted.";
    ELIBMAX = 82, "Attempting to link in too many shared libraries.";
    ELIBEXEC = 83, "Cannot exec a shared library directly.";
    EILSEQ = 84, "Illegal byte sequence.";
    ERESTART = 85, "Interrupted system call should be restarted.";
    ESTRPIPE = 86, "Streams pipe error.";
    EUSERS = 87, "Too many users.";
    ENOTSOCK = 88, "Socket operation on non-socket.";
    EDESTADDRREQ = 89, "Destination address required.";
    EMSGSIZE = 90, "Message too long.";
    EPROTOTYPE = 91, "Protocol wrong type for socket.";
    ENOPROTOOPT = 92, "Protocol not available.";
    EPROTONOSUPPORT = 93, "Protocol not supported.";
    ESOCKTNOSUPPORT = 94, "Socket type not supported.";
    EOPNOTSUPP = 95, "Operation not supported on transport endpoint.";
    EPFNOSUPPORT = 96, "Protocol family not supported.";
    EAFNOSUPPORT = 97, "Address family not supported by protocol.";
    EADDRINUSE = 98, "Address already in use.";
    EADDRNOTAVAIL = 99, "Cannot assign requested address.";
    ENETDOWN = 100, "Network is down.";
    ENETUNREACH = 101, "Network is unreachable.";
    ENETRESET = 102, "Network dropped connection because of reset.";
    ECONNABORTED = 103, "Software caused connection abort.";
    ECONNRESET = 104, "Connection reset by peer.";
    ENOBUFS = 105, "No buffer space available.";
    EISCONN = 106, "Transport endpoint is already connected.";
    ENOTCONN = 107, "Transport endpoint is not connected.";
    ESHUTDOWN = 108, "Cannot send after transport endpoint shutdown.";
    ETOOMANYREFS = 109, "Too many references: cannot splice.";
    ETIMEDOUT = 110, "Connection timed out (a device did not answer in time).";
    ECONNREFUSED = 111, "Connection refused.";
    EHOSTDOWN = 112, "Host is down.";
    EHOSTUNREACH = 113, "No route to host.";
    EALREADY = 114, "Operation already in progress.";
    EINPROGRESS = 115, "Operation now in progress.";
    ESTALE = 116, "Stale file handle.";
    EUCLEAN = 117, "Structure needs cleaning.";
    ENOTNAM = 118, "Not a XENIX named type file.";
    ENAVAIL = 119, "No XENIX semaphores available.";
    EISNAM = 120, "Is a named type file.";
    EREMOTEIO = 121, "Remote I/O error.";
    EDQUOT = 122, "Quota exceeded.";
    ENOMEDIUM = 123, "No medium found.";
    EMEDIUMTYPE = 124, "Wrong medium type.";
    ECANCELED = 125, "Operation Canceled.";
    ENOKEY = 126, "Required key not available.";
    EKEYEXPIRED = 127, "Key has expired.";
    EKEYREVOKED = 128, "Key has been revoked.";
    EKEYREJECTED = 129, "Key was rejected by service.";
    EOWNERDEAD = 130, "Owner died.";
    ENOTRECOVERABLE = 131, "State not recoverable.";
    ERFKILL = 132, "Operation not possible due to RF-kill.";
    EHWPOISON = 133, "Memory page has hardware error.";
    // Other names of the same codes (asm-generic/errno.h): not in `name()`,
    // so Debug shows the first name, as strerror does.
    @alias
    EWOULDBLOCK = EAGAIN, "Operation would block (the same code as `EAGAIN`).";
    EDEADLOCK = EDEADLK, "Resource deadlock would occur (the same code as `EDEADLK`).";
    // Kernel-internal (include/linux/errno.h): "never seen by user
    // programs". The crate's interruptible waits return ERESTARTSYS (with a
    // signal pending) and bus calls may return EPROBE_DEFER; a driver cannot
    // name any of them (`from_errno` refuses them), Debug shows their names.
    @crate_only
    ERESTARTSYS = 512, "Restart the system call (interrupted by a signal).";
    ERESTARTNOINTR = 513, "Restart the system call, even after a signal handler ran.";
    ERESTARTNOHAND = 514, "Restart the system call if no signal handler ran.";
    ENOIOCTLCMD = 515, "No ioctl command (the kernel turns it into ENOTTY).";
    ERESTART_RESTARTBLOCK = 516, "Restart by calling sys_restart_syscall.";
    EPROBE_DEFER = 517, "Driver requests probe retry.";
    EOPENSTALE = 518, "Open found a stale dentry.";
    ENOPARAM = 519, "Parameter not supported.";
    EBADHANDLE = 521, "Illegal NFS file handle.";
    ENOTSYNC = 522, "Update synchronization mismatch.";
    EBADCOOKIE = 523, "Cookie is stale.";
    ENOTSUPP = 524, "Operation is not supported.";
    ETOOSMALL = 525, "Buffer or request is too small.";
    ESERVERFAULT = 526, "An untranslatable error occurred.";
    EBADTYPE = 527, "Type not supported by server.";
    EJUKEBOX = 528, "Request initiated, but will not complete before timeout.";
    EIOCBQUEUED = 529, "The iocb is queued; a completion event will follow.";
    ERECALLCONFLICT = 530, "Conflict with recalled state.";
    ENOGRACE = 531, "NFS file lock reclaim refused.";
}

/// The first errno of the kernel's own block (`include/linux/errno.h`:
/// `ERESTARTSYS` 512 up to `ENOGRACE` 531 today, "never seen by user
/// programs"). Every errno userspace may see is below it on the
/// architectures rkm builds for (asm-generic's last is `EHWPOISON`, 133).
const KERNEL_INTERNAL_FIRST: i32 = code::ERESTARTSYS.0;

/// `ERESTARTSYS`, `ERESTARTNOINTR`, `ERESTARTNOHAND`: the syscall exit path
/// turns them into `EINTR` or a restart, but only when a signal is pending.
/// (`ERESTART_RESTARTBLOCK`, 516, needs a restart block: never from rkm.)
const RESTART_CODES: core::ops::RangeInclusive<i32> = code::ERESTARTSYS.0..=code::ERESTARTNOHAND.0;

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
        // An alias is the same code; a kernel-internal code has its name too.
        kassert!(EWOULDBLOCK == EAGAIN && EDEADLOCK == EDEADLK);
        let s = KString::try_fmt(format_args!(
            "{:?} {:?} {:?}",
            EWOULDBLOCK,
            EHWPOISON,
            Error::from_kernel(-517)
        ))?;
        kassert!(s.as_str() == "EAGAIN EHWPOISON EPROBE_DEFER");
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
