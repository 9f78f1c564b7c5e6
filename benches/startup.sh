#!/usr/bin/env bash
# Start-up time: an empty program under Kai (Pi and Rho) and Lua 5.4, with hyperfine (no
# shell in between), $RUNS runs each after 30 warm-up runs; prints hyperfine's table, whose
# "Relative" column gives the ratios of the means, and a table of the medians against
# Lua's (the last row). The target (issue 9) is start-up below Lua's.
#
#   benches/startup.sh                                   # 500 runs each
#   RUNS=1000 KAI_BASE=/tmp/old/kai benches/startup.sh   # also an older kai build
#
# Needs hyperfine, lua5.4 and python3 on PATH (apt-get install hyperfine lua5.4); builds Kai in
# release first. For the page faults and instructions behind the times:
#   perf stat -r 200 target/release/kai run EMPTY.pi
#   valgrind --tool=callgrind target/release/kai run EMPTY.pi
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-500}
cargo build --release -q -p console
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The binary is timed as installed, copied to a fresh file (as `cargo install` places it).
# The linker's own output starts 10-15 % slower on the development machine: the linker
# writes it through a memory map, which leaves it in the page cache as single pages, and
# every page the start touches is then a fault of its own; a file written with `write`
# is cached in larger pieces, several of which one fault maps.
KAI=$work/kai
cp target/release/kai "$KAI"
: > "$work/empty.pi"
: > "$work/empty.rho"
: > "$work/empty.lua"
cmds=("$KAI run $work/empty.pi" "$KAI run $work/empty.rho")
if [ -n "${KAI_BASE:-}" ]; then
    cmds+=("$KAI_BASE run $work/empty.pi" "$KAI_BASE run $work/empty.rho")
fi
cmds+=("lua5.4 $work/empty.lua")
hyperfine -N --warmup 30 --runs "$RUNS" --style none --export-markdown "$work/table.md" \
    --export-json "$work/times.json" "${cmds[@]}" > /dev/null
sed "s|$work/||g" "$work/table.md"
# The medians too: on a shared machine a few stalled runs of tens of milliseconds move the
# mean of 500 runs of ~1 ms by 10 %, and the median not at all.
python3 - "$work/times.json" "$work/" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
last = results[-1]["median"]
print()
print("| Command | Median [ms] | Median / last |")
print("|:---|---:|---:|")
for r in results:
    command = r["command"].replace(sys.argv[2], "")
    print(f"| `{command}` | {r['median'] * 1000:.3f} | {r['median'] / last:.2f} |")
PY
