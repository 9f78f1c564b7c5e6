//! The code verifier: checks that a code unit is well formed before a VM loads it, so
//! malformed code — from a corrupt or hostile `.kbc` file, say — is an error, never a
//! panic, a wrong jump or an unbounded recursion in the executor.
//!
//! What it checks: the unit has an outermost block; its natives name names it has; each
//! block's nested blocks come after it (so the blocks form a tree or a DAG, never a cycle)
//! and nest at most [`MAX_BLOCK_DEPTH`] deep; and per block: it ends with `End` and has a
//! span per op, inside the source text and on character boundaries; every jump target is
//! an op of the block; every nested-block, name, native, constant and local-slot index
//! exists; the prologue binds the first slots in order; and the context stack is
//! balanced: following every path through the block, each op is reached with one entry
//! depth (loops, handlers, spans, array marks and driven constructs each push one entry
//! and pop it), no path pops an entry it did not push, and the block ends with none left.
//!
//! The compiler's units pass by construction, so loading does not verify them in release
//! builds; debug builds (and so every test) do. Units read from bytes are always verified.

use std::fmt;

use crate::op::{Op, Operand};
use crate::unit::{Range, Unit, UnitBlock};

/// How deep blocks may nest in a unit: deeper than any frontend nests them (Pi's parser
/// stops at 256 brackets), shallow enough that dropping the block tree cannot exhaust the
/// stack.
pub const MAX_BLOCK_DEPTH: usize = 1024;

/// Why a unit is malformed: where (the block's index in the unit, and the op) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub block: Option<usize>,
    pub op: Option<usize>,
    pub message: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed code")?;
        if let Some(block) = self.block {
            write!(f, " in block {block}")?;
        }
        if let Some(op) = self.op {
            write!(f, " at op {op}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Malformed {}

/// How an op changes the context stack's entries, and where control can go after it.
struct Flow {
    /// Entries pushed (+1) or popped (-1) on the way to the next op.
    change: i32,
    /// Whether control can continue with the next op.
    falls_through: bool,
    /// A jump target and the entry change on the way there.
    jump: Option<(u32, i32)>,
}

fn flow(op: Op) -> Flow {
    let next = |change| Flow { change, falls_through: true, jump: None };
    let branch = |target, change_there| Flow { change: 0, falls_through: true, jump: Some((target, change_there)) };
    match op {
        // Enter ops push their loop; the target is where `break` lands, reached through
        // the loop's own exit (LoopNext or the condition's jump), not from here.
        Op::LoopEnter(_)
        | Op::ForCEnter(_)
        | Op::ForEnter(_)
        | Op::TimesEnter(_)
        | Op::EachEnter(_)
        | Op::RangeEnter(_) => next(1),
        // The loop ends by popping its entry and going to the exit.
        Op::LoopNext(exit) | Op::LoopNextLet(exit, _) | Op::LoopNextLocal(exit, _) => branch(exit, -1),
        Op::LoopExit | Op::TryExit | Op::SpanExit | Op::ArrayEnd | Op::Drive => next(-1),
        // A handler is entered with its entry gone.
        Op::TryEnter(handler) | Op::TryDyn(handler) => {
            Flow { change: 1, falls_through: true, jump: Some((handler, 0)) }
        }
        Op::SpanEnter
        | Op::SpanDyn
        | Op::ArrayStart
        | Op::WhileDyn
        | Op::ForDyn
        | Op::TimesDyn
        | Op::EachDyn
        | crate::entry::apply_start_op!()
        | Op::ImportStart
        | Op::IfsStart => next(1),
        Op::Jump(target) => Flow { change: 0, falls_through: false, jump: Some((target, 0)) },
        // Ops that never continue with the next one (break and continue go to their loop,
        // which other paths reach too).
        Op::End | Op::Return | Op::TailCall | Op::TailCallName(_) | Op::Throw | Op::Exit | Op::Break | Op::Continue => {
            Flow { change: 0, falls_through: false, jump: None }
        }
        other => match other.target() {
            Some(target) => branch(target, 0),
            None => next(0),
        },
    }
}

/// Checks `unit`: its tables and every block.
///
/// # Errors
/// The first malformation found.
pub fn verify(unit: &Unit) -> Result<(), Malformed> {
    let fail = |message: String| Malformed { block: None, op: None, message };
    if unit.blocks.is_empty() {
        return Err(fail("the unit has no blocks".into()));
    }
    if u32::try_from(unit.names.len()).is_err() {
        return Err(fail(format!("{} names are more than a unit can have", unit.names.len())));
    }
    if let Some(&bad) = unit.natives.iter().find(|&&name| name as usize >= unit.names.len()) {
        return Err(fail(format!("a native is name {bad}, but the unit has {} names", unit.names.len())));
    }
    let mut depth = vec![0usize; unit.blocks.len()];
    for (index, block) in unit.blocks.iter().enumerate() {
        let fail = |message: String| Malformed { block: Some(index), op: None, message };
        for &child in &block.children {
            let child = child as usize;
            if child <= index || child >= unit.blocks.len() {
                return Err(fail(format!(
                    "nested block {child} is not after this block among the unit's {} blocks",
                    unit.blocks.len()
                )));
            }
            depth[child] = depth[child].max(depth[index] + 1);
            if depth[child] > MAX_BLOCK_DEPTH {
                return Err(fail(format!("blocks nest more than {MAX_BLOCK_DEPTH} deep")));
            }
        }
        verify_block(unit, block).map_err(|(op, message)| Malformed { block: Some(index), op, message })?;
    }
    Ok(())
}

fn verify_block(unit: &Unit, block: &UnitBlock) -> Result<(), (Option<usize>, String)> {
    let ops = &block.ops;
    if ops.last() != Some(&Op::End) {
        return Err((None, "the block does not end with End".into()));
    }
    if block.spans.len() != ops.len() {
        return Err((None, format!("{} spans for {} ops", block.spans.len(), ops.len())));
    }
    let text = &unit.source_text;
    let in_text = |r: &Range| {
        r.start <= r.end && text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize)
    };
    if let Some(at) = block.spans.iter().position(|r| !in_text(r)) {
        let r = block.spans[at];
        return Err((Some(at), format!("span {}..{} is not in the {}-byte source text", r.start, r.end, text.len())));
    }
    if let Some(r) = block.origin.filter(|r| !in_text(r)) {
        return Err((None, format!("origin {}..{} is not in the {}-byte source text", r.start, r.end, text.len())));
    }
    if let Some(slot) = block.locals.iter().find(|n| n.index() >= unit.names.len()) {
        return Err((None, format!("a slot is name {}, but the unit has {} names", slot.index(), unit.names.len())));
    }
    if let Some(at) = (1..block.locals.len()).find(|&i| block.locals[..i].contains(&block.locals[i])) {
        return Err((None, format!("slot {at} repeats the name of an earlier slot")));
    }
    let prologue = block.prologue as usize;
    if prologue > block.locals.len() {
        return Err((None, format!("a prologue of {prologue} for {} slots", block.locals.len())));
    }
    if let Some(at) = (0..prologue).find(|&i| ops[i] != Op::LetLocal(i as u32)) {
        return Err((Some(at), format!("the prologue's op {at} does not bind slot {at}")));
    }
    for (at, &op) in ops.iter().enumerate() {
        let bad = |what: &str, index: u32, have: usize| {
            Err((Some(at), format!("{} refers to {what} {index}, but the block has {have}", op.mnemonic())))
        };
        if let Some(target) = op.target()
            && target as usize >= ops.len()
        {
            return bad("op", target, ops.len());
        }
        for (_, operand) in op.operands() {
            if let Operand::Name(name) = operand
                && name.index() >= unit.names.len()
            {
                return bad("name", name.index() as u32, unit.names.len());
            }
        }
        let slots = block.locals.len();
        // A variable with a slot is reached through it: the executor's by-name fast paths
        // search only the variables above the slots (`resolve_locals`).
        let named = match op {
            Op::Load(name)
            | Op::StoreTo(name)
            | Op::LetTo(name)
            | Op::LoopNextLet(_, name)
            | Op::AddToName(name, _)
            | Op::SubFromName(name, _)
            | Op::CallName(name)
            | Op::CallFunctionName(name, _) => [Some(name), None],
            Op::AddNames(a, b) | Op::JumpUnlessNames(_, a, b, _) | Op::JumpIfNames(_, a, b, _) => [Some(a), Some(b)],
            _ => [None, None],
        };
        if named.into_iter().flatten().any(|name| block.locals.contains(&name)) {
            return Err((Some(at), format!("{} names a variable that has a slot", op.mnemonic())));
        }
        match op {
            Op::Closure(child) | Op::Function(child, _) if child as usize >= block.children.len() => {
                return bad("nested block", child, block.children.len());
            }
            Op::Const(index) | Op::AtConst(index) if index as usize >= unit.constants.len() => {
                return bad("constant", index, unit.constants.len());
            }
            Op::LocalAtConst(slot, index) | Op::LocalAtConstKeep(slot, index) => {
                if slot as usize >= slots {
                    return bad("local slot", slot, slots);
                }
                if index as usize >= unit.constants.len() {
                    return bad("constant", index, unit.constants.len());
                }
            }
            Op::JumpUnlessLocals(_, a, b, _) | Op::JumpIfLocals(_, a, b, _) if a.max(b) as usize >= slots => {
                return bad("local slot", a.max(b).into(), slots);
            }
            Op::LoadLocals(a, b) | Op::LocalAtLocal(a, b) if a.max(b) as usize >= slots => {
                return bad("local slot", a.max(b), slots);
            }
            Op::Native(index) if index as usize >= unit.natives.len() => {
                return bad("native", index, unit.natives.len());
            }
            Op::LoadLocal(slot)
            | Op::StoreLocal(slot)
            | Op::AddToLocal(slot, _)
            | Op::LoadLocalAddInt(slot, _)
            | Op::LoadLocalSubInt(slot, _)
            | Op::LetLocal(slot)
            | Op::LoopNextLocal(_, slot)
            | Op::SubFromLocal(slot, _)
            | Op::CallLocal(slot)
            | Op::CallFunctionLocal(slot, _)
            | Op::AddLocal(slot)
            | Op::SubLocal(slot)
            | Op::MulLocal(slot)
                if slot as usize >= slots =>
            {
                return bad("local slot", slot, slots);
            }
            Op::JumpUnlessLocalInt(_, slot, _, _) | Op::JumpIfLocalInt(_, slot, _, _) if slot as usize >= slots => {
                return bad("local slot", slot.into(), slots);
            }
            Op::AddLocals(a, b) if a.max(b) as usize >= slots => return bad("local slot", a.max(b), slots),
            // Every other superinstruction, by its definition: the executor's fast arms
            // index the locals by its slots.
            op if !expands_within(op, &block.locals) => {
                return Err((
                    Some(at),
                    format!(
                        "{} refers to a local slot the block does not have, or has a count out of range",
                        op.mnemonic()
                    ),
                ));
            }
            _ => {}
        }
    }
    check_entries(ops).map_err(|(op, message)| (Some(op), message))
}

/// Whether every local slot `op` refers to is one of `locals`: a superinstruction's
/// expansion, taken down to plain ops, names each slot's variable (`crate::fusion`), and
/// has none for a slot the block does not have.
fn expands_within(op: Op, locals: &[registry::Name]) -> bool {
    if !op.is_fused() {
        return true;
    }
    crate::fusion::expansion(op, locals).is_some_and(|parts| parts.into_iter().all(|part| expands_within(part, locals)))
}

/// Follows every path from the first op, giving each op the entry depth it is reached with.
fn check_entries(ops: &[Op]) -> Result<(), (usize, String)> {
    let mut depth: Vec<Option<i32>> = vec![None; ops.len()];
    let mut work = vec![(0usize, 0i32)];
    while let Some((at, entries)) = work.pop() {
        match depth[at] {
            Some(seen) if seen == entries => continue,
            Some(seen) => {
                return Err((at, format!("reached with {entries} context entries on one path and {seen} on another")));
            }
            None => depth[at] = Some(entries),
        }
        let op = ops[at];
        if op == Op::End && entries != 0 {
            return Err((at, format!("the block ends with {entries} context entries left")));
        }
        let flow = flow(op);
        if let Some((target, change)) = flow.jump {
            work.push((target as usize, reach(at, op, entries + change)?));
        }
        if flow.falls_through {
            let entries = reach(at, op, entries + flow.change)?;
            if at + 1 >= ops.len() {
                return Err((at, format!("{} runs off the end of the block", op.mnemonic())));
            }
            work.push((at + 1, entries));
        }
    }
    Ok(())
}

/// `entries` after op `at`, which must not have popped an entry it was not given.
fn reach(at: usize, op: Op, entries: i32) -> Result<i32, (usize, String)> {
    if entries < 0 {
        return Err((at, format!("{} removes a context entry that no op before it made", op.mnemonic())));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Cmp;
    use registry::Name;

    /// A unit of `blocks` (ops and nested-block indexes), one name and one constant.
    fn unit(blocks: Vec<(Vec<Op>, Vec<u32>)>) -> Unit {
        Unit {
            source_name: "test".into(),
            source_text: "text".into(),
            names: vec!["x".into()],
            natives: Vec::new(),
            constants: vec![crate::unit::Constant::Int(1)],
            blocks: blocks
                .into_iter()
                .map(|(ops, children)| UnitBlock {
                    spans: vec![Range::default(); ops.len()],
                    ops,
                    children,
                    origin: None,
                    locals: Vec::new(),
                    prologue: 0,
                })
                .collect(),
        }
    }

    fn check(ops: Vec<Op>) -> Result<(), Malformed> {
        verify(&unit(vec![(ops, Vec::new())]))
    }

    fn message(ops: Vec<Op>) -> String {
        check(ops).expect_err("malformed").to_string()
    }

    #[test]
    fn well_formed_loops_handlers_and_arrays_pass() {
        // while: LoopEnter(exit) Jump(test) body: BODY test: COND JumpIfTrue(body) LoopExit exit:
        check(vec![Op::LoopEnter(5), Op::Jump(2), Op::True, Op::JumpIfTrue(2), Op::LoopExit, Op::End]).unwrap();
        // a counted loop: TimesEnter(exit) top: LoopNext(exit) BODY Jump(top) exit:
        check(vec![Op::Int(3), Op::TimesEnter(4), Op::LoopNext(4), Op::Jump(2), Op::End]).unwrap();
        // try: TryEnter(handler) BODY TryExit Jump(end) handler: HANDLER end:
        check(vec![Op::TryEnter(3), Op::TryExit, Op::Jump(4), Op::Drop, Op::End]).unwrap();
        check(vec![Op::ArrayStart, Op::Int(1), Op::ArrayEnd, Op::End]).unwrap();
        check(vec![Op::Nil, Op::Nil, Op::MapStart, Op::Drive, Op::End]).unwrap();
        // Code after a jump that nothing reaches is not checked for balance.
        check(vec![Op::Jump(2), Op::LoopExit, Op::End]).unwrap();
    }

    #[test]
    fn a_jump_outside_the_block_is_rejected() {
        assert_eq!(
            message(vec![Op::Jump(7), Op::End]),
            "malformed code in block 0 at op 0: Jump refers to op 7, but the block has 2"
        );
        assert!(message(vec![Op::JumpUnlessInt(Cmp::Lt, 1, 9), Op::End]).contains("refers to op 9"));
    }

    #[test]
    fn indexes_the_unit_does_not_have_are_rejected() {
        assert!(message(vec![Op::Closure(0), Op::End]).contains("nested block 0, but the block has 0"));
        assert!(message(vec![Op::Const(2), Op::End]).contains("constant 2, but the block has 1"));
        assert!(message(vec![Op::LoadLocal(1), Op::End]).contains("local slot 1"));
        assert!(message(vec![Op::AddLocals(0, 4), Op::End]).contains("local slot 4"));
        // The superinstructions without a rule of their own, by their expansions.
        for op in [Op::LetLocalInt(0, 1), Op::LetLocalAtLocal(0, 0, 0), Op::PutLocals(0, 0, 0)] {
            let got = message(vec![op, Op::End]);
            assert!(got.contains("refers to a local slot the block does not have"), "{got}");
        }
        assert!(message(vec![Op::Load(Name::from_index(3)), Op::End]).contains("Load refers to name 3"));
        assert!(message(vec![Op::Native(0), Op::End]).contains("Native refers to native 0"));
        let mut bad_native = unit(vec![(vec![Op::End], Vec::new())]);
        bad_native.natives.push(5);
        assert!(verify(&bad_native).unwrap_err().to_string().contains("a native is name 5"));
    }

    #[test]
    fn unbalanced_entries_are_rejected() {
        assert_eq!(
            message(vec![Op::LoopExit, Op::End]),
            "malformed code in block 0 at op 0: LoopExit removes a context entry that no op before it made"
        );
        assert!(message(vec![Op::ArrayStart, Op::End]).contains("ends with 1 context entries left"));
        // Two paths meet with different depths.
        assert!(
            message(vec![Op::True, Op::JumpIfFalse(3), Op::SpanEnter, Op::SpanExit, Op::End])
                .contains("on one path and")
        );
    }

    #[test]
    fn a_block_must_end_with_end_and_not_run_off_it() {
        assert_eq!(message(vec![Op::Nil]), "malformed code in block 0: the block does not end with End");
        assert!(message(vec![]).contains("does not end with End"));
        assert_eq!(verify(&unit(Vec::new())).unwrap_err().to_string(), "malformed code: the unit has no blocks");
    }

    #[test]
    fn nested_blocks_must_come_after_their_parent() {
        let nested = vec![Op::Closure(0), Op::End];
        // A block that contains itself, or an earlier block, would be a cycle.
        let cycle = unit(vec![(nested.clone(), vec![1]), (nested.clone(), vec![1])]);
        assert!(verify(&cycle).unwrap_err().to_string().contains("in block 1: nested block 1 is not after"));
        let missing = unit(vec![(nested.clone(), vec![4])]);
        assert!(verify(&missing).unwrap_err().to_string().contains("nested block 4 is not after"));
        // A chain deeper than the limit.
        let chain: Vec<_> = (0..MAX_BLOCK_DEPTH + 2).map(|i| (nested.clone(), vec![i as u32 + 1])).collect();
        let mut deep = unit(chain);
        deep.blocks.last_mut().unwrap().children.clear();
        deep.blocks.last_mut().unwrap().ops = vec![Op::End];
        deep.blocks.last_mut().unwrap().spans = vec![Range::default()];
        assert!(verify(&deep).unwrap_err().to_string().contains("nest more than 1024 deep"));
    }

    #[test]
    fn nested_blocks_are_checked_and_named_by_their_index() {
        let top = (vec![Op::Nil, Op::Closure(0), Op::End], vec![1]);
        let middle = (vec![Op::Closure(0), Op::End], vec![2]);
        let bad = (vec![Op::Jump(5), Op::End], Vec::new());
        assert_eq!(
            verify(&unit(vec![top, middle, bad])).expect_err("malformed").to_string(),
            "malformed code in block 2 at op 0: Jump refers to op 5, but the block has 2"
        );
    }

    #[test]
    fn spans_must_lie_in_the_source_and_prologues_bind_their_slots() {
        let mut outside = unit(vec![(vec![Op::Nil, Op::End], Vec::new())]);
        outside.blocks[0].spans[0] = Range { start: 2, end: 9 };
        assert!(verify(&outside).unwrap_err().to_string().contains("span 2..9 is not in the 4-byte source text"));
        let x = Name::from_index(0);
        let mut prologue = unit(vec![(vec![Op::LetLocal(0), Op::End], Vec::new())]);
        prologue.blocks[0].locals = vec![x];
        prologue.blocks[0].prologue = 1;
        verify(&prologue).unwrap();
        prologue.blocks[0].ops[0] = Op::Drop;
        assert!(verify(&prologue).unwrap_err().to_string().contains("prologue's op 0 does not bind slot 0"));
        prologue.blocks[0].ops[0] = Op::LetTo(x);
        prologue.blocks[0].prologue = 0;
        assert!(verify(&prologue).unwrap_err().to_string().contains("LetTo names a variable that has a slot"));
        prologue.blocks[0].ops[0] = Op::JumpIfNames(crate::op::Cmp::Lt, x, x, 1);
        assert!(verify(&prologue).unwrap_err().to_string().contains("JumpIfNames names a variable that has a slot"));
        prologue.blocks[0].ops[0] = Op::LetLocal(0);
        prologue.blocks[0].locals = vec![x, x];
        assert!(verify(&prologue).unwrap_err().to_string().contains("slot 1 repeats the name of an earlier slot"));
    }
}
