#!/usr/bin/env python3
"""dkimpy verifying every message in a list, in one process.

    python3 bench/peer_dkimpy.py HOST PORT LIST_FILE > results.txt
    python3 bench/peer_dkimpy.py --keys-zone ZONE_FILE LIST_FILE > results.txt

LIST_FILE: `PATH ...` a line (the format of `mailcheck verify --from-file`;
only PATH is used: dkimpy checks DKIM only, no SPF or DMARC).

With HOST PORT the keys are NOT preloaded: dkimpy asks for each
s1._domainkey.DOMAIN TXT record through its stock dnspython path
(dkim.dnsplug.get_txt_dnspython -> dns.resolver.resolve), whose module-level
resolver is replaced by one that asks only HOST:PORT -- the same server
mailcheck --resolver uses.

With --keys-zone the keys are in memory: the `*._domainkey.*` TXT records of
the master file (as bench/gen.py writes them: `$ORIGIN`, relative owners,
quoted strings on one line) are read into a dict at start, and dkimpy's
dnsfunc answers from it -- dkimpy at its fastest, no DNS at all. The reading
is part of the process's time, as mailcheck's zone loading is part of its.

Prints pass/fail a line.
"""
import sys

import dkim


def keys_from_zone(path):
    keys = {}
    origin = ""
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"$ORIGIN"):
                origin = line.split()[1].decode()
                continue
            if b"._domainkey." not in line:
                continue
            owner, rest = line.split(None, 1)
            owner = owner.decode()
            name = owner if owner.endswith(".") else owner + "." + origin
            strings = rest.split(b'"')[1::2]
            keys[name.lower()] = b"".join(strings)
    return keys


args = sys.argv[1:]
if args[0] == "--keys-zone":
    keys = keys_from_zone(args[1])
    path = args[2]

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        name = name.lower()
        return keys.get(name if name.endswith(".") else name + ".")
    verify = lambda data: dkim.verify(data, dnsfunc=dnsfunc)
else:
    from peer_dns import use_only
    host, port, path = args[0], int(args[1]), args[2]
    use_only(host, port)
    verify = dkim.verify

out = []
for line in open(path):
    f = line.split()
    if not f:
        continue
    with open(f[0], "rb") as fh:
        data = fh.read()
    out.append("pass" if verify(data) else "fail")
sys.stdout.write("".join(x + "\n" for x in out))
