//! Every change to a heap object. Each mutator names the handles it stores to the
//! collector's forward barrier ([`gc::Heap::get_mut_storing`]), grows the object only with
//! memory it could reserve (an allocation failure is an error, never an abort), and reports
//! how much the object grew or shrank, so no change can break the tri-colour invariant or
//! escape the heap accounting. (Native objects, whose changes the registry cannot see, go
//! through [`Registry::native_mut`] instead.)

use gc::{Handle, Trace};

use crate::errors::StoreError;
use crate::map::{Key, KeyRef, Map, MapObject};
use crate::name::Name;
use crate::object::{Code, Object};
use crate::registry::Registry;
use crate::value::Value;

/// Makes room for one more element of `items`, or says how much memory was refused.
fn reserve_one(items: &mut Vec<Value>) -> Result<(), StoreError> {
    if items.len() < items.capacity() {
        return Ok(());
    }
    let more = items.capacity().max(4);
    items.try_reserve(more).map_err(|_| StoreError::OutOfMemory { bytes: more * std::mem::size_of::<Value>() })
}

impl<C: Code> Registry<C> {
    /// Applies `change` to the object `handle` names; `change` gives `None` if the object
    /// is not of the kind it expects. The change stores no handle but those in `stored`; if
    /// `shifting`, it may move handles toward the front (a removal from the middle),
    /// otherwise it must not.
    fn apply<R>(
        &mut self,
        handle: Handle,
        stored: impl IntoIterator<Item = Handle>,
        shifting: bool,
        expected: &'static str,
        change: impl FnOnce(&mut Object<C>) -> Option<Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        let heap = self.heap_mut();
        let object =
            if shifting { heap.get_mut_shifting(handle, stored) } else { heap.get_mut_storing(handle, stored) };
        let outcome = match object {
            Some(object) => {
                let before = object.extra_bytes();
                change(object).map(|result| (result, before, object.extra_bytes()))
            }
            None => None,
        };
        let Some((result, before, after)) = outcome else {
            return Err(self.stale_access(handle, expected).into());
        };
        if after > before {
            self.heap_mut().note_growth(after - before);
        } else {
            self.heap_mut().note_shrink(before - after);
        }
        result
    }

    fn change<R>(
        &mut self,
        handle: Handle,
        stored: impl IntoIterator<Item = Handle>,
        expected: &'static str,
        change: impl FnOnce(&mut Object<C>) -> Option<Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        self.apply(handle, stored, false, expected, change)
    }

    /// As `change`, for a change that replaces values without growing or shrinking the
    /// object (an element or a field overwritten in place), so there is no size to account.
    #[inline(always)]
    fn change_in_place<R>(
        &mut self,
        handle: Handle,
        stored: Option<Handle>,
        expected: &'static str,
        change: impl FnOnce(&mut Object<C>) -> Option<R>,
    ) -> Result<R, StoreError> {
        match self.heap_mut().get_mut_storing(handle, stored).and_then(change) {
            Some(result) => Ok(result),
            None => Err(self.stale_access(handle, expected).into()),
        }
    }

    fn shift<R>(
        &mut self,
        handle: Handle,
        expected: &'static str,
        change: impl FnOnce(&mut Object<C>) -> Option<Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        self.apply(handle, None, true, expected, change)
    }

    /// Appends `value` to an array.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array or the array cannot grow.
    pub fn array_push(&mut self, handle: Handle, value: Value) -> Result<(), StoreError> {
        self.change(handle, value.handle(), "array", |object| match object {
            Object::Array(items) => Some(reserve_one(items).map(|()| items.push(value))),
            _ => None,
        })
    }

    /// Replaces element `index` of an array; whether the index was in range.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array.
    #[inline(always)]
    pub fn array_set(&mut self, handle: Handle, index: usize, value: Value) -> Result<bool, StoreError> {
        self.change_in_place(handle, value.handle(), "array", |object| match object {
            Object::Array(items) => Some(items.get_mut(index).map(|slot| *slot = value).is_some()),
            _ => None,
        })
    }

    /// Inserts `value` at `index` of an array (`index` may equal the length); whether the
    /// index was in range.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array or the array cannot grow.
    pub fn array_insert(&mut self, handle: Handle, index: usize, value: Value) -> Result<bool, StoreError> {
        self.change(handle, value.handle(), "array", |object| match object {
            Object::Array(items) if index <= items.len() => Some(reserve_one(items).map(|()| {
                items.insert(index, value);
                true
            })),
            Object::Array(_) => Some(Ok(false)),
            _ => None,
        })
    }

    /// Removes and returns the last element of an array.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array.
    pub fn array_pop(&mut self, handle: Handle) -> Result<Option<Value>, StoreError> {
        self.change(handle, None, "array", |object| match object {
            Object::Array(items) => Some(Ok(items.pop())),
            _ => None,
        })
    }

    /// Removes and returns element `index` of an array.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array.
    pub fn array_remove(&mut self, handle: Handle, index: usize) -> Result<Option<Value>, StoreError> {
        self.shift(handle, "array", |object| match object {
            Object::Array(items) => Some(Ok((index < items.len()).then(|| items.remove(index)))),
            _ => None,
        })
    }

    /// Replaces the whole contents of an array.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live array.
    pub fn array_fill(&mut self, handle: Handle, contents: Vec<Value>) -> Result<(), StoreError> {
        let stored: Vec<Handle> = contents.iter().filter_map(|v| v.handle()).collect();
        self.change(handle, stored, "array", |object| match object {
            Object::Array(items) => {
                *items = contents;
                Some(Ok(()))
            }
            _ => None,
        })
    }

    /// Binds `key` to `value` in a map; the value it replaced, if any.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live map or the map cannot grow.
    pub fn map_insert(&mut self, handle: Handle, key: Key, value: Value) -> Result<Option<Value>, StoreError> {
        self.change(handle, value.handle(), "map", |object| match object {
            Object::Map(map) => Some(
                map.try_reserve(1)
                    .map_err(|_| StoreError::OutOfMemory { bytes: map.heap_bytes() })
                    .map(|()| map.insert(key, value)),
            ),
            _ => None,
        })
    }

    /// Replaces the value of entry `index` of a map (as `Map::get_index_of` found it), so
    /// that assigning an existing key needs no owned key; whether the entry exists.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live map.
    #[inline(always)]
    pub fn map_set_at(&mut self, handle: Handle, index: usize, value: Value) -> Result<bool, StoreError> {
        self.change_in_place(handle, value.handle(), "map", |object| match object {
            Object::Map(map) => Some(map.set_at(index, value)),
            _ => None,
        })
    }

    /// Removes `key` from a map, keeping the order of the others; the value it had.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live map.
    pub fn map_remove(&mut self, handle: Handle, key: KeyRef<'_>) -> Result<Option<Value>, StoreError> {
        self.shift(handle, "map", |object| match object {
            Object::Map(map) => Some(Ok(map.remove(key))),
            _ => None,
        })
    }

    /// Replaces the whole contents of a map.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live map.
    pub fn map_fill(&mut self, handle: Handle, contents: Map) -> Result<(), StoreError> {
        let stored: Vec<Handle> = contents.values().filter_map(|v| v.handle()).collect();
        self.change(handle, stored, "map", |object| match object {
            Object::Map(map) => {
                **map = MapObject::new(contents);
                Some(Ok(()))
            }
            _ => None,
        })
    }

    /// Binds `name` in a scope, replacing an existing binding there.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live scope.
    pub fn scope_declare(&mut self, handle: Handle, name: Name, value: Value) -> Result<(), StoreError> {
        self.change(handle, value.handle(), "scope", |object| match object {
            Object::Scope(scope) => {
                scope.declare(name, value);
                Some(Ok(()))
            }
            _ => None,
        })
    }

    /// Removes the binding of `name` from a scope; whether there was one.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live scope.
    pub fn scope_remove(&mut self, handle: Handle, name: Name) -> Result<bool, StoreError> {
        self.shift(handle, "scope", |object| match object {
            Object::Scope(scope) => Some(Ok(scope.remove(name))),
            _ => None,
        })
    }

    /// Gives a continuation the name it is known by, unless it has one.
    ///
    /// # Errors
    /// [`StoreError`] if `handle` names no live continuation.
    pub fn closure_name(&mut self, handle: Handle, name: Name) -> Result<(), StoreError> {
        self.change(handle, None, "continuation", |object| match object {
            Object::Closure(closure) => {
                closure.name.get_or_insert(name);
                Some(Ok(()))
            }
            _ => None,
        })
    }
}
