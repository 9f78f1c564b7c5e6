//! [`Str`]: Kai's immutable string, indexed by code point.

use std::rc::Rc;

/// An immutable UTF-8 string. Lengths and indexes count code points; an all-ASCII string
/// (the common case) indexes in constant time.
#[derive(Clone, Debug)]
pub struct Str {
    text: Rc<str>,
    ascii: bool,
}

impl Str {
    /// Wraps shared text.
    pub fn new(text: Rc<str>) -> Str {
        let ascii = text.is_ascii();
        Str { text, ascii }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The shared text, for map keys and new strings without copying.
    pub fn rc(&self) -> Rc<str> {
        self.text.clone()
    }

    /// The length in code points.
    pub fn char_len(&self) -> usize {
        if self.ascii { self.text.len() } else { self.text.chars().count() }
    }

    /// The byte offset of code point `index`, which may equal the length.
    fn byte_offset(&self, index: usize) -> usize {
        if self.ascii {
            index
        } else {
            self.text.char_indices().nth(index).map_or(self.text.len(), |(offset, _)| offset)
        }
    }

    /// The code point at `index` as a one-character string slice, or `None` out of range.
    pub fn char_at(&self, index: usize) -> Option<&str> {
        if self.ascii {
            return self.text.get(index..index + 1);
        }
        let (start, c) = self.text.char_indices().nth(index)?;
        Some(&self.text[start..start + c.len_utf8()])
    }

    /// Code points `from .. to`; the caller has checked `from <= to <= char_len()`.
    pub fn slice(&self, from: usize, to: usize) -> &str {
        &self.text[self.byte_offset(from)..self.byte_offset(to)]
    }

    /// The code-point index of the first occurrence of `needle`, if any.
    pub fn find(&self, needle: &str) -> Option<usize> {
        let byte = self.text.find(needle)?;
        Some(if self.ascii { byte } else { self.text[..byte].chars().count() })
    }
}
