# SPDX-License-Identifier: BSD-2-Clause
# Resource caps under hostile input: floods of connections, of
# out-of-order data and of IP fragments, a gzip bomb, stream records that
# claim 4 GB, deep VLAN stacks and IPv6 extension header chains.  Each
# test prints the peak RSS of the program under test (see the test log)
# and bounds it well below what the same input costs without the cap, with
# room for an ASan build.  The floods come from pktgen, piped straight in.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	# ASan's quarantine would keep freed memory and hide what caps free.
	export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0
}

# tfcount: the summary of the stream on stdin, as tf-cat -s gives it:
# records by kind, CLOSE and GAP records by cause, the most connections
# open at once, the END record's totals.
tfcount() {
	tf-cat -s
}

# peak WHAT FILE: prints the peak RSS /usr/bin/time -f %M wrote to FILE
# (its last line: a non-zero exit adds one before) to the test log, and to
# stdout.
peak() {
	local kib
	kib=$(tail -n 1 "$2")
	echo "# $1: peak RSS $kib KiB" >&3
	echo "$kib"
}

# elapsed START WHAT: prints to the test log how long since START ($SECONDS).
elapsed() {
	echo "# $2: $((SECONDS - $1)) s" >&3
}

# asan: whether the programs under test are an ASan build.  (grep reads
# all of ldd's output: with grep -q, ldd could die of SIGPIPE, and under
# pipefail the build would seem plain.)
asan() {
	ldd "$(command -v tf-cat)" 2>/dev/null | grep libasan >/dev/null
}

@test "a SYN flood of 1,000,000 connections stays under -C 131072" {
	t0=$SECONDS
	pktgen flood-syn 1000000 |
	    /usr/bin/time -f %M -o rss tf-reassemble 2>err | tfcount >got
	[ "${PIPESTATUS[*]}" = "0 0 0" ]
	elapsed $t0 "pktgen | tf-reassemble | tfcount"
	# The loss summed up: the connections evicted lost what came later.
	[ "$(cat err)" = "tf-reassemble: 868928 connections evicted over -C" ]
	# Each SYN opens a connection; past 131072 live ones, the one idle
	# the longest, the oldest, is evicted to make room: connection n
	# goes when connection n + 131072 comes.  The rest end with the input.
	cat >want <<-'EOF'
	records.header=1
	records.open=1000000
	records.data=0
	records.gap=0
	records.close=1000000
	records.annot=1
	records.end=1
	close.end=131072
	close.evicted=868928
	live.max=131072
	end.packets=1000000
	end.bytes=62000000
	end.not_ip=0
	end.not_tcp=0
	end.malformed=0
	end.truncated=0
	end.fragments=0
	end.reassembled=0
	end.frag_dropped=0
	end.connections=1000000
	end.evicted=868928
	end.timeouts=0
	end.stray=0
	end.gaps=0
	end.gapbytes=0
	end.bad_checksum=0
	end.rst_ignored=0
	end.status=ok
	EOF
	diff want got
	# 131072 connections take 73 MB (108 MB under ASan); without the cap,
	# 1000000 take 515 MB (tf-reassemble -C 2000000).
	[ "$(peak "tf-reassemble, 1000000 SYNs" rss)" -lt 200000 ]
	# The idlest is the oldest: on a smaller flood, the evicted ones are
	# closed in the order they were opened.
	pktgen flood-syn 2000 | tf-reassemble -C 100 | tf-cat -j >small.json
	[ "$(jq -s -c '[.[] | select(.kind == "close" and .cause == "evicted") | .conn] == [range(1; 1901)]' small.json)" = true ]
}

@test "100,000 connections holding out-of-order data stay within -B 64M" {
	t0=$SECONDS
	pktgen flood-ooo 100000 |
	    /usr/bin/time -f %M -o rss tf-reassemble 2>err | tfcount >got
	[ "${PIPESTATUS[*]}" = "0 0 0" ]
	elapsed $t0 "pktgen | tf-reassemble | tfcount"
	# The loss summed up, by cause (as in the gap records below).
	[ "$(cat err)" = "tf-reassemble: 146000000 bytes lost in 100000 gaps (lost 8322, ooo-cap 91678)" ]
	# Each connection buffers 8000 bytes after a hole of 1460, accounted
	# as 8000 + 64: 64 MiB holds 8322 of them.  From then on, each new
	# one makes the oldest give up on its hole (a GAP ooo-cap) and write
	# its bytes: 100000 - 8322 times.  The 8322 left give up at the end
	# of the input, their holes lost.
	cat >want <<-'EOF'
	records.header=1
	records.open=100000
	records.data=100000
	records.gap=100000
	records.close=100000
	records.annot=1
	records.end=1
	close.end=100000
	gap.lost=8322
	gapbytes.lost=12150120
	gap.ooo-cap=91678
	gapbytes.ooo-cap=133849880
	live.max=100000
	end.packets=400000
	end.bytes=823200000
	end.not_ip=0
	end.not_tcp=0
	end.malformed=0
	end.truncated=0
	end.fragments=0
	end.reassembled=0
	end.frag_dropped=0
	end.connections=100000
	end.evicted=0
	end.timeouts=0
	end.stray=0
	end.gaps=100000
	end.gapbytes=146000000
	end.bad_checksum=0
	end.rst_ignored=0
	end.status=ok
	EOF
	diff want got
	# 64 MiB of data and 100000 connections take 126 MB (181 MB under
	# ASan); without the cap 844 MB (tf-reassemble -B 2G).
	[ "$(peak "tf-reassemble, 100000 connections with holes" rss)" -lt 300000 ]
}

# frag_want PACKETS BYTES FRAGMENTS DROPPED: tfcount's lines for a flood of
# fragments followed by pktgen's frag4 and frag6 connections, whole.
frag_want() {
	cat <<-EOF
	records.header=1
	records.open=2
	records.data=4
	records.gap=0
	records.close=2
	records.annot=6
	records.end=1
	close.fin=2
	live.max=1
	end.packets=$1
	end.bytes=$2
	end.not_ip=0
	end.not_tcp=0
	end.malformed=0
	end.truncated=0
	end.fragments=$3
	end.reassembled=2
	end.frag_dropped=$4
	end.connections=2
	end.evicted=0
	end.timeouts=0
	end.stray=2
	end.gaps=0
	end.gapbytes=0
	end.bad_checksum=0
	end.rst_ignored=0
	end.status=ok
	EOF
}

# frag_flood MODE N WHAT: pktgen MODE N through tf-reassemble | tf-split:
# exit 0, the fragments never completed summed up on stderr (their
# number is N), the files of the connections after the flood
# whole, and the peak RSS of tf-reassemble (WHAT names it) shown in the
# log and left in the file rss.
frag_flood() {
	local t0=$SECONDS
	pktgen -e exp "$1" "$2" |
	    /usr/bin/time -f %M -o rss tf-reassemble 2>err |
	    tf-split -o out | tfcount >got
	[ "${PIPESTATUS[*]}" = "0 0 0 0" ]
	elapsed $t0 "pktgen | tf-reassemble | tf-split | tfcount"
	[ "$(cat err)" = "tf-reassemble: $2 fragments of datagrams never completed" ]
	same_tree exp out
	peak "tf-reassemble, $3" rss >/dev/null
}

@test "an IP fragment flood stays under 4096 pending datagrams; later fragments still come through" {
	frag_flood flood-frag 1000000 "1000000 fragments"
	# 1000000 first fragments of datagrams that never complete, IPv4 and
	# IPv6 in turn, each held in 2696 accounted bytes: the cap on pending
	# datagrams, 4096, comes before the 16 MiB one.  Then two connections
	# whose 3000-byte segments come in 3 fragments each, IPv4 (its first
	# fragment evicts one more datagram of the flood) and IPv6.  The
	# 4095 datagrams still pending at the end are dropped too: every
	# fragment of the flood is counted in frag_dropped.
	frag_want 1000026 72010040 1000006 1000000 | diff - got
	# 4096 datagrams take 14 MB (26 MB under ASan); without the caps,
	# 1000000 would hold 2.7 GB.
	[ "$(tail -n 1 rss)" -lt 65536 ]
}

@test "an IP fragment flood of 64 KiB datagrams stays under 16 MiB" {
	frag_flood flood-bigfrag 100000 "100000 fragments of 64 KiB datagrams"
	# Each fragment, at offset 64000, makes its datagram hold a buffer
	# of 64 KiB and its two bitmaps: 82056 accounted bytes, so 204 of
	# them fit in 16 MiB, and every fragment after those evicts the
	# oldest.  What is left is room enough for the two connections that
	# follow.  Those still pending at the end are dropped too.
	frag_want 100026 144810040 100006 100000 | diff - got
	# 204 datagrams take 19 MB (30 MB under ASan); without the cap,
	# 100000 would touch at least 3 pages each: 1.2 GB.
	[ "$(tail -n 1 rss)" -lt 65536 ]
}

# bomb MIB: a stream, bomb.tfs, with one connection whose response body
# is MIB MiB of zeros in gzip, about 1 KiB a MiB.  Every MiB is coded
# alike: after a full flush deflate starts afresh, so one coded MiB is
# repeated.  The header is 68 bytes for a body of 7 digits of length.
bomb() {
	python3 -c '
import struct, sys, zlib
n = int(sys.argv[1])
z = bytes(1 << 20)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
first = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
again = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
assert again == c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
crc = 0
for i in range(n):
    crc = zlib.crc32(z, crc)
sys.stdout.buffer.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" +
    first + again * (n - 1) + c.flush() +
    struct.pack("<II", crc, (n << 20) & 0xffffffff))
' "$1" >bomb.gz
	local n
	n=$(stat -c %s bomb.gz)
	[ ${#n} = 7 ]
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		echo "data conn=1 dir=1 off=0 text=\"HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nContent-Length: $n\\r\\n\\r\\n\""
		echo "data conn=1 dir=1 off=68 hex=$(od -An -v -tx1 bomb.gz | tr -d ' \n')"
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >bomb.tfs
}

# annot: the http.message annotation in the stream on stdin, as JSON.
annot() {
	tf-cat -j | jq -c 'select(.kind == "annot" and .key == "http.message") | .value | fromjson | {file, length, complete, problem}'
}

BODY=010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001-PARTIAL

@test "a gzip bomb, 1 GiB of zeros in 1 MB: the ratio cap stops it after 1 MiB" {
	bomb 1025
	t0=$SECONDS
	/usr/bin/time -f %M -o rss tf-http -o obj <bomb.tfs >out.tfs 2>err
	elapsed $t0 tf-http
	# The ratio, 1000 by default, is checked from 1 MiB of output on,
	# against the coded bytes decoded so far, not all those at hand: the
	# whole bomb is in the first 1 MiB record.  This one codes 1011 to
	# 1, so it stops within a few chunks of 16 KiB.
	s=$(stat -c %s "obj/$BODY")
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 68: message 1: decompression ratio limit reached: body truncated at $s bytes
tf-http: 1 of 1 body not whole: 1 limit" ]
	# (Two statements: set -e does not see the first of a && list.)
	[ "$s" -gt 1048576 ]
	[ "$s" -le 2097152 ]
	cmp -n "$s" "obj/$BODY" /dev/zero
	[ "$(ls obj)" = "$BODY" ]
	ann=$(annot <out.tfs)
	[ "$ann" = "{\"file\":\"obj/$BODY\",\"length\":$s,\"complete\":false,\"problem\":\"limit\"}" ]
	[ "$(peak "tf-http, gzip bomb, default caps" rss)" -lt 65536 ]
}

@test "a gzip bomb, 1 GiB of zeros in 1 MB: with -R 0, stopped at exactly -m, 1 GiB by default" {
	bomb 1025
	t0=$SECONDS
	# -j: no stream passed on, so no digests of the 1 GiB computed.
	tf-http -j -R 0 -o obj <bomb.tfs 2>err |
	    jq -c '.response | {file, length, complete, problem}' >got
	/usr/bin/time -f %M -o rss tf-http -R 0 -m 100000001 -o obj2 \
	    <bomb.tfs 2>err2 | annot >>got
	[ "${PIPESTATUS[*]}" = "0 0" ]
	elapsed $t0 "tf-http -j -R 0; tf-http -R 0 -m 100000001"
	# The first DATA record, 1 MiB of the body, decodes to 1012 MiB: the
	# limit is reached in the second.
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 1048604: message 1: decoded size limit reached: body truncated at 1073741824 bytes
tf-http: 1 of 1 body not whole: 1 limit" ]
	[ "$(cat err2)" = "tf-http: connection 1 direction 1 at byte 68: message 1: decoded size limit reached: body truncated at 100000001 bytes
tf-http: 1 of 1 body not whole: 1 limit" ]
	cat >want <<-EOF
	{"file":"obj/$BODY","length":1073741824,"complete":false,"problem":"limit"}
	{"file":"obj2/$BODY","length":100000001,"complete":false,"problem":"limit"}
	EOF
	diff want got
	# Exactly that many zeros.
	[ "$(stat -c %s "obj/$BODY")" = 1073741824 ]
	cmp -n 1073741824 "obj/$BODY" /dev/zero
	[ "$(stat -c %s "obj2/$BODY")" = 100000001 ]
	cmp -n 100000001 "obj2/$BODY" /dev/zero
	# Bodies are written as they are decoded: memory does not grow.
	[ "$(peak "tf-http, gzip bomb, -R 0 -m 100000001" rss)" -lt 65536 ]
}

@test "a record whose length says up to 4 GiB is refused before any allocation, by every reader" {
	# Only the preamble and the record's 8-byte header, from a pipe whose
	# writer stays: a reader that waited for the body, or read it, would
	# hang.  A plain build also runs under a 64 MiB address space limit,
	# in which even a 2 GiB allocation fails.
	asan || lim='ulimit -v 65536;'
	declare -A args=([tf-split]='tf-split -o obj' [tf-cat]=tf-cat
	    [tf-http]='tf-http -o obj' [tf-report]=tf-report)
	for len in 4294967295 2147483648 1048577; do
		printf 'rawlen len=%s\n' $len | mkstream >long.tfs
		for prog in tf-split tf-cat tf-http tf-report; do
			rm -f fifo && mkfifo fifo
			exec 4<>fifo
			cat long.tfs >&4
			run -1 --separate-stderr timeout 10 bash -c "$lim exec \
			    /usr/bin/time -f %M -o rss ${args[$prog]} >/dev/null" \
			    <fifo
			exec 4>&-
			[ "$stderr" = "$prog: record at byte 16 longer than 1048576 bytes" ]
			rss=$(tail -n 1 rss)
			[ "$rss" -lt 32768 ]
			[ "$len.$prog" != 4294967295.tf-report ] ||
			    peak "$prog, a 4 GiB record" rss >/dev/null
		done
	done
	# With the 1 MiB + 1 byte there, and END after it: refused the same.
	printf 'rawlen len=1048577\ndata fill=1048576\nend\n' | mkstream >long.tfs
	for prog in tf-split tf-cat tf-http tf-report; do
		run -1 --separate-stderr bash -c "exec /usr/bin/time -f %M \
		    -o rss ${args[$prog]} >/dev/null" <long.tfs
		[ "$stderr" = "$prog: record at byte 16 longer than 1048576 bytes" ]
		[ "$(tail -n 1 rss)" -lt 32768 ]
	done
}

# deep MODE LIMIT FAMILY: pktgen's MODE at depths up to DEEP_MAX; depth
# LIMIT is the deepest decoded.  Connection A must come through whole at
# every depth, B only up to LIMIT; past it each of B's 10 frames is one
# malformed packet.
deep() {
	local mode=$1 limit=$2 depth want
	for depth in 0 "$limit" $((limit + 1)) 100 4096; do
		rm -rf exp out
		pktgen -e exp "$mode" "$depth" |
		    /usr/bin/time -f %M -o rss tf-reassemble 2>err |
		    tf-split -o out | tfcount >got
		[ "${PIPESTATUS[*]}" = "0 0 0 0" ]
		if [ "$depth" -le "$limit" ]; then
			[ ! -s err ]
			[ "$(grep -E '^(records.open|end.(packets|malformed|connections|stray))=' got)" = "records.open=2
end.packets=23
end.malformed=0
end.connections=2
end.stray=2" ]
			# A's files as expected, and B's: its request and response.
			[ "$(ls out | wc -l)" = 4 ]
			for f in $(cut -f1 exp/MANIFEST); do
				cmp "exp/$f" "out/$f"
			done
			[ "$(cat out/*.4020[24]-*.00080*)" = "$(printf 'GET /b HTTP/1.1\r\n\r\n')" ]
			[ "$(cat out/*.00080-*.4020[24]*)" = "$(printf 'HTTP/1.1 204 No Content\r\n\r\n')" ]
		else
			[ "$(cat err)" = "tf-reassemble: 10 malformed packets skipped" ]
			[ "$(grep -E '^(records.open|end.(packets|malformed|connections|stray))=' got)" = "records.open=1
end.packets=23
end.malformed=10
end.connections=1
end.stray=1" ]
			same_tree exp out
		fi
		[ "$(tail -n 1 rss)" -lt 32768 ]
	done
	peak "tf-reassemble, $mode 4096" rss >/dev/null
}

@test "VLAN stacks deeper than 8 tags: malformed, the other packets unaffected" {
	deep deep-vlan 8
	# The 8 tags of B at depth 8, outermost first.
	pktgen deep-vlan 8 | tf-reassemble | tf-cat >cat.txt
	grep -q '^open 2 .* vlan 1,2,3,4,5,6,7,8 counter 0 ' cat.txt
}

@test "IPv6 chains of more than 16 extension headers: malformed, the other packets unaffected" {
	deep deep-ext 16
}
