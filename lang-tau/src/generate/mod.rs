//! Code generators: from a checked [`Model`] to source a person would be happy to read, in
//! each target language.

mod rust;

use crate::Model;

/// A language Tau generates code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Rust,
}

impl Target {
    /// The target named `name` (as `kai tau --target` takes it).
    pub fn from_name(name: &str) -> Option<Target> {
        match name {
            "rust" => Some(Target::Rust),
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
/// (named in the generated header), into files named after `stem`.
///
/// # Errors
/// When a declaration cannot be expressed in the target (a member whose generated name
/// collides with another's).
pub fn generate(model: &Model, target: Target, source_name: &str, stem: &str) -> Result<Vec<GeneratedFile>, String> {
    match target {
        Target::Rust => {
            Ok(vec![GeneratedFile { name: format!("{stem}.rs"), text: rust::generate(model, source_name)? }])
        }
    }
}
