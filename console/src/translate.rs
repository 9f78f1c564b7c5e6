//! `kai translate`: prints the readable Pi a Rho file becomes. Running that Pi behaves as
//! running the Rho (the Pi keeps Rho's names for functions and variables).

use std::io::Write;

use crate::Streams;
use crate::cli::TranslateArgs;
use crate::diagnostic::render;
use crate::run::{new_vm, read_program};

pub(crate) fn translate(args: TranslateArgs, streams: &mut Streams) -> i32 {
    let text = match read_program(&args.file) {
        Ok(text) => text,
        Err(message) => {
            let _ = writeln!(streams.err, "{message}");
            return 1;
        }
    };
    let mut vm = new_vm();
    let source = vm.add_source(&args.file.display().to_string(), &text);
    match lang_rho::to_pi(&text, source.id, false, vm.native_table()) {
        Ok(nodes) => {
            let _ = streams.out.write_all(lang_pi::print(&nodes).as_bytes());
            0
        }
        Err(err) => {
            let err = err.with_source(source);
            let _ = streams.err.write_all(render(&vm, &err, streams.color).as_bytes());
            1
        }
    }
}
