//! The Rho abstract syntax tree, with the source span of every statement and expression.

pub use lang_pi::infix::BinaryOp;
use vm_core::Span;

/// A name as written, with where.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// What a loop variable binds: a name, or the elements of an array (`[k, v]`), with the
/// span where a wrong count is reported.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Name(Ident),
    Unpack(Vec<Ident>, Span),
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// What a statement is.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let x = e`
    Let {
        name: Ident,
        value: Expr,
    },
    /// `target op e`, where target is a name, an index or a member.
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    /// `let a, b = e1, e2`, `let a, b = e` or `let [a, b] = e`: several names bound at once,
    /// to as many values, or to the elements of one array of that size (`unpack` is the
    /// span of the names, where a wrong count is reported).
    LetMany {
        names: Vec<Ident>,
        values: Vec<Expr>,
        unpack: Span,
    },
    /// `t1, t2 = e1, e2` or `t1, t2 = e`: every value is computed, then the targets are
    /// assigned from the first to the last.
    AssignMany {
        targets: Vec<Expr>,
        values: Vec<Expr>,
        unpack: Span,
    },
    /// `import "path" as name` (binds the module) or `import "path"` (declares its names
    /// here); `path` is a string literal.
    Import {
        path: Expr,
        alias: Option<Ident>,
    },
    /// An expression whose value is dropped.
    Expr(Expr),
    /// `fun name(params) { body }`
    Fun {
        name: Ident,
        params: Vec<Ident>,
        body: Vec<Stmt>,
    },
    /// `if c1 { … } else if c2 { … } … else { … }`: the arms in order (at least one), kept
    /// flat so that a chain of any length is no deeper than one `if`.
    If {
        arms: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    DoWhile {
        body: Vec<Stmt>,
        cond: Expr,
    },
    /// `for x in e { … }`, or `for [a, b] in e { … }` over arrays of two.
    ForIn {
        var: Pattern,
        iter: Expr,
        body: Vec<Stmt>,
    },
    /// `for init; cond; step { … }`
    ForC {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        step: Option<Box<Stmt>>,
        body: Vec<Stmt>,
    },
    /// `try { … } catch e { … }`
    Try {
        body: Vec<Stmt>,
        var: Ident,
        handler: Vec<Stmt>,
    },
    Return(Option<Expr>),
    Break,
    Continue,
    Assert(Expr),
    Throw(Expr),
}

/// `=` or a compound assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// What an expression is.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Nil,
    Name(String),
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `{k: v}`; `{}` is an empty map.
    Map(Vec<(Expr, Expr)>),
    /// `fun(params) { body }`
    Fun {
        params: Vec<Ident>,
        body: Vec<Stmt>,
    },
    /// `pi { … }`, already parsed as Pi.
    Pi(Vec<lang_pi::Node>),
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
    /// `~`
    BitNot,
}
