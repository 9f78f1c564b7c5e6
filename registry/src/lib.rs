//! Kai's object model: values, the heap objects they refer to, interned names, scopes and
//! native objects, all owned by one [`Registry`].
//!
//! A [`Value`] is a small `Copy` type: immediates (nil, bools, ints, floats, names) inline,
//! everything else a [`gc::Handle`] into the registry's heap. The registry is the only way
//! to reach a heap object; every change goes through one of its mutators, which pass the
//! collector's write barrier.
//!
//! The registry knows what values *are* (how they print, compare, copy and convert to map
//! keys) but not how code runs: compiled code is a type parameter (`C: Code`) supplied by the
//! executor, so this crate depends on `gc` alone.

mod compare;
mod copy;
mod display;
mod errors;
mod map;
mod name;
mod native;
mod object;
mod registry;
mod scope;
mod store;
mod string;
mod texts;
mod value;

pub use compare::Incomparable;
pub use display::{write_float, write_quoted};
pub use errors::{KeyError, StaleHandle, StoreError, a_type, counted};
pub use gc::{Handle, Stats, Stress, Tracer};
pub use map::{Field, Key, KeyRef, Map, MapObject};
pub use name::{Interner, Name};
pub use native::NativeObject;
pub use object::{Closure, Code, Object};
pub use registry::{Registry, Rooted};
pub use scope::{Globals, Scope};
pub use string::Str;
pub use value::Value;

#[cfg(test)]
mod tests;
