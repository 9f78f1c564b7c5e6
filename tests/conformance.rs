//! The script conformance suite.
//!
//! - `tests/scripts/pi/**.pi`, `tests/scripts/rho/**.rho` and `tests/scripts/stark/**.stark`
//!   are self-checking programs:
//!   each passes when it runs to its end without an error (they check themselves with
//!   `assert`).
//! - `tests/scripts/errors/**.pi`, `**.rho` and `**.stark` must fail. Their first lines say how, as comments:
//!   `// error: KIND` (required), `// message: TEXT` (a substring of the message), and
//!   `// at: LINE:COLUMN` (where the error is reported). They pin error kinds, messages and
//!   source positions, including for errors `try` cannot catch.

use kai_tests::{files, root};
use vm_core::Outcome;

/// Runs a script; returns the VM (for rendering) and the error it ended with, if any.
fn run_file(path: &std::path::Path) -> (vm_core::Vm, Option<vm_core::Error>) {
    let text = std::fs::read_to_string(path).expect("readable script");
    let (mut vm, _out) = kai_tests::vm();
    // The full path: a script's imports are found next to it, whatever the working directory.
    let name = path.display().to_string();
    let lang = match path.extension().and_then(|e| e.to_str()) {
        Some("rho") => "rho",
        Some("stark") => "stark",
        _ => "pi",
    };
    let error = match vm.eval(lang, &name, &text) {
        Ok(Outcome::Finished) | Ok(Outcome::Exit(0)) => None,
        Ok(Outcome::Exit(code)) => Some(vm_core::Error::new(vm_core::ErrorKind::User, format!("exit {code}"))),
        Err(err) => Some(err),
    };
    (vm, error)
}

fn scripts_pass(dir: &str, ext: &str, at_least: usize) {
    let scripts = files(&root().join(dir), ext);
    assert!(scripts.len() >= at_least, "the suite is missing: {} scripts", scripts.len());
    let mut failures = Vec::new();
    for script in &scripts {
        if let (vm, Some(err)) = run_file(script) {
            failures.push(format!("{}:\n{}", script.display(), console::render(&vm, &err, false)));
        }
    }
    assert!(failures.is_empty(), "{} of {} scripts failed:\n\n{}", failures.len(), scripts.len(), failures.join("\n"));
}

#[test]
fn pi_scripts_pass() {
    scripts_pass("tests/scripts/pi", "pi", 20);
}

#[test]
fn rho_scripts_pass() {
    scripts_pass("tests/scripts/rho", "rho", 3);
}

#[test]
fn stark_scripts_pass() {
    scripts_pass("tests/scripts/stark", "stark", 10);
}

/// The expectations written at the top of an error script.
struct Expected {
    kind: String,
    message: Option<String>,
    at: Option<String>,
}

fn expected(text: &str) -> Expected {
    let mut kind = None;
    let (mut message, mut at) = (None, None);
    for line in text.lines().take_while(|l| l.starts_with("//")) {
        let line = line.trim_start_matches("//").trim();
        if let Some(k) = line.strip_prefix("error:") {
            kind = Some(k.trim().to_string());
        } else if let Some(m) = line.strip_prefix("message:") {
            message = Some(m.trim().to_string());
        } else if let Some(a) = line.strip_prefix("at:") {
            at = Some(a.trim().to_string());
        }
    }
    Expected { kind: kind.expect("an error script starts with `// error: KIND`"), message, at }
}

#[test]
fn error_scripts_fail_as_expected() {
    let mut scripts = files(&root().join("tests/scripts/errors"), "pi");
    scripts.extend(files(&root().join("tests/scripts/errors"), "rho"));
    scripts.extend(files(&root().join("tests/scripts/errors"), "stark"));
    assert!(!scripts.is_empty());
    let mut problems = Vec::new();
    for script in &scripts {
        let text = std::fs::read_to_string(script).expect("readable script");
        let want = expected(&text);
        match run_file(script) {
            (_, None) => problems.push(format!("{}: ran without the expected {} error", script.display(), want.kind)),
            (vm, Some(err)) => {
                let mut wrong = Vec::new();
                if err.kind().as_str() != want.kind {
                    wrong.push(format!("kind {} (expected {})", err.kind(), want.kind));
                }
                if let Some(m) = &want.message
                    && !err.message().contains(m.as_str())
                {
                    wrong.push(format!("message {:?} (expected to contain {m:?})", err.message()));
                }
                if let Some(at) = &want.at {
                    let found = err.span().map(|s| vm.sources().describe(s)).unwrap_or_default();
                    if !found.ends_with(&format!(":{at}")) {
                        wrong.push(format!("position {found} (expected {at})"));
                    }
                }
                if !wrong.is_empty() {
                    problems.push(format!("{}: {}", script.display(), wrong.join("; ")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
