//! Translates a Rho AST into the Pi AST. Every Pi node carries the span of the Rho
//! construct it came from, so runtime errors point into the Rho source.
//!
//! The calling convention: a call pushes its arguments left to right, then their count and
//! the function, then `call` (which checks the function's arity and that it leaves exactly
//! one value). A function is a block that declares its parameters with `let`, last first,
//! and is made a function by `fn`. Statements leave nothing on the stack.

use lang_pi::{Node, NodeKind};
use vm_core::{Error, ErrorKind, Natives, Span};

use crate::ast::{AssignOp, BinaryOp, Expr, ExprKind, Ident, Pattern, Stmt, StmtKind, UnaryOp};
use crate::builtins;

/// Translates a program. In `interactive` mode a program that is a single expression
/// leaves its value (the REPL shows it; the `rho` word returns it).
///
/// # Errors
/// A `parse` error for misuse the grammar cannot see (`break` outside a loop, binding a
/// built-in name), an `arity` error for a built-in called with the wrong number of
/// arguments.
pub fn translate(program: &[Stmt], interactive: bool, natives: &Natives) -> Result<Vec<Node>, Error> {
    let mut t = Translator { natives, loops: 0, in_function: false };
    let mut out = Vec::new();
    match program {
        [Stmt { kind: StmtKind::Expr(e), .. }] if interactive => t.expr(e, &mut out)?,
        _ => t.statements(program, &mut out)?,
    }
    Ok(out)
}

struct Translator<'a> {
    natives: &'a Natives,
    /// How many loops enclose the statement, up to the enclosing function.
    loops: usize,
    in_function: bool,
}

fn node(kind: NodeKind, span: Span) -> Node {
    Node::new(kind, span)
}

fn word(text: &str, span: Span) -> Node {
    Node::new(NodeKind::Word(text.into()), span)
}

fn quoted(name: &str, span: Span) -> Node {
    Node::new(NodeKind::Name(name.into()), span)
}

fn block(nodes: Vec<Node>, span: Span) -> Node {
    Node::new(NodeKind::Block(nodes), span)
}

fn error(span: Span, message: String) -> Error {
    Error::new(ErrorKind::Parse, message).with_span(span)
}

/// The Pi word for a compound assignment.
fn assign_word(op: AssignOp) -> &'static str {
    match op {
        AssignOp::Set => "#",
        AssignOp::Add => "+",
        AssignOp::Sub => "-",
        AssignOp::Mul => "*",
        AssignOp::Div => "/",
        AssignOp::Mod => "%",
    }
}

impl Translator<'_> {
    fn statements(&mut self, stmts: &[Stmt], out: &mut Vec<Node>) -> Result<(), Error> {
        for stmt in stmts {
            self.statement_on_new_line(stmt, out)?;
        }
        Ok(())
    }

    fn statement_on_new_line(&mut self, stmt: &Stmt, out: &mut Vec<Node>) -> Result<(), Error> {
        let start = out.len();
        self.statement(stmt, out)?;
        if let Some(first) = out.get_mut(start) {
            first.newline = true;
        }
        Ok(())
    }

    /// Refuses to bind a name that belongs to a built-in word, function or native.
    fn check_bindable(&self, name: &Ident) -> Result<(), Error> {
        if name.text == "pi" {
            // `pi` parses as a name where no block follows, to read the constant.
            return Err(error(name.span, "cannot bind 'pi' (`pi` is a reserved word)".to_string()));
        }
        let what = if builtins::lookup(&name.text).is_some() {
            "a built-in function"
        } else if vm_core::words::lookup(&name.text).is_some() {
            "a built-in Pi word"
        } else if self.natives.contains_key(&name.text) {
            "a native function"
        } else {
            return Ok(());
        };
        Err(error(name.span, format!("cannot bind '{}': it is {what}", name.text)))
    }

    fn block_of(&mut self, stmts: &[Stmt], span: Span) -> Result<Node, Error> {
        let mut inner = Vec::new();
        self.statements(stmts, &mut inner)?;
        Ok(block(inner, span))
    }

    fn in_loop<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        self.loops += 1;
        let result = f(self);
        self.loops -= 1;
        result
    }

    fn statement(&mut self, stmt: &Stmt, out: &mut Vec<Node>) -> Result<(), Error> {
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::Let { name, value } => {
                self.check_bindable(name)?;
                self.expr(value, out)?;
                out.push(quoted(&name.text, name.span));
                out.push(word("let", span));
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, span, out)?,
            StmtKind::Import { path, alias } => {
                self.expr(path, out)?;
                out.push(word("import", span));
                match alias {
                    Some(name) => {
                        self.check_bindable(name)?;
                        out.push(quoted(&name.text, name.span));
                        out.push(word("let", span));
                    }
                    None => out.push(word("bind_all", span)),
                }
            }
            StmtKind::LetMany { names, values, unpack } => {
                for name in names {
                    self.check_bindable(name)?;
                }
                self.values(names.len(), values, *unpack, out)?;
                for name in names.iter().rev() {
                    out.push(quoted(&name.text, name.span));
                    out.push(word("let", span));
                }
            }
            StmtKind::AssignMany { targets, values, unpack } => {
                self.values(targets.len(), values, *unpack, out)?;
                // The values v1 … vn are on the stack: each target but the last takes a copy
                // of its value (`pick`), the last takes vn itself, and the rest are dropped.
                let n = targets.len();
                for (i, target) in targets.iter().enumerate() {
                    if i + 1 < n {
                        out.push(node(NodeKind::Int((n - 1 - i) as i64), target.span));
                        out.push(word("pick", target.span));
                    }
                    self.store_top(target, span, out)?;
                }
                match n - 1 {
                    1 => out.push(word("drop", span)),
                    rest => {
                        out.push(node(NodeKind::Int(rest as i64), span));
                        out.push(word("dropn", span));
                    }
                }
            }
            StmtKind::Expr(e) => {
                self.expr(e, out)?;
                // A value that is a literal `nil` pushed last (`print(x)`) need not be made
                // only to be dropped.
                if matches!(out.last(), Some(Node { kind: NodeKind::Nil, .. })) {
                    out.pop();
                } else {
                    out.push(word("drop", span));
                }
            }
            StmtKind::Fun { name, params, body } => {
                self.check_bindable(name)?;
                self.function(params, body, span, out)?;
                out.push(quoted(&name.text, name.span));
                out.push(word("let", span));
            }
            StmtKind::If { arms, otherwise } => self.if_chain(arms, otherwise.as_deref(), span, out)?,
            StmtKind::While { cond, body } => {
                let mut test = Vec::new();
                self.expr(cond, &mut test)?;
                out.push(block(test, cond.span));
                out.push(self.in_loop(|t| t.block_of(body, span))?);
                out.push(word("while", span));
            }
            StmtKind::DoWhile { body, cond } => {
                // A C-style `for` whose step tests the condition: `{ } { true }
                // { cond not { break } if } { body } for`. The body runs first, and
                // `continue` goes to the step, outside anything the body had entered.
                out.push(block(Vec::new(), span));
                out.push(block(vec![node(NodeKind::Bool(true), span)], span));
                let mut step = Vec::new();
                self.expr(cond, &mut step)?;
                step.push(word("not", cond.span));
                step.push(block(vec![word("break", cond.span)], cond.span));
                step.push(word("if", cond.span));
                out.push(block(step, cond.span));
                out.push(self.in_loop(|t| t.block_of(body, span))?);
                out.push(word("for", span));
            }
            StmtKind::ForIn { var, iter, body } => {
                let mut inner = Vec::new();
                match var {
                    Pattern::Name(name) => {
                        self.check_bindable(name)?;
                        inner.extend([quoted(&name.text, name.span), word("let", name.span)]);
                    }
                    Pattern::Unpack(names, at) => {
                        inner.extend([node(NodeKind::Int(names.len() as i64), *at), word("unpack", *at)]);
                        for name in names.iter().rev() {
                            self.check_bindable(name)?;
                            inner.extend([quoted(&name.text, name.span), word("let", name.span)]);
                        }
                    }
                }
                self.in_loop(|t| t.statements(body, &mut inner))?;
                // Over `range(…)` this is `a b range { … } each`, which Pi compiles to a
                // counting loop that builds no array.
                self.expr(iter, out)?;
                out.push(block(inner, span));
                out.push(word("each", span));
            }
            StmtKind::ForC { init, cond, step, body } => {
                let mut init_nodes = Vec::new();
                if let Some(init) = init {
                    self.for_init(init, &mut init_nodes)?;
                }
                out.push(block(init_nodes, span));
                let mut test = Vec::new();
                match cond {
                    Some(c) => self.expr(c, &mut test)?,
                    None => test.push(node(NodeKind::Bool(true), span)),
                }
                out.push(block(test, span));
                let mut step_nodes = Vec::new();
                if let Some(step) = step {
                    self.statement(step, &mut step_nodes)?;
                }
                out.push(block(step_nodes, span));
                out.push(self.in_loop(|t| t.block_of(body, span))?);
                out.push(word("for", span));
            }
            StmtKind::Try { body, var, handler } => {
                self.check_bindable(var)?;
                out.push(self.block_of(body, span)?);
                let mut inner = vec![quoted(&var.text, var.span), word("let", var.span)];
                self.statements(handler, &mut inner)?;
                out.push(block(inner, span));
                out.push(word("try", span));
            }
            StmtKind::Return(value) => {
                if !self.in_function {
                    return Err(error(span, "`return` outside a function".to_string()));
                }
                match value {
                    Some(v) => self.expr(v, out)?,
                    None => out.push(node(NodeKind::Nil, span)),
                }
                out.push(word("...", span));
            }
            StmtKind::Break | StmtKind::Continue => {
                let what = if matches!(stmt.kind, StmtKind::Break) { "break" } else { "continue" };
                if self.loops == 0 {
                    return Err(error(span, format!("`{what}` outside a loop")));
                }
                out.push(word(what, span));
            }
            StmtKind::Assert(e) => {
                self.expr(e, out)?;
                out.push(word("assert", span));
            }
            StmtKind::Throw(e) => {
                self.expr(e, out)?;
                out.push(word("throw", span));
            }
        }
        Ok(())
    }

    /// `if`: one arm is `c { … } if` or `c { … } { … } ife`; a chain with `else if` is Pi's
    /// flat `{c1} {b1} {c2} {b2} … n ifs`, with `{ true } { … }` for the `else`, so that a
    /// chain of any length nests no deeper than one `if`.
    fn if_chain(
        &mut self,
        arms: &[(Expr, Vec<Stmt>)],
        otherwise: Option<&[Stmt]>,
        span: Span,
        out: &mut Vec<Node>,
    ) -> Result<(), Error> {
        if let [(cond, then)] = arms {
            self.expr(cond, out)?;
            out.push(self.block_of(then, span)?);
            match otherwise {
                Some(other) => {
                    out.push(self.block_of(other, span)?);
                    out.push(word("ife", span));
                }
                None => out.push(word("if", span)),
            }
            return Ok(());
        }
        for (cond, then) in arms {
            let mut test = Vec::new();
            self.expr(cond, &mut test)?;
            out.push(block(test, cond.span).on_new_line());
            out.push(self.block_of(then, span)?);
        }
        if let Some(other) = otherwise {
            out.push(block(vec![node(NodeKind::Bool(true), span)], span).on_new_line());
            out.push(self.block_of(other, span)?);
        }
        let count = arms.len() + usize::from(otherwise.is_some());
        out.push(node(NodeKind::Int(count as i64), span));
        out.push(word("ifs", span));
        Ok(())
    }

    /// The init of a C-style `for`: an assignment to a name declares it (`let`).
    fn for_init(&mut self, init: &Stmt, out: &mut Vec<Node>) -> Result<(), Error> {
        match &init.kind {
            StmtKind::Assign {
                target: Expr { kind: ExprKind::Name(name), span: name_span },
                op: AssignOp::Set,
                value,
            } => {
                let ident = Ident { text: name.clone(), span: *name_span };
                self.check_bindable(&ident)?;
                self.expr(value, out)?;
                out.push(quoted(name, *name_span));
                out.push(word("let", init.span));
                Ok(())
            }
            _ => self.statement(init, out),
        }
    }

    fn assign(
        &mut self,
        target: &Expr,
        op: AssignOp,
        value: &Expr,
        span: Span,
        out: &mut Vec<Node>,
    ) -> Result<(), Error> {
        match &target.kind {
            ExprKind::Name(name) => {
                self.check_bindable(&Ident { text: name.clone(), span: target.span })?;
                if op != AssignOp::Set {
                    self.load(name, target.span, out)?;
                }
                self.expr(value, out)?;
                if op != AssignOp::Set {
                    out.push(word(assign_word(op), span));
                }
                out.push(quoted(name, target.span));
                out.push(word("#", span));
            }
            ExprKind::Index { target: coll, index } => {
                self.expr(coll, out)?;
                self.expr(index, out)?;
                self.update_element(op, value, span, out)?;
            }
            ExprKind::Member { target: coll, name } => {
                self.expr(coll, out)?;
                out.push(node(NodeKind::Str(name.text.clone()), name.span));
                self.update_element(op, value, span, out)?;
            }
            _ => return Err(error(target.span, "cannot assign to this".to_string())),
        }
        Ok(())
    }

    /// Pushes `n` values for several names or targets: the values given, or the elements
    /// of the one array given (an `arity` error at `at` if it has not `n`).
    fn values(&mut self, n: usize, values: &[Expr], at: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        for value in values {
            self.expr(value, out)?;
        }
        if values.len() != n || n == 1 {
            out.push(node(NodeKind::Int(n as i64), at));
            out.push(word("unpack", at));
        }
        Ok(())
    }

    /// Assigns the value on top of the stack to `target` (taking it off).
    fn store_top(&mut self, target: &Expr, span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        match &target.kind {
            ExprKind::Name(name) => {
                self.check_bindable(&Ident { text: name.clone(), span: target.span })?;
                out.push(quoted(name, target.span));
                out.push(word("#", span));
                return Ok(());
            }
            ExprKind::Index { target: coll, index } => {
                self.expr(coll, out)?;
                self.expr(index, out)?;
            }
            ExprKind::Member { target: coll, name } => {
                self.expr(coll, out)?;
                out.push(node(NodeKind::Str(name.text.clone()), name.span));
            }
            _ => return Err(error(target.span, "cannot assign to this".to_string())),
        }
        // value coll key → coll key value
        out.push(word("rot", span));
        out.push(word("put", span));
        out.push(word("drop", span));
        Ok(())
    }

    /// With a collection and a key on the stack: set (or update) that element.
    fn update_element(&mut self, op: AssignOp, value: &Expr, span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        if op != AssignOp::Set {
            out.push(word("dup2", span));
            out.push(word("at", span));
        }
        self.expr(value, out)?;
        if op != AssignOp::Set {
            out.push(word(assign_word(op), span));
        }
        out.push(word("put", span));
        out.push(word("drop", span));
        Ok(())
    }

    /// A function: `{ 'pn let … 'p1 let body } n fn`.
    fn function(&mut self, params: &[Ident], body: &[Stmt], span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        for p in params {
            self.check_bindable(p)?;
        }
        let saved_loops = std::mem::take(&mut self.loops);
        let saved_in = std::mem::replace(&mut self.in_function, true);
        let result = self.function_body(params, body, span);
        self.loops = saved_loops;
        self.in_function = saved_in;
        out.push(block(result?, span));
        out.push(node(NodeKind::Int(params.len() as i64), span));
        out.push(word("fn", span));
        Ok(())
    }

    fn function_body(&mut self, params: &[Ident], body: &[Stmt], span: Span) -> Result<Vec<Node>, Error> {
        let mut inner = Vec::new();
        for p in params.iter().rev() {
            inner.push(quoted(&p.text, p.span));
            inner.push(word("let", p.span));
        }
        match body.split_last() {
            // A final `return e` needs no `...`: the value is simply left.
            Some((Stmt { kind: StmtKind::Return(value), span: ret_span }, rest)) => {
                self.statements(rest, &mut inner)?;
                let start = inner.len();
                match value {
                    Some(v) => self.expr(v, &mut inner)?,
                    None => inner.push(node(NodeKind::Nil, *ret_span)),
                }
                inner[start].newline = true;
            }
            _ => {
                self.statements(body, &mut inner)?;
                inner.push(node(NodeKind::Nil, span).on_new_line());
            }
        }
        Ok(inner)
    }

    /// A name used as a value.
    fn load(&mut self, name: &str, span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        if let Some(builtin) = builtins::lookup(name) {
            let Some(arity) = builtin.value_arity() else {
                return Err(error(
                    span,
                    format!("'{name}' takes a variable number of arguments: call it, as in {name}(…)"),
                ));
            };
            return self.wrap_as_function(name, arity, span, out, |args, span| builtin.call(args, span));
        }
        if let Some(&arity) = self.natives.get(name) {
            let word_name = name.to_string();
            return self.wrap_as_function(name, arity, span, out, move |args, span| {
                let mut nodes: Vec<Node> = args.into_iter().flatten().collect();
                nodes.push(word(&word_name, span));
                nodes
            });
        }
        if vm_core::words::lookup(name).is_some() {
            return Err(error(
                span,
                format!("'{name}' is a Pi word, not a Rho value (Rho has no built-in function of that name)"),
            ));
        }
        out.push(word(name, span));
        Ok(())
    }

    /// A built-in used as a value becomes a function: `{ 'arg-n let … body } n fn`. The
    /// parameter names contain `-`, which Rho names cannot, so they never clash.
    fn wrap_as_function(
        &mut self,
        _name: &str,
        arity: usize,
        span: Span,
        out: &mut Vec<Node>,
        call: impl FnOnce(Vec<Vec<Node>>, Span) -> Vec<Node>,
    ) -> Result<(), Error> {
        let params: Vec<String> = (1..=arity).map(|i| format!("arg-{i}")).collect();
        let mut inner = Vec::new();
        for p in params.iter().rev() {
            inner.push(quoted(p, span));
            inner.push(word("let", span));
        }
        inner.extend(call(params.iter().map(|p| vec![word(p, span)]).collect(), span));
        out.push(block(inner, span));
        out.push(node(NodeKind::Int(arity as i64), span));
        out.push(word("fn", span));
        Ok(())
    }

    /// An expression: leaves exactly one value.
    fn expr(&mut self, e: &Expr, out: &mut Vec<Node>) -> Result<(), Error> {
        let span = e.span;
        match &e.kind {
            ExprKind::Int(i) => out.push(node(NodeKind::Int(*i), span)),
            ExprKind::Float(f) => out.push(node(NodeKind::Float(*f), span)),
            ExprKind::Str(s) => out.push(node(NodeKind::Str(s.clone()), span)),
            ExprKind::Bool(b) => out.push(node(NodeKind::Bool(*b), span)),
            ExprKind::Nil => out.push(node(NodeKind::Nil, span)),
            ExprKind::Name(name) => self.load(name, span, out)?,
            ExprKind::Array(items) => {
                let mut inner = Vec::new();
                for item in items {
                    self.expr(item, &mut inner)?;
                }
                out.push(node(NodeKind::Array(inner), span));
            }
            ExprKind::Map(entries) => {
                let mut inner = Vec::new();
                for (key, value) in entries {
                    self.expr(key, &mut inner)?;
                    self.expr(value, &mut inner)?;
                }
                out.push(node(NodeKind::Array(inner), span));
                out.push(word("tomap", span));
            }
            ExprKind::Fun { params, body } => self.function(params, body, span, out)?,
            ExprKind::Pi(nodes) => {
                out.push(node(NodeKind::Array(nodes.clone()), span));
                out.push(word("single", span));
            }
            ExprKind::Call { callee, args } => self.call(callee, args, span, out)?,
            ExprKind::Index { target, index } => {
                self.expr(target, out)?;
                self.expr(index, out)?;
                out.push(word("at", span));
            }
            ExprKind::Member { target, name } => {
                self.expr(target, out)?;
                out.push(node(NodeKind::Str(name.text.clone()), name.span));
                out.push(word("at", span));
            }
            ExprKind::Unary { op, operand } => {
                self.expr(operand, out)?;
                out.push(word(
                    match op {
                        UnaryOp::Neg => "neg",
                        UnaryOp::Not => "not",
                        UnaryOp::BitNot => "bnot",
                    },
                    span,
                ));
            }
            ExprKind::Binary { .. } => {
                // A chain `a + b + c …` nests to the left: walk it in a loop, so that its
                // length costs no Rust stack.
                let mut rest = Vec::new();
                let mut leftmost = e;
                while let ExprKind::Binary { op, left, right } = &leftmost.kind {
                    rest.push((*op, &**right, leftmost.span));
                    leftmost = left;
                }
                self.expr(leftmost, out)?;
                for (op, right, span) in rest.into_iter().rev() {
                    self.apply_binary(op, right, span, out)?;
                }
            }
        }
        Ok(())
    }

    /// With the left operand's value on the stack, the right operand and the operator.
    fn apply_binary(&mut self, op: BinaryOp, right: &Expr, span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        if let Some(pi_word) = op.pi_word() {
            self.expr(right, out)?;
            out.push(word(pi_word, span));
            return Ok(());
        }
        // `a && b` is `a { b bool } { false } ife`, `a || b` is `a { true } { b bool } ife`:
        // the right operand runs only when it decides.
        let mut decides = Vec::new();
        self.expr(right, &mut decides)?;
        decides.push(word("bool", span));
        let decides = block(decides, span);
        let decided = |value| block(vec![node(NodeKind::Bool(value), span)], span);
        match op {
            BinaryOp::And => out.extend([decides, decided(false)]),
            _ => out.extend([decided(true), decides]), // `||`
        }
        out.push(word("ife", span));
        Ok(())
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], span: Span, out: &mut Vec<Node>) -> Result<(), Error> {
        if let ExprKind::Name(name) = &callee.kind {
            if let Some(builtin) = builtins::lookup(name) {
                if !builtin.accepts(args.len()) {
                    return Err(Error::new(
                        ErrorKind::Arity,
                        format!("'{name}' takes {} but is given {}", builtin.arity_text(), args.len()),
                    )
                    .with_span(span));
                }
                let mut translated = Vec::new();
                for a in args {
                    let mut nodes = Vec::new();
                    self.expr(a, &mut nodes)?;
                    translated.push(nodes);
                }
                out.extend(builtin.call(translated, span));
                return Ok(());
            }
            if let Some(&arity) = self.natives.get(name) {
                if arity != args.len() {
                    return Err(Error::new(
                        ErrorKind::Arity,
                        format!("native '{name}' takes {arity} arguments but is given {}", args.len()),
                    )
                    .with_span(span));
                }
                for a in args {
                    self.expr(a, out)?;
                }
                out.push(word(name, span));
                return Ok(());
            }
        }
        let n = node(NodeKind::Int(args.len() as i64), span);
        if matches!(callee.kind, ExprKind::Name(_)) && args.iter().all(is_pure) {
            // `args n f call`: the name is looked up last, which nothing in the arguments
            // can observe (except which of two errors is reported).
            for a in args {
                self.expr(a, out)?;
            }
            out.push(n);
            self.expr(callee, out)?;
        } else {
            // The callee first, then the arguments, then `n roll n swap` brings it up.
            self.expr(callee, out)?;
            for a in args {
                self.expr(a, out)?;
            }
            out.extend([n.clone(), word("roll", span), n, word("swap", span)]);
        }
        out.push(word("call", span));
        Ok(())
    }
}

/// Whether evaluating `e` can neither have an effect nor rebind a name: no calls and no
/// embedded Pi. (Walked with a work list: a chain can be long.)
fn is_pure(e: &Expr) -> bool {
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Name(_)
            | ExprKind::Fun { .. } => {}
            ExprKind::Call { .. } | ExprKind::Pi(_) => return false,
            ExprKind::Array(items) => todo.extend(items),
            ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| todo.extend([k, v])),
            ExprKind::Index { target, index } => todo.extend([&**target, &**index]),
            ExprKind::Member { target, .. } => todo.push(target),
            ExprKind::Unary { operand, .. } => todo.push(operand),
            ExprKind::Binary { left, right, .. } => todo.extend([&**left, &**right]),
        }
    }
    true
}
