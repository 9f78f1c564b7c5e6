//! `kai run`: run a file or `-e` code, report failures, return the exit code.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use vm_core::{Limits, Outcome, Unit, Value, Vm};

use crate::Streams;
use crate::cli::{LimitArgs, RunArgs};
use crate::diagnostic::render;

/// A writer shared between the VM (program output) and the command (its own output).
#[derive(Clone)]
pub(crate) struct Shared(pub Rc<RefCell<Box<dyn Write>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// A VM with every frontend installed.
pub(crate) fn new_vm() -> Vm {
    let mut vm = lang_rho::new_vm();
    lang_stark::install(&mut vm);
    lang_tau::install(&mut vm).expect("a fresh VM has no natives named tau_…");
    vm
}

/// A command's program file as a source of a new VM: the VM, the source and its text. A
/// file that cannot be read is reported on `streams.err`, and gives `None`.
pub(crate) fn load_source(path: &Path, streams: &mut Streams) -> Option<(Vm, Rc<vm_core::Source>, String)> {
    let text = match read_program(path) {
        Ok(text) => text,
        Err(message) => {
            let _ = writeln!(streams.err, "{message}");
            return None;
        }
    };
    let mut vm = new_vm();
    let source = vm.add_source(&path.display().to_string(), &text);
    Some((vm, source, text))
}

/// The languages `--lang` accepts.
pub(crate) const LANGUAGES: [&str; 3] = ["pi", "rho", "stark"];

/// The language of a file, from its extension.
pub(crate) fn language_of(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "pi" => Some("pi"),
        "rho" => Some("rho"),
        "stark" => Some("stark"),
        _ => None,
    }
}

impl LimitArgs {
    pub(crate) fn to_limits(&self) -> Limits {
        let mut limits = Limits::new();
        limits.fuel = self.fuel;
        limits.max_heap = self.max_heap;
        limits.deadline = self.deadline.map(Duration::from_millis);
        if let Some(depth) = self.max_depth {
            limits.max_depth = depth;
        }
        if let Some(stack) = self.max_stack {
            limits.max_stack = stack;
        }
        limits
    }
}

/// Reads a program file, or explains why it cannot (for text that is not UTF-8, where).
pub(crate) fn read_program(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("kai: cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|err| {
        let at = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let good = String::from_utf8_lossy(&bytes[..at]);
        let line = good.matches('\n').count() + 1;
        let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!(
            "kai: {} is not UTF-8 text: invalid byte 0x{:02X} at {line}:{column} (byte offset {at})",
            path.display(),
            bytes[at]
        )
    })
}

/// Refuses a `--lang` that names no language (the message for exit code 2).
pub(crate) fn check_language(lang: Option<&str>) -> Result<(), String> {
    match lang {
        Some(lang) if !LANGUAGES.contains(&lang) => {
            Err(format!("kai: unknown language '{lang}' (the languages are {})", LANGUAGES.join(", ")))
        }
        _ => Ok(()),
    }
}

/// The language and text of program file `path`: the language is `lang` (from `--lang`)
/// if given, else its extension's. Fails with the message to show when neither tells or
/// the file cannot be read.
pub(crate) fn read_source_file(lang: Option<&str>, path: &Path) -> Result<(String, String), String> {
    let lang = match lang.or_else(|| language_of(path)) {
        Some(lang) => lang.to_string(),
        None => {
            return Err(format!(
                "kai: cannot tell the language of {} from its extension (.pi, .rho or .stark); use --lang",
                path.display()
            ));
        }
    };
    Ok((lang, read_program(path)?))
}

/// What `kai run` runs: source text in a language, or a compiled unit.
enum Program {
    Source { name: String, text: String },
    Compiled(Unit),
}

/// Reads a `.kbc` file written by `kai compile`, or explains why it cannot.
fn read_compiled(path: &Path) -> Result<Unit, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("kai: cannot read {}: {e}", path.display()))?;
    Unit::from_bytes(&bytes).map_err(|err| format!("kai: {}: {}", path.display(), err.message()))
}

pub(crate) fn run(mut args: RunArgs, streams: &mut Streams) -> i32 {
    if args.eval.is_some()
        && let Some(first) = args.file.take()
    {
        args.args.insert(0, first.display().to_string());
    }
    if args.trace {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(streams.color)
            .with_target(true)
            .without_time()
            .try_init();
    }
    if let Err(message) = check_language(args.lang.as_deref()) {
        let _ = writeln!(streams.err, "{message}");
        return 2;
    }
    let (program, lang) = match (&args.eval, &args.file) {
        (Some(code), _) => (
            Program::Source { name: "-e".to_string(), text: code.clone() },
            args.lang.clone().unwrap_or_else(|| "pi".to_string()),
        ),
        (None, Some(path)) if args.lang.is_none() && path.extension().is_some_and(|e| e == "kbc") => {
            match read_compiled(path) {
                Ok(unit) => (Program::Compiled(unit), "pi".to_string()),
                Err(message) => {
                    let _ = writeln!(streams.err, "{message}");
                    return 1;
                }
            }
        }
        (None, Some(path)) => match read_source_file(args.lang.as_deref(), path) {
            Ok((lang, text)) => (Program::Source { name: path.display().to_string(), text }, lang),
            Err(message) => {
                let _ = writeln!(streams.err, "{message}");
                return 1;
            }
        },
        (None, None) => {
            let _ = writeln!(streams.err, "kai run: give a FILE or -e CODE");
            return 2;
        }
    };
    let out = Shared(Rc::new(RefCell::new(std::mem::replace(&mut streams.out, Box::new(std::io::sink())))));
    let mut vm = new_vm();
    vm.set_output(Box::new(out.clone()));
    vm.set_limits(args.limits.to_limits());
    let program_args: Vec<Value> = args.args.iter().map(|a| vm.new_str(a)).collect();
    let program_args = vm.new_array(program_args);
    let _ = vm.set_global("args", program_args);
    let result = match program {
        Program::Source { name, text } => vm.eval(&lang, &name, &text),
        Program::Compiled(unit) => vm.load(&unit).and_then(|block| vm.run(block)),
    };
    vm.flush();
    let code = match result {
        Ok(outcome) => {
            if args.print_stack {
                let line: Vec<String> = vm.stack().iter().map(|&v| vm.repr(v)).collect();
                let _ = writeln!(out.0.borrow_mut(), "{}", line.join(" "));
            }
            match outcome {
                Outcome::Finished => 0,
                Outcome::Exit(code) => code,
            }
        }
        Err(err) => {
            let _ = out.0.borrow_mut().flush();
            let _ = streams.err.write_all(render(&vm, &err, streams.color).as_bytes());
            1
        }
    };
    vm.set_output(Box::new(std::io::sink()));
    if let Ok(cell) = Rc::try_unwrap(out.0) {
        streams.out = cell.into_inner();
    }
    if args.interactive && code == 0 {
        let lang = crate::lang::Lang::from_name(&lang).unwrap_or(crate::lang::Lang::Pi);
        return crate::repl::start(lang, Some(vm), streams);
    }
    code
}
