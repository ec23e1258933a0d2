#!/usr/bin/env python3
"""Times mailcheck and its peers on the data bench/gen.py wrote, against the
Knot DNS server bench/run.sh started, and prints the markdown table.

    python3 bench/measure.py --data DIR --port PORT --bin MAILCHECK --floor FLOOR
                             --backend aws-lc-rs|rust-crypto [--runs 5]
                             [--peer-runs 3] [--runs-10k 3] [--out FILE]

Every timed command runs under `/usr/bin/time -v` (user and system CPU time,
peak RSS); wall time is taken here around the whole process. Each benchmark
gets one unmeasured warm-up run first, except checkdmarc over 1,000 domains
(warmed up on 20). Outputs are checked (one result per item, and the
expected pass/fail counts), so a fast wrong answer fails the run.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, stdout_path):
    """Runs cmd once; returns (wall s, cpu s, peak RSS KiB, exit code)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, open(stdout_path, "wb") as out:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, stdout=out,
                           stderr=subprocess.PIPE)
        wall = time.perf_counter() - t
        info = {}
        for line in tf.read().splitlines():
            k, _, v = line.strip().rpartition(": ")
            info[k] = v
    cpu = float(info["User time (seconds)"]) + float(info["System time (seconds)"])
    rss = int(info["Maximum resident set size (kbytes)"])
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        raise SystemExit("command failed (exit %d): %s" % (p.returncode, " ".join(cmd)))
    return wall, cpu, rss, p.returncode


class Row:
    def __init__(self, label, items, runs, walls, cpus, rsss):
        self.label, self.items, self.runs = label, items, runs
        self.walls, self.cpus, self.rsss = walls, cpus, rsss
        self.wall = statistics.median(walls)
        self.cpu = statistics.median(cpus)
        self.rss = statistics.median(rsss)

    def md(self):
        rate = self.items / self.wall
        return "| %s | %s | %d | %s | %s | %s | %s | %.2f | %.1f |" % (
            self.label, f"{self.items:,}", self.runs, fmt_s(self.wall), fmt_s(min(self.walls)),
            fmt_s(max(self.walls)), f"{rate:,.0f}", self.cpu, self.rss / 1024)


def fmt_s(s):
    return "%.3f" % s if s < 10 else "%.1f" % s


def bench(label, items, cmd, runs, work, check=None, warmup=True, warm_cmd=None):
    out = os.path.join(work, "out.txt")
    if warmup:
        timed(warm_cmd or cmd, out)
    walls, cpus, rsss = [], [], []
    for _ in range(runs):
        w, c, r, _rc = timed(cmd, out)
        walls.append(w)
        cpus.append(c)
        rsss.append(r)
        if check:
            check(open(out, "rb").read())
    row = Row(label, items, runs, walls, cpus, rsss)
    print("  %-60s median %.3f s (min %.3f max %.3f) cpu %.2f s rss %.1f MiB" % (
        label, row.wall, min(walls), max(walls), row.cpu, row.rss / 1024), file=sys.stderr, flush=True)
    return row


def jsonl(expect_n, key=None, expect=None):
    def check(data):
        objs = [json.loads(l) for l in data.splitlines() if l.strip()]
        assert len(objs) == expect_n, "expected %d results, got %d" % (expect_n, len(objs))
        if key:
            got = {}
            for o in objs:
                v = key(o)
                got[v] = got.get(v, 0) + 1
            assert got == expect, "expected %s, got %s" % (expect, got)
    return check


def lines(expect):
    def check(data):
        got = {}
        for l in data.decode().split():
            got[l] = got.get(l, 0) + 1
        assert got == expect, "expected %s, got %s" % (expect, got)
    return check


def checkdmarc_count(n):
    def check(data):
        got = len(json.loads(data))
        assert got == n, "checkdmarc: expected %d results, got %d" % (n, got)
    return check


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--backend", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--runs-10k", type=int, default=3)
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--out")
    a = ap.parse_args()
    d = a.data
    meta = json.load(open(os.path.join(d, "meta.json")))
    work = tempfile.mkdtemp(prefix="measure.", dir=d)
    srv = "127.0.0.1:%d" % a.port
    mc = [a.bin]
    py = [sys.executable]
    n1k, n10k, nmsg, nbig = meta["subset"], meta["domains"], meta["messages"], meta["big"]
    sel = ["--selector", meta["selector"]]
    zone1k = ["--zone", os.path.join(d, "zones", "example-1k.zone"), "--zone", os.path.join(d, "zones", "esp.test.zone")]
    with open(os.path.join(d, "domains-1k.txt")) as f, open(os.path.join(work, "d20.txt"), "w") as g:
        g.writelines(f.readlines()[:20])
    ncpu = os.cpu_count()
    fuzz = subprocess.run(["pgrep", "-f", "[f]uzz"], capture_output=True, text=True).stdout.split()
    load0 = os.getloadavg()
    # Sample once a second whether anything fuzz-related runs, to say in the
    # report how much of the run shared the machine with it.
    busy = {"yes": 0, "all": 0, "stop": False}

    def sample():
        while not busy["stop"]:
            busy["all"] += 1
            if subprocess.run(["pgrep", "-f", "[f]uzz"], capture_output=True).returncode == 0:
                busy["yes"] += 1
            time.sleep(1)
    threading.Thread(target=sample, daemon=True).start()
    print("measuring (load %.2f %.2f %.2f, fuzz processes: %d)" % (load0 + (len(fuzz),)), file=sys.stderr)

    # Floor.
    fl = subprocess.run([a.floor, os.path.join(d, "keys", "k0.pk8.pem"), "10240", "1", "5"],
                        capture_output=True, text=True, check=True).stdout
    floors = {j["backend"]: j for j in map(json.loads, fl.splitlines())}
    floor = floors[a.backend]
    print("  floor %s" % json.dumps(floors), file=sys.stderr)

    mc_dom_pass = {"pass": n1k * 3 // 4, "warn": n1k // 4}  # p=none on every 4th domain warns
    rows = {}
    rows["dom1k"] = bench("`mailcheck domain` 1,000 domains, `--resolver` (Knot)", n1k,
                          mc + ["domain", "--from-file", os.path.join(d, "domains-1k.txt"), "--json"] + sel +
                          ["--resolver", srv], a.runs, work, jsonl(n1k, lambda o: o["status"], mc_dom_pass))
    rows["cd1k"] = bench("checkdmarc 6 (dnspython), same 1,000 domains, same server", n1k,
                         py + [os.path.join(HERE, "peer_checkdmarc.py"), "127.0.0.1", str(a.port),
                               os.path.join(d, "domains-1k.txt")], a.peer_runs, work,
                         checkdmarc_count(n1k),
                         warm_cmd=py + [os.path.join(HERE, "peer_checkdmarc.py"), "127.0.0.1", str(a.port),
                                        os.path.join(work, "d20.txt")])
    rows["dom10k"] = bench("`mailcheck domain` 10,000 domains, `--resolver` (Knot)", n10k,
                           mc + ["domain", "--from-file", os.path.join(d, "domains-10k.txt"), "--json"] + sel +
                           ["--resolver", srv], a.runs_10k, work,
                           jsonl(n10k, lambda o: o["status"], {"pass": n10k * 3 // 4, "warn": n10k // 4}))
    vexp = {"pass": nmsg}
    rows["vzone"] = bench("`mailcheck verify` 1,000 x 10 KiB, `--zone`", nmsg,
                          mc + ["verify", "--from-file", os.path.join(d, "verify-1k.txt"), "--json"] + zone1k,
                          a.runs, work, jsonl(nmsg, lambda o: o["status"], vexp))
    rows["vsrv"] = bench("`mailcheck verify` 1,000 x 10 KiB, `--resolver` (Knot)", nmsg,
                         mc + ["verify", "--from-file", os.path.join(d, "verify-1k.txt"), "--json",
                               "--resolver", srv], a.runs, work, jsonl(nmsg, lambda o: o["status"], vexp))
    rows["v1"] = bench("`mailcheck verify` 1 x 10 KiB, `--zone` (fixed cost)", 1,
                       mc + ["verify", os.path.join(d, "msgs", "m0000.eml"), "--ip", "198.18.1.0", "--json"] + zone1k,
                       a.runs, work, jsonl(1))
    rows["dkimpy"] = bench("dkimpy 1.1, same 1,000 messages (DKIM only; keys via DNS from Knot)", nmsg,
                           py + [os.path.join(HERE, "peer_dkimpy.py"), "127.0.0.1", str(a.port),
                                 os.path.join(d, "verify-1k.txt")], a.peer_runs, work, lines({"pass": nmsg}))
    # The bulk setup: 10,000 items over the 1,000 messages, DNS from the
    # 100k-record zone, one address no SPF record lists. dkimpy gets the same
    # items with its keys in memory (read from the same zone file).
    zone100k = ["--zone", os.path.join(d, "zones", "example-100k.zone"),
                "--zone", os.path.join(d, "zones", "esp.test.zone")]
    nrep = nmsg * meta["repeat"]

    def one_ip(n):
        # SPF fails for every item (-all), DKIM and so DMARC pass.
        return jsonl(n, lambda o: (o["status"], o["spf"]["result"], o["dkim"][0]["result"], o["dmarc"]["result"]),
                     {("pass", "fail", "pass", "pass"): n})
    rows["vb10k"] = bench("`mailcheck verify` %s items over %s x 10 KiB, 100k-record `--zone`, one IP" % (
        f"{nrep:,}", f"{nmsg:,}"), nrep,
        mc + ["verify", "--from-file", os.path.join(d, "verify-10k.txt"), "--json"] + zone100k,
        a.runs, work, one_ip(nrep))
    rows["vb1"] = bench("`mailcheck verify` 1 item, same zones (start-up: mostly loading the zone)", 1,
                        mc + ["verify", os.path.join(d, "msgs", "m0000.eml"), "--ip", meta["one_ip"], "--json"] +
                        zone100k, a.runs, work, one_ip(1))
    rows["vb1k"] = bench("`mailcheck verify` %s items (each message once), same zones" % f"{nmsg:,}", nmsg,
                         mc + ["verify", "--from-file", os.path.join(d, "verify-one-ip-1k.txt"), "--json"] +
                         zone100k, a.runs, work, one_ip(nmsg))
    rows["vb100k"] = bench("`mailcheck verify` %s items (each message 100 times), same zones" % f"{100 * nmsg:,}",
                           100 * nmsg,
                           mc + ["verify", "--from-file", os.path.join(d, "verify-100k.txt"), "--json"] + zone100k,
                           a.runs_10k, work, one_ip(100 * nmsg), warmup=False)
    rows["dkimpy10k"] = bench("dkimpy 1.1, same %s items, keys in memory (read from the same zone file)" %
                              f"{nrep:,}", nrep,
                              py + [os.path.join(HERE, "peer_dkimpy.py"), "--keys-zone",
                                    os.path.join(d, "zones", "example-100k.zone"),
                                    os.path.join(d, "verify-10k.txt")], a.peer_runs, work, lines({"pass": nrep}),
                              warm_cmd=py + [os.path.join(HERE, "peer_dkimpy.py"), "--keys-zone",
                                             os.path.join(d, "zones", "esp.test.zone"),
                                             os.path.join(d, "verify-big.txt")])
    rows["zload"] = bench("`mailcheck dmarc` one domain against the %s-record zone (load, index, answer)" %
                          f"{meta['zone_records']:,}", meta["zone_records"],
                          mc + ["dmarc", "d00001.example", "--json", "--zone",
                                os.path.join(d, "zones", "example-100k.zone")], a.runs, work, jsonl(1))
    if nbig:
        rows["vbig"] = bench("`mailcheck verify` %d x 1 MiB, `--zone`" % nbig, nbig,
                             mc + ["verify", "--from-file", os.path.join(d, "verify-big.txt"), "--json"] + zone1k,
                             a.runs, work, jsonl(nbig, lambda o: o["status"], {"pass": nbig}))
        rows["dkimpybig"] = bench("dkimpy, same %d x 1 MiB" % nbig, nbig,
                                  py + [os.path.join(HERE, "peer_dkimpy.py"), "127.0.0.1", str(a.port),
                                        os.path.join(d, "verify-big.txt")], a.peer_runs, work, lines({"pass": nbig}))
    sexp = meta["spf_expect"]
    rows["spf"] = bench("`mailcheck spf --ip` 1,000 cases, `--resolver` (Knot)", n1k,
                        mc + ["spf", "--from-file", os.path.join(d, "spf-1k.txt"), "--json", "--resolver", srv],
                        a.runs, work, jsonl(n1k, lambda o: o["result"], sexp))
    rows["pyspf"] = bench("pyspf 2.0 (dnspython), same 1,000 cases, same server", n1k,
                          py + [os.path.join(HERE, "peer_pyspf.py"), "127.0.0.1", str(a.port),
                                os.path.join(d, "spf-1k.txt")], a.peer_runs, work, lines(sexp))

    # One domain check with every DNS answer delayed.
    proxy = subprocess.Popen(py + [os.path.join(HERE, "delay_proxy.py"), str(a.port), str(a.delay_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pport = int(proxy.stdout.readline())
        lat = meta["latency_domain"]
        rows["lat"] = bench("`mailcheck domain %s`, every answer +%g ms (delay proxy)" % (lat, a.delay_ms), 1,
                            mc + ["domain", lat, "--json"] + sel + ["--resolver", "127.0.0.1:%d" % pport],
                            a.runs, work, jsonl(1, lambda o: o["status"], {"pass": 1}))
        rows["lat0"] = bench("`mailcheck domain %s`, no delay (same data)" % lat, 1,
                             mc + ["domain", lat, "--json"] + sel + ["--resolver", srv],
                             a.runs, work, jsonl(1))
    finally:
        proxy.stdin.close()
        proxy.wait()

    busy["stop"] = True
    # Report.
    r = rows
    L = []
    L.append("| benchmark | items | runs | median s | min s | max s | items/s (median) | CPU s (median) | peak RSS MiB |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for k in ("vb10k", "vb1", "vb1k", "vb100k", "dkimpy10k", "zload", "dom1k", "cd1k", "dom10k", "vzone", "vsrv",
              "v1", "dkimpy", "vbig", "dkimpybig", "spf", "pyspf", "lat", "lat0"):
        if k in r:
            L.append(r[k].md())
    L.append("| floor: SHA-256 of 10 KiB + RSA-2048 verify, %s, 1 thread | - | 5 x 1 s | %.1f us/op | | | %s (min %s, max %s) | | |" % (
        a.backend, floor["us_per_op"], f"{floor['ops_per_s_median']:,.0f}", f"{floor['ops_per_s_min']:,.0f}",
        f"{floor['ops_per_s_max']:,.0f}"))
    other = [b for b in floors if b != a.backend]
    for b in other:
        f2 = floors[b]
        L.append("| (floor with %s, for reference) | - | 5 x 1 s | %.1f us/op | | | %s | | |" % (
            b, f2["us_per_op"], f"{f2['ops_per_s_median']:,.0f}"))
    L.append("")

    def ratio(peer, ours):
        return r[peer].wall / r[ours].wall

    chain = meta["latency_chain"]
    bound = chain * a.delay_ms / 1000
    per_core_wall = nmsg / r["vzone"].wall / ncpu
    per_cpu_s = nmsg / r["vzone"].cpu
    fl_ops = floor["ops_per_s_median"]
    vb = r["vb10k"]
    vb_rate = nrep / vb.wall
    vb_after = (nrep - 1) / max(vb.wall - r["vb1"].wall, 1e-9)
    vb_core = vb_rate / ncpu
    targets = [
        ("verify %s items, 100k-record zone, one IP, vs dkimpy (wall, whole process)" % f"{nrep:,}",
         "%.1fx (%s vs %s msg/s; CPU time: %.1fx)" % (
             ratio("dkimpy10k", "vb10k"), f"{vb_rate:,.0f}", f"{nrep / r['dkimpy10k'].wall:,.0f}",
             r["dkimpy10k"].cpu / vb.cpu), ">= 30x", ratio("dkimpy10k", "vb10k") >= 30),
        ("  same, per core vs the floor (msg/s / %d cores)" % ncpu,
         "%s/s per core = %.1f%% of %s/s" % (f"{vb_core:,.0f}", 100 * vb_core / fl_ops, f"{fl_ops:,.0f}"),
         "(info)", None),
        ("  same, rate after start-up (items / (wall - 1-item wall))",
         "%s msg/s (start-up %.0f ms)" % (f"{vb_after:,.0f}", 1000 * r["vb1"].wall), "(info)", None),
        ("peak RSS verify 100,000 / 1,000 items (bounded memos)", "%.2fx (%.1f / %.1f MiB)" % (
            r["vb100k"].rss / r["vb1k"].rss, r["vb100k"].rss / 1024, r["vb1k"].rss / 1024), "<= 1.2x",
         r["vb100k"].rss <= 1.2 * r["vb1k"].rss),
        ("zone load, %s records, whole process" % f"{meta['zone_records']:,}",
         "%s records/s (%.3f s)" % (f"{meta['zone_records'] / r['zload'].wall:,.0f}", r["zload"].wall),
         ">= 1,000,000/s", meta["zone_records"] / r["zload"].wall >= 1e6),
        ("verify 10 KiB `--zone` per core vs floor (msgs/s / %d cores)" % ncpu,
         "%s/s per core = %.1f%% of %s/s" % (f"{per_core_wall:,.0f}", 100 * per_core_wall / fl_ops, f"{fl_ops:,.0f}"),
         "(info)", None),
        ("  same, per CPU-second used (user+sys)",
         "%s/CPU-s = %.1f%% of floor" % (f"{per_cpu_s:,.0f}", 100 * per_cpu_s / fl_ops), "(info)", None),
        ("verify 1,000 x 10 KiB `--zone` (1k-domain zone) vs dkimpy with DNS (wall)", "%.1fx (CPU time: %.1fx)" % (
            ratio("dkimpy", "vzone"), r["dkimpy"].cpu / r["vzone"].cpu), "(info)", None),
        ("domain 1,000 domains vs checkdmarc (wall)", "%.1fx (CPU time: %.1fx)" % (
            ratio("cd1k", "dom1k"), r["cd1k"].cpu / r["dom1k"].cpu), ">= 100x", ratio("cd1k", "dom1k") >= 100),
        ("spf --ip 1,000 cases vs pyspf (wall)", "%.1fx (CPU time: %.1fx)" % (
            ratio("pyspf", "spf"), r["pyspf"].cpu / r["spf"].cpu), ">= 50x", ratio("pyspf", "spf") >= 50),
        ("peak RSS domain 10,000 / 1,000", "%.2fx (%.1f / %.1f MiB)" % (
            r["dom10k"].rss / r["dom1k"].rss, r["dom10k"].rss / 1024, r["dom1k"].rss / 1024), "<= 1.2x",
         r["dom10k"].rss <= 1.2 * r["dom1k"].rss),
        ("domain check at +%g ms per answer vs chain bound" % a.delay_ms,
         "%.0f ms = %.2fx of %d lookups x %g ms = %.0f ms" % (
             1000 * r["lat"].wall, r["lat"].wall / bound, chain, a.delay_ms, 1000 * bound), "<= 1.3x",
         r["lat"].wall <= 1.3 * bound),
    ]
    if "vbig" in r:
        targets.append(("verify 1 MiB `--zone` vs dkimpy (wall)", "%.1fx (%.0f MB/s vs %.0f MB/s)" % (
            ratio("dkimpybig", "vbig"), nbig * meta["big_bytes"] / r["vbig"].wall / 1e6,
            nbig * meta["big_bytes"] / r["dkimpybig"].wall / 1e6), "(info)", None))
    L.append("| target | measured | wanted | met |")
    L.append("|---|---|---|---|")
    for name, val, want, ok in targets:
        L.append("| %s | %s | %s | %s |" % (name, val, want, "-" if ok is None else ("yes" if ok else "**no**")))
    L.append("")
    ch = meta["latency_chains"]
    L.append("Chain bound for `%s`: longest of MX -> A/AAAA -> PTR -> A/AAAA = %d, SPF TXT -> include -> nested "
             "include = %d, SPF `mx` TXT -> MX -> A = %d, DKIM %d, DMARC %d: %d dependent lookups." % (
                 meta["latency_domain"], ch["mx"], ch["spf"], ch["spf-mx"], ch["dkim"], ch["dmarc"], chain))
    L.append("")
    L.append("Context: %d cores, %s, Python %s; load average at start %.2f/%.2f/%.2f; fuzzing processes at start: %d, "
             "at end: %d, seen running in %d of %d one-second samples during the run. Data: seed %d, %d providers, %d RSA-2048 keys, 10 KiB messages are %d bytes, "
             "1 MiB ones %d bytes." % (
                 ncpu, platform.platform(), platform.python_version(), *load0, len(fuzz),
                 len(subprocess.run(["pgrep", "-f", "[f]uzz"], capture_output=True,
                                    text=True).stdout.split()),
                 busy["yes"], busy["all"],
                 meta["seed"], meta["providers"], meta["keys"], meta["message_bytes"], meta["big_bytes"]))
    text = "\n".join(L) + "\n"
    print(text)
    if a.out:
        open(a.out, "w").write(text)
    json.dump({k: v.__dict__ for k, v in rows.items()} | {"floor": floors},
              open(os.path.join(work, "rows.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
