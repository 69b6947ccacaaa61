#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A seed for fuzz_tls (tests/fuzz/fuzz_tls.c): the key log KEYS, then
the DATA and GAP records of `tf-cat -j` on standard input, in order, a
step each (a new connection where the connection number changes).

usage: tf-cat -j <stream | python3 tlsseed.py KEYS >seed"""
import json
import struct
import sys

keys = open(sys.argv[1], "rb").read()[:65535] if len(sys.argv) > 1 else b""
out = bytearray(struct.pack(">H", len(keys)) + keys)
conn = None
for line in sys.stdin:
    r = json.loads(line)
    if r.get("kind") not in ("data", "gap"):
        continue
    new = conn is not None and r["conn"] != conn
    conn = r["conn"]
    op = (r["dir"] & 1) | (4 if new else 0)
    if r["kind"] == "gap":
        out += struct.pack(">BH", op | 2, min(r["len"], 65536) - 1)
        continue
    b = bytes.fromhex(r["data_hex"]) if "data_hex" in r else \
        r["data"].encode()
    for i in range(0, max(len(b), 1), 65535):
        out += struct.pack(">BH", op, len(b[i:i + 65535])) + b[i:i + 65535]
        op &= ~4
sys.stdout.buffer.write(out)
