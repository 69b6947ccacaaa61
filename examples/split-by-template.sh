#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Naming the files: tf-split's -T template and -F prefixes, on the bundled
# examples/rotated.pcap* (three connections, one after the other, on the
# same 4-tuple).  The stream is made once, saved, and split three ways.
#   -T '%T-%A.%a-%B.%b'    time first; as the template has no %c, %C%c is
#                          appended, so the reused 4-tuple gets c1 and c2
#   -T 'conn%#/%A.%a-%B.%b%C%c'  a directory per connection on the 4-tuple
#   -Fk                    the default names under 000/ (one directory per
#                          thousand files; -Fm and -Fg nest deeper)
#
# usage: sh examples/split-by-template.sh [bindir [outdir]]
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
echo '$ tf-reassemble -r rotated.pcap -r rotated.pcap1 -r rotated.pcap2 > stream.tfs'
tf-reassemble -r "$here/rotated.pcap" -r "$here/rotated.pcap1" \
    -r "$here/rotated.pcap2" >stream.tfs
echo
echo "\$ tf-split -o by-time -T '%T-%A.%a-%B.%b' < stream.tfs > /dev/null"
tf-split -o by-time -T '%T-%A.%a-%B.%b' <stream.tfs >/dev/null
sizes by-time
echo
echo "\$ tf-split -o by-conn -T 'conn%#/%A.%a-%B.%b%C%c' < stream.tfs > /dev/null"
tf-split -o by-conn -T 'conn%#/%A.%a-%B.%b%C%c' <stream.tfs >/dev/null
sizes by-conn
echo
echo '$ tf-split -o thousands -Fk < stream.tfs > /dev/null'
tf-split -o thousands -Fk <stream.tfs >/dev/null
sizes thousands
