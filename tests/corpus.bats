# SPDX-License-Identifier: BSD-2-Clause
# The shared corpus of tcpdump's test captures, many of them malformed, each
# through tf-reassemble | tf-split: never a crash, a sanitizer report or an
# undocumented message.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# check FILE HOW: runs FILE through tf-reassemble -q | tf-split, the capture
# on standard input (HOW "stdin") or named with -r; prints why it failed,
# or nothing.
check() {
	local f=$1 how=$2 name q l
	local -a st

	rm -rf out
	if [ "$how" = stdin ]; then
		name="standard input" q="standard input"
		tf-reassemble -q <"$f" 2>r.err | tf-split -o out >/dev/null 2>s.err
	else
		name="'$f'" q="'$f'"
		tf-reassemble -q -r "$f" </dev/null 2>r.err |
		    tf-split -o out >/dev/null 2>s.err
	fi
	st=("${PIPESTATUS[@]}")
	case ${st[0]} in
	0)	if [ -s r.err ]; then
			echo "tf-reassemble exit 0 with a message"
			return
		fi ;;
	1)	l=$(cat r.err)
		if [ "$(wc -l <r.err)" != 1 ]; then
			echo "tf-reassemble exit 1, not one line"
			return
		fi
		# The forms tf-reassemble(1) and the README document.
		case $l in
		"tf-reassemble: $q: unsupported link type "[0-9]*" ("*")") ;;
		"tf-reassemble: $name: not a packet capture ("*")") ;;
		"tf-reassemble: $name: empty input, not a packet capture") ;;
		"tf-reassemble: $q: truncated capture after packet "[0-9]*": "*) ;;
		"tf-reassemble: $q: libpcap refuses the capture after packet "[0-9]*": "*) ;;
		"tf-reassemble: $q: unreadable pcapng after packet "[0-9]*": "*) ;;
		"tf-reassemble: $q: interface "[0-9]*" has link type "[0-9]*" ("*"), not decoded: its packets are skipped") ;;
		*)	echo "undocumented message"
			return ;;
		esac ;;
	*)	echo "tf-reassemble exit ${st[0]}"
		return ;;
	esac
	# tf-split reads the stream to its end, or nothing at all: then it
	# fails quietly, tf-reassemble having said why.
	if [ "${st[1]}" = 0 ]; then
		[ -s s.err ] && echo "tf-split exit 0 with a message"
	elif [ "${st[1]}" = 1 ] && [ "${st[0]}" = 1 ] && [ ! -e out ] &&
	    [ ! -s s.err ]; then
		:
	else
		echo "tf-split exit ${st[1]}"
	fi
}

# corpus DIR: checks every file in DIR, alternately on standard input and
# with -r; one line for each that failed, then the number of files.  Under
# ASan, unless TF_FULL=1 (make check-full), two files of every eight (one
# each way), to keep make check within 15 minutes on two cores: the plain
# build still takes every file.
corpus() {
	local f n=0 why sample=0

	if [ "${TF_FULL:-}" != 1 ] && asan_build; then
		sample=1
	fi
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		[ $sample = 0 ] || [ $(((n - 1) / 2 % 4)) = 0 ] || continue
		if [ $((n % 2)) = 0 ]; then
			why=$(check "$f" stdin)
		else
			why=$(check "$f" r)
		fi
		if [ -n "$why" ]; then
			echo "${f##*/}: $why: $(head -c 200 r.err s.err | tr '\n' ' ')"
		fi
	done
	echo "$n files"
}

@test "corpus: every tcpdump test capture through tf-reassemble | tf-split" {
	[ -n "$SHARED" ] && [ -d "$SHARED/pcaps/tcpdump" ] ||
	    skip "no shared tcpdump captures (../shared/pcaps/tcpdump)"
	run -0 --separate-stderr corpus "$SHARED/pcaps/tcpdump"
	[ -z "$stderr" ]
	[ "${#lines[@]}" = 1 ]
	[[ ${lines[0]} =~ ^[0-9]+" files"$ ]]
	[ "${lines[0]% files}" -gt 100 ]
}
