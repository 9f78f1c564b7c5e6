//! Rho, Kai's infix language with C-like braces, translated to the Pi AST (never to Pi
//! text) so that it runs on the same compiler and executor as Pi.
//!
//! - `parser`: the pest grammar (`rho.pest`) and the AST builder, with source spans.
//! - `translate`: Rho AST to Pi AST; `builtins`: the built-in functions and their Pi.
//!
//! ```
//! let mut vm = lang_rho::new_vm();
//! vm.eval("rho", "example", "fun sq(x) { return x * x }\nresult = sq(7)").unwrap();
//! assert_eq!(vm.global("result"), Some(vm_core::Value::Int(49)));
//! ```

mod ast;
mod builtins;
mod parser;
mod translate;

use std::rc::Rc;

pub use ast::{AssignOp, BinaryOp, Expr, ExprKind, Ident, Stmt, StmtKind, UnaryOp};
pub use parser::{MAX_CHAIN, MAX_EXPR_DEPTH, MAX_NESTING, parse};
pub use translate::translate;

use vm_core::{Error, Frontend, Natives, Source, SourceId, Unit, Vm};

/// The built-in functions: name, accepted argument counts and a description, for help
/// and completion.
pub fn builtin_functions() -> impl Iterator<Item = (&'static str, String, &'static str)> {
    builtins::BUILTINS.iter().map(|b| (b.name, b.arity_text(), b.doc))
}

/// Rho's keywords.
pub const KEYWORDS: &[&str] = &[
    "fun", "let", "if", "else", "while", "do", "for", "in", "return", "break", "continue", "try", "catch", "throw",
    "assert", "true", "false", "nil", "pi",
];

/// Parses and translates Rho source to the Pi AST.
///
/// # Errors
/// A `parse` (or `arity`) error with its position.
pub fn to_pi(text: &str, source: SourceId, interactive: bool, natives: &Natives) -> Result<Vec<lang_pi::Node>, Error> {
    let program = parse(text, source)?;
    translate(&program, interactive, natives)
}

/// Whether `text` is an unfinished piece of Rho that more lines could complete: a bracket or
/// block comment is still open, or the input ends where more was expected (`x = 1 +`).
pub fn needs_more(text: &str) -> bool {
    match parse(text, SourceId(0)) {
        Ok(_) => false,
        Err(err) => {
            let at_end = err.span().is_some_and(|s| s.start as usize >= text.trim_end().len());
            let m = err.message();
            (m.starts_with("expected `") && m.contains("to close") && !m.contains(", found"))
                || m.starts_with("unterminated comment")
                || (at_end && m.contains("found the end of the input"))
        }
    }
}

/// The Rho frontend, as installed in a VM under the name `"rho"`.
pub struct RhoFrontend;

impl RhoFrontend {
    fn build(source: &Source, natives: &Natives, interactive: bool) -> Result<Unit, Error> {
        let nodes = to_pi(&source.text, source.id, interactive, natives)?;
        lang_pi::compile(&nodes, source, natives)
    }
}

impl Frontend for RhoFrontend {
    fn compile(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        Self::build(source, natives, false)
    }

    fn compile_interactive(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        Self::build(source, natives, true)
    }

    /// Rho holds its own syntax tree and the Pi tree translated from it at once: a
    /// generated 16 MB program peaked at 46 bytes per source byte.
    fn memory_per_source_byte(&self) -> usize {
        64
    }
}

/// Installs the Rho frontend in `vm`.
pub fn install(vm: &mut Vm) {
    vm.set_frontend("rho", Rc::new(RhoFrontend));
}

/// A new VM with the Pi and Rho frontends installed.
pub fn new_vm() -> Vm {
    let mut vm = lang_pi::new_vm();
    install(&mut vm);
    vm
}

#[cfg(test)]
mod tests;
