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

/// Stark's hooks are Pi's words: the same lines on the same stream.
#[test]
fn stark_log_metric_and_span_trace_like_pi() {
    let stark = "trace_span(\"report\"):\n    log(\"n = \" + str(5))\n    emit_metric(\"squares\", 3)\n";
    let pi = r#""report" { "n = " 5 str + log 3 "squares" metric } span"#;
    let run = |args: &[&str]| {
        let output = Command::new(KAI).args(args).env("NO_COLOR", "1").output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stderr).lines().map(|l| l.trim().to_string()).collect::<Vec<_>>()
    };
    let from_stark = run(&["run", "--trace", "--lang", "stark", "-e", stark]);
    let from_pi = run(&["run", "--trace", "-e", pi]);
    assert_eq!(
        from_stark,
        ["INFO span{name=report}: kai: n = 5", "INFO span{name=report}: kai::metric: metric=squares value=3"]
    );
    assert_eq!(from_stark, from_pi);
}
