# SPDX-License-Identifier: BSD-2-Clause
# tf-tls: TLS metadata and decryption.  The captures, key logs and truth
# (what the applications sent and received) are tests/data/tls/, made by
# tests/data/mktls.sh in a network namespace; JA3 is checked against
# tshark's, JA4 against tests/data/tlsaux.py on tshark's fields, the
# certificate against openssl x509.  Gaps and hostile handshakes are
# made by tests/data/tlsaux.py.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	TLS=$DATA/tls
	AUX=$DATA/tlsaux.py
}

# The suite each capture was forced to, by name.
suite_of() {
	case $1 in
	tls13-aes128gcm | tls13-keyupdate | tls13-resume) echo TLS_AES_128_GCM_SHA256 ;;
	tls13-aes256gcm) echo TLS_AES_256_GCM_SHA384 ;;
	tls13-chacha20) echo TLS_CHACHA20_POLY1305_SHA256 ;;
	tls12-ecdhe-aes128gcm) echo TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ;;
	tls12-ecdhe-chacha20) echo TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ;;
	tls12-rsa-aes128gcm) echo TLS_RSA_WITH_AES_128_GCM_SHA256 ;;
	tls12-ecdhe-aes128sha-*) echo TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ;;
	tls12-rsa-aes256sha256-*) echo TLS_RSA_WITH_AES_256_CBC_SHA256 ;;
	*) echo unknown ;;
	esac
}

# decrypt NAME [ARGS]: the capture NAME through tf-tls -k NAME.keys ARGS,
# each direction written by tf-split under NAME/ as CONN-c2s, CONN-s2c,
# the stream in NAME.tfs.
decrypt() {
	local n=$1 f
	shift
	mkdir "$n"
	tf-reassemble -r "$TLS/$n.pcap" | tf-tls -k "$TLS/$n.keys" "$@" |
	    tf-split -o "$n" -T '%S-%A.%a-%B.%b' >"$n.tfs"
	for f in $(ls "$n"); do
		case $f in
		*-127.000.000.001.04433) mv "$n/$f" "$n/${f%%-*}"-c2s ;;
		*) mv "$n/$f" "$n/${f%%-*}"-s2c ;;
		esac
	done
}

@test "tf-tls decrypts every suite byte for byte, as the applications sent it" {
	local p n k c
	for p in "$TLS"/tls1*.pcap; do
		n=${p##*/}
		n=${n%.pcap}
		decrypt "$n"
		for c in "$TLS/$n".*.c2s; do
			k=${c#"$TLS/$n".}
			k=${k%.c2s}
			cmp "$n/$(printf %020d "$k")-c2s" "$c"
			cmp "$n/$(printf %020d "$k")-s2c" "$TLS/$n.$k.s2c"
		done
		# Every connection was decrypted, with the suite forced.
		tf-cat -j <"$n.tfs" | jq -r 'select(.key == "tls.session") |
		    .value | fromjson | [.decrypted, .cipher] | @tsv' | sort -u >j
		[ "$(cat j)" = "true	$(suite_of "$n")" ]
	done
	[ -e tls13-keyupdate ] && [ -e tls12-ecdhe-aes128sha-etm ] &&
	    [ -e tls12-rsa-aes256sha256-mte ] && [ -e tls13-resume ]
}

@test "tf-tls: the session's metadata, exact" {
	tf-reassemble -r "$TLS/tls13-aes128gcm.pcap" |
	    tf-tls -k "$TLS/tls13-aes128gcm.keys" | tf-cat -j >a.json
	jq -c 'select(.key == "tls.session") | [.conn, .dir, (.value | fromjson |
	    del(.ja3, .ja3_string, .ja4))]' a.json >s
	[ "$(cat s)" = '[1,255,{"version":"TLSv1.3","client_version":"TLSv1.2","record_version":"TLSv1.0","server_record_version":"TLSv1.2","supported_versions":["TLSv1.3"],"sni":"tf.test","alpn_offered":["http/1.1"],"alpn":"http/1.1","cipher":"TLS_AES_128_GCM_SHA256","cipher_suite":4865,"resumed":false,"certificates":1,"decrypted":true}]' ]
	# tls.alpn comes before the first plaintext, after tls.session.
	jq -r 'select(.kind != "header") | .kind + " " + (.key // "")' a.json |
	    grep -v '^annot .*command$' | head -6 >order
	[ "$(cat order)" = 'open 
annot tls.certificate
annot tls.session
annot tls.alpn
data 
data ' ]
	jq -r 'select(.key == "tls.alpn") | .value' a.json >alpn
	[ "$(cat alpn)" = http/1.1 ]
	# TLS 1.2: the same names, the ServerHello's ALPN; a resumption says so.
	tf-reassemble -r "$TLS/tls12-ecdhe-aes128gcm.pcap" | tf-tls -j >j
	[ "$(jq -r '[.version, .sni, .cipher, .cipher_suite, .resumed, .decrypted, .why] | @tsv' j)" = "TLSv1.2	tf.test	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256	49199	false	false	no key log" ]
	tf-reassemble -r "$TLS/tls13-resume.pcap" | tf-tls -k "$TLS/tls13-resume.keys" -j >j
	[ "$(jq -r '[.conn, .resumed, .certificates, .decrypted] | @tsv' j)" = "1	false	1	true
2	true	0	true" ]
}

@test "tf-tls: JA3 as tshark computes it, JA4 as FoxIO's specification" {
	local p
	# One tshark run over all the captures: it is slow to start.
	mergecap -F pcap -w all.pcap "$TLS"/*.pcap
	tshark -r all.pcap -Y 'tls.handshake.type == 1' -T fields -E separator='|' \
	    -e tls.handshake.ja3_full -e tls.handshake.ja3 \
	    -e tls.handshake.ciphersuite -e tls.handshake.extension.type \
	    -e tls.handshake.sig_hash_alg \
	    -e tls.handshake.extensions.supported_version \
	    -e tls.handshake.extensions_server_name \
	    -e tls.handshake.extensions_alpn_str -e tls.handshake.version \
	    2>/dev/null >fields
	cut -d'|' -f1,2 fields | tr '|' '\t' | sort >want3
	cut -d'|' -f3- fields | python3 "$AUX" ja4 | sort >want4
	for p in "$TLS"/*.pcap; do
		tf-reassemble -r "$p" | tf-tls -j
	done >j
	jq -r '[.ja3_string, .ja3] | @tsv' j | sort >got3
	jq -r .ja4 j | sort >got4
	[ "$(wc -l <want3)" -ge 14 ]
	diff want3 got3
	diff want4 got4
	grep -q '^t13d0211h1_' got4
}

@test "tf-tls: the certificate, as openssl x509 reads it" {
	tf-reassemble -r "$TLS/tls12-rsa-aes128gcm.pcap" | tf-tls | tf-cat -j |
	    jq -c 'select(.key == "tls.certificate") | [.dir, (.value | fromjson)]' >c
	[ "$(wc -l <c)" -eq 1 ]
	serial=$(openssl x509 -in "$TLS/server.pem" -noout -serial | sed 's/.*=//; s/^0*//' | tr A-F a-f)
	sha=$(openssl x509 -in "$TLS/server.pem" -outform der | sha256sum | cut -d' ' -f1)
	nb=$(date -u -d "$(openssl x509 -in "$TLS/server.pem" -noout -startdate | sed 's/.*=//')" +%Y-%m-%dT%H:%M:%SZ)
	na=$(date -u -d "$(openssl x509 -in "$TLS/server.pem" -noout -enddate | sed 's/.*=//')" +%Y-%m-%dT%H:%M:%SZ)
	[ "$(cat c)" = "[1,{\"index\":0,\"subject\":\"CN=tf.test,O=tf test\",\"issuer\":\"CN=tf test CA,O=tf test\",\"serial\":\"$serial\",\"not_before\":\"$nb\",\"not_after\":\"$na\",\"san\":[\"tf.test\",\"127.0.0.1\"],\"sha256\":\"$sha\"}]" ]
	# TLS 1.3 sends it encrypted: seen only with the keys.
	tf-reassemble -r "$TLS/tls13-chacha20.pcap" | tf-tls -j >j
	[ "$(jq -c '[.certificates, .certificate_chain]' j)" = '[0,[]]' ]
	tf-reassemble -r "$TLS/tls13-chacha20.pcap" | tf-tls -j -k "$TLS/tls13-chacha20.keys" >j
	[ "$(jq -r '.certificate_chain[0].sha256' j)" = "$sha" ]
}

@test "tf-tls without the keys passes the ciphertext on unchanged and warns once" {
	local n=tls13-aes256gcm
	: >empty.keys
	tf-reassemble -r "$TLS/$n.pcap" >in.tfs
	tf-tls -k empty.keys <in.tfs 2>err >out.tfs
	[ "$(cat err)" = 'tf-tls: connection 1: not decrypted: no keys for this session' ]
	# The same records but for tf-tls's annotations.
	tf-cat <in.tfs >a
	tf-cat <out.tfs | grep -v ' tls\.' >b
	diff a b
	tf-cat -j <out.tfs | jq -r 'select(.key == "tls.session") | .value | fromjson | [.decrypted, .why] | @tsv' >w
	[ "$(cat w)" = 'false	no keys for this session' ]
	# Without -k: metadata only, not a word.
	tf-tls <in.tfs 2>err >/dev/null
	[ ! -s err ]
}

@test "tf-tls passes a connection that is not TLS untouched" {
	tf-reassemble -r "$DATA/http/basic.pcap" >in.tfs 2>/dev/null ||
	    tf-reassemble -r "$(ls "$DATA"/http/*.pcap | head -1)" >in.tfs
	tf-tls -k "$TLS/tls13-aes128gcm.keys" <in.tfs >out.tfs 2>err
	[ ! -s err ]
	tf-cat <in.tfs >a
	tf-cat <out.tfs | grep -v '^annot 0 - tls.command' >b
	diff a b
}

@test "tf-tls: a bad key log line is a warning with its line number" {
	printf '# comment\n\nCLIENT_RANDOM zz 00\nOTHER_LABEL 00 11\nCLIENT_RANDOM %064d 0011\n' 0 >bad.keys
	cat "$TLS/tls12-ecdhe-chacha20.keys" >>bad.keys
	tf-reassemble -r "$TLS/tls12-ecdhe-chacha20.pcap" | tf-tls -k bad.keys -j 2>err >j
	[ "$(jq -r .decrypted j)" = true ]
	[ "$(sed 's/: [a-z ]*: ignored$/: ignored/' err)" = 'tf-tls: key log line 3: ignored
tf-tls: key log line 5: ignored' ]
	run -1 tf-tls -k nonexistent.keys </dev/null
	[ "$output" = "tf-tls: cannot read key log 'nonexistent.keys': No such file or directory" ]
}

@test "tf-tls: a record cut by a gap is lost plaintext (a GAP), the rest decrypted" {
	local n=tls13-aes128gcm
	# The 2nd big server packet is in the 16 KiB record of the bulk.
	python3 "$AUX" drop "$TLS/$n.pcap" cut.pcap 2
	tf-reassemble -r cut.pcap | tf-tls -k "$TLS/$n.keys" 2>err >out.tfs
	[ "$(cat err)" = '' ]
	tf-cat <out.tfs | grep '^gap ' >gaps
	[ "$(cat gaps)" = 'gap 1 < 41+16384 lost' ] || { cat gaps; false; }
	tf-split -o f <out.tfs >/dev/null
	s=$(ls f | grep '^127.000.000.001.04433-')
	# Before and after the hole, the bytes the server sent.
	cmp -n 41 "f/$s" "$TLS/$n.1.s2c"
	cmp -i 16425 "f/$s" "$TLS/$n.1.s2c"
}

@test "tf-tls: hostile handshakes stay within the caps" {
	python3 "$AUX" hostile
	mkstream exts.txt >exts.tfs
	tf-tls -j <exts.tfs >j
	[ "$(jq -r '.ja3_string | split(",")[2] | split("-") | length' j)" = 128 ]
	mkstream certs.txt >certs.tfs
	tf-tls <certs.tfs | tf-cat -j >a
	[ "$(jq -r 'select(.key == "tls.certificate")' a | grep -c index)" = 16 ]
	[ "$(jq -r 'select(.key == "tls.session") | .value | fromjson | .certificates' a)" = 10000 ]
	mkstream huge.txt >huge.tfs
	tf-tls -k "$TLS/tls13-aes128gcm.keys" <huge.tfs 2>err >/dev/null
	[ "$(cat err)" = 'tf-tls: connection 1: not decrypted: no keys for this session
tf-tls: connection 1 direction 1 at byte 47: handshake message over 64 KiB: skipped' ]
	mkstream bogus.txt >bogus.tfs
	tf-tls -j <bogus.tfs 2>err >j
	[ "$(cat err)" = 'tf-tls: connection 1 direction 0 at byte 0: malformed ClientHello
tf-tls: connection 1 direction 1 at byte 47: handshake message over 64 KiB: skipped' ]
	[ "$(jq -r '[.version, .decrypted, .why] | @tsv' j)" = 'TLSv1.2	false	malformed ClientHello' ]
}

# The number of connection 1's layer (tf-stream(5): 1 with bit 63 set).
L1=9223372036854775809

@test "tf-tls -K: the plaintext as without -K, the ciphertext beside it as tf-split writes it without tf-tls" {
	local p n f
	for p in "$TLS"/tls1*.pcap "$TLS"/nginx-h*.pcap; do
		n=${p##*/}
		n=${n%.pcap}
		mkdir "$n"
		tf-reassemble -r "$p" >"$n/in.tfs"
		tf-split -o "$n/wire" <"$n/in.tfs" >/dev/null
		tf-tls -k "$TLS/$n.keys" <"$n/in.tfs" | tf-split -o "$n/plain" >/dev/null
		tf-tls -K -k "$TLS/$n.keys" <"$n/in.tfs" 2>"$n/err" |
		    tf-split -o "$n/both" >/dev/null
		[ ! -s "$n/err" ]
		# The plaintext files, and the wire's with -TLS: no other.
		[ "$(cd "$n/both" && ls | LC_ALL=C sort)" = "$({ ls "$n/plain"; ls "$n/wire" | sed 's/$/-TLS/'; } | LC_ALL=C sort)" ]
		for f in $(ls "$n/plain"); do
			cmp "$n/plain/$f" "$n/both/$f"
		done
		for f in $(ls "$n/wire"); do
			cmp "$n/wire/$f" "$n/both/$f-TLS"
		done
	done
	# Both directions of both connections of the resumption.
	[ "$(ls tls13-resume/both | grep -c -- '-TLS$')" = 4 ]
}

@test "tf-tls -K: the layer's number, flags, link and CLOSE, as tf-stream(5) says" {
	local n=tls13-aes128gcm
	tf-reassemble -r "$TLS/$n.pcap" >in.tfs
	tf-tls -K -k "$TLS/$n.keys" <in.tfs >out.tfs 2>err
	[ ! -s err ]
	# The layer opens after its connection, before a byte of its own,
	# and closes before it.
	tf-cat <out.tfs | grep -E "^(open|close) |^annot 1 - tls.ciphertext |^(data|gap) $L1 " |
	    cut -d' ' -f1-2 | uniq -c | sed 's/^ *//' >got
	[ "$(cat got)" = "1 open 1
1 open $L1
1 annot 1
13 data $L1
1 close $L1
1 close 1" ]
	[ "$(tf-cat <out.tfs | grep "^open $L1 ")" = "open $L1 2026-12-04T09:58:01.936768Z 127.0.0.1:41848 > 127.0.0.1:4433 counter 0 packet 1 ether 00:00:00:00:00:00 > 00:00:00:00:00:00 syn,mac,layer of 1" ]
	[ "$(tf-cat <out.tfs | grep "tls.ciphertext")" = "annot 1 - tls.ciphertext \"$L1\"" ]
	# Its CLOSE is connection 1's.
	[ "$(tf-cat <out.tfs | grep "^close $L1 " | sed "s/^close $L1 /close 1 /")" = "$(tf-cat <out.tfs | grep '^close 1 ')" ]
	tf-cat -j <out.tfs | grep -c '"conn":9223372036854775809,.*"flags":\["syn","mac","layer"\],"link":1}$' >c
	[ "$(cat c)" = 1 ]
	# Without the layer and its annotation, the stream of tf-tls without -K.
	tf-tls -k "$TLS/$n.keys" <in.tfs | tf-cat | grep -v tls.command >a
	tf-cat <out.tfs | grep -v -e "^[a-z]* $L1 " -e tls.command -e tls.ciphertext >b
	diff a b
	# The session says it was decrypted.
	tf-cat -j <out.tfs | jq -c 'select(.key == "tls.session") | .value | fromjson | [.alpn, .decrypted, has("why")]' >w
	[ "$(cat w)" = '["http/1.1",true,false]' ]
	# A second tf-tls -K leaves both alone.
	tf-tls -K -k "$TLS/$n.keys" <out.tfs 2>err | tf-cat | grep -v tls.command >c
	tf-cat <out.tfs | grep -v tls.command >d
	[ ! -s err ]
	diff c d
}

@test "tf-tls -K: a connection whose layer number the input already holds keeps no ciphertext, said" {
	local n=tls13-aes128gcm
	tf-reassemble -r "$TLS/$n.pcap" >in.tfs
	# A forged layer of connection 1 just after its OPEN.
	printf 'nopreamble\nopen conn=%s flags=layer link=1\n' "$L1" | mkstream >layer.rec
	python3 -c '
import struct, sys
s = open("in.tfs", "rb").read()
i = 16
while struct.unpack_from("<IH", s, i)[1] != 2:
	i += struct.unpack_from("<I", s, i)[0]
i += struct.unpack_from("<I", s, i)[0]
sys.stdout.buffer.write(s[:i] + open("layer.rec", "rb").read() + s[i:])' >forged.tfs
	tf-tls -K -k "$TLS/$n.keys" <forged.tfs >out.tfs 2>err
	[ "$(cat err)" = 'tf-tls: connection 1 already has a layer in the input: its ciphertext is not kept' ]
	# The plaintext as without -K; the forged layer alone, untouched.
	tf-tls -k "$TLS/$n.keys" <in.tfs | tf-cat | grep -v tls.command >a
	tf-cat <out.tfs | grep -v -e "^open $L1 " -e tls.command >b
	diff a b
	[ "$(tf-cat <out.tfs | grep -c " $L1 ")" = 1 ]
	! grep -q tls.ciphertext b
}

@test "tf-tls -K: the layer carries the GAP records as they came" {
	local n=tls13-aes128gcm s
	python3 "$AUX" drop "$TLS/$n.pcap" cut.pcap 2
	tf-reassemble -q -r cut.pcap >in.tfs
	tf-tls -K -k "$TLS/$n.keys" <in.tfs >out.tfs 2>err
	[ ! -s err ]
	[ "$(tf-cat <in.tfs | grep '^gap ')" = 'gap 1 < 1972+1448 lost' ]
	[ "$(tf-cat <out.tfs | grep '^gap ')" = "gap $L1 < 1972+1448 lost
gap 1 < 41+16384 lost" ]
	tf-split -o wire <in.tfs >/dev/null
	tf-split -o both <out.tfs >/dev/null
	s=$(ls wire | grep '^127.000.000.001.04433-')
	cmp "wire/$s" "both/$s-TLS"
}

@test "tf-tls -K: a connection not decrypted gets no layer" {
	local n=tls13-aes256gcm
	: >empty.keys
	tf-reassemble -r "$TLS/$n.pcap" >in.tfs
	tf-tls -K -k empty.keys <in.tfs 2>err >out.tfs
	[ "$(cat err)" = 'tf-tls: connection 1: not decrypted: no keys for this session' ]
	tf-tls -k empty.keys <in.tfs 2>/dev/null | tf-cat | grep -v tls.command >a
	tf-cat <out.tfs | grep -v tls.command >b
	diff a b
	! grep -q -e layer -e tls.ciphertext b
}

@test "tf-tls -K | tf-http: the bodies as without -K, the layer passed on untouched" {
	tf-reassemble -r "$TLS/nginx-h1.pcap" | tf-tls -K -k "$TLS/nginx-h1.keys" >t.tfs
	tf-http -o obj <t.tfs >h.tfs 2>err
	[ ! -s err ]
	cmp obj/*-HTTPBODY-001.html "$TLS/nginx.expected/page.html"
	cmp obj/*-HTTPBODY-002.json "$TLS/nginx.expected/data.json"
	cmp obj/*-HTTPBODY-003 "$TLS/nginx.expected/blob.bin"
	[ "$(ls obj | wc -l)" = 3 ]
	tf-cat <t.tfs | grep "^[a-z]* $L1 " >a
	tf-cat <h.tfs | grep "^[a-z]* $L1 " >b
	diff a b
	[ "$(wc -l <a)" -gt 10 ]
}

@test "tf-tls -K: tf-merge numbers the layers of the shards from their connections" {
	local n=tls13-resume k N f files
	tf-reassemble -q -r "$TLS/$n.pcap" | tf-tls -K -k "$TLS/$n.keys" >single.tfs
	for N in 2 3; do
		files=()
		for ((k = 0; k < N; k++)); do
			tf-reassemble -q -S "$k/$N" -r "$TLS/$n.pcap" |
			    tf-tls -K -k "$TLS/$n.keys" >"sh.$k.tfs"
			files+=("sh.$k.tfs")
		done
		tf-merge "${files[@]}" >merged.tfs
		tf-cat <single.tfs | grep -v -e '^header ' -e '\.command ' >a
		tf-cat <merged.tfs | grep -v -e '^header ' -e '\.command ' >b
		diff a b
	done
	# A shard numbers by packet: connection 56 and its layer, 2 merged.
	for f in sh.*.tfs; do tf-cat <"$f"; done | grep -c -e '^open 56 ' -e '^open 9223372036854775864 .*,layer of 56$' -e '^annot 56 - tls.ciphertext "9223372036854775864"$' >c
	tf-cat <merged.tfs | grep -c -e '^open 2 ' -e '^open 9223372036854775810 .*,layer of 2$' -e '^annot 2 - tls.ciphertext "9223372036854775810"$' >d
	[ "$(cat c) $(cat d)" = '3 3' ]
}

@test "tf-merge: a forged shard's layer of nothing and second layer are left out, said" {
	# One shard: connection 5, a layer of connection 7 (never opened),
	# 5's layer, its annotation, then 5's layer opened again.
	printf '%s\n' header 'annot conn=0 key=reassemble.shard value="0/1"' \
	    'raw kind=8 hex=010000000000000000000000000000000000000000000000' \
	    'open conn=5' 'open conn=9223372036854775815 flags=layer link=7' \
	    'data conn=9223372036854775815 dir=0 off=0 text="x"' \
	    'open conn=9223372036854775813 flags=layer link=5' \
	    'annot conn=5 dir=255 key=tls.ciphertext value="9223372036854775813"' \
	    'open conn=9223372036854775813 flags=layer link=5' \
	    'data conn=9223372036854775813 dir=0 off=0 text="y"' \
	    'close conn=9223372036854775813' 'close conn=5' end | mkstream >s.tfs
	rc=0
	tf-merge s.tfs >m.tfs 2>err || rc=$?
	[ "$rc" = 1 ]
	[ "$(cat err)" = "tf-merge: 3 records about connections never opened dropped" ]
	tf-cat <m.tfs | grep -v -e '^header ' -e '^annot 0 ' -e '^end ' | cut -d' ' -f1-3 >got
	[ "$(cat got)" = "open 1 1970-01-01T00:00:00.000000Z
open $L1 1970-01-01T00:00:00.000000Z
annot 1 -
data $L1 >
close $L1 1970-01-01T00:00:00.000000Z
close 1 1970-01-01T00:00:00.000000Z" ]
	[ "$(tf-cat <m.tfs | grep -c -e "layer of 1\$" -e "tls.ciphertext \"$L1\"\$" -e "^data $L1 > 0+1 \"y\"\$")" = 3 ]
}

@test "tf-tls -K | tf-split | tf-report: the layer's files as fileobjects of their own, linked, counted once" {
	local n=tls13-aes128gcm FO="//*[local-name()='fileobject']" TFA="*[local-name()='tcpflow']"
	tf-reassemble -r "$TLS/$n.pcap" | tf-split -o wire >/dev/null
	tf-reassemble -r "$TLS/$n.pcap" | tf-tls -K -k "$TLS/$n.keys" |
	    tf-split -o flows >s.tfs
	tf-report <s.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml 2>/dev/null
	[ "$(xmllint --xpath "count($FO)" r.xml)" = 4 ]
	[ "$(xmllint --xpath "count($FO[$TFA/@layer='ciphertext'][$TFA/@link='1'][$TFA/@conn='$L1'])" r.xml)" = 2 ]
	[ "$(xmllint --xpath "count($FO[not($TFA/@layer)][$TFA/@link='$L1'][$TFA/@conn='1'])" r.xml)" = 2 ]
	# The layer's digest is the wire's.
	s=$(ls wire | grep '^127.000.000.001.04433-')
	[ "$(xmllint --xpath "string($FO[$TFA/@layer][$TFA/@dir='1']/*[local-name()='hashdigest'][@type='md5'])" r.xml)" = "$(md5sum <"wire/$s" | cut -d' ' -f1)" ]
	[ "$(xmllint --xpath "string($FO[$TFA/@layer][$TFA/@dir='1']/*[local-name()='filename'])" r.xml)" = "flows/$s-TLS" ]
	tf-report -j <s.tfs | jq -c 'select(.layer != null) | [.dir, .layer, .link]' >j
	[ "$(cat j)" = '[0,"ciphertext",1]
[1,"ciphertext",1]' ]
	# The summary counts the connection once, its bytes once.
	tf-report -t text <s.tfs >t.txt
	grep -qxF 'connections  1 (fin 1)' t.txt
	grep -qxF 'layers       2 ciphertext directions (tf-tls -K), not counted here' t.txt
	grep -qxF 'bytes        53 client to server, 20069 server to client' t.txt
	grep -qxF 'server ports 4433 (1 conns, 20122 bytes)' t.txt
	tf-report -t html <s.tfs >p.html
	grep -qF '<tr><th>connections</th><td class="n">1</td></tr>' p.html
	grep -qF '<tr><th>directions (fileobjects)</th><td class="n">2</td></tr>' p.html
	grep -qF '<tr><th>ciphertext layers (fileobjects, not counted here)</th><td class="n">2</td></tr>' p.html
}

@test "tf-tls | tf-http: the HTTPS bodies, byte for byte" {
	tf-reassemble -r "$TLS/nginx-h1.pcap" | tf-tls -k "$TLS/nginx-h1.keys" |
	    tf-http -o obj >/dev/null
	# The responses, in the order of the requests.
	cmp obj/*-HTTPBODY-001.html "$TLS/nginx.expected/page.html"
	cmp obj/*-HTTPBODY-002.json "$TLS/nginx.expected/data.json"
	cmp obj/*-HTTPBODY-003 "$TLS/nginx.expected/blob.bin"
	[ "$(ls obj | wc -l)" = 3 ]
}

@test "tf-tls: a capture that starts after the handshake passes on, said once" {
	mkstream >mid.tfs <<'S'
header linktype=1
open conn=1 ts=1 src=192.0.2.1 sport=40000 dst=192.0.2.2 dport=443 flags=midstream
data conn=1 dir=1 off=0 hex=17030300050102030405170303000401020304
data conn=1 dir=0 off=0 hex=0102170303000401020304
close conn=1
end packets=1
S
	: >empty.keys
	tf-tls -k empty.keys <mid.tfs >out.tfs 2>err
	[ "$(cat err)" = 'tf-tls: connection 1: not decrypted: handshake not seen' ]
	tf-cat <out.tfs | grep -v '^annot 0 ' >got
	[ "$(grep -c '^data' got)" = 2 ]
	[ "$(grep tls.session got)" = 'annot 1 - tls.session "{\"certificates\":0,\"decrypted\":false,\"why\":\"handshake not seen\"}"' ]
	# Before the first record of application data.
	[ "$(sed -n 3p got | cut -c1-17)" = 'annot 1 - tls.ses' ]
	[ "$(sed -n 4p got | cut -c1-6)" = 'data 1' ]
}

@test "tf-tls: an unsupported suite with keys: the held records come back as they were" {
	python3 "$AUX" hostile
	mkstream ccm.txt >ccm.tfs
	printf 'CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n' \
	    "$(printf '11%.0s' $(seq 32))" "$(printf 'ab%.0s' $(seq 32))" >ccm.keys
	tf-tls -k ccm.keys <ccm.tfs >out.tfs 2>err
	[ "$(cat err)" = 'tf-tls: connection 1: not decrypted: unsupported cipher suite' ]
	tf-cat <ccm.tfs >a
	tf-cat <out.tfs | grep -v ' tls\.' >b
	diff a b
	tf-cat -j <out.tfs | jq -r 'select(.kind != "header") | .kind + " " + (.key // "")' |
	    grep -v command >order
	[ "$(cat order)" = 'open 
annot tls.session
data 
data 
close 
end ' ]
	tf-cat -j <out.tfs | jq -r 'select(.key == "tls.session") | .value | fromjson | [.version, .cipher, .why] | @tsv' >w
	[ "$(cat w)" = 'TLSv1.3	TLS_AES_128_CCM_SHA256	unsupported cipher suite' ]
}

@test "tf-tls: tls.alpn h2 before the plaintext of an HTTP/2 connection (TLS 1.2, curl --http2)" {
	tf-reassemble -r "$TLS/nginx-h2.pcap" | tf-tls -k "$TLS/nginx-h2.keys" |
	    tf-cat -j >a.json
	jq -r 'select(.kind == "annot" or .kind == "data") |
	    "\(.kind) \(.dir) \(.key // "") \(.offset // "")"' a.json |
	    grep -v command | head -4 >order
	[ "$(cat order)" = 'annot 1 tls.certificate 
annot 255 tls.session 
annot 255 tls.alpn 
data 1  0' ]
	[ "$(jq -r 'select(.key == "tls.alpn") | .value' a.json)" = h2 ]
	# (Not valid UTF-8 as a whole: tf-cat writes it as hex.)
	jq -r 'select(.kind == "data" and .dir == 0 and .offset == 0) | .data_hex' a.json |
	    cut -c1-48 >preface
	[ "$(cat preface)" = "$(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' | xxd -p)" ]
	[ "$(jq -r 'select(.key == "tls.session") | .value | fromjson | [.version, .cipher, .decrypted] | @tsv' a.json)" = 'TLSv1.2	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384	true' ]
}

@test "tf-tls: past 10 connections not decrypted, one line sums the rest up" {
	python3 "$AUX" hostile
	{
		echo 'header linktype=1'
		for c in $(seq 12); do
			sed -n "s/conn=1 /conn=$c /p" ccm.txt | grep -v '^header\|^end\|^close'
		done
		for c in $(seq 12); do
			echo "close conn=$c"
		done
		echo 'end packets=1'
	} | mkstream >many.tfs
	: >empty.keys
	tf-tls -k empty.keys <many.tfs 2>err >/dev/null
	[ "$(grep -c 'not decrypted: no keys for this session$' err)" = 10 ]
	[ "$(tail -1 err)" = 'tf-tls: 12 TLS connections not decrypted' ]
	[ "$(wc -l <err)" = 11 ]
	tf-tls -q -k empty.keys <many.tfs 2>err >/dev/null
	[ ! -s err ]
}
