#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Synthetic pcapng files for tests/pcapng.bats: the edge cases of the
format that real capture tools do not write (byte orders, several sections,
if_tsresol as a power of 2, if_tsoffset, simple and obsolete packet blocks,
blocks to skip) and broken ones (bad block lengths, a cut block, too many
interfaces).

  mkpcapng.py CASE > FILE     write one case
  mkpcapng.py -l              list the cases

Every good case holds one TCP connection, 192.0.2.1:40000 -> 192.0.2.2:80
(documentation addresses, RFC 5737): a handshake, the client's two
segments "client: CASE\\n" split after 7 bytes, the server's "server: CASE\\n"
likewise, and a FIN each way, with correct IPv4 and TCP checksums.  These
payloads are the truth the tests compare tf-split's files with.
"""
import struct
import sys

CLI, SRV = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
CPORT, SPORT = 40000, 80
T0 = 1700000000  # 2023-11-14T22:13:20Z, the first packet's time

LT_ETHER, LT_RAW, LT_SLL2 = 1, 101, 276


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    c = csum(ph + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def frame(lt, ip):
    if lt == LT_ETHER:
        return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip
    if lt == LT_SLL2:
        # protocol, reserved, ifindex, hatype, pkttype, halen, address
        return struct.pack("!HHIHBB8s", 0x0800, 0, 1, 1, 0, 6,
                           b"\x02\0\0\0\0\x01\0\0") + ip
    return ip


def conn(case):
    """The connection's packets: (from client?, ip datagram)."""
    c = b"client: " + case.encode() + b"\n"
    s = b"server: " + case.encode() + b"\n"
    ci, si = 1000, 5000
    A, S, F, P = 0x10, 0x02, 0x01, 0x08
    out = [
        (1, ipv4_tcp(CLI, SRV, CPORT, SPORT, ci, 0, S, b"")),
        (0, ipv4_tcp(SRV, CLI, SPORT, CPORT, si, ci + 1, S | A, b"")),
        (1, ipv4_tcp(CLI, SRV, CPORT, SPORT, ci + 1, si + 1, A, b"")),
        (1, ipv4_tcp(CLI, SRV, CPORT, SPORT, ci + 1, si + 1, P | A, c[:7])),
        (1, ipv4_tcp(CLI, SRV, CPORT, SPORT, ci + 8, si + 1, P | A, c[7:])),
        (0, ipv4_tcp(SRV, CLI, SPORT, CPORT, si + 1, ci + 1 + len(c), P | A,
                     s[:7])),
        (0, ipv4_tcp(SRV, CLI, SPORT, CPORT, si + 8, ci + 1 + len(c), P | A,
                     s[7:])),
        (0, ipv4_tcp(SRV, CLI, SPORT, CPORT, si + 1 + len(s),
                     ci + 1 + len(c), F | A, b"")),
        (1, ipv4_tcp(CLI, SRV, CPORT, SPORT, ci + 1 + len(c),
                     si + 2 + len(s), F | A, b"")),
        (0, ipv4_tcp(SRV, CLI, SPORT, CPORT, si + 2 + len(s),
                     ci + 2 + len(c), A, b"")),
    ]
    return out


class W:
    """A pcapng writer in one byte order."""

    def __init__(self, big=False):
        self.e = ">" if big else "<"
        self.out = bytearray()

    def block(self, btype, body, length=None, trailer=None):
        body = bytes(body) + b"\0" * (-len(body) % 4)
        n = 12 + len(body) if length is None else length
        t = n if trailer is None else trailer
        self.out += struct.pack(self.e + "II", btype, n) + body + \
            struct.pack(self.e + "I", t)

    def opt(self, code, val):
        return struct.pack(self.e + "HH", code, len(val)) + val + \
            b"\0" * (-len(val) % 4)

    def shb(self, major=1, minor=0):
        self.block(0x0A0D0D0A, struct.pack(self.e + "IHHq", 0x1A2B3C4D,
                                           major, minor, -1) +
                   self.opt(4, b"mkpcapng.py") + self.opt(0, b""))

    def idb(self, lt, snaplen=0, tsresol=None, tsoffset=None):
        o = b""
        if tsresol is not None:
            o += self.opt(9, bytes([tsresol]))
        if tsoffset is not None:
            o += self.opt(14, struct.pack(self.e + "q", tsoffset))
        if o:
            o += self.opt(0, b"")
        self.block(1, struct.pack(self.e + "HHI", lt, 0, snaplen) + o)

    def epb(self, ifid, ts, data, caplen=None, length=None):
        cl = len(data) if caplen is None else caplen
        self.block(6, struct.pack(self.e + "IIIII", ifid, ts >> 32,
                                  ts & 0xFFFFFFFF, cl, len(data)) + data,
                   length=length)

    def pb(self, ifid, ts, data):
        self.block(2, struct.pack(self.e + "HHIIII", ifid, 0, ts >> 32,
                                  ts & 0xFFFFFFFF, len(data), len(data)) +
                   data)

    def spb(self, data):
        self.block(3, struct.pack(self.e + "I", len(data)) + data)

    def skipped(self):
        """One of each block tf skips: NRB, ISB, DSB, custom, unknown."""
        self.block(4, struct.pack(self.e + "HH", 1, 8) + CLI + b"a.ex" +
                   struct.pack(self.e + "HH", 0, 0))
        self.block(5, struct.pack(self.e + "IIIq", 0, 0, 0, 0))
        self.block(10, struct.pack(self.e + "II", 0x544c534b, 4) + b"keys")
        self.block(0xBAD, struct.pack(self.e + "I", 32473) + b"custom")
        self.block(0x40000BAD, struct.pack(self.e + "I", 32473) + b"nocopy")
        self.block(0x12345678, b"unknown block type")


def usec(i):
    """Packet i's time in microseconds since the epoch: 1 ms apart."""
    return T0 * 1000000 + i * 1000


def good(case, big=False):
    """Ethernet, SLL2 and raw IP interfaces, packets round-robin over them,
    with every skipped kind of block between them."""
    w = W(big)
    w.shb()
    lts = [LT_ETHER, LT_SLL2, LT_RAW]
    for lt in lts:
        w.idb(lt)
    w.skipped()
    for i, (_, ip) in enumerate(conn(case)):
        w.epb(i % 3, usec(i), frame(lts[i % 3], ip))
        if i == 4:
            w.skipped()
    return w.out


def sections(case):
    """Two sections, little- then big-endian; each has its own interfaces,
    so interface 0 is Ethernet in the first and SLL2 in the second."""
    pk = conn(case)
    a = W(False)
    a.shb()
    a.idb(LT_ETHER)
    for i, (_, ip) in enumerate(pk[:5]):
        a.epb(0, usec(i), frame(LT_ETHER, ip))
    b = W(True)
    b.shb()
    b.idb(LT_SLL2)
    b.idb(LT_ETHER)
    for i, (_, ip) in enumerate(pk[5:], 5):
        b.epb(0, usec(i), frame(LT_SLL2, ip))
    return a.out + b.out


def tsres(case):
    """if_tsresol 2^-20 s with if_tsoffset T0 on the Ethernet interface,
    10^-3 s on the raw one: packet i at T0 + i/4 s, plus 2^-20 s on the
    Ethernet one."""
    w = W()
    w.shb()
    w.idb(LT_ETHER, tsresol=0x80 | 20, tsoffset=T0)
    w.idb(LT_RAW, tsresol=3)
    for i, (_, ip) in enumerate(conn(case)):
        if i % 2 == 0:
            # i/4 s and 2^-20 s (953.67... ns, 953 whole ones)
            w.epb(0, (i << 18) + 1, frame(LT_ETHER, ip))
        else:
            w.epb(1, T0 * 1000 + i * 250, ip)
    return w.out


def spb(case):
    """Simple packet blocks (no time: the previous packet's) and obsolete
    packet blocks, on interface 0 (Ethernet, snaplen 65535)."""
    w = W()
    w.shb()
    w.idb(LT_ETHER, snaplen=65535)
    for i, (_, ip) in enumerate(conn(case)):
        f = frame(LT_ETHER, ip)
        if i % 3 == 0:
            w.epb(0, usec(i), f)
        elif i % 3 == 1:
            w.spb(f)
        else:
            w.pb(0, usec(i), f)
    return w.out


def broken(case):
    """The first five packets, then one broken block."""
    w = W()
    w.shb()
    w.idb(LT_ETHER)
    pk = conn(case)
    for i, (_, ip) in enumerate(pk[:5]):
        w.epb(0, usec(i), frame(LT_ETHER, ip))
    f = frame(LT_ETHER, pk[5][1])
    if case == "len13":
        w.epb(0, usec(5), f, length=13)
    elif case == "len8":
        w.out += struct.pack("<II", 6, 8)
    elif case == "trailer":
        w.block(6, struct.pack("<IIIII", 0, 0, 0, len(f), len(f)) + f,
                trailer=4)
    elif case == "huge":
        w.out += struct.pack("<II", 6, 0x10000010) + b"\0" * 64
    elif case == "caplen":
        w.epb(0, usec(5), f, caplen=len(f) + 4)
    elif case == "ifid":
        w.epb(3, usec(5), f)
    elif case == "cut":
        w.epb(0, usec(5), f)
        del w.out[-20:]
    elif case == "unsupported":
        w.idb(147)
        w.epb(1, usec(5), f)
        for i, (_, ip) in enumerate(pk[5:], 5):
            w.epb(0, usec(i), frame(LT_ETHER, ip))
    elif case == "manyifs":
        for _ in range(65536):
            w.idb(LT_ETHER)
    return w.out


def header_only(case):
    w = W()
    if case == "noidb":
        w.shb()
        w.block(4, struct.pack("<HH", 0, 0))
    elif case == "v2":
        w.shb(major=2)
        w.idb(LT_ETHER)
    elif case == "firstepb":
        w.shb()
        w.epb(0, 0, b"x" * 40)
    return w.out


def pcap_refused(case):
    """Classic pcap that libpcap refuses after one packet: a record whose
    captured length is over libpcap's maximum (262144)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LT_ETHER)
    f = frame(LT_ETHER, conn(case)[0][1])
    out += struct.pack("<IIII", T0, 0, len(f), len(f)) + f
    out += struct.pack("<IIII", T0, 1000, 300000, 300000) + b"\0" * 64
    return out


CASES = {
    "mixed": (lambda: good("mixed"),
              "Ethernet, SLL2 and raw IP interfaces; NRB, ISB, DSB, custom "
              "and unknown blocks"),
    "mixed-be": (lambda: good("mixed-be", True), "mixed, big-endian"),
    "sections": (lambda: sections("sections"),
                 "two sections, little- then big-endian"),
    "tsresol": (lambda: tsres("tsresol"),
                "if_tsresol 2^-20 with if_tsoffset, and 10^-3"),
    "spb": (lambda: spb("spb"), "simple and obsolete packet blocks"),
    "len13": (lambda: broken("len13"), "a block length of 13"),
    "len8": (lambda: broken("len8"), "a block length of 8"),
    "trailer": (lambda: broken("trailer"), "the two lengths differ"),
    "huge": (lambda: broken("huge"), "a block length over the cap"),
    "caplen": (lambda: broken("caplen"), "a captured length past the block"),
    "ifid": (lambda: broken("ifid"), "a packet of an interface never seen"),
    "cut": (lambda: broken("cut"), "cut inside a packet block"),
    "unsupported": (lambda: broken("unsupported"),
                    "a second interface of a link type not decoded"),
    "manyifs": (lambda: broken("manyifs"), "65537 interfaces"),
    "noidb": (lambda: header_only("noidb"), "no interface at all"),
    "v2": (lambda: header_only("v2"), "section version 2.0"),
    "firstepb": (lambda: header_only("firstepb"),
                 "a packet before any interface"),
    "pcap-refused": (lambda: pcap_refused("pcap-refused"),
                     "classic pcap that libpcap refuses after packet 1"),
}


def main():
    if sys.argv[1:] == ["-l"]:
        for k, (_, d) in CASES.items():
            print("%s\t%s" % (k, d))
        return
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: mkpcapng.py CASE > FILE | -l")
    sys.stdout.buffer.write(CASES[sys.argv[1]][0]())


if __name__ == "__main__":
    main()
