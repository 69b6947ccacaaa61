# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# netns.sh — what the capture scripts (tests/data/mk*.sh, tests/mk*.sh)
# share: a network namespace of their own, processes in it stopped by
# their PID, nginx, tcpdump or dumpcap.  Sourced (bash) with the script's
# name ME and, for those of tests/data, the directory SUB of tests/data
# they write:
#
#	. "$HERE/netns.sh" ME [SUB]
#
# It sets ME, PY (PYTHON, or /usr/bin/python3) and, with SUB, OUT: the
# directory MKDATA_OUT if set (a script writes there as it would in
# tests/data/SUB, its old files removed alike), else tests/data/SUB.
#
#   die MSG...           "ME: MSG" on stderr, exit 1
#   ns_need TOOL...      dies unless root and every TOOL is on the PATH
#   ns_setup PREFIX [MTU [GSO [DIR]]]
#                        makes the namespace NS=PREFIX<pid> with lo up, its
#                        MTU MTU (1500) and gso_max_size GSO (MTU; "-":
#                        left as it is), and the directory TMP (mode 755,
#                        under DIR, /tmp by default); on exit, stops every
#                        process in PIDS, deletes NS and removes TMP
#   nx CMD...            CMD in the namespace, in the foreground
#   ns_bg OUT ERR CMD... CMD in the namespace, in the background, stdout to
#                        file OUT, stderr to file ERR ("-": as the
#                        script's; ERR "1": with stdout); its PID in BGPID,
#                        added to PIDS
#   ns_stop PID [SIG]    sends SIG (TERM) to PID, waits for it, forgets it
#   forget PID           drops PID from PIDS (after waiting for it)
#   wait_for FILE REGEX PID
#                        until FILE matches REGEX; dies if PID exits first
#   wait_port PORT PID [N [LOG]]
#                        until N (1) sockets listen on TCP PORT in the
#                        namespace; dies (LOG on stderr) if PID exits first
#   nginx_conf LEVEL CONNS [DIRECTIVE...] <HTTP
#                        writes TMP/nginx.conf: one process in the
#                        foreground, its files in TMP/nginx, error_log at
#                        LEVEL, worker_connections CONNS, the DIRECTIVEs,
#                        and an http block of the lines HTTP
#   nginx_start PORT [N] starts nginx with it, its PID in NGINX, and waits
#                        until it listens on PORT (N sockets)
#   nginx_stop           stops it
#   cap_start OUT CMD... starts the capture CMD (tcpdump or dumpcap writing
#                        to its stdout, "-w -": tcpdump drops privileges
#                        before it opens a file itself) into the file OUT,
#                        its stderr in TMP/cap.err, its PID in CAPPID;
#                        waits until it listens, then 0.5 s
#   cap_stop             stops it, 2.5 s later: libpcap hands packets over a
#                        ring block at a time or after its 1 s timeout, and
#                        an interrupted tcpdump loses a partial block
#   cap_show             its stderr, indented, on stdout
#   cap_kept             true if its stderr says "0 packets dropped by
#                        kernel"
# Test traffic stays on the namespace's loopback.

ME=$1
# shellcheck disable=SC2034 # PY and OUT: for the script
PY=${PYTHON:-/usr/bin/python3}
# shellcheck disable=SC2034
[ -z "${2:-}" ] || OUT=${MKDATA_OUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$2}

die() {
	echo "$ME: $*" >&2
	exit 1
}

ns_need() {
	local t
	[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, capture)"
	for t in "$@"; do
		command -v "$t" >/dev/null || die "missing $t"
	done
}

PIDS=()
ns_cleanup() {
	local p
	for p in "${PIDS[@]}"; do ns_stop "$p" 2>/dev/null; done
	[ -z "${NS:-}" ] || ip netns del "$NS" 2>/dev/null || true
	[ -z "${TMP:-}" ] || rm -rf "$TMP"
}

ns_setup() {
	local mtu=${2:-1500}
	local gso=${3:-$mtu}
	TMP=$(mktemp -d "${4:-/tmp}/$1.XXXXXX")
	chmod 755 "$TMP"
	NS=$1$$
	trap ns_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$NS"
	nx ip link set lo mtu "$mtu"
	# No GSO on lo: every TCP segment is built at MSS size, so packets on
	# the wire are <= MTU bytes.
	[ "$gso" = - ] || nx ip link set lo gso_max_size "$gso"
	nx ip link set lo up
}

nx() { ip netns exec "$NS" "$@"; }

ns_bg() {
	local out=$1 err=$2
	shift 2
	(
		[ "$out" = - ] || exec >"$out"
		case $err in
		-) ;;
		1) exec 2>&1 ;;
		*) exec 2>"$err" ;;
		esac
		exec ip netns exec "$NS" "$@"
	) &
	BGPID=$!
	PIDS+=("$BGPID")
}

forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

ns_stop() {
	kill "-${2:-TERM}" "$1" 2>/dev/null || true
	wait "$1" || true
	forget "$1"
}

wait_for() {
	local _
	for _ in $(seq 200); do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { cat "$1" >&2; die "process $3 exited early"; }
		sleep 0.05
	done
	cat "$1" >&2
	die "timed out waiting for /$2/ in $1"
}

wait_port() {
	local _
	for _ in $(seq 200); do
		[ "$(nx ss -Htln "sport = :$1" | wc -l)" = "${3:-1}" ] && return 0
		kill -0 "$2" 2>/dev/null || {
			[ -z "${4:-}" ] || cat "$4" >&2
			die "the server on port $1 failed"
		}
		sleep 0.05
	done
	die "nothing listens on port $1"
}

nginx_conf() {
	local level=$1 conns=$2 d
	shift 2
	mkdir -p "$TMP/nginx"
	{
		printf 'daemon off;\nmaster_process off;\nworker_processes 1;\n'
		printf 'pid %s/nginx/nginx.pid;\n' "$TMP"
		printf 'error_log %s/nginx/error.log %s;\n' "$TMP" "$level"
		for d in "$@"; do printf '%s;\n' "$d"; done
		printf 'events { worker_connections %s; }\nhttp {\n' "$conns"
		printf '\taccess_log %s/nginx/access.log;\n' "$TMP"
		printf '\tclient_body_temp_path %s/nginx/body;\n' "$TMP"
		for d in proxy fastcgi uwsgi scgi; do
			printf '\t%s_temp_path %s/nginx/%s;\n' "$d" "$TMP" "$d"
		done
		sed 's/^/\t/'
		printf '}\n'
	} >"$TMP/nginx.conf"
}

nginx_start() {
	ns_bg "$TMP/nginx/stdout" 1 nginx -p "$TMP/nginx/" \
	    -e "$TMP/nginx/error.log" -c "$TMP/nginx.conf"
	NGINX=$BGPID
	wait_port "$1" "$NGINX" "${2:-1}" "$TMP/nginx/error.log"
}

nginx_stop() { ns_stop "$NGINX"; }

cap_start() {
	local out=$1
	shift
	: >"$TMP/cap.err"
	ns_bg "$out" "$TMP/cap.err" "$@"
	CAPPID=$BGPID
	wait_for "$TMP/cap.err" 'listening on|Capturing on' "$CAPPID"
	sleep 0.5
}

cap_stop() {
	sleep 2.5
	ns_stop "$CAPPID" INT
}

cap_show() { sed 's/^/    /' "$TMP/cap.err"; }

cap_kept() { grep -q '^0 packets dropped by kernel' "$TMP/cap.err"; }
