//! [`Object`]: everything that lives in the heap, and how each kind is traced.

use std::rc::Rc;

use gc::{Handle, Trace, Tracer};

use crate::map::MapObject;
use crate::name::Name;
use crate::native::NativeObject;
use crate::scope::Scope;
use crate::string::Str;
use crate::value::Value;

/// Compiled code, as the executor defines it. The registry only needs to trace it: code
/// holds constants (string literals) that live in the heap.
pub trait Code: 'static {
    /// Reports every heap value the code holds as a constant.
    fn trace(&self, tracer: &mut Tracer<'_>);
}

/// A continuation value: code plus the scope it captured.
pub struct Closure<C> {
    /// The code run by `&` and `!`; shared by every closure made from the same literal.
    pub code: Rc<C>,
    /// The captured scope; `None` is the global scope.
    pub scope: Option<Handle>,
    /// The name the closure was first stored under, for traces and printing.
    pub name: Option<Name>,
    /// For a function (a Rho `fun`), the number of parameters it takes (at most
    /// [`Closure::MAX_ARITY`]).
    pub arity: Option<u16>,
}

impl<C> Closure<C> {
    /// The most parameters a function can take.
    pub const MAX_ARITY: u16 = u16::MAX;
}

/// A heap object. The variant fixes the object's kind for life.
pub enum Object<C> {
    Str(Str),
    Bytes(Box<[u8]>),
    Array(Vec<Value>),
    Map(Box<MapObject>),
    Closure(Closure<C>),
    Scope(Box<Scope>),
    Native(Box<dyn NativeObject>),
}

impl<C> Object<C> {
    /// What kind of object this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Str(_) => "string",
            Object::Bytes(_) => "bytes",
            Object::Array(_) => "array",
            Object::Map(_) => "map",
            Object::Closure(_) => "continuation",
            Object::Scope(_) => "scope",
            Object::Native(_) => "native",
        }
    }
}

impl<C: Code> Trace for Object<C> {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        match self {
            Object::Str(_) | Object::Bytes(_) => {}
            Object::Array(items) => items.iter().for_each(|v| v.trace(tracer)),
            Object::Map(map) => map.map().values().for_each(|v| v.trace(tracer)),
            Object::Closure(closure) => {
                if let Some(scope) = closure.scope {
                    tracer.mark(scope);
                }
                closure.code.trace(tracer);
            }
            Object::Scope(scope) => {
                if let Some(parent) = scope.parent {
                    tracer.mark(parent);
                }
                scope.vars.iter().for_each(|(_, v)| v.trace(tracer));
            }
            Object::Native(native) => {
                native.trace(&mut |v| v.trace(tracer));
                native.trace_handles(&mut |h| tracer.mark(h));
            }
        }
    }

    fn extra_bytes(&self) -> usize {
        const VALUE: usize = std::mem::size_of::<Value>();
        match self {
            Object::Str(s) => s.heap_bytes(),
            Object::Bytes(b) => b.len(),
            Object::Array(items) => items.capacity() * VALUE,
            Object::Map(map) => map.heap_bytes(),
            Object::Closure(_) => 0,
            Object::Scope(scope) => {
                let spilled = if scope.vars.spilled() { scope.vars.capacity() * (VALUE + 8) } else { 0 };
                std::mem::size_of::<Scope>() + spilled
            }
            Object::Native(native) => native.size_bytes(),
        }
    }

    fn can_hold_handles(&self) -> bool {
        !matches!(self, Object::Str(_) | Object::Bytes(_))
    }

    fn part_positions(&self) -> usize {
        match self {
            Object::Array(items) => items.len(),
            Object::Map(map) => map.map().len(),
            _ => 0,
        }
    }

    fn trace_part(&self, from: usize, to: usize, tracer: &mut Tracer<'_>) {
        match self {
            Object::Array(items) => {
                let to = to.min(items.len());
                items[from.min(to)..to].iter().for_each(|v| v.trace(tracer));
            }
            Object::Map(map) => {
                let to = to.min(map.map().len());
                if let Some(part) = map.map().get_range(from.min(to)..to) {
                    part.values().for_each(|v| v.trace(tracer));
                }
            }
            _ => self.trace(tracer),
        }
    }
}
