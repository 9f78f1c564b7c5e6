//! Timers: what the scheduler must do at a given instant (wake a sleeping task, end a
//! `timeout`, start the next tick of `after`/`every`), earliest first, in the order they
//! were set when they fall due together.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use gc::Handle;

/// What a timer does when it falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Wakes the task from `sleep` (if it still waits on that wait).
    Wake,
    /// Wakes the task from `timeout` with a `timeout` error.
    Timeout,
    /// Starts the call of an `after`/`every` task.
    Tick,
}

/// One timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timer {
    pub at: Instant,
    /// Orders timers due at the same instant by when they were set.
    pub seq: u64,
    pub kind: TimerKind,
    pub task: Handle,
    /// The task's wait this timer belongs to (a stale timer does nothing).
    pub epoch: u32,
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The pending timers.
#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

impl Timers {
    /// Sets a timer.
    pub(crate) fn set(&mut self, at: Instant, kind: TimerKind, task: Handle, epoch: u32) {
        self.seq += 1;
        self.heap.push(Reverse(Timer { at, seq: self.seq, kind, task, epoch }));
    }

    /// The earliest timer.
    pub(crate) fn peek(&self) -> Option<Timer> {
        self.heap.peek().map(|Reverse(t)| *t)
    }

    /// Drops the earliest timer.
    pub(crate) fn pop(&mut self) {
        self.heap.pop();
    }

    /// The earliest timer, if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        if self.heap.peek().is_some_and(|Reverse(t)| t.at <= now) { self.heap.pop().map(|Reverse(t)| t) } else { None }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub(crate) fn each_handle(&self, mark: &mut dyn FnMut(Handle)) {
        self.heap.iter().for_each(|Reverse(t)| mark(t.task));
    }
}
