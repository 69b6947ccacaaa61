#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The pipes between the programs (tf(7), ENVIRONMENT and FILTERS): widened
# to 1 MiB at both ends, and with TF_VMSPLICE=1 the writer's pages handed
# to the pipe (vmsplice(2)), never written again: the same bytes as
# copying, even for a reader that moves the pages on with splice(2).

setup() {
	load helper
	T=$BATS_TEST_TMPDIR
	cd "$T"
	[ "$(uname -s)" = Linux ] || skip "pipe sizes and vmsplice(2) are Linux's"
	# What tf's programs ask for (tf(7)): 1 MiB for root, else 256 KiB.
	if [ "$(id -u)" = 0 ]; then WANT=1048576; else WANT=262144; fi
}

# widenable: whether this process may widen a pipe to $WANT now (the
# user's pipe quota may be spent: tf(7)).
widenable() {
	python3 -c '
import fcntl, os, sys
r, w = os.pipe()
try:
    fcntl.fcntl(w, 1031, int(sys.argv[1]))
except OSError:
    sys.exit(1)' "$WANT"
}

teardown() {
	san_check
}

# pipe_sizes CAP STREAM: the size of the pipe each end of a tf program
# left, "writer CMD SIZE STATUS" or "reader CMD SIZE STATUS" a line.  A
# writer's size is read after its first byte came (it widens its pipe
# before it writes); a reader's once it is $WANT, or after 10 s.
pipe_sizes() {
	python3 - "$1" "$2" "$WANT" <<'EOF'
import fcntl, os, subprocess, sys, time
cap, stream, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
GETSZ = 1032  # F_GETPIPE_SZ
for cmd in (['tf-reassemble'], ['tf-split', '-o', 'flows']):
    r, w = os.pipe()
    src = open(cap if cmd[0] == 'tf-reassemble' else stream, 'rb')
    p = subprocess.Popen(cmd, stdin=src, stdout=w)
    os.close(w)
    first = os.read(r, 1)
    size = fcntl.fcntl(r, GETSZ)
    while os.read(r, 1 << 16):
        pass
    os.close(r)
    print('writer', cmd[0], size, p.wait())
for cmd in (['tf-cat'], ['tf-http', '-o', 'objects']):
    r, w = os.pipe()
    p = subprocess.Popen(cmd, stdin=r, stdout=subprocess.DEVNULL)
    os.close(r)
    end = time.monotonic() + 10
    while fcntl.fcntl(w, GETSZ) != 1 << 20 and time.monotonic() < end:
        time.sleep(0.01)
    size = fcntl.fcntl(w, GETSZ)
    with open(stream, 'rb') as f:
        os.write(w, f.read())
    os.close(w)
    print('reader', cmd[0], size, p.wait())
EOF
}

@test "pipes: each program widens its pipes (1 MiB for root, else 256 KiB), reading and writing" {
	widenable || skip "the user's pipe quota is spent (pipe-user-pages-soft)"
	tf-reassemble <"$TOP/examples/http.pcap" >s.tfs
	run -0 pipe_sizes "$TOP/examples/http.pcap" s.tfs
	[ "$output" = "writer tf-reassemble $WANT 0
writer tf-split $WANT 0
reader tf-cat $WANT 0
reader tf-http $WANT 0" ]
}

# after_header FILE: the stream in FILE after its HEADER record (whose
# start is the time of the run), to standard output.
after_header() {
	local n
	set -- "$1" $(od -A n -t u1 -j 16 -N 4 "$1")
	n=$(($2 | $3 << 8 | $4 << 16 | $5 << 24))
	tail -c +$((16 + n + 1)) "$1"
}

# same_stream A B: A and B are the same stream but for the HEADER's start.
same_stream() {
	after_header "$1" >"$1.body"
	after_header "$2" >"$2.body"
	cmp "$1.body" "$2.body"
	[ "$(wc -c <"$1.body")" -gt $(($(wc -c <"$1") - 400)) ]
}

# A capture whose stream is some 20 MiB: twenty of the writer's buffers.
bulk() {
	pktgen bench-bulk 20000000 >big.pcap
	tf-reassemble <big.pcap >plain.tfs
	[ "$(wc -c <plain.tfs)" -gt 20000000 ]
}

@test "pipes: TF_VMSPLICE=1 writes the bytes a copy writes, through every filter" {
	bulk
	TF_VMSPLICE=1 tf-reassemble <big.pcap | cat >gift.tfs
	same_stream plain.tfs gift.tfs
	mkdir a b
	(cd a && tf-split -o flows <../plain.tfs | cat >../split-copy.tfs)
	(cd b && TF_VMSPLICE=1 tf-split -o flows <../plain.tfs |
	    cat >../split-gift.tfs)
	cmp split-copy.tfs split-gift.tfs
	diff -r a/flows b/flows
	# A whole pipeline, every stage handing its pages on.
	(cd b && rm -r flows && TF_VMSPLICE=1 tf-reassemble <../big.pcap |
	    TF_VMSPLICE=1 tf-http -o objects | TF_VMSPLICE=1 tf-split -o flows |
	    cat >../all-gift.tfs)
	(cd a && rm -r flows && tf-reassemble <../big.pcap |
	    tf-http -o objects | tf-split -o flows >../all-copy.tfs)
	same_stream all-copy.tfs all-gift.tfs
	diff -r a b
	[ "$(find a/flows -type f | wc -l)" = 8 ]
}

@test "pipes: TF_VMSPLICE=1: pages a reader spliced on keep their bytes while the writer goes on" {
	bulk
	# The reader moves the stream's first 512 KiB (or what a second pipe
	# can hold, when the user's pipe quota is spent) into a second pipe
	# with splice(2): the writer's own pages, not copies.  It then
	# reads the rest, while the writer fills buffer after buffer, and
	# only then reads the held pages: a writer that wrote into a page
	# it had handed over would have changed them.
	run -0 python3 - <<'EOF'
import fcntl, os, subprocess
SETSZ = 1031  # F_SETPIPE_SZ
r1, w1 = os.pipe()
env = dict(os.environ, TF_VMSPLICE='1')
p = subprocess.Popen(['tf-reassemble'], stdin=open('big.pcap', 'rb'),
                     stdout=w1, env=env)
os.close(w1)
r2, w2 = os.pipe()
try:
    fcntl.fcntl(w2, SETSZ, 512 << 10)
except OSError:
    pass  # the user's pipe quota is spent: hold what fits
hold = min(512 << 10, fcntl.fcntl(w2, 1032))
def drain(fd):
    data = bytearray()
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            return data
        data += b
held = 0
while held < hold:
    n = os.splice(r1, w2, hold - held)
    if n == 0:
        break
    held += n
rest = drain(r1)
status = p.wait()
os.close(w2)
got = drain(r2)
ref = open('plain.tfs', 'rb').read()
out = bytes(got + rest)
# (The HEADER record's start, 8 bytes at 40, is the time of the run.)
def timeless(b):
    return b[:40] + b[48:]
print(status, held == hold >= 4096, len(rest) > 18 << 20,
      timeless(out[:held]) == timeless(ref[:held]),
      timeless(out) == timeless(ref))
EOF
	[ "$output" = "0 True True True True" ]
}

@test "pipes: vmsplice(2) only with TF_VMSPLICE=1, and only into a pipe" {
	command -v strace >/dev/null || skip "no strace"
	strace -qq -o /dev/null true 2>/dev/null || skip "strace may not trace here"
	asan_build && skip "strace and ASan's own calls: the plain build checks"
	bulk
	TF_VMSPLICE=1 strace -qq -e trace=vmsplice -o st.gift \
	    tf-reassemble <big.pcap | cat >/dev/null
	strace -qq -e trace=vmsplice -o st.copy \
	    tf-reassemble <big.pcap | cat >/dev/null
	TF_VMSPLICE=1 strace -qq -e trace=vmsplice -o st.file \
	    tf-reassemble <big.pcap >s.tfs
	same_stream plain.tfs s.tfs
	[ "$(grep -c '^vmsplice' st.gift)" -ge 20 ]
	[ "$(grep -c '^vmsplice' st.copy)" = 0 ]
	[ "$(grep -c '^vmsplice' st.file)" = 0 ]
	! grep -v '^vmsplice(1, .* SPLICE_F_GIFT) = [0-9]' st.gift
}
