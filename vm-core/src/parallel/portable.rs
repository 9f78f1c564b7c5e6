//! [`Portable`]: values copied out of one VM's heap in a form that belongs to no heap, so
//! they can cross to another thread and be rebuilt in another VM (SPEC §6.3). A copy is a
//! graph: every heap object once, by index, so sharing and cycles survive. Continuations
//! travel as their portable code unit (shared behind an `Arc`, never copied) and a block
//! index, with the scopes they captured; the globals their code names travel with them.
//! Futures, channels, tasks and other native objects cannot cross: copying one is a `type`
//! error naming it and where it was found.

use std::sync::Arc;

use gc::Handle;
use registry::{Closure, Key, Map, Name, Object, Scope, Value};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::code::Block;
use crate::error::Error;
use crate::op::Op;
use crate::unit::Unit;
use crate::vm::Vm;

/// A value inside a [`Portable`] graph.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) enum Slot {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An interned name, by its index in [`Portable::names`].
    Name(u32),
    /// A heap object, by its index in [`Portable::objects`].
    Object(u32),
}

/// A map key inside a [`Portable`] graph.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum PortableKey {
    Bool(bool),
    Int(i64),
    Name(u32),
    Str(Box<str>),
}

/// A heap object inside a [`Portable`] graph.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum PortableObject {
    Str(Box<str>),
    Bytes(Box<[u8]>),
    Array(Vec<Slot>),
    Map(Vec<(PortableKey, Slot)>),
    /// A captured scope; its parent (if any) comes before it in the graph.
    Scope {
        parent: Option<u32>,
        vars: Vec<(u32, Slot)>,
    },
    Closure {
        #[serde(with = "shared_unit")]
        unit: Arc<Unit>,
        block: u32,
        scope: Option<u32>,
        name: Option<u32>,
        arity: Option<u16>,
    },
}

/// A unit shared behind an `Arc` travels as the unit itself.
mod shared_unit {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::unit::Unit;

    pub fn serialize<S: Serializer>(unit: &Arc<Unit>, s: S) -> Result<S::Ok, S::Error> {
        (**unit).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Unit>, D::Error> {
        Unit::deserialize(d).map(Arc::new)
    }
}

/// Values copied out of a VM, with the globals their code uses.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Portable {
    pub roots: Vec<Slot>,
    objects: Vec<PortableObject>,
    names: Vec<Box<str>>,
    /// Globals the copied continuations name, by name index.
    globals: Vec<(u32, Slot)>,
}

/// Copies values out of a VM into a [`Portable`].
pub(crate) struct Exporter<'vm> {
    vm: &'vm Vm,
    /// What `new` is for, in errors (`'par_map'`).
    word: &'static str,
    out: Portable,
    seen: FxHashMap<Handle, u32>,
    names: FxHashMap<Name, u32>,
    /// Globals copied (or being copied) already.
    globals: FxHashSet<Name>,
    /// The variables copied into each scope, by the scope's index.
    scope_vars: FxHashSet<(u32, Name)>,
}

impl<'vm> Exporter<'vm> {
    pub(crate) fn new(vm: &'vm Vm, word: &'static str) -> Exporter<'vm> {
        Exporter {
            vm,
            word,
            out: Portable::default(),
            seen: FxHashMap::default(),
            names: FxHashMap::default(),
            globals: FxHashSet::default(),
            scope_vars: FxHashSet::default(),
        }
    }

    /// Adds `value` as the next root; `what` says what it is, for errors.
    pub(crate) fn root(&mut self, value: Value, what: &str) -> Result<(), Error> {
        let slot = self.value(value, what)?;
        self.out.roots.push(slot);
        Ok(())
    }

    pub(crate) fn finish(self) -> Portable {
        self.out
    }

    fn name(&mut self, name: Name) -> u32 {
        let Exporter { vm, out, names, .. } = self;
        *names.entry(name).or_insert_with(|| {
            out.names.push(vm.reg.name_text(name).into());
            (out.names.len() - 1) as u32
        })
    }

    fn value(&mut self, value: Value, what: &str) -> Result<Slot, Error> {
        Ok(match value {
            Value::Nil => Slot::Nil,
            Value::Bool(b) => Slot::Bool(b),
            Value::Int(i) => Slot::Int(i),
            Value::Float(f) => Slot::Float(f),
            Value::Name(n) => Slot::Name(self.name(n)),
            Value::Native(_) => return Err(self.cannot_copy(value, what)),
            Value::Str(h) | Value::Bytes(h) | Value::Array(h) | Value::Map(h) | Value::Cont(h) => {
                Slot::Object(self.object(h, value, what)?)
            }
        })
    }

    fn cannot_copy(&self, value: Value, what: &str) -> Error {
        Error::type_error(format!(
            "'{}' cannot copy {} ({what}) between VMs: only plain data and functions can cross",
            self.word,
            self.vm.reg.repr(value)
        ))
    }

    /// The index of heap object `h`, copying it (and what it refers to) the first time.
    fn object(&mut self, h: Handle, value: Value, what: &str) -> Result<u32, Error> {
        if let Some(&index) = self.seen.get(&h) {
            return Ok(index);
        }
        let reg = &self.vm.reg;
        let stale = |_| Error::internal("a value to copy names no object");
        // Containers take their index before their contents are copied, so a cycle back to
        // them finds it; their contents are filled in afterwards.
        let index = self.out.objects.len() as u32;
        match reg.object(h).map_err(stale)? {
            Object::Str(s) => {
                self.out.objects.push(PortableObject::Str(s.as_str().into()));
                self.seen.insert(h, index);
            }
            Object::Bytes(b) => {
                self.out.objects.push(PortableObject::Bytes(b.clone()));
                self.seen.insert(h, index);
            }
            Object::Array(items) => {
                let items = items.clone();
                self.out.objects.push(PortableObject::Array(Vec::new()));
                self.seen.insert(h, index);
                let slots = items.iter().map(|&v| self.value(v, what)).collect::<Result<Vec<_>, _>>()?;
                self.out.objects[index as usize] = PortableObject::Array(slots);
            }
            Object::Map(map) => {
                let entries: Vec<(Key, Value)> = map.map().iter().map(|(k, v)| (k.clone(), *v)).collect();
                self.out.objects.push(PortableObject::Map(Vec::new()));
                self.seen.insert(h, index);
                let mut copied = Vec::with_capacity(entries.len());
                for (key, v) in entries {
                    let key = match key {
                        Key::Bool(b) => PortableKey::Bool(b),
                        Key::Int(i) => PortableKey::Int(i),
                        Key::Name(n) => PortableKey::Name(self.name(n)),
                        Key::Str(s) => PortableKey::Str((*s).into()),
                    };
                    copied.push((key, self.value(v, what)?));
                }
                self.out.objects[index as usize] = PortableObject::Map(copied);
            }
            Object::Closure(closure) => {
                let (code, scope, name, arity) = (closure.code.clone(), closure.scope, closure.name, closure.arity);
                let Some((unit, block)) = code.unit.clone() else {
                    return Err(self.cannot_copy(value, what));
                };
                // The closure takes its index first: its scope can hold the closure itself
                // (a recursive local function), which must stay one object.
                let name = name.map(|n| self.name(n));
                self.out.objects.push(PortableObject::Closure { unit, block, scope: None, name, arity });
                self.seen.insert(h, index);
                // Only what the code can read crosses: the variables of its scopes and
                // the globals it names, not everything else that is in scope.
                let mut named = FxHashSet::default();
                collect_names(&code, &mut named);
                let copied_scope = scope.map(|s| self.scope(s, &named)).transpose()?;
                if let PortableObject::Closure { scope, .. } = &mut self.out.objects[index as usize] {
                    *scope = copied_scope;
                }
                self.globals_of(&named)?;
            }
            Object::Scope(_) | Object::Native(_) => return Err(self.cannot_copy(value, what)),
        }
        Ok(index)
    }

    /// Copies a captured scope and the scopes it is nested in (outermost first), with the
    /// variables named in `named`. A scope met again gets the variables this closure
    /// names that the earlier ones did not.
    fn scope(&mut self, h: Handle, named: &FxHashSet<Name>) -> Result<u32, Error> {
        let stale = |_| Error::internal("a captured scope is missing");
        let (parent, vars): (Option<Handle>, Vec<(Name, Value)>) = {
            let scope = self.vm.reg.scope(h).map_err(stale)?;
            (scope.parent, scope.vars.iter().filter(|(n, _)| named.contains(n)).copied().collect())
        };
        let parent = parent.map(|p| self.scope(p, named)).transpose()?;
        let index = match self.seen.get(&h) {
            Some(&index) => index,
            None => {
                let index = self.out.objects.len() as u32;
                self.out.objects.push(PortableObject::Scope { parent, vars: Vec::new() });
                self.seen.insert(h, index);
                index
            }
        };
        for (name, v) in vars {
            if !self.scope_vars.insert((index, name)) {
                continue;
            }
            let what = format!("captured as '{}'", self.vm.reg.name_text(name));
            let var = (self.name(name), self.value(v, &what)?);
            if let PortableObject::Scope { vars, .. } = &mut self.out.objects[index as usize] {
                vars.push(var);
            }
        }
        Ok(index)
    }

    /// Copies every global named in `named` (once per copy).
    fn globals_of(&mut self, named: &FxHashSet<Name>) -> Result<(), Error> {
        for &name in named {
            if !self.globals.insert(name) {
                continue;
            }
            if let Some(value) = self.vm.reg.globals.get(name) {
                let what = format!("the global '{}'", self.vm.reg.name_text(name));
                let slot = self.value(value, &what)?;
                let name = self.name(name);
                self.out.globals.push((name, slot));
            }
        }
        Ok(())
    }
}

/// Every variable the ops of `block` and of its nested blocks name (a quoted name, `'x`,
/// is a value, not a variable).
fn collect_names(block: &Block, out: &mut FxHashSet<Name>) {
    for &op in block.ops.iter() {
        if matches!(op, Op::Name(_)) {
            continue;
        }
        op.map_names(|name| {
            out.insert(name);
            name
        });
    }
    for child in block.children.iter() {
        collect_names(child, out);
    }
}

impl Portable {
    /// Checks a graph that came from outside the process (bytes from the network): every
    /// index in range and of the right kind, every scope's parent before it, every closure
    /// naming a block of its unit and a scope. [`Portable::import`] then cannot go wrong;
    /// the units themselves are verified when they load.
    pub(crate) fn check(&self) -> Result<(), String> {
        let name =
            |n: u32| if (n as usize) < self.names.len() { Ok(()) } else { Err(format!("name {n} out of range")) };
        let is_scope = |i: u32| matches!(self.objects.get(i as usize), Some(PortableObject::Scope { .. }));
        let slot = |s: Slot| match s {
            Slot::Name(n) => name(n),
            Slot::Object(i) if (i as usize) < self.objects.len() && !is_scope(i) => Ok(()),
            Slot::Object(i) => Err(format!("object {i} out of range or not a value")),
            _ => Ok(()),
        };
        for (index, object) in self.objects.iter().enumerate() {
            match object {
                PortableObject::Str(_) | PortableObject::Bytes(_) => {}
                PortableObject::Array(items) => items.iter().try_for_each(|&s| slot(s))?,
                PortableObject::Map(entries) => {
                    for (key, v) in entries {
                        if let PortableKey::Name(n) = key {
                            name(*n)?;
                        }
                        slot(*v)?;
                    }
                }
                PortableObject::Scope { parent, vars } => {
                    if let Some(p) = parent
                        && (*p as usize >= index || !is_scope(*p))
                    {
                        return Err(format!("scope {index} has a parent that does not come before it"));
                    }
                    for &(n, v) in vars {
                        name(n)?;
                        slot(v)?;
                    }
                }
                PortableObject::Closure { unit, block, scope, name: closure_name, .. } => {
                    if *block as usize >= unit.blocks.len() {
                        return Err(format!(
                            "closure {index} names block {block}, and its unit has {}",
                            unit.blocks.len()
                        ));
                    }
                    if scope.is_some_and(|s| !is_scope(s)) {
                        return Err(format!("closure {index} captured something that is not a scope"));
                    }
                    if let Some(n) = closure_name {
                        name(*n)?;
                    }
                }
            }
        }
        self.roots.iter().try_for_each(|&s| slot(s))?;
        for &(n, v) in &self.globals {
            name(n)?;
            slot(v)?;
        }
        Ok(())
    }

    /// Rebuilds the graph in `vm` and gives its roots; with `bind_globals`, also binds the
    /// globals the graph carries (a worker takes a function's globals; a caller taking a
    /// result keeps its own). Nothing in between is a safe point, so the new objects need
    /// no rooting until the caller holds them.
    pub(crate) fn import(&self, vm: &mut Vm, bind_globals: bool) -> Result<Vec<Value>, Error> {
        let names: Vec<Name> = self.names.iter().map(|text| vm.reg.intern(text)).collect();
        // Loading code allocates and may collect, so every unit is loaded before the first
        // object is made.
        let mut code = FxHashMap::default();
        for (index, object) in self.objects.iter().enumerate() {
            if let PortableObject::Closure { unit, block, .. } = object {
                code.insert(index, vm.imported_block(unit, *block)?);
            }
        }
        // Then every object as an empty shell (closures need their scopes' handles and
        // containers can be in cycles), then the contents.
        // A placeholder until the shell is made.
        let mut handles: Vec<Option<Handle>> = vec![None; self.objects.len()];
        for (index, object) in self.objects.iter().enumerate() {
            handles[index] = match object {
                PortableObject::Str(s) => Some(handle_of(vm.reg.new_str(&**s))),
                PortableObject::Bytes(b) => Some(handle_of(vm.reg.new_bytes(b.clone()))),
                PortableObject::Array(_) => Some(handle_of(vm.reg.new_array(Vec::new()))),
                PortableObject::Map(_) => Some(handle_of(vm.reg.new_map(Map::default()))),
                // A scope's parent comes before it.
                PortableObject::Scope { parent, .. } => {
                    let parent = parent.map(|p| handles[p as usize].expect("a parent scope comes first"));
                    Some(vm.reg.new_scope(Scope::new(parent)))
                }
                PortableObject::Closure { .. } => None,
            };
        }
        // Closures last: a closure can come before the scope it captured.
        for (index, object) in self.objects.iter().enumerate() {
            if let PortableObject::Closure { scope, name, arity, .. } = object {
                let code = code.remove(&index).expect("loaded above");
                let scope = scope.map(|s| handles[s as usize].expect("scopes are made"));
                let name = name.map(|n| names[n as usize]);
                handles[index] = Some(handle_of(vm.reg.new_closure(Closure { code, scope, name, arity: *arity })));
            }
        }
        let handles: Vec<Handle> = handles.into_iter().map(|h| h.expect("every object is made")).collect();
        let slot = |slot: Slot| match slot {
            Slot::Nil => Value::Nil,
            Slot::Bool(b) => Value::Bool(b),
            Slot::Int(i) => Value::Int(i),
            Slot::Float(f) => Value::Float(f),
            Slot::Name(n) => Value::Name(names[n as usize]),
            Slot::Object(i) => {
                let h = handles[i as usize];
                match self.objects[i as usize] {
                    PortableObject::Str(_) => Value::Str(h),
                    PortableObject::Bytes(_) => Value::Bytes(h),
                    PortableObject::Array(_) => Value::Array(h),
                    PortableObject::Map(_) => Value::Map(h),
                    PortableObject::Closure { .. } => Value::Cont(h),
                    // The exporter refers to scopes only from closures and scopes.
                    PortableObject::Scope { .. } => Value::Nil,
                }
            }
        };
        let fill_failed = |_| Error::internal("a copied object could not be filled");
        for (object, &handle) in self.objects.iter().zip(&handles) {
            match object {
                PortableObject::Array(items) => {
                    let items = items.iter().map(|&s| slot(s)).collect();
                    vm.reg.array_fill(handle, items).map_err(fill_failed)?;
                }
                PortableObject::Map(entries) => {
                    let mut map = Map::default();
                    for (key, v) in entries {
                        let key = match key {
                            PortableKey::Bool(b) => Key::Bool(*b),
                            PortableKey::Int(i) => Key::Int(*i),
                            PortableKey::Name(n) => Key::Name(names[*n as usize]),
                            PortableKey::Str(s) => Key::Str((&**s).into()),
                        };
                        map.insert(key, slot(*v));
                    }
                    vm.reg.map_fill(handle, map).map_err(fill_failed)?;
                }
                PortableObject::Scope { vars, .. } => {
                    for &(name, v) in vars {
                        vm.reg.scope_declare(handle, names[name as usize], slot(v)).map_err(fill_failed)?;
                    }
                }
                PortableObject::Str(_) | PortableObject::Bytes(_) | PortableObject::Closure { .. } => {}
            }
        }
        for &(name, value) in self.globals.iter().filter(|_| bind_globals) {
            let name = names[name as usize];
            if !vm.is_reserved(name) {
                vm.reg.globals.set(name, slot(value));
            }
        }
        Ok(self.roots.iter().map(|&s| slot(s)).collect())
    }
}

/// The handle of a heap value just made.
fn handle_of(value: Value) -> Handle {
    value.handle().expect("a new object is in the heap")
}

impl Vm {
    /// Block `index` of `unit`, loading the unit the first time one of its closures arrives
    /// (each unit once per VM, however many closures of it cross).
    fn imported_block(&mut self, unit: &Arc<Unit>, index: u32) -> Result<std::rc::Rc<Block>, Error> {
        let key = Arc::as_ptr(unit) as usize;
        if !self.imported_units.contains_key(&key) {
            let blocks = self.load_blocks(unit.clone())?;
            self.imported_units.insert(key, (unit.clone(), blocks));
        }
        let (_, blocks) = &self.imported_units[&key];
        blocks.get(index as usize).cloned().ok_or_else(|| Error::internal("a copied continuation names no block"))
    }
}

impl Vm {
    /// Copies `values` out of this VM as bytes that another VM, in this process or another,
    /// rebuilds with [`Vm::import_values`]: the values, what they refer to (shared objects
    /// and cycles kept), and for continuations their code and what they captured, with the
    /// globals the code names. `word` names the operation in errors.
    ///
    /// # Errors
    /// A `type` error naming a value that cannot cross (a future, a channel, a task, a
    /// native object).
    pub fn export_values(&self, values: &[Value], word: &'static str) -> Result<Vec<u8>, Error> {
        let mut exporter = Exporter::new(self, word);
        for (i, &value) in values.iter().enumerate() {
            exporter.root(value, &format!("value {}", i + 1))?;
        }
        let portable = exporter.finish();
        Ok(bincode::serde::encode_to_vec(&portable, bincode::config::standard()).expect("a copy always encodes"))
    }

    /// Rebuilds values written by [`Vm::export_values`]. The bytes may come from anywhere
    /// (the network): they are checked, and the code they carry verified, before anything
    /// is made. With `bind_globals`, the globals the code names are bound here too (where
    /// this VM has no binding of its own that is reserved).
    ///
    /// # Errors
    /// A `parse` error for bytes that are not such a copy, or carry malformed code.
    pub fn import_values(&mut self, bytes: &[u8], bind_globals: bool) -> Result<Vec<Value>, Error> {
        let bad = |message: String| Error::new(crate::ErrorKind::Parse, format!("not a copy of Kai values: {message}"));
        let (portable, used) = bincode::serde::decode_from_slice::<Portable, _>(bytes, bincode::config::standard())
            .map_err(|e| bad(e.to_string()))?;
        if used != bytes.len() {
            return Err(bad(format!("{} bytes left over", bytes.len() - used)));
        }
        portable.check().map_err(bad)?;
        portable.import(self, bind_globals)
    }
}
