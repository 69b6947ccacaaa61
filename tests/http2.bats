# SPDX-License-Identifier: BSD-2-Clause
# tf-http and HTTP/2 (lib/h2): prior knowledge, the h2c upgrade, ALPN h2
# from tf-tls, concurrent streams, server push, a gzip-coded body,
# RST_STREAM, gaps (the HPACK table lost) and hostile inputs (streams,
# CONTINUATION floods, HPACK bombs) within their caps.
# tests/data/http/h2.pcap is real traffic made by tests/data/mkh2.sh
# (curl, nghttp, nghttpd, tests/data/h2server.py), its bodies as served
# in h2.expected; the synthetic cases are tests/h2gen.py streams.
bats_require_minimum_version 1.5.0

F=127.000.000.001.08080-127.000.000.001
H=127.000.000.001.08081-127.000.000.001
S2C=010.000.000.002.00443-010.000.000.001.05000
RESETLINE='tf-http: connection 6 direction 1 at byte 12103: stream 1: reset (error 8)
tf-http: 1 of 9 bodies not whole: 1 reset'

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	HTTP=$DATA/http
	CAP=$HTTP/h2.pcap
	# (A pyenv shim on PATH takes a second to start.)
	PY=python3
	[ ! -x /usr/bin/python3 ] || PY=/usr/bin/python3
}

# gen CASE [N]: the h2gen.py stream CASE in in.tfs.
gen2() {
	"$PY" "$TOP/tests/h2gen.py" "$@" | mkstream >in.tfs
}

# msgs: the http.message annotations of the stream on stdin, one compact
# line each: [conn, dir, fields...].
msgs() {
	tf-cat -j | jq -c 'select(.kind == "annot" and .key == "http.message")
	    | (.value | fromjson) as $m | [.conn, .dir, $m.dir, $m.n,
	    $m.version, $m.stream, $m.method, $m.uri // $m.status,
	    $m.request, $m.file, $m.length, $m.complete, $m.problem]'
}

@test "http2: real capture: every body as served, PARTIAL where RST_STREAM cut it" {
	tf-reassemble <"$CAP" >in.tfs
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ "$stderr" = "$RESETLINE" ]
	diff -r obj "$HTTP/h2.expected"
}

@test "http2: real capture: http.message gives version 2 and the stream id, requests paired by stream" {
	tf-reassemble <"$CAP" | tf-http -o obj 2>/dev/null | msgs >m
	[ "$(cat m)" = '[1,0,"request",1,"2",1,"GET","/a.txt",null,null,null,true,null]
[1,1,"response",1,"2",1,"GET",200,1,"obj/'$F'.41200-HTTPBODY-001.txt",5000,true,null]
[2,0,"request",1,"1.1",null,"GET","/b.txt",null,null,null,true,null]
[2,1,"response",1,"1.1",null,"GET",101,1,null,null,true,null]
[2,1,"response",2,"2",1,"GET",200,1,"obj/'$H'.41201-HTTPBODY-002.txt",3000,true,null]
[3,0,"request",1,"2",13,"GET","/c1.bin",null,null,null,true,null]
[3,0,"request",2,"2",15,"GET","/c2.bin",null,null,null,true,null]
[3,0,"request",3,"2",17,"GET","/c3.bin",null,null,null,true,null]
[3,1,"response",1,"2",13,"GET",200,1,"obj/'$F'.41202-HTTPBODY-001",8000,true,null]
[3,1,"response",2,"2",15,"GET",200,2,"obj/'$F'.41202-HTTPBODY-002",8000,true,null]
[3,1,"response",3,"2",17,"GET",200,3,"obj/'$F'.41202-HTTPBODY-003",8000,true,null]
[4,0,"request",1,"2",13,"GET","/index.html",null,null,null,true,null]
[4,0,"request",2,"2",2,"GET","/style.css",null,null,null,true,null]
[4,1,"response",1,"2",13,"GET",200,1,"obj/'$F'.41203-HTTPBODY-001.html",1282,true,null]
[4,1,"response",2,"2",2,"GET",200,2,"obj/'$F'.41203-HTTPBODY-002.css",1829,true,null]
[5,0,"request",1,"2",1,"GET","/gz",null,null,null,true,null]
[5,1,"response",1,"2",1,"GET",200,1,"obj/'$H'.41204-HTTPBODY-001.txt",30000,true,null]
[6,0,"request",1,"2",1,"GET","/reset",null,null,null,true,null]
[6,1,"response",1,"2",1,"GET",200,1,"obj/'$H'.41205-HTTPBODY-001-PARTIAL",12000,false,"reset"]' ]
	# The pushed request: its PUSH_PROMISE came on stream 13.
	tf-reassemble <"$CAP" | tf-http -o o2 2>/dev/null | tf-cat -j |
	    jq -c 'select(.key == "http.message") | .value | fromjson |
	    select(.promised_by != null) | [.uri, .stream, .promised_by, .offset]' >p
	[ "$(cat p)" = '["/style.css",2,13,24]' ]
	# The gzip body: coded as sent, decoded in the file.
	tf-reassemble <"$CAP" | tf-http -o o3 2>/dev/null | tf-cat -j |
	    jq -c 'select(.key == "http.message" and .conn == 5 and .dir == 1)
	    | .value | fromjson | [.content_encoding, .content_length,
	    .body_length, .length, .md5]' >g
	[ "$(cat g)" = "[\"gzip\",4135,4135,30000,\"$(md5sum <"$HTTP/h2.expected/$H.41204-HTTPBODY-001.txt" | cut -c1-32)\"]" ]
}

@test "http2: real capture: http.h2 says how each connection came to HTTP/2; -j pairs by stream" {
	tf-reassemble <"$CAP" | tf-http -o o1 2>/dev/null | tf-cat -j |
	    jq -c 'select(.key == "http.h2") | [.conn, .dir,
	    (.value | fromjson | .event, .via, .offset)]' >e
	[ "$(cat e)" = '[1,1,"start","preface",0]
[1,0,"start","preface",0]
[2,0,"start","upgrade",176]
[2,1,"start","upgrade",71]
[3,1,"start","preface",0]
[3,0,"start","preface",0]
[4,1,"start","preface",0]
[4,0,"start","preface",0]
[5,1,"start","preface",0]
[5,0,"start","preface",0]
[6,1,"start","preface",0]
[6,0,"start","preface",0]' ]
	# The upgrade's response on stream 1 comes alone: its request was
	# paired with the 101.
	tf-reassemble <"$CAP" | tf-http -o o2 -j 2>/dev/null |
	    jq -c '[.conn, .request.uri, .request.stream, .response.status,
	    .response.stream, .response.request]' >j
	[ "$(cat j)" = '[1,"/a.txt",1,200,1,1]
[2,"/b.txt",null,101,null,1]
[2,null,null,200,1,1]
[3,"/c1.bin",13,200,13,1]
[3,"/c2.bin",15,200,15,2]
[3,"/c3.bin",17,200,17,3]
[4,"/index.html",13,200,13,1]
[4,"/style.css",2,200,2,2]
[5,"/gz",1,200,1,1]
[6,"/reset",1,200,1,1]' ]
}

@test "http2: real capture: tshark sees the same DATA on the same streams" {
	command -v tshark >/dev/null || skip "no tshark"
	# tshark 4.0 cannot follow the h2c upgrade (connection 2) and does
	# not export HTTP/2 objects: its DATA frames, summed by stream.
	tshark -r "$CAP" -d tcp.port==8080,http2 -d tcp.port==8081,http2 \
	    -Y 'http2.type == 0' -T fields -e tcp.stream -e http2.streamid \
	    -e http2.length 2>/dev/null |
	    awk '{ s[$1 + 1 " " $2] += $3 } END { for (k in s) print k, s[k] }' |
	    sort >tshark.txt
	tf-reassemble <"$CAP" | tf-http -o o1 2>/dev/null | tf-cat -j |
	    jq -r 'select(.key == "http.message" and .conn != 2) |
	    (.value | fromjson) as $m | select($m.body_length > 0) |
	    "\(.conn) \($m.stream) \($m.body_length)"' | sort >tf.txt
	[ "$(wc -l <tf.txt)" = 8 ]
	diff tshark.txt tf.txt
}

@test "http2: ALPN h2 (tls.alpn from tf-tls): padding, priority, CONTINUATION, control frames, the dynamic table" {
	gen2 alpn
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ -z "$stderr" ]
	tf-http -o o1 <in.tfs | msgs >m
	[ "$(cat m)" = '[1,0,"request",1,"2",1,"GET","/tls.txt",null,null,null,true,null]
[1,1,"response",1,"2",1,"GET",200,1,"o1/'$S2C'-HTTPBODY-001.txt",920,true,null]
[1,0,"request",2,"2",3,"GET","/second",null,null,null,true,null]
[1,1,"response",2,"2",3,"GET",200,2,"o1/'$S2C'-HTTPBODY-002.txt",12,true,null]' ]
	[ "$(ls obj)" = "$S2C-HTTPBODY-001.txt
$S2C-HTTPBODY-002.txt" ]
	[ "$(cat "obj/$S2C-HTTPBODY-002.txt")" = "second body" ]
	[ "$(md5sum <"obj/$S2C-HTTPBODY-001.txt")" = "$(for i in $(seq 40); do
	    echo 'hello, HTTP/2 over TLS'; done | md5sum)" ]
	# The second response's content type is the first's table entry.
	tf-http -o o2 <in.tfs | tf-cat -j | jq -r 'select(.key == "http.message" and
	    .dir == 1) | .value | fromjson | .content_type' >ct
	[ "$(cat ct)" = 'text/plain
text/plain' ]
	# Without the annotation, the client preface says it.
	"$PY" "$TOP/tests/h2gen.py" alpn | grep -v tls.alpn | mkstream |
	    tf-http -o o3 | tf-cat -j | jq -r 'select(.key == "http.h2") |
	    .value | fromjson | .via' | sort -u >via
	[ "$(cat via)" = preface ]
}

@test "http2: h2 over TLS: tf-tls's tls.alpn, then nginx's gzip bodies as served" {
	T=$DATA/tls
	N=127.000.000.001.08444-127.000.000.001.41001-HTTPBODY
	tf-reassemble -r "$T/nginx-h2.pcap" | tf-tls -k "$T/nginx-h2.keys" |
	    tf-http -o obj >out.tfs
	[ "$(ls obj)" = "$N-001.html
$N-002.json" ]
	cmp "obj/$N-001.html" "$T/nginx.expected/page.html"
	cmp "obj/$N-002.json" "$T/nginx.expected/data.json"
	tf-cat -j <out.tfs | jq -c 'select(.key == "http.h2" or (.key ==
	    "http.message" and .dir == 1)) | [.dir, (.value | fromjson |
	    .via // .version, .stream, .content_encoding)]' >a
	[ "$(cat a)" = '[0,"alpn",null,null]
[1,"alpn",null,null]
[1,"2",1,"gzip"]
[1,"2",3,"gzip"]' ]
}

@test "http2: gaps: a body cut, the framing found again, the HPACK table lost once, static blocks still decoded" {
	gen2 gap
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 210: stream 5: message 2: 30 bytes missing from the capture
tf-http: connection 1 direction 1 at byte 469: HTTP/2 header table lost (gap): only header blocks that do not use it are decoded from here
tf-http: connection 1 direction 1 at byte 499: 290 bytes skipped to find the next HTTP/2 frame
tf-http: 3 of 5 bodies not whole: 2 gap, 1 headers
tf-http: 1 HTTP/2 connection lost a header table: header blocks that use it were not decoded' ]
	tf-http -o obj2 <in.tfs 2>/dev/null | msgs | grep ',1,"response"' >m
	[ "$(cat m)" = '[1,1,"response",1,"2",1,"GET",200,1,"obj2/'$S2C'-HTTPBODY-001.txt",100,true,null]
[1,1,"response",2,"2",5,"GET",200,2,"obj2/'$S2C'-HTTPBODY-002-PARTIAL.txt",50,false,"gap"]
[1,1,"response",3,"2",9,"GET",0,3,"obj2/'$S2C'-HTTPBODY-003-PARTIAL",100,false,"gap"]
[1,1,"response",4,"2",13,"GET",0,4,"obj2/'$S2C'-HTTPBODY-004-PARTIAL",50,false,"headers"]
[1,1,"response",5,"2",17,"GET",200,5,"obj2/'$S2C'-HTTPBODY-005.html",17,true,null]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-003-PARTIAL")" = "$(printf 'c%.0s' $(seq 100))" ]
	[ "$(cat "obj/$S2C-HTTPBODY-005.html")" = '<p>seventeen</p>' ]
	tf-http -o o3 <in.tfs 2>/dev/null | tf-cat -j | jq -c 'select(.key ==
	    "http.h2") | [.dir, (.value | fromjson | .event, .via, .offset)]' >e
	[ "$(cat e)" = '[1,"start","preface",0]
[0,"start","preface",0]
[1,"hpack-lost","gap",469]' ]
}

@test "http2: hostile: 20,000 streams opened, a CONTINUATION flood, an HPACK bomb: within the caps" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	max=32768
	syms=$(nm -D "$(command -v tf-http)" 2>/dev/null) || syms=
	[[ $syms != *' __asan_init'* ]] || max=98304
	gen2 streams 20000
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 \
	    /usr/bin/time -f %M -o rss tf-http -j <in.tfs >j 2>err
	[ "$(cat err)" = 'tf-http: connection 1 direction 0 at byte 7457: more than 256 HTTP/2 streams open: the oldest dropped' ]
	[ "$(wc -l <j)" = 20000 ]
	[ "$(tail -n 1 rss)" -lt "$max" ]
	# One header block of 80,000 CONTINUATION frames: decoded up to
	# 1 MiB (16 times -H), fields kept up to -n; the stream after it read.
	gen2 flood 80000
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 \
	    /usr/bin/time -f %M -o rss tf-http -j <in.tfs >j 2>err
	grep -qx 'tf-http: connection 1 direction 0 at byte 1722674: stream 1: HTTP/2 header block longer than 1048576 bytes: not decoded' err
	# Requests left unanswered at the end go out in stream order.
	[ "$(jq -c '.request | [.uri, .stream, .headers_cut]' j)" = '["/flood",1,"fields"]
["/after",3,null]' ]
	[ "$(tail -n 1 rss)" -lt "$max" ]
	# A 4000-byte table entry referred to 100,000 times (400 MB decoded).
	gen2 bomb 100000
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 \
	    /usr/bin/time -f %M -o rss tf-http -j <in.tfs >j 2>err
	[ "$(cat err)" = 'tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 65536 bytes (-H)' ]
	[ "$(jq -c '.request | [.uri, .stream, .headers_cut]' j)" = '["/first",1,null]
["/bomb",3,"bytes"]' ]
	[ "$(tail -n 1 rss)" -lt "$max" ]
}

# h2gen.py order: responses begin on streams 1, 3, 5 and end 3, 5 (reset),
# 1: their files are numbered as they end, header files (-A) and bodies as
# sent (-k) too, never left under their stream names.
@test "http2: files numbered in the order responses end: stream 3, then 5 (reset), then 1" {
	gen2 order
	C2S=010.000.000.001.05000-010.000.000.002.00443
	run -0 --separate-stderr tf-http -A -k -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 925: stream 5: reset (error 8)
tf-http: 1 of 3 bodies not whole: 1 reset' ]
	[ "$(ls obj)" = "$C2S-HTTP-001
$C2S-HTTP-002
$C2S-HTTP-003
$S2C-HTTP-001
$S2C-HTTP-002
$S2C-HTTP-003
$S2C-HTTPBODY-001
$S2C-HTTPBODY-002-PARTIAL
$S2C-HTTPBODY-003.txt
$S2C-HTTPBODY-GZIP-001" ]
	# What the server sent (tests/h2gen.py order): stream 3 gzip-coded,
	# stream 5 30 bytes then RST_STREAM, stream 1 70 lines.
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = "$(for i in $(seq 50); do echo three; done)" ]
	[ "$(gzip -dc <"obj/$S2C-HTTPBODY-GZIP-001")" = "$(cat "obj/$S2C-HTTPBODY-001")" ]
	[ "$(cat "obj/$S2C-HTTPBODY-002-PARTIAL")" = "$(printf 'F%.0s' $(seq 30))" ]
	[ "$(cat "obj/$S2C-HTTPBODY-003.txt")" = "$(for i in $(seq 0 69); do printf 'one %05d\n' "$i"; done)" ]
	[ "$(cat "obj/$S2C-HTTP-001")" = "$(printf 'HTTP/2 200\r\ncontent-encoding: gzip\r\n\r')" ]
	[ "$(cat "obj/$S2C-HTTP-002")" = "$(printf 'HTTP/2 200\r\n\r')" ]
	[ "$(cat "obj/$S2C-HTTP-003")" = "$(printf 'HTTP/2 200\r\ncontent-type: text/plain\r\n\r')" ]
	[ "$(cat "obj/$C2S-HTTP-002")" = "$(printf 'GET /three HTTP/2\r\n\r')" ]
	# n is the order the HEADERS came; the files' names, the order of
	# the ends, in the annotations and the -j lines alike.
	tf-http -A -o o2 <in.tfs 2>/dev/null | tf-cat -j | jq -c 'select(.key ==
	    "http.message" and .dir == 1) | .value | fromjson | [.n, .stream,
	    .file, .header_file, .complete, .problem]' >m
	[ "$(cat m)" = '[2,3,"o2/'$S2C'-HTTPBODY-001","o2/'$S2C'-HTTP-001",true,null]
[3,5,"o2/'$S2C'-HTTPBODY-002-PARTIAL","o2/'$S2C'-HTTP-002",false,"reset"]
[1,1,"o2/'$S2C'-HTTPBODY-003.txt","o2/'$S2C'-HTTP-003",true,null]' ]
	tf-http -o o3 -j <in.tfs 2>/dev/null | jq -c '[.request.uri,
	    .response.stream, .response.file]' >j
	[ "$(cat j)" = '["/three",3,"o3/'$S2C'-HTTPBODY-001"]
["/five",5,"o3/'$S2C'-HTTPBODY-002-PARTIAL"]
["/one",1,"o3/'$S2C'-HTTPBODY-003.txt"]' ]
	# A final name taken: never replaced; the file keeps its stream name,
	# which the annotation gives, and tf-http fails.
	mkdir o4
	echo x >"o4/$S2C-HTTPBODY-001"
	echo y >"o4/$S2C-HTTP-003"
	rc=0
	tf-http -A -o o4 <in.tfs >o4.tfs 2>err || rc=$?
	[ "$rc" = 1 ]
	[ "$(cat err)" = "tf-http: cannot rename 'o4/$S2C-HTTPBODY-S3-OPEN' to 'o4/$S2C-HTTPBODY-001': File exists
tf-http: connection 1 direction 1 at byte 925: stream 5: reset (error 8)
tf-http: cannot rename 'o4/$S2C-HTTP-S1-OPEN' to 'o4/$S2C-HTTP-003': File exists
tf-http: 1 of 3 bodies not whole: 1 reset" ]
	[ "$(cat "o4/$S2C-HTTPBODY-001") $(cat "o4/$S2C-HTTP-003")" = 'x y' ]
	cmp "o4/$S2C-HTTPBODY-S3-OPEN" "obj/$S2C-HTTPBODY-001"
	cmp "o4/$S2C-HTTP-S1-OPEN" "obj/$S2C-HTTP-003"
	tf-cat -j <o4.tfs | jq -r 'select(.key == "http.message" and
	    .dir == 1) | .value | fromjson | "\(.file) \(.header_file)"' >f
	[ "$(cat f)" = "o4/$S2C-HTTPBODY-S3-OPEN o4/$S2C-HTTP-001
o4/$S2C-HTTPBODY-002-PARTIAL o4/$S2C-HTTP-002
o4/$S2C-HTTPBODY-003.txt o4/$S2C-HTTP-S1-OPEN" ]
}

# h2gen.py cut: four responses cut together by the end of the connection
# end, and are numbered, in stream order.
@test "http2: bodies cut together by the end of the input are numbered in stream order" {
	gen2 cut
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 101: stream 1: message 4: connection ended inside it
tf-http: connection 1 direction 1 at byte 101: stream 3: message 2: connection ended inside it
tf-http: connection 1 direction 1 at byte 101: stream 5: message 3: connection ended inside it
tf-http: connection 1 direction 1 at byte 101: stream 7: message 1: connection ended inside it
tf-http: 4 of 4 bodies not whole: 4 cut' ]
	for i in 1 2 3 4; do
		s=$((2 * i - 1))
		[ "$(cat "obj/$S2C-HTTPBODY-00$i-PARTIAL")" = "$(printf "$s%.0s" $(seq $s))" ]
	done
	[ "$(ls obj | wc -l)" = 4 ]
}

# body_runs: where an HTTP/2 body's bytes are, DATA frame by frame; truth
# from the flow file, its frames walked here.
@test "http2: byte runs of bodies over several DATA frames, in the annotation, DFXML and JSON" {
	gen2 order
	tf-http -o obj <in.tfs 2>/dev/null | tf-split -o f >out.tfs
	"$PY" - "f/$S2C" >truth <<'PYEOF'
import sys
b = open(sys.argv[1], 'rb').read()
runs = {}
i = 0
while i + 9 <= len(b):
    n = int.from_bytes(b[i:i + 3], 'big')
    t, sid = b[i + 3], int.from_bytes(b[i + 5:i + 9], 'big') & 0x7fffffff
    if t == 0 and n > 0:
        runs.setdefault(sid, []).append((i + 9, n))
    i += 9 + n
assert i == len(b)
for sid in sorted(runs):
    r = runs[sid]
    if len(r) > 64:
        r = r[:63] + [(r[63][0], r[-1][0] + r[-1][1] - r[63][0])]
    print(sid, len(runs[sid]), ','.join('%d+%d' % x for x in r))
PYEOF
	[ "$(wc -l <truth)" = 3 ]
	tf-cat -j <out.tfs | jq -r 'select(.key == "http.message" and .dir == 1)
	    | .value | fromjson | "\(.stream) \((.body_runs // "x" |
	    split(",") | length) + (.body_runs_cut // 0)) \(.body_runs //
	    "\(.body_offset)+\(.body_length)")"' | sort -n >tf
	# Stream 1: 70 runs, the 64th spanning the last 7; 3: 2 runs; 5: 1.
	diff truth tf
	[ "$(sed -n 1p tf | cut -d' ' -f1,2)" = '1 70' ]
	[ "$(sed -n 1p tf | cut -d, -f1,2,64)" = '1 70 68+10,87+10,1365+124' ]
	[ "$(sed -n 2p tf)" = '3 2 277+15,720+15' ]
	[ "$(sed -n 3p tf)" = '5 1 491+30' ]
	# The bytes at stream 3's runs are its body as sent (gzip).
	{ dd if="f/$S2C" bs=1 skip=277 count=15 && dd if="f/$S2C" bs=1 skip=720 count=15; } 2>/dev/null | gzip -dc >b3
	cmp b3 "obj/$S2C-HTTPBODY-001"
	# tf-report: a <byte_run> per run, its stream; the schema holds.
	tf-report <out.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml 2>/dev/null
	BR="//*[local-name()='fileobject'][*[local-name()='tcpflow']/@dir=1]/*[local-name()='byte_runs']/*[local-name()='byte_run']"
	[ "$(xmllint --xpath "count($BR)" r.xml)" = 67 ]
	xmllint --xpath "$BR" r.xml | sed -n '1,3p;64,$p' >br
	[ "$(cat br)" = '<byte_run file_offset="277" len="15" tcpflow:stream="3"/>
<byte_run file_offset="720" len="15" tcpflow:stream="3"/>
<byte_run file_offset="491" len="30" tcpflow:stream="5"/>
<byte_run file_offset="1308" len="10" tcpflow:stream="1"/>
<byte_run file_offset="1327" len="10" tcpflow:stream="1"/>
<byte_run file_offset="1346" len="10" tcpflow:stream="1"/>
<byte_run file_offset="1365" len="124" tcpflow:stream="1" tcpflow:runs="7"/>' ]
	HT="//*[local-name()='http']"
	[ "$(xmllint --xpath "string($HT[3]/@version)" r.xml) $(xmllint --xpath "string($HT[3]/@stream)" r.xml)" = '2 1' ]
	tf-report -j <out.tfs | jq -c 'select(.dir == 1) | .http[] | [.stream,
	    .version, (.byte_runs | length), .byte_runs[0], .byte_runs[-1],
	    .byte_runs_cut, .file_offset, .len]' >js
	[ "$(cat js)" = '[3,"2",2,[277,15],[720,15],null,277,30]
[5,"2",0,null,null,null,491,30]
[1,"2",64,[68,10],[1365,124],6,68,700]' ]
}

@test "http2: tf-report shows the version, the stream, and the PUSH_PROMISE's stream of a pushed body" {
	tf-reassemble <"$CAP" | tf-http -o obj 2>/dev/null | tf-split -o f >out.tfs
	tf-report -j <out.tfs | jq -c 'select(.http) | [.conn, .dir, (.http[] |
	    .filename, .version, .stream, .promised_by, .uri, .byte_runs)]' >j
	[ "$(cat j)" = '[1,1,"obj/'$F'.41200-HTTPBODY-001.txt","2",1,null,"/a.txt",null]
[2,1,"obj/'$H'.41201-HTTPBODY-002.txt","2",1,null,"/b.txt",null]
[3,1,"obj/'$F'.41202-HTTPBODY-001","2",13,null,"/c1.bin",null,"obj/'$F'.41202-HTTPBODY-002","2",15,null,"/c2.bin",null,"obj/'$F'.41202-HTTPBODY-003","2",17,null,"/c3.bin",null]
[4,1,"obj/'$F'.41203-HTTPBODY-001.html","2",13,null,"/index.html",null,"obj/'$F'.41203-HTTPBODY-002.css","2",2,13,"/style.css",null]
[5,1,"obj/'$H'.41204-HTTPBODY-001.txt","2",1,null,"/gz",null]
[6,1,"obj/'$H'.41205-HTTPBODY-001-PARTIAL","2",1,null,"/reset",null]' ]
	tf-report <out.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml 2>/dev/null
	HT="//*[local-name()='http'][@stream=2]"
	[ "$(xmllint --xpath "concat($HT/@version, ' ', $HT/@stream, ' ', $HT/@promised_by, ' ', $HT/@uri)" r.xml)" = '2 2 13 /style.css' ]
	# Each body in one DATA frame: one <byte_run>, at its bytes.
	BR="//*[local-name()='byte_run'][@*[local-name()='stream']=2]"
	[ "$(xmllint --xpath "concat($BR/@file_offset, ' ', $BR/@len)" r.xml)" = '1490 1829' ]
	cmp <(dd if="f/$F.41203" bs=1 skip=1490 count=1829 2>/dev/null) "obj/$F.41203-HTTPBODY-002.css"
	tf-report -t text <out.tfs | grep '^http ' >t
	[ "$(cat t)" = 'http         19 messages (17 HTTP/2), 9 body files: application/octet-stream 4, text/plain 3, text/css 1, text/html 1' ]
	tf-report -t html <out.tfs >r.html
	grep -F '<th>status</th><th>HTTP</th><th>type</th>' r.html
	grep -F '<td class="n">200</td><td class="m">2 stream 2 pushed on 13</td>' r.html
	grep -F '<td class="n">101</td><td class="m">1.1</td>' r.html
}

@test "http2: tf-report takes a body_runs only when well formed, at most 64 runs" {
	{
		echo 'header'
		echo 'open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80'
		echo 'data conn=1 dir=1 off=0 text="xxxxxxxxxxxxxxxxxxxx"'
		r65=$(for i in $(seq 65); do printf '%d+1,' "$i"; done)
		for runs in '1+2,5+3' '1+2,' '+1' '1+2,5' '1+2;5+3' '1+2,,5+3' \
		    '18446744073709551616+1,2+2' "${r65%,}" \
		    '1+2,5+3\\u0000' '1+2,5+3 '; do
			echo "annot conn=1 dir=1 key=http.message value=\"{\\\"stream\\\":1,\\\"body_offset\\\":1,\\\"body_length\\\":5,\\\"body_runs\\\":\\\"$runs\\\",\\\"body_runs_cut\\\":2,\\\"file\\\":\\\"f\\\"}\""
		done
		echo 'close conn=1'
		echo 'end'
	} | mkstream >s.tfs
	run -0 --separate-stderr tf-report -j <s.tfs
	[ -z "$stderr" ]
	[ "$(sed -n 2p <<<"$output" | jq -c '[.http[] | .byte_runs, .byte_runs_cut]')" = '[[[1,2],[5,3]],2,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null]' ]
	tf-report <s.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml 2>/dev/null
	BR="//*[local-name()='byte_run']"
	[ "$(xmllint --xpath "count($BR)" r.xml)" = 11 ]
	[ "$(xmllint --xpath "concat($BR[2]/@file_offset, ' ', $BR[2]/@len, ' ', $BR[2]/@*[local-name()='runs'], ' ', $BR[3]/@file_offset, ' ', $BR[3]/@len)" r.xml)" = '5 3 3 1 5' ]
}

# fuzz_h2 found: the server's first bytes, held while they may be an
# HTTP/2 SETTINGS frame, given back to HTTP/1.x when the client's are
# not the preface, held a 101 to h2c: the upgrade freed the sniffing state
# while it was in use.
@test "http2: server bytes held for the preface, given back to HTTP/1.x, upgrade to h2c from them" {
	mkstream >in.tfs <<'EOF2'
header linktype=1 source=x.pcap
open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=443 flags=syn
data conn=1 dir=1 off=0 hex=000000040000000000
data conn=1 dir=1 off=9 text="HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"
data conn=1 dir=0 off=0 text="GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n"
data conn=1 dir=0 off=43 text="PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
data conn=1 dir=1 off=59 hex=000000040000000000000001010400000001880000090001000000017570677261646564:0a
close conn=1 cause=fin
end packets=1
EOF2
	run -0 --separate-stderr tf-http -o obj <in.tfs
	[ -z "$stderr" ]
	tf-http -o obj2 <in.tfs | msgs >m
	[ "$(cat m)" = '[1,0,"request",1,"1.1",null,"GET","/up",null,null,null,true,null]
[1,1,"response",1,"1.1",null,"GET",101,1,null,null,true,null]
[1,1,"response",2,"2",1,"GET",200,1,"obj2/'$S2C'-HTTPBODY-002",9,true,null]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-002")" = upgraded ]
}

# fuzz_h2 found (lib/http, HTTP/1.x): a 101 while the other direction
# scanned a header block past -H left the scan's state behind, lost when
# the tunnel's HTTP scanned one more (LeakSanitizer, in the ASan run).
@test "http2: a 101 while the request direction scans a header block past -H: nothing leaks" {
	a=$(printf 'a%.0s' $(seq 100)) b=$(printf 'b%.0s' $(seq 100))
	mkstream >in.tfs <<EOF2
header linktype=1 source=x.pcap
open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
data conn=1 dir=0 off=0 text="GET / HTTP/1.1\\r\\nUpgrade: foo\\r\\n\\r\\nGET /x HTTP/1.1\\r\\nX-Long: $a"
data conn=1 dir=1 off=0 text="HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: foo\\r\\n\\r\\n"
data conn=1 dir=0 off=157 text="GET /y HTTP/1.1\\r\\nX-Long: $b\\r\\n\\r\\n"
close conn=1 cause=fin
end packets=1
EOF2
	run -0 --separate-stderr tf-http -H 64 -o obj <in.tfs
	[ "$stderr" = 'tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 64 bytes (-H)' ]
	tf-http -H 64 -o obj2 <in.tfs 2>/dev/null | msgs >m
	[ "$(cat m)" = '[1,0,"request",1,"1.1",null,"GET","/",null,null,null,true,null]
[1,1,"response",1,"1.1",null,"GET",101,1,null,null,true,null]
[1,0,"request",2,"1.1",null,"GET","/y",null,null,null,true,null]' ]
}

@test "http2.sh: the example: HTTP/2 bodies, versions, streams, the pushed request" {
	run -0 --separate-stderr sh "$TOP/examples/http2.sh" "$TF_BIN" out
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | sed -n '/pushed request/{n;p}')" = '4 stream=2 promised_by=13 /style.css' ]
	[ "$(printf '%s\n' "$output" | grep -c ' HTTP/2 stream=')" = 9 ]
	diff -r out/objects "$HTTP/h2.expected"
}
