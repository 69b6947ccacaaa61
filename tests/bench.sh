#!/bin/sh
# make bench: tf's speed and memory, side by side with tcpflow, two
# libpcap baselines and a file-making floor, on two captures of 1500-byte
# segments:
#
#   short  100,000 short HTTP-like connections   (pktgen bench-short)
#   bulk   4 large transfers, 300 MB              (pktgen bench-bulk)
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
#   tcpflow -S enable_report=NO -r FILE -o DIR
#   tf-reassemble < FILE | tf-http -o DIR
#   tcpflow -e http -S enable_report=NO -r FILE -o DIR
#   filefloor DIR             creates and writes the same files (names and
#                             sizes of tf-split's output), nothing else
#
# then the ratios and PASS/MISS against the targets, and the pipeline's
# peak RSS on a bulk capture 4 times larger (flat in the size of a flow).
# A MISS is reported, never an error: exit 0 unless a command fails.
#
#   sh tests/bench.sh [bindir]
#
# Environment:
#   BENCH_PCAP="a.pcap b.pcap"  measure these captures instead
#   BENCH_PCAP_SHORT, BENCH_PCAP_BULK  use this file for one of the two
#   BENCH_RUNS=3        runs per command
#   BENCH_FLAT=1        0: skip the flat-RSS check
#   BENCH_FLAT_BYTES=1200000000  payload bytes of its large bulk capture
#   BENCH_SHM=/dev/shm  where captures (when made) and output go
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
runs=${BENCH_RUNS:-3}
flat=${BENCH_FLAT:-1}
flatbytes=${BENCH_FLAT_BYTES:-1200000000}
shm=${BENCH_SHM:-/dev/shm}
TIME=/usr/bin/time

for p in tf-reassemble tf-split pktgen pcaploop filefloor; do
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
	SECS= RSS=0 CPU= CPUMAX=
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
if [ -n "${BENCH_PCAP:-}" ]; then
	caps=$BENCH_PCAP
else
	short=${BENCH_PCAP_SHORT:-}
	bulk=${BENCH_PCAP_BULK:-}
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
echo "  MB = 10^6 bytes of capture; wall-s: best run; cpu-s: user + system, summed"
echo "  over the processes; RSS: peak resident set (the pipeline: sum of both)"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work slows the two-process"
echo "  pipeline most: compare the CPU of its busier process, printed with the ratios)"
: >"$W/summary"

for cap in $caps; do
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
	t_loop=$SECS
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
	filelist "$OUT" >"$W/list.tf"
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
	measure http "$TM1 '$bin/tf-reassemble' <'$c' | $TM2 '$bin/tf-http' -o '$OUT' >/dev/null"
	t_http=$SECS r_http=$RSS
	row "tf-reassemble | tf-http -o DIR"
	nb_tf=$(find "$OUT" -type f | wc -l)
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
	echo "  ratios and targets:"
	x=$(awk -v a="$t_pipe" -v b="$t_floor" 'BEGIN { printf "%.2f", a / b }')
	verdict "$(ge 1.15 "$x")" "pipeline time / floor time = ${x}x (target <= 1.15x)" "$tag"
	awk -v a="$c_pipemax" -v b="$c_floor" 'BEGIN { printf "       (CPU of the pipeline'"'"'s busier process / the floor'"'"'s = %.2f s / %.2f s = %.2fx:\n        the wall-time ratio with two idle cores)\n", a, b, a / b }'
	if [ "$have_tcpflow" = 1 ]; then
		x=$(awk -v a="$t_tcpflow" -v b="$t_pipe" 'BEGIN { printf "%.2f", a / b }')
		verdict "$(ge "$x" 1.3)" "pipeline throughput / tcpflow's = ${x}x (target >= 1.3x)" "$tag"
	fi
	if [ "$have_tcpflow" = 1 ]; then
		echo "       (HTTP bodies: tf-http $nb_tf, tcpflow $nb_tc)"
		x=$(awk -v a="$t_tch" -v b="$t_http" 'BEGIN { printf "%.2f", a / b }')
		verdict "$(ge "$x" 3)" "tf-http pipeline throughput / tcpflow -e http's = ${x}x (target >= 3x)" "$tag"
		x=$(awk -v a="$r_http" -v b="$r_tch" 'BEGIN { printf "%.3f", a / b }')
		verdict "$(ge 0.125 "$x")" "tf-http pipeline peak RSS / tcpflow -e http's = ${x} (target <= 1/8 = 0.125)" "$tag"
	fi
	x=$(awk -v a="$t_loopp" -v b="$t_re" 'BEGIN { printf "%.2f", a / b }')
	verdict "$(ge "$x" 0.5)" "tf-reassemble throughput / pcaploop -p's = ${x}x (target >= 0.5x)" "$tag"
	x=$(awk -v a="$t_loop" -v b="$t_re" 'BEGIN { printf "%.2f", a / b }')
	echo "       (tf-reassemble throughput / bare loop's = ${x}x; its RSS $((r_re / 1024)) MiB)"
	x=$(awk -v r="$r_pipe" 'BEGIN { printf "%.1f", r / 1024 }')
	verdict "$(ge 32768 "$r_pipe")" "pipeline peak RSS = $x MiB (target <= 32 MiB)" "$tag"
done

if [ "$flat" = 1 ] && [ -z "${BENCH_PCAP:-}" ]; then
	echo
	echo "== flat in the size of a flow: pipeline peak RSS, 4 connections"
	OUT=$W/out
	rsslist=
	for b in 300000000 "$flatbytes"; do
		if [ "$b" = 300000000 ]; then
			f=$bulk
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

echo
echo "== summary (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
sed 's/^/  /' "$W/summary"
exit 0
