# SPDX-License-Identifier: BSD-2-Clause
# tf-split: names, templates, holes, safety, passing on, errors.
bats_require_minimum_version 1.5.0

C2S=010.000.000.001.05000-010.000.000.002.00080
S2C=010.000.000.002.00080-010.000.000.001.05000
USAGE='usage: tf-split [-hqV] [-C conns] [-f maxfds] [-F tTkmg] [-o dir] [-T template]'

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# mk FILE: turns the description on stdin into the stream FILE.
mk() {
	mkstream >"$1"
}

# A connection from 10.0.0.1:5000 to 10.0.0.2:80, bytes both ways.
simple() {
	cat <<-'EOF'
	header linktype=1 source=x.pcap
	open conn=1 ts=1795677039.751392123 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n"
	data conn=1 dir=1 off=17 text="\r\nhello"
	close conn=1 cause=fin
	end packets=6
	EOF
}

@test "tf-split: default names and bytes, as tcpflow" {
	simple | mk in.tfs
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ -z "$stderr" ]
	[ "$(ls d)" = "$C2S
$S2C" ]
	printf 'GET / HTTP/1.1\r\n\r\n' >exp0
	printf 'HTTP/1.1 200 OK\r\n\r\nhello' >exp1
	cmp exp0 "d/$C2S"
	cmp exp1 "d/$S2C"
}

@test "tf-split: IPv6 names" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=2001:db8::1 sport=5000 dst=2001:db8::2 dport=443
	data conn=1 dir=0 off=0 text="a"
	data conn=1 dir=1 off=0 text="b"
	end
	EOF
	run -0 tf-split -o d <in.tfs
	[ "$(ls d)" = "2001:db8::1.05000-2001:db8::2.00443
2001:db8::2.00443-2001:db8::1.05000" ]
}

@test "tf-split: VLAN id (outermost, 12 bits) and connection counter" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 vlan=42,7
	open conn=2 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 counter=1
	open conn=3 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 vlan=4095 counter=12
	data conn=1 dir=0 off=0 text="1"
	data conn=2 dir=0 off=0 text="2"
	data conn=3 dir=1 off=0 text="3"
	end
	EOF
	run -0 tf-split -o d <in.tfs
	[ "$(ls d)" = "$C2S--42
${C2S}c1
$S2C--4095c12" ]
	[ "$(cat "d/$C2S--42")" = 1 ]
	[ "$(cat "d/${C2S}c1")" = 2 ]
	[ "$(cat "d/$S2C--4095c12")" = 3 ]
}

@test "tf-split: every template variable" {
	mk in.tfs <<-'EOF'
	open conn=1234567 ts=1795677039.5 src=10.0.0.1 sport=5000 dst=192.168.1.2 dport=80 vlan=42,7 counter=2 flags=syn,mac smac=020000000001 dmac=020000000002
	open conn=600000000 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	data conn=1234567 dir=0 off=0 text="a"
	data conn=1234567 dir=1 off=0 text="b"
	data conn=600000000 dir=0 off=0 text="c"
	end
	EOF
	run -0 --separate-stderr tf-split -o d \
	    -T '%T_%t_%A_%a_%B_%b_V[%V]v[%v]C[%C]c[%c]#[%#]N[%N]K[%K]M[%M]G[%G]S[%S]E[%E]e[%e]%%' <in.tfs
	[ -z "$stderr" ]
	[ "$(ls d)" = "1970-01-01T00:00:01Z_1_010.000.000.001_05000_010.000.000.002_00080_V[]v[]C[]c[]#[0]N[998]K[999]M[199]G[001]S[00000000000600000000]E[]e[]%
2026-11-26T07:10:39Z_1795677039_010.000.000.001_05000_192.168.001.002_00080_V[--]v[42]C[c]c[2]#[2]N[132]K[469]M[002]G[000]S[00000000000001234567]E[02:00:00:00:00:01]e[02:00:00:00:00:02]%
2026-11-26T07:10:39Z_1795677039_192.168.001.002_00080_010.000.000.001_05000_V[--]v[42]C[c]c[2]#[2]N[133]K[469]M[002]G[000]S[00000000000001234567]E[02:00:00:00:00:02]e[02:00:00:00:00:01]%" ]
}

@test "tf-split: %C%c is appended to a template without %c" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 counter=3
	data conn=1 dir=0 off=0 text="a"
	end
	EOF
	run -0 tf-split -o d -T '%a' <in.tfs
	[ "$(ls d)" = "05000c3" ]
	run -0 tf-split -o e -T '%a-%#-%c' <in.tfs
	[ "$(ls e)" = "05000-3-3" ]
}

@test "tf-split: -F prefixes apply in command-line order with -T" {
	simple | mk in.tfs
	run -0 tf-split -o a -Fk -T '%a' <in.tfs
	files=$(cd a && find . -type f | LC_ALL=C sort)
	[ "$files" = "./00080
./05000" ]
	run -0 tf-split -o b -T '%a' -Fk <in.tfs
	files=$(cd b && find . -type f | LC_ALL=C sort)
	[ "$files" = "./000/00080
./000/05000" ]
	run -0 tf-split -o c -T '%a' -Ftk <in.tfs
	[ -f c/000/1795677039T05000 ]
	run -0 tf-split -o e -T '%a' -Fk -FT <in.tfs
	[ -f c/000/1795677039T00080 ]
	[ -f e/2026-11-26T07:10:39Z000/05000 ]
	run -0 tf-split -o f -T '%a' -Fm <in.tfs
	[ -f f/000000-000999/000000/05000 ]
	run -0 tf-split -o g -T '%a' -Fg <in.tfs
	[ -f g/000000000-000999999/000000000-000000999/000000000/05000 ]
	run -0 tf-split -o h -Ft <in.tfs
	[ -f "h/1795677039T$C2S" ]
	run -0 --separate-stderr tf-split -o i -Fc <in.tfs
	[ -z "$stderr" ]
	[ "$(ls i)" = "$C2S
$S2C" ]
}

@test "tf-split: a '/' in the template makes directories" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1 src=10.0.0.3 sport=5001 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 text="a"
	data conn=2 dir=1 off=0 text="b"
	end
	EOF
	run -0 tf-split -o d -T 'srv/%B.%b/%S-%N' <in.tfs
	files=$(cd d && find . | LC_ALL=C sort)
	[ "$files" = ".
./srv
./srv/010.000.000.002.00080
./srv/010.000.000.002.00080/00000000000000000001-000
./srv/010.000.000.003.05001
./srv/010.000.000.003.05001/00000000000000000002-003" ]
	[ "$(cat d/srv/010.000.000.003.05001/00000000000000000002-003)" = b ]
}

@test "tf-split: a gap is a hole; bytes after it keep their offset" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 text="abc"
	gap conn=1 dir=0 off=3 len=1048576 cause=lost
	data conn=1 dir=0 off=1048579 text="xyz"
	gap conn=1 dir=0 off=1048582 len=100 cause=lost
	gap conn=1 dir=1 off=0 len=10 cause=lost
	end
	EOF
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ -z "$stderr" ]
	{ printf abc; head -c 1048576 /dev/zero; printf xyz; } >exp
	cmp exp "d/$C2S"
	# Sparse: far fewer blocks than the size.
	[ $(($(stat -c %b "d/$C2S") * $(stat -c %B "d/$C2S"))) -lt 262144 ]
	# A direction with only a gap gets an empty file.
	[ "$(stat -c %s "d/$S2C")" = 0 ]
}

@test "tf-split: no file for a direction without data" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1 src=10.0.0.9 sport=5000 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 text="a"
	close conn=1
	close conn=2
	end
	EOF
	run -0 tf-split -o d <in.tfs
	[ "$(ls d)" = "$C2S" ]
}

@test "tf-split: files get the first packet time, to the nanosecond" {
	simple | sed '/^close/d' | mk in.tfs
	printf '%s\n' 'open conn=2 ts=1700000000.000000001 src=10.0.0.5 sport=1 dst=10.0.0.6 dport=2' \
	    'data conn=2 dir=0 off=0 text="z"' 'end' | mkstream >in2.tfs
	simple | mk in3.tfs
	run -0 tf-split -o d <in3.tfs
	run -0 tf-split -o e <in.tfs
	[ "$(TZ=UTC stat -c '%x|%y' "d/$C2S")" = \
	    "2026-11-26 07:10:39.751392123 +0000|2026-11-26 07:10:39.751392123 +0000" ]
	[ "$(TZ=UTC stat -c '%y' "d/$S2C")" = "2026-11-26 07:10:39.751392123 +0000" ]
	# Not closed: set at the end of the input.
	[ "$(TZ=UTC stat -c '%x|%y' "e/$S2C")" = \
	    "2026-11-26 07:10:39.751392123 +0000|2026-11-26 07:10:39.751392123 +0000" ]
	run -0 tf-split -o f <in2.tfs
	[ "$(stat -c %Y f/010.000.000.005.00001-010.000.000.006.00002)" = 1700000000 ]
}

@test "tf-split: an existing file is never overwritten: the next free counter names the new one" {
	simple | mk in.tfs
	mkdir d
	echo precious >"d/$C2S"
	# A line for the file; the bytes go under the next free counter, as
	# tcpflow names a connection whose name is taken.
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: 'd/$C2S' exists: connection 1 direction 0 written to 'd/${C2S}c1'" ]
	[ "$(cat "d/$C2S")" = precious ]
	printf 'GET / HTTP/1.1\r\n\r\n' | cmp - "d/${C2S}c1"
	printf 'HTTP/1.1 200 OK\r\n\r\nhello' >exp1
	cmp exp1 "d/$S2C"
	# A second run into the same directory: c2 for the first direction
	# (c1 is taken too), c1 for the second.
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: 'd/$C2S' exists: connection 1 direction 0 written to 'd/${C2S}c2'
tf-split: 'd/$S2C' exists: connection 1 direction 1 written to 'd/${S2C}c1'" ]
	cmp exp1 "d/$S2C"
	cmp exp1 "d/${S2C}c1"
	# The stream passed on names the files written.
	tf-split -o d <in.tfs | tf-cat -a | grep -c "split.path" >n
	[ "$(cat n)" = 2 ]
	# Past three (FILTER_FEW) the lines stop; one count at the end.
	mk two.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	open conn=2 ts=1 src=10.0.0.1 sport=5001 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 text="a"
	data conn=1 dir=1 off=0 text="b"
	data conn=2 dir=0 off=0 text="c"
	data conn=2 dir=1 off=0 text="d"
	end
	EOF
	run -0 tf-split -o e <two.tfs
	run -0 --separate-stderr tf-split -o e <two.tfs
	[ "$stderr" = "tf-split: 'e/$C2S' exists: connection 1 direction 0 written to 'e/${C2S}c1'
tf-split: 'e/$S2C' exists: connection 1 direction 1 written to 'e/${S2C}c1'
tf-split: 'e/010.000.000.001.05001-010.000.000.002.00080' exists: connection 2 direction 0 written to 'e/010.000.000.001.05001-010.000.000.002.00080c1'
tf-split: 4 files named with the next free counter: their names existed" ]
	[ "$(cat e/010.000.000.002.00080-010.000.000.001.05001c1)" = d ]
}

@test "tf-split: a planted symbolic link as a file name is not followed" {
	simple | mk in.tfs
	mkdir d
	echo keep >target
	ln -s ../target "d/$C2S"
	ln -s ../nothere "d/$S2C"
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: 'd/$C2S' exists: connection 1 direction 0 written to 'd/${C2S}c1'
tf-split: 'd/$S2C' exists: connection 1 direction 1 written to 'd/${S2C}c1'" ]
	[ "$(cat target)" = keep ]
	[ ! -e nothere ]
	[ -L "d/$S2C" ]
	[ -f "d/${S2C}c1" ] && [ ! -L "d/${S2C}c1" ]
}

@test "tf-split: a planted symbolic link as a directory is not followed" {
	simple | mk in.tfs
	mkdir d outside
	ln -s ../outside d/000
	run -1 --separate-stderr tf-split -o d -Fk <in.tfs
	[ "${#stderr_lines[@]}" = 3 ]
	for l in "${stderr_lines[@]:0:2}"; do
		[[ $l =~ ^"tf-split: cannot create 'd/000/"($C2S|$S2C)"': "(Not a directory|Too many levels of symbolic links)": connection 1 direction "[01]" skipped"$ ]]
	done
	[ "${stderr_lines[2]}" = "tf-split: 2 files not made: 2 refused by the system" ]
	[ -z "$(ls outside)" ]
	# Deeper down too.
	mkdir -p e/srv outside2
	ln -s ../../outside2 e/srv/010.000.000.002.00080
	run -1 --separate-stderr tf-split -o e -T 'srv/%B.%b/%A' <in.tfs
	[[ $stderr =~ ^"tf-split: cannot create 'e/srv/010.000.000.002.00080/010.000.000.001': "(Not a directory|Too many levels of symbolic links)": connection 1 direction 0 skipped
tf-split: 1 file not made: 1 refused by the system"$ ]]
	[ -z "$(ls outside2)" ]
	[ -f e/srv/010.000.000.001.05000/010.000.000.002 ]
}

@test "tf-split: templates that would leave the directory are refused" {
	for t in '../%a' '%a/../x' './%a' '/tmp/%a' 'a//%a' '%a/' 'x/./%a' '..'; do
		run -2 --separate-stderr tf-split -o d -T "$t" </dev/null
		[ "${stderr_lines[1]}" = "$USAGE" ]
		case $t in
		/*) [ "${stderr_lines[0]}" = "tf-split: template '$t': names would be absolute paths" ] ;;
		*//*|*/) [ "${stderr_lines[0]}" = "tf-split: template '$t': empty path component" ] ;;
		*..*) [ "${stderr_lines[0]}" = "tf-split: template '$t': path component '..'" ] ;;
		*) [ "${stderr_lines[0]}" = "tf-split: template '$t': path component '.'" ] ;;
		esac
	done
	[ ! -e d ]
}

@test "tf-split: a name made unsafe by an empty variable is skipped" {
	simple | mk in.tfs
	run -1 --separate-stderr tf-split -o d -T 'x/%V/%a' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'd/x//05000': empty path component: connection 1 direction 0 skipped
tf-split: cannot create 'd/x//00080': empty path component: connection 1 direction 1 skipped
tf-split: 2 files not made: 2 unsafe names" ]
	run -1 --separate-stderr tf-split -o e -T '%V/%a' <in.tfs
	[ "$stderr" = "tf-split: cannot create 'e//05000': absolute path: connection 1 direction 0 skipped
tf-split: cannot create 'e//00080': absolute path: connection 1 direction 1 skipped
tf-split: 2 files not made: 2 unsafe names" ]
	[ -z "$(ls -A e)" ]
}

# many N: N connections, each direction written in 3 interleaved rounds,
# odd ones closed, into many.txt; the files expected into exp/.
many() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "open conn=%d ts=%d.25 src=10.0.%d.%d sport=%d dst=10.0.0.2 dport=80\n",
			    i, 1700000000 + i, int(i / 256), i % 256, 1000 + i
		for (r = 0; r < 3; r++)
			for (i = 1; i <= n; i++) {
				printf "data conn=%d dir=0 off=%d text=\"c%05d-%d;\"\n", i, r * 9, i, r
				printf "data conn=%d dir=1 off=%d text=\"s%05d-%d;\"\n", i, r * 9, i, r
			}
		for (i = 1; i <= n; i += 2)
			printf "close conn=%d\n", i
		print "end"
	}' >many.txt
	mkdir -p exp
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			c = sprintf("exp/010.000.%03d.%03d.%05d-010.000.000.002.00080", int(i / 256), i % 256, 1000 + i)
			s = sprintf("exp/010.000.000.002.00080-010.000.%03d.%03d.%05d", int(i / 256), i % 256, 1000 + i)
			printf "c%05d-0;c%05d-1;c%05d-2;", i, i, i >c; close(c)
			printf "s%05d-0;s%05d-1;s%05d-2;", i, i, i >s; close(s)
		}
	}'
}

@test "tf-split: 3000 connections under ulimit -n 64" {
	many 3000
	mk many.tfs <many.txt
	run -0 --separate-stderr bash -c 'ulimit -n 64 && exec tf-split -o d <many.tfs >out.tfs'
	[ -z "$stderr" ]
	diff -r exp d
	[ "$(stat -c %Y d/010.000.000.001.01001-010.000.000.002.00080)" = 1700000001 ]
	[ "$(stat -c %Y d/010.000.011.184.04000-010.000.000.002.00080)" = 1700003000 ]
	tf-cat <out.tfs >out.txt
	[ "$(grep -c 'split\.path' out.txt)" = 6000 ]
}

@test "tf-split: -f 1 keeps one file open and still writes all right" {
	many 50
	mk many.tfs <many.txt
	run -0 --separate-stderr tf-split -o d -f 1 <many.tfs
	[ -z "$stderr" ]
	diff -r exp d
}

@test "tf-split: passes the stream on with split.path before the record that made the file" {
	simple | sed '/^close/i raw kind=99 hex=0102' | mk in.tfs
	mk exp.tfs <<-EOF
	header linktype=1 source=x.pcap
	annot conn=0 key=split.command value="tf-split -o d"
	open conn=1 ts=1795677039.751392123 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	annot conn=1 dir=0 key=split.path value="d/$C2S"
	data conn=1 dir=0 off=0 text="GET / HTTP/1.1\r\n\r\n"
	annot conn=1 dir=1 key=split.path value="d/$S2C"
	data conn=1 dir=1 off=0 text="HTTP/1.1 200 OK\r\n"
	data conn=1 dir=1 off=17 text="\r\nhello"
	raw kind=99 hex=0102
	close conn=1 cause=fin
	end packets=6
	EOF
	tf-split -o d <in.tfs >out.tfs
	cmp exp.tfs out.tfs
	# A trailing slash is not doubled; without -o the path is the name.
	# (grep reads a file: grep -q at the end of the pipeline could go
	# before tf-cat is done, and its SIGPIPE would fail the test.)
	tf-split -o e/ <in.tfs | tf-cat >e.txt
	grep -q "split.path \"e/$S2C\"" e.txt
	mkdir f
	(cd f && tf-split <../in.tfs) | tf-cat >f.txt
	grep -q "split.path \"$S2C\"" f.txt
	[ -f "f/$S2C" ]
	# A gap alone makes a file, and the annotation comes before it.
	mk g.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	gap conn=1 dir=0 off=0 len=5 cause=lost
	end
	EOF
	mk gexp.tfs <<-EOF
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	annot conn=1 dir=0 key=split.path value="g/$C2S"
	gap conn=1 dir=0 off=0 len=5 cause=lost
	end
	EOF
	tf-split -o g <g.tfs | cmp gexp.tfs -
}

@test "tf-split: does not write the stream to a terminal" {
	simple | mk in.tfs
	run -0 script -qec "tf-split -o d <in.tfs" /dev/null
	[ -z "$output" ]
	[ -f "d/$C2S" ]
}

@test "tf-split: files are written before it waits for input" {
	simple | sed '/^close/,$d' | mk part1.tfs
	printf 'nopreamble\nclose conn=1\nend\n' | mkstream >part2.tfs
	mkfifo p
	# Not fd 3: bats reports on it.
	tf-split -o d <p >out.tfs 3>&- &
	pid=$!
	exec 7>p
	cat part1.tfs >&7
	for i in $(seq 100); do
		[ "$(stat -c %s "d/$S2C" 2>/dev/null)" = 24 ] && break
		sleep 0.1
	done
	[ "$(stat -c %s "d/$S2C")" = 24 ]
	[ "$(stat -c %s out.tfs)" -gt 0 ]
	cat part2.tfs >&7
	exec 7>&-
	wait "$pid"
	mkdir x
	(cd x && cat ../part1.tfs ../part2.tfs | tf-split -o d) | cmp out.tfs -
}

@test "tf-split: input that is not a stream" {
	run -1 --separate-stderr tf-split -o d < <(echo hello)
	[ "$stderr" = "tf-split: not a tf stream at byte 0" ]
	[ ! -e d ]
	run -1 --separate-stderr tf-split -o d </dev/null
	[ "$stderr" = "tf-split: empty input: not a tf stream" ]
	printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000' >x.pcap
	run -1 --separate-stderr tf-split -o d <x.pcap
	[ "$stderr" = "tf-split: not a tf stream at byte 0 (a packet capture: read it with tf-reassemble)" ]
	printf 'version major=2\nend\n' | mk v2.tfs
	run -1 --separate-stderr tf-split -o d <v2.tfs
	[ "$stderr" = "tf-split: unsupported tf stream version 2 at byte 8" ]
	[ ! -e d ]
}

@test "tf-split: a stream cut inside a record" {
	simple | mk full.tfs
	{ simple; echo 'cut 3'; } | mk in.tfs
	end=$(($(stat -c %s full.tfs) - 152))
	run -1 --separate-stderr sh -c 'tf-split -o d <in.tfs >out.tfs'
	[ "$stderr" = "tf-split: stream cut short inside the record at byte $end" ]
	printf 'HTTP/1.1 200 OK\r\n\r\nhello' >exp1
	cmp exp1 "d/$S2C"
	[ "$(stat -c %Y "d/$S2C")" = 1795677039 ]
	# What was read is passed on, then an END record of tf-split's own
	# that says the stream was cut, every total 0 (tf-stream(5)).
	[ "$(stat -c %s out.tfs)" -gt "$end" ]
	tf-cat <out.tfs >out.txt
	[ "$(tail -n 1 out.txt)" = "end packets 0 bytes 0 not_ip 0 not_tcp 0 malformed 0 truncated 0 fragments 0 reassembled 0 frag_dropped 0 connections 0 evicted 0 timeouts 0 stray 0 gaps 0 gapbytes 0 bad_checksum 0 rst_ignored 0 status cut" ]
}

@test "tf-split: a stream without its end record" {
	simple | sed '/^close/,$d' | mk in.tfs
	run -1 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: stream ended at byte 328 without an end-of-stream record" ]
	printf 'HTTP/1.1 200 OK\r\n\r\nhello' >exp1
	cmp exp1 "d/$S2C"
	[ "$(TZ=UTC stat -c %y "d/$S2C")" = "2026-11-26 07:10:39.751392123 +0000" ]
}

@test "tf-split: a full disk names the file and the bytes lost" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	data conn=1 dir=0 off=0 fill=1000 byte=65
	data conn=1 dir=0 off=1000 fill=2000 byte=66
	data conn=1 dir=1 off=0 text="ok"
	gap conn=1 dir=0 off=3000 len=10 cause=lost
	data conn=1 dir=0 off=3010 fill=500
	close conn=1
	end
	EOF
	run -1 --separate-stderr bash -c 'ulimit -f 2 && exec tf-split -o d <in.tfs >/dev/null'
	# A line when the file fails, one for the bytes it lost after, and
	# the sum at the end.
	[ "$stderr" = "tf-split: error writing 'd/$C2S': File too large: 952 bytes not written
tf-split: error writing 'd/$C2S': 500 more bytes not written
tf-split: 1452 bytes not written to 1 file" ]
	[ "$(stat -c %s "d/$C2S")" = 2048 ]
	[ "$(cat "d/$S2C")" = ok ]
}

@test "tf-split: data for a connection never opened" {
	mk in.tfs <<-'EOF'
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	data conn=7 dir=0 off=0 text="a"
	data conn=7 dir=1 off=0 text="b"
	gap conn=7 dir=1 off=1 len=1 cause=lost
	data conn=1 dir=0 off=0 text="c"
	open conn=1 ts=1 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80
	close conn=7
	end
	EOF
	run -1 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: connection 7 has no open record: its data from byte 120 skipped
tf-split: connection 1 opened twice: second open record at byte 291 ignored" ]
	[ "$(ls d)" = "$C2S" ]
}

@test "tf-split: suggests -Fk past 10000 files unless -q" {
	awk 'BEGIN {
		for (i = 1; i <= 5001; i++) {
			printf "open conn=%d ts=1 src=10.1.%d.%d sport=1 dst=10.0.0.2 dport=80\n", i, int(i / 256), i % 256
			printf "data conn=%d dir=0 off=0 text=\"a\"\n", i
			printf "data conn=%d dir=1 off=0 text=\"b\"\n", i
			printf "close conn=%d\n", i
		}
		print "end"
	}' | mk in.tfs
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ "$stderr" = "tf-split: more than 10000 files in 'd': -Fk, -Fm or -Fg spread them over directories" ]
	run -0 --separate-stderr tf-split -q -o e <in.tfs
	[ -z "$stderr" ]
	n=$(ls e | wc -l)
	[ "$n" = 10002 ]
}

@test "tf-split: usage errors" {
	run -2 --separate-stderr tf-split extra </dev/null
	[ "$stderr" = "$USAGE" ]
	run -2 --separate-stderr tf-split -y </dev/null
	[ "$stderr" = "tf-split: invalid option -- 'y'
$USAGE" ]
	run -2 --separate-stderr tf-split -T '%z' </dev/null
	[ "$stderr" = "tf-split: template '%z': unknown variable '%z'
$USAGE" ]
	run -2 --separate-stderr tf-split -T 'x%' </dev/null
	[ "$stderr" = "tf-split: template 'x%': '%' at the end
$USAGE" ]
	run -2 --separate-stderr tf-split -T '' </dev/null
	[ "$stderr" = "tf-split: template '': empty template
$USAGE" ]
	run -2 --separate-stderr tf-split -FkX </dev/null
	[ "$stderr" = "tf-split: option -F: unknown flag 'X'
$USAGE" ]
	run -2 --separate-stderr tf-split -f 0 </dev/null
	[ "$stderr" = "tf-split: option -f: '0' is not a number from 1 to 2147483647" ]
	run -2 --separate-stderr tf-split -o
	[ "$stderr" = "tf-split: option requires an argument -- 'o'
$USAGE" ]
	[ ! -e d ]
	# -h and --help: the usage line, what it does and a line per option,
	# on standard output; -V and --version: the version.  Nothing read.
	run -0 --separate-stderr tf-split -h </dev/null
	[ -z "$stderr" ]
	[ "$output" = "$USAGE
Write each direction of each connection of the stream to a file.

  -C conns       hold at most conns connections at once (131072)
  -F tTkmg       prefix the template: time, ISO time, 1000 per dir
  -f maxfds      keep at most maxfds files open
  -o dir         write the files under dir
  -q             do not suggest -Fk past 10000 files
  -T template    name files by template (%A.%a-%B.%b%V%v%C%c)
  -h, --help     show this help
  -V, --version  show the version and the libraries loaded" ]
	help=$output
	run -0 --separate-stderr tf-split --help </dev/null
	[ -z "$stderr" ]
	[ "$output" = "$help" ]
	run -0 --separate-stderr tf-split -V </dev/null
	[ -z "$stderr" ]
	[[ $output =~ ^"tf-split "[0-9]+\.[0-9]+\.[0-9]+$ ]]
	version=$output
	run -0 --separate-stderr tf-split --version </dev/null
	[ -z "$stderr" ]
	[ "$output" = "$version" ]
	[ ! -e d ]
}

@test "tf-split: the output directory is made one level deep" {
	simple | mk in.tfs
	run -1 --separate-stderr tf-split -o a/b <in.tfs
	[ "$stderr" = "tf-split: cannot open output directory 'a/b': No such file or directory" ]
	mkdir a
	run -0 tf-split -o a/b <in.tfs
	[ -f "a/b/$C2S" ]
}

@test "tf-split: a layer connection (tf-tls -K) is written under its connection's names with -TLS" {
	cat <<-'EOF' | mk in.tfs
	header linktype=1 source=x.pcap
	open conn=1 ts=1795677039.751392123 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn
	open conn=9223372036854775809 ts=1795677039.751392123 src=10.0.0.1 sport=5000 dst=10.0.0.2 dport=80 flags=syn,layer link=1
	data conn=9223372036854775809 dir=0 off=0 text="\x17\x03\x03"
	data conn=1 dir=0 off=0 text="GET"
	data conn=9223372036854775809 dir=1 off=0 text="\x16\x03\x03"
	gap conn=9223372036854775809 dir=1 off=3 len=2
	data conn=9223372036854775809 dir=1 off=5 text="!"
	close conn=9223372036854775809 cause=fin
	close conn=1 cause=fin
	end packets=6
	EOF
	run -0 --separate-stderr tf-split -o d <in.tfs
	[ -z "$stderr" ]
	[ "$(ls d)" = "$C2S
$C2S-TLS
$S2C-TLS" ]
	printf 'GET' | cmp - "d/$C2S"
	printf '\027\003\003' | cmp - "d/$C2S-TLS"
	printf '\026\003\003\0\0!' | cmp - "d/$S2C-TLS"
	tf-split -o e <in.tfs | tf-cat | grep split.path >p
	[ "$(cat p)" = "annot 9223372036854775809 > split.path \"e/$C2S-TLS\"
annot 1 > split.path \"e/$C2S\"
annot 9223372036854775809 < split.path \"e/$S2C-TLS\"" ]
	# After the whole name, whatever the template.
	tf-split -o f -T '%S/%A' <in.tfs >/dev/null
	[ "$(cd f && find . -type f | LC_ALL=C sort)" = "./00000000000000000001/010.000.000.001
./09223372036854775809/010.000.000.001-TLS
./09223372036854775809/010.000.000.002-TLS" ]
}
