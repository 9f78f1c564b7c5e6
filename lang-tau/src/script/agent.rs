//! The serving side for Rho and Pi: `tau_listen(interface, addr, options)` starts an agent;
//! the program takes requests one at a time with `tau_next_request(agent)` (a future of
//! `{"kind", "member", "args", "request"}`), answers each with `tau_reply(request, value)`
//! or `tau_fail(request, error)`, and fires events with `tau_fire(agent, event, args)`.
//! Generated code runs each request as its own task. `tau_address(agent)` is the address
//! bound (useful with port 0); `tau_stop(agent)` stops accepting.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use vm_core::{Completer, Error, ErrorKind, Key, Map, NativeObject, Value, Vm};

use super::values::{arguments_to_wire, check, to_kai, to_wire};
use super::{interface, runtime, text};
use crate::model::{Model, Type};
use crate::net::{Agent, Events, Options, Reply, ReplyingService, Request};
use crate::wire::RemoteError;

pub(super) fn install(vm: &mut Vm) -> Result<(), Error> {
    vm.register_native("tau_listen", 3, listen)?;
    vm.register_native("tau_address", 1, address)?;
    vm.register_native("tau_next_request", 1, next_request)?;
    vm.register_native("tau_reply", 2, reply)?;
    vm.register_native("tau_fail", 2, fail)?;
    vm.register_native("tau_fire", 3, fire)?;
    vm.register_native("tau_stop", 1, stop)
}

/// A request on its way to the program.
struct Incoming {
    request: Request,
    answer: Answer,
}

/// The way back for a request's answer. A request the program drops unanswered (its agent
/// stopped, or the program ended) is answered with an `internal` error, so that its caller
/// learns at once.
struct Answer(Option<Reply>);

impl Drop for Answer {
    fn drop(&mut self) {
        if let Some(reply) = self.0.take() {
            let unanswered = "the agent's program ended without answering the request";
            reply.send(Err(RemoteError::new("internal", unanswered)));
        }
    }
}

/// Requests that arrived and the program's calls waiting for one.
#[derive(Default)]
struct Queue {
    arrived: VecDeque<Incoming>,
    waiting: VecDeque<Completer>,
}

struct AgentObject {
    model: Arc<Model>,
    index: usize,
    queue: Arc<Mutex<Queue>>,
    events: Events,
    address: String,
    serving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl NativeObject for AgentObject {
    fn type_name(&self) -> &str {
        "tau-agent"
    }

    fn display(&self) -> String {
        format!("<tau-agent {} at {}>", self.model.interfaces[self.index].name, self.address)
    }
}

impl Drop for AgentObject {
    fn drop(&mut self) {
        if let Some(serving) = self.serving.take() {
            serving.abort();
        }
    }
}

/// One request the program is answering.
struct RequestObject {
    answer: Answer,
    model: Arc<Model>,
    /// What a reply must be.
    result: Type,
    what: String,
}

impl NativeObject for RequestObject {
    fn type_name(&self) -> &str {
        "tau-request"
    }
}

/// The service the network side runs: checks each request against the interface and
/// queues it for the program.
struct ScriptService {
    model: Arc<Model>,
    index: usize,
    queue: Arc<Mutex<Queue>>,
}

impl ReplyingService for ScriptService {
    fn take(&self, request: Request, reply: Reply) {
        if let Err(e) = self.check(&request) {
            return reply.send(Err(e));
        }
        let incoming = Incoming { request, answer: Answer(Some(reply)) };
        let mut queue = self.queue.lock().expect("queue lock");
        match queue.waiting.pop_front() {
            Some(waiter) => {
                drop(queue);
                hand_over(waiter, incoming, self.model.clone(), self.index);
            }
            None => queue.arrived.push_back(incoming),
        }
    }
}

impl ScriptService {
    /// Refuses a request for a member the interface lacks, or with arguments of the wrong
    /// count or types, before the program sees it.
    fn check(&self, request: &Request) -> Result<(), RemoteError> {
        let def = &self.model.interfaces[self.index];
        let type_error = |e: String| RemoteError::new("type", e);
        match request {
            Request::Call { member, args } => {
                let method = def
                    .methods
                    .iter()
                    .find(|m| &m.name == member)
                    .ok_or_else(|| crate::convert::unknown("method", member, &def.name.to_string()))?;
                let what = format!("{}.{member}", def.name);
                if args.len() != method.params.len() {
                    let message =
                        format!("{what} takes {} arguments, and was given {}", method.params.len(), args.len());
                    return Err(RemoteError::new("arity", message));
                }
                for (param, arg) in method.params.iter().zip(args) {
                    check(&self.model, arg, &param.ty, &format!("{what}: argument `{}`", param.name))
                        .map_err(type_error)?;
                }
                Ok(())
            }
            Request::Get { property } | Request::Set { property, .. } => {
                let field = def
                    .properties
                    .iter()
                    .find(|p| &p.name == property)
                    .ok_or_else(|| crate::convert::unknown("property", property, &def.name.to_string()))?;
                if let Request::Set { value, .. } = request {
                    check(&self.model, value, &field.ty, &format!("{}.{property}: the value", def.name))
                        .map_err(type_error)?;
                }
                Ok(())
            }
        }
    }
}

/// Resolves a `tau_next_request` future with the request as a map.
fn hand_over(waiter: Completer, incoming: Incoming, model: Arc<Model>, index: usize) {
    waiter.complete(move |vm| {
        let def = &model.interfaces[index];
        let Incoming { request, answer } = incoming;
        let (kind, member, args, result): (&str, String, Vec<Value>, Type) = match request {
            Request::Call { member, args } => {
                let method = def.methods.iter().find(|m| m.name == member).expect("checked on arrival");
                let types: Vec<Type> = method.params.iter().map(|p| p.ty.clone()).collect();
                let args = args.into_iter().zip(&types).map(|(a, t)| to_kai(vm, &model, a, t)).collect();
                ("call", member, args, method.result.clone())
            }
            Request::Get { property } => {
                let ty = def.properties.iter().find(|p| p.name == property).expect("checked on arrival").ty.clone();
                ("get", property, Vec::new(), ty)
            }
            Request::Set { property, value } => {
                let ty = def.properties.iter().find(|p| p.name == property).expect("checked on arrival").ty.clone();
                let value = to_kai(vm, &model, value, &ty);
                ("set", property, vec![value], Type::Void)
            }
        };
        let what = format!("{}.{member}", def.name);
        let request = vm.new_native(Box::new(RequestObject { answer, model: model.clone(), result, what }));
        let mut map = Map::default();
        map.insert(Key::Str("kind".into()), vm.new_str(kind));
        map.insert(Key::Str("member".into()), vm.new_str(&member));
        map.insert(Key::Str("args".into()), vm.new_array(args));
        map.insert(Key::Str("request".into()), request);
        Ok(vm.registry_mut().new_map(map))
    });
}

fn agent_of<'v>(vm: &'v Vm, value: Value, word: &str) -> Result<&'v AgentObject, Error> {
    vm.native_ref::<AgentObject>(value).ok_or_else(|| {
        Error::type_error(format!("{word}: expected a tau-agent, got {}", vm.registry().type_name(value)))
    })
}

fn listen(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let (model, index) = interface(vm, args[0], "tau_listen")?;
    let addr = text(vm, args[1], "tau_listen", "the address")?;
    let mut options = Options::default();
    match args[2] {
        Value::Nil => {}
        Value::Map(h) => {
            let map = vm.registry().map(h).map_err(|_| Error::internal("a stale options map"))?.clone();
            for (key, value) in &map {
                match key {
                    Key::Str(k) if &**k == "token" => {
                        options.token = Some(text(vm, *value, "tau_listen", "the token")?)
                    }
                    other => {
                        return Err(Error::new(
                            ErrorKind::Key,
                            format!("tau_listen: unknown option {other:?} (token)"),
                        ));
                    }
                }
            }
        }
        other => {
            let got = vm.registry().type_name(other);
            return Err(Error::type_error(format!("tau_listen: options must be a map, got {got}")));
        }
    }
    let listener = std::net::TcpListener::bind(addr.as_str())
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| Error::new(ErrorKind::Remote, format!("tau_listen: cannot listen on {addr}: {e}")))?;
    let address = listener.local_addr().map_or(addr.clone(), |a| a.to_string());
    let def = &model.interfaces[index];
    let agent = Agent::new(&def.name.to_string(), &model.fingerprint(def), options);
    let events = agent.events();
    let queue = Arc::new(Mutex::new(Queue::default()));
    let service = Arc::new(ScriptService { model: model.clone(), index, queue: queue.clone() });
    let serving = {
        let _entered = runtime().enter();
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::new(ErrorKind::Remote, format!("tau_listen: cannot listen on {addr}: {e}")))?;
        runtime().spawn(agent.serve_replying(listener, service))
    };
    let object = AgentObject { model, index, queue, events, address, serving: Some(serving) };
    Ok(vm.new_native(Box::new(object)))
}

fn address(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let address = agent_of(vm, args[0], "tau_address")?.address.clone();
    Ok(vm.new_str(&address))
}

fn next_request(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let agent = agent_of(vm, args[0], "tau_next_request")?;
    let (queue, model, index) = (agent.queue.clone(), agent.model.clone(), agent.index);
    let (future, completer) = vm.external_future();
    let mut q = queue.lock().expect("queue lock");
    match q.arrived.pop_front() {
        Some(incoming) => {
            drop(q);
            hand_over(completer, incoming, model, index);
        }
        None => q.waiting.push_back(completer),
    }
    Ok(future)
}

/// The request object behind `value`.
fn request_of<'v>(vm: &'v mut Vm, value: Value, word: &str) -> Result<&'v mut RequestObject, Error> {
    let got = vm.registry().type_name(value).to_string();
    let wrong = || Error::type_error(format!("{word}: expected a tau-request, got {got}"));
    let Value::Native(h) = value else { return Err(wrong()) };
    let object = vm.registry_mut().native_mut(h).map_err(|_| Error::internal("a stale request"))?;
    (object.as_mut() as &mut dyn std::any::Any).downcast_mut::<RequestObject>().ok_or_else(wrong)
}

/// Takes the request's way back: a request is answered once.
fn take_answer(request: &mut RequestObject, word: &str) -> Result<Reply, Error> {
    request
        .answer
        .0
        .take()
        .ok_or_else(|| Error::new(ErrorKind::User, format!("{word}: {} was answered already", request.what)))
}

/// Answers a request with a value. One of the wrong type is a `type` error here, and the
/// request stays unanswered (the generated code then fails it with that error).
fn reply(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let request = request_of(vm, args[0], "tau_reply")?;
    let (model, result, what) = (request.model.clone(), request.result.clone(), request.what.clone());
    if request.answer.0.is_none() {
        return Err(Error::new(ErrorKind::User, format!("tau_reply: {what} was answered already")));
    }
    let value = to_wire(vm, &model, args[1], &result, &format!("the result of {what}")).map_err(Error::type_error)?;
    let answer = take_answer(request_of(vm, args[0], "tau_reply")?, "tau_reply")?;
    answer.send(Ok(value));
    Ok(Value::Nil)
}

fn fail(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let error = remote_error(vm, args[1]);
    let answer = take_answer(request_of(vm, args[0], "tau_fail")?, "tau_fail")?;
    answer.send(Err(error));
    Ok(Value::Nil)
}

/// A Kai error map (`{"kind", "message", "trace"}`) or any other value, as an error that
/// travels.
fn remote_error(vm: &Vm, value: Value) -> RemoteError {
    let reg = vm.registry();
    let Value::Map(h) = value else {
        return RemoteError::new("user", reg.display(value));
    };
    let Ok(map) = reg.map(h) else { return RemoteError::new("user", "an error") };
    let field = |name: &str| map.get(&Key::Str(name.into())).copied();
    let kind = field("kind").and_then(|v| reg.text(v).map(str::to_string)).unwrap_or_else(|| "user".into());
    let message = field("message").map(|v| reg.display(v)).unwrap_or_else(|| reg.display(value));
    let trace = match field("trace") {
        Some(Value::Array(t)) => match reg.object(t) {
            Ok(vm_core::Object::Array(items)) => items.iter().map(|v| trace_entry(vm, *v)).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    RemoteError { kind, message, trace }
}

/// One entry of an error map's trace (`{"name", "file", "line", "column"}`) as
/// `name (file:line:column)`.
fn trace_entry(vm: &Vm, entry: Value) -> String {
    let reg = vm.registry();
    let Value::Map(h) = entry else { return reg.display(entry) };
    let Ok(map) = reg.map(h) else { return reg.display(entry) };
    let field = |name: &str| map.get(&Key::Str(name.into())).copied().unwrap_or(Value::Nil);
    let name = match field("name") {
        Value::Nil => "<anonymous>".to_string(),
        v => reg.display(v),
    };
    match field("file") {
        Value::Nil => name,
        file => {
            format!("{name} ({}:{}:{})", reg.display(file), reg.display(field("line")), reg.display(field("column")))
        }
    }
}

fn fire(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let agent = agent_of(vm, args[0], "tau_fire")?;
    let (model, index, events) = (agent.model.clone(), agent.index, agent.events.clone());
    let name = text(vm, args[1], "tau_fire", "the event")?;
    let def = &model.interfaces[index];
    let Some(event) = def.events.iter().find(|e| e.name == name) else {
        return Err(Error::new(ErrorKind::Undefined, format!("{} has no event `{name}`", def.name)));
    };
    let what = format!("{}.{name}", def.name);
    let values = arguments_to_wire(vm, &model, args[2], &event.params, "tau_fire", &what)?;
    events.fire(&name, values);
    Ok(Value::Nil)
}

fn stop(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let Value::Native(h) = args[0] else {
        return Err(Error::type_error(format!(
            "tau_stop: expected a tau-agent, got {}",
            vm.registry().type_name(args[0])
        )));
    };
    let object = vm.registry_mut().native_mut(h).map_err(|_| Error::internal("a stale agent"))?;
    if let Some(agent) = (object.as_mut() as &mut dyn std::any::Any).downcast_mut::<AgentObject>()
        && let Some(serving) = agent.serving.take()
    {
        serving.abort();
        let waiting = std::mem::take(&mut agent.queue.lock().expect("queue lock").waiting);
        drop(waiting);
    }
    Ok(Value::Nil)
}
