//! The syntax tree of a Tau file, as written: names are not resolved yet and every node
//! keeps its source span for diagnostics (check.rs turns it into a [`crate::Model`]).

use vm_core::Span;

/// A name as written, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A declaration at the top of a file or inside a namespace.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Namespace(Namespace),
    Enum(EnumDecl),
    Struct(StructDecl),
    Interface(InterfaceDecl),
}

/// `namespace A::B { … }`: `path` holds `A` and `B`.
#[derive(Clone, Debug, PartialEq)]
pub struct Namespace {
    pub path: Vec<Ident>,
    pub items: Vec<Item>,
}

/// `enum Mode { Fast = 1, Precise }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
}

/// One variant and its value as written (`None` for "one more than the previous"); the
/// checker reads the digits, so that one out of range is reported with the others.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    pub value: Option<(String, Span)>,
}

/// `struct Point { float x; float y; }`.
#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub fields: Vec<Param>,
}

/// A typed name: a struct's field or a method's or event's parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub ty: TypeExpr,
    pub name: Ident,
}

/// `interface Calculator { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceDecl {
    pub name: Ident,
    pub members: Vec<Member>,
}

/// A method (`float add(float a, float b);`), a property (`string label;`) or an event
/// (`event overflow(string reason);`).
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Method { result: TypeExpr, name: Ident, params: Vec<Param> },
    Property { ty: TypeExpr, name: Ident },
    Event { name: Ident, params: Vec<Param> },
}

impl Member {
    pub fn name(&self) -> &Ident {
        match self {
            Member::Method { name, .. } | Member::Property { name, .. } | Member::Event { name, .. } => name,
        }
    }
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `int`, `Point`, `Demo::Point`: the parts of the path.
    Named(Vec<Ident>, Span),
    Array(Box<TypeExpr>, Span),
    Map(Box<TypeExpr>, Box<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(_, span) | TypeExpr::Array(_, span) | TypeExpr::Map(_, _, span) => *span,
        }
    }
}
