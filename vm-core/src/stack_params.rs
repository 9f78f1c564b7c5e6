//! Functions that keep their parameters on the data stack.
//!
//! A function's block opens with a prologue of `let`s that move its arguments from the data
//! stack into variables. For a function that only reads those parameters, computes with a
//! known stack depth at every op, and returns one value, the variables are not needed: each
//! argument can stay where the caller put it, a read of parameter `j` at depth `d` above the
//! arguments becomes a copy of the value `d + j` below the top (`dup`, `over`, `PickN`), and
//! every return first slides the result down over the arguments (`Slide`). The block then
//! binds no names, so a call to it pushes a frame and nothing else: no locals are reserved,
//! filled or released (see `Vm::enter_function_fast`).
//!
//! The rewrite is all or nothing, and only for blocks made into functions (`fn`, Rho's `fun`):
//! a block run inline (`if` of a block value) declares its `let`s in the scope it runs in,
//! which a function's parameters never are. It gives up on any op whose stack effect it does
//! not know (`STACK_EFFECTS` below), any op that binds or assigns a name, names a parameter
//! other than to read it, or could pop below the arguments, and any path that reaches an op
//! at two depths or a return with other than one value.

use registry::Name;

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

/// Rewrites a function's block (after the first fusion) to keep its parameters on the data
/// stack, if it qualifies; `None` leaves it as it is.
pub(crate) fn keep_params_on_stack(ops: &[Op], spans: &[Span]) -> Option<(Vec<Op>, Vec<Span>)> {
    let params: Vec<Name> =
        ops.iter().map_while(|op| if let Op::LetTo(name) = *op { Some(name) } else { None }).collect();
    let count = params.len();
    if count == 0
        || (1..count).any(|i| params[..i].contains(&params[i]))
        || ops[count..].iter().any(|op| op.binds_names() || op.captures_scope())
    {
        return None;
    }
    let depths = depths(ops, &params)?;
    let mut targets = vec![false; ops.len() + 1];
    for op in ops {
        if let Some(target) = op.target() {
            targets[target as usize] = true;
        }
    }
    let mut new_index = vec![0u32; ops.len() + 1];
    let mut out_ops = Vec::with_capacity(ops.len() + 2);
    let mut out_spans = Vec::with_capacity(ops.len() + 2);
    for (i, (&op, &span)) in ops.iter().zip(spans).enumerate() {
        new_index[i] = out_ops.len() as u32;
        if i < count {
            continue; // the prologue: the arguments stay where they are
        }
        let mut emit = |op: Op| {
            out_ops.push(op);
            out_spans.push(span);
        };
        match (op, depths[i]) {
            (Op::Load(name), Some(depth)) if params.contains(&name) => {
                let position = params.iter().position(|&p| p == name)? as u32;
                emit(match depth + position {
                    0 => Op::Dup,
                    1 => Op::Over,
                    n => Op::PickN(n),
                });
            }
            (Op::Return | Op::End, Some(_)) => {
                // Returning a copy of the top argument (`return n` of `fun f(n)`) is
                // returning the argument itself, unless the copy is made on another path.
                let mut slide = count as u32;
                if !targets[i] && out_ops.last() == Some(&Op::Dup) && depths[i - 1] == Some(0) {
                    out_ops.pop();
                    out_spans.pop();
                    slide -= 1;
                }
                let mut emit = |op: Op| {
                    out_ops.push(op);
                    out_spans.push(span);
                };
                if slide > 0 {
                    emit(Op::Slide(slide));
                }
                emit(op);
            }
            _ => emit(op),
        }
    }
    new_index[ops.len()] = out_ops.len() as u32;
    for op in &mut out_ops {
        if let Some(target) = op.target() {
            *op = op.with_target(new_index[target as usize]);
        }
    }
    Some((out_ops, out_spans))
}

/// The depth above the arguments at which each op runs (`None`: unreachable), or `None` if
/// the block does not qualify.
fn depths(ops: &[Op], params: &[Name]) -> Option<Vec<Option<u32>>> {
    let start = params.len();
    let mut depths: Vec<Option<u32>> = vec![None; ops.len()];
    let mut pending = vec![(start, 0u32)];
    while let Some((i, depth)) = pending.pop() {
        let op = *ops.get(i)?;
        match depths[i] {
            Some(known) if known == depth => continue,
            Some(_) => return None,
            None => depths[i] = Some(depth),
        }
        if op.target().is_some_and(|t| (t as usize) < start || t as usize >= ops.len()) {
            return None;
        }
        match op {
            Op::Return | Op::End => {
                if depth != 1 {
                    return None;
                }
                continue;
            }
            // A parameter is only ever read (no op binds a name: see the caller).
            Op::CallFunctionName(name, _) if params.contains(&name) => return None,
            _ => {}
        }
        let (pops, pushes) = stack_effect(op)?;
        let after = depth.checked_sub(pops)? + pushes;
        if let Some(target) = op.target() {
            pending.push((target as usize, after));
        }
        if !matches!(op, Op::Jump(_)) {
            pending.push((i + 1, after));
        }
    }
    Some(depths)
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
        // (`return n` returns the argument itself.)
        let expected = [
            Op::Dup,
            Op::JumpUnlessInt(Cmp::Lt, 2, 3),
            Op::Return,
            Op::Dup,
            Op::SubInt(1),
            Op::CallFunctionName(fib, 1),
            Op::Over,
            Op::SubInt(2),
            Op::CallFunctionName(fib, 1),
            Op::Add,
            Op::Slide(1),
            Op::End,
        ];
        assert_eq!(rewrite(&body).as_deref(), Some(&expected[..]));
    }

    #[test]
    fn the_first_parameter_bound_is_the_last_argument() {
        let mut names = Interner::default();
        let (b, a) = (names.intern("b"), names.intern("a"));
        // `'b let 'a let a b - a *`: a is one below b, and each push moves both further down.
        let body = [Op::LetTo(b), Op::LetTo(a), Op::Load(a), Op::Load(b), Op::Sub, Op::Load(a), Op::Mul, Op::End];
        let expected = [Op::Over, Op::Over, Op::Sub, Op::PickN(2), Op::Mul, Op::Slide(2), Op::End];
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
            // declares another variable
            &[Op::LetTo(x), Op::Load(x), Op::LetTo(y), Op::Load(y), Op::End],
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
        // Paths that meet at different depths.
        let uneven = [Op::LetTo(x), Op::Load(x), Op::JumpIfFalse(4), Op::Int(1), Op::Int(2), Op::End];
        assert_eq!(rewrite(&uneven), None);
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
