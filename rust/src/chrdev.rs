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
//! ```
//! # use rkm::prelude::*;
//! # use rkm::chrdev;
//! struct Minor { idx: u32 }
//! struct Open { dev: Arc<Minor> }
//! impl FileOperations for Open {
//!     type Device = Minor;
//!     fn open(dev: &Arc<Minor>) -> Result<Self> {
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
/// # impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>) -> Result<Self> { Ok(Open) } }
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
    /// # impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>) -> Result<Self> { Ok(Open) } }
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
    /// # impl FileOperations for Open { type Device = Minor; fn open(_: &Arc<Minor>) -> Result<Self> { Ok(Open) } }
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
