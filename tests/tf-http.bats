# SPDX-License-Identifier: BSD-2-Clause
# tf-http: framing, pairing, content codings, body files, annotations,
# malformed messages, limits, flow files.
bats_require_minimum_version 1.5.0

C2S=010.000.000.001.05000-010.000.000.002.00080
S2C=010.000.000.002.00080-010.000.000.001.05000
# Folded before the option that would pass column 80.
USAGE='usage: tf-http [-AhjkqsV] [-C conns] [-F tTkmg] [-H bytes] [-M bytes] [-m bytes]
               [-n fields] [-o dir] [-R ratio] [-T template] [-w log] [file ...]'

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	HTTP=$DATA/http
}

# stream TEXT...: a stream with one connection 10.0.0.1:5000 -> 10.0.0.2:80
# whose records are the mkstream lines on stdin, written to in.tfs.
stream() {
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		cat
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
}

# hnull ARGS...: tf-http, the stream passed on thrown away.
hnull() {
	tf-http "$@" >/dev/null
}

# msgs: the http.message values in the stream on stdin, one per line.
msgs() {
	tf-cat -j | jq -r 'select(.kind == "annot" and .key == "http.message") | .value'
}

@test "tf-http: real capture: every coding and framing, bodies as served" {
	tf-reassemble <"$HTTP/codings.pcap" >in.tfs
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	diff -r obj "$HTTP/codings.expected"
}

@test "tf-http: real capture: one annotation per message, stream passed on" {
	tf-reassemble <"$HTTP/codings.pcap" >in.tfs
	tf-http -o obj <in.tfs >out.tfs
	msgs <out.tfs >m
	[ "$(wc -l <m)" = 27 ]
	# The stream passes through whole: tf-split writes the same flows.
	tf-split -o a <in.tfs
	tf-split -o b <out.tfs
	diff -r a b
}

@test "tf-http: HEAD, 204 and 304 carry no body and swallow nothing" {
	tf-reassemble <"$HTTP/codings.pcap" | tf-http -o obj | msgs >m
	run jq -c 'select(.dir == "response" and (.status == 204 or .status == 304 or .method == "HEAD")) | [.n, .status, .method, .body_length, .complete]' m
	[ "$output" = '[3,200,"HEAD",0,true]
[5,204,"GET",0,true]
[7,304,"GET",0,true]' ]
	# The responses after them are whole.
	run jq -c 'select(.dir == "response" and (.n == 4 or .n == 6 or .n == 8) and .request != null) | [.n, .file, .length, .complete]' m
	[ "${lines[0]}" = '[4,"obj/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-004.css",2510,true]' ]
	[ "${lines[1]}" = '[6,"obj/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-006.json",2702,true]' ]
	[ "${lines[2]}" = '[8,"obj/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-008.svg",1777,true]' ]
}

@test "tf-http: 100 Continue, chunked upload with extensions and trailer" {
	tf-reassemble <"$HTTP/codings.pcap" | tf-http -o obj | msgs >m
	run jq -c 'select(.file != null and (.file | contains("40002-127"))) | [.dir, .n, .method, .transfer_encoding, .body_offset, .length]' m
	[ "${lines[0]}" = '["request",1,"POST","chunked",145,1403]' ]
	[ "${lines[1]}" = '["request",2,"PUT",null,1722,1130]' ]
	run jq -c 'select(.status == 100) | [.n, .body_length]' m
	[ "$output" = '[1,0]' ]
}

@test "tf-http: annotation fields, body offset as tcpflow's byte_run" {
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-http -o obj | msgs >m
	run jq -c 'select(.dir == "response") | [.n, .status, .content_type, .content_length, .body_offset, .file, .length, .complete]' m
	[ "${lines[0]}" = '[1,200,"text/plain",317,239,"obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-001.txt",317,true]' ]
	[ "${lines[1]}" = '[2,200,"application/octet-stream",3000,805,"obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002",3000,true]' ]
	run jq -c 'select(.dir == "request") | [.n, .method, .uri, .host, .offset]' m
	[ "${lines[0]}" = '[1,"GET","/small.txt","127.0.0.1:8080",0]' ]
	[ "${lines[1]}" = '[2,"GET","/bin3000.bin","127.0.0.1:8080",115]' ]
}

@test "tf-http: real nginx captures: bodies equal the bytes served" {
	exp=$DATA/real/keepalive.expected/127.000.000.001.08080-127.000.000.001.44866
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-http -o obj >/dev/null
	tail -c 3000 "$exp" | cmp - obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002
	head -c 556 "$exp" | tail -c 317 | cmp - obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-001.txt
	for p in http ipv6 rst; do
		rm -rf o
		tf-reassemble <"$DATA/real/$p.pcap" | tf-http -o o >/dev/null
		f=$(ls o)
		[ "$(wc -l <<<"$f")" = 1 ]
		[ "$(stat -c %s "o/$f")" = 317 ]
	done
}

@test "tf-http: file times are the message's packet time" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 ts=1700000123.5 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
	EOF
	tf-http -o obj <in.tfs >/dev/null
	[ "$(stat -c %Y "obj/$S2C-HTTPBODY-001")" = 1700000123 ]
}

@test "tf-http: -k keeps the body as sent" {
	tf-reassemble <"$HTTP/codings.pcap" | tf-http -k -o obj >/dev/null
	# Named as tcpflow 1.2 named them, -HTTPBODY-GZIP, with the number.
	S=obj/127.000.000.001.08080-127.000.000.001.40001
	gzip -dc "$S-HTTPBODY-GZIP-004" | cmp - "$S-HTTPBODY-004.css"
	[ -e "$S-HTTPBODY-DEFLATE-001" ]
	[ -e "$S-HTTPBODY-BR-006" ]
	[ -e "$S-HTTPBODY-ZSTD-008" ]
	# Stacked "gzip, br": as sent is brotli outside.
	[ -e "$S-HTTPBODY-BR-009" ]
	[ "$(ls obj | grep -c -- -HTTPBODY-[A-Z])" = 6 ]
}

@test "tf-http: -j gives one JSON line per request and response pair" {
	tf-reassemble <"$HTTP/codings.pcap" >in.tfs
	run -0 --separate-stderr tf-http -j -o obj <in.tfs
	[ "${#lines[@]}" = 13 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.orig_p == 40002) | [.request.method, .response.status]')" = '["POST",201]
["PUT",201]' ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -c '[.conn, .orig_h, .resp_p, .request.uri, .response.length]')" = '[1,"127.0.0.1",8080,"/raw-deflate.html",7004]' ]
}

@test "tf-http: -T names bodies with the template" {
	tf-reassemble <"$DATA/real/http.pcap" | tf-http -T '%a/%A' -o obj >/dev/null
	[ "$(cd obj && find . -type f)" = './08080/127.000.000.001-HTTPBODY-001.txt' ]
}

@test "tf-http: a gap mid-body: written up to it, PARTIAL, next message found" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234"
	gap conn=1 dir=1 off=43 len=5
	data conn=1 dir=1 off=48 text="HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	# The warning, then the summary of the bodies not whole.
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 43: message 1: 5 bytes missing from the capture
tf-http: 1 of 2 bodies not whole: 1 gap' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001-PARTIAL")" = 01234 ]
	[ "$(cat "obj/$S2C-HTTPBODY-002.txt")" = abc ]
	tf-http -q -o obj2 <in.tfs | msgs | jq -c '[.n, .complete, .problem]' >m
	[ "$(cat m)" = '[1,false,"gap"]
[2,true,null]' ]
}

@test "tf-http: a capture that starts mid-message resynchronises" {
	stream <<-'EOF'
	data conn=1 dir=1 off=5000 text="tail of a body\r\nHTTP/1.1 is not here\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = ok ]
}

@test "tf-http: bad chunk size: warning, PARTIAL, resync" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 57: message 1: bad chunk size
tf-http: 1 of 2 bodies not whole: 1 bad-chunk' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001-PARTIAL")" = hello ]
	[ "$(cat "obj/$S2C-HTTPBODY-002")" = x ]
}

@test "tf-http: chunk longer than its size" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 53: message 1: chunk data longer than its size
tf-http: connection 1 direction 1 at byte 57: 3 bytes that are not HTTP skipped
tf-http: 1 of 1 body not whole: 1 bad-chunk' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001-PARTIAL")" = hel ]
}

@test "tf-http: a Content-Length that lies: the body is cut" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	# The connection closed (FIN), the stream is whole: the body is
	# warned about itself, and counted as cut.
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 45: message 1: connection ended inside it
tf-http: 1 of 1 body not whole: 1 cut' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001-PARTIAL")" = short ]
}

@test "tf-http: a bad Content-Length is ignored" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nuntil close"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 0: message 1: bad Content-Length: ignored' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = 'until close' ]
}

@test "tf-http: header size and count limits: framing read past the cut" {
	big=$(head -c 2000 /dev/zero | tr '\0' a)
	stream <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 204 No Content\r\nX: $big\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"
	EOF
	run -0 --separate-stderr hnull -H 1024 -o obj <in.tfs
	[ "$stderr" = 'tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 1024 bytes (-H)' ]
	[ "$(ls obj)" = "$S2C-HTTPBODY-002" ]
	[ "$(cat "obj/$S2C-HTTPBODY-002")" = y ]
	tf-http -q -H 1024 -o obj1 <in.tfs | msgs >m
	[ "$(jq -c '[.n, .status, .headers_cut]' m)" = '[1,204,"bytes"]
[2,200,null]' ]
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
	EOF
	run -0 --separate-stderr hnull -n 2 -o obj2 <in.tfs
	[ "$stderr" = 'tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 2 fields (-n)' ]
	# Content-Type came after the cut: not read, no extension.
	[ "$(cat "obj2/$S2C-HTTPBODY-001")" = x ]
	run -0 --separate-stderr hnull -q -n 2 -o obj3 <in.tfs
	[ -z "$stderr" ]
}

@test "tf-http: corrupt gzip: written up to the damage, PARTIAL" {
	good=$(printf 'hello, world\n' | gzip -n | xxd -p | tr -d '\n')
	bad=${good:0:30}ffffffffffffffff${good:46}
	n=$(( ${#bad} / 2 ))
	stream <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: $n\r\n\r\n"
	data conn=1 dir=1 off=$((61 + ${#n})) hex=$bad
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	# How far zlib gets before it finds the damage depends on its
	# version: the body is written up to there (no file when that is
	# byte 0), and the warning says how far.
	ls -A obj >files
	s=0
	[ ! -e "obj/$S2C-HTTPBODY-001-PARTIAL" ] || s=$(stat -c %s "obj/$S2C-HTTPBODY-001-PARTIAL")
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte $((61 + ${#n})): message 1: corrupt gzip data: body truncated at $s bytes
tf-http: 1 of 1 body not whole: 1 decode" ]
	# The coded bytes from where decoding failed are kept: here, with
	# the damage in the first step, all of them.
	[ "$(grep -v -- -GZIP- files)" = "$([ "$s" = 0 ] || echo "$S2C-HTTPBODY-001-PARTIAL")" ]
	grep -qx -- "$S2C-HTTPBODY-GZIP-001-PARTIAL" files
	xxd -r -p <<<"$bad" | cmp - "obj/$S2C-HTTPBODY-GZIP-001-PARTIAL"
}

@test "tf-http: decompression bomb and size limits" {
	bomb=$(python3 -c 'import gzip,sys; sys.stdout.write(gzip.compress(b"\0" * (3 << 20), mtime=0).hex())')
	n=$(( ${#bomb} / 2 ))
	stream <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: $n\r\n\r\n"
	data conn=1 dir=1 off=$((61 + ${#n})) hex=$bomb
	EOF
	run -0 --separate-stderr hnull -R 100 -o obj <in.tfs
	s=$(stat -c %s "obj/$S2C-HTTPBODY-001-PARTIAL")
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte $((61 + ${#n})): message 1: decompression ratio limit reached: body truncated at $s bytes
tf-http: 1 of 1 body not whole: 1 limit" ]
	# (Two statements: set -e does not see the first of a && list.)
	[ "$s" -gt 1048576 ]
	[ "$s" -lt 1200000 ]
	run -0 --separate-stderr hnull -m 1000 -o obj2 <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte $((61 + ${#n})): message 1: decoded size limit reached: body truncated at 1000 bytes
tf-http: 1 of 1 body not whole: 1 limit" ]
	[ "$(stat -c %s "obj2/$S2C-HTTPBODY-001-PARTIAL")" = 1000 ]
	# The default ratio, 1000, stops this one too; -R 0 lifts it.
	run -0 hnull -R 0 -o obj3 <in.tfs
	[ "$(stat -c %s "obj3/$S2C-HTTPBODY-001")" = 3145728 ]
}

@test "tf-http: an unknown content coding is written as sent" {
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\nContent-Length: 3\r\n\r\nabc"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte 0: message 1: content coding 'compress' not decoded: body written as sent" ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = abc ]
}

@test "tf-http: a 101 upgrade ends HTTP on the connection" {
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 101 Switching Protocols\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	# Read as WebSocket frames ('H' is one of no sense), not as HTTP.
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte 36: websocket: a fragmented control frame: rest of the direction skipped" ]
	[ ! -e obj/* ]
}

@test "tf-http: flow files: paired by name, same bodies" {
	tf-reassemble <"$HTTP/codings.pcap" | tf-split -o flows >/dev/null
	run -0 --separate-stderr hnull -o obj flows/*
	[ -z "$stderr" ]
	diff -r obj "$HTTP/codings.expected"
}

@test "tf-http: flow files: -j pairs requests and responses" {
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-split -o flows >/dev/null
	run -0 tf-http -j -o obj flows/*
	[ "$(printf '%s\n' "${lines[@]}" | jq -c '[.client_flow, .request.uri, .response.file]')" = '["127.000.000.001.44866-127.000.000.001.08080","/small.txt","obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-001.txt"]
["127.000.000.001.44866-127.000.000.001.08080","/bin3000.bin","obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002"]' ]
}

@test "tf-http: never overwrites a body file" {
	mkdir obj
	echo old >"obj/127.000.000.001.08080-127.000.000.001.44856-HTTPBODY-001.txt"
	tf-reassemble <"$DATA/real/http.pcap" >in.tfs
	run -1 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = "tf-http: 'obj/127.000.000.001.08080-127.000.000.001.44856-HTTPBODY-001.txt' exists, not overwritten
tf-http: 1 file not made: 1 existed" ]
	[ "$(cat obj/*)" = old ]
}

@test "tf-http: usage errors exit 2; a pcap is not a stream" {
	run -2 --separate-stderr tf-http -x
	[ "$stderr" = "tf-http: invalid option -- 'x'
$USAGE" ]
	run -1 --separate-stderr tf-http -o obj <"$DATA/real/http.pcap"
	[ "$stderr" = "tf-http: not a tf stream at byte 0 (a packet capture: read it with tf-reassemble)" ]
}

@test "tf-http: a 1 MB body with losses and retransmissions, as served" {
	exp=$DATA/real/retrans-ooo.expected/127.000.000.001.08080-127.000.000.001.50840
	tf-reassemble <"$DATA/real/retrans-ooo.pcap" | tf-http -o obj >/dev/null
	tail -c 1000000 "$exp" | cmp - obj/127.000.000.001.08080-127.000.000.001.50840-HTTPBODY-001
}

@test "tf-http: memory does not grow with the body" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	stream <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n"
	data conn=1 dir=1 off=46 fill=104857600 byte=120
	EOF
	/usr/bin/time -f %M -o rss tf-http -o obj <in.tfs >/dev/null
	[ "$(stat -c %s "obj/$S2C-HTTPBODY-001")" = 104857600 ]
	# Well under the body's 100 MiB, with room for a sanitizer's runtime.
	[ "$(cat rss)" -lt 60000 ]
}

@test "tf-http: where tcpflow 1.6.1 is right, the same bodies and names" {
	command -v tcpflow >/dev/null || skip "no tcpflow"
	tcpflow -e http -r "$DATA/real/keepalive.pcap" -o tc >/dev/null 2>&1
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-http -o obj >/dev/null
	[ "$(cd tc && ls *HTTPBODY*)" = "$(ls obj)" ]
	for f in obj/*; do cmp "$f" "tc/${f#obj/}"; done
}

@test "tf-http: where tcpflow 1.6.1 is wrong: raw deflate, HEAD, requests" {
	command -v tcpflow >/dev/null || skip "no tcpflow"
	tcpflow -e http -r "$HTTP/codings.pcap" -o tc >/dev/null 2>&1
	p=127.000.000.001.08080-127.000.000.001.40001-HTTPBODY
	# tcpflow loses the raw deflate body; tf-http has it.
	[ ! -e "tc/$p-001.html" ]
	[ -e "$HTTP/codings.expected/$p-001.html" ]
	# tcpflow takes the response after HEAD's for its body.
	[ "$(stat -c %s "tc/$p-003.json")" = 336 ]
	[ ! -e "$HTTP/codings.expected/$p-003.json" ]
	# tcpflow extracts no request body.
	[ -z "$(cd tc && ls | grep '^127.000.000.001.40002-.*HTTPBODY' || true)" ]
}

@test "tf-http: a connection never closed: its annotation comes before END" {
	mkstream >in.tfs <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=1 off=0 text="HTTP/1.0 200 OK\r\n\r\nuntil the end"
	end packets=1
	EOF
	tf-http -o obj <in.tfs >out.tfs
	kinds=$(tf-cat -j <out.tfs | jq -r '.kind' | tail -n 2 | tr '\n' ' ')
	[ "$kinds" = 'annot end ' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = 'until the end' ]
}

@test "tf-http: request bodies: Content-Length and chunked, named after the client" {
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="POST /a HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloPUT /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	[ "$(ls obj)" = "$C2S-HTTPBODY-001.txt
$C2S-HTTPBODY-002" ]
	[ "$(cat "obj/$C2S-HTTPBODY-001.txt")" = hello ]
	[ "$(cat "obj/$C2S-HTTPBODY-002")" = abc ]
}

@test "tf-http: flow files written by tcpflow" {
	command -v tcpflow >/dev/null || skip "no tcpflow"
	tcpflow -r "$HTTP/codings.pcap" -o tc >/dev/null 2>&1
	run -0 --separate-stderr tf-http -o obj tc/127.*
	[ -z "$stderr" ]
	diff -r obj "$HTTP/codings.expected"
}

@test "tf-http: -F prefixes the template as tf-split does" {
	tf-reassemble <"$DATA/real/http.pcap" | tf-http -Fk -o obj >/dev/null
	[ "$(cd obj && find . -type f)" = './000/127.000.000.001.08080-127.000.000.001.44856-HTTPBODY-001.txt' ]
}

@test "tf-http: the shared tcpdump corpus: no crash, no sanitizer report" {
	[ -n "$SHARED" ] && [ -d "$SHARED/pcaps/tcpdump" ] ||
	    skip "no shared tcpdump captures (../shared/pcaps/tcpdump)"
	bad= n=0 sample=0
	# Under ASan, unless TF_FULL=1 (make check-full), one file in four
	# (make check's 15 minutes); the plain build takes them all.
	if [ "${TF_FULL:-}" != 1 ] && asan_build; then
		sample=1
	fi
	for f in "$SHARED"/pcaps/tcpdump/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		[ $sample = 0 ] || [ $((n % 4)) = 1 ] || continue
		rm -rf out
		if tf-reassemble -q <"$f" 2>/dev/null |
		    tf-http -q -o out >/dev/null 2>err; then
			st="${PIPESTATUS[*]}"
		else
			st="${PIPESTATUS[*]}"
		fi
		# Each 0, or 1: tf-reassemble for a capture it cannot read
		# whole, tf-http for a stream that is cut or not a stream.
		case $st in [01]" "[01]) ;; *) bad="$bad ${f##*/}:${st// /,}" ;; esac
	done
	[ -z "$bad" ] || { echo "failed:$bad"; false; }
}

@test "tf-http: in the pipeline of the issue, with tf-split and tf-report" {
	tf-reassemble <"$HTTP/codings.pcap" | tf-http -o objects/ |
	    tf-split -o flows/ | tf-report >r.xml
	diff -r objects "$HTTP/codings.expected"
	[ "$(ls flows | wc -l)" = 6 ]
	grep -q '<fileobject>' r.xml
}

@test "tf-http: each body's digests in its annotation equal md5sum, sha1sum and sha256sum of its file" {
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-http -o obj | tf-cat -j >s.json
	# MD5 and SHA-1 by default; -s adds SHA-256.
	run -0 jq -r 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | select(.file) | [has("md5"), has("sha1"), has("sha256")] | @tsv' s.json
	[ "$output" = "$(printf 'true\ttrue\tfalse\ntrue\ttrue\tfalse')" ]
	rm -r obj
	tf-reassemble <"$DATA/real/keepalive.pcap" | tf-http -s -o obj | tf-cat -j >s.json
	run -0 jq -r 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | select(.file) | [.file, .md5, .sha1, .sha256] | @tsv' s.json
	[ "${#lines[@]}" = 2 ]
	for l in "${lines[@]}"; do
		IFS=$'\t' read -r f m s1 s2 <<<"$l"
		[ "$(md5sum <"$f" | cut -d' ' -f1)" = "$m" ]
		[ "$(sha1sum <"$f" | cut -d' ' -f1)" = "$s1" ]
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$s2" ]
	done
	[ "$(md5sum <obj/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002 | cut -d' ' -f1)" = d373ce52bd7b41d19b2f5f4a28a58f6d ]
}

@test "tf-http: a hole in a sparse flow file is a gap: the body is partial, the next message found" {
	mkdir ff
	resp=ff/010.000.000.002.00080-010.000.000.001.05000
	req=ff/010.000.000.001.05000-010.000.000.002.00080
	printf 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n' >"$req"
	# Response 1 (10000 bytes of body) loses [4096, 8192): a hole.
	{ printf 'HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n'
	  head -c 4054 /dev/zero | tr '\0' A; } >"$resp"
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(8192); f.write(b"B" * 1850 + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"); f.close()' "$resp"
	[ "$(stat -c %s "$resp")" = 10085 ]
	run -0 --separate-stderr tf-http -o obj "$req" "$resp"
	[ "$stderr" = "tf-http: '${resp#ff/}' at byte 4096: message 1: 4096 bytes missing from the capture
tf-http: 1 of 2 bodies not whole: 1 gap" ]
	[ "$(ls obj)" = "010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001-PARTIAL
010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-002" ]
	[ "$(cat obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001-PARTIAL)" = "$(head -c 4054 /dev/zero | tr '\0' A)" ]
	[ "$(cat obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-002)" = hello ]
}

@test "tf-http: real nginx gzip capture: gzip + chunked bodies equal the files served" {
	tf-reassemble <"$HTTP/nginx-gzip.pcap" >in.tfs
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	diff -r obj "$HTTP/nginx-gzip.expected"
	tf-http -o obj2 <in.tfs | msgs >m
	run jq -c 'select(.dir == "response") | [.n, .status, .content_type, .content_encoding, .transfer_encoding, .length, .complete]' m
	[ "$output" = '[1,200,"text/html","gzip","chunked",30335,true]
[2,200,"application/json","gzip","chunked",6883,true]
[3,200,"text/css","gzip","chunked",3380,true]
[4,200,"application/octet-stream",null,null,5000,true]' ]
	run jq -c 'select(.dir == "request") | [.n, .method, .uri]' m
	[ "$output" = '[1,"GET","/page.html"]
[2,"GET","/data.json"]
[3,"GET","/style.css"]
[4,"GET","/blob.bin"]' ]
}

@test "tf-http: real nginx capture: a 50 MB body as served, in little memory" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	command -v xz >/dev/null || skip "no xz"
	python3 "$DATA/gen50m.py" >big.expected
	xz -dc "$HTTP/big50m.pcap.xz" | tf-reassemble | /usr/bin/time -f %M -o rss tf-http -o obj | msgs >m
	f=obj/127.000.000.001.08080-127.000.000.001.41001-HTTPBODY-001.txt
	cmp big.expected "$f"
	run jq -c 'select(.dir == "response") | [.status, .content_length, .length, .complete, .file]' m
	[ "$output" = "[200,52428800,52428800,true,\"$f\"]" ]
	[ "$(jq -r 'select(.dir == "response") | .md5' m)" = "$(md5sum <big.expected | cut -d' ' -f1)" ]
	echo "tf-http peak RSS: $(cat rss) KiB" >&3
	# Under 32 MiB for a 50 MiB body (ASan's runtime included).
	[ "$(cat rss)" -lt 32768 ]
}
