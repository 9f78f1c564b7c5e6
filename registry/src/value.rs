//! [`Value`]: what the data stack, variables and containers hold.

use gc::{Handle, Tracer};

use crate::name::Name;

/// A Kai value: an immediate, or a handle to an object in the [`crate::Registry`].
///
/// `Value` is `Copy` and 16 bytes: a full 8-byte tag, then every variant's payload at
/// offset 8 (`repr(u64)`). With one payload offset a value is copied as two words or one
/// 16-byte move, never in pieces at odd offsets: those cost the executor a stall wherever a
/// value written in pieces was read back whole (store forwarding fails), about 1.7x on a
/// counting loop. Copying a heap value copies the reference, so arrays and maps are
/// shared. `PartialEq` is *identity*: equal immediates, or the same object. Kai's
/// `==` (structural, numeric across int and float) is [`crate::Registry::equals`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u64)]
pub enum Value {
    /// The absence of a value.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit signed integer; arithmetic on it never wraps silently.
    Int(i64),
    /// A 64-bit IEEE float.
    Float(f64),
    /// A quoted identifier, `'foo`; interned.
    Name(Name),
    /// An immutable UTF-8 string ([`crate::Str`]).
    Str(Handle),
    /// An immutable byte string.
    Bytes(Handle),
    /// A mutable, growable array shared by reference.
    Array(Handle),
    /// A mutable, insertion-ordered map shared by reference ([`crate::Map`]).
    Map(Handle),
    /// A continuation: code plus the scope it captured ([`crate::Closure`]).
    Cont(Handle),
    /// A Rust value registered by an embedder ([`crate::NativeObject`]).
    Native(Handle),
}

impl Value {
    /// The handle of a heap value, or `None` for an immediate.
    #[inline]
    pub fn handle(self) -> Option<Handle> {
        match self {
            Value::Str(h) | Value::Bytes(h) | Value::Array(h) | Value::Map(h) | Value::Cont(h) | Value::Native(h) => {
                Some(h)
            }
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Name(_) => None,
        }
    }

    /// Reports the value's handle, if any, to the collector.
    #[inline]
    pub fn trace(self, tracer: &mut Tracer<'_>) {
        if let Some(handle) = self.handle() {
            tracer.mark(handle);
        }
    }

    /// The type name `type` pushes: `"int"`, `"string"`, `"continuation"`, ….
    /// A native object's name comes from the object, see [`crate::Registry::type_name`].
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Name(_) => "name",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Cont(_) => "continuation",
            Value::Native(_) => "native",
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Name> for Value {
    fn from(n: Name) -> Value {
        Value::Name(n)
    }
}
