#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Makes the seed corpora and runs each libFuzzer target for SECONDS
# (make fuzz).  The targets and their seeds:
#   fuzz_capture  a whole pcap or pcapng file, as tf-reassemble reads it:
#                 tests/data/real, tests/data/http, every pktgen scenario
#                 (each also a byte longer: odd sizes run with tiny caps)
#                 and every capture of ../shared/pcaps/tcpdump (those
#                 over 64 KiB are cut by -max_len)
#   fuzz_pcapng   the pcapng block reader alone: the pcapng files among
#                 those captures, tests/data/pcapng and every case of
#                 tests/data/mkpcapng.py
#   fuzz_pkt      the packet decoder: those captures (not the shared
#                 ones) through pcap2seed, with and without tiny caps
#   fuzz_rec      the stream reader: the golden stream and the streams
#                 tf-reassemble (and tf-split, annotated) makes of the
#                 captures, the first 200 shared ones included, read from
#                 a memfd and through a pipe in 8-byte chunks
#   fuzz_tmpl     name templates: every -T template of tests/*.bats and
#                 of the man pages, with and without -F flags
#   fuzz_http     the flows tf-split makes of tests/data/http and
#                 tests/data/real, alone and paired
#   fuzz_hdec     every entry of fuzz_hdec's coding table applied by
#                 hdecseed to a few bodies (empty, text, a stream, a 1 MiB
#                 run of zeros), whole and in pieces, with tiny caps too
#   fuzz_jsonobj  the http.message annotations tf-http writes
#   fuzz_report   the streams tf-reassemble, tf-split and tf-http make of
#                 the test captures
# The shared captures are skipped when ../shared does not exist.  New
# inputs go to FUZZDIR/corpus-*, kept from run to run.  Any crash, leak,
# timeout or out-of-memory fails, with the input saved as
# FUZZDIR/fuzz_<target>-<kind>-<sha1>.
#
# usage: sh tests/fuzz/run.sh FUZZDIR BINDIR SECONDS
#   FUZZDIR  holds bin/fuzz_* (build-fuzz)
#   BINDIR   the ordinary build: pktgen, pcap2seed, hdecseed,
#            tf-reassemble, tf-split, tf-http, tf-cat
set -eu
[ $# -eq 3 ] || { echo "usage: sh tests/fuzz/run.sh FUZZDIR BINDIR SECONDS" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
fz=$(cd "$1" && pwd)
bin=$(cd "$2" && pwd)
secs=$3
max=65536
shared=$top/../shared/pcaps/tcpdump
targets="capture pcapng pkt rec tmpl http hdec jsonobj report"

for t in $targets; do
	rm -rf "$fz/seed-$t"
	mkdir -p "$fz/seed-$t" "$fz/corpus-$t"
done
rm -rf "$fz/pcaps"
mkdir -p "$fz/pcaps"

# The captures: the real ones, the HTTP ones and every pktgen scenario.
for f in "$top"/tests/data/real/*.pcap "$top"/tests/data/real/*.pcapng \
    "$top"/tests/data/http/*.pcap "$top"/tests/data/pcapng/*.pcapng; do
	[ -f "$f" ] || continue
	d=${f%/*}
	cp "$f" "$fz/pcaps/${d##*/}-${f##*/}"
done
for s in $("$bin/pktgen" -l | cut -f1); do
	"$bin/pktgen" "$s" >"$fz/pcaps/gen-$s.pcap"
done

# Seeds for fuzz_capture: the captures as they are, and a byte longer
# (the other parity, so the other caps); the shared captures as they are.
for f in "$fz"/pcaps/*; do
	n=${f##*/}
	cp "$f" "$fz/seed-capture/$n"
	{ cat "$f"; printf '\000'; } >"$fz/seed-capture/$n-caps"
done
if [ -d "$shared" ]; then
	for f in "$shared"/*; do
		[ -f "$f" ] || continue
		cp "$f" "$fz/seed-capture/shared-${f##*/}"
	done
fi

# Seeds for fuzz_pcapng: every pcapng file above, and the synthetic cases
# (also seeds of fuzz_capture).
for c in $(python3 "$top/tests/data/mkpcapng.py" -l | cut -f1); do
	[ "$c" = manyifs ] && continue
	python3 "$top/tests/data/mkpcapng.py" "$c" >"$fz/seed-capture/ng-$c"
done
for f in "$fz"/seed-capture/*; do
	if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ]; then
		cp "$f" "$fz/seed-pcapng/"
	fi
done

# Seeds for fuzz_pkt and fuzz_rec.
for f in "$fz"/pcaps/*; do
	n=${f##*/}
	# a link type fuzz_pkt does not know (unsupported) makes no seed
	"$bin/pcap2seed" -m $max "$f" "$fz/seed-pkt/$n" 2>/dev/null || continue
	"$bin/pcap2seed" -t -m $max "$f" "$fz/seed-pkt/$n-tiny"
	"$bin/tf-reassemble" -r "$f" >"$fz/stream" 2>/dev/null || true
	for how in 001 006; do
		{ printf "\\$how"; head -c $((max - 1)) <"$fz/stream"; } \
		    >"$fz/seed-rec/$n-$how"
	done
	if [ "$n" = gen-basic.pcap ] || [ "$n" = gen-reuse.pcap ]; then
		rm -rf "$fz/split"
		"$bin/tf-split" -o "$fz/split" <"$fz/stream" >"$fz/stream.split"
		{ printf '\006'; head -c $((max - 1)) <"$fz/stream.split"; } \
		    >"$fz/seed-rec/$n-split"
	fi
done
for how in 001 006; do
	{ printf "\\$how"; cat "$top/tests/data/golden/basic.tfs"; } \
	    >"$fz/seed-rec/golden-$how"
done
if [ -d "$shared" ]; then
	ls "$shared" | head -n 200 | while IFS= read -r n; do
		"$bin/tf-reassemble" -q -r "$shared/$n" >"$fz/stream" \
		    2>/dev/null || continue
		{ printf '\001'; head -c $((max - 1)) <"$fz/stream"; } \
		    >"$fz/seed-rec/shared-$n"
	done
fi
rm -rf "$fz/stream" "$fz/stream.split" "$fz/split"

# Seeds for fuzz_tmpl: every -T template of the tests and the man pages,
# alone, after -Fk and before -Ftm, each with the connection of the
# golden stream's first bytes (tests/fuzz/fuzz_tmpl.c).
{
	grep -ho "\-T '[^']*'" "$top"/tests/*.bats | sed "s/^-T '//; s/'\$//"
	grep -h '^\.\(Ql\|Dl\) .*%' "$top"/man/*.1 |
	    sed "s/^\.Ql //; s/ [,.]*\$//; s/^.*-T '//; s/'\$//; s/\\\\&//g"
} | sort -u >"$fz/templates"
i=0
while IFS= read -r t; do
	i=$((i + 1))
	printf '%s\000\000\000' "$t" >"$fz/seed-tmpl/t$i"
	{ printf '%s\000k\000tm\000' "$t"; head -c 120 \
	    "$top/tests/data/golden/basic.tfs"; } >"$fz/seed-tmpl/f$i"
done <"$fz/templates"
printf '\000\000g\000' >"$fz/seed-tmpl/default-g"
rm -f "$fz/templates"

# Seeds for fuzz_http: the flows of the HTTP captures, each direction alone
# and both together, in its framing (tests/fuzz/fuzz_http.c).
step() {	# OP FILE: one step of at most 30000 bytes of FILE
	n=$(wc -c <"$2" | tr -d ' ')
	[ "$n" -le 30000 ] || n=30000
	printf "\\$(printf %03o "$1")\\$(printf %03o $((n >> 8)))"
	printf "\\$(printf %03o $((n & 255)))"
	head -c "$n" "$2"
}
rm -rf "$fz/split"
for f in "$top"/tests/data/http/*.pcap "$top"/tests/data/real/*.pcap; do
	"$bin/tf-reassemble" -q -r "$f" 2>/dev/null |
	    "$bin/tf-split" -o "$fz/split" >/dev/null 2>&1 || true
done
i=0
for f in "$fz"/split/*; do
	i=$((i + 1))
	{ printf '\000'; step 1 "$f"; } >"$fz/seed-http/one-$i"
	mate=$fz/split/$(basename "$f" | sed 's/^\(.*\)-\(.*\)$/\2-\1/')
	[ -f "$mate" ] || continue
	{ printf '\000'; step 0 "$f"; step 1 "$mate"; } >"$fz/seed-http/two-$i"
	{ printf '\003'; step 0 "$f"; step 1 "$mate"; } >"$fz/seed-http/tiny-$i"
done
rm -rf "$fz/split"

# Seeds for fuzz_hdec: each entry of its coding table over a few bodies.
rm -rf "$fz/bodies"
mkdir -p "$fz/bodies"
: >"$fz/bodies/empty"
cp "$top/README.md" "$fz/bodies/text"
cp "$top/tests/data/golden/basic.tfs" "$fz/bodies/stream"
head -c 1048576 /dev/zero >"$fz/bodies/zeros"
for b in "$fz"/bodies/*; do
	n=${b##*/}
	for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		"$bin/hdecseed" "$i" <"$b" >"$fz/seed-hdec/$n-$i"
	done
	"$bin/hdecseed" -r 2 <"$b" >"$fz/seed-hdec/$n-raw"
	"$bin/hdecseed" -r -p 0 12 <"$b" >"$fz/seed-hdec/$n-raw2-1"
	"$bin/hdecseed" -p 2 11 <"$b" >"$fz/seed-hdec/$n-all-16"
	"$bin/hdecseed" -c 4 <"$b" >"$fz/seed-hdec/$n-zstd-cap"
	"$bin/hdecseed" -c -p 3 3 <"$b" >"$fz/seed-hdec/$n-br-cap"
done
# gzip with two members
for i in 0 1; do
	"$bin/hdecseed" "$i" <"$fz/bodies/text" >"$fz/a"
	"$bin/hdecseed" "$i" <"$fz/bodies/stream" | tail -c +2 >"$fz/b"
	cat "$fz/a" "$fz/b" >"$fz/seed-hdec/members-$i"
	{ printf "\\$(printf %03o $((i | 0x60)))"; tail -c +2 "$fz/a"; \
	    cat "$fz/b"; } >"$fz/seed-hdec/members-$i-64"
done
rm -rf "$fz/bodies" "$fz/a" "$fz/b"

# Seeds for fuzz_jsonobj (the http.message annotations tf-http writes)
# and fuzz_report (the streams of the pipeline).
i=0
for f in "$top"/tests/data/http/*.pcap "$top"/tests/data/real/*.pcap; do
	n=${f##*/}
	"$bin/tf-reassemble" -q <"$f" >"$fz/stream" 2>/dev/null || true
	head -c $max "$fz/stream" >"$fz/seed-report/$n"
	rm -rf "$fz/objs" "$fz/split"
	"$bin/tf-split" -o "$fz/split" <"$fz/stream" 2>/dev/null |
	    "$bin/tf-http" -o "$fz/objs" 2>/dev/null >"$fz/stream.http" || true
	head -c $max "$fz/stream.http" >"$fz/seed-report/$n-http"
	"$bin/tf-cat" -j <"$fz/stream.http" | jq -r 'select(.kind ==
	    "annot" and .key == "http.message") | .value' |
	while IFS= read -r v; do
		i=$((i + 1))
		printf '%s' "$v" >"$fz/seed-jsonobj/$n-$i"
	done
done
cp "$top/tests/data/golden/basic.tfs" "$fz/seed-report/golden"
rm -rf "$fz/objs" "$fz/split" "$fz/stream" "$fz/stream.http"

# Runs.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
for t in $targets; do
	log=$fz/fuzz_$t.log
	echo "fuzz_$t: $(ls "$fz/seed-$t" | wc -l | tr -d ' ') seeds," \
	    "$(ls "$fz/corpus-$t" | wc -l | tr -d ' ') inputs in corpus-$t," \
	    "${secs}s (log: $log)"
	if "$fz/bin/fuzz_$t" -max_total_time="$secs" -max_len=$max \
	    -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
	    -artifact_prefix="$fz/fuzz_$t-" \
	    "$fz/corpus-$t" "$fz/seed-$t" >"$log" 2>&1; then
		grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb):' "$log"
	else
		echo "fuzz_$t: FAILED; the end of $log:"
		tail -n 40 "$log"
		fail=1
	fi
done
exit $fail
