//! The heap: slots, allocation (with its colour rule) and access (with the write barriers).
//! The collection cycle that works on it is in `cycle`, the checks in `verify`.

use std::num::NonZeroU32;

use crate::handle::Handle;
use crate::stats::Stats;
use crate::stress::Stress;
use crate::trace::{Trace, Tracer};

/// The colour of a slot. `Free` marks an empty slot, which is never marked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Colour {
    Free,
    White,
    Grey,
    Black,
    /// Black, then handed out by [`Heap::get_mut`] while marking: on the `again` list, to
    /// be rescanned in the atomic phase. Counts as marked.
    Again,
}

/// Turns a white object grey and queues it for scanning; anything else is left alone (a
/// free slot is never white, so a stale handle shades nothing it should not;
/// `Heap::verify` reports such handles).
#[inline]
pub(crate) fn shade(colours: &mut [Colour], grey: &mut Vec<u32>, handle: Handle) {
    if let Some(colour @ Colour::White) = colours.get_mut(handle.index() as usize) {
        *colour = Colour::Grey;
        grey.push(handle.index());
    }
}

/// A big object being scanned a part at a time: its slot, and the first child not scanned.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Partial {
    pub(crate) index: u32,
    pub(crate) next: usize,
}

/// Where the collector is in its cycle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// No cycle is running; allocation only accumulates debt.
    Idle,
    /// Grey objects are being scanned; the write barriers are active.
    Mark,
    /// Unmarked objects are being freed, a bounded number of slots per step.
    Sweep,
}

/// A heap of `T`s addressed by [`Handle`]s, collected incrementally.
///
/// The heap never finds roots by itself: every operation that may free objects takes a
/// `roots` callback that reports the handles held outside the heap (stacks, globals,
/// handles kept by an embedder). The caller must call [`Heap::step`] and [`Heap::collect`]
/// only at points where every live object is reachable from those roots (safe points).
pub struct Heap<T> {
    /// The objects, by slot index; `None` in a free slot.
    pub(crate) values: Vec<Option<T>>,
    /// The generation of each slot (see [`Handle`]).
    pub(crate) generations: Vec<NonZeroU32>,
    pub(crate) colours: Vec<Colour>,
    pub(crate) free: Vec<u32>,
    /// Grey objects waiting to be scanned.
    pub(crate) grey: Vec<u32>,
    /// Objects set aside by [`Heap::get_mut`] while marking (colour `Again`).
    pub(crate) again: Vec<u32>,
    /// A big object being scanned a part at a time (it is black meanwhile).
    pub(crate) partial: Option<Partial>,
    /// Objects with more positions than this are scanned in parts ([`Heap::PART_SIZE`];
    /// tests make it small).
    pub(crate) part_size: usize,
    pub(crate) phase: Phase,
    pub(crate) sweep_cursor: usize,
    /// Bytes of the objects that survived the sweep so far in this cycle.
    pub(crate) survivor_bytes: usize,
    /// A new cycle starts when `heap_bytes` reaches this.
    pub(crate) threshold: usize,
    /// Bytes allocated since the last step; repaid by collector work.
    pub(crate) debt: usize,
    pub(crate) allocated_since_step: bool,
    pub(crate) stress: Stress,
    /// A sweep ended since the last safe point; stress modes verify the heap there.
    pub(crate) verify_pending: bool,
    /// Handles the root scans of the last cycle visited.
    pub(crate) root_cost: usize,
    /// Work saved up while idle under [`Stress::Incremental`].
    pub(crate) idle_credit: usize,
    pub(crate) stats: Stats,
}

impl<T: Trace> Default for Heap<T> {
    fn default() -> Self {
        Heap::new()
    }
}

impl<T: Trace> Heap<T> {
    /// An empty heap.
    pub fn new() -> Heap<T> {
        Heap {
            values: Vec::new(),
            generations: Vec::new(),
            colours: Vec::new(),
            free: Vec::new(),
            grey: Vec::new(),
            again: Vec::new(),
            partial: None,
            part_size: Self::PART_SIZE,
            phase: Phase::Idle,
            sweep_cursor: 0,
            survivor_bytes: 0,
            threshold: Self::MIN_THRESHOLD,
            debt: 0,
            allocated_since_step: false,
            stress: Stress::Off,
            verify_pending: false,
            root_cost: 0,
            idle_credit: 0,
            stats: Stats::default(),
        }
    }

    fn slot_bytes() -> usize {
        std::mem::size_of::<Option<T>>() + std::mem::size_of::<NonZeroU32>() + std::mem::size_of::<Colour>()
    }

    /// What an object costs: its slot plus what it owns outside it.
    pub(crate) fn object_bytes(value: &T) -> usize {
        Self::slot_bytes() + value.extra_bytes()
    }

    /// Sets the stress mode (see [`Stress`]).
    pub fn set_stress(&mut self, stress: Stress) {
        self.stress = stress;
    }

    /// The stress mode.
    pub fn stress(&self) -> Stress {
        self.stress
    }

    /// The collector's current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Counters about the heap and the collector.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Number of allocated objects.
    pub fn len(&self) -> usize {
        self.stats.live_objects
    }

    /// Whether no object is allocated.
    pub fn is_empty(&self) -> bool {
        self.stats.live_objects == 0
    }

    /// Stores `value` in a free slot and returns its handle.
    ///
    /// Allocation never starts or finishes a cycle: it adds debt, which the owner repays by
    /// calling [`Heap::step`] at a safe point. (Under [`Stress::Incremental`] it also does
    /// a little propagation or sweeping, which needs no roots.)
    pub fn alloc(&mut self, value: T) -> Handle {
        let bytes = Self::object_bytes(&value);
        let index = match self.free.pop() {
            Some(index) => {
                self.values[index as usize] = Some(value);
                index
            }
            None => {
                let index = u32::try_from(self.values.len()).expect("more than 2^32 heap slots");
                self.values.push(Some(value));
                self.generations.push(NonZeroU32::MIN);
                self.colours.push(Colour::Free);
                index
            }
        };
        let i = index as usize;
        // The allocation rule (see the crate docs): while marking, a leaf is white and
        // anything else black with its children shaded; while sweeping, black ahead of the
        // cursor (the sweep whitens it) and white behind it; white when idle.
        self.colours[i] = match self.phase {
            Phase::Idle => Colour::White,
            Phase::Mark => {
                let Heap { values, colours, grey, .. } = self;
                match &values[i] {
                    Some(value) if value.can_hold_handles() => {
                        value.trace(&mut Tracer::marking(colours, grey));
                        Colour::Black
                    }
                    _ => Colour::White,
                }
            }
            Phase::Sweep if i < self.sweep_cursor => {
                self.survivor_bytes += bytes;
                Colour::White
            }
            Phase::Sweep => Colour::Black,
        };
        self.stats.live_objects += 1;
        self.stats.heap_bytes += bytes;
        self.debt += bytes;
        self.allocated_since_step = true;
        if self.stress == Stress::Incremental {
            self.allocation_work(Self::STRESS_ALLOCATION_WORK);
        }
        Handle::new(index, self.generations[i])
    }

    /// Records that an object grew by `bytes` (a pushed element, a longer buffer), so that
    /// growth without allocation still paces the collector and counts toward limits.
    pub fn note_growth(&mut self, bytes: usize) {
        self.stats.heap_bytes += bytes;
        self.debt += bytes;
    }

    /// Records that an object shrank by `bytes`.
    pub fn note_shrink(&mut self, bytes: usize) {
        self.stats.heap_bytes = self.stats.heap_bytes.saturating_sub(bytes);
    }

    /// Whether `handle` names a live object.
    pub fn contains(&self, handle: Handle) -> bool {
        self.get(handle).is_some()
    }

    /// The object `handle` names, or `None` if the handle is stale.
    #[inline(always)]
    pub fn get(&self, handle: Handle) -> Option<&T> {
        let index = handle.index() as usize;
        if self.generations.get(index)?.get() != handle.generation() {
            return None;
        }
        self.values[index].as_ref()
    }

    /// Whether `handle` is current (its slot was not freed since it was made).
    #[inline]
    fn current(&self, handle: Handle) -> bool {
        self.generations.get(handle.index() as usize).is_some_and(|g| g.get() == handle.generation())
    }

    /// Mutable access for any change, or `None` if the handle is stale.
    ///
    /// While marking, a black object handed out here is set aside and rescanned once in the
    /// atomic phase (rule 3 of the crate docs). Prefer [`Heap::get_mut_storing`] for changes
    /// that store known handles: it keeps the object black.
    #[inline]
    pub fn get_mut(&mut self, handle: Handle) -> Option<&mut T> {
        if !self.current(handle) {
            return None;
        }
        let index = handle.index() as usize;
        if self.phase == Phase::Mark && self.colours[index] == Colour::Black {
            self.colours[index] = Colour::Again;
            self.again.push(handle.index());
        }
        self.values[index].as_mut()
    }

    /// Mutable access for a change that stores no handle except those in `stored`, or `None`
    /// if the handle is stale. The change may also remove the object's last handles or
    /// replace handles in place, but must not move any toward the front (use
    /// [`Heap::get_mut_shifting`] for that).
    ///
    /// This is the forward barrier (rule 2 of the crate docs): while marking, if the object
    /// is black, each stored handle is shaded, and the object stays black. The caller must
    /// name every handle the change stores; one left out may be freed while still in use
    /// (the stress modes catch this).
    #[inline(always)]
    pub fn get_mut_storing(&mut self, handle: Handle, stored: impl IntoIterator<Item = Handle>) -> Option<&mut T> {
        if !self.current(handle) {
            return None;
        }
        let index = handle.index() as usize;
        if self.phase == Phase::Mark && self.colours[index] == Colour::Black {
            self.shade_stored(stored);
        }
        self.values[index].as_mut()
    }

    /// The forward barrier of [`Heap::get_mut_storing`], kept out of its inlined fast path
    /// (it runs only while marking, for a change to a black object).
    #[cold]
    #[inline(never)]
    fn shade_stored(&mut self, stored: impl IntoIterator<Item = Handle>) {
        for child in stored {
            shade(&mut self.colours, &mut self.grey, child);
        }
    }

    /// As [`Heap::get_mut_storing`], for a change that may also move handles toward the
    /// front (removing from the middle). A big object being scanned a part at a time
    /// would miss a handle moved behind its scan, so its scan is finished first.
    pub fn get_mut_shifting(&mut self, handle: Handle, stored: impl IntoIterator<Item = Handle>) -> Option<&mut T> {
        if self.partial.is_some_and(|p| p.index == handle.index()) && self.current(handle) {
            self.scan_part(usize::MAX);
        }
        self.get_mut_storing(handle, stored)
    }

    /// The handles of every allocated object, in slot order.
    pub fn handles(&self) -> impl Iterator<Item = Handle> + '_ {
        self.values.iter().enumerate().filter(|(_, v)| v.is_some()).map(|(i, _)| self.handle_at(i))
    }

    pub(crate) fn handle_at(&self, index: usize) -> Handle {
        Handle::new(index as u32, self.generations[index])
    }
}
