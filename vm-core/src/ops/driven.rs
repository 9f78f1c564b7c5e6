//! Control words on runtime values: `if`/`ife`/`try`/`span` on blocks that are not
//! literals, the loops and `ifs` they drive, and the `Drive` op that runs each of their
//! blocks (and the calls of `map` and its kin, see `apply.rs`) and comes back.

use registry::Value;

use crate::entry::{DynLoop, DynShape, Entry, EntryKind, Ifs, LoopIter, Phase};
use crate::error::Error;
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
                    let (f, word, argc) = (apply.f, apply.kind.word(), apply.kind.argc());
                    self.task.entries.push(Entry { frame: entry.frame, kind: EntryKind::Apply(apply) });
                    self.task.frames[top].ip = at;
                    if !self.enter_function_fast(f, argc, false) {
                        self.push_activation(f, word, Frame::NO_EXPECT)?;
                    }
                } else {
                    self.task.frames[top].ip = at + 1;
                }
            }
            EntryKind::Ifs(ifs) => self.ifs_step(ifs, entry.frame, at)?,
            EntryKind::Import(import) => match self.import_step(import)? {
                Some((import, code, env)) => {
                    self.task.entries.push(Entry { frame: entry.frame, kind: EntryKind::Import(import) });
                    self.task.frames[top].ip = at;
                    self.push_inline_frame(code, env)?;
                }
                None => self.task.frames[top].ip = at + 1,
            },
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
}

fn dyn_word(shape: &DynShape) -> &'static str {
    match shape {
        DynShape::While { .. } => "while",
        DynShape::CFor { .. } | DynShape::Range { .. } => "for",
        DynShape::Times { .. } => "times",
        DynShape::Each { .. } => "each",
    }
}
