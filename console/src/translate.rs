//! `kai translate`: prints the readable Pi a Rho or Stark file becomes. Running that Pi
//! behaves as running the file (the Pi keeps the source's names for functions and
//! variables, renamed only where Pi needs it).

use std::io::Write;

use crate::Streams;
use crate::cli::TranslateArgs;
use crate::diagnostic::render;
use crate::lang::Lang;
use crate::run::load_source;

pub(crate) fn translate(args: TranslateArgs, streams: &mut Streams) -> i32 {
    let lang = match Lang::of_path(&args.file) {
        Some(lang @ (Lang::Rho | Lang::Stark)) => lang,
        _ => {
            let _ = writeln!(streams.err, "kai translate: {} is not a .rho or .stark file", args.file.display());
            return 1;
        }
    };
    let Some((vm, source, _)) = load_source(&args.file, streams) else { return 1 };
    match lang.to_pi(&source, vm.native_table(), false) {
        Some(Ok(nodes)) => {
            let _ = streams.out.write_all(lang_pi::print(&nodes).as_bytes());
            0
        }
        Some(Err(err)) => {
            let err = err.with_source(source);
            let _ = streams.err.write_all(render(&vm, &err, streams.color).as_bytes());
            1
        }
        None => 1,
    }
}
