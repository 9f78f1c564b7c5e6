//! Rho's built-in functions and the Pi each one becomes. A call leaves exactly one value;
//! where the Pi word leaves another number of values, the translation adapts it (noted on
//! each entry). Arity is checked when translating.

use lang_pi::{Node, NodeKind};
use vm_core::Span;

/// How a call to a built-in becomes Pi.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    /// The arguments in order, then these words; they leave one value.
    Words(&'static [&'static str]),
    /// The arguments, then these words, which leave nothing; the call's value is `nil`.
    Effect(&'static [&'static str]),
    /// `print(a, b, …)`: the display forms separated by spaces, then a newline; `nil`.
    Print,
    /// `format(fmt, a, b, …)`: `fmt [a b …] format`.
    Format,
    /// `range(n)` is `range(0, n)`; `range(a, b, step)` is Pi's `range_step`.
    Range,
    /// Words that leave any number of values: `[ args words ] single` checks for one.
    Single(&'static [&'static str]),
    /// Words that leave several values, returned as an array: `[ args words ]`.
    Collect(&'static [&'static str]),
}

/// One built-in function.
#[derive(Debug)]
pub(crate) struct Builtin {
    pub name: &'static str,
    pub min: usize,
    /// `None`: any number of arguments from `min`.
    pub max: Option<usize>,
    pub shape: Shape,
    pub doc: &'static str,
}

const fn fixed(name: &'static str, arity: usize, words: &'static [&'static str], doc: &'static str) -> Builtin {
    Builtin { name, min: arity, max: Some(arity), shape: Shape::Words(words), doc }
}

const fn effect(name: &'static str, arity: usize, words: &'static [&'static str], doc: &'static str) -> Builtin {
    Builtin { name, min: arity, max: Some(arity), shape: Shape::Effect(words), doc }
}

/// Every Rho built-in function.
pub(crate) static BUILTINS: &[Builtin] = &[
    // output
    Builtin {
        name: "print",
        min: 0,
        max: None,
        shape: Shape::Print,
        doc: "print(a, b, …): display forms, space-separated, then a newline; nil",
    },
    fixed("trace", 1, &["trace"], "trace(x): writes x's repr to stderr; returns x"),
    effect("log", 1, &["log"], "log(x): an info event on the tracing stream; nil"),
    effect("metric", 2, &["metric"], "metric(value, name): records a metric; nil"),
    effect("gc", 0, &["gc"], "gc(): a full collection; nil"),
    fixed("gc_stats", 0, &["gc_stats"], "gc_stats(): collector statistics as a map"),
    effect("exit", 1, &["exit"], "exit(code): ends the program"),
    // types and conversions
    fixed("type", 1, &["type"], "type(x): the type name"),
    fixed("str", 1, &["str"], "str(x): the display form"),
    fixed("int", 1, &["int"], "int(x): to an int"),
    fixed("float", 1, &["float"], "float(x): to a float"),
    fixed("bool", 1, &["bool"], "bool(x): truthiness"),
    fixed("to_int", 1, &["to_int"], "to_int(x): as int(x), but nil where int fails"),
    fixed("to_float", 1, &["to_float"], "to_float(x): as float(x), but nil where float fails"),
    fixed("new", 1, &["new"], "new(x): a shallow copy"),
    fixed("clone", 1, &["clone"], "clone(x): a deep copy"),
    // arithmetic and bits
    fixed("abs", 1, &["abs"], "abs(x)"),
    fixed("neg", 1, &["neg"], "neg(x)"),
    fixed("min", 2, &["min"], "min(a, b)"),
    fixed("max", 2, &["max"], "max(a, b)"),
    fixed("pow", 2, &["pow"], "pow(a, b)"),
    // math (the constants pi, e, inf and nan are global variables, see vm_core::words::CONSTANTS)
    fixed("sqrt", 1, &["sqrt"], "sqrt(x): square root (NaN below zero)"),
    fixed("sin", 1, &["sin"], "sin(x): sine of radians"),
    fixed("cos", 1, &["cos"], "cos(x): cosine of radians"),
    fixed("tan", 1, &["tan"], "tan(x): tangent of radians"),
    fixed("asin", 1, &["asin"], "asin(x): arcsine in radians"),
    fixed("acos", 1, &["acos"], "acos(x): arccosine in radians"),
    fixed("atan", 1, &["atan"], "atan(x): arctangent in radians"),
    fixed("atan2", 2, &["atan2"], "atan2(y, x): the angle of the point (x, y)"),
    fixed("exp", 1, &["exp"], "exp(x): e to the power x"),
    fixed("ln", 1, &["ln"], "ln(x): natural logarithm (log(x) is the tracing event)"),
    fixed("log10", 1, &["log10"], "log10(x): base-10 logarithm"),
    fixed("log2", 1, &["log2"], "log2(x): base-2 logarithm"),
    fixed("hypot", 2, &["hypot"], "hypot(x, y): sqrt(x*x + y*y)"),
    fixed("floor", 1, &["floor"], "floor(x): the greatest int not above x"),
    fixed("ceil", 1, &["ceil"], "ceil(x): the least int not below x"),
    fixed("round", 1, &["round"], "round(x): the nearest int, halves away from zero"),
    fixed("trunc", 1, &["trunc"], "trunc(x): the int part of x"),
    fixed("is_nan", 1, &["nan?"], "is_nan(x): whether x is NaN"),
    fixed("is_finite", 1, &["finite?"], "is_finite(x): neither infinite nor NaN"),
    fixed("random", 0, &["random"], "random(): a float in [0, 1)"),
    fixed("random_int", 2, &["random_int"], "random_int(lo, hi): an int from lo to hi, both included"),
    effect("seed", 1, &["seed"], "seed(n): restarts the generator from n; nil"),
    fixed("shuffle", 1, &["shuffle"], "shuffle(arr): a copy in random order"),
    fixed("choice", 1, &["choice"], "choice(arr): a random element"),
    fixed("add", 2, &["+"], "add(a, b): a + b"),
    fixed("sub", 2, &["-"], "sub(a, b): a - b"),
    fixed("mul", 2, &["*"], "mul(a, b): a * b"),
    fixed("div", 2, &["/"], "div(a, b): a / b"),
    fixed("mod", 2, &["%"], "mod(a, b): a % b"),
    fixed("not", 1, &["not"], "not(x): !x"),
    fixed("and", 2, &["and"], "and(a, b): both truthy (both evaluated, unlike &&)"),
    fixed("or", 2, &["or"], "or(a, b): either truthy (both evaluated, unlike ||)"),
    fixed("xor", 2, &["xor"], "xor(a, b): exactly one truthy"),
    fixed("band", 2, &["band"], "band(a, b): a & b"),
    fixed("bor", 2, &["bor"], "bor(a, b): a | b"),
    fixed("bxor", 2, &["bxor"], "bxor(a, b): a ^ b"),
    fixed("bnot", 1, &["bnot"], "bnot(a): ~a"),
    fixed("shl", 2, &["shl"], "shl(a, n): a << n"),
    fixed("shr", 2, &["shr"], "shr(a, n): a >> n"),
    // containers
    fixed("len", 1, &["size"], "len(x): elements, entries, code points or bytes"),
    fixed("size", 1, &["size"], "size(x): same as len"),
    fixed("at", 2, &["at"], "at(coll, key): coll[key]"),
    fixed("put", 3, &["put"], "put(coll, key, v): sets in place; returns coll"),
    fixed("push", 2, &["push"], "push(arr, x): appends in place; returns arr"),
    fixed("pop", 1, &["pop", "nip"], "pop(arr): removes and returns the last element (Pi's pop also leaves the array)"),
    fixed("keys", 1, &["keys"], "keys(map): the keys in insertion order"),
    fixed("values", 1, &["values"], "values(map): the values in insertion order"),
    fixed("has", 2, &["has"], "has(coll, x): map key, array element or substring"),
    fixed("remove", 2, &["remove"], "remove(coll, key): removes in place; returns coll"),
    fixed("slice", 3, &["slice"], "slice(coll, from, to): elements from … to-1"),
    fixed("reverse", 1, &["reverse"], "reverse(coll): a reversed copy"),
    fixed("sort", 1, &["sort"], "sort(arr): a sorted copy"),
    fixed("tomap", 1, &["tomap"], "tomap([k1, v1, …]): a map"),
    Builtin {
        name: "range",
        min: 1,
        max: Some(3),
        shape: Shape::Range,
        doc: "range(a, b): [a … b-1]; range(n) is range(0, n); range(a, b, step): a, a+step, … before b",
    },
    fixed("get", 3, &["get"], "get(coll, key, default): coll[key], or default if there is none"),
    fixed("insert", 3, &["insert"], "insert(arr, i, x): puts x before element i in place; returns arr"),
    fixed("index_of", 2, &["index_of"], "index_of(coll, x): the index of the first x, or nil"),
    fixed("items", 1, &["items"], "items(map): the [key, value] pairs in insertion order"),
    fixed("divmod", 2, &["divmod"], "divmod(a, b): [a / b, a % b]"),
    fixed("zip", 2, &["zip"], "zip(a, b): [[a0, b0], [a1, b1], …] as long as the shorter"),
    fixed("enumerate", 1, &["enumerate"], "enumerate(coll): [[0, x0], [1, x1], …]"),
    fixed("flatten", 1, &["flatten"], "flatten(arr): nested arrays' elements in their place (one level)"),
    fixed("unique", 1, &["unique"], "unique(coll): without repeats, in first-seen order"),
    fixed("sum", 1, &["sum"], "sum(coll): the numbers added up"),
    fixed("product", 1, &["product"], "product(coll): the numbers multiplied"),
    fixed("min_of", 1, &["min_of"], "min_of(coll): the smallest element"),
    fixed("max_of", 1, &["max_of"], "max_of(coll): the largest element"),
    fixed("map", 2, &["map"], "map(coll, f): [f(x) for each x]"),
    fixed("filter", 2, &["filter"], "filter(coll, f): the elements for which f is truthy"),
    fixed("fold", 3, &["fold"], "fold(coll, init, f): f(f(init, x1), x2) …"),
    fixed("sort_by", 2, &["sort_by"], "sort_by(coll, key): a copy sorted by key(x) (stable)"),
    fixed("sort_with", 2, &["sort_with"], "sort_with(coll, cmp): a copy sorted by cmp(a, b) < 0, as a - b (stable)"),
    fixed("any", 2, &["any"], "any(coll, f): whether f(x) is truthy for some x"),
    fixed("all", 2, &["all"], "all(coll, f): whether f(x) is truthy for every x"),
    fixed("count", 2, &["count"], "count(coll, f): how many x make f(x) truthy"),
    fixed("group_by", 2, &["group_by"], "group_by(coll, key): a map from key(x) to the elements that gave it"),
    // tasks, channels and actors (SPEC §6.5: the arguments in Pi's order)
    fixed("spawn", 1, &["spawn"], "spawn(f): starts a task calling f(); its future"),
    fixed("await", 1, &["await"], "await(fut): the future's value, once it has one (its task's error if it failed)"),
    effect("yield", 0, &["yield"], "yield(): lets every other runnable task run first; nil"),
    effect("cancel", 1, &["cancel"], "cancel(fut): stops the task behind the future; nil"),
    fixed("timeout", 2, &["timeout"], "timeout(fut, ms): as await, or a timeout error after ms milliseconds"),
    effect("sleep", 1, &["sleep"], "sleep(ms): suspends the task for ms milliseconds; nil"),
    fixed("after", 2, &["after"], "after(ms, f): calls f() once after ms milliseconds; its future"),
    fixed("every", 2, &["every"], "every(ms, f): calls f() every ms milliseconds until cancelled; a future"),
    fixed("now", 0, &["now"], "now(): a monotonic clock in milliseconds (a float)"),
    fixed("channel", 1, &["channel"], "channel(n): a channel holding up to n values"),
    effect("send", 2, &["send"], "send(x, ch): sends x, waiting while ch is full; nil"),
    fixed("recv", 1, &["recv"], "recv(ch): the next value, waiting for one; nil once ch is closed and empty"),
    effect("close", 1, &["close"], "close(ch): closes the channel; nil"),
    Builtin {
        name: "select",
        min: 1,
        max: Some(1),
        shape: Shape::Collect(&["select"]),
        doc: "select(chs): [x, ch] from whichever channel has a value first",
    },
    fixed("actor", 1, &["actor"], "actor(f): an actor calling f(msg) for each message; its reply is f's result"),
    effect("tell", 2, &["tell"], "tell(msg, a): posts a message to actor a; nil"),
    fixed("ask", 2, &["ask"], "ask(msg, a): posts a message; a future of the reply"),
    fixed("cores", 0, &["cores"], "cores(): how many cores the parallel functions use"),
    fixed("par_map", 2, &["par_map"], "par_map(xs, f): [f(x) for each x], computed on the worker VMs"),
    fixed(
        "par_reduce",
        3,
        &["par_reduce"],
        "par_reduce(xs, init, f): xs folded with f (associative) on the worker VMs",
    ),
    // text
    fixed("split", 2, &["split"], "split(s, sep)"),
    fixed("join", 2, &["join"], "join(arr, sep)"),
    fixed("upper", 1, &["upper"], "upper(s)"),
    fixed("lower", 1, &["lower"], "lower(s)"),
    fixed("trim", 1, &["trim"], "trim(s)"),
    fixed("find", 2, &["find"], "find(coll, x): index of a substring or element, or -1"),
    fixed("chars", 1, &["chars"], "chars(s): the characters as strings"),
    fixed("words", 1, &["words"], "words(s): the parts between runs of whitespace"),
    fixed("lines", 1, &["lines"], "lines(s): the lines without their line ends"),
    fixed("replace", 3, &["replace_all"], "replace(s, from, to): every from replaced by to"),
    fixed("repeat", 2, &["repeat"], "repeat(s, n): s n times over"),
    fixed("pad_left", 2, &["pad_left"], "pad_left(s, width): spaces before s up to width"),
    fixed("pad_right", 2, &["pad_right"], "pad_right(s, width): spaces after s up to width"),
    fixed("ord", 1, &["ord"], "ord(s): the code point of a one-character string"),
    fixed("chr", 1, &["chr"], "chr(n): the one-character string of a code point"),
    fixed("contains", 2, &["contains"], "contains(coll, x): as has"),
    fixed("starts_with", 2, &["starts?"], "starts_with(s, prefix)"),
    fixed("ends_with", 2, &["ends?"], "ends_with(s, suffix)"),
    Builtin {
        name: "format",
        min: 1,
        max: None,
        shape: Shape::Format,
        doc: "format(fmt, a, b, …): each {} becomes the next argument",
    },
    // files, the process and JSON
    fixed("read_file", 1, &["read_file"], "read_file(path): a text file's contents"),
    effect("write_file", 2, &["write_file"], "write_file(path, s): makes the file hold s; nil"),
    effect("append_file", 2, &["append_file"], "append_file(path, s): adds s at the file's end; nil"),
    fixed("file_exists", 1, &["file_exists?"], "file_exists(path): whether a file or directory is there"),
    fixed("list_dir", 1, &["list_dir"], "list_dir(path): the names in a directory, sorted"),
    effect("remove_file", 1, &["remove_file"], "remove_file(path): deletes a file; nil"),
    effect("make_dir", 1, &["make_dir"], "make_dir(path): makes a directory and missing parents; nil"),
    effect("remove_dir", 1, &["remove_dir"], "remove_dir(path): deletes an empty directory; nil"),
    fixed("temp_dir", 0, &["temp_dir"], "temp_dir(): the directory for temporary files"),
    fixed("read_line", 0, &["read_line"], "read_line(): the next line of standard input, or nil at its end"),
    fixed("read_stdin", 0, &["read_stdin"], "read_stdin(): the rest of standard input"),
    fixed("env", 1, &["env"], "env(name): an environment variable's value, or nil"),
    fixed("to_json", 1, &["to_json"], "to_json(x): compact JSON text"),
    fixed("to_json_pretty", 1, &["to_json_pretty"], "to_json_pretty(x): JSON text indented by two spaces"),
    fixed("from_json", 1, &["from_json"], "from_json(s): the value of a JSON text"),
    // functions and evaluation
    fixed("fn", 2, &["fn"], "fn(k, n): a function of n arguments made from continuation k (e.g. from pi { })"),
    fixed("single", 1, &["single"], "single(arr): the only element of a one-element array"),
    Builtin {
        name: "eval",
        min: 1,
        max: Some(1),
        shape: Shape::Single(&["eval"]),
        doc: "eval(pi_source): runs Pi; must leave one value",
    },
    Builtin {
        name: "rho",
        min: 1,
        max: Some(1),
        shape: Shape::Single(&["rho"]),
        doc: "rho(source): runs Rho; a lone expression gives its value",
    },
];

/// The built-in function named `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

fn word(text: &str, span: Span) -> Node {
    Node::new(NodeKind::Word(text.into()), span)
}

impl Builtin {
    /// Whether `n` arguments are accepted.
    pub(crate) fn accepts(&self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }

    /// What the accepted argument counts are, for messages.
    pub(crate) fn arity_text(&self) -> String {
        let count = |n: usize| if n == 1 { "1 argument".to_string() } else { format!("{n} arguments") };
        match self.max {
            Some(max) if max == self.min => count(max),
            Some(max) => format!("{} to {max} arguments", self.min),
            None => format!("at least {}", count(self.min)),
        }
    }

    /// The Pi for a call whose translated arguments are `args`, leaving one value.
    pub(crate) fn call(&self, mut args: Vec<Vec<Node>>, span: Span) -> Vec<Node> {
        let mut out = Vec::new();
        match self.shape {
            Shape::Words(words) => {
                args.into_iter().for_each(|a| out.extend(a));
                out.extend(words.iter().map(|w| word(w, span)));
            }
            Shape::Effect(words) => {
                args.into_iter().for_each(|a| out.extend(a));
                out.extend(words.iter().map(|w| word(w, span)));
                out.push(Node::new(NodeKind::Nil, span));
            }
            Shape::Print => {
                match args.len() {
                    0 => out.push(Node::new(NodeKind::Str(String::new()), span)),
                    1 => out.extend(args.pop().unwrap_or_default()),
                    _ => {
                        out.push(Node::new(NodeKind::Array(args.into_iter().flatten().collect()), span));
                        out.push(Node::new(NodeKind::Str(" ".to_string()), span));
                        out.push(word("join", span));
                    }
                }
                out.push(word("print", span));
                out.push(Node::new(NodeKind::Nil, span));
            }
            Shape::Format => {
                let mut rest = args.split_off(1);
                out.extend(args.pop().unwrap_or_default());
                out.push(Node::new(NodeKind::Array(rest.drain(..).flatten().collect()), span));
                out.push(word("format", span));
            }
            Shape::Range => {
                if args.len() == 1 {
                    out.push(Node::new(NodeKind::Int(0), span));
                }
                let pi_word = if args.len() == 3 { "range_step" } else { "range" };
                args.into_iter().for_each(|a| out.extend(a));
                out.push(word(pi_word, span));
            }
            Shape::Single(words) => {
                let mut inner: Vec<Node> = args.into_iter().flatten().collect();
                inner.extend(words.iter().map(|w| word(w, span)));
                out.push(Node::new(NodeKind::Array(inner), span));
                out.push(word("single", span));
            }
            Shape::Collect(words) => {
                let mut inner: Vec<Node> = args.into_iter().flatten().collect();
                inner.extend(words.iter().map(|w| word(w, span)));
                out.push(Node::new(NodeKind::Array(inner), span));
            }
        }
        out
    }

    /// How many parameters the built-in has when used as a function value, if it can be.
    pub(crate) fn value_arity(&self) -> Option<usize> {
        match self.shape {
            Shape::Words(_) | Shape::Effect(_) | Shape::Single(_) | Shape::Collect(_) if self.max == Some(self.min) => {
                Some(self.min)
            }
            Shape::Print => Some(1),
            _ => None,
        }
    }
}
