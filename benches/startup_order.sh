#!/usr/bin/env bash
# Regenerates console/startup-order.txt: the functions of `kai` that starting a program
# runs, which console/build.rs asks the linker to place together (see build.rs for why).
#
#   benches/startup_order.sh
#
# Builds kai in release without an order (KAI_LINK_ORDER=0), runs an empty program and a
# hello-world in Pi, Rho and Stark under callgrind with mangled names, and keeps every
# function callgrind saw that is one of kai's own text symbols, in the order callgrind
# lists them, except that two come first (see LEAD below). Run it after a toolchain update
# (symbol names carry crate hashes, which change with the compiler) or after a change to
# what start-up runs; names the linker no longer finds are ignored, so a stale file costs
# speed, not correctness.
# Needs valgrind and nm (apt-get install valgrind binutils).
set -euo pipefail
cd "$(dirname "$0")/.."
KAI_LINK_ORDER=0 cargo build --release -q -p console
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/release/kai "$work/kai"
: > "$work/empty.pi"
: > "$work/empty.rho"
echo '"hello" print' > "$work/hello.pi"
echo 'print("hello")' > "$work/hello.rho"
echo 'print("hello")' > "$work/hello.stark"
for program in empty.pi empty.rho hello.pi hello.rho hello.stark; do
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$program.cg" \
        "$work/kai" run "$work/$program" > /dev/null 2>&1
done
nm --defined-only "$work/kai" | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u > "$work/text"
# Callgrind names a function in full once ("fn=(7) name") and by number after that.
sed -n 's/^c\?fn=([0-9]*) //p' "$work"/*.cg | awk '!seen[$0]++' > "$work/seen"
awk 'NR == FNR { text[$0] = 1; next } $0 in text' "$work/text" "$work/seen" > "$work/startup"
# LEAD: the executor's loop (`Vm::run_slice`) opens the text, where no other change to the
# binary moves it, 32 bytes past a 64-byte boundary (after `std::process::exit`, 20 bytes
# padded to 32). The loop's speed depends on that alignment: on the development machine
# (AMD EPYC) the 10 M counting loop (benches/programs/loop.pi) took 80 ms at offset 0 and
# 65 ms at 32, fib(32) 69 and 67 ms. A change to run_slice itself can move its best offset:
# after one, compare loop.pi and fib.pi with this offset and with offset 0 (LEAD without
# its first line) before keeping the file.
exit_symbol='_RNvNtCs[A-Za-z0-9_]*_3std7process4exit'
loop_symbol='.*9run_slice17h.*'
for lead in "$exit_symbol" "$loop_symbol"; do
    if ! grep -q -x "$lead" "$work/startup"; then
        echo "startup_order.sh: no start-up function matches $lead (renamed?); the file is unchanged" >&2
        exit 1
    fi
done
{
    grep -x "$exit_symbol" "$work/startup"
    grep -x "$loop_symbol" "$work/startup"
    grep -v -x -e "$exit_symbol" -e "$loop_symbol" "$work/startup"
} > console/startup-order.txt
echo "console/startup-order.txt: $(wc -l < console/startup-order.txt) functions"
