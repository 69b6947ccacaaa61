/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-tls: the TLS metadata of every connection of the stream on standard
 * input (versions, SNI, ALPN, cipher suite, JA3 and JA4, certificates)
 * as annotations and, with a key log (-k), the connections decrypted: the
 * stream passed on carries their plaintext instead of their ciphertext.
 * With -K the ciphertext of a decrypted connection goes on too, in a
 * layer connection of its own (tf-stream(5), OPEN flag layer), numbered
 * conn | REC_CONN_LAYER.  With -j, one JSON line per TLS connection
 * instead of the stream.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "esc.h"
#include "filter.h"
#include "json.h"
#include "rec.h"
#include "tls.h"
#include "tlscrypt.h"
#include "xutil.h"

struct tftls;

struct tconn {
	struct filter_conn fc; /* fc.o: the connection */
	struct tftls *tt;
	struct tls_conn *t; /* NULL: not looked at yet, or not TLS */
	int nottls;
	int layer; /* -K: the ciphertext's layer connection is open (1), or
	              cannot be: its number is taken in the input (-1) */
	int64_t lastts;
};

struct tftls {
	struct filter flt;
	struct tlsc_keylog *kl;
	struct tls_opts o;
	struct tls_cb cb;
	int json;           /* -j */
	int jsonfail;       /* writing the lines failed */
	int quiet;          /* -q */
	uint64_t nwarn;     /* problems with connections */
	uint64_t notdec;    /* connections not decrypted, with -k */
	uint64_t badlines;  /* key log lines not understood */
	uint64_t tlsconns;  /* TLS connections */
	uint64_t decrypted; /* of them, decrypted */
	uint8_t scratch[TLSC_MAXREC];
};

static void
versions(FILE *fp)
{
	(void)fprintf(fp, "%s\n", OpenSSL_version(OPENSSL_VERSION));
}

static const struct xopt opts[] = {
    {"-C conns", "hold at most conns connections at once (131072)"},
    {"-j", "one JSON line per TLS connection instead of the stream"},
    {"-K", "keep the ciphertext too, in a layer connection"},
    {"-k keylog", "decrypt with the secrets of keylog (SSLKEYLOGFILE)"},
    {"-q", "do not warn of connections not decrypted or damaged"},
    {NULL, NULL}};

static const struct xprog prog = {"tf-tls", "[-hjKqV] [-C conns] [-k keylog]",
    "Find the TLS sessions of each connection; decrypt them with a key log.",
    opts, versions};

/* Writing the JSON lines (-j) failed: said once. */
static void
jsonfail(struct tftls *tt)
{
	if (tt->jsonfail)
		return;
	warn("error writing standard output");
	tt->jsonfail = 1;
	tt->flt.status = 1;
}

static void
cb_data(void *arg, unsigned dir, uint64_t off, int64_t ts, const uint8_t *p,
    size_t n)
{
	struct tconn *c = arg;

	filter_data(&c->tt->flt, c->fc.o.conn, dir, off, ts, p, n);
}

/* Writes a GAP record about connection conn (c's or its layer's). */
static void
put_gap(struct tconn *c, uint64_t conn, unsigned dir, uint64_t off,
    uint64_t len, unsigned cause, int64_t ts)
{
	struct rec_gap g;

	memset(&g, 0, sizeof(g));
	g.conn = conn;
	g.dir = (uint8_t)dir;
	g.cause = (uint8_t)cause;
	g.offset = off;
	g.len = len;
	g.ts = ts;
	filter_gap(&c->tt->flt, &g);
}

static void
cb_gap(void *arg, unsigned dir, uint64_t off, uint64_t len, unsigned cause,
    int64_t ts)
{
	struct tconn *c = arg;

	put_gap(c, c->fc.o.conn, dir, off, len, cause, ts);
}

/*
 * The number of c's layer, for its ciphertext (-K), opened when the
 * first of it comes (the bytes held until c was found decryptable) and
 * named on c by a tls.ciphertext annotation; 0 when the input already
 * has a connection of that number (a layer made before), whose records
 * must not be mixed with these: the ciphertext is then not kept, said.
 */
static uint64_t
layer(struct tconn *c)
{
	struct rec_open o = c->fc.o;
	char v[24];
	int n;

	o.conn |= REC_CONN_LAYER;
	if (c->layer == 0 && filter_find(&c->tt->flt, o.conn) != NULL) {
		c->layer = -1;
		warnx("connection %" PRIu64 " already has a layer in the "
		      "input: its ciphertext is not kept",
		    c->fc.o.conn);
	}
	if (c->layer < 0)
		return 0;
	if (c->layer == 0) {
		c->layer = 1;
		o.flags |= REC_OPEN_F_LAYER;
		/* A new connection of the stream: its files are new too. */
		o.flags &= (uint8_t)~REC_OPEN_F_RESUMED;
		o.link = c->fc.o.conn;
		filter_open(&c->tt->flt, &o);
		n = snprintf(v, sizeof(v), "%" PRIu64, o.conn);
		filter_annot(&c->tt->flt, c->fc.o.conn, REC_DIR_NONE,
		    "tls.ciphertext", v, (size_t)n);
	}
	return o.conn;
}

static void
cb_cipher(void *arg, unsigned dir, uint64_t off, int64_t ts, const uint8_t *p,
    size_t n)
{
	struct tconn *c = arg;
	uint64_t l = layer(c);

	if (l != 0)
		filter_data(&c->tt->flt, l, dir, off, ts, p, n);
}

static void
cb_ciphergap(void *arg, unsigned dir, uint64_t off, uint64_t len,
    unsigned cause, int64_t ts)
{
	struct tconn *c = arg;
	uint64_t l = layer(c);

	if (l != 0)
		put_gap(c, l, dir, off, len, cause, ts);
}

static void
cb_annot(void *arg, unsigned dir, const char *key, const void *v, size_t n)
{
	struct tconn *c = arg;

	filter_annot(&c->tt->flt, c->fc.o.conn, dir, key, v, n);
}

static void
cb_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	struct tconn *c = arg;
	struct tftls *tt = c->tt;
	uint64_t *n = dir == 255 ? &tt->notdec : &tt->nwarn;

	if (++*n > FILTER_WARNMAX || tt->quiet)
		return;
	if (dir == 255)
		warnx("connection %" PRIu64 ": not decrypted: %s", c->fc.o.conn,
		    what);
	else
		warnx("connection %" PRIu64 " direction %u at byte %" PRIu64
		      ": %s",
		    c->fc.o.conn, dir, off, what);
}

/* RFC 3339, UTC, with nanoseconds, into buf. */
static const char *
rfc3339(char *buf, size_t size, int64_t ns)
{
	time_t s =
	    (time_t)(ns >= 0 ? ns / 1000000000 : (ns + 1) / 1000000000 - 1);
	long frac = (long)(ns - (int64_t)s * 1000000000);
	struct tm tm;
	char d[32];

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		d[0] = '\0';
	(void)snprintf(buf, size, "%s.%09ldZ", d, frac);
	return buf;
}

static void
cb_session(void *arg, const char *s, size_t n, const char *certs, size_t cn)
{
	struct tconn *c = arg;
	struct tftls *tt = c->tt;
	const struct rec_open *o = &c->fc.o;
	char a[ADDR_STRLEN], ts[48];
	struct json j;

	tt->tlsconns++;
	if (strstr(s, "\"decrypted\":true") != NULL)
		tt->decrypted++;
	if (!tt->json || tt->jsonfail || n < 2)
		return;
	json_init(&j);
	json_begin(&j, NULL);
	json_u64(&j, "conn", o->conn);
	json_str(&j, "ts", rfc3339(ts, sizeof(ts), o->ts));
	json_str(&j, "orig_h", addr_plain(a, o->family, o->src));
	json_u64(&j, "orig_p", o->sport);
	json_str(&j, "resp_h", addr_plain(a, o->family, o->dst));
	json_u64(&j, "resp_p", o->dport);
	/* The members of tls.session, then the chain. */
	if (n > 2)
		json_raw(&j, NULL, s + 1, n - 2);
	json_abegin(&j, "certificate_chain");
	if (cn > 0)
		json_raw(&j, NULL, certs, cn);
	json_aend(&j);
	json_end(&j);
	json_newline(&j);
	if (json_error(&j) < 0)
		xnomem();
	if (json_write(&j, stdout) < 0)
		jsonfail(tt);
	json_release(&j);
}

/*
 * c's TLS state, made at its first record; NULL once it is not TLS.  A
 * connection numbered as a layer is another program's: never looked at.
 */
static struct tls_conn *
conn_tls(struct tftls *tt, struct tconn *c)
{
	if (c->nottls || (c->fc.o.flags & REC_OPEN_F_LAYER))
		return NULL;
	if (c->t == NULL) {
		c->tt = tt;
		if ((c->t = tls_conn_new(&tt->o, &tt->cb, c)) == NULL)
			xnomem();
	}
	return c->t;
}

/* After a record was given to c's TLS state, r what it said. */
static void
conn_took(struct filter *f, struct tconn *c, int r)
{
	if (r < 0)
		xnomem();
	if (r > 0)
		filter_drop(f);
	if (tls_conn_is_tls(c->t) == 0) {
		tls_conn_free(c->t);
		c->t = NULL;
		c->nottls = 1;
	}
}

static void
on_data(struct filter *f, struct filter_conn *fc, const struct rec_data *d)
{
	struct tconn *c = (struct tconn *)fc;
	struct tls_conn *t;

	c->lastts = d->ts;
	if ((t = conn_tls(f->arg, c)) != NULL)
		conn_took(f, c,
		    tls_conn_data(
		        t, d->dir, d->offset, d->ts, d->bytes, d->len));
}

static void
on_gap(struct filter *f, struct filter_conn *fc, const struct rec_gap *g)
{
	struct tconn *c = (struct tconn *)fc;
	struct tls_conn *t;

	c->lastts = g->ts;
	if ((t = conn_tls(f->arg, c)) != NULL)
		conn_took(f, c,
		    tls_conn_gap(
		        t, g->dir, g->offset, g->len, g->cause, g->ts));
}

static void
on_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	struct tconn *c = (struct tconn *)fc;
	struct rec_close lc;

	if (c->t == NULL)
		return;
	tls_conn_end(c->t, cl != NULL ? cl->ts : c->lastts);
	tls_conn_free(c->t);
	c->t = NULL;
	/*
	 * The layer ends with its connection: the same CLOSE, or one saying
	 * it was evicted here.  When the stream ended without a CLOSE, so
	 * does the layer.
	 */
	if (c->layer <= 0 || (cl == NULL && why != FILTER_EVICTED))
		return;
	if (cl != NULL)
		lc = *cl;
	else {
		memset(&lc, 0, sizeof(lc));
		lc.ts = c->lastts;
		lc.cause = REC_CLOSE_EVICTED;
	}
	lc.conn = fc->o.conn | REC_CONN_LAYER;
	filter_close(f, &lc);
}

static int
on_flush(struct filter *f)
{
	struct tftls *tt = f->arg;

	if (tt->json && fflush(stdout) == EOF)
		jsonfail(tt);
	return 0;
}

static const struct filter_ops ops = {
    .name = "tls",
    .connsize = sizeof(struct tconn),
    .passon = 1,
    .data = on_data,
    .gap = on_gap,
    .close = on_close,
    .flush = on_flush,
};

/* A key log line not understood. */
static void
on_badline(void *arg, unsigned long lineno, const char *why)
{
	struct tftls *tt = arg;

	if (++tt->badlines <= FILTER_WARNMAX)
		warnx("key log line %lu: %s: ignored", lineno, why);
}

int
main(int argc, char *argv[])
{
	static struct tftls tt;
	const char *keylog = NULL;
	char esc[1024];
	int ch, status, e;

	filter_init(&tt.flt, &ops, &tt, argc, argv);
	while ((ch = xgetopt(&prog, argc, argv, "C:jKk:q")) != -1) {
		switch (ch) {
		case 'C':
			tt.flt.maxconns = filter_conns_arg(optarg);
			break;
		case 'j':
			tt.json = 1;
			break;
		case 'K':
			tt.o.keepcipher = 1;
			break;
		case 'k':
			keylog = optarg;
			break;
		case 'q':
			tt.quiet = 1;
			break;
		}
	}
	if (optind != argc)
		xusage(&prog);
	if (keylog != NULL) {
		if ((tt.kl = tlsc_keylog_load(keylog, on_badline, &tt)) ==
		    NULL) {
			e = errno;
			errx(1, "cannot read key log '%s': %s",
			    esc_str(esc, sizeof(esc), keylog, strlen(keylog)),
			    strerror(e));
		}
		if (tt.badlines > FILTER_WARNMAX)
			warnx("%" PRIu64
			      " key log lines not understood: ignored",
			    tt.badlines);
	}
	tt.o.keylog = tt.kl;
	tt.o.scratch = tt.scratch;
	tt.cb.data = cb_data;
	tt.cb.gap = cb_gap;
	tt.cb.annot = cb_annot;
	tt.cb.cipher = cb_cipher;
	tt.cb.ciphergap = cb_ciphergap;
	tt.cb.warn = cb_warn;
	tt.cb.session = cb_session;
	tt.flt.nopasson = tt.json;
	status = filter_run(&tt.flt, STDIN_FILENO);
	if (!tt.quiet && tt.notdec > FILTER_WARNMAX)
		warnx("%" PRIu64 " TLS connections not decrypted", tt.notdec);
	if (!tt.quiet && tt.nwarn > FILTER_WARNMAX)
		warnx("%" PRIu64 " problems with TLS records", tt.nwarn);
	if (getenv("TF_DEBUG_TLS") != NULL)
		warnx("tls: connections %" PRIu64 " decrypted %" PRIu64,
		    tt.tlsconns, tt.decrypted);
	filter_release(&tt.flt);
	tlsc_keylog_free(tt.kl);
	if (tt.json && !tt.jsonfail &&
	    (fflush(stdout) == EOF || ferror(stdout))) {
		jsonfail(&tt);
		status = 1;
	}
	return status | tt.flt.status;
}
