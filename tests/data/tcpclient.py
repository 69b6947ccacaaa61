#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP test client used by tests/data/mkcaptures.sh.

It records, as ground truth, every byte it sent and every byte it received on
each connection, and writes them to files named the way tcpflow 1.6.1 names
flow files (%A.%a-%B.%b, IPv4 octets zero-padded to 3 digits, ports %05d,
IPv6 in inet_ntop form, "cN" suffix for the Nth reuse of a 4-tuple).

Subcommands:
  mkdocroot DIR      write the served files (deterministic contents)
  get [options] CONN...
                     each CONN is one TCP connection: a comma-separated list
                     of paths requested on it, in order (keep-alive). The
                     last request of a connection says "Connection: close"
                     and the response is read to EOF, unless --rst.

Only talks to the address given with --host (the test namespace's loopback).
"""
import argparse
import hashlib
import os
import socket
import struct
import sys
import time


# ---------------------------------------------------------------- contents

def prng_bytes(name, n):
    """Non-repeating pseudo-random bytes: SHA-256 in counter mode.
    block i = sha256(b"tf-test-data:" + name + b":" + decimal(i))."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"tf-test-data:%s:%d" % (name.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def small_text():
    lines = [b"tf test file small.txt: plain text served by nginx.\n"]
    i = 1
    while sum(map(len, lines)) < 280:
        lines.append(b"line %02d: the quick brown fox jumps over the lazy dog\n" % i)
        i += 1
    return b"".join(lines)


DOCROOT_FILES = {
    "small.txt": small_text,
    "bin3000.bin": lambda: prng_bytes("bin3000.bin", 3000),
    "big.bin": lambda: prng_bytes("big.bin", 1000000),
}


def mkdocroot(d):
    os.makedirs(d, exist_ok=True)
    for name, fn in DOCROOT_FILES.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(fn())


# ---------------------------------------------------------------- naming

def fmt_addr(ip):
    if ":" in ip:
        return ip                      # getsockname gives inet_ntop form
    return ".".join("%03d" % int(o) for o in ip.split("."))


def flowname(src, sport, dst, dport, count):
    n = "%s.%05d-%s.%05d" % (fmt_addr(src), sport, fmt_addr(dst), dport)
    if count:
        n += "c%d" % count
    return n


# ---------------------------------------------------------------- client

class Conn:
    def __init__(self, host, port, bind_port):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        if bind_port:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for attempt in range(50):
                try:
                    self.s.bind((host, bind_port))
                    break
                except OSError:
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
        self.s.connect((host, port))
        self.local = self.s.getsockname()[:2]
        self.remote = self.s.getpeername()[:2]
        self.sent = bytearray()
        self.rcvd = bytearray()
        self.buf = bytearray()       # received, not yet consumed by parser

    def send(self, data):
        self.s.sendall(data)
        self.sent += data

    def _fill(self):
        d = self.s.recv(65536)
        if d:
            self.rcvd += d
            self.buf += d
        return d

    def read_response(self):
        """One HTTP response framed by Content-Length. Returns (status, body)."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise SystemExit("EOF inside response header")
        i = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:i]).decode("latin-1")
        del self.buf[:i]
        status = int(head.split(" ", 2)[1])
        clen = None
        for line in head.split("\r\n")[1:]:
            if line.lower().startswith("content-length:"):
                clen = int(line.split(":", 1)[1])
        if clen is None:
            raise SystemExit("response without Content-Length")
        while len(self.buf) < clen:
            if not self._fill():
                raise SystemExit("EOF inside response body")
        body = bytes(self.buf[:clen])
        del self.buf[:clen]
        return status, body

    def read_to_eof(self):
        while self._fill():
            pass
        if self.buf:
            raise SystemExit("%d unexpected bytes after response" % len(self.buf))


def request(host, port, path, close):
    hosthdr = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
    return ("GET %s HTTP/1.1\r\n"
            "Host: %s\r\n"
            "User-Agent: tf-testclient/1\r\n"
            "Accept: */*\r\n"
            "Connection: %s\r\n"
            "\r\n" % (path, hosthdr, "close" if close else "keep-alive")).encode()


def wait_for_file(path, timeout=60):
    t0 = time.time()
    while not os.path.exists(path):
        if time.time() - t0 > timeout:
            raise SystemExit("timed out waiting for " + path)
        time.sleep(0.05)


def cmd_get(a):
    os.makedirs(a.out, exist_ok=True)
    seen = {}                         # 4-tuple -> times used
    for spec in a.conns:
        paths = spec.split(",")
        c = Conn(a.host, a.port, a.bind_port)
        for n, path in enumerate(paths):
            last = n == len(paths) - 1
            if a.pause_after and n == a.pause_after:
                # Everything before this point is not in the capture: let
                # delayed ACKs go out, tell the script, wait for tcpdump.
                time.sleep(1.0)
                pre_sent, pre_rcvd = len(c.sent), len(c.rcvd)
                c.sent.clear()
                c.rcvd.clear()
                open(a.ready_file, "w").close()
                wait_for_file(a.go_file)
                print("pause: sent %d bytes, received %d bytes" % (pre_sent, pre_rcvd),
                      file=sys.stderr)
            c.send(request(a.host, a.port, path, close=last and not a.rst))
            status, body = c.read_response()
            if a.docroot and status == 200:
                want = open(os.path.join(a.docroot, path.lstrip("/")), "rb").read()
                if body != want:
                    raise SystemExit("body of %s differs from docroot file" % path)
            print("%s %s -> %d, %d body bytes" % (c.local, path, status, len(body)),
                  file=sys.stderr)
        if a.rst:
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.s.close()
        else:
            c.read_to_eof()
            c.s.close()
        key = (c.local, c.remote)
        k = seen.get(key, 0)
        seen[key] = k + 1
        (la, lp), (ra, rp) = c.local, c.remote
        for name, data in ((flowname(la, lp, ra, rp, k), c.sent),
                           (flowname(ra, rp, la, lp, k), c.rcvd)):
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(data)
            print("wrote %s (%d bytes)" % (name, len(data)), file=sys.stderr)
        if a.gap:
            time.sleep(a.gap)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mkdocroot")
    m.add_argument("dir")
    g = sub.add_parser("get")
    g.add_argument("--host", default="127.0.0.1")
    g.add_argument("--port", type=int, default=8080)
    g.add_argument("--out", required=True, help="directory for ground-truth files")
    g.add_argument("--docroot", help="check 200 bodies against these files")
    g.add_argument("--bind-port", type=int, default=0,
                   help="bind this local port (SO_REUSEADDR) for every connection")
    g.add_argument("--gap", type=float, default=0.3,
                   help="seconds to wait between connections")
    g.add_argument("--rst", action="store_true",
                   help="abort each connection with RST (SO_LINGER {1,0}) after "
                        "its last response instead of Connection: close")
    g.add_argument("--pause-after", type=int, default=0,
                   help="after this many requests, pause: create --ready-file, "
                        "wait for --go-file; only bytes after the pause are recorded")
    g.add_argument("--ready-file")
    g.add_argument("--go-file")
    g.add_argument("conns", nargs="+")
    a = p.parse_args()
    if a.cmd == "mkdocroot":
        mkdocroot(a.dir)
    else:
        if a.pause_after and not (a.ready_file and a.go_file):
            p.error("--pause-after needs --ready-file and --go-file")
        cmd_get(a)


if __name__ == "__main__":
    main()
