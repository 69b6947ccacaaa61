/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * WebSocket frames and messages (RFC 6455 5), permessage-deflate (RFC
 * 7692 7).  See ws.h.
 *
 * A frame (RFC 6455 5.2):
 *
 *	 0               1               2               3
 *	|F|R|R|R| opcode|M| len (7)     | len (16 or 64, when 126, 127)
 *	|I|S|S|S|       |A|             |
 *	|N|V|V|V|       |S|             |
 *	|  1 2 3|       |K|             |   masking key (4, when MASK)
 *	payload: len bytes, each XORed with key[i % 4] when masked
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "digest.h"
#include "json.h"
#include "outdir.h"
#include "tferr.h"
#include "ws.h"

enum { S_OFF = 0, S_HEAD, S_PAYLOAD, S_LOST };

/* An inflater of one direction, its memory counted in a ws_mem. */
struct ws_zs {
	z_stream z;
	int ok;  /* inflateInit2() done */
	int end; /* the deflate stream ended (BFINAL): reset before more */
};

/* RFC 7692 7.2.2: the tail the sender took off each message. */
static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};

const char *
ws_opcode_name(int op)
{
	switch (op) {
	case WS_CONT:
		return "continuation";
	case WS_TEXT:
		return "text";
	case WS_BINARY:
		return "binary";
	case WS_CLOSE:
		return "close";
	case WS_PING:
		return "ping";
	case WS_PONG:
		return "pong";
	}
	return "reserved";
}

/* Whether the n bytes at p are name, in any case. */
static int
word_is(const char *p, size_t n, const char *name)
{
	size_t i;

	if (n != strlen(name))
		return 0;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return 0;
	}
	return 1;
}

/* The window bits of a parameter's value, n bytes at v, or 0. */
static unsigned
wbits(const char *v, size_t n)
{
	unsigned b = 0;
	size_t i;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n == 0 || n > 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		b = b * 10 + (unsigned)(v[i] - '0');
	}
	return b >= 8 && b <= 15 ? b : 0;
}

/*
 * One Sec-WebSocket-Extensions value, n bytes at v: extensions separated
 * by ',', each a name and parameters separated by ';' (RFC 6455 9.1).
 * The first permessage-deflate is the one agreed.
 */
static void
ext_value(const char *v, size_t n, struct ws_deflate *pd)
{
	const char *p = v, *e = v + n, *q, *eq;
	size_t k;
	int first, pmd = 0;

	while (p < e && !pd->on) {
		first = 1;
		pmd = 0;
		for (;;) {
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			for (q = p; q < e && *q != ';' && *q != ','; q++)
				;
			k = (size_t)(q - p);
			while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				k--;
			eq = memchr(p, '=', k);
			if (first)
				pmd = word_is(p, k, "permessage-deflate");
			else if (pmd && eq == NULL) {
				if (word_is(p, k, "client_no_context_takeover"))
					pd->nct[0] = 1;
				else if (word_is(p, k,
				             "server_no_context_takeover"))
					pd->nct[1] = 1;
			} else if (pmd) {
				size_t nl = (size_t)(eq - p), vl = k - nl - 1;

				while (nl > 0 &&
				    (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
					nl--;
				while (
				    vl > 0 && (eq[1] == ' ' || eq[1] == '\t')) {
					eq++;
					vl--;
				}
				if (word_is(p, nl, "client_max_window_bits"))
					pd->bits[0] = wbits(eq + 1, vl);
				else if (word_is(
				             p, nl, "server_max_window_bits"))
					pd->bits[1] = wbits(eq + 1, vl);
			}
			first = 0;
			p = q < e ? q + 1 : e;
			if (q >= e || *q == ',')
				break;
		}
		if (pmd)
			pd->on = 1;
	}
}

void
ws_extensions(const uint8_t *head, size_t len, struct ws_deflate *pd)
{
	static const char field[] = "sec-websocket-extensions";
	const char *p = (const char *)head, *e = p + len, *nl, *c;
	size_t k;

	memset(pd, 0, sizeof(*pd));
	/* The start line first, then one field per line (RFC 9112 5). */
	while (p < e && !pd->on) {
		nl = memchr(p, '\n', (size_t)(e - p));
		k = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);
		if (k > 0 && p[k - 1] == '\r')
			k--;
		c = memchr(p, ':', k);
		if (c != NULL && word_is(p, (size_t)(c - p), field))
			ext_value(c + 1, k - (size_t)(c - p) - 1, pd);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (!pd->on)
		memset(pd, 0, sizeof(*pd));
}

/* zlib's allocations, counted under the cap of mem (opaque, or NULL). */
static voidpf
zalloc(voidpf opaque, uInt items, uInt size)
{
	struct ws_mem *m = opaque;
	uint64_t *p;
	size_t n;

	if (size != 0 && items > (SIZE_MAX - 16) / size)
		return NULL;
	n = (size_t)items * size + 16;
	if (m != NULL && m->max != 0 &&
	    (m->used > m->max || n > m->max - m->used)) {
		m->refused++;
		return NULL;
	}
	if ((p = malloc(n)) == NULL)
		return NULL;
	p[0] = n;
	if (m != NULL) {
		m->used += n;
		if (m->used > m->peak)
			m->peak = m->used;
	}
	return p + 2;
}

static void
zfree(voidpf opaque, voidpf addr)
{
	struct ws_mem *m = opaque;
	uint64_t *p = addr;

	if (p == NULL)
		return;
	p -= 2;
	if (m != NULL)
		m->used -= p[0];
	free(p);
}

static void
zs_free(struct ws_dir *d)
{
	if (d->z == NULL)
		return;
	if (d->z->ok)
		(void)inflateEnd(&d->z->z);
	free(d->z);
	d->z = NULL;
}

void
ws_init(struct ws_conn *w, const struct ws_opts *o, void *arg,
    const struct ws_deflate *pd)
{
	memset(w, 0, sizeof(*w));
	w->o = o;
	w->arg = arg;
	if (pd != NULL)
		w->pd = *pd;
}

static void
skip(struct ws_conn *w, unsigned dir, uint64_t off, const char *why,
    const char *what)
{
	w->d[dir].state = S_LOST;
	if (w->o->skip != NULL)
		w->o->skip(w->arg, dir, off, why, what);
}

void
ws_start(struct ws_conn *w, unsigned dir, int client, uint64_t off, int lost)
{
	struct ws_dir *d = &w->d[dir & 1];

	dir &= 1;
	if (d->state != S_OFF)
		return;
	d->state = S_HEAD;
	d->client = client;
	d->next = off;
	if (lost)
		skip(w, dir, off, "start",
		    "bytes missing before the first frame");
}

/* Closes the message file with time ts; -PARTIAL when not whole. */
static void
file_end(struct ws_conn *w, struct ws_dir *d, int64_t ts)
{
	const struct ws_opts *o = w->o;
	char *nn, *dot;
	size_t size, k;

	if (d->f == NULL)
		return;
	if (outdir_close(o->od, d->f, ts) < 0 && d->m.problem == NULL)
		d->m.problem = "write";
	d->f = NULL;
	if (d->m.problem == NULL)
		return;
	size = strlen(d->name) + sizeof(WS_PARTIAL);
	dot = strrchr(d->name, '.');
	k = dot != NULL ? (size_t)(dot - d->name) : strlen(d->name);
	if ((nn = malloc(size)) == NULL) {
		errno = ENOMEM;
		if (o->event != NULL)
			o->event(
			    w->arg, WS_ERENAME, d->name, d->name, TF_ERR_NOMEM);
		return;
	}
	(void)snprintf(nn, size, "%.*s%s%s", (int)k, d->name, WS_PARTIAL,
	    dot != NULL ? dot : "");
	if (outdir_rename(o->od, d->name, nn) < 0) {
		if (o->event != NULL)
			o->event(
			    w->arg, WS_ERENAME, d->name, nn, TF_ERR_SYSTEM);
		free(nn);
		return;
	}
	free(d->name);
	d->name = nn;
}

/*
 * Ends the data message of direction dir: problem NULL when it is whole.
 * Its other frames, if any, are passed over.
 */
static void
msg_end(struct ws_conn *w, unsigned dir, const char *problem, int64_t ts)
{
	struct ws_dir *d = &w->d[dir];

	if (!d->inmsg || d->drop)
		return;
	if (d->m.problem == NULL)
		d->m.problem = problem;
	file_end(w, d, ts);
	d->m.complete = d->m.problem == NULL;
	d->m.name = d->name;
	if (d->dg.algs != 0 || d->m.length > 0)
		(void)digest_final(&d->dg, d->m.hex);
	digest_release(&d->dg);
	memset(&d->dg, 0, sizeof(d->dg));
	if (w->o->message != NULL)
		w->o->message(w->arg, dir, &d->m);
	free(d->name);
	d->name = NULL;
	d->nofile = 0;
	/*
	 * The inflater goes on to the next message only when this one was
	 * all inflated and the sender keeps its context (RFC 7692 7.1.1).
	 */
	if (d->m.compressed && d->z != NULL &&
	    (d->m.problem != NULL || w->pd.nct[!d->client] || d->z->end))
		zs_free(d);
	d->drop = 1;
}

/*
 * Decoded bytes of the data message of direction dir: to its file, made
 * at the first one, and the digests, up to the size cap.  Returns 0, 1
 * when the message was ended, or TF_ERR_NOMEM.
 */
static int
sink(struct ws_conn *w, unsigned dir, const uint8_t *p, size_t n, int64_t ts)
{
	const struct ws_opts *o = w->o;
	struct ws_dir *d = &w->d[dir];
	char flow[WS_NAMELEN], name[WS_NAMELEN];
	int cut = 0, e;
	size_t len;

	if (o->maxmsg != 0 && n > o->maxmsg - d->m.length) {
		/* Of a message as sent, the bytes past the cap were not read.
		 */
		if (!d->m.compressed)
			d->m.sent -= n - (o->maxmsg - d->m.length);
		n = (size_t)(o->maxmsg - d->m.length);
		cut = 1;
	}
	if (n > 0 && d->m.length == 0) {
		/* digest_init() fails only when OpenSSL cannot hash. */
		if (digest_init(&d->dg, o->digests) == TF_ERR_NOMEM)
			return TF_ERR_NOMEM;
		if (o->od != NULL && !d->nofile) {
			d->nofile = 1;
			if (o->flow == NULL ||
			    o->flow(w->arg, dir, flow, sizeof(flow)) < 0 ||
			    (size_t)snprintf(name, sizeof(name),
			        "%s-WS-%03" PRIu64 "%s", flow, d->m.n,
			        d->m.opcode == WS_TEXT ? ".txt" : ".bin") >=
			        sizeof(name) - sizeof(WS_PARTIAL)) {
				if (o->event != NULL)
					o->event(
					    w->arg, WS_ETOOLONG, NULL, NULL, 0);
			} else if ((e = outdir_create(o->od, name, &d->f)) <
			    0) {
				if (e == TF_ERR_NOMEM)
					return e;
				if (o->event != NULL)
					o->event(
					    w->arg, WS_ECREATE, name, NULL, e);
				d->f = NULL;
			} else {
				len = strlen(name) + 1;
				if ((d->name = malloc(len)) == NULL)
					return TF_ERR_NOMEM;
				memcpy(d->name, name, len);
			}
		}
	}
	if (n > 0) {
		if (d->f != NULL)
			(void)outdir_write(o->od, d->f, d->m.length, p, n);
		(void)digest_update(&d->dg, p, n);
		d->m.length += n;
	}
	if (cut) {
		msg_end(w, dir, "limit", ts);
		return 1;
	}
	return 0;
}

/*
 * Inflates n bytes of the compressed message of direction dir.  Returns
 * 0, 1 when the message was ended, or TF_ERR_NOMEM.
 */
static int
inflate_bytes(
    struct ws_conn *w, unsigned dir, const uint8_t *p, size_t n, int64_t ts)
{
	const struct ws_opts *o = w->o;
	struct ws_dir *d = &w->d[dir];
	uint8_t out[WS_OUTLEN];
	size_t got, used;
	int r, e;

	if (d->z == NULL) {
		if ((d->z = calloc(1, sizeof(*d->z))) == NULL)
			return TF_ERR_NOMEM;
		d->z->z.zalloc = zalloc;
		d->z->z.zfree = zfree;
		d->z->z.opaque = o->mem;
		/* A 2^15 window reads whatever window the sender used. */
		if (inflateInit2(&d->z->z, -15) != Z_OK) {
			free(d->z);
			d->z = NULL;
			d->m.decerr = "out of memory for the inflater";
			msg_end(w, dir, "memory", ts);
			return 1;
		}
		d->z->ok = 1;
	}
	if (d->z->end) /* after the last block: nothing more to read */
		return 0;
	d->z->z.next_in = (Bytef *)(uintptr_t)p;
	d->z->z.avail_in = (uInt)n;
	do {
		d->z->z.next_out = out;
		d->z->z.avail_out = sizeof(out);
		used = d->z->z.avail_in;
		r = inflate(&d->z->z, Z_SYNC_FLUSH);
		d->in += used - d->z->z.avail_in;
		got = sizeof(out) - d->z->z.avail_out;
		if (got > 0 && (e = sink(w, dir, out, got, ts)) != 0)
			return e;
		if (o->maxratio != 0 && d->m.length > WS_RATIO_FLOOR &&
		    d->m.length / o->maxratio > d->in) {
			d->m.decerr = "decompression ratio over the cap";
			msg_end(w, dir, "limit", ts);
			return 1;
		}
		if (r == Z_STREAM_END) {
			d->z->end = 1;
			break;
		}
		if (r == Z_BUF_ERROR)
			break;
		if (r != Z_OK) {
			d->m.decerr = r == Z_MEM_ERROR
			    ? "out of memory for the inflater"
			    : d->z->z.msg != NULL ? d->z->z.msg
			                          : "corrupt deflate data";
			msg_end(
			    w, dir, r == Z_MEM_ERROR ? "memory" : "decode", ts);
			return 1;
		}
	} while (d->z->z.avail_in > 0 || d->z->z.avail_out == 0);
	return 0;
}

/* Payload bytes of a data frame, unmasked. */
static int
payload(struct ws_conn *w, unsigned dir, const uint8_t *p, size_t n, int64_t ts)
{
	struct ws_dir *d = &w->d[dir];

	d->m.sent += n;
	if (d->drop)
		return 0;
	if (d->m.compressed)
		return inflate_bytes(w, dir, p, n, ts);
	return sink(w, dir, p, n, ts);
}

/* A control frame ended: whole, or problem says why not. */
static void
control_end(struct ws_conn *w, unsigned dir, const char *problem)
{
	struct ws_dir *d = &w->d[dir];
	struct ws_msg *c = &d->c;

	if (c->problem == NULL)
		c->problem = problem;
	c->complete = c->problem == NULL;
	/* RFC 6455 5.5.1: a close frame's body, if any, starts with a
	 * 2-byte status code, then a reason. */
	c->code = -1;
	if (c->opcode == WS_CLOSE && c->plen >= 2)
		c->code = c->payload[0] << 8 | c->payload[1];
	if (w->o->message != NULL)
		w->o->message(w->arg, dir, c);
}

/* The payload of the frame of direction dir came to its end. */
static void
frame_end(struct ws_conn *w, unsigned dir, int64_t ts)
{
	struct ws_dir *d = &w->d[dir];

	d->state = S_HEAD;
	d->hlen = 0;
	if (d->opcode >= 8) {
		control_end(w, dir, NULL);
		return;
	}
	if (!d->fin)
		return;
	if (!d->drop && d->m.compressed &&
	    inflate_bytes(w, dir, tail, sizeof(tail), ts) == TF_ERR_NOMEM)
		msg_end(w, dir, "memory", ts);
	msg_end(w, dir, NULL, ts);
	d->inmsg = 0;
	d->drop = 0;
}

/*
 * Framing is lost at off in direction dir: the message in progress is
 * cut, the rest of the direction skipped.
 */
static void
lost(struct ws_conn *w, unsigned dir, uint64_t off, const char *why,
    const char *what, const char *problem, int64_t ts)
{
	struct ws_dir *d = &w->d[dir];

	if (d->state == S_PAYLOAD && d->opcode >= 8)
		control_end(w, dir, problem);
	msg_end(w, dir, problem, ts);
	d->inmsg = 0;
	skip(w, dir, off, why, what);
}

/*
 * The frame header of direction dir is whole when it holds all it says
 * it has: reads it.  Returns 1 when it did, 0 when more bytes are needed.
 */
static int
header(struct ws_conn *w, unsigned dir)
{
	struct ws_dir *d = &w->d[dir];
	const uint8_t *h = d->hdr;
	char what[96];
	uint64_t len;
	size_t need, i, at;
	int op, len7;

	if (d->hlen < 2)
		return 0;
	len7 = h[1] & 0x7f;
	need = 2 +
	    (len7 == 126          ? 2
	            : len7 == 127 ? 8
	                          : 0) +
	    ((h[1] & 0x80) ? 4 : 0);
	if (d->hlen < need)
		return 0;
	d->fin = h[0] >> 7;
	d->rsv1 = (h[0] >> 6) & 1;
	op = h[0] & 0x0f;
	d->masked = h[1] >> 7;
	at = 2;
	len = (uint64_t)len7;
	if (len7 >= 126) {
		len = 0;
		for (i = 0; i < (len7 == 126 ? 2u : 8u); i++)
			len = len << 8 | h[at++];
	}
	if (d->masked)
		memcpy(d->key, h + at, 4);
	what[0] = '\0';
	if (len >> 63)
		(void)snprintf(
		    what, sizeof(what), "a frame length of 2^63 or more");
	else if (h[0] & 0x30)
		(void)snprintf(
		    what, sizeof(what), "reserved bits RSV2/RSV3 set");
	else if ((op > 2 && op < 8) || op > 10)
		(void)snprintf(what, sizeof(what), "reserved opcode %d", op);
	else if (op >= 8 && !d->fin)
		(void)snprintf(
		    what, sizeof(what), "a fragmented control frame");
	else if (op >= 8 && len > WS_CTLMAX)
		(void)snprintf(what, sizeof(what),
		    "a control frame of %" PRIu64 " bytes", len);
	else if (d->rsv1 && (op != WS_TEXT && op != WS_BINARY))
		(void)snprintf(what, sizeof(what), "RSV1 set on a %s frame",
		    ws_opcode_name(op));
	else if (d->rsv1 && !w->pd.on)
		(void)snprintf(
		    what, sizeof(what), "RSV1 set, no extension agreed");
	else if (op == WS_CONT && !d->inmsg)
		(void)snprintf(what, sizeof(what),
		    "a continuation frame with no message to continue");
	else if ((op == WS_TEXT || op == WS_BINARY) && d->inmsg)
		(void)snprintf(what, sizeof(what),
		    "a new message inside a fragmented one");
	if (what[0] != '\0') {
		lost(w, dir, d->hoff, "framing", what, "framing", d->hts);
		return 1;
	}
	d->opcode = op;
	d->remain = len;
	d->fpos = 0;
	d->state = S_PAYLOAD;
	if (op >= 8) {
		memset(&d->c, 0, sizeof(d->c));
		d->c.opcode = op;
		d->c.offset = d->hoff;
		d->c.ts = d->hts;
		d->c.frames = 1;
		d->c.masked = d->masked;
		d->c.sent = len;
		d->c.code = -1;
	} else if (op != WS_CONT) {
		memset(&d->m, 0, sizeof(d->m));
		d->m.opcode = op;
		d->m.n = ++d->nmsg;
		d->m.offset = d->hoff;
		d->m.ts = d->hts;
		d->m.frames = 1;
		d->m.masked = d->masked;
		d->m.compressed = d->rsv1;
		d->m.code = -1;
		d->inmsg = 1;
		d->drop = 0;
		d->in = 0;
	} else
		d->m.frames++;
	return 1;
}

int
ws_data(struct ws_conn *w, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct ws_dir *d = &w->d[dir & 1];
	uint8_t buf[4096];
	size_t use, i;
	int e;

	dir &= 1;
	if (d->state == S_OFF)
		return 0;
	if (off + n <= d->next)
		return 0;
	if (off < d->next) {
		p += d->next - off;
		n -= (size_t)(d->next - off);
		off = d->next;
	}
	if (off > d->next)
		ws_gap(w, dir, d->next, off - d->next);
	d->next = off + n;
	while (n > 0 && d->state != S_LOST) {
		use = n;
		if (d->state == S_HEAD) {
			if (d->hlen == 0) {
				d->hoff = off;
				d->hts = ts;
			}
			/* One byte at a time up to what the header needs. */
			d->hdr[d->hlen++] = p[0];
			use = 1;
			if (header(w, dir) && d->state == S_PAYLOAD &&
			    d->remain == 0)
				frame_end(w, dir, ts);
		} else {
			if (use > d->remain)
				use = (size_t)d->remain;
			if (use > sizeof(buf))
				use = sizeof(buf);
			for (i = 0; i < use; i++)
				buf[i] = d->masked
				    ? p[i] ^ d->key[(d->fpos + i) & 3]
				    : p[i];
			if (d->opcode >= 8) {
				if (!d->c.problem) {
					memcpy(
					    d->c.payload + d->c.plen, buf, use);
					d->c.plen += use;
				}
			} else if ((e = payload(w, dir, buf, use, ts)) ==
			    TF_ERR_NOMEM)
				return e;
			d->fpos += use;
			d->remain -= use;
			if (d->remain == 0)
				frame_end(w, dir, ts);
		}
		p += use;
		n -= use;
		off += use;
	}
	return 0;
}

void
ws_gap(struct ws_conn *w, unsigned dir, uint64_t off, uint64_t len)
{
	struct ws_dir *d = &w->d[dir & 1];
	char what[96];

	dir &= 1;
	if (len > UINT64_MAX - off)
		len = UINT64_MAX - off;
	if (d->state == S_OFF || d->state == S_LOST) {
		if (off + len > d->next)
			d->next = off + len;
		return;
	}
	if (off + len <= d->next)
		return;
	/* Bytes between what came and the gap are missing too. */
	if (off > d->next) {
		len += off - d->next;
		off = d->next;
	} else {
		len -= d->next - off;
		off = d->next;
	}
	d->next = off + len;
	if (d->state == S_PAYLOAD && len <= d->remain) {
		/* The frame's length says where the next one begins. */
		if (d->opcode >= 8)
			d->c.problem = "gap";
		else
			msg_end(w, dir, "gap", d->hts);
		d->fpos += len;
		d->remain -= len;
		if (d->remain == 0)
			frame_end(w, dir, d->hts);
		return;
	}
	(void)snprintf(what, sizeof(what),
	    "%" PRIu64 " bytes missing where a frame header was due", len);
	lost(w, dir, off, "gap", what, "gap", d->hts);
}

void
ws_finish(struct ws_conn *w)
{
	struct ws_dir *d;
	unsigned dir;

	for (dir = 0; dir < 2; dir++) {
		d = &w->d[dir];
		if (d->state == S_PAYLOAD && d->opcode >= 8)
			control_end(w, dir, "cut");
		if (d->state == S_HEAD || d->state == S_PAYLOAD)
			msg_end(w, dir, "cut", d->hts);
		d->inmsg = 0;
		d->state = S_LOST;
	}
}

void
ws_release(struct ws_conn *w)
{
	struct ws_dir *d;
	unsigned dir;

	for (dir = 0; dir < 2; dir++) {
		d = &w->d[dir];
		if (d->f != NULL)
			(void)outdir_close(w->o->od, d->f, 0);
		d->f = NULL;
		free(d->name);
		d->name = NULL;
		digest_release(&d->dg);
		memset(&d->dg, 0, sizeof(d->dg));
		zs_free(d);
		d->state = S_OFF;
	}
}

void
ws_msg_json(const struct ws_msg *m, const char *prefix, struct json *j)
{
	char path[2 * WS_NAMELEN];
	unsigned i;

	json_begin(j, NULL);
	json_str(j, "opcode", ws_opcode_name(m->opcode));
	if (m->opcode < 8)
		json_u64(j, "n", m->n);
	json_u64(j, "offset", m->offset);
	json_u64(j, "frames", m->frames);
	json_bool(j, "masked", m->masked);
	if (m->opcode < 8)
		json_bool(j, "compressed", m->compressed);
	json_u64(j, "sent_length", m->sent);
	if (m->opcode == WS_CLOSE && m->code >= 0) {
		json_u64(j, "close_code", (uint64_t)m->code);
		json_bytes(j, "close_reason", m->payload + 2, m->plen - 2);
	} else if (m->opcode >= 8)
		json_bytes(j, "payload", m->payload, m->plen);
	if (m->opcode < 8) {
		if (m->name != NULL) {
			(void)snprintf(path, sizeof(path), "%s%s",
			    prefix != NULL ? prefix : "", m->name);
			json_bytes(j, "file", path, strlen(path));
		}
		json_u64(j, "length", m->length);
		for (i = 0; i < DIGEST_NALGS; i++)
			if (m->hex[i][0] != '\0')
				json_str(j, digest_name(i), m->hex[i]);
	}
	json_bool(j, "complete", m->complete);
	if (m->problem != NULL)
		json_str(j, "problem", m->problem);
	if (m->decerr != NULL)
		json_str(j, "decode_error", m->decerr);
	json_end(j);
}
