#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""A WebSocket server and client (python3-websockets 10.4) for
tests/data/mkws.sh: the bytes of every message each application sent and
received, saved by the application itself, are the truth tf-http's
WebSocket messages are checked against.

  wsendpoint.py server PORT TOP      (saves into TOP/<client port>/)
  wsendpoint.py client PORT LPORT DIR [nocompress]

The server listens on 127.0.0.1:PORT; for each message it gets it answers
with one message, then, after the client's fourth message, sends a larger
text.  The client connects from local port LPORT (so that flow names are
fixed), with permessage-deflate (the default) or without (nocompress), and
sends: a text, a binary, a fragmented text with a ping between its
fragments (a control frame inside a fragmented message), a ping of its
own, a binary of 65536 bytes (a 64-bit length without compression; the
server answers a binary over 4096 bytes with its size), then closes
with 1000 "bye".  Each side saves DIR/<side>-sent-NNN and
DIR/<side>-recv-NNN, NNN from 001 in order, .txt or .bin, and prints
"listening" (server) or "done" (client).
"""
import asyncio
import os
import socket
import sys

import websockets


def save(d, side, kind, n, msg):
    ext = ".txt" if isinstance(msg, str) else ".bin"
    data = msg.encode() if isinstance(msg, str) else msg
    with open(os.path.join(d, "%s-%s-%03d%s" % (side, kind, n, ext)), "wb") as f:
        f.write(data)


def answer(msg):
    if isinstance(msg, str):
        return "echo: " + msg.upper()
    if len(msg) > 4096:
        return "got %d bytes" % len(msg)
    return bytes(reversed(msg))


async def server(port, top):

    async def handler(ws, path=None):
        nrecv = nsent = 0
        d = os.path.join(top, str(ws.remote_address[1]))
        os.makedirs(d, exist_ok=True)
        async for msg in ws:
            nrecv += 1
            save(d, "server", "recv", nrecv, msg)
            out = answer(msg)
            nsent += 1
            save(d, "server", "sent", nsent, out)
            await ws.send(out)
            if nrecv == 4:
                big = "".join("line %05d of a longer text\n" % i
                              for i in range(200))
                nsent += 1
                save(d, "server", "sent", nsent, big)
                await ws.send(big)

    async with websockets.serve(handler, "127.0.0.1", port,
                                ping_interval=None, max_size=None):
        print("listening", flush=True)
        await asyncio.Future()


async def client(port, lport, d, compress):
    os.makedirs(d, exist_ok=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", lport))
    s.connect(("127.0.0.1", port))
    ws = await websockets.connect(
        "ws://127.0.0.1:%d/chat" % port, sock=s, ping_interval=None,
        max_size=None, compression="deflate" if compress else None)
    nsent = nrecv = 0

    async def send(msg, whole):
        nonlocal nsent, nrecv
        nsent += 1
        save(d, "client", "sent", nsent, whole)
        await ws.send(msg)
        nrecv += 1
        save(d, "client", "recv", nrecv, await ws.recv())

    await send("hello websocket", "hello websocket")
    blob = bytes(range(256)) * 12 + b"\x00" * 1000
    await send(blob, blob)

    async def fragments():
        yield "first part, "
        # A ping between the fragments of a message.
        await ws.ping(b"between fragments")
        yield "second part, "
        yield "third part"

    await send(fragments(), "first part, second part, third part")
    pong = await ws.ping(b"ping 1")
    await pong
    # After the fourth message the server sends a longer text too.
    big = bytes((i * 7) & 0xff for i in range(65536))
    await send(big, big)
    nrecv += 1
    save(d, "client", "recv", nrecv, await ws.recv())
    await ws.close(1000, "bye")
    print("done", flush=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "server":
        asyncio.run(server(int(sys.argv[2]), sys.argv[3]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "client":
        asyncio.run(client(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
                           len(sys.argv) == 5))
    else:
        sys.exit("usage: wsendpoint.py server PORT DIR | "
                 "client PORT LPORT DIR [nocompress]")


if __name__ == "__main__":
    main()
