//! Functions as values: `fn`, function literals, and `single` (how Rho gets the value of
//! embedded Pi); and `eval`/`rho`, which compile source and run it inline.

use registry::Value;

use crate::code::Block;
use crate::error::{Error, ErrorKind};
use crate::frame::Env;
use crate::vm::Vm;

impl Vm {
    /// `fn`: a function (a continuation with an arity) made from a continuation.
    #[inline(never)]
    pub(crate) fn make_function(&mut self) -> Result<(), Error> {
        let (k, n) = self.task.pop2("fn")?;
        let Value::Cont(h) = k else { return Err(self.not_a_continuation("fn", k)) };
        let max = registry::Closure::<Block>::MAX_ARITY;
        let arity = match n {
            Value::Int(n) if (0..=i64::from(max)).contains(&n) => n as u16,
            other => {
                return Err(Error::type_error(format!(
                    "'fn' expects an int arity from 0 to {max}, got {}",
                    self.reg.repr(other)
                )));
            }
        };
        let closure = self.reg.closure(h)?;
        let copy = registry::Closure {
            code: closure.code.clone(),
            scope: closure.scope,
            name: closure.name,
            arity: Some(arity),
        };
        let function = self.reg.new_closure(copy);
        self.task.push(function);
        Ok(())
    }

    /// A function literal: nested block `index` with `arity` parameters, capturing `env`.
    #[inline(never)]
    pub(crate) fn function_literal(&mut self, code: &Block, index: u32, arity: u32, env: Env) -> Result<(), Error> {
        let max = registry::Closure::<Block>::MAX_ARITY;
        let Ok(arity) = u16::try_from(arity) else {
            return Err(Error::type_error(format!("a function takes at most {max} parameters, not {arity}")));
        };
        let block = code.children[index as usize].clone();
        let value = self.reg.new_closure(registry::Closure {
            code: block,
            scope: env.captured(),
            name: None,
            arity: Some(arity),
        });
        self.task.push(value);
        Ok(())
    }

    /// `single`: the one element of a one-element array.
    #[inline(never)]
    pub(crate) fn single(&mut self) -> Result<(), Error> {
        let value = self.task.pop("single")?;
        let Value::Array(h) = value else {
            return Err(Error::type_error(format!("'single' expects an array, got {}", self.type_name(value))));
        };
        match self.reg.array(h)?.as_slice() {
            [one] => {
                let one = *one;
                self.task.push(one);
                Ok(())
            }
            // `single` is how Rho's `pi { … }`, `eval(…)` and `rho(…)` get their value.
            items => Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "'single' expected exactly one value but got {} (in Rho: the Pi of `pi {{ }}` and the code \
                     given to eval or rho must leave one value)",
                    items.len()
                ),
            )),
        }
    }

    /// `eval` (`lang` "pi") and `rho`: compile source and run it inline in the current
    /// scope.
    #[inline(never)]
    pub(crate) fn eval_word(&mut self, lang: &str) -> Result<(), Error> {
        let word = if lang == "pi" { "eval" } else { lang };
        let source = self.task.pop(word)?;
        let Some(text) = self.reg.text(source).map(str::to_string) else {
            return Err(Error::type_error(format!("'{word}' expects a string, got {}", self.type_name(source))));
        };
        // Compiling costs about a unit per byte of source.
        self.charge(text.len());
        let code = self.compile_interactive(lang, &format!("<{word}>"), &text)?;
        let env = self.task.frames.last().map_or(Env::Global, |f| f.env);
        self.push_inline_frame(code, env)
    }
}
