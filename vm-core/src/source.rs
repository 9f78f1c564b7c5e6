//! Source texts the VM has compiled, so that spans can be shown as file, line and column.

use std::rc::Rc;

/// Identifies one source text registered with [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SourceId(pub u32);

/// A range of bytes in one source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `source`.
    pub fn new(source: SourceId, start: usize, end: usize) -> Span {
        Span { source, start: start as u32, end: end as u32 }
    }
}

/// One registered source text.
pub struct Source {
    /// A file path, or a label such as `<repl>` or `-e`.
    pub name: String,
    pub text: Rc<str>,
    line_starts: Vec<u32>,
}

/// A position resolved to 1-based line and column (columns count code points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Every source text the VM has seen.
#[derive(Default)]
pub struct Sources {
    sources: Vec<Source>,
}

impl Sources {
    /// Registers a text under `name`.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Rc<str>>) -> SourceId {
        let text: Rc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        self.sources.push(Source { name: name.into(), text, line_starts });
        SourceId(self.sources.len() as u32 - 1)
    }

    /// The source `id` names.
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.0 as usize)
    }

    /// The line and column of byte `offset` in source `id`.
    pub fn position(&self, id: SourceId, offset: u32) -> Option<Position> {
        let source = self.get(id)?;
        let line = source.line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let start = source.line_starts[line] as usize;
        let end = (offset as usize).min(source.text.len());
        let column = source.text.get(start..end).map_or(end - start, |s| s.chars().count());
        Some(Position { line: line as u32 + 1, column: column as u32 + 1 })
    }

    /// `name:line:column` for the start of `span`.
    pub fn describe(&self, span: Span) -> String {
        match (self.get(span.source), self.position(span.source, span.start)) {
            (Some(source), Some(pos)) => format!("{}:{}:{}", source.name, pos.line, pos.column),
            _ => "<unknown>".to_string(),
        }
    }
}
