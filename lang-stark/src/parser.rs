//! Parses Stark: the layout lexer marks up the text (layout.rs), the pest grammar
//! (`stark.pest`) parses it, and this file builds the syntax tree with spans in the
//! original source. Binary operators come from pest as flat sequences; precedence climbing
//! here makes the tree. An expression nested deeper than [`MAX_EXPR_DEPTH`] is refused, so
//! that the passes after parsing, which recurse, stay within the Rust stack.

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest_derive::Parser;
use vm_core::{Error, ErrorKind, SourceId, Span};

use crate::ast::*;
use crate::layout::{DEDENT, INDENT, Layout, NEWLINE, layout};

/// How deep an expression may nest (operators, calls, brackets together).
pub const MAX_EXPR_DEPTH: usize = 200;

#[derive(Parser)]
#[grammar = "stark.pest"]
struct StarkParser;

/// Parses a Stark file.
///
/// # Errors
/// A `parse` error naming the line and column of the first syntax error.
pub fn parse(text: &str, source: SourceId) -> Result<Vec<Item>, Error> {
    let layout = layout(text, source)?;
    let builder = Builder { layout: &layout };
    let mut pairs = StarkParser::parse(Rule::program, &layout.text).map_err(|err| builder.pest_error(err))?;
    let program = pairs.next().ok_or_else(|| Error::internal("empty parse"))?;
    builder.items(program.into_inner())
}

struct Builder<'a> {
    layout: &'a Layout,
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the input",
        Rule::item
        | Rule::statement
        | Rule::compound
        | Rule::simple
        | Rule::struct_decl
        | Rule::enum_decl
        | Rule::fn_decl
        | Rule::actor_decl
        | Rule::extern_decl
        | Rule::import_decl
        | Rule::kw_async => "a statement",
        Rule::expr | Rule::expr_stmt | Rule::unary | Rule::postfix | Rule::primary | Rule::prefix => "an expression",
        Rule::infix | Rule::assign_op => "an operator",
        Rule::call | Rule::open_paren => "`(`",
        Rule::close_paren => "`)`",
        Rule::index | Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::open_brace | Rule::map => "`{`",
        Rule::close_brace => "`}`",
        Rule::member | Rule::dot => "`.`",
        Rule::colon | Rule::body => "`:`",
        Rule::comma => "`,`",
        Rule::arrow | Rule::result => "`->`",
        Rule::equals => "`=`",
        Rule::langle => "`<`",
        Rule::rangle => "`>`",
        Rule::ident | Rule::variant_pattern => "a name",
        Rule::type_expr | Rule::array_type | Rule::fn_type | Rule::generic_type => "a type",
        Rule::param | Rule::params => "a parameter (`name: Type`)",
        Rule::field_decl => "a field (`name: Type`)",
        Rule::variant_decl => "a variant",
        Rule::state_decl | Rule::handler_decl => "`let` or `on` in an actor",
        Rule::arm | Rule::pattern | Rule::wildcard | Rule::literal_pattern => "a pattern",
        Rule::string => "a string",
        Rule::int | Rule::float => "a number",
        Rule::elif_clause => "`elif`",
        Rule::else_clause => "`else`",
        Rule::kw_catch => "`catch`",
        Rule::kw_in => "`in`",
        Rule::kw_fn => "`fn`",
        Rule::arg => "an argument",
        Rule::entry => "a map entry (`key: value`)",
        _ => "",
    }
}

fn binary_op(text: &str) -> BinaryOp {
    let symbol = match text {
        "or" => "||",
        "and" => "&&",
        other => other,
    };
    // The grammar admits only the operators' symbols; `%` is the one left.
    BinaryOp::from_symbol(symbol).unwrap_or(BinaryOp::Mod)
}

/// How many binary operators one expression may hold outside brackets. Operator chains are
/// cut off while the tree is built (prefix and postfix chains at [`MAX_EXPR_DEPTH`]), not
/// after: `depth_of` would refuse the tree, but dropping a tree recurses once per level,
/// and a long enough chain overflows the stack. (Precedence can keep a chain shallower than
/// its length: `a*b + c*d + …`.)
pub const MAX_CHAIN: usize = 10_000;

fn too_deep() -> String {
    format!("expression nested more than {MAX_EXPR_DEPTH} deep")
}

/// How deep `e` nests, found with a work list (never recursive); stops counting past the limit.
fn depth_of(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(e, 1usize)];
    while let Some((e, d)) = todo.pop() {
        deepest = deepest.max(d);
        if d > MAX_EXPR_DEPTH {
            break;
        }
        match &e.kind {
            ExprKind::Array(items) => todo.extend(items.iter().map(|i| (i, d + 1))),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    todo.extend([(k, d + 1), (v, d + 1)]);
                }
            }
            ExprKind::Unary { operand, .. } => todo.push((operand, d + 1)),
            ExprKind::Binary { left, right, .. } => todo.extend([(&**left, d + 1), (&**right, d + 1)]),
            ExprKind::Call { callee, args, .. } => {
                todo.push((callee, d + 1));
                todo.extend(args.iter().map(|a| (&a.value, d + 1)));
            }
            ExprKind::Member { target, .. } => todo.push((target, d + 1)),
            ExprKind::Index { target, index } => todo.extend([(&**target, d + 1), (&**index, d + 1)]),
            ExprKind::Lambda { body, .. } => todo.push((body, d + 1)),
            ExprKind::Channel { capacity, .. } => todo.push((capacity, d + 1)),
            _ => {}
        }
    }
    deepest
}

fn expect<T>(x: Option<T>) -> Result<T, Error> {
    x.ok_or_else(|| Error::internal("the Stark grammar and parser disagree"))
}

impl Builder<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        self.layout.span(s.start(), s.end())
    }

    fn error(&self, span: Span, message: String) -> Error {
        Error::new(ErrorKind::Parse, message).with_span(span)
    }

    fn pest_error(&self, err: pest::error::Error<Rule>) -> Error {
        let at = match err.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let text = &self.layout.text;
        let mut expected: Vec<&str> = Vec::new();
        if let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant {
            for rule in positives {
                let name = describe(*rule);
                if !name.is_empty() && !expected.contains(&name) {
                    expected.push(name);
                }
            }
        }
        // Markers are not in the source: say what they stand for.
        let rest = &text[at..];
        let rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        let found = match rest.chars().next() {
            None => "the end of the input".to_string(),
            Some(NEWLINE) => "the end of the line".to_string(),
            Some(INDENT) => "an indented block".to_string(),
            Some(DEDENT) => "the end of the block".to_string(),
            Some(_) => {
                let token: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != NEWLINE).take(20).collect();
                format!("`{}`", vm_core::shown(&token))
            }
        };
        let message = match expected.as_slice() {
            [] => format!("unexpected {found}"),
            [one] => format!("expected {one}, found {found}"),
            [rest @ .., last] => format!("expected {} or {last}, found {found}", rest.join(", ")),
        };
        let start = at + (text[at..].len() - rest.len());
        let span = self.layout.span(start, start + rest.chars().next().map_or(0, char::len_utf8));
        let span = if span.start == span.end {
            Span::new(span.source, span.start as usize, span.start as usize + 1)
        } else {
            span
        };
        self.error(span, message)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { text: pair.as_str().to_string(), span: self.span(&pair), pi: String::new() }
    }

    fn items(&self, pairs: Pairs<'_, Rule>) -> Result<Vec<Item>, Error> {
        let mut items = Vec::new();
        for pair in pairs {
            let span = self.span(&pair);
            let item = match pair.as_rule() {
                Rule::EOI => continue,
                Rule::struct_decl => {
                    let mut inner = pair.into_inner();
                    let name = self.ident(expect(inner.find(|p| p.as_rule() == Rule::ident))?);
                    let fields = inner
                        .filter(|p| p.as_rule() == Rule::field_decl)
                        .map(|p| self.param(expect(p.into_inner().next())?))
                        .collect::<Result<_, _>>()?;
                    Item::Struct(StructDecl { name, fields })
                }
                Rule::enum_decl => {
                    let mut inner = pair.into_inner();
                    let name = self.ident(expect(inner.find(|p| p.as_rule() == Rule::ident))?);
                    let mut variants = Vec::new();
                    for v in inner.filter(|p| p.as_rule() == Rule::variant_decl) {
                        let mut parts = v.into_inner();
                        let vname = self.ident(expect(parts.next())?);
                        let fields = parts
                            .filter(|p| p.as_rule() == Rule::param)
                            .map(|p| self.param(p))
                            .collect::<Result<_, _>>()?;
                        variants.push(Variant { name: vname, fields });
                    }
                    Item::Enum(EnumDecl { name, variants })
                }
                Rule::fn_decl => Item::Fn(self.fn_decl(pair)?),
                Rule::actor_decl => {
                    let mut name = None;
                    let mut params = Vec::new();
                    let mut state = Vec::new();
                    let mut handlers = Vec::new();
                    for p in pair.into_inner() {
                        match p.as_rule() {
                            Rule::ident => name = Some(self.ident(p)),
                            Rule::params => params = self.params(p)?,
                            Rule::state_decl => state.push(self.statement(expect(p.into_inner().next())?)?),
                            Rule::handler_decl => handlers.push(self.fn_decl(p)?),
                            _ => {}
                        }
                    }
                    Item::Actor(ActorDecl { name: expect(name)?, params, state, handlers, span })
                }
                Rule::extern_decl => {
                    let mut name = None;
                    let mut params = Vec::new();
                    let mut result = None;
                    for p in pair.into_inner() {
                        match p.as_rule() {
                            Rule::ident => name = Some(self.ident(p)),
                            Rule::params => params = self.params(p)?,
                            Rule::result => result = Some(self.type_expr(expect(p.into_inner().nth(1))?)?),
                            _ => {}
                        }
                    }
                    Item::Extern(ExternDecl { name: expect(name)?, params, result, span })
                }
                Rule::import_decl => {
                    let s = expect(pair.into_inner().find(|p| p.as_rule() == Rule::string))?;
                    Item::Import(ImportDecl { path: self.string(&s)?, span })
                }
                _ => Item::Stmt(Box::new(self.statement(pair)?)),
            };
            items.push(item);
        }
        Ok(items)
    }

    fn fn_decl(&self, pair: Pair<'_, Rule>) -> Result<FnDecl, Error> {
        let span = self.span(&pair);
        let mut name = None;
        let mut params = Vec::new();
        let mut result = None;
        let mut body = Vec::new();
        let mut is_async = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_async => is_async = true,
                Rule::ident => name = Some(self.ident(p)),
                Rule::params => params = self.params(p)?,
                Rule::result => result = Some(self.type_expr(expect(p.into_inner().nth(1))?)?),
                Rule::body => body = self.body(p)?,
                _ => {}
            }
        }
        Ok(FnDecl { name: expect(name)?, params, result, body, is_async, span })
    }

    fn params(&self, pair: Pair<'_, Rule>) -> Result<Vec<Param>, Error> {
        pair.into_inner().filter(|p| p.as_rule() == Rule::param).map(|p| self.param(p)).collect()
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Result<Param, Error> {
        let mut inner = pair.into_inner();
        let name = self.ident(expect(inner.next())?);
        let ty = self.type_expr(expect(inner.find(|p| p.as_rule() == Rule::type_expr))?)?;
        Ok(Param { name, ty })
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Result<TypeExpr, Error> {
        let span = self.span(&pair);
        let inner = expect(pair.into_inner().next())?;
        Ok(match inner.as_rule() {
            Rule::ident => TypeExpr::Named(self.ident(inner)),
            Rule::array_type => {
                let elem = expect(inner.into_inner().find(|p| p.as_rule() == Rule::type_expr))?;
                TypeExpr::Array(Box::new(self.type_expr(elem)?), span)
            }
            Rule::generic_type => {
                let mut parts = inner.into_inner();
                let name = self.ident(expect(parts.next())?);
                let args = parts
                    .filter(|p| p.as_rule() == Rule::type_expr)
                    .map(|p| self.type_expr(p))
                    .collect::<Result<_, _>>()?;
                TypeExpr::Generic(name, args)
            }
            _ => {
                let mut params = Vec::new();
                let mut result = None;
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::type_expr => params.push(self.type_expr(p)?),
                        Rule::result => result = Some(Box::new(self.type_expr(expect(p.into_inner().nth(1))?)?)),
                        _ => {}
                    }
                }
                TypeExpr::Fn(params, result, span)
            }
        })
    }

    fn body(&self, pair: Pair<'_, Rule>) -> Result<Vec<Stmt>, Error> {
        pair.into_inner().filter(|p| p.as_rule() != Rule::colon).map(|p| self.statement(p)).collect()
    }

    fn statement(&self, pair: Pair<'_, Rule>) -> Result<Stmt, Error> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::let_stmt => {
                let mut mutable = false;
                let mut name = None;
                let mut ty = None;
                let mut value = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::kw_mut => mutable = true,
                        Rule::ident => name = Some(self.ident(p)),
                        Rule::type_expr => ty = Some(self.type_expr(p)?),
                        Rule::expr => value = Some(self.expr(p)?),
                        _ => {}
                    }
                }
                StmtKind::Let { name: expect(name)?, mutable, ty, value: expect(value)? }
            }
            Rule::assign => {
                let target = self.postfix(expect(inner.next())?)?;
                let op = match expect(inner.next())?.as_str() {
                    "+=" => AssignOp::Add,
                    "-=" => AssignOp::Sub,
                    "*=" => AssignOp::Mul,
                    "/=" => AssignOp::Div,
                    "%=" => AssignOp::Mod,
                    _ => AssignOp::Set,
                };
                let value = self.expr(expect(inner.next())?)?;
                if !matches!(target.kind, ExprKind::Name(_) | ExprKind::Member { .. } | ExprKind::Index { .. }) {
                    return Err(self.error(
                        target.span,
                        "cannot assign to this: only to a variable, a field or an element".to_string(),
                    ));
                }
                StmtKind::Assign { target, op, value }
            }
            Rule::expr_stmt => StmtKind::Expr(self.expr(expect(inner.next())?)?),
            Rule::return_stmt => {
                StmtKind::Return(inner.find(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)).transpose()?)
            }
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::throw_stmt => StmtKind::Throw(self.expr(expect(inner.nth(1))?)?),
            Rule::assert_stmt => StmtKind::Assert(self.expr(expect(inner.nth(1))?)?),
            Rule::send_stmt => StmtKind::Send(self.expr(expect(inner.nth(1))?)?),
            Rule::if_stmt => {
                inner.next();
                let cond = self.expr(expect(inner.next())?)?;
                let then = self.body(expect(inner.next())?)?;
                let mut arms = vec![(cond, then)];
                let mut otherwise = None;
                for p in inner {
                    let clause = p.as_rule();
                    let mut parts = p.into_inner();
                    parts.next();
                    if clause == Rule::elif_clause {
                        let cond = self.expr(expect(parts.next())?)?;
                        arms.push((cond, self.body(expect(parts.next())?)?));
                    } else {
                        otherwise = Some(self.body(expect(parts.next())?)?);
                    }
                }
                StmtKind::If { arms, otherwise }
            }
            Rule::while_stmt => {
                inner.next();
                let cond = self.expr(expect(inner.next())?)?;
                StmtKind::While { cond, body: self.body(expect(inner.next())?)? }
            }
            Rule::for_stmt => {
                inner.next();
                let var = self.ident(expect(inner.next())?);
                inner.next();
                let iter = self.expr(expect(inner.next())?)?;
                StmtKind::For { var, iter, body: self.body(expect(inner.next())?)? }
            }
            Rule::match_stmt => {
                inner.next();
                let subject = self.expr(expect(inner.next())?)?;
                let mut arms = Vec::new();
                for arm in inner.filter(|p| p.as_rule() == Rule::arm) {
                    let arm_span = self.span(&arm);
                    let mut parts = arm.into_inner();
                    let pattern = self.pattern(expect(parts.next())?)?;
                    arms.push(Arm { pattern, body: self.body(expect(parts.next())?)?, span: arm_span });
                }
                StmtKind::Match { subject, arms, temp: String::new(), exhaustive: false }
            }
            Rule::try_stmt => {
                inner.next();
                let body = self.body(expect(inner.next())?)?;
                inner.next();
                let var = self.ident(expect(inner.next())?);
                StmtKind::Try { body, var, handler: self.body(expect(inner.next())?)? }
            }
            Rule::span_stmt => {
                let name = self.expr(expect(inner.find(|p| p.as_rule() == Rule::expr))?)?;
                let body = self.body(expect(inner.find(|p| p.as_rule() == Rule::body))?)?;
                StmtKind::Span { name, body }
            }
            other => return Err(Error::internal(format!("unexpected statement rule {other:?}"))),
        };
        Ok(Stmt { kind, span })
    }

    fn pattern(&self, pair: Pair<'_, Rule>) -> Result<Pattern, Error> {
        let inner = expect(pair.into_inner().next())?;
        let span = self.span(&inner);
        Ok(match inner.as_rule() {
            Rule::wildcard => Pattern::Wildcard(span),
            Rule::variant_pattern => {
                let mut names: Vec<Ident> = Vec::new();
                let mut dotted = false;
                let mut binds = Vec::new();
                let mut in_parens = false;
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::dot => dotted = true,
                        Rule::open_paren => in_parens = true,
                        Rule::ident if in_parens => binds.push(self.ident(p)),
                        Rule::ident => names.push(self.ident(p)),
                        _ => {}
                    }
                }
                let name = expect(names.pop())?;
                let enum_name = if dotted { names.pop() } else { None };
                Pattern::Variant { enum_name, name, binds, fields: Vec::new(), span }
            }
            _ => {
                let mut negative = false;
                let mut value = None;
                for p in inner.into_inner() {
                    if p.as_rule() == Rule::minus {
                        negative = true;
                    } else {
                        value = Some(self.primary(p)?);
                    }
                }
                let mut value = expect(value)?;
                if matches!(value.kind, ExprKind::Int(i64::MIN)) && !negative {
                    return Err(self.error(span, "integer literal out of range".to_string()));
                }
                if negative {
                    value.kind = match value.kind {
                        // The minimum int's digits alone are read as the minimum int.
                        ExprKind::Int(i) => ExprKind::Int(i.wrapping_neg()),
                        ExprKind::Float(f) => ExprKind::Float(-f),
                        other => other,
                    };
                    value.span = span;
                }
                Pattern::Literal(value)
            }
        })
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let mut operands = Vec::new();
        let mut operators: Vec<(BinaryOp, Span)> = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::unary => operands.push(self.unary(part)?),
                _ => {
                    if operators.len() >= MAX_CHAIN {
                        let message =
                            format!("an expression holds more than {MAX_CHAIN} operators: split it into smaller parts");
                        return Err(self.error(self.span(&part), message));
                    }
                    operators.push((binary_op(part.as_str().trim()), self.span(&part)));
                }
            }
        }
        // Precedence climbing over the flat sequence, with explicit stacks.
        let mut values: Vec<Expr> = Vec::new();
        let mut ops: Vec<BinaryOp> = Vec::new();
        let mut operands = operands.into_iter();
        values.push(expect(operands.next())?);
        for ((op, _), operand) in operators.into_iter().zip(operands) {
            while ops.last().is_some_and(|top| top.level() >= op.level()) {
                self.reduce(&mut values, &mut ops)?;
            }
            ops.push(op);
            values.push(operand);
        }
        while !ops.is_empty() {
            self.reduce(&mut values, &mut ops)?;
        }
        let e = expect(values.pop())?;
        if depth_of(&e) > MAX_EXPR_DEPTH {
            return Err(self.error(e.span, too_deep()));
        }
        Ok(e)
    }

    fn reduce(&self, values: &mut Vec<Expr>, ops: &mut Vec<BinaryOp>) -> Result<(), Error> {
        let op = expect(ops.pop())?;
        let right = expect(values.pop())?;
        let left = expect(values.pop())?;
        let span = Span { source: left.span.source, start: left.span.start, end: right.span.end };
        values.push(Expr::new(ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, span));
        Ok(())
    }

    fn unary(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let mut prefixes = Vec::new();
        let mut operand = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::prefix if prefixes.len() >= MAX_EXPR_DEPTH => {
                    return Err(self.error(self.span(&part), too_deep()));
                }
                Rule::prefix => {
                    let op = match part.as_str().trim() {
                        "-" => UnaryOp::Neg,
                        "!" | "not" => UnaryOp::Not,
                        "~" => UnaryOp::BitNot,
                        "await" => UnaryOp::Await,
                        _ => UnaryOp::Spawn,
                    };
                    prefixes.push((op, self.span(&part)));
                }
                _ => operand = Some(self.postfix(part)?),
            }
        }
        let mut e = expect(operand)?;
        // `9223372036854775808` is only an int after a minus (the minimum int).
        let too_big = matches!(e.kind, ExprKind::Int(i64::MIN));
        if too_big && prefixes.last().is_none_or(|&(op, _)| op != UnaryOp::Neg) {
            return Err(self.error(e.span, "integer literal out of range".to_string()));
        }
        for (op, span) in prefixes.into_iter().rev() {
            // `-5` is the literal -5 (so the minimum int can be written).
            if op == UnaryOp::Neg {
                if let ExprKind::Int(i) = e.kind {
                    e = Expr::new(ExprKind::Int(i.wrapping_neg()), Span { end: e.span.end, ..span });
                    continue;
                }
                if let ExprKind::Float(f) = e.kind {
                    e = Expr::new(ExprKind::Float(-f), Span { end: e.span.end, ..span });
                    continue;
                }
            }
            let whole = Span { end: e.span.end, ..span };
            e = Expr::new(ExprKind::Unary { op, operand: Box::new(e) }, whole);
        }
        Ok(e)
    }

    fn postfix(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let mut parts = pair.into_inner();
        let mut e = self.primary(expect(parts.next())?)?;
        for (level, part) in parts.enumerate() {
            if level >= MAX_EXPR_DEPTH {
                return Err(self.error(self.span(&part), too_deep()));
            }
            let end = self.span(&part).end;
            let span = Span { end, ..e.span };
            let rule = part.as_rule();
            let mut inner = part.into_inner();
            e = match rule {
                Rule::call => {
                    let args =
                        inner.filter(|p| p.as_rule() == Rule::arg).map(|p| self.arg(p)).collect::<Result<_, _>>()?;
                    Expr::new(ExprKind::Call { callee: Box::new(e), args, kind: CallKind::Unresolved }, span)
                }
                Rule::index => {
                    let index = self.expr(expect(inner.find(|p| p.as_rule() == Rule::expr))?)?;
                    Expr::new(ExprKind::Index { target: Box::new(e), index: Box::new(index) }, span)
                }
                _ => {
                    let name = self.ident(expect(inner.nth(1))?);
                    Expr::new(ExprKind::Member { target: Box::new(e), name }, span)
                }
            };
        }
        Ok(e)
    }

    fn arg(&self, pair: Pair<'_, Rule>) -> Result<Arg, Error> {
        let mut name = None;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::expr => value = Some(self.expr(p)?),
                _ => {}
            }
        }
        Ok(Arg { name, value: expect(value)? })
    }

    fn string(&self, pair: &Pair<'_, Rule>) -> Result<String, Error> {
        let raw = pair.as_str();
        let body = &raw[1..raw.len() - 1];
        let mut out = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('0') => out.push('\0'),
                Some('u') => {
                    let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let code =
                        rest.strip_prefix('{').and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32);
                    match code {
                        Some(c) => out.push(c),
                        None => return Err(self.error(self.span(pair), format!("bad unicode escape `\\u{rest}}}`"))),
                    }
                }
                other => {
                    let shown = other.map_or(String::new(), |c| c.to_string());
                    return Err(self.error(self.span(pair), format!("unknown escape `\\{shown}` in a string")));
                }
            }
        }
        Ok(out)
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::int => {
                let digits = pair.as_str().replace('_', "");
                let parsed = match digits.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16).ok(),
                    None => digits.parse::<u64>().ok(),
                };
                match parsed {
                    Some(v) if v <= i64::MAX as u64 + 1 => ExprKind::Int(v as i64),
                    _ => return Err(self.error(span, format!("integer literal {} out of range", pair.as_str()))),
                }
            }
            Rule::float => match pair.as_str().replace('_', "").parse::<f64>() {
                Ok(f) => ExprKind::Float(f),
                Err(_) => return Err(self.error(span, "bad float literal".to_string())),
            },
            Rule::string => ExprKind::Str(self.string(&pair)?),
            Rule::true_lit => ExprKind::Bool(true),
            Rule::false_lit => ExprKind::Bool(false),
            Rule::ident => ExprKind::Name(self.ident(pair)),
            Rule::paren => return self.expr(expect(pair.into_inner().find(|p| p.as_rule() == Rule::expr))?),
            Rule::array => ExprKind::Array(
                pair.into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| self.expr(p))
                    .collect::<Result<_, _>>()?,
            ),
            Rule::map => {
                let mut entries = Vec::new();
                for entry in pair.into_inner().filter(|p| p.as_rule() == Rule::entry) {
                    let mut kv = entry.into_inner().filter(|p| p.as_rule() == Rule::expr);
                    let k = self.expr(expect(kv.next())?)?;
                    let v = self.expr(expect(kv.next())?)?;
                    entries.push((k, v));
                }
                ExprKind::Map(entries)
            }
            Rule::lambda => {
                let mut params = Vec::new();
                let mut result = None;
                let mut body = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::params => params = self.params(p)?,
                        Rule::result => result = Some(self.type_expr(expect(p.into_inner().nth(1))?)?),
                        Rule::expr => body = Some(self.expr(p)?),
                        _ => {}
                    }
                }
                ExprKind::Lambda { params, result, body: Box::new(expect(body)?) }
            }
            Rule::channel_expr => {
                let mut elem = None;
                let mut capacity = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::type_expr => elem = Some(self.type_expr(p)?),
                        Rule::expr => capacity = Some(self.expr(p)?),
                        _ => {}
                    }
                }
                ExprKind::Channel { elem: expect(elem)?, capacity: Box::new(expect(capacity)?) }
            }
            other => return Err(Error::internal(format!("unexpected expression rule {other:?}"))),
        };
        Ok(Expr::new(kind, span))
    }
}
