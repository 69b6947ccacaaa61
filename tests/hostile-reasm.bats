# SPDX-License-Identifier: BSD-2-Clause
# Hostile input against tf-reassemble (issue 11): tuples chosen to share
# a bucket of a fixed hash, out-of-order floods, forged RSTs and segments
# with bad checksums, a decoy that would lend its name to a real session.
# Work is shown by operation counts (TF_DEBUG_STATS) and exact counters,
# never by time; the inputs come from pktgen, piped straight in.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0
}

# dstat NAME: the value of NAME in the TF_DEBUG_STATS line in file err.
# ("tomb lookups" is tomb_lookups here).
dstat() {
	sed -n 's/^tf-reassemble: table: //; s/tomb /tomb_/g; T; s/$/ /p' err |
	    sed -n 's/.*\(^\| \)'"$1"' \([0-9]*\) .*/\2/p'
}

@test "keyed hash: 2,000 endpoints that share one bucket of the old fixed hash cost what ordinary ones cost" {
	pktgen hostile-hash 2000 | TF_DEBUG_STATS=1 tf-reassemble -q 2>err >/dev/null
	pktgen benign-hash 2000 | TF_DEBUG_STATS=1 tf-reassemble -q 2>err2 >/dev/null
	lookups=$(dstat lookups)
	probes=$(dstat probes)
	[ "$lookups" -eq 134000 ]
	grep -q "lookups 134000 " err2
	# Without a key, every lookup walked one chain of all 2,000:
	# about 130 million probes.  Keyed, at most two a lookup (the table
	# is grown to one connection per bucket).
	echo "# hostile-hash 2000: $lookups lookups, $probes probes" >&3
	[ "$probes" -le $((2 * lookups)) ]
}

@test "keyed hash: SYN and RST pairs that would pile into one bucket of the closed tuples" {
	pktgen hostile-tomb 500 | TF_DEBUG_STATS=1 tf-reassemble -q 2>err >/dev/null
	lookups=$(dstat tomb_lookups)
	probes=$(dstat tomb_probes)
	echo "# hostile-tomb 500: $lookups tomb lookups, $probes tomb probes" >&3
	[ "$lookups" -eq 64000 ]
	[ "$probes" -le $((2 * lookups)) ]
}

@test "out of order: 200,000 one-byte segments each after a hole cost one step each" {
	pktgen hostile-ooo 200000 |
	    TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss tf-reassemble 2>err |
	    tf-cat -s >got
	[ "${PIPESTATUS[*]}" = "0 0 0" ]
	# Each segment finds its place in the tree at once: one step, where
	# the list walked every piece held before it (up to 64,527, the
	# most -b 4M holds at 1 + 64 bytes each).
	[ "$(dstat bufferings)" -eq 200000 ]
	[ "$(dstat steps)" -eq 200000 ]
	[ "$(sed -n 2p err)" = "tf-reassemble: 200000 bytes lost in 200000 gaps (lost 64527, ooo-cap 135473)" ]
	grep -qx 'gap.ooo-cap=135473' got
	grep -qx 'gap.lost=64527' got
	grep -qx 'records.data=200000' got
	kib=$(tail -n 1 rss)
	echo "# hostile-ooo 200000: peak RSS $kib KiB" >&3
	[ "$kib" -lt 65536 ]
}

@test "a decoy on the real session's tuple, then 70,000 closed tuples: the real session still gets counter 1" {
	pktgen -e exp flood-decoy 70000 | tf-reassemble | tf-split -o out |
	    tf-cat >got
	[ "${PIPESTATUS[*]}" = "0 0 0 0" ]
	# 70,000 tuples closed after the decoy push it out of the 65,536
	# remembered; the counter floor it left keeps its number from coming
	# back.
	[ "$(grep -c '^open [0-9]* [^ ]* 192.0.2.1:40040 ' got)" = 2 ]
	grep -q '^open 1 .* 192.0.2.1:40040 > 192.0.2.2:80 counter 0 ' got
	grep -q '^open 70002 .* 192.0.2.1:40040 > 192.0.2.2:80 counter 1 ' got
	rm exp/MANIFEST
	same_tree exp out
}

@test "past the remembered tuples, the counters (and the names) are the same in every run" {
	# 230,000 SYNs of new tuples: from the 131,073rd each evicts one,
	# from the 196,609th a tomb is forgotten into the table of counter
	# floors, and new tuples that share a floor start above 0.  Which
	# share one must not depend on the run's hash key.
	pktgen flood-syn 230000 >f.pcap
	tf-reassemble -q <f.pcap | tf-cat | grep '^open ' >run1
	tf-reassemble -q <f.pcap | tf-cat | grep '^open ' >run2
	[ "$(wc -l <run1)" = 230000 ]
	cmp run1 run2
	n=$(grep -c ' counter [1-9]' run1)
	[ "$n" -gt 1000 ]
}

@test "forged RSTs: a bad checksum or a sequence number 2^31 away closes nothing" {
	pktgen -e exp badrst >b.pcap
	tf-reassemble <b.pcap 2>err | tf-split -o out | tf-cat -s >got
	[ "${PIPESTATUS[*]}" = "0 0 0" ]
	[ "$(cat err)" = "tf-reassemble: 8 segments with a bad TCP checksum, 7 RSTs out of sequence ignored" ]
	grep -qx 'close.fin=1' got
	grep -qx 'records.open=1' got
	grep -qx 'end.bad_checksum=8' got
	grep -qx 'end.rst_ignored=7' got
	rm exp/MANIFEST
	same_tree exp out
	# The whole 20,000-byte upload, one file.
	[ "$(stat -c %s out/192.000.002.001.40030-192.000.002.002.00080)" = 20000 ]
}

@test "a real RST still closes, and bytes in flight after it are a second connection, not strays" {
	pktgen -e exp rst-late >r.pcap
	tf-reassemble <r.pcap | tf-cat >got
	[ "${PIPESTATUS[*]}" = "0 0" ]
	grep -q '^close 1 .* rst > packets 4 bytes 2000 syn < packets 3 bytes 0 syn,rst$' got
	grep -q '^open 2 .* 192.0.2.1:40033 > 192.0.2.2:80 counter 1 packet 8 .* midstream,mac$' got
	grep -q '^data 2 > 0+2000 ' got
	grep -q ' stray 0 ' got
}

@test "insertion: a forged segment with a bad checksum never wins over the real one" {
	pktgen -e exp insertion >i.pcap
	tf-reassemble <i.pcap 2>err | tf-split -o out | tf-cat -s >got
	[ "${PIPESTATUS[*]}" = "0 0 0" ]
	[ "$(cat err)" = "tf-reassemble: 2 segments with a bad TCP checksum" ]
	rm exp/MANIFEST
	same_tree exp out
	! grep -q EVIL out/*
}

@test "checksum offload: wrong checksums on a host's data are taken once acknowledged, then no longer checked" {
	pktgen -e exp offload >o.pcap
	tf-reassemble <o.pcap 2>err | tf-split -o out >/dev/null
	[ "${PIPESTATUS[*]}" = "0 0" ]
	# Four held and then acknowledged: offload; the other six pass.
	[ "$(cat err)" = "tf-reassemble: 4 segments with a bad TCP checksum" ]
	rm exp/MANIFEST
	same_tree exp out
	# A capture whose checksums are all wrong (a loopback capture, as
	# the real ones are) is read as before: nothing held, nothing said.
	run -0 --separate-stderr tf-reassemble -r "$DATA"/real/http.pcap
	[ -z "$stderr" ]
}
