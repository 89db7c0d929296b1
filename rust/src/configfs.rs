// SPDX-License-Identifier: GPL-2.0
//! configfs: a subsystem whose directories userspace creates.
//!
//! A driver implements [`Subsystem`] for its subsystem state and registers
//! it under a name chosen at run time ([`Registration::new`]):
//! `/sys/kernel/config/NAME/` appears, with the read-only or writable
//! attributes of [`Subsystem::ROOT_ATTRS`]. `mkdir NAME/x` calls
//! [`Subsystem::make_item`], which creates the driver's object for `x` (or
//! fails with an errno, which mkdir(2) returns); the directory then has the
//! attribute files of [`Subsystem::ITEM_ATTRS`], read through `show` and
//! written through `store` functions of `&Item`. `rmdir NAME/x` calls
//! [`Subsystem::drop_item`] and then drops the item.
//!
//! ```
//! use core::fmt::Write;
//! use core::sync::atomic::{AtomicU64, Ordering};
//! use rkm::configfs::{self, Attribute, Page, Registration, Subsystem};
//! use rkm::prelude::*;
//!
//! struct Dev { size: AtomicU64 }
//! fn size_show(d: &Dev, page: &mut Page<'_>) -> Result {
//!     let _ = writeln!(page, "{}", d.size.load(Ordering::Relaxed));
//!     Ok(())
//! }
//! fn size_store(d: &Dev, text: &[u8]) -> Result {
//!     d.size.store(configfs::parse_u64(text)?, Ordering::Relaxed);
//!     Ok(())
//! }
//!
//! struct Devs;
//! fn features(_: &Devs, page: &mut Page<'_>) -> Result {
//!     page.write_bytes(b"size\n")
//! }
//! impl Subsystem for Devs {
//!     type Item = Dev;
//!     const ROOT_ATTRS: &'static [Attribute<Self>] = &[Attribute::ro("features", features)];
//!     const ITEM_ATTRS: &'static [Attribute<Dev>] =
//!         &[Attribute::rw("size", size_show, size_store)];
//!     fn make_item(&self, _name: &str) -> Result<Dev> {
//!         Ok(Dev { size: AtomicU64::new(0) })
//!     }
//! }
//! # fn f() -> Result {
//! let _reg = Registration::new("my_devs", Devs)?;
//! # Ok(()) }
//! ```
//!
//! The module must be loaded with configfs present: on the stock kernels
//! configfs is `configfs.ko` (the module depends on it only if it uses this
//! module: the glue is linked by need), and a kernel without
//! `CONFIG_CONFIGFS_FS` fails the driver's build with a message saying so.
//!
//! # Context
//!
//! Every callback runs in process context (the task doing mkdir, rmdir,
//! read or write) and may sleep: lock a [`Mutex`](crate::sync::Mutex),
//! allocate. `make_item` and `drop_item` run under the subsystem's mutex
//! (one at a time); `show` and `store` of one or several items may run
//! concurrently with each other and with `make_item` of other items, so
//! state they share is `Sync` (atomics, locks). Registering and dropping a
//! [`Registration`] sleep.
//!
//! # Invariants
//!
//! - An attribute is a pair of plain functions (`fn`, not closures) of
//!   `&T`: nothing they use can outlive the item or subsystem they get.
//! - `show`/`store` never run after an item's rmdir began: configfs runs
//!   them under its per-directory fragment lock, and rmdir marks the
//!   fragment dead under that lock (waiting for the callers inside) before
//!   `drop_item`; the item is dropped after, when its last reference goes.
//!   The same holds for the root attributes at unregistration.
//! - An item holds references to the module (configfs takes them at mkdir,
//!   for the subsystem's and the item type's owner), as does an open
//!   attribute file: `rmmod` fails with `EBUSY` while a directory exists,
//!   and module exit (which drops the `Registration`) runs with no items.
//! - Dropping a `Registration` refuses further mkdir (under the subsystem
//!   mutex) and unregisters if no item exists. If items exist (the driver
//!   dropped it early), the subsystem stays, its items keep working, and the
//!   glue owns the state: it unregisters and drops it at module exit, when
//!   no item can be left. The state is thus alive whenever a callback gets it.
//! - The glue keeps each subsystem record (and its attribute tables, which
//!   open files point at) until module exit.

use crate::abi;
use crate::alloc::{KBox, KVec};
use crate::error::{code::*, Error, Result};
use core::ffi::{c_char, c_int, c_long, c_void};
use core::fmt;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// Most attributes an item type may have.
pub const MAX_ITEM_ATTRS: usize = abi::CFS_MAX_ATTRS;
/// Most attributes a subsystem's root may have.
pub const MAX_ROOT_ATTRS: usize = abi::CFS_MAX_ROOT_ATTRS;

/// Shows an attribute of `T`: writes its text into the page.
///
/// ```
/// # use rkm::{configfs::{Page, ShowFn}, Result};
/// fn show(v: &u32, page: &mut Page<'_>) -> Result { page.write_bytes(b"1\n") }
/// let f: ShowFn<u32> = show;
/// ```
pub type ShowFn<T> = fn(&T, &mut Page<'_>) -> Result;
/// Stores into an attribute of `T` the bytes written (one write(2) call,
/// at most 4095 bytes, trailing newline included). An error is what
/// write(2) returns; on error the attribute should be left as it was.
///
/// ```
/// # use rkm::{configfs::StoreFn, Result};
/// fn store(_: &u32, text: &[u8]) -> Result { rkm::configfs::parse_bool(text).map(|_| ()) }
/// let f: StoreFn<u32> = store;
/// ```
pub type StoreFn<T> = fn(&T, &[u8]) -> Result;

/// One attribute file: a name and its show and/or store functions.
///
/// ```
/// # use rkm::{configfs::{Attribute, Page}, Result};
/// fn show(_: &u8, p: &mut Page<'_>) -> Result { p.write_bytes(b"x\n") }
/// const A: Attribute<u8> = Attribute::ro("kind", show);
/// ```
pub struct Attribute<T: 'static> {
    name: &'static str,
    show: Option<ShowFn<T>>,
    store: Option<StoreFn<T>>,
}

impl<T: 'static> Attribute<T> {
    /// A readable and writable attribute (mode 0644).
    ///
    /// ```
    /// # use rkm::{configfs::{Attribute, Page}, Result};
    /// # fn s(_: &u8, _: &mut Page<'_>) -> Result { Ok(()) }
    /// # fn w(_: &u8, _: &[u8]) -> Result { Ok(()) }
    /// const A: Attribute<u8> = Attribute::rw("size", s, w);
    /// ```
    pub const fn rw(name: &'static str, show: ShowFn<T>, store: StoreFn<T>) -> Self {
        Attribute { name, show: Some(show), store: Some(store) }
    }

    /// A read-only attribute (mode 0444).
    ///
    /// ```
    /// # use rkm::{configfs::{Attribute, Page}, Result};
    /// # fn s(_: &u8, _: &mut Page<'_>) -> Result { Ok(()) }
    /// const A: Attribute<u8> = Attribute::ro("features", s);
    /// ```
    pub const fn ro(name: &'static str, show: ShowFn<T>) -> Self {
        Attribute { name, show: Some(show), store: None }
    }

    /// A write-only attribute (mode 0200).
    ///
    /// ```
    /// # use rkm::{configfs::Attribute, Result};
    /// # fn w(_: &u8, _: &[u8]) -> Result { Ok(()) }
    /// const A: Attribute<u8> = Attribute::wo("reset", w);
    /// ```
    pub const fn wo(name: &'static str, store: StoreFn<T>) -> Self {
        Attribute { name, show: None, store: Some(store) }
    }

    fn raw(&self) -> abi::CfsAttr {
        let read = if self.show.is_some() { abi::CFS_READ } else { 0 };
        let write = if self.store.is_some() { abi::CFS_WRITE } else { 0 };
        abi::CfsAttr {
            name: self.name.as_ptr().cast(),
            name_len: self.name.len(),
            flags: read | write,
        }
    }
}

/// The page a `show` writes into (configfs' buffer, 4095 bytes usable).
/// Writing past its end fails (`write_bytes` with `EFBIG`, `fmt::Write`
/// with `fmt::Error`) and makes the read fail with `EFBIG` whatever `show`
/// returns, so a truncated value never reaches userspace.
///
/// ```
/// # use rkm::{configfs::Page, Result};
/// # use core::fmt::Write;
/// fn show(v: &u64, page: &mut Page<'_>) -> Result {
///     let _ = writeln!(page, "{v}");
///     Ok(())
/// }
/// ```
pub struct Page<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl Page<'_> {
    /// Appends `bytes`; `EFBIG` (and nothing written) if they do not fit.
    ///
    /// ```
    /// # fn f(page: &mut rkm::configfs::Page<'_>) -> rkm::Result { page.write_bytes(b"on\n") }
    /// ```
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result {
        let end = self.len.checked_add(bytes.len()).filter(|&e| e <= self.buf.len());
        match end.and_then(|end| self.buf.get_mut(self.len..end).map(|d| (end, d))) {
            Some((end, dst)) => {
                dst.copy_from_slice(bytes);
                self.len = end;
                Ok(())
            }
            None => {
                self.overflow = true;
                Err(EFBIG)
            }
        }
    }

    /// What has been written so far.
    ///
    /// ```
    /// # fn f(page: &rkm::configfs::Page<'_>) -> usize { page.as_bytes().len() }
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes()).map_err(|_| fmt::Error)
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        self.write_str(crate::print::encode_char(c, &mut [0; 4]))
    }
}

/// The bytes without one trailing newline (what `echo` adds).
///
/// ```
/// assert_eq!(rkm::configfs::trim_newline(b"abc\n"), b"abc");
/// assert_eq!(rkm::configfs::trim_newline(b"abc"), b"abc");
/// ```
pub fn trim_newline(text: &[u8]) -> &[u8] {
    text.strip_suffix(b"\n").unwrap_or(text)
}

/// The text as UTF-8 without one trailing newline; `EINVAL` if not UTF-8.
///
/// ```
/// assert_eq!(rkm::configfs::as_str(b"disk0\n"), Ok("disk0"));
/// ```
pub fn as_str(text: &[u8]) -> Result<&str> {
    core::str::from_utf8(trim_newline(text)).map_err(|_| EINVAL)
}

/// Parses an unsigned integer as the kernel's `kstrtou64(s, 0)`: decimal,
/// `0x` hex or `0` octal, a leading `+`, one trailing newline; `EINVAL`
/// for anything else (at most 63 bytes), `ERANGE` past `u64::MAX`.
///
/// ```
/// # use rkm::configfs::parse_u64;
/// # fn f() -> rkm::Result {
/// assert_eq!(parse_u64(b"0x10\n")?, 16);
/// assert!(parse_u64(b"12abc").is_err());
/// # Ok(()) }
/// ```
pub fn parse_u64(text: &[u8]) -> Result<u64> {
    if text.len() >= abi::KSTR_MAX {
        return Err(EINVAL);
    }
    let mut v = 0u64;
    // SAFETY: the glue reads `text.len()` bytes of `text` and writes `v`.
    let r = unsafe { abi::rkm_kstrtou64(text.as_ptr().cast(), text.len(), &mut v) };
    crate::error::to_result(r).map(|()| v)
}

/// Parses a signed integer as the kernel's `kstrtos64(s, 0)` (see
/// [`parse_u64`]; a leading `-` too).
///
/// ```
/// # fn f() -> rkm::Result { assert_eq!(rkm::configfs::parse_i64(b"-5")?, -5); Ok(()) }
/// ```
pub fn parse_i64(text: &[u8]) -> Result<i64> {
    let mut v = 0i64;
    // SAFETY: as in parse_u64.
    let r = unsafe { abi::rkm_kstrtos64(text.as_ptr().cast(), text.len(), &mut v) };
    crate::error::to_result(r).map(|()| v)
}

/// Parses a boolean as the running kernel's `kstrtobool`: `1`/`y`/`Y`/`on`
/// true, `0`/`n`/`N`/`off` false (the kernel looks at the first one or two
/// characters); `EINVAL` otherwise.
///
/// ```
/// # fn f() -> rkm::Result { assert!(rkm::configfs::parse_bool(b"1\n")?); Ok(()) }
/// ```
pub fn parse_bool(text: &[u8]) -> Result<bool> {
    let mut v = false;
    // SAFETY: as in parse_u64.
    let r = unsafe { abi::rkm_kstrtobool(text.as_ptr().cast(), text.len(), &mut v) };
    crate::error::to_result(r).map(|()| v)
}

/// A configfs subsystem: its state (`Self`), its items and their attributes.
///
/// ```
/// # use rkm::{configfs::{Attribute, Subsystem}, Result};
/// struct Empty;
/// impl Subsystem for Empty {
///     type Item = ();
///     const ITEM_ATTRS: &'static [Attribute<()>] = &[];
///     fn make_item(&self, _name: &str) -> Result<()> { Ok(()) }
/// }
/// ```
pub trait Subsystem: Send + Sync + Sized + 'static {
    /// The driver's object for one directory made by mkdir.
    type Item: Send + Sync + 'static;
    /// Attributes of the subsystem's root directory (at most
    /// [`MAX_ROOT_ATTRS`]).
    const ROOT_ATTRS: &'static [Attribute<Self>] = &[];
    /// Attributes of every item directory (at most [`MAX_ITEM_ATTRS`]).
    const ITEM_ATTRS: &'static [Attribute<Self::Item>];
    /// mkdir `name` (UTF-8, else mkdir fails with `EINVAL` first): the new
    /// item, or the errno mkdir(2) returns. Process context, under the
    /// subsystem's mutex.
    fn make_item(&self, name: &str) -> Result<Self::Item>;
    /// rmdir of `item` began: its attributes are gone; it is dropped after.
    /// Process context, under the subsystem's mutex.
    fn drop_item(&self, item: &Self::Item) {
        let _ = item;
    }
}

/// A registered subsystem; dropping it unregisters (see the module
/// documentation for a drop while items exist).
///
/// ```
/// # use rkm::{configfs::{Attribute, Registration, Subsystem}, Result};
/// # struct S;
/// # impl Subsystem for S { type Item = (); const ITEM_ATTRS: &'static [Attribute<()>] = &[];
/// #     fn make_item(&self, _: &str) -> Result<()> { Ok(()) } }
/// # fn f() -> Result {
/// let reg = Registration::new("rust_demo", S)?;
/// let _state: &S = reg.state();
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a registered glue subsystem whose callbacks get `state`, a
/// leaked `KBox<S>`, until `drop`.
pub struct Registration<S: Subsystem> {
    raw: NonNull<abi::CfsSubsys>,
    state: NonNull<S>,
}

// SAFETY: the callbacks use `&S` from any task (S: Sync); S is dropped by
// the owner or the glue (S: Send).
unsafe impl<S: Subsystem> Send for Registration<S> {}
// SAFETY: `&Registration` gives only `&S`.
unsafe impl<S: Subsystem> Sync for Registration<S> {}

struct Tramp<S>(core::marker::PhantomData<S>);

impl<S: Subsystem> Tramp<S> {
    const OPS: abi::CfsOps = abi::CfsOps {
        make_item: Some(Self::make_item),
        drop_item: Some(Self::drop_item),
        release: Some(Self::release),
        show: Some(Self::show),
        store: Some(Self::store),
        root_show: Some(Self::root_show),
        root_store: Some(Self::root_store),
        release_state: Some(Self::release_state),
    };

    extern "C" fn make_item(
        state: *const c_void,
        name: *const c_char,
        len: usize,
        err: *mut c_int,
    ) -> *mut c_void {
        // SAFETY: the glue passes the live state (type invariant of
        // Registration, or owned by the glue until release_state).
        let state = unsafe { &*state.cast::<S>() };
        // SAFETY: configfs' name, `len` bytes, valid during the call.
        let name = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), len) };
        // The item's memory first: once make_item succeeded nothing may
        // fail, or the driver would see an item made and never dropped.
        let r = core::str::from_utf8(name).map_err(|_| EINVAL).and_then(|name| {
            let slot = KBox::leak(KBox::try_new(MaybeUninit::<S::Item>::uninit())?);
            match state.make_item(name) {
                Ok(item) => {
                    // SAFETY: a live block for an S::Item, ours.
                    unsafe { slot.as_ptr().write(MaybeUninit::new(item)) };
                    Ok(slot.cast::<S::Item>())
                }
                Err(e) => {
                    // SAFETY: from KBox::leak above, never shared.
                    drop(unsafe { KBox::from_raw(slot) });
                    Err(e)
                }
            }
        });
        match r {
            // INVARIANT: an initialised S::Item in a KBox block (same
            // layout as MaybeUninit<S::Item>), freed by `release`.
            Ok(item) => item.as_ptr().cast(),
            Err(e) => {
                // SAFETY: the glue's out-parameter for this call.
                unsafe { *err = e.to_errno() };
                core::ptr::null_mut()
            }
        }
    }

    /// # Safety
    ///
    /// `item` came from `make_item` and is not released yet.
    unsafe fn item<'a>(item: *const c_void) -> &'a S::Item {
        // SAFETY: the caller's contract: a live leaked KBox<S::Item>.
        unsafe { &*item.cast::<S::Item>() }
    }

    extern "C" fn drop_item(state: *const c_void, item: *mut c_void) {
        // SAFETY: as in make_item.
        let state = unsafe { &*state.cast::<S>() };
        // SAFETY: configfs drops an item once, before its release.
        state.drop_item(unsafe { Self::item(item) });
    }

    extern "C" fn release(item: *mut c_void) {
        if let Some(item) = NonNull::new(item.cast::<S::Item>()) {
            // SAFETY: from KBox::leak in make_item; the last reference went,
            // so no callback uses it any more.
            drop(unsafe { KBox::from_raw(item) });
        }
    }

    fn show_into<T>(attrs: &[Attribute<T>], data: &T, idx: u32, page: *mut c_char) -> c_long {
        let Some(show) = attrs.get(idx as usize).and_then(|a| a.show) else {
            return EIO.to_errno().into();
        };
        // SAFETY: configfs' zeroed page, at least RKM_CFS_SHOW_MAX + 1
        // bytes, ours during the call.
        let buf = unsafe { core::slice::from_raw_parts_mut(page.cast::<u8>(), abi::CFS_SHOW_MAX) };
        let mut page = Page { buf, len: 0, overflow: false };
        match show(data, &mut page) {
            _ if page.overflow => EFBIG.to_errno().into(),
            Ok(()) => page.len as c_long,
            Err(e) => e.to_errno().into(),
        }
    }

    fn store_from<T>(
        attrs: &[Attribute<T>],
        data: &T,
        idx: u32,
        buf: *const c_char,
        len: usize,
    ) -> c_long {
        let Some(store) = attrs.get(idx as usize).and_then(|a| a.store) else {
            return EIO.to_errno().into();
        };
        // SAFETY: configfs' page holding the `len` bytes written, valid
        // during the call.
        let text = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        match store(data, text) {
            Ok(()) => 0,
            Err(e) => e.to_errno().into(),
        }
    }

    extern "C" fn show(item: *const c_void, idx: u32, page: *mut c_char) -> c_long {
        // SAFETY: configfs calls show only on a live item (fragment lock).
        Self::show_into(S::ITEM_ATTRS, unsafe { Self::item(item) }, idx, page)
    }

    extern "C" fn store(item: *const c_void, idx: u32, buf: *const c_char, len: usize) -> c_long {
        // SAFETY: as in show.
        Self::store_from(S::ITEM_ATTRS, unsafe { Self::item(item) }, idx, buf, len)
    }

    extern "C" fn root_show(state: *const c_void, idx: u32, page: *mut c_char) -> c_long {
        // SAFETY: as in make_item.
        Self::show_into(S::ROOT_ATTRS, unsafe { &*state.cast::<S>() }, idx, page)
    }

    extern "C" fn root_store(
        state: *const c_void,
        idx: u32,
        buf: *const c_char,
        len: usize,
    ) -> c_long {
        // SAFETY: as in make_item.
        Self::store_from(S::ROOT_ATTRS, unsafe { &*state.cast::<S>() }, idx, buf, len)
    }

    extern "C" fn release_state(state: *mut c_void) {
        if let Some(state) = NonNull::new(state.cast::<S>()) {
            // SAFETY: the leaked KBox<S> the glue took over in
            // Registration::drop; the subsystem is unregistered now.
            drop(unsafe { KBox::from_raw(state) });
        }
    }
}

fn raw_attrs<T>(attrs: &[Attribute<T>], max: usize) -> Result<KVec<abi::CfsAttr>> {
    if attrs.len() > max {
        return Err(EINVAL);
    }
    let mut v = KVec::try_with_capacity(attrs.len())?;
    for a in attrs {
        v.try_push(a.raw())?;
    }
    Ok(v)
}

impl<S: Subsystem> Registration<S> {
    /// Registers `/sys/kernel/config/NAME` with state `state`. `EINVAL`: a
    /// bad name (empty, 64 bytes or more, holding `/` or NUL, `.`, `..`),
    /// a bad attribute table (an empty or bad name, a duplicate, more than
    /// the maximum); `EEXIST`: the name is taken; `ENOMEM`. Process context.
    ///
    /// ```
    /// # use rkm::{configfs::{Attribute, Registration, Subsystem}, Result};
    /// # struct S;
    /// # impl Subsystem for S { type Item = (); const ITEM_ATTRS: &'static [Attribute<()>] = &[];
    /// #     fn make_item(&self, _: &str) -> Result<()> { Ok(()) } }
    /// # fn f(name: &str) -> Result<Registration<S>> {
    /// Registration::new(name, S)
    /// # }
    /// ```
    pub fn new(name: &str, state: S) -> Result<Self> {
        let root = raw_attrs(S::ROOT_ATTRS, MAX_ROOT_ATTRS)?;
        let items = raw_attrs(S::ITEM_ATTRS, MAX_ITEM_ATTRS)?;
        let state = KBox::leak(KBox::try_new(state)?);
        let ops: &'static abi::CfsOps = &Tramp::<S>::OPS;
        let mut err: c_int = 0;
        // SAFETY: the glue copies the names and attribute tables; `ops` is
        // static; `state` stays valid until unregistered or release_state
        // (type invariant).
        let raw = unsafe {
            abi::rkm_cfs_register(
                name.as_ptr().cast(),
                name.len(),
                root.as_ptr(),
                root.len(),
                items.as_ptr(),
                items.len(),
                ops,
                state.as_ptr().cast_const().cast(),
                &mut err,
            )
        };
        match NonNull::new(raw) {
            Some(raw) => Ok(Registration { raw, state }),
            None => {
                // SAFETY: from KBox::leak above; registration failed, so the
                // glue never used it.
                drop(unsafe { KBox::from_raw(state) });
                Err(Error::from_kernel(err))
            }
        }
    }

    /// The subsystem's state.
    ///
    /// ```
    /// # use rkm::configfs::{Registration, Subsystem};
    /// # fn f<S: Subsystem>(r: &Registration<S>) -> &S { r.state() }
    /// ```
    pub fn state(&self) -> &S {
        // SAFETY: live until drop (type invariant).
        unsafe { self.state.as_ref() }
    }
}

impl<S: Subsystem> Drop for Registration<S> {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant).
        if unsafe { abi::rkm_cfs_unregister(self.raw.as_ptr()) } {
            // SAFETY: from KBox::leak in `new`; unregistered, with no item
            // left, so no callback can get it any more.
            drop(unsafe { KBox::from_raw(self.state) });
        }
        // Otherwise the glue owns the state and drops it at module exit
        // (release_state).
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("parse_u64", parse_u64_cases),
        ("parse_i64_bool", parse_i64_bool_cases),
        ("page_overflow", page_overflow),
    ];

    fn parse_u64_cases() -> Result {
        kassert!(parse_u64(b"0") == Ok(0));
        kassert!(parse_u64(b"42\n") == Ok(42));
        kassert!(parse_u64(b"0x1f") == Ok(31));
        kassert!(parse_u64(b"010") == Ok(8));
        kassert!(parse_u64(b"+7") == Ok(7));
        kassert!(parse_u64(b"18446744073709551615") == Ok(u64::MAX));
        kassert!(parse_u64(b"18446744073709551616") == Err(ERANGE));
        kassert!(parse_u64(b"") == Err(EINVAL));
        kassert!(parse_u64(b"\n") == Err(EINVAL));
        kassert!(parse_u64(b"-1") == Err(EINVAL));
        kassert!(parse_u64(b"12 ") == Err(EINVAL));
        kassert!(parse_u64(b"1\n\n") == Err(EINVAL));
        kassert!(parse_u64(b"1\x002") == Err(EINVAL));
        kassert!(parse_u64(&[b'1'; 64]) == Err(EINVAL));
        Ok(())
    }

    fn parse_i64_bool_cases() -> Result {
        kassert!(parse_i64(b"-9223372036854775808") == Ok(i64::MIN));
        kassert!(parse_i64(b"9223372036854775808") == Err(ERANGE));
        kassert!(parse_i64(b"-0x10\n") == Ok(-16));
        kassert!(parse_bool(b"1") == Ok(true));
        kassert!(parse_bool(b"Y\n") == Ok(true));
        kassert!(parse_bool(b"on") == Ok(true));
        kassert!(parse_bool(b"off") == Ok(false));
        kassert!(parse_bool(b"0") == Ok(false));
        kassert!(parse_bool(b"") == Err(EINVAL));
        kassert!(parse_bool(b"maybe") == Err(EINVAL));
        kassert!(as_str(b"ab\n") == Ok("ab"));
        kassert!(as_str(b"\xff") == Err(EINVAL));
        Ok(())
    }

    fn page_overflow() -> Result {
        let mut buf = [0u8; 8];
        let mut page = Page { buf: &mut buf, len: 0, overflow: false };
        kassert!(page.write_bytes(b"12345").is_ok());
        kassert!(page.write_bytes(b"6789") == Err(EFBIG));
        kassert!(page.as_bytes() == b"12345");
        kassert!(page.overflow);
        Ok(())
    }
}
