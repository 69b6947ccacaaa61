#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The examples in examples/, run as a user would (sh examples/X.sh BINDIR
# OUTDIR), with their exact output; live.sh needs root and traffic and is
# only checked for syntax and usage.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	EX=$TOP/examples
	T=$BATS_TEST_TMPDIR
	C2S=127.000.000.001.40000-127.000.000.001.08080
	S2C=127.000.000.001.08080-127.000.000.001.40000
	# The BINDIR the examples get: each program through a wrapper that
	# notes in $T/failed when it exits other than 0.  The examples' sh
	# has no pipefail, so a stage of their pipelines that fails would
	# go unseen; teardown fails the test instead.  (argv[0] stays the
	# bare name: the programs put it in their command annotations.)
	BIN=$T/bin
	mkdir "$BIN"
	for p in tf-reassemble tf-split tf-http tf-cat tf-report tf-merge tf-tls; do
		cat >"$BIN/$p" <<-EOF
		#!/bin/bash
		(exec -a $p "$TF_BINDIR/$p" "\$@")
		st=\$?
		[ "\$st" = 0 ] || echo "$p: exit \$st" >>"$T/failed"
		exit "\$st"
		EOF
		chmod +x "$BIN/$p"
	done
}

# Every test: no sanitizer report, and every program an example ran
# exited 0.
teardown() {
	san_check || return 1
	if [ -e "$T/failed" ]; then
		cat "$T/failed"
		return 1
	fi
}

@test "examples: each one has a test here, live.sh aside" {
	# (common.sh is the examples' shared prologue; tf-bytes.c, the
	# example filter, is built and tested by tests/filter.bats;
	# summary.png is the README's picture of demo.sh's page, drawn by
	# make screenshot, the page tested by tests/report-html.bats.)
	[ "$(cd "$EX" && ls)" = "common.sh
demo.sh
hostile.pcap
http-codings.pcap
http-codings2.pcap
http-headers.sh
http-objects.sh
http-tunnel.pcap
http-tunnel.sh
http.pcap
http2.pcap
http2.sh
json-jq.sh
live.sh
parallel.sh
rotated.pcap
rotated.pcap1
rotated.pcap2
rotated.sh
split-by-template.sh
summary.png
tf-bytes.c
tls.keys
tls.pcap
tls.sh
untrusted.sh
websocket.pcap
websocket.sh
zero-copy.sh" ]
}

# The bodies and flows that demo.sh lists, as the applications sent them
# (the bodies are tests/data/http/codings.expected; the flow sizes are
# the bytes each side sent, as tf-cat -c counts them).
DEMO_FILES='    7004  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-001.html
    3530  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-002.js
    2510  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-004.css
    2702  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-006.json
    1777  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-008.svg
    2770  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-009.xml
     580  objects/127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-010.txt
      15  objects/127.000.000.001.08080-127.000.000.001.40002-HTTPBODY-002.txt
      15  objects/127.000.000.001.08080-127.000.000.001.40002-HTTPBODY-003.txt
    1760  objects/127.000.000.001.08080-127.000.000.001.40003-HTTPBODY-001.txt
    1403  objects/127.000.000.001.40002-127.000.000.001.08080-HTTPBODY-001.json
    1130  objects/127.000.000.001.40002-127.000.000.001.08080-HTTPBODY-002.txt'

@test "demo.sh: the whole pipeline on http-codings.pcap: bodies, flows, connections, report, stream" {
	run -0 --separate-stderr sh "$EX/demo.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<EOF2
output in $T/out

\$ tf-reassemble -r http-codings.pcap | tf-http -o objects | tf-split -o flows | tee stream.tfs | tf-report -o report.xml

# the HTTP bodies tf-http found, decoded
\$ ls -l objects
$DEMO_FILES

# one file per connection direction
\$ ls -l flows
    3007  flows/127.000.000.001.08080-127.000.000.001.40001
     214  flows/127.000.000.001.08080-127.000.000.001.40002
    1805  flows/127.000.000.001.08080-127.000.000.001.40003
     907  flows/127.000.000.001.40001-127.000.000.001.08080
    2852  flows/127.000.000.001.40002-127.000.000.001.08080
      45  flows/127.000.000.001.40003-127.000.000.001.08080

# the connections
\$ tf-cat -c < stream.tfs
conn   client                   server                   vlan  start                        duration    >pkts     >bytes    <pkts     <bytes  gaps close
1      127.0.0.1:40001          127.0.0.1:8080           -     2026-11-26T10:54:01.922297Z     0.001       14        907       13       3007     0 fin
2      127.0.0.1:40002          127.0.0.1:8080           -     2026-11-26T10:54:01.923779Z     0.051       10       2852        7        214     0 fin
3      127.0.0.1:40003          127.0.0.1:8080           -     2026-11-26T10:54:01.975111Z     0.000        6         45        5       1805     0 fin

# what the report holds
\$ grep -o "<filename>[a-z]*/" report.xml | sort | uniq -c
      6 <filename>flows/
     12 <filename>objects/
\$ xmllint --xpath "string(//*[local-name()='summary']/@status)" report.xml
ok

# the stream, summed up
\$ tf-cat -s < stream.tfs | grep -e records -e end.connections
records.header=1
records.open=3
records.data=10
records.gap=0
records.close=3
records.annot=36
records.end=1
end.connections=3

# the capture at a glance: the same numbers for a terminal, and a page
\$ tf-report -t text < stream.tfs
input        $EX/http-codings.pcap
time         2026-11-26T10:54:01.922297Z to 2026-11-26T10:54:01.975515Z (53.2 ms)
connections  3 (fin 3)
bytes        3804 client to server, 5026 server to client
packets      55
gaps         0 (0 bytes)
server ports 8080 (3 conns, 8830 bytes)
addresses    127.0.0.1 (8830 bytes)
http         27 messages, 12 body files: text/plain 5, application/json 3, text/css 1, text/html 1, image/svg+xml 1
losses       none
status       ok
\$ tf-report -t html -o summary.html < stream.tfs
the summary page, for a browser: $T/out/summary.html
EOF2
	# The bodies are the files the server sent, byte for byte.
	diff -r "$DATA/http/codings.expected" "$T/out/objects"
	xmllint --noout --schema "$XSD" "$T/out/report.xml"
	# The summary page links each body file, relative to it.
	[ "$(grep -o '<a href="objects/[^"]*"' "$T/out/summary.html" | sed 's/.*"objects/objects/; s/"$//' | sort)" = "$(cd "$T/out" && ls objects/* | sort)" ]
	# The stream kept is what tf-report read: its END is tf-reassemble's.
	[ "$(tf-cat -s <"$T/out/stream.tfs" | grep -c '^end\.status=ok$')" = 1 ]
}

@test "demo.sh: without an output directory, a new one under TMPDIR" {
	mkdir "$T/tmp" "$T/cwd"
	cd "$T/cwd"
	TMPDIR=$T/tmp run -0 sh "$EX/demo.sh" "$BIN"
	out=$(cd "$T/tmp" && echo tf-demo.*)
	[[ $out == tf-demo.?????? ]]
	[ "${lines[0]}" = "output in $T/tmp/$out" ]
	[ "$(cd "$T/tmp/$out" && ls)" = "flows
objects
report.xml
stream.tfs
summary.html" ]
	[ "${lines[-1]}" = "the summary page, for a browser: $T/tmp/$out/summary.html" ]
	diff -r "$DATA/http/codings.expected" "$T/tmp/$out/objects"
	[ -z "$(ls -A "$T/cwd")" ]
}

@test "demo.sh: an output directory that exists is refused" {
	mkdir "$T/out"
	run -1 --separate-stderr sh "$EX/demo.sh" "$BIN" "$T/out"
	[ -z "$output" ]
	[[ $stderr == *"$T/out"*"exists" ]]
	[ -z "$(ls -A "$T/out")" ]
}

@test "split-by-template.sh: -T with time, with directories, and -Fk" {
	run -0 --separate-stderr sh "$EX/split-by-template.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<EOF2
output in $T/out

\$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 > stream.tfs

\$ tf-split -o by-time -T '%T-%A.%a-%B.%b' < stream.tfs > /dev/null
     551  by-time/2026-11-26T09:36:41Z-$S2C
    3249  by-time/2026-11-26T09:36:41Z-${S2C}c1
     110  by-time/2026-11-26T09:36:41Z-$C2S
     112  by-time/2026-11-26T09:36:41Z-${C2S}c1
     303  by-time/2026-11-26T09:36:42Z-${S2C}c2
     112  by-time/2026-11-26T09:36:42Z-${C2S}c2

\$ tf-split -o by-conn -T 'conn%#/%A.%a-%B.%b%C%c' < stream.tfs > /dev/null
     551  by-conn/conn0/$S2C
     110  by-conn/conn0/$C2S
    3249  by-conn/conn1/${S2C}c1
     112  by-conn/conn1/${C2S}c1
     303  by-conn/conn2/${S2C}c2
     112  by-conn/conn2/${C2S}c2

\$ tf-split -o thousands -Fk < stream.tfs > /dev/null
     551  thousands/000/$S2C
    3249  thousands/000/${S2C}c1
     303  thousands/000/${S2C}c2
     110  thousands/000/$C2S
     112  thousands/000/${C2S}c1
     112  thousands/000/${C2S}c2
EOF2
	diff -r "$DATA/real/reuse.expected" "$T/out/thousands/000"
}

@test "rotated.sh: three files read as one capture, and one at a time" {
	run -0 --separate-stderr sh "$EX/rotated.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<EOF2
output in $T/out

\$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 | tf-split -o flows > /dev/null
     551  flows/$S2C
    3249  flows/${S2C}c1
     303  flows/${S2C}c2
     110  flows/$C2S
     112  flows/${C2S}c1
     112  flows/${C2S}c2

\$ tf-reassemble -r rotated.pcap | tf-split -o alone-rotated.pcap > /dev/null
     551  alone-rotated.pcap/$S2C
    1448  alone-rotated.pcap/${S2C}c1
     110  alone-rotated.pcap/$C2S
     112  alone-rotated.pcap/${C2S}c1

\$ tf-reassemble -r rotated.pcap1 | tf-split -o alone-rotated.pcap1 > /dev/null
    1801  alone-rotated.pcap1/$S2C
     112  alone-rotated.pcap1/${C2S}c1

\$ tf-reassemble -r rotated.pcap2 | tf-split -o alone-rotated.pcap2 > /dev/null
     303  alone-rotated.pcap2/$S2C
EOF2
	# together, the whole capture's files; alone, pieces of them
	diff -r "$DATA/real/reuse.expected" "$T/out/flows"
	cmp -n 1448 "$T/out/flows/${S2C}c1" "$T/out/alone-rotated.pcap/${S2C}c1"
	tail -c 1801 "$T/out/flows/${S2C}c1" | cmp - "$T/out/alone-rotated.pcap1/$S2C"
}

@test "parallel.sh: 4 shards under GNU parallel, merged: the files and report of one process" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (apt-get install parallel)"
	run -0 --separate-stderr bash "$EX/parallel.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "output in $T/out, 4 shards
6 flow files, 3 body files, report.xml
same files and report as one process" ]
	# the rotated files are one capture, as with -r
	diff -r "$DATA/real/reuse.expected" "$T/out/flows"
	xmllint --noout --schema "$XSD" "$T/out/report.xml" 2>/dev/null
	# Two captures of several connections, read as one.
	run -0 --separate-stderr bash "$EX/parallel.sh" "$BIN" "$T/out2" 4 \
	    "$EX/http-codings.pcap" "$EX/http.pcap"
	[ "$output" = "output in $T/out2, 4 shards
8 flow files, 14 body files, report.xml
same files and report as one process" ]
	[ "$(grep -c '<fileobject>' "$T/out2/report.xml")" -eq 22 ]
	# What the example checks, checked here too: the body files are
	# those tf-http writes in one process.
	diff -r "$T/out2/objects" "$T/out2/single/objects"
}

@test "json-jq.sh: one line per connection, then the totals" {
	command -v jq >/dev/null || skip "jq is not installed"
	run -0 --separate-stderr sh "$EX/json-jq.sh" "$BIN"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<-EOF2
	\$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 | tf-cat -j | jq ...
	conn	start	client	server	close	sent	received
	1	2026-11-26T09:36:41.619268Z	127.0.0.1:40000	127.0.0.1:8080	fin	110	551
	2	2026-11-26T09:36:41.922279Z	127.0.0.1:40000	127.0.0.1:8080	fin	112	3249
	3	2026-11-26T09:36:42.223861Z	127.0.0.1:40000	127.0.0.1:8080	fin	112	303
	3 connections, 34 packets, 0 gaps
	EOF2
}

@test "live.sh: not run; valid sh, usage without an interface" {
	sh -n "$EX/live.sh"
	run -2 sh "$EX/live.sh"
	[ "$output" = "usage: sh examples/live.sh IFACE [DIR [bindir]]" ]
}

@test "http-objects.sh: decoded bodies equal what the server sent; the report names every flow file" {
	run -0 --separate-stderr sh "$EX/http-objects.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble < http-codings.pcap | tf-http -o objects | tf-split -o flows | tf-report > report.xml

\$ md5sum objects/*
8400449f727ba7dc80f0cfd9b8979dca  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-001.html
77f1351cfee442fb902484f4ba069570  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-002.js
fddd4142f890babd5e7ef0c44bb46859  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-004.css
3a573e4431f99352a44c0eef78016470  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-006.json
af97ad831f00597a9f77f40f496eacec  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-008.svg
81a1c6ecaf866f716eb72179f311300a  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-009.xml
96a5f83bf42b635ece9df1a243269ce4  127.000.000.001.08080-127.000.000.001.40001-HTTPBODY-010.txt
002d41e060ad802f97655d865d4161a7  127.000.000.001.08080-127.000.000.001.40002-HTTPBODY-002.txt
fb6aa3ce28ab69dfece6bbd8d7931b4d  127.000.000.001.08080-127.000.000.001.40002-HTTPBODY-003.txt
4eeb2ceed97d500d8c52dddfa3127ce0  127.000.000.001.08080-127.000.000.001.40003-HTTPBODY-001.txt
608b9faf42d221b298358f8f6f1d629a  127.000.000.001.40002-127.000.000.001.08080-HTTPBODY-001.json
a4b6722509f9f74732d75ed3057a5b64  127.000.000.001.40002-127.000.000.001.08080-HTTPBODY-002.txt

6 fileobjects for flows in report.xml" ]
	# The bodies are the files the server sent, byte for byte.
	diff -r "$DATA/http/codings.expected" "$T/out/objects"
	[ "$(ls "$T/out/flows" | wc -l)" = 6 ]
	xmllint --noout --schema "$XSD" "$T/out/report.xml"
}

@test "http-tunnel.sh: bodies through a CONNECT proxy and past a cut header block, tunnels annotated" {
	run -0 --separate-stderr sh "$EX/http-tunnel.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble < http-tunnel.pcap | tf-http -o objects 2>warnings | tf-cat -j > annotations.json
\$ cat warnings
tf-http: 1 header block cut, read past the cut only for the fields that frame and code the body: 1 over 65536 bytes (-H)

\$ jq (the tunnels: connection, direction, protocol, opened by)
1 0 http CONNECT 127.0.0.1:8081 200
1 1 http CONNECT 127.0.0.1:8081 200
2 0 tls CONNECT 127.0.0.1:8443 200
2 1 tls CONNECT 127.0.0.1:8443 200
4 0 websocket GET /ws 101
4 1 websocket GET /ws 101

\$ jq (the messages in a tunnel or with a header block cut)
1 request 2 tunnel=127.0.0.1:8081 headers_cut=null -
1 response 2 tunnel=127.0.0.1:8081 headers_cut=null objects/127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-002.txt
1 request 3 tunnel=127.0.0.1:8081 headers_cut=null -
1 response 3 tunnel=127.0.0.1:8081 headers_cut=null objects/127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-003
3 response 1 tunnel=null headers_cut=bytes objects/127.000.000.001.08090-127.000.000.001.41102-HTTPBODY-001.txt

\$ md5sum objects/*
6cc258557ac3f34fd391e305573393d5  127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-002.txt
ff3a16657f1798c359e78984d5acfdbc  127.000.000.001.03128-127.000.000.001.41100-HTTPBODY-003
a105c81b766d1e0860024b6e48a14590  127.000.000.001.08090-127.000.000.001.41102-HTTPBODY-001.txt
eb688cfc970000f36ccccf562785f779  127.000.000.001.08090-127.000.000.001.41102-HTTPBODY-002.txt
eeb1c1f3031a2f88029559295e497032  127.000.000.001.08090-127.000.000.001.41103-WS-001.txt
eeb1c1f3031a2f88029559295e497032  127.000.000.001.41103-127.000.000.001.08090-WS-001.txt" ]
	# The bundled capture is the test one; the bodies are as served.
	cmp "$EX/http-tunnel.pcap" "$DATA/http/tunnel.pcap"
	diff -r "$DATA/http/tunnel.expected" "$T/out/objects"
}

@test "http-headers.sh: transfer codings undone, failures kept, every header block in a file and in the report" {
	run -0 --separate-stderr sh "$EX/http-headers.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble < http-codings2.pcap | tf-http -A -o objects 2>warnings | tf-report > report.xml
\$ cat warnings
tf-http: connection 5 direction 1 at byte 132: message 1: corrupt gzip data: body truncated at 15120 bytes
tf-http: connection 6 direction 1 at byte 129: message 1: coded data cut short
tf-http: 2 of 6 bodies not whole: 2 decode

\$ wc -c objects/* (the sizes and names)
   119 127.000.000.001.08080-127.000.000.001.42001-HTTP-001
 26100 127.000.000.001.08080-127.000.000.001.42001-HTTPBODY-001.txt
   147 127.000.000.001.08080-127.000.000.001.42002-HTTP-001
 27000 127.000.000.001.08080-127.000.000.001.42002-HTTPBODY-001.json
   112 127.000.000.001.08080-127.000.000.001.42003-HTTP-001
 24600 127.000.000.001.08080-127.000.000.001.42003-HTTPBODY-001.html
   117 127.000.000.001.08080-127.000.000.001.42004-HTTP-001
 26100 127.000.000.001.08080-127.000.000.001.42004-HTTPBODY-001.css
   132 127.000.000.001.08080-127.000.000.001.42005-HTTP-001
 15120 127.000.000.001.08080-127.000.000.001.42005-HTTPBODY-001-PARTIAL.txt
  5263 127.000.000.001.08080-127.000.000.001.42005-HTTPBODY-GZIP-001-PARTIAL
   129 127.000.000.001.08080-127.000.000.001.42006-HTTP-001
 16745 127.000.000.001.08080-127.000.000.001.42006-HTTPBODY-001-PARTIAL.txt
   849 127.000.000.001.08080-127.000.000.001.42006-HTTPBODY-BR-001-PARTIAL
    93 127.000.000.001.42001-127.000.000.001.08080-HTTP-001
    96 127.000.000.001.42002-127.000.000.001.08080-HTTP-001
    88 127.000.000.001.42003-127.000.000.001.08080-HTTP-001
    93 127.000.000.001.42004-127.000.000.001.08080-HTTP-001
    90 127.000.000.001.42005-127.000.000.001.08080-HTTP-001
    90 127.000.000.001.42006-127.000.000.001.08080-HTTP-001

\$ tr -d \"\\r\" < objects/127.000.000.001.08080-127.000.000.001.42002-HTTP-001
HTTP/1.1 200 OK
Server: tf-codings2
Content-Type: application/json
Content-Encoding: br
Transfer-Encoding: gzip, chunked
Connection: close

12 header files in report.xml" ]
	# The files tests/data/mkcodings2.sh's server wrote as the truth.
	for f in "$DATA/http/codings2.expected"/*; do
		cmp "$f" "$T/out/objects/${f##*/}"
	done
	cmp "$EX/http-codings2.pcap" "$DATA/http/codings2.pcap"
	xmllint --noout --schema "$XSD" "$T/out/report.xml"
}

@test "untrusted.sh: a hostile capture: names from connections only, the bomb cut, the rest counted" {
	# Not $T itself: run --separate-stderr leaves files there.
	mkdir "$T/top"
	run -0 --separate-stderr sh "$EX/untrusted.sh" "$BIN" "$T/top/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble -C 16 < hostile.pcap | tf-http -R 100 -o objects | tf-split -o flows | tf-report > report.xml
tf-reassemble: 1 malformed packet skipped, 25 connections evicted over -C, 3 fragments of datagrams never completed
tf-http: connection 42 direction 1 at byte 92: message 1: decompression ratio limit reached: body truncated at 1064960 bytes
tf-http: 1 of 2 bodies not whole: 1 limit

\$ find objects flows -type f -printf \"%s %p\\n\" | sort -k 2
49 flows/192.000.002.010.40001-203.000.113.005.00080
31 flows/192.000.002.010.40002-203.000.113.005.00080
81 flows/203.000.113.005.00080-192.000.002.010.40001
65342 flows/203.000.113.005.00080-192.000.002.010.40002
12 objects/203.000.113.005.00080-192.000.002.010.40001-HTTPBODY-001
1064960 objects/203.000.113.005.00080-192.000.002.010.40002-HTTPBODY-001-PARTIAL.txt

\$ tf-reassemble -q -C 16 < hostile.pcap | tf-cat | tail -n 1
end packets 105 bytes 71305 not_ip 0 not_tcp 0 malformed 1 truncated 0 fragments 3 reassembled 0 frag_dropped 3 connections 42 evicted 25 timeouts 0 stray 2 gaps 0 gapbytes 0 bad_checksum 0 rst_ignored 0 status ok" ]
	# Nothing else was made, here or beside the output directory.
	[ "$(cd "$T/top" && find . | sort)" = ".
./out
./out/flows
./out/flows/192.000.002.010.40001-203.000.113.005.00080
./out/flows/192.000.002.010.40002-203.000.113.005.00080
./out/flows/203.000.113.005.00080-192.000.002.010.40001
./out/flows/203.000.113.005.00080-192.000.002.010.40002
./out/objects
./out/objects/203.000.113.005.00080-192.000.002.010.40001-HTTPBODY-001
./out/objects/203.000.113.005.00080-192.000.002.010.40002-HTTPBODY-001-PARTIAL.txt
./out/report.xml" ]
	[ "$(cat "$T/top/out/objects/203.000.113.005.00080-192.000.002.010.40001-HTTPBODY-001")" = "root:x:0:0:" ]
	head -c 1064960 /dev/zero |
	    cmp - "$T/top/out/objects/203.000.113.005.00080-192.000.002.010.40002-HTTPBODY-001-PARTIAL.txt"
	grep -q 'GET /\.\./\.\./\.\./\.\./etc/passwd' "$T/top/out/flows/192.000.002.010.40001-203.000.113.005.00080"
	xmllint --noout --schema "$XSD" "$T/top/out/report.xml"
}

@test "websocket.sh: the messages of two WebSocket sessions, with and without permessage-deflate" {
	run -0 --separate-stderr sh "$EX/websocket.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble < websocket.pcap | tf-http -o objects | tf-cat -j > annotations.json

\$ jq (each message and control frame: connection, direction, what, frames, compressed, bytes as sent and decoded, file)
1 0 text frames=1 compressed=true sent=17 length=15 objects/127.000.000.001.41200-127.000.000.001.08765-WS-001.txt
1 1 text frames=1 compressed=true sent=23 length=21 objects/127.000.000.001.08765-127.000.000.001.41200-WS-001.txt
1 0 binary frames=1 compressed=true sent=306 length=4072 objects/127.000.000.001.41200-127.000.000.001.08765-WS-002.bin
1 1 binary frames=1 compressed=true sent=306 length=4072 objects/127.000.000.001.08765-127.000.000.001.41200-WS-002.bin
1 0 ping frames=1 compressed=- sent=17 length=- between fragments
1 0 text frames=4 compressed=true sent=45 length=35 objects/127.000.000.001.41200-127.000.000.001.08765-WS-003.txt
1 1 pong frames=1 compressed=- sent=17 length=- between fragments
1 1 text frames=1 compressed=true sent=34 length=41 objects/127.000.000.001.08765-127.000.000.001.41200-WS-003.txt
1 0 ping frames=1 compressed=- sent=6 length=- ping 1
1 1 pong frames=1 compressed=- sent=6 length=- ping 1
1 0 binary frames=1 compressed=true sent=579 length=65536 objects/127.000.000.001.41200-127.000.000.001.08765-WS-004.bin
1 1 text frames=1 compressed=true sent=17 length=15 objects/127.000.000.001.08765-127.000.000.001.41200-WS-004.txt
1 1 text frames=1 compressed=true sent=479 length=5600 objects/127.000.000.001.08765-127.000.000.001.41200-WS-005.txt
1 0 close frames=1 compressed=- sent=5 length=- 1000 bye
1 1 close frames=1 compressed=- sent=5 length=- 1000 bye
2 0 text frames=1 compressed=false sent=15 length=15 objects/127.000.000.001.41201-127.000.000.001.08765-WS-001.txt
2 1 text frames=1 compressed=false sent=21 length=21 objects/127.000.000.001.08765-127.000.000.001.41201-WS-001.txt
2 0 binary frames=1 compressed=false sent=4072 length=4072 objects/127.000.000.001.41201-127.000.000.001.08765-WS-002.bin
2 1 binary frames=1 compressed=false sent=4072 length=4072 objects/127.000.000.001.08765-127.000.000.001.41201-WS-002.bin
2 0 ping frames=1 compressed=- sent=17 length=- between fragments
2 0 text frames=4 compressed=false sent=35 length=35 objects/127.000.000.001.41201-127.000.000.001.08765-WS-003.txt
2 1 pong frames=1 compressed=- sent=17 length=- between fragments
2 1 text frames=1 compressed=false sent=41 length=41 objects/127.000.000.001.08765-127.000.000.001.41201-WS-003.txt
2 0 ping frames=1 compressed=- sent=6 length=- ping 1
2 1 pong frames=1 compressed=- sent=6 length=- ping 1
2 0 binary frames=1 compressed=false sent=65536 length=65536 objects/127.000.000.001.41201-127.000.000.001.08765-WS-004.bin
2 1 text frames=1 compressed=false sent=15 length=15 objects/127.000.000.001.08765-127.000.000.001.41201-WS-004.txt
2 1 text frames=1 compressed=false sent=5600 length=5600 objects/127.000.000.001.08765-127.000.000.001.41201-WS-005.txt
2 0 close frames=1 compressed=- sent=5 length=- 1000 bye
2 1 close frames=1 compressed=- sent=5 length=- 1000 bye

\$ jq (what permessage-deflate the first session agreed)
{\"client_no_context_takeover\":false,\"server_no_context_takeover\":false,\"client_max_window_bits\":12,\"server_max_window_bits\":12}

\$ head -c 60 objects/*-WS-001.txt
127.000.000.001.08765-127.000.000.001.41200-WS-001.txt: echo: HELLO WEBSOCKET
127.000.000.001.08765-127.000.000.001.41201-WS-001.txt: echo: HELLO WEBSOCKET
127.000.000.001.41200-127.000.000.001.08765-WS-001.txt: hello websocket
127.000.000.001.41201-127.000.000.001.08765-WS-001.txt: hello websocket" ]
	# The bundled capture is the test one; the messages as sent.
	cmp "$EX/websocket.pcap" "$DATA/http/ws.pcap"
	diff -r "$DATA/http/ws.expected" "$T/out/objects"
}

@test "tls.sh: the TLS metadata, then the HTTPS bodies decrypted (the bodies nginx served: tests/data/tls/nginx.expected)" {
	run -0 --separate-stderr sh "$EX/tls.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ tf-reassemble < tls.pcap | tf-tls -j | jq (no keys: the metadata)
1 TLSv1.3 tf.test TLS_AES_256_GCM_SHA384 alpn=http/1.1 decrypted=false
  ja3 0149f47eabf9a20d0893e2a44e5a6323
  ja4 t13d3112h1_e8f1e7e78f70_b26ce05bbdd6

\$ tf-reassemble < tls.pcap | tf-tls -k tls.keys | tf-http -o objects | tf-cat -j > annotations.json
\$ jq (the session, decrypted)
TLSv1.3 TLS_AES_256_GCM_SHA384 alpn=http/1.1 decrypted=true
\$ jq (the certificate)
CN=tf.test,O=tf test issued by CN=tf test CA,O=tf test, san tf.test 127.0.0.1
\$ jq (the HTTP messages inside)
request GET /page.html -
response 200 text/html objects/127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-001.html
request GET /data.json -
response 200 application/json objects/127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-002.json
request GET /blob.bin -
response 200 application/octet-stream objects/127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-003

\$ md5sum objects/*
5b17e88959015d9ef3c38f84da845470  127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-001.html
3814d615b4fedec43392a0543c82c89c  127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-002.json
ebc9e6a34ea506b8e598b7695aa4b569  127.000.000.001.08443-127.000.000.001.41000-HTTPBODY-003

\$ tf-reassemble < tls.pcap | tf-tls -K -k tls.keys | tf-split -o flows (plaintext, and ciphertext beside it)
11764 127.000.000.001.08443-127.000.000.001.41000
13823 127.000.000.001.08443-127.000.000.001.41000-TLS
  380 127.000.000.001.41000-127.000.000.001.08443
 1067 127.000.000.001.41000-127.000.000.001.08443-TLS
27034 total" ]
	cmp "$EX/tls.pcap" "$DATA/tls/nginx-h1.pcap"
	cmp "$EX/tls.keys" "$DATA/tls/nginx-h1.keys"
	# The -TLS sizes are the TCP payload each side sent, by tshark.
	if command -v tshark >/dev/null; then
		[ "$(tshark -r "$EX/tls.pcap" -T fields -e tcp.srcport -e tcp.len |
		    awk '{ s[$1] += $2 } END { print s[8443], s[41000] }')" = "13823 1067" ]
	fi
	cmp "$T/out/objects/"*-HTTPBODY-001.html "$DATA/tls/nginx.expected/page.html"
	cmp "$T/out/objects/"*-HTTPBODY-002.json "$DATA/tls/nginx.expected/data.json"
	cmp "$T/out/objects/"*-HTTPBODY-003 "$DATA/tls/nginx.expected/blob.bin"
}

@test "zero-copy.sh: with TF_VMSPLICE=1 the same files and the same stream" {
	run -0 --separate-stderr sh "$EX/zero-copy.sh" "$BIN" "$T/out"
	[ -z "$stderr" ]
	[ "$output" = "\$ cd copy && tf-reassemble < http.pcap | tf-http -o objects | tf-split -o flows | tf-cat > stream.txt
\$ export TF_VMSPLICE=1
\$ cd gift && tf-reassemble < http.pcap | tf-http -o objects | tf-split -o flows | tf-cat > stream.txt
\$ diff -r copy gift
same: 4 files and the stream" ]
	[ "$(cd "$T/out/gift" && find . -type f | LC_ALL=C sort)" = "./flows/127.000.000.001.08080-127.000.000.001.44866
./flows/127.000.000.001.44866-127.000.000.001.08080
./objects/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-001.txt
./objects/127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002
./stream.rest" ]
	# The stream went through: every connection's CLOSE and the END.
	[ "$(grep -c '^close ' "$T/out/gift/stream.rest")" = 1 ]
	[ "$(tail -n 1 "$T/out/gift/stream.rest" | cut -d' ' -f1)" = end ]
}
