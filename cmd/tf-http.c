/*
 * tf-http: finds the HTTP/1.x messages in every connection of the stream
 * on standard input (or in flow files named the tcpflow way), writes
 * their bodies, decoded, to files, and passes the stream on with one
 * http.message annotation per message; with -j, one JSON line per
 * request and response pair instead.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "body.h"
#include "digest.h"
#include "esc.h"
#include "filter.h"
#include "flowfile.h"
#include "http.h"
#include "httpmsg.h"
#include "json.h"
#include "outdir.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"
#include "xutil.h"

#define MAXFDS		64
#define ESCLEN		(4 * HTTP_FIELDLEN + 1)

struct tfhttp;
struct hconn;

/* One direction of a connection: the body of its message in progress. */
struct hdir {
	struct tfhttp	*t;
	struct hconn	*c;
	unsigned	 dir;
	struct body	 b;		/* active between begin and end */
	uint64_t	 chunkoff;	/* where the bytes being decoded start */
};

struct hconn {
	struct filter_conn fc;		/* fc.o: the connection */
	struct http_conn h;
	struct hdir	 d[2];
	const char	*flow[2];	/* files mode: the flow names */
};

struct tfhttp {
	struct filter	 flt;
	struct outdir	 od;
	int		 odinit;
	struct tmpl	 t;
	struct body_opts bo;
	unsigned	 digests;	/* of bodies, when passing on */
	const char	*dir;		/* -o */
	int		 json;		/* -j */
	int		 jsonfail;	/* writing the lines failed */
	int		 quiet;
	int		 files;		/* reading flow files */
	struct http_limits lim;
	struct http_cb	 cb;
	struct json	 j;
};

static void
usage(void)
{
	fprintf(stderr, "usage: tf-http [-jkqs] [-C conns] [-F tTkmg] "
	    "[-H bytes] [-m bytes] [-n fields] [-o dir] [-R ratio] "
	    "[-T template] [file ...]\n");
	exit(2);
}

static void
nomem(void)
{
	errx(1, "out of memory");
}

/* Says something about direction dir of c, unless -q. */
static void
cwarn(struct tfhttp *t, struct hconn *c, unsigned dir, uint64_t off,
    const char *what)
{
	char esc[1024];

	if (t->quiet)
		return;
	if (t->files)
		warnx("'%s' at byte %" PRIu64 ": %s", esc_str(esc,
		    sizeof(esc), c->flow[dir] ? c->flow[dir] : "",
		    c->flow[dir] ? strlen(c->flow[dir]) : 0), off, what);
	else
		warnx("connection %" PRIu64 " direction %u at byte %" PRIu64
		    ": %s", c->fc.o.conn, dir, off, what);
}

/* What the body library has to say, in tf-http's words. */
static void
on_body_event(void *arg, struct body *b, enum body_event ev, const char *what,
    const char *to, int err)
{
	struct hdir *d = arg;
	struct tfhttp *t = d->t;
	struct hconn *c = d->c;
	const struct http_msg *m = c->h.d[d->dir].m;
	char msg[ESCLEN + 128], esc[ESCLEN];

	switch (ev) {
	case BODY_EUNDECODED:
		(void)snprintf(msg, sizeof(msg), "message %" PRIu64 ": content "
		    "coding '%s' not decoded: body written as sent", m->n,
		    esc_str(esc, sizeof(esc), what, strlen(what)));
		cwarn(t, c, d->dir, m->offset, msg);
		break;
	case BODY_ETOOLONG:
		if (t->files)
			warnx("'%s': message %" PRIu64 ": body file name longer "
			    "than %d bytes: skipped", esc_str(esc, sizeof(esc),
			    c->flow[d->dir], strlen(c->flow[d->dir])), m->n,
			    (int)(BODY_NAMELEN - sizeof(BODY_PARTIAL) - 9));
		else
			warnx("connection %" PRIu64 " direction %u: message %"
			    PRIu64 ": body file name longer than %d bytes: "
			    "skipped", c->fc.o.conn, d->dir, m->n,
			    (int)(BODY_NAMELEN - sizeof(BODY_PARTIAL) - 9));
		t->flt.status = 1;
		break;
	case BODY_ECREATE:
		switch (err) {
		case TF_ERR_EXISTS:
			warnx("'%s%s' exists, not overwritten", t->od.prefix,
			    what);
			break;
		case TF_ERR_MALFORMED:
			warnx("cannot create '%s%s': %s", t->od.prefix, what,
			    outdir_unsafe(what));
			break;
		case TF_ERR_NOMEM:
			nomem();
			break;
		default:
			warnx("cannot create '%s%s': %s", t->od.prefix, what,
			    strerror(errno));
			break;
		}
		t->flt.status = 1;
		break;
	case BODY_EDECODE:
		(void)snprintf(msg, sizeof(msg), "message %" PRIu64 ": %s: "
		    "body truncated at %" PRIu64 " bytes", m->n, b->dec.why,
		    b->dec.out);
		cwarn(t, c, d->dir, d->chunkoff, msg);
		break;
	case BODY_EFINISH:
		(void)snprintf(msg, sizeof(msg), "message %" PRIu64 ": %s",
		    m->n, b->dec.why);
		cwarn(t, c, d->dir, m->bodyoff, msg);
		break;
	case BODY_ERENAME:
		warnx("cannot rename '%s%s' to '%s%s': %s", t->od.prefix, what,
		    t->od.prefix, to, strerror(errno));
		t->flt.status = 1;
		break;
	}
}

/* Writing the JSON lines (-j) failed: said once. */
static void
jsonfail(struct tfhttp *t)
{
	if (t->jsonfail)
		return;
	warn("error writing standard output");
	t->jsonfail = 1;
	t->flt.status = 1;
}

static void
on_begin(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct hdir *d = &c->d[dir];
	struct tfhttp *t = d->t;
	char flow[BODY_NAMELEN];
	const char *fp = flow;

	if (t->files) {
		if ((fp = c->flow[dir]) == NULL)
			fp = NULL;
	} else if (tmpl_expand(&t->t, &c->fc.o, dir, flow, sizeof(flow)) < 0)
		fp = NULL;
	if (body_begin(&d->b, &t->bo, d, fp, m->n, m->ctype, m->cenc) < 0)
		nomem();
}

static void
on_body(void *arg, unsigned dir, struct http_msg *m, const uint8_t *p,
    size_t n)
{
	struct hconn *c = arg;
	struct hdir *d = &c->d[dir];

	d->chunkoff = m->bodyoff + m->bodylen - n;
	if (body_write(&d->b, p, n, m->bodylen - n) < 0)
		nomem();
}

/* A string of the message, when it is there. */
static struct httpmsg_str
field(const char *s)
{
	return httpmsg_b(s[0] != '\0' ? s : NULL, strlen(s));
}

/* Makes the http.message annotation of m, whose body is b, in t->j. */
static void
message(struct tfhttp *t, const struct http_msg *m, struct body *b,
    int complete)
{
	struct httpmsg a;
	char path[2 * BODY_NAMELEN], sent[2 * BODY_NAMELEN];
	struct httpmsg_str *hex[DIGEST_NALGS];
	unsigned i;

	httpmsg_init(&a);
	hex[0] = &a.md5;
	hex[1] = &a.sha1;
	hex[2] = &a.sha256;
	a.dir = httpmsg_s(m->isreq ? "request" : "response");
	a.n = m->n;
	a.has |= HTTPMSG_HAS(n);
	if (m->isreq) {
		a.method = httpmsg_s(m->method);
		a.uri = httpmsg_s(m->uri);
		a.host = httpmsg_s(m->host);
	} else {
		a.status = (uint64_t)m->status;
		a.reason = httpmsg_s(m->reason);
		a.has |= HTTPMSG_HAS(status);
		if (m->reqn != 0) {
			a.request = m->reqn;
			a.method = httpmsg_s(m->method);
			a.has |= HTTPMSG_HAS(request);
		}
	}
	a.version = httpmsg_s(m->minor ? "1.1" : "1.0");
	a.content_type = field(m->ctype);
	if (m->clen >= 0) {
		a.content_length = (uint64_t)m->clen;
		a.has |= HTTPMSG_HAS(content_length);
	}
	a.transfer_encoding = field(m->tenc);
	a.content_encoding = field(m->cenc);
	a.offset = m->offset;
	a.body_length = m->bodylen;
	a.has |= HTTPMSG_HAS(offset) | HTTPMSG_HAS(body_length);
	if (m->bodyoff != UINT64_MAX) {
		a.body_offset = m->bodyoff;
		a.has |= HTTPMSG_HAS(body_offset);
	}
	if (b->hadfile) {
		(void)snprintf(path, sizeof(path), "%s%s", t->od.prefix,
		    b->name);
		a.file = httpmsg_s(path);
		a.length = b->written;
		a.has |= HTTPMSG_HAS(length);
		for (i = 0; i < DIGEST_NALGS; i++)
			if (b->hex[i][0] != '\0')
				*hex[i] = httpmsg_s(b->hex[i]);
	}
	if (b->hadraw) {
		(void)snprintf(sent, sizeof(sent), "%s%s", t->od.prefix,
		    b->rawname);
		a.file_sent = httpmsg_s(sent);
	}
	a.complete = complete;
	a.has |= HTTPMSG_HAS(complete);
	if (m->end != HTTP_END_COMPLETE)
		a.problem = httpmsg_s(http_end_name(m->end));
	else if (b->problem != NULL)
		a.problem = httpmsg_s(b->problem);
	if (b->undecoded) {
		a.decoded = 0;
		a.has |= HTTPMSG_HAS(decoded);
	}
	if (m->truncated) {
		a.fields_truncated = 1;
		a.has |= HTTPMSG_HAS(fields_truncated);
	}
	json_clear(&t->j);
	httpmsg_write(&a, &t->j);
	if (json_error(&t->j) < 0)
		nomem();
}

/* -j: one line for a request and its response, either one NULL. */
static void
pair_line(struct tfhttp *t, struct hconn *c, const char *req,
    const char *resp)
{
	const struct rec_open *o = &c->fc.o;
	unsigned cd = c->h.reqdir == 1 ? 1 : 0;
	char a[ADDR_STRLEN];
	struct json j;

	if (t->jsonfail)
		return;
	json_init(&j);
	json_begin(&j, NULL);
	if (t->files) {
		json_str(&j, "client_flow", c->flow[cd] ? c->flow[cd] : "");
		json_str(&j, "server_flow", c->flow[!cd] ? c->flow[!cd] : "");
	} else {
		json_u64(&j, "conn", o->conn);
		json_str(&j, "orig_h", addr_plain(a, o->family,
		    cd ? o->dst : o->src));
		json_u64(&j, "orig_p", cd ? o->dport : o->sport);
		json_str(&j, "resp_h", addr_plain(a, o->family,
		    cd ? o->src : o->dst));
		json_u64(&j, "resp_p", cd ? o->sport : o->dport);
	}
	json_raw(&j, "request", req ? req : "null", strlen(req ? req : "null"));
	json_raw(&j, "response", resp ? resp : "null",
	    strlen(resp ? resp : "null"));
	json_end(&j);
	json_newline(&j);
	if (json_error(&j) < 0)
		nomem();
	if (json_write(&j, stdout) < 0)
		jsonfail(t);
	json_release(&j);
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct hdir *d = &c->d[dir];
	struct tfhttp *t = d->t;
	char *copy;
	int complete;

	complete = body_end(&d->b, m->end == HTTP_END_COMPLETE, m->ts);
	message(t, m, &d->b, complete);
	filter_annot(&t->flt, c->fc.o.conn, dir, HTTPMSG_KEY, t->j.p,
	    t->j.len);
	if (t->json) {
		if (m->isreq) {
			/* Waits in lib/http's queue for its response. */
			if ((copy = strdup(t->j.p)) == NULL)
				nomem();
			m->user = copy;
		} else if (m->status >= 200 || m->status < 100) {
			pair_line(t, c, m->requser, t->j.p);
			free(m->requser);
		} else
			free(m->requser);
	}
	body_release(&d->b);
}

/* A request no response took: its line goes out alone (-j). */
static void
on_unpaired(void *arg, void *user)
{
	struct hconn *c = arg;

	pair_line(c->d[0].t, c, user, NULL);
	free(user);
}

static void
on_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	struct hconn *c = arg;

	cwarn(c->d[0].t, c, dir, off, what);
}

static void
conn_setup(struct tfhttp *t, struct hconn *c)
{
	unsigned d;

	http_conn_init(&c->h, &t->lim, &t->cb, c);
	for (d = 0; d < 2; d++) {
		c->d[d].t = t;
		c->d[d].c = c;
		c->d[d].dir = d;
	}
}

/* Ends the connection's messages and frees what it holds. */
static void
conn_finish(struct hconn *c)
{
	unsigned d;

	http_conn_finish(&c->h);
	for (d = 0; d < 2; d++)
		if (c->d[d].b.active)
			body_release(&c->d[d].b);
	http_conn_release(&c->h);
}

static void
on_start(struct filter *f)
{
	struct tfhttp *t = f->arg;

	filter_outdir(f, &t->od, t->dir, MAXFDS);
	t->bo.od = &t->od;
	t->bo.digests = f->passon ? t->digests : 0;
}

static void
on_open(struct filter *f, struct filter_conn *fc)
{
	conn_setup(f->arg, (struct hconn *)fc);
}

static void
on_data(struct filter *f, struct filter_conn *fc, const struct rec_data *d)
{
	struct hconn *c = (struct hconn *)fc;

	(void)f;
	if (http_conn_data(&c->h, d->dir, d->offset, d->ts, d->bytes,
	    d->len) < 0)
		nomem();
}

static void
on_gap(struct filter *f, struct filter_conn *fc, const struct rec_gap *g)
{
	struct hconn *c = (struct hconn *)fc;

	(void)f;
	http_conn_gap(&c->h, g->dir, g->offset, g->len);
}

static void
on_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	(void)f;
	(void)cl;
	(void)why;
	conn_finish((struct hconn *)fc);
}

static int
on_flush(struct filter *f)
{
	struct tfhttp *t = f->arg;

	if (t->json && fflush(stdout) == EOF)
		jsonfail(t);
	return 0;
}

static const struct filter_ops ops = {
	.name = "http",
	.connsize = sizeof(struct hconn),
	.passon = 1,
	.start = on_start,
	.open = on_open,
	.data = on_data,
	.gap = on_gap,
	.close = on_close,
	.flush = on_flush,
};

struct feed {
	struct hconn	*c;
	unsigned	 dir;
};

static int
feed_data(void *arg, uint64_t off, int64_t ts, const uint8_t *p, size_t n)
{
	struct feed *fd = arg;

	return http_conn_data(&fd->c->h, fd->dir, off, ts, p, n);
}

static void
feed_gap(void *arg, uint64_t off, uint64_t len)
{
	struct feed *fd = arg;

	http_conn_gap(&fd->c->h, fd->dir, off, len);
}

/* Feeds the flow file path to direction dir of c. */
static void
feed_file(struct tfhttp *t, struct hconn *c, unsigned dir, const char *path)
{
	struct feed fe = { c, dir };
	int fd, e;

	if ((fd = open(path, O_RDONLY)) < 0) {
		warn("cannot open '%s'", path);
		t->flt.status = 1;
		return;
	}
	if ((e = flowfile_read(fd, feed_data, feed_gap, &fe)) ==
	    TF_ERR_NOMEM)
		nomem();
	else if (e < 0) {
		warn("error reading '%s'", path);
		t->flt.status = 1;
	}
	(void)close(fd);
}

static const char *
basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/*
 * Files mode: each file is one direction of a connection, named the
 * tcpflow way; the two directions of a connection are paired by name,
 * requests read first, so that the responses find their requests.
 * Bodies are named after the files, in the output directory.
 */
static void
run_files(struct tfhttp *t, int argc, char *argv[])
{
	struct flowfile_pair *pairs;
	struct hconn *c;
	int n, i, k;
	unsigned d;

	filter_outdir(&t->flt, &t->od, t->dir, MAXFDS);
	t->bo.od = &t->od;
	if ((pairs = calloc((size_t)argc, sizeof(*pairs))) == NULL ||
	    (n = flowfile_pair(argc, argv, pairs)) < 0)
		nomem();
	for (i = 0; i < n; i++) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			nomem();
		c->fc.o.conn = (uint64_t)i + 1;
		for (d = 0; d < 2; d++)
			if (pairs[i].dir[d] >= 0)
				c->flow[d] = basename_of(argv[pairs[i].dir[d]]);
		conn_setup(t, c);
		for (k = 0; k < 2; k++) {
			d = (unsigned)(k ^ pairs[i].swap);
			if (pairs[i].dir[d] >= 0)
				feed_file(t, c, d, argv[pairs[i].dir[d]]);
		}
		conn_finish(c);
		free(c);
	}
	free(pairs);
}

/*
 * tf-http [-jkqs] [-C conns] [-F tTkmg] [-H bytes] [-m bytes] [-n fields]
 * [-o dir] [-R ratio] [-T template] [file ...]: -F and -T are
 * tf-split's, applied in command-line order.
 */
int
main(int argc, char *argv[])
{
	struct tfhttp t;
	int ch, e, status;

	memset(&t, 0, sizeof(t));
	filter_init(&t.flt, &ops, &t, argc, argv);
	t.digests = DIGEST_MD5 | DIGEST_SHA1;
	t.bo.maxbody = 1ULL << 30;
	t.bo.maxratio = 1000;
	t.bo.event = on_body_event;
	t.lim.maxheader = 64 << 10;
	t.lim.maxfields = 256;
	t.cb.begin = on_begin;
	t.cb.body = on_body;
	t.cb.end = on_end;
	t.cb.warn = on_warn;
	t.cb.unpaired = on_unpaired;
	json_init(&t.j);
	if (tmpl_init(&t.t) < 0)
		nomem();
	while ((ch = getopt(argc, argv, "C:F:H:jkm:n:o:qR:sT:")) != -1) {
		switch (ch) {
		case 'C':
			t.flt.maxconns = (size_t)xstrtonum(optarg, 1,
			    FILTER_MAXCONNS_MAX, 1, "-C");
			break;
		case 'F':
			if ((e = tmpl_flags(&t.t, optarg)) ==
			    TF_ERR_UNSUPPORTED) {
				warnx("option -F: %s", t.t.why);
				usage();
			} else if (e < 0)
				nomem();
			break;
		case 'H':
			t.lim.maxheader = (size_t)xstrtonum(optarg, 64,
			    64 << 20, 1, "-H");
			break;
		case 'j':
			t.json = 1;
			break;
		case 'k':
			t.bo.keep = 1;
			break;
		case 'm':
			t.bo.maxbody = xstrtonum(optarg, 0, UINT64_MAX / 2, 1,
			    "-m");
			break;
		case 'n':
			t.lim.maxfields = (size_t)xstrtonum(optarg, 1,
			    1 << 20, 0, "-n");
			break;
		case 'o':
			t.dir = optarg;
			break;
		case 'q':
			t.quiet = 1;
			break;
		case 'R':
			t.bo.maxratio = xstrtonum(optarg, 0, UINT32_MAX, 0,
			    "-R");
			break;
		case 's':
			t.digests |= DIGEST_SHA256;
			break;
		case 'T':
			if (tmpl_set(&t.t, optarg) < 0)
				nomem();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((e = tmpl_finish(&t.t)) == TF_ERR_MALFORMED) {
		warnx("template '%s': %s", t.t.text, t.t.why);
		usage();
	} else if (e < 0)
		nomem();
	t.files = argc > 0;
	t.flt.nopasson = t.json;
	if (t.files) {
		run_files(&t, argc, argv);
		status = t.flt.status;
	} else
		status = filter_run(&t.flt, STDIN_FILENO);
	filter_release(&t.flt);
	tmpl_release(&t.t);
	json_release(&t.j);
	if (t.json && !t.jsonfail && (fflush(stdout) == EOF ||
	    ferror(stdout))) {
		jsonfail(&t);
		status = 1;
	}
	return status | t.flt.status;
}
