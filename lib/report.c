/*
 * Report accounting: a table of live connections by number, each with
 * the file name, size and running digests of its two directions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "jsonobj.h"
#include "rec.h"
#include "report.h"
#include "tferr.h"

struct side {
	uint8_t		*path;
	size_t		 pathlen;
	uint64_t	 size;
	uint64_t	 hashed;	/* bytes fed to the digests */
	uint64_t	 zeros;		/* of which zeros for holes */
	uint64_t	 gaps;
	uint64_t	 gapbytes;
	int64_t		 first;
	int64_t		 last;
	unsigned	 nodigest;
	struct digest	 dg;
};

/* A direction's HTTP messages. */
struct hlist {
	struct report_http *v;
	size_t		 n;
	size_t		 cap;
	uint64_t	 dropped;
};

struct conn {
	struct conn	*next;		/* hash chain */
	struct rec_open	 o;
	struct side	 side[2];
	struct hlist	*http;		/* [2], at the first http.message */
};

struct report {
	struct conn	**bucket;
	size_t		 nbucket;	/* a power of 2 */
	size_t		 nconn;
	unsigned	 algs;
	uint64_t	 stray;
	uint64_t	 done;
	const char	*annot_err;
};

static size_t
slot(const struct report *rp, uint64_t conn)
{
	return (size_t)((conn * UINT64_C(0x9e3779b97f4a7c15)) >> 17) &
	    (rp->nbucket - 1);
}

static struct conn **
find(struct report *rp, uint64_t conn)
{
	struct conn **pp;

	for (pp = &rp->bucket[slot(rp, conn)]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->o.conn == conn)
			break;
	return pp;
}

static void
http_free(struct report_http *h)
{
	free(h->file.p);
	free(h->dir.p);
	free(h->uri.p);
	free(h->method.p);
	free(h->content_type.p);
}

static void
conn_free(struct conn *c)
{
	size_t k;
	int i;

	for (i = 0; i < 2 && c->http != NULL; i++) {
		for (k = 0; k < c->http[i].n; k++)
			http_free(&c->http[i].v[k]);
		free(c->http[i].v);
	}
	free(c->http);
	for (i = 0; i < 2; i++) {
		free(c->side[i].path);
		digest_release(&c->side[i].dg);
	}
	free(c);
}

struct report *
report_new(unsigned algs)
{
	struct report *rp;

	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return NULL;
	rp->nbucket = 256;
	if ((rp->bucket = calloc(rp->nbucket, sizeof(*rp->bucket))) == NULL) {
		free(rp);
		return NULL;
	}
	rp->algs = algs;
	return rp;
}

void
report_free(struct report *rp)
{
	struct conn *c, *next;
	size_t i;

	if (rp == NULL)
		return;
	for (i = 0; i < rp->nbucket; i++)
		for (c = rp->bucket[i]; c != NULL; c = next) {
			next = c->next;
			conn_free(c);
		}
	free(rp->bucket);
	free(rp);
}

/* Doubles the table; on failure it keeps working with longer chains. */
static void
grow(struct report *rp)
{
	struct conn **old = rp->bucket, *c, *next, **pp;
	size_t i, n = rp->nbucket;

	if (n > SIZE_MAX / 2 / sizeof(*old) ||
	    (rp->bucket = calloc(n * 2, sizeof(*old))) == NULL) {
		rp->bucket = old;
		return;
	}
	rp->nbucket = n * 2;
	for (i = 0; i < n; i++)
		for (c = old[i]; c != NULL; c = next) {
			next = c->next;
			pp = &rp->bucket[slot(rp, c->o.conn)];
			c->next = *pp;
			*pp = c;
		}
	free(old);
}

int
report_open(struct report *rp, const struct rec_open *o)
{
	struct conn **pp, *c;
	int e, i;

	if (*(pp = find(rp, o->conn)) != NULL)
		return TF_ERR_MALFORMED;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return TF_ERR_NOMEM;
	c->o = *o;
	for (i = 0; i < 2; i++)
		if ((e = digest_init(&c->side[i].dg, rp->algs)) < 0) {
			conn_free(c);
			return e;
		}
	*pp = c;
	if (++rp->nconn > rp->nbucket)
		grow(rp);
	return 0;
}

static struct side *
side_of(struct report *rp, uint64_t conn, uint8_t dir)
{
	struct conn *c;

	if (dir > 1 || (c = *find(rp, conn)) == NULL) {
		rp->stray++;
		return NULL;
	}
	return &c->side[dir];
}

static void
seen(struct side *s, int64_t ts)
{
	if (s->first == 0)
		s->first = ts;
	s->last = ts;
}

int
report_data(struct report *rp, const struct rec_data *d)
{
	struct side *s;
	uint64_t end = d->offset + d->len;
	int e;

	if ((s = side_of(rp, d->conn, d->dir)) == NULL)
		return 0;
	seen(s, d->ts);
	if (end > s->size)
		s->size = end;
	if (s->nodigest != 0 || d->len == 0)
		return 0;
	/*
	 * tf-split leaves a hole where bytes are missing, which reads as
	 * zeros: hash zeros up to this record's offset.
	 */
	if (d->offset < s->hashed) {
		s->nodigest |= REPORT_ND_REWOUND;
		return 0;
	}
	if (d->offset - s->hashed > REPORT_MAX_ZEROS - s->zeros) {
		s->nodigest |= REPORT_ND_HOLE;
		return 0;
	}
	if ((e = digest_zeros(&s->dg, d->offset - s->hashed)) < 0 ||
	    (e = digest_update(&s->dg, d->bytes, d->len)) < 0)
		return e;
	s->zeros += d->offset - s->hashed;
	s->hashed = end;
	return 0;
}

int
report_gap(struct report *rp, const struct rec_gap *g)
{
	struct side *s;

	if ((s = side_of(rp, g->conn, g->dir)) == NULL)
		return 0;
	seen(s, g->ts);
	s->gaps++;
	s->gapbytes += g->len;
	return 0;
}

/* Copies string member name of m, unescaped, into *out.  Returns 0, or
 * TF_ERR_NOMEM; a member absent or not a string is left NULL. */
static int
getstr(const struct jsonobj_member *m, size_t n, const char *name,
    struct report_str *out)
{
	const struct jsonobj_member *v;
	long len;

	out->p = NULL;
	out->len = 0;
	if ((v = jsonobj_get(m, n, name)) == NULL ||
	    v->type != JSONOBJ_STRING)
		return 0;
	if ((out->p = malloc(v->vallen + 1)) == NULL)
		return TF_ERR_NOMEM;
	if ((len = jsonobj_str(v, out->p, v->vallen + 1)) < 0) {
		free(out->p);
		out->p = NULL;
		return 0;
	}
	out->len = (size_t)len;
	return 0;
}

static uint64_t
getu64(const struct jsonobj_member *m, size_t n, const char *name)
{
	uint64_t v;

	return jsonobj_u64(jsonobj_get(m, n, name), &v) == 0 ? v :
	    UINT64_MAX;
}

/* Copies a digest member that is hex of the right length, lowercased. */
static void
gethex(const struct jsonobj_member *m, size_t n, unsigned alg, char *hex)
{
	static const size_t len[DIGEST_NALGS] = { 32, 40, 64 };
	const struct jsonobj_member *v;
	size_t i;
	uint8_t ch;

	hex[0] = '\0';
	if ((v = jsonobj_get(m, n, digest_name(alg))) == NULL ||
	    v->type != JSONOBJ_STRING || v->vallen != len[alg])
		return;
	for (i = 0; i < v->vallen; i++) {
		ch = v->val[i];
		if (ch >= 'A' && ch <= 'F')
			ch = (uint8_t)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
			hex[0] = '\0';
			return;
		}
		hex[i] = (char)ch;
	}
	hex[i] = '\0';
}

/* Keeps an http.message annotation. */
static int
http_annot(struct report *rp, struct hlist *s, const struct rec_annot *a)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	const struct jsonobj_member *v;
	struct report_http h, *nh;
	size_t n, cap;
	unsigned i;
	int e;

	if ((e = jsonobj_parse(a->value, a->valuelen, m, JSONOBJ_MAX_MEMBERS,
	    &n)) < 0) {
		rp->annot_err = jsonobj_strerror(e);
		return TF_ERR_MALFORMED;
	}
	if (s->n >= REPORT_MAX_HTTP) {
		s->dropped++;
		return 0;
	}
	if (s->n == s->cap) {
		cap = s->cap == 0 ? 4 : s->cap * 2;
		if (cap > REPORT_MAX_HTTP)
			cap = REPORT_MAX_HTTP;
		if ((nh = realloc(s->v, cap * sizeof(*nh))) == NULL)
			return TF_ERR_NOMEM;
		s->v = nh;
		s->cap = cap;
	}
	memset(&h, 0, sizeof(h));
	if ((e = getstr(m, n, "file", &h.file)) < 0 ||
	    (e = getstr(m, n, "dir", &h.dir)) < 0 ||
	    (e = getstr(m, n, "uri", &h.uri)) < 0 ||
	    (e = getstr(m, n, "method", &h.method)) < 0 ||
	    (e = getstr(m, n, "content_type", &h.content_type)) < 0) {
		http_free(&h);
		return e;
	}
	h.n = getu64(m, n, "n");
	h.request = getu64(m, n, "request");
	h.status = getu64(m, n, "status");
	h.length = getu64(m, n, "length");
	h.body_offset = getu64(m, n, "body_offset");
	h.body_length = getu64(m, n, "body_length");
	v = jsonobj_get(m, n, "complete");
	h.complete = v == NULL ? -1 : v->type == JSONOBJ_TRUE ? 1 :
	    v->type == JSONOBJ_FALSE ? 0 : -1;
	for (i = 0; i < DIGEST_NALGS; i++)
		gethex(m, n, i, h.hex[i]);
	s->v[s->n++] = h;
	return 0;
}

int
report_annot(struct report *rp, const struct rec_annot *a)
{
	static const char key[] = "split.path", hkey[] = "http.message";
	struct side *s;
	struct conn *c;
	uint8_t *p;

	if (a->conn == 0)
		return 0;
	if (a->keylen == sizeof(hkey) - 1 &&
	    memcmp(a->key, hkey, a->keylen) == 0) {
		if (a->dir > 1 || (c = *find(rp, a->conn)) == NULL) {
			rp->stray++;
			return 0;
		}
		if (c->http == NULL &&
		    (c->http = calloc(2, sizeof(*c->http))) == NULL)
			return TF_ERR_NOMEM;
		return http_annot(rp, &c->http[a->dir], a);
	}
	if (a->keylen != sizeof(key) - 1 ||
	    memcmp(a->key, key, a->keylen) != 0)
		return 0;
	if ((s = side_of(rp, a->conn, a->dir)) == NULL)
		return 0;
	if ((p = malloc(a->valuelen + 1)) == NULL)
		return TF_ERR_NOMEM;
	memcpy(p, a->value, a->valuelen);
	p[a->valuelen] = '\0';
	free(s->path);
	s->path = p;
	s->pathlen = a->valuelen;
	return 0;
}

/* Gives each response without a URI its request's, from side q. */
static void
pair_uris(struct hlist *s, const struct hlist *q)
{
	const struct report_http *r;
	struct report_http *h;
	size_t k, j;

	for (k = 0; k < s->n; k++) {
		h = &s->v[k];
		if (h->uri.p != NULL || h->request == UINT64_MAX ||
		    h->file.p == NULL)
			continue;
		r = NULL;
		/* Requests are numbered from 1 in stream order. */
		if (h->request >= 1 && h->request <= q->n &&
		    q->v[h->request - 1].n == h->request)
			r = &q->v[h->request - 1];
		for (j = 0; r == NULL && j < q->n; j++)
			if (q->v[j].n == h->request)
				r = &q->v[j];
		if (r == NULL || r->uri.p == NULL ||
		    (h->uri.p = malloc(r->uri.len + 1)) == NULL)
			continue;
		memcpy(h->uri.p, r->uri.p, r->uri.len + 1);
		h->uri.len = r->uri.len;
	}
}

/* Hands out both directions of c, then frees it. */
static int
finish(struct report *rp, struct conn *c, const struct rec_close *cl,
    report_fn *fn, void *arg)
{
	struct report_dir rd;
	struct side *s;
	int e = 0, i;

	if (c->http != NULL) {
		pair_uris(&c->http[0], &c->http[1]);
		pair_uris(&c->http[1], &c->http[0]);
	}
	for (i = 0; i < 2 && e == 0; i++) {
		s = &c->side[i];
		memset(&rd, 0, sizeof(rd));
		rd.conn = c->o.conn;
		rd.dir = (uint8_t)i;
		rd.family = c->o.family;
		rd.src = i == 0 ? c->o.src : c->o.dst;
		rd.dst = i == 0 ? c->o.dst : c->o.src;
		rd.sport = i == 0 ? c->o.sport : c->o.dport;
		rd.dport = i == 0 ? c->o.dport : c->o.sport;
		rd.counter = c->o.counter;
		rd.nvlan = c->o.nvlan;
		rd.vlan = c->o.vlan;
		rd.open_ts = c->o.ts;
		rd.path = s->path;
		rd.pathlen = s->pathlen;
		rd.filesize = s->size;
		rd.gaps = s->gaps;
		rd.gapbytes = s->gapbytes;
		rd.first = s->first;
		rd.last = s->last;
		rd.nodigest = s->nodigest;
		if (c->http != NULL) {
			rd.http = c->http[i].v;
			rd.nhttp = c->http[i].n;
			rd.httpdropped = c->http[i].dropped;
		}
		if (cl != NULL) {
			rd.st = &cl->dir[i];
			rd.cause = cl->cause;
		}
		if (rd.nodigest == 0 && (e = digest_final(&s->dg, rd.hex)) < 0)
			break;
		e = fn(arg, &rd);
	}
	conn_free(c);
	rp->nconn--;
	rp->done++;
	return e;
}

int
report_close(struct report *rp, const struct rec_close *cl, report_fn *fn,
    void *arg)
{
	struct conn **pp, *c;

	if ((c = *(pp = find(rp, cl->conn))) == NULL) {
		rp->stray++;
		return 0;
	}
	*pp = c->next;
	return finish(rp, c, cl, fn, arg);
}

static int
bynum(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a;
	const struct conn *y = *(const struct conn *const *)b;

	return x->o.conn < y->o.conn ? -1 : x->o.conn > y->o.conn;
}

int
report_flush(struct report *rp, report_fn *fn, void *arg)
{
	struct conn **v, *c;
	size_t i, n = 0;
	int e = 0, e2;

	if (rp->nconn == 0)
		return 0;
	if ((v = calloc(rp->nconn, sizeof(*v))) == NULL)
		return TF_ERR_NOMEM;
	for (i = 0; i < rp->nbucket; i++) {
		for (c = rp->bucket[i]; c != NULL; c = c->next)
			v[n++] = c;
		rp->bucket[i] = NULL;
	}
	qsort(v, n, sizeof(*v), bynum);
	for (i = 0; i < n; i++) {
		/* After a failure, free the rest without handing them out. */
		if (e < 0) {
			conn_free(v[i]);
			rp->nconn--;
		} else if ((e2 = finish(rp, v[i], NULL, fn, arg)) < 0)
			e = e2;
	}
	free(v);
	return e;
}

const char *
report_annot_error(const struct report *rp)
{
	return rp->annot_err != NULL ? rp->annot_err : "no error";
}

uint64_t
report_stray(const struct report *rp)
{
	return rp->stray;
}

uint64_t
report_done(const struct report *rp)
{
	return rp->done;
}
