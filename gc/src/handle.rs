//! Handles: the only way to name an object in a [`crate::Heap`].

use std::fmt;
use std::num::NonZeroU32;

/// A reference to a heap slot: its index plus the generation the slot had when the object
/// was allocated. Freeing a slot bumps its generation, so an old handle to a reused slot is
/// recognised as stale instead of silently reaching the new occupant. Generations start at
/// 1, so `Option<Handle>` is as small as a handle.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle {
    index: u32,
    generation: NonZeroU32,
}

impl Handle {
    pub(crate) fn new(index: u32, generation: NonZeroU32) -> Handle {
        Handle { index, generation }
    }

    /// The slot index; unique among live objects, reused after a slot is freed.
    pub fn index(self) -> u32 {
        self.index
    }

    /// The generation of the slot when this handle was made.
    pub fn generation(self) -> u32 {
        self.generation.get()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.index, self.generation)
    }
}
