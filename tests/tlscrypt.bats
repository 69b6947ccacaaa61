# SPDX-License-Identifier: BSD-2-Clause
# lib/tlscrypt: RFC 8448, records made with libcrypto and the key log
# loader (tlscrypt_test alone), then every record of every real capture
# of tests/data/tls (made by tests/data/mktls.sh) decrypted with its key
# log, the application data compared with the bytes the applications
# sent.  The TCP byte streams come from tf-reassemble | tf-split; the
# truth never does.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	TLS=$DATA/tls
}

# tap: as in unit.bats, a TAP run where every check passed.
tap() {
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ ${lines[-1]} =~ ^1\.\.[0-9]+$ ]]
	for l in "${lines[@]}"; do
		[[ $l =~ ^(ok\ [0-9]+\ -\ .+|1\.\.[0-9]+)$ ]]
	done
	[ "$(grep -c '^ok ' <<<"$output")" = "${lines[-1]#1..}" ]
}

# streams NAME PORT: the TCP byte streams of each connection of
# NAME.pcap, as c1 s1 c2 s2 ... (client to server, server to client) in
# connection order.
streams() {
	local f s n=0
	tf-reassemble -q <"$TLS/$1.pcap" | tf-split -o split -T '%S-%b' >/dev/null
	for f in split/*-$(printf %05d "$2"); do
		n=$((n + 1))
		s=${f%-*}
		mv "$f" "c$n"
		mv "$(ls -d "$s"-* | grep -v -- "-$(printf %05d "$2")\$")" "s$n"
	done
	echo "$n"
}

# conn NAME PORT CONNS: tlscrypt_test --conn on each connection, against
# NAME.N.c2s and NAME.N.s2c.
conn() {
	run -0 streams "$1" "$2"
	[ "$output" = "$3" ]
	for n in $(seq "$3"); do
		run --separate-stderr tlscrypt_test --conn "$1.$n" "$TLS/$1.keys" \
		    "c$n" "s$n" "$TLS/$1.$n.c2s" "$TLS/$1.$n.s2c"
		tap
		# The suite line, both keys or key block, every record of each
		# side, (1.3) the application keys, both truths.
		[ "$(grep -c ' every one of the .* records decrypts$' <<<"$output")" = 2 ]
		[ "$(grep -c ' the [0-9]* bytes the application sent (got [0-9]*)$' <<<"$output")" = 2 ]
	done
}

@test "tlscrypt: RFC 8448, made records, suites and the key log" {
	run --separate-stderr tlscrypt_test
	tap
	[ "${lines[-1]}" = 1..134 ]
	grep -q '^ok [0-9]* - RFC 8448: the server.s application data at sequence 1$' <<<"$output"
	grep -q '^ok [0-9]* - key log: a 10 MB line and 5,000 bad lines: 5,001 warnings, numbered$' <<<"$output"
}

@test "tlscrypt: TLS 1.3: the three suites, KeyUpdate, PSK resumption" {
	for c in tls13-aes128gcm tls13-aes256gcm tls13-chacha20; do
		conn $c 4433 1
	done
	grep -q '^ok 1 - tls13-chacha20.1: TLS 1.3, suite 0x1303 TLS_CHACHA20_POLY1305_SHA256$' <<<"$output"
	conn tls13-keyupdate 4433 1
	grep -q '^ok [0-9]* - tls13-keyupdate.1: KeyUpdate: 3 client and 2 server updates, each secret the key log.s \*_TRAFFIC_SECRET_N$' <<<"$output"
	conn tls13-resume 4433 2
}

@test "tlscrypt: TLS 1.2: AES-GCM, ChaCha20, AES-CBC with HMAC-SHA1 and SHA256, EtM and MtE" {
	for c in tls12-ecdhe-aes128gcm tls12-ecdhe-chacha20 tls12-rsa-aes128gcm; do
		conn $c 4433 1
	done
	for c in tls12-ecdhe-aes128sha-etm tls12-ecdhe-aes128sha-mte \
	    tls12-rsa-aes256sha256-etm tls12-rsa-aes256sha256-mte; do
		conn $c 4433 1
		case $c in
		*-etm) grep -q '^ok 1 - .*, encrypt-then-MAC$' <<<"$output" ;;
		*) ! grep -q 'encrypt-then-MAC' <<<"$output" ;;
		esac
	done
}

@test "tlscrypt: nginx and curl, HTTP/1.1 over TLS 1.3: every record, blob.bin last" {
	run -0 streams nginx-h1 8443
	[ "$output" = 1 ]
	run --separate-stderr tlscrypt_test --conn nginx-h1 "$TLS/nginx-h1.keys" \
	    c1 s1 - - out.c out.s
	tap
	grep -q '^ok 1 - nginx-h1: TLS 1.3, suite 0x1302 TLS_AES_256_GCM_SHA384$' <<<"$output"
	[ "$(grep -c '^GET /' out.c)" = 3 ]
	[ "$(grep -ac '^HTTP/1.1 200 OK' out.s)" = 3 ]
	# blob.bin is sent as it is, with a Content-Length: the last bytes.
	tail -c 6000 out.s | cmp - "$TLS/nginx.expected/blob.bin"
}

@test "tlscrypt: nginx and curl, HTTP/2 over TLS 1.2 AES-256-GCM (SHA-384 PRF)" {
	run -0 streams nginx-h2 8444
	[ "$output" = 1 ]
	run --separate-stderr tlscrypt_test --conn nginx-h2 "$TLS/nginx-h2.keys" \
	    c1 s1 - - out.c out.s
	tap
	grep -q '^ok 1 - nginx-h2: TLS 1.2, suite 0xc030 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384$' <<<"$output"
	# The client's first bytes: the HTTP/2 connection preface.
	[ "$(head -c 24 out.c)" = $'PRI * HTTP/2.0\r\n\r\nSM\r\n\r' ]
	[ "$(head -c 24 out.c | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "tlscrypt: a key log for another connection decrypts nothing" {
	run -0 streams tls13-aes128gcm 4433
	run --separate-stderr tlscrypt_test --conn x "$TLS/tls13-aes256gcm.keys" \
	    c1 s1 - -
	[ "$status" -eq 1 ]
	grep -q "^not ok 2 - x: the client's handshake keys$" <<<"$output"
}
