/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The summary of a stream for people: fixed-size aggregates fed by
 * lib/report, written as one self-contained HTML page or a text block.
 * See summary.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "addr.h"
#include "digest.h"
#include "esc.h"
#include "jsonobj.h"
#include "rec.h"
#include "report.h"
#include "siphash.h"
#include "summary.h"
#include "tferr.h"

#define KEYMAX 64
#define NCAUSE 9 /* close causes 0 (cut) to 7, 8 unknown */
#define NGAPC 6  /* gap causes 1 to 4, 5 unknown */
#define NSER (SUMMARY_NPORT + 1)
#define W 960 /* chart width, px */

/* A tracked key (an address, a content type) and its weights. */
struct tkent {
	uint8_t key[KEYMAX];
	size_t keylen;
	uint64_t w;   /* what it is ranked by */
	uint64_t w2;  /* a second sum (bytes of a content type) */
	uint64_t err; /* w may fall short by this much */
};

/*
 * Lossy counting over at most SUMMARY_NKEY keys: when full, the half
 * with the lowest weights is dropped and the floor rises to the highest
 * weight dropped; a key added later may have had up to the floor before.
 */
struct topk {
	struct tkent *v;
	size_t n;
	uint32_t *ix; /* 2 * SUMMARY_NKEY slots: index + 1, 0 empty */
	uint64_t floor;
	uint64_t dropped; /* keys dropped */
};

/* A connection, as the timeline draws it. */
struct sconn {
	uint64_t conn;
	int64_t first, last;
	uint64_t bytes[2];
	uint64_t packets;
	uint64_t gaps, gapbytes;
	uint8_t cause;
	uint8_t family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

/* A min-heap of the n connections with the highest key. */
struct heap {
	struct sconn v[SUMMARY_NCONN];
	size_t n;
	int bygap; /* keyed by gap bytes, else by bytes */
};

/* An HTTP message, as the table lists it; strings cut. */
struct smsg {
	int64_t ts;
	uint64_t conn;
	uint8_t dir;
	char *host, *method, *uri, *ctype, *file; /* NULL: absent */
	size_t hostlen, methodlen, urilen, ctypelen, filelen;
	uint64_t status, length;
	uint64_t stream, promised_by; /* HTTP/2, else UINT64_MAX */
	char version[4];              /* "1.1", "2", ...; "" when absent */
	int complete;
	char hex[DIGEST_NALGS][DIGEST_HEXLEN];
};

/* A certificate, as the TLS table lists it; strings cut. */
struct scert {
	char *subject, *issuer, *not_after, *san, *sha256; /* NULL: absent */
	size_t subjectlen, issuerlen, not_afterlen, sanlen, sha256len;
	uint64_t conns; /* connections that showed it */
};

struct lib {
	char *name, *ver;
};

struct summary {
	struct siphash_key key;
	/* The time buckets: [origin + i * width, + width). */
	int tbset;
	int64_t origin, width;
	size_t nused; /* buckets up to the last one used */
	uint64_t tput[2][NSER][SUMMARY_NB];
	uint64_t gapb[SUMMARY_NB];
	uint64_t starts[SUMMARY_NB], ends[SUMMARY_NB];
	uint16_t slot[SUMMARY_NPORT]; /* the port of each series */
	int nslot;
	uint64_t *portdata;              /* [65536] DATA bytes, running */
	uint64_t *portbytes, *portconns; /* [65536] as connections close */
	int64_t tmin, tmax;              /* of the connections */
	struct heap top, gappy;
	struct topk tbytes, tconns, types;
	struct sconn cur; /* the connection whose directions come */
	int havecur;
	/* Totals, as the DFXML report counts them. */
	uint64_t conns, dirs, bytes[2], packets[2], wirelen;
	uint64_t layerdirs; /* directions of layers (tf-tls -K): apart */
	uint64_t gaps, gapbytes, gapconns;
	uint64_t causes[NCAUSE];
	uint64_t gapc[NGAPC], gapcb[NGAPC]; /* GAP records, bytes by cause */
	uint64_t nodigest, retrans, ooo, overlapdiff, violations;
	uint64_t nmsg, nbody, nmsgdropped, npartial;
	uint64_t nh2; /* of nmsg, HTTP/2 messages */
	struct smsg *msg;
	size_t nmsgkept;
	/* TLS (tf-tls's annotations). */
	uint64_t ntls, ntlsdec, ncerts;
	struct topk snis, suites;
	struct scert *certs;
	size_t ncertkept;
	/* The run. */
	char *program, *pcapver, *cmdline;
	char **sources;
	size_t nsources;
	uint8_t srckind;
	uint32_t linktype, snaplen;
	int havehdr;
	struct report_cmd *cmds;
	size_t ncmds;
	struct lib *libs;
	size_t nlibs;
	struct rec_end end;
	int haveend;
	char *cut;
	uint64_t stray;
	struct report_stats st;
};

static int
topk_init(struct topk *t)
{
	t->v = calloc(SUMMARY_NKEY, sizeof(*t->v));
	t->ix = calloc(2 * SUMMARY_NKEY, sizeof(*t->ix));
	return t->v != NULL && t->ix != NULL ? 0 : TF_ERR_NOMEM;
}

static void
topk_release(struct topk *t)
{
	free(t->v);
	free(t->ix);
}

static size_t
topk_slot(
    const struct summary *s, const struct topk *t, const void *key, size_t len)
{
	size_t h = (size_t)siphash(&s->key, key, len) & (2 * SUMMARY_NKEY - 1);
	const struct tkent *e;

	for (;; h = (h + 1) & (2 * SUMMARY_NKEY - 1)) {
		if (t->ix[h] == 0)
			return h;
		e = &t->v[t->ix[h] - 1];
		if (e->keylen == len && memcmp(e->key, key, len) == 0)
			return h;
	}
}

static int
byw(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Drops the lighter half of t (at least one key). */
static void
topk_prune(struct summary *s, struct topk *t)
{
	uint64_t w[SUMMARY_NKEY], cut;
	size_t i, k = 0;

	for (i = 0; i < t->n; i++)
		w[i] = t->v[i].w;
	qsort(w, t->n, sizeof(w[0]), byw);
	cut = w[t->n / 2];
	if (cut > t->floor)
		t->floor = cut;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].w <= cut) {
			t->dropped++;
			continue;
		}
		t->v[k++] = t->v[i];
	}
	t->n = k;
	memset(t->ix, 0, 2 * SUMMARY_NKEY * sizeof(*t->ix));
	for (i = 0; i < t->n; i++)
		t->ix[topk_slot(s, t, t->v[i].key, t->v[i].keylen)] =
		    (uint32_t)i + 1;
}

static void
topk_add(struct summary *s, struct topk *t, const void *key, size_t len,
    uint64_t w, uint64_t w2)
{
	struct tkent *e;
	size_t h;

	if (len > KEYMAX)
		len = KEYMAX;
	h = topk_slot(s, t, key, len);
	if (t->ix[h] == 0) {
		if (t->n == SUMMARY_NKEY) {
			topk_prune(s, t);
			h = topk_slot(s, t, key, len);
		}
		e = &t->v[t->n++];
		t->ix[h] = (uint32_t)t->n;
		memcpy(e->key, key, len);
		e->keylen = len;
		e->w = e->w2 = 0;
		e->err = t->floor;
	} else
		e = &t->v[t->ix[h] - 1];
	e->w += w;
	e->w2 += w2;
}

static int
tkdesc(const void *a, const void *b)
{
	const struct tkent *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return memcmp(x->key, y->key, x->keylen);
}

/* Sorts t heaviest first (at the end: it is not added to after). */
static void
topk_sort(struct summary *s, struct topk *t)
{
	(void)s;
	qsort(t->v, t->n, sizeof(*t->v), tkdesc);
}

static uint64_t
hkey(const struct heap *h, const struct sconn *c)
{
	(void)h;
	return h->bygap ? c->gapbytes : c->bytes[0] + c->bytes[1];
}

/* Lower key first; then the later connection, so that ties keep the
 * earlier ones. */
static int
hless(const struct heap *h, const struct sconn *a, const struct sconn *b)
{
	uint64_t x = hkey(h, a), y = hkey(h, b);

	return x != y ? x < y : a->conn > b->conn;
}

static void
heap_add(struct heap *h, const struct sconn *c)
{
	struct sconn t;
	size_t i, l, m;

	if (h->n < SUMMARY_NCONN) {
		i = h->n++;
		h->v[i] = *c;
		while (i > 0 && hless(h, &h->v[i], &h->v[(i - 1) / 2])) {
			t = h->v[i];
			h->v[i] = h->v[(i - 1) / 2];
			h->v[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!hless(h, &h->v[0], c))
		return;
	h->v[0] = *c;
	for (i = 0;; i = m) {
		m = i;
		l = 2 * i + 1;
		if (l < h->n && hless(h, &h->v[l], &h->v[m]))
			m = l;
		if (l + 1 < h->n && hless(h, &h->v[l + 1], &h->v[m]))
			m = l + 1;
		if (m == i)
			break;
		t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
	}
}

struct summary *
summary_new(void)
{
	struct summary *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	siphash_key_random(&s->key);
	s->gappy.bygap = 1;
	s->portdata = calloc(65536, sizeof(uint64_t));
	s->portbytes = calloc(65536, sizeof(uint64_t));
	s->portconns = calloc(65536, sizeof(uint64_t));
	if (s->portdata == NULL || s->portbytes == NULL ||
	    s->portconns == NULL || topk_init(&s->tbytes) < 0 ||
	    topk_init(&s->tconns) < 0 || topk_init(&s->types) < 0 ||
	    topk_init(&s->snis) < 0 || topk_init(&s->suites) < 0) {
		summary_free(s);
		return NULL;
	}
	return s;
}

static void
msg_free(struct smsg *m)
{
	free(m->host);
	free(m->method);
	free(m->uri);
	free(m->ctype);
	free(m->file);
}

void
summary_free(struct summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->portdata);
	free(s->portbytes);
	free(s->portconns);
	topk_release(&s->tbytes);
	topk_release(&s->tconns);
	topk_release(&s->types);
	topk_release(&s->snis);
	topk_release(&s->suites);
	for (i = 0; i < s->ncertkept; i++) {
		free(s->certs[i].subject);
		free(s->certs[i].issuer);
		free(s->certs[i].not_after);
		free(s->certs[i].san);
		free(s->certs[i].sha256);
	}
	free(s->certs);
	for (i = 0; i < s->nmsgkept; i++)
		msg_free(&s->msg[i]);
	free(s->msg);
	free(s->program);
	free(s->pcapver);
	free(s->cmdline);
	for (i = 0; i < s->nsources; i++)
		free(s->sources[i]);
	free(s->sources);
	for (i = 0; i < s->ncmds; i++) {
		free((char *)(uintptr_t)s->cmds[i].key);
		free((uint8_t *)(uintptr_t)s->cmds[i].value);
	}
	free(s->cmds);
	for (i = 0; i < s->nlibs; i++) {
		free(s->libs[i].name);
		free(s->libs[i].ver);
	}
	free(s->libs);
	free(s->cut);
	free(s);
}

/* A NUL-terminated copy of n bytes at p, at most max of them. */
static char *
dup(const void *p, size_t n, size_t max, size_t *lenp)
{
	char *d;

	if (n > max)
		n = max;
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, p, n);
	d[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return d;
}

int
summary_begin(
    struct summary *s, const struct report_run *run, const char *cmdline)
{
	const struct rec_header *h = run->hdr;
	size_t i;

	if ((s->cmdline = dup(cmdline, strlen(cmdline), SIZE_MAX - 1, NULL)) ==
	    NULL)
		return TF_ERR_NOMEM;
	if (run->ncmds > 0 &&
	    (s->cmds = calloc(run->ncmds, sizeof(*s->cmds))) == NULL)
		return TF_ERR_NOMEM;
	for (i = 0; i < run->ncmds; i++) {
		s->cmds[i].key = dup(run->cmds[i].key, run->cmds[i].keylen,
		    SIZE_MAX - 1, &s->cmds[i].keylen);
		s->cmds[i].value = (const uint8_t *)dup(run->cmds[i].value,
		    run->cmds[i].valuelen, SIZE_MAX - 1, &s->cmds[i].valuelen);
		s->ncmds++;
		if (s->cmds[i].key == NULL || s->cmds[i].value == NULL)
			return TF_ERR_NOMEM;
	}
	if (h == NULL)
		return 0;
	s->havehdr = 1;
	s->srckind = h->source_kind;
	s->linktype = h->linktype;
	s->snaplen = h->snaplen;
	if ((s->program = dup(
	         h->program, h->programlen, SUMMARY_STRMAX, NULL)) == NULL ||
	    (s->pcapver = dup(
	         h->pcapver, h->pcapverlen, SUMMARY_STRMAX, NULL)) == NULL)
		return TF_ERR_NOMEM;
	if (h->nsources > 0 &&
	    (s->sources = calloc(h->nsources, sizeof(*s->sources))) == NULL)
		return TF_ERR_NOMEM;
	for (i = 0; i < h->nsources; i++) {
		if ((s->sources[i] = dup(h->source[i], h->sourcelen[i],
		         SUMMARY_STRMAX * 4, NULL)) == NULL)
			return TF_ERR_NOMEM;
		s->nsources++;
	}
	return 0;
}

int
summary_library(struct summary *s, const char *name, const char *ver)
{
	struct lib *l;

	if ((l = realloc(s->libs, (s->nlibs + 1) * sizeof(*l))) == NULL)
		return TF_ERR_NOMEM;
	s->libs = l;
	l = &s->libs[s->nlibs];
	l->name = dup(name, strlen(name), SUMMARY_STRMAX, NULL);
	l->ver = dup(ver, strlen(ver), SUMMARY_STRMAX, NULL);
	s->nlibs++;
	return l->name != NULL && l->ver != NULL ? 0 : TF_ERR_NOMEM;
}

/* Doubles the buckets' width, merging them two by two. */
static void
widen(struct summary *s)
{
	size_t i, d, k;

	for (i = 0; i < SUMMARY_NB / 2; i++) {
		for (d = 0; d < 2; d++)
			for (k = 0; k < NSER; k++)
				s->tput[d][k][i] = s->tput[d][k][2 * i] +
				    s->tput[d][k][2 * i + 1];
		s->gapb[i] = s->gapb[2 * i] + s->gapb[2 * i + 1];
		s->starts[i] = s->starts[2 * i] + s->starts[2 * i + 1];
		s->ends[i] = s->ends[2 * i] + s->ends[2 * i + 1];
	}
	for (i = SUMMARY_NB / 2; i < SUMMARY_NB; i++) {
		for (d = 0; d < 2; d++)
			for (k = 0; k < NSER; k++)
				s->tput[d][k][i] = 0;
		s->gapb[i] = s->starts[i] = s->ends[i] = 0;
	}
	s->nused = (s->nused + 1) / 2;
	s->width *= 2;
}

/*
 * The bucket of time ts: the first time seen is the origin, and a time
 * before it is counted in the first bucket.
 */
static size_t
bucket(struct summary *s, int64_t ts)
{
	size_t i;

	if (!s->tbset) {
		s->tbset = 1;
		s->origin = ts;
		s->width = 1000000; /* 1 ms */
	}
	if (ts <= s->origin)
		i = 0;
	else {
		while (
		    ((uint64_t)ts - (uint64_t)s->origin) / (uint64_t)s->width >=
		    SUMMARY_NB)
			widen(s);
		i = (size_t)(((uint64_t)ts - (uint64_t)s->origin) /
		    (uint64_t)s->width);
	}
	if (i + 1 > s->nused)
		s->nused = i + 1;
	return i;
}

void
summary_open(struct summary *s, const struct rec_open *o)
{
	if (o->ts != 0)
		(void)bucket(s, o->ts);
}

/* The series of server port p, taking a slot for it when it has more
 * bytes than the port of the lightest one. */
static size_t
series(struct summary *s, uint16_t p)
{
	size_t i, min = 0, k;
	int d;

	for (i = 0; i < (size_t)s->nslot; i++)
		if (s->slot[i] == p)
			return i;
	if (s->nslot < SUMMARY_NPORT) {
		s->slot[s->nslot] = p;
		return (size_t)s->nslot++;
	}
	for (i = 1; i < SUMMARY_NPORT; i++)
		if (s->portdata[s->slot[i]] < s->portdata[s->slot[min]])
			min = i;
	if (s->portdata[p] <= s->portdata[s->slot[min]])
		return SUMMARY_NPORT;
	/* The lighter port's bytes so far go to "other". */
	for (d = 0; d < 2; d++)
		for (k = 0; k < SUMMARY_NB; k++) {
			s->tput[d][SUMMARY_NPORT][k] += s->tput[d][min][k];
			s->tput[d][min][k] = 0;
		}
	s->slot[min] = p;
	return min;
}

void
summary_seg(struct summary *s, const struct rec_open *o, uint8_t dir,
    int64_t ts, uint64_t len, uint8_t gapcause)
{
	size_t b;

	if (dir > 1)
		return;
	b = bucket(s, ts);
	if (gapcause != 0) {
		gapcause = gapcause < NGAPC ? gapcause : NGAPC - 1;
		s->gapc[gapcause]++;
		s->gapcb[gapcause] += len;
		s->gapb[b] += len;
		return;
	}
	s->portdata[o->dport] += len;
	s->tput[dir][series(s, o->dport)][b] += len;
}

static int64_t
dtime(const struct report_dir *rd, int first)
{
	const struct rec_dirstats *st = rd->st;

	if (first)
		return st != NULL && st->first != 0 ? st->first : rd->first;
	return st != NULL && st->last != 0 ? st->last : rd->last;
}

/* Counts a connection whose directions have all come. */
static void
conn_done(struct summary *s)
{
	struct sconn *c = &s->cur;
	uint64_t b = c->bytes[0] + c->bytes[1];
	uint8_t k[17];

	s->havecur = 0;
	s->conns++;
	if (s->conns == 1 || c->first < s->tmin)
		s->tmin = c->first;
	if (s->conns == 1 || c->last > s->tmax)
		s->tmax = c->last;
	s->starts[bucket(s, c->first)]++;
	s->ends[bucket(s, c->last)]++;
	s->causes[c->cause < NCAUSE - 1 ? c->cause : NCAUSE - 1]++;
	s->portbytes[c->dport] += b;
	s->portconns[c->dport]++;
	if (c->gapbytes > 0 || c->gaps > 0) {
		s->gapconns++;
		heap_add(&s->gappy, c);
	}
	heap_add(&s->top, c);
	k[0] = c->family;
	memcpy(k + 1, c->src, 16);
	topk_add(s, &s->tbytes, k, sizeof(k), b, 0);
	topk_add(s, &s->tconns, k, sizeof(k), 1, 0);
	/* A connection between two sockets of one address counts once. */
	if (memcmp(c->src, c->dst, 16) == 0)
		return;
	memcpy(k + 1, c->dst, 16);
	topk_add(s, &s->tbytes, k, sizeof(k), b, 0);
	topk_add(s, &s->tconns, k, sizeof(k), 1, 0);
}

/* Keeps message h of rd for the table, and counts it. */
static int
message(
    struct summary *s, const struct report_dir *rd, const struct report_http *h)
{
	struct smsg *m;
	const struct report_str *ct = &h->content_type;
	size_t n;

	s->nmsg++;
	if (h->version.p != NULL && strcmp(h->version.p, "2") == 0)
		s->nh2++;
	if (h->file.p != NULL)
		s->nbody++;
	if (h->complete == 0)
		s->npartial++;
	if (ct->p != NULL) {
		/* The media type alone: parameters vary. */
		for (n = 0; n < ct->len && ct->p[n] != ';'; n++)
			;
		while (n > 0 && (ct->p[n - 1] == ' ' || ct->p[n - 1] == '\t'))
			n--;
		topk_add(s, &s->types, ct->p, n, 1,
		    h->length != UINT64_MAX ? h->length : 0);
	} else if (h->file.p != NULL)
		topk_add(s, &s->types, "", 0, 1,
		    h->length != UINT64_MAX ? h->length : 0);
	if (s->nmsgkept == SUMMARY_NHTTP)
		return 0;
	if (s->msg == NULL &&
	    (s->msg = calloc(SUMMARY_NHTTP, sizeof(*s->msg))) == NULL)
		return TF_ERR_NOMEM;
	m = &s->msg[s->nmsgkept++];
	m->ts = h->ts;
	m->conn = rd->conn;
	m->dir = rd->dir;
	m->status = h->status;
	m->length = h->length;
	m->complete = h->complete;
	m->stream = h->stream;
	m->promised_by = h->promised_by;
	if (h->version.p != NULL && h->version.len < sizeof(m->version))
		memcpy(m->version, h->version.p, h->version.len + 1);
	memcpy(m->hex, h->hex, sizeof(m->hex));
#define COPY(f, from)                                                          \
	if ((from).p != NULL &&                                                \
	    (m->f = dup((from).p, (from).len, SUMMARY_STRMAX, &m->f##len)) ==  \
	        NULL)                                                          \
		return TF_ERR_NOMEM;
	COPY(host, h->host)
	COPY(method, h->method)
	COPY(uri, h->uri)
	COPY(ctype, h->content_type)
	COPY(file, h->file)
#undef COPY
	return 0;
}

/*
 * The byte string member key of the parsed object m (n members), or of an
 * array member its elements joined by ", ", as a copy cut to
 * SUMMARY_STRMAX bytes; NULL when absent.  Returns TF_ERR_NOMEM or 0.
 */
static int
tls_str(const struct jsonobj_member *m, size_t n, const char *key, char **out,
    size_t *len)
{
	const struct jsonobj_member *x;
	char buf[SUMMARY_STRMAX];
	uint8_t *b;
	size_t bl = 0, k, i;
	long l;
	int e;

	*out = NULL;
	*len = 0;
	x = jsonobj_get(m, n, key);
	if (x != NULL && x->type == JSONOBJ_ARRAY) {
		if ((b = malloc(x->vallen + 1)) == NULL)
			return TF_ERR_NOMEM;
		for (k = 0; bl < sizeof(buf) &&
		     (l = jsonobj_elem(x, k, (char *)b, x->vallen + 1)) >= 0;
		     k++) {
			for (i = 0; k > 0 && i < 2 && bl < sizeof(buf); i++)
				buf[bl++] = ", "[i];
			for (i = 0; i < (size_t)l && bl < sizeof(buf); i++)
				buf[bl++] = (char)b[i];
		}
		free(b);
		if ((*out = dup(buf, bl, SUMMARY_STRMAX, len)) == NULL)
			return TF_ERR_NOMEM;
		return 0;
	}
	if ((e = jsonobj_bytes(m, n, key, &b, &bl)) < 0)
		return e;
	if (e == 0)
		return 0;
	*out = dup(b, bl, SUMMARY_STRMAX, len);
	free(b);
	return *out == NULL ? TF_ERR_NOMEM : 0;
}

/* Counts rd's tls.session and keeps its certificates for the table. */
static int
tls_dir(struct summary *s, const struct report_dir *rd)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	const struct jsonobj_member *x;
	struct scert c, *k;
	char *a, *b, key[2 * SUMMARY_STRMAX + 2];
	size_t n, la, lb, i, j;
	int e;

	if (rd->tls != NULL &&
	    jsonobj_parse((const uint8_t *)rd->tls->p, rd->tls->len, m,
	        JSONOBJ_MAX_MEMBERS, &n) == 0) {
		s->ntls++;
		x = jsonobj_get(m, n, "decrypted");
		if (x != NULL && x->type == JSONOBJ_TRUE)
			s->ntlsdec++;
		if ((e = tls_str(m, n, "sni", &a, &la)) < 0)
			return e;
		topk_add(s, &s->snis, a != NULL ? a : "", la, 1, 0);
		free(a);
		if ((e = tls_str(m, n, "version", &a, &la)) < 0)
			return e;
		if ((e = tls_str(m, n, "cipher", &b, &lb)) < 0) {
			free(a);
			return e;
		}
		n = (size_t)snprintf(key, sizeof(key), "%s %s",
		    a != NULL ? a : "?", b != NULL ? b : "?");
		topk_add(s, &s->suites, key, n < sizeof(key) ? n : 0, 1, 0);
		free(a);
		free(b);
	}
	for (i = 0; i < rd->ncerts; i++) {
		if (jsonobj_parse((const uint8_t *)rd->certs[i].p,
		        rd->certs[i].len, m, JSONOBJ_MAX_MEMBERS, &n) < 0)
			continue;
		s->ncerts++;
		memset(&c, 0, sizeof(c));
		if ((e = tls_str(m, n, "sha256", &c.sha256, &c.sha256len)) < 0)
			return e;
		for (k = NULL, j = 0; j < s->ncertkept && c.sha256 != NULL; j++)
			if (s->certs[j].sha256 != NULL &&
			    strcmp(s->certs[j].sha256, c.sha256) == 0)
				k = &s->certs[j];
		if (k != NULL || s->ncertkept == SUMMARY_NCERT) {
			if (k != NULL)
				k->conns++;
			free(c.sha256);
			continue;
		}
		if (s->certs == NULL &&
		    (s->certs = calloc(SUMMARY_NCERT, sizeof(*s->certs))) ==
		        NULL) {
			free(c.sha256);
			return TF_ERR_NOMEM;
		}
		c.conns = 1;
		s->certs[s->ncertkept++] = c;
		k = &s->certs[s->ncertkept - 1];
		if ((e = tls_str(
		         m, n, "subject", &k->subject, &k->subjectlen)) < 0 ||
		    (e = tls_str(m, n, "issuer", &k->issuer, &k->issuerlen)) <
		        0 ||
		    (e = tls_str(m, n, "not_after", &k->not_after,
		         &k->not_afterlen)) < 0 ||
		    (e = tls_str(m, n, "san", &k->san, &k->sanlen)) < 0)
			return e;
	}
	return 0;
}

int
summary_dir(struct summary *s, const struct report_dir *rd)
{
	const struct rec_dirstats *st = rd->st;
	struct sconn *c = &s->cur;
	int64_t first = dtime(rd, 1), last = dtime(rd, 0);
	size_t k;
	int e;

	/* A layer's bytes are its connection's: counted there. */
	if (rd->layer) {
		s->layerdirs++;
		return 0;
	}
	if (rd->dir == 0 || !s->havecur || c->conn != rd->conn) {
		if (s->havecur)
			conn_done(s);
		memset(c, 0, sizeof(*c));
		s->havecur = 1;
		c->conn = rd->conn;
		c->first = rd->open_ts;
		c->last = rd->open_ts;
		c->family = rd->family;
		memcpy(c->src, rd->dir == 0 ? rd->src : rd->dst,
		    rd->family == 6 ? 16 : 4);
		memcpy(c->dst, rd->dir == 0 ? rd->dst : rd->src,
		    rd->family == 6 ? 16 : 4);
		c->sport = rd->dir == 0 ? rd->sport : rd->dport;
		c->dport = rd->dir == 0 ? rd->dport : rd->sport;
		c->cause = rd->cause;
	}
	if (first != 0 && (c->first == 0 || first < c->first))
		c->first = first;
	if (last > c->last)
		c->last = last;
	if (c->first == 0)
		c->first = c->last;
	c->bytes[rd->dir & 1] += rd->filesize;
	c->gaps += st != NULL ? st->gaps : rd->gaps;
	c->gapbytes += st != NULL ? st->gapbytes : rd->gapbytes;
	s->dirs++;
	s->bytes[rd->dir & 1] += rd->filesize;
	s->gaps += st != NULL ? st->gaps : rd->gaps;
	s->gapbytes += st != NULL ? st->gapbytes : rd->gapbytes;
	if (rd->nodigest != 0)
		s->nodigest++;
	if (st != NULL) {
		c->packets += st->packets;
		s->packets[rd->dir & 1] += st->packets;
		s->wirelen += st->wirelen;
		s->retrans += st->retrans;
		s->ooo += st->ooo;
		s->overlapdiff += st->overlapdiff;
		s->violations += st->violations;
	}
	s->nmsgdropped += rd->httpdropped;
	if ((e = tls_dir(s, rd)) < 0)
		return e;
	for (k = 0; k < rd->nhttp; k++)
		if ((e = message(s, rd, &rd->http[k])) < 0)
			return e;
	if (rd->dir == 1)
		conn_done(s);
	return 0;
}

void
summary_end(struct summary *s, const struct rec_end *e, const char *cut,
    uint64_t stray, const struct report_stats *st)
{
	if (s->havecur)
		conn_done(s);
	if (e != NULL) {
		s->end = *e;
		s->haveend = 1;
	} else if (cut != NULL)
		s->cut = dup(cut, strlen(cut), SUMMARY_STRMAX, NULL);
	s->stray = stray;
	if (st != NULL)
		s->st = *st;
	topk_sort(s, &s->tbytes);
	topk_sort(s, &s->tconns);
	topk_sort(s, &s->types);
}

/* The writer: fails once, then writes nothing more. */
struct out {
	FILE *fp;
	int fail;
};

static void P(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
P(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->fail)
		return;
	va_start(ap, fmt);
	if (vfprintf(o->fp, fmt, ap) < 0)
		o->fail = 1;
	va_end(ap);
}

/* Capture bytes as HTML text. */
static void
H(struct out *o, const void *p, size_t n)
{
	if (!o->fail && esc_html(o->fp, p, n) < 0)
		o->fail = 1;
}

static void
Hs(struct out *o, const char *p)
{
	H(o, p, strlen(p));
}

/* Capture bytes as terminal text. */
static void
T(struct out *o, const void *p, size_t n)
{
	if (!o->fail && esc_write(o->fp, p, n) < 0)
		o->fail = 1;
}

static void
Ts(struct out *o, const char *p)
{
	T(o, p, strlen(p));
}

static const char *
isotime(char *buf, size_t size, int64_t ts, int digits)
{
	if (ts == 0 || addr_isotime(buf, size, ts, digits) < 0)
		(void)snprintf(buf, size, "-");
	return buf;
}

static const char *
cause_name(unsigned c)
{
	const char *n;

	if (c == 0)
		return "cut";
	return (n = rec_close_cause_name(c)) != NULL ? n : "unknown";
}

static const char *
gap_name(unsigned c)
{
	const char *n = rec_gap_cause_name(c);

	return n != NULL ? n : "unknown";
}

static const char *
addr(char *buf, const uint8_t *key)
{
	return addr_plain(buf, key[0], key + 1);
}

/* A duration in ns, in words. */
static const char *
span(char *buf, size_t size, double ns)
{
	double v = ns;

	if (ns < 1e6)
		(void)snprintf(buf, size, "%.0f us", v / 1e3);
	else if (ns < 1e9)
		(void)snprintf(buf, size, "%.1f ms", v / 1e6);
	else if (ns < 600e9)
		(void)snprintf(buf, size, "%.1f s", v / 1e9);
	else
		(void)snprintf(buf, size, "%.1f min", v / 6e10);
	return buf;
}

/* Whether anything was lost or skipped. */
static int
losses(const struct summary *s)
{
	const struct rec_end *e = &s->end;

	return s->gaps > 0 || s->gapbytes > 0 || !s->haveend ||
	    e->status != 0 || e->evicted > 0 || e->malformed > 0 ||
	    e->truncated > 0 || e->frag_dropped > 0 || e->bad_checksum > 0 ||
	    s->causes[REC_CLOSE_EVICTED] > 0 ||
	    s->causes[REC_CLOSE_INTERRUPTED] > 0 || s->causes[0] > 0 ||
	    s->nmsgdropped > 0 || s->st.httpdir + s->st.httpall > 0 ||
	    s->st.kdrops > 0;
}

/* The page's style sheet; its SHA-256 goes in the CSP. */
static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222;"
    "background:#fff}"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 "
    ".4em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.3em 0}"
    "td,th{padding:1px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}"
    "tr:nth-child(even) td{background:#f7f7f7}"
    ".loss{border:2px solid #c00;background:#fff4f4;padding:.2em 1em}"
    ".loss h2{color:#c00;border:0}"
    "code,.m{font-family:ui-monospace,monospace;font-size:12px;"
    "word-break:break-all}"
    ".sub{color:#555}.w{color:#c00}td.t{white-space:nowrap}"
    "svg{display:block;margin:.3em 0;background:#fcfcfc;border:1px solid "
    "#ddd}"
    "svg text{font:11px sans-serif;fill:#333}"
    ".c0{fill:#000}.c1{fill:#2a9d3a}.c2{fill:#d9480f}.c3{fill:#868e96}"
    ".c4{fill:#1c7ed6}.c5{fill:#9c36b5}.c6{fill:#8d6e63}.c7{fill:#f08c00}"
    ".c8{fill:#555}"
    ".bar.gap{stroke:#e00;stroke-width:1.5}.gm{fill:#e00}.dn{fill:#adb5bd}"
    ".s0{fill:#4263eb}.s1{fill:#f59f00}.s2{fill:#37b24d}.s3{fill:#e64980}"
    ".s4{fill:#15aabf}.s5{fill:#ae3ec9}.s6{fill:#82c91e}.s7{fill:#fd7e14}"
    ".s8{fill:#adb5bd}.pb{fill:#4263eb}"
    ".key{display:inline-block;width:10px;height:10px;margin-right:4px}"
    ".k0{background:#000}.k1{background:#2a9d3a}.k2{background:#d9480f}"
    ".k3{background:#868e96}.k4{background:#1c7ed6}.k5{background:#9c36b5}"
    ".k6{background:#8d6e63}.k7{background:#f08c00}.k8{background:#555}"
    ".t0{background:#4263eb}.t1{background:#f59f00}.t2{background:#37b24d}"
    ".t3{background:#e64980}.t4{background:#15aabf}.t5{background:#ae3ec9}"
    ".t6{background:#82c91e}.t7{background:#fd7e14}.t8{background:#adb5bd}";

/* The CSP source of the style sheet: 'sha256-BASE64'. */
static int
css_hash(char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 4];
	unsigned int n;

	if (EVP_Digest(css, sizeof(css) - 1, md, &n, EVP_sha256(), NULL) != 1)
		return -1;
	(void)EVP_EncodeBlock(b64, md, (int)n);
	(void)snprintf(buf, size, "'sha256-%s'", (char *)b64);
	return 0;
}

/* x of time t on a chart of [t0, t1]. */
static double
xof(double t, double t0, double t1)
{
	if (t1 <= t0)
		return 0;
	if (t < t0)
		t = t0;
	return (t - t0) * W / (t1 - t0);
}

/* The start of bucket i, in ns (as a double: no overflow). */
static double
btime(const struct summary *s, size_t i)
{
	return (double)s->origin + (double)i * (double)s->width;
}

static void
conn_title(struct out *o, const struct sconn *c)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], t0[40], t1[40];

	P(o,
	    "<title>connection %" PRIu64 ": %s:%u - %s:%u, %" PRIu64
	    " + %" PRIu64 " bytes, %" PRIu64 " packets, %s to %s, %s",
	    c->conn, addr_plain(a, c->family, c->src), c->sport,
	    addr_plain(b, c->family, c->dst), c->dport, c->bytes[0],
	    c->bytes[1], c->packets, isotime(t0, sizeof(t0), c->first, 6),
	    isotime(t1, sizeof(t1), c->last, 6), cause_name(c->cause));
	if (c->gaps > 0 || c->gapbytes > 0)
		P(o, ", %" PRIu64 " gaps (%" PRIu64 " bytes)", c->gaps,
		    c->gapbytes);
	P(o, "</title>");
}

static int
byfirst(const void *a, const void *b)
{
	const struct sconn *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->conn < y->conn ? -1 : x->conn > y->conn;
}

/* The time span the charts draw, in ns. */
static void
chart_span(const struct summary *s, double *t0, double *t1)
{
	*t0 = (double)s->tmin;
	*t1 = (double)s->tmax;
	if (s->tbset && (s->conns == 0 || btime(s, 0) < *t0))
		*t0 = btime(s, 0);
	if (s->tbset && (s->conns == 0 || btime(s, s->nused) > *t1))
		*t1 = btime(s, s->nused);
	if (*t1 <= *t0)
		*t1 = *t0 + 1;
}

static void
timeline(struct out *o, struct summary *s)
{
	struct sconn *v = s->top.v;
	size_t n = s->top.n, i;
	double t0, t1;
	uint64_t live = 0, maxlive = 0, act[SUMMARY_NB];
	double x, x2, y, h;
	int bars = (int)n * 7, dh = 50;
	char b0[40], b1[40], sp[32];

	P(o, "<section id=\"timeline\"><h2>Connections over time</h2>\n");
	if (s->conns == 0) {
		P(o, "<p>No connections.</p></section>\n");
		return;
	}
	chart_span(s, &t0, &t1);
	qsort(v, n, sizeof(*v), byfirst);
	P(o,
	    "<p>%s to %s (%s). %s %zu connection%s by bytes drawn as bars from "
	    "first to last packet, coloured by how they closed; a red edge: "
	    "gaps.",
	    isotime(b0, sizeof(b0), s->tmin, 6),
	    isotime(b1, sizeof(b1), s->tmax, 6),
	    span(sp, sizeof(sp), (double)s->tmax - (double)s->tmin),
	    n < s->conns ? "The" : "All", n, n == 1 ? "" : "s");
	if (n < s->conns)
		P(o, " %" PRIu64 " more only in the density strip below.",
		    s->conns - n);
	P(o,
	    " Below: connections open per time bucket of %s; red marks: "
	    "buckets with gap bytes.</p>\n",
	    span(sp, sizeof(sp), (double)s->width));
	for (i = 0; i < NCAUSE; i++)
		if (s->causes[i] > 0)
			P(o,
			    "<span class=\"key k%zu\"></span>%s %" PRIu64
			    " &nbsp; ",
			    i,
			    i == NCAUSE - 1 ? "unknown"
			                    : cause_name((unsigned)i),
			    s->causes[i]);
	P(o,
	    "<svg id=\"timeline-svg\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
	    W, bars + dh + 12, W, bars + dh + 12);
	for (i = 0; i < n; i++) {
		x = xof((double)v[i].first, t0, t1);
		x2 = xof((double)v[i].last, t0, t1);
		P(o,
		    "<rect class=\"bar c%u%s\" x=\"%.1f\" y=\"%zu\" "
		    "width=\"%.1f\" height=\"5\">",
		    v[i].cause < NCAUSE - 1 ? v[i].cause : NCAUSE - 1,
		    v[i].gaps > 0 || v[i].gapbytes > 0 ? " gap" : "", x, i * 7,
		    x2 - x < 1 ? 1 : x2 - x);
		conn_title(o, &v[i]);
		P(o, "</rect>\n");
	}
	/* Connections open in each bucket: started so far, less those
	 * that ended in an earlier bucket. */
	for (i = 0; i < s->nused; i++) {
		live += s->starts[i];
		act[i] = live;
		live -= s->ends[i];
		if (act[i] > maxlive)
			maxlive = act[i];
	}
	for (i = 0; i < s->nused; i++) {
		if (act[i] == 0)
			continue;
		x = xof(btime(s, i), t0, t1);
		x2 = xof(btime(s, i + 1), t0, t1);
		h = (double)act[i] * (dh - 4) / (double)maxlive;
		y = bars + dh - h;
		P(o,
		    "<rect class=\"dn\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"><title>%" PRIu64 " open</title></rect>\n",
		    x, y, x2 - x < 0.5 ? 0.5 : x2 - x, h, act[i]);
	}
	for (i = 0; i < s->nused; i++) {
		if (s->gapb[i] == 0)
			continue;
		x = xof(btime(s, i), t0, t1);
		x2 = xof(btime(s, i + 1), t0, t1);
		P(o,
		    "<rect class=\"gm\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"8\"><title>%" PRIu64
		    " gap bytes</title></rect>\n",
		    x, bars + dh + 2, x2 - x < 2 ? 2 : x2 - x, s->gapb[i]);
	}
	P(o, "</svg></section>\n");
}

static void
port_name(char *buf, size_t size, const struct summary *s, size_t k)
{
	if (k == SUMMARY_NPORT)
		(void)snprintf(buf, size, "other");
	else
		(void)snprintf(buf, size, "port %u", s->slot[k]);
}

static void
throughput(struct out *o, struct summary *s)
{
	static const char *const dname[2] = {
	    "client to server", "server to client"};
	uint64_t sum[SUMMARY_NB], max, tot[NSER];
	double t0, t1;
	double x, x2, y, h, base[SUMMARY_NB];
	size_t d, k, i, nser;
	char name[32], sp[32];
	const int ch = 120;

	P(o, "<section id=\"throughput\"><h2>Throughput</h2>\n");
	if (!s->tbset || s->nused == 0) {
		P(o, "<p>No data.</p></section>\n");
		return;
	}
	chart_span(s, &t0, &t1);
	P(o,
	    "<p>Bytes of data per %s, stacked by server port: up to %d of "
	    "the busiest ports each in a colour of its own, the rest as "
	    "other.</p>\n",
	    span(sp, sizeof(sp), (double)s->width), SUMMARY_NPORT);
	for (d = 0; d < 2; d++) {
		memset(sum, 0, sizeof(sum));
		memset(tot, 0, sizeof(tot));
		max = 0;
		nser = 0;
		for (k = 0; k < NSER; k++)
			for (i = 0; i < s->nused; i++) {
				sum[i] += s->tput[d][k][i];
				tot[k] += s->tput[d][k][i];
			}
		for (i = 0; i < s->nused; i++)
			if (sum[i] > max)
				max = sum[i];
		for (k = 0; k < NSER; k++)
			nser += tot[k] > 0;
		P(o, "<h3>%s: %" PRIu64 " bytes at most per bucket</h3>\n",
		    dname[d], max);
		for (k = 0; k < NSER; k++) {
			if (tot[k] == 0)
				continue;
			port_name(name, sizeof(name), s, k);
			P(o,
			    "<span class=\"key t%zu\"></span>%s: %" PRIu64
			    " bytes &nbsp; ",
			    k, name, tot[k]);
		}
		P(o,
		    "<svg class=\"tput\" id=\"tput%zu\" "
		    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		    "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		    d, W, ch, W, ch);
		for (i = 0; i < SUMMARY_NB; i++)
			base[i] = ch;
		for (k = 0; k < NSER && max > 0; k++) {
			if (tot[k] == 0)
				continue;
			port_name(name, sizeof(name), s, k);
			P(o, "<path class=\"tp s%zu\" d=\"", k);
			for (i = 0; i < s->nused; i++) {
				if (s->tput[d][k][i] == 0)
					continue;
				x = xof(btime(s, i), t0, t1);
				x2 = xof(btime(s, i + 1), t0, t1);
				h = (double)s->tput[d][k][i] * (ch - 4) /
				    (double)max;
				y = base[i] - h;
				base[i] = y;
				P(o, "M%.1f %.2fh%.1fv%.2fh%.1fz", x, y,
				    x2 - x < 0.5 ? 0.5 : x2 - x, h,
				    -(x2 - x < 0.5 ? 0.5 : x2 - x));
			}
			P(o, "\"><title>%s</title></path>\n", name);
		}
		P(o, "</svg>\n");
	}
	P(o, "</section>\n");
}

/* The ports with the most of weights w, at most SUMMARY_NSHOW. */
static size_t
top_ports(const uint64_t *w, uint16_t *out)
{
	size_t n = 0, i, j;

	for (i = 0; i < 65536; i++) {
		if (w[i] == 0)
			continue;
		if (n == SUMMARY_NSHOW && w[i] <= w[out[n - 1]])
			continue;
		if (n < SUMMARY_NSHOW)
			n++;
		/* Insert in order, heaviest first, lower port on ties. */
		for (j = n - 1; j > 0 && w[out[j - 1]] < w[i]; j--)
			out[j] = out[j - 1];
		out[j] = (uint16_t)i;
	}
	return n;
}

static void
talkers(
    struct out *o, const char *title, const struct topk *t, const char *unit)
{
	char a[ADDR_STRLEN];
	size_t i;

	P(o, "<div><h3>%s</h3><table><tr><th>address</th><th>%s</th></tr>\n",
	    title, unit);
	for (i = 0; i < t->n && i < SUMMARY_NSHOW && t->v[i].w > 0; i++) {
		P(o, "<tr><td class=\"m\">%s</td><td class=\"n\">%" PRIu64,
		    addr(a, t->v[i].key), t->v[i].w);
		if (t->v[i].err > 0)
			P(o, " (up to +%" PRIu64 ")", t->v[i].err);
		P(o, "</td></tr>\n");
	}
	P(o, "</table>");
	if (t->dropped > 0)
		P(o,
		    "<p class=\"sub\">More than %d addresses: %" PRIu64
		    " of the lightest dropped as they came; a count with "
		    "\"up to\" may miss that much.</p>",
		    SUMMARY_NKEY, t->dropped);
	P(o, "</div>\n");
}

static void
tops(struct out *o, struct summary *s)
{
	uint16_t pb[SUMMARY_NSHOW], pc[SUMMARY_NSHOW];
	size_t nb = top_ports(s->portbytes, pb),
	       nc = top_ports(s->portconns, pc), i;
	double w;

	P(o, "<section id=\"top\"><h2>Top talkers and server ports</h2>\n");
	P(o, "<h3>Server ports by bytes</h3>\n");
	if (nb > 0) {
		P(o,
		    "<svg id=\"ports-svg\" "
		    "xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
		    W, nb * 16 + 4, W, nb * 16 + 4);
		for (i = 0; i < nb; i++) {
			w = (double)s->portbytes[pb[i]] * (W - 300) /
			    (double)s->portbytes[pb[0]];
			P(o,
			    "<text x=\"4\" y=\"%zu\">%u</text><rect "
			    "class=\"pb\" "
			    "x=\"60\" y=\"%zu\" width=\"%.1f\" height=\"12\">"
			    "<title>port %u: %" PRIu64
			    " bytes</title></rect><text x=\"%.1f\" "
			    "y=\"%zu\">%" PRIu64 " bytes, %" PRIu64
			    " connections</text>\n",
			    i * 16 + 14, pb[i], i * 16 + 4, w < 1 ? 1 : w,
			    pb[i], s->portbytes[pb[i]], 66 + w, i * 16 + 14,
			    s->portbytes[pb[i]], s->portconns[pb[i]]);
		}
		P(o, "</svg>\n");
	}
	P(o,
	    "<table id=\"ports-conns\"><tr><th>server port</th>"
	    "<th>connections</th><th>bytes</th></tr>\n");
	for (i = 0; i < nc; i++)
		P(o,
		    "<tr><td class=\"n\">%u</td><td class=\"n\">%" PRIu64
		    "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
		    pc[i], s->portconns[pc[i]], s->portbytes[pc[i]]);
	P(o, "</table>\n");
	talkers(
	    o, "Addresses by bytes (sent and received)", &s->tbytes, "bytes");
	talkers(o, "Addresses by connections", &s->tconns, "connections");
	P(o, "</section>\n");
}

static int
bytime(const void *a, const void *b)
{
	const struct smsg *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x->dir - y->dir;
}

static void
opt(struct out *o, const char *p, size_t n)
{
	if (p != NULL)
		H(o, p, n);
}

static void
http(struct out *o, struct summary *s)
{
	const struct smsg *m;
	char b[40];
	size_t i;
	unsigned k;

	if (s->nmsg == 0 && s->nmsgdropped == 0)
		return;
	P(o,
	    "<section id=\"http\"><h2>HTTP</h2><p>%" PRIu64
	    " messages, %" PRIu64 " with a body file",
	    s->nmsg, s->nbody);
	if (s->npartial > 0)
		P(o, ", %" PRIu64 " partial", s->npartial);
	if (s->nmsgdropped > 0)
		P(o, "; %" PRIu64 " left out by the report's caps",
		    s->nmsgdropped);
	P(o,
	    ".</p>\n<h3>By content type</h3><table id=\"types\">"
	    "<tr><th>type</th><th>messages</th><th>body bytes</th></tr>\n");
	for (i = 0; i < s->types.n && i < SUMMARY_NSHOW; i++) {
		P(o, "<tr><td class=\"m\">");
		if (s->types.v[i].keylen == 0)
			P(o, "(none)");
		H(o, s->types.v[i].key, s->types.v[i].keylen);
		P(o,
		    "</td><td class=\"n\">%" PRIu64
		    "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
		    s->types.v[i].w, s->types.v[i].w2);
	}
	P(o, "</table>\n");
	if (s->types.n > SUMMARY_NSHOW || s->types.dropped > 0)
		P(o,
		    "<p class=\"sub\">The %d types with the most messages.</p>",
		    SUMMARY_NSHOW);
	qsort(s->msg, s->nmsgkept, sizeof(*s->msg), bytime);
	P(o, "<h3>Messages</h3>");
	if (s->nmsgkept < s->nmsg)
		P(o,
		    "<p class=\"sub\">The first %zu of %" PRIu64
		    " messages, as their connections closed, in time "
		    "order.</p>",
		    s->nmsgkept, s->nmsg);
	P(o,
	    "<table id=\"messages\"><tr><th>time</th><th>conn</th>"
	    "<th>host</th><th>method</th><th>URI</th><th>status</th>"
	    "<th>HTTP</th><th>type</th><th>size</th><th>body "
	    "file</th><th>digests</th>"
	    "</tr>\n");
	for (i = 0; i < s->nmsgkept; i++) {
		m = &s->msg[i];
		P(o,
		    "<tr><td class=\"m t\">%s</td><td class=\"n\">%" PRIu64
		    "%s",
		    isotime(b, sizeof(b), m->ts, 6), m->conn,
		    m->dir == 0 ? "&rarr;" : "&larr;");
		P(o, "</td><td class=\"m\">");
		opt(o, m->host, m->hostlen);
		P(o, "</td><td>");
		opt(o, m->method, m->methodlen);
		P(o, "</td><td class=\"m\">");
		opt(o, m->uri, m->urilen);
		P(o, "</td><td class=\"n\">");
		if (m->dir == 1 && m->status != UINT64_MAX)
			P(o, "%" PRIu64, m->status);
		P(o, "</td><td class=\"m\">");
		H(o, m->version, strlen(m->version));
		if (m->stream != UINT64_MAX)
			P(o, " stream %" PRIu64, m->stream);
		if (m->promised_by != UINT64_MAX)
			P(o, " pushed on %" PRIu64, m->promised_by);
		P(o, "</td><td class=\"m\">");
		opt(o, m->ctype, m->ctypelen);
		P(o, "</td><td class=\"n\">");
		if (m->length != UINT64_MAX)
			P(o, "%" PRIu64, m->length);
		P(o, "</td><td class=\"m\">");
		if (m->file != NULL) {
			P(o, "<a href=\"");
			if (!o->fail && esc_url(o->fp, m->file, m->filelen) < 0)
				o->fail = 1;
			P(o, "\">");
			H(o, m->file, m->filelen);
			P(o, "</a>");
			if (m->complete == 0)
				P(o, " <span class=\"w\">partial</span>");
		}
		P(o, "</td><td class=\"m\">");
		for (k = 0; k < DIGEST_NALGS; k++)
			if (m->hex[k][0] != '\0')
				P(o, "%s %s<br>", digest_name(k), m->hex[k]);
		P(o, "</td></tr>\n");
	}
	P(o, "</table></section>\n");
}

/* A table of a top-k of strings: key, count. */
static void
tk_table(struct out *o, struct summary *s, struct topk *t, const char *id,
    const char *what, const char *none)
{
	size_t i;

	topk_sort(s, t);
	P(o, "<table id=\"%s\"><tr><th>%s</th><th>connections</th></tr>\n", id,
	    what);
	for (i = 0; i < t->n && i < SUMMARY_NSHOW; i++) {
		P(o, "<tr><td class=\"m\">");
		if (t->v[i].keylen == 0)
			P(o, "%s", none);
		H(o, t->v[i].key, t->v[i].keylen);
		P(o, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", t->v[i].w);
	}
	P(o, "</table>\n");
	if (t->n > SUMMARY_NSHOW || t->dropped > 0)
		P(o, "<p class=\"sub\">The %d with the most connections.</p>",
		    SUMMARY_NSHOW);
}

static void
tls(struct out *o, struct summary *s)
{
	const struct scert *c;
	size_t i;

	if (s->ntls == 0 && s->ncerts == 0)
		return;
	P(o,
	    "<section id=\"tls\"><h2>TLS</h2><p>%" PRIu64
	    " TLS connections, %" PRIu64 " decrypted; %" PRIu64
	    " certificates seen, %zu different listed.</p>\n",
	    s->ntls, s->ntlsdec, s->ncerts, s->ncertkept);
	P(o, "<h3>By server name (SNI)</h3>");
	tk_table(o, s, &s->snis, "sni", "server name", "(none)");
	P(o, "<h3>By version and cipher suite</h3>");
	tk_table(o, s, &s->suites, "suites", "version and suite", "(none)");
	if (s->ncertkept == 0) {
		P(o, "</section>\n");
		return;
	}
	P(o,
	    "<h3>Certificates</h3><table id=\"certs\"><tr><th>subject</th>"
	    "<th>issuer</th><th>not after</th><th>names</th>"
	    "<th>SHA-256</th><th>connections</th></tr>\n");
	for (i = 0; i < s->ncertkept; i++) {
		c = &s->certs[i];
		P(o, "<tr><td class=\"m\">");
		opt(o, c->subject, c->subjectlen);
		P(o, "</td><td class=\"m\">");
		opt(o, c->issuer, c->issuerlen);
		P(o, "</td><td class=\"m t\">");
		opt(o, c->not_after, c->not_afterlen);
		P(o, "</td><td class=\"m\">");
		opt(o, c->san, c->sanlen);
		P(o, "</td><td class=\"m\">");
		opt(o, c->sha256, c->sha256len);
		P(o, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", c->conns);
	}
	P(o, "</table>");
	if (s->ncertkept == SUMMARY_NCERT)
		P(o,
		    "<p class=\"sub\">The first %d different certificates, "
		    "as their connections closed.</p>",
		    SUMMARY_NCERT);
	P(o, "</section>\n");
}

static void
loss_row(struct out *o, const char *what, uint64_t n, const char *more)
{
	if (n > 0)
		P(o,
		    "<tr><td>%s</td><td class=\"n\">%" PRIu64
		    "</td><td>%s</td></tr>\n",
		    what, n, more);
}

static void
loss_section(struct out *o, struct summary *s)
{
	const struct rec_end *e = &s->end;
	struct heap *g = &s->gappy;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	size_t i;

	P(o, "<section id=\"losses\" class=\"loss\"><h2>Losses</h2>\n");
	if (!s->haveend)
		P(o,
		    "<p class=\"w\">The stream ended early: this summary is "
		    "incomplete (");
	if (!s->haveend && s->cut != NULL)
		Hs(o, s->cut);
	if (!s->haveend)
		P(o, ").</p>\n");
	P(o,
	    "<table id=\"loss-table\"><tr><th>what</th><th>count</th>"
	    "<th></th></tr>\n");
	for (i = 1; i < NGAPC; i++) {
		char more[64];

		(void)snprintf(
		    more, sizeof(more), "%" PRIu64 " bytes", s->gapcb[i]);
		if (s->gapc[i] > 0) {
			P(o,
			    "<tr><td>gaps: %s</td><td class=\"n\">%" PRIu64
			    "</td><td>%s</td></tr>\n",
			    gap_name((unsigned)i), s->gapc[i], more);
		}
	}
	loss_row(o, "connections with gaps", s->gapconns, "");
	if (s->haveend) {
		loss_row(o, "connections evicted (tf-reassemble -C)",
		    e->evicted, "");
		loss_row(o, "malformed packets", e->malformed, "skipped");
		loss_row(
		    o, "TCP segments cut by the snaplen", e->truncated, "");
		loss_row(o, "fragments dropped", e->frag_dropped, "");
		loss_row(o, "segments with a bad checksum", e->bad_checksum,
		    "dropped");
		if (e->status & REC_END_S_INTERRUPTED)
			loss_row(o, "run interrupted by a signal", 1, "");
		if (e->status & REC_END_S_CUT)
			loss_row(o, "capture cut short", 1, "");
		if (e->status & REC_END_S_ERROR)
			loss_row(o, "capture read error", 1, "");
	}
	loss_row(o, "connections closed: interrupted",
	    s->causes[REC_CLOSE_INTERRUPTED], "");
	loss_row(
	    o, "connections closed: evicted", s->causes[REC_CLOSE_EVICTED], "");
	loss_row(o, "connections cut (no CLOSE)", s->causes[0], "");
	loss_row(o, "HTTP messages left out by the report's caps",
	    s->nmsgdropped, "");
	loss_row(o, "packets dropped by the kernel (live capture)",
	    s->st.kdrops, "");
	P(o, "</table>\n");
	if (g->n > 0) {
		qsort(g->v, g->n, sizeof(*g->v), byfirst);
		P(o,
		    "<h3>Connections with gaps</h3><table id=\"gap-conns\">"
		    "<tr><th>conn</th><th>client</th><th>server</th>"
		    "<th>gaps</th><th>gap bytes</th></tr>\n");
		for (i = 0; i < g->n; i++)
			P(o,
			    "<tr><td class=\"n\">%" PRIu64
			    "</td><td class=\"m\">%s:%u"
			    "</td><td class=\"m\">%s:%u</td><td "
			    "class=\"n\">%" PRIu64
			    "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
			    g->v[i].conn,
			    addr_plain(a, g->v[i].family, g->v[i].src),
			    g->v[i].sport,
			    addr_plain(b, g->v[i].family, g->v[i].dst),
			    g->v[i].dport, g->v[i].gaps, g->v[i].gapbytes);
		P(o, "</table>\n");
		if (s->gapconns > g->n)
			P(o,
			    "<p class=\"sub\">The %zu with the most gap bytes "
			    "of %" PRIu64 ".</p>\n",
			    g->n, s->gapconns);
	}
	P(o, "</section>\n");
}

static void
overview(struct out *o, struct summary *s)
{
	char b0[40], b1[40];

	P(o,
	    "<section id=\"overview\"><h2>Overview</h2><table "
	    "id=\"totals\">\n");
	P(o, "<tr><th>connections</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
	    s->conns);
	P(o,
	    "<tr><th>directions (fileobjects)</th><td class=\"n\">%" PRIu64
	    "</td></tr>\n",
	    s->dirs);
	if (s->layerdirs > 0)
		P(o,
		    "<tr><th>ciphertext layers (fileobjects, not counted "
		    "here)</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
		    s->layerdirs);
	P(o,
	    "<tr><th>bytes client to server</th><td class=\"n\">%" PRIu64
	    "</td></tr>\n<tr><th>bytes server to client</th><td "
	    "class=\"n\">%" PRIu64 "</td></tr>\n",
	    s->bytes[0], s->bytes[1]);
	P(o, "<tr><th>packets</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
	    s->packets[0] + s->packets[1]);
	P(o,
	    "<tr><th>gaps</th><td class=\"n\">%" PRIu64 " (%" PRIu64
	    " bytes)</td></tr>\n",
	    s->gaps, s->gapbytes);
	P(o,
	    "<tr><th>retransmissions</th><td class=\"n\">%" PRIu64
	    "</td></tr>\n",
	    s->retrans);
	P(o,
	    "<tr><th>HTTP messages</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
	    s->nmsg);
	if (s->conns > 0)
		P(o,
		    "<tr><th>first and last "
		    "packet</th><td>%s<br>%s</td></tr>\n",
		    isotime(b0, sizeof(b0), s->tmin, 6),
		    isotime(b1, sizeof(b1), s->tmax, 6));
	P(o, "</table></section>\n");
}

/* The pipeline's command lines, libraries and END totals. */
static void
run(struct out *o, struct summary *s)
{
	const char *name;
	uint64_t v;
	size_t i;
	unsigned k;

	P(o,
	    "<section id=\"run\"><h2>The run</h2><h3>Command lines</h3>"
	    "<table id=\"commands\">\n");
	for (i = 0; i < s->ncmds; i++) {
		P(o, "<tr><td class=\"m\">");
		H(o, s->cmds[i].key, s->cmds[i].keylen);
		P(o, "</td><td><code>");
		H(o, s->cmds[i].value, s->cmds[i].valuelen);
		P(o, "</code></td></tr>\n");
	}
	P(o, "<tr><td class=\"m\">report.command</td><td><code>");
	if (s->cmdline != NULL)
		Hs(o, s->cmdline);
	P(o, "</code></td></tr>\n</table>\n");
	if (s->havehdr) {
		P(o,
		    "<h3>Input</h3><table id=\"input\"><tr><th>stream written "
		    "by</th><td class=\"m\">");
		Hs(o, s->program);
		P(o,
		    "</td></tr><tr><th>link type</th><td>%" PRIu32
		    "</td></tr><tr><th>snaplen</th><td>%" PRIu32 "</td></tr>",
		    s->linktype, s->snaplen);
		for (i = 0; i < s->nsources; i++) {
			P(o, "<tr><th>%s</th><td class=\"m\">",
			    s->srckind == REC_SRC_IFACE ? "interface" : "file");
			Hs(o, s->sources[i]);
			P(o, "</td></tr>");
		}
		P(o, "</table>\n");
	}
	P(o, "<h3>Libraries</h3><table id=\"libraries\">\n");
	if (s->havehdr && s->pcapver[0] != '\0') {
		P(o, "<tr><td>libpcap</td><td class=\"m\">");
		Hs(o, s->pcapver);
		P(o, "</td></tr>\n");
	}
	for (i = 0; i < s->nlibs; i++) {
		P(o, "<tr><td>");
		Hs(o, s->libs[i].name);
		P(o, "</td><td class=\"m\">");
		Hs(o, s->libs[i].ver);
		P(o, "</td></tr>\n");
	}
	P(o, "</table>\n<h3>Totals of the END record</h3>");
	if (s->haveend) {
		P(o, "<table id=\"end\">");
		for (k = 0; rec_end_total(&s->end, k, &name, &v); k++)
			P(o,
			    "<tr><th>%s</th><td class=\"n\">%" PRIu64
			    "</td></tr>",
			    name, v);
		P(o,
		    "<tr><th>stray_records</th><td class=\"n\">%" PRIu64
		    "</td></tr></table>\n",
		    s->stray);
	} else
		P(o, "<p class=\"w\">None: the stream ended early.</p>\n");
	P(o, "</section>\n");
}

/* The text summary's list: ": key n, key n ..." of t's first five, sorted
 * (an empty key shown as none), then the end of the line. */
static void
text_top(struct out *o, const struct topk *t, const char *none)
{
	size_t i;

	for (i = 0; i < t->n && i < 5; i++) {
		P(o, i == 0 ? ": " : ", ");
		if (t->v[i].keylen == 0)
			P(o, "%s", none);
		T(o, t->v[i].key, t->v[i].keylen);
		P(o, " %" PRIu64, t->v[i].w);
	}
	P(o, "\n");
}

/* What the stream was read from, with put escaping the names. */
static void
input(struct out *o, const struct summary *s,
    void (*put)(struct out *, const char *))
{
	size_t i;

	if (!s->havehdr)
		P(o, "a flow record stream");
	else if (s->srckind == REC_SRC_STDIN)
		P(o, "standard input");
	else {
		if (s->srckind == REC_SRC_IFACE)
			P(o, "interface ");
		for (i = 0; i < s->nsources; i++) {
			P(o, i > 0 ? ", " : "");
			put(o, s->sources[i]);
		}
		if (s->nsources == 0)
			P(o, "no source named");
	}
}

int
summary_html(struct summary *s, FILE *fp)
{
	struct out o = {fp, 0};
	char h[128];

	if (css_hash(h, sizeof(h)) < 0)
		return TF_ERR_SYSTEM;
	P(&o,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src "
	    "'none'; style-src %s; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<title>tf-report: ",
	    h);
	input(&o, s, Hs);
	P(&o, "</title>\n<style>%s</style></head><body>\n<h1>", css);
	input(&o, s, Hs);
	P(&o,
	    "</h1><p class=\"sub\">tf-report " TF_VERSION
	    ": a summary of the stream. Every number is the DFXML "
	    "report's for the same stream.</p>\n");
	if (losses(s))
		loss_section(&o, s);
	overview(&o, s);
	timeline(&o, s);
	throughput(&o, s);
	tops(&o, s);
	http(&o, s);
	tls(&o, s);
	run(&o, s);
	P(&o, "</body></html>\n");
	return o.fail ? TF_ERR_SYSTEM : 0;
}

int
summary_text(struct summary *s, FILE *fp)
{
	struct out o = {fp, 0};
	const struct rec_end *e = &s->end;
	uint16_t pb[SUMMARY_NSHOW];
	char b0[40], b1[40], a[ADDR_STRLEN], sp[32];
	size_t n, i;
	int any;

	P(&o, "input        ");
	input(&o, s, Ts);
	P(&o, "\n");
	if (s->conns > 0)
		P(&o, "time         %s to %s (%s)\n",
		    isotime(b0, sizeof(b0), s->tmin, 6),
		    isotime(b1, sizeof(b1), s->tmax, 6),
		    span(sp, sizeof(sp), (double)s->tmax - (double)s->tmin));
	P(&o, "connections  %" PRIu64, s->conns);
	for (i = 0, any = 0; i < NCAUSE; i++)
		if (s->causes[i] > 0)
			P(&o, "%s%s %" PRIu64, any++ ? ", " : " (",
			    i == NCAUSE - 1 ? "unknown"
			                    : cause_name((unsigned)i),
			    s->causes[i]);
	P(&o, "%s\n", any ? ")" : "");
	if (s->layerdirs > 0)
		P(&o,
		    "layers       %" PRIu64 " ciphertext directions (tf-tls "
		    "-K), not counted here\n",
		    s->layerdirs);
	P(&o,
	    "bytes        %" PRIu64 " client to server, %" PRIu64
	    " server to client\n",
	    s->bytes[0], s->bytes[1]);
	P(&o, "packets      %" PRIu64 "\n", s->packets[0] + s->packets[1]);
	P(&o, "gaps         %" PRIu64 " (%" PRIu64 " bytes)\n", s->gaps,
	    s->gapbytes);
	n = top_ports(s->portconns, pb);
	P(&o, "server ports");
	for (i = 0; i < n && i < 5; i++)
		P(&o, "%s%u (%" PRIu64 " conns, %" PRIu64 " bytes)",
		    i > 0 ? ", " : " ", pb[i], s->portconns[pb[i]],
		    s->portbytes[pb[i]]);
	P(&o, "\naddresses   ");
	for (i = 0; i < s->tbytes.n && i < 5 && s->tbytes.v[i].w > 0; i++)
		P(&o, "%s%s (%" PRIu64 " bytes)", i > 0 ? ", " : " ",
		    addr(a, s->tbytes.v[i].key), s->tbytes.v[i].w);
	P(&o, "\n");
	if (s->nmsg > 0 || s->nmsgdropped > 0) {
		P(&o, "http         %" PRIu64 " messages", s->nmsg);
		if (s->nh2 > 0)
			P(&o, " (%" PRIu64 " HTTP/2)", s->nh2);
		P(&o, ", %" PRIu64 " body files", s->nbody);
		text_top(&o, &s->types, "(none)");
	}
	if (s->ntls > 0) {
		topk_sort(s, &s->snis);
		P(&o,
		    "tls          %" PRIu64 " connections, %" PRIu64
		    " decrypted",
		    s->ntls, s->ntlsdec);
		text_top(&o, &s->snis, "(no sni)");
	}
	P(&o, "losses      ");
	any = 0;
	for (i = 1; i < NGAPC; i++)
		if (s->gapc[i] > 0)
			P(&o, "%sgaps %s %" PRIu64 " (%" PRIu64 " bytes)",
			    any++ ? ", " : " ", gap_name((unsigned)i),
			    s->gapc[i], s->gapcb[i]);
#define LOSS(v, what)                                                          \
	if ((v) > 0)                                                           \
		P(&o, "%s%s %" PRIu64, any++ ? ", " : " ", what, (uint64_t)(v));
	if (s->haveend) {
		LOSS(e->evicted, "evicted")
		LOSS(e->malformed, "malformed")
		LOSS(e->truncated, "snaplen-cut")
		LOSS(e->frag_dropped, "fragments dropped")
		LOSS(e->bad_checksum, "bad checksum")
	}
	LOSS(s->causes[REC_CLOSE_INTERRUPTED], "interrupted")
	LOSS(s->causes[0], "cut")
	LOSS(s->nmsgdropped, "http left out")
	LOSS(s->st.kdrops, "kernel drops")
#undef LOSS
	P(&o, "%s\n", any ? "" : " none");
	P(&o, "status       %s\n",
	    !s->haveend                             ? "incomplete"
	        : e->status == 0                    ? "ok"
	        : e->status & REC_END_S_ERROR       ? "error"
	        : e->status & REC_END_S_CUT         ? "cut"
	        : e->status & REC_END_S_INTERRUPTED ? "interrupted"
	                                            : "unknown");
	return o.fail ? TF_ERR_SYSTEM : 0;
}
