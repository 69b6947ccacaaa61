#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Cross-check a capture against its ground truth with tshark (a reference,
not the truth).

  verifycap.py CAPTURE EXPECTED_DIR

Reassembles every TCP stream with `tshark -z follow,tcp,raw,N`, names each
non-empty direction the way tcpflow 1.6.1 does (cN suffix for the Nth reuse
of a 4-tuple, in stream order), and compares names and bytes with the files
in EXPECTED_DIR. Also prints the capture's type, encapsulation and packet
count, tshark's tcp.analysis counts, and its own count of segments that fill
a hole (out of order in the capture) or repeat bytes already captured
(duplicates). Exit status 1 if anything differs.
"""
import argparse
import os
import re
import struct
import subprocess
import sys


def fmt_addr(ip):
    ip = ip.strip("[]")
    if ":" in ip:
        return ip
    return ".".join("%03d" % int(o) for o in ip.split("."))


def split_ep(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def tshark(*args):
    return subprocess.run(["tshark", "-n", *args], check=True, capture_output=True,
                          text=True).stdout


def follow_all(cap):
    idx = sorted({int(x) for x in tshark("-r", cap, "-T", "fields", "-e", "tcp.stream").split()})
    zs = []
    for i in idx:
        zs += ["-z", "follow,tcp,raw,%d" % i]
    out = tshark("-r", cap, "-q", *zs) if zs else ""
    streams = {}
    for block in out.split("=" * 67):
        m = re.search(r"Filter: tcp.stream eq (\d+)", block)
        if not m:
            continue
        n0 = re.search(r"Node 0: (\S+)", block).group(1)
        n1 = re.search(r"Node 1: (\S+)", block).group(1)
        d = {0: bytearray(), 1: bytearray()}
        for line in block.splitlines():
            if re.fullmatch(r"\t?[0-9a-f]+", line):
                d[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
        streams[int(m.group(1))] = (split_ep(n0), split_ep(n1), d)
    return streams


def flows(cap):
    res = {}
    used = {}
    for i in sorted(streams := follow_all(cap)):
        e0, e1, d = streams[i]
        key = tuple(sorted([e0, e1]))
        k = used.get(key, 0)
        used[key] = k + 1
        for (a, b, data) in ((e0, e1, d[0]), (e1, e0, d[1])):
            if not data:
                continue
            name = "%s.%05d-%s.%05d" % (fmt_addr(a[0]), a[1], fmt_addr(b[0]), b[1])
            if k:
                name += "c%d" % k
            res[name] = bytes(data)
    return res


def seg_analysis(cap):
    """Count, per direction, segments that fill a hole / are duplicates."""
    out = tshark("-r", cap, "-o", "tcp.relative_sequence_numbers:TRUE", "-T", "fields",
                 "-E", "separator=/t", "-e", "tcp.stream", "-e", "tcp.srcport",
                 "-e", "tcp.seq", "-e", "tcp.len")
    state = {}
    fill = dup = 0
    for line in out.splitlines():
        s, sp, seq, ln = line.split("\t")
        seq, ln = int(seq), int(ln)
        if ln == 0:
            continue
        st = state.setdefault((s, sp), {"max": None, "have": []})
        end = seq + ln
        if st["max"] is not None and seq < st["max"]:
            covered = sum(max(0, min(end, e) - max(seq, b)) for b, e in st["have"])
            if covered >= ln:
                dup += 1
            else:
                fill += 1
        st["have"].append((seq, end))
        st["max"] = end if st["max"] is None else max(st["max"], end)
    return fill, dup


def linktype(cap):
    """DLT of a pcap file, or of the first interface of a pcapng file."""
    with open(cap, "rb") as f:
        h = f.read(65536)
    magic = h[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", h[20:24])[0]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", h[20:24])[0]
    if magic == b"\x0a\x0d\x0d\x0a":
        e = "<" if h[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off = 0
        while off + 12 <= len(h):
            btype, blen = struct.unpack(e + "II", h[off:off + 8])
            if btype == 1:
                return struct.unpack(e + "H", h[off + 8:off + 10])[0]
            off += blen
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("expected_dir")
    ap.add_argument("--server-port", type=int, default=8080)
    a = ap.parse_args()
    cap, exp = a.capture, a.expected_dir
    info = subprocess.run(["capinfos", "-t", "-E", "-c", cap], capture_output=True,
                          text=True).stdout
    ftype = re.search(r"File type:\s+(.*)", info).group(1).strip()
    encap = re.search(r"File encapsulation:\s+(.*)", info).group(1).strip()
    npk = re.search(r"Number of packets:\s+(\S+)", info).group(1)
    counts = {}
    for f in ("retransmission", "fast_retransmission", "spurious_retransmission",
              "out_of_order", "lost_segment"):
        counts[f] = len(tshark("-r", cap, "-Y", "tcp.analysis." + f).splitlines())
    fill, dup = seg_analysis(cap)

    got = flows(cap)
    want = {}
    for n in sorted(os.listdir(exp)):
        with open(os.path.join(exp, n), "rb") as f:
            data = f.read()
        if data:
            want[n] = data
    problems = []
    for n in sorted(set(got) | set(want)):
        if n not in got:
            problems.append("missing in tshark's output: %s" % n)
        elif n not in want:
            problems.append("tshark has an extra flow: %s (%d bytes)" % (n, len(got[n])))
        elif got[n] != want[n]:
            problems.append("%s differs (tshark %d bytes, expected %d)"
                            % (n, len(got[n]), len(want[n])))
    sp = ".%05d" % a.server_port
    conns = []
    for n in want:
        m = re.fullmatch(r"(.+\.\d{5})-(.+\.(\d{5}))(c\d+)?", n)
        if m and int(m.group(3)) == a.server_port:
            conns.append((int((m.group(4) or "c0")[1:]), n))
    print("  file type: %s; link type: %s (DLT %s); %s packets"
          % (ftype, encap, linktype(cap), npk))
    print("  connections (client -> server): %s"
          % ", ".join(c for _, c in sorted(conns)))
    print("  expected files: %s" % ", ".join("%s (%d bytes)" % (n, len(d))
                                               for n, d in want.items()))
    print("  tshark follow,tcp,raw: %s" % ("same streams, same bytes" if not problems
                                           else "DISAGREES: " + "; ".join(problems)))
    print("  tshark tcp.analysis: %s; by sequence numbers: %d segment(s) filling a "
          "hole (data after them was captured first), %d segment(s) wholly duplicating "
          "captured bytes" % (", ".join("%s %d" % kv for kv in counts.items()), fill, dup))
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
