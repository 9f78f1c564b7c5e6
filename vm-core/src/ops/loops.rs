//! Compiled loops: entering `while`, C `for`, range `for`, `times`, `each` and the fused
//! range-each; advancing them (`LoopNext`); `break` and `continue`.

use registry::Value;

use crate::entry::{DynShape, Entry, EntryKind, LoopIter, Phase};
use crate::error::Error;
use crate::vm::Vm;

impl Vm {
    pub(crate) fn top_frame(&self) -> u32 {
        self.task.frames.len() as u32 - 1
    }

    pub(crate) fn push_entry(&mut self, kind: EntryKind) -> Result<(), Error> {
        let frame = self.top_frame();
        self.task.push_entry(Entry { frame, kind })
    }

    pub(crate) fn loop_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        self.push_entry(EntryKind::Loop { exit, next, iter: LoopIter::Plain })
    }

    pub(crate) fn pop_range(&mut self, word: &str) -> Result<(i64, i64), Error> {
        match self.task.pop2(word)? {
            (Value::Int(a), Value::Int(b)) => Ok((a, b)),
            (a, b) => Err(Error::type_error(format!(
                "'{word}' expects int bounds, got {} and {}",
                self.type_name(a),
                self.type_name(b)
            ))),
        }
    }

    pub(crate) fn pop_times(&mut self, word: &str) -> Result<i64, Error> {
        match self.task.pop(word)? {
            Value::Int(n) => Ok(n),
            other => Err(Error::type_error(format!("'{word}' expects an int count, got {}", self.type_name(other)))),
        }
    }

    pub(crate) fn pop_iterable(&mut self, word: &str) -> Result<Value, Error> {
        let coll = self.task.pop(word)?;
        match coll {
            Value::Array(_) | Value::Str(_) | Value::Map(_) | Value::Bytes(_) => Ok(coll),
            other => Err(Error::type_error(format!(
                "'{word}' iterates over an array, string, map or bytes, got {}",
                self.type_name(other)
            ))),
        }
    }

    #[inline(never)]
    /// A compiled `for` with a literal body: a range loop from two ints, or a C-style loop
    /// when the top three values are the init, cond and step continuations.
    pub(crate) fn for_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        let n = self.task.stack.len();
        let c_style =
            self.task.available() >= 3 && self.task.stack[n - 3..].iter().all(|v| matches!(v, Value::Cont(_)));
        let iter = if c_style {
            let step = self.pop_block("for")?;
            let cond = self.pop_block("for")?;
            let init = self.pop_block("for")?;
            LoopIter::CFor { init, cond, step, phase: Phase::Init }
        } else {
            let (first, last) = self.pop_range("for")?;
            LoopIter::Range { next: first, last }
        };
        self.push_entry(EntryKind::Loop { exit, next, iter })
    }

    /// `from to range { … } each` with a literal body: a range loop over from … to-1 that
    /// builds no array (and checks its operands as `range` does).
    pub(crate) fn range_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        let (from, to) = self.pop_range_bounds()?;
        self.push_entry(EntryKind::Loop { exit, next, iter: range_iter(from, to) })
    }

    pub(crate) fn times_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        let left = self.pop_times("times")?;
        self.push_entry(EntryKind::Loop { exit, next, iter: LoopIter::Times { left } })
    }

    #[inline(never)]
    pub(crate) fn each_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        let coll = self.pop_iterable("each")?;
        self.push_entry(EntryKind::Loop { exit, next, iter: LoopIter::Each { coll, pos: 0 } })
    }

    /// The element of `coll` at position `pos` and the position after it, or `None` at the
    /// end. Strings advance by code point (positions are byte offsets), maps give keys.
    #[inline(never)]
    pub(crate) fn element_at(&mut self, coll: Value, pos: usize) -> Result<Option<(Value, usize)>, Error> {
        Ok(match coll {
            Value::Array(h) => self.reg.array(h)?.get(pos).map(|&v| (v, pos + 1)),
            Value::Str(h) => {
                let text = self.reg.str(h)?.as_str();
                match text.get(pos..).and_then(|rest| rest.chars().next()) {
                    Some(c) => {
                        let mut buf = [0u8; 4];
                        let one = self.reg.new_str(&*c.encode_utf8(&mut buf));
                        Some((one, pos + c.len_utf8()))
                    }
                    None => None,
                }
            }
            Value::Map(h) => match self.reg.map(h)?.get_index(pos).map(|(k, _)| k.clone()) {
                Some(key) => Some((self.reg.key_value(&key), pos + 1)),
                None => None,
            },
            Value::Bytes(h) => self.reg.bytes(h)?.get(pos).map(|&b| (Value::Int(b as i64), pos + 1)),
            _ => None,
        })
    }

    /// Advances the innermost compiled loop: pushes its next element (if it has elements)
    /// for the body, runs a block of a C-style loop first, or ends the loop.
    pub(crate) fn loop_next(&mut self) -> Result<Advance, Error> {
        let Some(Entry { kind: EntryKind::Loop { iter, .. }, .. }) = self.task.entries.last_mut() else {
            return Err(Error::type_error("internal error: no loop to advance"));
        };
        let advance = match iter {
            LoopIter::Range { next, last } => match step_range(next, last) {
                Some(i) => {
                    self.task.push(Value::Int(i));
                    Advance::Body
                }
                None => Advance::Done,
            },
            LoopIter::Times { left } => {
                if step_times(left) {
                    Advance::Body
                } else {
                    Advance::Done
                }
            }
            LoopIter::Each { coll, pos } => {
                let (coll, at) = (*coll, *pos);
                match self.element_at(coll, at)? {
                    Some((value, after)) => {
                        if let Some(Entry { kind: EntryKind::Loop { iter: LoopIter::Each { pos, .. }, .. }, .. }) =
                            self.task.entries.last_mut()
                        {
                            *pos = after;
                        }
                        self.task.push(value);
                        Advance::Body
                    }
                    None => Advance::Done,
                }
            }
            LoopIter::CFor { init, cond, step, phase } => match phase {
                Phase::Init => {
                    *phase = Phase::Cond;
                    Advance::Run(*init)
                }
                Phase::Cond => {
                    *phase = Phase::Test;
                    Advance::Run(*cond)
                }
                Phase::Step => {
                    *phase = Phase::Cond;
                    Advance::Run(*step)
                }
                Phase::Test => {
                    *phase = Phase::Step;
                    let c = self.task.pop("for")?;
                    if self.truthy(c) { Advance::Body } else { Advance::Done }
                }
            },
            LoopIter::Plain | LoopIter::Dyn(_) => Advance::Done,
        };
        if matches!(advance, Advance::Done) {
            crate::entry::pop_entry(&mut self.task.entries);
        }
        Ok(advance)
    }

    pub(crate) fn loop_exit(&mut self) {
        crate::entry::pop_entry(&mut self.task.entries);
    }

    /// `break` and `continue`: unwind to the innermost loop of the current activation.
    #[inline(never)]
    pub(crate) fn break_or_continue(&mut self, is_break: bool) -> Result<(), Error> {
        let word = if is_break { "break" } else { "continue" };
        let activation = self.task.frames.last().map_or(0, |f| f.activation);
        let found = self
            .task
            .entries
            .iter()
            .rev()
            .take_while(|e| e.frame >= activation)
            .position(|e| matches!(e.kind, EntryKind::Loop { .. }));
        let Some(from_top) = found else {
            return Err(Error::type_error(format!("'{word}' outside a loop")));
        };
        let index = self.task.entries.len() - 1 - from_top;
        self.pop_entries_above(index);
        let frame = self.task.entries[index].frame as usize;
        self.task.truncate_frames(frame + 1);
        let EntryKind::Loop { exit, next, iter } = &mut self.task.entries[index].kind else { unreachable!() };
        if is_break {
            let exit = *exit;
            crate::entry::pop_entry(&mut self.task.entries);
            self.task.frames[frame].ip = exit;
        } else {
            if let LoopIter::CFor { phase, .. } = iter {
                *phase = Phase::Step;
            }
            if let LoopIter::Dyn(dynamic) = iter {
                match &mut dynamic.shape {
                    DynShape::While { phase, .. } => *phase = Phase::Cond,
                    DynShape::CFor { phase, .. } => *phase = Phase::Step,
                    DynShape::Range { .. } | DynShape::Times { .. } | DynShape::Each { .. } => {}
                }
            }
            self.task.frames[frame].ip = *next;
        }
        Ok(())
    }
}

/// What `LoopNext` does next.
pub(crate) enum Advance {
    /// Run the loop body (its element, if any, is pushed).
    Body,
    /// The loop is over: continue after it.
    Done,
    /// Run this block inline, then come back to `LoopNext` (a C-style loop's init, cond
    /// or step).
    Run(Value),
}

/// Advances a range: the int to use now, or `None` when past `last`.
pub(crate) fn step_range(next: &mut i64, last: &mut i64) -> Option<i64> {
    if *next > *last {
        return None;
    }
    let now = *next;
    match now.checked_add(1) {
        Some(n) => *next = n,
        // `last` was i64::MAX: make the range empty from now on.
        None => *last = i64::MIN,
    }
    Some(now)
}

/// Counts down a `times` loop: whether another iteration runs.
pub(crate) fn step_times(left: &mut i64) -> bool {
    if *left <= 0 {
        return false;
    }
    *left -= 1;
    true
}

/// The iteration of `from to range { … } each`: the ints from `from` below `to`.
pub(crate) fn range_iter(from: i64, to: i64) -> LoopIter {
    match to.checked_sub(1) {
        Some(last) => LoopIter::Range { next: from, last },
        // Nothing is below the smallest int.
        None => LoopIter::Range { next: 1, last: 0 },
    }
}
