// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler reaches only its Hw, never the
// process-context Data (which holds sleeping locks and allocations).
// Misuse: smuggle the Data into Hw behind an Arc, so the handler can lock
// its Mutex in atomic context.
// Refused because: irq_safe! requires every field to be IrqSafe, and an Arc
// is IrqSafe only if what it points to is (and IrqDrop: a handler's clone
// may be the last one dropped): Data, holding a Mutex, is neither.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

/// The process-context part.
pub struct Data {
    pub count: Mutex<u64>,
}

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub data: Arc<Data>, //~ ERROR E0277: `Data: IrqSafe` is not satisfied //~ ERROR E0277: `Data: IrqDrop` is not satisfied
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "irq_hw_arc_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
