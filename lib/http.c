/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP/1.x message framing over the two directions of a connection
 * (RFC 9112), streaming, resynchronising after gaps.  See http.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "tferr.h"

enum {
	ST_LINE = 0, /* between messages: looking for a start line */
	ST_HEADERS,
	ST_BODY,  /* Content-Length bytes */
	ST_CLOSE, /* body until the close */
	ST_CHUNKSIZE,
	ST_CHUNKDATA,
	ST_CHUNKEND, /* the CRLF after a chunk's data */
	ST_TRAILER,
	ST_TUNNEL /* not HTTP any more (101, CONNECT) */
};

enum { ROLE_NONE = 0, ROLE_REQ = 1, ROLE_RESP = 2 };

#define STARTLINE_MAX 8192 /* longest line taken for a start line */
#define CHUNKLINE_MAX 4096 /* longest chunk size line, extensions in */
#define HBUF_INIT 1024

static void warnf(struct http_conn *c, unsigned dir, uint64_t off,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
warnf(struct http_conn *c, unsigned dir, uint64_t off, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (c->cb->warn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->cb->warn(c->arg, dir, off, buf);
}

const char *
http_end_name(enum http_end e)
{
	switch (e) {
	case HTTP_END_COMPLETE:
		return "complete";
	case HTTP_END_GAP:
		return "gap";
	case HTTP_END_CUT:
		return "cut";
	case HTTP_END_BADCHUNK:
		return "bad-chunk";
	case HTTP_END_HEADERS:
		return "headers";
	}
	return "unknown";
}

void
http_conn_init(struct http_conn *c, const struct http_limits *lim,
    const struct http_cb *cb, void *arg)
{
	unsigned d;

	memset(c, 0, sizeof(*c));
	c->lim = lim;
	c->cb = cb;
	c->arg = arg;
	c->reqdir = -1;
	for (d = 0; d < 2; d++) {
		c->d[d].linestart = 1;
		c->d[d].next = UINT64_MAX;
	}
}

void
http_conn_client(struct http_conn *c, unsigned dir)
{
	dir &= 1;
	c->d[dir].role = ROLE_REQ;
	c->d[!dir].role = ROLE_RESP;
	c->d[0].synrole = c->d[1].synrole = 1;
	c->reqdir = (int)dir;
}

/* The queue entry k places after the oldest. */
static struct http_pend *
qat(struct http_conn *c, unsigned k)
{
	return &c->q[(c->qhead + k) % c->qcap];
}

/* Takes the oldest request off the queue; returns its user. */
static void *
qpop(struct http_conn *c)
{
	void *u = c->q[c->qhead].user;

	c->q[c->qhead].user = NULL;
	c->qhead = (c->qhead + 1) % c->qcap;
	c->qlen--;
	return u;
}

static void
unpaired(struct http_conn *c, void *u)
{
	if (u != NULL && c->cb->unpaired != NULL)
		c->cb->unpaired(c->arg, u);
}

/* Gives what the queue holds to the unpaired callback and empties it. */
static void
unqueue(struct http_conn *c)
{
	while (c->qlen > 0)
		unpaired(c, qpop(c));
}

/*
 * Takes the requests of direction dir off the queue, which keeps the
 * others in order: dir turned out to carry responses.
 */
static void
unqueue_dir(struct http_conn *c, unsigned dir)
{
	unsigned k, n = c->qlen, kept = 0;
	struct http_pend *p;

	for (k = 0; k < n; k++) {
		p = qat(c, k);
		if (p->dir == dir) {
			unpaired(c, p->user);
			p->user = NULL;
			continue;
		}
		if (kept != k)
			*qat(c, kept) = *p;
		kept++;
	}
	for (k = kept; k < n; k++)
		qat(c, k)->user = NULL;
	c->qlen = kept;
}

/*
 * Makes room for one more request: grows the queue up to HTTP_MAXPIPE
 * entries, then forgets the oldest.  Returns 0 or TF_ERR_NOMEM.
 */
static int
qroom(struct http_conn *c)
{
	struct http_pend *q;
	unsigned cap, k;

	if (c->qlen < c->qcap)
		return 0;
	if (c->qcap == HTTP_MAXPIPE) {
		unpaired(c, qpop(c));
		return 0;
	}
	cap = c->qcap == 0 ? 2 : 2 * c->qcap;
	if ((q = calloc(cap, sizeof(*q))) == NULL)
		return TF_ERR_NOMEM;
	for (k = 0; k < c->qlen; k++)
		q[k] = *qat(c, k);
	free(c->q);
	c->q = q;
	c->qcap = cap;
	c->qhead = 0;
	return 0;
}

int
http_conn_drop_user(struct http_conn *c, const void *user)
{
	unsigned k, d;

	for (k = 0; k < c->qlen; k++)
		if (qat(c, k)->user == user) {
			qat(c, k)->user = NULL;
			return 1;
		}
	for (d = 0; d < 2; d++)
		if (c->d[d].inmsg && c->d[d].m->requser == user) {
			c->d[d].m->requser = NULL;
			return 1;
		}
	return 0;
}

void
http_conn_release(struct http_conn *c)
{
	unsigned d;

	unqueue(c);
	for (d = 0; d < 2; d++) {
		if (c->d[d].inmsg && c->d[d].m->requser != NULL &&
		    c->cb->unpaired != NULL)
			c->cb->unpaired(c->arg, c->d[d].m->requser);
		if (c->d[d].m != NULL && c->d[d].m->user != NULL &&
		    c->cb->unpaired != NULL)
			c->cb->unpaired(c->arg, c->d[d].m->user);
		free(c->d[d].hbuf);
		free(c->d[d].m);
		c->d[d].hbuf = NULL;
		c->d[d].m = NULL;
	}
	free(c->q);
	c->q = NULL;
	c->qcap = 0;
}

static int
hbuf_add(struct http_dir *h, const uint8_t *p, size_t n, size_t max)
{
	size_t cap;
	uint8_t *b;

	if (n > max - h->hlen)
		return TF_ERR_LIMIT;
	if (h->hlen + n > h->hcap) {
		cap = h->hcap ? h->hcap : HBUF_INIT;
		while (cap < h->hlen + n)
			cap *= 2;
		if ((b = realloc(h->hbuf, cap)) == NULL)
			return TF_ERR_NOMEM;
		h->hbuf = b;
		h->hcap = cap;
	}
	memcpy(h->hbuf + h->hlen, p, n);
	h->hlen += n;
	return 0;
}

static int
is_tchar(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* Length of a line without its CRLF or LF. */
static size_t
trim_eol(const uint8_t *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* Returns ROLE_REQ or ROLE_RESP if p (n bytes, no EOL) is a start line. */
static int
start_line_kind(const uint8_t *p, size_t n)
{
	size_t i, sp;

	if (n >= 12 && memcmp(p, "HTTP/1.", 7) == 0 && is_digit(p[7]) &&
	    p[8] == ' ' && is_digit(p[9]) && is_digit(p[10]) &&
	    is_digit(p[11]) && (n == 12 || p[12] == ' '))
		return ROLE_RESP;
	for (i = 0; i < n && i < HTTP_METHODLEN && is_tchar(p[i]); i++)
		continue;
	if (i == 0 || i == n || p[i] != ' ')
		return ROLE_NONE;
	/* A target is any byte but controls, space and DEL, as servers
	 * take it: raw UTF-8 and worse come from clients and malware. */
	sp = ++i;
	for (; i < n && p[i] > ' ' && p[i] != 0x7f; i++)
		continue;
	if (i == sp || n - i != 9 || p[i] != ' ' ||
	    memcmp(p + i + 1, "HTTP/1.", 7) != 0 || !is_digit(p[i + 8]))
		return ROLE_NONE;
	return ROLE_REQ;
}

/*
 * Whether a line that starts with the n bytes at p can still be a start
 * line of the kind role (ROLE_NONE: either), so that garbage is dropped
 * at once rather than gathered a line at a time.
 */
static int
may_start(int role, const uint8_t *p, size_t n)
{
	size_t i;

	if (role != ROLE_REQ && memcmp(p, "HTTP/1.", n < 7 ? n : 7) == 0)
		return 1;
	if (role == ROLE_RESP)
		return 0;
	for (i = 0; i < n && i < HTTP_METHODLEN && is_tchar(p[i]); i++)
		continue;
	if (i == n && i < HTTP_METHODLEN)
		return 1;
	return i > 0 && i < n && p[i] == ' ';
}

/*
 * The kind of start line direction dir takes now: its role, or
 * ROLE_NONE for either when the evidence could make it change.
 */
static int
open_role(const struct http_conn *c, unsigned dir)
{
	const struct http_dir *h = &c->d[dir], *o = &c->d[!dir];

	if (h->role == ROLE_NONE || h->synrole)
		return ROLE_NONE;
	if (o->role == ROLE_NONE || o->role == h->role)
		return ROLE_NONE;
	return h->role;
}

static const char *
role_name(int role)
{
	return role == ROLE_REQ ? "requests" : "responses";
}

/*
 * Direction dir shows a start line of kind: returns 1 if it is taken
 * as a message start, the roles decided again if the evidence says so,
 * or 0 if it is skipped.
 */
static int
take_role(struct http_conn *c, unsigned dir, int kind)
{
	struct http_dir *h = &c->d[dir], *o = &c->d[!dir];
	int other = kind == ROLE_REQ ? ROLE_RESP : ROLE_REQ;

	if (h->role == ROLE_NONE || h->role == kind) {
		h->role = kind;
		return 1;
	}
	if (h->synrole) {
		/* The SYN's roles hold until both directions deny them. */
		if (!(o->synrole && o->contra)) {
			h->contra = 1;
			return 0;
		}
		warnf(c, dir, h->lineoff,
		    "requests from the server's side, responses from the "
		    "client's: roles swapped");
		h->synrole = o->synrole = 0;
		h->contra = o->contra = 0;
		o->role = other;
	} else if (o->role == ROLE_NONE || o->role == h->role) {
		warnf(c, dir, h->lineoff,
		    "%s start line in a direction of %s: read as %s from "
		    "here",
		    kind == ROLE_REQ ? "a request" : "a response",
		    role_name(h->role), role_name(kind));
	} else
		return 0;
	if (h->role == ROLE_REQ)
		unqueue_dir(c, dir);
	h->role = kind;
	c->reqdir = kind == ROLE_REQ ? (int)dir : !dir;
	return 1;
}

/* Copies n bytes to a field of size size, NUL-terminated. */
static void
field_copy(
    struct http_msg *m, char *dst, size_t size, const uint8_t *p, size_t n)
{
	size_t i;

	if (n >= size) {
		n = size - 1;
		m->truncated = 1;
	}
	for (i = 0; i < n; i++)
		dst[i] = (p[i] == 0) ? '?' : (char)p[i];
	dst[n] = '\0';
}

/* Appends a repeated field's value after ", ", as RFC 9110 5.3 allows. */
static void
field_append(
    struct http_msg *m, char *dst, size_t size, const uint8_t *p, size_t n)
{
	size_t l = strlen(dst);

	if (l == 0) {
		field_copy(m, dst, size, p, n);
		return;
	}
	if (l + 2 >= size) {
		m->truncated = 1;
		return;
	}
	dst[l++] = ',';
	dst[l++] = ' ';
	field_copy(m, dst + l, size - l, p, n);
}

static int
name_is(const uint8_t *p, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int ch = p[i];

		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		if (ch != name[i])
			return 0;
	}
	return 1;
}

/* Whether the last comma-separated coding of s is "chunked". */
static int
last_is_chunked(const char *s)
{
	const char *p = strrchr(s, ',');
	size_t n;

	p = p ? p + 1 : s;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 7 && name_is((const uint8_t *)p, 7, "chunked");
}

/* The fields of a message being parsed, at their largest. */
struct fields {
	char uri[HTTP_URILEN];
	char reason[HTTP_FIELDLEN];
	char host[HTTP_FIELDLEN];
	char ctype[HTTP_FIELDLEN];
	char cenc[HTTP_FIELDLEN];
	char tenc[HTTP_FIELDLEN];
};

/* Returns a copy of m with the fields of f after it, or NULL. */
static struct http_msg *
msg_new(const struct http_msg *m, const struct fields *f)
{
	const char *src[6];
	const char **dst[6];
	struct http_msg *n;
	size_t len[6], total = 0, i;
	char *p;

	src[0] = f->uri;
	src[1] = f->reason;
	src[2] = f->host;
	src[3] = f->ctype;
	src[4] = f->cenc;
	src[5] = f->tenc;
	for (i = 0; i < 6; i++)
		total += (len[i] = strlen(src[i]) + 1);
	if ((n = malloc(sizeof(*n) + total)) == NULL)
		return NULL;
	*n = *m;
	dst[0] = &n->uri;
	dst[1] = &n->reason;
	dst[2] = &n->host;
	dst[3] = &n->ctype;
	dst[4] = &n->cenc;
	dst[5] = &n->tenc;
	p = (char *)(n + 1);
	for (i = 0; i < 6; i++) {
		memcpy(p, src[i], len[i]);
		*dst[i] = p;
		p += len[i];
	}
	return n;
}

/*
 * Parses the header block in h->hbuf into *m and f.  Returns 0, or
 * TF_ERR_LIMIT when there are more fields than the limit allows.
 */
static int
parse_headers(struct http_conn *c, unsigned dir, struct http_dir *h,
    struct http_msg *m, struct fields *f)
{
	const uint8_t *p = h->hbuf, *end = h->hbuf + h->hlen, *nl, *colon;
	const uint8_t *v, *ve;
	size_t n, i, nfields = 0;
	int badlen = 0;
	int64_t len;

	nl = memchr(p, '\n', (size_t)(end - p));
	n = trim_eol(p, (size_t)(nl - p) + 1);
	if (m->isreq) {
		for (i = 0; p[i] != ' '; i++)
			continue;
		field_copy(m, m->method, sizeof(m->method), p, i);
		v = p + i + 1;
		ve = memchr(v, ' ', n - i - 1);
		field_copy(m, f->uri, sizeof(f->uri), v, (size_t)(ve - v));
		m->minor = (unsigned)(ve[8] - '0');
	} else {
		m->minor = (unsigned)(p[7] - '0');
		m->status =
		    (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
		if (n > 13)
			field_copy(
			    m, f->reason, sizeof(f->reason), p + 13, n - 13);
	}
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = trim_eol(p, (size_t)(nl - p) + 1);
		if (n == 0)
			break;
		if (*p == ' ' || *p == '\t')
			continue; /* obsolete line folding: ignored */
		if (++nfields > c->lim->maxfields)
			return TF_ERR_LIMIT;
		if ((colon = memchr(p, ':', n)) == NULL)
			continue;
		v = colon + 1;
		ve = p + n;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		i = (size_t)(colon - p);
		if (name_is(p, i, "content-length")) {
			const uint8_t *q;

			len = 0;
			for (q = v; q < ve && is_digit(*q) &&
			     len < INT64_MAX / 10 - 10;
			     q++)
				len = len * 10 + (*q - '0');
			if (q == v || q != ve ||
			    (m->clen >= 0 && m->clen != len))
				badlen = 1;
			else
				m->clen = len;
		} else if (name_is(p, i, "transfer-encoding"))
			field_append(
			    m, f->tenc, sizeof(f->tenc), v, (size_t)(ve - v));
		else if (name_is(p, i, "content-encoding"))
			field_append(
			    m, f->cenc, sizeof(f->cenc), v, (size_t)(ve - v));
		else if (name_is(p, i, "content-type"))
			field_copy(
			    m, f->ctype, sizeof(f->ctype), v, (size_t)(ve - v));
		else if (name_is(p, i, "host"))
			field_copy(
			    m, f->host, sizeof(f->host), v, (size_t)(ve - v));
	}
	if (badlen) {
		warnf(c, dir, m->offset,
		    "message %" PRIu64 ": bad "
		    "Content-Length: ignored",
		    m->n);
		m->clen = -1;
	}
	return 0;
}

/*
 * Keeps a request's user in its queue entry until its response takes
 * it; hands it to unpaired when the entry is gone.
 */
static void
keep_user(struct http_conn *c, unsigned dir, struct http_msg *m)
{
	struct http_pend *p;
	unsigned k;
	void *u = m->user;

	m->user = NULL;
	if (u == NULL)
		return;
	for (k = 0; k < c->qlen; k++) {
		p = qat(c, k);
		if (p->n == m->n && p->dir == dir) {
			p->user = u;
			return;
		}
	}
	unpaired(c, u);
}

static void
msg_end(struct http_conn *c, unsigned dir, enum http_end why)
{
	struct http_dir *h = &c->d[dir];

	h->m->end = why;
	h->inmsg = 0;
	h->state = ST_LINE;
	h->linestart = 1;
	h->hlen = 0;
	h->linelen = 0;
	if (c->cb->end != NULL)
		c->cb->end(c->arg, dir, h->m);
	/* The response owns its request's user from its end on. */
	h->m->requser = NULL;
	if (h->m->isreq)
		keep_user(c, dir, h->m);
	free(h->m);
	h->m = NULL;
}

static void
body(
    struct http_conn *c, unsigned dir, uint64_t off, const uint8_t *p, size_t n)
{
	struct http_dir *h = &c->d[dir];

	if (n == 0)
		return;
	if (h->m->bodyoff == UINT64_MAX)
		h->m->bodyoff = off;
	h->m->bodylen += n;
	if (c->cb->body != NULL)
		c->cb->body(c->arg, dir, h->m, p, n);
}

/* Pops the oldest request awaiting a response into m. */
static void
pair(struct http_conn *c, struct http_msg *m)
{
	if (c->qlen == 0)
		return;
	m->reqn = c->q[c->qhead].n;
	memcpy(m->method, c->q[c->qhead].method, HTTP_METHODLEN);
	m->requser = qpop(c);
}

/*
 * The header block of direction dir is complete: starts the message.
 * Returns 0 or TF_ERR_NOMEM.
 */
static int
begin(struct http_conn *c, unsigned dir, int64_t ts)
{
	struct http_dir *h = &c->d[dir];
	struct http_msg *m, tmp;
	struct fields f;
	struct http_pend *p;
	uint64_t off = h->lineoff;
	int tunnel = 0, e, toomany;

	m = &tmp;
	memset(m, 0, sizeof(*m));
	f.uri[0] = f.reason[0] = f.host[0] = '\0';
	f.ctype[0] = f.cenc[0] = f.tenc[0] = '\0';
	m->offset = off;
	m->ts = ts;
	m->clen = -1;
	m->bodyoff = UINT64_MAX;
	m->isreq = h->role == ROLE_REQ;
	m->n = ++h->nmsg;
	h->synrole = h->contra = 0;
	if (h->skipped > 0 && h->nmsg > 1)
		warnf(c, dir, h->skipoff,
		    "%" PRIu64 " bytes that are not "
		    "HTTP skipped",
		    h->skipped);
	h->skipped = 0;
	toomany = parse_headers(c, dir, h, m, &f) < 0;
	/* The message keeps its fields in an allocation of their size. */
	if ((h->m = msg_new(m, &f)) == NULL)
		return TF_ERR_NOMEM;
	m = h->m;
	if (toomany) {
		warnf(c, dir, off,
		    "message %" PRIu64 ": more than %zu "
		    "header fields: skipped",
		    m->n, c->lim->maxfields);
		if (c->cb->begin != NULL)
			c->cb->begin(c->arg, dir, m);
		h->inmsg = 1;
		msg_end(c, dir, HTTP_END_HEADERS);
		return 0;
	}
	if (m->isreq) {
		if ((e = qroom(c)) < 0)
			return e;
		p = qat(c, c->qlen);
		p->n = m->n;
		memcpy(p->method, m->method, HTTP_METHODLEN);
		p->user = NULL;
		p->dir = dir;
		c->qlen++;
		c->reqdir = (int)dir;
		if (m->tenc[0] != '\0') {
			if (last_is_chunked(m->tenc))
				m->frame = HTTP_FRAME_CHUNKED;
			else
				warnf(c, dir, off,
				    "message %" PRIu64 ": "
				    "request body not chunked: ignored",
				    m->n);
		} else if (m->clen > 0)
			m->frame = HTTP_FRAME_LENGTH;
	} else {
		if (m->status >= 200 || m->status < 100)
			pair(c, m);
		if (m->status < 200 && m->status >= 100) {
			if (m->status == 101)
				tunnel = 1;
		} else if (strcmp(m->method, "HEAD") == 0 || m->status == 204 ||
		    m->status == 304)
			;
		else if (strcmp(m->method, "CONNECT") == 0 && m->status < 300)
			tunnel = 1;
		else if (m->tenc[0] != '\0')
			m->frame = last_is_chunked(m->tenc) ? HTTP_FRAME_CHUNKED
			                                    : HTTP_FRAME_CLOSE;
		else if (m->clen >= 0)
			m->frame =
			    m->clen > 0 ? HTTP_FRAME_LENGTH : HTTP_FRAME_NONE;
		else
			m->frame = HTTP_FRAME_CLOSE;
	}
	h->inmsg = 1;
	h->hlen = 0;
	/* A message begun holds no header buffer: made again at the next. */
	free(h->hbuf);
	h->hbuf = NULL;
	h->hcap = 0;
	if (c->cb->begin != NULL)
		c->cb->begin(c->arg, dir, m);
	switch (m->frame) {
	case HTTP_FRAME_NONE:
		msg_end(c, dir, HTTP_END_COMPLETE);
		break;
	case HTTP_FRAME_LENGTH:
		h->state = ST_BODY;
		h->remain = (uint64_t)m->clen;
		break;
	case HTTP_FRAME_CHUNKED:
		h->state = ST_CHUNKSIZE;
		h->linelen = 0;
		break;
	case HTTP_FRAME_CLOSE:
		h->state = ST_CLOSE;
		break;
	}
	if (tunnel) {
		h->state = ST_TUNNEL;
		c->d[!dir].state = ST_TUNNEL;
	}
	return 0;
}

/*
 * Reads a short line (chunk size, chunk end, trailer) into h->line.
 * Returns the bytes of p used; *done is set when the line is complete.
 */
static size_t
short_line(struct http_dir *h, const uint8_t *p, size_t n, int *done)
{
	const uint8_t *nl = memchr(p, '\n', n);
	size_t use = nl ? (size_t)(nl - p) + 1 : n, k;

	/* Only the start of a long line is kept: the size, or "\r\n". */
	k = use;
	if (k > sizeof(h->line) - 1 - h->linelen)
		k = sizeof(h->line) - 1 - h->linelen;
	memcpy(h->line + h->linelen, p, k);
	h->linelen += k;
	h->line[h->linelen] = '\0';
	h->remain += use; /* bytes of this line, for its cap */
	*done = nl != NULL;
	return use;
}

/* Parses a chunk size line: hex digits, then extensions. */
static int
chunk_size(const char *s, uint64_t *size)
{
	uint64_t v = 0;
	int nd = 0, ch;

	for (; (ch = *s) != '\0'; s++, nd++) {
		if (ch >= '0' && ch <= '9')
			ch -= '0';
		else if (ch >= 'a' && ch <= 'f')
			ch -= 'a' - 10;
		else if (ch >= 'A' && ch <= 'F')
			ch -= 'A' - 10;
		else
			break;
		if (v >> 56)
			return -1;
		v = v << 4 | (uint64_t)ch;
	}
	if (nd == 0)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != ';' && *s != '\r' && *s != '\n')
		return -1;
	*size = v;
	return 0;
}

static int
is_blank_line(const char *s)
{
	return strcmp(s, "\r\n") == 0 || strcmp(s, "\n") == 0;
}

int
http_conn_data(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct http_dir *h = &c->d[dir & 1];
	const uint8_t *nl;
	size_t use, k;
	uint64_t sz;
	int e, done, kind;

	dir &= 1;
	if (h->next != UINT64_MAX && off != h->next) {
		if (off > h->next)
			http_conn_gap(c, dir, h->next, off - h->next);
		else {
			if (off + n <= h->next)
				return 0;
			p += h->next - off;
			n -= (size_t)(h->next - off);
			off = h->next;
		}
	}
	if (h->next == UINT64_MAX && off > 0)
		h->skipoff = off;
	h->next = off + n;
	while (n > 0) {
		use = n;
		switch (h->state) {
		case ST_LINE:
			if (h->bodyskip > 0) {
				/* The rest of a body cut by a gap. */
				if (use > h->bodyskip)
					use = (size_t)h->bodyskip;
				h->bodyskip -= use;
				h->linestart = 1;
				break;
			}
			if (!h->linestart) {
				nl = memchr(p, '\n', n);
				use = nl ? (size_t)(nl - p) + 1 : n;
				if (h->skipped == 0)
					h->skipoff = off;
				h->skipped += use;
				h->linestart = nl != NULL;
				break;
			}
			if (h->hlen == 0)
				h->lineoff = off;
			nl = memchr(p, '\n', n);
			use = nl ? (size_t)(nl - p) + 1 : n;
			k = use;
			if (h->hlen + k > STARTLINE_MAX) {
				/* Too long for a start line. */
				if (h->skipped == 0)
					h->skipoff = h->lineoff;
				h->skipped += h->hlen + use;
				h->hlen = 0;
				h->linestart = nl != NULL;
				break;
			}
			if ((e = hbuf_add(h, p, k, SIZE_MAX)) < 0)
				return e;
			if (!may_start(open_role(c, dir), h->hbuf,
			        trim_eol(h->hbuf, h->hlen))) {
				if (h->skipped == 0)
					h->skipoff = h->lineoff;
				h->skipped += h->hlen;
				h->hlen = 0;
				h->linestart = nl != NULL;
				break;
			}
			if (nl == NULL)
				break;
			k = trim_eol(h->hbuf, h->hlen);
			kind = start_line_kind(h->hbuf, k);
			if (kind != ROLE_NONE && take_role(c, dir, kind)) {
				h->state = ST_HEADERS;
				/* ts of the start line's packet */
				h->linets = ts;
			} else {
				if (k > 0) {
					if (h->skipped == 0)
						h->skipoff = h->lineoff;
					h->skipped += h->hlen;
				}
				h->hlen = 0;
			}
			break;
		case ST_HEADERS:
			nl = memchr(p, '\n', n);
			use = nl ? (size_t)(nl - p) + 1 : n;
			if ((e = hbuf_add(h, p, use, c->lim->maxheader)) ==
			    TF_ERR_LIMIT) {
				warnf(c, dir, h->lineoff,
				    "header block "
				    "longer than %zu bytes: skipped",
				    c->lim->maxheader);
				h->skipped = 0;
				h->skipoff = h->lineoff;
				h->state = ST_LINE;
				h->linestart = nl != NULL;
				h->hlen = 0;
				break;
			} else if (e < 0)
				return e;
			if (nl == NULL)
				break;
			/* Is the line just added empty? */
			k = h->hlen - 1;
			if (k > 0 && h->hbuf[k - 1] == '\r')
				k--;
			if (k > 0 && h->hbuf[k - 1] == '\n')
				if ((e = begin(c, dir, h->linets)) < 0)
					return e;
			;
			break;
		case ST_BODY:
			if (h->remain < use)
				use = (size_t)h->remain;
			body(c, dir, off, p, use);
			h->remain -= use;
			if (h->remain == 0)
				msg_end(c, dir, HTTP_END_COMPLETE);
			break;
		case ST_CLOSE:
			body(c, dir, off, p, use);
			break;
		case ST_CHUNKSIZE:
		case ST_CHUNKEND:
		case ST_TRAILER:
			if (h->linelen == 0)
				h->remain = 0;
			use = short_line(h, p, n, &done);
			if (h->remain > (h->state == ST_TRAILER
			                        ? c->lim->maxheader
			                        : CHUNKLINE_MAX)) {
				warnf(c, dir, off,
				    "message %" PRIu64 ": "
				    "chunk line or trailer too long",
				    h->m->n);
				msg_end(c, dir, HTTP_END_BADCHUNK);
				h->linestart = done;
				break;
			}
			if (!done)
				break;
			if (h->state == ST_CHUNKSIZE) {
				if (chunk_size(h->line, &sz) < 0) {
					warnf(c, dir, off,
					    "message %" PRIu64
					    ": bad chunk size",
					    h->m->n);
					msg_end(c, dir, HTTP_END_BADCHUNK);
				} else if (sz == 0)
					h->state = ST_TRAILER;
				else {
					h->state = ST_CHUNKDATA;
					h->remain = sz;
				}
			} else if (h->state == ST_CHUNKEND) {
				if (!is_blank_line(h->line)) {
					warnf(c, dir, off,
					    "message %" PRIu64
					    ": chunk data longer than its "
					    "size",
					    h->m->n);
					msg_end(c, dir, HTTP_END_BADCHUNK);
				} else
					h->state = ST_CHUNKSIZE;
			} else if (is_blank_line(h->line))
				msg_end(c, dir, HTTP_END_COMPLETE);
			h->linelen = 0;
			break;
		case ST_CHUNKDATA:
			if (h->remain < use)
				use = (size_t)h->remain;
			body(c, dir, off, p, use);
			h->remain -= use;
			if (h->remain == 0) {
				h->state = ST_CHUNKEND;
				h->linelen = 0;
			}
			break;
		case ST_TUNNEL:
			break;
		}
		p += use;
		n -= use;
		off += use;
	}
	return 0;
}

void
http_conn_gap(struct http_conn *c, unsigned dir, uint64_t off, uint64_t len)
{
	struct http_dir *h = &c->d[dir & 1];

	dir &= 1;
	if (h->state == ST_TUNNEL)
		goto out;
	if (h->inmsg) {
		warnf(c, dir, off,
		    "message %" PRIu64 ": %" PRIu64 " bytes "
		    "missing from the capture",
		    h->m->n, len);
		/*
		 * A Content-Length body knows where it ends: the next message
		 * starts there, whatever the gap took of it.
		 */
		if (h->state == ST_BODY && len < h->remain)
			h->bodyskip = h->remain - len;
		msg_end(c, dir, HTTP_END_GAP);
	} else if (h->bodyskip > 0) {
		h->bodyskip = len < h->bodyskip ? h->bodyskip - len : 0;
	} else if (h->state == ST_HEADERS && h->role != ROLE_NONE) {
		warnf(c, dir, off,
		    "%" PRIu64 " bytes missing from the "
		    "capture inside a header block",
		    len);
	}
	h->state = ST_LINE;
	h->hlen = 0;
	h->linestart = 1;
	h->skipped = 0;
out:
	if (h->next == UINT64_MAX || off + len > h->next)
		h->next = off + len;
}

void
http_conn_finish(struct http_conn *c)
{
	struct http_dir *h;
	unsigned d;

	for (d = 0; d < 2; d++) {
		h = &c->d[d];
		if (h->inmsg) {
			if (h->state == ST_CLOSE)
				msg_end(c, d, HTTP_END_COMPLETE);
			else {
				warnf(c, d, h->next,
				    "message %" PRIu64 ": "
				    "connection ended inside it",
				    h->m->n);
				msg_end(c, d, HTTP_END_CUT);
			}
		}
		if (h->state != ST_TUNNEL && h->nmsg > 0 &&
		    h->skipped + h->hlen > 0)
			warnf(c, d, h->skipoff,
			    "%" PRIu64 " bytes that are "
			    "not HTTP skipped",
			    h->skipped + h->hlen);
		h->skipped = 0;
		h->hlen = 0;
	}
	unqueue(c);
}
