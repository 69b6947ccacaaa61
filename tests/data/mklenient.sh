#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mklenient.sh — regenerate tests/data/http/lenient.pcap and the bodies
# served in it (tests/data/http/lenient.served/), for tests/http-lenient.bats.
#
# Run as root on Linux:   sudo tests/data/mklenient.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/http (netns.sh).
# Needs: iproute2, tcpdump, python3.
#
# All traffic stays on the loopback of a network namespace made here. The
# server and the clients are tests/data/lenient.py (see its header): first
# one keep-alive connection that the capture joins inside a binary response
# body (tcpdump starts while the server pauses in the middle of it), then
# the odd request lines, one connection each. Processes started here are
# stopped by their PID; the namespace is deleted on exit.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=8080
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mklenient http
ns_need ip tcpdump "$PY"
ns_setup tflenient

rm -rf "$OUT/lenient.served" "$OUT/lenient.pcap"
ns_bg "$TMP/server.log" - "$PY" "$HERE/lenient.py" server "$PORT" \
    "$OUT/lenient.served"
SRV=$BGPID
wait_for "$TMP/server.log" listening "$SRV"
# The midstream client: the server pauses 3 s inside the blob's body.
ns_bg - - "$PY" "$HERE/lenient.py" midstream "$PORT"
MIDPID=$BGPID
sleep 0.5
cap_start "$OUT/lenient.pcap" tcpdump -U -n -i lo -s 0 -w - "tcp port $PORT"
wait "$MIDPID"
forget "$MIDPID"
nx "$PY" "$HERE/lenient.py" odd "$PORT"
cap_stop
ns_stop "$SRV"
cat "$TMP/cap.err" >&2
ls -l "$OUT/lenient.pcap" "$OUT/lenient.served"
