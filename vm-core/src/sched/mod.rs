//! The cooperative scheduler (SPEC §6): tasks, the run queue, timers, waking and
//! switching, and the deadlock report.
//!
//! A task is a heap object ([`TaskObject`]) holding its own data stack, context stack and
//! locals; the executor runs one task at a time, whose state it keeps in `Vm::task`, and
//! switching tasks is swapping that state with the next task's object. The top level of
//! every run is the *main* task. The run queue is first in, first out: a spawned task, a
//! woken task and a task that yields or uses up its slice go to the back.
//!
//! Blocking never waits inside an op: an op that must wait (`await`, `recv`, a full `send`,
//! `sleep`, …) registers the task with what it waits on and ends the slice; whoever makes
//! the wait end (a resolved future, a sent value, a timer) wakes the task, pushing what the
//! op would have pushed (or setting an error to raise), so the task resumes after the op.
//! Each wait has an epoch: of the wakers one wait registered (a `select`'s channels, a
//! `timeout`'s timer and future), only the first counts.
//!
//! When nothing can run, the scheduler sleeps until the next timer or an external
//! completion ([`Completions`]); when nothing ever could (every task blocked, no timer, no
//! completion to come), the main task gets a `deadlock` error naming every blocked task.

mod external;
mod objects;
mod switch;
mod timers;

use std::collections::VecDeque;
use std::time::Instant;

use gc::Handle;
use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

pub use external::{Completer, MakeResult};
pub(crate) use objects::{
    ActorObject, ChannelObject, FutureObject, Outcome, Receiver, Role, Status, TaskObject, Wait, Waiter, Waiters,
    downcast, downcast_mut,
};
pub(crate) use switch::{Call, cancelled_error, object_in};
pub(crate) use timers::{TimerKind, Timers};

/// The scheduler's state, owned by the VM.
pub(crate) struct Scheduler {
    /// The main task (created with the VM).
    pub main: Handle,
    /// The task running now; its state is in `Vm::task`, not in its object.
    pub current: Handle,
    /// The running task's epoch, copied from its object when it was loaded (its waiters
    /// are made without a lookup of it; the epoch of a running task does not change).
    pub current_epoch: u32,
    /// What the running task blocked on in the op that ends its slice. Its object's
    /// status says so once the task is parked, so that blocking costs no lookup of it;
    /// `None` while it runs on.
    pub blocked_on: Option<Wait>,
    /// Tasks ready to run, first in, first out.
    pub run_queue: VecDeque<Handle>,
    /// Every task that has not ended: roots, so that a blocked task lives until it ends.
    /// (In no order: a task leaves it in constant time.)
    pub live: IndexSet<Handle, FxBuildHasher>,
    pub timers: Timers,
    /// Operations running outside the VM (worker VMs, I/O) that will complete.
    pub completions: Completions,
    /// The origin of `now`.
    pub started: Instant,
    /// The run in progress (numbered from 1; see [`TaskObject::run`]).
    pub run: u64,
    /// The futures of external operations in progress, by ticket.
    pub tickets: rustc_hash::FxHashMap<u64, Handle>,
    pub next_ticket: u64,
    /// The `seq` of the next task.
    pub next_seq: u64,
    /// The emptied states of ended tasks, for new tasks to reuse: a task that ends gives
    /// its stacks' memory to the next one started instead of back to the allocator.
    spare: Vec<crate::task::Task>,
}

/// How many ended tasks' states the scheduler keeps for reuse.
const SPARE_TASKS: usize = 64;

impl Scheduler {
    pub(crate) fn new(main: Handle) -> Scheduler {
        Scheduler {
            main,
            current: main,
            current_epoch: 0,
            blocked_on: None,
            run_queue: VecDeque::new(),
            live: IndexSet::default(),
            timers: Timers::default(),
            completions: Completions::default(),
            started: Instant::now(),
            run: 0,
            tickets: Default::default(),
            next_ticket: 0,
            next_seq: 1,
            spare: Vec::new(),
        }
    }

    /// Blocks the running task on `wait` (see [`Scheduler::blocked_on`]); the caller
    /// registers the returned waiter with whatever will end the wait, and the op then ends
    /// the task's slice.
    #[inline]
    pub(crate) fn block_current(&mut self, wait: Wait) -> Waiter {
        self.blocked_on = Some(wait);
        Waiter { task: self.current, epoch: self.current_epoch }
    }

    /// An empty state for a new task: a spare one if there is one.
    pub(crate) fn task_state(&mut self) -> crate::task::Task {
        self.spare.pop().unwrap_or_default()
    }

    /// Takes the state of a task that ended, emptied, for a later task to reuse (when it
    /// is small: a task whose stacks grew large gives their memory back).
    pub(crate) fn recycle(&mut self, mut state: crate::task::Task) {
        if self.spare.len() < SPARE_TASKS && state.is_small() {
            state.empty();
            self.spare.push(state);
        }
    }

    /// Reports every task and object the scheduler holds to the collector.
    pub(crate) fn each_handle(&self, mark: &mut dyn FnMut(Handle)) {
        mark(self.main);
        mark(self.current);
        self.run_queue.iter().copied().for_each(&mut *mark);
        self.live.iter().copied().for_each(&mut *mark);
        self.timers.each_handle(mark);
        self.tickets.values().copied().for_each(&mut *mark);
    }
}

/// The main task's object, made with the VM: the top level of every run.
pub(crate) fn main_task(reg: &mut registry::Registry<crate::code::Block>) -> Handle {
    let object = TaskObject {
        state: crate::task::Task::parked(),
        status: Status::Running,
        epoch: 0,
        role: Role::Main,
        raise: None,
        body: registry::Value::Nil,
        pending_call: None,
        run: 0,
        seq: 0,
    };
    let registry::Value::Native(h) = reg.new_native(Box::new(object)) else {
        unreachable!("new_native makes a native")
    };
    h
}

/// Results of operations that run outside the VM (the parallel workers, and the network
/// runtime to come), sent from other threads. The scheduler drains them when it looks for
/// work and blocks on them when nothing else can run.
pub(crate) struct Completions {
    sender: std::sync::mpsc::Sender<Completion>,
    receiver: std::sync::mpsc::Receiver<Completion>,
    /// Operations started and not completed yet.
    pub outstanding: usize,
}

impl Default for Completions {
    fn default() -> Self {
        let (sender, receiver) = std::sync::mpsc::channel();
        Completions { sender, receiver, outstanding: 0 }
    }
}

/// A completed external operation: the future it resolves (by ticket) and how to make
/// its result in the VM (the result itself crosses threads in a sendable form).
pub(crate) struct Completion {
    pub ticket: u64,
    pub result: MakeResult,
}

impl Completions {
    /// A sender for another thread to report completions with.
    pub(crate) fn sender(&self) -> std::sync::mpsc::Sender<Completion> {
        self.sender.clone()
    }

    /// A completion that has arrived, without waiting.
    pub(crate) fn try_take(&mut self) -> Option<Completion> {
        // Each completion is of an operation counted as outstanding: none, none to take
        // (and the channel, which costs a check at every task switch, is not asked).
        if self.outstanding == 0 {
            return None;
        }
        let completion = self.receiver.try_recv().ok()?;
        self.outstanding = self.outstanding.saturating_sub(1);
        Some(completion)
    }

    /// Waits up to `timeout` for a completion.
    pub(crate) fn wait(&mut self, timeout: std::time::Duration) -> Option<Completion> {
        let completion = self.receiver.recv_timeout(timeout).ok()?;
        self.outstanding = self.outstanding.saturating_sub(1);
        Some(completion)
    }
}
