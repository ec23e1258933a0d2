#!/usr/bin/env python3
"""Regenerate fuzz/seeds/ from mailcheck's fixtures (run from fuzz/).

zone_file: the fixture zone files; message: the fixture messages;
spf_record / dkim_key / dmarc_record: the TXT strings of those kinds found in
the zone files (a dmarc seed starts with one byte choosing the checked
domain); auth_results: hand-written line-per-part inputs (see src/lib.rs).
At most 50 small files per target. seeds/regressions/ is left alone.
"""
import glob, os, re, shutil

FIX = "../fixtures"
MAX = 50

def reset(target):
    d = os.path.join("seeds", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d

def copy(paths, target):
    d = reset(target)
    for p in sorted(paths)[:MAX]:
        name = os.path.relpath(p, FIX).replace("/", "_")
        shutil.copy(p, os.path.join(d, name))

zones = (sorted(glob.glob(f"{FIX}/domain/*.zone")) + sorted(glob.glob(f"{FIX}/shared/*.zone"))
         + sorted(glob.glob(f"{FIX}/zonefiles/*.zone")) + sorted(glob.glob(f"{FIX}/verify/*.zone")))
copy(zones[:MAX], "zone_file")
copy(glob.glob(f"{FIX}/verify/*.eml") + glob.glob(f"{FIX}/verify/malformed/*.eml"), "message")

def txt_texts(path):
    """The joined character-strings of every TXT record (enough of RFC 1035 for the fixtures)."""
    text = open(path, encoding="utf-8", errors="replace").read()
    # Tokenise: quoted strings, parentheses, comments, words, newlines.
    tokens, entry, depth = [], [], 0
    for m in re.finditer(r'"((?:\\.|[^"\\])*)"|;[^\n]*|\(|\)|\n|[^\s()";]+', text):
        tok = m.group(0)
        if tok.startswith(";"):
            continue
        if tok == "(":
            depth += 1; continue
        if tok == ")":
            depth -= 1; continue
        if tok == "\n":
            if depth == 0 and entry:
                tokens.append(entry); entry = []
            continue
        entry.append(("q", m.group(1)) if tok.startswith('"') else ("w", tok))
    if entry:
        tokens.append(entry)
    out = []
    for e in tokens:
        words = [t for k, t in e if k == "w"]
        if "TXT" in words:
            out.append("".join(t for k, t in e if k == "q"))
    return out

texts = sorted({t for z in glob.glob(f"{FIX}/**/*.zone", recursive=True) for t in txt_texts(z)})

def write(target, items):
    d = reset(target)
    for i, data in enumerate(items[:MAX]):
        with open(os.path.join(d, f"{i:02}"), "wb") as f:
            f.write(data)

write("spf_record", [t.encode() for t in texts if t.lower().startswith("v=spf1")])
write("dkim_key", [t.encode() for t in texts if "p=" in t and "DMARC" not in t and "spf1" not in t])
dmarc = [t.encode() for t in texts if t.upper().startswith("V=DMARC1")]
write("dmarc_record", [bytes([i % 4]) + t for i, t in enumerate(dmarc)])

# auth_results: From value, d=, s=, more DKIM tags, Return-Path, HELO, body.
write("auth_results", [
    b"Alice <alice@rsa-pass.verify.example>\nrsa-pass.verify.example\ns1\nt=1795165500;\n<bounce@rsa-pass.verify.example>\nmail.rsa-pass.verify.example\nHello.\r\n",
    b"alice@RSA-PASS.verify.example.\nrsa-pass.verify.example.\nS1\nl=3; x=1;\n\n\nbody",
    b"\"odd\" <alice@b\xc3\xbccher.example>\nb\xc3\xbccher.example\ns1\ni=@b\xc3\xbccher.example;\n<>\n\n",
    b"alice@[192.0.2.1]\n..\n.\na=ed25519-sha256;\n<@>\n.\n",
    b"a@b@c\nexample.com\ns1._domainkey\nc=simple/simple;\nbounce\nhelo.example\n",
    b"Group: a@x.example, b@y.example;\nx.example\ns1\nh=from;\n<bounce@x.example>\n\n",
    b"alice@rsa-pass.verify.example\nverify.example\ns1\n\n\n\nx",
    b"<alice@" + b"a." * 130 + b"example>\n" + b"d." * 130 + b"\ns1\n\n\n\n",
])

# dkim_sig: the fixture messages (DKIM and ARC signatures, l= among them).
copy(glob.glob(f"{FIX}/verify/*.eml") + glob.glob(f"{FIX}/verify/malformed/*.eml"), "dkim_sig")

# spf_macro: one selector byte, then lines: the macro string, local-part,
# sender domain, HELO. The macro strings are the terms with a '%' in the
# records of the RFC 7208 test suite.
import yaml
suite = "../tests/openspf/rfc7208-tests.yml"
terms = set()
def walk(node):
    if isinstance(node, dict):
        for v in node.values(): walk(v)
    elif isinstance(node, list):
        for v in node: walk(v)
    elif isinstance(node, str) and "%" in node:
        for t in node.split():
            if "%" in t:
                terms.add(t.split(":", 1)[1] if ":" in t else t.split("=", 1)[-1])
for doc in yaml.safe_load_all(open(suite, encoding="utf-8")):
    walk(doc.get("zonedata") if isinstance(doc, dict) else None)
write("spf_macro", [bytes([i % 4]) + f"{t}\nstrong-bad\nemail.example.com\nmx.example.org".encode()
                    for i, t in enumerate(sorted(terms))])

# zone_generate: what follows "$GENERATE " (src/lib.rs adds the zone head):
# the fixture zones' $GENERATE lines, and the modifiers they do not use.
gen = []
for z in sorted(glob.glob(f"{FIX}/**/*.zone", recursive=True)):
    for line in open(z, encoding="utf-8", errors="replace"):
        if line.upper().startswith("$GENERATE "):
            gen.append(line[len("$GENERATE "):].encode())
gen += [b"0-15 ${0,4,n} PTR h$.example.com.\n", b"1-3 a$ CNAME ${-1,2,X}\n$GENERATE 1-2 b$ MX 10 a$\n",
        b"10-20/5 x\\$$ 60 IN A 192.0.2.$\n", b"0-1 ${1,3,o} AAAA ::$\n"]
write("zone_generate", gen)
