//! `kai tau FILE --target T --out DIR`: checks a Tau file and writes the generated code,
//! or prints every problem of the file (with line, column and a caret) and writes nothing.
//! `kai serve`: a node that runs remote continuations (lang-tau's `serve_remote`).

use std::io::Write;

use crate::Streams;
use crate::cli::{ServeArgs, TauArgs, TauTarget};
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

pub(crate) fn serve(args: ServeArgs, streams: &mut Streams) -> i32 {
    let node = lang_tau::RemoteNode {
        allow: args.allow_remote_exec,
        token: args.token,
        limits: args.limits.to_limits(),
        new_vm,
    };
    let out = &mut streams.out;
    let served = lang_tau::serve_remote(&args.listen, node, |addr| {
        let _ = writeln!(out, "serving on {addr}");
        let _ = out.flush();
    });
    match served {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(streams.err, "kai: cannot serve on {}: {e}", args.listen);
            1
        }
    }
}
