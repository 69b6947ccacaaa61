/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The report of a stream: lib/filter handlers that keep, for each live
 * connection, the file name, size and running digests of its two
 * directions and their HTTP bodies, and hand them out as it closes.
 * See report.h.
 */
#include <err.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "digest.h"
#include "filter.h"
#include "http.h"
#include "httpmsg.h"
#include "json.h"
#include "jsonobj.h"
#include "rec.h"
#include "report.h"
#include "tferr.h"
#include "xutil.h"

struct side {
	uint8_t *path;
	size_t pathlen;
	uint64_t size;
	uint64_t hashed; /* bytes fed to the digests */
	uint64_t zeros;  /* of which zeros for holes */
	uint64_t gaps;
	uint64_t gapbytes;
	int64_t first;
	int64_t last;
	unsigned nodigest;
	int dginit; /* dg is set up: at the first byte */
	struct digest dg;
};

/* A direction's HTTP messages. */
struct hlist {
	struct report_http *v;
	size_t n;
	size_t cap;
	uint64_t dropped;
	size_t mem;   /* counted against REPORT_MAX_HTTP_BYTES */
	size_t timed; /* v[0..timed) have their ts */
	int unsorted; /* some n absent, repeated or lower than one before */
};

/* A connection's TLS annotations. */
struct tlskeep {
	struct report_str session;
	struct report_str certs[2][REPORT_MAX_CERTS];
	size_t ncerts[2];
	size_t mem;
};

struct conn {
	struct filter_conn fc;
	struct side side[2];
	struct hlist *http;  /* [2], at the first http.message */
	struct tlskeep *tls; /* at the first tls.* annotation */
	uint64_t layer;      /* tls.ciphertext: its layer connection */
};

const char *const report_tls_session_keys[] = {"version", "client_version",
    "record_version", "server_record_version", "supported_versions", "sni",
    "alpn_offered", "alpn", "cipher", "cipher_suite", "resumed", "hello_retry",
    "ja3", "ja3_string", "ja4", "certificates", "decrypted", "why", NULL};
const char *const report_tls_cert_keys[] = {"index", "subject", "issuer",
    "serial", "not_before", "not_after", "san", "sha256", "error", NULL};

struct report {
	unsigned algs;
	int zerofixed; /* the budget of zeros is zerobudget */
	uint64_t zerobudget;
	uint64_t zeros;     /* zeros hashed so far, all directions */
	uint64_t databytes; /* DATA bytes read so far */
	uint64_t nhttp;     /* http.message annotations kept, all */
	size_t httpmem;     /* their bytes, as hlist.mem */
	size_t tlsmem;      /* TLS annotations kept, all: tlskeep.mem */
	struct report_stats st;
	char empty[DIGEST_NALGS][DIGEST_HEXLEN]; /* of no byte */
	const struct report_out *out;
	void *arg;
	int begun;      /* out->begin was called */
	int failed;     /* an output function failed */
	struct rec hdr; /* a copy of the HEADER record */
	int havehdr;
	struct report_cmd cmds[REPORT_MAXCMDS]; /* keys and values owned */
	size_t ncmds;
	struct rec_end end;
	int haveend;
};

static void
http_free(struct report_http *h)
{
	free(h->file.p);
	free(h->header_file.p);
	free(h->dir.p);
	free(h->uri.p);
	free(h->host.p);
	free(h->method.p);
	free(h->content_type.p);
	free(h->version.p);
	free(h->runs);
}

static void
conn_release(struct report *rp, struct conn *c)
{
	size_t k;
	int i;

	for (i = 0; i < 2 && c->http != NULL; i++) {
		for (k = 0; k < c->http[i].n; k++)
			http_free(&c->http[i].v[k]);
		rp->nhttp -= c->http[i].n;
		rp->httpmem -= c->http[i].mem;
		free(c->http[i].v);
	}
	free(c->http);
	c->http = NULL;
	if (c->tls != NULL) {
		free(c->tls->session.p);
		for (i = 0; i < 2; i++)
			for (k = 0; k < c->tls->ncerts[i]; k++)
				free(c->tls->certs[i][k].p);
		rp->tlsmem -= c->tls->mem;
		free(c->tls);
		c->tls = NULL;
	}
	for (i = 0; i < 2; i++) {
		free(c->side[i].path);
		c->side[i].path = NULL;
		if (c->side[i].dginit)
			digest_release(&c->side[i].dg);
		c->side[i].dginit = 0;
	}
}

struct report *
report_new(unsigned algs, const struct report_out *out, void *arg)
{
	struct report *rp;
	struct digest d;

	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return NULL;
	rp->algs = algs;
	rp->out = out;
	rp->arg = arg;
	/* The digests of a direction that carried nothing, made once. */
	if (digest_init(&d, algs) < 0 || digest_final(&d, rp->empty) < 0) {
		digest_release(&d);
		free(rp);
		return NULL;
	}
	digest_release(&d);
	return rp;
}

void
report_free(struct report *rp)
{
	size_t i;

	if (rp == NULL)
		return;
	if (rp->havehdr)
		rec_copy_release(&rp->hdr);
	for (i = 0; i < rp->ncmds; i++) {
		free((char *)(uintptr_t)rp->cmds[i].key);
		free((uint8_t *)(uintptr_t)rp->cmds[i].value);
	}
	free(rp);
}

void
report_zeros(struct report *rp, uint64_t zeros)
{
	rp->zerofixed = 1;
	rp->zerobudget = zeros;
}

/* Whether n more zeros fit the run's budget. */
static int
zeros_ok(const struct report *rp, uint64_t n)
{
	uint64_t budget = rp->zerobudget;

	if (!rp->zerofixed) {
		budget = REPORT_ZEROS_BASE;
		if (rp->databytes >
		    (UINT64_MAX - budget) / REPORT_ZEROS_PER_BYTE)
			return 1;
		budget += REPORT_ZEROS_PER_BYTE * rp->databytes;
	}
	return rp->zeros <= budget && n <= budget - rp->zeros;
}

int
report_failed(const struct report *rp)
{
	return rp->failed;
}

const struct report_stats *
report_stats(const struct report *rp)
{
	return &rp->st;
}

static void
failed(struct filter *f, struct report *rp)
{
	rp->failed = 1;
	filter_stop(f);
}

static void
lib_error(struct filter *f, int e)
{
	if (e == TF_ERR_NOMEM)
		xnomem();
	/* digest_*() fail only when OpenSSL cannot hash at all. */
	f->status = 1;
}

/* Begins the output, once. */
static void
begin(struct filter *f, struct report *rp)
{
	struct report_run run;

	if (rp->begun)
		return;
	rp->begun = 1;
	run.hdr = rp->havehdr ? &rp->hdr.u.header : NULL;
	run.cmds = rp->cmds;
	run.ncmds = rp->ncmds;
	if (rp->out->begin != NULL && rp->out->begin(rp->arg, &run) < 0 &&
	    f != NULL)
		failed(f, rp);
}

/* Keeps a copy of a "*.command" annotation about the whole stream. */
static void
keep_command(struct report *rp, const struct rec_annot *a)
{
	static const char suffix[] = ".command";
	size_t n = sizeof(suffix) - 1;
	struct report_cmd *k;
	char *key;
	uint8_t *v;

	if (a->keylen < n || rp->ncmds == REPORT_MAXCMDS ||
	    memcmp(a->key + a->keylen - n, suffix, n) != 0)
		return;
	if ((key = malloc(a->keylen + 1)) == NULL ||
	    (v = malloc(a->valuelen + 1)) == NULL)
		xnomem();
	memcpy(key, a->key, a->keylen);
	key[a->keylen] = '\0';
	memcpy(v, a->value, a->valuelen);
	v[a->valuelen] = '\0';
	k = &rp->cmds[rp->ncmds++];
	k->key = key;
	k->keylen = a->keylen;
	k->value = v;
	k->valuelen = a->valuelen;
}

/*
 * The head of the report waits for the HEADER and the command lines of
 * the stream, which come first; any other record begins it.
 */
static void
on_record(struct filter *f, const struct rec *rec)
{
	struct report *rp = f->arg;

	if (rp->begun)
		return;
	if (rec->kind == REC_HEADER) {
		if (!rp->havehdr && rec_copy(&rp->hdr, rec) < 0)
			xnomem();
		rp->havehdr = 1;
		return;
	}
	if (rec->kind == REC_ANNOT && rec->u.annot.conn == 0) {
		keep_command(rp, &rec->u.annot);
		return;
	}
	begin(f, rp);
}

/* Sets up the digests of s at its first byte: an empty direction and a
 * connection that carried nothing cost no hashing state until then. */
static int
dg(struct filter *f, struct side *s)
{
	struct report *rp = f->arg;
	int e;

	if (s->dginit)
		return 0;
	s->dginit = 1;
	if ((e = digest_init(&s->dg, rp->algs)) < 0) {
		lib_error(f, e);
		return e;
	}
	return 0;
}

static void
seen(struct side *s, int64_t ts)
{
	if (s->first == 0)
		s->first = ts;
	s->last = ts;
}

/*
 * tf-http annotates a message before the record that carries its start
 * line: the messages of a direction not yet timed take the time of the
 * next DATA or GAP record in it (of the last one at the close).
 */
static void
stamp(struct conn *c, uint8_t dir, int64_t ts)
{
	struct hlist *h;

	if (c->http == NULL || dir > 1)
		return;
	h = &c->http[dir];
	for (; h->timed < h->n; h->timed++)
		h->v[h->timed].ts = ts;
}

static void
on_data(struct filter *f, struct filter_conn *fc, const struct rec_data *d)
{
	struct report *rp = f->arg;
	struct side *s = &((struct conn *)fc)->side[d->dir];
	uint64_t end = d->offset + d->len;
	int e;

	if (rp->out->seg != NULL)
		rp->out->seg(rp->arg, &fc->o, d->dir, d->ts, d->len, 0);
	stamp((struct conn *)fc, d->dir, d->ts);
	seen(s, d->ts);
	if (end > s->size)
		s->size = end;
	rp->databytes += d->len;
	if (s->nodigest != 0 || d->len == 0)
		return;
	/*
	 * tf-split leaves a hole where bytes are missing, which reads as
	 * zeros: hash zeros up to this record's offset.
	 */
	if (d->offset < s->hashed) {
		s->nodigest |= REPORT_ND_REWOUND;
		return;
	}
	if (d->offset - s->hashed > REPORT_MAX_ZEROS - s->zeros) {
		s->nodigest |= REPORT_ND_HOLE;
		return;
	}
	if (!zeros_ok(rp, d->offset - s->hashed)) {
		s->nodigest |= REPORT_ND_BUDGET;
		return;
	}
	rp->zeros += d->offset - s->hashed;
	if (dg(f, s) < 0)
		return;
	if ((e = digest_zeros(&s->dg, d->offset - s->hashed)) < 0 ||
	    (e = digest_update(&s->dg, d->bytes, d->len)) < 0) {
		lib_error(f, e);
		return;
	}
	s->zeros += d->offset - s->hashed;
	s->hashed = end;
}

static void
on_gap(struct filter *f, struct filter_conn *fc, const struct rec_gap *g)
{
	struct report *rp = f->arg;
	struct side *s = &((struct conn *)fc)->side[g->dir];

	if (rp->out->seg != NULL)
		rp->out->seg(rp->arg, &fc->o, g->dir, g->ts, g->len,
		    g->cause != 0 ? g->cause : 255);
	stamp((struct conn *)fc, g->dir, g->ts);
	seen(s, g->ts);
	s->gaps++;
	s->gapbytes += g->len;
}

/* Takes a string of m for the report's own (NULL when absent). */
static struct report_str
take(struct httpmsg_str *s)
{
	struct report_str r;

	r.p = (char *)(uintptr_t)s->p;
	r.len = s->len;
	s->p = NULL;
	s->len = 0;
	return r;
}

static uint64_t
num(const struct httpmsg *m, enum httpmsg_field f, uint64_t v)
{
	return m->has & (uint64_t)1 << f ? v : UINT64_MAX;
}

/*
 * The runs of a body_runs member (len bytes at p, "OFF+LEN,..."), at most
 * HTTP_MAXRUNS, in *out (owned, NULL when absent or not well formed: the
 * member is ignored); returns how many.
 */
static size_t
parse_runs(const char *p, size_t len, uint64_t **out)
{
	uint64_t v[2 * HTTP_MAXRUNS], x;
	size_t n = 0, i = 0;
	int part = 0, digits = 0;

	*out = NULL;
	if (p == NULL)
		return 0;
	x = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && p[i] >= '0' && p[i] <= '9') {
			if (x > (UINT64_MAX - 9) / 10)
				return 0;
			x = x * 10 + (uint64_t)(p[i] - '0');
			digits++;
			continue;
		}
		if (digits == 0 || digits > 20)
			return 0;
		if (i < len && p[i] != (part == 0 ? '+' : ','))
			return 0;
		if (i == len && part == 0)
			return 0;
		if (n == 2 * HTTP_MAXRUNS)
			return 0;
		v[n++] = x;
		x = 0;
		digits = 0;
		part = !part;
	}
	if ((*out = malloc(n * sizeof(**out))) == NULL)
		xnomem();
	memcpy(*out, v, n * sizeof(**out));
	return n / 2;
}

/* Keeps an http.message annotation; a bad one is warned about. */
static void
http_annot(struct filter *f, struct hlist *s, const struct rec_annot *a)
{
	struct report *rp = f->arg;
	struct httpmsg m;
	struct report_http h, *nh;
	const char *why;
	size_t cap, mem;
	int e;

	if ((e = httpmsg_read(&m, a->value, a->valuelen, &why)) ==
	    TF_ERR_MALFORMED) {
		warnx("annotation at byte %" PRIu64 ": %s: %s; ignored",
		    f->offset, HTTPMSG_KEY, why);
		return;
	} else if (e < 0)
		xnomem();
	/*
	 * What a message costs: its struct, and each string with its
	 * NUL and malloc's overhead, about 16 bytes.
	 */
	mem = sizeof(h) + m.file.len + m.header_file.len + m.dir.len +
	    m.uri.len + m.host.len + m.method.len + m.content_type.len +
	    m.version.len + 8 * 17;
	/* body_runs: a pair takes 4 bytes or more ("0+0,"). */
	if (m.body_runs.p != NULL)
		mem += (m.body_runs.len / 4 + 1) * 2 * sizeof(uint64_t) + 17;
	if (s->n >= REPORT_MAX_HTTP) {
		s->dropped++;
		rp->st.httpdir++;
		goto out;
	}
	if (rp->nhttp >= REPORT_MAX_HTTP_ALL ||
	    mem > REPORT_MAX_HTTP_BYTES - rp->httpmem) {
		s->dropped++;
		rp->st.httpall++;
		goto out;
	}
	if (s->n == s->cap) {
		cap = s->cap == 0 ? 4 : s->cap * 2;
		if (cap > REPORT_MAX_HTTP)
			cap = REPORT_MAX_HTTP;
		if ((nh = realloc(s->v, cap * sizeof(*nh))) == NULL)
			xnomem();
		s->v = nh;
		s->cap = cap;
	}
	memset(&h, 0, sizeof(h));
	h.file = take(&m.file);
	h.header_file = take(&m.header_file);
	h.header_length = num(&m, HTTPMSG_F_header_length, m.header_length);
	h.dir = take(&m.dir);
	h.uri = take(&m.uri);
	h.host = take(&m.host);
	h.method = take(&m.method);
	h.content_type = take(&m.content_type);
	h.version = take(&m.version);
	h.stream = num(&m, HTTPMSG_F_stream, m.stream);
	h.promised_by = num(&m, HTTPMSG_F_promised_by, m.promised_by);
	h.nruns =
	    parse_runs((const char *)m.body_runs.p, m.body_runs.len, &h.runs);
	h.runscut = h.runs != NULL
	    ? num(&m, HTTPMSG_F_body_runs_cut, m.body_runs_cut)
	    : UINT64_MAX;
	h.n = num(&m, HTTPMSG_F_n, m.n);
	h.request = num(&m, HTTPMSG_F_request, m.request);
	h.status = num(&m, HTTPMSG_F_status, m.status);
	h.length = num(&m, HTTPMSG_F_length, m.length);
	h.body_offset = num(&m, HTTPMSG_F_body_offset, m.body_offset);
	h.body_length = num(&m, HTTPMSG_F_body_length, m.body_length);
	h.complete = m.has & HTTPMSG_HAS(complete) ? m.complete : -1;
	if (m.md5.p != NULL)
		memcpy(h.hex[0], m.md5.p, m.md5.len + 1);
	if (m.sha1.p != NULL)
		memcpy(h.hex[1], m.sha1.p, m.sha1.len + 1);
	if (m.sha256.p != NULL)
		memcpy(h.hex[2], m.sha256.p, m.sha256.len + 1);
	if (s->n > 0 && (h.n == UINT64_MAX || h.n <= s->v[s->n - 1].n))
		s->unsorted = 1;
	s->v[s->n++] = h;
	s->mem += mem;
	rp->nhttp++;
	rp->httpmem += mem;
	if (rp->nhttp > rp->st.httpmaxheld)
		rp->st.httpmaxheld = rp->nhttp;
out:
	httpmsg_release(&m);
}

/*
 * Keeps a tls.session (cert 0) or tls.certificate (cert 1) annotation of
 * c: a flat JSON object, within the caps.  A later tls.session replaces
 * an earlier one.
 */
static void
tls_annot(struct filter *f, struct conn *c, const struct rec_annot *a, int cert)
{
	struct report *rp = f->arg;
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	struct report_str *to;
	size_t n, mem;
	int e;

	if (a->valuelen > REPORT_MAX_TLS_LEN) {
		rp->st.tlsdropped++;
		return;
	}
	if ((e = jsonobj_parse(
	         a->value, a->valuelen, m, JSONOBJ_MAX_MEMBERS, &n)) < 0) {
		if (rp->st.tlsbad++ < FILTER_WARNMAX)
			warnx("annotation at byte %" PRIu64 ": %.*s: %s; "
			      "ignored",
			    f->offset, (int)a->keylen, a->key,
			    jsonobj_strerror(e));
		return;
	}
	if (c->tls == NULL && (c->tls = calloc(1, sizeof(*c->tls))) == NULL)
		xnomem();
	mem = a->valuelen + 17;
	if (cert && c->tls->ncerts[a->dir] >= REPORT_MAX_CERTS) {
		rp->st.tlsdropped++;
		return;
	}
	to = cert ? &c->tls->certs[a->dir][c->tls->ncerts[a->dir]]
	          : &c->tls->session;
	if (to->p != NULL) {
		c->tls->mem -= to->len + 17;
		rp->tlsmem -= to->len + 17;
		free(to->p);
		to->p = NULL;
	}
	if (mem > REPORT_MAX_TLS_BYTES - rp->tlsmem) {
		rp->st.tlsdropped++;
		return;
	}
	if ((to->p = malloc(a->valuelen + 1)) == NULL)
		xnomem();
	memcpy(to->p, a->value, a->valuelen);
	to->p[a->valuelen] = '\0';
	to->len = a->valuelen;
	c->tls->mem += mem;
	rp->tlsmem += mem;
	if (cert)
		c->tls->ncerts[a->dir]++;
}

static void
on_annot(struct filter *f, struct filter_conn *fc, const struct rec_annot *a)
{
	struct conn *c = (struct conn *)fc;
	struct report *rp = f->arg;
	struct side *s;
	uint8_t *p;
	size_t i;

	/* Packets the kernel dropped, of a live capture: a decimal. */
	if (c == NULL && a->conn == 0 &&
	    rec_annot_is(a, "reassemble.kernel_drops") && a->valuelen > 0 &&
	    a->valuelen <= 19) {
		rp->st.kdrops = 0;
		for (i = 0; i < a->valuelen && a->value[i] >= '0' &&
		     a->value[i] <= '9';
		     i++)
			rp->st.kdrops =
			    rp->st.kdrops * 10 + (a->value[i] - '0');
		rp->st.havekdrops = i == a->valuelen;
		return;
	}
	if (c == NULL)
		return;
	/* tf-tls -K: the connection that holds the ciphertext, a decimal. */
	if (rec_annot_is(a, "tls.ciphertext") && a->valuelen > 0 &&
	    a->valuelen <= 20) {
		c->layer = 0;
		for (i = 0; i < a->valuelen && a->value[i] >= '0' &&
		     a->value[i] <= '9' && c->layer <= (UINT64_MAX - 9) / 10;
		     i++)
			c->layer =
			    c->layer * 10 + (uint64_t)(a->value[i] - '0');
		if (i != a->valuelen)
			c->layer = 0;
		return;
	}
	/* tls.session is about the connection (dir 255), a certificate
	 * about the direction that sent it. */
	if (rec_annot_is(a, "tls.session") ||
	    (rec_annot_is(a, "tls.certificate") && a->dir <= 1)) {
		tls_annot(f, c, a, rec_annot_is(a, "tls.certificate"));
		return;
	}
	if (a->dir > 1)
		return;
	if (rec_annot_is(a, HTTPMSG_KEY)) {
		if (c->http == NULL &&
		    (c->http = calloc(2, sizeof(*c->http))) == NULL)
			xnomem();
		http_annot(f, &c->http[a->dir], a);
		return;
	}
	if (!rec_annot_is(a, "split.path"))
		return;
	s = &c->side[a->dir];
	if ((p = malloc(a->valuelen + 1)) == NULL)
		xnomem();
	memcpy(p, a->value, a->valuelen);
	p[a->valuelen] = '\0';
	free(s->path);
	s->path = p;
	s->pathlen = a->valuelen;
}

/* A copy of the string from for *to, when to has none. */
static void
copy_str(struct report_str *to, const struct report_str *from)
{
	if (to->p != NULL || from->p == NULL ||
	    (to->p = malloc(from->len + 1)) == NULL)
		return;
	memcpy(to->p, from->p, from->len + 1);
	to->len = from->len;
}

/* A message's number and its position, for an index by number. */
struct nix {
	uint64_t n;
	size_t i;
};

/* By number, then by stream order. */
static int
bynix(const void *a, const void *b)
{
	const struct nix *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Gives each response without a URI or a Host its request's, from side
 * q: the first message of q, in stream order, whose number is the one
 * the response names.  Requests are numbered from 1 in stream order, so
 * q's numbers only grow, some missing (dropped over the caps, bad
 * annotations): a binary search.  A forged stream may number them in
 * any order; then an index of q sorted by number is searched instead.
 * Costs O((responses + requests) log requests), never their product.
 */
static void
pair_uris(struct report *rp, struct hlist *s, const struct hlist *q)
{
	const struct report_http *r;
	struct report_http *h;
	struct nix *ix = NULL;
	size_t k, j, lo, hi;

	for (k = 0; k < s->n; k++) {
		h = &s->v[k];
		if ((h->uri.p != NULL && h->host.p != NULL) ||
		    h->request == UINT64_MAX ||
		    (h->file.p == NULL && h->header_file.p == NULL) ||
		    q->n == 0)
			continue;
		if (q->unsorted && ix == NULL) {
			if ((ix = calloc(q->n, sizeof(*ix))) == NULL)
				xnomem();
			for (j = 0; j < q->n; j++) {
				ix[j].n = q->v[j].n;
				ix[j].i = j;
			}
			qsort(ix, q->n, sizeof(*ix), bynix);
		}
		rp->st.pairs++;
		/* The lowest place whose number is not below the one
		 * named. */
		for (lo = 0, hi = q->n; lo < hi;) {
			j = lo + (hi - lo) / 2;
			rp->st.probes++;
			if ((ix != NULL ? ix[j].n : q->v[j].n) < h->request)
				lo = j + 1;
			else
				hi = j;
		}
		if (lo == q->n)
			continue;
		r = &q->v[ix != NULL ? ix[lo].i : lo];
		if (r->n != h->request)
			continue;
		copy_str(&h->uri, &r->uri);
		copy_str(&h->host, &r->host);
		/* A pushed response: its request's PUSH_PROMISE stream. */
		if (h->promised_by == UINT64_MAX)
			h->promised_by = r->promised_by;
	}
	free(ix);
}

/* Hands out both directions of c, then frees what it holds. */
static void
on_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	struct report *rp = f->arg;
	struct conn *c = (struct conn *)fc;
	const struct rec_open *o = &fc->o;
	struct report_dir rd;
	struct side *s;
	int e, i;

	begin(f, rp);
	if (c->http != NULL) {
		stamp(c, 0, c->side[0].last);
		stamp(c, 1, c->side[1].last);
		pair_uris(rp, &c->http[0], &c->http[1]);
		pair_uris(rp, &c->http[1], &c->http[0]);
	}
	for (i = 0; i < 2 && !rp->failed; i++) {
		s = &c->side[i];
		memset(&rd, 0, sizeof(rd));
		rd.conn = o->conn;
		rd.dir = (uint8_t)i;
		rd.family = o->family;
		rd.src = i == 0 ? o->src : o->dst;
		rd.dst = i == 0 ? o->dst : o->src;
		rd.sport = i == 0 ? o->sport : o->dport;
		rd.dport = i == 0 ? o->dport : o->sport;
		rd.counter = o->counter;
		rd.layer = (o->flags & REC_OPEN_F_LAYER) != 0;
		rd.link = rd.layer ? o->link : c->layer;
		rd.nvlan = o->nvlan;
		rd.vlan = o->vlan;
		rd.open_ts = o->ts;
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
		if (c->tls != NULL) {
			if (i == 0 && c->tls->session.p != NULL)
				rd.tls = &c->tls->session;
			rd.certs = c->tls->certs[i];
			rd.ncerts = c->tls->ncerts[i];
		}
		if (cl != NULL) {
			rd.st = &cl->dir[i];
			rd.cause = cl->cause;
		} else if (why == FILTER_EVICTED)
			rd.cause = REC_CLOSE_EVICTED;
		if (rd.nodigest == 0 && !s->dginit)
			memcpy(rd.hex, rp->empty, sizeof(rd.hex));
		else if (rd.nodigest == 0 &&
		    (e = digest_final(&s->dg, rd.hex)) < 0) {
			lib_error(f, e);
			break;
		}
		if (rp->out->dir != NULL && rp->out->dir(rp->arg, &rd) < 0)
			failed(f, rp);
	}
	conn_release(rp, c);
}

static void
on_open(struct filter *f, struct filter_conn *fc)
{
	struct report *rp = f->arg;

	if (rp->out->open != NULL)
		rp->out->open(rp->arg, &fc->o);
}

static void
on_end(struct filter *f, const struct rec_end *e)
{
	struct report *rp = f->arg;

	rp->end = *e;
	rp->haveend = 1;
}

static int
on_flush(struct filter *f)
{
	struct report *rp = f->arg;

	if (rp->out->flush != NULL && rp->out->flush(rp->arg) < 0) {
		rp->failed = 1;
		return -1;
	}
	return 0;
}

const struct filter_ops report_ops = {
    .name = "report",
    .connsize = sizeof(struct conn),
    .record = on_record,
    .open = on_open,
    .data = on_data,
    .gap = on_gap,
    .annot = on_annot,
    .close = on_close,
    .end = on_end,
    .flush = on_flush,
};

int
report_end(struct report *rp, const struct filter *f)
{
	const char *cut = f->why[0] != '\0' ? f->why
	                                    : "the stream ended "
	                                      "early";

	if (rp->failed)
		return -1;
	begin(NULL, rp);
	if (rp->failed || rp->out->end == NULL)
		return rp->failed ? -1 : 0;
	if (rp->out->end(rp->arg,
	        rp->haveend && f->ended && f->why[0] == '\0' ? &rp->end : NULL,
	        cut, f->st.orphanrecs) < 0) {
		rp->failed = 1;
		return -1;
	}
	return 0;
}

/* A time, or null when there is none. */
static void
json_time(struct json *j, const char *name, int64_t ts)
{
	char buf[64];

	if (ts == 0 || addr_isotime(buf, sizeof(buf), ts, 6) < 0)
		json_null(j, name);
	else
		json_str(j, name, buf);
}

static void
json_opt(struct json *j, const char *name, const struct report_str *s)
{
	if (s->p != NULL)
		json_bytes(j, name, s->p, s->len);
}

static void
json_num(struct json *j, const char *name, uint64_t v)
{
	if (v != UINT64_MAX)
		json_u64(j, name, v);
}

/* The "http" array: one object per body, the fields of <tcpflow:http>. */
static void
json_http(struct json *j, const struct report_dir *rd)
{
	const struct report_http *h;
	size_t k;
	unsigned i;

	for (k = 0; k < rd->nhttp && rd->http[k].file.p == NULL &&
	     rd->http[k].header_file.p == NULL;
	     k++)
		;
	if (k == rd->nhttp && rd->httpdropped == 0)
		return;
	json_abegin(j, "http");
	for (k = 0; k < rd->nhttp; k++) {
		h = &rd->http[k];
		if (h->file.p == NULL && h->header_file.p == NULL)
			continue;
		json_begin(j, NULL);
		if (h->file.p != NULL) {
			json_bytes(j, "filename", h->file.p, h->file.len);
			json_num(j, "filesize", h->length);
		}
		if (h->header_file.p != NULL) {
			json_bytes(j, "header_filename", h->header_file.p,
			    h->header_file.len);
			json_num(j, "header_filesize", h->header_length);
		}
		json_num(j, "file_offset", h->body_offset);
		json_num(j, "len", h->body_length);
		if (h->runs != NULL) {
			json_abegin(j, "byte_runs");
			for (i = 0; i < h->nruns; i++) {
				json_abegin(j, NULL);
				json_u64(j, NULL, h->runs[2 * i]);
				json_u64(j, NULL, h->runs[2 * i + 1]);
				json_aend(j);
			}
			json_aend(j);
			json_num(j, "byte_runs_cut", h->runscut);
		}
		json_opt(j, "dir", &h->dir);
		json_num(j, "n", h->n);
		json_opt(j, "version", &h->version);
		json_num(j, "stream", h->stream);
		json_num(j, "promised_by", h->promised_by);
		json_opt(j, "method", &h->method);
		json_opt(j, "uri", &h->uri);
		json_opt(j, "host", &h->host);
		json_num(j, "status", h->status);
		json_opt(j, "content_type", &h->content_type);
		if (h->complete >= 0)
			json_bool(j, "complete", h->complete);
		for (i = 0; i < DIGEST_NALGS; i++)
			if (h->hex[i][0] != '\0')
				json_str(j, digest_name(i), h->hex[i]);
		json_end(j);
	}
	json_aend(j);
	if (rd->httpdropped > 0)
		json_u64(j, "http_dropped", rd->httpdropped);
}

void
report_tls_json(struct json *j, const char *key, const struct report_str *v,
    const char *const *keys)
{
	struct jsonobj_member m[JSONOBJ_MAX_MEMBERS];
	const struct jsonobj_member *x;
	char name[64], *buf;
	size_t n, k, e;
	long len;
	uint64_t u;

	if (jsonobj_parse(
	        (const uint8_t *)v->p, v->len, m, JSONOBJ_MAX_MEMBERS, &n) < 0)
		return;
	if ((buf = malloc(v->len + 1)) == NULL)
		xnomem();
	json_begin(j, key);
	for (k = 0; keys[k] != NULL; k++) {
		snprintf(name, sizeof(name), "%s", keys[k]);
		if ((x = jsonobj_get(m, n, name)) == NULL) {
			snprintf(name, sizeof(name), "%s_hex", keys[k]);
			if ((x = jsonobj_get(m, n, name)) == NULL ||
			    x->type != JSONOBJ_STRING)
				continue;
		}
		switch (x->type) {
		case JSONOBJ_STRING:
			if ((len = jsonobj_str(x, buf, v->len + 1)) >= 0)
				json_bytes(j, name, buf, (size_t)len);
			break;
		case JSONOBJ_NUMBER:
			if (jsonobj_u64(x, &u) == 0)
				json_u64(j, name, u);
			break;
		case JSONOBJ_TRUE:
		case JSONOBJ_FALSE:
			json_bool(j, name, x->type == JSONOBJ_TRUE);
			break;
		case JSONOBJ_ARRAY:
			json_abegin(j, name);
			for (e = 0;
			     (len = jsonobj_elem(x, e, buf, v->len + 1)) >= 0;
			     e++)
				json_bytes(j, NULL, buf, (size_t)len);
			json_aend(j);
			break;
		default:
			break;
		}
	}
	json_end(j);
	free(buf);
}

void
report_json(struct json *j, unsigned algs, const struct report_dir *rd)
{
	const struct rec_dirstats *st = rd->st;
	char buf[ADDR_STRLEN];
	size_t i;

	json_begin(j, NULL);
	json_u64(j, "conn", rd->conn);
	json_u64(j, "dir", rd->dir);
	if (rd->path == NULL)
		json_null(j, "filename");
	else
		json_bytes(j, "filename", rd->path, rd->pathlen);
	json_u64(j, "filesize", rd->filesize);
	for (i = 0; i < DIGEST_NALGS; i++) {
		if ((algs & 1u << i) == 0)
			continue;
		if (rd->nodigest == 0)
			json_str(j, digest_name((unsigned)i), rd->hex[i]);
		else
			json_null(j, digest_name((unsigned)i));
	}
	json_time(j, "startime",
	    st != NULL && st->first != 0 ? st->first : rd->first);
	json_time(
	    j, "endtime", st != NULL && st->last != 0 ? st->last : rd->last);
	json_u64(j, "family", rd->family == 6 ? 10 : 2);
	json_str(j, "src_ipn", addr_plain(buf, rd->family, rd->src));
	json_str(j, "dst_ipn", addr_plain(buf, rd->family, rd->dst));
	json_u64(j, "srcport", rd->sport);
	json_u64(j, "dstport", rd->dport);
	if (st != NULL) {
		json_u64(j, "packets", st->packets);
		json_u64(j, "len", st->wirelen);
		json_u64(j, "caplen", st->caplen);
		json_u64(j, "out_of_order_count", st->ooo);
		json_u64(j, "violations", st->violations);
	}
	json_abegin(j, "vlan");
	for (i = 0; i < rd->nvlan && i < REC_MAX_VLAN; i++)
		json_u64(j, NULL, rd->vlan[i]);
	json_aend(j);
	json_u64(j, "counter", rd->counter);
	if (rd->layer)
		json_str(j, "layer", "ciphertext");
	if (rd->link != 0)
		json_u64(j, "link", rd->link);
	json_u64(j, "gaps", st != NULL ? st->gaps : rd->gaps);
	json_u64(j, "gapbytes", st != NULL ? st->gapbytes : rd->gapbytes);
	if (st != NULL) {
		json_u64(j, "retrans", st->retrans);
		json_u64(j, "overlapdiff", st->overlapdiff);
	}
	json_str(j, "close",
	    rd->cause == 0 ? "cut"
	        : rec_close_cause_name(rd->cause) != NULL
	        ? rec_close_cause_name(rd->cause)
	        : "unknown");
	if (rd->nodigest != 0)
		json_str(j, "nodigest",
		    rd->nodigest & REPORT_ND_REWOUND    ? "rewound"
		        : rd->nodigest & REPORT_ND_HOLE ? "hole"
		                                        : "budget");
	json_http(j, rd);
	if (rd->tls != NULL)
		report_tls_json(j, "tls", rd->tls, report_tls_session_keys);
	if (rd->ncerts > 0) {
		json_abegin(j, "certificates");
		for (i = 0; i < rd->ncerts; i++)
			report_tls_json(
			    j, NULL, &rd->certs[i], report_tls_cert_keys);
		json_aend(j);
	}
	json_end(j);
	json_newline(j);
}
