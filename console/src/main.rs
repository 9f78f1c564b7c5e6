//! The `kai` binary: a thin wrapper around [`console::main_with`].

use std::io::IsTerminal;

fn main() {
    keep_freed_memory();
    let streams = console::Streams {
        out: Box::new(std::io::BufWriter::new(std::io::stdout())),
        err: Box::new(std::io::stderr()),
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = console::main_with(std::env::args_os(), streams);
    std::process::exit(code);
}

/// Asks glibc's allocator to keep up to 64 MiB of freed memory instead of returning it to
/// the kernel at once. The collector frees many objects per increment; by default glibc
/// trims the heap inside such a `free`, which unmaps pages and can stall one increment for
/// milliseconds (measured with `benches/programs/gcpause.rho`: a longest pause of 2–3 ms
/// against 0.3 ms with trimming off). Embedders choose their own allocator settings.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    const M_TRIM_THRESHOLD: i32 = -1;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: `mallopt` is glibc's (this is a linux-gnu build, so glibc is the C library
    // and allocator), takes two plain ints and only changes a tuning parameter; it is
    // called first thing in `main`, before any other thread or allocation that could race.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
