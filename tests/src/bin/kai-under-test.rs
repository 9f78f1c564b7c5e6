//! The `kai` command, built inside this package so that its tests can start it as a
//! separate process (`CARGO_BIN_EXE_kai-under-test`) and be sure it is the current code:
//! the cross-language Tau tests run each side in its own process.

fn main() {
    let streams = console::Streams {
        out: Box::new(std::io::BufWriter::new(std::io::stdout())),
        err: Box::new(std::io::stderr()),
        color: false,
    };
    std::process::exit(console::main_with(std::env::args_os(), streams));
}
