//! The collection cycle: pacing, increments, marking, the atomic phase and sweeping.
//!
//! A cycle runs Idle → Mark → Sweep → Idle. It begins when the heap reaches its threshold;
//! marking scans grey objects a budget at a time; the atomic phase rescans the roots and
//! the objects set aside by the barrier, then drains the grey set in one go; sweeping frees
//! white slots a budget at a time. The budget of an increment is the allocation debt it
//! repays (see the pacing constants on [`Heap`]).

use std::time::{Duration, Instant};

use crate::heap::{Colour, Heap, Partial, Phase};
use crate::stress::Stress;
use crate::trace::{Trace, Tracer};

impl<T: Trace> Heap<T> {
    /// The smallest heap size at which a cycle starts.
    pub const MIN_THRESHOLD: usize = 1 << 20;
    /// After a cycle, the next one starts when the heap has grown to this percentage of
    /// what survived it.
    pub const PAUSE_PERCENT: usize = 200;
    /// Allocation debt (bytes) that makes [`Heap::wants_step`] true.
    pub const STEP_DEBT: usize = 16 << 10;
    /// An increment does one unit of work (an object scanned or swept, a handle visited)
    /// per this many bytes of debt it repays. The smallest object adds about eighteen units
    /// of debt, while a cycle costs about three units per live object plus one per slot:
    /// marking ends after allocating a fraction of the live heap, so little garbage floats
    /// (containers allocated while marking survive their cycle), and a cycle ends long
    /// before the heap doubles.
    pub const BYTES_PER_WORK: usize = 2;
    /// The least work an increment does, so that small debts still make progress.
    pub const MIN_WORK: usize = 512;
    /// The most work an increment does. A large debt (one array growing by megabytes) is
    /// repaid over several increments, so no pause is longer than this much work (about
    /// a quarter of a millisecond when every unit misses the cache).
    pub const MAX_WORK: usize = 2 << 10;
    /// Work per safe-point increment under [`Stress::Incremental`] (at least; the debt is
    /// repaid too, so the heap stays bounded).
    pub const STRESS_STEP_WORK: usize = 16;
    /// Work per allocation under [`Stress::Incremental`].
    pub const STRESS_ALLOCATION_WORK: usize = 2;
    /// An object with more positions than this ([`Trace::part_positions`]) is scanned a
    /// part at a time, so that no increment is longer than a part of it.
    pub const PART_SIZE: usize = 1024;

    /// Whether the owner should call [`Heap::step`] at its next safe point.
    #[inline]
    pub fn wants_step(&self) -> bool {
        self.debt >= Self::STEP_DEBT
            || match self.stress {
                Stress::Off => false,
                Stress::Full => self.allocated_since_step,
                Stress::Incremental => true,
            }
    }

    /// Performs one increment of collection work, proportional to the allocation debt.
    /// `roots` must report every handle held outside the heap.
    ///
    /// # Panics
    /// In a stress mode, if a check finds a broken heap (a reachable handle to a freed
    /// slot, or a black object pointing to a white one after marking): that is a bug in the
    /// owner's roots, `Trace` implementations or barriers.
    pub fn step(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) {
        let started = Instant::now();
        match self.stress {
            Stress::Off => {
                let budget = self.repay_debt().max(Self::MIN_WORK);
                self.work(budget, &mut roots);
            }
            Stress::Full => {
                if self.allocated_since_step {
                    self.full_cycle(&mut roots);
                }
                self.verify_if_pending(&mut roots);
            }
            Stress::Incremental => {
                self.verify_if_pending(&mut roots);
                let budget = self.repay_debt().max(Self::STRESS_STEP_WORK);
                self.work(budget, &mut roots);
            }
        }
        self.allocated_since_step = false;
        self.record_pause(started.elapsed());
    }

    /// The work the next increment owes for the debt, at most [`Heap::MAX_WORK`]; the rest
    /// of the debt waits for the following increments.
    fn repay_debt(&mut self) -> usize {
        let budget = (self.debt / Self::BYTES_PER_WORK).min(Self::MAX_WORK);
        self.debt -= budget * Self::BYTES_PER_WORK;
        if self.debt < Self::BYTES_PER_WORK {
            self.debt = 0;
        }
        budget
    }

    /// Collects everything unreachable from `roots` now: finishes the cycle in progress,
    /// then runs a whole new one. Returns the units of work it took (objects scanned and
    /// swept, handles visited), so that an owner can charge for it.
    ///
    /// # Panics
    /// In a stress mode, as [`Heap::step`].
    pub fn collect(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) -> usize {
        let started = Instant::now();
        let work = self.full_cycle(&mut roots);
        if self.stress != Stress::Off {
            self.verify_if_pending(&mut roots);
        }
        self.record_pause(started.elapsed());
        work
    }

    fn verify_if_pending(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        if std::mem::take(&mut self.verify_pending)
            && let Err(err) = self.verify(&mut *roots)
        {
            panic!("GC stress: heap verification failed after a sweep: {err}");
        }
    }

    /// Advances the cycle by about `budget` units of work, starting one if the heap has
    /// reached its threshold (at once under [`Stress::Incremental`]).
    pub(crate) fn work(&mut self, mut budget: usize, roots: &mut impl FnMut(&mut Tracer<'_>)) {
        while budget > 0 {
            match self.phase {
                Phase::Idle => {
                    if self.stress == Stress::Incremental {
                        // Cycles follow each other at once, unless scanning the roots costs
                        // more than the heap: then the mode waits until it has saved up the
                        // work of the last root scans, so that a huge root set (a deep
                        // context stack) does not make every safe point a root scan.
                        if self.root_cost > 4 * Self::STRESS_STEP_WORK && self.idle_credit < self.root_cost {
                            self.idle_credit += budget;
                            break;
                        }
                        self.idle_credit = 0;
                    } else if self.stats.heap_bytes < self.threshold {
                        break;
                    }
                    budget = budget.saturating_sub(self.begin_mark(roots));
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

    /// The work an allocation does under [`Stress::Incremental`]: propagation or sweeping,
    /// which need no roots (beginning a cycle and the atomic phase wait for a safe point).
    pub(crate) fn allocation_work(&mut self, budget: usize) {
        match self.phase {
            Phase::Idle => {}
            Phase::Mark => _ = self.propagate(budget),
            Phase::Sweep => _ = self.sweep(budget),
        }
    }

    fn full_cycle(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) -> usize {
        let mut work = 0;
        if self.phase != Phase::Idle {
            work += self.finish_cycle(roots);
        }
        work += self.begin_mark(roots);
        work += self.finish_cycle(roots);
        self.debt = 0;
        self.allocated_since_step = false;
        work
    }

    fn finish_cycle(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) -> usize {
        let mut work = 0;
        if self.phase == Phase::Mark {
            work += self.propagate(usize::MAX);
            work += self.atomic(roots);
        }
        if self.phase == Phase::Sweep {
            work += self.sweep(usize::MAX);
        }
        work
    }

    fn record_pause(&mut self, pause: Duration) {
        self.stats.total_pause += pause;
        self.stats.max_pause = self.stats.max_pause.max(pause);
        self.stats.increments += 1;
        self.stats.increments_over_1ms += u64::from(pause > Duration::from_millis(1));
    }

    /// Starts marking: shades the roots. Returns the work done.
    pub(crate) fn begin_mark(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) -> usize {
        debug_assert!(self.grey.is_empty() && self.again.is_empty() && self.partial.is_none());
        self.phase = Phase::Mark;
        self.stats.cycles_started += 1;
        let mut tracer = Tracer::marking(&mut self.colours, &mut self.grey);
        roots(&mut tracer);
        self.root_cost = tracer.visited;
        1 + tracer.visited
    }

    /// Scans grey objects until `budget` units of work are done or none is left; returns
    /// the work done.
    pub(crate) fn propagate(&mut self, budget: usize) -> usize {
        let mut work = 0;
        while work < budget {
            if self.partial.is_some() {
                work += self.scan_part(budget - work);
                continue;
            }
            let Heap { values, colours, grey, .. } = self;
            let Some(index) = grey.pop() else { break };
            let i = index as usize;
            if colours[i] != Colour::Grey {
                // Queued again after it was scanned (by the atomic phase's rescan).
                continue;
            }
            colours[i] = Colour::Black;
            let Some(value) = &values[i] else { continue };
            if value.part_positions() > self.part_size {
                // Black from now on: the barrier shades what is stored into it while its
                // parts are scanned.
                self.partial = Some(Partial { index, next: 0 });
                work += 1;
                continue;
            }
            let mut tracer = Tracer::marking(colours, grey);
            value.trace(&mut tracer);
            work += 1 + tracer.visited;
        }
        work
    }

    /// Scans the next part of the object being scanned a part at a time, about `budget`
    /// positions but at least a part; returns the work done.
    pub(crate) fn scan_part(&mut self, budget: usize) -> usize {
        let Some(Partial { index, next }) = self.partial else { return 0 };
        let Heap { values, colours, grey, part_size, .. } = self;
        let Some(value) = &values[index as usize] else {
            self.partial = None;
            return 1;
        };
        let end = next.saturating_add(budget.max(*part_size)).min(value.part_positions());
        let mut tracer = Tracer::marking(colours, grey);
        value.trace_part(next, end, &mut tracer);
        let work = 1 + (end - next.min(end)).max(tracer.visited);
        self.partial = (end < value.part_positions()).then_some(Partial { index, next: end });
        work
    }

    /// The atomic end of marking: rescan the roots (which have no barrier) and the objects
    /// the barrier set aside, and drain the grey set in one go; then start sweeping.
    /// Returns the work done.
    pub(crate) fn atomic(&mut self, roots: &mut impl FnMut(&mut Tracer<'_>)) -> usize {
        let mut tracer = Tracer::marking(&mut self.colours, &mut self.grey);
        roots(&mut tracer);
        let mut work = 1 + tracer.visited;
        self.root_cost += tracer.visited;
        work += self.again.len();
        for index in self.again.drain(..) {
            let colour = &mut self.colours[index as usize];
            if *colour == Colour::Again {
                *colour = Colour::Grey;
                self.grey.push(index);
            }
        }
        work += self.propagate(usize::MAX);
        debug_assert!(self.grey.is_empty());
        if self.stress != Stress::Off
            && let Err(err) = self.check_no_black_to_white()
        {
            panic!("GC stress: tri-colour invariant broken at the end of marking: {err}");
        }
        self.phase = Phase::Sweep;
        self.sweep_cursor = 0;
        self.survivor_bytes = 0;
        work
    }

    /// Frees white objects and whitens marked ones, `budget` slots at most; returns the
    /// work done.
    pub(crate) fn sweep(&mut self, budget: usize) -> usize {
        let end = self.values.len();
        let mut work = 0;
        while self.sweep_cursor < end && work < budget {
            let index = self.sweep_cursor;
            self.sweep_cursor += 1;
            work += 1;
            match self.colours[index] {
                Colour::Free => {}
                Colour::White => self.free_slot(index),
                Colour::Grey | Colour::Black | Colour::Again => {
                    self.colours[index] = Colour::White;
                    if let Some(value) = &self.values[index] {
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
            self.verify_pending = self.stress != Stress::Off;
        }
        work
    }

    fn free_slot(&mut self, index: usize) {
        let value = self.values[index].take();
        self.colours[index] = Colour::Free;
        self.stats.live_objects -= 1;
        self.stats.freed_objects += 1;
        if let Some(value) = &value {
            self.stats.heap_bytes = self.stats.heap_bytes.saturating_sub(Self::object_bytes(value));
        }
        // A slot whose generation would wrap is retired, so a handle can never come back
        // to life.
        if let Some(next) = self.generations[index].checked_add(1) {
            self.generations[index] = next;
            self.free.push(index as u32);
        }
        drop(value);
    }
}
