//! The heap: slots, allocation, the write barrier and the collection cycle.

use std::fmt;
use std::time::{Duration, Instant};

use crate::handle::Handle;
use crate::stats::Stats;
use crate::trace::{Trace, Tracer};

/// The colour of a slot. `Free` marks an empty slot, which is never marked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Colour {
    Free,
    White,
    Grey,
    Black,
}

/// Where the collector is in its cycle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// No cycle is running; allocation only accumulates debt.
    Idle,
    /// Grey objects are being scanned; the write barrier is active.
    Mark,
    /// Unmarked objects are being freed, a bounded number of slots per step.
    Sweep,
}

struct Entry<T> {
    generation: u32,
    value: Option<T>,
}

/// A heap of `T`s addressed by [`Handle`]s, collected incrementally.
///
/// The heap never finds roots by itself: every operation that may free objects takes a
/// `roots` callback that reports the handles held outside the heap (stacks, globals,
/// handles kept by an embedder). The caller must call [`Heap::step`] and [`Heap::collect`]
/// only at points where every live object is reachable from those roots.
pub struct Heap<T> {
    entries: Vec<Entry<T>>,
    colours: Vec<Colour>,
    free: Vec<u32>,
    grey: Vec<u32>,
    phase: Phase,
    sweep_cursor: usize,
    /// Bytes of the objects that survived the sweep so far in this cycle.
    survivor_bytes: usize,
    /// A new cycle starts when `heap_bytes` reaches this.
    pub(crate) threshold: usize,
    /// Bytes allocated since the last step; repaid by collector work.
    pub(crate) debt: usize,
    allocated_since_collect: bool,
    stress: bool,
    stats: Stats,
}

impl<T: Trace> Default for Heap<T> {
    fn default() -> Self {
        Heap::new()
    }
}

impl<T: Trace> Heap<T> {
    /// The smallest heap size at which a cycle starts.
    pub const MIN_THRESHOLD: usize = 1 << 20;
    /// A cycle starts when the heap has grown to this percentage of what survived the last.
    pub const PAUSE_PERCENT: usize = 200;
    /// Allocation debt (bytes) that makes [`Heap::wants_step`] true.
    pub const STEP_DEBT: usize = 16 << 10;
    /// Units of collector work (objects scanned or swept, handles visited) per byte of debt
    /// are `1 / BYTES_PER_WORK`. Tuned so a cycle ends well before the heap doubles.
    pub const BYTES_PER_WORK: usize = 8;
    /// The least work an increment does, so that small debts still make progress.
    pub const MIN_WORK: usize = 512;

    /// An empty heap.
    pub fn new() -> Heap<T> {
        Heap {
            entries: Vec::new(),
            colours: Vec::new(),
            free: Vec::new(),
            grey: Vec::new(),
            phase: Phase::Idle,
            sweep_cursor: 0,
            survivor_bytes: 0,
            threshold: Self::MIN_THRESHOLD,
            debt: 0,
            allocated_since_collect: false,
            stress: false,
            stats: Stats::default(),
        }
    }

    fn slot_bytes() -> usize {
        std::mem::size_of::<Entry<T>>() + std::mem::size_of::<Colour>()
    }

    fn object_bytes(value: &T) -> usize {
        Self::slot_bytes() + value.extra_bytes()
    }

    /// Turns stress mode on or off: in stress mode every [`Heap::step`] that follows an
    /// allocation runs a full collection and then verifies the heap.
    pub fn set_stress(&mut self, stress: bool) {
        self.stress = stress;
    }

    /// Whether stress mode is on.
    pub fn stress(&self) -> bool {
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
    /// Allocation never collects: it only adds debt, which the owner repays by calling
    /// [`Heap::step`] at a safe point.
    pub fn alloc(&mut self, value: T) -> Handle {
        let bytes = Self::object_bytes(&value);
        let index = match self.free.pop() {
            Some(index) => {
                self.entries[index as usize].value = Some(value);
                index
            }
            None => {
                let index = u32::try_from(self.entries.len()).expect("more than 2^32 heap slots");
                self.entries.push(Entry { generation: 0, value: Some(value) });
                self.colours.push(Colour::Free);
                index
            }
        };
        let i = index as usize;
        // New objects must survive the cycle in progress: black while marking; while
        // sweeping, black ahead of the cursor (the sweep whitens it) and white behind it.
        self.colours[i] = match self.phase {
            Phase::Idle => Colour::White,
            Phase::Mark => Colour::Black,
            Phase::Sweep if i < self.sweep_cursor => {
                self.survivor_bytes += bytes;
                Colour::White
            }
            Phase::Sweep => Colour::Black,
        };
        self.stats.live_objects += 1;
        self.stats.heap_bytes += bytes;
        self.debt += bytes;
        self.allocated_since_collect = true;
        Handle::new(index, self.entries[i].generation)
    }

    /// Records that an object grew by `bytes` (a pushed element, a longer buffer), so that
    /// growth without allocation still paces the collector and counts toward limits.
    pub fn note_growth(&mut self, bytes: usize) {
        self.stats.heap_bytes += bytes;
        self.debt += bytes;
    }

    /// Whether `handle` names a live object.
    pub fn contains(&self, handle: Handle) -> bool {
        self.get(handle).is_some()
    }

    /// The object `handle` names, or `None` if the handle is stale.
    #[inline]
    pub fn get(&self, handle: Handle) -> Option<&T> {
        let entry = self.entries.get(handle.index() as usize)?;
        if entry.generation != handle.generation() {
            return None;
        }
        entry.value.as_ref()
    }

    /// Mutable access to the object `handle` names, or `None` if the handle is stale.
    ///
    /// This is the write barrier: while marking, a black object handed out for mutation
    /// turns grey again, so whatever is stored into it is scanned before the cycle ends.
    #[inline]
    pub fn get_mut(&mut self, handle: Handle) -> Option<&mut T> {
        let index = handle.index() as usize;
        let entry = self.entries.get_mut(index)?;
        if entry.generation != handle.generation() {
            return None;
        }
        if self.phase == Phase::Mark && self.colours[index] == Colour::Black {
            self.colours[index] = Colour::Grey;
            self.grey.push(handle.index());
        }
        entry.value.as_mut()
    }

    /// Whether enough has been allocated since the last increment that the owner should
    /// call [`Heap::step`] at its next safe point.
    #[inline]
    pub fn wants_step(&self) -> bool {
        self.debt >= Self::STEP_DEBT || (self.stress && self.allocated_since_collect)
    }

    /// Performs one increment of collection work, proportional to the allocation debt.
    /// `roots` must report every handle held outside the heap.
    ///
    /// # Panics
    /// In stress mode, if verification finds a broken heap (a reachable handle to a freed
    /// slot): that is a bug in the owner's roots or `Trace` implementations.
    pub fn step(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) {
        let started = Instant::now();
        if self.stress {
            if self.allocated_since_collect {
                self.full_cycle(&mut roots);
                if let Err(err) = self.verify(&mut roots) {
                    panic!("GC stress: heap verification failed: {err}");
                }
            }
            self.record_pause(started.elapsed());
            return;
        }
        let budget = (self.debt / Self::BYTES_PER_WORK).max(Self::MIN_WORK);
        self.debt = 0;
        self.work(budget, &mut roots);
        self.record_pause(started.elapsed());
    }

    /// Advances the cycle by about `budget` units of work, starting one if the heap has
    /// reached its threshold.
    pub(crate) fn work(&mut self, mut budget: usize, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        while budget > 0 {
            match self.phase {
                Phase::Idle => {
                    if self.stats.heap_bytes < self.threshold {
                        break;
                    }
                    self.begin_mark(roots);
                }
                Phase::Mark => {
                    budget = budget.saturating_sub(self.propagate(budget));
                    if self.grey.is_empty() {
                        self.atomic(roots);
                    }
                }
                Phase::Sweep => {
                    budget = budget.saturating_sub(self.sweep(budget));
                }
            }
        }
    }

    /// Collects everything unreachable from `roots` now: finishes the cycle in progress,
    /// then runs a whole new one.
    pub fn collect(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) {
        let started = Instant::now();
        self.full_cycle(&mut roots);
        self.record_pause(started.elapsed());
    }

    fn full_cycle(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        if self.phase != Phase::Idle {
            self.finish_cycle(roots);
        }
        self.begin_mark(roots);
        self.finish_cycle(roots);
        self.debt = 0;
        self.allocated_since_collect = false;
    }

    fn finish_cycle(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        if self.phase == Phase::Mark {
            self.propagate(usize::MAX);
            self.atomic(roots);
        }
        if self.phase == Phase::Sweep {
            self.sweep(usize::MAX);
        }
    }

    fn record_pause(&mut self, pause: Duration) {
        self.stats.total_pause += pause;
        self.stats.max_pause = self.stats.max_pause.max(pause);
    }

    pub(crate) fn begin_mark(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        debug_assert!(self.grey.is_empty());
        self.phase = Phase::Mark;
        roots(&mut Tracer::marking(&mut self.colours, &mut self.grey));
    }

    /// Scans grey objects until `budget` units of work are done or none is left; returns
    /// the work done.
    pub(crate) fn propagate(&mut self, budget: usize) -> usize {
        let Heap { entries, colours, grey, .. } = self;
        let mut work = 0;
        while work < budget {
            let Some(index) = grey.pop() else { break };
            let index = index as usize;
            if colours[index] != Colour::Grey {
                // Pushed twice (marked, then re-greyed by the barrier and scanned already).
                continue;
            }
            colours[index] = Colour::Black;
            let mut tracer = Tracer::marking(colours, grey);
            if let Some(value) = &entries[index].value {
                value.trace(&mut tracer);
            }
            work += 1 + tracer.visited;
        }
        work
    }

    /// The atomic end of marking: rescan the roots (which have no barrier) and drain the
    /// grey set in one go, then start sweeping.
    pub(crate) fn atomic(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        roots(&mut Tracer::marking(&mut self.colours, &mut self.grey));
        self.propagate(usize::MAX);
        debug_assert!(self.grey.is_empty());
        if self.stress
            && let Err(err) = self.check_no_black_to_white()
        {
            panic!("GC stress: tri-colour invariant broken at the end of marking: {err}");
        }
        self.phase = Phase::Sweep;
        self.sweep_cursor = 0;
        self.survivor_bytes = 0;
    }

    /// Frees white objects and whitens black ones, `budget` slots at most; returns the
    /// work done.
    pub(crate) fn sweep(&mut self, budget: usize) -> usize {
        let end = self.entries.len();
        let mut work = 0;
        while self.sweep_cursor < end && work < budget {
            let index = self.sweep_cursor;
            self.sweep_cursor += 1;
            work += 1;
            match self.colours[index] {
                Colour::Free => {}
                Colour::White => self.free_slot(index),
                Colour::Grey | Colour::Black => {
                    self.colours[index] = Colour::White;
                    if let Some(value) = &self.entries[index].value {
                        self.survivor_bytes += Self::object_bytes(value);
                    }
                }
            }
        }
        if self.sweep_cursor >= end {
            self.phase = Phase::Idle;
            self.stats.heap_bytes = self.survivor_bytes;
            self.stats.collections += 1;
            self.threshold = (self.survivor_bytes / 100 * Self::PAUSE_PERCENT).max(Self::MIN_THRESHOLD);
        }
        work
    }

    fn free_slot(&mut self, index: usize) {
        let entry = &mut self.entries[index];
        let value = entry.value.take();
        self.colours[index] = Colour::Free;
        self.stats.live_objects -= 1;
        self.stats.freed_objects += 1;
        if let Some(value) = &value {
            self.stats.heap_bytes = self.stats.heap_bytes.saturating_sub(Self::object_bytes(value));
        }
        // A slot whose generation would wrap is retired, so a handle can never come back
        // to life.
        if entry.generation < u32::MAX {
            entry.generation += 1;
            self.free.push(index as u32);
        }
        drop(value);
    }

    fn children(value: &T, out: &mut Vec<Handle>) {
        out.clear();
        value.trace(&mut Tracer::collecting(out));
    }

    fn check_no_black_to_white(&self) -> Result<(), VerifyError> {
        let mut children = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            if self.colours[index] != Colour::Black {
                continue;
            }
            let Some(value) = &entry.value else { continue };
            Self::children(value, &mut children);
            for &child in &children {
                let colour = self.colours.get(child.index() as usize).copied();
                if colour != Some(Colour::Black) {
                    return Err(VerifyError::BlackToWhite { parent: self.handle_at(index), child });
                }
            }
        }
        Ok(())
    }

    fn handle_at(&self, index: usize) -> Handle {
        Handle::new(index as u32, self.entries[index].generation)
    }

    /// Checks that every handle reachable from `roots` names a live object. A failure means
    /// some handle was not reported by a root set or a `Trace` implementation, and its object
    /// was freed while still in use. (Unreachable objects awaiting the sweep may point to
    /// objects already swept; they are not checked.)
    ///
    /// # Errors
    /// The first dangling handle found, with where it was held.
    pub fn verify(&self, mut roots: impl FnMut(&mut Tracer<'_>)) -> Result<(), VerifyError> {
        let mut handles = Vec::new();
        roots(&mut Tracer::collecting(&mut handles));
        if let Some(&handle) = handles.iter().find(|&&h| !self.contains(h)) {
            return Err(VerifyError::DanglingRoot { handle });
        }
        let mut seen = vec![false; self.entries.len()];
        let mut todo = handles;
        let mut children = Vec::new();
        while let Some(parent) = todo.pop() {
            let index = parent.index() as usize;
            if std::mem::replace(&mut seen[index], true) {
                continue;
            }
            let Some(value) = self.get(parent) else {
                continue;
            };
            Self::children(value, &mut children);
            if let Some(&child) = children.iter().find(|&&h| !self.contains(h)) {
                return Err(VerifyError::DanglingChild { parent, child });
            }
            todo.extend_from_slice(&children);
        }
        Ok(())
    }

    /// The handles of every allocated object, in slot order.
    pub fn handles(&self) -> impl Iterator<Item = Handle> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.value.is_some())
            .map(|(i, e)| Handle::new(i as u32, e.generation))
    }
}

/// What [`Heap::verify`] (or the stress-mode invariant check) found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A root names a freed slot.
    DanglingRoot { handle: Handle },
    /// A live object holds a handle to a freed slot.
    DanglingChild { parent: Handle, child: Handle },
    /// After marking, a black object points to an object that is not black.
    BlackToWhite { parent: Handle, child: Handle },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::DanglingRoot { handle } => {
                write!(f, "root {handle:?} names a freed object")
            }
            VerifyError::DanglingChild { parent, child } => {
                write!(f, "object {parent:?} holds {child:?}, which was freed")
            }
            VerifyError::BlackToWhite { parent, child } => {
                write!(f, "black object {parent:?} points to unmarked {child:?}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}
