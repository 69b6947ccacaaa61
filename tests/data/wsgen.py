#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""wsgen.py CASE TRUTHDIR: writes on standard output the mkstream lines of
one connection, 10.0.0.1:5000 (the client, direction 0) to 10.0.0.2:80,
that upgrades to WebSocket and then carries the frames of CASE
(tests/websocket.bats), built here byte by byte; the payload of every
message it sends is written to TRUTHDIR/DIR-NNN (DIR c or s, NNN its
number in its direction), the truth the tests compare tf-http's files
with.  Cases:

  frag      a text in 4 masked frames with a ping, a pong and a ping
            between them; a server binary with a 64-bit length; an empty
            text; a close with a code and a reason
  gap       a client text in 3 frames with a gap inside the second's
            payload (partial, the next message found), then a gap where
            a frame header was due (the rest skipped)
  deflate   permessage-deflate with context takeover: the second message
            refers to the first; a gap inside the third; the fourth
            refers to what was lost, the fifth does not
  nct       server_no_context_takeover agreed, the server's second
            message refers to its first all the same
  ratio     a compressed message of 2 MiB of zeros
  len63     a frame length of 2^63
  huge      a frame length of 2^62, of which 3000 bytes come
  opcode    a reserved opcode (3)
  startgap  a gap right after the 101, before the server's first frame
"""
import os
import sys
import zlib

REQ = (b"GET /chat HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       b"Sec-WebSocket-Version: 13\r\n"
       b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
KEY = b"\x37\xfa\x21\x3d"


def resp(ext=None):
    r = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
         b"Connection: Upgrade\r\n"
         b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
    if ext:
        r += b"Sec-WebSocket-Extensions: " + ext + b"\r\n"
    return r + b"\r\n"


def frame(op, payload, fin=True, mask=None, rsv1=False, length=None,
          form=None):
    """A frame (RFC 6455 5.2); length overrides the payload's, form
    forces the 7, 16 or 64-bit length."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | op
    m = 0x80 if mask else 0
    if form is None:
        form = 7 if n < 126 else 16 if n < 65536 else 64
    if form == 7:
        h = bytes([b0, m | n])
    elif form == 16:
        h = bytes([b0, m | 126]) + n.to_bytes(2, "big")
    else:
        h = bytes([b0, m | 127]) + n.to_bytes(8, "big")
    if mask:
        h += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return h + payload


def deflate(c, data):
    """One message through compressor c (RFC 7692 7.2.1): the tail
    00 00 ff ff taken off."""
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


class Stream:
    def __init__(self, truth):
        self.off = [0, 0]
        self.ts = 1700000000
        self.lines = []
        self.truth = truth
        self.n = [0, 0]

    def data(self, d, b):
        self.ts += 1
        self.lines.append("data conn=1 dir=%d off=%d ts=%d hex=%s" %
                          (d, self.off[d], self.ts, b.hex()))
        self.off[d] += len(b)

    def gap(self, d, n):
        self.lines.append("gap conn=1 dir=%d off=%d len=%d" %
                          (d, self.off[d], n))
        self.off[d] += n

    def msg(self, d, payload):
        """Notes the payload of direction d's next message."""
        self.n[d] += 1
        with open(os.path.join(self.truth, "%s-%03d" % ("cs"[d], self.n[d])),
                  "wb") as f:
            f.write(payload)

    def out(self):
        print("header linktype=1 source=x.pcap")
        print("open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 "
              "dst=10.0.0.2 dport=80 flags=syn")
        for line in self.lines:
            print(line)
        print("close conn=1 cause=fin")
        print("end packets=1")


def main():
    case, truth = sys.argv[1], sys.argv[2]
    os.makedirs(truth, exist_ok=True)
    s = Stream(truth)
    s.data(0, REQ)
    if case in ("deflate", "ratio"):
        s.data(1, resp(b"permessage-deflate"))
    elif case == "nct":
        s.data(1, resp(b"permessage-deflate; server_no_context_takeover; "
                       b"client_max_window_bits=10"))
    else:
        s.data(1, resp())
    if case == "frag":
        s.msg(0, b"Hello, fragmented world")
        s.data(0, frame(1, b"Hello, ", fin=False, mask=KEY) +
               frame(9, b"ping in between", mask=KEY))
        s.data(0, frame(0, b"fragmented", fin=False, mask=KEY) +
               frame(10, b"", mask=KEY))
        s.data(0, frame(9, b"x", mask=KEY) +
               frame(0, b" world", fin=False, mask=KEY))
        s.data(0, frame(0, b"", mask=KEY))
        big = bytes((i * 13 + 1) & 0xff for i in range(70000))
        s.msg(1, big)
        s.data(1, frame(2, big, form=64))
        s.msg(1, b"")
        s.data(1, frame(1, b""))
        s.data(0, frame(8, b"\x03\xe9going away", mask=KEY))
        s.data(1, frame(8, b"\x03\xe8"))
    elif case == "gap":
        s.msg(0, b"AAAAAAAAAA" + b"BB")
        s.data(0, frame(1, b"AAAAAAAAAA", fin=False, mask=KEY))
        f2 = frame(0, b"BBBBBBBBBB", fin=False, mask=KEY)
        # Header (6) and 2 payload bytes, a gap of 5, the rest.
        s.data(0, f2[:8])
        s.gap(0, 5)
        s.data(0, f2[13:])
        s.data(0, frame(0, b"CCCCC", mask=KEY))
        s.msg(0, b"after the gap")
        s.data(0, frame(1, b"after the gap", mask=KEY))
        s.msg(0, b"cut")
        s.data(0, frame(1, b"cut", fin=False, mask=KEY))
        s.gap(0, 4)
        s.data(0, frame(0, b"lost", mask=KEY) + frame(1, b"lost", mask=KEY))
        s.msg(1, b"server side goes on")
        s.data(1, frame(1, b"server side goes on"))
    elif case == "deflate":
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        texts = [b"the quick brown fox jumps over the lazy dog " * 3,
                 b"the quick brown fox jumps over the lazy dog, again",
                 b"something else entirely, " * 4,
                 b"the quick brown fox jumps over the lazy dog, at last",
                 b"zyxwvutsrqponmlkjihgfedcba"]
        comp = [deflate(c, t) for t in texts]
        s.msg(1, texts[0])
        s.data(1, frame(1, comp[0], rsv1=True))
        s.msg(1, texts[1])
        s.data(1, frame(1, comp[1], rsv1=True))
        s.msg(1, texts[2][:0])
        f3 = frame(1, comp[2], rsv1=True)
        s.data(1, f3[:2])
        s.gap(1, len(f3) - 2 - 3)
        s.data(1, f3[-3:])
        s.msg(1, b"")
        s.data(1, frame(1, comp[3], rsv1=True))
        c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
        s.msg(1, texts[4])
        s.data(1, frame(1, deflate(c2, texts[4]), rsv1=True))
        # The client: not compressed, masked.
        s.msg(0, b"plain")
        s.data(0, frame(1, b"plain", mask=KEY))
    elif case == "nct":
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        t = b"repeat after me: the same words twice"
        s.msg(1, t)
        s.data(1, frame(1, deflate(c, t), rsv1=True))
        s.msg(1, b"")
        s.data(1, frame(1, deflate(c, t), rsv1=True))
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        s.msg(1, t)
        s.data(1, frame(1, deflate(c, t), rsv1=True))
    elif case == "ratio":
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        s.msg(1, b"")
        s.data(1, frame(2, deflate(c, b"\0" * (2 << 20)), rsv1=True))
        s.msg(1, b"still read")
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        s.data(1, frame(1, deflate(c, b"still read"), rsv1=True))
    elif case == "len63":
        s.msg(1, b"first")
        s.data(1, frame(1, b"first"))
        s.data(1, frame(2, b"", length=1 << 63, form=64) + b"x" * 100)
    elif case == "huge":
        s.msg(1, b"")
        s.data(1, frame(2, b"", length=1 << 62, form=64) +
               bytes(range(256)) * 11 + bytes(184))
    elif case == "opcode":
        s.msg(0, b"ok")
        s.data(0, frame(1, b"ok", mask=KEY))
        s.data(0, frame(3, b"what", mask=KEY) + frame(1, b"ok", mask=KEY))
    elif case == "startgap":
        s.gap(1, 7)
        s.data(1, frame(1, b"after the gap"))
        s.msg(0, b"client side")
        s.data(0, frame(1, b"client side", mask=KEY))
    else:
        sys.exit("wsgen.py: unknown case '%s'" % case)
    s.out()


if __name__ == "__main__":
    main()
