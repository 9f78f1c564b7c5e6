//! Links the `kai` binary as a position-dependent executable on Linux with glibc, unless
//! `KAI_PIE` is set (to anything but `0` or empty).
//!
//! Why: a position-independent executable is relocated by the dynamic loader at every
//! start. Kai's binary holds ~6,000 absolute addresses (string slices in static tables,
//! vtables, panic locations), which the loader writes into ~30 pages of `.data.rel.ro`;
//! each first write is a copy-on-write page fault, and on the virtual machines we measure
//! on a fault costs several microseconds. Linked position-dependent, the static linker
//! resolves those addresses once and the pages are only read when used: start-up of an
//! empty program goes from ~162 page faults to ~138 (see benches/README.md, "start-up").
//! The price is that the executable itself is not placed at a random address (shared
//! libraries, the heap and the stack still are) — the trade Debian makes for its Python.
//! A packager who prefers address randomisation builds with `KAI_PIE=1`.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=KAI_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let pie_wanted = std::env::var("KAI_PIE").is_ok_and(|v| !v.is_empty() && v != "0");
    if linux_gnu && !pie_wanted {
        println!("cargo::rustc-link-arg-bin=kai=-no-pie");
    }
}
