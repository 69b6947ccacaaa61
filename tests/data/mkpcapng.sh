#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkpcapng.sh — regenerate the real pcapng captures with interfaces of
# different link types in tests/data/pcapng/ (tests/pcapng.bats).
#
# Run as root on Linux:   sudo tests/data/mkpcapng.sh
# Needs (Debian packages): iproute2, tcpdump, tshark + wireshark-common
# (dumpcap, mergecap, capinfos), python3.
#
# All traffic stays inside a network namespace made here, on its loopback.
# Server: python3's http.server on 127.0.0.1:8080 serving the files of
# tcpclient.py mkdocroot.  Client: tcpclient.py, which writes every byte it
# sent and received per connection, the truth, in NAME.expected/, named
# as tcpflow 1.6.1 names flow files.
#
#   any-lo.pcapng  dumpcap -i any -y LINUX_SLL2 -i lo: two interfaces, Linux
#                  cooked v2 and Ethernet, each packet once on each, as
#                  dumpcap writes them (libpcap 1.10 refuses the file at its
#                  second interface block).
#   merged.pcapng  mergecap of a tcpdump -i lo capture (Ethernet) of one
#                  connection and a tcpdump -i any -y LINUX_SLL2 capture of
#                  the next: each connection on one interface.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/pcapng
PY=${PYTHON:-/usr/bin/python3}
NS=tfng$$

die() { echo "mkpcapng: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
for t in ip tcpdump dumpcap mergecap capinfos "$PY"; do
	command -v "$t" >/dev/null || die "missing $t"
done

TMP=$(mktemp -d /tmp/tfng.XXXXXX)
chmod 755 "$TMP"
PIDS=()
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

nx() { ip netns exec "$NS" "$@"; }
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}
wait_for() {                          # FILE REGEX PID: until FILE matches
	local i
	for i in $(seq 200); do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { cat "$1" >&2; die "process $3 exited early"; }
		sleep 0.05
	done
	cat "$1" >&2
	die "timed out waiting for /$2/ in $1"
}

ip netns add "$NS"
nx ip link set lo mtu 1500
nx ip link set lo gso_max_size 1500
nx ip link set lo up

mkdir -p "$TMP/docroot"
"$PY" "$HERE/tcpclient.py" mkdocroot "$TMP/docroot"
ip netns exec "$NS" "$PY" -m http.server --bind 127.0.0.1 \
    --directory "$TMP/docroot" 8080 >"$TMP/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for i in $(seq 100); do
	[ "$(nx ss -Htln 'sport = :8080' | wc -l)" = 1 ] && break
	kill -0 "$SRV" 2>/dev/null || { cat "$TMP/server.log" >&2; die "server failed"; }
	sleep 0.05
done

CAPPID=
cap_start() {                         # OUTFILE COMMAND...: capture to OUTFILE
	local f=$1
	shift
	: >"$TMP/cap.err"
	ip netns exec "$NS" "$@" >"$f" 2>"$TMP/cap.err" &
	CAPPID=$!
	PIDS+=("$CAPPID")
	wait_for "$TMP/cap.err" 'listening on|Capturing on' "$CAPPID"
	sleep 0.5
}
cap_stop() {                          # past libpcap's 1 s ring block timeout
	sleep 2.5
	kill -INT "$CAPPID"
	wait "$CAPPID" || true
	forget "$CAPPID"
	sed 's/^/    /' "$TMP/cap.err"
}
client() {                            # EXPECTED_DIR PATH...: one connection each
	local out=$1
	shift
	nx "$PY" "$HERE/tcpclient.py" get --out "$out" --docroot "$TMP/docroot" \
	    --gap 0.3 "$@" 2>&1 | sed 's/^/    /'
}

rm -rf "$OUT"
mkdir -p "$OUT"

echo "any-lo.pcapng"
cap_start "$OUT/any-lo.pcapng" dumpcap -s 0 -f 'tcp port 8080' \
    -i any -y LINUX_SLL2 -i lo -w -
client "$OUT/any-lo.expected" /small.txt /bin3000.bin
cap_stop

echo "merged.pcapng"
cap_start "$TMP/lo.pcap" tcpdump -i lo -s 0 -U -w - 'tcp port 8080'
client "$TMP/merged.lo" /small.txt
cap_stop
cap_start "$TMP/any.pcap" tcpdump -i any -y LINUX_SLL2 -s 0 -U -w - \
    'tcp port 8080'
client "$TMP/merged.any" /bin3000.bin
cap_stop
mergecap -w "$OUT/merged.pcapng" "$TMP/lo.pcap" "$TMP/any.pcap"
mkdir -p "$OUT/merged.expected"
cp "$TMP"/merged.lo/* "$TMP"/merged.any/* "$OUT/merged.expected/"

for f in "$OUT"/*.pcapng; do
	capinfos -t -E -I "$f" | sed 's/^/    /'
done
