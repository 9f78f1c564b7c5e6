//! Context-stack entries that are not frames: loops, error handlers, array marks, spans and
//! the state of driven constructs (`map`, loops over runtime blocks). Each belongs to a frame
//! and is removed when its construct ends or when that frame is unwound.

use std::sync::OnceLock;

use gc::Handle;
use registry::Value;

use crate::merge_sort::MergeSort;
use crate::op::Op;
use crate::words::{self, Control};

/// An entry and the index of the frame it belongs to. Entries are ordered by frame: an
/// entry never belongs to a frame below that of an entry beneath it.
pub(crate) struct Entry {
    pub frame: u32,
    pub kind: EntryKind,
}

pub(crate) enum EntryKind {
    /// A loop of the frame. `break` continues at `exit` (after the entry is removed);
    /// `continue` at `next` (the entry stays).
    Loop { exit: u32, next: u32, iter: LoopIter },
    /// An error handler: on a catchable error, the data stack is cut to `depth`, the error is
    /// pushed and the frame continues at `handler`, first running `closure` inline if set.
    Try { handler: u32, depth: u32, closure: Option<Value> },
    /// An array literal: the data-stack floor in force before `[`, restored at `]`.
    Mark { floor: u32 },
    /// A tracing span: entered while its task runs, exited when the entry is dropped.
    Span(SpanState),
    /// A word that calls a function on elements (`map`, `sort_with`, …) in progress,
    /// driven by `Drive`.
    Apply(Box<Apply>),
    /// `ifs` on runtime values in progress, driven by `Drive`.
    Ifs(Box<Ifs>),
    /// An `import` in progress, driven by `Drive` (see `ops/modules.rs`).
    Import(Box<Import>),
}

impl Entry {
    /// Whether the entry owns nothing that needs dropping (its values are the heap's, held
    /// as roots while the entry is on the context stack). Only variants whose fields are
    /// all `Copy` may answer `true`: `pop_entry` forgets those instead of dropping them.
    #[inline(always)]
    fn owns_nothing(&self) -> bool {
        match &self.kind {
            EntryKind::Loop { iter, .. } => !matches!(iter, LoopIter::Dyn(_)),
            EntryKind::Try { .. } | EntryKind::Mark { .. } => true,
            EntryKind::Span(_) | EntryKind::Apply(_) | EntryKind::Ifs(_) | EntryKind::Import(_) => false,
        }
    }
}

/// Pops the top entry of `entries`. The common kinds (loops over ranges and arrays, marks,
/// handlers) are let go without the out-of-line drop that the others need.
#[inline(always)]
pub(crate) fn pop_entry(entries: &mut Vec<Entry>) {
    if let Some(entry) = entries.pop() {
        if entry.owns_nothing() {
            std::mem::forget(entry);
        } else {
            drop(entry);
        }
    }
}

/// A span of a task: entered while the task runs, set aside while another task runs, so
/// that spans nest as each task's code does (tracing keeps the entered spans per thread).
pub(crate) enum SpanState {
    Entered(tracing::span::EnteredSpan),
    Parked(tracing::Span),
    /// Only while changing from one state to the other.
    Moving,
}

/// Exits the entered spans among `entries`, innermost first (the task stops running).
/// (Inlined: every task switch passes here, and most tasks have no span.)
#[inline(always)]
pub(crate) fn park_spans(entries: &mut [Entry]) {
    for entry in entries.iter_mut().rev() {
        if let EntryKind::Span(state) = &mut entry.kind
            && let SpanState::Entered(entered) = std::mem::replace(state, SpanState::Moving)
        {
            *state = SpanState::Parked(entered.exit());
        }
    }
}

/// Enters the parked spans among `entries` again, outermost first (the task runs again).
/// (Inlined, as [`park_spans`].)
#[inline(always)]
pub(crate) fn resume_spans(entries: &mut [Entry]) {
    for entry in entries.iter_mut() {
        if let EntryKind::Span(state) = &mut entry.kind
            && let SpanState::Parked(span) = std::mem::replace(state, SpanState::Moving)
        {
            *state = SpanState::Entered(span.entered());
        }
    }
}

/// An import: the module's canonical path and how far it has got.
pub(crate) struct Import {
    pub path: std::path::PathBuf,
    pub step: ImportStep,
}

pub(crate) enum ImportStep {
    /// The module's code, compiled, and the scope it will run in.
    Ready { code: std::rc::Rc<crate::code::Block>, scope: gc::Handle },
    /// The code is running; the data stack was `depth` deep when it started.
    Running { scope: gc::Handle, depth: usize },
    /// The module (cached before, or just made).
    Done(Value),
}

/// An `ifs` whose tests and bodies are runtime values.
pub(crate) struct Ifs {
    /// The (test, body) pairs in order.
    pub arms: Vec<(Value, Value)>,
    /// The arm whose test runs (or ran) next.
    pub next: usize,
    /// Whether that test has run and its value is on the stack.
    pub testing: bool,
}

/// The state of a loop.
pub(crate) enum LoopIter {
    /// `while` and C-style `for` compiled to jumps: no state.
    Plain,
    /// A range `for`: the next int and the last one (inclusive).
    Range { next: i64, last: i64 },
    /// `times`: iterations left.
    Times { left: i64 },
    /// `each`: the collection and the position of the next element.
    Each { coll: Value, pos: usize },
    /// A C-style `for` whose init, cond and step are runtime blocks but whose body is
    /// compiled inline: `LoopNext` runs the blocks inline, `phase` says which is next.
    CFor { init: Value, cond: Value, step: Value, phase: Phase },
    /// Loops on runtime blocks, driven by `Drive`.
    Dyn(Box<DynLoop>),
}

/// A loop whose blocks are runtime values.
pub(crate) struct DynLoop {
    pub body: Value,
    pub shape: DynShape,
}

/// What a driven loop iterates over, and where it is.
pub(crate) enum DynShape {
    While { cond: Value, phase: Phase },
    CFor { init: Value, cond: Value, step: Value, phase: Phase },
    Range { next: i64, last: i64 },
    Times { left: i64 },
    Each { coll: Value, pos: usize },
}

/// The next thing a driven `while` or C-style `for` runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    Init,
    Cond,
    Test,
    Step,
}

/// The words that call a function on the elements of a collection.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ApplyKind {
    Map,
    Filter,
    Fold,
    /// Calls the key function on each element, then sorts by the keys.
    SortBy,
    /// Calls the comparison function for each comparison of the merge sort.
    SortWith,
    Any,
    All,
    Count,
    /// Calls the key function on each element, then groups by the keys.
    GroupBy,
}

/// The one list of the ops that start an apply word, each with its kind and its control
/// word. It makes [`ApplyKind::of`], [`ApplyKind::control`] and the pattern
/// `apply_start_op!()`, which the executor's dispatch and the verifier match on (a pattern
/// rather than a call, so that their matches stay exhaustive).
macro_rules! apply_ops {
    ($($op:ident => $kind:ident,)*) => {
        impl ApplyKind {
            /// The word `op` starts, if it is an apply-start op.
            pub(crate) fn of(op: Op) -> Option<ApplyKind> {
                match op {
                    $(Op::$op => Some(ApplyKind::$kind),)*
                    _ => None,
                }
            }

            /// The control word the compiler turns into this kind's start op.
            fn control(self) -> Control {
                match self {
                    $(ApplyKind::$kind => Control::$kind,)*
                }
            }

            /// Every kind, in declaration order (so `ALL[kind as usize] == kind`).
            const ALL: [ApplyKind; [$(ApplyKind::$kind),*].len()] = [$(ApplyKind::$kind),*];
        }

        /// Matches the ops that start an apply word.
        macro_rules! apply_start_op {
            () => { $(Op::$op)|* };
        }
        pub(crate) use apply_start_op;
    };
}

apply_ops! {
    MapStart => Map,
    FilterStart => Filter,
    FoldStart => Fold,
    SortByStart => SortBy,
    SortWithStart => SortWith,
    AnyStart => Any,
    AllStart => All,
    CountStart => Count,
    GroupByStart => GroupBy,
}

impl ApplyKind {
    /// The word, for messages: the name the word table gives its control word.
    pub(crate) fn word(self) -> &'static str {
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            ApplyKind::ALL.iter().map(|kind| words::control_word(kind.control()).map_or("?", |w| w.name)).collect()
        });
        names[self as usize]
    }
}

pub(crate) struct Apply {
    pub kind: ApplyKind,
    pub f: Value,
    pub coll: Value,
    pub pos: usize,
    /// Results so far: mapped values, kept elements, or keys (`sort_by`, `group_by`).
    pub out: Vec<Value>,
    /// The elements the keys in `out` belong to (`sort_by`, `group_by`).
    pub keyed: Vec<Value>,
    /// The elements for which the function was truthy (`count`).
    pub tally: i64,
    /// The sort whose comparisons the function answers (`sort_with`).
    pub sort: Option<MergeSort<Value>>,
    /// The element the running call was given (`filter` keeps it if the call says so).
    pub current: Value,
    /// The data-stack depth the running call must end at.
    pub expect: usize,
    /// Whether a call is running (its result is due when `Drive` runs next).
    pub calling: bool,
}

impl Entry {
    /// Reports every heap object the entry refers to.
    pub(crate) fn each_handle(&self, mark: &mut dyn FnMut(Handle)) {
        let mut value = |v: &Value| {
            if let Some(h) = v.handle() {
                mark(h)
            }
        };
        match &self.kind {
            EntryKind::Loop { iter, .. } => match iter {
                LoopIter::Plain | LoopIter::Range { .. } | LoopIter::Times { .. } => {}
                LoopIter::Each { coll, .. } => value(coll),
                LoopIter::CFor { init, cond, step, .. } => {
                    value(init);
                    value(cond);
                    value(step);
                }
                LoopIter::Dyn(dynamic) => {
                    value(&dynamic.body);
                    match &dynamic.shape {
                        DynShape::While { cond, .. } => value(cond),
                        DynShape::CFor { init, cond, step, .. } => {
                            value(init);
                            value(cond);
                            value(step);
                        }
                        DynShape::Each { coll, .. } => value(coll),
                        DynShape::Range { .. } | DynShape::Times { .. } => {}
                    }
                }
            },
            EntryKind::Try { closure, .. } => {
                if let Some(c) = closure {
                    value(c);
                }
            }
            EntryKind::Mark { .. } | EntryKind::Span(_) => {}
            EntryKind::Ifs(ifs) => ifs.arms.iter().for_each(|(test, body)| {
                value(test);
                value(body);
            }),
            EntryKind::Import(import) => match &import.step {
                ImportStep::Ready { scope, .. } | ImportStep::Running { scope, .. } => {
                    crate::frame::Env::Scope(*scope).each_handle(mark);
                }
                ImportStep::Done(module) => value(module),
            },
            EntryKind::Apply(apply) => {
                value(&apply.f);
                value(&apply.coll);
                value(&apply.current);
                apply.out.iter().chain(&apply.keyed).for_each(&mut value);
                if let Some(sort) = &apply.sort {
                    sort.elements().for_each(&mut value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_apply_kind_starts_from_its_op_and_names_its_word() {
        for kind in ApplyKind::ALL {
            assert_eq!(ApplyKind::ALL[kind as usize], kind, "apply_ops! lists the kinds in their order");
            let word = words::lookup(kind.word()).expect("a word of the table");
            assert_eq!(word.kind, words::WordKind::Control(kind.control()));
        }
        assert_eq!(ApplyKind::of(Op::SortWithStart).map(ApplyKind::word), Some("sort_with"));
        assert_eq!(ApplyKind::of(Op::Dup), None);
    }
}
