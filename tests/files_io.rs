//! Files, standard input and JSON from Rust, for what scripts cannot set up: input given
//! with `Vm::set_input`, bytes that are not UTF-8 (in a file, a file name, the input), the
//! heap limit on what the words read and build, nesting too deep for the host stack, and
//! JSON round trips of generated documents. Each test works in a fresh directory under the
//! system's temp directory and removes it.

use std::path::{Path, PathBuf};

use kai_tests::{scale, vm};
use proptest::prelude::*;
use vm_core::{Error, ErrorKind, Limits, Vm};

/// A fresh, empty directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kai-files-io-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the temp dir is writable");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `text` as a Pi string literal.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// Runs Pi in `vm`; the final stack in repr form.
fn run(vm: &mut Vm, src: &str) -> Result<String, Error> {
    vm.clear_stack();
    vm.eval("pi", "test", src)?;
    Ok(kai_tests::stack_text(vm))
}

fn vm_reading(input: impl std::io::BufRead + 'static) -> Vm {
    let (mut vm, _) = vm();
    vm.set_input(input);
    vm
}

#[test]
fn read_line_gives_each_line_without_its_end_then_nil() {
    let mut vm = vm_reading(&b"first\r\nsecond\n\n last \nno newline"[..]);
    let stack = run(&mut vm, "read_line read_line read_line read_line read_line read_line read_line").unwrap();
    assert_eq!(stack, "\"first\" \"second\" \"\" \" last \" \"no newline\" nil nil");
}

#[test]
fn read_stdin_takes_what_read_line_left() {
    let mut vm = vm_reading(&b"header\nrow 1\nrow 2\n"[..]);
    assert_eq!(
        run(&mut vm, "read_line read_stdin read_stdin read_line").unwrap(),
        "\"header\" \"row 1\\nrow 2\\n\" \"\" nil"
    );
    // In Rho, a loop over the lines of the input.
    let (mut vm, out) = kai_tests::vm();
    vm.set_input(std::io::Cursor::new("3\n4\n5\n"));
    vm.eval(
        "rho",
        "sum",
        "let total = 0\nline = read_line()\nwhile line != nil { total += int(line); line = read_line() }\nprint(total)",
    )
    .unwrap();
    vm.flush();
    assert_eq!(out.text(), "12\n");
}

#[test]
fn input_that_is_not_utf8_is_a_catchable_error() {
    let mut vm = vm_reading(&b"ok\nbad \xff byte\nafter\n"[..]);
    let stack = run(&mut vm, "read_line { read_line } { \"message\" at } try read_line").unwrap();
    assert_eq!(stack, "\"ok\" \"read_line: the input is not UTF-8 text: invalid byte at offset 4 (line 1)\" \"after\"");
    let mut vm = vm_reading(&b"\xc3"[..]);
    let err = run(&mut vm, "read_stdin").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::User);
}

#[test]
fn input_past_the_heap_limit_is_a_limit_error() {
    for word in ["read_line", "read_stdin"] {
        let mut vm = vm_reading(std::io::Cursor::new(vec![b'x'; 4 << 20]));
        vm.set_limits(Limits { max_heap: Some(1 << 20), ..Limits::new() });
        let err = run(&mut vm, &format!("{{ {word} }} {{ drop \"caught\" }} try")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limit, "{word}: {}", err.message());
        assert!(err.message().contains("heap limit"), "{}", err.message());
    }
}

#[test]
fn bytes_are_written_as_they_are_and_read_file_names_the_first_bad_byte() {
    let dir = Scratch::new("bytes");
    let (mut vm, _) = vm();
    let path = dir.path("data.bin");
    let bytes = vm.registry_mut().new_bytes(b"line\n\xfe\x00".to_vec());
    vm.push(bytes);
    vm.eval("pi", "write", &format!("{} swap write_file", quoted(&path))).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"line\n\xfe\x00");
    let err = run(&mut vm, &format!("{} read_file", quoted(&path))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::User);
    assert!(err.message().contains("is not UTF-8 text: invalid byte at offset 5 (line 2)"), "{}", err.message());
    assert!(err.message().contains("data.bin"), "{}", err.message());
}

#[test]
fn read_file_refuses_a_file_bigger_than_the_heap_leaves() {
    let dir = Scratch::new("big");
    let path = dir.path("big.txt");
    std::fs::write(&path, vec![b'a'; 3 << 20]).unwrap();
    let (mut vm, _) = vm();
    vm.set_limits(Limits { max_heap: Some(1 << 20), ..Limits::new() });
    let err = run(&mut vm, &format!("{} read_file", quoted(&path))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert!(err.message().contains("more than the"), "{}", err.message());
    // Within the limit it reads; the VM is usable after the error.
    vm.set_limits(Limits { max_heap: Some(64 << 20), ..Limits::new() });
    assert_eq!(run(&mut vm, &format!("{} read_file size", quoted(&path))).unwrap(), (3 << 20).to_string());
}

#[cfg(unix)]
#[test]
fn list_dir_refuses_a_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Scratch::new("names");
    let odd = dir.0.join(std::ffi::OsStr::from_bytes(b"odd\xffname"));
    if std::fs::write(&odd, "x").is_err() {
        return; // A file system that refuses such names cannot hold one either.
    }
    let (mut vm, _) = vm();
    let err = run(&mut vm, &format!("{} list_dir", quoted(&dir.path("")))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::User);
    assert!(err.message().contains("not UTF-8"), "{}", err.message());
}

#[test]
fn writing_many_files_and_listing_them() {
    let dir = Scratch::new("many");
    let (mut vm, _) = vm();
    let src = format!(
        "0 99 {{ 'i let {dir} \"/f\" + i 10 < {{ \"0\" }} {{ \"\" }} ife + i str + \".txt\" + i str write_file }} for
         {dir} list_dir dup size swap 0 at",
        dir = quoted(dir.path("").trim_end_matches('/'))
    );
    assert_eq!(run(&mut vm, &src).unwrap(), "100 \"f00.txt\"");
    assert_eq!(std::fs::read_to_string(dir.0.join("f42.txt")).unwrap(), "42");
}

#[test]
fn env_reads_the_process_environment() {
    let (mut vm, _) = vm();
    let home = std::env::var("PATH").unwrap_or_default();
    assert_eq!(run(&mut vm, "\"PATH\" env").unwrap(), quoted(&home));
    assert_eq!(
        run(&mut vm, "\"KAI_NOT_SET_IN_ANY_TEST_1618\" env \"\" env \"A=B\" env \"A\\0B\" env").unwrap(),
        "nil nil nil nil"
    );
}

#[test]
fn any_depth_encodes_without_touching_the_host_stack() {
    let depth = scale(100_000, 3_000);
    let (mut vm, _) = vm();
    let src = format!("[] 1 {depth} {{ drop 1 toarray }} for to_json size");
    assert_eq!(run(&mut vm, &src).unwrap(), (2 * depth + 2).to_string());
    // Pretty text grows with the square of the depth (each line is indented), so less deep.
    let src = "[] 1 1000 { drop 'k swap 2 toarray tomap } for to_json_pretty lines dup size swap 500 at";
    assert_eq!(run(&mut vm, src).unwrap(), format!("2001 {}", quoted(&format!("{}\"k\": {{", " ".repeat(1000)))));
}

#[test]
fn decoding_stops_at_127_levels_with_a_parse_error() {
    let (mut vm, _) = vm();
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let ok = format!("{}1{}", open.repeat(127), close.repeat(127));
        let kind = if open == "[" { "\"array\"" } else { "\"map\"" };
        assert_eq!(run(&mut vm, &format!("{} from_json type", quoted(&ok))).unwrap(), kind);
        for depth in [128, 100_000] {
            let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let err = run(&mut vm, &format!("{} from_json", quoted(&deep))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Parse, "{}", err.message());
            assert!(err.message().contains("recursion limit exceeded at line 1"), "{}", err.message());
        }
    }
}

#[test]
fn json_built_past_the_heap_limit_is_a_limit_error() {
    let (mut vm, _) = vm();
    vm.set_limits(Limits { max_heap: Some(4 << 20), ..Limits::new() });
    // Half a million zeros: a 1 MB text that would take 8 MB as values.
    let err = run(&mut vm, "{ \"[\" \"0,\" 500000 repeat + \"0]\" + from_json } { drop } try").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit, "{}", err.message());
    assert!(err.message().contains("'from_json'"), "{}", err.message());
    // One string of 1,000 characters shared 10,000 times: 10 MB of text from a small heap.
    let err = run(&mut vm, "\"x\" 1000 repeat 'x let [ 1 10000 { drop x } for ] { to_json } { drop } try").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit, "{}", err.message());
    assert!(err.message().contains("'to_json'"), "{}", err.message());
    // The VM is usable after.
    assert_eq!(run(&mut vm, "[1 2] to_json").unwrap(), "\"[1,2]\"");
}

#[test]
fn parse_errors_give_line_and_column() {
    let (mut vm, _) = vm();
    for (text, at) in [
        ("[1, 2", "line 1 column 5"),
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", "line 3 column 7"),
        ("[1]\n\n x", "line 3 column 2"),
        ("", "line 1 column 0"),
    ] {
        let err = run(&mut vm, &format!("{} from_json", quoted(text))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert!(err.message().starts_with("'from_json': "), "{}", err.message());
        assert!(err.message().ends_with(at), "{text:?}: {}", err.message());
    }
}

/// JSON documents of a few levels: what from_json must read and to_json give back.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| serde_json::json!(f)),
        "[a-z\u{e9}\u{1F600}\"\\\\\n ]{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-z]{1,4}", inner), 0..6)
                .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: scale(64, 12) as u32, ..ProptestConfig::default() })]

    /// A document read by from_json and written back by to_json (either form) is the same
    /// document, and writing a value, reading it and writing it again gives the same text.
    #[test]
    fn json_round_trips(doc in json_value()) {
        let text = serde_json::to_string(&doc).unwrap();
        let (mut vm, _) = vm();
        for word in ["to_json", "to_json_pretty"] {
            vm.clear_stack();
            vm.eval("pi", "round", &format!("{} from_json {word}", quoted(&text))).unwrap();
            let back = vm.pop().map(|v| vm.display(v)).unwrap();
            let reread: serde_json::Value = serde_json::from_str(&back).unwrap();
            prop_assert_eq!(&reread, &doc);
        }
        vm.clear_stack();
        vm.eval("pi", "twice", &format!("{} from_json to_json dup from_json to_json ==", quoted(&text))).unwrap();
        prop_assert_eq!(kai_tests::stack_text(&vm), "true");
    }
}

/// The directory helper itself: what a test leaves is removed.
#[test]
fn scratch_directories_are_removed() {
    let path: PathBuf;
    {
        let dir = Scratch::new("self");
        std::fs::write(dir.0.join("x"), "x").unwrap();
        path = dir.0.clone();
    }
    assert!(!Path::new(&path).exists());
}
