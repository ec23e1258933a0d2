"""Shared by the Python peers: make dnspython's module-level resolver ask
only HOST:PORT (the Knot server the benchmark starts), as the peers' stock
lookup paths use that resolver."""
import dns.resolver


def use_only(host, port):
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [host]
    r.port = port
    r.timeout = r.lifetime = 5.0
    dns.resolver.default_resolver = r
