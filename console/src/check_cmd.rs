//! `kai check`: type-checks a Stark file without running it, printing every error.

use std::io::Write;

use crate::Streams;
use crate::cli::CheckArgs;
use crate::diagnostic::render;
use crate::lang::Lang;
use crate::run::load_source;

pub(crate) fn check(args: CheckArgs, streams: &mut Streams) -> i32 {
    if Lang::of_path(&args.file) != Some(Lang::Stark) {
        let _ = writeln!(streams.err, "kai check: {} is not a .stark file", args.file.display());
        return 1;
    }
    let Some((vm, source, text)) = load_source(&args.file, streams) else { return 1 };
    match lang_stark::check(&text, &source, vm.native_table(), lang_stark::Declarations::default()) {
        Ok(_) => 0,
        Err(err) => {
            let count = 1 + err.related().len();
            let err = err.with_source(source);
            let _ = streams.err.write_all(render(&vm, &err, streams.color).as_bytes());
            let _ = writeln!(streams.err, "{count} error{}", if count == 1 { "" } else { "s" });
            1
        }
    }
}
