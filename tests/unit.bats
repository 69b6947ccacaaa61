# SPDX-License-Identifier: BSD-2-Clause
# Unit tests written in C (tests/unit/), built into the bin directory
# under test with the programs.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# tap PROGRAM: runs a TAP-writing unit test; every check passes, and as
# many ran as its plan says.
tap() {
	run -0 --separate-stderr "$1"
	[ -z "$stderr" ]
	[[ ${lines[-1]} =~ ^1\.\.[0-9]+$ ]]
	[ "${lines[-1]#1..}" -gt 0 ]
	for l in "${lines[@]}"; do
		[[ $l =~ ^(ok\ [0-9]+\ -\ .+|1\.\.[0-9]+)$ ]]
	done
	[ "$(grep -c '^ok ' <<<"$output")" = "${lines[-1]#1..}" ]
}

@test "unit: pkt_test, the packet decoder and fragments" {
	tap pkt_test
}

@test "unit: core_test, the JSON rule, http.message, escaping, SipHash, media types" {
	run -0 --separate-stderr core_test
	[ -z "$stderr" ]
	[[ $output =~ ^core_test:\ [0-9]+\ checks,\ 0\ failed$ ]]
	# Every case ran: the round trips alone make 20,000 and 2,000 x 12.
	n=${output#core_test: }
	[ "${n%% *}" -gt 60000 ]
}

@test "unit: the http.message members in tf-stream(5) are lib/httpmsg.h's" {
	run -0 --separate-stderr core_test --fields
	[ "${#lines[@]}" -eq 39 ]
	# The table between the two comment lines of the man page.
	sed -n '/http.message fields begin/,/http.message fields end/p' \
	    "$TOP/man/tf-stream.5" |
	    sed -n 's/^\.It \([a-z0-9_]*\) Ta \([a-z]*\) Ta .*/\1 \2/p' >man
	diff man - <<<"$output"
}
