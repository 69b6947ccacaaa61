# SPDX-License-Identifier: BSD-2-Clause
# Paths: no template, flow file name, HTTP URI, header or stream string
# makes a file outside the -o directory, a name with a control character,
# or a write through a symbolic link planted in it.  Each test runs in an
# empty directory, so "ls -A" there shows everything that was made.
bats_require_minimum_version 1.5.0

C2S=010.000.000.001.05000-010.000.000.002.00080
S2C=010.000.000.002.00080-010.000.000.001.05000
SPLIT_USAGE='usage: tf-split [-hqV] [-C conns] [-f maxfds] [-F tTkmg] [-o dir] [-T template]'
# Folded before the option that would pass column 80.
HTTP_USAGE='usage: tf-http [-AhjkqsV] [-C conns] [-F tTkmg] [-H bytes] [-M bytes] [-m bytes]
               [-n fields] [-o dir] [-R ratio] [-T template] [-w log] [file ...]'

setup() {
	load helper
	# Not BATS_TEST_TMPDIR itself: run --separate-stderr leaves files there.
	mkdir "$BATS_TEST_TMPDIR/top"
	cd "$BATS_TEST_TMPDIR/top"
	export LC_ALL=C
}

# mk FILE: turns the description on stdin into the stream FILE.
mk() {
	mkstream >"$1"
}

# A connection from 10.0.0.1:5000 to 10.0.0.2:80, bytes both ways.
simple() {
	cat <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1795677039 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n\r\nhello"
	close conn=1 cause=fin
	end packets=6
	EOF
}

# hstream FILE: a stream of one connection 10.0.0.1:5000 -> 10.0.0.2:80
# whose data records are the mkstream lines on stdin.
hstream() {
	{
		echo 'header linktype=1 source=x.pcap'
		echo 'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn'
		cat
		echo 'close conn=1 cause=fin'
		echo 'end packets=1'
	} | mkstream >"$1"
}

# two FILE: two connections with one HTTP message each way, an IPv4 one
# (conn 1) and an IPv6 one (conn 2), whose names differ in length.
two() {
	mk "$1" <<-'EOF'
	open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1700000000 src=2001:db8::1 sport=5000 dst=2001:db8::2 dport=80
	data conn=1 dir=0 off=0 text="POST / HTTP/1.1\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\nq"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\nr"
	data conn=2 dir=0 off=0 text="POST / HTTP/1.1\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\nQ"
	data conn=2 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\nR"
	close conn=1
	close conn=2
	end
	EOF
}

# rep N C: the character C N times.
rep() {
	local s
	printf -v s '%*s' "$1" ''
	printf '%s' "${s// /$2}"
}

# snull ARGS...: tf-split, the stream passed on thrown away.
snull() {
	tf-split "$@" >/dev/null
}

# hnull ARGS...: tf-http, the stream passed on thrown away.
hnull() {
	tf-http "$@" >/dev/null
}

# hout ARGS...: tf-http, the stream passed on to out.tfs.
hout() {
	tf-http "$@" >out.tfs
}

# tree DIR: every path under DIR, sorted, one per line; nothing at all
# when find fails.  Tests compare its output in [ "$(tree DIR)" = ... ],
# where a failing stage would go unseen, and no listing is empty (DIR
# itself comes first): so find's output is taken whole before sort.
tree() {
	local l
	l=$(find "$1") || return
	sort <<<"$l"
}

# keep FILE: remembers FILE's bytes and times; kept FILE checks them.
keep() {
	echo precious >"$1"
	touch -d @1000000000 "$1"
}
kept() {
	[ "$(cat "$1")" = precious ]
	[ "$(stat -c %Y "$1")" = 1000000000 ]
}

@test "paths: templates with '..', '.', an empty component or a leading '/' are refused" {
	for prog in tf-split tf-http; do
		usage=$SPLIT_USAGE
		[ $prog = tf-http ] && usage=$HTTP_USAGE
		for t in '..' '../%a' '../../%a' '%a/..' '%a/../x' '%A/../x' \
		    'x/../%a' '%a/../../..' '.' './%a' '%a/.' 'x/./%a' \
		    "/tmp/tf-paths-$$-%a" '/%a' '//%a' 'a//%a' '%a/' '%a//' \
		    '%%/../%a'; do
			run -2 --separate-stderr $prog -o d -T "$t" </dev/null
			case $t in
			/*) why='names would be absolute paths' ;;
			*//*|*/) why='empty path component' ;;
			*..*) why="path component '..'" ;;
			*) why="path component '.'" ;;
			esac
			[ "$stderr" = "$prog: template '$t': $why
$usage" ]
		done
		# -F prefixes the template; the whole is checked.
		run -2 --separate-stderr $prog -o d -T '..' -Fk </dev/null
		[ "$stderr" = "$prog: template '%K/..': path component '..'
$usage" ]
	done
	[ -z "$(ls -A)" ]
	[ ! -e "/tmp/tf-paths-$$-05000" ] && [ ! -e "/tmp/tf-paths-$$-00080" ]
}

@test "paths: '.' and '..' inside a longer component are plain names" {
	simple | mk in.tfs
	run -0 --separate-stderr snull -o d -T '..%a/...%b/.%N.' <in.tfs
	[ -z "$stderr" ]
	[ "$(tree d)" = "d
d/..00080
d/..00080/...05000
d/..00080/...05000/.001.
d/..05000
d/..05000/...00080
d/..05000/...00080/.000." ]
	[ "$(ls -A)" = "d
in.tfs" ]
}

@test "paths: a name made unsafe only by empty variables is skipped, the others written" {
	# Conn 1 is on no VLAN and has no MAC addresses: '..%V%v' is '..',
	# '.%C%c' is '.', and '%E%e/%N' is absolute.  Conn 2 has all three.
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 vlan=42 counter=1 flags=mac smac=020000000001 dmac=020000000002
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	data conn=2 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	end
	EOF
	# Each run ends with the count of files not made, by kind.
	run -1 --separate-stderr snull -o d -T '..%V%v/%N' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'd/../000': path component '..': connection 1 direction 0 skipped
tf-split: 1 file not made: 1 unsafe name" ]
	run -1 --separate-stderr snull -o e -T 'x/.%C%c/%N' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'e/x/./000': path component '.': connection 1 direction 0 skipped
tf-split: 1 file not made: 1 unsafe name" ]
	run -1 --separate-stderr snull -o f -T '%E%e/%N' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'f//000': absolute path: connection 1 direction 0 skipped
tf-split: 1 file not made: 1 unsafe name" ]
	[ "$(tree .)" = ".
./d
./d/..--42
./d/..--42/002c1
./e
./e/x
./e/x/.c1
./e/x/.c1/002
./f
./f/02:00:00:00:00:0102:00:00:00:00:02
./f/02:00:00:00:00:0102:00:00:00:00:02/002c1
./in.tfs" ]
}

@test "paths: tf-http: a body name made unsafe by empty variables is skipped" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 vlan=42
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"
	data conn=2 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"
	end
	EOF
	run -1 --separate-stderr hnull -o obj -T '..%V%v/%N' <in.tfs
	[ "$stderr" = "tf-http: cannot create 'obj/../001-HTTPBODY-001': path component '..'
tf-http: 1 file not made: 1 unsafe name" ]
	[ "$(tree .)" = ".
./in.tfs
./obj
./obj/..--42
./obj/..--42/003-HTTPBODY-001" ]
	[ "$(cat obj/..--42/003-HTTPBODY-001)" = 2 ]
}

@test "paths: control characters in a template are refused; other bytes are kept" {
	for prog in tf-split tf-http; do
		usage=$SPLIT_USAGE
		[ $prog = tf-http ] && usage=$HTTP_USAGE
		for c in $(seq 1 31) 127; do
			printf -v hex '%02x' "$c"
			printf -v t "x\\x$hex%%a"
			run -2 --separate-stderr $prog -o d -T "$t" </dev/null
			[ "$stderr" = "$prog: template '$t': control character 0x$hex
$usage" ]
		done
		# In a -T that -F prefixes, and after a '/'.
		run -2 --separate-stderr $prog -FT -T $'%a/\e[2J' </dev/null
		[ "$stderr" = "$prog: template '%a/"$'\e'"[2J': control character 0x1b
$usage" ]
	done
	[ -z "$(ls -A)" ]
	# Bytes 0x80 to 0xff (UTF-8 or not) are written as given.
	simple | mk in.tfs
	run -0 --separate-stderr snull -o d -T $'\xff\x80caf\xc3\xa9/%a' <in.tfs
	[ -z "$stderr" ]
	[ "$(tree d)" = "d
d/"$'\xff\x80caf\xc3\xa9'"
d/"$'\xff\x80caf\xc3\xa9'"/00080
d/"$'\xff\x80caf\xc3\xa9'"/05000" ]
}

@test "paths: a component over NAME_MAX: a warning, that direction skipped, the others written" {
	two in.tfs
	# 230 + 31 bytes for the IPv4 connection, 230 + 23 for the IPv6 one.
	x=$(rep 230 x)
	# The file system refuses the name (ENAMETOOLONG): counted as refused
	# by the system, not as a name too long, which is over PATH_MAX.
	run -1 --separate-stderr snull -o d -T "d/$x%A-%B" <in.tfs
	[ "$stderr" = "tf-split: cannot create 'd/d/${x}010.000.000.001-010.000.000.002': File name too long: connection 1 direction 0 skipped
tf-split: cannot create 'd/d/${x}010.000.000.002-010.000.000.001': File name too long: connection 1 direction 1 skipped
tf-split: 2 files not made: 2 refused by the system" ]
	[ "$(tree .)" = ".
./d
./d/d
./d/d/${x}2001:db8::1-2001:db8::2
./d/d/${x}2001:db8::2-2001:db8::1
./in.tfs" ]
	printf 'POST / HTTP/1.1\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\nQ' |
	    cmp - "d/d/${x}2001:db8::1-2001:db8::2"
	# tf-http adds 18 bytes: -HTTPBODY-001.html.
	x=$(rep 210 x)
	run -1 --separate-stderr hnull -o obj -T "$x%A-%B" <in.tfs
	[ "$stderr" = "tf-http: cannot create 'obj/${x}010.000.000.001-010.000.000.002-HTTPBODY-001.html': File name too long
tf-http: cannot create 'obj/${x}010.000.000.002-010.000.000.001-HTTPBODY-001.html': File name too long
tf-http: 2 files not made: 2 refused by the system" ]
	[ "$(tree obj)" = "obj
obj/${x}2001:db8::1-2001:db8::2-HTTPBODY-001.html
obj/${x}2001:db8::2-2001:db8::1-HTTPBODY-001.html" ]
	[ "$(cat "obj/${x}2001:db8::2-2001:db8::1-HTTPBODY-001.html")" = R ]
}

@test "paths: a name over PATH_MAX: a warning, that direction skipped, the others written" {
	two in.tfs
	# 16 directories of 250 bytes: 4016 bytes, then 50 + 31 for the IPv4
	# connection (4097, more than 4095) and 50 + 23 for the IPv6 one.
	top=$(for i in $(seq 16); do rep 250 "$(printf "\\x$(printf %x $((96 + i)))")"; printf /; done)
	[ ${#top} = 4016 ]
	x=$(rep 50 x)
	run -1 --separate-stderr snull -o d -T "$top$x%A-%B" <in.tfs
	[ "$stderr" = "tf-split: connection 1 direction 0: name longer than 4095 bytes: skipped
tf-split: connection 1 direction 1: name longer than 4095 bytes: skipped
tf-split: 2 files not made: 2 names too long" ]
	files=$(cd d && find . -type f | sort)
	[ "$files" = "./$top${x}2001:db8::1-2001:db8::2
./$top${x}2001:db8::2-2001:db8::1" ]
	[ "$(ls -A)" = "d
in.tfs" ]
	# tf-http: with its -HTTPBODY-001.html suffix, a body name of the
	# IPv4 connection is 4081 bytes, more than 4078; the IPv6 one 4073.
	x=$(rep 16 x)
	run -1 --separate-stderr hnull -o obj -T "$top$x%A-%B" <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 0: message 1: body file name longer than 4078 bytes: skipped
tf-http: connection 1 direction 1: message 1: body file name longer than 4078 bytes: skipped
tf-http: 2 files not made: 2 names too long" ]
	files=$(cd obj && find . -type f | sort)
	[ "$files" = "./$top${x}2001:db8::1-2001:db8::2-HTTPBODY-001.html
./$top${x}2001:db8::2-2001:db8::1-HTTPBODY-001.html" ]
	# The template alone too long: every body skipped, the first three
	# (FILTER_FEW) with a warning each, all four counted at the end.
	run -1 --separate-stderr hnull -o obj2 -T "$(rep 4100 y)%a" <in.tfs
	[ "$stderr" = "tf-http: connection 1 direction 0: message 1: body file name longer than 4078 bytes: skipped
tf-http: connection 1 direction 1: message 1: body file name longer than 4078 bytes: skipped
tf-http: connection 2 direction 0: message 1: body file name longer than 4078 bytes: skipped
tf-http: 4 files not made: 4 names too long" ]
	[ "$(tree obj2)" = obj2 ]
	# A message without a body needs no name and gets no warning.
	hstream get.tfs <<-'EOF2'
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	EOF2
	run -0 --separate-stderr hnull -o obj3 -T "$(rep 4100 y)%a" <get.tfs
	[ -z "$stderr" ]
	[ "$(ls -A)" = "d
get.tfs
in.tfs
obj
obj2
obj3" ]
}

@test "paths: hostile request URIs never reach a file name" {
	long=$(rep 7990 a)
	hstream in.tfs <<-EOF
	data conn=1 dir=0 off=0 text="POST /../../../etc/passwd HTTP/1.1\r\nContent-Length: 1\r\n\r\n1POST /%2e%2e/%2e%2e/x HTTP/1.1\r\nContent-Length: 1\r\n\r\n2POST http://host/../../x HTTP/1.1\r\nHost: ../..\r\nContent-Length: 1\r\n\r\n3POST //etc/passwd HTTP/1.1\r\nContent-Length: 1\r\n\r\n4POST /$long/../x HTTP/1.1\r\nContent-Length: 1\r\n\r\n5POST /a\0/../x HTTP/1.1\r\nContent-Length: 1\r\n\r\n6POST /a\r/../x HTTP/1.1\r\nContent-Length: 1\r\n\r\n7POST /a\x01\x1b\x7f\xff/../x HTTP/1.1\r\nContent-Length: 1\r\n\r\n8POST /9 HTTP/1.1\r\nContent-Length: 1\r\n\r\n9"
	EOF
	run -0 --separate-stderr hnull -o obj <in.tfs
	# A NUL, a lone CR or a control byte in the URI: not a request line.
	# (How many bytes the resynchronisation skips is tf-http.bats' matter.)
	[[ $stderr =~ ^"tf-http: connection 1 direction 0 at byte "[0-9]+": "[0-9]+" bytes that are not HTTP skipped"$ ]]
	[ "$(tree .)" = ".
./in.tfs
./obj
./obj/$C2S-HTTPBODY-001
./obj/$C2S-HTTPBODY-002
./obj/$C2S-HTTPBODY-003
./obj/$C2S-HTTPBODY-004
./obj/$C2S-HTTPBODY-005
./obj/$C2S-HTTPBODY-006" ]
	[ "$(cat obj/*)" = 123459 ]
}

@test "paths: hostile Content-Types and Content-Dispositions never reach a file name" {
	long=$(rep 8000 a)
	t=
	n=0
	for h in 'Content-Type: text/html/../../x' \
	    'Content-Type: ../../' \
	    'Content-Type: /etc/passwd' \
	    'Content-Type: image/png\0/../x' \
	    'Content-Type: text/html; name=../x' \
	    'Content-Type: TEXT/HTML;name=/etc/passwd' \
	    'Content-Type: text/\x01html' \
	    'Content-Type: text/html\x1b[2J' \
	    "Content-Type: text/$long" \
	    "Content-Type: text/html; $long" \
	    'Content-Type: text/plain\r\nContent-Disposition: attachment; filename=../../x' \
	    'Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"/etc/passwd\"'; do
		n=$((n + 1))
		t="${t}HTTP/1.1 200 OK\\r\\n$h\\r\\nContent-Length: 1\\r\\n\\r\\n$((n % 10))"
	done
	echo "data conn=1 dir=1 off=0 text=\"$t\"" | hstream in.tfs
	run -0 --separate-stderr hout -o obj <in.tfs
	[ -z "$stderr" ]
	[ "$(tree .)" = ".
./in.tfs
./obj
./obj/$S2C-HTTPBODY-001
./obj/$S2C-HTTPBODY-002
./obj/$S2C-HTTPBODY-003
./obj/$S2C-HTTPBODY-004
./obj/$S2C-HTTPBODY-005.html
./obj/$S2C-HTTPBODY-006.html
./obj/$S2C-HTTPBODY-007
./obj/$S2C-HTTPBODY-008
./obj/$S2C-HTTPBODY-009
./obj/$S2C-HTTPBODY-010.html
./obj/$S2C-HTTPBODY-011.txt
./obj/$S2C-HTTPBODY-012.txt
./out.tfs" ]
	[ "$(cat obj/*)" = 123456789012 ]
	# The values are in the annotations as sent (a NUL as '?').
	# (sed, not head: head would go before jq is done, and the SIGPIPE
	# would fail the pipeline.)
	ct=$(tf-cat -j <out.tfs | jq -r 'select(.key == "http.message") | .value | fromjson | .content_type' | sed -n 1,8p)
	[ "$ct" = 'text/html/../../x
../../
/etc/passwd
image/png?/../x
text/html; name=../x
TEXT/HTML;name=/etc/passwd
text/'$'\x01''html
text/html'$'\x1b''[2J' ]
}

@test "paths: strings in the stream (sources, annotations) never reach a file name" {
	mk in.tfs <<-'EOF'
	header linktype=1 source="../../x\0/../y" source="/etc/passwd" program="../\r\n"
	annot conn=0 key=split.path value="../../evil"
	open conn=1 ts=1795677039 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	annot conn=1 dir=1 key=split.path value="/etc/passwd\0x"
	annot conn=1 dir=0 key="../k" valuehex=2e2e2f00
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
	end
	EOF
	run -0 --separate-stderr snull -o d <in.tfs
	[ -z "$stderr" ]
	run -0 --separate-stderr hnull -o obj <in.tfs
	[ -z "$stderr" ]
	[ "$(tree .)" = ".
./d
./d/$S2C
./in.tfs
./obj
./obj/$S2C-HTTPBODY-001" ]
}

@test "paths: tf-http: a symbolic link planted as a body file is not followed" {
	hstream in.tfs <<-'EOF'
	data conn=1 dir=0 off=0 text="POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nq"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1\r\n\r\n2"
	EOF
	mkdir obj
	keep target
	ln -s ../target "obj/$S2C-HTTPBODY-001.html"
	ln -s ../nothere "obj/$S2C-HTTPBODY-002.html"
	run -1 --separate-stderr hnull -o obj <in.tfs
	[ "$stderr" = "tf-http: 'obj/$S2C-HTTPBODY-001.html' exists, not overwritten
tf-http: 'obj/$S2C-HTTPBODY-002.html' exists, not overwritten
tf-http: 2 files not made: 2 existed" ]
	kept target
	[ "$(readlink "obj/$S2C-HTTPBODY-001.html")" = ../target ]
	[ "$(readlink "obj/$S2C-HTTPBODY-002.html")" = ../nothere ]
	[ "$(cat "obj/$C2S-HTTPBODY-001")" = q ]
	[ "$(ls -A)" = "in.tfs
obj
target" ]
}

@test "paths: tf-http: a symbolic link planted as a -PARTIAL or -k name is not followed" {
	hstream in.tfs <<-'EOF'
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhi"
	EOF
	mkdir obj
	keep target
	ln -s ../target "obj/$S2C-HTTPBODY-001-PARTIAL.html"
	run -1 --separate-stderr hnull -o obj <in.tfs
	# The body is made, under its name without -PARTIAL: not counted as a
	# file not made, but as a body not whole.
	[ "$stderr" = "tf-http: connection 1 direction 1 at byte 65: message 1: connection ended inside it
tf-http: cannot rename 'obj/$S2C-HTTPBODY-001.html' to 'obj/$S2C-HTTPBODY-001-PARTIAL.html': File exists
tf-http: 1 of 1 body not whole: 1 cut" ]
	kept target
	[ "$(cat "obj/$S2C-HTTPBODY-001.html")" = hi ]
	[ "$(tree obj)" = "obj
obj/$S2C-HTTPBODY-001-PARTIAL.html
obj/$S2C-HTTPBODY-001.html" ]
	# -k: the body as sent would go to FLOW-HTTPBODY-GZIP-NNN.
	gz=$(printf hello | gzip -n | od -An -tx1 | tr -d ' \n')
	hstream gz.tfs <<-EOF
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: $((${#gz} / 2))\r\n\r\n"
	data conn=1 dir=1 off=63 hex=$gz
	EOF
	mkdir obj2
	ln -s ../target "obj2/$S2C-HTTPBODY-GZIP-001"
	run -1 --separate-stderr hnull -k -o obj2 <gz.tfs
	[ "$stderr" = "tf-http: 'obj2/$S2C-HTTPBODY-GZIP-001' exists, not overwritten
tf-http: 1 file not made: 1 existed" ]
	kept target
	[ "$(cat "obj2/$S2C-HTTPBODY-001")" = hello ]
	[ "$(ls -A)" = "gz.tfs
in.tfs
obj
obj2
target" ]
}

@test "paths: tf-http: a symbolic link planted as a directory is not followed" {
	hstream in.tfs <<-'EOF'
	data conn=1 dir=0 off=0 text="POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nq"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nr"
	EOF
	# To a directory outside, and to the parent.
	mkdir obj outside
	ln -s ../outside obj/00080
	ln -s .. obj/05000
	run -1 --separate-stderr hnull -o obj -T '%a/%A' <in.tfs
	[ "${#stderr_lines[@]}" = 3 ]
	[[ ${stderr_lines[0]} =~ ^"tf-http: cannot create 'obj/05000/010.000.000.001-HTTPBODY-001': "(Not a directory|Too many levels of symbolic links)$ ]]
	[[ ${stderr_lines[1]} =~ ^"tf-http: cannot create 'obj/00080/010.000.000.002-HTTPBODY-001': "(Not a directory|Too many levels of symbolic links)$ ]]
	[ "${stderr_lines[2]}" = "tf-http: 2 files not made: 2 refused by the system" ]
	[ "$(tree .)" = ".
./in.tfs
./obj
./obj/00080
./obj/05000
./outside" ]
	# Deeper down, under -Fk's directory: the other direction is written.
	mkdir -p obj2/000/05000
	ln -s ../../outside obj2/000/00080
	run -1 --separate-stderr hnull -o obj2 -T '%a/%A' -Fk <in.tfs
	[[ $stderr =~ ^"tf-http: cannot create 'obj2/000/00080/010.000.000.002-HTTPBODY-001': "(Not a directory|Too many levels of symbolic links)"
tf-http: 1 file not made: 1 refused by the system"$ ]]
	[ "$(cat obj2/000/05000/010.000.000.001-HTTPBODY-001)" = q ]
	[ -z "$(ls -A outside)" ]
}

@test "paths: -o naming a symbolic link follows it: the user chose it" {
	simple | mk in.tfs
	mkdir real
	ln -s real link
	run -0 --separate-stderr bash -c 'set -o pipefail; tf-split -o link <in.tfs | tf-http -o link/obj | tf-cat | grep -c "\"link/"'
	[ "$output" = 3 ]
	[ -z "$stderr" ]
	[ "$(tree real)" = "real
real/$C2S
real/$S2C
real/obj
real/obj/$S2C-HTTPBODY-001" ]
	# A dangling one is not made: its target is not created.
	ln -s nothere dangling
	for prog in tf-split tf-http; do
		run -1 --separate-stderr $prog -o dangling <in.tfs
		[ "$stderr" = "$prog: cannot open output directory 'dangling': No such file or directory" ]
	done
	[ "$(ls -A)" = "dangling
in.tfs
link
real" ]
}

@test "paths: tf-http flow files with odd names: bodies named after them, inside -o" {
	mkdir in
	resp='HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\n'
	for f in $'new\nline' $'tab\tesc\e' ... '..x' '-dash' ' ' $'\xff\xfe' 'q"uote'"'"; do
		printf "$resp%s" x >"in/$f"
	done
	printf "$resp%s" x >"in/$(rep 240 L)"
	# The glob leaves out names that start with a dot.
	run -1 --separate-stderr hnull -o obj in/* in/... in/..x in/../in/...
	[ "$stderr" = "tf-http: cannot create 'obj/$(rep 240 L)-HTTPBODY-001.txt': File name too long
tf-http: 'obj/...-HTTPBODY-001.txt' exists, not overwritten
tf-http: 2 files not made: 1 existed, 1 refused by the system" ]
	# NUL-separated, shown as '|': one name has a newline.
	names=$(find obj -print0 | sort -z | tr '\0' '|')
	[ "$names" = "obj|obj/ -HTTPBODY-001.txt|obj/-dash-HTTPBODY-001.txt|obj/...-HTTPBODY-001.txt|obj/..x-HTTPBODY-001.txt|obj/new
line-HTTPBODY-001.txt|obj/q\"uote'-HTTPBODY-001.txt|obj/tab	esc"$'\e'"-HTTPBODY-001.txt|obj/"$'\xff\xfe'"-HTTPBODY-001.txt|" ]
	[ "$(cat "obj/new
line-HTTPBODY-001.txt")" = x ]
	[ "$(ls -A)" = "in
obj" ]
}

@test "paths: tf-http: a directory swapped for a symbolic link while it runs: the -PARTIAL rename stays inside" {
	printf '%s\n' 'header linktype=1 source=x.pcap' \
	    'open conn=1 ts=1700000000 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn' \
	    'data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi"' |
	    mk part1.tfs
	printf 'nopreamble\nclose conn=1\nend\n' | mkstream >part2.tfs
	mkdir outside
	keep outside/010.000.000.002-HTTPBODY-001
	mkfifo p
	# Not fd 3: bats reports on it.
	tf-http -o obj -T '%a/%A' <p >/dev/null 2>err 3>&- &
	pid=$!
	exec 7>p
	cat part1.tfs >&7
	for i in $(seq 100); do
		[ -e obj/00080/010.000.000.002-HTTPBODY-001 ] && break
		sleep 0.1
	done
	[ -e obj/00080/010.000.000.002-HTTPBODY-001 ]
	# The body is cut when the connection closes: it is renamed.
	mv obj/00080 obj/moved
	ln -s ../outside obj/00080
	cat part2.tfs >&7
	exec 7>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" = 0 ]
	[ "$(cat err)" = "tf-http: connection 1 direction 1 at byte 40: message 1: connection ended inside it
tf-http: 1 of 1 body not whole: 1 cut" ]
	kept outside/010.000.000.002-HTTPBODY-001
	[ "$(ls -A outside)" = 010.000.000.002-HTTPBODY-001 ]
	[ "$(cat obj/moved/010.000.000.002-HTTPBODY-001-PARTIAL)" = hi ]
	[ "$(tree obj)" = "obj
obj/00080
obj/moved
obj/moved/010.000.000.002-HTTPBODY-001-PARTIAL" ]
}
