//! Containers: array literals, `toarray expand size at put push pop tomap keys values has
//! remove slice reverse sort range new clone`. `put push pop remove` change a collection in
//! place; `slice reverse sort` make new ones.

use std::cmp::Ordering;

use registry::{Map, Value};

use crate::entry::{Entry, EntryKind};
use crate::error::{Error, ErrorKind};
use crate::merge_sort;
use crate::vm::Vm;

const VALUE_BYTES: usize = std::mem::size_of::<Value>();

impl Vm {
    // ---- array literals ----------------------------------------------------------------

    #[inline(never)]
    pub(crate) fn array_start(&mut self) -> Result<(), Error> {
        let floor = self.task.floor as u32;
        let frame = self.task.frames.len() as u32 - 1;
        self.task.push_entry(Entry { frame, kind: EntryKind::Mark { floor } })?;
        self.task.floor = self.task.stack.len();
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn array_end(&mut self) -> Result<(), Error> {
        let floor = match self.task.entries.last() {
            Some(Entry { kind: EntryKind::Mark { floor }, .. }) => *floor,
            _ => return Err(Error::type_error("internal error: ']' without '['")),
        };
        crate::entry::pop_entry(&mut self.task.entries);
        let items = self.task.stack.split_off(self.task.floor.min(self.task.stack.len()));
        self.task.floor = floor as usize;
        let array = self.reg.new_array(items);
        self.task.push(array);
        Ok(())
    }

    // ---- helpers -----------------------------------------------------------------------

    #[cold]
    pub(crate) fn expects(&self, word: &str, what: &str, got: Value) -> Error {
        Error::type_error(format!("'{word}' expects {what}, got {}", self.type_name(got)))
    }

    /// Checks an index operand against a collection of `len` elements.
    fn index(&self, word: &str, index: Value, len: usize) -> Result<usize, Error> {
        match index {
            Value::Int(i) if i >= 0 && (i as u64) < len as u64 => Ok(i as usize),
            Value::Int(i) => {
                Err(Error::new(ErrorKind::Index, format!("'{word}': index {i} is out of range for size {len}")))
            }
            other => Err(self.expects(word, "an int index", other)),
        }
    }

    fn key(&self, word: &str, key: Value) -> Result<registry::Key, Error> {
        self.reg.key(key).map_err(|e| Error::type_error(format!("'{word}': {e}")))
    }

    fn key_ref(&self, word: &str, key: Value) -> Result<registry::KeyRef<'_>, Error> {
        self.reg.key_ref(key).map_err(|e| Error::type_error(format!("'{word}': {e}")))
    }

    #[cold]
    fn missing_key(&self, word: &str, key: Value) -> Error {
        Error::new(ErrorKind::Key, format!("'{word}': key {} not found", self.reg.repr(key)))
    }

    pub(crate) fn pop_array(&mut self, word: &str) -> Result<gc::Handle, Error> {
        match self.task.pop(word)? {
            Value::Array(h) => Ok(h),
            other => Err(self.expects(word, "an array", other)),
        }
    }

    pub(crate) fn pop_int(&mut self, word: &str) -> Result<i64, Error> {
        match self.task.pop(word)? {
            Value::Int(i) => Ok(i),
            other => Err(self.expects(word, "an int", other)),
        }
    }

    /// Refuses an allocation of `count` values that the heap limit or memory cannot hold.
    pub(crate) fn reserve(&self, word: &str, items: &mut Vec<Value>, count: usize) -> Result<(), Error> {
        self.check_size(word, count.saturating_mul(VALUE_BYTES))?;
        if items.try_reserve_exact(count).is_err() {
            return Err(Error::limit(format!("'{word}': out of memory for {count} elements")));
        }
        Ok(())
    }

    /// Refuses a single allocation of `bytes` that alone exceeds the heap limit.
    pub(crate) fn check_size(&self, word: &str, bytes: usize) -> Result<(), Error> {
        match self.limits.max_heap {
            Some(max) if bytes > max => {
                Err(Error::limit(format!("'{word}': {bytes} bytes would exceed the heap limit of {max} bytes")))
            }
            _ => Ok(()),
        }
    }

    // ---- words -------------------------------------------------------------------------

    #[inline(never)]
    pub(crate) fn new_copy(&mut self) -> Result<(), Error> {
        let value = self.task.pop("new")?;
        let copy = self.reg.shallow_copy(value);
        self.task.push(copy);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn clone_deep(&mut self) -> Result<(), Error> {
        let value = self.task.pop("clone")?;
        let copy = self.reg.deep_clone(value);
        self.task.push(copy);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn array_of(&mut self) -> Result<(), Error> {
        let n = self.pop_int("toarray")?;
        if n < 0 {
            return Err(Error::new(ErrorKind::Index, format!("'toarray': negative count {n}")));
        }
        self.task.need(n as usize, "toarray")?;
        let items = self.task.stack.split_off(self.task.stack.len() - n as usize);
        let array = self.reg.new_array(items);
        self.task.push(array);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn expand(&mut self) -> Result<(), Error> {
        let h = self.pop_array("expand")?;
        let items = self.reg.array(h)?;
        let n = items.len() as i64;
        self.task.push_slice("expand", items)?;
        self.task.push(Value::Int(n));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn size(&mut self) -> Result<(), Error> {
        let value = self.task.pop("size")?;
        let n = match value {
            Value::Array(h) => self.reg.array(h)?.len(),
            Value::Map(h) => self.reg.map(h)?.len(),
            Value::Str(h) => self.reg.str(h)?.char_len(),
            Value::Bytes(h) => self.reg.bytes(h)?.len(),
            other => return Err(self.expects("size", "an array, map, string or bytes", other)),
        };
        self.task.push(Value::Int(n as i64));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn at(&mut self) -> Result<(), Error> {
        let (coll, key) = self.task.pop2("at")?;
        let value = match coll {
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                items[self.index("at", key, items.len())?]
            }
            Value::Map(h) => {
                let k = self.key_ref("at", key)?;
                match self.reg.map(h)?.get(&k) {
                    Some(&v) => v,
                    None => return Err(self.missing_key("at", key)),
                }
            }
            Value::Str(h) => {
                let s = self.reg.str(h)?;
                let i = self.index("at", key, s.char_len())?;
                let c = s.char_at(i).unwrap_or("").to_string();
                self.reg.new_str(c)
            }
            Value::Bytes(h) => {
                let bytes = self.reg.bytes(h)?;
                Value::Int(bytes[self.index("at", key, bytes.len())?] as i64)
            }
            other => return Err(self.expects("at", "an array, map, string or bytes", other)),
        };
        self.task.push(value);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn put(&mut self) -> Result<(), Error> {
        let (coll, key, value) = self.task.pop3("put")?;
        match coll {
            Value::Array(h) => {
                let len = self.reg.array(h)?.len();
                let i = self.index("put", key, len)?;
                self.reg.array_set(h, i, value)?;
            }
            Value::Map(h) => {
                // An existing key is assigned in place; only a new one is copied into the map.
                let index = self.reg.map(h)?.get_index_of(&self.key_ref("put", key)?);
                if !index.is_some_and(|i| self.reg.map_set_at(h, i, value).unwrap_or(false)) {
                    let k = self.key("put", key)?;
                    self.reg.map_insert(h, k, value)?;
                }
            }
            other => {
                return Err(self.expects("put", "an array or map (strings are immutable)", other));
            }
        }
        self.task.push(coll);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn push_word(&mut self) -> Result<(), Error> {
        let (coll, value) = self.task.pop2("push")?;
        let Value::Array(h) = coll else {
            return Err(self.expects("push", "an array", coll));
        };
        self.reg.array_push(h, value)?;
        self.task.push(coll);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn pop_word(&mut self) -> Result<(), Error> {
        let h = self.pop_array("pop")?;
        let Some(value) = self.reg.array_pop(h)? else {
            return Err(Error::new(ErrorKind::Index, "'pop': the array is empty"));
        };
        self.task.push(Value::Array(h));
        self.task.push(value);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn map_of(&mut self) -> Result<(), Error> {
        let h = self.pop_array("tomap")?;
        let items = self.reg.array(h)?;
        if items.len() % 2 != 0 {
            return Err(Error::new(
                ErrorKind::Arity,
                format!("'tomap' needs alternating keys and values, got {}", registry::counted(items.len(), "element")),
            ));
        }
        let mut map = Map::default();
        for pair in items.chunks(2) {
            map.insert(self.key("tomap", pair[0])?, pair[1]);
        }
        let value = self.reg.new_map(map);
        self.task.push(value);
        Ok(())
    }

    fn pop_map(&mut self, word: &str) -> Result<gc::Handle, Error> {
        match self.task.pop(word)? {
            Value::Map(h) => Ok(h),
            other => Err(self.expects(word, "a map", other)),
        }
    }

    #[inline(never)]
    pub(crate) fn keys(&mut self) -> Result<(), Error> {
        let h = self.pop_map("keys")?;
        let keys: Vec<registry::Key> = self.reg.map(h)?.keys().cloned().collect();
        let values = keys.iter().map(|k| self.reg.key_value(k)).collect();
        let array = self.reg.new_array(values);
        self.task.push(array);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn values(&mut self) -> Result<(), Error> {
        let h = self.pop_map("values")?;
        let values = self.reg.map(h)?.values().copied().collect();
        let array = self.reg.new_array(values);
        self.task.push(array);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn has(&mut self) -> Result<(), Error> {
        let (coll, x) = self.task.pop2("has")?;
        let found = match coll {
            Value::Map(h) => {
                let k = self.key_ref("has", x)?;
                self.reg.map(h)?.contains_key(&k)
            }
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                let found = items.iter().position(|&item| self.reg.equals(item, x));
                let scanned = found.map_or(items.len(), |i| i + 1);
                self.charge(scanned);
                found.is_some()
            }
            Value::Str(h) => match self.reg.text(x) {
                Some(needle) => {
                    let haystack = self.reg.str(h)?.as_str();
                    let (found, scanned) = (haystack.contains(needle), haystack.len());
                    self.charge_bytes(scanned);
                    found
                }
                None => return Err(self.expects("has", "a string to look for in a string", x)),
            },
            other => return Err(self.expects("has", "a map, array or string", other)),
        };
        self.task.push(Value::Bool(found));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn remove(&mut self) -> Result<(), Error> {
        let (coll, key) = self.task.pop2("remove")?;
        match coll {
            Value::Map(h) => {
                let k = self.key("remove", key)?;
                if self.reg.map_remove(h, k.as_ref())?.is_none() {
                    return Err(self.missing_key("remove", key));
                }
            }
            Value::Array(h) => {
                let len = self.reg.array(h)?.len();
                let i = self.index("remove", key, len)?;
                self.reg.array_remove(h, i)?;
            }
            other => return Err(self.expects("remove", "a map or array", other)),
        }
        self.task.push(coll);
        Ok(())
    }

    /// Checks `from` and `to` of a slice of a collection of `len` elements.
    fn bounds(&self, word: &str, from: Value, to: Value, len: usize) -> Result<(usize, usize), Error> {
        match (from, to) {
            (Value::Int(f), Value::Int(t)) if 0 <= f && f <= t && (t as u64) <= len as u64 => {
                Ok((f as usize, t as usize))
            }
            (Value::Int(f), Value::Int(t)) => {
                Err(Error::new(ErrorKind::Index, format!("'{word}': range {f}..{t} is out of bounds for size {len}")))
            }
            (Value::Int(_), other) | (other, _) => Err(self.expects(word, "int bounds", other)),
        }
    }

    #[inline(never)]
    pub(crate) fn slice(&mut self) -> Result<(), Error> {
        let (coll, from, to) = self.task.pop3("slice")?;
        let result = match coll {
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                let (f, t) = self.bounds("slice", from, to, items.len())?;
                let part = items[f..t].to_vec();
                self.reg.new_array(part)
            }
            Value::Str(h) => {
                let s = self.reg.str(h)?;
                let (f, t) = self.bounds("slice", from, to, s.char_len())?;
                let part = s.slice(f, t).to_string();
                self.reg.new_str(part)
            }
            Value::Bytes(h) => {
                let bytes = self.reg.bytes(h)?;
                let (f, t) = self.bounds("slice", from, to, bytes.len())?;
                let part = bytes[f..t].to_vec();
                self.reg.new_bytes(part)
            }
            other => return Err(self.expects("slice", "an array, string or bytes", other)),
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn reverse(&mut self) -> Result<(), Error> {
        let coll = self.task.pop("reverse")?;
        let result = match coll {
            Value::Array(h) => {
                let mut items = self.reg.array(h)?.clone();
                items.reverse();
                self.reg.new_array(items)
            }
            Value::Str(h) => {
                let text: String = self.reg.str(h)?.as_str().chars().rev().collect();
                self.reg.new_str(text)
            }
            other => return Err(self.expects("reverse", "an array or string", other)),
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn sort(&mut self) -> Result<(), Error> {
        let h = self.pop_array("sort")?;
        let items = self.reg.array(h)?.clone();
        // About n log n comparisons (making the array charges the n).
        self.charge(items.len() * items.len().max(2).ilog2() as usize);
        let sorted = merge_sort::sort(items, |a, b| {
            self.reg.sort_order(b, a).map(Ordering::is_lt).map_err(|_| {
                Error::type_error(format!(
                    "'sort' orders numbers, strings or arrays of them, but cannot order {} and {}",
                    registry::a_type(self.type_name(a)),
                    registry::a_type(self.type_name(b))
                ))
            })
        })?;
        let array = self.reg.new_array(sorted);
        self.task.push(array);
        Ok(())
    }

    /// The two ints `range` takes.
    pub(crate) fn pop_range_bounds(&mut self) -> Result<(i64, i64), Error> {
        match self.task.pop2("range")? {
            (Value::Int(from), Value::Int(to)) => Ok((from, to)),
            (a, b) => Err(Error::type_error(format!(
                "'range' expects two ints, got {} and {}",
                self.type_name(a),
                self.type_name(b)
            ))),
        }
    }

    #[inline(never)]
    pub(crate) fn range(&mut self) -> Result<(), Error> {
        let (from, to) = self.pop_range_bounds()?;
        let count = (to as i128 - from as i128).max(0);
        let count =
            usize::try_from(count).map_err(|_| Error::limit(format!("'range': {count} elements is too many")))?;
        let mut items = Vec::new();
        self.reserve("range", &mut items, count)?;
        items.extend((from..to).map(Value::Int));
        let array = self.reg.new_array(items);
        self.task.push(array);
        Ok(())
    }
}
