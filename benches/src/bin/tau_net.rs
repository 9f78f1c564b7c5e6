//! Tau's network speed, measured side by side in one run on loopback:
//!
//! - sequential round-trip latency (p50, p99) of a small call, Rust proxy → Rust agent,
//!   against a bare TCP ping-pong of the same frame sizes (the physical floor here);
//! - pipelined throughput, Rust → Rust: many calls in flight on one connection.
//!
//! `cargo run --release -p kai-benches --bin tau_net [CALLS]` (default 20,000 round trips and
//! 200,000 pipelined calls). The proxy and agent are `lang_tau::net`'s, which generated Rust
//! code calls after converting its typed arguments; the service answers `add(a, b)`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lang_tau::net::{Agent, Options, Proxy, Request, Service, ServiceFuture};
use lang_tau::wire::{Message, RemoteError, Value, encode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const INTERFACE: &str = "Bench::Calculator";
const FINGERPRINT: &str = "00000000000000000000000000000000";

struct Adder;

impl Service for Adder {
    fn handle(&self, request: Request) -> ServiceFuture {
        Box::pin(async move {
            match request {
                Request::Call { args, .. } => match args.as_slice() {
                    [Value::Float(a), Value::Float(b)] => Ok(Value::Float(a + b)),
                    _ => Err(RemoteError::new("type", "add takes two floats")),
                },
                _ => Err(RemoteError::new("undefined", "no properties")),
            }
        })
    }
}

/// The frame sizes of one call and its reply, so the bare ping-pong moves the same bytes.
fn frame_sizes() -> (usize, usize) {
    let call = encode(&Message::Call { id: 1, member: "add".into(), args: vec![Value::Float(1.0), Value::Float(2.0)] });
    let reply = encode(&Message::Reply { id: 1, value: Value::Float(3.0) });
    (call.len() + 4, reply.len() + 4)
}

/// A server that answers every `request`-byte message with a `reply`-byte one.
async fn echo_server(request: usize, reply: usize) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let (mut inbox, outbox) = (vec![0u8; request], vec![7u8; reply]);
                while stream.read_exact(&mut inbox).await.is_ok() {
                    if stream.write_all(&outbox).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let (request, reply) = frame_sizes();

    // Bare TCP ping-pong.
    let echo = echo_server(request, reply).await;
    let mut stream = TcpStream::connect(echo).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (outbox, mut inbox) = (vec![1u8; request], vec![0u8; reply]);
    let mut bare = Vec::with_capacity(calls);
    for _ in 0..calls / 10 {
        stream.write_all(&outbox).await.unwrap();
        stream.read_exact(&mut inbox).await.unwrap();
    }
    for _ in 0..calls {
        let started = Instant::now();
        stream.write_all(&outbox).await.unwrap();
        stream.read_exact(&mut inbox).await.unwrap();
        bare.push(started.elapsed());
    }
    bare.sort();

    // Rust proxy → Rust agent.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(Agent::new(INTERFACE, FINGERPRINT, Options::default()).serve(listener, Arc::new(Adder)));
    let proxy = Arc::new(Proxy::connect(addr, INTERFACE, FINGERPRINT, Options::default()).await.unwrap());
    let args = || vec![Value::Float(1.0), Value::Float(2.0)];
    for _ in 0..calls / 10 {
        proxy.call("add", args()).await.unwrap();
    }
    let mut tau = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        proxy.call("add", args()).await.unwrap();
        tau.push(started.elapsed());
    }
    tau.sort();

    println!("round trip of a small call, {calls} sequential calls (µs)");
    println!("{:<28} {:>8} {:>8}", "", "p50", "p99");
    let (b50, b99) = (percentile(&bare, 0.5), percentile(&bare, 0.99));
    let (t50, t99) = (percentile(&tau, 0.5), percentile(&tau, 0.99));
    println!("{:<28} {:>8.1} {:>8.1}", format!("bare TCP ({request}+{reply} bytes)"), micros(b50), micros(b99));
    println!("{:<28} {:>8.1} {:>8.1}", "Tau, Rust → Rust", micros(t50), micros(t99));
    println!("{:<28} {:>8.2} {:>8.2}", "ratio", micros(t50) / micros(b50), micros(t99) / micros(b99));

    // Pipelined: many callers share the connection.
    let total = calls * 10;
    let callers = 256;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(callers);
    for _ in 0..callers {
        let proxy = proxy.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..total / callers {
                proxy.call("add", vec![Value::Float(1.0), Value::Float(2.0)]).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let done = total / callers * callers;
    println!();
    println!(
        "pipelined, Rust → Rust: {done} calls from {callers} callers on one connection in {:.3} s: {:.0} calls/s",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
}
