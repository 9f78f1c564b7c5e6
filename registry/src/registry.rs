//! [`Registry`]: the owner of every heap object, the name table and the global scope.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use gc::{Handle, Heap, Stats, Stress, Tracer, VerifyError};

use crate::errors::{KeyError, StaleHandle, StoreError};
use crate::map::{Field, Key, KeyRef, Map, MapObject};
use crate::name::{Interner, Name};
use crate::native::NativeObject;
use crate::object::{Closure, Code, Object};
use crate::scope::{Globals, Scope};
use crate::string::{Str, text_address};
use crate::texts::ConstantTexts;
use crate::value::Value;

/// Owns the heap of objects, the interned names and the global variables.
///
/// Every accessor checks that the handle is live and of the expected kind, returning
/// [`StaleHandle`] otherwise. Objects change only through the methods in `store.rs`, each of
/// which passes the collector's write barrier, so mutation cannot break the tri-colour
/// invariant.
pub struct Registry<C> {
    heap: Heap<Object<C>>,
    /// The interned names.
    pub names: Interner,
    /// The global scope.
    pub globals: Globals,
    /// Values held by the embedder through [`Rooted`]; dead entries are pruned at each
    /// collector increment.
    rooted: Vec<Weak<Cell<Value>>>,
    /// The first stale access not yet reported (see [`Registry::take_stale`]).
    stale: Cell<Option<StaleHandle>>,
    /// Work done by walks over values since the last [`Registry::take_work`].
    work: Cell<usize>,
    /// The texts of string constants, one allocation per distinct text.
    constant_texts: ConstantTexts,
}

/// A value kept alive for the embedder: while a `Rooted` exists, its value (and everything
/// reachable from it) survives collection. Cloning shares the same root.
#[derive(Clone, Debug)]
pub struct Rooted {
    cell: Rc<Cell<Value>>,
}

impl Rooted {
    /// The rooted value.
    pub fn get(&self) -> Value {
        self.cell.get()
    }

    /// Replaces the rooted value.
    pub fn set(&self, value: Value) {
        self.cell.set(value);
    }
}

impl<C: Code> Default for Registry<C> {
    fn default() -> Self {
        Registry::new()
    }
}

macro_rules! accessors {
    ($get:ident, $variant:ident, $ty:ty, $what:literal) => {
        #[doc = concat!("The ", $what, " `handle` names.")]
        ///
        /// # Errors
        /// [`StaleHandle`] if the handle is stale or names another kind of object (a bug in
        /// the VM; under a collector stress mode it panics at once instead).
        #[inline]
        pub fn $get(&self, handle: Handle) -> Result<&$ty, StaleHandle> {
            match self.heap.get(handle) {
                Some(Object::$variant(x)) => Ok(x),
                _ => Err(self.stale_access(handle, $what)),
            }
        }
    };
}

impl<C: Code> Registry<C> {
    /// An empty registry.
    pub fn new() -> Registry<C> {
        Registry {
            heap: Heap::new(),
            names: Interner::default(),
            globals: Globals::default(),
            rooted: Vec::new(),
            stale: Cell::new(None),
            work: Cell::new(0),
            constant_texts: ConstantTexts::default(),
        }
    }

    // ---- allocation -------------------------------------------------------------------

    /// Allocates `object`. Never collects (see [`Registry::gc_step`]).
    pub fn alloc(&mut self, object: Object<C>) -> Handle {
        self.heap.alloc(object)
    }

    /// The heap, for the mutators in `store.rs`.
    pub(crate) fn heap_mut(&mut self) -> &mut Heap<Object<C>> {
        &mut self.heap
    }

    /// A new string value holding a copy of `text`. (Making an object counts as work for
    /// [`Registry::take_work`]: one unit, plus one per element or per 16 bytes it holds.)
    pub fn new_str(&mut self, text: impl AsRef<str>) -> Value {
        let text = text.as_ref();
        self.note_work(1 + text.len() / 16);
        Value::Str(self.alloc(Object::Str(Str::new(text))))
    }

    /// A new string value holding a copy of `text`, or an error if memory for it runs out
    /// (the one to use when a program decides the size).
    ///
    /// # Errors
    /// [`StoreError::OutOfMemory`] if the allocator refuses the text's size.
    pub fn try_new_str(&mut self, text: &str) -> Result<Value, StoreError> {
        // Making the shared text cannot report failure, so ask for as much first.
        if text.len() > crate::string::INLINE && Vec::<u8>::new().try_reserve_exact(text.len() + 16).is_err() {
            return Err(StoreError::OutOfMemory { bytes: text.len() });
        }
        Ok(self.new_str(text))
    }

    /// A new string value sharing `text` (see [`Str::shared`]).
    pub fn new_str_shared(&mut self, text: Rc<str>) -> Value {
        self.note_work(1);
        Value::Str(self.alloc(Object::Str(Str::shared(text))))
    }

    /// A new string value for a string constant of loaded code: its text is shared with
    /// every other constant of the same text, however short, so the map keys made from
    /// them are one text that field guesses compare by address.
    pub fn new_constant_str(&mut self, text: &str) -> Value {
        let shared = self.constant_texts.share(text);
        self.note_work(1);
        Value::Str(self.alloc(Object::Str(Str::sharing(shared))))
    }

    /// A new byte-string value.
    pub fn new_bytes(&mut self, bytes: impl Into<Box<[u8]>>) -> Value {
        let bytes = bytes.into();
        self.note_work(1 + bytes.len() / 16);
        Value::Bytes(self.alloc(Object::Bytes(bytes)))
    }

    /// A new array value.
    pub fn new_array(&mut self, items: Vec<Value>) -> Value {
        self.note_work(1 + items.len());
        Value::Array(self.alloc(Object::Array(items)))
    }

    /// A new map value.
    pub fn new_map(&mut self, map: Map) -> Value {
        self.note_work(1 + map.len());
        Value::Map(self.alloc(Object::Map(Box::new(MapObject::new(map)))))
    }

    /// A new continuation value.
    pub fn new_closure(&mut self, closure: Closure<C>) -> Value {
        Value::Cont(self.alloc(Object::Closure(closure)))
    }

    /// A new scope.
    pub fn new_scope(&mut self, scope: Scope) -> Handle {
        self.alloc(Object::Scope(Box::new(scope)))
    }

    /// A new native-object value.
    pub fn new_native(&mut self, object: Box<dyn NativeObject>) -> Value {
        Value::Native(self.alloc(Object::Native(object)))
    }

    /// Records that an object grew by `bytes` without an allocation.
    #[inline]
    pub fn note_growth(&mut self, bytes: usize) {
        self.heap.note_growth(bytes);
    }

    // ---- access -----------------------------------------------------------------------

    /// The object `handle` names.
    ///
    /// # Errors
    /// [`StaleHandle`] if the handle is stale.
    pub fn object(&self, handle: Handle) -> Result<&Object<C>, StaleHandle> {
        self.heap.get(handle).ok_or(StaleHandle { handle, expected: "object" })
    }

    accessors!(str, Str, Str, "string");
    accessors!(bytes, Bytes, Box<[u8]>, "bytes");
    accessors!(array, Array, Vec<Value>, "array");
    /// The map `handle` names.
    ///
    /// # Errors
    /// [`StaleHandle`], as the other accessors.
    #[inline]
    pub fn map(&self, handle: Handle) -> Result<&Map, StaleHandle> {
        match self.heap.get(handle) {
            Some(Object::Map(x)) => Ok(x.map()),
            _ => Err(self.stale_access(handle, "map")),
        }
    }

    /// Where string `key` is in map `handle` and its value there, trying entry `guess`
    /// first: a key found at the index it had in another map of the same construction
    /// (the fields of records built alike) is found by one comparison, without hashing.
    ///
    /// That comparison is of addresses when `address` is the [`Str::shared_address`] of
    /// `key` (a constant's text, which the keys made from constants share). It must come
    /// from that string, which is alive, so the text at the address cannot have been
    /// freed and replaced. Any other `address` (0 when the caller does not know it)
    /// matches no key, and the bytes are compared instead. `None` if the key is absent or
    /// a handle is stale (the caller's general path then reports it).
    #[inline(always)]
    pub fn map_field(&self, handle: Handle, key: Handle, guess: usize, address: usize) -> Option<Field> {
        let map = self.map(handle).ok()?;
        if let Some((Key::Str(k), &value)) = map.get_index(guess)
            && address == text_address(k)
        {
            return Some(Field { index: guess, value, address });
        }
        self.map_field_by_text(map, key, guess)
    }

    /// [`Registry::map_field`] when the addresses differ: compares the key's text with the
    /// guessed entry's, then looks it up (kept out of line, so that the inlined address
    /// check stays small).
    #[inline(never)]
    fn map_field_by_text(&self, map: &Map, key: Handle, guess: usize) -> Option<Field> {
        let text = self.str(key).ok()?;
        let address = text.shared_address().unwrap_or(Field::UNSHARED);
        if let Some((Key::Str(k), &value)) = map.get_index(guess)
            && text.has_bytes(k.as_bytes())
        {
            return Some(Field { index: guess, value, address });
        }
        map.get_full(&KeyRef::Str(text.as_str())).map(|(index, _, &value)| Field { index, value, address })
    }

    accessors!(closure, Closure, Closure<C>, "continuation");
    accessors!(scope, Scope, Box<Scope>, "scope");
    accessors!(native, Native, Box<dyn NativeObject>, "native object");

    /// Mutable access to a native object. The collector cannot see what the object changes,
    /// so it is rescanned at the end of the marking in progress (see [`gc::Heap::get_mut`]).
    ///
    /// # Errors
    /// [`StaleHandle`], as [`Registry::native`].
    pub fn native_mut(&mut self, handle: Handle) -> Result<&mut Box<dyn NativeObject>, StaleHandle> {
        let stress = self.heap.stress();
        match self.heap.get_mut(handle) {
            Some(Object::Native(x)) => Ok(x),
            _ => Err(record_stale(&self.stale, stress, StaleHandle { handle, expected: "native object" })),
        }
    }

    /// Mutable access to a native object for a change that stores the objects `stored`
    /// into it and changes nothing else the collector sees: the forward barrier shades
    /// them, so the object needs no rescan (see [`gc::Heap::get_mut_storing`]). The
    /// executor's objects (tasks, futures, channels) change this way all the time.
    ///
    /// # Errors
    /// [`StaleHandle`], as [`Registry::native`].
    #[inline]
    pub fn native_mut_storing(
        &mut self,
        handle: Handle,
        stored: impl IntoIterator<Item = Handle>,
    ) -> Result<&mut Box<dyn NativeObject>, StaleHandle> {
        // One lookup (this is on the path of every channel message and task switch); a
        // miss touches only the `stale` field, apart from the borrowed heap.
        let stress = self.heap.stress();
        match self.heap.get_mut_storing(handle, stored) {
            Some(Object::Native(x)) => Ok(x),
            _ => Err(record_stale(&self.stale, stress, StaleHandle { handle, expected: "native object" })),
        }
    }

    /// The text of a string value, or `None` for any other value. (A stale string is
    /// recorded, see [`Registry::take_stale`].)
    pub fn text(&self, value: Value) -> Option<&str> {
        match value {
            Value::Str(h) => self.str(h).ok().map(Str::as_str),
            _ => None,
        }
    }

    /// The type name of a value as `type` reports it (a native object names its own type).
    pub fn type_name(&self, value: Value) -> &str {
        match value {
            Value::Native(h) => self.native(h).map_or("native", |n| n.type_name()),
            other => other.type_name(),
        }
    }

    // ---- work ---------------------------------------------------------------------------

    /// Records `units` of work done by a walk over values (elements compared, printed,
    /// copied), for the executor to charge as fuel.
    #[inline]
    pub(crate) fn note_work(&self, units: usize) {
        self.work.set(self.work.get() + units);
    }

    /// The work done by walks over values since the last call (see
    /// [`Registry::note_work`]): `==`, printing, copies. The executor charges it as fuel, so
    /// that comparing or printing a huge structure costs what it takes.
    #[inline]
    pub fn take_work(&self) -> usize {
        self.work.replace(0)
    }

    // ---- stale handles ------------------------------------------------------------------

    /// Reports an access through a handle that names no live object of the expected kind.
    /// Inside a correct VM this never happens. Under a collector stress mode it panics, so
    /// that the bug fails the test that found it; otherwise it is recorded for the executor
    /// to raise as an internal error (see [`Registry::take_stale`]) and returned.
    #[cold]
    pub(crate) fn stale_access(&self, handle: Handle, expected: &'static str) -> StaleHandle {
        record_stale(&self.stale, self.heap.stress(), StaleHandle { handle, expected })
    }

    /// The first stale access since the last call, if any. Operations that cannot fail
    /// (printing, truthiness, equality) read a stale object as a neutral value and record
    /// it here; the executor checks after every operation and turns it into an internal
    /// error that `try` cannot catch.
    #[inline]
    pub fn take_stale(&self) -> Option<StaleHandle> {
        self.stale.take()
    }

    // ---- names ------------------------------------------------------------------------

    /// Interns `text`.
    pub fn intern(&mut self, text: &str) -> Name {
        self.names.intern(text)
    }

    /// The text of `name`.
    pub fn name_text(&self, name: Name) -> &str {
        self.names.text(name)
    }

    // ---- map keys ---------------------------------------------------------------------

    /// The map key a value stands for, borrowed for a lookup.
    ///
    /// # Errors
    /// [`KeyError`] for floats, nil and containers, which cannot be keys.
    pub fn key_ref(&self, value: Value) -> Result<KeyRef<'_>, KeyError> {
        match value {
            Value::Bool(b) => Ok(KeyRef::Bool(b)),
            Value::Int(i) => Ok(KeyRef::Int(i)),
            Value::Name(n) => Ok(KeyRef::Name(n)),
            Value::Str(h) => self.str(h).map(|s| KeyRef::Str(s.as_str())).map_err(|_| KeyError { type_name: "string" }),
            other => Err(KeyError { type_name: other.type_name() }),
        }
    }

    /// The map key a value stands for, owned for an insertion (a long string's text is
    /// shared, not copied).
    ///
    /// # Errors
    /// [`KeyError`] for floats, nil and containers, which cannot be keys.
    pub fn key(&self, value: Value) -> Result<Key, KeyError> {
        match value {
            Value::Str(h) => self.str(h).map(|s| Key::Str(s.rc())).map_err(|_| KeyError { type_name: "string" }),
            other => self.key_ref(other).map(KeyRef::to_key),
        }
    }

    /// The value a map key stands for (a string key becomes a new string object).
    pub fn key_value(&mut self, key: &Key) -> Value {
        match key {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Name(n) => Value::Name(*n),
            Key::Str(s) => self.new_str_shared(s.clone()),
        }
    }

    // ---- collection -------------------------------------------------------------------

    /// Keeps `value` alive for the embedder while the returned [`Rooted`] exists.
    pub fn root(&mut self, value: Value) -> Rooted {
        let cell = Rc::new(Cell::new(value));
        self.rooted.push(Rc::downgrade(&cell));
        Rooted { cell }
    }

    /// Whether the collector is marking: a change that moves values into an object from
    /// elsewhere must name them to the barrier now (see [`Registry::native_mut_storing`]).
    #[inline]
    pub fn gc_marking(&self) -> bool {
        self.heap.phase() == gc::Phase::Mark
    }

    /// Whether a collection is owed (the owner runs [`Registry::gc_step`] at its next safe
    /// point).
    #[inline]
    pub fn wants_gc(&self) -> bool {
        self.heap.wants_step()
    }

    /// One increment of collection. `roots` reports the owner's roots (stacks and the
    /// like); the globals and [`Rooted`] values are added here.
    pub fn gc_step(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) {
        self.rooted.retain(|w| w.strong_count() > 0);
        let Registry { heap, globals, rooted, .. } = self;
        heap.step(|t| {
            Self::trace_own_roots(globals, rooted, t);
            roots(t);
        });
    }

    /// A full collection; the units of work it took (see [`gc::Heap::collect`]).
    pub fn gc_collect(&mut self, mut roots: impl FnMut(&mut Tracer<'_>)) -> usize {
        self.rooted.retain(|w| w.strong_count() > 0);
        let Registry { heap, globals, rooted, .. } = self;
        heap.collect(|t| {
            Self::trace_own_roots(globals, rooted, t);
            roots(t);
        })
    }

    /// Checks that everything reachable is live (see [`gc::Heap::verify`]).
    ///
    /// # Errors
    /// The first dangling handle found.
    pub fn gc_verify(&self, mut roots: impl FnMut(&mut Tracer<'_>)) -> Result<(), VerifyError> {
        self.heap.verify(|t| {
            Self::trace_own_roots(&self.globals, &self.rooted, t);
            roots(t);
        })
    }

    fn trace_own_roots(globals: &Globals, rooted: &[Weak<Cell<Value>>], tracer: &mut Tracer<'_>) {
        for (_, value) in globals.iter() {
            value.trace(tracer);
        }
        for cell in rooted.iter().filter_map(Weak::upgrade) {
            cell.get().trace(tracer);
        }
    }

    /// Collector statistics.
    pub fn gc_stats(&self) -> Stats {
        self.heap.stats()
    }

    /// Sets the collector's stress mode (see [`Stress`]).
    pub fn set_gc_stress(&mut self, stress: Stress) {
        self.heap.set_stress(stress);
    }

    /// The collector's stress mode.
    pub fn gc_stress(&self) -> Stress {
        self.heap.stress()
    }

    /// Number of allocated objects.
    pub fn live_objects(&self) -> usize {
        self.heap.len()
    }
}

/// [`Registry::stale_access`] on the registry's `stale` field alone, for accessors that
/// hold the heap borrowed.
#[cold]
fn record_stale(record: &Cell<Option<StaleHandle>>, stress: Stress, stale: StaleHandle) -> StaleHandle {
    if stress != Stress::Off {
        panic!("GC stress: {stale}");
    }
    if record.get().is_none() {
        record.set(Some(stale));
    }
    stale
}
