//! [`Map`] and its [`Key`]s.

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use crate::name::Name;
use crate::value::Value;

/// A map key. Keys are compared by content: two strings with the same text are the same key
/// whichever objects they came from. Keys hold no handles, so they need no tracing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Name(Name),
    Str(Rc<str>),
}

/// An insertion-ordered map from [`Key`] to [`Value`].
pub type Map = IndexMap<Key, Value, FxBuildHasher>;
