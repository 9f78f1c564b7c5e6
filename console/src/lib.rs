//! The `kai` command: running and testing programs, listing words. Everything the binary
//! does goes through [`main_with`], so tests can drive it in-process with captured output.

mod check_cmd;
mod cli;
mod compile;
mod diagnostic;
mod lang;
mod repl;
mod run;
mod tau_cmd;
mod test_cmd;
mod translate;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

pub use diagnostic::render;

/// Where the command writes, and whether it may use colour.
pub struct Streams {
    pub out: Box<dyn Write>,
    pub err: Box<dyn Write>,
    pub color: bool,
}

/// Runs the `kai` command line `args` (the first is the program name) and returns the
/// process exit code: 0 on success (or the code a program gave to `exit`), 1 on any
/// failure, 2 for bad command-line usage.
pub fn main_with(args: impl IntoIterator<Item = impl Into<OsString> + Clone>, mut streams: Streams) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let parsed = match cli::Cli::parse_plain_run(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let text = if streams.color { err.render().ansi().to_string() } else { err.render().to_string() };
            let stream = if err.use_stderr() { &mut streams.err } else { &mut streams.out };
            let _ = stream.write_all(text.as_bytes());
            return code;
        }
    };
    let code = match cli.command {
        Some(cli::Command::Run(args)) => run::run(args, &mut streams),
        Some(cli::Command::Test(args)) => test_cmd::test(args, &mut streams),
        Some(cli::Command::Translate(args)) => translate::translate(args, &mut streams),
        Some(cli::Command::Check(args)) => check_cmd::check(args, &mut streams),
        Some(cli::Command::Compile(args)) => compile::compile(args, &mut streams),
        Some(cli::Command::Tau(args)) => tau_cmd::tau(args, &mut streams),
        Some(cli::Command::Serve(args)) => tau_cmd::serve(args, &mut streams),
        Some(cli::Command::Words) => words(&mut streams),
        None => match cli.lang.as_deref() {
            None => repl::start(lang::Lang::Pi, None, &mut streams),
            Some(name) => match lang::Lang::from_name(name) {
                Some(lang) => repl::start(lang, None, &mut streams),
                None => {
                    let _ = writeln!(streams.err, "kai: unknown language '{name}' (the languages are pi, rho, stark)");
                    2
                }
            },
        },
    };
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
}

fn words(streams: &mut Streams) -> i32 {
    let table = vm_core::words::WORDS;
    // Columns as wide as their longest entry, so every description starts in one place.
    let name_width = table.iter().map(|w| w.name.chars().count()).max().unwrap_or(0);
    let effect_width = table.iter().map(|w| w.effect.chars().count()).max().unwrap_or(0).min(32);
    let mut group = "";
    for word in table {
        if word.group != group {
            group = word.group;
            let _ = writeln!(streams.out, "\n{group}:");
        }
        let _ = writeln!(streams.out, "  {:<name_width$} {:<effect_width$} {}", word.name, word.effect, word.doc);
    }
    0
}
