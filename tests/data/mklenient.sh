#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mklenient.sh — regenerate tests/data/http/lenient.pcap and the bodies
# served in it (tests/data/http/lenient.served/), for tests/http-lenient.bats.
#
# Run as root on Linux:   sudo tests/data/mklenient.sh
# Needs: iproute2, tcpdump, python3.
#
# All traffic stays on the loopback of a network namespace made here. The
# server and the clients are tests/data/lenient.py (see its header): first
# one keep-alive connection that the capture joins inside a binary response
# body (tcpdump starts while the server pauses in the middle of it), then
# the odd request lines, one connection each. Processes started here are
# stopped by their PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/http
PY=${PYTHON:-/usr/bin/python3}
NS=tflenient$$
PORT=8080
PIDS=()

die() { echo "mklenient: $*" >&2; exit 1; }
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

rm -rf "$OUT/lenient.served" "$OUT/lenient.pcap"
ip netns exec "$NS" "$PY" "$HERE/lenient.py" server "$PORT" \
    "$OUT/lenient.served" >"$OUT/.server.log" &
PIDS+=($!)
for i in $(seq 100); do
	grep -q listening "$OUT/.server.log" 2>/dev/null && break
	sleep 0.05
done
# The midstream client: the server pauses 3 s inside the blob's body.
ip netns exec "$NS" "$PY" "$HERE/lenient.py" midstream "$PORT" &
MIDPID=$!
PIDS+=($MIDPID)
sleep 0.5
# -w - into a file we open: tcpdump drops its privileges before it opens
# one itself.  libpcap hands packets over a ring block at a time or after a
# 1 s timeout: wait well past it before stopping tcpdump.
ip netns exec "$NS" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT" \
    >"$OUT/lenient.pcap" 2>"$OUT/.tcpdump.log" &
CAPPID=$!
PIDS+=($CAPPID)
for i in $(seq 100); do
	grep -q listening "$OUT/.tcpdump.log" 2>/dev/null && break
	sleep 0.05
done
wait "$MIDPID"
ip netns exec "$NS" "$PY" "$HERE/lenient.py" odd "$PORT"
sleep 2.5
kill -INT "$CAPPID"
wait "$CAPPID" || true
cleanup
PIDS=()
cat "$OUT/.tcpdump.log" >&2
rm -f "$OUT/.tcpdump.log" "$OUT/.server.log"
ls -l "$OUT/lenient.pcap" "$OUT/lenient.served"
