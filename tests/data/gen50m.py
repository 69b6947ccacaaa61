#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write the 50 MB body of tests/data/http/big50m.pcap.xz to stdout.

52428800 bytes of text lines, "NNNNNNNN <phrase>\n" (100 bytes each), the
line number in decimal and one of five phrases chosen by it: compressible,
yet a misplaced or lost byte shows. Used by tests/data/mknginx.sh (the file
nginx served) and by tests/tf-http.bats (the expected body).
"""
import sys

SIZE = 50 * 1024 * 1024
PHRASES = [
    b"the quick brown fox jumps over the lazy dog, tf-http big body test",
    b"pack my box with five dozen liquor jugs; sphinx of black quartz!",
    b"how vexingly quick daft zebras jump: waltz, bad nymph, for quick jigs",
    b"HTTP/1.1 200 OK is not a header here, just text inside a big body",
    b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def line(i):
    s = b"%08d %s" % (i, PHRASES[i % 5])
    return s[:99].ljust(99, b".") + b"\n"


def main():
    out = sys.stdout.buffer
    n = 0
    i = 0
    buf = []
    while n < SIZE:
        b = line(i)
        if n + len(b) > SIZE:
            b = b[:SIZE - n]
        buf.append(b)
        n += len(b)
        i += 1
        if len(buf) == 10000:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))


main()
