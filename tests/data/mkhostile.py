#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write examples/hostile.pcap: a small capture built to attack its reader.

  python3 tests/data/mkhostile.py > examples/hostile.pcap

Ethernet, IPv4, documentation addresses, one packet every millisecond:
  - a SYN scan of 40 ports from 198.51.100.7 to 203.0.113.5 (40 half-open
    connections, to be evicted by tf-reassemble -C);
  - 192.0.2.10:40001 -> 203.0.113.5:80, a request for
    /../../../../etc/passwd answered with Content-Type ../../../tmp/x;
  - 192.0.2.10:40002 -> 203.0.113.5:80, a response whose gzip body of 64 KB
    decodes to 64 MiB of zeros (a decompression bomb);
  - three first fragments of IPv4 datagrams that never complete;
  - a TCP segment whose data offset (4) is shorter than a TCP header.
Deterministic: the same bytes on every run (gzip with mtime 0).
"""
import gzip
import struct
import sys

SERVER = bytes([203, 0, 113, 5])
CLIENT = bytes([192, 0, 2, 10])
SCANNER = bytes([198, 51, 100, 7])
MSS = 1448

out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
clock = [1795677000 * 1000000]


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(ip):
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    f = eth + ip
    clock[0] += 1000
    sec, usec = divmod(clock[0], 1000000)
    out.extend(struct.pack("<IIII", sec, usec, len(f), len(f)) + f)


def ipv4(src, dst, payload, ident=0, frag=0, proto=6):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, sport, dst, dport, seq, ack, flags, data=b"", doff=5):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, doff << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
    h = h[:16] + struct.pack("!H", csum(pseudo + h + data)) + h[18:]
    frame(ipv4(src, dst, h + data))


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def connection(cport, request, response):
    """A whole connection: handshake, request, response, FIN both ways."""
    c, s = 1000, 5000
    tcp(CLIENT, cport, SERVER, 80, c, 0, SYN)
    tcp(SERVER, 80, CLIENT, cport, s, c + 1, SYN | ACK)
    c += 1
    s += 1
    tcp(CLIENT, cport, SERVER, 80, c, s, ACK)
    tcp(CLIENT, cport, SERVER, 80, c, s, PSH | ACK, request)
    c += len(request)
    for i in range(0, len(response), MSS):
        seg = response[i:i + MSS]
        tcp(SERVER, 80, CLIENT, cport, s, c, PSH | ACK, seg)
        s += len(seg)
    tcp(CLIENT, cport, SERVER, 80, c, s, FIN | ACK)
    tcp(SERVER, 80, CLIENT, cport, s, c + 1, FIN | ACK)
    tcp(CLIENT, cport, SERVER, 80, c + 1, s + 1, ACK)


for port in range(1, 41):
    tcp(SCANNER, 61000, SERVER, port, 77, 0, SYN)

connection(40001,
           b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
           b"HTTP/1.1 200 OK\r\nContent-Type: ../../../tmp/x\r\n"
           b"Content-Length: 12\r\n\r\nroot:x:0:0:\n")

bomb = gzip.compress(bytes(64 << 20), compresslevel=9, mtime=0)
connection(40002,
           b"GET /bomb HTTP/1.1\r\nHost: x\r\n\r\n",
           b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
           % len(bomb) + bomb)

for ident in (1, 2, 3):
    frame(ipv4(SCANNER, SERVER, bytes(64), ident=ident, frag=0x2000))

tcp(SCANNER, 61001, SERVER, 80, 1, 0, ACK, doff=4)

sys.stdout.buffer.write(out)
