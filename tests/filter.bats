# SPDX-License-Identifier: BSD-2-Clause
# The filter core (lib/filter) that tf-split, tf-http, tf-report and
# tf-cat share: the example filter of the README, bytes that are not
# ASCII through the whole pipeline, and forged streams against the
# connection table's cap and keyed hash.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	# ASan's quarantine would keep freed memory and hide what caps free.
	export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0
}

@test "the example filter: tf-bytes counts each direction's bytes, as CLOSE does" {
	for cap in "$DATA"/real/*.pcap "$DATA/http/codings.pcap"; do
		tf-reassemble -q <"$cap" >s.tfs
		tf-bytes <s.tfs >b.tfs
		tf-cat -j <b.tfs >b.json
		# One bytes.count per connection, before its CLOSE, equal to
		# the CLOSE record's byte counts.
		jq -r 'select(.kind == "annot" and .key == "bytes.count") |
		    "\(.conn) \(.value)"' b.json >got
		jq -r 'select(.kind == "close") |
		    "\(.conn) \(.dirs[0].bytes) \(.dirs[1].bytes)"' b.json >want
		[ -s want ]
		diff want got
		# And the stream passes on whole: only the annotations added.
		tf-cat <s.tfs >a.txt
		tf-cat <b.tfs | grep -v -e ' bytes.count ' -e ' bytes.command ' >b.txt
		diff a.txt b.txt
	done
}

# utf: a stream of one HTTP connection whose strings are not ASCII: a
# request target with a byte that is not UTF-8, a Host in UTF-8, and a
# response Content-Type with a UTF-8 parameter, then a second exchange
# whose Host is not UTF-8 and whose Content-Type holds a C1 control.
utf() {
	mkstream >s.tfs <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET /d/caf\xe9.txt HTTP/1.1\r\nHost: b\xc3\xbccher.example\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: text/plain; name=caf\xc3\xa9\r\nContent-Length: 5\r\n\r\nhello"
	data conn=1 dir=0 off=57 text="GET /\xe2\x80\xa8 HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n"
	data conn=1 dir=1 off=93 text="HTTP/1.1 200 OK\r\nContent-Type: x/\xc2\x9b\r\nContent-Length: 2\r\n\r\nhi"
	close conn=1
	end
	EOF
}

@test "bytes that are not ASCII in Content-Type, URI, Host and directory names come out of tf-report exactly" {
	utf
	obj=$'\xc3\xa9t\xc3\xa9'	# été, UTF-8
	flows=$'flux-\xff'		# not UTF-8
	tf-http -o "$obj" <s.tfs >h.tfs
	tf-split -o "$flows" <h.tfs >f.tfs
	tf-report <f.tfs >r.xml
	tf-report -j <f.tfs >r.json
	xmllint --noout --schema "$XSD" r.xml
	x() { xmllint --xpath "string($1)" r.xml; }
	H="//*[local-name()='http']"
	# UTF-8 is kept as it is; the rest is repaired with U+FFFD, and the
	# bytes are in a tcpflow:NAME_hex attribute next to it.
	[ "$(x "($H)[1]/@content_type")" = $'text/plain; name=caf\xc3\xa9' ]
	[ "$(x "($H)[1]/@host")" = $'b\xc3\xbccher.example' ]
	[ "$(x "($H)[1]/@uri")" = $'/d/caf\xef\xbf\xbd.txt' ]
	[ "$(x "($H)[1]/@*[local-name()='uri_hex']")" = 2f642f636166e92e747874 ]
	[ "$(x "($H)[2]/@host")" = $'\xef\xbf\xbd\xef\xbf\xbd' ]
	[ "$(x "($H)[2]/@*[local-name()='host_hex']")" = fffe ]
	[ "$(x "($H)[2]/@uri")" = $'/\xe2\x80\xa8' ]
	[ "$(x "($H)[2]/@content_type")" = $'x/\xc2\x9b' ]
	# The body files' names, under a directory whose name is UTF-8.
	[ "$(x "($H)[1]/*[local-name()='fileobject']/*[local-name()='filename']")" = \
	    "$obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001.txt" ]
	[ "$(cat "$obj/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001.txt")" = hello ]
	# A flow file under a directory whose name is not UTF-8.
	[ "$(x "(//*[local-name()='fileobject'])[1]/*[local-name()='filename']")" = \
	    $'flux-\xef\xbf\xbd/010.000.000.001.05000-010.000.000.002.00080' ]
	[ "$(x "(//*[local-name()='fileobject'])[1]/*[local-name()='filename']/@*[local-name()='hex']")" = \
	    "$(printf '%s' "$flows/010.000.000.001.05000-010.000.000.002.00080" | xxd -p | tr -d '\n')" ]
	# JSON: UTF-8 as it is, with C1 and U+2028 escaped; the rest in hex.
	[ "$(jq -c '[.filename, .filename_hex]' r.json)" = \
	    "$(printf '[null,"%s"]\n[null,"%s"]' \
	    "$(printf '%s' "$flows/010.000.000.001.05000-010.000.000.002.00080" | xxd -p | tr -d '\n')" \
	    "$(printf '%s' "$flows/010.000.000.002.00080-010.000.000.001.05000" | xxd -p | tr -d '\n')")" ]
	grep -F '"content_type":"text/plain; name=caf'$'\xc3\xa9''"' r.json
	grep -F '"host":"b'$'\xc3\xbc''cher.example"' r.json
	grep -F '"uri_hex":"2f642f636166e92e747874"' r.json
	grep -F '"host_hex":"fffe"' r.json
	grep -F '"uri":"/\u2028"' r.json
	grep -F '"content_type":"x/\u009b"' r.json
	grep -F '"filename":"'"$obj"'/010.000.000.002.00080-010.000.000.001.05000-HTTPBODY-001.txt"' r.json
	# The JSON that jq reads back holds the same bytes.
	[ "$(jq -r '.http[0].content_type // empty' r.json | head -1)" = $'text/plain; name=caf\xc3\xa9' ]
	[ "$(jq -r '.http[1].content_type // empty' r.json | head -1)" = $'x/\xc2\x9b' ]
}

@test "tf-http's annotations keep every byte: what it writes, jq and tf-report read back the same" {
	utf
	tf-http -o o <s.tfs >h.tfs
	tf-cat -j <h.tfs >h.json
	jq -c 'select(.key == "http.message") | .value | fromjson |
	    [.uri, .uri_hex, .host, .host_hex, .content_type]' h.json >got
	cat >want <<-EOF
	[null,"2f642f636166e92e747874","b$(printf '\xc3\xbc')cher.example",null,null]
	[null,null,null,null,"text/plain; name=caf$(printf '\xc3\xa9')"]
	["/$(printf '\xe2\x80\xa8')",null,null,"fffe",null]
	[null,null,null,null,"x/$(printf '\xc2\x9b')"]
	EOF
	diff want got
	# In the annotation text itself, the controls are escaped.
	grep -F '\\u2028' h.json
	grep -F '\\u009b' h.json
}

# flood FILE N WHAT: a stream of N records made by awk program WHAT (its
# i-th record from i), after a header and before END.
flood() {
	awk -v n="$2" 'BEGIN { print "header"; for (i = 1; i <= n; i++) '"$3"'; print "end" }' |
	    mkstream >"$1"
}

# stats FILE: the table's counters from TF_DEBUG_STATS in FILE.
stats() {
	sed -n 's/^[a-z-]*: table: //p' "$1"
}

@test "a million OPENs never closed: each filter holds at most -C of them, warns ten times, sums up" {
	flood opens.tfs 1000000 'printf "open conn=%d src=10.0.0.1 sport=%d dst=10.0.0.2 dport=80\n", i, i % 65536'
	for p in "tf-split -o s" "tf-http -o h" "tf-report -j"; do
		prog=${p%% *}
		TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss $p <opens.tfs >r.json 2>err &&
		    st=0 || st=$?
		[ "$st" = 1 ]
		# The stats line and time's line for the exit status aside.
		grep -v -e ': table: ' -e '^Command exited' err >msgs
		for i in $(seq 1 10); do
			echo "$prog: more than 131072 connections open at once: connection $i evicted (-C raises the cap)"
		done >want
		echo "$prog: 868928 connections evicted: more than 131072 open at once (-C raises the cap)" >>want
		diff want msgs
		[ "$(stats err)" = "lookups 1000000 probes $(stats err | cut -d' ' -f4) most held 131072 evicted 868928 orphans 0 orphan records 0" ]
		# A lookup looks at one entry or so: no chain grows.
		[ "$(stats err | cut -d' ' -f4)" -lt 2000000 ]
		echo "# $p: peak RSS $(tail -n 1 rss) KiB" >&3
		[ "$(tail -n 1 rss)" -lt 200000 ]
	done
	# tf-report: every connection has its fileobjects, those evicted
	# marked so, those open at the END record without a CLOSE as cut.
	[ "$(grep -c '"close":"evicted"' r.json)" = 1737856 ]
	[ "$(grep -c '"close":"cut"' r.json)" = 262144 ]
	[ "$(wc -l <r.json)" = 2000000 ]
}

@test "a million DATA records of connections never opened: skipped, counted, ten lines and a sum" {
	flood orphans.tfs 1000000 'printf "data conn=%d dir=0 off=0 text=\"x\"\n", i'
	for p in "tf-split -o s" "tf-http -o h" "tf-report -j"; do
		prog=${p%% *}
		TF_DEBUG_STATS=1 /usr/bin/time -f %M -o rss $p <orphans.tfs >out 2>err &&
		    st=0 || st=$?
		[ "$st" = 1 ]
		grep -v -e ': table: ' -e '^Command exited' err >msgs
		for i in $(seq 1 10); do
			echo "$prog: connection $i has no open record: its data from byte $((13 + 41 * i)) skipped"
		done >want
		echo "$prog: 1000000 connections had no open record: 1000000 records skipped" >>want
		diff want msgs
		[ "$(stats err | cut -d' ' -f1,2,5-)" = "lookups 1000000 most held 131072 evicted 0 orphans 1000000 orphan records 1000000" ]
		[ "$(stats err | cut -d' ' -f4)" -lt 2000000 ]
		echo "# $p: peak RSS $(tail -n 1 rss) KiB" >&3
		[ "$(tail -n 1 rss)" -lt 200000 ]
	done
	# Nothing was written of them.
	[ ! -s out ]
	[ -z "$(find s h -type f)" ]
}

@test "chosen connection numbers cannot share a bucket: multiples of 2^32 and 2^20" {
	# 2^32 n all fell into one bucket of tf-report's old multiplicative
	# hash; 2^20 n into one of any table indexed by low bits.
	for shift in 4294967296 1048576; do
		flood c.tfs 100000 'printf "open conn=%.0f src=10.0.0.1 sport=%d dst=10.0.0.2 dport=%d\ndata conn=%.0f dir=0 off=0 text=\"x\"\n", i * '"$shift"', i % 65536, 1 + int(i / 65536), i * '"$shift"
		for p in "tf-http -C 100000 -o h$shift" "tf-report -C 100000 -j"; do
			TF_DEBUG_STATS=1 $p <c.tfs >/dev/null 2>err
			[ "$(stats err | cut -d' ' -f1,2,5-)" = "lookups 200000 most held 100000 evicted 0 orphans 0 orphan records 0" ]
			# Each of the 200000 lookups looked at about one entry.
			[ "$(stats err | cut -d' ' -f4)" -lt 400000 ]
		done
	done
}

@test "-C: connections past the cap are closed early, their files and fileobjects complete" {
	# Three connections open at once, each with bytes both ways.
	mkstream >s.tfs <<-'EOF'
	header
	open conn=1 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=80
	open conn=2 src=10.0.0.1 sport=2 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 text="one"
	data conn=2 dir=0 off=0 text="two"
	open conn=3 src=10.0.0.1 sport=3 dst=10.0.0.2 dport=80
	data conn=3 dir=0 off=0 text="three"
	data conn=2 dir=1 off=0 text="2"
	close conn=1
	close conn=2
	close conn=3
	end
	EOF
	run -1 --separate-stderr tf-split -C 2 -o d <s.tfs
	# Connection 1 was the least recently active when 3 came.
	[ "$stderr" = "tf-split: more than 2 connections open at once: connection 1 evicted (-C raises the cap)" ]
	[ "$(cat d/010.000.000.001.00001-010.000.000.002.00080)" = one ]
	[ "$(cat d/010.000.000.001.00003-010.000.000.002.00080)" = three ]
	[ "$(cat d/010.000.000.002.00080-010.000.000.001.00002)" = 2 ]
	run -1 --separate-stderr tf-report -C 2 -j <s.tfs
	[ "$stderr" = "tf-report: more than 2 connections open at once: connection 1 evicted (-C raises the cap)" ]
	[ "$(jq -r '"\(.conn) \(.dir) \(.filesize) \(.close)"' <<<"$output")" = "1 0 3 evicted
1 1 0 evicted
2 0 3 fin
2 1 1 fin
3 0 5 fin
3 1 0 fin" ]
	run -2 --separate-stderr tf-split -C 0
	[ "$stderr" = "tf-split: option -C: '0' is not a number from 1 to 16777216" ]
}
