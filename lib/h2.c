/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP/2 framing, streams and header blocks over the two directions of a
 * connection, for lib/http (RFC 9113, RFC 7541).  See h2.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "h2.h"
#include "http.h"
#include "tferr.h"

enum {
	FR_DATA = 0,
	FR_HEADERS,
	FR_PRIORITY,
	FR_RST,
	FR_SETTINGS,
	FR_PUSH,
	FR_PING,
	FR_GOAWAY,
	FR_WINDOW,
	FR_CONT
};

#define FL_END_STREAM 0x01
#define FL_ACK 0x01
#define FL_END_HEADERS 0x04
#define FL_PADDED 0x08
#define FL_PRIORITY 0x20

enum { ROLE_NONE = 0, ROLE_CLIENT, ROLE_SERVER };
enum { BLK_OK = 0, BLK_BAD, BLK_GATHER };

#define DEFAULT_FRAME 16384u
#define DEFAULT_TABLE 4096u

/* A message being read: its fields live here. */
struct h2_msgx {
	struct http_msg m;
	unsigned dir; /* the direction it is reported in */
	int hasmethod;
	int hasstatus;
	int unknown; /* its header block was not decoded */
	int orphan;  /* DATA whose HEADERS the capture lost */
	size_t nfields;
	uint8_t *text; /* the fields as text, for -A; owned */
	size_t tlen;
	size_t tcap;
	char uri[HTTP_URILEN];
	char reason[HTTP_FIELDLEN];
	char host[HTTP_FIELDLEN];
	char ctype[HTTP_FIELDLEN];
	char cenc[HTTP_FIELDLEN];
	struct http_run runs[HTTP_MAXRUNS]; /* m.runs */
};

struct h2_stream {
	uint32_t id;
	uint64_t age;
	struct h2_msgx *m[2]; /* in progress, by the direction of its frames */
	int closed[2];        /* END_STREAM in that direction */
	int drop[2];          /* DATA of that direction not kept */
	void *requser;        /* the request's, awaiting the response */
	uint64_t reqn;
	char method[HTTP_METHODLEN];
};

struct h2_dir {
	int on;
	uint64_t start;
	uint64_t next;
	int role;
	unsigned pref; /* bytes of the client preface matched */
	int sync;      /* at a known frame boundary */
	uint8_t win[9];
	size_t wlen;
	uint64_t skipped; /* looking for a frame header */
	uint64_t skipoff;
	int inframe;
	int broken; /* the frame's prefix was lost: its payload skipped */
	uint32_t flen;
	uint32_t sid;
	uint8_t type;
	uint8_t flags;
	uint64_t foff;
	int64_t fts;
	uint32_t got;
	uint8_t pre[8];
	uint32_t prelen;
	uint32_t preneed; /* payload bytes the prefix ends at */
	uint32_t pad;
	/* The header block in progress. */
	int inblock;
	uint32_t bsid;
	int btype;
	int bend;
	int bstate; /* BLK_* */
	uint64_t bbytes;
	uint8_t *g; /* gathered, to be checked (table lost) */
	size_t glen;
	size_t gcap;
	struct h2_msgx *bm; /* NULL: trailers, decoded and dropped */
	uint32_t bstream;   /* the stream bm belongs to */
	nghttp2_hd_inflater *inf;
	int mid;      /* inf inside a block */
	int lost;     /* the dynamic table is unknown */
	size_t table; /* SETTINGS_HEADER_TABLE_SIZE for this direction */
	size_t acct;  /* of it, counted in tables_used */
	int tablepend;
	uint32_t maxframe;
	uint32_t highest; /* highest stream id opened by this side */
};

struct h2_conn {
	struct http_conn *c;
	int on;
	int via;
	struct h2_dir d[2];
	/* Sniffing: the first bytes of each direction, held. */
	uint8_t *hold[2];
	size_t holdlen[2];
	uint64_t holdoff[2];
	int64_t holdts[2];
	struct h2_stream **st; /* open, grown up to H2_MAXSTREAMS; owned */
	unsigned stcap;
	unsigned nst;
	uint64_t age;
	int gapped;
	int saidlost;
	int saidevict;
	int saidorphan;
	int saidtable;
	int nomem; /* out of memory where it could not be returned */
};

static const char nothing[] = "";

/*
 * The HPACK table bytes (SETTINGS_HEADER_TABLE_SIZE) the inflaters of all
 * connections may hold, at most H2_TABLES_MAX: the process's one filter
 * reads its connections one record at a time.
 */
static uint64_t tables_used;

/* Direction d's table may be size bytes: returns what there is room for. */
static size_t
table_grant(struct h2_dir *d, size_t size)
{
	uint64_t room = H2_TABLES_MAX - tables_used + d->acct;

	if (size > room)
		size = (size_t)room;
	tables_used = tables_used - d->acct + size;
	d->acct = size;
	return size;
}

static void
table_free(struct h2_dir *d)
{
	tables_used -= d->acct;
	d->acct = 0;
}

static void warnf(struct h2_conn *h, unsigned dir, uint64_t off,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
warnf(struct h2_conn *h, unsigned dir, uint64_t off, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (h->c->cb->warn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->c->cb->warn(h->c->arg, dir, off, buf);
}

static void
event(struct h2_conn *h, unsigned dir, uint64_t off, const char *what,
    const char *via)
{
	if (h->c->cb->h2 != NULL)
		h->c->cb->h2(h->c->arg, dir, off, what, via);
}

static void
unpaired(struct h2_conn *h, void *u)
{
	if (u != NULL && h->c->cb->unpaired != NULL)
		h->c->cb->unpaired(h->c->arg, u);
}

/* Makes h, off (sniffing) or on. */
static struct h2_conn *
conn_new(struct http_conn *c)
{
	struct h2_conn *h;
	unsigned d;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->c = c;
	for (d = 0; d < 2; d++) {
		h->d[d].next = UINT64_MAX;
		h->d[d].sync = 1;
		h->d[d].table = DEFAULT_TABLE;
		h->d[d].maxframe = DEFAULT_FRAME;
	}
	c->h2 = h;
	return h;
}

/* Direction dir speaks HTTP/2 from off. */
static void lose_table(
    struct h2_conn *h, unsigned dir, uint64_t off, const char *why);

static int
dir_on(struct h2_conn *h, unsigned dir, uint64_t off, int role)
{
	struct h2_dir *d = &h->d[dir];

	if (d->on)
		return 0;
	if (nghttp2_hd_inflate_new2(&d->inf, NULL) != 0)
		return TF_ERR_NOMEM;
	d->on = 1;
	d->start = off;
	d->next = off;
	d->role = role;
	d->pref = role == ROLE_SERVER ? H2_PREFACELEN : 0;
	h->on = 1;
	event(h, dir, off, "start",
	    h->via == H2_VIA_PREFACE       ? "preface"
	        : h->via == H2_VIA_UPGRADE ? "upgrade"
	                                   : "alpn");
	if (table_grant(d, DEFAULT_TABLE) < DEFAULT_TABLE)
		lose_table(h, dir, off, "limit");
	return 0;
}

/* The HPACK table of direction dir is lost: why, said once. */
static void
lose_table(struct h2_conn *h, unsigned dir, uint64_t off, const char *why)
{
	struct h2_dir *d = &h->d[dir];

	if (d->inf != NULL && (d->mid || !d->lost)) {
		nghttp2_hd_inflate_del(d->inf);
		d->inf = NULL;
		table_free(d);
	}
	d->mid = 0;
	d->lost = 1;
	if (h->saidlost)
		return;
	h->saidlost = 1;
	event(h, dir, off, "hpack-lost", why);
	warnf(h, dir, off,
	    "HTTP/2 header table lost (%s): only header blocks that do not "
	    "use it are decoded from here",
	    why);
}

/* ---- streams ---- */

static struct h2_stream *
st_find(struct h2_conn *h, uint32_t id)
{
	unsigned i;

	for (i = 0; i < h->nst; i++)
		if (h->st[i]->id == id)
			return h->st[i];
	return NULL;
}

static void msg_end(
    struct h2_conn *h, struct h2_stream *st, struct h2_msgx *x, int why);

/* Ends what stream st holds (its messages end why) and frees it. */
static void
st_free(struct h2_conn *h, struct h2_stream *st, int why)
{
	unsigned i, d;

	for (d = 0; d < 2; d++)
		if (st->m[d] != NULL) {
			struct h2_msgx *x = st->m[d];

			st->m[d] = NULL;
			msg_end(h, st, x, why);
		}
	for (d = 0; d < 2; d++)
		if (h->d[d].bm != NULL && h->d[d].bstream == st->id) {
			/* Its header block goes on, decoded, not kept. */
			free(h->d[d].bm->text);
			free(h->d[d].bm);
			h->d[d].bm = NULL;
		}
	unpaired(h, st->requser);
	for (i = 0; i < h->nst; i++)
		if (h->st[i] == st) {
			h->st[i] = h->st[--h->nst];
			break;
		}
	free(st);
}

/* The stream id, made if need be (evicting the oldest), or NULL. */
static struct h2_stream *
st_get(struct h2_conn *h, unsigned dir, uint32_t id)
{
	struct h2_stream *st = st_find(h, id), *old;
	unsigned i;

	if (st != NULL)
		return st;
	if (h->nst == H2_MAXSTREAMS) {
		old = h->st[0];
		for (i = 1; i < h->nst; i++)
			if (h->st[i]->age < old->age)
				old = h->st[i];
		if (!h->saidevict) {
			h->saidevict = 1;
			warnf(h, dir, h->d[dir].foff,
			    "more than %d HTTP/2 streams open: the oldest "
			    "dropped",
			    H2_MAXSTREAMS);
		}
		st_free(h, old, HTTP_END_EVICTED);
	}
	if (h->nst == h->stcap) {
		unsigned cap = h->stcap ? 2 * h->stcap : 4;
		struct h2_stream **a = realloc(h->st, cap * sizeof(*a));

		if (a == NULL)
			return NULL;
		h->st = a;
		h->stcap = cap;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->id = id;
	st->age = ++h->age;
	h->st[h->nst++] = st;
	if (id > h->d[dir].highest)
		h->d[dir].highest = id;
	return st;
}

/* Frees st when both its directions are closed. */
static void
st_closed(struct h2_conn *h, struct h2_stream *st)
{
	if (st->closed[0] && st->closed[1] && st->m[0] == NULL &&
	    st->m[1] == NULL)
		st_free(h, st, HTTP_END_COMPLETE);
}

/* ---- messages ---- */

static struct h2_msgx *
msg_new(struct h2_conn *h, unsigned dir, uint32_t stream, int isreq,
    uint64_t off, int64_t ts)
{
	struct h2_msgx *x;

	(void)h;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->dir = dir;
	x->m.isreq = isreq;
	x->m.h2 = 1;
	x->m.minor = 1;
	x->m.stream = stream;
	x->m.uri = x->uri;
	x->m.reason = x->reason;
	x->m.host = x->host;
	x->m.ctype = x->ctype;
	x->m.cenc = x->cenc;
	x->m.tenc = nothing;
	x->m.clen = -1;
	x->m.offset = off;
	x->m.ts = ts;
	x->m.bodyoff = UINT64_MAX;
	x->m.runs = x->runs;
	x->m.frame = HTTP_FRAME_NONE;
	return x;
}

static void
copy(struct h2_msgx *x, char *dst, size_t size, const uint8_t *p, size_t n)
{
	size_t i;

	if (n >= size) {
		n = size - 1;
		x->m.truncated = 1;
	}
	for (i = 0; i < n; i++)
		dst[i] = p[i] == 0 ? '?' : (char)p[i];
	dst[n] = '\0';
}

static void
append(struct h2_msgx *x, char *dst, size_t size, const uint8_t *p, size_t n)
{
	size_t l = strlen(dst);

	if (l == 0) {
		copy(x, dst, size, p, n);
		return;
	}
	if (l + 2 >= size) {
		x->m.truncated = 1;
		return;
	}
	dst[l++] = ',';
	dst[l++] = ' ';
	copy(x, dst + l, size - l, p, n);
}

static int
is(const nghttp2_nv *nv, const char *name)
{
	return nv->namelen == strlen(name) &&
	    memcmp(nv->name, name, nv->namelen) == 0;
}

/* Adds n bytes to x's text, within max; returns 0 or -1 past it. */
static int
text_add(struct h2_msgx *x, const void *p, size_t n, size_t max)
{
	size_t cap;
	uint8_t *b;

	if (x->tlen + n > max)
		return -1;
	if (x->tlen + n > x->tcap) {
		cap = x->tcap ? x->tcap : 256;
		while (cap < x->tlen + n)
			cap *= 2;
		if ((b = realloc(x->text, cap)) == NULL)
			return -1;
		x->text = b;
		x->tcap = cap;
	}
	memcpy(x->text + x->tlen, p, n);
	x->tlen += n;
	return 0;
}

/* A header field of the block being read, for x. */
static void
on_field(struct h2_conn *h, struct h2_msgx *x, const nghttp2_nv *nv)
{
	const struct http_limits *lim = h->c->lim;
	uint64_t v;
	size_t i;

	if (x == NULL)
		return;
	if (++x->nfields > lim->maxfields && x->m.headcut == HTTP_HCUT_NONE)
		x->m.headcut = HTTP_HCUT_FIELDS;
	if (nv->namelen > 0 && nv->name[0] != ':' &&
	    x->m.headcut == HTTP_HCUT_NONE &&
	    (text_add(x, nv->name, nv->namelen, lim->maxheader) < 0 ||
	        text_add(x, ": ", 2, lim->maxheader) < 0 ||
	        text_add(x, nv->value, nv->valuelen, lim->maxheader) < 0 ||
	        text_add(x, "\r\n", 2, lim->maxheader) < 0))
		x->m.headcut = HTTP_HCUT_BYTES;
	if (is(nv, ":method")) {
		x->hasmethod = 1;
		copy(x, x->m.method, sizeof(x->m.method), nv->value,
		    nv->valuelen);
	} else if (is(nv, ":path"))
		copy(x, x->uri, sizeof(x->uri), nv->value, nv->valuelen);
	else if (is(nv, ":authority") || (is(nv, "host") && !x->host[0]))
		copy(x, x->host, sizeof(x->host), nv->value, nv->valuelen);
	else if (is(nv, ":status")) {
		x->hasstatus = 1;
		for (i = 0, v = 0; i < nv->valuelen && i < 3; i++)
			if (nv->value[i] >= '0' && nv->value[i] <= '9')
				v = v * 10 + (uint64_t)(nv->value[i] - '0');
		x->m.status = (int)v;
	} else if (is(nv, "content-type"))
		append(x, x->ctype, sizeof(x->ctype), nv->value, nv->valuelen);
	else if (is(nv, "content-encoding"))
		append(x, x->cenc, sizeof(x->cenc), nv->value, nv->valuelen);
	else if (is(nv, "content-length")) {
		for (i = 0, v = 0; i < nv->valuelen && i < 18; i++) {
			if (nv->value[i] < '0' || nv->value[i] > '9')
				break;
			v = v * 10 + (uint64_t)(nv->value[i] - '0');
		}
		if (i == nv->valuelen && i > 0 && i < 18)
			x->m.clen = (int64_t)v;
	}
}

/*
 * Inflates n bytes of a header block with inf, the fields to x (NULL:
 * none kept); final: they end it.  Returns 0, or -1 when the inflater
 * failed.
 */
static int
inflate(struct h2_conn *h, nghttp2_hd_inflater *inf, struct h2_msgx *x,
    const uint8_t *p, size_t n, int final)
{
	nghttp2_nv nv;
	ssize_t r;
	int fl;

	for (;;) {
		fl = 0;
		r = nghttp2_hd_inflate_hd2(inf, &nv, &fl, p, n, final);
		if (r < 0)
			return -1;
		p += r;
		n -= (size_t)r;
		if (fl & NGHTTP2_HD_INFLATE_EMIT)
			on_field(h, x, &nv);
		if (fl & NGHTTP2_HD_INFLATE_FINAL) {
			(void)nghttp2_hd_inflate_end_headers(inf);
			return 0;
		}
		if (!(fl & NGHTTP2_HD_INFLATE_EMIT) && n == 0)
			return final ? -1 : 0;
	}
}

/* The message x begins: numbered, paired, said. */
static void
msg_begin(struct h2_conn *h, struct h2_stream *st, struct h2_msgx *x)
{
	struct http_msg *m = &x->m;
	char line[HTTP_URILEN + HTTP_METHODLEN + 32];
	uint8_t *head = NULL;
	int k;

	m->n = ++h->c->d[x->dir].nmsg;
	if (!m->isreq && st != NULL) {
		m->reqn = st->reqn;
		(void)snprintf(m->method, sizeof(m->method), "%s", st->method);
		if (m->status >= 200 || x->unknown || x->orphan) {
			m->requser = st->requser;
			st->requser = NULL;
		}
	}
	/* The header block as text, for -A: a start line, the fields. */
	if (!x->unknown && !x->orphan) {
		if (m->isreq)
			k = snprintf(line, sizeof(line), "%s %s HTTP/2\r\n",
			    m->method, x->uri);
		else
			k = snprintf(
			    line, sizeof(line), "HTTP/2 %03d\r\n", m->status);
		if (k > 0 && (head = malloc((size_t)k + x->tlen + 2)) != NULL) {
			memcpy(head, line, (size_t)k);
			if (x->tlen > 0)
				memcpy(head + k, x->text, x->tlen);
			memcpy(head + (size_t)k + x->tlen, "\r\n", 2);
			m->head = head;
			m->headlen = (size_t)k + x->tlen + 2;
		}
	}
	if (h->c->cb->begin != NULL)
		h->c->cb->begin(h->c->arg, x->dir, m);
	m->head = NULL;
	m->headlen = 0;
	free(head);
	free(x->text);
	x->text = NULL;
	x->tlen = x->tcap = 0;
}

/* The message x of stream st (or none) ends why; x is freed. */
static void
msg_end(struct h2_conn *h, struct h2_stream *st, struct h2_msgx *x, int why)
{
	if (why == HTTP_END_COMPLETE && x->orphan)
		why = HTTP_END_GAP;
	else if (why == HTTP_END_COMPLETE && x->unknown)
		why = HTTP_END_HEADERS;
	x->m.end = (enum http_end)why;
	if (h->c->cb->end != NULL)
		h->c->cb->end(h->c->arg, x->dir, &x->m);
	if (x->m.isreq) {
		if (st != NULL && st->requser == NULL) {
			st->requser = x->m.user;
			st->reqn = x->m.n;
			(void)snprintf(
			    st->method, sizeof(st->method), "%s", x->m.method);
		} else
			unpaired(h, x->m.user);
	}
	free(x->text);
	free(x);
}

/* ---- header blocks ---- */

static uint64_t
block_cap(const struct h2_conn *h)
{
	uint64_t c = (uint64_t)h->c->lim->maxheader * 16;

	return c < H2_BLOCKMIN ? H2_BLOCKMIN : c;
}

/*
 * A header block begins in direction dir: HEADERS of stream sid, or a
 * PUSH_PROMISE of stream sid promising prom.  Returns 0 or
 * TF_ERR_NOMEM.
 */
static int
block_start(
    struct h2_conn *h, unsigned dir, uint32_t sid, int type, uint32_t prom)
{
	struct h2_dir *d = &h->d[dir];
	struct h2_stream *st, *ps;

	d->inblock = 1;
	d->bsid = sid;
	d->btype = type;
	d->bend = type == FR_HEADERS && (d->flags & FL_END_STREAM);
	d->bstate = d->lost ? BLK_GATHER : BLK_OK;
	d->bbytes = 0;
	d->glen = 0;
	d->bm = NULL;
	if ((st = st_get(h, dir, sid)) == NULL)
		return TF_ERR_NOMEM;
	if (type == FR_PUSH) {
		if ((ps = st_get(h, dir, prom)) == NULL)
			return TF_ERR_NOMEM;
		ps->closed[!dir] = 1; /* the client sends nothing on it */
		d->bstream = prom;
		d->bm = msg_new(h, !dir, prom, 1, d->foff, d->fts);
		if (d->bm == NULL)
			return TF_ERR_NOMEM;
		d->bm->m.promised = sid;
		return 0;
	}
	d->bstream = sid;
	if (st->m[dir] != NULL)
		return 0; /* trailers */
	d->bm = msg_new(h, dir, sid, d->role != ROLE_SERVER, d->foff, d->fts);
	return d->bm == NULL ? TF_ERR_NOMEM : 0;
}

/* n bytes of the header block in progress in direction dir. */
static int
block_frag(struct h2_conn *h, unsigned dir, const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->d[dir];
	size_t cap;
	uint8_t *b;

	d->bbytes += n;
	if (d->bstate == BLK_BAD || n == 0)
		return 0;
	if (d->bbytes > block_cap(h)) {
		warnf(h, dir, d->foff,
		    "stream %" PRIu32 ": HTTP/2 header block longer than "
		    "%" PRIu64 " bytes: not decoded",
		    d->bsid, block_cap(h));
		if (d->bstate == BLK_OK)
			lose_table(h, dir, d->foff, "limit");
		d->bstate = BLK_BAD;
		return 0;
	}
	if (d->bstate == BLK_GATHER) {
		if (d->glen + n > h->c->lim->maxheader) {
			d->bstate = BLK_BAD;
			return 0;
		}
		if (d->glen + n > d->gcap) {
			cap = d->gcap ? d->gcap : 1024;
			while (cap < d->glen + n)
				cap *= 2;
			if ((b = realloc(d->g, cap)) == NULL)
				return TF_ERR_NOMEM;
			d->g = b;
			d->gcap = cap;
		}
		memcpy(d->g + d->glen, p, n);
		d->glen += n;
		return 0;
	}
	d->mid = 1;
	if (inflate(h, d->inf, d->bm, p, n, 0) < 0) {
		lose_table(h, dir, d->foff, "error");
		d->bstate = BLK_BAD;
	}
	return 0;
}

/* Decodes the gathered block of direction dir, if that is sure. */
static void
block_gathered(struct h2_conn *h, unsigned dir, struct h2_msgx *x)
{
	struct h2_dir *d = &h->d[dir];
	const uint8_t *g = d->g != NULL ? d->g : (const uint8_t *)nothing;
	nghttp2_hd_inflater *inf;
	int zero = 0, r = h2_hpack_static(g, d->glen, &zero);

	if (r < 0 || (r == 0 && !zero)) {
		d->bstate = BLK_BAD;
		return;
	}
	if (nghttp2_hd_inflate_new2(&inf, NULL) != 0) {
		d->bstate = BLK_BAD;
		return;
	}
	(void)nghttp2_hd_inflate_change_table_size(inf, d->table);
	if (inflate(h, inf, x, g, d->glen, 1) < 0) {
		nghttp2_hd_inflate_del(inf);
		d->bstate = BLK_BAD;
		return;
	}
	if (zero && table_grant(d, d->table) == d->table) {
		/* Emptied by the block: the table is known again. */
		if (d->inf != NULL)
			nghttp2_hd_inflate_del(d->inf);
		d->inf = inf;
		d->lost = 0;
	} else {
		if (d->inf == NULL)
			table_free(d);
		nghttp2_hd_inflate_del(inf);
	}
}

/* The header block of direction dir ends (END_HEADERS, or lost). */
static void
block_end(struct h2_conn *h, unsigned dir)
{
	struct h2_dir *d = &h->d[dir];
	struct h2_msgx *x = d->bm;
	struct h2_stream *st;

	d->inblock = 0;
	d->bm = NULL;
	if (d->bstate == BLK_OK) {
		d->mid = 1;
		if (inflate(h, d->inf, x, (const uint8_t *)nothing, 0, 1) < 0) {
			lose_table(h, dir, d->foff, "error");
			d->bstate = BLK_BAD;
		}
		d->mid = 0;
	} else if (d->bstate == BLK_GATHER)
		block_gathered(h, dir, x);
	if (d->tablepend && !d->mid && d->inf != NULL) {
		(void)nghttp2_hd_inflate_change_table_size(d->inf, d->table);
		d->tablepend = 0;
	}
	if ((st = st_find(h, d->bstream)) == NULL) {
		if (x != NULL) {
			free(x->text);
			free(x);
		}
		return;
	}
	if (x != NULL) {
		x->unknown = d->bstate == BLK_BAD;
		if (x->hasmethod)
			x->m.isreq = 1;
		else if (x->hasstatus)
			x->m.isreq = 0;
		if (d->btype == FR_PUSH) {
			msg_begin(h, st, x);
			msg_end(h, st, x, HTTP_END_COMPLETE);
			return;
		}
		st->m[dir] = x;
		msg_begin(h, st, x);
		if (!x->m.isreq && !x->unknown && x->m.status >= 100 &&
		    x->m.status < 200 && !d->bend) {
			/* Interim: the final response comes after. */
			st->m[dir] = NULL;
			msg_end(h, st, x, HTTP_END_COMPLETE);
			return;
		}
	}
	if (d->bend) {
		st->closed[dir] = 1;
		if ((x = st->m[dir]) != NULL) {
			st->m[dir] = NULL;
			msg_end(h, st, x, HTTP_END_COMPLETE);
		}
		st_closed(h, st);
	}
}

/* ---- frames ---- */

/* Bytes of the frame's payload before its content: its fixed fields. */
static uint32_t
prefix_len(uint8_t type, uint8_t flags)
{
	uint32_t pad = (flags & FL_PADDED) ? 1 : 0;

	switch (type) {
	case FR_DATA:
		return pad;
	case FR_HEADERS:
		return pad + ((flags & FL_PRIORITY) ? 5 : 0);
	case FR_PUSH:
		return pad + 4;
	case FR_PRIORITY:
		return 5;
	case FR_RST:
	case FR_WINDOW:
		return 4;
	case FR_SETTINGS:
		return 6;
	case FR_PING:
	case FR_GOAWAY:
		return 8;
	}
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A frame header (9 bytes at b) could begin a frame here. */
static int
plausible(struct h2_conn *h, unsigned dir, const uint8_t *b)
{
	const struct h2_dir *d = &h->d[dir];
	uint32_t len = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	uint32_t sid = be32(b + 5);
	struct h2_stream *st;
	uint8_t fl = b[4];

	if (sid & 0x80000000u)
		return 0;
	switch (b[3]) {
	case FR_DATA:
		st = sid ? st_find(h, sid) : NULL;
		return st != NULL && !st->closed[dir] && !(fl & ~0x09) &&
		    len <= d->maxframe;
	case FR_HEADERS:
		if (sid == 0 || (fl & ~0x2d) || len > d->maxframe)
			return 0;
		if ((st = st_find(h, sid)) != NULL)
			return !st->closed[dir];
		return d->role == ROLE_CLIENT && (sid & 1) &&
		    sid > d->highest && sid - d->highest < 2 * H2_MAXSTREAMS;
	case FR_PRIORITY:
		return len == 5 && sid != 0 && fl == 0;
	case FR_RST:
		return len == 4 && sid != 0 && fl == 0 && st_find(h, sid);
	case FR_SETTINGS:
		return sid == 0 &&
		    ((fl == 0 && len % 6 == 0 && len <= 60) ||
		        (fl == FL_ACK && len == 0));
	case FR_PING:
		return len == 8 && sid == 0 && !(fl & ~FL_ACK);
	case FR_GOAWAY:
		return sid == 0 && fl == 0 && len >= 8 && len <= d->maxframe;
	case FR_WINDOW:
		return len == 4 && fl == 0;
	}
	return 0;
}

static int prefix_done(struct h2_conn *h, unsigned dir);
static void frame_done(struct h2_conn *h, unsigned dir);

/* The frame header in d->win begins a frame at off. */
static int
frame_start(struct h2_conn *h, unsigned dir, uint64_t off, int64_t ts)
{
	struct h2_dir *d = &h->d[dir];
	int e;

	d->flen =
	    (uint32_t)d->win[0] << 16 | (uint32_t)d->win[1] << 8 | d->win[2];
	d->type = d->win[3];
	d->flags = d->win[4];
	d->sid = be32(d->win + 5) & 0x7fffffffu;
	d->foff = off;
	d->fts = ts;
	d->got = 0;
	d->prelen = 0;
	d->pad = 0;
	d->broken = 0;
	d->inframe = 1;
	d->wlen = 0;
	if (d->inblock && (d->type != FR_CONT || d->sid != d->bsid)) {
		warnf(h, dir, off,
		    "stream %" PRIu32 ": HTTP/2 header block without its "
		    "CONTINUATION",
		    d->bsid);
		if (d->bstate == BLK_OK)
			lose_table(h, dir, off, "error");
		d->bstate = BLK_BAD;
		block_end(h, dir);
	}
	if (d->type == FR_CONT && !d->inblock)
		d->broken = 1;
	d->preneed = prefix_len(d->type, d->flags);
	if (d->type == FR_SETTINGS && ((d->flags & FL_ACK) || d->flen == 0))
		d->preneed = 0;
	if (d->preneed > d->flen) {
		warnf(h, dir, off,
		    "HTTP/2 frame of type %u shorter than its fields: skipped",
		    d->type);
		d->broken = 1;
	}
	if (!d->broken && d->preneed == 0 && (e = prefix_done(h, dir)) < 0)
		return e;
	if (d->flen == 0)
		frame_done(h, dir);
	return 0;
}

/* The frame's prefix is in d->pre: acts on it. */
static int
prefix_done(struct h2_conn *h, unsigned dir)
{
	struct h2_dir *d = &h->d[dir];
	const uint8_t *q = d->pre;
	uint32_t id, v;

	switch (d->type) {
	case FR_DATA:
	case FR_HEADERS:
	case FR_PUSH:
		d->pad = (d->flags & FL_PADDED) ? q[0] : 0;
		if (d->pad > d->flen - d->preneed) {
			warnf(h, dir, d->foff,
			    "stream %" PRIu32 ": HTTP/2 padding longer than "
			    "its frame",
			    d->sid);
			d->pad = d->flen - d->preneed;
		}
		if (d->type == FR_DATA || d->sid == 0)
			break;
		return block_start(h, dir, d->sid, d->type,
		    d->type == FR_PUSH
		        ? be32(q + ((d->flags & FL_PADDED) ? 1 : 0)) &
		            0x7fffffffu
		        : 0);
	case FR_SETTINGS:
		if ((d->flags & FL_ACK) || d->flen == 0)
			break;
		id = (uint32_t)q[0] << 8 | q[1];
		v = be32(q + 2);
		if (id == 1) {
			/* What the other side may use to encode to us. */
			struct h2_dir *o = &h->d[!dir];

			if (v > H2_TABLEMAX) {
				if (!h->saidtable)
					warnf(h, dir, d->foff,
					    "HTTP/2 header table of %" PRIu32
					    " bytes: %u decoded at most",
					    v, H2_TABLEMAX);
				h->saidtable = 1;
				v = H2_TABLEMAX;
			}
			if (o->inf != NULL && table_grant(o, v) < v) {
				v = (uint32_t)o->acct;
				if (!h->saidtable)
					warnf(h, dir, d->foff,
					    "HTTP/2 header tables of all "
					    "connections past %" PRIu64
					    " bytes: this one's %" PRIu32 " "
					    "bytes at most",
					    (uint64_t)H2_TABLES_MAX, v);
				h->saidtable = 1;
			}
			o->table = v;
			if (o->inf != NULL && !o->mid)
				(void)nghttp2_hd_inflate_change_table_size(
				    o->inf, v);
			else
				o->tablepend = 1;
		} else if (id == 5 && v >= DEFAULT_FRAME && v < (1u << 24))
			h->d[!dir].maxframe = v;
		/* The next entry, if there is room for one. */
		if (d->flen - d->got >= 6) {
			d->preneed = d->got + 6;
			d->prelen = 0;
		}
		break;
	}
	return 0;
}

/*
 * Body bytes of x at off, n of them: joined to the last run when they
 * follow it, else a run of their own, or past HTTP_MAXRUNS the last run
 * stretched to them.
 */
static void
run_add(struct h2_msgx *x, uint64_t off, uint64_t n)
{
	struct http_run *r = x->m.nruns > 0 ? &x->runs[x->m.nruns - 1] : NULL;

	if (r != NULL && r->off + r->len == off)
		r->len += n;
	else if (x->m.nruns < HTTP_MAXRUNS) {
		r = &x->runs[x->m.nruns++];
		r->off = off;
		r->len = n;
	} else {
		r->len = off + n - r->off;
		x->m.runscut++;
	}
}

/* DATA content of direction dir: n bytes at off. */
static int
data(struct h2_conn *h, unsigned dir, uint64_t off, const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->d[dir];
	struct h2_stream *st = st_find(h, d->sid);
	struct h2_msgx *x;

	if (st == NULL) {
		if (!h->gapped || d->sid == 0) {
			if (!h->saidorphan)
				warnf(h, dir, d->foff,
				    "HTTP/2 DATA on stream %" PRIu32
				    ", not open: skipped",
				    d->sid);
			h->saidorphan = 1;
			return 0;
		}
		if ((st = st_get(h, dir, d->sid)) == NULL)
			return TF_ERR_NOMEM;
	}
	if (st->drop[dir] || st->closed[dir])
		return 0;
	if ((x = st->m[dir]) == NULL) {
		if (!h->gapped)
			return 0;
		/* Its HEADERS are in a gap: kept by stream id. */
		x = msg_new(
		    h, dir, d->sid, d->role == ROLE_CLIENT, d->foff, d->fts);
		if (x == NULL)
			return TF_ERR_NOMEM;
		x->orphan = 1;
		st->m[dir] = x;
		msg_begin(h, st, x);
	}
	if (n == 0)
		return 0;
	if (x->m.bodyoff == UINT64_MAX)
		x->m.bodyoff = off;
	run_add(x, off, n);
	x->m.bodylen += n;
	if (h->c->cb->body != NULL)
		h->c->cb->body(h->c->arg, dir, &x->m, p, n);
	return 0;
}

/*
 * The open stream of lowest id from min on (of parity par, unless par is
 * 2), or NULL: streams cut at once end in stream order, which numbers
 * their files (tf-http).
 */
static struct h2_stream *
st_next(const struct h2_conn *h, uint64_t min, unsigned par)
{
	struct h2_stream *st = NULL;
	unsigned i;

	for (i = 0; i < h->nst; i++)
		if (h->st[i]->id >= min &&
		    (par == 2 || (h->st[i]->id & 1) == par) &&
		    (st == NULL || h->st[i]->id < st->id))
			st = h->st[i];
	return st;
}

/* A GOAWAY from direction dir: streams of the other side past last. */
static void
goaway(struct h2_conn *h, unsigned dir, uint32_t last)
{
	unsigned parity = h->d[dir].role == ROLE_SERVER ? 1 : 0;
	struct h2_stream *st;

	while ((st = st_next(h, (uint64_t)last + 1, parity)) != NULL)
		st_free(h, st, HTTP_END_GOAWAY);
}

/* The frame of direction dir ended (all its bytes passed, or lost). */
static void
frame_done(struct h2_conn *h, unsigned dir)
{
	struct h2_dir *d = &h->d[dir];
	struct h2_stream *st;
	struct h2_msgx *x;

	d->inframe = 0;
	d->wlen = 0;
	switch (d->type) {
	case FR_DATA:
		if (!(d->flags & FL_END_STREAM) ||
		    (st = st_find(h, d->sid)) == NULL)
			break;
		st->closed[dir] = 1;
		st->drop[dir] = 0;
		if ((x = st->m[dir]) != NULL) {
			st->m[dir] = NULL;
			msg_end(h, st, x, HTTP_END_COMPLETE);
		}
		st_closed(h, st);
		break;
	case FR_HEADERS:
	case FR_PUSH:
	case FR_CONT:
		if (d->inblock && (d->flags & FL_END_HEADERS))
			block_end(h, dir);
		break;
	case FR_RST:
		if (!d->broken && d->sid != 0 &&
		    (st = st_find(h, d->sid)) != NULL) {
			if (st->m[0] != NULL || st->m[1] != NULL)
				warnf(h, dir, d->foff,
				    "stream %" PRIu32 ": reset (error %" PRIu32
				    ")",
				    d->sid, be32(d->pre));
			st_free(h, st, HTTP_END_RESET);
		}
		break;
	case FR_GOAWAY:
		if (!d->broken)
			goaway(h, dir, be32(d->pre) & 0x7fffffffu);
		break;
	}
}

/*
 * Bytes of the frame in progress in direction dir: n at p, offset off.
 * Returns the bytes used, or TF_ERR_NOMEM.
 */
static int64_t
frame_bytes(
    struct h2_conn *h, unsigned dir, uint64_t off, const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->d[dir];
	uint32_t left = d->flen - d->got, k;
	size_t use = n < left ? n : left;
	int e = 0;

	if (d->broken)
		;
	else if (d->got < d->preneed) {
		k = d->preneed - d->got;
		if (use > k)
			use = k;
		memcpy(d->pre + d->prelen, p, use);
		d->prelen += (uint32_t)use;
		d->got += (uint32_t)use;
		if (d->got == d->preneed)
			e = prefix_done(h, dir);
		if (d->got == d->flen)
			frame_done(h, dir);
		return e < 0 ? e : (int64_t)use;
	} else if (d->got < d->flen - d->pad) {
		k = d->flen - d->pad - d->got;
		if (use > k)
			use = k;
		if (d->type == FR_DATA)
			e = data(h, dir, off, p, use);
		else if (d->inblock &&
		    (d->type == FR_HEADERS || d->type == FR_PUSH ||
		        d->type == FR_CONT))
			e = block_frag(h, dir, p, use);
	}
	d->got += (uint32_t)use;
	if (d->got == d->flen)
		frame_done(h, dir);
	return e < 0 ? e : (int64_t)use;
}

/* Looks for a frame header in the bytes after lost framing. */
static size_t
resync(struct h2_conn *h, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->d[dir];
	size_t i;

	for (i = 0; i < n; i++) {
		if (d->wlen == 9) {
			memmove(d->win, d->win + 1, 8);
			d->wlen = 8;
			if (d->skipped++ == 0)
				d->skipoff = off + i - 9;
		}
		d->win[d->wlen++] = p[i];
		if (d->wlen == 9 && plausible(h, dir, d->win)) {
			if (d->skipped > 0)
				warnf(h, dir, d->skipoff,
				    "%" PRIu64 " bytes skipped to find the "
				    "next HTTP/2 frame",
				    d->skipped);
			d->skipped = 0;
			d->sync = 1;
			if (frame_start(h, dir, off + i + 1 - 9, ts) < 0)
				h->nomem = 1;
			return i + 1;
		}
	}
	return n;
}

/* Framing is lost in direction dir. */
static void
unsync(struct h2_conn *h, unsigned dir)
{
	struct h2_dir *d = &h->d[dir];

	unsigned i;

	/* Header blocks may be among the bytes skipped, and DATA: the
	 * messages in progress are cut, the rest of their DATA dropped. */
	if (!d->lost)
		lose_table(h, dir, d->next, "gap");
	for (i = 0; i < h->nst; i++) {
		struct h2_stream *st = h->st[i];
		struct h2_msgx *x = st->m[dir];

		if (x == NULL)
			continue;
		warnf(h, dir, d->next,
		    "stream %" PRIu32 ": message %" PRIu64 ": bytes missing "
		    "from the capture",
		    st->id, x->m.n);
		st->m[dir] = NULL;
		st->drop[dir] = 1;
		msg_end(h, st, x, HTTP_END_GAP);
	}
	if (d->inblock) {
		d->bstate = BLK_BAD;
		block_end(h, dir);
	}
	d->inframe = 0;
	d->sync = 0;
	d->wlen = 0;
	d->skipped = 0;
}

/* The body of the DATA frame in progress lost bytes: its message ends. */
static void
data_gap(struct h2_conn *h, unsigned dir, uint64_t off, uint64_t len)
{
	struct h2_dir *d = &h->d[dir];
	struct h2_stream *st = st_find(h, d->sid);
	struct h2_msgx *x;

	if (st == NULL)
		return;
	if ((x = st->m[dir]) != NULL) {
		warnf(h, dir, off,
		    "stream %" PRIu32 ": message %" PRIu64 ": %" PRIu64
		    " bytes missing from the capture",
		    d->sid, x->m.n, len);
		st->m[dir] = NULL;
		msg_end(h, st, x, HTTP_END_GAP);
	}
	st->drop[dir] = 1;
}

static void
dir_gap(struct h2_conn *h, unsigned dir, uint64_t off, uint64_t len)
{
	struct h2_dir *d = &h->d[dir];
	uint64_t left;

	h->gapped = 1;
	if (!d->sync) {
		d->wlen = 0;
		return;
	}
	if (d->pref < H2_PREFACELEN) {
		d->pref = H2_PREFACELEN;
		unsync(h, dir);
		return;
	}
	if (!d->inframe) {
		unsync(h, dir);
		return;
	}
	left = d->flen - d->got;
	if (d->got < d->preneed) {
		d->broken = 1;
		if (d->type == FR_DATA)
			data_gap(h, dir, off, len);
	} else if (!d->broken && d->type == FR_DATA &&
	    d->got < d->flen - d->pad)
		data_gap(h, dir, off, len);
	if (!d->broken && d->inblock && d->got < d->flen - d->pad &&
	    d->type != FR_DATA) {
		if (d->bstate != BLK_BAD && !d->lost)
			lose_table(h, dir, off, "gap");
		d->bstate = BLK_BAD;
	}
	if (d->inblock && d->broken && d->bstate != BLK_BAD) {
		if (!d->lost)
			lose_table(h, dir, off, "gap");
		d->bstate = BLK_BAD;
	}
	if (len < left) {
		d->got += (uint32_t)len;
		return;
	}
	d->got = d->flen;
	frame_done(h, dir);
	if (len > left)
		unsync(h, dir);
}

/* Bytes of direction dir, which speaks HTTP/2. */
static int
dir_data(struct h2_conn *h, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->d[dir];
	int64_t r;
	size_t use;
	int e;

	if (off < d->next) {
		if (off + n <= d->next)
			return 0;
		p += d->next - off;
		n -= (size_t)(d->next - off);
		off = d->next;
	} else if (off > d->next)
		dir_gap(h, dir, d->next, off - d->next);
	d->next = off + n;
	while (n > 0) {
		if (d->pref < H2_PREFACELEN) {
			static const char pri[] = H2_PREFACE;

			if (p[0] != (uint8_t)pri[d->pref]) {
				if (d->role == ROLE_NONE && d->pref == 0) {
					/* ALPN: not the client's side. */
					d->role = ROLE_SERVER;
					if (h->d[!dir].role == ROLE_NONE)
						h->d[!dir].role = ROLE_CLIENT;
				} else
					warnf(h, dir, off,
					    "no HTTP/2 client preface");
				d->pref = H2_PREFACELEN;
				continue;
			}
			if (d->role == ROLE_NONE) {
				d->role = ROLE_CLIENT;
				if (h->d[!dir].role == ROLE_NONE) {
					h->d[!dir].role = ROLE_SERVER;
					h->d[!dir].pref = H2_PREFACELEN;
				}
			}
			d->pref++;
			use = 1;
		} else if (!d->sync)
			use = resync(h, dir, off, ts, p, n);
		else if (!d->inframe) {
			use = 9 - d->wlen < n ? 9 - d->wlen : n;
			memcpy(d->win + d->wlen, p, use);
			d->wlen += use;
			if (d->wlen == 9 &&
			    (e = frame_start(h, dir, off + use - 9, ts)) < 0)
				return e;
		} else {
			if ((r = frame_bytes(h, dir, off, p, n)) < 0)
				return (int)r;
			use = (size_t)r;
		}
		p += use;
		n -= use;
		off += use;
	}
	return h->nomem ? TF_ERR_NOMEM : 0;
}

/* ---- sniffing and lib/http's hooks ---- */

/*
 * Gives the bytes held for direction dir to lib/http (HTTP/2 when the
 * connection speaks it now, else HTTP/1.x), taken off h first: what
 * they make lib/http do may come back here.
 */
static int
release_hold(struct http_conn *c, unsigned dir)
{
	struct h2_conn *h = c->h2;
	uint8_t *b = h->hold[dir];
	size_t len = h->holdlen[dir];
	int e = 0;

	h->hold[dir] = NULL;
	h->holdlen[dir] = 0;
	if (b != NULL && len > 0)
		e = http_conn_data(
		    c, dir, h->holdoff[dir], h->holdts[dir], b, len);
	free(b);
	return e;
}

/* Not HTTP/2: the bytes held go to HTTP/1.x, the sniffing state goes. */
static int
sniff_done(struct http_conn *c)
{
	struct h2_conn *h = c->h2;
	uint8_t *b[2];
	size_t len[2];
	uint64_t off[2];
	int64_t ts[2];
	int e = 0, e2;
	unsigned d;

	c->h2sniffed = 1;
	if (h == NULL || h->on)
		return 0;
	for (d = 0; d < 2; d++) {
		b[d] = h->hold[d];
		len[d] = h->holdlen[d];
		off[d] = h->holdoff[d];
		ts[d] = h->holdts[d];
	}
	free(h);
	c->h2 = NULL;
	for (d = 0; d < 2; d++) {
		if (b[d] != NULL && len[d] > 0 &&
		    (e2 = http_conn_data(c, d, off[d], ts[d], b[d], len[d])) <
		        0)
			e = e2;
		free(b[d]);
	}
	return e;
}

/* What the first bytes of a direction say: 2 h2 preface, 1 maybe, 0 no. */
static int
sniff_kind(const uint8_t *b, size_t n)
{
	uint32_t len;

	if (memcmp(b, H2_PREFACE, n < H2_PREFACELEN ? n : H2_PREFACELEN) == 0)
		return n >= H2_PREFACELEN ? 2 : 1;
	/* A server's first frame: SETTINGS on stream 0. */
	if (n > 3 && b[3] != FR_SETTINGS)
		return 0;
	if (n > 4 && b[4] != 0)
		return 0;
	if (n >= 9) {
		len = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
		if (be32(b + 5) != 0 || len % 6 != 0 || len > 16384)
			return 0;
	}
	return 1;
}

int
h2_take(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct h2_conn *h = c->h2;
	uint8_t *b;
	size_t len;
	int kind, e;

	dir &= 1;
	if (h != NULL && h->on) {
		if (!h->d[dir].on)
			return 0;
		if (off + n <= h->d[dir].start)
			return 0;
		if (off < h->d[dir].start) {
			p += h->d[dir].start - off;
			n -= (size_t)(h->d[dir].start - off);
			off = h->d[dir].start;
		}
		e = dir_data(h, dir, off, ts, p, n);
		return e < 0 ? e : 1;
	}
	if (c->h2sniffed || n == 0)
		return 0;
	/* The first bytes of the direction, at the connection's start. */
	if (h != NULL && h->hold[dir] != NULL) {
		if (off != h->holdoff[dir] + h->holdlen[dir])
			return sniff_done(c);
	} else if (off != 0 || c->d[dir].next != UINT64_MAX)
		return sniff_done(c);
	if (h == NULL && (h = conn_new(c)) == NULL)
		return TF_ERR_NOMEM;
	len = h->holdlen[dir] + n;
	if (len > H2_HOLDMAX)
		return sniff_done(c);
	if ((b = realloc(h->hold[dir], len)) == NULL)
		return TF_ERR_NOMEM;
	if (h->holdlen[dir] == 0) {
		h->holdoff[dir] = off;
		h->holdts[dir] = ts;
	}
	memcpy(b + h->holdlen[dir], p, n);
	h->hold[dir] = b;
	h->holdlen[dir] = len;
	kind = sniff_kind(b, len);
	if (kind == 0) {
		if ((e = sniff_done(c)) < 0)
			return e;
		return 1; /* given to HTTP/1.x from the hold */
	}
	if (kind == 1)
		return 1;
	/* The client preface: HTTP/2 from both directions' starts. */
	c->h2sniffed = 1;
	h->via = H2_VIA_PREFACE;
	if ((e = dir_on(h, !dir, 0, ROLE_SERVER)) < 0 ||
	    (e = dir_on(h, dir, 0, ROLE_CLIENT)) < 0)
		return e;
	if (h->hold[!dir] != NULL && (e = release_hold(c, !dir)) < 0)
		return e;
	return (e = release_hold(c, dir)) < 0 ? e : 1;
}

int
h2_gap(struct http_conn *c, unsigned dir, uint64_t off, uint64_t len)
{
	struct h2_conn *h = c->h2;

	dir &= 1;
	if (h == NULL || !h->on) {
		(void)sniff_done(c);
		return 0;
	}
	if (!h->d[dir].on || off + len <= h->d[dir].start)
		return 0;
	if (off + len <= h->d[dir].next)
		return 1;
	/* From the byte expected: what came between is missing too. */
	len = off + len - h->d[dir].next;
	off = h->d[dir].next;
	dir_gap(h, dir, off, len);
	h->d[dir].next = off + len;
	return 1;
}

int
h2_upgrade(struct http_conn *c, unsigned dir, uint64_t off)
{
	struct h2_conn *h = c->h2;
	struct h2_stream *st;
	int role;

	dir &= 1;
	c->h2sniffed = 1;
	if (h != NULL && !h->on)
		(void)sniff_done(c), h = NULL;
	if (h == NULL) {
		if ((h = conn_new(c)) == NULL)
			return TF_ERR_NOMEM;
		h->via = H2_VIA_UPGRADE;
		/* The upgrade request is stream 1, its response to come. */
		if ((st = st_get(h, 0, 1)) == NULL)
			return TF_ERR_NOMEM;
		if (c->tun != NULL) {
			st->reqn = c->tun->reqn;
			(void)snprintf(st->method, sizeof(st->method), "%s",
			    c->tun->method);
		}
		if (c->reqdir >= 0)
			st->closed[c->reqdir] = 1;
	}
	role = c->reqdir < 0        ? ROLE_NONE
	    : (int)dir == c->reqdir ? ROLE_CLIENT
	                            : ROLE_SERVER;
	return dir_on(h, dir, off, role);
}

int
http_conn_h2(struct http_conn *c)
{
	struct h2_conn *h = c->h2;
	int role, e;
	unsigned d;

	if (h != NULL && h->on)
		return 0;
	c->h2sniffed = 1;
	if (h == NULL && (h = conn_new(c)) == NULL)
		return TF_ERR_NOMEM;
	h->via = H2_VIA_ALPN;
	for (d = 0; d < 2; d++) {
		role = c->reqdir < 0      ? ROLE_NONE
		    : (int)d == c->reqdir ? ROLE_CLIENT
		                          : ROLE_SERVER;
		if ((e = dir_on(h, d, 0, role)) < 0)
			return e;
	}
	for (d = 0; d < 2; d++)
		if (h->hold[d] != NULL && (e = release_hold(c, d)) < 0)
			return e;
	return 0;
}

void
h2_finish(struct http_conn *c)
{
	struct h2_conn *h = c->h2;
	unsigned d;

	if (h == NULL)
		return;
	if (!h->on) {
		(void)sniff_done(c);
		return;
	}
	for (d = 0; d < 2; d++)
		if (h->d[d].inblock) {
			h->d[d].bstate = BLK_BAD;
			block_end(h, d);
		}
	while (h->nst > 0) {
		struct h2_stream *st = st_next(h, 0, 2);

		for (d = 0; d < 2; d++)
			if (st->m[d] != NULL)
				warnf(h, d, h->d[d].next,
				    "stream %" PRIu32 ": message %" PRIu64
				    ": connection ended inside it",
				    st->id, st->m[d]->m.n);
		st_free(h, st, HTTP_END_CUT);
	}
}

void
h2_release(struct http_conn *c)
{
	struct h2_conn *h = c->h2;
	struct h2_stream *st;
	unsigned d, i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nst; i++) {
		st = h->st[i];
		for (d = 0; d < 2; d++)
			if (st->m[d] != NULL) {
				unpaired(h, st->m[d]->m.requser);
				unpaired(h, st->m[d]->m.user);
				free(st->m[d]->text);
				free(st->m[d]);
			}
		unpaired(h, st->requser);
		free(st);
	}
	free(h->st);
	for (d = 0; d < 2; d++) {
		if (h->d[d].inf != NULL)
			nghttp2_hd_inflate_del(h->d[d].inf);
		table_free(&h->d[d]);
		if (h->d[d].bm != NULL) {
			free(h->d[d].bm->text);
			free(h->d[d].bm);
		}
		free(h->d[d].g);
		free(h->hold[d]);
	}
	free(h);
	c->h2 = NULL;
}

int
h2_drop_user(struct http_conn *c, const void *user)
{
	struct h2_conn *h = c->h2;
	unsigned i, d;

	for (i = 0; h != NULL && i < h->nst; i++) {
		if (h->st[i]->requser == user) {
			h->st[i]->requser = NULL;
			return 1;
		}
		for (d = 0; d < 2; d++)
			if (h->st[i]->m[d] != NULL &&
			    h->st[i]->m[d]->m.requser == user) {
				h->st[i]->m[d]->m.requser = NULL;
				return 1;
			}
	}
	return 0;
}

/* ---- HPACK representations (RFC 7541 6) ---- */

/* An integer with an n-bit prefix at *p; -1 when cut or too large. */
static int
hint(const uint8_t **p, const uint8_t *end, unsigned bits, uint64_t *v)
{
	uint64_t max = (1u << bits) - 1, m = 0;
	unsigned shift = 0;

	if (*p >= end)
		return -1;
	*v = **p & max;
	(*p)++;
	if (*v < max)
		return 0;
	do {
		if (*p >= end || shift > 28)
			return -1;
		m = **p;
		(*p)++;
		*v += (m & 0x7f) << shift;
		shift += 7;
	} while (m & 0x80);
	return 0;
}

/* Skips a string literal; -1 when cut. */
static int
hstr(const uint8_t **p, const uint8_t *end)
{
	uint64_t len;

	if (hint(p, end, 7, &len) < 0 || len > (uint64_t)(end - *p))
		return -1;
	*p += len;
	return 0;
}

int
h2_hpack_static(const uint8_t *p, size_t n, int *zero)
{
	const uint8_t *end = p + n;
	uint64_t v;
	int first = 1, dyn = 0;

	*zero = 0;
	while (p < end) {
		uint8_t b = *p;

		if (b & 0x80) { /* indexed */
			if (hint(&p, end, 7, &v) < 0 || v == 0)
				return -1;
			if (v > 61)
				dyn = 1;
		} else if ((b & 0xe0) == 0x20) { /* table size update */
			if (!first || hint(&p, end, 5, &v) < 0)
				return -1;
			if (v == 0)
				*zero = 1;
			continue;
		} else {
			/* Literal: incremental (01), without or never (000). */
			if (hint(&p, end, (b & 0x40) ? 6 : 4, &v) < 0)
				return -1;
			if (v > 61)
				dyn = 1;
			if (v == 0 && hstr(&p, end) < 0)
				return -1;
			if (hstr(&p, end) < 0)
				return -1;
		}
		first = 0;
		if (dyn && *zero)
			dyn =
			    0; /* the table emptied: entries are this block's */
	}
	return !dyn;
}
