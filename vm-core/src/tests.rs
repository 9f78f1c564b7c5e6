//! Tests of the executor that need no frontend: ops assembled by hand.

#[test]
fn sizes_are_pinned() {
    assert_eq!(std::mem::size_of::<crate::Value>(), 16);
    assert_eq!(std::mem::size_of::<crate::Op>(), 12);
    println!("frame {}", std::mem::size_of::<crate::frame::Frame>());
    println!("env {}", std::mem::size_of::<crate::frame::Env>());
    println!("error {}", std::mem::size_of::<crate::Error>());
}

#[test]
fn fused_int_comparisons_agree_with_rust() {
    use crate::Cmp;
    for a in -2i64..=2 {
        for b in -2i64..=2 {
            assert_eq!(Cmp::Eq.ints(a, b), a == b);
            assert_eq!(Cmp::Ne.ints(a, b), a != b);
            assert_eq!(Cmp::Lt.ints(a, b), a < b);
            assert_eq!(Cmp::Le.ints(a, b), a <= b);
            assert_eq!(Cmp::Gt.ints(a, b), a > b);
            assert_eq!(Cmp::Ge.ints(a, b), a >= b);
        }
    }
}

#[test]
fn every_word_and_constant_has_its_own_name() {
    let mut seen = std::collections::HashSet::new();
    for word in crate::words::WORDS {
        assert!(seen.insert(word.name), "two words are named '{}'", word.name);
    }
    for (name, _, _) in crate::words::CONSTANTS {
        assert!(seen.insert(name), "the constant '{name}' is also a word");
    }
}
