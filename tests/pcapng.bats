# SPDX-License-Identifier: BSD-2-Clause
# pcapng read by lib/pcapng: interfaces of different link types (real
# captures of tests/data/mkpcapng.sh, the bytes tcpclient.py sent and
# received as truth), and the format's edge cases and broken files from
# tests/data/mkpcapng.py (payloads "client: CASE\n", "server: CASE\n").
bats_require_minimum_version 1.5.0

NG=
C2S=192.000.002.001.40000-192.000.002.002.00080
S2C=192.000.002.002.00080-192.000.002.001.40000

setup() {
	load helper
	NG=$DATA/pcapng
	cd "$BATS_TEST_TMPDIR"
}

# mk CASE: writes mkpcapng.py's CASE to ./CASE.
mk() {
	python3 "$DATA/mkpcapng.py" "$1" >"$1"
}

# rs DIR ARGS...: tf-reassemble ARGS | tf-split -o DIR under run: $output
# is the two exit statuses, $stderr what both said.
rs() {
	run --separate-stderr bash -c 'dir=$1
		shift
		tf-reassemble "$@" | tf-split -o "$dir" >/dev/null
		echo "${PIPESTATUS[*]}"' rs "$@"
}

# end FILE FIELDS: the END record's FIELDS (a jq array) of tf-reassemble's
# stream of FILE.
end() {
	{ tf-reassemble -q -r "$1" 2>/dev/null || true; } | tf-cat -j |
	    jq -c "select(.kind == \"end\") | $2"
}

# flows CASE DIR: DIR holds exactly the synthetic connection's two files.
flows() {
	[ "$(ls "$2")" = "$C2S
$S2C" ]
	[ "$(cat "$2/$C2S")" = "client: $1" ]
	[ "$(cat "$2/$S2C")" = "server: $1" ]
}

@test "dumpcap -i any -y LINUX_SLL2 -i lo: both interfaces read, each with its link type" {
	rs out -r "$NG/any-lo.pcapng"
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	# dumpcap wrote each connection's packets on the first interface,
	# then the same packets on the second: the copies follow the close
	# and make a second connection on the tuple (c1), byte for byte the
	# same as the first.
	run -0 ls out
	[ "${#lines[@]}" = 8 ]
	for f in "$NG"/any-lo.expected/*; do
		cmp "$f" "out/${f##*/}"
		cmp "$f" "out/${f##*/}c1"
	done
	run -0 end "$NG/any-lo.pcapng" '[.packets, .not_ip, .malformed, .connections, .status]'
	[ "$output" = '[56,0,0,4,[]]' ]
	# The header's link type is the first interface's (LINUX_SLL2).
	run -0 bash -c 'tf-reassemble -r "$1" | tf-cat -j | head -n 1 | jq .linktype' _ "$NG/any-lo.pcapng"
	[ "$output" = 276 ]
}

@test "mergecap of an Ethernet and an SLL2 capture: the bytes the client sent and received" {
	rs out -r "$NG/merged.pcapng"
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	same_tree "$NG/merged.expected" out
	run -0 end "$NG/merged.pcapng" '[.packets, .not_ip, .malformed, .connections, .status]'
	[ "$output" = '[28,0,0,2,[]]' ]
	run -0 bash -c 'tf-reassemble -r "$1" | tf-cat -j | head -n 1 | jq .linktype' _ "$NG/merged.pcapng"
	[ "$output" = 1 ]
}

@test "pcapng on standard input, from a pipe, and rotated -r files of pcapng and pcap" {
	run --separate-stderr bash -c 'cat "$1" | tf-reassemble | tf-split -o out >/dev/null
		echo "${PIPESTATUS[*]}"' _ "$NG/merged.pcapng"
	[ "$output" = "0 0 0" ]
	[ -z "$stderr" ]
	same_tree "$NG/merged.expected" out
	mk mixed
	rs rot -r mixed -r "$DATA/real/http.pcap" -r "$NG/merged.pcapng"
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	run -0 ls rot
	[ "${#lines[@]}" = 8 ]
	for f in "$DATA"/real/http.expected/* "$NG"/merged.expected/*; do
		cmp "$f" "rot/${f##*/}"
	done
	[ "$(cat "rot/$C2S")" = "client: mixed" ]
	[ "$(cat "rot/$S2C")" = "server: mixed" ]
	# A -r that is a pipe, not a file.
	rs fifo -r <(cat "$NG/merged.pcapng")
	[ "$output" = "0 0" ]
	same_tree "$NG/merged.expected" fifo
}

@test "synthetic: Ethernet, SLL2 and raw IP interfaces, skipped blocks, both byte orders, two sections" {
	for c in mixed mixed-be sections; do
		mk "$c"
		rs "$c.out" -r "$c"
		[ "$output" = "0 0" ]
		[ -z "$stderr" ]
		flows "$c" "$c.out"
		run -0 end "$c" '[.packets, .not_ip, .malformed, .status]'
		[ "$output" = '[10,0,0,[]]' ]
	done
}

@test "synthetic: if_tsresol 2^-20 with if_tsoffset, and 10^-3, give exact times" {
	mk tsresol
	rs out -r tsresol
	[ "$output" = "0 0" ]
	flows tsresol out
	# T0 = 1700000000 s; packet i at T0 + i/4 s, plus 2^-20 s (953 ns)
	# on the Ethernet interface (even i).
	# (Not through jq: its numbers are doubles.)
	run -0 bash -c 'set -o pipefail
	    tf-reassemble -m 0 -r tsresol | tf-cat -j |
	    sed -n "s/^{\"kind\":\"\(open\|data\|close\)\".*\"ts_ns\":\([0-9]*\).*/\1 \2/p"'
	[ "$output" = "open 1700000000000000953
data 1700000000750000000
data 1700000001000000953
data 1700000001250000000
data 1700000001500000953
close 1700000002000000953" ]
}

@test "synthetic: simple packet blocks take the previous packet's time, obsolete packet blocks read" {
	mk spb
	rs out -r spb
	[ "$output" = "0 0" ]
	[ -z "$stderr" ]
	flows spb out
	run -0 end spb '[.packets, .not_ip, .malformed]'
	[ "$output" = '[10,0,0]' ]
	# Packet 4 (SPB) has packet 3's time: 3 ms.
	run -0 bash -c 'tf-reassemble -m 0 -r spb | tf-cat -j |
	    jq -r "select(.kind == \"data\" and .dir == 0) | .ts"'
	[ "$output" = "2023-11-14T22:13:20.003000Z
2023-11-14T22:13:20.003000Z" ]
}

@test "synthetic: a broken block after five packets: one line in the reader's words, what came before kept" {
	local c want
	for c in len13 len8 trailer huge caplen ifid manyifs cut; do
		mk "$c"
		case $c in
		len13) want="unreadable pcapng after packet 5: block at byte 524 (type 0x6): bad length 13" ;;
		len8) want="unreadable pcapng after packet 5: block at byte 520 (type 0x6): bad length 8" ;;
		trailer) want="unreadable pcapng after packet 5: block at byte 524 (type 0x6): the lengths differ (96, 4)" ;;
		huge) want="unreadable pcapng after packet 5: block at byte 520 (type 0x6): length 268435472 over the cap of 16777216" ;;
		caplen) want="unreadable pcapng after packet 5: packet block at byte 524: captured length 65 past the block's 64 bytes" ;;
		ifid) want="unreadable pcapng after packet 5: packet block at byte 520 names interface 3 of 1" ;;
		manyifs) want="unreadable pcapng after packet 5: more than 65536 interfaces in section 1" ;;
		cut) want="truncated capture after packet 5: truncated pcapng dump file; tried to read 88 bytes, only got 68" ;;
		esac
		rs "$c.out" -r "$c"
		[ "$output" = "1 0" ] || { echo "$c: $output"; return 1; }
		[ "$stderr" = "tf-reassemble: '$c': $want" ] || { echo "$stderr"; return 1; }
		[ "$(ls "$c.out")" = "$C2S" ]
		[ "$(cat "$c.out/$C2S")" = "client: $c" ]
		run -0 end "$c" '.status'
		if [ "$c" = cut ]; then
			[ "$output" = '["cut"]' ]
		else
			[ "$output" = '["error"]' ]
		fi
	done
	# The same cut on standard input.
	run --separate-stderr bash -c 'tf-reassemble <cut | tf-cat -s >/dev/null
		echo "${PIPESTATUS[*]}"'
	[ "$output" = "1 0" ]
	[ "$stderr" = "tf-reassemble: standard input: truncated capture after packet 5: truncated pcapng dump file; tried to read 88 bytes, only got 68" ]
}

@test "synthetic: no interface, version 2.0, a packet first: not a capture, nothing written" {
	local c want
	for c in noidb v2 firstepb; do
		mk "$c"
		case $c in
		noidb) want="the capture file has no Interface Description Blocks" ;;
		v2) want="section header at byte 0: version 2.0, not 1.x" ;;
		firstepb) want="packet block at byte 48 names interface 0 of 0" ;;
		esac
		rs "$c.out" -r "$c"
		[ "$output" = "1 1" ]
		[ "$stderr" = "tf-reassemble: '$c': not a packet capture ($want)" ]
		[ ! -e "$c.out" ]
	done
}

@test "a second interface of a link type not decoded: one warning, its packets skipped, exit 1" {
	mk unsupported
	rs out -r unsupported
	[ "$output" = "1 0" ]
	[ "$stderr" = "tf-reassemble: 'unsupported': interface 1 has link type 147 (unknown), not decoded: its packets are skipped" ]
	flows unsupported out
	run -0 end unsupported '[.packets, .not_ip]'
	[ "$output" = '[11,1]' ]
}

@test "a filter on a pcapng of several link types: compiled for each" {
	mk mixed
	rs all -r mixed 'tcp port 80 and host 192.0.2.1'
	[ "$output" = "0 0" ]
	flows mixed all
	run -0 bash -c 'tf-reassemble -r mixed "port 81" | tf-cat -j | jq -c "select(.kind == \"end\") | .packets"'
	[ "$output" = 0 ]
	# Ethernet addresses mean nothing on SLL2: the filter does not
	# compile for the second link type, and that is said once.
	run --separate-stderr bash -c 'set -o pipefail
	    tf-reassemble -q -r mixed "ether src 02:00:00:00:00:01" |
	    tf-cat -j | jq -c "select(.kind == \"end\") | .packets"'
	[ "$status" = 1 ]
	[ "$output" = 4 ]
	[[ $stderr == "tf-reassemble: 'mixed': the filter does not compile for link type 276 (LINUX_SLL2): "*"; its packets are skipped" ]]
}

@test "libpcap's refusal of a pcap file in its own words, not 'truncated'" {
	mk pcap-refused
	rs out -r pcap-refused
	[ "$output" = "1 0" ]
	[ "$stderr" = "tf-reassemble: 'pcap-refused': libpcap refuses the capture after packet 1: invalid packet capture length 300000, bigger than snaplen of 65535" ]
	run -0 end pcap-refused '.status'
	[ "$output" = '["error"]' ]
}
