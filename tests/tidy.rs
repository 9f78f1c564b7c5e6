//! Tidiness rules that the compiler does not check: every Rust source file starts with a
//! `//!` doc comment saying what it is for, and no file carries leftover markers.

use kai_tests::{files, root};

const CRATES: [&str; 9] =
    ["gc", "registry", "vm-core", "lang-pi", "lang-rho", "lang-tau", "console", "tests", "benches"];

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let mut missing = Vec::new();
    for krate in CRATES {
        for file in files(&root().join(krate), "rs") {
            if file.components().any(|c| c.as_os_str() == "target") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable source");
            if !text.starts_with("//!") {
                missing.push(file.display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "files without a leading `//!` comment:\n{}", missing.join("\n"));
}

#[test]
fn no_leftover_markers() {
    let mut found = Vec::new();
    for krate in CRATES {
        // This file names the markers, so it is the one file not checked.
        for file in files(&root().join(krate), "rs").into_iter().filter(|f| !f.ends_with("tests/tidy.rs")) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                for marker in ["TODO", "FIXME", "XXX", "todo!(", "unimplemented!("] {
                    if line.contains(marker) {
                        found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
