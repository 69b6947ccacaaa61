# SPDX-License-Identifier: BSD-2-Clause
# tf: reassemble TCP connections from captures, as Unix filters.
#
#   make            build the programs into $(O)/bin
#   make demo       install build dependencies, build, run the example
#   make check      make deps, then make test
#   make deps       install what the build and the tests need (apt-get,
#                   as root; else print the command)
#   make test       build, run the test suite, then again on an ASan+UBSan
#                   build; never calls apt-get or the network
#   make check-full make check, with every cut of the fault tests
#                   (TF_FULL=1; make check strides through them)
#   make bench      measure against tcpflow (see README)
#   make analyze    scan-build and cppcheck over lib/ and cmd/
#   make install PREFIX=/usr DESTDIR=/tmp/stage ; make uninstall
#   make install-strip   the same, the programs stripped
#   make deb        the Debian package, tf-flowtools (../*.deb)
#   make spdx-check every source file has its SPDX-License-Identifier

# Settings: override on the command line, e.g. make CC=clang O=build-clang.
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line
# are used as given (dpkg-buildflags' hardening among them); our warning
# flags and the include paths pkg-config gives come on top.
#
# The version: the VERSION file, the one place it is written; in a git
# work tree with a release tag (v0.1.0) git describe gives it instead
# (0.1.0-3-g1234abc when past the tag).  make VERSION=x sets it.
VERSION := $(shell v=; [ -e .git ] && \
	v=$$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); \
	if [ -n "$$v" ]; then echo "$$v" | sed 's/^v//'; else cat VERSION; fi)

# Where make install puts things (make install-strip strips the programs).
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
PACKAGE = tf
DOCDIR = $(PREFIX)/share/doc/$(PACKAGE)
EXAMPLESDIR = $(DOCDIR)/examples
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
DESTDIR =
INSTALL = install
INSTALL_PROGRAM = $(INSTALL) -m 755
INSTALL_DATA = $(INSTALL) -m 644
STRIP = strip

CC = cc
AR = ar
O = build
PKG_CONFIG = pkg-config

CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=

WARN = -pedantic -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
	-Wwrite-strings -Wvla -Wcast-qual -Wundef -Wdeclaration-after-statement
WERROR =

# Include paths and libraries, from pkg-config when it knows them.
pkg = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null || echo $(3))
PKG_CFLAGS := $(call pkg,--cflags,libxml-2.0 libpcap zlib libcrypto \
	libbrotlidec libzstd libnghttp2,-I/usr/include/libxml2)
PCAP_LIBS := $(call pkg,--libs,libpcap,-lpcap)
XML_LIBS := $(call pkg,--libs,libxml-2.0,-lxml2)
CRYPTO_LIBS := $(call pkg,--libs,libcrypto,-lcrypto)
Z_LIBS := $(call pkg,--libs,zlib,-lz)
BROTLI_LIBS := $(call pkg,--libs,libbrotlidec,-lbrotlidec)
BROTLIENC_LIBS := $(call pkg,--libs,libbrotlienc,-lbrotlienc)
ZSTD_LIBS := $(call pkg,--libs,libzstd,-lzstd)
# lib/h2: HTTP/2 header blocks (HPACK), linked wherever lib/http is.
NGHTTP2_LIBS := $(call pkg,--libs,libnghttp2,-lnghttp2)
# lib/hdec: one library per row of its coding table.
HDEC_LIBS = $(Z_LIBS) $(BROTLI_LIBS) $(ZSTD_LIBS)
HTTP_LIBS = $(HDEC_LIBS) $(CRYPTO_LIBS) $(NGHTTP2_LIBS)
REPORT_LIBS = $(XML_LIBS) $(CRYPTO_LIBS) $(HDEC_LIBS) $(NGHTTP2_LIBS)

TF_CPPFLAGS = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_FILE_OFFSET_BITS=64 \
	-DTF_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_CPPFLAGS = $(TF_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c99 $(WARN) $(WERROR) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

PROGS = tf-reassemble tf-split tf-cat tf-report tf-http tf-merge tf-tls
# What make install installs, besides the programs and manual pages.
EXAMPLES = $(sort $(wildcard examples/*.sh examples/*.c examples/*.pcap \
	examples/*.pcap[0-9] examples/*.png examples/*.keys))
DOCS = README.md NEWS
COMPLETION = completion/tf.bash
LIBSRC = $(wildcard lib/*.c)
LIBHDR = $(wildcard lib/*.h)
LIBOBJ = $(LIBSRC:%.c=$(O)/%.o)
LIB = $(O)/libtf.a
BINS = $(PROGS:%=$(O)/bin/%)
TESTBINS = $(O)/bin/pktgen $(O)/bin/mkstream $(O)/bin/pktdump \
	$(O)/bin/pkt_test $(O)/bin/core_test $(O)/bin/tf-bytes \
	$(O)/bin/tlscrypt_test
BENCHBINS = $(O)/bin/pcaploop $(O)/bin/filefloor
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)

# Debian packages: what the build (and make demo) needs, what the tests
# need on top, what make analyze and make deb need.  debian/control
# (Build-Depends) and debian/tests/control (Depends) keep in step.
BUILD_DEPS = build-essential pkg-config libpcap-dev zlib1g-dev libxml2-dev \
	libbsd-dev \
	libssl-dev libbrotli-dev libzstd-dev libxml2-utils libnghttp2-dev
CHECK_DEPS = clang bats mandoc tcpflow tcpdump tshark jq wireshark-common iproute2 \
	python3 xz-utils time xxd clang-format chromium parallel openssl strace
ANALYZE_DEPS = clang-tools cppcheck python3
DEB_DEPS = debhelper dpkg-dev fakeroot lintian
DEPS = $(BUILD_DEPS) $(CHECK_DEPS) $(ANALYZE_DEPS)

# The ASan+UBSan build of make test and make check-asan.
ASAN_O = $(O)-asan

all: $(BINS) $(TESTBINS)

# The programs alone (debian/rules).
progs: $(BINS)

# The test programs alone, for a suite run against installed programs
# (TF_BINDIR=/usr/bin TF_BIN=$(O)/bin: debian/tests).
testbins: $(TESTBINS)

# The objects that hold the version are rebuilt when it changes.
$(O)/version: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(VERSION)' ] || echo '$(VERSION)' >$@
$(O)/lib/xutil.o $(O)/lib/summary.o $(O)/cmd/tf-reassemble.o \
	$(O)/cmd/tf-report.o: $(O)/version
FORCE:

print-version:
	@echo '$(VERSION)'

$(O)/lib/%.o: lib/%.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/cmd/%.o: cmd/%.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Ilib $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/%.o: tests/%.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Ilib $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIBOBJ)
	rm -f $@
	$(AR) -rc $@ $(LIBOBJ)

$(O)/bin/tf-reassemble: $(O)/cmd/tf-reassemble.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-reassemble.o $(LIB) $(PCAP_LIBS)

$(O)/bin/tf-split: $(O)/cmd/tf-split.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-split.o $(LIB)

$(O)/bin/tf-merge: $(O)/cmd/tf-merge.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-merge.o $(LIB)

$(O)/bin/tf-cat: $(O)/cmd/tf-cat.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-cat.o $(LIB)

$(O)/bin/tf-report: $(O)/cmd/tf-report.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-report.o $(LIB) $(REPORT_LIBS)

$(O)/bin/tf-http: $(O)/cmd/tf-http.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-http.o $(LIB) $(HTTP_LIBS)

$(O)/bin/tf-tls: $(O)/cmd/tf-tls.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-tls.o $(LIB) $(CRYPTO_LIBS)

# The example filter of README's "How to write a filter".
$(O)/examples/%.o: examples/%.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Ilib $(ALL_CFLAGS) -c -o $@ $<

$(O)/bin/tf-bytes: $(O)/examples/tf-bytes.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/examples/tf-bytes.o $(LIB)

$(O)/bin/pktgen: $(O)/tests/pktgen.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/pktgen.o

$(O)/bin/mkstream: $(O)/tests/mkstream.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/mkstream.o $(LIB)

$(O)/bin/pktdump: $(O)/tests/pktdump.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/pktdump.o $(LIB) $(PCAP_LIBS)

$(O)/bin/pkt_test: $(O)/tests/unit/pkt_test.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/unit/pkt_test.o $(LIB)

$(O)/bin/core_test: $(O)/tests/unit/core_test.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/unit/core_test.o $(LIB) $(CRYPTO_LIBS) \
	    $(NGHTTP2_LIBS)

$(O)/bin/tlscrypt_test: $(O)/tests/unit/tlscrypt_test.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/unit/tlscrypt_test.o $(LIB) $(CRYPTO_LIBS)

$(O)/bin/pcaploop: $(O)/tests/pcaploop.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/pcaploop.o $(LIB) $(PCAP_LIBS)

$(O)/bin/filefloor: $(O)/tests/filefloor.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/filefloor.o

# deps: install what is missing with apt-get when root, else say how;
# demo-deps: what the build and examples/demo.sh need; analyze-deps,
# deb-deps: what make analyze, make deb need.  These are the only
# targets that call apt-get: make check, make check-full and make demo
# run one first, make test and the rest never do.
deps demo-deps analyze-deps deb-deps:
	@case $@ in \
	deps) pkgs='$(DEPS)' ;; \
	demo-deps) pkgs='$(BUILD_DEPS)' ;; \
	analyze-deps) pkgs='$(ANALYZE_DEPS)' ;; \
	deb-deps) pkgs='$(BUILD_DEPS) $(DEB_DEPS)' ;; \
	esac; \
	missing=; for p in $$pkgs; do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			    apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "missing packages; run as root:"; \
			echo "  apt-get install$$missing"; exit 1; \
		fi; \
	fi

demo: demo-deps all
	sh examples/demo.sh $(O)/bin

# examples/summary.png, the README's picture of tf-report -t html: the
# demo's page as headless chromium draws it.
screenshot: all
	rm -rf $(O)/screenshot
	sh examples/demo.sh $(O)/bin $(O)/screenshot >/dev/null
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --user-data-dir=$(abspath $(O))/screenshot/chromium \
	    --window-size=1000,1500 \
	    --screenshot=$(CURDIR)/examples/summary.png \
	    file://$(abspath $(O))/screenshot/summary.html

# check: the dependencies, then the tests.  test: the plain and the
# ASan+UBSan builds, the suite on each side by side; no apt-get, no
# network.  TF_FULL=1 (make check-full, make test-full) tries every cut
# in tests/faults.bats, where make test strides through them.
TF_FULL ?=
check: deps
	$(MAKE) test

check-full: deps
	$(MAKE) TF_FULL=1 test

test-full:
	$(MAKE) TF_FULL=1 test

# (Both builds with -j2: make check is meant for two cores.)
test:
	$(MAKE) -j2 all
	$(MAKE) -j2 O=$(ASAN_O) EXTRA_CFLAGS='$(SANFLAGS)' EXTRA_LDFLAGS='$(SANFLAGS)' all
	TF_FULL='$(TF_FULL)' sh tests/run.sh $(O)/bin $(ASAN_O)/bin

check-asan: deps
	$(MAKE) test-asan

test-asan:
	$(MAKE) O=$(ASAN_O) EXTRA_CFLAGS='$(SANFLAGS)' EXTRA_LDFLAGS='$(SANFLAGS)' all
	TF_FULL='$(TF_FULL)' sh tests/run.sh $(ASAN_O)/bin

# bench: speed and memory against tcpflow and the floors (README).
bench: $(BINS) $(TESTBINS) $(BENCHBINS)
	sh tests/bench.sh $(O)/bin

# bench-tls: make bench's tls section alone (tests/bench.sh; as root it
# makes its capture with tests/mktlsbulk.sh).
bench-tls: $(BINS) $(TESTBINS)
	BENCH_ONLY=tls sh tests/bench.sh $(O)/bin

# bench-hostile: make bench's hostile section alone (tests/bench.sh).
bench-hostile: $(BINS) $(TESTBINS)
	BENCH_ONLY=hostile sh tests/bench.sh $(O)/bin

# fuzz: libFuzzer targets, built with clang into build-fuzz/ (the lib
# instrumented, ASan+UBSan): fuzz_capture (a whole pcap or pcapng file
# through libpcap or lib/pcapng, the packet decoder, TCP reassembly and
# the stream writer, as tf-reassemble), fuzz_pcapng (the pcapng block
# reader alone), fuzz_pkt (the packet decoder alone), fuzz_rec
# (the stream reader), fuzz_tmpl (name templates and outdir_unsafe),
# fuzz_http (HTTP parsing), fuzz_hdec (every content decoder), fuzz_jsonobj,
# fuzz_report (the DFXML report) and fuzz_ws (WebSocket frames and
# permessage-deflate), fuzz_keylog (the NSS key log loader of
# lib/tlscrypt) and fuzz_tls (tf-tls's record layer, handshake parsers
# and decryption, lib/tls).  Seeds come from tests/data, pktgen
# and ../shared/pcaps/tcpdump when it exists; each target runs
# FUZZ_SECONDS and any finding fails (tests/fuzz/run.sh).
FUZZ_SECONDS = 30
FUZZFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# Holes hash quickly in fuzz_report (lib/report.h).
FUZZDEFS = -DREPORT_MAX_ZEROS=65536
FUZZBINS = build-fuzz/bin/fuzz_capture build-fuzz/bin/fuzz_pkt \
	build-fuzz/bin/fuzz_rec build-fuzz/bin/fuzz_tmpl \
	build-fuzz/bin/fuzz_http build-fuzz/bin/fuzz_hdec \
	build-fuzz/bin/fuzz_jsonobj build-fuzz/bin/fuzz_report \
	build-fuzz/bin/fuzz_pcapng build-fuzz/bin/fuzz_tls build-fuzz/bin/fuzz_h2 \
	build-fuzz/bin/fuzz_ws build-fuzz/bin/fuzz_keylog

fuzz: $(O)/bin/pktgen $(O)/bin/pcap2seed $(O)/bin/hdecseed \
    $(O)/bin/tf-reassemble $(O)/bin/tf-http $(O)/bin/tf-cat $(O)/bin/tf-split
	$(MAKE) O=build-fuzz CC=clang CFLAGS='-g -O1' \
	    EXTRA_CFLAGS='$(FUZZFLAGS) $(FUZZDEFS) -fsanitize=fuzzer-no-link' \
	    EXTRA_LDFLAGS='$(FUZZFLAGS) -fsanitize=fuzzer' $(FUZZBINS)
	sh tests/fuzz/run.sh build-fuzz $(O)/bin $(FUZZ_SECONDS)

$(O)/bin/fuzz_capture: $(O)/tests/fuzz/fuzz_capture.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PCAP_LIBS)

# fuzz_http and fuzz_h2 share their harness (tests/fuzz/fzhttp.c).
$(O)/bin/fuzz_http: $(O)/tests/fuzz/fuzz_http.o $(O)/tests/fuzz/fzhttp.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/tests/fuzz/fzhttp.o $(LIB) \
	    $(HDEC_LIBS) $(NGHTTP2_LIBS)

$(O)/bin/fuzz_h2: $(O)/tests/fuzz/fuzz_h2.o $(O)/tests/fuzz/fzhttp.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/tests/fuzz/fzhttp.o $(LIB) \
	    $(NGHTTP2_LIBS)

$(O)/tests/fuzz/fuzz_http.o $(O)/tests/fuzz/fuzz_h2.o \
$(O)/tests/fuzz/fzhttp.o: tests/fuzz/fzhttp.h

$(O)/bin/fuzz_hdec: $(O)/tests/fuzz/fuzz_hdec.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(HDEC_LIBS)

$(O)/bin/fuzz_ws: $(O)/tests/fuzz/fuzz_ws.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(Z_LIBS) $(CRYPTO_LIBS)

$(O)/bin/fuzz_report: $(O)/tests/fuzz/fuzz_report.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(REPORT_LIBS)

$(O)/bin/fuzz_tls: $(O)/tests/fuzz/fuzz_tls.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CRYPTO_LIBS)

$(O)/bin/fuzz_keylog: $(O)/tests/fuzz/fuzz_keylog.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CRYPTO_LIBS)

$(O)/bin/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB)

$(O)/bin/pcap2seed: $(O)/tests/fuzz/pcap2seed.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/pcap2seed.o $(PCAP_LIBS)

$(O)/bin/hdecseed: $(O)/tests/fuzz/hdecseed.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/hdecseed.o $(Z_LIBS) \
	    $(BROTLIENC_LIBS) $(ZSTD_LIBS)

# The C sources, for the formatter: .clang-format is KNF as the style
# guide gives it; clang-format's output is the tree's form.
CSRC = $(wildcard cmd/*.c lib/*.c lib/*.h tests/*.c tests/unit/*.c \
	tests/fuzz/*.c examples/*.c)

lint: format-check spdx-check
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN7)

format:
	clang-format -i $(CSRC)

format-check:
	clang-format --dry-run -Werror $(CSRC)

# install: the programs, the manual pages, README and NEWS, the examples
# (share/doc/$(PACKAGE)/examples) and the bash completion (one file, named
# for tf-reassemble, the other programs' names linked to it, as
# bash-completion loads a command's completion by its name).  uninstall
# removes exactly those, and the directories of $(DOCDIR) when that
# leaves them empty.  tests/install.bats holds both to the list.
install: $(BINS)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7 \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL_PROGRAM) $(BINS) $(DESTDIR)$(BINDIR)
	$(INSTALL_DATA) $(MAN1) $(DESTDIR)$(MANPREFIX)/man1
	$(INSTALL_DATA) $(MAN5) $(DESTDIR)$(MANPREFIX)/man5
	$(INSTALL_DATA) $(MAN7) $(DESTDIR)$(MANPREFIX)/man7
	$(INSTALL_DATA) $(DOCS) $(DESTDIR)$(DOCDIR)
	$(INSTALL_DATA) $(EXAMPLES) $(DESTDIR)$(EXAMPLESDIR)
	$(INSTALL_DATA) $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/tf-reassemble
	for p in $(filter-out tf-reassemble,$(PROGS)); do \
		ln -sf tf-reassemble $(DESTDIR)$(BASHCOMPDIR)/$$p || exit 1; \
	done

install-strip: INSTALL_PROGRAM = $(INSTALL) -m 755 -s --strip-program=$(STRIP)
install-strip: install

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANPREFIX)/man1/%)
	rm -f $(MAN5:man/%=$(DESTDIR)$(MANPREFIX)/man5/%)
	rm -f $(MAN7:man/%=$(DESTDIR)$(MANPREFIX)/man7/%)
	rm -f $(DOCS:%=$(DESTDIR)$(DOCDIR)/%)
	rm -f $(EXAMPLES:examples/%=$(DESTDIR)$(EXAMPLESDIR)/%)
	rm -f $(PROGS:%=$(DESTDIR)$(BASHCOMPDIR)/%)
	for d in $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(DOCDIR); do \
		[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || :; \
	done

# analyze: clang's static analyzer (scan-build) and cppcheck over lib/
# and cmd/ (tools/analyze.sh), each failing on any report.  The objects
# are compiled afresh in $(O)-analyze, since scan-build analyzes what it
# sees compiled.  tools/analyze.supp lists what is suppressed, each with
# its reason.  make analyze-deps installs both tools.
ANALYZE_O = $(O)-analyze
ANALYZE_OBJ = $(LIBSRC:%.c=$(ANALYZE_O)/%.o) \
	$(PROGS:%=$(ANALYZE_O)/cmd/%.o)
analyze: analyze-scan-build analyze-cppcheck

analyze-scan-build:
	sh tools/analyze.sh scan-build $(ANALYZE_O) O=$(ANALYZE_O) $(ANALYZE_OBJ)

analyze-cppcheck:
	sh tools/analyze.sh cppcheck $${TMPDIR:-/tmp}

# deb: the Debian package, tf-flowtools, built by dpkg-buildpackage into
# the parent directory, then checked by lintian.  Its build dependencies
# must be there (make deb-deps installs them); the build itself calls no
# apt-get and no network.
deb:
	dpkg-checkbuilddeps
	dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning ../tf-flowtools_$$(dpkg-parsechangelog -S Version)_$$(dpkg --print-architecture).changes

# spdx-check: every source file has its SPDX-License-Identifier line
# (tools/spdx adds the missing ones).
spdx-check:
	sh tools/spdx -c

clean:
	rm -rf build build-asan build-fuzz build-analyze

.PHONY: bench-hostile bench-tls all progs testbins deps demo-deps analyze-deps deb-deps demo check check-full \
	check-asan test test-full test-asan lint format format-check install \
	install-strip uninstall clean bench fuzz analyze analyze-scan-build \
	analyze-cppcheck deb spdx-check print-version screenshot FORCE
