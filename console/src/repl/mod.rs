//! The REPL: `kai` (Pi), `kai --lang rho` and `kai --lang stark`. Interactive on a terminal (rustyline line
//! editing, history, completion, hints, highlighting, multi-line entries); with piped input,
//! the input runs as one program without prompts.

mod helper;
mod session;
mod style;

use std::cell::{Cell, RefCell};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};
use vm_core::Vm;

use crate::lang::Lang;

use self::helper::{KaiHelper, Shared as HelperShared};
use self::session::{Next, Session};
use crate::Streams;
use crate::run::Shared;

/// The interrupt flag every session's VMs watch; Ctrl-C sets it.
fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = flag.clone();
        // While a line runs the terminal is in cooked mode, so Ctrl-C arrives as SIGINT and
        // stops the program at its next check; at the prompt rustyline reads it as a key.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, std::sync::atomic::Ordering::Relaxed));
        flag
    })
    .clone()
}

/// Where history is kept: `$KAI_HISTORY`, else `$XDG_DATA_HOME/kai/history`, else
/// `~/.local/share/kai/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KAI_HISTORY") {
        return Some(PathBuf::from(path));
    }
    let data = match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".local/share"),
    };
    Some(data.join("kai").join("history"))
}

/// Starts the REPL in `lang`, around `vm` if given (`kai run FILE -i`).
pub(crate) fn start(lang: Lang, vm: Option<Vm>, streams: &mut Streams) -> i32 {
    let out = Shared(Rc::new(RefCell::new(std::mem::replace(&mut streams.out, Box::new(std::io::sink())))));
    let err = Shared(Rc::new(RefCell::new(std::mem::replace(&mut streams.err, Box::new(std::io::sink())))));
    let code = if std::io::stdin().is_terminal() {
        let color = streams.color && std::io::stdout().is_terminal();
        let session = Session::new(vm, lang, color, out.clone(), err.clone(), interrupt_flag());
        interactive(session)
    } else {
        let session = Session::new(vm, lang, streams.color, out.clone(), err.clone(), Arc::new(AtomicBool::new(false)));
        piped(session)
    };
    drop_into(out, &mut streams.out);
    drop_into(err, &mut streams.err);
    code
}

/// Gives a shared writer back to its stream.
fn drop_into(shared: Shared, stream: &mut Box<dyn Write>) {
    let _ = shared.0.borrow_mut().flush();
    if let Ok(cell) = Rc::try_unwrap(shared.0) {
        *stream = cell.into_inner();
    }
}

/// Input that is not a terminal: run it all as one program, like `kai run`.
fn piped(mut session: Session) -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("kai: cannot read standard input: {e}");
        return 1;
    }
    let lang = session.lang_name();
    let result = session.vm.eval(lang, "<stdin>", &text);
    session.vm.flush();
    match result {
        Ok(vm_core::Outcome::Finished) => 0,
        Ok(vm_core::Outcome::Exit(code)) => code,
        Err(err) => {
            eprint!("{}", crate::diagnostic::render(&session.vm, &err, false));
            1
        }
    }
}

fn interactive(mut session: Session) -> i32 {
    let config = Config::builder().auto_add_history(false).max_history_size(2000).map(|b| b.build());
    let mut editor: Editor<KaiHelper, DefaultHistory> = match config.and_then(Editor::with_config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("kai: cannot start the line editor: {e}");
            return 1;
        }
    };
    let shared = Rc::new(HelperShared {
        lang: Cell::new(session.lang),
        names: RefCell::new(session.names()),
        color: session.color,
    });
    editor.set_helper(Some(KaiHelper { shared: shared.clone() }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!("Kai {} — {} REPL. :help for help, Ctrl-D to quit.", env!("CARGO_PKG_VERSION"), session.lang_name());
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { session.prompt() } else { session.continuation_prompt() };
        match editor.readline(&prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if !pending.trim_start().starts_with(':') && session.needs_more(&pending) {
                    continue;
                }
                let entry = std::mem::take(&mut pending);
                if entry.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(entry.as_str());
                if let Some(path) = &history {
                    save_history(&mut editor, path);
                }
                if let Next::Quit(code) = session.handle(&entry) {
                    return code;
                }
                shared.lang.set(session.lang);
                *shared.names.borrow_mut() = session.names();
            }
            // Ctrl-C at the prompt clears the line (and any unfinished entry).
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => return 0,
            Err(e) => {
                eprintln!("kai: {e}");
                return 1;
            }
        }
    }
}

fn save_history(editor: &mut Editor<KaiHelper, DefaultHistory>, path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = editor.save_history(path);
}
