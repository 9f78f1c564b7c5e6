//! The REPL driven through a pseudo-terminal, as a person uses it: multi-line input,
//! switching languages, an error and recovery, Ctrl-C interrupting a loop, history kept
//! across sessions, completion, and piped (non-interactive) input.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use expectrl::{ControlCode, Eof, Expect, Regex};

const KAI: &str = env!("CARGO_BIN_EXE_kai");

/// A REPL session in a fresh pty, with colour off and history in `history`.
///
/// A test sends a line only once the prompt is back (see [`prompt`]): keys typed while a
/// line runs meet the terminal between two line-editor sessions and can be lost.
fn repl(args: &[&str], history: &std::path::Path) -> expectrl::session::OsSession {
    let mut command = Command::new(KAI);
    command.args(args).env("NO_COLOR", "1").env("KAI_HISTORY", history).env("TERM", "xterm");
    let mut session = expectrl::Session::spawn(command).expect("spawn kai in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Waits for a fresh prompt `prompt` (such as `"pi> "`), ready for the next line.
///
/// The line editor redraws the whole line, prompt included, as keys are typed, so the
/// prompt's text alone also matches the echo of the line just sent. A fresh prompt is the
/// one drawn just after the editor switches bracketed paste on (`ESC [?2004h`), which it
/// does once each time it starts reading a line.
fn prompt(session: &mut expectrl::session::OsSession, prompt: &str) {
    let pattern = format!(r"\x1b\[\?2004h[^>]*{}", prompt.replace('.', r"\."));
    session.expect(Regex(pattern.as_str())).unwrap_or_else(|error| panic!("waiting for {prompt:?}: {error}"));
}

fn temp(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("kai-repl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn shows_the_stack_and_continues_unfinished_lines() {
    let history = temp("stack");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line("1 2 \"a\"").unwrap();
    p.expect("1  2  \"a\"  ← top").unwrap();
    // An open bracket continues on the next line, with a continuation prompt.
    prompt(&mut p, "pi> ");
    p.send_line("{ dup").unwrap();
    prompt(&mut p, "..> ");
    p.send_line("* } 'sq #").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("clear 7 sq &").unwrap();
    p.expect("49  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn switches_languages_over_one_vm() {
    let history = temp("switch");
    let mut p = repl(&["--lang", "rho"], &history);
    prompt(&mut p, "rho> ");
    p.send_line("fun double(x) {").unwrap();
    prompt(&mut p, "...> ");
    p.send_line("  return x * 2").unwrap();
    prompt(&mut p, "...> ");
    p.send_line("}").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("double(21)").unwrap();
    p.expect("= 42").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line(":pi").unwrap();
    prompt(&mut p, "pi> ");
    // A Rho function is callable from Pi, and a Pi definition from Rho.
    p.send_line("5 1 double call { 10 + } 'ten #").unwrap();
    p.expect("10  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":rho").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("pi { 1 ten & }").unwrap();
    p.expect("= 11").unwrap();
    // Only once the prompt is back is the line editor reading (in raw mode): a control
    // key sent earlier meets the terminal's cooked mode and can be lost.
    prompt(&mut p, "rho> ");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn stark_lines_are_checked_against_the_sessions_declarations() {
    let history = temp("stark");
    let mut p = repl(&["--lang", "stark"], &history);
    prompt(&mut p, "stark> ");
    // A line that opens a block continues until a blank line.
    p.send_line("fn double(x: Int) -> Int:").unwrap();
    prompt(&mut p, ".....> ");
    p.send_line("    return x * 2").unwrap();
    prompt(&mut p, ".....> ");
    p.send_line("").unwrap();
    prompt(&mut p, "stark> ");
    p.send_line("double(21)").unwrap();
    p.expect("= 42").unwrap();
    prompt(&mut p, "stark> ");
    // The declaration made on an earlier line types this one.
    p.send_line("double(\"a\")").unwrap();
    p.expect("argument 'x' must be Int, not String").unwrap();
    prompt(&mut p, "stark> ");
    p.send_line("let n = double(2)").unwrap();
    prompt(&mut p, "stark> ");
    p.send_line("n + 1").unwrap();
    p.expect("= 5").unwrap();
    prompt(&mut p, "stark> ");
    // A file loaded into the session adds its declarations too.
    let lib = temp("lib.stark");
    std::fs::write(&lib, "fn triple(x: Int) -> Int:\n    return 3 * x\n").unwrap();
    p.send_line(format!(":load {}", lib.display())).unwrap();
    prompt(&mut p, "stark> ");
    p.send_line("triple(n)").unwrap();
    p.expect("= 12").unwrap();
    let _ = std::fs::remove_file(&lib);
    prompt(&mut p, "stark> ");
    // A Stark function is a Rho function.
    p.send_line(":rho").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("double(4)").unwrap();
    p.expect("= 8").unwrap();
    prompt(&mut p, "rho> ");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn an_error_shows_a_diagnostic_and_the_session_goes_on() {
    let history = temp("error");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line("1 2 42 'answer #").unwrap();
    p.expect("1  2  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("3 4 5 0 /").unwrap();
    p.expect("division by zero").unwrap();
    p.expect("<repl>:1:9").unwrap();
    prompt(&mut p, "pi> ");
    // The stack is as it was before the failing line; globals are intact.
    p.send_line("answer").unwrap();
    p.expect("1  2  42  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn ctrl_c_interrupts_a_running_loop_and_keeps_the_session() {
    let history = temp("interrupt");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line("7 'kept #").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("{ true } { } while").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("kept").unwrap();
    p.expect("7  ← top").unwrap();
    prompt(&mut p, "pi> ");
    // Ctrl-C at the prompt clears the line; Ctrl-D quits.
    p.send("1 2 3").unwrap();
    p.expect("1 2 3").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":stack").unwrap();
    p.expect("7  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn tasks_outlive_their_line_and_ctrl_c_stops_the_lines_tasks() {
    let history = temp("tasks");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    // Tasks run while lines run: one not started yet is runnable; once a line yields, it
    // runs until it waits, and a later line wakes it.
    p.send_line("1 channel 'c # { c recv 2 * } 'doubler # doubler spawn 'f #").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":tasks").unwrap();
    p.expect("task 'doubler': runnable").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("yield").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":tasks").unwrap();
    p.expect(Regex("task 'doubler' at [^\n]*: waits on recv")).unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("21 c send f await").unwrap();
    p.expect("42  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":tasks").unwrap();
    p.expect("no tasks").unwrap();
    prompt(&mut p, "pi> ");
    // Ctrl-C during a line stops the tasks that line started, spinning or not.
    p.send_line("clear { { true } { } while } spawn drop { { true } { } while } spawn await").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":tasks").unwrap();
    p.expect("no tasks").unwrap();
    prompt(&mut p, "pi> ");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn history_persists_across_sessions() {
    let history = temp("history");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line("123456 789 +").unwrap();
    p.expect("124245  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
    let saved = std::fs::read_to_string(&history).expect("history file written");
    assert!(saved.contains("123456 789 +"), "{saved}");

    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    // Up-arrow recalls the previous session's line.
    p.send("\x1b[A").unwrap();
    p.send("\r").unwrap();
    p.expect("124245  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn tab_completes_words_and_defined_names() {
    let history = temp("complete");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line("5 'myvariable #").unwrap();
    prompt(&mut p, "pi> ");
    p.send("myvar\t").unwrap();
    p.expect("myvariable").unwrap();
    p.send("\r").unwrap();
    p.expect("5  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send("gc_st\t").unwrap();
    p.expect("gc_stats").unwrap();
    p.send(" size\r").unwrap();
    p.expect(Regex("5  [0-9]+  ← top")).unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn help_describes_words() {
    let history = temp("help");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    p.send_line(":help dup").unwrap();
    // The output, not the hint the line editor shows while the line is typed.
    p.expect("( a -- a a )   (Pi").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":help push").unwrap();
    p.expect("Rho function").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn run_interactive_keeps_the_files_definitions() {
    let history = temp("run-i");
    let file = std::env::temp_dir().join(format!("kai-repl-{}-lib.rho", std::process::id()));
    std::fs::write(&file, "fun triple(x) { return x * 3 }\nprint(\"loaded\")\n").unwrap();
    let path = file.display().to_string();
    let mut p = repl(&["run", &path, "-i"], &history);
    p.expect("loaded").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("triple(14)").unwrap();
    p.expect("= 42").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn piped_input_runs_without_prompts() {
    let mut child =
        Command::new(KAI).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"2 3 + print\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "5\n");
    assert!(output.status.success());

    let mut child = Command::new(KAI)
        .arg("--lang")
        .arg("rho")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"x = 1 / 0\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("division by zero"));
}

#[test]
fn a_line_of_the_repl_reads_the_terminal() {
    let history = temp("read_line");
    let mut p = repl(&[], &history);
    prompt(&mut p, "pi> ");
    // The program asks, waits for a line of its own, and the prompt comes back.
    // (The question is built, so that its text is not the echo of the line typed.)
    p.send_line("\"na\" \"me?\" + print read_line upper").unwrap();
    p.expect("name?").unwrap();
    p.send_line("typed by hand").unwrap();
    p.expect("\"TYPED BY HAND\"  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line("1 1 +").unwrap();
    p.expect("2  ← top").unwrap();
    prompt(&mut p, "pi> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn kai_run_reads_piped_standard_input() {
    let run = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(KAI)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let output = run(&["run", "-e", "read_line int read_line int + print read_line print"], b"3\n4\n");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "7\nnil\n");
    assert!(output.status.success());
    let program =
        "n = 0\nline = read_line()\nwhile line != nil { n += len(words(line)); line = read_line() }\nprint(n)";
    let output = run(&["run", "--lang", "rho", "-e", program], b"one two\nthree\r\n\nfour");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "4\n");
    let output = run(&["run", "--lang", "rho", "-e", "print(to_json(lines(read_stdin())))"], b"a\nb\n");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "[\"a\",\"b\"]\n");
}

#[test]
fn translate_shows_the_pi_of_rho_lines() {
    let history = temp("translate");
    let mut p = repl(&["--lang", "rho"], &history);
    prompt(&mut p, "rho> ");
    p.send_line(":translate").unwrap();
    p.expect("showing the Pi of Rho lines: on").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("x = 6 * 7").unwrap();
    p.expect("6 7 * 'x #").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("x").unwrap();
    p.expect("= 42").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line(":reset").unwrap();
    p.expect("a fresh VM").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line("x").unwrap();
    p.expect("undefined name 'x'").unwrap();
    prompt(&mut p, "rho> ");
    p.send_line(":quit").unwrap();
    p.expect(Eof).unwrap();
}
