//! Tau source to the syntax tree ([`crate::ast`]) through the pest grammar (`tau.pest`),
//! with every node's span, and syntax errors that say what was expected where.

use pest::Parser as _;
use pest::iterators::Pair;
use pest_derive::Parser;
use vm_core::{Error, ErrorKind, SourceId, Span};

use crate::ast::{EnumDecl, Ident, InterfaceDecl, Item, Member, Namespace, Param, StructDecl, TypeExpr, Variant};

#[derive(Parser)]
#[grammar = "tau.pest"]
struct TauGrammar;

/// How deeply braces and angle brackets may nest. The grammar recurses once per level, so
/// deeper input is refused before pest sees it; no real interface comes close.
pub const MAX_NESTING: usize = 64;

/// Parses a Tau file.
///
/// # Errors
/// A `parse` error at the first place the text stops being Tau.
pub fn parse(text: &str, source: SourceId) -> Result<Vec<Item>, Error> {
    check_nesting(text, source)?;
    let mut pairs = TauGrammar::parse(Rule::file, text).map_err(|err| syntax_error(text, source, err))?;
    let file = pairs.next().expect("the grammar's `file` rule yields one pair");
    let builder = Builder { source };
    Ok(parts(file).filter(|p| !matches!(p.as_rule(), Rule::EOI)).map(|p| builder.item(p)).collect())
}

/// Refuses nesting deeper than [`MAX_NESTING`], outside comments.
fn check_nesting(text: &str, source: SourceId) -> Result<(), Error> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'<' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let message = format!("declarations and types nest more than {MAX_NESTING} levels deep here");
                    return Err(Error::new(ErrorKind::Parse, message).with_span(Span::new(source, i, i + 1)));
                }
            }
            b'}' | b'>' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn syntax_error(text: &str, source: SourceId, err: pest::error::Error<Rule>) -> Error {
    let at = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for rule in positives {
            let name = describe(*rule);
            if !expected.contains(&name) {
                expected.push(name);
            }
        }
    }
    let found = match text[at..].chars().next() {
        None => "the end of the input".to_string(),
        Some(c) if c.is_whitespace() => "white space".to_string(),
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {
            let word: String =
                text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').take(30).collect();
            format!("`{}`", vm_core::shown(&word))
        }
        Some(c) => format!("`{}`", vm_core::shown(&c.to_string())),
    };
    let mut message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        [rest @ .., last] => format!("expected {} or {last}, found {found}", rest.join(", ")),
    };
    let word: String = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if expected.contains(&"a name") && crate::KEYWORDS.contains(&word.as_str()) {
        message.push_str(&format!(" (`{word}` is a reserved word)"));
    }
    let end = (at + text[at..].chars().next().map_or(0, char::len_utf8)).min(text.len());
    Error::new(ErrorKind::Parse, message).with_span(Span::new(source, at, end))
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::item | Rule::namespace | Rule::enum_decl | Rule::struct_decl | Rule::interface_decl => {
            "a declaration (`namespace`, `enum`, `struct` or `interface`)"
        }
        Rule::kw_namespace | Rule::kw_enum | Rule::kw_struct | Rule::kw_interface => {
            "a declaration (`namespace`, `enum`, `struct` or `interface`)"
        }
        Rule::member | Rule::method | Rule::property | Rule::event | Rule::kw_event => {
            "a member (a method, a property or an `event`)"
        }
        Rule::variant => "an enum variant",
        Rule::field => "a field (a type and a name)",
        Rule::param => "a parameter (a type and a name)",
        Rule::params => "`(` and the parameters",
        Rule::type_expr | Rule::map_type | Rule::path | Rule::kw_map => "a type",
        Rule::array_suffix => "`[]`",
        Rule::semi => "`;`",
        Rule::open => "`{`",
        Rule::close => "`}`",
        Rule::open_paren => "`(`",
        Rule::close_paren => "`)`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        Rule::less => "`<`",
        Rule::greater => "`>`",
        Rule::name => "a name",
        Rule::int => "an integer",
        Rule::EOI => "the end of the input",
        _ => "more",
    }
}

struct Builder {
    source: SourceId,
}

/// The parts of `pair` that carry meaning: its children without the punctuation.
fn parts(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::semi
                | Rule::open
                | Rule::close
                | Rule::open_paren
                | Rule::close_paren
                | Rule::comma
                | Rule::equals
                | Rule::less
                | Rule::greater
        )
    })
}

impl Builder {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.source, s.start(), s.end())
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident { name: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn item(&self, pair: Pair<Rule>) -> Item {
        match pair.as_rule() {
            Rule::namespace => {
                let mut inner = parts(pair).skip(1);
                let path = inner.next().expect("a namespace has a path").into_inner().map(|p| self.ident(p)).collect();
                Item::Namespace(Namespace { path, items: inner.map(|p| self.item(p)).collect() })
            }
            Rule::enum_decl => {
                let mut inner = parts(pair).skip(1);
                let name = self.ident(inner.next().expect("an enum has a name"));
                let variants = inner
                    .map(|v| {
                        let mut pieces = parts(v);
                        let name = self.ident(pieces.next().expect("a variant has a name"));
                        let value = pieces.next().map(|int| (int.as_str().to_string(), self.span(&int)));
                        Variant { name, value }
                    })
                    .collect();
                Item::Enum(EnumDecl { name, variants })
            }
            Rule::struct_decl => {
                let mut inner = parts(pair).skip(1);
                let name = self.ident(inner.next().expect("a struct has a name"));
                Item::Struct(StructDecl { name, fields: inner.map(|f| self.param(f)).collect() })
            }
            Rule::interface_decl => {
                let mut inner = parts(pair).skip(1);
                let name = self.ident(inner.next().expect("an interface has a name"));
                Item::Interface(InterfaceDecl { name, members: inner.map(|m| self.member(m)).collect() })
            }
            rule => unreachable!("the grammar yields no item {rule:?}"),
        }
    }

    fn member(&self, pair: Pair<Rule>) -> Member {
        let rule = pair.as_rule();
        let mut inner = parts(pair);
        match rule {
            Rule::event => {
                let _keyword = inner.next();
                let name = self.ident(inner.next().expect("an event has a name"));
                Member::Event { name, params: self.params(inner.next().expect("an event has parameters")) }
            }
            Rule::method => {
                let result = self.type_expr(inner.next().expect("a method has a result type"));
                let name = self.ident(inner.next().expect("a method has a name"));
                Member::Method { result, name, params: self.params(inner.next().expect("a method has parameters")) }
            }
            Rule::property => {
                let ty = self.type_expr(inner.next().expect("a property has a type"));
                Member::Property { ty, name: self.ident(inner.next().expect("a property has a name")) }
            }
            rule => unreachable!("the grammar yields no member {rule:?}"),
        }
    }

    fn params(&self, pair: Pair<Rule>) -> Vec<Param> {
        parts(pair).map(|p| self.param(p)).collect()
    }

    fn param(&self, pair: Pair<Rule>) -> Param {
        let mut inner = parts(pair);
        let ty = self.type_expr(inner.next().expect("a typed name has a type"));
        Param { ty, name: self.ident(inner.next().expect("a typed name has a name")) }
    }

    fn type_expr(&self, pair: Pair<Rule>) -> TypeExpr {
        let whole = pair.as_span();
        let mut inner = parts(pair);
        let base = inner.next().expect("a type has a base");
        let mut ty = match base.as_rule() {
            Rule::map_type => {
                let span = self.span(&base);
                let mut pieces = parts(base).skip(1);
                let key = self.type_expr(pieces.next().expect("a map type has a key type"));
                let value = self.type_expr(pieces.next().expect("a map type has a value type"));
                TypeExpr::Map(Box::new(key), Box::new(value), span)
            }
            _ => {
                let span = self.span(&base);
                TypeExpr::Named(parts(base).map(|p| self.ident(p)).collect(), span)
            }
        };
        for suffix in inner {
            let span = Span::new(self.source, whole.start(), suffix.as_span().end());
            ty = TypeExpr::Array(Box::new(ty), span);
        }
        ty
    }
}
