#!/usr/bin/env python3
"""Zones for checking domains on their own authoritative server.

    python3 bench/authoritative_zones.py OUT_DIR N

Writes OUT_DIR/zones/dNNNN.test.zone for N domains, each its own zone as a
domain's own nameserver holds it (MX host in the zone, SPF "mx", a DKIM key
at s1, DMARC p=reject with reports to itself), the reverse zone
18.198.in-addr.arpa with a PTR for every MX address (198.18.0.0/15, the
benchmarking range), OUT_DIR/zones.list (one zone origin a line) and
OUT_DIR/domains.txt (one domain a line). No zone for `test.` itself: a
server given these zones answers REFUSED for `_dmarc.test`, as a user's
own nameserver does for its parents.

The DKIM key is the fixtures' 2048-bit test key (fixtures/faults).
"""
import os
import re
import sys


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    here = os.path.dirname(os.path.abspath(__file__))
    fixture = open(os.path.join(here, "..", "fixtures", "faults", "faults.example.zone")).read()
    key = re.search(r"s1\._domainkey\.ok\.apex\s+IN\s+TXT\s+(\(.*?\))", fixture, re.S).group(1)
    key = " ".join(key.split())
    zones = os.path.join(out, "zones")
    os.makedirs(zones, exist_ok=True)
    origins, domains, ptrs = [], [], []
    for i in range(n):
        origin = "d%04d.test" % i
        ip = "198.18.%d.%d" % (i // 250, i % 250 + 1)
        ptrs.append((ip, "mx.%s" % origin))
        with open(os.path.join(zones, origin + ".zone"), "w") as f:
            f.write(
                "$ORIGIN {o}.\n$TTL 300\n"
                "@ SOA ns.{o}. hostmaster.{o}. 1 3600 600 86400 300\n"
                "@ NS ns.{o}.\nns A 198.18.255.53\n"
                "@ MX 10 mx.{o}.\nmx A {ip}\n"
                "@ TXT \"v=spf1 mx -all\"\n"
                "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{o}\"\n"
                "s1._domainkey TXT {key}\n".format(o=origin, ip=ip, key=key)
            )
        origins.append(origin)
        domains.append(origin)
    rev = "18.198.in-addr.arpa"
    with open(os.path.join(zones, rev + ".zone"), "w") as f:
        f.write(
            "$ORIGIN {r}.\n$TTL 300\n@ SOA ns.{r}. hostmaster.{r}. 1 3600 600 86400 300\n"
            "@ NS ns.d0000.test.\n".format(r=rev)
        )
        for ip, name in ptrs:
            o = ip.split(".")
            f.write("%s.%s PTR %s.\n" % (o[3], o[2], name))
    origins.append(rev)
    with open(os.path.join(out, "zones.list"), "w") as f:
        f.write("\n".join(origins) + "\n")
    with open(os.path.join(out, "domains.txt"), "w") as f:
        f.write("\n".join(domains) + "\n")


if __name__ == "__main__":
    main()
