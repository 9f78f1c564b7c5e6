//! Interned names: `'foo` literals, variable names and map keys of type name.

use std::num::NonZeroU32;
use std::rc::Rc;

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

/// An interned identifier. Two names are equal exactly when their text is; comparing or
/// hashing a `Name` never touches the text. The id also indexes the global-variable table.
/// (Stored as index + 1, so that `Option<Name>` is as small as a name.)
///
/// Outside a VM, in portable code, a name is an index into that code's own name table
/// (serialized as its id; an id of 0 does not deserialize).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Name(NonZeroU32);

impl Name {
    /// The dense index of this name (0, 1, 2, … in order of first interning).
    #[inline]
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    /// The name with dense index `index`: the interner's, or a portable code unit's own.
    ///
    /// # Panics
    /// If `index` is 2^32 - 1 or more.
    pub fn from_index(index: usize) -> Name {
        let id = u32::try_from(index + 1).ok().and_then(NonZeroU32::new).expect("more than 2^32 - 1 names");
        Name(id)
    }
}

/// The table of interned names. Names are never freed: programs use a bounded set of them.
#[derive(Default)]
pub struct Interner {
    names: IndexSet<Rc<str>, FxBuildHasher>,
}

impl Interner {
    /// The name for `text`, interning it on first use.
    pub fn intern(&mut self, text: &str) -> Name {
        if let Some(index) = self.names.get_index_of(text) {
            return Name::from_index(index);
        }
        let (index, _) = self.names.insert_full(Rc::from(text));
        Name::from_index(index)
    }

    /// The name for `text` if it was ever interned.
    pub fn lookup(&self, text: &str) -> Option<Name> {
        self.names.get_index_of(text).map(Name::from_index)
    }

    /// The text of `name`.
    pub fn text(&self, name: Name) -> &str {
        &self.names[name.index()]
    }

    /// The shared text of `name`.
    pub fn text_rc(&self, name: Name) -> Rc<str> {
        self.names[name.index()].clone()
    }

    /// How many names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every interned name, in order of first interning.
    pub fn iter(&self) -> impl Iterator<Item = (Name, &str)> {
        self.names.iter().enumerate().map(|(i, s)| (Name::from_index(i), &**s))
    }
}
