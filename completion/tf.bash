# SPDX-License-Identifier: BSD-2-Clause
# bash completion for tf-reassemble, tf-split, tf-http, tf-report,
# tf-cat, tf-merge and tf-tls: their options (as -h lists them), the words each option's
# argument takes (files, directories, interfaces for -i, users for -Z,
# template variables after -T, the prefixes of -F), and what follows the
# options (capture files with tf-reassemble -l, flow files for tf-http, a
# BPF filter's first words for tf-reassemble).
#
# Installed as share/bash-completion/completions/tf-reassemble, the other
# programs' names linked to it; bash-completion loads it on first use.  It
# needs only bash: sourced alone, it completes too (tests/completion.bats
# does so).

# The options of each program, those that take an argument apart.
_tf_opts_tf_reassemble='-h -l -p -q -V --help --version'
_tf_args_tf_reassemble='-B -b -C -i -m -r -S --shard -s -t -W --split -w -Z'
_tf_opts_tf_split='-h -q -V --help --version'
_tf_args_tf_split='-C -f -F -o -T'
_tf_opts_tf_http='-A -h -j -k -q -s -V --help --version'
_tf_args_tf_http='-C -F -H -M -m -n -o -R -T -w'
_tf_opts_tf_report='-f -h -j -s -V --help --version'
_tf_args_tf_report='-C -o -t -z'
_tf_opts_tf_cat='-a -c -h -j -s -V -x --help --version'
_tf_args_tf_cat='-f -n'
_tf_opts_tf_merge='-h -V --help --version'
_tf_args_tf_merge='-C'
_tf_opts_tf_tls='-h -j -K -q -V --help --version'
_tf_args_tf_tls='-C -k'

# The variables of name templates, tf-split(1): -T.
_tf_tmpl_vars='%A %a %B %b %T %t %V %v %C %c %# %N %K %M %G %S %E %e %%'
_tf_tmpl_default='%A.%a-%B.%b%V%v%C%c'

# _tf_interfaces: the network interfaces, and "any".
_tf_interfaces() {
	local i
	echo any
	if [ -d /sys/class/net ]; then
		for i in /sys/class/net/*; do
			[ -e "$i" ] && echo "${i##*/}"
		done
	elif command -v ip >/dev/null 2>&1; then
		ip -o link show 2>/dev/null |
		    sed -n 's/^[0-9]*: \([^:@ ]*\).*/\1/p'
	fi
}

# _tf_template CUR: CUR followed by each template variable (a '%' CUR ends
# with is the start of one).
_tf_template() {
	local cur=$1 base v IFS=$' \t\n'
	base=$cur
	# An odd run of '%' at the end: the last one begins a variable.
	local t=${cur##*[!%]}
	if [ $((${#t} % 2)) = 1 ]; then
		base=${cur%\%}
	fi
	[ -z "$cur" ] && echo "$_tf_tmpl_default"
	for v in $_tf_tmpl_vars; do
		echo "$base$v"
	done
}

# _tf_words WORDS CUR: the words of WORDS that begin with CUR, into
# COMPREPLY.
_tf_words() {
	local w IFS=$' \t\n'
	COMPREPLY=()
	for w in $1; do
		[[ $w == "$2"* ]] && COMPREPLY+=("$w")
	done
}

_tf_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
	compopt -o filenames 2>/dev/null
}

_tf_dirs() {
	mapfile -t COMPREPLY < <(compgen -d -- "$1")
	compopt -o filenames 2>/dev/null
}

_tf() {
	local prog=${COMP_WORDS[0]##*/} cur prev var opts args i w
	local listfiles=0 ended=0
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	var=${prog//-/_}
	var=_tf_opts_$var
	opts=${!var}
	var=_tf_args_${prog//-/_}
	args=${!var}
	COMPREPLY=()

	# The argument of an option.
	case " $args " in
	*" $prev "*)
		case $prog:$prev in
		*:-i) _tf_words "$(_tf_interfaces)" "$cur" ;;
		*:-r | *:-w | tf-tls:-k) _tf_files "$cur" ;;
		*:-Z) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
		tf-split:-o | tf-http:-o) _tf_dirs "$cur" ;;
		tf-report:-o) _tf_files "$cur" ;;
		tf-report:-t) _tf_words 'xml json html text' "$cur" ;;
		*:-T)
			_tf_words "$(_tf_template "$cur")" "$cur"
			compopt -o nospace 2>/dev/null
			;;
		*:-F) _tf_words 't T k m g' "$cur" ;;
		esac
		return 0
		;;
	esac

	# Where the options end: the first word that is not one or an
	# option's argument, or "--".
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ "$w" = -- ]; then
			ended=1
			break
		fi
		case " $args " in
		*" $w "*) i=$((i + 1)); continue ;;
		esac
		case $w in
		-l) listfiles=1 ;;
		-?*) [[ $w == -*l* && $w != --* ]] && listfiles=1 ;;
		*) ended=1; break ;;
		esac
	done

	if [ "$ended" = 0 ] && [[ $cur == -* ]]; then
		_tf_words "$opts $args" "$cur"
		return 0
	fi
	case $prog in
	tf-reassemble)
		if [ "$listfiles" = 1 ]; then
			_tf_files "$cur"
		else
			_tf_words 'tcp port host net src dst and or not vlan
			    ip ip6 portrange' "$cur"
		fi
		;;
	tf-http | tf-merge) _tf_files "$cur" ;;
	esac
	return 0
}

complete -F _tf tf-reassemble tf-split tf-http tf-report tf-cat tf-merge tf-tls
