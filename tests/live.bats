# SPDX-License-Identifier: BSD-2-Clause
# Live capture (tf-reassemble -i) in a network namespace made here: all
# traffic stays on that namespace's loopback, between a python3 web server
# and client started here and stopped by their PID; the namespace is
# deleted after each test.  Needs root and ip(8): skipped otherwise.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
	[ "$(id -u)" = 0 ] || skip "live capture needs root"
	command -v ip >/dev/null || skip "ip(8) is not installed (iproute2)"
	NS=tflive$$
	PIDS=()
	ip netns add "$NS" || skip "cannot make a network namespace"
	ip -n "$NS" link set lo up
	# The files the server sends: the truth the bodies are checked
	# against.
	mkdir www
	head -c 300000 /dev/urandom >www/a.bin
	head -c 5000000 /dev/urandom >www/big.bin
	echo 'a small text file' >www/b.txt
	ip netns exec "$NS" python3 -m http.server 8000 --bind 127.0.0.1 \
	    --directory www >srv.log 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		ip netns exec "$NS" python3 -c '
import socket; socket.create_connection(("127.0.0.1", 8000)).close()' \
		    2>/dev/null && break
		sleep 0.05
	done
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -z "${NS-}" ] || ip netns del "$NS" 2>/dev/null || true
	san_check
}

# fetch PATH...: GETs each path from the server, one connection each;
# prints the MD5 of each body.
fetch() {
	ip netns exec "$NS" python3 - "$@" <<'EOF'
import hashlib, sys, urllib.request
for p in sys.argv[1:]:
    b = urllib.request.urlopen("http://127.0.0.1:8000" + p).read()
    print(hashlib.md5(b).hexdigest())
EOF
}

# capturing FILE: waits until tf-reassemble's stream in FILE has its
# header, that is until the capture is open.
capturing() {
	for _ in $(seq 100); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt 16 ] && return
		sleep 0.05
	done
	return 1
}

@test "live: Ctrl-C to the pipeline; the report is valid, bodies and flows as sent, open connections interrupted" {
	setsid bash -c 'ip netns exec "$1" tf-reassemble -i lo tcp port 8000 2>e1 |
	    tee s.tfs | tf-http -o obj 2>e2 | tf-split -o flows 2>e3 |
	    tf-report -o r.xml 2>e4
	    echo "${PIPESTATUS[*]}" >st' _ "$NS" &
	pg=$!
	PIDS+=($pg)
	capturing s.tfs
	fetch /a.bin /b.txt /a.bin >md5
	[ "$(cat md5)" = "$(md5sum www/a.bin www/b.txt www/a.bin | cut -c1-32)" ]
	# A connection still open when the signal comes: a request sent,
	# its response read, the connection kept.
	ip netns exec "$NS" python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 8000))
s.sendall(b"GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(30)' &
	PIDS+=($!)
	# And one in the middle of a response body: 5 MB asked, 64 KiB read.
	ip netns exec "$NS" python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 8000))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
n = 0
while n < 65536:
    n += len(s.recv(65536 - n))
time.sleep(30)' &
	PIDS+=($!)
	# libpcap hands packets over within its timeout: give it time.
	sleep 2
	kill -INT -- -"$pg"
	wait "$pg"
	# A live capture stopped by a signal is a normal end: exit 0, and
	# nothing on stderr from any program.
	[ "$(cat st)" = "0 0 0 0 0" ] || { cat st e1 e2 e3 e4; false; }
	[ ! -s e1 ] && [ ! -s e2 ] && [ ! -s e3 ] && [ ! -s e4 ]
	xmllint --noout --schema "$XSD" r.xml
	[ "$(xmllint --xpath "string(//*[local-name()='summary']/@status)" r.xml)" = interrupted ]
	# Five connections: three closed by FIN, two interrupted.
	tf-cat -c -j <s.tfs | jq -r .close >closes
	[ "$(sort closes | uniq -c | tr -s ' ')" = " 3 fin
 2 interrupted" ]
	# The bodies are the files the server sent, the one cut by the
	# signal a prefix of its file, marked partial; each file has the
	# size and digest the report gives it.
	ls obj | grep -v PARTIAL >bodies
	[ "$(wc -l <bodies)" = 4 ]
	for f in $(cat bodies); do md5sum <"obj/$f" | cut -c1-32; done | sort >got
	md5sum www/a.bin www/a.bin www/b.txt www/b.txt | cut -c1-32 | sort >want
	diff want got
	ls obj | grep PARTIAL >partial
	[ "$(wc -l <partial)" = 1 ]
	n=$(stat -c %s "obj/$(cat partial)")
	[ "$n" -ge 65536 ]
	[ "$n" -lt 5000000 ]
	cmp -n "$n" "obj/$(cat partial)" www/big.bin
	python3 - r.xml <<'EOF'
import hashlib, sys, xml.etree.ElementTree as ET
n = 0
for fo in ET.parse(sys.argv[1]).getroot().iter():
    if not fo.tag.endswith('}fileobject'):
        continue
    f = {e.tag.split('}')[1]: e for e in fo}
    b = open(f['filename'].text, 'rb').read()
    assert len(b) == int(f['filesize'].text), f['filename'].text
    md5 = [e.text for e in fo if e.tag.endswith('}hashdigest') and e.get('type') == 'md5']
    assert md5 == [hashlib.md5(b).hexdigest()], f['filename'].text
    n += 1
assert n == 15, n
EOF
}

@test "live: -Z drops to the user once the interface is open, and the capture goes on" {
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	ip netns exec "$NS" tf-reassemble -Z nobody -i lo tcp port 8000 \
	    >s.tfs 2>err &
	re=$!
	PIDS+=($re)
	capturing s.tfs
	# (ip netns exec execs tf-reassemble: the same process.)
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/$re/status)" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ]
	[ "$(awk '/^Gid:/ { print $2 }' /proc/$re/status)" = "$(id -g nobody)" ]
	fetch /b.txt >/dev/null
	sleep 2
	kill -INT "$re"
	wait "$re"
	[ ! -s err ]
	# One connection, whole: the response ends with the file sent.
	[ "$(tf-cat -c -j <s.tfs | jq -r .close)" = fin ]
	tf-split -o f <s.tfs >/dev/null
	tail -c "$(stat -c %s www/b.txt)" f/127.000.000.001.08000-* |
	    cmp - www/b.txt
	run -1 --separate-stderr ip netns exec "$NS" tf-reassemble -Z no-such-user-tf -i lo
	[ "$stderr" = "tf-reassemble: -Z: no user 'no-such-user-tf'" ]
}

@test "live: packets the kernel dropped are counted in the line at the end" {
	ip netns exec "$NS" tf-reassemble -i lo tcp port 8000 >s.tfs 2>err &
	re=$!
	PIDS+=($re)
	capturing s.tfs
	# Stopped, tf-reassemble reads nothing: 20 MB through the
	# interface overflow libpcap's ring, and the kernel drops the rest.
	kill -STOP "$re"
	fetch /big.bin /big.bin /big.bin /big.bin >/dev/null
	kill -CONT "$re"
	sleep 2
	kill -INT "$re"
	wait "$re"
	# One line: the gaps the drops made, if any reached the stream, and
	# the drops (pcap_stats).
	[ "$(wc -l <err)" = 1 ]
	grep -qE '^tf-reassemble: ([0-9]+ bytes lost in [0-9]+ gaps \([a-z -]+ [0-9]+(, [a-z -]+ [0-9]+)*\), )?[1-9][0-9]* packets dropped by the kernel$' err
	[ "$(tf-cat -s <s.tfs | grep -c '^end\.status=interrupted$')" = 1 ]
	# The stream says it too, for the programs after: the same number,
	# which tf-report's summary shows among the losses.
	n=$(sed 's/.* \([0-9]*\) packets dropped by the kernel$/\1/' err)
	[ "$(tf-cat <s.tfs | grep '^annot 0 - reassemble.kernel_drops ')" = "annot 0 - reassemble.kernel_drops \"$n\"" ]
	tf-report -t text <s.tfs >sum.txt
	grep -q "kernel drops $n" sum.txt
	tf-report -t html <s.tfs >sum.html
	grep -q "<tr><td>packets dropped by the kernel (live capture)</td><td class=\"n\">$n</td>" sum.html
}
