//! Kai's executor: compiled code (portable [`Unit`]s, and the [`Block`]s of [`Op`]s a VM
//! loads them into), the task state (data stack and context stack), every built-in Pi
//! word, resource limits, and the embedding API ([`Vm`]).
//!
//! vm-core knows no surface syntax: frontends (lang-pi, lang-rho) compile source text into
//! units with the [`Assembler`], without a VM, and install themselves as a [`Frontend`]. Execution never
//! recurses on the Rust stack for guest calls: `&`, `!`, `...` and every block a control
//! word runs are pushes and pops of the context stack, driven by one loop.

mod code;
mod entry;
mod error;
mod exec;
mod footprint;
mod format_spec;
mod frame;
mod fusion;
mod input;
mod limits;
mod load;
mod merge_sort;
mod native;
mod op;
mod ops;
mod parallel;
mod rng;
mod sched;
mod source;
mod stack_params;
mod task;
mod unit;
mod verify;
mod vm;
pub mod words;

pub use code::{Assembler, Block, BlockBuilder, Patch};
pub use error::{Error, ErrorKind, TraceEntry, shown};
pub use limits::Limits;
pub use native::{FromValue, IntoNative, IntoValue, NativeFn};
pub use op::{Cmp, Op, OpFlags, Operand};
pub use registry::{Key, Map, Name, NativeObject, Object, Rooted, Stress, Value, write_float, write_quoted};
pub use sched::{Completer, MakeResult};
pub use source::{Position, Source, SourceId, Sources, Span};
pub use task::Task;
pub use unit::{Constant, Range, Unit, UnitBlock};
pub use verify::{MAX_BLOCK_DEPTH, Malformed, verify};
pub use vm::{Frontend, Natives, Outcome, Vm, compile_unit};

#[cfg(test)]
mod tests;
