//! The embedding API (SPEC §9): evaluate, push and pop, call by name, natives with argument
//! conversion, native objects, globals, limits and errors with traces.

use kai_tests::{stack_text, vm};
use vm_core::{ErrorKind, NativeObject, Value};

#[test]
fn eval_push_pop() {
    let (mut vm, _) = vm();
    vm.push(Value::Int(20));
    vm.eval("pi", "add", "22 +").unwrap();
    assert_eq!(vm.pop(), Some(Value::Int(42)));
    assert_eq!(vm.pop(), None);
}

#[test]
fn call_a_named_continuation_with_arguments() {
    let (mut vm, _) = vm();
    vm.eval("pi", "defs", "{ swap - } 'minus # { 1 2 3 } 'three #").unwrap();
    assert_eq!(vm.call("minus", &[Value::Int(10), Value::Int(3)]).unwrap(), vec![Value::Int(-7)]);
    assert_eq!(vm.call("three", &[]).unwrap(), vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
    assert_eq!(vm.call("nothing", &[]).unwrap_err().kind(), ErrorKind::Undefined);
    vm.eval("pi", "defs", "5 'five #").unwrap();
    assert_eq!(vm.call("five", &[]).unwrap_err().kind(), ErrorKind::Type);
    let err = vm.call("minus", &[Value::Int(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stack);
    assert!(vm.stack().is_empty(), "a failed call leaves no arguments behind");
}

#[test]
fn natives_convert_arguments_and_report_mismatches() {
    let (mut vm, out) = vm();
    vm.register_fn("norm", |a: f64, b: f64| (a * a + b * b).sqrt()).unwrap();
    vm.register_fn("greet", |name: String, times: i64| format!("hi {name} ").repeat(times as usize)).unwrap();
    vm.register_fn("checked", |n: i64| if n >= 0 { Ok(n) } else { Err("negative input") }).unwrap();
    vm.eval("pi", "use", "3 4 norm print \"kai\" 2 greet print 5 checked print").unwrap();
    assert_eq!(out.text(), "5.0\nhi kai hi kai \n5\n");

    let err = vm.eval("pi", "bad", "3 \"four\" norm").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type);
    assert_eq!(err.message(), "norm: argument 2 must be a number, got string");
    let err = vm.eval("pi", "bad", "-1 checked").unwrap_err();
    assert_eq!((err.kind(), err.message()), (ErrorKind::User, "negative input"));
    let err = vm.eval("pi", "bad", "clear 1 norm").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stack);
    // A native error is catchable like any other.
    vm.eval("pi", "catch", "clear { -1 checked } { \"message\" at } try").unwrap();
    assert_eq!(stack_text(&vm), "\"negative input\"");
}

#[test]
fn natives_are_reserved_names() {
    let (mut vm, _) = vm();
    vm.register_fn("twice", |n: i64| n * 2).unwrap();
    assert_eq!(vm.eval("pi", "bad", "1 'twice #").unwrap_err().kind(), ErrorKind::Type);
    assert!(vm.register_fn("dup", |n: i64| n).is_err(), "built-ins cannot be replaced");
}

struct Counter {
    hits: u32,
}

impl NativeObject for Counter {
    fn type_name(&self) -> &str {
        "counter"
    }
    fn display(&self) -> String {
        format!("<counter {}>", self.hits)
    }
}

#[test]
fn native_objects_are_values() {
    let (mut vm, _) = vm();
    let counter = vm.new_native(Box::new(Counter { hits: 0 }));
    vm.set_global("c", counter).unwrap();
    vm.register_native("hit", 1, |vm, args| {
        let Value::Native(h) = args[0] else {
            return Err(vm_core::Error::type_error("hit: not a counter"));
        };
        let object = vm.registry_mut().native_mut(h)?;
        let counter = (&mut **object as &mut dyn std::any::Any).downcast_mut::<Counter>().expect("a counter");
        counter.hits += 1;
        Ok(args[0])
    })
    .unwrap();
    vm.eval("pi", "use", "c hit hit type c str").unwrap();
    assert_eq!(stack_text(&vm), "\"counter\" \"<counter 2>\"");
    vm.gc();
    assert_eq!(vm.native_ref::<Counter>(vm.global("c").unwrap()).unwrap().hits, 2);
}

#[test]
fn errors_carry_position_and_trace() {
    let (mut vm, _) = vm();
    let err = vm.eval("pi", "prog", "{ 1 0 / } 'inner #\n{ inner & } 'outer #\nouter &").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DivisionByZero);
    assert_eq!(vm.sources().describe(err.span().unwrap()), "prog:1:7");
    let names: Vec<_> = err.trace().iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, vec![Some("inner".into()), Some("outer".into()), None]);
}

#[test]
fn globals_from_rust() {
    let (mut vm, _) = vm();
    let greeting = vm.new_str("hello");
    vm.set_global("greeting", greeting).unwrap();
    vm.eval("pi", "use", "greeting \" world\" + 'both #").unwrap();
    let both = vm.global("both").unwrap();
    assert_eq!(vm.display(both), "hello world");
    assert!(vm.set_global("swap", Value::Nil).is_err());
}

#[test]
fn values_and_continuations_cross_between_vms_as_bytes() {
    let (mut from, _) = vm();
    from.eval("rho", "from", "base = 100\nlet shared = [1, 2]\nfun make(k) { return fun(x) { return base + k + x + len(shared) } }\nf = make(10)\ndata = {\"list\": shared, \"again\": shared}")
        .unwrap();
    let (f, data) = (from.global("f").unwrap(), from.global("data").unwrap());
    let bytes = from.export_values(&[f, data], "test").unwrap();

    let (mut to, _) = vm();
    let values = to.import_values(&bytes, true).unwrap();
    // Held by globals before anything runs: running code may collect what nothing holds.
    to.set_global("g", values[0]).unwrap();
    to.set_global("data", values[1]).unwrap();
    assert_eq!(to.call("g", &[Value::Int(1)]).unwrap(), [Value::Int(113)]);
    // Sharing survives: both keys hold one array.
    to.eval("rho", "to", "push(data.list, 3)\nassert len(data.again) == 3").unwrap();
}

#[test]
fn bytes_that_are_not_a_copy_are_an_error_not_a_panic() {
    let (mut from, _) = vm();
    from.eval("pi", "from", "{ 2 * } 'double #").unwrap();
    let bytes = from.export_values(&[from.global("double").unwrap()], "test").unwrap();
    let (mut to, _) = vm();
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        let err = to.import_values(&bytes[..cut], true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse, "{}", err.message());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(to.import_values(&longer, true).unwrap_err().message().contains("left over"));
    // Every single-byte change either imports something well formed or is refused.
    for i in 0..bytes.len() {
        for flip in [1u8, 0x80, 0xff] {
            let mut changed = bytes.clone();
            changed[i] ^= flip;
            let _ = to.import_values(&changed, true);
        }
    }
    // A value that cannot cross is a type error naming it.
    from.eval("pi", "from", "1 channel 'ch #").unwrap();
    let err = from.export_values(&[from.global("ch").unwrap()], "remote").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type);
    assert!(err.message().starts_with("'remote' cannot copy"), "{}", err.message());
}
