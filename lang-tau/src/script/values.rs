//! Kai values to wire values and back, guided by the interface's types: a Tau struct is a
//! Kai map of its fields, an enum is its variant's name (a string; an int value is accepted
//! too), `bytes` are Kai bytes (a string or an array of ints 0–255 is accepted too), `void`
//! is `nil`, and a map keyed by `bytes` has their hex text as keys.

use vm_core::{Key, Map, Object, Value, Vm};

use crate::model::{Model, Type};
use crate::wire;

/// Converts `value` to the wire form of `ty`.
///
/// # Errors
/// What does not fit, named by `path` (such as `add: argument a`).
pub(crate) fn to_wire(vm: &Vm, model: &Model, value: Value, ty: &Type, path: &str) -> Result<wire::Value, String> {
    let wrong = || format!("{path}: expected {}, got {}", expected(model, ty), vm.registry().type_name(value));
    let object = |h| vm.registry().object(h).ok();
    Ok(match (ty, value) {
        (Type::Void, Value::Nil) => wire::Value::Void,
        (Type::Bool, Value::Bool(b)) => wire::Value::Bool(b),
        (Type::Int, Value::Int(i)) => wire::Value::Int(i),
        (Type::Float, Value::Float(f)) => wire::Value::Float(f),
        (Type::Float, Value::Int(i)) => wire::Value::Float(i as f64),
        (Type::String, Value::Str(_)) => wire::Value::String(vm.registry().text(value).ok_or_else(wrong)?.to_string()),
        (Type::Bytes, Value::Bytes(h)) => match object(h) {
            Some(Object::Bytes(b)) => wire::Value::Bytes(b.to_vec()),
            _ => return Err(wrong()),
        },
        // A program has no bytes literal: a string gives its UTF-8, an array its ints.
        (Type::Bytes, Value::Str(_)) => {
            wire::Value::Bytes(vm.registry().text(value).ok_or_else(wrong)?.as_bytes().to_vec())
        }
        (Type::Bytes, Value::Array(h)) => {
            let Some(Object::Array(items)) = object(h) else { return Err(wrong()) };
            let byte = |v: &Value| match v {
                Value::Int(i) => u8::try_from(*i).ok(),
                _ => None,
            };
            let bytes: Option<Vec<u8>> = items.iter().map(byte).collect();
            wire::Value::Bytes(bytes.ok_or_else(|| format!("{path}: bytes as an array must hold ints from 0 to 255"))?)
        }
        (Type::Array(item), Value::Array(h)) => {
            let Some(Object::Array(items)) = object(h) else { return Err(wrong()) };
            let items = items.clone();
            let converted =
                items.iter().enumerate().map(|(i, v)| to_wire(vm, model, *v, item, &format!("{path}[{i}]")));
            wire::Value::Array(converted.collect::<Result<_, _>>()?)
        }
        (Type::Map(key, item), Value::Map(h)) => {
            let map = vm.registry().map(h).map_err(|_| wrong())?.clone();
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in &map {
                let k = key_to_wire(vm, model, k, key).map_err(|e| format!("{path}: a key: {e}"))?;
                entries.push((k, to_wire(vm, model, *v, item, &format!("{path}[…]"))?));
            }
            wire::Value::Map(entries)
        }
        (Type::Struct(i), Value::Map(h)) => {
            let def = &model.structs[*i];
            let map = vm.registry().map(h).map_err(|_| wrong())?;
            let mut fields = Vec::with_capacity(def.fields.len());
            for field in &def.fields {
                let v = map.get(&Key::Str(field.name.as_str().into())).copied().unwrap_or(Value::Nil);
                fields.push(to_wire(vm, model, v, &field.ty, &format!("{path}.{}", field.name))?);
            }
            wire::Value::Struct(fields)
        }
        (Type::Enum(i), Value::Str(_)) => {
            let name = vm.registry().text(value).unwrap_or_default();
            let def = &model.enums[*i];
            match def.variants.iter().find(|(n, _)| n == name) {
                Some((_, v)) => wire::Value::Enum(*v),
                None => return Err(format!("{path}: {} has no variant `{name}`", def.name)),
            }
        }
        (Type::Enum(i), Value::Int(n)) => {
            let def = &model.enums[*i];
            if !def.variants.iter().any(|(_, v)| *v == n) {
                return Err(format!("{path}: {} has no variant of value {n}", def.name));
            }
            wire::Value::Enum(n)
        }
        _ => return Err(wrong()),
    })
}

fn key_to_wire(vm: &Vm, model: &Model, key: &Key, ty: &Type) -> Result<wire::Value, String> {
    let value = match key {
        Key::Bool(b) => Value::Bool(*b),
        Key::Int(i) => Value::Int(*i),
        Key::Str(s) => match ty {
            Type::String => return Ok(wire::Value::String(s.to_string())),
            Type::Enum(i) => {
                let def = &model.enums[*i];
                return match def.variants.iter().find(|(n, _)| **n == **s) {
                    Some((_, v)) => Ok(wire::Value::Enum(*v)),
                    None => Err(format!("{} has no variant `{s}`", def.name)),
                };
            }
            _ => return Err(format!("expected {}, got a string", expected(model, ty))),
        },
        Key::Name(_) => return Err(format!("expected {}, got a name", expected(model, ty))),
    };
    to_wire(vm, model, value, ty, "key")
}

/// Checks that a value from the network has the shape of `ty`, so that [`to_kai`] cannot
/// fail.
///
/// # Errors
/// What does not fit, named by `path`.
pub(crate) fn check(model: &Model, value: &wire::Value, ty: &Type, path: &str) -> Result<(), String> {
    let wrong = || format!("{path}: expected {}, got {}", expected(model, ty), value.kind());
    match (ty, value) {
        (Type::Void, wire::Value::Void)
        | (Type::Bool, wire::Value::Bool(_))
        | (Type::Int, wire::Value::Int(_))
        | (Type::Float, wire::Value::Float(_) | wire::Value::Int(_))
        | (Type::String, wire::Value::String(_))
        | (Type::Bytes, wire::Value::Bytes(_)) => Ok(()),
        (Type::Array(item), wire::Value::Array(items)) => {
            items.iter().enumerate().try_for_each(|(i, v)| check(model, v, item, &format!("{path}[{i}]")))
        }
        (Type::Map(key, item), wire::Value::Map(entries)) => entries.iter().try_for_each(|(k, v)| {
            check(model, k, key, &format!("{path}: a key"))?;
            check(model, v, item, &format!("{path}[…]"))
        }),
        (Type::Struct(i), wire::Value::Struct(fields)) => {
            let def = &model.structs[*i];
            if fields.len() != def.fields.len() {
                return Err(format!(
                    "{path}: expected {} fields of {}, got {}",
                    def.fields.len(),
                    def.name,
                    fields.len()
                ));
            }
            def.fields.iter().zip(fields).try_for_each(|(f, v)| check(model, v, &f.ty, &format!("{path}.{}", f.name)))
        }
        (Type::Enum(i), wire::Value::Enum(n)) => {
            let def = &model.enums[*i];
            match def.variants.iter().any(|(_, v)| v == n) {
                true => Ok(()),
                false => Err(format!("{path}: {} has no variant of value {n}", def.name)),
            }
        }
        _ => Err(wrong()),
    }
}

/// Makes the Kai value of a checked wire value.
pub(crate) fn to_kai(vm: &mut Vm, model: &Model, value: wire::Value, ty: &Type) -> Value {
    match (ty, value) {
        (_, wire::Value::Void) => Value::Nil,
        (_, wire::Value::Bool(b)) => Value::Bool(b),
        (Type::Float, wire::Value::Int(i)) => Value::Float(i as f64),
        (_, wire::Value::Int(i)) => Value::Int(i),
        (_, wire::Value::Float(f)) => Value::Float(f),
        (_, wire::Value::String(s)) => vm.new_str(&s),
        (_, wire::Value::Bytes(b)) => vm.registry_mut().new_bytes(b),
        (Type::Array(item), wire::Value::Array(items)) => {
            let items = items.into_iter().map(|v| to_kai(vm, model, v, item)).collect();
            vm.new_array(items)
        }
        (Type::Map(key, item), wire::Value::Map(entries)) => {
            let mut map = Map::default();
            for (k, v) in entries {
                let k = match (k, &**key) {
                    (wire::Value::Bool(b), _) => Key::Bool(b),
                    (wire::Value::Int(i), _) => Key::Int(i),
                    (wire::Value::String(s), _) => Key::Str(s.into()),
                    (wire::Value::Enum(n), Type::Enum(e)) => Key::Str(variant_name(model, *e, n).into()),
                    // `bytes` keys have no Kai key form: they are keyed by their hex text.
                    (wire::Value::Bytes(b), _) => {
                        Key::Str(b.iter().map(|x| format!("{x:02x}")).collect::<String>().into())
                    }
                    _ => continue,
                };
                let v = to_kai(vm, model, v, item);
                map.insert(k, v);
            }
            vm.registry_mut().new_map(map)
        }
        (Type::Struct(i), wire::Value::Struct(fields)) => {
            let mut map = Map::default();
            let names: Vec<(String, Type)> =
                model.structs[*i].fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect();
            for ((name, field_type), v) in names.into_iter().zip(fields) {
                let v = to_kai(vm, model, v, &field_type);
                map.insert(Key::Str(name.into()), v);
            }
            vm.registry_mut().new_map(map)
        }
        (Type::Enum(e), wire::Value::Enum(n)) => {
            let name = variant_name(model, *e, n);
            vm.new_str(&name)
        }
        // Unreachable for a checked value; nil rather than a panic.
        _ => Value::Nil,
    }
}

fn variant_name(model: &Model, e: usize, n: i64) -> String {
    model.enums[e].variants.iter().find(|(_, v)| *v == n).map_or_else(|| n.to_string(), |(name, _)| name.clone())
}

/// The type as an error message names what it expects.
fn expected(model: &Model, ty: &Type) -> String {
    match ty {
        Type::Void => "nil".into(),
        Type::Struct(i) => format!("a map of {}'s fields", model.structs[*i].name),
        Type::Enum(i) => format!("a variant name of {}", model.enums[*i].name),
        other => format!("{} value", model.type_name(other)),
    }
}

/// The arguments of a call or an event, given as a Kai array, converted for `params`.
///
/// # Errors
/// A `type` error if `args` is not an array or an argument does not fit, an `arity` error
/// if the count is wrong; `word` and `what` (such as `Demo::Calculator.add`) name them.
pub(crate) fn arguments_to_wire(
    vm: &Vm,
    model: &Model,
    args: Value,
    params: &[crate::model::Field],
    word: &str,
    what: &str,
) -> Result<Vec<wire::Value>, vm_core::Error> {
    let given: Vec<Value> = match args {
        Value::Array(h) => match vm.registry().object(h) {
            Ok(Object::Array(items)) => items.clone(),
            _ => Vec::new(),
        },
        other => {
            let got = vm.registry().type_name(other);
            return Err(vm_core::Error::type_error(format!("{word}: the arguments must be an array, got {got}")));
        }
    };
    if given.len() != params.len() {
        let message = format!("{what} takes {} arguments, and was given {}", params.len(), given.len());
        return Err(vm_core::Error::new(vm_core::ErrorKind::Arity, message));
    }
    params
        .iter()
        .zip(given)
        .map(|(param, value)| {
            let path = format!("{what}: argument `{}`", param.name);
            to_wire(vm, model, value, &param.ty, &path).map_err(vm_core::Error::type_error)
        })
        .collect()
}
