//! Output and observability: `print . .s trace log metric gc_stats`, and tracing spans
//! (`span` compiled around a literal body).

use std::io::Write;

use registry::{Key, Map, Value};

use crate::entry::EntryKind;
use crate::error::Error;
use crate::vm::Vm;

impl Vm {
    pub(crate) fn enter_span(&mut self, name: Value) -> Result<(), Error> {
        let Some(text) = self.reg.text(name) else {
            return Err(Error::type_error(format!("'span' expects a string name, got {}", self.type_name(name))));
        };
        let span = tracing::info_span!(target: "kai", "span", name = %text).entered();
        self.push_entry(EntryKind::Span(crate::entry::SpanState::Entered(span)))
    }

    #[inline(never)]
    pub(crate) fn span_enter(&mut self) -> Result<(), Error> {
        let name = self.task.pop("span")?;
        self.enter_span(name)
    }

    pub(crate) fn span_exit(&mut self) {
        self.task.entries.pop();
    }

    fn write_line(&mut self, text: &str) {
        // A closed stdout (`kai run … | head`) is not the program's error.
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.write_all(b"\n");
    }

    #[inline(never)]
    pub(crate) fn print(&mut self) -> Result<(), Error> {
        let value = self.task.pop("print")?;
        let text = self.reg.display(value);
        self.write_line(&text);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn peek(&mut self) -> Result<(), Error> {
        self.task.need(1, ".")?;
        let value = self.task.stack[self.task.stack.len() - 1];
        let text = self.reg.display(value);
        self.write_line(&text);
        Ok(())
    }

    /// `.s`: `<depth> v1 v2 …` in repr form, bottom first.
    #[inline(never)]
    pub(crate) fn print_stack(&mut self) {
        let mut text = format!("<{}>", self.task.stack.len());
        for &value in &self.task.stack {
            text.push(' ');
            self.reg.write_repr(value, &mut text);
        }
        self.write_line(&text);
    }

    #[inline(never)]
    pub(crate) fn trace_word(&mut self) -> Result<(), Error> {
        self.task.need(1, "trace")?;
        let value = self.task.stack[self.task.stack.len() - 1];
        let text = self.reg.repr(value);
        self.flush();
        eprintln!("{text}");
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn log(&mut self) -> Result<(), Error> {
        let value = self.task.pop("log")?;
        let text = self.reg.display(value);
        tracing::info!(target: "kai", "{text}");
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn metric(&mut self) -> Result<(), Error> {
        let (value, name) = self.task.pop2("metric")?;
        let Some(name) = self.reg.text(name) else {
            return Err(Error::type_error(format!("'metric' expects a string name, got {}", self.type_name(name))));
        };
        match value {
            Value::Int(i) => tracing::info!(target: "kai::metric", metric = %name, value = i),
            Value::Float(f) => tracing::info!(target: "kai::metric", metric = %name, value = f),
            other => {
                return Err(Error::type_error(format!(
                    "'metric' expects a number value, got {}",
                    self.type_name(other)
                )));
            }
        }
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn gc_stats(&mut self) {
        let stats = self.reg.gc_stats();
        let mut map = Map::default();
        let fields: [(&str, i64); 10] = [
            ("live_objects", stats.live_objects as i64),
            ("heap_bytes", stats.heap_bytes as i64),
            ("collections", stats.collections as i64),
            ("cycles_started", stats.cycles_started as i64),
            ("cycles_completed", stats.collections as i64),
            ("freed_objects", stats.freed_objects as i64),
            ("max_pause_us", stats.max_pause.as_micros() as i64),
            ("increments", stats.increments as i64),
            ("increments_over_1ms", stats.increments_over_1ms as i64),
            ("total_pause_us", stats.total_pause.as_micros() as i64),
        ];
        for (key, value) in fields {
            map.insert(Key::Str(key.into()), Value::Int(value));
        }
        let value = self.reg.new_map(map);
        self.task.push(value);
    }
}
