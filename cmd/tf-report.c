/*
 * tf-report: reads a flow record stream and writes a DFXML report of it,
 * one <fileobject> per connection direction with its file name, size and
 * digests, or JSON lines with the same fields.  It is a sink: it passes
 * nothing on.  The format is in tf-report(1).
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "addr.h"
#include "dfxml.h"
#include "digest.h"
#include "rec.h"
#include "report.h"
#include "tferr.h"
#include "utf8.h"
#include "xutil.h"

#define TIMELEN		64
#define MAXCMDS		64

struct ctx {
	FILE		*out;
	const char	*outname;
	int		 json;
	unsigned	 algs;
	struct dfxml	 x;
	int		 begun;		/* dfxml_begin() done */
	int		 werr;		/* a write failed */
	int		 flush_errno;
	uint8_t		*hdrcopy;	/* the HEADER record, owned */
	struct rec_header hdr;
	int		 havehdr;
	struct dfxml_annot cmds[MAXCMDS];	/* values owned */
	size_t		 ncmds;
	char		*cmdline;
};

static void
usage(void)
{
	(void)fprintf(stderr, "usage: tf-report [-js] [-o file]\n");
	exit(2);
}

/* Flushes what was written before the reader blocks for more input. */
static int
flush_out(void *arg)
{
	struct ctx *c = arg;

	if ((c->begun && !c->json && dfxml_flush(&c->x) < 0) ||
	    fflush(c->out) == EOF) {
		c->flush_errno = errno;
		return -1;
	}
	return 0;
}

/* Keeps a copy of the HEADER record; its pointers move with it. */
static void
keep_header(struct ctx *c, const struct rec *rec)
{
	const uint8_t *raw = rec->raw;
	uint16_t i;

#define REBASE(p) ((p) == NULL ? NULL : \
	(const char *)(c->hdrcopy + ((const uint8_t *)(p) - raw)))
	if (c->havehdr)
		return;
	if ((c->hdrcopy = malloc(rec->len)) == NULL)
		err(1, NULL);
	memcpy(c->hdrcopy, raw, rec->len);
	c->hdr = rec->u.header;
	c->hdr.program = REBASE(rec->u.header.program);
	c->hdr.pcapver = REBASE(rec->u.header.pcapver);
	for (i = 0; i < c->hdr.nsources && i < REC_MAX_SOURCES; i++)
		c->hdr.source[i] = REBASE(rec->u.header.source[i]);
#undef REBASE
	c->havehdr = 1;
}

/* Keeps a copy of a "*.command" annotation about the whole stream. */
static void
keep_command(struct ctx *c, const struct rec_annot *a)
{
	static const char suffix[] = ".command";
	size_t n = sizeof(suffix) - 1;
	struct dfxml_annot *k;
	char *key;
	uint8_t *v;

	if (a->conn != 0 || a->keylen < n || c->ncmds == MAXCMDS ||
	    memcmp(a->key + a->keylen - n, suffix, n) != 0)
		return;
	if ((key = malloc(a->keylen + 1)) == NULL ||
	    (v = malloc(a->valuelen + 1)) == NULL)
		err(1, NULL);
	memcpy(key, a->key, a->keylen);
	key[a->keylen] = '\0';
	memcpy(v, a->value, a->valuelen);
	v[a->valuelen] = '\0';
	k = &c->cmds[c->ncmds++];
	k->key = key;
	k->keylen = a->keylen;
	k->value = v;
	k->valuelen = a->valuelen;
}

static void
begin(struct ctx *c)
{
	struct dfxml_run run;

	if (c->begun)
		return;
	c->begun = 1;
	if (c->json)
		return;
	memset(&run, 0, sizeof(run));
	run.program = "tf-report";
	run.version = TF_VERSION;
	run.argv0line = c->cmdline;
	run.algs = c->algs;
	run.hdr = c->havehdr ? &c->hdr : NULL;
	run.cmds = c->cmds;
	run.ncmds = c->ncmds;
	if (dfxml_begin(&c->x, &run) < 0)
		c->werr = 1;
}

static void
put_jstr(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;
	uint8_t ch;

	(void)putc('"', f);
	for (i = 0; i < n; i++) {
		ch = p[i];
		if (ch == '"' || ch == '\\')
			(void)fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			(void)fputs("\\n", f);
		else if (ch == '\r')
			(void)fputs("\\r", f);
		else if (ch == '\t')
			(void)fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			(void)fprintf(f, "\\u%04x", ch);
		else
			(void)putc(ch, f);
	}
	(void)putc('"', f);
}

static void
put_jtime(FILE *f, const char *name, int64_t ts)
{
	char buf[TIMELEN];

	if (ts == 0 || addr_isotime(buf, sizeof(buf), ts, 6) < 0)
		(void)fprintf(f, ",\"%s\":null", name);
	else
		(void)fprintf(f, ",\"%s\":\"%s\"", name, buf);
}

static void
put_jopt(FILE *f, const char *name, const struct report_str *s)
{
	if (s->p == NULL)
		return;
	(void)fprintf(f, ",\"%s\":", name);
	put_jstr(f, (const uint8_t *)s->p, s->len);
}

static void
put_ju64(FILE *f, const char *name, uint64_t v)
{
	if (v != UINT64_MAX)
		(void)fprintf(f, ",\"%s\":%" PRIu64, name, v);
}

/* The "http" array: one object per body, the fields of <tcpflow:http>. */
static void
json_http(FILE *f, const struct report_dir *rd)
{
	const struct report_http *h;
	size_t k, nout = 0;
	unsigned i;

	for (k = 0; k < rd->nhttp && rd->http[k].file.p == NULL; k++)
		;
	if (k == rd->nhttp && rd->httpdropped == 0)
		return;
	(void)fputs(",\"http\":[", f);
	for (k = 0; k < rd->nhttp; k++) {
		h = &rd->http[k];
		if (h->file.p == NULL)
			continue;
		(void)fputs(nout++ == 0 ? "{\"filename\":" :
		    ",{\"filename\":", f);
		put_jstr(f, (const uint8_t *)h->file.p, h->file.len);
		put_ju64(f, "filesize", h->length);
		put_ju64(f, "file_offset", h->body_offset);
		put_ju64(f, "len", h->body_length);
		put_jopt(f, "dir", &h->dir);
		put_ju64(f, "n", h->n);
		put_jopt(f, "method", &h->method);
		put_jopt(f, "uri", &h->uri);
		put_ju64(f, "status", h->status);
		put_jopt(f, "content_type", &h->content_type);
		if (h->complete >= 0)
			(void)fprintf(f, ",\"complete\":%s",
			    h->complete ? "true" : "false");
		for (i = 0; i < DIGEST_NALGS; i++)
			if (h->hex[i][0] != '\0')
				(void)fprintf(f, ",\"%s\":\"%s\"",
				    digest_name(i), h->hex[i]);
		(void)putc('}', f);
	}
	(void)putc(']', f);
	if (rd->httpdropped > 0)
		(void)fprintf(f, ",\"http_dropped\":%" PRIu64,
		    rd->httpdropped);
}

static void
json_dir(FILE *f, unsigned algs, const struct report_dir *rd)
{
	const struct rec_dirstats *st = rd->st;
	char buf[ADDR_STRLEN];
	size_t i;

	(void)fprintf(f, "{\"conn\":%" PRIu64 ",\"dir\":%u", rd->conn,
	    rd->dir);
	if (rd->path == NULL)
		(void)fputs(",\"filename\":null", f);
	else if (utf8_valid(rd->path, rd->pathlen, NULL) == rd->pathlen) {
		(void)fputs(",\"filename\":", f);
		put_jstr(f, rd->path, rd->pathlen);
	} else {
		(void)fputs(",\"filename_hex\":\"", f);
		for (i = 0; i < rd->pathlen; i++)
			(void)fprintf(f, "%02x", rd->path[i]);
		(void)putc('"', f);
	}
	(void)fprintf(f, ",\"filesize\":%" PRIu64, rd->filesize);
	for (i = 0; i < DIGEST_NALGS; i++) {
		if ((algs & 1u << i) == 0)
			continue;
		if (rd->nodigest == 0)
			(void)fprintf(f, ",\"%s\":\"%s\"", digest_name(i),
			    rd->hex[i]);
		else
			(void)fprintf(f, ",\"%s\":null", digest_name(i));
	}
	put_jtime(f, "startime", st != NULL && st->first != 0 ? st->first :
	    rd->first);
	put_jtime(f, "endtime", st != NULL && st->last != 0 ? st->last :
	    rd->last);
	(void)fprintf(f, ",\"family\":%u", rd->family == 6 ? 10 : 2);
	(void)fprintf(f, ",\"src_ipn\":\"%s\"", addr_plain(buf, rd->family,
	    rd->src));
	(void)fprintf(f, ",\"dst_ipn\":\"%s\"", addr_plain(buf, rd->family,
	    rd->dst));
	(void)fprintf(f, ",\"srcport\":%u,\"dstport\":%u", rd->sport,
	    rd->dport);
	if (st != NULL)
		(void)fprintf(f, ",\"packets\":%" PRIu64 ",\"len\":%" PRIu64
		    ",\"caplen\":%" PRIu64 ",\"out_of_order_count\":%" PRIu64
		    ",\"violations\":%" PRIu64, st->packets, st->wirelen,
		    st->caplen, st->ooo, st->violations);
	(void)fputs(",\"vlan\":[", f);
	for (i = 0; i < rd->nvlan && i < REC_MAX_VLAN; i++)
		(void)fprintf(f, i == 0 ? "%u" : ",%u", rd->vlan[i]);
	(void)fprintf(f, "],\"counter\":%" PRIu32 ",\"gaps\":%" PRIu64
	    ",\"gapbytes\":%" PRIu64, rd->counter,
	    st != NULL ? st->gaps : rd->gaps,
	    st != NULL ? st->gapbytes : rd->gapbytes);
	if (st != NULL)
		(void)fprintf(f, ",\"retrans\":%" PRIu64 ",\"overlapdiff\":%"
		    PRIu64, st->retrans, st->overlapdiff);
	(void)fprintf(f, ",\"close\":\"%s\"", dfxml_cause_name(rd->cause));
	if (rd->nodigest != 0)
		(void)fprintf(f, ",\"nodigest\":\"%s\"",
		    rd->nodigest & REPORT_ND_REWOUND ? "rewound" : "hole");
	json_http(f, rd);
	(void)fputs("}\n", f);
}

/*
 * libxml2 would print its own lines ("I/O error : ...") for a write that
 * fails; werr() says it once, naming the file.
 */
static void
xml_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void
werr(const struct ctx *c)
{
	if (c->outname != NULL)
		err(1, "error writing '%s'", c->outname);
	err(1, "error writing standard output");
}

/* Called by the report for each finished direction. */
static int
emit(void *arg, const struct report_dir *rd)
{
	struct ctx *c = arg;

	begin(c);
	if (c->json)
		json_dir(c->out, c->algs, rd);
	else if (dfxml_fileobject(&c->x, rd) < 0)
		c->werr = 1;
	return 0;
}

static void
libfail(int e, uint64_t offset)
{
	if (e == TF_ERR_NOMEM)
		errx(1, "out of memory");
	if (e == TF_ERR_UNSUPPORTED)
		errx(1, "digest failed in OpenSSL");
	warnx("record at byte %" PRIu64 ": %s", offset, tf_strerror(e));
}

/*
 * Says on stderr, and in buf for the report, why the stream could not
 * be read to its end: the words of xreader_error().
 */
static void
why_cut(char *buf, size_t size, const struct rec_reader *r, int e,
    uint64_t offset, int preamble)
{
	int saved = errno;

	switch (e) {
	case 0:
		(void)snprintf(buf, size, "stream ended at byte %" PRIu64
		    " without an end-of-stream record", r->offset);
		break;
	case TF_ERR_FORMAT:
		(void)snprintf(buf, size, r->end == 0 ?
		    "empty input: not a tf stream" :
		    "not a tf stream at byte 0");
		(void)xreader_error(r, e, offset);
		return;
	case TF_ERR_VERSION:
		(void)snprintf(buf, size, "unsupported tf stream version %u "
		    "at byte 8", r->buf[8] | r->buf[9] << 8);
		break;
	case TF_ERR_TRUNCATED:
		(void)snprintf(buf, size, preamble ? "stream cut short inside "
		    "its preamble at byte 0" : "stream cut short inside the "
		    "record at byte %" PRIu64, offset);
		break;
	case TF_ERR_TOOLONG:
		(void)snprintf(buf, size, "record at byte %" PRIu64
		    " longer than %u bytes", offset, REC_MAX_LEN);
		break;
	case TF_ERR_MALFORMED:
		(void)snprintf(buf, size, "malformed record at byte %" PRIu64,
		    offset);
		break;
	case TF_ERR_SYSTEM:
		(void)snprintf(buf, size, "read error at byte %" PRIu64 ": %s",
		    offset, strerror(saved));
		break;
	default:
		(void)snprintf(buf, size, "at byte %" PRIu64 ": %s", offset,
		    tf_strerror(e));
		break;
	}
	warnx("%s", buf);
}

/*
 * Reads the stream on standard input to its END record and writes the
 * report as connections close.  A cut stream still gives a well-formed
 * report, which says so, and exit 1.
 */
int
main(int argc, char *argv[])
{
	static struct rec rec;
	static struct ctx c;
	struct rec_reader r;
	struct rec_end endrec;
	struct report *rp;
	char cut[256];
	int ch, e, status = 0, seen_end = 0, preamble = 0;
	size_t i;

	xsignals();
	c.out = stdout;
	c.algs = DIGEST_MD5 | DIGEST_SHA1;
	c.cmdline = xjoin_argv(argc, argv);
	while ((ch = getopt(argc, argv, "jo:s")) != -1) {
		switch (ch) {
		case 'j':
			c.json = 1;
			break;
		case 'o':
			c.outname = optarg;
			break;
		case 's':
			c.algs |= DIGEST_SHA256;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (c.outname != NULL && (c.out = fopen(c.outname, "w")) == NULL)
		err(1, "open '%s'", c.outname);

	LIBXML_TEST_VERSION
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	if (!c.json && dfxml_init(&c.x, c.out) < 0)
		errx(1, "out of memory");
	if ((rp = report_new(c.algs)) == NULL)
		errx(1, "out of memory");

	if ((e = rec_reader_open(&r, STDIN_FILENO)) == 0) {
		r.before_read = flush_out;
		r.arg = &c;
		if ((e = rec_reader_start(&r)) < 0)
			preamble = 1;
	}
	rec.offset = 0;
	if (e == 0) {
		while ((e = rec_read(&r, &rec)) > 0) {
			if (!c.begun) {
				if (rec.kind == REC_HEADER) {
					keep_header(&c, &rec);
					continue;
				}
				if (rec.kind == REC_ANNOT &&
				    rec.u.annot.conn == 0) {
					keep_command(&c, &rec.u.annot);
					continue;
				}
				begin(&c);
			}
			switch (rec.kind) {
			case REC_OPEN:
				if ((e = report_open(rp, &rec.u.open)) ==
				    TF_ERR_MALFORMED) {
					warnx("connection %" PRIu64 " opened "
					    "twice, at byte %" PRIu64,
					    rec.u.open.conn, rec.offset);
					status = 1;
					e = 0;
				}
				break;
			case REC_DATA:
				e = report_data(rp, &rec.u.data);
				break;
			case REC_GAP:
				e = report_gap(rp, &rec.u.gap);
				break;
			case REC_ANNOT:
				if ((e = report_annot(rp, &rec.u.annot)) ==
				    TF_ERR_MALFORMED) {
					warnx("annotation at byte %" PRIu64
					    ": http.message: %s; ignored",
					    rec.offset,
					    report_annot_error(rp));
					e = 0;
				}
				break;
			case REC_CLOSE:
				e = report_close(rp, &rec.u.close, emit, &c);
				break;
			case REC_END:
				endrec = rec.u.end;
				seen_end = 1;
				break;
			default:
				break;
			}
			if (e < 0) {
				libfail(e, rec.offset);
				status = 1;
			}
			if (c.werr || ferror(c.out) || c.flush_errno != 0)
				break;
		}
	}
	if (c.werr || ferror(c.out) || c.flush_errno != 0) {
		if (c.flush_errno != 0)
			errno = c.flush_errno;
		werr(&c);
	}

	begin(&c);
	if (e < 0 || !seen_end) {
		why_cut(cut, sizeof(cut), &r, e, rec.offset, preamble);
		status = 1;
		if ((e = report_flush(rp, emit, &c)) < 0)
			libfail(e, r.offset);
		if (!c.json && dfxml_end(&c.x, NULL, cut, report_stray(rp)) < 0)
			c.werr = 1;
	} else if (!c.json && dfxml_end(&c.x, &endrec, NULL,
	    report_stray(rp)) < 0)
		c.werr = 1;

	rec_reader_release(&r);
	report_free(rp);
	if (!c.json)
		dfxml_release(&c.x);
	xmlCleanupParser();
	free(c.hdrcopy);
	for (i = 0; i < c.ncmds; i++) {
		free((char *)(uintptr_t)c.cmds[i].key);
		free((uint8_t *)(uintptr_t)c.cmds[i].value);
	}
	free(c.cmdline);
	if (c.werr || ferror(c.out) || fflush(c.out) == EOF)
		werr(&c);
	if (c.out != stdout) {
		if (fclose(c.out) == EOF)
			err(1, "error writing '%s'", c.outname);
	} else
		xclose_stdout();
	return status;
}
