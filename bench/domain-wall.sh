#!/usr/bin/env bash
# Wall time of one `mailcheck domain` run on the fixture domain example.com:
# through a real DNS server on 127.0.0.1 (--resolver) and offline (--zone).
# Prints a table of median / min / max over N runs (default 50).
#
#   bash bench/domain-wall.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}

cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck --example fixture_dns
bin=target/release/mailcheck

# Start the fixture server; it stops when its standard input closes.
fifo=$(mktemp -u) && mkfifo "$fifo"
target/release/examples/fixture_dns < "$fifo" > "$fifo.addr" &
server=$!
exec 9> "$fifo"
trap 'exec 9>&-; wait $server 2>/dev/null; rm -f "$fifo" "$fifo.addr"' EXIT
for _ in $(seq 50); do [ -s "$fifo.addr" ] && break; sleep 0.1; done
addr=$(head -1 "$fifo.addr")

zones=(--zone fixtures/domain/example.com.zone)
for z in fixtures/shared/*.zone; do zones+=(--zone "$z"); done

measure() { # label, then the command
    local label=$1; shift
    "$@" > /dev/null # warm-up
    python3 - "$label" "$runs" "$@" <<'PY'
import subprocess, sys, time, statistics
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    times.append((time.perf_counter() - t) * 1000)
print(f"| {label} | {runs} | {statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} |")
PY
}

echo "| run | runs | median ms | min ms | max ms |"
echo "|-----|------|-----------|--------|--------|"
measure "domain example.com --resolver (local hickory-server)" $bin domain example.com --json --resolver "$addr"
measure "domain example.com --zone" $bin domain example.com --json "${zones[@]}"
measure "domain example.com --ip 198.51.100.7 --resolver" $bin domain example.com --json --ip 198.51.100.7 --resolver "$addr"
