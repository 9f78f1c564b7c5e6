//! Compiled code: [`Block`]s of [`Op`]s, and the [`Assembler`] frontends build them with.

use std::rc::Rc;

use gc::Tracer;
use registry::{Code, Name, Rooted, Value};
use rustc_hash::FxHashMap;

use crate::footprint::{Charge, Footprint};
use crate::op::{Cmp, Op};
use crate::source::{Source, Span};
use crate::words::Builtin;

/// The compiled form of one continuation literal (or of a whole program).
///
/// Blocks are immutable and shared (`Rc`) by every closure and activation made from them.
/// All blocks of one compilation unit share one constant pool.
pub struct Block {
    pub ops: Box<[Op]>,
    /// The source span of each op, for errors and traces.
    pub spans: Box<[Span]>,
    /// Nested literals that are made into closures at run time ([`Op::Closure`]).
    pub children: Box<[Rc<Block>]>,
    /// The unit's constants ([`Op::Const`]).
    pub pool: Rc<[Value]>,
    /// A rooted heap array holding the unit's heap constants: they live exactly as long as
    /// some block of the unit does, from compilation on, whether or not anything traces it.
    _anchor: Option<Rooted>,
    /// The source the unit was compiled from; it lives as long as the code does.
    pub source: Option<Rc<Source>>,
    /// Where the block's literal is written (`None` for a unit's outermost block).
    pub origin: Option<Span>,
    /// This block's ops and spans, counted against the heap limit while it lives.
    _charge: Option<Charge>,
    /// The block writes variables, so an activation of it needs a scope of its own.
    pub needs_locals: bool,
    /// The block can capture its scope (makes closures or evaluates source), so an
    /// activation's scope must live in the heap rather than on the locals stack.
    pub needs_heap_scope: bool,
    /// The names of the slots that `LoadLocal`, `StoreLocal` and `AddToLocal` index: the
    /// parameters a function declares first (see `resolve_locals`). When the block runs
    /// anywhere but on its own activation's locals, those ops fall back to these names.
    pub locals: Box<[Name]>,
    /// How many `LetTo` ops open the block and bind each of `locals` once: a call can bind
    /// the arguments itself and start after them (0 if they are not exactly that).
    pub prologue: u32,
}

impl Code for Block {
    /// Nothing to report: the constants are rooted by the block itself.
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Block {
    /// A readable listing of the block's ops and, indented, of its nested blocks.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        self.disassemble_into(&mut out, 0);
        out
    }

    fn disassemble_into(&self, out: &mut String, depth: usize) {
        use std::fmt::Write;
        let pad = "  ".repeat(depth);
        for (i, op) in self.ops.iter().enumerate() {
            let _ = writeln!(out, "{pad}{i:4}  {op:?}");
            if let Op::Closure(child) | Op::Function(child, _) = op
                && let Some(block) = self.children.get(*child as usize)
            {
                block.disassemble_into(out, depth + 1);
            }
        }
    }
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block").field("ops", &self.ops).field("children", &self.children).finish()
    }
}

/// A block under construction.
#[derive(Default)]
pub struct BlockBuilder {
    ops: Vec<Op>,
    spans: Vec<Span>,
    children: Vec<BlockBuilder>,
    origin: Option<Span>,
}

/// A label for a forward jump, resolved by [`BlockBuilder::patch`].
#[derive(Clone, Copy, Debug)]
pub struct Patch(usize);

impl BlockBuilder {
    /// An empty block.
    pub fn new() -> BlockBuilder {
        BlockBuilder::default()
    }

    /// Appends `op`, attributed to `span`; returns its index.
    pub fn emit(&mut self, op: Op, span: Span) -> u32 {
        self.ops.push(op);
        self.spans.push(span);
        self.ops.len() as u32 - 1
    }

    /// Appends a jump-like op whose target is filled in later by [`BlockBuilder::patch`].
    pub fn emit_forward(&mut self, make: impl FnOnce(u32) -> Op, span: Span) -> Patch {
        let at = self.emit(make(u32::MAX), span);
        Patch(at as usize)
    }

    /// Points the op at `patch` to the next op to be emitted.
    pub fn patch(&mut self, patch: Patch) {
        let here = self.ops.len() as u32;
        self.patch_to(patch, here);
    }

    /// Points the op at `patch` to op `target`.
    ///
    /// # Panics
    /// If the op at `patch` has no target (a bug in the frontend).
    pub fn patch_to(&mut self, patch: Patch, target: u32) {
        let op = &mut self.ops[patch.0];
        assert!(op.target().is_some(), "patching an op without a target: {op:?}");
        *op = op.with_target(target);
    }

    /// The index the next op will have.
    pub fn here(&self) -> u32 {
        self.ops.len() as u32
    }

    /// Adds a nested block, written at `origin` (its literal's span, which traces show for
    /// an anonymous continuation); returns the index for [`Op::Closure`].
    pub fn add_child(&mut self, mut child: BlockBuilder, origin: Span) -> u32 {
        child.origin = Some(origin);
        self.children.push(child);
        self.children.len() as u32 - 1
    }

    /// The ops emitted so far.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    fn finish(self, unit: &Unit, end_span: Span) -> Rc<Block> {
        let BlockBuilder { mut ops, mut spans, children, origin } = self;
        ops.push(Op::End);
        spans.push(end_span);
        let (mut ops, spans) = fuse(ops, spans);
        let needs_locals = ops.iter().any(|op| op.binds_names());
        let needs_heap_scope = ops.iter().any(|op| op.captures_scope());
        let (ops, spans, locals) = if needs_locals && !needs_heap_scope {
            let locals = resolve_locals(&mut ops);
            // Fuse again: slot access makes new superinstructions possible.
            let (ops, spans) = fuse(ops, spans);
            (ops, spans, locals)
        } else {
            (ops, spans, Vec::new())
        };
        // The prologue binds the first slots, one each, when its names are distinct.
        let leading_lets = ops.iter().take_while(|op| matches!(op, Op::LetTo(_))).count();
        let prologue_binds_slots = ops[..leading_lets]
            .iter()
            .zip(locals.iter())
            .all(|(op, &slot)| matches!(op, Op::LetTo(name) if *name == slot));
        let prologue = if prologue_binds_slots && leading_lets <= locals.len() { leading_lets as u32 } else { 0 };
        let children: Box<[Rc<Block>]> = children
            .into_iter()
            .map(|child| {
                let span = child.spans.last().copied().unwrap_or(end_span);
                child.finish(unit, span)
            })
            .collect();
        let bytes = std::mem::size_of::<Block>()
            + ops.len() * std::mem::size_of::<Op>()
            + spans.len() * std::mem::size_of::<Span>()
            + children.len() * std::mem::size_of::<Rc<Block>>()
            + locals.len() * std::mem::size_of::<Name>();
        Rc::new(Block {
            ops: ops.into(),
            spans: spans.into(),
            children,
            pool: unit.pool.clone(),
            _anchor: unit.anchor.clone(),
            source: unit.source.clone(),
            origin,
            _charge: unit.footprint.as_ref().map(|f| f.charge(bytes)),
            needs_locals: needs_locals || needs_heap_scope,
            needs_heap_scope,
            locals: locals.into(),
            prologue,
        })
    }
}

/// What every block of a unit shares.
struct Unit {
    pool: Rc<[Value]>,
    anchor: Option<Rooted>,
    source: Option<Rc<Source>>,
    footprint: Option<Footprint>,
}

/// A constant of a unit under construction. Strings become heap objects only when the unit
/// is finished, so that no collection can see them unrooted.
enum Constant {
    Immediate(Value),
    Text(Rc<str>),
}

/// Builds one compilation unit: the constant pool plus the tree of blocks.
#[derive(Default)]
pub struct Assembler {
    consts: Vec<Constant>,
    strings: FxHashMap<Rc<str>, u32>,
    /// Immediate constants by type and bit pattern (so `0.0` and `-0.0` stay distinct).
    immediates: FxHashMap<(u8, u64), u32>,
}

impl Assembler {
    /// A new, empty unit.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// The pool index of a string constant.
    pub fn string(&mut self, text: &str) -> u32 {
        if let Some(&index) = self.strings.get(text) {
            return index;
        }
        let text: Rc<str> = Rc::from(text);
        let index = self.push(Constant::Text(text.clone()));
        self.strings.insert(text, index);
        index
    }

    /// The pool index of an int or float constant.
    ///
    /// # Panics
    /// If `value` is not an int or a float.
    pub fn constant(&mut self, value: Value) -> u32 {
        let key = match value {
            Value::Int(i) => (0, i as u64),
            Value::Float(f) => (1, f.to_bits()),
            other => panic!("not an immediate constant: {other:?}"),
        };
        if let Some(&index) = self.immediates.get(&key) {
            return index;
        }
        let index = self.push(Constant::Immediate(value));
        self.immediates.insert(key, index);
        index
    }

    fn push(&mut self, constant: Constant) -> u32 {
        self.consts.push(constant);
        self.consts.len() as u32 - 1
    }

    /// Finishes the unit with `top` as its outermost block, putting its string constants in
    /// `vm`'s heap, rooted by the unit's blocks.
    pub fn finish(self, vm: &mut crate::Vm, top: BlockBuilder, end_span: Span) -> Rc<Block> {
        let reg = vm.registry_mut();
        let pool: Vec<Value> = self
            .consts
            .into_iter()
            .map(|constant| match constant {
                Constant::Immediate(value) => value,
                Constant::Text(text) => reg.new_str(text),
            })
            .collect();
        let heap_consts: Vec<Value> = pool.iter().copied().filter(|v| v.handle().is_some()).collect();
        let anchor = if heap_consts.is_empty() {
            None
        } else {
            let array = reg.new_array(heap_consts);
            Some(reg.root(array))
        };
        let unit = Unit {
            pool: pool.into(),
            anchor,
            source: vm.sources.get(end_span.source),
            footprint: Some(vm.footprint.clone()),
        };
        top.finish(&unit, end_span)
    }
}

/// The longest sequence [`fused`] replaces.
const MAX_FUSED: usize = 4;

/// The superinstruction that replaces the ops at the start of `ops`, how many it replaces,
/// and which of them names the word that does the work (for error positions); `None` if no
/// pattern starts there.
fn fused(ops: &[Op]) -> Option<(Op, usize, usize)> {
    match *ops {
        [Op::Load(x), Op::AddInt(k), Op::StoreTo(y), ..] if x == y => Some((Op::AddToName(x, k), 3, 1)),
        [Op::Load(a), Op::Load(b), Op::Add, Op::StoreTo(c), ..] if a == c => Some((Op::AddNames(a, b), 4, 2)),
        [Op::LoadLocal(a), Op::LoadLocal(b), Op::Add, Op::StoreLocal(c), ..] if a == c => {
            Some((Op::AddLocals(a, b), 4, 2))
        }
        [Op::LoopNext(exit), Op::LetTo(name), ..] => Some((Op::LoopNextLet(exit, name), 2, 0)),
        [Op::Closure(b), Op::Int(n), Op::Builtin(Builtin::Fn), ..] if n >= 0 => Some((Op::Function(b, n as u32), 3, 2)),
        [Op::Int(n), Op::Load(f), Op::CallFunction, ..] if n >= 0 => Some((Op::CallFunctionName(f, n as u32), 3, 2)),
        [Op::Int(n), Op::Roll, Op::Int(m), Op::Swap, ..] if n == m && n >= 0 => Some((Op::CalleeUp(n as u32), 4, 1)),
        [Op::CalleeUp(n), Op::CallFunction, ..] => Some((Op::CallBelow(n), 2, 1)),
        [Op::CmpInt(cmp, k), Op::JumpIfFalse(t), ..] => Some((Op::JumpUnlessInt(cmp, k, t), 2, 0)),
        [Op::Dup, Op::JumpUnlessInt(cmp, k, t), ..] => Some((Op::JumpUnlessTopInt(cmp, k, t), 2, 1)),
        [Op::LoadLocal(slot), Op::JumpUnlessInt(cmp, k, t), ..] if slot <= u16::MAX as u32 => {
            Some((Op::JumpUnlessLocalInt(cmp, slot as u16, k, t), 2, 1))
        }
        [Op::LoadLocal(slot), Op::AddInt(k), ..] => Some((Op::LoadLocalAddInt(slot, k), 2, 1)),
        [Op::LoadLocal(slot), Op::SubInt(k), ..] if k != i32::MIN => Some((Op::LoadLocalAddInt(slot, -k), 2, 1)),
        [Op::Int(k), Op::Add, ..] => Some((Op::AddInt(k), 2, 1)),
        [Op::Int(k), Op::Sub, ..] => Some((Op::SubInt(k), 2, 1)),
        [Op::Int(k), other, ..] => Some((Op::CmpInt(Cmp::of(other)?, k), 2, 1)),
        [first, Op::JumpIfFalse(t), ..] => Some((Op::JumpUnless(Cmp::of(first)?, t), 2, 0)),
        [Op::Load(name), Op::Call, ..] => Some((Op::CallName(name), 2, 0)),
        [Op::Load(name), Op::TailCall, ..] => Some((Op::TailCallName(name), 2, 0)),
        _ => None,
    }
}

/// Rewrites a block's ops for speed, keeping its behaviour:
///
/// 1. Common sequences become superinstructions (see [`Op::AddInt`] and the ops after it).
///    Passes repeat, so a pair made in one pass can join a longer pattern in the next. An
///    op that something jumps to is never absorbed into the op before it. (Continue targets
///    implied by position, such as the op after a loop's enter op, are also targets of the
///    loop's own `Jump`, so they are kept.)
/// 2. A `Jump` to an `End` becomes that `End`, and a `Jump` to a `Jump` goes straight to the
///    final target.
fn fuse(mut ops: Vec<Op>, mut spans: Vec<Span>) -> (Vec<Op>, Vec<Span>) {
    loop {
        let before = ops.len();
        (ops, spans) = fuse_pass(ops, spans);
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
    (ops, spans)
}

fn fuse_pass(ops: Vec<Op>, spans: Vec<Span>) -> (Vec<Op>, Vec<Span>) {
    let mut is_target = vec![false; ops.len() + 1];
    for op in &ops {
        if let Some(t) = op.target() {
            is_target[t as usize] = true;
        }
    }
    let mut new_index = vec![0u32; ops.len() + 1];
    let mut out_ops = Vec::with_capacity(ops.len());
    let mut out_spans = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        new_index[i] = out_ops.len() as u32;
        // Only ops that nothing jumps into may be absorbed.
        let limit = (i + MAX_FUSED).min(ops.len());
        let run = (i + 1..limit).take_while(|&j| !is_target[j]).count() + 1;
        match fused(&ops[i..i + run]) {
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
    for op in &mut out_ops {
        if let Some(t) = op.target() {
            *op = op.with_target(new_index[t as usize]);
        }
    }
    (out_ops, out_spans)
}

/// Gives the variables a block declares slots: where each will usually sit on the
/// activation's locals. A block that keeps its variables on the locals stack pushes each
/// name the first time it declares it (re-declaring replaces in place), so in the usual
/// run the variables sit in the order of their first declaration in the code: the
/// parameters (the `LetTo` ops a function opens with, last first) and then the others.
/// Loads, assignments and increments of those names then index the slot instead of
/// searching by name.
///
/// A slot is a prediction, not a guarantee: a declaration skipped by a branch, a block run
/// inline from a runtime value, or `forget` can put another variable in it. So the
/// executor checks that the slot holds the variable it names (`Block::locals`) and
/// otherwise looks the name up; a wrong prediction costs time, never a wrong value. (The
/// parameters' slots are always right: the prologue runs before anything else.) Returns
/// the slots' names.
fn resolve_locals(ops: &mut [Op]) -> Vec<Name> {
    let mut slots: Vec<Name> = Vec::new();
    for op in ops.iter() {
        if let Op::LetTo(name) | Op::LoopNextLet(_, name) = *op
            && !slots.contains(&name)
        {
            slots.push(name);
        }
    }
    let slot = |name: Name| slots.iter().position(|&n| n == name).map(|i| i as u32);
    let prologue = ops.iter().take_while(|op| matches!(op, Op::LetTo(_))).count();
    for op in &mut ops[prologue..] {
        *op = match *op {
            Op::Load(name) => slot(name).map_or(*op, Op::LoadLocal),
            Op::StoreTo(name) => slot(name).map_or(*op, Op::StoreLocal),
            Op::AddToName(name, k) => slot(name).map_or(*op, |i| Op::AddToLocal(i, k)),
            Op::AddNames(a, b) => match (slot(a), slot(b)) {
                (Some(a), Some(b)) => Op::AddLocals(a, b),
                _ => *op,
            },
            other => other,
        };
    }
    slots
}
