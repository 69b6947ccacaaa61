#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs the bats suite once per build directory given (build/bin, then the
# ASan+UBSan build), the runs side by side (a suite keeps about one core
# busy, and make check is meant for a 2-core machine), then prints each
# run's log in turn and ends with one line: N passed, N failed[, N
# skipped].  TF_SERIAL=1 runs them one after the other.  TF_FULL=1 (make
# check-full) makes tests/faults.bats try every cut, not a sample;
# TF_BINDIR, the programs under test when installed (tests/helper.bash).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
logs= pids= i=0
for bin in "$@"; do
	case $bin in /*) ;; *) bin=$top/$bin ;; esac
	i=$((i + 1))
	log=$(mktemp)
	logs="$logs $log"
	echo "$bin" >"$log.bin"
	if [ "${TF_SERIAL:-0}" = 1 ]; then
		TF_BIN=$bin bats --tap "$top"/tests/*.bats >"$log" 2>&1
	else
		TF_BIN=$bin bats --tap "$top"/tests/*.bats >"$log" 2>&1 &
		pids="$pids $!"
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
