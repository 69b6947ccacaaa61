# SPDX-License-Identifier: BSD-2-Clause
# tf-http: what comes after a CONNECT's 2xx and a 101 (a tunnel: HTTP
# parsed, TLS, websocket, h2c and the rest annotated, nothing invented),
# and header blocks past -H or -n (read past the cut for the framing
# only).  tests/data/http/tunnel.pcap is real traffic made by
# tests/data/mktunnel.sh; the synthetic cases are mkstream streams.
bats_require_minimum_version 1.5.0

S2C=010.000.000.002.00080-010.000.000.001.05000
CUTLINE='tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 65536 bytes (-H)'

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	HTTP=$DATA/http
	CAP=$HTTP/tunnel.pcap
}

# stream: a stream with one connection 10.0.0.1:5000 -> 10.0.0.2:80 whose
# records are the mkstream lines on stdin, written to in.tfs.
stream() {
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		cat
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
}

# th ARGS...: tf-http ARGS on in.tfs, the stream passed on in out.tfs, its
# standard error in $stderr; fails when tf-http does.
th() {
	tf-http "$@" <in.tfs >out.tfs 2>err
	stderr=$(cat err)
}

# annots [CONN]: the http.* annotations of the stream on stdin (of
# connection CONN), one compact line each: [conn, dir, key, value].
annots() {
	tf-cat -j | jq -c --argjson c "${1:-0}" 'select(.kind == "annot" and
	    (.key | startswith("http.")) and .key != "http.command" and
	    ($c == 0 or .conn == $c)) | [.conn, .dir, .key, (.value | fromjson)]'
}

@test "http-tunnel: real capture: every body as served, in and out of tunnels" {
	tf-reassemble <"$CAP" >in.tfs
	th -o obj
	[ "$stderr" = "$CUTLINE" ]
	diff -r obj "$HTTP/tunnel.expected"
}

@test "http-tunnel: HTTP through a CONNECT proxy (curl -p): parsed, annotated with the tunnel" {
	tf-reassemble <"$CAP" | tf-http -o obj 2>/dev/null | annots 1 >a
	[ "$(jq -c 'select(.[2] == "http.message") | .[3] | [.dir, .n, .method, .uri, .status, .tunnel, .tunnel_request, .file]' a)" = '["request",1,"CONNECT","127.0.0.1:8081",null,null,null,null]
["response",1,"CONNECT",null,200,null,null,null]
["request",2,"GET","/inner.txt",null,"127.0.0.1:8081",1,null]
["response",2,"GET",null,200,"127.0.0.1:8081",1,"obj/127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-002.txt"]
["request",3,"GET","/inner2.bin",null,"127.0.0.1:8081",1,null]
["response",3,"GET",null,200,"127.0.0.1:8081",1,"obj/127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-003"]' ]
	# One http.tunnel per direction, at the tunnel's first byte: the
	# CONNECT request is 112 bytes, its answer 39.
	[ "$(jq -c 'select(.[2] == "http.tunnel") | [.[1], .[3]]' a)" = '[0,{"protocol":"http","offset":112,"request":1,"method":"CONNECT","target":"127.0.0.1:8081","response":1,"status":200}]
[1,{"protocol":"http","offset":39,"request":1,"method":"CONNECT","target":"127.0.0.1:8081","response":1,"status":200}]' ]
	# -j: the pairs inside the tunnel say so.
	tf-reassemble <"$CAP" | tf-http -j -o objj 2>/dev/null >j
	[ "$(jq -c 'select(.conn == 1) | [.request.uri, .request.tunnel, .response.tunnel_request, .response.length]' j)" = '["127.0.0.1:8081",null,null,null]
["/inner.txt","127.0.0.1:8081",1,2350]
["/inner2.bin","127.0.0.1:8081",1,5000]' ]
}

@test "http-tunnel: TLS through a CONNECT proxy: annotated tls, no message, no body invented" {
	tf-reassemble <"$CAP" | tf-http -o obj 2>/dev/null | annots 2 >a
	[ "$(jq -c '[.[1], .[2], (.[3] | .protocol // .status)]' a)" = '[0,"http.message",null]
[1,"http.message",200]
[0,"http.tunnel","tls"]
[1,"http.tunnel","tls"]' ]
	[ "$(jq -c 'select(.[2] == "http.tunnel") | .[3] | del(.offset)' a | sort -u)" = '{"protocol":"tls","request":1,"method":"CONNECT","target":"127.0.0.1:8443","response":1,"status":200}' ]
	[ -z "$(ls obj | grep 41101)" ]
}

@test "http-tunnel: a websocket after 101: annotated, its messages only, no body invented" {
	tf-reassemble <"$CAP" | tf-http -o obj 2>/dev/null | annots 4 >a
	[ "$(jq -c '[.[1], .[2], (.[3] | .protocol // .status)]' a)" = '[0,"http.message",null]
[1,"http.message",101]
[0,"http.tunnel","websocket"]
[1,"http.tunnel","websocket"]' ]
	[ "$(jq -c 'select(.[2] == "http.tunnel") | .[3]' a)" = '{"protocol":"websocket","offset":155,"request":1,"method":"GET","target":"/ws","response":1,"status":101,"upgrade":"websocket"}
{"protocol":"websocket","offset":129,"request":1,"method":"GET","target":"/ws","response":1,"status":101,"upgrade":"websocket"}' ]
	# The messages (tests/websocket.bats), no HTTPBODY.
	[ "$(ls obj | grep 41103)" = "127.000.000.001.08090-127.000.000.001.41103-WS-001.txt
127.000.000.001.41103-127.000.000.001.08090-WS-001.txt" ]
}

@test "http-tunnel: a 92 KB header block: its body found past the cut, the next response too" {
	tf-reassemble <"$CAP" >in.tfs
	tf-http -o obj <in.tfs 2>err | annots 3 >a
	[ "$(cat err)" = "$CUTLINE" ]
	[ "$(jq -c 'select(.[1] == 1) | .[3] | [.n, .content_length, .headers_cut, .body_offset, .complete]' a)" = '[1,2390,"bytes",92159,true]
[2,464,null,94615,true]' ]
	B=127.000.000.001.08090-127.000.000.001.41102-HTTPBODY
	cmp "obj/$B-001.txt" "$HTTP/tunnel.expected/$B-001.txt"
	cmp "obj/$B-002.txt" "$HTTP/tunnel.expected/$B-002.txt"
	# Under a cap that holds it: nothing cut, nothing said.
	th -H 128k -o obj2
	[ -z "$stderr" ]
	[ "$(tf-cat -j <out.tfs | jq -r 'select(.key == "http.message") | .value | fromjson | .headers_cut' | sort -u)" = null ]
	diff -r obj2 "$HTTP/tunnel.expected"
	# -q: not said.
	th -q -o obj3
	[ -z "$stderr" ]
}

@test "http-tunnel: a tunnel's first bytes are told apart across records" {
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="CONNECT a:443 HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n\r\n"
	data conn=1 dir=0 off=26 hex=16
	data conn=1 dir=0 off=27 hex=0301
	data conn=1 dir=1 off=19 text="PRI * HTTP/2.0\r"
	data conn=1 dir=1 off=34 text="\n\r\nSM\r\n\r\n"
	EOF
	th -o obj
	[ -z "$stderr" ]
	annots <out.tfs | jq -c 'select(.[2] == "http.tunnel") | [.[1], .[3].protocol, .[3].offset, .[3].target]' >a
	[ "$(cat a)" = '[0,"tls",26,"a:443"]
[1,"h2c",19,"a:443"]' ]
	# Not HTTP, not TLS: "unknown", and nothing skipped is warned about.
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="CONNECT mail:25 HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n\r\n220 mail ESMTP\r\n"
	data conn=1 dir=0 off=28 text="EHLO x\r\nMAIL FROM:<a@b>\r\n"
	EOF
	th -o obj
	[ -z "$stderr" ]
	[ "$(annots <out.tfs | jq -c 'select(.[2] == "http.tunnel") | [.[1], .[3].protocol, .[3].offset]')" = '[1,"unknown",19]
[0,"unknown",28]' ]
	[ -z "$(ls obj)" ]
	# TLS joined after its handshake: application data (0x17 0x03).
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="CONNECT a:443 HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n\r\n"
	gap conn=1 dir=0 off=26 len=100 cause=lost
	data conn=1 dir=0 off=126 hex=1703030002abcd
	EOF
	th -o obj2
	[ -z "$stderr" ]
	[ "$(annots <out.tfs | jq -c 'select(.[2] == "http.tunnel") | [.[1], .[3].protocol, .[3].offset]')" = '[0,"tls",126]' ]
}

@test "http-tunnel: inner HTTP split mid-line; a gap before the first byte" {
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="CONNECT h:80 HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n\r\n"
	data conn=1 dir=0 off=25 text="GET /a HT"
	data conn=1 dir=0 off=34 text="TP/1.1\r\n\r\n"
	gap conn=1 dir=1 off=19 len=5 cause=lost
	data conn=1 dir=1 off=24 text="HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
	EOF
	th -o obj
	[ -z "$stderr" ]
	[ "$(annots <out.tfs | jq -c 'select(.[2] == "http.tunnel") | [.[1], .[3].protocol, .[3].offset]')" = '[0,"http",25]
[1,"http",24]' ]
	[ "$(annots <out.tfs | jq -c 'select(.[2] == "http.message") | .[3] | [.n, .uri, .request, .tunnel, .tunnel_request]')" = '[1,"h:80",null,null,null]
[1,null,1,null,null]
[2,"/a",null,"h:80",1]
[2,null,2,"h:80",1]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-002")" = abc ]
}

@test "http-tunnel: a CONNECT refused opens no tunnel" {
	stream <<-'EOF'
	data conn=1 dir=0 off=0 text="CONNECT h:80 HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny"
	data conn=1 dir=0 off=25 text="GET http://h/ HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=70 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	EOF
	th -o obj
	[ -z "$stderr" ]
	[ -z "$(annots <out.tfs | jq -c 'select(.[2] == "http.tunnel")')" ]
	[ "$(annots <out.tfs | jq -c '.[3] | [.n, .status, .tunnel]')" = '[1,null,null]
[1,407,null]
[2,null,null]
[2,200,null]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = deny ]
	[ "$(cat "obj/$S2C-HTTPBODY-002")" = ok ]
}

@test "http-tunnel: past the cut, Transfer-Encoding and Content-Encoding still frame and decode" {
	big=$(head -c 1200 /dev/zero | tr '\0' a)
	gz=$(printf 'hello, tunnel\n' | gzip -n | xxd -p | tr -d '\n')
	n=$(( ${#gz} / 2 ))
	head="HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX: $big\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
	resp=$({
		printf "$head"
		printf '%x\r\n' "$n"
		xxd -r -p <<<"$gz"
		printf '\r\n0\r\n\r\n'
	} | xxd -p | tr -d '\n')
	# Cut in two records: the second starts inside the block's scan.
	stream <<-EOF
	data conn=1 dir=1 off=0 hex=${resp:0:2000}
	data conn=1 dir=1 off=1000 hex=${resp:2000}
	EOF
	th -H 1024 -o obj
	[ "$stderr" = 'tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 1024 bytes (-H)' ]
	# Content-Type came before the cut: read, .txt.
	[ "$(cat "obj/$S2C-HTTPBODY-001.txt")" = 'hello, tunnel' ]
	[ "$(tf-cat -j <out.tfs | jq -c 'select(.key == "http.message") | .value | fromjson | [.transfer_encoding, .content_encoding, .headers_cut, .complete]')" = '["chunked","gzip","bytes",true]' ]
}

@test "http-tunnel: past the cut, a Content-Length that disagrees is bad; too long a block is dropped" {
	big=$(head -c 1200 /dev/zero | tr '\0' a)
	stream <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX: $big\r\nContent-Length: 4\r\n\r\nabcd"
	EOF
	th -H 1024 -o obj
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 0: message 1: bad Content-Length: ignored
tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 1024 bytes (-H)' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = abcd ]
	# A block that goes on past 16 times -H (1 MiB at least) is
	# dropped: the next start line after it is found.
	python3 -c '
import sys
line = b"X: " + b"b" * 997 + b"\r\n"
block = b"HTTP/1.1 200 OK\r\n" + line * 1100 + b"\r\n"
block += b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
off = 0
while off < len(block):
    sys.stdout.write("data conn=1 dir=1 off=%d hex=%s\n" % (off, block[off:off + 65536].hex()))
    off += 65536
' | stream
	th -H 1024 -o obj2
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 0: header block longer than 1024 bytes, not ended 1048576 bytes past that: skipped' ]
	[ "$(ls obj2)" = "$S2C-HTTPBODY-001" ]
	[ "$(cat "obj2/$S2C-HTTPBODY-001")" = ok ]
}

@test "http-tunnel: a gap inside a header block past the cut: no message, the next one found" {
	big=$(head -c 1200 /dev/zero | tr '\0' a)
	stream <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nX: $big\r\n"
	gap conn=1 dir=1 off=1222 len=10 cause=lost
	data conn=1 dir=1 off=1232 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	EOF
	th -H 1024 -o obj
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 1222: 10 bytes missing from the capture inside a header block' ]
	[ "$(tf-cat -j <out.tfs | jq -c 'select(.key == "http.message") | .value | fromjson | [.n, .headers_cut]')" = '[1,null]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = ok ]
}
