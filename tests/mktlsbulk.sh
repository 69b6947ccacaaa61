#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mktlsbulk.sh — make bench's TLS capture: one TLS 1.3 connection,
# TLS_AES_128_GCM_SHA256, carrying BYTES of application data from server
# to client in full 16 KiB records, and its key log.
#
#   sudo tests/mktlsbulk.sh OUT.pcap OUT.keys [BYTES]   (default 200000000)
#
# Needs: iproute2, tcpdump, python3 (its ssl on OpenSSL 3, which takes the
# TLS 1.3 suite from an OPENSSL_CONF made here).
#
# Run as root (a network namespace, a capture).  All traffic stays on the
# loopback of a namespace made here (MTU and gso_max_size 16384, or
# $MTU).  Server: a few lines of python3 ssl on
# 127.0.0.1:4433, with tests/data/tls's test certificate, that reads one
# line and writes BYTES (a 1 MiB block of SHA-256 output, repeated), then
# closes.  Client: python3 ssl with keylog_filename OUT.keys, reading
# as fast as it can; it checks the suite and counts the bytes.  Fails if the capture dropped packets.  Every process
# started here is stopped by its PID; the namespace is deleted on exit.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/data/netns.sh
. "$here/data/netns.sh" mktlsbulk
[ $# -ge 2 ] || die "usage: mktlsbulk.sh OUT.pcap OUT.keys [BYTES]"
out=$1 keys=$2 bytes=${3:-200000000}
# Segments of 16 KiB: with 1500-byte ones, 200 MB through the loopback
# overflows its backlog, and the retransmissions that follow make tshark
# lose its way (tf does not: but the comparison is to be of decryption).
mtu=${MTU:-16384}
ns_need ip tcpdump openssl ss "$PY"
ns_setup tftlsbulk "$mtu" "$mtu" "${TMPDIR:-/tmp}"

cat >"$TMP/server.py" <<'EOF'
import hashlib, socket, ssl, sys
cert, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
blk = bytearray()
i = 0
while len(blk) < 1 << 20:
    blk += hashlib.sha256(b"tf-tls-bench:%d" % i).digest()
    i += 1
blk = bytes(blk)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 4433))
ls.listen(1)
raw, _ = ls.accept()
s = ctx.wrap_socket(raw, server_side=True)
s.recv(100)
left = n
while left > 0:
    k = min(left, len(blk))
    s.sendall(blk[:k])
    left -= k
try:
    s.unwrap()
except (ssl.SSLError, OSError):
    pass
s.close()
EOF

# The client reads as fast as it can.
cat >"$TMP/client.py" <<'EOF'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.keylog_filename = sys.argv[2]
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 4433)),
                    server_hostname="tf.test")
if s.cipher()[0] != "TLS_AES_128_GCM_SHA256":
    sys.exit("suite %s" % s.cipher()[0])
s.sendall(b"go\n")
n = 0
while True:
    d = s.recv(1 << 20)
    if not d:
        break
    n += len(d)
print(n)
EOF
# TLS 1.3 suites are set in OpenSSL's configuration, not by python.
cat >"$TMP/openssl.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Ciphersuites = TLS_AES_128_GCM_SHA256
EOF
export OPENSSL_CONF=$TMP/openssl.cnf

rm -f "$out" "$keys"
cap_start "$out" tcpdump -U -n -i lo -s 0 -B 262144 -w - 'tcp port 4433'
ns_bg - - "$PY" "$TMP/server.py" "$here/data/tls/server.pem" \
	"$here/data/tls/server.key" "$bytes"
srv=$BGPID
wait_port 4433 "$srv"
nx "$PY" "$TMP/client.py" "$here/data/tls/ca.pem" "$keys" \
	>"$TMP/got" 2>"$TMP/client.err" ||
	{ cat "$TMP/client.err" >&2; die "the client failed"; }
wait "$srv" || die "the server failed"
forget "$srv"
cap_stop
cap_kept || { cat "$TMP/cap.err" >&2; die "the capture dropped packets"; }
[ "$(cat "$TMP/got")" = "$bytes" ] || die "the client got $(cat "$TMP/got") bytes, not $bytes"
chmod 644 "$keys"
