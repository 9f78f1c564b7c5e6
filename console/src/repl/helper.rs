//! The line editor's helper: completion of built-in words, Rho keywords and functions, the
//! names the session has defined and REPL commands; hints showing a built-in's stack effect;
//! syntax highlighting.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use super::style;
use crate::lang::Lang;

/// What the helper knows of the session, shared with it.
pub(crate) struct Shared {
    /// The session's language.
    pub lang: Cell<Lang>,
    /// The global names currently defined, refreshed after each line.
    pub names: RefCell<Vec<String>>,
    pub color: bool,
}

pub(crate) struct KaiHelper {
    pub shared: Rc<Shared>,
}

/// The REPL commands, for completion and `:help`.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    (":help", "this help; `:help WORD` describes a built-in word or function"),
    (":pi", "switch to Pi (the VM, its globals and its stack are kept)"),
    (":rho", "switch to Rho"),
    (":stark", "switch to Stark (each line is checked against the declarations of earlier ones)"),
    (":stack", "show the data stack"),
    (":clear", "empty the data stack"),
    (":reset", "start over with a fresh VM"),
    (":load FILE", "run a .pi, .rho or .stark file into the session"),
    (":translate", "toggle showing the Pi each Rho or Stark line becomes"),
    (":tasks", "list the tasks still alive (they run whenever a later line runs)"),
    (":quit", "leave (Ctrl-D works too)"),
];

impl KaiHelper {
    /// Where the word under the cursor starts.
    fn word_start(&self, line: &str, pos: usize) -> usize {
        let infix = self.shared.lang.get().infix();
        line[..pos]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(style::is_word_char(c, infix) || c == ':'))
            .map_or(0, |(i, c)| i + c.len_utf8())
    }

    fn candidates(&self, prefix: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if prefix.starts_with(':') {
            out.extend(COMMANDS.iter().map(|(c, _)| c.split(' ').next().unwrap_or(c).to_string()));
        } else if self.shared.lang.get() == Lang::Rho {
            out.extend(lang_rho::KEYWORDS.iter().map(|k| k.to_string()));
            out.extend(lang_rho::builtin_functions().map(|(name, _, _)| name.to_string()));
        } else if self.shared.lang.get() == Lang::Stark {
            out.extend(lang_stark::KEYWORDS.iter().map(|k| k.to_string()));
            out.extend(lang_stark::builtin_functions().map(|(name, _)| name.to_string()));
        } else {
            out.extend(vm_core::words::WORDS.iter().map(|w| w.name.to_string()));
        }
        out.extend(self.shared.names.borrow().iter().cloned());
        out.retain(|c| c.starts_with(prefix) && c != prefix);
        out.sort();
        out.dedup();
        out
    }
}

impl Completer for KaiHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = self.word_start(line, pos);
        let prefix = &line[start..pos];
        if prefix.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let pairs = self.candidates(prefix).into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect();
        Ok((start, pairs))
    }
}

impl Hinter for KaiHelper {
    type Hint = String;

    /// After a built-in word (or Rho function) typed at the end of the line, its stack
    /// effect (or arguments).
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos != line.len() {
            return None;
        }
        let word = &line[self.word_start(line, pos)..pos];
        if word.is_empty() {
            return None;
        }
        if self.shared.lang.get() == Lang::Stark {
            lang_stark::builtin_functions()
                .find(|(name, _)| *name == word)
                .map(|(_, signature)| format!("  {signature}"))
        } else if self.shared.lang.get() == Lang::Rho {
            lang_rho::builtin_functions().find(|(name, _, _)| *name == word).map(|(_, arity, _)| format!("  ({arity})"))
        } else {
            vm_core::words::lookup(word).map(|w| format!("  {}", w.effect))
        }
    }
}

impl Highlighter for KaiHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.shared.color || line.starts_with(':') {
            return Cow::Borrowed(line);
        }
        Cow::Owned(style::highlight(line, self.shared.lang.get()))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.shared.color { Cow::Owned(style::paint(hint, style::DIM, true)) } else { Cow::Borrowed(hint) }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.shared.color
    }
}

impl Validator for KaiHelper {}

impl Helper for KaiHelper {}
