//! The instruction loop. It has two levels, so that the hot path stays small enough for the
//! compiler to keep `ip`, the ops and the budget in registers:
//!
//! - `run_slice` handles the frequent, cheap ops inline (literals, stack shuffles, int
//!   arithmetic and comparisons, jumps, global variables) and falls back to `slow_op` for
//!   anything else, including the slow cases of those ops (a float operand, a local
//!   variable, an error).
//! - `slow_op` runs every op through its handler in `crate::ops`, one call per arm.
//!
//! Invariant: before anything that can observe the frame's position (an error, a frame
//! change, a collection), the live `ip` is written back to the frame. `slow_op` does so on
//! entry; the inline arms only fail through `slow_op`.
//!
//! Fuel is charged where execution can repeat: one unit per frame entered, and at each
//! backward jump the length of the code jumped back over (the ops of one loop iteration).
//! Straight-line code between those points is finite, so it needs no check of its own.

use std::rc::Rc;

use registry::Value;

use super::Step;
use crate::code::Block;
use crate::entry::{Entry, EntryKind, LoopIter};
use crate::error::{Error, ErrorKind};
use crate::frame::{Env, Frame};
use crate::op::Op;
use crate::ops::Advance;
use crate::vm::Vm;
use crate::words::{Builtin, TaskWord};

/// The fast path of `+ - *`: two ints whose result fits, or two numbers at least one of
/// which is a float (the int becomes a float, as the general path does).
#[inline(always)]
fn arith_fast(a: Value, b: Value, int_op: fn(i64, i64) -> Option<i64>, float_op: fn(f64, f64) -> f64) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_op(x, y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) => Some(Value::Float(float_op(x, y))),
        (Value::Int(x), Value::Float(y)) => Some(Value::Float(float_op(x as f64, y))),
        (Value::Float(x), Value::Int(y)) => Some(Value::Float(float_op(x, y as f64))),
        _ => None,
    }
}

/// The fast path of `/`: a nonzero divisor, and an int quotient that fits.
#[inline(always)]
fn div_fast(a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) if y != 0 => x.checked_div(y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) if y != 0.0 => Some(Value::Float(x / y)),
        (Value::Int(x), Value::Float(y)) if y != 0.0 => Some(Value::Float(x as f64 / y)),
        (Value::Float(x), Value::Int(y)) if y != 0 => Some(Value::Float(x / y as f64)),
        _ => None,
    }
}

/// The fast path of `%`: a nonzero divisor (the remainder of ints always fits).
#[inline(always)]
fn mod_fast(a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) if y != 0 => Some(Value::Int(x.wrapping_rem(y))),
        (Value::Float(x), Value::Float(y)) if y != 0.0 => Some(Value::Float(x % y)),
        (Value::Int(x), Value::Float(y)) if y != 0.0 => Some(Value::Float(x as f64 % y)),
        (Value::Float(x), Value::Int(y)) if y != 0 => Some(Value::Float(x % y as f64)),
        _ => None,
    }
}

/// `locals` of a frame that keeps no variables on the locals stack. No index reaches it,
/// nor any slot added to it: the locals stack holds fewer entries than half the address
/// space, and a slot is below its block's slot count, so `NO_LOCALS.wrapping_add(slot)`
/// neither wraps nor lands on an entry (one add instead of a saturating one).
const NO_LOCALS: usize = 1 << (usize::BITS - 1);

/// What the fast path of a loop's next step did: found the next item, or ended the loop
/// (its entry popped; the op jumps to the loop's exit).
enum LoopStep {
    Item(Value),
    Done,
}

/// What the loop does after `slow_op`.
pub(crate) enum Flow {
    /// Continue with the op at this index.
    Next(usize),
    /// The frames changed: reload the top frame.
    Switch,
    /// `exit` was called.
    Exit(i32),
    /// The running task blocked (or ended): another must run.
    Block,
}

impl Vm {
    /// Runs the frames above `base` until `budget` is spent, they end, or an error.
    pub(crate) fn run_slice(&mut self, base: usize) -> Result<Step, Error> {
        'frames: loop {
            if self.task.frames.len() <= base {
                return Ok(Step::Done);
            }
            if self.run.slice_left == 0 {
                return Ok(Step::Pause);
            }
            self.run.slice_left -= 1;
            let frame = &self.task.frames[self.task.frames.len() - 1];
            // The frame's block, borrowed without counting a reference (an increment here
            // and a decrement at every frame change, twice a call).
            //
            // SAFETY: the top frame's `Rc` keeps the block alive for as long as the loop
            // below runs its ops. An op that pops or replaces the top frame leaves that
            // loop before the next fetch: its inline arm continues `'frames`, or its
            // handler returns `Flow::Switch` or an error. `slow_op`, whose handlers may pop
            // the frame while they run, gets a counted reference of its own (`slow!`).
            let code: &Block = unsafe { &*Rc::as_ptr(&frame.code) };
            // What the inline arms need to know of the frame's scope: where its locals start
            // (NO_LOCALS if it has none) and whether a name not found there is a global.
            let (locals, globals) = match frame.env {
                Env::Global => (NO_LOCALS, true),
                Env::Locals { base, parent } => (base as usize, parent.is_none()),
                Env::Scope(_) => (NO_LOCALS, false),
            };
            // Where the frame's variables without a slot start: a block's ops name a
            // variable only when it has no slot (`resolve_locals`), so by-name lookups of
            // its own variables skip the slots.
            let extras = if locals == NO_LOCALS { NO_LOCALS } else { locals + code.locals.len() };
            let ops = &*code.ops;
            // The op after the one running (`ip`, an index, on the frame) is kept as a
            // pointer: fetching an op is then one load and one add.
            //
            // SAFETY (of every `add` from `start` and of `ip!`): positions are within the
            // block, at most one past its last op. The frame's `ip` and every jump target
            // or resume position are, since every block a VM runs was verified when it was
            // loaded (`crate::verify`), and `pc` steps past an op only to the next one (see
            // the fetch below).
            let start: *const Op = ops.as_ptr();
            let mut pc: *const Op = unsafe { start.add(frame.ip as usize) };
            // The frame's position: the index of the op after the one running.
            macro_rules! ip {
                () => {
                    unsafe { pc.offset_from_unsigned(start) }
                };
            }
            // Continues at op index `target`.
            macro_rules! go {
                ($target:expr) => {
                    pc = unsafe { start.add($target as usize) }
                };
            }

            // Runs the current op through `slow_op` and acts on the outcome. (The op is
            // fetched again rather than kept live, which keeps it out of the hot registers.)
            macro_rules! slow {
                () => {{
                    let ip = ip!();
                    let op = ops[ip - 1];
                    let code = self.task.frames[self.task.frames.len() - 1].code.clone();
                    match self.slow_op(op, ip, &code) {
                        Ok(Flow::Next(next)) => go!(next),
                        Ok(Flow::Switch) => continue 'frames,
                        Ok(Flow::Exit(code)) => return Ok(Step::Exit(code)),
                        Ok(Flow::Block) => return Ok(Step::Block),
                        Err(err) => return Err(err),
                    }
                }};
            }
            // A jump to `target`; a backward one charges the ops jumped over and pauses
            // when the budget is spent (the frame then resumes at `target`).
            macro_rules! jump {
                ($target:expr) => {{
                    let to = unsafe { start.add($target as usize) };
                    if to < pc {
                        let cost = unsafe { pc.offset_from_unsigned(to) } as u32;
                        pc = to;
                        if self.run.slice_left <= cost {
                            let top = self.task.frames.len() - 1;
                            self.task.frames[top].ip = ip!() as u32;
                            self.run.slice_left = 0;
                            return Ok(Step::Pause);
                        }
                        self.run.slice_left -= cost;
                    } else {
                        pc = to;
                    }
                }};
            }
            // Pushes a value, checking the data-stack limit and its memory only when the
            // stack reaches the room it has (see `Task::room`). The value is made after the
            // check, so that the rare path does not keep it alive.
            macro_rules! push {
                ($value:expr) => {{
                    if self.task.stack.len() >= self.task.room
                        && let Err(err) = self.task.make_room()
                    {
                        let top = self.task.frames.len() - 1;
                        self.task.frames[top].ip = ip!() as u32;
                        return Err(err);
                    }
                    let value = $value;
                    self.task.push_in_room(value);
                }};
            }
            // The value of the variable of local slot `slot`: from the slot when it is bound
            // there, else (unbound yet, or a frame whose scope is not on the locals stack)
            // looked up by name as `Load` does inline; `None` leaves it to the general path.
            macro_rules! local {
                ($slot:expr) => {{
                    let slot = $slot as usize;
                    match self.task.locals.get(locals.wrapping_add(slot)) {
                        Some(&(_, Some(value))) => Some(value),
                        _ => self.local_by_name(code, slot, extras, globals),
                    }
                }};
            }
            // The variable of slot `slot` for assignment, when it is bound there.
            macro_rules! local_mut {
                ($slot:expr) => {{
                    match self.task.locals.get_mut(locals.wrapping_add($slot as usize)) {
                        Some((_, Some(value))) => Some(value),
                        _ => None,
                    }
                }};
            }
            // Pushes the int in local slot `slot` plus `k`, when it is an int and the sum fits.
            macro_rules! push_local_plus {
                ($slot:expr, $k:expr) => {{
                    let sum = match local!($slot) {
                        Some(Value::Int(a)) => a.checked_add($k),
                        _ => None,
                    };
                    match sum {
                        Some(sum) => push!(Value::Int(sum)),
                        None => slow!(),
                    }
                }};
            }
            // The top two values, if both are above the floor.
            macro_rules! two {
                () => {{
                    let stack = &self.task.stack;
                    let n = stack.len();
                    // (`n >= 2` first: it tells the compiler both reads are in bounds.)
                    if n >= 2 && n - 2 >= self.task.floor { Some((stack[n - 2], stack[n - 1])) } else { None }
                }};
            }
            // Replaces the top two values by `result`.
            macro_rules! replace_two {
                ($result:expr) => {{
                    let result = $result;
                    self.task.stack.pop();
                    if let Some(second) = self.task.stack.last_mut() {
                        *second = result;
                    }
                }};
            }

            // The conditional jumps that compare: each tests, pops what it tested, and jumps
            // to `target` when the test's outcome is `when` (false for the `JumpUnless*`
            // ops, true for the `JumpIf*` ones, which end a `while` pass).
            macro_rules! jump_two {
                ($cmp:expr, $target:expr, $when:literal) => {
                    match two!().and_then(|(a, b)| $cmp.numbers(a, b)) {
                        Some(holds) => {
                            let n = self.task.stack.len();
                            self.task.stack.truncate(n - 2);
                            if holds == $when {
                                jump!($target);
                            }
                        }
                        None => slow!(),
                    }
                };
            }
            macro_rules! jump_int {
                ($cmp:expr, $k:expr, $target:expr, $when:literal) => {
                    match self.task.top_int() {
                        Some(a) => {
                            let holds = $cmp.ints(*a, $k as i64);
                            self.task.stack.pop();
                            if holds == $when {
                                jump!($target);
                            }
                        }
                        None => slow!(),
                    }
                };
            }
            macro_rules! jump_local_int {
                ($cmp:expr, $slot:expr, $k:expr, $target:expr, $when:literal) => {
                    match local!($slot) {
                        Some(Value::Int(a)) => {
                            if $cmp.ints(a, $k as i64) == $when {
                                jump!($target);
                            }
                        }
                        _ => slow!(),
                    }
                };
            }
            // (`$a` and `$b` are the two values, if the fast path has them.)
            macro_rules! jump_values {
                ($cmp:expr, $a:expr, $b:expr, $target:expr, $when:literal) => {{
                    let holds = match ($a, $b) {
                        (Some(x), Some(y)) => $cmp.numbers(x, y),
                        _ => None,
                    };
                    match holds {
                        Some(holds) => {
                            if holds == $when {
                                jump!($target);
                            }
                        }
                        None => slow!(),
                    }
                }};
            }

            loop {
                debug_assert!(ip!() < ops.len(), "ran past the end of a block");
                // SAFETY: `pc` points at an op. Every block a VM runs was verified when it
                // was loaded (`crate::verify`): it ends with `End`, and every jump target and
                // every position a handler resumes at is one of its ops. `End` always leaves
                // the frame (its fast arm switches frames, its handler returns
                // `Flow::Switch` or an error), so `pc` steps past an op only to the next
                // one, which exists: the op before `End` is never the last.
                let op = unsafe { &*pc };
                pc = unsafe { pc.add(1) };
                // Matching the op in place (not a copy) lets each arm read only the operands
                // it needs, which keeps them out of the loop's registers.
                match *op {
                    Op::Nil => push!(Value::Nil),
                    Op::True => push!(Value::Bool(true)),
                    Op::False => push!(Value::Bool(false)),
                    Op::Int(n) => push!(Value::Int(n as i64)),
                    Op::Const(i) => push!(code.pool[i as usize]),
                    Op::Name(name) => push!(Value::Name(name)),
                    Op::Dup => match self.task.stack.last() {
                        Some(&top) if self.task.stack.len() > self.task.floor => push!(top),
                        _ => slow!(),
                    },
                    Op::Drop => {
                        if self.task.stack.len() > self.task.floor {
                            self.task.stack.pop();
                        } else {
                            slow!()
                        }
                    }
                    Op::Swap => {
                        let n = self.task.stack.len();
                        if n >= self.task.floor + 2 {
                            self.task.stack.swap(n - 1, n - 2);
                        } else {
                            slow!()
                        }
                    }
                    Op::Over => {
                        let n = self.task.stack.len();
                        if n >= self.task.floor + 2 {
                            let second = self.task.stack[n - 2];
                            push!(second);
                        } else {
                            slow!()
                        }
                    }
                    Op::PickN(depth) => {
                        let n = self.task.stack.len();
                        match n.checked_sub(depth as usize + 1) {
                            Some(at) if at >= self.task.floor => {
                                let value = self.task.stack[at];
                                push!(value);
                            }
                            _ => slow!(),
                        }
                    }
                    Op::Slide(count) => {
                        let n = self.task.stack.len();
                        match n.checked_sub(count as usize + 1) {
                            Some(at) if at >= self.task.floor => {
                                self.task.stack[at] = self.task.stack[n - 1];
                                self.task.stack.truncate(at + 1);
                                // A slide is the first half of a return: the second is done
                                // here too when it takes the common path (which it would
                                // take as the next op).
                                //
                                // SAFETY: `pc` is within the block: a verified block ends with
                                // `End`, so an op is followed by another.
                                if matches!(unsafe { *pc }, Op::End | Op::Return) && self.leave_plain() {
                                    continue 'frames;
                                }
                            }
                            _ => slow!(),
                        }
                    }
                    Op::Dup2 => match two!() {
                        Some((a, b)) if self.task.stack.len() + 2 <= self.task.room => {
                            self.task.push_in_room(a);
                            self.task.push_in_room(b);
                        }
                        _ => slow!(),
                    },
                    Op::Add => match two!().and_then(|(a, b)| arith_fast(a, b, i64::checked_add, |x, y| x + y)) {
                        Some(sum) => replace_two!(sum),
                        None => slow!(),
                    },
                    Op::Sub => match two!().and_then(|(a, b)| arith_fast(a, b, i64::checked_sub, |x, y| x - y)) {
                        Some(difference) => replace_two!(difference),
                        None => slow!(),
                    },
                    Op::Mul => match two!().and_then(|(a, b)| arith_fast(a, b, i64::checked_mul, |x, y| x * y)) {
                        Some(product) => replace_two!(product),
                        None => slow!(),
                    },
                    Op::Div => match two!().and_then(|(a, b)| div_fast(a, b)) {
                        Some(quotient) => replace_two!(quotient),
                        None => slow!(),
                    },
                    Op::Builtin(Builtin::Size) => {
                        // The size of an array or a map (strings count code points: the
                        // general way).
                        let n = self.task.stack.len();
                        let size = match self.task.stack.last() {
                            Some(&Value::Array(h)) if n > self.task.floor => self.reg.array(h).ok().map(Vec::len),
                            Some(&Value::Map(h)) if n > self.task.floor => self.reg.map(h).ok().map(|m| m.len()),
                            _ => None,
                        };
                        match size {
                            Some(size) => self.task.stack[n - 1] = Value::Int(size as i64),
                            None => slow!(),
                        }
                    }
                    Op::Builtin(Builtin::Math(f)) => {
                        let n = self.task.stack.len();
                        let x = match self.task.stack.last() {
                            Some(&Value::Float(x)) if n > self.task.floor => Some(x),
                            Some(&Value::Int(i)) if n > self.task.floor => Some(i as f64),
                            _ => None,
                        };
                        match x {
                            Some(x) => self.task.stack[n - 1] = Value::Float(f.apply(x)),
                            None => slow!(),
                        }
                    }
                    Op::Drive => match self.apply_next_in_place(ip!() as u32 - 1) {
                        // The next call of `map`, `filter` or `fold` has started. (The
                        // collector keeps its pace, as at every step of these words.)
                        Ok(true) => {
                            if self.reg.wants_gc() {
                                self.gc_point()?;
                            }
                            continue 'frames;
                        }
                        Ok(false) => slow!(),
                        Err(err) => return Err(err),
                    },
                    Op::Mod => match two!().and_then(|(a, b)| mod_fast(a, b)) {
                        Some(remainder) => replace_two!(remainder),
                        None => slow!(),
                    },
                    Op::ArrayStart if self.task.entries.len() < self.task.entries.capacity() => {
                        // The values above the floor become the literal's elements at `]`.
                        let floor = self.task.floor as u32;
                        let frame = (self.task.frames.len() - 1) as u32;
                        self.task.entries.push(Entry { frame, kind: EntryKind::Mark { floor } });
                        self.task.floor = self.task.stack.len();
                    }
                    Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                        let cmp = crate::op::Cmp::of(*op).unwrap_or(crate::op::Cmp::Eq);
                        match two!().and_then(|(a, b)| cmp.numbers(a, b)) {
                            Some(holds) => replace_two!(Value::Bool(holds)),
                            None => slow!(),
                        }
                    }
                    Op::Builtin(Builtin::At) => {
                        // (A `match`, not a closure: the closure was compiled out of line.)
                        let found = match two!() {
                            Some((coll, key)) => self.at_fast(coll, key),
                            None => None,
                        };
                        match found {
                            Some(value) => replace_two!(value),
                            None => slow!(),
                        }
                    }
                    Op::Builtin(Builtin::Put) | Op::PutDrop => {
                        let n = self.task.stack.len();
                        let done = n >= self.task.floor + 3 && {
                            let (coll, key, value) =
                                (self.task.stack[n - 3], self.task.stack[n - 2], self.task.stack[n - 1]);
                            self.put_fast(coll, key, value)
                        };
                        if done {
                            // `put` leaves the collection; `PutDrop` drops it too.
                            let left = if matches!(*op, Op::PutDrop) { 3 } else { 2 };
                            self.task.stack.truncate(n - left);
                        } else {
                            slow!()
                        }
                    }
                    Op::AtConst(c) => {
                        let n = self.task.stack.len();
                        let found = match code.pool.get(c as usize) {
                            Some(&key) if n > self.task.floor => self.at_fast(self.task.stack[n - 1], key),
                            _ => None,
                        };
                        match found {
                            Some(value) => self.task.stack[n - 1] = value,
                            None => slow!(),
                        }
                    }
                    Op::LocalAtConst(slot, c) => {
                        let found = match (local!(slot), code.pool.get(c as usize)) {
                            (Some(coll), Some(&key)) => self.at_fast(coll, key),
                            _ => None,
                        };
                        match found {
                            Some(value) => push!(value),
                            None => slow!(),
                        }
                    }
                    Op::LocalAtLocal(slot, key) => {
                        let found = match (local!(slot), local!(key)) {
                            (Some(coll), Some(key)) => self.at_fast(coll, key),
                            _ => None,
                        };
                        match found {
                            Some(value) => push!(value),
                            None => slow!(),
                        }
                    }
                    // (Both read every operand before they change anything, so the
                    // general path can run the whole expansion when they fall back.)
                    Op::PutLocals(coll, key, value) => {
                        let done = match (local!(coll), local!(key), local!(value)) {
                            (Some(coll), Some(key), Some(value)) => self.put_fast(coll, key, value),
                            _ => false,
                        };
                        if !done {
                            slow!()
                        }
                    }
                    Op::PutLocalAtLocal(coll, key, from, from_key) => {
                        let done = match (local!(coll), local!(key), local!(from), local!(from_key)) {
                            (Some(coll), Some(key), Some(from), Some(from_key)) => {
                                self.at_fast(from, from_key).is_some_and(|value| self.put_fast(coll, key, value))
                            }
                            _ => false,
                        };
                        if !done {
                            slow!()
                        }
                    }
                    Op::LocalAtConstKeep(slot, c) => {
                        let found = match (local!(slot), code.pool.get(c as usize)) {
                            (Some(coll), Some(&key)) if self.task.stack.len() + 3 <= self.task.room => {
                                self.at_fast(coll, key).map(|value| (coll, key, value))
                            }
                            _ => None,
                        };
                        match found {
                            Some((coll, key, value)) => {
                                self.task.push_in_room(coll);
                                self.task.push_in_room(key);
                                self.task.push_in_room(value);
                            }
                            None => slow!(),
                        }
                    }
                    Op::AddInt(k) => match self.task.top_int() {
                        Some(a) if a.checked_add(k as i64).is_some() => *a += k as i64,
                        _ => slow!(),
                    },
                    Op::SubInt(k) => match self.task.top_int() {
                        Some(a) if a.checked_sub(k as i64).is_some() => *a -= k as i64,
                        _ => slow!(),
                    },
                    Op::DupAddInt(k) | Op::DupSubInt(k) => {
                        // `a - k` is `a + -k` for ints, overflow included (`-k` fits: k is
                        // an i32).
                        let k = if matches!(*op, Op::DupSubInt(_)) { -(k as i64) } else { k as i64 };
                        match self.task.top_int().and_then(|a| a.checked_add(k)) {
                            Some(result) => push!(Value::Int(result)),
                            None => slow!(),
                        }
                    }
                    Op::OverAddInt(k) | Op::OverSubInt(k) => {
                        let k = if matches!(*op, Op::OverSubInt(_)) { -(k as i64) } else { k as i64 };
                        match two!() {
                            Some((Value::Int(a), _)) => match a.checked_add(k) {
                                Some(result) => push!(Value::Int(result)),
                                None => slow!(),
                            },
                            _ => slow!(),
                        }
                    }
                    Op::SwapAddInt(k) | Op::SwapSubInt(k) => {
                        let k = if matches!(*op, Op::SwapSubInt(_)) { -(k as i64) } else { k as i64 };
                        let swapped = match two!() {
                            Some((Value::Int(a), b)) => a.checked_add(k).map(|result| (b, result)),
                            _ => None,
                        };
                        match swapped {
                            Some((b, result)) => {
                                let n = self.task.stack.len();
                                self.task.stack[n - 2] = b;
                                self.task.stack[n - 1] = Value::Int(result);
                            }
                            None => slow!(),
                        }
                    }
                    Op::CmpInt(cmp, k) => match self.task.top_int() {
                        Some(a) => {
                            let result = cmp.ints(*a, k as i64);
                            let n = self.task.stack.len();
                            self.task.stack[n - 1] = Value::Bool(result);
                        }
                        None => slow!(),
                    },
                    Op::Jump(target) => jump!(target),
                    Op::JumpIfFalse(target) | Op::JumpIfTrue(target) => {
                        let when = matches!(*op, Op::JumpIfTrue(_));
                        match self.task.stack.last() {
                            Some(&Value::Bool(b)) if self.task.stack.len() > self.task.floor => {
                                self.task.stack.pop();
                                if b == when {
                                    jump!(target);
                                }
                            }
                            _ => slow!(),
                        }
                    }
                    Op::JumpUnless(cmp, target) => jump_two!(cmp, target, false),
                    Op::JumpIf(cmp, target) => jump_two!(cmp, target, true),
                    Op::JumpUnlessInt(cmp, k, target) => jump_int!(cmp, k, target, false),
                    Op::JumpIfInt(cmp, k, target) => jump_int!(cmp, k, target, true),
                    Op::JumpUnlessTopInt(cmp, k, target) => match self.task.top_int() {
                        Some(a) => {
                            if !cmp.ints(*a, k as i64) {
                                jump!(target);
                            }
                        }
                        None => slow!(),
                    },
                    Op::Load(name) => match self.lookup_fast(extras, globals, name) {
                        Some(value) => push!(value),
                        None => slow!(),
                    },
                    Op::LoadLocal(slot) => match local!(slot) {
                        Some(value) => push!(value),
                        None => slow!(),
                    },
                    Op::LoadLocalAddInt(slot, k) => push_local_plus!(slot, k as i64),
                    Op::LoadLocalSubInt(slot, k) => push_local_plus!(slot, -(k as i64)),
                    Op::JumpUnlessLocalInt(cmp, slot, k, target) => jump_local_int!(cmp, slot, k, target, false),
                    Op::JumpIfLocalInt(cmp, slot, k, target) => jump_local_int!(cmp, slot, k, target, true),
                    Op::StoreLocal(slot) => {
                        let done = match self.task.stack.last() {
                            Some(&value)
                                if self.task.stack.len() > self.task.floor && !matches!(value, Value::Cont(_)) =>
                            {
                                match local_mut!(slot) {
                                    Some(entry) => {
                                        *entry = value;
                                        true
                                    }
                                    None => false,
                                }
                            }
                            _ => false,
                        };
                        if done {
                            self.task.stack.pop();
                        } else {
                            slow!()
                        }
                    }
                    Op::AddToLocal(slot, k) => match local_mut!(slot) {
                        Some(Value::Int(a)) if a.checked_add(k as i64).is_some() => *a += k as i64,
                        _ => slow!(),
                    },
                    Op::SubFromLocal(slot, k) => match local_mut!(slot) {
                        Some(Value::Int(a)) if a.checked_sub(k as i64).is_some() => *a -= k as i64,
                        _ => slow!(),
                    },
                    Op::LoadLocals(a, b) => match (local!(a), local!(b)) {
                        (Some(x), Some(y)) if self.task.stack.len() + 2 <= self.task.room => {
                            self.task.push_in_room(x);
                            self.task.push_in_room(y);
                        }
                        _ => slow!(),
                    },
                    Op::AddLocal(slot) | Op::SubLocal(slot) | Op::MulLocal(slot) => {
                        let n = self.task.stack.len();
                        let result = match local!(slot) {
                            Some(b) if n > self.task.floor => {
                                let a = self.task.stack[n - 1];
                                match *op {
                                    Op::AddLocal(_) => arith_fast(a, b, i64::checked_add, |x, y| x + y),
                                    Op::SubLocal(_) => arith_fast(a, b, i64::checked_sub, |x, y| x - y),
                                    _ => arith_fast(a, b, i64::checked_mul, |x, y| x * y),
                                }
                            }
                            _ => None,
                        };
                        match result {
                            Some(value) => self.task.stack[n - 1] = value,
                            None => slow!(),
                        }
                    }
                    Op::JumpUnlessLocals(cmp, a, b, target) => jump_values!(cmp, local!(a), local!(b), target, false),
                    Op::JumpIfLocals(cmp, a, b, target) => jump_values!(cmp, local!(a), local!(b), target, true),
                    Op::JumpUnlessNames(cmp, a, b, target) => {
                        let (x, y) = (self.lookup_fast(extras, globals, a), self.lookup_fast(extras, globals, b));
                        jump_values!(cmp, x, y, target, false)
                    }
                    Op::JumpIfNames(cmp, a, b, target) => {
                        let (x, y) = (self.lookup_fast(extras, globals, a), self.lookup_fast(extras, globals, b));
                        jump_values!(cmp, x, y, target, true)
                    }
                    Op::LetTo(name) => {
                        // Declaring a plain value on the locals stack, or globally at the
                        // top level.
                        let done = match self.task.stack.last() {
                            Some(&value)
                                if self.task.stack.len() > self.task.floor && !matches!(value, Value::Cont(_)) =>
                            {
                                if locals != NO_LOCALS {
                                    let room = self.task.locals.len() < self.task.locals.capacity();
                                    match self.own_local(extras, name) {
                                        Some(slot) => {
                                            slot.1 = Some(value);
                                            true
                                        }
                                        // A new local, when there is room for it (growing the
                                        // locals is the general path's job).
                                        None if room => {
                                            self.task.locals.push((name, Some(value)));
                                            true
                                        }
                                        None => false,
                                    }
                                } else if globals {
                                    self.reg.globals.set(name, value);
                                    true
                                } else {
                                    false
                                }
                            }
                            _ => false,
                        };
                        if done {
                            self.task.stack.pop();
                        } else {
                            slow!()
                        }
                    }
                    Op::StoreTo(name) => {
                        // Reassigning a plain value to an existing variable of the frame's
                        // own locals, or (when its scope is the global one) a global.
                        let done = match self.task.stack.last() {
                            Some(&value)
                                if self.task.stack.len() > self.task.floor && !matches!(value, Value::Cont(_)) =>
                            {
                                match self.own_local(extras, name) {
                                    Some((_, Some(slot))) => {
                                        *slot = value;
                                        true
                                    }
                                    // Unbound here: the name's binding is further out.
                                    Some((_, None)) | None => globals && self.reg.globals.replace(name, value),
                                }
                            }
                            _ => false,
                        };
                        if done {
                            self.task.stack.pop();
                        } else {
                            slow!()
                        }
                    }
                    Op::AddToName(name, k) | Op::SubFromName(name, k) => {
                        // `x - k` is `x + -k` for ints, overflow included (`-k` fits: k is
                        // an i32).
                        let k = if matches!(*op, Op::SubFromName(..)) { -(k as i64) } else { k as i64 };
                        let done = match self.own_local(extras, name) {
                            Some((_, Some(Value::Int(a)))) => a.checked_add(k).map(|sum| *a = sum).is_some(),
                            Some((_, Some(_))) => false,
                            Some((_, None)) | None => match (globals, self.reg.globals.get(name)) {
                                (true, Some(Value::Int(a))) => match a.checked_add(k) {
                                    Some(sum) => self.reg.globals.replace(name, Value::Int(sum)),
                                    None => false,
                                },
                                _ => false,
                            },
                        };
                        if !done {
                            slow!()
                        }
                    }
                    Op::LoopNext(exit) => {
                        // The next int of a range, pass of `times` or element of an array,
                        // or the end of one of those loops; anything else goes the general way.
                        let pass = match self.task.entries.last_mut() {
                            Some(Entry { kind: EntryKind::Loop { iter: LoopIter::Times { left }, .. }, .. }) => {
                                Some(crate::ops::step_times(left))
                            }
                            _ => None,
                        };
                        match pass {
                            Some(true) => {}
                            Some(false) => {
                                crate::entry::pop_entry(&mut self.task.entries);
                                go!(exit);
                            }
                            None => match self.loop_step_fast(false) {
                                Some(LoopStep::Item(value)) => push!(value),
                                Some(LoopStep::Done) => go!(exit),
                                None => slow!(),
                            },
                        }
                    }
                    Op::AddNames(a, b) => {
                        // Reassigning a global int with the sum of two ints.
                        let sum =
                            match (locals == NO_LOCALS && globals, self.reg.globals.get(a), self.reg.globals.get(b)) {
                                (true, Some(Value::Int(x)), Some(Value::Int(y))) => x.checked_add(y),
                                _ => None,
                            };
                        match sum {
                            Some(sum) => _ = self.reg.globals.replace(a, Value::Int(sum)),
                            None => slow!(),
                        }
                    }
                    Op::AddLocals(a, b) => {
                        let y = match local!(b) {
                            Some(Value::Int(y)) => Some(y),
                            _ => None,
                        };
                        match (y, local_mut!(a)) {
                            (Some(y), Some(Value::Int(x))) if x.checked_add(y).is_some() => *x += y,
                            _ => slow!(),
                        }
                    }
                    // Entering and leaving loops: the entry pushed or popped in place while
                    // the context stack has room (growing it, and bad bounds, go the general way).
                    Op::LoopEnter(exit) if self.task.entries.len() < self.task.entries.capacity() => {
                        let frame = (self.task.frames.len() - 1) as u32;
                        let kind = EntryKind::Loop { exit, next: ip!() as u32, iter: LoopIter::Plain };
                        self.task.entries.push(Entry { frame, kind });
                    }
                    Op::RangeEnter(exit) => match two!() {
                        Some((Value::Int(from), Value::Int(to)))
                            if self.task.entries.len() < self.task.entries.capacity() =>
                        {
                            let n = self.task.stack.len();
                            self.task.stack.truncate(n - 2);
                            let frame = (self.task.frames.len() - 1) as u32;
                            let iter = crate::ops::range_iter(from, to);
                            self.task
                                .entries
                                .push(Entry { frame, kind: EntryKind::Loop { exit, next: ip!() as u32, iter } });
                        }
                        _ => slow!(),
                    },
                    Op::LoopExit => {
                        crate::entry::pop_entry(&mut self.task.entries);
                    }
                    Op::Neg => match self.task.top_int() {
                        Some(a) if *a != i64::MIN => *a = -*a,
                        _ => slow!(),
                    },
                    Op::LoopNextLet(exit, name) => {
                        // The next value bound to the loop variable directly when it lives
                        // on the locals stack (with room for it) or is global.
                        let step = if locals != NO_LOCALS {
                            if self.task.locals.len() < self.task.locals.capacity() {
                                self.loop_step_fast(true)
                            } else {
                                None
                            }
                        } else if globals {
                            self.loop_step_fast(true)
                        } else {
                            None
                        };
                        match step {
                            Some(LoopStep::Item(value)) if locals != NO_LOCALS => match self.own_local(extras, name) {
                                Some(slot) => slot.1 = Some(value),
                                None => self.task.locals.push((name, Some(value))),
                            },
                            Some(LoopStep::Item(value)) => self.reg.globals.set(name, value),
                            Some(LoopStep::Done) => go!(exit),
                            None => slow!(),
                        }
                    }
                    Op::LoopNextLocal(exit, slot) => {
                        let step = if locals != NO_LOCALS { self.loop_step_fast(true) } else { None };
                        match step {
                            Some(LoopStep::Item(value)) => self.task.locals[locals + slot as usize].1 = Some(value),
                            Some(LoopStep::Done) => go!(exit),
                            None => slow!(),
                        }
                    }
                    Op::LetLocal(slot) => match self.task.stack.last() {
                        Some(&value)
                            if locals != NO_LOCALS
                                && self.task.stack.len() > self.task.floor
                                && !matches!(value, Value::Cont(_)) =>
                        {
                            self.task.locals[locals + slot as usize].1 = Some(value);
                            self.task.stack.pop();
                        }
                        _ => slow!(),
                    },
                    Op::LetLocalInt(slot, k) if locals != NO_LOCALS => {
                        self.task.locals[locals + slot as usize].1 = Some(Value::Int(k as i64));
                    }
                    Op::LetLocalAtLocal(slot, coll, key) => {
                        let found = match (local!(coll), local!(key)) {
                            (Some(coll), Some(key)) if locals != NO_LOCALS => self.at_fast(coll, key),
                            _ => None,
                        };
                        match found {
                            // (A continuation is named by its `let`: the general path.)
                            Some(value) if !matches!(value, Value::Cont(_)) => {
                                self.task.locals[locals + slot as usize].1 = Some(value)
                            }
                            _ => slow!(),
                        }
                    }
                    Op::CallName(_) | Op::CallLocal(_) => {
                        let callee = match *op {
                            Op::CallName(name) => self.lookup_fast(extras, globals, name),
                            Op::CallLocal(slot) => local!(slot),
                            _ => None,
                        };
                        let Some(callee) = callee else {
                            slow!();
                            continue;
                        };
                        let top = self.task.frames.len() - 1;
                        self.task.frames[top].ip = ip!() as u32;
                        if !self.enter_plain(callee)? {
                            self.push_activation(callee, "&", Frame::NO_EXPECT)?;
                            if self.reg.wants_gc() {
                                self.gc_point()?;
                            }
                        }
                        continue 'frames;
                    }
                    Op::CallFunctionName(_, argc) | Op::CallFunctionLocal(_, argc) => {
                        let callee = match *op {
                            Op::CallFunctionName(name, _) => self.lookup_fast(extras, globals, name),
                            Op::CallFunctionLocal(slot, _) => local!(slot),
                            _ => None,
                        };
                        let Some(callee) = callee else {
                            slow!();
                            continue;
                        };
                        let top = self.task.frames.len() - 1;
                        self.task.frames[top].ip = ip!() as u32;
                        if !self.enter_function_fast(callee, argc as usize, true) {
                            self.call_function(callee, argc as usize)?;
                            if self.reg.wants_gc() {
                                self.gc_point()?;
                            }
                        }
                        continue 'frames;
                    }
                    Op::End | Op::Return => {
                        if self.leave_plain() {
                            continue 'frames;
                        }
                        slow!()
                    }
                    // Channel words, the messages between tasks: their handlers run from
                    // here, without `slow_op`'s bookkeeping (they make no objects).
                    Op::Builtin(Builtin::Task(word @ (TaskWord::Send | TaskWord::Recv))) => {
                        let n = self.task.stack.len();
                        let arity = if word == TaskWord::Send { 2 } else { 1 };
                        if n < self.task.floor + arity {
                            slow!();
                            continue;
                        }
                        let top = self.task.frames.len() - 1;
                        self.task.frames[top].ip = ip!() as u32;
                        let channel = self.task.stack[n - 1];
                        let then = if word == TaskWord::Send {
                            let value = self.task.stack[n - 2];
                            self.task.stack.truncate(n - 2);
                            self.send_value(channel, value)
                        } else {
                            self.task.stack.truncate(n - 1);
                            self.recv_value(channel)
                        };
                        match then? {
                            crate::ops::Then::Continue => {}
                            crate::ops::Then::Switch => continue 'frames,
                            crate::ops::Then::Block => return Ok(Step::Block),
                        }
                    }
                    // Listed, so that the jump table spans every op.
                    Op::Native(_) => slow!(),
                    _ => slow!(),
                }
            }
        }
    }

    /// The next step of the innermost loop when it is a range or an array's `each`: its
    /// next item (advancing the loop), or its end (popping the loop's entry). `None`,
    /// having changed nothing, for anything else (other kinds of loop; when the step
    /// `binds` a variable, an element that is a continuation, which binding would name),
    /// which the general path handles.
    #[inline(always)]
    fn loop_step_fast(&mut self, binds: bool) -> Option<LoopStep> {
        let Some(Entry { kind: EntryKind::Loop { iter, .. }, .. }) = self.task.entries.last_mut() else {
            return None;
        };
        let item = match iter {
            LoopIter::Range { next, last } => crate::ops::step_range(next, last).map(Value::Int),
            LoopIter::Each { coll: Value::Array(h), pos } => {
                let item = self.reg.array(*h).ok()?.get(*pos).copied();
                // A continuation bound to a name is named by it: the general path does that.
                if binds && matches!(item, Some(Value::Cont(_))) {
                    return None;
                }
                *pos += 1;
                item
            }
            _ => return None,
        };
        match item {
            Some(value) => Some(LoopStep::Item(value)),
            None => {
                crate::entry::pop_entry(&mut self.task.entries);
                Some(LoopStep::Done)
            }
        }
    }

    /// `at` on an array with an index in range, or a map with a key it has; `None` for
    /// everything else (negative indexes, errors), which the general path handles.
    #[inline(always)]
    fn at_fast(&mut self, coll: Value, key: Value) -> Option<Value> {
        match coll {
            Value::Array(h) => {
                let Value::Int(i) = key else { return None };
                self.reg.array(h).ok()?.get(usize::try_from(i).ok()?).copied()
            }
            Value::Map(h) => self.map_entry(h, key).map(|(_, value)| value),
            _ => None,
        }
    }

    /// Where `key` is in map `h` and its value, through the field guesses for a string key.
    #[inline(always)]
    fn map_entry(&mut self, h: gc::Handle, key: Value) -> Option<(usize, Value)> {
        let Value::Str(s) = key else {
            let map = self.reg.map(h).ok()?;
            return map.get_full(&self.reg.key_ref(key).ok()?).map(|(index, _, &value)| (index, value));
        };
        let (guess, address) = self.run.fields.guess(s);
        let field = self.reg.map_field(h, s, guess, address)?;
        if field.index != guess || field.address != address {
            self.run.fields.learn(s, field.index, field.address);
        }
        Some((field.index, field.value))
    }

    /// `put` of an array element in range, or of a key a map already has; whether it was
    /// done (if not, nothing changed and the general path takes over).
    #[inline(always)]
    fn put_fast(&mut self, coll: Value, key: Value, value: Value) -> bool {
        match (coll, key) {
            (Value::Array(h), Value::Int(i)) => match usize::try_from(i) {
                Ok(i) => self.reg.array_set(h, i, value).unwrap_or(false),
                Err(_) => false,
            },
            // (A `match`, not `is_some_and`: its closure was compiled out of line.)
            (Value::Map(h), key) => match self.map_entry(h, key) {
                Some((index, _)) => self.reg.map_set_at(h, index, value).unwrap_or(false),
                None => false,
            },
            _ => false,
        }
    }

    /// A local slot's variable found by its name, when the slot is unbound or the frame
    /// keeps no slots (kept out of line: the hit path of every slot op stays small).
    #[cold]
    #[inline(never)]
    fn local_by_name(&self, code: &Block, slot: usize, extras: usize, globals: bool) -> Option<Value> {
        self.lookup_fast(extras, globals, *code.locals.get(slot)?)
    }

    /// The entry of `name` among the frame's own locals (those from `locals` on), bound or
    /// reserved, if it has one.
    #[inline(always)]
    fn own_local(&mut self, locals: usize, name: registry::Name) -> Option<&mut (registry::Name, Option<Value>)> {
        self.task.locals.get_mut(locals..)?.iter_mut().rev().find(|(n, _)| *n == name)
    }

    /// A name's value when it is found without walking heap scopes: the globals, or the
    /// locals of a top-level function (whose parent scope is the global one).
    #[inline(always)]
    fn lookup_fast(&self, locals: usize, globals: bool, name: registry::Name) -> Option<Value> {
        if let Some(own) = self.task.locals.get(locals..)
            && let Some(&(_, Some(value))) = own.iter().rev().find(|(n, _)| *n == name)
        {
            return Some(value);
        }
        if globals { self.reg.globals.get(name) } else { None }
    }

    /// The word a compiled conditional jump came from (`if`, `ife`, `while`, `for`), read
    /// from its source span, for error messages.
    #[cold]
    fn control_word(code: &Block, ip: usize) -> String {
        let text = code.spans.get(ip.wrapping_sub(1)).and_then(|span| {
            let source = code.source.as_ref()?;
            source.text.get(span.start as usize..span.end as usize)
        });
        match text {
            Some(word) if crate::words::lookup(word).is_some() => word.to_string(),
            _ => "if".to_string(),
        }
    }

    /// Runs one op through its handler. Writes `ip` back to the frame first, so that errors,
    /// frame changes and collections see the right position. A stale handle met on the way
    /// (even by an operation that cannot fail) ends the run with an internal error naming
    /// the operation.
    #[inline(never)]
    fn slow_op(&mut self, op: Op, ip: usize, code: &Block) -> Result<Flow, Error> {
        let result = self.perform(op, ip, code);
        let work = self.reg.take_work();
        if work > 0 {
            self.charge(work);
        }
        if let Some(stale) = self.reg.take_stale() {
            return Err(self.internal_error(Error::from(stale), op));
        }
        if let Some(limit) = self.task.take_fault() {
            return Err(limit);
        }
        result.map_err(|err| if err.kind() == ErrorKind::Internal { self.internal_error(err, op) } else { err })
    }

    /// An internal error, with the operation that met it.
    #[cold]
    fn internal_error(&self, err: Error, op: Op) -> Error {
        let word = crate::words::word_of(op).map_or_else(|| format!("{op:?}"), |w| format!("'{}'", w.name));
        Error::internal(format!("{} (in {word})", err.message()))
    }

    /// Runs a superinstruction as the ops it stands for (`crate::fusion`), one by one, until
    /// one of them jumps, changes frames or ends the program: that op decides what follows.
    #[inline(never)]
    fn perform_expansion(&mut self, op: Op, ip: usize, code: &Block) -> Result<Flow, Error> {
        let Some(parts) = crate::fusion::expansion(op, &code.locals) else {
            return Err(Error::internal(format!("{op:?} refers to a local slot its block does not have")));
        };
        let last = parts.len() - 1;
        for (i, part) in parts.into_iter().enumerate() {
            match self.perform(part, ip, code)? {
                Flow::Next(next) if next == ip && i < last => {}
                flow => return Ok(flow),
            }
        }
        unreachable!("an expansion has at least one op")
    }

    /// The handler of each op, for `slow_op`.
    #[inline(always)]
    fn perform(&mut self, op: Op, mut ip: usize, code: &Block) -> Result<Flow, Error> {
        let top = self.task.frames.len() - 1;
        self.task.frames[top].ip = ip as u32;
        let env = self.task.frames[top].env;
        match op {
            // Literals run inline, except as parts of a superinstruction's expansion.
            Op::Nil => self.task.push(Value::Nil),
            Op::True => self.task.push(Value::Bool(true)),
            Op::False => self.task.push(Value::Bool(false)),
            Op::Int(n) => self.task.push(Value::Int(n as i64)),
            Op::Const(i) => match code.pool.get(i as usize) {
                Some(&value) => self.task.push(value),
                None => return Err(Error::internal(format!("constant {i} is not in the unit's pool"))),
            },
            Op::Name(name) => self.task.push(Value::Name(name)),
            Op::Closure(i) => self.closure(code, i, env),

            Op::Dup => self.dup()?,
            Op::Drop => self.drop()?,
            Op::Swap => self.swap()?,
            Op::Over => self.over()?,
            Op::Rot => self.rot()?,
            Op::Nip => self.nip()?,
            Op::Tuck => self.tuck()?,
            Op::Dup2 => self.dup2()?,
            Op::Drop2 => self.drop2()?,
            Op::Pick => self.pick()?,
            Op::Roll => self.roll()?,
            Op::Slide(n) => self.slide(n as usize)?,
            Op::DropN => self.drop_n()?,
            Op::Depth => self.depth(),
            Op::Clear => self.clear(),

            Op::Add => self.add()?,
            Op::Sub => self.sub()?,
            Op::Mul => self.mul()?,
            Op::Div => self.div()?,
            Op::Mod => self.modulo()?,
            Op::Neg => self.neg()?,
            Op::Abs => self.abs()?,
            Op::Min => self.min()?,
            Op::Max => self.max()?,
            Op::Pow => self.pow()?,

            Op::Eq => self.eq()?,
            Op::Ne => self.ne()?,
            Op::Lt => self.lt()?,
            Op::Le => self.le()?,
            Op::Gt => self.gt()?,
            Op::Ge => self.ge()?,
            Op::Not => self.not()?,
            Op::And => self.and()?,
            Op::Or => self.or()?,
            Op::Xor => self.xor()?,
            Op::BitAnd => self.bit_and()?,
            Op::BitOr => self.bit_or()?,
            Op::BitXor => self.bit_xor()?,
            Op::BitNot => self.bit_not()?,
            Op::Shl => self.shl()?,
            Op::Shr => self.shr()?,

            Op::Load(name) => {
                let value = self.load_variable(env, name)?;
                self.task.push(value);
            }
            Op::Store => self.store(env)?,
            Op::StoreTo(name) => self.store_to(env, name)?,
            Op::Let => self.let_(env)?,
            Op::BindAll => self.bind_all(env)?,
            Op::LetTo(name) => self.let_to(env, name)?,
            Op::Bind => self.bind(env)?,
            Op::Fetch => self.fetch(env)?,
            Op::Exists => self.exists(env)?,
            Op::Forget => self.forget(env)?,

            Op::Call => {
                let callee = self.task.pop("&")?;
                self.push_activation(callee, "&", Frame::NO_EXPECT)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            Op::TailCall => {
                let callee = self.task.pop("!")?;
                self.tail_call(callee)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            Op::Return => {
                self.return_()?;
                return Ok(Flow::Switch);
            }
            Op::CallFunction => {
                self.call_word()?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            // Superinstructions with a handler cheaper than their expansion (each does what
            // its expansion does, without the pushes and pops in between): function
            // literals, calls and tail calls by name and the loop step of `for x in …`,
            // which programs reach often on the general path.
            Op::Function(index, arity) => self.function_literal(code, index, arity, env)?,
            Op::CallName(name) => {
                let callee = self.load_variable(env, name)?;
                self.push_activation(callee, "&", Frame::NO_EXPECT)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            Op::CallFunctionName(name, argc) => {
                let callee = self.load_variable(env, name)?;
                self.call_function(callee, argc as usize)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            Op::TailCallName(name) => {
                let callee = self.load_variable(env, name)?;
                self.tail_call(callee)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            Op::LoopNextLet(exit, name) => match self.loop_next()? {
                Advance::Body => self.let_to(env, name)?,
                Advance::Done => ip = exit as usize,
                Advance::Run(block) => {
                    // Come back to this op when the block ends.
                    self.task.frames[top].ip = ip as u32 - 1;
                    self.push_inline(block, "for")?;
                    return Ok(Flow::Switch);
                }
            },
            Op::CalleeUp(argc) => {
                let callee = self.callee_up(argc as usize)?;
                self.task.push(Value::Int(argc as i64));
                self.task.push(callee);
            }
            Op::CallBelow(argc) => {
                let callee = self.callee_up(argc as usize)?;
                self.call_function(callee, argc as usize)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }
            // Every other superinstruction is what its fusion row says it stands for.
            // (Listed rather than matched by `is_fused`, so that the compiler checks that
            // every op has an arm.)
            Op::AddInt(_)
            | Op::SubInt(_)
            | Op::CmpInt(..)
            | Op::JumpUnless(..)
            | Op::JumpUnlessInt(..)
            | Op::JumpUnlessTopInt(..)
            | Op::AddToName(..)
            | Op::LoadLocal(_)
            | Op::StoreLocal(_)
            | Op::AddToLocal(..)
            | Op::LoadLocalAddInt(..)
            | Op::LoadLocalSubInt(..)
            | Op::JumpUnlessLocalInt(..)
            | Op::AddNames(..)
            | Op::AddLocals(..)
            | Op::LetLocal(_)
            | Op::LoopNextLocal(..)
            | Op::AtConst(_)
            | Op::LocalAtConst(..)
            | Op::LocalAtLocal(..)
            | Op::LocalAtConstKeep(..)
            | Op::PutDrop
            | Op::LetLocalInt(..)
            | Op::LetLocalAtLocal(..)
            | Op::PutLocals(..)
            | Op::PutLocalAtLocal(..)
            | Op::LoadLocals(..)
            | Op::AddLocal(_)
            | Op::SubLocal(_)
            | Op::MulLocal(_)
            | Op::JumpUnlessLocals(..)
            | Op::JumpIf(..)
            | Op::JumpIfInt(..)
            | Op::JumpIfLocalInt(..)
            | Op::JumpIfLocals(..)
            | Op::SubFromName(..)
            | Op::SubFromLocal(..)
            | Op::CallLocal(_)
            | Op::CallFunctionLocal(..)
            | Op::JumpUnlessNames(..)
            | Op::JumpIfNames(..)
            | Op::DupAddInt(_)
            | Op::DupSubInt(_)
            | Op::SwapAddInt(_)
            | Op::SwapSubInt(_)
            | Op::PickN(_)
            | Op::OverAddInt(_)
            | Op::OverSubInt(_) => return self.perform_expansion(op, ip, code),
            Op::End => {
                self.end()?;
                return Ok(Flow::Switch);
            }

            Op::Jump(target) => ip = target as usize,
            Op::JumpIfFalse(target) | Op::JumpIfTrue(target) => {
                if self.task.available() == 0 {
                    self.task.need(1, &Self::control_word(code, ip))?;
                }
                let c = self.task.pop("if")?;
                if self.truthy(c) == matches!(op, Op::JumpIfTrue(_)) {
                    ip = target as usize;
                }
            }
            Op::LoopEnter(exit) => self.loop_enter(exit, ip as u32)?,
            Op::ForCEnter(exit) => self.loop_enter(exit, ip as u32 + 1)?,
            Op::ForEnter(exit) => self.for_enter(exit, ip as u32)?,
            Op::TimesEnter(exit) => self.times_enter(exit, ip as u32)?,
            Op::EachEnter(exit) => self.each_enter(exit, ip as u32)?,
            Op::RangeEnter(exit) => self.range_enter(exit, ip as u32)?,
            Op::LoopNext(exit) => match self.loop_next()? {
                Advance::Body => self.gc_point()?,
                Advance::Done => ip = exit as usize,
                Advance::Run(block) => {
                    // Come back to this LoopNext when the block ends.
                    self.task.frames[top].ip = ip as u32 - 1;
                    self.push_inline(block, "for")?;
                    return Ok(Flow::Switch);
                }
            },
            Op::LoopExit => self.loop_exit(),
            Op::Break | Op::Continue => {
                self.break_or_continue(op == Op::Break)?;
                return Ok(Flow::Switch);
            }
            Op::TryEnter(handler) => self.try_enter(handler)?,
            Op::TryExit => self.try_exit(),
            Op::SpanEnter => self.span_enter()?,
            Op::SpanExit => self.span_exit(),
            Op::ArrayStart => self.array_start()?,
            Op::ArrayEnd => self.array_end()?,

            Op::If | Op::IfElse | Op::TryDyn(_) | Op::SpanDyn => {
                self.run_inline_word(op)?;
                return Ok(Flow::Switch);
            }
            Op::WhileDyn | Op::ForDyn | Op::TimesDyn | Op::EachDyn => self.dyn_loop_start(op, ip as u32)?,
            crate::entry::apply_start_op!() => self.apply_start(op)?,
            Op::ImportStart => self.import_start()?,
            Op::IfsStart => self.ifs_start()?,
            Op::Drive => {
                self.drive(ip as u32 - 1)?;
                self.gc_point()?;
                return Ok(Flow::Switch);
            }

            Op::Throw => return Err(self.throw()),
            Op::Assert => self.assert()?,
            Op::Exit => return Ok(Flow::Exit(self.exit()?)),

            Op::Builtin(builtin) => {
                let then = self.builtin(builtin)?;
                self.gc_point()?;
                return Ok(match then {
                    crate::ops::Then::Continue => Flow::Next(ip),
                    crate::ops::Then::Switch => Flow::Switch,
                    crate::ops::Then::Block => Flow::Block,
                });
            }
            Op::Native(index) => self.call_native(index)?,
        }
        // Any handler may have allocated.
        self.gc_point()?;
        Ok(Flow::Next(ip))
    }
}
