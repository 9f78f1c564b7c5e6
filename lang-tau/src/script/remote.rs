//! Remote continuations (SPEC §4.1): `remote ( {k} addr -- future )`, Rho `remote(f, addr)`,
//! sends a continuation — its code and a copy of what it captured, with the globals its
//! code names (`Vm::export_values`) — to a node started with `kai serve
//! --allow-remote-exec --token T`, which runs it in a fresh VM under its limits and sends
//! back a copy of the result or the error. The client's token is `KAI_REMOTE_TOKEN`.
//!
//! The exchange is a Tau interface of one method, `bytes run(bytes continuation)`, so it has
//! the handshake (with the token), framing, timeouts and failure handling of every Tau call.

use std::sync::Arc;
use std::time::Duration;

use vm_core::{Error, ErrorKind, Limits, Value, Vm};

use super::{runtime, text};
use crate::net::{Agent, CallError, Options, Proxy, Request, Service, ServiceFuture};
use crate::wire::{self, RemoteError};

/// The interface a node serves, and its fingerprint (fixed: the interface never changes
/// within a protocol version).
const INTERFACE: &str = "Kai::Remote";
const FINGERPRINT: &str = "4b61692052656d6f7465206578656331";
/// How long a client waits for a remote continuation's result; the node's own limits
/// (its deadline) usually end a runaway one first.
const CALL_TIMEOUT: Duration = Duration::from_secs(300);

pub(super) fn install(vm: &mut Vm) -> Result<(), Error> {
    vm.register_native("remote", 2, remote)
}

fn remote(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    if !matches!(args[0], Value::Cont(_)) {
        let got = vm.registry().type_name(args[0]);
        return Err(Error::type_error(format!("remote: expected a continuation to run, got {got}")));
    }
    let addr = text(vm, args[1], "remote", "the address")?;
    let bytes = vm.export_values(&[args[0]], "remote")?;
    let token = std::env::var("KAI_REMOTE_TOKEN").ok();
    let (future, completer) = vm.external_future();
    runtime().spawn(async move {
        let options = Options { call_timeout: CALL_TIMEOUT, token, ..Options::default() };
        let outcome = match Proxy::connect(addr.as_str(), INTERFACE, FINGERPRINT, options).await {
            Ok(proxy) => proxy.call("run", vec![wire::Value::Bytes(bytes)]).await,
            Err(e) => Err(e),
        };
        completer.complete(move |vm| match outcome {
            Ok(wire::Value::Bytes(result)) => {
                Ok(vm.import_values(&result, false)?.first().copied().unwrap_or(Value::Nil))
            }
            Ok(other) => Err(Error::new(ErrorKind::Remote, format!("remote: the node answered {}", other.kind()))),
            Err(CallError::Remote(e)) => {
                let mut message = format!("the remote continuation failed with a {} error: {}", e.kind, e.message);
                if !e.trace.is_empty() {
                    message.push_str(&format!(" (remote trace: {})", e.trace.join(" ← ")));
                }
                Err(Error::new(ErrorKind::Remote, message))
            }
            Err(CallError::Timeout(m)) => Err(Error::new(ErrorKind::Timeout, format!("remote: {m}"))),
            Err(CallError::Closed(m)) => Err(Error::new(ErrorKind::Closed, format!("remote: {m}"))),
            Err(e) => Err(Error::new(ErrorKind::Remote, format!("remote: {e}"))),
        });
    });
    Ok(future)
}

/// How a node runs what it is sent.
pub struct RemoteNode {
    /// Whether it runs continuations at all (`--allow-remote-exec`); without, every request
    /// is refused with a `remote` error that says so.
    pub allow: bool,
    /// The token proxies must present.
    pub token: Option<String>,
    /// The limits every continuation runs under.
    pub limits: Limits,
    /// Makes the fresh VM each continuation runs in.
    pub new_vm: fn() -> Vm,
}

/// Serves remote continuations on `addr` until the process ends, calling `ready` with the
/// address bound.
///
/// # Errors
/// If `addr` cannot be bound.
pub fn serve_remote(addr: &str, node: RemoteNode, ready: impl FnOnce(std::net::SocketAddr)) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    ready(listener.local_addr()?);
    let options = Options { token: node.token.clone(), ..Options::default() };
    runtime().block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        Agent::new(INTERFACE, FINGERPRINT, options).serve(listener, Arc::new(node)).await
    })
}

impl Service for RemoteNode {
    fn handle(&self, request: Request) -> ServiceFuture {
        let (allow, limits, new_vm) = (self.allow, self.limits.clone(), self.new_vm);
        Box::pin(async move {
            if !allow {
                let message =
                    "this node does not run remote code: start it with `kai serve --allow-remote-exec --token T`";
                return Err(RemoteError::new("remote", message));
            }
            let bytes = match request {
                Request::Call { member, mut args } if member == "run" && args.len() == 1 => match args.pop() {
                    Some(wire::Value::Bytes(bytes)) => bytes,
                    _ => return Err(RemoteError::new("type", "run takes the bytes of a continuation")),
                },
                _ => return Err(RemoteError::new("undefined", "a Kai node answers only `run`")),
            };
            let ran = tokio::task::spawn_blocking(move || run(new_vm, limits, &bytes)).await;
            let result = ran.map_err(|_| RemoteError::new("internal", "the remote continuation's thread failed"))??;
            Ok(wire::Value::Bytes(result))
        })
    }
}

/// Runs a continuation sent as bytes in a fresh VM, and gives the copy of its result.
fn run(new_vm: fn() -> Vm, limits: Limits, bytes: &[u8]) -> Result<Vec<u8>, RemoteError> {
    let mut vm = new_vm();
    vm.set_limits(limits);
    let traveled = |e: Error| RemoteError {
        kind: e.kind().as_str().to_string(),
        message: e.message().to_string(),
        trace: e.trace().iter().map(|t| t.label()).collect(),
    };
    let values = vm.import_values(bytes, true).map_err(traveled)?;
    let &[k] = values.as_slice() else { return Err(RemoteError::new("type", "run takes one continuation")) };
    if !matches!(k, Value::Cont(_)) {
        return Err(RemoteError::new("type", "run takes a continuation"));
    }
    let results = vm.call_value(k, &[]).map_err(traveled)?;
    let result = results.last().copied().unwrap_or(Value::Nil);
    vm.export_values(&[result], "remote").map_err(traveled)
}
