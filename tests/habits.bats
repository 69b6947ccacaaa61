# SPDX-License-Identifier: BSD-2-Clause
# Command-line habits every tf program shares: -h and -V, one failure one
# message, output directories and files that cannot be (over)written, a
# terminal never read as a capture or a stream, and tf-reassemble's -l and
# its hint for a file taken as a filter.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

PROGS="tf-reassemble tf-split tf-http tf-report tf-cat"

@test "-h and --help: the usage line, what the program does, a line per option; exit 0" {
	for p in $PROGS; do
		run -0 --separate-stderr "$p" -h
		[ -z "$stderr" ]
		[[ ${lines[0]} == "usage: $p "* ]]
		# The usage line, folded at 80 columns as on a usage error,
		# then a sentence, then an empty line.  (bats's lines[] skips
		# empty lines: the text has them.)
		$p -h >help
		$p -y 2>&1 >/dev/null | sed -n '/^usage:/,$p' >usage || true
		n=$(wc -l <usage)
		[ "$n" -ge 1 ]
		head -n "$n" help | cmp - usage
		[[ $(sed -n "$((n + 1))p" help) =~ ^[A-Z].*\.$ ]]
		[ -z "$(sed -n "$((n + 2))p" help)" ]
		[ "$(awk '{ if (length($0) > 80) print }' help)" = "" ]
		# Every option of the usage line has its line.
		syn=$(head -n "$n" help | tr -s ' \n' ' ')
		for o in $(grep -oE '\[-[a-zA-Z]+\]' <<<"$syn" | tr -d '[]-' | fold -w1) \
		    $(grep -oE '\[-[a-zA-Z] ' <<<"$syn" | tr -d '[- '); do
			grep -qE "^  -$o[ ,]" help || { echo "$p: no line for -$o"; false; }
		done
		run -0 --separate-stderr "$p" --help
		[ "$output" = "$(cat help)" ]
	done
}

@test "-V and --version: tf's version and the libraries loaded; exit 0" {
	# VERSION, or past a release tag what git describe says of it
	# (0.1.0-3-g1234abc, 0.1.0-dirty).
	ver=$(cat "$TOP/VERSION")
	[[ $ver =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	for p in $PROGS; do
		run -0 --separate-stderr "$p" -V
		[ -z "$stderr" ]
		[[ ${lines[0]} == "$p $ver" || ${lines[0]} == "$p $ver-"* ]]
		run -0 --separate-stderr "$p" --version
		[[ ${lines[0]} == "$p $ver" || ${lines[0]} == "$p $ver-"* ]]
	done
	run -0 tf-reassemble -V
	[[ ${lines[1]} == "libpcap version "* ]]
	run -0 tf-http -V
	[ "${lines[1]}" = "zlib $(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')" ]
	[[ ${lines[2]} == "brotli "* ]] && [[ ${lines[3]} == "zstd "* ]]
	[[ ${lines[4]} == "OpenSSL "* ]]
	run -0 tf-report -V
	[[ ${lines[1]} == "libxml2 "* ]]
}

@test "tf-reassemble -l: the words are capture files, read as one capture" {
	cp "$DATA"/real/http.pcap a.pcap
	cp "$DATA"/real/rst.pcap b.pcap
	tf-reassemble -q -r a.pcap -r b.pcap | tf-cat -s >want
	tf-reassemble -q -l ./*.pcap | tf-cat -s >got
	diff want got
	tf-reassemble -q -l a.pcap b.pcap | tf-split -o l
	tf-reassemble -q -r a.pcap -r b.pcap | tf-split -o r
	same_tree r l
}

@test "a filter that names a file: tf-reassemble says did you mean -r" {
	cp "$DATA"/real/http.pcap cap.pcap
	run -2 --separate-stderr tf-reassemble -r cap.pcap cap.pcap
	[ "$stderr" = "tf-reassemble: bad filter expression 'cap.pcap': can't parse filter expression: syntax error (did you mean -r cap.pcap?)" ]
	run -1 --separate-stderr tf-reassemble cap.pcap </dev/null
	[ "$stderr" = "tf-reassemble: standard input: empty input, not a packet capture (did you mean -r cap.pcap?)" ]
	run -1 --separate-stderr tf-reassemble a.pcap cap.pcap </dev/null
	[ "$stderr" = "tf-reassemble: standard input: empty input, not a packet capture (did you mean -r cap.pcap, or -l for several?)" ]
}

@test "a terminal is never read as a capture or a stream: a hint at once" {
	command -v script >/dev/null || skip "script(1) is not installed"
	cp "$DATA"/real/http.pcap cap.pcap
	script -qec "tf-reassemble cap.pcap >/dev/null" ts >/dev/null || true
	grep -aqxF $'tf-reassemble: refusing to read a capture from a terminal: give it with -r FILE or on standard input (did you mean -r cap.pcap?)\r' ts
	for p in tf-split tf-http tf-report tf-cat; do
		script -qec "$p >/dev/null" ts >/dev/null || true
		grep -aqxF "$p: refusing to read the binary stream from a terminal: pipe tf-reassemble into $p"$'\r' ts
	done
}

@test "one failure, one message: programs after a failed one add nothing" {
	echo 'not a capture' >bad.pcap
	run bash -c 'set -o pipefail
	    tf-reassemble -r bad.pcap | tf-http -o h | tf-split -o f | tf-cat; echo "${PIPESTATUS[*]}"'
	[ "${lines[-1]}" = "1 1 1 1" ]
	[ "${#lines[@]}" = 2 ]
	[[ ${lines[0]} == "tf-reassemble: 'bad.pcap': not a packet capture "* ]]
	# A stream cut upstream: said once; the report says it is cut.
	# (The capture in the working directory: the command annotation
	# names it, and the offsets depend on its length.)
	cp "$DATA"/real/http.pcap cap.pcap
	tf-reassemble -q -r cap.pcap >s.tfs
	run bash -c 'head -c 1000 s.tfs | tf-http -o h2 | tf-split -o f2 |
	    tf-report -o r.xml; echo "${PIPESTATUS[*]}"'
	[ "${lines[-1]}" = "0 1 0 0" ]
	[ "${#lines[@]}" = 2 ]
	[ "${lines[0]}" = "tf-http: stream cut short inside the record at byte 447" ]
	[ "$(xmllint --xpath "string(//*[local-name()='summary']/@status)" r.xml)" = cut ]
}

@test "existing files: the next free counter, three lines, then one line with the count; tf-report -o keeps an existing report" {
	pktgen bench-short 20 >c.pcap
	tf-reassemble -q -r c.pcap >s.tfs
	tf-split -o f <s.tfs
	# Taken names: the next free counter, three lines, then the count.
	run -0 --separate-stderr tf-split -o f <s.tfs
	[ "${#stderr_lines[@]}" = 4 ]
	[[ ${stderr_lines[2]} == "tf-split: 'f/"*"' exists: connection "*" written to 'f/"*"c1'" ]]
	[ "${stderr_lines[3]}" = "tf-split: 40 files named with the next free counter: their names existed" ]
	[ "$(ls f | grep -c 'c1$')" = 40 ]
	[ "$(ls f | wc -l)" = 80 ]
	# -q does not hush them.
	err=$stderr
	run -0 --separate-stderr tf-split -q -o f <s.tfs
	[ "$stderr" = "${err//c1\'/c2\'}" ]
	tf-report -o r.xml <s.tfs
	run -1 --separate-stderr tf-report -o r.xml <s.tfs
	[ "$stderr" = "tf-report: 'r.xml' exists: not overwritten (-f overwrites it)" ]
	cp r.xml before.xml
	tf-report -f -o r.xml <s.tfs
	xmllint --noout r.xml
	! cmp -s before.xml r.xml
}

@test "an output directory that cannot be written in: one error at the start" {
	tf-reassemble -q -r "$DATA"/real/http.pcap >s.tfs
	unshare -m true 2>/dev/null || skip "no mount namespace here (unshare -m)"
	run unshare -m bash -c '
	    mkdir ro && mount -t tmpfs -o ro tmpfs ro || exit 77
	    tf-split -o ro <s.tfs 2>e1; echo $? >st1
	    tf-http -o ro <s.tfs >/dev/null 2>e2; echo $? >st2
	    tf-split -o ro/new <s.tfs 2>e3; echo $? >st3'
	[ "$status" != 77 ] || skip "cannot mount a read-only tmpfs here"
	[ "$status" = 0 ]
	[ "$(cat st1 st2 st3 | tr '\n' ' ')" = "1 1 1 " ]
	[ "$(cat e1)" = "tf-split: cannot write in output directory 'ro': Read-only file system" ]
	[ "$(cat e2)" = "tf-http: cannot write in output directory 'ro': Read-only file system" ]
	[ "$(cat e3)" = "tf-split: cannot open output directory 'ro/new': Read-only file system" ]
}

@test "loss is never silent: tf-reassemble and tf-http sum up, a clean run says nothing" {
	gen gap-lost
	tf-reassemble -r gap-lost.pcap >/dev/null 2>err
	[ "$(cat err)" = "tf-reassemble: 660 bytes lost in 2 gaps (lost 2)" ]
	tf-reassemble -q -r gap-lost.pcap >/dev/null 2>err
	[ ! -s err ]
	gen basic
	tf-reassemble -r basic.pcap >/dev/null 2>err
	[ ! -s err ]
	gen snaplen
	tf-reassemble -r snaplen.pcap >/dev/null 2>err
	[ "$(cat err)" = "tf-reassemble: 4 segments cut by the snaplen, 3116 bytes lost in 4 gaps (snaplen 4)" ]
	# A stream cut inside the chunked body of a POST: the cut said
	# once, then the body counted.  (The capture here: the command
	# annotation names it, and the offsets depend on its length.)
	cp "$DATA"/http/codings.pcap codings.pcap
	tf-reassemble -q -r codings.pcap >c.tfs
	head -c 4900 c.tfs >cut.tfs
	run -1 --separate-stderr tf-http -o h <cut.tfs
	[ "$stderr" = "tf-http: stream cut short inside the record at byte 4893
tf-http: 1 of 8 bodies not whole: 1 cut" ]
	run -1 --separate-stderr tf-http -q -o h2 <cut.tfs
	[ "$stderr" = "tf-http: stream cut short inside the record at byte 4893" ]
}
