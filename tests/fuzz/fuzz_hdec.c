/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the content decoders (lib/hdec.c) alone: gzip,
 * x-gzip, deflate (zlib-wrapped and raw), br, zstd and stacks of them.
 *
 * Input: byte 0 picks the Content-Encoding (low 4 bits, an index into
 * cenc[]) and the caps (bit 4: at most 4096 bytes out, so that bombs are
 * cut; else 2 MiB and a ratio cap of 1000); bits 5-7 the size of the
 * pieces the body is written in, 1 << (2 * bits) bytes, 7: all at once.
 * The rest is the coded body.  It is decoded twice, in pieces and all at
 * once, each piece copied to a buffer of its exact size so that ASan
 * sees any overread.  Promises checked, each broken one an abort():
 * - the sink gets pieces of 1 to HDEC_BUFLEN bytes (identity: of 1 byte
 *   or more), no more than the cap, adding up to h.out;
 * - an error is sticky: later calls return it and give nothing;
 * - without a cap reached, the result of hdec_finish() does not depend
 *   on how the body was cut, nor does the output unless the data is
 *   corrupt (how much comes out before the error then varies: libbrotli
 *   gives out what it has when it runs out of input);
 * - "identity" gives the body back unchanged.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or by hand in build-fuzz:
 *	build-fuzz/bin/fuzz_hdec -max_len=65536 corpus-hdec
 * tests/fuzz/hdecseed.c makes seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdec.h"
#include "tferr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* tests/fuzz/hdecseed.c knows this table too. */
static const char *const cenc[16] = {"gzip", "x-gzip", "deflate", "br", "zstd",
    "identity", "gzip, gzip", "deflate, br", "br, zstd", "zstd, gzip",
    "GZip , identity,,", "gzip, deflate, br, zstd", "deflate, deflate",
    "x-gzip, br", "zstd, zstd", "br, br, gzip, identity, deflate"};

struct out {
	uint64_t n;    /* bytes the sink got */
	uint64_t hash; /* FNV-1a of them */
	uint64_t cap;
	const uint8_t *body; /* identity: what to expect */
	size_t bodylen;
};

static void
sink(void *arg, const uint8_t *p, size_t n)
{
	struct out *o = arg;
	size_t i;

	if (n == 0 || (o->body == NULL && n > HDEC_BUFLEN) || n > o->cap - o->n)
		abort();
	if (o->body != NULL &&
	    (n > o->bodylen - o->n || memcmp(p, o->body + o->n, n) != 0))
		abort();
	for (i = 0; i < n; i++)
		o->hash = (o->hash ^ p[i]) * 0x100000001b3ULL;
	o->n += n;
}

/* Decodes body in pieces of chunk bytes; returns hdec_finish()'s result. */
static int
decode(const char *ce, uint64_t cap, uint64_t ratio, const uint8_t *body,
    size_t len, size_t chunk, struct out *o)
{
	struct hdec h;
	uint8_t *buf;
	size_t n;
	int e, e0;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325ULL;
	o->cap = cap;
	if (strcmp(ce, "identity") == 0) {
		o->body = body;
		o->bodylen = len;
	}
	if (hdec_init(&h, ce, cap, ratio, sink, o) != 0)
		abort();
	e = 0;
	while (len > 0) {
		n = len < chunk ? len : chunk;
		if ((buf = malloc(n)) == NULL)
			abort();
		memcpy(buf, body, n);
		e0 = h.err;
		e = hdec_write(&h, buf, n);
		free(buf);
		if ((e0 != 0 && e != e0) || e != h.err ||
		    (e != 0 && (e != TF_ERR_MALFORMED && e != TF_ERR_LIMIT)))
			abort();
		if (h.out != o->n)
			abort();
		/* The coded bytes not yet decoded begin at h.mark. */
		if (h.mark > h.in)
			abort();
		body += n;
		len -= n;
	}
	e0 = h.err;
	e = hdec_finish(&h);
	/* Finishing feeds what deflate kept to tell zlib from raw. */
	if ((e0 != 0 && e != e0) ||
	    (e0 == 0 && e != 0 && e != TF_ERR_TRUNCATED &&
	        e != TF_ERR_MALFORMED && e != TF_ERR_LIMIT) ||
	    h.out != o->n || (e != 0 && (h.why == NULL || h.why[0] == '\0')))
		abort();
	if (o->body != NULL && e == 0 && o->n != o->bodylen)
		abort();
	hdec_release(&h);
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out a, b;
	const char *ce;
	uint64_t cap, ratio;
	size_t chunk;
	int ea, eb;

	if (size < 1)
		return 0;
	ce = cenc[data[0] & 15];
	cap = (data[0] & 0x10) ? 4096 : 2u << 20;
	ratio = (data[0] & 0x10) ? 0 : 1000;
	chunk = (data[0] >> 5) == 7 ? size : (size_t)1 << 2 * (data[0] >> 5);
	ea = decode(ce, cap, ratio, data + 1, size - 1, chunk, &a);
	eb = decode(ce, cap, ratio, data + 1, size - 1, size, &b);
	if (ea != TF_ERR_LIMIT && eb != TF_ERR_LIMIT &&
	    (ea != eb ||
	        (ea != TF_ERR_MALFORMED && (a.n != b.n || a.hash != b.hash))))
		abort();
	return 0;
}
