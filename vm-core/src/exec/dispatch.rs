//! The instruction loop: runs the top frame's ops until the slice's budget is spent, the
//! run ends, or a frame change makes it reload the top frame. Nearly every arm is one call
//! to the handler of the same name; the handlers live in `crate::ops`.
//!
//! Invariant: before anything that can observe the frame's position (an error, a frame
//! change, a collection), the live `ip` is written back to the frame (`save!`).

use registry::Value;

use super::Step;
use crate::op::Op;
use crate::vm::Vm;

impl Vm {
    /// Runs at most `budget` operations of the frames above `base`.
    pub(crate) fn run_slice(&mut self, base: usize, mut budget: u32) -> Result<Step, crate::Error> {
        'frames: loop {
            if self.task.frames.len() <= base {
                self.run.slice_left = budget;
                return Ok(Step::Done);
            }
            let frame = &self.task.frames[self.task.frames.len() - 1];
            let code = frame.code.clone();
            let env = frame.env;
            let ops = &*code.ops;
            let mut ip = frame.ip as usize;

            // Writes the live ip (and the budget) back before anything can observe them.
            macro_rules! save {
                () => {{
                    if let Some(frame) = self.task.frames.last_mut() {
                        frame.ip = ip as u32;
                    }
                    self.run.slice_left = budget;
                }};
            }
            // Runs a fallible handler; on error, saves the position and returns the error.
            macro_rules! check {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        Err(e) => {
                            save!();
                            return Err(e);
                        }
                    }
                };
            }
            // A collector safe point after an operation that may have allocated.
            macro_rules! gc_point {
                () => {
                    if self.reg.wants_gc() {
                        save!();
                        self.gc_point()?;
                    }
                };
            }
            // Integer fast path for a binary operator, falling back to the general handler.
            macro_rules! int_binop {
                ($fast:expr, $slow:ident) => {{
                    let stack = &mut self.task.stack;
                    let n = stack.len();
                    let fast = if n >= self.task.floor + 2 {
                        match (stack[n - 2], stack[n - 1]) {
                            (Value::Int(a), Value::Int(b)) => $fast(a, b),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    match fast {
                        Some(result) => {
                            stack[n - 2] = result;
                            stack.pop();
                        }
                        None => {
                            check!(self.$slow());
                            gc_point!();
                        }
                    }
                }};
            }

            loop {
                if budget == 0 {
                    save!();
                    return Ok(Step::Pause);
                }
                budget -= 1;
                let op = ops[ip];
                ip += 1;
                match op {
                    // literals
                    Op::Nil => self.task.push(Value::Nil),
                    Op::True => self.task.push(Value::Bool(true)),
                    Op::False => self.task.push(Value::Bool(false)),
                    Op::Int(n) => self.task.push(Value::Int(n as i64)),
                    Op::Const(i) => self.task.push(code.pool[i as usize]),
                    Op::Name(name) => self.task.push(Value::Name(name)),
                    Op::Closure(i) => {
                        self.closure(&code, i, env);
                        gc_point!();
                    }

                    // stack
                    Op::Dup => check!(self.dup()),
                    Op::Drop => check!(self.drop()),
                    Op::Swap => check!(self.swap()),
                    Op::Over => check!(self.over()),
                    Op::Rot => check!(self.rot()),
                    Op::Nip => check!(self.nip()),
                    Op::Tuck => check!(self.tuck()),
                    Op::Dup2 => check!(self.dup2()),
                    Op::Drop2 => check!(self.drop2()),
                    Op::Pick => check!(self.pick()),
                    Op::Roll => check!(self.roll()),
                    Op::DropN => check!(self.drop_n()),
                    Op::Depth => self.depth(),
                    Op::Clear => self.clear(),

                    // arithmetic
                    Op::Add => int_binop!(|a: i64, b: i64| a.checked_add(b).map(Value::Int), add),
                    Op::Sub => int_binop!(|a: i64, b: i64| a.checked_sub(b).map(Value::Int), sub),
                    Op::Mul => int_binop!(|a: i64, b: i64| a.checked_mul(b).map(Value::Int), mul),
                    Op::Div => check!(self.div()),
                    Op::Mod => check!(self.modulo()),
                    Op::Neg => check!(self.neg()),
                    Op::Abs => check!(self.abs()),
                    Op::Min => check!(self.min()),
                    Op::Max => check!(self.max()),
                    Op::Pow => check!(self.pow()),

                    // comparison and logic
                    Op::Eq => int_binop!(|a: i64, b: i64| Some(Value::Bool(a == b)), eq),
                    Op::Ne => int_binop!(|a: i64, b: i64| Some(Value::Bool(a != b)), ne),
                    Op::Lt => int_binop!(|a: i64, b: i64| Some(Value::Bool(a < b)), lt),
                    Op::Le => int_binop!(|a: i64, b: i64| Some(Value::Bool(a <= b)), le),
                    Op::Gt => int_binop!(|a: i64, b: i64| Some(Value::Bool(a > b)), gt),
                    Op::Ge => int_binop!(|a: i64, b: i64| Some(Value::Bool(a >= b)), ge),
                    Op::Not => check!(self.not()),
                    Op::And => check!(self.and()),
                    Op::Or => check!(self.or()),
                    Op::Xor => check!(self.xor()),
                    Op::BitAnd => check!(self.bit_and()),
                    Op::BitOr => check!(self.bit_or()),
                    Op::BitXor => check!(self.bit_xor()),
                    Op::BitNot => check!(self.bit_not()),
                    Op::Shl => check!(self.shl()),
                    Op::Shr => check!(self.shr()),

                    // names
                    Op::Load(name) => {
                        let value = check!(self.load(env, name));
                        self.task.push(value);
                    }
                    Op::Store => check!(self.store(env)),
                    Op::StoreTo(name) => check!(self.store_to(env, name)),
                    Op::Let => check!(self.let_(env)),
                    Op::LetTo(name) => check!(self.let_to(env, name)),
                    Op::Bind => check!(self.bind(env)),
                    Op::Fetch => check!(self.fetch(env)),
                    Op::Exists => check!(self.exists(env)),
                    Op::Forget => check!(self.forget(env)),

                    // continuations: each changes frames, so the top frame is reloaded
                    Op::Call => {
                        save!();
                        let callee = check!(self.task.pop("&"));
                        check!(self.push_activation(callee, "&", crate::frame::Frame::NO_EXPECT));
                        gc_point!();
                        continue 'frames;
                    }
                    Op::TailCall => {
                        save!();
                        let callee = check!(self.task.pop("!"));
                        check!(self.tail_call(callee));
                        gc_point!();
                        continue 'frames;
                    }
                    Op::Return => {
                        save!();
                        check!(self.return_());
                        continue 'frames;
                    }
                    Op::End => {
                        save!();
                        check!(self.end());
                        continue 'frames;
                    }

                    // compiled control flow
                    Op::Jump(target) => ip = target as usize,
                    Op::JumpIfFalse(target) => {
                        let c = check!(self.task.pop("if"));
                        if !self.truthy(c) {
                            ip = target as usize;
                        }
                    }
                    Op::JumpIfTrue(target) => {
                        let c = check!(self.task.pop("if"));
                        if self.truthy(c) {
                            ip = target as usize;
                        }
                    }
                    Op::LoopEnter(exit) => self.loop_enter(exit, ip as u32),
                    Op::ForCEnter(exit) => self.loop_enter(exit, ip as u32 + 1),
                    Op::ForEnter(exit) => check!(self.for_enter(exit, ip as u32)),
                    Op::TimesEnter(exit) => check!(self.times_enter(exit, ip as u32)),
                    Op::EachEnter(exit) => check!(self.each_enter(exit, ip as u32)),
                    Op::LoopNext(exit) => {
                        if !check!(self.loop_next()) {
                            ip = exit as usize;
                        }
                        gc_point!();
                    }
                    Op::LoopExit => self.loop_exit(),
                    Op::Break | Op::Continue => {
                        save!();
                        check!(self.break_or_continue(op == Op::Break));
                        continue 'frames;
                    }
                    Op::TryEnter(handler) => self.try_enter(handler),
                    Op::TryExit => self.try_exit(),
                    Op::SpanEnter => check!(self.span_enter()),
                    Op::SpanExit => self.span_exit(),
                    Op::ArrayStart => self.array_start(),
                    Op::ArrayEnd => {
                        check!(self.array_end());
                        gc_point!();
                    }

                    // control words on runtime values
                    Op::If | Op::IfElse | Op::TryDyn(_) | Op::SpanDyn => {
                        save!();
                        check!(self.run_inline_word(op));
                        continue 'frames;
                    }
                    Op::WhileDyn | Op::ForDyn | Op::TimesDyn | Op::EachDyn => {
                        check!(self.dyn_loop_start(op, ip as u32));
                    }
                    Op::MapStart | Op::FilterStart | Op::FoldStart => {
                        check!(self.apply_start(op));
                    }
                    Op::Drive => {
                        save!();
                        check!(self.drive(ip as u32 - 1));
                        gc_point!();
                        continue 'frames;
                    }

                    // errors and ending
                    Op::Throw => {
                        let err = self.throw();
                        save!();
                        return Err(err);
                    }
                    Op::Assert => check!(self.assert()),
                    Op::Exit => {
                        save!();
                        let code = check!(self.exit());
                        return Ok(Step::Exit(code));
                    }

                    Op::Builtin(builtin) => {
                        save!();
                        let changed = check!(self.builtin(builtin));
                        gc_point!();
                        if changed {
                            continue 'frames;
                        }
                    }
                    Op::Native(index) => {
                        save!();
                        check!(self.call_native(index));
                        gc_point!();
                    }
                }
            }
        }
    }
}
