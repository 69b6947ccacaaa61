# SPDX-License-Identifier: BSD-2-Clause
# Sourced by the examples, after setting here to their directory:
#
#	here=$(cd "$(dirname "$0")" && pwd)
#	. "$here/common.sh"
#	example_setup NAME "$@"
#
# example_setup NAME [bindir [outdir]]: puts bindir (default: build/bin of
# this tree; when there is none, as for the installed examples, the
# programs on PATH) first on PATH, makes outdir (default: a fresh
# ${TMPDIR:-/tmp}/NAME.XXXXXX, kept for you to look at), goes there and
# sets out to it.
example_setup() {
	name=$1
	shift
	bin=${1:-$here/../build/bin}
	if [ -n "${1:-}" ] || [ -d "$bin" ]; then
		bin=$(cd "$bin" && pwd)
		PATH=$bin:$PATH
	fi
	if [ $# -ge 2 ]; then
		mkdir "$2"
		out=$(cd "$2" && pwd)
	else
		out=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
	fi
	cd "$out"
}
