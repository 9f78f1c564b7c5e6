//! Translates a checked Stark tree into the Pi AST. Every Pi node carries the span of the
//! Stark construct it came from, so runtime errors point into the Stark source.
//!
//! The calling convention is Rho's (a Stark function is a Rho function and the reverse):
//! arguments pushed left to right, then their count and the function, then `call`. Values:
//! a struct is a map of its fields; an enum value a map with `"variant"` and the variant's
//! fields; an actor is a §6 actor whose messages are `["handler" args…]`; an `async fn`
//! is a function whose body runs as a task (`{ … } spawn`).

use lang_pi::{Node, NodeKind};
use vm_core::Span;

use crate::ast::*;
use crate::builtins;
use crate::check::{Declarations, always_leaves};
use crate::types::Type;

/// The name, in an actor's constructor, of the message being handled.
const MESSAGE: &str = "actor-message";

/// Translates checked `items`. With `run_main`, a `main` the items declare is called after
/// the top-level statements; with `interactive`, a program that is one expression leaves
/// its value.
pub fn translate(items: &[Item], decls: &Declarations, run_main: bool, interactive: bool) -> Vec<Node> {
    let mut out = Vec::new();
    let t = Translator;
    for item in items {
        let start = out.len();
        match item {
            Item::Import(import) => {
                out.push(node(NodeKind::Str(import.path.clone()), import.span));
                out.push(word("import", import.span));
                out.push(word("bind_all", import.span));
            }
            Item::Fn(f) => {
                t.function(&f.params, &f.body, f.is_async, f.span, &mut out);
                out.push(quoted(&f.name.pi, f.name.span));
                out.push(word("let", f.span));
            }
            Item::Actor(a) => {
                t.actor(a, &mut out);
                out.push(quoted(&a.name.pi, a.name.span));
                out.push(word("let", a.span));
            }
            _ => {}
        }
        mark_new_line(&mut out, start);
    }
    let statements: Vec<&Stmt> = items
        .iter()
        .filter_map(|i| match i {
            Item::Stmt(s) => Some(&**s),
            _ => None,
        })
        .collect();
    match statements.as_slice() {
        [Stmt { kind: StmtKind::Expr(e), .. }] if interactive && items.len() == 1 && e.ty != Type::Unit => {
            t.expr(e, &mut out);
        }
        _ => {
            for s in statements {
                let start = out.len();
                t.statement(s, &mut out);
                mark_new_line(&mut out, start);
            }
        }
    }
    if run_main
        && let Some(declared) = main_decl(items)
        && let Some(main) = decls.fns.get("main")
    {
        let span = declared.name.span;
        out.push(node(NodeKind::Int(0), span).on_new_line());
        out.push(word(&main.pi, span));
        out.push(word("call", span));
        // An `async fn main` runs as a task: the program ends when it does.
        if main.is_async {
            out.push(word("await", span));
        }
        out.push(word("drop", span));
    }
    out
}

fn mark_new_line(out: &mut [Node], start: usize) {
    if let Some(first) = out.get_mut(start) {
        first.newline = true;
    }
}

fn node(kind: NodeKind, span: Span) -> Node {
    Node::new(kind, span)
}

fn word(text: &str, span: Span) -> Node {
    Node::word(text, span)
}

fn quoted(name: &str, span: Span) -> Node {
    Node::new(NodeKind::Name(name.into()), span)
}

fn block(nodes: Vec<Node>, span: Span) -> Node {
    Node::new(NodeKind::Block(nodes), span)
}

fn string(text: &str, span: Span) -> Node {
    node(NodeKind::Str(text.to_string()), span)
}

fn int(i: usize, span: Span) -> Node {
    node(NodeKind::Int(i as i64), span)
}

struct Translator;

impl Translator {
    /// `{ 'pn let … 'p1 let body } n fn`; an async body runs as a task.
    fn function(&self, params: &[Param], body: &[Stmt], is_async: bool, span: Span, out: &mut Vec<Node>) {
        let mut inner = Vec::new();
        for p in params.iter().rev() {
            inner.push(quoted(&p.name.pi, p.name.span));
            inner.push(word("let", p.name.span));
        }
        if is_async {
            let task = self.function_body(body, span);
            inner.push(block(task, span).on_new_line());
            inner.push(word("spawn", span));
        } else {
            inner.extend(self.function_body(body, span));
        }
        out.push(block(inner, span));
        out.push(int(params.len(), span));
        out.push(word("fn", span));
    }

    /// A body that leaves its result: a final `return e` just leaves `e`.
    fn function_body(&self, body: &[Stmt], span: Span) -> Vec<Node> {
        let mut inner = Vec::new();
        match body.split_last() {
            Some((Stmt { kind: StmtKind::Return(value), span: ret_span }, rest)) => {
                self.statements(rest, &mut inner);
                let start = inner.len();
                match value {
                    Some(v) => self.expr(v, &mut inner),
                    None => inner.push(node(NodeKind::Nil, *ret_span)),
                }
                mark_new_line(&mut inner, start);
            }
            _ => {
                self.statements(body, &mut inner);
                if !always_leaves(body) {
                    inner.push(node(NodeKind::Nil, span).on_new_line());
                }
            }
        }
        inner
    }

    /// An actor's constructor: declares its parameters and state, its handlers as local
    /// functions, and starts an actor whose handler dispatches on the message's name.
    fn actor(&self, a: &ActorDecl, out: &mut Vec<Node>) {
        let span = a.span;
        let mut inner = Vec::new();
        for p in a.params.iter().rev() {
            inner.push(quoted(&p.name.pi, p.name.span));
            inner.push(word("let", p.name.span));
        }
        self.statements(&a.state, &mut inner);
        for h in &a.handlers {
            let start = inner.len();
            self.function(&h.params, &h.body, false, h.span, &mut inner);
            inner.push(quoted(&h.name.pi, h.name.span));
            inner.push(word("let", h.span));
            mark_new_line(&mut inner, start);
        }
        let mut dispatch = vec![quoted(MESSAGE, span), word("let", span)];
        for h in &a.handlers {
            let test = vec![
                word(MESSAGE, h.span),
                int(0, h.span),
                word("at", h.span),
                string(&h.name.text, h.span),
                word("==", h.span),
            ];
            dispatch.push(block(test, h.span).on_new_line());
            let mut run = Vec::new();
            for i in 1..=h.params.len() {
                run.extend([word(MESSAGE, h.span), int(i, h.span), word("at", h.span)]);
            }
            run.extend([int(h.params.len(), h.span), word(&h.name.pi, h.span), word("call", h.span)]);
            dispatch.push(block(run, h.span));
        }
        if a.handlers.is_empty() {
            dispatch.push(node(NodeKind::Nil, span));
        } else {
            dispatch.push(int(a.handlers.len(), span));
            dispatch.push(word("ifs", span));
        }
        inner.push(block(dispatch, span).on_new_line());
        inner.extend([int(1, span), word("fn", span), word("actor", span)]);
        out.push(block(inner, span));
        out.push(int(a.params.len(), span));
        out.push(word("fn", span));
    }

    fn statements(&self, stmts: &[Stmt], out: &mut Vec<Node>) {
        for s in stmts {
            let start = out.len();
            self.statement(s, out);
            mark_new_line(out, start);
        }
    }

    fn block_of(&self, stmts: &[Stmt], span: Span) -> Node {
        let mut inner = Vec::new();
        self.statements(stmts, &mut inner);
        block(inner, span)
    }

    fn statement(&self, stmt: &Stmt, out: &mut Vec<Node>) {
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::Let { name, value, .. } => {
                self.expr(value, out);
                out.push(quoted(&name.pi, name.span));
                out.push(word("let", span));
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, span, out),
            StmtKind::Expr(e) => {
                self.expr(e, out);
                if matches!(out.last(), Some(Node { kind: NodeKind::Nil, .. })) {
                    out.pop();
                } else {
                    out.push(word("drop", span));
                }
            }
            StmtKind::If { arms, otherwise } => {
                if let [(cond, then)] = arms.as_slice() {
                    self.expr(cond, out);
                    out.push(self.block_of(then, span));
                    match otherwise {
                        Some(other) => {
                            out.push(self.block_of(other, span));
                            out.push(word("ife", span));
                        }
                        None => out.push(word("if", span)),
                    }
                    return;
                }
                for (cond, then) in arms {
                    let mut test = Vec::new();
                    self.expr(cond, &mut test);
                    out.push(block(test, cond.span).on_new_line());
                    out.push(self.block_of(then, span));
                }
                if let Some(other) = otherwise {
                    out.push(block(vec![node(NodeKind::Bool(true), span)], span).on_new_line());
                    out.push(self.block_of(other, span));
                }
                out.push(int(arms.len() + usize::from(otherwise.is_some()), span));
                out.push(word("ifs", span));
            }
            StmtKind::While { cond, body } => {
                let mut test = Vec::new();
                self.expr(cond, &mut test);
                out.push(block(test, cond.span));
                out.push(self.block_of(body, span));
                out.push(word("while", span));
            }
            StmtKind::For { var, iter, body } => {
                self.expr(iter, out);
                let mut inner = vec![quoted(&var.pi, var.span), word("let", var.span)];
                self.statements(body, &mut inner);
                out.push(block(inner, span));
                out.push(word("each", span));
            }
            StmtKind::Match { subject, arms, temp, .. } => self.match_stmt(subject, arms, temp, span, out),
            StmtKind::Try { body, var, handler } => {
                out.push(self.block_of(body, span));
                let mut inner = vec![quoted(&var.pi, var.span), word("let", var.span)];
                self.statements(handler, &mut inner);
                out.push(block(inner, span));
                out.push(word("try", span));
            }
            StmtKind::Span { name, body } => {
                self.expr(name, out);
                out.push(self.block_of(body, span));
                out.push(word("span", span));
            }
            StmtKind::Return(value) => {
                match value {
                    Some(v) => self.expr(v, out),
                    None => out.push(node(NodeKind::Nil, span)),
                }
                out.push(word("...", span));
            }
            StmtKind::Break => out.push(word("break", span)),
            StmtKind::Continue => out.push(word("continue", span)),
            StmtKind::Throw(e) => {
                self.expr(e, out);
                out.push(word("throw", span));
            }
            StmtKind::Assert(e) => {
                self.expr(e, out);
                out.push(word("assert", span));
            }
            StmtKind::Send(e) => {
                if let ExprKind::Call { callee, args, kind: CallKind::Ask { handler } } = &e.kind {
                    self.message(callee, handler, args, e.span, out);
                    out.push(word("tell", span));
                }
            }
        }
    }

    /// `[ "handler" args… ] actor`: a message and the actor it goes to.
    fn message(&self, callee: &Expr, handler: &str, args: &[Arg], span: Span, out: &mut Vec<Node>) {
        let mut items = vec![string(handler, span)];
        for a in args {
            self.expr(&a.value, &mut items);
        }
        out.push(node(NodeKind::Array(items), span));
        if let ExprKind::Member { target, .. } = &callee.kind {
            self.expr(target, out);
        }
    }

    /// `subject 'match-N let`, then `{ test } { binds body } … n ifs`.
    fn match_stmt(&self, subject: &Expr, arms: &[Arm], temp: &str, span: Span, out: &mut Vec<Node>) {
        self.expr(subject, out);
        out.push(quoted(temp, subject.span));
        out.push(word("let", span));
        for arm in arms {
            let s = arm.span;
            let mut body = Vec::new();
            let test = match &arm.pattern {
                Pattern::Wildcard(_) => vec![node(NodeKind::Bool(true), s)],
                Pattern::Variant { name, binds, fields, .. } => {
                    for (i, b) in binds.iter().enumerate() {
                        let field = fields.get(i).cloned().unwrap_or_default();
                        body.extend([word(temp, b.span), string(&field, b.span), word("at", b.span)]);
                        body.extend([quoted(&b.pi, b.span), word("let", b.span)]);
                    }
                    vec![word(temp, s), string("variant", s), word("at", s), string(&name.text, s), word("==", s)]
                }
                Pattern::Literal(lit) => {
                    let mut t = vec![word(temp, s)];
                    self.expr(lit, &mut t);
                    t.push(word("==", s));
                    t
                }
            };
            self.statements(&arm.body, &mut body);
            out.push(block(test, s).on_new_line());
            out.push(block(body, s));
        }
        out.push(int(arms.len(), span));
        out.push(word("ifs", span));
    }

    fn assign(&self, target: &Expr, op: AssignOp, value: &Expr, span: Span, out: &mut Vec<Node>) {
        let op_word = match op {
            AssignOp::Set => None,
            AssignOp::Add => Some("+"),
            AssignOp::Sub => Some("-"),
            AssignOp::Mul => Some("*"),
            AssignOp::Div => Some("/"),
            AssignOp::Mod => Some("%"),
        };
        match &target.kind {
            ExprKind::Name(name) => {
                if op_word.is_some() {
                    out.push(word(&name.pi, target.span));
                }
                self.expr(value, out);
                if let Some(w) = op_word {
                    out.push(word(w, span));
                }
                out.push(quoted(&name.pi, target.span));
                out.push(word("#", span));
            }
            ExprKind::Member { target: coll, name } => {
                self.expr(coll, out);
                out.push(string(&name.text, name.span));
                self.update(op_word, value, span, out);
            }
            ExprKind::Index { target: coll, index } => {
                self.expr(coll, out);
                self.expr(index, out);
                self.update(op_word, value, span, out);
            }
            _ => {}
        }
    }

    /// With a collection and a key on the stack: set (or update) that element.
    fn update(&self, op_word: Option<&str>, value: &Expr, span: Span, out: &mut Vec<Node>) {
        if op_word.is_some() {
            out.push(word("dup2", span));
            out.push(word("at", span));
        }
        self.expr(value, out);
        if let Some(w) = op_word {
            out.push(word(w, span));
        }
        out.push(word("put", span));
        out.push(word("drop", span));
    }

    /// An expression: leaves exactly one value (`nil` for `Unit`).
    fn expr(&self, e: &Expr, out: &mut Vec<Node>) {
        self.expr_unchecked(e, out);
        if let Some(expected) = &e.cast
            && let Some(name) = expected.pi_type_name()
        {
            check_type(name, &expected.to_string(), e.span, out);
        }
    }

    fn expr_unchecked(&self, e: &Expr, out: &mut Vec<Node>) {
        let span = e.span;
        match &e.kind {
            ExprKind::Int(i) => out.push(node(NodeKind::Int(*i), span)),
            ExprKind::Float(f) => out.push(node(NodeKind::Float(*f), span)),
            ExprKind::Str(s) => out.push(string(s, span)),
            ExprKind::Bool(b) => out.push(node(NodeKind::Bool(*b), span)),
            ExprKind::Name(name) => out.push(word(&name.pi, span)),
            ExprKind::Array(items) => {
                let mut inner = Vec::new();
                for item in items {
                    self.expr(item, &mut inner);
                }
                out.push(node(NodeKind::Array(inner), span));
            }
            ExprKind::Map(entries) => {
                let mut inner = Vec::new();
                for (k, v) in entries {
                    self.expr(k, &mut inner);
                    self.expr(v, &mut inner);
                }
                out.push(node(NodeKind::Array(inner), span));
                out.push(word("tomap", span));
            }
            ExprKind::Unary { op: UnaryOp::Spawn, operand } => self.spawn(operand, span, out),
            ExprKind::Unary { op, operand } => {
                self.expr(operand, out);
                out.push(word(
                    match op {
                        UnaryOp::Neg => "neg",
                        UnaryOp::Not => "not",
                        UnaryOp::BitNot => "bnot",
                        UnaryOp::Await | UnaryOp::Spawn => "await",
                    },
                    span,
                ));
            }
            ExprKind::Binary { .. } => {
                // A chain `a + b + c …` nests to the left: walk it in a loop.
                let mut rest = Vec::new();
                let mut leftmost = e;
                while let ExprKind::Binary { op, left, right } = &leftmost.kind {
                    rest.push((*op, &**right, leftmost.span));
                    leftmost = left;
                }
                self.expr(leftmost, out);
                for (op, right, span) in rest.into_iter().rev() {
                    if let Some(pi_word) = op.pi_word() {
                        self.expr(right, out);
                        out.push(word(pi_word, span));
                        continue;
                    }
                    // `a and b` is `a { b } { false } ife`, `a or b` is `a { true } { b } ife`
                    // (both operands are bools, checked).
                    let mut decides = Vec::new();
                    self.expr(right, &mut decides);
                    let decides = block(decides, span);
                    let decided = |value| block(vec![node(NodeKind::Bool(value), span)], span);
                    match op {
                        BinaryOp::And => out.extend([decides, decided(false)]),
                        _ => out.extend([decided(true), decides]), // `or`
                    }
                    out.push(word("ife", span));
                }
            }
            ExprKind::Call { callee, args, kind } => {
                let translated: Vec<Vec<Node>> = args
                    .iter()
                    .map(|a| {
                        let mut nodes = Vec::new();
                        self.expr(&a.value, &mut nodes);
                        nodes
                    })
                    .collect();
                self.call(callee, translated, kind, &e.ty, span, out);
            }
            ExprKind::Member { target, name } => {
                self.expr(target, out);
                out.push(string(&name.text, name.span));
                out.push(word("at", span));
            }
            ExprKind::Index { target, index } => {
                self.expr(target, out);
                self.expr(index, out);
                out.push(word("at", span));
            }
            ExprKind::Lambda { params, body, .. } => {
                let mut inner = Vec::new();
                for p in params.iter().rev() {
                    inner.push(quoted(&p.name.pi, p.name.span));
                    inner.push(word("let", p.name.span));
                }
                self.expr(body, &mut inner);
                out.push(block(inner, span));
                out.push(int(params.len(), span));
                out.push(word("fn", span));
            }
            ExprKind::Channel { capacity, .. } => {
                self.expr(capacity, out);
                out.push(word("channel", span));
            }
        }
    }

    /// A call whose arguments are `args` (Pi that pushes each).
    fn call(
        &self,
        callee: &Expr,
        args: Vec<Vec<Node>>,
        kind: &CallKind,
        result: &Type,
        span: Span,
        out: &mut Vec<Node>,
    ) {
        let n = args.len();
        match kind {
            CallKind::Builtin(name) => {
                if let Some(b) = builtins::lookup(name) {
                    b.call(args, span, out);
                }
            }
            CallKind::Construct { fields, variant } => {
                let mut items = Vec::new();
                if let Some(v) = variant {
                    items.extend([string("variant", span), string(v, span)]);
                }
                let mut args: Vec<Option<Vec<Node>>> = args.into_iter().map(Some).collect();
                for (field, i) in fields {
                    items.push(string(field, span));
                    items.extend(args.get_mut(*i).and_then(Option::take).unwrap_or_default());
                }
                out.push(node(NodeKind::Array(items), span));
                out.push(word("tomap", span));
            }
            CallKind::Ask { handler } => {
                let mut items = vec![string(handler, span)];
                args.into_iter().for_each(|a| items.extend(a));
                out.push(node(NodeKind::Array(items), span));
                if let ExprKind::Member { target, .. } = &callee.kind {
                    self.expr(target, out);
                }
                out.push(word("ask", span));
            }
            CallKind::ChannelOp(op) => {
                args.into_iter().for_each(|a| out.extend(a));
                if let ExprKind::Member { target, .. } = &callee.kind {
                    self.expr(target, out);
                }
                out.push(word(op, span));
                if *op != "recv" {
                    out.push(node(NodeKind::Nil, span));
                }
            }
            CallKind::Function | CallKind::StartActor | CallKind::Extern | CallKind::Unresolved => {
                if let ExprKind::Name(name) = &callee.kind {
                    args.into_iter().for_each(|a| out.extend(a));
                    out.push(int(n, span));
                    out.push(word(&name.pi, callee.span));
                } else {
                    self.expr(callee, out);
                    args.into_iter().for_each(|a| out.extend(a));
                    out.extend([int(n, span), word("roll", span), int(n, span), word("swap", span)]);
                }
                out.push(word("call", span));
                if *kind == CallKind::Extern
                    && let Some(name) = result.pi_type_name()
                {
                    check_type(name, &result.to_string(), span, out);
                }
            }
        }
    }

    /// `spawn f(args)`: the arguments are evaluated now, the call runs as a task.
    fn spawn(&self, call: &Expr, span: Span, out: &mut Vec<Node>) {
        let ExprKind::Call { callee, args, kind } = &call.kind else {
            self.expr(call, out);
            return;
        };
        // A function value is taken now too, so rebinding its name later changes nothing.
        let takes_callee = matches!(kind, CallKind::Function | CallKind::Extern | CallKind::StartActor);
        if takes_callee {
            self.expr(callee, out);
        }
        let mut names = Vec::new();
        for (i, a) in args.iter().enumerate() {
            self.expr(&a.value, out);
            names.push(format!("spawn-arg-{}", i + 1));
        }
        let mut inner = Vec::new();
        for name in names.iter().rev() {
            inner.push(quoted(name, span));
            inner.push(word("let", span));
        }
        let callee_value;
        let callee = if takes_callee {
            inner.extend([quoted("spawn-callee", span), word("let", span)]);
            let ident = Ident { text: "spawn-callee".to_string(), span, pi: "spawn-callee".to_string() };
            callee_value = Expr::new(ExprKind::Name(ident), callee.span);
            &callee_value
        } else {
            &**callee
        };
        let mut task = Vec::new();
        let args: Vec<Vec<Node>> = names.iter().map(|n| vec![word(n, span)]).collect();
        self.call(callee, args, kind, &call.ty, call.span, &mut task);
        inner.push(block(task, span));
        inner.push(word("spawn", span));
        out.push(block(inner, span));
        out.push(word("&", span));
    }
}

/// Checks at run time that the value on top of the stack has Pi type `name` (a value from
/// Pi or Rho used as a typed Stark value): `dup type "int" != { type "…" swap + ["kind"
/// "type" "message"] swap push tomap throw } if`.
fn check_type(name: &str, shown: &str, span: Span, out: &mut Vec<Node>) {
    let message = format!("expected {shown} (a value from Pi or Rho), got a value of type ");
    let fields = vec![string("kind", span), string("type", span), string("message", span)];
    let raise = vec![
        word("type", span),
        string(&message, span),
        word("swap", span),
        word("+", span),
        node(NodeKind::Array(fields), span),
        word("swap", span),
        word("push", span),
        word("tomap", span),
        word("throw", span),
    ];
    out.extend([
        word("dup", span),
        word("type", span),
        string(name, span),
        word("!=", span),
        block(raise, span),
        word("if", span),
    ]);
}
