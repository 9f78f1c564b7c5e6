//! The closed list of built-in words: each name, what it compiles to, its stack effect and
//! a one-line description. This table drives the compilers, `kai words` and `:help`.

use std::collections::HashMap;
use std::sync::OnceLock;

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

const fn ctl(name: &'static str, control: Control, effect: &'static str, doc: &'static str) -> Word {
    Word { name, kind: WordKind::Control(control), effect, doc, group: "control" }
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
    b("sort", B::Sort, "( arr -- arr' )", "a sorted copy (numbers or strings)", "data"),
    b("range", B::Range, "( a b -- [a … b-1] )", "the ints from a up to b-1", "data"),
    // text
    b("split", B::Split, "( s sep -- arr )", "split at each sep (\"\" splits into characters)", "text"),
    b("join", B::Join, "( arr sep -- s )", "join display forms with sep between", "text"),
    b("upper", B::Upper, "( s -- s' )", "upper case", "text"),
    b("lower", B::Lower, "( s -- s' )", "lower case", "text"),
    b("trim", B::Trim, "( s -- s' )", "without surrounding whitespace", "text"),
    b("find", B::Find, "( coll x -- i )", "index of the first x (substring or element), or -1", "text"),
    b("chars", B::Chars, "( s -- arr )", "the code points as one-character strings", "text"),
    b("starts?", B::StartsWith, "( s prefix -- bool )", "whether s starts with prefix", "text"),
    b("ends?", B::EndsWith, "( s suffix -- bool )", "whether s ends with suffix", "text"),
    b(
        "format",
        B::Format,
        "( fmt [args] -- s )",
        "replace each {} in fmt by the next argument's display form ({{ and }} escape)",
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
    b("read_file", B::ReadFile, "( path -- s )", "the contents of a UTF-8 text file", "text"),
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
    b("print", B::Print, "( x -- )", "write the display form and a newline", "output"),
    b(".", B::Peek, "( x -- x )", "print the top without popping it", "output"),
    b(".s", B::PrintStack, "( -- )", "print the whole stack", "output"),
    b("trace", B::Trace, "( x -- x )", "write the repr form to stderr", "output"),
    b("log", B::Log, "( x -- )", "an info event on the tracing stream", "output"),
    b("metric", B::Metric, "( value \"name\" -- )", "record a metric on the tracing stream", "output"),
    b("gc", B::Gc, "( -- )", "run a full garbage collection", "output"),
    b("gc_stats", B::GcStats, "( -- map )", "collector statistics", "output"),
];

/// The first built-in word that compiles to `op` (its name as `kai words` lists it).
pub fn word_of(op: Op) -> Option<&'static Word> {
    WORDS.iter().find(|w| w.kind == WordKind::Op(op))
}

/// The built-in word named `name`, if any.
pub fn lookup(name: &str) -> Option<&'static Word> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Word>> = OnceLock::new();
    INDEX.get_or_init(|| WORDS.iter().map(|w| (w.name, w)).collect()).get(name).copied()
}
