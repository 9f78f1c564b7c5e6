//! Running out of memory is a `limit` error, never an abort: the `kai` binary under an
//! address-space limit (`ulimit -v`), growing an array, the context stack and a string
//! until the allocator refuses.

use std::process::Command;

/// Runs `kai ARGS…` with its address space limited to about 500 MB; returns the exit code
/// and stderr.
fn kai_limited(args: &[&str]) -> (i32, String) {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let script = format!("ulimit -v 500000 && exec {} {}", env!("CARGO_BIN_EXE_kai"), quoted.join(" "));
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        // The collector's stress modes are beside the point here, and slow.
        .env_remove("KAI_GC_STRESS")
        .output()
        .expect("sh runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn assert_limit(args: &[&str]) {
    let (code, stderr) = kai_limited(args);
    assert_eq!(code, 1, "{args:?}: exit {code}\n{stderr}");
    assert!(stderr.contains("limit error") && stderr.contains("out of memory"), "{args:?}\n{stderr}");
    assert!(!stderr.contains("memory allocation of"), "the process aborted: {stderr}");
}

#[test]
fn a_growing_array_runs_out_of_memory_with_a_limit_error() {
    assert_limit(&["run", "-e", "[] 1000000000 { 1 push } times"]);
}

#[test]
fn unbounded_recursion_under_a_huge_depth_limit_runs_out_of_memory_with_a_limit_error() {
    assert_limit(&["run", "--max-depth", "100000000", "-e", "{ 1 f & } 'f # f &"]);
}

#[test]
fn a_doubling_string_runs_out_of_memory_with_a_limit_error() {
    assert_limit(&["run", "-e", "\"a\" 40 { dup + } times"]);
}
