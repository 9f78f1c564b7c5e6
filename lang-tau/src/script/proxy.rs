//! The calling side for Rho and Pi: `tau_connect(interface, addr, options)`,
//! `tau_call(proxy, method, args)`, `tau_get(proxy, property)`,
//! `tau_set(proxy, property, value)`, `tau_next_event(proxy)` and `tau_close(proxy)`. Each
//! but the last returns a future, which the generated code awaits (or hands to the
//! program, for the `_async` forms).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use vm_core::{Completer, Error, ErrorKind, Key, NativeObject, Value, Vm};

use super::values::{arguments_to_wire, check, to_kai, to_wire};
use super::{interface, millis, runtime, text};
use crate::model::{Model, Type};
use crate::net::{CallError, Options, Proxy, Sent};
use crate::wire;

/// How many events a proxy keeps for a program that is not reading them; older ones go.
const EVENT_BACKLOG: usize = 1024;

pub(super) fn install(vm: &mut Vm) -> Result<(), Error> {
    vm.register_native("tau_connect", 3, connect)?;
    vm.register_native("tau_call", 3, call)?;
    vm.register_native("tau_get", 2, get)?;
    vm.register_native("tau_set", 3, set)?;
    vm.register_native("tau_next_event", 1, next_event)?;
    vm.register_native("tau_close", 1, close)
}

struct ProxyObject {
    /// `None` once closed.
    proxy: Option<Arc<Proxy>>,
    model: Arc<Model>,
    index: usize,
    events: Arc<Mutex<Events>>,
}

/// Events that arrived and the programs waiting for one.
#[derive(Default)]
struct Events {
    arrived: VecDeque<(String, Vec<wire::Value>)>,
    waiting: VecDeque<Completer>,
}

impl NativeObject for ProxyObject {
    fn type_name(&self) -> &str {
        "tau-proxy"
    }

    fn display(&self) -> String {
        format!("<tau-proxy {}>", self.model.interfaces[self.index].name)
    }
}

fn options(vm: &Vm, value: Value) -> Result<Options, Error> {
    let mut options = Options::default();
    let Value::Map(h) = value else {
        return match value {
            Value::Nil => Ok(options),
            other => Err(Error::type_error(format!(
                "tau_connect: options must be a map, got {}",
                vm.registry().type_name(other)
            ))),
        };
    };
    let map = vm.registry().map(h).map_err(|_| Error::internal("a stale options map"))?.clone();
    for (key, value) in &map {
        match key {
            Key::Str(k) if &**k == "timeout" => options.call_timeout = millis(vm, *value, "tau_connect", 5000)?,
            Key::Str(k) if &**k == "connect_timeout" => {
                options.connect_timeout = millis(vm, *value, "tau_connect", 5000)?;
            }
            Key::Str(k) if &**k == "token" => options.token = Some(text(vm, *value, "tau_connect", "the token")?),
            other => {
                let message = format!("tau_connect: unknown option {other:?} (timeout, connect_timeout, token)");
                return Err(Error::new(ErrorKind::Key, message));
            }
        }
    }
    Ok(options)
}

/// The Kai error a failed call raises.
fn raise(error: CallError) -> Error {
    let kind = match &error {
        CallError::Timeout(_) => ErrorKind::Timeout,
        CallError::Closed(_) => ErrorKind::Closed,
        CallError::Type(_) => ErrorKind::Type,
        CallError::Remote(_) | CallError::Refused(_) => ErrorKind::Remote,
    };
    let mut message = error.to_string();
    if let CallError::Remote(e) = &error
        && !e.trace.is_empty()
    {
        message.push_str(&format!(" (remote trace: {})", e.trace.join(" ← ")));
    }
    Error::new(kind, message)
}

fn connect(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let (model, index) = interface(vm, args[0], "tau_connect")?;
    let addr = text(vm, args[1], "tau_connect", "the address")?;
    let options = options(vm, args[2])?;
    let (future, completer) = vm.external_future();
    runtime().spawn(async move {
        let def = &model.interfaces[index];
        let (name, fingerprint) = (def.name.to_string(), model.fingerprint(def));
        match Proxy::connect(addr.as_str(), &name, &fingerprint, options).await {
            Err(e) => completer.complete(move |_| Err(raise(e))),
            Ok(proxy) => {
                let events = Arc::new(Mutex::new(Events::default()));
                for event in &def.events {
                    let (events, name, model) = (events.clone(), event.name.clone(), model.clone());
                    proxy.on(&event.name, move |args| arrived(&events, name.clone(), args, (model.clone(), index)));
                }
                let proxy = Some(Arc::new(proxy));
                completer.complete(move |vm| Ok(vm.new_native(Box::new(ProxyObject { proxy, model, index, events }))));
            }
        }
    });
    Ok(future)
}

fn arrived(events: &Mutex<Events>, name: String, args: Vec<wire::Value>, interface: (Arc<Model>, usize)) {
    let mut events = events.lock().expect("events lock");
    match events.waiting.pop_front() {
        Some(waiter) => {
            drop(events);
            deliver(waiter, name, args, interface);
        }
        None => {
            if events.arrived.len() == EVENT_BACKLOG {
                events.arrived.pop_front();
            }
            events.arrived.push_back((name, args));
        }
    }
}

/// Resolves a `tau_next_event` future with `[name, [args…]]`, converting the arguments by
/// the event's parameter types (found again on the VM's side, from the proxy).
/// An event whose arguments do not fit its parameters is delivered with `nil` for those.
fn deliver(waiter: Completer, name: String, args: Vec<wire::Value>, (model, index): (Arc<Model>, usize)) {
    waiter.complete(move |vm| {
        let types: Vec<Type> = model.interfaces[index]
            .events
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.params.iter().map(|p| p.ty.clone()).collect())
            .unwrap_or_default();
        let mut items = Vec::with_capacity(args.len());
        for (i, arg) in args.into_iter().enumerate() {
            let ty = types.get(i).cloned().unwrap_or(Type::Void);
            let fits = check(&model, &arg, &ty, "event").is_ok();
            items.push(if fits { to_kai(vm, &model, arg, &ty) } else { Value::Nil });
        }
        let name = vm.new_str(&name);
        let args = vm.new_array(items);
        Ok(vm.new_array(vec![name, args]))
    });
}

/// The proxy object behind `value`, or a type error naming `word`.
fn proxy_of(vm: &Vm, value: Value, word: &str) -> Result<(Arc<Proxy>, Arc<Model>, usize), Error> {
    let Some(object) = vm.native_ref::<ProxyObject>(value) else {
        return Err(Error::type_error(format!("{word}: expected a tau-proxy, got {}", vm.registry().type_name(value))));
    };
    let proxy =
        object.proxy.clone().ok_or_else(|| Error::new(ErrorKind::Closed, format!("{word}: the proxy is closed")))?;
    Ok((proxy, object.model.clone(), object.index))
}

/// A request sent from the VM's thread, or to be sent from the network runtime.
enum Request<S> {
    Sent(Result<Sent, CallError>),
    ToSend(S),
}

/// A future of the reply to the request `send` sends, checked against `result` and
/// converted. A request alone on its connection is sent at once, from the VM's thread: no
/// task switch before it leaves. Among many, it is sent from the network runtime, where
/// the requests of a burst are gathered into few writes.
fn start<S>(vm: &mut Vm, proxy: Arc<Proxy>, model: Arc<Model>, result: Type, what: String, send: S) -> Value
where
    S: FnOnce(&Proxy) -> Result<Sent, CallError> + Send + 'static,
{
    let (future, completer) = vm.external_future();
    let request = if proxy.is_idle() { Request::Sent(send(&proxy)) } else { Request::ToSend(send) };
    runtime().spawn(async move {
        let sent = match request {
            Request::Sent(sent) => sent,
            Request::ToSend(send) => send(&proxy),
        };
        let outcome = match sent {
            Ok(sent) => sent.reply().await,
            Err(e) => Err(e),
        };
        completer.complete(move |vm| {
            let value = outcome.map_err(raise)?;
            check(&model, &value, &result, &format!("the result of {what}")).map_err(Error::type_error)?;
            Ok(to_kai(vm, &model, value, &result))
        });
    });
    future
}

fn call(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let (proxy, model, index) = proxy_of(vm, args[0], "tau_call")?;
    let member = text(vm, args[1], "tau_call", "the method")?;
    let def = &model.interfaces[index];
    let Some(method) = def.methods.iter().find(|m| m.name == member) else {
        return Err(Error::new(ErrorKind::Undefined, format!("{} has no method `{member}`", def.name)));
    };
    let what = format!("{}.{member}", def.name);
    let wire_args = arguments_to_wire(vm, &model, args[2], &method.params, "tau_call", &what)?;
    let result = method.result.clone();
    Ok(start(vm, proxy, model, result, what, move |p| p.send_call(&member, wire_args)))
}

fn property<'m>(model: &'m Model, index: usize, name: &str) -> Result<&'m crate::model::Field, Error> {
    let def = &model.interfaces[index];
    def.properties
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::new(ErrorKind::Undefined, format!("{} has no property `{name}`", def.name)))
}

fn get(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let (proxy, model, index) = proxy_of(vm, args[0], "tau_get")?;
    let name = text(vm, args[1], "tau_get", "the property")?;
    let ty = property(&model, index, &name)?.ty.clone();
    let what = format!("{}.{name}", model.interfaces[index].name);
    Ok(start(vm, proxy, model, ty, what, move |p| p.send_get(&name)))
}

fn set(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let (proxy, model, index) = proxy_of(vm, args[0], "tau_set")?;
    let name = text(vm, args[1], "tau_set", "the property")?;
    let ty = property(&model, index, &name)?.ty.clone();
    let what = format!("{}.{name}", model.interfaces[index].name);
    let value = to_wire(vm, &model, args[2], &ty, &format!("{what}: the value")).map_err(Error::type_error)?;
    Ok(start(vm, proxy, model, Type::Void, what, move |p| p.send_set(&name, value)))
}

fn next_event(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let Some(object) = vm.native_ref::<ProxyObject>(args[0]) else {
        let got = vm.registry().type_name(args[0]);
        return Err(Error::type_error(format!("tau_next_event: expected a tau-proxy, got {got}")));
    };
    if object.proxy.is_none() {
        return Err(Error::new(ErrorKind::Closed, "tau_next_event: the proxy is closed"));
    }
    let (events, model, index) = (object.events.clone(), object.model.clone(), object.index);
    let (future, completer) = vm.external_future();
    let mut queue = events.lock().expect("events lock");
    match queue.arrived.pop_front() {
        Some((name, args)) => {
            drop(queue);
            deliver(completer, name, args, (model, index));
        }
        None => queue.waiting.push_back(completer),
    }
    Ok(future)
}

fn close(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let Value::Native(h) = args[0] else {
        return Err(Error::type_error(format!(
            "tau_close: expected a tau-proxy, got {}",
            vm.registry().type_name(args[0])
        )));
    };
    let object = vm.registry_mut().native_mut(h).map_err(|_| Error::internal("a stale proxy"))?;
    let Some(object) = (object.as_mut() as &mut dyn std::any::Any).downcast_mut::<ProxyObject>() else {
        return Err(Error::type_error("tau_close: expected a tau-proxy"));
    };
    object.proxy = None;
    // Whoever waits for an event learns that none will come (a dropped completer fails
    // its future with a `closed` error).
    let waiting = std::mem::take(&mut object.events.lock().expect("events lock").waiting);
    drop(waiting);
    Ok(Value::Nil)
}
