//! The parser and checker on the SPEC's example, on each rule the checker enforces, and on
//! arbitrary input (which must give an error, never a panic).

use proptest::prelude::*;

use crate::{Type, load};

const SPEC_EXAMPLE: &str = r#"
namespace Demo {
  enum Mode { Fast = 1, Precise = 2 }
  struct Point { float x; float y; }
  interface Calculator {
    float add(float a, float b);
    Point midpoint(Point a, Point b);
    int[] history();
    string label;                       // a property: get and set
    event overflow(string reason);      // pushed from agent to proxies
  }
}
"#;

/// Every message of a failed load, first error first, with `line:column`.
fn problems(text: &str) -> Vec<String> {
    let err = load("t.tau", text).expect_err("the file has problems");
    std::iter::once(&err)
        .chain(err.related())
        .map(|e| format!("{}: {}", e.location().unwrap_or_default().trim_start_matches("t.tau:"), e.message()))
        .collect()
}

#[test]
fn the_spec_example_resolves() {
    let model = load("demo.tau", SPEC_EXAMPLE).unwrap();
    assert_eq!(model.enums[0].name.to_string(), "Demo::Mode");
    assert_eq!(model.enums[0].variants, vec![("Fast".to_string(), 1), ("Precise".to_string(), 2)]);
    let calc = &model.interfaces[0];
    assert_eq!(calc.name.to_string(), "Demo::Calculator");
    let names: Vec<&str> = calc.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["add", "midpoint", "history"]);
    assert_eq!(calc.methods[1].result, Type::Struct(0));
    assert_eq!(calc.methods[2].result, Type::Array(Box::new(Type::Int)));
    assert_eq!(calc.properties[0].name, "label");
    assert_eq!(calc.events[0].params[0].ty, Type::String);
    assert_eq!(model.fingerprint(calc).len(), 32);
}

#[test]
fn namespaces_nest_and_names_resolve_outwards() {
    let text = "namespace A::B { struct S { int x; } }
        namespace A { namespace C { struct T { B::S s; A::B::S t; map<string, B::S[]> m; } } }
        struct U { A::C::T t; }";
    let model = load("t.tau", text).unwrap();
    let names: Vec<String> = model.structs.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(names, ["A::B::S", "A::C::T", "U"]);
    let t = &model.structs[1];
    assert_eq!(t.fields[0].ty, Type::Struct(0));
    assert_eq!(t.fields[1].ty, Type::Struct(0));
    assert_eq!(t.fields[2].ty, Type::Map(Box::new(Type::String), Box::new(Type::Array(Box::new(Type::Struct(0))))));
}

#[test]
fn enum_values_count_on_from_the_last_one_given() {
    let model = load("t.tau", "enum E { A, B = 10, C, D = -3, F }").unwrap();
    let values: Vec<i64> = model.enums[0].variants.iter().map(|(_, v)| *v).collect();
    assert_eq!(values, [0, 10, 11, -3, -2]);
}

#[test]
fn block_comments_semicolons_after_declarations_and_trailing_commas() {
    let text = "/* header\n spanning lines */ enum E { A, B, }; struct S { E e; /* inline */ };";
    assert!(load("t.tau", text).is_ok());
}

#[test]
fn the_fingerprint_ignores_layout_and_unrelated_declarations_but_not_the_definition() {
    let fingerprint = |text: &str| {
        let model = load("t.tau", text).unwrap();
        model.fingerprint(model.interfaces.iter().find(|i| i.name.name() == "I").unwrap())
    };
    let base = fingerprint("struct P { int x; } interface I { P get(int id); }");
    let relaid =
        fingerprint("// comment\nstruct P {\n  int x;\n}\nstruct Other { int y; }\ninterface I {\n  P get(int id);\n}");
    assert_eq!(base, relaid);
    assert_ne!(base, fingerprint("struct P { int x; int y; } interface I { P get(int id); }"));
    assert_ne!(base, fingerprint("struct P { int x; } interface I { P get(string id); }"));
}

#[test]
fn a_syntax_error_names_what_was_expected_where() {
    assert_eq!(problems("struct P { float x }"), ["1:20: expected `;`, found `}`"]);
    assert_eq!(problems("interface I {\n  int f(int a,);\n}"), ["2:15: expected a type, found `)`"]);
    assert_eq!(problems("struct struct { }"), ["1:8: expected a name, found `struct` (`struct` is a reserved word)"]);
    assert_eq!(
        problems("namespace A {"),
        [
            "1:14: expected `}` or a declaration (`namespace`, `enum`, `struct` or `interface`), found the end of the input"
        ]
    );
}

#[test]
fn an_unknown_type_is_reported_with_its_position() {
    assert_eq!(problems("struct S {\n  Pointt p;\n}"), ["2:3: unknown type `Pointt`"]);
    assert_eq!(problems("namespace A { struct S { int x; } } struct T { B::S s; }"), ["1:48: unknown type `B::S`"]);
}

#[test]
fn duplicate_names_are_reported_at_the_second() {
    let text = "struct P { int x; int x; }\nstruct P { int y; }\nenum E { A, A }\ninterface I { int f(); string f; void g(int a, int a); }";
    assert_eq!(
        problems(text),
        [
            "1:23: field `x` is declared twice",
            "2:8: `P` is declared twice",
            "3:13: variant `A` is declared twice",
            "4:31: member `f` is declared twice",
            "4:52: parameter `a` is declared twice",
        ]
    );
}

#[test]
fn void_is_only_a_methods_result() {
    let text =
        "interface I { void ok(); void label; int f(void x); void[] g(); }\nstruct S { void v; map<int, void> m; }";
    assert_eq!(
        problems(text),
        [
            "1:26: property `label` cannot be `void`: only a method's result can",
            "1:44: parameter `x` cannot be `void`: only a method's result can",
            "1:53: an array of `void` holds nothing: give its items a type",
            "2:12: field `v` cannot be `void`: only a method's result can",
            "2:29: a map's value cannot be `void`",
        ]
    );
}

#[test]
fn a_struct_may_not_contain_itself_by_value() {
    assert_eq!(
        problems("struct A { B b; }\nstruct B { int x; A a; }\nstruct C { C c; }"),
        [
            "1:8: struct `A` contains itself by value (A → B → A): it would have no end; hold it in an array or a map",
            "3:8: struct `C` contains itself by value (C → C): it would have no end; hold it in an array or a map",
        ]
    );
    // Through an array or a map there is an end.
    assert!(load("t.tau", "struct Tree { int value; Tree[] children; map<string, Tree> named; }").is_ok());
}

#[test]
fn other_rules_of_meaning() {
    let text = "struct int { }\ninterface I { int f(); }\nstruct S { I i; map<float, int> m; map<S, int> n; }\nenum Empty { }\nenum Big { A = 99999999999999999999 }\nenum Twice { A = 1, B = 1 }";
    assert_eq!(
        problems(text),
        [
            "1:8: `int` is a built-in type; a declaration needs another name",
            "3:12: `I` is an interface, not a type a value can have",
            "3:21: a map's key must be `bool`, `int`, `string`, `bytes` or an enum",
            "3:40: a map's key must be `bool`, `int`, `string`, `bytes` or an enum",
            "4:6: enum `Empty` has no variants",
            "5:16: 99999999999999999999 is out of range for an enum value (a 64-bit int)",
            "6:21: variant `B` has the value 1, as `A` does",
        ]
    );
}

#[test]
fn nesting_past_the_limit_is_refused_before_parsing() {
    let deep = format!("struct S {{ {}int{} x; }}", "map<int, ".repeat(100), ">".repeat(100));
    let found = problems(&deep);
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("nest more than 64 levels"), "{found:?}");
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load("t.tau", &text);
    }

    #[test]
    fn tau_like_text_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "namespace", "enum", "struct", "interface", "event", "map", "<", ">", "[", "]", "{", "}", "(", ")",
        ";", ",", "=", "::", "int", "void", "float", "string", "bytes", "bool", "A", "B", "x", "1", "-2",
        "/*", "*/", "//", "\n", " ",
    ]), 0..60)) {
        let _ = load("t.tau", &parts.join(" "));
    }
}

#[test]
fn generated_rust_for_the_spec_example() {
    let model = load("demo.tau", SPEC_EXAMPLE).unwrap();
    let files =
        crate::generate::generate(&model, crate::generate::Target::Rust, "demo.tau", SPEC_EXAMPLE, "demo").unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "demo.rs");
    insta::assert_snapshot!("rust_demo", files[0].text);
}

#[test]
fn generated_rust_escapes_keywords_and_refuses_colliding_names() {
    let model = load("t.tau", "namespace MyApp::HTTPServer { struct type { int fn; string self; } }").unwrap();
    let files = crate::generate::generate(&model, crate::generate::Target::Rust, "t.tau", "", "t").unwrap();
    let text = &files[0].text;
    assert!(text.contains("pub mod my_app {") && text.contains("pub mod http_server {"), "{text}");
    assert!(
        text.contains("pub struct r#type {") && text.contains("pub r#fn: i64,") && text.contains("pub self_: String,")
    );
    let model = load("t.tau", "interface I { string label; void set_label(string s); }").unwrap();
    let err = crate::generate::generate(&model, crate::generate::Target::Rust, "t.tau", "", "t").unwrap_err();
    assert_eq!(
        err,
        "in Rust, I's proxy would have two methods named `set_label`: method `set_label` and the setter of `label`; rename one"
    );
}

mod wire {
    use crate::wire::{MAX_DEPTH, Message, Value, decode, encode};

    #[test]
    fn the_bytes_are_as_the_protocol_document_describes() {
        // Reply is variant 6; id 7; the value is 1 node, Int (node variant 2) of -2, zigzag 3.
        assert_eq!(encode(&Message::Reply { id: 7, value: Value::Int(-2) }), [6, 7, 1, 2, 3]);
        // Call 3, id 300 (varint: 251 then a u16 little-endian), "f", one argument:
        // Struct (8) of 2 fields: String (4) "a", Array (6) of 0 items.
        let call = Message::Call {
            id: 300,
            member: "f".into(),
            args: vec![Value::Struct(vec![Value::String("a".into()), Value::Array(vec![])])],
        };
        assert_eq!(encode(&call), [3, 251, 44, 1, 1, b'f', 1, 3, 8, 2, 4, 1, b'a', 6, 0]);
    }

    #[test]
    fn every_value_round_trips() {
        let value = Value::Map(vec![
            (Value::String("k".into()), Value::Array(vec![Value::Float(1.5), Value::Bool(true), Value::Void])),
            (Value::Enum(-4), Value::Struct(vec![Value::Bytes(vec![0, 255]), Value::Int(i64::MIN)])),
            (Value::Int(0), Value::Map(vec![])),
        ]);
        let message = Message::Event { name: "e".into(), args: vec![value.clone(), Value::Int(3)] };
        assert_eq!(decode(&encode(&message)).unwrap(), message);
    }

    #[test]
    fn bad_payloads_are_errors() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[200]).unwrap_err().contains("not a Tau message"));
        // A node count larger than the nodes there are.
        assert!(decode(&[6, 7, 1, 6, 5]).is_err());
        // Extra bytes after the message.
        assert_eq!(decode(&[6, 7, 1, 2, 3, 0]).unwrap_err(), "1 bytes after the message in its frame");
        // A value whose nodes are left over.
        assert!(decode(&[6, 7, 2, 2, 3, 2, 3]).unwrap_err().contains("left over"));
        // Nested deeper than the limit: arrays of one array, MAX_DEPTH + 1 of them.
        let depth = MAX_DEPTH + 1;
        let mut payload = vec![6, 7, 0xfb];
        payload.extend_from_slice(&((depth + 1) as u16).to_le_bytes());
        for _ in 0..depth {
            payload.extend_from_slice(&[6, 1]);
        }
        payload.push(0);
        assert!(decode(&payload).unwrap_err().contains("nested more than 256 levels"));
    }
}

#[test]
fn generated_rho_for_the_spec_example() {
    let model = load("demo.tau", SPEC_EXAMPLE).unwrap();
    let files =
        crate::generate::generate(&model, crate::generate::Target::Rho, "demo.tau", SPEC_EXAMPLE, "demo").unwrap();
    assert_eq!(files[0].name, "demo.rho");
    insta::assert_snapshot!("rho_demo", files[0].text);
}

#[test]
fn generated_rho_refuses_colliding_names() {
    let generate = |text: &str| {
        let model = load("t.tau", text).unwrap();
        crate::generate::generate(&model, crate::generate::Target::Rho, "t.tau", text, "t").unwrap_err()
    };
    assert_eq!(
        generate("namespace A { struct P { int x; } } namespace B { interface P { int f(); } }"),
        "in Rho, A::P and B::P would both be named `P`; rename one"
    );
    assert_eq!(
        generate("interface I { int f(); void f_async(); }"),
        "in Rho, I's proxy would have two functions named `f_async`: the async form of `f` and method `f_async`; rename one"
    );
    assert_eq!(
        generate("interface I { event stop(); }"),
        "in Rho, I's agent would have two functions named `stop`: stopping and event `stop`; rename one"
    );
}

#[test]
fn rho_string_literals_escape_what_they_must() {
    assert_eq!(crate::generate::rho_string("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u{1}""#);
}
