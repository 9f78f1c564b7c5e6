//! Code generators: from a checked [`Model`] to source a person would be happy to read, in
//! each target language.

mod pi;
mod rho;
mod rust;

#[cfg(test)]
pub(crate) use rho::string as rho_string;

use crate::Model;

/// A language Tau generates code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Rust,
    Rho,
    Pi,
}

impl Target {
    /// The target named `name` (as `kai tau --target` takes it).
    pub fn from_name(name: &str) -> Option<Target> {
        match name {
            "rust" => Some(Target::Rust),
            "rho" => Some(Target::Rho),
            "pi" => Some(Target::Pi),
            _ => None,
        }
    }
}

/// One generated file: its name (relative to the output directory) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub text: String,
}

/// Generates the code for every declaration of `model`, read from the file `source_name`
/// holding `source` (named in the generated header; the Rho code carries the source, which
/// the natives read again), into files named after `stem`.
///
/// # Errors
/// When a declaration cannot be expressed in the target (a member whose generated name
/// collides with another's).
pub fn generate(
    model: &Model,
    target: Target,
    source_name: &str,
    source: &str,
    stem: &str,
) -> Result<Vec<GeneratedFile>, String> {
    let (name, text) = match target {
        Target::Rust => (format!("{stem}.rs"), rust::generate(model, source_name)?),
        Target::Rho => (format!("{stem}.rho"), rho::generate(model, source_name, source)?),
        Target::Pi => (format!("{stem}.pi"), pi::generate(model, source_name, source)?),
    };
    Ok(vec![GeneratedFile { name, text }])
}
