//! The frame protocol: entering an activation (`&`, a function call, a driven `map`
//! step), replacing one (`!`), running a block inline, and leaving (a block's end, `...`).
//! Both the executor's inline arms and the handlers call these; nothing else pushes or pops
//! frames.
//!
//! Invariants kept here: a frame's locals above its `Env::Locals` base are released when its
//! activation ends or is replaced; entries of the context stack never outlive their frame
//! (a mark restores the stack floor as it goes); a function call's activation ends with
//! exactly one value in place of its arguments (`Frame::expect`).

use std::rc::Rc;

use registry::Value;

use crate::code::Block;
use crate::entry::{Entry, EntryKind};
use crate::error::{Error, ErrorKind};
use crate::frame::{Env, Frame, FrameKind};
use crate::vm::Vm;

impl Vm {
    #[cold]
    pub(crate) fn not_a_continuation(&self, word: &str, value: Value) -> Error {
        Error::type_error(format!("'{word}' expects a continuation, got {}", self.type_name(value)))
    }

    /// The scope an activation of `code` runs in, given the scope its closure captured; on
    /// the locals stack, with the block's slots reserved.
    ///
    /// # Errors
    /// A `limit` error if memory for the locals runs out.
    #[inline]
    fn activation_env(&mut self, code: &Block, captured: Option<gc::Handle>) -> Result<Env, Error> {
        Ok(if code.needs_heap_scope {
            Env::Scope(self.reg.new_scope(registry::Scope::new(captured)))
        } else if code.needs_locals {
            let base = self.task.locals.len() as u32;
            self.task.push_slots(&code.locals)?;
            Env::Locals { base, parent: captured }
        } else {
            Env::of_captured(captured)
        })
    }

    /// Starts a new activation of continuation `callee` (the `&` of SPEC §2.5). `expect`
    /// is the data-stack depth it must end with, or [`Frame::NO_EXPECT`].
    #[inline]
    pub(crate) fn push_activation(&mut self, callee: Value, word: &str, expect: u32) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(self.not_a_continuation(word, callee));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope, name) = (closure.code.clone(), closure.scope, closure.name);
        let env = self.activation_env(&code, scope)?;
        if let Err(err) = self.task.push_activation(code, 0, env, name, expect, &self.limits) {
            self.release_locals(env);
            return Err(err);
        }
        Ok(())
    }

    /// `&` of a value the common way: a block that keeps no variables runs in the scope it
    /// captured, so calling it is pushing a frame. Returns `Ok(false)` (having done
    /// nothing) for anything else, which [`Vm::push_activation`] handles.
    #[inline(always)]
    pub(crate) fn enter_plain(&mut self, callee: Value) -> Result<bool, Error> {
        let Value::Cont(h) = callee else { return Ok(false) };
        let Ok(closure) = self.reg.closure(h) else { return Ok(false) };
        if closure.code.needs_locals {
            return Ok(false);
        }
        let env = Env::of_captured(closure.scope);
        let (code, name) = (closure.code.clone(), closure.name);
        self.task.push_activation(code, 0, env, name, Frame::NO_EXPECT, &self.limits)?;
        Ok(true)
    }

    /// Runs continuation `block` inline: in its own captured scope, as part of the current
    /// activation.
    pub(crate) fn push_inline(&mut self, block: Value, word: &str) -> Result<(), Error> {
        let Value::Cont(h) = block else {
            return Err(self.not_a_continuation(word, block));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope) = (closure.code.clone(), closure.scope);
        self.push_inline_frame(code, Env::of_captured(scope))
    }

    /// Pushes an inline frame running `code` in `env`, as part of the current activation.
    pub(crate) fn push_inline_frame(&mut self, code: Rc<Block>, env: Env) -> Result<(), Error> {
        self.task.push_inline(code, env, &self.limits)
    }

    /// Gives back the locals of an activation that could not start.
    fn release_locals(&mut self, env: Env) {
        if let Env::Locals { base, .. } = env {
            self.task.locals.truncate(base as usize);
        }
    }

    /// Removes every entry belonging to frame `frame` or above.
    pub(crate) fn drop_entries_from(&mut self, frame: usize) {
        while self.task.entries.last().is_some_and(|e| e.frame as usize >= frame) {
            if let Some(Entry { kind: EntryKind::Mark { floor }, .. }) = self.task.entries.pop() {
                self.task.floor = floor as usize;
            }
        }
    }

    /// Ends activation `index` and everything above it, checking its result count.
    fn finish_activation(&mut self, index: usize) -> Result<(), Error> {
        let expect = self.task.frames[index].expect;
        if expect != Frame::NO_EXPECT && self.task.stack.len() != expect as usize {
            let left = self.task.stack.len() as i64 - (expect as i64 - 1);
            let name =
                self.task.frames[index].name.map_or("<anonymous>".to_string(), |n| self.reg.name_text(n).to_string());
            return Err(Error::new(
                ErrorKind::Arity,
                format!("function '{name}' must leave exactly one value, but left {left}"),
            ));
        }
        self.drop_entries_from(index);
        self.task.truncate_frames(index);
        Ok(())
    }

    /// The end of a block: leave an inline frame, or return from an activation.
    #[inline]
    pub(crate) fn end(&mut self) -> Result<(), Error> {
        if self.leave_plain() {
            return Ok(());
        }
        let top = self.task.frames.len() - 1;
        if self.task.frames[top].kind == FrameKind::Inline {
            self.task.frames.pop();
            return Ok(());
        }
        self.finish_activation(top)
    }

    /// The common return, taken by the executor's inline arm and by [`Vm::end`]: the top
    /// frame is an activation with the right number of results and no entries left
    /// behind, so ending it is releasing its locals and popping it. Returns whether it did
    /// (if not, nothing changed).
    #[inline(always)]
    pub(crate) fn leave_plain(&mut self) -> bool {
        let top = self.task.frames.len() - 1;
        let frame = &self.task.frames[top];
        let plain = frame.kind == FrameKind::Activation
            && (frame.expect == Frame::NO_EXPECT || frame.expect as usize == self.task.stack.len())
            && self.task.entries.last().is_none_or(|e| (e.frame as usize) < top);
        if plain {
            if let Env::Locals { base, .. } = frame.env {
                self.task.locals.truncate(base as usize);
            }
            // (`truncate` drops the frame where it is; `pop` would copy it out first.)
            self.task.frames.truncate(top);
        }
        plain
    }

    /// `...`: end the current activation now.
    #[inline(never)]
    pub(crate) fn return_(&mut self) -> Result<(), Error> {
        let activation = self.task.frames.last().map_or(0, |f| f.activation) as usize;
        self.finish_activation(activation)
    }

    /// `!`: replace the current activation by a new activation of `callee`.
    #[inline(never)]
    pub(crate) fn tail_call(&mut self, callee: Value) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(self.not_a_continuation("!", callee));
        };
        let closure = self.reg.closure(h)?;
        let (code, scope, name) = (closure.code.clone(), closure.scope, closure.name);
        let index = self.task.frames.last().map_or(0, |f| f.activation) as usize;
        self.drop_entries_from(index);
        // Pop the inline frames above the activation and release its locals.
        self.task.truncate_frames(index + 1);
        if let Env::Locals { base, .. } = self.task.frames[index].env {
            self.task.locals.truncate(base as usize);
        }
        let env = self.activation_env(&code, scope)?;
        let frame = &mut self.task.frames[index];
        frame.code = code;
        frame.ip = 0;
        frame.env = env;
        frame.name = name;
        Ok(())
    }

    // ---- function calls ----------------------------------------------------------------

    /// The name a function is known by, for messages.
    pub(crate) fn function_name(&self, callee: Value) -> String {
        let name = match callee {
            Value::Cont(h) => self.reg.closure(h).ok().and_then(|c| c.name),
            _ => None,
        };
        name.map_or_else(|| "<anonymous>".to_string(), |n| self.reg.name_text(n).to_string())
    }

    /// Checks that `callee` can be called as a function with `argc` arguments.
    pub(crate) fn check_call(&self, word: &str, callee: Value, argc: usize) -> Result<(), Error> {
        let Value::Cont(h) = callee else {
            return Err(Error::type_error(format!(
                "'{word}': cannot call {}",
                registry::a_type(self.type_name(callee))
            )));
        };
        if let Some(arity) = self.reg.closure(h)?.arity
            && arity as usize != argc
        {
            let plural = if arity == 1 { "" } else { "s" };
            return Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "function '{}' takes {arity} argument{plural} but was given {argc}",
                    self.function_name(callee)
                ),
            ));
        }
        Ok(())
    }

    /// `call`: calls `callee` with the `argc` values on top of the stack as its arguments.
    /// It must leave exactly one value in their place.
    #[inline(never)]
    pub(crate) fn call_function(&mut self, callee: Value, argc: usize) -> Result<(), Error> {
        self.check_call("call", callee, argc)?;
        self.task.need(argc, "call")?;
        let expect = self.task.stack.len() - argc + 1;
        self.push_activation(callee, "call", expect as u32)
    }

    /// `n roll n swap` (fused): the function below its n arguments comes to the top, with
    /// the count under it.
    #[inline(never)]
    pub(crate) fn callee_up(&mut self, argc: usize) -> Result<Value, Error> {
        self.task.need(argc + 1, "call")?;
        let callee = self.task.stack.remove(self.task.stack.len() - argc - 1);
        Ok(callee)
    }

    /// `call` with its operands on the stack.
    #[inline(never)]
    pub(crate) fn call_word(&mut self) -> Result<(), Error> {
        let (n, callee) = self.task.pop2("call")?;
        let argc = match n {
            Value::Int(n) if n >= 0 => n as usize,
            other => {
                return Err(Error::type_error(format!(
                    "'call' expects a non-negative int argument count, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        self.call_function(callee, argc)
    }

    /// Calls a function the common way, if it is one: a continuation whose block needs no
    /// heap scope, with the right arity and enough arguments, within the depth limit.
    /// Returns `false` (having done nothing) otherwise, for the general path.
    ///
    /// When the block opens with a prologue that declares exactly its `argc` parameters,
    /// the arguments move straight from the data stack to the new activation's locals and
    /// the activation starts after the prologue. (Not for continuations as arguments: the
    /// prologue's `let` gives an unnamed one its parameter's name.)
    ///
    /// With `one_result`, returning checks that the call left exactly one value (a call
    /// expression); without, the caller checks what it left (the calls of `map` and its
    /// kin, whose errors name the word).
    #[inline(always)]
    pub(crate) fn enter_function_fast(&mut self, callee: Value, argc: usize, one_result: bool) -> bool {
        let Value::Cont(h) = callee else { return false };
        let Ok(closure) = self.reg.closure(h) else { return false };
        let code = &closure.code;
        let task = &mut self.task;
        let Some(caller) = task.frames.last() else { return false };
        let depth = caller.depth + 1;
        let stack_len = task.stack.len();
        let slots = code.locals.len();
        if code.needs_heap_scope
            || closure.arity.is_some_and(|a| a as usize != argc)
            || stack_len < task.floor + argc
            || depth as usize > self.limits.max_depth
            || task.frames.len() == task.frames.capacity()
            || task.locals.capacity() - task.locals.len() < slots
        {
            return false;
        }
        // The result replaces the arguments, wherever they went.
        let expect = if one_result { (stack_len - argc + 1) as u32 } else { Frame::NO_EXPECT };
        let activation = task.frames.len() as u32;
        // Each branch pushes its own frame, so that its `env` is made where it is written
        // (merged from both branches, it would be assembled on the machine stack first).
        macro_rules! push {
            ($ip:expr, $env:expr) => {
                let frame = Frame {
                    code: code.clone(),
                    ip: $ip,
                    env: $env,
                    kind: FrameKind::Activation,
                    activation,
                    depth,
                    name: closure.name,
                    expect,
                };
                // SAFETY: the frames' capacity was checked above to have room.
                unsafe { task.push_frame_in_room(frame) }
            };
        }
        if !code.needs_locals {
            push!(0, Env::of_captured(closure.scope));
            return true;
        }
        let base = task.locals.len();
        let args = &task.stack[stack_len - argc..];
        let bind = code.prologue as usize == argc && argc > 0 && !args.iter().any(|v| matches!(v, Value::Cont(_)));
        let bound = if bind { argc } else { 0 };
        // SAFETY: the capacity was checked above to hold `slots` more entries, and each of
        // them is written before the length takes them in. `bound <= argc == args.len()`
        // and `bound <= slots == code.locals.len()` (the prologue is within the slots), so
        // every read is in bounds.
        unsafe {
            let free = task.locals.as_mut_ptr().add(base);
            let names = code.locals.as_ptr();
            // The prologue binds the last argument first: slot i holds argument argc-1-i.
            // (Each entry is written field by field, straight into its place.)
            for slot in 0..slots {
                let value = if slot < bound { Some(*args.get_unchecked(argc - 1 - slot)) } else { None };
                let entry = free.add(slot);
                (&raw mut (*entry).0).write(*names.add(slot));
                (&raw mut (*entry).1).write(value);
            }
            task.locals.set_len(base + slots);
        }
        if bind {
            task.stack.truncate(stack_len - argc);
        }
        push!(bound as u32, Env::Locals { base: base as u32, parent: closure.scope });
        true
    }
}
