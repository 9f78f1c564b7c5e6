//! Turns a Pi AST back into readable Pi source. Layout follows the nodes' `newline` hints:
//! a block containing a line break is printed over several lines, indented.

use vm_core::{write_float, write_quoted};

use crate::ast::{Node, NodeKind};

const INDENT: &str = "  ";
/// A block without line breaks is still split if its one-line form is longer than this.
const MAX_INLINE: usize = 72;

/// Pi source for `nodes`; parsing it gives an equal AST.
pub fn print(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_sequence(nodes, 0, &mut out);
    out.push('\n');
    out
}

fn newline(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str(INDENT);
    }
}

fn write_sequence(nodes: &[Node], depth: usize, out: &mut String) {
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            if node.newline { newline(depth, out) } else { out.push(' ') }
        }
        write_node(node, depth, out);
    }
}

fn write_node(node: &Node, depth: usize, out: &mut String) {
    match &node.kind {
        NodeKind::Int(i) => out.push_str(&i.to_string()),
        NodeKind::Float(f) => write_float(*f, out),
        NodeKind::Str(s) => write_quoted(s, out),
        NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeKind::Nil => out.push_str("nil"),
        NodeKind::Name(n) => {
            out.push('\'');
            out.push_str(n);
        }
        NodeKind::Word(w) => out.push_str(w),
        NodeKind::Block(items) => write_bracketed('{', '}', items, depth, out),
        NodeKind::Array(items) => write_bracketed('[', ']', items, depth, out),
    }
}

fn write_bracketed(open: char, close: char, items: &[Node], depth: usize, out: &mut String) {
    if items.is_empty() {
        out.push(open);
        out.push(' ');
        out.push(close);
        return;
    }
    let mut flat = String::new();
    let multiline = items.iter().any(|n| n.newline) || {
        write_flat(items, &mut flat);
        flat.len() > MAX_INLINE
    };
    out.push(open);
    if multiline {
        for (i, node) in items.iter().enumerate() {
            if i == 0 || node.newline {
                newline(depth + 1, out)
            } else {
                out.push(' ')
            }
            write_node(node, depth + 1, out);
        }
        newline(depth, out);
    } else {
        out.push(' ');
        out.push_str(&flat);
        out.push(' ');
    }
    out.push(close);
}

/// The one-line form of a sequence (used to decide whether it fits on a line).
fn write_flat(items: &[Node], out: &mut String) {
    for (i, node) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match &node.kind {
            NodeKind::Block(inner) | NodeKind::Array(inner) => {
                let (open, close) = if matches!(node.kind, NodeKind::Block(_)) { ('{', '}') } else { ('[', ']') };
                out.push(open);
                out.push(' ');
                if !inner.is_empty() {
                    write_flat(inner, out);
                    out.push(' ');
                }
                out.push(close);
            }
            _ => write_node(node, 0, out),
        }
        if out.len() > 4 * MAX_INLINE {
            return;
        }
    }
}
