//! Portable code units: compiled without a VM, shared between VMs and threads, written to
//! bytes and read back, and refused with an error (never a panic) when they are malformed.

use std::sync::Arc;

use kai_tests::vm;
use vm_core::{ErrorKind, Frontend, Limits, Natives, Op, Unit, compile_unit};

const FIB: &str = "fun fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }\n\
                   let parts = [\"fib\", \"of\", 20]\n\
                   print(join(parts, \" \"), fib(20))\n";

fn rho_unit(text: &str) -> Unit {
    compile_unit(&lang_rho::RhoFrontend, "fib.rho", text, &Natives::default()).expect("compiles")
}

/// Loads and runs `unit` in a fresh VM; what it printed.
fn run_in_new_vm(unit: &Unit) -> String {
    let (mut vm, out) = vm();
    let block = vm.load(unit).expect("loads");
    vm.run(block).expect("runs");
    vm.flush();
    out.text()
}

#[test]
fn a_unit_compiled_without_a_vm_runs_in_several() {
    let unit = rho_unit(FIB);
    assert_eq!(run_in_new_vm(&unit), "fib of 20 6765\n");
    assert_eq!(run_in_new_vm(&unit), "fib of 20 6765\n");
    // Names and constants are the unit's own, by content.
    assert!(unit.names.iter().any(|n| n == "fib"));
    assert!(unit.constants.contains(&vm_core::Constant::Str("of".into())));
}

#[test]
fn one_unit_is_shared_by_vms_on_several_threads() {
    let unit = Arc::new(rho_unit(FIB));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let unit = Arc::clone(&unit);
            std::thread::spawn(move || run_in_new_vm(&unit))
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().expect("no panic"), "fib of 20 6765\n");
    }
}

#[test]
fn a_unit_survives_bytes_and_names_its_source_in_errors() {
    let unit = rho_unit("let x = 1\nprint(x)\nprint(x + \"one\")\n");
    let bytes = unit.to_bytes();
    let read = Unit::from_bytes(&bytes).expect("reads back");
    assert_eq!(read, unit);
    let (mut vm, out) = vm();
    let block = vm.load(&read).unwrap();
    let err = vm.run(block).unwrap_err();
    vm.flush();
    assert_eq!(out.text(), "1\n");
    assert_eq!(err.kind(), ErrorKind::Type);
    assert_eq!(err.location().as_deref(), Some("fib.rho:3:7"));
}

#[test]
fn a_unit_loads_into_a_vm_that_already_has_other_names() {
    // The loading VM has interned names in another order: the unit's own ids must not leak.
    let (mut vm, out) = vm();
    vm.eval("pi", "first", "1 'zebra # 2 'n #").unwrap();
    let block = vm.load(&rho_unit(FIB)).unwrap();
    vm.run(block).unwrap();
    vm.flush();
    assert_eq!(out.text(), "fib of 20 6765\n");
    assert_eq!(vm.global("zebra"), Some(vm_core::Value::Int(1)));
}

#[test]
fn natives_are_found_by_name_when_loading() {
    let mut natives = Natives::default();
    natives.insert("twice".into(), 1);
    let unit = compile_unit(&lang_pi::PiFrontend, "natives.pi", "21 twice print", &natives).unwrap();
    assert!(unit.blocks[0].ops.iter().any(|op| matches!(op, Op::Native(_))));

    let (mut vm, out) = vm();
    vm.register_fn("other", |n: i64| n).unwrap();
    vm.register_fn("twice", |n: i64| 2 * n).unwrap();
    let block = vm.load(&unit).unwrap();
    vm.run(block).unwrap();
    vm.flush();
    assert_eq!(out.text(), "42\n");

    let (mut bare, _) = kai_tests::vm();
    let err = bare.load(&unit).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Undefined);
    assert_eq!(err.message(), "the code calls native 'twice', which this VM does not have");
}

#[test]
fn a_parse_error_without_a_vm_shows_its_position() {
    let err = compile_unit(&lang_pi::PiFrontend, "bad.pi", "1 2 +\n{ 3", &Natives::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert_eq!(err.location().as_deref(), Some("bad.pi:2:1"));
}

#[test]
fn bytes_that_are_not_a_unit_are_refused_by_name() {
    let message = |bytes: &[u8]| Unit::from_bytes(bytes).unwrap_err().message().to_string();
    assert_eq!(message(b""), "not a compiled Kai unit: too short");
    assert_eq!(message(b"#!/usr/bin/env kai\n"), "not a compiled Kai unit: it does not start with the bytes \"KAIU\"");
    let mut future = rho_unit("1").to_bytes();
    future[4] = 11;
    assert_eq!(message(&future), "compiled unit of format version 11; this Kai reads version 10");
    let mut longer = rho_unit("1").to_bytes();
    longer.push(0);
    assert_eq!(message(&longer), "not a compiled Kai unit: 1 bytes left over after the unit");
}

/// Every cut and many corruptions of a unit's bytes: each is refused when read or when
/// loaded, or (if it still makes sense) runs within a fuel limit; none panics.
#[test]
fn corrupt_units_are_errors_never_panics() {
    let unit = rho_unit(FIB);
    let bytes = unit.to_bytes();
    for len in 0..bytes.len() {
        assert!(Unit::from_bytes(&bytes[..len]).is_err(), "a unit cut to {len} bytes was read");
    }
    let step = kai_tests::scale(1, 7);
    let mut loaded = 0;
    for at in (8..bytes.len()).step_by(step) {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[at] ^= flip;
            let Ok(unit) = Unit::from_bytes(&bad) else { continue };
            let (mut vm, _) = vm();
            let mut limits = Limits::new();
            limits.fuel = Some(100_000);
            vm.set_limits(limits);
            if let Ok(block) = vm.load(&unit) {
                loaded += 1;
                let _ = vm.run(block);
            }
        }
    }
    // Most corruptions change a number, a name or a span that still makes sense.
    assert!(loaded > 0);
}

#[test]
fn a_malformed_unit_is_a_parse_error_naming_block_and_op() {
    let mut unit = rho_unit(FIB);
    let last = unit.blocks.len() - 1;
    let end = unit.blocks[last].ops.len() - 1;
    unit.blocks[last].ops.insert(end, Op::Jump(10_000));
    unit.blocks[last].spans.insert(end, Default::default());
    let (mut vm, _) = vm();
    let err = vm.load(&unit).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(
        err.message().starts_with(&format!("malformed code in block {last} at op {end}: Jump refers to op 10000")),
        "{}",
        err.message()
    );
}

#[test]
fn the_frontends_compile_alone() {
    let natives = Natives::default();
    let source = vm_core::Source::detached("alone.pi", "1 2 + print");
    let unit = lang_pi::PiFrontend.compile(&source, &natives).unwrap();
    assert_eq!(unit.source_name, "alone.pi");
    assert_eq!(run_in_new_vm(&unit), "3\n");
}
