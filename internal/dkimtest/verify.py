#!/usr/bin/python3
# dkimpy (Debian python3-dkim) as an independent DKIM verifier for postie's
# tests: verifies every DKIM-Signature of the message on stdin, fetching the
# keys from the DNS server given as HOST:PORT (the tests' own server on
# loopback), never from the system's resolver. Prints one line per
# signature; exits 0 only when there is at least one and all verify.
import sys

import dkim
import dns.resolver

host, port = sys.argv[1].rsplit(":", 1)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = int(port)


def txt(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    try:
        answer = resolver.resolve(name, "TXT", lifetime=timeout)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    return b"".join(answer[0].strings)


msg = sys.stdin.buffer.read()
d = dkim.DKIM(msg)
count = len([h for h in d.headers if h[0].lower() == b"dkim-signature"])
if count == 0:
    print("no DKIM-Signature")
    sys.exit(1)
ok = True
for i in range(count):
    try:
        good = d.verify(idx=i, dnsfunc=txt)
    except dkim.DKIMException as e:
        print("signature %d: error: %s" % (i, e))
        good = False
    tags = d.signature_fields or {}
    print("signature %d: %s d=%s s=%s a=%s" % (
        i, "pass" if good else "FAIL",
        tags.get(b"d", b"").decode(), tags.get(b"s", b"").decode(), tags.get(b"a", b"").decode()))
    ok = ok and good
sys.exit(0 if ok else 1)
