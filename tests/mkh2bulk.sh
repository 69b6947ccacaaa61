#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkh2bulk.sh CAP BYTES — record an h2c bulk capture for make bench
# (tests/bench.sh, the h2 section): nghttp downloading 10 files of
# BYTES/10 random bytes each on 10 concurrent streams of one HTTP/2
# connection (prior knowledge), from nghttpd --no-tls, all on the loopback of
# a network namespace made here (deleted on exit; the processes started
# here stopped by their PID).  Writes CAP (pcap) and CAP.files/ (the
# files served).  As root; needs iproute2, tcpdump, nghttp2-client,
# nghttp2-server.
set -eu -o pipefail
[ $# -eq 2 ] || { echo "usage: mkh2bulk.sh CAP BYTES" >&2; exit 2; }
cap=$1 bytes=$2
# shellcheck source=SCRIPTDIR/data/netns.sh
. "$(dirname "$0")/data/netns.sh" mkh2bulk
ns_need ip ss tcpdump nghttp nghttpd
ns_setup tfh2bulk 9000 -
D=$cap.files
rm -rf "$D"
mkdir -p "$D"
urls=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	head -c $((bytes / 10)) /dev/urandom >"$D/f$i.bin"
	urls+=("http://127.0.0.1:8080/f$i.bin")
done
cap_start "$cap" tcpdump -B 262144 -U -n -i lo -s 0 -w - 'tcp port 8080'
ns_bg "$TMP/nghttpd.log" 1 nghttpd --no-tls -a 127.0.0.1 -d "$D" 8080
wait_port 8080 "$BGPID" 1 "$TMP/nghttpd.log"
nx timeout 300 nghttp -n -s -w 24 -W 24 "${urls[@]}" >"$TMP/stat"
cap_stop
[ "$(grep -c ' 200 .*/f[0-9].bin$' "$TMP/stat")" = 10 ] ||
    die "not every file was fetched"
