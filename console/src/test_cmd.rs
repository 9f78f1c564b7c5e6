//! `kai test`: run test scripts and count how many pass. A script passes when it runs to
//! its end (or `exit`s with code 0) without an error; its own output is discarded.

use std::io::Write;
use std::path::{Path, PathBuf};

use vm_core::Outcome;

use crate::Streams;
use crate::cli::TestArgs;
use crate::diagnostic::render;
use crate::run::{language_of, new_vm, read_program};

/// The script files under `path`, sorted (a file is taken as it is).
fn scripts(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            scripts(&entry, out)?;
        } else if language_of(&entry).is_some() {
            out.push(entry);
        }
    }
    Ok(())
}

pub(crate) fn test(args: TestArgs, streams: &mut Streams) -> i32 {
    let mut files = Vec::new();
    for path in &args.paths {
        if let Err(err) = scripts(path, &mut files) {
            let _ = writeln!(streams.err, "kai test: cannot read {}: {err}", path.display());
            return 1;
        }
    }
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        // A panic is a bug in Kai, but it should cost one script, not the whole run.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_script(file, &args, streams.color)))
            .unwrap_or_else(|_| Err(format!("{}: the VM panicked (a bug in Kai)\n", file.display())));
        match outcome {
            Ok(()) => {
                passed += 1;
                let _ = writeln!(streams.out, "ok    {}", file.display());
            }
            Err(report) => {
                failed += 1;
                let _ = writeln!(streams.out, "FAIL  {}", file.display());
                let _ = streams.err.write_all(report.as_bytes());
            }
        }
    }
    let _ = writeln!(streams.out, "{passed} passed, {failed} failed");
    if failed == 0 { 0 } else { 1 }
}

fn run_script(file: &Path, args: &TestArgs, color: bool) -> Result<(), String> {
    let Some(lang) = language_of(file) else {
        return Err(format!("kai test: {} is not a .pi or .rho script\n", file.display()));
    };
    let text = read_program(file).map_err(|m| m + "\n")?;
    let mut vm = new_vm();
    vm.set_output(Box::new(std::io::sink()));
    vm.set_limits(args.limits.to_limits());
    // As under `kai run` with no arguments.
    let no_args = vm.new_array(Vec::new());
    let _ = vm.set_global("args", no_args);
    match vm.eval(lang, &file.display().to_string(), &text) {
        Ok(Outcome::Finished) | Ok(Outcome::Exit(0)) => Ok(()),
        Ok(Outcome::Exit(code)) => Err(format!("{}: exited with code {code}\n", file.display())),
        Err(err) => Err(render(&vm, &err, color)),
    }
}
