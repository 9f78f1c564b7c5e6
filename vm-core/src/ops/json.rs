//! JSON: `to_json`, `to_json_pretty` and `from_json`. Kai values map to JSON as nil ↔
//! `null`, bools, ints and floats ↔ numbers, strings, arrays and maps ↔ objects, in
//! insertion order both ways (see docs/stdlib.md for the whole mapping). serde_json does
//! the text: escaping strings, writing and reading numbers, parsing with positions.
//!
//! Encoding walks the value with a stack of open containers, never recursing, so any
//! depth encodes; a container met again inside itself is a cycle and an error. Decoding
//! is serde_json's parser driving a visitor that builds the values as it goes; serde_json
//! refuses nesting deeper than 128, so the parser's recursion is bounded. Both count what
//! they build against the room the heap limit leaves.

use std::rc::Rc;

use gc::Handle;
use registry::{Key, Map, Registry, Value};
use rustc_hash::FxHashSet;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::code::Block;
use crate::error::{Error, ErrorKind};
use crate::vm::Vm;

/// Spaces per level of `to_json_pretty` (serde_json's and most tools' default).
const INDENT: usize = 2;

/// A container being written: the next element (or entry) to write.
enum Open {
    Array(Handle, usize),
    Map(Handle, usize),
}

/// The text being written for `word`, refusing to grow past `room` bytes or what memory
/// allows.
struct Out<'w> {
    word: &'w str,
    bytes: Vec<u8>,
    room: usize,
    /// Why a write was refused (serde_json carries only an `io::Error` back).
    refused: Option<Error>,
}

impl std::io::Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (word, room, len) = (self.word, self.room, self.bytes.len());
        if len.saturating_add(buf.len()) > room {
            let error = format!("'{word}': the text would pass the {room} bytes the heap limit leaves");
            self.refused = Some(Error::limit(error));
            return Err(std::io::Error::other("refused"));
        }
        if self.bytes.try_reserve(buf.len()).is_err() {
            self.refused = Some(Error::limit(format!("'{word}': out of memory for the text ({len} bytes so far)")));
            return Err(std::io::Error::other("refused"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Out<'_> {
    /// The error a refused write left.
    fn refusal(&mut self, err: impl std::fmt::Display) -> Error {
        let word = self.word;
        self.refused.take().unwrap_or_else(|| Error::internal(format!("'{word}': {err}")))
    }

    /// Writes `value` as serde_json writes it (a string escaped and quoted, a number).
    fn serde(&mut self, value: &(impl serde::Serialize + ?Sized)) -> Result<(), Error> {
        serde_json::to_writer(&mut *self, value).map_err(|err| self.refusal(err))
    }

    fn raw(&mut self, text: &str) -> Result<(), Error> {
        use std::io::Write;
        self.write_all(text.as_bytes()).map_err(|err| self.refusal(err))
    }

    /// A line break and the indentation of `depth` levels (pretty output only).
    fn newline(&mut self, pretty: bool, depth: usize) -> Result<(), Error> {
        if pretty {
            self.raw("\n")?;
            self.raw(&" ".repeat(depth * INDENT))?;
        }
        Ok(())
    }
}

impl Vm {
    /// `to_json ( x -- s )` (`pretty`: `to_json_pretty`, indented by two spaces a level).
    #[inline(never)]
    pub(crate) fn json_encode(&mut self, pretty: bool) -> Result<(), Error> {
        let word = if pretty { "to_json_pretty" } else { "to_json" };
        self.task.need(1, word)?;
        // The value stays on the stack while the room is found (which may collect).
        let room = self.heap_room();
        let value = self.task.pop(word)?;
        let out = self.write_json(word, value, pretty, room)?;
        self.charge_bytes(out.len());
        let text =
            String::from_utf8(out).map_err(|_| Error::internal(format!("'{word}' wrote text that is not UTF-8")))?;
        self.push_str(&text)
    }

    /// The JSON text of `value`.
    fn write_json(&mut self, word: &str, value: Value, pretty: bool, room: usize) -> Result<Vec<u8>, Error> {
        let mut out = Out { word, bytes: Vec::new(), room, refused: None };
        let mut open: Vec<Open> = Vec::new();
        // The containers being written, to tell a cycle from a value shared by two places.
        let mut on_path: FxHashSet<Handle> = FxHashSet::default();
        let mut next = Some(value);
        let mut written = 0usize;
        loop {
            if let Some(value) = next.take() {
                written += 1;
                match value {
                    Value::Nil => out.raw("null")?,
                    Value::Bool(b) => out.raw(if b { "true" } else { "false" })?,
                    Value::Int(i) => out.serde(&i)?,
                    Value::Float(f) if f.is_finite() => out.serde(&f)?,
                    Value::Float(f) => {
                        let shown = self.reg.display(Value::Float(f));
                        return Err(self.json_error(
                            word,
                            &open,
                            &format!("the float {shown} cannot be encoded (JSON has no NaN or infinity)"),
                        ));
                    }
                    Value::Str(h) => out.serde(self.reg.str(h)?.as_str())?,
                    Value::Name(n) => out.serde(self.reg.name_text(n))?,
                    // The guard notes the container as open; it fails (and the arms below
                    // start the container) unless the container was open already.
                    Value::Array(h) | Value::Map(h) if !on_path.insert(h) => {
                        let what = if matches!(value, Value::Array(_)) { "an array" } else { "a map" };
                        return Err(self.json_error(word, &open, &format!("{what} contains itself (a cycle)")));
                    }
                    Value::Array(h) => {
                        out.raw("[")?;
                        open.push(Open::Array(h, 0));
                    }
                    Value::Map(h) => {
                        self.check_json_keys(word, &open, h)?;
                        out.raw("{")?;
                        open.push(Open::Map(h, 0));
                    }
                    other => {
                        let what = self.type_name(other).to_string();
                        return Err(self.json_error(word, &open, &format!("a {what} cannot be encoded")));
                    }
                }
            }
            let depth = open.len();
            let Some(top) = open.last_mut() else { break };
            match top {
                Open::Array(h, i) => {
                    let items = self.reg.array(*h)?;
                    if let Some(&item) = items.get(*i) {
                        if *i > 0 {
                            out.raw(",")?;
                        }
                        *i += 1;
                        out.newline(pretty, depth)?;
                        next = Some(item);
                    } else {
                        let (h, empty) = (*h, *i == 0);
                        open.pop();
                        on_path.remove(&h);
                        if !empty {
                            out.newline(pretty, depth - 1)?;
                        }
                        out.raw("]")?;
                    }
                }
                Open::Map(h, i) => {
                    let map = self.reg.map(*h)?;
                    if let Some((key, &item)) = map.get_index(*i) {
                        let key = self.json_key(key);
                        if *i > 0 {
                            out.raw(",")?;
                        }
                        *i += 1;
                        out.newline(pretty, depth)?;
                        out.serde(&key)?;
                        out.raw(if pretty { ": " } else { ":" })?;
                        next = Some(item);
                    } else {
                        let (h, empty) = (*h, *i == 0);
                        open.pop();
                        on_path.remove(&h);
                        if !empty {
                            out.newline(pretty, depth - 1)?;
                        }
                        out.raw("}")?;
                    }
                }
            }
        }
        self.charge(written);
        Ok(out.bytes)
    }

    /// The text a map key becomes in JSON, where keys are strings: a string as it is, an
    /// int in decimal, a bool as `true`/`false`, a name as its text.
    fn json_key(&self, key: &Key) -> String {
        match key {
            Key::Str(s) => s.to_string(),
            Key::Int(i) => i.to_string(),
            Key::Bool(b) => b.to_string(),
            Key::Name(n) => self.reg.name_text(*n).to_string(),
        }
    }

    /// Refuses a map two of whose keys would become the same JSON key (`1` and `"1"`).
    fn check_json_keys(&self, word: &str, open: &[Open], h: Handle) -> Result<(), Error> {
        let map = self.reg.map(h)?;
        if map.keys().all(|k| matches!(k, Key::Str(_))) {
            return Ok(());
        }
        let mut seen = FxHashSet::default();
        for key in map.keys() {
            let text = self.json_key(key);
            if !seen.insert(text.clone()) {
                let message = format!("a map has two keys that are both {} in JSON", quoted(&text));
                return Err(self.json_error(word, open, &message));
            }
        }
        Ok(())
    }

    /// A `type` error of `to_json` at the place the walk has reached, written as the
    /// indexes and keys that lead there from the top (`at [2]["name"]`).
    #[cold]
    fn json_error(&self, word: &str, open: &[Open], message: &str) -> Error {
        let mut place = String::new();
        for container in open {
            match *container {
                Open::Array(_, i) => place.push_str(&format!("[{}]", i.saturating_sub(1))),
                Open::Map(h, i) => {
                    let key = self.reg.map(h).ok().and_then(|m| m.get_index(i.saturating_sub(1)));
                    if let Some((key, _)) = key {
                        place.push('[');
                        registry::write_quoted(&self.json_key(key), &mut place);
                        place.push(']');
                    }
                }
            }
        }
        let at = if place.is_empty() { String::new() } else { format!(" (at {place})") };
        Error::type_error(format!("'{word}': {message}{at}"))
    }

    /// `from_json ( s -- x )`: the value of a JSON text.
    #[inline(never)]
    pub(crate) fn json_decode(&mut self) -> Result<(), Error> {
        let text = self.pop_text("from_json")?;
        let room = self.heap_room();
        let start = self.reg.gc_stats().heap_bytes;
        let mut builder = Builder { reg: &mut self.reg, room, start, pending: 0, built: 0, refused: None };
        let mut parser = serde_json::Deserializer::from_str(&text);
        let parsed = (&mut builder).deserialize(&mut parser).and_then(|value| parser.end().map(|()| value));
        let (built, refused) = (builder.built, builder.refused.take());
        self.charge(built);
        match (parsed, refused) {
            (_, Some(error)) => Err(error),
            (Ok(value), None) => {
                self.task.push(value);
                Ok(())
            }
            (Err(err), None) => Err(Error::new(ErrorKind::Parse, format!("'from_json': {err}"))),
        }
    }
}

/// `text` in double quotes, escaped as Kai prints strings.
fn quoted(text: &str) -> String {
    let mut out = String::new();
    registry::write_quoted(text, &mut out);
    out
}

/// Builds Kai values for serde_json's parser.
struct Builder<'r> {
    reg: &'r mut Registry<Block>,
    /// What the heap limit leaves, and the heap's size when decoding started.
    room: usize,
    start: usize,
    /// Bytes held by arrays and objects still being read (not in the heap yet).
    pending: usize,
    /// Values built so far (charged as fuel at the end).
    built: usize,
    /// Why building stopped, if the heap limit or memory stopped it.
    refused: Option<Error>,
}

/// What an element of an array being read holds, and an entry of an object.
const ELEMENT_BYTES: usize = std::mem::size_of::<Value>();
const ENTRY_BYTES: usize = std::mem::size_of::<Key>() + std::mem::size_of::<Value>() + 8;

impl Builder<'_> {
    /// Refuses once what has been built (in the heap and pending) passes the room.
    fn check<E: de::Error>(&mut self) -> Result<(), E> {
        if self.room != usize::MAX {
            let grown = self.reg.gc_stats().heap_bytes.saturating_sub(self.start) + self.pending;
            if grown > self.room {
                let room = self.room;
                return Err(self.refuse(Error::limit(format!(
                    "'from_json': the values would pass the {room} bytes the heap limit leaves"
                ))));
            }
        }
        Ok(())
    }

    /// Counts one value built.
    fn built<E: de::Error>(&mut self, value: Value) -> Result<Value, E> {
        self.built += 1;
        self.check()?;
        Ok(value)
    }

    fn refuse<E: de::Error>(&mut self, error: Error) -> E {
        self.refused = Some(error);
        E::custom("refused")
    }

    fn out_of_memory<E: de::Error>(&mut self, what: &str) -> E {
        self.refuse(Error::limit(format!("'from_json': out of memory for {what}")))
    }
}

impl<'de> DeserializeSeed<'de> for &mut Builder<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Builder<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.built(Value::Nil)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.built(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.built(Value::Int(i))
    }

    /// A whole number past the ints' range is a float, as one written with a fraction is.
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        let value = i64::try_from(u).map_or(Value::Float(u as f64), Value::Int);
        self.built(value)
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.built(Value::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match self.reg.try_new_str(s) {
            Ok(value) => self.built(value),
            Err(_) => Err(self.out_of_memory("a string")),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(&mut *self)? {
            if items.try_reserve(1).is_err() {
                return Err(self.out_of_memory("an array"));
            }
            items.push(item);
            self.pending += ELEMENT_BYTES;
            self.check()?;
        }
        self.pending -= items.len() * ELEMENT_BYTES;
        let array = self.reg.new_array(items);
        self.built(array)
    }

    /// An object's keys keep their order; a key given twice keeps its first place and its
    /// last value.
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut map = Map::default();
        while let Some(key) = entries.next_key::<String>()? {
            let value = entries.next_value_seed(&mut *self)?;
            if map.try_reserve(1).is_err() {
                return Err(self.out_of_memory("an object"));
            }
            if map.insert(Key::Str(Rc::from(key)), value).is_none() {
                self.pending += ENTRY_BYTES;
                self.check()?;
            }
        }
        self.pending -= map.len() * ENTRY_BYTES;
        let map = self.reg.new_map(map);
        self.built(map)
    }
}
