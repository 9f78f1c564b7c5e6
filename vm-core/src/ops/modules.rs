//! Modules: `"path" import ( -- module )` runs a `.pi` or `.rho` file once per VM in a
//! top-level scope of its own (whose parent is the global scope) and leaves the module, a
//! map from each name the file defined to its value; `bind_all` declares a module's names
//! in the current scope (what Rho's `import "x.rho"` without `as` does).
//!
//! A path is looked for relative to the directory of the importing file (the working
//! directory for code that has no file, such as `-e` or the REPL), then in each directory
//! of the VM's module path (`KAI_PATH`, see `Vm::set_module_path`). Modules are cached by canonical path, so a second import gives the same
//! map without running the file again. While a module runs, its [`Import`] entry is on the
//! context stack: the chain of imports in progress is read from there, so a cycle is found
//! (and named) and an import that failed leaves nothing behind to be mistaken for one.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use registry::{Key, Map, Value};

use crate::code::Block;
use crate::entry::{EntryKind, Import, ImportStep};
use crate::error::{Error, ErrorKind};
use crate::frame::Env;
use crate::vm::Vm;

/// A module's code to run: the import to put back, the code and the env it runs in.
type ModuleRun = (Box<Import>, Rc<Block>, Env);

fn import_error(message: String) -> Error {
    Error::new(ErrorKind::User, message)
}

/// The language of a module file, by extension.
fn language_of(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "pi" => Some("pi"),
        "rho" => Some("rho"),
        "stark" => Some("stark"),
        _ => None,
    }
}

impl Vm {
    /// `import`: finds the module, and either has it already or starts running it; the
    /// `Drive` op that follows runs it and leaves the module (see [`Vm::import_step`]).
    #[inline(never)]
    pub(crate) fn import_start(&mut self) -> Result<(), Error> {
        let value = self.task.pop("import")?;
        let Some(wanted) = self.reg.text(value).map(str::to_string) else {
            return Err(self.expects("import", "a path string", value));
        };
        let (shown, canonical) = self.find_module(&wanted)?;
        if let Some(module) = self.modules.get(&canonical) {
            let module = module.get();
            return self
                .push_entry(EntryKind::Import(Box::new(Import { path: canonical, step: ImportStep::Done(module) })));
        }
        if let Some(chain) = self.import_cycle(&canonical) {
            return Err(import_error(format!("import cycle: {chain}")));
        }
        let Some(lang) = language_of(&canonical) else {
            return Err(import_error(format!(
                "import: {shown:?} is not a module: its name must end in .pi, .rho or .stark"
            )));
        };
        let text = std::fs::read_to_string(&canonical)
            .map_err(|err| import_error(format!("import: cannot read {shown:?}: {err}")))?;
        self.charge(text.len());
        let code = self.compile_module(lang, &shown, &text)?;
        let scope = self.reg.new_scope(registry::Scope::new(None));
        let step = ImportStep::Ready { code, scope };
        self.push_entry(EntryKind::Import(Box::new(Import { path: canonical, step })))
    }

    /// The path to show for `wanted` and its canonical form: the first that exists of the
    /// importing file's directory joined with it, then each `KAI_PATH` directory joined
    /// with it. An absolute path is taken as it is.
    fn find_module(&self, wanted: &str) -> Result<(String, PathBuf), Error> {
        let wanted_path = Path::new(wanted);
        let mut candidates = Vec::new();
        if wanted_path.is_absolute() {
            candidates.push(wanted_path.to_path_buf());
        } else {
            candidates.push(self.importing_dir().join(wanted_path));
            candidates.extend(self.module_path.iter().map(|dir| dir.join(wanted_path)));
        }
        for candidate in &candidates {
            if candidate.is_file() {
                let canonical = candidate.canonicalize().map_err(|err| {
                    import_error(format!("import: cannot open {:?}: {err}", candidate.display().to_string()))
                })?;
                return Ok((candidate.display().to_string(), canonical));
            }
        }
        let tried: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        Err(import_error(format!("import: cannot find {wanted:?} (tried {})", tried.join(", "))))
    }

    /// The directory paths are relative to: the importing file's, if the code running
    /// comes from a file, else the working directory (empty path).
    fn importing_dir(&self) -> PathBuf {
        let top = self.task.frames.len().saturating_sub(1);
        let file = self.frame_span(top).and_then(|span| self.sources.get(span.source)).map(|s| s.name.clone());
        match file {
            Some(name) if Path::new(&name).is_file() => {
                Path::new(&name).parent().map(Path::to_path_buf).unwrap_or_default()
            }
            _ => PathBuf::new(),
        }
    }

    /// The file of the program itself (the code at the bottom of the stack), if it is one.
    fn program_file(&self) -> Option<PathBuf> {
        let source = self.sources.get(self.frame_span(0)?.source)?;
        Path::new(&source.name).canonicalize().ok()
    }

    /// The imports in progress, from the program's own file to `path`, if `path` is one of
    /// them.
    fn import_cycle(&self, path: &Path) -> Option<String> {
        let program = self.program_file();
        let running: Vec<&Path> = program
            .as_deref()
            .into_iter()
            .chain(self.task.entries.iter().filter_map(|entry| match &entry.kind {
                EntryKind::Import(import) if matches!(import.step, ImportStep::Running { .. }) => {
                    Some(import.path.as_path())
                }
                _ => None,
            }))
            .collect();
        let first = running.iter().position(|&p| p == path)?;
        let chain: Vec<String> =
            running[first..].iter().chain(std::iter::once(&path)).map(|p| p.display().to_string()).collect();
        Some(chain.join(" -> "))
    }

    /// One step of an import at its `Drive` op: gives the module's code to run (with the
    /// import, to be put back so that `Drive` comes back to it when the code ends), or makes
    /// and caches the module and pushes it.
    pub(crate) fn import_step(&mut self, mut import: Box<Import>) -> Result<Option<ModuleRun>, Error> {
        match std::mem::replace(&mut import.step, ImportStep::Done(Value::Nil)) {
            ImportStep::Done(module) => {
                self.task.push(module);
                Ok(None)
            }
            ImportStep::Ready { code, scope } => {
                import.step = ImportStep::Running { scope, depth: self.task.stack.len() };
                Ok(Some((import, code, Env::Scope(scope))))
            }
            ImportStep::Running { scope, depth } => {
                let left = self.task.stack.len().saturating_sub(depth);
                if left > 0 || self.task.stack.len() < depth {
                    return Err(Error::new(
                        ErrorKind::Arity,
                        format!(
                            "module {:?} must leave the stack as it found it, but left {left} value(s)",
                            import.path.display().to_string()
                        ),
                    ));
                }
                let mut names = Map::default();
                let vars = self.reg.scope(scope)?.vars.clone();
                for (name, value) in vars {
                    let key = Key::Str(self.reg.name_text(name).into());
                    names.insert(key, value);
                }
                let module = self.reg.new_map(names);
                let rooted = self.reg.root(module);
                self.modules.insert(import.path.clone(), rooted);
                self.task.push(module);
                Ok(None)
            }
        }
    }

    /// `bind_all ( module -- )`: declares each of a module's names in the current scope.
    #[inline(never)]
    pub(crate) fn bind_all(&mut self, env: Env) -> Result<(), Error> {
        let module = self.task.pop("bind_all")?;
        let Value::Map(h) = module else {
            return Err(self.expects("bind_all", "a module (a map of names)", module));
        };
        let entries: Vec<(Key, Value)> = self.reg.map(h)?.iter().map(|(k, &v)| (k.clone(), v)).collect();
        for (key, value) in entries {
            let Key::Str(text) = key else {
                return Err(Error::type_error("'bind_all': a module's keys are names (strings)"));
            };
            self.task.push(value);
            let name = self.reg.intern(&text);
            self.let_to(env, name)?;
        }
        Ok(())
    }
}
