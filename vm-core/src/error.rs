//! Errors: the error a Kai program can raise and catch ([`Error`]), its [`ErrorKind`], and
//! the trace of activations it carries.

use std::fmt;
use std::rc::Rc;

use registry::Rooted;

use crate::source::{Source, Span};

/// `text` as an error message may quote it: control characters (a NUL, an escape that
/// would drive the terminal) written as escapes instead of raw.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The kinds of error, exactly as SPEC §2.6 lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Type,
    Undefined,
    /// Stack underflow.
    Stack,
    DivisionByZero,
    Overflow,
    Index,
    Key,
    Arity,
    Assertion,
    User,
    Parse,
    /// A resource limit; never caught by `try`.
    Limit,
    Deadlock,
    Closed,
    Cancelled,
    Remote,
    Timeout,
    /// A bug in the VM itself (such as a stale handle); never caught by `try`. Not one of
    /// SPEC's kinds: a program cannot observe it, only the embedder and the CLI report it.
    Internal,
}

impl ErrorKind {
    /// Every kind, in SPEC order.
    pub const ALL: [ErrorKind; 17] = [
        ErrorKind::Type,
        ErrorKind::Undefined,
        ErrorKind::Stack,
        ErrorKind::DivisionByZero,
        ErrorKind::Overflow,
        ErrorKind::Index,
        ErrorKind::Key,
        ErrorKind::Arity,
        ErrorKind::Assertion,
        ErrorKind::User,
        ErrorKind::Parse,
        ErrorKind::Limit,
        ErrorKind::Deadlock,
        ErrorKind::Closed,
        ErrorKind::Cancelled,
        ErrorKind::Remote,
        ErrorKind::Timeout,
    ];

    /// The name used in error values' `"kind"` and in diagnostics.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Type => "type",
            ErrorKind::Undefined => "undefined",
            ErrorKind::Stack => "stack",
            ErrorKind::DivisionByZero => "division-by-zero",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Index => "index",
            ErrorKind::Key => "key",
            ErrorKind::Arity => "arity",
            ErrorKind::Assertion => "assertion",
            ErrorKind::User => "user",
            ErrorKind::Parse => "parse",
            ErrorKind::Limit => "limit",
            ErrorKind::Deadlock => "deadlock",
            ErrorKind::Closed => "closed",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Remote => "remote",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind named `name` (one of [`ErrorKind::ALL`]).
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One activation in an error's trace, innermost first.
#[derive(Clone)]
pub struct TraceEntry {
    /// The name the activation's continuation was stored under, if any.
    pub name: Option<String>,
    /// For an anonymous continuation, where its literal is written.
    pub defined_at: Option<crate::source::Position>,
    /// Where that activation was when the error happened.
    pub span: Option<Span>,
    /// The source `span` points into, kept alive with the entry.
    pub source: Option<Rc<Source>>,
}

impl TraceEntry {
    /// How the activation is shown: its name, `<anonymous function defined at L:C>`, or
    /// `<top level>`.
    pub fn label(&self) -> String {
        match (&self.name, self.defined_at) {
            (Some(name), _) => name.clone(),
            (None, Some(at)) => format!("<anonymous function defined at {}:{}>", at.line, at.column),
            (None, None) => "<top level>".to_string(),
        }
    }

    /// `file:line:column` of the entry's position, if it has one.
    pub fn location(&self) -> Option<String> {
        let (span, source) = (self.span?, self.source.as_ref()?);
        Some(source.describe(span.start))
    }
}

impl fmt::Debug for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceEntry").field("name", &self.name).field("at", &self.location()).finish()
    }
}

/// An error raised by Kai code or by the VM on its behalf.
///
/// Boxed so that `Result<_, Error>` stays one word on the executor's hot path.
pub struct Error(Box<ErrorInner>);

struct ErrorInner {
    kind: ErrorKind,
    message: String,
    span: Option<Span>,
    /// The source `span` points into, kept alive with the error for its diagnostics.
    source: Option<Rc<Source>>,
    trace: Vec<TraceEntry>,
    /// The value given to `throw`, kept alive while the error exists.
    thrown: Option<Rooted>,
    /// Further problems found in the same input (parse errors after the first).
    related: Vec<Error>,
    catchable: bool,
}

impl Error {
    /// A new error of `kind`.
    #[cold]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorInner {
            kind,
            message: message.into(),
            span: None,
            source: None,
            trace: Vec::new(),
            thrown: None,
            related: Vec::new(),
            catchable: !matches!(kind, ErrorKind::Limit | ErrorKind::Internal),
        }))
    }

    /// A `type` error.
    #[cold]
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, message)
    }

    /// A `limit` error, which `try` cannot catch.
    #[cold]
    pub fn limit(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit, message)
    }

    /// An internal error: a bug in the VM, which `try` cannot catch.
    #[cold]
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// Sets where the error was raised, unless already set.
    pub fn with_span(mut self, span: Span) -> Error {
        self.0.span.get_or_insert(span);
        self
    }

    /// Attaches the source this error's span (and those of its related errors) points
    /// into, unless one is attached already.
    pub fn with_source(mut self, source: Rc<Source>) -> Error {
        self.attach_source(&source);
        self
    }

    fn attach_source(&mut self, source: &Rc<Source>) {
        if self.0.source.is_none() && self.0.span.is_some_and(|s| s.source == source.id) {
            self.0.source = Some(source.clone());
        }
        for related in &mut self.0.related {
            related.attach_source(source);
        }
    }

    pub(crate) fn set_source_if_missing(&mut self, source: Option<Rc<Source>>) {
        if self.0.source.is_none() {
            self.0.source = source;
        }
    }

    /// The source the error's span points into (kept alive by the error).
    pub fn source(&self) -> Option<&Rc<Source>> {
        self.0.source.as_ref()
    }

    /// `file:line:column` where the error was raised, if known.
    pub fn location(&self) -> Option<String> {
        let (span, source) = (self.0.span?, self.0.source.as_ref()?);
        Some(source.describe(span.start))
    }

    /// Attaches the thrown value.
    pub fn with_thrown(mut self, thrown: Rooted) -> Error {
        self.0.thrown = Some(thrown);
        self
    }

    /// Adds further diagnostics about the same input.
    pub fn with_related(mut self, related: Vec<Error>) -> Error {
        self.0.related = related;
        self
    }

    /// Makes the error catchable whatever its kind (a thrown map may say `"limit"`).
    pub(crate) fn set_catchable(&mut self) {
        self.0.catchable = true;
    }

    /// Makes the error pass through every `try`, as a limit error does.
    pub(crate) fn set_uncatchable(&mut self) {
        self.0.catchable = false;
    }

    pub(crate) fn set_trace(&mut self, trace: Vec<TraceEntry>) {
        self.0.trace = trace;
    }

    pub(crate) fn set_span_if_missing(&mut self, span: Span) {
        self.0.span.get_or_insert(span);
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where the error was raised, if known.
    pub fn span(&self) -> Option<Span> {
        self.0.span
    }

    /// The activations that were running, innermost first.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.0.trace
    }

    /// The value given to `throw`, if the error came from `throw`.
    pub fn thrown(&self) -> Option<&Rooted> {
        self.0.thrown.as_ref()
    }

    /// Further diagnostics about the same input.
    pub fn related(&self) -> &[Error] {
        &self.0.related
    }

    /// Whether `try` can catch it (every error except a limit or an internal error).
    pub fn is_catchable(&self) -> bool {
        self.0.catchable
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.0.kind, self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("at", &self.location())
            .field("trace", &self.0.trace)
            .finish()
    }
}

impl std::error::Error for Error {}

impl From<registry::StoreError> for Error {
    /// A stale handle is an internal error; memory the allocator refused is a limit.
    #[cold]
    fn from(err: registry::StoreError) -> Error {
        match err {
            registry::StoreError::Stale(stale) => stale.into(),
            registry::StoreError::OutOfMemory { .. } => Error::limit(err.to_string()),
        }
    }
}

impl From<registry::StaleHandle> for Error {
    /// A stale handle inside the VM is a bug: an internal error, reported rather than
    /// followed. (The executor adds the operation that met it.)
    #[cold]
    fn from(stale: registry::StaleHandle) -> Error {
        Error::internal(stale.to_string())
    }
}
