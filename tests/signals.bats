# SPDX-License-Identifier: BSD-2-Clause
# Signals: a pipeline stopped with Ctrl-C (SIGINT to its process group),
# SIGTERM or SIGHUP leaves every file and report complete and saying what
# it holds; SIGUSR1 asks tf-reassemble where it is; a terminal gets a
# progress line (tf(7), SIGNALS; tf-reassemble(1)).
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# consistent REPORT: the report validates, and every file it lists (flow
# files and body files) has the size and the MD5 it states.  Prints how
# many files it checked.
consistent() {
	xmllint --noout --schema "$XSD" "$1" 2>/dev/null
	python3 - "$1" <<'PY'
import hashlib, sys, xml.etree.ElementTree as ET
n = bad = 0
for fo in ET.parse(sys.argv[1]).getroot().iter():
    if not fo.tag.endswith('}fileobject'):
        continue
    name = size = md5 = None
    for e in fo:
        t = e.tag.split('}')[1]
        if t == 'filename': name = e.text
        elif t == 'filesize': size = int(e.text)
        elif t == 'hashdigest' and e.get('type') == 'md5': md5 = e.text
    if name is None:
        continue
    b = open(name, 'rb').read()
    n += 1
    if len(b) != size or (md5 is not None and hashlib.md5(b).hexdigest() != md5):
        print('%s: %d bytes, md5 %s; report: %d, %s' % (name, len(b),
            hashlib.md5(b).hexdigest(), size, md5))
        bad = 1
print(n)
sys.exit(bad)
PY
}

@test "Ctrl-C to a pipeline reading a capture: the report is valid and every file it lists is as it says" {
	pktgen bench-short 30000 >big.pcap
	for wait in 0.2 0.5 1; do
		rm -rf obj flows r.xml st e1 e2 e3 e4
		setsid bash -c 'tf-reassemble -r big.pcap 2>e1 |
		    tf-http -o obj 2>e2 | tf-split -q -o flows 2>e3 |
		    tf-report -o r.xml 2>e4
		    echo "${PIPESTATUS[*]}" >st' &
		catching 2 4 $!
		sleep "$wait"
		kill -INT -- -$!
		wait $!
		cat st e1 e2 e3 e4
		# tf-reassemble read part of a file: exit 1, and says so; the
		# filters finish what they were given, quietly, exit 0.
		[ "$(cat st)" = "1 0 0 0" ]
		grep -qxE 'tf-reassemble: interrupted after packet [0-9]+: the stream ends there' e1
		[ "$(wc -l <e1)" = 1 ]
		[ ! -s e2 ] && [ ! -s e3 ] && [ ! -s e4 ]
		n=$(consistent r.xml)
		echo "# SIGINT after $wait s: $n files checked" >&3
		[ "$n" -gt 0 ]
		[ "$(xmllint --xpath "string(//*[local-name()='summary']/@status)" r.xml)" = interrupted ]
		# Connections still open were closed as interrupted.
		xmllint --xpath "count(//*[@close='interrupted'])" r.xml >ni
		[ "$(cat ni)" -gt 0 ]
	done
}

@test "SIGTERM and SIGHUP end tf-reassemble in order too; the stream says interrupted" {
	pktgen bench-short 30000 >big.pcap
	for sig in TERM HUP; do
		# The reader starts after a second: tf-reassemble waits in
		# a write when the signal comes, and sees it at the next
		# packet.
		rm -f pid st
		(bash -c 'echo $$ >pid; exec tf-reassemble -r big.pcap' 2>err |
		    { sleep 1; cat >s.tfs; } ||
		    echo "${PIPESTATUS[*]}" >st) &
		sleep 0.3
		until [ -s pid ]; do sleep 0.05; done
		catching 15 1 -p "$(cat pid)"
		kill -"$sig" "$(cat pid)"
		wait $!
		[ "$(cat st)" = "1 0" ]
		grep -qE '^tf-reassemble: interrupted after packet [0-9]+: the stream ends there$' err
		tf-cat -s <s.tfs >sum
		grep -qx 'end.status=interrupted' sum
		grep -q '^close.interrupted=' sum
	done
}

@test "a filter that gets a signal reads on to the end; a second signal, or 3 s without input, stops it, cut" {
	pktgen basic >b.pcap
	tf-reassemble -q -r b.pcap >s.tfs
	# The stream without its last record (END), then nothing: the writer
	# hangs.  The first signal: 3 s more to wait, then the input is cut.
	head -c $(($(stat -c %s s.tfs) - 152)) s.tfs >part.tfs
	mkfifo fifo
	{ cat part.tfs; sleep 30; } >fifo &
	feeder=$!
	tf-split -o d <fifo >out.tfs 2>err &
	split=$!
	sleep 0.5
	kill -INT $split
	st=0
	wait $split || st=$?
	kill $feeder 2>/dev/null || true
	[ "$st" = 1 ]
	[ "$(cat err)" = "tf-split: interrupted at byte $(stat -c %s part.tfs)" ]
	# The files are complete up to the cut, and the stream passed on
	# ends with an END that says so.
	mkdir exp
	pktgen -e exp basic >/dev/null
	same_tree exp d
	tf-cat -s <out.tfs | grep -qx 'end.status=cut,interrupted'
}

@test "SIGUSR1: tf-reassemble says where it is, once, and goes on" {
	pktgen bench-short 3000 >c.pcap
	mkfifo fifo
	{ head -c 200000 c.pcap; sleep 2; tail -c +200001 c.pcap; } >fifo &
	tf-reassemble <fifo >s.tfs 2>err &
	re=$!
	sleep 1
	kill -USR1 $re
	wait $re
	grep -qE '^tf-reassemble: 200\.0 kB, [0-9.]+ [kMG]?B/s, packet [0-9]+, [0-9]+ live connections$' err
	[ "$(wc -l <err)" = 1 ]
	tf-cat -s <s.tfs | grep -qx 'end.status=ok'
}

@test "on a terminal, a progress line while files are read; none when standard error is not a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	pktgen bench-short 20000 >big.pcap
	script -qec "tf-reassemble -r big.pcap >/dev/null" typescript >/dev/null
	# A line drawn in place (carriage return, erase), then taken off
	# at the end (the same again): "N B of T (P%), R B/s[, S s left],
	# packet K, L live connections".  (script(1) adds its own first and
	# last lines.)
	line=$(grep -a 'B/s, packet' typescript)
	re=$'^\r\e\\[K([0-9.]+ [kMG]?B of 92\\.1 MB \\([0-9]+%\\), [0-9.]+ [kMG]?B/s(, [0-9]+ s left)?, packet [0-9]+, [0-9]+ live connections\r\e\\[K)+$'
	[[ $line =~ $re ]]
	tf-reassemble -r big.pcap >/dev/null 2>err
	[ ! -s err ]
	script -qec "tf-reassemble -q -r big.pcap >/dev/null" typescript2 >/dev/null
	! grep -aq 'B/s' typescript2
}
