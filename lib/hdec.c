/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Streaming decoder for HTTP content codings, on zlib, libbrotlidec and
 * libzstd.  See hdec.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDStream_advanced */
#include <zstd.h>
#include <zstd_errors.h>

#include "hdec.h"
#include "tferr.h"

#define ZSTD_HDR_MAX 18 /* magic number and the largest frame header */
#define ALLOC_HDR 16    /* before each allocation: its size; keeps alignment */

enum { LIB_ZLIB = 0, LIB_ZSTD, LIB_BROTLI };

/*
 * A library's decoding context, with what it holds: every allocation of
 * the library goes through alloc() and free_() with the context as the
 * opaque pointer, so that mem, and the pool's total, are exact.
 */
struct hdec_ctx {
	struct hdec_pool *pool;
	struct hdec *owner; /* the decoder using it; NULL when idle */
	int lib;
	void *st;              /* brotli's or zstd's state */
	z_stream z;            /* zlib's */
	size_t mem;            /* bytes held, this struct in */
	struct hdec_ctx *next; /* the idle list */
};

static void ctx_destroy(struct hdec_ctx *);
static int fail(struct hdec *, int, const char *);
static void stages_put(struct hdec *, int);

static void
lru_remove(struct hdec *h)
{
	struct hdec_pool *p = h->pool;

	if (!h->inlru)
		return;
	*(h->lprev != NULL ? &h->lprev->lnext : &p->lhead) = h->lnext;
	*(h->lnext != NULL ? &h->lnext->lprev : &p->ltail) = h->lprev;
	h->lprev = h->lnext = NULL;
	h->inlru = 0;
}

static void
lru_front(struct hdec *h)
{
	struct hdec_pool *p = h->pool;

	if (p == NULL || p->lhead == h)
		return;
	lru_remove(h);
	h->lnext = p->lhead;
	*(p->lhead != NULL ? &p->lhead->lprev : &p->ltail) = h;
	p->lhead = h;
	h->inlru = 1;
}

/* Stops h to free its memory for another body. */
static void
evict(struct hdec_pool *p, struct hdec *h)
{
	int was = h->err;

	stages_put(h, 0);
	lru_remove(h);
	if (h->err == 0) {
		h->err = TF_ERR_LIMIT;
		h->why = "decoder memory limit reached";
	}
	h->memory = 1;
	p->evicted++;
	if (was == 0 && p->evict != NULL)
		p->evict(p->arg, h);
}

/*
 * Makes room for n more bytes under p's cap, for owner: frees idle
 * contexts, then stops the decoders used least recently.  Returns 1 if
 * there is room.
 */
static int
room(struct hdec_pool *p, const struct hdec *owner, size_t n)
{
	struct hdec_ctx *x;
	struct hdec *v;
	int i;

	while (p->max != 0 && (n > p->max || p->used > p->max - n)) {
		for (i = 0, x = NULL; i < 2 && x == NULL; i++)
			if ((x = p->idle[i]) != NULL) {
				p->idle[i] = x->next;
				p->nidle[i]--;
			}
		if (x != NULL) {
			ctx_destroy(x);
			continue;
		}
		if ((v = p->ltail) == owner && v != NULL)
			v = v->lprev;
		if (v == NULL)
			return 0;
		evict(p, v);
	}
	return 1;
}

static void
count(struct hdec_ctx *x, size_t n)
{
	struct hdec_pool *p = x->pool;

	x->mem += n;
	if (p != NULL) {
		p->used += n;
		if (p->used > p->peak)
			p->peak = p->used;
	}
}

static void *
alloc(void *opaque, size_t n)
{
	struct hdec_ctx *x = opaque;
	uint8_t *b;

	if (n > SIZE_MAX - ALLOC_HDR)
		return NULL;
	n += ALLOC_HDR;
	if (x->pool != NULL && !room(x->pool, x->owner, n)) {
		x->pool->refused++;
		if (x->owner != NULL)
			x->owner->memory = 1;
		return NULL;
	}
	if ((b = malloc(n)) == NULL)
		return NULL;
	memcpy(b, &n, sizeof(n));
	count(x, n);
	return b + ALLOC_HDR;
}

static void
free_(void *opaque, void *a)
{
	struct hdec_ctx *x = opaque;
	uint8_t *b;
	size_t n;

	if (a == NULL)
		return;
	b = (uint8_t *)a - ALLOC_HDR;
	memcpy(&n, b, sizeof(n));
	x->mem -= n;
	if (x->pool != NULL)
		x->pool->used -= n;
	free(b);
}

static voidpf
zalloc(voidpf opaque, uInt items, uInt size)
{
	if (size != 0 && items > SIZE_MAX / size)
		return NULL;
	return alloc(opaque, (size_t)items * size);
}

static void
zfree(voidpf opaque, voidpf a)
{
	free_(opaque, a);
}

/* Frees x and what its library holds. */
static void
ctx_destroy(struct hdec_ctx *x)
{
	switch (x->lib) {
	case LIB_ZLIB:
		if (x->z.state != NULL)
			(void)inflateEnd(&x->z);
		break;
	case LIB_ZSTD:
		(void)ZSTD_freeDStream(x->st);
		break;
	case LIB_BROTLI:
		if (x->st != NULL)
			BrotliDecoderDestroyInstance(x->st);
		break;
	}
	if (x->pool != NULL)
		x->pool->used -= x->mem;
	free(x);
}

/*
 * Gives back the context of stage s: kept idle in the pool for another
 * body when keep says so and the library can be reset, else freed.
 */
static void
ctx_put(struct hdec_ctx *x, int keep)
{
	struct hdec_pool *p = x->pool;

	x->owner = NULL;
	if (keep && p != NULL && x->lib != LIB_BROTLI &&
	    (x->lib != LIB_ZLIB || x->z.state != NULL) &&
	    p->nidle[x->lib] < HDEC_IDLE_MAX &&
	    (p->max == 0 || p->used <= p->max)) {
		x->next = p->idle[x->lib];
		p->idle[x->lib] = x;
		p->nidle[x->lib]++;
		return;
	}
	ctx_destroy(x);
}

/* Gives back the contexts of every stage of h. */
static void
stages_put(struct hdec *h, int keep)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->s[i].st != NULL) {
			ctx_put(h->s[i].st, keep);
			h->s[i].st = NULL;
		}
}

/*
 * Returns a context of library lib for h: an idle one (the caller resets
 * it), or a new one, or NULL (no room, or no memory); *reused says which.
 */
static struct hdec_ctx *
ctx_get(struct hdec *h, int lib, int *reused)
{
	struct hdec_pool *p = h->pool;
	struct hdec_ctx *x;

	*reused = 0;
	if (p != NULL && lib != LIB_BROTLI && (x = p->idle[lib]) != NULL) {
		p->idle[lib] = x->next;
		p->nidle[lib]--;
		p->reused++;
		x->owner = h;
		*reused = 1;
		lru_front(h);
		return x;
	}
	if (p != NULL && !room(p, h, sizeof(*x))) {
		p->refused++;
		h->memory = 1;
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->pool = p;
	x->owner = h;
	x->lib = lib;
	count(x, sizeof(*x));
	if (p != NULL)
		p->made++;
	lru_front(h);
	return x;
}

/* A context could not be made: fails h for why. */
static int
nomem(struct hdec *h)
{
	if (h->memory)
		return fail(h, TF_ERR_LIMIT, "decoder memory limit reached");
	return fail(h, TF_ERR_NOMEM, "out of memory");
}

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
	if (n > 0)
		h->mark = h->stepin;
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
		return fail(h, TF_ERR_LIMIT,
		    "decompression ratio limit "
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

/*
 * How many of the n bytes left to stage i to give its library at once:
 * the outermost stage takes HDEC_STEP at a time, so that h->mark, where
 * the coded bytes not yet decoded begin, is never more than that before
 * the first of them.
 */
static size_t
step(size_t i, size_t n)
{
	return i == 0 && n > HDEC_STEP ? HDEC_STEP : n;
}

static int
zstart(struct hdec *h, struct hdec_stage *s, int wbits)
{
	struct hdec_ctx *x;
	int reused;

	if ((x = ctx_get(h, LIB_ZLIB, &reused)) == NULL)
		return nomem(h);
	s->st = x;
	if (reused) {
		if (inflateReset2(&x->z, wbits) != Z_OK)
			return fail(h, TF_ERR_NOMEM, "out of memory");
		return 0;
	}
	x->z.zalloc = zalloc;
	x->z.zfree = zfree;
	x->z.opaque = x;
	if (inflateInit2(&x->z, wbits) != Z_OK)
		return nomem(h);
	return 0;
}

static int
zfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	z_stream *z = &s->st->z;
	uint8_t buf[HDEC_BUFLEN];
	uint64_t base = h->in;
	size_t got, given = 0;
	int r, e;

	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = 0;
	for (;;) {
		if (z->avail_in == 0 && given < n) {
			z->avail_in = (uInt)step(i, n - given);
			given += z->avail_in;
		}
		/*
		 * gzip allows several members: after one, zlib reads on; if
		 * the next two bytes, however they are cut, are not a gzip
		 * magic number, they and the rest are ignored, as after the
		 * end of other codings.
		 */
		if (s->ended) {
			if (!s->members || s->junk || z->avail_in == 0)
				return 0;
			(void)inflateReset(z);
			s->ended = 0;
			s->next = 1;
		}
		z->next_out = buf;
		z->avail_out = sizeof(buf);
		if (i == 0)
			h->stepin = base + (given - z->avail_in);
		r = inflate(z, Z_NO_FLUSH);
		got = sizeof(buf) - z->avail_out;
		if (i == 0)
			h->in = base + (given - z->avail_in);
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
		if (r == Z_BUF_ERROR && (z->avail_in > 0 || given == n))
			return 0;
		if (r == Z_MEM_ERROR)
			return nomem(h);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return fail(h, TF_ERR_MALFORMED, s->corrupt);
		if (z->avail_in == 0 && got < sizeof(buf) && given == n)
			return 0;
	}
}

static int
brfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	uint8_t buf[HDEC_BUFLEN], *out;
	size_t avin = 0, given = 0, avout, got;
	uint64_t base = h->in;
	BrotliDecoderResult r;
	int e;

	if (s->ended)
		return 0;
	do {
		if (avin == 0 && given < n) {
			avin = step(i, n - given);
			given += avin;
		}
		out = buf;
		avout = sizeof(buf);
		if (i == 0)
			h->stepin = base + (given - avin);
		r = BrotliDecoderDecompressStream(
		    s->st->st, &avin, &p, &avout, &out, NULL);
		got = sizeof(buf) - avout;
		if (i == 0)
			h->in = base + (given - avin);
		if ((e = next(h, i, buf, got)) < 0)
			return e;
		if (r == BROTLI_DECODER_RESULT_ERROR && h->memory)
			return nomem(h);
		if (r == BROTLI_DECODER_RESULT_ERROR)
			return fail(h, TF_ERR_MALFORMED, s->corrupt);
		if (r == BROTLI_DECODER_RESULT_SUCCESS)
			s->ended = 1;
	} while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT ||
	    (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && given < n));
	return 0;
}

static int
zstdfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	uint8_t buf[HDEC_BUFLEN];
	ZSTD_inBuffer in = {p, n, 0};
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
		in.size = in.pos + step(i, n - in.pos);
		if (s->nhdr < ZSTD_HDR_MAX && n - in.pos > 3)
			in.size = in.pos + 3;
		pos = in.pos;
		out.dst = buf;
		out.size = sizeof(buf);
		out.pos = 0;
		if (i == 0)
			h->stepin = base + pos;
		r = ZSTD_decompressStream(s->st->st, &out, &in);
		if (ZSTD_isError(r) &&
		    ZSTD_getErrorCode(r) ==
		        ZSTD_error_frameParameter_windowTooLarge)
			return fail(h, TF_ERR_LIMIT,
			    "zstd window over the "
			    "limit");
		if (ZSTD_isError(r) && h->memory)
			return nomem(h);
		if (ZSTD_isError(r))
			return fail(h, TF_ERR_MALFORMED, s->corrupt);
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
gzstart(struct hdec *h, struct hdec_stage *s)
{
	return zstart(h, s, 16 + 15);
}

/* deflate: zlib-wrapped or raw, told by the first two bytes. */
static int
dfeed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	int e;

	if (s->st == NULL) {
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
}

/* A deflate body shorter than two bytes can only be raw deflate. */
static int
dfinish(struct hdec *h, size_t i)
{
	struct hdec_stage *s = &h->s[i];
	int e;

	if (s->st != NULL || s->nhdr == 0)
		return 0;
	if ((e = zstart(h, s, -15)) < 0)
		return e;
	return zfeed(h, i, s->hdr, s->nhdr);
}

static const char *
zversion(char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s", zlibVersion());
	return buf;
}

static int
brstart(struct hdec *h, struct hdec_stage *s)
{
	struct hdec_ctx *x;
	int reused;

	if ((x = ctx_get(h, LIB_BROTLI, &reused)) == NULL)
		return nomem(h);
	s->st = x;
	if ((x->st = BrotliDecoderCreateInstance(alloc, free_, x)) == NULL)
		return nomem(h);
	return 0;
}

/* Brotli's version is 0xMMMmmmppp: major, minor, patch. */
static const char *
brversion(char *buf, size_t size)
{
	uint32_t v = BrotliDecoderVersion();

	(void)snprintf(buf, size, "%lu.%lu.%lu", (unsigned long)(v >> 24),
	    (unsigned long)(v >> 12 & 0xfff), (unsigned long)(v & 0xfff));
	return buf;
}

static int
zstdstart(struct hdec *h, struct hdec_stage *s)
{
	ZSTD_customMem cm;
	struct hdec_ctx *x;
	int reused;

	if ((x = ctx_get(h, LIB_ZSTD, &reused)) == NULL)
		return nomem(h);
	s->st = x;
	if (reused)
		(void)ZSTD_DCtx_reset(x->st, ZSTD_reset_session_only);
	else {
		cm.customAlloc = alloc;
		cm.customFree = free_;
		cm.opaque = x;
		if ((x->st = ZSTD_createDStream_advanced(cm)) == NULL)
			return nomem(h);
		(void)ZSTD_initDStream(x->st);
	}
	(void)ZSTD_DCtx_setParameter(
	    x->st, ZSTD_d_windowLogMax, (int)h->zstdwlog);
	return 0;
}

static const char *
zstdversion(char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s", ZSTD_versionString());
	return buf;
}

/*
 * The codings: adding one is a row here and its functions.  start makes
 * the library's state in s->st (NULL: feed does it); feed decodes into
 * the next stage; finish, when set, runs at the end of the input before
 * the check that the coded stream ended.  Contexts are given back by
 * stages_put().
 */
static const struct coding {
	const char *names[3]; /* tokens, lowercase; NULL ends */
	const char *suffix;   /* names a body still coded so */
	const char *lib;      /* the library that decodes it */
	const char *buildver; /* its version at build time, or NULL */
	const char *corrupt;  /* what a decoding error says */
	int members;          /* several may follow one another */
	int (*start)(struct hdec *, struct hdec_stage *);
	int (*feed)(struct hdec *, size_t, const uint8_t *, size_t);
	int (*finish)(struct hdec *, size_t);
	const char *(*version)(char *, size_t);
} codings[] = {
    {{"gzip", "x-gzip", NULL}, "GZIP", "zlib", ZLIB_VERSION,
        "corrupt gzip data", 1, gzstart, zfeed, NULL, zversion},
    {{"deflate", NULL, NULL}, "DEFLATE", "zlib", ZLIB_VERSION,
        "corrupt deflate data", 0, NULL, dfeed, dfinish, zversion},
    {{"br", NULL, NULL}, "BR", "brotli", NULL, "corrupt brotli data", 0,
        brstart, brfeed, NULL, brversion},
    {{"zstd", NULL, NULL}, "ZSTD", "zstd", ZSTD_VERSION_STRING,
        "corrupt zstd data", 0, zstdstart, zstdfeed, NULL, zstdversion},
};

#define NCODINGS (sizeof(codings) / sizeof(codings[0]))

static int
feed(struct hdec *h, size_t i, const uint8_t *p, size_t n)
{
	struct hdec_stage *s = &h->s[i];
	const struct coding *k = &codings[s->kind];
	int e;

	/* Libraries are set up at the first byte: a message with no body
	 * costs none. */
	if (!s->started) {
		s->started = 1;
		if (k->start != NULL && (e = k->start(h, s)) < 0)
			return e;
	}
	return k->feed(h, i, p, n);
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

/*
 * Adds the codings listed in list to kinds (*nk of them so far), in the
 * order listed.  te: a Transfer-Encoding, whose last coding may be
 * "chunked", the framing lib/http undid.  Returns 0 or fails h.
 */
static int
parse_list(struct hdec *h, const char *list, int te, int *kinds, size_t *nk)
{
	size_t i, k, len;
	const char *p, *e;

	for (p = list; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || coding_is(p, len, "identity"))
			continue;
		if (te && coding_is(p, len, "chunked") &&
		    strspn(e, ", \t") == strlen(e))
			continue;
		for (k = 0; k < NCODINGS; k++)
			for (i = 0; i < 3 && codings[k].names[i] != NULL; i++)
				if (coding_is(p, len, codings[k].names[i]))
					goto found;
		h->badte = te;
		return fail(h, TF_ERR_UNSUPPORTED,
		    te ? "unknown transfer coding" : "unknown content coding");
found:
		if (*nk == HDEC_MAXSTAGES)
			return fail(h, TF_ERR_LIMIT, "too many codings");
		kinds[(*nk)++] = (int)k;
	}
	return 0;
}

int
hdec_init2(struct hdec *h, const char *tenc, const char *cenc, uint64_t maxout,
    uint64_t maxratio, void (*sink)(void *, const uint8_t *, size_t), void *arg)
{
	int kinds[HDEC_MAXSTAGES], e;
	size_t nk = 0, i;

	memset(h, 0, sizeof(*h));
	h->zstdwlog = HDEC_ZSTD_WLOG;
	h->maxout = maxout;
	h->maxratio = maxratio;
	h->sink = sink;
	h->arg = arg;
	/*
	 * RFC 9112 6.1: transfer codings are applied after the content
	 * codings, so the codings in the order applied are the content
	 * codings, then the transfer codings.
	 */
	if ((e = parse_list(h, cenc, 0, kinds, &nk)) < 0 ||
	    (e = parse_list(h, tenc, 1, kinds, &nk)) < 0)
		return e;
	/* Codings are listed in the order applied: decode the last first. */
	for (i = 0; i < nk; i++) {
		h->s[i].kind = kinds[nk - 1 - i];
		h->s[i].corrupt = codings[h->s[i].kind].corrupt;
		h->s[i].members = codings[h->s[i].kind].members;
	}
	h->n = nk;
	return 0;
}

int
hdec_init(struct hdec *h, const char *cenc, uint64_t maxout, uint64_t maxratio,
    void (*sink)(void *, const uint8_t *, size_t), void *arg)
{
	return hdec_init2(h, NULL, cenc, maxout, maxratio, sink, arg);
}

int
hdec_write(struct hdec *h, const uint8_t *p, size_t n)
{
	int e;

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
	if (h->inlru)
		lru_front(h);
	if ((e = feed(h, 0, p, n)) < 0 && h->err != 0) {
		/* A decoder that stopped needs its contexts no more. */
		stages_put(h, 1);
		lru_remove(h);
	}
	return e;
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
		if (codings[s->kind].finish != NULL &&
		    (e = codings[s->kind].finish(h, i)) < 0)
			return e;
		/* One byte after a gzip member is not another member. */
		if (!s->ended && !s->next)
			return fail(h, TF_ERR_TRUNCATED,
			    "coded data cut "
			    "short");
	}
	return 0;
}

void
hdec_release(struct hdec *h)
{
	stages_put(h, 1);
	if (h->pool != NULL)
		lru_remove(h);
	h->n = 0;
}

void
hdec_pool_init(struct hdec_pool *p, uint64_t max)
{
	memset(p, 0, sizeof(*p));
	p->max = max;
}

void
hdec_pool_release(struct hdec_pool *p)
{
	struct hdec_ctx *x;
	int i;

	for (i = 0; i < 2; i++)
		while ((x = p->idle[i]) != NULL) {
			p->idle[i] = x->next;
			ctx_destroy(x);
		}
	p->nidle[0] = p->nidle[1] = 0;
}

const char *
hdec_suffix(const struct hdec *h)
{
	return h->n == 0 ? "" : codings[h->s[0].kind].suffix;
}

int
hdec_library(
    size_t i, const char **name, const char **buildver, char *buf, size_t size)
{
	size_t k, j, seen = 0;

	for (k = 0; k < NCODINGS; k++) {
		for (j = 0; j < k; j++)
			if (strcmp(codings[j].lib, codings[k].lib) == 0)
				break;
		if (j < k)
			continue;
		if (seen++ == i) {
			*name = codings[k].lib;
			*buildver = codings[k].buildver;
			(void)codings[k].version(buf, size);
			return 1;
		}
	}
	return 0;
}
