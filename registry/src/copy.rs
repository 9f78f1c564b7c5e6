//! Copies of values: `new` (shallow) and `clone` (deep, iterative, keeping cycles and
//! sharing).

use rustc_hash::FxHashMap;

use crate::object::{Code, Object};
use crate::registry::Registry;
use crate::value::Value;

impl<C: Code> Registry<C> {
    /// `new`: a fresh array or map with the same elements; other values are returned as
    /// they are (strings are immutable, continuations are shared).
    pub fn shallow_copy(&mut self, value: Value) -> Value {
        match value {
            Value::Array(h) => {
                let items = self.array(h).cloned().unwrap_or_default();
                self.note_work(items.len());
                self.new_array(items)
            }
            Value::Map(h) => {
                let map = self.map(h).cloned().unwrap_or_default();
                self.note_work(map.len());
                self.new_map(map)
            }
            other => other,
        }
    }

    /// `clone`: a deep copy of arrays and maps. Shared sub-containers stay shared in the
    /// copy and cycles are reproduced; everything else is shared as in
    /// [`Registry::shallow_copy`].
    pub fn deep_clone(&mut self, value: Value) -> Value {
        let mut copies: FxHashMap<gc::Handle, Value> = FxHashMap::default();
        let mut todo: Vec<(gc::Handle, Value)> = Vec::new();
        let root = self.copy_shell(value, &mut copies, &mut todo);
        while let Some((original, copy)) = todo.pop() {
            match self.object(original) {
                Ok(Object::Array(items)) => {
                    self.note_work(1 + items.len());
                    let mut items = items.clone();
                    for item in &mut items {
                        *item = self.copy_shell(*item, &mut copies, &mut todo);
                    }
                    if let Value::Array(h) = copy {
                        let _ = self.array_fill(h, items);
                    }
                }
                Ok(Object::Map(map)) => {
                    self.note_work(1 + map.map().len());
                    let mut map = map.map().clone();
                    for item in map.values_mut() {
                        *item = self.copy_shell(*item, &mut copies, &mut todo);
                    }
                    if let Value::Map(h) = copy {
                        let _ = self.map_fill(h, map);
                    }
                }
                _ => {}
            }
        }
        root
    }

    /// The copy of `value`: an empty container registered for filling, or the value itself.
    fn copy_shell(
        &mut self,
        value: Value,
        copies: &mut FxHashMap<gc::Handle, Value>,
        todo: &mut Vec<(gc::Handle, Value)>,
    ) -> Value {
        let (Value::Array(h) | Value::Map(h)) = value else {
            return value;
        };
        if let Some(&copy) = copies.get(&h) {
            return copy;
        }
        let copy = match value {
            Value::Array(_) => self.new_array(Vec::new()),
            _ => self.new_map(Default::default()),
        };
        copies.insert(h, copy);
        todo.push((h, copy));
        copy
    }
}
