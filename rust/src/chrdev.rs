// SPDX-License-Identifier: GPL-2.0
//! Char-device regions: `N` minors with the misc devices' file operations.
//!
//! A [`Registration`] allocates a region of `count` minors
//! (`alloc_chrdev_region`), adds one cdev for them, and creates a class
//! `NAME` with one device node per minor, `NAME0` to `NAME<count-1>`
//! (devtmpfs makes them `/dev/NAMEi`). Each minor has its own device data,
//! built by the closure given to [`Registration::register`] from the
//! minor's index: [`FileOperations::open`] of minor `i` gets minor `i`'s.
//! Everything else is as for a [`MiscDevice`](crate::miscdev::MiscDevice):
//! the same [`FileOperations`] trait and callbacks, `rmmod` refused
//! (`EWOULDBLOCK`) while a file is open, no open before the module's init
//! succeeded (`ENODEV`), and dropping the registration removes the nodes,
//! class, cdev and region while files still open keep their state and
//! keep working until closed.
//!
//! [`FileOperations::open`] of a minor runs holding its region's lock (which
//! dropping the registration takes, so that no `open` sees device data
//! being freed): it must not sleep waiting for anything else, nor register
//! or drop a char-device region. Process context.
//!
//! ```
//! # use rkm::prelude::*;
//! # use rkm::chrdev;
//! struct Minor { idx: u32 }
//! struct Open { dev: Arc<Minor> }
//! #[rkm::vtable]
//! impl FileOperations for Open {
//!     type Device = Minor;
//!     fn open(dev: &Arc<Minor>, _file: &OpenFile) -> Result<Self> {
//!         pr_info!("minor {} opened\n", dev.idx);
//!         Ok(Open { dev: dev.clone() })
//!     }
//! }
//! let reg = chrdev::Registration::<Open>::register("my_dev", 4, 0o600, |idx| {
//!     Arc::try_new(Minor { idx })
//! })?;
//! # drop(reg);
//! # Ok::<(), Error>(())
//! ```

use crate::abi;
use crate::alloc::KVec;
use crate::error::{Error, Result};
use crate::miscdev::{FileOperations, Trampolines};
use crate::sync::Arc;
use core::ffi::{c_int, c_void};
use core::ptr::NonNull;

/// A registered char-device region; everything is torn down on drop.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::chrdev::Registration;
/// # struct Minor;
/// # struct Open;
/// # #[rkm::vtable] impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>, _file: &OpenFile) -> Result<Self> { Ok(Open) } }
/// struct Module {
///     _nodes: Registration<Open>,
/// }
/// ```
///
/// # Invariants
///
/// `handle` is a glue region registered with `Trampolines::<F>::OPS` and,
/// for minor `i`, the address of `devs[i]` as its device data; `devs` is
/// never resized (its elements stay put) and outlives the registration: it
/// is unregistered once (by drop, or at module exit if leaked) before `devs`
/// is dropped. Its glue memory, which open files point at, lives until
/// module exit. Process context.
pub struct Registration<F: FileOperations> {
    handle: NonNull<abi::Chrdev>,
    devs: KVec<Arc<F::Device>>,
}

// SAFETY: the handle is only used to unregister, from any thread; the device
// data is Send + Sync (FileOperations::Device's bounds).
unsafe impl<F: FileOperations> Send for Registration<F> {}
// SAFETY: as above; `&Registration` exposes nothing but the Arcs.
unsafe impl<F: FileOperations> Sync for Registration<F> {}

impl<F: FileOperations> Registration<F> {
    /// Registers `count` minors (1 to 64) named `name` (class `name`, nodes
    /// `/dev/name0`...), of node mode `mode` (use 0o600 unless others need
    /// it); `dev(i)` makes minor `i`'s device data. Process context, sleeps.
    ///
    /// `EINVAL` for a `count` out of range or a name that is not a sysfs file
    /// name or has 32 bytes or more; `EEXIST` if a class of that name exists.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::chrdev::Registration;
    /// # struct Minor(u32);
    /// # struct Open;
    /// # #[rkm::vtable] impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>, _file: &OpenFile) -> Result<Self> { Ok(Open) } }
    /// let reg = Registration::<Open>::register("scull", 4, 0o600, |i| Arc::try_new(Minor(i)))?;
    /// # drop(reg);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register(
        name: &str,
        count: u32,
        mode: u16,
        mut dev: impl FnMut(u32) -> Result<Arc<F::Device>>,
    ) -> Result<Self> {
        let mut devs: KVec<Arc<F::Device>> = KVec::new();
        for i in 0..count {
            devs.try_push(dev(i)?)?;
        }
        let mut ptrs: KVec<*const c_void> = KVec::new();
        for d in devs.iter() {
            ptrs.try_push((d as *const Arc<F::Device>).cast())?;
        }
        let ops: &'static abi::FileOps = &Trampolines::<F>::OPS;
        let mut err: c_int = 0;
        // SAFETY: name is valid for its length and the pointer array for
        // `count` entries (both copied by the glue); ops is static; each
        // pointer is an element of `devs`, kept unresized in the
        // Registration until after unregistration (open's contract).
        let h = unsafe {
            abi::rkm_chrdev_register(
                name.as_ptr().cast(),
                name.len(),
                count,
                mode,
                ops,
                ptrs.as_ptr(),
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        Ok(Registration { handle, devs })
    }

    /// Minor `idx`'s device data.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::chrdev::Registration;
    /// # struct Minor;
    /// # struct Open;
    /// # #[rkm::vtable] impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>, _file: &OpenFile) -> Result<Self> { Ok(Open) } }
    /// # fn f(reg: &Registration<Open>) {
    /// let first: Option<&Arc<Minor>> = reg.device(0);
    /// # }
    /// ```
    pub fn device(&self, idx: u32) -> Option<&Arc<F::Device>> {
        self.devs.get(idx as usize)
    }
}

impl<F: FileOperations> Drop for Registration<F> {
    fn drop(&mut self) {
        // SAFETY: registered by us, unregistered once; after this returns no
        // `open` can see `self.devs`, which is dropped right after.
        unsafe { abi::rkm_chrdev_unregister(self.handle.as_ptr()) };
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::alloc::KVec;
    use crate::driver::AttrBuf;
    use crate::error::code::*;
    use crate::ktest::{kassert, Case};
    use crate::miscdev::OpenFile;
    use crate::miscdev::{MiscAttr, MiscAttributes, MiscDevice};

    pub(crate) const CASES: &[Case] = &[
        ("region_checks", region_checks),
        ("region_minor_data", region_minor_data),
        ("misc_attr_checks", misc_attr_checks),
    ];

    struct Minor(u32);
    struct Open;
    #[crate::vtable]
    impl FileOperations for Open {
        type Device = Minor;
        fn open(_: &Arc<Minor>, _file: &OpenFile) -> Result<Self> {
            Ok(Open)
        }
    }

    fn mk(i: u32) -> Result<Arc<Minor>> {
        Arc::try_new(Minor(i))
    }

    fn region_checks() -> Result {
        for bad in ["", "a/b", ".", "..", "nul\0", "0123456789abcdef0123456789abcdef"] {
            kassert!(Registration::<Open>::register(bad, 1, 0o600, mk).err() == Some(EINVAL));
        }
        kassert!(
            Registration::<Open>::register("rkm_ktest_cd", 0, 0o600, mk).err() == Some(EINVAL)
        );
        kassert!(
            Registration::<Open>::register("rkm_ktest_cd", 65, 0o600, mk).err() == Some(EINVAL)
        );
        let r = Registration::<Open>::register("rkm_ktest_cd", 64, 0o600, mk)?;
        // A taken class name ("misc", or our own).
        kassert!(
            Registration::<Open>::register("rkm_ktest_cd", 1, 0o600, mk).err() == Some(EEXIST)
        );
        kassert!(Registration::<Open>::register("misc", 1, 0o600, mk).err() == Some(EEXIST));
        drop(r);
        let again = Registration::<Open>::register("rkm_ktest_cd", 1, 0o600, mk)?;
        drop(again);
        Ok(())
    }

    // Minor i gets the data made for i; the closure's error is register's.
    fn region_minor_data() -> Result {
        let mut seen: KVec<u32> = KVec::new();
        let r = Registration::<Open>::register("rkm_ktest_cd", 3, 0o600, |i| {
            seen.try_push(i)?;
            mk(i * 10)
        })?;
        kassert!(&seen[..] == &[0, 1, 2][..]);
        kassert!(r.device(0).map(|d| d.0) == Some(0));
        kassert!(r.device(2).map(|d| d.0) == Some(20));
        kassert!(r.device(3).is_none());
        drop(r);
        let e = Registration::<Open>::register("rkm_ktest_cd", 3, 0o600, |i| {
            if i == 1 {
                Err(ENOMEM)
            } else {
                mk(i)
            }
        });
        kassert!(e.err() == Some(ENOMEM));
        Ok(())
    }

    fn show<T>(_: &T, _: &mut AttrBuf<'_>) -> Result {
        Ok(())
    }
    fn store<T>(_: &T, _: &[u8]) -> Result {
        Ok(())
    }

    macro_rules! attr_dev {
        ($ty:ident, $open:ident, [$($name:literal),*]) => {
            struct $ty;
            impl MiscAttributes for $ty {
                const ATTRS: &'static [MiscAttr<Self>] =
                    &[$(MiscAttr::rw($name, show::<$ty>, store::<$ty>)),*];
            }
            struct $open;
            #[crate::vtable]
            impl FileOperations for $open {
                type Device = $ty;
                fn open(_: &Arc<$ty>, _file: &OpenFile) -> Result<Self> {
                    Ok($open)
                }
            }
        };
    }
    attr_dev!(Good, GoodOpen, ["level", "mode"]);
    attr_dev!(Reserved, ReservedOpen, ["level", "uevent"]);
    attr_dev!(Twice, TwiceOpen, ["level", "level"]);
    attr_dev!(Slash, SlashOpen, ["a/b"]);
    attr_dev!(Empty, EmptyOpen, []);

    fn misc_attr_checks() -> Result {
        let name = "rkm_ktest_ctl";
        kassert!(
            MiscDevice::<ReservedOpen>::register_with_attrs(name, 0o600, Arc::try_new(Reserved)?)
                .err()
                == Some(EINVAL)
        );
        kassert!(
            MiscDevice::<TwiceOpen>::register_with_attrs(name, 0o600, Arc::try_new(Twice)?).err()
                == Some(EINVAL)
        );
        kassert!(
            MiscDevice::<SlashOpen>::register_with_attrs(name, 0o600, Arc::try_new(Slash)?).err()
                == Some(EINVAL)
        );
        kassert!(
            MiscDevice::<EmptyOpen>::register_with_attrs(name, 0o600, Arc::try_new(Empty)?).err()
                == Some(EINVAL)
        );
        let good = MiscDevice::<GoodOpen>::register_with_attrs(name, 0o600, Arc::try_new(Good)?)?;
        // The name is taken, attributes or not.
        kassert!(
            MiscDevice::<GoodOpen>::register_with_attrs(name, 0o600, Arc::try_new(Good)?).err()
                == Some(EEXIST)
        );
        drop(good);
        Ok(())
    }
}
