#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkh2.sh — regenerate tests/data/http/h2.pcap and tests/data/http/h2.expected/
# (tests/http2.bats): HTTP/2 over cleartext, real clients and servers.
#
# Run as root on Linux:   sudo tests/data/mkh2.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, curl, nghttp2-client,
# nghttp2-server, python3-h2.
#
# All traffic stays on the loopback of a network namespace made here (lo MTU
# 1500, gso_max_size 1500). nghttpd --no-tls (127.0.0.1:8080) serves DOCS,
# made here from a fixed seed, and pushes /style.css with /index.html;
# tests/data/h2server.py (127.0.0.1:8081) serves /gz gzip-coded, /reset
# (12000 bytes of a longer body, then RST_STREAM) and takes h2c upgrades
# (nghttpd does not). Clients, each from a
# fixed local port so that the body file names are fixed:
#   41200  curl --http2-prior-knowledge: GET /a.txt
#   41201  curl --http2: GET /b.txt from h2server.py, HTTP/1.1 Upgrade:
#          h2c, 101, then HTTP/2
#   41202  nghttp: /c1.bin /c2.bin /c3.bin on three concurrent streams
#          of one connection
#   41203  nghttp: GET /index.html, /style.css pushed
# (nghttp has no option for its local port: the namespace's ephemeral
# port range is made that one port.)
#   41204  curl --http2-prior-knowledge: GET /gz from h2server.py
#   41205  curl --http2-prior-knowledge: GET /reset from h2server.py
# The bodies served are copied to h2.expected/ under the names tf-http
# gives them (/gz decoded, /reset as far as it was sent, -PARTIAL).
# Every process started here is stopped by its PID; the namespace is
# deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkh2 http
ns_need ip ss tcpdump curl nghttp nghttpd "$PY"
ns_setup tfh2

D=$TMP/docs
mkdir -p "$D" "$TMP/got"
"$PY" - "$D" <<'PYEOF'
import random, sys
d = sys.argv[1]
r = random.Random(2)
words = ['stream', 'frame', 'header', 'window', 'settings', 'push',
         'continuation', 'priority', 'data', 'goaway', 'ping', 'reset']
def text(n):
    s = ''
    while len(s) < n:
        s += ' '.join(r.choice(words) for _ in range(12)) + '\n'
    return s[:n].encode()
files = {'a.txt': text(5000), 'b.txt': text(3000),
         'c1.bin': r.randbytes(8000), 'c2.bin': r.randbytes(8000),
         'c3.bin': r.randbytes(8000),
         'index.html': b'<html><head><link rel="stylesheet" '
                       b'href="/style.css"></head><body>\n' + text(1200)
                       + b'</body></html>\n',
         'style.css': b'body { color: #123; }\n' + b'/* ' + text(1800)
                      + b' */\n',
         'text.txt': text(30000), 'reset.bin': r.randbytes(40000)}
for k, v in files.items():
    open(d + '/' + k, 'wb').write(v)
PYEOF

rm -rf "$OUT/h2.expected" "$OUT/h2.pcap"
mkdir -p "$OUT/h2.expected"
cap_start "$OUT/h2.pcap" tcpdump -U -n -i lo -s 0 -w - \
    'tcp port 8080 or tcp port 8081'
ns_bg "$TMP/nghttpd.log" 1 nghttpd --no-tls -a 127.0.0.1 -d "$D" \
    -p /index.html=/style.css 8080
wait_port 8080 "$BGPID" 1 "$TMP/nghttpd.log"
ns_bg "$TMP/h2server.log" - "$PY" "$HERE/h2server.py" 8081 "$D"
wait_for "$TMP/h2server.log" listening "$BGPID"

U=http://127.0.0.1:8080
G=$TMP/got
nx timeout 20 curl -sS --http2-prior-knowledge --local-port 41200 \
    -o "$G/a.txt" $U/a.txt
nx timeout 20 curl -sS --http2 --local-port 41201 -o "$G/b.txt" \
    http://127.0.0.1:8081/b.txt
nx sysctl -q -w net.ipv4.ip_local_port_range="41202 41202"
nx timeout 20 nghttp -n -s $U/c1.bin $U/c2.bin $U/c3.bin >"$G/c.stat"
nx sysctl -q -w net.ipv4.ip_local_port_range="41203 41203"
nx timeout 20 nghttp -n -s $U/index.html >"$G/push.stat"
nx timeout 20 curl -sS --http2-prior-knowledge --local-port 41204 \
    -o "$G/gz" http://127.0.0.1:8081/gz
nx timeout 20 curl -sS --http2-prior-knowledge --local-port 41205 \
    -o "$G/reset" http://127.0.0.1:8081/reset 2>/dev/null || true
cap_stop

# What the clients got is what the servers sent.
for f in a.txt b.txt; do cmp "$G/$f" "$D/$f"; done
[ "$(grep -c ' 200 .*/c[123].bin$' "$G/c.stat")" = 3 ] || die "c1-c3 not all fetched"
cmp "$G/gz" "$D/gz.sent"
grep -q '/style.css' "$G/push.stat"

F=127.000.000.001.08080-127.000.000.001
H=127.000.000.001.08081-127.000.000.001
E=$OUT/h2.expected
cp "$D/a.txt" "$E/$F.41200-HTTPBODY-001.txt"
cp "$D/b.txt" "$E/$H.41201-HTTPBODY-002.txt"
cp "$D/text.txt" "$E/$H.41204-HTTPBODY-001.txt"
cp "$D/reset.sent" "$E/$H.41205-HTTPBODY-001-PARTIAL"
# Concurrent streams: numbered as their responses ended (END_STREAM); in
# this capture their HEADERS came in that order too.
cp "$D/c1.bin" "$E/$F.41202-HTTPBODY-001"
cp "$D/c2.bin" "$E/$F.41202-HTTPBODY-002"
cp "$D/c3.bin" "$E/$F.41202-HTTPBODY-003"
cp "$D/index.html" "$E/$F.41203-HTTPBODY-001.html"
cp "$D/style.css" "$E/$F.41203-HTTPBODY-002.css"
cat "$TMP/cap.err" >&2
ls -l "$OUT/h2.pcap" "$E"
