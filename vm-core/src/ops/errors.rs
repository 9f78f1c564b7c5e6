//! Raising and handling errors, and ending the program: `try` (compiled), `throw`,
//! `assert`, `exit`.

use registry::Value;

use crate::entry::EntryKind;
use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    pub(crate) fn try_enter(&mut self, handler: u32) -> Result<(), Error> {
        let depth = self.task.stack.len() as u32;
        self.push_entry(EntryKind::Try { handler, depth, closure: None })
    }

    pub(crate) fn try_exit(&mut self) {
        crate::entry::pop_entry(&mut self.task.entries);
    }

    /// `throw`: the error to raise.
    #[inline(never)]
    pub(crate) fn throw(&mut self) -> Error {
        match self.task.pop("throw") {
            Ok(value) => self.task_error_of(value),
            Err(err) => err,
        }
    }

    /// The catchable error raising `value`: a map with a `"kind"` key as it is (its kind
    /// kept, so a caught error re-thrown is the same error), anything else as a `user`
    /// error.
    pub(crate) fn task_error_of(&mut self, value: Value) -> Error {
        let (kind, message) = match value {
            Value::Map(h) => match self.reg.map(h) {
                Ok(map) if map.contains_key(&registry::KeyRef::Str("kind")) => {
                    let kind_value = map.get(&registry::KeyRef::Str("kind")).copied().unwrap_or(Value::Nil);
                    let mut message = match map.get(&registry::KeyRef::Str("message")) {
                        Some(&m) => self.reg.display(m),
                        None => self.reg.display(value),
                    };
                    let kind = self.reg.text(kind_value).and_then(ErrorKind::from_name).unwrap_or_else(|| {
                        // A kind of the program's own is a `user` error; keep its name in sight.
                        message = format!("{}: {message}", self.reg.display(kind_value));
                        ErrorKind::User
                    });
                    (kind, message)
                }
                _ => (ErrorKind::User, self.reg.display(value)),
            },
            other => (ErrorKind::User, self.reg.display(other)),
        };
        let rooted = self.reg.root(value);
        let mut err = Error::new(kind, message).with_thrown(rooted);
        err.set_catchable();
        err
    }

    #[inline(never)]
    pub(crate) fn assert(&mut self) -> Result<(), Error> {
        let value = self.task.pop("assert")?;
        if !self.truthy(value) {
            return Err(Error::new(ErrorKind::Assertion, "assertion failed"));
        }
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn exit(&mut self) -> Result<i32, Error> {
        // A process exit status is one byte; wrapping a larger code around (256 to 0, a
        // success) would hide the failure it reports.
        match self.task.pop("exit")? {
            Value::Int(code @ 0..=255) => Ok(code as i32),
            Value::Int(code) => Err(Error::type_error(format!("'exit' expects a code from 0 to 255, got {code}"))),
            other => Err(Error::type_error(format!(
                "'exit' expects an int code from 0 to 255, got {}",
                self.type_name(other)
            ))),
        }
    }
}
