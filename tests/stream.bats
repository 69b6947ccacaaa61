#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The flow record stream, tf-stream(5): a golden stream checked byte for
# byte, and every way a reader must refuse its input.  tf-cat is the reader.

setup() {
	load helper
	GOLDEN=$DATA/golden/basic.tfs
	GOLDEN11=$DATA/golden/basic-1.1.tfs
	T=$BATS_TEST_TMPDIR
}

# The description tests/data/golden/basic.tfs was made from.  Change both
# together: mkstream < this > basic.tfs.
golden_desc() {
	cat <<'EOF'
# The golden stream: every record kind, with most fields set.
header linktype=1 snaplen=262144 srckind=file tsresol=1000 start=1700000000.123456789 source=a.pcap source="b c.pcap" program="tf-reassemble 0.1.0" pcapver="libpcap version 1.10.3"
annot conn=0 dir=none key=reassemble.command value="tf-reassemble -r a.pcap -r 'b c.pcap'"
open conn=1 ts=1700000000.000001 pktno=1 src=10.0.0.1 sport=1234 dst=10.0.0.2 dport=80 vlan=42,7 counter=0 flags=syn,mac smac=00:11:22:33:44:55 dmac=66:77:88:99:aa:bb
data conn=1 dir=0 off=0 ts=1700000000.000100 text="GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"
annot conn=1 dir=0 key=split.path value="out/010.000.000.001.01234-010.000.000.002.00080--7"
data conn=1 dir=1 off=0 ts=1700000000.000200 text="HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n"
gap conn=1 dir=1 off=39 len=20 cause=lost ts=1700000000.0003
data conn=1 dir=1 off=59 ts=1700000000.000300001 hex=00ff7f80225c09
annot conn=1 dir=1 key=http.note value="tab\there \"quoted\""
open conn=2 ts=1700000001 pktno=9 src=2001:db8::1 sport=40000 dst=2001:db8::2 dport=443 counter=1 flags=midstream
raw kind=99 hex=010203
data conn=2 dir=1 off=0 ts=1700000001.5 text="\x16\x03\x01"
gap conn=2 dir=0 off=0 len=100 cause=snaplen ts=1700000001.6
close conn=1 cause=fin ts=1700000000.0004 packets0=4 bytes0=32 wirelen0=400 caplen0=380 flags0=syn,fin isn0=1000 first0=1700000000.000001 last0=1700000000.0004 packets1=5 bytes1=46 wirelen1=500 caplen1=480 gaps1=1 gapbytes1=20 retrans1=2 ooo1=1 overlapdiff1=1 violations1=1 first1=1700000000.00015 last1=1700000000.00039 flags1=syn,fin isn1=5000
close conn=2 cause=end ts=1700000002 packets0=1 gaps0=1 gapbytes0=100 packets1=1 bytes1=3 first0=1700000001 last0=1700000001 first1=1700000001.5 last1=1700000001.5 isn0=77 isn1=88
end packets=12 bytes=1400 not_ip=1 not_tcp=2 malformed=3 truncated=4 fragments=5 reassembled=6 frag_dropped=7 connections=2 stray=8 gaps=2 gapbytes=120 bad_checksum=9 rst_ignored=10
EOF
}

# The stream of the EXAMPLES section of tf-stream(5).
example_desc() {
	cat <<'EOF'
open conn=1 ts=1700000000 pktno=1 src=10.0.0.1 sport=1234 dst=10.0.0.2 dport=80 flags=syn
data conn=1 dir=0 off=0 ts=1700000000.001 text="hi\n"
close conn=1 cause=fin ts=1700000000.002 packets0=3 bytes0=3 first0=1700000000 last0=1700000000.002 flags0=syn,fin packets1=2 first1=1700000000.001 last1=1700000000.002 flags1=syn,fin
end packets=5 connections=1
EOF
}

# Little-endian integers read with od, one byte at a time, so that the
# test does not depend on the host's byte order or on lib/rec.c.
u8() { od -A n -t u1 -j "$2" -N 1 "$1" | tr -d ' '; }
u16le() {
	set -- $(od -A n -t u1 -j "$2" -N 2 "$1")
	echo $(($1 | $2 << 8))
}
u32le() {
	set -- $(od -A n -t u1 -j "$2" -N 4 "$1")
	echo $(($1 | $2 << 8 | $3 << 16 | $4 << 24))
}
u64le() {
	set -- $(od -A n -t u1 -j "$2" -N 8 "$1")
	echo $(($1 | $2 << 8 | $3 << 16 | $4 << 24 | $5 << 32 | $6 << 40 |
	    $7 << 48 | $8 << 56))
}
hexat() { od -v -A n -t x1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# Prints "offset kind length" for every record of a stream.
records() {
	local f=$1 off=16 size len
	size=$(wc -c <"$f")
	while [ "$off" -lt "$size" ]; do
		len=$(u32le "$f" "$off")
		echo "$off $(u16le "$f" $((off + 4))) $len"
		[ "$len" -ge 8 ] || return 1
		off=$((off + len))
	done
}

# mk NAME: the description on stdin becomes $T/NAME.tfs.
mk() {
	mkstream >"$T/$1.tfs"
}

# A valid END record line, to finish streams.
END='end packets=1'

@test "golden: mkstream writes basic.tfs byte for byte" {
	golden_desc | mk basic
	cmp "$T/basic.tfs" "$GOLDEN"
}

@test "golden: the preamble is the magic, version 1.4 and a zero word" {
	[ "$(hexat "$GOLDEN" 0 16)" = 895446530d0a1a0a0100040000000000 ]
}

@test "golden 1.1: a stream of 1.1 is read; its END has no 1.2 fields" {
	[ "$(hexat "$GOLDEN11" 0 16)" = 895446530d0a1a0a0100010000000000 ]
	[ "$(wc -c <"$GOLDEN11")" -eq 1530 ]
	[ "$(u32le "$GOLDEN11" 1394)" -eq 136 ]
	# The same records as the 1.2 golden stream, but for END.
	cmp -n 8 "$GOLDEN11" "$GOLDEN"
	cmp -i 16:16 -n 1378 "$GOLDEN11" "$GOLDEN"
	run -0 --separate-stderr tf-cat -s <"$GOLDEN11"
	[ -z "$stderr" ]
	[[ $output == *$'end.gapbytes=120\nend.bad_checksum=0\nend.rst_ignored=0\nend.status=ok'* ]]
	run -0 tf-cat -s <"$GOLDEN"
	[[ $output == *$'end.gapbytes=120\nend.bad_checksum=9\nend.rst_ignored=10\nend.status=ok'* ]]
}

@test "golden: records are framed by a little-endian length and kind" {
	run records "$GOLDEN"
	[ "$status" -eq 0 ]
	[ "$output" = "16 1 97
113 6 79
192 2 104
296 3 72
368 6 84
452 3 79
531 4 48
579 3 47
626 6 50
676 2 104
780 99 11
791 3 43
834 4 48
882 5 256
1138 5 256
1394 7 152" ]
	[ "$(wc -c <"$GOLDEN")" -eq 1546 ]
	# Every flags word is zero.
	for off in 16 113 192 296 368 452 531 579 626 676 780 791 834 882 \
	    1138 1394; do
		[ "$(u16le "$GOLDEN" $((off + 6)))" -eq 0 ]
	done
}

@test "golden: HEADER fields at their offsets" {
	b=24	# body of the record at 16
	[ "$(u32le "$GOLDEN" $b)" -eq 1 ]		# linktype
	[ "$(u32le "$GOLDEN" $((b + 4)))" -eq 262144 ]	# snaplen
	[ "$(u8 "$GOLDEN" $((b + 8)))" -eq 1 ]		# source: file
	[ "$(hexat "$GOLDEN" $((b + 9)) 3)" = 000000 ]	# reserved
	[ "$(u32le "$GOLDEN" $((b + 12)))" -eq 1000 ]	# tsresol
	[ "$(u64le "$GOLDEN" $((b + 16)))" -eq 1700000000123456789 ]
	[ "$(u16le "$GOLDEN" $((b + 24)))" -eq 19 ]	# program
	[ "$(dd if="$GOLDEN" bs=1 skip=$((b + 26)) count=19 2>/dev/null)" = \
	    "tf-reassemble 0.1.0" ]
	[ "$(u16le "$GOLDEN" $((b + 45)))" -eq 22 ]	# pcap
	[ "$(u16le "$GOLDEN" $((b + 69)))" -eq 2 ]	# nsources
	[ "$(u16le "$GOLDEN" $((b + 71)))" -eq 6 ]
	[ "$(dd if="$GOLDEN" bs=1 skip=$((b + 73)) count=6 2>/dev/null)" = \
	    a.pcap ]
	[ "$(u16le "$GOLDEN" $((b + 79)))" -eq 8 ]
	[ $((b + 81 + 8)) -eq 113 ]			# the body ends there
}

@test "golden: OPEN fields at their offsets" {
	b=$((192 + 8))
	[ "$(u64le "$GOLDEN" $b)" -eq 1 ]			# conn
	[ "$(u64le "$GOLDEN" $((b + 8)))" -eq 1700000000000001000 ]	# ts
	[ "$(u64le "$GOLDEN" $((b + 16)))" -eq 1 ]		# packet
	[ "$(u32le "$GOLDEN" $((b + 24)))" -eq 0 ]		# counter
	[ "$(u8 "$GOLDEN" $((b + 28)))" -eq 4 ]			# family
	[ "$(u8 "$GOLDEN" $((b + 29)))" -eq 5 ]			# syn|mac
	[ "$(u8 "$GOLDEN" $((b + 30)))" -eq 2 ]			# nvlan
	[ "$(hexat "$GOLDEN" $((b + 32)) 16)" = \
	    0a000001000000000000000000000000 ]
	[ "$(hexat "$GOLDEN" $((b + 48)) 4)" = 0a000002 ]
	[ "$(u16le "$GOLDEN" $((b + 64)))" -eq 1234 ]
	[ "$(u16le "$GOLDEN" $((b + 66)))" -eq 80 ]
	[ "$(hexat "$GOLDEN" $((b + 68)) 12)" = 00112233445566778899aabb ]
	[ "$(u16le "$GOLDEN" $((b + 80)))" -eq 42 ]
	[ "$(u16le "$GOLDEN" $((b + 82)))" -eq 7 ]
	[ "$(hexat "$GOLDEN" $((b + 84)) 12)" = 000000000000000000000000 ]
	# The IPv6 connection.
	b=$((676 + 8))
	[ "$(u8 "$GOLDEN" $((b + 28)))" -eq 6 ]
	[ "$(u8 "$GOLDEN" $((b + 29)))" -eq 2 ]			# midstream
	[ "$(u32le "$GOLDEN" $((b + 24)))" -eq 1 ]
	[ "$(hexat "$GOLDEN" $((b + 32)) 16)" = \
	    20010db8000000000000000000000001 ]
}

@test "golden: DATA, GAP, ANNOT, CLOSE and END fields at their offsets" {
	b=$((579 + 8))		# DATA conn 1 dir 1 at 59, 7 bytes
	[ "$(u64le "$GOLDEN" $b)" -eq 1 ]
	[ "$(u8 "$GOLDEN" $((b + 8)))" -eq 1 ]
	[ "$(u64le "$GOLDEN" $((b + 16)))" -eq 59 ]
	[ "$(u64le "$GOLDEN" $((b + 24)))" -eq 1700000000000300001 ]
	[ "$(hexat "$GOLDEN" $((b + 32)) 7)" = 00ff7f80225c09 ]
	b=$((531 + 8))		# GAP conn 1 dir 1 39+20 lost
	[ "$(u8 "$GOLDEN" $((b + 8)))" -eq 1 ]
	[ "$(u8 "$GOLDEN" $((b + 9)))" -eq 1 ]
	[ "$(u64le "$GOLDEN" $((b + 16)))" -eq 39 ]
	[ "$(u64le "$GOLDEN" $((b + 24)))" -eq 20 ]
	[ "$(u64le "$GOLDEN" $((b + 32)))" -eq 1700000000000300000 ]
	[ "$(u8 "$GOLDEN" $((834 + 8 + 9)))" -eq 2 ]		# snaplen
	b=$((113 + 8))		# ANNOT about the stream
	[ "$(u64le "$GOLDEN" $b)" -eq 0 ]
	[ "$(u8 "$GOLDEN" $((b + 8)))" -eq 255 ]
	[ "$(u16le "$GOLDEN" $((b + 10)))" -eq 18 ]
	[ "$(u32le "$GOLDEN" $((b + 12)))" -eq 37 ]
	[ $((16 + 18 + 37 + 8)) -eq 79 ]
	[ "$(dd if="$GOLDEN" bs=1 skip=$((b + 16)) count=18 2>/dev/null)" = \
	    reassemble.command ]
	b=$((882 + 8))		# CLOSE conn 1
	[ "$(u64le "$GOLDEN" $b)" -eq 1 ]
	[ "$(u64le "$GOLDEN" $((b + 8)))" -eq 1700000000000400000 ]
	[ "$(u8 "$GOLDEN" $((b + 16)))" -eq 1 ]			# fin
	s=$((b + 24))		# client to server
	[ "$(u64le "$GOLDEN" $s)" -eq 4 ]
	[ "$(u64le "$GOLDEN" $((s + 8)))" -eq 32 ]
	[ "$(u64le "$GOLDEN" $((s + 16)))" -eq 400 ]
	[ "$(u64le "$GOLDEN" $((s + 24)))" -eq 380 ]
	[ "$(u64le "$GOLDEN" $((s + 80)))" -eq 1700000000000001000 ]
	[ "$(u64le "$GOLDEN" $((s + 88)))" -eq 1700000000000400000 ]
	[ "$(u32le "$GOLDEN" $((s + 96)))" -eq 3 ]		# syn|fin
	[ "$(u32le "$GOLDEN" $((s + 100)))" -eq 1000 ]
	s=$((b + 24 + 112))	# server to client
	[ "$(u64le "$GOLDEN" $((s + 32)))" -eq 1 ]		# gaps
	[ "$(u64le "$GOLDEN" $((s + 40)))" -eq 20 ]
	[ "$(u64le "$GOLDEN" $((s + 48)))" -eq 2 ]		# retrans
	[ "$(u64le "$GOLDEN" $((s + 56)))" -eq 1 ]
	[ "$(u64le "$GOLDEN" $((s + 64)))" -eq 1 ]
	[ "$(u64le "$GOLDEN" $((s + 72)))" -eq 1 ]
	[ "$(u32le "$GOLDEN" $((s + 100)))" -eq 5000 ]
	[ "$(u8 "$GOLDEN" $((1138 + 8 + 16)))" -eq 4 ]		# end
	b=$((1394 + 8))		# END
	[ "$(u64le "$GOLDEN" $b)" -eq 12 ]
	[ "$(u64le "$GOLDEN" $((b + 72)))" -eq 2 ]		# connections
	[ "$(u64le "$GOLDEN" $((b + 96)))" -eq 8 ]		# stray
	[ "$(u64le "$GOLDEN" $((b + 112)))" -eq 120 ]		# gapbytes
	[ "$(u32le "$GOLDEN" $((b + 120)))" -eq 0 ]		# status
	[ "$(u32le "$GOLDEN" $((b + 124)))" -eq 0 ]		# reserved
	[ "$(u64le "$GOLDEN" $((b + 128)))" -eq 9 ]		# bad_checksum
	[ "$(u64le "$GOLDEN" $((b + 136)))" -eq 10 ]		# rst_ignored
}

@test "golden: tf-cat reads it to the end" {
	run -0 --separate-stderr tf-cat <"$GOLDEN"
	[ "${#lines[@]}" -eq 16 ]
	[ "${lines[15]%% *}" = end ]
	[ -z "$stderr" ]
}

@test "tf-stream(5) EXAMPLES: the dump and the tf-cat lines are right" {
	example_desc | mk ex
	[ "$(wc -c <"$T/ex.tfs")" -eq 571 ]
	sed -n '/^\.\\" od begin$/,/^\.\\" od end$/p' "$TOP/man/tf-stream.5" |
	    sed '1d;$d' >"$T/dump.want"
	od -A d -t x1z "$T/ex.tfs" >"$T/dump.got"
	diff "$T/dump.want" "$T/dump.got"
	sed -n '/^\.\\" tf-cat begin$/,/^\.\\" tf-cat end$/p' \
	    "$TOP/man/tf-stream.5" | sed '1d;$d;s/\\e/\\/g' >"$T/cat.want"
	tf-cat <"$T/ex.tfs" >"$T/cat.got"
	diff "$T/cat.want" "$T/cat.got"
}

@test "empty input is not a stream" {
	run -1 --separate-stderr tf-cat </dev/null
	[ -z "$output" ]
	[ "$stderr" = "tf-cat: empty input: not a tf stream" ]
}

@test "a pcap or pcapng file is not a stream, and the message says so" {
	hint="tf-cat: not a tf stream at byte 0 (a packet capture: read it with tf-reassemble)"
	for magic in '\xd4\xc3\xb2\xa1' '\xa1\xb2\xc3\xd4' '\x4d\x3c\xb2\xa1' \
	    '\xa1\xb2\x3c\x4d'; do
		printf "$magic"'\x02\x00\x04\x00\0\0\0\0\0\0\0\0\0\0\4\0\1\0\0\0' \
		    >"$T/cap.pcap"
		run -1 --separate-stderr tf-cat <"$T/cap.pcap"
		[ -z "$output" ]
		[ "$stderr" = "$hint" ]
	done
	printf '\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\1\0\0\0' \
	    >"$T/cap.pcapng"
	run -1 --separate-stderr tf-cat <"$T/cap.pcapng"
	[ "$stderr" = "$hint" ]
}

@test "text is not a stream, long or short" {
	printf 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n' >"$T/t"
	run -1 --separate-stderr tf-cat <"$T/t"
	[ -z "$output" ]
	[ "$stderr" = "tf-cat: not a tf stream at byte 0" ]
	run -1 --separate-stderr tf-cat <<<"hi"
	[ "$stderr" = "tf-cat: not a tf stream at byte 0" ]
	# The magic with a byte changed, as a text-mode transfer would.
	printf '\x89TFS\n\x1a\n\1\0\0\0\0\0\0\0\0' >"$T/t"
	run -1 --separate-stderr tf-cat <"$T/t"
	[ "$stderr" = "tf-cat: not a tf stream at byte 0" ]
}

@test "another major version is refused" {
	for major in 2 0 256; do
		printf 'version major=%s\n%s\n' $major "$END" | mk v
		run -1 --separate-stderr tf-cat <"$T/v.tfs"
		[ -z "$output" ]
		[ "$stderr" = \
		    "tf-cat: unsupported tf stream version $major at byte 8" ]
	done
}

@test "any minor version of major 1 is read, reserved word ignored" {
	printf 'version minor=65535 reserved=0xffffffff\n%s\n' "$END" | mk v
	[ "$(hexat "$T/v.tfs" 8 8)" = 0100ffffffffffff ]
	run -0 --separate-stderr tf-cat <"$T/v.tfs"
	[ "$output" = "end packets 1 bytes 0 not_ip 0 not_tcp 0 malformed 0 truncated 0 fragments 0 reassembled 0 frag_dropped 0 connections 0 evicted 0 timeouts 0 stray 0 gaps 0 gapbytes 0 bad_checksum 0 rst_ignored 0 status ok" ]
	[ -z "$stderr" ]
}

@test "a stream cut inside its preamble" {
	for n in 1 2 8 9 15; do
		head -c $n "$GOLDEN" >"$T/cut"
		run -1 --separate-stderr tf-cat <"$T/cut"
		[ -z "$output" ]
		[ "$stderr" = \
		    "tf-cat: stream cut short inside its preamble at byte 0" ]
	done
}

@test "a stream cut inside a record: its offset, and what came before" {
	# bytes kept, records shown, offset of the cut record
	while read -r n shown at; do
		head -c "$n" "$GOLDEN" >"$T/cut"
		run -1 --separate-stderr tf-cat <"$T/cut"
		[ "${#lines[@]}" -eq "$shown" ]
		[ "$stderr" = \
		    "tf-cat: stream cut short inside the record at byte $at" ]
	done <<'EOF'
17 0 16
19 0 16
23 0 16
24 0 16
112 0 16
116 1 113
300 3 296
367 3 296
800 11 791
1393 14 1138
1395 15 1394
1529 15 1394
EOF
	# The lines before the cut are those of the whole stream; exit 1.
	head -c 300 "$GOLDEN" >"$T/cut"
	st=0
	tf-cat <"$T/cut" 2>/dev/null >"$T/out" || st=$?
	[ "$st" = 1 ]
	tf-cat <"$GOLDEN" >"$T/whole"
	head -3 "$T/whole" | cmp - "$T/out"
}

@test "a stream that ends between records without END was cut" {
	for n in 16 113 1394; do
		head -c $n "$GOLDEN" >"$T/cut"
		run -1 --separate-stderr tf-cat <"$T/cut"
		[ "$stderr" = \
		    "tf-cat: stream ended at byte $n without an end-of-stream record" ]
	done
	[ "${#lines[@]}" -eq 15 ]
}

@test "a record over 1 MiB is refused from its header alone" {
	# Only the 8-byte header is there: the reader must not wait for, read
	# or make room for the body, and must not call this a cut stream.
	for len in 1048577 16777216 2147483648 4294967295; do
		printf 'open conn=1\nrawlen len=%s\n' $len | mk long
		run -1 --separate-stderr tf-cat <"$T/long.tfs"
		[ "$output" = "open 1 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0" ]
		[ "$stderr" = \
		    "tf-cat: record at byte 120 longer than 1048576 bytes" ]
	done
	# The same with the bytes there: still refused, at the same place.
	printf 'rawlen len=1048577\ndata fill=1048576\n%s\n' "$END" | mk long
	run -1 --separate-stderr tf-cat <"$T/long.tfs"
	[ -z "$output" ]
	[ "$stderr" = "tf-cat: record at byte 16 longer than 1048576 bytes" ]
}

@test "a record of exactly 1 MiB is read" {
	printf 'data conn=1 fill=1048536 byte=0x41\n%s\n' "$END" | mk max
	[ "$(u32le "$T/max.tfs" 16)" -eq 1048576 ]
	run -0 --separate-stderr tf-cat -n 3 <"$T/max.tfs"
	[ "${lines[0]}" = 'data 1 > 0+1048536 "AAA"...' ]
	# A longer run is split over records of at most 1 MiB.
	printf 'data conn=1 fill=1048537\n%s\n' "$END" | mk split
	run -0 tf-cat -n 0 <"$T/split.tfs"
	[ "${lines[0]}" = 'data 1 > 0+1048536 ""...' ]
	[ "${lines[1]}" = 'data 1 > 1048536+1 ""...' ]
}

@test "a record length under 8 is malformed" {
	for len in 0 1 7; do
		printf 'rawlen len=%s hex=0000000000000000\n' $len | mk short
		run -1 --separate-stderr tf-cat <"$T/short.tfs"
		[ -z "$output" ]
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
}

@test "a known record shorter than its fixed part is malformed" {
	# kind and fixed part of its body
	while read -r kind fixed; do
		body=$(head -c $((fixed - 1)) /dev/zero | od -v -A n -t x1 |
		    tr -d ' \n')
		printf 'open conn=1\nraw kind=%s hex=%s\n%s\n' $kind "$body" \
		    "$END" | mk short
		run -1 --separate-stderr tf-cat <"$T/short.tfs"
		[ "${#lines[@]}" -eq 1 ]
		[ "$stderr" = "tf-cat: malformed record at byte 120" ]
		printf 'raw kind=%s\n' $kind | mk empty
		run -1 --separate-stderr tf-cat <"$T/empty.tfs"
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done <<'EOF'
1 24
2 96
3 32
4 40
5 248
6 16
7 128
EOF
}

@test "1.4: an OPEN flagged layer names its link after the fixed part; without one it is malformed" {
	printf 'open conn=9223372036854775809 flags=syn,layer link=1\n%s\n' "$END" | mk layer
	[ "$(u32le "$T/layer.tfs" 16)" -eq 112 ]
	[ "$(hexat "$T/layer.tfs" 120 8)" = 0100000000000000 ]
	run -0 --separate-stderr tf-cat <"$T/layer.tfs"
	[ "${lines[0]}" = 'open 9223372036854775809 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0 syn,layer of 1' ]
	# The link 0, or no room for it.
	printf 'open conn=9223372036854775809 flags=layer\n%s\n' "$END" | mk nolink
	run -1 --separate-stderr tf-cat <"$T/nolink.tfs"
	[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	body=$(printf 'open conn=1 flags=16 link=1\n' | mkstream | od -v -A n -t x1 -j 24 -N 96 | tr -d ' \n')
	printf 'raw kind=2 hex=%s\n%s\n' "$body" "$END" | mk short
	run -1 --separate-stderr tf-cat <"$T/short.tfs"
	[ "$stderr" = "tf-cat: malformed record at byte 16" ]
}

@test "1.4: a number from 2^63 is a layer's, numbered from its link; anything else there is malformed" {
	# Not flagged layer; numbered from another connection; a layer of a
	# layer (its link has bit 63).
	for o in 'conn=9223372036854775809 flags=syn' \
	    'conn=9223372036854775810 flags=layer link=1' \
	    'conn=9223372036854775809 flags=layer link=9223372036854775809'; do
		printf 'open %s\n%s\n' "$o" "$END" | mk bad
		run -1 --separate-stderr tf-cat <"$T/bad.tfs"
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	# The largest number below 2^63 is an ordinary connection's.
	printf 'open conn=9223372036854775807\n%s\n' "$END" | mk top
	run -0 --separate-stderr tf-cat <"$T/top.tfs"
	[ "${lines[0]}" = 'open 9223372036854775807 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0' ]
}

@test "a HEADER whose strings run past its end is malformed" {
	# program, pcap and nsources each cut, then a source name too long.
	z24=$(head -c 24 /dev/zero | od -v -A n -t x1 | tr -d ' \n')
	for tail in 00 0500616263 00000000 000000 00000000010004006162 ''; do
		printf 'raw kind=1 hex=%s%s\n%s\n' "$z24" "$tail" "$END" |
		    mk h
		run -1 --separate-stderr tf-cat <"$T/h.tfs"
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	# Exactly enough is fine.
	printf 'raw kind=1 hex=%s000000000000\n%s\n' "$z24" "$END" | mk h
	run -0 tf-cat <"$T/h.tfs"
	[ "${lines[0]}" = 'header program "" pcap "" linktype 0 snaplen 0 tsresol 0 start 1970-01-01T00:00:00.000000Z source 0' ]
}

@test "a HEADER with more than 1024 sources is malformed" {
	printf 'header nsources=1024\n%s\n' "$END" | mk h
	run -0 tf-cat <"$T/h.tfs"
	z24=$(head -c 24 /dev/zero | od -v -A n -t x1 | tr -d ' \n')
	printf 'raw kind=1 hex=%s000000000104\n%s\n' "$z24" "$END" | mk h
	run -1 --separate-stderr tf-cat <"$T/h.tfs"
	[ "$stderr" = "tf-cat: malformed record at byte 16" ]
}

@test "an OPEN with conn 0, family 5 or 9 VLAN ids is malformed" {
	for bad in 'conn=0' 'conn=1 family=5' 'conn=1 family=0' \
	    'conn=1 nvlan=9'; do
		printf 'open %s\n%s\n' "$bad" "$END" | mk o
		run -1 --separate-stderr tf-cat <"$T/o.tfs"
		[ -z "$output" ]
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	printf 'open conn=1 nvlan=8 vlan=1,2,3,4,5,6,7,4095\n%s\n' "$END" |
	    mk o
	run -0 tf-cat <"$T/o.tfs"
	[ "${lines[0]}" = "open 1 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 vlan 1,2,3,4,5,6,7,4095 counter 0 packet 0" ]
}

@test "DATA and GAP with a bad direction or past offset 2^64-1 are malformed" {
	# Literals: these are past what shell arithmetic holds.
	max=18446744073709551615 max1=18446744073709551614
	for bad in 'data conn=1 dir=2' 'data conn=1 dir=255' \
	    "data conn=1 off=$max hex=00" "data conn=1 off=$max1 hex=0000" \
	    'gap conn=1 dir=2 len=1' "gap conn=1 off=$max len=1" \
	    "gap conn=1 off=1 len=$max"; do
		printf '%s\n%s\n' "$bad" "$END" | mk d
		run -1 --separate-stderr tf-cat <"$T/d.tfs"
		[ -z "$output" ]
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	# The last byte at offset 2^64-2 ends exactly at 2^64-1: fine.
	printf 'data conn=1 off=%s hex=00\ngap conn=1 off=%s len=1\n%s\n' \
	    $max1 $max1 "$END" | mk d
	run -0 tf-cat <"$T/d.tfs"
	[ "${lines[0]}" = "data 1 > $max1+1 \"\\x00\"" ]
	[ "${lines[1]}" = "gap 1 > $max1+1 lost" ]
}

@test "an ANNOT whose lengths do not add up, or with dir 2, is malformed" {
	for bad in 'key=k value=v extra=00' 'dir=2 key=k value=v' \
	    'dir=254 key=k value=v'; do
		printf 'annot %s\n%s\n' "$bad" "$END" | mk a
		run -1 --separate-stderr tf-cat <"$T/a.tfs"
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	# keylen past the end; valuelen too long, too short.
	for body in 0000000000000000_ff_00_0500_00000000_6b \
	    0000000000000000_00_00_0100_04000000_616263 \
	    0000000000000000_00_00_0100_01000000_616263; do
		printf 'raw kind=6 hex=%s\n%s\n' $body "$END" | mk a
		run -1 --separate-stderr tf-cat <"$T/a.tfs"
		[ "$stderr" = "tf-cat: malformed record at byte 16" ]
	done
	printf 'annot dir=255 key="" value=""\n%s\n' "$END" | mk a
	run -0 tf-cat <"$T/a.tfs"
	[ "${lines[0]}" = 'annot 0 - "" ""' ]
}

@test "records of unknown kinds are shown and skipped" {
	printf '%s\n' 'open conn=1' 'raw kind=0' 'raw kind=9 hex=0102' \
	    'raw kind=32768 flags=0xffff hex=ffffffffffffffffffffffffffffffff' \
	    'raw kind=65535 hex=03000000070000' 'data conn=1 text="x"' "$END" |
	    mk u
	run -0 --separate-stderr tf-cat <"$T/u.tfs"
	[ "${lines[1]}" = "kind 0 len 8" ]
	[ "${lines[2]}" = "kind 9 len 10" ]
	[ "${lines[3]}" = "kind 32768 len 24" ]
	[ "${lines[4]}" = "kind 65535 len 15" ]
	[ "${lines[5]}" = 'data 1 > 0+1 "x"' ]
	[ "${#lines[@]}" -eq 7 ]
	[ -z "$stderr" ]
}

@test "flags, reserved bytes and bytes after a fixed part are ignored" {
	printf '%s\n' 'header source=s extra=0102030405 recflags=0x8000' \
	    'open conn=1 extra=ff recflags=1' \
	    'data conn=1 text="ab" recflags=0xffff' \
	    'gap conn=1 off=2 len=3 extra=00000000000000000000' \
	    'close conn=1 extra=aabbccdd' 'end packets=1 extra=ff recflags=2' |
	    mk x
	[ "$(u32le "$T/x.tfs" 16)" -eq $((8 + 24 + 2 + 2 + 2 + 3 + 5)) ]
	[ "$(u16le "$T/x.tfs" 22)" -eq 32768 ]
	run -0 --separate-stderr tf-cat <"$T/x.tfs"
	[ "$output" = 'header program "" pcap "" linktype 1 snaplen 262144 tsresol 1000 start 1970-01-01T00:00:00.000000Z source file "s"
open 1 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0
data 1 > 0+2 "ab"
gap 1 > 2+3 lost
close 1 1970-01-01T00:00:00.000000Z fin > packets 0 bytes 0 < packets 0 bytes 0
end packets 1 bytes 0 not_ip 0 not_tcp 0 malformed 0 truncated 0 fragments 0 reassembled 0 frag_dropped 0 connections 0 evicted 0 timeouts 0 stray 0 gaps 0 gapbytes 0 bad_checksum 0 rst_ignored 0 status ok' ]
	# Reserved bytes inside fixed parts.
	printf '%s\n' 'raw kind=3 hex=0100000000000000_00ffffffffffffff_0000000000000000_0000000000000000_41' \
	    "$END" | mk r
	run -0 tf-cat <"$T/r.tfs"
	[ "${lines[0]}" = 'data 1 > 0+1 "A"' ]
}

@test "mkstream: unknown directives, fields and bad values are errors" {
	run -1 --separate-stderr mkstream <<<'opne conn=1'
	[ "$stderr" = "mkstream: <stdin>:1: unknown directive 'opne'" ]
	[ -z "$output" ]
	run -1 --separate-stderr mkstream <<<$'# c\n\ndata conn=1 colour=red'
	[ "$stderr" = "mkstream: <stdin>:3: unknown field 'colour'" ]
	run -1 --separate-stderr mkstream <<<'open sport=65536'
	[ "$stderr" = "mkstream: <stdin>:1: sport: '65536' is not a number from 0 to 65535" ]
	run -1 --separate-stderr mkstream <<<'data text="abc'
	[ "$stderr" = "mkstream: <stdin>:1: unterminated string" ]
	run -1 --separate-stderr mkstream <<<$'data\nversion major=2'
	[ "$stderr" = "mkstream: <stdin>:2: 'version' must come before any record" ]
	run -1 --separate-stderr mkstream <<<'cut 17'
	[ "$stderr" = "mkstream: cut 17: the stream has only 16 bytes" ]
	run -2 --separate-stderr mkstream -x
	[ "$stderr" = "usage: mkstream [file]
       mkstream hostile-CLASS count | benign-CLASS count" ]
}

@test "mkstream: nopreamble, cut, escapes and hex" {
	printf 'nopreamble\ndata text="a\\x00\\r\\n\\t\\\\\\"\\101\\e"\ncut 2\n' |
	    mk n
	[ "$(hexat "$T/n.tfs" 0 8)" = 3100000003000000 ]
	[ "$(wc -c <"$T/n.tfs")" -eq 47 ]
	[ "$(hexat "$T/n.tfs" 40 7)" = 61000d0a095c22 ]
	printf 'data hex=00:01_02ff\n' | mk h
	[ "$(hexat "$T/h.tfs" 56 4)" = 000102ff ]
}
