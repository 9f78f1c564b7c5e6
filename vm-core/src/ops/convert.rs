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
    pub(crate) fn str_of(&mut self) -> Result<(), Error> {
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
    pub(crate) fn int_of(&mut self) -> Result<(), Error> {
        let value = self.task.pop("int")?;
        let result = match value {
            Value::Int(i) => i,
            Value::Bool(b) => b as i64,
            Value::Float(f) if f.is_finite() => match whole_float_to_int(f.trunc()) {
                Some(i) => i,
                None => return Err(Error::new(ErrorKind::Overflow, format!("'int': {f:?} does not fit in 64 bits"))),
            },
            Value::Float(f) => {
                return Err(Error::type_error(format!(
                    "'int': cannot convert {} to an int",
                    self.reg.display(Value::Float(f))
                )));
            }
            Value::Str(_) => {
                let text = self.reg.text(value).unwrap_or("").trim();
                match parse_int(text) {
                    Ok(i) => i,
                    Err(IntText::Invalid) => {
                        return Err(Error::type_error(format!(
                            "'int': cannot convert {} to an int",
                            self.reg.repr(value)
                        )));
                    }
                    Err(IntText::TooBig) => {
                        return Err(Error::new(
                            ErrorKind::Overflow,
                            format!("'int': {} does not fit in 64 bits", self.reg.repr(value)),
                        ));
                    }
                }
            }
            other => {
                return Err(Error::type_error(format!(
                    "'int': cannot convert {} to an int",
                    registry::a_type(self.type_name(other))
                )));
            }
        };
        self.task.push(Value::Int(result));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn float_of(&mut self) -> Result<(), Error> {
        let value = self.task.pop("float")?;
        let result = match value {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            Value::Bool(b) => b as i64 as f64,
            Value::Str(_) => {
                let text = self.reg.text(value).unwrap_or("").trim();
                match parse_float(text) {
                    Some(f) => f,
                    None => {
                        return Err(Error::type_error(format!(
                            "'float': cannot convert {} to a float",
                            self.reg.repr(value)
                        )));
                    }
                }
            }
            other => {
                return Err(Error::type_error(format!(
                    "'float': cannot convert {} to a float",
                    registry::a_type(self.type_name(other))
                )));
            }
        };
        self.task.push(Value::Float(result));
        Ok(())
    }

    /// `to_int` and `to_float`: the conversion `convert`, but `nil` where it fails for the
    /// value (a stack error is still an error).
    #[inline(never)]
    pub(crate) fn try_convert(&mut self, word: &str, convert: fn(&mut Vm) -> Result<(), Error>) -> Result<(), Error> {
        self.task.need(1, word)?;
        match convert(self) {
            Err(err) if matches!(err.kind(), ErrorKind::Type | ErrorKind::Overflow) => {
                self.task.push(Value::Nil);
                Ok(())
            }
            other => other,
        }
    }

    #[inline(never)]
    pub(crate) fn bool_of(&mut self) -> Result<(), Error> {
        let value = self.task.pop("bool")?;
        let result = self.truthy(value);
        self.task.push(Value::Bool(result));
        Ok(())
    }
}

/// The int a whole float stands for, if one does (not for NaN, the infinities or floats
/// past the int range).
pub(crate) fn whole_float_to_int(f: f64) -> Option<i64> {
    // -2^63 is exact; 2^63 is the first float past the int range.
    (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f).then_some(f as i64)
}

/// Why text is not an int.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum IntText {
    /// Not an int literal at all.
    Invalid,
    /// An int literal whose value does not fit in 64 bits.
    TooBig,
}

/// Whether `digits` are digits of `radix` with single `_` separators between them.
fn well_formed(digits: &str, radix: u32) -> bool {
    !digits.is_empty() && digits.split('_').all(|group| !group.is_empty() && group.chars().all(|c| c.is_digit(radix)))
}

/// Parses an int as Pi writes it: decimal or `0x` hex, one optional sign, `_` between
/// digits.
pub(crate) fn parse_int(text: &str) -> Result<i64, IntText> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if !well_formed(digits, radix) {
        return Err(IntText::Invalid);
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = u64::from_str_radix(&clean, radix).map_err(|_| IntText::TooBig)?;
    let value = if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() };
    value.ok_or(IntText::TooBig)
}

/// Parses a float as Pi writes numbers (an int literal is accepted too), or `inf`/`nan`.
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    if let Ok(i) = parse_int(text) {
        return Some(i as f64);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    match unsigned {
        "inf" | "nan" => return text.parse::<f64>().ok(),
        _ => {}
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let ok = well_formed(whole, 10) && well_formed(fraction, 10) && exponent.is_none_or(|e| well_formed(e, 10));
    if !ok {
        return None;
    }
    text.chars().filter(|&c| c != '_').collect::<String>().parse::<f64>().ok()
}
