//! The `kai` command as a user drives it: running files and `-e` code, exit codes, the
//! diagnostics printed for failures, limit flags, `kai test` and `kai words`.

use kai_tests::{kai, root};

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

#[test]
fn run_eval_prints_and_exits_zero() {
    let run = kai(&["run", "-e", "2 3 + print"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "5\n", ""));
}

#[test]
fn print_stack_shows_the_final_stack_in_repr_form() {
    let run = kai(&["run", "--print-stack", "-e", "1 \"a\" [2.0]"]);
    assert_eq!(run.stdout, "1 \"a\" [2.0]\n");
}

#[test]
fn exit_sets_the_process_exit_code() {
    assert_eq!(kai(&["run", "-e", "3 exit 4 print"]).code, 3);
    assert_eq!(kai(&["run", "-e", "0 exit"]).code, 0);
}

#[test]
fn program_arguments_are_the_global_args() {
    let run = kai(&["run", "-e", "args print args size print"]);
    assert_eq!(run.stdout, "[]\n0\n");
    let run = kai(&["run", "-e", "args print", "x", "--flag"]);
    assert_eq!(run.stdout, "[\"x\" \"--flag\"]\n");
}

#[test]
fn a_runtime_error_prints_kind_message_position_caret_and_trace() {
    let run = kai(&["run", "-e", "{ 1 0 / } 'boom #\n{ boom & } 'outer #\nouter &"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let err = run.stderr;
    assert!(err.contains("division-by-zero error"), "{err}");
    assert!(err.contains("division by zero"), "{err}");
    assert!(err.contains("[-e:1:7]"), "{err}");
    assert!(err.contains("{ 1 0 / } 'boom #"), "the source line is shown: {err}");
    assert!(err.contains('┬') || err.contains('^'), "a caret marks the spot: {err}");
    assert!(err.contains("at boom (-e:1:7)"), "{err}");
    assert!(err.contains("at outer (-e:2:3)"), "{err}");
    assert!(err.contains("at <top level> (-e:3:1)"), "{err}");
}

#[test]
fn a_diagnostic_on_a_huge_line_shows_a_window_of_it() {
    // 70,000 code points before the error: more than miette can lay out in one line.
    let src = format!("\"{}\" 1 0 /", "a".repeat(70_000));
    let run = kai(&["run", "-e", &src]);
    assert_eq!(run.code, 1);
    let err = run.stderr;
    assert!(err.contains("[-e:1:70008]"), "{err}");
    assert!(err.contains("at <top level> (-e:1:70008)"), "{err}");
    assert!(err.contains("…aaaa"), "the line is cut, and says so: {err}");
    assert!(err.lines().all(|line| line.chars().count() < 300), "{err}");
    let src = format!("x = \"{}\"\ny = [\n  1 +\n", "b".repeat(70_000));
    let run = kai(&["run", "--lang", "rho", "-e", &src]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("parse error"), "{}", run.stderr);
}

#[test]
fn diagnostic_columns_count_code_points() {
    let run = kai(&["run", "--lang", "rho", "-e", "s = \"😀é\"; x = 1 / 0"]);
    assert!(run.stderr.contains("[-e:1:15]"), "{}", run.stderr);
    assert!(run.stderr.contains("at <top level> (-e:1:15)"), "{}", run.stderr);
    let run = kai(&["run", "--lang", "rho", "-e", "x = 1\r\ny = 1 / 0\r\n"]);
    assert!(run.stderr.contains("[-e:2:5]"), "{}", run.stderr);
    assert!(run.stderr.contains("2 │ y = 1 / 0"), "{}", run.stderr);
}

#[test]
fn a_parse_error_reports_every_problem() {
    let run = kai(&["run", "-e", "{ 1 \"x\\q\" ]"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unknown escape '\\q'"), "{}", run.stderr);
    assert!(run.stderr.contains("'{' opened at 1:1 is closed by ']'"), "{}", run.stderr);
}

#[test]
fn an_unreadable_file_is_a_clear_error() {
    let run = kai(&["run", "/no/such/file.pi"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot read /no/such/file.pi"), "{}", run.stderr);
}

#[test]
fn an_unknown_extension_asks_for_lang() {
    let run = kai(&["run", "Cargo.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--lang"), "{}", run.stderr);
}

#[test]
fn bad_usage_exits_two() {
    assert_eq!(kai(&["run"]).code, 2);
    assert_eq!(kai(&["frobnicate"]).code, 2);
    assert_eq!(kai(&["run", "--fuel", "lots", "-e", "1"]).code, 2);
}

#[test]
fn limit_flags_stop_runaway_programs() {
    let run = kai(&["run", "--fuel", "10000", "-e", "{ true } { } while"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fuel exhausted"), "{}", run.stderr);

    let run = kai(&["run", "--max-depth", "50", "-e", "{ r & } 'r # r &"]);
    assert!(run.stderr.contains("context depth limit of 50"), "{}", run.stderr);

    let run = kai(&["run", "--max-stack", "1000", "-e", "{ true } { 1 } while"]);
    assert!(run.stderr.contains("data stack limit of 1000"), "{}", run.stderr);

    let run = kai(&["run", "--deadline", "50", "-e", "{ true } { } while"]);
    assert!(run.stderr.contains("deadline of 50 ms"), "{}", run.stderr);

    let run = kai(&["run", "--max-heap", "2000000", "-e", "[] 'a # { true } { a 0 1000 range push drop } while"]);
    assert!(run.stderr.contains("heap limit"), "{}", run.stderr);
}

#[test]
fn examples_run() {
    for (file, expected) in [
        ("fib.pi", "6765\n"),
        ("primes.pi", "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47\n"),
        ("counter.pi", "1\n2\n3\n1\n"),
    ] {
        let run = kai(&["run", &example(file)]);
        assert_eq!((run.code, run.stdout.as_str()), (0, expected), "{file}: {}", run.stderr);
    }
    let run = kai(&["run", &example("errors.pi")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("caught division-by-zero"), "{}", run.stdout);
}

#[test]
fn kai_test_counts_passes_and_failures() {
    let dir = std::env::temp_dir().join(format!("kai-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.pi"), "1 1 + 2 == assert").unwrap();
    std::fs::write(dir.join("bad.pi"), "1 2 == assert").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a script").unwrap();
    let run = kai(&["test", &dir.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("1 passed, 1 failed"), "{}", run.stdout);
    assert!(run.stderr.contains("assertion failed"), "{}", run.stderr);
}

#[test]
fn kai_test_runs_files_and_directories() {
    let stack = root().join("tests/scripts/pi/stack.pi").display().to_string();
    let dir = std::env::temp_dir().join(format!("kai-test-dir-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("a.pi"), "1 1 + 2 == assert").unwrap();
    std::fs::write(dir.join("nested/b.rho"), "assert len(args) == 0").unwrap();
    let run = kai(&["test", &stack, &dir.display().to_string(), &example("fib.rho")]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("4 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn kai_test_gives_scripts_an_empty_input() {
    let files = root().join("tests/scripts/pi/files.pi").display().to_string();
    let rho = root().join("tests/scripts/rho/files.rho").display().to_string();
    let run = kai(&["test", &files, &rho]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn words_lists_every_builtin_with_its_effect() {
    let run = kai(&["words"]);
    assert_eq!(run.code, 0);
    for word in vm_core::words::WORDS {
        assert!(run.stdout.contains(word.name), "{} missing", word.name);
    }
    assert!(run.stdout.contains("( a -- a a )"));
}

#[test]
fn trace_flag_is_accepted_and_log_runs() {
    let run = kai(&["run", "--trace", "-e", "\"hello\" log 3 \"m\" metric \"s\" { 1 print } span"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "1\n");
}

#[test]
fn rho_examples_run() {
    let run = kai(&["run", &example("fib.rho")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("9 34\nfib(20) = 6765\n"), "{}", run.stdout);
    let run = kai(&["run", &example("closures.rho")]);
    assert_eq!(run.stdout, "a: 3 b: 1\n[11 12 13]\n21 hey!!\n", "{}", run.stderr);
    let words = example("words.txt");
    let run = kai(&["run", &example("wordfreq.rho"), &words]);
    assert_eq!(run.stdout, "5 the\n3 dog\n3 fox\n2 a\n2 lazy\n", "{}", run.stderr);
    let run = kai(&["run", &example("errors.rho")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("caught user: cannot divide by zero"), "{}", run.stdout);
    assert!(run.stdout.contains("missing user 42"), "{}", run.stdout);
    // A program with a module of its own (stats.rho), format, sort_by and JSON.
    let run = kai(&["run", &example("report.rho"), &example("scores.json")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "player   games    mean  spread  best\n\
         chen         5   87.00    4.77    93\n\
         ada          4   86.25    7.12    95\n\
         dora         3   71.33   18.37    97\n\
         brian        3   71.00    2.45    74\n\
         {\n  \"players\": 4,\n  \"leader\": \"chen\",\n  \"median\": 82,\n  \"mean\": 80\n}\n"
    );
}

#[test]
fn translated_rho_runs_the_same_as_the_rho() {
    let dir = std::env::temp_dir().join(format!("kai-translate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["fib.rho", "closures.rho", "errors.rho"] {
        let rho = kai(&["run", &example(name)]);
        let translated = kai(&["translate", &example(name)]);
        assert_eq!(translated.code, 0, "{}", translated.stderr);
        let pi_file = dir.join(name.replace(".rho", ".pi"));
        std::fs::write(&pi_file, &translated.stdout).unwrap();
        let pi = kai(&["run", &pi_file.display().to_string()]);
        assert_eq!((pi.code, &pi.stdout), (rho.code, &rho.stdout), "{name}:\n{}", translated.stdout);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rho_from_the_command_line_and_its_errors() {
    let run = kai(&["run", "--lang", "rho", "-e", "x = 6 * 7\nprint(x)"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "42\n"), "{}", run.stderr);
    let run = kai(&["run", "--lang", "rho", "-e", "fun inv(x) {\n  return 1 / x\n}\nprint(inv(0))"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("[-e:2:10]"), "{}", run.stderr);
    assert!(run.stderr.contains("return 1 / x"), "{}", run.stderr);
    assert!(run.stderr.contains("at inv (-e:2:10)"), "{}", run.stderr);
    let run = kai(&["run", "--lang", "rho", "-e", "fun f(x) {\n  if x {\n    return 1\n"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("expected `}` to close the block opened at 2:8"), "{}", run.stderr);
    let run = kai(&["translate", "/no/such.rho"]);
    assert_eq!(run.code, 1);
}

// ---- issue 8: wrong exit codes, runaway tools, errors that did not explain ---------------

#[test]
fn an_exit_code_outside_a_byte_is_an_error_not_a_success() {
    for code in ["256", "-1", "-9223372036854775808"] {
        let run = kai(&["run", "-e", &format!("{code} exit")]);
        assert_eq!(run.code, 1, "{code}: {}", run.stderr);
        assert!(run.stderr.contains("from 0 to 255"), "{}", run.stderr);
    }
    assert_eq!(kai(&["run", "-e", "255 exit"]).code, 255);
}

#[test]
fn kai_test_visits_each_real_directory_once_through_symlink_loops() {
    let dir = std::env::temp_dir().join(format!("kai-test-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("one.pi"), "1 1 + 2 == assert").unwrap();
    for link in ["l1", "l2"] {
        let _ = std::fs::remove_file(dir.join(link));
        std::os::unix::fs::symlink(".", dir.join(link)).unwrap();
    }
    let run = kai(&["test", &dir.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("1 passed, 0 failed\n"), "{}", run.stdout);
}

#[test]
fn kai_test_stops_a_runaway_script_and_goes_on() {
    // (Every script gets a heap limit, 1 GiB unless --max-heap says otherwise; the unit
    // tests of `kai test` check the default, this one a smaller limit at work.)
    let dir = std::env::temp_dir().join(format!("kai-test-heap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("huge.pi"), "\"a\" 40 { dup + } times").unwrap();
    std::fs::write(dir.join("fine.pi"), "[ 1 2 ] size 2 == assert").unwrap();
    let run = kai(&["test", "--max-heap", "50000000", &dir.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(run.stdout.ends_with("1 passed, 1 failed\n"), "{}", run.stdout);
    assert!(run.stderr.contains("limit error"), "{}", run.stderr);
}

#[test]
fn kai_test_says_a_missing_path_does_not_exist() {
    let run = kai(&["test", "/nonexistent/kai-scripts"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("/nonexistent/kai-scripts does not exist"), "{}", run.stderr);
}

#[test]
fn eval_takes_code_that_starts_with_a_minus() {
    let run = kai(&["run", "-e", "-5 print"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "-5\n"), "{}", run.stderr);
}

#[test]
fn an_unknown_language_names_the_valid_ones() {
    let run = kai(&["run", "--lang", "cobol", "-e", "1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown language 'cobol'") && run.stderr.contains("pi, rho"), "{}", run.stderr);
}

#[test]
fn invalid_utf8_in_a_source_file_says_where() {
    let path = std::env::temp_dir().join(format!("kai-utf8-{}.pi", std::process::id()));
    std::fs::write(&path, b"1 2 +\n3 \xff print\n").unwrap();
    let run = kai(&["run", &path.display().to_string()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not UTF-8") && run.stderr.contains("at 2:3"), "{}", run.stderr);
}

#[test]
fn control_bytes_in_source_are_escaped_in_messages() {
    let run = kai(&["run", "-e", "1 \u{0}\u{1b}[31m print"]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains('\u{0}') && !run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(run.stderr.contains("\\0\\u{1B}"), "{}", run.stderr);
}

#[test]
fn a_mismatched_bracket_names_the_pair() {
    let run = kai(&["run", "-e", "{ [ }"]);
    assert!(run.stderr.contains("'[' opened at 1:3 is closed by '}' at 1:5"), "{}", run.stderr);
    assert!(!run.stderr.contains("never closed"), "{}", run.stderr);
}

#[test]
fn an_error_in_an_anonymous_function_names_where_it_is_defined() {
    let run = kai(&["run", "-e", "1\n  { 1 0 / } &"]);
    assert!(run.stderr.contains("at <anonymous function defined at 2:3> (-e:2:9)"), "{}", run.stderr);
    assert!(run.stderr.contains("at <top level>"), "{}", run.stderr);
}

#[test]
fn compiled_programs_run_the_same_as_their_source() {
    let dir = std::env::temp_dir().join(format!("kai-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["fib.pi", "fib.rho", "closures.rho", "errors.rho"] {
        let source = kai(&["run", &example(name)]);
        let kbc = dir.join(format!("{name}.kbc")).display().to_string();
        let compiled = kai(&["compile", &example(name), "-o", &kbc]);
        assert_eq!((compiled.code, compiled.stderr.as_str()), (0, ""), "{name}");
        let run = kai(&["run", &kbc]);
        assert_eq!((run.code, &run.stdout, &run.stderr), (source.code, &source.stdout, &source.stderr), "{name}");
    }
    // A runtime error in compiled code still shows the source line and its position.
    let bad = dir.join("bad.rho");
    std::fs::write(&bad, "let x = 1\nprint(x + \"one\")\n").unwrap();
    assert_eq!(kai(&["compile", &bad.display().to_string()]).code, 0);
    let run = kai(&["run", &dir.join("bad.kbc").display().to_string()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.rho:2:7") && run.stderr.contains("print(x + \"one\")"), "{}", run.stderr);
    // A file that is not compiled code, or is cut short, is refused by name.
    let fake = dir.join("fake.kbc");
    std::fs::write(&fake, "1 2 + print").unwrap();
    let run = kai(&["run", &fake.display().to_string()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fake.kbc: not a compiled Kai unit"), "{}", run.stderr);
    let whole = std::fs::read(dir.join("bad.kbc")).unwrap();
    std::fs::write(&fake, &whole[..whole.len() / 2]).unwrap();
    let run = kai(&["run", &fake.display().to_string()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fake.kbc: not a compiled Kai unit"), "{}", run.stderr);
    // Compile errors and bad flags are reported as `kai run` reports them.
    std::fs::write(&bad, "print(1 +").unwrap();
    let compiled = kai(&["compile", &bad.display().to_string()]);
    assert_eq!(compiled.code, 1);
    assert!(compiled.stderr.contains("bad.rho:1"), "{}", compiled.stderr);
    assert_eq!(kai(&["compile", "--lang", "cobol", &bad.display().to_string()]).code, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tau_generates_rust_from_an_interface_file() {
    let dir = std::env::temp_dir().join(format!("kai-tau-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    let file = root().join("tests/tau/demo.tau").display().to_string();
    let run = kai(&["tau", &file, "--target", "rust", "--out", &out.display().to_string()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, format!("wrote {}\n", out.join("demo.rs").display()));
    let text = std::fs::read_to_string(out.join("demo.rs")).unwrap();
    assert!(text.contains("pub struct CalculatorProxy(::lang_tau::net::Proxy);"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tau_reports_every_problem_of_a_file_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("kai-tau-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.tau");
    std::fs::write(
        &file,
        "namespace A {\n  struct P { Pointt p; void v; }\n  interface I { int f(int a, int a); }\n}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let run = kai(&["tau", &file.display().to_string(), "--target", "rust", "--out", &out.display().to_string()]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    let at =
        |needle: &str| run.stderr.find(needle).unwrap_or_else(|| panic!("{needle:?} missing from:\n{}", run.stderr));
    let first = at("unknown type `Pointt`");
    let second = at("field `v` cannot be `void`");
    let third = at("parameter `a` is declared twice");
    assert!(first < second && second < third);
    assert!(run.stderr.contains("bad.tau:2:14"), "{}", run.stderr);
    assert!(run.stderr.contains("struct P { Pointt p; void v; }"), "{}", run.stderr);
    assert!(!out.exists());
    // A target Tau does not generate for is refused by name.
    let run = kai(&["tau", &file.display().to_string(), "--target", "cobol", "--out", &out.display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'cobol' for '--target <TARGET>'"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stark_examples_run() {
    for (file, expected) in [
        ("tour.stark", "47\n"),
        ("pipeline.stark", "sum of the first 100 squares: 338350\n"),
        ("bank.stark", "balance after deposits: 600\nrefused: insufficient funds: ada has 600\nwithdrew, left: 500\n"),
    ] {
        let run = kai(&["run", &example(file)]);
        assert_eq!((run.code, run.stdout.as_str()), (0, expected), "{file}: {}", run.stderr);
    }
    let run = kai(&["run", &example("parallel.stark")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("their sum: 120406"), "{}", run.stdout);
}

#[test]
fn kai_check_reports_every_stark_error_and_exits_one() {
    let dir = std::env::temp_dir().join(format!("kai-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.stark");
    std::fs::write(&bad, "let x = 1\nx = 2\nlet y: Int = 1.5\nprint(z)\n").unwrap();
    let good = dir.join("good.stark");
    std::fs::write(&good, "fn f(a: Int) -> Int:\n    return a\nprint(f(1))\n").unwrap();
    let run = kai(&["check", &bad.display().to_string()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "check runs nothing: {}", run.stdout);
    for wanted in [
        "bad.stark:2:1",
        "immutable",
        "bad.stark:3:14",
        "must be Int, not Float",
        "bad.stark:4:7",
        "undefined name 'z'",
        "3 errors",
    ] {
        assert!(run.stderr.contains(wanted), "missing {wanted:?} in:\n{}", run.stderr);
    }
    let run = kai(&["check", &good.display().to_string()]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    // `kai translate` prints Pi that runs the same.
    let run = kai(&["translate", &good.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pi = dir.join("good.pi");
    std::fs::write(&pi, &run.stdout).unwrap();
    let again = kai(&["run", &pi.display().to_string()]);
    assert_eq!((again.code, again.stdout.as_str()), (0, "1\n"), "{}", again.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kai_test_runs_the_stark_scripts() {
    let run = kai(&["test", &root().join("tests/scripts/stark").display().to_string()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(" passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn a_stark_runtime_error_points_at_the_stark_line() {
    let dir = std::env::temp_dir().join(format!("kai-stark-err-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("oops.stark");
    std::fs::write(
        &file,
        "fn pick(xs: [Int], i: Int) -> Int:\n    return xs[i]\n\nfn main():\n    print(pick([1, 2], 7))\n",
    )
    .unwrap();
    let run = kai(&["run", &file.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("oops.stark:2:12"), "{}", run.stderr);
    assert!(run.stderr.contains("pick"), "the trace names the Stark function: {}", run.stderr);
}
