//! Control: activations (`&`, `!`, `...`, block ends), loops, `break`/`continue`, `try`,
//! `span`, control words on runtime blocks and the `Drive` op behind them, `map`/`filter`/
//! `fold`, `throw`, `assert`, `exit` and `eval`.

use std::rc::Rc;

use registry::Value;

use crate::code::Block;
use crate::entry::{Apply, ApplyKind, DynLoop, DynShape, Entry, EntryKind, Ifs, LoopIter, Phase};
use crate::error::{Error, ErrorKind};
use crate::frame::{Env, Frame, FrameKind};
use crate::op::Op;
use crate::vm::Vm;

impl Vm {
    // ---- frames ------------------------------------------------------------------------

    #[cold]
    fn not_a_continuation(&self, word: &str, value: Value) -> Error {
        Error::type_error(format!("'{word}' expects a continuation, got {}", self.type_name(value)))
    }

    /// The scope an activation of `code` runs in, given the scope its closure captured.
    #[inline]
    fn activation_env(&mut self, code: &Block, captured: Option<gc::Handle>) -> Env {
        if code.needs_heap_scope {
            Env::Scope(self.reg.new_scope(registry::Scope::new(captured)))
        } else if code.needs_locals {
            Env::Locals { base: self.task.locals.len() as u32, parent: captured }
        } else {
            match captured {
                None => Env::Global,
                Some(h) => Env::Scope(h),
            }
        }
    }

    /// Starts a new activation of continuation `callee` (the `&` of SPEC §2.5). `expect`
    /// is the data-stack depth it must end with, or [`Frame::NO_EXPECT`].
    #[inline]
    pub(crate) fn push_activation(&mut self, callee: Value, word: &str, expect: u32) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(self.not_a_continuation(word, callee));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope, name) = (closure.code.clone(), closure.scope, closure.name);
        let env = self.activation_env(&code, scope);
        self.task.push_activation(code, 0, env, name, expect, &self.limits)
    }

    /// Runs continuation `block` inline: in its own captured scope, as part of the current
    /// activation.
    pub(crate) fn push_inline(&mut self, block: Value, word: &str) -> Result<(), Error> {
        let Value::Cont(h) = block else {
            return Err(self.not_a_continuation(word, block));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope) = (closure.code.clone(), closure.scope);
        self.push_inline_frame(code, scope.map_or(Env::Global, Env::Scope))
    }

    /// Pushes an inline frame running `code` in `env`, as part of the current activation.
    fn push_inline_frame(&mut self, code: Rc<Block>, env: Env) -> Result<(), Error> {
        self.task.push_inline(code, env, &self.limits)
    }

    /// Removes every entry belonging to frame `frame` or above.
    fn drop_entries_from(&mut self, frame: usize) {
        while self.task.entries.last().is_some_and(|e| e.frame as usize >= frame) {
            if let Some(Entry { kind: EntryKind::Mark { floor }, .. }) = self.task.entries.pop() {
                self.task.floor = floor as usize;
            }
        }
    }

    /// Ends activation `index` and everything above it, checking its result count.
    fn finish_activation(&mut self, index: usize) -> Result<(), Error> {
        let expect = self.task.frames[index].expect;
        if expect != Frame::NO_EXPECT && self.task.stack.len() != expect as usize {
            let left = self.task.stack.len() as i64 - (expect as i64 - 1);
            let name =
                self.task.frames[index].name.map_or("<anonymous>".to_string(), |n| self.reg.name_text(n).to_string());
            return Err(Error::new(
                ErrorKind::Arity,
                format!("function '{name}' must leave exactly one value, but left {left}"),
            ));
        }
        self.drop_entries_from(index);
        self.task.truncate_frames(index);
        Ok(())
    }

    /// The end of a block: leave an inline frame, or return from an activation.
    #[inline]
    pub(crate) fn end(&mut self) -> Result<(), Error> {
        let top = self.task.frames.len() - 1;
        let frame = &self.task.frames[top];
        if frame.kind == FrameKind::Inline {
            self.task.frames.pop();
            return Ok(());
        }
        // The common return: nothing to check, no entries left behind.
        if frame.expect == Frame::NO_EXPECT && self.task.entries.last().is_none_or(|e| (e.frame as usize) < top) {
            if let Env::Locals { base, .. } = frame.env {
                self.task.locals.truncate(base as usize);
            }
            self.task.frames.pop();
            return Ok(());
        }
        self.finish_activation(top)
    }

    /// `...`: end the current activation now.
    #[inline(never)]
    pub(crate) fn return_(&mut self) -> Result<(), Error> {
        let activation = self.task.frames.last().map_or(0, |f| f.activation) as usize;
        self.finish_activation(activation)
    }

    /// `!`: replace the current activation by a new activation of `callee`.
    #[inline(never)]
    pub(crate) fn tail_call(&mut self, callee: Value) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(self.not_a_continuation("!", callee));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope, name) = (closure.code.clone(), closure.scope, closure.name);
        let index = self.task.frames.last().map_or(0, |f| f.activation) as usize;
        self.drop_entries_from(index);
        // Pop the inline frames above the activation and release its locals.
        self.task.truncate_frames(index + 1);
        if let Env::Locals { base, .. } = self.task.frames[index].env {
            self.task.locals.truncate(base as usize);
        }
        let env = self.activation_env(&code, scope);
        let frame = &mut self.task.frames[index];
        frame.code = code;
        frame.ip = 0;
        frame.env = env;
        frame.name = name;
        Ok(())
    }

    // ---- loops -------------------------------------------------------------------------

    fn top_frame(&self) -> u32 {
        self.task.frames.len() as u32 - 1
    }

    fn push_entry(&mut self, kind: EntryKind) -> Result<(), Error> {
        let frame = self.top_frame();
        self.task.push_entry(Entry { frame, kind })
    }

    pub(crate) fn loop_enter(&mut self, exit: u32, next: u32) -> Result<(), Error> {
        self.push_entry(EntryKind::Loop { exit, next, iter: LoopIter::Plain })
    }

    fn pop_range(&mut self, word: &str) -> Result<(i64, i64), Error> {
        match self.task.pop2(word)? {
            (Value::Int(a), Value::Int(b)) => Ok((a, b)),
            (a, b) => Err(Error::type_error(format!(
                "'{word}' expects int bounds, got {} and {}",
                self.type_name(a),
                self.type_name(b)
            ))),
        }
    }

    fn pop_times(&mut self, word: &str) -> Result<i64, Error> {
        match self.task.pop(word)? {
            Value::Int(n) => Ok(n),
            other => Err(Error::type_error(format!("'{word}' expects an int count, got {}", self.type_name(other)))),
        }
    }

    fn pop_iterable(&mut self, word: &str) -> Result<Value, Error> {
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
        let iter = match to.checked_sub(1) {
            Some(last) => LoopIter::Range { next: from, last },
            // Nothing is below the smallest int.
            None => LoopIter::Range { next: 1, last: 0 },
        };
        self.push_entry(EntryKind::Loop { exit, next, iter })
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
            self.task.entries.pop();
        }
        Ok(advance)
    }

    pub(crate) fn loop_exit(&mut self) {
        self.task.entries.pop();
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
            self.task.entries.pop();
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

    // ---- try and span ------------------------------------------------------------------

    pub(crate) fn try_enter(&mut self, handler: u32) -> Result<(), Error> {
        let depth = self.task.stack.len() as u32;
        self.push_entry(EntryKind::Try { handler, depth, closure: None })
    }

    pub(crate) fn try_exit(&mut self) {
        self.task.entries.pop();
    }

    fn enter_span(&mut self, name: Value) -> Result<(), Error> {
        let Some(text) = self.reg.text(name) else {
            return Err(Error::type_error(format!("'span' expects a string name, got {}", self.type_name(name))));
        };
        let span = tracing::info_span!(target: "kai", "span", name = %text).entered();
        self.push_entry(EntryKind::Span(span))
    }

    #[inline(never)]
    pub(crate) fn span_enter(&mut self) -> Result<(), Error> {
        let name = self.task.pop("span")?;
        self.enter_span(name)
    }

    pub(crate) fn span_exit(&mut self) {
        self.task.entries.pop();
    }

    // ---- control words on runtime values -----------------------------------------------

    /// Runs `value` inline if it is a continuation, else pushes it (`if`, `ife`).
    fn run_or_push(&mut self, value: Value, word: &str) -> Result<(), Error> {
        match value {
            Value::Cont(_) => self.push_inline(value, word),
            other => {
                self.task.push(other);
                Ok(())
            }
        }
    }

    /// `if`, `ife`, `try` and `span` on runtime blocks.
    #[inline(never)]
    pub(crate) fn run_inline_word(&mut self, op: Op) -> Result<(), Error> {
        match op {
            Op::If => {
                let (c, x) = self.task.pop2("if")?;
                if self.truthy(c) {
                    self.run_or_push(x, "if")?;
                }
            }
            Op::IfElse => {
                let (c, a, b) = self.task.pop3("ife")?;
                let chosen = if self.truthy(c) { a } else { b };
                self.run_or_push(chosen, "ife")?;
            }
            Op::TryDyn(end) => {
                let (body, handler) = self.task.pop2("try")?;
                for value in [body, handler] {
                    if !matches!(value, Value::Cont(_)) {
                        return Err(self.not_a_continuation("try", value));
                    }
                }
                let depth = self.task.stack.len() as u32;
                self.push_entry(EntryKind::Try { handler: end, depth, closure: Some(handler) })?;
                self.push_inline(body, "try")?;
            }
            Op::SpanDyn => {
                let (name, body) = self.task.pop2("span")?;
                if !matches!(body, Value::Cont(_)) {
                    return Err(self.not_a_continuation("span", body));
                }
                self.enter_span(name)?;
                self.push_inline(body, "span")?;
            }
            other => unreachable!("not an inline control op: {other:?}"),
        }
        Ok(())
    }

    fn pop_block(&mut self, word: &str) -> Result<Value, Error> {
        let value = self.task.pop(word)?;
        match value {
            Value::Cont(_) => Ok(value),
            other => Err(self.not_a_continuation(word, other)),
        }
    }

    /// Starts a loop on runtime blocks; `drive` is the index of the `Drive` op that follows.
    #[inline(never)]
    pub(crate) fn dyn_loop_start(&mut self, op: Op, drive: u32) -> Result<(), Error> {
        let (shape, body) = match op {
            Op::WhileDyn => {
                let body = self.pop_block("while")?;
                let cond = self.pop_block("while")?;
                (DynShape::While { cond, phase: Phase::Cond }, body)
            }
            Op::ForDyn => {
                let n = self.task.stack.len();
                let c_style =
                    self.task.available() >= 4 && self.task.stack[n - 4..].iter().all(|v| matches!(v, Value::Cont(_)));
                let body = self.pop_block("for")?;
                if c_style {
                    let step = self.pop_block("for")?;
                    let cond = self.pop_block("for")?;
                    let init = self.pop_block("for")?;
                    (DynShape::CFor { init, cond, step, phase: Phase::Init }, body)
                } else {
                    let (next, last) = self.pop_range("for")?;
                    (DynShape::Range { next, last }, body)
                }
            }
            Op::TimesDyn => {
                let body = self.pop_block("times")?;
                let left = self.pop_times("times")?;
                (DynShape::Times { left }, body)
            }
            Op::EachDyn => {
                let body = self.pop_block("each")?;
                let coll = self.pop_iterable("each")?;
                (DynShape::Each { coll, pos: 0 }, body)
            }
            other => unreachable!("not a driven loop op: {other:?}"),
        };
        let iter = LoopIter::Dyn(Box::new(DynLoop { body, shape }));
        self.push_entry(EntryKind::Loop { exit: drive + 1, next: drive, iter })
    }

    /// Starts `map`, `filter` or `fold`; the `Drive` op that follows runs the calls.
    #[inline(never)]
    pub(crate) fn apply_start(&mut self, op: Op) -> Result<(), Error> {
        let (kind, word) = match op {
            Op::MapStart => (ApplyKind::Map, "map"),
            Op::FilterStart => (ApplyKind::Filter, "filter"),
            _ => (ApplyKind::Fold, "fold"),
        };
        let f = self.pop_block(word)?;
        // A function is called with one argument (two for `fold`); check its arity now
        // rather than let it take values that are not its arguments.
        self.check_call(word, f, if kind == ApplyKind::Fold { 2 } else { 1 })?;
        let init = if kind == ApplyKind::Fold { Some(self.task.pop(word)?) } else { None };
        let coll = self.pop_iterable(word)?;
        if let Some(init) = init {
            self.task.push(init);
        }
        let apply = Apply { kind, f, coll, pos: 0, out: Vec::new(), current: Value::Nil, expect: 0, calling: false };
        self.push_entry(EntryKind::Apply(Box::new(apply)))
    }

    /// Starts `ifs` on runtime values: `( t1 b1 … tn bn n -- )`.
    #[inline(never)]
    pub(crate) fn ifs_start(&mut self) -> Result<(), Error> {
        let n = self.task.pop("ifs")?;
        let pairs = match n {
            Value::Int(n) if n >= 0 => n as usize,
            other => {
                return Err(Error::type_error(format!(
                    "'ifs' expects a non-negative int count of test/body pairs, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        self.task.need(pairs.saturating_mul(2), "ifs")?;
        let values = self.task.stack.split_off(self.task.stack.len() - 2 * pairs);
        let arms = values.chunks_exact(2).map(|pair| (pair[0], pair[1])).collect();
        self.push_entry(EntryKind::Ifs(Box::new(Ifs { arms, next: 0, testing: false })))
    }

    /// One step of a driven `ifs`: takes the value of the test that ran (if any), then runs
    /// the chosen body or the next test. A test or body that is not a continuation is its
    /// own value (as with `ife`).
    fn ifs_step(&mut self, mut ifs: Box<Ifs>, frame: u32, at: u32) -> Result<(), Error> {
        let top = self.task.frames.len() - 1;
        loop {
            if ifs.testing {
                ifs.testing = false;
                let c = self.task.pop("ifs")?;
                if self.truthy(c) {
                    let body = ifs.arms[ifs.next].1;
                    self.task.frames[top].ip = at + 1;
                    return self.run_or_push(body, "ifs");
                }
                ifs.next += 1;
            }
            let Some(&(test, _)) = ifs.arms.get(ifs.next) else {
                self.task.frames[top].ip = at + 1;
                return Ok(());
            };
            ifs.testing = true;
            if matches!(test, Value::Cont(_)) {
                self.task.entries.push(Entry { frame, kind: EntryKind::Ifs(ifs) });
                self.task.frames[top].ip = at;
                return self.push_inline(test, "ifs");
            }
            self.task.push(test);
        }
    }

    /// `Drive` at op `at`: runs the next block of the innermost driven construct (setting
    /// the frame to come back to `at`), or finishes it and continues after `at`.
    #[inline(never)]
    pub(crate) fn drive(&mut self, at: u32) -> Result<(), Error> {
        let top = self.task.frames.len() - 1;
        let Some(entry) = self.task.entries.pop() else {
            return Err(Error::type_error("internal error: nothing to drive"));
        };
        match entry.kind {
            EntryKind::Loop { exit, next, iter: LoopIter::Dyn(mut dynamic) } => {
                match self.next_dyn_block(&mut dynamic)? {
                    Some(block) => {
                        let word = dyn_word(&dynamic.shape);
                        self.task.entries.push(Entry {
                            frame: entry.frame,
                            kind: EntryKind::Loop { exit, next, iter: LoopIter::Dyn(dynamic) },
                        });
                        self.task.frames[top].ip = at;
                        self.push_inline(block, word)?;
                    }
                    None => self.task.frames[top].ip = at + 1,
                }
            }
            EntryKind::Apply(mut apply) => {
                if self.apply_step(&mut apply)? {
                    let f = apply.f;
                    let word = apply_word(apply.kind);
                    self.task.entries.push(Entry { frame: entry.frame, kind: EntryKind::Apply(apply) });
                    self.task.frames[top].ip = at;
                    self.push_activation(f, word, Frame::NO_EXPECT)?;
                } else {
                    self.task.frames[top].ip = at + 1;
                }
            }
            EntryKind::Ifs(ifs) => self.ifs_step(ifs, entry.frame, at)?,
            other => {
                self.task.entries.push(Entry { frame: entry.frame, kind: other });
                return Err(Error::type_error("internal error: Drive without a driven construct"));
            }
        }
        Ok(())
    }

    /// The next block a driven loop runs, or `None` when it is over.
    fn next_dyn_block(&mut self, dynamic: &mut DynLoop) -> Result<Option<Value>, Error> {
        let body = dynamic.body;
        Ok(match &mut dynamic.shape {
            DynShape::While { cond, phase } => match phase {
                Phase::Test => {
                    let c = self.task.pop("while")?;
                    *phase = Phase::Cond;
                    self.truthy(c).then_some(body)
                }
                _ => {
                    *phase = Phase::Test;
                    Some(*cond)
                }
            },
            DynShape::CFor { init, cond, step, phase } => match phase {
                Phase::Init => {
                    *phase = Phase::Cond;
                    Some(*init)
                }
                Phase::Cond => {
                    *phase = Phase::Test;
                    Some(*cond)
                }
                Phase::Test => {
                    let c = self.task.pop("for")?;
                    *phase = Phase::Step;
                    self.truthy(c).then_some(body)
                }
                Phase::Step => {
                    *phase = Phase::Cond;
                    Some(*step)
                }
            },
            DynShape::Range { next, last } => match step_range(next, last) {
                Some(i) => {
                    self.task.push(Value::Int(i));
                    Some(body)
                }
                None => None,
            },
            DynShape::Times { left } => step_times(left).then_some(body),
            DynShape::Each { coll, pos } => match self.element_at(*coll, *pos)? {
                Some((value, after)) => {
                    *pos = after;
                    self.task.push(value);
                    Some(body)
                }
                None => None,
            },
        })
    }

    /// Collects the result of the call that just returned (if any) and prepares the next
    /// call; returns whether there is one. When done, pushes the result.
    fn apply_step(&mut self, apply: &mut Apply) -> Result<bool, Error> {
        let word = apply_word(apply.kind);
        if apply.calling {
            apply.calling = false;
            let len = self.task.stack.len();
            if len != apply.expect {
                let left = len as i64 - (apply.expect as i64 - 1);
                return Err(Error::new(
                    ErrorKind::Arity,
                    format!("the function given to '{word}' must leave exactly one value, but left {left}"),
                ));
            }
            match apply.kind {
                ApplyKind::Map => {
                    let result = self.task.pop(word)?;
                    apply.out.push(result);
                }
                ApplyKind::Filter => {
                    let keep = self.task.pop(word)?;
                    if self.truthy(keep) {
                        apply.out.push(apply.current);
                    }
                }
                ApplyKind::Fold => {}
            }
        }
        match self.element_at(apply.coll, apply.pos)? {
            Some((value, after)) => {
                apply.pos = after;
                apply.current = value;
                self.task.push(value);
                apply.expect = match apply.kind {
                    ApplyKind::Map | ApplyKind::Filter => self.task.stack.len(),
                    ApplyKind::Fold => self.task.stack.len() - 1,
                };
                apply.calling = true;
                Ok(true)
            }
            None => {
                if apply.kind != ApplyKind::Fold {
                    let out = std::mem::take(&mut apply.out);
                    let array = self.reg.new_array(out);
                    self.task.push(array);
                }
                Ok(false)
            }
        }
    }

    // ---- functions ---------------------------------------------------------------------

    /// `fn`: a function (a continuation with an arity) made from a continuation.
    #[inline(never)]
    pub(crate) fn make_function(&mut self) -> Result<(), Error> {
        let (k, n) = self.task.pop2("fn")?;
        let Value::Cont(h) = k else { return Err(self.not_a_continuation("fn", k)) };
        let max = registry::Closure::<Block>::MAX_ARITY;
        let arity = match n {
            Value::Int(n) if (0..=i64::from(max)).contains(&n) => n as u16,
            other => {
                return Err(Error::type_error(format!(
                    "'fn' expects an int arity from 0 to {max}, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        let closure = self.reg.closure(h)?;
        let copy = registry::Closure {
            code: closure.code.clone(),
            scope: closure.scope,
            name: closure.name,
            arity: Some(arity),
        };
        let function = self.reg.new_closure(copy);
        self.task.push(function);
        Ok(())
    }

    /// A function literal: nested block `index` with `arity` parameters, capturing `env`.
    #[inline(never)]
    pub(crate) fn function_literal(&mut self, code: &Block, index: u32, arity: u32, env: Env) -> Result<(), Error> {
        let max = registry::Closure::<Block>::MAX_ARITY;
        let Ok(arity) = u16::try_from(arity) else {
            return Err(Error::type_error(format!("a function takes at most {max} parameters, not {arity}")));
        };
        let block = code.children[index as usize].clone();
        let value = self.reg.new_closure(registry::Closure {
            code: block,
            scope: env.captured(),
            name: None,
            arity: Some(arity),
        });
        self.task.push(value);
        Ok(())
    }

    /// The name a function is known by, for messages.
    fn function_name(&self, callee: Value) -> String {
        let name = match callee {
            Value::Cont(h) => self.reg.closure(h).ok().and_then(|c| c.name),
            _ => None,
        };
        name.map_or_else(|| "<anonymous>".to_string(), |n| self.reg.name_text(n).to_string())
    }

    /// Checks that `callee` can be called as a function with `argc` arguments.
    fn check_call(&self, word: &str, callee: Value, argc: usize) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(Error::type_error(format!(
                "'{word}': cannot call {}",
                registry::a_type(self.type_name(callee))
            )));
        };
        if let Some(arity) = self.reg.closure(h)?.arity
            && arity as usize != argc
        {
            let plural = if arity == 1 { "" } else { "s" };
            return Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "function '{}' takes {arity} argument{plural} but was given {argc}",
                    self.function_name(callee)
                ),
            ));
        }
        Ok(())
    }

    /// `call`: calls `callee` with the `argc` values on top of the stack as its arguments.
    /// It must leave exactly one value in their place.
    #[inline(never)]
    pub(crate) fn call_function(&mut self, callee: Value, argc: usize) -> Result<(), Error> {
        self.check_call("call", callee, argc)?;
        self.task.need(argc, "call")?;
        let expect = self.task.stack.len() - argc + 1;
        self.push_activation(callee, "call", expect as u32)
    }

    /// `n roll n swap` (fused): the function below its n arguments comes to the top, with
    /// the count under it.
    #[inline(never)]
    pub(crate) fn callee_up(&mut self, argc: usize) -> Result<Value, Error> {
        self.task.need(argc + 1, "call")?;
        let callee = self.task.stack.remove(self.task.stack.len() - argc - 1);
        Ok(callee)
    }

    /// `call` with its operands on the stack.
    #[inline(never)]
    pub(crate) fn call_word(&mut self) -> Result<(), Error> {
        let (n, callee) = self.task.pop2("call")?;
        let argc = match n {
            Value::Int(n) if n >= 0 => n as usize,
            other => {
                return Err(Error::type_error(format!(
                    "'call' expects a non-negative int argument count, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        self.call_function(callee, argc)
    }

    /// `single`: the one element of a one-element array.
    #[inline(never)]
    pub(crate) fn single(&mut self) -> Result<(), Error> {
        let value = self.task.pop("single")?;
        let Value::Array(h) = value else {
            return Err(Error::type_error(format!("'single' expects an array, got {}", self.type_name(value))));
        };
        match self.reg.array(h)?.as_slice() {
            [one] => {
                let one = *one;
                self.task.push(one);
                Ok(())
            }
            // `single` is how Rho's `pi { … }`, `eval(…)` and `rho(…)` get their value.
            items => Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "'single' expected exactly one value but got {} (in Rho: the Pi of `pi {{ }}` and the code \
                     given to eval or rho must leave one value)",
                    items.len()
                ),
            )),
        }
    }

    // ---- errors and ending -------------------------------------------------------------

    /// `throw`: the error to raise.
    #[inline(never)]
    pub(crate) fn throw(&mut self) -> Error {
        let value = match self.task.pop("throw") {
            Ok(value) => value,
            Err(err) => return err,
        };
        let (kind, message) = match value {
            Value::Map(h) => match self.reg.map(h) {
                Ok(map) if map.contains_key(&registry::KeyRef::Str("kind")) => {
                    let kind_value = map.get(&registry::KeyRef::Str("kind")).copied().unwrap_or(Value::Nil);
                    let mut message = match map.get(&registry::KeyRef::Str("message")) {
                        Some(&m) => self.reg.display(m),
                        None => self.reg.display(value),
                    };
                    let kind = self.reg.text(kind_value).and_then(ErrorKind::from_name).unwrap_or_else(|| {
                        // A kind of the program's own is a `user` error; keep its name in sight.
                        message = format!("{}: {message}", self.reg.display(kind_value));
                        ErrorKind::User
                    });
                    (kind, message)
                }
                _ => (ErrorKind::User, self.reg.display(value)),
            },
            other => (ErrorKind::User, self.reg.display(other)),
        };
        let rooted = self.reg.root(value);
        let mut err = Error::new(kind, message).with_thrown(rooted);
        err.set_catchable();
        err
    }

    #[inline(never)]
    pub(crate) fn assert(&mut self) -> Result<(), Error> {
        let value = self.task.pop("assert")?;
        if !self.truthy(value) {
            return Err(Error::new(ErrorKind::Assertion, "assertion failed"));
        }
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn exit(&mut self) -> Result<i32, Error> {
        // A process exit status is one byte; wrapping a larger code around (256 to 0, a
        // success) would hide the failure it reports.
        match self.task.pop("exit")? {
            Value::Int(code @ 0..=255) => Ok(code as i32),
            Value::Int(code) => Err(Error::type_error(format!("'exit' expects a code from 0 to 255, got {code}"))),
            other => Err(Error::type_error(format!(
                "'exit' expects an int code from 0 to 255, got {}",
                self.type_name(other)
            ))),
        }
    }

    /// `eval` (`lang` "pi") and `rho`: compile source and run it inline in the current
    /// scope.
    #[inline(never)]
    pub(crate) fn eval_word(&mut self, lang: &str) -> Result<(), Error> {
        let word = if lang == "pi" { "eval" } else { lang };
        let source = self.task.pop(word)?;
        let Some(text) = self.reg.text(source).map(str::to_string) else {
            return Err(Error::type_error(format!("'{word}' expects a string, got {}", self.type_name(source))));
        };
        // Compiling costs about a unit per byte of source.
        self.charge(text.len());
        let code = self.compile_interactive(lang, &format!("<{word}>"), &text)?;
        let env = self.task.frames.last().map_or(Env::Global, |f| f.env);
        self.push_inline_frame(code, env)
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
fn step_range(next: &mut i64, last: &mut i64) -> Option<i64> {
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
fn step_times(left: &mut i64) -> bool {
    if *left <= 0 {
        return false;
    }
    *left -= 1;
    true
}

fn dyn_word(shape: &DynShape) -> &'static str {
    match shape {
        DynShape::While { .. } => "while",
        DynShape::CFor { .. } | DynShape::Range { .. } => "for",
        DynShape::Times { .. } => "times",
        DynShape::Each { .. } => "each",
    }
}

fn apply_word(kind: ApplyKind) -> &'static str {
    match kind {
        ApplyKind::Map => "map",
        ApplyKind::Filter => "filter",
        ApplyKind::Fold => "fold",
    }
}
