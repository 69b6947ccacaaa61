#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Live capture: files are written while the traffic flows (tf-reassemble
# and tf-split pass on what they have whenever their input pauses).
# NOT RUN BY THE TESTS: it needs root (or capture rights) and traffic.
# Stop it with ^C; the files written so far stay.
#
# usage: sh examples/live.sh IFACE [DIR [bindir]]
#   IFACE   the interface to capture on (any: all of them)
#   DIR     where the files go (default: flows)
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#
# The same with tf-reassemble capturing itself: tf-reassemble -i IFACE
# 'tcp port 80' | tf-split -o flows
set -eu
[ $# -ge 1 ] || { echo "usage: sh examples/live.sh IFACE [DIR [bindir]]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bin=${3:-$here/../build/bin}
if [ -n "${3:-}" ] || [ -d "$bin" ]; then
	bin=$(cd "$bin" && pwd)
	PATH=$bin:$PATH
fi
tcpdump -U -w - -i "$1" tcp | tf-reassemble | tf-split -o "${2:-flows}/" >/dev/null
