# SPDX-License-Identifier: BSD-2-Clause
# tf-http against hostile input, second wave (issue 11): decoder set-up
# per message, per-connection state and decoder memory, the -j queue,
# role pinning, terminal escapes.  Counters and bounds, never times.
bats_require_minimum_version 1.5.0

S2C=010.000.000.002.00080-010.000.000.001.05000
C2S=010.000.000.001.05000-010.000.000.002.00080

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# stream FLAGS: a stream with one connection 10.0.0.1:5000 ->
# 10.0.0.2:80 whose open record has FLAGS (syn, or 0) and whose records
# are the mkstream lines on stdin, written to in.tfs.
stream() {
	{
		echo 'header linktype=1 source=x.pcap'
		echo "open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=$1"
		cat
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >in.tfs
}

# msgs: the http.message values in the stream on stdin, a line each,
# as [dir, n, method, uri, status, request, file, complete, problem].
msgs() {
	tf-cat -j | jq -c 'select(.kind == "annot" and .key == "http.message") |
	    .value | fromjson |
	    [.dir, .n, .method, .uri, .status, .request, .file, .complete, .problem]'
}

# hnull ARGS...: tf-http, the stream passed on thrown away.
hnull() {
	tf-http "$@" >/dev/null
}

# decstats FILE: the decoders' counters that TF_DEBUG_DECODERS=1 writes.
decstats() {
	sed -n 's/^tf-http: decoders: //p' "$1"
}

# A zstd frame (zstd -19) of 23,000 bytes: "line 00000 of the body\n"
# to "line 00999 ...".  One compressed block: nothing is decoded before
# all of it came.
ZFRAME=
ZFRAME+=28b52ffd64d8584d1100fa4048071790a724397b11f8f5f57dfcff029b929232e1c73c6f
ZFRAME+=06018200620062004992244992244992b8cb292188b8cb292178dce5941038ee724a081a
ZFRAME+=773925048cbb9c1282c55d4e0981e22ea784207197534210e22ea7842008719753421071
ZFRAME+=975342f0b8cb292170dce5941034ee724a0818773925048bbb9c1202c55d4e0941e22ea7
ZFRAME+=8420c45d4e090100090870208002060840a0c000070a04050c1c50800101dbb66ddbb66d
ZFRAME+=dbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66d932449922449922449922449
ZFRAME+=92244992244992244992244992244992244992244992244992a424499224499224499224
ZFRAME+=4992244992244992244992244992244992244912b66ddbb66ddbb66ddbb66ddbb66ddb6e
ZFRAME+=dbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66ddbb66d
ZFRAME+=5b9224499224499224499224499224499224499224499224499224499224499224499224
ZFRAME+=4992dcb66ddbb66ddb161111111111111111111111111111111111111111111111111111
ZFRAME+=111111111111111111111111111111111111111111111111ffffffffffffffffffffffff
ZFRAME+=ffffffffffffffffffffffffffffffffffffffffffffffffff6fdbb66ddbb66ddbb66ddb
ZFRAME+=b66ddbb66ddbb66ddbb66d3b83e9a812803fcb76f297b603124010501058416004833f74
ZFRAME+=b5b6da56576b6b6d75b5aed656d7be7fc0e28402b8a02b80055d012cd015c082ae005420
ZFRAME+=2a82055d012ce80ae082ae0016743b1413d6690be0d50630adf5df
ZPLAIN_MD5=e6be6f22499cb199df2196cb15769400

@test "hostile-http: a content coding holding terminal escapes is warned about escaped, byte for byte" {
	# ESC ] 0 ; ... BEL retitles, ESC [2K erases the line, CR goes back,
	# ESC [8m hides what follows.
	stream syn <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: x\x1b]0;pwned\x07\x1b[2K\r\x1b[8mhidden\r\nContent-Length: 3\r\n\r\nabc"
	EOF
	tf-http -o obj <in.tfs >/dev/null 2>err
	printf '%s\n' 'tf-http: connection 1 direction 1 at byte 0: message 1: content coding '\''x\x1b]0;pwned\x07\x1b[2K\r\x1b[8mhidden'\'' not decoded: body written as sent' >want
	cmp want err
	# No control byte but the newline reaches the terminal.
	! LC_ALL=C grep -q '[[:cntrl:]]' err
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = abc ]
}

@test "hostile-http: a flow file named with terminal escapes is named escaped in warnings" {
	mkdir ff obj
	name=$(printf '10.0.0.2.80-\033]0;x\007\033[2K\r')
	printf 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' >"ff/$name"
	: >"obj/$name-HTTPBODY-001"
	run -1 --separate-stderr tf-http -o obj "ff/$name" "ff/$name.missing"
	[ "$stderr" = "tf-http: 'obj/10.0.0.2.80-\\x1b]0;x\\x07\\x1b[2K\\r-HTTPBODY-001' exists, not overwritten
tf-http: cannot open 'ff/10.0.0.2.80-\\x1b]0;x\\x07\\x1b[2K\\r.missing': No such file or directory
tf-http: 1 file not made: 1 existed" ]
	! LC_ALL=C grep -q '[[:cntrl:]]' <<<"$stderr"
}

@test "hostile-http: a server that sends a request line first does not pass for the client (SYN seen)" {
	stream syn <<-'EOF'
	data conn=1 dir=0 off=0 text="GET /real HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=1 off=0 text="GET / HTTP/1.1\r\nHost: evil\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	tf-http -o obj2 <in.tfs | msgs >m
	[ "$(cat m)" = '["request",1,"GET","/real",null,null,null,true,null]
["response",1,"GET",null,200,1,"obj2/'"$S2C"'-HTTPBODY-001",true,null]' ]
	[ "$(cat "obj/$S2C-HTTPBODY-001")" = ok ]
	# -j pairs them, the client on the SYN's side.
	run -0 tf-http -j -o obj3 <in.tfs
	[ "$(jq -c '[.orig_p, .request.uri, .response.status]' <<<"$output")" = '[5000,"/real",200]' ]
}

@test "hostile-http: without a SYN, two directions of requests: the one that answers becomes the responses" {
	# The server's request line comes first, then the client's, then the
	# server's response: the server's direction is read again.
	stream 0 <<-'EOF'
	data conn=1 dir=1 off=0 text="GET / HTTP/1.1\r\nHost: evil\r\n\r\n"
	data conn=1 dir=0 off=0 text="GET /real HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=1 off=30 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = 'tf-http: connection 1 direction 1 at byte 30: a response start line in a direction of requests: read as responses from here' ]
	tf-http -q -o obj2 <in.tfs | msgs >m
	[ "$(cat m)" = '["request",1,"GET","/",null,null,null,true,null]
["request",1,"GET","/real",null,null,null,true,null]
["response",2,"GET",null,200,1,"obj2/'"$S2C"'-HTTPBODY-002",true,null]' ]
	# -j: the server's own request went out alone, the real one paired.
	run -0 tf-http -q -j -o obj3 <in.tfs
	[ "$(printf '%s\n' "${lines[@]}" | jq -c '[.orig_p, .request.uri, .response.status]')" = '[80,"/",null]
[5000,"/real",200]' ]
}

@test "hostile-http: the roles are swapped only when both directions deny the SYN's" {
	# A reverse tunnel: the side that sent the SYN serves.  Its first
	# request shows it and is skipped; the rest pair.
	stream syn <<-'EOF'
	data conn=1 dir=1 off=0 text="GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=0 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nk1"
	data conn=1 dir=1 off=28 text="GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=0 off=40 text="HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nk2"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 0 at byte 0: requests from the server's side, responses from the client's: roles swapped" ]
	tf-http -q -o obj2 <in.tfs | msgs >m
	[ "$(cat m)" = '["response",1,null,null,200,null,"obj2/'"$C2S"'-HTTPBODY-001",true,null]
["request",1,"GET","/2",null,null,null,true,null]
["response",2,"GET",null,200,1,"obj2/'"$C2S"'-HTTPBODY-002",true,null]' ]
	# One direction alone never swaps them: a client's stray response
	# line is skipped, its requests stay requests.
	stream syn <<-'EOF'
	data conn=1 dir=0 off=0 text="HTTP/1.1 200 OK\r\n\r\nGET /a HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 204 No Content\r\n\r\n"
	EOF
	tf-http -q -o obj3 <in.tfs | msgs >m
	[ "$(cat m)" = '["request",1,"GET","/a",null,null,null,true,null]
["response",1,"GET",null,204,1,null,true,null]' ]
}

@test "hostile-http: 200,000 bodiless responses coded zstd four times make no decoder; bodies reuse four contexts" {
	# Bodiless: the decoders are made at the first body byte, never.
	for enc in 'zstd,zstd,zstd,zstd' identity; do
		awk -v enc="$enc" 'BEGIN {
			r = "HTTP/1.1 200 OK\\r\\nContent-Encoding: " enc "\\r\\nContent-Length: 0\\r\\n\\r\\n"
			n = length("HTTP/1.1 200 OK..Content-Encoding: " enc "..Content-Length: 0....")
			print "header"
			print "open conn=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn"
			for (i = 0; i < 200; i++) {
				s = ""
				for (k = 0; k < 1000; k++)
					s = s r
				printf "data conn=1 dir=1 off=%d text=\"%s\"\n", i * 1000 * n, s
			}
			print "close conn=1"
			print "end"
		}' | mkstream >in.tfs
		TF_DEBUG_DECODERS=1 tf-http -o "obj-$enc" <in.tfs >out.tfs 2>err
		[ "$(decstats err)" = 'made 0 reused 0 evicted 0 refused 0 peak 0 bytes' ]
		[ "$(tf-cat -s <out.tfs | sed -n 's/^records.annot=//p')" = 200001 ]
	done
	# 5,000 one-byte bodies coded zstd four times: four contexts made,
	# then reset and taken again by each body.
	z=$(printf x | python3 -c '
import sys
d = sys.stdin.buffer.read()
for _ in range(4):
    # A zstd frame of raw blocks: magic, header (single segment, FCS
    # 1 byte), one last raw block of len(d) bytes.
    d = bytes.fromhex("28b52ffd20") + bytes([len(d)]) + bytes([(len(d) << 3 | 1) & 255, len(d) >> 5 & 255, len(d) >> 13 & 255]) + d
sys.stdout.write(d.hex())')
	awk -v z="$z" 'BEGIN {
		b = ""
		for (i = 1; i < length(z); i += 2)
			b = b "\\x" substr(z, i, 2)
		r = "HTTP/1.1 200 OK\\r\\nContent-Encoding: zstd, zstd, zstd, zstd\\r\\nContent-Length: " length(z) / 2 "\\r\\n\\r\\n" b
		n = length("HTTP/1.1 200 OK..Content-Encoding: zstd, zstd, zstd, zstd..Content-Length: " length(z) / 2 "....") + length(z) / 2
		print "header"
		print "open conn=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn"
		for (i = 0; i < 5; i++) {
			s = ""
			for (k = 0; k < 1000; k++)
				s = s r
			printf "data conn=1 dir=1 off=%d text=\"%s\"\n", i * 1000 * n, s
		}
		print "close conn=1"
		print "end"
	}' | mkstream >in.tfs
	TF_DEBUG_DECODERS=1 tf-http -o obj <in.tfs >/dev/null 2>err
	[ "$(decstats err | cut -d' ' -f1-8)" = 'made 4 reused 19996 evicted 0 refused 0' ]
	[ "$(ls obj | wc -l)" = 5000 ]
	[ "$(cat "obj/$S2C-HTTPBODY-001" "obj/$S2C-HTTPBODY-5000")" = xx ]
}

@test "hostile-http: 20,000 connections with a message begun each way stay under 64 MiB" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	awk 'BEGIN {
		print "header"
		for (i = 1; i <= 20000; i++) {
			printf "open conn=%d src=10.0.%d.%d sport=%d dst=10.0.0.2 dport=80 flags=syn\n", i, int(i / 256) % 256, i % 256, 1024 + i
			printf "data conn=%d dir=0 off=0 text=\"POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Encoding: zstd,zstd,zstd,zstd\\r\\nContent-Length: 100\\r\\n\\r\\n\"\n", i
			printf "data conn=%d dir=1 off=0 text=\"HTTP/1.1 200 OK\\r\\nContent-Encoding: zstd,zstd,zstd,zstd\\r\\nContent-Length: 100\\r\\n\\r\\n\"\n", i
		}
		print "end"
	}' | mkstream >in.tfs
	# A smaller quarantine, so that ASan's RSS is the program's.
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 TF_DEBUG_STATS=1 \
	    /usr/bin/time -f %M -o rss tf-http -o obj <in.tfs >out.tfs 2>err
	grep -q '^tf-http: table: .* most held 20000 evicted 0 ' err
	# Each message ends cut, at the END record.
	[ "$(tf-cat -s <out.tfs | sed -n 's/^records.annot=//p')" = 40001 ]
	echo "# peak RSS $(tail -n 1 rss) KiB" >&3
	# tf-http 0.1.0 took 277 MB, 14 KB a connection; about 1.4 KB now
	# (man tf-http: under 64 MiB).  ASan's allocator adds a redzone to
	# each of the connection's few allocations.
	max=65536
	syms=$(nm -D "$(command -v tf-http)" 2>/dev/null) || syms=
	[[ $syms != *' __asan_init'* ]] || max=98304
	[ "$(tail -n 1 rss)" -lt "$max" ]
}

@test "hostile-http: decoder memory over -M: the least recently used bodies are stopped, warned about, partial" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	# 2,000 connections begin a zstd body each way (100 bytes of the
	# frame: every decoder holds its context), then all the bodies end.
	python3 -c '
import sys
z = bytes.fromhex(sys.argv[1]); cut = 100
def esc(b): return "".join("\\x%02x" % c for c in b)
o = sys.stdout
o.write("header\n")
head = ["POST /u HTTP/1.1\r\nContent-Encoding: zstd\r\nContent-Length: %d\r\n\r\n" % len(z),
    "HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: %d\r\n\r\n" % len(z)]
for i in range(1, 2001):
    o.write("open conn=%d src=10.0.%d.%d sport=%d dst=10.0.0.2 dport=80 flags=syn\n" % (i, i >> 8, i & 255, 1024 + i))
    for d in (0, 1):
        o.write("data conn=%d dir=%d off=0 text=\"%s%s\"\n" % (i, d, esc(head[d].encode()), esc(z[:cut])))
for i in range(1, 2001):
    for d in (0, 1):
        o.write("data conn=%d dir=%d off=%d hex=%s\n" % (i, d, len(head[d]) + cut, z[cut:].hex()))
    o.write("close conn=%d\n" % i)
o.write("end\n")' "$ZFRAME" | mkstream >in.tfs
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 TF_DEBUG_DECODERS=1 \
	    /usr/bin/time -f %M -o rss tf-http -M 8M -o obj <in.tfs >out.tfs 2>err
	# Each of the 4,000 decoders was made; 3,942 were stopped for room,
	# oldest first; the last 58 fit in 8 MiB and decode their bodies.
	[ "$(decstats err | cut -d' ' -f1-8)" = 'made 4000 reused 0 evicted 3942 refused 0' ]
	[ "$(decstats err | cut -d' ' -f10)" -le 8388608 ]
	[ "$(grep -c ': decoder memory limit reached: body truncated at 0 bytes$' err)" = 3942 ]
	sed -n 1p err | grep -qx 'tf-http: connection 1 direction 0 at byte 165: message 1: decoder memory limit reached: body truncated at 0 bytes'
	grep -qx 'tf-http: 3942 of 4000 bodies not whole: 3942 memory' err
	[ "$(ls obj | wc -l)" = 58 ]
	[ "$(cat obj/* | md5sum | cut -d' ' -f1)" = "$(for i in $(seq 58); do
		printf 'line %05d of the body\n' $(seq 0 999)
	done | md5sum | cut -d' ' -f1)" ]
	tf-cat -j <out.tfs | jq -c 'select(.key == "http.message") | .value | fromjson | [.complete, .problem]' | sort | uniq -c >m
	[ "$(cat m)" = '   3942 [false,"memory"]
     58 [true,null]' ]
	echo "# peak RSS $(tail -n 1 rss) KiB" >&3
	[ "$(tail -n 1 rss)" -lt 65536 ]
}

@test "hostile-http: -j: 300,000 requests never answered wait within 16 MiB; the oldest go out alone, counted" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	# 4,688 connections of 64 pipelined requests each (lib/http's cap
	# per connection), all open at once.
	awk 'BEGIN {
		r = "GET /index.html HTTP/1.1\\r\\nHost: example\\r\\n\\r\\n"
		print "header"
		for (c = 1; c * 64 - 64 < 300000; c++) {
			k = 300000 - (c - 1) * 64
			if (k > 64)
				k = 64
			s = ""
			for (i = 0; i < k; i++)
				s = s r
			printf "open conn=%d src=10.%d.%d.%d sport=%d dst=10.0.0.2 dport=80 flags=syn\n", c, int(c / 65536) % 256, int(c / 256) % 256, c % 256, 1024 + c
			printf "data conn=%d dir=0 off=0 text=\"%s\"\n", c, s
		}
		print "end"
	}' | mkstream >in.tfs
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 \
	    /usr/bin/time -f %M -o rss tf-http -j -o obj <in.tfs >j 2>err
	[ "$(grep -v '^Command exited' err)" = 'tf-http: 210005 requests written before their response: more than 16 MiB of requests awaited one' ]
	# Every request once, with no response.
	[ "$(wc -l <j)" = 300000 ]
	[ "$(grep -c '"response":null' j)" = 300000 ]
	[ "$(jq -r '[.conn, .request.n] | @tsv' j | sort -u | wc -l)" = 300000 ]
	# The oldest went first: connection 1's requests lead.
	[ "$(head -n 1 j | jq -c '[.conn, .request.n]')" = '[1,1]' ]
	echo "# peak RSS $(tail -n 1 rss) KiB" >&3
	# tf-http 0.1.0 held every line: 1,000,000 took 302 MB.
	[ "$(tail -n 1 rss)" -lt 131072 ]
}

@test "hostile-http: a body whose decoder alone needs more than -M is stopped, problem memory" {
	# A zstd frame asking for a 4 MiB window, then a raw block "hi".
	stream syn <<-'EOF2'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 11\r\n\r\n\x28\xb5\x2f\xfd\x00\x60\x11\x00\x00hi"
	EOF2
	TF_DEBUG_DECODERS=1 tf-http -M 1M -o obj <in.tfs >out.tfs 2>err
	[ "$(cat err)" = 'tf-http: connection 1 direction 1 at byte 63: message 1: decoder memory limit reached: body truncated at 0 bytes
tf-http: 1 of 1 body not whole: 1 memory
tf-http: decoders: made 1 reused 0 evicted 0 refused 1 peak 96168 bytes' ]
	[ -z "$(ls obj)" ]
	[ "$(msgs <out.tfs)" = '["response",1,null,null,200,null,null,false,"memory"]' ]
	# Under the default, 256 MiB, it decodes.
	run -0 --separate-stderr hnull -o obj2 <in.tfs
	[ -z "$stderr" ]
	[ "$(cat "obj2/$S2C-HTTPBODY-001")" = hi ]
	# -M takes 1 MiB at least.
	run -2 --separate-stderr tf-http -M 1000 <in.tfs
	[ "$stderr" = "tf-http: option -M: '1000' is not a number from 1048576 to 9223372036854775807" ]
}
