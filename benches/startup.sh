#!/usr/bin/env bash
# Start-up time: an empty program under Kai (Pi and Rho) and Lua 5.4, $RUNS interleaved runs
# each (see below); prints the median and the best time of each and the ratio of the
# medians to Lua's. The target (issue 9) is start-up below Lua's.
#
#   benches/startup.sh                                   # 500 runs each
#   RUNS=1000 KAI_BASE=/tmp/old/kai benches/startup.sh   # also an older kai build
#
# Needs lua5.4 and python3 on PATH (apt-get install lua5.4); builds Kai in release first.
# For the page faults and instructions behind the times:
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
# The runs are interleaved (each command once, then each again, ...), so that a noisy
# moment on a shared machine costs every command alike: run one after another, as
# hyperfine runs them, the time of a run drifted by up to 30 % between the first command
# and the last on the development machine. Each run is spawned directly (no shell) and
# timed from spawn to exit; the first 10 rounds warm up and are not counted.
cmds=("lua5.4 $work/empty.lua" "$KAI run $work/empty.pi" "$KAI run $work/empty.rho")
if [ -n "${KAI_BASE:-}" ]; then
    cmds+=("$KAI_BASE run $work/empty.pi" "$KAI_BASE run $work/empty.rho")
fi
python3 - "$RUNS" "$work/" "${cmds[@]}" <<'PY'
import os, shlex, statistics, sys, time
runs, work, commands = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
argvs = [shlex.split(c) for c in commands]
times = [[] for _ in argvs]
quiet = os.open(os.devnull, os.O_WRONLY)
to_null = [(os.POSIX_SPAWN_DUP2, quiet, 1), (os.POSIX_SPAWN_DUP2, quiet, 2)]
for lap in range(10 + runs):
    for argv, samples in zip(argvs, times):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=to_null)
        _, status, _ = os.wait4(pid, 0)
        if status != 0:
            sys.exit(f"startup.sh: {' '.join(argv)} failed")
        if lap >= 10:
            samples.append((time.perf_counter() - start) * 1000)
lua = statistics.median(times[0])
print("| Command | Median [ms] | Min [ms] | Median / Lua's |")
print("|:---|---:|---:|---:|")
for command, samples in zip(commands, times):
    median = statistics.median(samples)
    name = command.replace(work, "")
    print(f"| `{name}` | {median:.3f} | {min(samples):.3f} | {median / lua:.2f} |")
PY
