# tf build settings.  Override on the command line: make CC=clang O=build-clang
VERSION = 0.1.0

PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
DESTDIR =

CC = cc
AR = ar
O = build

CPPFLAGS = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_FILE_OFFSET_BITS=64 \
	-DTF_VERSION='"$(VERSION)"' -I/usr/include/libxml2
WARN = -pedantic -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
	-Wwrite-strings -Wvla -Wcast-qual -Wundef -Wdeclaration-after-statement
WERROR =
OPT = -O2 -g
CFLAGS = -std=c99 $(OPT) $(WARN) $(WERROR) $(EXTRA_CFLAGS)
LDFLAGS = $(EXTRA_LDFLAGS)

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

PCAP_LIBS = -lpcap
