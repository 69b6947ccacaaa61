# SPDX-License-Identifier: BSD-2-Clause
# make install, make install-strip and make uninstall into a DESTDIR: the
# exact files, their modes, and nothing left but what was there before.
# The programs installed are those under test (TF_BINDIR), copied into a
# build directory of the test's own that make is told not to remake
# (make -o), so that the test never builds anything.
bats_require_minimum_version 1.5.0

setup() {
	load helper
	T=$BATS_TEST_TMPDIR
	D=$T/dest
	O=$T/o
	mkdir -p "$D" "$O/bin"
	old=()
	for p in tf-reassemble tf-split tf-http tf-report tf-cat tf-merge tf-tls; do
		cp "$TF_BINDIR/$p" "$O/bin/$p"
		old+=(-o "$O/bin/$p")
	done
}

# mk TARGET...: make in the tree, into $D, the programs from $O.
mk() {
	make -s -C "$TOP" O="$O" DESTDIR="$D" "${old[@]}" "$@"
}

# tree: every file and symbolic link under $D, with its type and mode
# (a link: where it points), sorted.
tree() {
	(cd "$D" && find . \( -type f -o -type l \) -printf '%y %m %P %l\n' |
	    LC_ALL=C sort)
}

# dirs: every directory under $D.
dirs() {
	(cd "$D" && find . -mindepth 1 -type d -printf '%P\n' | LC_ALL=C sort)
}

# expected PREFIX: what make install puts under PREFIX (no leading /).
expected() {
	local p=$1 doc=${2:-tf} f
	{
		for f in tf-cat tf-http tf-merge tf-reassemble tf-report \
		    tf-split tf-tls; do
			echo "f 755 $p/bin/$f "
		done
		for f in tf-cat tf-http tf-merge tf-reassemble tf-report \
		    tf-split tf-tls; do
			echo "f 644 $p/share/man/man1/$f.1 "
		done
		echo "f 644 $p/share/man/man5/tf-stream.5 "
		echo "f 644 $p/share/man/man7/tf.7 "
		echo "f 644 $p/share/doc/$doc/NEWS "
		echo "f 644 $p/share/doc/$doc/README.md "
		for f in common.sh demo.sh hostile.pcap http-codings.pcap \
		    http-codings2.pcap http-headers.sh \
		    http-objects.sh http-tunnel.pcap http-tunnel.sh \
		    http.pcap http2.pcap http2.sh json-jq.sh live.sh parallel.sh \
		    rotated.pcap \
		    rotated.pcap1 rotated.pcap2 rotated.sh \
		    split-by-template.sh summary.png tf-bytes.c tls.keys tls.pcap \
		    tls.sh untrusted.sh \
		    websocket.pcap websocket.sh zero-copy.sh; do
			echo "f 644 $p/share/doc/$doc/examples/$f "
		done
		echo "f 644 $p/share/bash-completion/completions/tf-reassemble "
		for f in tf-cat tf-http tf-merge tf-report tf-split tf-tls; do
			echo "l 777 $p/share/bash-completion/completions/$f tf-reassemble"
		done
	} | LC_ALL=C sort
}

@test "install: make install then make uninstall, DESTDIR, the default PREFIX" {
	# Something of someone else's in the same directories stays.
	mkdir -p "$D/usr/local/bin" "$D/usr/local/share/man/man1"
	echo x >"$D/usr/local/bin/other"
	echo x >"$D/usr/local/share/man/man1/other.1"
	before=$(tree)
	run -0 mk install
	diff -u <(LC_ALL=C sort <<<"$(expected usr/local)
$before") <(tree)
	# The examples are the tree's, byte for byte.
	for f in "$TOP"/examples/*; do
		cmp "$f" "$D/usr/local/share/doc/tf/examples/${f##*/}"
	done
	cmp "$TOP/completion/tf.bash" \
	    "$D/usr/local/share/bash-completion/completions/tf-reassemble"
	run -0 mk uninstall
	[ "$(tree)" = "$before" ]
	# Its own directories go; the shared ones stay.
	[ "$(dirs)" = "usr
usr/local
usr/local/bin
usr/local/share
usr/local/share/bash-completion
usr/local/share/bash-completion/completions
usr/local/share/doc
usr/local/share/man
usr/local/share/man/man1
usr/local/share/man/man5
usr/local/share/man/man7" ]
}

@test "install: PREFIX=/usr PACKAGE=tf-flowtools, as the Debian package does; uninstall leaves nothing" {
	run -0 mk install PREFIX=/usr PACKAGE=tf-flowtools
	[ "$(tree)" = "$(expected usr tf-flowtools)" ]
	run -0 mk uninstall PREFIX=/usr PACKAGE=tf-flowtools
	[ -z "$(tree)" ]
	[ ! -e "$D/usr/share/doc/tf-flowtools" ]
}

@test "install-strip: the same files, the programs without symbols, and they run" {
	run -0 mk install-strip PREFIX=/opt/tf
	[ "$(tree)" = "$(expected opt/tf)" ]
	for p in tf-cat tf-http tf-merge tf-reassemble tf-report tf-split tf-tls; do
		[ -z "$(readelf -S "$D/opt/tf/bin/$p" |
		    grep -e '\.symtab' -e '\.debug_')" ]
		run -0 "$D/opt/tf/bin/$p" -V
	done
	run -0 mk uninstall PREFIX=/opt/tf
	[ -z "$(tree)" ]
}

@test "install: make install again over an installed tree is the same tree" {
	run -0 mk install
	first=$(tree)
	run -0 mk install
	[ "$(tree)" = "$first" ]
	run -0 mk uninstall
	[ -z "$(tree)" ]
}
