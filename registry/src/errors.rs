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
        write!(f, "internal error: handle {:?} does not name a live {}", self.handle, self.expected)
    }
}

impl std::error::Error for StaleHandle {}

/// Why a value cannot be used as a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyError {
    /// The type of the rejected value.
    pub type_name: &'static str,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} cannot be a map key (keys are strings, ints, bools or names)", self.type_name)
    }
}

impl std::error::Error for KeyError {}
