//! Stark, Kai's typed, indentation-based language (SPEC §5), translated to the Pi AST (never
//! to Pi text) so that it runs on the same compiler and executor as Pi and Rho.
//!
//! - `layout`: the lexer that turns indentation into block markers;
//! - `parser`: the pest grammar (`stark.pest`) and the syntax tree builder (`ast`);
//! - `check`: the type checker, which reports every problem of a file before anything runs;
//! - `translate`: the checked tree to the Pi AST; `builtins`: the built-in functions.
//!
//! ```
//! let mut vm = lang_stark::new_vm();
//! vm.eval("stark", "example", "fn sq(x: Int) -> Int: return x * x\nlet result = sq(7)").unwrap();
//! assert_eq!(vm.global("result"), Some(vm_core::Value::Int(49)));
//! ```

mod ast;
mod builtins;
mod check;
mod layout;
mod parser;
mod translate;
mod types;

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use ast::Item;
pub use check::Declarations;
pub use layout::MAX_NESTING;
pub use parser::{MAX_CHAIN, MAX_EXPR_DEPTH, parse};
pub use types::Type;

use vm_core::{Error, Frontend, Natives, Source, SourceId, Unit, Vm};

/// Stark's keywords.
pub const KEYWORDS: &[&str] = &[
    "fn",
    "async",
    "actor",
    "on",
    "struct",
    "enum",
    "let",
    "mut",
    "if",
    "elif",
    "else",
    "while",
    "for",
    "in",
    "match",
    "try",
    "catch",
    "throw",
    "assert",
    "return",
    "break",
    "continue",
    "send",
    "await",
    "spawn",
    "extern",
    "import",
    "and",
    "or",
    "not",
    "true",
    "false",
    "channel",
    "trace_span",
];

/// The built-in functions: name and signature, for help and completion.
pub fn builtin_functions() -> impl Iterator<Item = (&'static str, &'static str)> {
    builtins::BUILTINS.iter().map(|b| (b.name, b.signature))
}

/// How deep imports of Stark files may nest.
const MAX_IMPORT_DEPTH: usize = 32;

/// Parses and checks `text`, with `prior` declarations (the REPL's earlier lines), reading
/// the declarations of the Stark files it imports.
///
/// # Errors
/// A `parse` error for a syntax error; a `type` error for the first problem the checker
/// found, with every other one as related errors.
pub fn check(
    text: &str,
    source: &Source,
    natives: &Natives,
    prior: Declarations,
) -> Result<(Vec<Item>, Declarations), Error> {
    let mut items = parse(text, source.id)?;
    let mut imports = Imports::default();
    if let Ok(path) = Path::new(&source.name).canonicalize() {
        imports.checking.push(path);
    }
    let decls = check_items(&mut items, source, natives, prior, &mut imports)?;
    Ok((items, decls))
}

/// The Stark modules met while checking a program's imports.
#[derive(Default)]
struct Imports {
    /// The files being checked, the program first: importing one of them is a cycle.
    checking: Vec<PathBuf>,
    /// The files checked already (each module's declarations are taken once).
    done: HashSet<PathBuf>,
}

fn check_items(
    items: &mut [Item],
    source: &Source,
    natives: &Natives,
    prior: Declarations,
    imports: &mut Imports,
) -> Result<Declarations, Error> {
    let mut checker = check::Checker::new(natives, prior);
    let mut import_problems = Vec::new();
    for item in items.iter() {
        let Item::Import(import) = item else { continue };
        if !import.path.ends_with(".stark") {
            if !import.path.ends_with(".rho") && !import.path.ends_with(".pi") {
                import_problems.push((
                    import.span,
                    format!("import {:?}: a module's name must end in .stark, .rho or .pi", import.path),
                ));
            }
            continue;
        }
        match imported(&import.path, source, natives, imports) {
            Ok(decls) => checker.decls.merge(decls),
            Err(message) => import_problems.push((import.span, message)),
        }
    }
    for (span, message) in import_problems {
        checker.problem(span, message);
    }
    checker.declare_items(items);
    checker.check_items(items);
    checker.finish()
}

/// Where an import names: the importing file's directory joined with it, then each
/// `KAI_PATH` directory joined with it (as the `import` word looks at run time).
fn find_module(wanted: &str, importer: &Source) -> Result<PathBuf, String> {
    let wanted_path = Path::new(wanted);
    let mut candidates = Vec::new();
    if wanted_path.is_absolute() {
        candidates.push(wanted_path.to_path_buf());
    } else {
        let importer_path = Path::new(&importer.name);
        let dir = importer_path.parent().filter(|_| importer_path.is_file()).map(Path::to_path_buf).unwrap_or_default();
        candidates.push(dir.join(wanted_path));
        if let Some(paths) = std::env::var_os("KAI_PATH") {
            candidates.extend(std::env::split_paths(&paths).map(|d| d.join(wanted_path)));
        }
    }
    candidates.iter().find(|c| c.is_file()).and_then(|c| c.canonicalize().ok()).ok_or_else(|| {
        let tried: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        format!("import: cannot find {wanted:?} (tried {})", tried.join(", "))
    })
}

/// The declarations of an imported Stark file.
fn imported(wanted: &str, importer: &Source, natives: &Natives, imports: &mut Imports) -> Result<Declarations, String> {
    let canonical = find_module(wanted, importer)?;
    if let Some(first) = imports.checking.iter().position(|p| *p == canonical) {
        let chain: Vec<String> = imports.checking[first..]
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| p.display().to_string())
            .collect();
        return Err(format!("import cycle: {}", chain.join(" -> ")));
    }
    if imports.checking.len() >= MAX_IMPORT_DEPTH {
        return Err(format!("imports nested more than {MAX_IMPORT_DEPTH} deep"));
    }
    if !imports.done.insert(canonical.clone()) {
        return Ok(Declarations::default());
    }
    let text = std::fs::read_to_string(&canonical).map_err(|err| format!("import: cannot read {wanted:?}: {err}"))?;
    let source = Source::detached(canonical.display().to_string(), text.as_str());
    let mut items = parse(&text, source.id).map_err(|err| in_module(&source, &err))?;
    imports.checking.push(canonical);
    let decls = check_items(&mut items, &source, natives, Declarations::default(), imports);
    imports.checking.pop();
    decls.map_err(|err| in_module(&source, &err))
}

/// An imported module's first problem, for the import that brought it in.
fn in_module(source: &Source, err: &Error) -> String {
    // A problem with the module's own imports is already a full sentence.
    if err.message().starts_with("import cycle") || err.message().starts_with("in ") {
        return err.message().to_string();
    }
    let at = err.span().map(|s| source.describe(s.start)).unwrap_or_else(|| source.name.clone());
    format!("in {at}: {}", err.message())
}

/// Parses, checks and translates Stark to the Pi AST.
///
/// # Errors
/// As [`check`].
pub fn to_pi(text: &str, source: &Source, natives: &Natives, run_main: bool) -> Result<Vec<lang_pi::Node>, Error> {
    let (items, decls) = check(text, source, natives, Declarations::default())?;
    Ok(translate::translate(&items, &decls, run_main, false))
}

/// Whether `text` typed at a prompt is unfinished: a bracket is open, the last line opens
/// a block (ends with `:`), or a block is open and no blank line has ended it.
pub fn needs_more(text: &str) -> bool {
    if let Err(err) = layout::layout(text, SourceId(0))
        && (err.message().contains("is never closed") || err.message().starts_with("unterminated comment"))
    {
        return true;
    }
    let last = text.rsplit('\n').next().unwrap_or("");
    if last.trim_end().ends_with(':') {
        return true;
    }
    // A blank line ends an entry that opened blocks.
    let opened = text.lines().any(|l| l.trim_end().ends_with(':'));
    opened && !last.trim().is_empty()
}

/// The Stark frontend, as installed in a VM under the name `"stark"`. It keeps the
/// declarations of the lines typed at a prompt, so a later line is checked against them.
#[derive(Default)]
pub struct StarkFrontend {
    session: RefCell<Declarations>,
}

impl StarkFrontend {
    /// A whole file: checked on its own. A program's declarations join the session's, so
    /// that the REPL after `kai run FILE -i` or `:load FILE` knows them.
    fn build(&self, source: &Source, natives: &Natives, program: bool) -> Result<Unit, Error> {
        let (items, decls) = check(&source.text, source, natives, Declarations::default())?;
        let nodes = translate::translate(&items, &decls, program, false);
        let unit = lang_pi::compile(&nodes, source, natives)?;
        if program {
            self.session.borrow_mut().merge(decls);
        }
        Ok(unit)
    }
}

impl Frontend for StarkFrontend {
    fn compile(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        self.build(source, natives, true)
    }

    fn compile_module(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        self.build(source, natives, false)
    }

    /// A line at the prompt: checked against the session's earlier declarations, which
    /// it then adds to. (`main` is not called: the user calls it.)
    fn compile_interactive(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        let prior = self.session.borrow().clone();
        let (items, decls) = check(&source.text, source, natives, prior)?;
        let nodes = translate::translate(&items, &decls, false, true);
        let unit = lang_pi::compile(&nodes, source, natives)?;
        *self.session.borrow_mut() = decls;
        Ok(unit)
    }

    /// Stark holds its syntax tree, the checker's tables and the Pi tree at once.
    fn memory_per_source_byte(&self) -> usize {
        96
    }
}

/// Installs the Stark frontend in `vm`.
pub fn install(vm: &mut Vm) {
    vm.set_frontend("stark", Rc::new(StarkFrontend::default()));
}

/// A new VM with the Pi and Stark frontends installed.
pub fn new_vm() -> Vm {
    let mut vm = lang_pi::new_vm();
    install(&mut vm);
    vm
}

#[cfg(test)]
mod tests;
