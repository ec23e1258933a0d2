#!/usr/bin/env python3
"""Times two mailcheck binaries on the same commands, alternating, and prints
a before/after table (median wall and CPU seconds). bench/run.sh runs it when
BASE_BIN names the earlier binary, on the data and server of its own run.

    python3 bench/compare.py --data DIR --port PORT --base OLD --bin NEW [--runs 5]

Every command's output is checked to be the same for both binaries (the
speed work must not change a result), except `domain` runs, whose JSON
carries timings.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from measure import timed  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    d = a.data
    meta = json.load(open(os.path.join(d, "meta.json")))
    srv = "127.0.0.1:%d" % a.port
    z100k = ["--zone", os.path.join(d, "zones", "example-100k.zone"),
             "--zone", os.path.join(d, "zones", "esp.test.zone")]
    cases = [
        ("verify 10,000 items, 100k-record zone, one IP", 10 * meta["messages"],
         ["verify", "--from-file", os.path.join(d, "verify-10k.txt"), "--json"] + z100k, True),
        ("verify 1 item, same zones (start-up)", 1,
         ["verify", os.path.join(d, "msgs", "m0000.eml"), "--ip", meta["one_ip"], "--json"] + z100k, True),
        ("zone load: dmarc against the 100k-record zone", meta["zone_records"],
         ["dmarc", "d00001.example", "--json", "--zone", os.path.join(d, "zones", "example-100k.zone")], True),
        ("spf --ip 1,000 cases, --resolver", meta["subset"],
         ["spf", "--from-file", os.path.join(d, "spf-1k.txt"), "--json", "--resolver", srv], True),
        ("domain 1,000 domains, --resolver", meta["subset"],
         ["domain", "--from-file", os.path.join(d, "domains-1k.txt"), "--json", "--selector", meta["selector"],
          "--resolver", srv], False),
    ]
    work = tempfile.mkdtemp(prefix="compare.", dir=d)
    print("| command | items | base median s | base CPU s | new median s | new CPU s | speed-up (wall) |")
    print("|---|---|---|---|---|---|---|")
    for label, items, args, same in cases:
        res = {}
        outs = {}
        for which in ("base", "bin"):
            timed([getattr(a, which)] + args, os.path.join(work, which))  # warm-up
        walls = {"base": [], "bin": []}
        cpus = {"base": [], "bin": []}
        for _ in range(a.runs):
            for which in ("base", "bin"):
                out = os.path.join(work, which)
                w, c, _r, _rc = timed([getattr(a, which)] + args, out)
                walls[which].append(w)
                cpus[which].append(c)
                outs[which] = open(out, "rb").read()
        if same and outs["base"] != outs["bin"]:
            raise SystemExit("outputs differ: %s" % label)
        for which in ("base", "bin"):
            res[which] = (statistics.median(walls[which]), statistics.median(cpus[which]))
        print("| %s | %s | %.3f | %.2f | %.3f | %.2f | %.2fx |" % (
            label, f"{items:,}", res["base"][0], res["base"][1], res["bin"][0], res["bin"][1],
            res["base"][0] / res["bin"][0]), flush=True)


if __name__ == "__main__":
    main()
