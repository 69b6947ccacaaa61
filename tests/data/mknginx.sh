#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mknginx.sh — regenerate tests/data/http/nginx-gzip.pcap (+ .expected/) and
# tests/data/http/big50m.pcap.xz.
#
# Run as root on Linux:   sudo tests/data/mknginx.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
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
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mknginx http
ns_need ip tcpdump nginx curl xz ss "$PY"
ns_setup tfngx

# ------------------------------------------------------------------ files
mkdir -p "$TMP/docroot" "$TMP/got"
"$PY" "$HERE/mkpages.py" "$TMP/docroot" "tf-http gzip" 350 120 tf-test-data 5000 css
"$PY" "$HERE/gen50m.py" > "$TMP/docroot/big50m.txt"

# ------------------------------------------------------------------ nginx
nginx_conf info 64 <<EOF
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
EOF
nginx_start 8080

# ------------------------------------------------------------------ capture
# -B 131072: a 128 MiB kernel buffer, so a fast loopback transfer loses
# nothing.
ngx_cap() {                           # OUTFILE
	cap_start "$1" tcpdump -U -n -i lo -s 0 -B 131072 -w - 'tcp port 8080'
}
ngx_cap_stop() {
	cap_stop
	cap_show
	cap_kept || die "the capture dropped packets"
}

U=http://127.0.0.1:8080
echo "nginx-gzip.pcap"
rm -rf "$OUT/nginx-gzip.pcap" "$OUT/nginx-gzip.expected"
mkdir -p "$OUT/nginx-gzip.expected"
ngx_cap "$OUT/nginx-gzip.pcap"
n=$(nx curl -sS --fail --compressed --local-port 41000 -w '%{num_connects}\n' \
	-o "$TMP/got/page.html" "$U/page.html" -o "$TMP/got/data.json" "$U/data.json" \
	-o "$TMP/got/style.css" "$U/style.css" -o "$TMP/got/blob.bin" "$U/blob.bin" | paste -sd ' ')
ngx_cap_stop
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
ngx_cap "$TMP/big50m.pcap"
nx curl -sS --fail --local-port 41001 -o "$TMP/got/big50m.txt" "$U/big50m.txt"
ngx_cap_stop
cmp "$TMP/docroot/big50m.txt" "$TMP/got/big50m.txt" || die "curl got another big50m.txt"
xz -9 -T1 -c "$TMP/big50m.pcap" > "$OUT/big50m.pcap.xz"

nginx_stop
grep -E 'GET' "$TMP/nginx/access.log" | sed 's/^/    /'
ls -l "$OUT/nginx-gzip.pcap" "$OUT/nginx-gzip.expected" "$OUT/big50m.pcap.xz"
