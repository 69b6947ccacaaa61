# SPDX-License-Identifier: BSD-2-Clause
# The form of the tree: the C sources as .clang-format makes them, the
# manual pages as mandoc -Tlint accepts them.
bats_require_minimum_version 1.5.0

setup() {
	load helper
}

@test "style: every C source is as clang-format and .clang-format make it" {
	command -v clang-format >/dev/null ||
	    skip "clang-format is not installed (make deps installs it)"
	cd "$TOP"
	run -0 --separate-stderr make -s format-check
	[ -z "$stderr" ]
}

@test "style: every manual page passes mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	cd "$TOP"
	run -0 --separate-stderr mandoc -Tlint -W warning man/*.[157]
	[ -z "$output$stderr" ]
}
