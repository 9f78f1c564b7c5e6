//! Compiles a Pi AST into a portable vm-core unit, without a VM. Built-in words resolve
//! here to ops; a control word whose blocks are literals (`c { … } { … } ife`,
//! `{ … } { … } while`, …) compiles to jumps in the enclosing block, so it allocates nothing
//! at run time; with runtime blocks it compiles to the word's dynamic op. The op sequences
//! are documented on `vm_core::Op`.

use vm_core::words::{self, Control, WordKind};
use vm_core::{Assembler, BlockBuilder, Error, Natives, Op, Patch, Source, Span, Unit, Value};

use crate::ast::{Node, NodeKind};

/// Compiles a whole program (`nodes`, parsed from `source`) into a unit, for a VM with
/// `natives` (a word that names one calls it).
///
/// # Errors
/// Compilation itself cannot fail for a parsed AST; the `Result` covers ASTs built by other
/// frontends (a literal out of range).
pub fn compile(nodes: &[Node], source: &Source, natives: &Natives) -> Result<Unit, Error> {
    let mut compiler = Compiler { natives, asm: Assembler::new(), has_ifs: false };
    let mut top = BlockBuilder::new();
    compiler.sequence(nodes, &mut top)?;
    let end = Span::new(source.id, source.text.len(), source.text.len());
    Ok(compiler.asm.finish(top, end, source))
}

struct Compiler<'a> {
    natives: &'a Natives,
    asm: Assembler,
    /// Whether the sequence being compiled holds an `ifs` word.
    has_ifs: bool,
}

/// The blocks of a control-word pattern.
fn literal_blocks(nodes: &[Node]) -> Option<Vec<&[Node]>> {
    nodes
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Block(items) => Some(items.as_slice()),
            _ => None,
        })
        .collect()
}

impl Compiler<'_> {
    fn sequence(&mut self, nodes: &[Node], b: &mut BlockBuilder) -> Result<(), Error> {
        // Looking for a `ifs` pattern scans runs of blocks; skip that where there is none.
        let has_ifs = nodes.iter().any(|n| matches!(&n.kind, NodeKind::Word(w) if &**w == "ifs"));
        let outer = std::mem::replace(&mut self.has_ifs, has_ifs);
        let mut i = 0;
        while i < nodes.len() {
            // (An error ends the whole compilation, so the flag need not be restored then.)
            i += self.item(nodes, i, b)?;
        }
        self.has_ifs = outer;
        Ok(())
    }

    /// Compiles the item at `nodes[i]` (with what follows it, for patterns); returns how
    /// many nodes were used.
    fn item(&mut self, nodes: &[Node], i: usize, b: &mut BlockBuilder) -> Result<usize, Error> {
        let node = &nodes[i];
        let span = node.span;
        match &node.kind {
            NodeKind::Int(n) => {
                match i32::try_from(*n) {
                    Ok(small) => b.emit(Op::Int(small), span),
                    Err(_) => {
                        let index = self.asm.constant(Value::Int(*n));
                        b.emit(Op::Const(index), span)
                    }
                };
            }
            NodeKind::Float(f) => {
                let index = self.asm.constant(Value::Float(*f));
                b.emit(Op::Const(index), span);
            }
            NodeKind::Str(s) => {
                let index = self.asm.string(s);
                b.emit(Op::Const(index), span);
            }
            NodeKind::Bool(true) => _ = b.emit(Op::True, span),
            NodeKind::Bool(false) => _ = b.emit(Op::False, span),
            NodeKind::Nil => _ = b.emit(Op::Nil, span),
            NodeKind::Name(text) => {
                let name = self.asm.name(text);
                // `'x #` and `'x let` fuse into one op (unless x is reserved: then the
                // unfused op reports the error at run time).
                if let Some(NodeKind::Word(next)) = nodes.get(i + 1).map(|n| &n.kind) {
                    let fused = match &**next {
                        "#" => Some(Op::StoreTo(name)),
                        "let" => Some(Op::LetTo(name)),
                        _ => None,
                    };
                    if let Some(op) = fused
                        && words::lookup(text).is_none()
                        && !self.natives.contains_key(&**text)
                    {
                        b.emit(op, nodes[i + 1].span);
                        return Ok(2);
                    }
                }
                b.emit(Op::Name(name), span);
            }
            NodeKind::Word(text) => {
                if let Some(used) = self.range_each(nodes, i, b)? {
                    return Ok(used);
                }
                self.word(text, span, b)?
            }
            NodeKind::Block(items) => {
                if let Some(used) = self.control_pattern(nodes, i, b)? {
                    return Ok(used);
                }
                let mut child = BlockBuilder::new();
                self.sequence(items, &mut child)?;
                let index = b.add_child(child, span);
                b.emit(Op::Closure(index), span);
            }
            NodeKind::Array(items) => {
                b.emit(Op::ArrayStart, span);
                self.sequence(items, b)?;
                b.emit(Op::ArrayEnd, span);
            }
        }
        Ok(1)
    }

    fn word(&mut self, text: &str, span: Span, b: &mut BlockBuilder) -> Result<(), Error> {
        match words::lookup(text) {
            Some(word) => match word.kind {
                WordKind::Op(op) => _ = b.emit(op, span),
                WordKind::Control(control) => self.dynamic_control(control, span, b),
            },
            None => {
                if self.natives.contains_key(text) {
                    let index = self.asm.native(text);
                    b.emit(Op::Native(index), span);
                } else {
                    b.emit(Op::Load(self.asm.name(text)), span);
                }
            }
        }
        Ok(())
    }

    /// A control word whose blocks are runtime values.
    fn dynamic_control(&mut self, control: Control, span: Span, b: &mut BlockBuilder) {
        match control {
            Control::If => _ = b.emit(Op::If, span),
            Control::Ife => _ = b.emit(Op::IfElse, span),
            Control::While => self.driven(Op::WhileDyn, span, b),
            Control::For => self.driven(Op::ForDyn, span, b),
            Control::Times => self.driven(Op::TimesDyn, span, b),
            Control::Each => self.driven(Op::EachDyn, span, b),
            Control::Map => self.driven(Op::MapStart, span, b),
            Control::Filter => self.driven(Op::FilterStart, span, b),
            Control::Fold => self.driven(Op::FoldStart, span, b),
            Control::SortBy => self.driven(Op::SortByStart, span, b),
            Control::SortWith => self.driven(Op::SortWithStart, span, b),
            Control::Any => self.driven(Op::AnyStart, span, b),
            Control::All => self.driven(Op::AllStart, span, b),
            Control::Count => self.driven(Op::CountStart, span, b),
            Control::GroupBy => self.driven(Op::GroupByStart, span, b),
            Control::Import => self.driven(Op::ImportStart, span, b),
            Control::Ifs => self.driven(Op::IfsStart, span, b),
            Control::Try => {
                let end = b.emit_forward(Op::TryDyn, span);
                b.emit(Op::TryExit, span);
                b.patch(end);
            }
            Control::Span => {
                b.emit(Op::SpanDyn, span);
                b.emit(Op::SpanExit, span);
            }
        }
    }

    fn driven(&mut self, start: Op, span: Span, b: &mut BlockBuilder) {
        b.emit(start, span);
        b.emit(Op::Drive, span);
    }

    /// `range { … } each` (at the `range`): loops over the ints without building the array.
    fn range_each(&mut self, nodes: &[Node], i: usize, b: &mut BlockBuilder) -> Result<Option<usize>, Error> {
        let [range, body, each] = nodes.get(i..i + 3).unwrap_or_default() else {
            return Ok(None);
        };
        match (&range.kind, &body.kind, &each.kind) {
            (NodeKind::Word(r), NodeKind::Block(body), NodeKind::Word(e)) if &**r == "range" && &**e == "each" => {
                // Errors about the bounds name `range`; the loop itself is `each`'s.
                self.inline_counted(Op::RangeEnter, range.span, body, each.span, b)?;
                Ok(Some(3))
            }
            _ => Ok(None),
        }
    }

    /// `{t1} {b1} … {tn} {bn} n ifs` with literal blocks (at the first block): a chain of
    /// tests and jumps, flat however long the chain (Rho's `else if` becomes this).
    fn inline_ifs(&mut self, nodes: &[Node], i: usize, b: &mut BlockBuilder) -> Result<Option<usize>, Error> {
        let blocks = nodes[i..].iter().take_while(|n| matches!(n.kind, NodeKind::Block(_))).count();
        let (Some(count), Some(cond)) = (nodes.get(i + blocks), nodes.get(i + blocks + 1)) else {
            return Ok(None);
        };
        match (&count.kind, &cond.kind) {
            (NodeKind::Int(n), NodeKind::Word(w)) if &**w == "ifs" && usize::try_from(*n).ok() == Some(blocks / 2) => {}
            _ => return Ok(None),
        }
        if blocks % 2 != 0 {
            return Ok(None);
        }
        let arms = literal_blocks(&nodes[i..i + blocks]).unwrap_or_default();
        let span = cond.span;
        let mut to_end = Vec::new();
        for (k, pair) in arms.chunks_exact(2).enumerate() {
            let (test, body) = (pair[0], pair[1]);
            let last = k + 1 == blocks / 2;
            // `{ true }` (Rho's `else`) needs no test, and nothing after it can run.
            if matches!(test, [Node { kind: NodeKind::Bool(true), .. }]) {
                self.sequence(body, b)?;
                break;
            }
            self.sequence(test, b)?;
            let skip = b.emit_forward(Op::JumpIfFalse, span);
            self.sequence(body, b)?;
            if !last {
                to_end.push(b.emit_forward(Op::Jump, span));
            }
            b.patch(skip);
        }
        for jump in to_end {
            b.patch(jump);
        }
        Ok(Some(blocks + 2))
    }

    /// If `nodes[i..]` starts with literal blocks followed by the control word that takes
    /// them, compiles the whole pattern inline and returns the nodes used.
    fn control_pattern(&mut self, nodes: &[Node], i: usize, b: &mut BlockBuilder) -> Result<Option<usize>, Error> {
        if self.has_ifs
            && let Some(used) = self.inline_ifs(nodes, i, b)?
        {
            return Ok(Some(used));
        }
        // Longest patterns first: `{i} {c} {s} {b} for` must not be taken for `{b} for`.
        for count in [4, 2, 1] {
            let Some(word_node) = nodes.get(i + count) else {
                continue;
            };
            let NodeKind::Word(text) = &word_node.kind else {
                continue;
            };
            let Some(blocks) = literal_blocks(&nodes[i..i + count]) else {
                continue;
            };
            let Some(WordKind::Control(control)) = words::lookup(text).map(|w| w.kind) else {
                continue;
            };
            let span = word_node.span;
            let done = match (count, control) {
                (1, Control::If) => self.inline_if(blocks[0], span, b)?,
                (2, Control::Ife) => self.inline_ife(blocks[0], blocks[1], span, b)?,
                (2, Control::While) => self.inline_while(blocks[0], blocks[1], span, b)?,
                (4, Control::For) => self.inline_c_for(&blocks, span, b)?,
                (1, Control::For) => self.inline_counted(Op::ForEnter, span, blocks[0], span, b)?,
                (1, Control::Times) => self.inline_counted(Op::TimesEnter, span, blocks[0], span, b)?,
                (1, Control::Each) => self.inline_counted(Op::EachEnter, span, blocks[0], span, b)?,
                (2, Control::Try) => self.inline_try(blocks[0], blocks[1], span, b)?,
                (1, Control::Span) => self.inline_span(blocks[0], span, b)?,
                _ => false,
            };
            if done {
                return Ok(Some(count + 1));
            }
        }
        Ok(None)
    }

    fn inline_if(&mut self, then: &[Node], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        let skip = b.emit_forward(Op::JumpIfFalse, span);
        self.sequence(then, b)?;
        b.patch(skip);
        Ok(true)
    }

    fn inline_ife(&mut self, then: &[Node], other: &[Node], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        let to_else = b.emit_forward(Op::JumpIfFalse, span);
        self.sequence(then, b)?;
        let to_end = b.emit_forward(Op::Jump, span);
        b.patch(to_else);
        self.sequence(other, b)?;
        b.patch(to_end);
        Ok(true)
    }

    /// `while`, tested at its bottom (see `Op`'s sequences): a pass runs the body and the
    /// test, whose jump goes back to the body, rather than a test jumping out and a jump
    /// going back to it.
    fn inline_while(&mut self, cond: &[Node], body: &[Node], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        let enter = b.emit_forward(Op::LoopEnter, span);
        let to_test = b.emit_forward(Op::Jump, span);
        let top = b.here();
        self.sequence(body, b)?;
        b.patch(to_test);
        self.sequence(cond, b)?;
        b.emit(Op::JumpIfTrue(top), span);
        b.emit(Op::LoopExit, span);
        b.patch(enter);
        Ok(true)
    }

    /// The rest of a C-style `for` after its top: the condition, the body, the jump
    /// back to `top`, and the exit (patching `enter` to go past it).
    fn test_and_body(
        &mut self,
        cond: &[Node],
        body: &[Node],
        top: u32,
        enter: Patch,
        span: Span,
        b: &mut BlockBuilder,
    ) -> Result<bool, Error> {
        self.sequence(cond, b)?;
        let done = b.emit_forward(Op::JumpIfFalse, span);
        self.sequence(body, b)?;
        b.emit(Op::Jump(top), span);
        b.patch(done);
        b.emit(Op::LoopExit, span);
        b.patch(enter);
        Ok(true)
    }

    fn inline_c_for(&mut self, blocks: &[&[Node]], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        let (init, cond, step, body) = (blocks[0], blocks[1], blocks[2], blocks[3]);
        self.sequence(init, b)?;
        let enter = b.emit_forward(Op::ForCEnter, span);
        let first = b.emit_forward(Op::Jump, span);
        let top = b.here();
        self.sequence(step, b)?;
        b.patch(first);
        self.test_and_body(cond, body, top, enter, span, b)
    }

    /// `for` (range), `times`, `each` and `range … each`: an enter op (at `enter_span`),
    /// then `LoopNext` before each pass.
    fn inline_counted(
        &mut self,
        enter: fn(u32) -> Op,
        enter_span: Span,
        body: &[Node],
        span: Span,
        b: &mut BlockBuilder,
    ) -> Result<bool, Error> {
        let enter = b.emit_forward(enter, enter_span);
        let top = b.here();
        let next = b.emit_forward(Op::LoopNext, span);
        self.sequence(body, b)?;
        b.emit(Op::Jump(top), span);
        b.patch(enter);
        b.patch(next);
        Ok(true)
    }

    fn inline_try(&mut self, body: &[Node], handler: &[Node], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        let to_handler = b.emit_forward(Op::TryEnter, span);
        self.sequence(body, b)?;
        b.emit(Op::TryExit, span);
        let to_end = b.emit_forward(Op::Jump, span);
        b.patch(to_handler);
        self.sequence(handler, b)?;
        b.patch(to_end);
        Ok(true)
    }

    fn inline_span(&mut self, body: &[Node], span: Span, b: &mut BlockBuilder) -> Result<bool, Error> {
        b.emit(Op::SpanEnter, span);
        self.sequence(body, b)?;
        b.emit(Op::SpanExit, span);
        Ok(true)
    }
}
