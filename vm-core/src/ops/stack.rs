//! Stack words: `dup drop swap over rot nip tuck dup2 drop2 pick roll dropn depth clear`.

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    pub(crate) fn dup(&mut self) -> Result<(), Error> {
        self.task.need(1, "dup")?;
        let top = self.task.stack[self.task.stack.len() - 1];
        self.task.push(top);
        Ok(())
    }

    pub(crate) fn drop(&mut self) -> Result<(), Error> {
        self.task.pop("drop").map(|_| ())
    }

    pub(crate) fn swap(&mut self) -> Result<(), Error> {
        self.task.need(2, "swap")?;
        let n = self.task.stack.len();
        self.task.stack.swap(n - 1, n - 2);
        Ok(())
    }

    pub(crate) fn over(&mut self) -> Result<(), Error> {
        self.task.need(2, "over")?;
        let second = self.task.stack[self.task.stack.len() - 2];
        self.task.push(second);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn rot(&mut self) -> Result<(), Error> {
        self.task.need(3, "rot")?;
        let n = self.task.stack.len();
        self.task.stack[n - 3..].rotate_left(1);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn nip(&mut self) -> Result<(), Error> {
        let (_, b) = self.task.pop2("nip")?;
        self.task.push(b);
        Ok(())
    }

    /// `Slide(n)`: the return of a function that keeps its `n` parameters on the stack.
    #[inline(never)]
    pub(crate) fn slide(&mut self, n: usize) -> Result<(), Error> {
        self.task.need(n.saturating_add(1), "return")?;
        let len = self.task.stack.len();
        self.task.stack[len - 1 - n] = self.task.stack[len - 1];
        self.task.stack.truncate(len - n);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn tuck(&mut self) -> Result<(), Error> {
        let (a, b) = self.task.pop2("tuck")?;
        for value in [b, a, b] {
            self.task.push(value);
        }
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn dup2(&mut self) -> Result<(), Error> {
        self.task.need(2, "dup2")?;
        let n = self.task.stack.len();
        let (a, b) = (self.task.stack[n - 2], self.task.stack[n - 1]);
        self.task.push(a);
        self.task.push(b);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn drop2(&mut self) -> Result<(), Error> {
        self.task.pop2("drop2").map(|_| ())
    }

    /// Pops the count operand of `pick`, `roll` and `dropn`.
    fn pop_count(&mut self, word: &str) -> Result<usize, Error> {
        match self.task.pop(word)? {
            Value::Int(n) if n >= 0 => Ok(n as usize),
            Value::Int(n) => Err(Error::new(ErrorKind::Index, format!("{word}: negative count {n}"))),
            other => Err(Error::type_error(format!("{word}: the count must be an int, got {}", self.type_name(other)))),
        }
    }

    #[inline(never)]
    pub(crate) fn pick(&mut self) -> Result<(), Error> {
        let n = self.pop_count("pick")?;
        self.task.need(n.saturating_add(1), "pick")?;
        let value = self.task.stack[self.task.stack.len() - 1 - n];
        self.task.push(value);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn roll(&mut self) -> Result<(), Error> {
        let n = self.pop_count("roll")?;
        self.task.need(n.saturating_add(1), "roll")?;
        let len = self.task.stack.len();
        self.task.stack[len - 1 - n..].rotate_left(1);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn drop_n(&mut self) -> Result<(), Error> {
        let n = self.pop_count("dropn")?;
        self.task.need(n, "dropn")?;
        let len = self.task.stack.len();
        self.task.stack.truncate(len - n);
        Ok(())
    }

    pub(crate) fn depth(&mut self) {
        let depth = self.task.available() as i64;
        self.task.push(Value::Int(depth));
    }

    pub(crate) fn clear(&mut self) {
        let floor = self.task.floor;
        self.task.stack.truncate(floor);
    }
}
