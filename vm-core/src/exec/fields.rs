//! [`FieldGuesses`]: where a string key was last found in a map, so that reading or
//! assigning a record's field (`b.vx`, `b["vx"]`) usually costs one comparison instead of
//! hashing the key and probing the table.
//!
//! Records built alike (by one constructor, or one map literal) hold their keys in the same
//! order, so the index a key had in one map is right for the next. The guesses are keyed
//! by the key string's handle: a field name in the code is one constant string, the same
//! handle at every run of that code. A guess is only a hint, checked against the entry
//! before it is used (`Registry::map_entry_guessed`), so a wrong or stale one costs a
//! lookup, never a wrong answer.

use gc::Handle;

/// How many guesses are kept (a power of two); a key's slot is its handle's index modulo.
const SLOTS: usize = 256;

/// A direct-mapped table of guessed map indexes.
pub(crate) struct FieldGuesses {
    slots: Box<[u32; SLOTS]>,
}

impl Default for FieldGuesses {
    fn default() -> Self {
        FieldGuesses { slots: Box::new([0; SLOTS]) }
    }
}

impl FieldGuesses {
    /// The index key `key` was last found at (0 if none was learned yet).
    #[inline(always)]
    pub(crate) fn guess(&self, key: Handle) -> usize {
        self.slots[key.index() as usize % SLOTS] as usize
    }

    /// Remembers that `key` was found at `index`.
    #[inline(always)]
    pub(crate) fn learn(&mut self, key: Handle, index: usize) {
        self.slots[key.index() as usize % SLOTS] = index as u32;
    }
}
