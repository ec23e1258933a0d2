#!/usr/bin/env bash
# The comparative benchmark: mailcheck vs checkdmarc, dkimpy and pyspf, and
# verify vs the crypto floor, all on one generated data set served by a real
# authoritative DNS server (Knot DNS) on 127.0.0.1. Prints a markdown table.
#
#   bash bench/run.sh                 # RUNS=5 PEER_RUNS=3 RUNS_10K=3
#   RUNS=3 PEER_RUNS=1 bash bench/run.sh   # quicker
#   OUT=results.md bash bench/run.sh  # also write the table to a file
#   BASE_BIN=/tmp/mailcheck-old bash bench/run.sh  # also before/after table
#
# What it installs, only when missing (needs root for apt, network access to
# Debian's archive and PyPI):
#   apt:  knot (knotd), knot-dnsutils (kdig, for the readiness check),
#         time (GNU /usr/bin/time -v for CPU time and peak RSS)
#   pip:  checkdmarc, dkimpy, pyspf, dnspython, cryptography
# It does not need iproute2: the 50 ms-latency case uses a delaying proxy on
# 127.0.0.1 (bench/delay_proxy.py) because this machine's kernel has no netem
# qdisc (`tc qdisc add dev lo root netem` says "Specified qdisc kind is
# unknown" even inside a fresh `ip netns`).
#
# What it builds: mailcheck (release) and bench/floor (a standalone crate,
# its own [workspace], built with a copy of the main Cargo.lock so that
# aws-lc-rs / rsa / sha2 are the versions mailcheck uses), in its own
# target dir bench/floor/target.
#
# How long: from scratch (apt + pip ~1 min, mailcheck release build ~7 min,
# floor build ~2-3 min for aws-lc-sys); with everything installed and built,
# generating the data takes ~15 s and the measurements ~5 min on the
# project's 2-core machine, most of it checkdmarc (~50 s a run).
#
# Everything it writes outside bench/floor/target lives in one temp dir
# (zones, keys, messages, Knot's config, rundir and storage), removed on exit;
# knotd and the proxy are stopped on exit. No traffic leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
RUNS_10K=${RUNS_10K:-3}
KEEP=${KEEP:-}   # set to keep the temp dir

need=()
command -v knotd > /dev/null || need+=(knot)
command -v kdig > /dev/null || need+=(knot-dnsutils)
[ -x /usr/bin/time ] || need+=(time)
if ((${#need[@]})); then
    echo "installing ${need[*]} (apt)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi
if ! python3 -c 'import checkdmarc, dkim, spf, dns.resolver, cryptography' 2> /dev/null; then
    echo "installing checkdmarc dkimpy pyspf dnspython cryptography (pip)" >&2
    python3 -m pip install -q checkdmarc dkimpy pyspf dnspython cryptography
fi

echo "building mailcheck and bench/floor (release)" >&2
cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck
bin=$PWD/target/release/mailcheck
cp Cargo.lock bench/floor/Cargo.lock
(cd bench/floor && cargo build --release --ignore-rust-version --quiet)
floor=$PWD/bench/floor/target/release/mailcheck-bench-floor

# Which backend mail-auth is built with in the current tree.
if grep -E '^mail-auth *=' Cargo.toml | grep -q '"rust-crypto"'; then
    backend=rust-crypto
elif grep -E '^mail-auth *=' Cargo.toml | grep -q 'aws-lc-rs'; then
    backend=aws-lc-rs
else
    backend=aws-lc-rs  # mail-auth's default
fi
ver() { grep -A1 -E "^name = \"$1\"$" Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1; }
echo "mail-auth $(ver mail-auth), backend $backend (aws-lc-rs $(ver aws-lc-rs), rsa $(ver rsa), sha2 $(ver sha2))" >&2

work=$(mktemp -d /tmp/mailcheck-bench.XXXXXX)
knot_pid=
cleanup() {
    [ -n "$knot_pid" ] && kill "$knot_pid" 2> /dev/null && wait "$knot_pid" 2> /dev/null
    [ -n "$KEEP" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

echo "generating data in $work/data" >&2
python3 bench/gen.py --out "$work/data" 2> "$work/gen.log"

# Knot DNS on a free port of 127.0.0.1, as the current user, with its own
# rundir and storage (no journal, zone files read as written).
port=$(python3 -c 'import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: u.close(); t.close()')
mkdir -p "$work/knot/run" "$work/knot/storage"
cat > "$work/knot/knot.conf" << EOF
server:
    rundir: "$work/knot/run"
    listen: 127.0.0.1@$port
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: "$work/knot/storage"
template:
  - id: default
    storage: "$work/data/zones"
    semantic-checks: off
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: example.
    file: example.zone
  - domain: esp.test.
    file: esp.test.zone
  - domain: 198.in-addr.arpa.
    file: reverse.zone
EOF
knotd -c "$work/knot/knot.conf" 2> "$work/knot/log" &
knot_pid=$!
for _ in $(seq 100); do
    if kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 TXT _dmarc.d09999.example 2> /dev/null | grep -q DMARC1 &&
        kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 PTR 0.1.18.198.in-addr.arpa 2> /dev/null | grep -q mx1; then
        break
    fi
    sleep 0.2
done
kdig @127.0.0.1 -p "$port" +short TXT _spf.p00.esp.test | grep -q spf1 || {
    cat "$work/knot/log" >&2
    echo "knotd did not come up" >&2
    exit 1
}
echo "knotd $(knotd --version | awk '{print $NF}') serving on 127.0.0.1:$port" >&2

python3 bench/measure.py --data "$work/data" --port "$port" --bin "$bin" --floor "$floor" \
    --backend "$backend" --runs "$RUNS" --peer-runs "$PEER_RUNS" --runs-10k "$RUNS_10K" \
    ${OUT:+--out "$OUT"}

# BASE_BIN=path/to/an/earlier/mailcheck: the same commands with both
# binaries, alternating, on this run's data and server (before/after table).
if [ -n "${BASE_BIN:-}" ]; then
    echo "comparing with $BASE_BIN" >&2
    python3 bench/compare.py --data "$work/data" --port "$port" --base "$BASE_BIN" --bin "$bin" --runs "$RUNS" |
        tee ${OUT:+-a "$OUT"}
fi
