//! Parallel work (SPEC §6.3): `par_map` and `par_reduce` run a function over an array on
//! the pool of worker VMs ([`pool`]), copying the array, the function and what it captured
//! in and the results out ([`portable`]). The calling task waits on a future the pool
//! completes, so the VM's other tasks run meanwhile.

mod pool;
mod portable;

use registry::Value;

use crate::error::Error;
use crate::ops::Then;
use crate::vm::Vm;
use pool::{JobKind, JobLimits};
use portable::{Exporter, Portable};

pub(crate) use pool::cores;

/// How many pieces a reduce is cut into per worker: enough for stealing to even out
/// elements of uneven cost, few enough that folding the partial results is cheap.
const REDUCE_PIECES_PER_CORE: usize = 4;

impl Vm {
    /// `par_map ( arr {f} -- arr' )`.
    pub(crate) fn par_map(&mut self) -> Result<Then, Error> {
        self.check_not_worker("par_map")?;
        let f = self.pop_continuation("par_map", 1)?;
        let array = self.pop_array("par_map")?;
        let items = self.reg.array(array)?.clone();
        let function = self.export("par_map", &[f], "the function")?;
        if items.is_empty() {
            let empty = self.reg.new_array(Vec::new());
            self.task.push(empty);
            return Ok(Then::Continue);
        }
        let inputs = items
            .iter()
            .enumerate()
            .map(|(i, &item)| self.export("par_map", &[item], &format!("element {i}")))
            .collect::<Result<Vec<_>, _>>()?;
        self.start_job(JobKind::Map, "par_map", function, inputs)
    }

    /// `par_reduce ( arr init {f} -- acc )`: `f` associative with `init` its identity, so
    /// runs of the array can be folded apart and their results folded together.
    pub(crate) fn par_reduce(&mut self) -> Result<Then, Error> {
        self.check_not_worker("par_reduce")?;
        let f = self.pop_continuation("par_reduce", 2)?;
        let init_value = self.task.pop("par_reduce")?;
        let array = self.pop_array("par_reduce")?;
        let items = self.reg.array(array)?.clone();
        let function = self.export("par_reduce", &[f], "the function")?;
        let init = self.export("par_reduce", &[init_value], "the initial value")?;
        if items.is_empty() {
            self.task.push(init_value);
            return Ok(Then::Continue);
        }
        let per_piece = items.len().div_ceil(cores() * REDUCE_PIECES_PER_CORE);
        let inputs = items
            .chunks(per_piece)
            .enumerate()
            .map(|(n, run)| self.export("par_reduce", run, &format!("an element from {}", n * per_piece)))
            .collect::<Result<Vec<_>, _>>()?;
        self.start_job(JobKind::Reduce { init }, "par_reduce", function, inputs)
    }

    /// Refuses parallel work inside a worker: a worker waiting for pieces that only the
    /// (busy) workers could run would wait forever.
    fn check_not_worker(&self, word: &str) -> Result<(), Error> {
        if self.worker {
            return Err(Error::type_error(format!(
                "'{word}' cannot run inside a function that par_map or par_reduce runs; use the sequential word there"
            )));
        }
        Ok(())
    }

    fn export(&self, word: &'static str, values: &[Value], what: &str) -> Result<Portable, Error> {
        let mut out = Exporter::new(self, word);
        for &value in values {
            out.root(value, what)?;
        }
        Ok(out.finish())
    }

    /// Hands the job to the pool and waits for its future.
    fn start_job(
        &mut self,
        kind: JobKind,
        word: &'static str,
        function: Portable,
        inputs: Vec<Portable>,
    ) -> Result<Then, Error> {
        let limits =
            JobLimits { fuel: self.run.fuel_left, deadline: self.run.deadline, max_heap: self.limits.max_heap };
        let (future, completer) = self.external_future();
        pool::submit(kind, word, function, inputs, limits, completer);
        let Value::Native(future) = future else { unreachable!("a future is a native object") };
        self.await_future(future, None)
    }
}
