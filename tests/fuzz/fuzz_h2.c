/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for HTTP/2 (lib/h2.c) as lib/http hands it bytes:
 * the client preface found at a connection's start, an h2c upgrade, or
 * ALPN h2 (http_conn_h2()).
 *
 * Build and run: make fuzz (build-fuzz/bin/fuzz_h2; tests/fuzz/run.sh
 * seeds it with the flows of tests/data/http/h2.pcap and the streams of
 * tests/h2gen.py).
 *
 * Input: byte 0: bit 0, tiny header limits (-H 64, -n 2); bit 2, the
 * connection speaks HTTP/2 from its start (ALPN); bit 3, the client is
 * known to be direction 0 (the SYN).  Then steps, as fuzz_http's, each a
 * 3-byte header and its bytes:
 *	u8  op		bit 0: direction; bit 1: a gap of len bytes
 *			instead of data; bit 2: finish the connection and
 *			start a new one
 *	u16 len		big-endian
 * A last step shorter than len takes what is left.  Data is copied to a
 * buffer of its exact size so that ASan sees any overread.  The
 * callbacks check what they are given: a body only between its
 * message's begin and end, each message ended once, its strings within
 * their sizes, requests' users handed back (unpaired or as a
 * response's requser) exactly once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile uint8_t sinkbyte;

struct fz {
	long open;  /* messages begun, not ended */
	long users; /* request users handed out, not handed back */
};

static void
on_begin(void *arg, unsigned dir, struct http_msg *m)
{
	struct fz *z = arg;

	if (dir > 1 || m->slot != NULL || strlen(m->method) >= HTTP_METHODLEN ||
	    strlen(m->uri) >= HTTP_URILEN || strlen(m->host) >= HTTP_FIELDLEN ||
	    strlen(m->ctype) >= HTTP_FIELDLEN ||
	    strlen(m->cenc) >= HTTP_FIELDLEN)
		abort();
	if (m->head != NULL && m->headlen > 0)
		sinkbyte ^= m->head[0] ^ m->head[m->headlen - 1];
	/* The slot marks the message begun. */
	m->slot = z;
	z->open++;
	if (m->requser != NULL) {
		free(m->requser);
		m->requser = NULL;
		z->users--;
	}
}

static void
on_body(void *arg, unsigned dir, struct http_msg *m, const uint8_t *p, size_t n)
{
	(void)arg;
	if (dir > 1 || m->slot == NULL || n == 0)
		abort();
	sinkbyte ^= p[0] ^ p[n - 1];
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct fz *z = arg;

	if (dir > 1 || m->slot != z || m->requser != NULL)
		abort();
	m->slot = NULL;
	z->open--;
	if (m->isreq) {
		if ((m->user = malloc(1)) == NULL)
			abort();
		z->users++;
	}
}

static void
on_unpaired(void *arg, void *user)
{
	struct fz *z = arg;

	free(user);
	z->users--;
}

static void
on_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	(void)arg;
	(void)off;
	if (dir > 1 || what == NULL || what[0] == '\0')
		abort();
}

static void
on_h2(void *arg, unsigned dir, uint64_t off, const char *what, const char *via)
{
	(void)arg;
	(void)off;
	if (dir > 1 || what == NULL || via == NULL)
		abort();
}

static void
conn_new(struct http_conn *c, const struct http_limits *lim,
    const struct http_cb *cb, struct fz *z, unsigned flags)
{
	http_conn_init(c, lim, cb, z);
	if (flags & 8)
		http_conn_client(c, 0);
	if ((flags & 4) && http_conn_h2(c) < 0)
		abort();
}

static void
conn_end(struct http_conn *c, struct fz *z)
{
	http_conn_finish(c);
	http_conn_release(c);
	if (z->open != 0 || z->users != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits lim;
	struct http_cb cb = {.begin = on_begin,
	    .body = on_body,
	    .end = on_end,
	    .warn = on_warn,
	    .unpaired = on_unpaired,
	    .h2 = on_h2};
	struct http_conn c;
	struct fz z;
	uint64_t off[2] = {0, 0};
	uint8_t *buf;
	size_t len;
	unsigned op, d, flags;

	if (size < 1)
		return 0;
	memset(&z, 0, sizeof(z));
	flags = data[0];
	lim.maxheader = (flags & 1) ? 64 : 65536;
	lim.maxfields = (flags & 1) ? 2 : 256;
	data++;
	size--;
	conn_new(&c, &lim, &cb, &z, flags);
	while (size >= 3) {
		op = data[0];
		len = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (len > size && !(op & 2))
			len = size;
		d = op & 1;
		if (op & 4) {
			conn_end(&c, &z);
			conn_new(&c, &lim, &cb, &z, flags);
			off[0] = off[1] = 0;
			continue;
		}
		if (op & 2) {
			http_conn_gap(&c, d, off[d], len);
			off[d] += len;
			continue;
		}
		if ((buf = malloc(len ? len : 1)) == NULL)
			break;
		memcpy(buf, data, len);
		if (http_conn_data(&c, d, off[d], 0, buf, len) < 0)
			abort();
		free(buf);
		off[d] += len;
		data += len;
		size -= len;
	}
	conn_end(&c, &z);
	return 0;
}
