//! Arithmetic and bit words. Int results that do not fit are `overflow` errors; mixing an
//! int with a float gives a float; division or remainder by zero is an error for both.

use std::cmp::Ordering;

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

/// A number operand.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

fn num(value: Value) -> Option<Num> {
    match value {
        Value::Int(i) => Some(Num::Int(i)),
        Value::Float(f) => Some(Num::Float(f)),
        _ => None,
    }
}

fn as_float(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Float(f) => f,
    }
}

#[cold]
fn overflow(word: &str, a: i64, b: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Overflow, format!("integer overflow: {a} {word} {b} does not fit in 64 bits"))
}

/// Why a division or remainder has no result.
#[derive(Clone, Copy)]
enum DivFault {
    Zero,
    /// The quotient of these ints does not fit (the minimum int by -1).
    Overflow(i64, i64),
}

impl DivFault {
    /// The error for `word`, whose division by zero says `by_zero`.
    #[cold]
    fn error(self, word: &str, by_zero: &str) -> Error {
        match self {
            DivFault::Zero => Error::new(ErrorKind::DivisionByZero, by_zero),
            DivFault::Overflow(a, b) => overflow(word, a, b),
        }
    }
}

/// `a / b`: ints truncate toward zero; a zero divisor is an error for floats too.
fn quotient(a: Num, b: Num) -> Result<Value, DivFault> {
    match (a, b) {
        (_, Num::Int(0)) | (_, Num::Float(0.0)) => Err(DivFault::Zero),
        (Num::Int(x), Num::Int(y)) => x.checked_div(y).map(Value::Int).ok_or(DivFault::Overflow(x, y)),
        (x, y) => Ok(Value::Float(as_float(x) / as_float(y))),
    }
}

/// `a % b`, with the sign of the dividend.
fn remainder(a: Num, b: Num) -> Result<Value, DivFault> {
    match (a, b) {
        (_, Num::Int(0)) | (_, Num::Float(0.0)) => Err(DivFault::Zero),
        // i64::MIN % -1 is 0, which fits; only the quotient overflows.
        (Num::Int(x), Num::Int(y)) => Ok(Value::Int(x.wrapping_rem(y))),
        (x, y) => Ok(Value::Float(as_float(x) % as_float(y))),
    }
}

impl Vm {
    #[cold]
    fn operands_error(&self, word: &str, expected: &str, a: Value, b: Value) -> Error {
        Error::type_error(format!("'{word}' expects {expected}, got {} and {}", self.type_name(a), self.type_name(b)))
    }

    /// Pops two numbers for `word`.
    fn pop_nums(&mut self, word: &str) -> Result<(Num, Num), Error> {
        let (a, b) = self.task.pop2(word)?;
        match (num(a), num(b)) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(self.operands_error(word, "two numbers", a, b)),
        }
    }

    /// Pops two ints for `word`.
    fn pop_ints(&mut self, word: &str) -> Result<(i64, i64), Error> {
        let (a, b) = self.task.pop2(word)?;
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => Ok((x, y)),
            _ => Err(self.operands_error(word, "two ints", a, b)),
        }
    }

    fn arith(
        &mut self,
        word: &str,
        int_op: fn(i64, i64) -> Option<i64>,
        float_op: fn(f64, f64) -> f64,
    ) -> Result<(), Error> {
        let result = match self.pop_nums(word)? {
            (Num::Int(a), Num::Int(b)) => Value::Int(int_op(a, b).ok_or_else(|| overflow(word, a, b))?),
            (a, b) => Value::Float(float_op(as_float(a), as_float(b))),
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn add(&mut self) -> Result<(), Error> {
        let (a, b) = self.task.pop2("+")?;
        let result = match (a, b) {
            (Value::Int(x), Value::Int(y)) => Value::Int(x.checked_add(y).ok_or_else(|| overflow("+", x, y))?),
            (Value::Str(x), Value::Str(y)) => {
                let (left, right) = (self.reg.str(x)?.as_str(), self.reg.str(y)?.as_str());
                let mut text = String::new();
                self.check_size("+", left.len().saturating_add(right.len()))?;
                if text.try_reserve_exact(left.len() + right.len()).is_err() {
                    return Err(Error::limit("'+': out of memory for the joined string"));
                }
                text.push_str(left);
                text.push_str(right);
                self.reg.try_new_str(&text)?
            }
            (Value::Array(x), Value::Array(y)) => {
                let (left, right) = (self.reg.array(x)?, self.reg.array(y)?);
                let mut items = Vec::new();
                let len = left.len().saturating_add(right.len());
                self.check_size("+", len.saturating_mul(std::mem::size_of::<Value>()))?;
                if items.try_reserve_exact(len).is_err() {
                    return Err(Error::limit("'+': out of memory for the joined array"));
                }
                items.extend_from_slice(left);
                items.extend_from_slice(right);
                self.reg.new_array(items)
            }
            _ => match (num(a), num(b)) {
                (Some(x), Some(y)) => Value::Float(as_float(x) + as_float(y)),
                _ => {
                    return Err(self.operands_error(
                        "+",
                        "two numbers, two strings or two arrays (use str to convert)",
                        a,
                        b,
                    ));
                }
            },
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn sub(&mut self) -> Result<(), Error> {
        self.arith("-", i64::checked_sub, |a, b| a - b)
    }

    #[inline(never)]
    pub(crate) fn mul(&mut self) -> Result<(), Error> {
        self.arith("*", i64::checked_mul, |a, b| a * b)
    }

    #[inline(never)]
    pub(crate) fn div(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_nums("/")?;
        let result = quotient(a, b).map_err(|fault| fault.error("/", "division by zero"))?;
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn modulo(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_nums("%")?;
        let result = remainder(a, b).map_err(|fault| fault.error("%", "modulo by zero"))?;
        self.task.push(result);
        Ok(())
    }

    /// `divmod ( a b -- [q r] )`: `a b /` and `a b %` at once, its errors naming `divmod`.
    #[inline(never)]
    pub(crate) fn divmod(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_nums("divmod")?;
        let fail = |fault: DivFault| fault.error("divmod", "'divmod': division by zero");
        let (q, r) = (quotient(a, b).map_err(fail)?, remainder(a, b).map_err(fail)?);
        self.push_array(vec![q, r]);
        Ok(())
    }

    fn unary_num(&mut self, word: &str, int_op: fn(i64) -> Option<i64>, float_op: fn(f64) -> f64) -> Result<(), Error> {
        let value = self.task.pop(word)?;
        let result = match value {
            Value::Int(i) => Value::Int(int_op(i).ok_or_else(|| {
                Error::new(ErrorKind::Overflow, format!("integer overflow: {word} of {i} does not fit in 64 bits"))
            })?),
            Value::Float(f) => Value::Float(float_op(f)),
            other => {
                return Err(Error::type_error(format!("'{word}' expects a number, got {}", self.type_name(other))));
            }
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn neg(&mut self) -> Result<(), Error> {
        self.unary_num("neg", i64::checked_neg, |f| -f)
    }

    #[inline(never)]
    pub(crate) fn abs(&mut self) -> Result<(), Error> {
        self.unary_num("abs", i64::checked_abs, f64::abs)
    }

    fn pick_by_order(&mut self, word: &str, keep: Ordering) -> Result<(), Error> {
        let (a, b) = self.task.pop2(word)?;
        let order = self
            .reg
            .compare(a, b)
            .map_err(|_| self.operands_error(word, "two numbers, two strings or two arrays", a, b))?;
        // With a NaN involved, the NaN wins, as it does in IEEE min/max propagation.
        let result = match order {
            Some(o) if o == keep => a,
            Some(_) => b,
            None => Value::Float(f64::NAN),
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn min(&mut self) -> Result<(), Error> {
        self.pick_by_order("min", Ordering::Less)
    }

    #[inline(never)]
    pub(crate) fn max(&mut self) -> Result<(), Error> {
        self.pick_by_order("max", Ordering::Greater)
    }

    #[inline(never)]
    pub(crate) fn pow(&mut self) -> Result<(), Error> {
        let result = match self.pop_nums("pow")? {
            (Num::Int(a), Num::Int(b)) if b >= 0 => {
                // Exponents past u32 only fit for the bases whose powers stay small.
                let result = match (a, u32::try_from(b)) {
                    (_, Ok(e)) => a.checked_pow(e),
                    (0 | 1, Err(_)) => Some(a),
                    (-1, Err(_)) => Some(if b % 2 == 0 { 1 } else { -1 }),
                    (_, Err(_)) => None,
                };
                Value::Int(result.ok_or_else(|| overflow("pow", a, b))?)
            }
            (a, b) => Value::Float(as_float(a).powf(as_float(b))),
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn bit_and(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_ints("band")?;
        self.task.push(Value::Int(a & b));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn bit_or(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_ints("|")?;
        self.task.push(Value::Int(a | b));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn bit_xor(&mut self) -> Result<(), Error> {
        let (a, b) = self.pop_ints("bxor")?;
        self.task.push(Value::Int(a ^ b));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn bit_not(&mut self) -> Result<(), Error> {
        match self.task.pop("bnot")? {
            Value::Int(a) => {
                self.task.push(Value::Int(!a));
                Ok(())
            }
            other => Err(Error::type_error(format!("'bnot' expects an int, got {}", self.type_name(other)))),
        }
    }

    #[inline(never)]
    pub(crate) fn shl(&mut self) -> Result<(), Error> {
        let (a, n) = self.pop_ints("shl")?;
        if !(0..64).contains(&n) {
            return Err(overflow("shl", a, n));
        }
        let shifted = a << n;
        if shifted >> n != a {
            return Err(overflow("shl", a, n));
        }
        self.task.push(Value::Int(shifted));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn shr(&mut self) -> Result<(), Error> {
        let (a, n) = self.pop_ints("shr")?;
        if !(0..64).contains(&n) {
            return Err(overflow("shr", a, n));
        }
        self.task.push(Value::Int(a >> n));
        Ok(())
    }
}
