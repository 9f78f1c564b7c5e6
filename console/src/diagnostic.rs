//! Renders a Kai [`Error`] for people: kind, message, `file:line:col` with the source line
//! and a caret (through miette), then the trace of activations.
//!
//! miette is given an [`Excerpt`], not the whole source: the lines around the error, each
//! cut to a window around it. A huge line (minified or generated code) then stays readable
//! and within what miette can lay out, and every position shown counts code points, as the
//! rest of Kai does.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use vm_core::{Error, Position, Vm};

/// How many code points of a line a diagnostic shows at most.
const MAX_LINE: usize = 160;
/// How many code points before the error a cut line keeps.
const BEFORE_ERROR: usize = 40;
/// How many lines of a multi-line span are shown at most.
const MAX_SPAN_LINES: usize = 12;

/// One error as miette sees it.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    source: Option<Excerpt>,
    label: Option<LabeledSpan>,
    related: Vec<Report>,
}

/// The lines of a source around an error, each cut to the same window of code points when
/// any is longer than [`MAX_LINE`] (`…` marks what was cut).
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The source line number (from 0) of the excerpt's first line.
    first_line: usize,
    /// Code points cut from the start of every line (0 if none).
    skipped: usize,
}

impl Excerpt {
    /// The excerpt of `source` around the byte range `start..end`, and that range in it.
    /// `from` and `to` are where the range starts and ends, as the VM's source map gives them.
    fn new(
        name: &str,
        source: &str,
        (start, end): (usize, usize),
        from: Position,
        to: Position,
    ) -> (Excerpt, usize, usize) {
        let (first, last) = (from.line as usize - 1, to.line as usize - 1);
        let column = from.column as usize - 1;
        let first_shown = first.saturating_sub(1);
        let last_shown = last.min(first + MAX_SPAN_LINES) + 1;
        let lines: Vec<(usize, &str, usize)> =
            line_spans(source).skip(first_shown).take(last_shown + 1 - first_shown).collect();
        let long = lines.iter().any(|(_, text, _)| text.chars().count() > MAX_LINE);
        let skipped = if long { column.saturating_sub(BEFORE_ERROR) } else { 0 };

        let mut text = String::new();
        // Maps a source byte offset to the excerpt: clamped into the window of its line.
        let mut mapped = (None, None);
        for (i, &(at, line, line_end)) in lines.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let chars: Vec<(usize, char)> = line.char_indices().collect();
            let window_start = skipped.min(chars.len());
            let window_end = (skipped + MAX_LINE).min(chars.len());
            let line_at = text.len();
            if window_start > 0 {
                text.push('…');
            }
            let body_at = text.len();
            let byte = |k: usize| chars.get(k).map_or(line.len(), |&(b, _)| b);
            text.push_str(&line[byte(window_start)..byte(window_end)]);
            let body_end = text.len();
            if window_end < chars.len() {
                text.push('…');
            }
            let map = |offset: usize| {
                let within = offset - at;
                if within < byte(window_start) {
                    line_at
                } else if within > byte(window_end) {
                    body_end
                } else {
                    body_at + within - byte(window_start)
                }
            };
            // The line's own bytes, its `\r` and its `\n` all belong to it.
            let ends_here = |offset: usize| offset >= at && offset <= line_end;
            if mapped.0.is_none() && ends_here(start) {
                mapped.0 = Some(map(start));
            }
            if ends_here(end) {
                mapped.1 = Some(map(end));
            }
        }
        let from = mapped.0.unwrap_or(0);
        let to = mapped.1.unwrap_or(text.len()).max(from);
        let (mut text, from, to) = show_controls(&text, from, to);
        if from == text.len() {
            // miette draws a label only on a character: give one at the end of the input.
            text.push(' ');
        }
        (Excerpt { name: name.to_string(), text, first_line: first_shown, skipped }, from, to)
    }
}

/// `text` with each control character but tab and newline replaced by its visible picture
/// (U+2400 and on: `␀`, `␛`), so a raw byte in a source never reaches the terminal, and the
/// byte offsets `from` and `to` moved to match. (Columns count code points, which do not
/// change.)
fn show_controls(text: &str, from: usize, to: usize) -> (String, usize, usize) {
    let (mut out, mut new_from, mut new_to) = (String::with_capacity(text.len()), from, to);
    for (at, c) in text.char_indices() {
        if at == from {
            new_from = out.len();
        }
        if at == to {
            new_to = out.len();
        }
        match c {
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    if from >= text.len() {
        new_from = out.len();
    }
    if to >= text.len() {
        new_to = out.len();
    }
    (out, new_from, new_to)
}

/// Each line of `source` without its line break, with the byte offsets it starts at and of
/// its `\n` (or the end of the text).
fn line_spans(source: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut at = 0;
    source.split('\n').map(move |line| {
        let start = at;
        at += line.len() + 1;
        (start, line.strip_suffix('\r').unwrap_or(line), start + line.len())
    })
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        // The column miette puts in the header, in code points of the whole source line.
        let column = if before == 0 {
            let offset = span.offset().min(self.text.len());
            let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let shown = self.text[line_start..offset].chars().count();
            if self.skipped > 0 { self.skipped + shown.saturating_sub(1) } else { shown }
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label.clone().map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn report(err: &Error) -> Report {
    let excerpt = err.span().and_then(|span| {
        let source = err.source()?;
        let start = floor_char_boundary(&source.text, span.start as usize);
        let end = floor_char_boundary(&source.text, span.end as usize).max(start);
        let from = source.position(start as u32);
        let to = source.position(end as u32);
        Some(Excerpt::new(&source.name, &source.text, (start, end), from, to))
    });
    let (source, label) = match excerpt {
        Some((excerpt, from, to)) => (Some(excerpt), Some(LabeledSpan::new(Some("here".to_string()), from, to - from))),
        None => (None, None),
    };
    Report {
        message: err.message().to_string(),
        code: format!("{} error", err.kind()),
        source,
        label,
        related: err.related().iter().map(report).collect(),
    }
}

/// The largest char boundary of `text` at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The full text shown for an error on stderr. (The error carries the sources it points
/// into, so it renders the same after the code that raised it is gone.)
pub fn render(_vm: &Vm, err: &Error, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, &report(err)).is_err() {
        out = format!("{} error: {}\n", err.kind(), err.message());
    }
    if !err.trace().is_empty() {
        out.push_str("trace (innermost first):\n");
        for entry in err.trace() {
            let name = entry.label();
            match entry.location() {
                Some(at) => out.push_str(&format!("  at {name} ({at})\n")),
                None => out.push_str(&format!("  {name}\n")),
            }
        }
    }
    out
}
