//! Tests of the Pi frontend: parsing, printing and running small programs.

use vm_core::{ErrorKind, Vm};

use crate::{NodeKind, new_vm, parse, print};

/// Runs `src` and returns the final stack in repr form.
fn run(src: &str) -> String {
    let mut vm = new_vm();
    match vm.eval("pi", "test", src) {
        Ok(_) => stack(&vm),
        Err(err) => panic!("{src}: {err}"),
    }
}

fn stack(vm: &Vm) -> String {
    vm.stack().iter().map(|&v| vm.repr(v)).collect::<Vec<_>>().join(" ")
}

fn fails(src: &str) -> (ErrorKind, String) {
    let mut vm = new_vm();
    match vm.eval("pi", "test", src) {
        Ok(_) => panic!("{src}: expected an error, got {}", stack(&vm)),
        Err(err) => (err.kind(), err.message().to_string()),
    }
}

#[test]
fn spec_examples_of_continuations() {
    assert_eq!(run("{ dup * } 'sq # 5 sq &"), "25");
    assert_eq!(run("{ dup * } 'sq # 5 'sq @ &"), "25");
    assert_eq!(run("{ 1 2 + } ! 99"), "3");
    assert_eq!(run("{ 1 { 2 } ! 3 } & 4"), "1 2 4");
    assert_eq!(run("{ 1 ... 2 } & 3"), "1 3");
    assert_eq!(run("{ 1 { 2 ... 3 } & 4 } &"), "1 2 4");
    assert_eq!(run("1 { 'x # { x } } & &"), "1");
    assert_eq!(run("{ dup 0 == { drop 1 } { dup 1 - fact & * } ife } 'fact # 5 fact &"), "120");
}

#[test]
fn literals_and_arithmetic() {
    assert_eq!(run("1 2 + 3 *"), "9");
    assert_eq!(run("0x1F 1_000 -7"), "31 1000 -7");
    assert_eq!(run("1.5 -2.25 1e9 6.02e-23"), "1.5 -2.25 1000000000.0 6.02e-23");
    assert_eq!(run(r#""a\n\u{1F600}""#), "\"a\\n😀\"");
    assert_eq!(run("[1 2 +] [1 \"a\" true 2.5] size"), "[3] 4");
    assert_eq!(run("7 2 / -7 2 / -7 2 %"), "3 -3 -1");
    assert_eq!(run("1 1.0 =="), "true");
}

#[test]
fn parse_errors_name_positions() {
    let err = parse("1 { 2\n [ 3 }", vm_core::SourceId(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    // The mismatched pair is named; the `{` the `}` closes is not reported as unclosed.
    assert_eq!(err.message(), "'[' opened at 2:2 is closed by '}' at 2:6; expected ']'");
    assert!(err.related().is_empty(), "{:?}", err.related());
    let err = parse("{ [ }", vm_core::SourceId(0)).unwrap_err();
    assert_eq!(err.message(), "'[' opened at 1:3 is closed by '}' at 1:5; expected ']'");
    let err = parse("{ ]", vm_core::SourceId(0)).unwrap_err();
    assert_eq!(err.message(), "'{' opened at 1:1 is closed by ']' at 1:3; expected '}'");
    let err = parse("\"abc\\q\"", vm_core::SourceId(0)).unwrap_err();
    assert!(err.message().contains("unknown escape"), "{}", err.message());
    let err = parse("1 2 }", vm_core::SourceId(0)).unwrap_err();
    assert!(err.message().contains("unexpected '}'"), "{}", err.message());
}

#[test]
fn printing_round_trips() {
    let src = "{ dup 0 == { drop 1 } { dup 1 - fact & * } ife } 'fact # 5 fact & \"x\\n\" 2.0 [1 2]";
    let ast = parse(src, vm_core::SourceId(0)).unwrap();
    let printed = print(&ast);
    assert_eq!(parse(&printed, vm_core::SourceId(0)).unwrap(), ast, "{printed}");
    assert!(matches!(ast[0].kind, NodeKind::Block(_)));
}

#[test]
fn errors_have_kinds() {
    assert_eq!(fails("1 0 /").0, ErrorKind::DivisionByZero);
    assert_eq!(fails("drop").0, ErrorKind::Stack);
    assert_eq!(fails("\"a\" 1 +").0, ErrorKind::Type);
    assert_eq!(fails("foo").0, ErrorKind::Undefined);
    assert_eq!(fails("1 'dup #").0, ErrorKind::Type);
    assert_eq!(fails("9223372036854775807 1 +").0, ErrorKind::Overflow);
}
