//! Unit tests of the Stark pipeline: checking and translation of small programs.

use super::*;

fn run(text: &str) -> Result<Vm, Error> {
    let mut vm = new_vm();
    vm.eval("stark", "test", text)?;
    Ok(vm)
}

#[test]
fn a_function_runs() {
    let vm = run("fn sq(x: Int) -> Int:\n    return x * x\nlet r = sq(7)\n").unwrap();
    assert_eq!(vm.global("r"), Some(vm_core::Value::Int(49)));
}
