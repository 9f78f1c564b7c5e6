//! Pi, Kai's postfix core language: a pest grammar and parser producing an AST with source
//! spans, a compiler from the AST to portable vm-core units (it needs no VM), and a printer
//! from the AST back to Pi source (which Rho's translator relies on for `kai translate`), and
//! the infix operators the languages translated to Pi share (`infix`).
//!
//! Install the frontend in a VM with [`install`], or make a ready VM with [`new_vm`]:
//!
//! ```
//! let mut vm = lang_pi::new_vm();
//! vm.eval("pi", "example", "{ dup * } 'sq # 7 sq &").unwrap();
//! assert_eq!(vm.pop(), Some(vm_core::Value::Int(49)));
//! ```

mod ast;
mod compiler;
pub mod infix;
mod parser;
mod printer;

use std::rc::Rc;

pub use ast::{Node, NodeKind};
pub use compiler::compile;
pub use parser::{EscapeProblem, MAX_NESTING, decode_escapes, parse, parse_range};
pub use printer::print;

use vm_core::{Error, Frontend, Natives, Source, SourceId, Unit, Vm};

/// The Pi frontend, as installed in a VM under the name `"pi"`.
pub struct PiFrontend;

impl Frontend for PiFrontend {
    fn compile(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        let nodes = parse(&source.text, source.id)?;
        compile(&nodes, source, natives)
    }

    /// A generated 32 MB program peaked at 26 bytes per source byte.
    fn memory_per_source_byte(&self) -> usize {
        32
    }
}

/// Whether `text` is an unfinished piece of Pi that more lines could complete: a bracket,
/// string or block comment is still open. (A REPL asks for a continuation line then.)
pub fn needs_more(text: &str) -> bool {
    match parse(text, SourceId(0)) {
        Ok(_) => false,
        Err(err) => std::iter::once(&err).chain(err.related()).any(|e| {
            let m = e.message();
            m.contains("is never closed")
                || m.starts_with("unterminated string")
                || m.starts_with("unterminated block comment")
        }),
    }
}

/// Installs the Pi frontend in `vm`.
pub fn install(vm: &mut Vm) {
    vm.set_frontend("pi", Rc::new(PiFrontend));
}

/// A new VM with the Pi frontend installed.
pub fn new_vm() -> Vm {
    let mut vm = Vm::new();
    install(&mut vm);
    vm
}

#[cfg(test)]
mod tests;
