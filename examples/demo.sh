#!/bin/sh
# The tf pipeline on the bundled capture examples/http.pcap: one HTTP/1.1
# keep-alive connection on loopback with two GETs (317 bytes of text, then
# 3000 binary bytes).  tf-reassemble turns the capture into the record
# stream, tf-split writes one file per direction and passes the stream on,
# annotated with the paths it wrote; tf-cat shows the records.
#
# usage: sh examples/demo.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-demo.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
PATH=$bin:$PATH
if [ $# -ge 2 ]; then
	mkdir "$2"
	out=$(cd "$2" && pwd)
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/tf-demo.XXXXXX")
fi
cd "$out"

# sizes DIR: the files under DIR with their sizes in bytes.
sizes() {
	find "$1" -type f | LC_ALL=C sort | while IFS= read -r f; do
		printf '%8d  %s\n' "$(($(wc -c <"$f")))" "$f"
	done
}

echo "output in $out"
echo
echo '$ tf-reassemble < examples/http.pcap | tf-split -o flows > stream.tfs'
tf-reassemble <"$here/http.pcap" | tf-split -o flows >stream.tfs
sizes flows
echo
echo '$ tf-cat -n 40 < stream.tfs | head -n 8'
tf-cat -n 40 <stream.tfs | sed -n 1,8p
