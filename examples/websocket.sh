#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# WebSocket messages: tf-http on the bundled examples/websocket.pcap
# (tests/data/mkws.sh), two sessions of python3-websockets on loopback,
# the first with permessage-deflate, the second without.  After each 101
# tf-http reads the frames of both directions: every text or binary
# message goes to objects/FLOW-WS-NNN.txt or .bin (FLOW the sender's flow,
# NNN from 001), unmasked, its fragments joined, inflated; every message
# and control frame (ping, pong, close) gets a ws.message annotation.
#
# usage: sh examples/websocket.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-websocket.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-websocket "$@"

echo '$ tf-reassemble < websocket.pcap | tf-http -o objects | tf-cat -j > annotations.json'
tf-reassemble <"$here/websocket.pcap" | tf-http -o objects |
    tf-cat -j >annotations.json
echo
echo '$ jq (each message and control frame: connection, direction, what, frames, compressed, bytes as sent and decoded, file)'
jq -r 'select(.key == "ws.message") | (.value | fromjson) as $m |
    "\(.conn) \(.dir) \($m.opcode) frames=\($m.frames)" +
    " compressed=\(if $m.compressed == null then "-" else $m.compressed end)" +
    " sent=\($m.sent_length)" +
    " length=\($m.length // "-")" +
    " \($m.file // $m.payload // "\($m.close_code) \($m.close_reason)")"' \
    annotations.json
echo
echo '$ jq (what permessage-deflate the first session agreed)'
jq -c 'select(.key == "ws.deflate") | .value | fromjson' annotations.json
echo
echo '$ head -c 60 objects/*-WS-001.txt'
for f in objects/*-WS-001.txt; do
	printf '%s: %s\n' "${f#objects/}" "$(head -c 60 "$f")"
done
