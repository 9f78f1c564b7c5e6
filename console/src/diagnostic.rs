//! Renders a Kai [`Error`] for people: kind, message, `file:line:col` with the source line
//! and a caret (through miette), then the trace of activations.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use vm_core::{Error, Span, Vm};

/// One error as miette sees it.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
    related: Vec<Report>,
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

fn report(vm: &Vm, err: &Error) -> Report {
    let (source, label) = match err.span().and_then(|span| vm.sources().get(span.source).map(|s| (span, s))) {
        Some((span, source)) => {
            let text = source.text.to_string();
            let start = (span.start as usize).min(text.len());
            let len = (span.end as usize).min(text.len()).saturating_sub(start);
            let label = LabeledSpan::new(Some("here".to_string()), start, len);
            (Some(NamedSource::new(source.name.clone(), text)), Some(label))
        }
        None => (None, None),
    };
    Report {
        message: err.message().to_string(),
        code: format!("{} error", err.kind()),
        source,
        label,
        related: err.related().iter().map(|e| report(vm, e)).collect(),
    }
}

/// `name:line:col` of a span.
pub fn location(vm: &Vm, span: Span) -> String {
    vm.sources().describe(span)
}

/// The full text shown for an error on stderr.
pub fn render(vm: &Vm, err: &Error, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, &report(vm, err)).is_err() {
        out = format!("{} error: {}\n", err.kind(), err.message());
    }
    if !err.trace().is_empty() {
        out.push_str("trace (innermost first):\n");
        for entry in err.trace() {
            let name = entry.name.as_deref().unwrap_or("<top level>");
            match entry.span {
                Some(span) => out.push_str(&format!("  at {name} ({})\n", location(vm, span))),
                None => out.push_str(&format!("  {name}\n")),
            }
        }
    }
    out
}
