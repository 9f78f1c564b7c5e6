//! The collector seen from Kai programs: cycles are reclaimed, the live-object count returns
//! to its baseline after a workload, stress mode runs real programs, `gc_stats` reports.

use kai_tests::vm;
use vm_core::Value;

fn live(vm: &vm_core::Vm) -> usize {
    vm.registry().live_objects()
}

#[test]
fn cycles_are_collected() {
    let (mut vm, _) = vm();
    vm.gc();
    let baseline = live(&vm);
    vm.eval(
        "pi",
        "cycles",
        "// a closure stored in an array it captures
         { [] 'box let { box } 'get let box get push drop box } & drop
         // a map holding itself
         [\"k\" 1] tomap dup \"self\" swap put drop
         // a scope and a closure holding each other
         { { 1 } 'f let f } & drop",
    )
    .unwrap();
    assert!(live(&vm) > baseline);
    vm.gc();
    // The program's string constants are rooted by its compiled code, which the collected
    // closures held: they go one cycle later.
    vm.gc();
    assert_eq!(live(&vm), baseline, "every cycle was reclaimed");
}

#[test]
fn the_live_count_returns_to_its_baseline_after_a_workload() {
    let (mut vm, _) = vm();
    vm.eval("pi", "setup", "{ [ 0 999 { dup str 2 toarray } for ] } 'work #").unwrap();
    vm.gc();
    let baseline = live(&vm);
    for _ in 0..5 {
        vm.eval("pi", "work", "work & drop").unwrap();
    }
    let stats = vm.registry().gc_stats();
    assert!(stats.collections > 0, "the workload triggered collections: {stats:?}");
    vm.gc();
    assert_eq!(live(&vm), baseline);
}

#[test]
fn values_held_by_the_embedder_survive() {
    let (mut vm, _) = vm();
    vm.eval("pi", "make", "[ 1 2 3 ] \"text\" 2 toarray").unwrap();
    let value = vm.pop().unwrap();
    let rooted = vm.root(value);
    vm.gc();
    assert_eq!(vm.display(rooted.get()), "[[1 2 3] \"text\"]");
    drop(rooted);
    vm.gc();
    assert!(vm.registry().object(value.handle().unwrap()).is_err(), "released once unrooted");
}

#[test]
fn stress_mode_runs_a_real_program_and_verifies_the_heap() {
    let (mut vm, out) = vm();
    vm.registry_mut().set_gc_stress(vm_core::Stress::Full);
    vm.eval(
        "pi",
        "stress",
        "{ 'n let [ 0 n { dup dup * 2 toarray } for ] } 'squares #
         0 0 20 { squares & size + } for print
         [\"a\" 1 \"b\" 2] tomap keys \",\" join print
         { [ 1 2 ] { 1 0 / } { drop } try } & size print",
    )
    .unwrap();
    assert_eq!(out.text(), "231\na,b\n2\n");
    assert!(vm.registry().gc_stats().collections > 50);
}

#[test]
fn gc_stats_reports_the_required_keys() {
    let (mut vm, _) = vm();
    vm.eval("pi", "stats", "gc gc_stats").unwrap();
    let stats = vm.pop().unwrap();
    let Value::Map(h) = stats else { panic!("gc_stats gives a map") };
    let keys: Vec<String> = vm.registry().map(h).unwrap().keys().map(|k| format!("{k:?}")).collect();
    for key in ["live_objects", "heap_bytes", "collections", "max_pause_us", "total_pause_us"] {
        assert!(keys.iter().any(|k| k.contains(key)), "{key} missing from {keys:?}");
    }
}
