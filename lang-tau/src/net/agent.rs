//! The serving side of an interface: accepts proxies, checks each handshake (magic,
//! version, interface, fingerprint, token), runs every call as its own task on the user's
//! [`Service`] (or hands it to a [`ReplyingService`] with the [`Reply`] to answer
//! through), and sends every fired event to every connected proxy. A misbehaving peer —
//! garbage, an oversized frame, silence — loses its own connection and nothing else.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use futures_util::FutureExt as _;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};

use super::Options;
use super::frames::{Outgoing, Reader, When, read_message, split, whole_frame_buffered};
use crate::wire::{MAGIC, Message, RemoteError, VERSION, Value};

/// What a proxy asks of an agent.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Call { member: String, args: Vec<Value> },
    Get { property: String },
    Set { property: String, value: Value },
}

/// The future a [`Service`] answers a request with.
pub type ServiceFuture = Pin<Box<dyn Future<Output = Result<Value, RemoteError>> + Send>>;

/// An implementation of an interface, as the runtime sees it (generated code adapts a
/// typed implementation to this).
pub trait Service: Send + Sync + 'static {
    /// The answer to `request`, as a future the agent runs.
    fn handle(&self, request: Request) -> ServiceFuture;
}

/// An implementation that answers on a thread of its own (a VM's): it takes each request
/// with the [`Reply`] to answer it through, so that no task of the agent's waits for the
/// answer and the answer leaves the moment it is given.
pub trait ReplyingService: Send + Sync + 'static {
    fn take(&self, request: Request, reply: Reply);
}

/// What an agent serves.
#[derive(Clone)]
enum Implementation {
    Future(Arc<dyn Service>),
    Replying(Arc<dyn ReplyingService>),
}

/// The way back for the answer to one request: [`Reply::send`] writes it to the connection
/// the request came on, from whatever thread calls it. Dropped unanswered, it only frees the
/// request's place: the caller's timeout, or the end of the connection, fails the call.
pub struct Reply {
    outgoing: Outgoing,
    id: u64,
    /// The request's place among those a connection runs at once.
    permit: OwnedSemaphorePermit,
}

impl Reply {
    /// Sends the answer.
    pub fn send(self, result: Result<Value, RemoteError>) {
        self.finish(Ok(result), When::Now);
    }

    fn finish(self, result: std::thread::Result<Result<Value, RemoteError>>, when: When) {
        answer(&self.outgoing, self.id, result, when);
        drop(self.permit);
    }
}

/// Fires events to every proxy connected to an agent. Cheap to clone.
#[derive(Clone)]
pub struct Events(broadcast::Sender<(String, Vec<Value>)>);

impl Events {
    /// Sends event `name` with `args` to every proxy connected now. A proxy that has
    /// fallen more than 1,024 events behind misses the oldest.
    pub fn fire(&self, name: &str, args: Vec<Value>) {
        let _ = self.0.send((name.to_string(), args));
    }
}

/// An agent for one interface.
pub struct Agent {
    interface: String,
    fingerprint: String,
    options: Options,
    events: Events,
}

impl Agent {
    pub fn new(interface: &str, fingerprint: &str, options: Options) -> Agent {
        let (events, _) = broadcast::channel(1024);
        Agent {
            interface: interface.to_string(),
            fingerprint: fingerprint.to_string(),
            options,
            events: Events(events),
        }
    }

    /// The handle that fires this agent's events.
    pub fn events(&self) -> Events {
        self.events.clone()
    }

    /// Serves `service` to every proxy that connects to `listener`, until the task running
    /// this is dropped.
    ///
    /// # Errors
    /// Only if the listener itself fails; a failing connection ends only that connection.
    pub async fn serve(self, listener: TcpListener, service: Arc<dyn Service>) -> std::io::Result<()> {
        self.serve_implementation(listener, Implementation::Future(service)).await
    }

    /// Serves `service` as [`Agent::serve`] does, for an implementation that answers each
    /// request through its [`Reply`].
    ///
    /// # Errors
    /// As [`Agent::serve`].
    pub async fn serve_replying(self, listener: TcpListener, service: Arc<dyn ReplyingService>) -> std::io::Result<()> {
        self.serve_implementation(listener, Implementation::Replying(service)).await
    }

    async fn serve_implementation(self, listener: TcpListener, service: Implementation) -> std::io::Result<()> {
        let agent = Arc::new(self);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: this connection is lost, the agent goes on.
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => return Err(e),
            };
            let (agent, service) = (agent.clone(), service.clone());
            tokio::spawn(async move {
                let (reader, outgoing, writer) = split(stream, agent.options.max_frame);
                agent.converse(reader, outgoing, service).await;
                writer.wait().await;
            });
        }
    }

    /// One proxy's connection, from the handshake to its end.
    async fn converse(&self, mut reader: Reader, outgoing: Outgoing, service: Implementation) {
        let first = tokio::time::timeout(self.options.connect_timeout, read_message(&mut reader)).await;
        let refusal = match first {
            Err(_) => return, // silent peer: its connection closes
            Ok(Ok(Some(hello))) => self.check_hello(hello),
            Ok(Ok(None)) => return,
            Ok(Err(e)) => {
                Some(format!("this is a Tau agent for {}, and the handshake was not one: {e}", self.interface))
            }
        };
        if let Some(reason) = refusal {
            let _ = outgoing.send(&Message::Refused { reason }, When::Now);
            return;
        }
        let _ = outgoing.send(&Message::Welcome { version: VERSION }, When::Now);
        let mut events = self.events.0.subscribe();
        let in_flight = Arc::new(Semaphore::new(self.options.max_in_flight));
        loop {
            let permit = match in_flight.clone().try_acquire_owned() {
                Ok(permit) => permit,
                Err(_) => {
                    // Waiting for a call to finish: what is held back goes out first.
                    outgoing.flush();
                    in_flight.clone().acquire_owned().await.expect("the semaphore is never closed")
                }
            };
            tokio::select! {
                message = read_message(&mut reader) => {
                    let (id, request) = match message {
                        Ok(Some(Message::Call { id, member, args })) => (id, Request::Call { member, args }),
                        Ok(Some(Message::Get { id, property })) => (id, Request::Get { property }),
                        Ok(Some(Message::Set { id, property, value })) => (id, Request::Set { property, value }),
                        // Anything else — the end, garbage, a message only an agent sends —
                        // ends this connection.
                        _ => return,
                    };
                    let more = whole_frame_buffered(&reader);
                    let reply = Reply { outgoing: outgoing.clone(), id, permit };
                    start(&service, request, reply, more).await;
                    if !more {
                        outgoing.flush();
                    }
                }
                event = events.recv() => {
                    drop(permit);
                    match event {
                        Ok((name, args)) => { let _ = outgoing.send(&Message::Event { name, args }, When::Now); }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
        }
    }

    /// Why the handshake `hello` is refused, if it is.
    fn check_hello(&self, hello: Message) -> Option<String> {
        let Message::Hello { magic, version, interface, fingerprint, token } = hello else {
            return Some(format!("expected a handshake (Hello), got {}", hello.name()));
        };
        if magic != MAGIC {
            return Some(format!("this is a Tau agent for {}; the handshake's magic bytes are wrong", self.interface));
        }
        if version != VERSION {
            return Some(format!(
                "this agent speaks Tau protocol version {VERSION}; the proxy speaks version {version}"
            ));
        }
        if interface != self.interface {
            return Some(format!("this agent serves {}, not {interface}", self.interface));
        }
        if fingerprint != self.fingerprint {
            return Some(format!(
                "the proxy and the agent of {interface} were generated from different definitions \
                 (proxy fingerprint {fingerprint}, agent fingerprint {}): regenerate both from one .tau file",
                self.fingerprint
            ));
        }
        if self.options.token.is_some() && token != self.options.token {
            return Some("the agent requires a token, and the proxy's is missing or wrong".to_string());
        }
        None
    }
}

/// Starts answering `request`. Most calls of a [`Service`] finish at once: those are
/// answered here, without a task of their own (one task switch less per call), and while
/// `more` requests are already here their replies are held back to leave together. The
/// others continue as a task, so a slow call holds up nothing.
async fn start(service: &Implementation, request: Request, reply: Reply, more: bool) {
    match service {
        Implementation::Replying(service) => service.take(request, reply),
        Implementation::Future(service) => {
            let mut call = std::panic::AssertUnwindSafe(service.handle(request)).catch_unwind();
            match futures_util::poll!(&mut call) {
                Poll::Ready(result) => reply.finish(result, if more { When::WithNext } else { When::Now }),
                Poll::Pending => {
                    tokio::spawn(async move { reply.finish(call.await, When::Now) });
                }
            }
        }
    }
}

/// Sends the reply to request `id`: its value, its error, or news of a panic.
fn answer(outgoing: &Outgoing, id: u64, result: std::thread::Result<Result<Value, RemoteError>>, when: When) {
    let reply = match result {
        Ok(Ok(value)) => Message::Reply { id, value },
        Ok(Err(error)) => Message::Failed { id, error },
        Err(_) => Message::Failed { id, error: RemoteError::new("internal", "the agent's implementation panicked") },
    };
    if let Err(e) = outgoing.send(&reply, when) {
        let error = RemoteError::new("remote", format!("the reply {e}"));
        let _ = outgoing.send(&Message::Failed { id, error }, when);
    }
}

/// Accept errors that concern one incoming connection, not the listener.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock)
        || e.raw_os_error().is_some_and(|code| code == 24 || code == 23) // EMFILE, ENFILE
}
