//! The layout lexer: turns Stark's indentation into block tokens the grammar can match.
//!
//! It copies the source, inserting three marker characters: [`INDENT`] where a line is
//! indented deeper than the one before, one [`DEDENT`] per block a line closes, and
//! [`NEWLINE`] at the end of every logical line. Blank and comment-only lines and lines
//! inside brackets are not logical lines (a bracket joins lines, as in Python). The
//! [`Layout`] keeps where the markers went, so offsets in the copy map back to the source.
//!
//! Errors here: a tab in indentation, a dedent to a column no enclosing block opened, a
//! marker character in the source, brackets or blocks nested deeper than [`MAX_NESTING`].

use vm_core::{Error, ErrorKind, SourceId, Span};

/// Starts a block: the line is indented deeper than the previous one.
pub const INDENT: char = '\u{E000}';
/// Ends a block.
pub const DEDENT: char = '\u{E001}';
/// Ends a logical line.
pub const NEWLINE: char = '\u{E002}';

/// How deep brackets and indented blocks may nest (each), so that the parser, the checker
/// and the translator, which recurse over the tree, stay far from the end of the Rust stack.
pub const MAX_NESTING: usize = 64;

/// The source with layout markers, and where they were inserted.
pub struct Layout {
    pub text: String,
    /// `(offset in text, markers inserted up to and including this point)`, by offset.
    inserted: Vec<(usize, usize)>,
    source: SourceId,
    source_len: usize,
}

impl Layout {
    /// The source offset of `offset` in the marked-up text.
    pub fn source_offset(&self, offset: usize) -> usize {
        let i = self.inserted.partition_point(|&(at, _)| at <= offset);
        let before = if i == 0 { 0 } else { self.inserted[i - 1].1 };
        let marker_len = INDENT.len_utf8();
        offset.saturating_sub(before * marker_len).min(self.source_len)
    }

    /// The source span of `start..end` in the marked-up text.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = self.source_offset(start);
        let end = self.source_offset(end).max(start);
        Span::new(self.source, start, end)
    }
}

fn error(source: SourceId, at: usize, message: String) -> Error {
    Error::new(ErrorKind::Parse, message).with_span(Span::new(source, at, at + 1))
}

struct Lexer {
    source: SourceId,
    out: String,
    inserted: Vec<(usize, usize)>,
    markers: usize,
    /// The columns of the open blocks, outermost (0) first.
    indents: Vec<usize>,
    /// Open brackets: the character and where.
    brackets: Vec<(char, usize)>,
    in_block_comment: Option<usize>,
    /// Whether the logical line being read has had anything but white space and comments.
    pending_content: bool,
}

impl Lexer {
    fn mark(&mut self, marker: char) {
        self.out.push(marker);
        self.markers += 1;
        self.inserted.push((self.out.len(), self.markers));
    }

    /// Reads `line` (without its `\n`), tracking brackets, strings and comments; returns
    /// where in it the first thing that is not white space or a comment is, if anything is.
    fn scan(&mut self, line: &str, line_start: usize) -> Result<Option<usize>, Error> {
        let bytes = line.as_bytes();
        let mut first = None;
        let mut i = 0;
        while i < bytes.len() {
            let at = line_start + i;
            if self.in_block_comment.is_some() {
                if bytes[i..].starts_with(b"*/") {
                    self.in_block_comment = None;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            let c = bytes[i];
            match c {
                b'/' if bytes.get(i + 1) == Some(&b'/') => break,
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    self.in_block_comment = Some(at);
                    i += 2;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => {
                    first.get_or_insert(i);
                    match c {
                        b'"' => {
                            // A string ends on its line.
                            i += 1;
                            while i < bytes.len() && bytes[i] != b'"' {
                                i += if bytes[i] == b'\\' { 2 } else { 1 };
                            }
                            if i >= bytes.len() {
                                return Err(error(
                                    self.source,
                                    at,
                                    "unterminated string: `\"` without a closing `\"` on its line".to_string(),
                                ));
                            }
                        }
                        b'(' | b'[' | b'{' => {
                            if self.brackets.len() >= MAX_NESTING {
                                return Err(error(
                                    self.source,
                                    at,
                                    format!("brackets nested more than {MAX_NESTING} deep"),
                                ));
                            }
                            self.brackets.push((c as char, at));
                        }
                        b')' | b']' | b'}' => {
                            self.brackets.pop();
                        }
                        _ => {}
                    }
                }
            }
            i += 1;
        }
        Ok(first)
    }

    fn line(&mut self, line: &str, line_start: usize) -> Result<(), Error> {
        if let Some(c) = line.chars().find(|&c| matches!(c, INDENT | DEDENT | NEWLINE)) {
            let at = line_start + line.find(c).unwrap_or(0);
            return Err(error(self.source, at, format!("unexpected character U+{:04X}", c as u32)));
        }
        // A line starts a logical line unless it continues one: inside brackets, or after
        // a block comment that began on a line with code.
        let starts_logical_line = self.brackets.is_empty() && !self.pending_content;
        let in_comment = self.in_block_comment.is_some();
        let first = self.scan(line, line_start)?;
        if let (Some(first), true, true) = (first, starts_logical_line, in_comment) {
            // Which block would the code belong to: the comment's column, or the code's?
            return Err(error(
                self.source,
                line_start + first,
                "code on the line where a multi-line block comment ends: start it on a line of its own".to_string(),
            ));
        }
        self.pending_content |= first.is_some();
        match first {
            Some(first) if starts_logical_line => {
                let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
                if let Some(tab) = line[..lead.min(first)].find('\t') {
                    return Err(error(
                        self.source,
                        line_start + tab,
                        "a tab in indentation: indent with spaces only".to_string(),
                    ));
                }
                // The column of the line's first code (after a comment that ends on the
                // line, if one does).
                let (before, rest) = line.split_at(first);
                self.out.push_str(before);
                self.indent_to(before.chars().count(), line_start + first)?;
                self.out.push_str(rest);
            }
            _ => self.out.push_str(line),
        }
        let ends_logical_line = self.brackets.is_empty() && self.in_block_comment.is_none();
        if ends_logical_line && self.pending_content {
            self.pending_content = false;
            // Before a `\r`, so the marker ends the line's text.
            if self.out.ends_with('\r') {
                self.out.pop();
                self.mark(NEWLINE);
                self.out.push('\r');
            } else {
                self.mark(NEWLINE);
            }
        }
        Ok(())
    }

    fn indent_to(&mut self, column: usize, at: usize) -> Result<(), Error> {
        let current = *self.indents.last().unwrap_or(&0);
        if column > current {
            if self.indents.len() > MAX_NESTING {
                return Err(error(self.source, at, format!("blocks nested more than {MAX_NESTING} deep")));
            }
            self.indents.push(column);
            self.mark(INDENT);
        } else if column < current {
            while self.indents.last().is_some_and(|&c| c > column) {
                self.indents.pop();
                self.mark(DEDENT);
            }
            if *self.indents.last().unwrap_or(&0) != column {
                return Err(error(
                    self.source,
                    at,
                    format!("this line dedents to column {} but no enclosing block starts there", column + 1),
                ));
            }
        }
        Ok(())
    }
}

/// Inserts the layout markers into `text`.
///
/// # Errors
/// A `parse` error for a tab in indentation, an inconsistent dedent, a marker character
/// in the source or nesting deeper than [`MAX_NESTING`].
pub fn layout(text: &str, source: SourceId) -> Result<Layout, Error> {
    let mut lexer = Lexer {
        source,
        out: String::with_capacity(text.len() + text.len() / 8),
        inserted: Vec::new(),
        markers: 0,
        indents: vec![0],
        brackets: Vec::new(),
        in_block_comment: None,
        pending_content: false,
    };
    let mut line_start = 0;
    for line in text.split('\n') {
        lexer.line(line, line_start)?;
        line_start += line.len() + 1;
        if line_start <= text.len() {
            lexer.out.push('\n');
        }
    }
    if let Some(at) = lexer.in_block_comment {
        return Err(error(source, at, "unterminated comment: `/*` without `*/`".to_string()));
    }
    if let Some(&(open, at)) = lexer.brackets.last() {
        return Err(error(source, at, format!("`{open}` is never closed")));
    }
    while lexer.indents.len() > 1 {
        lexer.indents.pop();
        lexer.mark(DEDENT);
    }
    Ok(Layout { text: lexer.out, inserted: lexer.inserted, source, source_len: text.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        let l = layout(text, SourceId(0)).unwrap();
        l.text.replace(INDENT, "<I>").replace(DEDENT, "<D>").replace(NEWLINE, "<N>")
    }

    #[test]
    fn indentation_becomes_block_markers() {
        assert_eq!(shown("if x:\n    a\nb\n"), "if x:<N>\n    <I>a<N>\n<D>b<N>\n");
    }

    #[test]
    fn blank_and_comment_lines_and_brackets_are_not_logical_lines() {
        assert_eq!(shown("f(1,\n  2)\n\n  // c\nx"), "f(1,\n  2)<N>\n\n  // c\nx<N>");
    }

    #[test]
    fn the_end_closes_every_block() {
        assert_eq!(shown("a:\n  b:\n    c"), "a:<N>\n  <I>b:<N>\n    <I>c<N><D><D>");
    }

    #[test]
    fn crlf_keeps_the_marker_before_the_carriage_return() {
        assert_eq!(shown("a\r\nb\r\n"), "a<N>\r\nb<N>\r\n");
    }

    #[test]
    fn offsets_map_back_to_the_source() {
        let text = "if x:\n    a\nb\n";
        let l = layout(text, SourceId(0)).unwrap();
        let b = l.text.find('b').unwrap();
        assert_eq!(l.source_offset(b), text.find('b').unwrap());
        let a = l.text.find('a').unwrap();
        assert_eq!(l.source_offset(a), text.find('a').unwrap());
    }

    #[test]
    fn tabs_and_bad_dedents_are_errors_naming_the_line() {
        let err = layout("if x:\n\ta\n", SourceId(0)).err().unwrap();
        assert!(err.message().contains("tab"), "{}", err.message());
        let err = layout("if x:\n    a\n  b\n", SourceId(0)).err().unwrap();
        assert!(err.message().contains("dedents to column 3"), "{}", err.message());
    }
}
