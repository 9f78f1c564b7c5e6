#!/usr/bin/env bash
# Runs each benchmark program under Kai (Pi, and Rho where a twin exists), Lua 5.4 and
# Python 3 in one session and prints, for each, the best wall time over $RUNS runs, the
# peak memory, and Kai's ratio to each peer (a Rho row shows Rho / Pi).
#
#   benches/compare.sh            # all programs, 5 runs each
#   RUNS=9 benches/compare.sh fib # one program
#
# The runs are interleaved (Kai, then each peer, repeated), so a noisy moment on a shared
# machine costs every runtime alike. Needs lua5.4 (apt-get install lua5.4) and python3 on
# PATH; builds Kai in release first.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
cargo build --release -q -p console
KAI=target/release/kai
DIR=benches/programs
programs=("$@")
if [ ${#programs[@]} -eq 0 ]; then
    for f in "$DIR"/*.pi; do programs+=("$(basename "$f" .pi)"); done
fi

# time_run CMD... -> "seconds kilobytes" for one run (microsecond wall clock, peak RSS).
time_run() {
    local start end m
    start=$EPOCHREALTIME
    m=$( { /usr/bin/time -f "%M" "$@" > /dev/null; } 2>&1 | tail -n 1)
    end=$EPOCHREALTIME
    echo "$(awk "BEGIN{printf \"%.4f\", $end - $start}") $m"
}

ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }

printf "%-12s %-8s %10s %10s %10s\n" program runtime seconds "peak KB" "kai/peer"
for p in "${programs[@]}"; do
    # The runtimes for this program: a label and a command line each.
    labels=(kai) cmds=("$KAI run $DIR/$p.pi")
    if [ -f "$DIR/$p.rho" ]; then labels+=(rho); cmds+=("$KAI run $DIR/$p.rho"); fi
    if [ -f "$DIR/$p.lua" ] && command -v lua5.4 > /dev/null; then labels+=(lua5.4); cmds+=("lua5.4 $DIR/$p.lua"); fi
    if [ -f "$DIR/$p.py" ] && command -v python3 > /dev/null; then labels+=(python3); cmds+=("python3 $DIR/$p.py"); fi
    declare -A best=() mem=()
    for _ in $(seq "$RUNS"); do
        for i in "${!labels[@]}"; do
            read -r t m < <(time_run ${cmds[$i]})
            l=${labels[$i]}
            if [ -z "${best[$l]:-}" ] || awk "BEGIN{exit !($t < ${best[$l]})}"; then best[$l]=$t; fi
            if [ "$m" -gt "${mem[$l]:-0}" ]; then mem[$l]=$m; fi
        done
    done
    for l in "${labels[@]}"; do
        if [ "$l" = kai ]; then r=""; elif [ "$l" = rho ]; then r="$(ratio "${best[rho]}" "${best[kai]}") (rho/pi)"; else r=$(ratio "${best[kai]}" "${best[$l]}"); fi
        name=$p; [ "$l" = kai ] || name=""
        printf "%-12s %-8s %10s %10s %10s\n" "$name" "$l" "${best[$l]}" "${mem[$l]}" "$r"
    done
    unset best mem
done
