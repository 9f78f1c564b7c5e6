//! Source texts the VM has compiled, so that spans can be shown as file, line and column.
//!
//! A [`Source`] lives as long as something refers to it: the code compiled from it, or an
//! error pointing into it. The [`Sources`] table only finds live ones by id (it holds weak
//! references), so a program that evaluates a million strings does not keep a million
//! texts.

use std::rc::{Rc, Weak};

use rustc_hash::FxHashMap;

use crate::footprint::{Charge, Footprint};

/// Identifies one source text registered with [`Sources`]. Ids are never reused.
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
    pub id: SourceId,
    /// A file path, or a label such as `<repl>` or `-e`.
    pub name: String,
    pub text: Rc<str>,
    line_starts: Vec<u32>,
    /// The text's bytes, counted against the heap limit while the source lives.
    _charge: Option<Charge>,
}

/// A position resolved to 1-based line and column (columns count code points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Source {
    /// A source registered with no VM (compiling without one, [`crate::compile_unit`]): its
    /// id is one no [`Sources`] table gives out.
    pub fn detached(name: impl Into<String>, text: impl Into<Rc<str>>) -> Source {
        let text: Rc<str> = text.into();
        Source { id: SourceId(u32::MAX), name: name.into(), line_starts: line_starts(&text), text, _charge: None }
    }

    /// The line and column of byte `offset`.
    pub fn position(&self, offset: u32) -> Position {
        let line = self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self.text.get(start..end).map_or(end - start, |s| s.chars().count());
        Position { line: line as u32 + 1, column: column as u32 + 1 }
    }

    /// `name:line:column` of byte `offset`.
    pub fn describe(&self, offset: u32) -> String {
        let pos = self.position(offset);
        format!("{}:{}:{}", self.name, pos.line, pos.column)
    }
}

/// Where each line of `text` starts.
fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
    starts
}

/// Every live source text the VM has seen, by id.
#[derive(Default)]
pub struct Sources {
    live: FxHashMap<u32, Weak<Source>>,
    next: u32,
    /// The table's size after its last pruning; it is pruned again when it doubles.
    pruned_at: usize,
    footprint: Option<Footprint>,
}

impl Sources {
    /// Counts the texts registered from now on in `footprint`.
    pub(crate) fn count_in(&mut self, footprint: Footprint) {
        self.footprint = Some(footprint);
    }

    /// Registers a text under `name`. It stays registered while the returned `Rc` (or a
    /// clone: the code compiled from it, an error) lives.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Rc<str>>) -> Rc<Source> {
        let text: Rc<str> = text.into();
        let line_starts = line_starts(&text);
        let bytes = text.len() + line_starts.len() * 4;
        let id = SourceId(self.next);
        self.next += 1;
        let _charge = self.footprint.as_ref().map(|f| f.charge(bytes));
        let source = Rc::new(Source { id, name: name.into(), text, line_starts, _charge });
        if self.live.len() >= 2 * self.pruned_at.max(16) {
            self.live.retain(|_, weak| weak.strong_count() > 0);
            self.pruned_at = self.live.len();
        }
        self.live.insert(id.0, Rc::downgrade(&source));
        source
    }

    /// The source `id` names, if it is still alive.
    pub fn get(&self, id: SourceId) -> Option<Rc<Source>> {
        self.live.get(&id.0)?.upgrade()
    }

    /// How many sources are alive.
    pub fn live(&self) -> usize {
        self.live.values().filter(|weak| weak.strong_count() > 0).count()
    }

    /// The line and column of byte `offset` in source `id`.
    pub fn position(&self, id: SourceId, offset: u32) -> Option<Position> {
        Some(self.get(id)?.position(offset))
    }

    /// `name:line:column` for the start of `span`.
    pub fn describe(&self, span: Span) -> String {
        match self.get(span.source) {
            Some(source) => source.describe(span.start),
            None => "<unknown>".to_string(),
        }
    }
}
