#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tlsserver.py: the TLS endpoint of tests/data/mktls.sh.

    tlsserver.py CERT KEY PORT CIPHERS CONNS OUTPREFIX

Listens on 127.0.0.1:PORT, accepts CONNS connections one after the other
(one SSLContext, so that a ticket of the first resumes the second), and
answers every chunk it reads: "got N bytes: " and the chunk in capitals,
or, for a chunk starting with "bulk", 20000 bytes of SHA-256 output (more
than one full record).  It chooses ALPN http/1.1 when offered.  CIPHERS is an OpenSSL cipher string for TLS 1.2
("-" for the default); TLS 1.3 suites are the client's choice.  Writes,
for connection n (from 1), OUTPREFIX.n.c2s (every byte the application
read: what the client sent) and OUTPREFIX.n.s2c (every byte it wrote:
what the client received), the ground truth of the captures.
"""
import hashlib
import socket
import ssl
import sys


def bulk(n):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"tf-tls-test-bulk:%d" % i).digest()
        i += 1
    return bytes(out[:n])


def main():
    cert, key, port, ciphers, conns, prefix = sys.argv[1:7]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    if ciphers != "-":
        ctx.set_ciphers(ciphers)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(4)
    for n in range(1, int(conns) + 1):
        raw, _ = ls.accept()
        s = ctx.wrap_socket(raw, server_side=True)
        rx, tx = bytearray(), bytearray()
        while True:
            try:
                d = s.recv(65536)
            except (ssl.SSLError, OSError):
                break
            if not d:
                break
            rx += d
            if d.startswith(b"bulk"):
                r = bulk(20000)
            else:
                r = b"got %d bytes: " % len(d) + d.upper()
            s.sendall(r)
            tx += r
        try:
            s.unwrap()
        except (ssl.SSLError, OSError):
            pass
        s.close()
        with open("%s.%d.c2s" % (prefix, n), "wb") as f:
            f.write(rx)
        with open("%s.%d.s2c" % (prefix, n), "wb") as f:
            f.write(tx)
    ls.close()


if __name__ == "__main__":
    main()
