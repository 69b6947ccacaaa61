/*
 * Streaming decoder for HTTP content codings, on zlib, libbrotlidec and
 * libzstd.  See hdec.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include "hdec.h"
#include "tferr.h"

#define ZSTD_HDR_MAX	18	/* magic number and the largest frame header */

static int
fail(struct hdec *h, int e, const char *why)
{
	if (h->err == 0) {
		h->err = e;
		h->why = why;
	}
	return h->err;
}

/* Gives decoded bytes to the sink, within the caps. */
static int
emit(struct hdec *h, const uint8_t *p, size_t n)
{
	if (h->maxout != 0 && n > h->maxout - h->out) {
		n = (size_t)(h->maxout - h->out);
		if (n > 0)
			h->sink(h->arg, p, n);
		h->out += n;
		return fail(h, TF_ERR_LIMIT, "decoded size limit reached");
	}
	if (n > 0)
		h->sink(h->arg, p, n);
	h->out += n;
	if (h->maxratio != 0 && h->out > HDEC_RATIO_FLOOR &&
	    h->out / h->maxratio > h->in)
		return fail(h, TF_ERR_LIMIT, "decompression ratio limit "
		    "reached");
	return 0;
}

static int feed(struct hdec *, size_t, const uint8_t *, size_t);

static int
next(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	return i + 1 == h->n ? emit(h, p, n) : feed(h, i + 1, p, n);
}

static int
zstart(struct hdec *h, struct hdec_stage *s, int wbits)
{
	z_stream *z;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return fail(h, TF_ERR_NOMEM, "out of memory");
	if (inflateInit2(z, wbits) != Z_OK) {
		free(z);
		return fail(h, TF_ERR_NOMEM, "out of memory");
	}
	s->st = z;
	s->started = 1;
	return 0;
}

static int
zfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	z_stream *z = s->st;
	uint8_t buf[HDEC_BUFLEN];
	uint64_t base = h->in;
	size_t got;
	int r, e;

	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = (uInt)n;
	for (;;) {
		/*
		 * gzip allows several members: after one, zlib reads on; if
		 * the next two bytes, however they are cut, are not a gzip
		 * magic number, they and the rest are ignored, as after the
		 * end of other codings.
		 */
		if (s->ended) {
			if (s->kind != HDEC_GZIP || s->junk || z->avail_in == 0)
				return 0;
			(void)inflateReset(z);
			s->ended = 0;
			s->next = 1;
		}
		z->next_out = buf;
		z->avail_out = sizeof(buf);
		r = inflate(z, Z_NO_FLUSH);
		got = sizeof(buf) - z->avail_out;
		if (i == 0)
			h->in = base + (n - z->avail_in);
		if (s->next && r == Z_DATA_ERROR && z->total_in <= 2) {
			s->ended = s->junk = 1;
			return 0;
		}
		if (z->total_in >= 2)
			s->next = 0;
		if ((e = next(h, i, buf, got)) < 0)
			return e;
		if (r == Z_STREAM_END) {
			s->ended = 1;
			continue;
		}
		if (r == Z_BUF_ERROR)
			return 0;
		if (r != Z_OK)
			return fail(h, TF_ERR_MALFORMED, s->kind == HDEC_GZIP ?
			    "corrupt gzip data" : "corrupt deflate data");
		if (z->avail_in == 0 && got < sizeof(buf))
			return 0;
	}
}

static int
brfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	uint8_t buf[HDEC_BUFLEN], *out;
	size_t avin = n, avout, got;
	uint64_t base = h->in;
	BrotliDecoderResult r;
	int e;

	if (s->ended)
		return 0;
	do {
		out = buf;
		avout = sizeof(buf);
		r = BrotliDecoderDecompressStream(s->st, &avin, &p, &avout,
		    &out, NULL);
		got = sizeof(buf) - avout;
		if (i == 0)
			h->in = base + (n - avin);
		if ((e = next(h, i, buf, got)) < 0)
			return e;
		if (r == BROTLI_DECODER_RESULT_ERROR)
			return fail(h, TF_ERR_MALFORMED, "corrupt brotli data");
		if (r == BROTLI_DECODER_RESULT_SUCCESS)
			s->ended = 1;
	} while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT);
	return 0;
}

static int
zstdfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	uint8_t buf[HDEC_BUFLEN];
	ZSTD_inBuffer in = { p, n, 0 };
	ZSTD_outBuffer out;
	uint64_t base = h->in;
	size_t r, pos;
	int e;

	do {
		/*
		 * libzstd decodes a legacy frame (not RFC 8878) if a call
		 * begins with a legacy magic number while it reads a frame
		 * header, so whether it did depended on how the body was cut.
		 * Give it the header (at most ZSTD_HDR_MAX bytes, RFC 8878
		 * 3.1.1) 3 bytes at a time: never.  s->nhdr counts the bytes
		 * of the frame given so far.
		 */
		in.size = n;
		if (s->nhdr < ZSTD_HDR_MAX && n - in.pos > 3)
			in.size = in.pos + 3;
		pos = in.pos;
		out.dst = buf;
		out.size = sizeof(buf);
		out.pos = 0;
		r = ZSTD_decompressStream(s->st, &out, &in);
		if (ZSTD_isError(r))
			return fail(h, TF_ERR_MALFORMED, "corrupt zstd data");
		s->nhdr = r == 0 ? 0 : s->nhdr + (in.pos - pos);
		if (i == 0)
			h->in = base + in.pos;
		if ((e = next(h, i, buf, out.pos)) < 0)
			return e;
		s->ended = r == 0;
	} while (in.pos < n || out.pos == out.size);
	return 0;
}

/*
 * Whether two bytes start a zlib stream (RFC 1950 2.2): CM 8, a window of
 * at most 32 KiB, FCHECK right.  Raw deflate (RFC 1951 3.2.3) cannot
 * start so: a fixed or dynamic block sets bit 1 or 2 of the first byte,
 * and a stored one has zero padding where bit 3 would have to be set.
 */
static int
is_zlib(const uint8_t *b)
{
	return (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 &&
	    ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
}

static int
feed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	int e;

	switch (s->kind) {
	case HDEC_GZIP:
		return zfeed(h, i, p, n);
	case HDEC_DEFLATE:
		if (!s->started) {
			while (n > 0 && s->nhdr < 2) {
				s->hdr[s->nhdr++] = *p++;
				n--;
			}
			if (s->nhdr < 2)
				return 0;
			if ((e = zstart(h, s, is_zlib(s->hdr) ? 15 : -15)) < 0)
				return e;
			if ((e = zfeed(h, i, s->hdr, 2)) < 0 || n == 0)
				return e;
		}
		return zfeed(h, i, p, n);
	case HDEC_BR:
		return brfeed(h, i, p, n);
	case HDEC_ZSTD:
		return zstdfeed(h, i, p, n);
	}
	return 0;
}

static int
coding_is(const char *p, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int ch = (unsigned char)p[i];

		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		if (ch != name[i])
			return 0;
	}
	return 1;
}

int
hdec_init(struct hdec *h, const char *cenc, uint64_t maxout,
    uint64_t maxratio, void (*sink)(void *, const uint8_t *, size_t),
    void *arg)
{
	int kinds[HDEC_MAXSTAGES], kind;
	size_t nk = 0, i, len;
	const char *p, *e;
	struct hdec_stage *s;

	memset(h, 0, sizeof(*h));
	h->maxout = maxout;
	h->maxratio = maxratio;
	h->sink = sink;
	h->arg = arg;
	for (p = cenc; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || coding_is(p, len, "identity"))
			continue;
		if (coding_is(p, len, "gzip") || coding_is(p, len, "x-gzip"))
			kind = HDEC_GZIP;
		else if (coding_is(p, len, "deflate"))
			kind = HDEC_DEFLATE;
		else if (coding_is(p, len, "br"))
			kind = HDEC_BR;
		else if (coding_is(p, len, "zstd"))
			kind = HDEC_ZSTD;
		else
			return fail(h, TF_ERR_UNSUPPORTED, "unknown content "
			    "coding");
		if (nk == HDEC_MAXSTAGES)
			return fail(h, TF_ERR_LIMIT, "too many content codings");
		kinds[nk++] = kind;
	}
	/* Codings are listed in the order applied: decode the last first. */
	for (i = 0; i < nk; i++) {
		s = &h->s[i];
		s->kind = kinds[nk - 1 - i];
		h->n = i + 1;
		switch (s->kind) {
		case HDEC_GZIP:
			if (zstart(h, s, 16 + 15) < 0)
				return h->err;
			break;
		case HDEC_BR:
			if ((s->st = BrotliDecoderCreateInstance(NULL, NULL,
			    NULL)) == NULL)
				return fail(h, TF_ERR_NOMEM, "out of memory");
			break;
		case HDEC_ZSTD:
			if ((s->st = ZSTD_createDStream()) == NULL)
				return fail(h, TF_ERR_NOMEM, "out of memory");
			(void)ZSTD_initDStream(s->st);
			break;
		}
	}
	return 0;
}

int
hdec_write(struct hdec *h, const uint8_t *p, size_t n)
{
	if (h->err != 0)
		return h->err;
	if (h->n == 0) {
		h->in += n;
		return emit(h, p, n);
	}
	/*
	 * The first decoder counts in h->in what it has consumed, as it
	 * goes: counting all n bytes at once would let a bomb that comes in
	 * one large piece decode n times the ratio before the ratio is
	 * checked.
	 */
	return feed(h, 0, p, n);
}

int
hdec_finish(struct hdec *h)
{
	struct hdec_stage *s;
	size_t i;
	int e;

	if (h->err != 0)
		return h->err;
	for (i = 0; i < h->n; i++) {
		s = &h->s[i];
		if (s->kind == HDEC_DEFLATE && !s->started && s->nhdr > 0) {
			if ((e = zstart(h, s, -15)) < 0 ||
			    (e = zfeed(h, i, s->hdr, s->nhdr)) < 0)
				return e;
		}
		/* One byte after a gzip member is not another member. */
		if (!s->ended && !s->next)
			return fail(h, TF_ERR_TRUNCATED, "coded data cut "
			    "short");
	}
	return 0;
}

void
hdec_release(struct hdec *h)
{
	struct hdec_stage *s;
	size_t i;

	for (i = 0; i < h->n; i++) {
		s = &h->s[i];
		if (s->st == NULL)
			continue;
		switch (s->kind) {
		case HDEC_GZIP:
		case HDEC_DEFLATE:
			(void)inflateEnd(s->st);
			free(s->st);
			break;
		case HDEC_BR:
			BrotliDecoderDestroyInstance(s->st);
			break;
		case HDEC_ZSTD:
			ZSTD_freeDStream(s->st);
			break;
		}
		s->st = NULL;
	}
	h->n = 0;
}

const char *
hdec_suffix(const struct hdec *h)
{
	if (h->n == 0)
		return "";
	switch (h->s[0].kind) {
	case HDEC_GZIP:
		return ".gz";
	case HDEC_DEFLATE:
		return ".deflate";
	case HDEC_BR:
		return ".br";
	case HDEC_ZSTD:
		return ".zst";
	}
	return "";
}
