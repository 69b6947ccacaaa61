#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# tf-report -t html and -t text: the summary of a stream, its numbers
# against the DFXML report's, its escaping, its size at scale, and the
# page in a real browser (Debian's chromium, headless).

setup() {
	load helper
	T=$BATS_TEST_TMPDIR
	EX=$TOP/examples
}

FO="//*[local-name()='fileobject']"
TFA="*[local-name()='tcpflow']"

need_chromium() {
	command -v chromium >/dev/null ||
	    skip "chromium is not installed (apt-get install chromium; make deps does)"
}

# browse PAGE NAME: chromium's DOM of PAGE in $T/NAME.dom, what it logged
# in $T/NAME.log, the lines of that log from the page's console (none
# when the page loads cleanly) in $T/NAME.console.
browse() {
	chromium --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$T/chromium" --enable-logging=stderr --v=0 \
	    --dump-dom "file://$1" >"$T/$2.dom" 2>"$T/$2.log"
	grep ':CONSOLE' "$T/$2.log" >"$T/$2.console" || true
	[ -s "$T/$2.dom" ]
}

# count FILE REGEX: how many times REGEX matches in FILE.
count() {
	grep -o -- "$2" "$1" | wc -l
}

# cell FILE NAME: the number in the row NAME of the page's overview (the
# first table with such rows; the END totals come later).
cell() {
	sed -n "s|.*<tr><th>$2</th><td class=\"n\">\([0-9]*\).*|\1|p" "$1" | head -1
}

# xsum FILE ATTR: the sum of a tcpflow attribute over the fileobjects.
xsum() {
	xmllint --xpath "sum($FO/$TFA/@$2)" "$1"
}

# codings: the bundled example through the pipeline, stream in $T/s.tfs,
# the DFXML report in $T/r.xml.
codings() {
	(cd "$T" && tf-reassemble -q -r "$EX/http-codings.pcap" |
	    tf-http -q -o objects | tf-split -o flows >s.tfs)
	tf-report <"$T/s.tfs" >"$T/r.xml"
}

# same_numbers PAGE XML: the page's overview and END totals are the
# report's.
same_numbers() {
	local name v
	[ "$(cell "$1" connections)" = "$(($(xmllint --xpath "count($FO/$TFA)" "$2") / 2))" ]
	[ "$(cell "$1" 'directions (fileobjects)')" = "$(xmllint --xpath "count($FO/$TFA)" "$2")" ]
	[ "$(cell "$1" 'bytes client to server')" = "$(xmllint --xpath "sum($FO[$TFA/@dir=0]/*[local-name()='filesize'])" "$2")" ]
	[ "$(cell "$1" 'bytes server to client')" = "$(xmllint --xpath "sum($FO[$TFA/@dir=1]/*[local-name()='filesize'])" "$2")" ]
	[ "$(cell "$1" packets)" = "$(xsum "$2" packets)" ]
	[ "$(sed -n 's|.*<tr><th>gaps</th><td class="n">\([0-9]*\) (\([0-9]*\) bytes).*|\1 \2|p' "$1" | head -1)" = "$(xsum "$2" gaps) $(xsum "$2" gapbytes)" ]
	[ "$(cell "$1" retransmissions)" = "$(xsum "$2" retrans)" ]
	grep -F "with a body file" "$1" | grep -F ", $(xmllint --xpath "count(//*[local-name()='http']/*[local-name()='fileobject'])" "$2") with a body file"
	for name in packets bytes malformed connections evicted gaps gapbytes; do
		v=$(xmllint --xpath "string(//*[local-name()='summary']/@$name)" "$2")
		grep -F "<tr><th>$name</th><td class=\"n\">$v</td></tr>" "$1"
	done
}

@test "-t text: what is in the capture, in one screen, the DFXML report's numbers" {
	codings
	run -0 --separate-stderr tf-report -t text <"$T/s.tfs"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<EOF
input        $EX/http-codings.pcap
time         2026-11-26T10:54:01.922297Z to 2026-11-26T10:54:01.975515Z (53.2 ms)
connections  3 (fin 3)
bytes        3804 client to server, 5026 server to client
packets      55
gaps         0 (0 bytes)
server ports 8080 (3 conns, 8830 bytes)
addresses    127.0.0.1 (8830 bytes)
http         27 messages, 12 body files: text/plain 5, application/json 3, text/css 1, text/html 1, image/svg+xml 1
losses       none
status       ok
EOF
	# The same numbers as the report's.
	[ "$(xsum "$T/r.xml" packets)" = 55 ]
	[ "$(xmllint --xpath "sum($FO[$TFA/@dir=0]/*[local-name()='filesize'])" "$T/r.xml")" = 3804 ]
	[ "$(xmllint --xpath "sum($FO[$TFA/@dir=1]/*[local-name()='filesize'])" "$T/r.xml")" = 5026 ]
	[ "$(xmllint --xpath "count(//*[local-name()='http']/*[local-name()='fileobject'])" "$T/r.xml")" = 12 ]
}

@test "-t html: the overview and END totals are the DFXML report's (http-codings, hostile)" {
	codings
	tf-report -t html <"$T/s.tfs" >"$T/p.html"
	same_numbers "$T/p.html" "$T/r.xml"
	[ "$(cell "$T/p.html" connections)" = 3 ]
	[ "$(cell "$T/p.html" 'HTTP messages')" = 27 ]
	# Nothing lost: no losses section.
	[ "$(count "$T/p.html" 'id="losses"')" = 0 ]
	tf-reassemble -q -C 16 <"$EX/hostile.pcap" | tf-http -q -R 100 -o "$T/o" >"$T/h.tfs"
	tf-report <"$T/h.tfs" >"$T/h.xml"
	tf-report -t html <"$T/h.tfs" >"$T/h.html"
	same_numbers "$T/h.html" "$T/h.xml"
}

@test "-t html of hostile.pcap: losses first, its strings as text" {
	tf-reassemble -q -C 16 <"$EX/hostile.pcap" | tf-http -q -R 100 -o "$T/o" |
	    tf-report -t html -o "$T/h.html"
	# The first section is the losses, with the END record's counts.
	[ "$(grep -o '<section id="[a-z]*"' "$T/h.html" | head -1)" = '<section id="losses"' ]
	grep -F '<tr><td>connections evicted (tf-reassemble -C)</td><td class="n">25</td>' "$T/h.html"
	grep -F '<tr><td>malformed packets</td><td class="n">1</td>' "$T/h.html"
	grep -F '<tr><td>fragments dropped</td><td class="n">3</td>' "$T/h.html"
	grep -F '<tr><td>connections closed: evicted</td><td class="n">25</td>' "$T/h.html"
	# The traversal URI and Content-Type are text in cells.
	grep -F '<td class="m">/../../../../etc/passwd</td>' "$T/h.html"
	grep -F '<td class="m">../../../tmp/x</td>' "$T/h.html"
	# The losses are in the text block too.
	tf-reassemble -q -C 16 <"$EX/hostile.pcap" | tf-report -t text >"$T/h.txt"
	grep -Fx 'losses       evicted 25, malformed 1, fragments dropped 3' "$T/h.txt"
	grep -Fx 'connections  42 (fin 2, end 15, evicted 25)' "$T/h.txt"
}

# The strings a stream can carry into the page, each an attempt at
# markup, script, a link elsewhere or bytes that are not UTF-8.
hostile_stream() {
	mkstream >"$T/x.tfs" <<'EOF'
header source="<script>alert(1)</script>.pcap" program="tf <b>1</b>" pcapver="libpcap <i>x</i>"
annot conn=0 key=reassemble.command value="tf-reassemble '<img src=x onerror=alert(2)>'"
open conn=1 ts=1700000000 src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80 flags=syn
annot conn=1 dir=0 key=http.message value="{\"dir\":\"request\",\"n\":1,\"method\":\"G<b>T\",\"uri\":\"/\\\"><script>alert(3)</script>\\u2028\\u009b\",\"host\":\"h'onmouseover='alert(4)\",\"offset\":0}"
data conn=1 dir=0 off=0 ts=1700000000.1 text="GET / HTTP/1.1\r\n\r\n"
annot conn=1 dir=1 key=http.message value="{\"dir\":\"response\",\"n\":1,\"request\":1,\"status\":200,\"content_type\":\"text/html<style>*{}</style>\",\"file\":\"//evil.example/\\\"><x>&.html\",\"length\":3,\"body_offset\":0,\"complete\":true}"
annot conn=1 dir=1 key=http.message_hex value="x"
data conn=1 dir=1 off=0 ts=1700000000.2 text="abc"
annot conn=1 dir=1 key=http.message value="{\"dir\":\"response\",\"n\":2,\"status\":200,\"content_type_hex\":\"ff3c623e01\",\"offset\":3}"
data conn=1 dir=1 off=3 ts=1700000000.3 text="d"
close conn=1 ts=1700000001 cause=fin
end connections=1
EOF
}

@test "-t html: every string from the stream is escaped, one rule" {
	hostile_stream
	run -0 --separate-stderr tf-report -t html <"$T/x.tfs"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/x.html"
	# No element or attribute but ours: one <style>, no script, image,
	# event handler, or b/i from the stream.
	[ "$(count "$T/x.html" '<script')" = 0 ]
	[ "$(count "$T/x.html" '<img')" = 0 ]
	[ "$(count "$T/x.html" '<style')" = 1 ]
	[ "$(count "$T/x.html" '<b>')" = 0 ]
	[ "$(count "$T/x.html" '<i>')" = 0 ]
	[ "$(count "$T/x.html" '<x>')" = 0 ]
	[ "$(count "$T/x.html" "onerror=alert")" = 1 ] # as text, below
	# Each string, as the page writes it.
	grep -F '<h1>&lt;script&gt;alert(1)&lt;/script&gt;.pcap</h1>' "$T/x.html"
	grep -F '<code>tf-reassemble &#39;&lt;img src=x onerror=alert(2)&gt;&#39;</code>' "$T/x.html"
	grep -F '<td class="m">/&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\xe2\x80\xa8\xc2\x9b</td>' "$T/x.html"
	grep -F '<td class="m">h&#39;onmouseover=&#39;alert(4)</td>' "$T/x.html"
	grep -F '<td>G&lt;b&gt;T</td>' "$T/x.html"
	grep -F '<td class="m">text/html&lt;style&gt;*{}&lt;/style&gt;</td>' "$T/x.html"
	grep -F '<td class="m">\xff&lt;b&gt;\x01</td>' "$T/x.html"
	grep -F '<td class="m">tf &lt;b&gt;1&lt;/b&gt;</td>' "$T/x.html"
	grep -F '<td class="m">libpcap &lt;i&gt;x&lt;/i&gt;</td>' "$T/x.html"
	# The body file's link stays a path on this host.
	grep -F '<a href="/evil.example/%22%3E%3Cx%3E%26.html">//evil.example/&quot;&gt;&lt;x&gt;&amp;.html</a>' "$T/x.html"
	# The text block escapes them for a terminal.
	tf-report -t text <"$T/x.tfs" >"$T/x.txt"
	grep -Fx 'input        <script>alert(1)</script>.pcap' "$T/x.txt"
	grep -Fx 'http         3 messages, 1 body files: \xff<b>\x01 1, text/html<style>*{}</style> 1' "$T/x.txt"
}

@test "-t html: one self-contained page: strict CSP with the style sheet's hash, nothing fetched" {
	codings
	tf-report -t html <"$T/s.tfs" >"$T/p.html"
	[ "$(head -c 15 "$T/p.html")" = '<!DOCTYPE html>' ]
	want=$(sed -n 's|.*<style>\(.*\)</style>.*|\1|p' "$T/p.html" | tr -d '\n' |
	    openssl dgst -sha256 -binary | base64)
	grep -F "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-$want'; base-uri 'none'; form-action 'none'\">" "$T/p.html"
	[ "$(count "$T/p.html" '<script')" = 0 ]
	[ "$(count "$T/p.html" ' src=')" = 0 ]
	[ "$(count "$T/p.html" '<link')" = 0 ]
	[ "$(count "$T/p.html" 'url(')" = 0 ]
	[ "$(count "$T/p.html" '@import')" = 0 ]
	[ "$(count "$T/p.html" ' style=')" = 0 ]
	# The only URLs are the SVG namespace's and the body files, relative.
	[ "$(grep -o 'http[s]*://[^"]*' "$T/p.html" | sort -u)" = 'http://www.w3.org/2000/svg' ]
	[ "$(count "$T/p.html" '<a href="objects/127.000.000.001.')" = 12 ]
}

@test "chromium: the bundled example loads without a console message; its charts and tables" {
	need_chromium
	codings
	tf-report -t html -o "$T/p.html" <"$T/s.tfs"
	browse "$T/p.html" p
	[ ! -s "$T/p.console" ] || { cat "$T/p.console"; false; }
	# A bar per connection, a path per direction and server port, a bar
	# per server port, a row per HTTP message.
	[ "$(count "$T/p.dom" '<rect class="bar c1"')" = 3 ]
	[ "$(count "$T/p.dom" '<path class="tp s0"')" = 2 ]
	[ "$(count "$T/p.dom" '<rect class="pb"')" = 1 ]
	[ "$(count "$T/p.dom" '<tr><td class="m t">2026-11-26T')" = 27 ]
	[ "$(count "$T/p.dom" '<svg ')" = 4 ]
	# The density strip: a rect per time bucket with a connection open,
	# as many as the page has.
	[ "$(count "$T/p.dom" '<rect class="dn"')" = "$(count "$T/p.html" '<rect class="dn"')" ]
	[ "$(count "$T/p.dom" '<rect class="dn"')" -gt 10 ]
	# A page whose style the CSP refuses logs it: the check can fail.
	sed 's/sha256-[A-Za-z0-9+/=]*/sha256-AAAA/' "$T/p.html" >"$T/bad.html"
	browse "$T/bad.html" bad
	grep -F 'Content Security Policy' "$T/bad.console"
	# A screenshot, a PNG of the window's size.
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --user-data-dir="$T/chromium" --window-size=1000,1400 \
	    --screenshot="$T/p.png" "file://$T/p.html" 2>/dev/null
	[ "$(head -c 8 "$T/p.png" | xxd -p)" = 89504e470d0a1a0a ]
	[ "$(od -An -tx1 -j16 -N8 "$T/p.png" | tr -d ' \n')" = 000003e800000578 ]
}

@test "chromium: the hostile stream's page: no element injected, each string shown as text" {
	need_chromium
	hostile_stream
	tf-report -t html <"$T/x.tfs" >"$T/x.html"
	browse "$T/x.html" x
	[ ! -s "$T/x.console" ] || { cat "$T/x.console"; false; }
	[ "$(count "$T/x.dom" '<script')" = 0 ]
	[ "$(count "$T/x.dom" '<img')" = 0 ]
	[ "$(count "$T/x.dom" '<style')" = 1 ]
	[ "$(count "$T/x.dom" '<[a-z][^>]*onmouseover')" = 0 ]
	[ "$(count "$T/x.dom" '<[a-z][^>]*onerror')" = 0 ]
	[ "$(count "$T/x.dom" '<a href=')" = 1 ]
	grep -F '<h1>&lt;script&gt;alert(1)&lt;/script&gt;.pcap</h1>' "$T/x.dom"
	grep -F "<td class=\"m\">h'onmouseover='alert(4)</td>" "$T/x.dom"
}

@test "1,000,000 connections: memory bounded, a page of a few hundred KB, 100 bars" {
	n=1000000
	rss=40000
	if asan_build; then
		n=200000
		rss=200000
	fi
	mkstream benign-opens "$n" |
	    /usr/bin/time -f %M -o "$T/rss" tf-report -t html >"$T/p.html"
	echo "# peak RSS $(cat "$T/rss") KiB, page $(stat -c %s "$T/p.html") bytes" >&3
	[ "$(cat "$T/rss")" -lt "$rss" ]
	[ "$(stat -c %s "$T/p.html")" -lt 1000000 ]
	[ "$(cell "$T/p.html" connections)" = "$n" ]
	[ "$(count "$T/p.html" '<rect class="bar c1"')" = 100 ]
	grep -F "The 100 connections by bytes drawn as bars from first to last packet, coloured by how they closed; a red edge: gaps. $((n - 100)) more only in the density strip below." "$T/p.html"
	[ "$(count "$T/p.html" '<rect class="dn"')" -gt 100 ]
	[ "$(count "$T/p.html" '<rect class="dn"')" -le 240 ]
	grep -F '<tr><td class="n">80</td><td class="n">'"$n"'</td><td class="n">0</td></tr>' "$T/p.html"
}

@test "100,000 connections of all sizes: exact totals, ports and gaps; addresses past the sketch said" {
	mkstream benign-mixed 100000 >"$T/m.tfs"
	tf-report -t text <"$T/m.tfs" >"$T/m.txt"
	c2s=$(awk 'BEGIN { for (i = 1; i <= 100000; i++) s += (i % 7 + 1) * 10; print s }')
	s2c=$(awk 'BEGIN { for (i = 1; i <= 100000; i++) s += (i % 13 + 1) * 10; print s }')
	grep -Fx "bytes        $c2s client to server, $s2c server to client" "$T/m.txt"
	grep -Fx 'connections  100000 (fin 100000)' "$T/m.txt"
	grep -Fx 'packets      500000' "$T/m.txt"
	grep -Fx 'gaps         100 (10000 bytes)' "$T/m.txt"
	grep -Fx 'losses       gaps lost 100 (10000 bytes)' "$T/m.txt"
	grep '^server ports 80 (50000 conns, [0-9]* bytes), 443 (49000 conns, [0-9]* bytes), 1000 (20 conns, ' "$T/m.txt"
	tf-report -t html <"$T/m.tfs" >"$T/m.html"
	# Every port's bytes, exact, in the bars' titles.
	for p in 80 443; do
		want=$(awk -v p="$p" 'BEGIN { for (i = 1; i <= 100000; i++) {
			q = i % 100 == 0 ? 1000 + i % 5000 : i % 2 ? 80 : 443
			if (q == p) s += (i % 7 + 1) * 10 + (i % 13 + 1) * 10 }
			print s }')
		grep -F "<title>port $p: $want bytes</title>" "$T/m.html"
	done
	# Throughput: 80 and 443 each way, the rest in at most seven more
	# series each way; the legend's bytes add up to the totals.
	[ "$(count "$T/m.html" '<path class="tp s[0-9]" d="[^"]*"><title>port 80</title>')" = 2 ]
	[ "$(count "$T/m.html" '<path class="tp s[0-9]" d="[^"]*"><title>port 443</title>')" = 2 ]
	[ "$(count "$T/m.html" '<path class="tp s8" d="[^"]*"><title>other</title>')" = 2 ]
	[ "$(count "$T/m.html" '<path class="tp s')" -le 18 ]
	[ "$(awk '/^<h3>client to server/ { d = 1 } /^<h3>server to client/ { d = 2 }
		{ svg = /<svg class="tput"/
		  while (match($0, /<\/span>(port [0-9]+|other): [0-9]+ bytes/)) {
			t = substr($0, RSTART, RLENGTH); sub(/ bytes$/, "", t)
			sub(/.*: /, "", t); s += t
			$0 = substr($0, RSTART + RLENGTH) }
		  if (svg) { print d, s; s = 0 } }' "$T/m.html")" = "1 $c2s
2 $s2c" ]
	# 100 connections with gaps, each drawn with a red edge.
	[ "$(count "$T/m.html" '<tr><td>gaps: lost</td><td class="n">100</td><td>10000 bytes</td></tr>')" = 1 ]
	[ "$(count "$T/m.html" '<rect class="gm"')" -gt 0 ]
	grep -F '<tr><td>connections with gaps</td><td class="n">100</td>' "$T/m.html"
	# 100,050 addresses: past the sketch's 4096, the page says so.
	grep -F 'More than 4096 addresses' "$T/m.html"
	# A hostile mix, every connection to an address and port of its
	# own: the same bounds.
	mkstream hostile-mixed 100000 |
	    /usr/bin/time -f %M -o "$T/rss" tf-report -t html >"$T/h.html"
	echo "# peak RSS $(cat "$T/rss") KiB, page $(stat -c %s "$T/h.html") bytes" >&3
	asan_build || [ "$(cat "$T/rss")" -lt 40000 ]
	[ "$(stat -c %s "$T/h.html")" -lt 1000000 ]
}

@test "a cut stream: the page says it is incomplete, exit 1" {
	codings
	head -c 3000 "$T/s.tfs" >"$T/cut.tfs"
	run -1 --separate-stderr tf-report -t html <"$T/cut.tfs"
	[[ $stderr == "tf-report: stream cut short inside the record at byte "* ]]
	printf '%s\n' "$output" >"$T/cut.html"
	grep -F '<section id="losses" class="loss"><h2>Losses</h2>' "$T/cut.html"
	grep -F '<p class="w">The stream ended early: this summary is incomplete (' "$T/cut.html"
	grep -F '</body></html>' "$T/cut.html"
	run -1 --separate-stderr tf-report -t text <"$T/cut.tfs"
	[ "$(tail -1 <<<"$output")" = 'status       incomplete' ]
}

@test "-t: a format it does not know is a usage error" {
	run -2 --separate-stderr tf-report -t pdf </dev/null
	[ "${stderr%%$'\n'*}" = "tf-report: -t: 'pdf' is not xml, json, html or text" ]
	# -t xml and -t json are the report and -j.
	codings
	tf-report -t xml <"$T/s.tfs" >"$T/x.xml"
	xmllint --noout --schema "$XSD" "$T/x.xml"
	diff <(xmllint --xpath "$FO" "$T/r.xml") <(xmllint --xpath "$FO" "$T/x.xml")
	diff <(tf-report -j <"$T/s.tfs") <(tf-report -t json <"$T/s.tfs")
}
