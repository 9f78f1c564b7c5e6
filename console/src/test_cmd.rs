//! `kai test`: run test scripts and count how many pass. A script passes when it runs to
//! its end (or `exit`s with code 0) without an error; its own output is discarded.
//!
//! Directories are searched recursively, following symbolic links but visiting each real
//! directory and script once (a link back to a parent is not a loop). Each script runs
//! under a heap limit of [`DEFAULT_HEAP`] unless `--max-heap` says otherwise, so one
//! runaway script fails alone instead of taking the machine's memory.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use vm_core::Outcome;

use crate::Streams;
use crate::cli::TestArgs;
use crate::diagnostic::render;
use crate::run::{language_of, new_vm, read_program};

/// The heap limit each script runs under by default: generous for real programs, far
/// below what a machine has.
pub(crate) const DEFAULT_HEAP: usize = 1 << 30;

/// The script files under `path`, sorted (a file is taken as it is), each real path once.
/// The walk keeps its own list of directories to visit, so deep trees cannot overflow the
/// stack.
fn scripts(path: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if !path.is_dir() {
        if !path.exists() {
            return Err(format!("kai test: {} does not exist", path.display()));
        }
        if seen.insert(real(path)) {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    let mut todo = vec![path.to_path_buf()];
    while let Some(dir) = todo.pop() {
        if !seen.insert(real(&dir)) {
            continue;
        }
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("kai test: cannot read {}: {e}", dir.display()))?;
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        let mut subdirs = Vec::new();
        for entry in entries {
            if entry.is_dir() {
                subdirs.push(entry);
            } else if language_of(&entry).is_some() && seen.insert(real(&entry)) {
                out.push(entry);
            }
        }
        // Visit subdirectories in sorted order.
        todo.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

pub(crate) fn test(args: TestArgs, streams: &mut Streams) -> i32 {
    let (mut files, mut seen) = (Vec::new(), HashSet::new());
    for path in &args.paths {
        if let Err(message) = scripts(path, &mut seen, &mut files) {
            let _ = writeln!(streams.err, "{message}");
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

/// The limits a script runs under: those asked for, with a heap limit of [`DEFAULT_HEAP`]
/// unless one was.
fn script_limits(asked: &crate::cli::LimitArgs) -> vm_core::Limits {
    let mut limits = asked.to_limits();
    limits.max_heap = Some(limits.max_heap.unwrap_or(DEFAULT_HEAP));
    limits
}

fn run_script(file: &Path, args: &TestArgs, color: bool) -> Result<(), String> {
    let Some(lang) = language_of(file) else {
        return Err(format!("kai test: {} is not a .pi, .rho or .stark script\n", file.display()));
    };
    let text = read_program(file).map_err(|m| m + "\n")?;
    let mut vm = new_vm();
    vm.set_output(Box::new(std::io::sink()));
    // A script runs unattended: its input is empty (`read_line` gives nil at once), so a
    // suite run at a terminal never waits for the keyboard.
    vm.set_input(std::io::empty());
    vm.set_limits(script_limits(&args.limits));
    // As under `kai run` with no arguments.
    let no_args = vm.new_array(Vec::new());
    let _ = vm.set_global("args", no_args);
    match vm.eval(lang, &file.display().to_string(), &text) {
        Ok(Outcome::Finished) | Ok(Outcome::Exit(0)) => Ok(()),
        Ok(Outcome::Exit(code)) => Err(format!("{}: exited with code {code}\n", file.display())),
        Err(err) => Err(render(&vm, &err, color)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::LimitArgs;

    #[test]
    fn scripts_get_a_heap_limit_unless_one_is_asked_for() {
        assert_eq!(script_limits(&LimitArgs::default()).max_heap, Some(DEFAULT_HEAP));
        let asked = LimitArgs { max_heap: Some(5_000), ..LimitArgs::default() };
        assert_eq!(script_limits(&asked).max_heap, Some(5_000));
    }
}
