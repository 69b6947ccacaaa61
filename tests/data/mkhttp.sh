#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkhttp.sh — regenerate tests/data/http/codings.pcap and its expected bodies.
#
# Run as root on Linux:   sudo tests/data/mkhttp.sh
# Needs: iproute2, tcpdump, python3, libbrotlienc and libzstd (Debian:
# libbrotli1, libzstd1).
#
# All traffic stays on the loopback of a network namespace made here. The
# server and the client are tests/data/httpserver.py (see its header for the
# scenarios). The server writes the decoded bodies it served, and the
# request bodies it received, into codings.expected/ under the names
# tf-http gives them. Processes started here are stopped by their PID; the
# namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/http
PY=${PYTHON:-/usr/bin/python3}
NS=tfhttp$$
PORT=8080
PIDS=()

die() { echo "mkhttp: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
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

rm -rf "$OUT/codings.expected" "$OUT/codings.pcap"
mkdir -p "$OUT/codings.expected"
# -w - into a file we open: tcpdump drops its privileges before it opens
# one itself.  libpcap hands packets over a ring block at a time or after a
# 1 s timeout: wait well past it before stopping tcpdump.
ip netns exec "$NS" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT" \
    >"$OUT/codings.pcap" 2>"$OUT/.tcpdump.log" &
CAPPID=$!
PIDS+=($CAPPID)
ip netns exec "$NS" "$PY" "$HERE/httpserver.py" server "$PORT" \
    "$OUT/codings.expected" >"$OUT/.server.log" &
PIDS+=($!)
for i in $(seq 100); do
	grep -q listening "$OUT/.server.log" 2>/dev/null &&
	    grep -q listening "$OUT/.tcpdump.log" 2>/dev/null && break
	sleep 0.05
done
sleep 0.5
ip netns exec "$NS" "$PY" "$HERE/httpserver.py" client "$PORT"
sleep 2.5
kill -INT "$CAPPID"
wait "$CAPPID" || true
cleanup
PIDS=()
cat "$OUT/.tcpdump.log" >&2
rm -f "$OUT/.tcpdump.log" "$OUT/.server.log"
ls -l "$OUT/codings.pcap" "$OUT/codings.expected"
