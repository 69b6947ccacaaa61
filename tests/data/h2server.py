#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# h2server.py — a small HTTP/2 server over cleartext (prior knowledge),
# for tests/data/mkh2.sh.  Python's h2 (Debian python3-h2).
#
#   h2server.py PORT DOCS
#
# A connection starts with the client preface (prior knowledge) or
# with an HTTP/1.1 request with "Upgrade: h2c" (answered 101, then as
# HTTP/2 stream 1).  Paths: /gz, DOCS/text.txt sent gzip-coded
# (Content-Encoding: gzip); /reset, the first 12000 bytes of
# DOCS/reset.bin sent with a Content-Length of the whole, then
# RST_STREAM (CANCEL); /NAME, the file DOCS/NAME; anything else, 404.  It writes DOCS/gz.sent (the coded bytes) and DOCS/reset.sent
# (the bytes sent).  Prints "listening" once it listens.
import gzip
import os
import socket
import sys

import h2.config
import h2.connection
import h2.events


def send(c, conn):
    data = conn.data_to_send()
    if data:
        c.sendall(data)


def data(c, conn, sid, body, end):
    step = conn.max_outbound_frame_size
    for i in range(0, len(body), step):
        conn.send_data(sid, body[i:i + step],
                       end_stream=end and i + step >= len(body))
        send(c, conn)


def handle(c, docs):
    cfg = h2.config.H2Configuration(client_side=False, header_encoding=None)
    conn = h2.connection.H2Connection(config=cfg)
    b = b''
    while len(b) < 4:
        m = c.recv(65536)
        if not m:
            return
        b += m
    if b.startswith(b'PRI '):
        conn.initiate_connection()
        send(c, conn)
    else:
        while b'\r\n\r\n' not in b:
            b += c.recv(65536)
        head, b = b.split(b'\r\n\r\n', 1)
        lines = head.split(b'\r\n')
        fields = dict(line.split(b': ', 1) for line in lines[1:])
        c.sendall(b'HTTP/1.1 101 Switching Protocols\r\n'
                  b'Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n')
        conn.initiate_upgrade_connection(fields[b'HTTP2-Settings'])
        send(c, conn)
        respond(c, conn, docs, 1, lines[0].split(b' ')[1])
    while True:
        if not b:
            b = c.recv(65536)
        if not b:
            break
        evs = conn.receive_data(b)
        b = b''
        for ev in evs:
            if isinstance(ev, h2.events.RequestReceived):
                respond(c, conn, docs, ev.stream_id,
                        dict(ev.headers)[b':path'])
        send(c, conn)
    c.close()


def respond(c, conn, docs, sid, path):
    if True:
        if True:
            if path == b'/gz':
                with open(docs + '/text.txt', 'rb') as f:
                    body = gzip.compress(f.read(), mtime=0)
                with open(docs + '/gz.sent', 'wb') as f:
                    f.write(body)
                conn.send_headers(sid, [(':status', '200'),
                                        ('content-type', 'text/plain'),
                                        ('content-encoding', 'gzip'),
                                        ('content-length', str(len(body)))])
                data(c, conn, sid, body, True)
            elif path == b'/reset':
                with open(docs + '/reset.bin', 'rb') as f:
                    whole = f.read()
                part = whole[:12000]
                with open(docs + '/reset.sent', 'wb') as f:
                    f.write(part)
                conn.send_headers(sid, [(':status', '200'),
                                        ('content-type',
                                         'application/octet-stream'),
                                        ('content-length', str(len(whole)))])
                data(c, conn, sid, part, False)
                conn.reset_stream(sid, error_code=8)
            elif os.path.isfile(docs + path.decode()):
                with open(docs + path.decode(), 'rb') as f:
                    body = f.read()
                conn.send_headers(sid, [(':status', '200'),
                                        ('content-type', 'text/plain'),
                                        ('content-length', str(len(body)))])
                data(c, conn, sid, body, True)
            else:
                conn.send_headers(sid, [(':status', '404'),
                                        ('content-length', '0')],
                                  end_stream=True)
            send(c, conn)


def main():
    port, docs = int(sys.argv[1]), sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(8)
    print('listening', flush=True)
    while True:
        c, _ = s.accept()
        try:
            handle(c, docs)
        except (ConnectionError, h2.exceptions.ProtocolError):
            c.close()


if __name__ == '__main__':
    main()
