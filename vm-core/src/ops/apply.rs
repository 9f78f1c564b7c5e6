//! The words that call a function on the elements of a collection: `map filter fold
//! sort_by sort_with any all count group_by`. Each starts an [`Apply`] entry; the `Drive` op
//! that follows calls the function once per step ([`Vm::apply_step`]) and, when the
//! elements (or the sort's comparisons) are used up, leaves the result.

use registry::{Map, Value};

use crate::entry::{Apply, ApplyKind, Entry, EntryKind};
use crate::error::{Error, ErrorKind};
use crate::merge_sort::{self, MergeSort};
use crate::op::Op;
use crate::vm::Vm;

impl ApplyKind {
    /// The arguments each call takes.
    pub(crate) fn argc(self) -> usize {
        match self {
            ApplyKind::Fold | ApplyKind::SortWith => 2,
            _ => 1,
        }
    }
}

impl Vm {
    /// Starts the word of `op`; the `Drive` op that follows runs the calls.
    #[inline(never)]
    pub(crate) fn apply_start(&mut self, op: Op) -> Result<(), Error> {
        let kind = ApplyKind::of(op).ok_or_else(|| Error::internal(format!("{op:?} starts no apply word")))?;
        let word = kind.word();
        let f = self.pop_block(word)?;
        // Check the function's arity now rather than let it take values that are not its
        // arguments.
        self.check_call(word, f, kind.argc())?;
        let init = if kind == ApplyKind::Fold { Some(self.task.pop(word)?) } else { None };
        let coll = self.pop_iterable(word)?;
        if let Some(init) = init {
            self.task.push(init);
        }
        let sort = match kind {
            ApplyKind::SortWith => Some(MergeSort::new(self.elements_of(coll)?)),
            _ => None,
        };
        let apply = Apply {
            kind,
            f,
            coll,
            pos: 0,
            out: Vec::new(),
            keyed: Vec::new(),
            tally: 0,
            sort,
            current: Value::Nil,
            expect: 0,
            calling: false,
        };
        self.push_entry(EntryKind::Apply(Box::new(apply)))
    }

    /// Every element of an iterable, in order.
    pub(crate) fn elements_of(&mut self, coll: Value) -> Result<Vec<Value>, Error> {
        if let Value::Array(h) = coll {
            return Ok(self.reg.array(h)?.clone());
        }
        let mut items = Vec::new();
        let mut pos = 0;
        while let Some((value, after)) = self.element_at(coll, pos)? {
            items.push(value);
            pos = after;
        }
        Ok(items)
    }

    /// Takes the result of the call that just returned (if any) and prepares the next
    /// call, pushing its arguments; returns whether there is one. When done, pushes the
    /// word's result.
    pub(crate) fn apply_step(&mut self, apply: &mut Apply) -> Result<bool, Error> {
        let word = apply.kind.word();
        if apply.calling {
            apply.calling = false;
            let len = self.task.stack.len();
            if len != apply.expect {
                let left = len as i64 - (apply.expect as i64 - 1);
                return Err(Error::new(
                    ErrorKind::Arity,
                    format!("the function given to '{word}' must leave exactly one value, but left {left}"),
                ));
            }
            // A fold's result stays on the stack: it is the next call's accumulator.
            if apply.kind != ApplyKind::Fold {
                let result = self.task.pop(word)?;
                if let Some(done) = self.take_result(apply, result)? {
                    self.task.push(Value::Bool(done));
                    return Ok(false);
                }
            }
        }
        if let Some(sort) = &mut apply.sort {
            return Ok(match sort.question() {
                Some((left, right)) => {
                    self.task.push(left);
                    self.task.push(right);
                    apply.expect = self.task.stack.len() - 1;
                    apply.calling = true;
                    true
                }
                None => {
                    let sorted = apply.sort.take().map(MergeSort::into_sorted).unwrap_or_default();
                    let array = self.reg.new_array(sorted);
                    self.task.push(array);
                    false
                }
            });
        }
        match self.element_at(apply.coll, apply.pos)? {
            Some((value, after)) => {
                apply.pos = after;
                apply.current = value;
                self.task.push(value);
                apply.expect = match apply.kind {
                    ApplyKind::Fold => self.task.stack.len() - 1,
                    _ => self.task.stack.len(),
                };
                apply.calling = true;
                Ok(true)
            }
            None => {
                self.finish_apply(apply)?;
                Ok(false)
            }
        }
    }

    /// The step of `map`, `filter` or `fold` over an array between two calls, in place:
    /// the call that just returned left one value and the array has a next element, so
    /// the result is taken, the element pushed and the function entered, without moving
    /// the entry off the context stack. `Ok(false)`, having changed nothing, for every
    /// other step (the first and the last, other words, a wrong result count), which
    /// [`Vm::apply_step`] takes. `at` is the `Drive` op the call returns to.
    #[inline(never)]
    pub(crate) fn apply_next_in_place(&mut self, at: u32) -> Result<bool, Error> {
        let len = self.task.stack.len();
        let Some(Entry { kind: EntryKind::Apply(apply), .. }) = self.task.entries.last_mut() else {
            return Ok(false);
        };
        let done = apply.calling && len == apply.expect && len > self.task.floor;
        let (Value::Array(h), true, None) = (apply.coll, done, &apply.sort) else {
            return Ok(false);
        };
        let Some(&next) = self.reg.array(h).ok().and_then(|items| items.get(apply.pos)) else { return Ok(false) };
        // Map and filter replace the result by the element; fold pushes it above the
        // accumulator, which needs room.
        let keep = match apply.kind {
            ApplyKind::Map | ApplyKind::Filter => {
                let result = self.task.stack[len - 1];
                let truthy = match result {
                    Value::Bool(b) => b,
                    other => self.reg.truthy(other),
                };
                let kept = if apply.kind == ApplyKind::Map { Some(result) } else { truthy.then_some(apply.current) };
                self.task.stack[len - 1] = next;
                kept
            }
            ApplyKind::Fold if len < self.task.room => {
                // Within the room, so the stack does not grow (see `Task::room`).
                self.task.stack.push(next);
                None
            }
            _ => return Ok(false),
        };
        apply.out.extend(keep);
        apply.pos += 1;
        apply.current = next;
        // The next call must again leave the stack as long as it is now, one value (its
        // result) in place of its arguments.
        apply.expect = len;
        let (f, word, argc) = (apply.f, apply.kind.word(), apply.kind.argc());
        let top = self.task.frames.len() - 1;
        self.task.frames[top].ip = at;
        if !self.enter_function_fast(f, argc, false) {
            self.push_activation(f, word, crate::frame::Frame::NO_EXPECT)?;
        }
        Ok(true)
    }

    /// Takes one call's result; `Some(answer)` when it decides the whole word (`any`,
    /// `all`).
    fn take_result(&mut self, apply: &mut Apply, result: Value) -> Result<Option<bool>, Error> {
        match apply.kind {
            ApplyKind::Map => apply.out.push(result),
            ApplyKind::Filter => {
                if self.truthy(result) {
                    apply.out.push(apply.current);
                }
            }
            ApplyKind::Fold => {}
            ApplyKind::SortBy | ApplyKind::GroupBy => {
                apply.out.push(result);
                apply.keyed.push(apply.current);
            }
            ApplyKind::SortWith => {
                let right_first = match result {
                    Value::Int(n) => n > 0,
                    // A NaN says nothing, so it keeps the order, as zero does.
                    Value::Float(f) => f > 0.0,
                    other => {
                        return Err(Error::type_error(format!(
                            "'sort_with': the comparison must give a number (negative, zero or positive), got {}",
                            registry::a_type(self.type_name(other))
                        )));
                    }
                };
                if let Some(sort) = &mut apply.sort {
                    sort.answer(right_first);
                }
            }
            ApplyKind::Any => {
                if self.truthy(result) {
                    return Ok(Some(true));
                }
            }
            ApplyKind::All => {
                if !self.truthy(result) {
                    return Ok(Some(false));
                }
            }
            ApplyKind::Count => apply.tally += i64::from(self.truthy(result)),
        }
        Ok(None)
    }

    /// Pushes the result once every element has had its call.
    fn finish_apply(&mut self, apply: &mut Apply) -> Result<(), Error> {
        let result = match apply.kind {
            ApplyKind::Fold => return Ok(()),
            ApplyKind::Map | ApplyKind::Filter => self.reg.new_array(std::mem::take(&mut apply.out)),
            ApplyKind::Any => Value::Bool(false),
            ApplyKind::All => Value::Bool(true),
            ApplyKind::Count => Value::Int(apply.tally),
            ApplyKind::SortBy => {
                let pairs: Vec<(Value, Value)> = apply.out.iter().copied().zip(apply.keyed.iter().copied()).collect();
                // About n log n comparisons (making the array charges the n).
                self.charge(pairs.len() * pairs.len().max(2).ilog2() as usize);
                let sorted = merge_sort::sort(pairs, |(a, _), (b, _)| {
                    self.reg.sort_order(b, a).map(|o| o.is_lt()).map_err(|_| {
                        Error::type_error(format!(
                            "'sort_by': the keys cannot be ordered: {} and {}",
                            registry::a_type(self.type_name(a)),
                            registry::a_type(self.type_name(b))
                        ))
                    })
                })?;
                self.reg.new_array(sorted.into_iter().map(|(_, element)| element).collect())
            }
            ApplyKind::GroupBy => {
                let mut groups: indexmap::IndexMap<registry::Key, Vec<Value>> = indexmap::IndexMap::new();
                for (&key, &element) in apply.out.iter().zip(&apply.keyed) {
                    let key = self.reg.key(key).map_err(|e| Error::type_error(format!("'group_by': {e}")))?;
                    groups.entry(key).or_default().push(element);
                }
                let mut map = Map::default();
                for (key, members) in groups {
                    let group = self.reg.new_array(members);
                    map.insert(key, group);
                }
                self.reg.new_map(map)
            }
            ApplyKind::SortWith => unreachable!("sort_with finishes when its sort does"),
        };
        self.task.push(result);
        Ok(())
    }
}
