//! Text words: `split join upper lower trim find chars starts? ends? format`.

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

impl Vm {
    /// Pops a string and copies its text (charging for the copy; every text word scans
    /// what it pops at least once).
    fn pop_text(&mut self, word: &str) -> Result<String, Error> {
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

    fn push_str(&mut self, text: &str) -> Result<(), Error> {
        let value = self.reg.try_new_str(text)?;
        self.task.push(value);
        Ok(())
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
        self.push_str(&out)
    }

    /// `read_file`: the contents of a UTF-8 text file. The size is checked before and while
    /// reading (a device or a pipe may not say its size), so a file bigger than the heap
    /// has room for is a `limit` error, never an attempt to hold it all.
    #[inline(never)]
    pub(crate) fn read_file(&mut self) -> Result<(), Error> {
        let path = self.pop_text("read_file")?;
        let room = match self.limits.max_heap {
            Some(max) => max.saturating_sub(self.reg.gc_stats().heap_bytes),
            None => usize::MAX,
        };
        let bytes = read_bounded(&path, room)?;
        self.charge_bytes(bytes.len());
        match String::from_utf8(bytes) {
            Ok(text) => self.push_str(&text),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let bytes = err.as_bytes();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                Err(Error::new(
                    ErrorKind::User,
                    format!("read_file: {path:?} is not UTF-8 text: invalid byte at offset {at} (line {line})"),
                ))
            }
        }
    }
}

/// The bytes of the file at `path`, refusing to read more than `room`.
fn read_bounded(path: &str, room: usize) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let io_error = |err: std::io::Error| Error::new(ErrorKind::User, format!("read_file: cannot read {path:?}: {err}"));
    let too_big = |size: String| {
        Error::limit(format!("read_file: {path:?} is {size}, more than the {room} bytes the heap limit leaves"))
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > room as u64 {
        return Err(too_big(format!("{size} bytes")));
    }
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(io_error(err)),
        };
        if bytes.len() + n > room {
            return Err(too_big("longer".to_string()));
        }
        if bytes.try_reserve(n).is_err() {
            return Err(Error::limit(format!(
                "read_file: out of memory reading {path:?} ({} bytes so far)",
                bytes.len()
            )));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    Ok(bytes)
}
