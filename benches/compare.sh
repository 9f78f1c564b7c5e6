#!/usr/bin/env bash
# Runs each benchmark program under Kai, Lua 5.4 and Python 3 in one session and prints
# the best-of-N wall time, peak memory, and Kai's ratio to each peer.
#
#   benches/compare.sh            # all programs, 5 runs each
#   RUNS=3 benches/compare.sh fib # one program
#
# Needs lua5.4 (apt-get install lua5.4) and python3 on PATH. Builds Kai in release first.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
cargo build --release -q -p console
KAI=target/release/kai
DIR=benches/programs
programs=("$@")
if [ ${#programs[@]} -eq 0 ]; then
    programs=()
    for f in "$DIR"/*.pi; do programs+=("$(basename "$f" .pi)"); done
fi

# best_of CMD... -> "seconds kilobytes": the least wall time over $RUNS runs (measured with
# microsecond resolution) and the largest peak resident memory seen.
best_of() {
    local best="" mem=0
    for _ in $(seq "$RUNS"); do
        local start end m
        start=$EPOCHREALTIME
        m=$( { /usr/bin/time -f "%M" "$@" > /dev/null; } 2>&1 | tail -n 1)
        end=$EPOCHREALTIME
        local t
        t=$(awk "BEGIN{printf \"%.4f\", $end - $start}")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        if [ "$m" -gt "$mem" ]; then mem=$m; fi
    done
    echo "$best $mem"
}

ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }

printf "%-14s %-8s %10s %10s %10s\n" program runtime seconds "peak KB" "kai/peer"
for p in "${programs[@]}"; do
    read -r kt km < <(best_of "$KAI" run "$DIR/$p.pi")
    printf "%-14s %-8s %10s %10s %10s\n" "$p" kai "$kt" "$km" ""
    for peer in "lua5.4 lua" "python3 py" "$KAI rho"; do
        set -- $peer
        cmd=$1 ext=$2
        [ -f "$DIR/$p.$ext" ] || continue
        command -v "$cmd" > /dev/null || { echo "  ($cmd not installed)"; continue; }
        if [ "$ext" = rho ]; then
            read -r t m < <(best_of "$KAI" run "$DIR/$p.rho")
            name=rho
        else
            read -r t m < <(best_of "$cmd" "$DIR/$p.$ext")
            name=$cmd
        fi
        printf "%-14s %-8s %10s %10s %10s\n" "" "$name" "$t" "$m" "$(ratio "$kt" "$t")"
    done
done
