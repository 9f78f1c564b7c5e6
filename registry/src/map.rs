//! [`Map`], its [`Key`]s, and [`KeyRef`] for looking a key up without allocating it.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::{Equivalent, IndexMap};
use rustc_hash::FxBuildHasher;

use crate::name::Name;
use crate::value::Value;

/// A map key. Keys are compared by content: two strings with the same text are the same key
/// whichever objects they came from. Keys hold no handles, so they need no tracing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Name(Name),
    Str(Rc<str>),
}

/// A borrowed map key: what lookups use, so that reading `m["word"]` allocates nothing. It
/// hashes and compares exactly as the [`Key`] it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    Bool(bool),
    Int(i64),
    Name(Name),
    Str(&'a str),
}

impl KeyRef<'_> {
    /// The owned key.
    pub fn to_key(self) -> Key {
        match self {
            KeyRef::Bool(b) => Key::Bool(b),
            KeyRef::Int(i) => Key::Int(i),
            KeyRef::Name(n) => Key::Name(n),
            KeyRef::Str(s) => Key::Str(Rc::from(s)),
        }
    }
}

impl Key {
    /// The borrowed form of this key.
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            Key::Bool(b) => KeyRef::Bool(*b),
            Key::Int(i) => KeyRef::Int(*i),
            Key::Name(n) => KeyRef::Name(*n),
            Key::Str(s) => KeyRef::Str(s),
        }
    }
}

/// One hash for both forms: a tag byte, then the content.
fn hash_key<H: Hasher>(key: KeyRef<'_>, state: &mut H) {
    match key {
        KeyRef::Bool(b) => {
            state.write_u8(0);
            b.hash(state);
        }
        KeyRef::Int(i) => {
            state.write_u8(1);
            i.hash(state);
        }
        KeyRef::Name(n) => {
            state.write_u8(2);
            n.hash(state);
        }
        KeyRef::Str(s) => {
            state.write_u8(3);
            s.hash(state);
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(self.as_ref(), state);
    }
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(*self, state);
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        *self == key.as_ref()
    }
}

/// An insertion-ordered map from [`Key`] to [`Value`].
pub type Map = IndexMap<Key, Value, FxBuildHasher>;
