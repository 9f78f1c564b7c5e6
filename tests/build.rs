//! Generates Rust from the Tau files under `tau/` into `OUT_DIR`, for the tests that
//! compile and run generated code (`tau_rust.rs`): a generator change that breaks the
//! generated code breaks this build.

use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["demo"] {
        let path = format!("tau/{name}.tau");
        println!("cargo::rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).expect("the test's .tau file");
        let model = lang_tau::load(&path, &text).unwrap_or_else(|e| panic!("{path}: {}", e.message()));
        let files =
            lang_tau::generate::generate(&model, lang_tau::generate::Target::Rust, &format!("{name}.tau"), &text, name)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        for file in files {
            std::fs::write(Path::new(&out).join(&file.name), file.text).expect("OUT_DIR is writable");
        }
    }
}
