#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Helpers of tests/tls.bats, independent of tf's code.

  tlsaux.py ja4             reads tshark's fields of ClientHellos (one line
                            each: ciphersuite|extension.type|sig_hash_alg|
                            supported_version|server_name|alpn_str|version,
                            separator '|') on stdin; prints each one's JA4
                            (FoxIO's specification, TLS over TCP)
  tlsaux.py drop IN OUT N   copies the pcap IN to OUT without the N-th
                            (from 1) packet sent from port 4433 that carries
                            more than 1000 bytes of TCP payload
  tlsaux.py hostile         writes KIND.txt, mkstream lines of one
                            connection whose handshake is hostile, for
                            each KIND: exts (a
                            ClientHello with 10000 extensions), certs (a
                            TLS 1.2 Certificate of 10000 certificates),
                            huge (a 100000-byte handshake message), bogus
                            (lengths that point past the record), ccm
                            (a TLS 1.3 suite tf-tls does not decrypt)
"""
import hashlib
import struct
import sys


def grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def ja4(line):
    c, e, s, sv, sni, alpn, lv = line.rstrip("\n").split("|")
    num = lambda x: int(x, 16) if x.startswith("0x") else int(x)
    ciphers = [num(x) for x in c.split(",") if x and not grease(num(x))]
    exts = [num(x) for x in e.split(",") if x and not grease(num(x))]
    sigs = [num(x) for x in s.split(",") if x and not grease(num(x))]
    vers = [num(x) for x in sv.split(",") if x and not grease(num(x))]
    v = max(vers) if vers else num(lv)
    vname = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10",
             0x0300: "s3"}.get(v, "00")
    first = alpn.split(",")[0] if alpn else ""
    if not first:
        a = "00"
    elif first[0].isalnum() and first[-1].isalnum() and first.isascii():
        a = first[0] + first[-1]
    else:
        h = first.encode().hex()
        a = h[0] + h[-1]
    head = "t%s%s%02d%02d%s" % (vname, "d" if sni else "i",
                                min(len(ciphers), 99), min(len(exts), 99), a)
    def h12(text):
        return hashlib.sha256(text.encode()).hexdigest()[:12]
    cs = ",".join("%04x" % x for x in sorted(ciphers))
    es = ",".join("%04x" % x for x in sorted(x for x in exts
                                                 if x not in (0, 16)))
    if sigs:
        es += "_" + ",".join("%04x" % x for x in sigs)
    return "%s_%s_%s" % (head, h12(cs) if ciphers else "0" * 12,
                         h12(es) if exts else "0" * 12)


def drop(src, dst, n):
    data = open(src, "rb").read()
    out = bytearray(data[:24])
    i, k = 24, 0
    while i + 16 <= len(data):
        incl = struct.unpack("<I", data[i + 8:i + 12])[0]
        pkt = data[i + 16:i + 16 + incl]
        keep = True
        if len(pkt) > 54 and pkt[12:14] == b"\x08\x00":
            ihl = (pkt[14] & 15) * 4
            tcp = pkt[14 + ihl:]
            sport = struct.unpack(">H", tcp[0:2])[0]
            doff = (tcp[12] >> 4) * 4
            tot = struct.unpack(">H", pkt[16:18])[0]
            if sport == 4433 and tot - ihl - doff > 1000:
                k += 1
                keep = k != n
        if keep:
            out += data[i:i + 16 + incl]
        i += 16 + incl
    open(dst, "wb").write(out)


def rec(ctype, body, ver=b"\x03\x03"):
    return bytes([ctype]) + ver + struct.pack(">H", len(body)) + body


def hs(t, body):
    return bytes([t]) + struct.pack(">I", len(body))[1:] + body


def client_hello(exts):
    body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x02\x13\x01" +
            b"\x01\x00" + struct.pack(">H", len(exts)) + exts)
    return hs(1, body)


def server_hello12():
    body = (b"\x03\x03" + b"\x22" * 32 + b"\x00" + b"\xc0\x2f" + b"\x00")
    return hs(2, body)


def records(ctype, msg):
    out = b""
    for i in range(0, len(msg), 16384):
        out += rec(ctype, msg[i:i + 16384])
    return out


def hostile(kind, out):
    c2s = records(22, client_hello(b""))
    s2c = records(22, server_hello12())
    if kind == "exts":
        exts = b"".join(struct.pack(">HH", 1000 + i, 0) for i in range(10000))
        c2s = records(22, client_hello(exts))
    elif kind == "certs":
        certs = b"".join(b"\x00\x00\x01\x30" for _ in range(10000))
        s2c += records(22, hs(11, struct.pack(">I", len(certs))[1:] + certs))
    elif kind == "huge":
        s2c += records(22, hs(11, b"\x00" * 100000))
    elif kind == "ccm":
        # TLS 1.3 with TLS_AES_128_CCM_SHA256 (0x1304), which tf-tls
        # does not decrypt.
        body = (b"\x03\x03" + b"\x22" * 32 + b"\x00" + b"\x13\x04" +
                b"\x00" + b"\x00\x06" + b"\x00\x2b\x00\x02\x03\x04")
        s2c = records(22, hs(2, body)) + rec(23, b"\x00" * 40)
    elif kind == "bogus":
        # A ClientHello whose extension lengths point past its end, then
        # a Certificate claiming 16 MB.
        c2s = records(22, client_hello(b"\x00\x00\xff\xff\x00\x10\x00"))
        s2c += rec(22, b"\x0b\xff\xff\xff\x00\x00")
    print("header linktype=1 source=x.pcap", file=out)
    print("open conn=1 ts=1700000000 src=192.0.2.1 sport=40000 "
          "dst=192.0.2.2 dport=443 flags=syn", file=out)
    for d, b in ((0, c2s), (1, s2c)):
        off = 0
        for i in range(0, len(b), 60000):
            print("data conn=1 dir=%d off=%d ts=1700000000.%d hex=%s" %
                  (d, off, d + 1, b[i:i + 60000].hex()), file=out)
            off += len(b[i:i + 60000])
    print("close conn=1 cause=fin", file=out)
    print("end packets=1", file=out)


if __name__ == "__main__":
    if sys.argv[1] == "ja4":
        for line in sys.stdin:
            if line.strip():
                print(ja4(line))
    elif sys.argv[1] == "drop":
        drop(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "hostile":
        for k in ("exts", "certs", "huge", "bogus", "ccm"):
            with open("%s.txt" % k, "w") as f:
                hostile(k, f)
