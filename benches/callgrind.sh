#!/usr/bin/env bash
# Counts the instructions Kai executes for benchmark programs under valgrind's callgrind:
# repeatable on a noisy machine, so small changes to the executor can be measured.
#
#   benches/callgrind.sh fib.pi:25 loop.pi:1000000
#   KAI_BASE=/tmp/old/kai benches/callgrind.sh fib.pi:25   # also an older build, with the ratio
#
# Each argument is FILE[:ARG] under benches/programs. Builds Kai in release first.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p console
DIR=benches/programs
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# count KAI FILE ARG -> instructions executed
count() {
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$1" run "$DIR/$2" $3 > /dev/null 2> "$out/log"
    grep -E "Collected" "$out/log" | awk '{print $4}' | tr -d ','
}

printf "%-26s %15s %15s %8s\n" program instructions base ratio
for spec in "$@"; do
    file=${spec%%:*}
    arg=""
    [ "$spec" != "$file" ] && arg=${spec#*:}
    now=$(count target/release/kai "$file" "$arg")
    if [ -n "${KAI_BASE:-}" ]; then
        base=$(count "$KAI_BASE" "$file" "$arg")
        printf "%-26s %15s %15s %8s\n" "$spec" "$now" "$base" "$(awk "BEGIN{printf \"%.3f\", $now / $base}")"
    else
        printf "%-26s %15s\n" "$spec" "$now"
    fi
done
