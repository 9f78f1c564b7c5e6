//! [`Task`]: the state of one running program — data stack, context stack (frames plus
//! entries) and locals — kept in one struct so that a scheduler can swap tasks.

use gc::Tracer;
use registry::{Name, Value};

use crate::entry::Entry;
use crate::error::{Error, ErrorKind};
use crate::frame::Frame;

/// One task's execution state.
#[derive(Default)]
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
    /// Variables of activations whose scope lives on this stack (see `Env::Locals`).
    pub(crate) locals: Vec<(Name, Value)>,
}

impl Task {
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

    #[inline]
    pub(crate) fn push(&mut self, value: Value) {
        self.stack.push(value);
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
        self.stack.iter().for_each(|v| v.trace(tracer));
        self.locals.iter().for_each(|(_, v)| v.trace(tracer));
        for frame in &self.frames {
            registry::Code::trace(&*frame.code, tracer);
            frame.env.trace(tracer);
        }
        self.entries.iter().for_each(|e| e.trace(tracer));
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
