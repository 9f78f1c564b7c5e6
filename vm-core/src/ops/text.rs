//! Text words: `split join upper lower trim find chars starts? ends? format`.

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    fn pop_text(&mut self, word: &str) -> Result<String, Error> {
        let value = self.task.pop(word)?;
        match self.reg.text(value) {
            Some(text) => Ok(text.to_string()),
            None => Err(Error::type_error(format!("'{word}' expects a string, got {}", self.type_name(value)))),
        }
    }

    fn push_str(&mut self, text: &str) {
        let value = self.reg.new_str(text);
        self.task.push(value);
    }

    /// Pushes an array of the strings `parts`. Equal parts share one string object
    /// (strings are immutable, so nothing can tell), which keeps splitting a text of
    /// repeated words from making an object per word.
    fn push_strings<'a>(&mut self, parts: impl Iterator<Item = &'a str>) {
        let mut seen: rustc_hash::FxHashMap<&'a str, Value> = rustc_hash::FxHashMap::default();
        let items = parts.map(|p| *seen.entry(p).or_insert_with(|| self.reg.new_str(p))).collect();
        let array = self.reg.new_array(items);
        self.task.push(array);
    }

    #[inline(never)]
    pub(crate) fn split(&mut self) -> Result<(), Error> {
        let sep = self.pop_text("split")?;
        let text = self.pop_text("split")?;
        if sep.is_empty() {
            let chars: Vec<String> = text.chars().map(String::from).collect();
            self.push_strings(chars.iter().map(String::as_str));
        } else {
            self.push_strings(text.split(sep.as_str()));
        }
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn join(&mut self) -> Result<(), Error> {
        let sep = self.pop_text("join")?;
        let coll = self.task.pop("join")?;
        let Value::Array(h) = coll else {
            return Err(Error::type_error(format!("'join' expects an array, got {}", self.type_name(coll))));
        };
        let mut joined = String::new();
        for (i, &item) in self.reg.array(h)?.iter().enumerate() {
            if i > 0 {
                joined.push_str(&sep);
            }
            self.reg.write_display(item, &mut joined);
        }
        self.push_str(&joined);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn upper(&mut self) -> Result<(), Error> {
        let text = self.pop_text("upper")?;
        self.push_str(&text.to_uppercase());
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn lower(&mut self) -> Result<(), Error> {
        let text = self.pop_text("lower")?;
        self.push_str(&text.to_lowercase());
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn trim(&mut self) -> Result<(), Error> {
        let text = self.pop_text("trim")?;
        self.push_str(text.trim());
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn find(&mut self) -> Result<(), Error> {
        let (coll, x) = self.task.pop2("find")?;
        let index = match coll {
            Value::Str(h) => match self.reg.text(x) {
                Some(needle) => self.reg.str(h)?.find(needle).map_or(-1, |i| i as i64),
                None => {
                    return Err(Error::type_error(format!(
                        "'find' in a string expects a string to look for, got {}",
                        self.type_name(x)
                    )));
                }
            },
            Value::Array(h) => {
                self.reg.array(h)?.iter().position(|&item| self.reg.equals(item, x)).map_or(-1, |i| i as i64)
            }
            other => {
                return Err(Error::type_error(format!(
                    "'find' expects a string or array, got {}",
                    self.type_name(other)
                )));
            }
        };
        self.task.push(Value::Int(index));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn chars(&mut self) -> Result<(), Error> {
        let text = self.pop_text("chars")?;
        let chars: Vec<String> = text.chars().map(String::from).collect();
        self.push_strings(chars.iter().map(String::as_str));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn starts_with(&mut self) -> Result<(), Error> {
        let prefix = self.pop_text("starts?")?;
        let text = self.pop_text("starts?")?;
        self.task.push(Value::Bool(text.starts_with(&prefix)));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn ends_with(&mut self) -> Result<(), Error> {
        let suffix = self.pop_text("ends?")?;
        let text = self.pop_text("ends?")?;
        self.task.push(Value::Bool(text.ends_with(&suffix)));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn format(&mut self) -> Result<(), Error> {
        let (fmt, args) = self.task.pop2("format")?;
        let Some(fmt) = self.reg.text(fmt).map(str::to_string) else {
            return Err(Error::type_error(format!("'format' expects a format string, got {}", self.type_name(fmt))));
        };
        let Value::Array(h) = args else {
            return Err(Error::type_error(format!(
                "'format' expects an array of arguments, got {}",
                self.type_name(args)
            )));
        };
        let args = self.reg.array(h)?.clone();
        let mut out = String::with_capacity(fmt.len());
        let mut used = 0;
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    chars.next();
                    out.push(c);
                }
                ('{', Some('}')) => {
                    chars.next();
                    let Some(&arg) = args.get(used) else {
                        return Err(Error::new(
                            ErrorKind::Arity,
                            format!(
                                "'format': the format has more {{}} than the {} given",
                                registry::counted(args.len(), "argument")
                            ),
                        ));
                    };
                    out.push_str(&self.reg.display(arg));
                    used += 1;
                }
                _ => out.push(c),
            }
        }
        if used != args.len() {
            return Err(Error::new(
                ErrorKind::Arity,
                format!("'format': {} given but the format uses {used}", registry::counted(args.len(), "argument")),
            ));
        }
        self.push_str(&out);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn read_file(&mut self) -> Result<(), Error> {
        let path = self.pop_text("read_file")?;
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                self.check_size("read_file", text.len())?;
                self.push_str(&text);
                Ok(())
            }
            Err(err) => Err(Error::new(ErrorKind::User, format!("read_file: cannot read {path:?}: {err}"))),
        }
    }
}
