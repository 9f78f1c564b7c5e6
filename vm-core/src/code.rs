//! Compiled code: the [`Assembler`] frontends build portable [`Unit`]s with, and the
//! [`Block`]s of [`Op`]s a VM runs, made from a unit when it is loaded (`crate::load`).

use std::rc::Rc;

use gc::Tracer;
use indexmap::IndexSet;
use registry::{Code, Name, Rooted, Value};
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::footprint::Charge;
use crate::fusion::{Stage, fuse};
use crate::op::{Op, Operand};
use crate::source::{Source, Span};
use crate::stack_params::keep_params_on_stack;
use crate::unit::{Constant, Range, Unit, UnitBlock};

/// The runnable form of one continuation literal (or of a whole program), made by loading
/// a [`Unit`] into a VM: names are the VM's, constants are its values, natives its indexes.
///
/// Blocks are immutable and shared (`Rc`) by every closure and activation made from them.
/// All blocks of one unit share one constant pool.
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
    pub(crate) _anchor: Option<Rooted>,
    /// The source the unit was compiled from; it lives as long as the code does.
    pub source: Option<Rc<Source>>,
    /// Where the block's literal is written (`None` for a unit's outermost block).
    pub origin: Option<Span>,
    /// This block's ops and spans, counted against the heap limit while it lives.
    pub(crate) _charge: Option<Charge>,
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
    /// The unit the block was loaded from and its index there: what a closure of it is
    /// when it is copied to another VM (`None` for code built by hand, which cannot be).
    pub unit: Option<(std::sync::Arc<Unit>, u32)>,
}

impl Code for Block {
    /// Nothing to report: the constants are rooted by the block itself.
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Block {
    /// A readable listing of the block's ops and, indented, of its nested blocks: one op
    /// per line with its index, its name and its operands, names shown by `name_text`
    /// and constants by `constant`; a block with local slots lists them first.
    pub fn disassemble(&self, name_text: &dyn Fn(Name) -> String, constant: &dyn Fn(Value) -> String) -> String {
        let mut out = String::new();
        self.disassemble_into(&mut out, 0, name_text, constant);
        out
    }

    fn disassemble_into(
        &self,
        out: &mut String,
        depth: usize,
        name_text: &dyn Fn(Name) -> String,
        constant: &dyn Fn(Value) -> String,
    ) {
        use std::fmt::Write;
        let pad = "  ".repeat(depth);
        if !self.locals.is_empty() {
            let slots: Vec<String> = self.locals.iter().map(|&n| name_text(n)).collect();
            let _ = writeln!(out, "{pad}      slots: {}", slots.join(" "));
        }
        for (i, op) in self.ops.iter().enumerate() {
            let _ = write!(out, "{pad}{i:4}  {}", op.mnemonic());
            for (field, operand) in op.operands() {
                let text = match operand {
                    Operand::Name(name) => name_text(name),
                    Operand::Int(n) if field == "constant" => {
                        self.pool.get(n as usize).map_or_else(|| format!("#{n}?"), |&v| constant(v))
                    }
                    Operand::Int(n) => n.to_string(),
                    Operand::Cmp(cmp) => cmp.op().mnemonic().to_string(),
                    Operand::Builtin(word) => crate::words::word_of(Op::Builtin(word))
                        .map_or_else(|| format!("{word:?}"), |w| w.name.to_string()),
                };
                let _ = write!(out, " {text}");
            }
            out.push('\n');
            if let Op::Closure(child) | Op::Function(child, _) = op
                && let Some(block) = self.children.get(*child as usize)
            {
                block.disassemble_into(out, depth + 1, name_text, constant);
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

    /// Finishes the block, which is `role` to the block it is written in, into `blocks` (its
    /// nested blocks after it); returns its index there.
    fn finish(self, blocks: &mut Vec<UnitBlock>, end_span: Span, role: Role) -> u32 {
        let BlockBuilder { mut ops, mut spans, children, origin } = self;
        let index = blocks.len();
        // Its place comes before its nested blocks'; it is filled in once they are done.
        blocks.push(UnitBlock::default());
        ops.push(Op::End);
        spans.push(end_span);
        let (mut ops, mut spans, mut withheld) = fuse(ops, spans, Stage::BeforeSlots);
        if role == Role::Function
            && let Some((kept, kept_spans)) = keep_params_on_stack(&ops, &spans)
        {
            // (Its reads of the parameters may now fuse with what follows them.)
            let (fused, fused_spans, held) = fuse(kept, kept_spans, Stage::BeforeSlots);
            (ops, spans, withheld) = (fused, fused_spans, withheld || held);
        }
        let needs_locals = ops.iter().any(|op| op.binds_names());
        let needs_heap_scope = ops.iter().any(|op| op.captures_scope());
        let slotted = needs_locals && !needs_heap_scope && role != Role::Outermost;
        let locals = if slotted { resolve_locals(&mut ops) } else { Vec::new() };
        // Fuse again: slot access, and the names left without slots, make new
        // superinstructions possible (and only they: `eval` compiles many small blocks).
        let (ops, spans) = if slotted || withheld {
            let (ops, spans, _) = fuse(ops, spans, Stage::Final);
            (ops, spans)
        } else {
            (ops, spans)
        };
        // The prologue: the leading ops that bind slots 0, 1, 2, … in order.
        let prologue = ops.iter().enumerate().take_while(|&(i, op)| *op == Op::LetLocal(i as u32)).count() as u32;
        let functions: Vec<u32> =
            ops.iter().filter_map(|op| if let Op::Function(child, _) = *op { Some(child) } else { None }).collect();
        let children = children
            .into_iter()
            .enumerate()
            .map(|(i, child)| {
                let span = child.spans.last().copied().unwrap_or(end_span);
                let role = if functions.contains(&(i as u32)) { Role::Function } else { Role::Nested };
                child.finish(blocks, span, role)
            })
            .collect();
        blocks[index] = UnitBlock {
            ops,
            spans: spans.into_iter().map(Range::of).collect(),
            children,
            origin: origin.map(Range::of),
            locals,
            prologue,
        };
        index as u32
    }
}

/// What a block is to the block it is written in, which decides how its variables live.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A unit's outermost block: it runs in the global scope or inline in its caller's (the
    /// top level, `eval`), never on locals of its own, so it gets no slots (every slot
    /// prediction would miss).
    Outermost,
    /// A block literal.
    Nested,
    /// A block literal made into a function (`fn`): it may keep its parameters on the
    /// data stack (`stack_params`).
    Function,
}

impl Range {
    fn of(span: Span) -> Range {
        Range { start: span.start, end: span.end }
    }
}

/// Builds one compilation unit: its tables (names, natives, constants) and the tree of
/// blocks. It needs no VM: the unit it makes refers only to itself.
#[derive(Default)]
pub struct Assembler {
    names: IndexSet<String, FxBuildHasher>,
    /// The natives called, as indexes into `names`.
    natives: IndexSet<u32, FxBuildHasher>,
    constants: Vec<Constant>,
    strings: FxHashMap<String, u32>,
    /// Immediate constants by type and bit pattern (so `0.0` and `-0.0` stay distinct).
    immediates: FxHashMap<(u8, u64), u32>,
}

impl Assembler {
    /// A new, empty unit.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// The unit's name for `text` (an index into its own name table).
    pub fn name(&mut self, text: &str) -> Name {
        let index = match self.names.get_index_of(text) {
            Some(index) => index,
            None => self.names.insert_full(text.to_string()).0,
        };
        Name::from_index(index)
    }

    /// The operand of [`Op::Native`] calling the native named `text`.
    pub fn native(&mut self, text: &str) -> u32 {
        let name = self.name(text).index() as u32;
        self.natives.insert_full(name).0 as u32
    }

    /// The pool index of a string constant.
    pub fn string(&mut self, text: &str) -> u32 {
        if let Some(&index) = self.strings.get(text) {
            return index;
        }
        let index = self.push(Constant::Str(text.to_string()));
        self.strings.insert(text.to_string(), index);
        index
    }

    /// The pool index of an int or float constant.
    ///
    /// # Panics
    /// If `value` is not an int or a float.
    pub fn constant(&mut self, value: Value) -> u32 {
        let (key, constant) = match value {
            Value::Int(i) => ((0, i as u64), Constant::Int(i)),
            Value::Float(f) => ((1, f.to_bits()), Constant::Float(f)),
            other => panic!("not an immediate constant: {other:?}"),
        };
        if let Some(&index) = self.immediates.get(&key) {
            return index;
        }
        let index = self.push(constant);
        self.immediates.insert(key, index);
        index
    }

    fn push(&mut self, constant: Constant) -> u32 {
        self.constants.push(constant);
        self.constants.len() as u32 - 1
    }

    /// Finishes the unit compiled from `source`, with `top` as its outermost block.
    pub fn finish(self, top: BlockBuilder, end_span: Span, source: &Source) -> Unit {
        let mut blocks = Vec::new();
        top.finish(&mut blocks, end_span, Role::Outermost);
        Unit {
            source_name: source.name.clone(),
            source_text: source.text.to_string(),
            names: self.names.into_iter().collect(),
            natives: self.natives.into_iter().collect(),
            constants: self.constants,
            blocks,
        }
    }
}

/// Gives the variables a block declares slots: a block that keeps its variables on the
/// locals stack finds slot `i` at entry `base + i` of its activation's locals, reserved
/// when the activation starts (see `Task::locals`), in the order of the names' first
/// declaration in the code: the parameters (the `LetTo` ops a function opens with, last
/// first) and then the others. Declarations, loads, assignments and increments of those
/// names then index the slot instead of searching by name.
///
/// Every op that names a variable becomes its slot form, except `TailCallName`, which has
/// none and takes the general path (which searches every entry) in a frame with slots: so
/// the executor's by-name fast paths, which search only the entries above the slots, never
/// miss a slot (`verify` checks it of loaded units). The superinstructions that name two
/// variables are made only after this (`fusion::Stage`).
///
/// A slot op finds its variable unbound before its declaration runs (or after `forget`);
/// it then does what the named op does (a load looks in the enclosing scopes). In a frame
/// whose scope is not on the locals stack (the block run with a heap scope), slot ops
/// always act by name (`Block::locals`). Returns the slots' names.
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
    for op in ops.iter_mut() {
        *op = match *op {
            Op::LetTo(name) => slot(name).map_or(*op, Op::LetLocal),
            Op::LoopNextLet(exit, name) => slot(name).map_or(*op, |i| Op::LoopNextLocal(exit, i)),
            Op::Load(name) => slot(name).map_or(*op, Op::LoadLocal),
            Op::StoreTo(name) => slot(name).map_or(*op, Op::StoreLocal),
            Op::AddToName(name, k) => slot(name).map_or(*op, |i| Op::AddToLocal(i, k)),
            Op::SubFromName(name, k) => slot(name).map_or(*op, |i| Op::SubFromLocal(i, k)),
            Op::CallName(name) => slot(name).map_or(*op, Op::CallLocal),
            Op::CallFunctionName(name, argc) => slot(name).map_or(*op, |i| Op::CallFunctionLocal(i, argc)),
            other => other,
        };
    }
    slots
}
