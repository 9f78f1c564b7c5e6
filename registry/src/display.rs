//! How values print: the display form (`print`) and the repr form (the REPL's stack view,
//! elements inside containers). Printing is iterative and prints a container met again on
//! its own path (a cycle) as `[...]` or `{...}`.

use std::fmt::Write;

use rustc_hash::FxHashSet;

use crate::map::Key;
use crate::object::{Code, Object};
use crate::registry::Registry;
use crate::value::Value;

enum Piece {
    Value(Value),
    Key(Key),
    Text(&'static str),
    Leave(gc::Handle),
}

impl<C: Code> Registry<C> {
    /// The display form: what `print` writes. A string prints without quotes.
    pub fn display(&self, value: Value) -> String {
        let mut out = String::new();
        self.write_display(value, &mut out);
        out
    }

    /// Appends the display form of `value` to `out`.
    pub fn write_display(&self, value: Value, out: &mut String) {
        match value {
            Value::Str(_) => out.push_str(self.text(value).unwrap_or("")),
            _ => self.write_repr(value, out),
        }
    }

    /// The repr form: strings quoted and escaped, as in the REPL's stack view.
    pub fn repr(&self, value: Value) -> String {
        let mut out = String::new();
        self.write_repr(value, &mut out);
        out
    }

    /// Appends the repr form of `value` to `out`.
    pub fn write_repr(&self, value: Value, out: &mut String) {
        let mut todo = vec![Piece::Value(value)];
        let mut open: FxHashSet<gc::Handle> = FxHashSet::default();
        let start = out.len();
        let mut pieces = 0;
        while let Some(piece) = todo.pop() {
            pieces += 1;
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Leave(handle) => {
                    open.remove(&handle);
                }
                Piece::Key(key) => self.write_key(&key, out),
                Piece::Value(value) => self.write_one(value, out, &mut todo, &mut open),
            }
        }
        // A piece is a unit of work, and so are every 16 bytes written.
        self.note_work(pieces + (out.len() - start) / 16);
    }

    fn write_one(&self, value: Value, out: &mut String, todo: &mut Vec<Piece>, open: &mut FxHashSet<gc::Handle>) {
        match value {
            Value::Nil => out.push_str("nil"),
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => write_float(f, out),
            Value::Name(n) => {
                out.push('\'');
                out.push_str(self.name_text(n));
            }
            Value::Str(_) => write_quoted(self.text(value).unwrap_or(""), out),
            Value::Bytes(h) => write_bytes(self.bytes(h).map_or(&[][..], |b| b), out),
            Value::Cont(h) => match self.closure(h).ok().and_then(|c| c.name) {
                Some(name) => {
                    let _ = write!(out, "{{{} ...}}", self.name_text(name));
                }
                None => out.push_str("{...}"),
            },
            Value::Native(h) => match self.native(h) {
                Ok(native) => out.push_str(&native.display()),
                Err(_) => out.push_str("<native>"),
            },
            Value::Array(h) | Value::Map(h) => {
                let is_array = matches!(value, Value::Array(_));
                if !open.insert(h) {
                    out.push_str(if is_array { "[...]" } else { "{...}" });
                    return;
                }
                todo.push(Piece::Leave(h));
                match self.object(h) {
                    Ok(Object::Array(items)) => {
                        out.push('[');
                        todo.push(Piece::Text("]"));
                        for (i, &item) in items.iter().enumerate().rev() {
                            todo.push(Piece::Value(item));
                            if i > 0 {
                                todo.push(Piece::Text(" "));
                            }
                        }
                    }
                    Ok(Object::Map(map)) => {
                        let map = map.map();
                        out.push('{');
                        todo.push(Piece::Text("}"));
                        for (i, (key, &item)) in map.iter().enumerate().rev() {
                            todo.push(Piece::Value(item));
                            todo.push(Piece::Text(": "));
                            todo.push(Piece::Key(key.clone()));
                            if i > 0 {
                                todo.push(Piece::Text(", "));
                            }
                        }
                    }
                    _ => out.push_str("<stale>"),
                }
            }
        }
    }

    fn write_key(&self, key: &Key, out: &mut String) {
        match key {
            Key::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Key::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Key::Name(n) => {
                out.push('\'');
                out.push_str(self.name_text(*n));
            }
            Key::Str(s) => write_quoted(s, out),
        }
    }
}

/// Writes a float in the shortest form that reads back, always with a decimal point or an
/// exponent: `2.0`, `0.1`, `1e300`, `inf`, `nan`.
pub fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else {
        // `{:?}` is Rust's shortest round-trip form and keeps `.0` on integral values.
        let _ = write!(out, "{f:?}");
    }
}

/// Writes `text` as a Pi string literal.
pub fn write_quoted(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_bytes(bytes: &[u8], out: &mut String) {
    out.push_str("b\"");
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}
