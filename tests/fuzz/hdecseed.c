/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdecseed: makes a seed input for fuzz_hdec (the format is in the top
 * comment of fuzz_hdec.c): standard input coded with the content codings
 * of entry index of fuzz_hdec's table, in the order listed.  Used by
 * tests/fuzz/run.sh.
 *
 *	hdecseed [-cr] [-p bits] index <plain >seed
 *
 * -c sets the tiny-cap bit of byte 0; -r makes deflate raw (RFC 1951)
 * rather than zlib-wrapped; -p sets the piece-size bits of byte 0 (0-7,
 * default 7: all at once).  Exits 0, 1
 * on errors, 2 on usage errors.
 */
#include <ctype.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

/* fuzz_hdec.c's cenc[], in its order. */
static const char *const cenc[16] = {"gzip", "x-gzip", "deflate", "br", "zstd",
    "identity", "gzip, gzip", "deflate, br", "br, zstd", "zstd, gzip",
    "GZip , identity,,", "gzip, deflate, br, zstd", "deflate, deflate",
    "x-gzip, br", "zstd, zstd", "br, br, gzip, identity, deflate"};

static void
usage(void)
{
	fprintf(stderr, "usage: hdecseed [-cr] [-p bits] index <plain >seed\n");
	exit(2);
}

/* Returns s as a number from 0 to max, or exits through usage(). */
static int
num(const char *s, long max)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > max)
		usage();
	return (int)v;
}

/* Codes *p (*n bytes) with zlib at window bits wbits; replaces *p. */
static void
zcode(uint8_t **p, size_t *n, int wbits)
{
	z_stream z;
	uLong max;
	uint8_t *out;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		errx(1, "deflateInit2");
	max = deflateBound(&z, (uLong)*n) + 32;
	if ((out = malloc(max)) == NULL)
		err(1, NULL);
	z.next_in = *p;
	z.avail_in = (uInt)*n;
	z.next_out = out;
	z.avail_out = (uInt)max;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		errx(1, "deflate");
	free(*p);
	*p = out;
	*n = max - z.avail_out;
	(void)deflateEnd(&z);
}

static void
brcode(uint8_t **p, size_t *n)
{
	size_t max = BrotliEncoderMaxCompressedSize(*n) + 16;
	uint8_t *out;

	if ((out = malloc(max)) == NULL)
		err(1, NULL);
	if (!BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY,
	        BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, *n, *p, &max, out))
		errx(1, "brotli");
	free(*p);
	*p = out;
	*n = max;
}

static void
zstdcode(uint8_t **p, size_t *n)
{
	size_t max = ZSTD_compressBound(*n), r;
	uint8_t *out;

	if ((out = malloc(max)) == NULL)
		err(1, NULL);
	r = ZSTD_compress(out, max, *p, *n, 3);
	if (ZSTD_isError(r))
		errx(1, "zstd: %s", ZSTD_getErrorName(r));
	free(*p);
	*p = out;
	*n = r;
}

int
main(int argc, char *argv[])
{
	const char *s, *e;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, len, i;
	char name[16];
	int c, raw = 0, bits = 7, caps = 0, idx;

	while ((c = getopt(argc, argv, "cp:r")) != -1) {
		switch (c) {
		case 'c':
			caps = 0x10;
			break;
		case 'p':
			bits = num(optarg, 7);
			break;
		case 'r':
			raw = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	idx = num(argv[optind], 15);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				err(1, NULL);
		}
		if ((len = fread(buf + n, 1, cap - n, stdin)) == 0)
			break;
		n += len;
	}
	if (ferror(stdin))
		err(1, "standard input");
	for (s = cenc[idx]; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		while (s < e && *s == ' ')
			s++;
		for (len = 0;
		     s + len < e && s[len] != ' ' && len < sizeof(name) - 1;
		     len++)
			name[len] = (char)tolower((unsigned char)s[len]);
		name[len] = '\0';
		if (strcmp(name, "gzip") == 0 || strcmp(name, "x-gzip") == 0)
			zcode(&buf, &n, 31);
		else if (strcmp(name, "deflate") == 0)
			zcode(&buf, &n, raw ? -15 : 15);
		else if (strcmp(name, "br") == 0)
			brcode(&buf, &n);
		else if (strcmp(name, "zstd") == 0)
			zstdcode(&buf, &n);
	}
	if (putchar(idx | caps | bits << 5) == EOF)
		err(1, "standard output");
	for (i = 0; i < n; i += len)
		if ((len = fwrite(buf + i, 1, n - i, stdout)) == 0)
			err(1, "standard output");
	free(buf);
	if (fflush(stdout) != 0)
		err(1, "standard output");
	return 0;
}
