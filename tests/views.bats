# SPDX-License-Identifier: BSD-2-Clause
# tf-cat's views: the connection list (-c), one connection followed (-f),
# lines cut on a terminal, and connection numbers that are Wireshark's
# tcp.stream plus one.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

@test "tf-cat -c: a line per connection, as it closes, with a header" {
	tf-reassemble -q -r "$DATA"/http/codings.pcap >s.tfs
	tf-cat -c <s.tfs >got
	cat >want <<-'EOF'
	conn   client                   server                   vlan  start                        duration    >pkts     >bytes    <pkts     <bytes  gaps close
	1      127.0.0.1:40001          127.0.0.1:8080           -     2026-11-26T10:54:01.922297Z     0.001       14        907       13       3007     0 fin
	2      127.0.0.1:40002          127.0.0.1:8080           -     2026-11-26T10:54:01.923779Z     0.051       10       2852        7        214     0 fin
	3      127.0.0.1:40003          127.0.0.1:8080           -     2026-11-26T10:54:01.975111Z     0.000        6         45        5       1805     0 fin
	EOF
	diff want got
	# The byte counts are the bytes the client and the server sent.
	tf-cat -c -j <s.tfs >got.json
	[ "$(jq -c '[.conn, .client_port, .server, .bytes_c2s, .bytes_s2c, .gaps, .close]' got.json)" = '[1,40001,"127.0.0.1",907,3007,0,"fin"]
[2,40002,"127.0.0.1",2852,214,0,"fin"]
[3,40003,"127.0.0.1",45,1805,0,"fin"]' ]
	# Connections with gaps, and one closed by a RST.
	gen gap-lost
	tf-reassemble -q -r gap-lost.pcap | tf-cat -c -j | jq -c '[.gaps, .gapbytes, .close]' >g
	[ "$(cat g)" = '[2,660,"fin"]' ]
}

@test "tf-cat -f: one connection's bytes both ways, in order, gaps shown" {
	tf-reassemble -q -r "$DATA"/real/http.pcap >s.tfs
	tf-cat -f 1 <s.tfs >got
	c2s=$DATA/real/http.expected/127.000.000.001.44856-127.000.000.001.08080
	s2c=$DATA/real/http.expected/127.000.000.001.08080-127.000.000.001.44856
	[ "$(sed -n 1p got)" = "== connection 1: 127.0.0.1:44856 > 127.0.0.1:8080, vlan -, $(tf-cat -j <s.tfs | jq -r 'select(.kind == "open") | .ts')" ]
	[ "$(sed -n 2p got)" = "> 0 127.0.0.1:44856" ]
	# The request, byte for byte as the client sent it, CRLF line ends
	# and all.
	sed -n '3,/^< 0 /p' got | sed '$d' >req
	cmp req "$c2s"
	[ "$(grep -c '^[<>] ' got)" = 2 ]
	[ "$(tail -n 1 got)" = "== closed: fin; $(stat -c %s "$c2s") bytes > and $(stat -c %s "$s2c") bytes <" ]
	# -x: a hex dump whose bytes are those the applications sent.
	tf-cat -f 1 -x <s.tfs >hex
	sed -n '/^> 0 /,/^< 0 /p' hex | grep '^0' | cut -c11-58 | xxd -r -p >c2s.got
	sed -n '/^< 0 /,/^==/p' hex | grep '^0' | cut -c11-58 | xxd -r -p >s2c.got
	cmp "$c2s" c2s.got
	cmp "$s2c" s2c.got
	# Gaps, marked with their direction, and bytes that are not text,
	# escaped: a CR is kept only before an LF.
	gen gap-lost
	tf-reassemble -q -r gap-lost.pcap | tf-cat -f 1 >g
	[ "$(grep -c '^[<>] \[' g)" = 2 ]
	grep -qxF '< [460 bytes missing at 1000: lost]' g
	grep -qxF '> [200 bytes missing at 400: lost]' g
	[ "$(tail -n 1 g)" = "== closed: fin; 400 bytes > and 2040 bytes <" ]
	printf 'header\nopen conn=4 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=2\ndata conn=4 dir=0 off=0 text="a\\x1b]0;x\\x07b\\r\\nc\\rd"\nclose conn=4\nend\n' |
	    mkstream >e.tfs
	tf-cat -f 4 <e.tfs >e
	[ "$(sed -n 3,4p e)" = 'a\x1b]0;x\x07b'$'\r''
c\rd' ]
}

@test "on a terminal, data lines are cut to 256 bytes unless -n says" {
	command -v script >/dev/null || skip "script(1) is not installed"
	tf-reassemble -q -r "$DATA"/real/http.pcap >s.tfs
	script -qec "tf-cat <s.tfs" ts >/dev/null
	grep -a '^data 1 < ' ts | grep -qE '\.\.\.'
	[ "$(grep -a '^data ' ts | awk '{ print length($0) }' | sort -n | tail -1)" -lt 1200 ]
	script -qec "tf-cat -n 0 <s.tfs" ts0 >/dev/null
	grep -aq '^data 1 > 0+[0-9]* ""\.\.\.' ts0
	tf-cat <s.tfs >notty
	! grep -q '\.\.\.$' notty
}

@test "connection numbers are Wireshark's tcp.stream plus one" {
	command -v tshark >/dev/null || skip "tshark is not installed"
	for cap in "$DATA"/real/*.pcap "$DATA"/http/codings.pcap; do
		tshark -r "$cap" -T fields -e frame.number -e tcp.stream 2>/dev/null |
		    awk 'NF == 2' >ts
		tf-reassemble -q -r "$cap" | tf-cat -j |
		    jq -r 'select(.kind == "open") | "\(.packet) \(.conn)"' >tf
		[ -s tf ]
		awk 'NR == FNR { s[$1] = $2; next }
		    !($1 in s) || s[$1] + 1 != $2 { print FILENAME ": frame " $1 ": tf " $2 ", tshark " s[$1]; bad = 1 }
		    END { exit bad }' ts tf
	done
}
