//! The wire format of Tau calls (docs/tau-protocol.md is its description for people):
//! the [`Message`]s a proxy and an agent exchange, the dynamic [`Value`] every Tau type is
//! carried as, and their encoding with bincode 2 (standard configuration) inside one frame.
//!
//! A value travels flattened, as the list of its nodes in prefix order, so that neither
//! encoding nor decoding recurses: a hostile frame of a million nested arrays is refused
//! with an error ([`MAX_DEPTH`]) instead of overflowing the stack.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The first bytes of every handshake.
pub const MAGIC: [u8; 4] = *b"KTAU";
/// The protocol version this build speaks.
pub const VERSION: u16 = 1;
/// How deeply a value may nest (arrays, maps and structs inside each other).
pub const MAX_DEPTH: usize = 256;

/// A value of any Tau type. Structs are their fields in declaration order and enums their
/// int value: both ends know the definitions (the handshake checks they are the same).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Void,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Struct(Vec<Value>),
    Enum(i64),
}

impl Value {
    /// The value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Void => "void",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Struct(_) => "struct",
            Value::Enum(_) => "enum",
        }
    }
}

/// An error raised by the other end, as it travels: its kind (one of Kai's error kinds,
/// such as `type` or `user`), its message, and the trace where it was raised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteError {
    pub kind: String,
    pub message: String,
    pub trace: Vec<String>,
}

impl RemoteError {
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> RemoteError {
        RemoteError { kind: kind.into(), message: message.into(), trace: Vec::new() }
    }
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

/// One frame's content. The variant order is the wire's variant index: never reorder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// Proxy → agent, first: what the proxy was built for.
    Hello { magic: [u8; 4], version: u16, interface: String, fingerprint: String, token: Option<String> },
    /// Agent → proxy: the handshake is accepted; calls may follow.
    Welcome { version: u16 },
    /// Agent → proxy: the handshake is refused, and why; the agent then closes.
    Refused { reason: String },
    /// Proxy → agent: call method `member`.
    Call { id: u64, member: String, args: Vec<Value> },
    /// Proxy → agent: read a property.
    Get { id: u64, property: String },
    /// Proxy → agent: write a property.
    Set { id: u64, property: String, value: Value },
    /// Agent → proxy: the request `id` returned `value` (`Void` for a method returning
    /// nothing and for a property written).
    Reply { id: u64, value: Value },
    /// Agent → proxy: the request `id` raised an error.
    Failed { id: u64, error: RemoteError },
    /// Agent → every proxy: an event fired.
    Event { name: String, args: Vec<Value> },
}

impl Message {
    /// The message's name, for error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "Hello",
            Message::Welcome { .. } => "Welcome",
            Message::Refused { .. } => "Refused",
            Message::Call { .. } => "Call",
            Message::Get { .. } => "Get",
            Message::Set { .. } => "Set",
            Message::Reply { .. } => "Reply",
            Message::Failed { .. } => "Failed",
            Message::Event { .. } => "Event",
        }
    }
}

/// Encodes a message as one frame's payload.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut payload = Vec::new();
    encode_into(message, &mut payload);
    payload
}

/// Appends a message's encoding (one frame's payload) to `out`.
pub fn encode_into(message: &Message, out: &mut Vec<u8>) {
    bincode::serde::encode_into_std_write(message, out, bincode::config::standard()).expect("a message always encodes");
}

/// Decodes one frame's payload.
///
/// # Errors
/// What is wrong with the bytes: not a message, a value nested too deeply, or bytes left
/// over after the message.
pub fn decode(payload: &[u8]) -> Result<Message, String> {
    let (message, used) = bincode::serde::decode_from_slice::<Message, _>(payload, bincode::config::standard())
        .map_err(|e| format!("a frame that is not a Tau message ({e})"))?;
    if used != payload.len() {
        return Err(format!("{} bytes after the message in its frame", payload.len() - used));
    }
    Ok(message)
}

/// One node of a flattened value: a leaf, or a container followed by its items' nodes.
#[derive(Serialize, Deserialize)]
enum Node {
    Void,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(u32),
    /// A map of this many entries: key and value nodes alternate.
    Map(u32),
    Struct(u32),
    Enum(i64),
}

fn flatten(value: &Value) -> Vec<Node> {
    let mut out = Vec::new();
    let mut pending = vec![value];
    while let Some(v) = pending.pop() {
        let count = |n: usize| u32::try_from(n).expect("a value too large for a frame");
        out.push(match v {
            Value::Void => Node::Void,
            Value::Bool(b) => Node::Bool(*b),
            Value::Int(i) => Node::Int(*i),
            Value::Float(f) => Node::Float(*f),
            Value::String(s) => Node::String(s.clone()),
            Value::Bytes(b) => Node::Bytes(b.clone()),
            Value::Enum(i) => Node::Enum(*i),
            Value::Array(items) | Value::Struct(items) => {
                pending.extend(items.iter().rev());
                if matches!(v, Value::Array(_)) {
                    Node::Array(count(items.len()))
                } else {
                    Node::Struct(count(items.len()))
                }
            }
            Value::Map(entries) => {
                pending.extend(entries.iter().rev().flat_map(|(k, v)| [v, k]));
                Node::Map(count(entries.len()))
            }
        });
    }
    out
}

/// Rebuilds a value from its nodes, refusing one nested deeper than [`MAX_DEPTH`].
fn rebuild(nodes: Vec<Node>) -> Result<Value, String> {
    enum Open {
        Array,
        Struct,
        Map,
    }
    // Containers being filled: what they are, how many items they still need, their items.
    let mut open: Vec<(Open, usize, Vec<Value>)> = Vec::new();
    let mut nodes = nodes.into_iter();
    loop {
        let node = nodes.next().ok_or("a value whose nodes end early")?;
        let mut done = match node {
            Node::Void => Value::Void,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::Float(f) => Value::Float(f),
            Node::String(s) => Value::String(s),
            Node::Bytes(b) => Value::Bytes(b),
            Node::Enum(i) => Value::Enum(i),
            Node::Array(n) | Node::Struct(n) | Node::Map(n) => {
                let (kind, items) = match node {
                    Node::Array(_) => (Open::Array, n as usize),
                    Node::Struct(_) => (Open::Struct, n as usize),
                    _ => (Open::Map, 2 * n as usize),
                };
                if open.len() == MAX_DEPTH {
                    return Err(format!("a value nested more than {MAX_DEPTH} levels deep"));
                }
                // Each item takes at least one node: a count beyond what is left is a lie.
                open.push((kind, items, Vec::with_capacity(items.min(nodes.len()))));
                match open.last() {
                    Some((_, 0, _)) => close(open.pop().expect("just pushed")),
                    _ => continue,
                }
            }
        };
        // Put the finished value into its container, closing every container it fills.
        loop {
            let Some((_, left, items)) = open.last_mut() else {
                return match nodes.next() {
                    None => Ok(done),
                    Some(_) => Err("nodes left over after a value".to_string()),
                };
            };
            items.push(done);
            *left -= 1;
            if *left > 0 {
                break;
            }
            done = close(open.pop().expect("a container is open"));
        }
    }

    fn close((kind, _, items): (Open, usize, Vec<Value>)) -> Value {
        match kind {
            Open::Array => Value::Array(items),
            Open::Struct => Value::Struct(items),
            Open::Map => {
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    entries.push((k, v));
                }
                Value::Map(entries)
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        flatten(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        rebuild(Vec::<Node>::deserialize(d)?).map_err(D::Error::custom)
    }
}
