//! The calling side of an interface. One connection carries any number of calls at once
//! (each request has an id, replies come back in any order); every call has a timeout; a
//! lost connection fails every pending call at once; events run their handlers as tasks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::sync::oneshot;

use super::frames::{Outgoing, Reader, When, read_message, split};
use super::{CallError, Options};
use crate::wire::{MAGIC, Message, VERSION, Value};

type Handler = Arc<dyn Fn(Vec<Value>) + Send + Sync>;
type Reply = oneshot::Sender<Result<Value, CallError>>;

/// A connection to an agent serving one interface.
pub struct Proxy {
    shared: Arc<Shared>,
    outgoing: Outgoing,
    options: Options,
}

struct Shared {
    /// The interface's qualified name, for messages.
    interface: String,
    next_id: AtomicU64,
    pending: Mutex<Pending>,
    handlers: Mutex<HashMap<String, Vec<Handler>>>,
}

/// The calls waiting for a reply, and once the connection is gone, why: both under one
/// lock, so that no call can start waiting after the last reply was given out.
struct Pending {
    waiting: HashMap<u64, Reply>,
    closed: Option<String>,
}

impl Proxy {
    /// Connects to the agent at `addr` and shakes hands: the agent must serve `interface`
    /// with the same `fingerprint` (built from the same definition) and accept the token.
    ///
    /// # Errors
    /// [`CallError::Timeout`] when connecting or the handshake takes longer than the
    /// connect timeout, [`CallError::Closed`] when the agent cannot be reached, and
    /// [`CallError::Refused`] when it refuses.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        interface: &str,
        fingerprint: &str,
        options: Options,
    ) -> Result<Proxy, CallError> {
        let limit = options.connect_timeout;
        let timed_out =
            || CallError::Timeout(format!("connecting to the {interface} agent took longer than {limit:?}"));
        let stream = tokio::time::timeout(limit, TcpStream::connect(addr))
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| CallError::Closed(format!("cannot connect to the {interface} agent: {e}")))?;
        let (mut reader, outgoing, _writer) = split(stream, options.max_frame);
        let hello = Message::Hello {
            magic: MAGIC,
            version: VERSION,
            interface: interface.to_string(),
            fingerprint: fingerprint.to_string(),
            token: options.token.clone(),
        };
        outgoing.send(&hello, When::Now).map_err(|e| CallError::Refused(format!("the handshake {e}")))?;
        let answer = tokio::time::timeout(limit, read_message(&mut reader)).await.map_err(|_| timed_out())?;
        match answer {
            Ok(Some(Message::Welcome { .. })) => {}
            Ok(Some(Message::Refused { reason })) => return Err(CallError::Refused(reason)),
            Ok(Some(other)) => {
                return Err(CallError::Refused(format!("the agent answered the handshake with {}", other.name())));
            }
            Ok(None) => {
                return Err(CallError::Closed(format!(
                    "the {interface} agent closed the connection during the handshake"
                )));
            }
            Err(e) => return Err(CallError::Refused(format!("the peer does not speak Tau: {e}"))),
        }
        let shared = Arc::new(Shared {
            interface: interface.to_string(),
            next_id: AtomicU64::new(1),
            pending: Mutex::new(Pending { waiting: HashMap::new(), closed: None }),
            handlers: Mutex::new(HashMap::new()),
        });
        tokio::spawn(read_replies(reader, shared.clone()));
        Ok(Proxy { shared, outgoing, options })
    }

    /// Calls method `member` with `args` and waits for its result.
    ///
    /// # Errors
    /// The agent's error, a timeout, or a closed connection.
    pub async fn call(&self, member: &str, args: Vec<Value>) -> Result<Value, CallError> {
        self.send_call(member, args)?.reply().await
    }

    /// Reads property `property`.
    ///
    /// # Errors
    /// As [`Proxy::call`].
    pub async fn get(&self, property: &str) -> Result<Value, CallError> {
        self.send_get(property)?.reply().await
    }

    /// Writes property `property`.
    ///
    /// # Errors
    /// As [`Proxy::call`].
    pub async fn set(&self, property: &str, value: Value) -> Result<(), CallError> {
        self.send_set(property, value)?.reply().await.map(drop)
    }

    /// Sends a call of method `member`, at once and from this thread (no task switch before
    /// it leaves), without waiting for the reply: [`Sent::reply`] waits for it.
    ///
    /// # Errors
    /// A closed connection, or a call too large for a frame.
    pub fn send_call(&self, member: &str, args: Vec<Value>) -> Result<Sent, CallError> {
        self.send(member, |id| Message::Call { id, member: member.to_string(), args })
    }

    /// Sends a read of property `property`, as [`Proxy::send_call`] does.
    ///
    /// # Errors
    /// As [`Proxy::send_call`].
    pub fn send_get(&self, property: &str) -> Result<Sent, CallError> {
        self.send(property, |id| Message::Get { id, property: property.to_string() })
    }

    /// Sends a write of property `property`, as [`Proxy::send_call`] does.
    ///
    /// # Errors
    /// As [`Proxy::send_call`].
    pub fn send_set(&self, property: &str, value: Value) -> Result<Sent, CallError> {
        self.send(property, |id| Message::Set { id, property: property.to_string(), value })
    }

    /// Runs `handler` with the arguments of every `event` the agent fires from now on, each
    /// time as its own task.
    pub fn on(&self, event: &str, handler: impl Fn(Vec<Value>) + Send + Sync + 'static) {
        let mut handlers = self.shared.handlers.lock().expect("handlers lock");
        handlers.entry(event.to_string()).or_default().push(Arc::new(handler));
    }

    /// Whether no call is waiting for its reply.
    pub fn is_idle(&self) -> bool {
        self.shared.pending.lock().expect("pending lock").waiting.is_empty()
    }

    /// Whether the connection is gone (every call now fails at once).
    pub fn is_closed(&self) -> bool {
        self.shared.pending.lock().expect("pending lock").closed.is_some()
    }

    fn send(&self, member: &str, message: impl FnOnce(u64) -> Message) -> Result<Sent, CallError> {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        let alone = {
            let mut pending = self.shared.pending.lock().expect("pending lock");
            if let Some(why) = &pending.closed {
                return Err(CallError::Closed(why.clone()));
            }
            pending.waiting.insert(id, reply);
            pending.waiting.len() == 1
        };
        // The only call in flight is written at once (the round trip is its latency); among
        // many, the writer task gathers the calls into fewer, larger writes.
        let when = if alone { When::Now } else { When::ByWriter };
        if let Err(e) = self.outgoing.send(&message(id), when) {
            self.shared.pending.lock().expect("pending lock").waiting.remove(&id);
            let interface = &self.shared.interface;
            return Err(CallError::Refused(format!("{interface}.{member} was not sent: the call {e}")));
        }
        let (shared, member) = (self.shared.clone(), member.to_string());
        Ok(Sent { id, answer, shared, timeout: self.options.call_timeout, member })
    }
}

/// A request on its way: the agent's reply is still to come.
pub struct Sent {
    id: u64,
    answer: oneshot::Receiver<Result<Value, CallError>>,
    shared: Arc<Shared>,
    timeout: std::time::Duration,
    member: String,
}

impl Sent {
    /// Waits for the reply, at most the proxy's call timeout.
    ///
    /// # Errors
    /// The agent's error, a timeout, or a closed connection.
    pub async fn reply(self) -> Result<Value, CallError> {
        match tokio::time::timeout(self.timeout, self.answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => {
                Err(CallError::Closed(format!("the connection to the {} agent was dropped", self.shared.interface)))
            }
            Err(_) => {
                self.shared.pending.lock().expect("pending lock").waiting.remove(&self.id);
                let (interface, member, limit) = (&self.shared.interface, &self.member, self.timeout);
                Err(CallError::Timeout(format!("{interface}.{member} got no reply within {limit:?}")))
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // The writer task ends when the last sender goes, and closes the connection; the
        // reader then sees the end and stops.
        self.shared.pending.lock().expect("pending lock").closed.get_or_insert_with(|| "the proxy was dropped".into());
    }
}

/// Hands replies to their callers and events to their handlers until the connection ends,
/// then fails every call still waiting.
async fn read_replies(mut reader: Reader, shared: Arc<Shared>) {
    let interface = &shared.interface;
    let why = loop {
        match read_message(&mut reader).await {
            Ok(Some(Message::Reply { id, value })) => answer(&shared, id, Ok(value)),
            Ok(Some(Message::Failed { id, error })) => answer(&shared, id, Err(CallError::Remote(error))),
            Ok(Some(Message::Event { name, args })) => {
                let handlers = shared.handlers.lock().expect("handlers lock").get(&name).cloned().unwrap_or_default();
                for handler in handlers {
                    let args = args.clone();
                    tokio::spawn(async move { handler(args) });
                }
            }
            Ok(Some(other)) => break format!("the {interface} agent sent {} after the handshake", other.name()),
            Ok(None) => break format!("the {interface} agent closed the connection"),
            Err(e) => break format!("the connection to the {interface} agent was lost: {e}"),
        }
    };
    let waiting = {
        let mut pending = shared.pending.lock().expect("pending lock");
        pending.closed.get_or_insert(why.clone());
        std::mem::take(&mut pending.waiting)
    };
    for (_, reply) in waiting {
        let _ = reply.send(Err(CallError::Closed(why.clone())));
    }
}

fn answer(shared: &Shared, id: u64, result: Result<Value, CallError>) {
    // A reply for a call that timed out meanwhile has no one waiting: dropped.
    if let Some(reply) = shared.pending.lock().expect("pending lock").waiting.remove(&id) {
        let _ = reply.send(result);
    }
}
