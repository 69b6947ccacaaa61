#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A summary of the connections with tf-cat -j and jq: one line per
# connection (its number, first packet time, client and server, how it
# ended, bytes each way), from the open and close records, then the
# totals of the end record.  Input: the bundled examples/rotated.pcap*
# (three connections on one 4-tuple, in three capture files).  Needs jq.
#
# usage: sh examples/json-jq.sh [bindir]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/bin}
if [ -n "${1:-}" ] || [ -d "$bin" ]; then
	bin=$(cd "$bin" && pwd)
	PATH=$bin:$PATH
fi
command -v jq >/dev/null || { echo "json-jq.sh: needs jq" >&2; exit 1; }

echo '$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 | tf-cat -j | jq ...'
tf-reassemble -r "$here/rotated.pcap" -r "$here/rotated.pcap1" \
    -r "$here/rotated.pcap2" | tf-cat -j | jq -rs '
	(map(select(.kind == "open")) | INDEX(.conn)) as $open
	| (["conn", "start", "client", "server", "close", "sent", "received"]
	    | @tsv),
	  (.[] | select(.kind == "close")
	    | $open[.conn | tostring] as $o
	    | [.conn, $o.ts, "\($o.src):\($o.sport)", "\($o.dst):\($o.dport)",
	       .cause, .dirs[0].bytes, .dirs[1].bytes] | @tsv),
	  (.[] | select(.kind == "end")
	    | "\(.connections) connections, \(.packets) packets, \(.gaps) gaps")'
