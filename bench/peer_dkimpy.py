#!/usr/bin/env python3
"""dkimpy verifying every message in a list, in one process.

    python3 bench/peer_dkimpy.py HOST PORT LIST_FILE > results.txt

LIST_FILE: `PATH ...` a line (the format of `mailcheck verify --from-file`;
only PATH is used: dkimpy checks DKIM only, no SPF or DMARC). The keys are
NOT preloaded: dkimpy asks for each s1._domainkey.DOMAIN TXT record through
its stock dnspython path (dkim.dnsplug.get_txt_dnspython ->
dns.resolver.resolve), whose module-level resolver is replaced by one that
asks only HOST:PORT -- the same server mailcheck --resolver uses. Prints
pass/fail a line.
"""
import sys

from peer_dns import use_only
import dkim

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
use_only(host, port)

out = []
for line in open(path):
    f = line.split()
    if not f:
        continue
    with open(f[0], "rb") as fh:
        data = fh.read()
    out.append("pass" if dkim.verify(data) else "fail")
sys.stdout.write("".join(x + "\n" for x in out))
