//! [`Vm`]: the embedding API — create a VM, install frontends, evaluate source, move values
//! in and out, call continuations, register natives and set limits.

use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use registry::{Name, NativeObject, Registry, Rooted, Value};
use rustc_hash::FxHashMap;

use crate::code::Block;
use crate::error::{Error, ErrorKind};
use crate::footprint::Footprint;
use crate::limits::Limits;
use crate::native::Native;
use crate::source::{Source, Sources};
use crate::task::Task;
use crate::unit::Unit;
use crate::words;

/// The natives a program may call, by name, with their arity: what a compiler needs to
/// know of the VM the code will run in ([`Vm::native_table`]).
pub type Natives = FxHashMap<String, usize>;

/// Turns source text into a portable [`Unit`], without a VM. Frontends (lang-pi, lang-rho)
/// install themselves in a VM under a language name; `eval`, `rho` and the embedding API
/// use them, and [`compile_unit`] uses one alone.
pub trait Frontend {
    /// Compiles `source`, for a VM that has `natives` (names the code calls as natives and
    /// cannot bind). Spans in errors point into `source` by its id.
    ///
    /// # Errors
    /// A `parse` error (with related errors for further problems) if the text is invalid.
    fn compile(&self, source: &Source, natives: &Natives) -> Result<Unit, Error>;

    /// Compiles source typed or evaluated interactively (the REPL, the `rho` word): as
    /// [`Frontend::compile`], except that a lone expression leaves its value on the stack.
    /// Pi has no statements, so by default this is `compile`.
    ///
    /// # Errors
    /// As [`Frontend::compile`].
    fn compile_interactive(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        self.compile(source, natives)
    }

    /// Compiles a file another one imports. As [`Frontend::compile`] by default; Stark runs
    /// a program's `main()` after its top-level statements, but not a module's.
    ///
    /// # Errors
    /// As [`Frontend::compile`].
    fn compile_module(&self, source: &Source, natives: &Natives) -> Result<Unit, Error> {
        self.compile(source, natives)
    }

    /// About how many bytes compiling takes while it runs, per byte of source: syntax
    /// trees, the translation and the code built from them. The VM checks this estimate
    /// against the heap limit before compiling, so a huge source fails with a `limit`
    /// error instead of growing the process first. Measured (see the README's limits
    /// section); errs on the high side.
    fn memory_per_source_byte(&self) -> usize {
        32
    }
}

/// Compiles `text` (named `name` in diagnostics) with `frontend` alone, for a VM with
/// `natives`: the unit can then be loaded into any number of VMs ([`Vm::load`]).
///
/// # Errors
/// As [`Frontend::compile`], with the source attached so the error shows its position.
pub fn compile_unit(frontend: &dyn Frontend, name: &str, text: &str, natives: &Natives) -> Result<Unit, Error> {
    let source = Rc::new(Source::detached(name, text));
    frontend.compile(&source, natives).map_err(|err| err.with_source(source.clone()))
}

/// How a run ended without an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The program ran to its end.
    Finished,
    /// The program called `exit` with this code.
    Exit(i32),
}

/// A Kai virtual machine: one heap, one global scope and the running task.
pub struct Vm {
    pub(crate) reg: Registry<Block>,
    pub(crate) task: Task,
    pub(crate) limits: Limits,
    pub(crate) sources: Sources,
    /// Bytes held for the program outside the heap (sources, compiled code).
    pub(crate) footprint: Footprint,
    pub(crate) natives: Vec<Native>,
    native_index: FxHashMap<Name, u32>,
    /// The natives by name with their arities, kept for compilers (which know no `Name`s).
    native_table: Natives,
    /// The generator behind `random` and the words that draw from it.
    pub(crate) rng: crate::rng::Rng,
    frontends: FxHashMap<String, Rc<dyn Frontend>>,
    pub(crate) out: Box<dyn Write>,
    /// Where `read_line` and `read_stdin` read.
    pub(crate) input: crate::input::Input,
    pub(crate) interrupt: Arc<AtomicBool>,
    pub(crate) running: bool,
    pub(crate) run: crate::exec::RunState,
    /// The modules imported so far, by canonical path (see `ops/modules.rs`).
    pub(crate) modules: FxHashMap<std::path::PathBuf, registry::Rooted>,
    /// The directories `import` looks in after the importing file's (from `KAI_PATH`).
    pub(crate) module_path: Vec<std::path::PathBuf>,
    /// The tasks and what they wait on (SPEC §6).
    pub(crate) sched: crate::sched::Scheduler,
    /// Where reports that are not a program's output go (a task's error nobody awaits).
    pub(crate) err_out: Box<dyn Write>,
    /// Units loaded for continuations copied in from other VMs, by the address of the
    /// shared unit (which the entry keeps alive, so the address stays its own).
    pub(crate) imported_units: FxHashMap<usize, (Arc<crate::unit::Unit>, Vec<Rc<Block>>)>,
    /// The VM is one of the parallel workers (which cannot start parallel work, and have
    /// no frontends to compile with).
    pub(crate) worker: bool,
}

impl Default for Vm {
    fn default() -> Self {
        Vm::new()
    }
}

impl Vm {
    /// A VM with no frontends installed. The collector's stress mode comes from the
    /// environment variable `KAI_GC_STRESS`: `incremental`, or any other value but `0` or
    /// empty for a full collection at every allocation (see [`registry::Stress`]).
    pub fn new() -> Vm {
        let mut reg = Registry::new();
        let stress =
            std::env::var("KAI_GC_STRESS").map_or(registry::Stress::Off, |v| registry::Stress::from_setting(&v));
        reg.set_gc_stress(stress);
        for &(name, value, _) in words::CONSTANTS {
            let name = reg.intern(name);
            reg.globals.set(name, Value::Float(value));
        }
        let main = crate::sched::main_task(&mut reg);
        let footprint = Footprint::default();
        let mut sources = Sources::default();
        sources.count_in(footprint.clone());
        Vm {
            reg,
            task: Task::default(),
            limits: Limits::new(),
            sources,
            footprint,
            natives: Vec::new(),
            native_index: FxHashMap::default(),
            native_table: Natives::default(),
            rng: crate::rng::Rng::from_clock(),
            frontends: FxHashMap::default(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            input: crate::input::Input::default(),
            interrupt: Arc::new(AtomicBool::new(false)),
            running: false,
            run: crate::exec::RunState::default(),
            modules: FxHashMap::default(),
            module_path: std::env::var_os("KAI_PATH")
                .map(|dirs| std::env::split_paths(&dirs).collect())
                .unwrap_or_default(),
            sched: crate::sched::Scheduler::new(main),
            imported_units: FxHashMap::default(),
            worker: false,
            err_out: Box::new(std::io::stderr()),
        }
    }

    // ---- frontends and evaluation ------------------------------------------------------

    /// Installs the frontend for language `lang` (`"pi"`, `"rho"`, …).
    pub fn set_frontend(&mut self, lang: &str, frontend: Rc<dyn Frontend>) {
        self.frontends.insert(lang.to_string(), frontend);
    }

    /// Whether a frontend for `lang` is installed.
    pub fn has_frontend(&self, lang: &str) -> bool {
        self.frontends.contains_key(lang)
    }

    /// Compiles `text` (named `name` in diagnostics) with the `lang` frontend and loads it.
    ///
    /// # Errors
    /// A `parse` error, or if no frontend for `lang` is installed.
    pub fn compile(&mut self, lang: &str, name: &str, text: &str) -> Result<Rc<Block>, Error> {
        self.compile_with(lang, name, text, |frontend, source, natives| frontend.compile(source, natives))
    }

    /// Compiles `text` as typed at a prompt: a lone expression leaves its value (see
    /// [`Frontend::compile_interactive`]).
    ///
    /// # Errors
    /// As [`Vm::compile`].
    pub fn compile_interactive(&mut self, lang: &str, name: &str, text: &str) -> Result<Rc<Block>, Error> {
        self.compile_with(lang, name, text, |frontend, source, natives| frontend.compile_interactive(source, natives))
    }

    /// Compiles a module being imported (see [`Frontend::compile_module`]).
    ///
    /// # Errors
    /// As [`Vm::compile`].
    pub(crate) fn compile_module(&mut self, lang: &str, name: &str, text: &str) -> Result<Rc<Block>, Error> {
        self.compile_with(lang, name, text, |frontend, source, natives| frontend.compile_module(source, natives))
    }

    /// Compiles `text` to a portable unit with the `lang` frontend, for this VM's natives,
    /// without loading it (to share it, or write it to a file).
    ///
    /// # Errors
    /// As [`Vm::compile`].
    pub fn compile_to_unit(&mut self, lang: &str, name: &str, text: &str) -> Result<Unit, Error> {
        let frontend = self.frontend_for(lang, text.len())?;
        compile_unit(frontend.as_ref(), name, text, self.native_table())
    }

    /// Registers the source, compiles it with `compile` and loads the unit. A failure
    /// keeps the source alive for its diagnostics; the loaded code is checked against the
    /// heap limit, which counts compiled code and source text.
    fn compile_with(
        &mut self,
        lang: &str,
        name: &str,
        text: &str,
        compile: impl FnOnce(&dyn Frontend, &Source, &Natives) -> Result<Unit, Error>,
    ) -> Result<Rc<Block>, Error> {
        let frontend = self.frontend_for(lang, text.len())?;
        let source = self.sources.add(name, text);
        let unit =
            compile(frontend.as_ref(), &source, self.native_table()).map_err(|err| err.with_source(source.clone()))?;
        self.load_compiled(unit, source)
    }

    /// The `lang` frontend, to compile `len` bytes with. Refuses when the memory compiling
    /// them takes (the frontend's estimate) is more than the heap limit. (What is in use is
    /// not counted: that memory is passing, and a program at its limit must still be able
    /// to compile the line that frees memory. The compiled code itself is counted once it
    /// exists.)
    fn frontend_for(&self, lang: &str, len: usize) -> Result<Rc<dyn Frontend>, Error> {
        let frontend = self.frontends.get(lang).cloned().ok_or_else(|| {
            if self.worker {
                Error::new(
                    ErrorKind::Undefined,
                    format!("a function run by par_map or par_reduce cannot compile {lang} source (worker VMs have no compilers)"),
                )
            } else {
                Error::new(ErrorKind::Undefined, format!("no {lang} frontend is installed in this VM"))
            }
        })?;
        if let Some(max) = self.limits.max_heap {
            let need = len.saturating_mul(frontend.memory_per_source_byte());
            if need > max {
                return Err(Error::limit(format!(
                    "compiling {len} bytes of {lang} takes about {need} bytes, more than the heap limit of {max} bytes"
                )));
            }
        }
        Ok(frontend)
    }

    /// Compiles and runs `text` at the top level (in the global scope), leaving its results
    /// on the data stack.
    ///
    /// # Errors
    /// Any error the program raises and does not catch, with its trace; a `limit` error if a
    /// limit was exceeded. The globals survive; frames are reset.
    pub fn eval(&mut self, lang: &str, name: &str, text: &str) -> Result<Outcome, Error> {
        let block = self.compile(lang, name, text)?;
        self.run(block)
    }

    /// Runs a compiled block at the top level.
    ///
    /// # Errors
    /// As [`Vm::eval`].
    pub fn run(&mut self, block: Rc<Block>) -> Result<Outcome, Error> {
        self.run_top(block)
    }

    /// Calls the continuation bound to global `name` with `args` pushed in order, and
    /// returns everything it left on the stack above them.
    ///
    /// # Errors
    /// An `undefined` error if `name` is unbound, a `type` error if it is not a
    /// continuation, or whatever the call raises.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        let key = self.reg.intern(name);
        let callee = self
            .reg
            .globals
            .get(key)
            .ok_or_else(|| Error::new(ErrorKind::Undefined, format!("undefined name '{name}'")))?;
        self.call_value(callee, args)
    }

    /// Calls a continuation value with `args`; see [`Vm::call`].
    ///
    /// # Errors
    /// As [`Vm::call`].
    pub fn call_value(&mut self, callee: Value, args: &[Value]) -> Result<Vec<Value>, Error> {
        let base = self.task.stack.len();
        self.task.stack.extend_from_slice(args);
        let outcome = self.run_call(callee);
        let results = self.task.stack.split_off(base.min(self.task.stack.len()));
        outcome.map(|_| results)
    }

    // ---- the data stack ----------------------------------------------------------------

    /// Pushes a value.
    pub fn push(&mut self, value: Value) {
        self.task.stack.push(value);
    }

    /// Pops the top value.
    pub fn pop(&mut self) -> Option<Value> {
        self.task.stack.pop()
    }

    /// The data stack, bottom first.
    pub fn stack(&self) -> &[Value] {
        &self.task.stack
    }

    /// Replaces the data stack (the REPL restores it after a failed line).
    pub fn set_stack(&mut self, values: Vec<Value>) {
        self.task.stack = values;
        self.task.set_max_stack(self.limits.max_stack);
    }

    /// Empties the data stack.
    pub fn clear_stack(&mut self) {
        self.task.stack.clear();
    }

    /// The number of frames on the context stack (activations and inline blocks). A
    /// native function sees the depth of the code that called it.
    pub fn context_depth(&self) -> usize {
        self.task.frames.len()
    }

    // ---- values ------------------------------------------------------------------------

    /// The registry: heap objects, names and globals.
    pub fn registry(&self) -> &Registry<Block> {
        &self.reg
    }

    /// Mutable access to the registry.
    pub fn registry_mut(&mut self) -> &mut Registry<Block> {
        &mut self.reg
    }

    /// Interns a name.
    pub fn intern(&mut self, text: &str) -> Name {
        self.reg.intern(text)
    }

    /// A new string value.
    pub fn new_str(&mut self, text: &str) -> Value {
        self.reg.new_str(text)
    }

    /// A new array value.
    pub fn new_array(&mut self, items: Vec<Value>) -> Value {
        self.reg.new_array(items)
    }

    /// Puts a native object in the heap.
    pub fn new_native(&mut self, object: Box<dyn NativeObject>) -> Value {
        self.reg.new_native(object)
    }

    /// The native object of type `T` a value refers to, if it is one.
    pub fn native_ref<T: NativeObject>(&self, value: Value) -> Option<&T> {
        let Value::Native(h) = value else { return None };
        let native: &dyn NativeObject = &**self.reg.native(h).ok()?;
        (native as &dyn std::any::Any).downcast_ref::<T>()
    }

    /// The display form (what `print` writes).
    pub fn display(&self, value: Value) -> String {
        self.reg.display(value)
    }

    /// The repr form (strings quoted).
    pub fn repr(&self, value: Value) -> String {
        self.reg.repr(value)
    }

    /// Keeps a value alive while the returned handle exists.
    pub fn root(&mut self, value: Value) -> Rooted {
        self.reg.root(value)
    }

    /// The value of global `name`.
    pub fn global(&self, name: &str) -> Option<Value> {
        let name = self.reg.names.lookup(name)?;
        self.reg.globals.get(name)
    }

    /// Binds global `name`.
    ///
    /// # Errors
    /// A `type` error if `name` is a built-in word or a native.
    pub fn set_global(&mut self, name: &str, value: Value) -> Result<(), Error> {
        let name = self.reg.intern(name);
        self.check_not_reserved(name)?;
        self.reg.globals.set(name, value);
        Ok(())
    }

    /// Whether `name` is a built-in word's or a native's, which nothing may bind.
    pub(crate) fn is_reserved(&self, name: Name) -> bool {
        self.native_index.contains_key(&name) || words::lookup(self.reg.name_text(name)).is_some()
    }

    pub(crate) fn check_not_reserved(&self, name: Name) -> Result<(), Error> {
        if self.is_reserved(name) {
            let text = self.reg.name_text(name);
            let what = if self.native_index.contains_key(&name) { "native function" } else { "built-in word" };
            return Err(Error::type_error(format!("cannot bind '{text}': it is a {what}")));
        }
        Ok(())
    }

    // ---- natives -----------------------------------------------------------------------

    pub(crate) fn add_native(&mut self, native: Native) -> Result<(), Error> {
        let name = native.name;
        if crate::words::lookup(self.reg.name_text(name)).is_some() {
            let text = self.reg.name_text(name).to_string();
            return Err(Error::type_error(format!("cannot register '{text}': it is a built-in word")));
        }
        self.native_table.insert(self.reg.name_text(name).to_string(), native.arity);
        match self.native_index.get(&name) {
            Some(&index) => self.natives[index as usize] = native,
            None => {
                self.native_index.insert(name, self.natives.len() as u32);
                self.natives.push(native);
            }
        }
        Ok(())
    }

    /// The index of the native function named `name`, for compilers ([`crate::Op::Native`]).
    pub fn native_index(&self, name: Name) -> Option<u32> {
        self.native_index.get(&name).copied()
    }

    /// The registered natives by name, with their arities, as a compiler needs them.
    pub fn native_table(&self) -> &Natives {
        &self.native_table
    }

    /// The names and arities of every registered native.
    pub fn natives(&self) -> impl Iterator<Item = (&str, usize)> {
        self.natives.iter().map(|n| (self.reg.name_text(n.name), n.arity))
    }

    // ---- configuration -----------------------------------------------------------------

    /// The limits applied to each run.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the limits applied to each run.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The directories `import` looks in after the importing file's own; a new VM takes
    /// them from the environment variable `KAI_PATH`.
    pub fn set_module_path(&mut self, dirs: Vec<std::path::PathBuf>) {
        self.module_path = dirs;
    }

    /// Where `print` and friends write (stdout, buffered, by default).
    pub fn set_output(&mut self, out: Box<dyn Write>) {
        self.out = out;
    }

    /// Where the VM reports what is not the program's output (the error of a task nobody
    /// awaits): standard error by default.
    pub fn set_error_output(&mut self, err: Box<dyn Write>) {
        self.err_out = err;
    }

    /// Writes a line of a report to the error output (after the program's output so far).
    pub(crate) fn write_error_line(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = writeln!(self.err_out, "{text}");
        let _ = self.err_out.flush();
    }

    /// Where `read_line` and `read_stdin` read: the process's standard input by default.
    /// Any buffered reader will do (a `&'static [u8]`, a `Cursor`, a `BufReader` over a
    /// file or a socket), for an embedder that feeds its own input or a test.
    pub fn set_input(&mut self, input: impl std::io::BufRead + 'static) {
        self.input = crate::input::Input::Reader(Box::new(input));
    }

    /// Flushes program output.
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// A flag that, when set from any thread, stops the running program with a `limit`
    /// error ("interrupted") at its next check (every few thousand operations). Reporting
    /// the interrupt clears the flag; a flag set between runs stops the next run.
    pub fn interrupt_handle(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Makes this VM watch `flag` for interrupts (so one signal handler can serve every VM a
    /// REPL session creates).
    pub fn set_interrupt_handle(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = flag;
    }

    /// The source texts compiled so far.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Registers a source text for a frontend to compile; it stays registered while the
    /// returned `Rc` (or code compiled from it) lives.
    pub fn add_source(&mut self, name: &str, text: &str) -> Rc<Source> {
        self.sources.add(name, text)
    }

    /// Bytes the VM holds for the program outside the collected heap: source texts and
    /// compiled code. The heap limit counts them with the heap.
    pub fn code_bytes(&self) -> usize {
        self.footprint.bytes()
    }

    /// A readable listing of compiled code (see [`Block::disassemble`]), with names and
    /// constants as the program writes them.
    pub fn disassemble(&self, block: &Block) -> String {
        block.disassemble(&|name| self.reg.name_text(name).to_string(), &|value| self.reg.repr(value))
    }

    /// Runs a full garbage collection now.
    pub fn gc(&mut self) {
        self.collect_garbage();
    }
}
