#!/usr/bin/env python3
"""Deterministic synthetic mail-DNS data for bench/run.sh.

    python3 bench/gen.py --out DIR [--domains 10000] [--subset 1000]
                         [--messages 1000] [--big 5] [--seed 1]

Writes, under DIR (everything derives from --seed; the RSA keys too, made
from seeded primes, so two runs write identical files):

  zones/example.zone        origin example.: N domains dNNNNN.example, each
                            with apex A, 1-2 MX hosts (A records), SPF with
                            1-3 includes of shared providers (some with a
                            nested include, some with `mx`), DKIM key at
                            s1._domainkey (one of --keys RSA-2048 keys), DMARC
  zones/example-1k.zone     the same records for the first --subset domains
  zones/example-100k.zone   every domain, then filler domains of the same
                            shape, --zone-records records in all (100,000)
  zones/esp.test.zone       the shared SPF providers (_spf.pNN.esp.test)
  zones/reverse.zone        origin 198.in-addr.arpa.: PTR for every MX address
  keys/kN.pem, kN.pk8.pem   the private keys (PKCS#1 for dkimpy, PKCS#8)
  domains-1k.txt, domains-10k.txt
  msgs/mNNNN.eml            --messages signed messages of 10 KiB body
  big/bN.eml                --big signed messages of 1 MiB body
  verify-1k.txt, verify-big.txt  `PATH IP HELO MAIL-FROM` a line
  verify-10k.txt            the --messages messages, the whole list --repeat
                            (10) times, all from ONE_IP (listed by no SPF
                            record); verify-one-ip-1k.txt and
                            verify-100k.txt: the same once and 100 times
  spf-1k.txt                `IDENTITY IP HELO` a line (pass and fail cases)
  meta.json                 counts, the latency-test domain and its chain

Addresses: MX hosts in 198.18.0.0/15 (benchmarking range, RFC 2544),
providers in 100.64.0.0/10; nothing here is routable to anyone real.
"""
import argparse
import base64
import json
import os
import random
import sys
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa as crsa
import dkim

SELECTOR = "s1"
# The one sending address of the bulk verify lists: no SPF record lists it
# (documentation range, RFC 5737).
ONE_IP = "192.0.2.99"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
          b"content-type"]
WORDS = ("invoice shipment meeting agenda report quarterly update delivery "
         "account payment reminder schedule project review budget summary "
         "customer support ticket release notes monday friday thanks regards "
         "please attached document version draft final approve").split()

SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** .5) + 1))]


def is_probable_prime(n, rng, rounds=32):
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def seeded_prime(rng, bits, e=65537):
    while True:
        n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (n - 1) % e and is_probable_prime(n, rng):
            return n


def seeded_rsa_key(rng, bits=2048):
    """An RSA key from seeded primes: deterministic, unlike a real keygen."""
    e = 65537
    while True:
        p, q = seeded_prime(rng, bits // 2), seeded_prime(rng, bits // 2)
        if p != q and (p * q).bit_length() == bits:
            break
    if p < q:
        p, q = q, p
    n, phi = p * q, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    nums = crsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                  crsa.RSAPublicNumbers(e, n))
    return nums.private_key()


def txt(s):
    """A TXT RDATA: the string split into quoted chunks of at most 255 bytes."""
    chunks = [s[i:i + 255] for i in range(0, len(s), 255)]
    return " ".join('"%s"' % c for c in chunks)


def ip4(n):
    return "%d.%d.%d.%d" % ((n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255)


BASE = (198 << 24) | (18 << 16)  # 198.18.0.0


def mx_ip(i, j):
    return ip4(BASE + 256 + 2 * i + j)


def provider_ip(p, host):
    return "100.64.%d.%d" % (p, host)


def nested_ip(p, host):
    return "100.65.%d.%d" % (p, host)


def body(rng, size):
    lines, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(11)).capitalize() + "."
        lines.append(line)
        n += len(line) + 2
    return ("\r\n".join(lines) + "\r\n").encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--domains", type=int, default=10000)
    ap.add_argument("--subset", type=int, default=1000)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--big", type=int, default=5)
    ap.add_argument("--providers", type=int, default=20)
    ap.add_argument("--nested", type=int, default=10, help="providers with a nested include")
    ap.add_argument("--keys", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zone-records", type=int, default=100000,
                    help="records in zones/example-100k.zone: every domain, then filler domains")
    ap.add_argument("--repeat", type=int, default=10, help="times verify-10k.txt lists each message")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    # dkimpy stamps t= from the clock; a fixed past time keeps the files
    # identical from run to run.
    time.time = lambda: 1767225600  # 2026-01-01T00:00:00Z
    out = a.out
    for d in ("zones", "keys", "msgs", "big"):
        os.makedirs(os.path.join(out, d), exist_ok=True)

    # Keys.
    keys = []
    for k in range(a.keys):
        key = seeded_rsa_key(rng)
        pem1 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption())
        pem8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        open(os.path.join(out, "keys", "k%d.pem" % k), "wb").write(pem1)
        open(os.path.join(out, "keys", "k%d.pk8.pem" % k), "wb").write(pem8)
        keys.append((pem1, base64.b64encode(spki).decode()))

    soa = ("@ 3600 IN SOA ns.{o} hostmaster.{o} 1 3600 600 86400 300\n"
           "@ 3600 IN NS ns.{o}\n")

    # Providers: _spf.pNN.esp.test; the first --nested include _nb.pNN.esp.test.
    with open(os.path.join(out, "zones", "esp.test.zone"), "w") as f:
        f.write("$ORIGIN esp.test.\n$TTL 3600\n" + soa.format(o="esp.test.") + "ns A 127.0.0.1\n")
        for p in range(a.providers):
            if p < a.nested:
                f.write("_spf.p%02d IN TXT %s\n" % (p, txt(
                    "v=spf1 ip4:100.64.%d.0/24 include:_nb.p%02d.esp.test ~all" % (p, p))))
                f.write("_nb.p%02d IN TXT %s\n" % (p, txt("v=spf1 ip4:100.65.%d.0/24 -all" % p)))
            else:
                f.write("_spf.p%02d IN TXT %s\n" % (p, txt(
                    "v=spf1 ip4:100.64.%d.0/24 ip6:2001:db8:%x::/48 ~all" % (p, p))))

    # Domains.
    doms = []
    for i in range(a.domains):
        name = "d%05d" % i
        nmx = 2 if i % 3 == 0 else 1
        incs = rng.sample(range(a.providers), rng.randint(1, 3))
        use_mx = i % 5 == 0
        k = i % a.keys
        policy = ("reject", "quarantine", "reject", "none")[i % 4]
        doms.append(dict(i=i, name=name, fqdn=name + ".example", nmx=nmx, incs=incs, use_mx=use_mx,
                         key=k, policy=policy))

    def domain_records(d):
        n, i = d["name"], d["i"]
        r = ["%s IN A %s" % (n, mx_ip(i, 0))]
        for j in range(d["nmx"]):
            r.append("%s IN MX %d mx%d.%s" % (n, 10 * (j + 1), j + 1, n))
            r.append("mx%d.%s IN A %s" % (j + 1, n, mx_ip(i, j)))
        spf = "v=spf1 " + ("mx " if d["use_mx"] else "") + "ip4:%s " % mx_ip(i, 0) + \
            " ".join("include:_spf.p%02d.esp.test" % p for p in d["incs"]) + " -all"
        r.append("%s IN TXT %s" % (n, txt(spf)))
        r.append("%s._domainkey.%s IN TXT %s" % (SELECTOR, n, txt("v=DKIM1; k=rsa; p=" + keys[d["key"]][1])))
        r.append("_dmarc.%s IN TXT %s" % (n, txt("v=DMARC1; p=%s; rua=mailto:dmarc@%s.example" % (d["policy"], n))))
        return r

    for fname, count in (("example.zone", a.domains), ("example-1k.zone", a.subset)):
        with open(os.path.join(out, "zones", fname), "w") as f:
            f.write("$ORIGIN example.\n$TTL 3600\n" + soa.format(o="example.") + "ns A 127.0.0.1\n")
            for d in doms[:count]:
                f.write("\n".join(domain_records(d)) + "\n")

    # The large zone for verify: the same domains, then filler domains (the
    # same shape, drawn from a second generator so that the data above does
    # not change) until it holds --zone-records records.
    rng2 = random.Random(a.seed + 1)
    with open(os.path.join(out, "zones", "example-100k.zone"), "w") as f:
        f.write("$ORIGIN example.\n$TTL 3600\n" + soa.format(o="example.") + "ns A 127.0.0.1\n")
        nrec = 3  # SOA, NS, ns A
        i = 0
        while i < a.domains or nrec < a.zone_records:
            if i < a.domains:
                d = doms[i]
            else:
                d = dict(i=i, name="d%05d" % i, nmx=2 if i % 3 == 0 else 1,
                         incs=rng2.sample(range(a.providers), rng2.randint(1, 3)), use_mx=i % 5 == 0,
                         key=i % a.keys, policy=("reject", "quarantine", "reject", "none")[i % 4])
            recs = domain_records(d)
            f.write("\n".join(recs) + "\n")
            nrec += len(recs)
            i += 1
    zone_records = nrec

    with open(os.path.join(out, "zones", "reverse.zone"), "w") as f:
        f.write("$ORIGIN 198.in-addr.arpa.\n$TTL 3600\n" + soa.format(o="198.in-addr.arpa.") + "ns A 127.0.0.1\n")
        for d in doms:
            for j in range(d["nmx"]):
                o = mx_ip(d["i"], j).split(".")
                f.write("%s.%s.%s IN PTR mx%d.%s.example.\n" % (o[3], o[2], o[1], j + 1, d["name"]))

    for fname, count in (("domains-1k.txt", a.subset), ("domains-10k.txt", a.domains)):
        open(os.path.join(out, fname), "w").write("".join(d["fqdn"] + "\n" for d in doms[:count]))

    # Messages. Message i comes from domain i; even ones from its MX address
    # (SPF pass on ip4), odd ones from an address of its last provider (pass
    # through the include tree).
    def sender_ip(d, i):
        p = d["incs"][-1]
        return mx_ip(d["i"], 0) if i % 2 == 0 else provider_ip(p, 10 + i % 200)

    def message(d, i, size, big=False):
        hdr = ("From: News <news@{f}>\r\nTo: user{i}@rcpt.example\r\nSubject: bench message {i}\r\n"
               "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{k}{i}@{f}>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=us-ascii\r\nReturn-Path: <bounce@{f}>\r\n\r\n").format(
            f=d["fqdn"], i=i, k="big" if big else "m")
        msg = hdr.encode() + body(rng, size)
        sig = dkim.sign(msg, SELECTOR.encode(), d["fqdn"].encode(), keys[d["key"]][0],
                        include_headers=SIGNED, canonicalize=(b"relaxed", b"relaxed"))
        return sig + msg

    lines = []
    for i in range(a.messages):
        d = doms[i % a.subset]
        path = os.path.join(out, "msgs", "m%04d.eml" % i)
        open(path, "wb").write(message(d, i, 10 * 1024))
        lines.append("%s %s mx1.%s bounce@%s\n" % (path, sender_ip(d, i), d["fqdn"], d["fqdn"]))
    open(os.path.join(out, "verify-1k.txt"), "w").write("".join(lines))
    # The bulk setup: every message listed --repeat times (the whole list
    # again and again, so a memo must hold every domain to help), all from
    # one address that no SPF record lists (SPF fails; DMARC passes on the
    # aligned DKIM signature). Also the list once and 100 times, for memory.
    once = ["%s %s %s %s\n" % ((l.split()[0], ONE_IP) + tuple(l.split()[2:4])) for l in lines]
    for fname, times in (("verify-one-ip-1k.txt", 1), ("verify-10k.txt", a.repeat),
                         ("verify-100k.txt", 100)):
        open(os.path.join(out, fname), "w").write("".join(once) * times)
    lines = []
    for i in range(a.big):
        d = doms[i]
        path = os.path.join(out, "big", "b%d.eml" % i)
        open(path, "wb").write(message(d, i, 1024 * 1024, big=True))
        lines.append("%s %s mx1.%s bounce@%s\n" % (path, mx_ip(d["i"], 0), d["fqdn"], d["fqdn"]))
    open(os.path.join(out, "verify-big.txt"), "w").write("".join(lines))

    # SPF cases over the first --subset domains: 0 the domain's own ip4,
    # 1 an address of its last provider, 2 a nested provider's address when
    # it has one (else a provider's), 3 an address nobody lists (-all after
    # walking the whole tree).
    lines, expect = [], {}
    for i in range(a.subset):
        d = doms[i]
        case = i % 4
        if case == 0:
            ip, exp = mx_ip(i, 0), "pass"
        elif case == 1:
            ip, exp = provider_ip(d["incs"][-1], 7), "pass"
        elif case == 2:
            nested = [p for p in d["incs"] if p < a.nested]
            ip, exp = (nested_ip(nested[0], 9), "pass") if nested else (provider_ip(d["incs"][0], 9), "pass")
        else:
            ip, exp = "203.0.113.%d" % (1 + i % 250), "fail"
        lines.append("bounce@%s %s mx1.%s\n" % (d["fqdn"], ip, d["fqdn"]))
        expect[exp] = expect.get(exp, 0) + 1
    open(os.path.join(out, "spf-1k.txt"), "w").write("".join(lines))

    # The latency-test domain: the deepest one (2 MX, `mx` in SPF, a nested
    # include). Chains of dependent lookups in a `domain` check:
    #   MX -> A/AAAA of the exchange -> PTR of the address -> A/AAAA of the PTR name: 4
    #   SPF: TXT -> include TXT -> nested include TXT: 1 + include depth
    #   SPF `mx`: TXT -> MX -> A: 3;  DKIM: 1;  DMARC: 1 (record at the domain)
    def depth(d):
        return 1 + max(2 if p < a.nested else 1 for p in d["incs"])

    cand = [d for d in doms[:a.subset] if d["nmx"] == 2 and any(p < a.nested for p in d["incs"])]
    lat = max(cand, key=lambda d: (depth(d) + (1 if d["use_mx"] else 0), len(d["incs"]), -d["i"]))
    chains = {"mx": 4, "spf": depth(lat), "spf-mx": 3 if lat["use_mx"] else 0, "dkim": 1, "dmarc": 1}
    meta = dict(seed=a.seed, domains=a.domains, zone_records=zone_records, repeat=a.repeat, one_ip=ONE_IP, subset=a.subset, messages=a.messages, big=a.big,
                providers=a.providers, keys=a.keys, selector=SELECTOR, spf_expect=expect,
                latency_domain=lat["fqdn"], latency_chains=chains,
                latency_chain=max(chains.values()),
                message_bytes=os.path.getsize(os.path.join(out, "msgs", "m0000.eml")),
                big_bytes=os.path.getsize(os.path.join(out, "big", "b0.eml")) if a.big else 0)
    json.dump(meta, open(os.path.join(out, "meta.json"), "w"), indent=1)
    print(json.dumps(meta), file=sys.stderr)


if __name__ == "__main__":
    main()
