//! Control words on runtime values: `if`/`ife`/`try`/`span` on blocks that are not
//! literals, the loops and `ifs` they drive, `map`/`filter`/`fold`, and the `Drive` op that
//! runs each of their blocks and comes back.

use registry::Value;

use crate::entry::{Apply, ApplyKind, DynLoop, DynShape, Entry, EntryKind, Ifs, LoopIter, Phase};
use crate::error::{Error, ErrorKind};
use crate::frame::Frame;
use crate::op::Op;
use crate::vm::Vm;

use super::loops::{step_range, step_times};

impl Vm {
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

    pub(crate) fn pop_block(&mut self, word: &str) -> Result<Value, Error> {
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
