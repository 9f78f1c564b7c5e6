#!/usr/bin/env bash
# Tau's network speed on loopback, measured side by side in one run:
#   - Rust → Rust: round-trip p50/p99 against a bare TCP ping-pong of the same bytes, and
#     pipelined calls per second (benches/src/bin/tau_net.rs);
#   - Rho → Rho: the same measures with a Rho agent and a Rho client, each its own process
#     (benches/programs/tau/), with the ratio to the bare TCP round trip of this run.
#
#   benches/tau.sh [CALLS]      # default 20000 sequential calls
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${1:-20000}
cargo build --release -q -p console -p kai-benches --bin kai --bin tau_net
KAI=$PWD/target/release/kai
work=$(mktemp -d)
agent_pid=""
cleanup() { [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rust=$(target/release/tau_net "$CALLS")
echo "$rust"
bare_p50=$(echo "$rust" | awk '/^bare TCP/ {print $(NF-1)}')
bare_p99=$(echo "$rust" | awk '/^bare TCP/ {print $NF}')

"$KAI" tau benches/programs/tau/bench.tau --target rho --out "$work" > /dev/null
cp benches/programs/tau/agent.rho benches/programs/tau/client.rho "$work"
cd "$work"
"$KAI" run agent.rho 127.0.0.1:0 > agent.out &
agent_pid=$!
for _ in $(seq 100); do grep -q "listening on" agent.out 2>/dev/null && break; sleep 0.1; done
address=$(sed -n 's/^listening on //p' agent.out)
rho=$("$KAI" run client.rho "$address" "$CALLS")
p50=$(echo "$rho" | awk '/^p50/ {print $2}')
p99=$(echo "$rho" | awk '/^p99/ {print $2}')
rate=$(echo "$rho" | awk '/^calls/ {print $2}')
echo
echo "Rho → Rho, $CALLS sequential calls (µs): p50 $(printf %.1f "$p50"), p99 $(printf %.1f "$p99");" \
    "ratio to bare TCP: $(awk "BEGIN{printf \"%.2f\", $p50 / $bare_p50}") / $(awk "BEGIN{printf \"%.2f\", $p99 / $bare_p99}")"
echo "pipelined, Rho → Rho: $rate calls/s"
