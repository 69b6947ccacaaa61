# SPDX-License-Identifier: BSD-2-Clause
# Loaded by every bats file: puts the programs under test first on PATH,
# makes a pipeline fail when any of its stages does, and sends sanitizer
# reports to files that every test's teardown checks.
bats_require_minimum_version 1.5.0

# A pipeline fails when any stage does, not only when the last one does:
# "tf-reassemble | tf-split" fails when tf-reassemble exits 99 after a
# leak report, though tf-split read a good stream.  set -e does not see a
# pipeline in $(...) used as an argument (as in [ "$(a | b)" = x ] or
# local x=$(a | b)), in <(...) or in bash -c '...': tests run those as
# statements (x=$(a | b) alone is one), set -o pipefail in bash -c, or
# check ${PIPESTATUS[@]} where a stage is meant to fail.
set -o pipefail

# TF_BIN: a build's bin directory (default build/bin), with the test
# programs (pktgen, mkstream, pktdump, the unit tests, tf-bytes) and the
# programs under test.  TF_BINDIR: where the programs under test are
# instead, when they are installed (TF_BINDIR=/usr/bin: the Debian
# package's autopkgtest); TF_BIN then still gives the test programs
# (make testbins builds only those).
TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${TF_BIN:=$TOP/build/bin}"
: "${TF_BINDIR:=$TF_BIN}"
PATH="$TF_BINDIR:$TF_BIN:$PATH"
DATA=$TOP/tests/data
# ../shared, for the tests that need what only it has (the tcpdump
# corpus): they skip, saying why, when it is not there.
SHARED=$(cd "$TOP/../shared" 2>/dev/null && pwd) || SHARED=
# The DFXML schema, public domain (tests/data/dfxml/LICENSE.md), copied
# from ../shared/dfxml-schema so that every report is validated.  Its
# imports of the Dublin Core and XML schemas (ref/) are not copied:
# xmllint warns that it skips them, and takes dc: elements laxly.
XSD=$DATA/dfxml/dfxml.xsd

# ASan and LSan reports go to files in $SAN, one per process (log_path),
# and teardown fails the test when there is one: a report counts however
# the test ran the program, whatever became of its standard error and
# exit status.  UBSan in GCC's combined ASan+UBSan build writes to
# standard error all the same; its exit status, 99, fails the test.  A
# test that adds options keeps these: ASAN_OPTIONS=$ASAN_OPTIONS:...
SAN=$BATS_TEST_TMPDIR.san
mkdir -p "$SAN"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99:log_path=$SAN/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99:log_path=$SAN/ubsan

# asan_build: whether the programs under test are an ASan build.  (grep
# reads all of ldd's output: with grep -q, ldd could die of SIGPIPE, and
# under pipefail the build would seem plain.)
asan_build() {
	ldd "$(command -v tf-reassemble)" 2>/dev/null | grep libasan >/dev/null
}

# san_check: fails, showing them, when sanitizer reports were written
# during the test.  (bats runs teardown with set -e off: hence the
# explicit status.)
san_check() {
	local f st=0
	for f in "$SAN"/*; do
		[ -e "$f" ] || continue
		echo "sanitizer report $f:"
		cat "$f"
		st=1
	done
	return "$st"
}

# Every file has one teardown, and it calls san_check: this one, unless
# the file has its own, which must then call san_check itself.  (A file's
# teardown is defined before setup loads this file; bats's default is
# "return 0".)
tf_teardown=$(declare -f teardown)
if [[ $tf_teardown != *san_check* ]]; then
	if [[ ${tf_teardown//[$' \t\n']/} == 'teardown(){return0}' ]]; then
		teardown() {
			san_check
		}
	else
		echo "$BATS_TEST_FILENAME: its teardown must call san_check" >&2
		return 1
	fi
fi
unset tf_teardown

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

# catching SIG N PGID: wait (up to 20 s) until N tf programs of process
# group PGID catch signal number SIG, so that a signal sent now is one they
# handle, not the default action that kills a program still starting
# (dynamic linking, sanitizer start-up on a loaded machine).  With -p PID
# instead of PGID: that one process.
catching() {
	local i p m c pids
	for i in $(seq 400); do
		c=0
		if [ "$3" = -p ]; then
			pids=$4
		else
			pids=$(pgrep -g "$3" '^tf-' || true) # none yet: exit 1
		fi
		for p in $pids; do
			m=$(awk '$1 == "SigCgt:" { print $2 }' \
			    "/proc/$p/status" 2>/dev/null) || continue
			[ -n "$m" ] && (((16#$m >> ($1 - 1)) & 1)) && c=$((c + 1))
		done
		[ "$c" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "# only $c of $2 programs catch signal $1 after 20 s" >&3
	return 1
}
