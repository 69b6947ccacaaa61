# SPDX-License-Identifier: BSD-2-Clause
# Regression tests for what fuzzing found (make fuzz, tests/fuzz/), each
# input under tests/data/fuzz/ run through the real programs, and the
# name templates fuzz_tmpl exercises, through tf-split.
bats_require_minimum_version 1.5.0

C2S=010.000.000.001.05000-010.000.000.002.00080

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# A connection from 10.0.0.1:5000 to 10.0.0.2:80, bytes both ways.
simple() {
	mkstream >"$1" <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1795677039.751392123 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n"
	close conn=1 cause=fin
	end packets=6
	EOF
}

# fuzz_capture: a pcapng timestamp past 2262 overflowed the ns time
# (undefined behaviour).  time-2262.pcapng is pktgen's basic scenario
# with packets 4 to 13 stamped 2^64 - 1 - n microseconds: they are
# clamped to the last time the stream holds.  With -t, the jump closes
# the connection idle, and it goes on (resumed) in the same files.
@test "fuzz: pcapng times past 2262 are clamped, not overflowed" {
	run -0 --separate-stderr tf-reassemble -t 10 -r "$DATA/fuzz/time-2262.pcapng"
	[ "$stderr" = "" ]
	tf-reassemble -t 10 -r "$DATA/fuzz/time-2262.pcapng" >s.tfs
	run -0 --separate-stderr bash -c "set -o pipefail; tf-cat <s.tfs | sed 1,2d | cut -d' ' -f1-4"
	[ "$output" = "open 1 2023-11-14T22:13:20.000100Z 192.0.2.1:40001
close 1 2262-04-11T23:47:16.854775807Z timeout
open 2 2262-04-11T23:47:16.854775807Z 192.0.2.1:40001
data 2 > 0+79
data 2 < 0+3067
close 2 2262-04-11T23:47:16.854775807Z fin
end packets 13 bytes" ]
	run -0 bash -c 'set -o pipefail; tf-cat <s.tfs | tail -n 1'
	[ "$output" = "end packets 13 bytes 3864 not_ip 0 not_tcp 0 malformed 0 truncated 0 fragments 0 reassembled 0 frag_dropped 0 connections 2 evicted 0 timeouts 1 stray 1 gaps 0 gapbytes 0 bad_checksum 0 rst_ignored 0 status ok" ]
	run -0 --separate-stderr tf-split -o d <s.tfs
	[ "$stderr" = "" ]
	run -0 stat -c '%s %Y %n' d/192.000.002.001.40001-192.000.002.002.00080 \
	    d/192.000.002.002.00080-192.000.002.001.40001
	[ "$output" = "79 9223372036 d/192.000.002.001.40001-192.000.002.002.00080
3067 9223372036 d/192.000.002.002.00080-192.000.002.001.40001" ]
	run -0 --separate-stderr tf-report <s.tfs
	[ "$stderr" = "" ]
	[[ $output == *'<tcpflow:tcpflow startime="2262-04-11T23:47:16.854775Z" endtime="2262-04-11T23:47:16.854775Z" family="2" src_ipn="192.0.2.1" '* ]]
}

@test "fuzz: literal dots around empty variables make an unsafe name, skipped" {
	simple in.tfs
	run -1 --separate-stderr tf-split -o d -T '%V..%C/%a' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'd/../05000': path component '..': connection 1 direction 0 skipped
tf-split: cannot create 'd/../00080': path component '..': connection 1 direction 1 skipped
tf-split: 2 files not made: 2 unsafe names" ]
	run -1 --separate-stderr tf-split -o e -T '%V.%v' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'e/.': path component '.': connection 1 direction 0 skipped
tf-split: cannot create 'e/.': path component '.': connection 1 direction 1 skipped
tf-split: 2 files not made: 2 unsafe names" ]
	[ -z "$(ls -A d)" ]
	[ -z "$(ls -A e)" ]
	[ ! -e 05000 ]
	[ ! -e 00080 ]
}

@test "fuzz: a template of only empty variables makes an empty name, skipped" {
	simple in.tfs
	run -1 --separate-stderr tf-split -o d -T '%c' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'd/': empty name: connection 1 direction 0 skipped
tf-split: cannot create 'd/': empty name: connection 1 direction 1 skipped
tf-split: 2 files not made: 2 unsafe names" ]
	[ -z "$(ls -A d)" ]
}

@test "fuzz: dots and percent signs that are not . or .. are plain names" {
	simple in.tfs
	run -0 --separate-stderr tf-split -o d -T '...' <in.tfs
	[ "$stderr" = "tf-split: 'd/...' exists: connection 1 direction 1 written to 'd/...c1'" ]
	printf 'GET / HTTP/1.1\r\n\r\n' | cmp - d/...
	printf 'HTTP/1.1 200 OK\r\n' | cmp - d/...c1
	run -0 --separate-stderr tf-split -o e -T '.%%/%a.%b%%' <in.tfs
	[ "$stderr" = "" ]
	[ "$(cd e && find . -type f | sort)" = "./.%/00080.05000%
./.%/05000.00080%" ]
	printf 'GET / HTTP/1.1\r\n\r\n' | cmp - 'e/.%/05000.00080%'
	printf 'HTTP/1.1 200 OK\r\n' | cmp - 'e/.%/00080.05000%'
}

@test "fuzz: a name over 4095 bytes is skipped, others still written" {
	simple in.tfs
	t=$(printf '%%S%.0s' $(seq 205))
	run -1 --separate-stderr tf-split -o d -T "$t" <in.tfs
	[ "$stderr" = "tf-split: connection 1 direction 0: name longer than 4095 bytes: skipped
tf-split: connection 1 direction 1: name longer than 4095 bytes: skipped
tf-split: 2 files not made: 2 names too long" ]
	[ -z "$(ls -A d)" ]
	# 204 of them make 4080 bytes, and a file name is at most 255.
	t=$(printf '%%S%.0s' $(seq 12))
	run -0 tf-split -o e -T "$t/%a" <in.tfs
	[ -f "e/$(printf '%020d' $(seq 12 | sed 's/.*/1/'))/05000" ]
}

# fuzz_capture: libpcap passes a file's microseconds on unchecked, and
# turns 0xffffffff into -1.  usec-carry.pcap is pktgen's basic scenario
# with packet 1 at 0 s and -1 us (clamped to the epoch), and packet n
# after it at 0 s and n * 10^6 + 5 us (carried into the seconds).
@test "fuzz: out-of-range pcap fractions carry, and times before 1970 are clamped" {
	run -0 --separate-stderr bash -c "set -o pipefail; tf-reassemble -r '$DATA/fuzz/usec-carry.pcap' | tf-cat | sed 1,2d | cut -d' ' -f1-4"
	[ "$stderr" = "" ]
	[ "$output" = "open 1 1970-01-01T00:00:00.000000Z 192.0.2.1:40001
data 1 > 0+79
data 1 < 0+1460
data 1 < 1460+1460
data 1 < 2920+147
close 1 1970-01-01T00:00:11.000005Z fin
end packets 13 bytes" ]
}

# fuzz_hdec: libzstd decodes a legacy frame (zstd 0.7, magic 0xfd2fb527,
# not RFC 8878) only when one write begins with its magic number, so the
# same body was refused or taken depending on how TCP cut it.
# zstd-legacy-magic.hdec is the fuzz_hdec input: byte 0 picks zstd, the
# rest is the body.
@test "fuzz: a legacy zstd frame is corrupt however the body is cut" {
	body=$(tail -c +2 "$DATA/fuzz/zstd-legacy-magic.hdec" | xxd -p)
	[ "$body" = 27b52ffddf5be803 ]
	head='HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 8\r\n\r\n'
	for cut in whole bytes; do
		{
			echo 'header linktype=1 source=x.pcap'
			echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
			echo "data conn=1 dir=1 off=0 text=\"$head\""
			if [ $cut = whole ]; then
				echo "data conn=1 dir=1 off=62 hex=$body"
			else
				for i in 0 1 2 3 4 5 6 7; do
					echo "data conn=1 dir=1 off=$((62 + i)) hex=${body:$((2 * i)):2}"
				done
			fi
			echo 'close conn=1 cause=fin'
			echo 'end packets=1'
		} | mkstream >$cut.tfs
		run -0 --separate-stderr tf-http -o $cut <$cut.tfs
		[ "$stderr" = "tf-http: connection 1 direction 1 at byte 62: message 1: corrupt zstd data: body truncated at 0 bytes
tf-http: 1 of 1 body not whole: 1 decode" ]
	done
}

# fuzz_hdec: after a gzip member, the next one was looked for only when
# its magic number came whole in one write, so a second member whose
# first byte ended a TCP segment was dropped and the body reported
# complete.  The input (a br body holding gzip members) is in
# gzip-member-split.hdec; here, plainly: two members cut between 1f and 8b,
# and a member followed by one byte or by junk, however cut.
# hnull ARGS...: tf-http, the stream it passes on thrown away.
hnull() {
	tf-http "$@" >/dev/null
}

@test "fuzz: a second gzip member is decoded however the body is cut" {
	a=$(printf hello | gzip -n | xxd -p | tr -d '\n')
	b=$(printf ', world' | gzip -n | xxd -p | tr -d '\n')
	for body in "$a$b" "${a}1f" "${a}1f00ffff"; do
		len=$((${#body} / 2))
		head="HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nContent-Length: $len\\r\\n\\r\\n"
		for cut in whole 1 $((${#a} / 2 + 1)) $((${#a} / 2 + 2)); do
			{
				echo 'header linktype=1 source=x.pcap'
				echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
				echo "data conn=1 dir=1 off=0 text=\"$head\""
				if [ $cut = whole ] || [ $cut -ge $len ]; then
					echo "data conn=1 dir=1 off=63 hex=$body"
				else
					echo "data conn=1 dir=1 off=63 hex=${body:0:$((2 * cut))}"
					echo "data conn=1 dir=1 off=$((63 + cut)) hex=${body:$((2 * cut))}"
				fi
				echo 'close conn=1 cause=fin'
				echo 'end packets=1'
			} | mkstream >in.tfs
			rm -rf out
			run -0 --separate-stderr hnull -o out <in.tfs
			[ -z "$stderr" ]
			f=out/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001
			if [ "$body" = "$a$b" ]; then
				[ "$(cat $f)" = "hello, world" ]
			else
				[ "$(cat $f)" = hello ]
			fi
		done
	done
	# The fuzz input: "x-gzip, br" (byte 0), written whole and in 256-byte
	# pieces, says the same.
	body=$(tail -c +2 "$DATA/fuzz/gzip-member-split.hdec" | xxd -p | tr -d '\n')
	len=$((${#body} / 2))
	[ "$len" = 863 ]
	head="HTTP/1.1 200 OK\\r\\nContent-Encoding: x-gzip, br\\r\\nContent-Length: $len\\r\\n\\r\\n"
	for cut in whole pieces; do
		{
			echo 'header linktype=1 source=x.pcap'
			echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
			echo "data conn=1 dir=1 off=0 text=\"$head\""
			if [ $cut = whole ]; then
				echo "data conn=1 dir=1 off=70 hex=$body"
			else
				for ((i = 0; i < len; i += 256)); do
					echo "data conn=1 dir=1 off=$((70 + i)) hex=${body:$((2 * i)):512}"
				done
			fi
			echo 'close conn=1 cause=fin'
			echo 'end packets=1'
		} | mkstream >$cut.tfs
		run -0 --separate-stderr hnull -o $cut <$cut.tfs
		echo "$stderr" >$cut.err
	done
	cmp whole.err pieces.err
	[ "$(cat whole.err)" = "tf-http: connection 1 direction 1 at byte 70: message 1: coded data cut short
tf-http: 1 of 1 body not whole: 1 decode" ]
}
