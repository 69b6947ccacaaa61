#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# tf-report: the DFXML report and its JSON lines.

setup() {
	load helper
	T=$BATS_TEST_TMPDIR
}

# Local-name XPath steps, the report being in the DFXML namespace.
FO="//*[local-name()='fileobject']"
E() { printf "*[local-name()='%s']" "$1"; }

need_jq() {
	command -v jq >/dev/null || skip "jq is not installed"
}

# pipe CAPTURE [tf-report options]: flows in $T/flows, report in $T/r.xml.
pipe() {
	local cap=$1
	shift
	rm -rf "$T/flows"
	tf-reassemble -q <"$cap" | tf-split -o "$T/flows" |
	    tf-report "$@" >"$T/r.xml"
}

# triples FILE XPATH-OF-FILEOBJECTS TYPE: "basename size md5", one line
# per fileobject, sorted.
triples() {
	local n i fo name
	n=$(xmllint --xpath "count($2)" "$1")
	for i in $(seq 1 "$n"); do
		fo="($2)[$i]"
		name=$(xmllint --xpath "string($fo/$(E filename))" "$1")
		printf '%s %s %s\n' "${name##*/}" \
		    "$(xmllint --xpath "string($fo/$(E filesize))" "$1")" \
		    "$(xmllint --xpath "string($fo/$(E hashdigest)[@type='$3'])" "$1")"
	done | sort
}

# digests_match FILE: every fileobject with a file name has the file's
# size and digests, and every file tf-split wrote is in the report.
digests_match() {
	local n i fo name alg want got
	n=$(xmllint --xpath "count($FO)" "$1")
	[ "$n" -gt 0 ]
	for i in $(seq 1 "$n"); do
		fo="($FO)[$i]"
		name=$(xmllint --xpath "string($fo/$(E filename))" "$1")
		[ -n "$name" ] || continue
		[ -f "$T/flows/${name##*/}" ]
		got=$(xmllint --xpath "string($fo/$(E filesize))" "$1")
		[ "$got" = "$(stat -c %s "$T/flows/${name##*/}")" ]
		for alg in md5 sha1 ${2:-}; do
			want=$(${alg}sum <"$T/flows/${name##*/}")
			got=$(xmllint --xpath \
			    "string($fo/$(E hashdigest)[@type='$alg'])" "$1")
			[ "$got  -" = "$want" ] ||
			    { echo "$name $alg: $got, want $want"; return 1; }
		done
	done
	n=$(xmllint --xpath "count($FO/$(E filename))" "$1")
	[ "$n" = "$(ls "$T/flows" | wc -l)" ]
}

@test "usage: unknown option and operands exit 2" {
	usage="usage: tf-report [-fhjsV] [-C conns] [-o file] [-t format] [-z bytes]"
	run -2 --separate-stderr tf-report -x
	[ "${lines[*]}" = "" ]
	[ "$stderr" = "tf-report: invalid option -- 'x'
$usage" ]
	run -2 --separate-stderr tf-report extra
	[ "$stderr" = "$usage" ]
}

@test "real captures: the report validates against the DFXML schema" {
	for cap in "$DATA"/real/*.pcap*; do
		pipe "$cap"
		xmllint --noout --schema "$XSD" "$T/r.xml" ||
		    { echo "$cap"; return 1; }
	done
}

@test "real captures: digests and sizes equal md5sum/sha1sum/sha256sum of tf-split's files" {
	for cap in "$DATA"/real/*.pcap*; do
		# The last one named failed.  (Not digests_match || ...: set -e
		# would be off inside it, and its checks with it.)
		echo "$cap"
		pipe "$cap" -s
		digests_match "$T/r.xml" sha256
	done
}

@test "pktgen scenarios: valid, digests equal the files (holes read as zeros)" {
	for s in gap-lost snaplen ooo overlap-diff vlan qinq frag6 reuse \
	    synscan midstream; do
		# The last one named failed, as above.
		echo "$s"
		gen "$s"
		pipe "$T/$s.pcap" -s
		xmllint --noout --schema "$XSD" "$T/r.xml"
		if [ "$s" != synscan ]; then
			digests_match "$T/r.xml" sha256
		fi
	done
}

@test "gap-lost: the hole before data is hashed as zeros, the trailing gap is not in the size" {
	gen gap-lost
	pipe "$T/gap-lost.pcap"
	tf-reassemble -q <"$T/gap-lost.pcap" | tf-cat >"$T/cat"
	grep -q '^gap 1 < ' "$T/cat"
	digests_match "$T/r.xml"
}

@test "http.pcap: fields exact" {
	pipe "$DATA/real/http.pcap"
	a() {
		xmllint --xpath "string(($FO)[$1]/$(E tcpflow)/@$2)" "$T/r.xml"
	}
	f() {
		xmllint --xpath "string(($FO)[$1]/$(E "$2"))" "$T/r.xml"
	}
	[ "$(xmllint --xpath "count($FO)" "$T/r.xml")" = 2 ]
	[ "$(f 1 filename)" = "$T/flows/127.000.000.001.44856-127.000.000.001.08080" ]
	[ "$(f 1 filesize)" = 110 ]
	[ "$(a 1 family)" = 2 ]
	[ "$(a 1 src_ipn)" = 127.0.0.1 ]
	[ "$(a 1 srcport)" = 44856 ]
	[ "$(a 1 dstport)" = 8080 ]
	[ "$(a 1 packets)" = 5 ]
	[ "$(a 1 len)" = 448 ]
	[ "$(a 1 conn)" = 1 ]
	[ "$(a 1 dir)" = 0 ]
	[ "$(a 1 close)" = fin ]
	[ "$(a 1 startime)" = 2026-11-26T09:36:23.827091Z ]
	[ "$(a 1 endtime)" = 2026-11-26T09:36:23.827736Z ]
	[ "$(f 2 filename)" = "$T/flows/127.000.000.001.08080-127.000.000.001.44856" ]
	[ "$(f 2 filesize)" = 551 ]
	[ "$(a 2 srcport)" = 8080 ]
	[ "$(a 2 dstport)" = 44856 ]
	[ "$(a 2 packets)" = 4 ]
	[ "$(a 2 len)" = 823 ]
	[ "$(xmllint --xpath "string(($FO)[2]/$(E hashdigest)[@type='md5'])" "$T/r.xml")" = 766c5f1de98e7d2681b559242e74d18c ]
	# The run: the stream's header, the pipeline, the END totals.
	[ "$(xmllint --xpath "count(//$(E image_filename))" "$T/r.xml")" = 0 ]
	[ "$(xmllint --xpath "string(//$(E source)/@*[local-name()='kind'])" "$T/r.xml")" = stdin ]
	# tf-split is in the pipeline when it records its command line.
	cl=$(xmllint --xpath "string(//$(E command_line))" "$T/r.xml")
	[ "$cl" = "tf-reassemble -q | tf-report" ] ||
	    [ "$cl" = "tf-reassemble -q | tf-split -o $T/flows | tf-report" ]
	[ "$(xmllint --xpath "string(//$(E summary)/@packets)" "$T/r.xml")" = 10 ]
	[ "$(xmllint --xpath "string(//$(E summary)/@status)" "$T/r.xml")" = ok ]
	[ "$(xmllint --xpath "count(//$(E configuration))" "$T/r.xml")" = 1 ]
	[ "$(xmllint --xpath "count(//$(E rusage)/$(E maxrss))" "$T/r.xml")" = 1 ]
}

@test "libraries: libpcap from the stream, zlib, libxml2, OpenSSL at run time" {
	pipe "$DATA/real/http.pcap"
	lib() {
		xmllint --xpath "string(/*/$(E creator)/$(E library)[@name='$1']/@version)" "$T/r.xml"
	}
	[[ "$(lib libpcap)" == [0-9]* ]]
	[[ "$(lib zlib)" == [0-9]* ]]
	[[ "$(lib libxml2)" == 2.* ]]
	[[ "$(lib OpenSSL)" == "OpenSSL "* ]]
	# brotli and zstd: the versions loaded, as the packages have them.
	[[ "$(lib brotli)" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "$(lib zstd)" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	if command -v dpkg-query >/dev/null &&
	    v=$(dpkg-query -W -f='${Version}' libbrotli1 2>/dev/null); then
		[[ "$v" == "$(lib brotli)"* ]]
	fi
	if command -v dpkg-query >/dev/null &&
	    v=$(dpkg-query -W -f='${Version}' libzstd1 2>/dev/null); then
		[[ "$v" == "$(lib zstd)"* ]]
	fi
}

# Every real capture but any-sll2, Linux cooked v2, which tcpflow cannot
# read.
@test "tcpflow 1.6.1: same file names, sizes and MD5s" {
	command -v tcpflow >/dev/null || skip "tcpflow is not installed"
	for cap in http keepalive ipv6 midstream pcapng.pcapng retrans-dup \
	    retrans-ooo reuse rst; do
		[[ "$cap" == *.* ]] || cap=$cap.pcap
		pipe "$DATA/real/$cap"
		(cd "$T" && rm -rf tcpflow.out tcpflow.xml &&
		    tcpflow -a -X tcpflow.xml -r "$DATA/real/$cap" \
		    -o tcpflow.out >/dev/null 2>&1)
		triples "$T/tcpflow.xml" "/dfxml/configuration/fileobject" MD5 \
		    >"$T/want"
		triples "$T/r.xml" "$FO" md5 >"$T/got"
		[ -s "$T/want" ]
		diff -u "$T/want" "$T/got" || { echo "$cap"; return 1; }
	done
}

@test "a cut stream: well-formed report that says so, exit 1" {
	tf-reassemble -q <"$DATA/real/keepalive.pcap" >"$T/s.tfs"
	size=$(stat -c %s "$T/s.tfs")
	for n in 0 10 16 100 700 1500 $((size - 1)); do
		head -c "$n" "$T/s.tfs" >"$T/cut.tfs"
		run -1 --separate-stderr tf-report <"$T/cut.tfs"
		printf '%s\n' "$output" >"$T/cut.xml"
		xmllint --noout "$T/cut.xml"
		[ -n "$stderr" ]
		[ "$(xmllint --xpath "string(//$(E summary)/@status)" "$T/cut.xml")" = incomplete ]
		msg=$(xmllint --xpath "string(//$(E error))" "$T/cut.xml")
		[ "tf-report: $msg" = "$stderr" ]
		case $n in
		0) [ "$msg" = "empty input: not a tf stream" ] ;;
		10) [ "$msg" = "stream cut short inside its preamble at byte 0" ] ;;
		16) [ "$msg" = "stream ended at byte 16 without an end-of-stream record" ] ;;
		*) [[ "$msg" == "stream cut short inside the record at byte "* ]] ;;
		esac
		xmllint --noout --schema "$XSD" "$T/cut.xml"
	done
	# Connections still open are reported, closed by the cut; exit 1.
	head -c 1500 "$T/s.tfs" >"$T/cut.tfs"
	st=0
	tf-report -j <"$T/cut.tfs" >"$T/cut.jsonl" || st=$?
	[ "$st" = 1 ]
	[ "$(jq -r .close "$T/cut.jsonl" | sort -u)" = cut ]
}

@test "a killed upstream: the report of the part read is well-formed, exit 1" {
	gen reuse
	run -0 --separate-stderr bash -c \
	    'tf-reassemble -q <"$1" | head -c 900 | tf-report
	    echo "${PIPESTATUS[*]}" >"$2"' _ "$T/reuse.pcap" "$T/st"
	# tf-reassemble may have written all it had before head went, or
	# died of SIGPIPE; tf-report exits 1.
	[[ $(cat "$T/st") =~ ^(0|141)" 0 1"$ ]]
	printf '%s\n' "$output" | xmllint --noout -
	[[ "$stderr" == *"tf-report: stream cut short inside the record at byte "* ]]
}

@test "clean end of input without an END record: exit 1" {
	printf 'header\nopen conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2\n' |
	    mkstream >"$T/s.tfs"
	run -1 --separate-stderr tf-report <"$T/s.tfs"
	[ "$stderr" = "tf-report: stream ended at byte $(stat -c %s "$T/s.tfs") without an end-of-stream record" ]
	printf '%s\n' "$output" | xmllint --noout -
}

@test "not a stream: exit 1, still a well-formed report" {
	run -1 --separate-stderr tf-report <"$DATA/real/http.pcap"
	[[ "$stderr" == *"not a tf stream"* ]]
	printf '%s\n' "$output" | xmllint --noout -
}

@test "file names that are not UTF-8 or hold control bytes: repaired, hex copy" {
	mkstream >"$T/s.tfs" <<'EOF2'
header source="a\xffb.pcap"
open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2
annot conn=1 dir=0 key=split.path value="out/caf\xc3\xa9\x01\xff<&>\xef\xbf\xbe"
data conn=1 dir=0 off=0 text="hi"
close conn=1
end
EOF2
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	printf '%s\n' "$output" >"$T/r.xml"
	[ -z "$stderr" ]
	xmllint --noout "$T/r.xml"
	xmllint --noout --schema "$XSD" "$T/r.xml"
	[ "$(xmllint --xpath "string($FO/$(E filename))" "$T/r.xml")" = $'out/caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd<&>\xef\xbf\xbd' ]
	[ "$(xmllint --xpath "string($FO/$(E filename)/@*[local-name()='hex'])" "$T/r.xml")" = 6f75742f636166c3a901ff3c263eefbfbe ]
	[ "$(xmllint --xpath "string(//$(E image_filename))" "$T/r.xml")" = $'a\xef\xbf\xbdb.pcap' ]
	need_jq
	run -0 tf-report -j <"$T/s.tfs"
	[ "$(head -1 <<<"$output" | jq -r .filename_hex)" = 6f75742f636166c3a901ff3c263eefbfbe ]
}

@test "-j: one JSON line per direction, the same digests as the XML" {
	need_jq
	pipe "$DATA/real/keepalive.pcap" -s
	tf-reassemble -q <"$DATA/real/keepalive.pcap" | tf-report -j -s >"$T/r.jsonl"
	[ "$(wc -l <"$T/r.jsonl")" = 2 ]
	jq -e . "$T/r.jsonl" >/dev/null
	[ "$(jq -r '[.filesize, .md5, .sha1, .sha256, .packets, .family, .srcport, .dstport, .close] | @tsv' "$T/r.jsonl" | head -1)" = \
	    "$(printf '227\tdaee7f9e5b90da3abf3550ec6af31f38\t%s\t%s\t%s\t2\t44866\t8080\tfin' \
	    "$(xmllint --xpath "string(($FO)[1]/$(E hashdigest)[@type='sha1'])" "$T/r.xml")" \
	    "$(xmllint --xpath "string(($FO)[1]/$(E hashdigest)[@type='sha256'])" "$T/r.xml")" \
	    "$(xmllint --xpath "string(($FO)[1]/$(E tcpflow)/@packets)" "$T/r.xml")")" ]
	for cap in "$DATA"/real/*.pcap*; do
		tf-reassemble -q <"$cap" | tf-report -j | jq -e . >/dev/null
	done
}

@test "-o: the report goes to the file, nothing to standard output" {
	run -0 --separate-stderr bash -c \
	    'set -o pipefail; tf-reassemble -q <"$1" | tf-report -o "$2"' _ \
	    "$DATA/real/http.pcap" "$T/o.xml"
	[ -z "$output" ]
	[ -z "$stderr" ]
	xmllint --noout "$T/o.xml"
}

@test "output errors: /dev/full gives exit 1 and a message" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -0 --separate-stderr bash -c \
	    'tf-reassemble -q <"$1" | tf-report >/dev/full
	    echo "${PIPESTATUS[*]}" >"$2"' _ "$DATA/real/http.pcap" "$T/st"
	# tf-reassemble may have written all it had before tf-report went.
	[[ $(cat "$T/st") =~ ^(0|141)" 1"$ ]]
	[[ "$stderr" == *"error writing"* ]]
}

@test "sources: files and an interface from the stream's header" {
	tf-reassemble -q -r "$DATA/real/http.pcap" -r "$DATA/real/rst.pcap" |
	    tf-report >"$T/r.xml"
	[ "$(xmllint --xpath "string(//$(E source)/@*[local-name()='kind'])" "$T/r.xml")" = file ]
	[ "$(xmllint --xpath "string((//$(E image_filename))[2])" "$T/r.xml")" = "$DATA/real/rst.pcap" ]
	printf 'header srckind=iface source=eth0\nend\n' | mkstream |
	    tf-report >"$T/r.xml"
	[ "$(xmllint --xpath "string(//$(E source)/@*[local-name()='interface'])" "$T/r.xml")" = eth0 ]
	[ "$(xmllint --xpath "count(//$(E fileobject))" "$T/r.xml")" = 0 ]
	xmllint --noout --schema "$XSD" "$T/r.xml"
}

@test "unknown record kinds are skipped; a second OPEN of a live connection is an error" {
	mkstream >"$T/s.tfs" <<'EOF2'
header
open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2
raw kind=99 hex=0102
data conn=1 dir=1 off=0 text="abc"
open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2
close conn=1
end
EOF2
	run -1 --separate-stderr tf-report -j <"$T/s.tfs"
	[ "$stderr" = "tf-report: connection 1 opened twice: second open record at byte 211 ignored" ]
	[ "$(jq -r '[.dir, .filesize, .md5] | @tsv' <<<"$output")" = "$(printf '0\t0\td41d8cd98f00b204e9800998ecf8427e\n1\t3\t900150983cd24fb0d6963f7d28e17f72')" ]
}

@test "memory does not grow with finished connections" {
	# ASan's quarantine would keep freed memory.
	export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0
	rss() {
		pktgen bench-short "$1" | tf-reassemble -q | tf-report |
		    xmllint --xpath "string(//$(E maxrss))" -
	}
	# From 1000 connections on: below that, ASan's one-time start-up
	# costs (several MiB, not the heap) still show.
	small=$(rss 1000)
	big=$(rss 8000)
	echo "maxrss $small kB for 1000 connections, $big kB for 8000"
	[ "$big" -lt $((small + 1024)) ]
}

@test "digests left out: holes over 4 GiB, data below bytes hashed" {
	mkstream >"$T/s.tfs" <<'EOF2'
header
open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2
data conn=1 dir=0 off=0 text="abc"
data conn=1 dir=0 off=1 text="x"
data conn=1 dir=1 off=5000000000 text="z"
close conn=1
end
EOF2
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	printf '%s\n' "$output" >"$T/r.xml"
	xmllint --noout --schema "$XSD" "$T/r.xml"
	[ "$(xmllint --xpath "count($FO/$(E hashdigest))" "$T/r.xml")" = 0 ]
	[ "$(xmllint --xpath "string(($FO)[1]/$(E tcpflow)/@nodigest)" "$T/r.xml")" = rewound ]
	[ "$(xmllint --xpath "string(($FO)[1]/$(E filesize))" "$T/r.xml")" = 3 ]
	[ "$(xmllint --xpath "string(($FO)[2]/$(E tcpflow)/@nodigest)" "$T/r.xml")" = hole ]
	[ "$(xmllint --xpath "string(($FO)[2]/$(E filesize))" "$T/r.xml")" = 5000000001 ]
	run -0 tf-report -j <"$T/s.tfs"
	[ "$(jq -r '[.md5, .nodigest] | @tsv' <<<"$output")" = "$(printf '\trewound\n\thole')" ]
}

# HTTP bodies from tf-http's http.message annotations.  X PATH: the
# string value of an XPath in $T/r.xml.  TO: the top-level fileobjects
# (those of the bodies are inside <tcpflow:http>).
X() {
	xmllint --xpath "string($1)" "$T/r.xml"
}
TO="/*/$(E fileobject)"
H="$TO/$(E http)"
BR="$TO/$(E byte_runs)/$(E byte_run)"

@test "http.message: one body, byte_run, body fileobject, digests, URI" {
	mkstream >"$T/s.tfs" <<'EOF2'
header
open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80
data conn=1 dir=0 off=0 text="GET /a?b=1&c=<x> HTTP/1.1\r\n\r\n"
annot conn=1 dir=0 key=http.message value="{\"dir\":\"request\",\"n\":1,\"method\":\"GET\",\"uri\":\"/a?b=1&c=<x>\\u00e9\",\"version\":\"1.1\",\"offset\":0}"
data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
annot conn=1 dir=1 key=http.message value="{\"dir\":\"response\",\"n\":1,\"status\":200,\"reason\":\"OK\",\"request\":1,\"method\":\"GET\",\"content_type\":\"text/html; charset=utf-8\",\"offset\":0,\"body_offset\":38,\"body_length\":5,\"file\":\"objs/f-HTTPBODY-001.html\",\"length\":5,\"complete\":true,\"md5\":\"5D41402ABC4B2A76B9719D911017C592\",\"sha1\":\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\",\"sha256\":\"not hex\"}"
close conn=1
end
EOF2
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/r.xml"
	xmllint --noout --schema "$XSD" "$T/r.xml"
	# The request has no body: no byte_runs in its direction.
	[ "$(X "count(($TO)[1]/$(E byte_runs))")" = 0 ]
	[ "$(X "count($BR)")" = 1 ]
	[ "$(X "($BR)[1]/@file_offset")" = 38 ]
	[ "$(X "($BR)[1]/@len")" = 5 ]
	[ "$(X "count(($TO)[2]/$(E byte_runs)/following-sibling::$(E hashdigest))")" = 2 ]
	[ "$(X "($H)[1]/@file_offset")" = 38 ]
	[ "$(X "($H)[1]/$(E fileobject)/$(E filename)")" = objs/f-HTTPBODY-001.html ]
	[ "$(X "($H)[1]/$(E fileobject)/$(E filesize)")" = 5 ]
	[ "$(X "($H)[1]/$(E fileobject)/$(E hashdigest)[@type='md5']")" = 5d41402abc4b2a76b9719d911017c592 ]
	[ "$(X "($H)[1]/$(E fileobject)/$(E hashdigest)[@type='sha1']")" = aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d ]
	# A digest that is not hex of its length is left out.
	[ "$(X "count(($H)[1]/$(E fileobject)/$(E hashdigest))")" = 2 ]
	# The URI is the request's, unescaped.
	[ "$(X "($H)[1]/@uri")" = "/a?b=1&c=<x>é" ]
	[ "$(X "($H)[1]/@method")" = GET ]
	[ "$(X "($H)[1]/@status")" = 200 ]
	[ "$(X "($H)[1]/@content_type")" = "text/html; charset=utf-8" ]
	[ "$(X "($H)[1]/@complete")" = true ]
	[ "$(X "($H)[1]/@dir")" = response ]
	[ "$(X "($H)[1]/@n")" = 1 ]
	need_jq
	run -0 tf-report -j <"$T/s.tfs"
	[ "$(sed -n 1p <<<"$output" | jq -r 'has("http")')" = false ]
	[ "$(sed -n 2p <<<"$output" | jq -r '.http | length')" = 1 ]
	[ "$(sed -n 2p <<<"$output" | jq -r '.http[0] | [.file_offset, .len, .filename, .filesize, .md5, .sha1, .sha256, .uri, .method, .status, .content_type, .complete, .dir, .n] | map(tostring) | @tsv')" = \
	    "$(printf '38\t5\tobjs/f-HTTPBODY-001.html\t5\t5d41402abc4b2a76b9719d911017c592\taaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\tnull\t/a?b=1&c=<x>é\tGET\t200\ttext/html; charset=utf-8\ttrue\tresponse\t1')" ]
}

@test "http.message: several bodies in order, both directions, no digests when absent" {
	{
		echo 'header'
		echo 'open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80'
		echo 'open conn=2 src=10.0.0.1 dst=10.0.0.2 sport=1235 dport=80'
		echo 'data conn=1 dir=0 off=0 fill=1000 byte=65'
		echo 'annot conn=1 dir=0 key=http.message value="{\"dir\":\"request\",\"n\":1,\"method\":\"POST\",\"uri\":\"/up\",\"body_offset\":100,\"body_length\":900,\"file\":\"o/c-HTTPBODY-001\",\"length\":900,\"complete\":false,\"problem\":\"cut\"}"'
		for i in 1 2 3; do
			echo "annot conn=1 dir=1 key=http.message value=\"{\\\"dir\\\":\\\"response\\\",\\\"n\\\":$i,\\\"request\\\":$i,\\\"status\\\":20$i,\\\"body_offset\\\":$((i * 239)),\\\"body_length\\\":$i,\\\"file\\\":\\\"o/s-HTTPBODY-00$i\\\",\\\"length\\\":$((i * 1000))}\""
		done
		echo 'close conn=1'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"late\",\"length\":1}"'
		echo 'close conn=2'
		echo 'end'
	} | mkstream >"$T/s.tfs"
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/r.xml"
	xmllint --noout --schema "$XSD" "$T/r.xml"
	[ "$(X "count($TO)")" = 4 ]
	[ "$(X "($TO)[1]/$(E byte_runs)/$(E byte_run)/@file_offset")" = 100 ]
	[ "$(X "($TO)[1]/$(E http)/@uri")" = /up ]
	[ "$(X "($TO)[1]/$(E http)/@complete")" = false ]
	[ "$(xmllint --xpath "($TO)[2]/$(E byte_runs)/$(E byte_run)/@file_offset" "$T/r.xml" | tr -dc '0-9 ')" = " 239 478 717" ]
	[ "$(X "count(($TO)[2]/$(E http))")" = 3 ]
	[ "$(X "($TO)[2]/$(E http)[3]/$(E fileobject)/$(E filename)")" = o/s-HTTPBODY-003 ]
	[ "$(X "($TO)[2]/$(E http)[3]/$(E fileobject)/$(E filesize)")" = 3000 ]
	[ "$(X "($TO)[2]/$(E http)[3]/@status")" = 203 ]
	# Each response takes the URI of the request it answers, when known.
	[ "$(X "count(($TO)[2]/$(E http)/@uri)")" = 1 ]
	[ "$(X "($TO)[2]/$(E http)[1]/@uri")" = /up ]
	[ "$(X "count($H/$(E fileobject)/$(E hashdigest))")" = 0 ]
	# The annotation after its connection's CLOSE is a stray record.
	[ "$(X "count(//$(E filename)[.='late'])")" = 0 ]
	[ "$(X "//$(E summary)/@stray_records")" = 1 ]
	[ "$(X "count(($TO)[position() > 2]/$(E byte_runs))")" = 0 ]
	need_jq
	run -0 tf-report -j <"$T/s.tfs"
	[ "$(sed -n 2p <<<"$output" | jq -r '[.http[] | .file_offset] | @tsv')" = "$(printf '239\t478\t717')" ]
	[ "$(sed -n 2p <<<"$output" | jq -r '[.http[] | has("md5")] | any')" = false ]
}

@test "http.message: hostile values are ignored with a warning, nothing else changes" {
	big=$(head -c 200000 /dev/zero | tr '\0' 'a')
	{
		echo 'header'
		echo 'open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80'
		echo 'data conn=1 dir=1 off=0 text="abc"'
		# nested, unterminated, trailing bytes, not an object, duplicate
		# key (also when escaped), lone surrogate, raw control byte
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a\",\"x\":{\"y\":1}}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":[\"a\"]}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a\"} x"'
		echo 'annot conn=1 dir=1 key=http.message value="[1]"'
		echo 'annot conn=1 dir=1 key=http.message value=""'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a\",\"file\":\"b\"}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a\",\"fil\\u0065\":\"b\"}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"\\ud800\"}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"a\tb\"}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":01}"'
		# not UTF-8
		echo 'annot conn=1 dir=1 key=http.message valuehex=7b2266696c65223a2261ff227d'
		# over 64 members
		printf 'annot conn=1 dir=1 key=http.message value="{'
		for i in $(seq 1 65); do printf '\\"k%d\\":%d,' "$i" "$i"; done
		printf '\\"file\\":\\"a\\"}"\n'
		# a 200 kB string is fine; a key over 256 bytes is not
		echo "annot conn=1 dir=1 key=http.message value=\"{\\\"file\\\":\\\"$big\\\",\\\"length\\\":1}\""
		echo "annot conn=1 dir=1 key=http.message value=\"{\\\"${big:0:300}\\\":1,\\\"file\\\":\\\"a\\\"}\""
		# wrong types: the member is treated as absent
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":\"ok\",\"length\":-1,\"body_offset\":1.5,\"status\":\"200\",\"uri\":7,\"complete\":null}"'
		echo 'annot conn=1 dir=1 key=http.message value="{\"file\":7}"'
		echo 'close conn=1'
		echo 'end'
	} | mkstream >"$T/s.tfs"
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	printf '%s\n' "$output" >"$T/r.xml"
	echo "$stderr"
	[ "$(grep -c 'http.message: .*; ignored$' <<<"$stderr")" = 14 ]
	[ "$(grep -c 'nested object or array' <<<"$stderr")" = 2 ]
	[ "$(grep -c 'duplicate key' <<<"$stderr")" = 2 ]
	[ "$(grep -c 'invalid UTF-8' <<<"$stderr")" = 2 ]
	[ "$(grep -c 'too big' <<<"$stderr")" = 2 ]
	[ "$(grep -c 'not a JSON object' <<<"$stderr")" = 6 ]
	xmllint --noout --schema "$XSD" "$T/r.xml"
	[ "$(X "count($H)")" = 2 ]
	[ "$(X "string-length(($H)[1]/$(E fileobject)/$(E filename))")" = 200000 ]
	[ "$(X "($H)[2]/$(E fileobject)/$(E filename)")" = ok ]
	[ "$(X "count(($H)[2]/@*)")" = 0 ]
	[ "$(X "count(($H)[2]/$(E fileobject)/$(E filesize))")" = 0 ]
	[ "$(X "count($BR[not(@file_offset)])")" = 2 ]
	[ "$(X "($TO)[2]/$(E filesize)")" = 3 ]
	need_jq
	run -0 --separate-stderr tf-report -j <"$T/s.tfs"
	[ "$(sed -n 2p <<<"$output" | jq -r '.http[1] | keys | join(",")')" = filename ]
}

@test "http.message: over 100000 in a direction, the rest counted as dropped" {
	awk 'BEGIN {
		print "header"
		print "open conn=1 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2"
		for (i = 1; i <= 100003; i++)
			printf "annot conn=1 dir=1 key=http.message value=\"{\\\"file\\\":\\\"f%d\\\",\\\"body_offset\\\":%d}\"\n", i, i
		print "close conn=1"
		print "end"
	}' | mkstream >"$T/s.tfs"
	run -0 --separate-stderr tf-report <"$T/s.tfs"
	printf '%s\n' "$output" >"$T/r.xml"
	[ "$(X "($TO)[2]/$(E byte_runs)/@*[local-name()='dropped']")" = 3 ]
	[ "$(X "count($BR)")" = 100000 ]
	[ "$(X "($BR)[100000]/@file_offset")" = 100000 ]
	need_jq
	run -0 tf-report -j <"$T/s.tfs"
	[ "$(sed -n 2p <<<"$output" | jq -r '[.http_dropped, (.http | length)] | @tsv')" = "$(printf '3\t100000')" ]
}

@test "tf-http end to end: byte_run offsets and body sizes equal tcpflow 1.6.1's" {
	[ -x "$TF_BINDIR/tf-http" ] || skip "tf-http is not built"
	cd "$T"
	tf-reassemble -q <"$DATA/real/keepalive.pcap" | tf-http -o objs |
	    tf-split -o flows | tf-report >"$T/r.xml"
	xmllint --noout --schema "$XSD" "$T/r.xml"
	got=$(for i in 1 2; do
		f=$(X "($H)[$i]/$(E fileobject)/$(E filename)")
		[ "$(X "($H)[$i]/$(E fileobject)/$(E filesize)")" = "$(wc -c <"$f")" ]
		[ "$(X "($H)[$i]/$(E fileobject)/$(E filesize)")" = "$(wc -c <"$f")" ] || echo size-mismatch
		printf '%s %s %s\n' "$(X "($BR)[$i]/@file_offset")" "${f##*/}" "$(wc -c <"$f")"
	done)
	echo "$got"
	[ "$got" = "239 127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-001.txt 317
805 127.000.000.001.08080-127.000.000.001.44866-HTTPBODY-002 3000" ]
	[ "$(X "($H)[1]/@uri")" = /small.txt ]
	[ "$(X "($H)[2]/@uri")" = /bin3000.bin ]
	command -v tcpflow >/dev/null || skip "tcpflow is not installed"
	mkdir tcf
	(cd tcf && tcpflow -a -r "$DATA/real/keepalive.pcap" -X report.xml -o . >/dev/null 2>&1)
	want=$(grep -o "byte_run file_offset='[0-9]*'><fileobject><filename>[^<]*</filename><filesize>[0-9]*" tcf/report.xml |
	    sed "s/byte_run file_offset='\([0-9]*\)'><fileobject><filename>\([^<]*\)<\/filename><filesize>/\1 \2 /")
	echo "$want"
	[ "$got" = "$want" ]
}
