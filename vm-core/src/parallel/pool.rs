//! The pool of worker VMs behind `par_map` and `par_reduce` (SPEC §6.3): one thread per
//! core, each with a VM and a heap of its own, started on first use and shared by every VM
//! of the process. A job's pieces go into a global injector; each worker takes batches into
//! its own deque and, when both are empty, steals from the others (crossbeam-deque). The
//! worker that finishes a job's last piece completes the job's future in the calling VM.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Stealer, Worker};
use registry::{Rooted, Value};

use super::portable::{Exporter, Portable};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::sched::Completer;
use crate::vm::Vm;

/// What a job computes from its pieces.
pub(crate) enum JobKind {
    /// Each piece is one element; its result is `f(element)`.
    Map,
    /// Each piece is a run of elements folded from `init`; the partial results are folded
    /// the same way once all are in.
    Reduce { init: Portable },
}

/// The limits a job's calls run under in a worker: the caller's, with what was left of its
/// fuel and its deadline when the job started.
#[derive(Clone)]
pub(crate) struct JobLimits {
    pub fuel: Option<u64>,
    pub deadline: Option<Instant>,
    pub max_heap: Option<usize>,
}

/// One `par_map` or `par_reduce` call.
pub(crate) struct Job {
    id: u64,
    kind: JobKind,
    word: &'static str,
    /// The function, as the graph's only root.
    function: Portable,
    limits: JobLimits,
    /// The caller's fuel left, shared by the pieces (each runs with what is left when it
    /// starts, so the job overshoots by at most what the pieces running at once use), and
    /// the fuel used, charged to the caller when the job completes.
    fuel_left: Option<AtomicU64>,
    fuel_used: AtomicU64,
    /// The index of the earliest piece known to have failed (`usize::MAX` while none has):
    /// the pieces after it not started yet are skipped, but the ones before it still run,
    /// because the error raised is the earliest element's whichever worker finishes first.
    first_failure: AtomicUsize,
    state: Mutex<JobState>,
}

struct JobState {
    /// Each piece's result, by piece index.
    results: Vec<Option<Portable>>,
    /// The failure of the earliest piece that failed.
    failure: Option<(usize, Failure)>,
    remaining: usize,
    completer: Option<Completer>,
}

/// An error from a worker, in a form that crosses threads: a limit as it is (it stops the
/// caller too), any other error as the error map a `try` would catch in the worker, so
/// its kind, message, trace and thrown value all arrive.
enum Failure {
    Limit(String),
    Raised(Portable),
    /// The error map could not be copied (it holds something that cannot cross).
    Plain(ErrorKind, String),
}

impl Failure {
    fn of(vm: &mut Vm, error: &Error) -> Failure {
        if error.kind() == ErrorKind::Limit {
            return Failure::Limit(error.message().to_string());
        }
        let map = vm.error_value(error);
        let mut out = Exporter::new(vm, "par_map");
        match out.root(map, "the error") {
            Ok(()) => Failure::Raised(out.finish()),
            Err(_) => Failure::Plain(error.kind(), error.message().to_string()),
        }
    }

    /// The error in the caller's VM.
    fn into_error(self, vm: &mut Vm) -> Error {
        match self {
            Failure::Limit(message) => Error::limit(message),
            Failure::Plain(kind, message) => Error::new(kind, message),
            Failure::Raised(map) => match map.import(vm, false) {
                Ok(values) => vm.task_error_of(values[0]),
                Err(error) => error,
            },
        }
    }
}

/// A piece of a job: its index and its input (one element for a map, a run of elements
/// for a reduce), as the graph's roots.
struct Piece {
    job: Arc<Job>,
    index: usize,
    input: Portable,
}

/// The process's pool of workers.
pub(crate) struct Pool {
    injector: Injector<Piece>,
    stealers: Vec<Stealer<Piece>>,
    /// Workers sleep on `wake` when they find nothing to do; `pending` counts submissions so
    /// that one made between a worker's last look and its sleep is not missed.
    pending: Mutex<u64>,
    wake: Condvar,
    next_job: std::sync::atomic::AtomicU64,
}

static POOL: OnceLock<Arc<Pool>> = OnceLock::new();

/// How many workers the pool has (or will have): one per core.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The pool, started on first use.
fn pool() -> &'static Arc<Pool> {
    POOL.get_or_init(|| {
        let workers: Vec<Worker<Piece>> = (0..cores()).map(|_| Worker::new_fifo()).collect();
        let pool = Arc::new(Pool {
            injector: Injector::new(),
            stealers: workers.iter().map(Worker::stealer).collect(),
            pending: Mutex::new(0),
            wake: Condvar::new(),
            next_job: Default::default(),
        });
        for (n, local) in workers.into_iter().enumerate() {
            let pool = pool.clone();
            // A worker that cannot start leaves the others to do the work.
            let _ =
                std::thread::Builder::new().name(format!("kai-worker-{n}")).spawn(move || run_worker(&pool, &local));
        }
        pool
    })
}

/// Starts a job: `inputs` are its pieces' inputs; `completer` is completed with the
/// result (built in the caller's VM) once every piece is done.
pub(crate) fn submit(
    kind: JobKind,
    word: &'static str,
    function: Portable,
    inputs: Vec<Portable>,
    limits: JobLimits,
    completer: Completer,
) {
    let pool = pool();
    let id = pool.next_job.fetch_add(1, Ordering::Relaxed);
    let job = Arc::new(Job {
        id,
        kind,
        word,
        function,
        fuel_left: limits.fuel.map(AtomicU64::new),
        fuel_used: AtomicU64::new(0),
        limits,
        first_failure: AtomicUsize::new(usize::MAX),
        state: Mutex::new(JobState {
            results: (0..inputs.len()).map(|_| None).collect(),
            failure: None,
            remaining: inputs.len(),
            completer: Some(completer),
        }),
    });
    for (index, input) in inputs.into_iter().enumerate() {
        pool.injector.push(Piece { job: job.clone(), index, input });
    }
    *pool.pending.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    pool.wake.notify_all();
}

/// A worker's life: find a piece, run it, repeat; sleep when there is nothing to do.
fn run_worker(pool: &Pool, local: &Worker<Piece>) {
    let mut vm = Vm::new();
    vm.worker = true;
    let mut worker = WorkerVm { vm, function: None };
    loop {
        let seen = *pool.pending.lock().unwrap_or_else(|e| e.into_inner());
        match find_piece(pool, local) {
            Some(piece) => worker.run(piece),
            None => {
                let pending = pool.pending.lock().unwrap_or_else(|e| e.into_inner());
                if *pending == seen {
                    // Bounded, so that a wake-up lost to a race costs a moment, not a hang.
                    let _ = pool.wake.wait_timeout(pending, Duration::from_millis(100));
                }
            }
        }
    }
}

fn find_piece(pool: &Pool, local: &Worker<Piece>) -> Option<Piece> {
    local.pop().or_else(|| {
        std::iter::repeat_with(|| {
            pool.injector.steal_batch_and_pop(local).or_else(|| pool.stealers.iter().map(Stealer::steal).collect())
        })
        .find(|steal| !steal.is_retry())
        .and_then(|steal| steal.success())
    })
}

/// A worker's VM and the function of the job it last ran (copied in once per job).
struct WorkerVm {
    vm: Vm,
    function: Option<(u64, Rooted)>,
}

impl WorkerVm {
    fn run(&mut self, piece: Piece) {
        let job = piece.job.clone();
        // Once a piece has failed, the later pieces not started yet are skipped.
        let outcome = (piece.index < job.first_failure.load(Ordering::Relaxed))
            .then(|| self.compute(&job, &piece).map_err(|error| Failure::of(&mut self.vm, &error)));
        self.vm.clear_stack();
        let finished = {
            let mut state = job.state.lock().unwrap_or_else(|e| e.into_inner());
            match outcome {
                Some(Ok(value)) => state.results[piece.index] = Some(value),
                Some(Err(failure)) => {
                    job.first_failure.fetch_min(piece.index, Ordering::Relaxed);
                    if state.failure.as_ref().is_none_or(|(at, _)| piece.index < *at) {
                        state.failure = Some((piece.index, failure));
                    }
                }
                None => {}
            }
            state.remaining -= 1;
            state.remaining == 0
        };
        if finished {
            self.finish(&job);
        }
    }

    /// The job's function in this worker's VM, copied in the first time.
    fn function(&mut self, job: &Job) -> Result<Value, Error> {
        if let Some((id, f)) = &self.function
            && *id == job.id
        {
            return Ok(f.get());
        }
        // A job sees the globals its function carries, none left by an earlier job.
        self.function = None;
        self.vm.reg.globals = Default::default();
        let f = job.function.import(&mut self.vm, true)?[0];
        let rooted = self.vm.root(f);
        self.function = Some((job.id, rooted));
        Ok(f)
    }

    fn set_limits(&mut self, job: &Job) -> Result<(), Error> {
        let limits = &job.limits;
        let fuel = job.fuel_left.as_ref().map(|left| left.load(Ordering::Relaxed));
        if fuel == Some(0) {
            return Err(Error::limit("fuel exhausted: the run used its operations"));
        }
        let deadline = match limits.deadline {
            Some(at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Err(Error::limit("deadline exceeded")),
            },
            None => None,
        };
        self.vm.set_limits(Limits { fuel, max_heap: limits.max_heap, deadline, ..Limits::new() });
        Ok(())
    }

    /// Takes what the last call used from the job's fuel.
    fn charge(&self, job: &Job) {
        if let (Some(left), Some(given)) = (&job.fuel_left, self.vm.limits().fuel) {
            let used = given - self.vm.run.fuel_left.unwrap_or(0).min(given);
            let _ = left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| Some(f.saturating_sub(used)));
            job.fuel_used.fetch_add(used, Ordering::Relaxed);
        }
    }

    /// One piece's result, copied out of the worker's VM.
    fn compute(&mut self, job: &Job, piece: &Piece) -> Result<Portable, Error> {
        self.set_limits(job)?;
        let result = self.compute_within_limits(job, piece);
        self.charge(job);
        result
    }

    fn compute_within_limits(&mut self, job: &Job, piece: &Piece) -> Result<Portable, Error> {
        let f = self.function(job)?;
        let inputs = piece.input.import(&mut self.vm, true)?;
        // Rooted, as importing `init` may load code, which may collect.
        let _kept: Vec<Rooted> = inputs.iter().map(|&v| self.vm.root(v)).collect();
        let result = match &job.kind {
            JobKind::Map => self.call(job.word, f, &inputs)?,
            JobKind::Reduce { init } => {
                let init = init.import(&mut self.vm, true)?[0];
                self.fold(job.word, f, init, inputs)?
            }
        };
        let mut out = Exporter::new(&self.vm, job.word);
        out.root(result, "a result")?;
        Ok(out.finish())
    }

    /// `f(args…)`, which must leave exactly one value.
    fn call(&mut self, word: &str, f: Value, args: &[Value]) -> Result<Value, Error> {
        let results = self.vm.call_value(f, args)?;
        match results[..] {
            [value] => Ok(value),
            _ => Err(Error::new(
                ErrorKind::Arity,
                format!("'{word}': the function must leave one value, it left {}", results.len()),
            )),
        }
    }

    /// `f(…f(f(init, x0), x1)…, xn)`. Between calls the accumulator is only in Rust
    /// hands; nothing collects there (a call roots its arguments on the stack first).
    fn fold(&mut self, word: &str, f: Value, init: Value, items: Vec<Value>) -> Result<Value, Error> {
        let array = self.vm.new_array(items.clone());
        let keep = self.vm.root(array);
        let mut acc = init;
        for item in items {
            acc = self.call(word, f, &[acc, item])?;
        }
        drop(keep);
        Ok(acc)
    }

    /// Every piece is done: completes the job's future in the caller's VM.
    fn finish(&mut self, job: &Job) {
        let (results, failure, completer) = {
            let mut state = job.state.lock().unwrap_or_else(|e| e.into_inner());
            (std::mem::take(&mut state.results), state.failure.take(), state.completer.take())
        };
        let Some(completer) = completer else { return };
        let used = job.fuel_used.load(Ordering::Relaxed);
        if let Some((_, failure)) = failure {
            completer.complete(move |vm| {
                vm.run.charge_external(used);
                Err(failure.into_error(vm))
            });
            return;
        }
        let results: Vec<Portable> = results.into_iter().map(|r| r.expect("every piece has a result")).collect();
        match &job.kind {
            JobKind::Map => completer.complete(move |vm| {
                vm.run.charge_external(used);
                // Each result is rooted as it arrives: loading the code of a later one
                // may collect.
                let mut kept = Vec::with_capacity(results.len());
                for result in &results {
                    let value = result.import(vm, false)?[0];
                    kept.push(vm.root(value));
                }
                let items = kept.iter().map(Rooted::get).collect();
                Ok(vm.new_array(items))
            }),
            JobKind::Reduce { init } => {
                let total = self.fold_partials(job, init, &results).map_err(|e| Failure::of(&mut self.vm, &e));
                self.charge(job);
                let used = job.fuel_used.load(Ordering::Relaxed);
                self.vm.clear_stack();
                match total {
                    Ok(total) => completer.complete(move |vm| {
                        vm.run.charge_external(used);
                        Ok(total.import(vm, false)?[0])
                    }),
                    Err(failure) => completer.complete(move |vm| {
                        vm.run.charge_external(used);
                        Err(failure.into_error(vm))
                    }),
                }
            }
        }
    }

    /// The partial results of a reduce, folded in order from `init`.
    fn fold_partials(&mut self, job: &Job, init: &Portable, partials: &[Portable]) -> Result<Portable, Error> {
        self.set_limits(job)?;
        let f = self.function(job)?;
        let init = init.import(&mut self.vm, true)?[0];
        let keep_init = self.vm.root(init);
        let mut kept = Vec::with_capacity(partials.len());
        for partial in partials {
            let value = partial.import(&mut self.vm, false)?[0];
            kept.push(self.vm.root(value));
        }
        let items = kept.iter().map(Rooted::get).collect();
        let total = self.fold(job.word, f, keep_init.get(), items)?;
        let mut out = Exporter::new(&self.vm, job.word);
        out.root(total, "the result")?;
        Ok(out.finish())
    }
}
