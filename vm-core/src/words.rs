//! The closed list of built-in words: each name, what it compiles to, its stack effect and
//! a one-line description. This table drives the compilers, `kai words` and `:help`.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::op::Op;

/// Built-in words that are plain operations on values (no control flow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Builtin {
    Type,
    Str,
    ToInt,
    ToFloat,
    ToBool,
    New,
    Clone,
    ToArray,
    Expand,
    Size,
    At,
    Put,
    Push,
    Pop,
    ToMap,
    Keys,
    Values,
    Has,
    Remove,
    Slice,
    Reverse,
    Sort,
    Range,
    Split,
    Join,
    Upper,
    Lower,
    Trim,
    Find,
    Chars,
    StartsWith,
    EndsWith,
    Format,
    Eval,
    Rho,
    Fn,
    Single,
    ReadFile,
    Print,
    Peek,
    PrintStack,
    Trace,
    Log,
    Metric,
    Gc,
    GcStats,
    // Added with the standard library; new variants go last, so compiled units keep their
    // meaning (a unit stores a builtin by its position).
    /// A function of one number giving a float.
    Math(Math),
    /// A float rounded to an int.
    Round(Round),
    Atan2,
    Hypot,
    IsNan,
    IsFinite,
    Random,
    RandomInt,
    Seed,
    Shuffle,
    Choice,
    TryInt,
    TryFloat,
    Words,
    Lines,
    Replace,
    Repeat,
    PadLeft,
    PadRight,
    Ord,
    Chr,
    Get,
    RangeStep,
    Zip,
    Enumerate,
    Sum,
    Product,
    MinOf,
    MaxOf,
    Flatten,
    Unique,
    Insert,
    IndexOf,
    Unpack,
    Items,
    DivMod,
    // Files, the process and JSON.
    WriteFile,
    AppendFile,
    FileExists,
    ListDir,
    RemoveFile,
    MakeDir,
    RemoveDir,
    TempDir,
    ReadLine,
    ReadStdin,
    Env,
    ToJson,
    ToJsonPretty,
    FromJson,
    /// A word of the scheduler (SPEC §6).
    Task(TaskWord),
}

/// The words of the scheduler: tasks and futures, timers, channels, actors, parallel work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TaskWord {
    Spawn,
    Await,
    Yield,
    Cancel,
    Timeout,
    Sleep,
    After,
    Every,
    Now,
    Channel,
    Send,
    Recv,
    Close,
    Select,
    Actor,
    Tell,
    Ask,
    Cores,
    ParMap,
    ParReduce,
}

/// The functions of one number that give a float (`sqrt`, `sin`, …): an int argument is
/// converted first; outside its domain a function gives NaN or an infinity, as IEEE 754
/// says (`-1 sqrt` is NaN, `0 ln` is -inf), rather than an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Math {
    Sqrt,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Exp,
    Ln,
    Log10,
    Log2,
}

impl Math {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Math::Sqrt => x.sqrt(),
            Math::Sin => x.sin(),
            Math::Cos => x.cos(),
            Math::Tan => x.tan(),
            Math::Asin => x.asin(),
            Math::Acos => x.acos(),
            Math::Atan => x.atan(),
            Math::Exp => x.exp(),
            Math::Ln => x.ln(),
            Math::Log10 => x.log10(),
            Math::Log2 => x.log2(),
        }
    }
}

/// The roundings of a float to an int (`floor ceil round trunc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Round {
    Floor,
    Ceil,
    /// Half away from zero (2.5 → 3, -2.5 → -3).
    Round,
    Trunc,
}

impl Round {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Round::Floor => x.floor(),
            Round::Ceil => x.ceil(),
            Round::Round => x.round(),
            Round::Trunc => x.trunc(),
        }
    }
}

impl Builtin {
    /// Whether the word may capture the current scope: `eval` and `rho` compile source that
    /// runs in it.
    pub fn captures_scope(self) -> bool {
        matches!(self, Builtin::Eval | Builtin::Rho)
    }
}

/// Control words: the compiler turns them into jumps when their blocks are literals, and
/// into the matching `*Dyn` op plus [`Op::Drive`] otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    If,
    Ife,
    While,
    For,
    Times,
    Each,
    Try,
    Span,
    Map,
    Filter,
    Fold,
    Ifs,
    SortBy,
    SortWith,
    Any,
    All,
    Count,
    GroupBy,
    Import,
}

/// What a built-in word compiles to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordKind {
    /// A single operation.
    Op(Op),
    /// A control word (see [`Control`]).
    Control(Control),
}

/// One built-in word.
#[derive(Debug)]
pub struct Word {
    pub name: &'static str,
    pub kind: WordKind,
    /// Forth-style stack effect, e.g. `( a b -- a+b )`.
    pub effect: &'static str,
    pub doc: &'static str,
    pub group: &'static str,
}

/// A word that is one op: its stack effect is the op's (from its row in `op.rs`).
const fn op(name: &'static str, op: Op, doc: &'static str, group: &'static str) -> Word {
    Word { name, kind: WordKind::Op(op), effect: op.effect(), doc, group }
}

const fn b(name: &'static str, builtin: Builtin, effect: &'static str, doc: &'static str, group: &'static str) -> Word {
    Word { name, kind: WordKind::Op(Op::Builtin(builtin)), effect, doc, group }
}

/// A word of the scheduler.
const fn t(name: &'static str, word: TaskWord, effect: &'static str, doc: &'static str, group: &'static str) -> Word {
    b(name, Builtin::Task(word), effect, doc, group)
}

const fn ctl(name: &'static str, control: Control, effect: &'static str, doc: &'static str) -> Word {
    Word { name, kind: WordKind::Control(control), effect, doc, group: "control" }
}

/// A control word that is a collection function (`sort_by`, `any`, …): it calls a block
/// as `map` does, and is listed with the data words.
const fn higher(name: &'static str, control: Control, effect: &'static str, doc: &'static str) -> Word {
    Word { name, kind: WordKind::Control(control), effect, doc, group: "data" }
}

use Builtin as B;

/// Every built-in word, grouped as `kai words` prints them.
pub static WORDS: &[Word] = &[
    // stack
    op("dup", Op::Dup, "duplicate the top value", "stack"),
    op("drop", Op::Drop, "discard the top value", "stack"),
    op("swap", Op::Swap, "exchange the top two values", "stack"),
    op("over", Op::Over, "copy the second value to the top", "stack"),
    op("rot", Op::Rot, "rotate the third value to the top", "stack"),
    op("nip", Op::Nip, "discard the second value", "stack"),
    op("tuck", Op::Tuck, "copy the top value below the second", "stack"),
    op("dup2", Op::Dup2, "duplicate the top two values", "stack"),
    op("drop2", Op::Drop2, "discard the top two values", "stack"),
    op("pick", Op::Pick, "copy the value n below the top (0 pick = dup)", "stack"),
    op("roll", Op::Roll, "move the value n below the top to the top (1 roll = swap)", "stack"),
    op("dropn", Op::DropN, "discard n more values", "stack"),
    op("depth", Op::Depth, "the number of values on the stack", "stack"),
    op("clear", Op::Clear, "empty the stack", "stack"),
    // arithmetic
    op("+", Op::Add, "add numbers; concatenate two strings or two arrays", "arithmetic"),
    op("add", Op::Add, "same as +", "arithmetic"),
    op("-", Op::Sub, "subtract", "arithmetic"),
    op("sub", Op::Sub, "same as -", "arithmetic"),
    op("*", Op::Mul, "multiply", "arithmetic"),
    op("mul", Op::Mul, "same as *", "arithmetic"),
    op("/", Op::Div, "divide; ints truncate toward zero", "arithmetic"),
    op("div", Op::Div, "same as /", "arithmetic"),
    op("%", Op::Mod, "remainder, with the sign of the dividend", "arithmetic"),
    op("mod", Op::Mod, "same as %", "arithmetic"),
    op("neg", Op::Neg, "negate", "arithmetic"),
    op("abs", Op::Abs, "absolute value", "arithmetic"),
    op("min", Op::Min, "the smaller of two numbers or strings", "arithmetic"),
    op("max", Op::Max, "the larger of two numbers or strings", "arithmetic"),
    op("pow", Op::Pow, "power; a negative int exponent gives a float", "arithmetic"),
    b("divmod", B::DivMod, "( a b -- [q r] )", "a b / and a b % at once, as a pair", "arithmetic"),
    // comparison and logic
    op("==", Op::Eq, "equal (structural; 1 and 1.0 are equal)", "comparison"),
    op("!=", Op::Ne, "not equal", "comparison"),
    op("<", Op::Lt, "less than (numbers or strings)", "comparison"),
    op("<=", Op::Le, "less than or equal", "comparison"),
    op(">", Op::Gt, "greater than", "comparison"),
    op(">=", Op::Ge, "greater than or equal", "comparison"),
    op("not", Op::Not, "logical not of truthiness", "logic"),
    op("and", Op::And, "both truthy", "logic"),
    op("&&", Op::And, "same as and", "logic"),
    op("or", Op::Or, "either truthy", "logic"),
    op("||", Op::Or, "same as or", "logic"),
    op("xor", Op::Xor, "exactly one truthy", "logic"),
    op("|", Op::BitOr, "bitwise or of ints", "bits"),
    op("bor", Op::BitOr, "same as |", "bits"),
    op("band", Op::BitAnd, "bitwise and of ints", "bits"),
    op("bxor", Op::BitXor, "bitwise exclusive or of ints", "bits"),
    op("bnot", Op::BitNot, "bitwise complement of an int", "bits"),
    op("shl", Op::Shl, "shift left; overflow is an error", "bits"),
    op("shr", Op::Shr, "arithmetic shift right", "bits"),
    // names
    op("#", Op::Store, "assign x: the nearest existing binding, else a new one here", "names"),
    op("let", Op::Let, "declare x in the current scope", "names"),
    op("=", Op::Bind, "bind x in the current scope", "names"),
    op("@", Op::Fetch, "the value bound to x", "names"),
    op("exists", Op::Exists, "whether x is bound", "names"),
    op("forget", Op::Forget, "remove the nearest binding of x", "names"),
    Word {
        name: "import",
        kind: WordKind::Control(Control::Import),
        effect: "( path -- module )",
        doc: "run a .pi or .rho file once per VM; the map of the names it defined (see docs/modules.md)",
        group: "names",
    },
    op("bind_all", Op::BindAll, "declare each name of a module in the current scope", "names"),
    // continuations
    op("&", Op::Call, "run k in a new activation, then come back", "continuations"),
    op("suspend", Op::Call, "same as &", "continuations"),
    op("!", Op::TailCall, "replace the current activation by k (tail call)", "continuations"),
    op("replace", Op::TailCall, "same as !", "continuations"),
    op("...", Op::Return, "end the current activation now", "continuations"),
    op("resume", Op::Return, "same as ...", "continuations"),
    // control
    ctl("if", Control::If, "( c x -- … )", "if c is truthy, run x (or push it if not a continuation)"),
    ctl("ife", Control::Ife, "( c a b -- … )", "run or push a if c is truthy, else b"),
    ctl(
        "ifs",
        Control::Ifs,
        "( {t1} {b1} … {tn} {bn} n -- … )",
        "run each test in turn; run (or push) the body of the first that leaves a truthy value",
    ),
    ctl("while", Control::While, "( {cond} {body} -- … )", "run body while cond leaves a truthy value"),
    ctl(
        "for",
        Control::For,
        "( start end {body} -- … )",
        "run body with each int start…end (inclusive) pushed; or ( {init} {cond} {step} {body} -- ) C-style",
    ),
    ctl("times", Control::Times, "( n {body} -- … )", "run body n times"),
    ctl("each", Control::Each, "( coll {body} -- … )", "run body with each element pushed (inline loop)"),
    ctl("try", Control::Try, "( {body} {handler} -- … )", "run body; on an error, run handler with the error pushed"),
    ctl("span", Control::Span, "( \"name\" {body} -- … )", "run body inside a tracing span"),
    ctl("map", Control::Map, "( coll {f} -- arr )", "call f on each element; collect the results"),
    ctl("filter", Control::Filter, "( coll {f} -- arr )", "the elements for which f leaves a truthy value"),
    ctl("fold", Control::Fold, "( coll init {f} -- acc )", "call f with the accumulator and each element"),
    op("break", Op::Break, "leave the innermost loop", "control"),
    op("continue", Op::Continue, "start the next iteration of the innermost loop", "control"),
    op("throw", Op::Throw, "raise x as an error", "control"),
    op("assert", Op::Assert, "raise an assertion error if x is falsy", "control"),
    op("exit", Op::Exit, "end the program with an exit code", "control"),
    // data
    b("type", B::Type, "( x -- \"int\" )", "the type name of x", "data"),
    b("str", B::Str, "( x -- s )", "the display form of x as a string", "data"),
    b("int", B::ToInt, "( x -- n )", "convert to int (floats truncate, strings parse)", "data"),
    b("float", B::ToFloat, "( x -- f )", "convert to float", "data"),
    b("bool", B::ToBool, "( x -- bool )", "the truthiness of x", "data"),
    b("new", B::New, "( x -- x' )", "a shallow copy of an array or map", "data"),
    b("clone", B::Clone, "( x -- x' )", "a deep copy of an array or map", "data"),
    b("toarray", B::ToArray, "( x1 … xn n -- arr )", "collect n values into an array", "data"),
    b("expand", B::Expand, "( arr -- x1 … xn n )", "push an array's elements and its size", "data"),
    b("size", B::Size, "( coll -- n )", "elements of an array or map, code points of a string, bytes", "data"),
    b("at", B::At, "( coll key -- v )", "element at an index or key", "data"),
    b("put", B::Put, "( coll key v -- coll )", "set an element in place (arrays: an existing index)", "data"),
    b("push", B::Push, "( arr x -- arr )", "append in place", "data"),
    b("pop", B::Pop, "( arr -- arr x )", "remove the last element in place", "data"),
    b("tomap", B::ToMap, "( [k1 v1 …] -- map )", "a map from alternating keys and values", "data"),
    b("keys", B::Keys, "( map -- arr )", "the keys in insertion order", "data"),
    b("values", B::Values, "( map -- arr )", "the values in insertion order", "data"),
    b("has", B::Has, "( coll x -- bool )", "map: has key x; array: contains x; string: contains substring x", "data"),
    b("remove", B::Remove, "( coll key -- coll )", "remove a map key or an array index in place", "data"),
    b("slice", B::Slice, "( coll from to -- coll' )", "elements from … to-1 of an array or string", "data"),
    b("reverse", B::Reverse, "( coll -- coll' )", "a reversed copy of an array or string", "data"),
    b("sort", B::Sort, "( arr -- arr' )", "a sorted copy: numbers, strings, or arrays (lexicographically)", "data"),
    higher(
        "sort_by",
        Control::SortBy,
        "( coll {key} -- arr )",
        "a copy sorted by what key gives for each element (stable)",
    ),
    higher(
        "sort_with",
        Control::SortWith,
        "( coll {cmp} -- arr )",
        "a copy sorted by cmp(a, b): negative if a goes first, positive if b does, 0 to keep the order",
    ),
    b("range", B::Range, "( a b -- [a … b-1] )", "the ints from a up to b-1", "data"),
    b("range_step", B::RangeStep, "( a b step -- arr )", "a, a+step, … up to (down to) b, excluded", "data"),
    b("get", B::Get, "( coll key default -- v )", "the element at key or index, or default if there is none", "data"),
    b("insert", B::Insert, "( arr i x -- arr )", "put x before element i in place (i may be the size)", "data"),
    b(
        "index_of",
        B::IndexOf,
        "( coll x -- i|nil )",
        "index of the first element == x (or substring x), or nil",
        "data",
    ),
    b(
        "unpack",
        B::Unpack,
        "( arr n -- x1 … xn )",
        "the elements of an array of exactly n (an arity error otherwise)",
        "data",
    ),
    b("items", B::Items, "( map -- arr )", "the [key value] pairs in insertion order", "data"),
    b("zip", B::Zip, "( a b -- arr )", "pairs [a0 b0] [a1 b1] …, as many as the shorter has", "data"),
    b("enumerate", B::Enumerate, "( coll -- arr )", "pairs [0 x0] [1 x1] … of index and element", "data"),
    b("flatten", B::Flatten, "( arr -- arr' )", "the elements of nested arrays in their place (one level)", "data"),
    b("unique", B::Unique, "( coll -- arr )", "the elements without repeats (==), in first-seen order", "data"),
    b("sum", B::Sum, "( coll -- n )", "the numbers added up (0 if none)", "data"),
    b("product", B::Product, "( coll -- n )", "the numbers multiplied (1 if none)", "data"),
    b("min_of", B::MinOf, "( coll -- x )", "the smallest element, as min keeps it", "data"),
    b("max_of", B::MaxOf, "( coll -- x )", "the largest element, as max keeps it", "data"),
    higher("any", Control::Any, "( coll {f} -- bool )", "whether f is truthy for some element (stops at the first)"),
    higher(
        "all",
        Control::All,
        "( coll {f} -- bool )",
        "whether f is truthy for every element (stops at the first not)",
    ),
    higher("count", Control::Count, "( coll {f} -- n )", "how many elements f is truthy for"),
    higher(
        "group_by",
        Control::GroupBy,
        "( coll {key} -- map )",
        "a map from each key to the elements (in order) that gave it",
    ),
    b("to_int", B::TryInt, "( x -- n|nil )", "as int, but nil where int fails", "data"),
    b("to_float", B::TryFloat, "( x -- f|nil )", "as float, but nil where float fails", "data"),
    // math
    b("sqrt", B::Math(Math::Sqrt), "( x -- f )", "square root (NaN below zero)", "math"),
    b("sin", B::Math(Math::Sin), "( x -- f )", "sine of radians", "math"),
    b("cos", B::Math(Math::Cos), "( x -- f )", "cosine of radians", "math"),
    b("tan", B::Math(Math::Tan), "( x -- f )", "tangent of radians", "math"),
    b("asin", B::Math(Math::Asin), "( x -- f )", "arcsine in radians (NaN outside -1…1)", "math"),
    b("acos", B::Math(Math::Acos), "( x -- f )", "arccosine in radians (NaN outside -1…1)", "math"),
    b("atan", B::Math(Math::Atan), "( x -- f )", "arctangent in radians", "math"),
    b("atan2", B::Atan2, "( y x -- f )", "the angle of the point (x, y) in radians, -pi…pi", "math"),
    b("exp", B::Math(Math::Exp), "( x -- f )", "e to the power x", "math"),
    b(
        "ln",
        B::Math(Math::Ln),
        "( x -- f )",
        "natural logarithm (-inf at 0, NaN below; `log` is the tracing word)",
        "math",
    ),
    b("log10", B::Math(Math::Log10), "( x -- f )", "base-10 logarithm", "math"),
    b("log2", B::Math(Math::Log2), "( x -- f )", "base-2 logarithm", "math"),
    b("hypot", B::Hypot, "( x y -- f )", "sqrt(x*x + y*y) without overflow on the way", "math"),
    b("floor", B::Round(Round::Floor), "( x -- n )", "the greatest int not above x", "math"),
    b("ceil", B::Round(Round::Ceil), "( x -- n )", "the least int not below x", "math"),
    b("round", B::Round(Round::Round), "( x -- n )", "the nearest int, halves away from zero", "math"),
    b("trunc", B::Round(Round::Trunc), "( x -- n )", "the int part of x, toward zero", "math"),
    b("nan?", B::IsNan, "( x -- bool )", "whether x is the float NaN", "math"),
    b("finite?", B::IsFinite, "( x -- bool )", "whether x is a number that is neither infinite nor NaN", "math"),
    b("random", B::Random, "( -- f )", "a random float in [0, 1)", "math"),
    b("random_int", B::RandomInt, "( lo hi -- n )", "a random int from lo to hi, both included", "math"),
    b("seed", B::Seed, "( n -- )", "restart the random generator from seed n (same seed, same numbers)", "math"),
    b("shuffle", B::Shuffle, "( arr -- arr' )", "a copy of the array in random order", "math"),
    b("choice", B::Choice, "( arr -- x )", "a random element of a non-empty array", "math"),
    // text
    b("split", B::Split, "( s sep -- arr )", "split at each sep (\"\" splits into characters)", "text"),
    b("join", B::Join, "( arr sep -- s )", "join display forms with sep between", "text"),
    b("upper", B::Upper, "( s -- s' )", "upper case", "text"),
    b("lower", B::Lower, "( s -- s' )", "lower case", "text"),
    b("trim", B::Trim, "( s -- s' )", "without surrounding whitespace", "text"),
    b("find", B::Find, "( coll x -- i )", "index of the first x (substring or element), or -1", "text"),
    b("chars", B::Chars, "( s -- arr )", "the code points as one-character strings", "text"),
    b("words", B::Words, "( s -- arr )", "the parts between runs of whitespace (none empty)", "text"),
    b("lines", B::Lines, "( s -- arr )", "the lines, without their \\n or \\r\\n (no empty last one)", "text"),
    b("replace_all", B::Replace, "( s from to -- s' )", "every from replaced by to (`replace` is `!`)", "text"),
    b("repeat", B::Repeat, "( s n -- s' )", "s n times over", "text"),
    b("pad_left", B::PadLeft, "( s width -- s' )", "s with spaces before it up to width characters", "text"),
    b("pad_right", B::PadRight, "( s width -- s' )", "s with spaces after it up to width characters", "text"),
    b("ord", B::Ord, "( s -- n )", "the code point of a one-character string", "text"),
    b("chr", B::Chr, "( n -- s )", "the one-character string of a code point", "text"),
    b("contains", B::Has, "( coll x -- bool )", "same as has", "text"),
    b("starts?", B::StartsWith, "( s prefix -- bool )", "whether s starts with prefix", "text"),
    b("ends?", B::EndsWith, "( s suffix -- bool )", "whether s ends with suffix", "text"),
    b(
        "format",
        B::Format,
        "( fmt [args] -- s )",
        "each {} (or {N}, {:spec}) of fmt becomes an argument, as Rust's format! does; see docs/stdlib.md",
        "text",
    ),
    b("eval", B::Eval, "( \"pi source\" -- … )", "compile and run Pi source in the current scope", "text"),
    b(
        "rho",
        B::Rho,
        "( \"rho source\" -- … )",
        "compile and run Rho source in the current scope (a lone expression leaves its value)",
        "text",
    ),
    // files (paths relative to the working directory; failures are user errors)
    b("read_file", B::ReadFile, "( path -- s )", "the contents of a UTF-8 text file", "files"),
    b("write_file", B::WriteFile, "( path s -- )", "make the file hold s (created, or emptied first)", "files"),
    b("append_file", B::AppendFile, "( path s -- )", "add s at the end of the file (created if missing)", "files"),
    b("file_exists?", B::FileExists, "( path -- bool )", "whether a file or directory is there", "files"),
    b("list_dir", B::ListDir, "( path -- [names] )", "the names in a directory, sorted", "files"),
    b("remove_file", B::RemoveFile, "( path -- )", "delete a file", "files"),
    b("make_dir", B::MakeDir, "( path -- )", "make a directory and any missing parents (fine if it exists)", "files"),
    b("remove_dir", B::RemoveDir, "( path -- )", "delete an empty directory", "files"),
    b("temp_dir", B::TempDir, "( -- path )", "the directory for temporary files", "files"),
    // the process
    b(
        "read_line",
        B::ReadLine,
        "( -- s|nil )",
        "the next line of standard input without its line end; nil at the end",
        "process",
    ),
    b("read_stdin", B::ReadStdin, "( -- s )", "the rest of standard input (\"\" at the end)", "process"),
    b("env", B::Env, "( name -- s|nil )", "the value of an environment variable, or nil if it is not set", "process"),
    // JSON
    b("to_json", B::ToJson, "( x -- s )", "x as compact JSON text (maps are objects)", "json"),
    b("to_json_pretty", B::ToJsonPretty, "( x -- s )", "x as JSON text indented by two spaces a level", "json"),
    b("from_json", B::FromJson, "( s -- x )", "the value of a JSON text (objects become maps)", "json"),
    // functions (what Rho's functions are made of)
    b("fn", B::Fn, "( k n -- f )", "a function: a copy of continuation k that takes n arguments", "functions"),
    op(
        "call",
        Op::CallFunction,
        "call f with n arguments; checks f's arity and that it leaves exactly one value",
        "functions",
    ),
    b(
        "single",
        B::Single,
        "( [x] -- x )",
        "the only element of a one-element array (an arity error otherwise)",
        "functions",
    ),
    // output and observability
    // tasks and futures (SPEC §6)
    t(
        "spawn",
        TaskWord::Spawn,
        "( {body} -- future )",
        "start a task that calls body; its future resolves with its result",
        "tasks",
    ),
    t(
        "await",
        TaskWord::Await,
        "( future -- value )",
        "wait for a future; raise its task's error if it failed",
        "tasks",
    ),
    t("yield", TaskWord::Yield, "( -- )", "let every other runnable task run first", "tasks"),
    t(
        "cancel",
        TaskWord::Cancel,
        "( future -- )",
        "stop the task behind a future; awaiting it raises a cancelled error",
        "tasks",
    ),
    t(
        "timeout",
        TaskWord::Timeout,
        "( future ms -- value )",
        "await, or raise a timeout error after ms milliseconds",
        "tasks",
    ),
    t("sleep", TaskWord::Sleep, "( ms -- )", "suspend the task for ms milliseconds", "tasks"),
    t(
        "after",
        TaskWord::After,
        "( ms {f} -- future )",
        "call f once after ms milliseconds, in a task of its own",
        "tasks",
    ),
    t(
        "every",
        TaskWord::Every,
        "( ms {f} -- future )",
        "call f every ms milliseconds until the future is cancelled",
        "tasks",
    ),
    t("now", TaskWord::Now, "( -- ms )", "a monotonic clock in milliseconds (a float)", "tasks"),
    // channels and actors
    t(
        "channel",
        TaskWord::Channel,
        "( capacity -- ch )",
        "a channel holding up to capacity values (at least 1)",
        "channels",
    ),
    t("send", TaskWord::Send, "( x ch -- )", "send x, waiting while the channel is full; closed: an error", "channels"),
    t(
        "recv",
        TaskWord::Recv,
        "( ch -- x )",
        "receive the next value, waiting while there is none; closed and empty: nil",
        "channels",
    ),
    t(
        "close",
        TaskWord::Close,
        "( ch -- )",
        "close a channel: sends fail, receivers get what is left, then nil",
        "channels",
    ),
    t(
        "select",
        TaskWord::Select,
        "( [ch1 ch2 …] -- x ch )",
        "receive from whichever channel has a value first",
        "channels",
    ),
    t(
        "actor",
        TaskWord::Actor,
        "( {handler} -- actor )",
        "a task calling handler ( msg -- reply ) once per message",
        "channels",
    ),
    t("tell", TaskWord::Tell, "( msg actor -- )", "post a message to an actor", "channels"),
    t(
        "ask",
        TaskWord::Ask,
        "( msg actor -- future )",
        "post a message; the future resolves with the reply",
        "channels",
    ),
    t("cores", TaskWord::Cores, "( -- n )", "how many cores the parallel words use", "parallel"),
    t(
        "par_map",
        TaskWord::ParMap,
        "( arr {f} -- arr' )",
        "f on every element, on the worker VMs; results in input order",
        "parallel",
    ),
    t(
        "par_reduce",
        TaskWord::ParReduce,
        "( arr init {f} -- acc )",
        "fold with f (associative, init its identity) on the worker VMs",
        "parallel",
    ),
    b("print", B::Print, "( x -- )", "write the display form and a newline", "output"),
    b(".", B::Peek, "( x -- x )", "print the top without popping it", "output"),
    b(".s", B::PrintStack, "( -- )", "print the whole stack", "output"),
    b("trace", B::Trace, "( x -- x )", "write the repr form to stderr", "output"),
    b("log", B::Log, "( x -- )", "an info event on the tracing stream", "output"),
    b("metric", B::Metric, "( value \"name\" -- )", "record a metric on the tracing stream", "output"),
    b("gc", B::Gc, "( -- )", "run a full garbage collection", "output"),
    b("gc_stats", B::GcStats, "( -- map )", "collector statistics", "output"),
];

/// The math constants: global variables every VM starts with, not reserved words, so that
/// a program may still use `e` (or `nan`) as a name of its own.
pub static CONSTANTS: &[(&str, f64, &str)] = &[
    ("pi", std::f64::consts::PI, "the ratio of a circle's circumference to its diameter"),
    ("e", std::f64::consts::E, "Euler's number, the base of natural logarithms"),
    ("inf", f64::INFINITY, "positive infinity (-inf is `inf neg`)"),
    ("nan", f64::NAN, "not a number (never equal to anything, itself included)"),
];

/// The first built-in word that compiles to `op` (its name as `kai words` lists it).
pub fn word_of(op: Op) -> Option<&'static Word> {
    WORDS.iter().find(|w| w.kind == WordKind::Op(op))
}

/// The first built-in word that compiles to control word `control`.
pub fn control_word(control: Control) -> Option<&'static Word> {
    WORDS.iter().find(|w| w.kind == WordKind::Control(control))
}

/// The built-in word named `name`, if any.
pub fn lookup(name: &str) -> Option<&'static Word> {
    static INDEX: OnceLock<FxHashMap<&'static str, &'static Word>> = OnceLock::new();
    INDEX.get_or_init(|| WORDS.iter().map(|w| (w.name, w)).collect()).get(name).copied()
}
