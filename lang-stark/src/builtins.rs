//! Stark's built-in functions, each defined once: its typing rule (result type from the
//! argument types) and the Pi it becomes. The arguments are pushed in order, then the
//! words; an `Effect` leaves `nil` (Stark's `Unit`) after its words.

use lang_pi::{Node, NodeKind};
use vm_core::Span;

use crate::types::Type;

/// How a built-in's Pi ends.
pub(crate) enum Shape {
    /// The words leave the result.
    Value(&'static [&'static str]),
    /// The words leave nothing; the call's value is `nil`.
    Effect(&'static [&'static str]),
    /// `print`: its arguments joined by spaces.
    Print,
    /// `format(f, a, b, …)`: `f [a b …] format`.
    Format,
}

pub(crate) struct Builtin {
    pub name: &'static str,
    /// The accepted argument counts, `min..=max`.
    pub min: usize,
    pub max: usize,
    pub signature: &'static str,
    /// The result type from the argument types (their count already checked), or what is
    /// wrong with them.
    pub rule: fn(&[Type]) -> Result<Type, String>,
    pub shape: Shape,
}

type Rule = fn(&[Type]) -> Result<Type, String>;

const fn b(name: &'static str, min: usize, max: usize, signature: &'static str, rule: Rule, shape: Shape) -> Builtin {
    Builtin { name, min, max, signature, rule, shape }
}

fn want(t: &Type, expected: &Type, what: &str) -> Result<(), String> {
    if t.fits(expected) { Ok(()) } else { Err(format!("{what} must be {expected}, not {t}")) }
}

fn array_of(t: &Type, what: &str) -> Result<Type, String> {
    match t {
        Type::Array(e) => Ok((**e).clone()),
        Type::Any | Type::Unknown => Ok(Type::Any),
        other => Err(format!("{what} must be an array, not {other}")),
    }
}

fn numeric(t: &Type, what: &str) -> Result<Type, String> {
    match t {
        Type::Int | Type::Float | Type::Unknown => Ok(t.clone()),
        Type::Any => Ok(Type::Any),
        other => Err(format!("{what} must be Int or Float, not {other}")),
    }
}

fn function(t: &Type, arity: usize, what: &str) -> Result<(Vec<Type>, Type), String> {
    match t {
        Type::Fn(params, result) if params.len() == arity => Ok((params.clone(), (**result).clone())),
        Type::Unknown | Type::Any => Ok((vec![Type::Unknown; arity], Type::Unknown)),
        other => Err(format!("{what} must be a function of {arity} argument(s), not {other}")),
    }
}

fn future_of(t: &Type, what: &str) -> Result<Type, String> {
    match t {
        Type::Future(e) => Ok((**e).clone()),
        Type::Unknown | Type::Any => Ok(Type::Unknown),
        other => Err(format!("{what} must be a future, not {other}")),
    }
}

fn map_of(t: &Type, what: &str) -> Result<(Type, Type), String> {
    match t {
        Type::Map(k, v) => Ok(((**k).clone(), (**v).clone())),
        Type::Unknown | Type::Any => Ok((Type::Any, Type::Any)),
        other => Err(format!("{what} must be a map, not {other}")),
    }
}

fn arr(t: Type) -> Type {
    Type::Array(Box::new(t))
}

pub(crate) static BUILTINS: &[Builtin] = &[
    b("print", 0, usize::MAX, "print(a, b, …)", |_| Ok(Type::Unit), Shape::Print),
    b(
        "format",
        1,
        usize::MAX,
        "format(template: String, a, b, …) -> String: `{}` and `{:.3}`-style specs, as Pi's format",
        |a| want(&a[0], &Type::String, "the template").map(|()| Type::String),
        Shape::Format,
    ),
    b("args", 0, 0, "args() -> [String]: the program's arguments", |_| Ok(arr(Type::String)), Shape::Value(&["args"])),
    b("str", 1, 1, "str(x) -> String", |_| Ok(Type::String), Shape::Value(&["str"])),
    b(
        "int",
        1,
        1,
        "int(x: Float | String | Int) -> Int",
        |a| match &a[0] {
            Type::Int | Type::Float | Type::String | Type::Bool | Type::Any | Type::Unknown => Ok(Type::Int),
            other => Err(format!("int() converts a number or a string, not {other}")),
        },
        Shape::Value(&["int"]),
    ),
    b(
        "float",
        1,
        1,
        "float(x: Int | String | Float) -> Float",
        |a| match &a[0] {
            Type::Int | Type::Float | Type::String | Type::Any | Type::Unknown => Ok(Type::Float),
            other => Err(format!("float() converts a number or a string, not {other}")),
        },
        Shape::Value(&["float"]),
    ),
    b(
        "len",
        1,
        1,
        "len(x: [T] | String | Map<K, V>) -> Int",
        |a| match &a[0] {
            Type::Array(_) | Type::String | Type::Bytes | Type::Map(..) | Type::Any | Type::Unknown => Ok(Type::Int),
            other => Err(format!("len() takes an array, a string or a map, not {other}")),
        },
        Shape::Value(&["size"]),
    ),
    b(
        "push",
        2,
        2,
        "push(xs: [T], x: T)",
        |a| {
            let e = array_of(&a[0], "push's first argument")?;
            want(&a[1], &e, "the element pushed")?;
            Ok(Type::Unit)
        },
        Shape::Effect(&["push", "drop"]),
    ),
    b("pop", 1, 1, "pop(xs: [T]) -> T", |a| array_of(&a[0], "pop's argument"), Shape::Value(&["pop", "nip"])),
    b(
        "range",
        2,
        2,
        "range(from: Int, to: Int) -> [Int]",
        |a| {
            want(&a[0], &Type::Int, "range's start")?;
            want(&a[1], &Type::Int, "range's end")?;
            Ok(arr(Type::Int))
        },
        Shape::Value(&["range"]),
    ),
    b(
        "keys",
        1,
        1,
        "keys(m: Map<K, V>) -> [K]",
        |a| Ok(arr(map_of(&a[0], "keys' argument")?.0)),
        Shape::Value(&["keys"]),
    ),
    b(
        "values",
        1,
        1,
        "values(m: Map<K, V>) -> [V]",
        |a| Ok(arr(map_of(&a[0], "values' argument")?.1)),
        Shape::Value(&["values"]),
    ),
    b(
        "has",
        2,
        2,
        "has(m: Map<K, V>, k: K) -> Bool",
        |a| {
            let (k, _) = map_of(&a[0], "has' first argument")?;
            want(&a[1], &k, "the key")?;
            Ok(Type::Bool)
        },
        Shape::Value(&["has"]),
    ),
    b(
        "remove",
        2,
        2,
        "remove(m: Map<K, V>, k: K)",
        |a| {
            let (k, _) = map_of(&a[0], "remove's first argument")?;
            want(&a[1], &k, "the key")?;
            Ok(Type::Unit)
        },
        Shape::Effect(&["remove", "drop"]),
    ),
    b("sort", 1, 1, "sort(xs: [T]) -> [T]", |a| Ok(arr(array_of(&a[0], "sort's argument")?)), Shape::Value(&["sort"])),
    b(
        "reverse",
        1,
        1,
        "reverse(xs: [T]) -> [T]",
        |a| Ok(arr(array_of(&a[0], "reverse's argument")?)),
        Shape::Value(&["reverse"]),
    ),
    b(
        "map",
        2,
        2,
        "map(xs: [T], f: fn(T) -> U) -> [U]",
        |a| {
            let e = array_of(&a[0], "map's first argument")?;
            let (params, result) = function(&a[1], 1, "map's second argument")?;
            want(&e, &params[0], "the elements")?;
            Ok(arr(result))
        },
        Shape::Value(&["map"]),
    ),
    b(
        "filter",
        2,
        2,
        "filter(xs: [T], f: fn(T) -> Bool) -> [T]",
        |a| {
            let e = array_of(&a[0], "filter's first argument")?;
            let (params, result) = function(&a[1], 1, "filter's second argument")?;
            want(&e, &params[0], "the elements")?;
            want(&result, &Type::Bool, "the function's result")?;
            Ok(arr(e))
        },
        Shape::Value(&["filter"]),
    ),
    b("abs", 1, 1, "abs(x: Int | Float)", |a| numeric(&a[0], "abs' argument"), Shape::Value(&["abs"])),
    b(
        "min",
        2,
        2,
        "min(a, b: Int | Float)",
        |a| {
            let t = numeric(&a[0], "min's first argument")?;
            want(&a[1], &t, "min's second argument")?;
            Ok(t)
        },
        Shape::Value(&["min"]),
    ),
    b(
        "max",
        2,
        2,
        "max(a, b: Int | Float)",
        |a| {
            let t = numeric(&a[0], "max's first argument")?;
            want(&a[1], &t, "max's second argument")?;
            Ok(t)
        },
        Shape::Value(&["max"]),
    ),
    b(
        "sqrt",
        1,
        1,
        "sqrt(x: Float) -> Float",
        |a| want(&a[0], &Type::Float, "sqrt's argument").map(|()| Type::Float),
        Shape::Value(&["sqrt"]),
    ),
    b(
        "floor",
        1,
        1,
        "floor(x: Float) -> Int",
        |a| want(&a[0], &Type::Float, "floor's argument").map(|()| Type::Int),
        Shape::Value(&["floor"]),
    ),
    b(
        "split",
        2,
        2,
        "split(s: String, sep: String) -> [String]",
        |a| {
            want(&a[0], &Type::String, "split's first argument")?;
            want(&a[1], &Type::String, "the separator")?;
            Ok(arr(Type::String))
        },
        Shape::Value(&["split"]),
    ),
    b(
        "join",
        2,
        2,
        "join(xs: [String], sep: String) -> String",
        |a| {
            want(&a[0], &arr(Type::String), "join's first argument")?;
            want(&a[1], &Type::String, "the separator")?;
            Ok(Type::String)
        },
        Shape::Value(&["join"]),
    ),
    b(
        "upper",
        1,
        1,
        "upper(s: String) -> String",
        |a| want(&a[0], &Type::String, "upper's argument").map(|()| Type::String),
        Shape::Value(&["upper"]),
    ),
    b(
        "lower",
        1,
        1,
        "lower(s: String) -> String",
        |a| want(&a[0], &Type::String, "lower's argument").map(|()| Type::String),
        Shape::Value(&["lower"]),
    ),
    b(
        "trim",
        1,
        1,
        "trim(s: String) -> String",
        |a| want(&a[0], &Type::String, "trim's argument").map(|()| Type::String),
        Shape::Value(&["trim"]),
    ),
    b(
        "exit",
        1,
        1,
        "exit(code: Int)",
        |a| want(&a[0], &Type::Int, "the exit code").map(|()| Type::Unit),
        Shape::Effect(&["exit"]),
    ),
    // Concurrency (SPEC §6).
    b(
        "sleep",
        1,
        1,
        "sleep(ms: Int)",
        |a| want(&a[0], &Type::Int, "sleep's argument").map(|()| Type::Unit),
        Shape::Effect(&["sleep"]),
    ),
    b(
        "yield_now",
        0,
        0,
        "yield_now(): lets every other runnable task run first",
        |_| Ok(Type::Unit),
        Shape::Effect(&["yield"]),
    ),
    b("now", 0, 0, "now() -> Float (milliseconds, monotonic)", |_| Ok(Type::Float), Shape::Value(&["now"])),
    b(
        "after",
        2,
        2,
        "after(ms: Int, f: fn() -> T) -> Future<T>",
        |a| {
            want(&a[0], &Type::Int, "after's delay")?;
            let (_, result) = function(&a[1], 0, "after's function")?;
            Ok(Type::Future(Box::new(result)))
        },
        Shape::Value(&["after"]),
    ),
    b(
        "every",
        2,
        2,
        "every(ms: Int, f: fn() -> T) -> Future<Unit>",
        |a| {
            want(&a[0], &Type::Int, "every's period")?;
            function(&a[1], 0, "every's function")?;
            Ok(Type::Future(Box::new(Type::Unit)))
        },
        Shape::Value(&["every"]),
    ),
    b(
        "cancel",
        1,
        1,
        "cancel(f: Future<T>)",
        |a| future_of(&a[0], "cancel's argument").map(|_| Type::Unit),
        Shape::Effect(&["cancel"]),
    ),
    b(
        "timeout",
        2,
        2,
        "timeout(f: Future<T>, ms: Int) -> T",
        |a| {
            let t = future_of(&a[0], "timeout's first argument")?;
            want(&a[1], &Type::Int, "the time limit")?;
            Ok(t)
        },
        Shape::Value(&["timeout"]),
    ),
    b(
        "select",
        1,
        1,
        "select(chs: [Channel<T>]) -> T: a value from whichever channel has one first",
        |a| match array_of(&a[0], "select's argument")? {
            Type::Channel(t) => Ok(*t),
            Type::Any | Type::Unknown => Ok(Type::Any),
            other => Err(format!("select takes an array of channels, not of {other}")),
        },
        Shape::Value(&["select", "drop"]),
    ),
    b("cores", 0, 0, "cores() -> Int", |_| Ok(Type::Int), Shape::Value(&["cores"])),
    b(
        "parallel_map",
        2,
        2,
        "parallel_map(xs: [T], f: fn(T) -> U) -> [U]",
        |a| {
            let e = array_of(&a[0], "parallel_map's first argument")?;
            let (params, result) = function(&a[1], 1, "parallel_map's function")?;
            want(&e, &params[0], "the elements")?;
            Ok(arr(result))
        },
        Shape::Value(&["par_map"]),
    ),
    b(
        "parallel_reduce",
        3,
        3,
        "parallel_reduce(xs: [T], init: T, f: fn(T, T) -> T) -> T",
        |a| {
            let e = array_of(&a[0], "parallel_reduce's first argument")?;
            want(&a[1], &e, "the initial value")?;
            let (params, result) = function(&a[2], 2, "parallel_reduce's function")?;
            want(&e, &params[0], "the elements")?;
            want(&result, &e, "the function's result")?;
            Ok(e)
        },
        Shape::Value(&["par_reduce"]),
    ),
    // Observability: the Pi words `log` and `metric`.
    b("log", 1, 1, "log(message)", |_| Ok(Type::Unit), Shape::Effect(&["log"])),
    b(
        "emit_metric",
        2,
        2,
        "emit_metric(name: String, value: Int | Float)",
        |a| {
            want(&a[0], &Type::String, "the metric's name")?;
            numeric(&a[1], "the metric's value")?;
            Ok(Type::Unit)
        },
        Shape::Effect(&["swap", "metric"]),
    ),
];

pub(crate) fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

fn word(text: &str, span: Span) -> Node {
    Node::word(text, span)
}

impl Builtin {
    /// The Pi for a call whose arguments translate to `args`.
    pub(crate) fn call(&self, args: Vec<Vec<Node>>, span: Span, out: &mut Vec<Node>) {
        match self.shape {
            Shape::Value(words) => {
                args.into_iter().for_each(|a| out.extend(a));
                out.extend(words.iter().map(|w| word(w, span)));
            }
            Shape::Effect(words) => {
                args.into_iter().for_each(|a| out.extend(a));
                out.extend(words.iter().map(|w| word(w, span)));
                out.push(Node::new(NodeKind::Nil, span));
            }
            Shape::Format => {
                let mut args = args.into_iter();
                out.extend(args.next().unwrap_or_default());
                out.push(Node::new(NodeKind::Array(args.flatten().collect()), span));
                out.push(word("format", span));
            }
            Shape::Print => {
                let mut args = args;
                match args.len() {
                    0 => out.push(Node::new(NodeKind::Str(String::new()), span)),
                    1 => out.extend(args.pop().unwrap_or_default()),
                    _ => {
                        // Each argument as text, so that a string prints without quotes.
                        let mut items = Vec::new();
                        for a in args {
                            items.extend(a);
                            items.push(word("str", span));
                        }
                        out.push(Node::new(NodeKind::Array(items), span));
                        out.push(Node::new(NodeKind::Str(" ".to_string()), span));
                        out.push(word("join", span));
                    }
                }
                out.push(word("print", span));
                out.push(Node::new(NodeKind::Nil, span));
            }
        }
    }
}
