//! `kai run --trace` as a process: the tracing stream on stderr.

use std::process::Command;

const KAI: &str = env!("CARGO_BIN_EXE_kai");

/// A span belongs to the task that entered it: tasks switching inside their spans never
/// see each other's (each is parked with its task and re-entered when the task resumes).
#[test]
fn spans_stay_with_their_task_across_switches() {
    let program = r#"{ "a" { yield "in a" log yield } span } spawn drop
{ "b" { yield "in b" log yield } span } spawn drop
"main" { yield yield "in main" log yield } span
"after" log"#;
    let output = Command::new(KAI).args(["run", "--trace", "-e", program]).env("NO_COLOR", "1").output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        [
            "INFO span{name=a}: kai: in a",
            "INFO span{name=b}: kai: in b",
            "INFO span{name=main}: kai: in main",
            "INFO kai: after"
        ],
        "{stderr}"
    );
}
