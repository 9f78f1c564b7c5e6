//! [`Str`]: Kai's immutable string, indexed by code point; short ones live in the object
//! itself.

use std::rc::Rc;

/// Strings up to this many bytes are held inline, without an allocation of their own.
pub(crate) const INLINE: usize = 14;

/// An immutable UTF-8 string. Lengths and indexes count code points; an all-ASCII string
/// (the common case) indexes in constant time. A short string (most words, numbers and
/// keys) is stored inline; a longer one is shared, so copies and map keys do not copy it.
#[derive(Clone, Debug)]
pub struct Str {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Inline { len: u8, ascii: bool, bytes: [u8; INLINE] },
    Shared { text: Rc<str>, ascii: bool },
}

impl Str {
    /// A string with a copy of `text`.
    pub fn new(text: &str) -> Str {
        let ascii = text.is_ascii();
        let repr = if text.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Repr::Inline { len: text.len() as u8, ascii, bytes }
        } else {
            Repr::Shared { text: Rc::from(text), ascii }
        };
        Str { repr }
    }

    /// A string sharing `text` (copied only when short enough to hold inline).
    pub fn shared(text: Rc<str>) -> Str {
        if text.len() <= INLINE {
            return Str::new(&text);
        }
        Str::sharing(text)
    }

    /// A string holding the shared `text` itself, however short (a string constant's: see
    /// [`crate::Registry::new_constant_str`]).
    pub(crate) fn sharing(text: Rc<str>) -> Str {
        Str { repr: Repr::Shared { ascii: text.is_ascii(), text } }
    }

    /// The address of the shared text this string holds, if it holds one: a map key made
    /// from the string (see [`Str::rc`]) is that text while the string lives.
    #[inline]
    pub fn shared_address(&self) -> Option<usize> {
        match &self.repr {
            Repr::Inline { .. } => None,
            Repr::Shared { text, .. } => Some(text_address(text)),
        }
    }

    /// The text's bytes (without the UTF-8 check that [`Str::as_str`] makes of an inline
    /// string), for comparisons.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Inline { len, bytes, .. } => &bytes[..*len as usize],
            Repr::Shared { text, .. } => text.as_bytes(),
        }
    }

    /// Whether the text's bytes are `bytes`. Field names are short, so the bytes are
    /// compared in a loop after the lengths, cheaper than a call to `memcmp`.
    #[inline(always)]
    pub fn has_bytes(&self, bytes: &[u8]) -> bool {
        let own = self.as_bytes();
        own.len() == bytes.len() && own.iter().zip(bytes).all(|(a, b)| a == b)
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.repr {
            // Always valid: the bytes were copied from a `str` whole.
            Repr::Inline { len, bytes, .. } => std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default(),
            Repr::Shared { text, .. } => text,
        }
    }

    fn ascii(&self) -> bool {
        match &self.repr {
            Repr::Inline { ascii, .. } | Repr::Shared { ascii, .. } => *ascii,
        }
    }

    /// The text as a shared string, for map keys: the string's own when it has one.
    pub fn rc(&self) -> Rc<str> {
        match &self.repr {
            Repr::Inline { .. } => Rc::from(self.as_str()),
            Repr::Shared { text, .. } => text.clone(),
        }
    }

    /// Bytes owned outside the object (0 for an inline string).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Inline { .. } => 0,
            // The text and the reference counts before it.
            Repr::Shared { text, .. } => text.len() + 2 * std::mem::size_of::<usize>(),
        }
    }

    /// The length in code points.
    pub fn char_len(&self) -> usize {
        let text = self.as_str();
        if self.ascii() { text.len() } else { text.chars().count() }
    }

    /// The byte offset of code point `index`, which may equal the length.
    fn byte_offset(&self, index: usize) -> usize {
        let text = self.as_str();
        if self.ascii() { index } else { text.char_indices().nth(index).map_or(text.len(), |(offset, _)| offset) }
    }

    /// The code point at `index` as a one-character string slice, or `None` out of range.
    pub fn char_at(&self, index: usize) -> Option<&str> {
        let text = self.as_str();
        if self.ascii() {
            return text.get(index..index + 1);
        }
        let (start, c) = text.char_indices().nth(index)?;
        Some(&text[start..start + c.len_utf8()])
    }

    /// Code points `from .. to`; the caller has checked `from <= to <= char_len()`.
    pub fn slice(&self, from: usize, to: usize) -> &str {
        &self.as_str()[self.byte_offset(from)..self.byte_offset(to)]
    }

    /// The code-point index of the first occurrence of `needle`, if any.
    pub fn find(&self, needle: &str) -> Option<usize> {
        let text = self.as_str();
        let byte = text.find(needle)?;
        Some(if self.ascii() { byte } else { text[..byte].chars().count() })
    }
}

/// The address of a shared text, the identity field guesses compare (never dereferenced).
#[inline(always)]
pub(crate) fn text_address(text: &Rc<str>) -> usize {
    Rc::as_ptr(text).cast::<u8>() as usize
}
