//! Truthiness, Kai's `==` (structural, numeric across int and float) and ordering.
//! Structural equality is iterative and copes with cycles.

use std::cmp::Ordering;

use rustc_hash::FxHashSet;

use crate::object::{Code, Object};
use crate::registry::Registry;
use crate::value::Value;

/// Ordering was asked of values that have none (anything but two numbers, two strings or
/// two arrays whose elements are ordered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Incomparable;

impl<C: Code> Registry<C> {
    /// Kai truthiness: `false`, `nil`, `0`, `0.0`, `""`, the empty array and the empty map
    /// are false; everything else is true.
    #[inline]
    pub fn truthy(&self, value: Value) -> bool {
        match value {
            Value::Nil => false,
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Str(h) => self.str(h).is_ok_and(|s| !s.as_str().is_empty()),
            Value::Array(h) => self.array(h).is_ok_and(|a| !a.is_empty()),
            Value::Map(h) => self.map(h).is_ok_and(|m| !m.is_empty()),
            Value::Name(_) | Value::Bytes(_) | Value::Cont(_) | Value::Native(_) => true,
        }
    }

    /// Kai `==`: numbers compare by value across int and float; strings and byte strings by
    /// content; arrays and maps structurally (maps ignore insertion order); anything else by
    /// identity. Values of unrelated types are unequal.
    pub fn equals(&self, a: Value, b: Value) -> bool {
        if !matches!((a, b), (Value::Array(_), Value::Array(_)) | (Value::Map(_), Value::Map(_))) {
            return self.equals_shallow(a, b);
        }
        let mut todo = vec![(a, b)];
        // Pairs of containers already being compared: meeting one again (a cycle) adds no
        // new evidence of a difference, so it is assumed equal.
        let mut assumed: FxHashSet<(gc::Handle, gc::Handle)> = FxHashSet::default();
        let mut work = 0;
        let equal = self.equals_walk(&mut todo, &mut assumed, &mut work);
        self.note_work(work);
        equal
    }

    fn equals_walk(
        &self,
        todo: &mut Vec<(Value, Value)>,
        assumed: &mut FxHashSet<(gc::Handle, gc::Handle)>,
        work: &mut usize,
    ) -> bool {
        while let Some((a, b)) = todo.pop() {
            *work += 1;
            match (a, b) {
                (Value::Array(x), Value::Array(y)) | (Value::Map(x), Value::Map(y)) => {
                    if x == y || !assumed.insert((x, y)) {
                        continue;
                    }
                    match (self.object(x), self.object(y)) {
                        (Ok(Object::Array(xs)), Ok(Object::Array(ys))) => {
                            if xs.len() != ys.len() {
                                return false;
                            }
                            todo.extend(xs.iter().copied().zip(ys.iter().copied()));
                        }
                        (Ok(Object::Map(xs)), Ok(Object::Map(ys))) => {
                            let (xs, ys) = (xs.map(), ys.map());
                            if xs.len() != ys.len() {
                                return false;
                            }
                            for (key, &xv) in xs.iter() {
                                match ys.get(key) {
                                    Some(&yv) => todo.push((xv, yv)),
                                    None => return false,
                                }
                            }
                        }
                        _ => return false,
                    }
                }
                _ => {
                    if !self.equals_shallow(a, b) {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn equals_shallow(&self, a: Value, b: Value) -> bool {
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => {
                compare_int_float(i, f) == Some(Ordering::Equal)
            }
            (Value::Name(x), Value::Name(y)) => x == y,
            (Value::Str(x), Value::Str(y)) => {
                x == y
                    || matches!((self.str(x), self.str(y)), (Ok(p), Ok(q)) if {
                        self.note_work(p.as_str().len().min(q.as_str().len()) / 16);
                        p.as_str() == q.as_str()
                    })
            }
            (Value::Bytes(x), Value::Bytes(y)) => {
                x == y
                    || matches!((self.bytes(x), self.bytes(y)), (Ok(p), Ok(q)) if {
                        self.note_work(p.len().min(q.len()) / 16);
                        p == q
                    })
            }
            (Value::Cont(x), Value::Cont(y)) | (Value::Native(x), Value::Native(y)) => x == y,
            _ => false,
        }
    }

    /// The order of two numbers (int and float mixed, exactly), two strings (by code
    /// point) or two arrays (lexicographically: the first unequal elements decide, else the
    /// shorter is first). `Ok(None)` when a NaN decides.
    ///
    /// # Errors
    /// [`Incomparable`] for any other pair of values, also inside arrays.
    pub fn compare(&self, a: Value, b: Value) -> Result<Option<Ordering>, Incomparable> {
        match (a, b) {
            (Value::Array(x), Value::Array(y)) => self.compare_arrays(x, y, Self::compare),
            (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(&y))),
            (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(&y)),
            (Value::Int(i), Value::Float(f)) => Ok(compare_int_float(i, f)),
            (Value::Float(f), Value::Int(i)) => Ok(compare_int_float(i, f).map(Ordering::reverse)),
            (Value::Str(x), Value::Str(y)) => match (self.str(x), self.str(y)) {
                // UTF-8 byte order is code-point order.
                (Ok(p), Ok(q)) => Ok(Some(p.as_str().cmp(q.as_str()))),
                _ => Err(Incomparable),
            },
            _ => Err(Incomparable),
        }
    }

    /// A total order for sorting: like [`Registry::compare`], with NaN after every other
    /// number (and equal to itself), so that sorting can never see an inconsistent order.
    ///
    /// # Errors
    /// [`Incomparable`] where [`Registry::compare`] has no order.
    pub fn sort_order(&self, a: Value, b: Value) -> Result<Ordering, Incomparable> {
        if let (Value::Array(x), Value::Array(y)) = (a, b) {
            let total = |reg: &Self, a, b| reg.sort_order(a, b).map(Some);
            return self.compare_arrays(x, y, total).map(|o| o.unwrap_or(Ordering::Equal));
        }
        let is_nan = |v: Value| matches!(v, Value::Float(f) if f.is_nan());
        match (is_nan(a), is_nan(b)) {
            (true, true) => Ok(Ordering::Equal),
            (true, false) => self.compare(b, b).map(|_| Ordering::Greater),
            (false, true) => self.compare(a, a).map(|_| Ordering::Less),
            (false, false) => self.compare(a, b).map(|o| o.unwrap_or(Ordering::Equal)),
        }
    }

    /// Two arrays in lexicographic order, elements ordered by `element` (which never sees
    /// two arrays: nested ones are walked here, without recursion). A pair of arrays met
    /// again inside itself (a cycle) is taken as equal, as `==` does, so the walk ends.
    fn compare_arrays(
        &self,
        x: gc::Handle,
        y: gc::Handle,
        element: fn(&Self, Value, Value) -> Result<Option<Ordering>, Incomparable>,
    ) -> Result<Option<Ordering>, Incomparable> {
        // Each pending pair of arrays and the index of its next elements.
        let mut walk = vec![(x, y, 0usize)];
        let mut assumed: FxHashSet<(gc::Handle, gc::Handle)> = FxHashSet::default();
        let mut work = 0;
        let order = loop {
            let Some(&mut (x, y, ref mut at)) = walk.last_mut() else { break Ok(Some(Ordering::Equal)) };
            work += 1;
            let (Ok(xs), Ok(ys)) = (self.array(x), self.array(y)) else { break Err(Incomparable) };
            let (Some(&a), Some(&b)) = (xs.get(*at), ys.get(*at)) else {
                match xs.len().cmp(&ys.len()) {
                    Ordering::Equal => {
                        walk.pop();
                        continue;
                    }
                    unequal => break Ok(Some(unequal)),
                }
            };
            *at += 1;
            match (a, b) {
                (Value::Array(p), Value::Array(q)) => {
                    if p != q && assumed.insert((p, q)) {
                        walk.push((p, q, 0));
                    }
                }
                _ => match element(self, a, b) {
                    Ok(Some(Ordering::Equal)) => {}
                    decided => break decided,
                },
            }
        };
        self.note_work(work);
        order
    }
}

/// Compares an int with a float exactly (no rounding of large ints); `None` for NaN.
pub(crate) fn compare_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 is exactly representable; every i64 is below it and at or above -2^63.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    match i.cmp(&(whole as i64)) {
        Ordering::Equal => {
            let frac = f - whole;
            Some(if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            })
        }
        other => Some(other),
    }
}
