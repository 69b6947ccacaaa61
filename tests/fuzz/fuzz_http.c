/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the HTTP parser and the content decoders
 * (lib/http.c, lib/hdec.c).
 *
 * Build and run (from the top of the tree):
 *	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_http.c tests/fuzz/fzhttp.c lib/http.c \
 *	    lib/hdec.c lib/tferr.c -lz -lbrotlidec -lzstd -o fuzz_http
 *	mkdir -p corpus-http
 *	printf '\000\000\000\060GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n' \
 *	    >corpus-http/get
 *	./fuzz_http -max_total_time=60 corpus-http
 *
 * Input: byte 0 sets the limits (bit 0: tiny header limits, bit 1: tiny
 * decoded size and ratio caps), then steps (tests/fuzz/fzhttp.h).
 * Every body goes through the decoders its Content-Encoding names, as
 * tf-http does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fzhttp.h"
#include "hdec.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile uint8_t sinkbyte;

struct fz {
	struct hdec dec[2];
	int on[2];
	uint64_t maxout;
	uint64_t maxratio;
};

static void
sink(void *arg, const uint8_t *p, size_t n)
{
	(void)arg;
	if (n > 0)
		sinkbyte ^= p[0] ^ p[n - 1];
}

static void
on_begin(void *arg, unsigned dir, struct http_msg *m)
{
	struct fz *z = arg;

	if (strlen(m->method) >= HTTP_METHODLEN ||
	    strlen(m->uri) >= HTTP_URILEN ||
	    (m->tunnel != NULL && strlen(m->tunnel) >= HTTP_URILEN))
		abort();
	/* The header block as kept, for -A: read it all. */
	if (m->head != NULL && m->headlen > 0)
		sinkbyte ^= m->head[0] ^ m->head[m->headlen - 1];
	/* HTTP/2 streams interleave: fuzz_h2 checks them. */
	if (m->h2)
		return;
	(void)hdec_init2(
	    &z->dec[dir], m->tenc, m->cenc, z->maxout, z->maxratio, sink, NULL);
	z->on[dir] = 1;
}

static void
on_body(void *arg, unsigned dir, struct http_msg *m, const uint8_t *p, size_t n)
{
	struct fz *z = arg;

	if (m->h2)
		return;
	if (n == 0 || !z->on[dir])
		abort();
	if (z->dec[dir].err == 0)
		(void)hdec_write(&z->dec[dir], p, n);
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct fz *z = arg;

	if (m->h2)
		return;
	if (!z->on[dir])
		abort();
	if (m->end == HTTP_END_COMPLETE && z->dec[dir].err == 0)
		(void)hdec_finish(&z->dec[dir]);
	hdec_release(&z->dec[dir]);
	z->on[dir] = 0;
}

static void
on_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	(void)arg;
	(void)dir;
	(void)off;
	if (what == NULL || what[0] == '\0')
		abort();
}

/* A tunnel's direction begins: its strings are NUL-terminated. */
static void
on_tunnel(void *arg, unsigned dir, const struct http_tunnel *t,
    const char *proto, uint64_t off)
{
	(void)arg;
	(void)off;
	if (dir > 1 || proto == NULL || proto[0] == '\0' ||
	    strlen(t->target) >= HTTP_URILEN ||
	    strlen(t->method) >= HTTP_METHODLEN ||
	    strlen(t->upgrade) >= HTTP_FIELDLEN)
		abort();
}

/*
 * A connection ended: no decoder is left but where the input ended
 * inside a body.
 */
static void
on_conn_end(void *arg, int last)
{
	struct fz *z = arg;
	unsigned d;

	for (d = 0; d < 2; d++)
		if (z->on[d]) {
			if (!last)
				abort();
			hdec_release(&z->dec[d]);
		}
}

static const struct http_cb cb = {.begin = on_begin,
    .body = on_body,
    .end = on_end,
    .warn = on_warn,
    .tunnel = on_tunnel};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	struct fz_http h = {&cb, &z, NULL, on_conn_end, 0};

	if (size < 1)
		return 0;
	memset(&z, 0, sizeof(z));
	z.maxout = (data[0] & 2) ? 100 : 1 << 24;
	z.maxratio = (data[0] & 2) ? 2 : 1000;
	fz_http_run(&h, data, size);
	return 0;
}
