# SPDX-License-Identifier: BSD-2-Clause
# tf-http: transfer codings, decoding failures, header files (-A), -k's
# names; on tests/data/http/codings2.pcap, real loopback traffic made by
# tests/data/mkcodings2.sh (curl and tests/data/codings2.py, which wrote
# what it sent and received as the truth: codings2.expected/ and
# codings2.truth/).
bats_require_minimum_version 1.5.0

SRV=127.000.000.001.08080-127.000.000.001
CLI=127.000.000.001

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	HTTP=$DATA/http
	EXP=$HTTP/codings2.expected
	TRUTH=$HTTP/codings2.truth
}

# annot CONN-PORT: the response's http.message of the connection from
# local port CONN-PORT, in out.tfs, as one JSON line of the members asked
# in $2 (a jq object).
annot() {
	tf-cat -j <out.tfs | jq -c --arg p "$1" 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | select(.dir == "response" and (.file // .header_file // "" | contains($p))) | '"$2"
}

# hnull ARGS...: tf-http, the stream passed on thrown away.
hnull() {
	tf-http "$@" >/dev/null
}

# run_http ARGS...: tf-reassemble on the capture, then tf-http ARGS, the
# stream to out.tfs, tf-http's standard error to err.
run_http() {
	tf-reassemble <"$HTTP/codings2.pcap" | tf-http "$@" >out.tfs 2>err
}

WARN="tf-http: connection 5 direction 1 at byte 132: message 1: corrupt gzip data: body truncated at 15120 bytes
tf-http: connection 6 direction 1 at byte 129: message 1: coded data cut short
tf-http: 2 of 6 bodies not whole: 2 decode"

@test "http-codings2: transfer codings undone, then content codings: the plaintext served" {
	run_http -A -o obj
	[ "$(cat err)" = "$WARN" ]
	# Every file the server's truth names, and the four of the failures.
	{
		ls "$EXP"
		printf '%s\n' "${SRV}.42005-HTTPBODY-001-PARTIAL.txt" \
		    "${SRV}.42005-HTTPBODY-GZIP-001-PARTIAL" \
		    "${SRV}.42006-HTTPBODY-001-PARTIAL.txt" \
		    "${SRV}.42006-HTTPBODY-BR-001-PARTIAL"
	} | LC_ALL=C sort >want
	ls obj | LC_ALL=C sort | diff want -
	# gzip, chunked; gzip, chunked + br; deflate to the close; zstd,
	# chunked: byte for byte what the server encoded.
	for f in "$EXP"/*; do
		cmp "$f" "obj/${f##*/}"
	done
	[ "$(annot 42002 '[.transfer_encoding, .content_encoding, .length, .complete]')" = '["gzip, chunked","br",27000,true]' ]
	[ "$(annot 42003 '[.transfer_encoding, .content_length, .length, .complete]')" = '["deflate",null,24600,true]' ]
	[ "$(annot 42004 '[.transfer_encoding, .length, .complete]')" = '["zstd, chunked",26100,true]' ]
}

@test "http-codings2: a corrupt gzip body: decoded up to the bad block, the coded rest kept, the error said" {
	run_http -o obj
	[ "$(cat err)" = "$WARN" ]
	t=$TRUTH/$SRV.42005
	# The plaintext before the bad block, exactly.
	cmp "$t.good" "obj/$SRV.42005-HTTPBODY-001-PARTIAL.txt"
	a=$(annot 42005 '[.complete, .problem, .decode_error, .file_coded, .length, .body_length]')
	[ "$a" = "[false,\"decode\",\"corrupt gzip data\",\"obj/$SRV.42005-HTTPBODY-GZIP-001-PARTIAL\",$(stat -c %s "$t.good"),$(stat -c %s "$t.coded")]" ]
	# The coded bytes from coded_offset to the end, as sent; they start
	# at most 1 KiB (a decoding step) before the bad block.
	off=$(annot 42005 .coded_offset)
	bad=$(cat "$t.bad")
	[ "$off" -le "$bad" ]
	[ $((bad - off)) -le 1024 ]
	tail -c +$((off + 1)) "$t.coded" | cmp - "obj/$SRV.42005-HTTPBODY-GZIP-001-PARTIAL"
}

@test "http-codings2: a truncated br body: decoded as far as it goes, the coded rest kept" {
	run_http -o obj
	t=$TRUTH/$SRV.42006
	n=$(stat -c %s "obj/$SRV.42006-HTTPBODY-001-PARTIAL.txt")
	# A prefix of the plaintext, more than half of it (two thirds of the
	# brotli stream came), not all.
	[ "$n" -gt $(($(stat -c %s "$t.plain") / 2)) ]
	[ "$n" -lt "$(stat -c %s "$t.plain")" ]
	cmp -n "$n" "$t.plain" "obj/$SRV.42006-HTTPBODY-001-PARTIAL.txt"
	[ "$(annot 42006 '[.complete, .problem, .decode_error, .file_coded]')" = "[false,\"decode\",\"coded data cut short\",\"obj/$SRV.42006-HTTPBODY-BR-001-PARTIAL\"]" ]
	off=$(annot 42006 .coded_offset)
	[ "$off" -lt "$(stat -c %s "$t.coded")" ]
	tail -c +$((off + 1)) "$t.coded" | cmp - "obj/$SRV.42006-HTTPBODY-BR-001-PARTIAL"
}

@test "http-codings2: -k: the bodies as sent, named as tcpflow 1.2 named them; no other file for a failure" {
	run_http -k -o obj
	[ "$(cat err)" = "$WARN" ]
	[ "$(ls obj | grep -- -HTTPBODY-[A-Z])" = "$SRV.42001-HTTPBODY-GZIP-001
$SRV.42002-HTTPBODY-GZIP-001
$SRV.42003-HTTPBODY-DEFLATE-001
$SRV.42004-HTTPBODY-ZSTD-001
$SRV.42005-HTTPBODY-GZIP-001
$SRV.42006-HTTPBODY-BR-001" ]
	# Each the body as the server coded it, de-chunked; a failed one
	# whole too, nothing PARTIAL.
	for f in obj/*-HTTPBODY-[A-Z]*; do
		p=${f#obj/$SRV.}
		cmp "$TRUTH/$SRV.${p%%-*}.coded" "$f"
	done
	gzip -dc "obj/$SRV.42001-HTTPBODY-GZIP-001" | cmp - "$EXP/$SRV.42001-HTTPBODY-001.txt"
	[ "$(annot 42005 '[.file_sent, .file_coded, .coded_offset, .decode_error]')" = "[\"obj/$SRV.42005-HTTPBODY-GZIP-001\",null,null,\"corrupt gzip data\"]" ]
}

@test "http-codings2: -A: every header block as sent, requests and responses, body or not; tf-report lists them" {
	run_http -A -o obj
	for p in 42001 42002 42003 42004 42005 42006; do
		cmp "$EXP/$CLI.$p-127.000.000.001.08080-HTTP-001" "obj/$CLI.$p-127.000.000.001.08080-HTTP-001"
		cmp "$EXP/$SRV.$p-HTTP-001" "obj/$SRV.$p-HTTP-001"
	done
	# A request without a body: its header file, named in its annotation.
	tf-cat -j <out.tfs | jq -c 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | select(.dir == "request") | [.header_file, .header_length, .file]' | sed -n 1p >got
	[ "$(cat got)" = "[\"obj/$CLI.42001-127.000.000.001.08080-HTTP-001\",93,null]" ]
	tf-report <out.tfs >report.xml
	xmllint --noout --schema "$XSD" report.xml 2>/dev/null
	xmllint --xpath "//*[local-name()='header']/*[local-name()='fileobject']/*[local-name()='filename']/text()" report.xml | LC_ALL=C sort >names
	ls obj | grep -- -HTTP- | sed 's|^|obj/|' | LC_ALL=C sort | diff - names
	[ "$(wc -l <names)" = 12 ]
	# The sizes, as in the annotations; in JSON too.
	tf-report -j <out.tfs | jq -r '.http[]? | select(.header_filename) | "\(.header_filesize) \(.header_filename)"' | LC_ALL=C sort -k 2 >sizes
	for f in obj/*-HTTP-*; do echo "$(stat -c %s "$f") $f"; done | LC_ALL=C sort -k 2 | diff - sizes
}

@test "http-codings2: an unknown transfer coding: the body as sent, warned" {
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		echo 'data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nTransfer-Encoding: compress, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"'
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte 0: message 1: transfer coding 'compress, chunked' not decoded: body written as sent" ]
	[ "$(cat obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001)" = abc ]
}

@test "http-codings2: -A with a header block over -H: what was kept, -PARTIAL; a bodiless response gets its file too" {
	big=$(head -c 2000 /dev/zero | tr '\0' a)
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		echo "data conn=1 dir=1 off=0 text=\"HTTP/1.1 200 OK\r\nX-A: 1\r\nX: $big\r\nContent-Length: 1\r\n\r\nyHTTP/1.1 204 No Content\r\nX-B: 2\r\n\r\n\""
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
	run -0 --separate-stderr hnull -A -H 1024 -o obj <in.tfs
	# (The cut itself is said by tf-http's -H handling, issue 10 item 3.)
	[ "$stderr" = "tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 1024 bytes (-H)" ]
	S=obj/010.000.000.002.00080-010.000.000.001.05000
	[ "$(ls obj)" = "${S#obj/}-HTTP-001-PARTIAL
${S#obj/}-HTTP-002
${S#obj/}-HTTPBODY-001" ]
	# The lines kept before the cut, as sent.
	[ "$(cat "$S-HTTP-001-PARTIAL")" = "$(printf 'HTTP/1.1 200 OK\r\nX-A: 1\r\n')" ]
	[ "$(cat "$S-HTTP-002")" = "$(printf 'HTTP/1.1 204 No Content\r\nX-B: 2\r\n\r\n')" ]
	[ "$(cat "$S-HTTPBODY-001")" = y ]
	tf-http -A -H 1024 -o obj2 <in.tfs 2>/dev/null | tf-cat -j | jq -c 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | [.n, .header_file, .header_length]' >got
	[ "$(cat got)" = '[1,"obj2/010.000.000.002.00080-010.000.000.001.05000-HTTP-001-PARTIAL",25]
[2,"obj2/010.000.000.002.00080-010.000.000.001.05000-HTTP-002",35]' ]
}

@test "http-codings2: the coded rest is the same however the body is cut into records" {
	t=$TRUTH/$SRV.42005
	head=$(xxd -p "$EXP/$SRV.42005-HTTP-001" | tr -d '\n')
	hlen=$(stat -c %s "$EXP/$SRV.42005-HTTP-001")
	bad=$(cat "$t.bad")
	for size in 1 7 100 1500 65536; do
		{
			echo 'header linktype=1 source=x.pcap'
			echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
			echo "data conn=1 dir=1 off=0 hex=$head"
			python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
n, off = int(sys.argv[2]), int(sys.argv[3])
for i in range(0, len(b), n):
    print("data conn=1 dir=1 off=%d hex=%s" % (off + i, b[i:i + n].hex()))
' "$t.coded" "$size" "$hlen"
			echo 'close conn=1 cause=fin'
			echo 'end packets=1'
		} | mkstream >in.tfs
		tf-http -o "o$size" <in.tfs 2>err | tf-cat -j | jq -r 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | "\(.coded_offset) \(.decode_error)"' >got
		# Said at the record that holds the bad block's first byte.
		[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte $((hlen + bad / size * size)): message 1: corrupt gzip data: body truncated at 15120 bytes
tf-http: 1 of 1 body not whole: 1 decode" ]
		read -r off why <got
		[ "$why" = "corrupt gzip data" ]
		[ "$off" -le "$bad" ]
		[ $((bad - off)) -le 1024 ]
		cmp "$t.good" "o$size/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001-PARTIAL.txt"
		tail -c +$((off + 1)) "$t.coded" | cmp - "o$size/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-GZIP-001-PARTIAL"
	done
}

@test "http-codings2: a decoder that takes 256 KiB and gives nothing: the latest 256 KiB of coded bytes kept, and said where" {
	# gzip: its header, 60000 empty stored blocks (5 bytes each, no
	# output), then a block of the invalid type 3.
	python3 -c '
import sys
b = bytes.fromhex("1f8b0800000000000003") + bytes.fromhex("000000ffff") * 60000 + b"\x07"
sys.stdout.buffer.write(b)' >coded
	[ "$(stat -c %s coded)" = 300011 ]
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		echo 'data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 300011\r\n\r\n"'
		python3 -c '
import sys
b = open("coded", "rb").read()
for i in range(0, len(b), 1000):
    print("data conn=1 dir=1 off=%d hex=%s" % (67 + i, b[i:i + 1000].hex()))
'
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
	tf-http -o obj <in.tfs 2>err | tf-cat -j | jq -c 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | [.file, .file_coded, .coded_offset, .problem, .decode_error]' >got
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 300067: message 1: corrupt gzip data: body truncated at 0 bytes
tf-http: 1 of 1 body not whole: 1 decode" ]
	# The last record began at 300000: the 256 KiB before it, and it.
	[ "$(cat got)" = '[null,"obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-GZIP-001-PARTIAL",37856,"decode","corrupt gzip data"]' ]
	tail -c +37857 coded | cmp - obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-GZIP-001-PARTIAL
}
