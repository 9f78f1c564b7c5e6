//! The command line, as clap parses it.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Kai: a continuation-based virtual machine for Pi and its sibling languages.
#[derive(Parser, Debug)]
#[command(name = "kai", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The REPL's language when no command is given: pi (default), rho or stark.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

impl Cli {
    /// The command line `args` (program name first) when it is the plainest form,
    /// `kai run FILE [ARG…]` with nothing starting with `-`, parsed without clap; `None`
    /// for every other command line, which clap parses. Clap builds its parser for every
    /// subcommand and option before it looks at the arguments, and that is a third of the
    /// start-up of an empty program (the page faults of its code and heap, and ~115 K
    /// instructions); this gives the `Cli` clap would give (the tests below check that on
    /// many command lines) without building it.
    pub fn parse_plain_run(args: &[OsString]) -> Option<Cli> {
        let [_, command, file, rest @ ..] = args else { return None };
        let plain = |arg: &OsString| arg.to_str().is_some_and(|a| !a.is_empty() && !a.starts_with('-'));
        if command != "run" || !plain(file) || !rest.iter().all(plain) {
            return None;
        }
        let run = RunArgs {
            file: Some(PathBuf::from(file)),
            args: rest.iter().filter_map(|a| a.to_str()).map(str::to_string).collect(),
            eval: None,
            lang: None,
            print_stack: false,
            interactive: false,
            trace: false,
            limits: LimitArgs::default(),
        };
        Some(Cli { command: Some(Command::Run(run)), lang: None })
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program file (by extension: .pi, .rho, .stark, or compiled .kbc), or code given
    /// with -e.
    Run(RunArgs),
    /// Print the Pi that a Rho or Stark file translates to.
    Translate(TranslateArgs),
    /// Type-check a Stark file without running it: every error, exit code 1; none, 0.
    Check(CheckArgs),
    /// Compile a .pi, .rho or .stark file to a .kbc file that `kai run` runs without compiling.
    Compile(CompileArgs),
    /// Run test scripts (.pi, .rho and .stark files, or directories of them); each passes when it
    /// runs to its end without an error.
    Test(TestArgs),
    /// Generate code from a Tau interface file: per interface, a proxy, an agent and the
    /// structs and enums it uses.
    Tau(TauArgs),
    /// Run a node that executes continuations sent to it with `remote` (only with
    /// --allow-remote-exec and a --token; each runs in a fresh VM under the limits given).
    Serve(ServeArgs),
    /// List every built-in word with its stack effect.
    Words,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program file; arguments after it are given to the program as the global `args`.
    #[arg(required_unless_present = "eval")]
    pub file: Option<PathBuf>,
    /// Arguments for the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Run this code instead of a file (then every positional argument goes to the
    /// program).
    #[arg(short = 'e', long = "eval", value_name = "CODE", allow_hyphen_values = true)]
    pub eval: Option<String>,
    /// The language of the program (default: from the file's extension; pi for -e).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Print the data stack when the program ends.
    #[arg(long)]
    pub print_stack: bool,
    /// After the program, open the REPL with its definitions.
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Show `log`, `metric` and `span` events on stderr.
    #[arg(long)]
    pub trace: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Resource limits (none are set unless asked for, except the default depth limits).
#[derive(Args, Debug, Default)]
pub struct LimitArgs {
    /// Stop after this many operations.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Maximum context-stack depth (frames).
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Maximum data-stack depth (values).
    #[arg(long, value_name = "N")]
    pub max_stack: Option<usize>,
    /// Maximum heap size in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_heap: Option<usize>,
    /// Stop after this many milliseconds of wall-clock time.
    #[arg(long, value_name = "MS")]
    pub deadline: Option<u64>,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Script files or directories (searched recursively for .pi, .rho and .stark files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    /// The program file.
    pub file: PathBuf,
    /// Where to write the compiled code (default: the file with extension .kbc).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The language of the program (default: from the file's extension).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Args, Debug)]
pub struct TranslateArgs {
    /// The Rho or Stark file.
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The Stark file.
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct TauArgs {
    /// The .tau file.
    pub file: PathBuf,
    /// The language to generate.
    #[arg(long, value_enum)]
    pub target: TauTarget,
    /// The directory to write the generated files to (made if missing).
    #[arg(long = "out", value_name = "DIR")]
    pub out: PathBuf,
}

/// The languages `kai tau` generates.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum TauTarget {
    Rust,
    Rho,
    Pi,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on, such as 127.0.0.1:7100 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// Run the continuations proxies send. Without it the node refuses every one.
    #[arg(long, requires = "token")]
    pub allow_remote_exec: bool,
    /// The secret a client must present (its KAI_REMOTE_TOKEN).
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use clap::Parser;

    use super::Cli;

    /// The fast path's answer, checked against clap's: the same `Cli` whenever it gives one.
    fn check(words: &[&str]) -> bool {
        let args: Vec<OsString> = std::iter::once("kai").chain(words.iter().copied()).map(OsString::from).collect();
        let Some(fast) = Cli::parse_plain_run(&args) else { return false };
        let clap = Cli::try_parse_from(&args).unwrap_or_else(|err| panic!("clap rejects {words:?}: {err}"));
        assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "for {words:?}");
        true
    }

    #[test]
    fn a_plain_run_parses_as_clap_parses_it() {
        assert!(check(&["run", "prog.pi"]));
        assert!(check(&["run", "dir/prog.rho", "a", "b c", "help", "run"]));
        assert!(check(&["run", "prog.kbc", "x"]));
    }

    #[test]
    fn anything_else_is_left_to_clap() {
        for words in [
            &["run"][..],
            &[],
            &["run", "-e", "1 print"],
            &["run", "--fuel", "10", "prog.pi"],
            &["run", "prog.pi", "--fuel", "10"],
            &["run", "prog.pi", "-"],
            &["run", "--", "prog.pi"],
            &["run", ""],
            &["translate", "prog.rho"],
            &["--lang", "rho"],
        ] {
            assert!(!check(words), "{words:?} took the fast path");
        }
    }

    #[test]
    fn every_command_line_of_these_words_agrees_with_clap() {
        // Every sequence of up to four of these words: the fast path either declines or
        // gives clap's answer.
        let words = ["run", "p.pi", "x", "-e", "--fuel", "3", "--", "-", "help", "--help", ""];
        let mut lines: Vec<Vec<&str>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<Vec<&str>> = lines
                .iter()
                .flat_map(|line| words.iter().map(move |w| line.iter().copied().chain([*w]).collect()))
                .collect();
            for line in &longer {
                check(line);
            }
            lines = longer;
        }
    }
}
