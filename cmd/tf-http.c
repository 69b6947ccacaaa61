/* SPDX-License-Identifier: BSD-2-Clause */
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
#include "ws.h"
#include "xutil.h"

#define MAXFDS 64
/* -M: most memory the decoders of all bodies hold at once. */
#define DECODER_MEMORY ((uint64_t)256 << 20)
/* -j: most bytes of request lines awaiting responses, in all. */
#define PENDING_MAX ((size_t)16 << 20)
#define ESCLEN (4 * HTTP_FIELDLEN + 1)
#define PATHESC (8 * BODY_NAMELEN + 1) /* an escaped prefix and name */

struct tfhttp;
struct hconn;

/* One direction of a connection: the body of its message in progress. */
struct hdir {
	struct tfhttp *t;
	struct hconn *c;
	unsigned dir;
	struct body *b;           /* between begin and end; owned */
	char *head;               /* -A: the header file's name; owned */
	size_t headlen;           /* its size */
	uint64_t chunkoff;        /* where the bytes being decoded start */
	const struct http_msg *m; /* its message, for on_body_event */
	int h2;                   /* an HTTP/2 stream's: freed at its end */
};

/* What a connection needs once it carries bytes: made at the first. */
struct hstate {
	struct http_conn h;
	struct hdir d[2];
	struct hws *ws; /* WebSocket, lib/ws: owned, NULL until a 101 */
	int gap[2];     /* a gap since the direction's last message began */
	/* Messages ended: the numbers of HTTP/2 files. */
	uint64_t ended[2];
};

struct hconn {
	struct filter_conn fc; /* fc.o: the connection */
	struct hstate *s;      /* NULL until the first byte; owned */
	const char *flow[2];   /* files mode: the flow names */
};

/* -j: the line of a request awaiting its response, oldest first. */
struct pend {
	struct pend *prev;
	struct pend *next;
	struct tfhttp *t;
	struct hconn *c;
	unsigned dir; /* the request's direction: the client's */
	size_t size;  /* what it takes, counted in PENDING_MAX */
	char line[];
};

struct tfhttp {
	struct filter flt;
	struct pend *phead; /* -j: requests awaiting responses */
	struct pend *ptail;
	size_t pbytes;         /* their size */
	uint64_t pendcut;      /* written alone, PENDING_MAX reached */
	struct hdec_pool pool; /* the decoders' memory, -M */
	struct outdir od;
	int odinit;
	struct tmpl t;
	struct body_opts bo;
	struct body_tails tails; /* coded bytes kept for failures */
	int heads;               /* -A: header files */
	unsigned digests;        /* of bodies, when passing on */
	const char *dir;         /* -o */
	int json;                /* -j */
	int jsonfail;            /* writing the lines failed */
	int quiet;
	int hush;             /* messages cut by a cut or a stop: said once */
	uint64_t nbodies;     /* messages with a body */
	uint64_t headcut[3];  /* header blocks cut, by HTTP_HCUT_* */
	uint64_t partial[16]; /* bodies not whole, by problem */
	uint64_t h2lost;      /* HTTP/2 connections that lost a header table */
	int files;            /* reading flow files */
	struct http_limits lim;
	struct http_cb cb;
	struct json j;
	struct ws_opts wo; /* WebSocket messages, set at the first 101 */
	struct ws_mem wsmem;
};

static void versions(FILE *);

static const struct xopt opts[] = {
    {"-A", "write each message's header block to FLOW-HTTP-NNN too"},
    {"-C conns", "hold at most conns connections at once (131072)"},
    {"-F tTkmg", "prefix the body names' template, as tf-split"},
    {"-H bytes", "longest header block kept; past it, framing only (64K)"},
    {"-j", "one JSON line per request and response pair"},
    {"-k", "keep each coded body as sent too"},
    {"-M bytes", "most memory for the decoders of all bodies (256M)"},
    {"-m bytes", "largest decoded body (1G; 0: none)"},
    {"-n fields", "most header fields read; past them, framing only (256)"},
    {"-o dir", "write the bodies under dir"},
    {"-q", "do not warn of malformed messages or bodies not whole"},
    {"-R ratio", "largest decompression ratio past 1 MiB (1000)"},
    {"-s", "SHA-256 of each body too"},
    {"-T template", "name the bodies after template, as tf-split"},
    {"-w log", "largest zstd window taken, 2^log bytes (23: 8 MiB)"},
    {"file ...", "read flow files, named as tcpflow names them"}, {NULL, NULL}};

static const struct xprog prog = {"tf-http",
    "[-AhjkqsV] [-C conns] [-F tTkmg] [-H bytes] [-M bytes] [-m bytes] "
    "[-n fields] "
    "[-o dir] [-R ratio] [-T template] [-w log] [file ...]",
    "Write the bodies of the HTTP/1.x and HTTP/2 messages of each "
    "connection.",
    opts, versions};

static void
versions(FILE *fp)
{
	const char *name, *bver;
	char buf[64];
	size_t i;

	for (i = 0; hdec_library(i, &name, &bver, buf, sizeof(buf)); i++)
		(void)fprintf(fp, "%s %s\n", name, buf);
	(void)fprintf(fp, "%s\n", digest_library());
}

/* Says something about direction dir of c, unless -q. */
static void
cwarn(struct tfhttp *t, struct hconn *c, unsigned dir, uint64_t off,
    const char *what)
{
	char esc[1024];

	if (t->quiet || t->hush)
		return;
	if (t->files)
		warnx("'%s' at byte %" PRIu64 ": %s",
		    esc_str(esc, sizeof(esc), c->flow[dir] ? c->flow[dir] : "",
		        c->flow[dir] ? strlen(c->flow[dir]) : 0),
		    off, what);
	else
		warnx("connection %" PRIu64 " direction %u at byte %" PRIu64
		      ": %s",
		    c->fc.o.conn, dir, off, what);
}

/*
 * The path of the body file name under the output directory, escaped
 * for a terminal (in files mode a name holds a flow file's name, byte
 * for byte), in buf.
 */
static const char *
epath(char *buf, size_t size, const struct tfhttp *t, const char *name)
{
	char p[2 * BODY_NAMELEN];

	(void)snprintf(p, sizeof(p), "%s%s", t->od.prefix, name);
	return esc_str(buf, size, p, strlen(p));
}

/* What the body library has to say, in tf-http's words. */
static void
on_body_event(void *arg, struct body *b, enum body_event ev, const char *what,
    const char *to, int err)
{
	struct hdir *d = arg;
	struct tfhttp *t = d->t;
	struct hconn *c = d->c;
	const struct http_msg *m = d->m;
	char msg[ESCLEN + 128], esc[ESCLEN];
	char path[PATHESC], path2[PATHESC];
	int e;

	switch (ev) {
	case BODY_EUNDECODED:
		(void)snprintf(msg, sizeof(msg),
		    "message %" PRIu64 ": %s "
		    "coding '%s' not decoded: body written as sent",
		    m->n, b->dec.badte ? "transfer" : "content",
		    esc_str(esc, sizeof(esc), what, strlen(what)));
		cwarn(t, c, d->dir, m->offset, msg);
		break;
	case BODY_ETOOLONG:
		if (!filter_skip(&t->flt, FILTER_SKIP_LONG))
			break;
		if (t->files)
			warnx("'%s': message %" PRIu64
			      ": body file name longer "
			      "than %d bytes: skipped",
			    esc_str(esc, sizeof(esc), c->flow[d->dir],
			        strlen(c->flow[d->dir])),
			    m->n,
			    (int)(BODY_NAMELEN - sizeof(BODY_PARTIAL) - 9));
		else
			warnx("connection %" PRIu64
			      " direction %u: message %" PRIu64
			      ": body file name longer than %d bytes: "
			      "skipped",
			    c->fc.o.conn, d->dir, m->n,
			    (int)(BODY_NAMELEN - sizeof(BODY_PARTIAL) - 9));
		break;
	case BODY_ECREATE:
		switch (err) {
		case TF_ERR_EXISTS:
			if (filter_skip(&t->flt, FILTER_SKIP_EXISTS))
				warnx("'%s' exists, not overwritten",
				    epath(path, sizeof(path), t, what));
			break;
		case TF_ERR_MALFORMED:
			if (filter_skip(&t->flt, FILTER_SKIP_UNSAFE))
				warnx("cannot create '%s': %s",
				    epath(path, sizeof(path), t, what),
				    outdir_unsafe(what));
			break;
		case TF_ERR_NOMEM:
			xnomem();
			break;
		default:
			if (filter_skip(&t->flt, FILTER_SKIP_ERROR))
				warnx("cannot create '%s': %s",
				    epath(path, sizeof(path), t, what),
				    strerror(errno));
			break;
		}
		break;
	case BODY_EDECODE:
		(void)snprintf(msg, sizeof(msg),
		    "message %" PRIu64 ": %s: "
		    "body truncated at %" PRIu64 " bytes",
		    m->n, b->dec.why, b->dec.out);
		cwarn(t, c, d->dir, d->chunkoff, msg);
		break;
	case BODY_EFINISH:
		(void)snprintf(msg, sizeof(msg), "message %" PRIu64 ": %s",
		    m->n, b->dec.why);
		cwarn(t, c, d->dir, m->bodyoff, msg);
		break;
	case BODY_EMEMORY:
		(void)snprintf(msg, sizeof(msg),
		    "message %" PRIu64 ": %s: "
		    "body truncated at %" PRIu64 " bytes",
		    m->n, b->dec.why, b->dec.out);
		cwarn(t, c, d->dir, c->s->h.d[d->dir].next, msg);
		break;
	case BODY_ERENAME:
		e = errno;
		warnx("cannot rename '%s' to '%s': %s",
		    epath(path, sizeof(path), t, what),
		    epath(path2, sizeof(path2), t, to), strerror(e));
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

/* The body library asks for the name of a body's flow. */
static int
flow_name(void *arg, char *buf, size_t size)
{
	struct hdir *d = arg;
	struct hconn *c = d->c;

	if (!d->t->files)
		return tmpl_expand(&d->t->t, &c->fc.o, d->dir, buf, size) < 0
		    ? -1
		    : 0;
	if (c->flow[d->dir] == NULL ||
	    (size_t)snprintf(buf, size, "%s", c->flow[d->dir]) >= size)
		return -1;
	return 0;
}

/* The pool stopped a body's decoders for room: its body is partial. */
static void
on_evict(void *arg, struct hdec *h)
{
	(void)arg;
	body_evicted(h->arg);
}

/*
 * The body state of message m: its direction's, or for HTTP/2, whose
 * streams interleave, the message's own, made here and freed at its end.
 */
static struct hdir *
hdir_of(struct hconn *c, unsigned dir, struct http_msg *m)
{
	struct hdir *d = &c->s->d[dir];

	if (m->h2 && m->slot == NULL) {
		if ((m->slot = calloc(1, sizeof(*d))) == NULL)
			xnomem();
		((struct hdir *)m->slot)->t = d->t;
		((struct hdir *)m->slot)->c = c;
		((struct hdir *)m->slot)->dir = dir;
		((struct hdir *)m->slot)->h2 = 1;
	}
	if (m->h2)
		d = m->slot;
	d->m = m;
	return d;
}

static void
on_body(void *arg, unsigned dir, struct http_msg *m, const uint8_t *p, size_t n)
{
	struct hconn *c = arg;
	struct hdir *d = hdir_of(c, dir, m);

	d->chunkoff = m->bodyoff + m->bodylen - n;
	/* The body is set up at its first byte: a message begun, its body
	 * not yet come, holds none of it. */
	if (d->b == NULL &&
	    ((d->b = malloc(sizeof(*d->b))) == NULL ||
	        body_begin2(
	            d->b, &d->t->bo, d, m->n, m->ctype, m->tenc, m->cenc) < 0))
		xnomem();
	if (m->h2 && d->b->stream == 0)
		body_stream(d->b, m->stream);
	if (body_write(d->b, p, n, m->bodylen - n) < 0)
		xnomem();
}

/* WebSocket (lib/ws): a connection's, made at a 101 response. */
struct hws {
	struct ws_conn w;
	int server; /* the 101's direction */
};

static int
ws_flow(void *arg, unsigned dir, char *buf, size_t size)
{
	struct hconn *c = arg;

	return tmpl_expand(&c->s->d[0].t->t, &c->fc.o, dir, buf, size) < 0 ? -1
	                                                                   : 0;
}

/* A message or control frame: its ws.message annotation. */
static void
ws_message(void *arg, unsigned dir, const struct ws_msg *m)
{
	struct hconn *c = arg;
	struct tfhttp *t = c->s->d[0].t;
	char msg[128];

	json_clear(&t->j);
	ws_msg_json(m, t->od.prefix, &t->j);
	if (json_error(&t->j) < 0)
		xnomem();
	filter_annot(&t->flt, c->fc.o.conn, dir, WS_KEY, t->j.p, t->j.len);
	if (m->complete)
		return;
	if (m->opcode < 8)
		(void)snprintf(msg, sizeof(msg),
		    "websocket message %" PRIu64 ": %s: not whole", m->n,
		    m->problem);
	else
		(void)snprintf(msg, sizeof(msg), "websocket %s frame: %s",
		    ws_opcode_name(m->opcode), m->problem);
	cwarn(t, c, dir, m->offset, msg);
}

/* The rest of a direction is skipped: a ws.skip annotation says why. */
static void
ws_skip(
    void *arg, unsigned dir, uint64_t off, const char *why, const char *what)
{
	struct hconn *c = arg;
	struct tfhttp *t = c->s->d[0].t;
	char msg[160];
	struct json j;

	json_init(&j);
	json_begin(&j, NULL);
	json_u64(&j, "offset", off);
	json_str(&j, "why", why);
	json_str(&j, "what", what);
	json_end(&j);
	if (json_error(&j) < 0)
		xnomem();
	filter_annot(&t->flt, c->fc.o.conn, dir, WS_SKIPKEY, j.p, j.len);
	json_release(&j);
	(void)snprintf(msg, sizeof(msg),
	    "websocket: %s: rest of the direction skipped", what);
	cwarn(t, c, dir, off, msg);
}

static void
ws_event(void *arg, enum ws_event ev, const char *name, const char *to, int err)
{
	struct hconn *c = arg;
	struct tfhttp *t = c->s->d[0].t;
	char path[PATHESC], path2[PATHESC];
	int e = errno;

	if (ev == WS_ETOOLONG) {
		if (filter_skip(&t->flt, FILTER_SKIP_LONG))
			warnx("connection %" PRIu64 ": websocket message file "
			      "name too long: skipped",
			    c->fc.o.conn);
	} else if (ev == WS_ERENAME) {
		warnx("cannot rename '%s' to '%s': %s",
		    epath(path, sizeof(path), t, name),
		    epath(path2, sizeof(path2), t, to), strerror(e));
		t->flt.status = 1;
	} else if (err == TF_ERR_EXISTS) {
		if (filter_skip(&t->flt, FILTER_SKIP_EXISTS))
			warnx("'%s' exists, not overwritten",
			    epath(path, sizeof(path), t, name));
	} else if (err == TF_ERR_MALFORMED) {
		if (filter_skip(&t->flt, FILTER_SKIP_UNSAFE))
			warnx("cannot create '%s': %s",
			    epath(path, sizeof(path), t, name),
			    outdir_unsafe(name));
	} else if (filter_skip(&t->flt, FILTER_SKIP_ERROR))
		warnx("cannot create '%s': %s",
		    epath(path, sizeof(path), t, name), strerror(e));
}

/*
 * A 101 response m of direction dir: its WebSocket extensions are kept
 * for the tunnel's directions to come (on_tunnel), and said in a
 * ws.deflate annotation when permessage-deflate was agreed.  Not in
 * files mode, where the client's bytes are read before the 101.
 */
static void
ws_upgrade(
    struct tfhttp *t, struct hconn *c, unsigned dir, const struct http_msg *m)
{
	struct ws_deflate pd;

	if (t->files || m->head == NULL)
		return;
	if (t->wo.message == NULL) {
		t->wo.od = t->bo.od;
		t->wo.digests = t->bo.digests;
		t->wo.maxmsg = t->bo.maxbody;
		t->wo.maxratio = t->bo.maxratio;
		t->wsmem.max = t->pool.max;
		t->wo.mem = &t->wsmem;
		t->wo.flow = ws_flow;
		t->wo.skip = ws_skip;
		t->wo.event = ws_event;
		t->wo.message = ws_message;
	}
	ws_extensions(m->head, m->headlen, &pd);
	if (pd.on) {
		/* What the 101 agreed, as the inflaters take it. */
		json_clear(&t->j);
		json_begin(&t->j, NULL);
		json_bool(&t->j, "client_no_context_takeover", pd.nct[0]);
		json_bool(&t->j, "server_no_context_takeover", pd.nct[1]);
		if (pd.bits[0] != 0)
			json_u64(&t->j, "client_max_window_bits", pd.bits[0]);
		if (pd.bits[1] != 0)
			json_u64(&t->j, "server_max_window_bits", pd.bits[1]);
		json_end(&t->j);
		if (json_error(&t->j) < 0)
			xnomem();
		filter_annot(&t->flt, c->fc.o.conn, dir, WS_DEFLATEKEY, t->j.p,
		    t->j.len);
	}
	if (c->s->ws != NULL) {
		ws_release(&c->s->ws->w);
		free(c->s->ws);
	}
	if ((c->s->ws = malloc(sizeof(*c->s->ws))) == NULL)
		xnomem();
	ws_init(&c->s->ws->w, &t->wo, c, &pd);
	c->s->ws->server = (int)dir;
}

/* -A: the header block goes to a file of its own, body or not. */
static void
on_begin(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct hdir *d = hdir_of(c, dir, m);
	int nomem;

	c->s->gap[dir] = 0;
	if (!m->isreq && m->status == 101)
		ws_upgrade(d->t, c, dir, m);
	free(d->head);
	d->head = NULL;
	if (!d->t->heads || m->head == NULL)
		return;
	d->head = body_head2(&d->t->bo, d, m->n, m->h2 ? m->stream : 0, m->head,
	    m->headlen, m->headcut != 0, m->ts, &nomem);
	d->headlen = m->headlen;
	if (nomem)
		xnomem();
}

/*
 * Makes the http.message annotation of m, whose body is b, in t->j;
 * head names its header file (-A), or is NULL.
 */
static void
message(struct tfhttp *t, const struct http_msg *m, struct body *b,
    int complete, const char *head, size_t headlen)
{
	struct httpmsg a;
	struct httpmsg_names nm;

	httpmsg_of(&a, m, b, t->od.prefix, complete, &nm);
	if (head != NULL) {
		(void)snprintf(
		    nm.head, sizeof(nm.head), "%s%s", t->od.prefix, head);
		a.header_file = httpmsg_s(nm.head);
		a.header_length = headlen;
		a.has |= HTTPMSG_HAS(header_length);
	}
	json_clear(&t->j);
	httpmsg_write(&a, &t->j);
	if (json_error(&t->j) < 0)
		xnomem();
}

/* The problems of incomplete bodies, for the summary. */
static const char *const problems[] = {"gap", "cut", "bad-chunk", "headers",
    "limit", "memory", "decode", "write", "reset", "goaway", "evicted",
    "other"};

#define NPROBLEMS (sizeof(problems) / sizeof(problems[0]))

/* The index in problems of why the body of m is not whole. */
static unsigned
problem(const struct http_msg *m, const struct body *b)
{
	const char *p = m->end != HTTP_END_COMPLETE ? http_end_name(m->end)
	    : b->problem != NULL                    ? b->problem
	                                            : "other";
	unsigned i;

	for (i = 0; i + 1 < NPROBLEMS; i++)
		if (strcmp(p, problems[i]) == 0)
			return i;
	return NPROBLEMS - 1;
}

/* Says how many bodies are not whole, and why, unless -q. */
static void
body_summary(const struct tfhttp *t)
{
	char line[256] = "";
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < NPROBLEMS; i++) {
		if (t->partial[i] == 0)
			continue;
		n += t->partial[i];
		xpart(line, sizeof(line), "%" PRIu64 " %s", t->partial[i],
		    problems[i]);
	}
	if (n > 0 && !t->quiet)
		warnx("%" PRIu64 " of %" PRIu64 " bod%s not whole: %s", n,
		    t->nbodies, t->nbodies == 1 ? "y" : "ies", line);
}

static void
pend_free(struct tfhttp *t, struct pend *p)
{
	if (p == NULL)
		return;
	*(p->prev != NULL ? &p->prev->next : &t->phead) = p->next;
	*(p->next != NULL ? &p->next->prev : &t->ptail) = p->prev;
	t->pbytes -= p->size;
	free(p);
}

static void pair_line(
    struct tfhttp *, struct hconn *, unsigned, const char *, const char *);

/*
 * -j: keeps the line of a request (len bytes at line) until its response
 * comes.  Past PENDING_MAX bytes of them, across connections, the
 * oldest are written alone, their responses to come alone too: counted.
 */
static struct pend *
pend_new(struct tfhttp *t, struct hconn *c, unsigned dir, const char *line,
    size_t len)
{
	struct pend *p, *o;

	if ((p = malloc(sizeof(*p) + len + 1)) == NULL)
		xnomem();
	p->t = t;
	p->c = c;
	p->dir = dir;
	p->size = sizeof(*p) + len + 1;
	memcpy(p->line, line, len);
	p->line[len] = '\0';
	p->next = NULL;
	p->prev = t->ptail;
	*(t->ptail != NULL ? &t->ptail->next : &t->phead) = p;
	t->ptail = p;
	t->pbytes += p->size;
	while (t->pbytes > PENDING_MAX && (o = t->phead) != p) {
		(void)http_conn_drop_user(&o->c->s->h, o);
		pair_line(t, o->c, o->dir, o->line, NULL);
		pend_free(t, o);
		t->pendcut++;
	}
	return p;
}

/*
 * -j: one line for a request and its response, either one NULL; the
 * client's direction is cd, the request's.
 */
static void
pair_line(struct tfhttp *t, struct hconn *c, unsigned cd, const char *req,
    const char *resp)
{
	const struct rec_open *o = &c->fc.o;
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
		json_str(&j, "orig_h",
		    addr_plain(a, o->family, cd ? o->dst : o->src));
		json_u64(&j, "orig_p", cd ? o->dport : o->sport);
		json_str(&j, "resp_h",
		    addr_plain(a, o->family, cd ? o->src : o->dst));
		json_u64(&j, "resp_p", cd ? o->sport : o->dport);
	}
	json_raw(&j, "request", req ? req : "null", strlen(req ? req : "null"));
	json_raw(
	    &j, "response", resp ? resp : "null", strlen(resp ? resp : "null"));
	json_end(&j);
	json_newline(&j);
	if (json_error(&j) < 0)
		xnomem();
	if (json_write(&j, stdout) < 0)
		jsonfail(t);
	json_release(&j);
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct hdir *d = hdir_of(c, dir, m);
	struct tfhttp *t = d->t;
	struct body none, *b = d->b;
	struct pend *pr;
	uint64_t num = m->n;
	int complete;

	/*
	 * The files of an HTTP/2 message, named by stream so far, are
	 * numbered in the order messages end in the direction (HTTP/1.x
	 * messages end in the order they begin: their n).
	 */
	if (m->h2)
		num = ++c->s->ended[dir];
	else if (m->n > c->s->ended[dir])
		c->s->ended[dir] = m->n;
	if (m->h2 && d->head != NULL &&
	    body_head_number(&t->bo, d, &d->head, m->stream, num,
	        m->headcut != 0) == TF_ERR_NOMEM)
		xnomem();
	if (b != NULL && m->h2)
		body_number(b, num);
	if (b != NULL)
		complete = body_end(b, m->end == HTTP_END_COMPLETE, m->ts);
	else {
		/* No byte of a body came. */
		memset(&none, 0, sizeof(none));
		b = &none;
		complete = m->end == HTTP_END_COMPLETE;
	}
	message(t, m, b, complete, d->head, d->headlen);
	free(d->head);
	d->head = NULL;
	if (m->headcut > HTTP_HCUT_NONE && m->headcut <= HTTP_HCUT_FIELDS)
		t->headcut[m->headcut]++;
	if (m->bodylen > 0 || m->end != HTTP_END_COMPLETE) {
		t->nbodies++;
		if (!complete)
			t->partial[problem(m, b)]++;
	}
	filter_annot(&t->flt, c->fc.o.conn, dir, HTTPMSG_KEY, t->j.p, t->j.len);
	if (t->json) {
		if (m->isreq)
			/* Waits in lib/http's queue for its response. */
			m->user = pend_new(t, c, dir, t->j.p, t->j.len);
		else if (http_status_final(m->status)) {
			pr = m->requser;
			pair_line(t, c, pr != NULL ? pr->dir : !dir,
			    pr != NULL ? pr->line : NULL, t->j.p);
			pend_free(t, pr);
		} else
			pend_free(t, m->requser);
	}
	if (d->b != NULL)
		body_release(d->b);
	free(d->b);
	d->b = NULL;
	if (d->h2) {
		free(d);
		m->slot = NULL;
	}
}

/* A request no response took: its line goes out alone (-j). */
static void
on_unpaired(void *arg, void *user)
{
	struct hconn *c = arg;
	struct pend *p = user;

	pair_line(p->t, c, p->dir, p->line, NULL);
	pend_free(p->t, p);
}

/*
 * A direction of a tunnel begins: an http.tunnel annotation says what it
 * carries and which request and response opened it.
 */
static void
on_tunnel(void *arg, unsigned dir, const struct http_tunnel *tu,
    const char *proto, uint64_t off)
{
	struct hconn *c = arg;
	struct tfhttp *t = c->s->d[0].t;
	struct json j;

	json_init(&j);
	json_begin(&j, NULL);
	json_str(&j, "protocol", proto);
	json_u64(&j, "offset", off);
	if (tu->reqn != 0)
		json_u64(&j, "request", tu->reqn);
	if (tu->method[0] != '\0')
		json_bytes(&j, "method", tu->method, strlen(tu->method));
	if (tu->target[0] != '\0')
		json_bytes(&j, "target", tu->target, strlen(tu->target));
	json_u64(&j, "response", tu->respn);
	json_u64(&j, "status", (uint64_t)tu->status);
	if (tu->upgrade[0] != '\0')
		json_bytes(&j, "upgrade", tu->upgrade, strlen(tu->upgrade));
	json_end(&j);
	if (json_error(&j) < 0)
		xnomem();
	filter_annot(&t->flt, c->fc.o.conn, dir, "http.tunnel", j.p, j.len);
	json_release(&j);
	if (c->s->ws != NULL && strcmp(proto, "websocket") == 0)
		ws_start(&c->s->ws->w, dir, (int)dir != c->s->ws->server, off,
		    c->s->gap[dir]);
}

/*
 * HTTP/2 (lib/h2.h): an http.h2 annotation says where a direction
 * starts speaking it and how it came to, or where its header table was
 * lost (counted for the summary).
 */
static void
on_h2(void *arg, unsigned dir, uint64_t off, const char *what, const char *via)
{
	struct hconn *c = arg;
	struct tfhttp *t = c->s->d[0].t;
	struct json j;

	if (strcmp(what, "hpack-lost") == 0)
		t->h2lost++;
	json_init(&j);
	json_begin(&j, NULL);
	json_str(&j, "event", what);
	json_str(&j, "via", via);
	json_u64(&j, "offset", off);
	json_end(&j);
	if (json_error(&j) < 0)
		xnomem();
	filter_annot(&t->flt, c->fc.o.conn, dir, "http.h2", j.p, j.len);
	json_release(&j);
}

static struct http_conn *state(struct tfhttp *, struct hconn *);

/* tf-tls says the connection negotiated HTTP/2 (ALPN "h2"). */
static void
on_annot(struct filter *f, struct filter_conn *fc, const struct rec_annot *a)
{
	if (fc != NULL && a->keylen == 8 &&
	    memcmp(a->key, "tls.alpn", 8) == 0 && a->valuelen == 2 &&
	    memcmp(a->value, "h2", 2) == 0 &&
	    http_conn_h2(state(f->arg, (struct hconn *)fc)) < 0)
		xnomem();
}

/*
 * Says once how many header blocks were cut, unless -q: their messages
 * were read past the cut only for the fields that frame and code the
 * body.
 */
static void
headcut_summary(const struct tfhttp *t)
{
	uint64_t n = t->headcut[HTTP_HCUT_BYTES] + t->headcut[HTTP_HCUT_FIELDS];
	char line[256] = "";

	if (n == 0 || t->quiet)
		return;
	if (t->headcut[HTTP_HCUT_BYTES] > 0)
		xpart(line, sizeof(line), "%" PRIu64 " over %zu bytes (-H)",
		    t->headcut[HTTP_HCUT_BYTES], t->lim.maxheader);
	if (t->headcut[HTTP_HCUT_FIELDS] > 0)
		xpart(line, sizeof(line), "%" PRIu64 " over %zu fields (-n)",
		    t->headcut[HTTP_HCUT_FIELDS], t->lim.maxfields);
	warnx("%" PRIu64 " header block%s cut, read past the cut only for the "
	      "fields that frame and code the body: %s",
	    n, xplural(n), line);
}

static void
on_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	struct hconn *c = arg;

	cwarn(c->s->d[0].t, c, dir, off, what);
}

/* Returns c's HTTP state, made at its first byte. */
static struct http_conn *
state(struct tfhttp *t, struct hconn *c)
{
	unsigned d;

	if (c->s != NULL)
		return &c->s->h;
	if ((c->s = calloc(1, sizeof(*c->s))) == NULL)
		xnomem();
	http_conn_init(&c->s->h, &t->lim, &t->cb, c);
	/* The side that sent the SYN is the client. */
	if (!t->files && (c->fc.o.flags & REC_OPEN_F_SYN))
		http_conn_client(&c->s->h, 0);
	for (d = 0; d < 2; d++) {
		c->s->d[d].t = t;
		c->s->d[d].c = c;
		c->s->d[d].dir = d;
	}
	return &c->s->h;
}

/* Ends the connection's messages and frees what it holds. */
static void
conn_finish(struct hconn *c)
{
	unsigned d;

	if (c->s == NULL)
		return;
	http_conn_finish(&c->s->h);
	if (c->s->ws != NULL) {
		ws_finish(&c->s->ws->w);
		ws_release(&c->s->ws->w);
		free(c->s->ws);
		c->s->ws = NULL;
	}
	for (d = 0; d < 2; d++) {
		if (c->s->d[d].b != NULL) {
			body_release(c->s->d[d].b);
			free(c->s->d[d].b);
			c->s->d[d].b = NULL;
		}
		free(c->s->d[d].head);
		c->s->d[d].head = NULL;
	}
	http_conn_release(&c->s->h);
	free(c->s);
	c->s = NULL;
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
on_data(struct filter *f, struct filter_conn *fc, const struct rec_data *d)
{
	struct hconn *c = (struct hconn *)fc;

	/* A layer (tf-tls -K: the ciphertext) is passed on, not read. */
	if (fc->o.flags & REC_OPEN_F_LAYER)
		return;
	if (http_conn_data(state(f->arg, c), d->dir, d->offset, d->ts, d->bytes,
	        d->len) < 0)
		xnomem();
	/* A WebSocket direction (ws_start(), from on_tunnel) reads on. */
	if (c->s->ws != NULL &&
	    ws_data(&c->s->ws->w, d->dir, d->offset, d->ts, d->bytes, d->len) <
	        0)
		xnomem();
}

static void
on_gap(struct filter *f, struct filter_conn *fc, const struct rec_gap *g)
{
	struct hconn *c = (struct hconn *)fc;

	if (fc->o.flags & REC_OPEN_F_LAYER)
		return;
	http_conn_gap(state(f->arg, c), g->dir, g->offset, g->len);
	c->s->gap[g->dir & 1] = 1;
	if (c->s->ws != NULL)
		ws_gap(&c->s->ws->w, g->dir, g->offset, g->len);
}

static void
on_close(struct filter *f, struct filter_conn *fc, const struct rec_close *cl,
    enum filter_why why)
{
	struct tfhttp *t = f->arg;

	/*
	 * When the stream was cut, or the run stopped by a signal, every
	 * message in progress is cut: that was said once, not per message.
	 * Their annotations still say "cut".
	 */
	t->hush = why == FILTER_CUT ||
	    (cl != NULL && cl->cause == REC_CLOSE_INTERRUPTED);
	conn_finish((struct hconn *)fc);
	t->hush = 0;
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
    .data = on_data,
    .gap = on_gap,
    .annot = on_annot,
    .close = on_close,
    .flush = on_flush,
};

struct feed {
	struct http_conn *h;
	unsigned dir;
};

static int
feed_data(void *arg, uint64_t off, int64_t ts, const uint8_t *p, size_t n)
{
	struct feed *fd = arg;

	return http_conn_data(fd->h, fd->dir, off, ts, p, n);
}

static void
feed_gap(void *arg, uint64_t off, uint64_t len)
{
	struct feed *fd = arg;

	http_conn_gap(fd->h, fd->dir, off, len);
}

/* Feeds the flow file path to direction dir of c. */
static void
feed_file(struct tfhttp *t, struct hconn *c, unsigned dir, const char *path)
{
	char esc[PATHESC];
	struct feed fe;
	int fd, e;

	fe.h = state(t, c);
	fe.dir = dir;
	if ((fd = open(path, O_RDONLY)) < 0) {
		e = errno;
		warnx("cannot open '%s': %s",
		    esc_str(esc, sizeof(esc), path, strlen(path)), strerror(e));
		t->flt.status = 1;
		return;
	}
	if ((e = flowfile_read(fd, feed_data, feed_gap, &fe)) == TF_ERR_NOMEM)
		xnomem();
	else if (e < 0) {
		e = errno;
		warnx("error reading '%s': %s",
		    esc_str(esc, sizeof(esc), path, strlen(path)), strerror(e));
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
		xnomem();
	for (i = 0; i < n; i++) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			xnomem();
		c->fc.o.conn = (uint64_t)i + 1;
		for (d = 0; d < 2; d++)
			if (pairs[i].dir[d] >= 0)
				c->flow[d] = basename_of(argv[pairs[i].dir[d]]);
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
 * tf-http [-AhjkqsV] [-C conns] [-F tTkmg] [-H bytes] [-m bytes]
 * [-n fields] [-o dir] [-R ratio] [-T template] [file ...]: -F and -T
 * are tf-split's, applied in command-line order.
 */
int
main(int argc, char *argv[])
{
	struct tfhttp t;
	int ch, status;

	memset(&t, 0, sizeof(t));
	filter_init(&t.flt, &ops, &t, argc, argv);
	t.digests = DIGEST_MD5 | DIGEST_SHA1;
	t.bo.maxbody = 1ULL << 30;
	t.bo.maxratio = 1000;
	t.bo.event = on_body_event;
	t.bo.flow = flow_name;
	t.bo.pool = &t.pool;
	t.tails.max = BODY_TAILS_MAX;
	t.bo.tails = &t.tails;
	hdec_pool_init(&t.pool, DECODER_MEMORY);
	t.pool.evict = on_evict;
	t.lim.maxheader = 64 << 10;
	t.lim.maxfields = 256;
	t.cb.begin = on_begin;
	t.cb.body = on_body;
	t.cb.end = on_end;
	t.cb.warn = on_warn;
	t.cb.unpaired = on_unpaired;
	t.cb.tunnel = on_tunnel;
	t.cb.h2 = on_h2;
	json_init(&t.j);
	if (tmpl_init(&t.t) < 0)
		xnomem();
	while ((ch = xgetopt(&prog, argc, argv, "AC:F:H:jkM:m:n:o:qR:sT:w:")) !=
	    -1) {
		switch (ch) {
		case 'A':
			t.heads = 1;
			break;
		case 'C':
			t.flt.maxconns = filter_conns_arg(optarg);
			break;
		case 'F':
		case 'T':
			xtmpl_option(&prog, &t.t, ch, optarg);
			break;
		case 'H':
			t.lim.maxheader =
			    (size_t)xstrtonum(optarg, 64, 64 << 20, 1, "-H");
			break;
		case 'j':
			t.json = 1;
			break;
		case 'k':
			t.bo.keep = 1;
			break;
		case 'M':
			t.pool.max =
			    xstrtonum(optarg, 1 << 20, UINT64_MAX / 2, 1, "-M");
			break;
		case 'm':
			t.bo.maxbody =
			    xstrtonum(optarg, 0, UINT64_MAX / 2, 1, "-m");
			break;
		case 'n':
			t.lim.maxfields =
			    (size_t)xstrtonum(optarg, 1, 1 << 20, 0, "-n");
			break;
		case 'o':
			t.dir = optarg;
			break;
		case 'q':
			t.quiet = 1;
			break;
		case 'R':
			t.bo.maxratio =
			    xstrtonum(optarg, 0, UINT32_MAX, 0, "-R");
			break;
		case 's':
			t.digests |= DIGEST_SHA256;
			break;
		case 'w':
			t.bo.zstdwlog =
			    (unsigned)xstrtonum(optarg, 10, 31, 0, "-w");
			break;
		}
	}
	argc -= optind;
	argv += optind;
	xtmpl_finish(&prog, &t.t);
	t.files = argc > 0;
	t.flt.nopasson = t.json;
	if (t.files) {
		run_files(&t, argc, argv);
		filter_summary(&t.flt);
		status = t.flt.status;
	} else
		status = filter_run(&t.flt, STDIN_FILENO);
	body_summary(&t);
	headcut_summary(&t);
	if (t.h2lost > 0 && !t.quiet)
		warnx("%" PRIu64 " HTTP/2 connection%s lost a header table: "
		      "header blocks that use it were not decoded",
		    t.h2lost, xplural(t.h2lost));
	if (t.pendcut > 0 && !t.quiet)
		warnx("%" PRIu64 " request%s written before %s response: more "
		      "than %zu MiB of requests awaited one",
		    t.pendcut, xplural(t.pendcut),
		    t.pendcut == 1 ? "its" : "their", PENDING_MAX >> 20);
	if (getenv("TF_DEBUG_DECODERS") != NULL)
		warnx("decoders: made %" PRIu64 " reused %" PRIu64
		      " evicted %" PRIu64 " refused %" PRIu64 " peak %" PRIu64
		      " bytes",
		    t.pool.made, t.pool.reused, t.pool.evicted, t.pool.refused,
		    t.pool.peak);
	filter_release(&t.flt);
	hdec_pool_release(&t.pool);
	tmpl_release(&t.t);
	json_release(&t.j);
	if (t.json && !t.jsonfail &&
	    (fflush(stdout) == EOF || ferror(stdout))) {
		jsonfail(&t);
		status = 1;
	}
	return status | t.flt.status;
}
