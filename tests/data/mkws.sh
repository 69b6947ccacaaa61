#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkws.sh — regenerate tests/data/http/ws.pcap and tests/data/http/ws.expected/
# (tests/websocket.bats).
#
# Run as root on Linux:   sudo tests/data/mkws.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, python3, python3-websockets.
#
# All traffic stays on the loopback of a network namespace made here (lo MTU
# 1500, gso_max_size 1500). tests/data/wsendpoint.py is the WebSocket
# server (127.0.0.1:8765) and the client, run twice, each time from a fixed
# local port so that the message file names are fixed:
#   41200  with permessage-deflate (python3-websockets' default)
#   41201  without compression
# Each application saves every message it sent and received; this script
# checks that what one sent the other received, and copies what each sent
# to ws.expected/ under the names tf-http gives them. Every process
# started here is stopped by its PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkws http
ns_need ip tcpdump "$PY"
"$PY" -c 'import websockets' || die "missing python3-websockets"
ns_setup tfws

rm -rf "$OUT/ws.expected" "$OUT/ws.pcap"
mkdir -p "$OUT/ws.expected"
cap_start "$OUT/ws.pcap" tcpdump -U -n -i lo -s 0 -w - 'tcp port 8765'
mkdir -p "$TMP/server" "$TMP/client"
ns_bg "$TMP/server.log" - "$PY" "$HERE/wsendpoint.py" server 8765 "$TMP/server"
wait_for "$TMP/server.log" listening "$BGPID"
nx timeout 20 "$PY" "$HERE/wsendpoint.py" client 8765 41200 \
    "$TMP/client/41200" >"$TMP/c1.log"
nx timeout 20 "$PY" "$HERE/wsendpoint.py" client 8765 41201 \
    "$TMP/client/41201" nocompress >"$TMP/c2.log"
grep -q done "$TMP/c1.log"
grep -q done "$TMP/c2.log"
cap_stop

L=127.000.000.001
for s in 41200 41201; do
	C=$TMP/client/$s
	S=$TMP/server/$s
	n=0
	# What one application sent, the other received, message by message.
	for f in "$C"/client-sent-*; do
		k=${f##*/client-sent-}
		cmp "$f" "$S/server-recv-$k"
		n=$((n + 1))
		cp "$f" "$OUT/ws.expected/$L.$s-$L.08765-WS-$k"
	done
	for f in "$S"/server-sent-*; do
		k=${f##*/server-sent-}
		cmp "$f" "$C/client-recv-$k"
		cp "$f" "$OUT/ws.expected/$L.08765-$L.$s-WS-$k"
	done
	[ "$n" = 4 ] || die "session $s: $n messages from the client"
done
cat "$TMP/cap.err" >&2
ls -l "$OUT/ws.pcap" "$OUT/ws.expected"
