#!/usr/bin/env python3
"""checkdmarc over a list of domains, against one nameserver at HOST:PORT.

    python3 bench/peer_checkdmarc.py HOST PORT DOMAINS_FILE > out.json

Does what `checkdmarc --nameserver HOST -f json DOMAINS_FILE` does (the CLI
calls the same check_domains() and results_to_json()), but the CLI's
--nameserver takes a bare address and always uses port 53; the library takes
a dnspython Do53Nameserver with a port, which is how it is pointed at the
benchmark's server on a high port here. One process, domains in order, as
the CLI does it. MX STARTTLS tests stay off (the CLI's default).
"""
import sys

import dns.nameserver
import checkdmarc

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
domains = [line.strip() for line in open(path) if line.strip()]
results = checkdmarc.check_domains(domains, nameservers=[dns.nameserver.Do53Nameserver(host, port)],
                                   timeout=2.0)
if not isinstance(results, list):
    results = [results]
print(checkdmarc.results_to_json(results))
print("checked %d domains" % len(results), file=sys.stderr)
