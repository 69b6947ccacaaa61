#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkpcapng.sh — regenerate the real pcapng captures with interfaces of
# different link types in tests/data/pcapng/ (tests/pcapng.bats).
#
# Run as root on Linux:   sudo tests/data/mkpcapng.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/pcapng (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, tshark + wireshark-common
# (dumpcap, mergecap, capinfos), python3.
#
# All traffic stays inside a network namespace made here, on its loopback.
# Server: python3's http.server on 127.0.0.1:8080 serving the files of
# tcpclient.py mkdocroot.  Client: tcpclient.py, which writes every byte it
# sent and received per connection, the truth, in NAME.expected/, named
# as tcpflow 1.6.1 names flow files.
#
#   any-lo.pcapng  dumpcap -i any -y LINUX_SLL2 -i lo: two interfaces, Linux
#                  cooked v2 and Ethernet, each packet once on each, as
#                  dumpcap writes them (libpcap 1.10 refuses the file at its
#                  second interface block).
#   merged.pcapng  mergecap of a tcpdump -i lo capture (Ethernet) of one
#                  connection and a tcpdump -i any -y LINUX_SLL2 capture of
#                  the next: each connection on one interface.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkpcapng pcapng
ns_need ip ss tcpdump dumpcap mergecap capinfos "$PY"
ns_setup tfng

mkdir -p "$TMP/docroot"
"$PY" "$HERE/tcpclient.py" mkdocroot "$TMP/docroot"
ns_bg "$TMP/server.log" 1 "$PY" -m http.server --bind 127.0.0.1 \
    --directory "$TMP/docroot" 8080
wait_port 8080 "$BGPID" 1 "$TMP/server.log"

client() {                            # EXPECTED_DIR PATH...: one connection each
	local out=$1
	shift
	nx "$PY" "$HERE/tcpclient.py" get --out "$out" --docroot "$TMP/docroot" \
	    --gap 0.3 "$@" 2>&1 | sed 's/^/    /'
}

rm -rf "$OUT"
mkdir -p "$OUT"

echo "any-lo.pcapng"
cap_start "$OUT/any-lo.pcapng" dumpcap -s 0 -f 'tcp port 8080' \
    -i any -y LINUX_SLL2 -i lo -w -
client "$OUT/any-lo.expected" /small.txt /bin3000.bin
cap_stop
cap_show

echo "merged.pcapng"
cap_start "$TMP/lo.pcap" tcpdump -i lo -s 0 -U -w - 'tcp port 8080'
client "$TMP/merged.lo" /small.txt
cap_stop
cap_show
cap_start "$TMP/any.pcap" tcpdump -i any -y LINUX_SLL2 -s 0 -U -w - \
    'tcp port 8080'
client "$TMP/merged.any" /bin3000.bin
cap_stop
cap_show
mergecap -w "$OUT/merged.pcapng" "$TMP/lo.pcap" "$TMP/any.pcap"
mkdir -p "$OUT/merged.expected"
cp "$TMP"/merged.lo/* "$TMP"/merged.any/* "$OUT/merged.expected/"

for f in "$OUT"/*.pcapng; do
	capinfos -t -E -I "$f" | sed 's/^/    /'
done
