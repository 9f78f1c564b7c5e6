//! A tri-colour incremental garbage collector over a handle-indexed heap.
//!
//! The heap stores objects of one type `T` in slots addressed by [`Handle`]s (an index
//! plus a generation). It knows nothing about what the objects mean: a type takes part by
//! implementing [`Trace`], which reports the handles an object holds.
//!
//! # The tri-colour invariant
//!
//! Every object is white (not yet known to be reachable), grey (reachable, children not yet
//! scanned) or black (reachable, children scanned). While a cycle is marking, **no black
//! object points to a white one**, except through the roots, which have no barrier and are
//! rescanned atomically before marking ends. When the grey set is empty after that rescan,
//! every white object is unreachable and the sweep frees it.
//!
//! Three rules keep the invariant while the mutator runs between increments:
//!
//! 1. **Allocation.** While marking, a new object that can hold handles is born black and
//!    its children are shaded (turned grey) at once, so an object that starts life holding
//!    references (a copy, a concatenation, an array literal) never points from black to
//!    white, and a container born empty needs no rescan however much is stored into it. A
//!    leaf (an object that can hold no handle, such as a string) is born white: it is
//!    found through the barrier or the atomic rescan of the roots if it is still in use,
//!    and freed in this same cycle if it is not, so short-lived strings float no garbage.
//!    While sweeping, a new object survives the sweep in progress; when idle it is white.
//! 2. **Stores.** [`Heap::get_mut_storing`] is the forward (insertion) barrier: a change that
//!    stores the handles it names into a black object shades them, and the object stays
//!    black. Removing or reordering references needs no barrier.
//! 3. **Anything else.** [`Heap::get_mut`] hands out an object for any change; a black one
//!    is set aside (colour "again") and rescanned once in the atomic phase. Setting it
//!    aside again is free, so a container changed on every step of the program costs one
//!    rescan per cycle, not one per change.
//!
//! Each object is therefore scanned at most twice per cycle (once by propagation, once more
//! if it was set aside), and a cycle ends after work proportional to the live heap plus
//! what was allocated during it, whatever the mutator does.
//!
//! Work is done in increments paced by allocation ([`Heap::step`]); [`Heap::collect`] runs a
//! whole cycle at once. Two stress modes ([`Stress`]) make bugs in roots, tracing or
//! barriers show up in tests.
//!
//! The crate is entirely safe Rust: handles are checked indexes, and a stale handle (one whose
//! slot was freed and maybe reused) is detected by its generation instead of reading garbage.

mod cycle;
mod handle;
mod heap;
mod stats;
mod stress;
mod trace;
mod verify;

pub use handle::Handle;
pub use heap::{Heap, Phase};
pub use stats::Stats;
pub use stress::Stress;
pub use trace::{Trace, Tracer};
pub use verify::VerifyError;

#[cfg(test)]
mod tests;
