#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkbenchcap.sh — record the two real captures make bench measures
# (issue 13): real nginx and curl on a network namespace's loopback.
#
#   sudo tests/mkbenchcap.sh [DIR]        (default /dev/shm/tf-bench)
#
# Writes DIR/bulk.pcap and DIR/short.pcap (never committed: about 1.2 GB
# and 0.46 GB), in about 70 s; tests/bench.sh uses them when they are
# there.
#
#   bulk   HTTP downloads of 100 KB to 50 MB (sizes drawn with a fixed
#          seed, most small, a few large), 20 at a time, one download
#          per connection, until at least BENCH_BULK_BYTES (1.1e9) of
#          bodies.
#   short  BENCH_SHORT_CONNS (100000) short HTTP connections: one GET of a
#          1-5 KB file each, 20 at a time, from four client addresses
#          (127.0.0.1-4): a third of the 4-tuples still come again.
#
# Both with lo's MTU at 1500 and segmentation offload off (ethtool -K lo
# gso off tso off gro off, and gso_max_size 1500), so that every frame is
# at most 1514 bytes, as on a real Ethernet.  The script fails if
# tcpdump's "dropped by kernel" line is not 0, if a frame is larger than
# 1514 bytes, or if curl did not get every body.  Needs (Debian
# packages): iproute2, ethtool, tcpdump, nginx, curl, python3.  Every
# process started here is stopped by its PID; the namespace and the
# temporary directory (on /dev/shm: the bulk bodies, ~1 GB) are removed
# on exit.
#
# Environment: BENCH_BULK_BYTES, BENCH_SHORT_CONNS, BENCH_PAR (20),
# BENCH_ONLY=bulk|short (one of the two), BENCH_RATE (curl --limit-rate
# per transfer, e.g. 20M, if tcpdump cannot keep up).
set -eu -o pipefail

DIR=${1:-/dev/shm/tf-bench}
BULK=${BENCH_BULK_BYTES:-1100000000}
NSHORT=${BENCH_SHORT_CONNS:-100000}
PAR=${BENCH_PAR:-20}
ONLY=${BENCH_ONLY:-}
PORT=8080
# shellcheck source=SCRIPTDIR/data/netns.sh
. "$(dirname "$0")/data/netns.sh" mkbenchcap
ns_need ip ethtool tcpdump nginx curl ss "$PY"
case $ONLY in '' | bulk | short) ;; *) die "BENCH_ONLY: bulk, short or nothing" ;; esac

# Room: the captures, and the bulk bodies while they are served.
mkdir -p "$DIR"
need=$(( (BULK * 23 / 10 + NSHORT * 4200) / 1024 ))
for d in "$DIR" /dev/shm; do
	avail=$(df -Pk "$d" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt "$need" ] ||
	    die "$d: $((avail / 1024)) MiB free, $((need / 1024)) MiB needed"
done

# ------------------------------------------------------------------ namespace
ns_setup tfbenchcap 1500 1500 /dev/shm
nx ethtool -K lo gso off tso off gro off 2>/dev/null ||
    nx ethtool -K lo gso off gro off ||
    die "ethtool -K lo: cannot turn segmentation offload off"
# lo's checksum offload is fixed on: most frames carry partial checksums.
# A first short capture from one client address (more 4-tuples used
# again) made tf-reassemble drop 56 segments as bad and report 4 gaps;
# one from four addresses, 13 segments and no gap (it warns of both).
nx ethtool -K lo tx off rx off >/dev/null 2>&1 || true
nx sysctl -q -w net.ipv4.ip_local_port_range="10000 65000"
nx sysctl -q -w net.ipv4.tcp_tw_reuse=1
nx ethtool -k lo | grep -E '^(tx-checksumming|rx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):' |
    sed 's/^/  lo: /'

# ------------------------------------------------------------------ files
# The bodies: bulk/NNNN (sizes below) and short/NNN (1-5 KB), pseudo-random
# bytes from a fixed seed; the URL lists for curl -K.
mkdir -p "$TMP/docroot/bulk" "$TMP/docroot/short"
"$PY" - "$TMP" "$BULK" "$NSHORT" "$PORT" "$ONLY" <<'PYEOF'
import os, random, sys
tmp, want, nshort, port, only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rnd = random.Random(13)
pool = rnd.randbytes(50 * 1000 * 1000 + 65536)
url = "http://127.0.0.1:%s" % port
if only != "short":
    # 99% log-uniform from 100 KB to 1 MB, 1% from 1 MB to 50 MB: most
    # downloads are small, a few are large (mean about 0.5 MB).
    total, sizes = 0, []
    while total < want:
        if rnd.random() < 0.99:
            n = int(100e3 * 10 ** rnd.random())
        else:
            n = int(1e6 * 50 ** rnd.random())
        sizes.append(n)
        total += n
    with open(os.path.join(tmp, "bulk.urls"), "w") as u, \
         open(os.path.join(tmp, "bulk.sizes"), "w") as z:
        for i, n in enumerate(sizes):
            off = rnd.randrange(65536)
            with open(os.path.join(tmp, "docroot/bulk/%04d" % i), "wb") as f:
                f.write(pool[off:off + n])
            u.write('url = "%s/bulk/%04d"\noutput = "/dev/null"\n' % (url, i))
            z.write("%d\n" % n)
if only != "bulk":
    for i in range(1000):
        n = rnd.randrange(1000, 5001)
        with open(os.path.join(tmp, "docroot/short/%03d" % i), "wb") as f:
            f.write(pool[i * 5000:i * 5000 + n])
    # Four lists, one per client address (127.0.0.1-4): fewer 4-tuples
    # used again (see the ethtool line above).
    for k in range(4):
        with open(os.path.join(tmp, "short%d.urls" % k), "w") as u:
            for i in range(k, nshort, 4):
                u.write('url = "%s/short/%03d"\noutput = "/dev/null"\n' % (url, i % 1000))
PYEOF

# ------------------------------------------------------------------ nginx
nginx_conf warn 1024 "worker_rlimit_nofile 4096" <<EOF
default_type application/octet-stream;
sendfile on;
keepalive_timeout 0;
server {
	listen 127.0.0.1:$PORT backlog=4096;
	root $TMP/docroot;
}
EOF
nx sysctl -q -w net.core.somaxconn=4096
nginx_start "$PORT"

# ------------------------------------------------------------------ capture
# -B: a 512 MiB kernel buffer, so that bursts are kept while tcpdump writes.
# -Q in: each frame once (lo shows it going out and coming in), the copy
# going out dropped in the kernel, not by tcpdump.
bench_cap() {                         # OUTFILE
	cap_start "$1" tcpdump -n -i lo -Q in -s 0 -B 524288 -w - "tcp port $PORT"
}
bench_cap_stop() {                    # OUTFILE
	cap_stop
	cap_show
	cap_kept || {
		rm -f "$1"
		die "the capture dropped packets (BENCH_RATE=20M slows curl down)"
	}
	"$PY" - "$1" <<'PYEOF' || { rm -f "$1"; die "$1: frames over 1514 bytes (offload on?)"; }
import struct, sys
# Reads the capture's record headers: frames, bytes, largest frame.
f = open(sys.argv[1], "rb")
h = f.read(24)
end = "<" if h[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
n = big = tot = 0
while True:
    r = f.read(16)
    if len(r) < 16:
        break
    _, _, incl, orig = struct.unpack(end + "IIII", r)
    f.seek(incl, 1)
    n += 1
    tot += orig
    big = max(big, orig)
print("    %d frames, %d bytes on the wire, largest %d" % (n, tot, big))
sys.exit(big > 1514)
PYEOF
}

# curlrun LIST [N]: the transfers of LIST (of LIST0 ... LIST<N-1>, from
# 127.0.0.1 ... 127.0.0.N, at once), PAR at a time in all, one per
# connection (nginx closes: keepalive_timeout 0); checks every status and
# size.
curlrun() {
	local t0 t1 k n=${2:-0} pids=()
	t0=$(date +%s.%N)
	if [ "$n" = 0 ]; then
		nx curl -sS --no-progress-meter -Z --parallel-max "$PAR" ${BENCH_RATE:+--limit-rate "$BENCH_RATE"} \
			-w '%{http_code} %{size_download} %{num_connects}\n' -K "$TMP/$1.urls" \
			> "$TMP/$1.got" 2> "$TMP/$1.err" || { cat "$TMP/$1.err" >&2; die "curl failed"; }
	else
		for k in $(seq 0 $((n - 1))); do
			ns_bg "$TMP/$1$k.got" "$TMP/$1$k.err" curl -sS --no-progress-meter -Z \
				--parallel-max $((PAR / n)) ${BENCH_RATE:+--limit-rate "$BENCH_RATE"} \
				--interface "127.0.0.$((k + 1))" \
				-w '%{http_code} %{size_download} %{num_connects}\n' -K "$TMP/$1$k.urls"
			pids+=("$BGPID")
		done
		for k in "${pids[@]}"; do
			wait "$k" || { cat "$TMP/$1"*.err >&2; die "curl failed"; }
			forget "$k"
		done
		cat "$TMP/$1"[0-9]*.got > "$TMP/$1.got"
	fi
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "    curl: %.1f s\n", b - a }'
	awk '$1 != 200 || $3 != 1 { bad++ } { n++; s += $2 } END {
		printf "    %d transfers, %d body bytes, %d not 200 or reusing a connection\n", n, s, bad
		exit bad > 0 }' "$TMP/$1.got" || die "curl: some transfers failed"
}

if [ "$ONLY" != short ]; then
	echo "bulk.pcap"
	bench_cap "$DIR/bulk.pcap"
	curlrun bulk
	bench_cap_stop "$DIR/bulk.pcap"
	# Every size served, in whatever order curl finished them.
	sort -n "$TMP/bulk.sizes" > "$TMP/want"
	awk '{ print $2 }' "$TMP/bulk.got" | sort -n | cmp -s - "$TMP/want" ||
	    die "curl's body sizes differ from the files'"
	rm -rf "$TMP/docroot/bulk"
fi
if [ "$ONLY" != bulk ]; then
	echo "short.pcap"
	bench_cap "$DIR/short.pcap"
	curlrun short 4
	bench_cap_stop "$DIR/short.pcap"
fi

nginx_stop
ls -l "$DIR"
