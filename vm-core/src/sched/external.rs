//! Operations that complete outside the VM: work on other threads (the parallel workers, a
//! network runtime, an embedder's own threads) that a task awaits like any future. The VM
//! hands out a future and a [`Completer`]; the other thread completes it, and the scheduler
//! resolves the future when it next looks for work (or, with nothing else to run, while it
//! waits).

use std::sync::mpsc::Sender;

use registry::Value;

use super::{Completion, FutureObject};
use crate::error::Error;
use crate::vm::Vm;

/// How a completed operation makes its result in the VM (run on the VM's thread: the
/// result crossed threads in a form of its own).
pub type MakeResult = Box<dyn FnOnce(&mut Vm) -> Result<Value, Error> + Send>;

/// Completes one external operation from any thread. Dropping it without completing fails
/// the operation's future, so a lost operation never leaves a task waiting forever.
pub struct Completer {
    ticket: u64,
    sender: Option<Sender<Completion>>,
}

impl Completer {
    /// Completes the operation: `make` runs on the VM's thread and gives the future's value
    /// (or the error it fails with).
    pub fn complete(mut self, make: impl FnOnce(&mut Vm) -> Result<Value, Error> + Send + 'static) {
        if let Some(sender) = self.sender.take() {
            // The VM may be gone; then nobody waits for this.
            let _ = sender.send(Completion { ticket: self.ticket, result: Box::new(make) });
        }
    }
}

impl Drop for Completer {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            let make: MakeResult =
                Box::new(|_| Err(Error::new(crate::ErrorKind::Closed, "the operation was abandoned")));
            let _ = sender.send(Completion { ticket: self.ticket, result: make });
        }
    }
}

impl Vm {
    /// Starts an operation that completes outside the VM: its future (a value a task can
    /// `await`) and the [`Completer`] to complete it with, from any thread.
    pub fn external_future(&mut self) -> (Value, Completer) {
        let future = self.reg.new_native(Box::new(FutureObject::pending(None)));
        let Value::Native(h) = future else { unreachable!("new_native makes a native") };
        self.sched.next_ticket += 1;
        let ticket = self.sched.next_ticket;
        self.sched.tickets.insert(ticket, h);
        self.sched.completions.outstanding += 1;
        (future, Completer { ticket, sender: Some(self.sched.completions.sender()) })
    }
}
