//! Conversions between Rust values and wire [`Value`]s, which generated Rust code is built
//! on: [`Tau`] for every type an interface can use, and the helpers generated proxies and
//! agents call.

use std::collections::BTreeMap;

use crate::net::CallError;
use crate::wire::{RemoteError, Value};

/// A Rust type that stands for a Tau type.
pub trait Tau: Sized {
    fn to_value(&self) -> Value;
    /// # Errors
    /// What the value is, if it is not one of this type.
    fn from_value(value: Value) -> Result<Self, String>;
}

/// Tau's `bytes`: a byte string, kept apart from `int[]` (a `Vec` of ints).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

fn wrong(expected: &str, value: &Value) -> String {
    format!("expected {expected}, got {}", describe(value))
}

/// A value as an error message names it: its kind, and for an int or an enum its value.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Int(i) => format!("the int {i}"),
        Value::Enum(i) => format!("the enum value {i}"),
        other => other.kind().to_string(),
    }
}

macro_rules! leaf {
    ($rust:ty, $variant:ident, $name:literal) => {
        impl Tau for $rust {
            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }
            fn from_value(value: Value) -> Result<Self, String> {
                match value {
                    Value::$variant(v) => Ok(v),
                    other => Err(wrong($name, &other)),
                }
            }
        }
    };
}

leaf!(bool, Bool, "a bool");
leaf!(i64, Int, "an int");
leaf!(String, String, "a string");

impl Tau for f64 {
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    /// An int is a float too, as it is in Rho and Pi arithmetic.
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(wrong("a float", &other)),
        }
    }
}

impl Tau for () {
    fn to_value(&self) -> Value {
        Value::Void
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Void => Ok(()),
            other => Err(wrong("nothing (void)", &other)),
        }
    }
}

impl Tau for Bytes {
    fn to_value(&self) -> Value {
        Value::Bytes(self.0.clone())
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Bytes(b) => Ok(Bytes(b)),
            other => Err(wrong("bytes", &other)),
        }
    }
}

impl<T: Tau> Tau for Vec<T> {
    fn to_value(&self) -> Value {
        Value::Array(self.iter().map(Tau::to_value).collect())
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_value).collect(),
            other => Err(wrong("an array", &other)),
        }
    }
}

impl<K: Tau + Ord, V: Tau> Tau for BTreeMap<K, V> {
    fn to_value(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.to_value(), v.to_value())).collect())
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Map(entries) => {
                entries.into_iter().map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?))).collect()
            }
            other => Err(wrong("a map", &other)),
        }
    }
}

/// The fields of a struct value named `name`, exactly `N` of them.
///
/// # Errors
/// When the value is not a struct of `N` fields.
pub fn fields<const N: usize>(value: Value, name: &str) -> Result<[Value; N], String> {
    match value {
        Value::Struct(fields) => {
            let count = fields.len();
            <[Value; N]>::try_from(fields).map_err(|_| format!("expected a {name} of {N} fields, got {count}"))
        }
        other => Err(wrong(&format!("a {name}"), &other)),
    }
}

/// A struct field's value, with the field named in the error.
///
/// # Errors
/// When the field's value has the wrong type.
pub fn field<T: Tau>(value: Value, owner: &str, name: &str) -> Result<T, String> {
    T::from_value(value).map_err(|e| format!("{owner}.{name}: {e}"))
}

/// The arguments of a call to `member`, exactly `N` of them (an agent's side).
///
/// # Errors
/// An `arity` error when the count is wrong.
pub fn arguments<const N: usize>(args: Vec<Value>, member: &str) -> Result<[Value; N], RemoteError> {
    let count = args.len();
    <[Value; N]>::try_from(args)
        .map_err(|_| RemoteError::new("arity", format!("{member} takes {N} arguments, and was given {count}")))
}

/// An argument converted for the implementation (an agent's side).
///
/// # Errors
/// A `type` error naming the parameter.
pub fn argument<T: Tau>(value: Value, member: &str, param: &str) -> Result<T, RemoteError> {
    T::from_value(value).map_err(|e| RemoteError::new("type", format!("{member}: argument `{param}`: {e}")))
}

/// A result converted for the caller (a proxy's side).
///
/// # Errors
/// A [`CallError::Type`] naming the member.
pub fn result<T: Tau>(value: Value, member: &str) -> Result<T, CallError> {
    T::from_value(value).map_err(|e| CallError::Type(format!("the result of {member}: {e}")))
}

/// An unknown method or property (an agent's side).
pub fn unknown(what: &str, name: &str, interface: &str) -> RemoteError {
    RemoteError::new("undefined", format!("{interface} has no {what} `{name}`"))
}
