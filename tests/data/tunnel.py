#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Endpoints for tests/data/mktunnel.sh: real captures of tunnels and of an
oversized header block, with the bytes served as the truth.

  tunnel.py proxy PORT                 a CONNECT proxy, until killed
  tunnel.py origin PORT[,PORT...] DIR  an HTTP server, until killed
  tunnel.py wsclient PORT LPORT PATH   a websocket client, one exchange

proxy answers CONNECT host:port with "200 Connection established" and relays
the bytes both ways until either side closes; anything else gets a 405.

origin serves, on every port given:
  /inner.txt   text/plain, Content-Length
  /inner2.bin  application/octet-stream, chunked
  /bighead     a 92 KB response header block (92 fields of 1000 bytes) whose
               Content-Length comes after its 64 KiB point, then text/plain
  /small.txt   text/plain, Content-Length, after /bighead on the same
               keep-alive connection
  /ws          a websocket upgrade (RFC 6455): 101, then it echoes one text
               frame and closes
and writes every body it sends to DIR/<path without the slash>.

wsclient connects from local port LPORT, upgrades PATH to a websocket, sends
one masked text frame, reads the echo, sends a close frame and reads the
server's, and writes the frames' payloads to stdout.
"""
import base64
import hashlib
import os
import socket
import sys
import threading

WSGUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def text(name, lines):
    return "".join("%s line %d: the quick brown fox jumps over the lazy dog\n"
                   % (name, i) for i in range(lines)).encode()


def counter(name, n):
    """n bytes of SHA-256 in counter mode, as tests/data/tcpclient.py."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"tf-test-data:%s:%d" % (name.encode(), i)).digest()
        i += 1
    return out[:n]


def readhead(f):
    """Reads a request head: (method, target, {lowercase name: value})."""
    line = f.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    hdrs = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode("latin-1").split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    return method, target, hdrs


def relay(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def proxy_conn(s):
    # Read a byte at a time: what follows the head is the tunnel's.
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        b = s.recv(1)
        if not b:
            s.close()
            return
        head += b
    method, target, _ = head.decode("latin-1").split(" ", 2)
    if method != "CONNECT":
        s.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
                  b"Connection: close\r\n\r\n")
        s.close()
        return
    host, port = target.rsplit(":", 1)
    try:
        u = socket.create_connection((host, int(port)))
    except OSError:
        s.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                  b"Connection: close\r\n\r\n")
        s.close()
        return
    s.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    t = threading.Thread(target=relay, args=(u, s))
    t.start()
    relay(s, u)
    t.join()
    s.close()
    u.close()


def listen(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    return ls


def proxy(port):
    ls = listen(port)
    print("listening", flush=True)
    while True:
        s, _ = ls.accept()
        threading.Thread(target=proxy_conn, args=(s,), daemon=True).start()


def wsframe(opcode, payload, mask=None):
    """One final frame (RFC 6455 5.2), payload < 126 bytes."""
    assert len(payload) < 126
    if mask is None:
        return bytes([0x80 | opcode, len(payload)]) + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def wsread(f):
    """Reads one frame of at most 125 bytes: (opcode, payload)."""
    b0, b1 = f.read(2)
    n = b1 & 0x7f
    mask = f.read(4) if b1 & 0x80 else None
    p = f.read(n)
    if mask:
        p = bytes(b ^ mask[i % 4] for i, b in enumerate(p))
    return b0 & 0x0f, p


def routes():
    return {
        "/inner.txt": ("text/plain", text("inner", 40), False),
        "/inner2.bin": ("application/octet-stream",
                        counter("inner2.bin", 5000), True),
        "/small.txt": ("text/plain", text("small", 8), False),
        "/bighead": ("text/plain", text("after the big header block", 30),
                     False),
    }


def chunked(data, size):
    out = b""
    for i in range(0, len(data), size):
        out += b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n"
    return out + b"0\r\n\r\n"


def origin_conn(s, outdir):
    f = s.makefile("rb")
    r = routes()
    while True:
        req = readhead(f)
        if req is None:
            break
        method, path, hdrs = req
        if path == "/ws":
            key = hdrs["sec-websocket-key"].encode()
            acc = base64.b64encode(hashlib.sha1(key + WSGUID).digest())
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                      b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: " + acc + b"\r\n\r\n")
            op, p = wsread(f)
            s.sendall(wsframe(op, p))
            op, p = wsread(f)
            s.sendall(wsframe(8, p))
            break
        ctype, body, chunk = r[path]
        with open(os.path.join(outdir, path[1:]), "wb") as o:
            o.write(body)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype.encode() + b"\r\n"
        if path == "/bighead":
            # 92 fields of 1000 bytes: Content-Length comes past 64 KiB.
            for i in range(92):
                v = (b"%04d-" % i) * 199
                head += b"X-Filler-%02d: " % i + v[:1000 - 14] + b"\r\n"
        if chunk:
            head += b"Transfer-Encoding: chunked\r\n\r\n"
            s.sendall(head + chunked(body, 1500))
        else:
            head += b"Content-Length: %d\r\n\r\n" % len(body)
            s.sendall(head + body)
    s.close()


def origin(ports, outdir):
    for p in ports:
        ls = listen(p)
        threading.Thread(target=serve_forever, args=(ls, outdir),
                         daemon=True).start()
    print("listening", flush=True)
    threading.Event().wait()


def serve_forever(ls, outdir):
    while True:
        s, _ = ls.accept()
        threading.Thread(target=origin_conn, args=(s, outdir),
                         daemon=True).start()


def wsclient(port, lport, path):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", lport))
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(b"tf-tunnel-test-k")
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
              b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: " % port + key +
              b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    f = s.makefile("rb")
    status = f.readline()
    assert status.startswith(b"HTTP/1.1 101 "), status
    while f.readline() not in (b"\r\n", b""):
        pass
    s.sendall(wsframe(1, b"hello through a websocket, not HTTP",
                      b"\x11\x22\x33\x44"))
    op, p = wsread(f)
    sys.stdout.buffer.write(p + b"\n")
    s.sendall(wsframe(8, b"\x03\xe8", b"\x55\x66\x77\x88"))
    op, p = wsread(f)
    s.close()


def main():
    if sys.argv[1] == "proxy":
        proxy(int(sys.argv[2]))
    elif sys.argv[1] == "origin":
        origin([int(p) for p in sys.argv[2].split(",")], sys.argv[3])
    elif sys.argv[1] == "wsclient":
        wsclient(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("usage: tunnel.py proxy|origin|wsclient ...")


if __name__ == "__main__":
    main()
