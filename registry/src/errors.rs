//! Errors the registry reports; the executor turns them into Kai error values.

use std::fmt;

use gc::Handle;

/// A handle that does not name a live object of the expected kind. Inside a correct VM this
/// cannot happen; the generation check turns such a bug into this error instead of reading
/// another object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleHandle {
    pub handle: Handle,
    pub expected: &'static str,
}

impl fmt::Display for StaleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "handle {:?} does not name a live {}", self.handle, self.expected)
    }
}

impl std::error::Error for StaleHandle {}

/// Why a change to a heap object was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The handle names no live object of the kind the change needs (a bug in the VM).
    Stale(StaleHandle),
    /// The object could not grow: the allocator refused `bytes` more.
    OutOfMemory { bytes: usize },
}

impl From<StaleHandle> for StoreError {
    fn from(stale: StaleHandle) -> StoreError {
        StoreError::Stale(stale)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Stale(stale) => stale.fmt(f),
            StoreError::OutOfMemory { bytes } => write!(f, "out of memory: could not allocate {bytes} more bytes"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Why a value cannot be used as a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyError {
    /// The type of the rejected value.
    pub type_name: &'static str,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cannot be a map key (keys are strings, ints, bools or names)", a_type(self.type_name))
    }
}

/// A type name with its article, for messages: "an int", "a string".
pub fn a_type(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

/// `count` and a noun, singular or plural: "1 argument", "2 arguments".
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

impl std::error::Error for KeyError {}
