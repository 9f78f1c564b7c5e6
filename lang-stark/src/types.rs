//! Stark's types, as the checker works with them, and how each is shown in messages.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Int,
    Float,
    Bool,
    String,
    Bytes,
    Unit,
    /// A value from Pi or Rho, checked at run time where it is used as something typed.
    Any,
    Array(Box<Type>),
    Map(Box<Type>, Box<Type>),
    Future(Box<Type>),
    Channel(Box<Type>),
    Fn(Vec<Type>, Box<Type>),
    Struct(String),
    Enum(String),
    Actor(String),
    /// The element type of an empty literal (`[]`, `{}`): fits any type.
    Empty,
    /// Not known because of an earlier error: fits anything, so one mistake is reported once.
    Unknown,
}

impl Type {
    /// Whether a value of type `self` may be used where `expected` is wanted, exactly or
    /// through a run-time check (`Any`).
    pub fn fits(&self, expected: &Type) -> bool {
        use Type::*;
        match (self, expected) {
            (Unknown, _) | (_, Unknown) | (Any, _) | (_, Any) | (Empty, _) | (_, Empty) => true,
            (Array(a), Array(b)) | (Future(a), Future(b)) | (Channel(a), Channel(b)) => a.fits_exactly(b),
            (Map(k1, v1), Map(k2, v2)) => k1.fits_exactly(k2) && v1.fits_exactly(v2),
            (Fn(p1, r1), Fn(p2, r2)) => {
                p1.len() == p2.len() && p1.iter().zip(p2).all(|(a, b)| a.fits_exactly(b)) && r1.fits_exactly(r2)
            }
            _ => self == expected,
        }
    }

    /// As [`Type::fits`], inside a container: `[Any]` and `[Int]` are different types, but
    /// an empty literal and an unknown still fit.
    fn fits_exactly(&self, expected: &Type) -> bool {
        match (self, expected) {
            (Type::Unknown, _) | (_, Type::Unknown) | (Type::Empty, _) | (_, Type::Empty) => true,
            _ => self.fits(expected) && (self == &Type::Any) == (expected == &Type::Any),
        }
    }

    /// Whether a run-time check is needed to use a `self` as an `expected`.
    pub fn needs_check(&self, expected: &Type) -> bool {
        *self == Type::Any && !matches!(expected, Type::Any | Type::Unknown | Type::Empty)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }

    /// Whether the type is unknown because of an earlier error.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Type::Unknown)
    }

    /// What the Pi word `type` says of a value of this type, if one answer fits all.
    pub fn pi_type_name(&self) -> Option<&'static str> {
        Some(match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Unit => "nil",
            Type::Array(_) => "array",
            Type::Map(..) | Type::Struct(_) | Type::Enum(_) => "map",
            Type::Future(_) => "future",
            Type::Channel(_) => "channel",
            Type::Actor(_) => "actor",
            Type::Fn(..) => "continuation",
            Type::Any | Type::Empty | Type::Unknown => return None,
        })
    }

    /// The element type of a collection iterated by `for`.
    pub fn element(&self) -> Option<Type> {
        match self {
            Type::Array(t) => Some((**t).clone()),
            Type::Map(k, _) => Some((**k).clone()),
            Type::String => Some(Type::String),
            Type::Any | Type::Unknown => Some(Type::Any),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("Int"),
            Type::Float => f.write_str("Float"),
            Type::Bool => f.write_str("Bool"),
            Type::String => f.write_str("String"),
            Type::Bytes => f.write_str("Bytes"),
            Type::Unit => f.write_str("Unit"),
            Type::Any => f.write_str("Any"),
            Type::Array(t) => write!(f, "[{t}]"),
            Type::Map(k, v) => write!(f, "Map<{k}, {v}>"),
            Type::Future(t) => write!(f, "Future<{t}>"),
            Type::Channel(t) => write!(f, "Channel<{t}>"),
            Type::Fn(params, result) => {
                f.write_str("fn(")?;
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                write!(f, ") -> {result}")
            }
            Type::Struct(name) | Type::Enum(name) | Type::Actor(name) => f.write_str(name),
            Type::Empty => f.write_str("(empty)"),
            Type::Unknown => f.write_str("(unknown)"),
        }
    }
}
