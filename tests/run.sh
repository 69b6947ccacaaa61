#!/bin/sh
# Runs the bats suite once per build directory given (build/bin, then the
# ASan+UBSan build), and ends with one line: N passed, N failed[, N skipped].
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
for bin in "$@"; do
	case $bin in /*) ;; *) bin=$top/$bin ;; esac
	echo "== test suite with $bin"
	log=$(mktemp)
	TF_BIN=$bin bats --tap "$top"/tests/*.bats >"$log" 2>&1
	cat "$log"
	p=$(grep -c '^ok .*' "$log" | tr -d ' ')
	s=$(grep -c '^ok .* # skip' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	if ! grep -q '^1\.\.[0-9]' "$log"; then
		echo "bats did not run: see above"
		f=$((f + 1))
	fi
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	rm -f "$log"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
