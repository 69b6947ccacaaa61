# SPDX-License-Identifier: BSD-2-Clause
# The bash completion (completion/tf.bash; the installed copy when the
# programs under test are installed next to it): sourced in a bash of
# its own, asked with COMP_WORDS and COMP_CWORD as bash asks it.  Every
# option each program's -h lists is offered, and only those; -T offers
# the template variables of tf-split(1), -i the interfaces, -F the
# prefixes, -o directories.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	COMPLETION=$TOP/completion/tf.bash
	inst=$TF_BINDIR/../share/bash-completion/completions/tf-reassemble
	if [ "$TF_BINDIR" != "$TF_BIN" ] && [ -e "$inst" ]; then
		COMPLETION=$inst
	fi
	cd "$BATS_TEST_TMPDIR"
}

# comp WORD...: what the completion offers for the last WORD, one per
# line, sorted.
comp() {
	bash -c '
	. "$1" || exit 1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	spec=$(complete -p "$1")
	f=${spec#*-F }
	f=${f%% *}
	"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf "%s\n" "${COMPREPLY[@]}"' comp "$COMPLETION" "$@" |
	    LC_ALL=C sort
}

# helpopts PROG: the options PROG -h lists, one per line, sorted.
helpopts() {
	"$1" -h | sed -n 's/^  \(-[A-Za-z]\)\(, \(--[a-z]*\)\)\{0,1\} .*/\1\n\3/p' |
	    sed '/^$/d' | LC_ALL=C sort
}

@test "completion: each program is completed by it" {
	for p in tf-reassemble tf-split tf-http tf-report tf-cat tf-merge tf-tls; do
		run -0 bash -c '. "$1" && complete -p "$2"' x "$COMPLETION" "$p"
		[[ $output == "complete -F "*" $p" ]]
	done
}

@test "completion: the options, exactly those each program's -h lists" {
	for p in tf-reassemble tf-split tf-http tf-report tf-cat tf-merge tf-tls; do
		want=$(helpopts "$p")
		[ "$(wc -l <<<"$want")" -ge 5 ]
		diff -u <(echo "$want") <(comp "$p" -)
		# After another option and its argument too.
		o=-C
		[ "$p" != tf-cat ] || o=-n
		diff -u <(echo "$want") <(comp "$p" "$o" 10 -)
	done
	[ "$(comp tf-cat -x)" = "-x" ]
	[ "$(comp tf-http --v)" = "--version" ]
}

@test "completion: -T, the template variables of tf-split(1)" {
	vars='%# %% %A %B %C %E %G %K %M %N %S %T %V %a %b %c %e %t %v'
	# Every variable the manual page lists, and no other.
	man=$(sed -n 's/^\.It Li \(.*\) Ta .*/\1/p' "$TOP/man/tf-split.1" |
	    tr -d '\\&,' | tr ' ' '\n' | sed -n '/^%/p' | LC_ALL=C sort -u |
	    tr '\n' ' ')
	[ "$man" = "$vars " ]
	for p in tf-split tf-http; do
		got=$(comp "$p" -T '' | tr '\n' ' ')
		[ "$got" = "$(printf '%s\n' $vars '%A.%a-%B.%b%V%v%C%c' |
		    LC_ALL=C sort | tr '\n' ' ')" ]
		# A '%' begins a variable; after a whole one, any may follow.
		[ "$(comp "$p" -T '%A.%' | tr '\n' ' ')" = \
		    "$(for v in $vars; do printf '%%A.%s ' "$v"; done)" ]
		[ "$(comp "$p" -T 'x-%a' | wc -l)" = 19 ]
		[ "$(comp "$p" -T 'x-%a' | sed -n 1p)" = "x-%a%#" ]
		[ "$(comp "$p" -o out -T '%T.%' | grep -c '^%T\.%[A-Za-z#%]$')" = 19 ]
	done
}

@test "completion: -i, the interfaces and any" {
	run -0 comp tf-reassemble -i ''
	[[ $'\n'$output$'\n' == *$'\n'any$'\n'* ]]
	[[ $'\n'$output$'\n' == *$'\n'lo$'\n'* ]]
	for i in /sys/class/net/*; do
		[[ $'\n'$output$'\n' == *$'\n'"${i##*/}"$'\n'* ]]
	done
	[ "$(comp tf-reassemble -q -i l)" = lo ]
}

@test "completion: option arguments: files, directories, users, -F prefixes" {
	mkdir d1 d2
	touch cap.pcap cap.pcapng
	[ "$(comp tf-reassemble -r ca | tr '\n' ' ')" = "cap.pcap cap.pcapng " ]
	[ "$(comp tf-split -o d | tr '\n' ' ')" = "d1 d2 " ]
	[ "$(comp tf-http -o '' | tr '\n' ' ')" = "d1 d2 " ]
	[ "$(comp tf-report -o c | tr '\n' ' ')" = "cap.pcap cap.pcapng " ]
	[ "$(comp tf-report -t '' | tr '\n' ' ')" = "html json text xml " ]
	[ "$(comp tf-split -F '' | tr '\n' ' ')" = "T g k m t " ]
	[ "$(comp tf-reassemble -Z roo)" = root ]
	# Numbers: nothing offered.
	[ -z "$(comp tf-reassemble -B '')" ]
	[ -z "$(comp tf-cat -f '')" ]
}

@test "completion: after the options: capture files with -l, a filter's words, flow files" {
	touch cap.pcap
	[ "$(comp tf-reassemble -l c)" = cap.pcap ]
	[ "$(comp tf-reassemble -ql c)" = cap.pcap ]
	[ "$(comp tf-reassemble -r cap.pcap po | tr '\n' ' ')" = "port portrange " ]
	[ "$(comp tf-reassemble tcp a)" = and ]
	# Past the first word that is not an option, no option.
	[ -z "$(comp tf-reassemble tcp -)" ]
	[ "$(comp tf-http c)" = cap.pcap ]
	[ -z "$(comp tf-cat c)" ]
}
