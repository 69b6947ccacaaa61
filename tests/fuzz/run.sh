#!/bin/sh
# Makes the seed corpora and runs each libFuzzer target for SECONDS
# (make fuzz).  Seeds for fuzz_pkt: every capture under tests/data/real
# and every pktgen scenario, through pcap2seed, with and without tiny
# fragment caps.  Seeds for fuzz_rec: the golden stream and the streams
# tf-reassemble (and tf-split, annotated) make of those captures, each
# read from a memfd and through a pipe in 8-byte chunks.  Seeds for
# fuzz_http: the flows tf-split makes of tests/data/http and
# tests/data/real, alone and paired; for fuzz_jsonobj: the http.message
# annotations tf-http writes of them.  New inputs go
# to FUZZDIR/corpus-*, kept from run to run.  Any crash, leak, timeout or
# out-of-memory fails, with the input saved as FUZZDIR/<kind>-<sha1>.
#
# usage: sh tests/fuzz/run.sh FUZZDIR BINDIR SECONDS
#   FUZZDIR  holds bin/fuzz_pkt, _rec, _http and _jsonobj (build-fuzz)
#   BINDIR   the ordinary build: pktgen, pcap2seed, tf-reassemble, tf-split
set -eu
[ $# -eq 3 ] || { echo "usage: sh tests/fuzz/run.sh FUZZDIR BINDIR SECONDS" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
fz=$(cd "$1" && pwd)
bin=$(cd "$2" && pwd)
secs=$3
max=65536

rm -rf "$fz/seed-pkt" "$fz/seed-rec" "$fz/pcaps"
mkdir -p "$fz/seed-pkt" "$fz/seed-rec" "$fz/pcaps" "$fz/corpus-pkt" \
    "$fz/corpus-rec"

# The captures: the real ones and every pktgen scenario.
for f in "$top"/tests/data/real/*.pcap "$top"/tests/data/real/*.pcapng; do
	[ -f "$f" ] && cp "$f" "$fz/pcaps/real-${f##*/}"
done
for s in $("$bin/pktgen" -l | cut -f1); do
	"$bin/pktgen" "$s" >"$fz/pcaps/gen-$s.pcap"
done

# Seeds.
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
rm -rf "$fz/stream" "$fz/stream.split" "$fz/split"

# Seeds for fuzz_http: the flows of the HTTP captures, each direction alone
# and both together, in its framing (tests/fuzz/fuzz_http.c).
step() {	# OP FILE: one step of at most 30000 bytes of FILE
	n=$(wc -c <"$2" | tr -d ' ')
	[ "$n" -le 30000 ] || n=30000
	printf "\\$(printf %03o "$1")\\$(printf %03o $((n >> 8)))"
	printf "\\$(printf %03o $((n & 255)))"
	head -c "$n" "$2"
}
rm -rf "$fz/seed-http" "$fz/split"
mkdir -p "$fz/seed-http" "$fz/corpus-http"
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

# Seeds for fuzz_jsonobj: the http.message annotations tf-http writes.
rm -rf "$fz/seed-jsonobj"
mkdir -p "$fz/seed-jsonobj" "$fz/corpus-jsonobj"
i=0
for f in "$top"/tests/data/http/*.pcap "$top"/tests/data/real/*.pcap; do
	"$bin/tf-reassemble" -q <"$f" |
	    "$bin/tf-http" -o "$fz/objs" 2>/dev/null |
	    "$bin/tf-cat" -j | jq -r 'select(.kind == "annot" and
		.key == "http.message") | .value' |
	while IFS= read -r v; do
		i=$((i + 1))
		printf '%s' "$v" >"$fz/seed-jsonobj/$(basename "$f")-$i"
	done
	rm -rf "$fz/objs"
done

# Runs.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
for t in pkt rec http jsonobj; do
	log=$fz/fuzz_$t.log
	echo "fuzz_$t: $(ls "$fz/seed-$t" | wc -l | tr -d ' ') seeds," \
	    "$(ls "$fz/corpus-$t" | wc -l | tr -d ' ') inputs in corpus-$t," \
	    "${secs}s (log: $log)"
	if "$fz/bin/fuzz_$t" -max_total_time="$secs" -max_len=$max \
	    -timeout=10 -print_final_stats=1 -artifact_prefix="$fz/" \
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
