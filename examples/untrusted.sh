#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# An untrusted capture through the whole pipeline, with tighter limits
# than the defaults.  Input: the bundled examples/hostile.pcap (made by
# tests/data/mkhostile.py): a SYN scan of 40 ports, a request for
# /../../../../etc/passwd answered with Content-Type ../../../tmp/x, a
# gzip body of 64 KB that decodes to 64 MiB of zeros, fragments that never
# complete and a malformed TCP header.  What it shows: every file stays
# under the output directory, named by the connection alone; the bomb is
# cut at 100 times its coded size (-R 100) once 1 MiB is decoded; at most
# 16 connections are kept (-C 16), the idlest evicted; the rest is counted
# in the end-of-stream record.
#
# usage: sh examples/untrusted.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-untrusted.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-untrusted "$@"

echo '$ tf-reassemble -C 16 < hostile.pcap | tf-http -R 100 -o objects | tf-split -o flows | tf-report > report.xml'
tf-reassemble -C 16 <"$here/hostile.pcap" 2>reassemble.err |
    tf-http -R 100 -o objects 2>http.err | tf-split -o flows |
    tf-report >report.xml
cat reassemble.err http.err
rm reassemble.err http.err
echo
printf '%s\n' '$ find objects flows -type f -printf "%s %p\n" | sort -k 2'
find objects flows -type f -printf '%s %p\n' | sort -k 2
echo
echo '$ tf-reassemble -q -C 16 < hostile.pcap | tf-cat | tail -n 1'
tf-reassemble -q -C 16 <"$here/hostile.pcap" | tf-cat | tail -n 1
