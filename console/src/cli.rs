//! The command line, as clap parses it.

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
