#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkhttp.sh — regenerate tests/data/http/codings.pcap and its expected bodies.
#
# Run as root on Linux:   sudo tests/data/mkhttp.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs: iproute2, tcpdump, python3, libbrotlienc and libzstd (Debian:
# libbrotli1, libzstd1).
#
# All traffic stays on the loopback of a network namespace made here. The
# server and the client are tests/data/httpserver.py (see its header for the
# scenarios). The server writes the decoded bodies it served, and the
# request bodies it received, into codings.expected/ under the names
# tf-http gives them. Processes started here are stopped by their PID; the
# namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=8080
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkhttp http
ns_need ip tcpdump "$PY"
ns_setup tfhttp

rm -rf "$OUT/codings.expected" "$OUT/codings.pcap"
mkdir -p "$OUT/codings.expected"
cap_start "$OUT/codings.pcap" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT"
ns_bg "$TMP/server.log" - "$PY" "$HERE/httpserver.py" server "$PORT" \
    "$OUT/codings.expected"
SRV=$BGPID
wait_for "$TMP/server.log" listening "$SRV"
nx "$PY" "$HERE/httpserver.py" client "$PORT"
cap_stop
ns_stop "$SRV"
cat "$TMP/cap.err" >&2
ls -l "$OUT/codings.pcap" "$OUT/codings.expected"
