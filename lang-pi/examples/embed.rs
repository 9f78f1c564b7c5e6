//! Embedding Kai in a Rust program: `cargo run -p lang-pi --example embed`.
//!
//! Creates a VM, registers native functions, evaluates Pi, moves values in and out, calls a
//! continuation by name, sets limits and reads an error with its trace.

use std::time::Duration;

use vm_core::{ErrorKind, Limits, Value};

fn main() {
    let mut vm = lang_pi::new_vm();

    // Native functions are Pi words (and Rho functions) from the moment they are registered.
    // Arguments convert from Kai values; a mismatch is a `type` error naming the function.
    vm.register_fn("hypot", |a: f64, b: f64| (a * a + b * b).sqrt()).expect("hypot is not a built-in");
    vm.register_fn("shout", |s: String| format!("{}!", s.to_uppercase())).expect("shout is free");

    // Evaluate source: results stay on the data stack.
    vm.eval("pi", "example", "3 4 hypot \"hello\" shout").expect("valid program");
    let greeting = vm.pop().expect("a string");
    let length = vm.pop().expect("a number");
    println!("{} {}", vm.display(greeting), vm.display(length)); // HELLO! 5.0

    // Define a continuation in Pi and call it from Rust with arguments.
    vm.eval("pi", "lib", "{ 'b let 'a let a a * b b * + } 'sum-of-squares #").expect("defines");
    let results = vm.call("sum-of-squares", &[Value::Int(3), Value::Int(4)]).expect("call works");
    println!("sum-of-squares(3, 4) = {}", vm.display(results[0])); // 25

    // Untrusted code runs under limits; exceeding one is an uncatchable `limit` error.
    vm.set_limits(Limits { fuel: Some(1_000_000), deadline: Some(Duration::from_secs(1)), ..Limits::new() });
    let err = vm.eval("pi", "untrusted", "{ true } { } while").expect_err("runs forever");
    assert_eq!(err.kind(), ErrorKind::Limit);
    println!("stopped: {err}");

    // Errors carry their kind, message, position and the trace of activations.
    let err = vm.eval("pi", "buggy", "{ 0 / } 'inverse # 1 inverse &").expect_err("divides by zero");
    let position = err.span().map(|s| vm.sources().describe(s)).unwrap_or_default();
    println!("{} error at {position}: {}", err.kind(), err.message());
    for entry in err.trace() {
        println!("  in {}", entry.name.as_deref().unwrap_or("<top level>"));
    }
}
