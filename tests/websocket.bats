# SPDX-License-Identifier: BSD-2-Clause
# tf-http: WebSocket messages after a 101 (RFC 6455, permessage-deflate of
# RFC 7692): files named FLOW-WS-NNN.txt or .bin, one ws.message
# annotation per message and control frame.  tests/data/http/ws.pcap is
# real traffic made by tests/data/mkws.sh (python3-websockets, with and
# without compression), its truth what the applications sent; the
# synthetic cases are streams tests/data/wsgen.py builds frame by frame,
# its truth the payloads it framed.
bats_require_minimum_version 1.5.0

C2S=010.000.000.001.05000-010.000.000.002.00080
S2C=010.000.000.002.00080-010.000.000.001.05000

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	HTTP=$DATA/http
	CAP=$HTTP/ws.pcap
	# Debian's, when there: a python3 of a version manager starts slowly.
	PY=python3
	[ ! -x /usr/bin/python3 ] || PY=/usr/bin/python3
}

# wsann [CONN]: the ws.* annotations of the stream on stdin (of connection
# CONN), one compact line each: [conn, dir, key, value].
wsann() {
	tf-cat -j | jq -c --argjson c "${1:-0}" 'select(.kind == "annot" and
	    (.key | startswith("ws.")) and ($c == 0 or .conn == $c)) |
	    [.conn, .dir, .key, (.value | fromjson)]'
}

# wsgen CASE: in.tfs, the stream of wsgen.py's CASE; truth/ its payloads.
wsgen() {
	"$PY" "$DATA/wsgen.py" "$1" truth | mkstream >in.tfs
}

# th ARGS...: tf-http -o obj ARGS on in.tfs, its ws.* annotations in a,
# [dir, key, value] without the digests, its standard error in err.
th() {
	tf-http -o obj "$@" <in.tfs 2>err | wsann |
	    jq -c '.[1:] | .[2] |= del(.md5, .sha1)' >a
}

@test "websocket: real capture: every message as the applications sent it, nothing else" {
	tf-reassemble <"$CAP" >in.tfs
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ -z "$stderr" ]
	# Only WebSocket files: no body invented from the frames.
	diff -r obj "$HTTP/ws.expected"
}

@test "websocket: real capture, permessage-deflate: fragments, pings between them, close" {
	tf-reassemble <"$CAP" | tf-http -o obj | wsann 1 >a
	[ "$(jq -c 'select(.[2] != "ws.message")' a)" = '[1,1,"ws.deflate",{"client_no_context_takeover":false,"server_no_context_takeover":false,"client_max_window_bits":12,"server_max_window_bits":12}]' ]
	[ "$(jq -c 'select(.[2] == "ws.message") | [.[1]] + (.[3] | [.opcode, .n, .frames, .masked, .compressed, .sent_length, .length, .complete])' a)" = '[0,"text",1,1,true,true,17,15,true]
[1,"text",1,1,false,true,23,21,true]
[0,"binary",2,1,true,true,306,4072,true]
[1,"binary",2,1,false,true,306,4072,true]
[0,"ping",null,1,true,null,17,null,true]
[0,"text",3,4,true,true,45,35,true]
[1,"pong",null,1,false,null,17,null,true]
[1,"text",3,1,false,true,34,41,true]
[0,"ping",null,1,true,null,6,null,true]
[1,"pong",null,1,false,null,6,null,true]
[0,"binary",4,1,true,true,579,65536,true]
[1,"text",4,1,false,true,17,15,true]
[1,"text",5,1,false,true,479,5600,true]
[0,"close",null,1,true,null,5,null,true]
[1,"close",null,1,false,null,5,null,true]' ]
	[ "$(jq -c 'select(.[3].opcode | test("ping|pong|close")) | .[3] | [.offset, .payload, .close_code, .close_reason]' a)" = '[629,"between fragments",null,null]
[638,"between fragments",null,null]
[697,"ping 1",null,null]
[693,"ping 1",null,null]
[1296,null,1000,"bye"]
[1203,null,1000,"bye"]' ]
	F=127.000.000.001.41200-127.000.000.001.08765-WS-003.txt
	[ "$(jq -c 'select(.[3].n == 3 and .[1] == 0) | .[3] | [.offset, .file, .md5]' a)" = "[605,\"obj/$F\",\"$(md5sum <"$HTTP/ws.expected/$F" | cut -d' ' -f1)\"]" ]
}

@test "websocket: real capture, no compression: a 64-bit length, masked and not" {
	tf-reassemble <"$CAP" | tf-http -o obj -s | wsann 2 >a
	[ "$(jq -c 'select(.[2] != "ws.message")' a)" = "" ]
	[ "$(jq -c 'select(.[3].n != null) | [.[1]] + (.[3] | [.n, .opcode, .frames, .masked, .compressed, .sent_length, .length])' a)" = '[0,1,"text",1,true,false,15,15]
[1,1,"text",1,false,false,21,21]
[0,2,"binary",1,true,false,4072,4072]
[1,2,"binary",1,false,false,4072,4072]
[0,3,"text",4,true,false,35,35]
[1,3,"text",1,false,false,41,41]
[0,4,"binary",1,true,false,65536,65536]
[1,4,"text",1,false,false,15,15]
[1,5,"text",1,false,false,5600,5600]' ]
	F=127.000.000.001.41201-127.000.000.001.08765-WS-004.bin
	[ "$(jq -c 'select(.[3].n == 4 and .[1] == 0) | .[3] | [.file, .md5, .sha256, .complete]' a)" = "[\"obj/$F\",\"$(md5sum <"$HTTP/ws.expected/$F" | cut -d' ' -f1)\",\"$(sha256sum <"$HTTP/ws.expected/$F" | cut -d' ' -f1)\",true]" ]
}

@test "websocket: real capture: frames by opcode and direction as tshark counts them" {
	command -v tshark >/dev/null || skip "tshark is not installed"
	tf-reassemble <"$CAP" | tf-http | wsann | jq -c 'select(.[2] == "ws.message")' >a
	# Ours: a message of k frames is one of its opcode, k - 1 continuations.
	jq -r '[.[0] - 1, (if .[1] == 0 then 41199 + .[0] else 8765 end),
	    (.[3] | {"text":1,"binary":2,"close":8,"ping":9,"pong":10}[.opcode]),
	    .[3].frames] | @tsv' a | awk -F'\t' '{ n[$1 " " $2 " " $3]++;
	    if ($4 > 1) n[$1 " " $2 " 0"] += $4 - 1 }
	    END { for (k in n) print k, n[k] }' | sort >ours
	tshark -r "$CAP" -Y websocket -T fields -e tcp.stream -e tcp.srcport \
	    -e websocket.opcode 2>/dev/null | awk -F'\t' '{ k = split($3, o, ",");
	    for (i = 1; i <= k; i++) n[$1 " " $2 " " o[i]]++ }
	    END { for (k in n) print k, n[k] }' | sort >theirs
	[ "$(wc -l <ours)" = 18 ]
	diff ours theirs
}

@test "websocket: fragments with ping, pong and ping between them, a 64-bit length, an empty message" {
	wsgen frag
	th
	[ ! -s err ]
	[ "$(cat a)" = '[0,"ws.message",{"opcode":"ping","offset":210,"frames":1,"masked":true,"sent_length":15,"payload":"ping in between","complete":true}]
[0,"ws.message",{"opcode":"pong","offset":247,"frames":1,"masked":true,"sent_length":0,"payload":"","complete":true}]
[0,"ws.message",{"opcode":"ping","offset":253,"frames":1,"masked":true,"sent_length":1,"payload":"x","complete":true}]
[0,"ws.message",{"opcode":"text","n":1,"offset":197,"frames":4,"masked":true,"compressed":false,"sent_length":23,"file":"obj/'$C2S'-WS-001.txt","length":23,"complete":true}]
[1,"ws.message",{"opcode":"binary","n":1,"offset":129,"frames":1,"masked":false,"compressed":false,"sent_length":70000,"file":"obj/'$S2C'-WS-001.bin","length":70000,"complete":true}]
[1,"ws.message",{"opcode":"text","n":2,"offset":70139,"frames":1,"masked":false,"compressed":false,"sent_length":0,"length":0,"complete":true}]
[0,"ws.message",{"opcode":"close","offset":278,"frames":1,"masked":true,"sent_length":12,"close_code":1001,"close_reason":"going away","complete":true}]
[1,"ws.message",{"opcode":"close","offset":70141,"frames":1,"masked":false,"sent_length":2,"close_code":1000,"close_reason":"","complete":true}]' ]
	[ "$(ls obj)" = "$C2S-WS-001.txt
$S2C-WS-001.bin" ]
	cmp obj/$C2S-WS-001.txt truth/c-001
	cmp obj/$S2C-WS-001.bin truth/s-001
}

@test "websocket: a gap inside a frame: the message partial, the next found; a gap over a header: the rest skipped" {
	wsgen gap
	th
	[ "$(cat err)" = "tf-http: connection 1 direction 0 at byte 197: websocket message 1: gap: not whole
tf-http: connection 1 direction 0 at byte 259: websocket message 3: gap: not whole
tf-http: connection 1 direction 0 at byte 268: websocket: 4 bytes missing where a frame header was due: rest of the direction skipped" ]
	[ "$(cat a)" = '[0,"ws.message",{"opcode":"text","n":1,"offset":197,"frames":2,"masked":true,"compressed":false,"sent_length":12,"file":"obj/'$C2S'-WS-001-PARTIAL.txt","length":12,"complete":false,"problem":"gap"}]
[0,"ws.message",{"opcode":"text","n":2,"offset":240,"frames":1,"masked":true,"compressed":false,"sent_length":13,"file":"obj/'$C2S'-WS-002.txt","length":13,"complete":true}]
[0,"ws.message",{"opcode":"text","n":3,"offset":259,"frames":1,"masked":true,"compressed":false,"sent_length":3,"file":"obj/'$C2S'-WS-003-PARTIAL.txt","length":3,"complete":false,"problem":"gap"}]
[0,"ws.skip",{"offset":268,"why":"gap","what":"4 bytes missing where a frame header was due"}]
[1,"ws.message",{"opcode":"text","n":1,"offset":129,"frames":1,"masked":false,"compressed":false,"sent_length":19,"file":"obj/'$S2C'-WS-001.txt","length":19,"complete":true}]' ]
	# Up to the gap, unmasked; after it, the next message whole.
	cmp obj/$C2S-WS-001-PARTIAL.txt truth/c-001
	cmp obj/$C2S-WS-002.txt truth/c-002
	cmp obj/$C2S-WS-003-PARTIAL.txt truth/c-003
	cmp obj/$S2C-WS-001.txt truth/s-001
	[ "$(ls obj | wc -l)" = 4 ]
	rm -rf obj
	th -q
	[ ! -s err ]
}

@test "websocket: permessage-deflate: context kept; after a gap, only what is provably right is written" {
	wsgen deflate
	th
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 238: websocket message 3: gap: not whole
tf-http: connection 1 direction 1 at byte 269: websocket message 4: decode: not whole" ]
	[ "$(jq -c 'select(.[1] == "ws.message") | [.[0]] + (.[2] | [.n, .compressed, .sent_length, .length, .complete, .problem, .decode_error, .file])' a)" = '[1,1,true,48,132,true,null,null,"obj/'$S2C'-WS-001.txt"]
[1,2,true,11,50,true,null,null,"obj/'$S2C'-WS-002.txt"]
[1,3,true,0,0,false,"gap",null,null]
[1,4,true,9,0,false,"decode","invalid distance too far back",null]
[1,5,true,28,26,true,null,null,"obj/'$S2C'-WS-005.txt"]
[0,1,false,5,5,true,null,null,"obj/'$C2S'-WS-001.txt"]' ]
	# Message 2 is 11 bytes because it refers to message 1.
	cmp obj/$S2C-WS-001.txt truth/s-001
	cmp obj/$S2C-WS-002.txt truth/s-002
	cmp obj/$S2C-WS-005.txt truth/s-005
	cmp obj/$C2S-WS-001.txt truth/c-001
}

@test "websocket: server_no_context_takeover: each server message inflated alone" {
	wsgen nct
	th
	[ "$(jq -c 'select(.[1] == "ws.deflate") | .[2]' a)" = '{"client_no_context_takeover":false,"server_no_context_takeover":true,"client_max_window_bits":10}' ]
	# The server's second message refers to its first, against what it
	# agreed: what it begins with is written, the rest is not.
	[ "$(jq -c 'select(.[1] == "ws.message") | .[2] | [.n, .length, .complete, .problem, .decode_error, .file]' a)" = '[1,37,true,null,null,"obj/'$S2C'-WS-001.txt"]
[2,1,false,"decode","invalid distance too far back","obj/'$S2C'-WS-002-PARTIAL.txt"]
[3,37,true,null,null,"obj/'$S2C'-WS-003.txt"]' ]
	cmp obj/$S2C-WS-001.txt truth/s-001
	cmp obj/$S2C-WS-003.txt truth/s-003
	[ "$(cat obj/$S2C-WS-002-PARTIAL.txt)" = r ]
}

@test "websocket: caps: -R on a deflate bomb, -m on a 2^62-byte frame (cut without); a length of 2^63 stops the direction" {
	wsgen ratio
	th -R 10
	[ "$(jq -c 'select(.[1] == "ws.message") | .[2] | [.n, .sent_length, .length, .complete, .problem, .decode_error]' a)" = '[1,2049,1064960,false,"limit","decompression ratio over the cap"]
[2,12,10,true,null,null]' ]
	[ "$(cmp -n 1064960 obj/$S2C-WS-001-PARTIAL.bin /dev/zero)" = "" ]
	cmp obj/$S2C-WS-002.txt truth/s-002
	rm -rf obj
	wsgen huge
	th -m 1000
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 129: websocket message 1: limit: not whole" ]
	[ "$(cat a)" = '[1,"ws.message",{"opcode":"binary","n":1,"offset":129,"frames":1,"masked":false,"compressed":false,"sent_length":1000,"file":"obj/'$S2C'-WS-001-PARTIAL.bin","length":1000,"complete":false,"problem":"limit"}]' ]
	"$PY" -c 'import sys; sys.stdout.buffer.write((bytes(range(256)) * 4)[:1000])' >want
	cmp obj/$S2C-WS-001-PARTIAL.bin want
	# Without -m: cut by the connection's end, all that came written.
	rm -rf obj
	th
	[ "$(jq -c '.[2] | [.sent_length, .length, .complete, .problem]' a)" = '[3000,3000,false,"cut"]' ]
	[ "$(stat -c %s obj/$S2C-WS-001-PARTIAL.bin)" = 3000 ]
	rm -rf obj
	wsgen len63
	th
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 136: websocket: a frame length of 2^63 or more: rest of the direction skipped" ]
	[ "$(cut -d, -f1-5 a)" = '[1,"ws.message",{"opcode":"text","n":1,"offset":129
[1,"ws.skip",{"offset":136,"why":"framing","what":"a frame length of 2^63 or more"}]' ]
	cmp obj/$S2C-WS-001.txt truth/s-001
}

@test "websocket: a reserved opcode, a gap before the first frame: the direction skipped, said" {
	wsgen opcode
	th
	[ "$(cat a)" = '[0,"ws.message",{"opcode":"text","n":1,"offset":197,"frames":1,"masked":true,"compressed":false,"sent_length":2,"file":"obj/'$C2S'-WS-001.txt","length":2,"complete":true}]
[0,"ws.skip",{"offset":205,"why":"framing","what":"reserved opcode 3"}]' ]
	[ "$(cat err)" = "tf-http: connection 1 direction 0 at byte 205: websocket: reserved opcode 3: rest of the direction skipped" ]
	rm -rf obj
	wsgen startgap
	th
	[ "$(cat a)" = '[1,"ws.skip",{"offset":136,"why":"start","what":"bytes missing before the first frame"}]
[0,"ws.message",{"opcode":"text","n":1,"offset":197,"frames":1,"masked":true,"compressed":false,"sent_length":11,"file":"obj/'$C2S'-WS-001.txt","length":11,"complete":true}]' ]
	[ "$(ls obj)" = "$C2S-WS-001.txt" ]
}
