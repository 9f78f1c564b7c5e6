//! Tests of the object model: sizes, printing, equality, copying and collection.

use std::rc::Rc;

use gc::Tracer;

use crate::{Code, Key, Object, Registry, Value};

/// Code that holds no constants, enough to make closures in tests.
struct NoCode;

impl Code for NoCode {
    fn trace(&self, _: &mut Tracer<'_>) {}
}

type Reg = Registry<NoCode>;

fn array(reg: &mut Reg, items: &[Value]) -> Value {
    reg.new_array(items.to_vec())
}

#[test]
fn value_is_sixteen_bytes() {
    assert_eq!(std::mem::size_of::<Value>(), 16);
}

#[test]
fn a_heap_object_is_thirty_two_bytes() {
    // The slot of every object is this size (plus a generation and a colour), so it is
    // what a string, array or closure costs before anything it owns outside the heap.
    assert_eq!(std::mem::size_of::<Object<NoCode>>(), 32);
    assert_eq!(std::mem::size_of::<Option<Object<NoCode>>>(), 32);
    assert_eq!(std::mem::size_of::<crate::Str>(), 24);
}

#[test]
fn short_strings_are_inline_and_long_ones_shared() {
    let short = crate::Str::new("abc123456");
    assert_eq!(short.heap_bytes(), 0);
    assert_eq!(short.as_str(), "abc123456");
    let text: Rc<str> = Rc::from("a string longer than fourteen bytes");
    let long = crate::Str::shared(text.clone());
    assert!(Rc::ptr_eq(&long.rc(), &text), "a long string shares its text");
    let unicode = crate::Str::new("héllo wörld");
    assert_eq!(unicode.char_len(), 11);
    assert_eq!(unicode.char_at(1), Some("é"));
    assert_eq!(unicode.slice(6, 11), "wörld");
}

#[test]
fn a_borrowed_key_finds_what_the_owned_key_stored() {
    let mut reg = Reg::new();
    let name = reg.intern("n");
    let mut map = crate::Map::default();
    for key in [Key::Bool(true), Key::Int(7), Key::Name(name), Key::Str("word".into())] {
        map.insert(key.clone(), Value::Int(1));
        assert!(map.contains_key(&key.as_ref()), "{key:?}");
    }
    assert!(!map.contains_key(&crate::KeyRef::Str("other")));
    assert!(!map.contains_key(&crate::KeyRef::Int(1)), "a bool key is not an int key");
}

#[test]
fn display_and_repr_follow_the_spec() {
    let mut reg = Reg::new();
    let a = reg.new_str("a");
    let b = reg.new_str("b\n");
    let arr = array(&mut reg, &[Value::Int(1), a, Value::Float(2.0), Value::Nil]);
    assert_eq!(reg.display(arr), r#"[1 "a" 2.0 nil]"#);
    assert_eq!(reg.display(a), "a");
    assert_eq!(reg.repr(b), r#""b\n""#);
    let mut map = crate::Map::default();
    map.insert(Key::Str("a".into()), Value::Int(1));
    map.insert(Key::Int(2), Value::Bool(true));
    let m = reg.new_map(map);
    assert_eq!(reg.display(m), r#"{"a": 1, 2: true}"#);
    let name = reg.intern("foo");
    assert_eq!(reg.display(Value::Name(name)), "'foo");
    for (f, text) in
        [(2.0, "2.0"), (0.1, "0.1"), (1e300, "1e300"), (f64::INFINITY, "inf"), (f64::NAN, "nan"), (-0.5, "-0.5")]
    {
        assert_eq!(reg.display(Value::Float(f)), text);
    }
}

#[test]
fn a_cycle_prints_as_an_ellipsis() {
    let mut reg = Reg::new();
    let arr = array(&mut reg, &[Value::Int(1)]);
    let Value::Array(h) = arr else { unreachable!() };
    reg.array_push(h, arr).unwrap();
    assert_eq!(reg.display(arr), "[1 [...]]");
    // Sharing without a cycle prints in full.
    let inner = array(&mut reg, &[Value::Int(7)]);
    let outer = array(&mut reg, &[inner, inner]);
    assert_eq!(reg.display(outer), "[[7] [7]]");
}

#[test]
fn deeply_nested_values_print_and_compare_without_recursion() {
    let mut reg = Reg::new();
    let mut a = Value::Nil;
    let mut b = Value::Nil;
    for _ in 0..200_000 {
        a = array(&mut reg, &[a]);
        b = array(&mut reg, &[b]);
    }
    assert!(reg.equals(a, b));
    assert!(reg.display(a).starts_with("[[[["));
    let c = reg.deep_clone(a);
    assert!(reg.equals(a, c));
}

#[test]
fn equality_is_structural_and_numeric() {
    let mut reg = Reg::new();
    assert!(reg.equals(Value::Int(1), Value::Float(1.0)));
    assert!(!reg.equals(Value::Int(1), Value::Float(1.5)));
    assert!(!reg.equals(Value::Int(i64::MAX), Value::Float(i64::MAX as f64)));
    assert!(!reg.equals(Value::Int(1), Value::Bool(true)));
    let s1 = reg.new_str("x");
    let s2 = reg.new_str("x");
    assert!(reg.equals(s1, s2));
    let a1 = array(&mut reg, &[Value::Int(1), s1]);
    let a2 = array(&mut reg, &[Value::Float(1.0), s2]);
    assert!(reg.equals(a1, a2));
    // Two cyclic structures of the same shape are equal.
    let c1 = array(&mut reg, &[]);
    let c2 = array(&mut reg, &[]);
    reg.array_push(c1.handle().unwrap(), c1).unwrap();
    reg.array_push(c2.handle().unwrap(), c2).unwrap();
    assert!(reg.equals(c1, c2));
}

#[test]
fn truthiness() {
    let mut reg = Reg::new();
    let empty = reg.new_str("");
    let full = reg.new_str("x");
    let no_items = array(&mut reg, &[]);
    for v in [Value::Nil, Value::Bool(false), Value::Int(0), Value::Float(0.0), Value::Float(-0.0), empty, no_items] {
        assert!(!reg.truthy(v), "{v:?}");
    }
    for v in [Value::Bool(true), Value::Int(-1), Value::Float(f64::NAN), full] {
        assert!(reg.truthy(v), "{v:?}");
    }
}

#[test]
fn deep_clone_keeps_cycles_and_sharing() {
    let mut reg = Reg::new();
    let shared = array(&mut reg, &[Value::Int(1)]);
    let outer = array(&mut reg, &[shared, shared]);
    reg.array_push(outer.handle().unwrap(), outer).unwrap();
    let copy = reg.deep_clone(outer);
    assert_ne!(copy, outer);
    let items = reg.array(copy.handle().unwrap()).unwrap().clone();
    assert_eq!(items[0], items[1], "shared stays shared");
    assert_ne!(items[0], shared, "but is a copy");
    assert_eq!(items[2], copy, "the cycle points at the copy");
}

#[test]
fn ordering_of_mixed_numbers_is_exact() {
    use std::cmp::Ordering::*;
    let reg = Reg::new();
    assert_eq!(reg.compare(Value::Int(1), Value::Float(1.5)), Ok(Some(Less)));
    assert_eq!(reg.compare(Value::Float(-0.5), Value::Int(0)), Ok(Some(Less)));
    assert_eq!(reg.compare(Value::Int(i64::MAX), Value::Float(9.3e18)), Ok(Some(Less)));
    assert_eq!(reg.compare(Value::Int(3), Value::Float(f64::NAN)), Ok(None));
    assert!(reg.compare(Value::Int(3), Value::Nil).is_err());
}

#[test]
fn arrays_are_ordered_lexicographically() {
    use std::cmp::Ordering::*;
    let mut reg = Reg::new();
    let (one, two) = (Value::Int(1), Value::Int(2));
    let s = reg.new_str("a");
    let pair_1a = array(&mut reg, &[one, s]);
    let pair_2a = array(&mut reg, &[two, s]);
    let just_1 = array(&mut reg, &[Value::Float(1.0)]);
    assert_eq!(reg.compare(pair_1a, pair_2a), Ok(Some(Less)));
    assert_eq!(reg.compare(pair_2a, pair_1a), Ok(Some(Greater)));
    // A prefix comes first; numbers compare across int and float.
    assert_eq!(reg.compare(just_1, pair_1a), Ok(Some(Less)));
    assert_eq!(reg.compare(pair_1a, pair_1a), Ok(Some(Equal)));
    // Nested arrays are walked; a NaN that decides gives no order, but sorts last.
    let nested_nan = array(&mut reg, &[Value::Float(f64::NAN)]);
    let nested_one = array(&mut reg, &[one]);
    let a = array(&mut reg, &[nested_nan]);
    let b = array(&mut reg, &[nested_one]);
    assert_eq!(reg.compare(a, b), Ok(None));
    assert_eq!(reg.sort_order(a, b), Ok(Greater));
    // Elements that have no order make the arrays incomparable.
    let with_nil = array(&mut reg, &[Value::Nil]);
    assert!(reg.compare(with_nil, just_1).is_err());
    assert!(reg.compare(pair_1a, one).is_err());
    // Two cycles of the same shape end as equal.
    let c1 = array(&mut reg, &[one]);
    let c2 = array(&mut reg, &[one]);
    reg.array_push(c1.handle().unwrap(), c1).unwrap();
    reg.array_push(c2.handle().unwrap(), c2).unwrap();
    assert_eq!(reg.compare(c1, c2), Ok(Some(Equal)));
    // Deep nesting needs no recursion.
    let (mut deep_a, mut deep_b) = (one, two);
    for _ in 0..200_000 {
        deep_a = array(&mut reg, &[deep_a]);
        deep_b = array(&mut reg, &[deep_b]);
    }
    assert_eq!(reg.compare(deep_a, deep_b), Ok(Some(Less)));
}

#[test]
fn unreachable_closures_scopes_and_cycles_are_collected() {
    let mut reg = Reg::new();
    let scope = reg.new_scope(crate::Scope::new(None));
    let closure =
        reg.new_closure(crate::Closure { code: Rc::new(NoCode), scope: Some(scope), name: None, arity: None });
    // The scope holds the closure that captured it: a cycle.
    let f = reg.intern("f");
    reg.scope_declare(scope, f, closure).unwrap();
    let kept = array(&mut reg, &[Value::Int(1)]);
    let rooted = reg.root(kept);
    reg.gc_collect(|_| {});
    assert_eq!(reg.live_objects(), 1);
    assert!(reg.array(rooted.get().handle().unwrap()).is_ok());
    drop(rooted);
    reg.gc_collect(|_| {});
    assert_eq!(reg.live_objects(), 0);
    assert!(reg.object(kept.handle().unwrap()).is_err());
}

#[test]
fn a_global_is_a_root() {
    let mut reg = Reg::new();
    let v = reg.new_str("kept");
    let name = reg.intern("g");
    reg.globals.set(name, v);
    reg.gc_collect(|_| {});
    assert_eq!(reg.text(v), Some("kept"));
    let _: &Object<NoCode> = reg.object(v.handle().unwrap()).unwrap();
}

#[test]
fn an_optional_value_is_as_small_as_a_value() {
    assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
}

#[test]
fn constants_of_one_text_share_it_and_so_do_the_keys_made_from_them() {
    let mut reg = Reg::new();
    let (x, also_x, y) = (reg.new_constant_str("x"), reg.new_constant_str("x"), reg.new_constant_str("y"));
    let address = |reg: &Reg, v: Value| match v {
        Value::Str(h) => reg.str(h).unwrap().shared_address().unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(address(&reg, x), address(&reg, also_x));
    assert_ne!(address(&reg, x), address(&reg, y));
    let made = reg.new_str("x");
    let Value::Str(made) = made else { unreachable!() };
    assert_eq!(reg.str(made).unwrap().shared_address(), None, "a short string made at run time is inline");

    // A record built from constants: its keys are the constants' texts.
    let record = reg.new_map(crate::Map::default());
    let Value::Map(record) = record else { unreachable!() };
    for (key, value) in [(y, 1), (x, 2)] {
        let key = reg.key(key).unwrap();
        reg.map_insert(record, key, Value::Int(value)).unwrap();
    }
    let Value::Str(also_x) = also_x else { unreachable!() };
    let field = |reg: &Reg, key, guess, address| reg.map_field(record, key, guess, address).map(|f| (f.index, f.value));
    let x_address = address(&reg, Value::Str(also_x));
    assert_eq!(field(&reg, also_x, 1, x_address), Some((1, Value::Int(2))), "found by address");
    assert_eq!(field(&reg, also_x, 0, x_address), Some((1, Value::Int(2))), "a wrong guess is looked up");
    assert_eq!(field(&reg, made, 1, 0), Some((1, Value::Int(2))), "an inline key is compared by its bytes");
    assert_eq!(field(&reg, made, 0, crate::Field::UNSHARED), Some((1, Value::Int(2))));
    let found = reg.map_field(record, made, 1, 0).unwrap();
    assert_eq!(found.address, crate::Field::UNSHARED, "and reported as having no shared text");
    let z = reg.new_constant_str("z");
    let Value::Str(z) = z else { unreachable!() };
    let z_address = address(&reg, Value::Str(z));
    assert_eq!(field(&reg, z, 1, z_address), None, "an absent key is absent");
}
