//! [`Task`]: the state of one running program — data stack, context stack (frames plus
//! entries) and locals — kept in one struct so that a scheduler can swap tasks.

use gc::Tracer;
use registry::{Name, Value};

use std::rc::Rc;

use crate::code::Block;
use crate::entry::Entry;
use crate::error::{Error, ErrorKind};
use crate::frame::{Env, Frame, FrameKind};
use crate::limits::Limits;

/// One task's execution state.
pub struct Task {
    /// The data stack.
    pub(crate) stack: Vec<Value>,
    /// Values below this index belong to an enclosing array literal's caller and cannot be
    /// popped until its `]` (0 outside array literals).
    pub(crate) floor: usize,
    /// The frames of the context stack.
    pub(crate) frames: Vec<Frame>,
    /// The other context-stack entries (loops, handlers, marks, spans, driven constructs).
    pub(crate) entries: Vec<Entry>,
    /// Variables of activations whose scope lives on this stack (see `Env::Locals`): a name
    /// and its value, or `None` for a slot reserved for a variable not bound yet (or
    /// forgotten). An activation starts with one reserved entry per slot of its block
    /// (`Block::locals`), in slot order, so slot `i` is always entry `base + i`; variables
    /// declared under names that have no slot go above them. A name has at most one entry
    /// per activation.
    pub(crate) locals: Vec<(Name, Option<Value>)>,
    /// Pushes that keep the data stack below this length need no check: it is the smaller
    /// of the stack's capacity and its limit. A push at or past it takes `push_checked`.
    ///
    /// Invariant (the soundness of `push_in_room` rests on it): `room <= stack.capacity()`.
    /// Every assignment of `room` takes the smaller of the two; the capacity only grows
    /// (`truncate`, `pop`, `drain` and `clear` keep it); whoever replaces `stack` itself
    /// calls `set_max_stack`, which recomputes `room`.
    pub(crate) room: usize,
    /// The data-stack limit (from [`Limits::max_stack`]).
    max_stack: usize,
    /// A limit a push ran into; raised as soon as the operation that pushed completes.
    fault: Option<Error>,
}

impl Default for Task {
    fn default() -> Task {
        Task {
            stack: Vec::new(),
            floor: 0,
            frames: Vec::new(),
            entries: Vec::new(),
            locals: Vec::new(),
            room: 0,
            max_stack: Limits::DEFAULT_MAX_STACK,
            fault: None,
        }
    }
}

impl Task {
    /// An empty task for the scheduler to start (allocating nothing until it runs).
    pub(crate) fn parked() -> Task {
        Task::default()
    }

    /// Bytes the task's stacks own, for the collector's pacing.
    pub(crate) fn footprint(&self) -> usize {
        self.stack.capacity() * std::mem::size_of::<Value>()
            + self.frames.capacity() * std::mem::size_of::<Frame>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.locals.capacity() * std::mem::size_of::<(Name, Option<Value>)>()
    }

    /// Whether its stacks own little memory (a few hundred values and frames at most), so
    /// that keeping them for another task costs little.
    pub(crate) fn is_small(&self) -> bool {
        self.footprint() <= 16 * 1024
    }

    /// Empties the task, keeping the memory its stacks own.
    pub(crate) fn empty(&mut self) {
        self.stack.clear();
        self.floor = 0;
        self.frames.clear();
        self.entries.clear();
        self.locals.clear();
        self.room = 0;
        self.fault = None;
    }

    /// Exchanges the states of two tasks: a task switch parks one and loads another this
    /// way, twice per switch. (`mem::swap` moves a `Task` in sixteen 8-byte steps, each of
    /// two loads and two stores; reading both whole and writing them back lets the compiler
    /// move them through 16-byte registers, in half the instructions.)
    #[inline(always)]
    pub(crate) fn exchange(a: &mut Task, b: &mut Task) {
        // SAFETY: `a` and `b` are distinct (two live `&mut`), and each value read is
        // written back exactly once, to the other place: nothing is dropped or duplicated,
        // and nothing between the reads and the writes can panic.
        unsafe {
            let x = std::ptr::read(a);
            let y = std::ptr::read(b);
            std::ptr::write(a, y);
            std::ptr::write(b, x);
        }
    }

    /// Sets the data-stack limit.
    pub(crate) fn set_max_stack(&mut self, max_stack: usize) {
        self.max_stack = max_stack;
        self.room = self.stack.capacity().min(max_stack);
    }

    /// Pushes a value when the stack has reached its room: past the limit, it notes a
    /// `limit` error (the push itself still happens if memory allows, and the error is
    /// raised when the operation completes); at its capacity, it grows the stack with
    /// memory it can get, or notes an out-of-memory `limit` error.
    #[cold]
    #[inline(never)]
    pub(crate) fn push_checked(&mut self, value: Value) {
        if self.stack.len() >= self.max_stack && self.fault.is_none() {
            self.fault = Some(Error::limit(format!("data stack limit of {} values exceeded", self.max_stack)));
        }
        if self.stack.len() == self.stack.capacity() {
            let more = self.stack.capacity().max(4);
            if self.stack.try_reserve(more).is_err() {
                self.fault.get_or_insert_with(|| {
                    Error::limit(format!("out of memory for the data stack ({} values)", self.stack.len()))
                });
                return;
            }
        }
        self.stack.push(value);
        self.room = self.stack.capacity().min(self.max_stack);
    }

    /// Pushes `values` at once (the elements `expand` and `unpack` spread on the stack).
    ///
    /// # Errors
    /// A `limit` error if they would pass the data-stack limit, or memory for them runs
    /// out; then nothing is pushed.
    pub(crate) fn push_slice(&mut self, word: &str, values: &[Value]) -> Result<(), Error> {
        if self.stack.len().saturating_add(values.len()) > self.max_stack {
            return Err(Error::limit(format!("data stack limit of {} values exceeded", self.max_stack)));
        }
        if self.stack.try_reserve(values.len()).is_err() {
            return Err(Error::limit(format!("'{word}': out of memory for {} values", values.len())));
        }
        self.stack.extend_from_slice(values);
        self.room = self.stack.capacity().min(self.max_stack);
        Ok(())
    }

    /// The limit a push ran into since the last call, if any.
    #[inline]
    pub(crate) fn take_fault(&mut self) -> Option<Error> {
        self.fault.take()
    }

    /// Starts a new activation of `code` on top of the context stack.
    ///
    /// # Errors
    /// A `limit` error if it would pass the depth limit, or memory for the context stack
    /// runs out.
    #[inline(always)]
    pub(crate) fn push_activation(
        &mut self,
        code: Rc<Block>,
        ip: u32,
        env: Env,
        name: Option<Name>,
        expect: u32,
        limits: &Limits,
    ) -> Result<(), Error> {
        let depth = self.frames.last().map_or(0, |f| f.depth) + 1;
        if depth as usize > limits.max_depth {
            return Err(self.depth_limit(limits));
        }
        self.reserve_frame()?;
        let activation = self.frames.len() as u32;
        let frame = Frame { code, ip, env, kind: FrameKind::Activation, activation, depth, name, expect };
        // SAFETY: `reserve_frame` made room.
        unsafe { self.push_frame_in_room(frame) };
        Ok(())
    }

    /// Runs `code` inline in `env`, as part of the current activation.
    ///
    /// # Errors
    /// A `limit` error if it would pass the inline-frame limit, or memory for the context
    /// stack runs out.
    pub(crate) fn push_inline(&mut self, code: Rc<Block>, env: Env, limits: &Limits) -> Result<(), Error> {
        let (activation, depth) = self.frames.last().map_or((0, 0), |f| (f.activation, f.depth));
        if self.frames.len() - depth as usize >= limits.max_inline {
            return Err(Error::limit(format!(
                "inline frame limit of {} exceeded (a block running itself inline without end?)",
                limits.max_inline
            )));
        }
        self.reserve_frame()?;
        let frame = Frame {
            code,
            ip: 0,
            env,
            kind: FrameKind::Inline,
            activation,
            depth,
            name: None,
            expect: Frame::NO_EXPECT,
        };
        // SAFETY: `reserve_frame` made room.
        unsafe { self.push_frame_in_room(frame) };
        Ok(())
    }

    #[cold]
    fn depth_limit(&self, limits: &Limits) -> Error {
        Error::limit(format!("context depth limit of {} activations exceeded (runaway recursion?)", limits.max_depth))
    }

    /// Makes room for one more frame, failing cleanly if memory runs out.
    #[inline]
    fn reserve_frame(&mut self) -> Result<(), Error> {
        if self.frames.len() == self.frames.capacity() {
            self.grow_frames()?;
        }
        Ok(())
    }

    #[cold]
    fn grow_frames(&mut self) -> Result<(), Error> {
        let more = self.frames.capacity().max(4);
        self.frames
            .try_reserve(more)
            .map_err(|_| Error::limit(format!("out of memory for the context stack ({} frames)", self.frames.len())))
    }

    /// Pushes a context-stack entry (a loop, a handler, an array mark, …).
    ///
    /// # Errors
    /// A `limit` error if memory for the context stack runs out.
    pub(crate) fn push_entry(&mut self, entry: Entry) -> Result<(), Error> {
        if self.entries.len() == self.entries.capacity() {
            let more = self.entries.capacity().max(4);
            if self.entries.try_reserve(more).is_err() {
                return Err(Error::limit(format!(
                    "out of memory for the context stack ({} entries)",
                    self.entries.len()
                )));
            }
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Declares a variable on the locals stack.
    ///
    /// # Errors
    /// A `limit` error if memory for the locals runs out.
    pub(crate) fn push_local(&mut self, name: Name, value: Value) -> Result<(), Error> {
        self.reserve_locals(1)?;
        self.locals.push((name, Some(value)));
        Ok(())
    }

    /// Reserves the slots of a new activation's block, unbound, on the locals stack.
    ///
    /// # Errors
    /// A `limit` error if memory for the locals runs out.
    pub(crate) fn push_slots(&mut self, slots: &[Name]) -> Result<(), Error> {
        self.reserve_locals(slots.len())?;
        self.locals.extend(slots.iter().map(|&name| (name, None)));
        Ok(())
    }

    /// Makes room for `n` more locals, failing cleanly if memory runs out.
    #[inline]
    pub(crate) fn reserve_locals(&mut self, n: usize) -> Result<(), Error> {
        if self.locals.capacity() - self.locals.len() < n {
            let more = self.locals.capacity().max(4).max(n);
            if self.locals.try_reserve(more).is_err() {
                return Err(Error::limit(format!("out of memory for local variables ({} of them)", self.locals.len())));
            }
        }
        Ok(())
    }

    /// Pops the top value, or fails with a stack error naming `word`.
    #[inline]
    pub(crate) fn pop(&mut self, word: &str) -> Result<Value, Error> {
        if self.stack.len() <= self.floor {
            return Err(self.underflow(word, 1));
        }
        Ok(self.stack.pop().unwrap_or(Value::Nil))
    }

    /// Pops the top two values as `(second, top)`.
    #[inline]
    pub(crate) fn pop2(&mut self, word: &str) -> Result<(Value, Value), Error> {
        self.need(2, word)?;
        let b = self.stack.pop().unwrap_or(Value::Nil);
        let a = self.stack.pop().unwrap_or(Value::Nil);
        Ok((a, b))
    }

    /// Pops the top three values as `(third, second, top)`.
    #[inline]
    pub(crate) fn pop3(&mut self, word: &str) -> Result<(Value, Value, Value), Error> {
        self.need(3, word)?;
        let c = self.stack.pop().unwrap_or(Value::Nil);
        let b = self.stack.pop().unwrap_or(Value::Nil);
        let a = self.stack.pop().unwrap_or(Value::Nil);
        Ok((a, b, c))
    }

    /// Fails with a stack error unless `n` values can be popped.
    #[inline]
    pub(crate) fn need(&self, n: usize, word: &str) -> Result<(), Error> {
        if self.stack.len() < self.floor + n {
            return Err(self.underflow(word, n));
        }
        Ok(())
    }

    /// The top value if it is an int that can be popped.
    #[inline]
    pub(crate) fn top_int(&mut self) -> Option<&mut i64> {
        if self.stack.len() <= self.floor {
            return None;
        }
        match self.stack.last_mut() {
            Some(Value::Int(i)) => Some(i),
            _ => None,
        }
    }

    /// The values that can be popped now.
    pub(crate) fn available(&self) -> usize {
        self.stack.len() - self.floor.min(self.stack.len())
    }

    /// Pushes a value (see [`Task::push_checked`] for what happens at the stack's room).
    #[inline]
    pub(crate) fn push(&mut self, value: Value) {
        if self.stack.len() < self.room {
            self.push_in_room(value);
        } else {
            self.push_checked(value);
        }
    }

    /// Pushes a value when the stack is below its room (which the caller has checked).
    ///
    /// Written without `Vec::push`, whose own growth path would keep the value alive
    /// across a call: the compiler then stores it to memory and loads it back, and that
    /// copy cost the executor's every push a stall.
    #[inline(always)]
    pub(crate) fn push_in_room(&mut self, value: Value) {
        let len = self.stack.len();
        // The caller's own check makes this one free: the compiler drops it.
        assert!(len < self.room, "a push past the room");
        // SAFETY: `len < room <= capacity` (the check above and the invariant of `room`),
        // so the slot at `len` is spare capacity; it is written before the length takes it
        // in.
        unsafe {
            self.stack.as_mut_ptr().add(len).write(value);
            self.stack.set_len(len + 1);
        }
    }

    /// Pushes a frame into the context stack's spare capacity, without `Vec::push`'s growth
    /// path.
    ///
    /// The fields are written one by one into the frame's place. Built whole, the frame
    /// would be assembled on the machine stack by narrow stores and then copied by wide
    /// loads, which the processor cannot forward from those stores: a stall at every call.
    /// (For the same reason nothing here may panic: unwinding would need the frame whole.)
    ///
    /// # Safety
    /// The context stack must have spare capacity: the caller checked, or made room with
    /// `reserve_frame`.
    #[inline(always)]
    pub(crate) unsafe fn push_frame_in_room(&mut self, frame: Frame) {
        let len = self.frames.len();
        debug_assert!(len < self.frames.capacity(), "a frame pushed past the capacity");
        let Frame { code, ip, env, kind, activation, depth, name, expect } = frame;
        // SAFETY: the slot at `len` is spare capacity (the caller's guarantee); every field is
        // written before the length takes the slot in.
        unsafe {
            let slot = self.frames.as_mut_ptr().add(len);
            (&raw mut (*slot).code).write(code);
            (&raw mut (*slot).ip).write(ip);
            // (Per variant: written whole, the enum is copied through the machine stack.)
            let place = &raw mut (*slot).env;
            match env {
                Env::Global => place.write(Env::Global),
                Env::Scope(scope) => place.write(Env::Scope(scope)),
                Env::Locals { base, parent } => place.write(Env::Locals { base, parent }),
            }
            (&raw mut (*slot).kind).write(kind);
            (&raw mut (*slot).activation).write(activation);
            (&raw mut (*slot).depth).write(depth);
            (&raw mut (*slot).name).write(name);
            (&raw mut (*slot).expect).write(expect);
            self.frames.set_len(len + 1);
        }
    }

    /// Makes room for a push at the stack's room: past the data-stack limit it is a
    /// `limit` error; at the capacity it grows the stack with memory it can get, or is an
    /// out-of-memory `limit` error.
    ///
    /// # Errors
    /// As above; nothing is pushed.
    #[cold]
    #[inline(never)]
    pub(crate) fn make_room(&mut self) -> Result<(), Error> {
        if self.stack.len() >= self.max_stack {
            return Err(Error::limit(format!("data stack limit of {} values exceeded", self.max_stack)));
        }
        if self.stack.len() == self.stack.capacity() {
            let more = self.stack.capacity().max(4);
            if self.stack.try_reserve(more).is_err() {
                return Err(Error::limit(format!("out of memory for the data stack ({} values)", self.stack.len())));
            }
        }
        self.room = self.stack.capacity().min(self.max_stack);
        Ok(())
    }

    #[cold]
    fn underflow(&self, word: &str, needed: usize) -> Error {
        let have = self.available();
        let plural = if needed == 1 { "value" } else { "values" };
        let place = if self.floor > 0 { " above the array literal's '['" } else { "" };
        Error::new(
            ErrorKind::Stack,
            format!(
                "stack underflow: '{word}' needs {needed} {plural} but there {} {have}{place}",
                if have == 1 { "is" } else { "are" }
            ),
        )
    }

    /// Reports every value the task holds to the collector (and charges it the frames and
    /// entries walked).
    pub(crate) fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.charge(self.frames.len() + self.entries.len());
        self.each_handle(&mut |h| tracer.mark(h));
    }

    /// Reports every heap object the task refers to: on its stacks, in its locals, the
    /// scopes of its frames and what its entries hold. (Code roots its own constants.)
    pub(crate) fn each_handle(&self, mark: &mut dyn FnMut(gc::Handle)) {
        let values = self.stack.iter().chain(self.locals.iter().filter_map(|(_, v)| v.as_ref()));
        values.filter_map(|v| v.handle()).for_each(&mut *mark);
        for frame in &self.frames {
            frame.env.each_handle(mark);
        }
        self.entries.iter().for_each(|e| e.each_handle(mark));
    }

    /// Drops every frame and entry at or above frame `base`, and the locals they owned.
    pub(crate) fn unwind_to(&mut self, base: usize) {
        while self.entries.last().is_some_and(|e| e.frame as usize >= base) {
            if let Some(Entry { kind: crate::entry::EntryKind::Mark { floor }, .. }) = self.entries.pop() {
                self.floor = floor as usize;
            }
        }
        self.truncate_frames(base);
    }

    /// Pops frames down to `len`, releasing the locals of popped activations.
    pub(crate) fn truncate_frames(&mut self, len: usize) {
        let mut locals = self.locals.len();
        for frame in self.frames.iter().skip(len) {
            if let crate::frame::Env::Locals { base, .. } = frame.env {
                locals = locals.min(base as usize);
            }
        }
        self.locals.truncate(locals);
        self.frames.truncate(len);
    }
}
