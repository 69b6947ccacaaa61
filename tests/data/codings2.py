#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP/1.1 server for tests/data/mkcodings2.sh: transfer codings, decoding
failures and header blocks, each sent with the exact bytes the case needs.

  codings2.py server PORT EXPECTED_DIR TRUTH_DIR    serve until killed

One request per connection (curl as the client, one local port per case,
so that the names are fixed); every response ends with the connection.
The cases, by path:

  /te-gzip-chunked     Transfer-Encoding: gzip, chunked
  /te-gzip-chunked-br  Transfer-Encoding: gzip, chunked + Content-Encoding: br
  /te-deflate          Transfer-Encoding: deflate (zlib), to the close
  /te-zstd-chunked     Transfer-Encoding: zstd, chunked
  /corrupt-gzip        Content-Encoding: gzip, Content-Length; after a full
                       flush the next deflate block has the invalid type 3
  /truncated-br        Content-Encoding: br, Content-Length: the brotli
                       stream cut at two thirds

EXPECTED_DIR gets what tf-http -A must write, named as it names them: each
header block as sent or received (<flow>-HTTP-001, byte for byte) and, for
the cases that decode, the plaintext (<flow>-HTTPBODY-001.ext).  TRUTH_DIR
gets <flow>.coded, the body as sent (de-chunked), for every case, and for
the two failures <flow>.plain (the plaintext encoded) and <flow>.bad (the
offset in the body as sent of the first byte that cannot be decoded: the
bad block header, or the end of the cut stream), and for the corrupt gzip
<flow>.good (the plaintext before the bad block).
"""
import gzip
import hashlib
import os
import socket
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpserver import brotli, chunked, zstd  # noqa: E402


def plaintext(name, lines):
    """Text that compresses about 2 to 1: numbered lines and a digest."""
    return "".join("%s %05d %s\n" % (name, i,
                                     hashlib.sha256(b"%d" % i).hexdigest())
                   for i in range(lines)).encode()


def corrupt_gzip(plain, cut):
    """gzip of plain whose deflate block after byte cut of plain has the
    invalid block type 3: returns (coded, offset of that block)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = c.compress(plain[:cut]) + c.flush(zlib.Z_FULL_FLUSH)
    rest = c.compress(plain[cut:]) + c.flush()
    return head + bytes([rest[0] | 0x06]) + rest[1:], len(head)


CASES = {
    "/te-gzip-chunked": ("text/plain", ".txt"),
    "/te-gzip-chunked-br": ("application/json", ".json"),
    "/te-deflate": ("text/html", ".html"),
    "/te-zstd-chunked": ("text/css", ".css"),
    "/corrupt-gzip": ("text/plain", ".txt"),
    "/truncated-br": ("text/plain", ".txt"),
}


def respond(path):
    """Returns (extra header lines, body as sent, plaintext, truth)."""
    plain = plaintext(path[1:], 300)
    if path == "/te-gzip-chunked":
        coded = gzip.compress(plain, mtime=0)
        return (b"Transfer-Encoding: gzip, chunked\r\n",
                chunked(coded, 1000), plain, {"coded": coded})
    if path == "/te-gzip-chunked-br":
        coded = gzip.compress(brotli(plain), mtime=0)
        return (b"Content-Encoding: br\r\n"
                b"Transfer-Encoding: gzip, chunked\r\n",
                chunked(coded, 1000), plain, {"coded": coded})
    if path == "/te-deflate":
        coded = zlib.compress(plain, 9)
        return (b"Transfer-Encoding: deflate\r\n", coded, plain,
                {"coded": coded})
    if path == "/te-zstd-chunked":
        coded = zstd(plain)
        return (b"Transfer-Encoding: zstd, chunked\r\n",
                chunked(coded, 1000), plain, {"coded": coded})
    if path == "/corrupt-gzip":
        cut = len(plain) * 3 // 5
        coded, bad = corrupt_gzip(plain, cut)
        return (b"Content-Encoding: gzip\r\nContent-Length: %d\r\n"
                % len(coded), coded, plain,
                {"coded": coded, "bad": bad, "good": plain[:cut]})
    if path == "/truncated-br":
        coded = brotli(plain)
        coded = coded[:len(coded) * 2 // 3]
        return (b"Content-Encoding: br\r\nContent-Length: %d\r\n"
                % len(coded), coded, plain,
                {"coded": coded, "bad": len(coded)})
    raise KeyError(path)


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as o:
        o.write(data)


def serve(port, expected, truth):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        s, addr = ls.accept()
        srv = "127.000.000.001.%05d-127.000.000.001.%05d" % (port, addr[1])
        cli = "127.000.000.001.%05d-127.000.000.001.%05d" % (addr[1], port)
        f = s.makefile("rb")
        req = b""
        while True:
            line = f.readline()
            req += line
            if line in (b"\r\n", b"\n", b""):
                break
        path = req.split(b" ")[1].decode()
        ctype, ext = CASES[path]
        extra, body, plain, t = respond(path)
        head = (b"HTTP/1.1 200 OK\r\nServer: tf-codings2\r\n"
                b"Content-Type: %s\r\n" % ctype.encode() + extra +
                b"Connection: close\r\n\r\n")
        s.sendall(head + body)
        write(expected, cli + "-HTTP-001", req)
        write(expected, srv + "-HTTP-001", head)
        write(truth, srv + ".coded", t["coded"])
        if "bad" not in t:
            write(expected, srv + "-HTTPBODY-001" + ext, plain)
        else:
            write(truth, srv + ".plain", plain)
            write(truth, srv + ".bad", b"%d\n" % t["bad"])
            if "good" in t:
                write(truth, srv + ".good", t["good"])
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        f.close()
        s.close()


if __name__ == "__main__":
    serve(int(sys.argv[2]), sys.argv[3], sys.argv[4])
