# SPDX-License-Identifier: BSD-2-Clause
# Hostile input, second wave (issue 11): IP fragments that announce far
# more than was captured, and forged streams against tf-report's HTTP
# message caps and pairing, the filters' connection table, the budget of
# zeros hashed for holes, and the C1 controls in every JSON and XML
# output.  Each test asserts exact counters and output, and bounds the
# peak RSS of the program under test (printed to the test log) and,
# where the program counts them (TF_DEBUG_STATS), its operations; never
# the time.  The inputs are generated, piped straight in.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	# ASan's quarantine would keep freed memory and hide what caps free.
	export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0
}

# peak WHAT FILE: prints the peak RSS /usr/bin/time -f %M wrote to FILE
# (its last line) to the test log, and to stdout.
peak() {
	local kib
	kib=$(tail -n 1 "$2")
	echo "# $1: peak RSS $kib KiB" >&3
	echo "$kib"
}

# counts: the lines of tf-cat -s on stdin that a fragment flood sets.
# (Not the DATA records: tf-reassemble writes out what it holds whenever
# its input pauses, so their number depends on the pipe.)
counts() {
	tf-cat -s | grep -E '^(records\.(open|close)|end\.(packets|malformed|truncated|fragments|reassembled|frag_dropped|connections|stray))='
}

@test "fragments announcing 64 KiB with 24 bytes captured cost what their benign twin costs" {
	# pktgen flood-cutfrag writes the frames of flood-frag, first
	# fragments with 24 bytes of payload, but each announcing the most
	# its header can hold: 65535 bytes, cut as by a snaplen.  Buffers
	# and maps follow the bytes captured, not those announced: both
	# floods hold one 2 KiB page and one map per datagram.  (Before,
	# each cut fragment cost a 64 KiB buffer cleared and its 8 KiB
	# bitmap counted a byte at a time: 500000 of them took 6.5 s of CPU
	# against 0.25 s for the twin.)
	for mode in flood-frag flood-cutfrag; do
		rm -rf exp out
		pktgen -e exp "$mode" 200000 |
		    /usr/bin/time -f %M -o "rss.$mode" tf-reassemble 2>err |
		    tf-split -o out | counts >got
		[ "${PIPESTATUS[*]}" = "0 0 0 0" ]
		[ "$(cat err)" = "tf-reassemble: 200000 fragments of datagrams never completed" ]
		# The connections after the flood come through whole.
		same_tree exp out
		cat >want <<-'EOF'
		records.open=2
		records.close=2
		end.packets=200026
		end.malformed=0
		end.truncated=0
		end.fragments=200006
		end.reassembled=2
		end.frag_dropped=200000
		end.connections=2
		end.stray=2
		EOF
		diff want got
		peak "tf-reassemble, $mode 200000" "rss.$mode" >/dev/null
	done
	# 4096 datagrams pending take 16 MB either way (before: 19 MB for
	# the cut ones, the 16 MiB cap full of 64 KiB buffers).
	[ "$(tail -n 1 rss.flood-cutfrag)" -lt 65536 ]
	[ "$(tail -n 1 rss.flood-cutfrag)" -lt $(($(tail -n 1 rss.flood-frag) * 3 / 2)) ]
}

# json_head CONN DIR: the start of tf-report -j's line for a direction
# of a connection from 10.0.0.1 port CONN to 10.0.0.2 port 80 that
# carried no data, up to its "close".
json_head() {
	local src=10.0.0.1 dst=10.0.0.2 sport=$1 dport=80
	if [ "$2" = 1 ]; then
		src=10.0.0.2 dst=10.0.0.1 sport=80 dport=$1
	fi
	printf '{"conn":%s,"dir":%s,"filename":null,"filesize":0,"md5":"d41d8cd98f00b204e9800998ecf8427e","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","startime":null,"endtime":null,"family":2,"src_ipn":"%s","dst_ipn":"%s","srcport":%s,"dstport":%s,"packets":0,"len":0,"caplen":0,"out_of_order_count":0,"violations":0,"vlan":[],"counter":0,"gaps":0,"gapbytes":0,"retrans":0,"overlapdiff":0,"close":"fin"' \
	    "$1" "$2" "$src" "$dst" "$sport" "$dport"
}

# stat_http FILE: tf-report's "http:" line of TF_DEBUG_STATS in FILE.
stat_http() {
	sed -n 's/^tf-report: http: //p' "$1"
}

@test "tf-report pairs 15,000 responses with 100,000 requests by binary search, those whose requests were dropped too" {
	# 120000 requests, of which the first 100000 are kept (the cap per
	# direction), then 15000 responses, response k naming request 8k:
	# the first 12500 find theirs, the last 2500 name dropped ones.  A
	# scan per response would look at a billion requests; a binary
	# search at most 17 per response.  (115000 held: under 64 MiB.)
	awk 'BEGIN {
		print "header"
		print "open conn=1 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=80"
		for (n = 1; n <= 120000; n++)
			printf "annot conn=1 dir=0 key=http.message value=\"{\\\"dir\\\":\\\"request\\\",\\\"n\\\":%d,\\\"uri\\\":\\\"/r%d\\\"}\"\n", n, n
		for (k = 1; k <= 15000; k++)
			printf "annot conn=1 dir=1 key=http.message value=\"{\\\"dir\\\":\\\"response\\\",\\\"n\\\":%d,\\\"request\\\":%d,\\\"file\\\":\\\"b%d\\\"}\"\n", k, 8 * k, k
		print "close conn=1"
		print "end"
	}' | mkstream |
	    TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss tf-report -j >got 2>err
	{
		json_head 1 0
		printf ',"http":[],"http_dropped":20000}\n'
		json_head 1 1
		awk 'BEGIN {
			printf ",\"http\":["
			for (k = 1; k <= 15000; k++) {
				printf "%s{\"filename\":\"b%d\",\"dir\":\"response\",\"n\":%d", (k > 1 ? "," : ""), k, k
				if (8 * k <= 100000)
					printf ",\"uri\":\"/r%d\"", 8 * k
				printf "}"
			}
			printf "]}\n"
		}'
	} >want
	cmp want got
	[ "$(grep -v -e ': table: ' -e ': http: ' err)" = "tf-report: 20000 HTTP messages left out of the report: 20000 over 100000 in one direction" ]
	# 115000 held; each of the 15000 responses looked up in 17 probes
	# at most.
	[ "$(stat_http err | cut -d' ' -f1-6)" = "most held 115000 responses paired 15000" ]
	[ "$(stat_http err | cut -d' ' -f8)" -le $((15000 * 17)) ]
	[ "$(peak "tf-report, 115000 messages held" rss)" -lt 200000 ]
}

@test "tf-report pairs a forged stream's requests by number whatever their order: the first of a number wins" {
	mkstream >s.tfs <<-'EOF'
	header
	open conn=1 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=80
	annot conn=1 dir=0 key=http.message value="{\"n\":3,\"uri\":\"/c\",\"host\":\"h3\"}"
	annot conn=1 dir=0 key=http.message value="{\"uri\":\"/none\"}"
	annot conn=1 dir=0 key=http.message value="{\"n\":1,\"uri\":\"/a\"}"
	annot conn=1 dir=0 key=http.message value="{\"n\":2,\"uri\":\"/b\"}"
	annot conn=1 dir=0 key=http.message value="{\"n\":1,\"uri\":\"/a2\"}"
	annot conn=1 dir=1 key=http.message value="{\"request\":1,\"file\":\"f1\"}"
	annot conn=1 dir=1 key=http.message value="{\"request\":2,\"file\":\"f2\",\"uri\":\"/own\"}"
	annot conn=1 dir=1 key=http.message value="{\"request\":3,\"file\":\"f3\"}"
	annot conn=1 dir=1 key=http.message value="{\"request\":4,\"file\":\"f4\"}"
	close conn=1
	end
	EOF
	run -0 --separate-stderr tf-report -j <s.tfs
	[ -z "$stderr" ]
	[ "$(jq -c 'select(.dir == 1) | .http' <<<"$output")" = '[{"filename":"f1","uri":"/a"},{"filename":"f2","uri":"/own"},{"filename":"f3","uri":"/c","host":"h3"},{"filename":"f4"}]' ]
}

@test "8 connections of 100,000 HTTP messages each: tf-report holds 262144 or 64 MiB of them at most, and says how many it left out" {
	# The stream is made of three parts: the header and 8 OPENs, then
	# one annotation per connection, repeated 100000 times, then the
	# CLOSEs and END (mkstream would take long over 800000 lines).
	awk 'BEGIN {
		print "header"
		for (c = 1; c <= 8; c++)
			printf "open conn=%d src=10.0.0.1 sport=%d dst=10.0.0.2 dport=80\n", c, c
	}' | mkstream >head.tfs
	awk 'BEGIN {
		print "nopreamble"
		for (c = 1; c <= 8; c++)
			printf "annot conn=%d dir=0 key=http.message value=\"{\\\"n\\\":1}\"\n", c
	}' | mkstream >round.tfs
	awk 'BEGIN {
		print "nopreamble"
		for (c = 1; c <= 8; c++)
			printf "close conn=%d\n", c
		print "end"
	}' | mkstream >tail.tfs
	{
		cat head.tfs
		python3 -c 'import sys; sys.stdout.buffer.write(open("round.tfs", "rb").read() * 100000)'
		cat tail.tfs
	} | TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss tf-report -j >got 2>err
	# Each kept message is counted at 568 bytes (its struct, and malloc's
	# share for its strings): 64 MiB holds 118149 of them, 14768 or
	# 14769 per connection as they come in turn.  The rest of each
	# direction is counted in http_dropped; the sum is in one line.
	jq -r '"\(.conn) \(.dir) \(.http_dropped // 0)"' got >dropped
	cat >want <<-'EOF'
	1 0 85231
	1 1 0
	2 0 85231
	2 1 0
	3 0 85231
	3 1 0
	4 0 85231
	4 1 0
	5 0 85231
	5 1 0
	6 0 85232
	6 1 0
	7 0 85232
	7 1 0
	8 0 85232
	8 1 0
	EOF
	diff want dropped
	[ "$(grep -v -e ': table: ' -e ': http: ' err)" = "tf-report: 681851 HTTP messages left out of the report: 681851 over 262144 or 64 MiB held at once" ]
	[ "$(stat_http err | cut -d' ' -f1-3)" = "most held 118149" ]
	# 118149 messages take 64 MiB (before: all 800000 were kept, 279 MB).
	[ "$(peak "tf-report, 8 x 100000 messages" rss)" -lt 150000 ]
}

# fwant PROG: the lines PROG writes on the forged stream below, -C 1000.
fwant() {
	local i
	for i in $(seq 1 10); do
		echo "$1: connection 1 opened twice: second open record at byte $((54 + 104 * i)) ignored"
	done
	for i in $(seq 1 10); do
		echo "$1: more than 1000 connections open at once: connection $i evicted (-C raises the cap)"
	done
	for i in $(seq 1 10); do
		echo "$1: connection $((1000000 + i)) has no open record: its data from byte $((20800158 + 48 * (i - 1))) skipped"
	done
	echo "$1: 100000 connections had no open record: 100000 records skipped"
	echo "$1: 100000 connections opened twice: second open records ignored"
	echo "$1: 100001 connections evicted: more than 1000 open at once (-C raises the cap)"
}

@test "a forged stream of second OPENs, OPENs never closed and orphan GAPs: ten lines of each kind, then one line each, memory held to -C" {
	# Connection 1 opened 100001 times, then connections 2 to 100001
	# opened and never closed, then GAP records of 100000 connections
	# never opened (each held as an orphan, evicting the oldest).
	awk 'BEGIN {
		print "header"
		for (i = 0; i <= 100000; i++)
			print "open conn=1 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=80"
		for (i = 2; i <= 100001; i++)
			printf "open conn=%d src=10.0.0.1 sport=%d dst=10.0.0.2 dport=80\n", i, i % 65536
		for (i = 1; i <= 100000; i++)
			printf "gap conn=%d dir=0 off=0 len=1\n", 1000000 + i
		print "end"
	}' | mkstream >forged.tfs
	for p in "tf-split -C 1000 -o s" "tf-http -C 1000 -o h" "tf-report -C 1000 -j"; do
		prog=${p%% *}
		TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss $p <forged.tfs >out 2>err &&
		    st=0 || st=$?
		[ "$st" = 1 ]
		# The TF_DEBUG_STATS lines ("PROG: WHAT: ...") aside.
		grep -v -E -e '^[a-z-]+: [a-z]+: ' -e '^Command exited' err >msgs
		fwant "$prog" | diff - msgs
		[ "$(sed -n "s/^$prog: table: //p" err | cut -d' ' -f1,2,5-)" = "lookups 300001 most held 1000 evicted 100001 orphans 100000 orphan records 100000" ]
		[ "$(peak "$p, forged stream" rss)" -lt 65536 ]
	done
	# tf-report: a fileobject per direction of every connection, those
	# evicted marked so; the orphans have none.
	[ "$(wc -l <out)" = $((2 * 100001)) ]
	[ "$(grep -c '"close":"evicted"' out)" = $((2 * 100001)) ]
	[ -z "$(find s h -type f)" ]
}

# c1 FILE: a stream with one connection whose response's Content-Type
# holds U+0080, U+009B and U+009F (in UTF-8), DEL and ESC [2K, and an
# annotation whose key and value hold U+009B.
c1() {
	mkstream >"$1" <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: a/\xc2\x80\xc2\x9b\xc2\x9f\x7f\x1b[2K\r\nContent-Length: 2\r\n\r\nhi"
	annot conn=1 dir=1 key="x.\xc2\x9b" value="\xc2\x9b[31m"
	close conn=1
	end
	EOF
}

@test "C1 controls are escaped in tf-report -j, its XML and tf-cat -j: exact bytes" {
	c1 s.tfs
	tf-http -o obj <s.tfs >h.tfs
	# tf-report -j: \u escapes for the C1 controls, DEL and ESC.
	tf-report -j <h.tfs >r.json
	[ "$(grep -c . r.json)" = 2 ]
	grep -F '"content_type":"a/\u0080\u009b\u009f\u007f\u001b[2K",' r.json
	[ "$(grep -c $'\xc2[\x80-\x9f]' r.json)" = 0 ]
	# The XML: character references for the C1 controls and DEL; ESC,
	# which XML 1.0 forbids, is U+FFFD, the bytes in hex beside.
	tf-report <h.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml
	grep -F "content_type=\"a/&#x80;&#x9B;&#x9F;&#x7F;"$'\xef\xbf\xbd'"[2K\" tcpflow:content_type_hex=\"612fc280c29bc29f7f1b5b324b\"" r.xml
	[ "$(grep -c $'\xc2[\x80-\x9f]' r.xml)" = 0 ]
	# tf-cat -j: the DATA record's text, the annotation's key and value.
	tf-cat -j <h.tfs >c.json
	grep -F '"len":69,"data":"HTTP/1.1 200 OK\r\nContent-Type: a/\u0080\u009b\u009f\u007f\u001b[2K\r\nContent-Length: 2\r\n\r\nhi"}' c.json
	grep -Fx '{"kind":"annot","conn":1,"dir":1,"key":"x.\u009b","value":"\u009b[31m"}' c.json
	# tf-http's annotation: the JSON text inside the JSON string.
	grep -F '\"content_type\":\"a/\\u0080\\u009b\\u009f\\u007f\\u001b[2K\"' c.json
	[ "$(grep -c $'\xc2[\x80-\x9f]' c.json)" = 0 ]
	# And jq reads back the very bytes.
	[ "$(jq -r '.http[0].content_type // empty' r.json)" = $'a/\xc2\x80\xc2\x9b\xc2\x9f\x7f\x1b[2K' ]
}

@test "C1 controls: a lone byte 0x9b is not UTF-8: given in hex in JSON, U+FFFD and hex in the XML" {
	mkstream >s.tfs <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: a/\x9b[2J\r\nContent-Length: 2\r\n\r\nhi"
	close conn=1
	end
	EOF
	tf-http -o obj <s.tfs >h.tfs
	tf-report -j <h.tfs >r.json
	grep -F '"content_type_hex":"612f9b5b324a",' r.json
	tf-report <h.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml
	grep -F "content_type=\"a/"$'\xef\xbf\xbd'"[2J\" tcpflow:content_type_hex=\"612f9b5b324a\"" r.xml
	tf-cat -j <h.tfs >c.json
	grep -F '"data_hex":"485454502f312e3120323030204f4b0d0a436f6e74656e742d547970653a20612f9b5b324a0d0a' c.json
	[ "$(grep -c $'\x9b' r.json r.xml c.json | grep -vc ':0$')" = 0 ]
}

# zgap FILE LEN: a stream of 3 connections, each a byte, a hole of LEN
# bytes, and a byte.
zgap() {
	{
		echo header
		for c in 1 2 3; do
			echo "open conn=$c src=10.0.0.1 sport=$c dst=10.0.0.2 dport=80"
			echo "data conn=$c dir=0 off=0 text=\"a\""
			echo "gap conn=$c dir=0 off=1 len=$(($2 - 1))"
			echo "data conn=$c dir=0 off=$2 text=\"b\""
			echo "close conn=$c"
		done
		echo end
	} | mkstream >"$1"
}

@test "3 connections with 1 GiB holes: past the budget of zeros, no digests, nodigest=budget" {
	zgap z.tfs 1073741824
	# 3 GiB of zeros would take minutes of CPU; the run's budget, 64 MiB
	# plus 4 bytes per byte of data, stops each at once.
	/usr/bin/time -f %M -o rss tf-report -j <z.tfs >r.json
	[ "$(jq -c '[.conn, .dir, .filesize, .md5, .sha1, .nodigest]' r.json)" = '[1,0,1073741825,null,null,"budget"]
[1,1,0,"d41d8cd98f00b204e9800998ecf8427e","da39a3ee5e6b4b0d3255bfef95601890afd80709",null]
[2,0,1073741825,null,null,"budget"]
[2,1,0,"d41d8cd98f00b204e9800998ecf8427e","da39a3ee5e6b4b0d3255bfef95601890afd80709",null]
[3,0,1073741825,null,null,"budget"]
[3,1,0,"d41d8cd98f00b204e9800998ecf8427e","da39a3ee5e6b4b0d3255bfef95601890afd80709",null]' ]
	[ "$(peak "tf-report, 3 GiB of holes" rss)" -lt 32768 ]
	# The XML: no hashdigest in the fileobject, nodigest="budget".
	tf-report <z.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml
	FO="//*[local-name()='fileobject']"
	[ "$(xmllint --xpath "count(($FO)[1]/*[local-name()='hashdigest'])" r.xml)" = 0 ]
	[ "$(xmllint --xpath "string(($FO)[1]/*[local-name()='tcpflow']/@nodigest)" r.xml)" = budget ]
	[ "$(xmllint --xpath "count(($FO)[2]/*[local-name()='hashdigest'])" r.xml)" = 2 ]
}

@test "-z: holes hashed while the run's budget lasts, the first that would pass it and all after have no digests" {
	# Holes of 600 KiB under -z 1M: the first is hashed (its digests are
	# those of the file tf-split writes), the second would pass 1 MiB.
	zgap z.tfs 614400
	tf-report -z 1M -j <z.tfs >r.json
	md5=$({ printf a; head -c 614399 /dev/zero; printf b; } | md5sum | cut -d' ' -f1)
	[ "$(jq -c 'select(.dir == 0) | [.conn, .filesize, .md5, .nodigest]' r.json)" = "[1,614401,\"$md5\",null]
[2,614401,null,\"budget\"]
[3,614401,null,\"budget\"]" ]
	# -z 0: no hole is ever hashed; a direction without one still is.
	tf-report -z 0 -j <z.tfs >r0.json
	[ "$(jq -c '[.conn, .dir, .nodigest]' r0.json | tr '\n' ' ')" = '[1,0,"budget"] [1,1,null] [2,0,"budget"] [2,1,null] [3,0,"budget"] [3,1,null] ' ]
}
