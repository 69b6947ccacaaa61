#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkcaptures.sh — regenerate the real loopback captures in tests/data/real/.
#
# Run as root on Linux:   sudo tests/data/mkcaptures.sh
# MKDATA_OUT=DIR: write into DIR instead of tests/data/real (netns.sh).
# Needs (Debian packages): iproute2, tcpdump, nginx, nftables, python3,
# tshark + wireshark-common (dumpcap, capinfos), a kernel with generic XDP.
#
# All traffic stays inside a network namespace made here, on its loopback
# (127.0.0.1 / ::1). Servers: nginx (config in a temp dir) on 127.0.0.1:8080
# and [::1]:8080. Client: tcpclient.py, which records every byte it sent and
# received per connection as the ground truth, in NAME.expected/, named the
# way tcpflow 1.6.1 names flow files. Every process started here is stopped by
# its PID; the namespace and the temp dir are removed on exit.
#
# Re-running regenerates everything (times, ports, sequence numbers and
# exactly which segments get dropped will differ). Then each capture is
# cross-checked with tshark (verifycap.py) and MANIFEST is rewritten.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$HERE/netns.sh" mkcaptures real
ns_need ip tcpdump nginx nft dumpcap capinfos tshark ss "$PY"
# lo: MTU 1500, gso_max_size 1500 (ethtool is not needed).
ns_setup tfcap

# ------------------------------------------------------------------ nginx
mkdir -p "$TMP/docroot"
"$PY" "$HERE/tcpclient.py" mkdocroot "$TMP/docroot"
nginx_conf info 64 <<EOF
types { text/plain txt; application/octet-stream bin; }
default_type application/octet-stream;
keepalive_timeout 75s;
server {
	listen 127.0.0.1:8080;
	listen [::1]:8080;
	root $TMP/docroot;
}
EOF
nginx_start 8080 2

# ------------------------------------------------------------------ helpers
# (tcpdump --immediate-mode would spare cap_stop its wait but, with -s 0,
# makes 256 KiB ring slots and the kernel drops most of a fast transfer.)
real_cap_stop() {
	cap_stop
	cap_show
	# (dumpcap does not say)
	cap_kept || ! grep -q 'dropped by kernel' "$TMP/cap.err" ||
		die "the capture dropped packets"
}
tcpdump_lo() { cap_start "$OUT/$1" tcpdump -i lo -s 0 -U -w - 'tcp port 8080'; }
fresh() { rm -rf "$OUT/$1" "$OUT/${1%.*}.expected"; }
client() {                            # NAME ARGS...: run the test client
	local name=$1
	shift
	nx "$PY" "$HERE/tcpclient.py" get --out "$OUT/$name.expected" \
		--docroot "$TMP/docroot" "$@" 2>&1 | tee -a "$TMP/$name.log" | sed 's/^/    /'
}
declare -A NOTE

mkdir -p "$OUT"

# ------------------------------------------------------------------ captures
echo "http.pcap"
fresh http.pcap
tcpdump_lo http.pcap
client http /small.txt
real_cap_stop

echo "keepalive.pcap"
fresh keepalive.pcap
tcpdump_lo keepalive.pcap
client keepalive /small.txt,/bin3000.bin
real_cap_stop

echo "ipv6.pcap"
fresh ipv6.pcap
tcpdump_lo ipv6.pcap
client ipv6 --host ::1 /small.txt
real_cap_stop

echo "retrans-ooo.pcap"
fresh retrans-ooo.pcap
ns_bg "$TMP/xdp.out" 1 "$PY" "$HERE/xdpdrop.py" --dev lo --sport 8080 --every 50 \
	--phase 25 --minlen 1000
XDP=$BGPID
wait_for "$TMP/xdp.out" '^attached' "$XDP"
tcpdump_lo retrans-ooo.pcap
client retrans-ooo /big.bin
real_cap_stop
ns_stop "$XDP" INT
xdp=$(grep -E '^matched' "$TMP/xdp.out") || die "xdpdrop did not report"
set -- $xdp
NOTE[retrans-ooo]="Drops: xdpdrop.py saw $2 full-size server->client segments and dropped $4 of them (every 50th, starting with the 26th; a retransmission counts too)."
echo "    $xdp"

echo "retrans-dup.pcap"
fresh retrans-dup.pcap
nx nft -f - <<'EOF'
table inet tfcap {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp sport 8080 meta length > 1000 numgen inc mod 50 == 25 counter drop
	}
}
EOF
tcpdump_lo retrans-dup.pcap
client retrans-dup /big.bin
real_cap_stop
nftc=$(nx nft list table inet tfcap | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
nx nft delete table inet tfcap
NOTE[retrans-dup]="Drops: the nftables input hook dropped $nftc full-size server->client segments (every 50th matching one, starting with the 26th)."
echo "    dropped $nftc packets"

echo "reuse.pcap"
fresh reuse.pcap
tcpdump_lo reuse.pcap
client reuse --bind-port 40000 --gap 0.3 /small.txt /bin3000.bin /missing.txt
real_cap_stop

echo "midstream.pcap"
fresh midstream.pcap
rm -f "$TMP/ready" "$TMP/go"
: > "$TMP/midstream.log"
ns_bg "$TMP/midstream.log" 1 "$PY" "$HERE/tcpclient.py" get --out "$OUT/midstream.expected" \
	--docroot "$TMP/docroot" --pause-after 1 --ready-file "$TMP/ready" \
	--go-file "$TMP/go" /bin3000.bin,/small.txt
CL=$BGPID
wait_for_file() { local _; for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; die "no $1"; }
wait_for_file "$TMP/ready"
tcpdump_lo midstream.pcap
touch "$TMP/go"
wait "$CL" || { cat "$TMP/midstream.log" >&2; die "midstream client failed"; }
forget "$CL"
real_cap_stop
sed 's/^/    /' "$TMP/midstream.log"
set -- $(sed -n 's/^pause: sent \([0-9]*\) bytes, received \([0-9]*\) bytes$/\1 \2/p' "$TMP/midstream.log")
NOTE[midstream]="Capture start: before tcpdump started the client had sent $1 bytes and received $2 bytes (handshake, GET /bin3000.bin and its response; none of it is in the capture). So the captured client->server bytes are stream offsets $1.., server->client $2..; the expected files hold exactly the captured bytes (the second exchange)."

echo "rst.pcap"
fresh rst.pcap
tcpdump_lo rst.pcap
client rst --rst /small.txt
real_cap_stop

echo "any-sll2.pcap"
fresh any-sll2.pcap
cap_start "$OUT/any-sll2.pcap" tcpdump -i any -y LINUX_SLL2 -s 0 -U -w - 'tcp port 8080'
client any-sll2 /small.txt
real_cap_stop

echo "pcapng.pcapng"
fresh pcapng.pcapng
cap_start "$OUT/pcapng.pcapng" dumpcap -i lo -s 0 -f 'tcp port 8080' -w -
client pcapng /small.txt
real_cap_stop

nginx_stop

# ------------------------------------------------------------------ manifest
declare -A DESC
DESC[http.pcap]="One plain HTTP/1.1 GET of /small.txt (~300 bytes of text) from nginx over IPv4 loopback, Connection: close (server closes first)."
DESC[keepalive.pcap]="Two GETs on one keep-alive connection: /small.txt (text), then /bin3000.bin (3000 pseudo-random bytes) with Connection: close."
DESC[ipv6.pcap]="One HTTP/1.1 GET of /small.txt over [::1]. File names use inet_ntop form (::1), as tcpflow 1.6.1 does."
DESC[retrans-ooo.pcap]="GET of /big.bin (1000000 non-repeating bytes) with losses that the capture never saw: a generic-XDP program (xdpdrop.py) on lo's ingress dropped full-size server segments before the packet taps, so the capture shows later segments first and the (fast) retransmission afterwards: out-of-order data, no duplicates. (An nftables drop in the OUTPUT hook does not do this: the sending TCP gets the error back and simply resends in order.) Loopback may also reorder a few segments by itself, and SACK recovery may cause a few spurious retransmissions."
DESC[retrans-dup.pcap]="GET of /big.bin (1000000 bytes) with nftables dropping full-size server segments in the INPUT hook, after tcpdump saw them: the capture holds each dropped segment AND its retransmission (duplicate data)."
DESC[reuse.pcap]="Three successive connections on the same 4-tuple (the client binds local port 40000 with SO_REUSEADDR; nginx closes first, so its TIME_WAIT socket accepts the new SYN). Requests: /small.txt, /bin3000.bin, /missing.txt (404). Ground truth carries no suffix, c1, c2."
DESC[midstream.pcap]="Capture started mid-connection: one keep-alive connection did GET /bin3000.bin, the client paused ~1.5 s while tcpdump started, then GET /small.txt (Connection: close). No SYN in the capture; no segment straddles its start."
DESC[rst.pcap]="GET /small.txt on a keep-alive connection; after the full response the client closes with SO_LINGER {1,0}, so the connection ends with an RST from the client (no FIN)."
DESC[any-sll2.pcap]="One GET of /small.txt captured with tcpdump -i any -y LINUX_SLL2 (Linux cooked v2 headers)."
DESC[pcapng.pcapng]="One GET of /small.txt captured natively in pcapng by dumpcap -i lo (one SHB, one IDB with if_tsresol 9 = nanosecond timestamps, EPBs, an ISB at the end)."

ORDER="http.pcap keepalive.pcap ipv6.pcap retrans-ooo.pcap retrans-dup.pcap reuse.pcap midstream.pcap rst.pcap any-sll2.pcap pcapng.pcapng"
bad=0
{
	sed "s/SMALLSIZE/$(stat -c %s "$TMP/docroot/small.txt")/" <<'EOF'
Real test captures, made by tests/data/mkcaptures.sh (run as root) in a
private network namespace on its loopback: lo MTU 1500 and gso_max_size 1500,
so every packet is <= 1500 bytes of IP. Server: nginx 127.0.0.1:8080 and
[::1]:8080, capture filter "tcp port 8080". Client: tests/data/tcpclient.py,
which wrote the ground truth: for every connection, the exact bytes it sent
and received, in NAME.expected/, named like tcpflow 1.6.1 flow files
(%A.%a-%B.%b, IPv4 octets %03d, ports %05d, IPv6 in inet_ntop form, cN for
the Nth reuse of a 4-tuple). Served files: small.txt (text, SMALLSIZE
bytes), bin3000.bin (3000 bytes) and big.bin (1000000 bytes); the binary
ones are SHA-256 in counter mode: block i = sha256("tf-test-data:<name>:<i>"),
see tcpclient.py. Each capture was cross-checked with tshark (verifycap.py):
tshark is a reference, the .expected files are the truth.
EOF
	for c in $ORDER; do
		n=${c%.*}
		echo
		echo "$c"
		echo "  ${DESC[$c]}" | fold -s -w 76 | sed '2,$s/^/  /'
		if [ -n "${NOTE[$n]:-}" ]; then
			echo "  ${NOTE[$n]}" | fold -s -w 76 | sed '2,$s/^/  /'
		fi
		"$PY" "$HERE/verifycap.py" "$OUT/$c" "$OUT/$n.expected" > "$TMP/v" || bad=1
		fold -s -w 76 "$TMP/v" | sed 's/^\([^ ]\)/    \1/'
	done
} > "$OUT/MANIFEST"
cat "$OUT/MANIFEST"
[ "$bad" = 0 ] || die "tshark disagrees with the ground truth somewhere (see MANIFEST)"
echo "done: $OUT"
