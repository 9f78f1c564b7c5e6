//! Frames of the context stack: what each running continuation is, where it is, and which
//! scope its names resolve in.

use std::rc::Rc;

use gc::Handle;
use registry::Name;

use crate::code::Block;

/// Where a frame's names live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Env {
    /// The global scope (the top level, and anything captured there).
    Global,
    /// A heap scope; further scopes through its parents, then the globals.
    Scope(Handle),
    /// Variables on the task's locals stack from index `base` up, then the scope `parent`
    /// (`None` is the global scope). Only an activation whose block cannot capture its scope
    /// gets this cheaper kind; it owns the locals above `base` while it is the top frame.
    Locals { base: u32, parent: Option<Handle> },
}

impl Env {
    /// The env of code running directly in a closure's captured scope (`None`: the global
    /// one); the inverse of [`Env::captured`].
    pub(crate) fn of_captured(scope: Option<Handle>) -> Env {
        scope.map_or(Env::Global, Env::Scope)
    }

    /// The scope a closure made here captures.
    ///
    /// A `Locals` env is never captured: blocks that make closures get a heap scope (see
    /// [`Block::needs_heap_scope`]); its parent is returned only as a defensive fallback.
    pub(crate) fn captured(self) -> Option<Handle> {
        match self {
            Env::Global => None,
            Env::Scope(h) => Some(h),
            Env::Locals { parent, .. } => parent,
        }
    }

    /// Reports the scope the env refers to, if any.
    pub(crate) fn each_handle(self, mark: &mut dyn FnMut(Handle)) {
        match self {
            Env::Global | Env::Locals { parent: None, .. } => {}
            Env::Scope(h) | Env::Locals { parent: Some(h), .. } => mark(h),
        }
    }
}

/// The two kinds of frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// A continuation run by `&`, `!`, a function call or the top level. `...` and `!` act
    /// on the innermost activation; `break` and `continue` never cross one.
    Activation,
    /// A block run inline by a control word on a runtime value (`if`, a driven loop, `try`,
    /// `span`, `eval`). It shares its closure's scope and belongs to the activation below it.
    Inline,
}

/// One entry of the context stack.
#[derive(Debug)]
pub(crate) struct Frame {
    pub code: Rc<Block>,
    /// The next op to run. While the frame is running, the executor keeps the live value in a
    /// register and writes it back before anything can observe it.
    pub ip: u32,
    pub env: Env,
    pub kind: FrameKind,
    /// The index of the activation this frame belongs to (its own index for an activation).
    pub activation: u32,
    /// How many activations are on the context stack up to this frame's own (the depth the
    /// limit counts).
    pub depth: u32,
    /// For an activation, the name its continuation was stored under (for traces).
    pub name: Option<Name>,
    /// For a function call, the data-stack depth it must end with (its one result);
    /// `u32::MAX` when unchecked.
    pub expect: u32,
}

impl Frame {
    pub(crate) const NO_EXPECT: u32 = u32::MAX;
}
