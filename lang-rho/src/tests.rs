//! Tests of the Rho frontend: parsing, translation and running small programs.

use vm_core::{ErrorKind, SourceId, Value, Vm};

use crate::{new_vm, to_pi};

fn vm_with_output() -> (Vm, std::rc::Rc<std::cell::RefCell<Vec<u8>>>) {
    #[derive(Clone)]
    struct Out(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Out {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut vm = new_vm();
    vm.set_output(Box::new(Out(buffer.clone())));
    (vm, buffer)
}

/// Runs Rho and returns what it printed.
fn output(src: &str) -> String {
    let (mut vm, out) = vm_with_output();
    if let Err(err) = vm.eval("rho", "test", src) {
        panic!("{src}\n  failed: {err:?}");
    }
    String::from_utf8(out.borrow().clone()).unwrap()
}

fn failure(src: &str) -> vm_core::Error {
    let (mut vm, _) = vm_with_output();
    vm.eval("rho", "test", src).expect_err("should fail")
}

fn pi(src: &str) -> String {
    lang_pi::print(&to_pi(src, SourceId(0), false, &Default::default()).unwrap())
}

#[test]
fn the_spec_example_runs() {
    let src = r#"
fun square(x) { return x * x }
result = square(5)            // 25
fun fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }
let xs = [1, 2, 3]
for x in xs { print(x) }
m = {"a": 1, "b": 2}
print(m.a + m["b"])
adder = fun(k) { return fun(x) { return x + k } }   // closures
assert adder(2)(40) == 42
five = pi { 2 3 + }            // embedded Pi: 5
print(result, fact(10), five)
"#;
    assert_eq!(output(src), "1\n2\n3\n3\n25 3628800 5\n");
}

#[test]
fn statements_need_separators_but_blocks_end_themselves() {
    assert_eq!(output("fun f(c) { if c { return 1 } return 2 }\nprint(f(true), f(false))"), "1 2\n");
    assert_eq!(output("x = 1; y = 2;; print(x + y)"), "3\n");
    assert_eq!(output("if false {\n  print(1)\n}\nelse {\n  print(2)\n}"), "2\n");
    let err = failure("x = 1 y = 2");
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.message().contains("a new line or `;` between statements"), "{}", err.message());
}

#[test]
fn a_parameter_never_overwrites_a_callers_variable() {
    assert_eq!(output("x = 10\nfun f(x) { x = x + 1; return x }\nprint(f(1), x)"), "2 10\n");
    assert_eq!(output("n = 5\nfun g() { let n = 1; return n }\nprint(g(), n)"), "1 5\n");
    // Assignment without let updates the global (SPEC §2.4).
    assert_eq!(output("hits = 0\nfun bump() { hits = hits + 1 }\nbump()\nbump()\nprint(hits)"), "2\n");
}

#[test]
fn loops_break_continue_and_return() {
    assert_eq!(output("for i in range(0, 10) { if i == 2 { continue } if i == 5 { break } print(i) }"), "0\n1\n3\n4\n");
    assert_eq!(
        output("fun first(xs) { for x in xs { if x > 2 { return x } } return nil }\nprint(first([1, 5, 3]))"),
        "5\n"
    );
    assert_eq!(output("i = 0\ndo { i += 1; if i == 2 { continue } print(i) } while i < 4"), "1\n3\n4\n");
    assert_eq!(output("for i = 0; i < 3; i += 1 { print(i) }"), "0\n1\n2\n");
    assert_eq!(output("s = 0\nfor k in {\"a\": 1, \"b\": 2} { s += 1; print(k) }"), "a\nb\n");
}

#[test]
fn chained_comparisons_are_a_parse_error() {
    let err = failure("print(1 < 2 < 3)");
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.message().contains("do not chain"), "{}", err.message());
    assert_eq!(output("print((1 < 2) == true)"), "true\n");
}

#[test]
fn parse_errors_say_what_was_expected() {
    let err = failure("fun f(x) {\n  if x {\n    return 1\n");
    assert!(err.message().contains("expected `}` to close the block opened at 2:8"), "{}", err.message());
    let err = failure("x = (1 + ");
    assert!(err.message().contains("expected `)`"), "{}", err.message());
    let err = failure("let = 3");
    assert!(err.message().contains("a name"), "{}", err.message());
}

#[test]
fn builtins_are_checked_when_translating() {
    let err = failure("push([1])");
    assert_eq!(err.kind(), ErrorKind::Arity);
    assert!(err.message().contains("'push' takes 2 arguments but is given 1"), "{}", err.message());
    let err = failure("fun find(x) { return x }");
    assert!(err.message().contains("cannot bind 'find'"), "{}", err.message());
    assert_eq!(output("a = [1, 2]\nprint(pop(a), a)"), "2 [1]\n");
    assert_eq!(output("print(map([1, 2], str), len(\"héllo\"))"), "[\"1\" \"2\"] 5\n");
}

#[test]
fn functions_check_their_arity_and_results() {
    let err = failure("fun f(a, b) { return a }\nf(1)");
    assert_eq!(err.kind(), ErrorKind::Arity);
    assert!(err.message().contains("function 'f' takes 2 arguments but was given 1"), "{}", err.message());
    let err = failure("k = pi { { 1 2 } }\nk()");
    assert_eq!(err.kind(), ErrorKind::Arity);
    let err = failure("x = pi { 1 2 }");
    assert_eq!(err.kind(), ErrorKind::Arity);
}

#[test]
fn runtime_errors_point_at_the_rho_source() {
    let (mut vm, _) = vm_with_output();
    let err = vm.eval("rho", "prog.rho", "fun inv(x) {\n  return 1 / x\n}\ny = inv(0)").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DivisionByZero);
    assert_eq!(vm.sources().describe(err.span().unwrap()), "prog.rho:2:10");
    let names: Vec<_> = err.trace().iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, vec![Some("inv".to_string()), None]);
}

#[test]
fn try_catch_and_throw() {
    assert_eq!(output("try { x = 1 / 0 } catch e { print(e.kind) }"), "division-by-zero\n");
    assert_eq!(output("try { throw \"oops\" } catch e { print(e.message) }"), "oops\n");
}

#[test]
fn the_rho_word_evaluates_an_expression() {
    let mut vm = new_vm();
    vm.eval("pi", "t", "\"1 + 2 * 3\" rho").unwrap();
    assert_eq!(vm.pop(), Some(Value::Int(7)));
}

#[test]
fn translation_is_readable_pi() {
    let printed = pi("fun fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }");
    assert!(printed.contains("'n let"), "{printed}");
    assert!(printed.contains("1 fn 'fact let"), "{printed}");
}

/// The Pi a program translates to, as `kai translate` prints it.
fn translation(src: &str) -> String {
    match to_pi(src, SourceId(0), false, &Default::default()) {
        Ok(nodes) => lang_pi::print(&nodes),
        Err(err) => panic!("{src}\n  failed: {err:?}"),
    }
}

#[test]
fn snapshot_functions_and_recursion() {
    insta::assert_snapshot!(translation(
        "fun fib(n) {\n  if n < 2 { return n }\n  return fib(n - 1) + fib(n - 2)\n}\nprint(fib(20))"
    ));
}

#[test]
fn snapshot_closures() {
    insta::assert_snapshot!(translation(
        "fun counter() {\n  let n = 0\n  return fun() { n += 1; return n }\n}\nc = counter()\nadder = fun(k) { return fun(x) { return x + k } }\nprint(c(), c(), adder(2)(40))"
    ));
}

#[test]
fn snapshot_loops() {
    insta::assert_snapshot!(translation(
        "total = 0\nfor i in range(10) { if i % 2 == 0 { continue } total += i }\nwhile total > 0 { total -= 7 }\ndo { total += 1; if total == 3 { continue } } while total < 5\nfor i = 0; i < 3; i += 1 { print(i) }\nfor ch in \"abc\" { print(ch) }"
    ));
}

#[test]
fn snapshot_data_and_assignment() {
    insta::assert_snapshot!(translation(
        "m = {\"a\": 1, \"b\": [1, 2]}\nm.a += 10\nm[\"b\"][0] = 5\nxs = []\npush(xs, m.a)\nlast = pop(xs)\nprint(format(\"{} and {}\", last, m), len(m))"
    ));
}

#[test]
fn snapshot_errors_and_logic() {
    insta::assert_snapshot!(translation(
        "fun safe(a, b) {\n  try { return a / b } catch e { print(e.kind); return nil }\n}\nok = safe(1, 0) == nil && !false || 1 < 2\nassert ok\nif !ok { throw {\"kind\": \"user\", \"message\": \"no\"} }\nfive = pi { 2 3 + }"
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// Arbitrary text never panics the parser or the translator.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = to_pi(&text, SourceId(0), false, &Default::default());
    }

    /// Rho-like text (keywords, operators, brackets, names) never panics either, and
    /// whatever translates prints as Pi that parses back to the same tree.
    #[test]
    fn rho_like_text_translates_to_pi_that_reparses(words in proptest::collection::vec(rho_token(), 0..40)) {
        let text = words.join(" ");
        if let Ok(nodes) = to_pi(&text, SourceId(0), false, &Default::default()) {
            let printed = lang_pi::print(&nodes);
            let again = lang_pi::parse(&printed, SourceId(0));
            proptest::prop_assert!(again.is_ok(), "{}", printed);
            proptest::prop_assert_eq!(again.unwrap(), nodes);
        }
    }
}

fn rho_token() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let tokens: Vec<&str> = vec![
        "fun", "f", "(", ")", "{", "}", "[", "]", ",", "x", "y", "=", "let", "return", "if", "else", "while", "for",
        "in", "do", "try", "catch", "e", "+", "-", "*", "/", "<", "==", "&&", "||", "!", "1", "2.5", "\"s\"", "true",
        "nil", "\n", ";", ".", "a", ":", "print", "len", "range", "break", "continue", "+=", "pi", "assert", "throw",
    ];
    proptest::sample::select(tokens).prop_map(str::to_string)
}

/// The longest chains the parser accepts are built, translated, run and dropped on a thread
/// with a quarter of the default stack (512 KiB).
#[test]
fn the_longest_chains_need_little_stack() {
    let chain = format!("0{}", " + 1".repeat(crate::MAX_CHAIN));
    let else_ifs: String = (1..5000).map(|i| format!(" else if x == {i} {{ y = {i} }}")).collect();
    let program = format!("x = 4999\nif x == 0 {{ y = 0 }}{else_ifs}\nz = {chain}\nprint(y, z)");
    let handle = std::thread::Builder::new().stack_size(512 * 1024).spawn(move || output(&program)).expect("a thread");
    assert_eq!(handle.join().expect("no stack overflow"), format!("4999 {}\n", crate::MAX_CHAIN));
    let err = failure(&format!("z = 0{}", " + 1".repeat(crate::MAX_CHAIN + 1)));
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.message().contains("more than 10000 operators"), "{}", err.message());
}

#[test]
fn else_if_chains_become_one_flat_ifs() {
    let printed = pi("if a { x = 1 } else if b { x = 2 } else { x = 3 }");
    assert!(printed.contains("3 ifs"), "{printed}");
    assert_eq!(output("a = 2\nif a == 1 { print(1) } else if a == 2 { print(2) } else { print(3) }"), "2\n");
    assert_eq!(output("a = 5\nif a == 1 { print(1) } else if a == 2 { print(2) }\nprint(0)"), "0\n");
}

#[test]
fn a_callee_is_evaluated_before_its_arguments() {
    // `g(…)` whose argument rebinds g calls the old g.
    let src = "fun g(x) { return 1 }\nfun r() { g = fun(x) { return 2 }; return 0 }\nprint(g(r()), g(0))";
    assert_eq!(output(src), "1 2\n");
    // A pure argument keeps the short form `args n f call`.
    assert!(pi("f(x + 1)").contains("x 1 + 1 f call"), "{}", pi("f(x + 1)"));
    assert!(pi("f(g(1))").contains("f 1 1 g call 1 roll 1 swap call"), "{}", pi("f(g(1))"));
}

/// Every Pi word a built-in function becomes is a word Pi has (or one of the structural
/// tokens the translation writes), so a renamed or removed Pi word cannot leave a Rho
/// built-in that fails only when called.
#[test]
fn every_pi_word_named_by_a_builtin_exists() {
    use crate::builtins::{BUILTINS, Shape};
    let structural = ["[", "]", "{", "}"];
    for builtin in BUILTINS {
        let words: &[&str] = match builtin.shape {
            Shape::Words(words) | Shape::Effect(words) | Shape::Single(words) | Shape::Collect(words) => words,
            Shape::Print | Shape::Format | Shape::Range => &[],
        };
        for word in words {
            let known =
                vm_core::words::lookup(word).is_some() || structural.contains(word) || word.parse::<i64>().is_ok();
            assert!(known, "Rho's {}() becomes '{word}', which is not a Pi word", builtin.name);
        }
    }
}

/// Two built-in functions of one name would leave the second unreachable.
#[test]
fn every_builtin_function_has_its_own_name() {
    let mut seen = std::collections::HashSet::new();
    for builtin in crate::builtins::BUILTINS {
        assert!(seen.insert(builtin.name), "two built-in functions are named '{}'", builtin.name);
    }
}

/// Every built-in function is in the reference (docs/stdlib.md), the Rho guide or the
/// scheduler's guide (docs/scheduler.md).
#[test]
fn every_builtin_function_is_documented() {
    let read = |file: &str| std::fs::read_to_string(format!("{}/../docs/{file}", env!("CARGO_MANIFEST_DIR")));
    let docs = ["stdlib.md", "rho.md", "scheduler.md"].map(|file| read(file).unwrap_or_default()).concat();
    // The names inside code spans (`keys values has` names three).
    let named: std::collections::HashSet<&str> = docs
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .collect();
    for builtin in crate::builtins::BUILTINS {
        assert!(named.contains(builtin.name), "'{}' is in none of docs/stdlib.md, rho.md, scheduler.md", builtin.name);
    }
}
