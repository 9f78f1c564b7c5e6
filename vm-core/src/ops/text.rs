//! Text words: `split words lines join upper lower trim find chars starts? ends? replace_all
//! repeat pad_left pad_right ord chr format`.

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::format_spec::{FormatArg, FormatError, render};
use crate::vm::Vm;

impl Vm {
    /// Pops a string and copies its text (charging for the copy; every text word scans
    /// what it pops at least once).
    pub(crate) fn pop_text(&mut self, word: &str) -> Result<String, Error> {
        let value = self.task.pop(word)?;
        match self.reg.text(value) {
            Some(text) => {
                let text = text.to_string();
                self.charge_bytes(text.len());
                Ok(text)
            }
            None => Err(Error::type_error(format!("'{word}' expects a string, got {}", self.type_name(value)))),
        }
    }

    pub(crate) fn push_str(&mut self, text: &str) -> Result<(), Error> {
        let value = self.reg.try_new_str(text)?;
        self.task.push(value);
        Ok(())
    }

    /// Pushes an array of the strings `parts`. Equal parts share one string object
    /// (strings are immutable, so nothing can tell), which keeps splitting a text of
    /// repeated words from making an object per word.
    pub(crate) fn push_strings<'a>(&mut self, parts: impl Iterator<Item = &'a str>) {
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
    pub(crate) fn words(&mut self) -> Result<(), Error> {
        let text = self.pop_text("words")?;
        self.push_strings(text.split_whitespace());
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn lines(&mut self) -> Result<(), Error> {
        let text = self.pop_text("lines")?;
        self.push_strings(text.lines());
        Ok(())
    }

    /// A new string of `bytes` bytes, or the error of a text too big for the heap limit or
    /// for memory (checked before anything is built, so a huge `repeat` fails at once).
    fn text_buffer(&self, word: &str, bytes: Option<usize>) -> Result<String, Error> {
        let too_big = || Error::limit(format!("'{word}': the result would not fit in memory"));
        let bytes = bytes.ok_or_else(too_big)?;
        self.check_size(word, bytes)?;
        let mut out = String::new();
        out.try_reserve_exact(bytes).map_err(|_| too_big())?;
        Ok(out)
    }

    #[inline(never)]
    pub(crate) fn replace(&mut self) -> Result<(), Error> {
        self.task.need(3, "replace_all")?;
        let to = self.pop_text("replace_all")?;
        let from = self.pop_text("replace_all")?;
        let text = self.pop_text("replace_all")?;
        let count = if from.is_empty() { text.chars().count() + 1 } else { text.matches(from.as_str()).count() };
        let bytes = count.checked_mul(to.len()).and_then(|added| (text.len() + added).checked_sub(count * from.len()));
        // Built into the buffer checked for its size (str::replace would allocate its own).
        let mut out = self.text_buffer("replace_all", bytes)?;
        if from.is_empty() {
            for c in text.chars() {
                out.push_str(&to);
                out.push(c);
            }
            out.push_str(&to);
        } else {
            let mut done = 0;
            for (at, _) in text.match_indices(from.as_str()) {
                out.push_str(&text[done..at]);
                out.push_str(&to);
                done = at + from.len();
            }
            out.push_str(&text[done..]);
        }
        self.charge_bytes(out.len());
        self.push_str(&out)
    }

    #[inline(never)]
    pub(crate) fn repeat(&mut self) -> Result<(), Error> {
        self.task.need(2, "repeat")?;
        let n = self.pop_int("repeat")?;
        let text = self.pop_text("repeat")?;
        let Ok(n) = usize::try_from(n) else {
            return Err(Error::new(ErrorKind::Index, format!("'repeat': the count {n} is negative")));
        };
        let mut out = self.text_buffer("repeat", text.len().checked_mul(n))?;
        for _ in 0..n {
            out.push_str(&text);
        }
        self.charge_bytes(out.len());
        self.push_str(&out)
    }

    /// `pad_left` (`before`) and `pad_right`: spaces up to `width` characters; a string
    /// already that wide is left as it is.
    #[inline(never)]
    pub(crate) fn pad(&mut self, before: bool) -> Result<(), Error> {
        let word = if before { "pad_left" } else { "pad_right" };
        self.task.need(2, word)?;
        let width = self.pop_int(word)?;
        let text = self.pop_text(word)?;
        let width = usize::try_from(width).unwrap_or(0);
        let missing = width.saturating_sub(text.chars().count());
        let mut out = self.text_buffer(word, text.len().checked_add(missing))?;
        if !before {
            out.push_str(&text);
        }
        out.extend(std::iter::repeat_n(' ', missing));
        if before {
            out.push_str(&text);
        }
        self.charge_bytes(out.len());
        self.push_str(&out)
    }

    #[inline(never)]
    pub(crate) fn ord(&mut self) -> Result<(), Error> {
        let text = self.pop_text("ord")?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => {
                self.task.push(Value::Int(c as i64));
                Ok(())
            }
            _ => Err(Error::type_error(format!(
                "'ord' expects a string of one character, got {}",
                registry::counted(text.chars().count(), "character")
            ))),
        }
    }

    #[inline(never)]
    pub(crate) fn chr(&mut self) -> Result<(), Error> {
        let n = self.pop_int("chr")?;
        match u32::try_from(n).ok().and_then(char::from_u32) {
            Some(c) => self.push_str(c.encode_utf8(&mut [0; 4])),
            None => Err(Error::new(ErrorKind::Index, format!("'chr': {n} is not a Unicode code point"))),
        }
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
        self.push_str(&joined)
    }

    #[inline(never)]
    pub(crate) fn upper(&mut self) -> Result<(), Error> {
        let text = self.pop_text("upper")?;
        self.push_str(&text.to_uppercase())
    }

    #[inline(never)]
    pub(crate) fn lower(&mut self) -> Result<(), Error> {
        let text = self.pop_text("lower")?;
        self.push_str(&text.to_lowercase())
    }

    #[inline(never)]
    pub(crate) fn trim(&mut self) -> Result<(), Error> {
        let text = self.pop_text("trim")?;
        self.push_str(text.trim())
    }

    #[inline(never)]
    pub(crate) fn find(&mut self) -> Result<(), Error> {
        let (coll, x) = self.task.pop2("find")?;
        let index = match coll {
            Value::Str(h) => match self.reg.text(x) {
                Some(needle) => {
                    let haystack = self.reg.str(h)?;
                    let (found, scanned) = (haystack.find(needle), haystack.as_str().len());
                    self.charge_bytes(scanned);
                    found.map_or(-1, |i| i as i64)
                }
                None => {
                    return Err(Error::type_error(format!(
                        "'find' in a string expects a string to look for, got {}",
                        self.type_name(x)
                    )));
                }
            },
            Value::Array(h) => {
                let items = self.reg.array(h)?;
                let found = items.iter().position(|&item| self.reg.equals(item, x));
                let scanned = found.map_or(items.len(), |i| i + 1);
                self.charge(scanned);
                found.map_or(-1, |i| i as i64)
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
        let values = self.reg.array(h)?.clone();
        // Numbers keep their type for numeric specs; anything else is formatted as its
        // display form, made first so that the arguments can borrow it.
        let shown: Vec<Option<String>> = values
            .iter()
            .map(|&v| match v {
                Value::Int(_) | Value::Float(_) => None,
                other => Some(self.reg.display(other)),
            })
            .collect();
        let args: Vec<FormatArg<'_>> = values
            .iter()
            .zip(&shown)
            .map(|(&v, text)| match (v, text) {
                (Value::Int(i), _) => FormatArg::Int(i),
                (Value::Float(f), _) => FormatArg::Float(f),
                (_, text) => FormatArg::Text(text.as_deref().unwrap_or("")),
            })
            .collect();
        let out = render(&fmt, &args).map_err(|err| match err {
            FormatError::Arity(message) => Error::new(ErrorKind::Arity, message),
            FormatError::Spec(message) | FormatError::Type(message) => Error::type_error(message),
        })?;
        self.charge_bytes(out.len());
        self.push_str(&out)
    }
}
