# SPDX-License-Identifier: BSD-2-Clause
# tf-report and tf-tls's annotations: tls.session and tls.certificate in
# the DFXML report, the JSON lines and the summary (tf-report(1), TLS).
# The annotations are written here as tf-tls(1) documents them; the real
# pipeline (captures, keys, tf-tls | tf-report) is in tests/tls.bats.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	cd "$BATS_TEST_TMPDIR"
}

# stream [CERTS]: one TLS connection; its session names a server in bytes
# that are not UTF-8 and a member tf-report does not know; CERTS
# certificates (default 1), the leaf's subject with markup in it.
stream() {
	local i n=${1:-1}
	{
		echo 'header'
		echo 'open conn=1 ts=1700000000.000001 src=192.0.2.1 sport=40000 dst=192.0.2.2 dport=443 flags=syn'
		for i in $(seq 0 $((n - 1))); do
			echo "annot conn=1 dir=1 key=tls.certificate value=\"{\\\"index\\\":$i,\\\"subject\\\":\\\"CN=<b>x</b>$i\\\",\\\"issuer\\\":\\\"CN=Test CA\\\",\\\"serial\\\":\\\"01ab\\\",\\\"not_before\\\":\\\"2026-12-04T09:00:00Z\\\",\\\"not_after\\\":\\\"2027-12-04T09:00:00Z\\\",\\\"san\\\":[\\\"a.example\\\",\\\"b.example\\\"],\\\"sha256\\\":\\\"$(printf '%064x' "$i")\\\"}\""
		done
		echo 'annot conn=1 dir=none key=tls.session value="{\"version\":\"TLSv1.3\",\"sni_hex\":\"ff41\",\"alpn_offered\":[\"h2\",\"http/1.1\"],\"alpn\":\"h2\",\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"cipher_suite\":4865,\"resumed\":false,\"ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\",\"decrypted\":true,\"evil<x\":1}"'
		echo 'data conn=1 dir=0 off=0 ts=1700000000.5 text="GET / HTTP/1.1\r\n\r\n"'
		echo 'close conn=1 cause=fin'
		echo 'end'
	} | mkstream >s.tfs
}

@test "report-tls: tls.session and tls.certificate as DFXML attributes, known members only" {
	stream
	tf-report <s.tfs >r.xml
	xmllint --noout --schema "$XSD" r.xml 2>/dev/null
	[ "$(grep -c '<tcpflow:tls ' r.xml)" = 1 ]
	grep -qxF '    <tcpflow:tls version="TLSv1.3" sni="&#xFFFD;A" tcpflow:sni_hex="ff41" alpn_offered="h2,http/1.1" alpn="h2" cipher="TLS_AES_128_GCM_SHA256" cipher_suite="4865" resumed="false" ja4="t13d1516h2_8daaf6152771_e5627efa2ab1" decrypted="true"/>' r.xml ||
	grep -qxF '    <tcpflow:tls version="TLSv1.3" sni="�A" tcpflow:sni_hex="ff41" alpn_offered="h2,http/1.1" alpn="h2" cipher="TLS_AES_128_GCM_SHA256" cipher_suite="4865" resumed="false" ja4="t13d1516h2_8daaf6152771_e5627efa2ab1" decrypted="true"/>' r.xml
	grep -qxF '    <tcpflow:certificate index="0" subject="CN=&lt;b&gt;x&lt;/b&gt;0" issuer="CN=Test CA" serial="01ab" not_before="2026-12-04T09:00:00Z" not_after="2027-12-04T09:00:00Z" san="a.example,b.example" sha256="0000000000000000000000000000000000000000000000000000000000000000"/>' r.xml
	# The session on the client's direction, the certificate on the
	# server's.
	[ "$(xmllint --xpath "count(//*[local-name()='fileobject'][.//*[local-name()='tcpflow']/@dir='0']/*[local-name()='tls'])" r.xml)" = 1 ]
	[ "$(xmllint --xpath "count(//*[local-name()='fileobject'][.//*[local-name()='tcpflow']/@dir='1']/*[local-name()='certificate'])" r.xml)" = 1 ]
	! grep -q 'evil' r.xml
}

@test "report-tls: JSON lines carry tls and certificates, re-written by the JSON rule" {
	stream
	tf-report -j <s.tfs >r.json
	[ "$(jq -c 'select(.dir == 0) | .tls' r.json)" = '{"version":"TLSv1.3","sni_hex":"ff41","alpn_offered":["h2","http/1.1"],"alpn":"h2","cipher":"TLS_AES_128_GCM_SHA256","cipher_suite":4865,"resumed":false,"ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1","decrypted":true}' ]
	[ "$(jq -c 'select(.dir == 1) | .certificates[0] | [.subject, .san, .serial]' r.json)" = '["CN=<b>x</b>0",["a.example","b.example"],"01ab"]' ]
	[ "$(jq -c 'select(.dir == 1) | has("tls")' r.json)" = false ]
	[ "$(jq -c 'select(.dir == 0) | has("certificates")' r.json)" = false ]
}

@test "report-tls: the summary lists server names, suites and certificates, escaped" {
	stream 3
	tf-report -t html <s.tfs >p.html
	grep -qF '<p>1 TLS connections, 1 decrypted; 3 certificates seen, 3 different listed.</p>' p.html
	grep -qF '<tr><td class="m">\xffA</td><td class="n">1</td></tr>' p.html
	grep -qF '<tr><td class="m">TLSv1.3 TLS_AES_128_GCM_SHA256</td><td class="n">1</td></tr>' p.html
	grep -qF '<tr><td class="m">CN=&lt;b&gt;x&lt;/b&gt;2</td><td class="m">CN=Test CA</td><td class="m t">2027-12-04T09:00:00Z</td><td class="m">a.example, b.example</td>' p.html
	! grep -q '<b>' p.html
	tf-report -t text <s.tfs >t.txt
	grep -qxF 'tls          1 connections, 1 decrypted: \xffA 1' t.txt
}

@test "report-tls: over 16 certificates a direction, the rest counted; a bad annotation warned about" {
	stream 17
	printf 'header\nopen conn=2 src=192.0.2.1 sport=1 dst=192.0.2.2 dport=443\nannot conn=2 dir=none key=tls.session value="{\\"a\\":{}}"\nclose conn=2\nend\n' |
	    mkstream >bad.tfs
	tf-report -j <s.tfs >r.json 2>err
	[ "$(jq -c 'select(.dir == 1) | .certificates | length' r.json)" = 16 ]
	[ "$(cat err)" = 'tf-report: 1 TLS annotation left out of the report: 1 over the caps (16 certificates a direction, 16384 bytes each, 64 MiB held at once)' ]
	tf-report -j <bad.tfs >r2.json 2>err2
	[ "$(jq -c 'has("tls")' r2.json | sort -u)" = false ]
	[ "$(cat err2)" = "tf-report: annotation at byte 158: tls.session: nested object or array; ignored
tf-report: 1 TLS annotation left out of the report: 1 not JSON objects" ]
}
