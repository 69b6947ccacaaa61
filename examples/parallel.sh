#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# N shards over the cores of one host with GNU parallel, merged into the
# result of a single run.  Each shard reads the whole capture (rotated
# files are one capture: connections carry on across them, as with -r),
# keeps the connections of its shard (tf-reassemble -S K/N), and runs its
# own tf-http and tf-split in its own directory, shards/K; tf-merge reads
# the N streams from FIFOs, as they come, and tf-report writes one report.
# Then the shards' files are moved together into objects/ and flows/, and
# the example checks that files and report are those of one process.
#
# usage: bash examples/parallel.sh [bindir [outdir [n [capture ...]]]]
#   bindir   where the programs are (default: build/bin of this tree, else PATH)
#   outdir   a new directory for the output (default: a fresh
#            ${TMPDIR:-/tmp}/tf-parallel.XXXXXX, kept for you to look at)
#   n        shards (default 4)
#   capture  capture files, in order, one capture (default: the bundled
#            rotated.pcap, .pcap1, .pcap2)
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

# One shard, run by parallel: shard K N OUT CAPTURE...
if [ "${1:-}" = --shard ]; then
	k=$2 n=$3 out=$4
	shift 4
	# The FIFO first: tf-merge waits on it, whatever fails after.
	exec >"$out/s$k.fifo"
	mkdir -p "$out/shards/$k"
	cd "$out/shards/$k"
	rargs=
	for f in "$@"; do
		rargs="$rargs -r $f"
	done
	# shellcheck disable=SC2086 # the capture names were made absolute
	tf-reassemble -q -S "$k/$n" $rargs | tf-http -o objects | tf-split -o flows
	exit
fi

example_setup tf-parallel "${1:-}" ${2:+"$2"}
n=${3:-4}
if [ $# -gt 3 ]; then
	shift 3
else
	set -- "$here/rotated.pcap" "$here/rotated.pcap1" "$here/rotated.pcap2"
fi
caps=
for f in "$@"; do
	case $f in
	/*) ;;
	*) f=$OLDPWD/$f ;;
	esac
	case $f in
	*[!A-Za-z0-9_./-]*)
		echo "parallel.sh: capture names of letters, digits, _ . / -" >&2
		exit 2
		;;
	esac
	caps="$caps $f"
done
command -v parallel >/dev/null || {
	echo "parallel.sh: GNU parallel is needed (apt-get install parallel)" >&2
	exit 1
}

echo "output in $out, $n shards"
k=0
fifos=
while [ "$k" -lt "$n" ]; do
	mkfifo "s$k.fifo"
	fifos="$fifos s$k.fifo"
	k=$((k + 1))
done
# tf-merge reads the shards while they run; parallel runs one per core.
# shellcheck disable=SC2086
tf-merge $fifos | tf-report >report.xml &
merge=$!
# shellcheck disable=SC2086
seq 0 $((n - 1)) | parallel -j "$n" --halt now,fail=1 -q \
    bash "$here/parallel.sh" --shard {} "$n" "$out" $caps
wait "$merge"
rm -f $fifos
mkdir -p objects flows
for d in shards/*/; do
	for sub in objects flows; do
		if [ -d "$d$sub" ]; then
			find "$d$sub" -mindepth 1 -maxdepth 1 -exec mv {} "$sub/" \;
		fi
	done
done
rm -r shards
echo "$(find flows -type f | wc -l) flow files, $(find objects -type f | wc -l) body files, report.xml"

# The same in one process, to compare.
mkdir single
(
	cd single
	rargs=
	for f in $caps; do
		rargs="$rargs -r $f"
	done
	# shellcheck disable=SC2086
	tf-reassemble -q $rargs | tf-http -o objects | tf-split -o flows |
	    tf-report >report.xml
)
# Reports differ only in facts of the run: commands, start times,
# resource usage.
facts() {
	sed -e '/<rusage>/,/<\/rusage>/d' \
	    -e '/<tcpflow:stream \|<tcpflow:command \|<command_line>\|<start_time>/d' "$1"
}
if diff -r flows single/flows >/dev/null &&
    diff -r objects single/objects >/dev/null &&
    diff <(facts report.xml) <(facts single/report.xml) >/dev/null; then
	echo "same files and report as one process"
else
	echo "parallel.sh: the shards' result differs from one process's" >&2
	exit 1
fi
