//! Support for the benchmarks: loading the programs in `benches/programs/` and running one
//! in a fresh VM. The programs themselves, with their Lua and Python twins, are compared
//! side by side by `benches/compare.sh`; `cargo bench -p kai-benches` times them in-process.

use std::path::PathBuf;

/// The source of `benches/programs/NAME.pi`.
///
/// # Panics
/// If the program does not exist.
pub fn program(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs").join(format!("{name}.pi"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs Pi source in a fresh VM with its output discarded.
///
/// # Panics
/// If the program fails: a benchmark must measure a working program.
pub fn run(source: &str) {
    let mut vm = lang_pi::new_vm();
    vm.set_output(Box::new(std::io::sink()));
    if let Err(err) = vm.eval("pi", "bench", source) {
        panic!("benchmark program failed: {err}");
    }
}
