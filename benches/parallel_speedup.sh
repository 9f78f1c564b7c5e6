#!/usr/bin/env bash
# par_map's speedup: benches/programs/parmap (fib(24) for each of 64 elements) with
# par_map on every core against a sequential map of the same, in Pi and in Rho; prints
# each mean time and the speedup (sequential / parallel). Uses hyperfine when it is on
# PATH (apt-get install hyperfine), else the best of $RUNS runs. The target (issue 11)
# is at least 1.8x on 2 cores.
#
#   benches/parallel_speedup.sh
#   RUNS=20 benches/parallel_speedup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
cargo build --release -q -p console
KAI=target/release/kai
DIR=benches/programs
echo "cores: $($KAI run -e 'cores print' 2>/dev/null || nproc)"

# seconds CMD -> the time of CMD in seconds (hyperfine's mean, or the best of $RUNS)
seconds() {
    if command -v hyperfine > /dev/null; then
        local json
        json=$(mktemp)
        hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$json" "$1" > /dev/null
        python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json"
        rm -f "$json"
    else
        local best="" s e t
        for _ in $(seq "$RUNS"); do
            s=$EPOCHREALTIME; $1 > /dev/null; e=$EPOCHREALTIME
            t=$(awk "BEGIN{printf \"%.4f\", $e - $s}")
            if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        done
        echo "$best"
    fi
}

printf "%-6s %12s %12s %9s\n" lang "map s" "par_map s" speedup
for lang in pi rho; do
    [ "$($KAI run $DIR/parmap.$lang seq)" = "$($KAI run $DIR/parmap.$lang par)" ] ||
        { echo "parmap.$lang: par_map and map print different sums" >&2; exit 1; }
    seq_t=$(seconds "$KAI run $DIR/parmap.$lang seq")
    par_t=$(seconds "$KAI run $DIR/parmap.$lang par")
    printf "%-6s %12s %12s %8sx\n" "$lang" "$seq_t" "$par_t" "$(awk "BEGIN{printf \"%.2f\", $seq_t / $par_t}")"
done
