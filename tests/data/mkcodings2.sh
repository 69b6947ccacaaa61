#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkcodings2.sh — regenerate tests/data/http/codings2.pcap, the files tf-http
# -A must write from it (codings2.expected/) and the truth of its two
# decoding failures (codings2.truth/), for tests/http-codings2.bats.
#
# Run as root on Linux:   sudo tests/data/mkcodings2.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs: iproute2, tcpdump, curl, python3, libbrotlienc and libzstd (Debian:
# libbrotli1, libzstd1).
#
# All traffic stays on the loopback of a network namespace made here.  The
# server is tests/data/codings2.py (see its header for the cases), which
# sends the exact bytes of each case and writes what it sent and received;
# the client is curl --raw, one connection per case from its own local port
# (42001...), so that the names are fixed.  Processes started here are
# stopped by their PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=8080
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkcodings2 http
ns_need ip tcpdump curl "$PY"
ns_setup tfh10b

rm -rf "$OUT/codings2.expected" "$OUT/codings2.truth" "$OUT/codings2.pcap"
mkdir -p "$OUT/codings2.expected" "$OUT/codings2.truth"
cap_start "$OUT/codings2.pcap" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT"
ns_bg "$TMP/server.log" - "$PY" "$HERE/codings2.py" server "$PORT" \
    "$OUT/codings2.expected" "$OUT/codings2.truth"
SRV=$BGPID
wait_for "$TMP/server.log" listening "$SRV"
cport=42001
for path in te-gzip-chunked te-gzip-chunked-br te-deflate te-zstd-chunked \
    corrupt-gzip truncated-br; do
	nx curl --raw -sS -o /dev/null --local-port "$cport" \
	    "http://127.0.0.1:$PORT/$path"
	cport=$((cport + 1))
done
cap_stop
ns_stop "$SRV"
cat "$TMP/cap.err" >&2
ls -l "$OUT/codings2.pcap" "$OUT/codings2.expected" "$OUT/codings2.truth"
