#!/usr/bin/env python3
"""pyspf check_host() over a list of cases, in one process, against HOST:PORT.

    python3 bench/peer_pyspf.py HOST PORT CASES_FILE > results.txt

CASES_FILE: `IDENTITY IP HELO` a line (the format of `mailcheck spf
--from-file`). pyspf looks names up through dnspython's module-level
resolver (spf.DNSLookup_dnspython -> dns.resolver.query), so that resolver
is replaced by one that asks only HOST:PORT. Prints one result a line.
"""
import sys

from peer_dns import use_only
import spf

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
use_only(host, port)
assert spf.DNSLookup is spf.DNSLookup_dnspython, "pyspf is not using dnspython"

out = []
for line in open(path):
    f = line.split()
    if not f:
        continue
    identity, ip, helo = f[0], f[1], f[2] if len(f) > 2 else f[0].split("@")[-1]
    result, _explanation = spf.check2(i=ip, s=identity, h=helo)
    out.append(result)
sys.stdout.write("".join(x + "\n" for x in out))
