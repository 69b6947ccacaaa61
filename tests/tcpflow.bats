#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# tf against tcpflow 1.6.1 on the same captures.  Where tcpflow is right,
# both write the same file names with the same bytes, and those are the
# expected files.  Where tcpflow is wrong (see tf-split(1) and
# ../shared/reference/tcpflow-and-peers.md 2.6), one test per case pins
# down what tcpflow writes and that tf writes the expected files instead.
bats_require_minimum_version 1.5.0

REAL=
setup() {
	load helper
	command -v tcpflow >/dev/null || skip "tcpflow is not installed"
	[ "$(tcpflow -V 2>&1)" = "TCPFLOW 1.6.1" ] || skip "not tcpflow 1.6.1"
	REAL=$DATA/real
	cd "$BATS_TEST_TMPDIR"
}

# by_tcpflow CAPTURE: tcpflow's files go to tcpflow/; bats's run.
by_tcpflow() {
	run --separate-stderr tcpflow -S enable_report=NO -r "$1" -o tcpflow
}

# by_tf CAPTURE: tf-reassemble | tf-split writes tf/; both must succeed
# (helper.bash sets pipefail).
by_tf() {
	tf-reassemble -r "$1" 2>/dev/null | tf-split -o tf >/dev/null
}

# agree CAPTURE EXPECTED: tcpflow and tf write the same names and bytes,
# and they are the files in EXPECTED (its MANIFEST aside).
agree() {
	by_tcpflow "$1"
	[ "$status" -eq 0 ]
	by_tf "$1"
	diff -r tcpflow tf
	diff -r -x MANIFEST "$2" tf
}

# scenario NAME: pktgen's NAME, tcpflow and tf agree.
scenario() {
	gen "$1"
	agree "$1.pcap" "$1.expected"
}

# empty DIR: DIR exists and holds nothing.
empty() {
	[ -d "$1" ] && [ -z "$(ls -A "$1")" ]
}

# rep CHAR N: CHAR N times.
rep() {
	printf "%$2s" '' | tr ' ' "$1"
}

# refused NAME DLT: tcpflow refuses pktgen's NAME (link type DLT) and
# writes nothing; tf writes the expected files.
refused() {
	gen "$1"
	by_tcpflow "$1.pcap"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tcpflow: sorry - unknown datalink type $2 on interface $1.pcap" ]
	empty tcpflow
	by_tf "$1.pcap"
	diff -r -x MANIFEST "$1.expected" tf
}

# dropped NAME: tcpflow reads pktgen's NAME, exits 0 and silently writes
# nothing; tf writes the expected files.
dropped() {
	gen "$1"
	by_tcpflow "$1.pcap"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	empty tcpflow
	by_tf "$1.pcap"
	[ "$(ls tf | wc -l)" -ge 2 ]
	diff -r -x MANIFEST "$1.expected" tf
}

# --- real captures: agreement -------------------------------------------

@test "real http: same as tcpflow" {
	agree "$REAL/http.pcap" "$REAL/http.expected"
}

@test "real keepalive: same as tcpflow" {
	agree "$REAL/keepalive.pcap" "$REAL/keepalive.expected"
}

@test "real ipv6: same as tcpflow" {
	agree "$REAL/ipv6.pcap" "$REAL/ipv6.expected"
}

@test "real reuse: same as tcpflow, c1 and c2 included" {
	agree "$REAL/reuse.pcap" "$REAL/reuse.expected"
	[ "$(ls tf | grep -c 'c[12]$')" -eq 4 ]
}

@test "real rst: same as tcpflow" {
	agree "$REAL/rst.pcap" "$REAL/rst.expected"
}

@test "real retrans-dup: same as tcpflow" {
	agree "$REAL/retrans-dup.pcap" "$REAL/retrans-dup.expected"
}

@test "real retrans-ooo: same as tcpflow" {
	agree "$REAL/retrans-ooo.pcap" "$REAL/retrans-ooo.expected"
}

@test "real midstream: same as tcpflow" {
	agree "$REAL/midstream.pcap" "$REAL/midstream.expected"
}

@test "real pcapng: same as tcpflow" {
	agree "$REAL/pcapng.pcapng" "$REAL/pcapng.expected"
}

# --- synthetic captures: agreement --------------------------------------

@test "basic: same as tcpflow" {
	scenario basic
}

@test "ooo: same as tcpflow" {
	scenario ooo
}

@test "retrans-same: same as tcpflow" {
	scenario retrans-same
}

@test "overlap-same: same as tcpflow" {
	scenario overlap-same
}

@test "seqwrap: same as tcpflow" {
	scenario seqwrap
}

@test "gap-lost: same as tcpflow (our holes read as the NULs it writes)" {
	scenario gap-lost
}

@test "snaplen: same as tcpflow (our holes read as the NULs it writes)" {
	scenario snaplen
}

@test "qinq: same as tcpflow (outer VLAN id)" {
	scenario qinq
}

@test "synscan: no files, as tcpflow" {
	scenario synscan
	empty tf
}

@test "midstream: same as tcpflow" {
	scenario midstream
}

@test "keepalive: same as tcpflow" {
	scenario keepalive
}

@test "reuse: same as tcpflow" {
	scenario reuse
}

@test "rst: same as tcpflow" {
	scenario rst
}

@test "ooo-both: same as tcpflow" {
	scenario ooo-both
}

@test "sll: same as tcpflow" {
	scenario sll
}

@test "raw: same as tcpflow" {
	scenario raw
}

@test "raw12: same as tcpflow" {
	scenario raw12
}

@test "null-2: same as tcpflow" {
	scenario null-2
}

@test "null6-10: same as tcpflow" {
	scenario null6-10
}

@test "nsec: same as tcpflow" {
	scenario nsec
}

@test "unsupported link type: both refuse, no files" {
	gen unsupported
	by_tcpflow unsupported.pcap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tcpflow: sorry - unknown datalink type 147 on interface unsupported.pcap" ]
	empty tcpflow
	run -1 tf-reassemble -r unsupported.pcap
	[ "$output" = "tf-reassemble: 'unsupported.pcap': unsupported link type 147 (unknown)" ]
}

# --- where tcpflow is wrong ---------------------------------------------

@test "overlap-diff: tcpflow lets the last write win, tf the first arrival" {
	gen overlap-diff
	by_tcpflow overlap-diff.pcap
	[ "$status" -eq 0 ]
	by_tf overlap-diff.pcap
	diff -r -x MANIFEST overlap-diff.expected tf
	c2s=192.000.002.001.40004-192.000.002.002.00080
	{ rep A 200; rep B 200; rep C 200; rep Y 100; rep D 100; rep E 100
	  rep F 100; } >first
	{ rep A 200; rep X 200; rep C 100; rep Y 200; rep D 150; rep E 50
	  rep F 100; } >last
	cmp first "tf/$c2s"
	cmp last "tcpflow/$c2s"
	[ "$(ls tcpflow)" = "$(ls tf)" ]
}

@test "frag4: tcpflow keeps only the first IPv4 fragment, NULs for the rest" {
	gen frag4
	by_tcpflow frag4.pcap
	[ "$status" -eq 0 ]
	by_tf frag4.pcap
	diff -r -x MANIFEST frag4.expected tf
	s2c=192.000.002.002.00080-192.000.002.001.40009
	{ head -c 1460 "tf/$s2c"; head -c 1540 /dev/zero
	  tail -c +3001 "tf/$s2c"; } >want
	cmp want "tcpflow/$s2c"
	[ "$(ls tcpflow)" = "$(ls tf)" ]
	cmp tcpflow/192.000.002.001.40009-192.000.002.002.00080 \
	    tf/192.000.002.001.40009-192.000.002.002.00080
}

@test "frag6: tcpflow drops every IPv6 fragment, NULs in their place" {
	gen frag6
	by_tcpflow frag6.pcap
	[ "$status" -eq 0 ]
	by_tf frag6.pcap
	diff -r -x MANIFEST frag6.expected tf
	s2c=2001:db8::2.00080-2001:db8::1.40010
	{ head -c 3000 /dev/zero; tail -c +3001 "tf/$s2c"; } >want
	cmp want "tcpflow/$s2c"
	[ "$(ls tcpflow)" = "$(ls tf)" ]
	cmp tcpflow/2001:db8::1.40010-2001:db8::2.00080 \
	    tf/2001:db8::1.40010-2001:db8::2.00080
}

@test "ipv6-ext: tcpflow drops IPv6 with extension headers, writes nothing" {
	dropped ipv6-ext
}

@test "vlan: tcpflow names the raw TCI (--41002), tf the VLAN id (--42)" {
	gen vlan
	by_tcpflow vlan.pcap
	[ "$status" -eq 0 ]
	by_tf vlan.pcap
	diff -r -x MANIFEST vlan.expected tf
	c2s=192.000.002.001.40012-192.000.002.002.00080
	s2c=192.000.002.002.00080-192.000.002.001.40012
	[ "$(ls tcpflow)" = "$c2s--41002
$s2c--41002" ]
	[ "$(ls tf)" = "$c2s--42
$s2c--42" ]
	cmp "tcpflow/$c2s--41002" "tf/$c2s--42"
	cmp "tcpflow/$s2c--41002" "tf/$s2c--42"
}

@test "dot1ad: tcpflow ignores the 802.1ad tag (no --300), tf does not" {
	gen dot1ad
	by_tcpflow dot1ad.pcap
	[ "$status" -eq 0 ]
	by_tf dot1ad.pcap
	diff -r -x MANIFEST dot1ad.expected tf
	c2s=192.000.002.001.40014-192.000.002.002.00080
	s2c=192.000.002.002.00080-192.000.002.001.40014
	[ "$(ls tcpflow)" = "$c2s
$s2c" ]
	[ "$(ls tf)" = "$c2s--300
$s2c--300" ]
	cmp "tcpflow/$c2s" "tf/$c2s--300"
	cmp "tcpflow/$s2c" "tf/$s2c--300"
}

@test "vlan-same-tuple: tcpflow merges VLANs 10 and 20 into --10, 20's bytes" {
	gen vlan-same-tuple
	by_tcpflow vlan-same-tuple.pcap
	[ "$status" -eq 0 ]
	by_tf vlan-same-tuple.pcap
	diff -r -x MANIFEST vlan-same-tuple.expected tf
	c2s=192.000.002.001.40015-192.000.002.002.00080
	s2c=192.000.002.002.00080-192.000.002.001.40015
	[ "$(ls tcpflow)" = "$c2s--10
$s2c--10" ]
	[ "$(ls tf)" = "$c2s--10
$c2s--20
$s2c--10
$s2c--20" ]
	cmp "tcpflow/$c2s--10" "tf/$c2s--20"
	cmp "tcpflow/$s2c--10" "tf/$s2c--20"
	! cmp -s "tf/$c2s--10" "tf/$c2s--20"
}

@test "padding: tcpflow appends Ethernet padding and makes a c1 of it" {
	gen padding
	by_tcpflow padding.pcap
	[ "$status" -eq 0 ]
	by_tf padding.pcap
	diff -r -x MANIFEST padding.expected tf
	c2s=192.000.002.001.40016-192.000.002.002.00080
	s2c=192.000.002.002.00080-192.000.002.001.40016
	[ "$(ls tcpflow)" = "$c2s
${c2s}c1
$s2c" ]
	[ "$(cat "tf/$c2s")" = abcd ]
	[ "$(cat "tf/$s2c")" = 1234 ]
	[ "$(ls tf)" = "$c2s
$s2c" ]
	{ printf abcd; rep x 6 | tr x '\252'; } >want
	cmp want "tcpflow/$c2s"
	rep x 6 | tr x '\252' >want
	cmp want "tcpflow/${c2s}c1"
	{ printf 1234; rep x 6 | tr x '\252'; } >want
	cmp want "tcpflow/$s2c"
}

@test "iplen0: tcpflow writes nothing for IPv4 total length 0 (TSO)" {
	dropped iplen0
}

@test "null-be: tcpflow drops DLT_NULL with a big-endian family" {
	dropped null-be
}

@test "null6-24: tcpflow drops DLT_NULL IPv6 as family 24" {
	dropped null6-24
}

@test "null6-28: tcpflow drops DLT_NULL IPv6 as family 28" {
	dropped null6-28
}

@test "null6-30: tcpflow drops DLT_NULL IPv6 as family 30" {
	dropped null6-30
}

@test "sll2: tcpflow refuses Linux cooked v2" {
	refused sll2 276
}

@test "ipv4: tcpflow refuses LINKTYPE_IPV4" {
	refused ipv4 228
}

@test "ipv6: tcpflow refuses LINKTYPE_IPV6" {
	refused ipv6 229
}

@test "loop: tcpflow refuses LINKTYPE_LOOP" {
	refused loop 108
}

@test "raw14: tcpflow refuses raw IP as DLT 14" {
	gen raw14
	by_tcpflow raw14.pcap
	[ "$status" -eq 1 ]
	[[ $stderr == "tcpflow: unknown data link type 14 "* ]]
	empty tcpflow
	by_tf raw14.pcap
	diff -r -x MANIFEST raw14.expected tf
}

@test "real any-sll2: tcpflow refuses tcpdump -i any, tf reads it" {
	cp "$REAL/any-sll2.pcap" .
	by_tcpflow any-sll2.pcap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tcpflow: sorry - unknown datalink type 276 on interface any-sll2.pcap" ]
	empty tcpflow
	by_tf any-sll2.pcap
	diff -r "$REAL/any-sll2.expected" tf
}
