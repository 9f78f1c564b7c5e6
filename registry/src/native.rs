//! [`NativeObject`]: Rust values an embedder puts in the heap.

use std::any::Any;

use gc::Handle;

use crate::value::Value;

/// A Rust value living in the registry, visible to Kai code as a value of its own type.
///
/// Implement `trace` if the object holds Kai [`Value`]s, so the collector keeps them alive.
/// Downcast with `as &dyn Any` (trait upcasting) to reach the concrete type.
pub trait NativeObject: Any {
    /// The name `type` reports for this object.
    fn type_name(&self) -> &str;

    /// Reports every Kai value the object holds.
    fn trace(&self, _visit: &mut dyn FnMut(Value)) {}

    /// Reports every heap object the object refers to by handle rather than through a value
    /// (the executor's own objects hold scopes that way).
    fn trace_handles(&self, _mark: &mut dyn FnMut(Handle)) {}

    /// How the object prints; `<type_name>` by default.
    fn display(&self) -> String {
        format!("<{}>", self.type_name())
    }

    /// Bytes owned by the object, for collector pacing and the heap limit.
    fn size_bytes(&self) -> usize {
        0
    }
}
