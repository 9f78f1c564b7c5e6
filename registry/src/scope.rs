//! Variable scopes: heap [`Scope`]s captured by closures, and the [`Globals`] table.

use smallvec::SmallVec;

use crate::name::Name;
use crate::value::Value;

/// A local scope captured by a closure: its own bindings plus the scope it is nested in
/// (`None` means the global scope). Lookups walk outward through `parent`.
#[derive(Debug, Default)]
pub struct Scope {
    pub parent: Option<gc::Handle>,
    pub vars: SmallVec<[(Name, Value); 2]>,
}

impl Scope {
    /// A scope with no bindings, nested in `parent`.
    pub fn new(parent: Option<gc::Handle>) -> Scope {
        Scope { parent, vars: SmallVec::new() }
    }

    /// The value bound to `name` in this scope alone.
    #[inline]
    pub fn get(&self, name: Name) -> Option<Value> {
        self.vars.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }

    /// The binding of `name` in this scope alone.
    #[inline]
    pub fn get_mut(&mut self, name: Name) -> Option<&mut Value> {
        self.vars.iter_mut().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Binds `name` in this scope, replacing an existing binding.
    pub fn declare(&mut self, name: Name, value: Value) {
        match self.get_mut(name) {
            Some(slot) => *slot = value,
            None => self.vars.push((name, value)),
        }
    }

    /// Removes the binding of `name`; whether there was one.
    pub fn remove(&mut self, name: Name) -> bool {
        match self.vars.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                self.vars.remove(i);
                true
            }
            None => false,
        }
    }
}

/// The global scope: a table indexed by [`Name::index`], so a global lookup is one indexed
/// load with no hashing. Globals are roots of the collector.
#[derive(Debug, Default)]
pub struct Globals {
    slots: Vec<Option<Value>>,
}

impl Globals {
    /// The value bound to `name`, if any.
    #[inline]
    pub fn get(&self, name: Name) -> Option<Value> {
        self.slots.get(name.index()).copied().flatten()
    }

    /// Binds `name`.
    pub fn set(&mut self, name: Name, value: Value) {
        let i = name.index();
        if i >= self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        self.slots[i] = Some(value);
    }

    /// Replaces the value of `name` if it is bound; whether it was.
    #[inline]
    pub fn replace(&mut self, name: Name, value: Value) -> bool {
        match self.slots.get_mut(name.index()) {
            Some(slot @ Some(_)) => {
                *slot = Some(value);
                true
            }
            _ => false,
        }
    }

    /// Removes the binding of `name`; whether there was one.
    pub fn remove(&mut self, name: Name) -> bool {
        self.slots.get_mut(name.index()).and_then(Option::take).is_some()
    }

    /// Every bound global, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (Name, Value)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, v)| v.map(|v| (Name::from_index(i), v)))
    }

    /// Removes every binding.
    pub fn clear(&mut self) {
        self.slots.clear();
    }
}
