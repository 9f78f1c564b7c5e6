//! Interned names: `'foo` literals, variable names and map keys of type name.

use std::rc::Rc;

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

/// An interned identifier. Two names are equal exactly when their text is; comparing or
/// hashing a `Name` never touches the text. The id also indexes the global-variable table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Name(u32);

impl Name {
    /// The dense index of this name (0, 1, 2, … in order of first interning).
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(index: usize) -> Name {
        Name(index as u32)
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
            return Name(index as u32);
        }
        let (index, _) = self.names.insert_full(Rc::from(text));
        Name(u32::try_from(index).expect("more than 2^32 names"))
    }

    /// The name for `text` if it was ever interned.
    pub fn lookup(&self, text: &str) -> Option<Name> {
        self.names.get_index_of(text).map(|i| Name(i as u32))
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
        self.names.iter().enumerate().map(|(i, s)| (Name(i as u32), &**s))
    }
}
