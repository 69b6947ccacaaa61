#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make bench: tf's speed and memory, side by side with tcpflow, two
# libpcap baselines and a file-making floor, on two captures of 1500-byte
# segments:
#
#   short  100,000 short HTTP-like connections   (pktgen bench-short)
#   bulk   4 large transfers, 300 MB              (pktgen bench-bulk)
#
# or, when $BENCH_REAL/short.pcap and bulk.pcap exist, the real captures
# tests/mkbenchcap.sh records (nginx and curl on a namespace's loopback:
# 100,000 short connections; 2,000 downloads of 100 KB-50 MB, 20 at a
# time, 1.1 GB); the first lines say which captures were used.
#
# For each capture, best of $BENCH_RUNS runs (wall time; CPU time, the
# least seen; peak RSS, the largest seen), capture in page cache, output
# on tmpfs (/dev/shm), standard output /dev/null:
#
#   pcaploop FILE             a bare libpcap read loop
#   pcaploop -p FILE          the same, decoding headers and looking up the
#                             4-tuple in a hash table
#   tf-reassemble >/dev/null
#   tf-reassemble | tf-split -o DIR   (RSS: the sum of both processes)
#   TF_VMSPLICE=1 tf-reassemble | tf-split -o DIR   the same, the stream's
#                             pages handed to the pipe (tf(7), ENVIRONMENT)
#   tcpflow -S enable_report=NO -r FILE -o DIR
#   tf-reassemble < FILE | tf-http -o DIR
#   tcpflow -e http -S enable_report=NO -r FILE -o DIR
#   filefloor DIR             creates and writes the same files (names and
#                             sizes of tf-split's output), nothing else
#   filefloor -w N | filefloor -r LIST DIR
#                             the pipe floor: the same files' bytes through
#                             a pipe (write, read and write, 1 MiB pipes)
#   filefloor -v N | filefloor -s LIST DIR
#                             the same with zero-copy: vmsplice into the
#                             pipe, splice out of it into the files
#   filefloor -V N | filefloor -s LIST DIR
#                             zero-copy as a real writer must do it: each
#                             MiB in fresh pages (mapped, filled, handed
#                             over, unmapped), never written again
#   filefloor -v N | filefloor -S LIST DIR R
#                             zero-copy at tf's DATA record size R (the
#                             capture's payload bytes / DATA records): a
#                             read of each 40-byte record head, a splice of
#                             its payload, as a splicing tf-split would
#   tf-http on a stream of one connection, for the RSS floor: the least
#                             two processes need (pcaploop's RSS + this)
#
# then the ratios and PASS/MISS against the targets (time ratios: the
# median of $BENCH_RUNS pairs of runs, the two commands in turn, as issue
# 13 asks; the rows are best runs), and the pipeline's
# peak RSS on a bulk capture 4 times larger (flat in the size of a flow),
# then the hostile section: CPU time and peak RSS of each program on
# adversarial inputs against their benign twins (tf-reassemble, tf-http,
# tf-report; see hostile_section below), and the tls section: tf-tls's
# decryption against tshark's and the AEAD's own cost (tls_section).
# A MISS is reported, never an error: exit 0 unless a command fails.
#
#   sh tests/bench.sh [bindir]
#
# Environment:
#   BENCH_PCAP="a.pcap b.pcap"  measure these captures instead
#   BENCH_PCAP_SHORT, BENCH_PCAP_BULK  use this file for one of the two
#   BENCH_REAL=/dev/shm/tf-bench  where mkbenchcap.sh's captures are
#   BENCH_RUNS=5        runs per command (and pairs for the ratios)
#   BENCH_FLAT=1        0: skip the flat-RSS check
#   BENCH_FLAT_BYTES=1200000000  payload bytes of its large bulk capture
#   BENCH_SHM=/dev/shm  where captures (when made) and output go
#   BENCH_ONLY=hostile  only the hostile section (below, at its code)
#   BENCH_ONLY=shards   only the shards section (below, at its code)
#   BENCH_HOSTILE=0     without the hostile section
#   BENCH_SHARDS=0      without the shards section
#   BENCH_ONLY=tls      only the tls section (below, at its code)
#   BENCH_ONLY=h2       only the h2 section (below, at its code)
#   BENCH_H2=0          without the h2 section (tests/mkh2bulk.sh, root)
#   BENCH_H2_BYTES=100000000  the h2 section's bodies
#   BENCH_TLS=0         without the tls section
#   BENCH_PCAP_TLS, BENCH_TLS_KEYS  the tls section's capture and key log
#                       (else tests/mktlsbulk.sh makes one, as root)
#   BENCH_TLS_BYTES=200000000  its application data (with BENCH_PCAP_TLS:
#                       that capture's, for the AEAD floor)
#   BENCH_TLS_TSHARK_RUNS=1    runs of tshark there
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
runs=${BENCH_RUNS:-5}
flat=${BENCH_FLAT:-1}
flatbytes=${BENCH_FLAT_BYTES:-1200000000}
shm=${BENCH_SHM:-/dev/shm}
only=${BENCH_ONLY:-}
case $only in '' | hostile | shards | tls | h2) ;; *) echo "bench: BENCH_ONLY: 'hostile', 'shards', 'tls', 'h2' or nothing" >&2; exit 1 ;; esac
TIME=/usr/bin/time

need="tf-reassemble tf-split tf-http tf-cat pktgen pcaploop filefloor"
[ "$only" != hostile ] || need="tf-reassemble pktgen"
[ "$only" != shards ] || need="tf-reassemble tf-split tf-merge tf-report pktgen"
[ "$only" != tls ] || need="tf-reassemble"
[ "$only" != h2 ] || need="tf-reassemble tf-http"
[ "${BENCH_HOSTILE:-1}" != 1 ] && [ "$only" != hostile ] ||
    need="$need tf-http tf-report mkstream"
for p in $need; do
	[ -x "$bin/$p" ] || { echo "bench: $bin/$p missing (make bench builds it)" >&2; exit 1; }
done
[ -x "$TIME" ] || { echo "bench: GNU time ($TIME) is needed" >&2; exit 1; }
have_tcpflow=1
command -v tcpflow >/dev/null 2>&1 || have_tcpflow=0

W=$(mktemp -d "$shm/tf-bench.XXXXXX")
cleanup() { rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s%N; }
fail() { echo "bench: $*" >&2; exit 1; }

# measure NAME COMMAND: runs COMMAND (a shell string; $OUT is an empty
# output path, $TM1 and $TM2 prefixes that record a process's peak RSS and
# CPU time) $runs times; sets SECS (best wall time), CPU (user + system
# seconds of all processes, least over runs) and RSS (KiB, the largest
# over runs of the sum over processes).  Keeps the last run's output.
measure() {
	name=$1 cmd=$2
	SECS= RSS=0 CPU= CPUMAX= CPU1= CPU2=
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		rm -rf "$OUT" "$W"/rss.*
		n=0
		t0=$(now)
		( cd "$W" && eval "$cmd" ) >"$W/cmd.out" 2>"$W/cmd.err" ||
		    { cat "$W/cmd.err" >&2; fail "$name failed: $cmd"; }
		t1=$(now)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		r=$(for f in "$W"/rss.*; do tail -n 1 "$f"; done |
		    awk '{ s += $1 } END { print s + 0 }')
		u=$(for f in "$W"/rss.*; do tail -n 1 "$f"; done |
		    awk '{ s += $2 + $3 } END { printf "%.2f", s }')
		if [ -z "$CPU" ] || awk -v a="$u" -v b="$CPU" 'BEGIN { exit !(a < b) }'; then
			CPU=$u
		fi
		u=$(for f in "$W"/rss.*; do tail -n 1 "$f"; done |
		    awk '$2 + $3 > m { m = $2 + $3 } END { printf "%.2f", m }')
		if [ -z "$CPUMAX" ] || awk -v a="$u" -v b="$CPUMAX" 'BEGIN { exit !(a < b) }'; then
			CPUMAX=$u
		fi
		# Each process's CPU time (user + system), the least over runs.
		for k in 1 2; do
			[ -f "$W/rss.$k" ] || continue
			u=$(tail -n 1 "$W/rss.$k" | awk '{ printf "%.2f", $2 + $3 }')
			eval "v=\${CPU$k}"
			if [ -z "$v" ] || awk -v a="$u" -v b="$v" 'BEGIN { exit !(a < b) }'; then
				eval "CPU$k=\$u"
			fi
		done
		if [ -z "$SECS" ] || awk -v a="$s" -v b="$SECS" 'BEGIN { exit !(a < b) }'; then
			SECS=$s
		fi
		if grep -q 'exited with non-zero' "$W"/rss.*; then
			cat "$W/cmd.err" "$W"/rss.* >&2
			fail "$name failed: $cmd"
		fi
		if [ "$r" -gt "$RSS" ]; then RSS=$r; fi
	done
}

# median: the median of the numbers on standard input, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print 0
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pairmed A B: the targets' ratios, from runs interleaved in pairs (A B A
# B ..., $runs each), so that a drift of the machine's speed moves both
# sides of a pair alike.  Sets MED_A and MED_B (median wall seconds) and
# MED_R (the median of the pairs' ratios B / A).  Output as in measure.
pairmed() {
	: >"$W/pair"
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		for side in a b; do
			if [ "$side" = a ]; then cmd=$1; else cmd=$2; fi
			rm -rf "$OUT"
			t0=$(now)
			( cd "$W" && eval "$cmd" ) >"$W/cmd.out" 2>"$W/cmd.err" ||
			    { cat "$W/cmd.err" >&2; fail "failed: $cmd"; }
			t1=$(now)
			echo "$side $((t1 - t0))" >>"$W/pair"
		done
	done
	rm -rf "$OUT"
	MED_A=$(awk '$1 == "a" { print $2 / 1e9 }' "$W/pair" | median)
	MED_B=$(awk '$1 == "b" { print $2 / 1e9 }' "$W/pair" | median)
	MED_R=$(awk '$1 == "a" { a = $2 } $1 == "b" { print $2 / a }' "$W/pair" | median)
}

# The time prefix: each process in a command gets its own file.
TM1="$TIME -f '%M %U %S' -o $W/rss.1"
TM2="$TIME -f '%M %U %S' -o $W/rss.2"

# filelist DIR: "name size" lines, sorted
filelist() { (cd "$1" && find . -type f -printf '%P %s\n') | LC_ALL=C sort; }

# row LABEL: the last measure's numbers, $bytes of capture
row() {
	awk -v l="$1" -v s="$SECS" -v b="$bytes" -v r="$RSS" -v c="$CPU" 'BEGIN {
		printf "  %-40s %7.3f %8.1f %7.2f %8.1f\n", l, s, b / 1e6 / s, c,
		    r / 1024 }'
}

# verdict OK TEXT
verdict() {
	if [ "$1" = 1 ]; then v=PASS; else v=MISS; fi
	printf '  %-4s %s\n' "$v" "$2"
	echo "$v $3: $2" >>"$W/summary"
}

ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }' && echo 1 || echo 0; }

# Captures.
mkcap() {	# mkcap FILE pktgen-args...
	f=$1; shift
	echo "making $f: pktgen $*" >&2
	"$bin/pktgen" "$@" >"$f" || fail "pktgen $* failed"
}
if [ "$only" = hostile ] || [ "$only" = tls ] || [ "$only" = h2 ]; then
	caps=
elif [ -n "${BENCH_PCAP:-}" ]; then
	caps=$BENCH_PCAP
else
	short=${BENCH_PCAP_SHORT:-}
	bulk=${BENCH_PCAP_BULK:-}
	real=${BENCH_REAL:-/dev/shm/tf-bench}
	if [ -z "$short" ] && [ -r "$real/short.pcap" ]; then
		short=$real/short.pcap
	fi
	if [ -z "$bulk" ] && [ -r "$real/bulk.pcap" ]; then
		bulk=$real/bulk.pcap
	fi
	if [ -z "$short" ]; then
		short=$W/short.pcap
		mkcap "$short" bench-short 100000
	fi
	if [ -z "$bulk" ]; then
		bulk=$W/bulk.pcap
		mkcap "$bulk" bench-bulk 300000000
	fi
	caps="$short $bulk"
fi

ncpu=$(nproc 2>/dev/null || echo '?')
echo "tf bench: $(uname -sr), $ncpu CPUs, output on $shm, best of $runs runs"
for cap in $caps; do
	case $cap in
	"$W"/*) echo "  capture: pktgen $(basename "$cap" .pcap) (no real capture: tests/mkbenchcap.sh records them)" ;;
	*) echo "  capture: $cap" ;;
	esac
done
echo "  MB = 10^6 bytes of capture; wall-s: best run; cpu-s: user + system, summed"
echo "  over the processes; RSS: peak resident set (the pipeline: sum of both)"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work slows the two-process"
echo "  pipeline most: compare the CPU of its busier process, printed with the ratios)"
: >"$W/summary"

for cap in $caps; do
	[ "$only" != shards ] || break
	[ -r "$cap" ] || fail "cannot read $cap"
	cat "$cap" >/dev/null	# page cache
	bytes=$(stat -L -c %s "$cap")
	c=$(cd "$(dirname "$cap")" && pwd)/$(basename "$cap")
	tag=$(basename "$cap")
	OUT=$W/out
	echo
	awk -v n="$tag" -v b="$bytes" 'BEGIN { printf "== %s: %.1f MB\n", n, b / 1e6 }'
	printf '  %-40s %7s %8s %7s %8s\n' command wall-s MB/s cpu-s "RSS MiB"

	measure pcaploop "$TM1 '$bin/pcaploop' '$c'"
	t_loop=$SECS r_loop=$RSS
	row "pcaploop (bare libpcap loop)"
	measure "pcaploop -p" "$TM1 '$bin/pcaploop' -p '$c'"
	t_loopp=$SECS
	row "pcaploop -p (+ decode, 4-tuple lookup)"
	measure tf-reassemble "$TM1 '$bin/tf-reassemble' <'$c' >/dev/null"
	t_re=$SECS r_re=$RSS
	row "tf-reassemble > /dev/null"
	measure pipeline "$TM1 '$bin/tf-reassemble' <'$c' | $TM2 '$bin/tf-split' -o '$OUT' >/dev/null"
	t_pipe=$SECS r_pipe=$RSS c_pipemax=$CPUMAX
	row "tf-reassemble | tf-split -o DIR"
	echo "    (cpu-s per process: tf-reassemble $CPU1, tf-split $CPU2)"
	filelist "$OUT" >"$W/list.tf"
	rm -rf "$OUT"
	measure pipegift "$TM1 env TF_VMSPLICE=1 '$bin/tf-reassemble' <'$c' | $TM2 '$bin/tf-split' -o '$OUT' >/dev/null"
	row "TF_VMSPLICE=1 tf-reassemble | tf-split"
	echo "    (cpu-s per process: tf-reassemble $CPU1, tf-split $CPU2)"
	filelist "$OUT" | cmp -s - "$W/list.tf" || fail "TF_VMSPLICE=1: other files"
	nfiles=$(wc -l <"$W/list.tf")
	wbytes=$(awk '{ s += $2 } END { print s + 0 }' "$W/list.tf")
	rm -rf "$OUT"
	if [ "$have_tcpflow" = 1 ]; then
		measure tcpflow "$TM1 tcpflow -S enable_report=NO -r '$c' -o '$OUT'"
		t_tcpflow=$SECS
		row "tcpflow -S enable_report=NO -r -o DIR"
		filelist "$OUT" >"$W/list.tcpflow"
		rm -rf "$OUT"
	fi
	measure floor "$TM1 '$bin/filefloor' '$OUT' <'$W/list.tf'"
	t_floor=$SECS c_floor=$CPU
	row "floor: same files, created and written"
	rm -rf "$OUT"
	# The pipe floors (what moving the files' bytes through a pipe costs
	# any two processes), with copies and without.
	measure pipefloor "$TM1 '$bin/filefloor' -w $wbytes | $TM2 '$bin/filefloor' -r '$W/list.tf' '$OUT'"
	t_pfloor=$SECS
	row "pipe floor: write | read, write files"
	echo "    (cpu-s per process: writer $CPU1, reader $CPU2)"
	rm -rf "$OUT"
	measure zerofloor "$TM1 '$bin/filefloor' -v $wbytes | $TM2 '$bin/filefloor' -s '$W/list.tf' '$OUT'"
	t_zfloor=$SECS
	row "zero-copy: vmsplice | splice, 1 MiB"
	echo "    (cpu-s per process: writer $CPU1, reader $CPU2)"
	rm -rf "$OUT"
	measure freshfloor "$TM1 '$bin/filefloor' -V $wbytes | $TM2 '$bin/filefloor' -s '$W/list.tf' '$OUT'"
	t_ffloor=$SECS
	row "zero-copy from fresh pages, 1 MiB"
	echo "    (cpu-s per process: writer $CPU1, reader $CPU2)"
	rm -rf "$OUT"
	ndata=$("$bin/tf-reassemble" <"$c" 2>/dev/null | "$bin/tf-cat" -s |
	    sed -n 's/^records\.data=//p')
	[ "${ndata:-0}" -gt 0 ] || fail "tf-cat -s: no DATA records"
	rsize=$(( (wbytes + ndata - 1) / ndata ))
	zbytes=$(awk -v r="$rsize" '{ s += $2 + 40 * int(($2 + r - 1) / r) } END { printf "%d", s }' "$W/list.tf")
	measure recfloor "$TM1 '$bin/filefloor' -v $zbytes | $TM2 '$bin/filefloor' -S '$W/list.tf' '$OUT' $rsize"
	t_rfloor=$SECS
	row "zero-copy per record: read head, splice"
	echo "    ($ndata DATA records of $rsize bytes on average; cpu-s: writer $CPU1, reader $CPU2)"
	rm -rf "$OUT"
	measure http "$TM1 '$bin/tf-reassemble' <'$c' | $TM2 '$bin/tf-http' -o '$OUT' >/dev/null"
	t_http=$SECS r_http=$RSS
	row "tf-reassemble | tf-http -o DIR"
	echo "    (cpu-s per process: tf-reassemble $CPU1, tf-http $CPU2)"
	nb_tf=$(find "$OUT" -type f | wc -l)
	rm -rf "$OUT"
	# tf-http's RSS on a stream of one connection: its floor.
	[ -f "$W/one.tf" ] || "$bin/tf-reassemble" <"$top/tests/data/real/http.pcap" >"$W/one.tf" 2>/dev/null ||
	    fail "tf-reassemble tests/data/real/http.pcap failed"
	measure http1 "$TM1 '$bin/tf-http' -o '$OUT' <'$W/one.tf' >/dev/null"
	r_http1=$RSS
	rm -rf "$OUT"
	if [ "$have_tcpflow" = 1 ]; then
		measure tcpflowhttp "$TM1 tcpflow -e http -S enable_report=NO -r '$c' -o '$OUT'"
		t_tch=$SECS r_tch=$RSS
		row "tcpflow -e http -S enable_report=NO"
		nb_tc=$(find "$OUT" -type f -name '*-HTTPBODY-*' | wc -l)
		rm -rf "$OUT"
	fi

	awk -v n="$nfiles" -v b="$wbytes" 'BEGIN {
		printf "  tf-split wrote %d files, %.1f MB\n", n, b / 1e6 }'
	if [ "$have_tcpflow" = 1 ]; then
		if cmp -s "$W/list.tf" "$W/list.tcpflow"; then
			echo "  tcpflow wrote the same names and sizes"
		else
			echo "  tcpflow's names or sizes differ: $(wc -l <"$W/list.tcpflow") files, first differences:"
			diff "$W/list.tf" "$W/list.tcpflow" | head -4 | sed 's/^/    /'
		fi
	fi
	echo "  ratios and targets (medians of $runs runs interleaved in pairs; the rows above: best runs):"
	split_cmd="'$bin/tf-reassemble' <'$c' | '$bin/tf-split' -o '$OUT' >/dev/null"
	pairmed "$split_cmd" "'$bin/filefloor' '$OUT' <'$W/list.tf' >/dev/null"
	x=$(awk -v r="$MED_R" 'BEGIN { printf "%.2f", 1 / r }')
	verdict "$(ge 1.3 "$x")" "pipeline time / floor time = ${x}x (target <= 1.3x)" "$tag"
	awk -v a="$MED_A" -v b="$MED_B" 'BEGIN { printf "       (medians: pipeline %.3f s, floor %.3f s)\n", a, b }'
	awk -v p="$t_pfloor" -v z="$t_zfloor" -v r="$t_rfloor" -v f="$t_floor" -v t="$t_pipe" -v n="$t_ffloor" 'BEGIN {
		printf "       (bounds, / the floor: pipe floor %.2fx, zero-copy %.2fx, in fresh pages\n", p / f, z / f
		printf "        %.2fx, per record %.2fx; the pipeline / the pipe floor = %.2fx)\n", n / f, r / f, t / p }'
	pairmed "$split_cmd" "TF_VMSPLICE=1 $split_cmd"
	awk -v a="$MED_A" -v b="$MED_B" -v r="$MED_R" 'BEGIN { printf "       (TF_VMSPLICE=1 / copying = %.2fx: medians %.3f s, %.3f s)\n", r, b, a }'
	awk -v a="$c_pipemax" -v b="$c_floor" 'BEGIN { printf "       (CPU of the pipeline'"'"'s busier process / the floor'"'"'s = %.2f s / %.2f s = %.2fx:\n        the wall-time ratio with two idle cores)\n", a, b, a / b }'
	if [ "$have_tcpflow" = 1 ]; then
		pairmed "$split_cmd" "tcpflow -S enable_report=NO -r '$c' -o '$OUT'"
		x=$(awk -v r="$MED_R" 'BEGIN { printf "%.2f", r }')
		verdict "$(ge "$x" 1.3)" "pipeline throughput / tcpflow's = ${x}x (target >= 1.3x)" "$tag"
		awk -v a="$MED_A" -v b="$MED_B" 'BEGIN { printf "       (medians: pipeline %.3f s, tcpflow %.3f s)\n", a, b }'
	fi
	if [ "$have_tcpflow" = 1 ]; then
		echo "       (HTTP bodies: tf-http $nb_tf, tcpflow $nb_tc)"
		pairmed "'$bin/tf-reassemble' <'$c' | '$bin/tf-http' -o '$OUT' >/dev/null" \
		    "tcpflow -e http -S enable_report=NO -r '$c' -o '$OUT'"
		x=$(awk -v r="$MED_R" 'BEGIN { printf "%.2f", r }')
		verdict "$(ge "$x" 3)" "tf-http pipeline throughput / tcpflow -e http's = ${x}x (target >= 3x)" "$tag"
		awk -v a="$MED_A" -v b="$MED_B" 'BEGIN { printf "       (medians: tf-http pipeline %.3f s, tcpflow -e http %.3f s)\n", a, b }'
		x=$(awk -v a="$r_http" -v b="$r_tch" 'BEGIN { printf "%.3f", a / b }')
		verdict "$(ge 0.125 "$x")" "tf-http pipeline peak RSS / tcpflow -e http's = ${x} (target <= 1/8 = 0.125)" "$tag"
		awk -v l="$r_loop" -v h="$r_http1" -v t="$r_tch" -v p="$r_http" 'BEGIN {
			printf "       (its floor: pcaploop %.1f MiB + tf-http on one connection %.1f MiB\n", l / 1024, h / 1024
			printf "        = %.3f of tcpflow'"'"'s %.1f MiB; the pipeline uses %.1f MiB above it)\n", (l + h) / t, t / 1024, (p - l - h) / 1024 }'
	fi
	x=$(awk -v a="$t_loopp" -v b="$t_re" 'BEGIN { printf "%.2f", a / b }')
	verdict "$(ge "$x" 0.5)" "tf-reassemble throughput / pcaploop -p's = ${x}x (target >= 0.5x)" "$tag"
	x=$(awk -v a="$t_loop" -v b="$t_re" 'BEGIN { printf "%.2f", a / b }')
	echo "       (tf-reassemble throughput / bare loop's = ${x}x; its RSS $((r_re / 1024)) MiB)"
	x=$(awk -v r="$r_pipe" 'BEGIN { printf "%.1f", r / 1024 }')
	verdict "$(ge 32768 "$r_pipe")" "pipeline peak RSS = $x MiB (target <= 32 MiB)" "$tag"
done

if [ "$flat" = 1 ] && [ -z "${BENCH_PCAP:-}" ] && [ -z "$only" ]; then
	echo
	echo "== flat in the size of a flow: pipeline peak RSS, 4 connections"
	OUT=$W/out
	rsslist=
	for b in 300000000 "$flatbytes"; do
		if [ "$b" = 300000000 ] && [ "$bulk" = "$W/bulk.pcap" ]; then
			f=$bulk
		elif [ "$b" = 300000000 ]; then
			# A real capture is not 4 connections: the pktgen one.
			f=$W/bulk.pcap
			mkcap "$f" bench-bulk 300000000
			cat "$f" >/dev/null
		else
			f=$W/bulk-big.pcap
			mkcap "$f" bench-bulk "$b"
			cat "$f" >/dev/null
		fi
		measure pipeline "$TM1 '$bin/tf-reassemble' <'$f' | $TM2 '$bin/tf-split' -o '$OUT' >/dev/null"
		rm -rf "$OUT"
		bytes=$(stat -L -c %s "$f")
		if [ "$f" = "$W/bulk.pcap" ] || [ "$f" = "$W/bulk-big.pcap" ]; then
			row "$(awk -v b="$b" 'BEGIN { printf "bulk, %d MB payload", b / 1e6 }')"
		else
			row "$(basename "$f") (BENCH_PCAP_BULK)"
		fi
		rsslist="$rsslist $RSS"
		if [ "$f" = "$W/bulk-big.pcap" ]; then rm -f "$f"; fi
	done
	set -- $rsslist
	ok=$(awk -v a="$1" -v b="$2" 'BEGIN { print (b <= a * 1.10 + 1024) ? 1 : 0 }')
	verdict "$ok" "peak RSS $(( $1 / 1024 )) MiB at 300 MB, $(( $2 / 1024 )) MiB at $((flatbytes / 1000000)) MB (target: flat, within 10% + 1 MiB)" flat
fi

# The hostile section: for each class of input that can buy a program time
# or memory (issue 11), the adversarial input against its benign twin of
# the same size and shape, made by pktgen and mkstream (their hostile-* and
# benign-* modes say what each holds).  Each program reads its input from
# a file; CPU time (user + system, to the millisecond) and peak RSS are
# the medians of $runs runs; a run over $hslow s of CPU is not repeated
# ("*"), and one over $htimeout s of CPU is stopped (">": at least that
# much, whatever the load).  Target: hostile CPU at most 3x the benign
# twin's, and the hostile peak RSS within the program's documented caps,
# where the documentation gives them in bytes:
#
#   hash, tomb  72 MiB: README's RSS at tf-reassemble's -C (131072)
#   ooo         32 MiB + -b (4 MiB)
#   frag        32 MiB + the fragments' 16 MiB
#   gap, coding 32 MiB: nothing held per byte or per message
#   zstdwin     32 MiB + 8 bodies x 8 MiB (tf-http -w 23)
#
# 32 MiB is the pipeline's own target above.  "-": no cap in bytes is
# documented (only counts: connections, messages).
#
#   BENCH_ONLY=hostile       run this section alone (make bench-hostile)
#   BENCH_HOSTILE=0          skip it
#   BENCH_HOSTILE_TIMEOUT=30 CPU seconds before a run is stopped
#   BENCH_HOSTILE_SLOW=5     CPU seconds after which a command runs once
#   BENCH_HOSTILE_CLASSES="hash ooo ..."  only these classes
#
# Each row starts with the item of issue 11 it measures: 1 hash, tomb,
# connnum (hash tables); 2 ooo; 3 gap; 4 uri; 5 frag; 6 coding; 7 zstdwin;
# 8 state; 9 pending, kept; 10 opens, orphans.
hostile_section() {
	htimeout=${BENCH_HOSTILE_TIMEOUT:-30}
	hslow=${BENCH_HOSTILE_SLOW:-5}
	hclasses=${BENCH_HOSTILE_CLASSES:-"hash tomb connnum ooo gap uri frag coding zstdwin state pending kept opens orphans"}
	command -v bash >/dev/null 2>&1 || fail "the hostile section needs bash"
	# One run: CPU of the process tree to the ms (bash's time), peak RSS
	# and exit status (GNU time), stopped after $htimeout s of CPU
	# (SIGXCPU, then SIGKILL).
	cat >"$W/hrun.bash" <<-'EOS'
	dir=$1 in=$2 to=$3 out=$4
	shift 4
	cd "$dir" || exit 1
	TIMEFORMAT='%3U %3S'
	{ time (ulimit -S -t "$to" && ulimit -H -t "$((to + 5))" &&
	    /usr/bin/time -f '%M %x' -o "$out.time" "$@" <"$in" \
	    >/dev/null 2>"$out.err"); } 2>"$out.cpu"
	exit 0
	EOS
	echo
	echo "== hostile input: each adversarial input against its benign twin (median of $runs runs)"
	echo "  CPU: user + system seconds; RSS: peak, MiB; cap: documented, MiB (see tests/bench.sh)"
	printf '  %-10s %-14s %8s %9s %8s %8s %8s %5s  %s\n' class program \
	    "benign-s" "hostile-s" ratio "benign" "hostile" cap verdict
	for hc in $hclasses; do
		hostile_class "$hc"
	done
}

# hmeasure IN CMD...: $runs runs of CMD < IN in an empty directory; sets
# HCPU (seconds, median), HRSS (KiB, median) and HMARK ("" or ">" if a
# run was killed, "*" if run once for being slow).
hmeasure() {
	hin=$1
	shift
	: >"$W/h.cpus"
	: >"$W/h.rsss"
	HMARK=
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		rm -rf "$W/hout" "$W"/h.run.*
		mkdir "$W/hout"
		bash "$W/hrun.bash" "$W/hout" "$hin" "$htimeout" "$W/h.run" "$@"
		# GNU time's last line: a first one tells a non-zero status.
		hr=$(tail -n 1 "$W/h.run.time" | cut -d' ' -f1)
		hx=$(tail -n 1 "$W/h.run.time" | cut -d' ' -f2)
		awk '{ printf "%.3f\n", $1 + $2 }' "$W/h.run.cpu" >>"$W/h.cpus"
		echo "$hr" >>"$W/h.rsss"
		hs=$(sed -n 's/^Command terminated by signal //p' "$W/h.run.time")
		case $hs in
		'') ;;
		9 | 24)
			HMARK='>'
			break
			;;
		*)
			cat "$W/h.run.err" >&2
			fail "hostile: signal $hs: $* < $hin"
			;;
		esac
		case $hx in
		0 | 1) ;;
		*)
			cat "$W/h.run.err" >&2
			fail "hostile: exit status ${hx:-?}: $* < $hin"
			;;
		esac
		if awk -v c="$(tail -n 1 "$W/h.cpus")" -v s="$hslow" 'BEGIN { exit !(c > s) }'; then
			[ "$i" -lt "$runs" ] && HMARK='*'
			break
		fi
	done
	HCPU=$(sort -n "$W/h.cpus" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	HRSS=$(sort -n "$W/h.rsss" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
}

# hrow CLASS LABEL CAP KIND CMD...: measures CMD on the benign and the
# hostile input of CLASS ($W/benign-CLASS.KIND, $W/hostile-CLASS.KIND) and
# prints the row.  CAP is MiB or "-".
hrow() {
	hc=$1 hl=$2 hcap=$3 hk=$4
	shift 4
	hmeasure "$W/benign-$hc.$hk" "$@"
	bc=$HCPU br=$HRSS bm=$HMARK
	hmeasure "$W/hostile-$hc.$hk" "$@"
	xc=$HCPU xr=$HRSS xm=$HMARK
	awk -v c="$hc" -v l="$hl" -v bc="$bc" -v br="$br" -v bm="$bm" \
	    -v xc="$xc" -v xr="$xr" -v xm="$xm" -v cap="$hcap" \
	    -v sum="$W/summary" 'BEGIN {
		r = xc / (bc > 0.005 ? bc : 0.005)
		ok = r <= 3 && xm != ">"
		if (cap != "-" && xr / 1024 > cap)
			ok = 0
		v = ok ? "PASS" : "MISS"
		# The item of issue 11 each class comes from.
		split("hash 1 tomb 1 connnum 1 ooo 2 gap 3 uri 4 frag 5 " \
		    "coding 6 zstdwin 7 state 8 pending 9 kept 9 opens 10 " \
		    "orphans 10", t, " ")
		for (k = 1; k < 29; k += 2)
			item[t[k]] = t[k + 1]
		printf "  %-10s %-14s %8s %9s %7.1fx %8.1f %8.1f %5s  %s\n",
		    item[c] " " c, l,
		    bm sprintf("%.3f", bc), xm sprintf("%.3f", xc),
		    r, br / 1024, xr / 1024, cap, v
		printf "%s hostile %s: %s: CPU %s%.3f s vs %s%.3f s = %.1fx (target <= 3x); peak RSS %.1f MiB (cap %s)\n",
		    v, c, l, xm, xc, bm, bc, r, xr / 1024,
		    cap == "-" ? "not documented" : cap " MiB" >>sum
	}'
}

# hcap CLASS COUNT / hstream CLASS COUNT: both inputs of CLASS, made by
# pktgen (captures) or mkstream (streams).
hcap() {
	for hk in benign hostile; do
		"$bin/pktgen" "$hk-$1" "$2" >"$W/$hk-$1.pcap" ||
		    fail "pktgen $hk-$1 $2 failed"
	done
	hsizes "$1" pcap "pktgen $1 $2"
}
hstream() {
	for hk in benign hostile; do
		"$bin/mkstream" "$hk-$1" "$2" >"$W/$hk-$1.tfs" ||
		    fail "mkstream $hk-$1 $2 failed"
	done
	hsizes "$1" tfs "mkstream $1 $2"
}
hsizes() {
	awk -v t="$3" -v b="$(stat -c %s "$W/benign-$1.$2")" \
	    -v h="$(stat -c %s "$W/hostile-$1.$2")" 'BEGIN {
		printf "  (%s: benign %.1f MB, hostile %.1f MB)\n", t, b / 1e6, h / 1e6 }' >>"$W/hsizes"
}

hostile_class() {
	case $1 in
	hash) hcap hash 4096 && hrow hash tf-reassemble 72 pcap "$bin/tf-reassemble" ;;
	tomb) hcap tomb 1024 && hrow tomb tf-reassemble 72 pcap "$bin/tf-reassemble" ;;
	connnum)
		hstream connnum 50000
		hrow connnum tf-http - tfs "$bin/tf-http" -o out
		hrow connnum tf-report - tfs "$bin/tf-report" -j
		;;
	ooo) hcap ooo 200000 && hrow ooo tf-reassemble 36 pcap "$bin/tf-reassemble" ;;
	gap)
		hcap gap 16000000
		for hk in benign hostile; do
			"$bin/tf-reassemble" -q <"$W/$hk-gap.pcap" >"$W/$hk-gap.tfs" ||
			    fail "tf-reassemble < $hk-gap.pcap failed"
		done
		hrow gap tf-report 32 tfs "$bin/tf-report" -j
		;;
	uri) hstream uri 100000 && hrow uri tf-report - tfs "$bin/tf-report" -j ;;
	frag) hcap frag 300000 && hrow frag tf-reassemble 48 pcap "$bin/tf-reassemble" -q ;;
	coding) hstream coding 100000 && hrow coding tf-http 32 tfs "$bin/tf-http" -o out ;;
	zstdwin) hstream zstdwin 16 && hrow zstdwin tf-http 96 tfs "$bin/tf-http" -q -o out ;;
	state) hstream state 20000 && hrow state tf-http - tfs "$bin/tf-http" -q -o out ;;
	pending) hstream pending 500000 && hrow pending "tf-http -j" - tfs "$bin/tf-http" -j -o out ;;
	kept) hstream kept 50000 && hrow kept tf-report - tfs "$bin/tf-report" -j ;;
	opens)
		hstream opens 500000
		hrow opens tf-http - tfs "$bin/tf-http" -o out
		hrow opens tf-report - tfs "$bin/tf-report" -j
		;;
	orphans)
		hstream orphans 1000000
		hrow orphans tf-http - tfs "$bin/tf-http" -o out
		hrow orphans tf-report - tfs "$bin/tf-report" -j
		;;
	*) fail "hostile: unknown class '$1'" ;;
	esac
	rm -f "$W"/benign-"$1".* "$W"/hostile-"$1".*
}

# The shards section: N shards (tf-reassemble -S k/N, each with its own
# tf-split and directory) against one process, on each capture, for N = 1,
# 2 and the number of CPUs:
#   split   the shards' pipelines alone, each to its own directory
#   whole   the whole run: the shards, tf-merge reading them from FIFOs,
#           tf-report of the merged stream (digests of every byte)
# against tf-reassemble | tf-split (split) and tf-reassemble | tf-split |
# tf-report (whole) in one pipeline.  Every shard reads every packet:
# T_read, the CPU time of that reading, is measured as tf-reassemble
# -S 0/4096 (a shard with almost nothing to do), and T_work = the one
# pipeline's wall time - T_read; the speed-up N shards can give is
# (T_read + T_work) / (T_read + T_work / N), projected for 16 and 64.
# Target (issue 14): split, N = 2, at least 1.4x one pipeline on the
# short-connection capture.
shards_run() {	# shards_run N CAP DIR WHOLE: the shards' command line
	printf "bash '%s' '%s' '%s' %s '%s' %s" "$top/tests/shards.sh" "$bin" "$2" "$1" "$3" "$4"
}

shards_section() {
	echo
	echo "== shards: N processes of tf-reassemble -S k/N, wall-s (best of $runs), speed-up"
	for cap in $caps; do
		[ -r "$cap" ] || fail "cannot read $cap"
		cat "$cap" >/dev/null
		bytes=$(stat -L -c %s "$cap")
		c=$(cd "$(dirname "$cap")" && pwd)/$(basename "$cap")
		tag=$(basename "$cap")
		OUT=$W/out
		awk -v n="$tag" -v b="$bytes" 'BEGIN { printf "  %s, %.1f MB:\n", n, b / 1e6 }'
		measure read "$TM1 '$bin/tf-reassemble' -q -S 0/4096 -r '$c' >/dev/null"
		t_read=$CPU
		measure one "$TM1 '$bin/tf-reassemble' -q -r '$c' | $TM2 '$bin/tf-split' -q -o '$OUT' >/dev/null"
		t_one=$SECS
		rm -rf "$OUT"
		measure onewhole "$TM1 '$bin/tf-reassemble' -q -r '$c' | $TM2 '$bin/tf-split' -q -o '$OUT' | '$bin/tf-report' >'$W/report.xml'"
		t_onew=$SECS
		rm -rf "$OUT"
		printf '    %-34s %7.3f\n' "one pipeline, split" "$t_one"
		printf '    %-34s %7.3f\n' "one pipeline, whole (+ tf-report)" "$t_onew"
		for nsh in $(printf '%s\n' 1 2 "$ncpu" | sort -nu); do
			measure "shards $nsh" "$TM1 $(shards_run "$nsh" "$c" "$OUT" split)"
			t_n=$SECS
			rm -rf "$OUT"
			measure "shards $nsh whole" "$TM1 $(shards_run "$nsh" "$c" "$OUT" whole)"
			t_nw=$SECS
			rm -rf "$OUT"
			awk -v n="$nsh" -v a="$t_n" -v b="$t_one" -v c="$t_nw" -v d="$t_onew" 'BEGIN {
				printf "    N=%-3d split %7.3f s = %.2fx, whole %7.3f s = %.2fx\n", n, a, b / a, c, d / c }'
			if [ "$nsh" = 2 ] && [ "$cap" = "${short:-}" ]; then
				x=$(awk -v a="$t_n" -v b="$t_one" 'BEGIN { printf "%.2f", b / a }')
				verdict "$(ge "$x" 1.4)" "2 shards / one pipeline (split, short connections) = ${x}x (target >= 1.4x)" "$tag"
			fi
		done
		awk -v r="$t_read" -v o="$t_one" 'BEGIN {
			w = o - r; if (w < 0) w = 0
			printf "    T_read %.2f s (CPU of reading every packet), T_work %.2f s: projected speed-up\n", r, w
			printf "      %d cores %.1fx, 16 cores %.1fx, 64 cores %.1fx\n", 2, (r + w) / (r + w / 2), (r + w) / (r + w / 16), (r + w) / (r + w / 64) }'
	done
}

if [ "$only" = shards ] || { [ -z "$only" ] && [ "${BENCH_SHARDS:-1}" = 1 ]; }; then
	shards_section
fi

# The tls section: tf-tls's decryption against tshark's, on one TLS 1.3
# TLS_AES_128_GCM_SHA256 connection carrying $BENCH_TLS_BYTES (200 MB) of
# application data in full records (tests/mktlsbulk.sh makes it, as root,
# in a network namespace; or BENCH_PCAP_TLS and BENCH_TLS_KEYS give one):
#   tf-tls        tf-tls -k KEYS < STREAM > /dev/null, STREAM being
#                 tf-reassemble's output, made beforehand: decryption alone
#   pipeline      tf-reassemble -q -r CAP | tf-tls -k KEYS > /dev/null
#   tshark        tshark -o tcp.reassemble_out_of_order:TRUE
#                 -o tls.keylog_file:KEYS -r CAP -q
#                 -z follow,tls,raw,0: the issue's command (segments a
#                 namespace's loopback captures out of order, which tshark
#                 does not reassemble unless told to: it then printed
#                 2.5 MB of 20 MB, tf-tls all of it); the capture is
#                 one connection, so stream 0 is every record, and follow
#                 prints all of its plaintext (hex), as tf-tls writes it
#                 (tshark -T fields -e tls.app_data would print the
#                 ciphertext); run $BENCH_TLS_TSHARK_RUNS times (1: slow).
#                 The plaintext bytes it printed are counted and shown.
#   AEAD floor    openssl speed -evp aes-128-gcm -bytes 16384: the bytes/s
#                 of the cipher alone; the floor for the capture is its
#                 plaintext bytes at that rate.
# Targets (issue 15): the pipeline at least 10x tshark (wall time), and
# tf-tls's CPU time within 2x of the AEAD floor.  Skipped, saying why,
# when $bin has no tf-tls, or a capture cannot be made (not root).
#   BENCH_ONLY=tls  this section alone (make bench-tls)
#   BENCH_TLS=0     skip it
tls_section() {
	echo
	echo "== tls: decryption, TLS 1.3 AES-128-GCM, one connection"
	if [ ! -x "$bin/tf-tls" ]; then
		echo "  skipped: $bin/tf-tls is not built"
		return 0
	fi
	tcap=${BENCH_PCAP_TLS:-}
	tkeys=${BENCH_TLS_KEYS:-}
	tbytes=${BENCH_TLS_BYTES:-200000000}
	if [ -n "$tcap" ]; then
		[ -r "$tcap" ] && [ -r "$tkeys" ] ||
		    fail "BENCH_PCAP_TLS needs BENCH_TLS_KEYS, both readable"
		# Its application data: unknown unless given.
		tbytes=${BENCH_TLS_BYTES:-}
	elif [ "$(id -u)" != 0 ]; then
		echo "  skipped: making the capture needs root (or give BENCH_PCAP_TLS and BENCH_TLS_KEYS)"
		return 0
	else
		tcap=$W/tls.pcap tkeys=$W/tls.keys
		echo "making $tcap: tests/mktlsbulk.sh, $tbytes bytes" >&2
		bash "$top/tests/mktlsbulk.sh" "$tcap" "$tkeys" "$tbytes" ||
		    fail "tests/mktlsbulk.sh failed"
	fi
	cat "$tcap" >/dev/null
	bytes=$(stat -L -c %s "$tcap")
	OUT=$W/out
	"$bin/tf-reassemble" -q -r "$tcap" >"$W/tls.tfs" ||
	    fail "tf-reassemble failed on $tcap"
	awk -v b="$bytes" -v p="$tbytes" 'BEGIN {
		printf "  %.1f MB of capture", b / 1e6
		if (p != "") printf ", %.1f MB of application data", p / 1e6
		printf "\n" }'
	printf '  %-40s %7s %8s %7s %8s\n' command wall-s MB/s cpu-s "RSS MiB"
	measure tf-tls "$TM1 '$bin/tf-tls' -k '$tkeys' <'$W/tls.tfs' >/dev/null"
	t_tls=$SECS c_tls=$CPU
	row "tf-tls (stream in a file)"
	measure "tls pipeline" "$TM1 '$bin/tf-reassemble' -q -r '$tcap' | $TM2 '$bin/tf-tls' -k '$tkeys' >/dev/null"
	t_pipe=$SECS
	row "tf-reassemble | tf-tls"
	# The bound of any filter after tf-reassemble: the pipe alone.
	measure "tls pipe" "$TM1 '$bin/tf-reassemble' -q -r '$tcap' | $TM2 cat >/dev/null"
	t_cat=$SECS
	row "tf-reassemble | cat (the pipe's bound)"
	rm -f "$W/tls.tfs"
	if command -v tshark >/dev/null 2>&1; then
		runs0=$runs
		runs=${BENCH_TLS_TSHARK_RUNS:-1}
		measure tshark "$TM1 tshark -o tcp.reassemble_out_of_order:TRUE -o 'tls.keylog_file:$tkeys' -r '$tcap' -q -z follow,tls,raw,0 >'$W/tshark.out'"
		runs=$runs0
		t_sh=$SECS
		row "tshark -z follow,tls,raw,0"
		got=$(sed -n '7,$p' "$W/tshark.out" | grep -v '^===' | tr -d '\t\n' | wc -c)
		rm -f "$W/tshark.out"
		echo "    (tshark printed $((got / 2)) bytes of plaintext, both directions)"
		if [ -n "$tbytes" ] && [ $((got / 2)) -lt "$tbytes" ]; then
			echo "    (fewer than the $tbytes bytes of application data: tshark did not decrypt them all)"
		fi
		x=$(awk -v a="$t_sh" -v b="$t_pipe" 'BEGIN { printf "%.1f", a / b }')
		verdict "$(ge "$x" 10)" "tshark / (tf-reassemble | tf-tls), wall = ${x}x (target >= 10x)" tls
		awk -v a="$t_sh" -v c="$t_cat" -v t="$t_tls" 'BEGIN {
			printf "       (bounds: tshark / (tf-reassemble | cat) = %.1fx, what a filter costing\n", a / c
			printf "        nothing would reach; tshark / tf-tls on the stream in a file = %.1fx)\n", a / t }'
	else
		echo "  (no tshark: its comparison skipped)"
	fi
	rate=$(openssl speed -evp aes-128-gcm -bytes 16384 -seconds 3 2>/dev/null |
	    awk 'toupper($1) == "AES-128-GCM" { v = $NF; sub(/k$/, "", v); print v * 1000 }')
	if [ -n "$rate" ] && [ -n "$tbytes" ]; then
		awk -v r="$rate" -v p="$tbytes" 'BEGIN {
			printf "  AEAD floor: openssl speed -evp aes-128-gcm, 16384-byte blocks: %.1f MB/s = %.3f s for the plaintext\n", r / 1e6, p / r }'
		x=$(awk -v r="$rate" -v p="$tbytes" -v c="$c_tls" 'BEGIN { printf "%.1f", c / (p / r) }')
		verdict "$(ge 2 "$x")" "tf-tls CPU / AEAD floor = ${x}x (target <= 2x)" tls
	else
		echo "  AEAD floor: not measured (openssl speed failed, or the capture's plaintext size is unknown)"
	fi
}

# The h2 section: tf-http on an h2c bulk capture (tests/mkh2bulk.sh, as
# root, in a network namespace: nghttp fetching 10 files of
# $BENCH_H2_BYTES/10 bytes (100 MB in all) on 10 concurrent streams of one
# connection from nghttpd), against tshark --export-objects http on the
# same capture (tshark 4.0 dissects the HTTP/2 but exports no HTTP/2
# objects: the files each wrote are counted and shown; with
# tcp.reassemble_out_of_order, as loopback captures reorder segments).
# Every body tf-http wrote is checked against the files served.  Skipped,
# saying why, when not root or a tool is missing.
#   BENCH_H2=0      skip it
h2_section() {
	echo
	echo "== h2: HTTP/2 bodies, one h2c connection, 10 concurrent streams"
	if [ "$(id -u)" != 0 ]; then
		echo "  skipped: making the capture needs root"
		return 0
	fi
	for t in tcpdump nghttp nghttpd; do
		command -v "$t" >/dev/null 2>&1 && continue
		echo "  skipped: no $t"
		return 0
	done
	hcap=$W/h2.pcap
	hbytes=${BENCH_H2_BYTES:-100000000}
	echo "making $hcap: tests/mkh2bulk.sh, $hbytes bytes" >&2
	bash "$top/tests/mkh2bulk.sh" "$hcap" "$hbytes" ||
	    fail "tests/mkh2bulk.sh failed"
	bytes=$(stat -L -c %s "$hcap")
	OUT=$W/out
	awk -v b="$bytes" 'BEGIN { printf "  %.1f MB of capture\n", b / 1e6 }'
	printf '  %-40s %7s %8s %7s %8s\n' command wall-s MB/s cpu-s "RSS MiB"
	measure "h2 pipeline" "$TM1 '$bin/tf-reassemble' -q -r '$hcap' | $TM2 '$bin/tf-http' -o '$OUT' >/dev/null"
	t_tf=$SECS
	row "tf-reassemble | tf-http -o"
	for f in "$hcap.files"/*; do md5sum <"$f"; done | sort >"$W/h2.want"
	for f in "$OUT"/*; do md5sum <"$f"; done | sort >"$W/h2.got"
	if cmp -s "$W/h2.want" "$W/h2.got"; then
		echo "    (tf-http wrote $(ls "$OUT" | wc -l) files, every one as served)"
	else
		echo "    (tf-http's files are NOT those served)"
	fi
	if command -v tshark >/dev/null 2>&1; then
		measure tshark "mkdir -p '$OUT' && $TM1 tshark -o tcp.reassemble_out_of_order:TRUE -r '$hcap' -d tcp.port==8080,http2 -q --export-objects 'http,$OUT' >/dev/null"
		t_sh=$SECS
		row "tshark --export-objects http"
		echo "    (tshark wrote $(ls "$OUT" | wc -l) files)"
		x=$(awk -v a="$t_sh" -v b="$t_tf" 'BEGIN { printf "%.1f", a / b }')
		verdict "$(ge "$x" 1)" "tshark / (tf-reassemble | tf-http), wall = ${x}x (target >= 1x)" h2
	else
		echo "  (no tshark: its comparison skipped)"
	fi
	rm -rf "$hcap" "$hcap.files" "$OUT" "$W/h2.want" "$W/h2.got"
}

if [ "$only" = h2 ] || { [ -z "$only" ] && [ "${BENCH_H2:-1}" = 1 ]; }; then
	h2_section
fi

if [ "$only" = tls ] || { [ -z "$only" ] && [ "${BENCH_TLS:-1}" = 1 ]; }; then
	tls_section
fi

if [ "$only" = hostile ] || { [ -z "$only" ] && [ "${BENCH_HOSTILE:-1}" = 1 ]; }; then
	: >"$W/hsizes"
	hostile_section
	echo "  inputs:"
	cat "$W/hsizes"
fi

echo
echo "== summary (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
sed 's/^/  /' "$W/summary"
exit 0
