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
 * Input (tests/fuzz/fzhttp.h): byte 0: bit 0, tiny header limits (-H 64,
 * -n 2); bit 2, the connection speaks HTTP/2 from its start (ALPN); bit
 * 3, the client is known to be direction 0 (the SYN).  Then steps, as
 * fuzz_http's.  The callbacks check what they are given: a
 * body only between its message's begin and end, each message ended
 * once, its strings within their sizes, requests' users handed back
 * (unpaired or as a response's requser) exactly once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fzhttp.h"
#include "h2.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile uint8_t sinkbyte;

struct fz {
	long open;      /* messages begun, not ended */
	long users;     /* request users handed out, not handed back */
	unsigned flags; /* byte 0 of the input */
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

/*
 * The body's runs: in stream order, apart, the first at bodyoff, adding
 * up to bodylen unless the last spans the runs past HTTP_MAXRUNS.
 */
static void
check_runs(const struct http_msg *m)
{
	uint64_t sum = 0;
	unsigned i;

	if (m->nruns > HTTP_MAXRUNS ||
	    (m->runscut > 0 && m->nruns < HTTP_MAXRUNS) ||
	    (m->bodylen > 0 && (m->nruns == 0 || m->runs[0].off != m->bodyoff)))
		abort();
	for (i = 0; i < m->nruns; i++) {
		if (m->runs[i].len == 0 ||
		    (i > 0 &&
		        m->runs[i].off <=
		            m->runs[i - 1].off + m->runs[i - 1].len))
			abort();
		sum += m->runs[i].len;
	}
	if (m->runscut == 0 ? sum != m->bodylen : sum < m->bodylen)
		abort();
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct fz *z = arg;

	if (dir > 1 || m->slot != z || m->requser != NULL)
		abort();
	if (m->h2)
		check_runs(m);
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

/* Each connection, before its data. */
static void
conn_start(struct http_conn *c, void *arg)
{
	struct fz *z = arg;

	if (z->flags & 8)
		http_conn_client(c, 0);
	if ((z->flags & 4) && http_conn_h2(c) < 0)
		abort();
}

/* Each connection, after its release: every message ended, every user
 * handed back. */
static void
conn_end(void *arg, int last)
{
	struct fz *z = arg;

	(void)last;
	if (z->open != 0 || z->users != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_cb cb = {.begin = on_begin,
	    .body = on_body,
	    .end = on_end,
	    .warn = on_warn,
	    .unpaired = on_unpaired,
	    .h2 = on_h2};
	struct fz z;
	struct fz_http h = {&cb, &z, conn_start, conn_end, 1};

	if (size < 1)
		return 0;
	memset(&z, 0, sizeof(z));
	z.flags = data[0];
	fz_http_run(&h, data, size);
	return 0;
}
