//! The checker's half for expressions: names, operators, literals, lambdas, and calls —
//! of functions, built-ins, constructors, actor handlers and channel operations — each
//! given its type and, for a call, what it calls.

use std::collections::HashMap;

use vm_core::Span;

use super::{Checker, Named, contains_empty};
use crate::ast::*;
use crate::builtins;
use crate::types::Type;

impl Checker<'_> {
    pub(super) fn expr(&mut self, e: &mut Expr) {
        let span = e.span;
        let ty = match &mut e.kind {
            ExprKind::Int(_) => Type::Int,
            ExprKind::Float(_) => Type::Float,
            ExprKind::Str(_) => Type::String,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Name(name) => match self.named(&name.text) {
                Named::Var(ty, pi) | Named::Function(ty, pi) => {
                    name.pi = pi;
                    ty
                }
                Named::Struct | Named::Enum | Named::Actor => {
                    self.problem(span, format!("'{}' is a type: construct a value, as in {}(…)", name.text, name.text));
                    Type::Unknown
                }
                Named::Builtin => {
                    self.problem(
                        span,
                        format!("'{}' is a built-in function: call it, as in {}(…)", name.text, name.text),
                    );
                    Type::Unknown
                }
                Named::Undefined => {
                    // A bare variant without fields is a value (`Red`).
                    match self.variant(&name.text) {
                        Ok((enum_name, fields)) => {
                            if fields.is_empty() {
                                e.kind = ExprKind::Call {
                                    callee: Box::new(Expr::new(ExprKind::Name(name.clone()), span)),
                                    args: Vec::new(),
                                    kind: CallKind::Construct { fields: Vec::new(), variant: Some(name.text.clone()) },
                                };
                                e.ty = Type::Enum(enum_name);
                                return;
                            }
                            self.problem(
                                span,
                                format!("variant '{}' has fields: construct it, as in {}(…)", name.text, name.text),
                            );
                            Type::Unknown
                        }
                        Err(message) => {
                            self.problem(span, message);
                            Type::Unknown
                        }
                    }
                }
            },
            ExprKind::Array(items) => {
                let mut elem = Type::Empty;
                for item in items.iter_mut() {
                    self.expr(item);
                    // `[[], [1]]`: a later element may tell what an empty one could not.
                    if elem == Type::Empty || elem.is_unknown() || (contains_empty(&elem) && item.ty.fits(&elem)) {
                        elem = item.ty.clone();
                    } else if !item.ty.fits(&elem) {
                        self.problem(
                            item.span,
                            format!("an array's elements must all be {elem}; this one is {}", item.ty),
                        );
                    }
                }
                Type::Array(Box::new(elem))
            }
            ExprKind::Map(entries) => {
                let (mut kt, mut vt) = (Type::Empty, Type::Empty);
                for (k, v) in entries.iter_mut() {
                    self.expr(k);
                    self.expr(v);
                    for (t, x, what) in [(&mut kt, &*k, "keys"), (&mut vt, &*v, "values")] {
                        if *t == Type::Empty || t.is_unknown() {
                            *t = x.ty.clone();
                        } else if !x.ty.fits(t) {
                            self.problem(x.span, format!("a map's {what} must all be {t}; this one is {}", x.ty));
                        }
                    }
                }
                if !matches!(kt, Type::String | Type::Int | Type::Bool | Type::Empty | Type::Unknown | Type::Any) {
                    self.problem(span, format!("a map key must be String, Int or Bool, not {kt}"));
                }
                Type::Map(Box::new(kt), Box::new(vt))
            }
            ExprKind::Unary { op, operand } => {
                self.expr(operand);
                let t = operand.ty.clone();
                match op {
                    UnaryOp::Neg => match t {
                        Type::Int | Type::Float | Type::Unknown => t,
                        Type::Any => {
                            operand.cast = None;
                            Type::Any
                        }
                        other => {
                            self.problem(span, format!("`-` needs Int or Float, not {other}"));
                            Type::Unknown
                        }
                    },
                    UnaryOp::Not => {
                        self.expect_type(operand, &Type::Bool, "the operand of `not`");
                        Type::Bool
                    }
                    UnaryOp::BitNot => {
                        self.expect_type(operand, &Type::Int, "the operand of `~`");
                        Type::Int
                    }
                    UnaryOp::Await => match t {
                        Type::Future(inner) => *inner,
                        Type::Unknown => Type::Unknown,
                        Type::Any => Type::Any,
                        other => {
                            self.problem(span, format!("`await` needs a future, not {other}"));
                            Type::Unknown
                        }
                    },
                    UnaryOp::Spawn => {
                        if !matches!(operand.kind, ExprKind::Call { .. }) {
                            self.problem(span, "`spawn` takes a call, as in `spawn work(1)`");
                        }
                        Type::Future(Box::new(t))
                    }
                }
            }
            ExprKind::Binary { op, left, right } => {
                // A chain `a + b + c …` nests to the left: check it with a work list.
                let op = *op;
                self.expr(left);
                self.expr(right);
                let t = self.binary_type(op, &left.ty, &right.ty, span);
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    self.expect_type(left, &Type::Bool, &format!("the left of `{}`", spelled(op)));
                    self.expect_type(right, &Type::Bool, &format!("the right of `{}`", spelled(op)));
                }
                t
            }
            ExprKind::Call { .. } => self.call(e),
            ExprKind::Member { target, name } => {
                // `Shape.Red`: a variant without fields.
                if let ExprKind::Name(enum_name) = &target.kind
                    && self.lookup_var(&enum_name.text).is_none()
                    && self.decls.enums.contains_key(&enum_name.text)
                {
                    let enum_name = enum_name.text.clone();
                    let variants = self.decls.enums.get(&enum_name).cloned().unwrap_or_default();
                    match variants.iter().find(|(v, _)| *v == name.text) {
                        Some((_, fields)) if fields.is_empty() => {
                            let variant = name.text.clone();
                            e.kind = ExprKind::Call {
                                callee: Box::new(Expr::new(ExprKind::Name(name.clone()), span)),
                                args: Vec::new(),
                                kind: CallKind::Construct { fields: Vec::new(), variant: Some(variant) },
                            };
                            e.ty = Type::Enum(enum_name);
                            return;
                        }
                        Some(_) => {
                            self.problem(
                                span,
                                format!(
                                    "variant '{}' has fields: construct it, as in {enum_name}.{}(…)",
                                    name.text, name.text
                                ),
                            );
                        }
                        None => self.problem(name.span, format!("{enum_name} has no variant '{}'", name.text)),
                    }
                    e.ty = Type::Unknown;
                    return;
                }
                self.expr(target);
                match &target.ty {
                    Type::Struct(s) => {
                        let fields = self.decls.structs.get(s).cloned().unwrap_or_default();
                        match fields.iter().find(|(f, _)| *f == name.text) {
                            Some((_, t)) => t.clone(),
                            None => {
                                self.problem(name.span, format!("{s} has no field '{}'", name.text));
                                Type::Unknown
                            }
                        }
                    }
                    Type::Any | Type::Unknown => Type::Any,
                    Type::Actor(a) => {
                        self.problem(
                            span,
                            format!("'{}' of actor {a} is a handler: call it, as in x.{}(…)", name.text, name.text),
                        );
                        Type::Unknown
                    }
                    other => {
                        self.problem(name.span, format!("{other} has no field '{}'", name.text));
                        Type::Unknown
                    }
                }
            }
            ExprKind::Index { target, index } => {
                self.expr(target);
                self.expr(index);
                match target.ty.clone() {
                    Type::Array(elem) => {
                        self.expect_type(index, &Type::Int, "an array index");
                        *elem
                    }
                    Type::String => {
                        self.expect_type(index, &Type::Int, "a string index");
                        Type::String
                    }
                    Type::Map(k, v) => {
                        self.expect_type(index, &k, "the key");
                        *v
                    }
                    Type::Any | Type::Unknown => Type::Any,
                    other => {
                        self.problem(span, format!("cannot index {other}"));
                        Type::Unknown
                    }
                }
            }
            ExprKind::Lambda { params, result, body } => {
                let declared: Vec<(String, Type)> = self.params(params);
                let result_ty = result.as_ref().map(|r| self.resolve_type(r));
                let frame_result = result_ty.clone().unwrap_or(Type::Unknown);
                let body_ty = self.in_activation(frame_result, |this| {
                    for (p, (_, ty)) in params.iter_mut().zip(&declared) {
                        this.declare(&mut p.name, ty.clone(), false);
                    }
                    this.expr(body);
                    if let Some(r) = &result_ty {
                        this.expect_type(body, r, "the lambda's result");
                    }
                    body.ty.clone()
                });
                let result = result_ty.unwrap_or(body_ty);
                Type::Fn(declared.into_iter().map(|(_, t)| t).collect(), Box::new(result))
            }
            ExprKind::Channel { elem, capacity } => {
                let t = self.resolve_type(elem);
                self.expr(capacity);
                self.expect_type(capacity, &Type::Int, "a channel's capacity");
                Type::Channel(Box::new(t))
            }
        };
        e.ty = ty;
    }

    /// The enum a bare variant name belongs to, and its fields; an error message when no
    /// enum or several have it.
    pub(super) fn variant(&self, name: &str) -> Result<(String, Vec<(String, Type)>), String> {
        let mut found: Vec<(String, Vec<(String, Type)>)> = Vec::new();
        for (enum_name, variants) in &self.decls.enums {
            if let Some((_, fields)) = variants.iter().find(|(v, _)| v == name) {
                found.push((enum_name.clone(), fields.clone()));
            }
        }
        match found.len() {
            0 => Err(format!("undefined name '{name}'")),
            1 => Ok(found.remove(0)),
            _ => {
                let mut enums: Vec<String> = found.into_iter().map(|(e, _)| format!("{e}.{name}")).collect();
                enums.sort();
                Err(format!("'{name}' is a variant of several enums: write {}", enums.join(" or ")))
            }
        }
    }

    pub(super) fn binary_type(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span) -> Type {
        use BinaryOp::*;
        if l.is_unknown() || r.is_unknown() {
            return match op {
                Eq | Ne | Lt | Le | Gt | Ge | And | Or => Type::Bool,
                _ => Type::Unknown,
            };
        }
        let same = |a: &Type, b: &Type| a.fits(b) && b.fits(a);
        let mismatch = |this: &mut Self, what: &str| {
            let hint = if matches!((l, r), (Type::Int, Type::Float) | (Type::Float, Type::Int)) {
                " (no implicit conversion: use float(…) or int(…))"
            } else {
                ""
            };
            this.problem(span, format!("`{}` {what}, not {l} and {r}{hint}", spelled(op)));
            Type::Unknown
        };
        match op {
            Add => match (l, r) {
                (Type::Int, Type::Int) => Type::Int,
                (Type::Float, Type::Float) => Type::Float,
                (Type::String, Type::String) => Type::String,
                (Type::Array(_), Type::Array(_)) if same(l, r) => l.clone(),
                // What an `Any` holds is known only at run time: so is the sum.
                (Type::Any, _) | (_, Type::Any) => Type::Any,
                _ => mismatch(self, "needs two Ints, two Floats, two Strings or two arrays of one type"),
            },
            Sub | Mul | Div | Mod => match (l, r) {
                (Type::Int, Type::Int) => Type::Int,
                (Type::Float, Type::Float) => Type::Float,
                (Type::Any, t) | (t, Type::Any) if t.is_numeric() || *t == Type::Any => Type::Any,
                _ => mismatch(self, "needs two Ints or two Floats"),
            },
            Lt | Le | Gt | Ge => match (l, r) {
                (Type::Int, Type::Int) | (Type::Float, Type::Float) | (Type::String, Type::String) => Type::Bool,
                (Type::Any, _) | (_, Type::Any) => Type::Bool,
                _ => mismatch(self, "compares two Ints, two Floats or two Strings"),
            },
            Eq | Ne => {
                if same(l, r) {
                    Type::Bool
                } else {
                    mismatch(self, "compares two values of one type")
                }
            }
            And | Or => Type::Bool,
            BitOr | BitXor | BitAnd | Shl | Shr => match (l, r) {
                (Type::Int | Type::Any, Type::Int | Type::Any) => Type::Int,
                _ => mismatch(self, "needs two Ints"),
            },
        }
    }

    /// Checks `args` against parameter types, by position.
    pub(super) fn args_against(&mut self, args: &mut [Arg], params: &[(String, Type)], what: &str, span: Span) {
        if args.len() != params.len() {
            self.problem(span, format!("{what} takes {} argument(s) but is given {}", params.len(), args.len()));
        }
        for (arg, (pname, pty)) in args.iter_mut().zip(params) {
            if let Some(name) = &arg.name
                && name.text != *pname
            {
                self.problem(name.span, format!("{what} has no parameter '{}' here (expected '{pname}')", name.text));
            }
            self.expect_type(&mut arg.value, pty, &format!("argument '{pname}'"));
        }
    }

    pub(super) fn call(&mut self, e: &mut Expr) -> Type {
        let span = e.span;
        let ExprKind::Call { callee, args, kind } = &mut e.kind else { return Type::Unknown };
        for a in args.iter_mut() {
            self.expr(&mut a.value);
        }
        // A name: a variable, a function, a type, a variant, an actor or a built-in.
        if let ExprKind::Name(name) = &mut callee.kind {
            match self.named(&name.text) {
                Named::Var(ty, pi) => {
                    name.pi = pi;
                    callee.ty = ty.clone();
                    *kind = CallKind::Function;
                    return self.call_value(&ty, args, &format!("'{}'", name.text), span);
                }
                Named::Function(ty, pi) => {
                    name.pi = pi;
                    callee.ty = ty.clone();
                    let Some(sig) = self.decls.fns.get(&name.text).cloned() else { return Type::Unknown };
                    *kind = if sig.is_extern { CallKind::Extern } else { CallKind::Function };
                    self.args_against(args, &sig.params, &format!("'{}'", name.text), span);
                    return if sig.is_async { Type::Future(Box::new(sig.result)) } else { sig.result };
                }
                Named::Struct => {
                    let fields = self.decls.structs.get(&name.text).cloned().unwrap_or_default();
                    *kind = self.construct(args, &fields, None, &name.text, span);
                    return Type::Struct(name.text.clone());
                }
                Named::Actor => {
                    let sig = self.decls.actors.get(&name.text).cloned();
                    if let Some(sig) = sig {
                        name.pi = sig.pi.clone();
                        self.args_against(args, &sig.params, &format!("actor {}", name.text), span);
                    }
                    *kind = CallKind::StartActor;
                    return Type::Actor(name.text.clone());
                }
                Named::Builtin => {
                    let b = builtins::lookup(&name.text).expect("a built-in");
                    *kind = CallKind::Builtin(b.name);
                    if args.len() < b.min || args.len() > b.max {
                        self.problem(
                            span,
                            format!("{} takes {} argument(s) but is given {}", b.signature, b.min, args.len()),
                        );
                        return Type::Unknown;
                    }
                    if let Some(a) = args.iter().find(|a| a.name.is_some()) {
                        self.problem(a.value.span, format!("{} takes no named arguments", b.name));
                    }
                    let types: Vec<Type> = args.iter().map(|a| a.value.ty.clone()).collect();
                    return match (b.rule)(&types) {
                        Ok(t) => t,
                        Err(message) => {
                            self.problem(span, format!("{}: {message}", b.signature));
                            Type::Unknown
                        }
                    };
                }
                Named::Enum => {
                    self.problem(
                        span,
                        format!(
                            "'{}' is an enum: construct one of its variants, as in {}.Variant(…)",
                            name.text, name.text
                        ),
                    );
                    return Type::Unknown;
                }
                Named::Undefined => match self.variant(&name.text) {
                    Ok((enum_name, fields)) => {
                        *kind = self.construct(args, &fields, Some(name.text.clone()), &name.text, span);
                        return Type::Enum(enum_name);
                    }
                    Err(message) => {
                        self.problem(name.span, message);
                        return Type::Unknown;
                    }
                },
            }
        }
        // `Enum.Variant(…)`, `actor.handler(…)`, `channel.op(…)`.
        if let ExprKind::Member { target, name } = &mut callee.kind {
            if let ExprKind::Name(enum_name) = &target.kind
                && self.lookup_var(&enum_name.text).is_none()
                && self.decls.enums.contains_key(&enum_name.text)
            {
                let enum_name = enum_name.text.clone();
                let variants = self.decls.enums.get(&enum_name).cloned().unwrap_or_default();
                let Some((_, fields)) = variants.iter().find(|(v, _)| *v == name.text) else {
                    self.problem(name.span, format!("{enum_name} has no variant '{}'", name.text));
                    return Type::Unknown;
                };
                *kind = self.construct(args, fields, Some(name.text.clone()), &name.text, span);
                return Type::Enum(enum_name);
            }
            self.expr(target);
            match target.ty.clone() {
                Type::Actor(a) => {
                    let sig = self.decls.actors.get(&a).cloned();
                    let Some((params, reply)) = sig.and_then(|s| s.handlers.get(&name.text).cloned()) else {
                        self.problem(name.span, format!("actor {a} has no handler '{}'", name.text));
                        return Type::Unknown;
                    };
                    self.args_against(args, &params, &format!("{a}.{}", name.text), span);
                    *kind = CallKind::Ask { handler: name.text.clone() };
                    return Type::Future(Box::new(reply));
                }
                Type::Channel(elem) => {
                    let (op, params, result): (&'static str, Vec<(String, Type)>, Type) = match name.text.as_str() {
                        "send" => ("send", vec![("x".to_string(), (*elem).clone())], Type::Unit),
                        "recv" => ("recv", Vec::new(), (*elem).clone()),
                        "close" => ("close", Vec::new(), Type::Unit),
                        other => {
                            self.problem(name.span, format!("a channel has send, recv and close, not '{other}'"));
                            return Type::Unknown;
                        }
                    };
                    self.args_against(args, &params, &format!("{}.{}", target.ty, name.text), span);
                    *kind = CallKind::ChannelOp(op);
                    return result;
                }
                Type::Unknown => return Type::Unknown,
                _ => {}
            }
            // A field holding a function: fall through to a call of the value.
            let field_ty = {
                let mut member =
                    Expr::new(ExprKind::Member { target: target.clone(), name: name.clone() }, callee.span);
                self.expr_member_type(&mut member)
            };
            callee.ty = field_ty.clone();
            *kind = CallKind::Function;
            return self.call_value(&field_ty, args, &format!("'{}'", name.text), span);
        }
        self.expr(callee);
        *kind = CallKind::Function;
        let ty = callee.ty.clone();
        self.call_value(&ty, args, "this function", span)
    }

    pub(super) fn expr_member_type(&mut self, member: &mut Expr) -> Type {
        if let ExprKind::Member { target, name } = &member.kind {
            if let Type::Struct(s) = &target.ty {
                let fields = self.decls.structs.get(s).cloned().unwrap_or_default();
                if let Some((_, t)) = fields.iter().find(|(f, _)| *f == name.text) {
                    return t.clone();
                }
                self.problem(name.span, format!("{s} has no field '{}'", name.text));
                return Type::Unknown;
            }
            if matches!(target.ty, Type::Any) {
                return Type::Any;
            }
            self.problem(name.span, format!("{} has no method or field '{}'", target.ty, name.text));
        }
        Type::Unknown
    }

    pub(super) fn call_value(&mut self, ty: &Type, args: &mut [Arg], what: &str, span: Span) -> Type {
        match ty {
            Type::Fn(params, result) => {
                let params: Vec<(String, Type)> =
                    params.iter().enumerate().map(|(i, t)| (format!("#{}", i + 1), t.clone())).collect();
                if args.len() != params.len() {
                    self.problem(
                        span,
                        format!("{what} takes {} argument(s) but is given {}", params.len(), args.len()),
                    );
                }
                for (arg, (_, pty)) in args.iter_mut().zip(&params) {
                    self.expect_type(&mut arg.value, pty, &format!("an argument of {what}"));
                }
                (**result).clone()
            }
            Type::Any | Type::Unknown => Type::Any,
            other => {
                self.problem(span, format!("{what} is {other}, not a function"));
                Type::Unknown
            }
        }
    }

    /// A struct or variant built from `args`, by name (`x: 1.0`) or by position.
    pub(super) fn construct(
        &mut self,
        args: &mut [Arg],
        fields: &[(String, Type)],
        variant: Option<String>,
        what: &str,
        span: Span,
    ) -> CallKind {
        let named = args.iter().filter(|a| a.name.is_some()).count();
        let mut order = Vec::new();
        if named > 0 && named < args.len() {
            self.problem(span, format!("{what}(…): name every field or none"));
        }
        if named == args.len() && named > 0 {
            let mut given: HashMap<String, usize> = HashMap::new();
            for (i, a) in args.iter().enumerate() {
                let n = a.name.as_ref().map(|n| n.text.clone()).unwrap_or_default();
                if !fields.iter().any(|(f, _)| *f == n) {
                    let at = a.name.as_ref().map_or(span, |n| n.span);
                    self.problem(at, format!("{what} has no field '{n}'"));
                } else if given.insert(n.clone(), i).is_some() {
                    let at = a.name.as_ref().map_or(span, |n| n.span);
                    self.problem(at, format!("field '{n}' is given twice"));
                }
            }
            for (f, t) in fields {
                match given.get(f) {
                    Some(&i) => {
                        self.expect_type(&mut args[i].value, t, &format!("field '{f}'"));
                        order.push((f.clone(), i));
                    }
                    None => self.problem(span, format!("{what}(…) is missing field '{f}'")),
                }
            }
        } else {
            if args.len() != fields.len() {
                self.problem(span, format!("{what} has {} field(s) but is given {}", fields.len(), args.len()));
            }
            for (i, (a, (f, t))) in args.iter_mut().zip(fields).enumerate() {
                self.expect_type(&mut a.value, t, &format!("field '{f}'"));
                order.push((f.clone(), i));
            }
        }
        CallKind::Construct { fields: order, variant }
    }
}
