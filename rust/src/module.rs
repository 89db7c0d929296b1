// SPDX-License-Identifier: GPL-2.0
//! Module declaration: the [`Module`] trait and the [`module!`](crate::module!) macro.

use crate::error::Result;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

/// A loadable module's state: built by `init` at load, dropped at unload.
///
/// ```
/// # use rkm::prelude::*;
/// struct Hello;
/// impl rkm::Module for Hello {
///     fn init() -> rkm::Result<Self> {
///         rkm::pr_info!("hello\n");
///         Ok(Hello)
///     }
/// }
/// ```
pub trait Module: Sized + Send + Sync {
    /// Called once at load; an error fails the load with that errno.
    fn init() -> Result<Self>;
}

/// Storage for the one instance of a module's state (used by `module!`).
///
/// # Invariants
///
/// `state` is initialised between a successful [`ModuleSlot::init`] and the
/// following [`ModuleSlot::exit`]. The kernel calls module init and exit once
/// each, never concurrently, and exit only after a successful init.
#[doc(hidden)]
pub struct ModuleSlot<T> {
    state: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the state is only touched by module init and exit, which the kernel
// serialises (possibly on different tasks: T: Send); `T: Sync` covers shared
// use from other contexts.
unsafe impl<T: Send + Sync> Sync for ModuleSlot<T> {}

impl<T: Module> ModuleSlot<T> {
    /// An empty slot.
    #[doc(hidden)]
    pub const fn new() -> Self {
        ModuleSlot { state: UnsafeCell::new(MaybeUninit::uninit()) }
    }

    /// Runs `T::init` and stores the result; returns 0 or a negative errno.
    ///
    /// # Safety
    ///
    /// Called only from the module's init, once.
    #[doc(hidden)]
    pub unsafe fn init(&self) -> i32 {
        if crate::abi::abi_version() != crate::abi::ABI_VERSION {
            return crate::error::code::EINVAL.to_errno();
        }
        match T::init() {
            Ok(m) => {
                // SAFETY: module init runs once with no concurrent access
                // (type invariant), so nobody else holds a reference.
                // INVARIANT: the state is initialised until `exit`.
                unsafe { (*self.state.get()).write(m) };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// Drops the state stored by a successful [`ModuleSlot::init`].
    ///
    /// # Safety
    ///
    /// Called only from the module's exit, once, after `init` returned 0.
    #[doc(hidden)]
    pub unsafe fn exit(&self) {
        // SAFETY: initialised by a successful `init` (caller contract), and
        // exit runs with no concurrent access (type invariant).
        unsafe { (*self.state.get()).assume_init_drop() };
    }
}

impl<T: Module> Default for ModuleSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The module's name as built (`KBUILD_MODNAME`): the crate's, or the one
/// the build gave (`RKM_MODULE_NAME`, manifest `build-as`), so that one
/// driver can follow the name it is loaded under.
///
/// ```
/// let drop_in = rkm::module::name() == "null_blk";
/// # let _ = drop_in;
/// ```
pub fn name() -> &'static str {
    let mut len = 0;
    // SAFETY: the glue returns its static KBUILD_MODNAME and its length.
    let bytes = unsafe {
        let p = crate::abi::rkm_module_name(&mut len);
        core::slice::from_raw_parts(p.cast::<u8>(), len)
    };
    // A module name is ASCII (Kbuild makes it from a file name).
    core::str::from_utf8(bytes).unwrap_or("?")
}

/// Compares two strings in a `const` context (module name check).
#[doc(hidden)]
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Emits one `key=value` entry into the module's `.modinfo` section.
#[doc(hidden)]
///
/// `#[used(compiler)]` keeps the entry through LTO without marking the section
/// SHF_GNU_RETAIN: the kernel reads only the first `.modinfo` section, so all
/// entries must merge into one with the flags of the C ones. (rkm.mk enables
/// `used_with_arg` for driver crates.)
#[macro_export]
#[allow_internal_unsafe]
macro_rules! __modinfo {
    ($key:literal, $value:expr) => {
        // Every name through `$crate` (see `rkm::__private`).
        const _: () = {
            const TEXT: &$crate::__private::str =
                $crate::__private::concat!($key, "=", $value, "\0");
            #[unsafe(link_section = ".modinfo")]
            #[used(compiler)]
            static ENTRY: [$crate::__private::u8; TEXT.len()] = {
                let mut out = [0u8; TEXT.len()];
                let src = TEXT.as_bytes();
                let mut i = 0;
                while i < src.len() {
                    out[i] = src[i];
                    i += 1;
                }
                out
            };
        };
    };
}

/// Declares the module: its state type and what `modinfo` shows.
///
/// `name` must equal the module's file name (Kbuild's `KBUILD_MODNAME`):
/// the build checks it.
///
/// ```
/// # use rkm::prelude::*;
/// # struct Hello;
/// # impl Module for Hello { fn init() -> Result<Self> { Ok(Hello) } }
/// rkm::module! {
///     type: Hello,
///     name: "rust_hello",
///     authors: ["A. Developer <a@example.org>"],
///     description: "Says hello",
///     license: "GPL",
///     alias: ["rkm-hello"],                       // optional
///     params: {                                   // optional: see rkm::param
///         greeting: str { default: "hi", perm: 0o644, desc: "What to say", max_len: 16 },
///     },
/// }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! module {
    (
        type: $type:ty,
        name: $name:literal,
        authors: [$($author:literal),* $(,)?],
        description: $desc:literal,
        license: $license:literal
        $(, alias: [$($alias:literal),* $(,)?])?
        $(, params: { $($pname:ident : $pkind:tt { $($pbody:tt)* }),* $(,)? })?
        $(,)?
    ) => {
        /// The module's parameters: one accessor per parameter, returning
        /// its current value.
        #[allow(dead_code)]
        pub mod params {
            $($($crate::__param!($pname, $pkind, $($pbody)*);)*)?
        }

        // Through `$crate` (see `rkm::__private`): a driver's own
        // `option_env!`, `assert!`, `Some` or `None` cannot skip the check.
        const _: () = {
            match $crate::__private::option_env!("RKM_MODNAME") {
                $crate::__private::Option::Some(m) => $crate::__private::assert!(
                    $crate::module::str_eq(m, $name),
                    "module! name differs from the module's file name (KBUILD_MODNAME)"
                ),
                $crate::__private::Option::None => {}
            }
        };
        $crate::__modinfo!("license", $license);
        $($crate::__modinfo!("author", $author);)*
        $crate::__modinfo!("description", $desc);
        $($($crate::__modinfo!("alias", $alias);)*)?

        static __RKM_MODULE: $crate::module::ModuleSlot<$type> = $crate::module::ModuleSlot::new();

        // In an unnamed const: exported for the glue, but driver code cannot
        // name (and so call) them, which would drop the state twice.
        const _: () = {
            #[unsafe(no_mangle)]
            extern "C" fn rkm_rust_init() -> $crate::__private::c_int {
                // SAFETY: the glue calls this once, from module init.
                unsafe { $crate::module::ModuleSlot::init(&__RKM_MODULE) }
            }

            #[unsafe(no_mangle)]
            extern "C" fn rkm_rust_exit() {
                // SAFETY: the glue calls this once, from module exit, only after
                // rkm_rust_init returned 0.
                unsafe { $crate::module::ModuleSlot::exit(&__RKM_MODULE) }
            }
        };
    };
}
