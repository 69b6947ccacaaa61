#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# h2gen.py — synthetic HTTP/2 connections for tests/http2.bats, as
# mkstream lines (tests/mkstream.c) on standard output.  Header blocks
# are encoded here by hand (RFC 7541: static table indices, literals
# without Huffman coding), so that each case is exact.
#
#   h2gen.py alpn        ALPN "h2" (a tls.alpn annotation), every frame
#                        type: padding, priority, CONTINUATION, PING,
#                        WINDOW_UPDATE, PRIORITY, an unknown type,
#                        SETTINGS_HEADER_TABLE_SIZE, GOAWAY
#   h2gen.py gap         prior knowledge; a gap inside a DATA payload,
#                        then one over frame boundaries (HPACK table lost)
#   h2gen.py streams N   N requests on N streams, none answered
#   h2gen.py flood N     one header block of N CONTINUATION frames
#   h2gen.py bomb N      one 4000-byte table entry referred to N times
#   h2gen.py order       prior knowledge; responses on streams 1, 3, 5
#                        begin in that order, end 3 (gzip-coded), 5 (reset
#                        after 30 bytes), 1 (700 bytes in 70 DATA frames
#                        interleaved with the others)
#   h2gen.py cut         responses on streams 7, 3, 5, 1 begun in that
#                        order, all cut by the end of the connection
import gzip
import sys

PREFACE = b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
DATA, HEADERS, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WINDOW, CONT = \
    range(10)


def frame(t, flags, sid, payload):
    n = len(payload)
    return bytes([n >> 16, (n >> 8) & 255, n & 255, t, flags]) + \
        sid.to_bytes(4, 'big') + payload


def hint(v, bits, first=0):
    m = (1 << bits) - 1
    if v < m:
        return bytes([first | v])
    out = [first | m]
    v -= m
    while v >= 128:
        out.append((v & 127) | 128)
        v >>= 7
    out.append(v)
    return bytes(out)


def hstr(s):
    return hint(len(s), 7) + s


def lit(name_index, value, incremental=False):
    """A literal field with an indexed name (static table)."""
    if incremental:
        return hint(name_index, 6, 0x40) + hstr(value)
    return hint(name_index, 4) + hstr(value)


def litn(name, value):
    """A literal field with a literal name, not indexed."""
    return b'\x00' + hstr(name) + hstr(value)


# Static table indices (RFC 7541 appendix A).
GET, PATH_ROOT, HTTP, S200, S404 = 0x82, 0x84, 0x86, 0x88, 0x8d
AUTHORITY, PATH, CTYPE, CENC, CLEN = 1, 4, 31, 26, 28


def req(path, host=b'example.test'):
    return bytes([GET, HTTP]) + lit(PATH, path) + lit(AUTHORITY, host)


class Conn:
    def __init__(self, conn=1):
        self.conn = conn
        self.off = [0, 0]
        self.lines = []

    def send(self, d, b):
        self.lines.append('data conn=%d dir=%d off=%d hex=%s' %
                          (self.conn, d, self.off[d], b.hex()))
        self.off[d] += len(b)

    def gap(self, d, n):
        self.lines.append('gap conn=%d dir=%d off=%d len=%d' %
                          (self.conn, d, self.off[d], n))
        self.off[d] += n

    def out(self, annot=None):
        print('header linktype=1 source=x.pcap')
        print('open conn=%d ts=1700000000 src=10.0.0.1 sport=5000 '
              'dst=10.0.0.2 dport=443 flags=syn' % self.conn)
        if annot:
            print('annot conn=%d key=tls.alpn value="%s"' %
                  (self.conn, annot))
        for line in self.lines:
            print(line)
        print('close conn=%d cause=fin' % self.conn)
        print('end packets=1')


def alpn():
    c = Conn()
    # Client: preface, SETTINGS (table 8192), a request whose block is
    # split over HEADERS (padded, with priority) and a CONTINUATION.
    blk = req(b'/tls.txt') + litn(b'user-agent', b'h2gen')
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b'\x00\x01\x00\x00\x20\x00'
                              b'\x00\x03\x00\x00\x00\x64'))
    c.send(1, frame(SETTINGS, 0, 0, b'') + frame(SETTINGS, 1, 0, b''))
    c.send(0, frame(SETTINGS, 1, 0, b'') +
           frame(HEADERS, 0x08 | 0x20 | 0x01, 1,
                 b'\x03' + b'\x00\x00\x00\x00\x0f' + blk[:7] + b'\0\0\0') +
           frame(CONT, 0x04, 1, blk[7:]) +
           frame(PRIORITY, 0, 3, b'\x00\x00\x00\x01\x10') +
           frame(0xfa, 0xff, 0, b'unknown frame type, skipped') +
           frame(PING, 0, 0, b'12345678') +
           frame(WINDOW, 0, 0, b'\x00\x01\x00\x00'))
    body = b'hello, HTTP/2 over TLS\n' * 40
    c.send(1, frame(PING, 1, 0, b'12345678') +
           frame(HEADERS, 0x04, 1, bytes([S200]) +
                 lit(CTYPE, b'text/plain', True) +
                 lit(CLEN, str(len(body)).encode())) +
           frame(DATA, 0x08, 1, b'\x05' + body[:500] + b'\0' * 5) +
           frame(WINDOW, 0, 1, b'\x00\x00\x10\x00') +
           frame(DATA, 0x01, 1, body[500:]))
    # A second request and response: the dynamic table entry of the
    # first response (content-type: text/plain, 62) is used.
    c.send(0, frame(HEADERS, 0x05, 3, req(b'/second')))
    c.send(1, frame(HEADERS, 0x04, 3, bytes([S200, 0xbe])) +
           frame(DATA, 0x01, 3, b'second body\n') +
           frame(GOAWAY, 0, 0, b'\x00\x00\x00\x03\x00\x00\x00\x00bye'))
    c.out('h2')


def gap():
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    for i, p in enumerate([b'/one', b'/three', b'/five', b'/seven',
                           b'/nine']):
        c.send(0, frame(HEADERS, 0x05, 2 * (2 * i) + 1, req(p)))
    c.send(1, frame(SETTINGS, 0, 0, b'') +
           frame(HEADERS, 0x04, 1, bytes([S200]) +
                 lit(CTYPE, b'text/plain', True)) +
           frame(DATA, 0x01, 1, b'one\n' * 25) +
           frame(HEADERS, 0x04, 5, bytes([S200, 0xbe])))
    # Stream 5's body: a gap inside the first DATA frame's payload.
    c.send(1, frame(DATA, 0, 5, b'B' * 200)[:9 + 50])
    c.gap(1, 30)
    c.send(1, b'B' * 120 + frame(DATA, 0x01, 5, b'b' * 100))
    # Stream 9: its HEADERS, and the start of its first DATA frame, in a
    # gap: the framing is lost, then found again at its second DATA.
    h9 = frame(HEADERS, 0x04, 9, bytes([S200, 0xbe]))
    c.gap(1, len(h9) + 9 + 10)
    c.send(1, b'C' * 290 + frame(DATA, 0x01, 9, b'c' * 100))
    # Stream 13 uses the lost table: not decoded; stream 17 does not.
    c.send(1, frame(HEADERS, 0x04, 13, bytes([S200, 0xbe])) +
           frame(DATA, 0x01, 13, b'D' * 50) +
           frame(HEADERS, 0x04, 17, bytes([S200]) +
                 lit(CTYPE, b'text/html')) +
           frame(DATA, 0x01, 17, b'<p>seventeen</p>\n'))
    c.out()


def streams(n):
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    buf = bytearray()
    for i in range(n):
        buf += frame(HEADERS, 0x05, 2 * i + 1, req(b'/s'))
        if len(buf) > 1 << 19:
            c.send(0, bytes(buf))
            buf = bytearray()
    c.send(0, bytes(buf))
    c.out()


def flood(n):
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    field = litn(b'a', b'b' * 10)
    buf = bytearray(frame(HEADERS, 0, 1, req(b'/flood')))
    for i in range(n):
        buf += frame(CONT, 0x04 if i == n - 1 else 0, 1, field)
        if len(buf) > 1 << 19:
            c.send(0, bytes(buf))
            buf = bytearray()
    c.send(0, bytes(buf))
    c.send(0, frame(HEADERS, 0x05, 3, req(b'/after')))
    c.out()


def bomb(n):
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    c.send(0, frame(HEADERS, 0x05, 1, req(b'/first') +
                    lit(16, b'x' * 4000, True)))
    blk = req(b'/bomb') + b'\xbe' * n
    buf = bytearray()
    step = 16384
    for i in range(0, len(blk), step):
        last = i + step >= len(blk)
        buf += frame(HEADERS if i == 0 else CONT,
                     (0x05 if last else 0x01) if i == 0 else
                     (0x04 if last else 0), 3, blk[i:i + step])
    c.send(0, bytes(buf))
    c.out()


def order():
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    for sid, p in ((1, b'/one'), (3, b'/three'), (5, b'/five')):
        c.send(0, frame(HEADERS, 0x05, sid, req(p)))
    one = b''.join(b'one %05d\n' % i for i in range(70))
    three = gzip.compress(b'three\n' * 50, mtime=0)
    c.send(1, frame(SETTINGS, 0, 0, b'') +
           frame(HEADERS, 0x04, 1, bytes([S200]) +
                 lit(CTYPE, b'text/plain')) +
           frame(HEADERS, 0x04, 3, bytes([S200]) + lit(CENC, b'gzip')) +
           frame(HEADERS, 0x04, 5, bytes([S200])))
    out = bytearray()
    for i in range(70):
        out += frame(DATA, 0x01 if i == 69 else 0, 1, one[10 * i:10 * i + 10])
        if i == 10:
            out += frame(DATA, 0, 3, three[:15])
        elif i == 20:
            out += frame(DATA, 0, 5, b'F' * 30)
        elif i == 30:
            out += frame(DATA, 0x01, 3, three[15:])
        elif i == 40:
            out += frame(RST, 0, 5, b'\x00\x00\x00\x08')
    c.send(1, bytes(out))
    c.out()


def cut():
    c = Conn()
    c.send(0, PREFACE + frame(SETTINGS, 0, 0, b''))
    for sid in (1, 3, 5, 7):
        c.send(0, frame(HEADERS, 0x05, sid, req(b'/s%d' % sid)))
    out = frame(SETTINGS, 0, 0, b'')
    for sid in (7, 3, 5, 1):
        out += frame(HEADERS, 0x04, sid, bytes([S200]))
    for sid in (7, 3, 5, 1):
        out += frame(DATA, 0, sid, b'%d' % sid * sid)
    c.send(1, out)
    c.out()


cmd = sys.argv[1]
if cmd in ('alpn', 'gap', 'order', 'cut'):
    globals()[cmd]()
else:
    globals()[cmd](int(sys.argv[2]))
