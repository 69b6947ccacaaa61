#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The pipes between the programs (tf(7)): each program widens them to
# 1 MiB; with TF_VMSPLICE=1 a program hands the pages of the stream to the
# pipe (vmsplice(2)) instead of copying them, and writes on in fresh pages.
# The same pipeline on the bundled examples/http.pcap, copying and then
# handing pages over, makes the same files and the same stream.
#
# usage: sh examples/zero-copy.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-zero-copy.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-zero-copy "$@"

mkdir copy gift
echo '$ cd copy && tf-reassemble < http.pcap | tf-http -o objects | tf-split -o flows | tf-cat > stream.txt'
(cd copy && tf-reassemble <"$here/http.pcap" | tf-http -o objects |
    tf-split -o flows | tf-cat >stream.txt)
echo '$ export TF_VMSPLICE=1'
echo '$ cd gift && tf-reassemble < http.pcap | tf-http -o objects | tf-split -o flows | tf-cat > stream.txt'
(export TF_VMSPLICE=1 && cd gift && tf-reassemble <"$here/http.pcap" |
    tf-http -o objects | tf-split -o flows | tf-cat >stream.txt)
# (The first line of the stream says when it was written.)
for d in copy gift; do sed 1d "$d/stream.txt" >"$d/stream.rest" && rm "$d/stream.txt"; done
echo '$ diff -r copy gift'
diff -r copy gift
n=$(find copy/objects copy/flows -type f | wc -l)
echo "same: $((n)) files and the stream"
