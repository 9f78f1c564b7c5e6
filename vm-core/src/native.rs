//! Native functions: Rust functions registered by the embedder and callable as Pi words and
//! Rho functions, with conversion of arguments and results.

use std::fmt::Display;
use std::rc::Rc;

use registry::{Name, Value};

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

/// The shape every native function takes: the VM and its arguments (first argument first).
pub type NativeFn = Rc<dyn Fn(&mut Vm, &[Value]) -> Result<Value, Error>>;

pub(crate) struct Native {
    pub name: Name,
    pub arity: usize,
    pub f: NativeFn,
}

/// A Rust type a native function can take as an argument.
pub trait FromValue: Sized {
    /// How the expected type is named in error messages (`"an int"`).
    const EXPECTED: &'static str;

    /// Converts `value`, or `None` if it has the wrong type.
    fn from_value(vm: &Vm, value: Value) -> Option<Self>;
}

impl FromValue for Value {
    const EXPECTED: &'static str = "any value";
    fn from_value(_: &Vm, value: Value) -> Option<Self> {
        Some(value)
    }
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "an int";
    fn from_value(_: &Vm, value: Value) -> Option<Self> {
        match value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_value(_: &Vm, value: Value) -> Option<Self> {
        match value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "a bool";
    fn from_value(_: &Vm, value: Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "a string";
    fn from_value(vm: &Vm, value: Value) -> Option<Self> {
        vm.registry().text(value).map(str::to_string)
    }
}

impl FromValue for Vec<Value> {
    const EXPECTED: &'static str = "an array";
    fn from_value(vm: &Vm, value: Value) -> Option<Self> {
        match value {
            Value::Array(h) => vm.registry().array(h).ok().cloned(),
            _ => None,
        }
    }
}

/// A Rust type a native function can return.
pub trait IntoValue {
    /// Converts into a Kai value.
    ///
    /// # Errors
    /// For `Result::Err`, a `user` error carrying the error's text.
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error>;
}

impl IntoValue for Value {
    fn into_value(self, _: &mut Vm) -> Result<Value, Error> {
        Ok(self)
    }
}

impl IntoValue for () {
    fn into_value(self, _: &mut Vm) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
}

impl IntoValue for i64 {
    fn into_value(self, _: &mut Vm) -> Result<Value, Error> {
        Ok(Value::Int(self))
    }
}

impl IntoValue for f64 {
    fn into_value(self, _: &mut Vm) -> Result<Value, Error> {
        Ok(Value::Float(self))
    }
}

impl IntoValue for bool {
    fn into_value(self, _: &mut Vm) -> Result<Value, Error> {
        Ok(Value::Bool(self))
    }
}

impl IntoValue for String {
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error> {
        Ok(vm.new_str(&self))
    }
}

impl IntoValue for &str {
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error> {
        Ok(vm.new_str(self))
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error> {
        self.map_or(Ok(Value::Nil), |v| v.into_value(vm))
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error> {
        let items = self.into_iter().map(|v| v.into_value(vm)).collect::<Result<Vec<_>, _>>()?;
        Ok(vm.new_array(items))
    }
}

impl<T: IntoValue, E: Display> IntoValue for Result<T, E> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, Error> {
        match self {
            Ok(v) => v.into_value(vm),
            Err(e) => Err(Error::new(ErrorKind::User, e.to_string())),
        }
    }
}

/// Rust closures that can be registered with [`Vm::register_fn`]: any `Fn` of up to six
/// [`FromValue`] arguments returning an [`IntoValue`].
pub trait IntoNative<Args> {
    /// The number of arguments.
    const ARITY: usize;
    /// Wraps the closure with argument checks that name `name` in errors.
    fn into_native(self, name: Rc<str>) -> NativeFn;
}

fn convert<T: FromValue>(vm: &Vm, name: &str, args: &[Value], index: usize) -> Result<T, Error> {
    T::from_value(vm, args[index]).ok_or_else(|| {
        Error::type_error(format!(
            "{name}: argument {} must be {}, got {}",
            index + 1,
            T::EXPECTED,
            vm.registry().type_name(args[index])
        ))
    })
}

macro_rules! into_native {
    ($n:expr; $($arg:ident $i:tt),*) => {
        impl<F, R, $($arg),*> IntoNative<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + 'static,
            R: IntoValue,
            $($arg: FromValue,)*
        {
            const ARITY: usize = $n;
            #[allow(unused_variables)]
            fn into_native(self, name: Rc<str>) -> NativeFn {
                Rc::new(move |vm: &mut Vm, args: &[Value]| {
                    let result = self($(convert::<$arg>(vm, &name, args, $i)?),*);
                    result.into_value(vm)
                })
            }
        }
    };
}

into_native!(0;);
into_native!(1; A 0);
into_native!(2; A 0, B 1);
into_native!(3; A 0, B 1, C 2);
into_native!(4; A 0, B 1, C 2, D 3);
into_native!(5; A 0, B 1, C 2, D 3, E 4);
into_native!(6; A 0, B 1, C 2, D 3, E 4, G 5);

impl Vm {
    /// Registers a Rust closure as a native function callable as Pi word `name` (and as a
    /// Rho function). Arguments are converted with [`FromValue`]; a mismatch is a `type`
    /// error naming the function and the argument.
    ///
    /// ```ignore
    /// vm.register_fn("hypot", |a: f64, b: f64| (a * a + b * b).sqrt())?;
    /// ```
    ///
    /// Code compiled after registration sees the word; `name` becomes reserved.
    ///
    /// # Errors
    /// A `type` error if `name` is a built-in word.
    pub fn register_fn<Args, F: IntoNative<Args>>(&mut self, name: &str, f: F) -> Result<(), Error> {
        let native = f.into_native(Rc::from(name));
        self.register_native(name, F::ARITY, move |vm, args| native(vm, args))
    }

    /// Registers a native function working on raw values: it receives exactly `arity`
    /// arguments (first argument first) and returns one value.
    ///
    /// # Errors
    /// A `type` error if `name` is a built-in word.
    pub fn register_native(
        &mut self,
        name: &str,
        arity: usize,
        f: impl Fn(&mut Vm, &[Value]) -> Result<Value, Error> + 'static,
    ) -> Result<(), Error> {
        let name = self.intern(name);
        self.add_native(Native { name, arity, f: Rc::new(f) })
    }
}
