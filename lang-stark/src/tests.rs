//! Tests of the Stark pipeline: programs run and print what they should, the checker
//! reports every problem with its position, runtime errors point into the Stark source,
//! translations (snapshots) re-parse, and no input panics any pass.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use vm_core::ErrorKind;

use super::*;

#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs a program; what it printed, or the error.
fn run(text: &str) -> Result<String, Error> {
    let mut vm = new_vm();
    let out = Capture::default();
    vm.set_output(Box::new(out.clone()));
    vm.eval("stark", "test.stark", text)?;
    vm.flush();
    let bytes = out.0.borrow().clone();
    Ok(String::from_utf8(bytes).expect("utf-8 output"))
}

fn problems(text: &str) -> Vec<String> {
    let source = Source::detached("test.stark", text);
    match check(text, &source, &Natives::default(), Declarations::default()) {
        Ok(_) => Vec::new(),
        Err(err) => std::iter::once(&err)
            .chain(err.related())
            .map(|e| {
                let at = e
                    .span()
                    .map(|s| source.position(s.start))
                    .map_or(String::new(), |p| format!("{}:{}", p.line, p.column));
                format!("{at} {}", e.message())
            })
            .collect(),
    }
}

fn translation(text: &str) -> String {
    let source = Source::detached("test.stark", text);
    let nodes = to_pi(text, &source, &Natives::default(), true).expect("translates");
    lang_pi::print(&nodes)
}

#[test]
fn a_function_runs() {
    assert_eq!(run("fn sq(x: Int) -> Int:\n    return x * x\nprint(sq(7))\n").unwrap(), "49\n");
}

#[test]
fn main_runs_after_the_top_level_statements() {
    assert_eq!(run("fn main():\n    print(\"main\")\nprint(\"top\")\n").unwrap(), "top\nmain\n");
}

#[test]
fn shadowing_in_a_block_leaves_the_outer_binding_alone() {
    let text = "let x = 1\nif true:\n    let x = \"inner\"\n    print(x)\nprint(x)\n";
    assert_eq!(run(text).unwrap(), "inner\n1\n");
}

#[test]
fn names_that_are_pi_words_are_renamed() {
    let text = "fn size(dup: Int) -> Int:\n    return dup + 1\nlet count = size(2)\nprint(count)\n";
    assert_eq!(run(text).unwrap(), "3\n");
    assert!(translation(text).contains("'size-2 let"));
}

#[test]
fn the_spec_example_runs() {
    let text = include_str!("../../examples/tour.stark");
    assert_eq!(run(text).unwrap(), "47\n");
}

#[test]
fn every_problem_of_a_file_is_reported_in_order() {
    let text =
        "fn f(a: Int) -> Int:\n    let x = 1\n    x = 2\n    return a + 1.5\nlet y: String = f(1, 2)\nprint(nope)\n";
    let found = problems(text);
    assert_eq!(
        found,
        vec![
            "3:5 cannot assign to 'x': it is immutable (declare it with `let mut`)",
            "4:12 `+` needs two Ints, two Floats, two Strings or two arrays of one type, not Int and Float (no implicit conversion: use float(…) or int(…))",
            "5:17 'f' takes 1 argument(s) but is given 2",
            "5:17 the value of 'y' must be String, not Int",
            "6:7 undefined name 'nope'",
        ]
    );
}

#[test]
fn each_checker_error_class_is_found() {
    let cases: &[(&str, &str)] = &[
        ("let x = 1\nx = 2\n", "immutable"),
        ("print(y)\n", "undefined name 'y'"),
        ("fn f(a: Int) -> Int:\n    return a\nf()\n", "takes 1 argument(s) but is given 0"),
        ("fn f(a: Int) -> Int:\n    return a\nf(\"s\")\n", "argument 'a' must be Int, not String"),
        ("struct P:\n    x: Int\n    y: Int\nlet p = P(x: 1)\n", "missing field 'y'"),
        ("struct P:\n    x: Int\nlet p = P(x: 1)\nprint(p.z)\n", "P has no field 'z'"),
        ("fn f() -> Int:\n    return \"s\"\n", "the value returned must be Int, not String"),
        ("fn f(b: Bool) -> Int:\n    if b:\n        return 1\n", "can reach its end without `return`"),
        ("let x = await 1\n", "`await` needs a future, not Int"),
        ("enum E:\n    A\n    B\nfn f(e: E):\n    match e:\n        A: print(1)\n", "misses variant(s) B"),
        ("let c = channel<Int>(1)\nc.send(\"s\")\n", "argument 'x' must be Int, not String"),
        (
            "actor A:\n    on m(n: Int):\n        print(n)\nlet a = A()\nsend a.m(1.5)\n",
            "argument 'n' must be Int, not Float",
        ),
        ("let x: Nope = 1\n", "unknown type 'Nope'"),
        ("break\n", "`break` outside a loop"),
        ("return 1\n", "`return` outside a function"),
        ("fn f(n: Int) -> Int:\n    match n:\n        1: return 10\n", "can reach its end without `return`"),
        ("let s = \"abc\"\ns[0] = \"x\"\n", "strings are immutable"),
        ("enum A:\n    Red\nenum B:\n    Red\nprint(Red)\n", "write A.Red or B.Red"),
    ];
    for (text, wanted) in cases {
        let found = problems(text);
        assert!(found.iter().any(|p| p.contains(wanted)), "{text:?}: expected {wanted:?}, found {found:?}");
    }
}

#[test]
fn fixed_behaviours_hold() {
    // An empty literal fits an array or map of any type, also in `==` and nested.
    assert_eq!(run("let xs: [Int] = []\nassert xs == []\nlet ys = [[], [1]]\nprint(len(ys[1]))\n").unwrap(), "1\n");
    // `spawn` takes the function when it is written, not when the task starts.
    let text = "fn one(x: Int) -> Int:\n    return 1\nfn two(x: Int) -> Int:\n    return 2\nlet mut g = one\nlet t = spawn g(0)\ng = two\nprint(await t)\n";
    assert_eq!(run(text).unwrap(), "1\n");
    // An async main is awaited.
    assert_eq!(run("async fn main():\n    sleep(1)\n    print(\"done\")\n").unwrap(), "done\n");
    // `select` gives the value of the first channel that has one.
    assert_eq!(
        run("let a = channel<Int>(1)\nlet b = channel<Int>(1)\nb.send(7)\nprint(select([a, b]))\n").unwrap(),
        "7\n"
    );
    // The minimum int is written with a minus; its digits alone are out of range.
    assert_eq!(run("print(-9223372036854775808)\n").unwrap(), "-9223372036854775808\n");
    assert!(parse("let x = 9223372036854775808\n", SourceId(0)).is_err());
    // The program's arguments and `format`.
    let mut vm = new_vm();
    let given = vm.new_array(Vec::new());
    vm.set_global("args", given).unwrap();
    vm.eval("stark", "test.stark", "let n = len(args())\nlet s = format(\"{:.3}|{}\", 1.5, n)\n").unwrap();
    assert_eq!(vm.global("n"), Some(vm_core::Value::Int(0)));
    // `Any` arithmetic stays `Any`, so its use as an Int is checked.
    let err = run("try:\n    throw 1.5\ncatch e:\n    let n: Int = e[\"value\"] + 1\n").expect_err("checked");
    assert_eq!(err.kind(), ErrorKind::Type);
}

#[test]
fn checking_many_functions_takes_linear_time() {
    // Each function's activation once copied every top-level name: 10,000 functions took
    // seconds. Now a binding looks the enclosing activations' names up instead.
    let text: String = (0..10_000).map(|i| format!("fn f{i}(x: Int) -> Int: return x + {i}\n")).collect();
    let source = Source::detached("big.stark", text.as_str());
    let (_, decls) = check(&text, &source, &Natives::default(), Declarations::default()).expect("clean");
    assert_eq!(decls.fns.len(), 10_000);
}

#[test]
fn an_import_cycle_is_named() {
    let dir = std::env::temp_dir().join(format!("stark-cycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.stark"), "import \"b.stark\"\nfn fa() -> Int:\n    return 1\n").unwrap();
    std::fs::write(dir.join("b.stark"), "import \"a.stark\"\nfn fb() -> Int:\n    return 2\n").unwrap();
    let path = dir.join("a.stark");
    let text = std::fs::read_to_string(&path).unwrap();
    let source = Source::detached(path.display().to_string(), text.as_str());
    let err = check(&text, &source, &Natives::default(), Declarations::default()).expect_err("a cycle");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.message().starts_with("import cycle:"), "{}", err.message());
    assert!(err.message().contains("a.stark -> ") && err.message().contains("b.stark -> "), "{}", err.message());
}

#[test]
fn layout_errors_name_the_line() {
    let source = SourceId(0);
    let err = parse("fn f():\n\tprint(1)\n", source).expect_err("a tab is refused");
    assert!(err.message().contains("tab in indentation"));
    let err =
        parse("fn f():\n    if true:\n        print(1)\n  print(2)\n", source).expect_err("a bad dedent is refused");
    assert!(err.message().contains("no enclosing block starts there"), "{}", err.message());
}

#[test]
fn crlf_and_a_missing_final_newline_are_fine() {
    assert_eq!(run("fn f() -> Int:\r\n    return 2\r\nprint(f())").unwrap(), "2\n");
}

#[test]
fn a_runtime_error_points_into_the_stark_source_and_names_the_function() {
    let err = run("fn boom(xs: [Int]) -> Int:\n    return xs[5]\nprint(boom([1]))\n").expect_err("an index error");
    assert_eq!(err.kind(), ErrorKind::Index);
    let span = err.span().expect("a position");
    let text = "fn boom(xs: [Int]) -> Int:\n    return xs[5]\nprint(boom([1]))\n";
    assert_eq!(&text[span.start as usize..span.end as usize], "xs[5]");
    assert!(
        err.trace().iter().any(|t| t.label().contains("boom")),
        "{:?}",
        err.trace().iter().map(|t| t.label()).collect::<Vec<_>>()
    );
}

#[test]
fn an_any_value_is_checked_where_it_becomes_typed() {
    let text = "extern fn from_pi() -> Any\nlet n: Int = from_pi()\n";
    let mut vm = new_vm();
    vm.eval("pi", "setup", "{ \"not an int\" } 0 fn 'from_pi #").unwrap();
    let err = vm.eval("stark", "test.stark", text).expect_err("a type error");
    assert_eq!(err.kind(), ErrorKind::Type);
    assert!(err.message().contains("expected Int"), "{}", err.message());
}

#[test]
fn an_extern_result_of_the_wrong_type_is_a_type_error() {
    let mut vm = new_vm();
    vm.eval("pi", "setup", "{ 'x let \"text\" } 1 fn 'twice #").unwrap();
    let err = vm.eval("stark", "test.stark", "extern fn twice(x: Int) -> Int\nprint(twice(2))\n").expect_err("fails");
    assert_eq!(err.kind(), ErrorKind::Type);
}

#[test]
fn snapshot_functions_and_control() {
    insta::assert_snapshot!(translation(
        "fn fib(n: Int) -> Int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nlet mut total = 0\nfor i in range(0, 10):\n    if i % 2 == 0:\n        continue\n    total += fib(i)\nwhile total > 100:\n    total = total - 100\nprint(total)\n"
    ));
}

#[test]
fn snapshot_data_and_match() {
    insta::assert_snapshot!(translation(
        "struct P:\n    x: Float\n    y: Float\nenum Shape:\n    Circle(r: Float)\n    Square(side: Float)\n    Dot\nfn area(s: Shape) -> Float:\n    match s:\n        Circle(radius): return 3.0 * radius * radius\n        Square(a): return a * a\n        _: return 0.0\nlet p = P(x: 1.0, y: 2.0)\np.x = p.y\nprint(area(Shape.Circle(r: p.x)), area(Dot))\n"
    ));
}

#[test]
fn snapshot_concurrency() {
    insta::assert_snapshot!(translation(
        "async fn double(x: Int) -> Int:\n    return x * 2\nfn triple(x: Int) -> Int:\n    return x * 3\nactor Counter(start: Int):\n    let mut n: Int = start\n    on add(k: Int):\n        n += k\n    on get() -> Int:\n        return n\nfn main():\n    let c = Counter(1)\n    send c.add(2)\n    let ch = channel<Int>(1)\n    let t = spawn triple(await double(await c.get()))\n    ch.send(await t)\n    trace_span(\"out\"):\n        log(str(ch.recv()))\n"
    ));
}

#[test]
fn printed_translations_reparse_to_the_same_pi() {
    for text in [
        include_str!("../../examples/tour.stark"),
        "let xs = [1, 2, 3]\nlet m = {\"a\": 1}\nfor x in xs:\n    print(x, m[\"a\"], \"q\\\"uote\")\n",
    ] {
        let source = Source::detached("test.stark", text);
        let nodes = to_pi(text, &source, &Natives::default(), true).expect("translates");
        let printed = lang_pi::print(&nodes);
        let again = lang_pi::parse(&printed, SourceId(0)).expect("printed Pi parses");
        assert_eq!(again, nodes, "{printed}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("let x = {}1{}\n", "(".repeat(100), ")".repeat(100));
    assert!(parse(&text, SourceId(0)).is_err());
    let text = format!("let x = 1{}\n", " + 1".repeat(5_000));
    assert!(parse(&text, SourceId(0)).is_err());
    let mut text = String::new();
    for depth in 0..100 {
        text.push_str(&format!("{}if true:\n", "    ".repeat(depth)));
    }
    text.push_str(&format!("{}print(1)\n", "    ".repeat(100)));
    assert!(parse(&text, SourceId(0)).is_err());
}

fn stark_token() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just("fn".to_string()),
        Just("let".to_string()),
        Just("mut".to_string()),
        Just("if".to_string()),
        Just("else".to_string()),
        Just("match".to_string()),
        Just("actor".to_string()),
        Just("on".to_string()),
        Just("struct".to_string()),
        Just("enum".to_string()),
        Just("return".to_string()),
        Just("await".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        Just("\n    ".to_string()),
        Just("\n        ".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("->".to_string()),
        Just("=".to_string()),
        Just("+".to_string()),
        Just(".".to_string()),
        Just("Int".to_string()),
        Just("Float".to_string()),
        Just("x".to_string()),
        Just("f".to_string()),
        Just("1".to_string()),
        Just("2.5".to_string()),
        Just("\"s\"".to_string()),
        "[a-z]{1,3}".prop_map(|s| s),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, ..Default::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let source = Source::detached("p.stark", text.as_str());
        let _ = to_pi(&text, &source, &Natives::default(), true);
        let _ = needs_more(&text);
    }

    #[test]
    fn stark_like_text_never_panics_and_its_pi_reparses(tokens in proptest::collection::vec(stark_token(), 0..60)) {
        let text = tokens.join(" ");
        let source = Source::detached("p.stark", text.as_str());
        if let Ok(nodes) = to_pi(&text, &source, &Natives::default(), true) {
            let printed = lang_pi::print(&nodes);
            let again = lang_pi::parse(&printed, SourceId(0));
            proptest::prop_assert!(again.is_ok(), "{}", printed);
            proptest::prop_assert_eq!(again.unwrap(), nodes);
        }
    }
}
