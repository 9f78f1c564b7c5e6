//! The `kai` binary: a thin wrapper around [`console::main_with`].

use std::io::IsTerminal;

fn main() {
    let streams = console::Streams {
        out: Box::new(std::io::BufWriter::new(std::io::stdout())),
        err: Box::new(std::io::stderr()),
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = console::main_with(std::env::args_os(), streams);
    std::process::exit(code);
}
