#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Tunnels and an oversized header block: tf-http on the bundled
# examples/http-tunnel.pcap (tests/data/mktunnel.sh), four connections on
# loopback: curl -p through a CONNECT proxy to an HTTP server (two GETs
# in one tunnel), curl -p to an HTTPS server (TLS in the tunnel), a
# response whose 92 KB header block passes the 64 KiB of -H and the
# response after it on the same connection, a websocket upgrade (101).
# The bodies inside the tunnel are written under the client's connection
# to the proxy; the TLS bytes are annotated (http.tunnel), never parsed;
# the websocket's messages are written as FLOW-WS-NNN files (see
# websocket.sh); the big header block is read past -H for its framing.
#
# usage: sh examples/http-tunnel.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-tunnel.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-tunnel "$@"

echo '$ tf-reassemble < http-tunnel.pcap | tf-http -o objects 2>warnings | tf-cat -j > annotations.json'
tf-reassemble <"$here/http-tunnel.pcap" | tf-http -o objects 2>warnings |
    tf-cat -j >annotations.json
echo '$ cat warnings'
cat warnings
echo
echo '$ jq (the tunnels: connection, direction, protocol, opened by)'
jq -r 'select(.key == "http.tunnel") | (.value | fromjson) as $t |
    "\(.conn) \(.dir) \($t.protocol) \($t.method) \($t.target) \($t.status)"' \
    annotations.json
echo
echo '$ jq (the messages in a tunnel or with a header block cut)'
jq -r 'select(.key == "http.message") | (.value | fromjson) as $m |
    select($m.tunnel != null or $m.headers_cut != null) |
    "\(.conn) \($m.dir) \($m.n) tunnel=\($m.tunnel) headers_cut=\($m.headers_cut) \($m.file // "-")"' \
    annotations.json
echo
echo '$ md5sum objects/*'
(cd objects && md5sum -- *)
