//! Switching tasks, waking them, ending them, and finding the next one to run (sleeping
//! until a timer or a completion when none can, reporting a deadlock when none ever will).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use gc::Handle;
use registry::{NativeObject, Value};
use smallvec::SmallVec;

use super::{
    ActorObject, FutureObject, Outcome, Role, Status, TaskObject, TimerKind, Wait, Waiter, Waiters, downcast,
    downcast_mut,
};
use crate::error::{Error, ErrorKind};
use crate::frame::Frame;
use crate::task::Task;
use crate::vm::Vm;

/// A call a task makes when it next runs: its first call, an actor's next message, the
/// next tick of `every`.
pub(crate) struct Call {
    pub f: Value,
    pub args: SmallVec<[Value; 2]>,
    /// Called as a function (`call`: the arity checked, one result); else as `&`.
    pub function: bool,
}

/// How long the scheduler sleeps at most between checks of the interrupt flag and the
/// deadline while it waits for a timer or a completion.
const WAIT_STEP: Duration = Duration::from_millis(20);

impl Vm {
    // ---- the objects ---------------------------------------------------------------------

    /// The scheduler object `h` is, of type `T`.
    pub(crate) fn object<T: NativeObject>(&self, h: Handle) -> Result<&T, Error> {
        let native = self.reg.native(h)?;
        downcast::<T>(&**native)
            .ok_or_else(|| Error::internal(format!("{h:?} is not a {}", std::any::type_name::<T>())))
    }

    /// As [`Vm::object`], to change it by storing the objects `stored` into it.
    pub(crate) fn object_mut<T: NativeObject>(
        &mut self,
        h: Handle,
        stored: impl IntoIterator<Item = Handle>,
    ) -> Result<&mut T, Error> {
        object_in(&mut self.reg, h, stored)
    }

    /// The handle of `value` if it is an object of type `T`; else a `type` error saying
    /// that `word` expects `what`.
    pub(crate) fn object_of<T: NativeObject>(&self, value: Value, word: &str, what: &str) -> Result<Handle, Error> {
        if let Value::Native(h) = value
            && let Ok(native) = self.reg.native(h)
            && downcast::<T>(&**native).is_some()
        {
            return Ok(h);
        }
        Err(Error::type_error(format!("'{word}' expects {what}, got {}", registry::a_type(self.type_name(value)))))
    }

    fn task_object(&self, h: Handle) -> Result<&TaskObject, Error> {
        self.object::<TaskObject>(h)
    }

    fn task_object_mut(
        &mut self,
        h: Handle,
        stored: impl IntoIterator<Item = Handle>,
    ) -> Result<&mut TaskObject, Error> {
        self.object_mut::<TaskObject>(h, stored)
    }

    // ---- starting ------------------------------------------------------------------------

    /// A new task that will make `call` when it first runs. It is `status` (runnable: at
    /// the back of the run queue).
    pub(crate) fn new_task(&mut self, call: Call, role: Role, status: Status) -> Result<Handle, Error> {
        let body = call.f;
        let object = TaskObject {
            state: self.sched.task_state(),
            status,
            epoch: 0,
            role,
            raise: None,
            body,
            pending_call: Some(call),
            run: self.sched.run,
            seq: self.sched.next_seq,
        };
        self.sched.next_seq += 1;
        let Value::Native(h) = self.reg.new_native(Box::new(object)) else { unreachable!("new_native makes a native") };
        self.sched.live.insert(h);
        if status == Status::Runnable {
            self.sched.run_queue.push_back(h);
        }
        Ok(h)
    }

    /// A pending future resolved by task `task` (set later, once the task exists).
    pub(crate) fn new_future(&mut self) -> Handle {
        let Value::Native(h) = self.reg.new_native(Box::new(FutureObject::pending(None))) else {
            unreachable!("new_native makes a native")
        };
        h
    }

    // ---- switching -----------------------------------------------------------------------

    /// Moves the running task's state into its object, leaving it `status` (or as its
    /// object says, for a task that blocked or ended while it ran). (Inlined: a switch
    /// parks one task and loads the next, and calls cost a good part of a switch.)
    #[inline(always)]
    pub(crate) fn park_current(&mut self, status: Option<Status>) -> Result<(), Error> {
        let blocked_on = self.sched.blocked_on.take();
        crate::entry::park_spans(&mut self.task.entries);
        let current = self.sched.current;
        if self.reg.gc_marking() {
            self.store_parked(current)?;
        }
        let object = object_in::<TaskObject>(&mut self.reg, current, None)?;
        if let Some(status) = status {
            object.status = status;
        } else if let Some(wait) = blocked_on {
            object.status = Status::Blocked(wait);
        }
        if object.status == Status::Done {
            // An ended task keeps nothing.
            let ended = std::mem::take(&mut self.task);
            self.sched.recycle(ended);
        } else {
            // The object's state is empty (it was moved out when the task was loaded):
            // swapping moves the running state in and leaves `Vm::task` empty.
            Task::exchange(&mut object.state, &mut self.task);
        }
        Ok(())
    }

    /// The write barrier of parking: the running task's values are about to move into
    /// its object `current`, which the collector may have marked already.
    #[cold]
    #[inline(never)]
    fn store_parked(&mut self, current: Handle) -> Result<(), Error> {
        let mut stored = Vec::new();
        self.task.each_handle(&mut |h| stored.push(h));
        object_in::<TaskObject>(&mut self.reg, current, stored).map(drop)
    }

    /// Makes task `h` the running one: its state moves into `Vm::task`, and the call it
    /// is due to make starts. An error it must raise (its wait failed) is returned, for the
    /// executor to raise in it.
    pub(crate) fn load_task(&mut self, h: Handle) -> Result<(), Error> {
        self.load_if_runnable(h).map(drop)
    }

    /// As [`Vm::load_task`] if task `h` is runnable; whether it was (a task cancelled
    /// while it waited in the run queue is not, and stays parked). (Inlined, as
    /// [`Vm::park_current`].)
    #[inline(always)]
    fn load_if_runnable(&mut self, h: Handle) -> Result<bool, Error> {
        let object = object_in::<TaskObject>(&mut self.reg, h, None)?;
        if object.status != Status::Runnable {
            return Ok(false);
        }
        object.status = Status::Running;
        self.sched.current_epoch = object.epoch;
        // `Vm::task` is empty (parked): the swap leaves the object's state empty in turn.
        Task::exchange(&mut object.state, &mut self.task);
        let raise = object.raise.take();
        // (Tested before it is taken: a `Call` is large, and most switches have none.)
        let call = if object.pending_call.is_some() { object.pending_call.take() } else { None };
        self.task.set_max_stack(self.limits.max_stack);
        crate::entry::resume_spans(&mut self.task.entries);
        self.sched.current = h;
        if let Some(err) = raise {
            return Err(err);
        }
        if let Some(call) = call {
            self.start_call(call)?;
        }
        Ok(true)
    }

    /// Starts `call` in the running task.
    fn start_call(&mut self, call: Call) -> Result<(), Error> {
        for &arg in &call.args {
            self.task.push(arg);
        }
        if call.function {
            self.call_function(call.f, call.args.len())
        } else {
            self.push_activation(call.f, "spawn", Frame::NO_EXPECT)
        }
    }

    /// Parks the running task as runnable at the back of the queue and runs the next one
    /// (`yield`, and a slice used up while others wait).
    pub(crate) fn rotate(&mut self) -> Result<(), Error> {
        self.poll_wakers()?;
        if self.sched.run_queue.is_empty() {
            return Ok(());
        }
        let current = self.sched.current;
        self.park_current(Some(Status::Runnable))?;
        self.sched.run_queue.push_back(current);
        self.run_next()
    }

    /// Runs the next runnable task, the running one having been parked: the front of the
    /// queue, or, when it is empty, the first task a timer or a completion wakes (the
    /// scheduler sleeps until then). When nothing will ever wake a task, the main task
    /// resumes with a `deadlock` error.
    ///
    /// # Errors
    /// An error to raise in the task now running (its wait failed, a deadlock), or a
    /// `limit` error (interrupted, deadline) while waiting.
    pub(crate) fn run_next(&mut self) -> Result<(), Error> {
        loop {
            self.poll_wakers()?;
            while let Some(h) = self.sched.run_queue.pop_front() {
                if self.load_if_runnable(h)? {
                    return Ok(());
                }
            }
            let next_timer = self.next_live_timer();
            if next_timer.is_none() && self.sched.completions.outstanding == 0 {
                let report = self.deadlock_report();
                let main = self.sched.main;
                self.abandon_wait(main)?;
                self.load_task(main)?;
                return Err(Error::new(ErrorKind::Deadlock, report));
            }
            self.wait_for(next_timer)?;
        }
    }

    /// Sleeps until `until` (or a completion arrives), in steps, checking the interrupt
    /// flag and the deadline between them. What the program printed is flushed first: a
    /// program that waits (a server between requests) shows its output meanwhile.
    fn wait_for(&mut self, until: Option<Instant>) -> Result<(), Error> {
        self.flush();
        let now = Instant::now();
        let mut step = until.map_or(WAIT_STEP, |at| at.saturating_duration_since(now).min(WAIT_STEP));
        if let Some(deadline) = self.run.deadline {
            step = step.min(deadline.saturating_duration_since(now));
        }
        if let Some(completion) = self.sched.completions.wait(step) {
            self.complete(completion)?;
        }
        self.check_waiting_limits()
    }

    /// The limits a waiting scheduler still enforces: the interrupt and the deadline. (The
    /// main task becomes the running one, so the error ends the run there.)
    fn check_waiting_limits(&mut self) -> Result<(), Error> {
        let interrupted = self.interrupt.swap(false, std::sync::atomic::Ordering::Relaxed);
        let past_deadline = self.run.deadline.is_some_and(|d| Instant::now() >= d);
        if !interrupted && !past_deadline {
            return Ok(());
        }
        let main = self.sched.main;
        self.abandon_wait(main)?;
        self.load_task(main)?;
        if interrupted {
            return Err(Error::limit("interrupted"));
        }
        let ms = self.limits.deadline.map_or(0, |d| d.as_millis());
        Err(Error::limit(format!("deadline of {ms} ms exceeded")))
    }

    /// Makes task `h`'s current wait stale (its wakers will do nothing) and the task
    /// runnable in place: the task is about to run with an error instead.
    pub(crate) fn abandon_wait(&mut self, h: Handle) -> Result<(), Error> {
        let object = self.task_object_mut(h, None)?;
        object.epoch = object.epoch.wrapping_add(1);
        object.status = Status::Runnable;
        Ok(())
    }

    // ---- waiting and waking --------------------------------------------------------------

    /// Whether waiter `w` still waits (on the wait it registered for).
    pub(crate) fn still_waiting(&self, w: Waiter) -> bool {
        self.task_object(w.task).is_ok_and(|t| matches!(t.status, Status::Blocked(_)) && t.epoch == w.epoch)
    }

    /// Wakes waiter `w` if it still waits, pushing `values` where it resumes; the task
    /// goes to the back of the run queue. Whether it woke.
    pub(crate) fn wake(&mut self, w: Waiter, values: &[Value]) -> Result<bool, Error> {
        let stored: SmallVec<[Handle; 2]> = values.iter().filter_map(|v| v.handle()).collect();
        self.wake_with(w, stored, |object| values.iter().for_each(|&value| object.state.push(value)))
    }

    /// Wakes waiter `w` if it still waits, to raise `err` where it resumes.
    pub(crate) fn wake_raising(&mut self, w: Waiter, err: Error) -> Result<bool, Error> {
        self.wake_with(w, None, |object| object.raise = Some(err))
    }

    /// Wakes waiter `w` if it still waits, giving its task what it resumes with (`resume`
    /// changes the task by storing `stored`). One lookup of the task: storing shades the
    /// values even when the task no longer waits, which is harmless.
    fn wake_with(
        &mut self,
        w: Waiter,
        stored: impl IntoIterator<Item = Handle>,
        resume: impl FnOnce(&mut TaskObject),
    ) -> Result<bool, Error> {
        let object = self.task_object_mut(w.task, stored)?;
        if !(matches!(object.status, Status::Blocked(_)) && object.epoch == w.epoch) {
            return Ok(false);
        }
        resume(object);
        object.status = Status::Runnable;
        object.epoch = object.epoch.wrapping_add(1);
        self.sched.run_queue.push_back(w.task);
        Ok(true)
    }

    /// Wakes the tasks whose timers are due or whose external operations completed, so a
    /// running task that never blocks cannot keep them waiting past its slice.
    ///
    /// Inlined, and the common answer, nothing to poll, decided without a call: every task
    /// switch polls.
    #[inline(always)]
    pub(crate) fn poll_wakers(&mut self) -> Result<(), Error> {
        if self.sched.completions.outstanding == 0 && self.sched.timers.is_empty() {
            return Ok(());
        }
        self.take_completions()?;
        self.fire_due_timers()
    }

    /// Runs the timers that are due: each wakes its task (if it still waits on that wait).
    fn fire_due_timers(&mut self) -> Result<(), Error> {
        if self.sched.timers.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        while let Some(timer) = self.sched.timers.pop_due(now) {
            let waiter = Waiter { task: timer.task, epoch: timer.epoch };
            match timer.kind {
                TimerKind::Wake | TimerKind::Tick => {
                    self.wake(waiter, &[])?;
                }
                TimerKind::Timeout => {
                    let err = Error::new(ErrorKind::Timeout, "the future was not resolved in time");
                    if self.still_waiting(waiter) {
                        let future = match self.task_object(timer.task)?.status {
                            Status::Blocked(Wait::Future(f)) => Some(f),
                            _ => None,
                        };
                        self.wake_raising(waiter, err)?;
                        if let Some(f) = future {
                            self.forget_waiter(f, waiter)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// When the earliest timer that can still wake a task falls due. Timers of waits that
    /// ended otherwise (a cancelled sleeper, a `timeout` whose future resolved) are
    /// dropped here, so they neither delay a deadlock report nor wake the scheduler.
    fn next_live_timer(&mut self) -> Option<Instant> {
        while let Some(timer) = self.sched.timers.peek() {
            if self.still_waiting(Waiter { task: timer.task, epoch: timer.epoch }) {
                return Some(timer.at);
            }
            self.sched.timers.pop();
        }
        None
    }

    /// Removes a waiter from a future's list (its `timeout` passed first).
    fn forget_waiter(&mut self, future: Handle, waiter: Waiter) -> Result<(), Error> {
        let object = self.object_mut::<FutureObject>(future, None)?;
        object.waiters.retain(|w| *w != waiter);
        Ok(())
    }

    /// Takes the completions that have arrived.
    fn take_completions(&mut self) -> Result<(), Error> {
        while let Some(completion) = self.sched.completions.try_take() {
            self.complete(completion)?;
        }
        Ok(())
    }

    /// Resolves (or fails) the future of a completed external operation.
    fn complete(&mut self, completion: super::Completion) -> Result<(), Error> {
        let Some(future) = self.sched.tickets.remove(&completion.ticket) else { return Ok(()) };
        match (completion.result)(self) {
            Ok(value) => self.resolve_future(future, value),
            Err(err) => {
                let value = self.error_value(&err);
                self.fail_future(future, value, &err)
            }
        }
    }

    // ---- futures ---------------------------------------------------------------------------

    /// Ends pending future `future` with `outcome` (which stores `stored`): it forgets its
    /// task and gives back its waiters, in the order they came, and whether it was awaited.
    /// `None` if it had ended already (the first outcome stays).
    fn settle_future(
        &mut self,
        future: Handle,
        outcome: Outcome,
        stored: Option<Handle>,
    ) -> Result<Option<(Waiters, bool)>, Error> {
        let object = self.object_mut::<FutureObject>(future, stored)?;
        if !matches!(object.outcome, Outcome::Pending) {
            return Ok(None);
        }
        object.outcome = outcome;
        object.task = None;
        Ok(Some((std::mem::take(&mut object.waiters), object.awaited)))
    }

    /// Resolves a pending future with `value`, waking its waiters in the order they came.
    pub(crate) fn resolve_future(&mut self, future: Handle, value: Value) -> Result<(), Error> {
        let Some((waiters, _)) = self.settle_future(future, Outcome::Resolved(value), value.handle())? else {
            return Ok(());
        };
        for w in waiters {
            self.wake(w, &[value])?;
        }
        Ok(())
    }

    /// Fails a pending future with error map `error` (from `err`), waking its waiters to
    /// raise it. A failure nobody waits for or awaited is reported on stderr.
    pub(crate) fn fail_future(&mut self, future: Handle, error: Value, err: &Error) -> Result<(), Error> {
        let Some((waiters, awaited)) = self.settle_future(future, Outcome::Failed(error), error.handle())? else {
            return Ok(());
        };
        let unobserved = waiters.is_empty() && !awaited;
        let mut woke = false;
        for w in waiters {
            let raise = self.raise_error_value(error);
            woke |= self.wake_raising(w, raise)?;
        }
        if unobserved || !woke {
            self.report_unawaited(err);
        }
        Ok(())
    }

    /// The error that re-raises error map `error` as it is (its kind kept). A limit met by
    /// the work behind a future (a parallel worker's fuel, deadline or heap) stops the
    /// awaiting program too, so it passes through every `try` as a limit error does.
    pub(crate) fn raise_error_value(&mut self, error: Value) -> Error {
        let mut err = self.task_error_of(error);
        if err.kind() == ErrorKind::Limit {
            err.set_uncatchable();
        }
        err
    }

    /// Writes a task's error that nobody awaits to stderr.
    pub(crate) fn report_unawaited(&mut self, err: &Error) {
        let mut text = format!("error in a task nobody awaits: {}: {}", err.kind().as_str(), err.message());
        for entry in err.trace() {
            let name = entry.name.as_deref().unwrap_or("<anonymous>");
            let _ = write!(text, "\n  at {name}");
            if let (Some(span), Some(source)) = (entry.span, &entry.source) {
                let pos = source.position(span.start);
                let _ = write!(text, " ({}:{}:{})", source.name, pos.line, pos.column);
            }
        }
        self.write_error_line(&text);
    }

    // ---- ending ----------------------------------------------------------------------------

    /// The running task (not the main one) has run to the end of its code: its role says
    /// what follows. Returns whether it goes on running (an actor's next message).
    pub(crate) fn task_returned(&mut self) -> Result<bool, Error> {
        let current = self.sched.current;
        let result = self.task.stack.last().copied().unwrap_or(Value::Nil);
        match self.task_object(current)?.role {
            Role::Main => Ok(true),
            Role::Once { future } => {
                self.end_current()?;
                self.resolve_future(future, result)?;
                Ok(false)
            }
            Role::Every { future, ms } => {
                self.task.stack.clear();
                if self.future_is_pending(future)? {
                    self.next_tick(current, ms)?;
                } else {
                    self.end_current()?;
                }
                Ok(false)
            }
            Role::Actor { actor, reply } => {
                self.task.stack.clear();
                if let Some(reply) = reply {
                    self.resolve_future(reply, result)?;
                }
                self.next_message(actor)
            }
        }
    }

    /// The running task (not the main one) failed with `err`, which it did not catch.
    /// Returns whether it goes on running (an actor survives a failing message).
    pub(crate) fn task_failed(&mut self, err: Error) -> Result<bool, Error> {
        let current = self.sched.current;
        let role = self.task_object(current)?.role;
        let error = self.error_value(&err);
        match role {
            Role::Main => Err(err),
            Role::Once { future } | Role::Every { future, .. } => {
                self.end_current()?;
                self.fail_future(future, error, &err)?;
                Ok(false)
            }
            Role::Actor { actor, reply } => {
                self.task.stack.clear();
                match reply {
                    Some(reply) => self.fail_future(reply, error, &err)?,
                    None => self.report_unawaited(&err),
                }
                self.next_message(actor)
            }
        }
    }

    fn future_is_pending(&self, future: Handle) -> Result<bool, Error> {
        Ok(matches!(self.object::<FutureObject>(future)?.outcome, Outcome::Pending))
    }

    /// Ends the running task: it leaves the live set and keeps nothing.
    fn end_current(&mut self) -> Result<(), Error> {
        let current = self.sched.current;
        self.task.unwind_to(0);
        self.task.stack.clear();
        self.task_object_mut(current, None)?.status = Status::Done;
        self.sched.live.swap_remove(&current);
        Ok(())
    }

    /// Ends task `h`, not the running one (`cancel`): it keeps nothing, and its wakers
    /// find it gone.
    pub(crate) fn end_task(&mut self, h: Handle) -> Result<(), Error> {
        let object = self.task_object_mut(h, None)?;
        object.status = Status::Done;
        object.epoch = object.epoch.wrapping_add(1);
        let ended = std::mem::take(&mut object.state);
        object.pending_call = None;
        self.sched.recycle(ended);
        self.sched.live.swap_remove(&h);
        Ok(())
    }

    /// Ends every task the run in progress started (the run was stopped by a limit: the
    /// REPL's Ctrl-C stops the tasks of its line). Their futures are cancelled.
    pub(crate) fn end_run_tasks(&mut self) {
        let run = self.sched.run;
        let (main, current) = (self.sched.main, self.sched.current);
        let started: Vec<Handle> = self
            .sched
            .live
            .iter()
            .copied()
            .filter(|&h| h != main && h != current && self.task_object(h).is_ok_and(|t| t.run == run))
            .collect();
        for h in started {
            let _ = self.cancel_task(h);
        }
    }

    /// Stops task `h` (not the running one): its future, if it has one, is cancelled.
    pub(crate) fn cancel_task(&mut self, h: Handle) -> Result<(), Error> {
        let role = self.task_object(h)?.role;
        self.end_task(h)?;
        match role {
            Role::Once { future } | Role::Every { future, .. } => self.cancel_future(future),
            Role::Actor { reply: Some(reply), .. } => self.cancel_future(reply),
            Role::Actor { .. } | Role::Main => Ok(()),
        }
    }

    /// Marks a pending future cancelled; its waiters raise a `cancelled` error.
    pub(crate) fn cancel_future(&mut self, future: Handle) -> Result<(), Error> {
        let Some((waiters, _)) = self.settle_future(future, Outcome::Cancelled, None)? else {
            return Ok(());
        };
        for w in waiters {
            self.wake_raising(w, cancelled_error())?;
        }
        Ok(())
    }

    /// Blocks the running `every` task until its next tick.
    fn next_tick(&mut self, task: Handle, ms: u64) -> Result<(), Error> {
        let waiter = self.sched.block_current(Wait::Timer);
        let body = self.task_object(task)?.body;
        self.task_object_mut(task, body.handle())?.pending_call =
            Some(Call { f: body, args: SmallVec::new(), function: false });
        let at = Instant::now() + Duration::from_millis(ms);
        self.sched.timers.set(at, TimerKind::Tick, task, waiter.epoch);
        Ok(())
    }

    /// An actor's task takes its next message and calls the handler with it, or (with an
    /// empty mailbox) blocks until a message comes. Returns whether it goes on running.
    fn next_message(&mut self, actor: Handle) -> Result<bool, Error> {
        let current = self.sched.current;
        let object = self.object_mut::<ActorObject>(actor, None)?;
        let Some((message, reply)) = object.mailbox.pop_front() else {
            self.task_object_mut(current, None)?.role = Role::Actor { actor, reply: None };
            self.sched.block_current(Wait::Mailbox);
            return Ok(false);
        };
        let handler = object.handler;
        self.task_object_mut(current, reply)?.role = Role::Actor { actor, reply };
        self.task.unwind_to(0);
        let call = Call { f: handler, args: SmallVec::from_slice(&[message]), function: true };
        match self.start_call(call) {
            Ok(()) => Ok(true),
            Err(err) => self.task_failed(err),
        }
    }

    // ---- the deadlock report ---------------------------------------------------------------

    /// The message of a deadlock: every blocked task, where it is and what it waits on.
    fn deadlock_report(&self) -> String {
        let mut text = String::from("every task is blocked:");
        let main = self.sched.main;
        for h in self.live_in_start_order() {
            let Ok(object) = self.task_object(h) else { continue };
            let Status::Blocked(wait) = object.status else { continue };
            let who = if h == main { "the main task".to_string() } else { self.task_label(object) };
            let at = self.position_text(&object.state);
            let _ = write!(text, "\n  {who}{at} waits on {}", self.wait_text(wait));
        }
        text
    }

    /// One line per task that has not ended, other than the main task: what it runs,
    /// where it stopped and what it is doing (`runnable`, or what it waits on), in the
    /// order the tasks started. The REPL's `:tasks` shows it.
    pub fn tasks(&self) -> Vec<String> {
        let main = self.sched.main;
        let mut lines = Vec::new();
        for h in self.live_in_start_order().into_iter().filter(|&h| h != main) {
            let Ok(object) = self.task_object(h) else { continue };
            let doing = match object.status {
                Status::Blocked(wait) => format!("waits on {}", self.wait_text(wait)),
                Status::Runnable | Status::Running => "runnable".to_string(),
                Status::Done => continue,
            };
            let at = self.position_text(&object.state);
            lines.push(format!("{}{at}: {doing}", self.task_label(object)));
        }
        lines
    }

    /// The live tasks, the main task first and the others in the order they started.
    fn live_in_start_order(&self) -> Vec<Handle> {
        let mut tasks: Vec<(u64, Handle)> =
            self.sched.live.iter().filter_map(|&h| Some((self.task_object(h).ok()?.seq, h))).collect();
        tasks.sort_unstable();
        let main = self.sched.main;
        std::iter::once(main).chain(tasks.into_iter().map(|(_, h)| h).filter(|&h| h != main)).collect()
    }

    /// How a task is named in reports: `task 'name'` after the continuation it runs.
    pub(crate) fn task_label(&self, object: &TaskObject) -> String {
        let kind = match object.role {
            Role::Actor { .. } => "actor",
            _ => "task",
        };
        format!("{kind} {}", self.continuation_label(object.body))
    }

    /// `'name'` for a named continuation, `<anonymous function defined at L:C>` otherwise.
    fn continuation_label(&self, body: Value) -> String {
        if let Value::Cont(h) = body
            && let Ok(closure) = self.reg.closure(h)
        {
            if let Some(name) = closure.name {
                return format!("'{}'", self.reg.name_text(name));
            }
            if let (Some(origin), Some(source)) = (closure.code.origin, &closure.code.source) {
                let pos = source.position(origin.start);
                return format!("<anonymous, defined at {}:{}:{}>", source.name, pos.line, pos.column);
            }
        }
        "<anonymous>".to_string()
    }

    /// ` at FILE:L:C`: where a parked task is (the op it waits in), if known.
    fn position_text(&self, state: &Task) -> String {
        let Some(frame) = state.frames.last() else { return String::new() };
        let at = (frame.ip as usize).saturating_sub(1);
        match (frame.code.spans.get(at), &frame.code.source) {
            (Some(span), Some(source)) => {
                let pos = source.position(span.start);
                format!(" at {}:{}:{}", source.name, pos.line, pos.column)
            }
            _ => String::new(),
        }
    }

    fn wait_text(&self, wait: Wait) -> String {
        match wait {
            Wait::Future(_) => "a future (await)".to_string(),
            Wait::Recv(ch) => format!("recv of {}", self.object_text(ch)),
            Wait::Send(ch) => format!("send to {}", self.object_text(ch)),
            Wait::Select => "select of channels".to_string(),
            Wait::Mailbox => "its mailbox".to_string(),
            Wait::Timer => "a timer".to_string(),
        }
    }

    fn object_text(&self, h: Handle) -> String {
        self.reg.native(h).map_or_else(|_| "an object".to_string(), |n| n.display())
    }
}

/// The error of awaiting a cancelled future.
pub(crate) fn cancelled_error() -> Error {
    Error::new(ErrorKind::Cancelled, "the task was cancelled")
}

/// Scheduler object `h` of type `T`, to change by storing `stored` (see
/// [`Vm::object_mut`]). It borrows the registry alone, so that a caller can hold it while
/// it uses the task (a switch swaps states between a task object and `Vm::task`).
/// (Inlined: every task switch and channel message looks objects up this way.)
#[inline(always)]
pub(crate) fn object_in<T: NativeObject>(
    reg: &mut registry::Registry<crate::code::Block>,
    h: Handle,
    stored: impl IntoIterator<Item = Handle>,
) -> Result<&mut T, Error> {
    let native = reg.native_mut_storing(h, stored)?;
    downcast_mut::<T>(&mut **native).ok_or_else(|| not_a::<T>(h))
}

/// The internal error of a scheduler object that is not of the type expected.
#[cold]
#[inline(never)]
fn not_a<T>(h: Handle) -> Error {
    Error::internal(format!("{h:?} is not a {}", std::any::type_name::<T>()))
}
