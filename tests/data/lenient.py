#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Server and client for tests/data/mklenient.sh: real captures of the HTTP
that tf-http reads leniently or finds again (issue 10, items 1, 2, 10).

  lenient.py server PORT SERVED_DIR   serve until killed
  lenient.py odd PORT                 the odd request lines, one per
                                      connection (client ports 41201...)
  lenient.py midstream PORT           one keep-alive connection (client port
                                      41200) whose capture starts inside a
                                      binary body; see mklenient.sh

Every byte on the wire is ours: the client sends the exact request bytes of
each case, the server answers each with the exact response bytes of its
case, chosen by the client's port.  The server writes every response body
it sends to SERVED_DIR/<case>.body (decoded, for a coded one): the truth the
tests compare tf-http's files with.
"""
import gzip
import hashlib
import os
import socket
import sys
import time


def prng(name, n):
    """Bytes of SHA-256 in counter mode: no repeats, every byte value."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"tf-lenient:%s:%d" % (name.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def text(name, lines):
    return "".join("%s line %d: the quick brown fox jumps over the lazy dog\n"
                   % (name, i) for i in range(lines)).encode()


def blob():
    # 200000 binary bytes; the last 4000 hold no LF, so the response that
    # follows is not at the start of a line.
    b = bytearray(prng("blob", 200000))
    for i in range(len(b) - 4000, len(b)):
        if b[i] == 0x0a:
            b[i] = 0x0b
    return bytes(b)


def resp(body, extra=b"", status=b"200 OK", version=b"HTTP/1.1"):
    return (version + b" " + status + b"\r\nContent-Length: %d\r\n" % len(body)
            + extra + b"\r\n" + body)


# Client port -> (case, request bytes, [(body name, body, response bytes)],
# close after).  The request bytes are what the client sends, whole; the
# server reads exactly that many bytes, then answers.
def odd_cases():
    c = {}
    b = text("options", 3)
    c[41201] = ("no-target", b"OPTIONS HTTP/1.1\r\nHost: x\r\n\r\n",
                [("no-target", b, resp(b, b"Allow: GET\r\n"))])
    b = text("cut", 4)
    c[41202] = ("cut-version", b"GET / HTTP/1.\nHost: x\n\n",
                [("cut-version", b, resp(b))])
    b = text("connect", 2)
    c[41203] = ("space-in-target",
                b"CONNECT mail.example:25 / HTTP/1.0\r\n\r\n",
                [("space-in-target", b, resp(b, status=b"403 Forbidden",
                                             version=b"HTTP/1.0"))])
    b = text("simple", 5)
    c[41204] = ("simple", b"GET /simple.txt\r\n", [("simple", b, b)])
    b = text("lowercase", 3)
    c[41205] = ("lowercase", b"GET /lower.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                [("lowercase", b, resp(b, version=b"http/1.1"))])
    c[41206] = ("switch", b"GET /chat HTTP/1.1\r\nHost: x\r\n"
                b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                [("switch", b"", b"HTTP/1.1 101 Switching Protocols\r\n"
                  b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                  b"\x81\x05hello")])
    b = text("after-head", 2)
    c[41207] = ("head", b"HEAD /h HTTP/1.\n\nGET /after HTTP/1.1\r\n"
                b"Host: x\r\n\r\n",
                [("head", b"", b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n"
                  b"\r\n"), ("after-head", b, resp(b))])
    b = text("utf8", 2)
    c[41208] = ("utf8", b"GET /d/\xc3\xa9t\xc3\xa9.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                [("utf8", b, resp(b, b"Content-Type: text/plain\r\n"))])
    # Strict: an HTTP/0.9 line needs a known method; its answer is then
    # no message either.
    c[41209] = ("strict", b"BREW /pot\r\n", [("strict", b"", b"I'm a teapot\n")])
    return c


def midstream_responses():
    g = text("gzip", 400)
    a = text("after", 20)
    return [
        ("blob", blob(), None),
        ("gzip", g, gzip.compress(g, mtime=0)),
        ("after", a, None),
    ]


def serve(port, outdir):
    os.makedirs(outdir, exist_ok=True)
    cases = odd_cases()
    for cname, req, answers, in [v for v in cases.values()]:
        for name, body, _ in answers:
            if body:
                with open(os.path.join(outdir, name + ".body"), "wb") as f:
                    f.write(body)
    for name, body, _ in midstream_responses()[1:]:
        with open(os.path.join(outdir, name + ".body"), "wb") as f:
            f.write(body)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        s, addr = ls.accept()
        if addr[1] == 41200:
            midstream_server(s)
            continue
        cname, req, answers = cases[addr[1]]
        got = b""
        while len(got) < len(req):
            d = s.recv(65536)
            if not d:
                break
            got += d
        assert got == req, (cname, got)
        s.sendall(b"".join(a[2] for a in answers))
        s.close()


def midstream_server(s):
    """Answers the three pipelined requests: the blob's first 120000
    bytes, a pause in which the capture starts, the rest of the blob and
    the gzip response in one write; then the last request."""
    f = s.makefile("rb")
    for _ in range(3):
        while f.readline() not in (b"\r\n", b""):
            pass
    r = midstream_responses()
    blobr = resp(r[0][1], b"Content-Type: application/octet-stream\r\n")
    gz = resp(r[1][2], b"Content-Type: text/plain\r\n"
              b"Content-Encoding: gzip\r\n")
    head = len(blobr) - len(r[0][1]) + 120000
    s.sendall(blobr[:head])
    time.sleep(3)
    s.sendall(blobr[head:] + gz + resp(b"", b"X-Empty: yes\r\n"))
    while f.readline() not in (b"\r\n", b""):
        pass
    s.sendall(resp(r[2][1], b"Content-Type: text/plain\r\n"
                   b"Connection: close\r\n"))
    f.close()
    s.close()


def connect(port, cport):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", cport))
    s.connect(("127.0.0.1", port))
    return s


def drain(s):
    while s.recv(65536):
        pass
    s.close()


def odd(port):
    for cport, (cname, req, answers) in sorted(odd_cases().items()):
        s = connect(port, cport)
        s.sendall(req)
        drain(s)
        time.sleep(0.05)


def readn(s, n):
    got = b""
    while len(got) < n:
        d = s.recv(n - len(got))
        if not d:
            raise EOFError
        got += d
    return got


def midstream(port):
    host = b"Host: 127.0.0.1:%d\r\n" % port
    s = connect(port, 41200)
    s.sendall(b"GET /blob.bin HTTP/1.1\r\n" + host + b"\r\n"
              b"GET /gzip.txt HTTP/1.1\r\n" + host +
              b"Accept-Encoding: gzip\r\n\r\n"
              b"GET /empty HTTP/1.1\r\n" + host + b"\r\n")
    r = midstream_responses()
    want = (len(resp(r[0][1], b"Content-Type: application/octet-stream\r\n"))
            + len(resp(r[1][2], b"Content-Type: text/plain\r\n"
                       b"Content-Encoding: gzip\r\n"))
            + len(resp(b"", b"X-Empty: yes\r\n")))
    readn(s, want)
    time.sleep(0.2)
    s.sendall(b"GET /after.txt HTTP/1.1\r\n" + host +
              b"Connection: close\r\n\r\n")
    drain(s)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "odd":
        odd(int(sys.argv[2]))
    else:
        midstream(int(sys.argv[2]))
