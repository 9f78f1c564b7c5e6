//! Tau across languages and processes: a generated Rust proxy calling a Rho agent, Rho and
//! Pi proxies calling a generated Rust agent, and Rho calling Rho (an agent serving a map of
//! functions, and one serving an actor), each side in its own process (`kai-under-test`,
//! this package's build of the `kai` command). The Rho side is the code `kai tau --target
//! rho` (and `--target pi`) generates from `tau/demo.tau`, with `tau/agent.rho`,
//! `tau/proxy.rho` and `tau/proxy.pi`.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kai_tests::{kai, root};
use lang_tau::net::Options;

#[path = "tau/common.rs"]
mod common;

use common::{CalculatorProxy, exercise, start};

const KAI: &str = env!("CARGO_BIN_EXE_kai-under-test");

/// A directory holding the generated Rho and Pi code and the test programs.
fn rho_side(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kai-tau-cross-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let tau = root().join("tests/tau");
    for target in ["rho", "pi"] {
        let demo = tau.join("demo.tau").display().to_string();
        let run = kai(&["tau", &demo, "--target", target, "--out", &dir.display().to_string()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    for file in ["agent.rho", "proxy.rho", "proxy.pi"] {
        std::fs::copy(tau.join(file), dir.join(file)).unwrap();
    }
    dir
}

/// A child process, killed when the test ends however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the Rho agent on a free port and returns it with the address it reports.
fn rho_agent(dir: &PathBuf) -> (Process, String) {
    rho_agent_with(dir, &[])
}

/// Starts the Rho agent with `more` arguments after its address (`actor`: serve through an
/// actor).
fn rho_agent_with(dir: &PathBuf, more: &[&str]) -> (Process, String) {
    let child = Command::new(KAI)
        .args(["run", "agent.rho", "127.0.0.1:0"])
        .args(more)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the Rho agent");
    let mut process = Process(child);
    let stdout = process.0.stdout.take().unwrap();
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let line = lines.recv_timeout(Duration::from_secs(20)).expect("the Rho agent reports its address");
    let address = line.strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected: {line}")).to_string();
    (process, address)
}

/// Runs the proxy program `program` against `address`; returns what it printed.
fn run_proxy(dir: &PathBuf, program: &str, address: &str) -> String {
    let mut child = Command::new(KAI)
        .args(["run", program, address])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Rho proxy");
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            assert!(status.success(), "{program} failed:\n{out}\n{err}");
            return out.into_owned();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("{program} did not finish within 30 s");
}

/// What `tau/proxy.rho` prints against any agent that behaves as `Calc` does.
const PROXY_TRANSCRIPT: &str = r#"3.75
14.0
[3 14]
[]
{"x": 2.0, "y": -1.0}
moved to {"x": 2.0, "y": -1.0} step 1
true false
remote the agent raised a user error: -3 is negative
remote the agent raised a overflow error: the sum is over the limit
overflow: 1000000001 is too large
triangle ✓ (mirrored) [{"x": -1.0, "y": 0.0} {"x": 2.5, "y": 0.0}] Precise {"sides": 3} 3 hole
{1: ["a"], 2: ["bb" "cc"], 3: ["ddd"]}
calc
renamed
Fast
Precise
type Demo::Calculator.add: argument `a`: expected float value, got string
type Demo::Calculator.mode: the value: Demo::Mode has no variant `Slow`
50
timeout
closed tau_call: the proxy is closed
"#;

#[test]
fn a_rust_proxy_calls_a_rho_agent() {
    let dir = rho_side("rust-proxy");
    let (_agent, address) = rho_agent(&dir);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let calc = CalculatorProxy::connect(address.as_str(), Options::default()).await.unwrap();
        let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
        calc.on_overflow(move |reason| sender.send(reason).unwrap());
        exercise(&calc).await;
        let reason = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
        assert_eq!(reason, "1000000001 is too large");
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rho_proxy_calls_a_rust_agent() {
    let dir = rho_side("rho-proxy");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let address = runtime.block_on(start(Options::default())).to_string();
    assert_eq!(run_proxy(&dir, "proxy.rho", &address), PROXY_TRANSCRIPT);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rho_proxy_calls_a_rho_agent() {
    let dir = rho_side("rho-rho");
    let (_agent, address) = rho_agent(&dir);
    assert_eq!(run_proxy(&dir, "proxy.rho", &address), PROXY_TRANSCRIPT);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rho_proxy_calls_a_rho_agent_served_by_an_actor() {
    let dir = rho_side("rho-actor");
    let (_agent, address) = rho_agent_with(&dir, &["actor"]);
    assert_eq!(run_proxy(&dir, "proxy.rho", &address), PROXY_TRANSCRIPT);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_pi_proxy_calls_a_rust_agent() {
    let dir = rho_side("pi-proxy");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let address = runtime.block_on(start(Options::default())).to_string();
    let expected = "3.75\n{\"x\": 2.0, \"y\": -1.0}\n[3]\nfrom Pi\nthe agent raised a user error: -3 is negative\n";
    assert_eq!(run_proxy(&dir, "proxy.pi", &address), expected);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts `kai serve` with `flags`; returns it with the address it reports.
fn node(flags: &[&str]) -> (Process, String) {
    let child = Command::new(KAI)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start kai serve");
    let mut process = Process(child);
    let mut stdout = BufReader::new(process.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("serving on ").unwrap_or_else(|| panic!("unexpected: {line}")).to_string();
    (process, address)
}

/// Runs `tau/remote.rho` against `address` with `token` as KAI_REMOTE_TOKEN.
fn run_remote(address: &str, token: &str) -> (bool, String, String) {
    let output = Command::new(KAI)
        .args(["run", &root().join("tests/tau/remote.rho").display().to_string(), address])
        .env("KAI_REMOTE_TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .expect("run remote.rho");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn continuations_run_on_a_node_that_allows_it() {
    let (_node, address) = node(&["--allow-remote-exec", "--token", "s3cret", "--deadline", "500"]);
    let (ok, out, err) = run_remote(&address, "s3cret");
    assert!(ok, "{out}\n{err}");
    assert_eq!(
        out,
        "42\n{\"sum\": 6, \"copy\": {\"k\": [1 2 3]}}\n\
         remote the remote continuation failed with a division-by-zero error: division by zero\n\
         remote the remote continuation failed with a limit error: deadline of 500 ms exceeded\n\
         type\n42\n"
    );
}

#[test]
fn a_node_refuses_without_the_flag_or_the_token() {
    let (_open, address) = node(&[]);
    let (ok, _, err) = run_remote(&address, "");
    assert!(!ok);
    assert!(err.contains("this node does not run remote code"), "{err}");
    let (_guarded, address) = node(&["--allow-remote-exec", "--token", "s3cret"]);
    let (ok, _, err) = run_remote(&address, "guess");
    assert!(!ok);
    assert!(err.contains("the agent requires a token"), "{err}");
    // The flag without a token is refused by the command line itself.
    let run = kai(&["serve", "--listen", "127.0.0.1:0", "--allow-remote-exec"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--token"), "{}", run.stderr);
}
