#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mknginx.sh — regenerate tests/data/http/nginx-gzip.pcap (+ .expected/) and
# tests/data/http/big50m.pcap.xz.
#
# Run as root on Linux:   sudo tests/data/mknginx.sh
# Needs (Debian packages): iproute2, tcpdump, nginx, curl, python3, xz-utils.
#
# All traffic stays inside a network namespace made here, on its loopback
# (lo MTU 1500, gso_max_size 1500, as in mkcaptures.sh). Server: nginx (config
# in a temp dir) on 127.0.0.1:8080. Client: curl, with a fixed local port so
# the body file names are fixed. Every process started here is stopped by its
# PID; the namespace and the temp dir are removed on exit.
#
# nginx-gzip.pcap: one keep-alive connection from 127.0.0.1:41000, one curl
#   --compressed run: page.html (~30 KB), data.json, style.css (gzip on:
#   Content-Encoding gzip + Transfer-Encoding chunked), then blob.bin
#   (application/octet-stream, not gzipped: Content-Length). The served
#   files, under the names tf-http gives their bodies, are the expected
#   output in nginx-gzip.expected/.
# big50m.pcap.xz: one GET of big50m.txt (52428800 bytes written by
#   gen50m.py; tests regenerate it) from 127.0.0.1:41001, xz -9.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/http
PY=${PYTHON:-/usr/bin/python3}
NS=tfngx$$

die() { echo "mknginx: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
for t in ip tcpdump nginx curl xz ss "$PY"; do
	command -v "$t" >/dev/null || die "missing $t"
done

TMP=$(mktemp -d /tmp/tfngx.XXXXXX)
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

nx() { ip netns exec "$NS" "$@"; }   # foreground only
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

# ------------------------------------------------------------------ namespace
ip netns add "$NS"
nx ip link set lo mtu 1500
nx ip link set lo gso_max_size 1500
nx ip link set lo up

# ------------------------------------------------------------------ files
mkdir -p "$TMP/docroot" "$TMP/nginx" "$TMP/got"
"$PY" - "$TMP/docroot" <<'PYEOF'
import hashlib, json, os, sys
d = sys.argv[1]
def w(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
# page.html: ~30 KB of HTML, rows that differ by their numbers.
rows = []
for i in range(350):
    rows.append('<tr id="r%03d"><td>%d</td><td>item %d of the tf-http gzip test</td>'
                '<td>%d</td></tr>\n' % (i, i, i, (i * 7919) % 10007))
w("page.html", ("<!DOCTYPE html>\n<html><head><title>tf-http gzip test</title>"
    '<link rel="stylesheet" href="style.css"></head>\n<body><table>\n'
    + "".join(rows) + "</table></body></html>\n").encode())
w("data.json", (json.dumps({"test": "tf-http nginx gzip",
    "items": [{"n": i, "sq": i * i, "name": "item-%d" % i} for i in range(120)]},
    indent=1) + "\n").encode())
w("style.css", "".join(".c%d { color: #%06x; margin: %dpx %dpx; }\n"
    % (i, (i * 40503) & 0xffffff, i % 17, i % 5) for i in range(80)).encode())
out = bytearray()
i = 0
while len(out) < 5000:
    out += hashlib.sha256(b"tf-test-data:blob.bin:%d" % i).digest()
    i += 1
w("blob.bin", bytes(out[:5000]))
PYEOF
"$PY" "$HERE/gen50m.py" > "$TMP/docroot/big50m.txt"

# ------------------------------------------------------------------ nginx
cat > "$TMP/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log info;
events { worker_connections 64; }
http {
	access_log $TMP/nginx/access.log;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	types {
		text/html html; text/css css; text/plain txt;
		application/json json; application/octet-stream bin;
	}
	default_type application/octet-stream;
	keepalive_timeout 75s;
	gzip on;
	gzip_min_length 20;
	gzip_types text/plain text/css application/json application/javascript;
	server {
		listen 127.0.0.1:8080;
		root $TMP/docroot;
		location = /big50m.txt { gzip off; }
	}
}
EOF
ip netns exec "$NS" nginx -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx.conf" \
	> "$TMP/nginx/stdout" 2>&1 &
NGINX=$!
PIDS+=("$NGINX")
for i in $(seq 100); do
	[ "$(nx ss -Htln 'sport = :8080' | wc -l)" = 1 ] && break
	kill -0 "$NGINX" 2>/dev/null || { cat "$TMP/nginx/error.log" >&2; die "nginx failed"; }
	sleep 0.05
done

# ------------------------------------------------------------------ capture
CAPPID=
cap_start() {                         # OUTFILE
	: > "$TMP/cap.err"
	# -w - into a file we open (tcpdump drops privileges before opening
	# one itself); -B 131072: a 128 MiB kernel buffer, so a fast loopback
	# transfer loses nothing.
	ip netns exec "$NS" tcpdump -U -n -i lo -s 0 -B 131072 -w - 'tcp port 8080' \
		> "$1" 2> "$TMP/cap.err" &
	CAPPID=$!
	PIDS+=("$CAPPID")
	for i in $(seq 200); do
		grep -q 'listening on' "$TMP/cap.err" && break
		kill -0 "$CAPPID" 2>/dev/null || { cat "$TMP/cap.err" >&2; die "tcpdump failed"; }
		sleep 0.05
	done
	sleep 0.5
}
cap_stop() {
	# libpcap hands packets over a ring block at a time or after its 1 s
	# timeout; an interrupted tcpdump loses a partial block: wait well past.
	sleep 2.5
	kill -INT "$CAPPID"
	wait "$CAPPID" || true
	forget "$CAPPID"
	sed 's/^/    /' "$TMP/cap.err"
	grep -q '^0 packets dropped by kernel' "$TMP/cap.err" || die "the capture dropped packets"
}

U=http://127.0.0.1:8080
echo "nginx-gzip.pcap"
rm -rf "$OUT/nginx-gzip.pcap" "$OUT/nginx-gzip.expected"
mkdir -p "$OUT/nginx-gzip.expected"
cap_start "$OUT/nginx-gzip.pcap"
n=$(nx curl -sS --fail --compressed --local-port 41000 -w '%{num_connects}\n' \
	-o "$TMP/got/page.html" "$U/page.html" -o "$TMP/got/data.json" "$U/data.json" \
	-o "$TMP/got/style.css" "$U/style.css" -o "$TMP/got/blob.bin" "$U/blob.bin" | paste -sd ' ')
cap_stop
[ "$n" = "1 0 0 0" ] || die "curl did not keep one connection: connects $n"
P=127.000.000.001.08080-127.000.000.001.41000-HTTPBODY
i=0
for f in page.html data.json style.css blob.bin; do
	cmp "$TMP/docroot/$f" "$TMP/got/$f" || die "curl got another $f"
	i=$((i + 1))
	case $f in *.bin) ext= ;; *) ext=.${f##*.} ;; esac
	cp "$TMP/docroot/$f" "$OUT/nginx-gzip.expected/$P-00$i$ext"
done

echo "big50m.pcap.xz"
rm -f "$OUT/big50m.pcap.xz"
cap_start "$TMP/big50m.pcap"
nx curl -sS --fail --local-port 41001 -o "$TMP/got/big50m.txt" "$U/big50m.txt"
cap_stop
cmp "$TMP/docroot/big50m.txt" "$TMP/got/big50m.txt" || die "curl got another big50m.txt"
xz -9 -T1 -c "$TMP/big50m.pcap" > "$OUT/big50m.pcap.xz"

kill "$NGINX"
wait "$NGINX" || true
forget "$NGINX"
grep -E 'GET' "$TMP/nginx/access.log" | sed 's/^/    /'
ls -l "$OUT/nginx-gzip.pcap" "$OUT/nginx-gzip.expected" "$OUT/big50m.pcap.xz"
