#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Rotated captures (tcpdump -C or -G): several -r files are one capture,
# and connections carry on across the files.  The bundled
# examples/rotated.pcap, .pcap1 and .pcap2 are one capture cut in three:
# three connections on one 4-tuple; the first cut falls inside the
# second connection's response, the second between the third's request
# and its response.  Read together, they give the same six files as the
# whole capture, c1 and c2 included.  Read one at a time, for comparison,
# the cut connections come out in pieces, with the bytes of the other
# files missing and the counters wrong.
#
# usage: sh examples/rotated.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-demo.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-demo "$@"

# sizes DIR: the files under DIR with their sizes in bytes.
sizes() {
	find "$1" -type f | LC_ALL=C sort | while IFS= read -r f; do
		printf '%8d  %s\n' "$(($(wc -c <"$f")))" "$f"
	done
}

echo "output in $out"
echo
echo '$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 | tf-split -o flows > /dev/null'
tf-reassemble -r "$here/rotated.pcap" -r "$here/rotated.pcap1" \
    -r "$here/rotated.pcap2" | tf-split -o flows >/dev/null
sizes flows
for f in rotated.pcap rotated.pcap1 rotated.pcap2; do
	echo
	echo "\$ tf-reassemble -r $f | tf-split -o alone-$f > /dev/null"
	tf-reassemble -r "$here/$f" | tf-split -o "alone-$f" >/dev/null
	sizes "alone-$f"
done
