#!/usr/bin/env bash
# Messages per second of one `mailcheck verify` invocation over N fixture
# messages (default 1000), offline (--zone). The messages are copies of the
# signed fixtures (RSA-2048, Ed25519, multipart, two signatures), so each one
# is read, hashed and verified in full.
#
#   bash bench/verify-throughput.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-5}

cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck
bin=$PWD/target/release/mailcheck

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=(rsa-pass ed25519-pass simple-simple two-signatures)
zones=()
for c in "${cases[@]}"; do zones+=(--zone "fixtures/verify/$c.zone"); done
zones+=(--zone fixtures/verify/two-signatures-esp.zone)
for i in $(seq 1 "$n"); do
    c=${cases[$((i % ${#cases[@]}))]}
    cp "fixtures/verify/$c.eml" "$work/$i.eml"
done
bytes=$(cat "$work"/*.eml | wc -c)

python3 - "$runs" "$n" "$bytes" "$bin" verify --ip 203.0.113.5 --json "${zones[@]}" "$work"/*.eml <<'PY'
import subprocess, sys, time, statistics
runs, n, nbytes, cmd = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
times = []
for _ in range(runs + 1):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, check=False)
    times.append(time.perf_counter() - t)
    lines = r.stdout.count(b"\n")
    assert lines == n, f"expected {n} results, got {lines}"
times = times[1:]  # the first run warms the page cache
med = statistics.median(times)
print("| messages | avg size | runs | median s | min s | max s | messages/s (median) |")
print("|----------|----------|------|----------|-------|-------|---------------------|")
print(f"| {n} | {nbytes // n} B | {runs} | {med:.3f} | {min(times):.3f} | {max(times):.3f} | {n / med:,.0f} |")
PY
