//! `kai tau FILE --target T --out DIR`: checks a Tau file and writes the generated code,
//! or prints every problem of the file (with line, column and a caret) and writes nothing.

use std::io::Write;

use crate::Streams;
use crate::cli::{TauArgs, TauTarget};
use crate::diagnostic::render;
use crate::run::{new_vm, read_program};

pub(crate) fn tau(args: TauArgs, streams: &mut Streams) -> i32 {
    let fail = |streams: &mut Streams, message: String| {
        let _ = writeln!(streams.err, "{message}");
        1
    };
    let text = match read_program(&args.file) {
        Ok(text) => text,
        Err(message) => return fail(streams, message),
    };
    let shown = args.file.display().to_string();
    let model = match lang_tau::load(&shown, &text) {
        Ok(model) => model,
        Err(err) => {
            let _ = streams.err.write_all(render(&new_vm(), &err, streams.color).as_bytes());
            return 1;
        }
    };
    let target = match args.target {
        TauTarget::Rust => lang_tau::generate::Target::Rust,
        TauTarget::Rho => lang_tau::generate::Target::Rho,
        TauTarget::Pi => lang_tau::generate::Target::Pi,
    };
    let file_name = args.file.file_name().map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
    let stem = args.file.file_stem().map_or("tau".into(), |s| s.to_string_lossy().replace(['-', '.', ' '], "_"));
    let files = match lang_tau::generate::generate(&model, target, &file_name, &text, &stem) {
        Ok(files) => files,
        Err(message) => return fail(streams, format!("kai: {shown}: {message}")),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return fail(streams, format!("kai: cannot make the directory {}: {e}", args.out.display()));
    }
    for file in files {
        let path = args.out.join(&file.name);
        if let Err(e) = std::fs::write(&path, &file.text) {
            return fail(streams, format!("kai: cannot write {}: {e}", path.display()));
        }
        let _ = writeln!(streams.out, "wrote {}", path.display());
    }
    0
}
