//! Times each benchmark program in-process: `cargo bench -p kai-benches`.

fn main() {
    divan::main();
}

#[divan::bench(args = ["fib", "loop", "countdown", "array"], sample_count = 5, sample_size = 1)]
fn program(bencher: divan::Bencher, name: &str) {
    let source = kai_benches::program(name);
    bencher.bench(|| kai_benches::run(&source));
}
