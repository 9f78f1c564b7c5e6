//! A REPL session: one VM shared by Pi and Rho, the current language, and what each entry
//! does — a `:command` or code, whose errors print a diagnostic and leave the session as it
//! was (globals intact, the data stack restored).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use vm_core::{Outcome, Value, Vm};

use super::helper::COMMANDS;
use super::style;
use crate::diagnostic::render;
use crate::lang::Lang;
use crate::run::{Shared, new_vm, read_program};

/// What the REPL does after an entry.
pub(crate) enum Next {
    Continue,
    Quit(i32),
}

pub(crate) struct Session {
    pub vm: Vm,
    pub lang: Lang,
    translate: bool,
    pub color: bool,
    out: Shared,
    err: Shared,
    interrupt: Arc<AtomicBool>,
}

impl Session {
    /// A session in Pi or Rho around `vm` (a fresh VM when `None`).
    pub fn new(
        vm: Option<Vm>,
        lang: Lang,
        color: bool,
        out: Shared,
        err: Shared,
        interrupt: Arc<AtomicBool>,
    ) -> Session {
        let mut session = Session { vm: Vm::new(), lang, translate: false, color, out, err, interrupt };
        session.vm = match vm {
            Some(mut vm) => {
                session.attach(&mut vm);
                vm
            }
            None => session.fresh_vm(),
        };
        session
    }

    /// Points a VM's output and interrupt flag at this session.
    fn attach(&self, vm: &mut Vm) {
        vm.set_output(Box::new(self.out.clone()));
        vm.set_interrupt_handle(self.interrupt.clone());
    }

    fn fresh_vm(&self) -> Vm {
        let mut vm = new_vm();
        self.attach(&mut vm);
        let args = vm.new_array(Vec::new());
        let _ = vm.set_global("args", args);
        vm
    }

    pub fn lang_name(&self) -> &'static str {
        self.lang.name()
    }

    pub fn prompt(&self) -> String {
        format!("{}> ", self.lang_name())
    }

    /// The prompt for a continuation line, as wide as the first.
    pub fn continuation_prompt(&self) -> String {
        format!("{}> ", ".".repeat(self.lang_name().len()))
    }

    /// Whether the entry so far is unfinished (an open bracket, string or block).
    pub fn needs_more(&self, text: &str) -> bool {
        self.lang.needs_more(text)
    }

    /// The global names defined now, for completion.
    pub fn names(&self) -> Vec<String> {
        let reg = self.vm.registry();
        reg.globals.iter().map(|(name, _)| reg.name_text(name).to_string()).collect()
    }

    fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }

    fn complain(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = write!(self.err, "{text}");
        let _ = self.err.flush();
    }

    /// Handles one entry (a command or code).
    pub fn handle(&mut self, entry: &str) -> Next {
        let trimmed = entry.trim();
        if trimmed.starts_with(':') {
            return self.command(trimmed);
        }
        self.eval(entry, "<repl>")
    }

    fn command(&mut self, line: &str) -> Next {
        let (name, arg) = match line.split_once(char::is_whitespace) {
            Some((name, arg)) => (name, arg.trim()),
            None => (line, ""),
        };
        match name {
            ":quit" | ":q" | ":exit" => return Next::Quit(0),
            ":pi" => self.lang = Lang::Pi,
            ":rho" => self.lang = Lang::Rho,
            ":stark" => self.lang = Lang::Stark,
            ":stack" => {
                let view = style::stack(&self.vm, self.color);
                self.say(&view);
            }
            ":clear" => {
                self.vm.clear_stack();
                let view = style::stack(&self.vm, self.color);
                self.say(&view);
            }
            ":tasks" => {
                let tasks = self.vm.tasks();
                let text = if tasks.is_empty() { "no tasks".to_string() } else { tasks.join("\n") };
                self.say(&text);
            }
            ":reset" => {
                self.vm = self.fresh_vm();
                self.say("a fresh VM: no globals, an empty stack");
            }
            ":translate" => {
                self.translate = !self.translate;
                let state = if self.translate { "on" } else { "off" };
                self.say(&format!("showing the Pi of Rho lines: {state}"));
            }
            ":load" if !arg.is_empty() => return self.load(arg),
            ":load" => self.complain("usage: :load FILE\n"),
            ":help" | ":h" if arg.is_empty() => self.help(),
            ":help" | ":h" => self.describe(arg),
            other => self.complain(&format!("unknown command {other}; try :help\n")),
        }
        Next::Continue
    }

    fn help(&mut self) {
        let mut text = String::from(
            "Type Pi, Rho or Stark and press Enter; unfinished brackets (and Stark blocks, until a blank\nline) continue on the next line.\n",
        );
        text.push_str(
            "After each Pi line the data stack is shown; a Rho or Stark line that is one expression shows\nits value.\n\n",
        );
        for (command, doc) in COMMANDS {
            text.push_str(&format!("  {command:<12} {doc}\n"));
        }
        text.push_str("\nCtrl-C stops a running program and every task it started (or clears the line); Ctrl-D quits.");
        text.push_str("\nTasks a line started and left running stay alive: they run whenever a later line runs.");
        text.push_str("\n`kai words` lists every Pi word; docs/rho.md describes Rho, docs/stark.md Stark.");
        self.say(&text);
    }

    /// `:help WORD`: a Pi word's stack effect, a Rho function's arguments, or a command.
    fn describe(&mut self, word: &str) {
        let mut found = Vec::new();
        if let Some(w) = vm_core::words::lookup(word) {
            found.push(format!("{}  {}   (Pi {})\n  {}", w.name, w.effect, w.group, w.doc));
        }
        if let Some((name, arity, doc)) = lang_rho::builtin_functions().find(|(name, _, _)| *name == word) {
            found.push(format!("{name}  Rho function, {arity}\n  {doc}"));
        }
        if let Some((_, signature)) = lang_stark::builtin_functions().find(|(name, _)| *name == word) {
            found.push(format!("{signature}   (Stark function)"));
        }
        let command = if word.starts_with(':') { word.to_string() } else { format!(":{word}") };
        if let Some((c, doc)) = COMMANDS.iter().find(|(c, _)| c.split(' ').next() == Some(command.as_str())) {
            found.push(format!("{c}  {doc}"));
        }
        if found.is_empty() {
            self.complain(&format!("no built-in word, function or command named '{word}'\n"));
        } else {
            self.say(&found.join("\n"));
        }
    }

    fn load(&mut self, path: &str) -> Next {
        let path = Path::new(path);
        let Some(lang) = Lang::of_path(path) else {
            self.complain(&format!("cannot tell the language of {} (.pi, .rho or .stark)\n", path.display()));
            return Next::Continue;
        };
        match read_program(path) {
            Ok(text) => {
                let current = self.lang;
                self.lang = lang;
                let next = self.run(&text, &path.display().to_string(), false);
                self.lang = current;
                next
            }
            Err(message) => {
                self.complain(&format!("{message}\n"));
                Next::Continue
            }
        }
    }

    fn eval(&mut self, text: &str, name: &str) -> Next {
        if self.translate && self.lang.infix() {
            let source = self.vm.add_source(name, text);
            if let Some(Ok(nodes)) = self.lang.to_pi(&source, self.vm.native_table(), true) {
                let pi = lang_pi::print(&nodes);
                let shown = style::paint(pi.trim_end(), style::DIM, self.color);
                self.say(&shown);
            }
        }
        self.run(text, name, true)
    }

    /// Runs code; on failure prints the diagnostic and puts the data stack back as it was.
    fn run(&mut self, text: &str, name: &str, interactive: bool) -> Next {
        // The stack before the line, kept alive (and restorable) through the run.
        let before = self.vm.stack().to_vec();
        let depth = before.len();
        let saved = self.vm.new_array(before);
        let saved = self.vm.root(saved);
        // A Ctrl-C from before this line is stale; one from now on stops it.
        self.interrupt.store(false, std::sync::atomic::Ordering::Relaxed);
        let compiled = if interactive {
            self.vm.compile_interactive(self.lang_name(), name, text)
        } else {
            self.vm.compile(self.lang_name(), name, text)
        };
        let result = compiled.and_then(|block| self.vm.run(block));
        let _ = self.out.flush();
        match result {
            Ok(Outcome::Exit(code)) => return Next::Quit(code),
            Ok(Outcome::Finished) => {
                if self.lang.infix() {
                    // A Rho or Stark line that is one expression leaves its value: show it, and keep
                    // the stack (which Rho does not use) as it was.
                    if self.vm.stack().len() == depth + 1
                        && let Some(value) = self.vm.pop()
                    {
                        self.show_value(value);
                    }
                } else if interactive {
                    let view = style::stack(&self.vm, self.color);
                    self.say(&view);
                }
            }
            Err(err) => {
                let report = if err.kind() == vm_core::ErrorKind::Limit && err.message() == "interrupted" {
                    "interrupted\n".to_string()
                } else {
                    render(&self.vm, &err, self.color)
                };
                self.complain(&report);
                if let Value::Array(h) = saved.get() {
                    let items = self.vm.registry().array(h).map(|a| a.to_vec()).unwrap_or_default();
                    self.vm.set_stack(items);
                }
            }
        }
        Next::Continue
    }

    fn show_value(&mut self, value: Value) {
        if value == Value::Nil {
            return;
        }
        let shown =
            format!("{} {}", style::paint("=", style::DIM, self.color), style::value(&self.vm, value, self.color));
        self.say(&shown);
    }
}
