#!/usr/bin/env bash
# mailcheck against its own authoritative server, near and "remote".
#
#   bash bench/remote-dns.sh                     # RUNS=5 N=1000
#   BASE_BIN=/path/to/older/mailcheck bash bench/remote-dns.sh
#
# Data: bench/authoritative_zones.py writes N domains, each its own zone
# (dNNNN.test), and the reverse zone of their MX addresses; Knot DNS serves
# exactly those zones, so `_dmarc.test` and every other parent is REFUSED,
# as on a user's own nameserver.
#
# Two places for the same Knot configuration:
#   near:   knotd on 127.0.0.1, mailcheck in the root namespace: questions
#           share pooled sockets (loopback servers).
#   remote: two network namespaces made here, joined by a veth pair, with
#           192.0.2.1 (client) and 192.0.2.2 (knotd) that exist only inside
#           them; mailcheck runs in the client namespace, so the server is
#           not on loopback: every question and every resend goes out from
#           a fresh socket on a random port, with 0x20 case randomisation.
# Rows: one `domain d0000.test --selector s1` check and the N-domain batch,
# each RUNS times: wall time (process start to exit), CPU time (user +
# system), and for the last run the number of reports and how many have
# status error.
#
# With BASE_BIN, the same rows for an older build (for before/after).
# Needs root (ip netns), knotd (apt-get install knot), python3. Everything
# it writes lives in one temp dir, removed on exit; both namespaces and both
# knotd processes are removed on exit. No traffic leaves this machine: the
# only addresses used are 127.0.0.1 and the two inside the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
N=${N:-1000}
BIN=${BIN:-$PWD/target/release/mailcheck}
BASE_BIN=${BASE_BIN:-}
KNOTD=${KNOTD:-/usr/sbin/knotd}
[ -x "$BIN" ] || cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck

work=$(mktemp -d /tmp/mailcheck-remote.XXXXXX)
client_ns=mcclient$$
server_ns=mcserver$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null && wait "$p" 2> /dev/null; done
    ip netns del "$client_ns" 2> /dev/null || true
    ip netns del "$server_ns" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 bench/authoritative_zones.py "$work" "$N"

# knot.conf for one listen address; its own rundir and storage.
knot_conf() { # name listen
    mkdir -p "$work/$1/run" "$work/$1/db"
    {
        printf 'server:\n  rundir: "%s"\n  listen: %s\n' "$work/$1/run" "$2"
        printf 'database:\n  storage: "%s"\n' "$work/$1/db"
        printf 'log:\n  - target: stderr\n    any: warning\n'
        printf 'template:\n  - id: default\n    storage: "%s"\n    file: "%%s.zone"\n    zonefile-sync: -1\n    journal-content: none\n' "$work/zones"
        printf 'zone:\n'
        sed 's/^/  - domain: /' "$work/zones.list"
    } > "$work/$1/knot.conf"
}

# Wait until `$@ kdig`-like check answers: a UDP SOA query via python.
wait_ready() { # prefix-cmd... addr port
    local port=${*: -1} addr=${*: -2:1}
    local prefix=("${@:1:$#-2}")
    for _ in $(seq 100); do
        if "${prefix[@]}" python3 - "$addr" "$port" << 'PY' 2> /dev/null; then return 0; fi
import socket, sys
q = bytes.fromhex("4b4e01000001000000000000") + b"\x05d0000\x04test\x00" + b"\x00\x06\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(q, (sys.argv[1], int(sys.argv[2])))
r = s.recv(4096)
sys.exit(0 if r[:2] == q[:2] and r[3] & 15 == 0 and r[7] > 0 else 1)
PY
        sleep 0.1
    done
    echo "knotd at $addr:$port did not answer" >&2
    exit 1
}

# near: 127.0.0.1 on a free port
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
knot_conf near "127.0.0.1@$port"
"$KNOTD" -c "$work/near/knot.conf" 2> "$work/near/log" &
pids+=($!)
wait_ready 127.0.0.1 "$port"

# remote: two namespaces and a veth pair
ip netns add "$client_ns"
ip netns add "$server_ns"
ip link add mcc$$ type veth peer name mcs$$
ip link set mcc$$ netns "$client_ns"
ip link set mcs$$ netns "$server_ns"
ip -n "$client_ns" addr add 192.0.2.1/30 dev mcc$$
ip -n "$server_ns" addr add 192.0.2.2/30 dev mcs$$
ip -n "$client_ns" link set mcc$$ up
ip -n "$server_ns" link set mcs$$ up
ip -n "$client_ns" link set lo up
ip -n "$server_ns" link set lo up
knot_conf remote "192.0.2.2@53"
ip netns exec "$server_ns" "$KNOTD" -c "$work/remote/knot.conf" 2> "$work/remote/log" &
pids+=($!)
wait_ready ip netns exec "$client_ns" 192.0.2.2 53

# measure LABEL prefix-cmd... -- mailcheck-args...: RUNS runs; wall time
# (process start to exit) and CPU time (user + system, from wait4) in ms, and
# for the last run the report count and how many reports are `error`.
measure() {
    local label=$1
    shift
    python3 - "$label" "$RUNS" "$work/out.jsonl" "$@" << 'PY'
import json, os, statistics, subprocess, sys, time
label, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]
split = args.index("--")
cmd = args[:split] + args[split + 1:] + ["--json"]
walls, cpus = [], []
for _ in range(runs):
    with open(out, "w") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
reports = [json.loads(l) for l in open(out) if l.strip()]
errors = sum(1 for r in reports if r.get("status") == "error")
print("| %s | %d | %.1f | %.1f | %.1f | %.0f | %d | %d |" % (
    label, runs, statistics.median(walls), min(walls), max(walls),
    statistics.median(cpus), len(reports), errors))
PY
}

echo "| run | runs | median ms | min ms | max ms | CPU ms (median) | reports | error reports |"
echo "|---|---|---|---|---|---|---|---|"
for which in new base; do
    bin=$BIN
    if [ "$which" = base ]; then
        [ -n "$BASE_BIN" ] || continue
        bin=$BASE_BIN
    fi
    measure "$which: one domain, near (127.0.0.1)" "$bin" -- domain d0000.test --selector s1 --resolver "127.0.0.1:$port"
    measure "$which: one domain, remote (192.0.2.2, netns)" ip netns exec "$client_ns" "$bin" -- domain d0000.test --selector s1 --resolver 192.0.2.2
    measure "$which: $N domains, near (127.0.0.1)" "$bin" -- domain --from-file "$work/domains.txt" --selector s1 --resolver "127.0.0.1:$port"
    measure "$which: $N domains, remote (192.0.2.2, netns)" ip netns exec "$client_ns" "$bin" -- domain --from-file "$work/domains.txt" --selector s1 --resolver 192.0.2.2
done
