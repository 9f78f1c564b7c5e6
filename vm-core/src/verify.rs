//! The code verifier: checks that a compiled block (and every block nested in it) is well
//! formed before anything runs it, so malformed code is an error, never a panic or a wrong
//! jump in the executor.
//!
//! What it checks, per block: the block ends with `End` and has a span per op; every jump
//! target is an op of the block; every nested-block, constant and local-slot index exists;
//! the prologue is no longer than the slots; and the context stack is balanced: following
//! every path through the block, each op is reached with one entry depth (loops, handlers,
//! spans, array marks and driven constructs each push one entry and pop it), no path pops
//! an entry it did not push, and the block ends with none left.
//!
//! Today every block comes from the compiler, so a failure is a compiler bug: debug builds
//! verify everything they compile. Code loaded from elsewhere will be verified on loading.

use std::fmt;

use crate::code::Block;
use crate::op::Op;

/// Why a block is malformed: where (the path of nested-block indexes from the unit's
/// outermost block, and the op) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub path: Vec<u32>,
    pub op: Option<usize>,
    pub message: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed code")?;
        if !self.path.is_empty() {
            let path: Vec<String> = self.path.iter().map(u32::to_string).collect();
            write!(f, " in nested block {}", path.join("."))?;
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
        Op::LoopNext(exit) | Op::LoopNextLet(exit, _) => branch(exit, -1),
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
        | Op::MapStart
        | Op::FilterStart
        | Op::FoldStart
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

/// Checks `block` and the blocks nested in it.
///
/// # Errors
/// The first malformation found.
pub fn verify(block: &Block) -> Result<(), Malformed> {
    // An explicit stack of (block, path): nesting depth is the program's, not bounded.
    let mut pending: Vec<(&Block, Vec<u32>)> = vec![(block, Vec::new())];
    while let Some((block, path)) = pending.pop() {
        verify_block(block, &path)?;
        for (i, child) in block.children.iter().enumerate() {
            let mut child_path = path.clone();
            child_path.push(i as u32);
            pending.push((child, child_path));
        }
    }
    Ok(())
}

fn verify_block(block: &Block, path: &[u32]) -> Result<(), Malformed> {
    let fail = |op: Option<usize>, message: String| Malformed { path: path.to_vec(), op, message };
    let ops = &block.ops;
    if ops.last() != Some(&Op::End) {
        return Err(fail(None, "the block does not end with End".into()));
    }
    if block.spans.len() != ops.len() {
        return Err(fail(None, format!("{} spans for {} ops", block.spans.len(), ops.len())));
    }
    if block.prologue as usize > block.locals.len() {
        return Err(fail(None, format!("a prologue of {} for {} slots", block.prologue, block.locals.len())));
    }
    for (at, &op) in ops.iter().enumerate() {
        let bad = |what: &str, index: u32, have: usize| {
            Err(fail(Some(at), format!("{} refers to {what} {index}, but the block has {have}", op.mnemonic())))
        };
        if let Some(target) = op.target()
            && target as usize >= ops.len()
        {
            return bad("op", target, ops.len());
        }
        match op {
            Op::Closure(child) | Op::Function(child, _) if child as usize >= block.children.len() => {
                return bad("nested block", child, block.children.len());
            }
            Op::Const(index) if index as usize >= block.pool.len() => return bad("constant", index, block.pool.len()),
            Op::LoadLocal(slot)
            | Op::StoreLocal(slot)
            | Op::AddToLocal(slot, _)
            | Op::LoadLocalAddInt(slot, _)
            | Op::LoadLocalSubInt(slot, _)
                if slot as usize >= block.locals.len() =>
            {
                return bad("local slot", slot, block.locals.len());
            }
            Op::JumpUnlessLocalInt(_, slot, _, _) if slot as usize >= block.locals.len() => {
                return bad("local slot", slot.into(), block.locals.len());
            }
            Op::AddLocals(a, b) if a.max(b) as usize >= block.locals.len() => {
                return bad("local slot", a.max(b), block.locals.len());
            }
            _ => {}
        }
    }
    check_entries(ops).map_err(|(op, message)| fail(Some(op), message))
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
    use std::rc::Rc;

    use super::*;
    use crate::op::Cmp;

    fn check(ops: Vec<Op>) -> Result<(), Malformed> {
        verify(&Block::raw(ops, Vec::new(), Vec::new()))
    }

    fn message(ops: Vec<Op>) -> String {
        check(ops).expect_err("malformed").to_string()
    }

    #[test]
    fn well_formed_loops_handlers_and_arrays_pass() {
        // while: LoopEnter(exit) top: COND JumpIfFalse(done) BODY Jump(top) done: LoopExit exit:
        check(vec![Op::LoopEnter(5), Op::True, Op::JumpIfFalse(4), Op::Jump(1), Op::LoopExit, Op::End]).unwrap();
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
            "malformed code at op 0: Jump refers to op 7, but the block has 2"
        );
        assert!(message(vec![Op::JumpUnlessInt(Cmp::Lt, 1, 9), Op::End]).contains("refers to op 9"));
    }

    #[test]
    fn indexes_the_block_does_not_have_are_rejected() {
        assert!(message(vec![Op::Closure(0), Op::End]).contains("nested block 0, but the block has 0"));
        assert!(message(vec![Op::Const(2), Op::End]).contains("constant 2"));
        assert!(message(vec![Op::LoadLocal(1), Op::End]).contains("local slot 1"));
        assert!(message(vec![Op::AddLocals(0, 4), Op::End]).contains("local slot 4"));
    }

    #[test]
    fn unbalanced_entries_are_rejected() {
        assert_eq!(
            message(vec![Op::LoopExit, Op::End]),
            "malformed code at op 0: LoopExit removes a context entry that no op before it made"
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
        assert_eq!(message(vec![Op::Nil]), "malformed code: the block does not end with End");
        assert!(message(vec![]).contains("does not end with End"));
    }

    #[test]
    fn nested_blocks_are_checked_and_named_by_their_path() {
        let bad = Rc::new(Block::raw(vec![Op::Jump(5), Op::End], Vec::new(), Vec::new()));
        let middle = Rc::new(Block::raw(vec![Op::Closure(0), Op::End], vec![bad], Vec::new()));
        let top = Block::raw(vec![Op::Nil, Op::Closure(0), Op::End], vec![middle], Vec::new());
        assert_eq!(
            verify(&top).expect_err("malformed").to_string(),
            "malformed code in nested block 0.0 at op 0: Jump refers to op 5, but the block has 2"
        );
    }
}
