//! The handlers of Pi operations, one file per family. Each handler is a method on
//! [`crate::Vm`] named after its [`crate::Op`] variant; fallible handlers return `Result`.

mod apply;
mod arith;
mod collections;
mod compare;
mod containers;
mod convert;
mod driven;
mod errors;
mod files;
mod functions;
mod json;
mod loops;
mod math;
mod modules;
mod names;
mod output;
mod stack;
mod tasks;
mod text;

use registry::Value;

pub(crate) use loops::{Advance, range_iter, step_range, step_times};

use crate::error::Error;
use crate::vm::Vm;
use crate::words::Builtin;

/// What the executor does after a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Then {
    /// Goes on with the next op.
    Continue,
    /// Reloads the top frame: the word changed frames (`eval`).
    Switch,
    /// Runs another task: the word blocked the running one, or ended it.
    Block,
}

impl Vm {
    /// Runs a [`Builtin`] word.
    #[inline(never)]
    pub(crate) fn builtin(&mut self, builtin: Builtin) -> Result<Then, Error> {
        use Builtin as B;
        match builtin {
            B::Type => self.type_of()?,
            B::Str => self.str_of()?,
            B::ToInt => self.int_of()?,
            B::ToFloat => self.float_of()?,
            B::ToBool => self.bool_of()?,
            B::New => self.new_copy()?,
            B::Clone => self.clone_deep()?,
            B::ToArray => self.array_of()?,
            B::Expand => self.expand()?,
            B::Size => self.size()?,
            B::At => self.at()?,
            B::Put => self.put()?,
            B::Push => self.push_word()?,
            B::Pop => self.pop_word()?,
            B::ToMap => self.map_of()?,
            B::Keys => self.keys()?,
            B::Values => self.values()?,
            B::Has => self.has()?,
            B::Remove => self.remove()?,
            B::Slice => self.slice()?,
            B::Reverse => self.reverse()?,
            B::Sort => self.sort()?,
            B::Range => self.range()?,
            B::Split => self.split()?,
            B::Join => self.join()?,
            B::Upper => self.upper()?,
            B::Lower => self.lower()?,
            B::Trim => self.trim()?,
            B::Find => self.find()?,
            B::Chars => self.chars()?,
            B::StartsWith => self.starts_with()?,
            B::EndsWith => self.ends_with()?,
            B::Format => self.format()?,
            B::Eval => {
                self.eval_word("pi")?;
                return Ok(Then::Switch);
            }
            B::Rho => {
                self.eval_word("rho")?;
                return Ok(Then::Switch);
            }
            B::Fn => self.make_function()?,
            B::Single => self.single()?,
            B::ReadFile => self.read_file()?,
            B::Print => self.print()?,
            B::Peek => self.peek()?,
            B::PrintStack => self.print_stack(),
            B::Trace => self.trace_word()?,
            B::Log => self.log()?,
            B::Metric => self.metric()?,
            B::Gc => self.collect_garbage(),
            B::GcStats => self.gc_stats(),
            B::Math(f) => self.math(f)?,
            B::Round(r) => self.round(r)?,
            B::Atan2 => self.math2("atan2", f64::atan2)?,
            B::Hypot => self.math2("hypot", f64::hypot)?,
            B::IsNan => self.float_test("nan?", f64::is_nan)?,
            B::IsFinite => self.float_test("finite?", f64::is_finite)?,
            B::Random => self.random(),
            B::RandomInt => self.random_int()?,
            B::Seed => self.seed()?,
            B::Shuffle => self.shuffle()?,
            B::Choice => self.choice()?,
            B::TryInt => self.try_convert("to_int", Self::int_of)?,
            B::TryFloat => self.try_convert("to_float", Self::float_of)?,
            B::Words => self.words()?,
            B::Lines => self.lines()?,
            B::Replace => self.replace()?,
            B::Repeat => self.repeat()?,
            B::PadLeft => self.pad(true)?,
            B::PadRight => self.pad(false)?,
            B::Ord => self.ord()?,
            B::Chr => self.chr()?,
            B::Get => self.get()?,
            B::RangeStep => self.range_step()?,
            B::Zip => self.zip()?,
            B::Enumerate => self.enumerate()?,
            B::Sum => self.total("sum", 0, i64::checked_add, |a, b| a + b)?,
            B::Product => self.total("product", 1, i64::checked_mul, |a, b| a * b)?,
            B::MinOf => self.extreme("min_of", std::cmp::Ordering::Less)?,
            B::MaxOf => self.extreme("max_of", std::cmp::Ordering::Greater)?,
            B::Flatten => self.flatten()?,
            B::Unique => self.unique()?,
            B::Insert => self.insert()?,
            B::IndexOf => self.index_of()?,
            B::Unpack => self.unpack()?,
            B::Items => self.items()?,
            B::DivMod => self.divmod()?,
            B::WriteFile => self.write_file(false)?,
            B::AppendFile => self.write_file(true)?,
            B::FileExists => self.file_exists()?,
            B::ListDir => self.list_dir()?,
            B::RemoveFile => self.change_path("remove_file", "remove", |p| std::fs::remove_file(p))?,
            B::MakeDir => self.change_path("make_dir", "make the directory", |p| std::fs::create_dir_all(p))?,
            B::RemoveDir => self.change_path("remove_dir", "remove the directory", |p| std::fs::remove_dir(p))?,
            B::TempDir => self.temp_dir()?,
            B::ReadLine => self.read_line()?,
            B::ReadStdin => self.read_stdin()?,
            B::Env => self.env_var()?,
            B::ToJson => self.json_encode(false)?,
            B::ToJsonPretty => self.json_encode(true)?,
            B::FromJson => self.json_decode()?,
            B::Task(word) => return self.task_word(word),
        }
        Ok(Then::Continue)
    }

    /// Calls native function `index` with its arguments from the stack. The arguments stay
    /// on the stack (rooted) while it runs, in case it collects; then its result replaces
    /// them.
    #[inline(never)]
    pub(crate) fn call_native(&mut self, index: u32) -> Result<(), Error> {
        let native = &self.natives[index as usize];
        let (arity, f, name) = (native.arity, native.f.clone(), native.name);
        if self.task.available() < arity {
            let word = self.reg.name_text(name).to_string();
            self.task.need(arity, &word)?;
        }
        let base = self.task.stack.len() - arity;
        let args: smallvec::SmallVec<[Value; 8]> = self.task.stack[base..].iter().copied().collect();
        let result = f(self, &args)?;
        self.task.stack.truncate(base);
        self.task.push(result);
        Ok(())
    }

    /// Kai truthiness (see [`registry::Registry::truthy`]).
    #[inline]
    pub(crate) fn truthy(&self, value: Value) -> bool {
        match value {
            Value::Bool(b) => b,
            other => self.reg.truthy(other),
        }
    }

    /// The type name of a value for error messages.
    pub(crate) fn type_name(&self, value: Value) -> &str {
        self.reg.type_name(value)
    }
}
