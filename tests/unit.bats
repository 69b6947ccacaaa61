# Unit tests written in C (tests/unit/), built into the bin directory
# under test with the programs.
bats_require_minimum_version 1.5.0

setup() {
	load helper
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
