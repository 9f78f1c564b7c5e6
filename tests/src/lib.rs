//! Helpers shared by the cross-crate test suites: running source in a fresh VM with its
//! output captured, and running the `kai` command in-process.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use vm_core::{Error, Outcome, Vm};

/// A `Write` that appends to a shared buffer, to capture what a program prints.
#[derive(Clone, Default)]
pub struct Capture(pub Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether the collector's stress mode is on (`KAI_GC_STRESS`). Stress mode collects at
/// every allocation, so a test that builds a structure of n objects costs n² there; such
/// tests use [`scale`] to stay quick while still exercising the same paths.
pub fn stress() -> bool {
    std::env::var("KAI_GC_STRESS").is_ok_and(|v| vm_core::Stress::from_setting(&v) != vm_core::Stress::Off)
}

/// `normal`, or `stressed` under GC stress mode (see [`stress`]).
pub fn scale(normal: usize, stressed: usize) -> usize {
    if stress() { stressed } else { normal }
}

/// A fresh VM with every frontend, printing into the returned capture. Its standard
/// input is empty (a test never waits on the terminal; `read_line` gives `nil` at once).
pub fn vm() -> (Vm, Capture) {
    let mut vm = lang_rho::new_vm();
    lang_stark::install(&mut vm);
    let out = Capture::default();
    vm.set_output(Box::new(out.clone()));
    vm.set_input(std::io::empty());
    (vm, out)
}

/// Runs Pi source in a fresh VM; returns what it printed, or the error.
pub fn run_pi(src: &str) -> Result<String, Error> {
    let (mut vm, out) = vm();
    vm.eval("pi", "test", src)?;
    Ok(out.text())
}

/// Runs Pi source and returns the final data stack in repr form, space-separated.
///
/// # Panics
/// If the program fails.
pub fn stack_of(src: &str) -> String {
    let (mut vm, _) = vm();
    if let Err(err) = vm.eval("pi", "test", src) {
        panic!("{src}\n  failed: {err}");
    }
    stack_text(&vm)
}

/// The data stack of `vm` in repr form.
pub fn stack_text(vm: &Vm) -> String {
    vm.stack().iter().map(|&v| vm.repr(v)).collect::<Vec<_>>().join(" ")
}

/// Runs Pi source that must fail; returns the error.
///
/// # Panics
/// If the program succeeds.
pub fn error_of(src: &str) -> Error {
    let (mut vm, _) = vm();
    match vm.eval("pi", "test", src) {
        Ok(Outcome::Finished) => panic!("{src}\n  succeeded with stack {}", stack_text(&vm)),
        Ok(Outcome::Exit(code)) => panic!("{src}\n  exited with {code}"),
        Err(err) => err,
    }
}

/// The result of running the `kai` command in-process.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `kai ARGS…` in-process with captured output.
pub fn kai(args: &[&str]) -> Run {
    let (out, err) = (Capture::default(), Capture::default());
    let streams = console::Streams { out: Box::new(out.clone()), err: Box::new(err.clone()), color: false };
    let mut argv = vec!["kai"];
    argv.extend_from_slice(args);
    let code = console::main_with(argv, streams);
    Run { code, stdout: out.text(), stderr: err.text() }
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// Every file under `dir` with extension `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
