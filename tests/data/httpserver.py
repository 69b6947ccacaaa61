#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP/1.1 server and client for tests/data/mkhttp.sh: real captures of the
framings and content codings tf-http decodes, with the expected bodies.

  httpserver.py server PORT EXPECTED_DIR    serve until killed
  httpserver.py client PORT                 run the scenarios, then exit

The server speaks HTTP on plain sockets so that every byte is ours: raw and
zlib deflate, gzip (chunked), br, zstd, "gzip, br" stacked, HEAD, 204, 304,
100 Continue, a chunked upload with extensions and a trailer, a PUT, and an
HTTP/1.0 body delimited by the close.  br and zstd come from libbrotlienc and
libzstd through ctypes (Debian has no python3 modules for them).

For every message with a body, the server writes the decoded body to
EXPECTED_DIR under the name tf-http gives it (tcpflow's convention):
<flow>-HTTPBODY-NNN[.ext], NNN counting the messages of that direction.
Client ports are fixed (40001...) so that the names are too.
"""
import ctypes
import gzip
import os
import socket
import sys
import time
import zlib

def brotli(data):
    lib = ctypes.CDLL("libbrotlienc.so.1")
    out = ctypes.create_string_buffer(len(data) + 1024)
    n = ctypes.c_size_t(len(out))
    ok = lib.BrotliEncoderCompress(11, 22, 0, ctypes.c_size_t(len(data)),
                                   data, ctypes.byref(n), out)
    assert ok == 1
    return out.raw[:n.value]


def zstd(data):
    lib = ctypes.CDLL("libzstd.so.1")
    lib.ZSTD_compress.restype = ctypes.c_size_t
    out = ctypes.create_string_buffer(len(data) + 1024)
    n = lib.ZSTD_compress(out, ctypes.c_size_t(len(out)), data,
                          ctypes.c_size_t(len(data)), 19)
    assert n < len(out)
    return out.raw[:n]


def raw_deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def text(name, lines):
    return "".join("%s line %d: the quick brown fox jumps over the lazy dog\n"
                   % (name, i) for i in range(lines)).encode()


# path -> (content type, decoded body, content-encoding, coded body, chunked)
def routes():
    html = b"<!doctype html>\n<title>tf</title>\n" + text("html", 120)
    js = text("// js", 60)
    css = text("/* css */", 40)
    json = b'{"items": [' + b", ".join(b'"%d"' % i for i in range(400)) + b"]}\n"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + text("<!--", 30) + b"</svg>\n"
    xml = b"<?xml version='1.0'?>\n<a>" + text("x", 50) + b"</a>\n"
    plain = text("plain", 10)
    return {
        "/raw-deflate.html": ("text/html; charset=utf-8", html, "deflate",
                              raw_deflate(html), False),
        "/zlib-deflate.js": ("application/javascript", js, "deflate",
                             zlib.compress(js, 9), False),
        "/gzip-chunked.css": ("text/css", css, "gzip",
                              gzip.compress(css, mtime=0), True),
        "/br.json": ("application/json", json, "br", brotli(json), False),
        "/zstd.svg": ("image/svg+xml", svg, "zstd", zstd(svg), True),
        "/stacked.xml": ("application/xml", xml, "gzip, br",
                         brotli(gzip.compress(xml, mtime=0)), False),
        "/plain.txt": ("text/plain", plain, "", plain, False),
    }


def readreq(f):
    """Reads one request from file f: (method, path, headers, body)."""
    line = f.readline()
    if not line:
        return None
    method, path, _ = line.decode().split(" ", 2)
    hdrs = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode().split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    return method, path, hdrs


def readbody(f, hdrs):
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b""):
                    pass
                return body
            body += f.read(size)
            f.readline()
    n = int(hdrs.get("content-length", "0"))
    return f.read(n)


def chunked(data, size):
    out = b""
    for i in range(0, len(data), size):
        out += b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n"
    return out + b"0\r\n\r\n"


def ext(ctype):
    return {"text/html": ".html", "application/javascript": ".js",
            "text/css": ".css", "application/json": ".json",
            "image/svg+xml": ".svg", "application/xml": ".xml",
            "text/plain": ".txt"}.get(ctype.split(";")[0], "")


def serve(port, outdir):
    r = routes()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        s, addr = ls.accept()
        cport = addr[1]
        f = s.makefile("rb")
        srvname = "127.000.000.001.%05d-127.000.000.001.%05d" % (port, cport)
        cliname = "127.000.000.001.%05d-127.000.000.001.%05d" % (cport, port)
        nresp = nreq = 0

        def expect(name, n, e, body):
            if body:
                with open(os.path.join(outdir, "%s-HTTPBODY-%03d%s"
                                       % (name, n, e)), "wb") as o:
                    o.write(body)

        while True:
            req = readreq(f)
            if req is None:
                break
            method, path, hdrs = req
            nreq += 1
            if hdrs.get("expect", "").lower() == "100-continue":
                s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                nresp += 1
            body = readbody(f, hdrs)
            expect(cliname, nreq, ext(hdrs.get("content-type", "")), body)
            close = hdrs.get("connection", "").lower() == "close"
            conn = b"Connection: close\r\n" if close else b""
            nresp += 1
            if path == "/nocontent":
                s.sendall(b"HTTP/1.1 204 No Content\r\n" + conn + b"\r\n")
            elif path == "/notmodified":
                s.sendall(b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
                          b"Content-Length: 1234\r\n" + conn + b"\r\n")
            elif path == "/close":
                data = text("close", 30)
                s.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                          b"\r\n" + data)
                expect(srvname, nresp, ".txt", data)
                close = True
            elif method in ("POST", "PUT"):
                data = b"got %d bytes\n" % len(body)
                s.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: "
                          b"text/plain\r\nContent-Length: %d\r\n%s\r\n%s"
                          % (len(data), conn, data))
                expect(srvname, nresp, ".txt", data)
            else:
                ctype, plain, enc, coded, ch = r[path]
                h = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n" % ctype.encode()
                if enc:
                    h += b"Content-Encoding: %s\r\n" % enc.encode()
                if ch:
                    h += b"Transfer-Encoding: chunked\r\n" + conn + b"\r\n"
                    payload = chunked(coded, 700)
                else:
                    h += b"Content-Length: %d\r\n" % len(coded) + conn + b"\r\n"
                    payload = coded
                if method == "HEAD":
                    s.sendall(h)
                else:
                    s.sendall(h + payload)
                    expect(srvname, nresp, ext(ctype), plain)
            if close:
                break
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


def client(port):
    host = b"Host: 127.0.0.1:%d\r\n" % port
    # 1: every coding and the bodiless responses, pipelined in one write.
    s = connect(port, 40001)
    reqs = b""
    for m, p in [("GET", "/raw-deflate.html"), ("GET", "/zlib-deflate.js"),
                 ("HEAD", "/br.json"), ("GET", "/gzip-chunked.css"),
                 ("GET", "/nocontent"), ("GET", "/br.json"),
                 ("GET", "/notmodified"), ("GET", "/zstd.svg"),
                 ("GET", "/stacked.xml")]:
        reqs += b"%s %s HTTP/1.1\r\n%sAccept-Encoding: gzip, deflate, br, " \
                b"zstd\r\n\r\n" % (m.encode(), p.encode(), host)
    reqs += b"GET /plain.txt HTTP/1.1\r\n%sConnection: close\r\n\r\n" % host
    s.sendall(reqs)
    drain(s)
    # 2: a chunked upload after 100 Continue, then a PUT.
    s = connect(port, 40002)
    s.sendall(b"POST /upload HTTP/1.1\r\n" + host +
              b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(1024)
    up = b'{"upload": [' + b", ".join(b"%d" % i for i in range(300)) + b"]}\n"
    body = b""
    for i in range(0, len(up), 500):
        part = up[i:i + 500]
        body += b"%x;name=value\r\n" % len(part) + part + b"\r\n"
    s.sendall(body + b"0\r\nX-Trailer: yes\r\n\r\n")
    time.sleep(0.05)
    put = text("put", 20)
    s.sendall(b"PUT /file.txt HTTP/1.1\r\n" + host + b"Content-Type: "
              b"text/plain\r\nContent-Length: %d\r\nConnection: close\r\n"
              b"\r\n" % len(put) + put)
    drain(s)
    # 3: HTTP/1.0, the body ends with the connection.
    s = connect(port, 40003)
    s.sendall(b"GET /close HTTP/1.0\r\n" + host + b"\r\n")
    drain(s)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        client(int(sys.argv[2]))
