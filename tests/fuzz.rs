//! Property tests: no input makes the lexer, parser, compiler or executor panic or hang, and
//! printed Pi re-parses to the same tree.

use proptest::prelude::*;
use vm_core::{Limits, SourceId};

fn any_word() -> impl Strategy<Value = String> {
    // Not the words that touch the file system or read the terminal: a random program
    // must not write, make or delete anything where the tests run, nor wait for input.
    let words: Vec<String> = vm_core::words::WORDS
        .iter()
        .filter(|w| w.group != "files" && !matches!(w.name, "read_line" | "read_stdin"))
        .map(|w| w.name.to_string())
        .collect();
    prop_oneof![
        3 => proptest::sample::select(words),
        1 => proptest::sample::select(vec!["{".to_string(), "}".to_string(), "[".to_string(), "]".to_string()]),
        2 => (-5i64..20).prop_map(|n| n.to_string()),
        1 => proptest::sample::select(vec!["'x".to_string(), "x".to_string(), "'y".to_string(), "y".to_string(), "\"s\"".to_string(), "1.5".to_string(), "nil".to_string(), "true".to_string(), "\"\"".to_string()]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Arbitrary text never panics the parser (errors are fine).
    #[test]
    fn arbitrary_text_never_panics_the_parser(text in "\\PC{0,200}") {
        let _ = lang_pi::parse(&text, SourceId(0));
    }

    /// Arbitrary bytes-as-text with Pi's special characters never panic either.
    #[test]
    fn arbitrary_pi_like_text_never_panics(text in "[ {}\\[\\]\"\\\\'a-z0-9_.#@&!+*/%<>=|-]{0,120}") {
        let mut vm = lang_pi::new_vm();
        vm.set_limits(Limits { fuel: Some(20_000), max_depth: 2_000, max_stack: 10_000, max_heap: Some(8 << 20), ..Limits::new() });
        vm.set_output(Box::new(std::io::sink()));
        let _ = vm.eval("pi", "fuzz", &text);
    }

    /// Random programs from real words compile and run to an end or an error, never a
    /// panic or a hang; the VM stays usable.
    #[test]
    fn random_programs_never_panic(words in proptest::collection::vec(any_word(), 0..60)) {
        let program = words.join(" ");
        let mut vm = lang_pi::new_vm();
        vm.set_limits(Limits { fuel: Some(50_000), max_depth: 2_000, max_stack: 10_000, max_heap: Some(8 << 20), ..Limits::new() });
        vm.set_output(Box::new(std::io::sink()));
        let _ = vm.eval("pi", "fuzz", &program);
        vm.clear_stack();
        prop_assert!(vm.eval("pi", "after", "1 2 +").is_ok());
    }

    /// Random programs that lean on the words doing the most work per call (copies,
    /// scans, sorts, collections, string growth, handlers, evaluation) finish under
    /// `fuel: 100000` however they combine: fuel bounds their time (issue 8). A program
    /// that fuel did not bound would hang this test; the generous wall-clock bound only
    /// turns such a hang into a failure that names the program.
    #[test]
    fn random_heavy_programs_under_fuel_finish(words in proptest::collection::vec(heavy_word(), 0..40)) {
        // Each word runs under `try`, so that a type error does not end the program early.
        let program: Vec<String> = words.iter().map(|w| format!("{{ {w} }} {{ drop }} try")).collect();
        let program = program.join(" ");
        let mut vm = lang_pi::new_vm();
        lang_rho::install(&mut vm);
        vm.set_limits(Limits { fuel: Some(100_000), ..Limits::new() });
        vm.set_output(Box::new(std::io::sink()));
        let started = std::time::Instant::now();
        let _ = vm.eval("pi", "fuzz", &program);
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(60), "{program}\n  took {:?}", started.elapsed());
    }

    /// Printing a parsed program and parsing it again gives the same tree.
    #[test]
    fn printed_pi_reparses_to_the_same_tree(words in proptest::collection::vec(any_word(), 0..60)) {
        let program = words.join(" ");
        if let Ok(tree) = lang_pi::parse(&program, SourceId(0)) {
            let printed = lang_pi::print(&tree);
            let again = lang_pi::parse(&printed, SourceId(0));
            prop_assert!(again.is_ok(), "{printed}");
            prop_assert_eq!(again.unwrap(), tree);
        }
    }
}

/// Words and snippets that make values big or do much work per call, mixed with plain
/// words so that they meet every shape of operand.
fn heavy_word() -> impl Strategy<Value = String> {
    let heavy = [
        "dup +",
        "dup dup + +",
        "10 { dup + } times",
        "\"xy\"",
        "[1 2 3]",
        "dup clone",
        "dup concat",
        "sort",
        "str",
        "dup str",
        "gc",
        "\"x\" find",
        "dup size",
        "reverse",
        "[] tomap",
        "keys",
        "values",
        "{ dup } 20 times",
        "{ 1 throw } { drop } try",
        "\"1 2 +\" eval",
        "\"[1, 2]\" rho",
        "0 1000 range",
        "{ 2 * } map",
        "{ drop true } filter",
        "0 { + } fold",
        "\" \" split",
        "\",\" join",
        "1000 { 1 } times",
        "{ } 1000 times",
        "[] 1 1000 { push } for",
        "dup dup ==",
        "print",
        "\"ab\" 12 { dup + } times",
    ];
    prop_oneof![
        3 => proptest::sample::select(heavy.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        2 => any_word(),
    ]
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let deep = "{".repeat(100_000) + &"}".repeat(100_000);
    let err = lang_pi::parse(&deep, SourceId(0)).unwrap_err();
    assert!(err.message().contains("nest more than"), "{}", err.message());
    let ok = "[".repeat(lang_pi::MAX_NESTING) + &"]".repeat(lang_pi::MAX_NESTING);
    let mut vm = lang_pi::new_vm();
    assert!(vm.eval("pi", "nested", &ok).is_ok());
}

#[test]
fn long_operator_chains_are_parse_errors_not_stack_overflows() {
    // Each chain is one flat rule to pest but a level of the tree per operator; a tree this
    // deep overflowed the stack when it was dropped, even after it had been refused.
    let n = 100_000;
    let rho = [
        "!".repeat(n) + "true",
        "~".repeat(n) + "y",
        "- ".repeat(n) + "y",
        "f".to_string() + &"(1)".repeat(n),
        "a".to_string() + &"[0]".repeat(n),
        "a".to_string() + &".b".repeat(n),
        "1".to_string() + &" + 1".repeat(n),
    ];
    for text in rho {
        let mut vm = lang_rho::new_vm();
        let err = vm.eval("rho", "chain", &format!("x = {text}")).unwrap_err();
        assert_eq!(err.kind(), vm_core::ErrorKind::Parse, "{}", err.message());
    }
    let stark = [
        "not ".repeat(n) + "true",
        "- ".repeat(n) + "y",
        "f".to_string() + &"(1)".repeat(n),
        "a".to_string() + &"[0]".repeat(n),
        "a".to_string() + &".b".repeat(n),
        "1".to_string() + &" + 1".repeat(n),
        "true".to_string() + &" and true".repeat(n),
        // Just under the operator cap: built, refused for its depth, dropped.
        "1".to_string() + &" + 1".repeat(lang_stark::MAX_CHAIN - 1),
    ];
    for text in stark {
        let mut vm = lang_stark::new_vm();
        let err = vm.eval("stark", "chain", &format!("let x = {text}\n")).unwrap_err();
        assert_eq!(err.kind(), vm_core::ErrorKind::Parse, "{}", err.message());
    }
}

#[test]
fn printing_deep_and_cyclic_values_does_not_overflow() {
    // 100,000 levels would overflow any recursive walk; stress mode builds fewer.
    let depth = kai_tests::scale(100_000, 3_000);
    let mut vm = lang_pi::new_vm();
    vm.eval("pi", "deep", &format!("[] 1 {depth} {{ drop 1 toarray }} for dup str size")).unwrap();
    let size = vm.pop().unwrap();
    assert_eq!(size, vm_core::Value::Int(2 * depth as i64 + 2));
    vm.eval("pi", "cycle", "[1] dup dup push drop str").unwrap();
    let text = vm.pop().unwrap();
    assert_eq!(vm.display(text), "[1 [...]]");
    vm.eval("pi", "eq", &format!("[] 1 {depth} {{ drop 1 toarray }} for dup clone ==")).unwrap();
    assert_eq!(vm.pop(), Some(vm_core::Value::Bool(true)));
}
