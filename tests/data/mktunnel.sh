#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mktunnel.sh — regenerate tests/data/http/tunnel.pcap and
# tests/data/http/tunnel.expected/ (tests/http-tunnel.bats).
#
# Run as root on Linux:   sudo tests/data/mktunnel.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, curl, openssl, python3.
#
# All traffic stays on the loopback of a network namespace made here (lo MTU
# 1500, gso_max_size 1500). tests/data/tunnel.py is the CONNECT proxy
# (127.0.0.1:3128), the HTTP server (127.0.0.1:8081, reached through the
# proxy, and 127.0.0.1:8090, reached directly) and the websocket client;
# openssl s_server -www (127.0.0.1:8443, reached through the proxy) serves
# TLS with the throwaway self-signed certificate tunnel-cert.pem and its
# key tunnel-key.pem, made here once and committed. The capture holds port
# 3128 and port 8090 only. Clients, each from a fixed local port so that
# the body file names are fixed:
#   41100  curl -p through the proxy: GET /inner.txt and /inner2.bin from
#          127.0.0.1:8081 in one tunnel
#   41101  curl -p -k through the proxy: GET https://127.0.0.1:8443/ (TLS)
#   41102  curl: GET /bighead (a 92 KB header block) and /small.txt from
#          127.0.0.1:8090 on one keep-alive connection
#   41103  tunnel.py wsclient: a websocket upgrade of /ws on 127.0.0.1:8090
# The server writes each body it sends; this script copies them to
# tunnel.expected/ under the names tf-http gives them. Every process
# started here is stopped by its PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mktunnel http
ns_need ip ss tcpdump curl openssl "$PY"
if [ ! -e "$OUT/tunnel-cert.pem" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 36500 \
	    -subj /CN=127.0.0.1 -keyout "$OUT/tunnel-key.pem" \
	    -out "$OUT/tunnel-cert.pem" 2>/dev/null
fi
ns_setup tftun

rm -rf "$OUT/tunnel.expected" "$OUT/tunnel.pcap"
mkdir -p "$OUT/tunnel.expected" "$TMP/served"
cap_start "$OUT/tunnel.pcap" tcpdump -U -n -i lo -s 0 -w - \
    'tcp port 3128 or tcp port 8090'
ns_bg "$TMP/proxy.log" - "$PY" "$HERE/tunnel.py" proxy 3128
wait_for "$TMP/proxy.log" listening "$BGPID"
ns_bg "$TMP/origin.log" - "$PY" "$HERE/tunnel.py" origin 8081,8090 "$TMP/served"
wait_for "$TMP/origin.log" listening "$BGPID"
ns_bg "$TMP/tls.log" 1 openssl s_server -quiet -www -accept 8443 \
    -cert "$OUT/tunnel-cert.pem" -key "$OUT/tunnel-key.pem"
wait_port 8443 "$BGPID" 1 "$TMP/tls.log"

P=http://127.0.0.1:3128
nx timeout 20 curl -sS -p -x $P --local-port 41100 -o "$TMP/c1" -o "$TMP/c2" \
    http://127.0.0.1:8081/inner.txt http://127.0.0.1:8081/inner2.bin
nx timeout 20 curl -sS -p -x $P --local-port 41101 -k -o "$TMP/tls.html" \
    https://127.0.0.1:8443/
nx timeout 20 curl -sS --local-port 41102 -o "$TMP/c3" -o "$TMP/c4" \
    http://127.0.0.1:8090/bighead http://127.0.0.1:8090/small.txt
nx timeout 20 "$PY" "$HERE/tunnel.py" wsclient 8090 41103 /ws >"$TMP/ws.out"
cap_stop

# What the clients got is what the server sent.
cmp "$TMP/c1" "$TMP/served/inner.txt"
cmp "$TMP/c2" "$TMP/served/inner2.bin"
cmp "$TMP/c3" "$TMP/served/bighead"
cmp "$TMP/c4" "$TMP/served/small.txt"
grep -q '^hello through a websocket, not HTTP$' "$TMP/ws.out"
grep -q 's_server' "$TMP/tls.html"

# Through the proxy, responses count from the CONNECT's (001).
A=127.000.000.001.03128-127.000.000.001.41100-HTTPBODY
B=127.000.000.001.08090-127.000.000.001.41102-HTTPBODY
cp "$TMP/served/inner.txt" "$OUT/tunnel.expected/$A-002.txt"
cp "$TMP/served/inner2.bin" "$OUT/tunnel.expected/$A-003"
cp "$TMP/served/bighead" "$OUT/tunnel.expected/$B-001.txt"
cp "$TMP/served/small.txt" "$OUT/tunnel.expected/$B-002.txt"
# The websocket text the client sent (its ws.out line) and the server
# echoed: one message each way (tests/websocket.bats reads them).
W=127.000.000.001
head -n 1 "$TMP/ws.out" | tr -d '\n' >"$OUT/tunnel.expected/$W.41103-$W.08090-WS-001.txt"
cp "$OUT/tunnel.expected/$W.41103-$W.08090-WS-001.txt" \
    "$OUT/tunnel.expected/$W.08090-$W.41103-WS-001.txt"
cat "$TMP/cap.err" >&2
ls -l "$OUT/tunnel.pcap" "$OUT/tunnel.expected"
