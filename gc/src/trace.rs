//! The [`Trace`] contract and the [`Tracer`] that objects report their children to.

use crate::handle::Handle;
use crate::heap::{Colour, shade};

/// Implemented by every type stored in a [`crate::Heap`].
///
/// Rules an implementation must keep:
/// 1. `trace` reports **every** handle the object holds (directly or in owned Rust data). A
///    handle left out may be freed while still in use; [`crate::Heap::verify`] catches this.
/// 2. `trace` must not touch the heap.
/// 3. `extra_bytes` estimates the memory owned outside the slot (buffers, boxed data); it
///    paces the collector and feeds the heap-size limit, so it should grow with the object.
/// 4. An object that can hold very many handles may report them a part at a time:
///    `trace_part` over `0..part_positions()` reports exactly what `trace` does, and a
///    handle keeps its position unless the change that moves it goes through
///    [`crate::Heap::get_mut_shifting`].
pub trait Trace {
    /// Reports each handle this object holds to `tracer`.
    fn trace(&self, tracer: &mut Tracer<'_>);

    /// Bytes owned by the object beyond its slot.
    fn extra_bytes(&self) -> usize {
        0
    }

    /// Whether the object can ever hold a handle; a string, say, cannot. Such leaves are
    /// born white even while marking (see the allocation rule in the crate docs).
    fn can_hold_handles(&self) -> bool {
        true
    }

    /// For an object that can be scanned a part at a time (a big array or map), the number
    /// of positions [`Trace::trace_part`] takes; 0, the default, means it is traced whole.
    fn part_positions(&self) -> usize {
        0
    }

    /// Reports the handles held at positions `from..to` (clamped to the positions there are).
    fn trace_part(&self, _from: usize, _to: usize, _tracer: &mut Tracer<'_>) {}
}

/// Receives the handles an object or a root set holds.
pub struct Tracer<'a> {
    mode: Mode<'a>,
    /// How many handles were reported; charges marking work to the increment.
    pub(crate) visited: usize,
}

enum Mode<'a> {
    /// Marking: white objects turn grey and join the grey stack.
    Mark { colours: &'a mut [Colour], grey: &'a mut Vec<u32> },
    /// Verifying or inspecting: handles are collected as they are.
    Collect { out: &'a mut Vec<Handle> },
}

impl<'a> Tracer<'a> {
    pub(crate) fn marking(colours: &'a mut [Colour], grey: &'a mut Vec<u32>) -> Tracer<'a> {
        Tracer { mode: Mode::Mark { colours, grey }, visited: 0 }
    }

    pub(crate) fn collecting(out: &'a mut Vec<Handle>) -> Tracer<'a> {
        Tracer { mode: Mode::Collect { out }, visited: 0 }
    }

    /// Charges `units` of work that found no handle (frames without references walked while
    /// tracing a root set), so that increments and the stress modes see what a scan cost.
    #[inline]
    pub fn charge(&mut self, units: usize) {
        self.visited += units;
    }

    /// Reports that the object being traced (or the root set) holds `handle`.
    #[inline]
    pub fn mark(&mut self, handle: Handle) {
        self.visited += 1;
        match &mut self.mode {
            Mode::Mark { colours, grey } => shade(colours, grey, handle),
            Mode::Collect { out } => out.push(handle),
        }
    }
}
