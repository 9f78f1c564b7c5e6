//! Files and the process: `read_file write_file append_file file_exists? list_dir
//! remove_file make_dir remove_dir temp_dir` and `read_line read_stdin env`. A path is used
//! as given (relative to the working directory). Every failure of the operating system is
//! a catchable `user` error naming the word, the path and the OS's reason; what a word
//! reads is checked against the room the heap limit leaves, so a file or an input too big
//! for it is a `limit` error before it is all held.

use std::io::Write;
use std::path::Path;

use registry::Value;

use crate::error::{Error, ErrorKind};
use crate::input::InputError;
use crate::vm::Vm;

/// The `user` error of an operating-system failure: `word: cannot DOING "path": reason`.
#[cold]
fn io_error(word: &str, doing: &str, path: &str, err: std::io::Error) -> Error {
    Error::new(ErrorKind::User, format!("{word}: cannot {doing} {path:?}: {err}"))
}

/// The error of bytes that are not UTF-8 text, saying where the first bad byte is.
#[cold]
fn not_utf8(word: &str, what: &str, err: &std::string::FromUtf8Error) -> Error {
    let at = err.utf8_error().valid_up_to();
    let line = err.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    Error::new(ErrorKind::User, format!("{word}: {what} is not UTF-8 text: invalid byte at offset {at} (line {line})"))
}

impl Vm {
    /// Bytes the heap limit leaves for what a word is about to read or build (no limit:
    /// `usize::MAX`). A heap past its limit holds garbage the collector has not reached
    /// yet (see `check_heap_limit`), so it is collected first and only live data counts.
    /// Call it while every value the word still needs is on the stack or copied out.
    pub(crate) fn heap_room(&mut self) -> usize {
        let Some(max) = self.limits.max_heap else { return usize::MAX };
        let used = |vm: &Vm| vm.reg.gc_stats().heap_bytes + vm.footprint.bytes();
        if used(self) > max {
            self.collect_garbage();
        }
        max.saturating_sub(used(self))
    }

    /// Pushes `text` as a string, or `nil` for `None`.
    fn push_text_or_nil(&mut self, text: Option<&str>) -> Result<(), Error> {
        match text {
            Some(text) => self.push_str(text),
            None => {
                self.task.push(Value::Nil);
                Ok(())
            }
        }
    }

    /// `read_file ( path -- s )`: the contents of a UTF-8 text file. The size is checked
    /// before and while reading (a device or a pipe may not say its size), so a file
    /// bigger than the heap has room for is a `limit` error, never an attempt to hold it.
    #[inline(never)]
    pub(crate) fn read_file(&mut self) -> Result<(), Error> {
        let path = self.pop_text("read_file")?;
        let room = self.heap_room();
        let bytes = read_bounded(&path, room)?;
        self.charge_bytes(bytes.len());
        match String::from_utf8(bytes) {
            Ok(text) => self.push_str(&text),
            Err(err) => Err(not_utf8("read_file", &format!("{path:?}"), &err)),
        }
    }

    /// `write_file ( path s -- )` and `append_file ( path s -- )`: the text (or bytes) as
    /// the file's whole contents, or added at its end; the file is created if missing.
    #[inline(never)]
    pub(crate) fn write_file(&mut self, append: bool) -> Result<(), Error> {
        let word = if append { "append_file" } else { "write_file" };
        let (path, contents) = self.task.pop2(word)?;
        let Some(path) = self.reg.text(path) else {
            return Err(self.expects(word, "a path string", path));
        };
        let bytes: &[u8] = match contents {
            Value::Str(h) => self.reg.str(h)?.as_str().as_bytes(),
            Value::Bytes(h) => self.reg.bytes(h)?,
            other => return Err(self.expects(word, "a string or bytes to write", other)),
        };
        let written = if append {
            std::fs::OpenOptions::new().append(true).create(true).open(path).and_then(|mut f| f.write_all(bytes))
        } else {
            std::fs::write(path, bytes)
        };
        let len = bytes.len();
        written.map_err(|err| io_error(word, "write", path, err))?;
        self.charge_bytes(len);
        Ok(())
    }

    /// `file_exists? ( path -- bool )`: whether the path names a file or a directory (a
    /// symbolic link counts if what it points to exists).
    #[inline(never)]
    pub(crate) fn file_exists(&mut self) -> Result<(), Error> {
        let path = self.pop_text("file_exists?")?;
        let exists = Path::new(&path).try_exists().map_err(|err| io_error("file_exists?", "check", &path, err))?;
        self.task.push(Value::Bool(exists));
        Ok(())
    }

    /// `list_dir ( path -- [names] )`: the names in a directory (not `.` or `..`), sorted.
    #[inline(never)]
    pub(crate) fn list_dir(&mut self) -> Result<(), Error> {
        let path = self.pop_text("list_dir")?;
        let fail = |err| io_error("list_dir", "list", &path, err);
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(fail)? {
            let name = entry.map_err(fail)?.file_name();
            match name.into_string() {
                Ok(name) => names.push(name),
                Err(name) => {
                    return Err(Error::new(
                        ErrorKind::User,
                        format!("list_dir: {path:?} holds a name that is not UTF-8 text: {:?}", name.to_string_lossy()),
                    ));
                }
            }
        }
        names.sort_unstable();
        self.charge(names.len());
        self.push_strings(names.iter().map(String::as_str));
        Ok(())
    }

    /// `remove_file`, `make_dir` and `remove_dir`: one change to the file system, named
    /// `word`, done by `change` on the popped path.
    #[inline(never)]
    pub(crate) fn change_path(
        &mut self,
        word: &str,
        doing: &str,
        change: fn(&Path) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let path = self.pop_text(word)?;
        change(Path::new(&path)).map_err(|err| io_error(word, doing, &path, err))
    }

    /// `temp_dir ( -- path )`: the directory for temporary files (`TMPDIR` on Unix, else
    /// the system's default).
    #[inline(never)]
    pub(crate) fn temp_dir(&mut self) -> Result<(), Error> {
        let dir = std::env::temp_dir();
        let Some(dir) = dir.to_str() else {
            return Err(Error::new(
                ErrorKind::User,
                format!("temp_dir: the directory {:?} is not UTF-8 text", dir.to_string_lossy()),
            ));
        };
        self.push_str(dir)
    }

    /// Writes out what the program printed, so that a question printed before a read is
    /// seen before the read waits for its answer (as C's stdio and Python's `input` do).
    /// A failure to write is the output's to report, at its next write or flush.
    fn flush_before_reading(&mut self) {
        let _ = self.out.flush();
    }

    /// `read_line ( -- s|nil )`: the next line of the VM's input without its line end, or
    /// `nil` at its end.
    #[inline(never)]
    pub(crate) fn read_line(&mut self) -> Result<(), Error> {
        self.flush_before_reading();
        let room = self.heap_room();
        let line = self.input.read_line(room).map_err(|err| input_error("read_line", err, room))?;
        let Some(line) = line else {
            self.task.push(Value::Nil);
            return Ok(());
        };
        self.charge_bytes(line.len());
        let line = String::from_utf8(line).map_err(|err| not_utf8("read_line", "the input", &err))?;
        self.push_str(&line)
    }

    /// `read_stdin ( -- s )`: all that is left of the VM's input ("" at its end).
    #[inline(never)]
    pub(crate) fn read_stdin(&mut self) -> Result<(), Error> {
        self.flush_before_reading();
        let room = self.heap_room();
        let all = self.input.read_to_end(room).map_err(|err| input_error("read_stdin", err, room))?;
        self.charge_bytes(all.len());
        let all = String::from_utf8(all).map_err(|err| not_utf8("read_stdin", "the input", &err))?;
        self.push_str(&all)
    }

    /// `env ( name -- s|nil )`: the value of an environment variable, `nil` if it is not
    /// set. A name no variable can have (empty, or holding `=` or NUL) is not set.
    #[inline(never)]
    pub(crate) fn env_var(&mut self) -> Result<(), Error> {
        let name = self.pop_text("env")?;
        if name.is_empty() || name.contains(['=', '\0']) {
            return self.push_text_or_nil(None);
        }
        match std::env::var_os(&name).map(std::ffi::OsString::into_string) {
            None => self.push_text_or_nil(None),
            Some(Ok(value)) => self.push_text_or_nil(Some(&value)),
            Some(Err(_)) => Err(Error::new(ErrorKind::User, format!("env: the value of {name:?} is not UTF-8 text"))),
        }
    }
}

/// The error of a read of the VM's input that failed.
#[cold]
fn input_error(word: &str, err: InputError, room: usize) -> Error {
    match err {
        InputError::Io(err) => Error::new(ErrorKind::User, format!("{word}: cannot read the input: {err}")),
        InputError::TooBig(read) => Error::limit(format!(
            "{word}: the input is longer than the {room} bytes the heap limit leaves ({read} bytes read)"
        )),
        InputError::OutOfMemory(read) => {
            Error::limit(format!("{word}: out of memory reading the input ({read} bytes so far)"))
        }
    }
}

/// The bytes of the file at `path`, refusing to read more than `room`.
fn read_bounded(path: &str, room: usize) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let fail = |err| io_error("read_file", "read", path, err);
    let too_big = |size: String| {
        Error::limit(format!("read_file: {path:?} is {size}, more than the {room} bytes the heap limit leaves"))
    };
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let size = file.metadata().map_err(fail)?.len();
    if size > room as u64 {
        return Err(too_big(format!("{size} bytes")));
    }
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(fail(err)),
        };
        if bytes.len() + n > room {
            return Err(too_big("longer".to_string()));
        }
        if bytes.try_reserve(n).is_err() {
            return Err(Error::limit(format!(
                "read_file: out of memory reading {path:?} ({} bytes so far)",
                bytes.len()
            )));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    Ok(bytes)
}
