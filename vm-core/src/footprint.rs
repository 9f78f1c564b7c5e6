//! [`Footprint`]: memory a VM holds for a program outside the collected heap (source texts
//! and compiled code), counted so that the heap limit covers it too.

use std::cell::Cell;
use std::rc::Rc;

/// The running total of bytes held outside the heap. Each holder keeps a [`Charge`], which
/// gives its bytes back when it is dropped, so the total follows what is alive.
#[derive(Clone, Default)]
pub(crate) struct Footprint(Rc<Cell<usize>>);

impl Footprint {
    /// Counts `bytes` until the returned charge is dropped.
    pub(crate) fn charge(&self, bytes: usize) -> Charge {
        self.0.set(self.0.get() + bytes);
        Charge { footprint: self.clone(), bytes }
    }

    /// The bytes counted now.
    pub(crate) fn bytes(&self) -> usize {
        self.0.get()
    }
}

/// Bytes counted in a [`Footprint`] while this lives.
pub(crate) struct Charge {
    footprint: Footprint,
    bytes: usize,
}

impl Drop for Charge {
    fn drop(&mut self) {
        let total = &self.footprint.0;
        total.set(total.get().saturating_sub(self.bytes));
    }
}

impl std::fmt::Debug for Charge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Charge({} bytes)", self.bytes)
    }
}
