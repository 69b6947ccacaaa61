/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-report: reads a flow record stream and writes a DFXML report of it,
 * one <fileobject> per connection direction with its file name, size and
 * digests, or JSON lines with the same fields, or a summary for people:
 * one HTML page, or a text block.  It is a sink: it passes nothing on.
 * The formats are in tf-report(1).
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

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "dfxml.h"
#include "digest.h"
#include "filter.h"
#include "hdec.h"
#include "json.h"
#include "rec.h"
#include "report.h"
#include "summary.h"
#include "tferr.h"
#include "xutil.h"

enum fmt { FMT_XML, FMT_JSON, FMT_HTML, FMT_TEXT };

struct ctx {
	FILE *out;
	const char *outname;
	enum fmt fmt;
	struct summary *sum; /* -t html, -t text */
	struct report *rp;
	unsigned algs;
	struct dfxml x;
	struct json j;
	char *cmdline;
	int werrno; /* errno of the first failed write */
};

static void versions(FILE *);

static const struct xopt opts[] = {
    {"-C conns", "hold at most conns connections at once (131072)"},
    {"-f", "overwrite the -o file if it exists"},
    {"-j", "JSON lines, one per connection direction, not DFXML"},
    {"-o file", "write the report to file"},
    {"-s", "SHA-256 too, besides MD5 and SHA-1"},
    {"-t format", "xml (DFXML, the default), json (-j), html or text"},
    {"-z bytes", "zeros hashed for holes in all (64M + 4 per data byte)"},
    {NULL, NULL}};

static const struct xprog prog = {"tf-report",
    "[-fhjsV] [-C conns] [-o file] [-t format] [-z bytes]",
    "Write a DFXML report of the stream: a fileobject per direction; or "
    "a summary.",
    opts, versions};

static void
versions(FILE *fp)
{
	const char *name, *bver;
	char buf[64];
	size_t i;

	(void)fprintf(fp, "libxml2 %s\n", dfxml_library(buf, sizeof(buf)));
	(void)fprintf(fp, "%s\n", digest_library());
	for (i = 0; hdec_library(i, &name, &bver, buf, sizeof(buf)); i++)
		(void)fprintf(fp, "%s %s\n", name, buf);
}

static int
failed(struct ctx *c)
{
	if (c->werrno == 0)
		c->werrno = errno != 0 ? errno : EIO;
	return TF_ERR_SYSTEM;
}

/* The DFXML output. */
static int
x_begin(void *arg, const struct report_run *r)
{
	struct ctx *c = arg;
	struct dfxml_run run;

	memset(&run, 0, sizeof(run));
	run.program = "tf-report";
	run.version = TF_VERSION;
	run.argv0line = c->cmdline;
	run.algs = c->algs;
	run.hdr = r->hdr;
	run.cmds = r->cmds;
	run.ncmds = r->ncmds;
	return dfxml_begin(&c->x, &run) < 0 || ferror(c->out) ? failed(c) : 0;
}

static int
x_dir(void *arg, const struct report_dir *rd)
{
	struct ctx *c = arg;

	return dfxml_fileobject(&c->x, rd) < 0 || ferror(c->out) ? failed(c)
	                                                         : 0;
}

static int
x_end(void *arg, const struct rec_end *e, const char *cut, uint64_t stray)
{
	struct ctx *c = arg;

	return dfxml_end(&c->x, e, cut, stray) < 0 || ferror(c->out) ? failed(c)
	                                                             : 0;
}

/* Flushes what was written before the reader blocks for more input. */
static int
x_flush(void *arg)
{
	struct ctx *c = arg;

	return dfxml_flush(&c->x) < 0 || fflush(c->out) == EOF ? failed(c) : 0;
}

static const struct report_out xml_out = {
    .begin = x_begin, .dir = x_dir, .end = x_end, .flush = x_flush};

/* The JSON lines output: one line per direction, nothing else. */
static int
j_dir(void *arg, const struct report_dir *rd)
{
	struct ctx *c = arg;

	report_json(&c->j, c->algs, rd);
	if (json_error(&c->j) == TF_ERR_NOMEM)
		xnomem();
	return json_write(&c->j, c->out) < 0 ? failed(c) : 0;
}

static int
j_flush(void *arg)
{
	struct ctx *c = arg;

	return fflush(c->out) == EOF ? failed(c) : 0;
}

static const struct report_out json_out = {.dir = j_dir, .flush = j_flush};

/* The summary (-t html, -t text): aggregates, written at the end. */
static int
s_begin(void *arg, const struct report_run *r)
{
	struct ctx *c = arg;
	const char *name, *bver;
	char buf[64];
	size_t i;

	if (summary_begin(c->sum, r, c->cmdline) < 0 ||
	    summary_library(
	        c->sum, "libxml2", dfxml_library(buf, sizeof(buf))) < 0 ||
	    summary_library(c->sum, "OpenSSL", digest_library()) < 0)
		xnomem();
	for (i = 0; hdec_library(i, &name, &bver, buf, sizeof(buf)); i++)
		if (summary_library(c->sum, name, buf) < 0)
			xnomem();
	return 0;
}

static int
s_dir(void *arg, const struct report_dir *rd)
{
	struct ctx *c = arg;

	if (summary_dir(c->sum, rd) < 0)
		xnomem();
	return 0;
}

static int
s_end(void *arg, const struct rec_end *e, const char *cut, uint64_t stray)
{
	struct ctx *c = arg;
	int r;

	summary_end(c->sum, e, cut, stray, report_stats(c->rp));
	r = c->fmt == FMT_HTML ? summary_html(c->sum, c->out)
	                       : summary_text(c->sum, c->out);
	return r < 0 || ferror(c->out) ? failed(c) : 0;
}

static void
s_open(void *arg, const struct rec_open *o)
{
	summary_open(((struct ctx *)arg)->sum, o);
}

static void
s_seg(void *arg, const struct rec_open *o, uint8_t dir, int64_t ts,
    uint64_t len, uint8_t gapcause)
{
	if (!(o->flags & REC_OPEN_F_LAYER))
		summary_seg(
		    ((struct ctx *)arg)->sum, o, dir, ts, len, gapcause);
}

static const struct report_out sum_out = {
    .begin = s_begin, .dir = s_dir, .end = s_end, .open = s_open, .seg = s_seg};

static enum fmt
fmt_arg(const char *s)
{
	static const char *const names[] = {"xml", "json", "html", "text"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum fmt)i;
	warnx("-t: '%s' is not xml, json, html or text", s);
	xusage(&prog);
}

/*
 * libxml2 would print its own lines ("I/O error : ...") for a write that
 * fails; one line says it, naming the file.
 */
static void
xml_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/*
 * Says how many HTTP messages the caps left out of the report, in one
 * line; with TF_DEBUG_STATS, when any were kept, what keeping and
 * pairing them cost.
 */
static void
http_summary(const struct report_stats *st)
{
	uint64_t n = st->httpdir + st->httpall;
	char line[256];

	if (n > 0) {
		line[0] = '\0';
		if (st->httpdir > 0)
			xpart(line, sizeof(line),
			    "%" PRIu64 " over %u in one direction", st->httpdir,
			    (unsigned)REPORT_MAX_HTTP);
		if (st->httpall > 0)
			xpart(line, sizeof(line),
			    "%" PRIu64 " over %u or %zu MiB held at once",
			    st->httpall, (unsigned)REPORT_MAX_HTTP_ALL,
			    (size_t)REPORT_MAX_HTTP_BYTES >> 20);
		warnx("%" PRIu64 " HTTP message%s left out of the report: %s",
		    n, xplural(n), line);
	}
	n = st->tlsdropped + st->tlsbad;
	if (n > 0) {
		line[0] = '\0';
		if (st->tlsdropped > 0)
			xpart(line, sizeof(line),
			    "%" PRIu64 " over the caps (%d certificates a "
			    "direction, %d bytes each, %zu MiB held at once)",
			    st->tlsdropped, REPORT_MAX_CERTS,
			    REPORT_MAX_TLS_LEN,
			    (size_t)REPORT_MAX_TLS_BYTES >> 20);
		if (st->tlsbad > 0)
			xpart(line, sizeof(line),
			    "%" PRIu64 " not JSON objects", st->tlsbad);
		warnx("%" PRIu64 " TLS annotation%s left out of the report: %s",
		    n, xplural(n), line);
	}
	if (getenv("TF_DEBUG_STATS") != NULL && st->httpmaxheld > 0)
		warnx("http: most held %" PRIu64 " responses paired %" PRIu64
		      " probes %" PRIu64,
		    st->httpmaxheld, st->pairs, st->probes);
}

/* Opens the report file: a new one, or any one with force. */
static FILE *
open_out(const char *path, int force)
{
	FILE *fp;
	int fd;

	if (force)
		return fopen(path, "w");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0)
		return NULL;
	if ((fp = fdopen(fd, "w")) == NULL)
		(void)close(fd);
	return fp;
}

/*
 * Reads the stream on standard input to its END record and writes the
 * report as connections close.  A cut stream still gives a well-formed
 * report, which says so, and exit 1.
 */
int
main(int argc, char *argv[])
{
	static struct ctx c;
	struct filter f;
	struct report *rp;
	struct report_stats rst;
	int ch, status, force = 0, setzeros = 0;
	uint64_t zeros = 0;

	filter_init(&f, &report_ops, NULL, argc, argv);
	c.out = stdout;
	c.algs = DIGEST_MD5 | DIGEST_SHA1;
	while ((ch = xgetopt(&prog, argc, argv, "C:fjo:st:z:")) != -1) {
		switch (ch) {
		case 'C':
			f.maxconns = filter_conns_arg(optarg);
			break;
		case 'f':
			force = 1;
			break;
		case 'j':
			c.fmt = FMT_JSON;
			break;
		case 'o':
			c.outname = optarg;
			break;
		case 's':
			c.algs |= DIGEST_SHA256;
			break;
		case 't':
			c.fmt = fmt_arg(optarg);
			break;
		case 'z':
			zeros = xstrtonum(optarg, 0, UINT64_MAX, 1, "-z");
			setzeros = 1;
			break;
		}
	}
	if (optind != argc)
		xusage(&prog);
	/* A report is evidence: it is not replaced unless -f says so. */
	if (c.outname != NULL && (c.out = open_out(c.outname, force)) == NULL) {
		if (errno == EEXIST)
			errx(1,
			    "'%s' exists: not overwritten (-f overwrites "
			    "it)",
			    c.outname);
		err(1, "open '%s'", c.outname);
	}

	LIBXML_TEST_VERSION
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	c.cmdline = xjoin_argv(argc, argv);
	json_init(&c.j);
	if (c.fmt == FMT_XML && dfxml_init(&c.x, c.out) < 0)
		xnomem();
	if ((c.fmt == FMT_HTML || c.fmt == FMT_TEXT) &&
	    (c.sum = summary_new()) == NULL)
		xnomem();
	if ((rp = report_new(c.algs,
	         c.fmt == FMT_JSON      ? &json_out
	             : c.fmt == FMT_XML ? &xml_out
	                                : &sum_out,
	         &c)) == NULL)
		xnomem();
	c.rp = rp;
	if (setzeros)
		report_zeros(rp, zeros);
	f.arg = rp;
	status = filter_run(&f, STDIN_FILENO);
	filter_finish(&f, FILTER_CUT);
	if (!report_failed(rp))
		(void)report_end(rp, &f);
	rst = *report_stats(rp);
	filter_release(&f);
	report_free(rp);
	summary_free(c.sum);
	if (c.fmt == FMT_XML)
		dfxml_release(&c.x);
	xmlCleanupParser();
	json_release(&c.j);
	free(c.cmdline);
	if (c.werrno == 0 && (ferror(c.out) || fflush(c.out) == EOF))
		c.werrno = errno;
	if (c.out != stdout && fclose(c.out) == EOF && c.werrno == 0)
		c.werrno = errno;
	if (c.werrno != 0) {
		errno = c.werrno;
		if (c.outname != NULL)
			err(1, "error writing '%s'", c.outname);
		err(1, "error writing standard output");
	}
	if (c.out == stdout)
		xclose_stdout();
	/* After the report, so that it never lands inside a line of it. */
	http_summary(&rst);
	return status;
}
