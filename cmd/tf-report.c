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

#include "dfxml.h"
#include "digest.h"
#include "filter.h"
#include "json.h"
#include "rec.h"
#include "report.h"
#include "tferr.h"
#include "xutil.h"

struct ctx {
	FILE		*out;
	const char	*outname;
	int		 json;
	unsigned	 algs;
	struct dfxml	 x;
	struct json	 j;
	char		*cmdline;
	int		 werrno;	/* errno of the first failed write */
};

static void
usage(void)
{
	(void)fprintf(stderr, "usage: tf-report [-js] [-C conns] [-o file]\n");
	exit(2);
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

	return dfxml_fileobject(&c->x, rd) < 0 || ferror(c->out) ?
	    failed(c) : 0;
}

static int
x_end(void *arg, const struct rec_end *e, const char *cut, uint64_t stray)
{
	struct ctx *c = arg;

	return dfxml_end(&c->x, e, cut, stray) < 0 || ferror(c->out) ?
	    failed(c) : 0;
}

/* Flushes what was written before the reader blocks for more input. */
static int
x_flush(void *arg)
{
	struct ctx *c = arg;

	return dfxml_flush(&c->x) < 0 || fflush(c->out) == EOF ?
	    failed(c) : 0;
}

static const struct report_out xml_out = {
	x_begin, x_dir, x_end, x_flush
};

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

static const struct report_out json_out = { NULL, j_dir, NULL, j_flush };

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
	int ch, status;

	filter_init(&f, &report_ops, NULL, argc, argv);
	c.out = stdout;
	c.algs = DIGEST_MD5 | DIGEST_SHA1;
	while ((ch = getopt(argc, argv, "C:jo:s")) != -1) {
		switch (ch) {
		case 'C':
			f.maxconns = (size_t)xstrtonum(optarg, 1,
			    FILTER_MAXCONNS_MAX, 1, "-C");
			break;
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
	c.cmdline = xjoin_argv(argc, argv);
	json_init(&c.j);
	if (!c.json && dfxml_init(&c.x, c.out) < 0)
		xnomem();
	if ((rp = report_new(c.algs, c.json ? &json_out : &xml_out, &c)) ==
	    NULL)
		xnomem();
	f.arg = rp;
	status = filter_run(&f, STDIN_FILENO);
	filter_finish(&f, FILTER_CUT);
	if (!report_failed(rp))
		(void)report_end(rp, &f);
	filter_release(&f);
	report_free(rp);
	if (!c.json)
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
	return status;
}
