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
#   fuzz_ws       the frames of every case of tests/data/wsgen.py and of
#                 the directions of tests/data/http/ws.pcap, with and
#                 without tiny caps (tests/fuzz/fuzz_ws.c)
#   fuzz_keylog   the NSS key log loader (lib/tlscrypt): the key logs of
#                 tests/data/tls, a duplicate, CRLF, blank-separated and
#                 bad lines
#   fuzz_report   the streams tf-reassemble, tf-split and tf-http make of
#                 the test captures
#   fuzz_tls      the captures of tests/data/tls, with their key logs and
#                 without (tests/fuzz/tlsseed.py)
#   fuzz_h2       the connections of tests/data/http/h2.pcap and the
#                 streams of tests/h2gen.py, as fuzz_http's steps, with
#                 and without tiny caps and ALPN (tests/fuzz/fuzz_h2.c)
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
targets="capture pcapng pkt rec tmpl http hdec jsonobj report ws tls keylog h2"

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

# Seeds for fuzz_keylog: the key logs of the TLS captures, and odd lines.
for f in "$top"/tests/data/tls/*.keys; do
	[ -f "$f" ] || continue
	cp "$f" "$fz/seed-keylog/${f##*/}"
done
printf 'CLIENT_RANDOM %064d %096d\nCLIENT_RANDOM\t%064d  %096d \r\n# c\n\nX y z\nCLIENT_RANDOM %063d 00\n' \
    1 2 1 3 4 >"$fz/seed-keylog/odd"

# Seeds for fuzz_ws: the frames after the 101 of each wsgen.py case (its
# data and gap records as steps) and of the sessions of ws.pcap.
"$bin/tf-reassemble" -q -r "$top/tests/data/http/ws.pcap" 2>/dev/null |
    "$bin/tf-cat" -j >"$fz/ws.json" 2>/dev/null || true
for c in frag gap deflate nct ratio len63 huge opcode startgap; do
	python3 "$top/tests/data/wsgen.py" "$c" "$fz/wstruth" >"$fz/ws-$c.txt"
done
python3 - "$fz" <<'PY'
import glob, json, os, re, sys
fz = sys.argv[1]
def steps(recs):
    out = b""
    for d, kind, v in recs:
        if kind == "gap":
            out += bytes([2 | d]) + min(v, 65535).to_bytes(2, "big")
        else:
            for i in range(0, len(v), 30000):
                p = v[i:i + 30000]
                out += bytes([d]) + len(p).to_bytes(2, "big") + p
    return out
def save(name, recs, pmd):
    for flags in (0, 8):
        with open(os.path.join(fz, "seed-ws", "%s-%d" % (name, flags)), "wb") as f:
            f.write(bytes([pmd | flags]) + steps(recs))
for t in glob.glob(os.path.join(fz, "ws-*.txt")):
    recs, seen = [], [0, 0]
    for line in open(t):
        m = re.match(r"(data|gap) conn=1 dir=(\d) off=\d+ (?:ts=\d+ hex=(\w*)|len=(\d+))", line)
        if not m:
            continue
        d = int(m.group(2))
        if m.group(1) == "data" and not seen[d]:
            seen[d] = 1  # the handshake
            continue
        recs.append((d, "gap", int(m.group(4))) if m.group(1) == "gap"
                    else (d, "data", bytes.fromhex(m.group(3))))
    name = os.path.basename(t)[3:-4]
    save("gen-" + name, recs, 1 if name in ("deflate", "nct", "ratio") else 0)
# ws.pcap: each connection's bytes after its handshake (the first
# CRLFCRLF of each direction).
conns = {}
for line in open(os.path.join(fz, "ws.json")):
    r = json.loads(line)
    if r.get("kind") == "data":
        conns.setdefault(r["conn"], [b"", b""])[r["dir"]] += (
            r["data"].encode() if "data" in r else bytes.fromhex(r["data_hex"]))
for c, (a, b) in conns.items():
    recs = []
    for d, v in ((0, a), (1, b)):
        k = v.find(b"\r\n\r\n")
        if k >= 0:
            recs.append((d, "data", v[k + 4:]))
    save("pcap-%d" % c, recs, 1 if c == 1 else 0)
PY
rm -rf "$fz/ws.json" "$fz"/ws-*.txt "$fz/wstruth"

# Seeds for fuzz_tls: each capture of tests/data/tls with its key log and
# without, in its framing (tests/fuzz/tlsseed.py).
for f in "$top"/tests/data/tls/*.pcap; do
	[ -f "$f" ] || continue
	n=${f##*/}
	n=${n%.pcap}
	"$bin/tf-reassemble" -r "$f" 2>/dev/null | "$bin/tf-cat" -j >"$fz/tls.json"
	python3 "$top/tests/fuzz/tlsseed.py" "${f%.pcap}.keys" <"$fz/tls.json" \
	    >"$fz/seed-tls/keys-$n"
	python3 "$top/tests/fuzz/tlsseed.py" <"$fz/tls.json" >"$fz/seed-tls/$n"
done
rm -f "$fz/tls.json"

# Seeds for fuzz_h2: each connection's data and gap records as steps.
"$bin/tf-reassemble" -q -r "$top/tests/data/http/h2.pcap" 2>/dev/null |
    "$bin/tf-cat" -j >"$fz/h2.json" 2>/dev/null || true
for c in alpn gap order cut "streams 300" "flood 300" "bomb 300"; do
	# shellcheck disable=SC2086
	python3 "$top/tests/h2gen.py" $c | "$bin/mkstream" |
	    "$bin/tf-cat" -j >>"$fz/h2.json" 2>/dev/null || true
done
python3 - "$fz" <<'PY'
import json, os, sys
fz = sys.argv[1]
conns, n = {}, 0
for line in open(os.path.join(fz, "h2.json")):
    r = json.loads(line)
    if r.get("kind") == "open":
        n += 1
    if r.get("kind") == "data":
        v = r["data"].encode() if "data" in r else bytes.fromhex(r["data_hex"])
        for i in range(0, len(v), 30000):
            p = v[i:i + 30000]
            conns.setdefault(n, b"")
            conns[n] += bytes([r["dir"]]) + len(p).to_bytes(2, "big") + p
    elif r.get("kind") == "gap":
        conns[n] = conns.get(n, b"") + bytes([2 | r["dir"]]) + \
            min(r["len"], 65535).to_bytes(2, "big")
for c, steps in conns.items():
    for flags in (0, 1, 4, 8):
        with open(os.path.join(fz, "seed-h2", "c%d-%d" % (c, flags)), "wb") as f:
            f.write(bytes([flags]) + steps[:65535])
PY
rm -f "$fz/h2.json"

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
