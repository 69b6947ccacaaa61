# Loaded by every bats file: puts the programs under test first on PATH.
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${TF_BIN:=$TOP/build/bin}"
PATH="$TF_BIN:$PATH"
DATA=$TOP/tests/data
SHARED=$(cd "$TOP/../shared" 2>/dev/null && pwd) || SHARED=
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99

# Runs pktgen SCENARIO into $BATS_TEST_TMPDIR/SCENARIO.pcap and its
# expected files into $BATS_TEST_TMPDIR/SCENARIO.expected/.
gen() {
	mkdir -p "$BATS_TEST_TMPDIR/$1.expected"
	pktgen -e "$BATS_TEST_TMPDIR/$1.expected" "$1" >"$BATS_TEST_TMPDIR/$1.pcap"
}

# Asserts that two directories hold the same file names with the same bytes
# (pktgen's MANIFEST aside).
same_tree() {
	diff -r -x MANIFEST "$1" "$2"
}
