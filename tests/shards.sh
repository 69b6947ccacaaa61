#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# For make bench (tests/bench.sh): N shards of one capture at once, each
# tf-reassemble -S k/N | tf-split -o OUT/k; with "whole", tf-merge reads
# their streams from FIFOs into tf-report too.  Fails when any program
# does.
#
#   bash tests/shards.sh BINDIR CAPTURE N OUT split|whole
set -eu -o pipefail
bin=$1 cap=$2 n=$3 out=$4 mode=$5
mkdir -p "$out"
pids=() fifos=()
if [ "$mode" = whole ]; then
	for ((k = 0; k < n; k++)); do
		mkfifo "$out/f$k"
		fifos+=("$out/f$k")
	done
	"$bin/tf-merge" "${fifos[@]}" | "$bin/tf-report" >/dev/null &
	pids+=($!)
fi
for ((k = 0; k < n; k++)); do
	dest=/dev/null
	[ "$mode" != whole ] || dest=$out/f$k
	"$bin/tf-reassemble" -q -S "$k/$n" -r "$cap" |
	    "$bin/tf-split" -q -o "$out/$k" >"$dest" &
	pids+=($!)
done
st=0
for p in "${pids[@]}"; do
	wait "$p" || st=1
done
exit "$st"
