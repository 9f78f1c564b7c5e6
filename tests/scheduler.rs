//! The scheduler under random programs, and what the scripts cannot see: output order,
//! stderr reports, the embedding API.
//!
//! Random programs of tasks that send, receive and yield on a few small channels must
//! either finish or end in a `deadlock` error that names every blocked task; never hang,
//! never panic, never any other error.

use std::time::Duration;

use kai_tests::{scale, vm};
use proptest::prelude::*;
use vm_core::{ErrorKind, Limits, Value};

/// One step of a task.
#[derive(Clone, Debug)]
enum Step {
    Send(usize, i64),
    Recv(usize),
    Yield,
    Close(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..100i64).prop_map(|(c, v)| Step::Send(c, v)),
        4 => (0..3usize).prop_map(Step::Recv),
        2 => Just(Step::Yield),
        1 => (0..3usize).prop_map(Step::Close),
    ]
}

/// The Pi of some steps. A `send` on a closed channel is caught (it is a `closed` error,
/// which the test does not look for); `recv` drops what it got.
fn pi(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Send(c, v) => format!("{{ {v} c{c} send }} {{ drop }} try"),
            Step::Recv(c) => format!("c{c} recv drop"),
            Step::Yield => "yield".to_string(),
            Step::Close(c) => format!("c{c} close"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn program(capacities: &[usize], tasks: &[Vec<Step>], main: &[Step]) -> String {
    let mut text = String::new();
    for (i, cap) in capacities.iter().enumerate() {
        text.push_str(&format!("{cap} channel 'c{i} #\n"));
    }
    text.push_str("[] 'futures #\n");
    for steps in tasks {
        text.push_str(&format!("futures {{ {} }} spawn push drop\n", pi(steps)));
    }
    text.push_str(&pi(main));
    text.push_str("\nfutures { await drop } each\n");
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: scale(96, 16) as u32, ..ProptestConfig::default() })]

    #[test]
    fn random_task_programs_finish_or_report_a_deadlock(
        capacities in proptest::collection::vec(1..3usize, 3),
        tasks in proptest::collection::vec(proptest::collection::vec(step(), 0..8), 0..6),
        main in proptest::collection::vec(step(), 0..6),
    ) {
        let source = program(&capacities, &tasks, &main);
        let (mut vm, _) = vm();
        // The guard against a hang: a program of a few dozen steps needs far less.
        vm.set_limits(Limits { deadline: Some(Duration::from_secs(10)), ..Limits::new() });
        match vm.eval("pi", "random", &source) {
            Ok(_) => {}
            Err(err) => {
                prop_assert_eq!(err.kind(), ErrorKind::Deadlock, "{}\n{}", source, err.message());
                prop_assert!(err.message().starts_with("every task is blocked:"), "{}", err.message());
                prop_assert!(err.message().contains("the main task"), "{}", err.message());
            }
        }
        // The VM stays usable after either.
        vm.clear_stack();
        vm.eval("pi", "after", "1 2 +").unwrap();
        prop_assert_eq!(vm.stack(), &[Value::Int(3)][..]);
    }
}

#[test]
fn the_spec_example_prints_a_b_a_b() {
    let (mut vm, out) = vm();
    let source = r#"{ "a" print yield "a" print } spawn 'f # { "b" print yield "b" print } spawn 'g #
f await drop g await drop"#;
    vm.eval("pi", "spec", source).unwrap();
    assert_eq!(out.text(), "a\nb\na\nb\n");
}

#[test]
fn an_unawaited_failing_task_is_reported_on_stderr_unless_cancelled() {
    let (mut vm, _) = vm();
    let err = kai_tests::Capture::default();
    vm.set_error_output(Box::new(err.clone()));
    vm.eval("pi", "fails", r#"{ "boom" throw } spawn drop 5 sleep"#).unwrap();
    let report = err.text();
    assert!(report.contains("error in a task nobody awaits: user: boom"), "{report}");
    assert!(report.contains("fails:1:"), "the report has the trace: {report}");
    // A cancelled task's end is not an error to report.
    let err = kai_tests::Capture::default();
    vm.set_error_output(Box::new(err.clone()));
    vm.eval("pi", "cancelled", "{ 1000 sleep } spawn 'f # yield f cancel 5 sleep").unwrap();
    assert_eq!(err.text(), "");
}

#[test]
fn an_external_future_completed_from_another_thread_wakes_its_task() {
    let (mut vm, _) = vm();
    let (future, completer) = vm.external_future();
    vm.set_global("ext", future).unwrap();
    let worker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        completer.complete(|vm| Ok(vm.new_str("from afar")));
    });
    vm.eval("pi", "ext", "ext await").unwrap();
    worker.join().unwrap();
    assert_eq!(vm.display(vm.stack()[0]), "from afar");
    // A completer dropped without completing fails its future: no task waits forever.
    let (future, completer) = vm.external_future();
    vm.set_global("lost", future).unwrap();
    drop(completer);
    let err = vm.eval("pi", "lost", "lost await").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
}

#[test]
fn limits_stop_a_program_of_many_tasks() {
    let (mut vm, _) = vm();
    vm.set_limits(Limits { fuel: Some(200_000), ..Limits::new() });
    let err = vm.eval("pi", "spinners", "1 4 range { drop { { true } { } while } spawn drop } each 1 channel recv");
    let err = err.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    // Every task of the run ended with it: the next run has nothing left to run.
    vm.set_limits(Limits::new());
    assert!(vm.tasks().is_empty(), "{:?}", vm.tasks());
    vm.set_limits(Limits { deadline: Some(Duration::from_millis(100)), ..Limits::new() });
    let err = vm.eval("pi", "deadline", "{ { true } { } while } spawn drop 1 channel recv").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert!(err.message().contains("deadline"), "{}", err.message());
}
