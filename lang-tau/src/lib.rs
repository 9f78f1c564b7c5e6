//! Tau, Kai's interface definition language (SPEC §4): the parser, the checker that turns
//! a file into a [`Model`], and the interface fingerprints both ends of a connection
//! compare.
//!
//! - `parser`: the pest grammar (`tau.pest`) and the syntax tree ([`ast`]) with spans.
//! - `check`: name resolution and every rule about meaning, all problems reported at once.
//! - `model`: the checked declarations the generators work from.
//! - `wire`: the messages and values on the wire, and their encoding.
//! - `generate`: the code generators (Rust).
//! - `convert`: Rust values to and from wire values, for generated Rust code.
//! - `net`: the network runtime, [`net::Proxy`] and [`net::Agent`] (tokio).
//! - `script`: the natives generated Rho code calls, installed by [`install`].
//!
//! ```
//! let model = lang_tau::load("demo.tau", "namespace Demo { struct Point { float x; float y; } }").unwrap();
//! assert_eq!(model.structs[0].name.to_string(), "Demo::Point");
//! ```

pub mod ast;
mod check;
pub mod convert;
pub mod generate;
mod model;
pub mod net;
mod parser;
mod script;
pub mod wire;

use std::rc::Rc;

pub use check::check;
pub use model::{BUILTIN_TYPES, EnumDef, Event, Field, InterfaceDef, Method, Model, QualName, StructDef, Type};
pub use parser::{MAX_NESTING, parse};
pub use script::{RemoteNode, install, serve_remote};
use vm_core::{Error, Source};

/// Tau's reserved words.
pub const KEYWORDS: &[&str] = &["namespace", "enum", "struct", "interface", "event", "map"];

/// Parses and checks the Tau file `name` holding `text`.
///
/// # Errors
/// A `parse` error carrying the source (for a diagnostic with the line and a caret); a file
/// with several problems gives them all, the first as the error and the rest related.
pub fn load(name: &str, text: &str) -> Result<Model, Error> {
    let source = Rc::new(Source::detached(name, text));
    let items = parse(text, source.id).map_err(|e| e.with_source(source.clone()))?;
    check(&items).map_err(|e| e.with_source(source))
}

#[cfg(test)]
mod tests;
