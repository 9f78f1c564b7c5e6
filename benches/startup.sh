#!/usr/bin/env bash
# Start-up time: runs an empty program under Kai (Pi and Rho) and Lua 5.4, interleaved, $RUNS
# times each, and prints each runtime's median and least wall time and Kai's ratios to Lua.
# The target (issue 9) is start-up below Lua's.
#
#   benches/startup.sh                 # 500 runs each
#   RUNS=1000 KAI_BASE=/tmp/old/kai benches/startup.sh   # also an older kai build
#
# Each run is timed from the shell (fork, exec, exit, wait), which costs every runtime alike.
# Needs lua5.4 on PATH (apt-get install lua5.4); builds Kai in release first.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-500}
cargo build --release -q -p console
KAI=target/release/kai
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/empty.pi"
: > "$work/empty.rho"
: > "$work/empty.lua"

labels=(pi rho) cmds=("$KAI run $work/empty.pi" "$KAI run $work/empty.rho")
if [ -n "${KAI_BASE:-}" ]; then
    labels+=(base-pi base-rho)
    cmds+=("$KAI_BASE run $work/empty.pi" "$KAI_BASE run $work/empty.rho")
fi
labels+=(lua5.4) cmds+=("lua5.4 $work/empty.lua")

for i in "${!cmds[@]}"; do $(echo "${cmds[$i]}") > /dev/null; done # warm the page cache
for _ in $(seq "$RUNS"); do
    for i in "${!cmds[@]}"; do
        start=$EPOCHREALTIME
        ${cmds[$i]} > /dev/null
        end=$EPOCHREALTIME
        echo "$(awk "BEGIN{printf \"%.1f\", ($end - $start) * 1e6}")" >> "$work/${labels[$i]}"
    done
done

# stats LABEL -> "median least" in microseconds
stats() {
    sort -n "$work/$1" | awk '{ v[NR] = $1 } END { printf "%.0f %.0f", v[int((NR + 1) / 2)], v[1] }'
}
read -r lua_median lua_least <<< "$(stats lua5.4)"
printf "%-9s %12s %12s %14s\n" runtime "median µs" "least µs" "median / Lua"
for label in "${labels[@]}"; do
    read -r median least <<< "$(stats "$label")"
    printf "%-9s %12s %12s %14s\n" "$label" "$median" "$least" "$(awk "BEGIN{printf \"%.2f\", $median / $lua_median}")"
done
