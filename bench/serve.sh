#!/usr/bin/env bash
# Messages per second that `mailcheck serve` accepts, authenticates and
# stores in a Maildir, against Postfix itself receiving the same load and
# delivering it into a Maildir (its virtual(8) agent), on 127.0.0.1.
#
#   bash bench/serve.sh                  # N=2000 SESSIONS=20 SIZE=4096 RUNS=3
#   N=500 RUNS=1 bash bench/serve.sh     # quicker
#
# Load generator: smtp-source (from the postfix package), one message per
# SMTP connection, SESSIONS connections at a time, each message SIZE bytes
# of body, MAIL FROM <alice@serve.test> (SPF: ip4:127.0.0.1, DMARC p=reject;
# so serve runs SPF at MAIL FROM and DKIM/DMARC at the end of DATA for
# every message). Both servers acknowledge a message only once it is on
# disk with fsync: serve in its Maildir, Postfix in its queue.
#
# Prints a markdown table: for serve, the time smtp-source takes (every 250
# is a stored message); for Postfix, the time smtp-source takes (messages
# queued) and the time until the last message is in the Maildir (delivered).
# Each figure is the median of RUNS runs. Needs root (Postfix), installs
# postfix when missing, builds mailcheck in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
RUNS=${RUNS:-3}

if ! [ -x /usr/sbin/postfix ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix > /dev/null
fi
cargo build --release --locked --ignore-rust-version -q
bin=$PWD/target/release/mailcheck

tmp=$(mktemp -d)
chmod 755 "$tmp" # Postfix works as its own user inside
serve_pid=''
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2> /dev/null || true
    bash tests/peers/postfix.sh stop "$tmp/postfix" || true
    rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/serve.test.zone" << 'ZONE'
$ORIGIN serve.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.53
@ IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
ZONE

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 100); do
        (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    exit 1
}

count() { find "$1" -type f 2> /dev/null | wc -l; }

now() { date +%s.%N; }

load() { # PORT
    smtp-source -s "$SESSIONS" -m "$N" -l "$SIZE" -f alice@serve.test \
        -t bob@bench.test -M load.mailcheck.test "127.0.0.1:$1"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

serve_times=() pf_accept=() pf_deliver=()
for run in $(seq "$RUNS"); do
    # mailcheck serve
    port=$(free_port)
    rm -rf "$tmp/serve-maildir"
    "$bin" serve --listen "127.0.0.1:$port" --maildir "$tmp/serve-maildir" \
        --zone "$tmp/serve.test.zone" --authserv-id mx.bench.test \
        --max-connections 200 --json > "$tmp/verdicts" 2> "$tmp/serve.log" &
    serve_pid=$!
    wait_port "$port"
    t0=$(now)
    load "$port"
    t1=$(now)
    stored=$(count "$tmp/serve-maildir/new")
    [ "$stored" -eq "$N" ] || { echo "serve stored $stored of $N" >&2; exit 1; }
    kill "$serve_pid" && wait "$serve_pid" || true
    serve_pid=''
    serve_times+=("$(echo "$t1 - $t0" | bc -l)")

    # Postfix, delivering to its own Maildir
    port=$(free_port)
    bash tests/peers/postfix.sh stop "$tmp/postfix"
    rm -rf "$tmp/postfix" "$tmp/pf-maildir"
    bash tests/peers/postfix.sh start "$tmp/postfix" --port "$port" --maildir "$tmp/pf-maildir"
    t0=$(now)
    load "$port"
    t1=$(now)
    while [ "$(count "$tmp/pf-maildir/new")" -lt "$N" ]; do sleep 0.02; done
    t2=$(now)
    pf_accept+=("$(echo "$t1 - $t0" | bc -l)")
    pf_deliver+=("$(echo "$t2 - $t0" | bc -l)")
    bash tests/peers/postfix.sh stop "$tmp/postfix"
    echo "run $run: serve ${serve_times[-1]} s; postfix accepted ${pf_accept[-1]} s, delivered ${pf_deliver[-1]} s" >&2
done

s=$(printf '%s\n' "${serve_times[@]}" | median)
a=$(printf '%s\n' "${pf_accept[@]}" | median)
d=$(printf '%s\n' "${pf_deliver[@]}" | median)
rate() { echo "$N / $1" | bc -l | xargs printf '%.0f'; }
echo
echo "$N messages of $SIZE bytes, $SESSIONS sessions at a time, one message per connection; median of $RUNS runs"
echo
echo "| server | what is done when the clock stops | seconds | messages/s |"
echo "|---|---|---:|---:|"
printf '| mailcheck serve | SPF, DKIM, DMARC judged; stored in Maildir/new (fsync) | %.2f | %s |\n' "$s" "$(rate "$s")"
printf '| Postfix 3 (smtpd) | accepted into the queue (fsync) | %.2f | %s |\n' "$a" "$(rate "$a")"
printf '| Postfix 3 (smtpd + virtual) | delivered into Maildir/new | %.2f | %s |\n' "$d" "$(rate "$d")"
