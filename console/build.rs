//! Link settings of the `kai` binary that make it start faster (see benches/README.md,
//! "start-up"). Both are about page faults, which on the virtual machines we measure on
//! cost several microseconds each — as much as the instructions of starting an empty
//! program.
//!
//! **Position-dependent on Linux with glibc**, unless `KAI_PIE` is set (to anything but `0`
//! or empty). A position-independent executable is relocated by the dynamic loader at every
//! start. Kai's binary holds ~6,000 absolute addresses (string slices in static tables,
//! vtables, panic locations), which the loader writes into ~30 pages of `.data.rel.ro`;
//! each first write is a copy-on-write page fault. Linked position-dependent, the static
//! linker resolves those addresses once and the pages are only read when used: ~162 page
//! faults to ~138. The price is that the executable itself is not placed at a random
//! address (shared libraries, the heap and the stack still are) — the trade Debian makes
//! for its Python. A packager who prefers address randomisation builds with `KAI_PIE=1`.
//!
//! **Start-up functions together**, in release builds linked by lld (Rust's default linker
//! on x86_64 Linux with glibc since 1.90), unless `KAI_LINK_ORDER=0`. Starting a program
//! runs some 400 of Kai's functions spread over 4 MB of code, touching a page here and
//! there; lld's `--symbol-ordering-file` places the ones listed in `startup-order.txt`
//! first, together (~126 faults to ~100; the list's first two entries also fix the
//! executor loop's alignment, see the script). `benches/startup_order.sh` regenerates the list; names it
//! no longer matches (symbol names carry crate hashes) are ignored without a warning, so a
//! stale list costs speed, never the build. It is not passed where another linker may be in
//! use (a configured linker, linker flags in `RUSTFLAGS`, an older compiler): GNU ld has
//! no such option.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=startup-order.txt");
    println!("cargo::rerun-if-env-changed=KAI_PIE");
    println!("cargo::rerun-if-env-changed=KAI_LINK_ORDER");
    let linux_gnu = env_is("CARGO_CFG_TARGET_OS", "linux") && env_is("CARGO_CFG_TARGET_ENV", "gnu");
    if linux_gnu && !flag_set("KAI_PIE") {
        println!("cargo::rustc-link-arg-bin=kai=-no-pie");
    }
    let order_wanted = std::env::var("KAI_LINK_ORDER").map_or(true, |v| v != "0");
    let order =
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("startup-order.txt");
    // (A source tree without the list, a trimmed package, links as it would without lld.)
    if order_wanted && order.is_file() && env_is("PROFILE", "release") && linker_is_rust_lld() {
        println!("cargo::rustc-link-arg-bin=kai=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo::rustc-link-arg-bin=kai=-Wl,--no-warn-symbol-ordering");
    }
}

fn env_is(key: &str, value: &str) -> bool {
    std::env::var(key).is_ok_and(|v| v == value)
}

fn flag_set(key: &str) -> bool {
    std::env::var(key).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Whether rustc will link with its own lld: x86_64 Linux with glibc, rustc 1.90 or later,
/// and nothing that may choose another linker: a configured linker (which reaches build
/// scripts as `RUSTC_LINKER`) or any link option in `RUSTFLAGS` (`-C linker=…`,
/// `-C link-arg=-fuse-ld=…`, `-C linker-features=…`, `-C link-self-contained=…`).
fn linker_is_rust_lld() -> bool {
    let target = env_is("CARGO_CFG_TARGET_ARCH", "x86_64")
        && env_is("CARGO_CFG_TARGET_OS", "linux")
        && env_is("CARGO_CFG_TARGET_ENV", "gnu");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let chosen_elsewhere = std::env::var_os("RUSTC_LINKER").is_some() || flags.contains("link");
    target && !chosen_elsewhere && rustc_minor().is_some_and(|minor| minor >= 90)
}

/// The minor version of the compiler building us (`rustc 1.95.0 (…)` gives 95).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(rustc).arg("-V").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok()
}
