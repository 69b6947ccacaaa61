#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs the bats suite once per build directory given (build/bin, then the
# ASan+UBSan build), the runs side by side (a suite keeps about one core
# busy, and make check is meant for a 2-core machine), then prints each
# run's log in turn and ends with one line: N passed, N failed[, N
# skipped].  An ASan build, whose suite takes about twice as long, runs as
# two halves side by side, so that the plain suite and the two halves
# keep both cores busy to the end.  TF_SERIAL=1 runs everything one after
# the other.  TF_FULL=1 (make check-full) makes tests/faults.bats try
# every cut, not a sample; TF_BINDIR, the programs under test when
# installed (tests/helper.bash).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
logs= pids= i=0

# The test files, the longest first (as measured under ASan), the others
# after them; the halves take them in turn.
heavy='faults tf-http corpus shard tf-report tf-reassemble filter signals
caps tcpflow stream hostile-http report-html tf-split pcapng paths
hostile-stream pipeline live habits'
files=
for h in $heavy; do
	[ -f "$top/tests/$h.bats" ] && files="$files $top/tests/$h.bats"
done
for f in "$top"/tests/*.bats; do
	case " $files " in *" $f "*) ;; *) files="$files $f" ;; esac
done
half1= half2= n=0
for f in $files; do
	n=$((n + 1))
	if [ $((n % 2)) = 1 ]; then half1="$half1 $f"; else half2="$half2 $f"; fi
done

# run BIN LABEL FILES...: one bats run, its log noted in $logs.
run() {
	rbin=$1 label=$2
	shift 2
	log=$(mktemp)
	logs="$logs $log"
	echo "$label" >"$log.bin"
	if [ "${TF_SERIAL:-0}" = 1 ]; then
		TF_BIN=$rbin bats --tap "$@" >"$log" 2>&1
	else
		TF_BIN=$rbin bats --tap "$@" >"$log" 2>&1 &
		pids="$pids $!"
	fi
}

for bin in "$@"; do
	case $bin in /*) ;; *) bin=$top/$bin ;; esac
	i=$((i + 1))
	# (grep reads all of ldd's output: see asan_build in helper.bash.)
	if ldd "$bin/tf-reassemble" 2>/dev/null | grep libasan >/dev/null; then
		# shellcheck disable=SC2086 # lists of file names without spaces
		run "$bin" "$bin (first half)" $half1
		# shellcheck disable=SC2086
		run "$bin" "$bin (second half)" $half2
	else
		run "$bin" "$bin" "$top"/tests/*.bats
	fi
done
for p in $pids; do
	wait "$p"
done
for log in $logs; do
	echo "== test suite with $(cat "$log.bin")"
	cat "$log"
	p=$(grep -c '^ok .*' "$log" | tr -d ' ')
	s=$(grep -c '^ok .* # skip' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	if ! grep -q '^1\.\.[0-9]' "$log"; then
		echo "bats did not run: see above"
		f=$((f + 1))
	fi
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	rm -f "$log" "$log.bin"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
