#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# zeek-diff.sh — a differential check of tf-http against Zeek's HTTP
# analyser, on Zeek's own HTTP test traces and baselines.
#
#   tests/zeek-diff.sh ZEEK [BINDIR]
#
# ZEEK is a checkout of github.com/zeek/zeek (or a copy of its
# testing/btest/{Traces/http,Baseline,scripts/base/protocols/http}); BINDIR
# holds tf-reassemble and tf-http (default build/bin).  Nothing of Zeek is
# vendored here: its traces are BSD-licensed but hundreds of kilobytes.
#
# For every baseline testing/btest/Baseline/scripts.base.protocols.http.*/
# http.log, the trace its test reads ($TRACES/http/... on its TEST-EXEC
# line) goes through tf-reassemble | tf-http -j; the transactions of each
# connection are matched in order (Zeek's trans_depth, tf's request
# number) and compared on method, URI, status, and request and response
# body lengths.  Zeek counts a gzip or deflate body decoded and any other
# as sent, so a body length agrees when it equals tf's decoded length or
# its length as sent; URIs are compared with %XX decoded, as Zeek logs
# them.  Prints one line per trace that disagrees, then the
# agreement per field and for whole transactions; exits 0, or 2 when ZEEK
# holds no baseline.
set -eu
ZEEK=${1:?usage: zeek-diff.sh ZEEK [BINDIR]}
BIN=${2:-$(dirname "$0")/../build/bin}
BT=$ZEEK/testing/btest
[ -d "$BT/Baseline" ] || { echo "zeek-diff: no $BT/Baseline" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
for log in "$BT"/Baseline/scripts.base.protocols.http.*/http.log; do
	[ -f "$log" ] || continue
	name=${log%/http.log}
	name=${name##*/scripts.base.protocols.http.}
	test=$BT/scripts/base/protocols/http/$(echo "$name" | sed 's/^261\./261\//').zeek
	[ -f "$test" ] || continue
	trace=$(sed -n 's/.*\$TRACES\/\([^ ]*\).*/\1/p' "$test" | head -n 1)
	[ -n "$trace" ] && [ -f "$BT/Traces/$trace" ] || continue
	n=$((n + 1))
	rm -rf "$TMP/o"
	"$BIN/tf-reassemble" -q -r "$BT/Traces/$trace" |
	    "$BIN/tf-http" -q -j -o "$TMP/o" >"$TMP/$n.tf" 2>/dev/null || true
	printf '%s\t%s\t%s\n' "$name" "$log" "$TMP/$n.tf" >>"$TMP/list"
done
[ "$n" -gt 0 ] || { echo "zeek-diff: no baseline with its trace" >&2; exit 2; }
python3 - "$TMP/list" <<'EOF'
import json, re, sys

def unesc(s):
    return re.sub(rb"\\x([0-9a-fA-F]{2})",
                  lambda m: bytes([int(m.group(1), 16)]), s.encode()).decode(
                      "latin-1")

def unpct(s):
    # Zeek logs URIs with %XX decoded.
    return re.sub(r"%([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)

def zeek_rows(path):
    fields, rows = None, []
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line and not line.startswith("#") and fields:
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows

def tf_str(o, k):
    if o is None:
        return "-"
    if k in o:
        return o[k].encode("utf-8").decode("latin-1")
    if k + "_hex" in o:
        return bytes.fromhex(o[k + "_hex"]).decode("latin-1")
    return "-"

def tf_len(o):
    if o is None:
        return set(["0"])
    return set([str(o.get("length", 0)), str(o.get("body_length", 0))])

def z(v):
    return "" if v == "(empty)" else unesc(v)

names = ["method", "uri", "status", "request_body_len", "response_body_len"]
agree = dict((k, 0) for k in names)
total = whole = 0
for ent in open(sys.argv[1]):
    name, log, tf = ent.rstrip("\n").split("\t")
    conns = {}
    for line in open(tf):
        j = json.loads(line)
        key = (j["orig_h"], str(j["orig_p"]), j["resp_h"], str(j["resp_p"]))
        # In the order of the responses, requests never answered last.
        r = j["response"]
        order = (r["n"], 0) if r else (1 << 62, j["request"]["n"])
        conns.setdefault(key, []).append((order, j))
    bad = []
    for row in zeek_rows(log):
        key = (row["id.orig_h"], row["id.orig_p"], row["id.resp_h"],
               row["id.resp_p"])
        got = sorted(conns.get(key, []), key=lambda x: x[0])
        d = int(row["trans_depth"]) - 1
        j = got[d][1] if d < len(got) else {"request": None,
                                             "response": None}
        q, r = j["request"], j["response"]
        ok = {
            "method": z(row["method"]) == tf_str(q, "method"),
            "uri": unpct(z(row["uri"])) == unpct(tf_str(q, "uri")),
            # Zeek logs 0 for an HTTP/0.9 response, which has none.
            "status": row["status_code"] == (
                str(r["status"]) if r and "status" in r else
                "0" if r and r.get("version") == "0.9" else "-"),
            "request_body_len": row["request_body_len"] in tf_len(q),
            "response_body_len": row["response_body_len"] in tf_len(r),
        }
        total += 1
        for k in names:
            agree[k] += ok[k]
        if all(ok.values()):
            whole += 1
        else:
            bad.append("%s#%s %s" % (key[1], row["trans_depth"],
                       ",".join(k for k in names if not ok[k])))
    if bad:
        print("%s: %s" % (name, "; ".join(bad)))
print("traces %d, transactions %d" % (
    sum(1 for _ in open(sys.argv[1])), total))
for k in names:
    print("%-18s %3d/%d %5.1f%%" % (k, agree[k], total,
                                  100.0 * agree[k] / max(total, 1)))
print("%-18s %3d/%d %5.1f%%" % ("all fields", whole, total,
                              100.0 * whole / max(total, 1)))
EOF
