# SPDX-License-Identifier: BSD-2-Clause
# tf-reassemble: synthetic and real captures end to end through tf-split,
# stream facts through tf-cat -j, -r, filters, errors, live input, limits.
bats_require_minimum_version 1.5.0

REAL=
USAGE='usage: tf-reassemble [-hlpqV] [-B bytes] [-b bytes] [-C conns] [-i interface]
                     [-m usec] [-r file] [-S k/n] [-s snaplen] [-t seconds]
                     [-W n -w prefix] [-Z user] [expression | file ...]'
# The connection of pktgen's basic scenario.
C2S=192.000.002.001.40001-192.000.002.002.00080
S2C=192.000.002.002.00080-192.000.002.001.40001

setup() {
	load helper
	REAL=$DATA/real
	cd "$BATS_TEST_TMPDIR"
}

# rs IN DIR [ARGS...]: runs tf-reassemble ARGS <IN | tf-split -o DIR under
# run: $output is the two exit statuses, $stderr what both said.
rs() {
	run --separate-stderr bash -c 'in=$1 dir=$2
		shift 2
		tf-reassemble "$@" <"$in" | tf-split -o "$dir" >/dev/null
		echo "${PIPESTATUS[*]}"' rs "$@"
}

# scenario NAME [STDERR]: pktgen NAME through the pipeline gives exactly
# the expected files, exit 0, and nothing on stderr, or exactly STDERR.
scenario() {
	gen "$1"
	rs "$1.pcap" out
	[ "$output" = "0 0" ]
	[ "$stderr" = "${2-}" ]
	same_tree "$1.expected" out
}

# facts NAME [ARGS...]: pktgen NAME through tf-reassemble -q ARGS into
# NAME.json, one JSON object per record.
facts() {
	local s=$1
	shift
	gen "$s"
	tf-reassemble -q "$@" <"$s.pcap" | tf-cat -j >"$s.json"
}

# js FILE FILTER: the records of FILE (JSON lines) through jq -s FILTER,
# compact, on one line.
js() {
	jq -sc "$2" "$1"
}

@test "every pktgen scenario has its test here" {
	pktgen -l | cut -f1 | LC_ALL=C sort >have
	grep -o '^@test "scenario [^"]*"' "$BATS_TEST_FILENAME" |
	    sed 's/^@test "scenario //; s/"$//' | LC_ALL=C sort >tested
	diff have tested
}

@test "scenario basic" { scenario basic; }
@test "scenario ooo" { scenario ooo; }
@test "scenario retrans-same" { scenario retrans-same; }
@test "scenario overlap-diff" { scenario overlap-diff; }
@test "scenario overlap-same" { scenario overlap-same; }
@test "scenario seqwrap" { scenario seqwrap; }
@test "scenario gap-lost" {
	# Two segments never captured: the loss summed up, in bytes and by
	# cause, as the GAP records have it.
	scenario gap-lost "tf-reassemble: 660 bytes lost in 2 gaps (lost 2)"
}
@test "scenario frag4" { scenario frag4; }
@test "scenario frag6" { scenario frag6; }
@test "scenario ipv6-ext" { scenario ipv6-ext; }
@test "scenario vlan" { scenario vlan; }
@test "scenario qinq" { scenario qinq; }
@test "scenario dot1ad" { scenario dot1ad; }
@test "scenario vlan-same-tuple" { scenario vlan-same-tuple; }
@test "scenario padding" { scenario padding; }
@test "scenario iplen0" { scenario iplen0; }
@test "scenario synscan" { scenario synscan; }
@test "scenario midstream" { scenario midstream; }
@test "scenario keepalive" { scenario keepalive; }
@test "scenario reuse" { scenario reuse; }
@test "scenario rst" { scenario rst; }
@test "scenario badrst" {
	scenario badrst "tf-reassemble: 8 segments with a bad TCP checksum, 7 RSTs out of sequence ignored"
}
@test "scenario rst-late" { scenario rst-late; }
@test "scenario insertion" {
	scenario insertion "tf-reassemble: 2 segments with a bad TCP checksum"
}
@test "scenario offload" {
	scenario offload "tf-reassemble: 4 segments with a bad TCP checksum"
}
@test "scenario ooo-both" { scenario ooo-both; }
@test "scenario sll" { scenario sll; }
@test "scenario sll2" { scenario sll2; }
@test "scenario raw" { scenario raw; }
@test "scenario raw12" { scenario raw12; }
@test "scenario raw14" { scenario raw14; }
@test "scenario ipv4" { scenario ipv4; }
@test "scenario ipv6" { scenario ipv6; }
@test "scenario null-2" { scenario null-2; }
@test "scenario null-be" { scenario null-be; }
@test "scenario null6-24" { scenario null6-24; }
@test "scenario null6-28" { scenario null6-28; }
@test "scenario null6-30" { scenario null6-30; }
@test "scenario null6-10" { scenario null6-10; }
@test "scenario loop" { scenario loop; }
@test "scenario nsec" { scenario nsec; }

@test "scenario snaplen" {
	gen snaplen
	rs snaplen.pcap out
	[ "$output" = "0 0" ]
	[ "$stderr" = "tf-reassemble: 4 segments cut by the snaplen, 3116 bytes lost in 4 gaps (snaplen 4)" ]
	same_tree snaplen.expected out
	# -q keeps it quiet.
	rs snaplen.pcap out2 -q
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	same_tree snaplen.expected out2
}

@test "scenario unsupported" {
	gen unsupported
	[ "$(ls unsupported.expected)" = MANIFEST ]
	rs unsupported.pcap out
	[ "$output" = "1 1" ]
	# One failure, one line: tf-split, given nothing, adds nothing.
	[ "$stderr" = "tf-reassemble: standard input: unsupported link type 147 (unknown)" ]
	[ ! -e out ]
	run -1 --separate-stderr tf-reassemble -r unsupported.pcap
	[ "$stderr" = "tf-reassemble: 'unsupported.pcap': unsupported link type 147 (unknown)" ]
	[ -z "$output" ]
}

# real NAME FILE: a real capture, on stdin and with -r, gives exactly the
# bytes the applications sent.
real() {
	rs "$REAL/$2" out
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	same_tree "$REAL/$1.expected" out
	rs /dev/null out-r -r "$REAL/$2"
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	same_tree "$REAL/$1.expected" out-r
}

@test "real http.pcap" { real http http.pcap; }
@test "real keepalive.pcap" { real keepalive keepalive.pcap; }
@test "real ipv6.pcap" { real ipv6 ipv6.pcap; }
@test "real retrans-ooo.pcap" { real retrans-ooo retrans-ooo.pcap; }
@test "real retrans-dup.pcap" { real retrans-dup retrans-dup.pcap; }
@test "real reuse.pcap" { real reuse reuse.pcap; }
@test "real midstream.pcap" { real midstream midstream.pcap; }
@test "real rst.pcap" { real rst rst.pcap; }
@test "real any-sll2.pcap" { real any-sll2 any-sll2.pcap; }
@test "real pcapng.pcapng" { real pcapng pcapng.pcapng; }

@test "every real capture has its test here" {
	ls "$REAL" | grep -v '\.expected$\|^MANIFEST$' | LC_ALL=C sort >have
	grep -o '^@test "real [^"]*"' "$BATS_TEST_FILENAME" |
	    sed 's/^@test "real //; s/"$//' | LC_ALL=C sort >tested
	diff have tested
}

@test "facts: header, command annotation, one connection closed by FIN, totals" {
	facts basic
	[ "$(js basic.json '[.[] | select(.kind == "header") | [.program, .linktype, .snaplen, .tsresol, .source, .sources]]')" = \
	    '[["tf-reassemble 0.1.0",1,262144,1,"stdin",["-"]]]' ]
	[ "$(js basic.json '[.[] | select(.kind == "annot") | [.conn, .dir, .key, .value]]')" = \
	    '[[0,255,"reassemble.command","tf-reassemble -q"]]' ]
	[ "$(js basic.json '[.[] | select(.kind == "open") | [.conn, .packet, .counter, .family, .src, .sport, .dst, .dport, .vlan, .flags, .ts]]')" = \
	    '[[1,1,0,4,"192.0.2.1",40001,"192.0.2.2",80,[],["syn","mac"],"2023-11-14T22:13:20.000100Z"]]' ]
	[ "$(js basic.json '[.[] | select(.kind == "close") | [.conn, .cause, (.dirs[] | [.packets, .bytes, .flags, .gaps, .retrans, .ooo, .overlapdiff, .violations])]]')" = \
	    '[[1,"fin",[6,79,["syn","fin"],0,0,0,0,0],[6,3067,["syn","fin"],0,0,0,0,0]]]' ]
	[ "$(js basic.json '[.[] | select(.kind == "end") | [.packets, .malformed, .truncated, .fragments, .reassembled, .connections, .evicted, .timeouts, .stray, .gaps, .status]]')" = \
	    '[[13,0,0,0,0,1,0,0,1,0,[]]]' ]
	# DATA covers each direction from 0 without a hole, as the files do.
	[ "$(js basic.json '[.[] | select(.kind == "data") | [.dir, .offset, .len]] | group_by(.[0]) | map([.[0][0], (map(.[2]) | add), (. as $d | [range(1; length)] | all($d[.][1] == $d[. - 1][1] + $d[. - 1][2]))])')" = \
	    '[[0,79,true],[1,3067,true]]' ]
	[ "$(js basic.json 'map(.kind) | [first, last, length]')" = '["header","end",7]' ]
}

@test "facts: contiguous bytes within -m microseconds share one DATA record" {
	gen basic
	# The response's three segments arrive within 1 ms: one record.
	run -0 --separate-stderr bash -c 'set -o pipefail; tf-reassemble <basic.pcap | tf-cat | grep "^data" | cut -d" " -f1-4'
	[ "$output" = "data 1 > 0+79
data 1 < 0+3067" ]
	# -m 0: one record per segment, each with its own packet time.
	run -0 --separate-stderr bash -c 'set -o pipefail; tf-reassemble -m 0 <basic.pcap | tf-cat -j | jq -c "select(.kind == \"data\") | [.dir, .offset, .len, .ts]"'
	[ "$output" = '[0,0,79,"2023-11-14T22:13:20.000400Z"]
[1,0,1460,"2023-11-14T22:13:20.000600Z"]
[1,1460,1460,"2023-11-14T22:13:20.000700Z"]
[1,2920,147,"2023-11-14T22:13:20.000900Z"]' ]
	# -m 150: the second segment is 100 us after the first, merged; the
	# third 300 us after the record's first byte, not.
	run -0 --separate-stderr bash -c 'set -o pipefail; tf-reassemble -m 150 <basic.pcap | tf-cat | grep "^data 1 <" | cut -d" " -f1-4'
	[ "$output" = "data 1 < 0+2920
data 1 < 2920+147" ]
}

@test "facts: the command annotation quotes the command line" {
	gen basic
	tf-reassemble -q -r basic.pcap 'tcp port 80' | tf-cat -j >b.json
	[ "$(js b.json '[.[] | select(.kind == "annot") | .value]')" = \
	    "[\"tf-reassemble -q -r basic.pcap 'tcp port 80'\"]" ]
	[ "$(js b.json '[.[] | select(.kind == "header") | [.source, .sources]]')" = \
	    '[["file",["basic.pcap"]]]' ]
}

@test "facts: totals with fragments, snaplen cuts and malformed packets" {
	facts frag4
	[ "$(js frag4.json '[.[] | select(.kind == "end") | [.packets, .fragments, .reassembled, .frag_dropped, .connections, .malformed]]')" = \
	    '[[13,3,1,0,1,0]]' ]
	facts frag6
	[ "$(js frag6.json '[.[] | select(.kind == "end") | [.packets, .fragments, .reassembled, .frag_dropped, .connections, .malformed]]')" = \
	    '[[13,3,1,0,1,0]]' ]
	facts snaplen
	[ "$(js snaplen.json '[.[] | select(.kind == "end") | [.packets, .truncated, .malformed, .gaps, .gapbytes, .status]]')" = \
	    '[[14,4,0,4,3116,[]]]' ]
	# A bare ACK with an IPv4 header length of 4 words: counted, skipped,
	# said once; the data is whole.
	gen basic
	python3 -c '
import sys
d = bytearray(open("basic.pcap", "rb").read())
assert d[429] == 0x45	# packet 5 (a bare ACK), first byte of IPv4
d[429] = 0x44
open("mal.pcap", "wb").write(d)'
	rs mal.pcap out
	[ "$output" = "0 0" ]
	[ "$stderr" = "tf-reassemble: 1 malformed packet skipped" ]
	same_tree basic.expected out
	tf-reassemble -q <mal.pcap | tf-cat -j >mal.json
	[ "$(js mal.json '[.[] | select(.kind == "end") | [.packets, .malformed, .connections, .stray]]')" = '[[13,1,1,1]]' ]
}

@test "facts: IPv6 connections are family 6" {
	for s in ipv6 frag6 ipv6-ext null6-24 null6-28 null6-30 null6-10; do
		facts $s
		[ "$(js $s.json '[.[] | select(.kind == "open") | [.family, .src, .dst]]')" = \
		    '[[6,"2001:db8::1","2001:db8::2"]]' ]
	done
	for s in sll sll2 raw raw12 raw14 loop; do
		facts $s
		[ "$(js $s.json '[.[] | select(.kind == "open") | [.family, .src, .dst]]')" = \
		    '[[4,"192.0.2.1","192.0.2.2"],[6,"2001:db8::1","2001:db8::2"]]' ]
	done
}

@test "facts: VLAN ids in OPEN, outermost first; one tuple on two VLANs is two connections" {
	facts vlan
	[ "$(js vlan.json '[.[] | select(.kind == "open") | .vlan]')" = '[[42]]' ]
	facts qinq
	[ "$(js qinq.json '[.[] | select(.kind == "open") | .vlan]')" = '[[100,200]]' ]
	facts dot1ad
	[ "$(js dot1ad.json '[.[] | select(.kind == "open") | .vlan]')" = '[[300,7]]' ]
	facts vlan-same-tuple
	[ "$(js vlan-same-tuple.json '[.[] | select(.kind == "open") | [.conn, .vlan, .counter, .sport, .dport]]')" = \
	    '[[1,[10],0,40015,80],[2,[20],0,40015,80]]' ]
	[ "$(js vlan-same-tuple.json '[.[] | select(.kind == "close") | [.conn, .cause, .dirs[0].bytes, .dirs[1].bytes]]')" = \
	    '[[1,"fin",500,2000],[2,"fin",500,2000]]' ]
	[ "$(js vlan-same-tuple.json '[.[] | select(.kind == "end") | .connections]')" = '[2]' ]
	facts basic
	[ "$(js basic.json '[.[] | select(.kind == "open") | .vlan]')" = '[[]]' ]
}

@test "facts: gaps of lost bytes and snaplen cuts, with exact offsets" {
	facts gap-lost
	# The server's segment 1000+460 was lost; the client's tail 400+200
	# was acknowledged by the FIN's peer, never seen.
	[ "$(js gap-lost.json '[.[] | select(.kind == "gap") | [.conn, .dir, .offset, .len, .cause]]')" = \
	    '[[1,1,1000,460,"lost"],[1,0,400,200,"lost"]]' ]
	[ "$(js gap-lost.json '[.[] | select(.kind == "close") | (.dirs[] | [.bytes, .gaps, .gapbytes, .ooo])]')" = \
	    '[[400,1,200,0],[2040,1,460,2]]' ]
	[ "$(js gap-lost.json '[.[] | select(.kind == "end") | [.gaps, .gapbytes]]')" = '[[2,660]]' ]
	facts snaplen
	# 100-byte snaplen: 46 bytes of each segment's payload captured.
	[ "$(js snaplen.json '[.[] | select(.kind == "gap") | [.dir, .offset, .len, .cause]]')" = \
	    '[[0,46,254,"snaplen"],[1,46,1414,"snaplen"],[1,1506,1414,"snaplen"],[1,2966,34,"snaplen"]]' ]
	[ "$(js snaplen.json '[.[] | select(.kind == "data") | [.dir, .offset, .len]]')" = \
	    '[[0,0,46],[0,300,30],[1,0,46],[1,1460,46],[1,2920,46]]' ]
}

@test "facts: retransmissions, out-of-order segments and differing overlaps" {
	facts overlap-diff
	[ "$(js overlap-diff.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .ooo, .overlapdiff, .violations])]')" = \
	    '[[2,1,3,0],[0,0,0,0]]' ]
	facts overlap-same
	[ "$(js overlap-same.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .ooo, .overlapdiff])]')" = \
	    '[[4,0,0],[3,0,0]]' ]
	facts retrans-same
	[ "$(js retrans-same.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .ooo, .overlapdiff])]')" = \
	    '[[1,0,0],[2,0,0]]' ]
	facts ooo
	[ "$(js ooo.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .ooo, .overlapdiff])]')" = \
	    '[[0,1,0],[0,0,0]]' ]
	facts ooo-both
	[ "$(js ooo-both.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .ooo, .overlapdiff, .bytes])]')" = \
	    '[[0,1,0,900],[0,2,0,1600]]' ]
	facts seqwrap
	[ "$(js seqwrap.json '[.[] | select(.kind == "close") | (.dirs[] | [.isn, .ooo, .bytes])]')" = \
	    '[[4294967040,0,1200],[4294965760,1,3000]]' ]
	# Keep-alive probes are neither data nor retransmissions.
	facts keepalive
	[ "$(js keepalive.json '[.[] | select(.kind == "close") | (.dirs[] | [.retrans, .overlapdiff, .bytes])]')" = \
	    '[[0,0,700],[0,0,1000]]' ]
}

@test "facts: real retransmissions and reordering, counted as tshark sees them" {
	tf-reassemble <"$REAL/retrans-dup.pcap" | tf-cat -j >dup.json
	# MANIFEST: 14 segments wholly duplicating captured bytes, no hole.
	[ "$(js dup.json '[.[] | select(.kind == "close") | .dirs[1] | [.retrans, .ooo, .gaps, .bytes]]')" = \
	    '[[14,0,0,1000254]]' ]
	tf-reassemble <"$REAL/retrans-ooo.pcap" | tf-cat -j >ooo.json
	# 14 holes filled late; 71 segments arrived ahead of one (counted
	# from tshark's sequence numbers), none duplicated.
	[ "$(js ooo.json '[.[] | select(.kind == "close") | .dirs[1] | [.retrans, .ooo, .gaps, .bytes]]')" = \
	    '[[0,71,0,1000254]]' ]
}

@test "facts: synscan is 20 connections without data, each closed by the RST" {
	facts synscan
	[ "$(js synscan.json '[.[] | select(.kind == "open")] | [length, (map(.dport) | join(","))]')" = \
	    '[20,"21,22,23,25,53,80,110,111,135,139,143,443,445,993,995,1723,3306,3389,5900,8080"]' ]
	[ "$(js synscan.json '[.[] | select(.kind == "data" or .kind == "gap")] | length')" = 0 ]
	[ "$(js synscan.json '[.[] | select(.kind == "close") | [.cause, .dirs[0].flags, .dirs[1].flags, .dirs[0].bytes + .dirs[1].bytes]] | unique')" = \
	    '[["rst",["syn"],["rst"],0]]' ]
	# RSTs answer in the order 0, 7, 14, 1, ... of the SYNs.
	[ "$(js synscan.json '[.[] | select(.kind == "close") | .conn] | .[:4]')" = '[1,8,15,2]' ]
	[ "$(js synscan.json '[.[] | select(.kind == "end") | [.packets, .connections, .stray]]')" = '[[40,20,0]]' ]
}

@test "facts: close causes fin, rst, reused and end; counters on reuse" {
	facts reuse
	[ "$(js reuse.json '[.[] | select(.kind == "open") | [.conn, .counter, .packet]]')" = \
	    '[[1,0,1],[2,1,11],[3,2,19]]' ]
	[ "$(js reuse.json '[.[] | select(.kind == "close") | [.conn, .cause]]')" = \
	    '[[1,"fin"],[2,"rst"],[3,"fin"]]' ]
	[ "$(js reuse.json '[.[] | select(.kind == "close") | .dirs[0].isn]')" = '[1000000,200000000,400000000]' ]
	facts rst
	[ "$(js rst.json '[.[] | select(.kind == "close") | [.cause, .dirs[0].flags, .dirs[1].flags]]')" = \
	    '[["rst",["syn"],["syn","rst"]]]' ]
	# Without the first connection's FINs, the second SYN takes it over.
	editcap -F pcap reuse.pcap nofin.pcap 8-10
	tf-reassemble <nofin.pcap | tf-cat -j >nofin.json
	[ "$(js nofin.json '[.[] | select(.kind == "open" or .kind == "close") | [.kind, .conn, .counter, .cause]]')" = \
	    '[["open",1,0,null],["close",1,null,"reused"],["open",2,1,null],["close",2,null,"rst"],["open",3,2,null],["close",3,null,"fin"]]' ]
	tf-reassemble <nofin.pcap | tf-split -o nofin >/dev/null
	same_tree reuse.expected nofin
	# The input ends with the connection open.
	gen basic
	editcap -F pcap -r basic.pcap half.pcap 1-9
	tf-reassemble <half.pcap | tf-cat -j >half.json
	[ "$(js half.json '[.[] | select(.kind == "close") | [.cause, .dirs[0].bytes, .dirs[1].bytes, .dirs[0].flags, .dirs[1].flags]]')" = \
	    '[["end",79,3067,["syn"],["syn"]]]' ]
	[ "$(js half.json '[.[] | select(.kind == "end") | [.packets, .status]]')" = '[[9,[]]]' ]
}

@test "facts: real captures: counters, RST, mid-stream, IPv6, cooked v2, pcapng times" {
	tf-reassemble <"$REAL/reuse.pcap" | tf-cat -j >reuse.json
	[ "$(js reuse.json '[.[] | select(.kind == "open") | [.counter, .sport, .dport, .flags]]')" = \
	    '[[0,40000,8080,["syn","mac"]],[1,40000,8080,["syn","mac"]],[2,40000,8080,["syn","mac"]]]' ]
	[ "$(js reuse.json '[.[] | select(.kind == "close") | .cause]')" = '["fin","fin","fin"]' ]
	tf-reassemble <"$REAL/rst.pcap" | tf-cat -j >rst.json
	[ "$(js rst.json '[.[] | select(.kind == "close") | [.cause, .dirs[0].flags, .dirs[1].flags]]')" = \
	    '[["rst",["syn","rst"],["syn"]]]' ]
	tf-reassemble <"$REAL/midstream.pcap" | tf-cat -j >mid.json
	[ "$(js mid.json '[.[] | select(.kind == "open") | [.flags, .sport, .dport]]')" = \
	    '[[["midstream","mac"],54956,8080]]' ]
	tf-reassemble <"$REAL/ipv6.pcap" | tf-cat -j >v6.json
	[ "$(js v6.json '[.[] | select(.kind == "open") | [.family, .src, .dst]]')" = '[[6,"::1","::1"]]' ]
	tf-reassemble <"$REAL/any-sll2.pcap" | tf-cat -j >sll2.json
	[ "$(js sll2.json '[.[] | select(.kind == "header") | .linktype]')" = '[276]' ]
	[ "$(js sll2.json '[.[] | select(.kind == "open") | .flags]')" = '[["syn"]]' ]
	tf-reassemble <"$REAL/pcapng.pcapng" | tf-cat -j >ng.json
	# Nanosecond times (jq rounds the *_ns numbers: compare the text).
	[ "$(js ng.json '[.[] | select(.kind == "open") | .ts]')" = '["2026-11-26T09:36:57.544833123Z"]' ]
	[ "$(js ng.json '[.[] | select(.kind == "end") | [.packets, .connections, .status]]')" = '[[10,1,[]]]' ]
}

@test "facts: mid-stream connections" {
	facts midstream
	[ "$(js midstream.json '[.[] | select(.kind == "open") | [.flags, .src, .sport, .dst, .dport]]')" = \
	    '[[["midstream","mac"],"192.0.2.1",40018,"192.0.2.2",80]]' ]
	# No SYN: the ISN is one less than the first sequence number seen.
	[ "$(js midstream.json '[.[] | select(.kind == "close") | [.cause, (.dirs[] | [.isn, .flags, .bytes])]]')" = \
	    '[["fin",[305419895,["fin"],700],[2596069103,["fin"],2600]]]' ]
}

@test "-t: an idle connection times out, and goes on where it stopped: same files" {
	gen keepalive
	tf-reassemble -t 10 <keepalive.pcap | tf-cat -j >ka.json
	# Closed after 10 s idle; its next bytes continue its sequence space
	# exactly: the same connection goes on (counter 0, offsets on,
	# flagged resumed), not a new one.
	[ "$(js ka.json '[.[] | select(.kind == "open" or .kind == "close") | [.kind, .conn, .counter, .cause, .flags]]')" = \
	    '[["open",1,0,null,["syn","mac"]],["close",1,null,"timeout",null],["open",2,0,null,["mac","resumed"]],["close",2,null,"fin",null]]' ]
	[ "$(js ka.json '[.[] | select(.kind == "data" and .conn == 2) | [.dir, .offset]]')" = '[[0,400],[1,600]]' ]
	[ "$(js ka.json '[.[] | select(.kind == "end") | [.connections, .timeouts]]')" = '[[2,1]]' ]
	# Not one byte lost, and one file a direction, as without -t.
	rs keepalive.pcap out -t 10
	[ "$output" = "0 0" ]
	same_tree keepalive.expected out
	# The default: no idle timeout (-C bounds memory); -t 0 says so too.
	tf-reassemble <keepalive.pcap | tf-cat -j >def.json
	[ "$(js def.json '[.[] | select(.kind == "end") | [.connections, .timeouts]]')" = '[[1,0]]' ]
	rs keepalive.pcap out0 -t 0
	[ "$output" = "0 0" ]
	same_tree keepalive.expected out0
	# Bytes that do not go on exactly where it stopped (a hole before
	# them) are the next connection, as before.
	gen basic
	tf-reassemble -t 10 <basic.pcap | tf-cat -j >b.json
	[ "$(js b.json '[.[] | select(.kind == "open") | .flags]')" = '[["syn","mac"]]' ]
}

@test "-C: evicted connections keep their bytes in the next ones" {
	gen vlan-same-tuple
	tf-reassemble -C 1 <vlan-same-tuple.pcap | tf-cat -j >c1.json
	[ "$(js c1.json '[.[] | select(.kind == "end") | [.connections, .evicted]]')" = '[[10,9]]' ]
	[ "$(js c1.json '[.[] | select(.kind == "close") | .cause] | unique')" = '["evicted","fin"]' ]
	tf-reassemble -C 1 <vlan-same-tuple.pcap | tf-split -o out >/dev/null
	for f in vlan-same-tuple.expected/*--??; do
		n=${f##*/}
		ls out | grep -x "$n\(c[0-9]\)\{0,1\}" | sed 's|^|out/|' | xargs cat | cmp "$f" -
	done
	rs vlan-same-tuple.pcap out2 -C 2
	[ "$output" = "0 0" ]
	same_tree vlan-same-tuple.expected out2
}

@test "-b: a full out-of-order buffer gives up on the hole" {
	facts ooo -b 1
	[ "$(js ooo.json '[.[] | select(.kind == "gap") | [.dir, .offset, .len, .cause]]')" = '[[0,400,400,"ooo-cap"]]' ]
	[ "$(js ooo.json '[.[] | select(.kind == "close") | .dirs[0] | [.bytes, .gapbytes, .ooo, .retrans]]')" = '[[800,400,1,1]]' ]
	tf-reassemble -b 1 <ooo.pcap | tf-split -o out >/dev/null
	f=192.000.002.001.40002-192.000.002.002.00080
	{ head -c 400 "ooo.expected/$f"; head -c 400 /dev/zero; tail -c +801 "ooo.expected/$f"; } | cmp - "out/$f"
}

@test "-r twice: one capture, connection state carried across" {
	gen basic
	# Cut after the first server segment, with both directions open.
	editcap -F pcap -r basic.pcap a.pcap 1-6
	editcap -r basic.pcap b.pcapng 7-13
	rs /dev/null out -r a.pcap -r b.pcapng
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	same_tree basic.expected out
	tf-reassemble -r a.pcap -r b.pcapng | tf-cat -j >two.json
	[ "$(js two.json '[.[] | select(.kind == "open")] | length')" = 1 ]
	[ "$(js two.json '[.[] | select(.kind == "header") | .sources]')" = '[["a.pcap","b.pcapng"]]' ]
	# The same records as from one file, but for the header and command.
	tf-reassemble -r basic.pcap | tf-cat | grep -v '^header\|^annot' >one.txt
	tf-reassemble -r a.pcap -r b.pcapng | tf-cat | grep -v '^header\|^annot' >two.txt
	cmp one.txt two.txt
	# Across holes waiting for retransmissions, in a real capture.
	editcap -F pcap -r "$REAL/retrans-ooo.pcap" r1.pcap 1-500
	editcap -F pcap -r "$REAL/retrans-ooo.pcap" r2.pcap 501-1155
	tf-reassemble -r "$REAL/retrans-ooo.pcap" | tf-cat | grep -v '^header\|^annot' >one.txt
	tf-reassemble -r r1.pcap -r r2.pcap | tf-cat | grep -v '^header\|^annot' >two.txt
	cmp one.txt two.txt
	# "-" is standard input, in order with the files.
	rs r2.pcap out2 -r r1.pcap -r -
	[ "$output" = "0 0" ]
	same_tree "$REAL/retrans-ooo.expected" out2
}

@test "-r twice: IP fragments pending at the end of a file are completed in the next" {
	gen frag4
	# Cut after the first fragment: the other two are in the second file.
	editcap -F pcap -r frag4.pcap a.pcap 1-6
	editcap -F pcap -r frag4.pcap b.pcap 7-13
	rs /dev/null out -r a.pcap -r b.pcap
	[ "$output" = "0 0" ]
	same_tree frag4.expected out
	tf-reassemble -q -r a.pcap -r b.pcap | tf-cat -j >two.json
	[ "$(js two.json '[.[] | select(.kind == "end") | [.fragments, .reassembled, .frag_dropped]]')" = '[[3,1,0]]' ]
}

@test "fragments still pending at the end of the input are counted as dropped" {
	gen frag4
	editcap -F pcap -r frag4.pcap a.pcap 1-6
	tf-reassemble -q <a.pcap | tf-cat -j >a.json
	[ "$(js a.json '[.[] | select(.kind == "end") | [.fragments, .reassembled, .frag_dropped]]')" = '[[1,0,1]]' ]
}

@test "-r twice: a later file that cannot be read ends the input cleanly" {
	gen basic
	gen unsupported
	editcap -F pcap -r basic.pcap a.pcap 1-6
	for bad in nothere.pcap unsupported.pcap /dev/null; do
		run -1 --separate-stderr sh -c 'tf-reassemble -r a.pcap -r "$1" >x.tfs' sh "$bad"
		case $bad in
		nothere.pcap) [ "$stderr" = "tf-reassemble: cannot open 'nothere.pcap': No such file or directory" ] ;;
		unsupported.pcap) [ "$stderr" = "tf-reassemble: 'unsupported.pcap': unsupported link type 147 (unknown)" ] ;;
		*) [ "$stderr" = "tf-reassemble: '/dev/null': not a packet capture (truncated dump file; tried to read 4 file header bytes, only got 0)" ] ;;
		esac
		# What the first file held is written; the stream ends cleanly.
		tf-cat -j <x.tfs >x.json
		[ "$(js x.json '[.[] | select(.kind == "close" or .kind == "end") | [.kind, .cause, .status, .packets]]')" = \
		    '[["close","end",null,null],["end",null,["error"],6]]' ]
		rm -rf out
		tf-split -o out <x.tfs >/dev/null
		cmp "out/$C2S" "basic.expected/$C2S"
		cmp "out/$S2C" <(head -c 1460 "basic.expected/$S2C")
	done
}

@test "a filter expression selects packets" {
	gen sll
	rs sll.pcap out ip6
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	rm sll.expected/192.*
	same_tree sll.expected out
	gen synscan
	tf-reassemble -q 'tcp port 22' <synscan.pcap | tf-cat -j >s.json
	[ "$(js s.json '[.[] | select(.kind == "open") | .dport]')" = '[22]' ]
	[ "$(js s.json '[.[] | select(.kind == "end") | [.packets, .connections]]')" = '[[2,1]]' ]
	# Several arguments are one expression.
	tf-reassemble -q tcp port 22 or port 80 <synscan.pcap | tf-cat -j >s2.json
	[ "$(js s2.json '[.[] | select(.kind == "open") | .dport]')" = '[22,80]' ]
	# The same filter applies to every -r file.
	gen basic
	editcap -F pcap -r basic.pcap a.pcap 1-6
	editcap -F pcap -r basic.pcap b.pcap 7-13
	tf-reassemble -r a.pcap -r b.pcap 'src port 80' | tf-cat -j >b.json
	[ "$(js b.json '[.[] | select(.kind == "close") | [.dirs[0].packets, .dirs[1].packets, .dirs[1].bytes]]')" = '[[0,6,3067]]' ]
}

@test "a filter that matches nothing: no connection, exit 0" {
	gen basic
	rs basic.pcap out 'port 9'
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	[ -d out ]
	[ -z "$(ls -A out)" ]
	tf-reassemble 'port 9' <basic.pcap | tf-cat -j >n.json
	[ "$(js n.json 'map(.kind)')" = '["header","annot","end"]' ]
	[ "$(js n.json '[.[] | select(.kind == "end") | [.packets, .connections, .status]]')" = '[[0,0,[]]]' ]
}

@test "a bad filter expression is a usage error" {
	gen basic
	run -2 --separate-stderr tf-reassemble 'port 80 and' <basic.pcap
	[ "$stderr" = "tf-reassemble: bad filter expression 'port 80 and': can't parse filter expression: syntax error" ]
	[ -z "$output" ]
	run -2 --separate-stderr tf-reassemble -r basic.pcap port 99999
	[ "$stderr" = "tf-reassemble: bad filter expression 'port 99999': illegal port number 99999 > 65535" ]
	[ -z "$output" ]
}

@test "input that is not a capture" {
	run -1 --separate-stderr tf-reassemble </dev/null
	[ "$stderr" = "tf-reassemble: standard input: empty input, not a packet capture" ]
	[ -z "$output" ]
	printf 'hello, world\n%.0s' $(seq 100) >text
	run -1 --separate-stderr tf-reassemble <text
	[ "$stderr" = "tf-reassemble: standard input: not a packet capture (unknown file format)" ]
	[ -z "$output" ]
	run -1 --separate-stderr tf-reassemble -r text
	[ "$stderr" = "tf-reassemble: 'text': not a packet capture (unknown file format)" ]
	[ -z "$output" ]
	# A tf stream is not a capture either.
	gen basic
	tf-reassemble <basic.pcap >basic.tfs
	run -1 --separate-stderr tf-reassemble <basic.tfs
	[ "$stderr" = "tf-reassemble: standard input: not a packet capture (unknown file format)" ]
	[ -z "$output" ]
	run -1 --separate-stderr tf-reassemble -r nothere.pcap
	[ "$stderr" = "tf-reassemble: cannot open 'nothere.pcap': No such file or directory" ]
	[ -z "$output" ]
	run -1 --separate-stderr tf-reassemble -r .
	[ "$stderr" = "tf-reassemble: '.': not a packet capture (error reading dump file: Is a directory)" ]
	[ -z "$output" ]
}

@test "a truncated capture: a warning, everything before the cut kept, exit 1" {
	gen basic
	# Packet 7 (1514 bytes) starts at byte 1999: cut 485 bytes into it.
	head -c 2500 basic.pcap >cut.pcap
	rs cut.pcap out
	[ "$output" = "1 0" ]
	[ "$stderr" = "tf-reassemble: standard input: truncated capture after packet 6: truncated dump file; tried to read 1514 captured bytes, only got 485" ]
	cmp "out/$C2S" "basic.expected/$C2S"
	cmp "out/$S2C" <(head -c 1460 "basic.expected/$S2C")
	run -1 --separate-stderr bash -c 'set -o pipefail; tf-reassemble -r cut.pcap | tf-cat -j >cut.json'
	[ "$stderr" = "tf-reassemble: 'cut.pcap': truncated capture after packet 6: truncated dump file; tried to read 1514 captured bytes, only got 485" ]
	[ "$(js cut.json '[.[] | select(.kind == "close" or .kind == "end") | [.kind, .cause, .packets, .status]]')" = \
	    '[["close","end",null,null],["end",null,6,["cut"]]]' ]
	# Cut inside the first packet's record header.
	head -c 34 basic.pcap >cut0.pcap
	run -1 --separate-stderr bash -c 'set -o pipefail; tf-reassemble <cut0.pcap | tf-cat -j >cut0.json'
	[ "$stderr" = "tf-reassemble: standard input: truncated capture after packet 0: truncated dump file; tried to read 16 header bytes, only got 10" ]
	[ "$(js cut0.json 'map(.kind)')" = '["header","annot","end"]' ]
	[ "$(js cut0.json '.[-1].status')" = '["cut"]' ]
	# A capture of its file header alone is a capture without packets.
	head -c 24 basic.pcap >hdr.pcap
	run -0 --separate-stderr bash -c 'set -o pipefail; tf-reassemble <hdr.pcap | tf-cat -j >hdr.json'
	[ -z "$stderr" ]
	[ "$(js hdr.json '.[-1] | [.packets, .status]')" = '[0,[]]' ]
}

@test "usage errors" {
	run -2 --separate-stderr tf-reassemble -z </dev/null
	[ "$stderr" = "tf-reassemble: invalid option -- 'z'
$USAGE" ]
	[ -z "$output" ]
	run -2 --separate-stderr tf-reassemble -Z </dev/null
	[ "$stderr" = "tf-reassemble: option requires an argument -- 'Z'
$USAGE" ]
	run -2 --separate-stderr tf-reassemble -r </dev/null
	[ "$stderr" = "tf-reassemble: option requires an argument -- 'r'
$USAGE" ]
	run -2 --separate-stderr tf-reassemble -i lo -r x.pcap </dev/null
	[ "$stderr" = "$USAGE" ]
	run -2 --separate-stderr tf-reassemble -b 0 </dev/null
	[ "$stderr" = "tf-reassemble: option -b: '0' is not a number from 1 to 1099511627776" ]
	run -2 --separate-stderr tf-reassemble -B 1k </dev/null
	[ "$stderr" = "tf-reassemble: option -B: '1k' is not a number from 4096 to 1099511627776" ]
	run -2 --separate-stderr tf-reassemble -C 0 </dev/null
	[ "$stderr" = "tf-reassemble: option -C: '0' is not a number from 1 to 4294967296" ]
	run -2 --separate-stderr tf-reassemble -s 63 </dev/null
	[ "$stderr" = "tf-reassemble: option -s: '63' is not a number from 64 to 262144" ]
	run -2 --separate-stderr tf-reassemble -t 1m </dev/null
	[ "$stderr" = "tf-reassemble: option -t: '1m' is not a number from 0 to 315360000" ]
	[ -z "$output" ]
}

@test "-V prints the versions" {
	run -0 --separate-stderr tf-reassemble -V
	[ "${lines[0]}" = "tf-reassemble 0.1.0" ]
	[[ ${lines[1]} =~ ^"libpcap version "[0-9] ]]
	[ "${#lines[@]}" = 2 ]
	[ -z "$stderr" ]
}

@test "does not write the stream to a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	gen basic
	run -1 script -qec "tf-reassemble -r basic.pcap" /dev/null
	[ "${output//$'\r'/}" = "tf-reassemble: refusing to write the binary stream to a terminal; pipe it into tf-split, tf-cat or another tf program" ]
}

@test "a reader that stops early: no complaint" {
	pktgen bench-bulk 20000000 >big.pcap
	run -0 --separate-stderr bash -c 'tf-reassemble <big.pcap | head -c 1 | od -An -tx1
	    echo "${PIPESTATUS[*]}"'
	# tf-reassemble dies of SIGPIPE, quietly: far more than a pipe holds
	# is still to come when head goes.
	[ "$output" = " 89
141 0 0" ]
	[ -z "$stderr" ]
}

@test "writes what it has whenever the input pauses" {
	gen reuse
	# The capture up to the end of the first connection, then a pause.
	editcap -F pcap -r reuse.pcap first.pcap 1-10
	n=$(stat -c %s first.pcap)
	cmp -n "$n" first.pcap reuse.pcap
	c=192.000.002.001.40020-192.000.002.002.00080
	s=192.000.002.002.00080-192.000.002.001.40020
	# Not fd 3: bats reports on it.
	{
		head -c "$n" reuse.pcap
		for i in $(seq 100); do
			[ -e go ] && break
			sleep 0.1
		done
		tail -c +"$((n + 1))" reuse.pcap
	} 3>&- | tf-reassemble 3>&- | tf-split -o out >out.tfs 3>&- &
	pid=$!
	for i in $(seq 100); do
		[ "$(stat -c %s "out/$c" 2>/dev/null)" = 300 ] &&
		    [ "$(stat -c %s "out/$s" 2>/dev/null)" = 800 ] && break
		sleep 0.1
	done
	[ ! -e go ]
	cmp "reuse.expected/$c" "out/$c"
	cmp "reuse.expected/$s" "out/$s"
	[ "$(ls out)" = "$c
$s" ]
	touch go
	# Every stage of the pipeline exits 0 (set -o pipefail).
	wait "$pid"
	same_tree reuse.expected out
	end=$(tf-cat <out.tfs | tail -1 | cut -d' ' -f1-3,20-21)
	[ "$end" = "end packets 28 connections 3" ]
}

@test "3000 connections into tf-split under ulimit -n 64" {
	mkdir exp
	pktgen -e exp bench-short 3000 >bs.pcap
	run -0 --separate-stderr bash -c 'ulimit -n 64 &&
		tf-reassemble <bs.pcap | tf-split -o out >out.tfs
		echo "${PIPESTATUS[*]}"'
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	[ "$(ls out | wc -l)" = 6000 ]
	same_tree exp out
	end=$(tf-cat <out.tfs | tail -1 | cut -d' ' -f20-21)
	[ "$end" = "connections 3000" ]
}
