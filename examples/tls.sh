#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# TLS: tf-tls on the bundled examples/tls.pcap and its key log
# examples/tls.keys (tests/data/mktls.sh: nginx and curl --http1.1
# --compressed over TLS 1.3 on loopback, SSLKEYLOGFILE set, three GETs on
# one connection).  First the session's metadata without the keys (one
# JSON line per TLS connection, as Zeek's ssl.log), then the connection
# decrypted: tf-http after tf-tls writes the three bodies, decoded.  Last,
# with -K, tf-split writes each direction's plaintext and, beside it with
# -TLS, its ciphertext as on the wire.
#
# usage: sh examples/tls.sh [bindir [outdir]]
#   bindir  where the programs are (default: build/bin of this tree, else PATH)
#   outdir  a new directory for the output (default: a fresh
#           ${TMPDIR:-/tmp}/tf-tls.XXXXXX, kept for you to look at)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
example_setup tf-tls "$@"

echo '$ tf-reassemble < tls.pcap | tf-tls -j | jq (no keys: the metadata)'
tf-reassemble <"$here/tls.pcap" | tf-tls -j >sessions.json
jq -r '"\(.conn) \(.version) \(.sni) \(.cipher) alpn=\(.alpn_offered | join(",")) decrypted=\(.decrypted)\n  ja3 \(.ja3)\n  ja4 \(.ja4)"' \
    sessions.json
echo
echo '$ tf-reassemble < tls.pcap | tf-tls -k tls.keys | tf-http -o objects | tf-cat -j > annotations.json'
tf-reassemble <"$here/tls.pcap" | tf-tls -k "$here/tls.keys" |
    tf-http -o objects | tf-cat -j >annotations.json
echo '$ jq (the session, decrypted)'
jq -r 'select(.key == "tls.session") | .value | fromjson |
    "\(.version) \(.cipher) alpn=\(.alpn) decrypted=\(.decrypted)"' annotations.json
echo '$ jq (the certificate)'
jq -r 'select(.key == "tls.certificate") | .value | fromjson |
    "\(.subject) issued by \(.issuer), san \(.san | join(" "))"' annotations.json
echo '$ jq (the HTTP messages inside)'
jq -r 'select(.key == "http.message") | .value | fromjson |
    "\(.dir) \(.status // .method) \(.uri // .content_type // "") \(.file // "-")"' \
    annotations.json
echo
echo '$ md5sum objects/*'
(cd objects && md5sum -- *)
echo
echo '$ tf-reassemble < tls.pcap | tf-tls -K -k tls.keys | tf-split -o flows (plaintext, and ciphertext beside it)'
tf-reassemble <"$here/tls.pcap" | tf-tls -K -k "$here/tls.keys" |
    tf-split -o flows >/dev/null
(cd flows && wc -c -- * | LC_ALL=C sort -k2)
