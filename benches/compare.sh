#!/usr/bin/env bash
# Runs benchmark programs under Kai and their peers side by side in one session and prints,
# for each, the best wall time over $RUNS runs, the peak memory, and the ratios.
#
#   benches/compare.sh                      # every program in benches/programs, 5 runs each
#   RUNS=9 benches/compare.sh fib push:4000000
#   KAI_BASE=/tmp/old/kai benches/compare.sh fib   # also time an older kai build
#
# A program NAME runs as NAME.pi, NAME.rho and NAME.stark under Kai and as NAME.lua (Lua 5.4)
# and NAME.py (Python 3) under the peers, for whichever of those files exist; NAME:ARG passes
# ARG to every one of them. Before timing, the script checks that every twin prints
# exactly what the first one printed, and fails if not.
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
specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
    for f in "$DIR"/*.pi "$DIR"/*.rho "$DIR"/*.stark; do specs+=("$(basename "${f%.*}")"); done
    mapfile -t specs < <(printf '%s\n' "${specs[@]}" | sort -u)
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

status=0
printf "%-18s %-8s %10s %10s  %s\n" program runtime seconds "peak KB" ratios
for spec in "${specs[@]}"; do
    p=${spec%%:*}
    arg=""
    [ "$spec" != "$p" ] && arg=${spec#*:}
    # The runtimes for this program: a label and a command line each.
    labels=() cmds=()
    if [ -f "$DIR/$p.pi" ]; then labels+=(pi); cmds+=("$KAI run $DIR/$p.pi $arg"); fi
    if [ -f "$DIR/$p.rho" ]; then labels+=(rho); cmds+=("$KAI run $DIR/$p.rho $arg"); fi
    if [ -f "$DIR/$p.stark" ]; then labels+=(stark); cmds+=("$KAI run $DIR/$p.stark $arg"); fi
    if [ -n "${KAI_BASE:-}" ]; then
        for l in pi rho; do
            if [ -f "$DIR/$p.$l" ]; then labels+=("base-$l"); cmds+=("$KAI_BASE run $DIR/$p.$l $arg"); fi
        done
    fi
    if [ -f "$DIR/$p.lua" ] && command -v lua5.4 > /dev/null; then labels+=(lua5.4); cmds+=("lua5.4 $DIR/$p.lua $arg"); fi
    if [ -f "$DIR/$p.py" ] && command -v python3 > /dev/null; then labels+=(python3); cmds+=("python3 $DIR/$p.py $arg"); fi
    # Every twin must print the same output. (A program alone, such as gcpause or timers,
    # has nothing to compare, and its output may differ from run to run.)
    expected=$(${cmds[0]})
    for i in "${!labels[@]}"; do
        [ "$i" -eq 0 ] && continue
        if [ "$(${cmds[$i]})" != "$expected" ]; then
            echo "$spec: ${labels[$i]} prints something else than ${labels[0]}" >&2
            status=1
        fi
    done
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
        r=""
        case $l in
            pi | rho | stark)
                for peer in lua5.4 python3; do
                    if [ -n "${best[$peer]:-}" ]; then
                        r+="/$peer $(ratio "${best[$l]}" "${best[$peer]}") (mem $(ratio "${mem[$l]}" "${mem[$peer]}"))  "
                    fi
                done
                if [ "$l" = rho ] && [ -n "${best[pi]:-}" ]; then r+="/pi $(ratio "${best[rho]}" "${best[pi]}")  "; fi
                if [ "$l" = stark ] && [ -n "${best[rho]:-}" ]; then r+="/rho $(ratio "${best[stark]}" "${best[rho]}")  "; fi
                if [ -n "${best[base-$l]:-}" ]; then r+="/base $(ratio "${best[$l]}" "${best[base-$l]}")"; fi
                ;;
        esac
        name=$spec; [ "$l" = "${labels[0]}" ] || name=""
        printf "%-18s %-8s %10s %10s  %s\n" "$name" "$l" "${best[$l]}" "${mem[$l]}" "$r"
    done
    unset best mem
done
exit $status
