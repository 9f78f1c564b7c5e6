//! Counters the collector keeps about itself.

use std::time::Duration;

/// What the collector has done so far, for `gc_stats` and tuning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Objects currently allocated (reachable or not yet swept).
    pub live_objects: usize,
    /// Estimated bytes held by allocated objects.
    pub heap_bytes: usize,
    /// Collection cycles begun (a cycle may be in progress).
    pub cycles_started: u64,
    /// Collection cycles completed: marked and swept.
    pub collections: u64,
    /// Objects freed over the heap's lifetime.
    pub freed_objects: u64,
    /// The longest single increment (step or full collection).
    pub max_pause: Duration,
    /// Increments (steps and full collections) so far.
    pub increments: u64,
    /// Increments that took longer than a millisecond (the collector's work plus whatever
    /// the OS did meanwhile: returning freed memory, preempting the thread).
    pub increments_over_1ms: u64,
    /// Time spent in the collector altogether.
    pub total_pause: Duration,
}
