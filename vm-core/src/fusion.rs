//! Superinstructions: what each one stands for, and the peephole pass that makes them.
//!
//! Each row of the table below is one superinstruction: the ops it stands for (its
//! *expansion*), which of them names the word that does the work (its source span is the
//! superinstruction's, for error positions), and optionally the pattern `fuse` recognizes
//! it by. The expansion is the definition: the executor's general path runs a
//! superinstruction as its expansion, op by op, and `fuse` accepts a pattern's candidate
//! only when the candidate expands back to exactly the ops it replaces, so a pattern can
//! never give an op a meaning its row does not.
//!
//! Rows without a pattern are made by `resolve_locals` (a slot op stands for the named op
//! whose variable the slot predicts).

use registry::Name;
use smallvec::SmallVec;

use crate::op::{Cmp, Op};
use crate::source::Span;

/// The longest sequence a superinstruction stands for.
pub(crate) const MAX_FUSED: usize = 4;

/// The ops a superinstruction stands for.
pub(crate) type Expansion = SmallVec<[Op; MAX_FUSED]>;

/// The int operand an unsigned count came from (`None` past `i32::MAX`, which no pattern
/// makes).
fn int(n: u32) -> Option<i32> {
    i32::try_from(n).ok()
}

/// Generates `expansion` and `fit` from the rows
/// `Super[(operands)] = [ops it stands for] at WORKER [when [pattern] => candidate];`.
macro_rules! fusions {
    ($locals:ident; $(
        $(#[doc = $doc:literal])*
        $name:ident $(($($operand:ident),*))? = [$($part:expr),+] at $worker:literal
            $(when [$($pattern:pat),+] => $candidate:expr)?;
    )*) => {
        /// The ops superinstruction `op` stands for, given its block's local slots; `None`
        /// for an op that is not one, or a slot the block does not have.
        #[allow(non_snake_case)]
        pub(crate) fn expansion(op: Op, $locals: &[Name]) -> Option<Expansion> {
            use Op::*;
            #[allow(unused_variables)]
            match op {
                $($name $(($($operand),*))? => Some(SmallVec::from_iter([$($part),+])),)*
                _ => None,
            }
        }

        /// The superinstruction a pattern proposes for the ops at the start of `ops`, how
        /// many ops it would replace, and which of them is its worker. (Each candidate is
        /// built in a closure called on the spot: it gives the row's `?` a scope.)
        #[allow(clippy::redundant_closure_call)]
        fn fit(ops: &[Op]) -> Option<(Op, usize, usize)> {
            use Op::*;
            $($(
                if let [$($pattern),+, ..] = *ops
                    && let Some(candidate) = (|| Some($candidate))()
                {
                    return Some((candidate, [$(stringify!($pattern)),+].len(), $worker));
                }
            )?)*
            None
        }

        /// Every superinstruction's name and worker index, in table order.
        #[cfg(test)]
        pub(crate) const ROWS: &[(&str, usize)] = &[$((stringify!($name), $worker)),*];
    };
}

fusions! { locals;
    // Patterns are tried in this order; a longer one comes before any shorter one it starts
    // with.
    AddToName(x, k) = [Load(x), AddInt(k), StoreTo(x)] at 1
        when [Load(x), AddInt(k), StoreTo(_)] => AddToName(x, k);
    SubFromName(x, k) = [Load(x), SubInt(k), StoreTo(x)] at 1
        when [Load(x), SubInt(k), StoreTo(_)] => SubFromName(x, k);
    AddNames(a, b) = [Load(a), Load(b), Add, StoreTo(a)] at 2
        when [Load(a), Load(b), Add, StoreTo(_)] => AddNames(a, b);
    AddLocals(a, b) = [LoadLocal(a), LoadLocal(b), Add, StoreLocal(a)] at 2
        when [LoadLocal(a), LoadLocal(b), Add, StoreLocal(_)] => AddLocals(a, b);
    LoopNextLet(exit, x) = [LoopNext(exit), LetTo(x)] at 0
        when [LoopNext(exit), LetTo(x)] => LoopNextLet(exit, x);
    Function(block, arity) = [Closure(block), Int(int(arity)?), Builtin(crate::words::Builtin::Fn)] at 2
        when [Closure(block), Int(n), Builtin(crate::words::Builtin::Fn)] => Function(block, u32::try_from(n).ok()?);
    CallFunctionName(f, argc) = [Int(int(argc)?), Load(f), CallFunction] at 2
        when [Int(n), Load(f), CallFunction] => CallFunctionName(f, u32::try_from(n).ok()?);
    CalleeUp(argc) = [Int(int(argc)?), Roll, Int(int(argc)?), Swap] at 1
        when [Int(n), Roll, Int(_), Swap] => CalleeUp(u32::try_from(n).ok()?);
    CallBelow(argc) = [CalleeUp(argc), CallFunction] at 1
        when [CalleeUp(argc), CallFunction] => CallBelow(argc);
    JumpUnlessInt(cmp, k, t) = [CmpInt(cmp, k), JumpIfFalse(t)] at 0
        when [CmpInt(cmp, k), JumpIfFalse(t)] => JumpUnlessInt(cmp, k, t);
    JumpIfInt(cmp, k, t) = [CmpInt(cmp, k), JumpIfTrue(t)] at 0
        when [CmpInt(cmp, k), JumpIfTrue(t)] => JumpIfInt(cmp, k, t);
    JumpUnlessTopInt(cmp, k, t) = [Dup, JumpUnlessInt(cmp, k, t)] at 1
        when [Dup, JumpUnlessInt(cmp, k, t)] => JumpUnlessTopInt(cmp, k, t);
    JumpUnlessLocalInt(cmp, slot, k, t) = [LoadLocal(u32::from(slot)), JumpUnlessInt(cmp, k, t)] at 1
        when [LoadLocal(slot), JumpUnlessInt(cmp, k, t)] => JumpUnlessLocalInt(cmp, u16::try_from(slot).ok()?, k, t);
    JumpIfLocalInt(cmp, slot, k, t) = [LoadLocal(u32::from(slot)), JumpIfInt(cmp, k, t)] at 1
        when [LoadLocal(slot), JumpIfInt(cmp, k, t)] => JumpIfLocalInt(cmp, u16::try_from(slot).ok()?, k, t);
    LoadLocalAddInt(slot, k) = [LoadLocal(slot), AddInt(k)] at 1
        when [LoadLocal(slot), AddInt(k)] => LoadLocalAddInt(slot, k);
    LoadLocalSubInt(slot, k) = [LoadLocal(slot), SubInt(k)] at 1
        when [LoadLocal(slot), SubInt(k)] => LoadLocalSubInt(slot, k);
    AddInt(k) = [Int(k), Add] at 1
        when [Int(k), Add] => AddInt(k);
    SubInt(k) = [Int(k), Sub] at 1
        when [Int(k), Sub] => SubInt(k);
    CmpInt(cmp, k) = [Int(k), cmp.op()] at 1
        when [Int(k), compare] => CmpInt(Cmp::of(compare)?, k);
    JumpUnless(cmp, t) = [cmp.op(), JumpIfFalse(t)] at 0
        when [compare, JumpIfFalse(t)] => JumpUnless(Cmp::of(compare)?, t);
    JumpUnlessLocals(cmp, a, b, t) = [LoadLocal(u32::from(a)), LoadLocal(u32::from(b)), JumpUnless(cmp, t)] at 2
        when [LoadLocal(a), LoadLocal(b), JumpUnless(cmp, t)] =>
            JumpUnlessLocals(cmp, u16::try_from(a).ok()?, u16::try_from(b).ok()?, t);
    JumpIf(cmp, t) = [cmp.op(), JumpIfTrue(t)] at 0
        when [compare, JumpIfTrue(t)] => JumpIf(Cmp::of(compare)?, t);
    JumpIfLocals(cmp, a, b, t) = [LoadLocal(u32::from(a)), LoadLocal(u32::from(b)), JumpIf(cmp, t)] at 2
        when [LoadLocal(a), LoadLocal(b), JumpIf(cmp, t)] =>
            JumpIfLocals(cmp, u16::try_from(a).ok()?, u16::try_from(b).ok()?, t);
    JumpUnlessNames(cmp, a, b, t) = [Load(a), Load(b), JumpUnless(cmp, t.into())] at 2
        when [Load(a), Load(b), JumpUnless(cmp, t)] => JumpUnlessNames(cmp, a, b, u16::try_from(t).ok()?);
    JumpIfNames(cmp, a, b, t) = [Load(a), Load(b), JumpIf(cmp, t.into())] at 2
        when [Load(a), Load(b), JumpIf(cmp, t)] => JumpIfNames(cmp, a, b, u16::try_from(t).ok()?);
    DupAddInt(k) = [Dup, AddInt(k)] at 1
        when [Dup, AddInt(k)] => DupAddInt(k);
    DupSubInt(k) = [Dup, SubInt(k)] at 1
        when [Dup, SubInt(k)] => DupSubInt(k);
    SwapAddInt(k) = [Swap, AddInt(k)] at 1
        when [Swap, AddInt(k)] => SwapAddInt(k);
    SwapSubInt(k) = [Swap, SubInt(k)] at 1
        when [Swap, SubInt(k)] => SwapSubInt(k);
    OverAddInt(k) = [Over, AddInt(k)] at 1
        when [Over, AddInt(k)] => OverAddInt(k);
    OverSubInt(k) = [Over, SubInt(k)] at 1
        when [Over, SubInt(k)] => OverSubInt(k);
    PickN(n) = [Int(int(n)?), Pick] at 1
        when [Int(n), Pick] => PickN(u32::try_from(n).ok()?);
    LetLocalInt(slot, k) = [Int(k), LetLocal(slot)] at 1
        when [Int(k), LetLocal(slot)] => LetLocalInt(slot, k);
    LetLocalAtLocal(slot, a, i) = [LocalAtLocal(a.into(), i.into()), LetLocal(slot.into())] at 0
        when [LocalAtLocal(a, i), LetLocal(slot)] =>
            LetLocalAtLocal(u16::try_from(slot).ok()?, u16::try_from(a).ok()?, u16::try_from(i).ok()?);
    PutLocals(a, i, v) = [LoadLocals(a.into(), i.into()), LoadLocal(v.into()), PutDrop] at 2
        when [LoadLocals(a, i), LoadLocal(v), PutDrop] =>
            PutLocals(u16::try_from(a).ok()?, u16::try_from(i).ok()?, u16::try_from(v).ok()?);
    PutLocalAtLocal(a, i, b, j) = [LoadLocals(a.into(), i.into()), LocalAtLocal(b.into(), j.into()), PutDrop] at 2
        when [LoadLocals(a, i), LocalAtLocal(b, j), PutDrop] => PutLocalAtLocal(
            u16::try_from(a).ok()?,
            u16::try_from(i).ok()?,
            u16::try_from(b).ok()?,
            u16::try_from(j).ok()?,
        );
    LocalAtConstKeep(slot, c) = [LoadLocal(slot), Const(c), Dup2, Builtin(crate::words::Builtin::At)] at 3
        when [LoadLocal(slot), Const(c), Dup2, Builtin(crate::words::Builtin::At)] => LocalAtConstKeep(slot, c);
    LocalAtLocal(slot, key) = [LoadLocal(slot), LoadLocal(key), Builtin(crate::words::Builtin::At)] at 2
        when [LoadLocal(slot), LoadLocal(key), Builtin(crate::words::Builtin::At)] => LocalAtLocal(slot, key);
    LocalAtConst(slot, c) = [LoadLocal(slot), AtConst(c)] at 1
        when [LoadLocal(slot), AtConst(c)] => LocalAtConst(slot, c);
    AtConst(c) = [Const(c), Builtin(crate::words::Builtin::At)] at 1
        when [Const(c), Builtin(crate::words::Builtin::At)] => AtConst(c);
    PutDrop = [Builtin(crate::words::Builtin::Put), Drop] at 0
        when [Builtin(crate::words::Builtin::Put), Drop] => PutDrop;
    LoadLocals(a, b) = [LoadLocal(a), LoadLocal(b)] at 1
        when [LoadLocal(a), LoadLocal(b)] => LoadLocals(a, b);
    AddLocal(slot) = [LoadLocal(slot), Add] at 1
        when [LoadLocal(slot), Add] => AddLocal(slot);
    SubLocal(slot) = [LoadLocal(slot), Sub] at 1
        when [LoadLocal(slot), Sub] => SubLocal(slot);
    MulLocal(slot) = [LoadLocal(slot), Mul] at 1
        when [LoadLocal(slot), Mul] => MulLocal(slot);
    CallName(x) = [Load(x), Call] at 0
        when [Load(x), Call] => CallName(x);
    TailCallName(x) = [Load(x), TailCall] at 0
        when [Load(x), TailCall] => TailCallName(x);
    // Made by `resolve_locals`.
    LoadLocal(slot) = [Load(*locals.get(slot as usize)?)] at 0;
    StoreLocal(slot) = [StoreTo(*locals.get(slot as usize)?)] at 0;
    AddToLocal(slot, k) = [Load(*locals.get(slot as usize)?), AddInt(k), StoreTo(*locals.get(slot as usize)?)] at 1;
    SubFromLocal(slot, k) = [Load(*locals.get(slot as usize)?), SubInt(k), StoreTo(*locals.get(slot as usize)?)] at 1;
    CallLocal(slot) = [LoadLocal(slot), Call] at 0;
    CallFunctionLocal(slot, argc) = [Int(int(argc)?), LoadLocal(slot), CallFunction] at 2;
    LetLocal(slot) = [LetTo(*locals.get(slot as usize)?)] at 0;
    LoopNextLocal(exit, slot) = [LoopNext(exit), LetTo(*locals.get(slot as usize)?)] at 0;
}

/// Which superinstructions `fuse` may make yet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stage {
    /// Before `resolve_locals`: every one but those that name two variables. Those wait,
    /// because no slot form stands for one whose variables only partly get slots.
    BeforeSlots,
    /// After it, or in a block without slots: every one. The names still in the block
    /// name no slot.
    Final,
}

/// Whether `op` names two variables (see [`Stage::BeforeSlots`]).
fn names_two(op: Op) -> bool {
    matches!(op, Op::AddNames(..) | Op::JumpUnlessNames(..) | Op::JumpIfNames(..))
}

/// The superinstruction that replaces the ops at the start of `ops`, how many it replaces,
/// and which of them is its worker; `None` if no row's pattern starts there (or its
/// superinstruction must wait for a later stage).
fn fused(ops: &[Op], stage: Stage, withheld: &mut bool) -> Option<(Op, usize, usize)> {
    let (candidate, used, worker) = fit(ops)?;
    if stage == Stage::BeforeSlots && names_two(candidate) {
        *withheld = true;
        return None;
    }
    // The row's expansion is the meaning; the pattern only proposes.
    let parts = expansion(candidate, &[])?;
    (parts.as_slice() == &ops[..used]).then_some((candidate, used, worker))
}

/// Rewrites a block's ops for speed, keeping its behaviour:
///
/// 1. Sequences a row's pattern recognizes become that superinstruction. Passes repeat, so
///    a pair made in one pass can join a longer pattern in the next. An op that something
///    jumps to is never absorbed into the op before it. (Continue targets implied by
///    position, such as the op after a loop's enter op, are also targets of the loop's own
///    `Jump`, so they are kept.)
/// 2. A `Jump` to an `End` becomes that `End`, and a `Jump` to a `Jump` goes straight to the
///    final target.
///
/// Also says whether a superinstruction was held back for a later stage: if not, and the
/// block gets no slots, fusing it again at [`Stage::Final`] would change nothing.
pub(crate) fn fuse(mut ops: Vec<Op>, mut spans: Vec<Span>, stage: Stage) -> (Vec<Op>, Vec<Span>, bool) {
    let mut withheld = false;
    loop {
        let before = ops.len();
        (ops, spans) = fuse_pass(ops, spans, stage, &mut withheld);
        if ops.len() == before {
            break;
        }
    }
    for i in 0..ops.len() {
        if let Op::Jump(mut t) = ops[i] {
            // Bounded: a cycle of jumps is left as it is.
            for _ in 0..8 {
                match ops.get(t as usize) {
                    Some(Op::Jump(next)) if *next != t => t = *next,
                    _ => break,
                }
            }
            ops[i] = match ops.get(t as usize) {
                Some(Op::End) => Op::End,
                _ => Op::Jump(t),
            };
        }
    }
    (ops, spans, withheld)
}

/// Which positions of `ops` (and the one past its end) something jumps to.
pub(crate) fn jump_targets(ops: &[Op]) -> Vec<bool> {
    let mut is_target = vec![false; ops.len() + 1];
    for op in ops {
        if let Some(t) = op.target() {
            is_target[t as usize] = true;
        }
    }
    is_target
}

/// Points the jumps of rewritten ops at the new positions of their targets: `new_index[i]`
/// is where the op that was at `i` (or what replaced it) now starts.
pub(crate) fn retarget(ops: &mut [Op], new_index: &[u32]) {
    for op in ops {
        if let Some(t) = op.target() {
            *op = op.with_target(new_index[t as usize]);
        }
    }
}

fn fuse_pass(ops: Vec<Op>, spans: Vec<Span>, stage: Stage, withheld: &mut bool) -> (Vec<Op>, Vec<Span>) {
    let is_target = jump_targets(&ops);
    let mut new_index = vec![0u32; ops.len() + 1];
    let mut out_ops = Vec::with_capacity(ops.len());
    let mut out_spans = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        new_index[i] = out_ops.len() as u32;
        // Only ops that nothing jumps into may be absorbed.
        let limit = (i + MAX_FUSED).min(ops.len());
        let run = (i + 1..limit).take_while(|&j| !is_target[j]).count() + 1;
        match fused(&ops[i..i + run], stage, withheld) {
            Some((op, used, worker)) => {
                new_index[i + 1..i + used].fill(out_ops.len() as u32);
                out_ops.push(op);
                out_spans.push(spans[i + worker]);
                i += used;
            }
            None => {
                out_ops.push(ops[i]);
                out_spans.push(spans[i]);
                i += 1;
            }
        }
    }
    new_index[ops.len()] = out_ops.len() as u32;
    retarget(&mut out_ops, &new_index);
    (out_ops, out_spans)
}

#[cfg(test)]
mod tests {
    use registry::{Interner, Name};

    use super::*;
    use crate::op::OpFlags;
    use crate::words::Builtin;

    fn names() -> (Name, Name) {
        let mut interner = Interner::default();
        (interner.intern("x"), interner.intern("y"))
    }

    /// Fuses `ops` (with an `End` appended) and returns the ops without it.
    fn fused_ops(ops: &[Op]) -> Vec<Op> {
        fused_at(ops, Stage::Final)
    }

    fn fused_at(ops: &[Op], stage: Stage) -> Vec<Op> {
        let mut ops = ops.to_vec();
        ops.push(Op::End);
        let spans = vec![Span::default(); ops.len()];
        let (mut out, spans, _) = fuse(ops, spans, stage);
        assert_eq!(out.len(), spans.len());
        assert_eq!(out.pop(), Some(Op::End));
        out
    }

    #[test]
    fn every_superinstruction_has_a_fusion_row_and_every_row_is_a_superinstruction() {
        let mut fused: Vec<&str> =
            Op::ROWS.iter().filter(|(_, flags)| flags.has(OpFlags::FUSED)).map(|(name, _)| *name).collect();
        let mut rows: Vec<&str> = ROWS.iter().map(|(name, _)| *name).collect();
        fused.sort();
        rows.sort();
        assert_eq!(fused, rows);
    }

    #[test]
    fn every_worker_index_is_inside_its_expansion() {
        let (x, y) = names();
        let locals = [x, y];
        let samples = [
            Op::AddToName(x, 1),
            Op::AddNames(x, y),
            Op::AddLocals(0, 1),
            Op::LoopNextLet(2, x),
            Op::Function(0, 2),
            Op::CallFunctionName(x, 2),
            Op::CalleeUp(2),
            Op::CallBelow(2),
            Op::JumpUnlessInt(Cmp::Lt, 5, 2),
            Op::JumpUnlessTopInt(Cmp::Lt, 5, 2),
            Op::JumpUnlessLocalInt(Cmp::Lt, 1, 5, 2),
            Op::LoadLocalAddInt(1, 2),
            Op::LoadLocalSubInt(1, 2),
            Op::AddInt(2),
            Op::SubInt(2),
            Op::CmpInt(Cmp::Ge, 2),
            Op::JumpUnless(Cmp::Eq, 2),
            Op::CallName(x),
            Op::TailCallName(x),
            Op::LoadLocal(1),
            Op::StoreLocal(1),
            Op::AddToLocal(1, 3),
            Op::LetLocal(1),
            Op::LoopNextLocal(2, 1),
            Op::AtConst(3),
            Op::LocalAtConst(1, 3),
            Op::LocalAtLocal(1, 0),
            Op::LocalAtConstKeep(1, 3),
            Op::PutDrop,
            Op::PutLocals(0, 1, 0),
            Op::LetLocalInt(1, 7),
            Op::LetLocalAtLocal(1, 0, 1),
            Op::PutLocalAtLocal(0, 1, 1, 0),
            Op::LoadLocals(0, 1),
            Op::AddLocal(1),
            Op::SubLocal(1),
            Op::MulLocal(1),
            Op::JumpUnlessLocals(Cmp::Lt, 0, 1, 3),
            Op::JumpIf(Cmp::Lt, 2),
            Op::JumpIfInt(Cmp::Ne, 0, 2),
            Op::JumpIfLocalInt(Cmp::Gt, 1, 5, 2),
            Op::JumpIfLocals(Cmp::Lt, 0, 1, 3),
            Op::SubFromName(x, 2),
            Op::SubFromLocal(1, 2),
            Op::CallLocal(1),
            Op::CallFunctionLocal(1, 2),
            Op::JumpUnlessNames(Cmp::Le, x, y, 3),
            Op::JumpIfNames(Cmp::Lt, x, y, 3),
            Op::DupAddInt(2),
            Op::DupSubInt(1),
            Op::SwapAddInt(3),
            Op::SwapSubInt(2),
            Op::PickN(2),
            Op::OverAddInt(1),
            Op::OverSubInt(2),
        ];
        assert_eq!(samples.len(), ROWS.len(), "a sample for every row");
        for op in samples {
            let parts = expansion(op, &locals).unwrap_or_else(|| panic!("{op:?} expands"));
            let (_, worker) = ROWS.iter().find(|(name, _)| *name == op.mnemonic()).expect("its row");
            assert!(*worker < parts.len(), "{op:?}: worker {worker} of {parts:?}");
            assert!(parts.len() <= MAX_FUSED);
            // Fusing the expansion gives the op back, for every row with a pattern. (Each
            // sample's target is the op after its expansion, which is 1 once fused.)
            if !matches!(
                op,
                Op::LoadLocal(_)
                    | Op::StoreLocal(_)
                    | Op::AddToLocal(..)
                    | Op::SubFromLocal(..)
                    | Op::CallLocal(_)
                    | Op::CallFunctionLocal(..)
                    | Op::LetLocal(_)
                    | Op::LoopNextLocal(..)
            ) {
                let expected = if op.target().is_some() { op.with_target(1) } else { op };
                assert_eq!(fused_ops(&parts), [expected], "{parts:?} fuses back to {op:?}");
            }
        }
    }

    #[test]
    fn a_slot_the_block_does_not_have_expands_to_nothing() {
        assert_eq!(expansion(Op::LoadLocal(3), &[]), None);
        assert_eq!(expansion(Op::Add, &[]), None);
    }

    #[test]
    fn ops_naming_two_variables_wait_for_the_final_stage() {
        let (x, y) = names();
        let sum = [Op::Load(x), Op::Load(y), Op::Add, Op::StoreTo(x)];
        assert_eq!(fused_at(&sum, Stage::BeforeSlots), sum);
        assert_eq!(fused_at(&sum, Stage::Final), [Op::AddNames(x, y)]);
        // A `while x < y` loop: its bottom test jumps back to the body at op 0.
        let test = [Op::Nil, Op::Drop, Op::Load(x), Op::Load(y), Op::Lt, Op::JumpIfTrue(0)];
        let early = [Op::Nil, Op::Drop, Op::Load(x), Op::Load(y), Op::JumpIf(Cmp::Lt, 0)];
        assert_eq!(fused_at(&test, Stage::BeforeSlots), early);
        assert_eq!(fused_at(&test, Stage::Final), [Op::Nil, Op::Drop, Op::JumpIfNames(Cmp::Lt, x, y, 0)]);
    }

    #[test]
    fn fusing_says_whether_it_held_an_op_back() {
        let (x, y) = names();
        let withheld = |ops: &[Op]| {
            let ops = [ops, &[Op::End]].concat();
            fuse(ops.clone(), vec![Span::default(); ops.len()], Stage::BeforeSlots).2
        };
        assert!(withheld(&[Op::Load(x), Op::Load(y), Op::Add, Op::StoreTo(x)]));
        assert!(!withheld(&[Op::Load(x), Op::Int(1), Op::Add, Op::StoreTo(x)]));
        assert!(!withheld(&[Op::Load(x), Op::Load(x), Op::Drop]));
    }

    #[test]
    fn a_target_past_16_bits_keeps_the_ops_that_need_32() {
        let (x, y) = names();
        // (Fusing the comparison into the jump lowers the target by one.)
        let far = u32::from(u16::MAX) + 2;
        let mut ops = vec![Op::Load(x), Op::Load(y), Op::Lt, Op::JumpIfTrue(far)];
        ops.resize(far as usize + 1, Op::Nil);
        let out = fused_ops(&ops);
        assert_eq!(out[..3], [Op::Load(x), Op::Load(y), Op::JumpIf(Cmp::Lt, far - 1)]);
    }

    #[test]
    fn patterns_that_disagree_with_the_expansion_are_not_fused() {
        let (x, y) = names();
        // The increment must store back to the variable it read.
        assert_eq!(
            fused_ops(&[Op::Load(x), Op::Int(1), Op::Add, Op::StoreTo(y)]),
            [Op::Load(x), Op::AddInt(1), Op::StoreTo(y)]
        );
        assert_eq!(fused_ops(&[Op::Load(x), Op::Int(1), Op::Add, Op::StoreTo(x)]), [Op::AddToName(x, 1)]);
        // `n roll m swap` brings the callee up only when n == m.
        assert_eq!(
            fused_ops(&[Op::Int(2), Op::Roll, Op::Int(3), Op::Swap]),
            [Op::Int(2), Op::Roll, Op::Int(3), Op::Swap]
        );
        // A negative count is left for `call` and `fn` to reject with their own messages.
        assert_eq!(
            fused_ops(&[Op::Int(-1), Op::Load(x), Op::CallFunction]),
            [Op::Int(-1), Op::Load(x), Op::CallFunction]
        );
        assert_eq!(
            fused_ops(&[Op::Closure(0), Op::Int(-2), Op::Builtin(Builtin::Fn)]),
            [Op::Closure(0), Op::Int(-2), Op::Builtin(Builtin::Fn)]
        );
    }

    #[test]
    fn an_op_something_jumps_to_is_not_absorbed() {
        // 0: Int(1)  1: Add  2: Jump(1): `Add` is a target, so `Int(1) Add` stays apart.
        assert_eq!(fused_ops(&[Op::Int(1), Op::Add, Op::Jump(1)]), [Op::Int(1), Op::Add, Op::Jump(1)]);
        // Targets are renumbered when ops before them fuse.
        assert_eq!(fused_ops(&[Op::Int(1), Op::Add, Op::Dup, Op::Jump(2)]), [Op::AddInt(1), Op::Dup, Op::Jump(1)]);
    }

    #[test]
    fn jumps_are_threaded() {
        // A jump to a jump goes to the final target; a jump to the block's end is the end.
        assert_eq!(fused_ops(&[Op::Jump(2), Op::Dup, Op::Jump(4), Op::Drop]), [Op::End, Op::Dup, Op::End, Op::Drop]);
        assert_eq!(
            fused_ops(&[Op::Jump(1), Op::Jump(3), Op::Dup, Op::Drop]),
            [Op::Jump(3), Op::Jump(3), Op::Dup, Op::Drop]
        );
    }

    #[test]
    fn a_comparison_and_a_conditional_jump_become_one_op() {
        assert_eq!(fused_ops(&[Op::Lt, Op::JumpIfFalse(2), Op::Dup]), [Op::JumpUnless(Cmp::Lt, 1), Op::Dup]);
        assert_eq!(
            fused_ops(&[Op::Dup, Op::Int(2), Op::Lt, Op::JumpIfFalse(5), Op::Drop]),
            [Op::JumpUnlessTopInt(Cmp::Lt, 2, 2), Op::Drop]
        );
        // Not every op is a comparison.
        assert_eq!(fused_ops(&[Op::Add, Op::JumpIfFalse(2), Op::Dup]), [Op::Add, Op::JumpIfFalse(2), Op::Dup]);
    }
}
