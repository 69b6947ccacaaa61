#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Shards: tf-reassemble -S K/N and -W N, tf-merge.  What N shards give,
# merged, is what one process gives: the same records (the stream compared
# through tf-cat, the header's start time and the command lines aside),
# the same flow and body files, the same report.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	T=$BATS_TEST_TMPDIR
	# The plain build tries every case; under ASan, for time, a sample:
	# N in 1 and 3, every other scenario (all of them with TF_FULL=1).
	NS='1 2 3 8'
	STEP=1
	if [ "${TF_FULL:-}" != 1 ] && asan_build; then
		NS='1 3'
		STEP=2
	fi
}

# norm STREAM: the stream as tf-cat shows it, without what belongs to the
# run rather than the capture: the header (its start time) and the
# command lines.
norm() {
	tf-cat <"$1" | grep -v -e '^header ' \
	    -e '^annot 0 - "\{0,1\}\(reassemble\|merge\|http\|split\)\.command'
}

# single CAP [ARGS]: one process, into $T/single.tfs.
single() {
	local cap=$1
	shift
	tf-reassemble -q "$@" -r "$cap" >"$T/single.tfs"
}

# merged CAP N [ARGS]: N shards of CAP merged, into $T/merged.tfs.
merged() {
	local cap=$1 n=$2 k files=()
	shift 2
	rm -f "$T"/sh.*.tfs
	for ((k = 0; k < n; k++)); do
		tf-reassemble -q "$@" -S "$k/$n" -r "$cap" >"$T/sh.$k.tfs"
		files+=("$T/sh.$k.tfs")
	done
	tf-merge "${files[@]}" >"$T/merged.tfs"
}

# same CAP N [ARGS]: the merged shards are the single run.
same() {
	single "$1" "${@:3}"
	merged "$@"
	norm "$T/single.tfs" >"$T/a"
	norm "$T/merged.tfs" >"$T/b"
	diff "$T/a" "$T/b"
	# Each connection in one shard, once.
	local one all f
	one=$(grep -c '^open ' "$T/a" || true)
	all=$(for f in "$T"/sh.*.tfs; do tf-cat <"$f"; done | grep -c '^open ' || true)
	[ "$one" = "$all" ]
}

# The real captures of the tests and the examples: a few connections
# each, with retransmissions, reuse, IPv6, SLL2, a hostile one.
captures() {
	ls "$DATA"/real/*.pcap "$DATA"/http/*.pcap "$TOP"/examples/*.pcap
}

@test "-S: for 1, 2, 3 and 8 shards, merged, the records of one process" {
	local cap n count=0
	for cap in $(captures); do
		for n in $NS; do
			same "$cap" "$n"
			count=$((count + 1))
		done
	done
	[ "$count" -ge $((12 * $(wc -w <<<"$NS"))) ]
}

@test "-S: every pktgen scenario, 3 shards, and 2,000 short connections with 8" {
	local s n=0 i=0
	for s in $(pktgen -l | cut -f1); do
		i=$((i + 1))
		[ $((i % STEP)) = 0 ] || [ "$s" = unsupported ] || continue
		pktgen "$s" >"$T/$s.pcap"
		if [ "$s" = unsupported ]; then
			# refused by every shard as by one process
			run -1 --separate-stderr tf-reassemble -S 2/3 -r "$T/$s.pcap"
			[ "$stderr" = "tf-reassemble: '$T/$s.pcap': unsupported link type 147 (unknown)" ]
			continue
		fi
		same "$T/$s.pcap" 3
		n=$((n + 1))
	done
	[ "$n" -ge $((40 / STEP)) ]
	pktgen bench-short $((2000 / STEP)) >"$T/short.pcap"
	same "$T/short.pcap" 8
	[ "$(grep -c '^open ' "$T/a")" -eq $((2000 / STEP)) ]
	# Idle timeouts, as a single run has them.
	pktgen keepalive >"$T/ka.pcap"
	same "$T/ka.pcap" 2 -t 10
	grep -q '^close 1 .* timeout ' "$T/b"
	# Fragments: every shard puts the datagrams together, shard 0 counts.
	pktgen flood-frag 300 >"$T/frag.pcap"
	same "$T/frag.pcap" 3
	grep -q '^end .* fragments [1-9]' "$T/b"
}

@test "-S: a shard numbers a connection by its first packet; tf-merge by order" {
	pktgen reuse >"$T/reuse.pcap"
	tf-reassemble -S 0/1 -r "$T/reuse.pcap" >"$T/s.tfs"
	run -0 bash -c 'tf-cat <"$1" | grep -e "^open" -e "^annot 0 - reassemble.shard" -e "^mark" | cut -d" " -f1-6' x "$T/s.tfs"
	[ "${lines[0]}" = 'annot 0 - reassemble.shard "0/1"' ]
	[ "${lines[1]}" = 'mark packet 1 packet sub 0' ]
	[[ ${lines[2]} == 'open 1 '* ]]
	opens=$(tf-cat <"$T/s.tfs" | grep -c '^open')
	[ "$opens" -eq 3 ]
	run -0 bash -c 'tf-cat <"$1" | grep "^open" | sed "s/^open \([0-9]*\) .* packet \([0-9]*\) .*/\1 \2/"' x "$T/s.tfs"
	# conn = packet of its OPEN
	for l in "${lines[@]}"; do
		set -- $l
		[ "$1" = "$2" ]
	done
	[ "${lines[1]}" != "2 2" ]
	tf-merge "$T/s.tfs" >"$T/m.tfs"
	run -0 bash -c 'tf-cat <"$1" | grep "^open" | cut -d" " -f2' x "$T/m.tfs"
	[ "$output" = $'1\n2\n3' ]
	# No MARK and no shard annotation in the merged stream; its own
	# command line after the first shard's.
	run -0 bash -c 'tf-cat -s <"$1"' x "$T/m.tfs"
	[[ $output != *records.mark* ]]
	run -0 bash -c 'tf-cat <"$1" | grep "^annot 0"' x "$T/m.tfs"
	[ "${lines[0]}" = "annot 0 - reassemble.command \"tf-reassemble -S 0/1 -r $T/reuse.pcap\"" ]
	[ "${lines[1]}" = "annot 0 - merge.command \"tf-merge $T/s.tfs\"" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "-W: split once, each shard from its own file, merged: one process's records" {
	local cap n k
	pktgen bench-short 1000 >"$T/short.pcap"
	pktgen flood-frag 100 >"$T/frag.pcap"
	local caps=("$T/short.pcap" "$T/frag.pcap" $(captures)) ns='2 3'
	[ "$STEP" = 1 ] || { caps=("$T/short.pcap" "$T/frag.pcap" "$TOP/examples/hostile.pcap"); ns=3; }
	for cap in "${caps[@]}"; do
		for n in $ns; do
			rm -f "$T"/part.*
			tf-reassemble -W "$n" -w "$T/part" -r "$cap"
			single "$cap"
			files=()
			for ((k = 0; k < n; k++)); do
				tf-reassemble -q -S "$k/$n" -r "$T/part.$k.pcap" >"$T/sh.$k.tfs"
				files+=("$T/sh.$k.tfs")
			done
			tf-merge "${files[@]}" >"$T/merged.tfs"
			norm "$T/single.tfs" >"$T/a"
			norm "$T/merged.tfs" >"$T/b"
			diff "$T/a" "$T/b"
		done
	done
	# 8 files, zero-padded names, nothing on standard output.
	rm -f "$T"/part.*
	run -0 --separate-stderr tf-reassemble -W 8 -w "$T/part" -r "$T/short.pcap"
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(cd "$T" && ls part.*)" = "$(printf 'part.%d.pcap\n' 0 1 2 3 4 5 6 7)" ]
	rm -f "$T"/part.*
	tf-reassemble -W 12 -w "$T/part" -r "$T/short.pcap"
	[ "$(cd "$T" && ls part.* | head -2)" = $'part.00.pcap\npart.01.pcap' ]
}

@test "-W: a shard file is its own frames whole and 16 bytes for each other frame" {
	pktgen bench-short 300 >"$T/short.pcap"
	# frames, from the END record of one run
	frames=$(tf-reassemble -r "$T/short.pcap" | tf-cat | sed -n 's/^end packets \([0-9]*\) .*/\1/p')
	size=$(stat -c %s "$T/short.pcap")
	for n in 2 5; do
		rm -f "$T"/part.*
		tf-reassemble -W "$n" -w "$T/part" -r "$T/short.pcap"
		total=0
		for f in "$T"/part.*.pcap; do
			total=$((total + $(stat -c %s "$f")))
		done
		# n file headers; every frame once whole (its header and its
		# bytes), and n - 1 placeholders of 16 bytes
		[ "$total" -eq $((size + (n - 1) * (24 + 16 * frames))) ]
		# tcpdump reads a shard file; a placeholder is a frame of 0
		# bytes captured, of length 2^32 - 1
		run -0 bash -c 'tcpdump -nn -r "$1" 2>/dev/null | head -400' x "$T/part.0.pcap"
		[[ $output == *'[Invalid header: caplen==0, len(4294967295) > 262144]'* ]]
		[[ $output == *' IP 198.'* ]]
	done
}

@test "shard pipelines: the union of their flow and body files and the merged report are one pipeline's" {
	local cap n k
	for cap in "$TOP/examples/http-codings.pcap" "$TOP/examples/hostile.pcap" \
	    "$DATA/http/codings.pcap"; do
		for n in $NS; do
			rm -rf "$T/one" "$T/all" "$T"/sh*
			mkdir "$T/one" "$T/all"
			(cd "$T/one" && tf-reassemble -q -r "$cap" |
			    tf-http -q -o objects | tf-split -q -o flows |
			    tf-report >report.xml)
			files=()
			for ((k = 0; k < n; k++)); do
				mkdir "$T/sh$k"
				(cd "$T/sh$k" && tf-reassemble -q -S "$k/$n" -r "$cap" |
				    tf-http -q -o objects | tf-split -q -o flows >"$T/sh$k.tfs")
				cp -a "$T/sh$k/." "$T/all/"
				files+=("$T/sh$k.tfs")
			done
			tf-merge "${files[@]}" | tf-report >"$T/all/report.xml"
			diff -r -x report.xml "$T/one" "$T/all"
			xmllint --noout --schema "$XSD" "$T/all/report.xml" 2>/dev/null
			facts() {
				sed -e '/<rusage>/,/<\/rusage>/d' \
				    -e '/<tcpflow:stream \|<tcpflow:command \|<command_line>\|<start_time>/d' "$1"
			}
			diff <(facts "$T/one/report.xml") <(facts "$T/all/report.xml")
		done
	done
	[ "$(find "$T/all/objects" -type f | wc -l)" -ge 1 ]
}

@test "tf-merge: FIFOs, read as the shards write them" {
	pktgen bench-short 500 >"$T/short.pcap"
	single "$T/short.pcap"
	for k in 0 1 2 3; do
		mkfifo "$T/f$k"
	done
	tf-merge "$T/f0" "$T/f1" "$T/f2" "$T/f3" >"$T/merged.tfs" &
	m=$!
	pids=()
	for k in 3 1 0 2; do
		tf-reassemble -q -S "$k/4" -r "$T/short.pcap" >"$T/f$k" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	wait "$m"
	norm "$T/single.tfs" >"$T/a"
	norm "$T/merged.tfs" >"$T/b"
	diff "$T/a" "$T/b"
}

@test "tf-merge: a shard missing or twice, counts mixed, not a shard's stream, a cut one" {
	pktgen basic >"$T/b.pcap"
	for k in 0 1 2; do
		tf-reassemble -S "$k/3" -r "$T/b.pcap" >"$T/sh.$k.tfs"
	done
	tf-reassemble -S 1/2 -r "$T/b.pcap" >"$T/t1.tfs"
	tf-reassemble -r "$T/b.pcap" >"$T/plain.tfs"
	run -1 --separate-stderr tf-merge "$T/sh.0.tfs" "$T/sh.1.tfs" </dev/null
	[ "$stderr" = "tf-merge: shard 2/3 is missing" ]
	[ -z "$output" ]
	run -1 --separate-stderr tf-merge "$T/sh.0.tfs" "$T/sh.1.tfs" "$T/sh.1.tfs"
	[ "$stderr" = "tf-merge: '$T/sh.1.tfs': shard 1/3 given twice" ]
	run -1 --separate-stderr tf-merge "$T/sh.0.tfs" "$T/t1.tfs" "$T/sh.2.tfs"
	[ "$stderr" = "tf-merge: '$T/t1.tfs' is shard 1/2, '$T/sh.0.tfs' of 3" ]
	run -1 --separate-stderr tf-merge "$T/plain.tfs"
	[ "$stderr" = "tf-merge: '$T/plain.tfs': not a shard's stream (no reassemble.shard annotation): make it with tf-reassemble -S K/N" ]
	run -1 --separate-stderr tf-merge "$T/b.pcap"
	[ "$stderr" = "tf-merge: '$T/b.pcap': not a tf stream at byte 0 (a packet capture: read it with tf-reassemble)" ]
	run -1 --separate-stderr tf-merge "$T/nonesuch"
	[ "$stderr" = "tf-merge: cannot open '$T/nonesuch': No such file or directory" ]
	run -2 --separate-stderr tf-merge
	[[ ${stderr} == "usage: tf-merge "* ]]
	# A shard cut short: what was read is merged, the END says cut.
	size=$(stat -c %s "$T/sh.1.tfs")
	head -c $((size - 20)) "$T/sh.1.tfs" >"$T/cut.tfs"
	run -1 --separate-stderr bash -c 'set -o pipefail; tf-merge "$1" "$2" "$3" | tf-cat -j >"$4"' x \
	    "$T/sh.0.tfs" "$T/cut.tfs" "$T/sh.2.tfs" "$T/m.json"
	# (the END of 152 bytes is the record cut)
	[ "$stderr" = "tf-merge: '$T/cut.tfs': stream cut short inside the record at byte $((size - 152))" ]
	[ "$(tail -1 "$T/m.json" | jq -c .status)" = '["cut"]' ]
	# Standard output a terminal: refused.
	run -2 --separate-stderr tf-merge - - </dev/null
	[ "$stderr" = "tf-merge: standard input given twice" ]
}

@test "-S and -W: bad arguments" {
	for bad in 3/3 1/0 x 1 1/ /2 -1/2 1/4097 "1/2 " 01/2x; do
		run -2 --separate-stderr tf-reassemble -S "$bad" -r /dev/null
		[ "$stderr" = "tf-reassemble: -S: '$bad' is not K/N with 0 <= K < N <= 4096" ]
	done
	run -2 --separate-stderr tf-reassemble -W 2 -r /dev/null
	[ "$stderr" = "tf-reassemble: -W and -w go together: -W N -w PREFIX" ]
	run -2 --separate-stderr tf-reassemble -W 2 -w p -S 0/2 -r /dev/null
	[ "$stderr" = "tf-reassemble: -W splits capture files: not with -i or -S" ]
	# The long names.
	pktgen basic >"$T/b.pcap"
	tf-reassemble --shard 0/1 -r "$T/b.pcap" | tf-cat >"$T/l1"
	grep -q '^annot 0 - reassemble.shard "0/1"' "$T/l1"
	tf-reassemble --shard=0/2 -r "$T/b.pcap" | tf-cat >"$T/l2"
	grep -q '^annot 0 - reassemble.shard "0/2"' "$T/l2"
	(cd "$T" && tf-reassemble --split 2 -w sp -r b.pcap && [ -s sp.0.pcap ] && [ -s sp.1.pcap ])
	# A file that cannot be made.
	run -1 --separate-stderr tf-reassemble -W 2 -w "$T/no/such/p" -r "$T/b.pcap"
	[[ $stderr == "tf-reassemble: -W: cannot create '$T/no/such/p.0.pcap': "* ]]
}

@test "the shard hash is the function tf-reassemble(1) documents" {
	# SipHash-1-3 under "tf shard hash 1\0", written here in Python from
	# the manual page, decides which shard takes each connection.
	pktgen bench-short 200 >"$T/short.pcap"
	pktgen vlan >"$T/vlan.pcap"
	pktgen frag6 >"$T/frag6.pcap"
	for cap in "$T/short.pcap" "$T/vlan.pcap" "$T/frag6.pcap" "$DATA/real/ipv6.pcap"; do
		for k in 0 1 2 3 4; do
			tf-reassemble -S "$k/5" -r "$cap" | tf-cat -j |
			    jq -c --arg k "$k" 'select(.kind == "open") | [($k | tonumber), .family, .src, .sport, .dst, .dport, (.vlan // [])]'
		done
	done >"$T/opens"
	[ "$(wc -l <"$T/opens")" -ge 203 ]
	python3 - "$T/opens" <<'EOF'
import ipaddress, json, struct, sys

def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xffffffffffffffff

def siphash13(key, m):
    k0, k1 = struct.unpack('<QQ', key)
    v0, v1 = k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d
    v2, v3 = k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573
    def rnd(v0, v1, v2, v3):
        v0 = (v0 + v1) & 0xffffffffffffffff; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
        v2 = (v2 + v3) & 0xffffffffffffffff; v3 = rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & 0xffffffffffffffff; v3 = rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & 0xffffffffffffffff; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
        return v0, v1, v2, v3
    n = len(m)
    m = m + b'\0' * (7 - n % 8) + bytes([n & 0xff])
    for i in range(0, len(m), 8):
        w, = struct.unpack('<Q', m[i:i + 8])
        v3 ^= w
        v0, v1, v2, v3 = rnd(v0, v1, v2, v3)
        v0 ^= w
    v2 ^= 0xff
    for _ in range(3):
        v0, v1, v2, v3 = rnd(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3

for line in open(sys.argv[1]):
    k, fam, src, sport, dst, dport, vlan = json.loads(line)
    b = bytes([fam, len(vlan)]) + b''.join(struct.pack('>H', v) for v in vlan)
    e = sorted([ipaddress.ip_address(src).packed + struct.pack('>H', sport),
                ipaddress.ip_address(dst).packed + struct.pack('>H', dport)])
    h = siphash13(b'tf shard hash 1\0', b + e[0] + e[1])
    assert h % 5 == k, (line, h % 5)
EOF
	# Both directions, any order: all five shards got some.
	[ "$(cut -c2 "$T/opens" | sort -u | wc -l)" -eq 5 ]
}
