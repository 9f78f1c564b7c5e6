//! Snapshots of what the compilers make of representative Pi and Rho programs, after
//! fusion and local-slot resolution: a change to either shows here as a reviewed diff.
//! (`INSTA_UPDATE=always cargo test -p kai-tests --test disassembly` rewrites them; review
//! the diff before committing.)

fn listing(lang: &str, source: &str) -> String {
    let mut vm = lang_rho::new_vm();
    let block = vm.compile(lang, "<snapshot>", source).unwrap_or_else(|err| panic!("compiles: {err}"));
    format!("{source}\n----\n{}", vm.disassemble(&block))
}

macro_rules! snapshot {
    ($name:ident, $lang:literal, $source:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), listing($lang, $source));
        }
    };
}

// ---- Pi ----
snapshot!(pi_literals_and_constants, "pi", r#"1 -2 3000000000 2.5 "text" 'name true false nil"#);
snapshot!(pi_arithmetic_with_small_ints_fuses, "pi", "dup 1 + 2 - 3 < 4 * 5 >");
snapshot!(pi_fib, "pi", "{ dup 2 < { } { dup 1 - fib & swap 2 - fib & + } ife } 'fib #  25 fib & print");
snapshot!(pi_literal_control_words_become_jumps, "pi", "x 0 > { 1 } { 2 } ife  { i 10 < } { i 1 + 'i # } while");
snapshot!(pi_counted_loops, "pi", "0 'acc #  1 10 { acc + 'acc # } for  3 { \"hi\" print } times  [1 2] { drop } each");
snapshot!(pi_runtime_blocks_are_driven, "pi", "'b # 'a #  a b while  [1 2 3] a map");
snapshot!(pi_try_span_and_arrays, "pi", r#"{ [1 2 3] 0 at } { "failed" print } try  "work" { 1 drop } span"#);
snapshot!(
    pi_a_block_that_binds_names_gets_slots,
    "pi",
    "{ 'b let 'a let  a b + 'c let  c 1 + 'c #  c c * } 2 fn 'area #"
);
snapshot!(
    pi_a_function_that_only_reads_its_variables_keeps_them_on_the_stack,
    "pi",
    "{ 'b let 'a let  a b + 'c let  c c * } 2 fn 'area #"
);
snapshot!(pi_a_closure_keeps_its_scope_in_the_heap, "pi", "{ 'n let { n 1 + } } 1 fn 'adder #");

// ---- Rho ----
snapshot!(rho_fib, "rho", "fun fib(n) {\n  if n < 2 { return n }\n  return fib(n - 1) + fib(n - 2)\n}\nprint(fib(25))");
snapshot!(
    rho_loops_and_locals,
    "rho",
    "fun f(n) {\n  let s = 0\n  for i in range(0, n) { s += i }\n  while s > 10 { s = s - 3 }\n  return s\n}"
);
snapshot!(
    rho_records_and_fields,
    "rho",
    "let p = {\"x\": 1.5, \"y\": 2.0}\np[\"x\"] = p[\"x\"] + p[\"y\"]\nprint(p[\"x\"])"
);
snapshot!(rho_closures_and_map, "rho", "let k = 3\nlet ys = map([1, 2, 3], fun(x) { return x * k })\nprint(ys)");
snapshot!(
    rho_try_catch_and_else_if,
    "rho",
    "try { throw \"no\" } catch e { print(e[\"message\"]) }\nlet x = 5\nif x < 0 { print(\"neg\") } else if x == 0 { print(\"zero\") } else { print(\"pos\") }"
);
