//! Tau for Rho and Pi programs: native functions, installed in a VM by [`install`], that
//! generated Rho code calls (`tau_connect`, `tau_call`, `tau_listen`, …). The network side
//! runs on a tokio runtime on a helper thread; results come back to the VM as completions of
//! external futures (`Vm::external_future`), so a calling task waits while others run.
//!
//! - `values`: Kai values to wire values and back, by the interface's types.
//! - `proxy`: connecting, calls, properties, events.
//! - `agent`: listening, requests handed to the program one at a time, replies, events.
//! - `remote`: remote continuations, and the node that runs them (`kai serve`).

mod agent;
mod proxy;
mod remote;
mod values;

pub use remote::{RemoteNode, serve_remote};

use std::sync::{Arc, OnceLock};

use vm_core::{Error, ErrorKind, NativeObject, Value, Vm};

use crate::model::{InterfaceDef, Model};

/// The runtime the network side of every VM in the process runs on. One worker thread:
/// the network side only moves frames between the sockets and the VM's thread (which
/// writes its own calls and replies, and runs remote continuations on blocking threads);
/// a second worker only competed with the VM for the cores (Rho round trips, p99 about
/// 15 % longer with two).
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kai-tau")
            .enable_all()
            .build()
            .expect("the Tau network runtime starts")
    })
}

/// One interface of a loaded Tau file, as generated code holds it.
pub(crate) struct InterfaceObject {
    pub model: Arc<Model>,
    pub index: usize,
}

impl InterfaceObject {
    pub(crate) fn def(&self) -> &InterfaceDef {
        &self.model.interfaces[self.index]
    }
}

impl NativeObject for InterfaceObject {
    fn type_name(&self) -> &str {
        "tau-interface"
    }

    fn display(&self) -> String {
        format!("<tau-interface {}>", self.def().name)
    }
}

/// Installs the Tau natives in `vm`.
///
/// # Errors
/// If a native of the same name is installed already.
pub fn install(vm: &mut Vm) -> Result<(), Error> {
    vm.register_native("tau_interface", 2, tau_interface)?;
    proxy::install(vm)?;
    agent::install(vm)?;
    remote::install(vm)
}

/// `tau_interface(source, name)`: the interface `name` of the Tau text `source`.
fn tau_interface(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let source = text(vm, args[0], "tau_interface", "source")?;
    let name = text(vm, args[1], "tau_interface", "name")?;
    let model = crate::load("<generated>", &source)?;
    let index =
        model.interfaces.iter().position(|i| i.name.to_string() == name).ok_or_else(|| {
            Error::new(ErrorKind::Undefined, format!("tau_interface: no interface {name} in the source"))
        })?;
    Ok(vm.new_native(Box::new(InterfaceObject { model: Arc::new(model), index })))
}

/// Argument `args[i]` as a string.
pub(crate) fn text(vm: &Vm, value: Value, word: &str, what: &str) -> Result<String, Error> {
    vm.registry().text(value).map(str::to_string).ok_or_else(|| {
        Error::type_error(format!("{word}: {what} must be a string, got {}", vm.registry().type_name(value)))
    })
}

/// The interface a native object stands for.
pub(crate) fn interface(vm: &Vm, value: Value, word: &str) -> Result<(Arc<Model>, usize), Error> {
    vm.native_ref::<InterfaceObject>(value).map(|i| (i.model.clone(), i.index)).ok_or_else(|| {
        Error::type_error(format!("{word}: expected a tau-interface, got {}", vm.registry().type_name(value)))
    })
}

/// Milliseconds from an int or float argument (`nil` for the default).
pub(crate) fn millis(vm: &Vm, value: Value, word: &str, default: u64) -> Result<std::time::Duration, Error> {
    match value {
        Value::Nil => Ok(std::time::Duration::from_millis(default)),
        Value::Int(ms) if ms > 0 => Ok(std::time::Duration::from_millis(ms as u64)),
        Value::Float(ms) if ms > 0.0 && ms.is_finite() => Ok(std::time::Duration::from_secs_f64(ms / 1000.0)),
        other => Err(Error::type_error(format!(
            "{word}: a timeout must be a positive number of milliseconds, got {}",
            vm.registry().type_name(other)
        ))),
    }
}
