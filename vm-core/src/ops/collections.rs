//! The collection words of the standard library that need no function: `get range_step zip
//! enumerate sum product min_of max_of flatten unique insert index_of`. (The ones that call
//! a function, such as `sort_by`, are in `apply.rs`; the basic ones, such as `at`, in
//! `containers.rs`.) Every one but `insert` makes a new collection.

use std::cmp::Ordering;

use registry::{Key, Value};
use rustc_hash::FxHashSet;

use super::convert::whole_float_to_int;
use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    /// `get ( coll key default -- v )`: `at`, but `default` where `at` finds nothing.
    #[inline(never)]
    pub(crate) fn get(&mut self) -> Result<(), Error> {
        let (coll, key, default) = self.task.pop3("get")?;
        let found = match coll {
            Value::Map(h) => {
                let k = self.reg.key_ref(key).map_err(|e| Error::type_error(format!("'get': {e}")))?;
                self.reg.map(h)?.get(&k).copied()
            }
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                self.get_position(key, items.len())?.map(|i| items[i])
            }
            Value::Str(h) => {
                let s = self.reg.str(h)?;
                match self.get_position(key, s.char_len())?.and_then(|i| s.char_at(i)) {
                    Some(c) => {
                        let c = c.to_string();
                        Some(self.reg.new_str(c))
                    }
                    None => None,
                }
            }
            other => return Err(self.expects("get", "an array, map or string", other)),
        };
        self.task.push(found.unwrap_or(default));
        Ok(())
    }

    /// The index `get` reads, if `key` is one below `len`.
    fn get_position(&self, key: Value, len: usize) -> Result<Option<usize>, Error> {
        match key {
            Value::Int(i) => Ok(usize::try_from(i).ok().filter(|&i| i < len)),
            other => Err(self.expects("get", "an int index", other)),
        }
    }

    /// `range_step ( from to step -- arr )`: from, from+step, … while before `to` (above it
    /// for a negative step).
    #[inline(never)]
    pub(crate) fn range_step(&mut self) -> Result<(), Error> {
        let step = self.pop_int("range_step")?;
        let to = self.pop_int("range_step")?;
        let from = self.pop_int("range_step")?;
        if step == 0 {
            return Err(Error::new(ErrorKind::Index, "'range_step': the step must not be zero"));
        }
        let (span, stride) = (i128::from(to) - i128::from(from), i128::from(step));
        let count =
            if (span > 0) == (stride > 0) && span != 0 { (span.abs() + stride.abs() - 1) / stride.abs() } else { 0 };
        let count =
            usize::try_from(count).map_err(|_| Error::limit(format!("'range_step': {count} elements is too many")))?;
        let mut items = Vec::new();
        self.reserve("range_step", &mut items, count)?;
        // Every element lies between from and to, so none overflows.
        items.extend((0..count as i128).map(|i| Value::Int((i128::from(from) + i * stride) as i64)));
        let array = self.reg.new_array(items);
        self.task.push(array);
        Ok(())
    }

    /// Pops an iterable (array, string, map, bytes) and lists its elements.
    fn pop_elements(&mut self, word: &str) -> Result<Vec<Value>, Error> {
        let coll = self.pop_iterable(word)?;
        self.elements_of(coll)
    }

    /// Pushes a new array of `items`.
    pub(crate) fn push_array(&mut self, items: Vec<Value>) {
        let array = self.reg.new_array(items);
        self.task.push(array);
    }

    /// `zip ( a b -- [[a0 b0] [a1 b1] …] )`, as long as the shorter.
    #[inline(never)]
    pub(crate) fn zip(&mut self) -> Result<(), Error> {
        let second = self.pop_elements("zip")?;
        let first = self.pop_elements("zip")?;
        let pairs: Vec<Value> = first.into_iter().zip(second).map(|(a, b)| self.reg.new_array(vec![a, b])).collect();
        self.push_array(pairs);
        Ok(())
    }

    /// `enumerate ( coll -- [[0 x0] [1 x1] …] )`.
    #[inline(never)]
    pub(crate) fn enumerate(&mut self) -> Result<(), Error> {
        let items = self.pop_elements("enumerate")?;
        let pairs: Vec<Value> =
            items.into_iter().enumerate().map(|(i, x)| self.reg.new_array(vec![Value::Int(i as i64), x])).collect();
        self.push_array(pairs);
        Ok(())
    }

    /// `sum` and `product`: the elements combined with `+` or `*` from `start`, ints exactly
    /// (overflow is an error, as it is for `+`), floats once a float is met.
    pub(crate) fn total(
        &mut self,
        word: &str,
        start: i64,
        int_op: fn(i64, i64) -> Option<i64>,
        float_op: fn(f64, f64) -> f64,
    ) -> Result<(), Error> {
        let items = self.pop_elements(word)?;
        let mut acc = Value::Int(start);
        for (i, x) in items.into_iter().enumerate() {
            acc = match (acc, x) {
                (Value::Int(a), Value::Int(b)) => Value::Int(int_op(a, b).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Overflow,
                        format!("integer overflow: '{word}' reached {a} and element {i} is {b}; the result does not fit in 64 bits"),
                    )
                })?),
                (Value::Int(a), Value::Float(b)) => Value::Float(float_op(a as f64, b)),
                (Value::Float(a), Value::Int(b)) => Value::Float(float_op(a, b as f64)),
                (Value::Float(a), Value::Float(b)) => Value::Float(float_op(a, b)),
                (_, other) => {
                    return Err(Error::type_error(format!(
                        "'{word}' adds up numbers, but element {i} is {}",
                        registry::a_type(self.type_name(other))
                    )));
                }
            };
        }
        self.task.push(acc);
        Ok(())
    }

    /// `min_of` and `max_of`: the element that `min` or `max` would keep over the whole
    /// collection (a NaN wins, as it does for them).
    pub(crate) fn extreme(&mut self, word: &str, keep: Ordering) -> Result<(), Error> {
        let items = self.pop_elements(word)?;
        let Some((&first, rest)) = items.split_first() else {
            return Err(Error::new(ErrorKind::Index, format!("'{word}': the collection is empty")));
        };
        let mut best = first;
        for &x in rest {
            let order = self.reg.compare(x, best).map_err(|_| {
                Error::type_error(format!(
                    "'{word}': {} and {} cannot be ordered",
                    registry::a_type(self.type_name(best)),
                    registry::a_type(self.type_name(x))
                ))
            })?;
            match order {
                Some(o) if o == keep => best = x,
                Some(_) => {}
                None => {
                    best = Value::Float(f64::NAN);
                    break;
                }
            }
        }
        self.task.push(best);
        Ok(())
    }

    /// `flatten ( arr -- arr' )`: the elements of nested arrays in place of them (one level).
    #[inline(never)]
    pub(crate) fn flatten(&mut self) -> Result<(), Error> {
        let h = self.pop_array("flatten")?;
        let items = self.reg.array(h)?;
        let mut len = 0usize;
        for &x in items {
            len = len.saturating_add(match x {
                Value::Array(inner) => self.reg.array(inner)?.len(),
                _ => 1,
            });
        }
        let mut out = Vec::new();
        self.reserve("flatten", &mut out, len)?;
        let items = self.reg.array(h)?;
        for &x in items {
            match x {
                Value::Array(inner) => out.extend_from_slice(self.reg.array(inner)?),
                other => out.push(other),
            }
        }
        self.push_array(out);
        Ok(())
    }

    /// `unique ( coll -- arr )`: the elements without those `==` to an earlier one.
    #[inline(never)]
    pub(crate) fn unique(&mut self) -> Result<(), Error> {
        let items = self.pop_elements("unique")?;
        // Values that can be map keys are found by hashing (a whole float as the int it
        // equals); the others (other floats, containers, functions) by `==` with the
        // others kept so far.
        let mut seen: FxHashSet<Key> = FxHashSet::default();
        let mut others: Vec<Value> = Vec::new();
        let mut out = Vec::new();
        for x in items {
            let key = match x {
                Value::Float(f) if f.fract() == 0.0 => whole_float_to_int(f).map(Key::Int),
                Value::Float(_) => None,
                other => self.reg.key(other).ok(),
            };
            let new = match key {
                Some(key) => seen.insert(key),
                None => {
                    let repeated = others.iter().any(|&o| self.reg.equals(o, x));
                    if !repeated {
                        others.push(x);
                    }
                    !repeated
                }
            };
            if new {
                out.push(x);
            }
        }
        self.push_array(out);
        Ok(())
    }

    /// `insert ( arr i x -- arr )`: x put before element i, in place (i may be the size).
    #[inline(never)]
    pub(crate) fn insert(&mut self) -> Result<(), Error> {
        let (coll, index, value) = self.task.pop3("insert")?;
        let Value::Array(h) = coll else {
            return Err(self.expects("insert", "an array", coll));
        };
        let len = self.reg.array(h)?.len();
        let at = match index {
            Value::Int(i) => usize::try_from(i).ok().filter(|&i| i <= len).ok_or_else(|| {
                Error::new(ErrorKind::Index, format!("'insert': index {i} is out of range for size {len} (0 to {len})"))
            })?,
            other => return Err(self.expects("insert", "an int index", other)),
        };
        self.reg.array_insert(h, at, value)?;
        self.task.push(coll);
        Ok(())
    }

    /// `unpack ( arr n -- x1 … xn )`: what Rho's `let [a, b] = e` and `a, b = e` compile
    /// to, so a wrong count is an `arity` error at the names.
    #[inline(never)]
    pub(crate) fn unpack(&mut self) -> Result<(), Error> {
        let n = self.pop_int("unpack")?;
        let h = self.pop_array("unpack")?;
        let items = self.reg.array(h)?;
        if usize::try_from(n).ok() != Some(items.len()) {
            let plural = |n: usize| if n == 1 { "1 value".to_string() } else { format!("{n} values") };
            return Err(Error::new(
                ErrorKind::Arity,
                format!("cannot unpack an array of {} into {n}", plural(items.len())),
            ));
        }
        self.task.push_slice("unpack", items)
    }

    /// `items ( map -- [[k v] …] )`.
    #[inline(never)]
    pub(crate) fn items(&mut self) -> Result<(), Error> {
        let coll = self.task.pop("items")?;
        let Value::Map(h) = coll else {
            return Err(self.expects("items", "a map", coll));
        };
        let entries: Vec<(Key, Value)> = self.reg.map(h)?.iter().map(|(k, &v)| (k.clone(), v)).collect();
        let pairs: Vec<Value> = entries
            .into_iter()
            .map(|(k, v)| {
                let key = self.reg.key_value(&k);
                self.reg.new_array(vec![key, v])
            })
            .collect();
        self.push_array(pairs);
        Ok(())
    }

    /// `index_of ( coll x -- i|nil )`: the index of the first element `==` to x (of an
    /// array), or of the first x in a string (counted in characters); nil if none.
    #[inline(never)]
    pub(crate) fn index_of(&mut self) -> Result<(), Error> {
        let (coll, x) = self.task.pop2("index_of")?;
        let found = match coll {
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                items.iter().position(|&item| self.reg.equals(item, x))
            }
            Value::Str(h) => {
                let Value::Str(needle) = x else {
                    return Err(self.expects("index_of", "a string to find in a string", x));
                };
                let (text, needle) = (self.reg.str(h)?.as_str(), self.reg.str(needle)?.as_str());
                text.find(needle).map(|byte| text[..byte].chars().count())
            }
            other => return Err(self.expects("index_of", "an array or string", other)),
        };
        self.task.push(found.map_or(Value::Nil, |i| Value::Int(i as i64)));
        Ok(())
    }
}
