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

#include "h2.h"
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
	ST_TUNNEL, /* not HTTP any more (101, CONNECT) */
	ST_SNIFF,  /* a tunnel whose first bytes are to come */
	ST_HSCAN   /* a header block past the cap: framing fields only */
};

/* What a tunnel carries (struct http_tunnel); 0: not known yet. */
enum { TP_HTTP = 1, TP_TLS, TP_WEBSOCKET, TP_H2C, TP_UNKNOWN };

static const char *const tpnames[] = {
    "", "http", "tls", "websocket", "h2c", "unknown"};

enum { ROLE_NONE = 0, ROLE_REQ = 1, ROLE_RESP = 2 };

#define STARTLINE_MAX 8192 /* longest line taken for a start line */
#define CHUNKLINE_MAX 4096 /* longest chunk size line, extensions in */
#define HBUF_INIT 1024
/* Past the -H cap, a header block is scanned for at most this many
 * times -H bytes more (and at least HSCAN_MIN) before it is dropped. */
#define HSCAN_TIMES 16
#define HSCAN_MIN ((uint64_t)1 << 20)

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
	case HTTP_END_RESET:
		return "reset";
	case HTTP_END_GOAWAY:
		return "goaway";
	case HTTP_END_EVICTED:
		return "evicted";
	}
	return "unknown";
}

int
http_status_final(int status)
{
	return status < 100 || status >= 200 || status == 101;
}

const char *
http_irregular_words(unsigned irr, char *buf, size_t size)
{
	static const char *const words[] = {"no-target", "cut-version",
	    "space-in-target", "simple-request", "raw-response", "lowercase"};
	size_t i, len = 0;
	int n;

	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!(irr & 1u << i) || len >= size)
			continue;
		n = snprintf(
		    buf + len, size - len, "%s%s", len ? "," : "", words[i]);
		if (n > 0)
			len += (size_t)n;
	}
	return buf;
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

	if (c->h2 != NULL && h2_drop_user(c, user))
		return 1;
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

	h2_release(c);
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
		free(c->d[d].scan);
		c->d[d].hbuf = NULL;
		c->d[d].m = NULL;
		c->d[d].scan = NULL;
	}
	free(c->q);
	c->q = NULL;
	c->qcap = 0;
	free(c->tun);
	free(c->tunreq);
	c->tun = c->tunreq = NULL;
}

static int
hbuf_add(struct http_dir *h, const uint8_t *p, size_t n, size_t max)
{
	size_t cap;
	uint8_t *b;

	if (h->hlen > max || n > max - h->hlen)
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

/* Methods known by name (RFC 9110 9.3, RFC 5789). */
static const char *const known_methods[] = {"GET", "HEAD", "POST", "PUT",
    "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL};

static int
known_method(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; known_methods[i] != NULL; i++)
		if (strlen(known_methods[i]) == n &&
		    memcmp(p, known_methods[i], n) == 0)
			return 1;
	return 0;
}

/*
 * A byte of a request target: any but controls, space and DEL, as
 * servers take it: raw UTF-8 and worse come from clients and malware.
 */
static int
is_target(int ch)
{
	return ch > ' ' && ch != 0x7f;
}

/*
 * Whether the 7 bytes at p are "HTTP/1.", "HTTP" in any case; *low is
 * set when it is not all uppercase.
 */
static int
is_version(const uint8_t *p, int *low)
{
	static const char v[] = "HTTP/1.";
	size_t i;

	for (i = 0; i < 7; i++) {
		if (p[i] == v[i])
			continue;
		if (i < 4 && p[i] == v[i] + ('a' - 'A')) {
			*low = 1;
			continue;
		}
		return 0;
	}
	return 1;
}

/* A start line taken apart: byte ranges of the line. */
struct startline {
	size_t mlen; /* method: the first mlen bytes */
	size_t toff; /* target */
	size_t tlen;
	unsigned minor;
	int status;
	unsigned irr; /* HTTP_IRR_* */
};

/*
 * Parses the request line p (n bytes, no EOL) into *s: method SP target
 * SP HTTP/1.d (RFC 9112 3).  Taken too, and said in s->irr: no target
 * (OPTIONS HTTP/1.1), a version cut after "HTTP/1.", spaces in the
 * target (CONNECT host:25 / HTTP/1.0), "http" in lowercase, and when
 * simple is set an HTTP/0.9 simple request: a known method, SP and a
 * target without a version (RFC 1945 4.1).  Returns 1 if p is one.
 */
static int
request_line(const uint8_t *p, size_t n, int simple, struct startline *s)
{
	size_t i, j, e, k;
	int low = 0, space = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n && i < HTTP_METHODLEN && is_tchar(p[i]); i++)
		continue;
	if (i == 0 || i == n || i >= HTTP_METHODLEN || p[i] != ' ')
		return 0;
	s->mlen = i;
	j = i + 1;
	e = n;
	if (e - j >= 8 && is_digit(p[e - 1]) && is_version(p + e - 8, &low)) {
		s->minor = (unsigned)(p[e - 1] - '0');
		e -= 8;
	} else if (e - j >= 7 && is_version(p + e - 7, &low)) {
		s->irr |= HTTP_IRR_CUTVERSION;
		e -= 7;
	} else
		goto simple;
	if (e > j && p[e - 1] != ' ')
		goto simple;
	while (e > j && p[e - 1] == ' ')
		e--;
	for (k = j; k < e; k++)
		if (p[k] == ' ')
			space = 1;
		else if (!is_target(p[k]))
			return 0;
	s->toff = j;
	s->tlen = e - j;
	if (e == j)
		s->irr |= HTTP_IRR_NOTARGET;
	if (space)
		s->irr |= HTTP_IRR_SPACE;
	if (low)
		s->irr |= HTTP_IRR_LOWERCASE;
	return 1;
simple:
	if (!simple || !known_method(p, s->mlen))
		return 0;
	for (k = j; k < n && is_target(p[k]); k++)
		continue;
	if (k == j || k != n)
		return 0;
	s->irr = HTTP_IRR_SIMPLE;
	s->minor = 0;
	s->toff = j;
	s->tlen = n - j;
	return 1;
}

/*
 * Parses the status line p (n bytes, no EOL) into *s: HTTP/1.d SP ddd,
 * then SP and a reason or nothing (RFC 9112 4); "http" in lowercase is
 * taken and said.  Returns 1 if p is one.
 */
static int
status_line(const uint8_t *p, size_t n, struct startline *s)
{
	int low = 0;

	memset(s, 0, sizeof(*s));
	if (n < 12 || !is_version(p, &low) || !is_digit(p[7]) || p[8] != ' ' ||
	    !is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) ||
	    (n > 12 && p[12] != ' '))
		return 0;
	s->minor = (unsigned)(p[7] - '0');
	s->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (low)
		s->irr |= HTTP_IRR_LOWERCASE;
	return 1;
}

/*
 * Returns ROLE_REQ or ROLE_RESP if p (n bytes, no EOL) is a start line,
 * taken apart in *s; simple: an HTTP/0.9 request may be one.
 */
static int
start_line_kind(const uint8_t *p, size_t n, int simple, struct startline *s)
{
	if (status_line(p, n, s))
		return ROLE_RESP;
	if (request_line(p, n, simple, s))
		return ROLE_REQ;
	return ROLE_NONE;
}

/* Whether the n bytes at p can begin a status line. */
static int
may_start_status(const uint8_t *p, size_t n)
{
	static const char v[] = "HTTP/1.";
	size_t i;
	int ch;

	for (i = 0; i < n && i < 13; i++) {
		ch = p[i];
		if (i < 4 && ch >= 'a' && ch <= 'z')
			ch -= 'a' - 'A';
		if (i < 7) {
			if (ch != v[i])
				return 0;
		} else if (i == 8 || i == 12) {
			if (ch != ' ')
				return 0;
		} else if (!is_digit(ch))
			return 0;
	}
	return 1;
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

	if (role != ROLE_REQ && may_start_status(p, n))
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
	char tunnel[HTTP_URILEN];
	char upgrade[HTTP_FIELDLEN]; /* read, not kept in the message */
};

#define NSTR 7 /* the strings of struct fields a message keeps */

/*
 * A header block past the -H cap: the message as read up to the cut,
 * the fields that frame and code the body added as they come, and the
 * start of the line being read.
 */
struct http_hscan {
	struct http_msg m;
	struct fields f;
	int badlen;      /* a bad or conflicting Content-Length */
	size_t nfields;  /* fields so far */
	uint64_t past;   /* bytes past the cut */
	size_t linelen;  /* bytes of the line kept in line */
	size_t linefull; /* bytes of the line */
	uint8_t line[HTTP_FIELDLEN + 32];
};

/* Returns a copy of m with the fields of f after it, or NULL. */
static struct http_msg *
msg_new(const struct http_msg *m, const struct fields *f)
{
	const char *src[NSTR];
	const char **dst[NSTR];
	struct http_msg *n;
	size_t len[NSTR], total = 0, i;
	char *p;

	src[0] = f->uri;
	src[1] = f->reason;
	src[2] = f->host;
	src[3] = f->ctype;
	src[4] = f->cenc;
	src[5] = f->tenc;
	src[6] = f->tunnel;
	for (i = 0; i < NSTR; i++)
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
	dst[6] = &n->tunnel;
	p = (char *)(n + 1);
	for (i = 0; i < NSTR; i++) {
		memcpy(p, src[i], len[i]);
		*dst[i] = p;
		p += len[i];
	}
	if (m->tunnel == NULL)
		n->tunnel = NULL;
	return n;
}

/*
 * Reads the header field line p (n bytes, no EOL) into m and f; with
 * framing, only the fields that frame and code the body.  Sets *badlen
 * for a bad or conflicting Content-Length.
 */
static void
header_field(struct http_msg *m, struct fields *f, const uint8_t *p, size_t n,
    int *badlen, int framing)
{
	const uint8_t *colon, *v, *ve, *q;
	int64_t len;
	size_t i;

	if ((colon = memchr(p, ':', n)) == NULL)
		return;
	v = colon + 1;
	ve = p + n;
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	i = (size_t)(colon - p);
	if (name_is(p, i, "content-length")) {
		len = 0;
		for (q = v; q < ve && is_digit(*q) && len < INT64_MAX / 10 - 10;
		     q++)
			len = len * 10 + (*q - '0');
		if (q == v || q != ve || (m->clen >= 0 && m->clen != len))
			*badlen = 1;
		else
			m->clen = len;
	} else if (name_is(p, i, "transfer-encoding"))
		field_append(m, f->tenc, sizeof(f->tenc), v, (size_t)(ve - v));
	else if (name_is(p, i, "content-encoding"))
		field_append(m, f->cenc, sizeof(f->cenc), v, (size_t)(ve - v));
	else if (framing)
		return;
	else if (name_is(p, i, "content-type"))
		field_copy(m, f->ctype, sizeof(f->ctype), v, (size_t)(ve - v));
	else if (name_is(p, i, "host"))
		field_copy(m, f->host, sizeof(f->host), v, (size_t)(ve - v));
	else if (name_is(p, i, "upgrade"))
		field_copy(
		    m, f->upgrade, sizeof(f->upgrade), v, (size_t)(ve - v));
}

/*
 * Parses the header block in h->hbuf, whole lines, into *m and f,
 * counting its fields in *nfields: past the -n limit, only those that
 * frame and code the body are read, and m->headcut says so.  Sets
 * *badlen for a bad or conflicting Content-Length.
 */
static void
parse_headers(struct http_conn *c, struct http_dir *h, struct http_msg *m,
    struct fields *f, int *badlen, size_t *nfields)
{
	const uint8_t *p = h->hbuf, *end = h->hbuf + h->hlen, *nl;
	struct startline sl;
	size_t n;

	nl = memchr(p, '\n', (size_t)(end - p));
	n = trim_eol(p, (size_t)(nl - p) + 1);
	/* The start line was taken by start_line_kind(): it parses. */
	if (m->isreq) {
		(void)request_line(p, n, 1, &sl);
		field_copy(m, m->method, sizeof(m->method), p, sl.mlen);
		field_copy(m, f->uri, sizeof(f->uri), p + sl.toff, sl.tlen);
	} else {
		(void)status_line(p, n, &sl);
		m->status = sl.status;
		if (n > 13)
			field_copy(
			    m, f->reason, sizeof(f->reason), p + 13, n - 13);
	}
	m->minor = sl.minor;
	m->irregular |= sl.irr;
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = trim_eol(p, (size_t)(nl - p) + 1);
		if (n == 0)
			break;
		if (*p == ' ' || *p == '\t')
			continue; /* obsolete line folding: ignored */
		if (++*nfields > c->lim->maxfields &&
		    m->headcut == HTTP_HCUT_NONE)
			m->headcut = HTTP_HCUT_FIELDS;
		header_field(m, f, p, n, badlen, m->headcut != HTTP_HCUT_NONE);
	}
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
 * Sets up m and f for the message of direction dir whose start line is
 * at h->lineoff, carried by the packet at time ts, and gives it its
 * number.
 */
static void
msg_prep(struct http_conn *c, unsigned dir, struct http_msg *m,
    struct fields *f, int64_t ts)
{
	struct http_dir *h = &c->d[dir];

	memset(m, 0, sizeof(*m));
	f->uri[0] = f->reason[0] = f->host[0] = '\0';
	f->ctype[0] = f->cenc[0] = f->tenc[0] = '\0';
	f->tunnel[0] = f->upgrade[0] = '\0';
	m->offset = h->lineoff;
	m->ts = ts;
	m->clen = -1;
	m->bodyoff = UINT64_MAX;
	m->isreq = h->role == ROLE_REQ;
	m->n = ++h->nmsg;
	if (h->inner && c->tun != NULL) {
		/* Copied by msg_new: only its being set counts here. */
		m->tunnel = f->tunnel;
		m->tunreq = c->tun->reqn;
		field_copy(m, f->tunnel, sizeof(f->tunnel),
		    (const uint8_t *)c->tun->target, strlen(c->tun->target));
	}
	h->synrole = h->contra = 0;
	if (h->skipped > 0 && h->nmsg > 1)
		warnf(c, dir, h->skipoff,
		    "%" PRIu64 " bytes that are not "
		    "HTTP skipped",
		    h->skipped);
	h->skipped = 0;
}

/*
 * A request that may open a tunnel (CONNECT, or one with an Upgrade
 * field, up): kept until its response says whether it did.  Returns 0
 * or TF_ERR_NOMEM.
 */
static int
tunnel_request(struct http_conn *c, const struct http_msg *m, const char *up)
{
	struct http_tunnel *t;

	if (c->tunreq == NULL && (c->tunreq = malloc(sizeof(*t))) == NULL)
		return TF_ERR_NOMEM;
	t = c->tunreq;
	memset(t, 0, sizeof(*t));
	t->reqn = m->n;
	(void)snprintf(t->method, sizeof(t->method), "%s", m->method);
	(void)snprintf(t->target, sizeof(t->target), "%s", m->uri);
	(void)snprintf(t->upgrade, sizeof(t->upgrade), "%s", up);
	return 0;
}

/* The protocol a 101's Upgrade field names (its first), or 0. */
static int
upgrade_proto(const char *up)
{
	size_t n = strcspn(up, ", \t/");

	if (name_is((const uint8_t *)up, n, "websocket"))
		return TP_WEBSOCKET;
	if (name_is((const uint8_t *)up, n, "h2c"))
		return TP_H2C;
	return 0;
}

static void scan_drop(struct http_dir *h);

/*
 * Response m of direction dir opened a tunnel: both directions carry
 * another protocol from here, which their first bytes will tell, or
 * the 101's Upgrade field (up).  A message still in progress the other
 * way goes on as HTTP.  Returns 0 or TF_ERR_NOMEM.
 */
static int
tunnel_start(
    struct http_conn *c, unsigned dir, const struct http_msg *m, const char *up)
{
	struct http_tunnel *t;
	struct http_dir *h;
	int proto;
	unsigned d;

	if (c->tun == NULL && (c->tun = malloc(sizeof(*t))) == NULL)
		return TF_ERR_NOMEM;
	t = c->tun;
	memset(t, 0, sizeof(*t));
	if (c->tunreq != NULL && (m->reqn == 0 || m->reqn == c->tunreq->reqn))
		*t = *c->tunreq;
	else {
		t->reqn = m->reqn;
		(void)snprintf(t->method, sizeof(t->method), "%s", m->method);
	}
	free(c->tunreq);
	c->tunreq = NULL;
	t->respn = m->n;
	t->status = m->status;
	/* A 101 must name the protocol (RFC 9110 15.2.2); if it does not,
	 * the request's does. */
	if (up[0] != '\0' || m->status != 101)
		(void)snprintf(t->upgrade, sizeof(t->upgrade), "%s", up);
	proto = m->status == 101 ? upgrade_proto(t->upgrade) : 0;
	for (d = 0; d < 2; d++) {
		h = &c->d[d];
		if (d != dir && h->inmsg)
			continue;
		/* A header block past -H being scanned: not a message. */
		if (h->state == ST_HSCAN)
			scan_drop(h);
		h->state = ST_SNIFF;
		h->tunproto = proto;
		h->inner = 0;
		h->hlen = 0;
		h->wlen = 0;
		h->nolf = 0;
		h->linestart = 1;
		h->skipped = 0;
		h->bodyskip = 0;
	}
	return 0;
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
	struct fields fl, *f = &fl;
	struct http_pend *p;
	uint64_t off = h->lineoff;
	int tunnel = 0, e, badlen = 0;
	size_t nfields = 0;
	char up[HTTP_FIELDLEN];

	if (h->scan != NULL) {
		/* Read up to the cut, scanned past it. */
		m = &h->scan->m;
		f = &h->scan->f;
		badlen = h->scan->badlen;
	} else {
		m = &tmp;
		msg_prep(c, dir, m, f, ts);
		parse_headers(c, h, m, f, &badlen, &nfields);
	}
	if (badlen) {
		warnf(c, dir, m->offset,
		    "message %" PRIu64 ": bad "
		    "Content-Length: ignored",
		    m->n);
		m->clen = -1;
	}
	/* The message keeps its fields in an allocation of their size. */
	h->m = msg_new(m, f);
	(void)snprintf(up, sizeof(up), "%s", f->upgrade);
	free(h->scan);
	h->scan = NULL;
	if (h->m == NULL)
		return TF_ERR_NOMEM;
	m = h->m;
	if (m->isreq && (strcmp(m->method, "CONNECT") == 0 || up[0] != '\0') &&
	    (e = tunnel_request(c, m, up)) < 0)
		return e;
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
		if (m->irregular & HTTP_IRR_SIMPLE)
			c->d[!dir].simple = 1;
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
		h->simple = 0;
		if (http_status_final(m->status))
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
	m->head = h->hbuf;
	m->headlen = h->hlen;
	if (c->cb->begin != NULL)
		c->cb->begin(c->arg, dir, m);
	m->head = NULL;
	m->headlen = 0;
	h->hlen = 0;
	/* A message begun holds no header buffer: made again at the next. */
	free(h->hbuf);
	h->hbuf = NULL;
	h->hcap = 0;
	if (tunnel && (e = tunnel_start(c, dir, m, up)) < 0)
		return e;
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
	/* msg_end made this direction look for a start line again. */
	if (tunnel)
		h->state = ST_SNIFF;
	return 0;
}

/*
 * The answer to an HTTP/0.9 request begins with the line in h->hbuf: a
 * response without a status line or fields, its body all the bytes to
 * the close (RFC 1945 6).  Returns 0 or TF_ERR_NOMEM.
 */
static int
begin_raw(struct http_conn *c, unsigned dir, int64_t ts)
{
	struct http_dir *h = &c->d[dir];
	struct http_msg tmp;
	struct fields f;

	h->role = ROLE_RESP;
	msg_prep(c, dir, &tmp, &f, ts);
	tmp.irregular = HTTP_IRR_RAW;
	tmp.frame = HTTP_FRAME_CLOSE;
	h->simple = 0;
	pair(c, &tmp);
	if ((h->m = msg_new(&tmp, &f)) == NULL)
		return TF_ERR_NOMEM;
	h->inmsg = 1;
	h->state = ST_CLOSE;
	if (c->cb->begin != NULL)
		c->cb->begin(c->arg, dir, h->m);
	body(c, dir, h->lineoff, h->hbuf, h->hlen);
	h->hlen = 0;
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

/*
 * The header block of direction dir passed -H: what it holds up to its
 * last whole line is read now, the rest only for the fields that frame
 * and code the body (RFC 9112 6.3 needs no other to find the body's
 * end), without keeping it, so that a message no longer than a cap
 * loses neither its body nor the messages after it.  Returns 0 or
 * TF_ERR_NOMEM.
 */
static int
scan_start(struct http_conn *c, unsigned dir)
{
	struct http_dir *h = &c->d[dir];
	struct http_hscan *s;
	size_t keep, k;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return TF_ERR_NOMEM;
	/* The start line is whole: ST_HEADERS comes after it. */
	for (keep = h->hlen; keep > 0 && h->hbuf[keep - 1] != '\n'; keep--)
		continue;
	k = h->hlen - keep;
	s->linefull = k;
	s->linelen = k < sizeof(s->line) ? k : sizeof(s->line);
	memcpy(s->line, h->hbuf + keep, s->linelen);
	h->hlen = keep;
	msg_prep(c, dir, &s->m, &s->f, h->linets);
	parse_headers(c, h, &s->m, &s->f, &s->badlen, &s->nfields);
	if (s->m.headcut == HTTP_HCUT_NONE)
		s->m.headcut = HTTP_HCUT_BYTES;
	h->scan = s;
	h->state = ST_HSCAN;
	return 0;
}

/* Drops the header block being scanned: no message after all. */
static void
scan_drop(struct http_dir *h)
{
	free(h->scan);
	h->scan = NULL;
	h->nmsg--;
}

/*
 * Scans a line of a header block past -H, n bytes at p: *usep gets the
 * bytes used.  Past HSCAN_TIMES times -H (HSCAN_MIN at least) the block
 * is dropped.  Returns 0 or TF_ERR_NOMEM.
 */
static int
scan_line(
    struct http_conn *c, unsigned dir, const uint8_t *p, size_t n, size_t *usep)
{
	struct http_dir *h = &c->d[dir];
	struct http_hscan *s = h->scan;
	const uint8_t *nl = memchr(p, '\n', n), *col;
	size_t use = nl ? (size_t)(nl - p) + 1 : n, k, len;
	uint64_t max = (uint64_t)c->lim->maxheader * HSCAN_TIMES;

	*usep = use;
	k = sizeof(s->line) - s->linelen;
	if (k > use)
		k = use;
	memcpy(s->line + s->linelen, p, k);
	s->linelen += k;
	s->linefull += use;
	s->past += use;
	if (max < HSCAN_MIN)
		max = HSCAN_MIN;
	if (s->past > max) {
		warnf(c, dir, h->lineoff,
		    "header block longer than %zu bytes, not ended %" PRIu64
		    " bytes past that: skipped",
		    c->lim->maxheader, max);
		scan_drop(h);
		h->state = ST_LINE;
		h->linestart = nl != NULL;
		h->hlen = 0;
		h->skipped = 0;
		return 0;
	}
	if (nl == NULL)
		return 0;
	len = trim_eol(s->line, s->linelen);
	if (s->linefull > s->linelen) {
		/* Only its start was kept: a value cut, if it is one read. */
		len = s->linelen;
		col = memchr(s->line, ':', len);
		k = col != NULL ? (size_t)(col - s->line) : len;
		if (name_is(s->line, k, "content-length"))
			s->badlen = 1;
		else if (name_is(s->line, k, "transfer-encoding") ||
		    name_is(s->line, k, "content-encoding"))
			s->m.truncated = 1;
	}
	s->linelen = s->linefull = 0;
	if (len == 0)
		return begin(c, dir, s->m.ts);
	if (s->line[0] != ' ' && s->line[0] != '\t') {
		s->nfields++;
		header_field(&s->m, &s->f, s->line, len, &s->badlen, 1);
	}
	return 0;
}

/*
 * What the first n bytes of a direction of a tunnel carry (line: they
 * end a line; full: no more will come): TP_*, or 0 while more are
 * needed.  A TLS record starts with its type, 0x14 to 0x17 (0x16, a
 * handshake, at a tunnel's start), and 0x03, the major version (RFC
 * 8446 5.1); HTTP/2 with its preface (RFC 9113 3.4); HTTP/1.x with a
 * start line.
 */
static int
sniff(const uint8_t *b, size_t n, int line, int full)
{
	static const char pri[] = "PRI * HTTP/2.0\r\n";
	struct startline sl;
	size_t k;

	if (b[0] >= 0x14 && b[0] <= 0x17 && n < 2)
		return full ? TP_UNKNOWN : 0;
	if (b[0] >= 0x14 && b[0] <= 0x17)
		return b[1] == 0x03 ? TP_TLS : TP_UNKNOWN;
	k = n < sizeof(pri) - 1 ? n : sizeof(pri) - 1;
	if (memcmp(b, pri, k) == 0)
		return k == sizeof(pri) - 1 ? TP_H2C : full ? TP_UNKNOWN : 0;
	k = line ? trim_eol(b, n) : n;
	if (!may_start(ROLE_NONE, b, k))
		return TP_UNKNOWN;
	if (!line)
		return full ? TP_UNKNOWN : 0;
	return start_line_kind(b, k, 0, &sl) != ROLE_NONE ? TP_HTTP
	                                                  : TP_UNKNOWN;
}

/*
 * Direction dir of the tunnel carries proto, from h->lineoff: says so;
 * HTTP is parsed from there (the bytes sniffed first), anything else
 * passed over.  Returns 0 or TF_ERR_NOMEM.
 */
static int
tunnel_found(struct http_conn *c, unsigned dir, int proto)
{
	struct http_dir *h = &c->d[dir];
	uint8_t *b = h->hbuf;
	size_t len = h->hlen;
	uint64_t next = h->next;
	int e = 0;

	if (c->cb->tunnel != NULL && c->tun != NULL)
		c->cb->tunnel(c->arg, dir, c->tun, tpnames[proto], h->lineoff);
	if (proto == TP_H2C && (e = h2_upgrade(c, dir, h->lineoff)) < 0)
		return e;
	h->hbuf = NULL;
	h->hlen = h->hcap = h->wlen = 0;
	h->tunproto = 0;
	if (proto == TP_HTTP) {
		h->state = ST_LINE;
		h->inner = 1;
		h->linestart = 1;
		/* Fed again, as the first bytes of a stream of their own. */
		h->next = h->lineoff;
		e = http_conn_data(c, dir, h->lineoff, h->linets, b, len);
		h->next = next;
	} else {
		h->state = ST_TUNNEL;
		/* HTTP/2: the bytes sniffed are its first. */
		if (proto == TP_H2C && len > 0)
			e = h2_take(c, dir, h->lineoff, h->linets, b, len);
	}
	free(b);
	return e;
}

/*
 * The first bytes of direction dir of a tunnel, n at p (offset off,
 * time ts), gathered up to the end of a line to tell what they are:
 * *usep gets the bytes used.  Returns 0 or TF_ERR_NOMEM.
 */
static int
sniff_bytes(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n, size_t *usep)
{
	struct http_dir *h = &c->d[dir];
	const uint8_t *nl;
	size_t use;
	int proto = h->tunproto, e;

	if (h->hlen == 0) {
		h->lineoff = off;
		h->linets = ts;
	}
	if (proto != 0) {
		/* Named by the 101. */
		*usep = 0;
		return tunnel_found(c, dir, proto);
	}
	nl = memchr(p, '\n', n);
	use = nl ? (size_t)(nl - p) + 1 : n;
	if (use > STARTLINE_MAX - h->hlen) {
		use = STARTLINE_MAX - h->hlen;
		nl = NULL;
	}
	*usep = use;
	if ((e = hbuf_add(h, p, use, SIZE_MAX)) < 0)
		return e;
	proto = sniff(h->hbuf, h->hlen, nl != NULL, h->hlen >= STARTLINE_MAX);
	return proto != 0 ? tunnel_found(c, dir, proto) : 0;
}

/*
 * The first LF in the first max of the n bytes of p (at offset off), or
 * NULL; bytes already known to hold none (h->nolf) are not looked at
 * again, so that a long line is searched once however often it is tried.
 */
static const uint8_t *
find_lf(
    struct http_dir *h, uint64_t off, const uint8_t *p, size_t n, size_t max)
{
	const uint8_t *nl;
	size_t from = 0;

	if (max > n)
		max = n;
	if (h->nolf > off)
		from = h->nolf - off < max ? (size_t)(h->nolf - off) : max;
	nl = memchr(p + from, '\n', max - from);
	if (nl == NULL && off + max > h->nolf)
		h->nolf = off + max;
	return nl;
}

/* Byte k of the skipped bytes of a line: the window, then p. */
static uint8_t
vbyte(const struct http_dir *h, const uint8_t *p, size_t k)
{
	return k < h->wlen ? h->hbuf[k] : p[k - h->wlen];
}

/*
 * Whether the version at index a of the skipped bytes (end of them
 * there) can end a request line: "HTTP/1.", a digit, then LF or CR LF,
 * as far as the bytes have come.
 */
static int
request_end(const struct http_dir *h, const uint8_t *p, size_t a, size_t end)
{
	if (a + 7 < end && !is_digit(vbyte(h, p, a + 7)))
		return 0;
	if (a + 8 >= end || vbyte(h, p, a + 8) == '\n')
		return 1;
	if (vbyte(h, p, a + 8) != '\r')
		return 0;
	return a + 9 >= end || vbyte(h, p, a + 9) == '\n';
}

/*
 * The start of a request line whose version begins at index a of the
 * skipped bytes (the window, then p): a method, SP, a target and SP
 * before it, within HTTP_RESYNC_BACK bytes.  The method is the known
 * method the token before the target ends with (the bytes before it may
 * be the end of a body), or else that whole token.
 * Returns its index, or SIZE_MAX when there is none.
 */
static size_t
request_back(const struct http_dir *h, const uint8_t *p, size_t a)
{
	size_t lo = a > HTTP_RESYNC_BACK ? a - HTTP_RESYNC_BACK : 0;
	size_t t, m, len, kl, i, j;

	if (a < lo + 4 || vbyte(h, p, a - 1) != ' ')
		return SIZE_MAX;
	for (t = a - 1; t > lo && is_target(vbyte(h, p, t - 1)); t--)
		continue;
	if (t == a - 1 || t == lo || vbyte(h, p, t - 1) != ' ')
		return SIZE_MAX;
	for (m = t - 1; m > lo && is_tchar(vbyte(h, p, m - 1)) &&
	     t - 1 - m < HTTP_METHODLEN;
	     m--)
		continue;
	len = t - 1 - m;
	if (len == 0)
		return SIZE_MAX;
	for (i = 0; known_methods[i] != NULL; i++) {
		kl = strlen(known_methods[i]);
		if (kl > len)
			continue;
		for (j = 0; j < kl; j++)
			if (vbyte(h, p, t - 1 - kl + j) !=
			    (uint8_t)known_methods[i][j])
				break;
		if (j == kl)
			return t - 1 - kl;
	}
	if (len < HTTP_METHODLEN && (m == 0 || !is_tchar(vbyte(h, p, m - 1))))
		return m;
	return SIZE_MAX;
}

/*
 * Skips the bytes of p (n at offset off) that are not a message, up to
 * the end of their line or a start line that begins in it (after the
 * end of a body the capture missed, binary bytes are followed by the
 * next start line directly): a status line at its "HTTP/1." followed by
 * a version digit, SP and three digits, a request line at the token
 * before the target that precedes an " HTTP/1.".  Only uppercase
 * "HTTP/1." is looked for here.  The last skipped bytes of the line are
 * kept in hbuf (the window, HTTP_RESYNC_BACK of them where requests may
 * come) to look back in.  Sets *usep to the bytes of p taken; returns 0
 * or TF_ERR_NOMEM.
 */
static int
skip(struct http_conn *c, unsigned dir, uint64_t off, const uint8_t *p,
    size_t n, size_t *usep)
{
	static const char v[] = "HTTP/1.";
	struct http_dir *h = &c->d[dir];
	int role = open_role(c, dir);
	const uint8_t *nl = find_lf(h, off, p, n, n), *q;
	size_t lim = nl ? (size_t)(nl - p) + 1 : n;
	size_t a, s = SIZE_MAX, end = h->wlen + lim, i, keep, ps, cap;
	uint8_t *b;

	/* Each "HTTP/1." that ends in p, from the first. */
	a = h->wlen > 6 ? h->wlen - 6 : 0;
	for (; a + 7 <= end; a++) {
		if (a >= h->wlen) {
			q = memchr(p + (a - h->wlen), 'H', lim - (a - h->wlen));
			if (q == NULL)
				break;
			a = (size_t)(q - p) + h->wlen;
			if (a + 7 > end)
				break;
		}
		for (i = 0; i < 7 && vbyte(h, p, a + i) == (uint8_t)v[i]; i++)
			continue;
		if (i < 7)
			continue;
		if (role != ROLE_RESP && request_end(h, p, a, end) &&
		    (s = request_back(h, p, a)) != SIZE_MAX)
			break;
		/* The status line's first 13 bytes, those that came. */
		if (role != ROLE_REQ) {
			uint8_t sb[13];
			size_t k;

			for (k = 0; k < 13 && a + k < end; k++)
				sb[k] = vbyte(h, p, a + k);
			if (may_start_status(sb, k)) {
				s = a;
				break;
			}
		}
	}
	if (s != SIZE_MAX) {
		/* A start line from s: its bytes so far make the line. */
		if (s < h->wlen) {
			h->skipped -=
			    h->skipped < h->wlen - s ? h->skipped : h->wlen - s;
			memmove(h->hbuf, h->hbuf + s, h->wlen - s);
			h->hlen = h->wlen - s;
			ps = 0;
		} else {
			h->hlen = 0;
			ps = s - h->wlen;
		}
		h->lineoff = off + ps - h->hlen;
		h->wlen = 0;
		h->linestart = 1;
		if (ps > 0) {
			if (h->skipped == 0)
				h->skipoff = off;
			h->skipped += ps;
		}
		*usep = ps;
		return 0;
	}
	if (h->skipped == 0)
		h->skipoff = off;
	h->skipped += lim;
	*usep = lim;
	if (nl != NULL) {
		h->wlen = 0;
		h->linestart = 1;
		return 0;
	}
	/* Keep the last bytes: 6 for an "HTTP/1." cut, more to look back. */
	keep = role == ROLE_RESP ? 6 : HTTP_RESYNC_BACK;
	if (lim >= keep) {
		h->wlen = 0;
		p += lim - keep;
		lim = keep;
	} else if (h->wlen + lim > keep) {
		i = h->wlen + lim - keep;
		memmove(h->hbuf, h->hbuf + i, h->wlen - i);
		h->wlen -= i;
	}
	if (h->wlen + lim > h->hcap) {
		cap = h->hcap > 0 ? h->hcap : HBUF_INIT;
		while (cap < h->wlen + lim)
			cap *= 2;
		if ((b = realloc(h->hbuf, cap)) == NULL)
			return TF_ERR_NOMEM;
		h->hbuf = b;
		h->hcap = cap;
	}
	memcpy(h->hbuf + h->wlen, p, lim);
	h->wlen += lim;
	return 0;
}

int
http_conn_data(struct http_conn *c, unsigned dir, uint64_t off, int64_t ts,
    const uint8_t *p, size_t n)
{
	struct http_dir *h = &c->d[dir & 1];
	const uint8_t *nl;
	size_t use, k;
	uint64_t sz;
	struct startline sl;
	int e, done, kind;

	dir &= 1;
	if ((c->h2 != NULL || !c->h2sniffed) &&
	    (e = h2_take(c, dir, off, ts, p, n)) != 0)
		return e < 0 ? e : 0;
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
				if ((e = skip(c, dir, off, p, n, &use)) < 0)
					return e;
				break;
			}
			if (h->hlen == 0)
				h->lineoff = off;
			h->wlen = 0; /* hbuf holds the line */
			nl = find_lf(h, off, p, n,
			    h->hlen < STARTLINE_MAX
			        ? STARTLINE_MAX - h->hlen + 1
			        : 1);
			use = nl ? (size_t)(nl - p) + 1 : n;
			k = use;
			if (h->hlen + k > STARTLINE_MAX) {
				/*
				 * Too long for a start line: skipped from
				 * its first byte, the rest searched for one.
				 */
				if (h->skipped == 0)
					h->skipoff = h->lineoff;
				use = h->hlen > 0 ? 0 : 1;
				h->skipped += h->hlen > 0 ? h->hlen : 1;
				h->hlen = 0;
				h->linestart = 0;
				break;
			}
			if ((e = hbuf_add(h, p, k, SIZE_MAX)) < 0)
				return e;
			if (!may_start(open_role(c, dir), h->hbuf,
			        trim_eol(h->hbuf, h->hlen))) {
				if (h->simple && h->skipped == 0) {
					/* The answer to HTTP/0.9: no status
					 * line, the body to the close. */
					if ((e = begin_raw(c, dir, ts)) < 0)
						return e;
					break;
				}
				/*
				 * Not a start line: skipped from its first
				 * byte, the rest searched for one (skip()).
				 * Bytes of it before p were a start line's
				 * beginning: skipped whole.
				 */
				k = h->hlen - k;
				use = k > 0 ? 0 : 1;
				if (h->skipped == 0)
					h->skipoff = h->lineoff;
				h->skipped += k > 0 ? k : 1;
				h->hlen = 0;
				h->wlen = 0;
				h->linestart = 0;
				break;
			}
			if (nl == NULL)
				break;
			k = trim_eol(h->hbuf, h->hlen);
			kind = start_line_kind(
			    h->hbuf, k, h->role == ROLE_REQ, &sl);
			if (kind == ROLE_NONE && h->simple && h->skipped == 0) {
				if ((e = begin_raw(c, dir, ts)) < 0)
					return e;
			} else if (kind != ROLE_NONE &&
			    take_role(c, dir, kind)) {
				h->state = ST_HEADERS;
				/* ts of the start line's packet */
				h->linets = ts;
				/* HTTP/0.9: no header block. */
				if ((sl.irr & HTTP_IRR_SIMPLE) &&
				    (e = begin(c, dir, ts)) < 0)
					return e;
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
				/* Read again, by the scan. */
				use = 0;
				if ((e = scan_start(c, dir)) < 0)
					return e;
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
		case ST_HSCAN:
			if ((e = scan_line(c, dir, p, n, &use)) < 0)
				return e;
			break;
		case ST_SNIFF:
			if ((e = sniff_bytes(c, dir, off, ts, p, n, &use)) < 0)
				return e;
			break;
		case ST_TUNNEL:
			/* Bytes after a 101 to h2c, in this call. */
			if (c->h2 != NULL &&
			    (e = h2_take(c, dir, off, ts, p, n)) < 0)
				return e;
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
	if ((c->h2 != NULL || !c->h2sniffed) && h2_gap(c, dir, off, len))
		return;
	if (h->state == ST_TUNNEL)
		goto out;
	if (h->state == ST_SNIFF) {
		/* What follows the gap is sniffed instead. */
		h->hlen = 0;
		goto out;
	}
	if (h->state == ST_HSCAN) {
		warnf(c, dir, off,
		    "%" PRIu64 " bytes missing from the "
		    "capture inside a header block",
		    len);
		scan_drop(h);
	}
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
	h->wlen = 0;
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

	h2_finish(c);
	for (d = 0; d < 2; d++) {
		h = &c->d[d];
		if (h->state == ST_SNIFF && h->hlen > 0)
			(void)tunnel_found(c, d, sniff(h->hbuf, h->hlen, 0, 1));
		if (h->state == ST_HSCAN) {
			scan_drop(h);
			h->state = ST_LINE;
		}
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
	/* HTTP/2 that the bytes sniffed above began. */
	h2_finish(c);
	unqueue(c);
}
