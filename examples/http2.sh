#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# HTTP/2 over cleartext: tf-http on the bundled examples/http2.pcap
# (tests/data/mkh2.sh), six connections on loopback: curl with prior
# knowledge, curl --http2 (an HTTP/1.1 Upgrade: h2c, then HTTP/2 on the
# same connection), nghttp fetching three files on concurrent streams,
# nghttp fetching a page whose stylesheet the server pushes, a
# gzip-coded body, and a body cut by RST_STREAM.  Each message's
# http.message annotation gives its HTTP version and stream id; a pushed
# request gives the stream whose PUSH_PROMISE carried it; the http.h2
# annotations say how each connection came to speak HTTP/2.
#
# usage: sh examples/http2.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-http2.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-http2 "$@"

echo '$ tf-reassemble < http2.pcap | tf-http -o objects 2>warnings | tf-cat -j > annotations.json'
tf-reassemble <"$here/http2.pcap" | tf-http -o objects 2>warnings |
    tf-cat -j >annotations.json
echo '$ cat warnings'
cat warnings
echo
echo '$ jq (how each connection came to speak HTTP/2)'
jq -r 'select(.key == "http.h2" and .dir == 0) | (.value | fromjson) as $e |
    "\(.conn) \($e.event) \($e.via) at \($e.offset)"' annotations.json
echo
echo '$ jq (the responses: connection, version, stream, request, status, file)'
jq -r 'select(.key == "http.message") | (.value | fromjson) as $m |
    select($m.dir == "response") |
    "\(.conn) HTTP/\($m.version) stream=\($m.stream) \($m.method) \($m.status) \($m.file // "-") \($m.problem // "")"' \
    annotations.json
echo
echo '$ jq (the pushed request)'
jq -r 'select(.key == "http.message") | (.value | fromjson) as $m |
    select($m.promised_by != null) |
    "\(.conn) stream=\($m.stream) promised_by=\($m.promised_by) \($m.uri)"' \
    annotations.json
echo
echo '$ md5sum objects/*'
(cd objects && md5sum -- *)
