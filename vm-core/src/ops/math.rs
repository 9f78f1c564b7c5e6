//! Math and random words: `sqrt sin … log2 atan2 hypot`, the roundings `floor ceil round
//! trunc`, `nan? finite?`, and `random random_int seed shuffle choice` on the VM's
//! generator (`crate::rng`).

use registry::Value;

use super::convert::whole_float_to_int;
use crate::error::{Error, ErrorKind};
use crate::op::Op;
use crate::vm::Vm;
use crate::words::{self, Builtin, Math, Round};

/// The name of `builtin`'s word, for messages (looked up only when one is made).
#[cold]
fn word_name(builtin: Builtin) -> &'static str {
    words::word_of(Op::Builtin(builtin)).map_or("?", |w| w.name)
}

impl Vm {
    /// Pops a value for the word `word()` names, which is asked only for an error message
    /// (so a family op need not look its word up on every run).
    fn pop_for(&mut self, word: impl Fn() -> &'static str) -> Result<Value, Error> {
        if self.task.available() == 0 {
            self.task.need(1, word())?;
        }
        Ok(self.task.stack.pop().unwrap_or(Value::Nil))
    }

    /// Pops a number as a float.
    fn pop_float(&mut self, word: impl Fn() -> &'static str) -> Result<f64, Error> {
        match self.pop_for(&word)? {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(self.expects(word(), "a number", other)),
        }
    }

    #[inline(never)]
    pub(crate) fn math(&mut self, f: Math) -> Result<(), Error> {
        let x = self.pop_float(|| word_name(Builtin::Math(f)))?;
        self.task.push(Value::Float(f.apply(x)));
        Ok(())
    }

    /// A rounding: an int stays as it is; a float becomes the int it rounds to, which
    /// must exist (NaN, the infinities and floats past 2^63 are `overflow` errors).
    #[inline(never)]
    pub(crate) fn round(&mut self, r: Round) -> Result<(), Error> {
        let word = || word_name(Builtin::Round(r));
        let value = self.pop_for(word)?;
        let result = match value {
            Value::Int(i) => i,
            Value::Float(f) => match whole_float_to_int(r.apply(f)) {
                Some(i) => i,
                None => {
                    return Err(Error::new(
                        ErrorKind::Overflow,
                        format!("'{}': {} has no int to round to", word(), self.reg.display(value)),
                    ));
                }
            },
            other => return Err(self.expects(word(), "a number", other)),
        };
        self.task.push(Value::Int(result));
        Ok(())
    }

    /// A function of two numbers giving a float (`atan2`, `hypot`), operands in Pi order.
    #[inline(never)]
    pub(crate) fn math2(&mut self, word: &'static str, f: fn(f64, f64) -> f64) -> Result<(), Error> {
        self.task.need(2, word)?;
        let b = self.pop_float(|| word)?;
        let a = self.pop_float(|| word)?;
        self.task.push(Value::Float(f(a, b)));
        Ok(())
    }

    /// `nan?` and `finite?`: a test of a number (an int is finite and not NaN).
    #[inline(never)]
    pub(crate) fn float_test(&mut self, word: &'static str, test: fn(f64) -> bool) -> Result<(), Error> {
        let x = self.pop_float(|| word)?;
        self.task.push(Value::Bool(test(x)));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn random(&mut self) {
        let f = self.rng.next_float();
        self.task.push(Value::Float(f));
    }

    #[inline(never)]
    pub(crate) fn random_int(&mut self) -> Result<(), Error> {
        self.task.need(2, "random_int")?;
        let hi = self.pop_int("random_int")?;
        let lo = self.pop_int("random_int")?;
        if lo > hi {
            return Err(Error::new(
                ErrorKind::Index,
                format!("'random_int': the range {lo} to {hi} is empty (lo must not exceed hi)"),
            ));
        }
        let n = self.rng.between(lo, hi);
        self.task.push(Value::Int(n));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn seed(&mut self) -> Result<(), Error> {
        let seed = self.pop_int("seed")?;
        self.rng = crate::rng::Rng::seeded(seed as u64);
        Ok(())
    }

    /// `shuffle`: a copy in random order (Fisher–Yates, so every order is equally likely).
    #[inline(never)]
    pub(crate) fn shuffle(&mut self) -> Result<(), Error> {
        let h = self.pop_array("shuffle")?;
        let mut items = self.reg.array(h)?.clone();
        for i in (1..items.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
        self.charge(items.len());
        let array = self.reg.new_array(items);
        self.task.push(array);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn choice(&mut self) -> Result<(), Error> {
        let h = self.pop_array("choice")?;
        let len = self.reg.array(h)?.len();
        if len == 0 {
            return Err(Error::new(ErrorKind::Index, "'choice': the array is empty"));
        }
        let i = self.rng.below(len as u64) as usize;
        let item = self.reg.array(h)?[i];
        self.task.push(item);
        Ok(())
    }
}
