//! `kai compile`: compiles a program file to a `.kbc` file, a serialized portable unit
//! (`vm_core::Unit`) that `kai run` loads without compiling. It carries the source text,
//! so errors while it runs still show the line and a caret.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Streams;
use crate::cli::CompileArgs;
use crate::diagnostic::render;
use crate::run::{check_language, new_vm, read_source_file};

pub(crate) fn compile(args: CompileArgs, streams: &mut Streams) -> i32 {
    if let Err(message) = check_language(args.lang.as_deref()) {
        let _ = writeln!(streams.err, "{message}");
        return 2;
    }
    let (lang, text) = match read_source_file(args.lang.as_deref(), &args.file) {
        Ok(program) => program,
        Err(message) => {
            let _ = writeln!(streams.err, "{message}");
            return 1;
        }
    };
    let mut vm = new_vm();
    let unit = match vm.compile_to_unit(&lang, &args.file.display().to_string(), &text) {
        Ok(unit) => unit,
        Err(err) => {
            let _ = streams.err.write_all(render(&vm, &err, streams.color).as_bytes());
            return 1;
        }
    };
    let out = args.out.unwrap_or_else(|| args.file.with_extension("kbc"));
    match write_whole(&out, &unit.to_bytes()) {
        Ok(()) => 0,
        Err(err) => {
            let _ = writeln!(streams.err, "kai: cannot write {}: {err}", out.display());
            1
        }
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, so a failed write never
/// leaves half a file where a good one was.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = PathBuf::from(path);
    temporary.as_mut_os_string().push(".partial");
    std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
