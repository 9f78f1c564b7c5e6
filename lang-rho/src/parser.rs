//! The Rho parser: a bracket pre-scan (so an unclosed block is reported as "expected `}` to
//! close the block opened at L:C"), pest for the grammar (`rho.pest`), then a builder that
//! turns pest's pairs into the AST. Operator precedence is applied here with an explicit
//! operator stack, so long operator chains never recurse; nesting through brackets is capped
//! by the pre-scan and expression depth by [`MAX_EXPR_DEPTH`].

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use vm_core::{Error, ErrorKind, SourceId, Span};

use crate::ast::{AssignOp, BinaryOp, Expr, ExprKind, Ident, Pattern, Stmt, StmtKind, UnaryOp};

#[derive(pest_derive::Parser)]
#[grammar = "rho.pest"]
struct RhoGrammar;

/// How deeply brackets (`{ ( [`) may nest.
pub const MAX_NESTING: usize = 100;
/// How deep an expression tree may be (nested calls, prefix and postfix chains). The left
/// operand of a binary operator does not count: see [`MAX_CHAIN`].
pub const MAX_EXPR_DEPTH: usize = 200;
/// How many binary operators one expression may hold outside brackets. A chain is walked in
/// loops everywhere, but dropping the tree recurses once per operator.
pub const MAX_CHAIN: usize = 10_000;

/// Parses a Rho program.
///
/// # Errors
/// A `parse` error with the position and what was expected.
pub fn parse(text: &str, source: SourceId) -> Result<Vec<Stmt>, Error> {
    Builder { text, source, base: 0 }.check_brackets()?;
    // Read a chunk of top-level statements at a time, so that pest's token queue for a huge
    // file stays small. A chunk that reads no statement before the end stopped at an
    // error, which the whole-program rule then reports from there.
    let mut statements = Vec::new();
    let mut offset = 0;
    loop {
        let builder = Builder { text, source, base: offset };
        let rule = match (offset == 0, text.len() - offset <= WHOLE_TAIL) {
            (true, true) => Rule::program,
            (false, true) => Rule::rest,
            (true, false) => Rule::first_chunk,
            (false, false) => Rule::chunk,
        };
        let chunk = RhoGrammar::parse(rule, &text[offset..]).map_err(|e| builder.pest_error(e))?;
        let chunk = chunk.into_iter().next().ok_or_else(|| builder.error(offset, offset, "empty parse".to_string()))?;
        let end = offset + chunk.as_span().end();
        let before = statements.len();
        statements.extend(builder.statements(chunk.into_inner())?);
        if end >= text.len() {
            break;
        }
        if statements.len() == before {
            let whole = if offset == 0 { Rule::program } else { Rule::rest };
            let err = RhoGrammar::parse(whole, &text[offset..]).err();
            return Err(match err {
                Some(err) => builder.pest_error(err),
                None => builder.error(end, end, "cannot read the program from here".to_string()),
            });
        }
        offset = end;
    }
    check_depth(&statements)?;
    Ok(statements)
}

/// How much text at the end of a program the grammar reads in one piece.
const WHOLE_TAIL: usize = 64 << 10;

struct Builder<'t> {
    text: &'t str,
    source: SourceId,
    /// Where the text pest is reading starts in `text` (pest's positions are relative to
    /// it: the program is read a chunk of statements at a time).
    base: usize,
}

/// A bracket met by the pre-scan.
struct Open {
    close: char,
    at: usize,
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '(' => ')',
        _ => ']',
    }
}

fn bracket_name(open: char) -> &'static str {
    match open {
        '{' => "the block",
        '(' => "the parenthesis",
        _ => "the bracket",
    }
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source, start, end)
    }

    fn error(&self, start: usize, end: usize, message: String) -> Error {
        Error::new(ErrorKind::Parse, message).with_span(self.span(start, end))
    }

    fn pair_span(&self, pair: &Pair<'_, Rule>) -> Span {
        self.span(self.base + pair.as_span().start(), self.base + pair.as_span().end())
    }

    fn pair_error(&self, pair: &Pair<'_, Rule>, message: String) -> Error {
        self.error(self.base + pair.as_span().start(), self.base + pair.as_span().end(), message)
    }

    /// `line:column` of byte `offset`.
    fn position(&self, offset: usize) -> String {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{column}")
    }

    /// Finds unbalanced brackets (outside strings and comments) and brackets nested too
    /// deeply, before pest sees the text.
    fn check_brackets(&self) -> Result<(), Error> {
        let bytes = self.text.as_bytes();
        let mut open: Vec<Open> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    let start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        // An escape never hides the end of the line: `"abc\` is unterminated.
                        i += if bytes[i] == b'\\' && bytes.get(i + 1).is_some_and(|&b| b != b'\n') { 2 } else { 1 };
                    }
                    if i >= bytes.len() || bytes[i] == b'\n' {
                        return Err(self.error(
                            start,
                            start + 1,
                            "unterminated string: no closing '\"' on this line".to_string(),
                        ));
                    }
                }
                b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => {
                    i = self.comment_end(i)?;
                    continue;
                }
                b'p' if self.starts_pi_block(i) => {
                    i = self.skip_pi_block(i, open.len())?;
                    continue;
                }
                c @ (b'{' | b'(' | b'[') => {
                    if open.len() >= MAX_NESTING {
                        return Err(self.error(i, i + 1, format!("brackets nest more than {MAX_NESTING} deep")));
                    }
                    open.push(Open { close: closer(c as char), at: i });
                }
                c @ (b'}' | b')' | b']') => match open.pop() {
                    Some(o) if o.close == c as char => {}
                    Some(o) => {
                        let opener = self.text[o.at..].chars().next().unwrap_or('{');
                        return Err(self.error(
                            i,
                            i + 1,
                            format!(
                                "expected `{}` to close {} opened at {}, found `{}`",
                                o.close,
                                bracket_name(opener),
                                self.position(o.at),
                                c as char
                            ),
                        ));
                    }
                    None => {
                        return Err(self.error(
                            i,
                            i + 1,
                            format!("unexpected `{}`: there is nothing to close", c as char),
                        ));
                    }
                },
                _ => {}
            }
            i += 1;
        }
        if let Some(o) = open.pop() {
            let opener = self.text[o.at..].chars().next().unwrap_or('{');
            let end = self.text.len();
            return Err(self.error(
                end,
                end,
                format!("expected `{}` to close {} opened at {}", o.close, bracket_name(opener), self.position(o.at)),
            ));
        }
        Ok(())
    }

    /// The byte after the `//` or `/* */` comment that starts at byte `i` (a line comment
    /// ends before its newline). Rho and Pi comments are alike.
    fn comment_end(&self, i: usize) -> Result<usize, Error> {
        if self.text[i..].starts_with("//") {
            return Ok(self.text[i..].find('\n').map_or(self.text.len(), |n| i + n));
        }
        match self.text[i + 2..].find("*/") {
            Some(end) => Ok(i + 2 + end + 2),
            None => Err(self.error(i, i + 2, "unterminated comment: no closing '*/'".to_string())),
        }
    }

    /// Whether `pi {` (the keyword as a whole word) starts at byte `i`.
    fn starts_pi_block(&self, i: usize) -> bool {
        let bytes = self.text.as_bytes();
        let word_start = i == 0 || !is_ident_byte(bytes[i - 1]);
        let after = &self.text[i..];
        word_start
            && after.starts_with("pi")
            && after[2..].trim_start_matches([' ', '\t', '\r', '\u{FEFF}']).starts_with('{')
    }

    /// Skips the embedded Pi of `pi { … }` starting at byte `i` with Pi's lexical rules
    /// (strings may span lines; `//` and `/* */` comments), returning the byte after its
    /// closing `}`. Only braces are paired here; lang-pi checks the rest.
    fn skip_pi_block(&self, i: usize, depth: usize) -> Result<usize, Error> {
        let bytes = self.text.as_bytes();
        let open = i + self.text[i..].find('{').unwrap_or(0);
        let mut braces = Vec::new();
        let mut j = open;
        while j < bytes.len() {
            match bytes[j] {
                b'"' => {
                    let start = j;
                    j += 1;
                    while j < bytes.len() && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    if j >= bytes.len() {
                        return Err(self.error(
                            start,
                            start + 1,
                            "unterminated Pi string: no closing '\"'".to_string(),
                        ));
                    }
                }
                b'/' if matches!(bytes.get(j + 1), Some(b'/' | b'*')) => {
                    j = self.comment_end(j)?;
                    continue;
                }
                b'{' => {
                    if depth + braces.len() >= MAX_NESTING {
                        return Err(self.error(j, j + 1, format!("brackets nest more than {MAX_NESTING} deep")));
                    }
                    braces.push(j);
                }
                b'}' => {
                    braces.pop();
                    if braces.is_empty() {
                        return Ok(j + 1);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let end = self.text.len();
        let what = if braces.len() <= 1 { "the `pi` block" } else { "the block" };
        let at = self.position(*braces.last().unwrap_or(&open));
        Err(self.error(end, end, format!("expected `}}` to close {what} opened at {at}")))
    }

    /// Turns pest's error into a message saying what was expected and what was found.
    fn pest_error(&self, err: pest::error::Error<Rule>) -> Error {
        let at = self.base
            + match err.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
        let mut expected: Vec<&str> = Vec::new();
        if let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant {
            for rule in positives {
                // Before the end, "the end of the input" means a statement ran on: what it
                // needed was a separator.
                let name = match rule {
                    Rule::EOI if at < self.text.len() => "a new line or `;` between statements",
                    _ => describe(*rule),
                };
                if !expected.contains(&name) {
                    expected.push(name);
                }
            }
        }
        let found = match self.text[at..].chars().next() {
            None => "the end of the input".to_string(),
            Some('\n') => "the end of the line".to_string(),
            Some(_) => {
                let token: String = self.text[at..].chars().take_while(|c| !c.is_whitespace()).take(20).collect();
                format!("`{}`", vm_core::shown(&token))
            }
        };
        let mut message = match expected.as_slice() {
            [] => format!("unexpected {found}"),
            [one] => format!("expected {one}, found {found}"),
            [rest @ .., last] => format!("expected {} or {last}, found {found}", rest.join(", ")),
        };
        let word: String = self.text[at..].chars().take_while(|&c| c.is_ascii_alphanumeric() || c == '_').collect();
        if word == "else" {
            message = "`else` without an `if`: it must follow the `}` of an `if` block".to_string();
        }
        // `pi = 3.14` or `let in = 1`: say why a name is not one.
        let wanted_name = expected.iter().any(|e| ["a name", "an expression", "a statement"].contains(e));
        if wanted_name && word != "else" && KEYWORDS.contains(&word.as_str()) {
            message.push_str(&format!(" (`{word}` is a reserved word)"));
        }
        let end = (at + self.text[at..].chars().next().map_or(0, char::len_utf8)).min(self.text.len());
        self.error(at, end, message)
    }

    // ---- statements ----------------------------------------------------------------

    fn statements(&self, pairs: Pairs<'_, Rule>) -> Result<Vec<Stmt>, Error> {
        let mut out = Vec::new();
        for pair in pairs {
            match pair.as_rule() {
                Rule::EOI => {}
                _ => out.push(self.statement(pair)?),
            }
        }
        Ok(out)
    }

    fn block(&self, pair: Pair<'_, Rule>) -> Result<Vec<Stmt>, Error> {
        debug_assert_eq!(pair.as_rule(), Rule::block);
        self.statements(pair.into_inner())
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { text: pair.as_str().to_string(), span: self.pair_span(&pair) }
    }

    /// The names of a `let` or an unpacking pattern, each once.
    fn names<'a>(&self, pairs: impl Iterator<Item = Pair<'a, Rule>>) -> Result<Vec<Ident>, Error> {
        let mut names: Vec<Ident> = Vec::new();
        for p in pairs {
            let ident = self.ident(p);
            if names.iter().any(|q| q.text == ident.text) {
                return Err(self.error(
                    ident.span.start as usize,
                    ident.span.end as usize,
                    format!("'{}' appears twice in one binding", ident.text),
                ));
            }
            names.push(ident);
        }
        Ok(names)
    }

    /// From the first name to the last.
    fn names_span(&self, names: &[Ident]) -> Span {
        match (names.first(), names.last()) {
            (Some(first), Some(last)) => self.span(first.span.start as usize, last.span.end as usize),
            _ => self.span(0, 0),
        }
    }

    /// Several names or targets take as many values, or one array to unpack.
    fn check_count(&self, wanted: usize, given: usize, at: Span, what: &str) -> Result<(), Error> {
        if given == 1 || given == wanted {
            return Ok(());
        }
        let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
        Err(Error::new(
            ErrorKind::Arity,
            format!(
                "{} but {}: give as many values, or one array to unpack",
                plural(wanted, what),
                plural(given, "value")
            ),
        )
        .with_span(at))
    }

    fn params(&self, pair: Pair<'_, Rule>) -> Result<Vec<Ident>, Error> {
        let mut params: Vec<Ident> = Vec::new();
        for p in pair.into_inner() {
            let ident = self.ident(p);
            if params.iter().any(|q| q.text == ident.text) {
                return Err(self.error(
                    ident.span.start as usize,
                    ident.span.end as usize,
                    format!("parameter '{}' appears twice", ident.text),
                ));
            }
            params.push(ident);
        }
        Ok(params)
    }

    fn statement(&self, pair: Pair<'_, Rule>) -> Result<Stmt, Error> {
        let span = self.pair_span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
        let mut next = || inner.next();
        let kind = match rule {
            Rule::fun_stmt => {
                let name = self.ident(expect(next())?);
                let params = self.params(expect(next())?)?;
                let body = self.block(expect(next())?)?;
                StmtKind::Fun { name, params, body }
            }
            Rule::if_stmt => {
                let cond = self.expr(expect(next())?)?;
                let then = self.block(expect(next())?)?;
                let mut arms = vec![(cond, then)];
                let mut otherwise = None;
                while let Some(part) = next() {
                    let rule = part.as_rule();
                    let mut parts = part.into_inner().filter(|p| !is_keyword(p.as_rule()));
                    if rule == Rule::else_if {
                        let cond = self.expr(expect(parts.next())?)?;
                        arms.push((cond, self.block(expect(parts.next())?)?));
                    } else {
                        otherwise = Some(self.block(expect(parts.next())?)?);
                    }
                }
                StmtKind::If { arms, otherwise }
            }
            Rule::while_stmt => {
                let cond = self.expr(expect(next())?)?;
                let body = self.block(expect(next())?)?;
                StmtKind::While { cond, body }
            }
            Rule::do_stmt => {
                let body = self.block(expect(next())?)?;
                let cond = self.expr(expect(next())?)?;
                StmtKind::DoWhile { body, cond }
            }
            Rule::for_in => {
                let first = expect(next())?;
                let var = if first.as_rule() == Rule::unpack {
                    let span = self.pair_span(&first);
                    Pattern::Unpack(self.names(first.into_inner())?, span)
                } else {
                    Pattern::Name(self.ident(first))
                };
                let iter = self.expr(expect(next())?)?;
                let body = self.block(expect(next())?)?;
                StmtKind::ForIn { var, iter, body }
            }
            Rule::for_c => {
                let (mut init, mut cond, mut step, mut body) = (None, None, None, None);
                while let Some(p) = next() {
                    match p.as_rule() {
                        Rule::for_init => init = Some(Box::new(self.statement(expect(p.into_inner().next())?)?)),
                        Rule::expr => cond = Some(self.expr(p)?),
                        Rule::for_step => {
                            let part = expect(p.into_inner().next())?;
                            step = Some(Box::new(if part.as_rule() == Rule::expr {
                                let e = self.expr(part)?;
                                Stmt { span: e.span, kind: StmtKind::Expr(e) }
                            } else {
                                self.statement(part)?
                            }));
                        }
                        _ => body = Some(self.block(p)?),
                    }
                }
                StmtKind::ForC { init, cond, step, body: body.unwrap_or_default() }
            }
            Rule::try_stmt => {
                let body = self.block(expect(next())?)?;
                let var = self.ident(expect(next())?);
                let handler = self.block(expect(next())?)?;
                StmtKind::Try { body, var, handler }
            }
            Rule::let_stmt => {
                let parts: Vec<Pair<'_, Rule>> = std::iter::from_fn(&mut next).collect();
                let split = parts.iter().position(|p| p.as_rule() == Rule::expr).unwrap_or(parts.len());
                let (left, right) = parts.split_at(split);
                let unpacked = left.first().is_some_and(|p| p.as_rule() == Rule::unpack);
                let names = match left.first() {
                    Some(p) if unpacked => self.names(p.clone().into_inner())?,
                    _ => self.names(left.iter().cloned())?,
                };
                let mut values = right.iter().map(|p| self.expr(p.clone())).collect::<Result<Vec<_>, _>>()?;
                if !unpacked && names.len() == 1 && values.len() == 1 {
                    let (Some(name), Some(value)) = (names.into_iter().next(), values.pop()) else { unreachable!() };
                    StmtKind::Let { name, value }
                } else {
                    let unpack = match left.first() {
                        Some(p) if unpacked => self.pair_span(p),
                        _ => self.names_span(&names),
                    };
                    self.check_count(names.len(), values.len(), unpack, "name")?;
                    StmtKind::LetMany { names, values, unpack }
                }
            }
            Rule::import_stmt => {
                let path = self.primary(expect(next())?)?;
                let alias = next().map(|p| self.ident(p));
                StmtKind::Import { path, alias }
            }
            Rule::return_stmt => StmtKind::Return(next().map(|p| self.expr(p)).transpose()?),
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::assert_stmt => StmtKind::Assert(self.expr(expect(next())?)?),
            Rule::throw_stmt => StmtKind::Throw(self.expr(expect(next())?)?),
            Rule::assign => {
                let mut targets = Vec::new();
                let op_pair = loop {
                    let part = expect(next())?;
                    if part.as_rule() == Rule::assign_op {
                        break part;
                    }
                    let target = self.operand(part.clone())?;
                    if !matches!(target.kind, ExprKind::Name(_) | ExprKind::Index { .. } | ExprKind::Member { .. }) {
                        return Err(self.pair_error(
                            &part,
                            "cannot assign to this: the left side must be a name, `a[i]` or `m.k`".to_string(),
                        ));
                    }
                    targets.push(target);
                };
                let op = match op_pair.as_str() {
                    "+=" => AssignOp::Add,
                    "-=" => AssignOp::Sub,
                    "*=" => AssignOp::Mul,
                    "/=" => AssignOp::Div,
                    "%=" => AssignOp::Mod,
                    _ => AssignOp::Set,
                };
                let mut values = Vec::new();
                while let Some(part) = next() {
                    values.push(self.expr(part)?);
                }
                if targets.len() == 1 && values.len() == 1 {
                    let (Some(target), Some(value)) = (targets.pop(), values.pop()) else { unreachable!() };
                    StmtKind::Assign { target, op, value }
                } else {
                    let (first, last) = (targets[0].span, targets[targets.len() - 1].span);
                    let unpack = self.span(first.start as usize, last.end as usize);
                    if op != AssignOp::Set {
                        return Err(self.pair_error(
                            &op_pair,
                            format!("'{}' updates one target; only '=' assigns several at once", op_pair.as_str()),
                        ));
                    }
                    self.check_count(targets.len(), values.len(), unpack, "target")?;
                    StmtKind::AssignMany { targets, values, unpack }
                }
            }
            Rule::expr_stmt => StmtKind::Expr(self.expr(expect(next())?)?),
            other => return Err(self.error(span.start as usize, span.end as usize, format!("unexpected {other:?}"))),
        };
        Ok(Stmt { kind, span })
    }

    // ---- expressions ---------------------------------------------------------------

    /// An `expr` pair: operands and infix operators, combined by precedence.
    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        // Operands waiting for their right-hand side, with the comparison level they were
        // built at (to refuse chained comparisons), and pending operators.
        let mut operands: Vec<(Expr, Option<u8>)> = Vec::new();
        let mut operators: Vec<(BinaryOp, Span)> = Vec::new();
        let mut count = 0;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::operand => operands.push((self.operand(part)?, None)),
                Rule::infix => {
                    count += 1;
                    if count > MAX_CHAIN {
                        return Err(self.pair_error(
                            &part,
                            format!("an expression holds more than {MAX_CHAIN} operators: split it into smaller parts"),
                        ));
                    }
                    let op = BinaryOp::from_symbol(part.as_str())
                        .ok_or_else(|| self.pair_error(&part, format!("unknown operator {}", part.as_str())))?;
                    while operators.last().is_some_and(|(top, _)| top.level() >= op.level()) {
                        self.reduce(&mut operands, &mut operators)?;
                    }
                    operators.push((op, self.pair_span(&part)));
                }
                other => return Err(self.pair_error(&part, format!("unexpected {other:?} in an expression"))),
            }
        }
        while !operators.is_empty() {
            self.reduce(&mut operands, &mut operators)?;
        }
        operands.pop().map(|(e, _)| e).ok_or_else(|| self.error(0, 0, "empty expression".to_string()))
    }

    fn reduce(
        &self,
        operands: &mut Vec<(Expr, Option<u8>)>,
        operators: &mut Vec<(BinaryOp, Span)>,
    ) -> Result<(), Error> {
        let (op, op_span) = operators.pop().expect("an operator to reduce");
        let (right, _) = operands.pop().expect("a right operand");
        let (left, left_level) = operands.pop().expect("a left operand");
        if op.is_comparison() && left_level == Some(op.level()) {
            return Err(self.error(
                op_span.start as usize,
                op_span.end as usize,
                format!("comparisons do not chain (as in `a < b {} c`): combine them with `&&`", op.symbol()),
            ));
        }
        let span = Span { source: self.source, start: left.span.start, end: right.span.end };
        let level = op.is_comparison().then_some(op.level());
        operands
            .push((Expr { kind: ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, span }, level));
        Ok(())
    }

    /// `prefix* primary postfix*`.
    fn operand(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let mut prefixes: Vec<(UnaryOp, usize)> = Vec::new();
        let mut result: Option<Expr> = None;
        // Each prefix and postfix operator is one level of the tree. A chain too long is
        // refused before it is built: `check_depth` would refuse the tree, but dropping a
        // tree that deep recurses once per level and overflows the stack.
        let mut levels = 0;
        for part in pair.into_inner() {
            if matches!(part.as_rule(), Rule::prefix | Rule::call | Rule::index | Rule::member) {
                levels += 1;
                if levels > MAX_EXPR_DEPTH {
                    return Err(self.pair_error(&part, too_deep()));
                }
            }
            match part.as_rule() {
                Rule::prefix => {
                    let op = match part.as_str() {
                        "-" => UnaryOp::Neg,
                        "!" => UnaryOp::Not,
                        _ => UnaryOp::BitNot,
                    };
                    prefixes.push((op, self.base + part.as_span().start()));
                }
                Rule::call | Rule::index | Rule::member => {
                    let target =
                        result.take().ok_or_else(|| self.pair_error(&part, "nothing to apply this to".to_string()))?;
                    let end = (self.base + part.as_span().end()) as u32;
                    let span = Span { source: self.source, start: target.span.start, end };
                    let kind = match part.as_rule() {
                        Rule::call => ExprKind::Call {
                            callee: Box::new(target),
                            args: part.into_inner().map(|a| self.expr(a)).collect::<Result<_, _>>()?,
                        },
                        Rule::index => ExprKind::Index {
                            target: Box::new(target),
                            index: Box::new(self.expr(expect(part.into_inner().next())?)?),
                        },
                        _ => ExprKind::Member {
                            target: Box::new(target),
                            name: self.ident(expect(part.into_inner().next())?),
                        },
                    };
                    result = Some(Expr { kind, span });
                }
                Rule::int if prefixes.last().is_some_and(|&(op, _)| op == UnaryOp::Neg) => {
                    // `-9223372036854775808` is a literal whose magnitude alone overflows.
                    let magnitude = self.int(&part)?;
                    let (_, start) = prefixes.pop().expect("checked above");
                    let end = (self.base + part.as_span().end()) as u32;
                    let span = Span { source: self.source, start: start as u32, end };
                    let value = 0i64.checked_sub_unsigned(magnitude).ok_or_else(|| {
                        self.pair_error(&part, format!("integer literal -{} does not fit in 64 bits", part.as_str()))
                    })?;
                    result = Some(Expr { kind: ExprKind::Int(value), span });
                }
                _ => result = Some(self.primary(part)?),
            }
        }
        let mut expr = result.ok_or_else(|| self.error(0, 0, "missing operand".to_string()))?;
        // Prefix operators apply after postfix ones, innermost first: `-f(x)` is `-(f(x))`.
        for (op, start) in prefixes.into_iter().rev() {
            let span = Span { source: self.source, start: start as u32, end: expr.span.end };
            expr = match (op, expr.kind) {
                // `-5` is the literal -5, so that the most negative int can be written.
                (UnaryOp::Neg, ExprKind::Int(i)) if i != i64::MIN => Expr { kind: ExprKind::Int(-i), span },
                (UnaryOp::Neg, ExprKind::Float(f)) => Expr { kind: ExprKind::Float(-f), span },
                (op, kind) => {
                    Expr { kind: ExprKind::Unary { op, operand: Box::new(Expr { kind, span: expr.span }) }, span }
                }
            };
        }
        Ok(expr)
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let span = self.pair_span(&pair);
        let kind = match pair.as_rule() {
            Rule::int => {
                let magnitude = self.int(&pair)?;
                ExprKind::Int(i64::try_from(magnitude).map_err(|_| {
                    self.pair_error(&pair, format!("integer literal {} does not fit in 64 bits", pair.as_str()))
                })?)
            }
            Rule::float => {
                let clean: String = pair.as_str().chars().filter(|&c| c != '_').collect();
                match clean.parse::<f64>() {
                    Ok(f) if f.is_finite() => ExprKind::Float(f),
                    _ => return Err(self.pair_error(&pair, format!("float literal {} is out of range", pair.as_str()))),
                }
            }
            Rule::string => {
                let body = expect(pair.clone().into_inner().next())?;
                let offset = self.base + body.as_span().start();
                match lang_pi::decode_escapes(body.as_str()) {
                    Ok(text) => ExprKind::Str(text),
                    Err(problems) => {
                        let p = &problems[0];
                        return Err(self.error(offset + p.start, offset + p.end, p.message.clone()));
                    }
                }
            }
            Rule::true_lit => ExprKind::Bool(true),
            Rule::false_lit => ExprKind::Bool(false),
            Rule::nil_lit => ExprKind::Nil,
            Rule::name | Rule::pi_const => ExprKind::Name(pair.as_str().to_string()),
            Rule::paren => return self.expr(expect(pair.into_inner().next())?),
            Rule::array => ExprKind::Array(pair.into_inner().map(|e| self.expr(e)).collect::<Result<_, _>>()?),
            Rule::map => {
                let mut entries = Vec::new();
                for entry in pair.into_inner() {
                    let mut parts = entry.into_inner();
                    let key = self.expr(expect(parts.next())?)?;
                    let value = self.expr(expect(parts.next())?)?;
                    entries.push((key, value));
                }
                ExprKind::Map(entries)
            }
            Rule::fun_expr => {
                let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
                let params = self.params(expect(parts.next())?)?;
                let body = self.block(expect(parts.next())?)?;
                ExprKind::Fun { params, body }
            }
            Rule::pi_expr => {
                let body = expect(pair.into_inner().next())?;
                let range = self.base + body.as_span().start()..self.base + body.as_span().end();
                ExprKind::Pi(lang_pi::parse_range(self.text, range, self.source)?)
            }
            other => return Err(self.pair_error(&pair, format!("unexpected {other:?}"))),
        };
        Ok(Expr { kind, span })
    }

    /// The magnitude of an int literal.
    fn int(&self, pair: &Pair<'_, Rule>) -> Result<u64, Error> {
        let text: String = pair.as_str().chars().filter(|&c| c != '_').collect();
        let magnitude = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse::<u64>(),
        };
        magnitude
            .map_err(|_| self.pair_error(pair, format!("integer literal {} does not fit in 64 bits", pair.as_str())))
    }
}

/// Rho's reserved words (the grammar's `keyword` rule).
const KEYWORDS: &[&str] = &[
    "fun", "let", "if", "else", "while", "do", "for", "in", "return", "break", "continue", "try", "catch", "throw",
    "assert", "true", "false", "nil", "pi",
];

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a rule is a keyword token (skipped when building).
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_as
            | Rule::kw_fun
            | Rule::kw_if
            | Rule::kw_else
            | Rule::kw_while
            | Rule::kw_do
            | Rule::kw_for
            | Rule::kw_in
            | Rule::kw_try
            | Rule::kw_catch
            | Rule::kw_let
            | Rule::kw_return
            | Rule::kw_break
            | Rule::kw_continue
            | Rule::kw_assert
            | Rule::kw_throw
    )
}

/// A part the grammar guarantees.
fn expect(pair: Option<Pair<'_, Rule>>) -> Result<Pair<'_, Rule>, Error> {
    pair.ok_or_else(|| Error::new(ErrorKind::Parse, "internal error: a part of the syntax is missing"))
}

/// How an expected rule is named in messages.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::expr
        | Rule::expr_nl
        | Rule::operand
        | Rule::prefix
        | Rule::paren
        | Rule::array
        | Rule::map
        | Rule::fun_expr => "an expression",
        Rule::int
        | Rule::float
        | Rule::string
        | Rule::true_lit
        | Rule::false_lit
        | Rule::nil_lit
        | Rule::pi_expr
        | Rule::pi_const => "an expression",
        Rule::name => "a name",
        Rule::block => "a block `{ … }`",
        Rule::params => "`(` and the parameters",
        Rule::infix => "an operator",
        Rule::call | Rule::index | Rule::member => "`(`, `[` or `.`",
        Rule::assign_op => "`=`",
        Rule::entry => "a map entry `key: value`",
        Rule::EOI => "the end of the input",
        Rule::kw_else | Rule::else_if | Rule::else_block => "`else`",
        Rule::kw_if => "`if`",
        Rule::kw_catch => "`catch`",
        Rule::kw_while => "`while`",
        Rule::kw_in => "`in`",
        Rule::for_init | Rule::for_step => "a statement",
        _ => "a statement",
    }
}

fn too_deep() -> String {
    format!("expression nests more than {MAX_EXPR_DEPTH} deep: split it into smaller parts")
}

/// Refuses expression trees deeper than [`MAX_EXPR_DEPTH`] (checked without recursion, so
/// that later passes may recurse safely).
fn check_depth(statements: &[Stmt]) -> Result<(), Error> {
    enum Item<'a> {
        Stmt(&'a Stmt, usize),
        Expr(&'a Expr, usize),
    }
    let mut todo: Vec<Item<'_>> = statements.iter().map(|s| Item::Stmt(s, 0)).collect();
    while let Some(item) = todo.pop() {
        match item {
            Item::Expr(e, depth) => {
                if depth > MAX_EXPR_DEPTH {
                    return Err(Error::new(ErrorKind::Parse, too_deep()).with_span(e.span));
                }
                let d = depth + 1;
                match &e.kind {
                    ExprKind::Array(items) => todo.extend(items.iter().map(|x| Item::Expr(x, d))),
                    ExprKind::Map(entries) => {
                        for (k, v) in entries {
                            todo.push(Item::Expr(k, d));
                            todo.push(Item::Expr(v, d));
                        }
                    }
                    ExprKind::Fun { body, .. } => todo.extend(body.iter().map(|s| Item::Stmt(s, d))),
                    ExprKind::Call { callee, args } => {
                        todo.push(Item::Expr(callee, d));
                        todo.extend(args.iter().map(|x| Item::Expr(x, d)));
                    }
                    ExprKind::Index { target, index } => {
                        todo.push(Item::Expr(target, d));
                        todo.push(Item::Expr(index, d));
                    }
                    ExprKind::Member { target, .. } => todo.push(Item::Expr(target, d)),
                    ExprKind::Unary { operand, .. } => todo.push(Item::Expr(operand, d)),
                    // A left operand is not deeper: `a + b + c` is a chain, which the
                    // translator walks in a loop (its length is capped by `MAX_CHAIN`).
                    ExprKind::Binary { left, right, .. } => {
                        todo.push(Item::Expr(left, depth));
                        todo.push(Item::Expr(right, d));
                    }
                    _ => {}
                }
            }
            Item::Stmt(s, depth) => {
                let d = depth + 1;
                let exprs: Vec<&Expr> = match &s.kind {
                    StmtKind::Let { value, .. }
                    | StmtKind::Expr(value)
                    | StmtKind::Assert(value)
                    | StmtKind::Throw(value) => {
                        vec![value]
                    }
                    StmtKind::Assign { target, value, .. } => vec![target, value],
                    StmtKind::LetMany { values, .. } => values.iter().collect(),
                    StmtKind::AssignMany { targets, values, .. } => targets.iter().chain(values).collect(),
                    StmtKind::Return(value) => value.iter().collect(),
                    StmtKind::If { arms, .. } => arms.iter().map(|(cond, _)| cond).collect(),
                    StmtKind::While { cond, .. } | StmtKind::DoWhile { cond, .. } => vec![cond],
                    StmtKind::ForIn { iter, .. } => vec![iter],
                    StmtKind::ForC { cond, .. } => cond.iter().collect(),
                    _ => Vec::new(),
                };
                todo.extend(exprs.into_iter().map(|e| Item::Expr(e, d)));
                let blocks: Vec<&Vec<Stmt>> = match &s.kind {
                    StmtKind::Fun { body, .. }
                    | StmtKind::While { body, .. }
                    | StmtKind::DoWhile { body, .. }
                    | StmtKind::ForIn { body, .. } => vec![body],
                    StmtKind::If { arms, otherwise } => {
                        arms.iter().map(|(_, then)| then).chain(otherwise.iter()).collect()
                    }
                    StmtKind::Try { body, handler, .. } => vec![body, handler],
                    StmtKind::ForC { init, step, body, .. } => {
                        for part in init.iter().chain(step.iter()) {
                            todo.push(Item::Stmt(part, d));
                        }
                        vec![body]
                    }
                    _ => Vec::new(),
                };
                for block in blocks {
                    todo.extend(block.iter().map(|s| Item::Stmt(s, d)));
                }
            }
        }
    }
    Ok(())
}
