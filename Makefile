# tf: reassemble TCP connections from captures, as Unix filters.
#
#   make            build the programs into $(O)/bin
#   make demo       install build dependencies, build, run the example
#   make check      install build dependencies, build, run the test suite,
#                   then run it again on an ASan+UBSan build
#   make bench      measure against tcpflow (see README)
#   make install PREFIX=/usr DESTDIR=/tmp/stage ; make uninstall

# Settings: override on the command line, e.g. make CC=clang O=build-clang.
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line
# are used as given (dpkg-buildflags' hardening among them); our warning
# flags and the include paths pkg-config gives come on top.
VERSION = 0.1.0

PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
DESTDIR =

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
	libbrotlidec libzstd,-I/usr/include/libxml2)
PCAP_LIBS := $(call pkg,--libs,libpcap,-lpcap)
XML_LIBS := $(call pkg,--libs,libxml-2.0,-lxml2)
CRYPTO_LIBS := $(call pkg,--libs,libcrypto,-lcrypto)
Z_LIBS := $(call pkg,--libs,zlib,-lz)
BROTLI_LIBS := $(call pkg,--libs,libbrotlidec,-lbrotlidec)
BROTLIENC_LIBS := $(call pkg,--libs,libbrotlienc,-lbrotlienc)
ZSTD_LIBS := $(call pkg,--libs,libzstd,-lzstd)
# lib/hdec: one library per row of its coding table.
HDEC_LIBS = $(Z_LIBS) $(BROTLI_LIBS) $(ZSTD_LIBS)
HTTP_LIBS = $(HDEC_LIBS) $(CRYPTO_LIBS)
REPORT_LIBS = $(XML_LIBS) $(CRYPTO_LIBS) $(HDEC_LIBS)

TF_CPPFLAGS = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_FILE_OFFSET_BITS=64 \
	-DTF_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_CPPFLAGS = $(TF_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c99 $(WARN) $(WERROR) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

PROGS = tf-reassemble tf-split tf-cat tf-report tf-http
LIBSRC = $(wildcard lib/*.c)
LIBHDR = $(wildcard lib/*.h)
LIBOBJ = $(LIBSRC:%.c=$(O)/%.o)
LIB = $(O)/libtf.a
BINS = $(PROGS:%=$(O)/bin/%)
TESTBINS = $(O)/bin/pktgen $(O)/bin/mkstream $(O)/bin/pktdump \
	$(O)/bin/pkt_test $(O)/bin/core_test $(O)/bin/tf-bytes
BENCHBINS = $(O)/bin/pcaploop $(O)/bin/filefloor
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)

# Debian packages: what the build (and make demo) needs, and what the
# tests need on top.
BUILD_DEPS = build-essential pkg-config libpcap-dev zlib1g-dev libxml2-dev \
	libssl-dev libbrotli-dev libzstd-dev libxml2-utils
CHECK_DEPS = clang bats mandoc tcpflow tcpdump tshark jq wireshark-common iproute2 \
	python3 xz-utils time xxd clang-format
DEPS = $(BUILD_DEPS) $(CHECK_DEPS)

all: $(BINS) $(TESTBINS)

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

$(O)/bin/tf-cat: $(O)/cmd/tf-cat.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-cat.o $(LIB)

$(O)/bin/tf-report: $(O)/cmd/tf-report.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-report.o $(LIB) $(REPORT_LIBS)

$(O)/bin/tf-http: $(O)/cmd/tf-http.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/cmd/tf-http.o $(LIB) $(HTTP_LIBS)

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
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/unit/core_test.o $(LIB) $(CRYPTO_LIBS)

$(O)/bin/pcaploop: $(O)/tests/pcaploop.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/pcaploop.o $(LIB) $(PCAP_LIBS)

$(O)/bin/filefloor: $(O)/tests/filefloor.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(O)/tests/filefloor.o

# deps: install what is missing with apt-get when root, else say how;
# demo-deps: what the build and examples/demo.sh need.
deps demo-deps:
	@pkgs='$(DEPS)'; [ $@ = demo-deps ] && pkgs='$(BUILD_DEPS)'; \
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

check: deps
	$(MAKE) all
	$(MAKE) O=build-asan EXTRA_CFLAGS='$(SANFLAGS)' EXTRA_LDFLAGS='$(SANFLAGS)' all
	sh tests/run.sh $(O)/bin build-asan/bin

check-asan: deps
	$(MAKE) O=build-asan EXTRA_CFLAGS='$(SANFLAGS)' EXTRA_LDFLAGS='$(SANFLAGS)' all
	sh tests/run.sh build-asan/bin

# bench: speed and memory against tcpflow and the floors (README).
bench: $(BINS) $(TESTBINS) $(BENCHBINS)
	sh tests/bench.sh $(O)/bin

# fuzz: libFuzzer targets, built with clang into build-fuzz/ (the lib
# instrumented, ASan+UBSan): fuzz_capture (a whole pcap or pcapng file
# through libpcap, the packet decoder, TCP reassembly and the stream
# writer, as tf-reassemble), fuzz_pkt (the packet decoder alone), fuzz_rec
# (the stream reader), fuzz_tmpl (name templates and outdir_unsafe),
# fuzz_http (HTTP parsing), fuzz_hdec (every content decoder), fuzz_jsonobj
# and fuzz_report (the DFXML report).  Seeds come from tests/data, pktgen
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
	build-fuzz/bin/fuzz_jsonobj build-fuzz/bin/fuzz_report

fuzz: $(O)/bin/pktgen $(O)/bin/pcap2seed $(O)/bin/hdecseed \
    $(O)/bin/tf-reassemble $(O)/bin/tf-http $(O)/bin/tf-cat $(O)/bin/tf-split
	$(MAKE) O=build-fuzz CC=clang CFLAGS='-g -O1' \
	    EXTRA_CFLAGS='$(FUZZFLAGS) $(FUZZDEFS) -fsanitize=fuzzer-no-link' \
	    EXTRA_LDFLAGS='$(FUZZFLAGS) -fsanitize=fuzzer' $(FUZZBINS)
	sh tests/fuzz/run.sh build-fuzz $(O)/bin $(FUZZ_SECONDS)

$(O)/bin/fuzz_capture: $(O)/tests/fuzz/fuzz_capture.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PCAP_LIBS)

$(O)/bin/fuzz_http: $(O)/tests/fuzz/fuzz_http.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(HDEC_LIBS)

$(O)/bin/fuzz_hdec: $(O)/tests/fuzz/fuzz_hdec.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(HDEC_LIBS)

$(O)/bin/fuzz_report: $(O)/tests/fuzz/fuzz_report.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(REPORT_LIBS)

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

lint: format-check
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN7)

format:
	clang-format -i $(CSRC)

format-check:
	clang-format --dry-run -Werror $(CSRC)

install: $(BINS)
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7
	for p in $(PROGS); do \
		cp -f $(O)/bin/$$p $(DESTDIR)$(PREFIX)/bin/$$p && \
		chmod 755 $(DESTDIR)$(PREFIX)/bin/$$p || exit 1; \
	done
	for m in $(MAN1); do \
		cp -f $$m $(DESTDIR)$(MANPREFIX)/man1/ && \
		chmod 644 $(DESTDIR)$(MANPREFIX)/man1/$${m#man/} || exit 1; \
	done
	for m in $(MAN5); do \
		cp -f $$m $(DESTDIR)$(MANPREFIX)/man5/ && \
		chmod 644 $(DESTDIR)$(MANPREFIX)/man5/$${m#man/} || exit 1; \
	done
	for m in $(MAN7); do \
		cp -f $$m $(DESTDIR)$(MANPREFIX)/man7/ && \
		chmod 644 $(DESTDIR)$(MANPREFIX)/man7/$${m#man/} || exit 1; \
	done

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$p; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m#man/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${m#man/}; done
	for m in $(MAN7); do rm -f $(DESTDIR)$(MANPREFIX)/man7/$${m#man/}; done

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all deps demo-deps demo check check-asan lint format format-check install \
	uninstall clean bench fuzz
