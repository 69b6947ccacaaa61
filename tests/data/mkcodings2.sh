#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkcodings2.sh — regenerate tests/data/http/codings2.pcap, the files tf-http
# -A must write from it (codings2.expected/) and the truth of its two
# decoding failures (codings2.truth/), for tests/http-codings2.bats.
#
# Run as root on Linux:   sudo tests/data/mkcodings2.sh
# Needs: iproute2, tcpdump, curl, python3, libbrotlienc and libzstd (Debian:
# libbrotli1, libzstd1).
#
# All traffic stays on the loopback of a network namespace made here.  The
# server is tests/data/codings2.py (see its header for the cases), which
# sends the exact bytes of each case and writes what it sent and received;
# the client is curl --raw, one connection per case from its own local port
# (42001...), so that the names are fixed.  Processes started here are
# stopped by their PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/http
PY=${PYTHON:-/usr/bin/python3}
NS=tfh10b$$
PORT=8080
PIDS=()

die() { echo "mkcodings2: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
for t in ip tcpdump curl "$PY"; do
	command -v "$t" >/dev/null || die "missing $t"
done
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link set lo mtu 1500
ip netns exec "$NS" ip link set lo gso_max_size 1500

rm -rf "$OUT/codings2.expected" "$OUT/codings2.truth" "$OUT/codings2.pcap"
mkdir -p "$OUT/codings2.expected" "$OUT/codings2.truth"
# -w - into a file we open: tcpdump drops its privileges before it opens
# one itself; wait well past libpcap's 1 s timeout before stopping it.
ip netns exec "$NS" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT" \
    >"$OUT/codings2.pcap" 2>"$OUT/.tcpdump.log" &
CAPPID=$!
PIDS+=($CAPPID)
ip netns exec "$NS" "$PY" "$HERE/codings2.py" server "$PORT" \
    "$OUT/codings2.expected" "$OUT/codings2.truth" >"$OUT/.server.log" &
PIDS+=($!)
for i in $(seq 100); do
	grep -q listening "$OUT/.server.log" 2>/dev/null &&
	    grep -q listening "$OUT/.tcpdump.log" 2>/dev/null && break
	sleep 0.05
done
sleep 0.5
cport=42001
for path in te-gzip-chunked te-gzip-chunked-br te-deflate te-zstd-chunked \
    corrupt-gzip truncated-br; do
	ip netns exec "$NS" curl --raw -sS -o /dev/null --local-port "$cport" \
	    "http://127.0.0.1:$PORT/$path"
	cport=$((cport + 1))
done
sleep 2.5
kill -INT "$CAPPID"
wait "$CAPPID" || true
cleanup
PIDS=()
cat "$OUT/.tcpdump.log" >&2
rm -f "$OUT/.tcpdump.log" "$OUT/.server.log"
ls -l "$OUT/codings2.pcap" "$OUT/codings2.expected" "$OUT/codings2.truth"
