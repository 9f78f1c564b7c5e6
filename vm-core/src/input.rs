//! [`Input`]: where `read_line` and `read_stdin` read. By default the process's standard
//! input, through the buffer the standard library shares (so a host that reads stdin too,
//! such as the REPL, stays in step); an embedder or a test gives any reader instead
//! ([`crate::Vm::set_input`]). Reads are bounded: a line or a rest of input longer than the
//! room the caller gives is refused before it is all held. Knows nothing of values.

use std::io::{BufRead, ErrorKind as IoErrorKind};

/// The source of a VM's standard input.
#[derive(Default)]
pub(crate) enum Input {
    /// The process's standard input.
    #[default]
    Stdin,
    /// A reader given by the embedder.
    Reader(Box<dyn BufRead>),
}

/// Why a read gave no text.
#[derive(Debug)]
pub(crate) enum InputError {
    Io(std::io::Error),
    /// More bytes than the room the caller gave (the count read so far).
    TooBig(usize),
    /// The allocator refused to grow the buffer (the count read so far).
    OutOfMemory(usize),
}

impl Input {
    /// Runs `read` on the reader (standard input locked for the call).
    fn with<T>(&mut self, read: impl FnOnce(&mut dyn BufRead) -> T) -> T {
        match self {
            Input::Stdin => read(&mut std::io::stdin().lock()),
            Input::Reader(reader) => read(reader.as_mut()),
        }
    }

    /// The next line without its `\n` (nor a `\r` before it), or `None` at the end of
    /// the input. A last line without a newline is still a line.
    ///
    /// # Errors
    /// The reader's error, or [`InputError::TooBig`] for a line longer than `room` bytes.
    pub(crate) fn read_line(&mut self, room: usize) -> Result<Option<Vec<u8>>, InputError> {
        self.with(|reader| {
            let mut line = Vec::new();
            let mut ended = false;
            loop {
                let chunk = match reader.fill_buf() {
                    Ok([]) => break,
                    Ok(chunk) => chunk,
                    Err(err) if err.kind() == IoErrorKind::Interrupted => continue,
                    Err(err) => return Err(InputError::Io(err)),
                };
                let (take, newline) = match chunk.iter().position(|&b| b == b'\n') {
                    Some(at) => (at, true),
                    None => (chunk.len(), false),
                };
                append(&mut line, &chunk[..take], room)?;
                reader.consume(take + usize::from(newline));
                if newline {
                    ended = true;
                    break;
                }
            }
            if line.is_empty() && !ended {
                return Ok(None);
            }
            if ended && line.last() == Some(&b'\r') {
                line.pop();
            }
            Ok(Some(line))
        })
    }

    /// Everything left of the input (empty at its end).
    ///
    /// # Errors
    /// The reader's error, or [`InputError::TooBig`] past `room` bytes.
    pub(crate) fn read_to_end(&mut self, room: usize) -> Result<Vec<u8>, InputError> {
        self.with(|reader| {
            let mut all = Vec::new();
            loop {
                let chunk = match reader.fill_buf() {
                    Ok([]) => return Ok(all),
                    Ok(chunk) => chunk,
                    Err(err) if err.kind() == IoErrorKind::Interrupted => continue,
                    Err(err) => return Err(InputError::Io(err)),
                };
                let n = chunk.len();
                append(&mut all, chunk, room)?;
                reader.consume(n);
            }
        })
    }
}

/// Appends `bytes` to `buffer` if the total stays within `room` and memory allows.
fn append(buffer: &mut Vec<u8>, bytes: &[u8], room: usize) -> Result<(), InputError> {
    if buffer.len().saturating_add(bytes.len()) > room {
        return Err(InputError::TooBig(buffer.len()));
    }
    if buffer.try_reserve(bytes.len()).is_err() {
        return Err(InputError::OutOfMemory(buffer.len()));
    }
    buffer.extend_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &'static str) -> Input {
        Input::Reader(Box::new(std::io::BufReader::with_capacity(4, text.as_bytes())))
    }

    fn line(input: &mut Input) -> Option<String> {
        input.read_line(usize::MAX).unwrap().map(|l| String::from_utf8(l).unwrap())
    }

    #[test]
    fn lines_lose_their_ends_and_the_end_is_none() {
        // A buffer of 4 bytes makes lines span several fills.
        let mut input = input("first line\r\n\nlast");
        assert_eq!(line(&mut input).as_deref(), Some("first line"));
        assert_eq!(line(&mut input).as_deref(), Some(""));
        assert_eq!(line(&mut input).as_deref(), Some("last"));
        assert_eq!(line(&mut input), None);
        assert_eq!(line(&mut input), None);
    }

    #[test]
    fn the_rest_follows_the_lines_read() {
        let mut input = input("a\nbc\ndef");
        assert_eq!(line(&mut input).as_deref(), Some("a"));
        assert_eq!(input.read_to_end(usize::MAX).unwrap(), b"bc\ndef");
        assert_eq!(input.read_to_end(usize::MAX).unwrap(), b"");
    }

    #[test]
    fn reads_past_the_room_are_refused() {
        let mut input = input("0123456789\nab\n");
        assert!(matches!(input.read_line(5), Err(InputError::TooBig(_))));
        let mut input = self::input("0123456789");
        assert!(matches!(input.read_to_end(9), Err(InputError::TooBig(_))));
        let mut input = self::input("0123456789");
        assert_eq!(input.read_to_end(10).unwrap().len(), 10);
    }
}
