#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The tf toolkit on a bundled capture, examples/http-codings.pcap: three
# HTTP/1.1 connections to a small test server on loopback, with bodies sent
# gzip, raw and zlib deflate, br, zstd and "gzip, br", a chunked POST,
# pipelined requests, HEAD, 204 and 304.  The whole pipeline runs once:
# tf-reassemble turns the capture into the record stream, tf-http writes
# the HTTP bodies, decoded, tf-split one file per connection direction,
# tf-report a DFXML report; then tf-cat shows the connections and sums
# the stream up, and tf-report writes the summary, as text and as an HTML
# page (its path is the last line).
#
# usage: sh examples/demo.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-demo.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-demo "$@"

echo "output in $out"
echo
echo '$ tf-reassemble -r http-codings.pcap | tf-http -o objects | tf-split -o flows | tee stream.tfs | tf-report -o report.xml'
tf-reassemble -r "$here/http-codings.pcap" | tf-http -o objects |
    tf-split -o flows | tee stream.tfs | tf-report -o report.xml
echo
echo '# the HTTP bodies tf-http found, decoded'
echo '$ ls -l objects'
find objects -type f -printf '%8s  %p\n' | LC_ALL=C sort -k 2
echo
echo '# one file per connection direction'
echo '$ ls -l flows'
find flows -type f -printf '%8s  %p\n' | LC_ALL=C sort -k 2
echo
echo '# the connections'
echo '$ tf-cat -c < stream.tfs'
tf-cat -c <stream.tfs
echo
echo '# what the report holds'
echo '$ grep -o "<filename>[a-z]*/" report.xml | sort | uniq -c'
grep -o '<filename>[a-z]*/' report.xml | LC_ALL=C sort | uniq -c
echo '$ xmllint --xpath "string(//*[local-name()='"'summary'"']/@status)" report.xml'
xmllint --xpath "string(//*[local-name()='summary']/@status)" report.xml
echo
echo '# the stream, summed up'
echo '$ tf-cat -s < stream.tfs | grep -e records -e end.connections'
tf-cat -s <stream.tfs | grep -e '^records\.' -e '^end\.connections='
echo
echo '# the capture at a glance: the same numbers for a terminal, and a page'
echo '$ tf-report -t text < stream.tfs'
tf-report -t text <stream.tfs
echo '$ tf-report -t html -o summary.html < stream.tfs'
tf-report -t html -o summary.html <stream.tfs
echo "the summary page, for a browser: $out/summary.html"

