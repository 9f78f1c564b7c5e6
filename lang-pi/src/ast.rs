//! The Pi abstract syntax tree. Rho (and later frontends) translate to this tree, which the
//! compiler turns into vm-core code and the printer turns back into Pi source.

use std::rc::Rc;

use vm_core::Span;

/// One item of a Pi program, with where it came from.
///
/// Equality compares the tree only: spans and layout hints are ignored, so a program and
/// its printed-then-reparsed form are equal.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// A layout hint for the printer: start a new line before this item.
    pub newline: bool,
}

/// What an item is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Nil,
    /// A quoted name, `'foo`: pushes itself.
    Name(Rc<str>),
    /// A word: a built-in, a native, or a name looked up at run time. (Names and words are
    /// shared text: a parser gives every use of one word the same `Rc`.)
    Word(Rc<str>),
    /// `{ … }`: a continuation literal.
    Block(Vec<Node>),
    /// `[ … ]`: runs its contents and collects what they push into an array.
    Array(Vec<Node>),
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.kind == other.kind
    }
}

impl Node {
    /// A node with no layout hint.
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span, newline: false }
    }

    /// The same node, printed on a new line.
    pub fn on_new_line(mut self) -> Node {
        self.newline = true;
        self
    }

    /// A word node.
    pub fn word(text: &str, span: Span) -> Node {
        Node::new(NodeKind::Word(text.into()), span)
    }
}
