//! Stark's syntax tree, with source spans. The checker fills in the annotations (`pi`
//! names, each expression's type, what a call or member refers to), which the translator
//! reads; a tree fresh from the parser has them empty.

pub use lang_pi::infix::BinaryOp;
use vm_core::Span;

use crate::types::Type;

/// A name as written, and the Pi name the checker gave the binding it refers to.
#[derive(Clone, Debug, Default)]
pub struct Ident {
    pub text: String,
    pub span: Span,
    /// The Pi word the binding is stored under (set by the checker).
    pub pi: String,
}

/// A type as written.
#[derive(Clone, Debug)]
pub enum TypeExpr {
    Named(Ident),
    Array(Box<TypeExpr>, Span),
    Generic(Ident, Vec<TypeExpr>),
    Fn(Vec<TypeExpr>, Option<Box<TypeExpr>>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(name) | TypeExpr::Generic(name, _) => name.span,
            TypeExpr::Array(_, span) | TypeExpr::Fn(_, _, span) => *span,
        }
    }
}

/// `name: Type`: a parameter, a struct field or a variant field.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// A top-level item of a file.
#[derive(Clone, Debug)]
pub enum Item {
    Struct(StructDecl),
    Enum(EnumDecl),
    Fn(FnDecl),
    Actor(ActorDecl),
    Extern(ExternDecl),
    Import(ImportDecl),
    Stmt(Box<Stmt>),
}

/// The `fn main` among `items`, if they declare one.
pub fn main_decl(items: &[Item]) -> Option<&FnDecl> {
    items.iter().find_map(|i| match i {
        Item::Fn(f) if f.name.text == "main" => Some(f),
        _ => None,
    })
}

#[derive(Clone, Debug)]
pub struct StructDecl {
    pub name: Ident,
    pub fields: Vec<Param>,
}

#[derive(Clone, Debug)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: Ident,
    pub fields: Vec<Param>,
}

/// `fn` (or `async fn`) at the top level, or an actor's `on` handler.
#[derive(Clone, Debug)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub result: Option<TypeExpr>,
    pub body: Vec<Stmt>,
    pub is_async: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ActorDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    /// The `let` / `let mut` statements of its state, in order.
    pub state: Vec<Stmt>,
    pub handlers: Vec<FnDecl>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ExternDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub result: Option<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ImportDecl {
    pub path: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Let {
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    Expr(Expr),
    If {
        arms: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    For {
        var: Ident,
        iter: Expr,
        body: Vec<Stmt>,
    },
    /// `exhaustive` (set by the checker): a `_` arm, or every variant of the enum.
    Match {
        subject: Expr,
        arms: Vec<Arm>,
        temp: String,
        exhaustive: bool,
    },
    Try {
        body: Vec<Stmt>,
        var: Ident,
        handler: Vec<Stmt>,
    },
    Span {
        name: Expr,
        body: Vec<Stmt>,
    },
    Return(Option<Expr>),
    Break,
    Continue,
    Throw(Expr),
    Assert(Expr),
    /// `send a.m(args)`: a message with no reply.
    Send(Expr),
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pattern: Pattern,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Wildcard(Span),
    /// `Circle(r)` or `Shape.Circle(r)`: a variant, binding its fields in order.
    /// `fields` are the variant's declared field names, in order (set by the checker).
    Variant {
        enum_name: Option<Ident>,
        name: Ident,
        binds: Vec<Ident>,
        fields: Vec<String>,
        span: Span,
    },
    Literal(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
    BitNot,
    Await,
    Spawn,
}

/// How Stark writes a binary operator in its messages: `and` and `or` are its words for
/// `&&` and `||` (which it also accepts).
pub fn spelled(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "or",
        BinaryOp::And => "and",
        other => other.symbol(),
    }
}

/// A call argument, named (`x: 1.0`) or not.
#[derive(Clone, Debug)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// What a call turned out to call (set by the checker).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum CallKind {
    #[default]
    Unresolved,
    /// A function value: `args n f call`.
    Function,
    /// A built-in: the Pi it becomes is the translator's (`builtins.rs`).
    Builtin(&'static str),
    /// A struct or enum value: the fields in declaration order, each the index of its
    /// argument. `variant` is set for an enum.
    Construct { fields: Vec<(String, usize)>, variant: Option<String> },
    /// Starts an actor.
    StartActor,
    /// `a.m(args)`: asks the actor, giving a future of the reply.
    Ask { handler: String },
    /// `ch.send(x)`, `ch.recv()`, `ch.close()`.
    ChannelOp(&'static str),
    /// A function declared `extern`: its result is checked at run time.
    Extern,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// The expression's type (set by the checker).
    pub ty: Type,
    /// A value of type `Any` used where `cast` is expected: checked at run time.
    pub cast: Option<Type>,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Name(Ident),
    Array(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Unary { op: UnaryOp, operand: Box<Expr> },
    Binary { op: BinaryOp, left: Box<Expr>, right: Box<Expr> },
    Call { callee: Box<Expr>, args: Vec<Arg>, kind: CallKind },
    Member { target: Box<Expr>, name: Ident },
    Index { target: Box<Expr>, index: Box<Expr> },
    Lambda { params: Vec<Param>, result: Option<TypeExpr>, body: Box<Expr> },
    Channel { elem: TypeExpr, capacity: Box<Expr> },
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span, ty: Type::Unknown, cast: None }
    }
}
