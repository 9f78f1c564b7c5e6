//! [`FieldGuesses`]: where a string key was last found in a map, so that reading or
//! assigning a record's field (`b.vx`, `b["vx"]`) usually costs one comparison instead of
//! hashing the key and probing the table.
//!
//! Records built alike (by one constructor, or one map literal) hold their keys in the same
//! order, so the index a key had in one map is right for the next. The guesses are keyed
//! by the key string's handle: a field name in the code is one constant string, the same
//! handle at every run of that code. A guess is only a hint, checked against the entry
//! before it is used (`Registry::map_field`), so a wrong or stale one costs a
//! lookup, never a wrong answer.
//!
//! A guess also keeps the address of the key string's shared text, when it has one (string
//! constants do, and all constants of one text share it: `Registry::new_constant_str`).
//! The keys of records built from constants are that same text, so the check is one
//! comparison of addresses. The address is only used while the guess's key handle is the
//! one being looked up, that is, while the string holding the text is alive.

use gc::Handle;

/// How many guesses are kept (a power of two); a key's slot is its handle's index modulo.
const SLOTS: usize = 256;

/// One guess: for key string `key`, the index it was last found at and what
/// [`FieldGuesses::guess`] gives as its text's address.
#[derive(Clone, Copy, Default)]
struct Guess {
    key: Option<Handle>,
    index: u32,
    address: usize,
}

/// A direct-mapped table of guessed map indexes.
pub(crate) struct FieldGuesses {
    slots: Box<[Guess; SLOTS]>,
}

impl Default for FieldGuesses {
    fn default() -> Self {
        FieldGuesses { slots: Box::new([Guess::default(); SLOTS]) }
    }
}

impl FieldGuesses {
    /// The index key string `key` was last found at (0 if none was learned yet; another
    /// key's index if that key took the slot since), and the address of its shared text:
    /// 0 if this guess was not learned for `key`, [`registry::Field::UNSHARED`] if `key`
    /// holds no shared text. Neither equals a key's address.
    #[inline(always)]
    pub(crate) fn guess(&self, key: Handle) -> (usize, usize) {
        let guess = &self.slots[key.index() as usize % SLOTS];
        (guess.index as usize, if guess.key == Some(key) { guess.address } else { 0 })
    }

    /// Remembers that `key`, whose text is at `address` (as [`registry::Field`] gives it),
    /// was found at `index`.
    #[inline(always)]
    pub(crate) fn learn(&mut self, key: Handle, index: usize, address: usize) {
        self.slots[key.index() as usize % SLOTS] = Guess { key: Some(key), index: index as u32, address };
    }
}
