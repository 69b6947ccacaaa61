/* SPDX-License-Identifier: BSD-2-Clause */
/* The harness of fuzz_http and fuzz_h2: see fzhttp.h. */
#include <stdlib.h>
#include <string.h>

#include "fzhttp.h"

static void
conn_start(
    const struct fz_http *h, struct http_conn *c, const struct http_limits *lim)
{
	http_conn_init(c, lim, h->cb, h->arg);
	if (h->start != NULL)
		h->start(c, h->arg);
}

static void
conn_end(const struct fz_http *h, struct http_conn *c, int last)
{
	http_conn_finish(c);
	http_conn_release(c);
	h->end(h->arg, last);
}

void
fz_http_run(const struct fz_http *h, const uint8_t *p, size_t n)
{
	struct http_limits lim;
	struct http_conn c;
	uint64_t off[2] = {0, 0};
	uint8_t *buf;
	size_t len;
	unsigned op, d;

	lim.maxheader = (p[0] & 1) ? 64 : 65536;
	lim.maxfields = (p[0] & 1) ? 2 : 256;
	p++;
	n--;
	conn_start(h, &c, &lim);
	while (n >= 3) {
		op = p[0];
		len = (size_t)p[1] << 8 | p[2];
		p += 3;
		n -= 3;
		if (len > n && !(op & 2))
			len = n;
		d = op & 1;
		if (op & 4) {
			conn_end(h, &c, 0);
			conn_start(h, &c, &lim);
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
		memcpy(buf, p, len);
		if (http_conn_data(&c, d, off[d], 0, buf, len) < 0 && h->strict)
			abort();
		free(buf);
		off[d] += len;
		p += len;
		n -= len;
	}
	conn_end(h, &c, 1);
}
