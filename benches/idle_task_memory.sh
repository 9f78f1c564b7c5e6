#!/usr/bin/env bash
# What an idle task costs in memory: runs benches/programs/idletasks (N tasks spawned and
# all blocked on recv of one channel at the same moment, then fed so the program ends)
# with N tasks and with 0, and prints (peak RSS with N - peak RSS with 0) / N in bytes,
# the best (lowest) peak of $RUNS runs each. The target (issue 11) is at most 1 KB a task.
#
#   benches/idle_task_memory.sh            # N = 100,000, Pi, Rho and the Lua 5.4 twin
#   N=200000 RUNS=5 benches/idle_task_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
RUNS=${RUNS:-3}
cargo build --release -q -p console
KAI=target/release/kai
DIR=benches/programs

# peak CMD... -> the lowest peak RSS in KB over $RUNS runs
peak() {
    local best="" m
    for _ in $(seq "$RUNS"); do
        m=$( { /usr/bin/time -f "%M" "$@" > /dev/null; } 2>&1 | tail -n 1)
        if [ -z "$best" ] || [ "$m" -lt "$best" ]; then best=$m; fi
    done
    echo "$best"
}

printf "%-8s %12s %12s %12s\n" runtime "base KB" "N=$N KB" "bytes/task"
run() {
    local label=$1; shift
    local base full
    base=$(peak "$@" 0)
    full=$(peak "$@" "$N")
    printf "%-8s %12s %12s %12s\n" "$label" "$base" "$full" \
        "$(awk "BEGIN{printf \"%.0f\", ($full - $base) * 1024 / $N}")"
}
run pi "$KAI" run "$DIR/idletasks.pi"
run rho "$KAI" run "$DIR/idletasks.rho"
if command -v lua5.4 > /dev/null; then run lua5.4 lua5.4 "$DIR/idletasks.lua"; fi
