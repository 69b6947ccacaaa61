#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# HTTP bodies out of a capture, decoded, with the whole pipeline:
# tf-reassemble, tf-http (bodies into objects/), tf-split (flows into
# flows/), tf-report (a DFXML report).  Input: the bundled
# examples/http-codings.pcap, three connections to a small test server on
# loopback: bodies sent gzip, raw and zlib deflate, br, zstd and
# "gzip, br", a chunked POST, pipelined requests, HEAD, 204 and 304.
#
# usage: sh examples/http-objects.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-http.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-http "$@"

echo '$ tf-reassemble < http-codings.pcap | tf-http -o objects | tf-split -o flows | tf-report > report.xml'
tf-reassemble <"$here/http-codings.pcap" | tf-http -o objects |
    tf-split -o flows | tf-report >report.xml
echo
echo '$ md5sum objects/*'
(cd objects && md5sum -- *)
echo
printf '%s fileobjects for flows in report.xml\n' \
    "$(grep -c '<filename>flows/' report.xml)"
