//! Colours for the REPL: the stack view, values by type, and syntax highlighting of input.
//! Every function returns plain text when colour is off.

use vm_core::{Value, Vm};

use crate::lang::Lang;

pub(crate) const RESET: &str = "\x1b[0m";
pub(crate) const DIM: &str = "\x1b[2m";
pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const YELLOW: &str = "\x1b[33m";
pub(crate) const BLUE: &str = "\x1b[34m";
pub(crate) const MAGENTA: &str = "\x1b[35m";
pub(crate) const CYAN: &str = "\x1b[36m";

/// Wraps `text` in `colour` when `on`.
pub(crate) fn paint(text: &str, colour: &str, on: bool) -> String {
    if on { format!("{colour}{text}{RESET}") } else { text.to_string() }
}

/// The colour a value is shown in.
fn colour_of(value: Value) -> &'static str {
    match value {
        Value::Int(_) | Value::Float(_) => CYAN,
        Value::Str(_) | Value::Bytes(_) => GREEN,
        Value::Name(_) => MAGENTA,
        Value::Nil | Value::Bool(_) => YELLOW,
        Value::Cont(_) => BLUE,
        Value::Array(_) | Value::Map(_) | Value::Native(_) => "",
    }
}

/// One value in repr form, coloured by type.
pub(crate) fn value(vm: &Vm, value: Value, on: bool) -> String {
    let text = vm.repr(value);
    match colour_of(value) {
        "" => text,
        colour => paint(&text, colour, on),
    }
}

/// The data stack, bottom first, with the top marked.
pub(crate) fn stack(vm: &Vm, on: bool) -> String {
    let values = vm.stack();
    if values.is_empty() {
        return paint("  (empty stack)", DIM, on);
    }
    let items: Vec<String> = values.iter().map(|&v| value(vm, v, on)).collect();
    format!("  {}  {}", items.join("  "), paint("← top", DIM, on))
}

/// Highlights a line of Pi or Rho for the editor. The result has the same display width.
pub(crate) fn highlight(line: &str, lang: Lang) -> String {
    let rho = lang.infix();
    let mut out = String::with_capacity(line.len() * 2);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    let text_from = |start: usize, end: usize| &line[chars[start].0..chars.get(end).map_or(line.len(), |c| c.0)];
    while i < chars.len() {
        let c = chars[i].1;
        let start = i;
        let colour = if c == '"' {
            i += 1;
            while i < chars.len() && chars[i].1 != '"' {
                i += if chars[i].1 == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            GREEN
        } else if c == '/' && chars.get(i + 1).is_some_and(|c| c.1 == '/') {
            i = chars.len();
            DIM
        } else if c.is_ascii_digit() || (c == '-' && !rho && chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit())) {
            i += 1;
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || matches!(chars[i].1, '.' | '_')) {
                i += 1;
            }
            CYAN
        } else if c == '\'' && !rho {
            i += 1;
            while i < chars.len() && is_word_char(chars[i].1, rho) {
                i += 1;
            }
            MAGENTA
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && is_word_char(chars[i].1, rho) {
                i += 1;
            }
            let word = text_from(start, i);
            if matches!(word, "true" | "false" | "nil") {
                YELLOW
            } else if lang.keywords().contains(&word) {
                BOLD
            } else if !rho && vm_core::words::lookup(word).is_some() {
                BLUE
            } else {
                ""
            }
        } else {
            i += 1;
            ""
        };
        let text = text_from(start, i);
        if colour.is_empty() {
            out.push_str(text);
        } else {
            out.push_str(colour);
            out.push_str(text);
            out.push_str(RESET);
        }
    }
    out
}

/// Whether `c` continues a name (Pi names may contain `?` and `-`; Rho names may not).
pub(crate) fn is_word_char(c: char, rho: bool) -> bool {
    c.is_alphanumeric() || c == '_' || (!rho && matches!(c, '?' | '-'))
}
