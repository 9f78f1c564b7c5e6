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

/// A string key's entry in a map, as [`crate::Registry::map_field`] finds it.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Where the key is in the map.
    pub index: usize,
    /// Its value there.
    pub value: Value,
    /// The [`crate::Str::shared_address`] of the key string, or [`Field::UNSHARED`].
    pub address: usize,
}

impl Field {
    /// The address given for a key string that holds no shared text: no text is at
    /// address 1 (an `Rc` is aligned), so it never matches a key's, and it is not 0, the
    /// address a caller passes when it knows none.
    pub const UNSHARED: usize = 1;
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

impl Key {
    /// Bytes the key owns outside the map's own table (a string key's text).
    pub fn heap_bytes(&self) -> usize {
        match self {
            // The text and the reference counts before it.
            Key::Str(s) => s.len() + 2 * std::mem::size_of::<usize>(),
            Key::Bool(_) | Key::Int(_) | Key::Name(_) => 0,
        }
    }
}

/// A map as the heap holds it: the [`Map`] plus the bytes its keys own, kept up to date by
/// every change so that the heap accounting (and the heap limit) sees keys as it sees
/// string values.
#[derive(Default)]
pub struct MapObject {
    map: Map,
    key_bytes: usize,
}

impl MapObject {
    /// Holds `map`.
    pub fn new(map: Map) -> MapObject {
        let key_bytes = map.keys().map(Key::heap_bytes).sum();
        MapObject { map, key_bytes }
    }

    /// The map.
    #[inline]
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Bytes owned outside the object: the table (entries and index) and the keys.
    pub fn heap_bytes(&self) -> usize {
        // An entry is a hash, a key and a value; the index adds a word and a control byte.
        const ENTRY: usize = 8 + std::mem::size_of::<Key>() + std::mem::size_of::<Value>();
        std::mem::size_of::<MapObject>() + self.map.capacity() * (ENTRY + 9) + self.key_bytes
    }

    /// Binds `key`; the value it replaced.
    pub(crate) fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        let bytes = key.heap_bytes();
        let (_, old) = self.map.insert_full(key, value);
        if old.is_none() {
            self.key_bytes += bytes;
        }
        old
    }

    /// Replaces the value of entry `index`; whether there is one.
    pub(crate) fn set_at(&mut self, index: usize, value: Value) -> bool {
        self.map.get_index_mut(index).map(|(_, slot)| *slot = value).is_some()
    }

    /// Removes `key`, keeping the order of the others; the value it had.
    pub(crate) fn remove(&mut self, key: KeyRef<'_>) -> Option<Value> {
        let (_, key, value) = self.map.shift_remove_full(&key)?;
        self.key_bytes -= key.heap_bytes();
        Some(value)
    }

    /// Makes room for `more` entries, or fails if memory is short.
    pub(crate) fn try_reserve(&mut self, more: usize) -> Result<(), indexmap::TryReserveError> {
        self.map.try_reserve(more)
    }
}
