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
//! object points to a white one**, except through the roots, which are rescanned atomically
//! before marking ends. The mutator keeps the invariant with a backward write barrier: every
//! mutable access to an object ([`Heap::get_mut`]) turns a black object grey again, so it
//! is rescanned. When the grey set is empty after the atomic rescan, every white object is
//! unreachable and the sweep frees it.
//!
//! Work is done in increments paced by allocation ([`Heap::step`]); [`Heap::collect`] runs a
//! whole cycle at once. A stress mode collects fully at every step and verifies the heap.
//!
//! The crate is entirely safe Rust: handles are checked indexes, and a stale handle (one whose
//! slot was freed and maybe reused) is detected by its generation instead of reading garbage.

mod handle;
mod heap;
mod stats;
mod trace;

pub use handle::Handle;
pub use heap::{Heap, Phase, VerifyError};
pub use stats::Stats;
pub use trace::{Trace, Tracer};

#[cfg(test)]
mod tests;
