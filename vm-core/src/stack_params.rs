//! Functions that keep their variables on the data stack.
//!
//! A function's block opens with a prologue of `let`s that move its arguments from the data
//! stack into variables. For a function that only reads those parameters, declares any other
//! variable once and never assigns it, computes with a known stack depth at every op, and
//! returns one value, the variables are not needed: each argument can stay where the caller
//! put it, and each declared value where its `let` found it. A read of a variable becomes a
//! copy of the value so far below the top (`Dup`, `Over`, `PickN`), or, for its last read
//! when it is on the top or right under it, a move of the value itself to the top (nothing,
//! or `Swap`); every return first slides the result down over the variables still on the
//! stack (`Slide`). The block then binds
//! no names, so a call to it pushes a frame and nothing else: no locals are reserved, filled
//! or released (see `Vm::enter_function_fast`).
//!
//! The rewrite is all or nothing, and only for blocks made into functions (`fn`, Rho's `fun`):
//! a block run inline (`if` of a block value) declares its `let`s in the scope it runs in,
//! which a function's variables never are. It gives up on any op whose stack effect it does
//! not know (`stack_effect` below), any op that assigns a name or declares one twice, names a
//! variable other than to read it, or could pop a variable, and any path that reaches an op
//! in two different states or returns with other than one value.

use registry::Name;
use smallvec::SmallVec;

use crate::fusion::{jump_targets, retarget};
use crate::op::Op;
use crate::source::Span;
use crate::words::Builtin as Word;

/// The ops this rewrite understands, with how many values each pops and pushes. (Checked
/// against the effects the ops and words document, by a test.)
fn stack_effect(op: Op) -> Option<(u32, u32)> {
    use Op::*;
    Some(match op {
        Nil | True | False | Int(_) | Const(_) | Load(_) => (0, 1),
        Dup => (1, 2),
        Drop => (1, 0),
        Swap => (2, 2),
        Over => (2, 3),
        Add | Sub | Mul | Div | Mod | Min | Max | Pow | Eq | Ne | Lt | Le | Gt | Ge | BitAnd | BitOr | BitXor | Shl
        | Shr => (2, 1),
        Neg | Abs | Not | BitNot | AddInt(_) | SubInt(_) | CmpInt(..) | AtConst(_) => (1, 1),
        DupAddInt(_) | DupSubInt(_) => (1, 2),
        SwapAddInt(_) | SwapSubInt(_) => (2, 2),
        OverAddInt(_) | OverSubInt(_) => (2, 3),
        Jump(_) => (0, 0),
        JumpIfFalse(_) | JumpIfTrue(_) | JumpUnlessInt(..) | JumpIfInt(..) => (1, 0),
        JumpUnlessTopInt(..) => (1, 1),
        JumpUnless(..) | JumpIf(..) => (2, 0),
        CallFunctionName(_, argc) => (argc, 1),
        PickN(n) => (n + 1, n + 2),
        Builtin(word) => match word {
            Word::Str | Word::ToInt | Word::ToFloat | Word::Size => (1, 1),
            Word::Math(_) | Word::Round(_) => (1, 1),
            Word::At | Word::Atan2 | Word::Hypot => (2, 1),
            Word::Print => (1, 0),
            _ => return None,
        },
        _ => return None,
    })
}

/// Where a function's variables are, at one op: the stack region they occupy, from its
/// bottom (the first argument) up, and how many values are computed above it. A variable
/// leaves the region when its last read takes it rather than copying it.
#[derive(Clone, PartialEq, Eq)]
struct State {
    region: SmallVec<[Name; 8]>,
    temps: u32,
}

impl State {
    /// How far below the top variable `name` is, and its place in the region.
    fn find(&self, name: Name) -> Option<(u32, usize)> {
        let at = self.region.iter().position(|&v| v == name)?;
        Some((self.temps + (self.region.len() - 1 - at) as u32, at))
    }
}

/// How a read of a variable is done.
#[derive(Clone, Copy)]
enum Read {
    /// Copy the value this far below the top (`Dup`, `Over`, `PickN`).
    Copy(u32),
    /// The last read of a variable on the top or right under it: it is moved to the top
    /// (by nothing, or by a `Swap`) and stops being a variable. Taking it rather than
    /// copying keeps the stack as short as a hand-written word keeps it (fib's second
    /// `n` becomes `swap`, as in Pi).
    Take(u32),
}

/// The variables live after each op (those a later op may read), one bit each, in the
/// order of `vars`; `None` when there are too many to count this way.
fn live_after(ops: &[Op], vars: &[Name]) -> Option<Vec<u64>> {
    if vars.len() > 64 {
        return None;
    }
    let bit = |name: Name| vars.iter().position(|&v| v == name).map_or(0, |i| 1u64 << i);
    let mut after = vec![0u64; ops.len()];
    let mut before = vec![0u64; ops.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..ops.len()).rev() {
            let op = ops[i];
            let mut out = 0;
            if let Some(t) = op.target() {
                out |= before.get(t as usize).copied().unwrap_or(0);
            }
            if !matches!(op, Op::Jump(_) | Op::Return | Op::End) {
                out |= before.get(i + 1).copied().unwrap_or(0);
            }
            let into = match op {
                Op::Load(name) => out | bit(name),
                Op::LetTo(name) => out & !bit(name),
                _ => out,
            };
            if out != after[i] || into != before[i] {
                (after[i], before[i]) = (out, into);
                changed = true;
            }
        }
    }
    Some(after)
}

/// Rewrites a function's block (after the first fusion) to keep its parameters, and the
/// variables it declares once and never assigns, on the data stack, if it qualifies; `None`
/// leaves it as it is.
pub(crate) fn keep_params_on_stack(ops: &[Op], spans: &[Span]) -> Option<(Vec<Op>, Vec<Span>)> {
    let params: Vec<Name> =
        ops.iter().map_while(|op| if let Op::LetTo(name) = *op { Some(name) } else { None }).collect();
    let count = params.len();
    if count == 0 || (1..count).any(|i| params[..i].contains(&params[i])) {
        return None;
    }
    let mut vars = params.clone();
    for op in &ops[count..] {
        match *op {
            Op::LetTo(name) if !vars.contains(&name) => vars.push(name),
            _ if op.binds_names() || op.captures_scope() => return None,
            _ => {}
        }
    }
    // Taking variables at their last reads can make two paths meet with the variables in
    // different places (one took a variable the other never read): then those variables
    // are copied at every read (counted live everywhere), and the others still taken.
    let (states, live) = match live_after(ops, &vars) {
        Some(live) => {
            let mut copied = 0u64;
            loop {
                let live: Vec<u64> = live.iter().map(|&l| l | copied).collect();
                match states(ops, &vars, count, Some(&live)) {
                    Ok(states) => break (states, Some(live)),
                    Err(differ) if differ & !copied != 0 => copied |= differ,
                    Err(_) => return None,
                }
            }
        }
        None => (states(ops, &vars, count, None).ok()?, None),
    };
    let targets = jump_targets(ops);
    let mut new_index = vec![0u32; ops.len() + 1];
    let mut out: Vec<(Op, Span)> = Vec::with_capacity(ops.len() + 2);
    for (i, (&op, &span)) in ops.iter().zip(spans).enumerate() {
        new_index[i] = out.len() as u32;
        let Some(state) = &states[i] else {
            // Unreachable (or the prologue, whose arguments stay where they are).
            if i >= count {
                out.push((op, span));
            }
            continue;
        };
        // Whether the last op out is the previous op's, with nothing jumping between: the
        // two can then be rewritten together.
        let follows = !targets[i] && i > 0 && new_index[i - 1] as usize + 1 == out.len();
        match op {
            Op::Load(name) if vars.contains(&name) => {
                match read(state, name, &vars, live.as_deref().map(|l| l[i]))?.0 {
                    Read::Take(0) => {}
                    // A swap after a swap undoes it (`a b +` with both taken); after a dup
                    // it swaps two copies of one value (`c c *`).
                    Read::Take(_) if follows && matches!(out.last(), Some((Op::Swap, _))) => drop(out.pop()),
                    Read::Take(_) if follows && matches!(out.last(), Some((Op::Dup, _))) => {}
                    Read::Take(_) => out.push((Op::Swap, span)),
                    Read::Copy(0) => out.push((Op::Dup, span)),
                    Read::Copy(1) => out.push((Op::Over, span)),
                    Read::Copy(n) => out.push((Op::PickN(n), span)),
                }
            }
            // The value stays where it is, and is the variable.
            Op::LetTo(_) => {}
            Op::Return | Op::End => {
                // Returning a copy of the top value (`return n` of `fun f(n)`) is returning
                // that value, unless something jumps straight to the return.
                let mut slide = state.region.len() as u32;
                if slide > 0 && follows && matches!(out.last(), Some((Op::Dup, _))) {
                    out.pop();
                    slide -= 1;
                }
                if slide > 0 {
                    out.push((Op::Slide(slide), span));
                }
                out.push((op, span));
            }
            _ => out.push((op, span)),
        }
    }
    new_index[ops.len()] = out.len() as u32;
    let (mut out_ops, out_spans): (Vec<Op>, Vec<Span>) = out.into_iter().unzip();
    retarget(&mut out_ops, &new_index);
    Some((out_ops, out_spans))
}

/// How a read of variable `name` is done in `state`: taken if it is its last (`live`, the
/// variables live after the read, says so) and it is on the top or right under it; else
/// copied; with the variable's place in the region. `None` if the variable is not on the
/// stack (read before its declaration).
fn read(state: &State, name: Name, vars: &[Name], live: Option<u64>) -> Option<(Read, usize)> {
    let (below_top, at) = state.find(name)?;
    let index = vars.iter().position(|&v| v == name)?;
    let last = live.is_some_and(|live| live & (1 << index) == 0);
    Some((if last && below_top <= 1 { Read::Take(below_top) } else { Read::Copy(below_top) }, at))
}

/// The state each op runs in (`None`: unreachable). `vars` are the parameters (the first
/// `count`, bound last argument first) and then the variables declared; with `live` (see
/// [`live_after`]) last reads take their variables.
///
/// # Errors
/// If the block does not qualify: the variables (bits, as in `live`) that two paths meet
/// with in different places, which copying them at every read would reconcile, or none.
fn states(ops: &[Op], vars: &[Name], count: usize, live: Option<&[u64]>) -> Result<Vec<Option<State>>, u64> {
    let mut states: Vec<Option<State>> = vec![None; ops.len()];
    let region = vars[..count].iter().rev().copied().collect();
    let mut pending = vec![(count, State { region, temps: 0 })];
    while let Some((i, state)) = pending.pop() {
        let Some(&op) = ops.get(i) else { return Err(0) };
        match &states[i] {
            Some(known) if *known == state => continue,
            Some(known) => {
                let differ =
                    vars.iter().enumerate().filter(|&(_, v)| known.region.contains(v) != state.region.contains(v));
                return Err(differ.fold(0, |bits, (index, _)| bits | 1 << index));
            }
            None => states[i] = Some(state.clone()),
        }
        if op.target().is_some_and(|t| (t as usize) < count || t as usize >= ops.len()) {
            return Err(0);
        }
        let after = match op {
            // One value above the variables: the result.
            Op::Return | Op::End if state.temps == 1 => continue,
            Op::Return | Op::End => return Err(0),
            // A declaration right above the variables (so that they stay together under
            // the values being computed), once on every path.
            Op::LetTo(name) => {
                if state.temps != 1 || state.region.contains(&name) {
                    return Err(0);
                }
                let mut after = state;
                after.region.push(name);
                after.temps = 0;
                after
            }
            // A variable read after its declaration (before it, the name would mean
            // another variable) and before any read that took it.
            Op::Load(name) if vars.contains(&name) => {
                let mut after = state;
                if let (Read::Take(_), at) = read(&after, name, vars, live.map(|l| l[i])).ok_or(0u64)? {
                    after.region.remove(at);
                }
                after.temps += 1;
                after
            }
            Op::CallFunctionName(name, _) if vars.contains(&name) => return Err(0),
            _ => {
                let (pops, pushes) = stack_effect(op).ok_or(0u64)?;
                let below = state.temps.checked_sub(pops).ok_or(0u64)?;
                State { temps: below + pushes, region: state.region }
            }
        };
        if let Some(target) = op.target() {
            pending.push((target as usize, after.clone()));
        }
        if !matches!(op, Op::Jump(_)) {
            pending.push((i + 1, after));
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use registry::Interner;

    use super::*;
    use crate::op::Cmp;
    use crate::words::{self, WordKind};

    fn rewrite(ops: &[Op]) -> Option<Vec<Op>> {
        keep_params_on_stack(ops, &vec![Span::default(); ops.len()]).map(|(ops, _)| ops)
    }

    #[test]
    fn parameters_are_read_from_the_stack_and_slid_under_the_result() {
        let mut names = Interner::default();
        let (n, fib) = (names.intern("n"), names.intern("fib"));
        // fib: `'n let n 2 < { n ... } if n 1 - fib(1) n 2 - fib(1) +`
        let body = [
            Op::LetTo(n),
            Op::Load(n),
            Op::JumpUnlessInt(Cmp::Lt, 2, 5),
            Op::Load(n),
            Op::Return,
            Op::Load(n),
            Op::SubInt(1),
            Op::CallFunctionName(fib, 1),
            Op::Load(n),
            Op::SubInt(2),
            Op::CallFunctionName(fib, 1),
            Op::Add,
            Op::End,
        ];
        // (`return n` returns the argument itself, and the last `n` takes it: the code is
        // Pi's fib.)
        let expected = [
            Op::Dup,
            Op::JumpUnlessInt(Cmp::Lt, 2, 3),
            Op::Return,
            Op::Dup,
            Op::SubInt(1),
            Op::CallFunctionName(fib, 1),
            Op::Swap,
            Op::SubInt(2),
            Op::CallFunctionName(fib, 1),
            Op::Add,
            Op::End,
        ];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
    }

    #[test]
    fn the_first_parameter_bound_is_the_last_argument() {
        let mut names = Interner::default();
        let (b, a) = (names.intern("b"), names.intern("a"));
        // `'b let 'a let a b - a *`: a is one below b, and each push moves both further
        // down; the last reads of b and of a take them.
        let body = [Op::LetTo(b), Op::LetTo(a), Op::Load(a), Op::Load(b), Op::Sub, Op::Load(a), Op::Mul, Op::End];
        let expected = [Op::Over, Op::Swap, Op::Sub, Op::Swap, Op::Mul, Op::End];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
        // `a b +`, both taken: the second swap undoes the first. `a a *`: the swap after the
        // copy would swap two copies of one value.
        let body = [Op::LetTo(b), Op::LetTo(a), Op::Load(a), Op::Load(b), Op::Add, Op::End];
        assert_eq!(rewrite(&body).as_deref(), Some(&[Op::Add, Op::End][..]));
        let body = [Op::LetTo(a), Op::Load(a), Op::Load(a), Op::Mul, Op::End];
        assert_eq!(rewrite(&body).as_deref(), Some(&[Op::Dup, Op::Mul, Op::End][..]));
        // `a b a + *`: b's last read takes it from under a's copy; a, read last from two
        // values down, is copied and slid away.
        let body = [Op::LetTo(b), Op::LetTo(a), Op::Load(a), Op::Load(b), Op::Load(a), Op::Add, Op::Mul, Op::End];
        let expected = [Op::Over, Op::Swap, Op::PickN(2), Op::Add, Op::Mul, Op::Slide(1), Op::End];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
    }

    #[test]
    fn declared_variables_stay_where_their_let_found_them() {
        let mut names = Interner::default();
        let (i, j, ij) = (names.intern("i"), names.intern("j"), names.intern("ij"));
        // `fun a(i, j) { let ij = i + j; return 1.0 / (ij * (ij + 1) + i) }`
        let body = [
            Op::LetTo(j),
            Op::LetTo(i),
            Op::Load(i),
            Op::Load(j),
            Op::Add,
            Op::LetTo(ij),
            Op::Const(0),
            Op::Load(ij),
            Op::Load(ij),
            Op::AddInt(1),
            Op::Mul,
            Op::Load(i),
            Op::Add,
            Op::Div,
            Op::End,
        ];
        // (The last reads of j and of the first ij take them; i and ij, copied last from
        // further down, are slid away.)
        let expected = [
            Op::Over,
            Op::Swap,
            Op::Add,
            Op::Const(0),
            Op::Over,
            Op::PickN(2),
            Op::AddInt(1),
            Op::Mul,
            Op::PickN(3),
            Op::Add,
            Op::Div,
            Op::Slide(2),
            Op::End,
        ];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
        // Returning the variable declared last is returning the value its `let` found.
        let last = [Op::LetTo(i), Op::Load(i), Op::AddInt(1), Op::LetTo(ij), Op::Load(ij), Op::End];
        assert_eq!(rewrite(&last).as_deref(), Some(&[Op::AddInt(1), Op::End][..]));
    }

    #[test]
    fn paths_that_would_meet_with_a_variable_in_different_places_copy_its_reads() {
        let mut names = Interner::default();
        let (x, y) = (names.intern("x"), names.intern("y"));
        // `fun f(x) { if x { return x + 1 } else { 0 } }` as one join: the branch that reads
        // x would take it, the other would leave it, so both copy and slide.
        let body = [
            Op::LetTo(x),
            Op::Load(x),
            Op::JumpIfFalse(6),
            Op::Load(x),
            Op::AddInt(1),
            Op::Jump(7),
            Op::Int(0),
            Op::End,
        ];
        let expected =
            [Op::Dup, Op::JumpIfFalse(5), Op::Dup, Op::AddInt(1), Op::Jump(6), Op::Int(0), Op::Slide(1), Op::End];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
        // `(x ? x + 1 : 0) * y`: only x is copied at every read; y's last read still takes it.
        let body = [
            Op::LetTo(y),
            Op::LetTo(x),
            Op::Load(x),
            Op::JumpIfFalse(7),
            Op::Load(x),
            Op::AddInt(1),
            Op::Jump(8),
            Op::Int(0),
            Op::Load(y),
            Op::Mul,
            Op::End,
        ];
        let expected = [
            Op::Over,
            Op::JumpIfFalse(5),
            Op::Over,
            Op::AddInt(1),
            Op::Jump(6),
            Op::Int(0),
            Op::Swap,
            Op::Mul,
            Op::Slide(1),
            Op::End,
        ];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
    }

    #[test]
    fn blocks_that_need_their_variables_are_left_alone() {
        let mut names = Interner::default();
        let (x, y, f) = (names.intern("x"), names.intern("y"), names.intern("f"));
        let cases: [&[Op]; 7] = [
            // no parameters
            &[Op::Int(1), Op::End],
            // assigns a parameter
            &[Op::LetTo(x), Op::Int(1), Op::StoreTo(x), Op::Nil, Op::End],
            // assigns a declared variable
            &[Op::LetTo(x), Op::Load(x), Op::LetTo(y), Op::Int(1), Op::StoreTo(y), Op::Load(y), Op::End],
            // calls a parameter
            &[Op::LetTo(f), Op::Int(1), Op::CallFunctionName(f, 1), Op::End],
            // pops below the arguments
            &[Op::LetTo(x), Op::Drop, Op::Int(1), Op::End],
            // returns two values
            &[Op::LetTo(x), Op::Load(x), Op::Load(x), Op::End],
            // an op whose effect on the stack it does not know
            &[Op::LetTo(x), Op::Load(x), Op::Call, Op::End],
        ];
        for ops in cases {
            assert_eq!(rewrite(ops), None, "{ops:?}");
        }
        // A declaration with a value under it (which would end up between two variables),
        // and one in a loop (each round would add one).
        let under = [Op::LetTo(x), Op::Int(1), Op::Int(2), Op::LetTo(y), Op::Load(y), Op::Add, Op::End];
        assert_eq!(rewrite(&under), None);
        let looped = [Op::LetTo(x), Op::Load(x), Op::LetTo(y), Op::Load(x), Op::JumpIfTrue(1), Op::Load(y), Op::End];
        assert_eq!(rewrite(&looped), None);
        // Paths that meet at different depths.
        let uneven = [Op::LetTo(x), Op::Load(x), Op::JumpIfFalse(4), Op::Int(1), Op::Int(2), Op::End];
        assert_eq!(rewrite(&uneven), None);
    }

    /// Pushes ops computing one value from `vars` and small ints with `+`, `-` and `*`
    /// (`-` makes the order of the operands matter), as `choices` decide.
    fn expression(ops: &mut Vec<Op>, vars: &[Name], choices: &mut impl Iterator<Item = u8>) {
        let mut depth = 0;
        for _ in 0..5 {
            let c = choices.next().unwrap_or(0);
            if depth >= 2 && c.is_multiple_of(3) {
                ops.push([Op::Add, Op::Sub, Op::Mul][(c / 3 % 3) as usize]);
                depth -= 1;
            } else if c.is_multiple_of(2) {
                ops.push(Op::Load(vars[(c / 2) as usize % vars.len()]));
                depth += 1;
            } else {
                ops.push(Op::Int((c % 7) as i32));
                depth += 1;
            }
        }
        for _ in 1..depth {
            ops.push(Op::Sub);
        }
    }

    /// A function built from `choices`: `params` parameters, `lets` declared variables,
    /// each declaration's value and the result an expression of the variables declared so
    /// far, or a choice between two (`c JumpIfFalse a Jump b`, so paths meet).
    fn function(names: &mut Interner, params: usize, lets: usize, choices: &[u8]) -> Vec<Op> {
        let mut vars: Vec<Name> = (0..params).map(|i| names.intern(&format!("p{i}"))).collect();
        let mut ops: Vec<Op> = vars.iter().map(|&v| Op::LetTo(v)).collect();
        let mut choices = choices.iter().copied().cycle();
        for k in 0..=lets {
            if choices.next().unwrap_or(0).is_multiple_of(2) {
                expression(&mut ops, &vars, &mut choices);
            } else {
                expression(&mut ops, &vars, &mut choices);
                let branch = ops.len();
                ops.push(Op::JumpIfFalse(0));
                expression(&mut ops, &vars, &mut choices);
                let jump = ops.len();
                ops.push(Op::Jump(0));
                ops[branch] = Op::JumpIfFalse(ops.len() as u32);
                expression(&mut ops, &vars, &mut choices);
                ops[jump] = Op::Jump(ops.len() as u32);
            }
            if k < lets {
                let name = names.intern(&format!("l{k}"));
                ops.push(Op::LetTo(name));
                vars.push(name);
            }
        }
        ops.push(Op::End);
        ops
    }

    /// Runs a function's ops on `stack` (the arguments, the first at the bottom): by name
    /// for the original block, on the stack alone for the rewritten one. (A jump's
    /// condition is whether the value is odd.)
    fn run(ops: &[Op], mut stack: Vec<i64>) -> Vec<i64> {
        let mut vars: Vec<(Name, i64)> = Vec::new();
        let mut pc = 0;
        loop {
            let op = ops[pc];
            pc += 1;
            let n = stack.len();
            match op {
                Op::LetTo(name) => vars.push((name, stack.pop().unwrap())),
                Op::Load(name) => stack.push(vars.iter().find(|v| v.0 == name).unwrap().1),
                Op::Int(k) => stack.push(k as i64),
                Op::Dup => stack.push(stack[n - 1]),
                Op::Over => stack.push(stack[n - 2]),
                Op::PickN(k) => stack.push(stack[n - 1 - k as usize]),
                Op::Swap => stack.swap(n - 1, n - 2),
                Op::Slide(k) => {
                    stack[n - 1 - k as usize] = stack[n - 1];
                    stack.truncate(n - k as usize);
                }
                Op::Add | Op::Sub | Op::Mul => {
                    let (a, b) = (stack[n - 2], stack[n - 1]);
                    stack.truncate(n - 2);
                    stack.push(match op {
                        Op::Add => a.wrapping_add(b),
                        Op::Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    });
                }
                Op::Jump(to) => pc = to as usize,
                Op::JumpIfFalse(to) => {
                    if stack.pop().unwrap() % 2 == 0 {
                        pc = to as usize;
                    }
                }
                Op::End => return stack,
                other => panic!("no such op here: {other:?}"),
            }
        }
    }

    proptest::proptest! {
        /// Whatever order the variables are read in, and whichever paths meet, the
        /// rewritten block computes what the original does and leaves only its result.
        #[test]
        fn the_rewrite_computes_what_the_block_did(
            params in 1usize..4,
            lets in 0usize..3,
            choices in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..40),
            args in proptest::collection::vec(-50i64..50, 3),
        ) {
            let mut names = Interner::default();
            let ops = function(&mut names, params, lets, &choices);
            let args = args[..params].to_vec();
            let kept = rewrite(&ops).expect("such a block is rewritten");
            let expected = run(&ops, args.clone());
            proptest::prop_assert_eq!(expected.len(), 1);
            proptest::prop_assert_eq!(run(&kept, args), expected, "{:?} became {:?}", ops, kept);
        }
    }

    /// The number of values before and after the `--` of a documented effect such as
    /// `( a b -- a+b )`.
    fn counted(effect: &str) -> (u32, u32) {
        let inner = effect.trim_start_matches('(').trim_end_matches(')');
        let (before, after) = inner.split_once("--").expect("an effect has a `--`");
        (before.split_whitespace().count() as u32, after.split_whitespace().count() as u32)
    }

    #[test]
    fn the_effects_agree_with_the_documented_ones() {
        let mut names = Interner::default();
        let x = names.intern("x");
        let ops = [
            Op::Nil,
            Op::Int(1),
            Op::Const(0),
            Op::Load(x),
            Op::Dup,
            Op::Drop,
            Op::Swap,
            Op::Over,
            Op::Add,
            Op::Shr,
            Op::Neg,
            Op::Not,
            Op::AddInt(1),
            Op::CmpInt(Cmp::Lt, 1),
            Op::AtConst(0),
            Op::DupSubInt(1),
            Op::SwapSubInt(1),
            Op::OverSubInt(1),
            Op::JumpIfFalse(0),
            Op::JumpUnlessInt(Cmp::Lt, 1, 0),
            Op::JumpUnlessTopInt(Cmp::Lt, 1, 0),
            Op::JumpUnless(Cmp::Lt, 0),
        ];
        for op in ops {
            assert_eq!(stack_effect(op), Some(counted(op.effect())), "{op:?}");
        }
        for word in words::WORDS {
            if let WordKind::Op(op @ Op::Builtin(_)) = word.kind
                && let Some(effect) = stack_effect(op)
            {
                assert_eq!(effect, counted(word.effect), "{}", word.name);
            }
        }
    }
}
