//! Conversions and types: `type str int float bool`.

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    #[inline(never)]
    pub(crate) fn type_of(&mut self) -> Result<(), Error> {
        let value = self.task.pop("type")?;
        let name = self.reg.type_name(value).to_string();
        let result = self.reg.new_str(name);
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn to_str(&mut self) -> Result<(), Error> {
        let value = self.task.pop("str")?;
        let result = match value {
            Value::Str(_) => value,
            other => {
                let text = self.reg.display(other);
                self.reg.new_str(text)
            }
        };
        self.task.push(result);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn to_int(&mut self) -> Result<(), Error> {
        let value = self.task.pop("int")?;
        let result = match value {
            Value::Int(i) => i,
            Value::Bool(b) => b as i64,
            Value::Float(f) if f.is_finite() => {
                let t = f.trunc();
                // -2^63 is exact; 2^63 is the first float past the int range.
                if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
                    return Err(Error::new(ErrorKind::Overflow, format!("'int': {f:?} does not fit in 64 bits")));
                }
                t as i64
            }
            Value::Float(f) => {
                return Err(Error::type_error(format!("'int': cannot convert {} to an int", self.reg.display(Value::Float(f)))));
            }
            Value::Str(_) => {
                let text = self.reg.text(value).unwrap_or("").trim();
                parse_int(text).ok_or_else(|| {
                    Error::type_error(format!("'int': cannot convert {} to an int", self.reg.repr(value)))
                })?
            }
            other => return Err(Error::type_error(format!("'int': cannot convert a {} to an int", self.type_name(other)))),
        };
        self.task.push(Value::Int(result));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn to_float(&mut self) -> Result<(), Error> {
        let value = self.task.pop("float")?;
        let result = match value {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            Value::Bool(b) => b as i64 as f64,
            Value::Str(_) => {
                let text = self.reg.text(value).unwrap_or("").trim();
                text.parse::<f64>().map_err(|_| {
                    Error::type_error(format!("'float': cannot convert {} to a float", self.reg.repr(value)))
                })?
            }
            other => {
                return Err(Error::type_error(format!("'float': cannot convert a {} to a float", self.type_name(other))));
            }
        };
        self.task.push(Value::Float(result));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn to_bool(&mut self) -> Result<(), Error> {
        let value = self.task.pop("bool")?;
        let result = self.truthy(value);
        self.task.push(Value::Bool(result));
        Ok(())
    }
}

/// Parses an int as Pi writes it: decimal or `0x` hex, optional sign, `_` separators.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = u64::from_str_radix(&clean, radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}
