/*
 * tf-http: finds the HTTP/1.x messages in every connection of the stream
 * on standard input (or in flow files named the tcpflow way), writes
 * their bodies, decoded, to files, and passes the stream on with one
 * annotation per message; with -j, one JSON line per request and
 * response pair instead.
 */
#define _GNU_SOURCE	/* SEEK_DATA, SEEK_HOLE (lseek(2)) */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "hdec.h"
#include "http.h"
#include "digest.h"
#include "outdir.h"
#include "rec.h"
#include "tferr.h"
#include "tmpl.h"
#include "xutil.h"

#define NAMELEN		4096
#define MSGKEY		"http.message"
#define PARTIAL		"-PARTIAL"
/* Longest body name: room is left for PARTIAL and a -k suffix. */
#define NAMEMAX		(NAMELEN - sizeof(PARTIAL) - 9)
#define MAXFDS		64
#define READLEN		(256u << 10)

/* The body of the message in progress in one direction. */
struct body {
	struct tfhttp	*t;
	struct hconn	*c;
	unsigned	 dir;
	int		 active;
	struct hdec	 dec;
	int		 decode;	/* dec is set up */
	int		 undecoded;	/* unknown coding: written as sent */
	struct outdir_file *f;		/* decoded body */
	struct outdir_file *raw;	/* -k: as sent */
	char		*name;		/* of f, relative; NAMELEN, owned */
	char		*rawname;	/* NAMELEN, owned */
	uint64_t	 written;
	int		 nofile;	/* creating the file failed */
	int		 toolong;	/* the name did not fit in NAMEMAX */
	const char	*problem;	/* why the body is not all there */
	struct digest	 dg;		/* of the decoded body */
};

/* A request's summary, waiting for its response (-j). */
struct pending {
	struct pending	*next;
	uint64_t	 n;
	char		*json;		/* owned */
};

struct hconn {
	struct hconn	*next;		/* hash chain */
	struct rec_open	 o;
	int		 orphan;
	struct http_conn h;
	struct body	 b[2];
	struct pending	*pend;		/* -j: oldest first */
	struct pending	**pendtail;
	char		*flow[2];	/* files mode: names; owned */
};

struct tfhttp {
	struct outdir	 od;
	int		 odinit;
	struct tmpl	 t;
	struct rec_writer w;
	int		 passon;
	int		 json;
	int		 argc;		/* for http.command */
	char		**argv;
	unsigned	 digests;	/* DIGEST_*: of bodies, when passing on */
	int		 cmdpending;	/* a header passed, cmdline not yet */
	int		 keep;
	int		 quiet;
	int		 files;		/* reading flow files */
	uint64_t	 maxbody;
	uint64_t	 maxratio;
	struct http_limits lim;
	struct http_cb	 cb;
	int		 status;
	struct hconn	**tab;
	size_t		 nbuckets;
	size_t		 nconn;
};

struct jbuf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

static void
usage(void)
{
	fprintf(stderr, "usage: tf-http [-jkqs] [-F tTkmg] [-H bytes] "
	    "[-m bytes] [-n fields] [-o dir] [-R ratio] [-T template] "
	    "[file ...]\n");
	exit(2);
}

static void
nomem(void)
{
	errx(1, "out of memory");
}

static void
jb_add(struct jbuf *j, const char *s, size_t n)
{
	size_t cap;

	if (n > SIZE_MAX / 2 - j->len)
		nomem();
	if (j->len + n + 1 > j->cap) {
		cap = j->cap ? j->cap : 256;
		while (cap < j->len + n + 1)
			cap *= 2;
		if ((j->p = realloc(j->p, cap)) == NULL)
			nomem();
		j->cap = cap;
	}
	memcpy(j->p + j->len, s, n);
	j->len += n;
	j->p[j->len] = '\0';
}

static void
jb_puts(struct jbuf *j, const char *s)
{
	jb_add(j, s, strlen(s));
}

/* Appends ,"key": or "key": and a JSON string for s. */
static void
jb_str(struct jbuf *j, const char *key, const char *s)
{
	char esc[8];
	const unsigned char *p;

	jb_puts(j, j->len > 0 && j->p[j->len - 1] != '{' ? ",\"" : "\"");
	jb_puts(j, key);
	jb_puts(j, "\":\"");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			jb_add(j, esc, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* Bytes, not text: each one as its own code point. */
			(void)snprintf(esc, sizeof(esc), "\\u%04x", *p);
			jb_add(j, esc, 6);
		} else
			jb_add(j, (const char *)p, 1);
	}
	jb_puts(j, "\"");
}

/* A file's path as the user would type it: the -o prefix and the name. */
static void
jb_path(struct jbuf *j, const char *key, const char *prefix,
    const char *name)
{
	char path[2 * NAMELEN];

	(void)snprintf(path, sizeof(path), "%s%s", prefix, name);
	jb_str(j, key, path);
}

static void
jb_raw(struct jbuf *j, const char *key, const char *val)
{
	jb_puts(j, j->len > 0 && j->p[j->len - 1] != '{' ? ",\"" : "\"");
	jb_puts(j, key);
	jb_puts(j, "\":");
	jb_puts(j, val);
}

static void
jb_num(struct jbuf *j, const char *key, int64_t v)
{
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%" PRId64, v);
	jb_raw(j, key, buf);
}

/* A small MIME table: the extension tcpflow's table gives these types. */
static const struct {
	const char	*type;
	const char	*ext;
} mimes[] = {
	{ "text/html", "html" },
	{ "text/plain", "txt" },
	{ "text/css", "css" },
	{ "text/csv", "csv" },
	{ "text/xml", "xml" },
	{ "text/javascript", "js" },
	{ "application/javascript", "js" },
	{ "application/x-javascript", "js" },
	{ "application/json", "json" },
	{ "application/xml", "xml" },
	{ "application/xhtml+xml", "xhtml" },
	{ "application/pdf", "pdf" },
	{ "application/zip", "zip" },
	{ "application/gzip", "gz" },
	{ "application/x-gzip", "gz" },
	{ "application/x-tar", "tar" },
	{ "application/wasm", "wasm" },
	{ "application/x-www-form-urlencoded", "txt" },
	{ "image/png", "png" },
	{ "image/jpeg", "jpg" },
	{ "image/gif", "gif" },
	{ "image/svg+xml", "svg" },
	{ "image/webp", "webp" },
	{ "image/x-icon", "ico" },
	{ "image/vnd.microsoft.icon", "ico" },
	{ "audio/mpeg", "mp3" },
	{ "video/mp4", "mp4" },
	{ "font/woff", "woff" },
	{ "font/woff2", "woff2" },
};

/* Returns ".ext" for a Content-Type value, or "". */
static const char *
mime_ext(const char *ctype, char *buf, size_t size)
{
	char low[HTTP_FIELDLEN];
	size_t i, n;

	for (n = 0; ctype[n] != '\0' && ctype[n] != ';' && ctype[n] != ' ' &&
	    n < sizeof(low) - 1; n++)
		low[n] = (ctype[n] >= 'A' && ctype[n] <= 'Z') ?
		    (char)(ctype[n] + 'a' - 'A') : ctype[n];
	low[n] = '\0';
	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (strcmp(low, mimes[i].type) == 0) {
			(void)snprintf(buf, size, ".%s", mimes[i].ext);
			return buf;
		}
	return "";
}

static size_t
hashid(uint64_t id, size_t nbuckets)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (nbuckets - 1);
}

static struct hconn *
conn_find(struct tfhttp *t, uint64_t id)
{
	struct hconn *c;

	for (c = t->tab[hashid(id, t->nbuckets)]; c != NULL; c = c->next)
		if (c->o.conn == id)
			return c;
	return NULL;
}

static struct hconn *
conn_add(struct tfhttp *t, uint64_t id)
{
	struct hconn **tab, *c, *next;
	size_t n, i, b;
	unsigned d;

	if (t->nconn >= t->nbuckets) {
		n = t->nbuckets * 2;
		if ((tab = calloc(n, sizeof(*tab))) == NULL)
			nomem();
		for (i = 0; i < t->nbuckets; i++)
			for (c = t->tab[i]; c != NULL; c = next) {
				next = c->next;
				b = hashid(c->o.conn, n);
				c->next = tab[b];
				tab[b] = c;
			}
		free(t->tab);
		t->tab = tab;
		t->nbuckets = n;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		nomem();
	c->o.conn = id;
	http_conn_init(&c->h, &t->lim, &t->cb, c);
	for (d = 0; d < 2; d++) {
		c->b[d].t = t;
		c->b[d].c = c;
		c->b[d].dir = d;
	}
	c->pendtail = &c->pend;
	b = hashid(id, t->nbuckets);
	c->next = t->tab[b];
	t->tab[b] = c;
	t->nconn++;
	return c;
}

static void
outfail(struct tfhttp *t)
{
	warn("error writing standard output");
	t->passon = 0;
	t->json = 0;
	t->status = 1;
	t->w.len = 0;
}

static void
on_error(void *arg, const struct outdir_file *f, enum outdir_event ev,
    int errnum, uint64_t n)
{
	struct tfhttp *t = arg;

	t->status = 1;
	xoutdir_warn(f, ev, errnum, n);
}

static int
before_read(void *arg)
{
	struct tfhttp *t = arg;

	(void)outdir_flush(&t->od);
	if (t->passon && rec_writer_flush(&t->w) < 0)
		outfail(t);
	if (t->json && fflush(stdout) == EOF)
		outfail(t);
	return 0;
}

/* The flow name of direction dir of c. */
static int
flow_name(struct tfhttp *t, struct hconn *c, unsigned dir, char *buf,
    size_t size)
{
	if (t->files) {
		if (c->flow[dir] == NULL)
			return -1;
		if ((size_t)snprintf(buf, size, "%s", c->flow[dir]) >= size)
			return -1;
		return 0;
	}
	return tmpl_expand(&t->t, &c->o, dir, buf, size);
}

static void
cwarn(struct tfhttp *t, struct hconn *c, unsigned dir, uint64_t off,
    const char *what)
{
	if (t->quiet)
		return;
	if (t->files)
		warnx("'%s' at byte %" PRIu64 ": %s", c->flow[dir] ?
		    c->flow[dir] : "", off, what);
	else
		warnx("connection %" PRIu64 " direction %u at byte %" PRIu64
		    ": %s", c->o.conn, dir, off, what);
}

/* Creates a body file; returns NULL (and warns) when it cannot. */
static struct outdir_file *
body_create(struct tfhttp *t, const char *name)
{
	struct outdir_file *f;
	int e;

	switch (e = outdir_create(&t->od, name, &f)) {
	case 0:
		return f;
	case TF_ERR_EXISTS:
		warnx("'%s%s' exists, not overwritten", t->od.prefix, name);
		break;
	case TF_ERR_MALFORMED:
		warnx("cannot create '%s%s': %s", t->od.prefix, name,
		    outdir_unsafe(name));
		break;
	case TF_ERR_NOMEM:
		nomem();
		break;
	default:
		warnx("cannot create '%s%s': %s", t->od.prefix, name,
		    strerror(errno));
		break;
	}
	t->status = 1;
	return NULL;
}

static void
body_names(struct body *b, const struct http_msg *m)
{
	char flow[NAMELEN], ext[32];
	int n;

	b->name[0] = b->rawname[0] = '\0';
	b->toolong = 0;
	if (b->t->files && b->c->flow[b->dir] == NULL) {
		b->nofile = 1;
		return;
	}
	/* Said when the first byte comes: a bodiless message needs no name. */
	b->toolong = 1;
	if (flow_name(b->t, b->c, b->dir, flow, sizeof(flow)) < 0)
		return;
	n = snprintf(b->name, NAMELEN, "%s-HTTPBODY-%03" PRIu64 "%s",
	    flow, m->n, mime_ext(m->ctype, ext, sizeof(ext)));
	if (n < 0 || (size_t)n > NAMEMAX) {
		b->name[0] = '\0';
		return;
	}
	b->toolong = 0;
	if (b->decode && b->dec.n > 0)
		(void)snprintf(b->rawname, NAMELEN, "%s%s",
		    b->name, hdec_suffix(&b->dec));
}

/* Decoded bytes of the body: to its file, created on the first one. */
static void
sink(void *arg, const uint8_t *p, size_t n)
{
	struct body *b = arg;

	if (b->nofile || b->t->odinit == 0)
		goto out;
	if (b->toolong) {
		if (b->t->files)
			warnx("'%s': message %" PRIu64 ": body file name longer "
			    "than %d bytes: skipped", b->c->flow[b->dir],
			    b->c->h.d[b->dir].m->n, (int)NAMEMAX);
		else
			warnx("connection %" PRIu64 " direction %u: message %"
			    PRIu64 ": body file name longer than %d bytes: "
			    "skipped", b->c->o.conn, b->dir,
			    b->c->h.d[b->dir].m->n, (int)NAMEMAX);
		b->t->status = 1;
		b->nofile = 1;
		goto out;
	}
	if (b->f == NULL && (b->f = body_create(b->t, b->name)) == NULL) {
		b->nofile = 1;
		goto out;
	}
	(void)outdir_write(&b->t->od, b->f, b->written, p, n);
	if (digest_update(&b->dg, p, n) < 0)
		errx(1, "digest failed");
out:
	b->written += n;
}

static void
on_begin(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct body *b = &c->b[dir];
	int e;

	if (b->name == NULL && ((b->name = malloc(NAMELEN)) == NULL ||
	    (b->rawname = malloc(NAMELEN)) == NULL))
		nomem();
	b->active = 1;
	b->decode = 0;
	b->undecoded = 0;
	b->f = b->raw = NULL;
	b->written = 0;
	b->nofile = 0;
	b->problem = NULL;
	if ((e = digest_init(&b->dg, b->t->passon ? b->t->digests : 0)) < 0) {
		if (e == TF_ERR_NOMEM)
			nomem();
		errx(1, "cannot start the body digests");
	}
	e = hdec_init(&b->dec, m->cenc, b->t->maxbody, b->t->maxratio, sink,
	    b);
	if (e == 0)
		b->decode = 1;
	else {
		hdec_release(&b->dec);
		b->undecoded = 1;
		(void)hdec_init(&b->dec, NULL, b->t->maxbody, 0, sink, b);
		b->decode = 1;
	}
	body_names(b, m);
	if (b->undecoded) {
		char what[HTTP_FIELDLEN + 64];

		(void)snprintf(what, sizeof(what), "message %" PRIu64 ": "
		    "content coding '%s' not decoded: body written as sent",
		    m->n, m->cenc);
		cwarn(b->t, c, dir, m->offset, what);
	}
}

static void
on_body(void *arg, unsigned dir, struct http_msg *m, const uint8_t *p,
    size_t n)
{
	struct hconn *c = arg;
	struct body *b = &c->b[dir];
	char what[128];
	int e;

	if (b->t->keep && b->rawname[0] != '\0' && b->t->odinit &&
	    (b->raw != NULL || (b->raw = body_create(b->t, b->rawname)) !=
	    NULL))
		(void)outdir_write(&b->t->od, b->raw, m->bodylen - n, p, n);
	if (b->dec.err != 0)
		return;
	if ((e = hdec_write(&b->dec, p, n)) < 0) {
		b->problem = e == TF_ERR_LIMIT ? "limit" : "decode";
		(void)snprintf(what, sizeof(what), "message %" PRIu64 ": %s: "
		    "body truncated at %" PRIu64 " bytes", m->n, b->dec.why,
		    b->dec.out);
		cwarn(b->t, c, dir, m->bodyoff + m->bodylen - n, what);
	}
}

/* Renames a body file that is not all there: NAME-PARTIAL[.ext]. */
static void
mark_partial(struct tfhttp *t, char *name, size_t size)
{
	char nn[NAMELEN], *base, *dot;
	size_t k;

	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	/* The suffix goes before the first '.' after "-HTTPBODY-NNN". */
	dot = strstr(base, "-HTTPBODY-");
	dot = dot ? strchr(dot, '.') : NULL;
	k = dot ? (size_t)(dot - name) : strlen(name);
	if ((size_t)snprintf(nn, sizeof(nn), "%.*s%s%s", (int)k, name,
	    PARTIAL, dot ? dot : "") >= size)
		return;
	if (outdir_rename(&t->od, name, nn) < 0) {
		warn("cannot rename '%s%s' to '%s%s'", t->od.prefix, name,
		    t->od.prefix, nn);
		t->status = 1;
		return;
	}
	(void)snprintf(name, size, "%s", nn);
}

static void
pair_line(struct tfhttp *t, struct hconn *c, const char *req,
    const char *resp)
{
	struct jbuf j = { NULL, 0, 0 };
	char a[ADDR_STRLEN];
	unsigned cd = c->h.reqdir == 1 ? 1 : 0;

	jb_puts(&j, "{");
	if (t->files) {
		jb_str(&j, "client_flow", c->flow[cd] ? c->flow[cd] : "");
		jb_str(&j, "server_flow", c->flow[!cd] ? c->flow[!cd] : "");
	} else {
		jb_num(&j, "conn", (int64_t)c->o.conn);
		jb_str(&j, "orig_h", addr_plain(a, c->o.family,
		    cd ? c->o.dst : c->o.src));
		jb_num(&j, "orig_p", cd ? c->o.dport : c->o.sport);
		jb_str(&j, "resp_h", addr_plain(a, c->o.family,
		    cd ? c->o.src : c->o.dst));
		jb_num(&j, "resp_p", cd ? c->o.sport : c->o.dport);
	}
	jb_raw(&j, "request", req ? req : "null");
	jb_raw(&j, "response", resp ? resp : "null");
	jb_puts(&j, "}\n");
	if (fwrite(j.p, 1, j.len, stdout) != j.len)
		outfail(t);
	free(j.p);
}

static void
on_end(void *arg, unsigned dir, struct http_msg *m)
{
	struct hconn *c = arg;
	struct body *b = &c->b[dir];
	struct tfhttp *t = b->t;
	struct jbuf j = { NULL, 0, 0 };
	struct pending *p;
	char what[128], hex[DIGEST_NALGS][DIGEST_HEXLEN];
	unsigned i;
	int e, complete, hadf, hadraw;

	if (b->decode && m->end == HTTP_END_COMPLETE && m->bodylen > 0 &&
	    b->dec.err == 0 && (e = hdec_finish(&b->dec)) < 0) {
		b->problem = "decode";
		(void)snprintf(what, sizeof(what), "message %" PRIu64 ": %s",
		    m->n, b->dec.why);
		cwarn(t, c, dir, m->bodyoff, what);
	}
	/* A body file that could not be written whole is not complete. */
	hadf = b->f != NULL;
	hadraw = b->raw != NULL;
	if (hadf && outdir_close(&t->od, b->f, m->ts) < 0 &&
	    b->problem == NULL)
		b->problem = "write";
	complete = m->end == HTTP_END_COMPLETE && b->problem == NULL;
	if (hadf && !complete)
		mark_partial(t, b->name, NAMELEN);
	if (hadraw) {
		(void)outdir_close(&t->od, b->raw, m->ts);
		if (m->end != HTTP_END_COMPLETE)
			mark_partial(t, b->rawname, NAMELEN);
	}

	jb_puts(&j, "{");
	jb_str(&j, "dir", m->isreq ? "request" : "response");
	jb_num(&j, "n", (int64_t)m->n);
	if (m->isreq) {
		jb_str(&j, "method", m->method);
		jb_str(&j, "uri", m->uri);
		jb_str(&j, "host", m->host);
	} else {
		jb_num(&j, "status", m->status);
		jb_str(&j, "reason", m->reason);
		if (m->reqn != 0) {
			jb_num(&j, "request", (int64_t)m->reqn);
			jb_str(&j, "method", m->method);
		}
	}
	jb_str(&j, "version", m->minor ? "1.1" : "1.0");
	if (m->ctype[0] != '\0')
		jb_str(&j, "content_type", m->ctype);
	if (m->clen >= 0)
		jb_num(&j, "content_length", m->clen);
	if (m->tenc[0] != '\0')
		jb_str(&j, "transfer_encoding", m->tenc);
	if (m->cenc[0] != '\0')
		jb_str(&j, "content_encoding", m->cenc);
	jb_num(&j, "offset", (int64_t)m->offset);
	if (m->bodyoff != UINT64_MAX)
		jb_num(&j, "body_offset", (int64_t)m->bodyoff);
	jb_num(&j, "body_length", (int64_t)m->bodylen);
	if (hadf) {
		jb_path(&j, "file", t->od.prefix, b->name);
		jb_num(&j, "length", (int64_t)b->written);
		if (digest_final(&b->dg, hex) < 0)
			errx(1, "digest failed");
		for (i = 0; i < DIGEST_NALGS; i++)
			if (hex[i][0] != '\0')
				jb_str(&j, digest_name(i), hex[i]);
	}
	if (hadraw)
		jb_path(&j, "file_sent", t->od.prefix, b->rawname);
	jb_raw(&j, "complete", complete ? "true" : "false");
	if (m->end != HTTP_END_COMPLETE)
		jb_str(&j, "problem", http_end_name(m->end));
	else if (b->problem != NULL)
		jb_str(&j, "problem", b->problem);
	if (b->undecoded)
		jb_raw(&j, "decoded", "false");
	if (m->truncated)
		jb_raw(&j, "fields_truncated", "true");
	jb_puts(&j, "}");

	if (t->passon && rec_write_annot(&t->w, c->o.conn, (uint8_t)dir,
	    MSGKEY, j.p, j.len) < 0)
		outfail(t);
	if (t->json) {
		if (m->isreq) {
			if ((p = calloc(1, sizeof(*p))) == NULL)
				nomem();
			p->n = m->n;
			p->json = j.p;
			j.p = NULL;
			*c->pendtail = p;
			c->pendtail = &p->next;
		} else if (m->status >= 200 || m->status < 100) {
			/* Requests never answered go out first. */
			while ((p = c->pend) != NULL && m->reqn != 0 &&
			    p->n < m->reqn) {
				pair_line(t, c, p->json, NULL);
				c->pend = p->next;
				free(p->json);
				free(p);
			}
			p = c->pend;
			if (p != NULL && p->n == m->reqn) {
				pair_line(t, c, p->json, j.p);
				c->pend = p->next;
				free(p->json);
				free(p);
			} else
				pair_line(t, c, NULL, j.p);
			if (c->pend == NULL)
				c->pendtail = &c->pend;
		}
	}
	free(j.p);
	hdec_release(&b->dec);
	digest_release(&b->dg);
	b->active = 0;
	b->f = b->raw = NULL;
	free(b->name);
	free(b->rawname);
	b->name = b->rawname = NULL;
}

static void
on_warn(void *arg, unsigned dir, uint64_t off, const char *what)
{
	struct hconn *c = arg;

	cwarn(c->b[0].t, c, dir, off, what);
}

/* Ends the connection's messages and frees it. */
static void
conn_finish(struct tfhttp *t, struct hconn *c)
{
	struct hconn **pp;
	struct pending *p;
	unsigned d;

	http_conn_finish(&c->h);
	for (d = 0; d < 2; d++)
		if (c->b[d].active) {
			if (c->b[d].f != NULL)
				(void)outdir_close(&t->od, c->b[d].f, 0);
			if (c->b[d].raw != NULL)
				(void)outdir_close(&t->od, c->b[d].raw, 0);
			hdec_release(&c->b[d].dec);
			digest_release(&c->b[d].dg);
		}
	for (d = 0; d < 2; d++) {
		free(c->b[d].name);
		free(c->b[d].rawname);
		free(c->flow[d]);
	}
	http_conn_release(&c->h);
	while ((p = c->pend) != NULL) {
		if (t->json)
			pair_line(t, c, p->json, NULL);
		c->pend = p->next;
		free(p->json);
		free(p);
	}
	for (pp = &t->tab[hashid(c->o.conn, t->nbuckets)]; *pp != c;
	    pp = &(*pp)->next)
		continue;
	*pp = c->next;
	t->nconn--;
	free(c);
}

static struct hconn *
conn_data(struct tfhttp *t, uint64_t id)
{
	struct hconn *c;

	if ((c = conn_find(t, id)) == NULL) {
		c = conn_add(t, id);
		c->orphan = 1;
		warnx("connection %" PRIu64 " has no open record: its data "
		    "skipped", id);
		t->status = 1;
	}
	return c->orphan ? NULL : c;
}

static void
on_record(struct tfhttp *t, const struct rec *rec)
{
	const struct rec_data *d;
	struct hconn *c;
	size_t i;

	if (t->passon && xcommand_annot(&t->w, &t->cmdpending, rec,
	    "http.command", t->argc, t->argv) < 0)
		outfail(t);
	switch (rec->kind) {
	case REC_OPEN:
		if ((c = conn_find(t, rec->u.open.conn)) == NULL)
			c = conn_add(t, rec->u.open.conn);
		else if (!c->orphan) {
			warnx("connection %" PRIu64 " opened twice: second "
			    "open record ignored", c->o.conn);
			t->status = 1;
			break;
		}
		c->o = rec->u.open;
		c->orphan = 0;
		break;
	case REC_DATA:
		d = &rec->u.data;
		if (d->dir > 1)
			break;
		if ((c = conn_data(t, d->conn)) != NULL &&
		    http_conn_data(&c->h, d->dir, d->offset, d->ts, d->bytes,
		    d->len) < 0)
			nomem();
		break;
	case REC_GAP:
		if (rec->u.gap.dir > 1)
			break;
		if ((c = conn_data(t, rec->u.gap.conn)) != NULL)
			http_conn_gap(&c->h, rec->u.gap.dir, rec->u.gap.offset,
			    rec->u.gap.len);
		break;
	case REC_CLOSE:
		if ((c = conn_find(t, rec->u.close.conn)) != NULL)
			conn_finish(t, c);
		break;
	case REC_END:
		/* Annotations come before the end of the stream. */
		for (i = 0; i < t->nbuckets; i++)
			while (t->tab[i] != NULL)
				conn_finish(t, t->tab[i]);
		break;
	}
	if (t->passon && rec_write_raw(&t->w, rec->raw, rec->len) < 0)
		outfail(t);
	if (rec->kind == REC_HEADER)
		t->cmdpending = 1;
}

static int
is_devnull(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && S_ISCHR(a.st_mode) &&
	    stat("/dev/null", &b) == 0 && S_ISCHR(b.st_mode) &&
	    a.st_rdev == b.st_rdev;
}

/*
 * Splits a tcpflow flow name "A.a-B.b[suffix]" (the last path component)
 * into its source and destination "A.a" and "B.b" and the suffix.
 * Returns 0, or -1 if it is not one.
 */
static int
flow_parse(const char *path, char *src, char *dst, char *suffix,
    size_t size)
{
	const char *base = strrchr(path, '/'), *p, *dash;
	size_t n;

	base = base ? base + 1 : path;
	/* A port is a '.' and 5 digits; the dash follows the first. */
	for (p = base; (p = strchr(p, '-')) != NULL; p++) {
		if (p - base < 7 || p[-6] != '.' ||
		    strspn(p - 5, "0123456789") < 5)
			continue;
		dash = p;
		n = (size_t)(dash - base);
		if (n >= size)
			return -1;
		memcpy(src, base, n);
		src[n] = '\0';
		p = dash + 1;
		while (*p != '\0' && !(*p == '.' &&
		    strspn(p + 1, "0123456789") == 5))
			p++;
		if (*p == '\0')
			return -1;
		n = (size_t)(p + 6 - (dash + 1));
		if (n >= size || strlen(p + 6) >= size)
			return -1;
		memcpy(dst, dash + 1, n);
		dst[n] = '\0';
		(void)snprintf(suffix, size, "%s", p + 6);
		return 0;
	}
	return -1;
}

/* Feeds one flow file to direction dir of c. */
static void
feed_file(struct tfhttp *t, struct hconn *c, unsigned dir, const char *path)
{
	uint8_t *buf;
	struct stat st;
	uint64_t off = 0;
	off_t end;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		warn("cannot open '%s'", path);
		t->status = 1;
		return;
	}
	if (fstat(fd, &st) < 0)
		memset(&st, 0, sizeof(st));
	if ((buf = malloc(READLEN)) == NULL)
		nomem();
	n = 0;
	while (off < (uint64_t)st.st_size) {
		/* A hole of a sparse file is a gap: tf-split writes gaps so. */
		if ((end = lseek(fd, (off_t)off, SEEK_DATA)) < 0)
			end = errno == ENXIO ? st.st_size : (off_t)off;
		if ((uint64_t)end > off) {
			http_conn_gap(&c->h, dir, off, (uint64_t)end - off);
			off = (uint64_t)end;
			continue;
		}
		if ((end = lseek(fd, (off_t)off, SEEK_HOLE)) < 0 ||
		    (uint64_t)end <= off)
			end = st.st_size;
		if (lseek(fd, (off_t)off, SEEK_SET) < 0)
			break;
		while (off < (uint64_t)end && (n = read(fd, buf,
		    (uint64_t)end - off < READLEN ? (size_t)((uint64_t)end -
		    off) : READLEN)) > 0) {
			if (http_conn_data(&c->h, dir, off,
			    (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec, buf, (size_t)n) < 0)
				nomem();
			off += (uint64_t)n;
		}
		if (n <= 0)
			break;
	}
	if (n < 0) {
		warn("error reading '%s'", path);
		t->status = 1;
	}
	free(buf);
	(void)close(fd);
}

/*
 * Files mode: each file is one direction of a connection, named the
 * tcpflow way; the two directions of a connection are paired by name.
 * The request direction goes first, so that the responses find their
 * requests.  Bodies are named after the files, in the output directory.
 */
static void
run_files(struct tfhttp *t, int argc, char *argv[])
{
	char s1[NAMELEN], d1[NAMELEN], x1[NAMELEN];
	char s2[NAMELEN], d2[NAMELEN], x2[NAMELEN];
	const char *base;
	unsigned char *used;
	struct hconn *c;
	int i, k, mate, first;
	uint64_t id = 0;

	if ((used = calloc((size_t)argc, 1)) == NULL)
		nomem();
	for (i = 0; i < argc; i++) {
		if (used[i])
			continue;
		used[i] = 1;
		mate = -1;
		if (flow_parse(argv[i], s1, d1, x1, NAMELEN) == 0)
			for (k = i + 1; k < argc; k++)
				if (!used[k] && flow_parse(argv[k], s2, d2, x2,
				    NAMELEN) == 0 && strcmp(s1, d2) == 0 &&
				    strcmp(d1, s2) == 0 && strcmp(x1, x2) == 0) {
					mate = k;
					used[k] = 1;
					break;
				}
		c = conn_add(t, ++id);
		base = strrchr(argv[i], '/');
		if ((c->flow[0] = strdup(base ? base + 1 : argv[i])) == NULL)
			nomem();
		if (mate >= 0) {
			base = strrchr(argv[mate], '/');
			if ((c->flow[1] = strdup(base ? base + 1 :
			    argv[mate])) == NULL)
				nomem();
		}
		/* Requests first: a file that starts with "HTTP/" holds
		 * responses. */
		first = 0;
		if (mate >= 0) {
			int fd = open(argv[i], O_RDONLY);
			char head[5];

			if (fd >= 0) {
				if (read(fd, head, 5) == 5 &&
				    memcmp(head, "HTTP/", 5) == 0)
					first = 1;
				(void)close(fd);
			}
		}
		if (first == 0) {
			feed_file(t, c, 0, argv[i]);
			if (mate >= 0)
				feed_file(t, c, 1, argv[mate]);
		} else {
			feed_file(t, c, 1, argv[mate]);
			feed_file(t, c, 0, argv[i]);
		}
		conn_finish(t, c);
	}
	free(used);
}

/*
 * tf-http [-jkq] [-F tTkmg] [-H bytes] [-m bytes] [-n fields] [-o dir]
 * [-R ratio] [-T template] [file ...]: -F and -T are tf-split's, applied
 * in command-line order.
 */
int
main(int argc, char *argv[])
{
	struct tfhttp t;
	struct rec_reader r;
	struct rec rec;
	const char *dir = NULL;
	size_t i;
	int ch, e;

	memset(&t, 0, sizeof(t));
	t.argc = argc;
	t.argv = argv;
	t.digests = DIGEST_MD5 | DIGEST_SHA1;
	t.maxbody = 1ULL << 30;
	t.maxratio = 1000;
	t.lim.maxheader = 64 << 10;
	t.lim.maxfields = 256;
	t.cb.begin = on_begin;
	t.cb.body = on_body;
	t.cb.end = on_end;
	t.cb.warn = on_warn;
	if (tmpl_init(&t.t) < 0)
		nomem();
	while ((ch = getopt(argc, argv, "F:H:jkm:n:o:qR:sT:")) != -1) {
		switch (ch) {
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
			t.keep = 1;
			break;
		case 'm':
			t.maxbody = xstrtonum(optarg, 0, UINT64_MAX / 2, 1,
			    "-m");
			break;
		case 'n':
			t.lim.maxfields = (size_t)xstrtonum(optarg, 1,
			    1 << 20, 0, "-n");
			break;
		case 'o':
			dir = optarg;
			break;
		case 'q':
			t.quiet = 1;
			break;
		case 'R':
			t.maxratio = xstrtonum(optarg, 0, UINT32_MAX, 0, "-R");
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
	xsignals();
	for (i = 0; i <= 2; i++)
		if (fcntl((int)i, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR) < 0)
			err(1, "open '/dev/null'");
	t.nbuckets = 1024;
	if ((t.tab = calloc(t.nbuckets, sizeof(*t.tab))) == NULL)
		nomem();

	if (t.files) {
		xoutdir_init(&t.od, dir, MAXFDS);
		t.odinit = 1;
		t.od.onerror = on_error;
		t.od.arg = &t;
		run_files(&t, argc, argv);
		goto out;
	}

	if (rec_reader_open(&r, STDIN_FILENO) < 0)
		nomem();
	r.before_read = before_read;
	r.arg = &t;
	if ((e = rec_reader_start(&r)) < 0) {
		if (e == TF_ERR_TRUNCATED)
			warnx("stream cut short inside its preamble at byte 0");
		else
			(void)xreader_error(&r, e, 0);
		rec_reader_release(&r);
		tmpl_release(&t.t);
		free(t.tab);
		return 1;
	}
	xoutdir_init(&t.od, dir, MAXFDS);
	t.odinit = 1;
	t.od.onerror = on_error;
	t.od.arg = &t;
	if (!t.json) {
		t.passon = !isatty(STDOUT_FILENO) && !is_devnull(STDOUT_FILENO);
		if (t.passon && rec_writer_init(&t.w, STDOUT_FILENO) < 0)
			nomem();
	}
	while ((e = rec_read(&r, &rec)) > 0)
		on_record(&t, &rec);
	if (e < 0)
		t.status = xreader_error(&r, e, rec.offset);
	else if (!r.seen_end) {
		warnx("stream ended at byte %" PRIu64 " without an "
		    "end-of-stream record", r.offset);
		t.status = 1;
	}
	rec_reader_release(&r);
out:
	for (i = 0; i < t.nbuckets; i++)
		while (t.tab[i] != NULL)
			conn_finish(&t, t.tab[i]);
	free(t.tab);
	outdir_release(&t.od);
	if (t.w.buf != NULL && rec_writer_release(&t.w) < 0)
		outfail(&t);
	tmpl_release(&t.t);
	if (t.json && (fflush(stdout) == EOF || ferror(stdout))) {
		warn("error writing standard output");
		t.status = 1;
	}
	return t.status;
}
