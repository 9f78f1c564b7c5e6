//! The scheduler's heap objects: tasks, futures, channels and actors. Each is a
//! [`NativeObject`] (so `type` names it and the collector traces it) that Kai code holds as a
//! value, except tasks, which only the scheduler and the objects below hold.
//!
//! A task or future refers to another only by handle; the scheduler's root set keeps every
//! task that has not ended alive, so a blocked task and whatever its stacks hold survive
//! until it ends, even when nothing else refers to it.

use std::any::Any;
use std::collections::VecDeque;

use gc::Handle;
use registry::{NativeObject, Value};
use smallvec::SmallVec;

use crate::error::Error;
use crate::task::Task;

/// What a task is doing, as the scheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// In the run queue.
    Runnable,
    /// The task the executor runs now (its state is `Vm::task`).
    Running,
    /// Waiting; `Wait` says on what.
    Blocked(Wait),
    /// Ended (finished, failed or cancelled); its state is released.
    Done,
}

/// What a blocked task waits for (for the deadlock report).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// `await` (or `timeout`) of this future.
    Future(Handle),
    /// `recv` on this channel.
    Recv(Handle),
    /// `send` on this full channel.
    Send(Handle),
    /// `select` over channels.
    Select,
    /// An actor with an empty mailbox.
    Mailbox,
    /// `sleep`, or the next tick of `after`/`every`.
    Timer,
}

/// What a task does when its code ends, and whom its outcome goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The top level of every run (the program, a REPL line): never ends through the
    /// scheduler; a run ends when its frames do.
    Main,
    /// `spawn` and `after`: the result resolves the future (or the error fails it).
    Once { future: Handle },
    /// `every`: calls its function at each tick until the future is cancelled; an error
    /// fails the future and stops it.
    Every { future: Handle, ms: u64 },
    /// An actor: calls its handler once per message; `reply` is the future of the message
    /// being handled (`ask`), if any.
    Actor { actor: Handle, reply: Option<Handle> },
}

/// A task: its role, its status and, while it does not run, its state.
pub(crate) struct TaskObject {
    /// Its data and context stacks while it is not running (empty while it runs).
    pub state: Task,
    pub status: Status,
    /// Counts the task's waits: a waker registered for an earlier wait (the other
    /// channels of a `select`, the timer of a `timeout` that resolved in time) is stale.
    pub epoch: u32,
    pub role: Role,
    /// An error to raise where the task resumes (an awaited future failed, a `timeout`
    /// passed), set by whoever woke it.
    pub raise: Option<Error>,
    /// The continuation it calls first (for the deadlock report and `:tasks`).
    pub body: Value,
    /// The call it makes when it next runs (its first call; an actor's next message; the
    /// next tick of `every`).
    pub pending_call: Option<super::switch::Call>,
    /// The run that started it (the REPL's Ctrl-C stops the tasks of its line).
    pub run: u64,
    /// The order tasks were started in, for reports (the live set does not keep it).
    pub seq: u64,
}

impl NativeObject for TaskObject {
    fn type_name(&self) -> &str {
        "task"
    }

    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        visit(self.body);
        if let Some(call) = &self.pending_call {
            visit(call.f);
            call.args.iter().for_each(|&v| visit(v));
        }
    }

    fn trace_handles(&self, mark: &mut dyn FnMut(Handle)) {
        self.state.each_handle(mark);
        if let Status::Blocked(Wait::Future(h) | Wait::Recv(h) | Wait::Send(h)) = self.status {
            mark(h);
        }
        match self.role {
            Role::Main => {}
            Role::Once { future } | Role::Every { future, .. } => mark(future),
            Role::Actor { actor, reply } => {
                mark(actor);
                reply.into_iter().for_each(mark);
            }
        }
    }

    fn size_bytes(&self) -> usize {
        self.state.footprint()
    }
}

/// A task waiting on an object, at one of its waits (see [`TaskObject::epoch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub task: Handle,
    pub epoch: u32,
}

/// The tasks waiting on a future, in the order they started waiting. (Most futures have
/// one waiter at most: it is kept inline, without an allocation.)
pub(crate) type Waiters = SmallVec<[Waiter; 1]>;

/// How a future ended, or that it has not.
pub(crate) enum Outcome {
    Pending,
    Resolved(Value),
    /// The error map of the task's error (kind, message, trace), re-raised as it is.
    Failed(Value),
    Cancelled,
}

/// The result of a task (`spawn`, `after`, `every`, an actor's `ask`).
pub(crate) struct FutureObject {
    pub outcome: Outcome,
    /// Tasks waiting for it, in the order they started waiting.
    pub waiters: Waiters,
    /// The task that will resolve it (`cancel` stops it); `None` once it ended, or for
    /// an `ask` (the actor answers it).
    pub task: Option<Handle>,
    /// Whether anyone awaited it: a failure nobody awaits is reported on stderr.
    pub awaited: bool,
}

impl FutureObject {
    pub(crate) fn pending(task: Option<Handle>) -> FutureObject {
        FutureObject { outcome: Outcome::Pending, waiters: SmallVec::new(), task, awaited: false }
    }
}

impl NativeObject for FutureObject {
    fn type_name(&self) -> &str {
        "future"
    }

    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        if let Outcome::Resolved(v) | Outcome::Failed(v) = self.outcome {
            visit(v);
        }
    }

    fn trace_handles(&self, mark: &mut dyn FnMut(Handle)) {
        self.waiters.iter().for_each(|w| mark(w.task));
        self.task.into_iter().for_each(mark);
    }

    fn display(&self) -> String {
        match self.outcome {
            Outcome::Pending => "<future pending>".to_string(),
            Outcome::Resolved(_) => "<future resolved>".to_string(),
            Outcome::Failed(_) => "<future failed>".to_string(),
            Outcome::Cancelled => "<future cancelled>".to_string(),
        }
    }

    fn size_bytes(&self) -> usize {
        if self.waiters.spilled() { self.waiters.capacity() * std::mem::size_of::<Waiter>() } else { 0 }
    }
}

/// A task waiting to receive, and for `select`, which channel it receives from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Receiver {
    pub waiter: Waiter,
    /// For `select`: the channel value to push after the received one.
    pub select: Option<Value>,
}

/// A buffered channel between tasks (SPEC §6.2).
pub(crate) struct ChannelObject {
    pub capacity: usize,
    pub buffer: VecDeque<Value>,
    pub closed: bool,
    /// Tasks waiting to receive, first come first served.
    pub receivers: VecDeque<Receiver>,
    /// Tasks waiting to send, with what they send, in the order they sent it.
    pub senders: VecDeque<(Waiter, Value)>,
}

impl ChannelObject {
    pub(crate) fn new(capacity: usize) -> ChannelObject {
        ChannelObject {
            capacity,
            buffer: VecDeque::new(),
            closed: false,
            receivers: VecDeque::new(),
            senders: VecDeque::new(),
        }
    }
}

impl NativeObject for ChannelObject {
    fn type_name(&self) -> &str {
        "channel"
    }

    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        self.buffer.iter().for_each(|&v| visit(v));
        self.senders.iter().for_each(|&(_, v)| visit(v));
        self.receivers.iter().filter_map(|r| r.select).for_each(&mut *visit);
    }

    fn trace_handles(&self, mark: &mut dyn FnMut(Handle)) {
        self.receivers.iter().for_each(|r| mark(r.waiter.task));
        self.senders.iter().for_each(|(w, _)| mark(w.task));
    }

    fn display(&self) -> String {
        let state = if self.closed { " closed" } else { "" };
        format!("<channel {}/{}{state}>", self.buffer.len(), self.capacity)
    }

    fn size_bytes(&self) -> usize {
        self.buffer.capacity() * std::mem::size_of::<Value>()
            + self.receivers.capacity() * std::mem::size_of::<Receiver>()
            + self.senders.capacity() * std::mem::size_of::<(Waiter, Value)>()
    }
}

/// An actor: a task with a mailbox that calls its handler once per message.
pub(crate) struct ActorObject {
    /// Messages not handled yet, each with the future of its `ask` (none for `tell`).
    pub mailbox: VecDeque<(Value, Option<Handle>)>,
    pub handler: Value,
    /// The actor's task.
    pub task: Handle,
}

impl NativeObject for ActorObject {
    fn type_name(&self) -> &str {
        "actor"
    }

    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        visit(self.handler);
        self.mailbox.iter().for_each(|&(v, _)| visit(v));
    }

    fn trace_handles(&self, mark: &mut dyn FnMut(Handle)) {
        mark(self.task);
        self.mailbox.iter().filter_map(|&(_, f)| f).for_each(&mut *mark);
    }

    fn size_bytes(&self) -> usize {
        self.mailbox.capacity() * std::mem::size_of::<(Value, Option<Handle>)>()
    }
}

/// The object of type `T` a native object is, if it is one.
pub(crate) fn downcast<T: NativeObject>(native: &dyn NativeObject) -> Option<&T> {
    (native as &dyn Any).downcast_ref::<T>()
}

/// As [`downcast`], mutably.
pub(crate) fn downcast_mut<T: NativeObject>(native: &mut dyn NativeObject) -> Option<&mut T> {
    (native as &mut dyn Any).downcast_mut::<T>()
}
