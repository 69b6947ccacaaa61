# SPDX-License-Identifier: BSD-2-Clause
# Faults: input cut at every byte, a reader that goes away, a full disk,
# too few file descriptors.  Each gives a clear error and exit 1 (or dies
# quietly of SIGPIPE), and every file already written stays correct.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# prefixes [-h] FULL DIR...: every file under each DIR is a byte prefix of
# the file of the same relative name under FULL.  With -h (tf-http's
# bodies) a name with -PARTIAL is compared with FULL's name without it,
# and a name without must be equal to FULL's.  Prints how many files it
# checked and how many were shorter, so that a test sees it checked some.
prefixes() {
	python3 - "$@" <<'EOF'
import os, sys
args = sys.argv[1:]
http = args[0] == '-h'
if http:
    args = args[1:]
full, bad, nfiles, nshort = args[0], 0, 0, 0
for d in args[1:]:
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            rel = os.path.relpath(p, d)
            want = rel.replace('-PARTIAL', '') if http else rel
            try:
                with open(os.path.join(full, want), 'rb') as fp:
                    b = fp.read()
            except OSError:
                print('%s: no %s in %s' % (p, want, full))
                bad = 1
                continue
            with open(p, 'rb') as fp:
                a = fp.read()
            nfiles += 1
            nshort += len(a) < len(b)
            if not b.startswith(a) or (http and want == rel and a != b):
                print('%s: not a prefix of %s/%s' % (p, full, want))
                bad = 1
print(nfiles, nshort)
sys.exit(bad)
EOF
}

# stride N: which cuts the loops try, besides the boundaries they always
# try: every byte (1) in a plain build with TF_FULL=1 (make check-full);
# every (N/2)th byte in a plain build otherwise (make check, make test),
# to keep make check within 15 minutes on two cores; every (2N)th under
# ASan (every Nth with TF_FULL=1), whose programs take ten times as long to
# start, so that the loops over cuts stay within 30 s there.
# (grep reads all of ldd's output: with grep -q, ldd could die of
# SIGPIPE, and under pipefail the build would seem plain.)
stride() {
	if ldd "$(command -v tf-split)" 2>/dev/null | grep libasan >/dev/null
	then
		if [ "${TF_FULL:-}" = 1 ]; then echo "$1"; else echo $(($1 * 2)); fi
	elif [ "${TF_FULL:-}" = 1 ]; then
		echo 1
	elif [ "$1" -ge 4 ]; then
		echo $(($1 / 2))
	else
		echo 1
	fi
}

# bounds FILE FIRST AT HEAD: where each unit (packet record, block, stream
# record) of FILE starts, from offset FIRST, then the file's size.  A
# unit's little-endian 32-bit length is AT bytes into it, and counts all
# of it but HEAD bytes.
bounds() {
	local off=$2 size len
	size=$(stat -c %s "$1")
	while [ "$off" -lt "$size" ]; do
		echo "$off"
		len=$(od -An -tu4 -j $((off + $3)) -N4 "$1")
		off=$((off + $4 + len))
	done
	echo "$off"
}

# The units of a little-endian pcap and of a pcapng.
pcap_bounds() { bounds "$1" 24 8 16; }
pcapng_bounds() { bounds "$1" 0 4 0; }

# tfs_bounds FILE: where each record of the stream FILE starts, as
# tf-cat -a says, then the file's size.
tfs_bounds() {
	tf-cat -a <"$1" >bounds.cat
	sed 's/^@\([0-9]*\) .*/\1/' bounds.cat
	stat -c %s "$1"
}

# lost_bytes FILE WHAT: FILE holds one line "WHAT: No space left on
# device: N bytes not written", perhaps followed by "WHAT: M more bytes not
# written" (WHAT holds no regex characters but '.'); prints N + M, or fails
# showing the lines.
lost_bytes() {
	local -a l
	local re lost
	mapfile -t l <"$1"
	if [ "${#l[@]}" -lt 1 ] || [ "${#l[@]}" -gt 2 ]; then
		printf '%s\n' "${l[@]}" >&2
		return 1
	fi
	re="^$2: No space left on device: ([0-9]+) bytes not written\$"
	[[ ${l[0]} =~ $re ]] || { printf '%s\n' "${l[@]}" >&2; return 1; }
	lost=${BASH_REMATCH[1]}
	if [ "${#l[@]}" -eq 2 ]; then
		re="^$2: ([0-9]+) more bytes not written\$"
		[[ ${l[1]} =~ $re ]] || { printf '%s\n' "${l[@]}" >&2; return 1; }
		lost=$((lost + BASH_REMATCH[1]))
	fi
	echo "$lost"
}

# cutmsg N: what a stream reader says of the stream s.tfs cut to N bytes,
# given its record boundaries in B.
cutmsg() {
	local i at=16
	if [ "$1" -eq 0 ]; then
		echo "empty input: not a tf stream"
		return
	elif [ "$1" -lt 16 ]; then
		echo "stream cut short inside its preamble at byte 0"
		return
	fi
	for i in "${B[@]}"; do
		if [ "$i" -eq "$1" ]; then
			echo "stream ended at byte $1 without an end-of-stream record"
			return
		fi
		[ "$i" -lt "$1" ] && at=$i
	done
	echo "stream cut short inside the record at byte $at"
}

# A stream of two interleaved HTTP connections, bodies in several records
# (one with Content-Length, one chunked), a gap, an annotation and a
# record of a kind no program knows: s.tfs.
mkhttp() {
	mkstream >s.tfs <<-'EOF'
	header linktype=1 source=x.pcap
	annot conn=0 key=x.note value="whole stream"
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	open conn=2 ts=1700000001 src=10.0.0.3 sport=6000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=2 dir=0 off=0 text="GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 150\r\nContent-Type: text/plain\r\n\r\n"
	data conn=1 dir=1 off=66 fill=50 byte=65
	data conn=2 dir=1 off=0 text="HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\n"
	raw kind=99 hex=0102
	data conn=1 dir=1 off=116 fill=50 byte=66
	data conn=2 dir=1 off=51 fill=60 byte=67
	annot conn=2 dir=1 key=x.note value="chunk"
	data conn=1 dir=1 off=166 fill=50 byte=68
	gap conn=2 dir=0 off=28 len=5 cause=lost
	data conn=2 dir=1 off=111 text="\r\n0\r\n\r\n"
	close conn=1 cause=fin
	close conn=2 cause=fin
	end packets=20
	EOF
}

@test "a pcap cut at every byte: one line and exit 1, or a shorter capture; files are prefixes" {
	# bats's DEBUG trap costs a millisecond a command: not in loops.
	trap - DEBUG
	P=$DATA/real/http.pcap
	size=$(stat -c %s "$P")
	[ "$(od -An -tx1 -N4 "$P")" = " d4 c3 b2 a1" ]
	mapfile -t B < <(pcap_bounds "$P")
	# Ten packets, and the last record ends where the file does.
	[ "${#B[@]}" -eq 11 ]
	[ "${B[10]}" -eq "$size" ]
	tf-reassemble <"$P" | tf-split -o full >/dev/null
	[ "$(ls full | wc -l)" -eq 2 ]
	mkdir c
	pre="tf-reassemble: standard input:"
	# Every byte (TF_FULL=1), else every 6th (ASan: 12th), the file header
	# and each side of every record boundary.
	stp=$(stride 12)
	k=0
	for ((n = 0; n < size; n++)); do
		# k: packets whole in the first n bytes.
		while [ "$k" -lt 10 ] && [ "${B[k + 1]}" -le "$n" ]; do
			k=$((k + 1))
		done
		[ $((n % stp)) -eq 0 ] || [ "$n" -le $((B[k] + 1)) ] ||
		    [ $((n + 1)) -eq "${B[k + 1]}" ] || continue
		if head -c "$n" "$P" | tf-reassemble 2>e1 |
		    tf-split -o "c/$n" >/dev/null 2>e2; then
			st="${PIPESTATUS[1]} ${PIPESTATUS[2]}"
		else
			st="${PIPESTATUS[1]} ${PIPESTATUS[2]}"
		fi
		mapfile -t l1 <e1
		mapfile -t l2 <e2
		r=$((n - B[k]))
		# tf-split, given nothing by a tf-reassemble that failed, fails
		# quietly: the one message is tf-reassemble's.
		split= sst=1
		if [ "$n" -eq 0 ]; then
			m="$pre empty input, not a packet capture"
		elif [ "$n" -lt 4 ]; then
			m="$pre not a packet capture (truncated dump file; tried to read 4 file header bytes, only got $n)"
		elif [ "$n" -lt 24 ]; then
			m="$pre not a packet capture (truncated dump file; tried to read 24 file header bytes, only got $((n - 4)))"
		elif [ "$r" -eq 0 ]; then
			m= sst=0
		elif [ "$r" -lt 16 ]; then
			m="$pre truncated capture after packet $k: truncated dump file; tried to read 16 header bytes, only got $r" sst=0
		else
			m="$pre truncated capture after packet $k: truncated dump file; tried to read $((B[k + 1] - B[k] - 16)) captured bytes, only got $((r - 16))" sst=0
		fi
		want="$([ -n "$m" ] && echo 1 || echo 0) $sst"
		if [ "$st" != "$want" ] || [ "${l1[*]}" != "$m" ] ||
		    [ "${#l1[@]}" -gt 1 ] || [ "${l2[*]}" != "$split" ] ||
		    [ "${#l2[@]}" -gt 1 ]; then
			printf 'cut at %s: status %s, want %s\n' "$n" "$st" "$want"
			printf '%s\n' "${l1[@]}" "${l2[@]}"
			return 1
		fi
	done
	# Files made: 2 for each of the cuts past the first data packet.
	run prefixes full c/*
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$stp" -ne 1 ] || [ "$output" = "1371 0" ] || { echo "$output"; return 1; }
	# The stream of every whole capture, cut or not, says how it ended;
	# tf-reassemble exits 1 for the cut.
	run -0 bash -c 'head -c 1000 "$1" | tf-reassemble 2>/dev/null |
	    tf-cat -j >cut.json; echo "${PIPESTATUS[*]}"' _ "$P"
	[ "$output" = "0 1 0" ]
	[ "$(jq -sc '.[-1].status' cut.json)" = '["cut"]' ]
}

@test "a pcapng cut at (nearly) every byte: one line and exit 1, or a shorter capture" {
	# bats's DEBUG trap costs a millisecond a command: not in loops.
	trap - DEBUG
	# Every other offset (every 8th under ASan), and each side of every
	# block boundary: the odd offsets inside a block take the same paths.
	P=$DATA/real/pcapng.pcapng
	size=$(stat -c %s "$P")
	mapfile -t B < <(pcapng_bounds "$P")
	# SHB, IDB, ten packets, statistics.
	[ "${#B[@]}" -eq 14 ]
	[ "${B[13]}" -eq "$size" ]
	[ "${B[2]}" -eq 264 ]
	declare -A at=()
	stp=$(stride 16)
	for ((n = 0; n < size; n += 2 * stp)); do at[$n]=1; done
	for b in "${B[@]}"; do at[$((b - 1))]=1 at[$b]=1 at[$((b + 1))]=1; done
	unset "at[$size]" "at[$((size + 1))]" "at[-1]"
	tf-reassemble <"$P" | tf-split -o full >/dev/null
	[ "$(ls full | wc -l)" -eq 2 ]
	mkdir c
	pre="tf-reassemble: standard input:"
	for n in $(printf '%s\n' "${!at[@]}" | sort -n); do
		# k: packets whole in the first n bytes.
		k=0 edge=0
		for ((i = 2; i < 13; i++)); do
			[ "${B[i]}" -eq "$n" ] && edge=1
			[ "${B[i + 1]}" -le "$n" ] && [ "$i" -lt 12 ] && k=$((i - 1))
		done
		[ "${B[13]}" -le "$n" ] && k=10
		if head -c "$n" "$P" | tf-reassemble 2>e1 |
		    tf-split -o "c/$n" >/dev/null 2>e2; then
			st="${PIPESTATUS[1]} ${PIPESTATUS[2]}"
		else
			st="${PIPESTATUS[1]} ${PIPESTATUS[2]}"
		fi
		mapfile -t l1 <e1
		mapfile -t l2 <e2
		ok=1
		if [ "$edge" -eq 1 ]; then
			[ "$st" = "0 0" ] && [ "${#l1[@]}" -eq 0 ] &&
			    [ "${#l2[@]}" -eq 0 ] || ok=0
		elif [ "$n" -lt 264 ]; then
			# lib/pcapng's words for a cut file header vary with
			# where; the line is one, and names the input.
			[ "$st" = "1 1" ] && [ "${#l1[@]}" -eq 1 ] &&
			    [ "${#l2[@]}" -eq 0 ] || ok=0
			case $n:${l1[0]} in
			"0:$pre empty input, not a packet capture") ;;
			[1-3]":$pre not a packet capture (truncated dump file; tried to read 4 file header bytes, only got $n)") ;;
			[4-9]":$pre not a packet capture (truncated pcapng dump file; tried to read 12 bytes, only got $n)") ;;
			1[01]":$pre not a packet capture (truncated pcapng dump file; tried to read 12 bytes, only got $n)") ;;
			"$((B[1])):$pre not a packet capture (the capture file has no Interface Description Blocks)") ;;
			*":$pre not a packet capture (truncated pcapng dump file; tried to read "*" bytes, only got "*")") ;;
			*) ok=0 ;;
			esac
		else
			[ "$st" = "1 0" ] && [ "${#l1[@]}" -eq 1 ] &&
			    [ "${#l2[@]}" -eq 0 ] &&
			    [[ "${l1[0]}" == "$pre truncated capture after packet $k: truncated pcapng dump file; tried to read "*" bytes, only got "* ]] ||
			    ok=0
		fi
		if [ "$ok" -eq 0 ]; then
			printf 'cut at %s (%s packets): status %s\n' "$n" "$k" "$st"
			printf '%s\n' "${l1[@]}" "${l2[@]}"
			return 1
		fi
	done
	run prefixes full c/*
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$stp" -ne 1 ] || [ "$output" = "908 0" ] || { echo "$output"; return 1; }
}

@test "a stream cut at every byte: tf-split says where, exit 1; files and stream passed on are prefixes" {
	# bats's DEBUG trap costs a millisecond a command: not in loops.
	trap - DEBUG
	mkhttp
	size=$(stat -c %s s.tfs)
	tfs_bounds s.tfs >bounds
	mapfile -t B <bounds
	[ "${#B[@]}" -eq 20 ]
	[ "${B[19]}" -eq "$size" ]
	mkdir full
	(cd full && tf-split -o d <../s.tfs >out)
	[ "$(ls full/d | wc -l)" -eq 4 ]
	mkdir -p $(seq -f 'c/%g' 0 $((size - 1)))
	# Every byte (TF_FULL=1), else every 6th (ASan: 12th), and each side
	# of every record boundary.
	stp=$(stride 12)
	declare -A edge=()
	for b in "${B[@]}"; do edge[$((b - 1))]=1 edge[$b]=1 edge[$((b + 1))]=1; done
	for ((n = 0; n < size; n++)); do
		[ $((n % stp)) -eq 0 ] || [ -n "${edge[$n]-}" ] || continue
		cd "c/$n"
		st=0
		head -c "$n" ../../s.tfs | tf-split -o d >out 2>../../err ||
		    st=$?
		# The stream passed on is what was read, then an END that
		# says it was cut (none when the preamble was): that END
		# off, a prefix of the whole stream passed on.
		if [ -s out ]; then
			tf-cat -a <out >../../last.cat
			last=$(tail -n 1 ../../last.cat)
			[[ $last =~ ^@([0-9]+)\ end\ .*\ status\ cut$ ]] ||
			    { echo "cut at $n: $last"; return 1; }
			truncate -s "${BASH_REMATCH[1]}" out
		fi
		cd ../..
		mapfile -t l <err
		m="tf-split: $(cutmsg "$n")"
		# Nothing at all from a pipe: what failed upstream said why.
		[ "$n" -ne 0 ] || m=
		if [ "$st" != 1 ] || [ "${l[*]}" != "$m" ] || [ "${#l[@]}" -gt 1 ]
		then
			printf 'cut at %s: status %s, want 1 and %s\n' "$n" "$st" "$m"
			printf '%s\n' "${l[@]}"
			return 1
		fi
	done
	run prefixes full c/*
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$stp" -ne 1 ] || [ "$output" = "6898 2729" ] || { echo "$output"; return 1; }
	# No file before the first data, every file at the last cut.
	[ -z "$(ls c/200/d)" ]
	[ "$(ls "c/$((size - 1))/d" | wc -l)" -eq 4 ]
}

@test "a stream cut: tf-cat, tf-http and tf-report say where, exit 1; what they wrote is a prefix or well-formed" {
	# bats's DEBUG trap costs a millisecond a command: not in loops.
	trap - DEBUG
	# Around every record boundary, and every 7th byte (every 14th
	# without TF_FULL=1, every 28th under ASan): each program starts
	# three times per cut.
	mkhttp
	size=$(stat -c %s s.tfs)
	tfs_bounds s.tfs >bounds
	mapfile -t B <bounds
	stp=$(stride 4)
	declare -A at=()
	for ((n = 0; n < size; n += 7 * stp)); do at[$n]=1; done
	for b in "${B[@]}"; do
		for d in -1 0 1 7 8; do at[$((b + d))]=1; done
	done
	for ((n = size; n < size + 9; n++)); do unset "at[$n]"; done
	unset "at[-1]"
	mkdir full
	mkdir fullcat
	tf-cat <s.tfs >fullcat/out
	tf-http -o full/h <s.tfs >/dev/null
	ls full/h >bodies
	[ "$(wc -l <bodies)" -eq 2 ]
	tf-report -o full.xml <s.tfs
	npartial=0
	mkdir -p $(printf 'c/%s/cat\n' "${!at[@]}")
	for n in $(printf '%s\n' "${!at[@]}" | sort -n); do
		head -c "$n" s.tfs >cut
		m=$(cutmsg "$n")
		st=0
		tf-cat <cut >"c/$n/cat/out" 2>err || st=$?
		mapfile -t l <err
		[ "$st" = 1 ] && [ "${#l[@]}" -eq 1 ] &&
		    [ "${l[0]}" = "tf-cat: $m" ] ||
		    { echo "tf-cat, cut at $n: $st"; cat err; return 1; }
		st=0
		tf-http -o "c/$n/h" <cut >/dev/null 2>err || st=$?
		mapfile -t l <err
		[ "$st" = 1 ] && [ "${l[0]}" = "tf-http: $m" ] ||
		    { echo "tf-http, cut at $n: $st"; cat err; return 1; }
		# Then, when the cut left bodies partial, a line that counts
		# them (the cut said once, not per body).
		if [ "${#l[@]}" -gt 1 ]; then
			[ "${#l[@]}" -eq 2 ] &&
			    [[ ${l[1]} =~ ^tf-http:\ ([0-9]+)\ of\ [12]\ bod(y|ies)\ not\ whole:\ ([0-9]+)\ cut$ ]] &&
			    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[3]}" ] ||
			    { echo "tf-http, cut at $n"; cat err; return 1; }
			npartial=$((npartial + BASH_REMATCH[1]))
		fi
		st=0
		tf-report -o "r$n.xml" <cut 2>err || st=$?
		mapfile -t l <err
		[ "$st" = 1 ] && [ "${#l[@]}" -eq 1 ] &&
		    [ "${l[0]}" = "tf-report: $m" ] ||
		    { echo "tf-report, cut at $n: $st"; cat err; return 1; }
		echo "$n $m" >>want
	done
	run prefixes fullcat c/*/cat
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$stp" -ne 1 ] || [ "$output" = "340 340" ] || { echo "$output"; return 1; }
	run prefixes -h full/h c/*/h
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$stp" -ne 1 ] || [ "$output" = "370 86" ] || { echo "$output"; return 1; }
	[ "$stp" -ne 1 ] || [ "$npartial" -eq 196 ] || { echo "npartial $npartial"; return 1; }
	xmllint --noout r*.xml
	# Each report is well-formed and names the cut as stderr did.
	python3 - <<-'EOF' >got
	import re, sys
	import xml.etree.ElementTree as ET
	for line in open('want'):
	    n = line.split()[0]
	    root = ET.parse('r%s.xml' % n).getroot()
	    errs = [e.text for e in root.iter() if e.tag.endswith('}error') or e.tag == 'error']
	    print(n, *errs)
	EOF
	diff want got
}

@test "a reader that goes away: each program dies of SIGPIPE, quietly, even if SIGPIPE was ignored" {
	pktgen bench-short 4000 >short.pcap
	tf-reassemble -q <short.pcap >short.tfs
	# More than a pipe holds (1 MiB: tf(7)) with what a reader has taken,
	# twice over, from each program: the stream too, for the pipeline.
	n=$(wc -c <short.tfs)
	[ "$n" -gt 16000000 ]
	n=$(tf-cat <short.tfs | wc -c)
	[ "$n" -gt 4000000 ]
	n=$(tf-cat -j <short.tfs | wc -c)
	[ "$n" -gt 4000000 ]
	n=$(tf-report <short.tfs | wc -c)
	[ "$n" -gt 4000000 ]
	n=$(tf-report -j <short.tfs | wc -c)
	[ "$n" -gt 3000000 ]
	for ign in "" "trap '' PIPE;"; do
		for p in "tf-reassemble <short.pcap" "tf-split -o s <short.tfs" \
		    "tf-http -o h <short.tfs" "tf-cat <short.tfs" \
		    "tf-cat -j <short.tfs" "tf-report <short.tfs" \
		    "tf-report -j <short.tfs"; do
			rm -rf s h
			run -0 bash -c "$ign $p 2>err | head -c 100 >/dev/null
			    echo \${PIPESTATUS[0]}"
			[ "$output" = 141 ] || { echo "$ign $p: $output"; return 1; }
			[ ! -s err ] || { echo "$ign $p:"; cat err; return 1; }
			rm -rf s h
			run -0 bash -c "$ign $p 2>err | true; echo \${PIPESTATUS[0]}"
			[ "$output" = 141 ] || { echo "$ign $p | true: $output"; return 1; }
			[ ! -s err ] || { echo "$ign $p | true:"; cat err; return 1; }
		done
	done
	# A whole pipeline: every writer goes, none says a word.
	run -0 bash -c 'tf-reassemble <short.pcap 2>e1 | tf-split -o s 2>e2 |
	    tf-http -o h 2>e3 | head -c 100 >/dev/null; echo "${PIPESTATUS[*]}"'
	# tf-reassemble may have written all it had before tf-split went.
	[[ "$output" =~ ^(0|141)" 141 141 0"$ ]] || { echo "$output"; return 1; }
	[ ! -s e1 ] && [ ! -s e2 ] && [ ! -s e3 ]
}

@test "a file size limit: tf-http names the body and the bytes lost, marks it partial, passes the stream on" {
	mkstream >big.tfs <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	open conn=2 ts=1700000001 src=10.0.0.3 sport=6000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=2 dir=0 off=0 text="GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
	data conn=1 dir=1 off=41 fill=1000 byte=65
	data conn=2 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"
	data conn=1 dir=1 off=1041 fill=1500 byte=66
	data conn=1 dir=1 off=2541 fill=2500 byte=67
	close conn=1 cause=fin
	close conn=2 cause=fin
	end packets=20
	EOF
	S2C1=010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001
	S2C2=010.000.000.002.00080-010.000.000.003.06000-HTTPBODY-001
	tf-http -o h <big.tfs >full.tfs
	[ "$(stat -c %s "h/$S2C1")" -eq 5000 ]
	mv h full
	run -1 --separate-stderr bash -c 'set -o pipefail
	    bash -c "ulimit -f 2 && exec tf-http -o h <big.tfs" | cat >out.tfs'
	# One line for the file, however many writes failed; at the end, one
	# for the bytes lost and one for the body not whole.
	[ "$stderr" = "tf-http: error writing 'h/$S2C1': File too large: 2952 bytes not written
tf-http: 2952 bytes not written to 1 file
tf-http: 1 of 2 bodies not whole: 1 write" ]
	[ "$(stat -c %s "h/$S2C1-PARTIAL")" -eq 2048 ]
	cmp "h/$S2C1-PARTIAL" <(head -c 2048 "full/$S2C1")
	cmp "h/$S2C2" "full/$S2C2"
	[ "$(ls h | wc -l)" -eq 2 ]
	# Every record passed on; the annotation says the body is not whole.
	tf-cat <full.tfs | grep -v http.message >want
	tf-cat <out.tfs | grep -v http.message >got
	diff want got
	ann=$(tf-cat -j <out.tfs | jq -c 'select(.key == "http.message") | .value | fromjson | select(.n == 1 and .dir == "response") | [.file, .complete, .problem]')
	[ "$ann" = "[\"h/$S2C2\",true,null]
[\"h/$S2C1-PARTIAL\",false,\"write\"]" ]
}

@test "a file size limit: tf-report -o, and each program's standard output, one line and exit 1" {
	pktgen bench-short 100 >short.pcap
	tf-reassemble -q <short.pcap >short.tfs
	run -1 --separate-stderr bash -c 'ulimit -f 8 && exec tf-report -o r.xml <short.tfs'
	[ "$stderr" = "tf-report: error writing 'r.xml': File too large" ]
	[ "$(stat -c %s r.xml)" -eq 8192 ]
	for p in "tf-reassemble <short.pcap" "tf-cat <short.tfs" \
	    "tf-report <short.tfs" "tf-report -j <short.tfs" \
	    "tf-http -o h <short.tfs" "tf-split -o d <short.tfs"; do
		rm -rf d h
		run -1 --separate-stderr bash -c "ulimit -f 8 && exec $p >out"
		[ "$stderr" = "${p%% *}: error writing standard output: File too large" ] ||
		    { echo "$p: $stderr"; return 1; }
		[ "$(stat -c %s out)" -eq 8192 ]
	done
	# What tf-split wrote before its standard output failed is right.
	tf-split -o full <short.tfs >/dev/null
	run prefixes full d
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "${lines[0]%% *}" -gt 0 ]
}

@test "a full tmpfs: tf-split and tf-http name each file and its bytes lost; the others are whole" {
	mkdir mnt
	if ! msg=$(unshare -m sh -c 'mount -t tmpfs -o size=64k none mnt' 2>&1)
	then
		skip "cannot mount tmpfs: $msg"
	fi
	# Two small connections first, then one whose body cannot fit.
	{
		echo 'header linktype=1 source=x.pcap'
		for i in 1 2; do
			echo "open conn=$i ts=1700000000 src=10.0.0.$i sport=5000 dst=10.0.0.9 dport=80 flags=syn"
			echo "data conn=$i dir=0 off=0 text=\"GET /$i HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\""
			echo "data conn=$i dir=1 off=0 text=\"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\""
			echo "close conn=$i cause=fin"
		done
		echo 'open conn=3 ts=1700000000 src=10.0.0.3 sport=5000 dst=10.0.0.9 dport=80 flags=syn'
		echo 'data conn=3 dir=0 off=0 text="GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"'
		echo 'data conn=3 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n"'
		for k in $(seq 0 39); do
			echo "data conn=3 dir=1 off=$((43 + k * 5000)) fill=5000 byte=$((65 + k % 26))"
		done
		echo 'close conn=3 cause=fin'
		echo 'end packets=50'
	} | mkstream >fill.tfs
	tf-split -o fs <fill.tfs >/dev/null
	tf-http -o fh <fill.tfs >/dev/null
	big=010.000.000.009.00080-010.000.000.003.05000
	# In its own mount namespace: the tmpfs goes when the shell does.
	mkdir mnt2
	run -0 unshare -m bash -c '
	    mount -t tmpfs -o size=64k none mnt &&
	    mount -t tmpfs -o size=64k none mnt2 &&
	    { tf-split -o mnt/s <fill.tfs >/dev/null 2>s.err; echo "split $?"
	      tf-http -o mnt2/h <fill.tfs >/dev/null 2>h.err; echo "http $?"
	      cp -a mnt/s mnt2/h .; }'
	[ "$output" = "split 1
http 1" ]
	# tf-split: only the big file lost bytes, once or twice said, then
	# summed up in a last line; what is on disk and what was lost add up
	# to the whole file.
	head -n -1 s.err >s.lines
	lost=$(lost_bytes s.lines "tf-split: error writing 'mnt/s/$big'")
	[ "$(tail -n 1 s.err)" = "tf-split: $lost bytes not written to 1 file" ]
	[ "$(($(stat -c %s "s/$big") + lost))" -eq "$(stat -c %s "fs/$big")" ]
	rm "s/$big" "fs/$big"
	diff -r fs s
	# tf-http: the same for its body, which is marked partial: a last
	# line counts it among the bodies not whole.
	head -n -2 h.err >h.lines
	lost=$(lost_bytes h.lines "tf-http: error writing 'mnt2/h/$big-HTTPBODY-001'")
	[ "$(tail -n 2 h.err)" = "tf-http: $lost bytes not written to 1 file
tf-http: 1 of 3 bodies not whole: 1 write" ]
	[ "$(($(stat -c %s "h/$big-HTTPBODY-001-PARTIAL") + lost))" -eq 200000 ]
	run prefixes -h fh h
	[ "$status" = 0 ] || { printf "%s\n" "${lines[@]:0:5}"; return 1; }
	[ "$output" = "3 1" ]
}

@test "too few descriptors: tf-http with 300 bodies at once under ulimit -n 12" {
	awk 'BEGIN {
		print "header linktype=1 source=x.pcap"
		for (i = 1; i <= 300; i++) {
			printf "open conn=%d ts=1700000000 src=10.1.%d.%d sport=%d dst=10.0.0.2 dport=80 flags=syn\n", i, int(i / 256), i % 256, 1000 + i
			printf "data conn=%d dir=0 off=0 text=\"GET /%d HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\"\n", i, i
			printf "data conn=%d dir=1 off=0 text=\"HTTP/1.1 200 OK\\r\\nContent-Length: 2000\\r\\n\\r\\n\"\n", i
		}
		for (k = 0; k < 4; k++)
			for (i = 1; i <= 300; i++)
				printf "data conn=%d dir=1 off=%d fill=500 byte=%d\n", i, 41 + 500 * k, 65 + (i + k) % 26
		for (i = 1; i <= 300; i++)
			printf "close conn=%d cause=fin\n", i
		print "end packets=1"
	}' | mkstream >many.tfs
	run -0 --separate-stderr bash -c 'ulimit -n 12 && exec tf-http -o h <many.tfs >out.tfs'
	[ -z "$stderr" ]
	[ "$(ls h | wc -l)" -eq 300 ]
	[ "$(cat h/* | wc -c)" -eq 600000 ]
	f=010.000.000.002.00080-010.001.001.044.01300-HTTPBODY-001
	cmp "h/$f" <(for c in O P Q R; do head -c 500 /dev/zero | tr '\0' $c; done)
	tf-http -o full <many.tfs >/dev/null
	diff -r full h
	n=$(tf-cat -j <out.tfs | jq -s '[.[] | select(.key == "http.message") | .value | fromjson | select(.complete)] | length')
	[ "$n" -eq 600 ]
}

@test "too few descriptors to make any file: one line per file, exit 1, no crash" {
	mkhttp
	C2S=010.000.000.001.05000-010.000.000.002.00080
	S2C=010.000.000.002.00080-010.000.000.001.05000
	C2S2=010.000.000.003.06000-010.000.000.002.00080
	S2C2=010.000.000.002.00080-010.000.000.003.06000
	# Standard input, output and error take three of the four: the
	# program gets one, for its output directory, and none for a file.
	# closefds: bats keeps descriptors of its own open.
	closefds() {
		local f
		for f in /proc/self/fd/*; do
			f=${f##*/}
			[ "$f" -gt 2 ] && eval "exec $f>&-" 2>/dev/null
		done
		return 0
	}
	export -f closefds
	run -1 --separate-stderr bash -c 'closefds; exec <s.tfs >/dev/null; ulimit -n 4; exec tf-split -o d'
	# A line for each of the first three files, then one that counts
	# them all.
	[ "$stderr" = "tf-split: cannot create 'd/$C2S': Too many open files: connection 1 direction 0 skipped
tf-split: cannot create 'd/$C2S2': Too many open files: connection 2 direction 0 skipped
tf-split: cannot create 'd/$S2C': Too many open files: connection 1 direction 1 skipped
tf-split: 4 files not made: 4 refused by the system" ]
	[ -z "$(ls d)" ]
	run -1 --separate-stderr bash -c 'closefds; exec <s.tfs >/dev/null; ulimit -n 4; exec tf-http -o h'
	[ "$stderr" = "tf-http: cannot create 'h/$S2C-HTTPBODY-001.txt': Too many open files
tf-http: cannot create 'h/$S2C2-HTTPBODY-001': Too many open files
tf-http: 2 files not made: 2 refused by the system" ]
	[ -z "$(ls h)" ]
	# Flow files to read take the last descriptor too.
	tf-split -o flows <s.tfs >/dev/null
	run -1 --separate-stderr bash -c 'closefds; exec </dev/null >/dev/null; ulimit -n 4; exec tf-http -o h2 flows/*'
	[ "${#stderr_lines[@]}" -eq 4 ]
	for l in "${stderr_lines[@]}"; do
		[[ "$l" =~ ^"tf-http: cannot open 'flows/"[0-9.-]+"': Too many open files"$ ]]
	done
	# One is all tf-report, tf-cat and tf-reassemble need.
	run -0 --separate-stderr bash -c 'closefds; exec <s.tfs; ulimit -n 4; exec tf-report -o r.xml'
	[ -z "$stderr" ]
	xmllint --noout r.xml
	run -0 --separate-stderr bash -c 'closefds; exec <s.tfs >cat.out; ulimit -n 4; exec tf-cat'
	[ -z "$stderr" ]
	tf-cat <s.tfs | cmp - cat.out
	run -0 --separate-stderr bash -c 'closefds; exec </dev/null >r.tfs; ulimit -n 4; exec tf-reassemble -q -r "$1"' _ "$DATA/real/http.pcap"
	[ -z "$stderr" ]
	tf-reassemble -q -r "$DATA/real/http.pcap" | tf-cat | tail -n +3 >want
	tf-cat <r.tfs | tail -n +3 | cmp want -
}
