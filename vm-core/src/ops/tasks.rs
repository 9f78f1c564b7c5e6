//! The scheduler's words (SPEC §6): `spawn await yield cancel timeout sleep after every now`,
//! the channels' `channel send recv close select`, the actors' `actor tell ask`, and
//! `cores` (the parallel words are in `crate::parallel`). A word that must wait registers the running task with what it waits on and
//! returns [`Then::Block`]; whoever ends the wait pushes the word's result where the task
//! resumes (see `crate::sched`).

use std::time::{Duration, Instant};

use gc::Handle;
use registry::Value;
use smallvec::SmallVec;

use super::Then;
use crate::error::{Error, ErrorKind};
use crate::sched::{
    ActorObject, ChannelObject, FutureObject, Outcome, Receiver, Role, Status, TaskObject, TimerKind, Wait,
    cancelled_error,
};
use crate::sched::{Call, Scheduler, Waiter, object_in};
use crate::vm::Vm;
use crate::words::TaskWord;

impl Vm {
    /// Runs a scheduler word.
    #[inline(never)]
    pub(crate) fn task_word(&mut self, word: TaskWord) -> Result<Then, Error> {
        use TaskWord as W;
        match word {
            W::Spawn => self.spawn(),
            W::Await => self.await_word(),
            W::Yield => self.yield_word(),
            W::Cancel => self.cancel(),
            W::Timeout => self.timeout(),
            W::Sleep => self.sleep(),
            W::After => self.after_or_every(false),
            W::Every => self.after_or_every(true),
            W::Now => {
                let ms = self.sched.started.elapsed().as_secs_f64() * 1000.0;
                self.task.push(Value::Float(ms));
                Ok(Then::Continue)
            }
            W::Channel => self.channel(),
            W::Send => self.send(),
            W::Recv => self.recv(),
            W::Close => self.close(),
            W::Select => self.select(),
            W::Actor => self.actor(),
            W::Tell => self.post(false),
            W::Ask => self.post(true),
            W::Cores => {
                self.task.push(Value::Int(crate::parallel::cores() as i64));
                Ok(Then::Continue)
            }
            W::ParMap => self.par_map(),
            W::ParReduce => self.par_reduce(),
        }
    }

    /// Pops a continuation for `word`.
    /// Pops the continuation a word will call with `args` arguments: a function (a Rho
    /// `fun`) that takes another number is an `arity` error now, not when it runs.
    pub(crate) fn pop_continuation(&mut self, word: &str, args: u16) -> Result<Value, Error> {
        let value = self.task.pop(word)?;
        let Value::Cont(h) = value else {
            return Err(self.not_a_continuation(word, value));
        };
        match self.reg.closure(h)?.arity {
            Some(arity) if arity != args => {
                let count = |n: u16| match n {
                    0 => "no arguments".to_string(),
                    1 => "1 argument".to_string(),
                    n => format!("{n} arguments"),
                };
                Err(Error::new(
                    ErrorKind::Arity,
                    format!(
                        "'{word}' calls its function with {}, but the function takes {}",
                        count(args),
                        count(arity)
                    ),
                ))
            }
            _ => Ok(value),
        }
    }

    /// Pops a duration in milliseconds (a non-negative int or float).
    fn pop_ms(&mut self, word: &str) -> Result<Duration, Error> {
        let value = self.task.pop(word)?;
        let ms = match value {
            Value::Int(i) if i >= 0 => i as f64,
            Value::Float(f) if f >= 0.0 && f.is_finite() => f,
            other => {
                return Err(Error::type_error(format!(
                    "'{word}' expects a non-negative number of milliseconds, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        // Longer than a century is as good as forever, and keeps `Instant` arithmetic sound.
        Ok(Duration::from_secs_f64((ms / 1000.0).min(3.2e9)))
    }

    fn pop_future(&mut self, word: &str) -> Result<Handle, Error> {
        let value = self.task.pop(word)?;
        self.object_of::<FutureObject>(value, word, "a future")
    }

    fn pop_channel(&mut self, word: &str) -> Result<(Handle, Value), Error> {
        let value = self.task.pop(word)?;
        Ok((self.object_of::<ChannelObject>(value, word, "a channel")?, value))
    }

    // ---- tasks and futures ---------------------------------------------------------------

    /// `spawn ( {body} -- future )`.
    fn spawn(&mut self) -> Result<Then, Error> {
        let body = self.pop_continuation("spawn", 0)?;
        let future = self.start(body, |future| Role::Once { future }, Status::Runnable, None)?;
        self.task.push(future);
        Ok(Then::Continue)
    }

    /// A new future and the task behind it, which calls `body` (as `&`) when it first runs.
    fn start(
        &mut self,
        body: Value,
        role: impl FnOnce(Handle) -> Role,
        status: Status,
        timer: Option<Duration>,
    ) -> Result<Value, Error> {
        let future = self.new_future();
        let call = Call { f: body, args: SmallVec::new(), function: false };
        let task = self.new_task(call, role(future), status)?;
        self.object_mut::<FutureObject>(future, Some(task))?.task = Some(task);
        if let Some(after) = timer {
            self.sched.timers.set(Instant::now() + after, TimerKind::Tick, task, 0);
        }
        Ok(Value::Native(future))
    }

    /// `await ( future -- value )`.
    fn await_word(&mut self) -> Result<Then, Error> {
        let future = self.pop_future("await")?;
        self.await_future(future, None)
    }

    /// Awaits `future`: its value now if it is resolved (its error if it failed), or the
    /// task blocks until it is, for at most `limit` (`timeout`).
    pub(crate) fn await_future(&mut self, future: Handle, limit: Option<Duration>) -> Result<Then, Error> {
        let object = self.object_mut::<FutureObject>(future, None)?;
        object.awaited = true;
        match object.outcome {
            Outcome::Resolved(value) => {
                self.task.push(value);
                Ok(Then::Continue)
            }
            Outcome::Failed(error) => Err(self.raise_error_value(error)),
            Outcome::Cancelled => Err(cancelled_error()),
            Outcome::Pending => {
                let waiter = self.sched.block_current(Wait::Future(future));
                self.object_mut::<FutureObject>(future, Some(waiter.task))?.waiters.push(waiter);
                if let Some(limit) = limit {
                    self.sched.timers.set(Instant::now() + limit, TimerKind::Timeout, waiter.task, waiter.epoch);
                }
                Ok(Then::Block)
            }
        }
    }

    /// `yield ( -- )`: to the back of the queue, if any other task can run.
    fn yield_word(&mut self) -> Result<Then, Error> {
        self.poll_wakers()?;
        if self.sched.run_queue.is_empty() {
            return Ok(Then::Continue);
        }
        let current = self.sched.current;
        self.object_mut::<TaskObject>(current, None)?.status = Status::Runnable;
        self.sched.run_queue.push_back(current);
        Ok(Then::Block)
    }

    /// `cancel ( future -- )`: stops the task behind the future (which may be the running
    /// one). A future that has ended stays as it is.
    fn cancel(&mut self) -> Result<Then, Error> {
        let future = self.pop_future("cancel")?;
        let object = self.object::<FutureObject>(future)?;
        if !matches!(object.outcome, Outcome::Pending) {
            return Ok(Then::Continue);
        }
        match object.task {
            Some(task) if task == self.sched.current => {
                // The running task cancels itself: it ends here.
                self.cancel_future(future)?;
                self.task.unwind_to(0);
                self.task.stack.clear();
                self.object_mut::<TaskObject>(task, None)?.status = Status::Done;
                self.sched.live.swap_remove(&task);
                Ok(Then::Block)
            }
            Some(task) => {
                self.cancel_task(task)?;
                Ok(Then::Continue)
            }
            None => {
                self.cancel_future(future)?;
                Ok(Then::Continue)
            }
        }
    }

    /// `timeout ( future ms -- value )`.
    fn timeout(&mut self) -> Result<Then, Error> {
        let limit = self.pop_ms("timeout")?;
        let future = self.pop_future("timeout")?;
        self.await_future(future, Some(limit))
    }

    /// `sleep ( ms -- )`.
    fn sleep(&mut self) -> Result<Then, Error> {
        let duration = self.pop_ms("sleep")?;
        if duration.is_zero() {
            return self.yield_word();
        }
        let waiter = self.sched.block_current(Wait::Timer);
        self.sched.timers.set(Instant::now() + duration, TimerKind::Wake, waiter.task, waiter.epoch);
        Ok(Then::Block)
    }

    /// `after ( ms {f} -- future )` and `every ( ms {f} -- future )`.
    fn after_or_every(&mut self, every: bool) -> Result<Then, Error> {
        let word = if every { "every" } else { "after" };
        let f = self.pop_continuation(word, 0)?;
        let interval = self.pop_ms(word)?;
        let ms = interval.as_millis() as u64;
        let role = move |future| if every { Role::Every { future, ms } } else { Role::Once { future } };
        let future = self.start(f, role, Status::Blocked(Wait::Timer), Some(interval))?;
        self.task.push(future);
        Ok(Then::Continue)
    }

    // ---- channels ------------------------------------------------------------------------

    /// `channel ( capacity -- ch )`.
    fn channel(&mut self) -> Result<Then, Error> {
        let capacity = match self.task.pop("channel")? {
            Value::Int(n) if n >= 1 => n as usize,
            other => {
                return Err(Error::type_error(format!(
                    "'channel' expects a capacity of at least 1, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        let channel = self.reg.new_native(Box::new(ChannelObject::new(capacity)));
        self.task.push(channel);
        Ok(Then::Continue)
    }

    fn channel_mut(
        &mut self,
        h: Handle,
        stored: impl IntoIterator<Item = Handle>,
    ) -> Result<&mut ChannelObject, Error> {
        self.object_mut::<ChannelObject>(h, stored)
    }

    /// The `type` error of `word` given `value` where it expects a channel.
    #[cold]
    fn not_a_channel(&self, word: &str, value: Value) -> Error {
        Error::type_error(format!("'{word}' expects a channel, got {}", registry::a_type(self.type_name(value))))
    }

    /// Hands `value` to a receiver if it still waits: it resumes with the value (and, from
    /// `select`, the channel). Whether it did.
    fn hand_over(&mut self, receiver: Receiver, value: Value) -> Result<bool, Error> {
        match receiver.select {
            Some(channel) => self.wake(receiver.waiter, &[value, channel]),
            None => self.wake(receiver.waiter, &[value]),
        }
    }

    /// `send ( x ch -- )`.
    fn send(&mut self) -> Result<Then, Error> {
        let channel = self.task.pop("send")?;
        let value = self.task.pop("send")?;
        self.send_value(channel, value)
    }

    /// Sends `value` on `channel` (both popped already): to the first receiver still
    /// waiting, else into the buffer if it has room, else the running task waits. Every
    /// message of a ping-pong passes here, so the channel is looked up once on the way to
    /// its receiver, its buffer or its senders (a receiver that stopped waiting, a `select`
    /// answered elsewhere, costs another look).
    pub(crate) fn send_value(&mut self, channel: Value, value: Value) -> Result<Then, Error> {
        // Stored: the value, and the running task should it wait here.
        let stored = value.handle().into_iter().chain(Some(self.sched.current));
        let Some((h, object)) = channel_in(&mut self.reg, channel, stored) else {
            return Err(self.not_a_channel("send", channel));
        };
        if object.closed {
            return Err(Error::new(ErrorKind::Closed, "'send' on a closed channel"));
        }
        let Some(first) = object.receivers.pop_front() else {
            return Ok(buffer_or_wait(object, h, value, &mut self.sched));
        };
        let mut receiver = Some(first);
        while let Some(waiting) = receiver {
            if self.hand_over(waiting, value)? {
                return Ok(Then::Continue);
            }
            receiver = self.channel_mut(h, None)?.receivers.pop_front();
        }
        // Only receivers that had stopped waiting.
        let stored = value.handle().into_iter().chain(Some(self.sched.current));
        let object = object_in::<ChannelObject>(&mut self.reg, h, stored)?;
        Ok(buffer_or_wait(object, h, value, &mut self.sched))
    }

    /// Takes the next value of channel `h` if it has one; `None` if it has none.
    fn take_value(&mut self, h: Handle) -> Result<Option<Value>, Error> {
        let object = self.channel_mut(h, None)?;
        let buffered = object.buffer.pop_front();
        let sender = object.senders.pop_front();
        self.finish_take(h, buffered, sender)
    }

    /// The rest of taking a value from channel `h`, given its buffer's front and its first
    /// waiting sender, both taken off already. A sender waits only while the buffer is full,
    /// so the first one still waiting wakes and its value takes the place just freed (or,
    /// with nothing buffered, is the value taken).
    fn finish_take(
        &mut self,
        h: Handle,
        buffered: Option<Value>,
        mut sender: Option<(Waiter, Value)>,
    ) -> Result<Option<Value>, Error> {
        while let Some((waiter, waiting)) = sender {
            if self.wake(waiter, &[])? {
                let Some(value) = buffered else { return Ok(Some(waiting)) };
                self.channel_mut(h, waiting.handle())?.buffer.push_back(waiting);
                return Ok(Some(value));
            }
            sender = self.channel_mut(h, None)?.senders.pop_front();
        }
        Ok(buffered)
    }

    /// `recv ( ch -- x )`.
    fn recv(&mut self) -> Result<Then, Error> {
        let channel = self.task.pop("recv")?;
        self.recv_value(channel)
    }

    /// Receives from `channel` (popped already), pushing the value, or `nil` from a closed
    /// and drained channel; else the running task waits for a sender. The channel is looked
    /// up once, to take the value (and refill the buffer from a waiting sender) or to
    /// wait.
    pub(crate) fn recv_value(&mut self, channel: Value) -> Result<Then, Error> {
        // Stored: the running task, should it wait here.
        let Some((h, object)) = channel_in(&mut self.reg, channel, Some(self.sched.current)) else {
            return Err(self.not_a_channel("recv", channel));
        };
        let buffered = object.buffer.pop_front();
        let closed = object.closed;
        let taken = match object.senders.pop_front() {
            None if buffered.is_none() && !closed => return Ok(wait_to_receive(object, h, &mut self.sched)),
            None => buffered,
            Some((waiter, waiting)) if buffered.is_some() => {
                // The sender's value takes the place just freed (a sender waits only while
                // the buffer is full): moved there in this lookup, and back out should the
                // sender no longer wait.
                object.buffer.push_back(waiting);
                if self.wake(waiter, &[])? {
                    buffered
                } else {
                    let object = self.channel_mut(h, None)?;
                    object.buffer.pop_back();
                    let next = object.senders.pop_front();
                    self.finish_take(h, buffered, next)?
                }
            }
            sender => self.finish_take(h, buffered, sender)?,
        };
        match taken {
            Some(value) => self.task.push(value),
            None if closed => self.task.push(Value::Nil),
            None => {
                // Only senders that had stopped waiting, and nothing buffered.
                let object = object_in::<ChannelObject>(&mut self.reg, h, Some(self.sched.current))?;
                return Ok(wait_to_receive(object, h, &mut self.sched));
            }
        }
        Ok(Then::Continue)
    }

    /// `close ( ch -- )`: receivers waiting get `nil`, senders waiting a `closed` error.
    fn close(&mut self) -> Result<Then, Error> {
        let (h, _) = self.pop_channel("close")?;
        let channel = self.channel_mut(h, None)?;
        if channel.closed {
            return Ok(Then::Continue);
        }
        channel.closed = true;
        let receivers = std::mem::take(&mut channel.receivers);
        let senders = std::mem::take(&mut channel.senders);
        for receiver in receivers {
            self.hand_over(receiver, Value::Nil)?;
        }
        for (sender, _) in senders {
            self.wake_raising(sender, Error::new(ErrorKind::Closed, "the channel was closed while 'send' waited"))?;
        }
        Ok(Then::Continue)
    }

    /// `select ( [ch1 ch2 …] -- x ch )`: the first channel in the array with a value (or
    /// closed: `nil`) answers at once; else the task waits on all of them.
    fn select(&mut self) -> Result<Then, Error> {
        let list = self.task.pop("select")?;
        let Value::Array(array) = list else {
            return Err(Error::type_error(format!(
                "'select' expects an array of channels, got {}",
                registry::a_type(self.type_name(list))
            )));
        };
        let items = self.reg.array(array)?.clone();
        if items.is_empty() {
            return Err(Error::type_error("'select' expects at least one channel, got an empty array"));
        }
        let mut channels = SmallVec::<[(Handle, Value); 4]>::new();
        for &item in &items {
            channels.push((self.object_of::<ChannelObject>(item, "select", "an array of channels")?, item));
        }
        for &(h, value) in &channels {
            let ready = match self.take_value(h)? {
                Some(x) => Some(x),
                None if self.object::<ChannelObject>(h)?.closed => Some(Value::Nil),
                None => None,
            };
            if let Some(x) = ready {
                self.task.push(x);
                self.task.push(value);
                return Ok(Then::Continue);
            }
        }
        let waiter = self.sched.block_current(Wait::Select);
        for &(h, value) in &channels {
            let stored = value.handle().into_iter().chain(Some(waiter.task));
            self.channel_mut(h, stored)?.receivers.push_back(Receiver { waiter, select: Some(value) });
        }
        Ok(Then::Block)
    }

    // ---- actors --------------------------------------------------------------------------

    /// `actor ( {handler} -- actor )`.
    fn actor(&mut self) -> Result<Then, Error> {
        let handler = self.pop_continuation("actor", 1)?;
        self.check_call("actor", handler, 1)?;
        let object = ActorObject { mailbox: Default::default(), handler, task: self.sched.main };
        let actor = self.reg.new_native(Box::new(object));
        let Value::Native(h) = actor else { unreachable!("new_native makes a native") };
        // The task waits for its first message; each message starts a call of the handler.
        let call = Call { f: handler, args: SmallVec::new(), function: true };
        let task = self.new_task(call, Role::Actor { actor: h, reply: None }, Status::Blocked(Wait::Mailbox))?;
        self.object_mut::<TaskObject>(task, None)?.pending_call = None;
        self.object_mut::<ActorObject>(h, Some(task))?.task = task;
        self.task.push(actor);
        Ok(Then::Continue)
    }

    /// `tell ( msg actor -- )` and `ask ( msg actor -- future )`.
    fn post(&mut self, ask: bool) -> Result<Then, Error> {
        let word = if ask { "ask" } else { "tell" };
        let actor_value = self.task.pop(word)?;
        let actor = self.object_of::<ActorObject>(actor_value, word, "an actor")?;
        let message = self.task.pop(word)?;
        let reply = ask.then(|| self.new_future());
        let stored = message.handle().into_iter().chain(reply);
        self.object_mut::<ActorObject>(actor, stored)?.mailbox.push_back((message, reply));
        self.deliver(actor)?;
        if let Some(reply) = reply {
            self.task.push(Value::Native(reply));
        }
        Ok(Then::Continue)
    }

    /// Wakes an actor waiting for a message, making it handle the next one.
    fn deliver(&mut self, actor: Handle) -> Result<(), Error> {
        let object = self.object::<ActorObject>(actor)?;
        let (task, handler) = (object.task, object.handler);
        let task_object = self.object::<TaskObject>(task)?;
        if task_object.status != Status::Blocked(Wait::Mailbox) {
            return Ok(());
        }
        let waiter = Waiter { task, epoch: task_object.epoch };
        let Some((message, reply)) = self.object_mut::<ActorObject>(actor, None)?.mailbox.pop_front() else {
            return Ok(());
        };
        let stored = message.handle().into_iter().chain(reply).chain(handler.handle());
        let object = self.object_mut::<TaskObject>(task, stored)?;
        object.role = Role::Actor { actor, reply };
        object.pending_call = Some(Call { f: handler, args: SmallVec::from_slice(&[message]), function: true });
        self.wake(waiter, &[])?;
        Ok(())
    }
}

/// Makes the running task wait to receive from channel `h`. (Free of the VM, as
/// [`buffer_or_wait`].)
fn wait_to_receive(object: &mut ChannelObject, h: Handle, sched: &mut Scheduler) -> Then {
    let waiter = sched.block_current(Wait::Recv(h));
    object.receivers.push_back(Receiver { waiter, select: None });
    Then::Block
}

/// Puts `value` into channel `h`'s buffer if it has room; else the running task waits to
/// send it. (Free of the VM, so that the caller keeps the channel it looked up.)
fn buffer_or_wait(object: &mut ChannelObject, h: Handle, value: Value, sched: &mut Scheduler) -> Then {
    if object.buffer.len() < object.capacity {
        object.buffer.push_back(value);
        return Then::Continue;
    }
    let waiter = sched.block_current(Wait::Send(h));
    object.senders.push_back((waiter, value));
    Then::Block
}

/// The channel `value` is and its handle, to change by storing `stored`; `None` if it is
/// not a channel. (It borrows the registry alone, so the caller keeps the task. Inlined:
/// it is on the path of every message.)
#[inline(always)]
fn channel_in(
    reg: &mut registry::Registry<crate::code::Block>,
    value: Value,
    stored: impl IntoIterator<Item = Handle>,
) -> Option<(Handle, &mut ChannelObject)> {
    let Value::Native(h) = value else { return None };
    // Not `object_in`: a value that is no channel is the caller's `type` error, not an
    // internal one, and making the internal error's message costs on this hot path.
    let native = reg.native_mut_storing(h, stored).ok()?;
    crate::sched::downcast_mut::<ChannelObject>(&mut **native).map(|channel| (h, channel))
}
