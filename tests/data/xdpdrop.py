#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drop every Nth full-size IPv4 TCP segment from a given source port, on
ingress of the loopback device, with a generic-mode (skb) XDP program.

Used by tests/data/mkcaptures.sh to make a capture with real out-of-order
data. Why not nftables: a drop in the OUTPUT (or POSTROUTING) hook is
reported back to the sending TCP as a local error, so TCP keeps the segment
as unsent and sends it again in order: the capture then shows no hole. Generic
XDP runs in netif_receive_skb *before* the packet taps (tcpdump on lo sees the
ingress copy), and the sender believes the segment left: the capture shows
the later segments first and the retransmission afterwards.

No compiler needed: the program is a dozen hand-assembled eBPF instructions,
loaded with the bpf(2) syscall and attached with a bpf_link (BPF_XDP,
XDP_FLAGS_SKB_MODE), which goes away when this process exits.

  xdpdrop.py [--dev lo] [--sport 8080] [--every 50] [--phase 25] [--minlen 1000]

Prints "attached" on stdout when active; on SIGINT/SIGTERM prints
"matched N dropped M" and exits. Run it inside the test network namespace.
"""
import argparse
import ctypes
import os
import signal
import socket
import struct
import sys

SYS_bpf = 321                                   # x86_64
BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_PROG_LOAD, BPF_LINK_CREATE = 0, 1, 5, 28
BPF_MAP_TYPE_ARRAY = 2
BPF_PROG_TYPE_XDP = 6
BPF_XDP = 37
XDP_FLAGS_SKB_MODE = 2
XDP_DROP, XDP_PASS = 1, 2

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    r = libc.syscall(ctypes.c_long(SYS_bpf), ctypes.c_long(cmd), buf, ctypes.c_long(128))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "bpf(cmd=%d): %s" % (cmd, os.strerror(e)))
    return r, buf


def ins(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, dst | (src << 4), off, imm)


def program(map_fd, sport, every, phase, minlen):
    # Registers: r1 ctx, r2 data, r3 data_end. Labels resolved below.
    prog = []

    def emit(code, dst=0, src=0, off=0, imm=0, jmp=None):
        prog.append([code, dst, src, off, imm, jmp])

    emit(0x61, 2, 1, 0)                  # r2 = ctx->data
    emit(0x61, 3, 1, 4)                  # r3 = ctx->data_end
    emit(0xbf, 4, 2)                     # r4 = r2
    emit(0x07, 4, imm=38)                # r4 += 14 eth + 20 ip + 4 ports
    emit(0x2d, 4, 3, jmp="pass")         # if r4 > r3 goto pass
    emit(0x69, 4, 2, 12)                 # r4 = *(u16 *)(r2 + 12)  ethertype
    emit(0x55, 4, imm=0x0008, jmp="pass")  # != htons(0x0800)
    emit(0x71, 4, 2, 14)                 # r4 = version/ihl
    emit(0x55, 4, imm=0x45, jmp="pass")
    emit(0x71, 4, 2, 23)                 # r4 = protocol
    emit(0x55, 4, imm=6, jmp="pass")
    emit(0x69, 4, 2, 16)                 # r4 = tot_len (network order)
    emit(0xdc, 4, imm=16)                # r4 = be16 r4
    emit(0xa5, 4, imm=minlen, jmp="pass")  # if r4 < minlen goto pass
    emit(0x69, 4, 2, 34)                 # r4 = tcp source port
    emit(0x55, 4, imm=socket.htons(sport), jmp="pass")
    emit(0x62, 10, 0, -4, 0)             # *(u32 *)(r10 - 4) = 0  key
    emit(0x18, 1, 1, 0, map_fd)          # r1 = map (ld_imm64, pseudo map fd)
    emit(0x00)
    emit(0xbf, 2, 10)                    # r2 = r10
    emit(0x07, 2, imm=-4)                # r2 -= 4
    emit(0x85, imm=1)                    # call bpf_map_lookup_elem
    emit(0x15, 0, imm=0, jmp="pass")     # if r0 == 0 goto pass
    emit(0xb7, 1, imm=1)                 # r1 = 1
    emit(0xdb, 0, 1, 0, 0x01)            # r1 = atomic_fetch_add((u64 *)r0, r1)
    emit(0x97, 1, imm=every)             # r1 %= every
    emit(0x55, 1, imm=phase, jmp="pass")  # if r1 != phase goto pass
    emit(0xb7, 0, imm=XDP_DROP)
    emit(0x95)
    labels = {"pass": len(prog)}
    emit(0xb7, 0, imm=XDP_PASS)
    emit(0x95)
    out = b""
    for i, (code, dst, src, off, imm, jmp) in enumerate(prog):
        if jmp:
            off = labels[jmp] - (i + 1)
        out += ins(code, dst, src, off, imm)
    return out, len(prog)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dev", default="lo")
    p.add_argument("--sport", type=int, default=8080)
    p.add_argument("--every", type=int, default=50)
    p.add_argument("--phase", type=int, default=25)
    p.add_argument("--minlen", type=int, default=1000,
                   help="only IPv4 packets at least this long (full-size segments)")
    a = p.parse_args()

    map_fd, _ = bpf(BPF_MAP_CREATE, struct.pack("<IIIII", BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0))
    code, n = program(map_fd, a.sport, a.every, a.phase, a.minlen)
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack("<IIQQIIQII16sII", BPF_PROG_TYPE_XDP, n, ctypes.addressof(insns),
                       ctypes.addressof(lic), 1, len(log), ctypes.addressof(log), 0, 0,
                       b"tf_xdpdrop", 0, 0)
    try:
        prog_fd, _ = bpf(BPF_PROG_LOAD, attr)
    except OSError:
        sys.stderr.write(log.value.decode(errors="replace"))
        raise
    ifindex = socket.if_nametoindex(a.dev)
    link_fd, _ = bpf(BPF_LINK_CREATE, struct.pack("<IIII", prog_fd, ifindex, BPF_XDP,
                                                   XDP_FLAGS_SKB_MODE))

    def report(signum, frame):
        val = ctypes.create_string_buffer(8)
        key = ctypes.create_string_buffer(struct.pack("<I", 0), 4)
        bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("<IIQQ", map_fd, 0, ctypes.addressof(key),
                                             ctypes.addressof(val)))
        matched = struct.unpack("<Q", val.raw)[0]
        dropped = 0 if matched <= a.phase else (matched - a.phase - 1) // a.every + 1
        print("matched %d dropped %d" % (matched, dropped), flush=True)
        os.close(link_fd)
        sys.exit(0)

    signal.signal(signal.SIGINT, report)
    signal.signal(signal.SIGTERM, report)
    print("attached", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
