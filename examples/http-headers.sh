#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Transfer codings, decoding failures and header files: tf-http -A on the
# bundled examples/http-codings2.pcap, six connections from curl to a small
# test server on loopback (tests/data/mkcodings2.sh): bodies sent with
# Transfer-Encoding "gzip, chunked" (one with Content-Encoding br as
# well), "deflate" to the close and "zstd, chunked", a gzip body corrupt
# after 60% of its text and a brotli body cut short.  Every body that
# decodes is written decoded; the two that fail keep what was decoded
# (-PARTIAL) and the coded bytes from where decoding stopped
# (-HTTPBODY-GZIP-001-PARTIAL, -HTTPBODY-BR-001-PARTIAL); every header
# block goes to FLOW-HTTP-NNN, as tcpflow 1.2's -AH wrote them.
#
# usage: sh examples/http-headers.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-headers.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-headers "$@"

echo '$ tf-reassemble < http-codings2.pcap | tf-http -A -o objects 2>warnings | tf-report > report.xml'
tf-reassemble <"$here/http-codings2.pcap" |
    tf-http -A -o objects 2>warnings | tf-report >report.xml
echo '$ cat warnings'
cat warnings
echo
echo '$ wc -c objects/* (the sizes and names)'
(cd objects && for f in *; do
	printf '%6s %s\n' "$(wc -c <"$f" | tr -d ' ')" "$f"
done)
echo
printf '%s\n' '$ tr -d "\r" < objects/127.000.000.001.08080-127.000.000.001.42002-HTTP-001'
tr -d '\r' <objects/127.000.000.001.08080-127.000.000.001.42002-HTTP-001
printf '%s header files in report.xml\n' \
    "$(grep -c '<tcpflow:header>' report.xml)"
