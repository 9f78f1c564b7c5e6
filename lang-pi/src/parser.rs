//! The Pi parser: pest tokenises (`pi.pest`), then the brackets are paired here with an
//! explicit stack, so nesting never recurses and an unbalanced bracket is reported with
//! both of its positions. Every problem found is reported, not just the first.

use std::rc::Rc;

use pest::Parser;
use vm_core::{Error, ErrorKind, SourceId, Span};

use crate::ast::{Node, NodeKind};

#[derive(pest_derive::Parser)]
#[grammar = "pi.pest"]
struct PiGrammar;

/// How deeply `{ }` and `[ ]` may nest. Compiling and printing recurse once per level, so
/// the limit keeps them far from the end of the Rust stack.
pub const MAX_NESTING: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bracket {
    Block,
    Array,
}

impl Bracket {
    fn open(self) -> char {
        match self {
            Bracket::Block => '{',
            Bracket::Array => '[',
        }
    }

    fn close(self) -> char {
        match self {
            Bracket::Block => '}',
            Bracket::Array => ']',
        }
    }
}

struct Open {
    bracket: Bracket,
    start: usize,
    newline: bool,
    /// The items of the enclosing sequence, set aside until this bracket closes.
    outer: Vec<Node>,
}

struct ParseState<'t> {
    /// The whole source text (positions in messages are counted in it).
    text: &'t str,
    /// Where the parsed part starts in `text`; pest positions are relative to it.
    base: usize,
    source: SourceId,
    errors: Vec<Error>,
    /// Every word and name met so far, so each use of one shares its text.
    words: rustc_hash::FxHashMap<&'t str, Rc<str>>,
}

impl<'t> ParseState<'t> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source, self.base + start, self.base + end)
    }

    /// The shared text of word or name `text`.
    fn shared(&mut self, text: &'t str) -> Rc<str> {
        self.words.entry(text).or_insert_with(|| Rc::from(text)).clone()
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        self.errors.push(Error::new(ErrorKind::Parse, message).with_span(self.span(start, end)));
    }

    /// `line:column` of byte `offset`, for messages that name a second position.
    fn position(&self, offset: usize) -> String {
        let before = &self.text[..(self.base + offset).min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{column}")
    }
}

/// How much text at the end of a program the grammar reads in one piece.
const WHOLE_TAIL: usize = 64 << 10;

/// Parses Pi source text.
///
/// # Errors
/// A `parse` error for the first problem, carrying every further problem as related
/// errors.
pub fn parse(text: &str, source: SourceId) -> Result<Vec<Node>, Error> {
    parse_range(text, 0..text.len(), source)
}

/// Parses the Pi in `text[range]` (Pi embedded in another language's source), with spans
/// and positions counted in the whole of `text`.
///
/// # Errors
/// As [`parse`].
///
/// # Panics
/// If `range` is not a range of char boundaries of `text`.
pub fn parse_range(full: &str, range: std::ops::Range<usize>, source: SourceId) -> Result<Vec<Node>, Error> {
    let text = &full[range.clone()];
    let mut state = ParseState { text: full, base: range.start, source, errors: Vec::new(), words: Default::default() };
    let mut items: Vec<Node> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut previous_end = 0;
    // Where the next chunk of tokens starts (the grammar reads at most 1,024 at a time,
    // except in the last 64 KiB, read whole).
    let mut offset = 0;
    loop {
        let rule = match (offset == 0, text.len() - offset <= WHOLE_TAIL) {
            (true, true) => Rule::first_rest,
            (true, false) => Rule::first_chunk,
            (false, true) => Rule::rest,
            (false, false) => Rule::chunk,
        };
        let chunk = match PiGrammar::parse(rule, &text[offset..]) {
            Ok(mut pairs) => pairs.next(),
            Err(err) => {
                // The grammar accepts every input; this is only a safety net.
                let (start, end) = match err.location {
                    pest::error::InputLocation::Pos(p) => (p, p),
                    pest::error::InputLocation::Span(s) => s,
                };
                state.error(offset + start, offset + end, format!("cannot read the input: {}", err.variant.message()));
                None
            }
        };
        let Some(chunk) = chunk else { break };
        let chunk_end = offset + chunk.as_span().end();
        let base = offset;
        for pair in chunk.into_inner() {
            let (start, end) = (base + pair.as_span().start(), base + pair.as_span().end());
            let newline = text[previous_end.min(start)..start].contains('\n');
            previous_end = end;
            let span = state.span(start, end);
            let bracket = match pair.as_rule() {
                Rule::open_block | Rule::close_block => Some(Bracket::Block),
                Rule::open_array | Rule::close_array => Some(Bracket::Array),
                _ => None,
            };
            match pair.as_rule() {
                Rule::open_block | Rule::open_array => {
                    let bracket = bracket.unwrap_or(Bracket::Block);
                    if open.len() >= MAX_NESTING {
                        state.error(start, end, format!("brackets nest more than {MAX_NESTING} deep"));
                        return Err(finish(state).unwrap_err());
                    }
                    open.push(Open { bracket, start, newline, outer: std::mem::take(&mut items) });
                }
                Rule::close_block | Rule::close_array => {
                    let bracket = bracket.unwrap_or(Bracket::Block);
                    let Some(innermost) = open.last() else {
                        state.error(
                            start,
                            end,
                            format!("unexpected '{}' with no matching '{}'", bracket.close(), bracket.open()),
                        );
                        continue;
                    };
                    if innermost.bracket != bracket {
                        // Name the pair that does not match: the innermost open bracket and
                        // this closer. If an outer bracket is the one this closes, the ones
                        // inside it end here too, so the outer one is not reported again.
                        let (at, here) = (state.position(innermost.start), state.position(start));
                        let message = format!(
                            "'{}' opened at {at} is closed by '{}' at {here}; expected '{}'",
                            innermost.bracket.open(),
                            bracket.close(),
                            innermost.bracket.close()
                        );
                        state.error(start, end, message);
                        if open.iter().any(|o| o.bracket == bracket) {
                            while open.last().is_some_and(|o| o.bracket != bracket) {
                                close_bracket(&mut state, &mut open, &mut items, end);
                            }
                        }
                    }
                    close_bracket(&mut state, &mut open, &mut items, end);
                }
                rule => {
                    if let Some(kind) = atom(&mut state, rule, pair.as_str(), start, end) {
                        items.push(Node { kind, span, newline });
                    }
                }
            }
        }
        if chunk_end >= text.len() || chunk_end == offset {
            break;
        }
        offset = chunk_end;
    }
    while let Some(opened) = open.pop() {
        let at = state.position(opened.start);
        state.error(
            opened.start,
            opened.start + 1,
            format!(
                "'{}' opened at {at} is never closed: expected '{}' before the end of the input",
                opened.bracket.open(),
                opened.bracket.close()
            ),
        );
        items = opened.outer;
    }
    items.shrink_to_fit();
    finish(state).map(|()| items)
}

/// Ends the innermost open bracket at byte `end`: its items become a block or array node.
fn close_bracket(state: &mut ParseState<'_>, open: &mut Vec<Open>, items: &mut Vec<Node>, end: usize) {
    let Some(opened) = open.pop() else { return };
    let mut inner = std::mem::replace(items, opened.outer);
    inner.shrink_to_fit();
    let kind = match opened.bracket {
        Bracket::Block => NodeKind::Block(inner),
        Bracket::Array => NodeKind::Array(inner),
    };
    items.push(Node { kind, span: state.span(opened.start, end), newline: opened.newline });
}

fn finish(mut state: ParseState<'_>) -> Result<(), Error> {
    if state.errors.is_empty() {
        return Ok(());
    }
    // Report in source order.
    state.errors.sort_by_key(|e| e.span().map_or(0, |s| s.start));
    let mut errors = state.errors.into_iter();
    let first = errors.next().unwrap_or_else(|| Error::new(ErrorKind::Parse, "invalid input"));
    Err(first.with_related(errors.collect()))
}

/// The node kind of one atom token, or `None` after reporting a problem.
fn atom<'t>(state: &mut ParseState<'t>, rule: Rule, text: &'t str, start: usize, end: usize) -> Option<NodeKind> {
    match rule {
        Rule::number => number(state, text, start, end),
        Rule::quoted => Some(NodeKind::Name(state.shared(&text[1..]))),
        Rule::name => Some(match text {
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            "nil" => NodeKind::Nil,
            _ => NodeKind::Word(state.shared(text)),
        }),
        Rule::symbol => Some(NodeKind::Word(state.shared(text))),
        Rule::string => decode_string(state, &text[1..text.len() - 1], start + 1).map(NodeKind::Str),
        Rule::unterminated_string => {
            state.error(
                start,
                start + 1,
                "unterminated string: no closing '\"' before the end of the input".to_string(),
            );
            None
        }
        Rule::unterminated_comment => {
            state.error(start, start + 2, "unterminated block comment: no closing '*/'".to_string());
            None
        }
        Rule::shebang | Rule::line_comment | Rule::block_comment | Rule::EOI => None,
        _ => {
            let shown = vm_core::shown(&text.chars().take(40).collect::<String>());
            state.error(start, end, format!("invalid token '{shown}': not a number, name, string or word"));
            None
        }
    }
}

fn number(state: &mut ParseState<'_>, text: &str, start: usize, end: usize) -> Option<NodeKind> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    if clean.contains(['.', 'e', 'E']) && !clean.contains(['x', 'X']) {
        return match clean.parse::<f64>() {
            Ok(f) if f.is_finite() => Some(NodeKind::Float(f)),
            _ => {
                state.error(start, end, format!("float literal {text} is out of range"));
                None
            }
        };
    }
    let (negative, digits) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.as_str()),
    };
    let (radix, digits) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    let value = u64::from_str_radix(digits, radix).ok().and_then(|magnitude| {
        if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
    });
    match value {
        Some(i) => Some(NodeKind::Int(i)),
        None => {
            state.error(start, end, format!("integer literal {text} does not fit in 64 bits"));
            None
        }
    }
}

/// Decodes the escapes of a string body that starts at byte `offset` of the source.
fn decode_string(state: &mut ParseState<'_>, body: &str, offset: usize) -> Option<String> {
    match decode_escapes(body) {
        Ok(text) => Some(text),
        Err(problems) => {
            for problem in problems {
                state.error(offset + problem.start, offset + problem.end, problem.message);
            }
            None
        }
    }
}

/// A bad escape in a string literal: where it is in the string body, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscapeProblem {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Decodes the escapes of a string literal's body (the text between the quotes):
/// `\n \t \r \\ \" \0 \u{1F600}`. Pi and Rho strings share this.
///
/// # Errors
/// Every bad escape, with its byte range in `body`.
pub fn decode_escapes(body: &str) -> Result<String, Vec<EscapeProblem>> {
    let mut out = String::with_capacity(body.len());
    let mut problems = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut problem = |end: usize, message: String| problems.push(EscapeProblem { start: at, end, message });
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, '0')) => out.push('\0'),
            Some((_, 'u')) => {
                let mut code = String::new();
                let mut closed = false;
                if chars.peek().map(|&(_, c)| c) == Some('{') {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        code.push(c);
                        if code.len() > 6 {
                            break;
                        }
                    }
                }
                let decoded = closed.then(|| u32::from_str_radix(&code, 16).ok()).flatten().and_then(char::from_u32);
                match decoded {
                    Some(c) if !code.is_empty() => out.push(c),
                    _ => problem(
                        at + 2,
                        "bad unicode escape: write \\u{1F600} with 1 to 6 hex digits naming a valid character"
                            .to_string(),
                    ),
                }
            }
            Some((_, other)) => problem(
                at + 1 + other.len_utf8(),
                format!("unknown escape '\\{other}' (known: \\n \\t \\r \\\\ \\\" \\0 \\u{{…}})"),
            ),
            None => problem(at + 1, "a string cannot end with a single '\\'".to_string()),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}
