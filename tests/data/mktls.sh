#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mktls.sh — regenerate tests/data/tls/: real TLS captures with their key
# logs and the bytes the applications sent, for lib/tlscrypt and tf-tls.
#
# Run as root on Linux:   sudo tests/data/mktls.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/tls (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, openssl, python3, nginx, curl.
#
# All traffic stays inside a network namespace made here, on its loopback
# (MTU 1500, gso_max_size 1500, as in mkcaptures.sh).  Every process
# started here is stopped by its PID; the namespace and the temp dir are
# removed on exit.  The certificates are made here, for these tests only.
# Every run makes new keys, certificates (their validity starts at the
# run), randoms and captures: tests that check such values change with
# them.
#
# Files in tests/data/tls/:
#
#   ca.pem, server.pem, server.key   the test CA (RSA 2048, self-signed)
#       and the server's certificate (CN and SAN tf.test, SAN IP
#       127.0.0.1) and key; every server below uses them.
#
#   NAME.pcap   one capture (tcpdump on the namespace's lo), client
#       openssl s_client (-quiet -no_ign_eof -servername tf.test, with
#       -keylogfile), server tests/data/tlsserver.py on 127.0.0.1:4433
#       (it answers each chunk it reads with "got N bytes: " and the chunk
#       in capitals, or a chunk starting "bulk" with 20000 bytes, more than
#       one full record).  The client sends three chunks: "hello from the
#       tf tls test\n", "bulk please\n", "one more line\n".
#   NAME.keys   the client's key log (NSS format), as openssl wrote it.
#   NAME.N.c2s  connection N (from 1, in capture order): every byte the
#       server application read, that is what the client sent.
#   NAME.N.s2c  every byte the server application wrote, that is what the
#       client received.  The script checks both against the client's
#       side (its standard input and output).
#
#   NAME, the suite, and what else:
#   tls13-aes128gcm       TLS 1.3 TLS_AES_128_GCM_SHA256, ALPN http/1.1
#                         offered and chosen
#   tls13-aes256gcm       TLS 1.3 TLS_AES_256_GCM_SHA384
#   tls13-chacha20        TLS 1.3 TLS_CHACHA20_POLY1305_SHA256
#   tls13-keyupdate       TLS 1.3 TLS_AES_128_GCM_SHA256; the client sends
#       "hello\n", then s_client's "k" (KeyUpdate, update_not_requested),
#       "after k\n", "K" (KeyUpdate, update_requested: the server updates
#       too), "after K\n", "bulk\n", "K", "last\n": the client's
#       application secret is updated 3 times, the server's twice.  Its
#       key log also has OpenSSL's CLIENT_TRAFFIC_SECRET_N and
#       SERVER_TRAFFIC_SECRET_N lines, the updated secrets in order (a
#       label readers of the NSS format ignore; tlscrypt_test checks its
#       updates against them).
#   tls13-resume          TLS 1.3 TLS_AES_128_GCM_SHA256, two connections:
#       the first full (s_client -sess_out), the second a PSK resumption
#       with its ticket (-sess_in; psk_dhe_ke), each sending the three
#       chunks; NAME.1.* and NAME.2.*.
#   tls12-ecdhe-aes128gcm TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 (0xc02f)
#   tls12-ecdhe-chacha20  TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 (0xcca8)
#   tls12-rsa-aes128gcm   TLS 1.2 AES128-GCM-SHA256, RSA key exchange
#                         (0x009c)
#   tls12-ecdhe-aes128sha-etm  TLS 1.2 ECDHE-RSA-AES128-SHA (0xc013),
#                         encrypt-then-MAC (RFC 7366) negotiated
#   tls12-ecdhe-aes128sha-mte  the same with s_client -no_etm:
#                         MAC-then-encrypt
#   tls12-rsa-aes256sha256-etm TLS 1.2 AES256-SHA256 (0x003d), RSA key
#                         exchange, encrypt-then-MAC
#   tls12-rsa-aes256sha256-mte the same, -no_etm
#
#   nginx-h1.pcap, nginx-h1.keys  nginx (gzip on) and curl --http1.1
#       --compressed (SSLKEYLOGFILE) over TLS 1.3 (nginx there allows
#       TLS 1.3 only; suite TLS_AES_256_GCM_SHA384), SNI tf.test, ALPN
#       http/1.1, one keep-alive connection from 127.0.0.1:41000 to
#       127.0.0.1:8443: GET /page.html (gzip, chunked), /data.json (gzip,
#       chunked), /blob.bin (not gzipped, Content-Length), in that order.
#   nginx-h2.pcap, nginx-h2.keys  the same with curl --http2 (ALPN h2)
#       over TLS 1.2 (nginx there allows TLS 1.2 only: suite
#       ECDHE-RSA-AES256-GCM-SHA384, 0xc030, a SHA-384 PRF; a CLIENT_RANDOM
#       key log), one connection from 127.0.0.1:41001 to 127.0.0.1:8444:
#       GET /page.html then /data.json (gzip), one after the other.
#   nginx.expected/page.html, data.json, blob.bin  the served files (the
#       decoded bodies); curl's copies are checked against them.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=4433
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mktls tls
ns_need ip tcpdump openssl nginx curl ss "$PY"
ns_setup tftls

mkdir -p "$OUT"
rm -f "$OUT"/*.pcap "$OUT"/*.keys "$OUT"/*.c2s "$OUT"/*.s2c
rm -rf "$OUT/nginx.expected"

# ------------------------------------------------------------ certificates
echo "certificates"
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
	-subj "/O=tf test/CN=tf test CA" -keyout "$TMP/ca.key" -out "$OUT/ca.pem" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/O=tf test/CN=tf.test" \
	-keyout "$OUT/server.key" -out "$TMP/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:tf.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	>"$TMP/ext"
openssl x509 -req -in "$TMP/server.csr" -CA "$OUT/ca.pem" -CAkey "$TMP/ca.key" \
	-set_serial 0x7f00000142 -days 36500 -sha256 -extfile "$TMP/ext" \
	-out "$OUT/server.pem" 2>/dev/null
chmod 644 "$OUT/server.key"

# ------------------------------------------------------------ capture
tls_cap() {                           # OUTFILE PORT
	cap_start "$1" tcpdump -U -n -i lo -s 0 -B 16384 -w - "tcp port $2"
}
tls_cap_stop() {
	cap_stop
	cap_kept || die "the capture dropped packets"
}

# feed WORDS...: writes each word's chunk to standard output with a pause
# after it, so that each is one read for s_client and one for the server.
# A word "k" or "K" is s_client's KeyUpdate command (a line of its own);
# "bulk" asks for 20000 bytes; the chunks sent are also appended to
# $TMP/sent.
chunk() {
	case $1 in
	hello) echo "hello from the tf tls test" ;;
	bulk) echo "bulk please" ;;
	more) echo "one more line" ;;
	*) echo "$1" ;;
	esac
}
feed() {
	local w
	sleep 0.5
	for w in "$@"; do
		case $w in
		k | K) echo "$w" ;;
		*) chunk "$w" | tee -a "$TMP/sent" ;;
		esac
		sleep 0.4
	done
	sleep 0.6
}

# one NAME CONNS CIPHERS SCLIENT-OPTIONS... -- WORDS...: one capture of
# CONNS s_client runs (each with the same options and words; the option
# %SESS is -sess_out FILE for the first, -sess_in FILE for the others)
# against tlsserver.py.
one() {
	local name=$1 conns=$2 ciphers=$3 n i opts=() words=() args
	shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	words=("$@")
	echo "$name"
	tls_cap "$OUT/$name.pcap" "$PORT"
	ns_bg "$TMP/server.log" 1 "$PY" "$HERE/tlsserver.py" "$OUT/server.pem" \
		"$OUT/server.key" "$PORT" "$ciphers" "$conns" "$OUT/$name"
	local srv=$BGPID
	wait_port "$PORT" "$srv"
	for n in $(seq "$conns"); do
		args=()
		for i in "${opts[@]}"; do
			case $i,$n in
			%SESS,1) args+=(-sess_out "$TMP/sess") ;;
			%SESS,*) args+=(-sess_in "$TMP/sess") ;;
			*) args+=("$i") ;;
			esac
		done
		: >"$TMP/sent"
		feed "${words[@]}" | nx openssl s_client -connect 127.0.0.1:$PORT \
			-servername tf.test -CAfile "$OUT/ca.pem" -verify_return_error \
			-quiet -no_ign_eof -keylogfile "$OUT/$name.keys" "${args[@]}" \
			>"$TMP/got" 2>"$TMP/client.err" ||
			{ cat "$TMP/client.err" >&2; die "$name: s_client failed"; }
		sleep 0.3
		cp "$TMP/sent" "$TMP/sent.$n"
		cp "$TMP/got" "$TMP/got.$n"
	done
	wait "$srv" || { cat "$TMP/server.log" >&2; die "$name: the server failed"; }
	forget "$srv"
	tls_cap_stop
	for n in $(seq "$conns"); do
		cmp "$TMP/sent.$n" "$OUT/$name.$n.c2s" || die "$name: the server read other bytes"
		cmp "$TMP/got.$n" "$OUT/$name.$n.s2c" || die "$name: the client read other bytes"
	done
	chmod 644 "$OUT/$name.keys"
}

W="hello bulk more"
T12="ALL:@SECLEVEL=0"
one tls13-aes128gcm 1 - -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -alpn http/1.1 -nocommands -- $W
one tls13-aes256gcm 1 - -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -nocommands -- $W
one tls13-chacha20 1 - -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -nocommands -- $W
one tls13-keyupdate 1 - -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -- \
	hello k "after k" K "after K" bulk K last
one tls13-resume 2 - -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -nocommands \
	%SESS -- $W
one tls12-ecdhe-aes128gcm 1 "$T12" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -nocommands -- $W
one tls12-ecdhe-chacha20 1 "$T12" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 -nocommands -- $W
one tls12-rsa-aes128gcm 1 "$T12" -tls1_2 -cipher AES128-GCM-SHA256 -nocommands -- $W
one tls12-ecdhe-aes128sha-etm 1 "$T12" -tls1_2 -cipher ECDHE-RSA-AES128-SHA -nocommands -- $W
one tls12-ecdhe-aes128sha-mte 1 "$T12" -tls1_2 -cipher ECDHE-RSA-AES128-SHA -no_etm -nocommands -- $W
one tls12-rsa-aes256sha256-etm 1 "$T12" -tls1_2 -cipher AES256-SHA256 -nocommands -- $W
one tls12-rsa-aes256sha256-mte 1 "$T12" -tls1_2 -cipher AES256-SHA256 -no_etm -nocommands -- $W

# ------------------------------------------------------------ nginx, curl
mkdir -p "$TMP/docroot" "$TMP/curl" "$OUT/nginx.expected"
"$PY" "$HERE/mkpages.py" "$TMP/docroot" tf-tls 300 100 tf-tls-test 6000
nginx_conf info 64 <<EOF
types {
	text/html html; application/json json;
	application/octet-stream bin;
}
default_type application/octet-stream;
keepalive_timeout 75s;
gzip on;
gzip_min_length 20;
gzip_types application/json;
ssl_certificate $OUT/server.pem;
ssl_certificate_key $OUT/server.key;
server {
	listen 127.0.0.1:8443 ssl;
	server_name tf.test;
	ssl_protocols TLSv1.3;
	root $TMP/docroot;
}
server {
	listen 127.0.0.1:8444 ssl http2;
	server_name tf.test;
	ssl_protocols TLSv1.2;
	root $TMP/docroot;
}
EOF
nginx_start 8443
wait_port 8444 "$NGINX"

# ngx NAME PORT LOCALPORT CURL-OPTION FILES...: one curl run, one
# connection, each file in turn.
ngx() {
	local name=$1 port=$2 lport=$3 opt=$4 f args=() n want
	shift 4
	echo "$name"
	for f in "$@"; do
		args+=(-o "$TMP/curl/$name.$f" "https://tf.test:$port/$f")
	done
	tls_cap "$OUT/$name.pcap" "$port"
	n=$(SSLKEYLOGFILE="$OUT/$name.keys" nx curl -sS --fail "$opt" --compressed \
		--cacert "$OUT/ca.pem" --resolve "tf.test:$port:127.0.0.1" \
		--local-port "$lport" -w '%{num_connects}\n' "${args[@]}" | paste -sd ' ')
	tls_cap_stop
	want="1"
	for f in "${@:2}"; do want="$want 0"; done
	[ "$n" = "$want" ] || die "$name: curl did not keep one connection: connects $n"
	for f in "$@"; do
		cmp "$TMP/docroot/$f" "$TMP/curl/$name.$f" || die "$name: curl got another $f"
		cp "$TMP/docroot/$f" "$OUT/nginx.expected/$f"
	done
	chmod 644 "$OUT/$name.keys"
}
ngx nginx-h1 8443 41000 --http1.1 page.html data.json blob.bin
ngx nginx-h2 8444 41001 --http2 page.html data.json
nginx_stop
sed 's/^/    /' "$TMP/nginx/access.log"
ls -l "$OUT"
