//! Comparison and logic words: `== != < <= > >=` and `not and or xor` (on truthiness).

use std::cmp::Ordering;

use registry::Value;

use crate::error::Error;
use crate::vm::Vm;

impl Vm {
    #[inline(never)]
    pub(crate) fn eq(&mut self) -> Result<(), Error> {
        let (a, b) = self.task.pop2("==")?;
        let equal = self.reg.equals(a, b);
        self.task.push(Value::Bool(equal));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn ne(&mut self) -> Result<(), Error> {
        let (a, b) = self.task.pop2("!=")?;
        let equal = self.reg.equals(a, b);
        self.task.push(Value::Bool(!equal));
        Ok(())
    }

    fn ordered(&mut self, word: &str, holds: fn(Ordering) -> bool) -> Result<(), Error> {
        let (a, b) = self.task.pop2(word)?;
        let order = self.reg.compare(a, b).map_err(|_| {
            Error::type_error(format!(
                "'{word}' compares two numbers, two strings or two arrays, got {} and {}",
                self.type_name(a),
                self.type_name(b)
            ))
        })?;
        // Every ordering with a NaN is false.
        self.task.push(Value::Bool(order.is_some_and(holds)));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn lt(&mut self) -> Result<(), Error> {
        self.ordered("<", Ordering::is_lt)
    }

    #[inline(never)]
    pub(crate) fn le(&mut self) -> Result<(), Error> {
        self.ordered("<=", Ordering::is_le)
    }

    #[inline(never)]
    pub(crate) fn gt(&mut self) -> Result<(), Error> {
        self.ordered(">", Ordering::is_gt)
    }

    #[inline(never)]
    pub(crate) fn ge(&mut self) -> Result<(), Error> {
        self.ordered(">=", Ordering::is_ge)
    }

    #[inline(never)]
    pub(crate) fn not(&mut self) -> Result<(), Error> {
        let a = self.task.pop("not")?;
        let result = !self.truthy(a);
        self.task.push(Value::Bool(result));
        Ok(())
    }

    fn logic(&mut self, word: &str, op: fn(bool, bool) -> bool) -> Result<(), Error> {
        let (a, b) = self.task.pop2(word)?;
        let result = op(self.truthy(a), self.truthy(b));
        self.task.push(Value::Bool(result));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn and(&mut self) -> Result<(), Error> {
        self.logic("and", |a, b| a && b)
    }

    #[inline(never)]
    pub(crate) fn or(&mut self) -> Result<(), Error> {
        self.logic("or", |a, b| a || b)
    }

    #[inline(never)]
    pub(crate) fn xor(&mut self) -> Result<(), Error> {
        self.logic("xor", |a, b| a != b)
    }
}
