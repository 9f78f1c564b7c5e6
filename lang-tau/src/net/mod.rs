//! The network runtime of Tau: a [`Proxy`] that calls an interface on a remote agent, and
//! an [`Agent`] that serves one, over TCP (tokio), one length-delimited frame per
//! [`crate::wire::Message`]. Generated Rust code is a typed layer over these two.
//!
//! - `frames`: framing, and the connection's writing side (direct writes and a writer task).
//! - `proxy`: the calling side: pipelined requests, timeouts, events.
//! - `agent`: the serving side: handshake checks, one task per call, events to every proxy.

mod agent;
mod frames;
mod proxy;

use std::time::Duration;

pub use agent::{Agent, Events, Reply, ReplyingService, Request, Service, ServiceFuture};
pub use proxy::{Proxy, Sent};

use crate::wire::RemoteError;

/// What both ends may tune. The defaults are what a proxy and an agent use unless told.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a call waits for its reply before failing with a timeout.
    pub call_timeout: Duration,
    /// How long connecting, and then the handshake, may take.
    pub connect_timeout: Duration,
    /// The largest frame either end accepts; a larger one closes the connection.
    pub max_frame: usize,
    /// A shared secret: a proxy sends it, and an agent given one refuses proxies without it.
    pub token: Option<String>,
    /// How many calls of one connection an agent runs at once; it reads no further
    /// requests from that connection until one finishes.
    pub max_in_flight: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            call_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            max_frame: 16 * 1024 * 1024,
            token: None,
            max_in_flight: 1024,
        }
    }
}

/// Why a call (or connecting) failed.
#[derive(Clone, Debug, PartialEq)]
pub enum CallError {
    /// No reply within the call timeout.
    Timeout(String),
    /// The connection is closed or was lost; every call pending on it fails with this.
    Closed(String),
    /// The agent raised an error.
    Remote(RemoteError),
    /// The agent refused the handshake (another interface or version, or a bad token), or
    /// the other end does not speak Tau.
    Refused(String),
    /// An argument or result does not have the type the interface gives it.
    Type(String),
}

impl CallError {
    /// The Kai error kind this failure is raised as in Rho and Pi.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Timeout(_) => "timeout",
            CallError::Closed(_) => "closed",
            CallError::Remote(_) | CallError::Refused(_) => "remote",
            CallError::Type(_) => "type",
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Timeout(m) | CallError::Closed(m) | CallError::Refused(m) | CallError::Type(m) => f.write_str(m),
            CallError::Remote(e) => write!(f, "the agent raised a {} error: {}", e.kind, e.message),
        }
    }
}

impl std::error::Error for CallError {}
