// SPDX-License-Identifier: GPL-2.0
//! A bounded FIFO of `Copy` values in place (the kernel's `kfifo`), with
//! copies between a byte ring and user memory.
//!
//! ```
//! use rkm::ring::Ring;
//! let mut r: Ring<u8, 4> = Ring::new();
//! assert_eq!(r.push_slice(b"hello"), 4); // full after 4
//! let mut out = [0u8; 8];
//! assert_eq!(r.pop_slice(&mut out), 4);
//! assert_eq!(&out[..4], b"hell");
//! ```
//!
//! # Invariants
//!
//! `head < N` (or 0 if `N` is 0) and `len <= N`; the values are
//! `buf[(head + i) % N]` for `i < len`. No method panics (no unchecked
//! index, no division by zero: a `Ring` of capacity 0 is always full and
//! empty). It is plain data: [`IrqSafe`] and
//! [`IrqDrop`] for such `T`, so it can sit in a
//! [`SpinLockIrq`](crate::sync::SpinLockIrq) filled by a timer or
//! interrupt handler. Never copy to or from user memory with a spinlock
//! held (the copy may fault and sleep): for that, keep the ring in a
//! [`Mutex`](crate::sync::Mutex), or move values out under the spinlock
//! with [`pop_slice`](Ring::pop_slice) first.

use crate::error::Result;
use crate::irq::{IrqDrop, IrqSafe};
use crate::user::{UserSliceReader, UserSliceWriter};

/// A bounded FIFO of up to `N` values of `T`.
///
/// ```
/// let mut r: rkm::ring::Ring<u16, 8> = rkm::ring::Ring::new();
/// let _ = r.push(3);
/// ```
pub struct Ring<T: Copy + Default, const N: usize> {
    buf: [T; N],
    head: usize,
    len: usize,
}

// SAFETY: plain data: no operation sleeps.
unsafe impl<T: Copy + Default + IrqSafe, const N: usize> IrqSafe for Ring<T, N> {}
// SAFETY: Copy values have no drop.
unsafe impl<T: Copy + Default + IrqDrop, const N: usize> IrqDrop for Ring<T, N> {}

impl<T: Copy + Default, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default, const N: usize> Ring<T, N> {
    /// An empty ring.
    ///
    /// ```
    /// let r: rkm::ring::Ring<u32, 16> = rkm::ring::Ring::new();
    /// assert!(r.is_empty());
    /// ```
    pub fn new() -> Self {
        Ring { buf: [T::default(); N], head: 0, len: 0 }
    }

    /// How many values it can hold.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert_eq!(r.capacity(), 4);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// How many values it holds.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert_eq!(r.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert!(!r.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether it holds `N`.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert!(!r.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.len == N
    }

    /// Room left.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert_eq!(r.room(), 3);
    /// ```
    pub fn room(&self) -> usize {
        N - self.len
    }

    /// Drops every value.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// r.clear();
    /// assert!(r.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// Index `i` positions after `start`, wrapped (`N` > 0).
    fn wrap(start: usize, i: usize) -> usize {
        // start < N and i <= N: no overflow.
        let j = start + i;
        if j >= N {
            j - N
        } else {
            j
        }
    }

    /// Appends `v`; gives it back if full.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 1> = rkm::ring::Ring::new();
    /// assert_eq!(r.push(1), Ok(()));
    /// assert_eq!(r.push(2), Err(2));
    /// ```
    pub fn push(&mut self, v: T) -> core::result::Result<(), T> {
        if self.len >= N {
            return Err(v);
        }
        let i = Self::wrap(self.head, self.len);
        if let Some(slot) = self.buf.get_mut(i) {
            *slot = v;
            self.len += 1;
            return Ok(());
        }
        Err(v)
    }

    /// Removes and returns the oldest value.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 2> = rkm::ring::Ring::new();
    /// let _ = r.push(9);
    /// assert_eq!(r.pop(), Some(9));
    /// assert_eq!(r.pop(), None);
    /// ```
    pub fn pop(&mut self) -> Option<T> {
        let v = self.peek()?;
        self.consume(1);
        Some(v)
    }

    /// The oldest value, left in place.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert_eq!(r.peek(), Some(5));
    /// ```
    pub fn peek(&self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.buf.get(self.head).copied()
    }

    /// Drops the `n` oldest values (at most all).
    fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        if n == 0 {
            return;
        }
        self.head = Self::wrap(self.head, n);
        self.len -= n;
        if self.len == 0 {
            self.head = 0;
        }
    }

    /// The values as (up to) two contiguous slices, oldest first.
    fn filled(&self) -> (&[T], &[T]) {
        let first = self.len.min(N - self.head);
        let a = self.buf.get(self.head..self.head + first).unwrap_or(&[]);
        let b = self.buf.get(..self.len - first).unwrap_or(&[]);
        (a, b)
    }

    /// The free space as (up to) two contiguous slices, in fill order.
    fn free_mut(&mut self) -> (&mut [T], &mut [T]) {
        if N == 0 {
            return (&mut [], &mut []);
        }
        let tail = Self::wrap(self.head, self.len);
        let room = N - self.len;
        let first = room.min(N - tail);
        let (lo, hi) = self.buf.split_at_mut(tail);
        let a = hi.get_mut(..first).unwrap_or(&mut []);
        let b = lo.get_mut(..room - first).unwrap_or(&mut []);
        (a, b)
    }

    /// Appends as many of `vals` as fit; returns how many.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// assert_eq!(r.push_slice(&[1, 2, 3, 4]), 3);
    /// ```
    pub fn push_slice(&mut self, vals: &[T]) -> usize {
        let (a, b) = self.free_mut();
        let na = a.len().min(vals.len());
        a[..na].copy_from_slice(&vals[..na]);
        let rest = &vals[na..];
        let nb = b.len().min(rest.len());
        b[..nb].copy_from_slice(&rest[..nb]);
        self.len += na + nb;
        na + nb
    }

    /// Moves up to `out.len()` of the oldest values into `out`; returns how many.
    ///
    /// ```
    /// let mut r: rkm::ring::Ring<u8, 4> = rkm::ring::Ring::new();
    /// let _ = r.push(5);
    /// let mut out = [0u8; 2];
    /// assert_eq!(r.pop_slice(&mut out), 1);
    /// ```
    pub fn pop_slice(&mut self, out: &mut [T]) -> usize {
        let (a, b) = self.filled();
        let na = a.len().min(out.len());
        out[..na].copy_from_slice(&a[..na]);
        let nb = b.len().min(out.len() - na);
        out[na..na + nb].copy_from_slice(&b[..nb]);
        self.consume(na + nb);
        na + nb
    }
}

impl<const N: usize> Ring<u8, N> {
    /// Copies the oldest bytes to user memory (as many as fit in `out`),
    /// removing exactly the bytes copied (`kfifo_to_user`). `EFAULT` if
    /// none could be copied and some were to go. Process context, no
    /// spinlock held.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut rkm::ring::Ring<u8, 64>, mut out: UserSliceWriter) -> Result<usize> {
    /// r.to_user(&mut out)
    /// # }
    /// ```
    pub fn to_user(&mut self, out: &mut UserSliceWriter) -> Result<usize> {
        let (a, b) = self.filled();
        let mut n = 0;
        let r = (|| {
            let na = out.write_partial(a)?;
            n += na;
            if na == a.len() && !b.is_empty() && !out.is_empty() {
                n += out.write_partial(b)?;
            }
            Ok(())
        })();
        self.consume(n);
        match r {
            // A fault after some bytes: those count.
            Err(_) if n > 0 => Ok(n),
            Err(e) => Err(e),
            Ok(()) => Ok(n),
        }
    }

    /// Appends bytes from user memory (as many as fit; `kfifo_from_user`);
    /// returns how many. `EFAULT` if none could be copied and some were to
    /// come. Process context, no spinlock held.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut rkm::ring::Ring<u8, 64>, mut input: UserSliceReader) -> Result<usize> {
    /// r.from_user(&mut input)
    /// # }
    /// ```
    pub fn from_user(&mut self, input: &mut UserSliceReader) -> Result<usize> {
        let mut n = 0;
        let r = {
            let (a, b) = self.free_mut();
            (|| {
                let na = input.read_partial(a)?;
                n += na;
                if na == a.len() && !b.is_empty() && !input.is_empty() {
                    n += input.read_partial(b)?;
                }
                Ok(())
            })()
        };
        self.len += n;
        match r {
            Err(_) if n > 0 => Ok(n),
            Err(e) => Err(e),
            Ok(()) => Ok(n),
        }
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("push_pop_in_order", push_pop_in_order),
        ("slices_wrap", slices_wrap),
        ("zero_capacity", zero_capacity),
    ];

    fn push_pop_in_order() -> Result {
        let mut r: Ring<u32, 3> = Ring::new();
        kassert!(r.is_empty() && r.capacity() == 3 && r.room() == 3);
        kassert!(r.push(1).is_ok() && r.push(2).is_ok() && r.push(3).is_ok());
        kassert!(r.is_full());
        kassert!(r.push(4) == Err(4));
        kassert!(r.pop() == Some(1));
        kassert!(r.push(4).is_ok());
        kassert!(r.peek() == Some(2));
        kassert!(r.pop() == Some(2) && r.pop() == Some(3) && r.pop() == Some(4));
        kassert!(r.pop().is_none() && r.peek().is_none());
        Ok(())
    }

    fn slices_wrap() -> Result {
        let mut r: Ring<u8, 8> = Ring::new();
        let mut out = [0u8; 16];
        for round in 0..20u8 {
            let data = [round, round + 1, round + 2, round + 3, round + 4];
            kassert!(r.push_slice(&data) == 5);
            kassert!(r.pop_slice(&mut out[..2]) == 2);
            kassert!(out[..2] == data[..2]);
            kassert!(r.pop_slice(&mut out) == 3);
            kassert!(out[..3] == data[2..]);
            // Keep head moving around the end.
            let _ = r.push(round);
            kassert!(r.pop() == Some(round));
        }
        kassert!(r.push_slice(&[7; 20]) == 8);
        kassert!(r.push_slice(&[7]) == 0);
        r.clear();
        kassert!(r.is_empty() && r.pop_slice(&mut out) == 0);
        Ok(())
    }

    fn zero_capacity() -> Result {
        let mut r: Ring<u8, 0> = Ring::new();
        let mut out = [0u8; 4];
        kassert!(r.is_empty() && r.is_full());
        kassert!(r.push(1) == Err(1));
        kassert!(r.push_slice(b"abc") == 0);
        kassert!(r.pop_slice(&mut out) == 0);
        kassert!(r.pop().is_none());
        Ok(())
    }
}
