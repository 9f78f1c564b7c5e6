//! `docs/stdlib.md` against the word table: every arithmetic, data, math, text, file,
//! process and JSON word has a row with its stack effect, every row names a word, and every
//! constant is described, so the reference cannot drift from what `kai words` prints.

use vm_core::words::{CONSTANTS, WORDS};

/// The groups the reference covers.
const GROUPS: [&str; 7] = ["arithmetic", "data", "math", "text", "files", "process", "json"];

fn reference() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/stdlib.md");
    std::fs::read_to_string(path).expect("docs/stdlib.md is readable")
}

/// The table rows: (word, stack effect), with the table's escaped `\|` read back.
fn rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<String> =
                line.replace("\\|", "\u{0}").split('|').map(|c| c.trim().replace('\u{0}', "|")).collect();
            let unquote = |cell: &str| cell.trim_matches('`').to_string();
            (unquote(&cells[1]), unquote(&cells[3]))
        })
        .collect()
}

#[test]
fn every_library_word_has_a_row_with_its_stack_effect() {
    let rows = rows(&reference());
    for word in WORDS.iter().filter(|w| GROUPS.contains(&w.group)) {
        let row = rows.iter().find(|(name, _)| name == word.name);
        let Some((_, effect)) = row else { panic!("docs/stdlib.md has no row for '{}'", word.name) };
        assert_eq!(effect, word.effect, "the stack effect of '{}' in docs/stdlib.md", word.name);
    }
}

#[test]
fn every_row_names_a_library_word() {
    for (name, _) in rows(&reference()) {
        let word = vm_core::words::lookup(&name);
        assert!(word.is_some_and(|w| GROUPS.contains(&w.group)), "docs/stdlib.md lists '{name}', not a library word");
    }
}

#[test]
fn every_constant_is_described() {
    let text = reference();
    for (name, _, _) in CONSTANTS {
        assert!(text.contains(&format!("`{name}`")), "docs/stdlib.md does not describe the constant '{name}'");
    }
}
