//! The executor's driver: starting and finishing runs, slices of work between limit checks,
//! unwinding on errors to the innermost handler, and the collector's safe points.
//!
//! The loop that performs operations is in `dispatch`; the operations themselves live in
//! `crate::ops`, one file per family.

mod dispatch;
mod fields;
mod frames;

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use registry::{Key, Map, Value};

use crate::code::Block;
use crate::entry::EntryKind;
use crate::error::{Error, ErrorKind, TraceEntry};
use crate::frame::{Env, Frame};
use crate::limits::Limits;
use crate::source::Span;
use crate::vm::{Outcome, Vm};

/// Operations between checks of the fuel, the deadline, the interrupt flag and the
/// data-stack limit. A straight-line block pushes at most one value per op (bulk pushes
/// check for themselves), so the data stack cannot overshoot its limit by more than this.
pub(crate) const SLICE: u32 = 8192;

/// The most activations an error's trace lists (the innermost ones, then the outermost).
const TRACE_INNER: usize = 24;
const TRACE_OUTER: usize = 8;
/// Bytes of text or data scanned or copied per unit of fuel.
pub(crate) const BYTES_PER_FUEL: usize = 16;

/// How many frames from the bottom a trace looks through for its outer entries.
const TRACE_OUTER_SCAN: usize = 4096;

/// Why `run_slice` returned.
pub(crate) enum Step {
    /// Every frame of the run has ended.
    Done,
    /// `exit` was called.
    Exit(i32),
    /// The slice's budget is spent; limits are checked before the next one.
    Pause,
    /// The running task blocked or ended: the scheduler runs another.
    Block,
}

/// Per-run bookkeeping.
#[derive(Default)]
pub(crate) struct RunState {
    pub(crate) fuel_left: Option<u64>,
    pub(crate) deadline: Option<Instant>,
    /// The budget the current slice started with, and what is left of it.
    slice_given: u32,
    pub(crate) slice_left: u32,
    /// Work charged beyond what was left of the slice (see [`Vm::charge`]).
    overdraft: u64,
    /// The live heap after the last collection forced by the heap limit. It outlasts the
    /// run: after a run stopped for the heap limit, the next one (which may be the line
    /// that frees the data) is not stopped again before it has allocated an eighth more.
    heap_floor: usize,
    /// Where string keys were last found in maps (hints kept from run to run).
    pub(crate) fields: fields::FieldGuesses,
}

impl RunState {
    fn start(&mut self, limits: &Limits) {
        self.fuel_left = limits.fuel;
        self.deadline = limits.deadline.map(|d| Instant::now() + d);
        self.slice_given = 0;
        self.slice_left = 0;
        self.overdraft = 0;
    }

    /// Charges work done for the run elsewhere (the parallel workers) to its fuel; the
    /// run stops at its next check if that used the fuel up.
    pub(crate) fn charge_external(&mut self, used: u64) {
        if let Some(left) = &mut self.fuel_left {
            *left = left.saturating_sub(used);
        }
    }

    fn next_slice(&mut self) -> u32 {
        self.charge();
        let budget = match self.fuel_left {
            Some(left) => SLICE.min(left.min(u32::MAX as u64) as u32),
            None => SLICE,
        };
        self.slice_given = budget;
        self.slice_left = budget;
        budget
    }

    /// Charges the fuel used by the slice that just ended.
    fn charge(&mut self) {
        let used = self.slice_given.saturating_sub(self.slice_left) as u64 + std::mem::take(&mut self.overdraft);
        if let Some(left) = &mut self.fuel_left {
            *left = left.saturating_sub(used);
        }
        self.slice_given = self.slice_left;
    }

    /// Charges `units` of work to the slice; past its end, the rest is carried to the
    /// fuel count and the slice ends at its next check.
    #[inline]
    pub(crate) fn charge_work(&mut self, units: u64) {
        if units <= self.slice_left as u64 {
            self.slice_left -= units as u32;
        } else {
            self.overdraft += units - self.slice_left as u64;
            self.slice_left = 0;
        }
    }
}

impl Vm {
    pub(crate) fn run_top(&mut self, code: Rc<Block>) -> Result<Outcome, Error> {
        self.guard_reentry()?;
        let base = self.task.frames.len();
        self.task.push_activation(code, 0, Env::Global, None, Frame::NO_EXPECT, &self.limits)?;
        self.drive_run(base)
    }

    pub(crate) fn run_call(&mut self, callee: Value) -> Result<Outcome, Error> {
        self.guard_reentry()?;
        let base = self.task.frames.len();
        self.push_activation(callee, "call", Frame::NO_EXPECT)?;
        self.drive_run(base)
    }

    fn guard_reentry(&self) -> Result<(), Error> {
        if self.running {
            return Err(Error::type_error("the VM is already running (a native function cannot run Kai code)"));
        }
        Ok(())
    }

    /// Runs until the main task's frames above `base` end (or `exit`, or an error it does
    /// not catch), running the other tasks as the scheduler says.
    fn drive_run(&mut self, base: usize) -> Result<Outcome, Error> {
        self.running = true;
        self.run.start(&self.limits);
        self.sched.run += 1;
        self.task.set_max_stack(self.limits.max_stack);
        let main = self.sched.main;
        let result = loop {
            self.run.next_slice();
            let in_main = self.sched.current == main;
            let step = match self.run_slice(if in_main { base } else { 0 }) {
                Ok(Step::Pause) => self.at_pause().map(|()| Step::Pause),
                other => other,
            };
            let next = match step {
                Ok(Step::Done) if in_main => break Ok(Outcome::Finished),
                Ok(Step::Done) => self.task_returned().and_then(|goes_on| if goes_on { Ok(()) } else { self.switch() }),
                Ok(Step::Exit(code)) => break Ok(Outcome::Exit(code)),
                Ok(Step::Pause) => self.rotate(),
                Ok(Step::Block) => self.switch(),
                Err(err) => Err(err),
            };
            if let Err(err) = next
                && let Err(err) = self.settle(err, base)
            {
                break Err(err);
            }
        };
        self.return_to_main();
        // A limit ends the run's every task, the one it stopped included.
        if result.as_ref().is_err_and(|err| err.kind() == ErrorKind::Limit) {
            self.end_run_tasks();
        }
        self.task.unwind_to(base);
        if self.task.frames.is_empty() {
            self.task.floor = 0;
        }
        self.running = false;
        self.flush();
        result
    }

    /// Parks the running task (blocked or ended, as its op left it) and runs the next.
    fn switch(&mut self) -> Result<(), Error> {
        self.park_current(None)?;
        self.run_next()
    }

    /// Handles an error raised in the running task: its innermost `try` catches it, or the
    /// task fails (its future fails; an actor goes on with its next message) and the next
    /// task runs. An error the main task does not catch, a limit error and an internal
    /// error end the run: they are returned.
    fn settle(&mut self, mut err: Error, base: usize) -> Result<(), Error> {
        // An op that failed after it blocked the task does not wait: the task runs on.
        self.sched.blocked_on = None;
        loop {
            let in_main = self.sched.current == self.sched.main;
            err = match self.unwind(err, if in_main { base } else { 0 }) {
                Ok(()) => return Ok(()),
                Err(err) => err,
            };
            if in_main || matches!(err.kind(), ErrorKind::Limit | ErrorKind::Internal) {
                return Err(err);
            }
            err = match self.task_failed(err) {
                Ok(true) => return Ok(()),
                Ok(false) => match self.switch() {
                    Ok(()) => return Ok(()),
                    Err(err) => err,
                },
                Err(err) => err,
            };
        }
    }

    /// At the end of a run, the main task runs again (a task that called `exit` or met a
    /// limit waits at the front of the queue; the main task's own wait is abandoned).
    fn return_to_main(&mut self) {
        let main = self.sched.main;
        if self.sched.current == main {
            return;
        }
        let current = self.sched.current;
        if self.park_current(Some(crate::sched::Status::Runnable)).is_ok() {
            self.sched.run_queue.push_front(current);
        }
        let _ = self.abandon_wait(main);
        let _ = self.load_task(main);
    }

    /// Between slices: charge fuel and check every limit that is not checked inline.
    fn at_pause(&mut self) -> Result<(), Error> {
        self.run.charge();
        if let Some(stale) = self.reg.take_stale() {
            return Err(stale.into());
        }
        if let Some(limit) = self.task.take_fault() {
            return Err(limit);
        }
        if self.run.fuel_left == Some(0) {
            let fuel = self.limits.fuel.unwrap_or(0);
            return Err(Error::limit(format!("fuel exhausted: the run used its {fuel} operations")));
        }
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::limit("interrupted"));
        }
        if let Some(deadline) = self.run.deadline
            && Instant::now() >= deadline
        {
            let ms = self.limits.deadline.map_or(0, |d| d.as_millis());
            return Err(Error::limit(format!("deadline of {ms} ms exceeded")));
        }
        self.check_stack_limit()?;
        self.gc_point()
    }

    pub(crate) fn check_stack_limit(&self) -> Result<(), Error> {
        if self.task.stack.len() > self.limits.max_stack {
            return Err(Error::limit(format!("data stack limit of {} values exceeded", self.limits.max_stack)));
        }
        Ok(())
    }

    /// A safe point: every live value is reachable from the task and the registry. Runs a
    /// collector increment if one is owed, then enforces the heap limit.
    #[inline]
    pub(crate) fn gc_point(&mut self) -> Result<(), Error> {
        if self.reg.wants_gc() { self.gc_increment() } else { Ok(()) }
    }

    /// The heap limit bounds live data. The heap also holds garbage the collector has not
    /// reached yet, so when it passes the limit a full collection tells what is live; that
    /// is forced again only after an eighth of the limit more has been allocated, so a
    /// program living close to its limit cannot make every safe point a full collection.
    /// (Garbage can therefore overshoot the limit by an eighth, never live data.)
    #[inline(never)]
    fn gc_increment(&mut self) -> Result<(), Error> {
        let crate::vm::Vm { reg, task, sched, .. } = self;
        reg.gc_step(|t| {
            task.trace(t);
            sched.each_handle(&mut |h| t.mark(h));
        });
        self.check_heap_limit()
    }

    /// The heap and what the VM holds outside it for the program (source texts, compiled
    /// code): what the heap limit bounds.
    fn heap_used(&self) -> usize {
        self.reg.gc_stats().heap_bytes + self.footprint.bytes()
    }

    /// The heap limit, over [`Vm::heap_used`].
    pub(crate) fn check_heap_limit(&mut self) -> Result<(), Error> {
        if let Some(max) = self.limits.max_heap {
            let used = self.heap_used();
            if used > max && used - self.run.heap_floor.min(used) > max / 8 {
                self.collect_garbage();
                let live = self.heap_used();
                self.run.heap_floor = live;
                if live > max {
                    return Err(Error::limit(format!("heap limit of {max} bytes exceeded ({live} bytes live)")));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn collect_garbage(&mut self) {
        let crate::vm::Vm { reg, task, sched, .. } = self;
        let work = reg.gc_collect(|t| {
            task.trace(t);
            sched.each_handle(&mut |h| t.mark(h));
        });
        self.charge(work);
    }

    /// Charges fuel for work an operation did beyond its dispatch: elements copied,
    /// bytes scanned, objects collected. With this, `--fuel N` bounds the time a program
    /// can take within a constant factor, whatever words it uses.
    #[inline]
    pub(crate) fn charge(&mut self, units: usize) {
        self.run.charge_work(units as u64);
    }

    /// Charges for `bytes` of text or data scanned or copied (a unit per 16 bytes).
    #[inline]
    pub(crate) fn charge_bytes(&mut self, bytes: usize) {
        self.charge(bytes / BYTES_PER_FUEL);
    }

    /// The source span of the op frame `index` is executing (or just executed).
    pub(crate) fn frame_span(&self, index: usize) -> Option<Span> {
        let frame = self.task.frames.get(index)?;
        let at = (frame.ip as usize).saturating_sub(1);
        frame.code.spans.get(at).copied()
    }

    /// The trace of activations, innermost first, each at its innermost position: at most
    /// [`TRACE_INNER`] from the top and [`TRACE_OUTER`] from the bottom, with a line for
    /// how many were left out between.
    ///
    /// Building it costs about the entries it keeps, however deep the stack: the inner
    /// ones are found by jumping from activation to activation (a frame knows its
    /// activation's index), the outer ones by a bounded scan from the bottom.
    pub(crate) fn build_trace(&self) -> Vec<TraceEntry> {
        let frames = &self.task.frames;
        let Some(top) = frames.last() else { return Vec::new() };
        let total = top.depth as usize - frames[0].depth as usize + 1;
        let entry = |index: usize| {
            let activation = &frames[frames[index].activation as usize];
            let name = activation.name.map(|n| self.reg.name_text(n).to_string());
            // A unit's outermost block (the top level, an `eval`'s code) has no origin.
            let defined_at = match (&activation.code.origin, &activation.code.source) {
                (Some(origin), Some(source)) if name.is_none() => Some(source.position(origin.start)),
                _ => None,
            };
            TraceEntry { name, defined_at, span: self.frame_span(index), source: frames[index].code.source.clone() }
        };
        // From the top: the innermost frame of each activation.
        let inner_count = if total > TRACE_INNER + TRACE_OUTER { TRACE_INNER } else { total };
        let mut trace = Vec::with_capacity(inner_count + TRACE_OUTER + 1);
        let mut index = frames.len() - 1;
        for _ in 0..inner_count {
            trace.push(entry(index));
            let start = frames[index].activation as usize;
            if start == 0 {
                break;
            }
            index = start - 1;
        }
        if total <= TRACE_INNER + TRACE_OUTER {
            return trace;
        }
        // From the bottom: the frame just below each of the first activations after the
        // bottom one is the innermost of the one before it.
        let outer: Vec<TraceEntry> = frames
            .iter()
            .enumerate()
            .take(TRACE_OUTER_SCAN)
            .skip(1)
            .filter(|(index, frame)| frame.activation as usize == *index)
            .take(TRACE_OUTER)
            .map(|(index, _)| entry(index - 1))
            .collect();
        let hidden = total - trace.len() - outer.len();
        trace.push(TraceEntry {
            name: Some(format!("... {hidden} more activations ...")),
            defined_at: None,
            span: None,
            source: None,
        });
        trace.extend(outer.into_iter().rev());
        trace
    }

    /// Handles an error: finds the innermost `try` of this run that can catch it and
    /// continues there, or unwinds the whole run and returns the error.
    fn unwind(&mut self, mut err: Error, base: usize) -> Result<(), Error> {
        if let Some(limit) = self.task.take_fault() {
            err = limit;
        }
        if let Some(stale) = self.reg.take_stale() {
            // The error may stem from a value read through a stale handle: the bug wins.
            err = Error::internal(format!("{} (while raising: {err})", Error::from(stale).message()));
        }
        if err.trace().is_empty() {
            if let Some(span) = self.task.frames.len().checked_sub(1).and_then(|top| self.frame_span(top)) {
                err.set_span_if_missing(span);
            }
            if let Some(span) = err.span() {
                err.set_source_if_missing(self.sources.get(span.source));
            }
            err.set_trace(self.build_trace());
        }
        if err.is_catchable() {
            let handler = self
                .task
                .entries
                .iter()
                .rposition(|e| e.frame as usize >= base && matches!(e.kind, EntryKind::Try { .. }));
            if let Some(index) = handler {
                self.pop_entries_above(index);
                let entry = self.task.entries.pop().expect("the handler entry");
                let EntryKind::Try { handler, depth, closure } = entry.kind else { unreachable!() };
                let frame = entry.frame as usize;
                self.task.truncate_frames(frame + 1);
                let depth = (depth as usize).min(self.task.stack.len());
                self.task.stack.truncate(depth);
                let value = self.error_value(&err);
                self.task.push(value);
                self.task.frames[frame].ip = handler;
                if let Some(closure) = closure {
                    self.push_inline(closure, "try")?;
                }
                return Ok(());
            }
        }
        self.task.unwind_to(base);
        Err(err)
    }

    /// Removes entries above `index`, undoing what each set up.
    pub(crate) fn pop_entries_above(&mut self, index: usize) {
        while self.task.entries.len() > index + 1 {
            if let Some(entry) = self.task.entries.pop()
                && let EntryKind::Mark { floor } = entry.kind
            {
                self.task.floor = floor as usize;
            }
        }
    }

    /// The Kai value a caught error becomes: a map with `"kind"`, `"message"` and
    /// `"trace"` (and `"value"` for a thrown non-map); a thrown map with a `"kind"` key
    /// is passed on as it is.
    pub(crate) fn error_value(&mut self, err: &Error) -> Value {
        let thrown = err.thrown().map(|r| r.get());
        if let Some(Value::Map(h)) = thrown
            && self.reg.map(h).is_ok_and(|m| m.contains_key(&registry::KeyRef::Str("kind")))
        {
            return Value::Map(h);
        }
        let mut map = Map::default();
        let kind = self.reg.new_str(err.kind().as_str());
        map.insert(Key::Str("kind".into()), kind);
        let message = self.reg.new_str(err.message());
        map.insert(Key::Str("message".into()), message);
        let trace = self.trace_value(err);
        map.insert(Key::Str("trace".into()), trace);
        if let Some(value) = thrown {
            map.insert(Key::Str("value".into()), value);
        }
        self.reg.new_map(map)
    }

    fn trace_value(&mut self, err: &Error) -> Value {
        let mut entries = Vec::new();
        for entry in err.trace() {
            let mut map = Map::default();
            let name = match &entry.name {
                Some(name) => self.reg.new_str(name.as_str()),
                None => Value::Nil,
            };
            map.insert(Key::Str("name".into()), name);
            if let (Some(span), Some(source)) = (entry.span, &entry.source) {
                let pos = source.position(span.start);
                let file = self.reg.new_str(&source.name);
                map.insert(Key::Str("file".into()), file);
                map.insert(Key::Str("line".into()), Value::Int(pos.line as i64));
                map.insert(Key::Str("column".into()), Value::Int(pos.column as i64));
            }
            entries.push(self.reg.new_map(map));
        }
        self.reg.new_array(entries)
    }
}
