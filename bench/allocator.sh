#!/usr/bin/env bash
# mimalloc against the system allocator (glibc): the same release build with
# and without the `mimalloc` feature, on bench/gen.py's data over --zone (no
# DNS server needed), runs of the two binaries interleaved so both see the
# same machine load. Prints a markdown table: wall time, CPU time (user+sys)
# and peak RSS (GNU time), medians of RUNS runs after one warm-up run.
#
#   bash bench/allocator.sh            # RUNS=7
#   RUNS=3 bash bench/allocator.sh
#
# Needs python3 with cryptography and dkimpy (for gen.py) and GNU time
# (/usr/bin/time). Everything it writes lives in one temp dir, removed on
# exit; target/release/mailcheck is left as the default (mimalloc) build.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building mailcheck (release) with and without mimalloc" >&2
cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck --no-default-features
cp target/release/mailcheck "$work/mc-glibc"
cargo build --release --locked --ignore-rust-version --quiet --bin mailcheck
cp target/release/mailcheck "$work/mc-mimalloc"

echo "generating data (bench/gen.py, seed 1)" >&2
python3 bench/gen.py --out "$work/data" --messages 1000 --big 0 > /dev/null
d=$work/data
z1="--zone $d/zones/example-1k.zone --zone $d/zones/esp.test.zone --zone $d/zones/reverse.zone"
z10="--zone $d/zones/example.zone --zone $d/zones/esp.test.zone --zone $d/zones/reverse.zone"
declare -A cmd=(
    [domain-1k]="domain --from-file $d/domains-1k.txt --selector s1 --json $z1"
    [domain-10k]="domain --from-file $d/domains-10k.txt --selector s1 --json $z10"
    [verify-1k]="verify --from-file $d/verify-1k.txt --authserv-id mx.test --json $z1"
    [spf-1k]="spf --from-file $d/spf-1k.txt --json $z1"
)

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| benchmark | allocator | runs | median s | min s | max s | median CPU s | median peak RSS MiB | max peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
for b in domain-1k domain-10k verify-1k spf-1k; do
    declare -A wall=() rss=() cpu=()
    for i in $(seq 0 "$RUNS"); do
        for a in mimalloc glibc; do
            # shellcheck disable=SC2086
            /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$work/mc-$a" ${cmd[$b]} \
                > "$work/out-$a" 2> /dev/null || true
            ((i == 0)) && continue # warm-up
            read -r e m u s < <(tail -1 "$work/time")
            wall[$a]+="$e "
            rss[$a]+="$m "
            cpu[$a]+="$(python3 -c "print($u + $s)") "
        done
    done
    cmp -s "$work/out-mimalloc" "$work/out-glibc" || echo "$b: the two builds' outputs differ" >&2
    for a in mimalloc glibc; do
        python3 - "$b" "$a" "${wall[$a]}" "${rss[$a]}" "${cpu[$a]}" << 'PY'
import statistics as st, sys
b, a, wall, rss, cpu = sys.argv[1:]
wall = [float(x) for x in wall.split()]
rss = [int(x) / 1024 for x in rss.split()]
cpu = [float(x) for x in cpu.split()]
print(f"| {b} | {a} | {len(wall)} | {st.median(wall):.3f} | {min(wall):.3f} | {max(wall):.3f} "
      f"| {st.median(cpu):.2f} | {st.median(rss):.1f} | {max(rss):.1f} |")
PY
    done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
