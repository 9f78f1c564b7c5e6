//! The collector seen from Kai programs: cycles are reclaimed, the live-object count returns
//! to its baseline after a workload, stress mode runs real programs, `gc_stats` reports.

use kai_tests::{scale, stress, vm};
use vm_core::{ErrorKind, Stress, Value};

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
         { [] 'box let { box } 'fetch let box fetch push drop box } & drop
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
    for key in [
        "live_objects",
        "heap_bytes",
        "collections",
        "cycles_started",
        "cycles_completed",
        "max_pause_us",
        "total_pause_us",
    ] {
        assert!(keys.iter().any(|k| k.contains(key)), "{key} missing from {keys:?}");
    }
}

/// Issue 7's use-after-free: a copy made while marking (`S 0 at new`) holds the children of
/// an object nobody scans any more, and stored into an unscanned container it hid them from
/// the collector, which freed them: after enough iterations the string read back as empty.
#[test]
fn a_copy_made_while_marking_keeps_its_children() {
    let (mut vm, out) = vm();
    // A big heap keeps marking in progress for long stretches; the stress modes are
    // always marking or collect at every allocation, so a smaller run does there.
    let (big, iterations) = (scale(300_000, 2_000), scale(400_000, 3_000));
    vm.eval(
        "pi",
        "copy",
        &format!(
            "[ [ \"e\" \"f\" + ] ] 'S #
             [ {big} {{ [ 1 2 ] }} times ] 'big #
             0 'bad #
             {iterations} {{
               S 0 S 0 at new put drop
               S 0 at 0 at \"ef\" == not {{ bad 1 + 'bad # }} if
               [ 1 2 3 ] drop
             }} times
             bad print"
        ),
    )
    .unwrap();
    assert_eq!(out.text(), "0\n");
    assert!(vm.registry().gc_stats().collections > 0, "the collector ran meanwhile");
}

/// Issue 7's never-ending cycle: a big array that receives a store at every step must not
/// stop cycles from completing (it was rescanned whole after every store).
#[test]
fn cycles_complete_while_a_big_array_keeps_changing() {
    let (mut vm, out) = vm();
    let n = scale(600_000, 3_000);
    vm.eval(
        "rho",
        "push",
        &format!(
            "kept = []
             for n in range({n}) {{
               let s = \"abc\" + str(n)
               if n % 12 == 0 {{ push(kept, s) }}
             }}
             print(len(kept))"
        ),
    )
    .unwrap();
    assert_eq!(out.text(), format!("{}\n", n.div_ceil(12)));
    let stats = vm.registry().gc_stats();
    assert!(stats.collections >= 3, "cycles completed: {stats:?}");
    assert!(stats.live_objects < n / 2, "garbage was reclaimed along the way: {stats:?}");
}

/// A handle whose object was freed must never read as an ordinary value (it did: an empty
/// string, a falsy value, a catchable type error). It is an internal error that `try`
/// cannot catch, naming the handle and the operation.
#[test]
fn a_stale_handle_is_an_internal_error_try_cannot_catch() {
    let (mut vm, _) = vm();
    // The stress modes panic at a stale access, which is what they are for; this test
    // wants to see the error a normal run reports.
    vm.registry_mut().set_gc_stress(Stress::Off);
    vm.eval("pi", "make", "\"some text\" [ 1 2 ]").unwrap();
    let array = vm.pop().unwrap();
    let text = vm.pop().unwrap();
    vm.gc();
    for (value, program) in [
        (text, "{ print } { drop \"caught\" print } try"),
        (text, "{ { 1 } { 2 } ife } { drop } try"),
        (array, "{ 0 at } { drop } try"),
        (array, "{ size } { drop } try"),
    ] {
        vm.clear_stack();
        vm.push(value);
        let err = vm.eval("pi", "stale", program).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal, "{program}: {err}");
        assert!(err.message().contains("does not name a live"), "{}", err.message());
        assert!(err.message().contains(&format!("{:?}", value.handle().unwrap())), "{}", err.message());
        assert!(err.message().contains("(in "), "names the operation: {}", err.message());
    }
}

/// A native function's arguments stay on the stack while it runs, so a collection it
/// causes cannot free them.
#[test]
fn arguments_of_a_native_stay_rooted_while_it_runs() {
    let (mut vm, out) = vm();
    vm.register_native("collect_then_show", 1, |vm, args| {
        vm.gc();
        let text = vm.display(args[0]);
        Ok(vm.new_str(&text))
    })
    .unwrap();
    vm.eval("pi", "native", "[ \"a\" \"b\" ] [ \"c\" ] + collect_then_show print").unwrap();
    assert_eq!(out.text(), "[\"a\" \"b\" \"c\"]\n");
}

/// Compiled code keeps its string constants alive from compilation on, whatever runs in
/// between.
#[test]
fn compiled_code_keeps_its_constants_alive_until_it_is_dropped() {
    let (mut vm, out) = vm();
    let block = vm.compile("pi", "later", "\"kept\" print").unwrap();
    for _ in 0..3 {
        vm.gc();
    }
    vm.run(block.clone()).unwrap();
    assert_eq!(out.text(), "kept\n");
    let live = vm.registry().live_objects();
    drop(block);
    vm.gc();
    assert!(vm.registry().live_objects() < live, "dropping the code released its constants");
}

#[test]
fn the_stress_setting_follows_the_environment() {
    let (vm, _) = vm();
    let expected = match std::env::var("KAI_GC_STRESS") {
        Ok(v) => Stress::from_setting(&v),
        Err(_) => Stress::Off,
    };
    assert_eq!(vm.registry().gc_stress(), expected);
    assert_eq!(stress(), expected != Stress::Off);
}
