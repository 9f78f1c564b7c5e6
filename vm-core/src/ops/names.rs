//! Names and scopes: looking words up, `#` (assign), `let`, `=`, `@`, `exists`, `forget`,
//! and making closures that capture the current scope.

use registry::{Closure, Name, Value};

use crate::code::Block;
use crate::error::{Error, ErrorKind};
use crate::frame::Env;
use crate::vm::Vm;

/// Where an existing binding lives.
enum Binding {
    Local(usize),
    Scope(gc::Handle),
    Global,
}

impl Vm {
    /// The value `name` is bound to, searching from `env` outward to the globals.
    #[inline]
    pub(crate) fn lookup(&self, env: Env, name: Name) -> Option<Value> {
        let mut scope = match env {
            Env::Global => return self.reg.globals.get(name),
            Env::Scope(h) => Some(h),
            Env::Locals { base, parent } => {
                let locals = self.task.locals.get(base as usize..).unwrap_or(&[]);
                if let Some(&(_, Some(value))) = locals.iter().rev().find(|(n, _)| *n == name) {
                    return Some(value);
                }
                parent
            }
        };
        while let Some(h) = scope {
            let s = self.reg.scope(h).ok()?;
            if let Some(value) = s.get(name) {
                return Some(value);
            }
            scope = s.parent;
        }
        self.reg.globals.get(name)
    }

    fn find_binding(&self, env: Env, name: Name) -> Option<Binding> {
        let mut scope = match env {
            Env::Global => None,
            Env::Scope(h) => Some(h),
            Env::Locals { base, parent } => {
                let base = base as usize;
                let locals = self.task.locals.get(base..).unwrap_or(&[]);
                if let Some(i) = locals.iter().rposition(|(n, v)| *n == name && v.is_some()) {
                    return Some(Binding::Local(base + i));
                }
                parent
            }
        };
        while let Some(h) = scope {
            let s = self.reg.scope(h).ok()?;
            if s.get(name).is_some() {
                return Some(Binding::Scope(h));
            }
            scope = s.parent;
        }
        self.reg.globals.get(name).map(|_| Binding::Global)
    }

    #[cold]
    fn undefined(&self, name: Name) -> Error {
        Error::new(ErrorKind::Undefined, format!("undefined name '{}'", self.reg.name_text(name)))
    }

    /// A word that is not built in: push the value it is bound to.
    #[inline]
    pub(crate) fn load_variable(&self, env: Env, name: Name) -> Result<Value, Error> {
        if let Env::Global = env
            && let Some(value) = self.reg.globals.get(name)
        {
            return Ok(value);
        }
        self.load_slow(env, name)
    }

    #[inline(never)]
    fn load_slow(&self, env: Env, name: Name) -> Result<Value, Error> {
        self.lookup(env, name).ok_or_else(|| self.undefined(name))
    }

    /// Gives an unnamed continuation the name it is being stored under, for traces.
    fn name_closure(&mut self, value: Value, name: Name) {
        if let Value::Cont(h) = value
            && self.reg.closure(h).is_ok_and(|c| c.name.is_none())
        {
            let _ = self.reg.closure_name(h, name);
        }
    }

    /// Binds `name` in the scope of `env` itself.
    fn declare(&mut self, env: Env, name: Name, value: Value) -> Result<(), Error> {
        self.name_closure(value, name);
        match env {
            Env::Global => self.reg.globals.set(name, value),
            Env::Scope(h) => self.reg.scope_declare(h, name, value)?,
            Env::Locals { base, .. } => {
                let base = base as usize;
                // The name's entry, bound or reserved, if the activation has one.
                match self.task.locals[base..].iter_mut().rev().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = Some(value),
                    None => self.task.push_local(name, value)?,
                }
            }
        }
        Ok(())
    }

    /// Updates the nearest binding of `name`, or creates one in the scope of `env`.
    fn assign(&mut self, env: Env, name: Name, value: Value) -> Result<(), Error> {
        match self.find_binding(env, name) {
            Some(Binding::Local(i)) => {
                self.name_closure(value, name);
                self.task.locals[i].1 = Some(value);
            }
            Some(Binding::Scope(h)) => {
                self.name_closure(value, name);
                self.reg.scope_declare(h, name, value)?;
            }
            Some(Binding::Global) => {
                self.name_closure(value, name);
                self.reg.globals.set(name, value);
            }
            None => self.declare(env, name, value)?,
        }
        Ok(())
    }

    fn pop_name(&mut self, word: &str) -> Result<Name, Error> {
        match self.task.pop(word)? {
            Value::Name(name) => Ok(name),
            other => Err(Error::type_error(format!(
                "'{word}' expects a quoted name such as 'x, got {}",
                self.type_name(other)
            ))),
        }
    }

    /// Pops a name that may be bound (not a built-in word or native).
    fn pop_bindable(&mut self, word: &str) -> Result<Name, Error> {
        let name = self.pop_name(word)?;
        self.check_not_reserved(name)?;
        Ok(name)
    }

    #[inline(never)]
    pub(crate) fn store(&mut self, env: Env) -> Result<(), Error> {
        let name = self.pop_bindable("#")?;
        let value = self.task.pop("#")?;
        self.assign(env, name, value)
    }

    #[inline(never)]
    pub(crate) fn store_to(&mut self, env: Env, name: Name) -> Result<(), Error> {
        let value = self.task.pop("#")?;
        self.assign(env, name, value)
    }

    #[inline(never)]
    pub(crate) fn let_(&mut self, env: Env) -> Result<(), Error> {
        let name = self.pop_bindable("let")?;
        let value = self.task.pop("let")?;
        self.declare(env, name, value)
    }

    #[inline(never)]
    pub(crate) fn let_to(&mut self, env: Env, name: Name) -> Result<(), Error> {
        let value = self.task.pop("let")?;
        self.declare(env, name, value)
    }

    #[inline(never)]
    pub(crate) fn bind(&mut self, env: Env) -> Result<(), Error> {
        let value = self.task.pop("=")?;
        let name = self.pop_bindable("=")?;
        self.declare(env, name, value)
    }

    #[inline(never)]
    pub(crate) fn fetch(&mut self, env: Env) -> Result<(), Error> {
        let name = self.pop_name("@")?;
        let value = self.load_variable(env, name)?;
        self.task.push(value);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn exists(&mut self, env: Env) -> Result<(), Error> {
        let name = self.pop_name("exists")?;
        let bound = self.lookup(env, name).is_some();
        self.task.push(Value::Bool(bound));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn forget(&mut self, env: Env) -> Result<(), Error> {
        let name = self.pop_name("forget")?;
        match self.find_binding(env, name) {
            // Unbound in place: the entries above keep their places (slots index them).
            Some(Binding::Local(i)) => self.task.locals[i].1 = None,
            Some(Binding::Scope(h)) => {
                self.reg.scope_remove(h, name)?;
            }
            Some(Binding::Global) => {
                self.reg.globals.remove(name);
            }
            None => return Err(self.undefined(name)),
        }
        Ok(())
    }

    /// `{ … }`: a closure of nested block `index`, capturing the scope of `env`.
    #[inline(never)]
    pub(crate) fn closure(&mut self, code: &Block, index: u32, env: Env) {
        let block = code.children[index as usize].clone();
        let value = self.reg.new_closure(Closure { code: block, scope: env.captured(), name: None, arity: None });
        self.task.push(value);
    }
}
