//! The type checker. It resolves every name, gives every binding the Pi word it is stored
//! under, infers the type of every expression and records what each call calls, writing
//! its findings into the tree for the translator. Every problem is collected (an
//! expression whose type is unknown because of an earlier problem fits anything, so one
//! mistake is reported once), sorted by position, and reported together.
//!
//! Scoping: blocks nest (a `let` in an `if` is gone after it), and a name may be declared
//! again, shadowing the older binding. Pi has one scope per activation, so a binding that
//! would clash with one visible in the same activation gets a fresh Pi name (`x-2`), as
//! does a name that is a Pi word (`size-2`); Stark names cannot contain `-`, so these never
//! meet a user's.

use std::collections::{HashMap, HashSet};

use vm_core::{Error, ErrorKind, Natives, Span};

use crate::ast::*;
use crate::builtins;
use crate::types::Type;

mod expr;

/// Named, typed fields (of a struct or a variant) or parameters, in order.
pub type Fields = Vec<(String, Type)>;

/// A declared function's signature.
#[derive(Clone, Debug)]
pub struct FnSig {
    pub params: Vec<(String, Type)>,
    pub result: Type,
    pub is_async: bool,
    pub is_extern: bool,
    pub pi: String,
}

#[derive(Clone, Debug)]
pub struct ActorSig {
    pub params: Vec<(String, Type)>,
    /// Handler name → (parameters, reply type).
    pub handlers: HashMap<String, (Vec<(String, Type)>, Type)>,
    pub pi: String,
}

#[derive(Clone, Debug)]
struct Var {
    ty: Type,
    mutable: bool,
    pi: String,
}

/// What a file declares at its top level: kept between the REPL's lines, and read from a
/// file that another imports.
#[derive(Clone, Debug, Default)]
pub struct Declarations {
    pub structs: HashMap<String, Vec<(String, Type)>>,
    pub enums: HashMap<String, Vec<(String, Fields)>>,
    pub fns: HashMap<String, FnSig>,
    pub actors: HashMap<String, ActorSig>,
    globals: HashMap<String, Var>,
    /// Pi names the top level has used.
    used: HashSet<String>,
}

impl Declarations {
    /// Adds `other`'s declarations (an imported module's) to these.
    pub fn merge(&mut self, other: Declarations) {
        self.structs.extend(other.structs);
        self.enums.extend(other.enums);
        self.fns.extend(other.fns);
        self.actors.extend(other.actors);
        self.used.extend(other.globals.values().map(|v| v.pi.clone()));
        self.used.extend(other.used);
        self.globals.extend(other.globals);
    }
}

/// One activation being checked: a function, a lambda, a handler, or the top level.
struct Frame {
    /// The declared result (`None` at the top level, where `return` is an error).
    result: Option<Type>,
    loops: usize,
    /// Pi names bound in this activation. A new binding avoids these and those of the
    /// enclosing activations (which the scope chain reaches by name).
    used: HashSet<String>,
    /// How many hidden temporaries (`match-1`) the activation has.
    temps: usize,
}

pub struct Checker<'a> {
    natives: &'a Natives,
    pub decls: Declarations,
    scopes: Vec<HashMap<String, Var>>,
    frames: Vec<Frame>,
    problems: Vec<(Span, String)>,
}

fn is_reserved(name: &str, natives: &Natives) -> bool {
    vm_core::words::lookup(name).is_some()
        || natives.contains_key(name)
        || matches!(name, "true" | "false" | "nil" | "fn" | "call" | "single" | "args")
}

/// What a name used as a value is.
enum Named {
    Var(Type, String),
    Function(Type, String),
    Struct,
    Enum,
    Actor,
    Builtin,
    Undefined,
}

impl<'a> Checker<'a> {
    pub fn new(natives: &'a Natives, decls: Declarations) -> Checker<'a> {
        let used = decls.used.clone();
        Checker {
            natives,
            decls,
            scopes: vec![HashMap::new()],
            frames: vec![Frame { result: None, loops: 0, used, temps: 0 }],
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    /// The problems found, as one error (the first, with the rest related), if any.
    pub fn finish(mut self) -> Result<Declarations, Error> {
        if self.problems.is_empty() {
            let top = self.frames.swap_remove(0);
            self.decls.used = top.used;
            if let Some(scope) = self.scopes.into_iter().next() {
                self.decls.globals.extend(scope);
            }
            return Ok(self.decls);
        }
        let mut problems = std::mem::take(&mut self.problems);
        problems.sort_by_key(|(span, _)| (span.start, span.end));
        problems.dedup();
        let mut errors =
            problems.into_iter().map(|(span, message)| Error::new(ErrorKind::Type, message).with_span(span));
        let first = errors.next().expect("there is a problem");
        Err(first.with_related(errors.collect()))
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("the top level is always a frame")
    }

    /// A Pi name for a new binding of `name` in the current activation.
    fn fresh(&mut self, name: &str) -> String {
        let taken = |n: &str| is_reserved(n, self.natives) || self.frames.iter().any(|f| f.used.contains(n));
        let mut candidate = name.to_string();
        let mut n = 1;
        while taken(&candidate) {
            n += 1;
            candidate = format!("{name}-{n}");
        }
        self.frame().used.insert(candidate.clone());
        candidate
    }

    /// A name for a hidden temporary (`match-1`): Stark names cannot contain `-`.
    fn temp(&mut self, what: &str) -> String {
        let frame = self.frame();
        frame.temps += 1;
        let name = format!("{what}-{}", frame.temps);
        frame.used.insert(name.clone());
        name
    }

    fn declare(&mut self, name: &mut Ident, ty: Type, mutable: bool) {
        let pi = self.fresh(&name.text);
        name.pi = pi.clone();
        self.scopes.last_mut().expect("a scope").insert(name.text.clone(), Var { ty, mutable, pi });
    }

    fn lookup_var(&self, name: &str) -> Option<&Var> {
        self.scopes.iter().rev().find_map(|s| s.get(name)).or_else(|| self.decls.globals.get(name))
    }

    fn named(&self, name: &str) -> Named {
        if let Some(v) = self.lookup_var(name) {
            return Named::Var(v.ty.clone(), v.pi.clone());
        }
        if let Some(f) = self.decls.fns.get(name) {
            let params = f.params.iter().map(|(_, t)| t.clone()).collect();
            let result = if f.is_async { Type::Future(Box::new(f.result.clone())) } else { f.result.clone() };
            return Named::Function(Type::Fn(params, Box::new(result)), f.pi.clone());
        }
        if self.decls.structs.contains_key(name) {
            return Named::Struct;
        }
        if self.decls.enums.contains_key(name) {
            return Named::Enum;
        }
        if self.decls.actors.contains_key(name) {
            return Named::Actor;
        }
        if builtins::lookup(name).is_some() {
            return Named::Builtin;
        }
        Named::Undefined
    }

    fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Runs `f` in a new activation whose result type is `result`.
    fn in_activation<T>(&mut self, result: Type, f: impl FnOnce(&mut Self) -> T) -> T {
        let base = self.scopes.len();
        self.frames.push(Frame { result: Some(result), loops: 0, used: HashSet::new(), temps: 0 });
        self.push_scope();
        let out = f(self);
        self.scopes.truncate(base);
        self.frames.pop();
        out
    }

    // ---- types

    pub fn resolve_type(&mut self, t: &TypeExpr) -> Type {
        match t {
            TypeExpr::Named(name) => match name.text.as_str() {
                "Int" => Type::Int,
                "Float" => Type::Float,
                "Bool" => Type::Bool,
                "String" => Type::String,
                "Bytes" => Type::Bytes,
                "Unit" => Type::Unit,
                "Any" => Type::Any,
                n if self.decls.structs.contains_key(n) => Type::Struct(n.to_string()),
                n if self.decls.enums.contains_key(n) => Type::Enum(n.to_string()),
                n if self.decls.actors.contains_key(n) => Type::Actor(n.to_string()),
                n @ ("Map" | "Future" | "Channel") => {
                    self.problem(name.span, format!("`{n}` needs type arguments, as in {n}<…>"));
                    Type::Unknown
                }
                n => {
                    self.problem(name.span, format!("unknown type '{n}'"));
                    Type::Unknown
                }
            },
            TypeExpr::Array(e, _) => Type::Array(Box::new(self.resolve_type(e))),
            TypeExpr::Generic(name, args) => {
                let resolved: Vec<Type> = args.iter().map(|a| self.resolve_type(a)).collect();
                match (name.text.as_str(), resolved.as_slice()) {
                    ("Map", [k, v]) => {
                        if !matches!(k, Type::String | Type::Int | Type::Bool | Type::Unknown | Type::Any) {
                            self.problem(args[0].span(), format!("a map key must be String, Int or Bool, not {k}"));
                        }
                        Type::Map(Box::new(k.clone()), Box::new(v.clone()))
                    }
                    ("Future", [t]) => Type::Future(Box::new(t.clone())),
                    ("Channel", [t]) => Type::Channel(Box::new(t.clone())),
                    ("Map", _) => {
                        self.problem(name.span, "Map takes two type arguments: Map<K, V>");
                        Type::Unknown
                    }
                    ("Future" | "Channel", _) => {
                        self.problem(name.span, format!("{} takes one type argument", name.text));
                        Type::Unknown
                    }
                    (other, _) => {
                        self.problem(
                            name.span,
                            format!("unknown generic type '{other}' (the generic types are Map, Future and Channel)"),
                        );
                        Type::Unknown
                    }
                }
            }
            TypeExpr::Fn(params, result, _) => {
                let params = params.iter().map(|p| self.resolve_type(p)).collect();
                let result = result.as_ref().map_or(Type::Unit, |r| self.resolve_type(r));
                Type::Fn(params, Box::new(result))
            }
        }
    }

    fn params(&mut self, params: &[Param]) -> Vec<(String, Type)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for p in params {
            if !seen.insert(p.name.text.clone()) {
                self.problem(p.name.span, format!("parameter '{}' is declared twice", p.name.text));
            }
            out.push((p.name.text.clone(), self.resolve_type(&p.ty)));
        }
        out
    }

    // ---- declarations

    /// Declares a file's (or a REPL line's) top-level items, so that any item may use any
    /// other whatever the order.
    pub fn declare_items(&mut self, items: &mut [Item]) {
        let mut taken: HashSet<String> = HashSet::new();
        let mut claim = |this: &mut Self, name: &Ident| {
            let n = &name.text;
            // Only within one file or REPL line: a later line may redefine a function.
            if !taken.insert(n.clone()) {
                this.problem(name.span, format!("'{n}' is declared twice"));
            }
            if builtins::lookup(n).is_some() {
                this.problem(name.span, format!("'{n}' is a built-in function and cannot be declared again"));
            }
            if matches!(
                n.as_str(),
                "Int" | "Float" | "Bool" | "String" | "Bytes" | "Unit" | "Any" | "Map" | "Future" | "Channel"
            ) {
                this.problem(name.span, format!("'{n}' is a built-in type"));
            }
        };
        // Type names first, so that fields and signatures can use any of them.
        for item in items.iter() {
            match item {
                Item::Struct(s) => {
                    claim(self, &s.name);
                    self.decls.structs.insert(s.name.text.clone(), Vec::new());
                }
                Item::Enum(e) => {
                    claim(self, &e.name);
                    self.decls.enums.insert(e.name.text.clone(), Vec::new());
                }
                Item::Actor(a) => {
                    claim(self, &a.name);
                    let pi = self.fresh(&a.name.text);
                    self.decls
                        .actors
                        .insert(a.name.text.clone(), ActorSig { params: Vec::new(), handlers: HashMap::new(), pi });
                }
                Item::Fn(f) => claim(self, &f.name),
                Item::Extern(f) => claim(self, &f.name),
                _ => {}
            }
        }
        for item in items.iter_mut() {
            match item {
                Item::Struct(s) => {
                    let fields = self.params(&s.fields);
                    for (name, ty) in &fields {
                        if *ty == Type::Struct(s.name.text.clone()) {
                            let span =
                                s.fields.iter().find(|f| &f.name.text == name).map_or(s.name.span, |f| f.ty.span());
                            self.problem(span, format!("struct {} contains itself (field '{name}')", s.name.text));
                        }
                    }
                    self.decls.structs.insert(s.name.text.clone(), fields);
                }
                Item::Enum(e) => {
                    let mut variants = Vec::new();
                    let mut seen = HashSet::new();
                    for v in &e.variants {
                        if !seen.insert(v.name.text.clone()) {
                            self.problem(v.name.span, format!("variant '{}' is declared twice", v.name.text));
                        }
                        let fields = self.params(&v.fields);
                        if fields.iter().any(|(n, _)| n == "variant") {
                            self.problem(
                                v.name.span,
                                "a variant field cannot be named 'variant' (it holds the variant's name)",
                            );
                        }
                        variants.push((v.name.text.clone(), fields));
                    }
                    self.decls.enums.insert(e.name.text.clone(), variants);
                }
                Item::Fn(f) => {
                    let params = self.params(&f.params);
                    let result = f.result.as_ref().map_or(Type::Unit, |r| self.resolve_type(r));
                    let pi = self.fresh(&f.name.text);
                    f.name.pi = pi.clone();
                    self.decls.fns.insert(
                        f.name.text.clone(),
                        FnSig { params, result, is_async: f.is_async, is_extern: false, pi },
                    );
                }
                Item::Extern(f) => {
                    let params = self.params(&f.params);
                    let result = f.result.as_ref().map_or(Type::Unit, |r| self.resolve_type(r));
                    if is_reserved(&f.name.text, self.natives) && !self.natives.contains_key(&f.name.text) {
                        self.problem(f.name.span, format!("extern fn '{}' names a built-in Pi word", f.name.text));
                    }
                    f.name.pi = f.name.text.clone();
                    self.frame().used.insert(f.name.text.clone());
                    self.decls.fns.insert(
                        f.name.text.clone(),
                        FnSig { params, result, is_async: false, is_extern: true, pi: f.name.text.clone() },
                    );
                }
                Item::Actor(a) => {
                    let params = self.params(&a.params);
                    let mut handlers = HashMap::new();
                    for h in &a.handlers {
                        let hp = self.params(&h.params);
                        let result = h.result.as_ref().map_or(Type::Unit, |r| self.resolve_type(r));
                        if handlers.insert(h.name.text.clone(), (hp, result)).is_some() {
                            self.problem(h.name.span, format!("handler '{}' is declared twice", h.name.text));
                        }
                    }
                    if let Some(sig) = self.decls.actors.get_mut(&a.name.text) {
                        sig.params = params;
                        sig.handlers = handlers;
                        a.name.pi = sig.pi.clone();
                    }
                }
                _ => {}
            }
        }
    }

    /// Checks the top-level statements in order, then every function and actor body.
    pub fn check_items(&mut self, items: &mut [Item]) {
        for item in items.iter_mut() {
            if let Item::Stmt(stmt) = item {
                self.statement(stmt);
            }
        }
        for item in items.iter_mut() {
            match item {
                Item::Fn(f) => {
                    let sig = self.decls.fns.get(&f.name.text).cloned();
                    if let Some(sig) = sig {
                        self.function(f, &sig.params, sig.result.clone());
                    }
                }
                Item::Actor(a) => self.actor(a),
                _ => {}
            }
        }
        if let Some(main) = self.decls.fns.get("main")
            && (!main.params.is_empty() || main.is_extern)
        {
            let span = main_decl(items).map(|f| f.name.span).unwrap_or_default();
            self.problem(span, "main() takes no parameters");
        }
    }

    fn function(&mut self, f: &mut FnDecl, params: &[(String, Type)], result: Type) {
        let body_result = result.clone();
        self.in_activation(result.clone(), |this| {
            for (p, (_, ty)) in f.params.iter_mut().zip(params) {
                this.declare(&mut p.name, ty.clone(), false);
            }
            this.block_in_scope(&mut f.body);
            if body_result != Type::Unit && !body_result.is_unknown() && !always_leaves(&f.body) {
                this.problem(
                    f.name.span,
                    format!("'{}' returns {body_result} but can reach its end without `return`", f.name.text),
                );
            }
        });
    }

    fn actor(&mut self, a: &mut ActorDecl) {
        let Some(sig) = self.decls.actors.get(&a.name.text).cloned() else { return };
        self.in_activation(Type::Unit, |this| {
            for (p, (_, ty)) in a.params.iter_mut().zip(&sig.params) {
                this.declare(&mut p.name, ty.clone(), false);
            }
            for s in &mut a.state {
                this.statement(s);
            }
            for h in &mut a.handlers {
                if let Some((params, result)) = sig.handlers.get(&h.name.text).cloned() {
                    h.name.pi = format!("{}-{}", a.name.text, h.name.text);
                    this.frame().used.insert(h.name.pi.clone());
                    this.function(h, &params, result);
                }
            }
        });
    }

    // ---- statements

    fn block_in_scope(&mut self, stmts: &mut [Stmt]) {
        for s in stmts {
            self.statement(s);
        }
    }

    fn block(&mut self, stmts: &mut [Stmt]) {
        self.push_scope();
        self.block_in_scope(stmts);
        self.pop_scope();
    }

    fn in_loop(&mut self, stmts: &mut [Stmt]) {
        self.frame().loops += 1;
        self.block(stmts);
        self.frame().loops -= 1;
    }

    /// Checks that `e` (already checked) fits `expected`, noting a run-time check for `Any`.
    fn expect_type(&mut self, e: &mut Expr, expected: &Type, what: &str) {
        if e.ty.needs_check(expected) {
            e.cast = Some(expected.clone());
        } else if !e.ty.fits(expected) {
            let hint = match (&e.ty, expected) {
                (Type::Int, Type::Float) => " (use float(…) to convert)",
                (Type::Float, Type::Int) => " (use int(…) to convert)",
                _ => "",
            };
            self.problem(e.span, format!("{what} must be {expected}, not {}{hint}", e.ty));
        }
    }

    fn statement(&mut self, stmt: &mut Stmt) {
        let span = stmt.span;
        match &mut stmt.kind {
            StmtKind::Let { name, mutable, ty, value } => {
                let declared = ty.as_ref().map(|t| self.resolve_type(t));
                self.expr(value);
                let ty = match declared {
                    Some(t) => {
                        self.expect_type(value, &t, &format!("the value of '{}'", name.text));
                        t
                    }
                    None => {
                        if contains_empty(&value.ty) {
                            self.problem(
                                value.span,
                                format!(
                                    "cannot tell the element type of an empty literal: write `let {}: T = …`",
                                    name.text
                                ),
                            );
                            Type::Unknown
                        } else if value.ty == Type::Unit {
                            self.problem(
                                value.span,
                                format!("'{}' would hold Unit: this expression has no value", name.text),
                            );
                            Type::Unknown
                        } else {
                            value.ty.clone()
                        }
                    }
                };
                self.declare(name, ty, *mutable);
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, span),
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::If { arms, otherwise } => {
                for (cond, body) in arms.iter_mut() {
                    self.condition(cond);
                    self.block(body);
                }
                if let Some(other) = otherwise {
                    self.block(other);
                }
            }
            StmtKind::While { cond, body } => {
                self.condition(cond);
                self.in_loop(body);
            }
            StmtKind::For { var, iter, body } => {
                self.expr(iter);
                let elem = match iter.ty.element() {
                    Some(t) => t,
                    None => {
                        self.problem(
                            iter.span,
                            format!("cannot iterate over {} (only arrays, maps and strings)", iter.ty),
                        );
                        Type::Unknown
                    }
                };
                self.push_scope();
                self.declare(var, elem, false);
                self.in_loop(body);
                self.pop_scope();
            }
            StmtKind::Match { subject, arms, temp, exhaustive } => {
                self.expr(subject);
                *temp = self.temp("match");
                *exhaustive = self.match_arms(subject, arms);
            }
            StmtKind::Try { body, var, handler } => {
                self.block(body);
                self.push_scope();
                self.declare(var, Type::Map(Box::new(Type::String), Box::new(Type::Any)), false);
                self.block(handler);
                self.pop_scope();
            }
            StmtKind::Span { name, body } => {
                self.expr(name);
                self.expect_type(name, &Type::String, "a span's name");
                self.block(body);
            }
            StmtKind::Return(value) => {
                let Some(result) = self.frames.last().and_then(|f| f.result.clone()) else {
                    self.problem(span, "`return` outside a function");
                    if let Some(v) = value {
                        self.expr(v);
                    }
                    return;
                };
                match value {
                    Some(v) => {
                        self.expr(v);
                        self.expect_type(v, &result, "the value returned");
                    }
                    None if result != Type::Unit && !result.is_unknown() => {
                        self.problem(span, format!("`return` without a value in a function that returns {result}"));
                    }
                    None => {}
                }
            }
            StmtKind::Break | StmtKind::Continue => {
                if self.frames.last().is_some_and(|f| f.loops == 0) {
                    let what = if matches!(stmt.kind, StmtKind::Break) { "break" } else { "continue" };
                    self.problem(span, format!("`{what}` outside a loop"));
                }
            }
            StmtKind::Throw(e) => {
                self.expr(e);
            }
            StmtKind::Assert(e) => self.condition(e),
            StmtKind::Send(e) => {
                self.expr(e);
                let is_ask = matches!(&e.kind, ExprKind::Call { kind: CallKind::Ask { .. }, .. });
                if !is_ask && !e.ty.is_unknown() {
                    self.problem(e.span, "`send` takes an actor's handler call, as in `send counter.add(1)`");
                }
            }
        }
    }

    fn condition(&mut self, cond: &mut Expr) {
        self.expr(cond);
        self.expect_type(cond, &Type::Bool, "a condition");
    }

    fn assign(&mut self, target: &mut Expr, op: AssignOp, value: &mut Expr, span: Span) {
        self.expr(value);
        let target_ty = match &mut target.kind {
            ExprKind::Name(name) => match self.lookup_var(&name.text).cloned() {
                Some(var) => {
                    name.pi = var.pi.clone();
                    if !var.mutable {
                        self.problem(
                            name.span,
                            format!("cannot assign to '{}': it is immutable (declare it with `let mut`)", name.text),
                        );
                    }
                    var.ty
                }
                None => {
                    let what = match self.named(&name.text) {
                        Named::Undefined => format!("undefined name '{}'", name.text),
                        _ => format!("cannot assign to '{}': it is not a variable", name.text),
                    };
                    self.problem(name.span, what);
                    Type::Unknown
                }
            },
            ExprKind::Member { .. } | ExprKind::Index { .. } => {
                self.expr(target);
                if let ExprKind::Index { target: inner, .. } = &target.kind
                    && inner.ty == Type::String
                {
                    self.problem(target.span, "cannot assign to a character: strings are immutable");
                }
                target.ty.clone()
            }
            _ => {
                self.problem(target.span, "cannot assign to this");
                Type::Unknown
            }
        };
        target.ty = target_ty.clone();
        let result = match op {
            AssignOp::Set => None,
            AssignOp::Add => Some(BinaryOp::Add),
            AssignOp::Sub => Some(BinaryOp::Sub),
            AssignOp::Mul => Some(BinaryOp::Mul),
            AssignOp::Div => Some(BinaryOp::Div),
            AssignOp::Mod => Some(BinaryOp::Mod),
        };
        match result {
            None => self.expect_type(value, &target_ty, "the value assigned"),
            Some(op) => {
                let t = self.binary_type(op, &target_ty, &value.ty, span);
                if !t.fits(&target_ty) {
                    self.problem(span, format!("`{}=` gives {t}, which does not fit {target_ty}", spelled(op)));
                }
            }
        }
    }

    /// Checks a match's arms; whether they cover every value (a `_`, or every variant).
    fn match_arms(&mut self, subject: &Expr, arms: &mut [Arm]) -> bool {
        let enum_name = match &subject.ty {
            Type::Enum(name) => Some(name.clone()),
            _ => None,
        };
        let variants = enum_name.as_ref().and_then(|e| self.decls.enums.get(e).cloned());
        let mut covered: HashSet<String> = HashSet::new();
        let mut wildcard = false;
        for arm in arms.iter_mut() {
            self.push_scope();
            match &mut arm.pattern {
                Pattern::Wildcard(_) => wildcard = true,
                Pattern::Variant { enum_name: written, name, binds, fields: field_names, span } => {
                    let Some(variants) = &variants else {
                        if !subject.ty.is_unknown() {
                            self.problem(
                                *span,
                                format!("a variant pattern needs an enum, but this match is on {}", subject.ty),
                            );
                        }
                        for b in binds.iter_mut() {
                            self.declare(b, Type::Unknown, false);
                        }
                        self.block(&mut arm.body);
                        self.pop_scope();
                        continue;
                    };
                    let enum_name = enum_name.clone().unwrap_or_default();
                    if let Some(written) = written
                        && written.text != enum_name
                    {
                        self.problem(written.span, format!("this match is on {enum_name}, not {}", written.text));
                    }
                    match variants.iter().find(|(v, _)| *v == name.text) {
                        None => {
                            self.problem(name.span, format!("{enum_name} has no variant '{}'", name.text));
                            for b in binds.iter_mut() {
                                self.declare(b, Type::Unknown, false);
                            }
                        }
                        Some((_, fields)) => {
                            *field_names = fields.iter().map(|(f, _)| f.clone()).collect();
                            covered.insert(name.text.clone());
                            if binds.len() != fields.len() {
                                self.problem(
                                    *span,
                                    format!(
                                        "{} has {} field(s) but the pattern names {}",
                                        name.text,
                                        fields.len(),
                                        binds.len()
                                    ),
                                );
                            }
                            for (i, b) in binds.iter_mut().enumerate() {
                                let ty = fields.get(i).map_or(Type::Unknown, |(_, t)| t.clone());
                                self.declare(b, ty, false);
                            }
                        }
                    }
                }
                Pattern::Literal(lit) => {
                    self.expr(lit);
                    if !lit.ty.fits(&subject.ty) {
                        self.problem(
                            lit.span,
                            format!("this pattern is {} but the match is on {}", lit.ty, subject.ty),
                        );
                    }
                }
            }
            self.block(&mut arm.body);
            self.pop_scope();
        }
        if wildcard {
            return true;
        }
        if let Some(variants) = &variants {
            let missing: Vec<&str> =
                variants.iter().filter(|(v, _)| !covered.contains(v)).map(|(v, _)| v.as_str()).collect();
            if missing.is_empty() {
                return true;
            } else {
                self.problem(
                    subject.span,
                    format!(
                        "this match on {} misses variant(s) {} (add them or `_`)",
                        enum_name.unwrap_or_default(),
                        missing.join(", ")
                    ),
                );
            }
        }
        false
    }
}

/// Whether the type holds the element type of an empty literal.
fn contains_empty(t: &Type) -> bool {
    match t {
        Type::Empty => true,
        Type::Array(e) | Type::Future(e) | Type::Channel(e) => contains_empty(e),
        Type::Map(k, v) => contains_empty(k) || contains_empty(v),
        _ => false,
    }
}

/// Whether running `body` always ends in `return` or `throw` (so it cannot fall off its
/// end).
pub fn always_leaves(body: &[Stmt]) -> bool {
    body.last().is_some_and(|last| match &last.kind {
        StmtKind::Return(_) | StmtKind::Throw(_) => true,
        StmtKind::If { arms, otherwise: Some(other) } => {
            arms.iter().all(|(_, b)| always_leaves(b)) && always_leaves(other)
        }
        StmtKind::Match { arms, exhaustive, .. } => *exhaustive && arms.iter().all(|a| always_leaves(&a.body)),
        StmtKind::Try { body, handler, .. } => always_leaves(body) && always_leaves(handler),
        StmtKind::Span { body, .. } => always_leaves(body),
        StmtKind::While { cond: Expr { kind: ExprKind::Bool(true), .. }, body } => !contains_break(body),
        _ => false,
    })
}

fn contains_break(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::Break => true,
        StmtKind::If { arms, otherwise } => {
            arms.iter().any(|(_, b)| contains_break(b)) || otherwise.as_deref().is_some_and(contains_break)
        }
        StmtKind::Match { arms, .. } => arms.iter().any(|a| contains_break(&a.body)),
        StmtKind::Try { body, handler, .. } => contains_break(body) || contains_break(handler),
        StmtKind::Span { body, .. } => contains_break(body),
        _ => false,
    })
}
