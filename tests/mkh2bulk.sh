#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkh2bulk.sh CAP BYTES — record an h2c bulk capture for make bench
# (tests/bench.sh, the h2 section): nghttp downloading 10 files of
# BYTES/10 random bytes each on 10 concurrent streams of one HTTP/2
# connection (prior knowledge), from nghttpd --no-tls, all on the loopback of
# a network namespace made here (deleted on exit; the processes started
# here stopped by their PID).  Writes CAP (pcap) and CAP.files/ (the
# files served).  As root; needs iproute2, tcpdump, nghttp2-client,
# nghttp2-server.
set -eu -o pipefail
[ $# -eq 2 ] || { echo "usage: mkh2bulk.sh CAP BYTES" >&2; exit 2; }
cap=$1 bytes=$2
NS=tfh2bulk$$
PIDS=()
die() { echo "mkh2bulk: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
for t in ip ss tcpdump nghttp nghttpd; do
	command -v "$t" >/dev/null || die "missing $t"
done
TMP=$(mktemp -d /tmp/tfh2bulk.XXXXXX)
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link set lo mtu 9000
D=$cap.files
rm -rf "$D"
mkdir -p "$D"
urls=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	head -c $((bytes / 10)) /dev/urandom >"$D/f$i.bin"
	urls+=("http://127.0.0.1:8080/f$i.bin")
done
ip netns exec "$NS" tcpdump -B 262144 -U -n -i lo -s 0 -w - 'tcp port 8080' \
    >"$cap" 2>"$TMP/tcpdump.log" &
PIDS+=($!)
ip netns exec "$NS" nghttpd --no-tls -a 127.0.0.1 -d "$D" 8080 \
    >"$TMP/nghttpd.log" 2>&1 &
PIDS+=($!)
for i in $(seq 100); do
	grep -q listening "$TMP/tcpdump.log" 2>/dev/null &&
	    ip netns exec "$NS" ss -ltn | grep -q '127.0.0.1:8080 ' && break
	sleep 0.05
done
sleep 0.3
ip netns exec "$NS" timeout 300 nghttp -n -s -w 24 -W 24 "${urls[@]}" \
    >"$TMP/stat"
sleep 1
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" || true
[ "$(grep -c ' 200 .*/f[0-9].bin$' "$TMP/stat")" = 10 ] ||
    die "not every file was fetched"
